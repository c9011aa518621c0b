"""Sign-in dialog against the operators table."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.credentials import CredentialStore
from console.errors import ConsoleError
from console.services.auth import Session, fold_name
from console.views.feedback import describe
from console.views.tasks import TaskRunner

log = logging.getLogger(__name__)
#: the keyring entry of a remembered operator password: ``operator-password/<database>#<name>``
REMEMBERED = "operator-password"


def describe_sign_in(exc: BaseException) -> str:
    """A refused sign-in in words the person can act on (wrong password, a wait, disabled, unreachable)."""
    return describe(exc)


class LoginDialog(QDialog):
    """Calls ``sign_in(user, password)``; accepts with ``self.session`` set on success."""

    def __init__(self, sign_in: Callable[[str, str], Coroutine[Any, Any, Session]], *, db_label: str,
                 username: str = "", parent: QWidget | None = None, store: CredentialStore | None = None) -> None:
        """``store``: where "remember me" keeps the password (the OS keyring; None: no such option)."""
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
        self.remember = QCheckBox(self.tr("记住密码（保存在系统钥匙串中）"))
        self.remember.setObjectName("rememberPassword")
        self.remember.setChecked(False)
        self.remember.setVisible(store is not None)
        form.addRow("", self.remember)
        lay.addLayout(form)
        self._store = store
        self._db_label = db_label
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
        if store is not None and username:
            self.tasks.run("remembered", asyncio.to_thread(self._remembered, username), on_done=self._prefill)

    def _account(self, username: str) -> str:
        return f"{self._db_label}#{fold_name(username)}"

    def _remembered(self, username: str) -> str | None:
        """The password kept for this database and name, if the operator asked for it (a worker thread)."""
        assert self._store is not None
        try:
            found = self._store.get(REMEMBERED, self._account(username))
        except ConsoleError as e:  # a locked or missing keyring: the person types the password
            log.info("no remembered password: %s", e)
            return None
        return found.reveal() if found is not None else None

    def _prefill(self, password: str | None) -> None:
        if password and not self.password.text():
            self.password.setText(password)
            self.remember.setChecked(True)

    def _keep(self, username: str, password: str, keep: bool) -> None:
        """Save or forget the password (a worker thread); a keyring that refuses is logged, the sign-in stands."""
        assert self._store is not None
        try:
            if keep:
                self._store.set(REMEMBERED, self._account(username), password)
            else:
                self._store.delete(REMEMBERED, self._account(username))
        except ConsoleError as e:
            log.warning("the password was not %s: %s", "remembered" if keep else "forgotten", e)

    def submit(self) -> None:
        self.error.setText("")
        self.buttons.setEnabled(False)
        self.tasks.run("sign-in", self._sign_in(self.user.text(), self.password.text()), on_done=self._done)

    def _done(self, session: Session) -> None:
        self.session = session
        if self._store is None:
            self.accept()
            return
        self.tasks.run("remember", asyncio.to_thread(self._keep, session.operator.username, self.password.text(),
                                                     self.remember.isChecked()), on_done=lambda _r: self.accept())

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(describe_sign_in(exc))
        self.password.selectAll()
        self.password.setFocus()
