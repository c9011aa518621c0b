"""A local emulator of Kingsoft Cloud live (KLS) OpenAPI, wire-exact where the reference is, for the
sandbox and the tests (providers.md §3, §8, §9). Plain aiohttp, no Qt.

Usage::

    emu = KingsoftEmulator(access_key="AKLTsandbox", secret_key="sandbox-secret")
    base_url = await emu.start()                 # http://127.0.0.1:<port>
    emu.publish("room_1", video_kbps=2500, viewers=12)
    emu.inject("ListRealtimePubStreamsInfo", "503")          # the next such call fails once
    ...
    await emu.stop()

What it checks, the way the real gateway does:

- **SigV4** (``AWS4-HMAC-SHA256``, service ``kls``, region ``cn-beijing-6``), recomputed here from the
  bytes on the wire with code that shares nothing with the client's signer: over whatever headers
  ``SignedHeaders`` names (``X-Amz-Target``, ``Accept``, ``Content-Type`` on a GET … are all fine),
  whatever ``Host`` was sent (``kls.api.ksyun.com``, ``kls.cn-beijing-6.api.ksyun.com`` or
  ``127.0.0.1:<port>``), header auth or presigned query auth.
- Refusals use the Ksyun gateway envelope ``{"RequestId", "Error": {"Type", "Code", "Message"}}``:
  no auth → 403 ``MissingAuthenticationToken``; unknown key → 403 ``InvalidClientTokenId``; wrong
  secret, scope or headers → 403 ``SignatureDoesNotMatch`` (with the canonical request and string to
  sign in the message, as AWS does); an ``X-Amz-Date`` more than 15 minutes old or ahead → 403
  ``RequestExpired`` (AWS's wording: "Signature expired: … is now earlier than …"); a malformed
  ``Authorization`` → 400 ``IncompleteSignature``.
- Dispatch on the query ``Action``, else the ``X-Action`` header, else ``X-Amz-Target: kls.<Op>``;
  parameters from the query, a JSON body (Python SDK) or a form body (Java SDK).

Choices where the reference is silent (UNCONFIRMED on the real service): business errors answer HTTP
200 with ``Data.RetCode`` ≠ 0 (``RET_NO_SUCH_DOMAIN`` = 201 for an unknown UniqueName/Pubdomain);
parameter errors answer 400 ``MissingParameter`` / ``InvalidParameterValue``; throttling answers 429
``Throttling`` with ``Retry-After``; rates go out in bytes/s (documents/1081 "/B"); ``Marker`` is a page
index; a permanent forbid reports ``ForbidTillUnixTime`` 0; ``ListScreenshots`` is invented.

Play URLs: ``GET /<app>/<stream>/index.m3u8`` and ``/<app>/<stream>.flv`` are answered as the play CDN
would (point ``kingsoft.play_domain`` at this emulator with ``kingsoft.play_scheme = "http"``): 403 when the
anti-leech check fails (no ``t``/``k``, ``t`` past, ``k`` not ``md5(key + stream + t)[8:24]``; §3.5), 404
when the stream is not live, else a live playlist without segments or an FLV header (the simulated
streams have no pictures). Every verdict is kept in :attr:`KingsoftEmulator.plays`.

State: live streams fed by :meth:`KingsoftEmulator.publish` (the sandbox's test publishers call it),
a blacklist with ``ForbidTillUnixTime`` expiry (a forbid disconnects the publisher and a forbidden
stream cannot publish), past sessions for the history and duration calls, generated screenshots.
Fault injection (:meth:`KingsoftEmulator.inject`): 5xx, timeout, 429, malformed JSON, slow, reset.
"""

from __future__ import annotations

import asyncio
import base64
import calendar
import contextlib
import hashlib
import hmac
import json
import logging
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from aiohttp import web

__all__ = [
    "RET_NO_SUCH_DOMAIN",
    "Call",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "KingsoftEmulator",
    "PublishRefused",
]

log = logging.getLogger(__name__)

FaultKind = Literal["500", "502", "503", "504", "timeout", "429", "malformed", "slow", "reset"]
FAULT_KINDS: frozenset[str] = frozenset({"500", "502", "503", "504", "timeout", "429", "malformed", "slow", "reset"})

RET_NO_SUCH_DOMAIN = 201
SKEW_S = 15 * 60
MAX_STREAM_CHARS = 256
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class PublishRefused(Exception):
    """A publisher tried to push a stream that is on the blacklist."""


# --- fault injection (shared with the Wangsu emulator) ---------------------------------------------

@dataclass
class Fault:
    """One injected fault; ``target`` None matches any call."""

    target: str | None
    kind: FaultKind
    remaining: int
    delay_s: float = 0.0
    retry_after_s: float = 1.0
    apply: bool = False


