"""A private nginx with the RTMP module, and ffmpeg test publishers, for the sandbox and the tests.

:class:`NginxRtmpServer` writes a generated configuration into a temporary folder and runs
``nginx -c … -p …`` in the foreground (``daemon off``) on free ports of 127.0.0.1:

* ``rtmp``: ``application live { live on; idle_streams off; hls on; … on_publish … }``;
* ``http``: ``/stat`` (``rtmp_stat all``), ``/control`` (``rtmp_control all``), ``/hls/``.

It is never reloaded: ``nginx -s reload`` hides the live sessions from ``/stat`` and
``/control`` (platform-facts.md §3). Restart it instead.

Privileges: started as root, nginx runs its worker as ``nobody``. The configuration names that
user explicitly (``user nobody nogroup;``) and the HLS folder is handed to it, so no process of the
sandbox but the master runs as root. Started as another user, nginx runs as that user.

:class:`FfmpegPublisher` is one test encoder: ``testsrc2`` with the room name and a clock burned
in, a sine tone, x264 ``veryfast``/``zerolatency`` with 1 s keyframes and AAC, sent as FLV over
RTMP. It does not reconnect when dropped (a real encoder may): start it again.

:func:`start_stream_sandbox` starts all of it for ``make run``: the on_publish endpoint
(:mod:`console.sandbox.platform`) on the shared database, nginx asking it, and a publisher for
each of the first live rooms.
"""

from __future__ import annotations

import asyncio
import atexit
import grp
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from console.db import tables as t
from console.sandbox.platform import PlatformEndpoint

log = logging.getLogger(__name__)

RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")

#: What to install when a binary or the module is missing (Debian 12 package names).
DEBIAN_PACKAGES = {"nginx": "nginx", "rtmp": "libnginx-mod-rtmp", "ffmpeg": "ffmpeg"}


#: Servers and publishers still running; stopped when the interpreter exits (a crash of the
#: console must not leave nginx or encoders behind; SIGKILL of the console still can).
_running: set[NginxRtmpServer | FfmpegPublisher] = set()


@atexit.register
def _stop_leftovers() -> None:
    for proc in list(_running):
        try:
            proc.close() if isinstance(proc, FfmpegPublisher) else proc.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


#: urllib without proxies from the environment: every URL here is 127.0.0.1.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SandboxToolMissing(RuntimeError):
    """A program or module the stream sandbox needs is not installed; the message names the package."""


class NginxStartError(RuntimeError):
    """nginx did not come up; the message carries the end of its error log."""


def missing_stream_tools() -> list[str]:
    """The Debian packages to install before nginx-rtmp and ffmpeg can run here (empty: all present).

    Returns:
        Package names, e.g. ``["libnginx-mod-rtmp"]``.
    """
    missing = []
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        missing.append(DEBIAN_PACKAGES["nginx"])
    if not RTMP_MODULE.exists():
        missing.append(DEBIAN_PACKAGES["rtmp"])
    if shutil.which("ffmpeg") is None:
        missing.append(DEBIAN_PACKAGES["ffmpeg"])
    return missing


def _nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise SandboxToolMissing("nginx is not installed (Debian package nginx)")
    if not RTMP_MODULE.exists():
        raise SandboxToolMissing(f"{RTMP_MODULE} is missing (Debian package libnginx-mod-rtmp)")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _conf_str(value: str) -> str:
    """Quote a value for nginx.conf (paths from tempfile, URLs we built)."""
    if any(c in value for c in "\"\\\n\r"):
        raise ValueError(f"unsupported character in nginx.conf value {value!r}")
    return f'"{value}"'


@dataclass(frozen=True, slots=True)
class NginxUrls:
    """Where a running :class:`NginxRtmpServer` listens (everything on 127.0.0.1)."""

    rtmp_base: str   #: ``rtmp://127.0.0.1:PORT`` (append ``/live/<stream>``)
    http_base: str   #: ``http://127.0.0.1:PORT``
    stat_url: str    #: ``…/stat``
    control_url: str  #: ``…/control``
    hls_base: str    #: ``…/hls`` (append ``/<stream>.m3u8``)
    shots_base: str = ""  #: ``…/shots`` (append ``/<stream>.jpg``) when screenshots are on


