"""Kingsoft Cloud live (KLS) behind :class:`~console.services.video.base.VideoProvider`.

Usage::

    client = make_client("https://kls.cn-beijing-6.api.ksyun.com", timeout=10)
    kls = KingsoftVideo(client, unique_name="shihou", app="live", pubdomain="shihou.uplive.ks-cdn.com",
                        access_key="AKLT…", secret=store.require("kingsoft", "main"),
                        play_domain="shihou.live.ks-cdn.com", antileech_secret=store.get("kingsoft", "leech"))
    for s in await kls.list_live(): ...
    await kls.forbid("room_1", until=datetime.now(UTC) + timedelta(hours=1))

Wire facts (providers.md §3, §9): every call carries ``Action``/``Version`` in the query **and** the
``X-Action``/``X-Version`` headers (both signed, SigV4 service ``kls``); GET calls put their
parameters in the query, POST calls in a JSON body. Results come in a ``Data`` envelope with
``RetCode`` (0 = success; the Java SDK spells it ``Retcode``); gateway errors (signature, throttling,
bad parameters) come as ``{"RequestId": …, "Error": {"Code", "Message", "Type"}}`` with a 4xx/5xx status.

UNCONFIRMED points and what this module assumes (see also the emulator, ``console.sandbox.kingsoft``):

- **Rate units.** Ksyun's page for this API (docs.ksyun.com/documents/1081, 2024) gives ``Curbitrate``,
  ``BwIn``, ``BwInAudio``, ``BwReal`` the unit "/B", and the older v1 API page describes
  ``curbitrate`` as "bytes received per second"; so the default ``rate_unit`` is ``"B/s"`` and values
  are converted to kbit/s (× 8 / 1000). Pass ``rate_unit="kbit/s"`` or ``"bit/s"`` if real traffic
  shows otherwise. ``Bw`` in ``ListRealtimeStreamsInfo`` is documented in bit/s (documents/1080).
- **Paging.** The same page says ``Marker`` is a *page index* (0 = first page), ``Limit`` ≤ 5000,
  default 1000; the 2016 API used an offset. We page by index and stop on a short page.
- **Field spelling.** ``ClientIP``/``Clientip``, ``PubTime``/``Pubtime``, numbers sent as strings:
  every field is read case-insensitively and numbers are parsed from strings.
- **Viewers.** ``OnlineUser`` from ``ListRealtimeStreamsInfo`` counts HTTP-FLV players by default
  (documents/1080, ``PullProtocol``) and lags 5–10 minutes.
- **Screenshots.** No public KLS action lists screenshots (they are files in a KS3 bucket); this
  client calls ``ListScreenshots``, which only the sandbox emulator serves. Against the real
  service that call fails with a clear ``ProviderRejected``.
- **Stats history.** KLS has no bitrate history call; :meth:`KingsoftVideo.stats_history` returns the
  samples this client observed (``list_live`` and one live sample per call), kept for ``history_s``.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx

from console.credentials import Secret
from console.errors import InvalidInput, ProviderAuthError, ProviderRejected, ProviderUnavailable
from console.services.http import ErrorInfo, HttpTransportPolicy, RateGate
from console.services.video import sigv4
from console.services.video.antileech import sign_play_url
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

__all__ = [
    "ACTION_LIMITS",
    "PROVIDER",
    "REGION",
    "SERVICE",
    "VERSION",
    "KingsoftVideo",
    "PublishSession",
    "RateUnit",
    "StreamDuration",
    "TranscodeProfile",
    "describe_error",
    "to_kbps",
]

PROVIDER = "kingsoft"
SERVICE = "kls"
REGION = "cn-beijing-6"
VERSION = "2017-01-01"
#: Placeholder action served by the sandbox only (see the module docstring).
SCREENSHOT_ACTION = "ListScreenshots"
#: Documented per-account call rates (documents/1081, 1080) given to the rate gate: (per second, burst).
ACTION_LIMITS: dict[str, tuple[float, float]] = {
    "ListRealtimePubStreamsInfo": (50 / 60, 5),
    "ListRealtimeStreamsInfo": (300 / 60, 10),
}
#: Longest stream name we send (the service's own limit is not documented).
MAX_STREAM_CHARS = 256
_MAX_PAGES = 100

RateUnit = Literal["B/s", "bit/s", "kbit/s"]

#: Gateway error codes that mean "your credentials or clock", whatever the HTTP status.
_AUTH_CODES = frozenset({
    "signaturedoesnotmatch", "requestexpired", "invalidclienttokenid", "missingauthenticationtoken",
    "incompletesignature", "accessdenied", "invalidaccesskey", "authfailure", "signaturenotyetcurrent",
})


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishSession:
    """One past publishing session of a stream (``ListHistoryPubStreamsInfo``)."""

    stream: str
    started_at: datetime
    ended_at: datetime | None
    client_ip: str = ""
    status_code: int = 0
    status_message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamDuration:
    """Publishing time of a stream in a window (``ListStreamDurations``)."""

    stream: str
    started_at: datetime
    ended_at: datetime
    duration_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TranscodeProfile:
    """What a transcoding template produces; KLS reports only the output stream's name."""

    width: int
    height: int
    video_kbps: float


