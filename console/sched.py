"""Scheduling hints for the console's UI thread (Linux; everything here is a no-op elsewhere).

Since Linux 6.12 a normal (SCHED_OTHER) thread may ask EEVDF for a shorter time slice
(``sched_setattr`` with ``sched_runtime``; no privilege needed). A shorter slice gives the thread
earlier virtual deadlines: when it wakes — a timer, input, a socket — it runs before busy threads of
the same priority instead of after them, while its share of the CPU stays the same. That is what a UI
thread wants: it works in short bursts and is judged by how late they start.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import struct

log = logging.getLogger(__name__)

__all__ = ["request_short_slice"]

_SYS_SCHED_SETATTR = {"x86_64": 314, "aarch64": 274}
_SCHED_OTHER = 0


def request_short_slice(slice_us: int = 500, tid: int = 0) -> bool:
    """Ask for a ``slice_us`` time slice for thread ``tid`` (0: the calling thread); True when the
    kernel took it. Kernels before 6.12 accept the call and ignore the value."""
    nr = _SYS_SCHED_SETATTR.get(platform.machine())
    if nr is None or not hasattr(os, "sched_getscheduler"):
        return False
    try:
        if os.sched_getscheduler(tid) != _SCHED_OTHER:
            return False   # someone chose a real-time policy: leave it
        nice = os.getpriority(os.PRIO_PROCESS, tid)
        # struct sched_attr (SCHED_ATTR_SIZE_VER1): size, policy, flags, nice, priority, runtime,
        # deadline, period, util_min, util_max
        attr = ctypes.create_string_buffer(struct.pack("IIQiIQQQII", 56, _SCHED_OTHER, 0, nice, 0,
                                                       slice_us * 1000, 0, 0, 0, 0))
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.syscall(nr, tid, attr, 0) != 0:
            log.info("short time slice refused: %s", os.strerror(ctypes.get_errno()))
            return False
    except (OSError, AttributeError) as e:
        log.info("short time slice not available: %s", e)
        return False
    return True
