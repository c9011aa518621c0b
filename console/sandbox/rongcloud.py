"""A local emulator of the RongCloud IM Server API and its message routing, for the sandbox and the tests
(providers.md §1, §9). aiohttp for the API (100 calls/s at most), a lean httptools client for routing.

Usage::

    emu = RongCloudEmulator(app_key="k", app_secret="s", routing_url="http://127.0.0.1:8081/rc/route")
    base_url = await emu.start()                        # http://127.0.0.1:<port>
    r = emu.client_send("room_1", "u42", "主播666 🎉")   # a viewer's message: checked, filtered, routed
    r.msg_uid, r.sent_time                              # what the routing post carries
    emu.inject("/chatroom/user/gag/add.json", "503")    # the next such call fails once
    await emu.drain()                                   # every routing post answered
    await emu.stop()

    # or in its own process, with simulated viewers (keeps the traffic off the console's event loop):
    SHIHOU_RC_SANDBOX_SECRET=… python -m console.sandbox.rongcloud --routing-url URL --rooms a,b \
        --rate 5000 --words [--db URL] [--in-flight 256]      # prints {"base_url": …} then counters

Server API, checked the way the service does:

- Paths and form bodies of §1.5/§1.6 (plus ``/wordfilter/*``, §9); repeated keys; JSON bodies accepted too.
- Signature: ``App-Key``/``Nonce``/``Timestamp``/``Signature`` in any letter case, with or without ``RC-``
  (§9); timestamp in s or ms; nonces of any length; a missing, unknown or wrong one → 401 ``{"code":1004}``.
  A clock-skew window is not documented: none is enforced unless ``max_skew_s`` is given.
- Parameter limits → 400 ``{"code":1002}``: ids ≤ 64 chars, ``userId`` ≤ 20 per call (whitelist ≤ 5),
  ``minute`` 1–43200, ``count`` 1–500, ``word``/``replaceWord`` ≤ 32, batch delete ≤ 50 words,
  ``objectName`` ≤ 32, ``content`` ≤ 128 KB, ≤ 10 rooms per publish.
- 100 calls/s per App Key (token bucket, burst 100) → 429 ``{"code":1008}`` (no ``Retry-After``).
- Global gag and the history log need enablement → 430 ``{"code":1009}`` when switched off.
- Errors carry ``code`` and ``errorMessage``; ``X-Request-ID`` is echoed.

State with expiry (an injected wall clock): room gags and blocks, global gags, app-wide user blocks,
whole-room mutes and their whitelists, sensitive words (quota ``word_quota``, default 50), room members,
the last 50 messages of each room (with ``msgUID`` and ``sentTime``), hourly history logs.

Client messages (:meth:`RongCloudEmulator.client_send`, or ``POST /_sandbox/send``) go through what the
service does to a viewer's message: an app-blocked or room-blocked user cannot send; a gag (room or
global) or a whole-room mute (unless whitelisted and not globally gagged) refuses it; for ``RC:TxtMsg``
a block word drops it (not routed), replace words are replaced (routed replaced, ``sensitiveType`` 2);
a message with both is dropped. Then it is stored and posted to the routing URL.

Routing posts (§1.7): one form ``POST`` per message to ``routing_url`` with the signed query
``?nonce=&signTimestamp=&signature=`` and the fields ``fromUserId``, ``toUserId``, ``objectName``,
``content``, ``channelType`` (``TEMPGROUP``), ``msgTimestamp``, ``msgUID``, ``sensitiveType``, ``source``,
``clientIp``. Up to ``max_in_flight`` keep-alive connections, one request in flight on each.

Choices where the reference is silent (UNCONFIRMED on the real service):

- **Routing retries.** A post that fails (connection error, timeout after ``route_timeout_s``, 5xx, 408,
  429) is retried up to ``route_retries`` times (default 5) with backoff 0.5, 1, 2, 4, 8 s, then dropped
  and counted (``route_failed``). Other 4xx answers are not retried (``route_rejected``: a bad
  signature will not get better). Posts wait in an in-memory backlog (``max_backlog``; overflow is
  counted as ``route_overflow``).
- ``sensitiveType``: 0 clean, 2 replaced (1 would be block words, which are never routed).
- Words apply at once (the service takes ~15 min; ``word_delay_s`` emulates that when set).
- Over the word quota: 400 ``{"code":1002,"errorMessage":"… quota …"}``; a batch over the quota adds nothing.
- ``/chatroom/get.json`` for an unknown room: 404 ``{"code":1002}``; recalling a message that is not
  among the last 50 of the room still answers 200 (the service only sends a recall command).
- History logs: a zip with one text file of lines ``YYYY-MM-DD HH:MM:SS {json}``, served under
  ``/_files/history/``; ready once the hour has closed; at most ``history_cap_per_hour`` messages per hour.
- Rooms do not auto-destroy after an idle hour (the sandbox keeps its rooms).

Fault injection (:meth:`RongCloudEmulator.inject`, or ``POST /_sandbox/inject``): 5xx, timeout, 429,
malformed JSON, slow, reset — per path or for every call (:class:`console.sandbox.kingsoft.FaultPlan`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import io
import json
import logging
import random
import re
import secrets
import time
import uuid
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal
from urllib.parse import parse_qs, quote_plus, urlsplit

import httptools
from aiohttp import web

from console.sandbox.kingsoft import FaultKind, FaultPlan, fault_response, wait_or_closed
from console.sandbox.process import serve_until_stopped

__all__ = [
    "CallRecord",
    "RongCloudEmulator",
    "RoutingStats",
    "SendResult",
    "StoredMessage",
]

log = logging.getLogger(__name__)

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
MAX_ID = 64
MAX_MINUTES = 43200
MAX_CONTENT = 128 * 1024
KEEP_LAST = 50
SendOutcome = Literal["routed", "stored", "dropped_sensitive", "gagged", "muted", "blocked", "user_blocked",
                      "too_long", "overflow"]

_STATUS_CODE = {500: 1000, 502: 1000, 503: 1000, 504: 1050, 429: 1008}


class _Err(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _bj(t: float) -> str:
    return datetime.fromtimestamp(t, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _hour_key(t: float) -> str:
    return datetime.fromtimestamp(t, BEIJING).strftime("%Y%m%d%H")


@dataclass(slots=True)
class StoredMessage:
    """A message kept among the last 50 of a room."""

    msg_uid: str
    from_user_id: str
    room: str
    object_name: str
    content: str
    sent_time: int                 # ms
    sensitive_type: int = 0
    source: str = "Server"


@dataclass(frozen=True, slots=True)
class SendResult:
    """What became of a client message: ``routed`` (stored and queued for routing) or why not."""

    outcome: SendOutcome
    msg_uid: str | None = None
    sent_time: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class CallRecord:
    """One Server API request the emulator answered."""

    path: str
    params: Mapping[str, list[str]]
    status: int
    code: int | None
    fault: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class RoutingStats:
    """Counters of the routing side."""

    queued: int = 0
    routed: int = 0
    retries: int = 0
    failed: int = 0
    rejected: int = 0
    overflow: int = 0
    in_flight: int = 0


@dataclass
class _Room:
    room_id: str
    name: str
    created: float
    members: dict[str, float] = field(default_factory=dict)
    gags: dict[str, float] = field(default_factory=dict)
    blocks: dict[str, float] = field(default_factory=dict)
    whitelist: set[str] = field(default_factory=set)
    muted: bool = False
    keepalive: bool = False
    last: deque[StoredMessage] = field(default_factory=lambda: deque(maxlen=KEEP_LAST))


@dataclass(slots=True)
class _Word:
    word: str
    replace: str | None
    added: float


# --- routing client (httptools, keep-alive, one request in flight per connection) ---------------------

class _Conn(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop, registry: set[_Conn]) -> None:
        self.loop = loop
        self.registry = registry
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.fut: asyncio.Future[tuple[int, bool]] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.registry.add(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as e:
            self._fail(e)
            self.close()

    def on_message_complete(self) -> None:
        if self.fut is not None and not self.fut.done():
            self.fut.set_result((self.parser.get_status_code(), self.parser.should_keep_alive()))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.registry.discard(self)
        self._fail(exc or ConnectionResetError("connection closed by the receiver"))

    def _fail(self, exc: BaseException) -> None:
        if self.fut is not None and not self.fut.done():
            self.fut.set_exception(exc)

    def _timeout(self) -> None:
        self._fail(TimeoutError("no answer from the routing URL"))
        self.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    async def post(self, data: bytes, timeout_s: float) -> int:
        assert self.transport is not None
        self.fut = self.loop.create_future()
        self.transport.write(data)
        timer = self.loop.call_later(timeout_s, self._timeout)
        try:
            status, keep = await self.fut
        finally:
            timer.cancel()
            self.fut = None
        if not keep:
            self.close()
        return status


@dataclass(slots=True)
class _Route:
    body: bytes
    attempts: int = 0


class _Router:
    """Posts queued messages to the routing URL over ``max_in_flight`` keep-alive connections."""

    def __init__(self, url: str, secret: str, *, max_in_flight: int, retries: int, backoff_s: float,
                 timeout_s: float, max_backlog: int, closing: asyncio.Event, stats: RoutingStats) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"routing URL must be http(s)://host[:port]/path, not {url!r}")
        self.url = url
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl = parts.scheme == "https"
        target = parts.path or "/"
        self.target = target + ("?" + parts.query + "&" if parts.query else "?")
        host_header = parts.netloc.rsplit("@", 1)[-1]
        self.head = (f"Host: {host_header}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     "User-Agent: RongCloud-MessageRouter/sandbox\r\nAccept: */*\r\n").encode("latin-1")
        self.secret = secret
        self.retries, self.backoff_s, self.timeout_s = retries, backoff_s, timeout_s
        self.max_backlog = max_backlog
        self.queue: asyncio.Queue[_Route] = asyncio.Queue()
        self.closing = closing
        self.stats = stats
        self.tasks = [asyncio.get_running_loop().create_task(self._worker(), name=f"rc-route-{i}")
                      for i in range(max_in_flight)]
        self._seq = 0
        self._nonce_base = secrets.token_hex(4)
        self.conns: set[_Conn] = set()

    def put(self, body: bytes) -> bool:
        if self.queue.qsize() >= self.max_backlog:
            self.stats.overflow += 1
            return False
        self.stats.queued += 1
        self.queue.put_nowait(_Route(body))
        return True

    def _request(self, body: bytes) -> bytes:
        self._seq += 1
        nonce = f"{self._nonce_base}{self._seq}"
        ts = str(int(time.time() * 1000))
        sig = hashlib.sha1(f"{self.secret}{nonce}{ts}".encode()).hexdigest()  # noqa: S324
        return b"".join((f"POST {self.target}nonce={nonce}&signTimestamp={ts}&signature={sig} HTTP/1.1\r\n"
                         .encode("latin-1"), self.head, b"Content-Length: ", str(len(body)).encode(),
                         b"\r\n\r\n", body))

    async def _connect(self) -> _Conn:
        loop = asyncio.get_running_loop()
        _, proto = await asyncio.wait_for(loop.create_connection(lambda: _Conn(loop, self.conns), self.host, self.port,
                                                                 ssl=True if self.ssl else None),
                                          timeout=self.timeout_s)
        return proto

    async def _worker(self) -> None:
        conn: _Conn | None = None
        try:
            while True:
                item = await self.queue.get()
                try:
                    conn = await self._deliver(item, conn)
                finally:
                    self.queue.task_done()
        finally:
            if conn is not None:
                conn.close()

    async def _deliver(self, item: _Route, conn: _Conn | None) -> _Conn | None:
        while True:
            why = ""
            self.stats.in_flight += 1
            try:
                if conn is None or conn.closed:
                    conn = await self._connect()
                status = await conn.post(self._request(item.body), self.timeout_s)
                if 200 <= status < 300:
                    self.stats.routed += 1
                    return conn
                if 400 <= status < 500 and status not in (408, 429):
                    self.stats.rejected += 1
                    log.warning("routing URL refused a message with HTTP %s (not retried)", status)
                    return conn
                why = f"HTTP {status}"
            except (OSError, TimeoutError, httptools.HttpParserError) as e:
                why = f"{type(e).__name__}: {e}"
                if conn is not None:
                    conn.close()
                conn = None
            finally:
                self.stats.in_flight -= 1
            if item.attempts >= self.retries or self.closing.is_set():
                self.stats.failed += 1
                log.warning("routing post dropped after %d attempts (%s)", item.attempts + 1, why)
                return conn
            delay = min(8.0, self.backoff_s * 2 ** item.attempts)
            item.attempts += 1
            self.stats.retries += 1
            await wait_or_closed(self.closing, delay)

    async def drain(self, timeout_s: float) -> None:
        await asyncio.wait_for(self.queue.join(), timeout=timeout_s)

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        for t in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        for c in list(self.conns):
            c.close()


# --- the emulator ------------------------------------------------------------------------------------

class RongCloudEmulator:
    """The RongCloud emulator; all state in memory, one instance per sandbox or test.

    Args:
        app_key: The App Key it serves.
        app_secret: The secret it verifies signatures with (and signs routing posts with).
        clock: Wall clock (Unix s) for expiry, timestamps and the history hour.
        rate_per_s: Calls per second per App Key before 429/1008.
        routing_url: Where client messages are posted (None: stored, not routed).
        max_in_flight: Concurrent routing connections.
        route_retries / route_backoff_s / route_timeout_s: Routing retry policy (see the module docstring).
        max_backlog: Routing posts waiting at most.
        word_quota: Sensitive words allowed.
        word_delay_s: Seconds before a new word takes effect (the service: ~15 min; the sandbox: 0).
        global_gag_enabled / history_enabled: Feature enablement (off → 1009).
        history_cap_per_hour: Messages kept per hourly history log.
        max_skew_s: Refuse request timestamps further than this from ``clock`` (None: no check).
        route_server_messages: Also route Server-API messages (the service's default: no).
        seed: Seed of the msgUID prefix (None: random, so UIDs never repeat across runs).
    """

    def __init__(self, *, app_key: str = "sandbox-rc-key", app_secret: str = "sandbox-rc-secret",
                 clock: Callable[[], float] = time.time, rate_per_s: float = 100.0, routing_url: str | None = None,
                 max_in_flight: int = 128, route_retries: int = 5, route_backoff_s: float = 0.5,
                 route_timeout_s: float = 10.0, max_backlog: int = 500_000, word_quota: int = 50,
                 word_delay_s: float = 0.0, global_gag_enabled: bool = True, history_enabled: bool = True,
                 history_cap_per_hour: int = 20_000, max_skew_s: float | None = None,
                 route_server_messages: bool = False, seed: int | None = None) -> None:
        self.app_key, self._secret = app_key, app_secret
        self._clock = clock
        self.rate_per_s = rate_per_s
        self._tokens = rate_per_s
        self._refill_at = time.monotonic()
        self.routing_url = routing_url
        self._route_cfg = {"max_in_flight": max_in_flight, "retries": route_retries, "backoff_s": route_backoff_s,
                           "timeout_s": route_timeout_s, "max_backlog": max_backlog}
        self.word_quota, self.word_delay_s = word_quota, word_delay_s
        self.global_gag_enabled, self.history_enabled = global_gag_enabled, history_enabled
        self.history_cap = history_cap_per_hour
        self.max_skew_s = max_skew_s
        self.route_server_messages = route_server_messages
        self.faults = FaultPlan()
        self._deferred: list[list[Any]] = []
        self.calls: deque[CallRecord] = deque(maxlen=10_000)
        self.stats = RoutingStats()
        self.counts: dict[str, int] = {}
        self.recalls: list[dict[str, str]] = []
        self.rooms: dict[str, _Room] = {}
        self.global_gags: dict[str, float] = {}
        self.user_blocks: dict[str, float] = {}
        self.words: dict[str, _Word] = {}
        self._history: dict[str, list[tuple[int, str, str, str, str, str]]] = {}
        self._deleted_history: set[str] = set()
        self._block_re: re.Pattern[str] | None = None
        self._replace_re: re.Pattern[str] | None = None
        self._replace_map: dict[str, str] = {}
        self._words_dirty = True
        rng = random.Random(seed) if seed is not None else random.SystemRandom()
        self._uid_prefix = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(6))
        self._uid_seq = 0
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._router: _Router | None = None
        self.base_url = ""
        #: a :class:`~console.sandbox.chat_traffic.ChatTraffic` feeding this emulator (``/_sandbox/traffic``)
        self.traffic: Any = None
        self._handlers: dict[str, Callable[[dict[str, list[str]]], dict[str, Any]]] = {
            "/chatroom/create.json": self._create,
            "/chatroom/create_new.json": self._create_new,
            "/chatroom/destroy.json": self._destroy,
            "/chatroom/query.json": self._query,
            "/chatroom/get.json": self._get,
            "/chatroom/user/query.json": self._members,
            "/chatroom/user/exist.json": self._exist,
            "/chatroom/users/exist.json": self._exist_many,
            "/chatroom/user/gag/add.json": self._gag_add,
            "/chatroom/user/gag/rollback.json": self._gag_remove,
            "/chatroom/user/gag/list.json": self._gag_list,
            "/chatroom/user/ban/add.json": self._ban_add,
            "/chatroom/user/ban/remove.json": self._ban_remove,
            "/chatroom/user/ban/query.json": self._ban_query,
            "/chatroom/ban/add.json": self._mute,
            "/chatroom/ban/rollback.json": self._unmute,
            "/chatroom/ban/check.json": self._mute_check,
            "/chatroom/ban/query.json": self._mute_query,
            "/chatroom/user/block/add.json": self._block_add,
            "/chatroom/user/block/rollback.json": self._block_remove,
            "/chatroom/user/block/list.json": self._block_list,
            "/chatroom/user/whitelist/add.json": self._wl_add,
            "/chatroom/user/whitelist/remove.json": self._wl_remove,
            "/chatroom/user/whitelist/query.json": self._wl_query,
            "/chatroom/keepalive/add.json": self._keep_add,
            "/chatroom/keepalive/remove.json": self._keep_remove,
            "/chatroom/keepalive/query.json": self._keep_query,
            "/message/chatroom/publish.json": self._publish,
            "/message/chatroom/broadcast.json": self._broadcast,
            "/message/recall.json": self._recall,
            "/message/history.json": self._history_url,
            "/message/history/delete.json": self._history_delete,
            "/user/block.json": self._user_block,
            "/user/unblock.json": self._user_unblock,
            "/user/block/query.json": self._user_block_query,
        }
        for family in ("/sensitiveword", "/wordfilter"):
            self._handlers.update({
                f"{family}/add.json": self._word_add,
                f"{family}/batch/add.json": self._word_batch_add,
                f"{family}/delete.json": self._word_delete,
                f"{family}/batch/delete.json": self._word_batch_delete,
                f"{family}/list.json": self._word_list,
            })

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: a free port), start routing, and return the base URL."""
        app = web.Application(client_max_size=4 << 20)
        app.router.add_route("*", "/_sandbox/{op}", self._control)
        app.router.add_route("GET", "/_files/history/{name}", self._history_file)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._closing = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        addrs = list(self._runner.addresses or [])
        self.base_url = f"http://{host}:{addrs[0][1] if addrs else port}"
        if self.routing_url:
            self.set_routing_url(self.routing_url)
        log.debug("RongCloud emulator listening on %s", self.base_url)
        return self.base_url

    async def stop(self) -> None:
        """Stop routing (posts still queued are dropped) and stop listening."""
        self._closing.set()
        if self._router is not None:
            await self._router.close()
            self._router = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def set_routing_url(self, url: str | None) -> None:
        """Post client messages to ``url`` from now on (None: stop routing). Needs a running loop."""
        if self._router is not None:
            old = self._router
            self._router = None
            asyncio.get_running_loop().create_task(old.close())
        self.routing_url = url
        if url:
            self._router = _Router(url, self._secret, closing=self._closing, stats=self.stats,
                                   max_in_flight=int(self._route_cfg["max_in_flight"]),
                                   retries=int(self._route_cfg["retries"]),
                                   backoff_s=float(self._route_cfg["backoff_s"]),
                                   timeout_s=float(self._route_cfg["timeout_s"]),
                                   max_backlog=int(self._route_cfg["max_backlog"]))

    async def drain(self, timeout_s: float = 30.0) -> None:
        """Wait until every queued routing post has been answered (or given up)."""
        if self._router is not None:
            await self._router.drain(timeout_s)

    @property
    def routing_backlog(self) -> int:
        """Routing posts waiting for a connection."""
        return self._router.queue.qsize() if self._router is not None else 0

    def inject(self, path: str | None, kind: FaultKind, count: int = 1, *, after: int = 0, delay_s: float = 0.0,
               retry_after_s: float = 1.0, apply: bool = False) -> None:
        """Fail ``count`` calls of ``path`` (None: any) after letting ``after`` of them through.

        See :meth:`console.sandbox.kingsoft.FaultPlan.inject` for the kinds; ``after`` makes a fault hit
        the middle of a bulk action (the second part of a 45-user gag, say).
        """
        if after < 0:
            raise ValueError("after must be >= 0")
        if after:
            FaultPlan().inject(path, kind, count)           # validates kind and count now
            self._deferred.append([path, after, kind, count, delay_s, retry_after_s, apply])
        else:
            self.faults.inject(path, kind, count, delay_s=delay_s, retry_after_s=retry_after_s, apply=apply)

    def _arm_deferred(self, path: str) -> None:
        for d in list(self._deferred):
            if d[0] is None or d[0] == path:
                if d[1] == 0:
                    self._deferred.remove(d)
                    self.faults.inject(d[0], d[2], d[3], delay_s=d[4], retry_after_s=d[5], apply=d[6])
                else:
                    d[1] -= 1
                break

    def set_words(self, words: Iterable[tuple[str, str | None]]) -> None:
        """Replace the sensitive-word list at once (the sandbox seeds it; no quota check)."""
        now = self._clock() - self.word_delay_s
        self.words = {w: _Word(w, r or None, now) for w, r in words}
        self._words_dirty = True

    def calls_of(self, path: str) -> list[CallRecord]:
        """The recorded calls of one path, in order."""
        return [c for c in self.calls if c.path == path]

    # --- client side (viewers) -------------------------------------------------------------------

    def _room(self, room_id: str, *, create: bool = True) -> _Room | None:
        r = self.rooms.get(room_id)
        if r is None and create:
            r = self.rooms[room_id] = _Room(room_id, room_id, self._clock())
        return r

    def _count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def join(self, room_id: str, user_id: str) -> bool:
        """A viewer joins a room (created if needed); False when blocked from the room or the app."""
        now = self._clock()
        if _active(self.user_blocks, user_id, now):
            return False
        room = self._room(room_id)
        assert room is not None
        if _active(room.blocks, user_id, now):
            return False
        room.members.setdefault(user_id, now)
        return True

    def leave(self, room_id: str, user_id: str) -> None:
        """A viewer leaves a room."""
        room = self.rooms.get(room_id)
        if room is not None:
            room.members.pop(user_id, None)

    def _next_uid(self) -> str:
        self._uid_seq += 1
        n, digits = self._uid_seq, []
        for _ in range(10):
            n, d = divmod(n, 36)
            digits.append("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[d])
        s = self._uid_prefix + "".join(reversed(digits))
        return f"{s[0:4]}-{s[4:8]}-{s[8:12]}-{s[12:16]}"

    def client_send(self, room_id: str, user_id: str, text: str | None = None, *, object_name: str = "RC:TxtMsg",
                    content: str | None = None, user_name: str | None = None, source: str = "Android",
                    client_ip: str = "10.8.0.1", extra: str | None = None) -> SendResult:
        """A viewer sends a message to a room, as the client SDK would.

        Args:
            room_id: The chatroom.
            user_id: The sender.
            text: For ``RC:TxtMsg``: the text (content becomes ``{"content": text, …}``).
            object_name: The message type.
            content: The raw content JSON (other types, or to send an exact body).
            user_name: Put ``user: {id, name}`` in the content, as apps commonly do.
            source: ``iOS``/``Android``/``Websocket``/``PC``/``MiniProgram``.
            client_ip: The sender's address.
            extra: The ``extra`` field of a text message.

        Returns:
            :class:`SendResult`; ``routed`` means stored and queued for the routing URL (``stored`` when
            no routing URL is set).
        """
        now = self._clock()
        if _active(self.user_blocks, user_id, now):
            self._count("user_blocked")
            return SendResult("user_blocked")
        room = self._room(room_id)
        assert room is not None
        if _active(room.blocks, user_id, now):
            self._count("blocked")
            return SendResult("blocked")
        room.members.setdefault(user_id, now)
        global_gag = _active(self.global_gags, user_id, now)
        if global_gag or _active(room.gags, user_id, now):
            self._count("gagged")
            return SendResult("gagged")
        if room.muted and (user_id not in room.whitelist or global_gag):
            self._count("muted")
            return SendResult("muted")
        sensitive = 0
        if content is None:
            body_text = text or ""
            if object_name == "RC:TxtMsg":
                verdict, body_text = self._filter(body_text)
                if verdict == "block":
                    self._count("dropped_sensitive")
                    return SendResult("dropped_sensitive")
                if verdict == "replace":
                    sensitive = 2
            doc: dict[str, Any] = {"content": body_text, "extra": extra or ""}
            if user_name is not None:
                doc["user"] = {"id": user_id, "name": user_name}
            content = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
            text = body_text
        elif object_name == "RC:TxtMsg":
            try:
                parsed: Any = json.loads(content)
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict) and isinstance(parsed.get("content"), str):
                doc = parsed
                verdict, replaced = self._filter(doc["content"])
                if verdict == "block":
                    self._count("dropped_sensitive")
                    return SendResult("dropped_sensitive")
                if verdict == "replace":
                    sensitive = 2
                    doc["content"] = replaced
                    content = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
                text = doc["content"]
        if len(content.encode("utf-8")) > MAX_CONTENT:
            self._count("too_long")
            return SendResult("too_long")
        uid = self._next_uid()
        sent = int(now * 1000)
        msg = StoredMessage(uid, user_id, room_id, object_name, content, sent, sensitive, source)
        room.last.append(msg)
        self._log_history(msg, now)
        if self._router is None:
            self._count("stored")
            return SendResult("stored", uid, sent, text)
        body = _route_body(msg, client_ip)
        if not self._router.put(body):
            return SendResult("overflow", uid, sent, text)
        self._count("routed")
        return SendResult("routed", uid, sent, text)

    def messages(self, room_id: str) -> list[StoredMessage]:
        """The last messages of a room (at most 50), oldest first."""
        room = self.rooms.get(room_id)
        return list(room.last) if room is not None else []

    # --- words -----------------------------------------------------------------------------------

    def _compile_words(self) -> None:
        now = self._clock()
        live = [w for w in self.words.values() if now - w.added >= self.word_delay_s]
        block = sorted((w.word for w in live if not w.replace), key=len, reverse=True)
        repl = sorted((w for w in live if w.replace), key=lambda w: len(w.word), reverse=True)
        self._block_re = re.compile("|".join(map(re.escape, block)), re.IGNORECASE) if block else None
        self._replace_re = (re.compile("|".join(re.escape(w.word) for w in repl), re.IGNORECASE)
                            if repl else None)
        self._replace_map = {w.word.casefold(): w.replace or "" for w in repl}
        self._words_dirty = self.word_delay_s > 0 and len(live) < len(self.words)

    def _filter(self, text: str) -> tuple[Literal["ok", "block", "replace"], str]:
        if self._words_dirty:
            self._compile_words()
        if self._block_re is not None and self._block_re.search(text):
            return "block", text
        if self._replace_re is not None:
            out, n = self._replace_re.subn(lambda m: self._replace_map.get(m.group(0).casefold(), "*"), text)
            if n:
                return "replace", out
        return "ok", text

    # --- history ---------------------------------------------------------------------------------

    def _log_history(self, msg: StoredMessage, now: float) -> None:
        key = _hour_key(now)
        bucket = self._history.get(key)
        if bucket is None:
            bucket = self._history[key] = []
            horizon = _hour_key(now - 3 * 86400)
            for old in [k for k in self._history if k < horizon]:
                del self._history[old]
        if len(bucket) < self.history_cap:
            bucket.append((msg.sent_time, msg.msg_uid, msg.from_user_id, msg.room, msg.object_name, msg.content))

    def _history_zip(self, key: str) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            lines = []
            for sent, uid, frm, room, obj, content in self._history.get(key, []):
                try:
                    parsed: Any = json.loads(content)
                except json.JSONDecodeError:
                    parsed = content
                stamp = datetime.fromtimestamp(sent / 1000, BEIJING)
                rec = {"appId": self.app_key, "fromUserId": frm, "targetId": room, "targetType": 4, "GroupId": "",
                       "classname": obj, "content": parsed,
                       "dateTime": stamp.strftime("%Y-%m-%d %H:%M:%S.") + f"{sent % 1000:03d}", "msgUID": uid}
                lines.append(f"{stamp.strftime('%Y-%m-%d %H:%M:%S')} {json.dumps(rec, ensure_ascii=False)}")
            z.writestr(key, "\n".join(lines) + ("\n" if lines else ""))
        return buf.getvalue()

    async def _history_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        key = name.removesuffix(".zip")
        if key in self._deleted_history or key not in self._history:
            return web.Response(status=404, text="NoSuchKey")
        return web.Response(body=self._history_zip(key), content_type="application/zip")

    # --- HTTP ------------------------------------------------------------------------------------

    def _error(self, rid: str) -> Callable[[int, str, str], web.Response]:
        def make(status: int, code: str, message: str) -> web.Response:
            c = int(code) if code.isdigit() else _STATUS_CODE.get(status, 1000)
            return _json({"code": c, "errorMessage": message}, status, rid)
        return make

    def _verify(self, headers: Mapping[str, str]) -> None:
        low = {k.lower(): v for k, v in headers.items()}

        def pick(name: str) -> str | None:
            return low.get(name) if name in low else low.get("rc-" + name)

        key, nonce, ts, sig = pick("app-key"), pick("nonce"), pick("timestamp"), pick("signature")
        if not key or nonce is None or not ts or not sig:
            raise _Err(401, 1004, "signature headers App-Key, Nonce, Timestamp and Signature are required")
        if key != self.app_key:
            raise _Err(401, 1004, "unknown App-Key")
        try:
            t = float(ts)
        except ValueError:
            raise _Err(401, 1004, "Timestamp is not a number") from None
        if self.max_skew_s is not None:
            secs = t / 1000 if t > 1e11 else t
            if abs(self._clock() - secs) > self.max_skew_s:
                raise _Err(401, 1004, "Timestamp too far from the server's clock")
        want = hashlib.sha1(f"{self._secret}{nonce}{ts}".encode()).hexdigest()  # noqa: S324
        if not hmac.compare_digest(want, sig.strip().lower()):
            raise _Err(401, 1004, "signature invalid")

    def _take_token(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self.rate_per_s, self._tokens + (now - self._refill_at) * self.rate_per_s)
        self._refill_at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    async def _params(self, request: web.Request) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {k: list(v) for k, v in parse_qs(request.query_string,
                                                                          keep_blank_values=True).items()}
        body = await request.read()
        if not body:
            return params
        ctype = request.headers.get("Content-Type", "")
        if "json" in ctype or body.lstrip()[:1] in (b"{", b"["):
            try:
                obj = json.loads(body)
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise _Err(400, 1002, "the body is not valid JSON") from None
            if not isinstance(obj, dict):
                raise _Err(400, 1002, "the JSON body must be an object")
            for k, v in obj.items():
                if isinstance(v, list) and all(isinstance(x, str | int | float) for x in v):
                    params[str(k)] = [str(x) for x in v]
                elif isinstance(v, str):
                    params[str(k)] = [v]
                else:
                    params[str(k)] = [json.dumps(v, ensure_ascii=False)]
            return params
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise _Err(400, 1002, "the form body is not UTF-8") from None
        for k, v in parse_qs(text, keep_blank_values=True, errors="strict").items():
            params.setdefault(k, []).extend(v)
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        rid = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        path = request.path
        params: dict[str, list[str]] = {}

        def record(status: int, code: int | None, fault: str | None = None) -> None:
            self.calls.append(CallRecord(path, params, status, code, fault, dict(request.headers.items())))

        handler = self._handlers.get(path)
        if handler is None:
            record(404, None)
            return _json({"code": 404, "errorMessage": f"no such API {path}"}, 404, rid)
        try:
            self._verify(request.headers)
            if not self._take_token():
                raise _Err(429, 1008, "call frequency exceeded (100/s per App Key)")
            params = await self._params(request)
        except _Err as e:
            record(e.status, e.code)
            return _json({"code": e.code, "errorMessage": e.message}, e.status, rid)
        if self._deferred:
            self._arm_deferred(path)
        fault = self.faults.take(path)
        if fault is not None and fault.kind == "slow":
            await wait_or_closed(self._closing, fault.delay_s)
            fault = None
        if fault is not None:
            if fault.apply:
                self._run(handler, params, rid)
            record(0 if fault.kind in ("timeout", "reset") else int(fault.kind) if fault.kind.isdigit() else 200,
                   None, fault.kind)
            if fault.kind == "malformed":
                return web.Response(status=200, body=b'{"code":200,"users":[{"userId":"tr',
                                    content_type="application/json")
            return await fault_response(request, fault, self._closing, self._error(rid))
        resp, code = self._run(handler, params, rid)
        record(resp.status, code)
        return resp

    def _run(self, handler: Callable[[dict[str, list[str]]], dict[str, Any]], params: dict[str, list[str]],
             rid: str) -> tuple[web.Response, int]:
        try:
            data = handler(params)
        except _Err as e:
            return _json({"code": e.code, "errorMessage": e.message}, e.status, rid), e.code
        return _json({"code": 200, **data}, 200, rid), 200

    # --- parameter helpers -------------------------------------------------------------------------

    @staticmethod
    def _one(p: Mapping[str, list[str]], name: str, *, required: bool = True, max_len: int | None = MAX_ID) -> str:
        vals = p.get(name)
        if not vals or vals[0] == "":
            if required:
                raise _Err(400, 1002, f"{name} is required")
            return ""
        v = vals[0]
        if max_len is not None and len(v) > max_len:
            raise _Err(400, 1002, f"{name} is longer than {max_len} characters")
        return v

    @staticmethod
    def _many(p: Mapping[str, list[str]], name: str, limit: int) -> list[str]:
        vals = [v for v in p.get(name, []) if v != ""]
        if not vals:
            raise _Err(400, 1002, f"{name} is required")
        if len(vals) > limit:
            raise _Err(400, 1002, f"at most {limit} {name} per call")
        for v in vals:
            if len(v) > MAX_ID:
                raise _Err(400, 1002, f"{name} is longer than {MAX_ID} characters")
        return vals

    @staticmethod
    def _int(p: Mapping[str, list[str]], name: str, lo: int, hi: int, default: int | None = None) -> int:
        vals = p.get(name)
        if not vals or vals[0] == "":
            if default is None:
                raise _Err(400, 1002, f"{name} is required")
            return default
        try:
            n = int(vals[0])
        except ValueError:
            raise _Err(400, 1002, f"{name} must be an integer") from None
        if not lo <= n <= hi:
            raise _Err(400, 1002, f"{name} must be {lo}..{hi}")
        return n

    def _extra(self, p: Mapping[str, list[str]]) -> None:
        extra = p.get("extra")
        if extra and extra[0]:
            try:
                json.loads(extra[0])
            except json.JSONDecodeError:
                raise _Err(400, 1002, "extra must be a JSON string") from None
        notify = p.get("needNotify")
        if notify and notify[0].lower() not in ("true", "false", "1", "0", ""):
            raise _Err(400, 1002, "needNotify must be true or false")

    def _timed(self, entries: dict[str, float], key: str = "time") -> list[dict[str, str]]:
        now = self._clock()
        _expire(entries, now)
        return [{"userId": u, key: _bj(t)} for u, t in sorted(entries.items(), key=lambda kv: (kv[1], kv[0]))]

    # --- chatroom handlers ---------------------------------------------------------------------------

    def _create(self, p: dict[str, list[str]]) -> dict[str, Any]:
        made = 0
        for k, v in p.items():
            if k.startswith("chatroom[") and k.endswith("]"):
                rid = k[len("chatroom["):-1]
                if not rid or len(rid) > MAX_ID:
                    raise _Err(400, 1002, "chatroom id must be 1..64 characters")
                room = self._room(rid)
                assert room is not None
                room.name = v[0] if v and v[0] else rid
                made += 1
        if not made:
            raise _Err(400, 1002, "chatroom[<id>]=<name> is required")
        return {}

    def _create_new(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        assert room is not None
        if p.get("isBan", [""])[0].lower() in ("true", "1"):
            room.muted = True
        room.whitelist.update(p.get("whiteUserIds", []))
        return {}

    def _destroy(self, p: dict[str, list[str]]) -> dict[str, Any]:
        for rid in self._many(p, "chatroomId", 100):
            self.rooms.pop(rid, None)
        return {}

    def _query(self, p: dict[str, list[str]]) -> dict[str, Any]:
        ids = self._many(p, "chatroomId", 50)
        rooms = [self.rooms[i] for i in ids if i in self.rooms]
        return {"chatRooms": [{"chrmId": r.room_id, "chatroomId": r.room_id, "name": r.name, "time": _bj(r.created)}
                              for r in rooms]}

    def _get(self, p: dict[str, list[str]]) -> dict[str, Any]:
        rid = self._one(p, "chatroomId")
        room = self.rooms.get(rid)
        if room is None:
            raise _Err(404, 1002, f"chatroom {rid} does not exist")
        return {"chatroomId": rid, "createTime": int(room.created * 1000), "memberCount": len(room.members),
                "destroyType": 0, "destroyTime": 0, "ban": room.muted}

    def _members(self, p: dict[str, list[str]]) -> dict[str, Any]:
        rid = self._one(p, "chatroomId")
        count = self._int(p, "count", 1, 500)
        order = self._int(p, "order", 1, 2, default=1)
        room = self.rooms.get(rid)
        members = sorted(room.members.items(), key=lambda kv: kv[1], reverse=(order == 2)) if room else []
        return {"total": len(members), "users": [{"id": u, "time": _bj(t)} for u, t in members[:count]]}

    def _exist(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self.rooms.get(self._one(p, "chatroomId"))
        return {"isInChrm": bool(room and self._one(p, "userId") in room.members)}

    def _exist_many(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self.rooms.get(self._one(p, "chatroomId"))
        return {"result": [{"userId": u, "isInChrm": bool(room and u in room.members)}
                           for u in self._many(p, "userId", 1000)]}

    def _gag_add(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        users, minute = self._many(p, "userId", 20), self._int(p, "minute", 1, MAX_MINUTES)
        self._extra(p)
        assert room is not None
        until = self._clock() + minute * 60
        for u in users:
            room.gags[u] = until
        return {}

    def _gag_remove(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        users = self._many(p, "userId", 20)
        self._extra(p)
        assert room is not None
        for u in users:
            room.gags.pop(u, None)
        return {}

    def _gag_list(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self.rooms.get(self._one(p, "chatroomId"))
        return {"users": self._timed(room.gags) if room else []}

    def _need_global(self) -> None:
        if not self.global_gag_enabled:
            raise _Err(430, 1009, "global chatroom gag is not enabled for this app")

    def _ban_add(self, p: dict[str, list[str]]) -> dict[str, Any]:
        self._need_global()
        users, minute = self._many(p, "userId", 20), self._int(p, "minute", 1, MAX_MINUTES)
        self._extra(p)
        until = self._clock() + minute * 60
        for u in users:
            self.global_gags[u] = until
        return {}

    def _ban_remove(self, p: dict[str, list[str]]) -> dict[str, Any]:
        self._need_global()
        for u in self._many(p, "userId", 20):
            self.global_gags.pop(u, None)
        return {}

    def _ban_query(self, p: dict[str, list[str]]) -> dict[str, Any]:
        self._need_global()
        return {"users": self._timed(self.global_gags)}

    def _mute(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        self._extra(p)
        assert room is not None
        room.muted = True
        return {}

    def _unmute(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        self._extra(p)
        assert room is not None
        room.muted = False
        return {}

    def _mute_check(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self.rooms.get(self._one(p, "chatroomId"))
        return {"status": 1 if room is not None and room.muted else 0}

    def _mute_query(self, p: dict[str, list[str]]) -> dict[str, Any]:
        size = self._int(p, "size", 1, 1000, default=50)
        page = self._int(p, "page", 1, 1_000_000, default=1)
        muted = sorted(r.room_id for r in self.rooms.values() if r.muted)
        part = muted[(page - 1) * size:page * size]
        return {"chatroomIds": part, "total": len(muted)}

    def _block_add(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        users, minute = self._many(p, "userId", 20), self._int(p, "minute", 1, MAX_MINUTES)
        self._extra(p)
        assert room is not None
        until = self._clock() + minute * 60
        for u in users:
            room.blocks[u] = until
            room.members.pop(u, None)          # kicked out
        return {}

    def _block_remove(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        users = self._many(p, "userId", 20)
        assert room is not None
        for u in users:
            room.blocks.pop(u, None)
        return {}

    def _block_list(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self.rooms.get(self._one(p, "chatroomId"))
        return {"users": self._timed(room.blocks) if room else []}

    def _wl_add(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        users = self._many(p, "userId", 5)
        assert room is not None
        room.whitelist.update(users)
        return {}

    def _wl_remove(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        users = self._many(p, "userId", 5)
        assert room is not None
        room.whitelist.difference_update(users)
        return {}

    def _wl_query(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self.rooms.get(self._one(p, "chatroomId"))
        return {"users": sorted(room.whitelist) if room else []}

    def _keep_add(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self._room(self._one(p, "chatroomId"))
        assert room is not None
        room.keepalive = True
        return {}

    def _keep_remove(self, p: dict[str, list[str]]) -> dict[str, Any]:
        room = self.rooms.get(self._one(p, "chatroomId"))
        if room is None or not room.keepalive:
            raise _Err(200, 1015, "the keepalive chatroom does not exist")
        room.keepalive = False
        return {}

    def _keep_query(self, p: dict[str, list[str]]) -> dict[str, Any]:
        return {"chatroomIds": sorted(r.room_id for r in self.rooms.values() if r.keepalive)}

    # --- messages --------------------------------------------------------------------------------

    def _server_message(self, room_id: str, sender: str, object_name: str, content: str) -> None:
        room = self._room(room_id)
        assert room is not None
        now = self._clock()
        msg = StoredMessage(self._next_uid(), sender, room_id, object_name, content, int(now * 1000), 0, "Server")
        room.last.append(msg)
        self._log_history(msg, now)
        if self.route_server_messages and self._router is not None:
            self._router.put(_route_body(msg, "127.0.0.1"))
        self._count("server_messages")

    def _message_params(self, p: Mapping[str, list[str]]) -> tuple[str, str, str]:
        sender = self._one(p, "fromUserId")
        obj = self._one(p, "objectName", max_len=32)
        content = self._one(p, "content", max_len=None)
        if len(content.encode("utf-8")) > MAX_CONTENT:
            raise _Err(400, 1002, "content is larger than 128 KB")
        try:
            json.loads(content)
        except json.JSONDecodeError:
            raise _Err(400, 1002, "content must be a JSON string") from None
        return sender, obj, content

    def _publish(self, p: dict[str, list[str]]) -> dict[str, Any]:
        rooms = self._many(p, "toChatroomId", 10)
        sender, obj, content = self._message_params(p)
        for rid in rooms:
            self._server_message(rid, sender, obj, content)
        return {}

    def _broadcast(self, p: dict[str, list[str]]) -> dict[str, Any]:
        sender, obj, content = self._message_params(p)
        for rid in list(self.rooms):
            self._server_message(rid, sender, obj, content)
        return {}

    def _recall(self, p: dict[str, list[str]]) -> dict[str, Any]:
        sender = self._one(p, "fromUserId")
        ctype = self._int(p, "conversationType", 1, 10)
        if ctype not in (1, 3, 4, 6, 10):
            raise _Err(400, 1002, "conversationType must be 1, 3, 4, 6 or 10")
        target = self._one(p, "targetId")
        uid = self._one(p, "messageUID")
        sent = self._int(p, "sentTime", 1, 2**62)
        for name in ("isAdmin", "isDelete"):
            self._int(p, name, 0, 1, default=0)
        if "disablePush" in p:
            raise _Err(400, 1002, "disablePush is not a recall parameter")
        room = self.rooms.get(target) if ctype == 4 else None
        if room is not None:
            for m in list(room.last):
                if m.msg_uid == uid:
                    if m.sent_time != sent or m.from_user_id != sender:
                        raise _Err(400, 1002, "sentTime or fromUserId does not match the message")
                    room.last.remove(m)
                    break
        self.recalls.append({"fromUserId": sender, "targetId": target, "messageUID": uid, "sentTime": str(sent)})
        return {}

    def _need_history(self) -> None:
        if not self.history_enabled:
            raise _Err(430, 1009, "message history log is not enabled for this app")

    def _date(self, p: Mapping[str, list[str]]) -> str:
        date = self._one(p, "date", max_len=10)
        if not re.fullmatch(r"\d{10}", date):
            raise _Err(400, 1002, "date must be YYYYMMDDHH")
        try:
            datetime.strptime(date, "%Y%m%d%H")
        except ValueError:
            raise _Err(400, 1002, "date must be YYYYMMDDHH") from None
        return date

    def _history_url(self, p: dict[str, list[str]]) -> dict[str, Any]:
        self._need_history()
        date = self._date(p)
        closed = _hour_key(self._clock()) > date
        ready = closed and date in self._history and date not in self._deleted_history
        return {"url": f"{self.base_url}/_files/history/{date}.zip" if ready else "", "date": date}

    def _history_delete(self, p: dict[str, list[str]]) -> dict[str, Any]:
        self._need_history()
        date = self._date(p)
        if date not in self._history or date in self._deleted_history:
            raise _Err(200, 1015, "no history log for that hour")
        self._deleted_history.add(date)
        return {}

    # --- users -----------------------------------------------------------------------------------

    def _user_block(self, p: dict[str, list[str]]) -> dict[str, Any]:
        users, minute = self._many(p, "userId", 20), self._int(p, "minute", 1, MAX_MINUTES)
        until = self._clock() + minute * 60
        for u in users:
            self.user_blocks[u] = until
            for room in self.rooms.values():       # disconnected: out of every room
                room.members.pop(u, None)
        return {}

    def _user_unblock(self, p: dict[str, list[str]]) -> dict[str, Any]:
        for u in self._many(p, "userId", 20):
            self.user_blocks.pop(u, None)
        return {}

    def _user_block_query(self, p: dict[str, list[str]]) -> dict[str, Any]:
        return {"users": self._timed(self.user_blocks, "blockEndTime")}

    # --- sensitive words -------------------------------------------------------------------------------

    def _word_values(self, word: str, replace: str | None) -> tuple[str, str | None]:
        if not word.strip() or len(word) > 32:
            raise _Err(400, 1002, "word must be 1..32 characters")
        if replace is not None and len(replace) > 32:
            raise _Err(400, 1002, "replaceWord must be at most 32 characters")
        return word, replace or None

    def _put_words(self, items: list[tuple[str, str | None]]) -> None:
        new = {w for w, _ in items if w not in self.words}
        if len(self.words) + len(new) > self.word_quota:
            raise _Err(400, 1002, f"sensitive word quota exceeded ({len(self.words)} of {self.word_quota} used, "
                                  f"{len(new)} more asked)")
        now = self._clock()
        for w, r in items:
            self.words[w] = _Word(w, r, now)
        self._words_dirty = True

    def _word_add(self, p: dict[str, list[str]]) -> dict[str, Any]:
        rep = self._one(p, "replaceWord", required=False, max_len=None)
        self._put_words([self._word_values(self._one(p, "word", max_len=None), rep or None)])
        return {}

    def _word_batch_add(self, p: dict[str, list[str]]) -> dict[str, Any]:
        raw = p.get("words")
        try:
            items = json.loads(raw[0]) if raw else None
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list) or not items:
            raise _Err(400, 1002, 'words must be [{"word": …, "replaceWord": …}]')
        parsed: list[tuple[str, str | None]] = []
        for it in items:
            if not isinstance(it, dict) or not isinstance(it.get("word"), str):
                raise _Err(400, 1002, "every entry needs a word")
            rep = it.get("replaceWord")
            parsed.append(self._word_values(it["word"], rep if isinstance(rep, str) and rep else None))
        self._put_words(parsed)
        return {}

    def _word_delete(self, p: dict[str, list[str]]) -> dict[str, Any]:
        self.words.pop(self._one(p, "word", max_len=32), None)
        self._words_dirty = True
        return {}

    def _word_batch_delete(self, p: dict[str, list[str]]) -> dict[str, Any]:
        words = [v for v in p.get("words", []) if v]
        if not words:
            raise _Err(400, 1002, "words is required")
        if len(words) > 50:
            raise _Err(400, 1002, "at most 50 words per call")
        for w in words:
            self.words.pop(w, None)
        self._words_dirty = True
        return {}

    def _word_list(self, p: dict[str, list[str]]) -> dict[str, Any]:
        t = self._int(p, "type", 0, 2, default=1)
        out = []
        for w in self.words.values():
            kind = "0" if w.replace else "1"
            if t == 2 or str(t) == kind:
                out.append({"type": kind, "word": w.word, "replaceWord": w.replace or ""})
        return {"words": out}

    # --- control endpoint (unsigned; 127.0.0.1 only) -------------------------------------------------

    async def _control(self, request: web.Request) -> web.Response:
        """``POST /_sandbox/{send,join,inject,clear,routing,traffic}`` with a JSON body; ``GET /_sandbox/state``."""
        op = request.match_info["op"]
        result: dict[str, Any] = {}
        try:
            body = await request.json() if request.can_read_body else {}
            if not isinstance(body, dict):
                raise ValueError("a JSON object is expected")
            if op == "send":
                r = self.client_send(str(body.pop("room")), str(body.pop("user")), body.pop("text", None), **body)
                result = {"outcome": r.outcome, "msgUID": r.msg_uid, "sentTime": r.sent_time, "text": r.text}
            elif op == "join":
                result = {"joined": self.join(str(body["room"]), str(body["user"]))}
            elif op == "inject":
                self.inject(body.get("path"), body["kind"], int(body.get("count", 1)), after=int(body.get("after", 0)),
                            delay_s=float(body.get("delay_s", 0.0)),
                            retry_after_s=float(body.get("retry_after_s", 1.0)), apply=bool(body.get("apply", False)))
            elif op == "clear":
                self.faults.clear()
                self._deferred.clear()
            elif op == "routing":
                self.set_routing_url(body.get("url") or None)
            elif op == "traffic":
                if self.traffic is None:
                    return web.json_response({"error": "no traffic generator attached"}, status=409)
                if "rate" in body:
                    rate = float(body["rate"])
                    if rate < 0:
                        raise ValueError("rate must be >= 0")
                    self.traffic.rate_per_s = rate
                result = {"rate": self.traffic.rate_per_s, "sent": self.traffic.sent,
                          "traffic": dict(self.traffic.counts)}
            elif op != "state":
                return web.json_response({"error": f"unknown operation {op!r}"}, status=404)
        except (KeyError, TypeError, ValueError) as e:
            return web.json_response({"error": f"bad request: {e}"}, status=400)
        return web.json_response({**result, "pending_faults": self.faults.pending, "counts": self.counts,
                                  "routing": vars(self.stats), "backlog": self.routing_backlog,
                                  "rooms": len(self.rooms), "words": len(self.words)},
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _active(entries: dict[str, float], user: str, now: float) -> bool:
    until = entries.get(user)
    if until is None:
        return False
    if until <= now:
        del entries[user]
        return False
    return True


def _expire(entries: dict[str, float], now: float) -> None:
    for u in [u for u, t in entries.items() if t <= now]:
        del entries[u]


def _json(obj: Mapping[str, Any], status: int, rid: str) -> web.Response:
    resp = web.Response(status=status, body=json.dumps(obj, ensure_ascii=False).encode("utf-8"),
                        content_type="application/json", charset="utf-8")
    resp.headers["X-Request-ID"] = rid
    return resp


_SAFE = re.compile(r"[A-Za-z0-9_.~-]*\Z").match


def _q(value: str) -> str:
    """``quote_plus`` with a fast path for ids that need no encoding."""
    return value if _SAFE(value) else quote_plus(value)


def _route_body(msg: StoredMessage, client_ip: str) -> bytes:
    """The routing form body of a message (§1.7), every value URL-encoded."""
    return (f"fromUserId={_q(msg.from_user_id)}&toUserId={_q(msg.room)}&objectName={_q(msg.object_name)}"
            f"&content={_q(msg.content)}&channelType=TEMPGROUP&msgTimestamp={msg.sent_time}&msgUID={msg.msg_uid}"
            f"&sensitiveType={msg.sensitive_type}&source={_q(msg.source)}&clientIp={_q(client_ip)}").encode("ascii")



# --- a standalone process: ``python -m console.sandbox.rongcloud`` ------------------------------------

async def _serve(args: Any) -> None:
    import os

    from console.sandbox.chat_traffic import SANDBOX_WORDS, ChatTraffic

    secret = os.environ.get("SHIHOU_RC_SANDBOX_SECRET", "sandbox-rc-secret")
    emu = RongCloudEmulator(app_key=args.app_key, app_secret=secret, routing_url=args.routing_url or None,
                            max_in_flight=args.in_flight, seed=None)
    base = await emu.start(port=args.port)
    if args.words:
        emu.set_words(SANDBOX_WORDS)
    rooms = [r for r in args.rooms.split(",") if r]
    engine = None
    if args.db:
        from console.db.engine import make_engine
        engine = make_engine(args.db)
        traffic = await ChatTraffic.from_database(emu, engine, rooms, rate_per_s=args.rate, seed=args.seed)
    else:
        traffic = ChatTraffic(emu, rooms, rate_per_s=args.rate, seed=args.seed)
    emu.traffic = traffic
    traffic.start()
    print(json.dumps({"base_url": base, "app_key": args.app_key}), flush=True)
    try:
        await serve_until_stopped(lambda: {
            "sent": traffic.sent, "routing": vars(emu.stats), "backlog": emu.routing_backlog,
            "rate": traffic.rate_per_s}, every_s=args.report_s, stdin=args.stdin)
    finally:
        await traffic.stop()
        with contextlib.suppress(TimeoutError):
            await emu.drain(10)                  # let the posts already queued go out
        print(json.dumps({"final": True, "sent": traffic.sent, "routing": vars(emu.stats),
                          "backlog": emu.routing_backlog, "counts": traffic.counts}, ensure_ascii=False), flush=True)
        await emu.stop()
        if engine is not None:
            await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Run the emulator (and optionally chat traffic) in its own process.

    Prints one JSON line ``{"base_url", "app_key"}`` once listening, then a JSON line of counters every
    ``--report-s``; stops on SIGTERM/SIGINT (or when stdin closes, with ``--stdin``). The App Secret is
    read from ``SHIHOU_RC_SANDBOX_SECRET`` (default ``sandbox-rc-secret``); it is a sandbox secret only.
    Change the rate while running with ``POST /_sandbox/traffic {"rate": N}``.
    """
    import argparse

    ap = argparse.ArgumentParser(prog="python -m console.sandbox.rongcloud", description=main.__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--app-key", default="sandbox-rc-key")
    ap.add_argument("--routing-url", default="", help="the platform's message-routing URL")
    ap.add_argument("--rooms", default="room_1", help="comma-separated chatroom ids")
    ap.add_argument("--rate", type=float, default=0.0, help="messages per second (0: none until changed)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", default="", help="database URL whose users send the messages")
    ap.add_argument("--in-flight", type=int, default=128, help="concurrent routing connections")
    ap.add_argument("--words", action="store_true", help="load the sandbox's sensitive words")
    ap.add_argument("--report-s", type=float, default=1.0)
    ap.add_argument("--stdin", action="store_true", help="stop when stdin closes")
    asyncio.run(_serve(ap.parse_args(argv)))


if __name__ == "__main__":
    main()
