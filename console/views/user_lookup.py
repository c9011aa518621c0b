"""User lookup pane (support staff): search by id, phone or nickname; the user card.

Keyboard: Ctrl+F search box, Enter opens the selected user's card, Esc goes back
(card -> results -> search box).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain import (
    ActionRecord,
    ActionStatus,
    LookupPage,
    Permission,
    PushReceipt,
    SearchKind,
    SupportNote,
    UserCard,
    UserId,
    UserSummary,
)
from console.services.push.campaigns import PushService
from console.services.sms.service import SmsService
from console.services.users import UserService, showcase_user
from console.views.feedback import MessageBar
from console.views.models import RowsTableModel
from console.views.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex


def fmt_time(dt: datetime | None) -> str:
    if dt is None:
        return "—"
    return dt.astimezone().strftime("%Y-%m-%d %H:%M")


class UserResultsModel(RowsTableModel):
    """Lookup results, paged: ``canFetchMore`` asks the pane for the next page."""

    more_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[UserSummary] = []
        self._has_more = False
        self._loading_more = False
        self.headers = [self.tr("用户 ID"), self.tr("昵称"), self.tr("手机号"), self.tr("注册时间"), self.tr("曾用名匹配")]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(r.id), r.nickname, r.phone_masked, fmt_time(r.registered_at),
                    r.matched_past_nickname or "")[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return int(r.id)
        if role == Qt.ItemDataRole.ToolTipRole and r.matched_past_nickname:
            return self.tr("通过曾用名匹配：") + r.matched_past_nickname
        return None

    def set_page(self, page: LookupPage) -> None:
        if page.offset == 0:
            self.beginResetModel()  # a new query: the whole list is different
            self.rows = list(page.rows)
            self.endResetModel()
        elif page.rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()
        self._has_more = page.has_more
        self._loading_more = False

    def clear(self) -> None:
        self.beginResetModel()
        self.rows, self._has_more = [], False
        self.endResetModel()

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._has_more and not self._loading_more

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008, N802
        if self.canFetchMore(parent):
            self._loading_more = True
            self.more_wanted.emit()

    def user_at(self, row: int) -> UserSummary | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


def _table(headers: list[str]) -> QTableWidget:
    w = QTableWidget(0, len(headers))
    w.setHorizontalHeaderLabels(headers)
    w.verticalHeader().hide()
    w.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    w.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    w.horizontalHeader().setStretchLastSection(True)
    w.setWordWrap(False)
    return w


def _fill(w: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    w.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            w.setItem(i, j, QTableWidgetItem(v))
    w.resizeColumnsToContents()


class UserCardView(QWidget):
    """Signals: note_requested(str), reveal_requested(), back_requested(), open_room_requested(int room id)."""

    note_requested = Signal(str)
    reveal_requested = Signal()
    back_requested = Signal()
    resend_requested = Signal()
    open_room_requested = Signal(int)

    def __init__(self, *, can_reveal: bool, can_note: bool, can_resend: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userCard")
        self.card: UserCard | None = None
        lay = QVBoxLayout(self)
        self.title = QLabel(self.tr("选择一个用户查看详情（Enter）"))
        self.title.setObjectName("cardTitle")
        self.title.setStyleSheet("font-size:16px;font-weight:600;")
        lay.addWidget(self.title)
        head = QHBoxLayout()
        self.facts = QFormLayout()
        self.phone_label = QLabel("—")
        self.reveal_btn = QPushButton(self.tr("显示号码…"))
        self.reveal_btn.setObjectName("revealPhone")
        self.reveal_btn.setVisible(can_reveal)
        self.reveal_btn.clicked.connect(self.reveal_requested)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone_label)
        phone_row.addWidget(self.reveal_btn)
        phone_row.addStretch(1)
        self.age_label, self.channel_label, self.status_label = QLabel("—"), QLabel("—"), QLabel("—")
        self.facts.addRow(self.tr("手机号"), phone_row)
        self.facts.addRow(self.tr("账号年龄"), self.age_label)
        self.facts.addRow(self.tr("注册渠道"), self.channel_label)
        self.facts.addRow(self.tr("状态"), self.status_label)
        head.addLayout(self.facts)
        lay.addLayout(head)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("cardTabs")
        self.past = _table([self.tr("曾用名"), self.tr("修改时间")])
        self.devices = _table([self.tr("设备"), self.tr("平台"), self.tr("型号"), self.tr("首次"), self.tr("最近")])
        self.alts = _table([self.tr("可能的关联账号"), self.tr("昵称"), self.tr("共用设备")])
        self.rooms = _table([self.tr("房间"), self.tr("标题"), self.tr("分类"), self.tr("状态")])
        # a room opens in the preview wall: double click / Enter on its row, or the button
        self.rooms.setToolTip(self.tr("双击或按 Enter 在监看墙中打开"))
        self.rooms.activated.connect(lambda idx: self.open_room_at(idx.row()))  # Enter, double click
        self.open_room_btn = QPushButton(self.tr("在监看墙中打开"))
        self.open_room_btn.setObjectName("openRoom")
        self.open_room_btn.clicked.connect(lambda: self.open_room_at(self.rooms.currentRow()))
        profile = QWidget()
        pl = QVBoxLayout(profile)
        for label, w in ((self.tr("曾用名"), self.past), (self.tr("设备"), self.devices),
                         (self.tr("关联账号（共用设备）"), self.alts), (self.tr("拥有的直播间"), self.rooms)):
            pl.addWidget(QLabel(f"<b>{label}</b>"))
            pl.addWidget(w)
        pl.addWidget(self.open_room_btn, 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(profile, self.tr("概况"))
        self.sanctions = _table([self.tr("类型"), self.tr("范围"), self.tr("原因"), self.tr("执行人"),
                                 self.tr("开始"), self.tr("结束"), self.tr("解除")])
        self.tabs.addTab(self.sanctions, self.tr("处罚记录"))
        self.chat = _table([self.tr("时间"), self.tr("房间"), self.tr("内容")])
        self.tabs.addTab(self.chat, self.tr("最近聊天"))
        self.pushes = _table([self.tr("时间"), self.tr("标题"), self.tr("平台"), self.tr("状态")])
        self.tabs.addTab(self.pushes, self.tr("推送"))
        self.sms = _table([self.tr("时间"), self.tr("模板"), self.tr("用途"), self.tr("状态")])
        sms_tab = QWidget()
        sl = QVBoxLayout(sms_tab)
        sl.addWidget(self.sms)
        self.resend_btn = QPushButton(self.tr("重发验证码…"))
        self.resend_btn.setObjectName("resendCode")
        self.resend_btn.setToolTip(self.tr("按号码限频（1 条/分钟，5 条/小时，10 条/天），记录审计"))
        self.resend_btn.setVisible(can_resend)
        self.resend_btn.clicked.connect(self.resend_requested)
        sl.addWidget(self.resend_btn, 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(sms_tab, self.tr("短信"))
        notes = QWidget()
        nl = QVBoxLayout(notes)
        self.notes = _table([self.tr("时间"), self.tr("作者"), self.tr("内容")])
        nl.addWidget(self.notes)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText(self.tr("添加客服备注（Ctrl+Enter 保存，将记录审计）"))
        self.note_edit.setMaximumHeight(80)
        self.note_btn = QPushButton(self.tr("添加备注"))
        self.note_btn.setObjectName("addNote")
        self.note_btn.clicked.connect(self._submit_note)
        save = QAction(self)
        save.setShortcut(QKeySequence("Ctrl+Return"))
        save.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.triggered.connect(self._submit_note)
        self.note_edit.addAction(save)
        self.note_edit.setVisible(can_note)
        self.note_btn.setVisible(can_note)
        nl.addWidget(self.note_edit)
        nl.addWidget(self.note_btn)
        self.tabs.addTab(notes, self.tr("备注"))
        lay.addWidget(self.tabs, 1)
        self.setEnabled(False)

    def open_room_at(self, row: int) -> None:
        """Emit :attr:`open_room_requested` for the card's room in ``row`` (the first room when none is chosen)."""
        rooms = self.card.rooms if self.card is not None else ()
        if not rooms:
            return
        room = rooms[row] if 0 <= row < len(rooms) else rooms[0]
        self.open_room_requested.emit(int(room.id))

    def _submit_note(self) -> None:
        text = self.note_edit.toPlainText().strip()
        if text:
            self.note_requested.emit(text)

    def keyPressEvent(self, e: Any) -> None:  # noqa: N802
        if e.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()
            return
        super().keyPressEvent(e)

    def show_card(self, c: UserCard) -> None:
        self.card = c
        self.setEnabled(True)
        self.title.setText(f"{c.nickname}  <span style='color:#666;font-weight:400'>ID {c.id}</span>")
        self.phone_label.setText(c.phone_masked)
        now = datetime.now(UTC)
        days = c.account_age_days(now)
        self.age_label.setText(self.tr("%1 天（%2 注册）").replace("%1", str(days)).replace("%2", fmt_time(c.registered_at)))
        self.channel_label.setText(c.channel)
        active = [s for s in c.sanctions if s.active_at(now)]
        status = c.status + (self.tr("，%1 项处罚生效中").replace("%1", str(len(active))) if active else "")
        self.status_label.setText(status)
        self.status_label.setStyleSheet("color:#b3261e;font-weight:600" if active or c.status != "active" else "")
        _fill(self.past, [(p.nickname, fmt_time(p.changed_at)) for p in c.past_nicknames])
        _fill(self.devices, [(d.device_id, d.platform, d.model, fmt_time(d.first_seen), fmt_time(d.last_seen))
                             for d in c.devices])
        _fill(self.alts, [(str(a.id), a.nickname, a.shared_device) for a in c.alt_accounts])
        _fill(self.rooms, [(str(r.id), r.title, r.category, r.state) for r in c.rooms])
        self.open_room_btn.setEnabled(bool(c.rooms))
        _fill(self.sanctions, [(s.kind, s.scope, s.reason, s.issued_by, fmt_time(s.starts_at),
                                fmt_time(s.ends_at) if s.ends_at else self.tr("永久"),
                                f"{s.lifted_by} {fmt_time(s.lifted_at)}" if s.lifted_by else "")
                               for s in c.sanctions])
        _fill(self.chat, [(fmt_time(m.sent_at), str(m.room_id or ""), m.content) for m in c.chat])
        _fill(self.pushes, [(fmt_time(p.sent_at), p.title, p.platform, p.status) for p in c.pushes])
        _fill(self.sms, [(fmt_time(s.sent_at), s.template, s.purpose, s.status) for s in c.sms])
        self.show_notes(c.notes)
        counts = [len(c.past_nicknames) + len(c.devices), len(c.sanctions), len(c.chat), len(c.pushes), len(c.sms),
                  len(c.notes)]
        names = [self.tr("概况"), self.tr("处罚记录"), self.tr("最近聊天"), self.tr("推送"), self.tr("短信"),
                 self.tr("备注")]
        for i, (n, name) in enumerate(zip(counts, names, strict=True)):
            self.tabs.setTabText(i, f"{name} ({n})" if i else name)

    def show_pushes(self, pushes: list[PushReceipt]) -> None:
        """The pushes with each one's delivery status for this user (JPush, per device)."""
        names = {"received": self.tr("已到达"), "pending": self.tr("投递中"), "sent": self.tr("已发送"),
                 "not_installed": self.tr("未安装 App"), "not_target": self.tr("非推送目标"), "failed": self.tr("失败")}
        _fill(self.pushes, [(fmt_time(p.sent_at), p.title, p.platform, names.get(p.status, p.status)) for p in pushes])

    def show_notes(self, notes: tuple[SupportNote, ...]) -> None:
        _fill(self.notes, [(fmt_time(n.created_at), n.author, n.body) for n in notes])

    def show_phone(self, phone: str) -> None:
        self.phone_label.setText(phone)
        self.phone_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)


