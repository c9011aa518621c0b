"""Sign-in dialog against the operators table."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.errors import SignInRefused
from console.services.auth import Session
from console.views.feedback import describe
from console.views.tasks import TaskRunner


def _human_wait(seconds: float) -> str:
    s = max(1, round(seconds))
    if s < 120:
        return QCoreApplication.translate("login", "%1 秒").replace("%1", str(s))
    return QCoreApplication.translate("login", "%1 分钟").replace("%1", str((s + 59) // 60))


def describe_sign_in(exc: BaseException) -> str:
    """A refused sign-in in words the person can act on: wrong password, a wait, disabled, unreachable."""
    if isinstance(exc, SignInRefused):
        if exc.reason == "disabled":
            return QCoreApplication.translate("login", "此账号已被停用，请联系管理员重新启用")
        if exc.reason == "waiting":
            return QCoreApplication.translate("login", "登录失败次数过多，请在 %1 后重试").replace(
                "%1", _human_wait(exc.wait_s))
        text = QCoreApplication.translate("login", "用户名或密码错误")
        if exc.wait_s > 0:
            text += QCoreApplication.translate("login", "；请在 %1 后再试").replace("%1", _human_wait(exc.wait_s))
        return text
    return describe(exc)


class LoginDialog(QDialog):
    """Calls ``sign_in(user, password)``; accepts with ``self.session`` set on success."""

    def __init__(self, sign_in: Callable[[str, str], Coroutine[Any, Any, Session]], *, db_label: str,
                 username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("登录 — 狮吼直播控制台"))
        self._sign_in = sign_in
        self.session: Session | None = None
        self.tasks = TaskRunner(self)
        lay = QVBoxLayout(self)
        title = QLabel(self.tr("狮吼直播控制台"))
        title.setStyleSheet("font-size:18px;font-weight:600;")
        lay.addWidget(title)
        form = QFormLayout()
        self.user = QLineEdit(username)
        self.user.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("用户名"), self.user)
        form.addRow(self.tr("密码"), self.password)
        lay.addLayout(form)
        self.db = QLabel(self.tr("数据库：") + db_label)
        self.db.setStyleSheet("color:#666")
        lay.addWidget(self.db)
        self.error = QLabel("")
        self.error.setObjectName("loginError")
        self.error.setStyleSheet("color:#b3261e")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("退出"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        (self.password if username else self.user).setFocus(Qt.FocusReason.OtherFocusReason)
        self.tasks.failed.connect(self._failed)

    def submit(self) -> None:
        self.error.setText("")
        self.buttons.setEnabled(False)
        self.tasks.run("sign-in", self._sign_in(self.user.text(), self.password.text()), on_done=self._done)

    def _done(self, session: Session) -> None:
        self.session = session
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(describe_sign_in(exc))
        self.password.selectAll()
        self.password.setFocus()
