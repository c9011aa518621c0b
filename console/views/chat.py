"""Chat pane (moderators): the live chat of every room, flagged lines across rooms, keyboard triage.

Data path: the routing endpoint stores messages and publishes one ``chat`` event per batch; the
main window hands the events to :meth:`ChatPane.on_changes`; the pane reads what is newer than its
cursor through :class:`~console.services.chat.feed.ChatService` (one read in flight, coalesced), and
queues the lines. A single-shot timer (:data:`FLUSH_MS`) moves the queue into the model, so the view
lays out at most about 15 times a second whatever the message rate. The model keeps a bounded window
(:data:`WINDOW` rows); the database keeps the rest.

Above a readable rate (:class:`~console.services.chat.feed.FocusMeter`) the feed switches to focus
mode: only flagged lines, first messages and new accounts, plus flood rows ("×312 相似") — a visible
banner says so and how many lines it hides. Near-duplicate floods collapse into one row
(:class:`~console.services.chat.feed.FloodTracker`, O(1) per line) with one action for all of their senders.

Auto-scroll follows the newest line, and pauses while the pointer is over the feed, while a line is
selected, or when the feed is scrolled up; a "N 条新消息" button resumes it.

Keys (in the feed): J/K next/previous line, 1..5 the room's punishment ladder (recall, gag 10 min,
gag 1 h, gag for this live session, block) then a reason (Enter takes the suggested one, or its digit),
Enter passes a line, Ctrl+Z undoes the last action within :data:`UNDO_SECONDS` (the reverse action is
sent), Esc clears the selection (and resumes auto-scroll). Every action goes through
:class:`~console.services.chat.moderation.ChatModeration` (role, outbox, idempotency, audit).

Text is shown as plain text only: the item views never interpret markup, labels are
``Qt.PlainText``, tooltips never carry message text, and ``ChatLine.display`` already shows
zero-width and bidi controls as visible markers. Cells are cut to :data:`CELL_CHARS` characters, so a
128 KB message costs no more to lay out than a short one.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QLine,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QShowEvent,
    QStaticText,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import ActionRecord, Changes
from console.services.chat.feed import (
    DEFAULT_LADDER,
    ChatLine,
    ChatRoomInfo,
    ChatService,
    FlagKind,
    FloodGroup,
    FloodStep,
    FloodTracker,
    FocusMeter,
    LadderStep,
)
from console.services.chat.moderation import BulkResult, ChatModeration
from console.services.chat.reader import ChatReader
from console.views.chat_lists import ChatListsDialog
from console.views.feedback import MessageBar
from console.views.models import visible_rows
from console.views.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex
Row = ChatLine | FloodGroup
Outcome = ActionRecord | BulkResult

#: At most ~15 layouts a second: the queue is moved into the model at most once per FLUSH_MS.
FLUSH_MS = 66
#: Rows kept in memory per feed (the database keeps the rest); while paused the window may grow to 2×.
WINDOW = 2000
#: Elided cell texts remembered (eliding a CJK line lays it out).
ELIDED_TEXTS = 3000
#: Rows rendered ahead per turn of the event loop (about 0.3 ms each)
PRERENDER_SLICE = 3
#: Texts of at most STATIC_CHARS characters outside the message column are kept laid out (QStaticText)
STATIC_CHARS, STATIC_TEXTS = 24, 2000
#: Rendered rows kept by the feed view, in screens (rows on screen × this; a 1,400-px row is ~120 KB)
ROW_SCREENS = 2
_CELL_ALIGN = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
#: characters at least as wide as any a chat line usually holds (Latin, CJK, emoji)
_WIDE_PROBE = "W@中あ한🎉👍…"
#: A cell shows at most this many characters (the detail panel shows ChatLine.display, itself bounded).
CELL_CHARS = 300
#: Ctrl+Z reverses the last action for this long after its key press.
UNDO_SECONDS = 8.0
#: One read returns at most this many lines; a full page is followed by another read at once.
PAGE = 2000
#: A new read starts at most this often (events arrive up to 50/s at high rates; a read costs the UI thread
#: ~1–5 ms whatever its size: a pooled connection, its ping, the query).
MIN_READ_GAP_S = 0.1
#: Lines of the first read of a feed.
INITIAL = 300
#: The cross-room flagged feed starts from the flagged lines among this many latest messages (flagging
#: runs on the UI thread: ~40 µs a line measured here, so 2,000 lines ≈ 0.1 s once).
FLAGGED_SCAN = 2000
#: Near-duplicates collapse into one row from this many lines within FLOOD_WINDOW_S (or one batch).
FLOOD_MIN = 3
FLOOD_WINDOW_S = 20.0
FLOOD_KEYS = 5000

#: A flood row already shown takes its new count at most this often (seconds).
GROUP_REFRESH_S = 1.0

#: A flood row this close to the bottom is updated where it is; further up it moves down to the newest.
IN_PLACE_TAIL = 40

FLAGGED = "\x00flagged"   #: the combined feed of flagged lines across rooms
ALL_ROOMS = "\x00all"     #: every room's lines

FOCUS_AUTO, FOCUS_ON, FOCUS_OFF = "auto", "on", "off"

#: Preset reasons (the digit picks one in the reason chooser).
REASONS = ("刷屏", "广告引流", "辱骂攻击", "色情低俗", "涉政敏感", "诈骗信息", "违规词", "其他违规")

COLUMNS = ("time", "room", "user", "text", "flag")
TEXT_COL = COLUMNS.index("text")
USER_COL = COLUMNS.index("user")
ROOM_COL = COLUMNS.index("room")
FLAG_COL = COLUMNS.index("flag")

_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FONT = Qt.ItemDataRole.FontRole
_RED, _GREY, _BLUE = QColor("#b3261e"), QColor("#8a8a8a"), QColor("#0b57d0")
_PINK, _AMBER, _GREEN = QColor("#fdecea"), QColor("#fff4d6"), QColor("#e7f4ea")


def _fg(**cols: QColor) -> tuple[QColor | None, ...]:
    return tuple(cols.get(c) for c in ("time", "room", "user", "text", "flag"))


_ALL_GREY = (_GREY,) * 5
_GROUP_FG = _fg(flag=_RED)
_PLAIN_FG, _FLAGGED_FG = _fg(), _fg(flag=_RED)
_USER_FG, _FLAGGED_USER_FG = _fg(user=_BLUE), _fg(user=_BLUE, flag=_RED)


def suggested_reason(row: Row) -> str:
    """The preset reason that fits a line's flags (Enter in the reason chooser takes it)."""
    if isinstance(row, FloodGroup):
        return "刷屏"
    kinds = {f.kind for f in row.flags}
    if FlagKind.LINK in kinds:
        return "广告引流"
    if FlagKind.REPEAT in kinds:
        return "刷屏"
    if FlagKind.WORD in kinds or FlagKind.PROVIDER in kinds:
        return "违规词"
    if FlagKind.NEW_ACCOUNT in kinds:
        return "广告引流"
    return "其他违规"


#: Flag kinds in words (marked for lupdate; translated where shown).
_FLAG_LABELS: dict[FlagKind, str] = {
    FlagKind.WORD: str(QT_TRANSLATE_NOOP("chat", "敏感词")), FlagKind.REGEX: str(QT_TRANSLATE_NOOP("chat", "规则")),
    FlagKind.LINK: str(QT_TRANSLATE_NOOP("chat", "链接")), FlagKind.NEW_ACCOUNT: str(QT_TRANSLATE_NOOP("chat", "新账号")),
    FlagKind.REPEAT: str(QT_TRANSLATE_NOOP("chat", "重复")),
    FlagKind.PROVIDER: str(QT_TRANSLATE_NOOP("chat", "融云已替换")),
}

#: The default ladder's labels (DEFAULT_LADDER) come from data, so lupdate cannot see them in a tr() call:
#: they are marked here and translated by ladder_text().
_LADDER_LABELS = frozenset(str(x) for x in (
    QT_TRANSLATE_NOOP("chat", "撤回"), QT_TRANSLATE_NOOP("chat", "禁言10分钟"),
    QT_TRANSLATE_NOOP("chat", "禁言1小时"), QT_TRANSLATE_NOOP("chat", "本场禁言"), QT_TRANSLATE_NOOP("chat", "封禁"),
))


