"""The nginx-rtmp provider, the sandbox nginx and test publishers, and the on_publish platform endpoint.

Pure tests parse captured-shape ``/stat`` XML (flags, nclients − 1, bits → kbps) and refuse hostile
XML; mock-transport tests pin the exact control URLs; the rest runs a real nginx with
libnginx-mod-rtmp and ffmpeg publishers on 127.0.0.1 (skipped outside CI when a Debian package is
missing, failed in CI).
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from console.db import tables as t
from console.db.engine import make_engine
from console.errors import ProviderRejected, ProviderUnavailable
from console.sandbox import nginx as sandbox_nginx
from console.sandbox.nginx import (
    FfmpegPublisher,
    NginxRtmpServer,
    free_port,
    missing_stream_tools,
    start_stream_sandbox,
)
from console.sandbox.platform import PlatformEndpoint
from console.services.http import HttpTransportPolicy
from console.services.video.base import StreamState
from console.services.video.nginx_rtmp import NginxRtmpVideo, parse_stat, stat_name
from tests.conftest import IN_CI, NOW

aio = pytest.mark.asyncio(loop_scope="session")

SAMPLED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

# The shape nginx-rtmp 1.1.4 (libnginx-mod-rtmp 1.2.2) sends: one publisher with one RTMP player,
# a stream kept by a waiting player after its publisher left (idle_streams on), a second app.
STAT_XML = b"""<?xml version="1.0" encoding="utf-8" ?>
<?xml-stylesheet type="text/xsl" href="stat.xsl" ?>
<rtmp>
<nginx_version>1.22.1</nginx_version><nginx_rtmp_version>1.1.4</nginx_rtmp_version>
<built>Feb 13 2023 11:56:56</built><pid>8990</pid><uptime>1675</uptime><naccepted>42</naccepted>
<bw_in>775624</bw_in><bytes_in>147994327</bytes_in><bw_out>0</bw_out><bytes_out>21168008</bytes_out>
<server>
<application>
<name>live</name>
<live>
<stream>
<name>room_10000001</name>
<time>1666343</time><bw_in>769064</bw_in><bytes_in>147994327</bytes_in><bw_out>0</bw_out>
<bytes_out>21168008</bytes_out><bw_audio>106904</bw_audio><bw_video>662152</bw_video>
<client><id>1382</id><address>127.0.0.1</address><time>4353</time><flashver>LNX 9,0,124,2</flashver>
<dropped>0</dropped><avsync>-8</avsync><timestamp>1703</timestamp><active/></client>
<client><id>24</id><address>10.1.2.3</address><time>1666300</time>
<flashver>FMLE/3.0 (compatible; Lavf59.27</flashver><dropped>0</dropped><avsync>-2</avsync>
<timestamp>1666290</timestamp><publishing/><active/></client>
<meta><video><width>640</width><height>360</height><frame_rate>25</frame_rate><codec>H264</codec>
<profile>High</profile><compat>0</compat><level>3.0</level></video>
<audio><codec>AAC</codec><profile>LC</profile><channels>1</channels><sample_rate>44100</sample_rate></audio></meta>
<nclients>2</nclients>
<publishing/>
<active/>
</stream>
<stream>
<name>a&amp;name=b</name>
<time>5000</time><bw_in>0</bw_in><bytes_in>0</bytes_in><bw_out>0</bw_out><bytes_out>0</bytes_out>
<bw_audio>0</bw_audio><bw_video>0</bw_video>
<client><id>77</id><address>127.0.0.1</address><time>5000</time><flashver>LNX 9,0,124,2</flashver>
<dropped>0</dropped><avsync>0</avsync><timestamp>0</timestamp></client>
<nclients>1</nclients>
</stream>
<nclients>3</nclients>
</live>
</application>
<application>
<name>other</name>
<live>
<stream>
<name>elsewhere</name><time>1000</time><bw_in>8000</bw_in><bytes_in>1</bytes_in><bw_out>0</bw_out>
<bytes_out>0</bytes_out><bw_audio>0</bw_audio><bw_video>8000</bw_video>
<client><id>3</id><address>127.0.0.1</address><time>1000</time><flashver>x</flashver><dropped>0</dropped>
<avsync>0</avsync><timestamp>0</timestamp><publishing/><active/></client>
<nclients>1</nclients><publishing/><active/>
</stream>
<nclients>1</nclients>
</live>
</application>
</server>
</rtmp>
"""


# --- pure: /stat parsing ---------------------------------------------------------------------------

def test_parse_stat_captured_shape() -> None:
    streams = parse_stat(STAT_XML, SAMPLED)
    assert [(s.app, s.stream) for s in streams] == [("live", "room_10000001"), ("live", "a&name=b"),
                                                     ("other", "elsewhere")]
    live = streams[0]
    assert live.state is StreamState.LIVE
    assert live.viewers == 1                       # nclients 2 includes the publisher
    assert live.video_kbps == pytest.approx(662.152)  # bw_video is bits/s
    assert live.audio_kbps == pytest.approx(106.904)
    assert (live.width, live.height, live.fps) == (640, 360, 25.0)
    assert (live.video_codec, live.audio_codec) == ("H264", "AAC")
    assert live.publisher_ip == "10.1.2.3"         # the publishing client, not the player
    assert live.started_at == SAMPLED - timedelta(milliseconds=1666300)  # the publisher's time, ms
    assert live.uptime_s == pytest.approx(1666.3)
    assert live.keyframe_interval_s is None
    idle = streams[1]                               # a player waiting, no <publishing/>: not live
    assert idle.state is StreamState.OFFLINE
    assert (idle.viewers, idle.started_at, idle.publisher_ip, idle.width) == (1, None, "", 0)


def test_parse_stat_flags_are_presence_not_text() -> None:
    xml = (b"<rtmp><server><application><name>live</name><live>"
           b"<stream><name>s</name><nclients>1</nclients><publishing></publishing></stream>"
           b"<stream><name>t</name><nclients>0</nclients><active/></stream>"
           b"</live></application></server></rtmp>")
    s, t_ = parse_stat(xml, SAMPLED)
    assert s.state is StreamState.LIVE and s.viewers == 0
    assert t_.state is StreamState.OFFLINE and t_.viewers == 0


def test_parse_stat_tolerates_odd_field_values_and_client_bytes() -> None:
    # a client-controlled field with a control byte and invalid UTF-8; a non-numeric frame rate
    xml = (b"<rtmp><server><application><name>live</name><live><stream><name>s</name>"
           b"<client><id>1</id><flashver>bad\x01\xff\xfe</flashver><publishing/></client>"
           b"<meta><video><frame_rate>29.97</frame_rate><width>n/a</width></video></meta>"
           b"<nclients>1</nclients><publishing/></stream></live></application></server></rtmp>")
    (s,) = parse_stat(xml, SAMPLED)
    assert s.state is StreamState.LIVE and s.fps == pytest.approx(29.97) and s.width == 0


def test_parse_stat_empty_server() -> None:
    assert parse_stat(b'<?xml version="1.0" encoding="utf-8" ?><rtmp><server><application><name>live'
                      b"</name><live><nclients>0</nclients></live></application></server></rtmp>", SAMPLED) == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rtmp [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rtmp><server><application><name>live</name><live><stream><name>&i;</name><publishing/></stream>
</live></application></server></rtmp>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rtmp [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rtmp><server><application><name>live</name><live><stream><name>&xxe;</name><publishing/></stream>
</live></application></server></rtmp>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE rtmp SYSTEM "http://127.0.0.1:9/evil.dtd">
<rtmp/>"""
QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE rtmp [<!ENTITY x "' + b"x" * 100_000 + b'">]><rtmp><server>'
             + b"&x;" * 10_000 + b"</server></rtmp>")


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, QUADRATIC],
                         ids=["billion-laughs", "external-entity", "external-dtd", "quadratic-blowup"])
