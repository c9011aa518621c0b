"""Action queue: pending and failed actions, with retry (Enter) — nothing is lost silently."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import ActionRecord, ActionStatus, Changes
from console.services.actions import ActionService
from console.views.feedback import MessageBar
from console.views.models import RowsTableModel
from console.views.tasks import TaskRunner
from console.views.user_lookup import fmt_time

_Index = QModelIndex | QPersistentModelIndex


class ActionModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ActionRecord] = []
        self.headers = [self.tr("编号"), self.tr("时间"), self.tr("操作"), self.tr("对象"), self.tr("状态"),
                        self.tr("尝试次数"), self.tr("下次重试"), self.tr("操作人"), self.tr("最后错误")]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            state = {ActionStatus.PENDING: self.tr("排队中"), ActionStatus.FAILED: self.tr("失败"),
                     ActionStatus.DONE: self.tr("完成")}[a.state]
            nxt = (a.next_try_at.astimezone().strftime("%H:%M:%S")
                   if a.state is ActionStatus.PENDING and a.next_try_at is not None else "")
            if a.state is ActionStatus.PENDING and a.claimed_by:
                nxt = self.tr("执行中")
            return (str(a.id), fmt_time(a.updated_at), a.kind, a.target, state, str(a.attempts), nxt, a.requested_by,
                    a.last_error or "")[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and a.state is ActionStatus.FAILED:
            return QColor("#b3261e")
        return None



class ActionQueuePane(QWidget):
    """Signals: loaded(); count_changed(int): pending + failed, for the status bar badge."""

    loaded = Signal()
    count_changed = Signal(int)

    def __init__(self, actions: ActionService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionQueuePane")
        self._actions = actions
        self.tasks = TaskRunner(self)
        lay = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        lay.addWidget(self.message_bar)
        bar = QHBoxLayout()
        self.summary = QLabel("")
        self.retry_btn = QPushButton(self.tr("重试所选 (Enter)"))
        self.retry_btn.clicked.connect(self.retry_selected)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.retry_btn)
        lay.addLayout(bar)
        self.model = ActionModel(self)
        self.table = QTableView()
        self.table.setObjectName("actions")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        act = QAction(self)
        act.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.triggered.connect(self.retry_selected)
        self.table.addAction(act)
        self.tasks.failed.connect(self.message_bar.show_error)

    def on_shown(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.tasks.run("queue", self._actions.queue(), on_done=self._show)

    def _show(self, rows: list[ActionRecord]) -> None:
        self.model.replace(rows)
        pending = sum(1 for r in rows if r.state is ActionStatus.PENDING)
        failed = len(rows) - pending
        self.summary.setText(self.tr("排队 %1 · 失败 %2").replace("%1", str(pending)).replace("%2", str(failed)))
        self.count_changed.emit(len(rows))
        self.loaded.emit()

    def retry_selected(self) -> None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return
        rec = self.model.rows[idx.row()]
        self.tasks.run(f"retry:{rec.id}", self._actions.retry(rec.id), on_done=lambda _r: self.refresh(),
                       busy=self.tr("正在重试…"))

    def on_changes(self, changes: Changes) -> None:
        if changes.actions:
            self.refresh()

    def save_state(self, s: QSettings) -> None:
        s.setValue("actions/header", self.table.horizontalHeader().saveState())

    def restore_state(self, s: QSettings) -> None:
        if (v := s.value("actions/header")) is not None:
            self.table.horizontalHeader().restoreState(v)
