"""Test one provider account: ONE harmless, signed call with the settings and secrets given. No Qt.

Usage (``python -m console.credentials test`` and the accounts dialog)::

    result = await check_provider("jpush", settings, KeyringStore())
    result.outcome        # "ok" | "wrong_key" | "unreachable" | "refused" | "not_configured"
    result.exit_code      # 0 | 1 | 2 | 3 | 4
    result.detail         # what happened, in English (may quote the provider's text: show it as plain text)

The call each provider gets (each is a call its client already makes; see ``ProviderSpec.test_call``):

========== =====================================================================================
kingsoft   ``GetBlacklist`` (read-only); the anti-leech key is checked for presence only (checking it
           needs a live stream's play URL)
rongcloud  ``/chatroom/ban/query.json`` (lists muted rooms; read-only)
jpush      ``GET /v3/push/cid?count=1`` (a cid that is never used costs nothing)
sms        ``QuerySmsTemplate`` of ``sms.code_template`` (read-only)
wangsu     a purge of one URL that is never cached, ``https://<kingsoft.play_domain>/.shihou-console-check``:
           Wangsu's API has no read-only call; it counts one URL of the daily purge quota (5000)
nginx      ``GET`` the ``/stat`` page (nginx-rtmp has no secret)
smtp       connect (STARTTLS or TLS as set), sign in with ``mail.account``, ``QUIT``: no mail is sent
========== =====================================================================================

Outcomes: ``wrong_key`` is the provider refusing the key or signature (also a clock far off);
``unreachable`` a network error, a timeout, a 5xx or a rate limit; ``refused`` a business error after the
key was accepted (e.g. an unknown template); ``not_configured`` a missing setting or secret, or a
keyring that cannot be read. No retries: one call, at most ``timeout`` seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from console.credentials import ANTILEECH, PROVIDERS, CredentialStore, Secret, require
from console.errors import (
    ConsoleError,
    InvalidInput,
    KeyringUnavailable,
    MissingCredentials,
    ProviderAuthError,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
)
from console.services.cdn import WangsuCdn
from console.services.chat.rongcloud import RongCloud
from console.services.http import HttpTransportPolicy, RateGate, make_client
from console.services.mail import MailConfig, Mailer
from console.services.push.jpush import DEFAULT_API_URL, DEFAULT_DEVICE_URL, DEFAULT_REPORT_URL, JPushClient
from console.services.sms.gateway import AliyunSms
from console.services.video.kingsoft import KingsoftVideo
from console.services.video.nginx_rtmp import NginxRtmpVideo

__all__ = ["EXIT_CODES", "WANGSU_CHECK_PATH", "CheckResult", "Outcome", "check_provider"]

Outcome = Literal["ok", "wrong_key", "unreachable", "refused", "not_configured"]

#: Exit codes of ``python -m console.credentials test`` (64: bad command line).
EXIT_CODES: Mapping[Outcome, int] = {"ok": 0, "wrong_key": 1, "unreachable": 2, "refused": 3, "not_configured": 4}

#: The URL path the Wangsu check purges (never served, so never cached).
WANGSU_CHECK_PATH = "/.shihou-console-check"


@dataclass(frozen=True, slots=True)
class CheckResult:
    provider: str
    outcome: Outcome
    detail: str

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def _get(settings: Mapping[str, Any] | Any, key: str) -> str:
    try:
        return str(settings[key] or "").strip()
    except KeyError:
        return ""


def _policy() -> HttpTransportPolicy:
    return HttpTransportPolicy(retries=0, max_retry_after_s=0.0)


class _NotConfigured(Exception):
    pass


async def _secret(store: CredentialStore, slot: str, account: str) -> Secret:
    # a keyring behind D-Bus may block: never on the event loop's thread
    return await asyncio.to_thread(require, store, slot, account)


def _need(settings: Any, *keys: str) -> list[str]:
    values = [_get(settings, k) for k in keys]
    missing = [k for k, v in zip(keys, values, strict=True) if not v]
    if missing:
        raise _NotConfigured(f"set {', '.join(missing)} first")
    return values


async def _kingsoft(settings: Any, store: CredentialStore, timeout: float) -> str:
    url, ak = _need(settings, "kingsoft.url", "kingsoft.access_key")
    secret = await _secret(store, "kingsoft", ak)
    leech_account = _get(settings, "kingsoft.antileech_account")
    leech = await _secret(store, ANTILEECH, leech_account) if leech_account else None
    kls = KingsoftVideo(make_client(url, timeout=timeout), unique_name=_get(settings, "kingsoft.unique_name"),
                        app=_get(settings, "kingsoft.app") or "live", pubdomain=_get(settings, "kingsoft.pubdomain"),
                        access_key=ak, secret=secret, play_domain=_get(settings, "kingsoft.play_domain"),
                        antileech_secret=leech, policy=_policy())
    try:
        entries = await kls.blacklist()
    finally:
        await kls.aclose()
    note = ("anti-leech key present (not verified: that needs a live stream)" if leech is not None
            else "no anti-leech key: play URLs are not signed")
    return f"GetBlacklist answered ({len(entries)} forbidden streams); {note}"


async def _rongcloud(settings: Any, store: CredentialStore, timeout: float) -> str:
    url, key = _need(settings, "rongcloud.url", "rongcloud.app_key")
    secret = await _secret(store, "rongcloud", key)
    hosts = [h.rstrip("/") for h in (url, _get(settings, "rongcloud.backup_url")) if h]
    rc = RongCloud(make_client(hosts[0], timeout=timeout), app_key=key, secret=secret, hosts=hosts,
                   policy=_policy(), rate_retries=0)
    try:
        muted = await rc.muted_rooms(page=1, size=1)
    finally:
        await rc.aclose()
    return f"/chatroom/ban/query.json answered ({len(muted)} muted room(s) on the first page)"


async def _jpush(settings: Any, store: CredentialStore, timeout: float) -> str:
    url, app_key = _need(settings, "jpush.url", "jpush.app_key")
    secret = await _secret(store, "jpush", app_key)
    public = url.rstrip("/") == DEFAULT_API_URL
    jp = JPushClient.create(app_key=app_key, master_secret=secret, api_url=url,
                            report_url=_get(settings, "jpush.report_url") or (DEFAULT_REPORT_URL if public else url),
                            device_url=_get(settings, "jpush.device_url") or (DEFAULT_DEVICE_URL if public else url),
                            timeout=timeout, policy=HttpTransportPolicy(gate=RateGate(), retries=0,
                                                                        max_retry_after_s=0.0))
    try:
        await jp.cids(1)
    finally:
        await jp.aclose()
    return "GET /v3/push/cid answered (one cid, not used)"


async def _sms(settings: Any, store: CredentialStore, timeout: float) -> str:
    url, ak, sign_name, code = _need(settings, "sms.url", "sms.access_key_id", "sms.sign_name", "sms.code_template")
    secret = await _secret(store, "sms", ak)
    gw = AliyunSms(make_client(url, timeout=timeout), access_key_id=ak, secret=secret, sign_name=sign_name,
                   policy=_policy(), retries_isp=0)
    try:
        tpl = await gw.template(code)
    finally:
        await gw.aclose()
    state = "approved" if tpl.approved else "not approved"
    return f"QuerySmsTemplate answered: template {tpl.code} is {state}"


async def _wangsu(settings: Any, store: CredentialStore, timeout: float) -> str:
    url, account, domain = _need(settings, "wangsu.url", "wangsu.account", "kingsoft.play_domain")
    key = await _secret(store, "wangsu", account)
    cdn = WangsuCdn(make_client(url, timeout=timeout), account=account, api_key=key, policy=_policy())
    target = f"https://{domain}{WANGSU_CHECK_PATH}"
    try:
        item = await cdn.purge([target])
    finally:
        await cdn.aclose()
    return f"purge of {target} accepted (task {item or '?'}; 1 URL of the daily quota)"


async def _nginx(settings: Any, store: CredentialStore, timeout: float) -> str:
    (stat,) = _need(settings, "nginx.stat_url")
    async with make_client(stat.rsplit("/", 1)[0], timeout=timeout) as client:  # the caller's (see NginxRtmpVideo)
        video = NginxRtmpVideo(client, stat_url=stat, control_url=_get(settings, "nginx.control_url"),
                               rtmp_base=_get(settings, "nginx.rtmp_base"), hls_base=_get(settings, "nginx.hls_base"),
                               policy=_policy())
        live = await video.list_live()
    return f"/stat answered ({len(live)} live stream(s))"


async def _smtp(settings: Any, store: CredentialStore, timeout: float) -> str:
    config = MailConfig.from_settings(settings)
    if config is None:
        raise _NotConfigured("set mail.smtp_host first")
    password = await _secret(store, "smtp", config.account) if config.account else None
    return await Mailer(config, password).check()


_CHECKS: Mapping[str, Callable[[Any, CredentialStore, float], Awaitable[str]]] = {
    "kingsoft": _kingsoft, "rongcloud": _rongcloud, "jpush": _jpush, "sms": _sms, "wangsu": _wangsu,
    "nginx": _nginx, "smtp": _smtp,
}


async def check_provider(provider: str, settings: Mapping[str, Any] | Any, store: CredentialStore, *,
                         timeout: float = 8.0) -> CheckResult:
    """Make the provider's one test call with ``settings`` and the secrets in ``store``.

    Never raises a :class:`~console.errors.ConsoleError`: every failure is an outcome.

    Raises:
        KeyError: ``provider`` is not in :data:`console.credentials.PROVIDERS`.
    """
    if provider not in PROVIDERS:
        raise KeyError(provider)
    spec = PROVIDERS[provider]
    if not _get(settings, spec.enable_key):
        return CheckResult(provider, "not_configured", f"{spec.enable_key} is empty: {spec.title} is off")
    try:
        async with asyncio.timeout(timeout * 2):
            detail = await _CHECKS[provider](settings, store, timeout)
    except _NotConfigured as e:
        return CheckResult(provider, "not_configured", str(e))
    except (MissingCredentials, KeyringUnavailable, InvalidInput) as e:
        return CheckResult(provider, "not_configured", str(e))
    except ProviderAuthError as e:
        return CheckResult(provider, "wrong_key", str(e))
    except (ProviderUnavailable, RateLimited) as e:
        return CheckResult(provider, "unreachable", str(e))
    except TimeoutError:
        return CheckResult(provider, "unreachable", f"{spec.title}: no answer within {timeout * 2:.0f} s")
    except ProviderRejected as e:
        return CheckResult(provider, "refused", f"the key was accepted, the call was refused: {e}")
    except ConsoleError as e:  # any other provider error (e.g. RongCloud's "outcome unknown")
        return CheckResult(provider, "unreachable", str(e))
    return CheckResult(provider, "ok", detail)
