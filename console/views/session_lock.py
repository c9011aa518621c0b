"""The window's lock: after ``session.idle_lock_min`` minutes without keyboard or mouse input, or when the
operator is disabled while signed in.

* :class:`IdleWatcher`: an event filter on the QApplication notes the last input; a timer compares.
* :class:`LockOverlay`: a full-window widget over the window's contents (menus, panes and status bar are
  disabled underneath, and open dialogs are hidden). An idle lock opens again with the operator's own
  password (a real sign-in: a wrong one counts like any failed sign-in). A disabled operator's lock does
  not open; they can only sign out.
* :class:`SessionGuard`: ties both to the window and asks the database whether the operator is still
  active when an ``operators`` event names them, when a database call fails, and every 30 s (on PostgreSQL
  the database ends a disabled operator's connections before the event could reach them).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import Changes
from console.errors import ConsoleError
from console.services.presence import OperatorStatus, refused_login
from console.views.login import describe_sign_in
from console.views.operator_dialogs import plain_label
from console.views.operators import operators_changed
from console.views.tasks import TaskRunner

_INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress})
CHECK_EVERY_S = 30.0
log = logging.getLogger(__name__)


class IdleWatcher(QObject):
    """Emits ``idle()`` once after ``limit_s`` seconds without input to the application (0: never)."""

    idle = Signal()

    def __init__(self, limit_s: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.limit_s = limit_s
        self.last_input = time.monotonic()
        self._fired = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._check)
        self._app: QApplication | None = None

    def start(self) -> None:
        if self.limit_s <= 0:
            return
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._app is None:
            self._app = app
            app.installEventFilter(self)
        self.poke()
        self._timer.start(int(max(50, min(5000, self.limit_s * 1000 / 4))))

    def stop(self) -> None:
        self._timer.stop()
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None

    def poke(self) -> None:
        """Input now (also: the watch starts over after an unlock)."""
        self.last_input = time.monotonic()
        self._fired = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _INPUT:
            self.last_input = time.monotonic()
            self._fired = False
        return False

    def _check(self) -> None:
        if not self._fired and time.monotonic() - self.last_input >= self.limit_s:
            self._fired = True
            self.idle.emit()


class LockOverlay(QFrame):
    """Covers its window. Signals: unlock_requested(str): the password typed; sign_out_requested()."""

    unlock_requested = Signal(str)
    sign_out_requested = Signal()

    def __init__(self, window: QMainWindow, username: str) -> None:
        super().__init__(window)
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        self.setStyleSheet("QFrame#lockOverlay{background:#20242b;} QLabel{color:#f2f2f2;}")
        self._window = window
        box = QWidget(self)
        box.setMinimumWidth(380)
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        self.title = plain_label(self.tr("控制台已锁定"))
        self.title.setStyleSheet("font-size:20px;font-weight:600;")
        self.message = plain_label("")
        self.message.setObjectName("lockMessage")
        self.who = plain_label(self.tr("运营人员：") + username)
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("输入密码解锁"))
        self.password.returnPressed.connect(self._submit)
        self.error = plain_label("")
        self.error.setObjectName("lockError")
        self.error.setStyleSheet("color:#ffb4a9;")
        self.unlock_btn = QPushButton(self.tr("解锁"))
        self.unlock_btn.clicked.connect(self._submit)
        self.sign_out_btn = QPushButton(self.tr("退出登录"))
        self.sign_out_btn.clicked.connect(self.sign_out_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_btn)
        buttons.addWidget(self.sign_out_btn)
        buttons.addStretch(1)
        for w in (self.title, self.message, self.who, self.password, self.error):
            inner.addWidget(w)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.can_unlock = True
        window.installEventFilter(self)
        self.hide()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self._window and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self._window.rect())
        return False

    def show_locked(self, message: str, *, can_unlock: bool) -> None:
        self.can_unlock = can_unlock
        self.message.setText(message)
        self.error.setText("")
        self.password.clear()
        self.password.setVisible(can_unlock)
        self.unlock_btn.setVisible(can_unlock)
        self.who.setVisible(can_unlock)
        self.set_waiting(False)
        self.setGeometry(self._window.rect())
        self.show()
        self.raise_()
        (self.password if can_unlock else self.sign_out_btn).setFocus(Qt.FocusReason.OtherFocusReason)

    def set_waiting(self, waiting: bool) -> None:
        self.unlock_btn.setEnabled(not waiting)
        self.password.setEnabled(not waiting)

    def refused(self, text: str) -> None:
        self.set_waiting(False)
        self.error.setText(text)
        self.password.selectAll()
        self.password.setFocus()

    def _submit(self) -> None:
        if self.can_unlock and self.unlock_btn.isEnabled():
            self.error.setText("")
            self.set_waiting(True)
            self.unlock_requested.emit(self.password.text())


class SessionGuard(QObject):
    """The lock of one signed-in window.

    ``verify(password)``: signs the operator in again (raises when refused); ``status()``: whether they are
    still active. Signals: sign_out_requested(); locked_changed(bool)."""

    sign_out_requested = Signal()
    locked_changed = Signal(bool)

    def __init__(self, window: QMainWindow, username: str, *, verify: Callable[[str], Coroutine[Any, Any, Any]],
                 status: Callable[[], Coroutine[Any, Any, OperatorStatus]], idle_lock_min: float,
                 check_every_s: float | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.username = username
        self._verify = verify
        self._status = status
        self.tasks = TaskRunner(self)  # the unlock
        self.tasks.failed.connect(self._unlock_failed)
        self.checks = TaskRunner(self)  # is the operator still active?
        self.overlay = LockOverlay(window, username)
        self.overlay.unlock_requested.connect(self._unlock)
        self.overlay.sign_out_requested.connect(self.sign_out_requested.emit)
        self.idle = IdleWatcher(idle_lock_min * 60, self)
        self.idle.idle.connect(lambda: self.lock(self.tr("超过 %1 分钟没有操作，控制台已锁定。").replace(
            "%1", f"{idle_lock_min:g}")))
        self.disabled = False
        self._hidden: list[QDialog] = []
        self._poll = QTimer(self)
        self._poll.timeout.connect(self.check)
        self._poll.setInterval(int((CHECK_EVERY_S if check_every_s is None else check_every_s) * 1000))

    @property
    def locked(self) -> bool:
        return self.overlay.isVisible()

    def start(self) -> None:
        self.idle.start()
        self._poll.start()

    def stop(self) -> None:
        self.idle.stop()
        self._poll.stop()
        self.tasks.cancel()
        self.checks.cancel()
        self._window.removeEventFilter(self.overlay)

    # --- locking ---
    def lock(self, message: str = "") -> None:
        """Lock (idle, or asked for): the password opens it again."""
        if self.disabled:
            return
        self._cover()
        self.overlay.show_locked(message or self.tr("控制台已锁定。"), can_unlock=True)
        self.locked_changed.emit(True)

    def lock_disabled(self) -> None:
        """The operator was disabled: locked for good (they can only sign out)."""
        if self.disabled:
            return
        self.disabled = True
        self.idle.stop()
        self._poll.stop()
        self._cover()
        for d in self._hidden:  # nothing of the session comes back
            d.reject()
        self._hidden.clear()
        self.overlay.show_locked(self.tr("此账号已被管理员停用。请联系管理员；可以退出登录后换其他运营人员登录。"),
                                 can_unlock=False)
        self.overlay.title.setText(self.tr("此账号已被管理员停用"))
        self.locked_changed.emit(True)

    def _cover(self) -> None:
        for w in (self._window.centralWidget(), self._window.menuBar()):
            if w is not None:
                w.setEnabled(False)
        if not self.locked:
            self._hidden = [d for d in self._window.findChildren(QDialog) if d.isVisible()]
            for d in self._hidden:
                d.hide()

    def _uncover(self) -> None:
        self.overlay.hide()
        for w in (self._window.centralWidget(), self._window.menuBar()):
            if w is not None:
                w.setEnabled(True)
        hidden, self._hidden = self._hidden, []
        for d in hidden:
            d.show()
        self.idle.poke()
        self.locked_changed.emit(False)

    def _unlock(self, password: str) -> None:
        if self.disabled:  # a disabled operator's lock does not open
            return
        if not password:
            self.overlay.refused(self.tr("请输入密码"))
            return
        self.tasks.run("unlock", self._verify(password), on_done=lambda _s: self._uncover(),
                       busy=self.tr("正在验证…"))

    def _unlock_failed(self, exc: BaseException) -> None:
        if refused_login(exc) or getattr(exc, "reason", "") == "disabled":
            self.check()
        self.overlay.refused(describe_sign_in(exc))

    # --- is the operator still active? ---
    def on_changes(self, changes: Changes) -> None:
        if self.username in operators_changed(changes):
            self.check()

    def on_failure(self, exc: BaseException) -> None:
        """A database call of a pane failed: a disabled login shows as a refused connection."""
        if refused_login(exc) or "terminat" in str(exc).lower():
            self.check()

    def check(self) -> None:
        if not self.disabled and not self.checks.running("status"):
            self.checks.run("status", self._probe(), on_done=self._on_status)

    async def _probe(self) -> OperatorStatus | None:
        try:
            return await self._status()
        except ConsoleError as e:  # the database cannot answer now: the next check asks again
            log.info("operator status check: %s", e)
            return None

    def _on_status(self, status: OperatorStatus | None) -> None:
        if status is not None and not status.active:
            self.lock_disabled()


__all__ = ["IdleWatcher", "LockOverlay", "SessionGuard"]
