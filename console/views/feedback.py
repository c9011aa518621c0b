"""Non-modal error surfaces: the message bar at the top of the window, and error wording."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from console.errors import (
    AuthenticationFailed,
    ConsoleError,
    DatabaseUnreachable,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SchemaOutOfDate,
    SignInRefused,
)


def tr(text: str) -> str:
    return QCoreApplication.translate("feedback", text)


def _human_wait(seconds: float) -> str:
    s = max(1, round(seconds))
    if s < 120:
        return QCoreApplication.translate("login", "%1 秒").replace("%1", str(s))
    return QCoreApplication.translate("login", "%1 分钟").replace("%1", str((s + 59) // 60))


def _sign_in_refused(exc: SignInRefused) -> str:
    """A refused sign-in in words the person can act on: wrong password, a wait, disabled."""
    if exc.reason == "disabled":
        return QCoreApplication.translate("login", "此账号已被停用，请联系管理员重新启用")
    if exc.reason == "waiting":
        return QCoreApplication.translate("login", "登录失败次数过多，请在 %1 后重试").replace(
            "%1", _human_wait(exc.wait_s))
    text = QCoreApplication.translate("login", "用户名或密码错误")
    if exc.wait_s > 0:
        text += QCoreApplication.translate("login", "；请在 %1 后再试").replace("%1", _human_wait(exc.wait_s))
    return text


def describe(exc: BaseException) -> str:
    """What a person reads for an error (translated where we know the kind)."""
    if isinstance(exc, InvalidInput):
        if exc.field == "query":
            if "too long" in str(exc):
                return tr("查询内容过长（最多 64 个字符）")
            if "empty" in str(exc):
                return tr("请输入用户 ID、手机号或昵称")
            return tr("无法识别的查询：") + str(exc)
        if exc.field == "note":
            return tr("备注不能为空，且不超过 4000 字") if "empty" in str(exc) or "long" in str(exc) else str(exc)
        if exc.field == "reason":
            return tr("请填写原因")
        return str(exc)
    if isinstance(exc, PermissionDenied):
        return tr("权限不足：当前角色无权执行此操作（已记录审计）") + f" [{exc.permission}]"
    if isinstance(exc, SignInRefused):
        return _sign_in_refused(exc)
    if isinstance(exc, AuthenticationFailed):
        return tr("用户名或密码错误")
    if isinstance(exc, NotFound):
        return tr("未找到：") + str(exc)
    if isinstance(exc, SchemaOutOfDate):
        return tr("数据库版本过旧：") + str(exc)
    if isinstance(exc, DatabaseUnreachable):
        return tr("数据库不可用：") + str(exc)
    if isinstance(exc, ConsoleError):
        return exc.user_message()
    return tr("内部错误（已写入日志）：") + f"{type(exc).__name__}: {exc}"


class MessageBar(QFrame):
    """A levelled, dismissable line; repeats of the same text replace each other."""

    STYLES = {
        "info": "background:#e8f1fb;color:#0b4a8b;border:1px solid #b6d4f2;",
        "warning": "background:#fff6e0;color:#7a5200;border:1px solid #f2d38a;",
        "error": "background:#fdecea;color:#8a1c12;border:1px solid #f0b4ad;",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("✕", self)
        close.setFlat(True)
        close.setFixedWidth(28)
        close.setToolTip(self.tr("关闭"))
        close.clicked.connect(self.hide)
        lay.addWidget(self.label, 1)
        lay.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str, level: str = "info", *, timeout_ms: int = 0) -> None:
        self.setStyleSheet(f"QFrame#messageBar{{{self.STYLES[level]}border-radius:4px;}}")
        self.label.setText(text)
        self.setProperty("level", level)
        self.show()
        if timeout_ms:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    def show_error(self, exc: BaseException) -> None:
        self.show_message(describe(exc), "warning" if isinstance(exc, ConsoleError) else "error")
