"""The platform's message-routing endpoint (全量消息路由, providers.md §1.7), as the sandbox runs it.

RongCloud posts every client message here: ``POST <our URL>?nonce=…&signTimestamp=…&signature=…``,
form fields ``fromUserId, toUserId, objectName, content, channelType, msgTimestamp, msgUID,
sensitiveType, source, clientIp``. This receiver

1. verifies the signed query with :func:`console.services.chat.signing.verify_callback` (both
   spellings); a forged or unsigned post gets 401 and a warning in the log, nothing is stored;
2. parses the form (split + ``unquote_plus``, UTF-8 with replacement), checks the fields (400 with a
   reason for a missing or malformed one: RongCloud's retry cannot fix those);
3. hands the row to a group-commit batcher: rows collect for ``flush_ms`` after the first one (or
   until ``max_batch``), one INSERT per batch, ``ON CONFLICT (msg_uid) DO NOTHING`` on both dialects
   (the same msgUID twice is stored once), and ONE ``events.publish(conn, "chat", str(max_id))`` per
   batch that stored anything, in the same transaction;
4. answers 200 only after its batch has committed; a failed batch answers 500 to all of its posts,
   so RongCloud's retry covers a database outage or a crash (the retry is idempotent on msgUID).

It is a lean asyncio protocol over ``httptools`` (database-facts.md §4: 35–38 µs per message against
80–97 for aiohttp.web), keep-alive and pipelining-safe (answers leave in request order).

What is stored: ``content`` is the message text for ``RC:TxtMsg`` (the ``content`` member of the JSON,
as the seeded history and the user card expect); for any other objectName, or content that is not
such JSON, the raw ``content`` string. NUL characters (PostgreSQL text cannot hold them) are stored as
U+2400 ``␀`` and unpaired surrogates as U+FFFD; every other character, HTML and 128 KB texts included,
is stored exactly.

Usage::

    routing = ChatRouting(engine, app_secret)
    url = await routing.start()          # http://127.0.0.1:<port>/rongcloud/routing
    ...
    await routing.stop()

Or as its own process (the benchmark, the sandbox)::

    SHIHOU_RC_SECRET=… python -m console.sandbox.chat_routing --db URL --port 0
    # prints "READY <url>" on stdout, "STATS {...}" on SIGUSR1 and at exit
"""

from __future__ import annotations

import argparse
import asyncio
import binascii
import contextlib
import json
import logging
import os
import re
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

import httptools
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.credentials import Secret
from console.services.chat.signing import verify_callback
from console.services.events import publish

__all__ = ["ChatRouting", "RoutingStats", "parse_form", "routed_row"]

log = logging.getLogger(__name__)

DEFAULT_PATH = "/rongcloud/routing"
MAX_BODY = 2 * 1024 * 1024       # a 128 KB message of CJK is ~400 KB percent-encoded
COLUMNS = ("msg_uid", "from_user_id", "to_user_id", "object_name", "content", "channel_type",
           "msg_timestamp", "sensitive_type", "source", "client_ip")

_PG_INSERT = (
    "WITH ins AS (INSERT INTO chat_messages (msg_uid, from_user_id, to_user_id, object_name, content,"
    " channel_type, msg_timestamp, sensitive_type, source, client_ip, received_at)"
    " SELECT u.*, $11::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],"
    " $6::text[], $7::bigint[], $8::smallint[], $9::text[], $10::text[]) AS u"
    " ON CONFLICT (msg_uid) DO NOTHING RETURNING id)"
    " SELECT coalesce(max(id), 0), count(*) FROM ins"
)
_SQLITE_INSERT = (
    "INSERT INTO chat_messages (msg_uid, from_user_id, to_user_id, object_name, content, channel_type,"
    " msg_timestamp, sensitive_type, source, client_ip, received_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (msg_uid) DO NOTHING"
)

Row = tuple[str, str, str, str, str, str, int, int, str | None, str | None]


class BadPost(ValueError):
    """A routing post we refuse with 400 (the reason goes in the answer and the log)."""


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _unquote(v: str) -> str:
    """``unquote_plus(v, errors="replace")``, 4× faster on percent-encoded CJK: the escapes are turned
    into quoted-printable ones and decoded by ``binascii.a2b_qp`` in C (a literal ``=`` is escaped
    first; a ``%`` that is not an escape falls back to the standard function)."""
    if "%" not in v and "+" not in v:
        return v
    if _BAD_ESCAPE.search(v):
        return unquote_plus(v, errors="replace")
    b = v.encode("utf-8", "surrogateescape").replace(b"=", b"=3D").replace(b"+", b" ").replace(b"%", b"=")
    return binascii.a2b_qp(b).decode("utf-8", "replace")


