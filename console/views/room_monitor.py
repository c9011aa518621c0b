"""Room monitor (moderators): every live room with its health, ranked by risk; cut and resume.

Rows are fed by diffs (:meth:`RoomTableModel.apply`): changed cells emit ``dataChanged`` per
contiguous run, new rooms are appended, ended rooms removed — never a model reset, so 10,000
rooms refresh without freezing the window. Keys: X cuts the selected room (dialog with preset
reasons and durations, the default focused, Enter confirms), R resumes, Ctrl+F filters.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDateTime,
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFontMetrics,
    QIcon,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QSystemTrayIcon,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import ActionRecord, ActionStatus, AlertKind, Changes
from console.errors import ConsoleError
from console.services.actions import ActionService
from console.services.monitor import RoomMonitor, RoomRow, RowDiff, Snapshot, diff_rows
from console.services.video.playback import ROOM_MIME, room_ref_from_row
from console.views.feedback import MessageBar
from console.views.models import visible_rows
from console.views.tasks import TaskRunner

log = logging.getLogger(__name__)
_Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

_DISPLAY = Qt.ItemDataRole.DisplayRole
_DISPLAY_ONLY = [_DISPLAY]
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_GREY, _RED, _PINK = QColor("#8a8a8a"), QColor("#b3261e"), QColor("#fdecea")

#: Above this many rows moving in one refresh, one layout change is cheaper than single moves.
BULK_LIMIT = 64

COLUMNS = ("thumb", "room", "streamer", "category", "state", "alerts", "risk", "viewers", "video_kbps",
           "audio_kbps", "fps", "resolution", "keyframe", "uptime")
_ALERT_COLUMNS = frozenset(COLUMNS.index(c) for c in ("alerts", "risk", "state"))
ROW_HEIGHT = 36
THUMB = QSize(60, 34)  # 16:9 in a 36 px row
#: Columns drawn right-aligned (numbers).
_RIGHT = frozenset(COLUMNS.index(c) for c in ("risk", "viewers", "video_kbps", "audio_kbps", "fps", "keyframe",
                                               "uptime"))
_THUMB_COL = COLUMNS.index("thumb")



def _tr(text: str) -> str:
    return QCoreApplication.translate("RoomMonitor", text)


def _alert_text(a: AlertKind) -> str:
    return {AlertKind.OFFLINE: _tr("掉线"), AlertKind.BITRATE_DROP: _tr("码率骤降"), AlertKind.FPS_DROP: _tr("帧率下降"),
            AlertKind.KEYFRAME: _tr("关键帧间隔>4s"), AlertKind.VIEWER_SPIKE: _tr("观众激增")}[a]


def _state_text(state: str) -> str:
    return {"live": _tr("直播中"), "cut": _tr("已切断"), "offline": _tr("掉线")}.get(state, state)


def _uptime(s: float) -> str:
    s = int(s)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def cell(row: RoomRow, col: str) -> tuple[str, Any]:
    """(display text, sort key) of one cell — pure, so diffs compare cheaply."""
    h, r = row.health, row.room
    if col == "thumb":
        return "", 0
    if col == "room":
        return (f"{r.id} {r.title}" if r else row.stream), (r.id if r else 0)
    if col == "streamer":
        return (r.streamer if r else ""), (r.streamer if r else "")
    if col == "category":
        return (r.category if r else ""), (r.category if r else "")
    if col == "state":
        return _state_text(row.state), row.state
    if h is None:
        return "", -1
    if col == "viewers":
        return f"{h.viewers:,}", h.viewers
    if col == "video_kbps":
        return f"{h.video_kbps:,.0f}", h.video_kbps
    if col == "audio_kbps":
        return f"{h.audio_kbps:,.0f}", h.audio_kbps
    if col == "fps":
        return f"{h.fps:.1f}", h.fps
    if col == "resolution":
        return (f"{h.width}×{h.height}" if h.width else ""), h.width * h.height
    if col == "keyframe":
        k = h.keyframe_interval_s
        return ("" if k is None else f"{k:.1f}s"), (k if k is not None else -1)
    if col == "uptime":
        return _uptime(h.uptime_s), h.uptime_s
    if col == "alerts":
        return "、".join(_alert_text(a) for a in sorted(row.alerts)), len(row.alerts)
    if col == "risk":
        return (f"{row.risk:.0f}" if row.risk else ""), row.risk
    raise KeyError(col)


_NO_START = float("inf")


def sort_value(row: RoomRow, col: str) -> Any:
    """The sort key of one cell without formatting its text. Uptime sorts by the start time (newest
    first is shortest), which does not move as the clock runs: a refresh only moves rows that changed."""
    h = row.health
    if col == "risk":
        return row.risk
    if col == "uptime":
        if h is None:
            return -_NO_START
        return -h.started_at.timestamp() if h.started_at is not None else -_NO_START
    if col in ("thumb", "room", "streamer", "category", "state", "alerts"):
        return cell(row, col)[1]
    if h is None:
        return -1
    if col == "viewers":
        return h.viewers
    if col == "video_kbps":
        return h.video_kbps
    if col == "audio_kbps":
        return h.audio_kbps
    if col == "fps":
        return h.fps
    if col == "resolution":
        return h.width * h.height
    if col == "keyframe":
        return h.keyframe_interval_s if h.keyframe_interval_s is not None else -1
    raise KeyError(col)


class RoomTableModel(QAbstractTableModel):
    """Rows keyed by ``provider/stream``, sorted and filtered here (no proxy).

    :meth:`apply` takes a snapshot and its diff (computed off the UI thread by
    :func:`console.services.monitor.diff_rows`) and turns it into minimal signals: removals and
    insertions for rooms that ended or started, ``dataChanged`` for the changed span, and a
    ``layoutChanged`` only when the order really moved. Display strings are computed lazily for
    the rows a view asks about.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.all: dict[str, RoomRow] = {}
        self._store: list[list[Any]] = []  # slots [row, sort key]
        self._keys: list[tuple[Any, str]] = []
        self._slot: dict[str, list[Any]] = {}
        self._cells: dict[str, list[tuple[str, Any]]] = {}
        self.sort_column = COLUMNS.index("risk")
        self.sort_order = Qt.SortOrder.DescendingOrder
        self.text = ""
        self.only = "all"
        labels = {"thumb": self.tr("画面"), "room": self.tr("房间"), "streamer": self.tr("主播"), "category": self.tr("分类"),
                  "state": self.tr("状态"), "alerts": self.tr("告警"), "risk": self.tr("风险"),
                  "viewers": self.tr("观众"), "video_kbps": self.tr("视频 kbps"), "audio_kbps": self.tr("音频 kbps"),
                  "fps": self.tr("帧率"), "resolution": self.tr("分辨率"), "keyframe": self.tr("关键帧"),
                  "uptime": self.tr("时长")}
        self.headers = [labels[c] for c in COLUMNS]

    # --- Qt model API ---
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._store)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def _row_cells(self, row: RoomRow) -> list[tuple[str, Any]]:
        c = self._cells.get(row.key)
        if c is None:
            c = self._cells[row.key] = [cell(row, col) for col in COLUMNS]
        return c

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks ~8 roles per cell on every paint: answer the common "nothing" fast.
        if role == _DISPLAY:
            return self._row_cells(self._row(index.row()))[index.column()][0]
        if role == _FOREGROUND:
            row = self._row(index.row())
            if row.state == "cut":
                return _GREY
            if row.alerts and index.column() in _ALERT_COLUMNS:
                return _RED
            return None
        if role == _BACKGROUND:
            return _PINK if self._row(index.row()).alerts else None
        if role == SORT_ROLE:
            return self._row_cells(self._row(index.row()))[index.column()][1]
        if role == Qt.ItemDataRole.UserRole:
            return self._row(index.row()).key
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        f = super().flags(index)
        return f | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else f

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [ROOM_MIME]

    def mimeData(self, indexes: Any) -> QMimeData:  # noqa: N802
        """A room dragged to the multi-view wall."""
        rows = sorted({i.row() for i in indexes if i.isValid()})
        md = QMimeData()
        if not rows:
            return md
        ref = room_ref_from_row(self._row(rows[0]))
        md.setData(ROOM_MIME, ref.to_json())
        md.setText(ref.label)
        return md

    def multiData(self, index: _Index, span: Any) -> None:  # noqa: N802
        """All the roles a delegate asks for one cell, in one call (Qt 6's ``initStyleOption`` asks ~7 roles
        per cell: answering them one by one through ``data`` costs the paint as much as drawing)."""
        row = self._row(index.row())
        col = index.column()
        for k in range(len(span)):
            rd = span[k]
            role = rd.role()
            if role == _DISPLAY:
                rd.setData(self._row_cells(row)[col][0])
            elif role == _FOREGROUND:
                if row.state == "cut":
                    rd.setData(_GREY)
                elif row.alerts and col in _ALERT_COLUMNS:
                    rd.setData(_RED)
                else:
                    rd.clearData()
            elif role == _BACKGROUND:
                if row.alerts:
                    rd.setData(_PINK)
                else:
                    rd.clearData()
            else:
                rd.clearData()

    # --- sorting and filtering ---
    def _accepts(self, row: RoomRow) -> bool:
        if self.only == "alerts" and not row.alerts:
            return False
        if self.only in ("live", "cut") and row.state != self.only:
            return False
        if self.text:
            r = row.room
            hay = f"{row.stream} {r.id if r else ''} {r.title if r else ''} {r.streamer if r else ''} " \
                  f"{r.category if r else ''}".lower()
            return self.text in hay
        return True

    def _sort_key(self, row: RoomRow) -> tuple[Any, str]:
        return (sort_value(row, COLUMNS[self.sort_column]), row.key)

    # --- storage: ``_store`` ascending by sort key, as slots ``[row, key]`` (``_slot`` finds one by room key,
    # so a row changed in place is replaced without a search); ``_keys`` the keys, for bisect; descending
    # views map indexes ---
    def _view_row(self, p: int) -> int:
        return len(self._store) - 1 - p if self._desc else p

    def _remove_at(self, p: int) -> None:
        v = self._view_row(p)
        self.beginRemoveRows(QModelIndex(), v, v)
        slot = self._store.pop(p)
        del self._keys[p]
        self._slot.pop(slot[0].key, None)
        self.endRemoveRows()

    def _remove_key(self, key: str) -> bool:
        slot = self._slot.get(key)
        if slot is None:
            return False
        p = bisect.bisect_left(self._keys, slot[1])
        assert self._store[p] is slot
        self._remove_at(p)
        return True

    def _insert(self, row: RoomRow, k: tuple[Any, str] | None = None) -> None:
        k = self._sort_key(row) if k is None else k
        p = bisect.bisect_left(self._keys, k)
        v = p if self.sort_order != Qt.SortOrder.DescendingOrder else len(self._store) - p
        self.beginInsertRows(QModelIndex(), v, v)
        slot: list[Any] = [row, k]
        self._store.insert(p, slot)
        self._keys.insert(p, k)
        self._slot[row.key] = slot
        self.endInsertRows()

    def _rebuild(self, visible: list[RoomRow]) -> None:
        keyed = sorted(((self._sort_key(r), r) for r in visible), key=lambda t: t[0])
        self._store = [[r, k] for k, r in keyed]
        self._keys = [k for k, _ in keyed]
        self._slot = {slot[0].key: slot for slot in self._store}

    @property
    def rows(self) -> list[RoomRow]:
        """Visible rows in view order (a copy: for tests and the screenshot)."""
        rows = [slot[0] for slot in self._store]
        return rows[::-1] if self._desc else rows

    def _row(self, v: int) -> RoomRow:
        return self._store[-1 - v][0] if self._desc else self._store[v][0]  # type: ignore[no-any-return]

    @property
    def _desc(self) -> bool:
        return self.sort_order == Qt.SortOrder.DescendingOrder

    # --- refresh by diffs ---
    def apply(self, new_rows: list[RoomRow], diff: RowDiff | None = None, *,
              visible: tuple[int, int] | None = None) -> tuple[int, int, int]:
        """Bring the model to ``new_rows``; returns (changed in place, inserted, removed) visible rows.

        ``visible``: the view rows on screen (first, last), a hint: rows changed in place there get
        one ``dataChanged`` per run of adjacent rows, the rest one wide signal above and one below,
        which a table repaints only where it meets its viewport. Without it, one signal for all rows.
        """
        if diff is None:
            diff = diff_rows(self.all, new_rows)
        old = self.all
        cells = self._cells
        slots = self._slot
        col = COLUMNS[self.sort_column]
        plain = not self.text and self.only == "all"
        accepts = self._accepts
        plan = []
        moving = 0
        for r in diff.changed:
            key = r.key
            slot = slots.get(key)
            kn = (sort_value(r, col), key)
            an = True if plain else accepts(r)
            mv = (slot is not None) != an or (slot is not None and slot[1] != kn)
            moving += mv
            plan.append((r, slot, kn, an, mv))
        if moving + len(diff.added) + len(diff.removed) > BULK_LIMIT:
            return self._apply_bulk(diff)
        removed = inserted = 0
        for k in diff.removed:
            old.pop(k, None)
            cells.pop(k, None)
            removed += self._remove_key(k)
        staying: set[str] = set()
        for r, slot, kn, an, mv in plan:
            key = r.key
            old[key] = r
            cells.pop(key, None)
            if mv:
                if slot is not None:
                    removed += self._remove_key(key)
                if an:
                    self._insert(r, kn)
                    inserted += 1
            elif slot is not None:
                slot[0] = r
                staying.add(key)
        for r in diff.added:
            old[r.key] = r
            if accepts(r):
                self._insert(r)
                inserted += 1
        self._emit_changed(staying, visible, margin=inserted + removed)
        return len(staying), inserted, removed

    def _emit_changed(self, keys: set[str], visible: tuple[int, int] | None, *, margin: int) -> None:
        """``dataChanged`` for the rows of ``keys`` (changed in place), read against the final order: one
        per run of adjacent rows inside ``visible`` (widened by ``margin``), one wide signal for the rows
        above it and one for those below when some changed row lies outside (a superset, which the model
        API allows, and which a table repaints only where it meets its viewport)."""
        n = len(self._store)
        if not keys or not n:
            return
        last_col = len(COLUMNS) - 1
        if visible is None:
            self.dataChanged.emit(self.index(0, 0), self.index(n - 1, last_col), _DISPLAY_ONLY)
            return
        first, last = max(0, visible[0] - margin), min(n - 1, visible[1] + margin)
        rows = [v for v in range(first, last + 1) if self._row(v).key in keys]
        if len(rows) < len(keys):
            if first > 0:
                self.dataChanged.emit(self.index(0, 0), self.index(first - 1, last_col), _DISPLAY_ONLY)
            if last < n - 1:
                self.dataChanged.emit(self.index(last + 1, 0), self.index(n - 1, last_col), _DISPLAY_ONLY)
        i, m = 0, len(rows)
        while i < m:
            lo = hi = rows[i]
            while i + 1 < m and rows[i + 1] == hi + 1:
                i += 1
                hi = rows[i]
            self.dataChanged.emit(self.index(lo, 0), self.index(hi, last_col), _DISPLAY_ONLY)
            i += 1

    def _apply_bulk(self, diff: RowDiff) -> tuple[int, int, int]:
        """Many rows move (a sort on a column that changes every refresh): one layout change."""
        for k in diff.removed:
            self.all.pop(k, None)
            self._cells.pop(k, None)
        for r in (*diff.changed, *diff.added):
            self.all[r.key] = r
            self._cells.pop(r.key, None)
        visible = [r for r in self.all.values() if self._accepts(r)]
        if not self._store and visible:  # the first load: one insertion
            self.beginInsertRows(QModelIndex(), 0, len(visible) - 1)
            self._rebuild(visible)
            self.endInsertRows()
            return 0, len(visible), 0
        if len(visible) != len(self._store):
            self.beginResetModel()
            self._rebuild(visible)
            self.endResetModel()
            return len(diff.changed), len(diff.added), len(diff.removed)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        keys = [self._row(i.row()).key for i in persistent]
        self._rebuild(visible)
        if persistent:
            pos = {r.key: n for n, r in enumerate(self.rows)}
            self.changePersistentIndexList(persistent, [self.index(pos.get(k, 0), i.column())
                                                        for k, i in zip(keys, persistent, strict=True)])
        self.layoutChanged.emit()
        return len(diff.changed), len(diff.added), len(diff.removed)

    def reset_to(self, new_rows: list[RoomRow]) -> None:
        """The baseline the benchmark compares against: a full reset."""
        self.beginResetModel()
        self.all = {r.key: r for r in new_rows}
        self._cells.clear()
        self._rebuild([r for r in new_rows if self._accepts(r)])
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        keys = [self._row(i.row()).key for i in persistent]
        self.sort_column, self.sort_order = column, order
        self._rebuild([slot[0] for slot in self._store])
        if persistent:
            pos = {r.key: n for n, r in enumerate(self.rows)}
            self.changePersistentIndexList(persistent, [self.index(pos.get(k, 0), i.column())
                                                        for k, i in zip(keys, persistent, strict=True)])
        self.layoutChanged.emit()

    def set_filter(self, text: str, only: str) -> None:
        """A person changed the filter: rebuild the visible list (a reset is fine here)."""
        self.beginResetModel()
        self.text, self.only = text.strip().lower(), only
        self._rebuild([r for r in self.all.values() if self._accepts(r)])
        self.endResetModel()

    def row_for(self, key: str) -> RoomRow | None:
        return self.all.get(key)