class NginxRtmpServer:
    """A private nginx-rtmp on 127.0.0.1: ``with NginxRtmpServer(on_publish_base=…) as srv: srv.urls.stat_url``.

    Args:
        on_publish_base: base URL of the platform endpoint (:mod:`console.sandbox.platform`);
            nginx then asks ``<base>/rtmp/on_publish`` before it accepts a publisher (any 2xx
            allows; 4xx/5xx, and an endpoint that cannot be reached, refuse: checked) and tells
            ``<base>/rtmp/on_publish_done`` when one leaves. None: every publisher is accepted.
        app: the RTMP application name.
        base: folder to create the temporary folder in (default: the system's).
        hls: also write HLS (1 s fragments, 6 s playlists).
        screenshots_s: every so many seconds, write the latest keyframe of each live stream to
            ``/shots/<stream>.jpg`` (what production nginx-rtmp set-ups do with ``exec_push`` and
            ffmpeg; only keyframes are decoded, so it costs little). 0: off.
    """

    def __init__(self, *, on_publish_base: str | None = None, app: str = "live", base: Path | None = None,
                 hls: bool = True, screenshots_s: int = 0) -> None:
        if not app or not all(c.isascii() and (c.isalnum() or c in "-_") for c in app):
            raise ValueError(f"application name must be letters, digits, - and _: {app!r}")
        self.app = app
        self.on_publish_base = on_publish_base.rstrip("/") if on_publish_base else None
        self.hls = hls
        self.screenshots_s = screenshots_s
        self._base = base
        self.dir: Path | None = None
        self.rtmp_port = 0
        self.http_port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    # --- configuration -------------------------------------------------------------------------

    def _worker_user(self) -> tuple[str, str, int, int] | None:
        if os.geteuid() != 0:
            return None
        pw = pwd.getpwnam("nobody")
        return pw.pw_name, grp.getgrgid(pw.pw_gid).gr_name, pw.pw_uid, pw.pw_gid

    def render_config(self) -> str:
        """The nginx.conf for the current folder and ports (also handy to read in a bug report)."""
        assert self.dir is not None
        d = self.dir
        user = self._worker_user()
        notify = ""
        if self.on_publish_base:
            # nginx-rtmp notify: POST form fields (app, name, addr, clientid, tcurl, …);
            # 2xx = go on, 3xx = redirect (not used), anything else or no answer = refuse.
            notify = (f"            on_publish {self.on_publish_base}/rtmp/on_publish;\n"
                      f"            on_publish_done {self.on_publish_base}/rtmp/on_publish_done;\n"
                      "            notify_method post;\n")
        hls = ""
        if self.hls:
            hls = (f"            hls on;\n            hls_path {_conf_str(str(d / 'hls'))};\n"
                   "            hls_fragment 1s;\n            hls_playlist_length 6s;\n")
        shots = ""
        if self.screenshots_s:
            ffmpeg = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
            # exec_push runs once per publisher and is killed when it leaves; $name is the stream name
            shots = (f"            exec_push {ffmpeg} -hide_banner -nostdin -loglevel error -skip_frame nokey "
                     f"-i rtmp://127.0.0.1:{self.rtmp_port}/{self.app}/$name -an "
                     f"-vf fps=1/{self.screenshots_s},scale=320:-2 -q:v 5 -update 1 -y "
                     f"{d / 'shots'}/$name.jpg;\n")
        return f"""# generated by console.sandbox.nginx; never reloaded (reload hides live sessions)
load_module {_conf_str(str(RTMP_MODULE))};
{f"user {user[0]} {user[1]};" if user else "# not root: workers run as the current user"}
daemon off;
master_process on;
worker_processes 1;
pid {_conf_str(str(d / 'nginx.pid'))};
error_log {_conf_str(str(d / 'logs' / 'error.log'))} info;
events {{ worker_connections 512; }}

rtmp {{
    server {{
        listen 127.0.0.1:{self.rtmp_port};
        chunk_size 4096;
        application {self.app} {{
            live on;
            record off;
            idle_streams off;
            drop_idle_publisher 10s;
{hls}{shots}{notify}        }}
    }}
}}

http {{
    access_log {_conf_str(str(d / 'logs' / 'access.log'))};
    client_body_temp_path {_conf_str(str(d / 'tmp' / 'body'))};
    proxy_temp_path {_conf_str(str(d / 'tmp' / 'proxy'))};
    fastcgi_temp_path {_conf_str(str(d / 'tmp' / 'fastcgi'))};
    uwsgi_temp_path {_conf_str(str(d / 'tmp' / 'uwsgi'))};
    scgi_temp_path {_conf_str(str(d / 'tmp' / 'scgi'))};
    types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; text/xml xml; }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{self.http_port};
        location /stat {{ rtmp_stat all; }}
        location /control {{ rtmp_control all; }}
        location /hls/ {{
            alias {_conf_str(str(d / 'hls') + '/')};
            add_header Cache-Control no-cache;
        }}
        location /shots/ {{
            alias {_conf_str(str(d / 'shots') + '/')};
            add_header Cache-Control no-cache;
        }}
    }}
}}
"""

    # --- life cycle ------------------------------------------------------------------------------

    @property
    def urls(self) -> NginxUrls:
        if self._proc is None:
            raise RuntimeError("nginx is not started")
        http = f"http://127.0.0.1:{self.http_port}"
        return NginxUrls(rtmp_base=f"rtmp://127.0.0.1:{self.rtmp_port}", http_base=http,
                         stat_url=f"{http}/stat", control_url=f"{http}/control", hls_base=f"{http}/hls",
                         shots_base=f"{http}/shots" if self.screenshots_s else "")

    def publish_url(self, stream: str) -> str:
        """The RTMP URL an encoder publishes ``stream`` to (the name goes into the path as it is)."""
        return f"{self.urls.rtmp_base}/{self.app}/{stream}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, *, timeout: float = 10.0) -> NginxRtmpServer:
        """Write the configuration, start nginx and wait until ``/stat`` answers.

        Raises:
            SandboxToolMissing: nginx or libnginx-mod-rtmp is not installed.
            NginxStartError: nginx exited or did not answer in ``timeout`` seconds.
        """
        binary = _nginx_binary()
        self.dir = Path(tempfile.mkdtemp(prefix="shihou-nginx-", dir=self._base))
        for sub in ("logs", "tmp", "hls", "shots"):
            (self.dir / sub).mkdir()
        user = self._worker_user()
        if user:  # the worker (nobody) must reach the folder and write the HLS files and screenshots
            os.chmod(self.dir, 0o755)
            os.chown(self.dir / "hls", user[2], user[3])
            os.chown(self.dir / "shots", user[2], user[3])
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between the probe and nginx's bind
            self.rtmp_port, self.http_port = free_port(), free_port()
            conf = self.dir / "nginx.conf"
            conf.write_text(self.render_config(), encoding="utf-8")
            self._proc = subprocess.Popen(
                [binary, "-c", str(conf), "-p", str(self.dir) + "/", "-e", str(self.dir / "logs" / "error.log")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            try:
                self._wait_ready(timeout)
                _running.add(self)
                log.info("nginx-rtmp up (pid %s): rtmp %s, http %s", self._proc.pid, self.rtmp_port, self.http_port)
                return self
            except NginxStartError as e:
                last_error = str(e)
                self._kill()
                if "Address already in use" not in last_error:
                    break
        self.stop()
        raise NginxStartError(last_error)

    def _error_log_tail(self, n: int = 15) -> str:
        assert self.dir is not None
        try:
            lines = (self.dir / "logs" / "error.log").read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no error log)"
        return "\n".join(lines[-n:])

    def _wait_ready(self, timeout: float) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.http_port}/stat"
        while True:
            rc = self._proc.poll()
            if rc is not None:
                raise NginxStartError(f"nginx exited with status {rc}:\n{self._error_log_tail()}")
            try:
                with _direct.open(url, timeout=1.0) as r:
                    if r.status == 200:
                        with socket.create_connection(("127.0.0.1", self.rtmp_port), timeout=1.0):
                            return
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise NginxStartError(f"nginx did not answer on {url} within {timeout:.0f} s:\n"
                                      f"{self._error_log_tail()}")
            time.sleep(0.02)

    def _kill(self) -> None:
        _running.discard(self)
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        # SIGTERM = fast shutdown: the master ends its worker and exits. The group kill is the
        # fallback for a worker left behind (the group is nginx's own: start_new_session).
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        try:
            time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        """Stop nginx (its worker too) and remove the folder. Safe to call twice."""
        self._kill()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> NginxRtmpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- test publishers -----------------------------------------------------------------------------