class FaultPlan:
    """Pending faults, consumed in order by the calls they match."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def inject(self, target: str | None, kind: FaultKind, count: int = 1, *, delay_s: float = 0.0,
               retry_after_s: float = 1.0, apply: bool = False) -> None:
        """Make the next ``count`` calls to ``target`` (None: any) fail with ``kind``.

        Args:
            target: Action (KLS) or path (Wangsu) the fault applies to; None for every call.
            kind: ``"500"``/``"502"``/``"503"``/``"504"`` an error status; ``"timeout"`` never answer
                (until the client gives up, or ``delay_s`` if given); ``"429"`` with ``Retry-After:
                retry_after_s``; ``"malformed"`` a 200 with a truncated JSON body; ``"slow"`` answer
                normally after ``delay_s``; ``"reset"`` drop the connection without an answer.
            count: How many matching calls it affects.
            delay_s: For ``slow`` (and an upper bound for ``timeout``, 0 = an hour).
            retry_after_s: The ``Retry-After`` value of a 429.
            apply: Perform the call's effect *before* failing (the answer is lost, the change is made).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if count < 1:
            raise ValueError("count must be >= 1")
        self._faults.append(Fault(target, kind, count, delay_s, retry_after_s, apply))

    def take(self, target: str) -> Fault | None:
        """The fault that applies to this call (its count is decreased), or None."""
        for f in self._faults:
            if f.target is None or f.target == target:
                f.remaining -= 1
                if f.remaining <= 0:
                    self._faults.remove(f)
                return f
        return None

    def clear(self) -> None:
        """Forget every pending fault."""
        self._faults.clear()

    @property
    def pending(self) -> int:
        """Calls still to be failed."""
        return sum(f.remaining for f in self._faults)


