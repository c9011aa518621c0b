"""The operators pane's dialogs: create an operator, confirm a change with a reason, show a temporary
password once, and set one's own new password after a temporary one.

Each dialog runs its change itself (``run`` returns a coroutine) and stays open with the refusal in its
own words when the change is refused; it accepts only when the change is done. Enter confirms, Esc cancels.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import Role, check_name, check_password
from console.errors import ConsoleError, InvalidInput
from console.passwords import generate_password
from console.views.feedback import describe
from console.views.tasks import TaskRunner


def _tr(text: str) -> str:
    return QCoreApplication.translate("operators", text)


def role_title(role: Role | str) -> str:
    return {Role.ADMIN: _tr("管理员"), Role.SUPPORT: _tr("客服"), Role.MODERATOR: _tr("审核员"),
            Role.OPERATOR: _tr("运营")}.get(Role(str(role)), str(role))


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that never interprets what it shows (operator names, display names, server messages)."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def error_label() -> QLabel:
    label = plain_label()
    label.setObjectName("dialogError")
    label.setStyleSheet("color:#b3261e")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def role_combo(current: Role | None = None) -> QComboBox:
    box = QComboBox()
    box.setObjectName("role")
    for r in (Role.SUPPORT, Role.MODERATOR, Role.OPERATOR, Role.ADMIN):
        box.addItem(f"{role_title(r)} ({r.value})", r.value)
    if current is not None:
        box.setCurrentIndex(box.findData(str(current)))
    return box


class _RunningDialog(QDialog):
    """OK runs ``self._start()``'s coroutine; refused: the message stays in the dialog; done: accept."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.tasks = TaskRunner(self)
        self.tasks.failed.connect(self._failed)
        self.tasks.busy_changed.connect(self._busy)
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.result_value: Any = None

    def _coroutine(self) -> Coroutine[Any, Any, Any]:
        raise NotImplementedError

    def submit(self) -> None:
        if self.tasks.running("run"):
            return
        self.error.setText("")
        try:
            coro = self._coroutine()
        except InvalidInput as e:
            self.error.setText(describe_field(e))
            return
        self.ok.setEnabled(False)
        self.tasks.run("run", coro, on_done=self._done, busy=self.tr("正在保存…"))

    def _done(self, value: Any) -> None:
        self.result_value = value
        self.ok.setEnabled(True)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.error.setText(describe_field(exc) if isinstance(exc, ConsoleError) else describe(exc))

    def _busy(self, busy: bool, text: str) -> None:
        self.error.setStyleSheet("color:#666" if busy else "color:#b3261e")
        if busy:
            self.error.setText(text)

    def reject(self) -> None:
        self.tasks.cancel()
        super().reject()


def describe_field(exc: BaseException) -> str:
    """The dialogs' wording for refused input (the field first, as the person typed it)."""
    if isinstance(exc, InvalidInput):
        field = {"username": _tr("用户名"), "password": _tr("密码"), "role": _tr("角色"), "active": _tr("状态"),
                 "reason": _tr("原因"), "operator": _tr("运营人员")}.get(exc.field, exc.field)
        return f"{field}：{str(exc).split(': ', 1)[-1]}"
    return describe(exc)


def _required_reason(edit: QLineEdit) -> str:
    reason = edit.text().strip()
    if not reason:
        raise InvalidInput("reason", "a reason is required (it goes to the audit log)")
    return reason


