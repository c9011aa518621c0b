"""Settings: defaults < TOML file < ``SHIHOU_*`` environment < command line.

Every field is declared once in :data:`FIELDS` with its type, default and a one-line
description. :func:`load_settings` collects every problem (key, source, what was wrong)
and raises one :class:`~console.errors.SettingsError` listing them all.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from console.errors import SettingsError

APP_NAME = "shihou-console"
ENV_PREFIX = "SHIHOU_"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_url() -> str:
    return f"sqlite+aiosqlite:///{data_dir() / 'shihou.db'}"


def _parse_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in {"1", "true", "yes", "on"}:
        return True
    if s in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {v!r}")


def _parse_int(lo: int, hi: int) -> Callable[[Any], int]:
    def parse(v: Any) -> int:
        if isinstance(v, bool):
            raise ValueError(f"expected an integer, got {v!r}")
        try:
            n = int(v)
        except (TypeError, ValueError):
            raise ValueError(f"expected an integer, got {v!r}") from None
        if not lo <= n <= hi:
            raise ValueError(f"expected {lo}..{hi}, got {n}")
        return n

    return parse


def _parse_choice(*choices: str) -> Callable[[Any], str]:
    def parse(v: Any) -> str:
        if v not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {v!r}")
        return str(v)

    return parse


def _parse_db_url(v: Any) -> str:
    s = str(v)
    if not s.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError(f"expected sqlite+aiosqlite:///PATH or postgresql+asyncpg://…, got {s!r}")
    return s


def _parse_str(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError(f"expected a string, got {v!r}")
    return v


def _parse_addresses(v: Any) -> tuple[str, ...]:
    """Mail addresses: a TOML list of strings or one comma-separated string (the environment)."""
    items = [str(x) for x in v] if isinstance(v, list | tuple) else str(v).split(",") if isinstance(v, str) else None
    if items is None:
        raise ValueError(f"expected addresses (a list or comma separated), got {v!r}")
    out = tuple(a.strip() for a in items if a.strip())
    bad = [a for a in out if a.count("@") != 1 or a.startswith("@") or a.endswith("@") or any(c in a for c in " <>,;")]
    if bad:
        raise ValueError(f"not a mail address: {', '.join(repr(b) for b in bad)}")
    return out


@dataclass(frozen=True)
class Field:
    key: str
    parse: Callable[[Any], Any]
    default: Callable[[], Any]
    help: str


FIELDS: tuple[Field, ...] = (
    Field("database.url", _parse_db_url, default_db_url, "shared database: sqlite+aiosqlite or postgresql+asyncpg"),
    Field("database.pool_size", _parse_int(2, 64), lambda: 3,
          "PostgreSQL connections of a console, the event listener's included (the chat reader adds one)"),
    Field("ui.lang", _parse_choice("zh_CN", "en"), lambda: "zh_CN", "interface language"),
    Field("sandbox.enabled", _parse_bool, lambda: False, "run the local training sandbox and seed demo data"),
    Field("sandbox.demo_users", _parse_int(0, 10_000_000), lambda: 5000, "users seeded on first start"),
    Field("auth.user", _parse_str, lambda: "", "sign in as this operator without the dialog (sandbox only)"),
    Field("session.idle_lock_min", _parse_int(0, 24 * 60), lambda: 15,
          "lock the window after this many minutes without keyboard or mouse input (0: never)"),
    Field("log.level", _parse_choice("DEBUG", "INFO", "WARNING", "ERROR"), lambda: "INFO", "log level"),
    Field("lookup.page_size", _parse_int(10, 500), lambda: 100, "rows fetched per lookup page"),
    Field("events.poll_ms", _parse_int(20, 60_000), lambda: 500, "SQLite change polling interval"),
    Field("monitor.refresh_ms", _parse_int(250, 60_000), lambda: 2000, "room monitor refresh interval"),
    Field("nginx.stat_url", _parse_str, lambda: "", "nginx-rtmp /stat URL (empty: no self-hosted server)"),
    Field("nginx.control_url", _parse_str, lambda: "", "nginx-rtmp /control URL"),
    Field("nginx.rtmp_base", _parse_str, lambda: "", "rtmp://host:port of the nginx-rtmp server"),
    Field("nginx.hls_base", _parse_str, lambda: "", "http://host:port/hls of the nginx-rtmp server"),
    Field("rongcloud.url", _parse_str, lambda: "", "RongCloud API, e.g. https://api.rong-api.com (empty: off)"),
    Field("rongcloud.backup_url", _parse_str, lambda: "", "RongCloud backup host, e.g. https://api-b.rong-api.com"),
    Field("rongcloud.app_key", _parse_str, lambda: "", "RongCloud App Key (its secret is in the keyring)"),
    Field("rongcloud.system_user", _parse_str, lambda: "__system__", "fromUserId of system messages"),
    Field("jpush.url", _parse_str, lambda: "", "JPush Push/Schedule API, e.g. https://api.jpush.cn (empty: off)"),
    Field("jpush.report_url", _parse_str, lambda: "",
          "JPush Report API (empty: https://report.jpush.cn, or jpush.url if not JPush's)"),
    Field("jpush.device_url", _parse_str, lambda: "", "JPush Device API (empty: https://device.jpush.cn, or jpush.url)"),
    Field("jpush.app_key", _parse_str, lambda: "", "JPush AppKey (its Master Secret is in the keyring)"),
    Field("jpush.apns_production", _parse_bool, lambda: False, "iOS pushes go to APNs production (else development)"),
    Field("push.quota_per_min", _parse_int(1, 10_000_000), lambda: 600, "JPush push-API calls per minute (free tier 600)"),
    Field("push.confirm_threshold", _parse_int(0, 10**10), lambda: 10_000,
          "above this many recipients the operator types the audience size to send"),
    Field("push.approval_threshold", _parse_int(0, 10**10), lambda: 0,
          "audiences this large need a second operator too (0: only pushes to all users)"),
    Field("push.test_aliases", _parse_str, lambda: "", "the locked test audience: JPush aliases, comma separated"),
    Field("push.workers", _parse_int(1, 32), lambda: 4, "pushes of a bulk campaign in flight at once"),
    Field("chat.new_account_hours", _parse_int(1, 24 * 365), lambda: 72,
          "accounts younger than this are low-trust in the chat feed"),
    Field("chat.repeat_window_s", _parse_int(5, 3600), lambda: 60,
          "same sender, same text within this many seconds counts as a repeat"),
    Field("chat.repeat_count", _parse_int(2, 100), lambda: 3, "flag the Nth repeat"),
    Field("chat.reader_process", _parse_bool, lambda: True,
          "read and flag live chat in a child process, off the UI thread"),
    Field("chat.session_gag_minutes", _parse_int(1, 43200), lambda: 720, "length of a 'gag for this live session'"),
    Field("chat.word_quota", _parse_int(1, 100_000), lambda: 50, "RongCloud sensitive-word quota"),
    Field("chat.bulk_concurrency", _parse_int(1, 64), lambda: 8, "provider calls in flight per bulk chat action"),
    Field("chat.routing_flush_ms", _parse_int(1, 1000), lambda: 20, "sandbox routing endpoint: batch window"),
    Field("sms.url", _parse_str, lambda: "",
          "SMS gateway (Aliyun Dysms), e.g. https://dysmsapi.aliyuncs.com (empty: off)"),
    Field("sms.access_key_id", _parse_str, lambda: "", "SMS AccessKeyId (secret in the keyring: sms/<id>)"),
    Field("sms.sign_name", _parse_str, lambda: "狮吼直播", "approved SMS sign name"),
    Field("sms.code_template", _parse_str, lambda: "SMS_216427811", "verification-code template for support's resend"),
    Field("nginx.shots_base", _parse_str, lambda: "",
          "http://host:port/shots where the nginx-rtmp server's exec_push writes <stream>.jpg (empty: none)"),
    Field("sandbox.streams", _parse_int(0, 64), lambda: 8, "test publishers the sandbox starts"),
    Field("kingsoft.url", _parse_str, lambda: "", "KLS endpoint, e.g. https://kls.cn-beijing-6.api.ksyun.com (empty: off)"),
    Field("kingsoft.access_key", _parse_str, lambda: "", "KLS access key id (its secret is in the keyring)"),
    Field("kingsoft.unique_name", _parse_str, lambda: "shihou", "KLS account UniqueName"),
    Field("kingsoft.app", _parse_str, lambda: "live", "KLS App"),
    Field("kingsoft.pubdomain", _parse_str, lambda: "shihou.uplive.ks-cdn.com", "KLS push domain"),
    Field("wangsu.url", _parse_str, lambda: "", "Wangsu CDN API, e.g. https://open.chinanetcenter.com (empty: off)"),
    Field("wangsu.account", _parse_str, lambda: "", "Wangsu account (its API key is in the keyring)"),
    Field("kingsoft.play_domain", _parse_str, lambda: "shihou.play.ks-cdn.com", "KLS play domain"),
    Field("kingsoft.play_scheme", _parse_choice("https", "http"), lambda: "https", "scheme of FLV and HLS play URLs"),
    Field("kingsoft.antileech_account", _parse_str, lambda: "",
          "keyring account of the KLS anti-leech key (kingsoft-antileech/<name>); empty: play URLs unsigned"),
    Field("mail.smtp_host", _parse_str, lambda: "", "SMTP server of alerts and the daily digest (empty: mail off)"),
    Field("mail.smtp_port", _parse_int(0, 65535), lambda: 0, "SMTP port (0: 587 for starttls, 465 for tls, 25 for plain)"),
    Field("mail.security", _parse_choice("starttls", "tls", "plain"), lambda: "starttls",
          "starttls, tls (implicit, port 465) or plain (only to a server on this machine: 127.0.0.1, ::1, localhost)"),
    Field("mail.account", _parse_str, lambda: "", "SMTP sign-in name (its password is in the keyring: smtp/<name>; "
          "empty: no sign-in)"),
    Field("mail.from", _parse_str, lambda: "", "From address of alerts and digests (empty: mail.account)"),
    Field("mail.on_call", _parse_addresses, lambda: (), "on-call addresses that receive alerts (comma separated)"),
    Field("mail.digest_to", _parse_addresses, lambda: (),
          "addresses of the daily moderation digest (comma separated; empty: mail.on_call)"),
    Field("mail.alert_room_min", _parse_int(1, 7 * 24 * 60), lambda: 10,
          "alert when a live room's flagged chat has had no moderation action for this many minutes"),
    Field("mail.alert_approval_min", _parse_int(1, 7 * 24 * 60), lambda: 30,
          "alert when an approval has waited this many minutes"),
)
_BY_KEY = {f.key: f for f in FIELDS}


@dataclass(frozen=True, slots=True)
class Settings:
    values: Mapping[str, Any]
    sources: Mapping[str, str]
    config_path: Path | None = None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def db_url(self) -> str:
        return str(self.values["database.url"])

    @property
    def lang(self) -> str:
        return str(self.values["ui.lang"])

    @property
    def sandbox(self) -> bool:
        return bool(self.values["sandbox.enabled"])

    def replace(self, **overrides: Any) -> Settings:
        """A copy with ``key__sub=value`` style overrides (``database__url=...``)."""
        vals = dict(self.values)
        srcs = dict(self.sources)
        for k, v in overrides.items():
            key = k.replace("__", ".")
            vals[key] = _BY_KEY[key].parse(v)
            srcs[key] = "override"
        return Settings(vals, srcs, self.config_path)


def env_name(key: str) -> str:
    return ENV_PREFIX + key.replace(".", "_").upper()


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def load_settings(
    *,
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_path: Path | str | None = None,
) -> Settings:
    """Build settings from the four layers; raise SettingsError with every problem found."""
    env = os.environ if env is None else env
    problems: list[str] = []
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for f in FIELDS:
        values[f.key] = f.default()
        sources[f.key] = "default"

    def apply(key: str, raw: Any, source: str) -> None:
        field = _BY_KEY.get(key)
        if field is None:
            problems.append(f"{source}: unknown key {key!r}")
            return
        try:
            values[key] = field.parse(raw)
            sources[key] = source
        except ValueError as e:
            problems.append(f"{source}: {key}: {e}")

    path = Path(config_path) if config_path else None
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(f"{path}: file not found")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            problems.append(f"{path}: not valid TOML: {e}")
        else:
            for key, raw in _flatten(data).items():
                apply(key, raw, f"{path}")
    known_env = {env_name(f.key): f.key for f in FIELDS}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        if name in known_env:
            apply(known_env[name], raw, f"environment {name}")
        elif name not in _IGNORED_ENV:
            problems.append(f"environment {name}: unknown setting (known: {', '.join(sorted(known_env))})")
    for key, raw in (cli or {}).items():
        if raw is not None:
            apply(key, raw, "command line")
    if problems:
        raise SettingsError(problems)
    return Settings(values, sources, path)


#: SHIHOU_* variables that are not settings (used by scripts and tests).
_IGNORED_ENV = frozenset({"SHIHOU_PASSWORD", "SHIHOU_NEW_PASSWORD", "SHIHOU_SECRET", "SHIHOU_TEST_PG_BIN"})