def parse_form(body: bytes) -> dict[str, str]:
    """``application/x-www-form-urlencoded`` → dict (the first value of a repeated key wins)."""
    out: dict[str, str] = {}
    if not body:
        return out
    text = body.decode("utf-8", "replace")
    for part in text.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        key = _unquote(k)
        if key not in out:
            out[key] = _unquote(v)
    return out


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(s: str) -> str:
    """What PostgreSQL text can hold: NUL → U+2400, unpaired surrogates → U+FFFD."""
    if "\x00" in s:
        s = s.replace("\x00", "\u2400")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        s = _SURROGATE.sub("\ufffd", s)
    return s


def _nul(s: str) -> str:
    """Form values are decoded with replacement, so they hold no surrogates; only NUL needs mapping."""
    return s.replace("\x00", "\u2400") if "\x00" in s else s


def message_text(object_name: str, content: str) -> str:
    """The text of an ``RC:TxtMsg`` (its JSON ``content`` member), else the raw content."""
    if object_name == "RC:TxtMsg" and content.startswith("{"):
        try:
            doc = json.loads(content)
        except ValueError:
            return content
        if isinstance(doc, dict):
            text = doc.get("content")
            if isinstance(text, str):
                return _clean(text)   # JSON escapes can make NUL and lone surrogates
    return content


_REQUIRED = (("msgUID", 64), ("fromUserId", 64), ("toUserId", 64), ("objectName", 32), ("channelType", 16),
             ("msgTimestamp", 20))


def routed_row(form: dict[str, str]) -> Row:
    """The chat_messages values of one routed message; raises BadPost for a malformed one."""
    for name, limit in _REQUIRED:
        v = form.get(name)
        if not v:
            raise BadPost(f"missing {name}")
        if len(v) > limit:
            raise BadPost(f"{name} longer than {limit} characters")
    obj = form["objectName"]
    try:
        ts = int(form["msgTimestamp"])
        sensitive = int(form.get("sensitiveType") or "0")
    except ValueError:
        raise BadPost("msgTimestamp or sensitiveType is not an integer") from None
    if not -32768 <= sensitive <= 32767 or not 0 <= ts < 2**62:
        raise BadPost("msgTimestamp or sensitiveType out of range")
    content = form.get("content")
    if content is None:
        raise BadPost("missing content")
    source = form.get("source") or None
    ip = form.get("clientIp") or None
    return (_nul(form["msgUID"]), _nul(form["fromUserId"]), _nul(form["toUserId"]), _nul(obj),
            _nul(message_text(obj, content)), _nul(form["channelType"]), ts, sensitive,
            _nul(source[:16]) if source else None, _nul(ip[:64]) if ip else None)


@dataclass
class RoutingStats:
    received: int = 0       #: posts with a valid signature and form
    stored: int = 0         #: rows inserted
    duplicates: int = 0     #: msgUIDs already stored (answered 200, nothing written)
    refused: int = 0        #: bad or missing signature (401)
    rejected: int = 0       #: malformed form (400)
    failed: int = 0         #: posts answered 500 because their batch failed
    batches: int = 0
    last_id: int = 0
    flush_s: float = 0.0     #: time spent writing batches (insert + event + commit)
    max_flush_ms: float = 0.0