class CreateOperatorDialog(_RunningDialog):
    """Name, display name, role, a temporary password typed twice (or generated), and a reason.

    ``run(name, role, display, password, reason)``; ``generated`` tells whether the password was
    generated (the pane then shows it once)."""

    def __init__(self, run: Callable[[str, Role, str, str, str], Coroutine[Any, Any, Any]],
                 parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("operators", "新建运营人员"), parent)
        self.setObjectName("createOperatorDialog")
        self._run = run
        self.generated = False
        self.name = QLineEdit()
        self.name.setObjectName("username")
        self.name.setMaxLength(80)
        self.name.setPlaceholderText(self.tr("小写字母开头，如 zhang.san"))
        self.display = QLineEdit()
        self.display.setObjectName("displayName")
        self.display.setMaxLength(64)
        self.role = role_combo(Role.SUPPORT)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("passwordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.generate_btn = QPushButton(self.tr("生成临时密码 (Alt+G)"))
        self.generate_btn.setShortcut("Alt+G")
        self.generate_btn.setAutoDefault(False)
        self.generate_btn.clicked.connect(self.generate)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(self.tr("写入审计日志，例如：新入职审核员"))
        pw_row = QHBoxLayout()
        pw_row.addWidget(self.password, 1)
        pw_row.addWidget(self.generate_btn)
        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.name)
        form.addRow(self.tr("显示名"), self.display)
        form.addRow(self.tr("角色"), self.role)
        form.addRow(self.tr("临时密码"), pw_row)
        form.addRow(self.tr("再次输入"), self.again)
        form.addRow(self.tr("原因"), self.reason)
        hint = plain_label(self.tr("对方首次登录时必须修改这个临时密码。"))
        hint.setStyleSheet("color:#666")
        self.ok.setText(self.tr("创建"))
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(hint)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.password.textEdited.connect(self._typed)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def generate(self) -> None:
        pw = generate_password()
        for edit in (self.password, self.again):
            edit.setText(pw)
            edit.setEchoMode(QLineEdit.EchoMode.Normal)
        self.generated = True
        self.reason.setFocus()

    def _typed(self, _text: str) -> None:
        if self.generated:  # typed over a generated one: hidden again, and typed twice
            self.generated = False
            self.again.clear()
            for edit in (self.password, self.again):
                edit.setEchoMode(QLineEdit.EchoMode.Password)

    def _coroutine(self) -> Coroutine[Any, Any, Any]:
        name = check_name(self.name.text())
        password = check_password(self.password.text())
        if self.again.text() != password:
            raise InvalidInput("password", "the two passwords differ")
        reason = _required_reason(self.reason)
        return self._run(name, Role(self.role.currentData()), self.display.text().strip(), password, reason)


class ConfirmDialog(_RunningDialog):
    """A change to one operator, with a reason (and a role to choose when ``role`` is given).
    ``run(role_or_None, reason)``."""

    def __init__(self, title: str, text: str, run: Callable[[Role | None, str], Coroutine[Any, Any, Any]], *,
                 confirm: str, role: Role | None = None, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName("confirmOperatorDialog")
        self._run = run
        self.text = plain_label(text)
        self.text.setObjectName("confirmText")
        self.role: QComboBox | None = role_combo(role) if role is not None else None
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(self.tr("写入审计日志"))
        form = QFormLayout()
        if self.role is not None:
            form.addRow(self.tr("新角色"), self.role)
        form.addRow(self.tr("原因"), self.reason)
        self.ok.setText(confirm)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        (self.role if self.role is not None else self.reason).setFocus(Qt.FocusReason.OtherFocusReason)

    def _coroutine(self) -> Coroutine[Any, Any, Any]:
        reason = _required_reason(self.reason)
        role = Role(self.role.currentData()) if self.role is not None else None
        return self._run(role, reason)


class TemporaryPasswordDialog(QDialog):
    """A temporary password, shown once, in plain text the admin can select and copy."""

    def __init__(self, username: str, password: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("temporaryPasswordDialog")
        self.setWindowTitle(self.tr("临时密码"))
        lay = QVBoxLayout(self)
        head = plain_label(self.tr("%1 的临时密码（只显示这一次）：").replace("%1", username))
        self.password = QLineEdit(password)
        self.password.setObjectName("temporaryPassword")
        self.password.setReadOnly(True)
        self.password.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.password.setMinimumWidth(320)
        self.password.selectAll()
        note = plain_label(self.tr("请当面或通过安全渠道交给对方；对方首次登录时必须修改。关闭后无法再次查看。"))
        note.setStyleSheet("color:#666")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        copy = buttons.addButton(self.tr("复制"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(password))
        buttons.rejected.connect(self.accept)
        buttons.accepted.connect(self.accept)
        lay.addWidget(head)
        lay.addWidget(self.password)
        lay.addWidget(note)
        lay.addWidget(buttons)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)


class NewPasswordDialog(_RunningDialog):
    """After a sign-in with a temporary password: a new one, typed twice. ``run(password)``."""

    def __init__(self, username: str, run: Callable[[str], Coroutine[Any, Any, Any]],
                 parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("operators", "设置新密码"), parent)
        self.setObjectName("newPasswordDialog")
        self._run = run
        text = plain_label(self.tr("%1 使用的是临时密码，请先设置自己的新密码。").replace("%1", username))
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("passwordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("新密码"), self.password)
        form.addRow(self.tr("再次输入"), self.again)
        self.ok.setText(self.tr("设置"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("退出"))
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _coroutine(self) -> Coroutine[Any, Any, Any]:
        password = check_password(self.password.text())
        if self.again.text() != password:
            raise InvalidInput("password", "the two passwords differ")
        return self._run(password)