# --- pure parsing helpers ------------------------------------------------------------------------

def _get(d: Mapping[str, Any], name: str) -> Any:
    """``d[name]``, matching the key case-insensitively (``RetCode``/``Retcode``, ``ClientIP``/``Clientip``)."""
    if name in d:
        return d[name]
    low = name.lower()
    for k, v in d.items():
        if isinstance(k, str) and k.lower() == low:
            return v
    return None


def _num(v: Any) -> float:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return 0.0
    return 0.0


def _int(v: Any) -> int:
    return int(_num(v))


def _str(v: Any) -> str:
    return "" if v is None else str(v)


def _list(d: Mapping[str, Any], *names: str) -> list[Mapping[str, Any]]:
    for n in names:
        v = _get(d, n)
        if isinstance(v, list):
            return [x for x in v if isinstance(x, Mapping)]
    return []


def _ts(v: Any) -> datetime | None:
    n = _num(v)
    return datetime.fromtimestamp(n, UTC) if n > 0 else None


def to_kbps(value: Any, unit: RateUnit) -> float:
    """A KLS rate field (number or numeric string) in kbit/s, given the unit it is sent in."""
    n = _num(value)
    if unit == "B/s":
        return n * 8 / 1000
    if unit == "bit/s":
        return n / 1000
    return n


def describe_error(response: httpx.Response) -> ErrorInfo:
    """Code, message and request id from a KLS error response (gateway ``Error`` or ``Data.RetCode``)."""
    try:
        body = json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, Mapping):
        return ErrorInfo(None, response.reason_phrase or f"HTTP {response.status_code}", None)
    rid = _get(body, "RequestId")
    err = _get(body, "Error")
    if isinstance(err, Mapping):
        return ErrorInfo(_str(_get(err, "Code")) or None, _str(_get(err, "Message")), _str(rid) or None)
    data = _get(body, "Data")
    if isinstance(data, Mapping) and _get(data, "RetCode") is not None:
        return ErrorInfo(_str(_get(data, "RetCode")), _str(_get(data, "RetMsg")), _str(rid) or None)
    return ErrorInfo(None, response.reason_phrase or f"HTTP {response.status_code}", _str(rid) or None)


def _check_stream(stream: str) -> str:
    if not isinstance(stream, str) or not stream:
        raise InvalidInput("stream", "a stream name is required")
    if len(stream) > MAX_STREAM_CHARS:
        raise InvalidInput("stream", f"longer than {MAX_STREAM_CHARS} characters")
    bad = next((c for c in stream if unicodedata.category(c) in ("Cc", "Cs")), None)
    if bad is not None:
        raise InvalidInput("stream", f"contains the control character U+{ord(bad):04X}")
    return stream


