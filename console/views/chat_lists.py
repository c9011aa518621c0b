"""The chat pane's lists and settings (one dialog, one tab each):

* 禁言/封禁 — gagged and blocked users of a room, or every room plus the global and app-wide ones,
  with their expiry; lift the selected ones.
* 白名单/全员禁言 — a room's member whitelist (who may still speak when the room is muted) and the mute.
* 敏感词 — the sensitive-word list (block and replace words, session-only ones from lockdowns); add,
  delete, CSV import (every bad row reported with its line number before anything is sent) and export.
* 系统消息 — a custom system message (objectName not starting with ``RC:``) to one room or a group.
* 封锁预案 — a lockdown preset applied to a group of rooms, reverting on its schedule (or now).

Every change goes through :class:`~console.services.chat.moderation.ChatModeration` with the reason
chosen at the bottom of the dialog (presets or free text). File reads and writes run in a worker
thread; nothing here blocks the UI thread.
"""

from __future__ import annotations

import asyncio
import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain import ActionRecord, Changes
from console.errors import InvalidInput
from console.services.chat.feed import ChatRoomInfo, ChatSanction, ChatService, LockdownPreset, SensitiveWord
from console.services.chat.moderation import BulkResult, ChatModeration
from console.views.feedback import MessageBar
from console.views.models import RowsTableModel
from console.views.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex

#: RongCloud's limits (providers.md §1.5/§1.6)
MAX_WORD = 32
MAX_OBJECT_NAME = 32
MAX_SYSTEM_TEXT = 128 * 1024
MAX_CSV_BYTES = 2 * 1024 * 1024
DEFAULT_OBJECT_NAME = "SH:SysMsg"

LIST_REASONS = ("名单维护", "误判解除", "处罚到期前解除", "赛事保护", "活动公告", "突发事件封锁", "其他")


def fmt_time(dt: datetime | None, never: str = "—") -> str:
    return dt.astimezone().strftime("%Y-%m-%d %H:%M") if dt is not None else never


# --- CSV ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CsvImport:
    """What a word CSV holds: the good words and every bad row as (line number, problem)."""

    words: tuple[SensitiveWord, ...]
    errors: tuple[tuple[int, str], ...]

    def error_text(self, limit: int = 20) -> str:
        lines = [f"第 {n} 行：{msg}" for n, msg in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"……另有 {len(self.errors) - limit} 行有误")
        return "\n".join(lines)


_HEADER_WORDS = {"word", "词", "敏感词"}


def _problem(value: str, what: str) -> str | None:
    if len(value) > MAX_WORD:
        return f"{what}超过 {MAX_WORD} 个字符（{len(value)}）"
    if any(unicodedata.category(c)[0] == "C" for c in value):
        return f"{what}含控制字符"
    return None


def read_words_csv(data: bytes | str) -> CsvImport:
    """Parse ``word[,replace]`` rows (an optional header ``word,replace``; UTF-8 with or without BOM,
    or GB18030 as Excel writes it on Chinese Windows). Nothing is thrown away silently: a row with an
    empty or over-long word, a control character, too many columns or a duplicate is reported with
    its line number (the physical line where the row ends)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
    else:
        text = data.lstrip("\ufeff")
    words: dict[str, SensitiveWord] = {}
    where: dict[str, int] = {}
    errors: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    first = True
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            errors.append((reader.line_num, f"CSV 格式错误：{e}"))
            break
        n = reader.line_num
        if not row or not any(c.strip() for c in row):
            continue
        if first and row[0].strip().lower() in _HEADER_WORDS:
            first = False
            continue
        first = False
        if len(row) > 2:
            errors.append((n, f"应为“词,替换词”两列，实际 {len(row)} 列"))
            continue
        word = row[0].strip()
        rep = row[1].strip() if len(row) > 1 else ""
        if not word:
            errors.append((n, "敏感词为空"))
            continue
        p = _problem(word, "敏感词") or (_problem(rep, "替换词") if rep else None)
        if p:
            errors.append((n, p))
            continue
        if word in words:
            errors.append((n, f"与第 {where[word]} 行重复：{word}"))
            continue
        words[word] = SensitiveWord(word=word, replace=rep or None)
        where[word] = n
    return CsvImport(words=tuple(words.values()), errors=tuple(errors))


def words_csv(words: Iterable[SensitiveWord]) -> str:
    """``word,replace`` with a header (empty replace = block word); read back by :func:`read_words_csv`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(("word", "replace"))
    for x in words:
        w.writerow((x.word, x.replace or ""))
    return buf.getvalue()


