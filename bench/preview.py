"""Opening a room to its first picture on screen, and a 3×3 wall of 720p streams.

``python -m bench.preview [--runs 7] [--wall-seconds 30] [--no-wall]`` (re-runs itself under
``xvfb-run`` when there is no display; Qt runs on xcb so libvlc really embeds).

A private nginx-rtmp (HLS 1 s fragments, 6 s playlists, as the sandbox) and one live ffmpeg
publisher (testsrc2 640x360@25, 800 kb/s, 1 s GOP) for the TTFF part. Per run, after a random
0.3–2.3 s pause (the join lands anywhere in the GOP), in random order:

* **floor**: ``ffmpeg -fpsprobesize 0 -tcp_nodelay 1 -i URL -frames:v 1 -f null -``, process
  start to exit (video-facts.md §1.5);
* **vlc_default**: a bare python-vlc player with default options (``--no-xlib`` and a dummy audio
  output only), embedded in a native Qt window like ours;
* **ours**: :meth:`PreviewPlayer.open` with its options (tcp_nodelay, caching 1000 ms).

"First picture on screen" for both players = the first ``QScreen.grabWindow`` of the video
window (polled every 10 ms) that shows at least four of testsrc2's six colour bars. For ours the
still picture is timed too (from the second run on, the still cache holds the previous run's
frame; it counts only because it is marked as a still).

Then the wall: nine 720p@25 2500 kb/s streams (a pre-encoded clip looped with ``-c copy``), the
wall pane in 3×3, after waiting for a quiet machine (under 15 % busy for 3 s, like
video-facts.md's quiet.py); 8 s warm-up, then over ``--wall-seconds`` per tile: the pictures
Qt painted (memory rendering: distinct frames that reached the window), libvlc's
``displayed_pictures`` and ``lost_pictures`` (``libvlc_media_get_stats``); the console process's
CPU, its GUI thread's and its busiest threads' (decoders, video outputs), and Xvfb's. Once per
``--wall-renders`` mode: ``memory`` (ours: VLC scales to the tile, Qt paints) and ``window``
(VLC's own X11 output in a native window, as before); ``wall_fps_min`` is the first mode's
slowest tile (painted fps), the other mode is reported as ``wall_fps_min_<mode>``.

Last line: ``RESULT preview ours=<ms RTMP> baseline=<ms ffmpeg floor RTMP> ratio=<x>
vlc_default_ms=<ms> hls_ms=<ms> wall_fps_min=<fps>`` (medians).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BARS = [(255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 255), (255, 0, 255), (0, 255, 255)]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def bars_seen(img: Any) -> int:
    w, h = img.width(), img.height()
    if w < 60 or h < 40:
        return 0
    pw, ph = (w, w * 9 // 16) if w * 9 <= h * 16 else (h * 16 // 9, h)
    x0, y0 = (w - pw) // 2, (h - ph) // 2
    ok = 0
    for k, (er, eg, eb) in enumerate(BARS):
        x = x0 + int((k + 0.5) * pw / 6)
        hits = 0
        for j in range(12):
            c = img.pixelColor(x, y0 + int(ph * (0.25 + 0.55 * j / 11)))
            if abs(c.red() - er) < 70 and abs(c.green() - eg) < 70 and abs(c.blue() - eb) < 70:
                hits += 1
        ok += hits >= 4
    return ok


# --- machine load -----------------------------------------------------------------------------------

def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts), idle


def busy_pct(interval: float = 1.0) -> float:
    t0, i0 = _cpu_times()
    time.sleep(interval)
    t1, i1 = _cpu_times()
    return 100.0 * (1 - (i1 - i0) / max(1, t1 - t0))


def wait_quiet(threshold: float = 15.0, seconds: int = 3, max_wait: float = 180.0) -> tuple[bool, float]:
    """Wait until the box is under ``threshold`` % busy for ``seconds`` consecutive seconds."""
    deadline = time.monotonic() + max_wait
    calm = 0
    last = 100.0
    while time.monotonic() < deadline:
        last = busy_pct(1.0)
        calm = calm + 1 if last < threshold else 0
        if calm >= seconds:
            return True, last
    return False, last


def proc_cpu_s(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- references ----------------------------------------------------------------------------------------

def ffmpeg_floor(url: str) -> float:
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-fpsprobesize", "0"]
    if url.startswith("rtmp"):
        cmd += ["-tcp_nodelay", "1"]
    cmd += ["-i", url, "-frames:v", "1", "-f", "null", "-"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    dt = (time.perf_counter() - t0) * 1000
    if r.returncode != 0:
        raise RuntimeError(f"ffmpeg floor failed: {r.stderr.decode(errors='replace')[-400:]}")
    return dt


async def no_pixels(wid_fn: Any, timeout: float = 2.0) -> None:
    """Before a measurement: the window must not show the bars already (a stale frame would count)."""
    from PySide6.QtWidgets import QApplication

    screen = QApplication.primaryScreen()
    deadline = time.perf_counter() + timeout
    while bars_seen(screen.grabWindow(wid_fn()).toImage()) >= 4:
        if time.perf_counter() > deadline:
            raise RuntimeError("the window still shows the previous picture")
        await asyncio.sleep(0.02)


async def first_pixels(wid_fn: Any, t0: float, timeout: float = 15.0) -> float:
    from PySide6.QtWidgets import QApplication

    screen = QApplication.primaryScreen()
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if bars_seen(screen.grabWindow(wid_fn()).toImage()) >= 4:
            return (time.perf_counter() - t0) * 1000
        await asyncio.sleep(0.01)
    raise TimeoutError("no picture on screen")


class BareVlc:
    """python-vlc with default options in a native Qt window (the 'libvlc defaults' reference)."""

    def __init__(self) -> None:
        import vlc

        from console.views.preview import VideoSurface

        self.vlc = vlc
        self.inst = vlc.Instance(["--no-xlib", "--aout=adummy", "--quiet"])
        self.surface = VideoSurface()
        self.surface.resize(640, 360)
        self.surface.show()
        self.mp: Any = None

    async def ttff(self, url: str) -> float:
        self.mp = self.inst.media_player_new()
        self.mp.set_xwindow(int(self.surface.winId()))
        m = self.inst.media_new(url)
        self.mp.set_media(m)
        await no_pixels(lambda: int(self.surface.winId()))
        t0 = time.perf_counter()
        self.mp.play()
        try:
            return await first_pixels(lambda: int(self.surface.winId()), t0)
        finally:
            await asyncio.sleep(0)
            self.mp.stop()
            self.mp.release()
            m.release()
            self.mp = None
            self.surface.repaint()

    def close(self) -> None:
        self.surface.close()


async def ours_ttff(player: Any, room: Any, video: Any, proto: str, cold: Path) -> tuple[float, float | None]:
    """Live TTFF from a cold open (an empty still cache: nothing but live pixels can show the bars), then
    the same room opened again with the frame the player kept: time to that still on screen, marked."""
    from console.services.video.playback import StillCache
    from console.views.preview import PlayerState

    player.stop()
    player.still_cache = StillCache(cold)
    player.still_view.set_still(None, "")
    await no_pixels(player.video_window_id)
    t0 = time.perf_counter()
    player.open(room, video, protocols=(proto,))
    ms = await first_pixels(player.video_window_id, t0)
    deadline = time.perf_counter() + 4
    while player.still_cache.latest(room.provider, room.stream) is None and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)  # the player keeps a frame 2 s after its first picture
    player.stop()
    still = None
    if player.still_cache.latest(room.provider, room.stream) is not None:
        player.still_view.set_still(None, "")
        await no_pixels(player.video_window_id)
        t1 = time.perf_counter()
        player.open(room, video, protocols=(proto,))
        s_ms = await first_pixels(player.video_window_id, t1)
        if player.state == PlayerState.CONNECTING and player.still_view.tag.startswith("静态"):
            still = s_ms  # the still, marked as such, while live connects
        player.stop()
    return ms, still


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt(xs: list[float]) -> str:
    return f"median {med(xs):.0f} (min {min(xs):.0f}, max {max(xs):.0f}, n={len(xs)})" if xs else "n/a"


# --- the wall --------------------------------------------------------------------------------------------

def make_clip(folder: Path) -> Path:
    """10 s of testsrc2 1280x720@25, 2500 kb/s CBR, 1 s GOP, AAC: looped by the wall's publishers."""
    clip = folder / "clip720.flv"
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
           "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
           "-g", "25", "-keyint_min", "25", "-b:v", "2500k", "-maxrate", "2500k", "-bufsize", "2500k",
           "-c:a", "aac", "-b:a", "96k", "-f", "flv", str(clip)]
    subprocess.run(cmd, check=True, timeout=300)
    return clip