class Thumbnails:
    """Screenshots per room, fetched lazily: only rows that are painted ask for theirs, at most
    ``parallel`` at a time, again after ``max_age_s``. ``changed`` is called when one arrives."""

    def __init__(self, monitor: RoomMonitor, tasks: TaskRunner, changed: Callable[[], None], *,
                 parallel: int = 3, max_age_s: float = 30.0, retry_s: float = 3.0) -> None:
        self._monitor = monitor
        self._tasks = tasks
        self._changed = changed
        self._parallel = parallel
        self._max_age = max_age_s
        self._retry = retry_s
        self._pix: dict[str, tuple[float, QPixmap | None]] = {}
        self._queue: dict[str, RoomRow] = {}
        self._busy: set[str] = set()

    def get(self, row: RoomRow) -> QPixmap | None:
        got = self._pix.get(row.key)
        now = time.monotonic()
        # none yet (a stream just started): ask again soon; a picture: refresh it now and then
        stale = got is None or now - got[0] > (self._max_age if got[1] is not None else self._retry)
        if stale and row.provider and row.health is not None:
            self.want(row)
        return got[1] if got is not None else None

    def want(self, row: RoomRow) -> None:
        if row.key in self._busy or row.key in self._queue:
            return
        self._queue[row.key] = row
        self._pump()

    def _pump(self) -> None:
        while self._queue and len(self._busy) < self._parallel:
            key, row = self._queue.popitem()
            self._busy.add(key)
            self._pix.setdefault(key, (time.monotonic(), None))
            self._tasks.run(f"thumb:{key}", self._load(row))

    async def _load(self, row: RoomRow) -> None:
        try:
            got = await self._monitor.thumbnail(row.provider, row.stream)
        except ConsoleError as e:
            log.info("no thumbnail for %s: %s", row.key, e)  # the cell stays empty; tried again later
            got = None
        finally:
            self._busy.discard(row.key)
        pm: QPixmap | None = None
        if got is not None:
            pm = QPixmap()
            if pm.loadFromData(got[1]):
                pm = pm.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
            else:
                pm = None
        old = self._pix.get(row.key)
        if pm is not None or old is None or old[1] is None:
            self._pix[row.key] = (time.monotonic(), pm)
        else:  # keep the last picture when a refresh finds none
            self._pix[row.key] = (time.monotonic(), old[1])
        if pm is not None:
            self._changed()
        self._pump()

    def forget(self, keep: set[str]) -> None:
        for k in [k for k in self._pix if k not in keep]:
            del self._pix[k]


