"""What the preview player and the wall need that is not Qt: play URLs, libvlc options, probes, budgets.

* :class:`RoomRef` names a room to play (room id, stream, provider) and travels as JSON in the
  drag-and-drop MIME type :data:`ROOM_MIME` (``application/x-shihou-room``).
* :class:`PlayUrls` asks the provider for a (signed) play URL in the first protocol it serves,
  remembers when the signature runs out and says when to re-sign (:meth:`PlayTarget.needs_resign`).
* :func:`vlc_instance_args` / :func:`vlc_media_options`: the libvlc options measured to help
  (video-facts.md §1–3): ``--avio-options={tcp_nodelay=1}`` cuts the RTMP connect from about
  220 to 86 ms; network caching stays at 1000 ms (lower values start at a later keyframe, i.e.
  slower); tiles of a wall decode with one thread each (``:avcodec-threads=1``), which took a
  3×3 720p wall from 83 % to 66 % of a core.
* :func:`probe` runs beside the player's first connect (it costs the picture nothing) and turns
  what libvlc reports only as "error" into a reason a moderator can read: refused connection,
  HTTP 403 (expired signature), 404 (no such stream), a body that is not a playlist/FLV.
* :func:`decode_budget` / :func:`plan_wall`: how many pixels per second the machine decodes
  for a wall, from its cores; tiles beyond it show refreshed stills instead of video.
* :class:`StillCache`: the latest frame this console saw of each stream, shown at once when the
  room is opened again (marked as a still) while the live stream connects.
* :class:`Backoff`: reconnect delays with jitter.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from console.errors import ConsoleError, InvalidInput, ProviderError
from console.services.video.base import PlayProtocol, VideoProvider

if TYPE_CHECKING:
    from console.services.monitor import RoomRow

log = logging.getLogger(__name__)

#: The drag-and-drop MIME type of a room (UTF-8 JSON of :meth:`RoomRef.to_json`).
ROOM_MIME = "application/x-shihou-room"

#: Protocols tried in order when a provider is asked for a play URL.
DEFAULT_PROTOCOLS: tuple[PlayProtocol, ...] = ("rtmp", "flv", "hls")

#: Signed URLs are asked for this long; re-signed this long before they run out.
SIGN_FOR_S = 3600
RESIGN_MARGIN_S = 120

#: Query parameters of a signed play URL whose values are credentials (Kingsoft ``k``, common CDN names).
_SECRET_PARAMS = frozenset({"k", "sign", "signature", "token", "auth_key", "txsecret", "wssecret", "key"})


class PlaybackError(ConsoleError):
    """A room cannot be played (no provider, no protocol it serves)."""


# --- rooms ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class RoomRef:
    """A room to preview: which provider carries which stream (``room_id`` None: not in the database)."""

    stream: str
    provider: str
    room_id: int | None = None
    title: str = ""
    streamer: str = ""
    #: Picture size and rate when known (from the monitor's health), for the decode budget.
    width: int = 0
    height: int = 0
    fps: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.stream}"

    @property
    def label(self) -> str:
        if self.room_id is not None:
            return f"{self.room_id} {self.title}".strip()
        return self.title or self.stream

    def to_json(self) -> bytes:
        return json.dumps({"room_id": self.room_id, "stream": self.stream, "provider": self.provider,
                           "title": self.title, "streamer": self.streamer, "width": self.width,
                           "height": self.height, "fps": self.fps}, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes | str) -> RoomRef:
        """Parse the MIME payload.

        Raises:
            InvalidInput: Not JSON, or no stream / provider.
        """
        try:
            obj = json.loads(data)
        except (ValueError, UnicodeDecodeError) as e:
            raise InvalidInput(ROOM_MIME, f"not JSON ({e})") from None
        if not isinstance(obj, dict):
            raise InvalidInput(ROOM_MIME, "a JSON object is expected")
        stream, provider = obj.get("stream"), obj.get("provider")
        if not isinstance(stream, str) or not stream or not isinstance(provider, str) or not provider:
            raise InvalidInput(ROOM_MIME, "stream and provider are required")
        rid = obj.get("room_id")
        if rid is not None and (not isinstance(rid, int) or isinstance(rid, bool)):
            raise InvalidInput(ROOM_MIME, "room_id must be an integer")

        def num(k: str) -> float:
            v = obj.get(k, 0)
            return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0

        return cls(stream=stream, provider=provider, room_id=rid, title=str(obj.get("title") or ""),
                   streamer=str(obj.get("streamer") or ""), width=int(num("width")), height=int(num("height")),
                   fps=num("fps"))


def room_ref_from_row(row: RoomRow) -> RoomRef:
    """A room monitor row as a room to preview (picture size and rate from its health, for the budget)."""
    h, r = row.health, row.room
    return RoomRef(stream=row.stream, provider=row.provider, room_id=None if r is None else int(r.id),
                   title=r.title if r else row.stream, streamer=r.streamer if r else "",
                   width=h.width if h else 0, height=h.height if h else 0, fps=h.fps if h else 0.0)


# --- play URLs ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlayTarget:
    """One play URL and when its signature runs out (``expires_at`` in ``time.time()`` seconds)."""

    url: str
    protocol: PlayProtocol
    expires_at: float

    def needs_resign(self, now: float, margin_s: float = RESIGN_MARGIN_S) -> bool:
        return now >= self.expires_at - margin_s


def redact_play_url(url: str) -> str:
    """The URL with credential-like query values replaced by ``***`` (``t`` = expiry is kept)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    q = [(k, "***" if k.lower() in _SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(q, safe="*")))