def loop_publishers(clip: Path, urls: list[str]) -> list[subprocess.Popen[bytes]]:
    procs = []
    for u in urls:
        base, _, stream = u.rpartition("/")
        procs.append(subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", str(clip),
             "-c", "copy", "-rtmp_playpath", stream, "-f", "flv", base],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


def vlc_stats(player: Any, vlc: Any) -> tuple[int, int] | None:
    """libvlc's (displayed_pictures, lost_pictures) of the tile's current media."""
    mp = getattr(player.backend, "_mp", None)
    if mp is None:
        return None
    m = mp.get_media()
    if m is None:
        return None
    st = vlc.MediaStats()
    if not m.get_stats(st):
        return None
    return int(st.displayed_pictures), int(st.lost_pictures)


def xvfb_pid() -> int | None:
    """The Xvfb serving our DISPLAY (its CPU is part of what the wall costs)."""
    disp = os.environ.get("DISPLAY", "")
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            argv = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"Xvfb") and disp.encode() in argv:
            return int(d.name)
    return None


def thread_cpu_s() -> dict[int, float]:
    """CPU seconds of each thread of this process (the GUI thread's id is the process id)."""
    out: dict[int, float] = {}
    for d in Path("/proc/self/task").iterdir():
        try:
            out[int(d.name)] = proc_cpu_s(f"self/task/{d.name}")
        except (OSError, ValueError):
            continue
    return out


