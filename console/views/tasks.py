"""Runs one pane's coroutines on the qasync loop.

One task per key: starting a key again cancels the previous task (a new search cancels the
one in flight). Errors: CancelledError -> silent; ConsoleError -> the pane's error signal
(message bar + log); anything else -> log.exception and the same signal marked as a bug.
The busy indicator shows only when a task lasts over 0.6 s.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from console.errors import ConsoleError

log = logging.getLogger(__name__)
T = TypeVar("T")
BUSY_DELAY_MS = 600


class TaskRunner(QObject):
    """Signals:
    busy_changed(bool, str): the pane started/stopped waiting (after the 0.6 s delay).
    failed(object): a ConsoleError or bug escaped a task.
    finished(str): the task of this key completed and its result was handled.
    """

    busy_changed = Signal(bool, str)
    failed = Signal(object)
    finished = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._busy_text: dict[str, str] = {}
        self._busy_shown = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_busy)

    def run(self, key: str, coro: Coroutine[Any, Any, T], *, on_done: Callable[[T], None] | None = None,
            busy: str | None = None) -> asyncio.Task[T]:
        old = self._tasks.pop(key, None)
        if old is not None and not old.done():
            old.cancel()
        task: asyncio.Task[T] = asyncio.ensure_future(coro)
        self._tasks[key] = task
        if busy:
            self._busy_text[key] = busy
            if not self._timer.isActive() and not self._busy_shown:
                self._timer.start(BUSY_DELAY_MS)
        task.add_done_callback(lambda t: self._finished(key, t, on_done))
        return task

    def _finished(self, key: str, task: asyncio.Task[Any], on_done: Callable[[Any], None] | None) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
            self._busy_text.pop(key, None)
        self._update_busy()
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            if on_done is not None:
                try:
                    on_done(task.result())
                except Exception as e:  # noqa: BLE001 - a view bug goes to the message bar and the log
                    log.exception("result handler for %s failed", key)
                    self.failed.emit(e)
                    return
            self.finished.emit(key)
            return
        if isinstance(exc, ConsoleError):
            log.warning("%s: %s", key, exc)
        else:
            log.error("task %s failed", key, exc_info=exc)
        self.failed.emit(exc)

    def _show_busy(self) -> None:
        if self._busy_text:
            self._busy_shown = True
            self.busy_changed.emit(True, next(iter(self._busy_text.values())))

    def _update_busy(self) -> None:
        if not self._busy_text:
            self._timer.stop()
            if self._busy_shown:
                self._busy_shown = False
                self.busy_changed.emit(False, "")

    def cancel(self, key: str | None = None) -> None:
        for k in [key] if key else list(self._tasks):
            t = self._tasks.pop(k, None)
            if t is not None:
                t.cancel()
            self._busy_text.pop(k, None)
        self._update_busy()

    def running(self, key: str) -> bool:
        return key in self._tasks

    def is_idle(self) -> bool:
        return not self._tasks

    def pending(self) -> list[asyncio.Task[Any]]:
        return list(self._tasks.values())