def _read_file(path: str) -> bytes:
    p = Path(path)
    if p.stat().st_size > MAX_CSV_BYTES:
        raise InvalidInput("csv", f"file larger than {MAX_CSV_BYTES // 1024 // 1024} MB")
    return p.read_bytes()


def _write_file(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8-sig", newline="")   # BOM: Excel opens it as UTF-8


# --- small table models ---------------------------------------------------------------------------

class SanctionModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ChatSanction] = []
        self.headers = [self.tr("用户"), self.tr("类型"), self.tr("范围"), self.tr("房间"), self.tr("原因"),
                        self.tr("执行人"), self.tr("开始"), self.tr("到期")]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        s = self.rows[index.row()]
        kind = {"gag": self.tr("禁言"), "block": self.tr("封禁"), "ban": self.tr("全站封禁")}.get(s.kind, s.kind)
        scope = {"room": self.tr("房间"), "global": self.tr("全局"), "app": self.tr("全站")}.get(s.scope, s.scope)
        return (s.user_id, kind, scope, s.room_key or "", s.reason, s.issued_by, fmt_time(s.starts_at),
                fmt_time(s.ends_at, self.tr("永久")))[index.column()]

    def set_rows(self, rows: Sequence[ChatSanction]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


class WordModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SensitiveWord] = []
        self.headers = [self.tr("敏感词"), self.tr("类型"), self.tr("替换为"), self.tr("来源"), self.tr("到期"),
                        self.tr("添加人")]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        w = self.rows[index.row()]
        return (w.word, self.tr("拦截") if w.replace is None else self.tr("替换"), w.replace or "",
                self.tr("封锁预案（本场）") if w.session_only else self.tr("常驻"), fmt_time(w.expires_at),
                w.created_by)[index.column()]

    def set_rows(self, rows: Sequence[SensitiveWord]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


def _table(model: RowsTableModel) -> QTableView:
    v = QTableView()
    v.setModel(model)
    v.verticalHeader().hide()
    v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    v.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    v.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    v.setWordWrap(False)
    v.horizontalHeader().setStretchLastSection(True)
    return v


def _room_checklist(rooms: Sequence[ChatRoomInfo], checked: str | None) -> QListWidget:
    w = QListWidget()
    for r in rooms:
        item = QListWidgetItem(f"{r.room_key}  {r.title}")
        item.setData(Qt.ItemDataRole.UserRole, r.room_key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if r.room_key == checked else Qt.CheckState.Unchecked)
        w.addItem(item)
    return w


def _checked(w: QListWidget) -> list[str]:
    return [str(w.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(w.count())
            if w.item(i).checkState() == Qt.CheckState.Checked]


def _describe_outcome(out: ActionRecord | BulkResult) -> tuple[str, str]:
    """(text, level) for the message bar."""
    if isinstance(out, BulkResult):
        if out.ok:
            return f"已完成：{len(out.records)} 项", "info"
        failed = sum(1 for r in out.not_done if r.state == "failed")
        return (f"部分完成：{len(out.done)}/{len(out.records)}，{len(out.not_done) - failed} 项排队重试，"
                f"{failed} 项失败（见操作队列）", "warning")
    if out.state == "done":
        return f"已完成：{out.kind} {out.target}", "info"
    if out.state == "pending":
        return "已排队，将自动重试：" + (out.last_error or ""), "warning"
    return "操作失败：" + (out.last_error or ""), "error"


# --- the dialog -------------------------------------------------------------------------------------

class ChatListsDialog(QDialog):
    """Signals: loaded() the current tab's data is shown; acted(object) an action finished
    (its ActionRecord or BulkResult)."""

    loaded = Signal()
    acted = Signal(object)

    def __init__(self, chat: ChatService, moderation: ChatModeration, *, rooms: Sequence[ChatRoomInfo],
                 room_key: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatListsDialog")
        self.setWindowTitle(self.tr("聊天名单与设置"))
        self.resize(900, 620)
        self._chat = chat
        self._mod = moderation
        self.rooms = list(rooms)
        self.room_key = room_key
        self.tasks = TaskRunner(self)
        self.presets: list[LockdownPreset] = []
        self.lockdowns: list[tuple[ActionRecord, str]] = []   # started from here: (record, label)
        self.last_import: CsvImport | None = None

        lay = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        lay.addWidget(self.message_bar)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("chatListTabs")
        lay.addWidget(self.tabs, 1)
        self._build_sanctions()
        self._build_whitelist()
        self._build_words()
        self._build_system()
        self._build_lockdown()

        reason_row = QHBoxLayout()
        reason_row.addWidget(QLabel(self.tr("原因（必填）")))
        self.reason = QComboBox()
        self.reason.setObjectName("chatListReason")
        self.reason.setEditable(True)
        self.reason.addItems([self.tr(r) for r in LIST_REASONS])
        reason_row.addWidget(self.reason, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        reason_row.addWidget(close)
        lay.addLayout(reason_row)

        self.tasks.failed.connect(self.message_bar.show_error)
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        self.refresh()

    # --- shared ---
    def _reason(self) -> str | None:
        r = self.reason.currentText().strip()
        if not r:
            self.message_bar.show_message(self.tr("请填写原因"), "warning", timeout_ms=4000)
            return None
        return r

    def _room_combo(self, *, with_all: bool) -> QComboBox:
        box = QComboBox()
        if with_all:
            box.addItem(self.tr("全部（含全局禁言与全站封禁）"), None)
        for r in self.rooms:
            box.addItem(f"{r.room_key}  {r.title}", r.room_key)
        i = box.findData(self.room_key)
        if i >= 0:
            box.setCurrentIndex(i)
        return box

    def _run_action(self, name: str, coro: Any, *, then: Any = None) -> None:
        def done(out: ActionRecord | BulkResult) -> None:
            text, level = _describe_outcome(out)
            self.message_bar.show_message(text, level, timeout_ms=6000 if level == "info" else 0)
            self.acted.emit(out)
            if then is not None:
                then(out)
            self.refresh()

        self.tasks.run(f"act:{name}", coro, on_done=done, busy=self.tr("正在执行…"))

    def refresh(self) -> None:
        w = self.tabs.currentWidget()
        if w is self.sanction_tab:
            self.tasks.run("sanctions", self._chat.sanctions(self.sanction_room.currentData()),
                           on_done=self._show_sanctions)
        elif w is self.whitelist_tab:
            key = self.white_room.currentData()
            if key:
                self.tasks.run("room", self._chat.room(key), on_done=self._show_room)
        elif w is self.words_tab:
            self.tasks.run("words", self._chat.words(), on_done=self._show_words)
        elif w is self.lockdown_tab:
            self.tasks.run("presets", self._chat.presets(), on_done=self._show_presets)
        else:
            self.loaded.emit()

    def on_changes(self, changes: Changes) -> None:
        if changes.actions or changes.has("chat_rules") or changes.has("chat_rooms"):
            self.refresh()

    # --- gagged / blocked ---
    def _build_sanctions(self) -> None:
        self.sanction_tab = QWidget()
        v = QVBoxLayout(self.sanction_tab)
        top = QHBoxLayout()
        self.sanction_room = self._room_combo(with_all=True)
        self.sanction_room.setObjectName("sanctionRoom")
        top.addWidget(QLabel(self.tr("范围")))
        top.addWidget(self.sanction_room, 1)
        self.lift_btn = QPushButton(self.tr("解除所选"))
        self.lift_btn.setObjectName("liftSanctions")
        top.addWidget(self.lift_btn)
        v.addLayout(top)
        self.sanction_model = SanctionModel(self)
        self.sanction_view = _table(self.sanction_model)
        self.sanction_view.setObjectName("sanctionTable")
        v.addWidget(self.sanction_view, 1)
        self.tabs.addTab(self.sanction_tab, self.tr("禁言 / 封禁"))
        self.sanction_room.currentIndexChanged.connect(lambda _i: self.refresh())
        self.lift_btn.clicked.connect(self.lift_selected)

    def _show_sanctions(self, rows: list[ChatSanction]) -> None:
        self.sanction_model.set_rows(rows)
        self.sanction_view.resizeColumnsToContents()
        self.loaded.emit()

    def selected_sanctions(self) -> list[ChatSanction]:
        rows = sorted({i.row() for i in self.sanction_view.selectionModel().selectedRows()})
        return [self.sanction_model.rows[r] for r in rows]

    def lift_selected(self) -> None:
        chosen = self.selected_sanctions()
        reason = self._reason()
        if not chosen or reason is None:
            return

        async def lift() -> BulkResult:
            groups: dict[tuple[str, str, str | None], list[str]] = {}
            for s in chosen:
                groups.setdefault((s.kind, s.scope, s.room_key), []).append(s.user_id)
            records: list[ActionRecord] = []
            batch = ""
            for (kind, scope, room), users in groups.items():
                if scope == "app" or kind == "ban":
                    res = await self._mod.app_unblock(users, reason=reason)
                elif scope == "global":
                    res = await self._mod.global_ungag(users, reason=reason)
                elif kind == "block":
                    res = await self._mod.unblock(room or "", users, reason=reason)
                else:
                    res = await self._mod.ungag(room or "", users, reason=reason)
                records.extend(res.records)
                batch = batch or res.batch
            return BulkResult(batch=batch, records=tuple(records))

        self._run_action("lift", lift())

    # --- whitelist and room mute ---
    def _build_whitelist(self) -> None:
        self.whitelist_tab = QWidget()
        v = QVBoxLayout(self.whitelist_tab)
        top = QHBoxLayout()
        self.white_room = self._room_combo(with_all=False)
        self.white_room.setObjectName("whitelistRoom")
        top.addWidget(QLabel(self.tr("房间")))
        top.addWidget(self.white_room, 1)
        self.mute_state = QLabel("")
        self.mute_btn = QPushButton(self.tr("全员禁言"))
        self.mute_btn.setObjectName("muteRoom")
        top.addWidget(self.mute_state)
        top.addWidget(self.mute_btn)
        v.addLayout(top)
        self.white_list = QListWidget()
        self.white_list.setObjectName("whitelist")
        self.white_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        v.addWidget(QLabel(self.tr("白名单（全员禁言时仍可发言）")))
        v.addWidget(self.white_list, 1)
        row = QHBoxLayout()
        self.white_edit = QLineEdit()
        self.white_edit.setObjectName("whitelistUser")
        self.white_edit.setPlaceholderText(self.tr("用户 ID（多个用空格或逗号分隔，每次最多 5 个）"))
        self.white_add = QPushButton(self.tr("加入白名单"))
        self.white_remove = QPushButton(self.tr("移出所选"))
        row.addWidget(self.white_edit, 1)
        row.addWidget(self.white_add)
        row.addWidget(self.white_remove)
        v.addLayout(row)
        self.tabs.addTab(self.whitelist_tab, self.tr("白名单 / 全员禁言"))
        self.white_room.currentIndexChanged.connect(lambda _i: self.refresh())
        self.white_add.clicked.connect(self.add_whitelist)
        self.white_remove.clicked.connect(self.remove_whitelist)
        self.mute_btn.clicked.connect(self.toggle_mute)
        self._room_info: ChatRoomInfo | None = None

    def _show_room(self, info: ChatRoomInfo) -> None:
        self._room_info = info
        self.white_list.clear()
        self.white_list.addItems(list(info.whitelist))
        self.mute_state.setText(self.tr("已全员禁言") if info.muted else self.tr("未禁言"))
        self.mute_state.setStyleSheet("color:#b3261e;font-weight:600" if info.muted else "")
        self.mute_btn.setText(self.tr("解除全员禁言") if info.muted else self.tr("全员禁言"))
        self.loaded.emit()

    def add_whitelist(self) -> None:
        key = self.white_room.currentData()
        users = [u for u in self.white_edit.text().replace(",", " ").replace("，", " ").split() if u]
        reason = self._reason()
        if not key or not users or reason is None:
            return
        if len(users) > 5:
            self.message_bar.show_message(self.tr("每次最多 5 个用户（融云限制）"), "warning", timeout_ms=4000)
            return
        self._run_action("whitelist", self._mod.whitelist_add(key, users, reason=reason),
                         then=lambda _o: self.white_edit.clear())

    def remove_whitelist(self) -> None:
        key = self.white_room.currentData()
        users = [i.text() for i in self.white_list.selectedItems()]
        reason = self._reason()
        if not key or not users or reason is None:
            return
        self._run_action("whitelist", self._mod.whitelist_remove(key, users, reason=reason))

    def toggle_mute(self) -> None:
        key = self.white_room.currentData()
        reason = self._reason()
        if not key or reason is None or self._room_info is None:
            return
        coro = (self._mod.unmute_room(key, reason=reason) if self._room_info.muted
                else self._mod.mute_room(key, reason=reason))
        self._run_action("mute", coro)

    # --- sensitive words ---
    def _build_words(self) -> None:
        self.words_tab = QWidget()
        v = QVBoxLayout(self.words_tab)
        self.word_model = WordModel(self)
        self.word_view = _table(self.word_model)
        self.word_view.setObjectName("wordTable")
        v.addWidget(self.word_view, 1)
        row = QHBoxLayout()
        self.word_edit = QLineEdit()
        self.word_edit.setObjectName("wordEdit")
        self.word_edit.setPlaceholderText(self.tr("敏感词（≤32 字）"))
        self.word_edit.setMaxLength(MAX_WORD)
        self.replace_edit = QLineEdit()
        self.replace_edit.setPlaceholderText(self.tr("替换为（留空 = 拦截整条消息）"))
        self.replace_edit.setMaxLength(MAX_WORD)
        add = QPushButton(self.tr("添加"))
        delete = QPushButton(self.tr("删除所选"))
        imp = QPushButton(self.tr("导入 CSV…"))
        imp.setObjectName("importWords")
        exp = QPushButton(self.tr("导出 CSV…"))
        exp.setObjectName("exportWords")
        for w, s in ((self.word_edit, 2), (self.replace_edit, 2), (add, 0), (delete, 0), (imp, 0), (exp, 0)):
            row.addWidget(w, s)
        v.addLayout(row)
        self.import_report = QPlainTextEdit()
        self.import_report.setObjectName("importReport")
        self.import_report.setReadOnly(True)
        self.import_report.setMaximumHeight(110)
        self.import_report.hide()
        self.import_confirm = QPushButton("")
        self.import_confirm.setObjectName("importConfirm")
        self.import_confirm.hide()
        v.addWidget(self.import_report)
        v.addWidget(self.import_confirm)
        self.tabs.addTab(self.words_tab, self.tr("敏感词"))
        add.clicked.connect(self.add_word)
        delete.clicked.connect(self.delete_selected_words)
        imp.clicked.connect(self._choose_import)
        exp.clicked.connect(self._choose_export)
        self.import_confirm.clicked.connect(self.confirm_import)

    def _show_words(self, words: list[SensitiveWord]) -> None:
        self.word_model.set_rows(words)
        self.word_view.resizeColumnsToContents()
        self.loaded.emit()

    def add_word(self) -> None:
        word = self.word_edit.text().strip()
        rep = self.replace_edit.text().strip() or None
        reason = self._reason()
        if not word or reason is None:
            return
        parsed = read_words_csv(words_csv([SensitiveWord(word=word, replace=rep)]))
        if parsed.errors:
            self.message_bar.show_message(parsed.errors[0][1], "warning", timeout_ms=5000)
            return
        def cleared(_o: object) -> None:
            self.word_edit.clear()
            self.replace_edit.clear()

        self._run_action("words", self._mod.add_words(list(parsed.words), reason=reason), then=cleared)

    def delete_selected_words(self) -> None:
        rows = sorted({i.row() for i in self.word_view.selectionModel().selectedRows()})
        words = [self.word_model.rows[r].word for r in rows]
        reason = self._reason()
        if not words or reason is None:
            return
        self._run_action("words", self._mod.delete_words(words, reason=reason))

    def _choose_import(self) -> None:
        dlg = QFileDialog(self, self.tr("导入敏感词 CSV"), "", self.tr("CSV 文件 (*.csv *.txt)"))
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.fileSelected.connect(self.import_csv)
        dlg.open()

    def import_csv(self, path: str) -> None:
        """Read and check the file in a worker thread; show every bad row; send nothing yet."""
        async def read() -> CsvImport:
            return read_words_csv(await asyncio.to_thread(_read_file, path))

        self.tasks.run("import", read(), on_done=self.show_import)

    def show_import(self, result: CsvImport) -> None:
        self.last_import = result
        head = self.tr("有效 %1 个词，%2 行有误").replace("%1", str(len(result.words))).replace(
            "%2", str(len(result.errors)))
        self.import_report.setPlainText(head + ("\n" + result.error_text() if result.errors else ""))
        self.import_report.show()
        if result.words:
            label = self.tr("导入 %1 个有效词").replace("%1", str(len(result.words)))
            if result.errors:
                label += self.tr("（跳过有误的 %1 行）").replace("%1", str(len(result.errors)))
            self.import_confirm.setText(label)
            self.import_confirm.show()
        else:
            self.import_confirm.hide()
        self.loaded.emit()

    def confirm_import(self) -> None:
        result = self.last_import
        reason = self._reason()
        if result is None or not result.words or reason is None:
            return
        self.import_confirm.hide()
        self._run_action("words-import", self._mod.add_words(list(result.words), reason=reason),
                         then=lambda _o: self.import_report.hide())

    def _choose_export(self) -> None:
        dlg = QFileDialog(self, self.tr("导出敏感词 CSV"), "words.csv", self.tr("CSV 文件 (*.csv)"))
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.fileSelected.connect(self.export_csv)
        dlg.open()

    def export_csv(self, path: str) -> None:
        async def write() -> int:
            words = await self._chat.words()
            await asyncio.to_thread(_write_file, path, words_csv(words))
            return len(words)

        self.tasks.run("export", write(), on_done=lambda n: self.message_bar.show_message(
            self.tr("已导出 %1 个词到 ").replace("%1", str(n)) + path, "info", timeout_ms=6000))

    # --- system message ---
    def _build_system(self) -> None:
        self.system_tab = QWidget()
        v = QVBoxLayout(self.system_tab)
        self.system_rooms = _room_checklist(self.rooms, self.room_key)
        self.system_rooms.setObjectName("systemRooms")
        pick = QHBoxLayout()
        all_btn = QPushButton(self.tr("全选"))
        none_btn = QPushButton(self.tr("全不选"))
        pick.addWidget(QLabel(self.tr("发送到（可多选）")))
        pick.addStretch(1)
        pick.addWidget(all_btn)
        pick.addWidget(none_btn)
        v.addLayout(pick)
        v.addWidget(self.system_rooms, 1)
        form = QFormLayout()
        self.object_name = QLineEdit(DEFAULT_OBJECT_NAME)
        self.object_name.setObjectName("systemObjectName")
        self.object_name.setMaxLength(MAX_OBJECT_NAME)
        self.system_text = QPlainTextEdit()
        self.system_text.setObjectName("systemText")
        self.system_text.setPlaceholderText(self.tr("系统消息内容（纯文本）"))
        self.system_text.setMaximumHeight(120)
        form.addRow(self.tr("消息类型 objectName"), self.object_name)
        form.addRow(self.tr("内容"), self.system_text)
        v.addLayout(form)
        self.send_btn = QPushButton(self.tr("发送系统消息"))
        self.send_btn.setObjectName("sendSystemMessage")
        v.addWidget(self.send_btn)
        self.tabs.addTab(self.system_tab, self.tr("系统消息"))
        all_btn.clicked.connect(lambda: self._check_all(self.system_rooms, True))
        none_btn.clicked.connect(lambda: self._check_all(self.system_rooms, False))
        self.send_btn.clicked.connect(self.send_system_message)

    @staticmethod
    def _check_all(w: QListWidget, on: bool) -> None:
        for i in range(w.count()):
            w.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def system_problem(self) -> str | None:
        """What is wrong with the composed message (None: it can be sent)."""
        name = self.object_name.text().strip()
        text = self.system_text.toPlainText()
        if not _checked(self.system_rooms):
            return self.tr("请选择至少一个房间")
        if not name:
            return self.tr("请填写消息类型")
        if name.upper().startswith("RC:"):
            return self.tr("自定义消息类型不能以 RC: 开头（融云保留）")
        if not text.strip():
            return self.tr("消息内容为空")
        if len(text.encode("utf-8")) > MAX_SYSTEM_TEXT:
            return self.tr("消息内容超过 128 KB")
        return None

    def send_system_message(self) -> None:
        problem = self.system_problem()
        reason = self._reason()
        if problem:
            self.message_bar.show_message(problem, "warning", timeout_ms=5000)
            return
        if reason is None:
            return
        self._run_action("system", self._mod.system_message(
            _checked(self.system_rooms), self.system_text.toPlainText(),
            object_name=self.object_name.text().strip(), reason=reason),
            then=lambda _o: self.system_text.clear())

    # --- lockdown presets ---
    def _build_lockdown(self) -> None:
        self.lockdown_tab = QWidget()
        v = QVBoxLayout(self.lockdown_tab)
        top = QHBoxLayout()
        self.preset_box = QComboBox()
        self.preset_box.setObjectName("lockdownPreset")
        top.addWidget(QLabel(self.tr("预案")))
        top.addWidget(self.preset_box, 1)
        v.addLayout(top)
        self.preset_info = QLabel("")
        self.preset_info.setTextFormat(Qt.TextFormat.PlainText)
        self.preset_info.setWordWrap(True)
        v.addWidget(self.preset_info)
        self.lockdown_rooms = _room_checklist(self.rooms, self.room_key)
        self.lockdown_rooms.setObjectName("lockdownRooms")
        v.addWidget(QLabel(self.tr("应用到的房间")))
        v.addWidget(self.lockdown_rooms, 1)
        self.apply_btn = QPushButton(self.tr("应用预案"))
        self.apply_btn.setObjectName("applyLockdown")
        v.addWidget(self.apply_btn)
        v.addWidget(QLabel(self.tr("本窗口启动的封锁（到期自动恢复，也可立即恢复）")))
        self.lockdown_list = QListWidget()
        self.lockdown_list.setObjectName("lockdownList")
        self.lockdown_list.setMaximumHeight(100)
        v.addWidget(self.lockdown_list)
        self.revert_btn = QPushButton(self.tr("立即恢复所选"))
        self.revert_btn.setObjectName("revertLockdown")
        v.addWidget(self.revert_btn)
        self.tabs.addTab(self.lockdown_tab, self.tr("封锁预案"))
        self.preset_box.currentIndexChanged.connect(lambda _i: self._describe_preset())
        self.apply_btn.clicked.connect(self.apply_lockdown)
        self.revert_btn.clicked.connect(self.revert_selected)

    def _show_presets(self, presets: list[LockdownPreset]) -> None:
        self.presets = presets
        cur = self.preset_box.currentData()
        self.preset_box.blockSignals(True)
        self.preset_box.clear()
        for p in presets:
            self.preset_box.addItem(p.name, p.id)
        i = self.preset_box.findData(cur)
        self.preset_box.setCurrentIndex(max(0, i))
        self.preset_box.blockSignals(False)
        self._describe_preset()
        self.loaded.emit()

    def current_preset(self) -> LockdownPreset | None:
        pid = self.preset_box.currentData()
        return next((p for p in self.presets if p.id == pid), None)

    def _describe_preset(self) -> None:
        p = self.current_preset()
        if p is None:
            self.preset_info.setText(self.tr("没有预案"))
            return
        parts = []
        if p.mute_rooms:
            parts.append(self.tr("全员禁言（白名单除外）"))
        if p.gag_new_accounts:
            parts.append(self.tr("禁言注册不足 %1 小时的新账号").replace("%1", str(p.new_account_hours)))
        if p.words:
            parts.append(self.tr("本场敏感词：") + "、".join(p.words))
        parts.append(self.tr("%1 分钟后自动恢复").replace("%1", str(p.revert_after_minutes))
                     if p.revert_after_minutes else self.tr("需手动恢复"))
        self.preset_info.setText("；".join(parts))

    def apply_lockdown(self) -> None:
        p = self.current_preset()
        rooms = _checked(self.lockdown_rooms)
        reason = self._reason()
        if p is None or reason is None:
            return
        if not rooms:
            self.message_bar.show_message(self.tr("请选择至少一个房间"), "warning", timeout_ms=4000)
            return

        def started(out: ActionRecord | BulkResult) -> None:
            if isinstance(out, ActionRecord) and out.state != "failed":
                label = f"#{out.id} {p.name} → {', '.join(rooms)}"
                self.lockdowns.append((out, label))
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, out.id)
                self.lockdown_list.addItem(item)

        self._run_action("lockdown", self._mod.lockdown(p, rooms, reason=reason), then=started)

    def revert_selected(self) -> None:
        item = self.lockdown_list.currentItem()
        reason = self._reason()
        if item is None or reason is None:
            return
        action_id = int(item.data(Qt.ItemDataRole.UserRole))
        rec = next((r for r, _ in self.lockdowns if r.id == action_id), None)
        if rec is None:
            return
        row = self.lockdown_list.row(item)
        # the lockdown's reverse action (its revert), idempotent across consoles
        self._run_action("revert", self._mod.undo(rec, reason=reason),
                         then=lambda _o: self.lockdown_list.takeItem(row))


__all__ = ["ChatListsDialog", "CsvImport", "read_words_csv", "words_csv"]
