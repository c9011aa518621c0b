"""Running a sandbox server as its own process (benchmarks keep emulators off the console's loop)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Callable
from typing import Any


async def serve_until_stopped(counters: Callable[[], dict[str, Any]], *, every_s: float, stdin: bool) -> None:
    """Print ``counters()`` as a JSON line every ``every_s`` seconds until SIGTERM or SIGINT arrives, or
    (``stdin``) standard input closes: a parent that dies takes its children with it."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reader = loop.run_in_executor(None, sys.stdin.readline) if stdin else None
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)
        if reader is not None and reader.done():
            break
        print(json.dumps(counters(), ensure_ascii=False), flush=True)