def _delta(a: Any, b: Any, k: int) -> float | None:
    return None if a is None or b is None else float(b[k] - a[k])


async def wall_run(nginx: Any, video: Any, tmp: Path, seconds: float, quiet_wait: float,
                   render: str = "auto") -> dict[str, Any]:
    import vlc
    from PySide6.QtWidgets import QApplication

    from console.services.video.playback import RoomRef, StillCache
    from console.views.preview import PlayerState
    from console.views.wall import WallPane

    log("wall: encoding the 720p clip …")
    clip = make_clip(tmp)
    names = [f"wall_{i}" for i in range(9)]
    pubs = loop_publishers(clip, [nginx.publish_url(n) for n in names])
    wall = None
    try:
        await asyncio.sleep(3)
        log("wall: waiting for a quiet machine (< 15 % busy for 3 s) …")
        quiet, busy = await asyncio.to_thread(wait_quiet, 15.0, 3, quiet_wait)
        load1 = os.getloadavg()[0]
        log(f"wall: quiet={quiet} busy={busy:.0f}% load1={load1:.2f}")
        wall = WallPane(lambda: [video], None, "bench", vlc_args=["--aout=adummy"],
                        still_cache=StillCache(tmp / "wallstills"), protocols=("rtmp",),
                        render=render)  # type: ignore[arg-type]
        screen = QApplication.primaryScreen().availableGeometry()
        wall.resize(min(1920, screen.width()), min(1080, screen.height()))
        wall.show()
        wall.set_layout(9)
        for n in names:
            wall.open_room(RoomRef(stream=n, provider=video.name, width=1280, height=720, fps=25))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(t.state == PlayerState.PLAYING for t in wall.tiles[:9]):
            await asyncio.sleep(0.1)
        playing = sum(t.state == PlayerState.PLAYING for t in wall.tiles[:9])
        modes = [t.mode for t in wall.tiles[:9]]
        log(f"wall: {playing}/9 playing, modes {modes}; warm-up 8 s")
        await asyncio.sleep(8)
        xpid = xvfb_pid()
        s0 = [vlc_stats(t, vlc) for t in wall.tiles[:9]]
        f0 = [t.frame_counts() for t in wall.tiles[:9]]
        c0, t0 = proc_cpu_s(), time.perf_counter()
        th0 = thread_cpu_s()
        x0 = proc_cpu_s(xpid) if xpid else 0.0
        pub0 = sum(proc_cpu_s(p.pid) for p in pubs if p.poll() is None)
        busy_samples: list[float] = []
        end = t0 + seconds
        while time.perf_counter() < end:
            await asyncio.sleep(1.0)
        c1, t1 = proc_cpu_s(), time.perf_counter()
        th1 = thread_cpu_s()
        x1 = proc_cpu_s(xpid) if xpid else 0.0
        pub1 = sum(proc_cpu_s(p.pid) for p in pubs if p.poll() is None)
        s1 = [vlc_stats(t, vlc) for t in wall.tiles[:9]]
        f1 = [t.frame_counts() for t in wall.tiles[:9]]
        span = t1 - t0
        gui_pct = 100 * (th1.get(os.getpid(), 0.0) - th0.get(os.getpid(), 0.0)) / span
        busiest = sorted(((100 * (v - th0.get(k, 0.0)) / span) for k, v in th1.items() if k != os.getpid()),
                         reverse=True)
        displayed = [(_delta(a, b, 0) or 0.0) / span for a, b in zip(s0, s1, strict=True)]
        lost = [int(_delta(a, b, 1) or 0) for a, b in zip(s0, s1, strict=True)]
        painted = [None if a is None or b is None else (b[1] - a[1]) / span for a, b in zip(f0, f1, strict=True)]
        # what reached the screen: frames Qt painted (memory rendering), else VLC's displayed pictures
        fps = [pt if pt is not None else d for pt, d in zip(painted, displayed, strict=True)]
        audio_off = sum(1 for t in wall.tiles[:9] if getattr(t.backend, "audio_track", lambda: 0)() == -1)
        return {"fps": fps, "audio_off": audio_off, "displayed": displayed, "lost": lost, "painted": painted, "render": render,
                "modes": [t.backend.render if hasattr(t.backend, "render") else "qt" for t in wall.tiles[:9]],
                "cpu_pct": 100 * (c1 - c0) / span, "gui_pct": gui_pct, "threads_top": busiest[:40], "xvfb_cpu_pct": 100 * (x1 - x0) / span if xpid else None,
                "pub_cpu_pct": 100 * (pub1 - pub0) / span,
                "quiet": quiet, "busy_before": busy, "load1": load1, "playing": playing,
                "load1_after": os.getloadavg()[0], "busy": busy_samples}
    finally:
        if wall is not None:
            wall.shutdown()
            wall.close()
        for p in pubs:
            p.terminate()
        for p in pubs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