def test_hostile_stat_is_refused_without_expansion(xml: bytes) -> None:
    t0 = time.perf_counter()
    with pytest.raises(ProviderUnavailable, match="refused the /stat document: it declares a DTD") as ei:
        parse_stat(xml, SAMPLED)
    assert time.perf_counter() - t0 < 0.5      # refused, not expanded
    assert ei.value.code == "hostile_xml"
    assert "passwd" not in str(ei.value) and "root:" not in str(ei.value)


@pytest.mark.parametrize("body, needle", [
    (b"<rtmp><server>", "not well-formed XML"),
    (b"", "not well-formed XML"),
    (b"<html><body>404 Not Found</body></html>", "root element <html>"),
    (b'{"streams": []}', "not well-formed XML"),
])
def test_malformed_stat_is_a_clear_provider_error(body: bytes, needle: str) -> None:
    with pytest.raises(ProviderUnavailable, match=needle) as ei:
        parse_stat(body, SAMPLED)
    assert ei.value.code == "malformed_stat" and ei.value.retryable
    assert str(ei.value).startswith("nginx-rtmp: ")


def test_stat_name_blanks_non_ascii_bytes() -> None:
    assert stat_name("room_1") == "room_1"
    assert stat_name("a&name=b") == "a&name=b"
    assert stat_name("房间") == " " * 6