async def wait_or_closed(closing: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` (real time), returning early when the emulator stops."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(closing.wait(), timeout=seconds)


async def fault_response(request: web.Request, fault: Fault, closing: asyncio.Event,
                         error: Callable[[int, str, str], web.Response]) -> web.StreamResponse:
    """The response (or the lack of one) for a fault other than ``slow``."""
    if fault.kind == "timeout":
        await wait_or_closed(closing, fault.delay_s or 3600.0)
        return error(504, "GatewayTimeout", "The server did not answer in time")
    if fault.kind == "reset":
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # aiohttp drops the connection quietly
    if fault.kind == "429":
        resp = error(429, "Throttling", "Request was denied due to request throttling")
        resp.headers["Retry-After"] = f"{fault.retry_after_s:g}"
        return resp
    if fault.kind == "malformed":
        return web.Response(status=200, body=b'{"Data": {"RetCode": 0, "Result": [{"Stream": "tru',
                            content_type="application/json")
    return error(int(fault.kind), "InternalError" if fault.kind == "500" else "ServiceUnavailable",
                 "The service is temporarily unavailable")


# --- state -------------------------------------------------------------------------------------------

@dataclass
class _Live:
    stream: str
    app: str
    client_ip: str
    pubtime: float
    session_id: str
    video_kbps: float
    audio_kbps: float
    fps: float
    frame_rate: int
    width: int
    height: int
    viewers: int
    vcodec: str
    acodec: str
    sample_rate: int
    renditions: tuple[str, ...]
    node: str


@dataclass
class _Ban:
    stream: str
    since: float
    till: float | None


@dataclass
class _Session:
    stream: str
    app: str
    client_ip: str
    pubtime: float
    session_id: str
    fintime: float | None = None
    status_code: int = 0
    status_message: str = ""


@dataclass(frozen=True)
class Call:
    """One request the emulator answered (for assertions: what was called, how often, with what)."""

    action: str
    method: str
    params: Mapping[str, str]
    status: int
    fault: str | None = None
    host: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


_ALIASES = {"RealtimePubStreamsInfo": "ListRealtimePubStreamsInfo"}
#: Play paths (raw, percent-encoded): ``/<app>/<stream>/index.m3u8`` (HLS) and ``/<app>/<stream>.flv``.
_PLAY_PATH = re.compile(r"/[^/]+/[^/]+(?:/index\.m3u8|\.flv)")


class KingsoftEmulator:
    """The KLS emulator. All state is in memory; one instance per sandbox or test.

    Args:
        access_key: The AccessKey id it accepts.
        secret_key: The secret it verifies signatures with.
        unique_name: The account's ``UniqueName``.
        app: The default app of published streams.
        pubdomain: The push domain.
        antileech_secret: Key of the anti-leech check (:meth:`check_play_url`).
        region: Signing region.
        clock: Wall clock (Unix seconds) for signature freshness, forbid expiry and timestamps.
        rate_unit: Unit of ``Curbitrate``/``BwIn``/``BwInAudio``/``BwReal`` on the wire.
        screenshot_interval_s: Spacing of generated screenshots.
        screenshot_bucket: KS3 bucket in generated screenshot URLs.
    """

    def __init__(self, *, access_key: str = "AKLTsandbox", secret_key: str = "sandbox-kls-secret",
                 unique_name: str = "shihou", app: str = "live", pubdomain: str = "shihou.uplive.ks-cdn.com",
                 antileech_secret: str = "sandbox-leech", region: str = "cn-beijing-6",
                 clock: Callable[[], float] = time.time, rate_unit: Literal["B/s", "bit/s", "kbit/s"] = "B/s",
                 screenshot_interval_s: int = 10, screenshot_bucket: str = "shihou-shots") -> None:
        self.access_key, self._secret = access_key, secret_key
        self.unique_name, self.app, self.pubdomain = unique_name, app, pubdomain
        self._leech = antileech_secret
        self.region = region
        self._clock = clock
        self._unit = rate_unit
        self._shot_every = screenshot_interval_s
        self._bucket = screenshot_bucket
        self.faults = FaultPlan()
        self.calls: list[Call] = []
        self.cut_listeners: list[Callable[[str], None]] = []
        #: (raw path with query, verdict) of every play request: "ok", "expired", "mismatch", "unsigned".
        self.plays: list[tuple[str, str]] = []
        self._live: dict[str, _Live] = {}
        self._bans: dict[str, _Ban] = {}
        self._sessions: list[_Session] = []
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.base_url = ""
        #: Screenshot URLs point at this emulator (``/ks3/…``), which serves generated images; False:
        #: the real bucket's host names (unreachable from here).
        self.serve_screenshots = True
        self._actions: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
            "ListRealtimePubStreamsInfo": self._list_pub,
            "ListRealtimeStreamsInfo": self._list_streams,
            "ForbidStream": self._forbid,
            "ResumeStream": self._resume,
            "GetBlacklist": self._get_blacklist,
            "CheckBlacklist": self._check_blacklist,
            "ListHistoryPubStreamsInfo": self._history,
            "ListStreamDurations": self._durations,
            "ListScreenshots": self._screenshots,
        }

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: a free port) and return the base URL."""
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/_sandbox/{op}", self._control)
        app.router.add_get("/ks3/{key:.*}", self._ks3_object)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._closing = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = [s for s in (self._runner.addresses or [])]
        bound_port = sockets[0][1] if sockets else port
        self.base_url = f"http://{host}:{bound_port}"
        log.debug("KLS emulator listening on %s", self.base_url)
        return self.base_url

    async def stop(self) -> None:
        """Release pending timeouts and stop listening."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- in-process API for publishers and tests ---------------------------------------------------

    def publish(self, stream: str, *, app: str | None = None, client_ip: str = "10.0.0.8", video_kbps: float = 2500.0,
                audio_kbps: float = 128.0, fps: float = 25.0, width: int = 1280, height: int = 720, viewers: int = 0,
                vcodec: str = "h264", acodec: str = "aac", sample_rate: int = 44100,
                renditions: tuple[str, ...] = ()) -> None:
        """Start (or refresh) a publisher of ``stream``.

        Raises:
            PublishRefused: The stream is on the blacklist.
        """
        self._expire()
        if stream in self._bans:
            raise PublishRefused(f"stream {stream!r} is forbidden")
        now = float(int(self._clock()))      # the service reports whole seconds
        live = self._live.get(stream)
        if live is None:
            sid = uuid.uuid4().hex[:12]
            live = _Live(stream=stream, app=app or self.app, client_ip=client_ip, pubtime=now, session_id=sid,
                         video_kbps=video_kbps, audio_kbps=audio_kbps, fps=fps, frame_rate=round(fps), width=width,
                         height=height, viewers=viewers, vcodec=vcodec, acodec=acodec, sample_rate=sample_rate,
                         renditions=renditions, node="10.20.30.40")
            self._live[stream] = live
            self._sessions.append(_Session(stream, live.app, client_ip, now, sid))
        else:
            self.update(stream, client_ip=client_ip, video_kbps=video_kbps, audio_kbps=audio_kbps, fps=fps,
                        width=width, height=height, viewers=viewers, vcodec=vcodec, acodec=acodec,
                        renditions=renditions)

    def update(self, stream: str, **health: Any) -> None:
        """Change the health of a live stream (``video_kbps=…, viewers=…``).

        Raises:
            KeyError: The stream is not live.
        """
        live = self._live[stream]
        for k, v in health.items():
            if not hasattr(live, k) or k in ("stream", "pubtime", "session_id"):
                raise TypeError(f"unknown health field {k!r}")
            setattr(live, k, v)

    def unpublish(self, stream: str, *, status_code: int = 0, message: str = "publisher closed") -> None:
        """End the publisher of ``stream`` (no error if it is not live)."""
        live = self._live.pop(stream, None)
        if live is None:
            return
        for s in reversed(self._sessions):
            if s.session_id == live.session_id:
                s.fintime, s.status_code, s.status_message = float(int(self._clock())), status_code, message
                break

    def is_live(self, stream: str) -> bool:
        """True while ``stream`` has a publisher."""
        return stream in self._live

    def live_streams(self) -> list[str]:
        """Names of the streams publishing now."""
        return list(self._live)

    def blacklisted(self) -> dict[str, float | None]:
        """Stream → forbidden-until Unix time (None: until resumed), expired entries dropped."""
        self._expire()
        return {b.stream: b.till for b in self._bans.values()}

    def inject(self, action: str | None, kind: FaultKind, count: int = 1, *, delay_s: float = 0.0,
               retry_after_s: float = 1.0, apply: bool = False) -> None:
        """Fail the next ``count`` calls of ``action`` (None: any); see :meth:`FaultPlan.inject`."""
        self.faults.inject(action, kind, count, delay_s=delay_s, retry_after_s=retry_after_s, apply=apply)

    def calls_of(self, action: str) -> list[Call]:
        """The recorded calls of one action, in order."""
        return [c for c in self.calls if c.action == action]

    def check_play_url(self, url: str) -> Literal["ok", "expired", "mismatch", "unsigned"]:
        """The CDN's anti-leech verdict on a play URL (its own md5 check, §3.5)."""
        parts = urlsplit(url)
        q = dict(parse_qsl(parts.query, keep_blank_values=True))
        if "t" not in q or "k" not in q:
            return "unsigned"
        segments = parts.path.lstrip("/").split("/")
        if len(segments) < 2:
            return "mismatch"
        raw = segments[1]
        if raw.endswith(".flv") and len(segments) == 2:
            raw = raw[:-4]
        stream = unquote(raw)
        try:
            t = int(q["t"])
        except ValueError:
            return "mismatch"
        if self._clock() > t:
            return "expired"
        want = hashlib.md5(f"{self._leech}{stream}{t}".encode(), usedforsecurity=False).hexdigest()[8:24]
        return "ok" if hmac.compare_digest(want, q["k"]) else "mismatch"

    # --- HTTP ------------------------------------------------------------------------------------

    def _error(self, rid: str) -> Callable[[int, str, str], web.Response]:
        def make(status: int, code: str, message: str) -> web.Response:
            body = {"RequestId": rid, "Error": {"Type": "Sender" if status < 500 else "Receiver", "Code": code,
                                                "Message": message}}
            return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))
        return make

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        rid = str(uuid.uuid4())
        error = self._error(rid)
        raw_path, _, raw_query = request.raw_path.partition("?")
        if request.method in ("GET", "HEAD") and _PLAY_PATH.fullmatch(raw_path):
            return self._play(request)
        body = await request.read()
        query = _split_query(raw_query)
        action = (_first(query, "Action") or request.headers.get("X-Action")
                  or _target_op(request.headers.get("X-Amz-Target")) or "")
        action = _ALIASES.get(action, action)
        params: dict[str, str] = {k: v for k, v in query if not k.startswith("X-Amz-")}

        def record(status: int, fault: str | None = None) -> None:
            self.calls.append(Call(action, request.method, dict(params), status, fault,
                                   request.headers.get("Host", ""), dict(request.headers.items())))

        try:
            self._verify(request, raw_path, query, body)
            params.update(_body_params(request.headers.get("Content-Type", ""), body))
            if raw_path != "/":
                raise _Refusal(404, "InvalidURI", "Only / is served")
            version = _first(query, "Version") or request.headers.get("X-Version")
            if not action:
                raise _Refusal(400, "MissingParameter", "The request must contain the parameter Action")
            if action not in self._actions:
                raise _Refusal(400, "InvalidAction", f"The action {action} is not valid for this web service")
            if version != "2017-01-01":
                raise _Refusal(400, "InvalidParameterValue" if version else "MissingParameter",
                               f"Version must be 2017-01-01, not {version!r}")
        except _Refusal as r:
            record(r.status)
            log.debug("KLS %s refused: %s %s", action or "?", r.code, r.message)
            return error(r.status, r.code, r.message)

        fault = self.faults.take(action)
        if fault is not None and fault.kind == "slow":
            await wait_or_closed(self._closing, fault.delay_s)
            fault = None
        if fault is not None:
            if fault.apply:
                self._run(action, params, rid)
            record(0 if fault.kind in ("timeout", "reset") else int(fault.kind) if fault.kind.isdigit() else 200,
                   fault.kind)
            return await fault_response(request, fault, self._closing, error)
        resp = self._run(action, params, rid)
        record(resp.status)
        return resp

    def _play(self, request: web.Request) -> web.Response:
        """A play request, answered as the CDN's edge would (anti-leech check first)."""
        verdict = self.check_play_url("http://play" + request.raw_path)
        self.plays.append((request.raw_path, verdict))
        if verdict != "ok":
            return web.Response(status=403, text=f"403 Forbidden: anti-leech check failed ({verdict})")
        raw_path = request.raw_path.partition("?")[0]
        app, rest = raw_path.lstrip("/").split("/", 1)
        hls = rest.endswith("/index.m3u8")
        stream = unquote(rest.removesuffix("/index.m3u8") if hls else rest.removesuffix(".flv"))
        self._expire()
        live = self._live.get(stream)
        if live is None or live.app != unquote(app):
            return web.Response(status=404, text="404 Not Found: the stream is not publishing")
        if hls:
            return web.Response(text="#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n",
                                content_type="application/vnd.apple.mpegurl")
        return web.Response(body=b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00", content_type="video/x-flv")

    def _run(self, action: str, params: dict[str, str], rid: str) -> web.Response:
        self._expire()
        try:
            data = self._actions[action](params)
        except _Refusal as r:
            return self._error(rid)(r.status, r.code, r.message)
        body = {"Data": data, "RequestId": rid}
        return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    # --- SigV4 verification (independent of console.services.video.sigv4) ----------------------------

    def _verify(self, request: web.Request, raw_path: str, query: list[tuple[str, str]], body: bytes) -> None:
        auth = request.headers.get("Authorization")
        qdict = dict(query)
        presigned = auth is None and "X-Amz-Signature" in qdict
        if auth is None and not presigned:
            raise _Refusal(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        if auth is not None:
            algo, _, rest = auth.strip().partition(" ")
            if algo != "AWS4-HMAC-SHA256":
                raise _Refusal(400, "IncompleteSignature", f"Unsupported authorization type {algo!r}")
            fields: dict[str, str] = {}
            for part in rest.split(","):
                k, eq, v = part.strip().partition("=")
                if eq:
                    fields[k.strip()] = v.strip()
            missing = [f for f in ("Credential", "SignedHeaders", "Signature") if f not in fields]
            if missing:
                raise _Refusal(400, "IncompleteSignature",
                               f"Authorization header requires {', '.join(missing)} (got {auth[:30]}…)")
            credential, signed, given = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
            stamp = request.headers.get("X-Amz-Date", "")
            if not stamp:
                raise _Refusal(400, "IncompleteSignature", "Authorization header requires existence of X-Amz-Date")
            canon_query = query
            expires: int | None = None
        else:
            credential = qdict.get("X-Amz-Credential", "")
            signed = qdict.get("X-Amz-SignedHeaders", "")
            given = qdict["X-Amz-Signature"]
            stamp = qdict.get("X-Amz-Date", "")
            canon_query = [(k, v) for k, v in query if k != "X-Amz-Signature"]
            try:
                expires = int(qdict.get("X-Amz-Expires", "300"))
            except ValueError:
                raise _Refusal(400, "IncompleteSignature", "X-Amz-Expires must be a number") from None
        try:
            ts = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            raise _Refusal(400, "IncompleteSignature", f"X-Amz-Date {stamp!r} is not YYYYMMDDTHHMMSSZ") from None
        now = self._clock()
        if ts < now - SKEW_S:
            raise _Refusal(403, "RequestExpired", f"Signature expired: {stamp} is now earlier than "
                           f"{_stamp(now - SKEW_S)} ({_stamp(now)} - 15 min.)")
        if ts > now + SKEW_S:
            raise _Refusal(403, "RequestExpired", f"Signature not yet current: {stamp} is still later than "
                           f"{_stamp(now + SKEW_S)} ({_stamp(now)} + 15 min.)")
        if expires is not None and now > ts + expires:
            raise _Refusal(403, "RequestExpired", "Request has expired")
        scope = credential.split("/")
        if len(scope) != 5 or scope[4] != "aws4_request":
            raise _Refusal(400, "IncompleteSignature", "Credential must be AK/yyyymmdd/region/service/aws4_request")
        ak, date, region, service, _ = scope
        if ak != self.access_key:
            raise _Refusal(403, "InvalidClientTokenId", "The AccessKey Id you provided does not exist in our records")
        if date != stamp[:8]:
            raise _Refusal(403, "SignatureDoesNotMatch",
                           f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date: {stamp}")
        if region != self.region:
            raise _Refusal(403, "SignatureDoesNotMatch", f"Credential should be scoped to a valid region, not {region!r}")
        if service != "kls":
            raise _Refusal(403, "SignatureDoesNotMatch", f"Credential should be scoped to correct service: 'kls', "
                           f"not {service!r}")
        names = signed.split(";") if signed else []
        if "host" not in names or (auth is not None and "x-amz-date" not in names):
            raise _Refusal(403, "SignatureDoesNotMatch", "host and x-amz-date must be signed")
        lines = []
        for name in names:
            values = request.headers.getall(name, None)
            if values is None:
                raise _Refusal(403, "SignatureDoesNotMatch", f"Signed header {name!r} is not in the request")
            lines.append(f"{name}:{','.join(' '.join(v.split()) for v in values)}\n")
        payload = hashlib.sha256(body).hexdigest()
        canonical_query = "&".join(f"{k}={v}" for k, v in sorted(
            (quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in canon_query))
        candidates = [payload] if auth is not None else [payload, "UNSIGNED-PAYLOAD"]
        key = b"AWS4" + self._secret.encode()
        for part in (date, region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        for ph in candidates:
            creq = "\n".join([request.method, quote(raw_path or "/", safe="/-_.~"), canonical_query, "".join(lines),
                              signed, ph])
            sts = "\n".join(["AWS4-HMAC-SHA256", stamp, "/".join(scope[1:]),
                             hashlib.sha256(creq.encode()).hexdigest()])
            want = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
            if hmac.compare_digest(want, given):
                return
        raise _Refusal(403, "SignatureDoesNotMatch",
                       "The request signature we calculated does not match the signature you provided. "
                       "Check your AccessKey secret and signing method.\nThe canonical request was:\n"
                       f"{creq}\nThe string to sign was:\n{sts}")

    # --- actions -----------------------------------------------------------------------------------

    def _expire(self) -> None:
        now = self._clock()
        for s, b in list(self._bans.items()):
            if b.till is not None and b.till <= now:
                del self._bans[s]

    def _domain(self, p: Mapping[str, str], *, pubdomain: bool = True) -> str:
        for name in ("UniqueName", "App") + (("Pubdomain",) if pubdomain else ()):
            if not p.get(name):
                raise _Refusal(400, "MissingParameter", f"The request must contain the parameter {name}")
        if p["UniqueName"] != self.unique_name or (pubdomain and p["Pubdomain"] != self.pubdomain):
            raise _NoSuchDomain()
        return p["App"]

    def _stream(self, p: Mapping[str, str], *, required: bool = True) -> str | None:
        s = p.get("Stream")
        if s is None or s == "":
            if required:
                raise _Refusal(400, "MissingParameter", "The request must contain the parameter Stream")
            return None
        if len(s) > MAX_STREAM_CHARS or any(unicodedata.category(c) in ("Cc", "Cs") for c in s):
            raise _Refusal(400, "InvalidParameterValue", "The value of Stream is not valid")
        return s

    def _rate(self, kbps: float) -> float:
        if self._unit == "B/s":
            return kbps * 1000 / 8
        if self._unit == "bit/s":
            return kbps * 1000
        return kbps

    def _head(self, p: Mapping[str, str], app: str) -> dict[str, Any]:
        return {"UniqueName": self.unique_name, "App": app, "Pubdomain": self.pubdomain, "RetCode": 0,
                "RetMsg": "success"}

    def _list_pub(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            app = self._domain(p)
        except _NoSuchDomain:
            return _ret(RET_NO_SUCH_DOMAIN, "UniqueName or Pubdomain not found")
        stream = self._stream(p, required=False)
        marker, limit, order = _intparam(p, "Marker", 0), _intparam(p, "Limit", 1000), _intparam(p, "OrderTime", 0)
        if marker < 0 or not 1 <= limit <= 5000 or order not in (0, 1):
            raise _Refusal(400, "InvalidParameterValue", "Marker >= 0, Limit 1..5000, OrderTime 0 or 1")
        rows = [s for s in self._live.values() if s.app == app and (stream is None or s.stream == stream)]
        rows.sort(key=lambda s: (s.pubtime, s.stream), reverse=(order == 0))
        page = rows[marker * limit:(marker + 1) * limit]
        now = int(self._clock())
        result = [{
            "Stream": s.stream, "ClientIP": s.client_ip, "PubTime": int(s.pubtime), "UpdateTime": now,
            "Width": str(s.width), "Height": str(s.height), "FrameRate": str(s.frame_rate), "Curfps": round(s.fps),
            "Curbitrate": round(self._rate(s.video_kbps)), "BwInAudio": f"{self._rate(s.audio_kbps):g}",
            "SampleRate": str(s.sample_rate), "BwReal": f"{self._rate(s.video_kbps + s.audio_kbps):g}",
            "BwIn": f"{self._rate(s.video_kbps + s.audio_kbps):g}",
        } for s in page]
        return {**self._head(p, app), "Stream": stream or "", "OrderTime": order, "Marker": marker,
                "Count": len(result), "Total": len(rows), "Result": result}

    def _list_streams(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            app = self._domain(p, pubdomain=False)
        except _NoSuchDomain:
            return _ret(RET_NO_SUCH_DOMAIN, "UniqueName not found")
        stream = self._stream(p, required=False)
        rows = [s for s in self._live.values() if s.app == app and (stream is None or s.stream == stream)]
        streams: list[dict[str, Any]] = []
        viewers_total, bw_total = 0, 0
        for s in rows:
            per_viewer_bps = (s.video_kbps + s.audio_kbps) * 1000        # Bw is documented in bit/s
            pulls: list[dict[str, Any]] = [{"Stream": s.stream, "OnlineUser": s.viewers,
                                            "Bw": round(per_viewer_bps * s.viewers)}]
            pulls += [{"Stream": f"{s.stream}_{r}", "OnlineUser": 0, "Bw": 0} for r in s.renditions]
            bw = round(per_viewer_bps * s.viewers)
            viewers_total += s.viewers
            bw_total += bw
            streams.append({
                "Stream": s.stream, "Node": s.node, "Clientip": s.client_ip, "Pubtime": int(s.pubtime),
                "Vcodec": s.vcodec, "Acodec": s.acodec, "Width": s.width, "Height": s.height,
                "FrameRate": s.frame_rate, "Curfps": round(s.fps), "Curbitrate": self._rate(s.video_kbps),
                "BwIn": self._rate(s.video_kbps + s.audio_kbps), "BwInAudio": self._rate(s.audio_kbps),
                "BwReal": self._rate(s.video_kbps + s.audio_kbps), "BwDiff": 0, "FLR": 0,
                "SampleRate": s.sample_rate, "Bw": bw, "OnlineUser": s.viewers, "Pulls": pulls,
            })
        return {"UniqueName": self.unique_name, "App": app, "Count": len(streams),
                "OnlineUser": viewers_total, "Bw": bw_total,
                "RetCode": 0, "RetMsg": "success", "Streams": streams}

    def _forbid(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            app = self._domain(p)
        except _NoSuchDomain:
            return _ret(RET_NO_SUCH_DOMAIN, "UniqueName or Pubdomain not found")
        stream = self._stream(p)
        assert stream is not None
        now = self._clock()
        till: float | None = None
        if p.get("ForbidTillUnixTime") not in (None, "", "0"):
            till = float(_intparam(p, "ForbidTillUnixTime", 0))
            if till <= now:
                raise _Refusal(400, "InvalidParameterValue", "ForbidTillUnixTime must be in the future")
        old = self._bans.get(stream)
        self._bans[stream] = _Ban(stream, old.since if old else now, till)
        if stream in self._live:
            self.unpublish(stream, status_code=403, message="forbidden")
            for cb in list(self.cut_listeners):
                cb(stream)
        log.debug("KLS forbid %r until %s (app %s)", stream, till, app)
        return {"RetCode": 0, "RetMsg": "success"}

    def _resume(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            self._domain(p)
        except _NoSuchDomain:
            return _ret(RET_NO_SUCH_DOMAIN, "UniqueName or Pubdomain not found")
        stream = self._stream(p)
        assert stream is not None
        self._bans.pop(stream, None)
        return {"RetCode": 0, "RetMsg": "success"}

    def _get_blacklist(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            app = self._domain(p)
        except _NoSuchDomain:
            return _ret(RET_NO_SUCH_DOMAIN, "UniqueName or Pubdomain not found")
        recs = [{"Stream": b.stream, "ForbidUnixTime": int(b.since), "ForbidTillUnixTime": int(b.till or 0)}
                for b in sorted(self._bans.values(), key=lambda b: (b.since, b.stream))]
        return {**self._head(p, app), "Total": len(recs), "Recs": recs}

    def _check_blacklist(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            app = self._domain(p)
        except _NoSuchDomain:
            return _ret(RET_NO_SUCH_DOMAIN, "UniqueName or Pubdomain not found")
        stream = self._stream(p)
        b = self._bans.get(stream or "")
        return {**self._head(p, app), "Stream": stream, "CheckResult": 1 if b else 0,
                "ForbidUnixTime": int(b.since) if b else 0, "ForbidTillUnixTime": int(b.till or 0) if b else 0}

    def _window(self, p: Mapping[str, str]) -> tuple[float, float]:
        start, end = _intparam(p, "StartUnixTime", -1), _intparam(p, "EndUnixTime", -1)
        if start < 0 or end < 0:
            raise _Refusal(400, "MissingParameter", "StartUnixTime and EndUnixTime are required")
        if end < start:
            raise _Refusal(400, "InvalidParameterValue", "EndUnixTime is before StartUnixTime")
        return float(start), float(end)

    def _history(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            app = self._domain(p)
        except _NoSuchDomain:
            return _ret(RET_NO_SUCH_DOMAIN, "UniqueName or Pubdomain not found")
        stream = self._stream(p, required=False)
        start, end = self._window(p)
        now = self._clock()
        by_stream: dict[str, list[dict[str, Any]]] = {}
        for s in self._sessions:
            if s.app != app or (stream is not None and s.stream != stream):
                continue
            if s.pubtime <= end and (s.fintime or now) >= start:
                by_stream.setdefault(s.stream, []).append({
                    "Clientip": s.client_ip, "Pubtime": int(s.pubtime), "Fintime": int(s.fintime or 0),
                    "StatusCode": s.status_code, "StatusMessage": s.status_message})
        result = [{"Stream": k, "Detail": v} for k, v in by_stream.items()]
        return {**self._head(p, app), "StartUnixTime": int(start), "EndUnixtime": int(end), "Marker": 0,
                "Count": len(result), "Total": len(result), "Result": result}

    def _durations(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            app = self._domain(p)
        except _NoSuchDomain:
            return _ret(RET_NO_SUCH_DOMAIN, "UniqueName or Pubdomain not found")
        stream = self._stream(p)
        start, end = self._window(p)
        now = self._clock()
        result = []
        for s in self._sessions:
            if s.app != app or s.stream != stream:
                continue
            a, b = max(s.pubtime, start), min(s.fintime or now, end)
            if b > a:
                result.append({"Stream": s.stream, "StartTime": int(a), "EndTime": int(b), "Duration": int(b - a)})
        return {**self._head(p, app), "Result": result}

    def _screenshots(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            app = self._domain(p)
        except _NoSuchDomain:
            return _ret(RET_NO_SUCH_DOMAIN, "UniqueName or Pubdomain not found")
        stream = self._stream(p)
        assert stream is not None
        limit = max(1, min(1000, _intparam(p, "Limit", 20)))
        now = self._clock()
        shots: list[dict[str, Any]] = []
        for s in reversed([s for s in self._sessions if s.app == app and s.stream == stream]):
            t = int(s.fintime or now)
            t -= t % self._shot_every
            while t >= s.pubtime and len(shots) < limit:
                key = (f"record/{app}/{stream}/picture/{int(s.pubtime * 1000)}-{s.session_id}/"
                       f"{stream}-{t}.jpg")
                url = (f"{self.base_url}/ks3/{base64.urlsafe_b64encode(key.encode()).decode()}.jpg"
                       if self.serve_screenshots else
                       f"https://{self._bucket}.ks3-cn-beijing.ksyuncs.com/{quote(key, safe='/')}")
                shots.append({"Stream": stream, "Key": key, "Timestamp": t, "Url": url})
                t -= self._shot_every
            if len(shots) >= limit:
                break
        return {**self._head(p, app), "Count": len(shots), "Result": shots}

    async def _ks3_object(self, request: web.Request) -> web.Response:
        """A screenshot object, as the KS3 bucket would serve it: a generated PNG (the simulated streams
        have no pictures) with the stream's colour and the second it was taken as stripes."""
        try:  # the object key travels base64-encoded: stream names may hold "/", ".." or "%"
            key = base64.urlsafe_b64decode(request.match_info["key"].removesuffix(".jpg")).decode()
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=404, text="NoSuchKey")
        m = re.fullmatch(r"record/[^/]+/(.+)/picture/[^/]+/.+-(\d+)\.jpg", key, re.S)
        if m is None:
            return web.Response(status=404, text="NoSuchKey")
        return web.Response(body=_placeholder_png(m.group(1), int(m.group(2))), content_type="image/png")

    # --- control endpoint (unsigned; 127.0.0.1 only) ---------------------------------------------

    async def _control(self, request: web.Request) -> web.Response:
        """``POST /_sandbox/{publish,unpublish,inject,clear}`` with a JSON body; ``GET /_sandbox/state``."""
        op = request.match_info["op"]
        try:
            body = await request.json() if request.can_read_body else {}
            if not isinstance(body, dict):
                raise ValueError("a JSON object is expected")
            if op == "publish":
                self.publish(str(body.pop("stream")), **body)
            elif op == "unpublish":
                self.unpublish(str(body["stream"]))
            elif op == "inject":
                self.inject(body.get("action"), body["kind"], int(body.get("count", 1)),
                            delay_s=float(body.get("delay_s", 0.0)), retry_after_s=float(body.get("retry_after_s", 1.0)),
                            apply=bool(body.get("apply", False)))
            elif op == "clear":
                self.faults.clear()
            elif op != "state":
                return web.json_response({"error": f"unknown operation {op!r}"}, status=404)
        except PublishRefused as e:
            return web.json_response({"error": str(e)}, status=409)
        except (KeyError, TypeError, ValueError) as e:
            return web.json_response({"error": f"bad request: {e}"}, status=400)
        return web.json_response({"live": self.live_streams(), "blacklist": self.blacklisted(),
                                  "pending_faults": self.faults.pending})


class _NoSuchDomain(Exception):
    pass


def _ret(code: int, msg: str) -> dict[str, Any]:
    return {"RetCode": code, "RetMsg": msg}


def _stamp(ts: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(ts))


def _split_query(raw: str) -> list[tuple[str, str]]:
    """Decode a raw query string as SigV4 servers do: ``%XX`` decoded, ``+`` kept literally."""
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        pairs.append((unquote(k), unquote(v)))
    return pairs


def _first(pairs: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in pairs if k == name), None)


def _target_op(target: str | None) -> str | None:
    if target and target.startswith("kls."):
        return target[4:]
    return None


def _body_params(content_type: str, body: bytes) -> dict[str, str]:
    if not body:
        return {}
    if "json" in content_type or body.lstrip()[:1] == b"{":
        try:
            obj = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _Refusal(400, "MalformedBody", "The request body is not valid JSON") from None
        if not isinstance(obj, dict):
            raise _Refusal(400, "MalformedBody", "The request body must be a JSON object")
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in obj.items()}
    if "x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return {}


def _intparam(p: Mapping[str, str], name: str, default: int) -> int:
    v = p.get(name)
    if v is None or v == "":
        return default
    try:
        return int(v)
    except ValueError:
        raise _Refusal(400, "InvalidParameterValue", f"{name} must be an integer") from None


def _placeholder_png(stream: str, t: int, w: int = 160, h: int = 90) -> bytes:
    """A small PNG: a colour from the stream name, darker stripes from the time (so pictures differ)."""
    import struct
    import zlib
    from hashlib import blake2b

    c = blake2b(stream.encode(), digest_size=3).digest()
    rows = []
    for y in range(h):
        line = bytearray(b"\x00")
        for x in range(w):
            stripe = ((x + t) // 16 + y // 30) % 2
            line += bytes(v // 2 if stripe else v for v in c)
        rows.append(bytes(line))
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
