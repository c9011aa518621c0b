"""Kingsoft KLS: the signing vectors, then the real ``KingsoftVideo`` against the sandbox emulator over
127.0.0.1 (list, forbid with an end time, resume, blacklist, play-URL signing, refused keys and dates,
5xx / timeout / 429 / malformed JSON / reset, odd stream names)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from console.credentials import Secret
from console.errors import InvalidInput, ProviderAuthError, ProviderRejected, ProviderUnavailable, RateLimited
from console.sandbox.kingsoft import RET_NO_SUCH_DOMAIN, KingsoftEmulator, PublishRefused
from console.services.http import HttpTransportPolicy, RateGate, make_client
from console.services.video import sigv4
from console.services.video.antileech import sign_play_url
from console.services.video.base import StreamState, VideoProvider
from console.services.video.kingsoft import KingsoftVideo, TranscodeProfile, to_kbps

aio = pytest.mark.asyncio(loop_scope="session")

AK, SK = "AKLTtest", "kls-test-secret-0001"
LEECH = "leech-key-42"
ODD = "房间 1&x=%/.."
ODD_NAMES = [ODD, "a+b=c", "tilde~star*", "emoji 🐱 cat", "semi;colon,comma", "q?hash#", "..", "100%"]


class Wall:
    """A wall clock shared by the client and the emulator, advanced by the tests."""

    def __init__(self) -> None:
        self.t = float(int(datetime(2025, 6, 1, 12, 0, tzinfo=UTC).timestamp()))

    def __call__(self) -> float:
        return self.t


class Sleeps:
    """Backoff sleep that records and yields without waiting."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, s: float) -> None:
        self.slept.append(round(s, 3))
        await asyncio.sleep(0)


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest_asyncio.fixture(loop_scope="session")
async def emu(wall: Wall) -> AsyncIterator[KingsoftEmulator]:
    e = KingsoftEmulator(access_key=AK, secret_key=SK, antileech_secret=LEECH, clock=wall)
    await e.start()
    yield e
    await e.stop()


def kls(emu: KingsoftEmulator, wall: Any, *, secret: str = SK, access_key: str = AK, timeout: float = 2.0,
        sleeps: Sleeps | None = None, gate: RateGate | None = None, headers: dict[str, str] | None = None,
        **kw: Any) -> KingsoftVideo:
    policy = HttpTransportPolicy(sleep=sleeps or Sleeps(), rand=lambda: 0.5, gate=gate)
    kw.setdefault("unique_name", "shihou")
    return KingsoftVideo(make_client(emu.base_url, timeout=timeout, headers=headers), app="live",
                         pubdomain="shihou.uplive.ks-cdn.com", access_key=access_key, secret=Secret(secret),
                         play_domain="play.shihou.test", antileech_secret=Secret(LEECH), clock=wall, policy=policy,
                         **kw)


# --- vectors (providers.md §3.3, §3.5) ------------------------------------------------------------