# --- mock transport: exact control URLs, play URLs, history, blacklist -----------------------------

@dataclass
class FakeNginx:
    stat: bytes = STAT_XML
    drop_body: str = "1"
    seen: list[httpx.URL] | None = None

    def handler(self, request: httpx.Request) -> httpx.Response:
        assert self.seen is not None
        self.seen.append(request.url)
        if request.url.path == "/stat":
            return httpx.Response(200, content=self.stat, headers={"content-type": "text/xml"})
        if request.url.path.startswith("/control/drop/"):
            return httpx.Response(200, text=self.drop_body)
        return httpx.Response(404)


@pytest_asyncio.fixture(loop_scope="session")
async def fake() -> AsyncIterator[tuple[NginxRtmpVideo, FakeNginx, list[datetime]]]:
    nginx = FakeNginx(seen=[])
    now = [SAMPLED]
    client = httpx.AsyncClient(transport=httpx.MockTransport(nginx.handler))
    video = NginxRtmpVideo(client, stat_url="http://nginx.test/stat", control_url="http://nginx.test/control",
                           rtmp_base="rtmp://nginx.test:1935", hls_base="http://nginx.test/hls", clock=lambda: now[0])
    yield video, nginx, now
    await video.aclose()
    await client.aclose()


@aio
async def test_list_live_only_publishing_streams_of_the_app(fake: Any) -> None:
    video, _nginx, _now = fake
    live = await video.list_live()
    assert [h.stream for h in live] == ["room_10000001"]   # not the idle stream, not app "other"
    assert video.name == "nginx-rtmp"


@aio
async def test_drop_uses_both_args_for_plain_names(fake: Any) -> None:
    video, nginx, _now = fake
    await video.forbid("room_10000001")
    assert [str(u) for u in nginx.seen] == ["http://nginx.test/control/drop/publisher?app=live&name=room_10000001"]


@aio
async def test_drop_of_a_name_with_query_characters_targets_one_connection(fake: Any) -> None:
    video, nginx, _now = fake
    nginx.stat = STAT_XML.replace(b"<client><id>77</id>", b"<client><id>78</id><publishing/></client><client><id>77</id>")
    await video.forbid("a&name=b")
    # nginx would compare name= undecoded: the publisher is found in /stat and dropped by connection id
    assert [str(u) for u in nginx.seen] == ["http://nginx.test/stat",
                                           "http://nginx.test/control/drop/client?app=live&clientid=78"]
    nginx.seen.clear()
    await video.forbid("room 1")                    # not live: read /stat, drop nothing
    assert [str(u) for u in nginx.seen] == ["http://nginx.test/stat"]


@pytest.mark.parametrize("name, needle", [
    ("", "empty stream name"),
    ("room?token=1", "contains '?'"),
    ("x" * 256, "longer than 255 bytes"),
    ("房 间", "mixes non-ASCII characters with spaces"),
])
@aio
async def test_impossible_names_are_refused_before_any_request(fake: Any, name: str, needle: str) -> None:
    video, nginx, _now = fake
    with pytest.raises(ProviderRejected, match=needle):
        await video.forbid(name)
    assert nginx.seen == []


@aio
async def test_hostile_stat_through_the_provider(fake: Any) -> None:
    video, nginx, _now = fake
    nginx.stat = BILLION_LAUGHS
    with pytest.raises(ProviderUnavailable, match="declares a DTD or entities") as ei:
        await video.list_live()
    assert ei.value.code == "hostile_xml"
    with pytest.raises(ProviderUnavailable, match="declares a DTD or entities"):
        await video.forbid("room 1")                # the /stat read behind a connection-id drop too
    assert not any(u.path.startswith("/control") for u in nginx.seen)