# --- main ----------------------------------------------------------------------------------------------

async def amain(args: argparse.Namespace) -> None:
    import httpx

    from console.sandbox.nginx import FfmpegPublisher, NginxRtmpServer
    from console.services.video.nginx_rtmp import NginxRtmpVideo
    from console.services.video.playback import RoomRef, StillCache
    from console.views.preview import PreviewPlayer

    tmp = Path(tempfile.mkdtemp(prefix="shihou-bench-preview-"))
    nginx = NginxRtmpServer().start()
    pub = FfmpegPublisher(nginx.publish_url("ttff"), "ttff", size="640x360", rate=25, video_kbps=800).start()
    client = httpx.AsyncClient(trust_env=False)
    u = nginx.urls
    video = NginxRtmpVideo(client, stat_url=u.stat_url, control_url=u.control_url, rtmp_base=u.rtmp_base,
                           hls_base=u.hls_base)
    player = PreviewPlayer(vlc_args=["--aout=adummy"], still_cache=StillCache(tmp / "stills"), client=client)
    player.resize(640, 400)
    player.show()
    bare = BareVlc()
    bare.surface.move(700, 0)
    room = RoomRef(stream="ttff", provider=video.name, title="bench")
    res: dict[str, list[float]] = {k: [] for k in ("floor_rtmp", "floor_hls", "vlc_rtmp", "vlc_hls", "ours_rtmp",
                                                   "ours_hls", "still_rtmp")}
    try:
        await asyncio.sleep(8)  # the HLS playlist fills (6 s)
        log(f"machine: load1={os.getloadavg()[0]:.2f} (TTFF is bound by waiting, not gated)")
        rtmp_url, hls_url = video.play_url("ttff"), video.play_url("ttff", protocol="hls")
        for run in range(args.runs):
            for proto in ("rtmp", "hls"):
                url = rtmp_url if proto == "rtmp" else hls_url
                order = ["floor", "vlc", "ours"]
                random.shuffle(order)
                for who in order:
                    await asyncio.sleep(random.uniform(0.3, 2.3))
                    if who == "floor":
                        res[f"floor_{proto}"].append(await asyncio.to_thread(ffmpeg_floor, url))
                    elif who == "vlc":
                        res[f"vlc_{proto}"].append(await bare.ttff(url))
                    else:
                        ms, still = await ours_ttff(player, room, video, proto, tmp / f"cold-{run}-{proto}")
                        res[f"ours_{proto}"].append(ms)
                        if still is not None and proto == "rtmp":
                            res["still_rtmp"].append(still)
            log(f"run {run + 1}/{args.runs}: " + ", ".join(f"{k}={v[-1]:.0f}" for k, v in res.items() if v))
        for k, v in res.items():
            print(f"{k}: {fmt(v)} ms")
        wall: dict[str, Any] | None = None
        walls: dict[str, dict[str, Any]] = {}
        if not args.no_wall:
            pub.stop()  # the live encoder would cost 10 % of a core during the wall
            for render in args.wall_renders.split(","):
                w = await wall_run(nginx, video, tmp, args.wall_seconds, args.quiet_wait, render=render)
                walls[render] = w
                painted = ", ".join("-" if x is None else f"{x:.1f}" for x in w["painted"])
                xcpu = "n/a" if w["xvfb_cpu_pct"] is None else f"{w['xvfb_cpu_pct']:.0f}%"
                print(f"wall 3x3 720p25 render={render} ({w['modes'][0]}): painted fps per tile [{painted}]; "
                      f"VLC displayed fps [{', '.join(f'{f:.1f}' for f in w['displayed'])}]; lost pictures "
                      f"{w['lost']}; console CPU {w['cpu_pct']:.0f}% of one core, Xvfb {xcpu} "
                      f"(publishers {w['pub_cpu_pct']:.0f}%); GUI thread {w['gui_pct']:.0f}%, busiest other threads "
                      f"{[round(x) for x in w['threads_top']]}; quiet={w['quiet']} busy_before={w['busy_before']:.0f}% "
                      f"load1 {w['load1']:.2f} → {w['load1_after']:.2f}; playing {w['playing']}/9; tiles without audio decoding {w['audio_off']}", flush=True)
            wall = walls[args.wall_renders.split(",")[0]]
    finally:
        player.shutdown()
        bare.close()
        pub.close()
        nginx.stop()
        await client.aclose()
        shutil.rmtree(tmp, ignore_errors=True)
    o, b = med(res["ours_rtmp"]), med(res["floor_rtmp"])
    fps_min = min(wall["fps"]) if wall else float("nan")
    extra = f" cpu_pct={wall['cpu_pct']:.0f} quiet={int(wall['quiet'])}" if wall else ""
    if wall and wall.get("xvfb_cpu_pct") is not None:
        extra += f" xvfb_cpu_pct={wall['xvfb_cpu_pct']:.0f}"
    for render, w in walls.items():
        if w is not wall:
            extra += f" wall_fps_min_{render}={min(w['fps']):.1f} cpu_pct_{render}={w['cpu_pct']:.0f}"
    print(f"RESULT preview ours={o:.0f} baseline={b:.0f} ratio={o / b:.2f} vlc_default_ms={med(res['vlc_rtmp']):.0f} "
          f"hls_ms={med(res['ours_hls']):.0f} wall_fps_min={fps_min:.1f} still_ms={med(res['still_rtmp']):.0f} "
          f"vlc_default_hls_ms={med(res['vlc_hls']):.0f} floor_hls_ms={med(res['floor_hls']):.0f}{extra}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--wall-seconds", type=float, default=30.0)
    ap.add_argument("--no-wall", action="store_true")
    ap.add_argument("--wall-renders", default="memory,window",
                    help="tile rendering per wall run, the first one is reported as wall_fps_min "
                         "(memory: Qt paints VLC's pictures; window: VLC's X11 output)")
    ap.add_argument("--quiet-wait", type=float, default=300.0, help="seconds to wait for a quiet machine")
    args = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        if shutil.which("xvfb-run") is None:
            sys.exit("bench.preview needs an X display: install xvfb and xauth (Debian) or set DISPLAY")
        os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, "-m", "bench.preview",
                               *sys.argv[1:]])
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(amain(args))


if __name__ == "__main__":
    main()