class PlayUrls:
    """Play URLs of one room from its provider, re-signed before they run out.

    Args:
        provider: The room's video provider.
        stream: The stream name.
        protocols: Tried in order; a provider that does not serve one (``ProviderRejected``,
            ``InvalidInput``) is asked for the next.
        sign_for_s: ``expires_in_s`` asked of the provider.
        clock: ``time.time``-like.
    """

    def __init__(self, provider: VideoProvider, stream: str, *, protocols: Sequence[PlayProtocol] = DEFAULT_PROTOCOLS,
                 sign_for_s: int = SIGN_FOR_S, clock: Callable[[], float] = time.time) -> None:
        if not protocols:
            raise ValueError("at least one protocol")
        self.provider, self.stream = provider, stream
        self.protocols = tuple(protocols)
        self.sign_for_s = sign_for_s
        self._clock = clock
        self.current: PlayTarget | None = None

    def get(self, *, fresh: bool = False) -> PlayTarget:
        """The current target, or a newly signed one when none exists, ``fresh`` is set or it runs out soon.

        Raises:
            PlaybackError: The provider serves none of :attr:`protocols` for this stream (with each reason).
        """
        now = self._clock()
        if not fresh and self.current is not None and not self.current.needs_resign(now):
            return self.current
        reasons: list[str] = []
        for proto in self.protocols:
            try:
                url = self.provider.play_url(self.stream, protocol=proto, expires_in_s=self.sign_for_s)
            except (ProviderError, InvalidInput) as e:
                reasons.append(f"{proto}: {e}")
                continue
            self.current = PlayTarget(url, proto, now + self.sign_for_s)
            return self.current
        raise PlaybackError(f"{self.provider.name} offers no playable URL for {self.stream}: " + "; ".join(reasons))


# --- libvlc options ---------------------------------------------------------------------------------

#: Network caching kept at libvlc's default: below 1000 ms RTMP starts at a later keyframe (slower).
NETWORK_CACHING_MS = 1000