class KingsoftVideo:
    """Kingsoft Cloud live (KLS) as a :class:`~console.services.video.base.VideoProvider`.

    Every public method raises only :class:`~console.errors.ProviderError` subclasses (and
    :class:`~console.errors.InvalidInput` for a value refused before anything is sent):
    ``ProviderAuthError`` for a refused signature, key or clock; ``ProviderRejected`` for a business
    error (``RetCode`` ≠ 0 or a 4xx ``Error``) with the provider's code; ``RateLimited`` for 429;
    ``ProviderUnavailable`` for 5xx, timeouts, network errors and malformed responses.

    Reads, ``ForbidStream`` and ``ResumeStream`` are idempotent (forbidding a forbidden stream
    succeeds and keeps it forbidden), so all of them are retried when the policy allows.

    The instance owns ``client`` and closes it in :meth:`aclose`.
    """

    name = PROVIDER

    def __init__(self, client: httpx.AsyncClient, *, unique_name: str, app: str, pubdomain: str, access_key: str,
                 secret: Secret, play_domain: str, antileech_secret: Secret | None, region: str = REGION,
                 gate: RateGate | None = None, clock: Callable[[], float] = time.time,
                 policy: HttpTransportPolicy | None = None, page_limit: int = 1000,
                 play_scheme: Literal["http", "https"] = "https", rate_unit: RateUnit = "B/s",
                 transcode_profiles: Mapping[str, TranscodeProfile] | None = None,
                 history_s: float = 3600.0) -> None:
        if not 1 <= page_limit <= 5000:
            raise ValueError("page_limit must be 1..5000")
        self._client = client
        self._unique_name, self._app, self._pubdomain = unique_name, app, pubdomain
        self._access_key, self._secret = access_key, secret
        self._play_domain, self._antileech = play_domain, antileech_secret
        self._region = region
        self._clock = clock
        self._policy = policy or HttpTransportPolicy(gate=gate)
        if gate is not None and self._policy.gate is None:
            self._policy.gate = gate
        self._gate_keys: dict[str, str] = {}
        if self._policy.gate is not None:
            host = client.base_url.netloc.decode("ascii", "replace")
            for action, (rate, burst) in ACTION_LIMITS.items():
                key = self._gate_keys[action] = f"{host} {action}"
                self._policy.gate.configure(key, rate_per_s=rate, burst=burst)
        self._page_limit = page_limit
        self._scheme = play_scheme
        self._unit: RateUnit = rate_unit
        self._profiles = dict(transcode_profiles or {})
        self._history_s = history_s
        self._samples: dict[str, deque[StatsPoint]] = {}

    # --- transport ---------------------------------------------------------------------------

    def _build(self, action: str, params: Mapping[str, str | int], method: Literal["GET", "POST"]) -> httpx.Request:
        query: list[tuple[str, str]] = [("Action", action), ("Version", VERSION)]
        headers = {"Accept": "application/json", "X-Action": action, "X-Version": VERSION}
        body = b""
        if method == "GET":
            query += [(k, str(v)) for k, v in params.items()]
        else:
            body = json.dumps(dict(params), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        req = self._client.build_request(method, "/?" + sigv4.encode_query(query), content=body or None,
                                         headers=headers)
        path = req.url.raw_path.split(b"?", 1)[0].decode("ascii")
        req.headers.update(sigv4.sign_request(
            method=method, host=req.headers["host"], path=path, query=query, headers=headers, body=body,
            access_key=self._access_key, secret_key=self._secret.reveal(), region=self._region, service=SERVICE,
            amz_date=sigv4.amz_date(self._clock())))
        return req

    async def _call(self, action: str, params: Mapping[str, str | int], *, method: Literal["GET", "POST"] = "GET",
                    idempotent: bool = True) -> Mapping[str, Any]:
        reply = await self._policy.send(self._client, lambda: self._build(action, params, method), provider=PROVIDER,
                                        idempotent=idempotent, expect_json=True, describe_error=describe_error,
                                        gate_key=self._gate_keys.get(action))
        body, status = reply.data, reply.status
        if status >= 400 or (isinstance(body, Mapping) and isinstance(_get(body, "Error"), Mapping)):
            info = describe_error(reply.response)
            # the first line only: AWS-style messages append the server's canonical request
            msg = f"{action}: {(info.message or 'refused').splitlines()[0]}"
            if status in (401, 403) or (info.code or "").lower() in _AUTH_CODES:
                raise ProviderAuthError(PROVIDER, msg, code=info.code, http_status=status, request_id=info.request_id)
            raise ProviderRejected(PROVIDER, msg, code=info.code, http_status=status, request_id=info.request_id)
        if not isinstance(body, Mapping) or not isinstance(_get(body, "Data"), Mapping):
            raise ProviderUnavailable(PROVIDER, f"{action}: response without a Data object", code="malformed_response",
                                      http_status=status)
        data: Mapping[str, Any] = _get(body, "Data")
        ret = _get(data, "RetCode")
        if ret is not None and _str(ret) != "0":
            rid = _get(body, "RequestId")
            raise ProviderRejected(PROVIDER, f"{action}: {_str(_get(data, 'RetMsg')) or 'failed'}", code=_str(ret),
                                   http_status=status, request_id=_str(rid) or None)
        return data

    def _base(self) -> dict[str, str | int]:
        return {"UniqueName": self._unique_name, "App": self._app, "Pubdomain": self._pubdomain}

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    # --- VideoProvider -------------------------------------------------------------------------

    async def list_live(self) -> list[StreamHealth]:
        """Every stream publishing now, with health from ``ListRealtimePubStreamsInfo`` (all pages)
        and viewers/codecs from ``ListRealtimeStreamsInfo``.

        Returns:
            One :class:`StreamHealth` per stream, oldest publisher first.

        Raises:
            ProviderError: A subclass as described on the class.
        """
        now = self._now()
        found: dict[str, StreamHealth] = {}
        marker = 0
        while True:
            data = await self._call("ListRealtimePubStreamsInfo",
                                    {**self._base(), "OrderTime": 1, "Marker": marker, "Limit": self._page_limit})
            items = _list(data, "Result")
            for item in items:
                h = self._parse_pub(item, now)
                if h is not None:
                    found.setdefault(h.stream, h)
            marker += 1
            total = _get(data, "Total")
            if len(items) < self._page_limit or (total is not None and marker * self._page_limit >= _int(total)):
                break
            if marker >= _MAX_PAGES:
                break
        if found:
            data = await self._call("ListRealtimeStreamsInfo",
                                    {"UniqueName": self._unique_name, "App": self._app}, method="POST")
            for item in _list(data, "Streams", "Result"):
                name = _str(_get(item, "Stream"))
                if name in found:
                    found[name] = replace(found[name], viewers=_int(_get(item, "OnlineUser")),
                                          video_codec=_str(_get(item, "Vcodec")),
                                          audio_codec=_str(_get(item, "Acodec")))
        for h in found.values():
            self._record(h)
        self._prune(now)
        return list(found.values())

    async def forbid(self, stream: str, *, until: datetime | None = None) -> None:
        """Cut ``stream`` now and keep it off until ``until`` (None: until :meth:`resume`).

        ``ForbidStream`` is idempotent: forbidding a forbidden stream succeeds (the new end time wins).

        Args:
            stream: The stream name, exactly as published (any characters but control characters).
            until: Aware end time in the future, or None.

        Raises:
            InvalidInput: An empty/over-long/control-character name, or ``until`` naive or past.
            ProviderError: A subclass as described on the class.
        """
        params: dict[str, str | int] = {**self._base(), "Stream": _check_stream(stream)}
        if until is not None:
            if until.tzinfo is None:
                raise InvalidInput("until", "needs a time zone")
            till = int(until.timestamp())
            if till <= self._clock():
                raise InvalidInput("until", "must be in the future")
            params["ForbidTillUnixTime"] = till
        await self._call("ForbidStream", params, method="POST", idempotent=True)

    async def resume(self, stream: str) -> None:
        """Take ``stream`` off the blacklist so it can publish again (idempotent).

        Raises:
            InvalidInput: A refused stream name.
            ProviderError: A subclass as described on the class.
        """
        await self._call("ResumeStream", {**self._base(), "Stream": _check_stream(stream)}, method="POST",
                         idempotent=True)

    async def blacklist(self) -> list[BlacklistEntry]:
        """The forbidden streams (``GetBlacklist``); ``forbidden_until`` None means until resumed.

        Raises:
            ProviderError: A subclass as described on the class.
        """
        data = await self._call("GetBlacklist", self._base())
        out: list[BlacklistEntry] = []
        for item in _list(data, "Recs", "Result", "List"):
            at = _ts(_get(item, "ForbidUnixTime"))
            out.append(BlacklistEntry(stream=_str(_get(item, "Stream")),
                                      forbidden_at=at or datetime.fromtimestamp(0, UTC),
                                      forbidden_until=_ts(_get(item, "ForbidTillUnixTime"))))
        return out

    async def renditions(self, stream: str) -> list[Rendition]:
        """The source and its transcoded outputs, from the ``Pulls`` of ``ListRealtimeStreamsInfo``.

        KLS names a transcoded output ``<stream>_<template>``; its size and bitrate come from the
        ``transcode_profiles`` given to the constructor (0 when unknown).

        Returns:
            ``[]`` when the stream is not live; otherwise ``origin`` first.

        Raises:
            InvalidInput: A refused stream name.
            ProviderError: A subclass as described on the class.
        """
        data = await self._call("ListRealtimeStreamsInfo",
                                {"UniqueName": self._unique_name, "App": self._app, "Stream": _check_stream(stream)},
                                method="POST")
        item = next((i for i in _list(data, "Streams", "Result") if _str(_get(i, "Stream")) == stream), None)
        if item is None:
            return []
        out = [Rendition(name="origin", width=_int(_get(item, "Width")), height=_int(_get(item, "Height")),
                         video_kbps=to_kbps(_get(item, "Curbitrate"), self._unit), url=self.play_url(stream))]
        for pull in _list(item, "Pulls"):
            pname = _str(_get(pull, "Stream"))
            if not pname or pname == stream:
                continue
            suffix = pname[len(stream) + 1:] if pname.startswith(stream + "_") else pname
            prof = self._profiles.get(suffix)
            out.append(Rendition(name=suffix, width=prof.width if prof else 0, height=prof.height if prof else 0,
                                 video_kbps=prof.video_kbps if prof else 0.0, url=self.play_url(pname)))
        return out

    def play_url(self, stream: str, *, protocol: PlayProtocol = "rtmp", expires_in_s: int = 3600) -> str:
        """A play URL, signed with the anti-leech key when one is configured (``?t=<expiry>&k=<hash>``).

        The stream name is percent-encoded in the path; ``k`` covers the raw name (providers.md §3.5).

        Raises:
            InvalidInput: A refused stream name or a non-positive ``expires_in_s``.
        """
        _check_stream(stream)
        if expires_in_s <= 0:
            raise InvalidInput("expires_in_s", "must be positive")
        path = f"{quote(self._app, safe='')}/{quote(stream, safe='')}"
        if protocol == "rtmp":
            url = f"rtmp://{self._play_domain}/{path}"
        elif protocol == "flv":
            url = f"{self._scheme}://{self._play_domain}/{path}.flv"
        else:
            url = f"{self._scheme}://{self._play_domain}/{path}/index.m3u8"
        if self._antileech is None:
            return url
        t = int(self._clock()) + expires_in_s
        return f"{url}?t={t}&k={sign_play_url(self._antileech.reveal(), stream, t)}"

    def playlist_urls(self, stream: str) -> list[str]:
        """The unsigned HLS playlist and FLV URLs of ``stream`` (what a CDN purge after a cut needs)."""
        _check_stream(stream)
        path = f"{quote(self._app, safe='')}/{quote(stream, safe='')}"
        return [f"{self._scheme}://{self._play_domain}/{path}/index.m3u8",
                f"{self._scheme}://{self._play_domain}/{path}.flv"]

    async def screenshots(self, stream: str, *, limit: int = 20) -> list[Screenshot]:
        """The latest screenshots of ``stream``, newest first (sandbox-only action, see module docstring).

        Raises:
            InvalidInput: A refused stream name or ``limit`` outside 1..1000.
            ProviderError: A subclass as described on the class.
        """
        if not 1 <= limit <= 1000:
            raise InvalidInput("limit", "must be 1..1000")
        data = await self._call(SCREENSHOT_ACTION, {**self._base(), "Stream": _check_stream(stream), "Limit": limit})
        shots = []
        for item in _list(data, "Result", "Screenshots"):
            at = _ts(_get(item, "Timestamp"))
            url = _str(_get(item, "Url"))
            if at is not None and url:
                shots.append(Screenshot(stream=_str(_get(item, "Stream")) or stream, taken_at=at, url=url))
        shots.sort(key=lambda s: s.taken_at, reverse=True)
        return shots[:limit]

    async def screenshot_image(self, shot: Screenshot) -> bytes:
        """The image behind ``shot`` (a KS3 object URL; public-read bucket, or pre-signed in the URL).

        Raises:
            ProviderRejected: not an image, too large, or refused; ProviderUnavailable: unreachable.
        """
        reply = await self._policy.send(self._client, lambda: self._client.build_request("GET", shot.url),
                                        provider=PROVIDER, idempotent=True)
        r = reply.response
        if r.status_code >= 400:
            raise ProviderRejected(PROVIDER, f"screenshot {shot.url} refused", http_status=r.status_code)
        try:
            return check_image(r.content, shot.url)
        except ValueError as e:
            raise ProviderRejected(PROVIDER, str(e), code="bad_image") from None

    async def stats_history(self, stream: str, since: datetime) -> list[StatsPoint]:
        """Samples of ``stream`` since ``since``: those this client observed plus one taken now.

        Raises:
            InvalidInput: A refused stream name.
            ProviderError: A subclass as described on the class.
        """
        _check_stream(stream)
        data = await self._call("ListRealtimeStreamsInfo",
                                {"UniqueName": self._unique_name, "App": self._app, "Stream": stream}, method="POST")
        now = self._now()
        for item in _list(data, "Streams", "Result"):
            if _str(_get(item, "Stream")) == stream:
                self._add_point(stream, StatsPoint(at=now, video_kbps=to_kbps(_get(item, "Curbitrate"), self._unit),
                                                   fps=_num(_get(item, "Curfps")),
                                                   viewers=_int(_get(item, "OnlineUser"))))
        return [p for p in self._samples.get(stream, ()) if p.at >= since]

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    # --- history and durations (KLS extras) ----------------------------------------------------

    async def publish_history(self, stream: str, start: datetime, end: datetime) -> list[PublishSession]:
        """Past publishing sessions of ``stream`` between ``start`` and ``end`` (``ListHistoryPubStreamsInfo``).

        Raises:
            InvalidInput: A refused stream name or ``end`` before ``start``.
            ProviderError: A subclass as described on the class.
        """
        data = await self._call("ListHistoryPubStreamsInfo", self._window(stream, start, end))
        out = []
        for item in _list(data, "Result"):
            name = _str(_get(item, "Stream")) or stream
            for d in _list(item, "Detail"):
                started = _ts(_get(d, "Pubtime"))
                if started is None:
                    continue
                out.append(PublishSession(stream=name, started_at=started, ended_at=_ts(_get(d, "Fintime")),
                                          client_ip=_str(_get(d, "Clientip")), status_code=_int(_get(d, "StatusCode")),
                                          status_message=_str(_get(d, "StatusMessage"))))
        out.sort(key=lambda s: s.started_at)
        return out

    async def stream_durations(self, stream: str, start: datetime, end: datetime) -> list[StreamDuration]:
        """Publishing durations of ``stream`` in the window (``ListStreamDurations``).

        Raises:
            InvalidInput: A refused stream name or ``end`` before ``start``.
            ProviderError: A subclass as described on the class.
        """
        data = await self._call("ListStreamDurations", self._window(stream, start, end))
        out = []
        for item in _list(data, "Result", "Durations"):
            s, e = _ts(_get(item, "StartTime")), _ts(_get(item, "EndTime"))
            if s is not None and e is not None:
                out.append(StreamDuration(stream=_str(_get(item, "Stream")) or stream, started_at=s, ended_at=e,
                                          duration_s=_int(_get(item, "Duration"))))
        return out

    def _window(self, stream: str, start: datetime, end: datetime) -> dict[str, str | int]:
        if start.tzinfo is None or end.tzinfo is None:
            raise InvalidInput("start", "times need a time zone")
        if end < start:
            raise InvalidInput("end", "is before the start")
        return {**self._base(), "Stream": _check_stream(stream), "StartUnixTime": int(start.timestamp()),
                "EndUnixTime": int(end.timestamp())}

    # --- parsing and samples -----------------------------------------------------------------

    def _parse_pub(self, item: Mapping[str, Any], now: datetime) -> StreamHealth | None:
        name = _str(_get(item, "Stream"))
        if not name:
            return None
        audio = to_kbps(_get(item, "BwInAudio"), self._unit)
        video = to_kbps(_get(item, "Curbitrate"), self._unit) if _get(item, "Curbitrate") is not None else max(
            0.0, to_kbps(_get(item, "BwIn"), self._unit) - audio)
        fps = _num(_get(item, "Curfps")) or _num(_get(item, "FrameRate"))
        return StreamHealth(stream=name, app=self._app, state=StreamState.LIVE,
                            sampled_at=_ts(_get(item, "UpdateTime")) or now, started_at=_ts(_get(item, "Pubtime")),
                            publisher_ip=_str(_get(item, "Clientip")), video_kbps=video, audio_kbps=audio, fps=fps,
                            width=_int(_get(item, "Width")), height=_int(_get(item, "Height")))

    def _record(self, h: StreamHealth) -> None:
        self._add_point(h.stream, StatsPoint(at=h.sampled_at, video_kbps=h.video_kbps, fps=h.fps, viewers=h.viewers))

    def _add_point(self, stream: str, p: StatsPoint) -> None:
        points = self._samples.setdefault(stream, deque(maxlen=10_000))
        if not points or points[-1].at < p.at:
            points.append(p)
        elif points[-1].at == p.at:
            points[-1] = p

    def _prune(self, now: datetime) -> None:
        horizon = now.timestamp() - self._history_s
        for name in list(self._samples):
            points = self._samples[name]
            while points and points[0].at.timestamp() < horizon:
                points.popleft()
            if not points:
                del self._samples[name]
