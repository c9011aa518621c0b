"""最近一次审核摘要: a read-only viewer of the last daily moderation digest that was mailed.

The digest comes from the audit log (:func:`console.services.mail.last_digest`); it is shown as plain text in
a :class:`QPlainTextEdit` (never rich text: it holds nicknames, titles and reasons typed by users)::

    dlg = DigestDialog(lambda: last_digest(services.engine), parent=window)
    dlg.open()

Not wired into a menu yet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.errors import ConsoleError
from console.services.mail import StoredDigest
from console.services.mail_queries import CHINA
from console.views.tasks import TaskRunner

__all__ = ["DigestDialog"]


class DigestDialog(QDialog):
    """Shows the last digest; 刷新 reads it again."""

    def __init__(self, load: Callable[[], Awaitable[StoredDigest | None]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digest_dialog")
        self.setWindowTitle(self.tr("最近一次审核摘要"))
        self.resize(760, 620)
        self._load = load
        self._tasks = TaskRunner(self)
        self._tasks.failed.connect(self._failed)
        lay = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setObjectName("digest_header")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setWordWrap(True)
        lay.addWidget(self.header)
        self.text = QPlainTextEdit()
        self.text.setObjectName("digest_text")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        lay.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.refresh_button.setObjectName("digest_refresh")
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.refresh_button.clicked.connect(self.refresh)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.header.setText(self.tr("正在读取…"))
        self._tasks.run("load", self._read(), on_done=self.show_digest)

    async def _read(self) -> StoredDigest | None:
        return await self._load()

    def show_digest(self, digest: StoredDigest | None) -> None:
        if digest is None:
            self.header.setText(self.tr("还没有发送过审核摘要。"))
            self.text.setPlainText("")
            return
        when = digest.sent_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
        self.header.setText(self.tr("%1 · 发送于 %2（北京时间）· 收件人 %3").replace("%1", digest.subject)
                            .replace("%2", when).replace("%3", ", ".join(digest.to) or "-"))
        self.text.setPlainText(digest.text)

    def _failed(self, error: object) -> None:
        msg = error.user_message() if isinstance(error, ConsoleError) else str(error)
        self.header.setText(self.tr("读取失败：%1").replace("%1", msg))