@aio
async def test_unexpected_control_answer(fake: Any) -> None:
    video, nginx, _now = fake
    nginx.drop_body = "<html>proxy error</html>"
    with pytest.raises(ProviderUnavailable, match="unexpected control answer"):
        await video.forbid("room_1")


@aio
async def test_play_urls(fake: Any) -> None:
    video, _nginx, _now = fake
    assert video.play_url("room_1") == "rtmp://nginx.test:1935/live/room_1"
    assert video.play_url("room_1", protocol="hls", expires_in_s=60) == "http://nginx.test/hls/room_1.m3u8"
    assert video.play_url("房间", protocol="hls") == "http://nginx.test/hls/%E6%88%BF%E9%97%B4.m3u8"
    assert video.play_url("a&name=b", protocol="hls") == "http://nginx.test/hls/a%26name%3Db.m3u8"
    with pytest.raises(ProviderRejected, match="flv is not served by libnginx-mod-rtmp"):
        video.play_url("room_1", protocol="flv")


@aio
async def test_stats_history_is_this_instances_samples(fake: Any) -> None:
    video, _nginx, now = fake
    for i in range(3):
        now[0] = SAMPLED + timedelta(seconds=10 * i)
        await video.list_live()
    pts = await video.stats_history("room_10000001", SAMPLED + timedelta(seconds=5))
    assert [p.at for p in pts] == [SAMPLED + timedelta(seconds=10), SAMPLED + timedelta(seconds=20)]
    assert pts[0].video_kbps == pytest.approx(662.152) and pts[0].viewers == 1 and pts[0].fps == 25
    assert await video.stats_history("nobody", SAMPLED) == []


@aio
async def test_blacklist_resume_and_expiry(fake: Any) -> None:
    video, _nginx, now = fake
    await video.forbid("room_1", until=SAMPLED + timedelta(minutes=5))
    await video.forbid("room_2")
    assert [e.stream for e in await video.blacklist()] == ["room_1", "room_2"]
    now[0] = SAMPLED + timedelta(minutes=6)         # room_1's cut ran out
    assert [e.stream for e in await video.blacklist()] == ["room_2"]
    await video.resume("room_2")
    await video.resume("room_2")                     # idempotent
    assert await video.blacklist() == []
    assert await video.screenshots("room_1") == []
    assert [r.name for r in await video.renditions("room_10000001")] == ["source"]
    assert await video.renditions("room_2") == []


@aio
async def test_not_running_is_provider_unavailable_with_the_url(expect_log: list[str]) -> None:
    expect_log.append("giving up")
    port = free_port()
    async with httpx.AsyncClient(timeout=2.0) as client:
        video = NginxRtmpVideo(client, stat_url=f"http://127.0.0.1:{port}/stat",
                               control_url=f"http://127.0.0.1:{port}/control", rtmp_base=f"rtmp://127.0.0.1:{port}",
                               hls_base=f"http://127.0.0.1:{port}/hls",
                               policy=HttpTransportPolicy(retries=0))
        with pytest.raises(ProviderUnavailable, match=rf"nginx-rtmp: not reachable at http://127.0.0.1:{port}/stat"):
            await video.list_live()
        with pytest.raises(ProviderUnavailable, match="not reachable at .*is nginx running"):
            await video.forbid("room_1")
        with pytest.raises(ProviderUnavailable, match="not reachable at .*is nginx running"):
            await video.forbid("房间")                # the raw-socket path says the same


# --- the platform's on_publish endpoint, without nginx ---------------------------------------------

USER_ID = 10000001


async def add_room(engine: AsyncEngine, room_id: int, stream: str, state: str = "live") -> None:
    async with engine.begin() as conn:
        if (await conn.execute(sa.select(t.users.c.id).where(t.users.c.id == USER_ID))).first() is None:
            await conn.execute(t.users.insert().values(id=USER_ID, phone="13800000000", nickname="测试主播",
                                                       registered_at=NOW, channel="appstore", status="active"))
        await conn.execute(t.rooms.insert().values(id=room_id, owner_id=USER_ID, title=f"房间 {room_id}",
                                                   category="户外", stream_name=stream, state=state,
                                                   created_at=NOW, updated_at=NOW))


