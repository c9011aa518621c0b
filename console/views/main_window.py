"""The main window: a pane list on the left, the panes, a status bar; layout kept in QSettings.

The 账号 menu signs out (Ctrl+Shift+L: the window stays, its panes go, the sign-in dialog comes back) and
locks the window (Ctrl+Shift+K); :class:`~console.views.session_lock.SessionGuard` locks it after
``session.idle_lock_min`` idle minutes and for good when the operator is disabled while signed in."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QSystemTrayIcon,
    QWidget,
)

from console.domain import Changes, Permission
from console.errors import StorageError
from console.services.events import EVENTS_INTERRUPTED
from console.views.tasks import TaskRunner
from console.views.worker_status import WorkerStatusLabel

if TYPE_CHECKING:
    from console.services import Services
    from console.views.session_lock import SessionGuard

UI_STATE_VERSION = 1


class Pane(Protocol):
    def save_state(self, s: QSettings) -> None: ...
    def restore_state(self, s: QSettings) -> None: ...
    def on_changes(self, changes: Changes) -> None: ...


class ChangeBridge(QObject):
    """EventHub (plain async observer) -> Qt signal."""

    changes_arrived = Signal(object)
    status_changed = Signal(bool, str)


class MainWindow(QMainWindow):
    """Signals: sign_out_requested(): the operator asked to sign out (menu, Ctrl+Shift+L, the lock).

    The console's window. Shown at once, before the database is open (``MainWindow()``: a status
    line says what start-up is doing); :meth:`attach` then builds the panes for the signed-in
    operator. ``MainWindow(services)`` does both."""

    sign_out_requested = Signal()

    def __init__(self, services: Services | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("狮吼直播控制台"))
        self.services: Services | None = None
        self.nav = QListWidget()
        self.nav.setObjectName("paneList")
        self.nav.setMaximumWidth(200)
        self.nav.setMinimumWidth(100)
        self.stack = QStackedWidget()
        self.panes: dict[str, QWidget] = {}
        self.tray: QSystemTrayIcon | None = None
        self.starting = self._starting_label(self.tr("正在启动…"))
        self.stack.addWidget(self.starting)
        self.guard: SessionGuard | None = None
        self._pane_actions: list[QAction] = []
        self._cancelled: list[asyncio.Task[Any]] = []
        #: The credential store 账号与密钥 edits (None: the OS keyring; the sandbox sets its own).
        self.credentials: Any = None
        self._retired: list[QWidget] = []
        account = self.menuBar().addMenu(self.tr("账号(&A)"))
        self.lock_action = account.addAction(self.tr("锁定控制台"))
        self.lock_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.lock_action.triggered.connect(self.lock_now)
        self.sign_out_action = account.addAction(self.tr("退出登录 / 切换运营人员"))
        self.sign_out_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.sign_out_action.triggered.connect(self.sign_out_requested.emit)
        for act in (self.lock_action, self.sign_out_action):
            act.setEnabled(False)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([140, 1140])
        self.setCentralWidget(self.splitter)
        self.db_label = QLabel("")
        self.db_state = QLabel("")
        self.op_label = QLabel("")
        sb = self.statusBar()
        sb.addWidget(self.db_label)
        sb.addWidget(self.db_state)
        self.worker_label = WorkerStatusLabel()   # a live worker, jobs waiting and failed
        sb.addPermanentWidget(self.worker_label)
        sb.addPermanentWidget(self.op_label)
        self._unsubscribe: Any = lambda: None
        self._mode = ""
        self.resize(1280, 800)
        if services is not None:
            self.attach(services)

    def _starting_label(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("startupStatus")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    def set_starting(self, text: str) -> None:
        """What start-up is doing (before :meth:`attach`)."""
        self.starting.setText(text)
        self.statusBar().showMessage(text)

    def attach(self, services: Services) -> None:
        """Build the panes the operator may use, on signed-in services."""
        from console.views.action_queue import ActionQueuePane
        from console.views.audit import AuditPane
        from console.views.room_monitor import RoomMonitorPane
        from console.views.user_lookup import UserLookupPane

        self.services = services
        op = services.operator
        self.setWindowTitle(self.tr("狮吼直播控制台") + f" — {op.display_name} ({op.role})")
        self.statusBar().clearMessage()
        self.worker_label.attach(services.engine)
        can = {p for p in Permission if op.can(p)}
        if Permission.LOOKUP_USERS in can:
            self._add("lookup", self.tr("用户查询"), UserLookupPane(
                services.users, can=can, page_size=int(services.settings["lookup.page_size"]), sms=services.sms,
                push=services.push))
        if Permission.CUT_STREAM in can:
            from console.views.wall import WallPane

            rooms = RoomMonitorPane(services.monitor, services.actions,
                                    refresh_ms=int(services.settings["monitor.refresh_ms"]))
            self._add("rooms", self.tr("直播监控"), rooms)
            self._add("preview", self.tr("多路预览"),
                      WallPane(lambda: services.monitor.providers, services.actions, op.username))
            rooms.preview_requested.connect(self.open_preview)
        if Permission.MODERATE_CHAT in can:
            from console.views.chat import ChatPane

            chat = ChatPane(services.chat, services.moderation, reader=services.chat_reader)
            self._add("chat", self.tr("聊天审核"), chat)
            chat.open_user.connect(self.open_user)
            chat.open_room.connect(self.open_room)
        if Permission.SEND_PUSH in can:
            from console.views.push import PushPane

            self._add("push", self.tr("推送"), PushPane(services.push))
        if Permission.SEND_SMS in can:
            from console.views.sms import SmsPane

            self._add("sms", self.tr("短信群发"), SmsPane(services.sms))
        if Permission.CUT_STREAM in can or Permission.MODERATE_CHAT in can or Permission.SEND_PUSH in can:
            self._add("actions", self.tr("操作队列"), ActionQueuePane(services.actions))
        if Permission.VIEW_AUDIT in can:
            self._add("audit", self.tr("审计日志"), AuditPane(services.audit))
        if Permission.MANAGE_OPERATORS in can:
            from console.views.operators import OperatorsPane

            self._add("operators", self.tr("运营人员管理"), OperatorsPane(services.operators, me=op.username,
                                                                      open_accounts=self.open_accounts))
        lookup_pane: Any = self.panes.get("lookup")
        if lookup_pane is not None:  # a user's own room from the card, in the wall (support has no wall)
            lookup_pane.open_room.connect(self.open_room)
            lookup_pane.card.open_room_btn.setVisible("preview" in self.panes)
        self.stack.removeWidget(self.starting)
        self.starting.deleteLater()
        for i in range(min(9, self.nav.count())):
            act = QAction(self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, i=i: self.nav.setCurrentRow(i))
            self.addAction(act)
            self._pane_actions.append(act)
        self.db_label.setText(self.tr("数据库：") + services.db_label)
        self.op_label.setText(f"{op.display_name} · {op.role}")
        mode = self.tr("实时通知 (LISTEN/NOTIFY)") if services.events.mode == "notify" else self.tr("轮询同步")
        self.set_db_state(self.tr("已连接") + " · " + mode, ok=True)
        self.bridge = ChangeBridge(self)
        self.bridge.changes_arrived.connect(self._on_changes)
        self._unsubscribe = services.events.subscribe(self.bridge.changes_arrived.emit)
        self._mode = mode
        self.bridge.status_changed.connect(self._on_db_status)
        services.events.on_status(self.bridge.status_changed.emit)
        for pane in self.panes.values():
            tasks = getattr(pane, "tasks", None)
            if tasks is not None:
                tasks.failed.connect(self._on_task_failed)
        self._start_guard(services)
        if self.nav.count():
            self.nav.setCurrentRow(0)
        rooms_pane = self.panes.get("rooms")
        if isinstance(rooms_pane, RoomMonitorPane):
            if QSystemTrayIcon.isSystemTrayAvailable():
                self.tray = QSystemTrayIcon(self.windowIcon() or QIcon(), self)
                self.tray.show()
                rooms_pane.tray = self.tray
            rooms_pane.alerted.connect(self._on_alert)
            rooms_pane.start()  # alerts are watched even while another pane is shown

    def _start_guard(self, services: Services) -> None:
        from console.services.auth import AuthService
        from console.services.presence import operator_status
        from console.views.session_lock import SessionGuard

        op = services.operator
        auth = AuthService(services.settings.db_url)
        self.guard = SessionGuard(
            self, op.username, verify=lambda pw: auth.sign_in(op.username, pw),
            status=lambda: operator_status(services.engine, op.username),
            idle_lock_min=float(services.settings["session.idle_lock_min"]))
        self.guard.sign_out_requested.connect(self.sign_out_requested.emit)
        self.guard.start()
        for act in (self.lock_action, self.sign_out_action):
            act.setEnabled(True)

    def open_accounts(self) -> QWidget | None:
        """账号与密钥 (provider accounts and secrets), over the window; returns the dialog."""
        if self.services is None:
            return None
        from console.credentials import KeyringStore
        from console.views.accounts import AccountsDialog

        dialog = AccountsDialog(self.services.settings, self.credentials or KeyringStore(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def lock_now(self) -> None:
        if self.guard is not None:
            self.guard.lock()

    def detach(self, text: str = "") -> None:
        """Back to the state before :meth:`attach`: the panes stop and go, the lock goes, ``text`` shows
        (signing out). The caller then awaits :meth:`settle` and closes the services."""
        self._shutdown_panes()
        self._unsubscribe()
        self._unsubscribe = lambda: None
        if self.guard is not None:
            self.guard.stop()
            self.guard.overlay.deleteLater()
            self.guard.deleteLater()
            self.guard = None
        for w in (self.centralWidget(), self.menuBar()):
            if w is not None:
                w.setEnabled(True)
        for act in (self.lock_action, self.sign_out_action):
            act.setEnabled(False)
        for act in self._pane_actions:
            self.removeAction(act)
            act.deleteLater()
        self._pane_actions.clear()
        if self.tray is not None:
            self.tray.hide()
            self.tray.deleteLater()
            self.tray = None
        bridge = getattr(self, "bridge", None)
        if bridge is not None:
            bridge.deleteLater()
            del self.bridge
        self.nav.blockSignals(True)
        self.nav.clear()
        self.nav.blockSignals(False)
        # the status line first: removing the current pane would show (and start) another one
        self.starting = self._starting_label(text)
        self.stack.addWidget(self.starting)
        self.stack.setCurrentWidget(self.starting)
        for pane in self.panes.values():
            self.stack.removeWidget(pane)
            self._retired.append(pane)  # deleted once their cancelled tasks have finished (settle())
        self.panes.clear()
        self.services = None
        self.setWindowTitle(self.tr("狮吼直播控制台"))
        self.db_label.setText("")
        self.db_state.setText("")
        self.op_label.setText("")
        if text:
            self.statusBar().showMessage(text)

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait for the panes' cancelled tasks to finish (before the services close under them), then
        delete the panes :meth:`detach` took away."""
        pending, self._cancelled = [t for t in self._cancelled if not t.done()], []
        if pending:
            await asyncio.wait(pending, timeout=timeout)
        retired, self._retired = self._retired, []
        for pane in retired:
            pane.deleteLater()

    def _add(self, name: str, title: str, pane: QWidget) -> None:
        self.panes[name] = pane
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, name)
        self.nav.addItem(item)
        self.stack.addWidget(pane)

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)
            pane: Any = self.stack.currentWidget()
            shown = getattr(pane, "on_shown", None)
            if shown is not None:
                shown()

    def open_preview(self, room: Any) -> None:
        """A room (a RoomRef) in the multi-view wall."""
        from console.views.wall import WallPane

        wall = self.panes.get("preview")
        if isinstance(wall, WallPane):
            self.show_pane("preview")
            wall.open_room(room)

    def open_room(self, room_id: int) -> None:
        """Preview a room by its id (from a chat line or a user card): its live row in the room monitor."""
        from console.services.video.playback import room_ref_from_row

        rooms: Any = self.panes.get("rooms")
        row = None
        if rooms is not None:
            row = next((r for r in rooms.model.all.values()
                        if r.room is not None and int(r.room.id) == int(room_id) and r.provider), None)
        if row is None:
            self.statusBar().showMessage(self.tr("该房间当前未开播"), 5000)
            return
        self.open_preview(room_ref_from_row(row))

    def open_user(self, user_id: int) -> None:
        from console.domain import UserId

        lookup: Any = self.panes.get("lookup")
        if lookup is not None:
            self.show_pane("lookup")
            lookup.open_card(UserId(user_id))

    def show_pane(self, name: str) -> QWidget:
        pane = self.panes[name]
        self.nav.setCurrentRow(self.stack.indexOf(pane))
        return pane

    def set_db_state(self, text: str, *, ok: bool) -> None:
        self.db_state.setText(text)
        self.db_state.setStyleSheet("color:#1b7f3b" if ok else "color:#b3261e;font-weight:600")

    def _on_alert(self, text: str) -> None:
        self.statusBar().showMessage(self.tr("新告警：") + text, 10_000)

    def _on_db_status(self, ok: bool, detail: str) -> None:
        if ok:
            self.set_db_state(self.tr("已连接") + " · " + self._mode, ok=True)
        elif detail == EVENTS_INTERRUPTED:  # the PostgreSQL listener lost its connection and reconnects
            self.set_db_state(self.tr("事件中断，重连中"), ok=False)
        else:
            self.set_db_state(self.tr("连接中断") + f": {detail[:120]}", ok=False)

    def _on_task_failed(self, exc: BaseException) -> None:
        if self.guard is not None:
            self.guard.on_failure(exc)
        if isinstance(exc, StorageError):
            self.set_db_state(self.tr("数据库错误") + f": {str(exc)[:120]}", ok=False)

    def _on_changes(self, changes: Changes) -> None:
        if self.guard is not None:
            self.guard.on_changes(changes)
        for pane in self.panes.values():
            handler: Any = getattr(pane, "on_changes", None)
            if handler is not None:
                handler(changes)

    # --- layout kept between runs ---
    def restore_layout(self, s: QSettings) -> None:
        """The window's geometry (before :meth:`attach`: the first frame already has its size)."""
        if s.value("ui_state_version") != str(UI_STATE_VERSION):
            return
        if (v := s.value("window/geometry")) is not None:
            self.restoreGeometry(v)
        if (v := s.value("window/state")) is not None:
            self.restoreState(v)
        if (v := s.value("window/splitter")) is not None:
            self.splitter.restoreState(v)

    def restore_panes(self, s: QSettings) -> None:
        """Each pane's layout and the last pane shown (after :meth:`attach`)."""
        if s.value("ui_state_version") != str(UI_STATE_VERSION):
            return
        for pane in self.panes.values():
            pane.restore_state(s)  # type: ignore[attr-defined]
        last = s.value("window/pane")
        if isinstance(last, str) and last in self.panes:
            self.show_pane(last)

    def save_layout(self, s: QSettings) -> None:
        s.setValue("ui_state_version", str(UI_STATE_VERSION))
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        for pane in self.panes.values():
            pane.save_state(s)  # type: ignore[attr-defined]
        item = self.nav.currentItem()
        if item is not None:
            s.setValue("window/pane", item.data(Qt.ItemDataRole.UserRole))

    def closeEvent(self, e: QCloseEvent) -> None:  # noqa: N802
        self._unsubscribe()
        if self.guard is not None:
            self.guard.stop()
        self._shutdown_panes()
        super().closeEvent(e)

    def _shutdown_panes(self) -> None:
        self.worker_label.detach()
        for pane in self.panes.values():
            shutdown = getattr(pane, "shutdown", None)  # the wall stops libvlc before its windows go away
            if shutdown is not None:
                shutdown()
            if pane is self.panes.get("chat"):
                pane.stop()  # type: ignore[attr-defined]
            for timer in pane.findChildren(QTimer):  # refreshes, debounced counts: nothing starts again
                timer.stop()
            for runner in pane.findChildren(TaskRunner):  # the pane's own and its parts' (cards, dialogs)
                self._cancelled.extend(runner.pending())
                runner.cancel()
