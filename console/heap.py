"""The console's garbage-collector policy: start-up objects are frozen once the window has settled.

CPython's cyclic collector walks every tracked container of a generation. After start-up the oldest
generation holds ~120,000 objects that live as long as the console (Qt wrappers, modules, SQLAlchemy
metadata, translations), and a full collection walked them all: 80–160 ms with the UI thread stopped,
a few times a minute while chat flows at thousands of lines a second (measured by ``bench.chat``:
the longest stalls of the UI thread were these). :func:`gc.freeze` moves them into a permanent
generation the collector never walks again; what the console creates afterwards (chat lines, rows,
results) is collected as before.

Usage (the app does it once, a few seconds after its window is shown)::

    settle_heap()
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

__all__ = ["SETTLE_AFTER_S", "settle_heap"]

#: Seconds after the window is shown: the first panes have loaded by then.
SETTLE_AFTER_S = 3.0


def settle_heap() -> int:
    """Collect once, then freeze every object alive now; returns how many were frozen. Safe to call
    again (later objects join the frozen ones)."""
    t0 = time.perf_counter()
    gc.collect()
    gc.freeze()
    n = gc.get_freeze_count()
    log.info("heap settled: %d objects frozen in %.0f ms", n, (time.perf_counter() - t0) * 1000)
    return n