def vlc_instance_args(*, extra: Iterable[str] = (), quiet: bool = True) -> list[str]:
    """Arguments of the one shared ``vlc.Instance``.

    ``--no-xlib`` (Qt owns Xlib), ``--avio-options={tcp_nodelay=1}`` (RTMP connect 219 → 86 ms),
    no video title overlay, and ``--swscale-mode=0`` (fast bilinear): without XVideo (Xvfb, many
    remote desktops) VLC scales every picture to the window in software, and the bicubic default
    cost 10.1–12.7 ms of CPU per displayed frame in a 3×3 720p wall against 4.9–6.0 ms with fast
    bilinear (bench A/B, two rounds). ``SHIHOU_VLC_ARGS`` (space-separated) is appended, then ``extra``.
    """
    args = ["--no-xlib", "--avio-options={tcp_nodelay=1}", f"--network-caching={NETWORK_CACHING_MS}",
            "--no-video-title-show", "--no-snapshot-preview", "--no-osd", "--swscale-mode=0"]
    if quiet:
        args.append("--quiet")
    env = os.environ.get("SHIHOU_VLC_ARGS", "").split()
    return [*args, *env, *extra]


def vlc_media_options(protocol: PlayProtocol, *, tile: bool) -> list[str]:
    """Per-media options: a wall tile decodes with one thread (many small decoders beat frame threads)."""
    opts = [f":network-caching={NETWORK_CACHING_MS}"]
    if tile:
        opts.append(":avcodec-threads=1")
    return opts


# --- probes ---------------------------------------------------------------------------------------

ProbeVerdict = Literal["ok", "offline", "error"]


@dataclass(frozen=True, slots=True)
class ProbeResult:
    verdict: ProbeVerdict
    reason: str = ""


