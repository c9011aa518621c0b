"""``check_provider``: one harmless signed call per provider against the sandbox's emulators (OK, wrong
key, unreachable, refused, not configured); role-based connection of providers; Kingsoft play URLs signed
with the anti-leech key and checked by the emulator's play CDN (a refused signature is a 403)."""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from console.credentials import ANTILEECH, MemoryStore, OverlayStore
from console.domain import Role
from console.errors import MissingCredentials
from console.sandbox.jpush import JPushEmulator
from console.sandbox.kingsoft import KingsoftEmulator
from console.sandbox.rongcloud import RongCloudEmulator
from console.sandbox.sms import AliyunSmsEmulator
from console.sandbox.wangsu import WangsuEmulator
from console.services import build_services, video_providers
from console.services.provider_check import EXIT_CODES, WANGSU_CHECK_PATH, check_provider
from console.services.video.kingsoft import KingsoftVideo
from console.services.video.playback import probe
from console.settings import Settings, load_settings
from tests.conftest import operator

aio = pytest.mark.asyncio(loop_scope="session")

AK, SK, LEECH = "AKLTcheck", "kls-check-secret", "leech-check-key"
RC_KEY, RC_SECRET = "rc-check-key", "rc-check-secret"
JP_KEY, JP_SECRET = "checkappkey0000000000001", "jpush-check-secret"
SMS_AK, SMS_SECRET = "LTAIcheck", "sms-check-secret"
WS_ACCOUNT, WS_KEY = "shihou", "wangsu-check-key"
PLAY = "play.shihou.test"


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def cfg(**values: Any) -> Settings:
    return load_settings(cli={k.replace("__", "."): v for k, v in values.items()}, env={})


def secrets() -> MemoryStore:
    store = MemoryStore()
    store.set("kingsoft", AK, SK)
    store.set(ANTILEECH, "main", LEECH)
    store.set("rongcloud", RC_KEY, RC_SECRET)
    store.set("jpush", JP_KEY, JP_SECRET)
    store.set("sms", SMS_AK, SMS_SECRET)
    store.set("wangsu", WS_ACCOUNT, WS_KEY)
    return store


@pytest_asyncio.fixture(loop_scope="session")
async def kls() -> AsyncIterator[KingsoftEmulator]:
    e = KingsoftEmulator(access_key=AK, secret_key=SK, antileech_secret=LEECH)
    await e.start()
    yield e
    await e.stop()


async def expect(provider: str, settings: Settings, store: Any, outcome: str) -> str:
    r = await check_provider(provider, settings, store, timeout=3.0)
    assert (r.outcome, r.exit_code) == (outcome, EXIT_CODES[outcome]), r.detail  # type: ignore[index]
    return r.detail


def test_exit_codes_are_documented() -> None:
    assert dict(EXIT_CODES) == {"ok": 0, "wrong_key": 1, "unreachable": 2, "refused": 3, "not_configured": 4}


@aio
async def test_kingsoft(kls: KingsoftEmulator, expect_log: list[str]) -> None:
    s = cfg(kingsoft__url=kls.base_url, kingsoft__access_key=AK, kingsoft__antileech_account="main")
    detail = await expect("kingsoft", s, secrets(), "ok")
    assert "GetBlacklist" in detail and "anti-leech key present" in detail
    assert [c.action for c in kls.calls] == ["GetBlacklist"]
    assert "SignatureDoesNotMatch" in await expect("kingsoft", s, OverlayStore(secrets(), {("kingsoft", AK): "wrong"}),
                                                   "wrong_key")
    bare = MemoryStore()
    bare.set("kingsoft", AK, SK)
    assert "kingsoft-antileech/main" in await expect("kingsoft", s, bare, "not_configured")
    assert "kingsoft.url is empty" in await expect("kingsoft", cfg(), secrets(), "not_configured")
    assert "set kingsoft.access_key" in await expect("kingsoft", cfg(kingsoft__url=kls.base_url), secrets(),
                                                     "not_configured")
    expect_log.append("giving up")
    await expect("kingsoft", s.replace(kingsoft__url=closed_port_url()), secrets(), "unreachable")


