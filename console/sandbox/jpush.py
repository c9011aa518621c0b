"""A local emulator of JPush REST API v3 (providers.md §2, §9) for the sandbox, the tests and bench.push.

One aiohttp server on 127.0.0.1 serves every host's paths (Push ``/v3/push…``, Schedule ``/v3/schedules…``,
Report ``/v3/received…``, Device ``/v3/devices|tags|aliases…``), so ``jpush.url``, ``jpush.report_url``
(and the device URL) can all point at it. No Qt.

Usage::

    emu = JPushEmulator(app_key="sandboxappkey00000000001", master_secret="sandbox-jpush-secret",
                        push_quota=600)
    emu.populate([str(uid) for uid in user_ids])          # devices with registration ids, tags, aliases
    base_url = await emu.start()
    emu.inject("push", "reset", apply=True)               # the next push is made, its answer is lost
    ...
    assert all(n == 1 for n in emu.deliveries_by_cid().values())
    await emu.stop()

What it does the way the reference says the real service does:

- HTTP Basic ``appKey:masterSecret``; refusals 401 with the family's code (push 1004, report 3001,
  schedule 8101, device 7001 missing / 7004 wrong).
- ``POST /v3/push`` and ``/v3/push/validate``: full payload validation with the real codes: 1001 wrong
  method, 1002 missing ``platform``/``audience``/content/alert/``msg_content``, 1003 invalid values (empty
  or bad tag/alias, bad registration id, too many tags/aliases, bad badge, bad ``time_to_live``, an unknown
  or expired ``cid``, an unknown ``override_msg_id``), 1005 over-size (Android notification+message 4000 B,
  iOS ``ios{}`` 2000 B, iOS message 4000 B, WinPhone 1000 B when ``winphone`` is named, HarmonyOS 4000 B),
  1009 unknown keys, 1011 no device matches. Accepts everything §9 lists (no ``options``, ``android.sound``, ``quickapp``,
  ``\\uXXXX`` escapes, ``content-type`` on GETs, ``/v3/schedules/``).
- ``cid`` idempotency: a push whose cid was already used answers the original ``{sendno, msg_id}`` and
  delivers nothing; :meth:`JPushEmulator.deliveries_by_cid` counts deliveries per cid.
- Per-minute quotas per group (push incl. validate and cid, schedule, report, device) in fixed windows on
  the emulator's clock; every authenticated answer carries ``X-Rate-Limit-Quota``/``-Remaining``/``-Reset``;
  over the quota 429 ``{"error":{"code":2002,…}}``.
- Schedules (single and periodical, Beijing time) fire on the emulator's clock: a background task calls
  :meth:`JPushEmulator.tick` every ``tick_s`` seconds, and tests call it after moving their clock.
- Reports grow over time: each targeted device receives after a pseudo-random delay (exponential, mean
  ``mean_delay_s``) if it is reachable (``reach``) and the delay is within ``time_to_live``; some receivers
  click (``click_rate``) after a further delay. Deterministic per (msg_id, device).
- Faults per operation (``push``, ``validate``, ``cid``, ``schedules``, ``received``, ``messages``,
  ``status``, ``devices``, ``aliases``, ``tags``) with :meth:`JPushEmulator.inject` (5xx, timeout, 429,
  malformed, slow, reset; ``apply=True`` makes the change first, so the answer is lost after the push was
  accepted) or at random with :meth:`JPushEmulator.chaos`; also over HTTP on ``/_sandbox/``.

Choices where the reference is silent (UNCONFIRMED on the real service): cids must have been issued by
this emulator (``<appkey>-<uuid>``) and are valid one day from issue (a used cid one day from its first
use); report parameter errors answer 400 code 3003; schedule errors all 8100 (push errors inside a
schedule are reported as 8100 with the push code in the message); device errors 400 7002; an unknown
schedule 404 8104; ``DELETE`` of a schedule answers 200 with an empty body; ``/msg_ids`` answers
``{"count", "msgids": [{"msg_id", "needRetry", "ts"}]}``; ``/v3/messages`` includes ``hmos``; a single
schedule stays listed after it fired; plain HTTP is served (the real API refuses it with 1020).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import bisect
import contextlib
import hashlib
import json
import logging
import math
import random
import re
import time
import uuid
import zlib
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as dtime
from typing import Any
from urllib.parse import parse_qsl, unquote

from aiohttp import web

from console.sandbox.kingsoft import FAULT_KINDS, Fault, FaultKind, FaultPlan, wait_or_closed
from console.sandbox.process import serve_until_stopped

__all__ = [
    "SANDBOX_APP_KEY",
    "SANDBOX_MASTER_SECRET",
    "DeviceSpec",
    "JPushEmulator",
    "PushRecord",
    "population_from_db",
    "start_sandbox_jpush",
]

log = logging.getLogger(__name__)

BJ = timezone(timedelta(hours=8))
DAY_S = 86400
_PLATFORMS = ("android", "ios", "hmos")
_ALL_PLATFORMS = frozenset({"android", "ios", "winphone", "hmos", "quickapp"})
_TOP_KEYS = frozenset({"platform", "audience", "notification", "message", "sms_message", "options", "cid",
                       "inapp_message", "notification_3rd", "callback"})
_AUDIENCE_KEYS = frozenset({"tag", "tag_and", "tag_not", "alias", "registration_id", "segment", "abtest"})
_NOTIFICATION_KEYS = frozenset({"alert", "android", "ios", "winphone", "hmos", "quickapp", "voip"})
_ANDROID_KEYS = frozenset({
    "alert", "title", "builder_id", "channel_id", "priority", "category", "style", "alert_type", "big_text",
    "inbox", "big_pic_path", "large_icon", "intent", "extras", "sound", "badge_add_num", "badge_set_num",
    "badge_class", "uri_activity", "uri_action", "small_icon_uri", "icon_bg_color", "show_begin_time",
    "show_end_time", "display_foreground"})
_IOS_KEYS = frozenset({"alert", "sound", "badge", "content-available", "mutable-content", "category", "thread-id",
                       "extras", "interruption-level", "relevance-score"})
_HMOS_KEYS = frozenset({
    "alert", "title", "category", "large_icon", "intent", "badge_add_num", "badge_set_num", "test_message",
    "receipt_id", "extras", "style", "inbox", "push_type", "extra_data", "display_foreground", "sound",
    "sound_duration"})
_WINPHONE_KEYS = frozenset({"alert", "title", "_open_page", "extras"})
_QUICKAPP_KEYS = frozenset({"alert", "title", "page", "extras"})
_MESSAGE_KEYS = frozenset({"msg_content", "title", "content_type", "extras"})
_OPTIONS_KEYS = frozenset({"sendno", "time_to_live", "override_msg_id", "apns_production", "apns_collapse_id",
                           "big_push_duration", "third_party_channel", "classification"})
_SMS_KEYS = frozenset({"temp_id", "temp_para", "delay_time", "signid", "active_filter"})
_SIZE = {"android": 4000, "ios": 2000, "ios_message": 4000, "winphone": 1000, "hmos": 4000}
_NAME_SPECIALS = frozenset("@!#$&*+=.|￥¥")
_REGID = re.compile(r"^[0-9A-Za-z]{1,64}$")
_BADGE = re.compile(r"^[+-]?\d+$")
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_DT = "%Y-%m-%d %H:%M:%S"


# --- population --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """One device of the simulated population."""

    registration_id: str
    platform: str                  # android | ios | hmos
    alias: str | None = None
    tags: tuple[str, ...] = ()


async def population_from_db(engine: Any, *, limit: int | None = 100_000, now: datetime | None = None
                             ) -> list[DeviceSpec]:
    """Devices from the shared database: alias = user id, platform from ``devices.platform``
    (``harmony`` → ``hmos``), tags = the platform, the user's channel, ``active_7d`` / ``active_30d`` from
    ``last_active_at``. The registration id is derived from the device id (a device shared by two accounts
    keeps the alias of the last one, as a JPush device has one alias). The rows are turned into specs in a
    worker thread (the sandbox shares the console's event loop).
    """
    import sqlalchemy as sa

    from console.db import tables as t

    q = (sa.select(t.devices.c.user_id, t.devices.c.device_id, t.devices.c.platform, t.users.c.channel,
                   t.users.c.last_active_at)
         .join(t.users, t.users.c.id == t.devices.c.user_id).where(t.users.c.status == "active")
         .order_by(t.devices.c.id))
    if limit is not None:
        q = q.limit(limit)
    rows: list[tuple[Any, ...]] = []
    async with engine.connect() as conn:
        result = await conn.stream(q)
        async for part in result.partitions(2000):      # small parts: the loop keeps breathing
            rows.extend(tuple(r) for r in part)
    return await asyncio.to_thread(_specs, rows, now or datetime.now(UTC))


def _specs(rows: list[tuple[Any, ...]], now: datetime) -> list[DeviceSpec]:
    out: list[DeviceSpec] = []
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    for user_id, device_id, platform, channel, last_active in rows:
        plat = {"harmony": "hmos", "hmos": "hmos", "ios": "ios"}.get(str(platform), "android")
        tags = [plat]
        if channel and _valid_name(str(channel)):
            tags.append(str(channel))
        if last_active is not None:
            if last_active.tzinfo is None:
                last_active = last_active.replace(tzinfo=UTC)
            if last_active >= week:
                tags.append("active_7d")
            if last_active >= month:
                tags.append("active_30d")
        regid = hashlib.blake2b(str(device_id).encode(), digest_size=10).hexdigest()[:19]
        out.append(DeviceSpec(regid, plat, str(user_id), tuple(tags)))
    return out


#: Credentials of the training sandbox's JPush app (not a real account).
SANDBOX_APP_KEY = "5a4e0d1c9b8f7e6d5c4b3a29"
SANDBOX_MASTER_SECRET = "sandbox-jpush-master-secret"


async def start_sandbox_jpush(engine: Any, *, app_key: str = SANDBOX_APP_KEY,
                              master_secret: str = SANDBOX_MASTER_SECRET, limit: int | None = 100_000,
                              **options: Any) -> tuple[JPushEmulator, dict[str, str]]:
    """The emulator for the training sandbox, its devices drawn from the shared database's users.

    Returns:
        The started emulator and the settings that point the console at it (``jpush.url``,
        ``jpush.report_url``, ``jpush.device_url``, ``jpush.app_key``); the caller stores
        ``master_secret`` under ``("jpush", app_key)`` in its credential store.
    """
    specs = await population_from_db(engine, limit=limit)
    options.setdefault("vip", True)          # per-platform click reports for the campaign charts
    # a training sandbox shows its reports within seconds, not the minutes of real devices
    options.setdefault("mean_delay_s", 4.0)
    options.setdefault("mean_click_delay_s", 6.0)
    options.setdefault("click_rate", 0.12)
    port = int(options.pop("port", 0))
    emu = JPushEmulator(app_key=app_key, master_secret=master_secret, **options)
    await asyncio.to_thread(emu.add_devices, specs)
    base = await emu.start(port=port)
    return emu, {"jpush.url": base, "jpush.report_url": base, "jpush.device_url": base, "jpush.app_key": app_key}


def _valid_name(v: Any) -> bool:
    if not isinstance(v, str) or v == "":
        return False
    if len(v.encode("utf-8", "surrogatepass")) > 40:
        return False
    for c in v:
        o = ord(c)
        if c.isascii() and c.isalnum() or c == "_" or c in _NAME_SPECIALS:
            continue
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2EBEF or 0xF900 <= o <= 0xFAFF \
                or 0x30000 <= o <= 0x3134F:
            continue
        return False
    return True


# --- records -----------------------------------------------------------------------------------------

@dataclass
class _Stats:
    """Per-platform receive and click times of one message (computed once, counted by bisect)."""

    target: dict[str, int]
    online: dict[str, int]
    received: dict[str, list[float]]
    clicked: dict[str, list[float]]
    pns: int
    jpush: list[float]
    by_regid: dict[int, float | None]


@dataclass
class PushRecord:
    """One push the emulator delivered."""

    msg_id: str
    sendno: str
    cid: str | None
    at: float
    body: dict[str, Any]
    targets: list[int]
    schedule_id: str | None = None
    stats: _Stats | None = None


@dataclass
class _Schedule:
    schedule_id: str
    name: str
    enabled: bool
    trigger: dict[str, Any]
    push: dict[str, Any]
    checked_until: float
    msg_ids: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"schedule_id": self.schedule_id, "name": self.name, "enabled": self.enabled,
                "trigger": self.trigger, "push": self.push}


@dataclass
class _Quota:
    limit: int
    window: float = -1.0
    used: int = 0

    def take(self, now: float) -> tuple[bool, int, int]:
        """(allowed, remaining after this call, seconds until the window resets)."""
        w = math.floor(now / 60.0) * 60.0
        if w != self.window:
            self.window, self.used = w, 0
        reset = max(1, math.ceil(w + 60.0 - now))
        if self.used >= self.limit:
            return False, 0, reset
        self.used += 1
        return True, self.limit - self.used, reset


@dataclass(frozen=True)
class Call:
    """One request the emulator answered."""

    op: str
    method: str
    path: str
    status: int
    fault: str | None = None
    cid: str | None = None


class _Err(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _Chaos:
    target: str | None
    p: float
    kinds: tuple[str, ...]
    rng: random.Random
    apply_p: float
    delay_s: float


class _Cid:
    __slots__ = ("issued", "kind", "result", "used_at")

    def __init__(self, issued: float, kind: str) -> None:
        self.issued, self.kind = issued, kind
        self.result: dict[str, str] | None = None
        self.used_at: float | None = None


# --- emulator ----------------------------------------------------------------------------------------

class JPushEmulator:
    """The JPush emulator; all state in memory, one instance per sandbox or test.

    Args:
        app_key: The AppKey it accepts (Basic-auth user).
        master_secret: The Master Secret it accepts.
        clock: Wall clock (Unix seconds): quotas, cid validity, schedules, reports.
        push_quota / schedule_quota / report_quota / device_quota: calls per minute per group.
        vip: VIP app: cids up to 1000 per call (else 10) and ``/v3/messages`` (else 403/2006).
        reach: Share of targeted devices that can be reached at all.
        mean_delay_s: Mean delay until a reachable device receives.
        click_rate: Share of receivers that click; mean_click_delay_s after receiving.
        max_active_schedules: Enabled schedules allowed (100 on the free tier).
        tick_s: Real seconds between schedule checks by the background task (0: none).
        legacy_limit_header: Send ``X-Rate-Limit-Limit`` (2014 docs) instead of ``X-Rate-Limit-Quota``.
        max_calls: Calls kept in :attr:`calls`.
    """

    def __init__(self, *, app_key: str = "sandboxappkey00000000001", master_secret: str = "sandbox-jpush-secret",
                 clock: Callable[[], float] = time.time, push_quota: int = 600, schedule_quota: int = 100,
                 report_quota: int = 2400, device_quota: int = 600, vip: bool = False, reach: float = 0.92,
                 mean_delay_s: float = 20.0, click_rate: float = 0.08, mean_click_delay_s: float = 90.0,
                 max_active_schedules: int = 100, tick_s: float = 0.5, legacy_limit_header: bool = False,
                 max_calls: int = 20_000) -> None:
        self.app_key, self._secret = app_key, master_secret
        self._clock = clock
        self.quotas: dict[str, _Quota] = {"push": _Quota(push_quota), "schedule": _Quota(schedule_quota),
                                          "report": _Quota(report_quota), "device": _Quota(device_quota)}
        self.vip = vip
        self.reach, self.mean_delay_s = reach, mean_delay_s
        self.click_rate, self.mean_click_delay_s = click_rate, mean_click_delay_s
        self.max_active_schedules = max_active_schedules
        self._tick_s = tick_s
        self._legacy = legacy_limit_header
        self.faults = FaultPlan()
        self._chaos: list[_Chaos] = []
        self.calls: deque[Call] = deque(maxlen=max_calls)
        # population
        self._regids: list[str] = []
        self._platform: list[str] = []
        self._alias: list[str | None] = []
        self._tags: list[set[str]] = []
        self._mobile: list[str | None] = []
        self._by_regid: dict[str, int] = {}
        self._by_alias: dict[str, list[int]] = {}
        self._by_tag: dict[str, set[int]] = {}
        # pushes
        self.pushes: list[PushRecord] = []
        self._by_msg: dict[str, PushRecord] = {}
        self._cids: dict[str, _Cid] = {}
        self._deliveries: Counter[str] = Counter()
        self._next_msg = 18_100_000_000
        self.schedules: dict[str, _Schedule] = {}
        self._runner: web.AppRunner | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()
        self.base_url = ""

    # --- lifecycle -----------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: a free port), start the schedule ticker, return the base URL."""
        app = web.Application(client_max_size=4 << 20)
        app.router.add_route("*", "/_sandbox/{op}", self._control)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._closing = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        addrs = list(self._runner.addresses or [])
        self.base_url = f"http://{host}:{addrs[0][1] if addrs else port}"
        if self._tick_s > 0:
            self._task = asyncio.get_running_loop().create_task(self._ticker(), name="jpush-emulator-schedules")
        log.debug("JPush emulator listening on %s", self.base_url)
        return self.base_url

    async def stop(self) -> None:
        """Stop the ticker, release pending timeouts and stop listening."""
        self._closing.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _ticker(self) -> None:
        while not self._closing.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a bad schedule must not stop the ticker
                log.exception("JPush emulator: schedule tick failed")
            await wait_or_closed(self._closing, self._tick_s)

    # --- population ----------------------------------------------------------------------------------

    def add_device(self, registration_id: str, platform: str, alias: str | None = None,
                   tags: Iterable[str] = (), mobile: str | None = None) -> None:
        """Add (or replace the alias/tags of) one device."""
        if platform not in _PLATFORMS:
            raise ValueError(f"platform must be one of {_PLATFORMS}")
        if not _REGID.match(registration_id):
            raise ValueError(f"bad registration id {registration_id!r}")
        idx = self._by_regid.get(registration_id)
        if idx is None:
            idx = len(self._regids)
            self._regids.append(registration_id)
            self._platform.append(platform)
            self._alias.append(None)
            self._tags.append(set())
            self._mobile.append(mobile)
            self._by_regid[registration_id] = idx
        self._set_alias(idx, alias)
        for t in list(self._tags[idx]):
            self._untag(idx, t)
        for t in tags:
            self._tag(idx, t)

    def add_devices(self, specs: Iterable[DeviceSpec]) -> int:
        """Add many devices; returns how many there are now."""
        for s in specs:
            self.add_device(s.registration_id, s.platform, s.alias, s.tags)
        return len(self._regids)

    def populate(self, aliases: Iterable[str], *, seed: int = 1, second_device: float = 0.15,
                 mix: tuple[float, float, float] = (0.6, 0.33, 0.07),
                 tags_for: Callable[[str], Iterable[str]] | None = None) -> int:
        """Devices for ``aliases`` (e.g. user ids): each gets one device (some two), a platform drawn from
        ``mix`` (android, ios, hmos), and tags (``tags_for(alias)`` or a city, the platform and now and
        then ``vip``/``new_user``). Returns the device count."""
        rng = random.Random(seed)
        cities = ("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安")
        for alias in aliases:
            for k in range(2 if rng.random() < second_device else 1):
                r = rng.random()
                plat = "android" if r < mix[0] else "ios" if r < mix[0] + mix[1] else "hmos"
                regid = hashlib.blake2b(f"{seed}:{alias}:{k}".encode(), digest_size=10).hexdigest()[:19]
                if tags_for is not None:
                    tags = list(tags_for(alias))
                else:
                    tags = [rng.choice(cities), plat]
                    if rng.random() < 0.05:
                        tags.append("vip")
                    if rng.random() < 0.1:
                        tags.append("new_user")
                self.add_device(regid, plat, alias if _valid_name(alias) else None, [t for t in tags if _valid_name(t)])
        return len(self._regids)

    def _set_alias(self, idx: int, alias: str | None) -> None:
        old = self._alias[idx]
        if old is not None:
            lst = self._by_alias.get(old, [])
            if idx in lst:
                lst.remove(idx)
            if not lst:
                self._by_alias.pop(old, None)
        self._alias[idx] = alias or None
        if alias:
            self._by_alias.setdefault(alias, []).append(idx)

    def _tag(self, idx: int, tag: str) -> None:
        self._tags[idx].add(tag)
        self._by_tag.setdefault(tag, set()).add(idx)

    def _untag(self, idx: int, tag: str) -> None:
        self._tags[idx].discard(tag)
        s = self._by_tag.get(tag)
        if s is not None:
            s.discard(idx)
            if not s:
                del self._by_tag[tag]

    @property
    def device_count(self) -> int:
        return len(self._regids)

    def registration_ids(self, alias: str) -> list[str]:
        """The registration ids bound to ``alias``."""
        return [self._regids[i] for i in self._by_alias.get(alias, [])]

    # --- assertions and control ----------------------------------------------------------------------

    def deliveries_by_cid(self) -> dict[str, int]:
        """cid → how many pushes were delivered with it (1 for every cid, or something is wrong)."""
        return dict(self._deliveries)

    def deliveries(self, cid: str) -> int:
        return self._deliveries.get(cid, 0)

    def record(self, msg_id: str) -> PushRecord | None:
        return self._by_msg.get(str(msg_id))

    def inject(self, target: str | None, kind: FaultKind, count: int = 1, *, delay_s: float = 0.0,
               retry_after_s: float = 1.0, apply: bool = False) -> None:
        """Fail the next ``count`` calls of operation ``target`` (None: any); see
        :meth:`console.sandbox.kingsoft.FaultPlan.inject`. ``apply=True``: the call takes effect first."""
        self.faults.inject(target, kind, count, delay_s=delay_s, retry_after_s=retry_after_s, apply=apply)

    def lose_response(self, target: str = "push", count: int = 1) -> None:
        """The next ``count`` calls take effect and then their connection is dropped without an answer."""
        self.inject(target, "reset", count, apply=True)

    def chaos(self, target: str | None = "push", *, p: float, kinds: Sequence[str] = ("503", "timeout", "reset"),
              seed: int = 1, apply_p: float = 0.5, delay_s: float = 2.0) -> None:
        """Fail each matching call with probability ``p`` with one of ``kinds``; a fault takes effect first
        (answer lost after the change) with probability ``apply_p``; a ``timeout`` waits ``delay_s``."""
        bad = [k for k in kinds if k not in FAULT_KINDS]
        if bad or not 0 <= p <= 1:
            raise ValueError(f"bad chaos settings: kinds {bad}, p {p}")
        self._chaos.append(_Chaos(target, p, tuple(kinds), random.Random(seed), apply_p, delay_s))

    def clear_faults(self) -> None:
        self.faults.clear()
        self._chaos.clear()

    def set_quota(self, group: str, per_minute: int) -> None:
        """Change one group's per-minute quota (``push``, ``schedule``, ``report``, ``device``)."""
        self.quotas[group] = _Quota(per_minute)

    def _take_fault(self, op: str) -> Fault | None:
        f = self.faults.take(op)
        if f is not None:
            return f
        for c in self._chaos:
            if (c.target is None or c.target == op) and c.rng.random() < c.p:
                kind: Any = c.rng.choice(c.kinds)
                return Fault(op, kind, 1, c.delay_s if kind in ("timeout", "slow") else 0.0, 1.0,
                             c.rng.random() < c.apply_p)
        return None

    # --- HTTP ----------------------------------------------------------------------------------------

    def _route(self, method: str, segs: list[str]) -> tuple[str, str, Callable[..., Any], list[str]]:
        """(group, op, handler, args) for a path; raises _Err 404/405."""
        if len(segs) < 2 or segs[0] != "v3":
            raise _Err(404, 1001, "Not found")
        s = segs[1:]
        table: list[tuple[str, str, str, tuple[str, ...], Callable[..., Any]]] = [
            # group, op, method, pattern, handler
            ("push", "push", "POST", ("push",), self._push),
            ("push", "validate", "POST", ("push", "validate"), self._validate),
            ("push", "cid", "GET", ("push", "cid"), self._cid),
            ("schedule", "schedules", "POST", ("schedules",), self._schedule_create),
            ("schedule", "schedules", "GET", ("schedules",), self._schedule_list),
            ("schedule", "schedules", "GET", ("schedules", "*"), self._schedule_get),
            ("schedule", "schedules", "PUT", ("schedules", "*"), self._schedule_update),
            ("schedule", "schedules", "DELETE", ("schedules", "*"), self._schedule_delete),
            ("schedule", "schedules", "GET", ("schedules", "*", "msg_ids"), self._schedule_msg_ids),
            ("report", "received", "GET", ("received",), self._received),
            ("report", "received", "GET", ("received", "detail"), self._received_detail),
            ("report", "status", "POST", ("status", "message"), self._status),
            ("report", "messages", "GET", ("messages",), self._messages),
            ("report", "messages", "GET", ("messages", "detail"), self._messages),
            ("device", "devices", "GET", ("devices", "*"), self._device_get),
            ("device", "devices", "POST", ("devices", "*"), self._device_set),
            ("device", "aliases", "GET", ("aliases", "*"), self._alias_get),
            ("device", "aliases", "DELETE", ("aliases", "*"), self._alias_delete),
            ("device", "tags", "GET", ("tags",), self._tags_list),
            ("device", "tags", "POST", ("tags", "*"), self._tag_update),
            ("device", "tags", "DELETE", ("tags", "*"), self._tag_delete),
            ("device", "tags", "GET", ("tags", "*", "registration_ids", "*"), self._tag_has),
        ]
        if s and s[-1] == "" and len(s) > 1:      # trailing slash: /v3/schedules/ and /v3/tags/
            s = s[:-1]
        path_match = False
        for group, op, m, pattern, handler in table:
            if len(pattern) != len(s):
                continue
            args = []
            ok = True
            for p, v in zip(pattern, s, strict=True):
                if p == "*":
                    if v == "":
                        ok = False
                        break
                    args.append(v)
                elif p != v:
                    ok = False
                    break
            if not ok:
                continue
            path_match = True
            if m == method:
                return group, op, handler, args
        if path_match:
            group = "push" if s[0] == "push" else "schedule" if s[0] == "schedules" else "report" \
                if s[0] in ("received", "status", "messages") else "device"
            raise _Err(405, 1001, f"Only {', '.join(sorted({t[2] for t in table if t[3][0] == s[0]}))} "
                                  f"supported here ({group})")
        raise _Err(404, 1001, "Not found")

    @staticmethod
    def _auth_code(group: str, missing: bool) -> int:
        return {"push": 1004, "report": 3001, "schedule": 8101, "device": 7001 if missing else 7004}[group]

    def _check_auth(self, request: web.Request, group: str) -> None:
        h = request.headers.get("Authorization", "")
        scheme, _, token = h.strip().partition(" ")
        if not h or scheme.lower() != "basic":
            raise _Err(401, self._auth_code(group, True), "Authen failed: Basic authentication required")
        try:
            user, _, pw = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise _Err(401, self._auth_code(group, False), "Authen failed: malformed credentials") from None
        if user != self.app_key or pw != self._secret:
            raise _Err(401, self._auth_code(group, False), "Authen failed")

    def _headers(self, group: str, remaining: int, reset: int) -> dict[str, str]:
        return {"X-Rate-Limit-Limit" if self._legacy else "X-Rate-Limit-Quota": str(self.quotas[group].limit),
                "X-Rate-Limit-Remaining": str(remaining), "X-Rate-Limit-Reset": str(reset)}

    @staticmethod
    def _error(status: int, code: int, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
        return web.json_response({"error": {"code": code, "message": message}}, status=status,
                                 headers=dict(headers or {}), dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.partition("?")[0]
        segs = [unquote(x) for x in raw_path.strip("/").split("/")] if raw_path.strip("/") else []
        if raw_path.endswith("/") and segs:
            segs.append("")
        op, group = "?", "push"
        try:
            group, op, handler, args = self._route(request.method, segs)
            self._check_auth(request, group)
        except _Err as e:
            self.calls.append(Call(op, request.method, raw_path, e.status))
            return self._error(e.status, e.code, e.message)
        allowed, remaining, reset = self.quotas[group].take(self._clock())
        headers = self._headers(group, remaining, reset)
        if not allowed:
            self.calls.append(Call(op, request.method, raw_path, 429))
            return self._error(429, 2002, "Rate limit exceeded", headers)
        body_bytes = await request.read()
        query = dict(parse_qsl(request.query_string, keep_blank_values=True))
        if group == "report":
            await self._prepare_stats(query, body_bytes)
        fault = self._take_fault(op)
        if fault is not None and fault.kind == "slow":
            await wait_or_closed(self._closing, fault.delay_s)
            fault = None

        def run() -> tuple[int, Any, str | None]:
            try:
                status, data, cid = handler(*args, body=body_bytes, query=query, method=request.method)
                return status, data, cid
            except _Err as e:
                return e.status, {"error": {"code": e.code, "message": e.message}}, None

        if fault is not None:
            cid = None
            if fault.apply:
                _, _, cid = run()
            self.calls.append(Call(op, request.method, raw_path, 0 if fault.kind in ("timeout", "reset")
                                   else int(fault.kind) if fault.kind.isdigit() else 200, fault.kind, cid))
            return await self._fault_response(request, fault, group)
        status, data, cid = run()
        self.calls.append(Call(op, request.method, raw_path, status, None, cid))
        if data is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(data, status=status, headers=headers,
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _fault_response(self, request: web.Request, fault: Fault, group: str) -> web.StreamResponse:
        if fault.kind == "timeout":
            await wait_or_closed(self._closing, fault.delay_s or 3600.0)
            return web.Response(status=504, text="504 Gateway Time-out")
        if fault.kind == "reset":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # aiohttp drops the connection quietly
        if fault.kind == "429":
            reset = max(1, math.ceil(fault.retry_after_s))
            return self._error(429, 2002, "Rate limit exceeded", self._headers(group, 0, reset))
        if fault.kind == "malformed":
            return web.Response(status=200, body=b'{"sendno":"0","msg_id":"18', content_type="application/json")
        if fault.kind == "500":
            return self._error(500, 1000, "Server internal error")
        if fault.kind == "503":
            return self._error(503, 1030, "Internal service timeout")
        return web.Response(status=int(fault.kind), text=f"{fault.kind} Bad Gateway")

    # --- push ----------------------------------------------------------------------------------------

    @staticmethod
    def _json(body: bytes, code: int = 1003) -> Any:
        if not body:
            raise _Err(400, 1002 if code == 1003 else code, "Missing request body")
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise _Err(400, code, f"Invalid JSON: {e}") from None

    def _cid(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        raw = query.get("count", "1") or "1"
        kind = (query.get("type") or "push").lower()
        try:
            n = int(raw)
        except ValueError:
            raise _Err(400, 1003, "count must be an integer") from None
        if n < 1 or kind not in ("push", "schedule"):
            raise _Err(400, 1003, "count must be >= 1, type push or schedule")
        n = min(n, 1000 if self.vip else 10)
        now = self._clock()
        out = []
        for _ in range(n):
            c = f"{self.app_key}-{uuid.uuid4()}"
            self._cids[c] = _Cid(now, kind)
            out.append(c)
        return 200, {"cidlist": out}, None

    def _push(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        data = self._json(body)
        if not isinstance(data, dict):
            raise _Err(400, 1003, "The push body must be a JSON object")
        cid = data.get("cid")
        now = self._clock()
        if cid is not None:
            if not isinstance(cid, str) or cid not in self._cids:
                raise _Err(400, 1003, f"Invalid cid {cid!r}: get one from /v3/push/cid")
            c = self._cids[cid]
            if c.result is not None:
                if c.used_at is not None and now - c.used_at > DAY_S:
                    raise _Err(400, 1003, "cid expired")
                return 200, dict(c.result), cid          # the original answer, nothing pushed
            if now - c.issued > DAY_S:
                raise _Err(400, 1003, "cid expired")
            if c.kind != "push":
                raise _Err(400, 1003, "cid is of type schedule")
        targets = self._check_push(data)
        rec = self._deliver(data, targets, cid if isinstance(cid, str) else None, None)
        result = {"sendno": rec.sendno, "msg_id": rec.msg_id}
        if isinstance(cid, str):
            c = self._cids[cid]
            c.result, c.used_at = result, now
        return 200, result, cid if isinstance(cid, str) else None

    def _validate(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        data = self._json(body)
        if not isinstance(data, dict):
            raise _Err(400, 1003, "The push body must be a JSON object")
        cid = data.get("cid")
        if cid is not None and (not isinstance(cid, str) or cid not in self._cids):
            raise _Err(400, 1003, f"Invalid cid {cid!r}")
        self._check_push(data)
        self._next_msg += 1
        return 200, {"sendno": _sendno(data), "msg_id": str(self._next_msg)}, None

    def _deliver(self, data: dict[str, Any], targets: list[int], cid: str | None,
                 schedule_id: str | None) -> PushRecord:
        self._next_msg += 1
        rec = PushRecord(msg_id=str(self._next_msg), sendno=_sendno(data), cid=cid, at=self._clock(), body=data,
                         targets=targets, schedule_id=schedule_id)
        self.pushes.append(rec)
        self._by_msg[rec.msg_id] = rec
        self._deliveries[cid or ""] += 1
        return rec

    def _check_push(self, d: Mapping[str, Any], *, code_of_missing: int = 1002) -> list[int]:
        """Validates a push body; returns the targeted device indices. Raises _Err with JPush's codes."""
        for k in ("platform", "audience"):
            if k not in d:
                raise _Err(400, code_of_missing, f"Missing parameter: {k}")
        if not any(k in d for k in ("notification", "message", "inapp_message", "notification_3rd")):
            raise _Err(400, 1002, "Missing parameter: notification or message")
        unknown = set(d) - _TOP_KEYS
        if unknown:
            raise _Err(400, 1009, f"Unsupported keys: {sorted(unknown)}")
        plat = d["platform"]
        if plat == "all":
            targets_p = set(_ALL_PLATFORMS)
        elif isinstance(plat, list) and plat and all(isinstance(p, str) and p in _ALL_PLATFORMS for p in plat):
            targets_p = set(plat)
        else:
            raise _Err(400, 1003, f"Invalid platform {plat!r}")
        notif = d.get("notification")
        message = d.get("message")
        if notif is not None:
            self._check_notification(notif, targets_p)
        if message is not None:
            if not isinstance(message, dict):
                raise _Err(400, 1003, "message must be an object")
            extra = set(message) - _MESSAGE_KEYS
            if extra:
                raise _Err(400, 1009, f"Unsupported keys in message: {sorted(extra)}")
            if "msg_content" not in message:
                raise _Err(400, 1002, "Missing parameter: message.msg_content")
            if not isinstance(message["msg_content"], str):
                raise _Err(400, 1003, "message.msg_content must be a string")
            _check_extras(message.get("extras"), "message.extras")
        sms = d.get("sms_message")
        if sms is not None:
            if not isinstance(sms, dict):
                raise _Err(400, 1003, "sms_message must be an object")
            extra = set(sms) - _SMS_KEYS
            if extra:
                raise _Err(400, 1009, f"Unsupported keys in sms_message: {sorted(extra)}")
            for k in ("temp_id", "delay_time"):
                if k not in sms:
                    raise _Err(400, 1002, f"Missing parameter: sms_message.{k}")
            dt_ = sms["delay_time"]
            if isinstance(dt_, bool) or not isinstance(dt_, int) or not 0 <= dt_ <= 86400:
                raise _Err(400, 1003, "sms_message.delay_time must be 0..86400")
        self._check_options(d.get("options"))
        self._check_override_id(d.get("options") if isinstance(d.get("options"), dict) else None)
        # WinPhone's 1000-byte limit (2019 docs) only when it is named: the platform is gone from today's docs
        self._check_sizes(notif, message, targets_p if plat != "all" else targets_p - {"winphone"})
        targets = self._resolve(d["audience"], targets_p)
        if not targets:
            raise _Err(400, 1011, "cannot find user by this audience")
        return targets

    def _check_notification(self, n: Any, plats: set[str]) -> None:
        if not isinstance(n, dict):
            raise _Err(400, 1003, "notification must be an object")
        extra = set(n) - _NOTIFICATION_KEYS
        if extra:
            raise _Err(400, 1009, f"Unsupported keys in notification: {sorted(extra)}")
        shared = n.get("alert")
        if shared is not None and not isinstance(shared, str):
            raise _Err(400, 1003, "notification.alert must be a string")
        keysets = {"android": _ANDROID_KEYS, "ios": _IOS_KEYS, "hmos": _HMOS_KEYS, "winphone": _WINPHONE_KEYS,
                   "quickapp": _QUICKAPP_KEYS}
        for p, keys in keysets.items():
            o = n.get(p)
            if o is None:
                continue
            if not isinstance(o, dict):
                raise _Err(400, 1003, f"notification.{p} must be an object")
            extra = set(o) - keys
            if extra:
                raise _Err(400, 1009, f"Unsupported keys in notification.{p}: {sorted(extra)}")
            if "alert" not in o and shared is None:
                raise _Err(400, 1002, f"Missing parameter: notification.{p}.alert")
            if "alert" in o:
                a = o["alert"]
                if p == "ios":
                    if not isinstance(a, str | dict):
                        raise _Err(400, 1003, "notification.ios.alert must be a string or an object")
                elif not isinstance(a, str):
                    raise _Err(400, 1003, f"notification.{p}.alert must be a string")
            _check_extras(o.get("extras"), f"notification.{p}.extras")
            if "intent" in o and not (isinstance(o["intent"], dict) and isinstance(o["intent"].get("url"), str)):
                raise _Err(400, 1003, f"notification.{p}.intent must be {{\"url\": \"...\"}}")
            for k in ("badge_add_num", "badge_set_num"):
                if k in o:
                    v = o[k]
                    lo = 1 if k == "badge_add_num" else 0
                    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= 99:
                        raise _Err(400, 1003, f"notification.{p}.{k} must be {lo}..99")
        a = n.get("android")
        if isinstance(a, dict):
            pr = a.get("priority")
            if pr is not None and (isinstance(pr, bool) or not isinstance(pr, int) or not -2 <= pr <= 2):
                raise _Err(400, 1003, "notification.android.priority must be -2..2")
            st = a.get("style")
            if st is not None and st not in (0, 1, 2, 3):
                raise _Err(400, 1003, "notification.android.style must be 0..3")
            at = a.get("alert_type")
            if at is not None and (isinstance(at, bool) or not isinstance(at, int) or not -1 <= at <= 7):
                raise _Err(400, 1003, "notification.android.alert_type must be -1..7")
            b = a.get("builder_id")
            if b is not None and (isinstance(b, bool) or not isinstance(b, int)):
                raise _Err(400, 1003, "notification.android.builder_id must be an integer")
            ch = a.get("channel_id")
            if ch is not None and (not isinstance(ch, str) or len(ch.encode("utf-8", "surrogatepass")) > 1000):
                raise _Err(400, 1003, "notification.android.channel_id must be a string of at most 1000 bytes")
        i = n.get("ios")
        if isinstance(i, dict):
            if "badge" in i:
                b = i["badge"]
                if isinstance(b, bool):
                    raise _Err(400, 1003, "notification.ios.badge must be a number or \"+N\"/\"-N\"")
                if isinstance(b, int):
                    if not 0 <= b <= 99:
                        raise _Err(400, 1003, "notification.ios.badge must be 0..99")
                elif isinstance(b, str):
                    if b != "" and not (_BADGE.match(b) and abs(int(b)) <= 99):
                        raise _Err(400, 1003, f"notification.ios.badge {b!r} must be N, +N or -N with N in 0..99")
                else:
                    raise _Err(400, 1003, "notification.ios.badge must be a number or a string")
            snd = i.get("sound")
            if snd is not None and not isinstance(snd, str | dict):
                raise _Err(400, 1003, "notification.ios.sound must be a string or an object")
        if not any(p in plats for p in n if p in keysets) and shared is None:
            raise _Err(400, 1002, "Missing parameter: notification.alert")

    @staticmethod
    def _check_options(o: Any) -> None:
        if o is None:
            return
        if not isinstance(o, dict):
            raise _Err(400, 1003, "options must be an object")
        extra = set(o) - _OPTIONS_KEYS
        if extra:
            raise _Err(400, 1009, f"Unsupported keys in options: {sorted(extra)}")
        ttl = o.get("time_to_live")
        if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= 10 * DAY_S):
            raise _Err(400, 1003, "options.time_to_live must be 0..864000")
        if "apns_production" in o and not isinstance(o["apns_production"], bool):
            raise _Err(400, 1003, "options.apns_production must be a boolean")
        sn = o.get("sendno")
        if sn is not None and (isinstance(sn, bool) or not isinstance(sn, int)):
            raise _Err(400, 1003, "options.sendno must be an integer")
        coll = o.get("apns_collapse_id")
        if coll is not None and (not isinstance(coll, str) or len(coll.encode("utf-8", "surrogatepass")) > 64):
            raise _Err(400, 1003, "options.apns_collapse_id must be at most 64 bytes")
        bpd = o.get("big_push_duration")
        if bpd is not None and (isinstance(bpd, bool) or not isinstance(bpd, int) or not 0 <= bpd <= 1400):
            raise _Err(400, 1003, "options.big_push_duration must be 0..1400")

    def _check_override_id(self, o: Mapping[str, Any] | None) -> None:
        if o and o.get("override_msg_id") is not None:
            ov = str(o["override_msg_id"])
            rec = self._by_msg.get(ov)
            if rec is None or self._clock() - rec.at > DAY_S:
                raise _Err(400, 1003, f"override_msg_id {ov} is unknown or older than a day")

    @staticmethod
    def _check_sizes(notif: Any, message: Any, plats: set[str]) -> None:
        msg_size = _size(message) if message is not None else 0
        for p in ("android", "ios", "winphone", "hmos"):
            if p not in plats:
                continue
            part = None
            if isinstance(notif, dict):
                part = notif.get(p)
                if part is None and "alert" in notif:
                    part = {"alert": notif["alert"]}
            size = _size(part) if part is not None else 0
            if p == "ios":
                if size > _SIZE["ios"]:
                    raise _Err(400, 1005, f"Msg content too long: iOS notification is {size} bytes (max 2000)")
                if message is not None and msg_size > _SIZE["ios_message"]:
                    raise _Err(400, 1005, f"Msg content too long: iOS message is {msg_size} bytes (max 4000)")
            elif p == "winphone":
                if size > _SIZE["winphone"]:
                    raise _Err(400, 1005, f"Msg content too long: WinPhone notification is {size} bytes (max 1000)")
            elif size + msg_size > _SIZE[p]:
                raise _Err(400, 1005, f"Msg content too long: {p} notification+message is {size + msg_size} bytes "
                                      f"(max {_SIZE[p]})")

    def _resolve(self, aud: Any, plats: set[str]) -> list[int]:
        if aud == "all":
            return [i for i, p in enumerate(self._platform) if p in plats]
        if not isinstance(aud, dict):
            raise _Err(400, 1003, f"Invalid audience {aud!r}")
        extra = set(aud) - _AUDIENCE_KEYS
        if extra:
            raise _Err(400, 1009, f"Unsupported keys in audience: {sorted(extra)}")
        lists: dict[str, list[str]] = {}
        for k, v in aud.items():
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise _Err(400, 1003, f"audience.{k} must be an array of strings")
            if v:
                lists[k] = v
        if not lists:
            raise _Err(400, 1003, "audience is empty")
        limits = {"tag": 20, "tag_and": 20, "tag_not": 20, "alias": 1000, "registration_id": 1000, "segment": 1,
                  "abtest": 1}
        for k, v in lists.items():
            if len(v) > limits[k]:
                raise _Err(400, 1003, f"audience.{k}: {len(v)} values, at most {limits[k]}")
            for x in v:
                if x == "":
                    raise _Err(400, 1003, f"audience.{k} contains an empty string")
                if k in ("tag", "tag_and", "tag_not", "alias") and not _valid_name(x):
                    raise _Err(400, 1003, f"audience.{k}: invalid value {x!r}")
                if k == "registration_id" and not _REGID.match(x):
                    raise _Err(400, 1003, f"audience.registration_id: invalid value {x!r}")
        if "segment" in lists or "abtest" in lists:
            raise _Err(400, 1011, "cannot find user by this audience (no segments or A/B tests in the sandbox)")
        result: set[int] | None = None

        def meet(s: set[int]) -> None:
            nonlocal result
            result = s if result is None else result & s

        if "tag" in lists:
            u: set[int] = set()
            for t in lists["tag"]:
                u |= self._by_tag.get(t, set())
            meet(u)
        if "tag_and" in lists:
            s: set[int] | None = None
            for t in lists["tag_and"]:
                ts = self._by_tag.get(t, set())
                s = set(ts) if s is None else s & ts
            meet(s or set())
        if "alias" in lists:
            meet({i for a in lists["alias"] for i in self._by_alias.get(a, [])})
        if "registration_id" in lists:
            meet({self._by_regid[r] for r in lists["registration_id"] if r in self._by_regid})
        if result is None:
            result = set(range(len(self._regids)))
        if "tag_not" in lists:
            for t in lists["tag_not"]:
                result -= self._by_tag.get(t, set())
        return sorted(i for i in result if self._platform[i] in plats)

    # --- reports -------------------------------------------------------------------------------------

    def _stats(self, rec: PushRecord) -> _Stats:
        if rec.stats is not None:
            return rec.stats
        body = rec.body
        opts = body.get("options") if isinstance(body.get("options"), dict) else {}
        ttl = opts.get("time_to_live", DAY_S) if isinstance(opts, dict) else DAY_S
        has_notif = isinstance(body.get("notification"), dict)
        st = _Stats(target={p: 0 for p in _PLATFORMS}, online={p: 0 for p in _PLATFORMS},
                    received={p: [] for p in _PLATFORMS}, clicked={p: [] for p in _PLATFORMS}, pns=0, jpush=[],
                    by_regid={})
        key = rec.msg_id.encode()
        for idx in rec.targets:
            p = self._platform[idx]
            st.target[p] += 1
            k = key + b":" + str(idx).encode()
            u1 = zlib.crc32(b"r" + k) / 4294967296.0
            recv: float | None = None
            if u1 < self.reach:
                st.online[p] += 1
                u2 = zlib.crc32(b"d" + k) / 4294967296.0
                delay = -self.mean_delay_s * math.log(1.0 - u2)
                limit = ttl if not (p == "ios" and has_notif) else 10 * DAY_S
                if delay <= max(limit, 1.0):
                    recv = rec.at + delay
                    st.received[p].append(recv)
                    if p == "android":
                        if zlib.crc32(b"c" + k) % 10 < 7:
                            st.jpush.append(recv)
                        else:
                            st.pns += 1
                    if has_notif and zlib.crc32(b"k" + k) / 4294967296.0 < self.click_rate:
                        u4 = zlib.crc32(b"t" + k) / 4294967296.0
                        st.clicked[p].append(recv - self.mean_click_delay_s * math.log(1.0 - u4))
            st.by_regid[idx] = recv
        for p in _PLATFORMS:
            st.received[p].sort()
            st.clicked[p].sort()
        st.jpush.sort()
        rec.stats = st
        return st

    async def _prepare_stats(self, query: Mapping[str, str], body: bytes) -> None:
        """Computes the delivery model of big pushes in a worker thread (the sandbox shares the UI's loop)."""
        ids = [x.strip() for x in query.get("msg_ids", "").split(",")]
        with contextlib.suppress(UnicodeDecodeError, json.JSONDecodeError, TypeError, AttributeError):
            if body:
                ids.append(str(json.loads(body).get("msg_id")))
        for mid in ids:
            rec = self._by_msg.get(mid)
            if rec is not None and rec.stats is None and len(rec.targets) > 20_000:
                await asyncio.to_thread(self._stats, rec)

    def window_counts(self) -> list[tuple[float, int]]:
        """(window start, pushes delivered in it) for every quota window (fixed minutes on the emulator's
        clock) from the first push to the last: a bench's rate in steady state is the mean over the
        complete windows (drop the first and the last, which are partial)."""
        if not self.pushes:
            return []
        counts = Counter(math.floor(r.at / 60.0) * 60.0 for r in self.pushes)
        first, last = min(counts), max(counts)
        return [(first + 60.0 * i, counts.get(first + 60.0 * i, 0)) for i in range(int((last - first) // 60) + 1)]

    def count_by(self, key: Callable[[PushRecord], Hashable]) -> Counter[Hashable]:
        """Deliveries grouped by ``key(record)`` (e.g. a batch number in the extras): a bench's check that
        no logical push went out twice under two different cids."""
        return Counter(key(r) for r in self.pushes)

    def _msg_ids(self, query: Mapping[str, str]) -> list[str]:
        raw = query.get("msg_ids", "")
        ids = [x.strip() for x in raw.split(",") if x.strip()]
        if not ids or not all(x.isdigit() for x in ids):
            raise _Err(400, 3003, "msg_ids must be a comma-separated list of message ids")
        if len(ids) > 100:
            raise _Err(400, 3003, "at most 100 msg_ids")
        return ids

    def report(self, msg_id: str) -> dict[str, dict[str, int]]:
        """For tests and the sandbox: per platform target / received / clicked now."""
        rec = self._by_msg[str(msg_id)]
        st = self._stats(rec)
        now = self._clock()
        return {p: {"target": st.target[p], "received": bisect.bisect_right(st.received[p], now),
                    "clicked": bisect.bisect_right(st.clicked[p], now)} for p in _PLATFORMS}

    def _targets_platform(self, rec: PushRecord, p: str) -> bool:
        plat = rec.body.get("platform")
        return plat == "all" or (isinstance(plat, list) and p in plat)

    def _received_row(self, mid: str, detail: bool) -> dict[str, Any]:
        row: dict[str, Any] = {"msg_id": int(mid), "android_received": None, "ios_apns_sent": None,
                               "ios_apns_received": None, "ios_msg_received": None, "wp_mpns_sent": None}
        if detail:
            row.update({"jpush_received": None, "android_pns_sent": None})
        rec = self._by_msg.get(mid)
        if rec is None:
            return row
        st = self._stats(rec)
        now = self._clock()
        has_notif = isinstance(rec.body.get("notification"), dict)
        has_msg = isinstance(rec.body.get("message"), dict)
        if self._targets_platform(rec, "android"):
            row["android_received"] = bisect.bisect_right(st.received["android"], now)
            if detail:
                row["jpush_received"] = bisect.bisect_right(st.jpush, now)
                row["android_pns_sent"] = st.pns
        if self._targets_platform(rec, "ios"):
            ios_recv = bisect.bisect_right(st.received["ios"], now)
            if has_notif:
                row["ios_apns_sent"] = st.target["ios"]
                row["ios_apns_received"] = ios_recv
            if has_msg:
                row["ios_msg_received"] = ios_recv
        return row

    def _received(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        return 200, [self._received_row(m, False) for m in self._msg_ids(query)], None

    def _received_detail(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        return 200, [self._received_row(m, True) for m in self._msg_ids(query)], None

    def _messages(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        if not self.vip:
            raise _Err(403, 2006, "This API is for VIP apps only")
        out = []
        now = self._clock()
        for mid in self._msg_ids(query):
            row: dict[str, Any] = {"msg_id": int(mid)}
            rec = self._by_msg.get(mid)
            if rec is not None:
                st = self._stats(rec)
                has_notif = isinstance(rec.body.get("notification"), dict)
                has_msg = isinstance(rec.body.get("message"), dict)
                for p in _PLATFORMS:
                    if not self._targets_platform(rec, p):
                        row[p] = None
                        continue
                    recv = bisect.bisect_right(st.received[p], now)
                    click = bisect.bisect_right(st.clicked[p], now)
                    if p == "ios":
                        row[p] = {"apns_target": st.target[p] if has_notif else None,
                                  "apns_sent": st.target[p] if has_notif else None,
                                  "apns_received": recv if has_notif else None, "click": click,
                                  "target": st.target[p] if has_msg else None,
                                  "received": recv if has_msg else None}
                    else:
                        row[p] = {"target": st.target[p], "online_push": st.online[p], "received": recv,
                                  "click": click, "msg_click": None}
            out.append(row)
        return 200, out, None

    def _status(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        data = self._json(body, 3003)
        if not isinstance(data, dict) or "msg_id" not in data or "registration_ids" not in data:
            raise _Err(400, 3003, "msg_id and registration_ids are required")
        regids = data["registration_ids"]
        if not isinstance(regids, list) or not regids or len(regids) > 1000:
            raise _Err(400, 3003, "registration_ids: 1..1000 ids")
        if "date" in data:
            try:
                date.fromisoformat(str(data["date"]))
            except ValueError:
                raise _Err(400, 3003, "date must be yyyy-mm-dd") from None
        rec = self._by_msg.get(str(data["msg_id"]))
        out: dict[str, dict[str, int]] = {}
        now = self._clock()
        st = self._stats(rec) if rec is not None else None
        for r in regids:
            idx = self._by_regid.get(str(r))
            if idx is None:
                out[str(r)] = {"status": 2}
            elif rec is None or st is None or idx not in st.by_regid:
                out[str(r)] = {"status": 3}
            else:
                t = st.by_regid[idx]
                out[str(r)] = {"status": 0 if t is not None and t <= now else 1}
        return 200, out, None

    # --- schedules -----------------------------------------------------------------------------------

    def _parse_trigger(self, trig: Any, *, creating: bool) -> dict[str, Any]:
        now = self._clock()
        if not isinstance(trig, dict) or len(trig) != 1 or next(iter(trig)) not in ("single", "periodical"):
            raise _Err(400, 8100, "trigger must be {\"single\": …} or {\"periodical\": …}")
        kind, v = next(iter(trig.items()))
        if not isinstance(v, dict):
            raise _Err(400, 8100, f"trigger.{kind} must be an object")
        if kind == "single":
            at = _parse_dt(v.get("time"))
            if at is None:
                raise _Err(400, 8100, "trigger.single.time must be \"YYYY-MM-DD HH:MM:SS\"")
            if at.timestamp() <= now:
                raise _Err(400, 8100, "trigger.single.time is in the past")
            if at.timestamp() > now + 366 * DAY_S:
                raise _Err(400, 8100, "trigger.single.time is more than a year ahead")
            return trig
        start, end = _parse_dt(v.get("start")), _parse_dt(v.get("end"))
        t = v.get("time")
        try:
            tm = datetime.strptime(t, "%H:%M:%S").time() if isinstance(t, str) else None
        except ValueError:
            tm = None
        unit = str(v.get("time_unit", "")).lower()
        freq = v.get("frequency")
        points = v.get("point")
        if start is None or end is None or tm is None:
            raise _Err(400, 8100, "trigger.periodical needs start, end (YYYY-MM-DD HH:MM:SS) and time (HH:MM:SS)")
        if unit not in ("day", "week", "month"):
            raise _Err(400, 8100, "trigger.periodical.time_unit must be day, week or month")
        if isinstance(freq, bool) or not isinstance(freq, int) or not 1 <= freq <= 100:
            raise _Err(400, 8100, "trigger.periodical.frequency must be 1..100")
        if end <= start or (end - start).days > 366:
            raise _Err(400, 8100, "trigger.periodical: end must follow start within one year")
        if end.timestamp() <= now:
            raise _Err(400, 8100, "trigger.periodical.end is in the past")
        if unit == "day" and points:
            raise _Err(400, 8100, "trigger.periodical.point is not allowed for time_unit day")
        if unit == "week" and (not isinstance(points, list) or not points
                               or not all(str(p).upper() in _WEEKDAYS for p in points)):
            raise _Err(400, 8100, "trigger.periodical.point must list weekdays MON..SUN")
        if unit == "month" and (not isinstance(points, list) or not points or not all(
                isinstance(p, str) and len(p) == 2 and p.isdigit() and 1 <= int(p) <= 31 for p in points)):
            raise _Err(400, 8100, "trigger.periodical.point must list days \"01\"..\"31\"")
        if not _fires(trig, start.timestamp() - 1, end.timestamp()):
            raise _Err(400, 8100, "trigger.periodical never fires before its end")
        return trig

    def _schedule_push(self, push: Any) -> dict[str, Any]:
        if not isinstance(push, dict):
            raise _Err(400, 8100, "push must be an object")
        p = {k: v for k, v in push.items() if k != "cid"}     # a schedule's cid is ignored
        try:
            self._check_push(p)
        except _Err as e:
            if e.code == 1011:
                return p          # the audience may grow before the schedule fires
            raise _Err(400, 8100, f"push: {e.message} ({e.code})") from None
        return p

    def _schedule_create(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        d = self._json(body, 8100)
        if not isinstance(d, dict):
            raise _Err(400, 8100, "The body must be a JSON object")
        for k in ("name", "enabled", "trigger", "push"):
            if k not in d:
                raise _Err(400, 8100, f"Missing parameter: {k}")
        extra = set(d) - {"name", "enabled", "trigger", "push"}
        if extra:
            raise _Err(400, 8100, f"Unsupported keys: {sorted(extra)}")
        name = d["name"]
        if not isinstance(name, str) or not name or len(name.encode("utf-8", "surrogatepass")) > 255:
            raise _Err(400, 8100, "name must be 1..255 bytes")
        if d["enabled"] is not True:
            raise _Err(400, 8100, "a schedule must be created with enabled: true")
        trig = self._parse_trigger(d["trigger"], creating=True)
        push = self._schedule_push(d["push"])
        if sum(1 for s in self.schedules.values() if s.enabled) >= self.max_active_schedules:
            raise _Err(400, 8100, f"at most {self.max_active_schedules} active schedules")
        sid = str(uuid.uuid4())
        self.schedules[sid] = _Schedule(sid, name, True, trig, push, self._clock())
        return 200, {"schedule_id": sid, "name": name}, None

    def _schedule_list(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        try:
            page = int(query.get("page", "1") or "1")
        except ValueError:
            raise _Err(400, 8100, "page must be an integer") from None
        if page < 1:
            raise _Err(400, 8100, "page must be >= 1")
        items = list(self.schedules.values())
        pages = max(1, math.ceil(len(items) / 50))
        return 200, {"total_count": len(items), "total_pages": pages, "page": page,
                     "schedules": [s.to_json() for s in items[(page - 1) * 50:page * 50]]}, None

    def _get_schedule(self, sid: str) -> _Schedule:
        s = self.schedules.get(sid)
        if s is None:
            raise _Err(404, 8104, f"schedule {sid} not found")
        return s

    def _schedule_get(self, sid: str, *, body: bytes, query: Mapping[str, str], method: str
                      ) -> tuple[int, Any, str | None]:
        return 200, self._get_schedule(sid).to_json(), None

    def _schedule_update(self, sid: str, *, body: bytes, query: Mapping[str, str], method: str
                         ) -> tuple[int, Any, str | None]:
        s = self._get_schedule(sid)
        d = self._json(body, 8100)
        if not isinstance(d, dict) or not d:
            raise _Err(400, 8100, "nothing to update")
        extra = set(d) - {"name", "enabled", "trigger", "push"}
        if extra:
            raise _Err(400, 8100, f"Unsupported keys: {sorted(extra)}")
        name, enabled = s.name, s.enabled
        trig, push = s.trigger, s.push
        if "name" in d:
            name = d["name"]
            if not isinstance(name, str) or not name or len(name.encode("utf-8", "surrogatepass")) > 255:
                raise _Err(400, 8100, "name must be 1..255 bytes")
        if "enabled" in d:
            if not isinstance(d["enabled"], bool):
                raise _Err(400, 8100, "enabled must be a boolean")
            enabled = d["enabled"]
            if enabled and not s.enabled and sum(1 for x in self.schedules.values() if x.enabled) >= \
                    self.max_active_schedules:
                raise _Err(400, 8100, f"at most {self.max_active_schedules} active schedules")
        if "trigger" in d:
            trig = self._parse_trigger(d["trigger"], creating=False)
        if "push" in d:
            push = self._schedule_push(d["push"])
        s.name, s.enabled, s.trigger, s.push = name, enabled, trig, push
        if "trigger" in d:
            s.checked_until = self._clock()
        return 200, s.to_json(), None

    def _schedule_delete(self, sid: str, *, body: bytes, query: Mapping[str, str], method: str
                         ) -> tuple[int, Any, str | None]:
        self._get_schedule(sid)
        del self.schedules[sid]
        return 200, None, None

    def _schedule_msg_ids(self, sid: str, *, body: bytes, query: Mapping[str, str], method: str
                          ) -> tuple[int, Any, str | None]:
        s = self._get_schedule(sid)
        return 200, {"count": len(s.msg_ids), "msgids": list(s.msg_ids)}, None

    def tick(self) -> list[str]:
        """Fire every enabled schedule due since the last tick (on the emulator's clock); returns the
        msg_ids of the pushes made (a push whose audience finds nobody is recorded with its error)."""
        now = self._clock()
        made: list[str] = []
        for s in list(self.schedules.values()):
            if not s.enabled:
                s.checked_until = max(s.checked_until, now)     # a disabled schedule skips its times
                continue
            if now <= s.checked_until:
                continue
            times = _fires(s.trigger, s.checked_until, now)
            s.checked_until = now
            for at in times:
                try:
                    targets = self._check_push(s.push)
                except _Err as e:
                    s.msg_ids.append({"msg_id": None, "needRetry": False, "ts": int(at * 1000),
                                      "error": {"code": e.code, "message": e.message}})
                    continue
                rec = self._deliver(s.push, targets, None, s.schedule_id)
                s.msg_ids.append({"msg_id": rec.msg_id, "needRetry": False, "ts": int(at * 1000)})
                made.append(rec.msg_id)
        return made

    # --- device API ----------------------------------------------------------------------------------

    def _idx(self, regid: str) -> int:
        idx = self._by_regid.get(regid)
        if idx is None:
            raise _Err(400, 7002, f"registration_id {regid} does not exist")
        return idx

    def _device_get(self, regid: str, *, body: bytes, query: Mapping[str, str], method: str
                    ) -> tuple[int, Any, str | None]:
        idx = self._idx(regid)
        return 200, {"tags": sorted(self._tags[idx]), "alias": self._alias[idx], "mobile": self._mobile[idx]}, None

    def _device_set(self, regid: str, *, body: bytes, query: Mapping[str, str], method: str
                    ) -> tuple[int, Any, str | None]:
        idx = self._idx(regid)
        d = self._json(body, 7002)
        if not isinstance(d, dict):
            raise _Err(400, 7002, "The body must be a JSON object")
        tags = d.get("tags")
        if tags == "":
            for t in list(self._tags[idx]):
                self._untag(idx, t)
        elif tags is not None:
            if not isinstance(tags, dict):
                raise _Err(400, 7002, "tags must be {\"add\": [...], \"remove\": [...]} or \"\"")
            for t in tags.get("add") or []:
                if not _valid_name(t):
                    raise _Err(400, 7002, f"invalid tag {t!r}")
                self._tag(idx, t)
            for t in tags.get("remove") or []:
                self._untag(idx, str(t))
        if "alias" in d:
            a = d["alias"]
            if a not in ("", None) and not _valid_name(a):
                raise _Err(400, 7002, f"invalid alias {a!r}")
            self._set_alias(idx, a or None)
        if "mobile" in d:
            self._mobile[idx] = str(d["mobile"]) if d["mobile"] else None
        return 200, None, None

    def _plats(self, query: Mapping[str, str]) -> set[str]:
        raw = query.get("platform")
        if not raw:
            return set(_PLATFORMS)
        plats = {p.strip() for p in raw.split(",") if p.strip()}
        if not plats <= _ALL_PLATFORMS:
            raise _Err(400, 7002, f"invalid platform {raw!r}")
        return plats

    def _alias_get(self, alias: str, *, body: bytes, query: Mapping[str, str], method: str
                   ) -> tuple[int, Any, str | None]:
        plats = self._plats(query)
        ids = [self._regids[i] for i in self._by_alias.get(alias, []) if self._platform[i] in plats][:10]
        return 200, {"registration_ids": ids}, None

    def _alias_delete(self, alias: str, *, body: bytes, query: Mapping[str, str], method: str
                      ) -> tuple[int, Any, str | None]:
        plats = self._plats(query)
        for i in list(self._by_alias.get(alias, [])):
            if self._platform[i] in plats:
                self._set_alias(i, None)
        return 200, None, None

    def _tags_list(self, *, body: bytes, query: Mapping[str, str], method: str) -> tuple[int, Any, str | None]:
        return 200, {"tags": sorted(self._by_tag)}, None

    def _tag_update(self, tag: str, *, body: bytes, query: Mapping[str, str], method: str
                    ) -> tuple[int, Any, str | None]:
        if not _valid_name(tag):
            raise _Err(400, 7002, f"invalid tag {tag!r}")
        d = self._json(body, 7002)
        ops = d.get("registration_ids") if isinstance(d, dict) else None
        if not isinstance(ops, dict):
            raise _Err(400, 7002, "registration_ids must be {\"add\": [...], \"remove\": [...]}")
        add, remove = ops.get("add") or [], ops.get("remove") or []
        if len(add) > 1000 or len(remove) > 1000:
            raise _Err(400, 7002, "at most 1000 registration ids per add/remove")
        for r in add:
            self._tag(self._idx(str(r)), tag)
        for r in remove:
            self._untag(self._idx(str(r)), tag)
        return 200, None, None

    def _tag_delete(self, tag: str, *, body: bytes, query: Mapping[str, str], method: str
                    ) -> tuple[int, Any, str | None]:
        plats = self._plats(query)
        for i in list(self._by_tag.get(tag, set())):
            if self._platform[i] in plats:
                self._untag(i, tag)
        return 200, None, None

    def _tag_has(self, tag: str, regid: str, *, body: bytes, query: Mapping[str, str], method: str
                 ) -> tuple[int, Any, str | None]:
        idx = self._idx(regid)
        return 200, {"result": tag in self._tags[idx]}, None

    # --- control endpoint (unauthenticated; 127.0.0.1 only) ------------------------------------------

    async def _control(self, request: web.Request) -> web.Response:
        """``POST /_sandbox/{inject,lose,chaos,clear,quota,tick,device}`` with a JSON body;
        ``GET /_sandbox/state`` and ``GET /_sandbox/deliveries``."""
        op = request.match_info["op"]
        try:
            body = await request.json() if request.can_read_body else {}
            if not isinstance(body, dict):
                raise ValueError("a JSON object is expected")
            if op == "inject":
                self.inject(body.get("target"), body["kind"], int(body.get("count", 1)),
                            delay_s=float(body.get("delay_s", 0.0)), retry_after_s=float(body.get("retry_after_s", 1.0)),
                            apply=bool(body.get("apply", False)))
            elif op == "lose":
                self.lose_response(str(body.get("target", "push")), int(body.get("count", 1)))
            elif op == "chaos":
                self.chaos(body.get("target", "push"), p=float(body["p"]),
                           kinds=tuple(body.get("kinds", ("503", "timeout", "reset"))), seed=int(body.get("seed", 1)),
                           apply_p=float(body.get("apply_p", 0.5)), delay_s=float(body.get("delay_s", 2.0)))
            elif op == "clear":
                self.clear_faults()
            elif op == "quota":
                for g, n in body.items():
                    if g not in self.quotas:
                        raise ValueError(f"unknown quota group {g!r}")
                    self.set_quota(g, int(n))
            elif op == "tick":
                return web.json_response({"fired": self.tick()})
            elif op == "device":
                self.add_device(str(body["registration_id"]), str(body["platform"]), body.get("alias"),
                                body.get("tags", ()))
            elif op == "deliveries":
                return web.json_response(self.deliveries_by_cid())
            elif op != "state":
                return web.json_response({"error": f"unknown operation {op!r}"}, status=404)
        except (KeyError, TypeError, ValueError) as e:
            return web.json_response({"error": f"bad request: {e}"}, status=400)
        return web.json_response({"devices": self.device_count, "pushes": len(self.pushes),
                                  "schedules": len(self.schedules), "pending_faults": self.faults.pending,
                                  "quotas": {g: q.limit for g, q in self.quotas.items()}})


# --- helpers -----------------------------------------------------------------------------------------

def _size(obj: Any) -> int:
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def _sendno(d: Mapping[str, Any]) -> str:
    o = d.get("options")
    return str(o.get("sendno", 0)) if isinstance(o, dict) else "0"


def _check_extras(v: Any, where: str) -> None:
    if v is not None and not isinstance(v, dict):
        raise _Err(400, 1003, f"{where} must be a JSON object")


def _parse_dt(v: Any) -> datetime | None:
    if not isinstance(v, str):
        return None
    try:
        return datetime.strptime(v, _DT).replace(tzinfo=BJ)
    except ValueError:
        return None


def _fires(trigger: Mapping[str, Any], after: float, until: float) -> list[float]:
    """Fire times (Unix) of a parsed trigger in ``(after, until]``."""
    if "single" in trigger:
        at = _parse_dt(trigger["single"].get("time"))
        return [at.timestamp()] if at is not None and after < at.timestamp() <= until else []
    p = trigger["periodical"]
    start, end = _parse_dt(p["start"]), _parse_dt(p["end"])
    assert start is not None and end is not None
    tm: dtime = datetime.strptime(p["time"], "%H:%M:%S").time()
    unit = str(p["time_unit"]).lower()
    freq = int(p["frequency"])
    points = {str(x).upper() for x in p.get("point") or []}
    lo = max(after, start.timestamp() - 1)
    hi = min(until, end.timestamp())
    if hi <= lo:
        return []
    out: list[float] = []
    d = datetime.fromtimestamp(lo, BJ).date()
    last = datetime.fromtimestamp(hi, BJ).date()
    sd = start.date()
    monday = sd - timedelta(days=sd.weekday())
    while d <= last:
        ts = datetime.combine(d, tm, BJ).timestamp()
        if lo < ts <= hi and ts >= start.timestamp():
            if unit == "day":
                ok = (d - sd).days % freq == 0
            elif unit == "week":
                ok = _WEEKDAYS[d.weekday()] in points and ((d - monday).days // 7) % freq == 0
            else:
                ok = f"{d.day:02d}" in points and ((d.year - sd.year) * 12 + d.month - sd.month) % freq == 0
            if ok:
                out.append(ts)
        d += timedelta(days=1)
    return out


# --- a standalone process: ``python -m console.sandbox.jpush`` ----------------------------------------

async def _serve(args: Any) -> None:
    import os

    secret = os.environ.get("SHIHOU_JPUSH_SANDBOX_SECRET", SANDBOX_MASTER_SECRET)
    quotas = dict(push_quota=args.push_quota, report_quota=args.report_quota, vip=not args.no_vip)
    engine = None
    if args.db:
        from console.db.engine import make_engine

        engine = make_engine(args.db)
        emu, _ = await start_sandbox_jpush(engine, app_key=args.app_key, master_secret=secret, limit=args.limit,
                                           port=args.port, **quotas)
    else:
        emu = JPushEmulator(app_key=args.app_key, master_secret=secret, **quotas)
        await asyncio.to_thread(emu.populate, [str(10_000_000 + i) for i in range(args.aliases)], seed=args.seed)
        await emu.start(port=args.port)
    print(json.dumps({"base_url": emu.base_url, "app_key": args.app_key, "devices": emu.device_count}), flush=True)
    try:
        await serve_until_stopped(lambda: {
            "pushes": len(emu.pushes), "schedules": len(emu.schedules),
            "duplicate_cids": sum(1 for c, n in emu.deliveries_by_cid().items() if c and n > 1),
        }, every_s=args.report_s, stdin=args.stdin)
    finally:
        await emu.stop()
        if engine is not None:
            await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Run the JPush emulator in its own process.

    Prints one JSON line ``{"base_url", "app_key", "devices"}`` once listening, then a JSON line of counters
    every ``--report-s``; stops on SIGTERM/SIGINT (or when stdin closes, with ``--stdin``). Devices come from
    ``--db`` (the shared database's users) or are generated for ``--aliases`` user ids from 10000000. The
    Master Secret is read from ``SHIHOU_JPUSH_SANDBOX_SECRET`` (default: the sandbox's); it is a sandbox
    secret only. Control it over ``/_sandbox/`` (inject, lose, chaos, quota, tick, deliveries, state).
    """
    import argparse

    ap = argparse.ArgumentParser(prog="python -m console.sandbox.jpush", description=main.__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--app-key", default=SANDBOX_APP_KEY)
    ap.add_argument("--db", default="", help="database URL whose users' devices make the population")
    ap.add_argument("--limit", type=int, default=100_000, help="devices read from --db")
    ap.add_argument("--aliases", type=int, default=1000, help="generated users when there is no --db")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--push-quota", type=int, default=600, help="push API calls per minute")
    ap.add_argument("--report-quota", type=int, default=2400, help="report API calls per minute")
    ap.add_argument("--no-vip", action="store_true", help="no /v3/messages, cids 10 per call")
    ap.add_argument("--report-s", type=float, default=5.0)
    ap.add_argument("--stdin", action="store_true", help="stop when stdin closes")
    asyncio.run(_serve(ap.parse_args(argv)))


if __name__ == "__main__":
    main()
