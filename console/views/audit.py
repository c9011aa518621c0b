"""Audit pane: every action with actor, role, target, reason, before/after and time.

Filters by actor, target, kind and time; new rows appear live (events from other consoles)
at the top without resetting the model. A row's evidence is shown with it; a cut's frame from the
preview (``evidence["snapshot"]``) is shown as a picture when the file is on this machine and still
matches its recorded sha256 (:func:`~console.views.preview.evidence_pixmap`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import AuditEntry, AuditFilter, Changes
from console.services.audit import AuditService
from console.views.feedback import MessageBar
from console.views.models import RowsTableModel
from console.views.preview import evidence_pixmap
from console.views.tasks import TaskRunner
from console.views.user_lookup import fmt_time

_Index = QModelIndex | QPersistentModelIndex
MAX_ROWS = 20_000


class AuditModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AuditEntry] = []
        self.headers = [self.tr("时间"), self.tr("操作人"), self.tr("角色"), self.tr("类型"), self.tr("对象"),
                        self.tr("原因"), self.tr("结果")]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (fmt_time(e.at), e.actor, e.role, e.kind, e.target, e.reason, e.outcome)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and e.outcome != "ok":
            return QColor("#b3261e")
        return None


    def prepend(self, rows: list[AuditEntry]) -> None:
        """Newer rows on top (``rows`` newest first), without a reset."""
        known = {e.id for e in self.rows[:500]}
        rows = [r for r in rows if r.id not in known]
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
        self.rows[:0] = rows
        self.endInsertRows()
        if len(self.rows) > MAX_ROWS:
            self.beginRemoveRows(QModelIndex(), MAX_ROWS, len(self.rows) - 1)
            del self.rows[MAX_ROWS:]
            self.endRemoveRows()

    def append(self, rows: list[AuditEntry]) -> None:
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()


class AuditPane(QWidget):
    """Signals: loaded(): the first page is shown."""

    loaded = Signal()
    SPANS = (("all", None), ("1h", timedelta(hours=1)), ("24h", timedelta(days=1)), ("7d", timedelta(days=7)),
             ("30d", timedelta(days=30)))

    def __init__(self, audit: AuditService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditPane")
        self._audit = audit
        self.tasks = TaskRunner(self)
        self._stale = False
        lay = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        lay.addWidget(self.message_bar)
        bar = QHBoxLayout()
        self.actor = QLineEdit()
        self.actor.setPlaceholderText(self.tr("操作人"))
        self.target = QLineEdit()
        self.target.setPlaceholderText(self.tr("对象，如 user:10000001"))
        self.kind = QComboBox()
        self.kind.setEditable(True)
        self.kind.setObjectName("auditKind")
        self.kind.setMinimumWidth(150)
        self.kind.addItem("")
        self.span = QComboBox()
        for key, _ in self.SPANS:
            self.span.addItem({"all": self.tr("全部时间"), "1h": self.tr("最近 1 小时"), "24h": self.tr("最近 24 小时"),
                               "7d": self.tr("最近 7 天"), "30d": self.tr("最近 30 天")}[key], key)
        self.apply_btn = QPushButton(self.tr("筛选"))
        self.count = QLabel("")
        for w in (QLabel(self.tr("操作人")), self.actor, QLabel(self.tr("对象")), self.target, QLabel(self.tr("类型")),
                  self.kind, self.span, self.apply_btn, self.count):
            bar.addWidget(w)
        lay.addLayout(bar)
        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setObjectName("auditDetail")
        self.detail.setPlaceholderText(self.tr("选中一行查看变更前后与证据"))
        # the evidence frame (a cut from the preview): picture, then when / which stream
        self.frame = QLabel()
        self.frame.setObjectName("auditFrame")
        self.frame.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.frame.setMinimumSize(240, 135)
        self.frame_caption = QLabel("")
        self.frame_caption.setObjectName("auditFrameCaption")
        self.frame_caption.setWordWrap(True)
        self.frame_caption.setTextFormat(Qt.TextFormat.PlainText)
        self.frame_box = QWidget()
        fl = QVBoxLayout(self.frame_box)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.frame, 1)
        fl.addWidget(self.frame_caption)
        self.frame_box.hide()
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.detail)
        bottom.addWidget(self.frame_box)
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        lay.addWidget(self.splitter, 1)
        for le in (self.actor, self.target):
            le.returnPressed.connect(self.refresh)
        self.apply_btn.clicked.connect(self.refresh)
        self.span.currentIndexChanged.connect(self.refresh)
        self.kind.activated.connect(self.refresh)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.tasks.failed.connect(self.message_bar.show_error)
        vbar = self.table.verticalScrollBar()
        vbar.valueChanged.connect(lambda v: self._load_older() if v >= vbar.maximum() - 5 else None)
        self._kinds_loaded = False

    def current_filter(self) -> AuditFilter:
        span = dict(self.SPANS)[self.span.currentData()]
        return AuditFilter(actor=self.actor.text().strip() or None, target=self.target.text().strip() or None,
                           kind=self.kind.currentText().strip() or None,
                           since=datetime.now(UTC) - span if span else None)

    def on_shown(self) -> None:
        if not self.model.rows:
            self.refresh()

    def refresh(self) -> None:
        self.tasks.cancel("older")
        self.tasks.run("page", self._audit.query(self.current_filter(), limit=500), on_done=self._show_first,
                       busy=self.tr("正在加载审计日志…"))
        if not self._kinds_loaded:
            self.tasks.run("kinds", self._audit.kinds(), on_done=self._set_kinds)

    def _set_kinds(self, kinds: Any) -> None:
        self._kinds_loaded = True
        current = self.kind.currentText()
        self.kind.blockSignals(True)
        self.kind.clear()
        self.kind.addItems(["", *kinds])
        self.kind.setCurrentText(current)
        self.kind.blockSignals(False)

    def _show_first(self, rows: list[AuditEntry]) -> None:
        self.model.replace(rows)
        self.count.setText(self.tr("%1 条").replace("%1", str(len(rows)) + ("+" if len(rows) >= 500 else "")))
        self.table.resizeColumnsToContents()
        self.loaded.emit()

    def _load_older(self) -> None:
        if not self.model.rows or self.tasks.running("older") or self.tasks.running("page"):
            return
        oldest = self.model.rows[-1].id
        self.tasks.run("older", self._audit.query(self.current_filter(), before_id=oldest, limit=500),
                       on_done=self.model.append)

    def on_changes(self, changes: Changes) -> None:
        if not changes.audit:
            return
        if not self.isVisible():
            self._stale = True
            return
        newest = self.model.rows[0].id if self.model.rows else 0
        self.tasks.run("live", self._audit.query(self.current_filter(), after_id=newest, limit=500),
                       on_done=self._on_live)

    def _on_live(self, rows: list[AuditEntry]) -> None:
        self.model.prepend(rows)
        if rows:
            QTimer.singleShot(0, lambda: self.count.setText(self.tr("%1 条").replace("%1", str(self.model.rowCount()))))

    def showEvent(self, e: Any) -> None:  # noqa: N802
        super().showEvent(e)
        if self._stale:
            self._stale = False
            self.on_changes(Changes(audit=True))

    def _show_detail(self, cur: QModelIndex, _prev: QModelIndex) -> None:
        if not cur.isValid():
            self.detail.clear()
            self.show_evidence(None)
            return
        e = self.model.rows[cur.row()]
        parts = [f"#{e.id}  {fmt_time(e.at)}  {e.actor} ({e.role})  {e.kind}  {e.target}  [{e.outcome}]",
                 self.tr("原因：") + e.reason]
        if e.before is not None:
            parts.append(self.tr("变更前：") + json.dumps(e.before, ensure_ascii=False, indent=1))
        if e.after is not None:
            parts.append(self.tr("变更后：") + json.dumps(e.after, ensure_ascii=False, indent=1))
        evidence = getattr(e, "evidence", None)  # AuditEntry.evidence (None on an entry without it)
        if evidence:
            parts.append(self.tr("证据：") + json.dumps(evidence, ensure_ascii=False, indent=1))
        self.detail.setPlainText("\n".join(parts))
        self.show_evidence(evidence if isinstance(evidence, dict) else None)

    def show_evidence(self, evidence: dict[str, Any] | None) -> None:
        """Show the frame ``evidence`` names (a cut from the preview), or hide the frame box."""
        snap = (evidence or {}).get("snapshot")
        if not isinstance(snap, dict):
            self.frame.clear()
            self.frame_box.hide()
            return
        pm = evidence_pixmap(evidence)
        when = str(snap.get("taken_at", ""))
        try:
            when = fmt_time(datetime.fromisoformat(when))
        except ValueError:
            pass
        kind = {"live_frame": self.tr("直播画面"), "still": self.tr("静态截图")}.get(str(snap.get("kind", "")),
                                                                                  self.tr("无画面"))
        caption = f"{kind} · {when}"
        if snap.get("play_url"):
            caption += "\n" + str(snap["play_url"])
        if pm is None:
            self.frame.clear()
            if snap.get("path"):
                self.frame.setText(self.tr("截图不在本机，或文件与记录的 sha256 不符"))
            else:
                self.frame.setText(self.tr("没有截图：") + str(snap.get("error", "")))
        else:
            self.frame.setPixmap(pm)
        self.frame_caption.setText(caption)
        self.frame_box.show()

    def save_state(self, s: QSettings) -> None:
        s.setValue("audit/header", self.table.horizontalHeader().saveState())
        s.setValue("audit/splitter", self.splitter.saveState())

    def restore_state(self, s: QSettings) -> None:
        if (v := s.value("audit/header")) is not None:
            self.table.horizontalHeader().restoreState(v)
        if (v := s.value("audit/splitter")) is not None:
            self.splitter.restoreState(v)
