"""The preview player and the wall against a real nginx-rtmp with ffmpeg test publishers.

Pure parts (play URLs, budget, backoff, MIME) run anywhere. The player tests embed libvlc in a
native X window, so they need Qt's xcb platform under Xvfb: when the session's QApplication is
``offscreen`` (tests/conftest.py's default) and a display exists, each such test re-runs itself
in a subprocess with ``QT_QPA_PLATFORM=xcb`` and passes or fails with it.

Pixels are checked with ``QScreen.grabWindow`` (``QWidget.grab`` misses the video window): the
six colour bars of ffmpeg's ``testsrc2`` must be where they belong.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa
from aiohttp import web
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from console.db import tables as t
from console.domain import Role
from console.errors import ProviderRejected
from console.sandbox.nginx import FfmpegPublisher, NginxRtmpServer, free_port, missing_stream_tools
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.video.base import VideoProvider
from console.services.video.nginx_rtmp import NginxRtmpVideo
from console.services.video.playback import (
    ROOM_MIME,
    Backoff,
    LiveCheck,
    PlaybackError,
    PlayUrls,
    RoomRef,
    StillCache,
    decode_budget,
    decode_cost,
    plan_wall,
    probe,
    redact_play_url,
    room_ref_from_row,
    snapshot_evidence,
    vlc_instance_args,
    vlc_media_options,
)
from tests.conftest import IN_CI, operator

ROOT = Path(__file__).resolve().parent.parent
aio = pytest.mark.asyncio(loop_scope="session")
VLC_ARGS = ["--aout=adummy"]
#: testsrc2's six vertical bars, left to right.
BARS = [(255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 255), (255, 0, 255), (0, 255, 255)]


# --- pure ------------------------------------------------------------------------------------------

def test_room_ref_travels_as_json_and_refuses_bad_payloads() -> None:
    r = RoomRef(stream="room_1", provider="nginx-rtmp", room_id=7, title="房间 7", streamer="主播", width=1280,
                height=720, fps=25.0)
    assert RoomRef.from_json(r.to_json()) == r
    assert r.key == "nginx-rtmp/room_1" and r.label == "7 房间 7"
    for bad in (b"not json", b"[]", b'{"stream": "x"}', b'{"stream": "", "provider": "p"}',
                b'{"stream": "x", "provider": "p", "room_id": "7"}', b'{"stream": "x", "provider": "p", "room_id": true}'):
        with pytest.raises(Exception, match="application/x-shihou-room"):
            RoomRef.from_json(bad)
    assert ROOM_MIME == "application/x-shihou-room"


def test_budget_from_cores_and_plan() -> None:
    b2 = decode_budget(2)
    assert decode_budget(4) == 2 * b2
    c720 = decode_cost(1280, 720, 25)
    assert decode_cost(0, 0, 0) == c720                  # unknown: assume 720p25
    # nine 720p25 tiles fit two cores (measured: 66 % of one core); the focused tile always decodes
    assert plan_wall([c720] * 9, 4, b2) == ["video"] * 9
    assert plan_wall([c720] * 9, 8, decode_budget(1)) == ["video"] * 5 + ["still"] * 3 + ["video"]
    assert plan_wall([None, c720, None], None, 1.0) == [None, "still", None]
    assert plan_wall([c720, c720], 1, 1.0) == ["still", "video"]


def test_room_monitor_row_becomes_a_room_ref() -> None:
    from console.domain import RoomId, RoomInfo, UserId
    from console.services.monitor import RoomRow
    from console.services.video.base import StreamHealth, StreamState

    info = RoomInfo(id=RoomId(5), owner_id=UserId(10000001), streamer="小明", title="上分", category="游戏",
                    stream_name="room_5", state="live")
    h = StreamHealth(stream="room_5", app="live", state=StreamState.LIVE, sampled_at=datetime(2026, 1, 1, tzinfo=UTC),
                     width=1280, height=720, fps=25.0)
    row = RoomRow(key="nginx-rtmp/room_5", provider="nginx-rtmp", stream="room_5", room=info, health=h, state="live",
                  alerts=frozenset(), risk=0.0)
    ref = room_ref_from_row(row)
    assert (ref.room_id, ref.stream, ref.provider, ref.title, ref.streamer) == (5, "room_5", "nginx-rtmp", "上分", "小明")
    assert (ref.width, ref.height, ref.fps) == (1280, 720, 25.0)
    bare = room_ref_from_row(RoomRow(key="k/s", provider="k", stream="s", room=None, health=None, state="cut",
                                     alerts=frozenset(), risk=0.0))
    assert bare.room_id is None and bare.title == "s" and decode_cost(bare.width, bare.height, bare.fps) > 0


def test_backoff_doubles_to_the_cap_and_resets() -> None:
    b = Backoff(base_s=0.5, cap_s=4.0, jitter=0.0)
    assert [b.next() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    b.reset()
    assert b.next() == 0.5
    j = Backoff(base_s=1.0, jitter=0.2, rand=lambda: 1.0)
    assert j.next() == pytest.approx(1.2)


def test_signed_urls_are_redacted_and_options_are_the_measured_ones() -> None:
    assert redact_play_url("rtmp://p.example/live/s?t=1700000000&k=abcdef") == \
        "rtmp://p.example/live/s?t=1700000000&k=***"
    assert redact_play_url("http://h/x.m3u8") == "http://h/x.m3u8"
    args = vlc_instance_args(extra=["--aout=adummy"])
    assert "--avio-options={tcp_nodelay=1}" in args and "--network-caching=1000" in args
    assert "--swscale-mode=0" in args
    assert args[-1] == "--aout=adummy"
    assert ":avcodec-threads=1" in vlc_media_options("rtmp", tile=True)
    assert ":avcodec-threads=1" not in vlc_media_options("rtmp", tile=False)
    ev = snapshot_evidence(None, datetime(2026, 1, 1, tzinfo=UTC), None, backend="vlc", error="x")
    assert ev == {"taken_at": "2026-01-01T00:00:00+00:00", "backend": "vlc", "error": "x"}


@aio
async def test_play_urls_fall_back_to_a_served_protocol_and_resign() -> None:
    now = [1000.0]
    async with httpx.AsyncClient() as client:
        video = NginxRtmpVideo(client, stat_url="http://n/stat", control_url="http://n/control",
                               rtmp_base="rtmp://n:1935", hls_base="http://n/hls")
        urls = PlayUrls(video, "room_1", protocols=("flv", "hls"), sign_for_s=600, clock=lambda: now[0])
        t1 = urls.get()
        assert (t1.protocol, t1.url) == ("hls", "http://n/hls/room_1.m3u8")   # nginx-rtmp serves no FLV
        assert urls.get() is t1
        now[0] += 600 - 60                                                     # inside the re-sign margin
        t2 = urls.get()
        assert t2 is not t1 and t2.expires_at == now[0] + 600
        with pytest.raises(PlaybackError, match="no playable URL.*flv"):
            PlayUrls(video, "room_1", protocols=("flv",)).get()
        with pytest.raises(PlaybackError, match="contains '\\?'"):
            PlayUrls(video, "bad?name").get()


def test_still_cache_keeps_the_latest_frame(tmp_path: Path) -> None:
    cache = StillCache(tmp_path / "stills")
    assert cache.latest("p", "s/1") is None
    tmp = cache.scratch("p", "s/1")
    img = QImage(32, 18, QImage.Format.Format_RGB32)
    img.fill(Qt.GlobalColor.red)
    assert img.save(str(tmp))
    still = cache.store("p", "s/1", tmp)
    assert still is not None and still.path == cache.path_for("p", "s/1") and not tmp.exists()
    assert "/" not in still.path.name and cache.latest("p", "s/1") == still
    empty = cache.scratch("p", "s/1")
    empty.write_bytes(b"")
    assert cache.store("p", "s/1", empty) is None and cache.latest("p", "s/1") == still


# --- the real server --------------------------------------------------------------------------------

def _need_tools() -> None:
    missing = missing_stream_tools()
    if missing:
        if IN_CI:
            pytest.fail(f"missing Debian packages in CI: {' '.join(missing)}")
        pytest.skip(f"needs Debian packages: {' '.join(missing)}")


@pytest.fixture(scope="module")
def nginx() -> Iterator[NginxRtmpServer]:
    _need_tools()
    with NginxRtmpServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def streams(nginx: NginxRtmpServer) -> Iterator[list[str]]:
    """Four publishers (320x180, 25 fps, 1 s GOP) that stay up for the module."""
    names = [f"wall_{i}" for i in range(4)]
    pubs = [FfmpegPublisher(nginx.publish_url(n), n, size="320x180").start() for n in names]
    _wait_publishing(nginx, names)
    yield names
    for p in pubs:
        p.close()


def _stat(nginx: NginxRtmpServer) -> str:
    return httpx.get(nginx.urls.stat_url, timeout=2).text


def _wait_publishing(nginx: NginxRtmpServer, names: list[str], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = _stat(nginx)
        if all(f"<name>{n}</name>" in body for n in names) and body.count("<publishing/>") >= len(names):
            # the HLS playlists too (the HLS tests open them)
            if all((Path(nginx.dir or "") / "hls" / f"{n}.m3u8").exists() for n in names):
                return
        time.sleep(0.1)
    raise AssertionError(f"streams {names} not publishing: {_stat(nginx)[:2000]}")


def _provider(nginx: NginxRtmpServer, client: httpx.AsyncClient) -> NginxRtmpVideo:
    u = nginx.urls
    return NginxRtmpVideo(client, stat_url=u.stat_url, control_url=u.control_url, rtmp_base=u.rtmp_base,
                          hls_base=u.hls_base)


@pytest_asyncio.fixture(loop_scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=3.0, trust_env=False) as c:
        yield c


class BadServer:
    """An HTTP server on 127.0.0.1 that answers 403, garbage playlists and FLVs that are not FLV."""

    def __init__(self) -> None:
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> str:
        async def forbidden(_r: web.Request) -> web.Response:
            return web.Response(status=403, text="expired")

        async def garbage(_r: web.Request) -> web.Response:
            return web.Response(body=os.urandom(4096), content_type="application/vnd.apple.mpegurl")

        app = web.Application()
        app.router.add_get("/expired/{name}", forbidden)
        app.router.add_get("/garbage/{name}", garbage)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        self.port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest_asyncio.fixture(loop_scope="session")
async def bad_server() -> AsyncIterator[str]:
    s = BadServer()
    base = await s.start()
    yield base
    await s.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def noise_port() -> AsyncIterator[int]:
    """A TCP server that accepts and sends random bytes (a corrupt RTMP server)."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(50):
                writer.write(os.urandom(4096))
                await writer.drain()
                await asyncio.sleep(0.1)
        except OSError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@aio