@aio
async def test_rongcloud(expect_log: list[str]) -> None:
    emu = RongCloudEmulator(app_key=RC_KEY, app_secret=RC_SECRET, rate_per_s=10_000)
    await emu.start()
    try:
        s = cfg(rongcloud__url=emu.base_url, rongcloud__app_key=RC_KEY)
        assert "ban/query" in await expect("rongcloud", s, secrets(), "ok")
        await expect("rongcloud", s, OverlayStore(secrets(), {("rongcloud", RC_KEY): "wrong"}), "wrong_key")
        assert "rongcloud/other" in await expect("rongcloud", s.replace(rongcloud__app_key="other"), secrets(),
                                                 "not_configured")
    finally:
        await emu.stop()
    expect_log.append("giving up")
    await expect("rongcloud", s, secrets(), "unreachable")   # stopped


@aio
async def test_jpush() -> None:
    emu = JPushEmulator(app_key=JP_KEY, master_secret=JP_SECRET, tick_s=0)
    await emu.start()
    try:
        s = cfg(jpush__url=emu.base_url, jpush__app_key=JP_KEY)
        assert "cid" in await expect("jpush", s, secrets(), "ok")
        await expect("jpush", s, OverlayStore(secrets(), {("jpush", JP_KEY): "wrong"}), "wrong_key")
    finally:
        await emu.stop()


@aio
async def test_sms() -> None:
    emu = AliyunSmsEmulator(access_key_id=SMS_AK, secret=SMS_SECRET)
    await emu.start()
    try:
        s = cfg(sms__url=emu.base_url, sms__access_key_id=SMS_AK)
        assert "SMS_216427811 is approved" in await expect("sms", s, secrets(), "ok")
        assert [c.action for c in emu.calls] == ["QuerySmsTemplate"]
        await expect("sms", s, OverlayStore(secrets(), {("sms", SMS_AK): "wrong"}), "wrong_key")
        assert "SMS_TEMPLATE_ILLEGAL" in await expect("sms", s.replace(sms__code_template="SMS_000"), secrets(),
                                                      "refused")
        assert not emu.messages
    finally:
        await emu.stop()


@aio
async def test_wangsu() -> None:
    emu = WangsuEmulator(account=WS_ACCOUNT, api_key=WS_KEY, domains=[PLAY])
    await emu.start()
    try:
        s = cfg(wangsu__url=emu.base_url, wangsu__account=WS_ACCOUNT, kingsoft__play_domain=PLAY)
        await expect("wangsu", s, secrets(), "ok")
        assert emu.purged_urls == [f"https://{PLAY}{WANGSU_CHECK_PATH}"]
        await expect("wangsu", s, OverlayStore(secrets(), {("wangsu", WS_ACCOUNT): "wrong"}), "wrong_key")
        assert emu.purged_urls == [f"https://{PLAY}{WANGSU_CHECK_PATH}"]
    finally:
        await emu.stop()


@aio
async def test_nginx(expect_log: list[str]) -> None:
    from console.sandbox.nginx import NginxRtmpServer, missing_stream_tools

    expect_log.append("giving up")
    await expect("nginx", cfg(nginx__stat_url=closed_port_url() + "/stat"), MemoryStore(), "unreachable")
    if missing_stream_tools() or shutil.which("nginx") is None:
        pytest.skip("nginx-rtmp not installed")
    with NginxRtmpServer(hls=False) as server:
        s = cfg(nginx__stat_url=server.urls.stat_url, nginx__control_url=server.urls.control_url)
        assert "/stat answered (0 live" in await expect("nginx", s, MemoryStore(), "ok")


# --- a console connects only what its role uses -------------------------------------------------------

ALL_ON = dict(kingsoft__url="http://127.0.0.1:9", kingsoft__access_key=AK, kingsoft__antileech_account="main",
              nginx__stat_url="http://127.0.0.1:9/stat", nginx__control_url="http://127.0.0.1:9/control",
              wangsu__url="http://127.0.0.1:9", wangsu__account=WS_ACCOUNT,
              rongcloud__url="http://127.0.0.1:9", rongcloud__app_key=RC_KEY,
              jpush__url="http://127.0.0.1:9", jpush__app_key=JP_KEY,
              sms__url="http://127.0.0.1:9", sms__access_key_id=SMS_AK)


def only(*slots: str) -> MemoryStore:
    full, store = secrets(), MemoryStore()
    accounts = {"kingsoft": AK, ANTILEECH: "main", "rongcloud": RC_KEY, "jpush": JP_KEY, "sms": SMS_AK,
                "wangsu": WS_ACCOUNT}
    for slot in slots:
        got = full.get(slot, accounts[slot])
        assert got is not None
        store.set(slot, accounts[slot], got.reveal())
    return store