async def add_cut(engine: AsyncEngine, room_id: int, *, ends_at: datetime | None, lifted: bool = False) -> None:
    async with engine.begin() as conn:
        await conn.execute(t.sanctions.insert().values(
            user_id=USER_ID, room_id=room_id, kind="cut", scope="room", reason="test", issued_by="test-mod",
            starts_at=datetime.now(UTC) - timedelta(hours=1), ends_at=ends_at,
            lifted_by="test-mod" if lifted else None, lifted_at=datetime.now(UTC) if lifted else None))


async def set_state(engine: AsyncEngine, room_id: int, state: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(t.rooms.update().where(t.rooms.c.id == room_id).values(state=state))


@aio
async def test_on_publish_rules(engine: AsyncEngine, expect_log: list[str]) -> None:
    expect_log.append("belongs to no room")
    now = datetime.now(UTC)
    await add_room(engine, 1, "ok_room")
    await add_room(engine, 2, "cut_state", state="cut")                  # cut, no sanction: until resumed
    await add_room(engine, 3, "cut_sanction", state="live")
    await add_cut(engine, 3, ends_at=now + timedelta(hours=1))           # active sanction alone refuses
    await add_room(engine, 4, "cut_expired", state="cut")
    await add_cut(engine, 4, ends_at=now - timedelta(seconds=1))         # the cut ran out
    await add_room(engine, 5, "cut_lifted", state="offline")
    await add_cut(engine, 5, ends_at=None, lifted=True)
    await add_room(engine, 6, "gagged", state="live")
    async with engine.begin() as conn:                                    # other sanction kinds do not matter
        await conn.execute(t.sanctions.insert().values(user_id=USER_ID, room_id=6, kind="gag", scope="room",
                                                       reason="x", issued_by="m", starts_at=now))
    endpoint = PlatformEndpoint()
    base = await endpoint.start(engine, "127.0.0.1")
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            async def ask(name: str) -> tuple[int, str]:
                t0 = time.perf_counter()
                r = await client.post("/rtmp/on_publish", data={"call": "publish", "app": "live", "name": name,
                                                                "addr": "127.0.0.1", "clientid": "9"})
                assert time.perf_counter() - t0 < 1.0      # nginx waits for this answer
                return r.status_code, r.text.strip()

            assert await ask("ok_room") == (200, "ok")
            assert await ask("cut_state") == (403, "room 2 is cut until resumed")
            status, text = await ask("cut_sanction")
            assert status == 403 and text.startswith("room 3 is cut until 20")
            assert (await ask("cut_expired"))[0] == 200
            assert (await ask("cut_lifted"))[0] == 200
            assert (await ask("gagged"))[0] == 200
            assert (await ask("a&name=b"))[0] == 200                        # unknown: allowed, logged
            r = await client.post("/rtmp/on_publish_done", data={"app": "live", "name": "ok_room"})
            assert r.status_code == 200
    finally:
        await endpoint.stop()
        await endpoint.stop()


@aio
async def test_on_publish_refuses_when_the_database_is_unreadable(tmp_path: Path, expect_log: list[str]) -> None:
    expect_log.append("the database could not be read")
    broken = make_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    endpoint = PlatformEndpoint()
    try:
        decision = await endpoint.decide("room_1")       # not started: decide() is the handler's logic
        assert (decision.allowed, decision.status) == (False, 503)
        endpoint.engine = broken
        decision = await endpoint.decide("room_1")
        assert (decision.allowed, decision.status, decision.reason) == (False, 503, "database unavailable")
    finally:
        await broken.dispose()
    with pytest.raises(ValueError, match="loopback only"):
        await endpoint.start(broken, "0.0.0.0")


# --- real nginx + ffmpeg ------------------------------------------------------------------------------

def _require_stream_tools() -> None:
    missing = missing_stream_tools()
    if missing:
        msg = f"nginx-rtmp/ffmpeg not installed: apt-get install {' '.join(missing)}"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)


#: Rooms of the shared session database, so the publishers below are known streams.
SESSION_ROOMS = ["t_live", "t_drop", "t_other", "a", "b", "a&name=b", "room 1", "房间", "t_ended"]