async def test_probe_reasons(nginx: NginxRtmpServer, streams: list[str], client: httpx.AsyncClient,
                             bad_server: str) -> None:
    u = nginx.urls
    assert (await probe(client, f"{u.rtmp_base}/live/{streams[0]}")).verdict == "ok"
    assert (await probe(client, f"{u.hls_base}/{streams[0]}.m3u8")).verdict == "ok"
    dead = free_port()
    r = await probe(client, f"rtmp://127.0.0.1:{dead}/live/x")
    assert r.verdict == "error" and f"无法连接 127.0.0.1:{dead}" in r.reason
    r = await probe(client, f"{u.hls_base}/nobody.m3u8")
    assert r.verdict == "offline" and "404" in r.reason
    r = await probe(client, f"{bad_server}/expired/x.m3u8?t=1&k=abc")
    assert r.verdict == "error" and "403" in r.reason and "签名" in r.reason
    r = await probe(client, f"{bad_server}/garbage/x.m3u8")
    assert r.verdict == "error" and "不是 HLS 播放列表" in r.reason
    r = await probe(client, f"ftp://127.0.0.1/{streams[0]}")
    assert r.verdict == "error" and "ftp" in r.reason


@aio
async def test_live_check_is_shared_and_tolerates_an_unreachable_provider(nginx: NginxRtmpServer, streams: list[str],
                                                                         client: httpx.AsyncClient,
                                                                         expect_log: list[str]) -> None:
    expect_log.append("giving up")
    lc = LiveCheck(ttl_s=60)
    video = _provider(nginx, client)
    assert await lc.is_live(video, streams[0]) is True
    assert await lc.is_live(video, "nobody") is False
    port = free_port()
    gone = NginxRtmpVideo(client, stat_url=f"http://127.0.0.1:{port}/stat", control_url=f"http://127.0.0.1:{port}/c",
                          rtmp_base=f"rtmp://127.0.0.1:{port}", hls_base=f"http://127.0.0.1:{port}/hls")
    assert await lc.is_live(gone, streams[0]) is None