class RoomDelegate(QStyledItemDelegate):
    """Paints the room table's cells directly: the text from the model's cell cache (elided once per
    text and width), colours by state and alert, the thumbnail. Qt's default delegate lays out every
    cell's text with a QTextLayout and asks the model for seven roles; that cost more than the rest
    of a refresh."""

    def __init__(self, model: RoomTableModel, thumbs: Thumbnails | None, parent: QWidget) -> None:
        super().__init__(parent)
        self._model = model
        self._thumbs = thumbs
        self._fm = QFontMetrics(parent.font())
        self._base = (self._fm.ascent() - self._fm.descent())
        pal = parent.palette()
        self._text, self._hl, self._hl_text = pal.text().color(), pal.highlight(), pal.highlightedText().color()
        self._elided: dict[tuple[str, int], tuple[str, int]] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        m = self._model
        row = m._row(index.row())  # noqa: SLF001 - the delegate is the model's own painter
        col = index.column()
        r: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(r, self._hl)
        elif row.alerts:
            painter.fillRect(r, _PINK)
        if col == _THUMB_COL:
            pm = self._thumbs.get(row) if self._thumbs is not None else None
            if pm is not None:
                painter.drawPixmap(r.x() + (r.width() - pm.width()) // 2, r.y() + (r.height() - pm.height()) // 2, pm)
            return
        text = m._row_cells(row)[col][0]  # noqa: SLF001
        if not text:
            return
        if selected:
            painter.setPen(self._hl_text)
        elif row.state == "cut":
            painter.setPen(_GREY)
        elif row.alerts and col in _ALERT_COLUMNS:
            painter.setPen(_RED)
        else:
            painter.setPen(self._text)
        width = r.width() - 8
        key = (text, width)
        fit = self._elided.get(key)
        if fit is None:
            if len(self._elided) > 50_000:
                self._elided.clear()
            shown = self._fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
            fit = self._elided[key] = (shown, self._fm.horizontalAdvance(shown))
        x = r.right() - 4 - fit[1] if col in _RIGHT else r.x() + 4
        painter.drawText(x, r.y() + (r.height() + self._base) // 2, fit[0])


class RoomTable(QTableView):
    """The room table, painted a row at a time from a cache of rendered rows.

    QTableView paints cell by cell: for each of the ~350 cells on screen it builds a style option,
    asks the model for flags and roles and calls the delegate — through Python, that is most of a
    refresh. Here ``paintEvent`` draws each visible row as one pixmap, rendered again only when
    the row's cells (the model's cell cache), its selection, its thumbnail or the column widths
    changed. A refresh that shifts every row on screen (a room starting above them) re-blits
    ~25 cached rows and renders the few that changed. Selection, keyboard, header, scrolling and
    drag stay QTableView's; the delegate still paints drag pixmaps.
    """

    def __init__(self, model: RoomTableModel, thumbs: Thumbnails | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._m = model
        self.thumbs = thumbs
        self.setModel(model)
        configure_table(self)
        self.setItemDelegate(RoomDelegate(model, thumbs, self))
        self._cache: dict[str, tuple[list[tuple[str, Any]], tuple[Any, ...], QPixmap]] = {}
        self._elided: dict[tuple[str, int], tuple[str, int]] = {}
        self.rendered = 0  #: rows rendered (not re-blitted), for tests and the benchmark

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.LanguageChange):
            self._cache.clear()
            self._elided.clear()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        m = self._m
        vp = self.viewport()
        painter = QPainter(vp)
        area = event.rect()
        pal = self.palette()
        painter.fillRect(area, pal.base())
        on_screen = visible_rows(self, area)
        if not on_screen:
            painter.end()
            return
        hh = self.horizontalHeader()
        cols = tuple((c, hh.sectionPosition(c), hh.sectionSize(c)) for c in range(m.columnCount())
                     if not hh.isSectionHidden(c))
        width = hh.length()
        rh = self.verticalHeader().defaultSectionSize()
        y0 = -self.verticalOffset()
        x0 = -self.horizontalOffset()
        active = self.isActiveWindow()
        sm = self.selectionModel()
        root = self.rootIndex()
        dpr = vp.devicePixelRatioF()
        geom = (cols, width, rh, active, dpr)
        cache = self._cache
        painted: set[str] = set()
        for v in on_screen:
            row = m._row(v)  # noqa: SLF001 - the view is the model's own painter
            cells = m._row_cells(row)  # noqa: SLF001
            sel = sm.isRowSelected(v, root)
            thumb = self.thumbs.get(row) if self.thumbs is not None else None
            sig = (sel, thumb.cacheKey() if thumb is not None else 0, geom)
            got = cache.get(row.key)
            if got is None or got[0] is not cells or got[1] != sig:
                got = cache[row.key] = (cells, sig, self._render(row, cells, sel, thumb, cols, width, rh, dpr, pal))
            painter.drawPixmap(x0, y0 + v * rh, got[2])
            painted.add(row.key)
        painter.end()
        if len(cache) > 3 * max(1, vp.height() // rh + 2):  # keep the rows on screen (and a few more)
            for k in [k for k in cache if k not in painted]:
                del cache[k]

    def _render(self, row: RoomRow, cells: list[tuple[str, Any]], selected: bool, thumb: QPixmap | None,
                cols: tuple[tuple[int, int, int], ...], width: int, rh: int, dpr: float, pal: Any) -> QPixmap:
        self.rendered += 1
        pm = QPixmap(max(1, round(width * dpr)), max(1, round(rh * dpr)))
        pm.setDevicePixelRatio(dpr)
        group = QPalette.ColorGroup.Active if self.isActiveWindow() else QPalette.ColorGroup.Inactive
        if selected:
            pm.fill(pal.color(group, QPalette.ColorRole.Highlight))
        elif row.alerts:
            pm.fill(_PINK)
        else:
            pm.fill(pal.color(group, QPalette.ColorRole.Base))
        p = QPainter(pm)
        p.setFont(self.font())
        fm = p.fontMetrics()
        base = (rh - 1 + fm.ascent() - fm.descent()) // 2
        text_pen = pal.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        grid = self._grid_color()
        elided = self._elided
        if len(elided) > 50_000:
            elided.clear()
        for c, x, w in cols:
            if c == _THUMB_COL:
                if thumb is not None:
                    p.drawPixmap(x + (w - thumb.width()) // 2, (rh - 1 - thumb.height()) // 2, thumb)
            else:
                text = cells[c][0]
                if text:
                    if selected:
                        p.setPen(text_pen)
                    elif row.state == "cut":
                        p.setPen(_GREY)
                    elif row.alerts and c in _ALERT_COLUMNS:
                        p.setPen(_RED)
                    else:
                        p.setPen(text_pen)
                    key = (text, w - 8)
                    fit = elided.get(key)
                    if fit is None:
                        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, w - 8)
                        fit = elided[key] = (shown, fm.horizontalAdvance(shown))
                    p.drawText(x + w - 5 - fit[1] if c in _RIGHT else x + 4, base, fit[0])
            if self.showGrid():
                p.setPen(grid)
                p.drawLine(x + w - 1, 0, x + w - 1, rh - 1)
        if self.showGrid():
            p.setPen(grid)
            p.drawLine(0, rh - 1, width - 1, rh - 1)
        p.end()
        return pm

    def _grid_color(self) -> QColor:
        opt = QStyleOptionViewItem()
        opt.initFrom(self)
        hint = self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, opt, self)
        return QColor.fromRgba(hint & 0xFFFFFFFF) if hint else self.palette().color(QPalette.ColorRole.Mid)


def apply_to_view(model: RoomTableModel, view: QTableView, rows: list[RoomRow], diff: RowDiff | None) -> None:
    """A snapshot into ``model``, telling it which rows ``view`` shows (see :meth:`RoomTableModel.apply`)."""
    top = view.rowAt(0)
    bottom = view.rowAt(view.viewport().height() - 1)
    visible = None if top < 0 else (top, bottom if bottom >= 0 else model.rowCount() - 1)
    model.apply(rows, diff, visible=visible)


def configure_table(table: QTableView) -> None:
    """Settings that keep a 10,000-row table cheap: fixed row heights, no row header, no wrapping."""
    vh = table.verticalHeader()
    vh.hide()
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(ROW_HEIGHT)
    table.setWordWrap(False)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.horizontalHeader().setStretchLastSection(True)


class CutDialog(QDialog):
    """Preset reasons and durations, the default focused: Enter confirms.

    Built once per pane and reused (:meth:`reset`): building one costs a few milliseconds the moderator
    would wait for between the two keystrokes. ``confirmed`` is emitted when the moderator confirms,
    before the dialog hides, so the action starts before the window repaints under it; ``key`` is the
    idempotency key of this opening (a second confirmation of the same opening is the same action).
    """

    REASONS = ("涉政敏感内容", "色情低俗", "暴力血腥", "赌博诈骗", "未成年人不宜", "侵权盗播", "辱骂引战")
    DURATIONS: tuple[tuple[str, timedelta | None], ...] = (
        ("10 分钟", timedelta(minutes=10)), ("1 小时", timedelta(hours=1)), ("24 小时", timedelta(days=1)),
        ("永久", None))

    confirmed = Signal()

    def __init__(self, room_label: str, *, resume: bool = False, parent: QWidget | None = None,
                 embedded: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("cutDialog")
        self.resume = resume
        self.embedded = embedded
        self._confirming = False
        self.return_focus: QWidget | None = None  #: gets the focus when the sheet closes
        if embedded:  # a sheet over the parent, not a window: no window activation, no native window to hide
            self.setWindowFlags(Qt.WindowType.Widget)
            self.setAutoFillBackground(True)
            self.setStyleSheet("QDialog#cutDialog { border: 1px solid palette(mid); border-radius: 4px; }")
            self.hide()
        self.key = ""
        self.setWindowTitle(self.tr("恢复推流") if resume else self.tr("切断直播"))
        lay = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        lay.addWidget(self.title)
        form = QFormLayout()
        self.reasons = QListWidget()
        self.reasons.setObjectName("cutReasons")
        self.reasons.addItems([self.tr("复核后恢复"), self.tr("误判")] if resume else list(self.REASONS))
        self.reasons.setMaximumHeight(150)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("补充说明（可选）"))
        form.addRow(self.tr("原因"), self.reasons)
        form.addRow(self.tr("说明"), self.note)
        self.duration = QComboBox()
        for label, d in self.DURATIONS:
            self.duration.addItem(self.tr(label), d)
        if not resume:
            form.addRow(self.tr("时长"), self.duration)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("恢复") if resume else self.tr("切断"))
        ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.reasons.itemActivated.connect(lambda _i: self.accept())
        self.reset(room_label)

    def reset(self, room_label: str) -> None:
        """Ready for another room: the defaults selected, the reason list focused, a new key."""
        self.title.setText(f"{self.windowTitle()} · {room_label}" if self.embedded else room_label)
        self.reasons.setCurrentRow(0)
        self.note.clear()
        self.duration.setCurrentIndex(1)
        self.reasons.setFocus()
        self.key = uuid.uuid4().hex

    def accept(self) -> None:
        if not self.isVisible() or self._confirming:  # Enter on the list and the default button: one confirmation
            return
        self._confirming = True
        self.confirmed.emit()
        if not self.embedded:
            self.close_accepted()
        # Embedded: the sheet stays, unchanged, until the owner calls close_accepted (the action has reached
        # the provider, or a moment has passed). Anything repainted now would be painted before the action's
        # first step runs (Qt handles posted paint events before the loop's timers).

    def close_accepted(self) -> None:
        if self._confirming:
            self._confirming = False
            if self.return_focus is not None:  # to the owner's list, not to the first widget of the window
                self.return_focus.setFocus()
            super().accept()

    def open(self) -> None:
        if not self.embedded:
            super().open()
            return
        parent = self.parentWidget()
        if parent is not None:
            size = self.sizeHint().expandedTo(QSize(420, 0))
            self.setGeometry((parent.width() - size.width()) // 2, max(0, (parent.height() - size.height()) // 3),
                             size.width(), size.height())
        self.show()
        self.raise_()
        self.reasons.setFocus()

    def reason(self) -> str:
        item = self.reasons.currentItem()
        base = item.text() if item else ""
        extra = self.note.text().strip()
        return f"{base}：{extra}" if extra else base

    def chosen_duration(self) -> timedelta | None:
        d: timedelta | None = self.duration.currentData()
        return d


class HealthChart(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle(self.tr("最近一小时"))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.kbps = QLineSeries()
        self.kbps.setName(self.tr("视频 kbps"))
        self.fps = QLineSeries()
        self.fps.setName(self.tr("帧率"))
        for s in (self.kbps, self.fps):
            chart.addSeries(s)
        self.axis_t = QDateTimeAxis()
        self.axis_t.setFormat("HH:mm")
        self.axis_kbps, self.axis_fps = QValueAxis(), QValueAxis()
        self.axis_kbps.setLabelFormat("%d")
        self.axis_fps.setLabelFormat("%d")
        chart.addAxis(self.axis_t, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.axis_kbps, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.axis_fps, Qt.AlignmentFlag.AlignRight)
        self.kbps.attachAxis(self.axis_t)
        self.kbps.attachAxis(self.axis_kbps)
        self.fps.attachAxis(self.axis_t)
        self.fps.attachAxis(self.axis_fps)
        self.setMinimumHeight(240)

    def show_points(self, points: list[Any]) -> None:
        self.kbps.clear()
        self.fps.clear()
        if not points:
            return
        for p in points:
            ms = float(QDateTime.fromSecsSinceEpoch(int(p.at.timestamp())).toMSecsSinceEpoch())
            self.kbps.append(ms, p.video_kbps)
            self.fps.append(ms, p.fps)
        span = points[-1].at.timestamp() - points[0].at.timestamp()
        self.axis_t.setFormat("HH:mm" if span > 600 else "HH:mm:ss")  # a young stream: seconds matter
        self.axis_t.setRange(QDateTime.fromSecsSinceEpoch(int(points[0].at.timestamp())),
                             QDateTime.fromSecsSinceEpoch(int(points[-1].at.timestamp()) + 1))
        self.axis_kbps.setRange(0, max(100.0, max(p.video_kbps for p in points) * 1.2))
        self.axis_fps.setRange(0, max(30.0, max(p.fps for p in points) * 1.2))


class RoomMonitorPane(QWidget):
    """Signals: loaded(): a snapshot is shown; alerted(str): a new alert (room label)."""

    loaded = Signal()
    alerted = Signal(str)
    preview_requested = Signal(object)  # a RoomRef

    def __init__(self, monitor: RoomMonitor, actions: ActionService, *, refresh_ms: int = 2000,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roomMonitorPane")
        self._monitor = monitor
        self._actions = actions
        self.tasks = TaskRunner(self)
        self._alerted: dict[str, frozenset[AlertKind]] = {}
        lay = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        lay.addWidget(self.message_bar)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("roomSearch")
        self.search.setPlaceholderText(self.tr("房间号、标题、主播、分类 — Ctrl+F；X 切断，R 恢复，P 预览"))
        self.search.setClearButtonEnabled(True)
        self.only = QComboBox()
        for key, label in (("all", self.tr("全部")), ("alerts", self.tr("仅告警")), ("live", self.tr("直播中")),
                           ("cut", self.tr("已切断"))):
            self.only.addItem(label, key)
        self.summary = QLabel("")
        self.summary.setObjectName("roomSummary")
        for w, s in ((self.search, 1), (self.only, 0), (self.summary, 0)):
            bar.addWidget(w, s)
        lay.addLayout(bar)
        self.model = RoomTableModel(self)
        self.thumbs = Thumbnails(monitor, self.tasks, self._thumbs_changed)
        self.table = RoomTable(self.model, self.thumbs)
        self.table.setObjectName("rooms")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index("risk"), Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setColumnWidth(_THUMB_COL, THUMB.width() + 8)
        self._thumb_repaint = QTimer(self)
        self._thumb_repaint.setSingleShot(True)
        self._thumb_repaint.setInterval(150)  # thumbnails arriving together: one repaint
        self._thumb_repaint.timeout.connect(self.table.viewport().update)
        self.chart = HealthChart()
        self.detail = QLabel(self.tr("选择一个房间查看健康曲线"))
        self.detail.setWordWrap(True)
        self.gallery = QListWidget()
        self.gallery.setObjectName("screenshotGallery")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(160, 90))
        self.gallery.setFlow(QListView.Flow.LeftToRight)
        self.gallery.setWrapping(False)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setMaximumHeight(140)
        self.gallery.setToolTip(self.tr("该房间最近的截图"))
        self._gallery_for = ""
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.detail, 1)
        ll.addWidget(self.gallery)
        bottom = QWidget()
        bl = QHBoxLayout(bottom)
        bl.addWidget(left, 2)
        bl.addWidget(self.chart, 3)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([480, 280])
        self.table.setColumnWidth(COLUMNS.index("room"), 240)
        self.table.setColumnWidth(COLUMNS.index("alerts"), 150)
        lay.addWidget(self.splitter, 1)
        self.search.textChanged.connect(self._refilter)
        self.only.currentIndexChanged.connect(self._refilter)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.doubleClicked.connect(lambda _i: self.preview_selected())
        for key, slot in (("X", self.cut_selected), ("R", self.resume_selected), ("P", self.preview_selected)):
            act = QAction(self)
            act.setShortcut(QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.table.addAction(act)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        self.tasks.failed.connect(self.message_bar.show_error)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self.tray: QSystemTrayIcon | None = None
        self.dialog: CutDialog | None = None
        self._dialogs: dict[bool, CutDialog] = {}
        self._for_dialog: RoomRow | None = None

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        if self.tasks.running("snapshot"):
            return
        self.tasks.run("snapshot", self._monitor.snapshot(), on_done=self.show_snapshot)

    def show_snapshot(self, snap: Snapshot) -> None:
        apply_to_view(self.model, self.table, snap.rows, snap.diff)
        if len(self.model.all) < 50_000:
            self.thumbs.forget(set(self.model.all))
        live = sum(1 for r in snap.rows if r.state == "live")
        alerts = [r for r in snap.rows if r.alerts]
        self.summary.setText(self.tr("直播 %1 · 告警 %2 · 已切断 %3").replace("%1", str(live)).replace(
            "%2", str(len(alerts))).replace("%3", str(sum(1 for r in snap.rows if r.state == "cut"))))
        if snap.errors:
            self.message_bar.show_message("；".join(f"{k}: {v}" for k, v in snap.errors.items()), "warning")
        fresh = [r for r in alerts if not r.alerts <= self._alerted.get(r.key, frozenset())]
        self._alerted = {r.key: r.alerts for r in alerts}
        for r in fresh:
            label = f"{r.room.id} {r.room.title}" if r.room else r.stream
            text = label + "：" + "、".join(_alert_text(a) for a in sorted(r.alerts))
            self.alerted.emit(text)
            if self.tray is not None and QSystemTrayIcon.isSystemTrayAvailable():
                self.tray.showMessage(self.tr("直播告警"), text, QSystemTrayIcon.MessageIcon.Warning, 5000)
        self._show_detail()
        self.loaded.emit()

    def _thumbs_changed(self) -> None:
        if not self._thumb_repaint.isActive():
            self._thumb_repaint.start()

    def _load_gallery(self, row: RoomRow) -> None:
        """The latest screenshots of the selected room (once per selection; the list keeps them)."""
        if row.key == self._gallery_for:
            return
        self._gallery_for = row.key
        self.gallery.clear()
        if not row.provider:
            return
        self.tasks.run("gallery", self._fetch_gallery(row), on_done=self._show_gallery)

    async def _fetch_gallery(self, row: RoomRow) -> tuple[str, list[tuple[str, bytes]]]:
        shots = await self._monitor.screenshots(row.provider, row.stream, limit=8)
        images = await asyncio.gather(*(self._monitor.screenshot_image(row.provider, s) for s in shots),
                                      return_exceptions=True)
        out = []
        for shot, img in zip(shots, images, strict=True):
            if isinstance(img, bytes):
                out.append((shot.taken_at.astimezone().strftime("%H:%M:%S"), img))
            elif isinstance(img, ConsoleError):
                log.info("screenshot %s: %s", shot.url, img)
            elif isinstance(img, BaseException):
                raise img
        return row.key, out

    def _show_gallery(self, got: tuple[str, list[tuple[str, bytes]]]) -> None:
        key, images = got
        if key != self._gallery_for:
            return
        self.gallery.clear()
        for label, data in images:
            pm = QPixmap()
            if pm.loadFromData(data):
                self.gallery.addItem(QListWidgetItem(QIcon(pm), label))
        if not images:
            self.gallery.addItem(QListWidgetItem(self.tr("暂无截图")))

    def _refilter(self) -> None:
        self.model.set_filter(self.search.text(), self.only.currentData())

    def selected(self) -> RoomRow | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        key = self.model.data(idx, Qt.ItemDataRole.UserRole)
        return self.model.row_for(key) if isinstance(key, str) else None

    def _show_detail(self) -> None:
        row = self.selected()
        if row is None:
            return
        r, h = row.room, row.health
        lines = [f"<b>{r.id} {r.title}</b>" if r else f"<b>{row.stream}</b>",
                 f"{self.tr('主播')}: {r.streamer}" if r else "", f"stream: {row.stream} ({row.provider})"]
        if h is not None:
            lines.append(f"{h.video_codec} {h.width}×{h.height} {h.fps:.1f} fps, {h.video_kbps:.0f} kbps")
        self.detail.setText("<br>".join(x for x in lines if x))
        self.chart.show_points(self._monitor.history(row.key))
        self._load_gallery(row)

    def preview_selected(self) -> None:
        """P or a double click: the room in the multi-view wall."""
        row = self.selected()
        if row is not None and row.provider:  # cut rows have no provider: nothing to play
            self.preview_requested.emit(room_ref_from_row(row))

    # --- cut and resume (two keystrokes: X, Enter) ---
    def cut_selected(self) -> None:
        self._act(resume=False)

    def resume_selected(self) -> None:
        self._act(resume=True)

    def _act(self, *, resume: bool) -> None:
        row = self.selected()
        if row is None or row.room is None:
            self.message_bar.show_message(self.tr("请先选择一个已登记的房间"), "warning", timeout_ms=4000)
            return
        room = row.room
        label = f"{room.id} {room.title} — {room.streamer}"
        dlg = self._dialogs.get(resume)
        if dlg is None:
            dlg = self._dialogs[resume] = CutDialog(label, resume=resume, parent=self, embedded=True)
            dlg.confirmed.connect(lambda dlg=dlg: self._confirmed(dlg))
            dlg.return_focus = self.table
        else:
            dlg.reset(label)
        self._for_dialog = row
        self.dialog = dlg
        dlg.open()

    def _confirmed(self, dlg: CutDialog) -> None:
        row = self._for_dialog
        if row is None or row.room is None:
            return
        room = row.room
        provider = row.provider or None
        if dlg.resume:
            coro = self._actions.resume_stream(room.id, dlg.reason(), provider=provider, key=dlg.key)
        else:
            h = row.health
            evidence = {"health": None if h is None else {
                "viewers": h.viewers, "video_kbps": h.video_kbps, "fps": h.fps, "width": h.width,
                "height": h.height, "keyframe_interval_s": h.keyframe_interval_s},
                "alerts": sorted(row.alerts), "stream": row.stream, "provider": row.provider}
            coro = self._actions.cut_stream(room.id, dlg.reason(), dlg.chosen_duration(), evidence=evidence,
                                            provider=provider, stream=row.stream or None, key=dlg.key)
        def done(rec: ActionRecord) -> None:
            dlg.close_accepted()
            self._action_done(rec)

        self.tasks.run(f"action:{room.id}", coro, on_done=done, busy=self.tr("正在执行…"))
        QTimer.singleShot(400, dlg.close_accepted)  # a provider that takes its time: the sheet goes anyway

    def _action_done(self, rec: ActionRecord) -> None:
        if rec.state is ActionStatus.DONE:
            self.message_bar.show_message(self.tr("已完成：") + f"{rec.kind} {rec.target}", "info", timeout_ms=4000)
        elif rec.state is ActionStatus.PENDING:
            self.message_bar.show_message(self.tr("已排队，将自动重试：") + (rec.last_error or ""), "warning")
        else:
            self.message_bar.show_message(self.tr("操作失败：") + (rec.last_error or ""), "error")
        self.refresh()

    def on_changes(self, changes: Changes) -> None:
        if changes.rooms:
            self.refresh()

    def save_state(self, s: QSettings) -> None:
        s.setValue("rooms/header", self.table.horizontalHeader().saveState())
        s.setValue("rooms/splitter", self.splitter.saveState())

    def restore_state(self, s: QSettings) -> None:
        if (v := s.value("rooms/header")) is not None:
            self.table.horizontalHeader().restoreState(v)
        if (v := s.value("rooms/splitter")) is not None:
            self.splitter.restoreState(v)