def ladder_text(step: LadderStep) -> str:
    """A ladder rung's label in the UI language.

    The default rungs' labels are translated. A room's own label (chat_rooms.ladder, any text) is shown
    as written in a Chinese UI; in another language it is described from its action, which is what the
    key does ("Gag 30 min")."""
    if step.label in _LADDER_LABELS:
        return QCoreApplication.translate("chat", step.label)
    if QCoreApplication.translate("chat", "撤回") == "撤回":   # the UI speaks the source language
        return step.label
    m = step.minutes or 0
    if step.action == "recall":
        return QCoreApplication.translate("chat", "撤回")
    if step.action == "gag_session":
        return QCoreApplication.translate("chat", "本场禁言")
    if step.action == "gag" and m % 60 == 0 and m:
        return QCoreApplication.translate("chat", "禁言%1小时").replace("%1", str(m // 60))
    if step.action == "gag" and m:
        return QCoreApplication.translate("chat", "禁言%1分钟").replace("%1", str(m))
    if step.action == "block" and m % 1440 == 0 and m:
        return QCoreApplication.translate("chat", "封禁%1天").replace("%1", str(m // 1440))
    if step.action == "block" and m:
        return QCoreApplication.translate("chat", "封禁%1分钟").replace("%1", str(m))
    return QCoreApplication.translate("chat", "封禁") if step.action == "block" else step.label


def flag_text(line: ChatLine) -> str:
    """The flags of a line as the moderator reads them ("链接 t.cn/… · 敏感词 加微信")."""
    out = []
    for f in line.flags:
        label = QCoreApplication.translate("chat", _FLAG_LABELS.get(f.kind, str(f.kind)))
        detail = "" if f.kind == FlagKind.PROVIDER else cut(f.detail, 60)
        out.append(f"{label} {detail}".strip())
    return " · ".join(out)


@functools.lru_cache(maxsize=4096)
def _clock_text(second: int) -> str:
    """HH:MM:SS local time of a Unix second (lines of one second share it)."""
    return datetime.fromtimestamp(second).strftime("%H:%M:%S")


def cut(text: str, limit: int = CELL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _sample(row: Row) -> ChatLine:
    return row.first if isinstance(row, FloodGroup) else row


def row_key(row: Row) -> str:
    if isinstance(row, FloodGroup):
        return f"g{row.serial}:{row.key}"
    return f"m:{row.id}"


class ChatFeedModel(QAbstractTableModel):
    """A bounded window of feed rows (lines and flood groups), appended in batches.

    :meth:`append` inserts one batch with ONE ``rowsInserted`` (and one ``rowsRemoved`` for the rows
    that fall out of the window at the top); a flood group that grows is moved to the bottom and
    updated in place. Display strings are computed lazily for the rows a view asks about.
    """

    def __init__(self, parent: QObject | None = None, *, capacity: int = WINDOW) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self.rows: list[Row] = []
        self._keys: list[str] = []             #: row_key of each row (C-speed look-ups)
        self._seq: list[int] = []              #: a serial per row, increasing downwards (bisect finds a key)
        self._seq_of: dict[str, int] = {}      #: row key -> its serial
        self._next_seq = 0
        self._cells: dict[str, tuple[str, ...]] = {}
        self.status: dict[str, str] = {}      #: row key -> "已禁言10分钟" / "✓ 通过" (what this console did)
        self.batches = 0                      #: append() calls that changed rows (tests, bench)
        self.trimmed = 0                      #: rows dropped at the top of the window
        self.show_room = True
        self.headers = [self.tr("时间"), self.tr("房间"), self.tr("用户"), self.tr("内容"), self.tr("标记")]

    # --- Qt model API ---
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _cells_at(self, i: int) -> tuple[str, ...]:
        k = self._keys[i]
        c = self._cells.get(k)
        if c is None:
            c = self._cells[k] = self._compute(self.rows[i])
        return c

    def cells_ahead(self, row: Row, key: str) -> tuple[str, ...]:
        """The display strings of a row about to be appended (kept: the row keeps the same tuple once it
        is in, which is what the view's row cache checks)."""
        c = self._cells.get(key)
        if c is None:
            c = self._cells[key] = self._compute(row)
        return c

    def _compute(self, row: Row) -> tuple[str, ...]:
        s = _sample(row)
        t = _clock_text((row.last if isinstance(row, FloodGroup) else s).sent_ms // 1000)
        if isinstance(row, FloodGroup):
            room = row.room_key if row.room_key is not None else self.tr("多个房间")
            user = self.tr("%1 人").replace("%1", f"{len(row.senders)}+" if row.more_senders else str(len(row.senders)))
            text = self.tr("×%1 相似").replace("%1", f"{row.count:,}") + "  " + cut(s.display)
            marks = [self.tr("相似合并")]
            if s.recalled:
                marks.append(self.tr("已撤回"))
            flagged = next((x for x in (row.first, *row.lines) if x.flags), None)
            if flagged is not None:
                marks.append(flag_text(flagged))
            return t, room, user, text, " ".join(m for m in marks if m)
        marks = []
        if s.recalled:
            marks.append(self.tr("已撤回"))
        if s.flags:
            marks.append(flag_text(s))
        if s.first_time:
            marks.append(self.tr("首次发言"))
        if s.new_account:
            marks.append(self.tr("新账号"))
        return t, s.room_key, s.sender, cut(s.display), " · ".join(marks)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY:
            return self._cells_at(index.row())[index.column()]
        if role == _FOREGROUND:
            return self.colors(index.row())[1][index.column()]
        if role == _BACKGROUND:
            return self.colors(index.row())[0]
        if role == _FONT and index.column() == TEXT_COL and isinstance(self.rows[index.row()], FloodGroup):
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            # never message text here: a tooltip would interpret markup
            col = index.column()
            row = self.rows[index.row()]
            if col == USER_COL and not isinstance(row, FloodGroup):
                return self.tr("点击打开用户卡片") if row.user_id is not None else self.tr("非平台用户")
            if col == ROOM_COL:
                return self.tr("点击打开房间预览")
            if col == FLAG_COL:
                return self.status.get(self._keys[index.row()])
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self._keys[index.row()]
        return None

    def colors(self, i: int) -> tuple[QColor | None, tuple[QColor | None, ...]]:
        """Row ``i``'s background and each column's text colour (None: the palette's)."""
        return self.colors_of(self.rows[i], self._keys[i])

    def colors_of(self, row: Row, key: str) -> tuple[QColor | None, tuple[QColor | None, ...]]:
        done = key in self.status
        if isinstance(row, FloodGroup):
            return (_GREEN if done else _AMBER), (_ALL_GREY if done else _GROUP_FG)
        bg = _GREEN if done else (_PINK if row.flags else None)
        if done or row.recalled:
            return bg, _ALL_GREY
        if row.user_id is None:
            return bg, _FLAGGED_FG if row.flags else _PLAIN_FG
        return bg, _FLAGGED_USER_FG if row.flags else _USER_FG

    # --- feeding ---
    def row_of_key(self, key: str) -> int:
        """The row of a key, or -1: O(log n) (serials increase downwards)."""
        q = self._seq_of.get(key)
        if q is None:
            return -1
        i = bisect.bisect_left(self._seq, q)
        return i if i < len(self._seq) and self._seq[i] == q else -1

    def _add_keys(self, keys: Iterable[str]) -> None:
        for k in keys:
            self._keys.append(k)
            self._seq.append(self._next_seq)
            self._seq_of[k] = self._next_seq
            self._next_seq += 1

    def _drop_row(self, i: int) -> None:
        del self.rows[i]
        self._seq_of.pop(self._keys[i], None)
        del self._keys[i]
        del self._seq[i]

    def append(self, rows: Sequence[Row], *, limit: int | None = None, move: bool = True) -> tuple[int, int]:
        """Add a batch at the bottom; a flood group already shown moves down with its new count (unless
        ``move`` is False: someone is reading, rows stay where they are).

        Returns (rows inserted, rows trimmed at the top). ``limit`` overrides the capacity (paused).
        """
        if not rows:
            return 0, 0
        fresh: list[Row] = []
        seen: dict[str, int] = {}
        for r in rows:
            k = row_key(r)
            if k in seen:  # the same group twice in one batch: keep the newest
                fresh[seen[k]] = r
                continue
            if isinstance(r, FloodGroup):
                old = self.row_of_key(k)
                if old >= 0:
                    self._cells.pop(k, None)
                    if not move or old >= len(self.rows) - IN_PLACE_TAIL:   # the count changes in place
                        self.rows[old] = r
                        self.dataChanged.emit(self.index(old, 0), self.index(old, len(COLUMNS) - 1))
                        continue
                    self.beginRemoveRows(QModelIndex(), old, old)   # scrolled away: it comes down again
                    self._drop_row(old)
                    self.endRemoveRows()
            seen[k] = len(fresh)
            fresh.append(r)
        if fresh:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self.rows.extend(fresh)
            self._add_keys(row_key(r) for r in fresh)
            self.endInsertRows()
        self.batches += 1
        trimmed = self.trim(limit if limit is not None else self.capacity)
        return len(fresh), trimmed

    def trim(self, limit: int) -> int:
        extra = len(self.rows) - limit
        if extra <= 0:
            return 0
        self.beginRemoveRows(QModelIndex(), 0, extra - 1)
        gone = self._keys[:extra]
        del self.rows[:extra]
        del self._keys[:extra]
        del self._seq[:extra]
        self.endRemoveRows()
        for k in gone:
            self._seq_of.pop(k, None)
            self._cells.pop(k, None)
            self.status.pop(k, None)
        if len(self._cells) > 2 * len(self.rows) + 500:   # strings computed ahead for rows that never came
            self._cells = {k: c for k, c in self._cells.items() if k in self._seq_of}
        self.trimmed += extra
        return extra

    def replace_all(self, rows: Sequence[Row]) -> None:
        """A new feed (another room, focus switched by a person): one reset."""
        self.beginResetModel()
        self.rows = list(rows)[-self.capacity:]
        self._keys, self._seq, self._seq_of = [], [], {}
        self._add_keys(row_key(r) for r in self.rows)
        self._cells.clear()
        self.status.clear()
        self.endResetModel()

    def remove_keys(self, keys: set[str]) -> int:
        """Remove the rows of these keys (lines absorbed by a flood group): one signal per run of rows."""
        found = sorted((i for i in (self.row_of_key(k) for k in keys) if i >= 0), reverse=True)
        j = 0
        while j < len(found):
            hi = lo = found[j]
            while j + 1 < len(found) and found[j + 1] == lo - 1:
                j += 1
                lo = found[j]
            self.beginRemoveRows(QModelIndex(), lo, hi)
            for i in range(hi, lo - 1, -1):
                k = self._keys[i]
                self._drop_row(i)
                self._cells.pop(k, None)
                self.status.pop(k, None)
            self.endRemoveRows()
            j += 1
        return len(found)

    def mark_recalled(self, msg_uids: set[str]) -> int:
        """Rows of these msgUIDs (a line, or a flood row's sample) show as recalled."""
        changed = 0
        for i, r in enumerate(self.rows):
            if isinstance(r, ChatLine):
                if r.msg_uid in msg_uids and not r.recalled:
                    self.rows[i] = replace(r, recalled=True)
                else:
                    continue
            elif r.first.msg_uid in msg_uids and not r.first.recalled:
                self.rows[i] = replace(r, first=replace(r.first, recalled=True))
            else:
                continue
            self._cells.pop(self._keys[i], None)
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
            changed += 1
        return changed

    def mark(self, key: str, text: str) -> None:
        self.status[key] = text
        i = self.row_of_key(key)
        if i >= 0:
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def row_at(self, i: int) -> Row | None:
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def flood_rows(self) -> list[FloodGroup]:
        return [r for r in self.rows if isinstance(r, FloodGroup)]


class FeedView(QTableView):
    """The feed table: knows when the pointer is over it; turns triage keys into signals."""

    hover_changed = Signal(bool)
    triage_key = Signal(str)   # "next" | "prev" | "1".."9" | "pass" | "undo" | "clear" | "user"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hovered = False
        self.viewport().installEventFilter(self)
        self._elided: dict[tuple[str, int, bool], str] = {}
        self._wide: dict[bool, int] = {}   # the widest advance of a character, by bold (see _fit)
        self._blanks: dict[tuple[Any, ...], QPixmap] = {}   # empty rows by (background, layout)
        self._static: dict[str, QStaticText] = {}   # short repeated texts, laid out once (least recent first)
        #: rendered rows by row key: (pixmap, cells, bg, fgs, selected), least recently painted first
        self._rows: dict[str, tuple[QPixmap, tuple[str, ...], QColor | None, tuple[QColor | None, ...], bool]] = {}
        self._row_layout: tuple[Any, ...] = ()
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self.rendered = 0   #: rows rendered into the row cache: tests, the benchmark

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.LanguageChange):
            self._elided.clear()
            self._wide.clear()
            self._static.clear()
            self._blanks.clear()
            self._rows.clear()
            self._bold = QFont(self.font())
            self._bold.setBold(True)
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Each visible row is blitted from a cache of rendered rows; a row is rendered (from cached cell
        texts) only when it is new, changed, selected or unselected, or the columns moved.

        QTableView's own painting lays out every cell's text with a QTextLayout (CJK and emoji go through
        font fallback) and asks the model for seven roles per cell: about 20 ms of the UI thread per
        paint of a 40-row feed, measured at 5,000 msg/s. Blitting cached cells still cost ~60 µs of
        Python a row (8 ms a paint); new lines shift every row on screen, but most rows on screen were
        on screen one frame earlier, so a paint is now a fill, a blit per row and the few new rows."""
        m = self.model()
        if not isinstance(m, ChatFeedModel):
            super().paintEvent(event)
            return
        vp = self.viewport()
        painter = QPainter(vp)
        area = event.rect()
        pal = self.palette()
        painter.fillRect(area, pal.base())
        on_screen = visible_rows(self, area)
        if not on_screen:
            painter.end()
            return
        layout = self._layout(pal)
        rh = layout[2]
        y0, x0 = -self.verticalOffset(), -self.horizontalOffset()
        selected_rows = {i.row() for i in self.selectionModel().selectedRows()}
        keys = m._keys  # noqa: SLF001 - the view is the model's own painter
        keep = self._keep(rh)
        for v in on_screen:
            key = keys[v]
            bg, fgs = m.colors(v)
            pm = self._row_pixmap(m.rows[v], key, m._cells_at(v), bg, fgs, v in selected_rows,  # noqa: SLF001
                                  layout, pal, keep)
            painter.drawPixmap(x0, y0 + v * rh, pm)
        painter.end()

    def _row_pixmap(self, row: Row, key: str, cells: tuple[str, ...], bg: QColor | None,
                    fgs: tuple[QColor | None, ...], selected: bool, layout: tuple[Any, ...], pal: QPalette,
                    keep: int) -> QPixmap:
        """The row's pixmap from the row cache (most recently used last), rendered when it is new or changed."""
        rows = self._rows
        hit = rows.pop(key, None)
        if hit is None or hit[1] is not cells or hit[2] is not bg or hit[3] is not fgs or hit[4] is not selected:
            hit = (self._render_row(row, cells, bg, fgs, selected, layout, pal), cells, bg, fgs, selected)
            while len(rows) >= keep:
                del rows[next(iter(rows))]   # the least recently painted goes
        rows[key] = hit
        return hit[0]

    def _layout(self, pal: QPalette) -> tuple[Any, ...]:
        """What a rendered row depends on besides its own contents (the row cache is dropped when it changes)."""
        hh = self.horizontalHeader()
        cols = tuple((c, hh.sectionPosition(c), hh.sectionSize(c)) for c in range(len(COLUMNS))
                     if not hh.isSectionHidden(c))
        group = QPalette.ColorGroup.Active if self.isActiveWindow() else QPalette.ColorGroup.Inactive
        grid = pal.color(QPalette.ColorRole.Mid).rgba() if self.showGrid() else None
        layout = (cols, hh.length(), self.verticalHeader().defaultSectionSize(),
                  self.viewport().devicePixelRatioF(), group, grid)
        if layout != self._row_layout:
            self._rows.clear()
            self._row_layout = layout
        return layout

    def _keep(self, rh: int) -> int:
        return max(1, ROW_SCREENS * (self.viewport().height() // max(1, rh) + 1))

    def rows_on_screen(self) -> int:
        return self.viewport().height() // max(1, self.verticalHeader().defaultSectionSize()) + 1

    def prerender(self, rows: Sequence[tuple[Row, str]]) -> int:
        """Render rows that are about to be appended (not selected, as new rows are), so the paint that
        shows them only blits; returns how many were rendered. The chat pane calls it in small slices
        between a read and the next insert: a paint of new rows at 5,000 lines a second cost 4–5 ms."""
        m = self.model()
        if not isinstance(m, ChatFeedModel):
            return 0
        pal = self.palette()
        layout = self._layout(pal)
        keep, before = self._keep(layout[2]), self.rendered
        for row, key in rows:
            bg, fgs = m.colors_of(row, key)
            self._row_pixmap(row, key, m.cells_ahead(row, key), bg, fgs, False, layout, pal, keep)
        return self.rendered - before

    def _render_row(self, row: Row, cells: tuple[str, ...], bg: QColor | None, fgs: tuple[QColor | None, ...],
                    selected: bool, layout: tuple[Any, ...], pal: QPalette) -> QPixmap:
        """One row drawn into a pixmap as wide as the columns: its background and each cell's text,
        clipped to its cell and elided when it would not fit, on a copy of the empty row with its grid
        (about 170 µs a row). Short texts that repeat (times, rooms, counts, marks) are drawn from prepared
        QStaticTexts."""
        cols, _width, rh, _dpr, group, _grid = layout
        if selected:
            bg = pal.color(group, QPalette.ColorRole.Highlight)
            fgs = (pal.color(group, QPalette.ColorRole.HighlightedText),) * len(COLUMNS)
        elif bg is None:
            bg = pal.color(group, QPalette.ColorRole.Base)
        text_pen = pal.color(group, QPalette.ColorRole.Text)
        pm = QPixmap(self._blank(bg, layout))   # the background and grid of an empty row, shared until drawn on
        painter = QPainter(pm)
        font = self.font()
        fm = QFontMetrics(font)
        painter.setFont(font)
        fit, static = self._fit, self._static
        top = (rh - 1 - fm.height()) // 2
        for c, x, w in cols:
            text = cells[c]
            if not text:
                continue
            painter.setPen(fgs[c] or text_pen)
            if c == TEXT_COL and isinstance(row, FloodGroup):   # "×1,234 相似  sample", bold
                painter.setFont(self._bold)
                painter.drawText(QRect(x + 4, 0, w - 8, rh - 1), _CELL_ALIGN,
                                 fit(text, w - 8, True, QFontMetrics(self._bold)))
                painter.setFont(font)
            elif c != TEXT_COL and len(text) <= STATIC_CHARS:
                painter.setClipRect(x + 4, 0, w - 8, rh - 1)
                shown = fit(text, w - 8, False, fm)
                st = static.pop(shown, None)
                if st is None:
                    if len(static) >= STATIC_TEXTS:
                        del static[next(iter(static))]   # the least recently used goes
                    st = QStaticText(shown)
                    st.setTextFormat(Qt.TextFormat.PlainText)
                    st.prepare(painter.transform(), font)
                static[shown] = st   # most recently used last
                painter.drawStaticText(x + 4, top, st)
                painter.setClipping(False)
            else:
                painter.drawText(QRect(x + 4, 0, w - 8, rh - 1), _CELL_ALIGN, fit(text, w - 8, False, fm))
        painter.end()
        self.rendered += 1
        return pm

    def _blank(self, bg: QColor, layout: tuple[Any, ...]) -> QPixmap:
        """An empty row of this background with the cell borders QTableView would draw (kept per colour;
        a copy of it starts each rendered row: a fill and the grid lines cost ~25 µs a row)."""
        key = (bg.rgba(), layout)
        pm = self._blanks.get(key)
        if pm is None:
            cols, width, rh, dpr, _group, grid = layout
            if len(self._blanks) > 16:
                self._blanks.clear()
            pm = QPixmap(max(1, round(width * dpr)), max(1, round(rh * dpr)))
            pm.setDevicePixelRatio(dpr)
            pm.fill(bg)
            if grid is not None:
                p = QPainter(pm)
                p.setPen(QColor.fromRgba(grid))
                p.drawLines([QLine(x + w - 1, 0, x + w - 1, rh - 1) for _c, x, w in cols]
                            + [QLine(0, rh - 1, width - 1, rh - 1)])
                p.end()
            self._blanks[key] = pm
        return pm

    def _fit(self, text: str, width: int, bold: bool, fm: QFontMetrics) -> str:
        """``text`` elided to ``width`` pixels. A text that surely fits (its length times the widest
        character) is returned as it is without measuring it; drawing clips to the cell anyway."""
        wide = self._wide.get(bold)
        if wide is None:
            wide = self._wide[bold] = max(fm.horizontalAdvance(ch) for ch in _WIDE_PROBE)
        if len(text) * wide <= width:
            return text
        k = (text, width, bold)
        elided = self._elided
        shown = elided.pop(k, None)
        if shown is None:
            if len(elided) >= ELIDED_TEXTS:   # the least recently used goes
                del elided[next(iter(elided))]
            shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
        elided[k] = shown   # most recently used last
        return shown

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:  # noqa: N802
        if obj is self.viewport():
            if e.type() == QEvent.Type.Enter and not self.hovered:
                self.hovered = True
                self.hover_changed.emit(True)
            elif e.type() == QEvent.Type.Leave and self.hovered:
                self.hovered = False
                self.hover_changed.emit(False)
        return super().eventFilter(obj, e)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.matches(QKeySequence.StandardKey.Undo):
            self.triage_key.emit("undo")
            return
        mods = e.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier:
            key = e.key()
            if key == Qt.Key.Key_J:
                self.triage_key.emit("next")
                return
            if key == Qt.Key.Key_K:
                self.triage_key.emit("prev")
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.triage_key.emit("pass")
                return
            if key == Qt.Key.Key_Escape:
                self.triage_key.emit("clear")
                return
            if key == Qt.Key.Key_U:
                self.triage_key.emit("user")
                return
            if Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
                self.triage_key.emit(str(key - Qt.Key.Key_0))
                return
        super().keyPressEvent(e)


class ReasonChooser(QDialog):
    """The reason of one ladder action: Enter takes the suggested reason, a digit picks one, Esc cancels."""

    def __init__(self, action_label: str, target: str, suggested: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatReasonChooser")
        self.setWindowTitle(action_label)
        lay = QVBoxLayout(self)
        head = QLabel(action_label + " — " + target)
        head.setTextFormat(Qt.TextFormat.PlainText)
        head.setStyleSheet("font-weight:600")
        lay.addWidget(head)
        self.reasons = QListWidget()
        self.reasons.setObjectName("chatReasons")
        for i, r in enumerate(REASONS, 1):
            self.reasons.addItem(f"{i}  {self.tr(r)}")
            self.reasons.item(i - 1).setData(Qt.ItemDataRole.UserRole, r)
        self.reasons.setCurrentRow(REASONS.index(suggested) if suggested in REASONS else len(REASONS) - 1)
        self.reasons.itemActivated.connect(lambda _i: self.accept())
        lay.addWidget(self.reasons)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("补充说明（可选）"))
        lay.addWidget(self.note)
        hint = QLabel(self.tr("Enter 确认 · 数字键选择原因并确认 · Esc 取消"))
        hint.setStyleSheet("color:#666")
        lay.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.reasons.installEventFilter(self)   # digits pick a reason (the list would search with them)
        self.reasons.setFocus()

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:  # noqa: N802
        if obj is self.reasons and e.type() == QEvent.Type.KeyPress and isinstance(e, QKeyEvent):
            key = e.key()
            if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and key - Qt.Key.Key_1 < self.reasons.count():
                self.reasons.setCurrentRow(key - Qt.Key.Key_1)
                self.accept()
                return True
        return super().eventFilter(obj, e)

    def reason(self) -> str:
        item = self.reasons.currentItem()
        base = str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else REASONS[-1]
        extra = self.note.text().strip()
        return f"{base}：{extra}" if extra else base


@dataclass
class _Done:
    """An action this console sent (Ctrl+Z reverses the newest while it is fresh)."""

    task: asyncio.Task[Outcome]
    at: float
    label: str
    row_key: str
    reason: str
    action: str = ""
    undone: bool = False


class ChatPane(QWidget):
    """Signals: loaded() the rooms and the current feed are shown; open_user(int) a user's name was
    clicked (the platform user id); open_room(int) a room was clicked (the platform room id)."""

    loaded = Signal()
    open_user = Signal(int)
    open_room = Signal(int)

    def __init__(self, chat: ChatService, moderation: ChatModeration, *, window: int = WINDOW,
                 flush_ms: int = FLUSH_MS, clock: Callable[[], float] = time.monotonic,
                 reader: ChatReader | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatPane")
        self._chat = chat
        #: where live lines are read and flagged: the chat reader's child process (off this thread) or,
        #: without one, the ChatService here
        self._live: ChatReader | ChatService = reader if reader is not None else chat
        self._mod = moderation
        self._clock = clock
        self.tasks = TaskRunner(self)
        self.rooms: dict[str, ChatRoomInfo] = {}
        self.feed_key: str = FLAGGED
        self.read_cursor = 0
        self._generation = 0
        self._pending: list[ChatLine] = []
        self._recent: deque[ChatLine] = deque(maxlen=window)   # unfiltered lines (focus toggled back off)
        self.floods = self._new_tracker()
        #: flood rows whose new count waits for GROUP_REFRESH_S: row key -> (group, lines it counted, shown at)
        self._deferred: dict[str, tuple[FloodGroup, list[ChatLine], float]] = {}
        self._group_shown: dict[str, float] = {}   # row key -> when its count was last shown
        self._read_again = False
        self._committing = False   # a flushed batch is being rendered before its insert
        self._epoch = 0            # bumped when the window is replaced: a batch in flight is then dropped
        self._last_read = 0.0
        self._ready = False
        self._started = False
        self._stale = False      # events arrived while hidden
        self.meter = FocusMeter()
        self.focus_mode = FOCUS_AUTO
        self.focus_active = False
        self.hidden = 0              #: lines left out by focus mode in this feed
        self.unseen = 0              #: lines added while auto-scroll was paused
        self.following = True
        self.flush_times: deque[float] = deque(maxlen=2000)
        #: lines that reached the model: as their own row, or counted into a flood row (bench)
        self.shown_lines = 0
        self.hidden_total = 0        #: lines left out by focus mode (counted in the banner), every feed (bench)
        #: called with every line as it leaves the queue for the model (bench: which ids were placed)
        self.on_placed: Callable[[Sequence[ChatLine]], None] | None = None
        self.received_lines = 0      #: lines read from the database (bench)
        self.done: list[_Done] = []
        self.reason_dialog: ReasonChooser | None = None

        lay = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        lay.addWidget(self.message_bar)

        # left: rooms
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.room_filter = QLineEdit()
        self.room_filter.setObjectName("chatRoomFilter")
        self.room_filter.setPlaceholderText(self.tr("筛选房间"))
        self.room_filter.setClearButtonEnabled(True)
        self.room_list = QListWidget()
        self.room_list.setObjectName("chatRooms")
        ll.addWidget(self.room_filter)
        ll.addWidget(self.room_list, 1)

        # right: banner, feed, detail
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.feed_title = QLabel("")
        self.feed_title.setObjectName("chatFeedTitle")
        self.feed_title.setTextFormat(Qt.TextFormat.PlainText)
        self.feed_title.setStyleSheet("font-weight:600")
        self.rate_label = QLabel("")
        self.rate_label.setObjectName("chatRate")
        self.focus_box = QComboBox()
        self.focus_box.setObjectName("chatFocusMode")
        for key, label in ((FOCUS_AUTO, self.tr("专注模式：自动")), (FOCUS_ON, self.tr("专注模式：开")),
                           (FOCUS_OFF, self.tr("专注模式：关"))):
            self.focus_box.addItem(label, key)
        self.lists_btn = QPushButton(self.tr("名单与设置…"))
        self.lists_btn.setObjectName("chatListsButton")
        bar.addWidget(self.feed_title, 1)
        bar.addWidget(self.rate_label)
        bar.addWidget(self.focus_box)
        bar.addWidget(self.lists_btn)
        rl.addLayout(bar)
        self.focus_banner = QLabel("")
        self.focus_banner.setObjectName("chatFocusBanner")
        self.focus_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.focus_banner.setStyleSheet(
            "background:#fff1c2;color:#6b4b00;border:1px solid #e9c35a;border-radius:4px;padding:3px 8px;"
            "font-weight:600")
        self.focus_banner.hide()
        rl.addWidget(self.focus_banner)

        self.model = ChatFeedModel(self, capacity=window)
        self.view = FeedView()
        self.view.setObjectName("chatFeed")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setMouseTracking(True)
        vh = self.view.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(22)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(False)
        for col, w in (("time", 70), ("room", 70), ("user", 110), ("text", 560), ("flag", 220)):
            self.view.setColumnWidth(COLUMNS.index(col), w)
        hh.setSectionResizeMode(TEXT_COL, QHeaderView.ResizeMode.Stretch)

        self.new_btn = QPushButton("")
        self.new_btn.setObjectName("chatNewMessages")
        self.new_btn.setStyleSheet("background:#0b57d0;color:white;border-radius:10px;padding:3px 12px;")
        self.new_btn.hide()
        feed_box = QWidget()
        fl = QVBoxLayout(feed_box)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.view, 1)
        nb = QHBoxLayout()
        nb.addStretch(1)
        nb.addWidget(self.new_btn)
        nb.addStretch(1)
        fl.addLayout(nb)

        self.detail = QLabel(self.tr("J/K 选择 · 1 撤回 · 2 禁言10分钟 · 3 禁言1小时 · 4 本场禁言 · 5 封禁 · "
                                     "Enter 通过 · Ctrl+Z 撤销 · U 用户卡片"))
        self.detail.setObjectName("chatDetail")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(60)

        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.vsplit.addWidget(feed_box)
        self.vsplit.addWidget(self.detail)
        self.vsplit.setStretchFactor(0, 4)
        self.vsplit.setStretchFactor(1, 1)
        self.vsplit.setSizes([560, 120])
        rl.addWidget(self.vsplit, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 960])
        lay.addWidget(self.splitter, 1)

        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(flush_ms)
        self._flush_timer.timeout.connect(self.flush)
        self._deferred_timer = QTimer(self)
        self._deferred_timer.setSingleShot(True)
        self._deferred_timer.timeout.connect(self.flush)
        self._read_timer = QTimer(self)
        self._read_timer.setSingleShot(True)
        self._read_timer.timeout.connect(self._start_read)
        self.lists_dialog: ChatListsDialog | None = None
        self._tick = QTimer(self)        # rate label and focus decay when no events arrive
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)

        self.room_list.currentItemChanged.connect(lambda cur, _prev: self._room_chosen(cur))
        self.room_filter.textChanged.connect(self._filter_rooms)
        self.focus_box.currentIndexChanged.connect(lambda _i: self.set_focus_mode(self.focus_box.currentData()))
        self.view.hover_changed.connect(lambda _h: self._update_follow())
        self.view.triage_key.connect(self._on_key)
        self.view.clicked.connect(self._on_clicked)
        self.view.verticalScrollBar().valueChanged.connect(lambda _v: self._update_follow())
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _p: self._on_current(cur.row()))
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_follow())
        self.new_btn.clicked.connect(self.resume_following)
        self.lists_btn.clicked.connect(self.open_lists)
        self.tasks.failed.connect(self.message_bar.show_error)
        self._fill_rooms([])

    # --- start and rooms ---------------------------------------------------------------

    def showEvent(self, e: QShowEvent) -> None:  # noqa: N802
        super().showEvent(e)
        if not self._started:   # first shown: start reading (the window may also call start() earlier)
            self.start()
        elif self._stale:
            self._stale = False
            self.load_feed(self.feed_key)

    def start(self) -> None:
        """Load rules, rooms and the current feed, then follow the chat events."""
        self._started = True
        self.refresh()
        self._tick.start()

    @property
    def idle(self) -> bool:
        """Every line read so far is in the model (none queued, no batch being rendered)."""
        return not self._pending and not self._committing

    def is_ready(self) -> bool:
        """The current feed is loaded and followed live."""
        return self._ready

    def stop(self) -> None:
        """Stop reading and the timers (the window is closing); tasks in flight are left to finish."""
        self._ready = False
        for t in (self._tick, self._read_timer, self._flush_timer, self._deferred_timer):
            t.stop()

    def refresh(self) -> None:
        """Reload the rooms, the rules and the current feed; ``loaded`` is emitted when shown."""
        self.tasks.run("rooms", self._load_rooms(), on_done=self._rooms_loaded)

    async def _load_rooms(self) -> list[ChatRoomInfo]:
        await self._live.load_rules()
        return await self._chat.rooms()

    def _rooms_loaded(self, rooms: list[ChatRoomInfo]) -> None:
        self._fill_rooms(rooms)
        self.load_feed(self.feed_key)

    def _fill_rooms(self, rooms: list[ChatRoomInfo]) -> None:
        self.rooms = {r.room_key: r for r in rooms}
        self.room_list.blockSignals(True)
        self.room_list.clear()
        for key, label in ((FLAGGED, self.tr("⚑ 全部标记消息（跨房间）")), (ALL_ROOMS, self.tr("全部房间"))):
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.room_list.addItem(item)
        for r in rooms:
            label = f"{r.room_key}  {r.title}" + (self.tr("  🔇已禁言") if r.muted else "")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, r.room_key)
            self.room_list.addItem(item)
        for i in range(self.room_list.count()):
            if self.room_list.item(i).data(Qt.ItemDataRole.UserRole) == self.feed_key:
                self.room_list.setCurrentRow(i)
                break
        self.room_list.blockSignals(False)
        self._filter_rooms(self.room_filter.text())

    def _filter_rooms(self, text: str) -> None:
        text = text.strip().lower()
        for i in range(self.room_list.count()):
            item = self.room_list.item(i)
            key = item.data(Qt.ItemDataRole.UserRole)
            item.setHidden(bool(text) and key not in (FLAGGED, ALL_ROOMS) and text not in item.text().lower())

    def _room_chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.load_feed(str(item.data(Qt.ItemDataRole.UserRole)))

    def select_feed(self, key: str) -> None:
        """Show a feed: FLAGGED, ALL_ROOMS or a room key (the room list follows)."""
        for i in range(self.room_list.count()):
            if self.room_list.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.room_list.setCurrentRow(i)   # -> load_feed
                return
        self.load_feed(key)

    def _feed_label(self) -> str:
        if self.feed_key == FLAGGED:
            return self.tr("全部标记消息（跨房间）")
        if self.feed_key == ALL_ROOMS:
            return self.tr("全部房间")
        r = self.rooms.get(self.feed_key)
        return f"{self.feed_key}  {r.title}" if r else self.feed_key

    # --- reading ------------------------------------------------------------------------

    def _room_arg(self) -> str | None:
        return None if self.feed_key in (FLAGGED, ALL_ROOMS) else self.feed_key

    def load_feed(self, key: str) -> None:
        """Switch to a feed: its latest lines from the database, then live."""
        self._generation += 1
        self._epoch += 1
        gen = self._generation
        self.feed_key = key
        self.tasks.cancel("read")
        self._read_timer.stop()
        self._flush_timer.stop()
        self._pending.clear()
        self._recent.clear()
        self.floods = self._new_tracker()
        self._deferred.clear()       # the other feed's held counts go with it
        self._group_shown.clear()
        self._read_again = False
        self.meter = FocusMeter()
        self.hidden = 0
        self.unseen = 0
        self.model.show_room = key in (FLAGGED, ALL_ROOMS)
        self.view.setColumnHidden(ROOM_COL, not self.model.show_room)
        self.feed_title.setText(self._feed_label())
        self._ready = False

        async def first() -> tuple[list[ChatLine], int]:
            last = await self._chat.last_id()   # first: a line committed during the read is not skipped
            if key == FLAGGED:
                lines = await self._chat.flagged(scan=FLAGGED_SCAN, limit=INITIAL)
            else:
                lines = await self._chat.latest(self._room_arg(), limit=INITIAL)
            return lines, last

        self.tasks.run("load", first(), on_done=lambda res: self._feed_loaded(gen, *res),
                       busy=self.tr("正在读取聊天…"))

    def _feed_loaded(self, gen: int, lines: list[ChatLine], last: int) -> None:
        if gen != self._generation:
            return
        self.read_cursor = max([last, *(ln.id for ln in lines)])
        self._recent.extend(lines)
        self._set_focus(self._decide_focus())
        self.model.replace_all(self._rows_for(lines)[0])
        self._deferred.clear()
        self.following = True
        self.view.clearSelection()
        self.view.scrollToBottom()
        self._update_banner()
        self._ready = True
        self.loaded.emit()
        self._start_read()  # whatever arrived while the first read ran

    def on_changes(self, changes: Changes) -> None:
        if changes.has("chat_rules"):   # words or regex rules changed (here or in another console)
            self.tasks.run("rules", self._live.load_rules())
        if changes.has("chat_moderation") or changes.has("chat_rooms"):   # mutes, whitelists, ladders
            self.tasks.run("rooms-quiet", self._chat.rooms(), on_done=self._fill_rooms)
        recalled = changes.topic("chat_recall")
        if recalled:   # recalled here or in another console: the line shows it wherever it is
            self.mark_recalled(recalled)
        if changes.has("chat"):
            self.wake()
        dlg = self.lists_dialog
        if dlg is not None and dlg.isVisible():
            dlg.on_changes(changes)

    def mark_recalled(self, msg_uids: Iterable[str]) -> int:
        """Lines of these msgUIDs show as recalled (the window, the queue and the recent lines); returns
        how many rows of the model changed."""
        uids = set(msg_uids)
        if not uids:
            return 0

        def fix(x: ChatLine) -> ChatLine:
            return replace(x, recalled=True) if x.msg_uid in uids and not x.recalled else x

        self._pending = [fix(x) for x in self._pending]
        self._recent = deque((fix(x) for x in self._recent), maxlen=self._recent.maxlen)
        return self.model.mark_recalled(uids)

    def wake(self) -> None:
        """New chat is in the database: read it now, or right after the read in flight. A hidden pane
        (another pane is shown) reads nothing; it starts again from the latest lines when shown."""
        if not self._ready:
            return
        if not self.isVisible():
            self._stale = True
            return
        if self.tasks.running("read") or self._read_timer.isActive():
            self._read_again = True
            return
        gap = self._clock() - self._last_read
        if gap < MIN_READ_GAP_S:
            self._read_timer.start(int((MIN_READ_GAP_S - gap) * 1000) + 1)
        else:
            self._start_read()

    def _start_read(self) -> None:
        if not self._ready or self.tasks.running("read"):
            return
        self._read_again = False
        self._last_read = self._clock()
        gen = self._generation
        self.tasks.run("read", self._live.newer(self.read_cursor, self._room_arg(), limit=PAGE),
                       on_done=lambda lines: self._lines_read(gen, lines))

    def _lines_read(self, gen: int, lines: list[ChatLine]) -> None:
        if gen != self._generation:
            return
        if lines:
            self.read_cursor = max(self.read_cursor, lines[-1].id)
            self.received_lines += len(lines)
            self.meter.add(len(lines), self._clock())
            if self.feed_key == FLAGGED:
                lines = [ln for ln in lines if ln.flagged]
            self._pending.extend(lines)
            if self._pending and not self._flush_timer.isActive():
                self._flush_timer.start()
        if self._read_again or len(lines) >= PAGE:
            self._read_again = False
            self.wake()

    # --- into the model (at most ~15 times a second) --------------------------------------

    def _decide_focus(self) -> bool:
        if self.focus_mode == FOCUS_ON:
            return True
        if self.focus_mode == FOCUS_OFF or self.feed_key == FLAGGED:
            return False
        return self.meter.focus

    @staticmethod
    def _new_tracker() -> FloodTracker:
        return FloodTracker(min_count=FLOOD_MIN, window_s=FLOOD_WINDOW_S, max_keys=FLOOD_KEYS)

    def _rows_for(self, lines: Sequence[ChatLine]) -> tuple[list[Row], FloodStep]:
        """New rows of a batch (singles, new flood rows; focus mode leaves out ordinary lines, counted in
        ``hidden``) and the tracker's step (flood rows already shown that grew). Single rows that joined
        a new flood leave the model here."""
        step = self.floods.feed(lines, self._clock())
        if step.absorbed:
            self.model.remove_keys({row_key(x) for x in step.absorbed})
        if not self.focus_active:
            return step.rows, step
        kept = [r for r in step.rows if isinstance(r, FloodGroup) or r.focus]
        self.hidden += len(step.rows) - len(kept)
        return kept, step

    def flush(self) -> None:
        """Move the queued lines into the model: one insert, then follow the newest line.

        A flood row that is already shown takes its new count at most every GROUP_REFRESH_S (a count
        running at 15 frames a second cannot be read, and each change repaints the row); the lines it
        counted meanwhile are placed when it does."""
        if self._committing:
            return   # the previous batch is still being rendered; its commit flushes again
        lines, self._pending = self._pending, []
        now = self._clock()
        due = [k for k, (_g, _x, at) in self._deferred.items() if now - at >= GROUP_REFRESH_S]
        if not lines and not due:
            self._schedule_deferred()
            return
        self.flush_times.append(now)
        self._recent.extend(lines)
        self._set_focus(self._decide_focus())
        anchor = "" if self.following else self._top_key()
        rows, step = self._rows_for(lines)
        placed: list[ChatLine] = []
        held: set[int] = set()
        updated: list[FloodGroup] = []
        for g in step.updated:
            k = row_key(g)
            joined = step.joined.get(g.serial, [])
            prev = self._deferred.pop(k, None)
            waiting = prev[1] + joined if prev is not None else joined
            since = prev[2] if prev is not None else self._group_shown.get(k, -GROUP_REFRESH_S)
            held.update(x.id for x in joined)   # placed with their group's count (now or later)
            if now - since >= GROUP_REFRESH_S:
                updated.append(g)
                placed += waiting
                self._group_shown[k] = now
            else:
                self._deferred[k] = (g, waiting, since)
        for k in due:
            if k in self._deferred:
                g, waiting, _at = self._deferred.pop(k)
                updated.append(g)
                placed += waiting
                self._group_shown[k] = now
        for r in rows:
            if isinstance(r, FloodGroup):
                self._group_shown[row_key(r)] = now
        fresh = [x for x in lines if x.id not in held] if held else lines
        self.hidden_total += len(step.rows) - len(rows)
        self.shown_lines += len(fresh) - (len(step.rows) - len(rows)) + len(placed)
        if len(self._group_shown) > 1000:   # only the last GROUP_REFRESH_S matters
            self._group_shown = {k: at for k, at in self._group_shown.items() if now - at < GROUP_REFRESH_S}
        batch: list[Row] = [*updated, *rows]
        ahead = self._to_render(batch)
        if len(ahead) > PRERENDER_SLICE:
            # render the rows this insert brings on screen a few per turn of the loop, then insert them:
            # the paint after the insert only blits (painting ~15 new rows at once held the UI thread 4–5 ms)
            self._committing = True
            self.tasks.run("commit", self._render_then_commit(self._epoch, ahead, batch, [*fresh, *placed], anchor))
        else:
            self._commit(batch, [*fresh, *placed], anchor)

    def _to_render(self, batch: Sequence[Row]) -> list[tuple[Row, str]]:
        """The rows of a batch that will be on screen after it is inserted (following the newest line)."""
        if not self.following or not self.view.isVisible():
            return []
        return [(r, row_key(r)) for r in batch[-self.view.rows_on_screen():]]

    async def _render_then_commit(self, epoch: int, ahead: list[tuple[Row, str]], batch: list[Row],
                                  lines: list[ChatLine], anchor: str) -> None:
        try:
            for i in range(0, len(ahead), PRERENDER_SLICE):
                if epoch != self._epoch:
                    break
                self.view.prerender(ahead[i:i + PRERENDER_SLICE])
                await asyncio.sleep(0)   # the loop answers timers, input and paints between slices
        finally:
            self._committing = False
        if epoch == self._epoch:
            self._commit(batch, lines, anchor)
        elif self.on_placed is not None:
            self.on_placed(lines)   # the window was rebuilt meanwhile from the recent lines, which hold these
        if self._pending and not self._flush_timer.isActive():
            self._flush_timer.start()

    def _commit(self, batch: list[Row], lines: list[ChatLine], anchor: str) -> None:
        """Insert a flushed batch into the model and follow the newest line (or keep the reader's place)."""
        if self.on_placed is not None:
            self.on_placed(lines)
        limit = self.model.capacity if self.following else self.model.capacity * 2
        inserted, _trimmed = self.model.append(batch, limit=limit, move=self.following)
        if self.following:
            self.view.scrollToBottom()
        else:
            if anchor:   # the lines being read stay where they are (rows above may have left the window)
                top = self.model.row_of_key(anchor)
                if top >= 0:
                    self.view.verticalScrollBar().setValue(top)
            self.unseen += inserted
        self._update_banner()
        self._schedule_deferred()

    def _flush_deferred_lines(self) -> None:
        """The feed is rebuilt or replaced: lines held for a flood row's next count are placed now (the
        new rows are built from the recent lines, which hold them)."""
        if self._deferred:
            waiting = [x for _g, lines, _at in self._deferred.values() for x in lines]
            self._deferred.clear()
            self.shown_lines += len(waiting)
            if self.on_placed is not None:
                self.on_placed(waiting)

    def _schedule_deferred(self) -> None:
        """Flood counts held back are shown when they are due, even if no new line comes."""
        if self._deferred and not self._deferred_timer.isActive():
            due = min(at for _g, _x, at in self._deferred.values()) + GROUP_REFRESH_S - self._clock()
            self._deferred_timer.start(max(1, int(due * 1000) + 1))

    def _top_key(self) -> str:
        top = self.view.indexAt(self.view.viewport().rect().topLeft()).row()
        return self.model._keys[top] if 0 <= top < len(self.model._keys) else ""

    def _set_focus(self, on: bool) -> None:
        if on != self.focus_active:
            self.focus_active = on
            self._update_banner()

    def set_focus_mode(self, mode: str) -> None:
        """auto / on / off (remembered); switching rebuilds the window from the recent lines."""
        if mode not in (FOCUS_AUTO, FOCUS_ON, FOCUS_OFF):
            return
        self.focus_mode = mode
        i = self.focus_box.findData(mode)
        if i >= 0 and self.focus_box.currentIndex() != i:
            self.focus_box.setCurrentIndex(i)
            return  # -> currentIndexChanged -> here again
        on = self._decide_focus()
        if on != self.focus_active:
            self.focus_active = on
            self._rebuild()

    def _rebuild(self) -> None:
        self._epoch += 1   # a batch being rendered is dropped: the recent lines hold its lines
        self.hidden = 0
        self.floods = self._new_tracker()
        self._flush_deferred_lines()
        self.model.replace_all(self._rows_for(list(self._recent))[0])
        if self.following:
            self.view.scrollToBottom()
        self._update_banner()

    def _on_tick(self) -> None:
        # a quiet feed leaves focus mode (the meter decays) without waiting for new lines
        self.meter.add(0, self._clock())
        was = self.focus_active
        self._set_focus(self._decide_focus())
        if was and not self.focus_active and self.focus_mode == FOCUS_AUTO and self.following:
            self._rebuild()  # the hidden lines come back (never under a reader's eyes)
        self._update_banner()

    def _update_banner(self) -> None:
        rate = self.meter.rate(self._clock())
        self.rate_label.setText(self.tr("%1 条/秒").replace("%1", f"{rate:,.0f}"))
        if self.focus_active and self.focus_mode == FOCUS_ON:
            self.focus_banner.setText(
                self.tr("专注模式（手动开启，%1 条/秒）：仅显示标记、首次发言和新账号消息，刷屏已合并；已隐藏 %2 条")
                .replace("%1", f"{rate:,.0f}").replace("%2", f"{self.hidden:,}"))
            self.focus_banner.show()
        elif self.focus_active:
            self.focus_banner.setText(
                self.tr("专注模式：消息过快（%1 条/秒），仅显示标记、首次发言和新账号消息，刷屏已合并；已隐藏 %2 条")
                .replace("%1", f"{rate:,.0f}").replace("%2", f"{self.hidden:,}"))
            self.focus_banner.show()
        else:
            self.focus_banner.hide()
        if self.following or self.unseen == 0:
            self.new_btn.hide()
        else:
            self.new_btn.setText(self.tr("%1 条新消息 ↓").replace("%1", f"{self.unseen:,}"))
            self.new_btn.show()

    # --- auto-scroll -----------------------------------------------------------------------

    def _at_bottom(self) -> bool:
        sb = self.view.verticalScrollBar()
        return sb.value() >= sb.maximum() - 1

    def _update_follow(self) -> None:
        paused = self.view.hovered or self.view.selectionModel().hasSelection() or not self._at_bottom()
        follow = not paused
        if follow != self.following:
            self.following = follow
            if follow:
                self.unseen = 0
            self._update_banner()

    def resume_following(self) -> None:
        """The "N 条新消息" button: clear the selection and jump to the newest line."""
        self.view.clearSelection()
        self.view.setCurrentIndex(QModelIndex())
        self.unseen = 0
        self.view.scrollToBottom()
        self.following = True
        self._update_follow()
        self._update_banner()

    # --- selection, detail and clicks ----------------------------------------------------------

    def current_row(self) -> Row | None:
        idx = self.view.currentIndex()
        if not idx.isValid() or not self.view.selectionModel().isRowSelected(idx.row(), QModelIndex()):
            return None
        return self.model.row_at(idx.row())

    def _on_current(self, row: int) -> None:
        r = self.model.row_at(row)
        if r is None:
            return
        s = _sample(r)
        head = f"{s.sent_at.astimezone():%Y-%m-%d %H:%M:%S} · {self.tr('房间')} {s.room_key} · "
        if isinstance(r, FloodGroup):
            if r.more_senders:
                head += self.tr("%1 条相似消息，发送者超过 %2 人（操作只作用于最先的 %2 人）").replace(
                    "%1", f"{r.count:,}").replace("%2", str(len(r.senders)))
            else:
                head += self.tr("%1 条相似消息，%2 个发送者（操作将作用于全部发送者）").replace(
                    "%1", f"{r.count:,}").replace("%2", str(len(r.senders)))
        else:
            head += f"{self.tr('用户')} {s.sender}" + (f" (ID {s.user_id})" if s.user_id is not None else "")
            if s.flags:
                head += " · " + self.tr("标记：") + flag_text(s)
        size = self.tr("（共 %1 字）").replace("%1", f"{len(s.text):,}") if len(s.text) > CELL_CHARS else ""
        self.detail.setText(head + "\n" + s.display + size)

    def _select(self, i: int) -> None:
        if 0 <= i < self.model.rowCount():
            idx = self.model.index(i, TEXT_COL)
            self.view.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.view.scrollTo(idx)

    def _on_clicked(self, idx: QModelIndex) -> None:
        r = self.model.row_at(idx.row())
        if r is None:
            return
        if idx.column() == USER_COL and not isinstance(r, FloodGroup):
            self.open_user_of(r)
        elif idx.column() == ROOM_COL:
            s = _sample(r)
            rid = s.room_id if s.room_id is not None else (self.rooms[s.room_key].room_id
                                                          if s.room_key in self.rooms else None)
            if rid is not None:
                self.open_room.emit(int(rid))
            else:
                self.message_bar.show_message(self.tr("此聊天室没有对应的平台房间：") + s.room_key, "info",
                                              timeout_ms=4000)

    def open_user_of(self, line: ChatLine) -> None:
        if line.user_id is not None:
            self.open_user.emit(int(line.user_id))
        else:
            self.message_bar.show_message(self.tr("发送者不是平台用户：") + line.sender, "info", timeout_ms=4000)

    # --- triage ---------------------------------------------------------------------------

    def _on_key(self, key: str) -> None:
        idx = self.view.currentIndex()
        selected = idx.isValid() and self.view.selectionModel().isRowSelected(idx.row(), QModelIndex())
        cur = idx.row() if selected else -1
        n = self.model.rowCount()
        if key == "next":
            self._select(min(n - 1, cur + 1) if cur >= 0 else max(0, n - 1))
        elif key == "prev":
            self._select(max(0, cur - 1) if cur >= 0 else max(0, n - 1))
        elif key == "clear":
            self.resume_following()
        elif key == "pass":
            self.pass_current()
        elif key == "undo":
            self.undo_last()
        elif key == "user":
            r = self.current_row()
            if isinstance(r, ChatLine):
                self.open_user_of(r)
        elif key.isdigit():
            self.punish_current(int(key))

    def ladder_for(self, row: Row) -> tuple[LadderStep, ...]:
        room = self.rooms.get(_sample(row).room_key) if isinstance(row, ChatLine) or row.room_key else None
        return room.ladder if room is not None and room.ladder else DEFAULT_LADDER

    def pass_current(self) -> None:
        """Enter: the line is fine; mark it and move on (nothing is sent)."""
        r = self.current_row()
        if r is None:
            return
        self.model.mark(row_key(r), self.tr("✓ 通过"))
        cur = self.view.currentIndex().row()
        if cur + 1 < self.model.rowCount():
            self._select(cur + 1)

    def punish_current(self, number: int, *, reason: str | None = None) -> ReasonChooser | None:
        """A ladder number key: ask the reason (Enter/digit), then send the action.

        With ``reason`` given nothing is asked (tests, scripts). Returns the open chooser.
        """
        r = self.current_row()
        if r is None:
            self.message_bar.show_message(self.tr("请先用 J/K 选择一条消息"), "warning", timeout_ms=3000)
            return None
        step = next((s for s in self.ladder_for(r) if s.key == number), None)
        if step is None:
            return None
        target = self._target_label(r)
        if reason is not None:
            self._send(r, step, reason)
            return None
        dlg = ReasonChooser(ladder_text(step), target, suggested_reason(r), self)
        self.reason_dialog = dlg

        def chosen(code: int) -> None:
            self.reason_dialog = None
            if code == QDialog.DialogCode.Accepted:
                self._send(r, step, dlg.reason())
            self.view.setFocus()

        dlg.finished.connect(chosen)
        dlg.open()
        return dlg

    def _target_label(self, r: Row) -> str:
        if isinstance(r, FloodGroup):
            if r.more_senders:
                return self.tr("%2 条相似消息中最先的 %1 个发送者").replace("%1", str(len(r.senders))).replace(
                    "%2", f"{r.count:,}")
            return self.tr("%1 个发送者的 %2 条相似消息").replace("%1", str(len(r.senders))).replace(
                "%2", f"{r.count:,}")
        return f"{r.sender}: {cut(r.display, 40)}"

    def _send(self, r: Row, step: LadderStep, reason: str) -> None:
        key = row_key(r)
        self.model.mark(key, self.tr("处理中：") + ladder_text(step))
        task = self.tasks.run(f"act:{key}:{step.key}", self._mod.punish(r, step, reason=reason),
                              on_done=lambda out: self._acted(key, step, out))
        self.done.append(_Done(task=task, at=self._clock(), label=ladder_text(step), row_key=key, reason=reason,
                               action=step.action))
        del self.done[:-20]
        # a failure leaves the row unmarked again (the message bar says why)
        task.add_done_callback(lambda t: None if (not t.cancelled() and t.exception() is None)
                               else self._unmark(key))
        cur = self.view.currentIndex().row()
        if cur + 1 < self.model.rowCount():
            self._select(cur + 1)

    def _unmark(self, key: str) -> None:
        self.model.status.pop(key, None)
        i = self.model.row_of_key(key)
        if i >= 0:
            self.model.dataChanged.emit(self.model.index(i, 0), self.model.index(i, len(COLUMNS) - 1))

    def _acted(self, key: str, step: LadderStep, out: Outcome) -> None:
        label = ladder_text(step)
        if isinstance(out, BulkResult):
            ok, total = len(out.done), len(out.records)
            if out.ok:
                self.model.mark(key, self.tr("已%1（%2 人）").replace("%1", label).replace("%2", str(total)))
                self.message_bar.show_message(
                    self.tr("已%1：%2 人 — Ctrl+Z 撤销").replace("%1", label).replace("%2", str(total)), "info",
                    timeout_ms=int(UNDO_SECONDS * 1000))
            else:
                failed = [r for r in out.not_done if r.state == "failed"]
                head = self.tr("部分完成") if ok else (self.tr("失败") if len(failed) == total else self.tr("排队重试"))
                self.model.mark(key, f"{head} {ok}/{total}")
                self.message_bar.show_message(
                    self.tr("%1：%2/%3 人已完成，%4 人排队重试，%5 人失败（见操作队列）").replace("%1", label)
                    .replace("%2", str(ok)).replace("%3", str(total))
                    .replace("%4", str(len(out.not_done) - len(failed))).replace("%5", str(len(failed))),
                    "warning")
            return
        if out.state == "done":
            self.model.mark(key, self.tr("已") + label)
            self.message_bar.show_message(self.tr("已%1 — Ctrl+Z 撤销").replace("%1", label), "info",
                                          timeout_ms=int(UNDO_SECONDS * 1000))
        elif out.state == "pending":
            self.model.mark(key, self.tr("排队重试：") + label)
            self.message_bar.show_message(self.tr("已排队，将自动重试：") + (out.last_error or ""), "warning")
        else:
            self._unmark(key)
            self.message_bar.show_message(self.tr("操作失败：") + (out.last_error or ""), "error")

    def undo_last(self) -> None:
        """Ctrl+Z: the reverse of the newest action sent from here, within UNDO_SECONDS of its key press."""
        now = self._clock()
        entry = next((d for d in reversed(self.done) if not d.undone), None)
        if entry is None or now - entry.at > UNDO_SECONDS:
            self.message_bar.show_message(self.tr("没有可撤销的操作（仅限 %1 秒内）").replace(
                "%1", f"{UNDO_SECONDS:.0f}"), "info", timeout_ms=3000)
            return
        entry.undone = True
        if entry.action == "recall":
            self.message_bar.show_message(self.tr("撤回的消息无法恢复（融云不支持撤销撤回）"), "warning",
                                          timeout_ms=4000)
            return
        reason = self.tr("撤销：") + entry.reason

        async def reverse() -> Outcome:
            out = await entry.task   # still in flight: reverse it once it is done
            return await self._mod.undo(out, reason=reason)

        def undone(_out: Outcome) -> None:
            self._unmark(entry.row_key)
            self.model.mark(entry.row_key, self.tr("已撤销：") + entry.label)
            self.message_bar.show_message(self.tr("已撤销：") + entry.label, "info", timeout_ms=4000)

        self.tasks.run(f"undo:{entry.row_key}", reverse(), on_done=undone)

    # --- lists ------------------------------------------------------------------------------

    def open_lists(self) -> ChatListsDialog:
        room = self._room_arg()
        dlg = ChatListsDialog(self._chat, self._mod, rooms=list(self.rooms.values()), room_key=room, parent=self)
        dlg.open()
        self.lists_dialog = dlg
        return dlg

    # --- the screenshot and the benchmark ------------------------------------------------------

    async def load_showcase(self, *, timeout: float = 40.0, live_wait: float = 12.0) -> None:
        """The README screenshot: the busiest room of the live traffic in focus mode with a flood row and a
        flagged line selected. Without live traffic for ``live_wait`` seconds: every room's stored lines
        with focus mode switched on. Raises TimeoutError after ``timeout`` (saying what was missing)."""
        try:
            await self._showcase(timeout, live_wait)
        except TimeoutError:
            raise TimeoutError(
                f"chat showcase: ready={self.is_ready()} feed={self.feed_key!r} focus={self.focus_active} "
                f"rate={self.meter.rate(self._clock()):.1f}/s rows={len(self.model.rows)} "
                f"flood rows={len(self.model.flood_rows())}") from None
        flagged = [i for i, r in enumerate(self.model.rows) if isinstance(r, ChatLine) and r.flagged]
        if flagged:
            self._select(flagged[-1])

    async def _showcase(self, timeout: float, live_wait: float) -> None:
        async with asyncio.timeout(timeout):
            if not self._started:
                self.start()
            while not self.is_ready():
                await asyncio.sleep(0.05)
            counts: dict[str, int] = {}
            give_up = self._clock() + live_wait
            while not counts and self._clock() < give_up:   # the busiest room now (not in the history)
                since = datetime.now(UTC) - timedelta(seconds=15)
                for ln in await self._chat.latest(None, limit=2000):
                    if ln.sent_at >= since:
                        counts[ln.room_key] = counts.get(ln.room_key, 0) + 1
                if not counts:
                    await asyncio.sleep(0.5)
            if counts:
                self.select_feed(max(counts, key=lambda k: counts[k]))
                await asyncio.sleep(0.1)
                forced_at = self._clock() + live_wait
                while not (self.is_ready() and self.focus_active and self.model.flood_rows()):
                    if self._clock() > forced_at and not self.focus_active:
                        self.set_focus_mode(FOCUS_ON)   # the room is slower than the automatic threshold
                    await asyncio.sleep(0.1)
            else:
                self.set_focus_mode(FOCUS_ON)
                self.select_feed(ALL_ROOMS)
                await asyncio.sleep(0.1)
                while not self.is_ready():
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)

    # --- layout kept between runs -------------------------------------------------------------

    def save_state(self, s: QSettings) -> None:
        s.setValue("chat/splitter", self.splitter.saveState())
        s.setValue("chat/vsplit", self.vsplit.saveState())
        s.setValue("chat/header", self.view.horizontalHeader().saveState())
        s.setValue("chat/focus_mode", self.focus_mode)
        s.setValue("chat/feed", "" if self.feed_key in (FLAGGED, ALL_ROOMS) else self.feed_key)

    def restore_state(self, s: QSettings) -> None:
        if (v := s.value("chat/splitter")) is not None:
            self.splitter.restoreState(v)
        if (v := s.value("chat/vsplit")) is not None:
            self.vsplit.restoreState(v)
        if (v := s.value("chat/header")) is not None:
            self.view.horizontalHeader().restoreState(v)
        mode = s.value("chat/focus_mode")
        if isinstance(mode, str):
            self.set_focus_mode(mode)
        feed = s.value("chat/feed")
        if isinstance(feed, str) and feed:
            self.feed_key = feed


__all__ = ["ALL_ROOMS", "FLAGGED", "ChatFeedModel", "ChatPane", "FeedView", "ReasonChooser", "row_key", "suggested_reason"]