@dataclass
class StreamEnv:
    server: NginxRtmpServer
    endpoint: PlatformEndpoint
    session_engine: AsyncEngine


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def stream_env(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> AsyncIterator[StreamEnv]:
    _require_stream_tools()
    db = tmp_path_factory.mktemp("nginx-db") / "session.db"
    shutil.copy(sqlite_template, db)
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    for i, name in enumerate(SESSION_ROOMS, start=1):
        await add_room(engine, 100 + i, name)
    endpoint = PlatformEndpoint()
    base = await endpoint.start(engine, "127.0.0.1")
    server = NginxRtmpServer(on_publish_base=base, screenshots_s=1)
    try:
        server.start()
        yield StreamEnv(server, endpoint, engine)
    finally:
        server.stop()
        await endpoint.stop()
        await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def video(stream_env: StreamEnv) -> AsyncIterator[NginxRtmpVideo]:
    urls = stream_env.server.urls
    async with httpx.AsyncClient(timeout=5.0) as client:
        v = NginxRtmpVideo(client, stat_url=urls.stat_url, control_url=urls.control_url,
                           rtmp_base=urls.rtmp_base, hls_base=urls.hls_base, shots_base=urls.shots_base)
        yield v
        await v.aclose()


@pytest.fixture
def publish(stream_env: StreamEnv) -> Iterator[Callable[[str], FfmpegPublisher]]:
    """Start a small test publisher for a stream name; every one is stopped after the test."""
    started: list[FfmpegPublisher] = []

    def start(stream: str) -> FfmpegPublisher:
        p = FfmpegPublisher(stream_env.server.publish_url(stream), f"测试 {stream}", size="320x180", rate=25,
                            video_kbps=300)
        started.append(p.start())
        return p

    yield start
    for p in started:
        p.close()


async def until(cond: Callable[[], Awaitable[bool]], timeout: float, what: str, step: float = 0.02) -> float:
    """Poll ``cond`` until true; return the seconds it took."""
    t0 = time.perf_counter()
    while not await cond():
        if time.perf_counter() - t0 > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(step)
    return time.perf_counter() - t0


async def live_names(video: NginxRtmpVideo) -> set[str]:
    return {h.stream for h in await video.list_live()}


def is_live(video: NginxRtmpVideo, *names: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return set(names) <= await live_names(video)
    return check


def exited(p: FfmpegPublisher) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return p.returncode is not None
    return check


@aio
async def test_list_live_sees_a_real_stream(video: NginxRtmpVideo, publish: Any) -> None:
    p = publish("t_live")

    async def has_meta() -> bool:
        return any(h.stream == "t_live" and h.width for h in await video.list_live())

    await until(has_meta, 8, "t_live live with its metadata")
    (h,) = [h for h in await video.list_live() if h.stream == "t_live"]
    assert (h.state, h.app, h.width, h.height, h.fps) == (StreamState.LIVE, "live", 320, 180, 25.0)
    assert (h.video_codec, h.audio_codec, h.publisher_ip, h.viewers) == ("H264", "AAC", "127.0.0.1", 0)
    assert h.started_at is not None and 0 <= h.uptime_s < 30
    assert len(await video.stats_history("t_live", h.sampled_at - timedelta(minutes=1))) >= 2
    (r,) = await video.renditions("t_live")
    assert (r.name, r.width, r.height, r.url) == ("source", 320, 180, video.play_url("t_live"))
    async with httpx.AsyncClient() as client:   # the HLS URL plays (first fragment after ~1 s)
        async def playlist() -> bool:
            resp = await client.get(video.play_url("t_live", protocol="hls"))
            return resp.status_code == 200 and b"#EXTM3U" in resp.content

        await until(playlist, 8, "HLS playlist", step=0.1)
    assert p.returncode is None


@aio
async def test_forbid_drops_within_a_second_and_leaves_others(video: NginxRtmpVideo, publish: Any) -> None:
    cut, other = publish("t_drop"), publish("t_other")
    await until(is_live(video, "t_drop", "t_other"), 8, "both streams live")
    t0 = time.perf_counter()
    await video.forbid("t_drop")

    async def gone() -> bool:
        return "t_drop" not in await live_names(video)

    await until(gone, 1.0, "t_drop gone from /stat")
    await until(exited(cut), 3.0, "the dropped ffmpeg exits")
    assert time.perf_counter() - t0 < 3.0
    assert cut.returncode != 0
    assert "t_other" in await live_names(video) and other.returncode is None
    await video.forbid("t_drop")                   # idempotent: nothing left to drop
    assert [e.stream for e in await video.blacklist()] == ["t_drop"]


@aio
async def test_cut_of_a_stream_that_already_ended(video: NginxRtmpVideo) -> None:
    assert "t_ended" not in await live_names(video)
    await video.forbid("t_ended", until=datetime.now(UTC) + timedelta(minutes=10))  # no error: nothing to drop
    assert [e.stream for e in await video.blacklist()] == ["t_ended"]
    await video.resume("t_ended")


@aio
async def test_odd_stream_names_drop_only_themselves(video: NginxRtmpVideo, publish: Any) -> None:
    pubs = {n: publish(n) for n in ["a", "b", "a&name=b", "room 1", "房间"]}
    await until(is_live(video, "a", "b", "a&name=b", "room 1", stat_name("房间")), 10, "five publishers live")
    await video.forbid("a&name=b")                 # a naive ?app=live&name=a&name=b would drop "a"
    await until(exited(pubs["a&name=b"]), 3.0, "a&name=b dropped")
    await video.forbid("room 1")
    await until(exited(pubs["room 1"]), 3.0, "room 1 dropped")
    await video.forbid("房间")
    await until(exited(pubs["房间"]), 3.0, "房间 dropped")
    await asyncio.sleep(0.1)
    assert await live_names(video) >= {"a", "b"}
    assert pubs["a"].returncode is None and pubs["b"].returncode is None


@aio
async def test_unknown_stream_is_allowed_and_logged(video: NginxRtmpVideo, publish: Any,
                                                    expect_log: list[str]) -> None:
    expect_log.append("belongs to no room")
    publish("t_unknown")
    await until(is_live(video, "t_unknown"), 8, "unknown stream live")


@pytest_asyncio.fixture(loop_scope="session")
async def platform_db(stream_env: StreamEnv, engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """Point the running on_publish endpoint at this test's database (SQLite or PostgreSQL)."""
    stream_env.endpoint.engine = engine
    try:
        yield engine
    finally:
        stream_env.endpoint.engine = stream_env.session_engine


async def refused(video: NginxRtmpVideo, p: FfmpegPublisher, stream: str) -> None:
    await until(exited(p), 5.0, f"{stream}: the refused ffmpeg exits")
    assert p.returncode != 0
    assert stream not in await live_names(video)


@aio
async def test_cut_room_cannot_publish_until_resumed(video: NginxRtmpVideo, publish: Any,
                                                     platform_db: AsyncEngine) -> None:
    await add_room(platform_db, 7, "t_cut")
    p = publish("t_cut")
    await until(is_live(video, "t_cut"), 8, "t_cut live")
    # what the ActionService does: the database first, then the provider drops the connection
    await set_state(platform_db, 7, "cut")
    await video.forbid("t_cut")
    await until(exited(p), 3.0, "t_cut dropped")
    again = publish("t_cut")                        # the streamer reconnects …
    await refused(video, again, "t_cut")            # … and on_publish says no
    await set_state(platform_db, 7, "live")         # resumed
    await video.resume("t_cut")
    publish("t_cut")
    await until(is_live(video, "t_cut"), 8, "t_cut live again after resume")


@aio
async def test_cut_sanction_blocks_until_lifted_and_expired_cut_does_not(video: NginxRtmpVideo, publish: Any,
                                                                         platform_db: AsyncEngine) -> None:
    await add_room(platform_db, 8, "t_sanction", state="cut")
    await add_cut(platform_db, 8, ends_at=datetime.now(UTC) + timedelta(hours=1))
    await refused(video, publish("t_sanction"), "t_sanction")
    async with platform_db.begin() as conn:       # lifted: state stays 'cut', the sanction decides
        await conn.execute(t.sanctions.update().where(t.sanctions.c.room_id == 8)
                           .values(lifted_at=datetime.now(UTC), lifted_by="test-mod"))
    publish("t_sanction")
    await until(is_live(video, "t_sanction"), 8, "t_sanction live after the lift")
    await add_room(platform_db, 9, "t_expired", state="cut")
    await add_cut(platform_db, 9, ends_at=datetime.now(UTC) - timedelta(minutes=1))
    publish("t_expired")
    await until(is_live(video, "t_expired"), 8, "t_expired live: its cut ended")


@aio
async def test_stopped_nginx_is_provider_unavailable(expect_log: list[str]) -> None:
    _require_stream_tools()
    expect_log.append("giving up")
    server = NginxRtmpServer(hls=False).start()
    urls = server.urls
    assert "idle_streams off" in server.render_config() and "on_publish" not in server.render_config()
    server.stop()
    assert not server.running
    async with httpx.AsyncClient(timeout=2.0) as client:
        video = NginxRtmpVideo(client, stat_url=urls.stat_url, control_url=urls.control_url,
                               rtmp_base=urls.rtmp_base, hls_base=urls.hls_base)
        with pytest.raises(ProviderUnavailable, match=f"not reachable at {urls.stat_url}") as ei:
            await video.list_live()
        assert ei.value.retryable


@aio
async def test_sandbox_config_and_publisher_command(stream_env: StreamEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = stream_env.server.render_config()
    for needle in ("idle_streams off;", "hls_fragment 1s;", "hls_playlist_length 6s;", "rtmp_stat all;",
                   "rtmp_control all;", f"on_publish {stream_env.endpoint.base_url}/rtmp/on_publish;",
                   "notify_method post;", "listen 127.0.0.1:"):
        assert needle in conf
    p = FfmpegPublisher("rtmp://127.0.0.1:1935/live/a&name=b", "房间 'x': 100%")
    try:
        cmd = p.command()
        assert cmd[-5:] == ["-rtmp_playpath", "a&name=b", "-f", "flv", "rtmp://127.0.0.1:1935/live"]
        assert ["-g", "25"] == cmd[cmd.index("-g"):cmd.index("-g") + 2]
        if sandbox_nginx.find_cjk_font() is not None:
            vf = cmd[cmd.index("-vf") + 1]
            assert vf.count("drawtext=") == 2 and "房间" not in vf     # the name comes from a text file
            assert (p._dir / "name.txt").read_text(encoding="utf-8") == "房间 'x': 100%"
        monkeypatch.setitem(sandbox_nginx._font_cache, "cjk", None)
        assert "-vf" not in p.command()                              # no CJK font: no text, still a picture
    finally:
        p.close()
    with pytest.raises(ValueError, match="expected rtmp://HOST:PORT/APP/STREAM"):
        FfmpegPublisher("rtmp://127.0.0.1:1935/live", "x")


@aio
async def test_stream_sandbox_publishes_the_live_rooms(stream_env: StreamEnv) -> None:
    sandbox = await start_stream_sandbox(stream_env.session_engine, count=2, size="320x180")
    try:
        assert [p.stream for p in sandbox.publishers] == SESSION_ROOMS[:2]
        urls = sandbox.server.urls
        async with httpx.AsyncClient(timeout=5.0) as client:
            video = NginxRtmpVideo(client, stat_url=urls.stat_url, control_url=urls.control_url,
                                   rtmp_base=urls.rtmp_base, hls_base=urls.hls_base)
            await until(is_live(video, *SESSION_ROOMS[:2]), 8, "the sandbox's publishers live")
    finally:
        await sandbox.aclose()
        await sandbox.aclose()
    assert not sandbox.server.running and all(p.returncode is not None for p in sandbox.publishers)


def test_missing_packages_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sandbox_nginx, "RTMP_MODULE", tmp_path / "ngx_rtmp_module.so")
    assert "libnginx-mod-rtmp" in missing_stream_tools()
    with pytest.raises(sandbox_nginx.SandboxToolMissing, match="Debian package libnginx-mod-rtmp"):
        NginxRtmpServer().start()


@aio
async def test_screenshots_of_a_live_stream(video: NginxRtmpVideo, publish: Any) -> None:
    """exec_push writes the latest keyframe; the provider lists it (dated) and fetches a real JPEG."""
    assert await video.screenshots("t_other") == []  # nothing published yet
    publish("t_other")
    shots: list[Any] = []

    async def has_shot() -> bool:
        shots[:] = await video.screenshots("t_other")
        return bool(shots)

    await until(has_shot, 20, "a screenshot of t_other", step=0.2)
    img = await video.screenshot_image(shots[0])
    assert img.startswith(b"\xff\xd8\xff") and len(img) > 1000
    assert abs((shots[0].taken_at - datetime.now(UTC)).total_seconds()) < 30
