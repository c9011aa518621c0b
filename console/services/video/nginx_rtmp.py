"""Self-hosted nginx-rtmp (libnginx-mod-rtmp) as a :class:`~console.services.video.base.VideoProvider`.

What nginx-rtmp offers and what this provider makes of it (providers.md §6, platform-facts.md §3):

* **list_live** reads ``/stat`` (``rtmp_stat all``) and parses it with defusedxml; a document with a
  DTD or entities is refused, never expanded. A stream is live when ``<publishing/>`` is present;
  viewers = ``nclients`` − 1 (the publisher counts); ``bw_*`` are bits/s averaged over 10 s and
  refreshed every 10 s (0 for the first ~10 s of a stream); ``time`` is milliseconds.
* **forbid** drops the publisher through the control module. nginx itself keeps no blacklist:
  what keeps a cut stream off is the ``on_publish`` callback, which asks the platform (in the
  sandbox :mod:`console.sandbox.platform`) and is refused while the shared database says the room
  is cut. **The ActionService writes that database state; forbid only drops.** ``until`` is
  enforced by the database (the sanction's ``ends_at``), not by nginx.
* **resume** does nothing at nginx level (the database state is what ``on_publish`` reads).
* **blacklist** lists what *this instance* forbade and has not resumed (expired entries left
  out); the platform's real list is in the database (``rooms.state``/``sanctions``).
* **play_url**: RTMP and HLS; self-hosted nginx-rtmp signs nothing, so ``expires_in_s`` is
  ignored. libnginx-mod-rtmp has no HTTP-FLV.
* **renditions**: the source only (no transcoder is configured).
* **screenshots**: none (an empty list). nginx-rtmp keeps no snapshots, and grabbing a frame
  would need ffmpeg on every operator's machine; the preview shows the live picture.
* **stats_history**: an in-memory ring of the samples this instance took in :meth:`list_live`.

Stream names and the control module: nginx-rtmp compares the ``name`` query argument with the
stream name **byte for byte, without URL-decoding it** (``ngx_http_arg``), and ``/stat`` shows
every byte outside 0x20–0x7E as a space. So:

* a name made of RFC 3986 unreserved characters (``room_10001234``) goes into
  ``/control/drop/publisher?app=…&name=…`` as it is (URL-encoding changes nothing);
* another printable-ASCII name (``room 1``, ``a&name=b``) cannot be written into a query that
  nginx would compare equal, so the publisher is found in ``/stat`` by its exact name and dropped
  by its connection id: ``/control/drop/client?app=…&clientid=N`` (the id names one connection,
  so no other stream can be hit; a percent-encoded name would silently match nothing);
* a name with non-ASCII characters (``房间``) is sent as raw UTF-8 bytes in the query, which
  nginx accepts and compares correctly; httpx refuses such a request line, so this one request
  goes over a plain socket. Such names appear in ``/stat`` only as spaces (see :func:`stat_name`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import quote, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml  # type: ignore[import-untyped, unused-ignore]
import defusedxml.ElementTree as DefusedET  # type: ignore[import-untyped, unused-ignore]
import httpx

from console.errors import ProviderAuthError, ProviderRejected, ProviderUnavailable
from console.services.http import HttpTransportPolicy
from console.services.video.base import (
    BlacklistEntry,
    PlayProtocol,
    Rendition,
    Screenshot,
    StatsPoint,
    StreamHealth,
    StreamState,
    check_image,
)

log = logging.getLogger(__name__)

PROVIDER = "nginx-rtmp"

#: nginx-rtmp's NGX_RTMP_MAX_NAME is 256 bytes including the terminating NUL.
MAX_NAME_BYTES = 255
#: Characters a query value can carry unchanged (RFC 3986 "unreserved").
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
#: Bytes that cannot appear raw in an HTTP request line's query value for nginx.
_RAW_UNSAFE = frozenset(b" \t\r\n&#%+\x7f") | frozenset(range(0x20))
#: XML 1.0 forbids these characters; they are blanked before parsing.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def stat_name(stream: str) -> str:
    """The name nginx-rtmp's ``/stat`` shows for ``stream``: every byte outside 0x20–0x7E becomes a space.

    ``stat_name("房间") == "      "`` (six UTF-8 bytes), so names with non-ASCII characters cannot
    be told apart in ``/stat``; keep stream names ASCII (the platform uses ``room_<user id>``).
    """
    return "".join(chr(b) if 0x20 <= b < 0x7F else " " for b in stream.encode("utf-8"))


# --- /stat parsing (pure) -------------------------------------------------------------------------

def _text(el: Element, path: str) -> str:
    """The text of ``path`` as it is (stream names may be all spaces: see :func:`stat_name`)."""
    found = el.find(path)
    return (found.text or "") if found is not None else ""


def _num(el: Element, path: str) -> float:
    """A number from the stat page; missing or unreadable values count as 0 (a bad field must not hide the rest)."""
    raw = _text(el, path).strip()
    if not raw:
        return 0.0
    try:
        return float(raw)
    except ValueError:
        log.debug("nginx-rtmp stat: %s is not a number: %r", path, raw[:40])
        return 0.0


def _parse_stream(st: Element, app: str, sampled_at: datetime) -> StreamHealth:
    publishing = st.find("publishing") is not None
    nclients = int(_num(st, "nclients"))
    publisher = next((c for c in st.findall("client") if c.find("publishing") is not None), None)
    # the publisher's own connection age is when this broadcast started; the stream's age is the fallback
    age_ms = _num(publisher, "time") if publisher is not None else _num(st, "time")
    return StreamHealth(
        stream=_text(st, "name"),
        app=app,
        state=StreamState.LIVE if publishing else StreamState.OFFLINE,
        sampled_at=sampled_at,
        started_at=sampled_at - timedelta(milliseconds=age_ms) if publishing else None,
        publisher_ip=_text(publisher, "address") if publisher is not None else "",
        viewers=max(0, nclients - 1) if publishing else nclients,
        video_kbps=_num(st, "bw_video") / 1000.0,
        audio_kbps=_num(st, "bw_audio") / 1000.0,
        fps=_num(st, "meta/video/frame_rate"),
        width=int(_num(st, "meta/video/width")),
        height=int(_num(st, "meta/video/height")),
        keyframe_interval_s=None,  # nginx-rtmp does not report the GOP
        video_codec=_text(st, "meta/video/codec"),
        audio_codec=_text(st, "meta/audio/codec"),
    )


def _parse_root(xml: bytes) -> Element:
    """The ``<rtmp>`` element of a stat document, refusing DTDs and entities (see :func:`parse_stat`)."""
    # nginx-rtmp blanks control bytes in names, but other fields come from clients (flashver, page
    # URLs); clean what XML cannot carry so one odd publisher cannot hide every stream.
    text = _XML_INVALID.sub(" ", xml.decode("utf-8", errors="replace"))
    try:
        root: Element = DefusedET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as e:
        raise ProviderUnavailable(
            PROVIDER, f"refused the /stat document: it declares a DTD or entities ({type(e).__name__}); "
                      "nginx-rtmp never sends one, so this is not nginx-rtmp's stat page or it was tampered with",
            code="hostile_xml") from None
    except ParseError as e:
        raise ProviderUnavailable(PROVIDER, f"the /stat document is not well-formed XML ({e})",
                                  code="malformed_stat") from None
    if root.tag != "rtmp":
        raise ProviderUnavailable(PROVIDER, f"the /stat document is not nginx-rtmp's (root element <{root.tag}>); "
                                            "is the stat URL a location with 'rtmp_stat all'?", code="malformed_stat")
    return root


def parse_stat(xml: bytes, sampled_at: datetime) -> list[StreamHealth]:
    """Every stream of every application in an nginx-rtmp ``/stat`` document.

    Streams with ``<publishing/>`` are :attr:`StreamState.LIVE`; others (players waiting on a
    stream with ``idle_streams on``) are :attr:`StreamState.OFFLINE`. Bandwidths are converted
    from bits/s to kbps; ``started_at`` is ``sampled_at`` minus the publisher's age.

    Args:
        xml: The body of ``/stat`` (UTF-8).
        sampled_at: When it was fetched (aware UTC).

    Returns:
        One :class:`StreamHealth` per ``<stream>``, in document order.

    Raises:
        ProviderUnavailable: The body is not well-formed XML, is not an nginx-rtmp stat page, or
            declares a DTD or entities (refused without expanding anything: code ``hostile_xml``).
    """
    root = _parse_root(xml)
    out: list[StreamHealth] = []
    for application in root.iterfind("server/application"):
        app = _text(application, "name")
        for st in application.iterfind("live/stream"):
            out.append(_parse_stream(st, app, sampled_at))
    return out


# --- the provider ---------------------------------------------------------------------------------

class _NameRoute(NamedTuple):
    kind: str  # "name" | "clientid" | "raw"
    why: str


def _route(stream: str) -> _NameRoute:
    if all(c in _UNRESERVED for c in stream):
        return _NameRoute("name", "unreserved characters only")
    data = stream.encode("utf-8")
    if all(0x20 <= b < 0x7F for b in data):
        return _NameRoute("clientid", "printable ASCII with characters a query cannot carry unchanged")
    return _NameRoute("raw", "non-ASCII characters")


class NginxRtmpVideo:
    """A :class:`~console.services.video.base.VideoProvider` for a self-hosted nginx-rtmp.

    Args:
        client: The shared HTTP client (the caller owns it and closes it; :meth:`aclose` does not).
        stat_url: ``http://host:port/stat`` (a location with ``rtmp_stat all``).
        control_url: ``http://host:port/control`` (a location with ``rtmp_control all`` or ``drop``).
        rtmp_base: ``rtmp://host:port`` players and encoders connect to.
        hls_base: ``http://host:port/hls`` serving ``<stream>.m3u8``.
        app: The RTMP application (``live``); only its streams are listed and dropped.
        clock: Aware-UTC "now" (injected in tests).
        policy: The HTTP policy (retries, logging, error translation); default: one retry.
        history_points: Samples kept per stream for :meth:`stats_history`.
        history_streams: Streams kept in the history (least recently seen dropped first).
    """

    name = PROVIDER

    def __init__(self, client: httpx.AsyncClient, *, stat_url: str, control_url: str, rtmp_base: str,
                 hls_base: str, app: str = "live", clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 policy: HttpTransportPolicy | None = None, history_points: int = 720,
                 history_streams: int = 2000, shots_base: str | None = None) -> None:
        if not app or not all(c in _UNRESERVED for c in app):
            raise ValueError(f"application name must use unreserved URL characters: {app!r}")
        self._client = client
        self.stat_url = stat_url
        self.control_url = control_url.rstrip("/")
        self.rtmp_base = rtmp_base.rstrip("/")
        self.hls_base = hls_base.rstrip("/")
        self.shots_base = shots_base.rstrip("/") if shots_base else None
        self.app = app
        self._clock = clock
        self._policy = policy or HttpTransportPolicy(retries=1, backoff_base_s=0.1, backoff_cap_s=0.5)
        self._history_points = history_points
        self._history_streams = history_streams
        self._history: OrderedDict[str, deque[StatsPoint]] = OrderedDict()
        self._forbidden: dict[str, BlacklistEntry] = {}

    # --- HTTP -------------------------------------------------------------------------------------

    async def _get(self, url: str, params: dict[str, str] | None = None, *, what: str) -> httpx.Response:
        try:
            reply = await self._policy.send(self._client, lambda: self._client.build_request("GET", url, params=params),
                                            provider=PROVIDER, idempotent=True)
        except ProviderUnavailable as e:
            if e.http_status is None and e.code in ("network", "timeout"):
                detail = str(e).removeprefix(f"{PROVIDER}: ")
                raise ProviderUnavailable(PROVIDER, f"not reachable at {url} ({what}); is nginx running? [{detail}]",
                                          code=e.code) from None
            raise
        r = reply.response
        if r.status_code in (401, 403):
            raise ProviderAuthError(PROVIDER, f"{url} refused access ({what}); allow this machine in the "
                                              "nginx location", http_status=r.status_code)
        if r.status_code == 404:
            raise ProviderUnavailable(PROVIDER, f"{url} does not exist ({what}); check the nginx locations "
                                                "'rtmp_stat all' and 'rtmp_control all'", http_status=404,
                                      code="not_found")
        if r.status_code >= 400:
            raise ProviderRejected(PROVIDER, f"{what} refused", http_status=r.status_code)
        return r

    async def _raw_get(self, target: bytes, *, what: str) -> tuple[int, bytes]:
        """One GET whose request line carries bytes httpx will not send (raw UTF-8 in the query)."""
        parts = urlsplit(self.control_url)
        host = parts.hostname or "127.0.0.1"
        tls = parts.scheme == "https"
        port = parts.port or (443 if tls else 80)
        timeout = self._client.timeout.read or 10.0
        netloc = parts.netloc.encode("idna")
        request = (b"GET " + target + b" HTTP/1.1\r\nHost: " + netloc
                   + b"\r\nUser-Agent: shihou-console\r\nConnection: close\r\n\r\n")
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=ssl.create_default_context() if tls else None)
                try:
                    writer.write(request)
                    await writer.drain()
                    data = b""
                    while len(data) < 65536 and (chunk := await reader.read(65536)):
                        data += chunk
                finally:
                    writer.close()
        except (OSError, TimeoutError) as e:
            raise ProviderUnavailable(PROVIDER, f"not reachable at {self.control_url} ({what}); is nginx running? "
                                                f"[{type(e).__name__}: {e}]", code="network") from None
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
        if m is None:
            raise ProviderUnavailable(PROVIDER, f"no HTTP answer from {self.control_url} ({what})",
                                      code="malformed_response")
        return int(m.group(1)), body

    async def _fetch_stat(self) -> list[StreamHealth]:
        r = await self._get(self.stat_url, what="reading /stat")
        return parse_stat(r.content, self._clock())

    # --- VideoProvider ----------------------------------------------------------------------------

    async def list_live(self) -> list[StreamHealth]:
        """Every stream of :attr:`app` that has a publisher now (each sample also feeds :meth:`stats_history`).

        Raises:
            ProviderUnavailable: nginx is not reachable, or ``/stat`` is malformed or hostile.
        """
        live = [h for h in await self._fetch_stat() if h.app == self.app and h.state is StreamState.LIVE]
        for h in live:
            self._remember(h)
        return live

    def _check_name(self, stream: str) -> None:
        if not stream:
            raise ProviderRejected(PROVIDER, "empty stream name: no stream has it (and a control call without "
                                             "a name would drop every publisher)", code="bad_stream_name")
        if "?" in stream:
            raise ProviderRejected(PROVIDER, f"stream name {stream!r} contains '?': nginx-rtmp treats what "
                                             "follows as arguments, so no stream can have this name",
                                   code="bad_stream_name")
        if len(stream.encode("utf-8")) > MAX_NAME_BYTES:
            raise ProviderRejected(PROVIDER, f"stream name longer than {MAX_NAME_BYTES} bytes: {stream[:40]!r}…",
                                   code="bad_stream_name")

    async def _drop(self, stream: str) -> int:
        route = _route(stream)
        if route.kind == "name":
            r = await self._get(f"{self.control_url}/drop/publisher", {"app": self.app, "name": stream},
                                what=f"dropping {stream!r}")
            return _count(r.text)
        if route.kind == "clientid":
            dropped = 0
            for cid in await self._publisher_ids(stream):
                # no name filter (nginx would compare it undecoded); the connection id selects exactly one client
                r = await self._get(f"{self.control_url}/drop/client", {"app": self.app, "clientid": cid},
                                    what=f"dropping {stream!r} (client {cid})")
                dropped += _count(r.text)
            return dropped
        data = stream.encode("utf-8")
        if any(b in _RAW_UNSAFE for b in data):
            raise ProviderRejected(PROVIDER, f"cannot address stream {stream!r} through nginx-rtmp's control "
                                             "module: it mixes non-ASCII characters with spaces, '&', '#', '%', "
                                             "'+' or control characters; rename the stream", code="bad_stream_name")
        path = urlsplit(self.control_url).path.rstrip("/")
        target = (quote(path).encode("ascii") + b"/drop/publisher?app=" + self.app.encode("ascii")
                  + b"&name=" + data)
        status, body = await self._raw_get(target, what=f"dropping {stream!r}")
        log.debug("nginx-rtmp GET %s (raw UTF-8) -> %s", target.decode("utf-8", "replace"), status)
        if status >= 400:
            raise (ProviderUnavailable if status >= 500 else ProviderRejected)(
                PROVIDER, f"dropping {stream!r} refused", http_status=status)
        return _count(body.decode("ascii", "replace"))

    async def _publisher_ids(self, stream: str) -> list[str]:
        """Connection ids of the publishers of exactly ``stream`` in :attr:`app`, from ``/stat``."""
        r = await self._get(self.stat_url, what="reading /stat")
        ids: list[str] = []
        for application in _parse_root(r.content).iterfind("server/application"):
            if _text(application, "name") != self.app:
                continue
            for st in application.iterfind("live/stream"):
                if _text(st, "name") != stream:
                    continue
                for c in st.findall("client"):
                    cid = _text(c, "id").strip()
                    if c.find("publishing") is not None and cid.isdigit():
                        ids.append(cid)
        return ids

    async def forbid(self, stream: str, *, until: datetime | None = None) -> None:
        """Drop the publisher of ``stream`` now. Idempotent (a stream that is not live drops nothing).

        Keeping it off is the ``on_publish`` callback's job (it reads the database the
        ActionService wrote); ``until`` is recorded for :meth:`blacklist` only.

        Raises:
            ProviderRejected: A name no nginx-rtmp stream can have, or one the control module cannot address.
            ProviderUnavailable: nginx is not reachable.
        """
        self._check_name(stream)
        dropped = await self._drop(stream)
        self._forbidden[stream] = BlacklistEntry(stream=stream, forbidden_at=self._clock(), forbidden_until=until)
        log.info("nginx-rtmp: dropped %d publisher(s) of %s/%s (%s)", dropped, self.app, stream,
                 _route(stream).why)

    async def resume(self, stream: str) -> None:
        """Nothing to do at nginx: ``on_publish`` lets the stream back once the database says so.

        Only forgets the entry in :meth:`blacklist`. Idempotent.
        """
        self._forbidden.pop(stream, None)

    async def blacklist(self) -> list[BlacklistEntry]:
        """What this instance forbade and did not resume, without expired entries.

        nginx keeps no blacklist; the platform's list is the database's cut rooms and sanctions.
        """
        now = self._clock()
        for k in [k for k, e in self._forbidden.items() if e.forbidden_until is not None and e.forbidden_until <= now]:
            del self._forbidden[k]
        return sorted(self._forbidden.values(), key=lambda e: e.forbidden_at)

    async def renditions(self, stream: str) -> list[Rendition]:
        """The source as published (nginx-rtmp transcodes nothing here); empty when the stream is not live."""
        for h in await self._fetch_stat():
            if h.app == self.app and h.stream == stream and h.state is StreamState.LIVE:
                return [Rendition(name="source", width=h.width, height=h.height, video_kbps=h.video_kbps,
                                  url=self.play_url(stream))]
        return []

    def play_url(self, stream: str, *, protocol: PlayProtocol = "rtmp", expires_in_s: int = 3600) -> str:
        """An RTMP or HLS URL (unsigned: self-hosted nginx-rtmp has no URL signing; ``expires_in_s`` is ignored).

        RTMP players send the path after the application as the stream name without decoding
        it, and nginx-rtmp compares names byte for byte, so the name goes in as it is. The HLS
        URL is percent-encoded (nginx decodes HTTP paths to find ``<name>.m3u8``).

        Raises:
            ProviderRejected: ``flv`` (libnginx-mod-rtmp serves no HTTP-FLV), or an impossible name.
        """
        self._check_name(stream)
        if protocol == "rtmp":
            return f"{self.rtmp_base}/{self.app}/{stream}"
        if protocol == "hls":
            return f"{self.hls_base}/{quote(stream, safe='')}.m3u8"
        raise ProviderRejected(PROVIDER, f"{protocol} is not served by libnginx-mod-rtmp; use rtmp or hls",
                               code="unsupported_protocol")

    async def screenshots(self, stream: str, *, limit: int = 20) -> list[Screenshot]:
        """The latest keyframe the server's ``exec_push`` screenshotter wrote for ``stream`` (one: it is
        overwritten), dated by its ``Last-Modified``; empty when the server writes none (``shots_base``
        unset) or has none yet for this stream."""
        if self.shots_base is None:
            return []
        self._check_name(stream)
        url = f"{self.shots_base}/{quote(stream, safe='')}.jpg"
        try:
            reply = await self._policy.send(self._client, lambda: self._client.build_request("HEAD", url),
                                            provider=PROVIDER, idempotent=True)
        except ProviderUnavailable as e:
            if e.http_status == 404:
                return []
            raise
        r = reply.response
        if r.status_code == 404:
            return []
        if r.status_code >= 400:
            raise ProviderRejected(PROVIDER, f"screenshot of {stream} refused", http_status=r.status_code)
        try:
            at = parsedate_to_datetime(r.headers["last-modified"])
        except (KeyError, TypeError, ValueError):
            at = self._clock()
        return [Screenshot(stream=stream, taken_at=at, url=url)][:limit]

    async def screenshot_image(self, shot: Screenshot) -> bytes:
        """The JPEG behind ``shot``.

        Raises:
            ProviderRejected: not an image, or too large; ProviderUnavailable: unreachable.
        """
        r = await self._get(shot.url, what="screenshot")
        try:
            return check_image(r.content, shot.url)
        except ValueError as e:
            raise ProviderRejected(PROVIDER, str(e), code="bad_image") from None

    def _remember(self, h: StreamHealth) -> None:
        ring = self._history.get(h.stream)
        if ring is None:
            ring = self._history[h.stream] = deque(maxlen=self._history_points)
            while len(self._history) > self._history_streams:
                self._history.popitem(last=False)
        else:
            self._history.move_to_end(h.stream)
        ring.append(StatsPoint(at=h.sampled_at, video_kbps=h.video_kbps, fps=h.fps, viewers=h.viewers))

    async def stats_history(self, stream: str, since: datetime) -> list[StatsPoint]:
        """The samples :meth:`list_live` took of ``stream`` at or after ``since`` (this instance's memory only)."""
        return [p for p in self._history.get(stream, ()) if p.at >= since]

    async def aclose(self) -> None:
        """Forget the history and blacklist; the HTTP client belongs to the caller."""
        self._history.clear()
        self._forbidden.clear()


def _count(body: str) -> int:
    """The control module's answer: the number of sessions it dropped."""
    try:
        return int(body.strip() or "0")
    except ValueError:
        raise ProviderUnavailable(PROVIDER, f"unexpected control answer {body[:60]!r} (expected a count)",
                                  code="malformed_response") from None


__all__ = ["MAX_NAME_BYTES", "PROVIDER", "NginxRtmpVideo", "parse_stat", "stat_name"]
