"""The live chat read and flagged in a child process, off the console's UI thread.

At esports rates (thousands of lines a second) reading ``chat_messages`` and flagging each line (the
word matcher, regex rules, repeats, first messages and new accounts, flood keys) is most of what a
console does for its chat pane: about 30 µs a line, in many steps of a few milliseconds each, on the
thread that also paints and answers the keyboard. :class:`ChatReader` runs the same
:meth:`ChatService.newer <console.services.chat.feed.ChatService.newer>` in a child process of the
console (:mod:`console.services.chat.reader_child`) and hands back the flagged lines, pickled: about
3 µs a line to take in.

Usage (the chat pane)::

    reader = ChatReader(chat, engine)        # chat: the console's ChatService (same operator, same rules)
    lines = await reader.newer(cursor)       # as ChatService.newer; in-process until the child is ready
    await reader.load_rules()                # on a "chat_rules" event: here and in the child
    await reader.aclose()

What a person can rely on:

* **Same answers.** The child builds a :class:`ChatService` with the console's operator and options
  and runs the same code; a read that fails there raises the same :class:`~console.errors.ConsoleError`
  here (PermissionDenied for a role without MODERATE_CHAT, audited by the child as it would be here).
* **Never stuck.** Until the child has started (a second of imports) and whenever it has died, reads run
  in this process (logged once). A child that dies is started again at most :data:`RESTARTS` times.
* **No secret on disk or in argv.** The database URL (with its password, from the keyring) and the
  operator travel over a private socket pair; the child's command line names only the socket's fd.
* The child exits when the socket closes (the console quit, or crashed).

Frames on the socket are a 4-byte big-endian length and a pickle: ``(seq, op, args)`` requests,
``(seq, ok, result)`` answers; a long list comes first as ``(seq, None, part)`` frames of
:data:`PART_LINES` lines, each taken in its own turn of the console's event loop (unpickling a 2,000-line
page at once held the UI thread for ~5 ms). Both ends are this console's own code (the child is started from
``sys.executable`` with this package), so unpickling the child's answers trusts nothing outside it.
:meth:`ChatLine.__reduce__ <console.services.chat.feed.ChatLine.__reduce__>` keeps a line to 2–3 µs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import socket
import struct
import subprocess
import sys
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from console.domain import Permission
from console.errors import ConsoleError, DatabaseUnreachable, InvalidInput, NotFound, PermissionDenied
from console.services.chat.feed import ChatLine, ChatService

log = logging.getLogger(__name__)

__all__ = ["RESTARTS", "ChatReader", "ReaderFailed"]

#: Times a child that died is started again before reads stay in the console's own process.
RESTARTS = 2
#: Seconds the child has to answer its first frame (imports, the first connection).
START_TIMEOUT_S = 30.0
#: Seconds a read may take in the child before it is given up on (and read here instead).
READ_TIMEOUT_S = 30.0
#: Lines per frame of a long answer (about 0.5 ms to unpickle).
PART_LINES = 200
_HEADER = struct.Struct(">I")
_MAX_FRAME = 256 * 2**20


_Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class ReaderFailed(ConsoleError):
    """The child reader is gone or answered nonsense (reads continue in the console's process)."""


# --- frames -----------------------------------------------------------------------------------

async def _read_frame(reader: asyncio.StreamReader) -> Any:
    n = _HEADER.unpack(await reader.readexactly(_HEADER.size))[0]
    if n > _MAX_FRAME:
        raise ReaderFailed(f"chat reader frame of {n} bytes (at most {_MAX_FRAME})")
    return pickle.loads(await reader.readexactly(n))


def _frame(obj: Any) -> bytes:
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


def _error_of(e: BaseException) -> tuple[str, tuple[Any, ...]]:
    """An exception as (kind, args) that :func:`_raise_of` rebuilds in the parent."""
    if isinstance(e, PermissionDenied):
        return "denied", (e.operator, e.role, e.permission)
    if isinstance(e, InvalidInput):
        return "invalid", (e.field, str(e).split(": ", 1)[-1])
    if isinstance(e, NotFound):
        return "notfound", (str(e),)
    if isinstance(e, ConsoleError):
        return "storage", (e.user_message(),)
    return "bug", (f"{type(e).__name__}: {e}",)


def _raise_of(kind: str, args: tuple[Any, ...]) -> ConsoleError:
    if kind == "denied":
        return PermissionDenied(*args)
    if kind == "invalid":
        return InvalidInput(*args)
    if kind == "notfound":
        return NotFound(*args)
    if kind == "storage":
        return DatabaseUnreachable(*args)
    return ReaderFailed(f"chat reader: {args[0]}")


# --- the console's side -------------------------------------------------------------------------

class ChatReader:
    """:meth:`ChatService.newer` in a child process, with the console's process as the fallback.

    Args:
        chat: the console's ChatService (its operator, options and rules; also the fallback).
        engine: its engine: the child connects to the same database (URL with password, role).
        spawn: False keeps every read in this process (an in-memory SQLite database, tests).
    """

    def __init__(self, chat: ChatService, engine: AsyncEngine, *, spawn: bool = True,
                 pg_role: str | None = None, python: str = sys.executable) -> None:
        self._chat = chat
        self._url = engine.url.render_as_string(hide_password=False)
        self._pg_role = pg_role
        self._python = python
        db = engine.url.database or ""
        self._spawn = spawn and not (engine.url.get_backend_name() == "sqlite" and db in ("", ":memory:"))
        self._proc: subprocess.Popen[bytes] | None = None
        self._stream: _Stream | None = None
        self._starting: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._parts: dict[int, list[Any]] = {}   # seq -> lines of a long answer received so far
        self._receiver: asyncio.Task[None] | None = None
        self._seq = 0
        self._restarts = 0
        self._closed = False
        self.reads_in_child = 0      #: reads the child answered (tests, the benchmark)
        self.reads_here = 0          #: reads done in this process (before the child was ready, or without it)
        self.last_error = ""         #: why the child is not used (also logged; empty while it is)

    def child_cpu_s(self) -> float:
        """CPU seconds the running child has used (0.0 without one; Linux /proc)."""
        proc = self._proc
        if proc is None:
            return 0.0
        try:
            with open(f"/proc/{proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @property
    def in_child(self) -> bool:
        """The child is up and answering."""
        return self._stream is not None

    # --- the API (ChatService's) ---

    async def newer(self, after_id: int, room_key: str | None = None, *, limit: int = 5000) -> list[ChatLine]:
        """As :meth:`ChatService.newer`: lines with id > after_id, oldest first, flagged."""
        await self._chat._require(f"chat:{room_key}" if room_key else "chat")  # noqa: SLF001 - same check, here first
        if self._stream is None:
            self._ensure_started()
            self.reads_here += 1
            return await self._chat.newer(after_id, room_key, limit=limit)
        try:
            lines = await self._call("newer", (after_id, room_key, limit))
        except ReaderFailed as e:
            self._lost(str(e))
            self.reads_here += 1
            return await self._chat.newer(after_id, room_key, limit=limit)
        self.reads_in_child += 1
        return lines   # type: ignore[no-any-return]

    async def load_rules(self) -> None:
        """Rebuild the word matcher and regex rules here and in the child."""
        await self._chat.load_rules()
        if self._stream is not None:
            try:
                await self._call("load_rules", ())
            except ReaderFailed as e:
                self._lost(str(e))

    async def start(self) -> None:
        """Start the child now and wait until it answers (reads before that run here anyway)."""
        self._ensure_started()
        if self._starting is not None:
            await asyncio.shield(self._starting)

    async def aclose(self) -> None:
        self._closed = True
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._starting
        await self._drop()

    # --- the child ---

    def _ensure_started(self) -> None:
        if (self._closed or not self._spawn or self._stream is not None
                or (self._starting is not None and not self._starting.done())):
            return
        if self._proc is not None or self._restarts > RESTARTS:
            return   # gone for good: reads stay here (last_error says why)
        self._starting = asyncio.get_running_loop().create_task(self._start(), name="chat-reader-start")

    async def _start(self) -> None:
        if not self._chat._audit.operator.can(Permission.MODERATE_CHAT):  # noqa: SLF001
            self._spawn = False
            return   # every read is refused (and audited) by newer() itself
        ours, theirs = socket.socketpair()
        t0 = time.perf_counter()
        try:
            cmd = [self._python, "-m", "console.services.chat.reader_child", "--fd", str(theirs.fileno())]
            self._proc = await asyncio.to_thread(
                subprocess.Popen, cmd, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": _package_root()})
        except OSError as e:
            ours.close()
            self._fail(f"the chat reader could not start: {e}")
            return
        finally:
            theirs.close()
        writer: asyncio.StreamWriter | None = None
        try:
            reader, writer = await asyncio.open_unix_connection(sock=ours, limit=2**20)
            writer.write(_frame({"url": self._url, "pg_role": self._pg_role, "operator": self._chat._audit.operator,  # noqa: SLF001
                                 "options": self._chat.options}))
            await writer.drain()
            hello = await asyncio.wait_for(_read_frame(reader), START_TIMEOUT_S)
            if not (isinstance(hello, tuple) and hello[:2] == (0, True)):
                raise ReaderFailed(f"chat reader did not start: {hello!r:.300}")
        except (OSError, EOFError, asyncio.IncompleteReadError, TimeoutError, ReaderFailed, pickle.UnpicklingError) as e:
            if writer is not None:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
            ours.close()
            await self._drop()
            self._fail(f"the chat reader did not start: {e or type(e).__name__}")
            return
        self._stream = (reader, writer)
        self._receiver = asyncio.get_running_loop().create_task(self._receive(reader), name="chat-reader-receive")
        self.last_error = ""
        log.info("chat reader pid %s ready in %.2f s", self._proc.pid if self._proc else "?", time.perf_counter() - t0)

    def _fail(self, why: str) -> None:
        self._restarts += 1
        self.last_error = why
        log.warning("%s; chat is read in the console's process (%d of %d restarts used)", why,
                    min(self._restarts, RESTARTS + 1), RESTARTS + 1)

    def _lost(self, why: str) -> None:
        stream = self._stream
        if stream is None:
            return   # already dropped (the receive loop and a caller both saw it)
        self._stream = None   # reads go to the console's process from now on
        log.warning("chat reader lost: %s", why)
        self._restarts += 1
        self.last_error = why
        asyncio.get_running_loop().create_task(self._drop_and_restart(stream), name="chat-reader-restart")

    async def _drop_and_restart(self, stream: _Stream) -> None:
        await self._drop(stream)
        if self._restarts <= RESTARTS:
            self._ensure_started()

    async def _drop(self, stream: _Stream | None = None) -> None:
        stream, self._stream = stream or self._stream, None
        proc, self._proc = self._proc, None
        receiver, self._receiver = self._receiver, None
        if receiver is not None and receiver is not asyncio.current_task():
            receiver.cancel()
        if stream is not None:
            stream[1].close()
            with contextlib.suppress(Exception):
                await stream[1].wait_closed()
        if proc is not None:
            try:
                await asyncio.wait_for(asyncio.to_thread(proc.wait), 5)
            except TimeoutError:
                proc.kill()
                await asyncio.to_thread(proc.wait)

    async def _call(self, op: str, args: tuple[Any, ...]) -> Any:
        """Send one request; its answer is matched by seq (a cancelled call leaves nothing behind: the
        receive loop drops an answer nobody waits for)."""
        stream = self._stream
        if stream is None:
            raise ReaderFailed("chat reader not running")
        self._seq += 1
        seq = self._seq
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[seq] = fut
        try:
            stream[1].write(_frame((seq, op, args)))
            await stream[1].drain()
            ok, result = await asyncio.wait_for(asyncio.shield(fut), READ_TIMEOUT_S)
        except (OSError, TimeoutError) as e:
            raise ReaderFailed(f"{op}: {e or type(e).__name__}") from None
        finally:
            self._waiting.pop(seq, None)
        if not ok:
            raise _raise_of(*result)
        return result

    async def _receive(self, reader: asyncio.StreamReader) -> None:
        """Answers to their callers, until the child closes the socket."""
        why = "the chat reader closed its socket"
        try:
            while True:
                got = await _read_frame(reader)
                if not (isinstance(got, tuple) and len(got) == 3 and isinstance(got[0], int)):
                    why = f"the chat reader answered nonsense: {got!r:.200}"
                    break
                seq, ok, result = got
                if ok is None:   # a part of a long answer: taken in one part per turn of the loop
                    self._parts.setdefault(seq, []).extend(result)
                    await asyncio.sleep(0)
                    continue
                if ok and seq in self._parts:
                    result = self._parts.pop(seq) + result
                fut = self._waiting.pop(seq, None)
                if fut is not None and not fut.done():
                    fut.set_result((ok, result))
                self._parts.pop(seq, None)
        except (OSError, EOFError, asyncio.IncompleteReadError, pickle.UnpicklingError, ReaderFailed) as e:
            why = f"the chat reader's socket failed: {e or type(e).__name__}"
        for fut in self._waiting.values():
            if not fut.done():
                fut.set_exception(ReaderFailed(why))
        self._waiting.clear()
        if self._stream is not None and not self._closed:
            self._lost(why)


def _package_root() -> str:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    extra = os.environ.get("PYTHONPATH")
    return root + (os.pathsep + extra if extra else "")