class _Batcher:
    """Group commit: rows collect for ``flush_ms`` after the first (or up to ``max_batch``)."""

    def __init__(self, engine: AsyncEngine, stats: RoutingStats, *, flush_ms: float, max_batch: int,
                 on_commit: Callable[[int, int], None] | None = None) -> None:
        self._engine = engine
        self._stats = stats
        self._flush_s = flush_ms / 1000.0
        self._max = max_batch
        self._rows: list[Row] = []
        self._waiters: list[asyncio.Future[bool]] = []
        self._wake = asyncio.Event()
        self._full = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pg = engine.dialect.name == "postgresql"
        self._on_commit = on_commit

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="chat-routing-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            # let the rows already accepted commit, then stop
            while self._rows:
                self._wake.set()
                await asyncio.sleep(0.005)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for w in self._waiters:
            if not w.done():
                w.set_result(False)

    def submit(self, row: Row) -> asyncio.Future[bool]:
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._rows.append(row)
        self._waiters.append(fut)
        self._wake.set()
        if len(self._rows) >= self._max:
            self._full.set()
        return fut

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            if not self._rows:
                self._wake.clear()
                continue
            if len(self._rows) < self._max:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self._flush_s)
            rows, waiters = self._rows[: self._max], self._waiters[: self._max]
            del self._rows[: self._max], self._waiters[: self._max]
            self._full.clear()
            if len(self._rows) >= self._max:
                self._full.set()
            if not self._rows:
                self._wake.clear()
            ok = await self._flush(rows)
            for w in waiters:
                if not w.done():
                    w.set_result(ok)

    async def _flush(self, rows: list[Row]) -> bool:
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        try:
            async with self._engine.begin() as conn:
                if self._pg:
                    max_id, stored = await self._insert_pg(conn, rows, now)
                else:
                    max_id, stored = await self._insert_sqlite(conn, rows, now)
                if stored:
                    await publish(conn, "chat", str(max_id))
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - the posts get 500 and RongCloud retries them
            self._stats.failed += len(rows)
            log.warning("chat routing: a batch of %d messages failed, answered 500: %s", len(rows),
                        str(e).splitlines()[0] if str(e) else type(e).__name__)
            return False
        st = self._stats
        dt = time.perf_counter() - t0
        st.flush_s += dt
        st.max_flush_ms = max(st.max_flush_ms, dt * 1000)
        st.batches += 1
        st.stored += stored
        st.duplicates += len(rows) - stored
        if stored:
            st.last_id = max(st.last_id, max_id)
        if self._on_commit is not None:
            self._on_commit(len(rows), stored)
        return True

    @staticmethod
    async def _insert_pg(conn: AsyncConnection, rows: list[Row], now: datetime) -> tuple[int, int]:
        cols = list(zip(*rows, strict=True))
        res = await conn.exec_driver_sql(_PG_INSERT, (*[list(c) for c in cols], now))
        row: Any = res.one()
        return int(row[0]), int(row[1])

    @staticmethod
    async def _insert_sqlite(conn: AsyncConnection, rows: list[Row], now: datetime) -> tuple[int, int]:
        stamp = now.replace(tzinfo=None).isoformat(sep=" ")
        before = (await conn.exec_driver_sql("SELECT total_changes()")).scalar_one()
        await conn.exec_driver_sql(_SQLITE_INSERT, [(*r, stamp) for r in rows])
        row: Any = (await conn.exec_driver_sql("SELECT total_changes(), (SELECT max(id) FROM chat_messages)")).one()
        return int(row[1] or 0), int(row[0]) - int(before)


_REASONS = {200: b"OK", 400: b"Bad Request", 401: b"Unauthorized", 404: b"Not Found", 405: b"Method Not Allowed",
            413: b"Payload Too Large", 500: b"Internal Server Error"}


def _response(status: int, body: bytes, keep_alive: bool) -> bytes:
    return b"".join((
        b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, b"Error")),
        b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body),
        b"Connection: keep-alive\r\n\r\n" if keep_alive else b"Connection: close\r\n\r\n",
        body,
    ))


_OK_BODY = b'{"code":200}'


class _Conn(asyncio.Protocol):
    """One HTTP/1.1 connection: httptools parser, answers in request order."""

    def __init__(self, server: ChatRouting) -> None:
        self._server = server
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._url = b""
        self._body: list[bytes] = []
        self._size = 0
        self._too_big = False
        self._queue: deque[asyncio.Future[bytes]] = deque()
        self._closing = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._peer = transport.get_extra_info("peername")

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._reply_now(400, b'{"code":400,"errorMessage":"upgrade not supported"}', close=True)
        except httptools.HttpParserError as e:
            log.warning("chat routing: unparsable HTTP from %s: %s", self._peer, e)
            self._reply_now(400, b'{"code":400,"errorMessage":"bad HTTP"}', close=True)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    # httptools callbacks
    def on_message_begin(self) -> None:
        self._url = b""
        self._body = []
        self._size = 0
        self._too_big = False

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > MAX_BODY:
            self._too_big = True
            self._body = []
        elif not self._too_big:
            self._body.append(body)

    def on_message_complete(self) -> None:
        keep = bool(self._parser.should_keep_alive())
        fut = self._server._handle(self._parser.get_method(), self._url, b"".join(self._body), self._too_big,
                                   self._peer)
        self._enqueue(fut, keep)

    # answers, in order
    def _enqueue(self, fut: asyncio.Future[tuple[int, bytes]], keep_alive: bool) -> None:
        out: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._queue.append(out)

        def done(f: asyncio.Future[tuple[int, bytes]]) -> None:
            if f.cancelled():
                status, body = 500, b'{"code":1000}'
            elif f.exception() is not None:
                status, body = 500, b'{"code":1000}'
            else:
                status, body = f.result()
            out.set_result(_response(status, body, keep_alive))
            if not keep_alive:
                self._closing = True
            self._drain()

        fut.add_done_callback(done)

    def _drain(self) -> None:
        t = self._transport
        while self._queue and self._queue[0].done():
            data = self._queue.popleft().result()
            if t is not None and not t.is_closing():
                t.write(data)
        if self._closing and not self._queue and t is not None:
            t.close()

    def _reply_now(self, status: int, body: bytes, *, close: bool) -> None:
        fut: asyncio.Future[tuple[int, bytes]] = asyncio.get_running_loop().create_future()
        fut.set_result((status, body))
        self._enqueue(fut, keep_alive=not close)