_font_cache: dict[str, str | None] = {}


def find_cjk_font() -> str | None:
    """A font file that has Chinese glyphs (fonts-noto-cjk), found with fontconfig; None if there is none."""
    if "cjk" in _font_cache:
        return _font_cache["cjk"]
    found: str | None = None
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10,
                                 check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
        # prefer the regular sans face; any face with Chinese glyphs will do
        files.sort(key=lambda f: (0 if "Sans" in f else 1, 0 if "Regular" in f else 1, f))
        found = next((f for f in files if Path(f).is_file()), None)
    _font_cache["cjk"] = found
    return found


def _filter_value(value: str) -> str:
    """Escape a drawtext option value for an ffmpeg filtergraph (both escaping levels)."""
    # level 1: the option parser (':' separates options, '\\' and '\'' escape)
    v = value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    # level 2: the filtergraph parser
    for c in "\\'[],;":
        v = v.replace(c, "\\" + c)
    return v


class FfmpegPublisher:
    """One ffmpeg test encoder publishing to ``rtmp_url``.

    The picture is ``testsrc2`` with ``room_name`` and a wall clock burned in (in a CJK font
    found with fontconfig; without one, no text), the sound a 440 Hz tone. x264 ``veryfast``
    ``zerolatency``, ``-g rate`` (one keyframe a second), AAC 96 kb/s, FLV over RTMP.

    It does not reconnect: when nginx drops it, ffmpeg exits (``returncode`` is then set) and
    the caller may :meth:`start` it again.

    The stream name is the part of ``rtmp_url`` after the application, exactly as written (not
    percent-decoded, spaces and ``&`` included): it is handed to ffmpeg as ``-rtmp_playpath``,
    because ffmpeg would otherwise cut the URL at a space (librtmp-style options).

    Args:
        rtmp_url: ``rtmp://127.0.0.1:PORT/live/<stream>``.
        room_name: text burned into the picture (any characters).
        size: ``WxH``.
        rate: frames per second (also the GOP length).
        video_kbps: CBR video bitrate.
    """

    def __init__(self, rtmp_url: str, room_name: str, *, size: str = "640x360", rate: int = 25,
                 video_kbps: int = 800) -> None:
        self.rtmp_url = rtmp_url
        self.room_name = room_name
        self.size = size
        self.rate = rate
        self.video_kbps = video_kbps
        base, sep, rest = rtmp_url.partition("://")
        host, _, path = rest.partition("/")
        app, _, stream = path.partition("/")
        if base not in ("rtmp", "rtmps") or not sep or not host or not app or not stream:
            raise ValueError(f"expected rtmp://HOST:PORT/APP/STREAM, got {rtmp_url!r}")
        self.server_url = f"{base}://{host}/{app}"
        self.app, self.stream = app, stream
        self._proc: subprocess.Popen[bytes] | None = None
        self._scratch: Path | None = None

    @property
    def _dir(self) -> Path:
        """A scratch folder for the text files and ffmpeg's log, made on first use."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="shihou-ffmpeg-"))
        return self._scratch

    @property
    def _stderr_path(self) -> Path:
        return self._dir / "ffmpeg.log"

    def command(self) -> list[str]:
        """The ffmpeg command line (no shell is involved)."""
        binary = shutil.which("ffmpeg")
        if binary is None:
            raise SandboxToolMissing("ffmpeg is not installed (Debian package ffmpeg)")
        vf = []
        font = find_cjk_font()
        if font is not None:
            # the texts come from files: no escaping of the room name in the filtergraph
            name_file, clock_file = self._dir / "name.txt", self._dir / "clock.txt"
            name_file.write_text(self.room_name, encoding="utf-8")
            clock_file.write_text("%{localtime:%X}", encoding="utf-8")
            common = f"fontfile={_filter_value(font)}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6"
            h = int(self.size.split("x")[1]) if "x" in self.size else 360
            fs = max(12, h // 12)
            vf.append(f"drawtext={common}:textfile={_filter_value(str(name_file))}:expansion=none"
                      f":fontsize={fs}:x=(w-tw)/2:y=h/8")
            vf.append(f"drawtext={common}:textfile={_filter_value(str(clock_file))}:expansion=normal"
                      f":fontsize={fs}:x=12:y=h-th-12")
        gop = str(self.rate)
        kbps = f"{self.video_kbps}k"
        cmd = [binary, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
               "-f", "lavfi", "-i", f"testsrc2=size={self.size}:rate={self.rate}",
               "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
        if vf:
            cmd += ["-vf", ",".join(vf)]
        cmd += ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                "-g", gop, "-keyint_min", gop, "-b:v", kbps, "-maxrate", kbps, "-bufsize", kbps,
                "-c:a", "aac", "-b:a", "96k", "-ar", "44100",
                "-rtmp_app", self.app, "-rtmp_playpath", self.stream,
                "-f", "flv", self.server_url]
        return cmd

    def start(self) -> FfmpegPublisher:
        """Start (or restart, after it exited) the encoder."""
        if self._proc is not None and self._proc.poll() is None:
            return self
        cmd = self.command()
        with open(self._stderr_path, "ab") as err:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _running.add(self)
        return self

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def returncode(self) -> int | None:
        """None while running (or never started), else ffmpeg's exit status."""
        return None if self._proc is None else self._proc.poll()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, n: int = 10) -> str:
        """The last lines ffmpeg wrote to stderr (why it exited)."""
        if self._scratch is None:
            return ""
        try:
            return "\n".join(self._stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the encoder (SIGTERM, then SIGKILL after 3 s); :meth:`start` may start it again."""
        _running.discard(self)
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=3)

    def close(self) -> None:
        """Stop and remove the scratch folder."""
        self.stop()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> FfmpegPublisher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- everything together, for `make run` -----------------------------------------------------------

@dataclass
class StreamSandbox:
    """A running nginx-rtmp, its on_publish endpoint and test publishers (see :func:`start_stream_sandbox`)."""

    server: NginxRtmpServer
    endpoint: PlatformEndpoint
    publishers: list[FfmpegPublisher]

    async def aclose(self) -> None:
        """Stop the publishers, nginx and the endpoint (in that order). Safe to call twice."""
        for p in self.publishers:
            await asyncio.to_thread(p.close)
        await asyncio.to_thread(self.server.stop)
        await self.endpoint.stop()


async def start_stream_sandbox(engine: AsyncEngine, streams: Sequence[tuple[str, str]] | None = None, *,
                               count: int = 8, size: str = "640x360", rate: int = 25,
                               screenshots_s: int = 0) -> StreamSandbox:
    """Start the on_publish endpoint on ``engine``, nginx-rtmp asking it, and one publisher per stream.

    Args:
        engine: The shared database the endpoint reads (cut rooms cannot publish).
        streams: ``(stream_name, text to burn in)`` pairs; None: the first ``count`` rooms whose
            state is ``live`` (by id), with their titles.
        count: How many live rooms to publish when ``streams`` is None.
        size: Picture size of every publisher. 640x360 costs about 10 % of a core each (x264 veryfast).
        rate: Frames per second (and keyframes per second: GOP = rate).
        screenshots_s: nginx writes each stream's latest keyframe every so many seconds (0: off).

    Returns:
        The sandbox; call :meth:`StreamSandbox.aclose` to stop everything.
    """
    if streams is None:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(t.rooms.c.stream_name, t.rooms.c.title)
                                       .where(t.rooms.c.state == "live").order_by(t.rooms.c.id).limit(count))).all()
        streams = [(r.stream_name, f"{r.title} · {r.stream_name}") for r in rows]
    endpoint = PlatformEndpoint()
    base = await endpoint.start(engine, "127.0.0.1")
    server = NginxRtmpServer(on_publish_base=base, screenshots_s=screenshots_s)
    try:
        await asyncio.to_thread(server.start)
    except BaseException:
        await endpoint.stop()
        raise
    publishers = [FfmpegPublisher(server.publish_url(name), text, size=size, rate=rate).start()
                  for name, text in streams]
    log.info("stream sandbox: %d publishers on %s (stat %s)", len(publishers), server.urls.rtmp_base,
             server.urls.stat_url)
    return StreamSandbox(server, endpoint, publishers)