# --- Qt under xcb ----------------------------------------------------------------------------------------

def run_here_or_under_xcb(request: pytest.FixtureRequest) -> bool:
    """True: this process has Qt on xcb, run the test body. False: it ran (and passed) in a subprocess."""
    if QGuiApplication.platformName() == "xcb":
        return True
    if not os.environ.get("DISPLAY"):
        if IN_CI:
            pytest.fail("libvlc embedding needs an X display: run the tests under xvfb-run")
        pytest.skip("libvlc embedding needs an X display (xvfb-run; Debian packages xvfb xauth)")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"under xcb:\n{r.stdout[-8000:]}\n{r.stderr[-3000:]}"
    return False


async def until(cond: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    try:
        async with asyncio.timeout(timeout):
            while not cond():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what or cond}") from None


def grab(wid: int) -> QImage:
    screen = QApplication.primaryScreen()
    return screen.grabWindow(wid).toImage()


def bars_seen(img: QImage) -> int:
    """How many of testsrc2's six bars show in their place (the picture is letterboxed into the window)."""
    w, h = img.width(), img.height()
    if w < 60 or h < 40:
        return 0
    # the picture is 16:9, centred
    pw, ph = (w, w * 9 // 16) if w * 9 <= h * 16 else (h * 16 // 9, h)
    x0, y0 = (w - pw) // 2, (h - ph) // 2
    ok = 0
    for k, (er, eg, eb) in enumerate(BARS):
        x = x0 + int((k + 0.5) * pw / 6)
        hits = 0
        n = 16
        for j in range(n):
            y = y0 + int(ph * (0.25 + 0.55 * j / (n - 1)))
            c = img.pixelColor(x, y)
            if abs(c.red() - er) < 70 and abs(c.green() - eg) < 70 and abs(c.blue() - eb) < 70:
                hits += 1
        if hits >= n * 0.3:
            ok += 1
    return ok


def make_player(**kw: Any) -> Any:
    from console.views.preview import PreviewPlayer

    p = PreviewPlayer(vlc_args=VLC_ARGS, still_cache=StillCache(Path(kw.pop("tmp")) / "stills"),
                      backoff=kw.pop("backoff", Backoff(base_s=0.3, cap_s=1.0, jitter=0.0)), **kw)
    p.resize(640, 400)
    return p


@aio
async def test_player_shows_real_frames_rtmp_and_hls_then_evidence(request: pytest.FixtureRequest,
                                                                   tmp_path: Path, qtbot: Any) -> None:
    if not run_here_or_under_xcb(request):
        return
    from console.views.preview import PlayerState

    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    streams: list[str] = request.getfixturevalue("streams")
    async with httpx.AsyncClient(trust_env=False) as client:
        video = _provider(nginx, client)
        p = make_player(tmp=tmp_path)
        qtbot.addWidget(p)
        p.show()
        assert p.backend_name == "vlc" and p.notice.isHidden()
        try:
            for proto in ("rtmp", "hls"):
                room = RoomRef(stream=streams[0], provider=video.name, room_id=None, title=proto)
                p.open(room, video, protocols=(proto,))
                assert p.state == PlayerState.CONNECTING
                await until(lambda: p.state == PlayerState.PLAYING, 20, f"{proto} playing")
                assert p.target is not None and p.target.protocol == proto
                await until(lambda: bars_seen(p.grab_video()) >= 5, 10, f"{proto} colour bars")
                await until(lambda: p.video_size() == (320, 180), 5, "video size")
            ev = await p.take_evidence()
            assert ev["kind"] == "live_frame" and ev["play_url"].endswith(".m3u8") and ev["protocol"] == "hls"
            img = QImage(ev["path"])
            assert (img.width(), img.height()) == (320, 180) and bars_seen(img) >= 5
            import hashlib

            assert ev["sha256"] == hashlib.sha256(Path(ev["path"]).read_bytes()).hexdigest()
            from console.views.preview import evidence_pixmap

            pm = evidence_pixmap({"snapshot": ev})
            assert pm is not None and (pm.width(), pm.height()) == (480, 270)
            assert evidence_pixmap({"snapshot": {**ev, "sha256": "0" * 64}}) is None   # not the recorded frame
            assert evidence_pixmap({"snapshot": {"path": "/nonexistent.png"}}) is None and evidence_pixmap(None) is None
            # the still cache got the frame (2 s after the first picture): a reopen shows it at once, marked
            await until(lambda: p.still_cache.latest(video.name, streams[0]) is not None, 5, "cached still")
            p.stop()
            t0 = time.perf_counter()
            p.open(RoomRef(stream=streams[0], provider=video.name), video, protocols=("rtmp",))
            assert p.still is not None and p.still.source == "cache"
            assert p.still_at is not None and (p.still_at - t0) < 0.3
            assert p.still_view.tag.startswith("静态") and p.state == PlayerState.CONNECTING
            assert p.still_view.pixmap is not None and "正在连接" in p.still_view.message
            await until(lambda: p.state == PlayerState.PLAYING, 20, "live after the still")
            await until(lambda: bars_seen(p.grab_video()) >= 5, 10, "live over the still")
        finally:
            p.shutdown()


@aio
async def test_player_survives_publisher_restart_and_shows_offline_on_cut(request: pytest.FixtureRequest,
                                                                         tmp_path: Path, qtbot: Any) -> None:
    if not run_here_or_under_xcb(request):
        return
    from console.views.preview import PlayerState

    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    pub = FfmpegPublisher(nginx.publish_url("flappy"), "flappy", size="320x180").start()
    states: list[str] = []
    async with httpx.AsyncClient(trust_env=False) as client:
        video = _provider(nginx, client)
        p = make_player(tmp=tmp_path, live_check=LiveCheck(ttl_s=0.0))
        qtbot.addWidget(p)
        p.state_changed.connect(lambda s, _r: states.append(s))
        p.show()
        try:
            _wait_publishing(nginx, ["flappy"])
            p.open(RoomRef(stream="flappy", provider=video.name), video, protocols=("rtmp",))
            await until(lambda: p.state == PlayerState.PLAYING, 20, "playing")
            # the publisher stops: offline, retries with backoff, then plays again when it is back
            pub.stop()
            await until(lambda: p.state == PlayerState.OFFLINE, 10, "offline after the publisher stopped")
            assert "结束" in p.reason or "没有推流" in p.reason
            await asyncio.sleep(1.5)
            assert p.state in (PlayerState.OFFLINE, PlayerState.CONNECTING) and p.attempts >= 2
            pub.start()
            await until(lambda: p.state == PlayerState.PLAYING, 25, "playing after the restart")
            await until(lambda: bars_seen(p.grab_video()) >= 5, 10, "bars after the restart")
            # a cut through nginx's control module: offline, and it stays offline while nobody publishes
            states.clear()
            await video.forbid("flappy")
            await until(lambda: p.state == PlayerState.OFFLINE, 10, "offline after the cut")
            await asyncio.sleep(2.0)
            assert PlayerState.PLAYING.value not in states and p.state in (PlayerState.OFFLINE, PlayerState.CONNECTING)
            assert pub.returncode is not None        # ffmpeg exits when dropped
        finally:
            p.shutdown()
            pub.close()


@aio
async def test_hls_player_goes_offline_on_a_cut_without_playing_out_its_buffer(
        request: pytest.FixtureRequest, tmp_path: Path, qtbot: Any) -> None:
    if not run_here_or_under_xcb(request):
        return
    from console.views.preview import PlayerState

    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    pub = FfmpegPublisher(nginx.publish_url("hlscut"), "hlscut", size="320x180").start()
    async with httpx.AsyncClient(trust_env=False) as client:
        video = _provider(nginx, client)
        p = make_player(tmp=tmp_path, live_check=LiveCheck(ttl_s=0.0), liveness_every_s=1.0)
        qtbot.addWidget(p)
        p.show()
        try:
            _wait_publishing(nginx, ["hlscut"])
            p.open(RoomRef(stream="hlscut", provider=video.name), video, protocols=("hls",))
            await until(lambda: p.state == PlayerState.PLAYING, 20, "playing")
            await asyncio.sleep(2.5)                  # live checks pass while it publishes
            assert p.state == PlayerState.PLAYING
            t0 = time.monotonic()
            await video.forbid("hlscut")
            await until(lambda: p.state == PlayerState.OFFLINE, 6, "offline (VLC alone: 12-15 s)")
            assert time.monotonic() - t0 < 6 and "没有推流" in p.reason
        finally:
            p.shutdown()
            pub.close()


@aio
async def test_hidden_or_minimised_stops_decoding(request: pytest.FixtureRequest, tmp_path: Path, qtbot: Any) -> None:
    if not run_here_or_under_xcb(request):
        return
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from console.views.preview import PlayerState

    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    streams: list[str] = request.getfixturevalue("streams")
    async with httpx.AsyncClient(trust_env=False) as client:
        video = _provider(nginx, client)
        win = QWidget()
        qtbot.addWidget(win)
        p = make_player(tmp=tmp_path)
        QVBoxLayout(win).addWidget(p)
        win.resize(640, 420)
        win.show()
        try:
            p.open(RoomRef(stream=streams[1], provider=video.name), video, protocols=("hls",))
            await until(lambda: p.state == PlayerState.PLAYING, 20, "playing")
            p.hide()
            await until(lambda: p.state == PlayerState.PAUSED and not p.running, 5, "paused when hidden")
            p.show()
            await until(lambda: p.state == PlayerState.PLAYING, 20, "playing when shown")
            win.showMinimized()
            await until(lambda: p.state == PlayerState.PAUSED and not p.running, 5, "paused when minimised")
            win.showNormal()
            await until(lambda: p.state == PlayerState.PLAYING, 20, "playing when restored")
        finally:
            p.shutdown()


@aio
async def test_bad_inputs_give_a_clear_state_without_freezing(request: pytest.FixtureRequest, tmp_path: Path,
                                                              qtbot: Any, bad_server: str, noise_port: int,
                                                              expect_log: list[str]) -> None:
    expect_log.append("giving up")  # the live check asks the unreachable servers' /stat
    if not run_here_or_under_xcb(request):
        return
    from PySide6.QtCore import QTimer

    from console.views.preview import PlayerState

    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    ticks = [0]
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start(20)
    dead = free_port()
    async with httpx.AsyncClient(trust_env=False) as client:
        cases: list[tuple[str, VideoProvider, str, str, PlayerState]] = [
            ("unreachable", NginxRtmpVideo(client, stat_url=f"http://127.0.0.1:{dead}/stat",
                                           control_url=f"http://127.0.0.1:{dead}/control",
                                           rtmp_base=f"rtmp://127.0.0.1:{dead}", hls_base="http://x/hls"),
             "rtmp", "无法连接", PlayerState.ERROR),
            ("expired signature", NginxRtmpVideo(client, stat_url=f"{bad_server}/stat", control_url=f"{bad_server}/c",
                                                 rtmp_base="rtmp://127.0.0.1:1", hls_base=f"{bad_server}/expired"),
             "hls", "403", PlayerState.ERROR),
            ("corrupt playlist", NginxRtmpVideo(client, stat_url=f"{bad_server}/stat", control_url=f"{bad_server}/c",
                                                rtmp_base="rtmp://127.0.0.1:1", hls_base=f"{bad_server}/garbage"),
             "hls", "不是 HLS", PlayerState.ERROR),
            ("not publishing", _provider(nginx, client), "hls", "404", PlayerState.OFFLINE),
        ]
        p = make_player(tmp=tmp_path, connect_timeout_s=4.0, live_check=LiveCheck(ttl_s=0.0))
        qtbot.addWidget(p)
        p.show()
        try:
            for name, video, proto, needle, want in cases:
                p.open(RoomRef(stream="nobody", provider=video.name), video, protocols=(proto,))
                await until(lambda w=want, n=needle: p.state == w and n in p.reason, 10, name)  # type: ignore[misc]
                assert "重试" in p.reason, name
                assert p.still_view.message.startswith(p.reason.split("\n")[0]), name
            # an RTMP server that answers with noise: no picture -> libvlc's error or the watchdog's
            noise = NginxRtmpVideo(client, stat_url=f"{bad_server}/stat", control_url=f"{bad_server}/c",
                                   rtmp_base=f"rtmp://127.0.0.1:{noise_port}",
                                   hls_base=f"{bad_server}/hls")
            p.open(RoomRef(stream="noise", provider="noise"), noise, protocols=("rtmp",))
            await until(lambda: p.state == PlayerState.ERROR, 15, "corrupt stream")
            assert "没有画面" in p.reason or "无法打开" in p.reason
            before = ticks[0]
            await asyncio.sleep(0.5)
            assert ticks[0] - before >= 15          # the event loop kept running (20 ms timer)
        finally:
            timer.stop()
            p.shutdown()


@pytest.mark.qt_log_ignore("pipewire", "PulseAudio", "loops for non-seekable", "No audio device")
@aio
async def test_qtmultimedia_fallback_plays_with_a_notice(request: pytest.FixtureRequest, tmp_path: Path,
                                                         qtbot: Any) -> None:
    if not run_here_or_under_xcb(request):
        return
    from console.views.preview import PlayerState, QtBackend

    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    streams: list[str] = request.getfixturevalue("streams")
    async with httpx.AsyncClient(trust_env=False) as client:
        video = _provider(nginx, client)
        p = make_player(tmp=tmp_path, engine="qt")
        qtbot.addWidget(p)
        p.show()
        try:
            assert isinstance(p.backend, QtBackend) and p.backend_name == "qt"
            p.open(RoomRef(stream=streams[2], provider=video.name), video, protocols=("hls",))
            await until(lambda: p.state == PlayerState.PLAYING, 20, "qt playing")
            await until(lambda: p.backend.last_frame is not None and bars_seen(p.backend.last_frame.toImage()) >= 5,
                        10, "qt frame with bars")
            ev = await p.take_evidence()
            assert ev["kind"] == "live_frame" and ev["backend"] == "qt" and Path(ev["path"]).stat().st_size > 0
        finally:
            p.shutdown()


LIBVLC_MISSING = textwrap.dedent("""
    import asyncio, os, sys
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ["PYTHON_VLC_LIB_PATH"] = "/nonexistent/libvlc.so.5"   # python-vlc cannot load libvlc
    import qasync
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from console.services.video.playback import RoomRef, StillCache
    from console.services.video.nginx_rtmp import NginxRtmpVideo
    from console.views.preview import PreviewPlayer, PlayerState, load_libvlc
    import httpx

    async def main():
        assert load_libvlc()[1] is None
        async with httpx.AsyncClient(trust_env=False) as client:
            v = NginxRtmpVideo(client, stat_url=sys.argv[1] + "/stat", control_url=sys.argv[1] + "/control",
                               rtmp_base="rtmp://127.0.0.1:1", hls_base=sys.argv[1] + "/hls")
            p = PreviewPlayer(still_cache=StillCache(Path(sys.argv[3])))
            p.show()
            print("backend", p.backend_name, "notice", p.notice.isVisible(), p.notice.text())
            p.open(RoomRef(stream=sys.argv[2], provider=v.name), v, protocols=("hls",))
            for _ in range(1000):
                if p.state == PlayerState.PLAYING:
                    break
                await asyncio.sleep(0.02)
            print("state", p.state.value)
            p.shutdown()

    app = QApplication([])
    qasync.run(main())
""")


def test_libvlc_missing_falls_back_to_qtmultimedia(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if not os.environ.get("DISPLAY"):
        if IN_CI:
            pytest.fail("needs an X display (xvfb-run)")
        pytest.skip("needs an X display (xvfb-run; Debian packages xvfb xauth)")
    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    streams: list[str] = request.getfixturevalue("streams")
    r = subprocess.run([sys.executable, "-c", LIBVLC_MISSING, nginx.urls.http_base, streams[3], str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    assert "backend qt notice True" in r.stdout and "无法加载 libvlc" in r.stdout
    assert "state playing" in r.stdout


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only here: the preview adds nothing to the database the action tests do not cover on PostgreSQL."""
    import shutil

    dst = tmp_path / "test.db"
    shutil.copy(sqlite_template, dst)
    return f"sqlite+aiosqlite:///{dst}"


# --- the wall -------------------------------------------------------------------------------------------

def drop_room(wall: Any, i: int, room: RoomRef) -> bool:
    """A drop on tile ``i`` through the wall's event filter (Qt delivers drop events only during a real drag)."""
    from PySide6.QtGui import QDragEnterEvent

    md = QMimeData()
    md.setData(ROOM_MIME, room.to_json())
    pos = QPointF(wall.tiles[i].width() / 2, wall.tiles[i].height() / 2)
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    assert wall.eventFilter(wall.tiles[i], enter) and enter.isAccepted()
    ev = QDropEvent(pos, Qt.DropAction.CopyAction, md, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    return bool(wall.eventFilter(wall.tiles[i], ev))


@aio
async def test_wall_runs_four_streams_focus_has_the_sound_and_layout_is_saved(
        request: pytest.FixtureRequest, tmp_path: Path, qtbot: Any, expect_log: list[str]) -> None:
    expect_log.append("dropped room refused")
    if not run_here_or_under_xcb(request):
        return
    from console.views.preview import PlayerState
    from console.views.wall import WallPane

    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    streams: list[str] = request.getfixturevalue("streams")
    async with httpx.AsyncClient(trust_env=False) as client:
        video = _provider(nginx, client)
        wall = WallPane(lambda: [video], None, "op-7", vlc_args=VLC_ARGS, still_cache=StillCache(tmp_path / "s"),
                        client=client, protocols=("rtmp",))
        qtbot.addWidget(wall)
        wall.resize(1000, 700)
        wall.show()
        loaded: list[bool] = []
        wall.loaded.connect(lambda: loaded.append(True))
        try:
            wall.set_layout(4)
            for i, s in enumerate(streams[:3]):
                wall.open_room(RoomRef(stream=s, provider=video.name, room_id=None, title=s, width=320, height=180,
                                       fps=25))
                assert wall.focused == i
            assert drop_room(wall, 3, RoomRef(stream=streams[3], provider=video.name, title="dropped"))
            assert wall.rooms[3] is not None and wall.rooms[3].stream == streams[3] and wall.focused == 3
            assert not drop_room(wall, 0, RoomRef(stream="", provider="x"))  # refused payload: nothing changes
            assert wall.rooms[0] is not None and wall.rooms[0].stream == streams[0]
            await until(lambda: all(wall.tiles[i].state == PlayerState.PLAYING for i in range(4)), 30, "4 playing")
            await until(lambda: bool(loaded), 5, "loaded signal")
            for i in range(4):
                await until(lambda i=i: bars_seen(wall.tiles[i].grab_video()) >= 5, 10,  # type: ignore[misc]
                            f"bars in tile {i}")
            # tiles render in memory: VLC's pictures at tile size, painted by Qt, counted both ways
            assert all(wall.tiles[i].render == "memory" for i in range(4))
            # (a liveness check, not a frame rate: bench.preview measures that; 2 s leaves room for a
            # loaded CI machine, where one tile once painted 5 frames in its first second)
            counts = [wall.tiles[i].frame_counts() for i in range(4)]
            await asyncio.sleep(2.0)
            for i, before in enumerate(counts):
                after = wall.tiles[i].frame_counts()
                assert before is not None and after is not None
                assert after[0] - before[0] >= 10 and after[1] - before[1] >= 10, (i, before, after)
            # solo audio: only the focused tile is unmuted, and the muted ones decode no audio at all
            wall.focus_tile(1)
            assert [p.muted for p in wall.tiles[:4]] == [True, False, True, True]
            await until(lambda: [wall.tiles[i].backend.audio_track() == -1 for i in range(4)]  # type: ignore[attr-defined]
                        == [True, False, True, True], 5, "audio decoded for the focused tile only")
            QTest.mouseClick(wall.tiles[2].title, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
            assert wall.focused == 2 and not wall.tiles[2].muted and wall.tiles[1].muted
            assert "4" in wall.budget_label.text()
            # 1 layout: the other tiles are hidden and stop decoding
            wall.set_layout(1)
            await until(lambda: all(not wall.tiles[i].running for i in range(1, 4)), 5, "hidden tiles stop")
            assert wall.tiles[0].running and wall.focused == 0
            ini = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
            wall.set_layout(4)
            wall.focus_tile(2)
            wall.save_state(ini)
            ini.sync()
            saved = json.loads(str(ini.value("preview/op-7/rooms")))
            assert [r and r["stream"] for r in saved[:4]] == streams[:4]
            assert int(str(ini.value("preview/op-7/layout"))) == 4
        finally:
            wall.shutdown()
        other = WallPane(lambda: [video], None, "op-7", vlc_args=VLC_ARGS, still_cache=StillCache(tmp_path / "s"),
                         client=client)
        qtbot.addWidget(other)
        try:
            other.restore_state(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
            assert other.layout_n == 4 and other.focused == 2
            assert [r and r.stream for r in other.rooms[:4]] == streams[:4]
            stranger = WallPane(lambda: [video], None, "op-8", vlc_args=VLC_ARGS,
                                still_cache=StillCache(tmp_path / "s"), client=client)
            qtbot.addWidget(stranger)
            stranger.restore_state(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
            assert stranger.rooms == [None] * 9      # layouts are per operator
            stranger.shutdown()
        finally:
            other.shutdown()


@aio
async def test_wall_budget_of_n_decodes_shows_refreshed_stills_marked_as_such(
        request: pytest.FixtureRequest, tmp_path: Path, qtbot: Any) -> None:
    """A budget of two 720p25 decodes on a 2×2 wall of four 720p25 rooms: the focused tile and the first
    other one decode; the two beyond the budget show the provider's screenshots, marked as stills and
    refreshed (nginx's exec_push writes each stream's latest keyframe every second)."""
    if not run_here_or_under_xcb(request):
        return
    from console.views.preview import PlayerState
    from console.views.wall import WallPane

    _need_tools()
    names = [f"budget_{i}" for i in range(4)]
    with NginxRtmpServer(screenshots_s=1) as srv:
        pubs = [FfmpegPublisher(srv.publish_url(n), n, size="320x180").start() for n in names]
        try:
            _wait_publishing(srv, names)
            async with httpx.AsyncClient(trust_env=False) as client:
                u = srv.urls
                video = NginxRtmpVideo(client, stat_url=u.stat_url, control_url=u.control_url,
                                       rtmp_base=u.rtmp_base, hls_base=u.hls_base, shots_base=u.shots_base)
                wall = WallPane(lambda: [video], None, "op-b", vlc_args=VLC_ARGS,
                                still_cache=StillCache(tmp_path / "s"), client=client, protocols=("rtmp",),
                                still_every_s=1.0)
                qtbot.addWidget(wall)
                wall.resize(1000, 700)
                wall.show()
                wall.budget = 2 * decode_cost(1280, 720, 25)  # a budget of N = 2 decodes
                try:
                    wall.set_layout(4)
                    for n in names:
                        wall.open_room(RoomRef(stream=n, provider=video.name, title=n, width=1280, height=720,
                                               fps=25))
                    assert wall.focused == 3
                    assert [wall.tiles[i].mode for i in range(4)] == ["video", "still", "still", "video"]
                    assert "2" in wall.budget_label.text() and "超出预算" in wall.budget_label.text()
                    await until(lambda: all(wall.tiles[i].state == PlayerState.PLAYING for i in (0, 3)), 30,
                                "the two decoded tiles play")
                    for i in (1, 2):
                        tile = wall.tiles[i]
                        await until(lambda tile=tile: tile.still is not None  # type: ignore[misc]
                                    and tile.still.source == "provider", 10, f"a screenshot in tile {i}")
                        assert tile.state == PlayerState.STILL and not tile.running
                        assert tile.still_view.tag.startswith("静态 · 截图")       # marked as a still, with its time
                        assert "定时刷新" in tile.still_view.message
                        assert bars_seen(tile.grab_video()) >= 4                  # the stream's real picture
                    first = {i: wall.tiles[i].still.taken_at for i in (1, 2)}  # type: ignore[union-attr]
                    await until(lambda: all(wall.tiles[i].still.taken_at > first[i]  # type: ignore[union-attr]
                                            for i in (1, 2)), 10, "the stills refreshed")
                    # the focus moves: the new focused tile decodes, a tile beyond the budget shows a still
                    wall.focus_tile(1)
                    assert [wall.tiles[i].mode for i in range(4)] == ["video", "video", "still", "still"]
                    await until(lambda: wall.tiles[1].state == PlayerState.PLAYING, 30, "new focus plays")
                    await until(lambda: wall.tiles[3].state == PlayerState.STILL and not wall.tiles[3].running,
                                5, "old focus shows a still")
                finally:
                    wall.shutdown()
        finally:
            for pub in pubs:
                pub.close()


@aio
async def test_wall_over_budget_shows_stills_and_unknown_provider_is_an_error(
        request: pytest.FixtureRequest, tmp_path: Path, qtbot: Any) -> None:
    if not run_here_or_under_xcb(request):
        return
    from console.views.preview import PlayerState
    from console.views.wall import WallPane

    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    streams: list[str] = request.getfixturevalue("streams")
    async with httpx.AsyncClient(trust_env=False) as client:
        video = _provider(nginx, client)
        wall = WallPane(lambda: [video], None, "op-1", vlc_args=VLC_ARGS, still_cache=StillCache(tmp_path / "s"),
                        client=client, cpu_count=1, protocols=("hls",))
        qtbot.addWidget(wall)
        wall.resize(900, 600)
        wall.show()
        wall.budget = decode_cost(1920, 1080, 25) * 1.5  # room for one 1080p25 stream and a half
        try:
            for s in streams[:3]:
                wall.open_room(RoomRef(stream=s, provider=video.name, width=1920, height=1080, fps=25))
            assert [wall.tiles[i].mode for i in range(3)] == ["still", "still", "video"]  # the focused tile decodes
            await until(lambda: wall.tiles[2].state == PlayerState.PLAYING, 20, "focused playing")
            assert all(wall.tiles[i].state == PlayerState.STILL and not wall.tiles[i].running for i in (0, 1))
            assert "超出预算" in wall.budget_label.text()
            wall.focus_tile(0)
            assert [wall.tiles[i].mode for i in range(3)] == ["video", "still", "still"]
            await until(lambda: wall.tiles[0].state == PlayerState.PLAYING, 20, "new focus playing")
            wall.open_room(RoomRef(stream="x", provider="nowhere"))
            assert wall.message_bar.isVisible() and "nowhere" in wall.message_bar.label.text()
            # the screenshot mode: the providers' live streams in 2x2, back when each tile shows its picture
            wall.budget = decode_budget(2)
            await wall.load_showcase(4, timeout=30)
            assert wall.layout_n == 4 and wall.is_loaded()
            assert {r.stream for r in wall.rooms[:4] if r is not None} <= set(streams) | {"flappy", "hlscut", "room_1"}
        finally:
            wall.shutdown()


@aio
async def test_cut_from_the_wall_in_two_keystrokes_carries_the_frame(
        request: pytest.FixtureRequest, tmp_path: Path, qtbot: Any, known_db: Any) -> None:
    if not run_here_or_under_xcb(request):
        return
    from console.views.preview import PlayerState
    from console.views.wall import WallPane

    nginx: NginxRtmpServer = request.getfixturevalue("nginx")
    engine = known_db                                   # room 1 streams as room_1
    pub = FfmpegPublisher(nginx.publish_url("room_1"), "room 1", size="320x180").start()
    async with httpx.AsyncClient(trust_env=False) as client:
        video = _provider(nginx, client)
        actions = ActionService(engine, AuditService(engine, operator(Role.MODERATOR)), {video.name: video})
        wall = WallPane(lambda: [video], actions, "op-1", vlc_args=VLC_ARGS, still_cache=StillCache(tmp_path / "s"),
                        client=client, protocols=("rtmp",))
        qtbot.addWidget(wall)
        wall.resize(900, 600)
        wall.show()
        try:
            _wait_publishing(nginx, ["room_1"])
            wall.set_layout(1)
            p = wall.open_room(RoomRef(stream="room_1", provider=video.name, room_id=1, title="小明的王者上分房"))
            await until(lambda: p.state == PlayerState.PLAYING, 20, "playing")
            wall.activateWindow()
            await until(lambda: wall.isActiveWindow(), 5, "active window")
            wall.setFocus()
            await until(lambda: wall.hasFocus(), 5, "focus")
            QTest.keyClick(wall, Qt.Key.Key_S)
            await until(lambda: bool(wall.snapshots.get(0)), 5, "snapshot key")
            QTest.keyClick(wall, Qt.Key.Key_X)
            assert wall.dialog is not None and wall.dialog.isVisible()
            QTest.keyClick(wall.dialog, Qt.Key.Key_Return)
            await until(lambda: getattr(wall, "last_action", None) is not None, 15, "cut done")
            await until(lambda: pub.returncode is not None, 10, "publisher dropped")
            async with engine.connect() as conn:
                audit = (await conn.execute(sa.select(t.audit_log).where(t.audit_log.c.kind == "stream_cut"))).one()
            snap = audit.evidence["snapshot"]
            assert snap["kind"] == "live_frame" and snap["protocol"] == "rtmp"
            assert snap["play_url"] == f"{nginx.urls.rtmp_base}/live/room_1"
            img = QImage(snap["path"])
            assert not img.isNull() and bars_seen(img) >= 5
            assert audit.evidence["source"] == "preview" and len(audit.evidence["snapshots"]) == 1
            # the audit pane shows the frame with its time and stream; a replaced file is not shown
            from console.views.audit import AuditPane

            pane = AuditPane(AuditService(engine, operator(Role.MODERATOR)))
            qtbot.addWidget(pane)
            pane.show_evidence(audit.evidence)
            shown = pane.frame.pixmap()
            assert pane.frame_box.isVisibleTo(pane) and not shown.isNull() and bars_seen(shown.toImage()) >= 5
            assert "直播画面" in pane.frame_caption.text() and snap["play_url"] in pane.frame_caption.text()
            Path(snap["path"]).write_bytes(Path(snap["path"]).read_bytes() + b"x")
            pane.show_evidence(audit.evidence)
            assert pane.frame.pixmap().isNull() and "sha256" in pane.frame.text()
            pane.show_evidence({"source": "room_monitor"})
            assert not pane.frame_box.isVisibleTo(pane)
            await until(lambda: p.state == PlayerState.OFFLINE, 10, "offline after the cut")
        finally:
            wall.shutdown()
            pub.close()


def test_provider_rejects_flv_so_tiles_fall_back() -> None:
    video = NginxRtmpVideo(httpx.AsyncClient(), stat_url="http://n/stat", control_url="http://n/c",
                           rtmp_base="rtmp://n", hls_base="http://n/hls")
    with pytest.raises(ProviderRejected):
        video.play_url("s", protocol="flv")