class ChatRouting:
    """The routing receiver. ``stats`` counts what happened; ``on_commit(n_posts, n_stored)`` per batch."""

    def __init__(self, engine: AsyncEngine, app_secret: str | Secret, *, path: str = DEFAULT_PATH,
                 flush_ms: float = 20.0, max_batch: int = 2000, max_skew_s: float | None = None,
                 on_commit: Callable[[int, int], None] | None = None) -> None:
        self._engine = engine
        self._secret = app_secret
        self._path = path.encode()
        self._skew = max_skew_s
        self.stats = RoutingStats()
        self._batcher = _Batcher(engine, self.stats, flush_ms=flush_ms, max_batch=max_batch, on_commit=on_commit)
        self._server: asyncio.Server | None = None
        self.url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        loop = asyncio.get_running_loop()
        self._batcher.start()
        self._server = await loop.create_server(lambda: _Conn(self), host, port, backlog=2048)
        sock = self._server.sockets[0]
        self.url = f"http://{host}:{sock.getsockname()[1]}{self._path.decode()}"
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        await self._batcher.stop()

    def _handle(self, method: bytes, url: bytes, body: bytes, too_big: bool,
                peer: Any) -> asyncio.Future[tuple[int, bytes]]:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[tuple[int, bytes]] = loop.create_future()
        try:
            parsed = httptools.parse_url(url)
        except httptools.HttpParserInvalidURLError:
            done.set_result((400, b'{"code":400,"errorMessage":"bad URL"}'))
            return done
        if parsed.path != self._path:
            done.set_result((404, b'{"code":404}'))
            return done
        if method != b"POST":
            done.set_result((405, b'{"code":405}'))
            return done
        query = parse_form(parsed.query or b"")
        if not verify_callback(self._secret, query, max_skew_s=self._skew):
            self.stats.refused += 1
            log.warning("chat routing: refused a post from %s with a %s signature", peer and peer[0],
                        "missing" if "signature" not in query and "rc-signature" not in query else "bad")
            done.set_result((401, b'{"code":1004,"errorMessage":"signature invalid"}'))
            return done
        if too_big:
            self.stats.rejected += 1
            log.warning("chat routing: refused a post over %d bytes from %s", MAX_BODY, peer and peer[0])
            done.set_result((413, b'{"code":1005,"errorMessage":"body too large"}'))
            return done
        try:
            row = routed_row(parse_form(body))
        except BadPost as e:
            self.stats.rejected += 1
            log.warning("chat routing: refused a malformed post from %s: %s", peer and peer[0], e)
            done.set_result((400, json.dumps({"code": 1002, "errorMessage": str(e)}).encode()))
            return done
        self.stats.received += 1
        stored = self._batcher.submit(row)

        def committed(f: asyncio.Future[bool]) -> None:
            ok = not f.cancelled() and f.result()
            done.set_result((200, _OK_BODY) if ok else (500, b'{"code":1000,"errorMessage":"not stored"}'))

        stored.add_done_callback(committed)
        return done


# --- as its own process --------------------------------------------------------------------------

async def _serve(args: argparse.Namespace) -> None:
    from console.db.engine import make_engine

    secret = os.environ.get("SHIHOU_RC_SECRET")
    if not secret:
        raise SystemExit("set SHIHOU_RC_SECRET to the RongCloud app secret")
    engine = make_engine(args.db, pool_size=2)
    routing = ChatRouting(engine, Secret(secret), flush_ms=args.flush_ms, max_batch=args.max_batch)
    url = await routing.start(args.host, args.port)
    print(f"READY {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, lambda: print("STATS " + json.dumps(asdict(routing.stats)), flush=True))
    t0 = time.process_time()
    await stop.wait()
    await routing.stop()
    await engine.dispose()
    print("STATS " + json.dumps({**asdict(routing.stats), "cpu_s": round(time.process_time() - t0, 3)}), flush=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m console.sandbox.chat_routing", description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, help="database URL")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--flush-ms", type=float, default=20.0)
    p.add_argument("--max-batch", type=int, default=2000)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
