"""运营人员管理 (operators, admins only): the list of operators and their administration.

Create (a temporary password typed twice or generated), change role, disable, enable and reset a password
(a generated temporary one, shown once); each with a reason, audited by the service. Changes made by
other consoles (the ``operators`` event topic) refresh the list live. Keys: Ctrl+N create, Ctrl+R role,
Ctrl+D disable, Ctrl+E enable, Ctrl+P reset password, F5 refresh; Enter confirms a dialog, Esc cancels.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import Changes, Role
from console.passwords import generate_password
from console.services.operators import OperatorInfo, OperatorService
from console.views.feedback import MessageBar
from console.views.models import RowsTableModel
from console.views.operator_dialogs import (
    ConfirmDialog,
    CreateOperatorDialog,
    TemporaryPasswordDialog,
    plain_label,
    role_title,
)
from console.views.tasks import TaskRunner
from console.views.user_lookup import fmt_time

_Index = QModelIndex | QPersistentModelIndex
TOPIC = "operators"


def operators_changed(changes: Changes) -> set[str]:
    """The operator names an event batch mentions (empty: none)."""
    return {ref for topic, ref in changes.other if topic == TOPIC}


class OperatorModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[OperatorInfo] = []
        self.headers = [self.tr("用户名"), self.tr("显示名"), self.tr("角色"), self.tr("状态"), self.tr("最近登录"),
                        self.tr("连续失败"), self.tr("锁定至"), self.tr("需改密码")]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        o = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            locked = o.locked_until is not None and o.locked_until > datetime.now(UTC)
            return (o.username, o.display_name, role_title(o.role), self.tr("启用") if o.active else self.tr("已停用"),
                    fmt_time(o.last_sign_in_at), str(o.failed_attempts) if o.failed_attempts else "",
                    fmt_time(o.locked_until) if locked else "",
                    self.tr("是") if o.must_change_password else "")[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            if not o.active:
                return QColor("#888888")
            if o.locked_until is not None and o.locked_until > datetime.now(UTC):
                return QColor("#b3261e")
        if role == Qt.ItemDataRole.UserRole:
            return o
        return None

    def row_of(self, username: str) -> int | None:
        return next((i for i, o in enumerate(self.rows) if o.username == username), None)


class OperatorsPane(QWidget):
    """Signals: loaded(): the list is shown (after each refresh).

    ``open_accounts``: opens 账号与密钥 (provider accounts and secrets); None: no such button."""

    loaded = Signal()

    def __init__(self, operators: OperatorService, *, me: str, open_accounts: Callable[[], object] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operatorsPane")
        self._ops = operators
        self._me = me
        self._stale = False
        self._select_after: str | None = None
        self.dialog: QDialog | None = None  # the dialog open now (tests fill it in)
        self.tasks = TaskRunner(self)
        lay = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        self.message_bar.label.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.message_bar)
        bar = QHBoxLayout()
        self.create_btn = self._button(self.tr("新建…"), "Ctrl+N", self.create_operator, bar)
        self.role_btn = self._button(self.tr("改角色…"), "Ctrl+R", self.change_role, bar)
        self.disable_btn = self._button(self.tr("停用…"), "Ctrl+D", self.disable_selected, bar)
        self.enable_btn = self._button(self.tr("启用…"), "Ctrl+E", self.enable_selected, bar)
        self.reset_btn = self._button(self.tr("重置密码…"), "Ctrl+P", self.reset_password, bar)
        bar.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        bar.addWidget(self.progress)
        self.summary = plain_label("")
        self.summary.setWordWrap(False)
        bar.addWidget(self.summary)
        self.refresh_btn = self._button(self.tr("刷新"), "F5", self.refresh, bar)
        self.accounts_btn: QPushButton | None = None
        if open_accounts is not None:
            self.accounts_btn = QPushButton(self.tr("账号与密钥…"))
            self.accounts_btn.setObjectName("accountsButton")
            self.accounts_btn.clicked.connect(open_accounts)
            bar.addWidget(self.accounts_btn)
        lay.addLayout(bar)
        self.model = OperatorModel(self)
        self.table = QTableView()
        self.table.setObjectName("operators")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 160)
        self.table.setColumnWidth(1, 160)
        self.table.setColumnWidth(4, 140)
        self.table.setColumnWidth(6, 140)
        lay.addWidget(self.table, 1)
        self.detail = plain_label("")
        self.detail.setObjectName("operatorDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.detail)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.tasks.failed.connect(self.message_bar.show_error)
        self.tasks.busy_changed.connect(self._on_busy)
        self._update_actions()

    def _button(self, text: str, key: str, slot: Callable[[], None], bar: QHBoxLayout) -> QPushButton:
        btn = QPushButton(f"{text} ({key})")
        btn.clicked.connect(slot)
        bar.addWidget(btn)
        act = QAction(self)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.triggered.connect(lambda: slot() if btn.isEnabled() else None)
        self.addAction(act)
        return btn

    # --- loading ---
    def on_shown(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.tasks.run("list", self._ops.list_all(), on_done=self._show, busy=self.tr("正在读取…"))

    async def load_showcase(self) -> None:
        """For ``--screenshot``: the list loaded, a row other than one's own selected (nothing is changed)."""
        loaded: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def done() -> None:
            if not loaded.done():
                loaded.set_result(None)

        self.loaded.connect(done)
        self.refresh()
        await loaded
        self.loaded.disconnect(done)
        other = next((o.username for o in self.model.rows if o.username != self._me), None)
        if other is not None:
            self.select(other)
        self.table.setFocus()

    def _show(self, rows: list[OperatorInfo]) -> None:
        keep = self._select_after or (o.username if (o := self.selected()) is not None else None)
        self._select_after = None
        self.model.replace(rows)
        if keep is not None:
            self.select(keep)
        admins = sum(1 for o in rows if o.role is Role.ADMIN and o.active)
        active = sum(1 for o in rows if o.active)
        self.summary.setText(self.tr("共 %1 人 · 启用 %2 · 管理员 %3").replace("%1", str(len(rows)))
                             .replace("%2", str(active)).replace("%3", str(admins)))
        self._update_actions()
        self.loaded.emit()

    def on_changes(self, changes: Changes) -> None:
        if not operators_changed(changes):
            return
        if not self.isVisible():
            self._stale = True
            return
        self.refresh()

    def showEvent(self, e: Any) -> None:  # noqa: N802
        super().showEvent(e)
        if self._stale:
            self._stale = False
            self.refresh()

    def _on_busy(self, busy: bool, text: str) -> None:
        self.progress.setVisible(busy)
        if busy:
            self.summary.setText(text)

    # --- selection ---
    def selected(self) -> OperatorInfo | None:
        idx = self.table.currentIndex()
        if not idx.isValid() or idx.row() >= len(self.model.rows):
            return None
        return self.model.rows[idx.row()]

    def select(self, username: str) -> None:
        row = self.model.row_of(username)
        if row is not None:
            self.table.selectRow(row)

    def _update_actions(self) -> None:
        o = self.selected()
        for btn in (self.role_btn, self.reset_btn):
            btn.setEnabled(o is not None)
        self.disable_btn.setEnabled(o is not None and o.active and o.username != self._me)
        self.enable_btn.setEnabled(o is not None and not o.active)
        if o is None:
            self.detail.setText(self.tr("选择一行后可改角色、停用、启用或重置密码。"))
            return
        parts = [f"{o.username} · {o.display_name} · {role_title(o.role)}",
                 self.tr("创建于 ") + fmt_time(o.created_at)]
        if o.must_change_password:
            parts.append(self.tr("下次登录须修改临时密码"))
        if o.locked_until is not None and o.locked_until > datetime.now(UTC):
            parts.append(self.tr("连续登录失败，锁定至 ") + fmt_time(o.locked_until))
        self.detail.setText("  ·  ".join(parts))

    # --- actions ---
    def _open(self, dialog: QDialog) -> None:
        self.message_bar.hide()
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r, d=dialog: self._closed(d))
        dialog.open()

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        self.table.setFocus()

    def _done(self, text: str, username: str) -> None:
        self.message_bar.show_message(text, "info", timeout_ms=8000)
        self._select_after = username
        self.refresh()

    def create_operator(self) -> None:
        dialog: CreateOperatorDialog

        async def run(name: str, role: Role, display: str, password: str, reason: str) -> OperatorInfo:
            return await self._ops.create(name, role, password=password, display_name=display, reason=reason)

        def created() -> None:
            info = dialog.result_value
            if not isinstance(info, OperatorInfo):
                return
            self._done(self.tr("已创建 %1（%2）").replace("%1", info.username).replace("%2", role_title(info.role)),
                       info.username)
            if dialog.generated:
                self._show_password(info.username, dialog.password.text())

        dialog = CreateOperatorDialog(run, self)
        dialog.accepted.connect(created)
        self._open(dialog)

    def change_role(self) -> None:
        o = self.selected()
        if o is None:
            return

        async def run(role: Role | None, reason: str) -> OperatorInfo:
            assert role is not None
            return await self._ops.set_role(o.username, role, reason)

        dialog = ConfirmDialog(self.tr("改角色"), self.tr("%1（%2）当前角色：%3").replace("%1", o.username)
                               .replace("%2", o.display_name).replace("%3", role_title(o.role)), run,
                               confirm=self.tr("改角色"), role=o.role, parent=self)
        dialog.accepted.connect(lambda: self._done(self.tr("%1 的角色已改为 %2").replace("%1", o.username).replace(
            "%2", role_title(dialog.result_value.role)), o.username))
        self._open(dialog)

    def disable_selected(self) -> None:
        self._set_active(False)

    def enable_selected(self) -> None:
        self._set_active(True)

    def _set_active(self, active: bool) -> None:
        o = self.selected()
        if o is None or o.active == active:
            return

        async def run(_role: Role | None, reason: str) -> OperatorInfo:
            return await self._ops.set_active(o.username, active, reason)

        if active:
            title, text = self.tr("启用"), self.tr("启用 %1（%2）？对方可以重新登录。")
            done = self.tr("已启用 %1")
        else:
            title, text = self.tr("停用"), self.tr("停用 %1（%2）？对方正在使用的控制台会立即锁定，且无法再登录。")
            done = self.tr("已停用 %1")
        dialog = ConfirmDialog(title, text.replace("%1", o.username).replace("%2", o.display_name), run,
                               confirm=title, parent=self)
        dialog.accepted.connect(lambda: self._done(done.replace("%1", o.username), o.username))
        self._open(dialog)

    def reset_password(self) -> None:
        o = self.selected()
        if o is None:
            return
        password = generate_password()

        async def run(_role: Role | None, reason: str) -> OperatorInfo:
            return await self._ops.reset_password(o.username, password, reason)

        def reset() -> None:
            self._done(self.tr("已为 %1 重置密码").replace("%1", o.username), o.username)
            self._show_password(o.username, password)

        dialog = ConfirmDialog(self.tr("重置密码"), self.tr(
            "为 %1（%2）生成一个临时密码？旧密码立即失效，对方下次登录时必须修改。").replace("%1", o.username)
            .replace("%2", o.display_name), run, confirm=self.tr("重置"), parent=self)
        dialog.accepted.connect(reset)
        self._open(dialog)

    def _show_password(self, username: str, password: str) -> None:
        self._open(TemporaryPasswordDialog(username, password, self))

    # --- layout kept between runs ---
    def save_state(self, s: QSettings) -> None:
        s.setValue("operators/header", self.table.horizontalHeader().saveState())

    def restore_state(self, s: QSettings) -> None:
        if (v := s.value("operators/header")) is not None:
            self.table.horizontalHeader().restoreState(v)


__all__ = ["OperatorModel", "OperatorsPane", "operators_changed"]
