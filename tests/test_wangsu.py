"""Wangsu CDN purge/prefetch: the auth vector, then the real ``WangsuCdn`` against the sandbox emulator
over 127.0.0.1 (limits, auth window, quota, faults with nothing done twice)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio

from console.credentials import Secret
from console.errors import InvalidInput, ProviderAuthError, ProviderRejected, ProviderUnavailable, RateLimited
from console.sandbox.kingsoft import KingsoftEmulator
from console.sandbox.wangsu import WangsuEmulator
from console.services.cdn import WangsuCdn, basic_auth_password, http_date
from console.services.http import HttpTransportPolicy, make_client
from console.services.video.kingsoft import KingsoftVideo

aio = pytest.mark.asyncio(loop_scope="session")

KEY = "wangsu-test-key-01"
PLAY = "play.shihou.test"


class Wall:
    def __init__(self) -> None:
        self.t = float(int(datetime(2025, 6, 1, 12, 0, tzinfo=UTC).timestamp()))

    def __call__(self) -> float:
        return self.t


class Sleeps:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, s: float) -> None:
        self.slept.append(s)
        await asyncio.sleep(0)


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest_asyncio.fixture(loop_scope="session")
async def emu(wall: Wall) -> AsyncIterator[WangsuEmulator]:
    e = WangsuEmulator(account="shihou", api_key=KEY, domains=[PLAY], clock=wall, daily_url_quota=6)
    await e.start()
    yield e
    await e.stop()


def cdn(base_url: str, clock: Any, *, key: str = KEY, timeout: float = 2.0, sleeps: Sleeps | None = None) -> WangsuCdn:
    return WangsuCdn(make_client(base_url, timeout=timeout), account="shihou", api_key=Secret(key), clock=clock,
                     policy=HttpTransportPolicy(sleep=sleeps or Sleeps(), rand=lambda: 0.5))


def url(path: str) -> str:
    return f"https://{PLAY}/{path}"


def test_basic_password_matches_the_documented_vector() -> None:
    assert http_date(1381396340) == "Thu, 10 Oct 2013 09:12:20 GMT"
    assert basic_auth_password("52c9583dc1fa4d81", "Thu, 10 Oct 2013 09:12:20 GMT") == "i5scyaK7fWsWysB0q76H8F2BAzg="


@aio
async def test_purge_and_prefetch_are_recorded(emu: WangsuEmulator, wall: Wall) -> None:
    c = cdn(emu.base_url, wall)
    try:
        item = await c.purge([url("live/room_1/index.m3u8")], [url("live/room_1/")])
        fetch = await c.prefetch([url("live/room_1.flv")], is_range=True)
    finally:
        await c.aclose()
    assert item and fetch and item != fetch
    assert emu.purged_urls == [url("live/room_1/index.m3u8")] and emu.purged_dirs == [url("live/room_1/")]
    assert emu.prefetched_urls == [url("live/room_1.flv")]
    assert emu.tasks[0].options == {"urlAction": "default", "dirAction": "expire"}
    assert emu.tasks[1].options == {"isRange": 1}


@aio
async def test_limits_are_checked_before_sending(emu: WangsuEmulator, wall: Wall) -> None:
    c = cdn(emu.base_url, wall)
    cases: list[tuple[Any, Any]] = [
        (lambda: c.purge([url(f"f{i}") for i in range(400)], [url(f"d{i}/") for i in range(101)]), "at most 500"),
        (lambda: c.purge([url("x" * 2000)]), "longer than 2000"),
        (lambda: c.purge([], [url("d" * 1000 + "/")]), "longer than 1000"),
        (lambda: c.purge(["ftp://play.shihou.test/a"]), "http:// or https://"),
        (lambda: c.purge([url("a b")]), "white space"),
        (lambda: c.purge(url("a")), "one string"),
        (lambda: c.purge(), "nothing to purge"),
        (lambda: c.prefetch([url(f"p{i}") for i in range(401)]), "at most 400"),
        (lambda: c.prefetch([]), "nothing to prefetch"),
    ]
    try:
        for call, message in cases:
            with pytest.raises(InvalidInput, match=message):
                await call()
        await c.purge([url("f" * (1990 - len(url(""))))] * 2 + [url(f"d{i}/") for i in range(4)])  # at the limits
    finally:
        await c.aclose()
    assert len(emu.requests) == 1


@aio
async def test_wrong_key_and_stale_date_are_refused(emu: WangsuEmulator, wall: Wall) -> None:
    for client in (cdn(emu.base_url, wall, key="wrong"), cdn(emu.base_url, lambda: wall.t - 16 * 60),
                   cdn(emu.base_url, lambda: wall.t + 16 * 60)):
        try:
            with pytest.raises(ProviderAuthError) as e:
                await client.purge([url("a")])
            assert e.value.http_status == 401 and e.value.request_id
        finally:
            await client.aclose()
    ok = cdn(emu.base_url, lambda: wall.t - 14 * 60)
    try:
        await ok.purge([url("a")])
    finally:
        await ok.aclose()
    assert [s for _, s, _ in emu.requests] == [401, 401, 401, 200] and emu.purged_urls == [url("a")]


@aio
async def test_provider_refusals_keep_the_code(emu: WangsuEmulator, wall: Wall) -> None:
    c = cdn(emu.base_url, wall)
    try:
        with pytest.raises(ProviderRejected) as e:
            await c.purge(["https://not-ours.example/a"])
        assert e.value.http_status == 400 and e.value.code == "0" and "accelerated domain" in str(e.value)
        await c.purge([url(f"q{i}") for i in range(5)])
        with pytest.raises(ProviderRejected, match="quota") as e:
            await c.purge([url("q5"), url("q6")])            # 6 a day
        assert e.value.http_status == 200
        assert emu.quota_left()["url"] == 1
        wall.t += 86400                                       # a new day in Beijing
        await c.purge([url("q5"), url("q6")])
    finally:
        await c.aclose()
    assert len(emu.purged_urls) == 7


@aio
@pytest.mark.parametrize(("kind", "error", "code"), [
    ("503", ProviderUnavailable, None), ("500", ProviderUnavailable, None), ("timeout", ProviderUnavailable, "timeout"),
    ("429", RateLimited, None), ("malformed", ProviderUnavailable, "malformed_response"),
    ("reset", ProviderUnavailable, "network")])
async def test_faults_are_reported_and_never_retried(emu: WangsuEmulator, wall: Wall, kind: str,
                                                     error: type[Exception], code: str | None,
                                                     expect_log: list[str]) -> None:
    expect_log.append("giving up")
    emu.inject("/ccm/purge/ItemIdReceiver", kind, apply=True)  # type: ignore[arg-type]
    sleeps = Sleeps()
    c = cdn(emu.base_url, wall, timeout=0.3, sleeps=sleeps)
    try:
        with pytest.raises(error) as e:
            await c.purge([url("live/room_1/index.m3u8")])
    finally:
        await c.aclose()
    if code is not None:
        assert getattr(e.value, "code", None) == code
    assert len(emu.requests) == 1 and sleeps.slept == []
    assert emu.purged_urls == [url("live/room_1/index.m3u8")]   # done once, never twice


@aio
async def test_a_connection_that_never_opened_is_retried(wall: Wall, expect_log: list[str]) -> None:
    expect_log.append("giving up")
    emu = WangsuEmulator(api_key=KEY, clock=wall)
    base = await emu.start()
    await emu.stop()                                          # nothing listens there any more
    sleeps = Sleeps()
    c = cdn(base, wall, sleeps=sleeps)
    try:
        with pytest.raises(ProviderUnavailable) as e:
            await c.purge([url("a")])
    finally:
        await c.aclose()
    assert e.value.code == "network" and len(sleeps.slept) == 3


@aio
async def test_a_cut_purges_the_rooms_playlists(emu: WangsuEmulator, wall: Wall) -> None:
    kls_emu = KingsoftEmulator(access_key="AK", secret_key="kls-secret-key", clock=wall)
    await kls_emu.start()
    stream = "房间 1&x=%/.."
    kls_emu.publish(stream)
    video = KingsoftVideo(make_client(kls_emu.base_url, timeout=2), unique_name="shihou", app="live",
                          pubdomain="shihou.uplive.ks-cdn.com", access_key="AK", secret=Secret("kls-secret-key"),
                          play_domain=PLAY, antileech_secret=None, clock=wall)
    c = cdn(emu.base_url, wall)
    try:
        await video.forbid(stream)
        await c.purge(video.playlist_urls(stream))
    finally:
        await video.aclose()
        await c.aclose()
        await kls_emu.stop()
    assert not kls_emu.is_live(stream)
    assert emu.purged_urls == [f"https://{PLAY}/live/%E6%88%BF%E9%97%B4%201%26x%3D%25%2F../index.m3u8",
                               f"https://{PLAY}/live/%E6%88%BF%E9%97%B4%201%26x%3D%25%2F...flv"]
