"""The chat reader's child process (started by :class:`console.services.chat.reader.ChatReader`).

``python -m console.services.chat.reader_child --fd N``: N is this end of the console's socket pair.
The first frame is the set-up (database URL, PostgreSQL role, operator, ChatService options); then
requests are answered in order until the socket closes. It runs at a lower priority than the console
(``os.nice(NICE)``): a person's clicks and the feed's painting go first, reading catches up after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from console.domain import Operator
from console.services.chat.feed import ChatService
from console.services.chat.reader import PART_LINES, _error_of, _frame, _read_frame

log = logging.getLogger(__name__)

#: Niceness added to the child: the UI thread of the console wins a contended CPU.
NICE = 5


async def _serve(fd: int) -> None:
    from console.db.engine import make_engine
    from console.services.audit import AuditService

    sock = socket.socket(fileno=fd)
    reader, writer = await asyncio.open_unix_connection(sock=sock, limit=2**20)
    init = await _read_frame(reader)
    operator: Operator = init["operator"]
    engine = make_engine(init["url"], pg_role=init["pg_role"], pool_size=1, max_overflow=0)  # 1 of the 4
    chat = ChatService(engine, AuditService(engine, operator), **init["options"])
    ops: dict[str, Callable[..., Any]] = {"newer": lambda a, r, n: chat.newer(a, r, limit=n),
                                          "load_rules": chat.load_rules}
    try:
        try:
            await chat.load_rules()
            writer.write(_frame((0, True, os.getpid())))
        except Exception as e:  # noqa: BLE001 - told to the console, which reads in its own process
            writer.write(_frame((0, False, _error_of(e))))
            return
        await writer.drain()
        while True:
            try:
                seq, op, args = await _read_frame(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return   # the console closed the socket (quit or crashed)
            try:
                result = await ops[op](*args)
            except Exception as e:  # noqa: BLE001 - every failure goes back to the console as an error
                log.warning("chat reader %s failed: %s", op, e)
                writer.write(_frame((seq, False, _error_of(e))))
            else:
                if isinstance(result, list):
                    while len(result) > PART_LINES:
                        writer.write(_frame((seq, None, result[:PART_LINES])))
                        del result[:PART_LINES]
                writer.write(_frame((seq, True, result)))
            await writer.drain()
    finally:
        writer.close()
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m console.services.chat.reader_child",
                                 description="the console's chat reader (started by the console)")
    ap.add_argument("--fd", type=int, required=True, help="the socket the console passed")
    ap.add_argument("--nice", type=int, default=NICE, help="niceness to add (0: the console's priority)")
    args = ap.parse_args(argv)
    if args.nice:
        with contextlib.suppress(OSError):
            os.nice(args.nice)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s chat-reader %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.fd))


if __name__ == "__main__":
    main()
