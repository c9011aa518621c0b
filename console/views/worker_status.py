"""The status bar's worker indicator: whether a worker is alive (its heartbeat) and how many jobs wait or failed.

PostgreSQL: ``后台任务：2 个执行器 · 3 待办 · 1 失败`` (red without a live worker). SQLite: the console runs the
duties itself (``后台任务：本机执行``). Polled every few seconds (console/services/jobs.py ``worker_status``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from console.services.jobs import WorkerStatus, worker_status

log = logging.getLogger(__name__)
POLL_MS = 5000


class WorkerStatusLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("workerStatus")
        self._engine: Any = None
        self._task: asyncio.Task[WorkerStatus] | None = None
        self.status: WorkerStatus | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    def attach(self, engine: Any) -> None:
        self._engine = engine
        self._timer.start()
        self.poll()

    def detach(self) -> None:
        self._timer.stop()
        if self._task is not None:
            self._task.cancel()
        self._engine = None
        self.setText("")

    def poll(self) -> None:
        if self._engine is None or (self._task is not None and not self._task.done()):
            return
        self._task = asyncio.ensure_future(worker_status(self._engine))
        self._task.add_done_callback(self._polled)

    def _polled(self, task: asyncio.Task[WorkerStatus]) -> None:
        if task.cancelled() or self._engine is None:
            return
        e = task.exception()
        if e is not None:
            log.info("worker status not read: %s", e)
            return
        self.show_status(task.result())

    def show_status(self, st: WorkerStatus) -> None:
        self.status = st
        if st.in_process:
            who = self.tr("本机执行")
        elif st.workers:
            who = self.tr("%1 个执行器").replace("%1", str(st.workers))
        else:
            who = self.tr("无执行器在线")
        text = self.tr("后台任务：") + who + " · " + self.tr("%1 待办").replace("%1", str(st.waiting))
        if st.failed:
            text += " · " + self.tr("%1 失败").replace("%1", str(st.failed))
        self.setText(text)
        self.setStyleSheet("" if st.alive and not st.failed else "color: #b3261e;")
        self.setToolTip(self.tr("执行器（worker）每几秒写一次心跳；待办：排队中的操作与作业；失败：近一天失败的操作与作业"))