@aio
@pytest.mark.parametrize(("role", "slots", "video", "chat", "push", "sms"), [
    (Role.SUPPORT, ("sms",), set(), False, False, True),
    (Role.MODERATOR, ("kingsoft", ANTILEECH, "wangsu", "rongcloud"), {"kingsoft", "nginx-rtmp"}, True, False, False),
    (Role.OPERATOR, ("jpush", "sms"), set(), False, True, True),
    (Role.ADMIN, ("kingsoft", ANTILEECH, "wangsu", "rongcloud", "jpush", "sms"), {"kingsoft", "nginx-rtmp"},
     True, True, True),
])
async def test_a_console_connects_only_the_providers_its_role_uses(
        tmp_path: Path, sqlite_template: Path, role: Role, slots: tuple[str, ...], video: set[str], chat: bool,
        push: bool, sms: bool) -> None:
    db = tmp_path / "roles.db"
    shutil.copy(sqlite_template, db)
    s = cfg(database__url=f"sqlite+aiosqlite:///{db}", **ALL_ON)
    services = await build_services(s, operator(role), start_events=False, connect_providers=False)
    try:
        # only the secrets this role needs are in the store: the others are never read
        services.connect_providers(s, only(*slots))
        assert {p.name for p in services.monitor.providers} == video
        assert (services.chat_handler.rc is not None) is chat
        assert services.push.connected is push
        assert (services.sms.gateway is not None) is sms
    finally:
        await services.aclose()
    if slots:
        services = await build_services(s, operator(role), start_events=False, connect_providers=False)
        try:
            with pytest.raises(MissingCredentials):   # a secret the role does use is still required
                services.connect_providers(s, only(*slots[1:]))
        finally:
            await services.aclose()


# --- anti-leech: signed play URLs against the emulator's play CDN -----------------------------------------

@aio
async def test_play_urls_from_the_console_are_signed_and_checked(kls: KingsoftEmulator) -> None:
    kls.publish("room_1")
    kls.publish("房间 1&x=%")
    play_host = kls.base_url.removeprefix("http://")
    s = cfg(kingsoft__url=kls.base_url, kingsoft__access_key=AK, kingsoft__antileech_account="main",
            kingsoft__play_domain=play_host, kingsoft__play_scheme="http")

    async def probe_with(store: Any, settings: Settings = s, stream: str = "room_1", protocol: str = "hls") -> Any:
        providers, clients = video_providers(settings, store)
        try:
            v = providers["kingsoft"]
            assert isinstance(v, KingsoftVideo)
            url = v.play_url(stream, protocol=protocol)  # type: ignore[arg-type]
            async with httpx.AsyncClient(timeout=3) as client:
                return url, await probe(client, url)
        finally:
            for c in clients:
                await c.aclose()

    for stream in ("room_1", "房间 1&x=%"):
        for protocol in ("hls", "flv"):
            url, result = await probe_with(secrets(), stream=stream, protocol=protocol)
            assert "&k=" in url and result.verdict == "ok", (url, result)
            assert kls.plays[-1][1] == "ok"

    url, result = await probe_with(OverlayStore(secrets(), {(ANTILEECH, "main"): "not-the-key"}))
    assert result.verdict == "error" and "403" in result.reason and "签名" in result.reason
    assert kls.plays[-1][1] == "mismatch"

    url, result = await probe_with(secrets(), s.replace(kingsoft__antileech_account=""))   # no key: unsigned
    assert "?t=" not in url and result.verdict == "error" and "签名" in result.reason
    assert kls.plays[-1][1] == "unsigned"

    url, result = await probe_with(secrets(), stream="room_9")     # signed, but nobody publishes it
    assert result.verdict == "offline"

    late = KingsoftEmulator(access_key=AK, secret_key=SK, antileech_secret=LEECH,
                            clock=lambda: time.time() + 7200)   # the CDN's clock is 2 h ahead
    await late.start()
    try:
        late.publish("room_1")
        settings = s.replace(kingsoft__url=late.base_url, kingsoft__play_domain=late.base_url.removeprefix("http://"))
        url, result = await probe_with(secrets(), settings)
        assert result.verdict == "error" and "签名" in result.reason and late.plays[-1][1] == "expired"
    finally:
        await late.stop()