AWS_SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def test_sigv4_matches_the_published_aws_vector() -> None:
    headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8", "host": "iam.amazonaws.com",
               "x-amz-date": "20150830T123600Z"}
    query = [("Action", "ListUsers"), ("Version", "2010-05-08")]
    creq = sigv4.canonical_request("GET", "/", query, headers, sigv4.EMPTY_PAYLOAD_SHA256)
    assert hashlib.sha256(creq.encode()).hexdigest() == \
        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    key = sigv4.signing_key(AWS_SK, "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    sts = sigv4.string_to_sign("20150830T123600Z", sigv4.credential_scope("20150830", "us-east-1", "iam"), creq)
    assert sigv4.signature(key, sts) == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    signed = sigv4.sign_request(method="GET", host="iam.amazonaws.com", path="/", query=query,
                                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
                                body=b"", access_key="AKIDEXAMPLE", secret_key=AWS_SK, region="us-east-1",
                                service="iam", amz_date="20150830T123600Z")
    assert signed == {
        "X-Amz-Date": "20150830T123600Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                         "SignedHeaders=content-type;host;x-amz-date, "
                         "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    }


def test_sigv4_encoding_and_canonical_forms() -> None:
    assert sigv4.uri_encode(ODD) == "%E6%88%BF%E9%97%B4%201%26x%3D%25%2F.."
    assert sigv4.uri_encode("a b+c~d*e") == "a%20b%2Bc~d%2Ae"
    assert sigv4.canonical_query([("b", "2"), ("a", "y"), ("a", "x"), ("A", "z")]) == "A=z&a=x&a=y&b=2"
    assert sigv4.canonical_headers({"X-Action": "  Get   Black  list ", "Host": "h"}) == (
        "host:h\nx-action:Get Black list\n", "host;x-action")
    assert sigv4.canonical_uri("") == "/" and sigv4.canonical_uri("/a%20b/") == "/a%2520b/"
    assert sigv4.amz_date(1440938160) == "20150830T123600Z"


def test_antileech_matches_the_documented_vector() -> None:
    assert hashlib.md5(b"123456stream1560096712").hexdigest() == "c628321f4f88e741140240e2e5c5bd90"
    assert sign_play_url("123456", "stream", 1560096712) == "4f88e741140240e2"


def test_rate_units() -> None:
    assert to_kbps(312500, "B/s") == 2500.0
    assert to_kbps("2500000", "bit/s") == 2500.0
    assert to_kbps("2500", "kbit/s") == 2500.0
    assert to_kbps(None, "B/s") == 0.0 and to_kbps("n/a", "B/s") == 0.0


def test_kingsoft_video_satisfies_the_protocol() -> None:
    def check(p: VideoProvider) -> str:
        return p.name

    assert check(KingsoftVideo(httpx.AsyncClient(), unique_name="u", app="a", pubdomain="p", access_key="k",
                               secret=Secret("s" * 8), play_domain="d", antileech_secret=None)) == "kingsoft"


# --- listing -------------------------------------------------------------------------------------

@aio
async def test_list_live_merges_health_and_viewers(emu: KingsoftEmulator, wall: Wall) -> None:
    emu.publish("room_1", video_kbps=2500, audio_kbps=128, fps=25, width=1280, height=720, viewers=12,
                client_ip="1.2.3.4")
    wall.t += 30
    emu.publish("room_2", video_kbps=800, audio_kbps=64, fps=15, width=640, height=360, viewers=0,
                vcodec="h265", acodec="opus")
    v = kls(emu, wall)
    try:
        live = await v.list_live()
    finally:
        await v.aclose()
    assert [s.stream for s in live] == ["room_1", "room_2"]
    r1, r2 = live
    assert r1.state is StreamState.LIVE and r1.app == "live" and r1.publisher_ip == "1.2.3.4"
    assert (r1.video_kbps, r1.audio_kbps, r1.fps, r1.width, r1.height, r1.viewers) == (2500.0, 128.0, 25.0, 1280, 720, 12)
    assert r1.video_codec == "h264" and r2.video_codec == "h265" and r2.audio_codec == "opus"
    assert r1.started_at == datetime.fromtimestamp(wall.t - 30, UTC) and r1.uptime_s == 30.0
    pub, streams = emu.calls_of("ListRealtimePubStreamsInfo")[0], emu.calls_of("ListRealtimeStreamsInfo")[0]
    # Action/Version in the query and X-Action/X-Version headers, both signed; GET params in the query
    assert pub.method == "GET" and pub.params["Action"] == "ListRealtimePubStreamsInfo"
    assert pub.headers["X-Action"] == "ListRealtimePubStreamsInfo" and pub.headers["X-Version"] == "2017-01-01"
    assert "x-action;x-amz-date;x-version" in pub.headers["Authorization"]
    assert pub.params["UniqueName"] == "shihou" and pub.params["Pubdomain"] == "shihou.uplive.ks-cdn.com"
    assert streams.method == "POST" and streams.headers["Content-Type"] == "application/json"


@aio
async def test_list_live_pages_with_marker_and_limit(emu: KingsoftEmulator, wall: Wall) -> None:
    for i in range(5):
        emu.publish(f"s{i}")
        wall.t += 1
    v = kls(emu, wall, page_limit=2)
    try:
        live = await v.list_live()
    finally:
        await v.aclose()
    assert [s.stream for s in live] == ["s0", "s1", "s2", "s3", "s4"]
    assert [c.params["Marker"] for c in emu.calls_of("ListRealtimePubStreamsInfo")] == ["0", "1", "2"]
    assert all(c.params["Limit"] == "2" for c in emu.calls_of("ListRealtimePubStreamsInfo"))


@aio
async def test_empty_platform_needs_one_call(emu: KingsoftEmulator, wall: Wall) -> None:
    v = kls(emu, wall)
    try:
        assert await v.list_live() == []
    finally:
        await v.aclose()
    assert [c.action for c in emu.calls] == ["ListRealtimePubStreamsInfo"]


# --- forbid, resume, blacklist -----------------------------------------------------------------------

@aio
async def test_forbid_with_until_cuts_blacklists_and_expires(emu: KingsoftEmulator, wall: Wall) -> None:
    cut: list[str] = []
    emu.cut_listeners.append(cut.append)
    emu.publish("room_1", viewers=3)
    v = kls(emu, wall)
    until = datetime.fromtimestamp(wall.t + 3600, UTC)
    try:
        await v.forbid("room_1", until=until)
        assert cut == ["room_1"] and not emu.is_live("room_1")
        with pytest.raises(PublishRefused):
            emu.publish("room_1")
        [entry] = await v.blacklist()
        assert entry.stream == "room_1" and entry.forbidden_until == until
        assert entry.forbidden_at == datetime.fromtimestamp(wall.t, UTC)
        assert await v.list_live() == []
        assert emu.calls_of("ForbidStream")[0].params["ForbidTillUnixTime"] == str(int(until.timestamp()))
        wall.t += 3601                                     # the ban runs out by itself
        assert await v.blacklist() == []
        emu.publish("room_1")
        assert [s.stream for s in await v.list_live()] == ["room_1"]
    finally:
        await v.aclose()


@aio
async def test_forbid_is_idempotent_and_resume_lifts_it(emu: KingsoftEmulator, wall: Wall) -> None:
    emu.publish("room_1")
    v = kls(emu, wall)
    try:
        await v.forbid("room_1")                               # until resumed
        first = await v.blacklist()
        wall.t += 60
        await v.forbid("room_1")                               # again: succeeds, same entry
        assert await v.blacklist() == first
        assert first[0].forbidden_until is None
        later = datetime.fromtimestamp(wall.t + 600, UTC)
        await v.forbid("room_1", until=later)                  # the new end time wins
        [entry] = await v.blacklist()
        assert entry.forbidden_until == later and entry.forbidden_at == first[0].forbidden_at
        await v.resume("room_1")
        await v.resume("room_1")                               # resuming twice is fine
        assert await v.blacklist() == []
        emu.publish("room_1")
    finally:
        await v.aclose()


@aio
async def test_forbid_refuses_bad_until_and_names_before_sending(emu: KingsoftEmulator, wall: Wall) -> None:
    v = kls(emu, wall)
    try:
        with pytest.raises(InvalidInput, match="time zone"):
            await v.forbid("room_1", until=datetime(2030, 1, 1))
        with pytest.raises(InvalidInput, match="future"):
            await v.forbid("room_1", until=datetime.fromtimestamp(wall.t - 1, UTC))
        for bad in ("", "tab\there", "nul\x00", "x" * 257):
            with pytest.raises(InvalidInput) as e:
                await v.forbid(bad)
            assert e.value.field == "stream"
        with pytest.raises(InvalidInput):
            v.play_url("line\nbreak")
    finally:
        await v.aclose()
    assert emu.calls == []


@aio
@pytest.mark.parametrize("name", ODD_NAMES)
async def test_odd_stream_names_round_trip(emu: KingsoftEmulator, wall: Wall, name: str) -> None:
    emu.publish(name, viewers=7)
    v = kls(emu, wall)
    try:
        [health] = await v.list_live()
        assert health.stream == name and health.viewers == 7
        await v.forbid(name, until=datetime.fromtimestamp(wall.t + 60, UTC))
        assert emu.calls_of("ForbidStream")[0].params["Stream"] == name
        assert emu.blacklisted() == {name: wall.t + 60}
        assert [e.stream for e in await v.blacklist()] == [name]
        sessions = await v.publish_history(name, datetime.fromtimestamp(wall.t - 10, UTC),
                                           datetime.fromtimestamp(wall.t + 10, UTC))
        assert [s.stream for s in sessions] == [name]       # GET query carries the name
        assert emu.calls_of("ListHistoryPubStreamsInfo")[0].params["Stream"] == name
        await v.resume(name)
        for proto in ("rtmp", "flv", "hls"):
            assert emu.check_play_url(v.play_url(name, protocol=proto)) == "ok"
    finally:
        await v.aclose()


# --- play URLs ------------------------------------------------------------------------------------

@aio
async def test_play_urls_are_signed_for_the_cdn(emu: KingsoftEmulator, wall: Wall) -> None:
    v = kls(emu, wall)
    try:
        rtmp = v.play_url("room_1", expires_in_s=600)
        t = int(wall.t) + 600
        assert rtmp == f"rtmp://play.shihou.test/live/room_1?t={t}&k={sign_play_url(LEECH, 'room_1', t)}"
        assert v.play_url("room_1", protocol="flv").startswith("https://play.shihou.test/live/room_1.flv?t=")
        assert v.play_url("room_1", protocol="hls").startswith("https://play.shihou.test/live/room_1/index.m3u8?t=")
        assert emu.check_play_url(rtmp) == "ok"
        assert emu.check_play_url(rtmp.replace("room_1", "room_2")) == "mismatch"
        assert emu.check_play_url(rtmp.replace(f"t={t}", f"t={t + 1}")) == "mismatch"
        wall.t += 601
        assert emu.check_play_url(rtmp) == "expired"
        assert v.playlist_urls(ODD) == [
            "https://play.shihou.test/live/%E6%88%BF%E9%97%B4%201%26x%3D%25%2F../index.m3u8",
            "https://play.shihou.test/live/%E6%88%BF%E9%97%B4%201%26x%3D%25%2F...flv"]
    finally:
        await v.aclose()
    plain = KingsoftVideo(httpx.AsyncClient(), unique_name="u", app="live", pubdomain="p", access_key="k",
                          secret=Secret("s" * 8), play_domain="cdn.test", antileech_secret=None)
    assert plain.play_url("a b") == "rtmp://cdn.test/live/a%20b"
    assert emu.check_play_url(plain.play_url("a b")) == "unsigned"
    await plain.aclose()


# --- refused signatures ------------------------------------------------------------------------------

@aio
async def test_wrong_secret_is_refused_as_auth_error_and_not_retried(emu: KingsoftEmulator, wall: Wall) -> None:
    v = kls(emu, wall, secret="not-the-secret")
    try:
        with pytest.raises(ProviderAuthError) as e:
            await v.list_live()
    finally:
        await v.aclose()
    assert e.value.code == "SignatureDoesNotMatch" and e.value.http_status == 403 and e.value.request_id
    assert "canonical request" not in str(e.value)          # one line for people, the code for the log
    assert not e.value.retryable and len(emu.calls) == 1


@aio
async def test_unknown_access_key_is_refused(emu: KingsoftEmulator, wall: Wall) -> None:
    v = kls(emu, wall, access_key="AKLTnobody")
    try:
        with pytest.raises(ProviderAuthError) as e:
            await v.forbid("room_1")
    finally:
        await v.aclose()
    assert e.value.code == "InvalidClientTokenId" and emu.blacklisted() == {}


@aio
@pytest.mark.parametrize("skew", [-16 * 60, +16 * 60])
async def test_stale_or_future_date_is_refused(emu: KingsoftEmulator, wall: Wall, skew: int) -> None:
    v = kls(emu, lambda: wall.t + skew)
    try:
        with pytest.raises(ProviderAuthError) as e:
            await v.blacklist()
    finally:
        await v.aclose()
    assert e.value.code == "RequestExpired" and e.value.http_status == 403
    assert ("expired" if skew < 0 else "not yet current") in str(e.value)
    ok = kls(emu, lambda: wall.t - 14 * 60)                 # inside the 15-minute window
    try:
        assert await ok.blacklist() == []
    finally:
        await ok.aclose()


@aio
@pytest.mark.parametrize("host", ["kls.api.ksyun.com", "kls.cn-beijing-6.api.ksyun.com"])
async def test_public_host_names_are_accepted(emu: KingsoftEmulator, wall: Wall, host: str) -> None:
    v = kls(emu, wall, headers={"Host": host})
    try:
        assert await v.blacklist() == []
    finally:
        await v.aclose()
    assert emu.calls[0].host == host and emu.calls[0].status == 200


async def _raw(emu: KingsoftEmulator, wall: Wall, method: str, query: list[tuple[str, str]],
               headers: dict[str, str], body: bytes = b"", secret: str = SK) -> httpx.Response:
    async with httpx.AsyncClient(base_url=emu.base_url) as c:
        req = c.build_request(method, "/?" + sigv4.encode_query(query), content=body or None, headers=headers)
        req.headers.update(sigv4.sign_request(method=method, host=req.headers["host"], path="/", query=query,
                                              headers=headers, body=body, access_key=AK, secret_key=secret,
                                              region="cn-beijing-6", service="kls", amz_date=sigv4.amz_date(wall.t)))
        return await c.send(req)


@aio
async def test_emulator_accepts_what_clients_send_per_section_9(emu: KingsoftEmulator, wall: Wall) -> None:
    base = [("UniqueName", "shihou"), ("App", "live"), ("Pubdomain", "shihou.uplive.ks-cdn.com")]
    # X-Amz-Target, Accept and Content-Type signed on a GET without a body; action only in X-Amz-Target
    r = await _raw(emu, wall, "GET", base, {"X-Amz-Target": "kls.GetBlacklist", "X-Version": "2017-01-01",
                                              "Accept": "application/json", "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["Data"]["RetCode"] == 0
    # the Java SDK's form body on a POST
    form = b"UniqueName=shihou&App=live&Pubdomain=shihou.uplive.ks-cdn.com&Stream=java%20room"
    r = await _raw(emu, wall, "POST", [("Action", "ForbidStream"), ("Version", "2017-01-01")],
                   {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, form)
    assert r.status_code == 200 and "java room" in emu.blacklisted()
    # presigned query-string auth on a GET
    q = sigv4.presign_query(method="GET", host=emu.base_url.removeprefix("http://"), path="/",
                            query=[("Action", "GetBlacklist"), ("Version", "2017-01-01"), *base], access_key=AK,
                            secret_key=SK, region="cn-beijing-6", service="kls", amz_date=sigv4.amz_date(wall.t))
    async with httpx.AsyncClient(base_url=emu.base_url) as c:
        r = await c.get("/?" + sigv4.encode_query(q))
        assert r.status_code == 200 and r.json()["Data"]["Recs"][0]["Stream"] == "java room"
        r = await c.get("/?" + sigv4.encode_query(base))
    assert r.status_code == 403 and r.json()["Error"]["Code"] == "MissingAuthenticationToken"
    # parameter errors use the gateway envelope
    r = await _raw(emu, wall, "POST", [("Action", "ForbidStream"), ("Version", "2017-01-01")],
                   {"Content-Type": "application/json"},
                   json.dumps({"UniqueName": "shihou", "App": "live", "Pubdomain": "shihou.uplive.ks-cdn.com",
                               "Stream": "bad\u0000name"}).encode())
    assert r.status_code == 400 and r.json()["Error"]["Code"] == "InvalidParameterValue" and r.json()["RequestId"]
    r = await _raw(emu, wall, "GET", [("Action", "NoSuchThing"), ("Version", "2017-01-01")], {})
    assert r.status_code == 400 and r.json()["Error"]["Code"] == "InvalidAction"


@aio
async def test_business_error_is_rejected_with_the_ret_code(emu: KingsoftEmulator, wall: Wall) -> None:
    v = kls(emu, wall, unique_name="someone-else")
    try:
        with pytest.raises(ProviderRejected) as e:
            await v.forbid("room_1")
    finally:
        await v.aclose()
    assert e.value.code == str(RET_NO_SUCH_DOMAIN) and e.value.http_status == 200 and e.value.request_id
    assert len(emu.calls_of("ForbidStream")) == 1          # a business error is not retried


# --- faults ----------------------------------------------------------------------------------------

@aio
async def test_5xx_is_retried_for_reads_then_reported(emu: KingsoftEmulator, wall: Wall,
                                                      expect_log: list[str]) -> None:
    expect_log.append("giving up")
    emu.publish("room_1")
    sleeps = Sleeps()
    v = kls(emu, wall, sleeps=sleeps)
    try:
        emu.inject("ListRealtimePubStreamsInfo", "503")
        assert [s.stream for s in await v.list_live()] == ["room_1"]
        assert len(emu.calls_of("ListRealtimePubStreamsInfo")) == 2 and sleeps.slept == [0.125]
        emu.inject("GetBlacklist", "500", count=10)
        with pytest.raises(ProviderUnavailable) as e:
            await v.blacklist()
        assert e.value.http_status == 500 and e.value.code == "InternalError" and e.value.retryable
        assert len(emu.calls_of("GetBlacklist")) == 4                        # 1 + 3 retries
    finally:
        await v.aclose()


@aio
async def test_timeout_then_retry_does_the_forbid_once(emu: KingsoftEmulator, wall: Wall) -> None:
    cut: list[str] = []
    emu.cut_listeners.append(cut.append)
    emu.publish("room_1")
    v = kls(emu, wall, timeout=0.3)
    try:
        emu.inject("ForbidStream", "timeout", apply=True)     # applied, but the answer never comes
        await v.forbid("room_1")                              # idempotent: retried, succeeds
    finally:
        await v.aclose()
    assert [c.fault for c in emu.calls_of("ForbidStream")] == ["timeout", None]
    assert cut == ["room_1"] and list(emu.blacklisted()) == ["room_1"]


@aio
async def test_timeouts_exhaust_into_provider_unavailable(emu: KingsoftEmulator, wall: Wall,
                                                          expect_log: list[str]) -> None:
    expect_log.append("giving up")
    v = KingsoftVideo(make_client(emu.base_url, timeout=0.2), unique_name="shihou", app="live",
                      pubdomain="shihou.uplive.ks-cdn.com", access_key=AK, secret=Secret(SK), play_domain="p",
                      antileech_secret=None, clock=wall, policy=HttpTransportPolicy(retries=1, sleep=Sleeps()))
    emu.inject(None, "timeout", count=2)
    try:
        with pytest.raises(ProviderUnavailable) as e:
            await v.blacklist()
    finally:
        await v.aclose()
    assert e.value.code == "timeout" and len(emu.calls_of("GetBlacklist")) == 2


@aio
async def test_429_waits_retry_after_then_succeeds(emu: KingsoftEmulator, wall: Wall) -> None:
    gate_sleeps = Sleeps()
    gate = RateGate(rate_per_s=100, burst=100, sleep=gate_sleeps)
    v = kls(emu, wall, gate=gate)
    emu.inject("GetBlacklist", "429", retry_after_s=2)
    try:
        assert await v.blacklist() == []
    finally:
        await v.aclose()
    assert [c.fault for c in emu.calls_of("GetBlacklist")] == ["429", None]
    assert gate_sleeps.slept and 1.9 <= gate_sleeps.slept[0] <= 2.0


@aio
async def test_429_with_a_long_retry_after_is_rate_limited(emu: KingsoftEmulator, wall: Wall,
                                                          expect_log: list[str]) -> None:
    expect_log.append("giving up")
    v = kls(emu, wall)
    emu.inject(None, "429", retry_after_s=600)
    try:
        with pytest.raises(RateLimited) as e:
            await v.forbid("room_1")
    finally:
        await v.aclose()
    assert e.value.retry_after == 600 and e.value.code == "Throttling" and e.value.http_status == 429
    assert len(emu.calls) == 1 and emu.blacklisted() == {}


@aio
async def test_malformed_json_is_retried_then_reported(emu: KingsoftEmulator, wall: Wall,
                                                       expect_log: list[str]) -> None:
    expect_log.append("giving up")
    v = kls(emu, wall)
    try:
        emu.inject("GetBlacklist", "malformed")
        assert await v.blacklist() == []
        emu.inject("GetBlacklist", "malformed", count=4)
        with pytest.raises(ProviderUnavailable) as e:
            await v.blacklist()
        assert e.value.code == "malformed_response"
    finally:
        await v.aclose()
    assert len(emu.calls_of("GetBlacklist")) == 6


@aio
async def test_dropped_connection_and_slow_answer(emu: KingsoftEmulator, wall: Wall) -> None:
    emu.publish("room_1")
    v = kls(emu, wall, timeout=2.0)
    try:
        emu.inject("ListRealtimeStreamsInfo", "reset")
        assert [s.stream for s in await v.list_live()] == ["room_1"]
        emu.inject("GetBlacklist", "slow", delay_s=0.05)
        assert await v.blacklist() == []
    finally:
        await v.aclose()
    assert [c.fault for c in emu.calls_of("ListRealtimeStreamsInfo")] == ["reset", None]


# --- renditions, screenshots, history, stats -----------------------------------------------------------

@aio
async def test_renditions_from_pulls(emu: KingsoftEmulator, wall: Wall) -> None:
    emu.publish("room_1", width=1920, height=1080, video_kbps=4000, renditions=("720p", "480p"))
    v = kls(emu, wall, transcode_profiles={"720p": TranscodeProfile(width=1280, height=720, video_kbps=1800)})
    try:
        rs = await v.renditions("room_1")
        assert await v.renditions("offline") == []
    finally:
        await v.aclose()
    assert [(r.name, r.width, r.height, r.video_kbps) for r in rs] == [
        ("origin", 1920, 1080, 4000.0), ("720p", 1280, 720, 1800.0), ("480p", 0, 0, 0.0)]
    assert "/live/room_1_720p?t=" in rs[1].url and emu.check_play_url(rs[1].url) == "ok"


@aio
async def test_screenshots_newest_first(emu: KingsoftEmulator, wall: Wall) -> None:
    emu.publish(ODD)
    wall.t += 35
    v = kls(emu, wall)
    try:
        shots = await v.screenshots(ODD, limit=2)
        with pytest.raises(InvalidInput):
            await v.screenshots(ODD, limit=0)
    finally:
        await v.aclose()
    assert [s.taken_at for s in shots] == [datetime.fromtimestamp(wall.t - 5, UTC),
                                           datetime.fromtimestamp(wall.t - 15, UTC)]
    assert all(s.stream == ODD and s.url.endswith(".jpg") and "/ks3/" in s.url for s in shots)
    v = kls(emu, wall)
    try:  # the bucket object behind a screenshot (served by the emulator in the sandbox)
        img = await v.screenshot_image(shots[0])
        other = await v.screenshot_image(shots[1])
    finally:
        await v.aclose()
    assert img.startswith(b"\x89PNG") and img != other


@aio
async def test_history_and_durations(emu: KingsoftEmulator, wall: Wall) -> None:
    t0 = wall.t
    emu.publish("room_1", client_ip="5.6.7.8")
    wall.t += 120
    emu.unpublish("room_1")
    wall.t += 60
    emu.publish("room_1")
    wall.t += 30
    v = kls(emu, wall)
    start, end = datetime.fromtimestamp(t0 - 10, UTC), datetime.fromtimestamp(wall.t, UTC)
    try:
        sessions = await v.publish_history("room_1", start, end)
        durations = await v.stream_durations("room_1", start, end)
        with pytest.raises(InvalidInput):
            await v.publish_history("room_1", end, start)
    finally:
        await v.aclose()
    assert [(s.client_ip, s.ended_at is None) for s in sessions] == [("5.6.7.8", False), ("10.0.0.8", True)]
    assert sessions[0].ended_at == datetime.fromtimestamp(t0 + 120, UTC)
    assert [d.duration_s for d in durations] == [120, 30]


@aio
async def test_stats_history_keeps_what_was_observed(emu: KingsoftEmulator, wall: Wall) -> None:
    emu.publish("room_1", video_kbps=1000, viewers=1)
    v = kls(emu, wall)
    t0 = datetime.fromtimestamp(wall.t, UTC)
    try:
        await v.list_live()
        wall.t += 10
        emu.update("room_1", video_kbps=1500, viewers=4)
        await v.list_live()
        wall.t += 10
        emu.update("room_1", fps=12.0)
        points = await v.stats_history("room_1", t0)
        recent = await v.stats_history("room_1", t0 + timedelta(seconds=15))
    finally:
        await v.aclose()
    assert [(p.video_kbps, p.viewers) for p in points] == [(1000.0, 1), (1500.0, 4), (1500.0, 4)]
    assert points[-1].fps == 12.0 and len(recent) == 1


@aio
async def test_control_endpoint_publishes_and_injects(emu: KingsoftEmulator, wall: Wall) -> None:
    async with httpx.AsyncClient(base_url=emu.base_url) as c:
        r = await c.post("/_sandbox/publish", json={"stream": "ctl", "viewers": 2})
        assert r.status_code == 200 and r.json()["live"] == ["ctl"]
        r = await c.post("/_sandbox/inject", json={"action": "GetBlacklist", "kind": "503"})
        assert r.json()["pending_faults"] == 1
        assert (await c.post("/_sandbox/inject", json={"kind": "boom"})).status_code == 400
    v = kls(emu, wall)
    try:
        assert [s.viewers for s in await v.list_live()] == [2]
        assert await v.blacklist() == []
    finally:
        await v.aclose()
    assert [c.fault for c in emu.calls_of("GetBlacklist")] == ["503", None]


@aio
async def test_documented_call_rates_go_through_the_gate(emu: KingsoftEmulator, wall: Wall) -> None:
    emu.publish("room_1")
    gate_sleeps = Sleeps()
    v = kls(emu, wall, gate=RateGate(rate_per_s=100, burst=100, clock=wall, sleep=gate_sleeps))
    try:
        for _ in range(6):
            await v.list_live()                   # ListRealtimePubStreamsInfo: 50/min, burst 5
        await v.blacklist()                       # other calls: the host's own bucket
    finally:
        await v.aclose()
    assert gate_sleeps.slept == [1.2]