class UserLookupPane(QWidget):
    """Signals: loaded(): results or a card finished loading (used by --screenshot); open_room(int): the
    operator asked to preview a room the shown user owns (the main window opens it in the wall)."""

    loaded = Signal()
    open_room = Signal(int)
    KINDS = (SearchKind.AUTO, SearchKind.ID, SearchKind.PHONE, SearchKind.NICKNAME)

    def __init__(self, users: UserService, *, can: set[Permission], page_size: int = 100,
                 sms: SmsService | None = None, push: PushService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userLookupPane")
        self._users = users
        self._sms = sms
        self._push = push
        self._page_size = page_size
        self.tasks = TaskRunner(self)
        self._page: LookupPage | None = None
        self._stale_card: UserId | None = None

        lay = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        lay.addWidget(self.message_bar)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText(self.tr("用户 ID、手机号（前缀）或昵称（含曾用名）— Ctrl+F"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.start_search)
        self.kind = QComboBox()
        self.kind.setObjectName("searchKind")
        for k, label in zip(self.KINDS, (self.tr("自动"), self.tr("用户 ID"), self.tr("手机号"), self.tr("昵称")),
                            strict=True):
            self.kind.addItem(label, k)
        self.include_past = QCheckBox(self.tr("含曾用名"))
        self.include_past.setChecked(True)
        self.go = QPushButton(self.tr("查询"))
        self.go.clicked.connect(self.start_search)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        self.summary = QLabel("")
        self.summary.setObjectName("resultSummary")
        for w, s in ((self.search, 1), (self.kind, 0), (self.include_past, 0), (self.go, 0), (self.progress, 0),
                     (self.summary, 0)):
            bar.addWidget(w, s)
        lay.addLayout(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("lookupSplitter")
        self.model = UserResultsModel(self)
        self.model.more_wanted.connect(self._fetch_more)
        self.table = QTableView()
        self.table.setObjectName("results")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.activated.connect(lambda idx: self.open_card_at(idx.row()))
        self.card = UserCardView(can_reveal=Permission.REVEAL_PHONE in can, can_note=Permission.ADD_NOTE in can,
                                 can_resend=sms is not None and Permission.RESEND_SMS_CODE in can)
        self.card.note_requested.connect(self._add_note)
        self.card.resend_requested.connect(self._resend_code)
        self.card.reveal_requested.connect(self._reveal)
        self.card.open_room_requested.connect(self.open_room)
        self.card.back_requested.connect(self.table.setFocus)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.card)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([620, 660])
        lay.addWidget(self.splitter, 1)

        find = QAction(self.tr("查找用户"), self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self.focus_search)
        self.addAction(find)
        self.tasks.busy_changed.connect(self._on_busy)
        self.tasks.failed.connect(self.message_bar.show_error)

    # --- keyboard ---
    def on_shown(self) -> None:
        self.focus_search()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def keyPressEvent(self, e: Any) -> None:  # noqa: N802
        if e.key() == Qt.Key.Key_Escape:
            if self.table.hasFocus():
                self.focus_search()
            else:
                self.table.setFocus()
            return
        super().keyPressEvent(e)

    def _on_busy(self, busy: bool, text: str) -> None:
        self.progress.setVisible(busy)
        if busy:
            self.summary.setText(text)

    # --- search ---
    def start_search(self) -> None:
        text = self.search.text()
        kind = self.kind.currentData()
        self.message_bar.hide()
        self.tasks.run("lookup", self._users.lookup(text, kind, include_past=self.include_past.isChecked(),
                                                    limit=self._page_size),
                       on_done=self._show_page, busy=self.tr("正在查询…"))

    def _fetch_more(self) -> None:
        p = self._page
        if p is None:
            return
        self.tasks.run("more", self._users.lookup(p.query, p.kind, include_past=self.include_past.isChecked(),
                                                  offset=len(p.rows),
                                                  limit=self._page_size),
                       on_done=self._show_page, busy=self.tr("正在加载更多…"))

    def _show_page(self, page: LookupPage) -> None:
        if page.offset == 0:
            self._page = page
        else:
            assert self._page is not None
            self._page = LookupPage(query=page.query, kind=page.kind, rows=self._page.rows + page.rows,
                                    has_more=page.has_more, offset=0, elapsed_ms=page.elapsed_ms)
        self.model.set_page(page if page.offset else self._page)
        n = self.model.rowCount()
        kinds = {SearchKind.ID: self.tr("ID"), SearchKind.PHONE: self.tr("手机号前缀"), SearchKind.NICKNAME: self.tr("昵称")}
        more = "+" if page.has_more else ""
        self.summary.setText(self.tr("%1：%2%3 个结果，%4 ms").replace("%1", kinds.get(page.kind, "")).replace(
            "%2", str(n)).replace("%3", more).replace("%4", f"{page.elapsed_ms:.1f}"))
        if n == 0:
            self.message_bar.show_message(self.tr("没有找到匹配的用户"), "info", timeout_ms=4000)
        elif page.offset == 0:
            self.table.resizeColumnsToContents()
            self.table.selectRow(0)
            if n == 1:
                self.open_card_at(0)
        self.loaded.emit()

    # --- card ---
    def open_card_at(self, row: int) -> None:
        u = self.model.user_at(row)
        if u is not None:
            self.open_card(u.id)

    def open_card(self, user_id: UserId) -> None:
        self.tasks.run("card", self._users.card(user_id), on_done=self._show_card, busy=self.tr("正在加载用户卡片…"))

    def _show_card(self, card: UserCard) -> None:
        self.card.show_card(card)
        self.card.setFocus()
        self.loaded.emit()
        if self._push is not None and self._push.connected and card.pushes:
            # each push's status for this user's own devices (JPush status/message), after the card is shown
            self.tasks.run("pushes", self._push.received_by(card.id), on_done=self.card.show_pushes)

    def _add_note(self, body: str) -> None:
        c = self.card.card
        if c is None:
            return

        def done(note: SupportNote) -> None:
            self.card.note_edit.clear()
            self.message_bar.show_message(self.tr("备注已保存"), "info", timeout_ms=3000)
            self.tasks.run("notes", self._users.notes(c.id), on_done=self.card.show_notes)

        self.tasks.run("note-add", self._users.add_note(c.id, body), on_done=done, busy=self.tr("正在保存备注…"))

    def _resend_code(self) -> None:
        """Resend a verification code: a reason, then the outbox (one key per dialog: never sent twice)."""
        c = self.card.card
        if c is None or self._sms is None:
            return
        key = uuid.uuid4().hex
        reason, ok = QInputDialog.getText(self, self.tr("重发验证码"), self.tr("原因（将记录在审计日志中）："),
                                          text=self.tr("用户反映未收到验证码"))
        if not ok:
            return
        if not reason.strip():
            self.message_bar.show_message(self.tr("请填写原因"), "warning")
            return
        sms = self._sms

        def done(rec: ActionRecord) -> None:
            if rec.state is ActionStatus.DONE:
                self.message_bar.show_message(self.tr("验证码已发送"), "info", timeout_ms=4000)
            elif rec.state is ActionStatus.PENDING:
                self.message_bar.show_message(self.tr("已排队，将自动重试：") + (rec.last_error or ""), "warning")
            else:
                self.message_bar.show_message(self.tr("发送失败：") + (rec.last_error or ""), "error")
            self.open_card(c.id)

        self.tasks.run("sms-resend", sms.resend_code(c.id, reason.strip(), key=key), on_done=done,
                       busy=self.tr("正在发送验证码…"))

    def _reveal(self) -> None:
        c = self.card.card
        if c is None:
            return
        reason, ok = QInputDialog.getText(self, self.tr("显示完整手机号"),
                                          self.tr("原因（将记录在审计日志中）："), text=self.tr("用户来电核实身份"))
        if ok and reason.strip():
            self.tasks.run("reveal", self._users.reveal_phone(c.id, reason), on_done=self.card.show_phone)
        elif ok:
            self.message_bar.show_message(self.tr("请填写原因"), "warning")

    def on_changes(self, changes: Any) -> None:
        c = self.card.card
        if c is not None and c.id in changes.notes_for:
            self.tasks.run("notes", self._users.notes(c.id), on_done=self.card.show_notes)

    async def load_showcase(self) -> None:
        """Search for a user with a rich story and open the card (demo and --screenshot)."""
        uid = await showcase_user(self._users._engine)  # noqa: SLF001 - read-only helper on the same engine
        if uid is None:
            raise RuntimeError("the database has no users: seed it with python -m console.sandbox seed")
        card = await self._users.card(uid)
        self.search.setText(card.nickname[:2])
        page = await self._users.lookup(card.nickname[:2], SearchKind.NICKNAME, limit=self._page_size)
        self._show_page(page)
        for i in range(self.model.rowCount()):
            u = self.model.user_at(i)
            if u is not None and u.id == uid:
                self.table.selectRow(i)
        self._show_card(card)

    def save_state(self, s: QSettings) -> None:
        s.setValue("lookup/splitter", self.splitter.saveState())
        s.setValue("lookup/header", self.table.horizontalHeader().saveState())
        s.setValue("lookup/include_past", self.include_past.isChecked())

    def restore_state(self, s: QSettings) -> None:
        if (v := s.value("lookup/splitter")) is not None:
            self.splitter.restoreState(v)
        if (v := s.value("lookup/header")) is not None:
            self.table.horizontalHeader().restoreState(v)
        if (v := s.value("lookup/include_past")) is not None:
            self.include_past.setChecked(str(v).lower() in ("true", "1"))