async def probe(client: httpx.AsyncClient, url: str, *, timeout: float = 3.0) -> ProbeResult:
    """Check a play URL beside the player: can it be reached, does the server accept it, is it media?

    RTMP: a TCP connect to host:port (a refused or unreachable address is an error). HTTP(S):
    a GET (a playlist is read whole, an endless FLV body not at all): 401/403 mean a refused or
    expired signature, 404/410 no such stream (offline), a playlist must start with ``#EXTM3U``,
    an FLV must not be text.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    shown = f"{host}:{parts.port}" if parts.port else host
    if scheme in ("rtmp", "rtmps"):
        port = parts.port or (443 if scheme == "rtmps" else 1935)
        try:
            async with asyncio.timeout(timeout):
                _r, w = await asyncio.open_connection(host, port)
            w.close()
        except TimeoutError:
            return ProbeResult("error", f"连接 {shown or host}:{port} 超时")
        except OSError as e:
            return ProbeResult("error", f"无法连接 {host}:{port}（{e.strerror or type(e).__name__}）")
        return ProbeResult("ok")
    if scheme not in ("http", "https"):
        return ProbeResult("error", f"不支持的播放地址协议 {scheme or '(无)'}")
    path = parts.path.lower()
    playlist = path.endswith(".m3u8")
    try:
        async with asyncio.timeout(timeout):
            if playlist:  # small: read it whole
                r = await client.get(url)
                head = r.content[:16]
            else:  # a live FLV body never ends: the status line and headers only
                async with client.stream("GET", url) as r:
                    head = b""
    except TimeoutError:
        return ProbeResult("error", f"{shown} 在 {timeout:.0f} 秒内没有应答")
    except httpx.HTTPError as e:
        return ProbeResult("error", f"无法连接 {shown}（{type(e).__name__}）")
    if r.status_code in (401, 403):
        return ProbeResult("error", f"播放地址被拒绝（HTTP {r.status_code}）：签名无效或已过期")
    if r.status_code in (404, 410):
        return ProbeResult("offline", f"流不存在（HTTP {r.status_code}）：主播未开播或已断流")
    if r.status_code >= 300:
        return ProbeResult("error", f"服务器返回 HTTP {r.status_code}")
    if playlist and not head.lstrip(b"\xef\xbb\xbf").startswith(b"#EXTM3U"):
        return ProbeResult("error", "返回的内容不是 HLS 播放列表（流已损坏）")
    ctype = r.headers.get("content-type", "")
    if path.endswith(".flv") and ctype.startswith(("text/", "application/json")):
        return ProbeResult("error", f"返回的内容不是 FLV 流（{ctype}）")
    return ProbeResult("ok")


class LiveCheck:
    """Is a stream publishing now? One ``list_live`` per provider per ``ttl_s``, shared by every player.

    Answers None when the provider cannot be asked (the caller keeps its own verdict).
    """

    def __init__(self, ttl_s: float = 3.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._seen: dict[int, tuple[float, frozenset[str]]] = {}
        self._inflight: dict[int, asyncio.Future[frozenset[str] | None]] = {}

    async def is_live(self, provider: VideoProvider, stream: str) -> bool | None:
        key = id(provider)
        hit = self._seen.get(key)
        if hit is not None and self._clock() - hit[0] < self.ttl_s:
            return stream in hit[1]
        fut = self._inflight.get(key)
        if fut is None:
            fut = asyncio.ensure_future(self._fetch(provider))
            self._inflight[key] = fut
            fut.add_done_callback(lambda _f: self._inflight.pop(key, None))
        names = await asyncio.shield(fut)
        return None if names is None else stream in names

    async def _fetch(self, provider: VideoProvider) -> frozenset[str] | None:
        try:
            live = await provider.list_live()
        except ProviderError as e:
            log.debug("live check of %s failed: %s", provider.name, e)
            return None
        names = frozenset(h.stream for h in live)
        self._seen[id(provider)] = (self._clock(), names)
        return names


#: The live check players share.
LIVE_CHECK = LiveCheck()


# --- reconnect backoff ---------------------------------------------------------------------------

@dataclass
class Backoff:
    """Reconnect delays: ``base_s`` doubling up to ``cap_s``, ±``jitter`` (fraction), reset on success."""

    base_s: float = 0.5
    cap_s: float = 10.0
    jitter: float = 0.2
    rand: Callable[[], float] = random.random
    attempt: int = 0

    def next(self) -> float:
        d = min(self.cap_s, self.base_s * float(2 ** self.attempt))
        self.attempt += 1
        return float(max(0.05, d * (1 + self.jitter * (2 * self.rand() - 1))))

    def reset(self) -> None:
        self.attempt = 0


# --- decode budget ----------------------------------------------------------------------------------

#: Pixels per second one core decodes for a wall with a margin for the rest of the console and the
#: machine: nine 720p25 tiles (207 Mpx/s) took 66 % of a core measured (video-facts.md §3), i.e. about
#: 314 Mpx/s per core; half of that is budgeted.
PIXELS_PER_CORE = 150_000_000
DEFAULT_TILE = (1280, 720, 25.0)


def decode_cost(width: int, height: int, fps: float) -> float:
    """Pixels per second of a stream (unknown fields: a 720p25 stream is assumed)."""
    w, h, f = (width or DEFAULT_TILE[0]), (height or DEFAULT_TILE[1]), (fps or DEFAULT_TILE[2])
    return float(w * h * f)


def decode_budget(cpu_count: int | None = None) -> float:
    """Pixels per second the wall may decode on this machine (``os.cpu_count()`` by default)."""
    cores = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    return float(max(1, cores) * PIXELS_PER_CORE)


TileMode = Literal["video", "still"]


def plan_wall(costs: Sequence[float | None], focused: int | None, budget: float) -> list[TileMode | None]:
    """Which tiles decode video and which show refreshed stills.

    The focused tile always decodes; the others, in tile order, while the sum stays within
    ``budget``. ``None`` cost = an empty tile (mode None).
    """
    modes: list[TileMode | None] = [None if c is None else "still" for c in costs]
    used = 0.0
    order = ([focused] if focused is not None and 0 <= focused < len(costs) and costs[focused] is not None else [])
    order += [i for i in range(len(costs)) if i not in order and costs[i] is not None]
    for i in order:
        c = costs[i]
        assert c is not None
        if i == focused or used + c <= budget:
            modes[i] = "video"
            used += c
    return modes


# --- stills ----------------------------------------------------------------------------------------

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _slug(text: str) -> str:
    return _SAFE.sub(lambda m: f"%{ord(m.group()):02X}" if ord(m.group()) < 256 else "_", text)[:120]


@dataclass(frozen=True, slots=True)
class Still:
    path: Path
    taken_at: datetime
    source: str  # "cache" | "provider"


@dataclass
class StillCache:
    """The latest frame seen of each stream, as a PNG file per ``provider/stream`` in ``folder``."""

    folder: Path
    max_files: int = 500
    _count: int = field(default=0, init=False)

    def path_for(self, provider: str, stream: str) -> Path:
        return self.folder / f"{_slug(provider)}__{_slug(stream)}.png"

    def latest(self, provider: str, stream: str) -> Still | None:
        p = self.path_for(provider, stream)
        try:
            st = p.stat()
        except OSError:
            return None
        if st.st_size == 0:
            return None
        return Still(p, datetime.fromtimestamp(st.st_mtime, UTC), "cache")

    def scratch(self, provider: str, stream: str) -> Path:
        """A temporary path next to the cache file (a snapshot is written there, then moved in)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f".{_slug(provider)}__{_slug(stream)}.{os.getpid()}.{time.monotonic_ns()}.png"

    def store(self, provider: str, stream: str, src: Path) -> Still | None:
        """Move a finished snapshot into place atomically (the old still stays until then)."""
        try:
            if src.stat().st_size == 0:
                src.unlink(missing_ok=True)
                return None
            dst = self.path_for(provider, stream)
            os.replace(src, dst)
        except OSError as e:
            log.debug("still for %s/%s not kept: %s", provider, stream, e)
            return None
        self._count += 1
        if self._count % 50 == 0:
            self.prune()
        return self.latest(provider, stream)

    def prune(self) -> None:
        try:
            files = sorted(self.folder.glob("*.png"), key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return
        for p in files[self.max_files:]:
            p.unlink(missing_ok=True)

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


async def fetch_provider_still(client: httpx.AsyncClient, provider: VideoProvider, stream: str, dest: Path, *,
                               timeout: float = 1.5) -> Still | None:
    """Download the provider's newest screenshot of ``stream`` to ``dest``; None when it has none or fails."""
    try:
        async with asyncio.timeout(timeout):
            shots = await provider.screenshots(stream, limit=1)
            if not shots:
                return None
            r = await client.get(shots[0].url)
    except (TimeoutError, ProviderError, httpx.HTTPError) as e:
        log.debug("no provider still for %s/%s: %s", provider.name, stream, e)
        return None
    if r.status_code != 200 or not r.content:
        log.debug("provider still for %s/%s: HTTP %s", provider.name, stream, r.status_code)
        return None
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(r.content)
    return Still(dest, shots[0].taken_at, "provider")


# --- evidence ---------------------------------------------------------------------------------------

def snapshot_evidence(path: Path | None, taken_at: datetime, target: PlayTarget | None, *, backend: str,
                      still: Still | None = None, error: str = "") -> dict[str, Any]:
    """The ``snapshot`` entry of a cut's evidence: the frame file, when, from which (redacted) play URL.

    When no live frame exists the still on screen is named instead, marked as such.
    """
    out: dict[str, Any] = {"taken_at": taken_at.isoformat(), "backend": backend}
    if target is not None:
        out["play_url"] = redact_play_url(target.url)
        out["protocol"] = target.protocol
    if path is not None:
        out["path"] = str(path)
        out["kind"] = "live_frame"
        try:
            data = path.read_bytes()
        except OSError:
            pass
        else:  # the file stays on this machine: its digest makes a copy verifiable
            out["sha256"] = hashlib.sha256(data).hexdigest()
            out["bytes"] = len(data)
    elif still is not None:
        out["path"] = str(still.path)
        out["kind"] = "still"
        out["still_taken_at"] = still.taken_at.isoformat()
    if error:
        out["error"] = error
    return out


__all__ = [
    "DEFAULT_PROTOCOLS", "LIVE_CHECK", "ROOM_MIME", "Backoff", "LiveCheck", "PlayTarget", "PlayUrls", "PlaybackError", "ProbeResult",
    "RoomRef", "Still", "StillCache", "decode_budget", "decode_cost", "fetch_provider_still", "plan_wall",
    "probe", "redact_play_url", "room_ref_from_row", "snapshot_evidence", "vlc_instance_args", "vlc_media_options",
]
