"""The multi-view wall (pane ``preview``): 1, 2×2 or 3×3 live previews, one focused tile with audio.

* Rooms arrive by :meth:`WallPane.open_room` (room monitor, chat line, user card) or by dragging a
  row of the room monitor (MIME :data:`~console.services.video.playback.ROOM_MIME`, see
  :func:`room_mime_data`) onto a tile.
* The focused tile (click, Tab / Shift+Tab) plays its sound; the others are muted (solo audio).
* Decode budget: from ``os.cpu_count()`` (:func:`~console.services.video.playback.decode_budget`);
  tiles beyond it show refreshed stills instead of decoding video. The focused tile always decodes.
* Keys, on the focused tile: X cut (the cut dialog of the room monitor; Enter confirms: two
  keystrokes), S snapshot (kept for the next cut's evidence), M mute, Delete empties the tile,
  Alt+1 / Alt+2 / Alt+3 choose the layout.
* The layout, the rooms and the focused tile are saved per operator in QSettings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import httpx
from PySide6.QtCore import QEvent, QMimeData, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import ActionRecord, ActionStatus, RoomId
from console.errors import InvalidInput
from console.services.actions import ActionService
from console.services.http import make_client
from console.services.video.base import PlayProtocol, VideoProvider
from console.services.video.playback import (
    DEFAULT_PROTOCOLS,
    ROOM_MIME,
    RoomRef,
    StillCache,
    decode_budget,
    decode_cost,
    plan_wall,
    room_ref_from_row,
)
from console.views.feedback import MessageBar
from console.views.preview import Engine, PlayerState, PreviewPlayer, Render, default_still_folder
from console.views.room_monitor import CutDialog
from console.views.tasks import TaskRunner

log = logging.getLogger(__name__)

LAYOUTS: dict[int, tuple[int, int]] = {1: (1, 1), 4: (2, 2), 9: (3, 3)}
MAX_TILES = 9
_FOCUS_STYLE = "QFrame#previewPlayer{border:2px solid #1a73e8;}"
_PLAIN_STYLE = "QFrame#previewPlayer{border:2px solid transparent;}"


def room_mime_data(room: RoomRef) -> QMimeData:
    """What a drag of ``room`` carries (the room monitor's model returns it from ``mimeData``)."""
    md = QMimeData()
    md.setData(ROOM_MIME, room.to_json())
    md.setText(room.label)
    return md


def room_from_mime(md: QMimeData) -> RoomRef | None:
    if not md.hasFormat(ROOM_MIME):
        return None
    try:
        return RoomRef.from_json(bytes(md.data(ROOM_MIME).data()))
    except InvalidInput as e:
        log.warning("dropped room refused: %s", e)
        return None


class WallPane(QWidget):
    """Signals: loaded(): every occupied visible tile shows a live picture (or its still, over budget).

    Args:
        providers: the video providers by the time a room is opened (the sandbox adds its own late);
            ``lambda: services.monitor.providers``.
        actions: the action service (cuts); None hides the cut key.
        operator_id: whose layout is saved.
        engine, vlc_args: passed to each :class:`PreviewPlayer`.
        cpu_count: the decode budget's cores (default ``os.cpu_count()``).
        protocols: play protocols in order of preference.
        still_every_s: how often a tile over the budget refreshes its still.
        render: how tiles show video (``auto``: Qt paints pictures VLC scaled to the tile, see
            :class:`~console.views.preview.FrameSink`).
    """

    loaded = Signal()

    def __init__(self, providers: Callable[[], Sequence[VideoProvider]], actions: ActionService | None,
                 operator_id: str, *, engine: Engine = "auto", vlc_args: list[str] | None = None,
                 cpu_count: int | None = None, still_cache: StillCache | None = None,
                 client: httpx.AsyncClient | None = None,
                 protocols: tuple[PlayProtocol, ...] = DEFAULT_PROTOCOLS, render: Render = "auto",
                 still_every_s: float = 10.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallPane")
        self._providers = providers
        self._actions = actions
        self.operator_id = operator_id
        self.protocols = protocols
        self.budget = decode_budget(cpu_count)
        self.still_cache = still_cache or StillCache(default_still_folder())
        self._own_client = client is None
        self.client = client or make_client("", timeout=3.0)
        self.tasks = TaskRunner(self)
        self.layout_n = 4
        self.focused = 0
        self.rooms: list[RoomRef | None] = [None] * MAX_TILES
        self.snapshots: dict[int, list[dict[str, Any]]] = {}
        self.dialog: CutDialog | None = None
        self._loaded_sent = False

        lay = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        lay.addWidget(self.message_bar)
        bar = QHBoxLayout()
        self.layout_group = QButtonGroup(self)
        self.layout_buttons: dict[int, QPushButton] = {}
        for n, label in ((1, "1"), (4, "2×2"), (9, "3×3")):
            b = QPushButton(label)
            b.setCheckable(True)
            b.setObjectName(f"wallLayout{n}")
            b.setToolTip(self.tr("布局 %1（Alt+%2）").replace("%1", label).replace("%2", str({1: 1, 4: 2, 9: 3}[n])))
            b.clicked.connect(lambda _=False, n=n: self.set_layout(n))
            self.layout_group.addButton(b)
            self.layout_buttons[n] = b
            bar.addWidget(b)
        self.budget_label = QLabel("")
        self.budget_label.setObjectName("wallBudget")
        self.hint = QLabel(self.tr("从直播监控拖入房间；点击选中画面（有声）；X 切断 · S 截图 · M 静音 · Delete 移除"))
        self.hint.setStyleSheet("color:#6b6b6b")
        bar.addWidget(self.budget_label)
        bar.addStretch(1)
        bar.addWidget(self.hint)
        lay.addLayout(bar)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(4)
        self.grid.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.grid_host, 1)

        # the players (and libvlc, about 0.1-0.3 s) are made when the wall is first shown or used
        self._engine: Engine = engine
        self._vlc_args = vlc_args
        self._render: Render = render
        self._still_every_s = still_every_s
        self._tiles: list[PreviewPlayer] | None = None
        self.setAcceptDrops(True)

        keys: list[tuple[str, Callable[[], None]]] = [
            ("X", self.cut_focused), ("S", self.snapshot_focused), ("M", self.toggle_mute),
            ("Delete", lambda: self.assign(self.focused, None)),
            ("Tab", lambda: self.focus_tile((self.focused + 1) % self.layout_n)),
            ("Shift+Tab", lambda: self.focus_tile((self.focused - 1) % self.layout_n)),
            ("Alt+1", lambda: self.set_layout(1)), ("Alt+2", lambda: self.set_layout(4)),
            ("Alt+3", lambda: self.set_layout(9)),
        ]
        for seq, slot in keys:
            act = QAction(self)
            act.setShortcut(QKeySequence(seq))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.set_layout(4)

    @property
    def tiles(self) -> list[PreviewPlayer]:
        if self._tiles is None:
            self._build_tiles()
        assert self._tiles is not None
        return self._tiles

    def _build_tiles(self) -> None:
        tiles: list[PreviewPlayer] = []
        for i in range(MAX_TILES):
            p = PreviewPlayer(self.grid_host, engine=self._engine, tile=True, still_cache=self.still_cache,
                              client=self.client, vlc_args=self._vlc_args, render=self._render,
                              still_every_s=self._still_every_s)
            p.setObjectName("previewPlayer")
            p.setAcceptDrops(True)
            p.installEventFilter(self)
            p.clicked.connect(lambda i=i: self.focus_tile(i))
            p.state_changed.connect(lambda *_a: self._check_loaded())
            p.set_muted(True)
            p.hide()
            tiles.append(p)
        self._tiles = tiles
        rooms, focused = list(self.rooms), self.focused
        self.set_layout(self.layout_n)
        for i, room in enumerate(rooms):  # restored before the players existed
            if room is not None:
                self.assign(i, room)
        self.focus_tile(focused)

    def showEvent(self, e: Any) -> None:  # noqa: N802
        super().showEvent(e)
        if self._tiles is None:
            self._build_tiles()

    # --- public API -----------------------------------------------------------------------------
    def provider(self, name: str) -> VideoProvider | None:
        return next((p for p in self._providers() if p.name == name), None)

    def open_room(self, room: RoomRef, *, tile: int | None = None) -> PreviewPlayer:
        """Show ``room``: in ``tile``, else in a tile already showing it, else the first empty visible
        tile, else the focused one. The tile gets the focus (and the sound)."""
        if tile is None:
            tile = next((i for i, r in enumerate(self.rooms[:self.layout_n]) if r is not None and r.key == room.key),
                        None)
        if tile is None:
            tile = next((i for i in range(self.layout_n) if self.rooms[i] is None), self.focused)
        current = self.rooms[tile]
        if current is None or current.key != room.key or self.tiles[tile].room is None:
            self.assign(tile, room)
        self.focus_tile(tile)
        return self.tiles[tile]

    def assign(self, i: int, room: RoomRef | None) -> None:
        """Put ``room`` in tile ``i`` (None empties it)."""
        if not 0 <= i < MAX_TILES:
            raise IndexError(i)
        p = self.tiles[i]
        self.rooms[i] = room
        self.snapshots.pop(i, None)
        if room is None:
            p.clear()
        else:
            prov = self.provider(room.provider)
            if prov is None:
                self.rooms[i] = None
                p.clear()
                names = ", ".join(x.name for x in self._providers()) or self.tr("（无）")
                self.message_bar.show_message(self.tr("未配置视频服务 %1，无法播放（已配置：%2）").replace(
                    "%1", room.provider).replace("%2", names), "error")
                return
            self._loaded_sent = False
            p.open(room, prov, protocols=self.protocols)
        self.replan()

    def set_layout(self, n: int) -> None:
        if n not in LAYOUTS:
            raise ValueError(f"layout must be one of {sorted(LAYOUTS)}")
        self.layout_n = n
        self.layout_buttons[n].setChecked(True)
        if self._tiles is None:
            return
        rows, cols = LAYOUTS[n]
        for p in self.tiles:
            self.grid.removeWidget(p)
        for i, p in enumerate(self.tiles):
            if i < n:
                self.grid.addWidget(p, i // cols, i % cols)
        for r in range(3):
            self.grid.setRowStretch(r, 1 if r < rows else 0)
            self.grid.setColumnStretch(r, 1 if r < cols else 0)
        for i, p in enumerate(self.tiles):
            p.setVisible(i < n)  # hidden tiles stop decoding (PreviewPlayer.hideEvent)
        self.layout_buttons[n].setChecked(True)
        if self.focused >= n:
            self.focus_tile(0)
        self._loaded_sent = False
        self.replan()

    def focus_tile(self, i: int) -> None:
        if not 0 <= i < self.layout_n:
            return
        self.focused = i
        if self._tiles is None:
            return
        for j, p in enumerate(self.tiles):
            p.setStyleSheet(_FOCUS_STYLE if j == i else _PLAIN_STYLE)
            p.set_muted(j != i or self._focused_muted)
        self.replan()

    _focused_muted = False

    def toggle_mute(self) -> None:
        self._focused_muted = not self._focused_muted
        self.tiles[self.focused].set_muted(self._focused_muted)

    def replan(self) -> None:
        """Apply the decode budget: the focused tile and as many others as fit decode video."""
        if self._tiles is None:
            return
        costs: list[float | None] = []
        for i in range(MAX_TILES):
            r = self.rooms[i]
            costs.append(None if r is None or i >= self.layout_n else decode_cost(r.width, r.height, r.fps))
        modes = plan_wall(costs, self.focused, self.budget)
        used = 0.0
        for i, mode in enumerate(modes):
            if mode is not None:
                self.tiles[i].set_mode(mode)
                if mode == "video":
                    used += costs[i] or 0.0
        n_video = sum(1 for m in modes if m == "video")
        n_still = sum(1 for m in modes if m == "still")
        text = self.tr("解码 %1 路（预算 %2%）").replace("%1", str(n_video)).replace(
            "%2", f"{100 * used / self.budget:.0f}")
        if n_still:
            text += self.tr(" · %1 路超出预算，显示截图").replace("%1", str(n_still))
        self.budget_label.setText(text)

    # --- cut and snapshot ---------------------------------------------------------------------------
    def snapshot_focused(self) -> None:
        i = self.focused
        p = self.tiles[i]
        if self.rooms[i] is None:
            return

        def done(ev: dict[str, Any]) -> None:
            self.snapshots.setdefault(i, []).append(ev)
            if "path" in ev and ev.get("kind") == "live_frame":
                self.message_bar.show_message(self.tr("已截图：") + ev["path"], "info", timeout_ms=4000)
            else:
                self.message_bar.show_message(self.tr("截图失败：") + str(ev.get("error", "")), "warning",
                                              timeout_ms=4000)

        self.tasks.run(f"snapshot:{i}", p.take_evidence(), on_done=done)

    def cut_focused(self) -> None:
        """X: the cut dialog for the focused tile's room; a frame is taken at the keystroke."""
        i = self.focused
        room = self.rooms[i]
        if self._actions is None:
            return
        if room is None or room.room_id is None:
            self.message_bar.show_message(self.tr("请先选中一个已登记的房间"), "warning", timeout_ms=4000)
            return
        player = self.tiles[i]
        frame = self.tasks.run(f"frame:{i}", player.take_evidence())
        dlg = CutDialog(f"{room.label} — {room.streamer}".rstrip(" —"), parent=self)
        self.dialog = dlg
        actions = self._actions

        async def submit(reason: str, duration: timedelta | None) -> ActionRecord:
            snap = await frame
            evidence: dict[str, Any] = {"source": "preview", "stream": room.stream, "provider": room.provider,
                                        "snapshot": snap, "player_state": player.state.value}
            if self.snapshots.get(i):
                evidence["snapshots"] = list(self.snapshots[i])
            return await actions.cut_stream(RoomId(room.room_id), reason, duration, evidence=evidence,  # type: ignore[arg-type]
                                            provider=room.provider, stream=room.stream)

        def finished(code: int) -> None:
            if code != QDialog.DialogCode.Accepted:
                frame.cancel()
                return
            self.tasks.run(f"action:{room.room_id}", submit(dlg.reason(), dlg.chosen_duration()),
                           on_done=self._action_done, busy=self.tr("正在执行…"))

        dlg.finished.connect(finished)
        dlg.open()

    def _action_done(self, rec: ActionRecord) -> None:
        self.last_action = rec
        if rec.state is ActionStatus.DONE:
            self.snapshots.clear()
            self.message_bar.show_message(self.tr("已完成：") + f"{rec.kind} {rec.target}", "info", timeout_ms=4000)
        elif rec.state is ActionStatus.PENDING:
            self.message_bar.show_message(self.tr("已排队，将自动重试：") + (rec.last_error or ""), "warning")
        else:
            self.message_bar.show_message(self.tr("操作失败：") + (rec.last_error or ""), "error")

    # --- drag and drop ------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, e: QEvent) -> bool:  # noqa: N802
        if isinstance(obj, PreviewPlayer) and self._tiles is not None and obj in self._tiles:
            if e.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                de: QDragEnterEvent = e  # type: ignore[assignment]
                if de.mimeData().hasFormat(ROOM_MIME):
                    de.acceptProposedAction()
                    return True
            elif e.type() == QEvent.Type.Drop:
                drop: QDropEvent = e  # type: ignore[assignment]
                room = room_from_mime(drop.mimeData())
                if room is not None:
                    drop.acceptProposedAction()
                    self.open_room(room, tile=self.tiles.index(obj))
                    return True
        return super().eventFilter(obj, e)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:  # noqa: N802
        if e.mimeData().hasFormat(ROOM_MIME):
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:  # noqa: N802
        room = room_from_mime(e.mimeData())
        if room is not None:
            e.acceptProposedAction()
            self.open_room(room)

    # --- loaded (for the screenshot) --------------------------------------------------------------
    def occupied(self) -> list[int]:
        return [i for i in range(self.layout_n) if self.rooms[i] is not None]

    def is_loaded(self) -> bool:
        occ = self.occupied()
        if not occ:
            return False
        for i in occ:
            p = self.tiles[i]
            if p.mode == "video" and p.state not in (PlayerState.PLAYING, PlayerState.BUFFERING):
                return False
        return True

    def _check_loaded(self) -> None:
        if not self._loaded_sent and self.is_loaded():
            self._loaded_sent = True
            self.loaded.emit()

    def refresh(self) -> None:
        """For the app's screenshot mode: emits :attr:`loaded` once every occupied tile shows a picture."""
        self._loaded_sent = False
        self._check_loaded()

    async def load_showcase(self, count: int = 4, timeout: float = 45.0, rooms: Sequence[RoomRef] | None = None) -> None:
        """For ``--screenshot --pane preview``: ``rooms`` (default: the first live streams of the
        providers) in 2×2 (``count`` 4), returning once each tile shows its live picture.

        Raises:
            TimeoutError: Not every tile played within ``timeout`` seconds.
            PlaybackError: No provider has a live stream.
        """
        import asyncio

        from console.services.video.playback import PlaybackError

        live: list[RoomRef] = list(rooms or [])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not live:  # the sandbox's providers and publishers may still be starting
            found: list[RoomRef] = []
            for prov in self._providers():
                for h in await prov.list_live():
                    found.append(RoomRef(stream=h.stream, provider=prov.name, title=h.stream, width=h.width,
                                         height=h.height, fps=h.fps))
            # only streams whose play URL answers (a simulated provider lists rooms nobody serves)
            oks = await asyncio.gather(*(self._playable(r) for r in found[:40]))
            live = [r for r, ok in zip(found, oks, strict=False) if ok]
            if not live:
                if loop.time() > deadline:
                    raise PlaybackError("no live stream to show on the wall")
                await asyncio.sleep(0.5)
        self.set_layout(1 if count <= 1 else 4 if count <= 4 else 9)
        for i, room in enumerate(live[:min(count, self.layout_n)]):
            self.assign(i, room)
        self.focus_tile(0)
        try:
            async with asyncio.timeout(max(1.0, deadline - loop.time())):
                while not self.is_loaded():
                    await asyncio.sleep(0.05)
        except TimeoutError:
            states = "; ".join(f"{i}:{self.rooms[i].key if self.rooms[i] else '-'} {self.tiles[i].mode} "  # type: ignore[union-attr]
                               f"{self.tiles[i].state.value} {self.tiles[i].reason!r}" for i in self.occupied())
            raise TimeoutError(f"the wall did not show every tile within {timeout:.0f} s: {states}") from None
        await asyncio.sleep(0.3)  # a few frames past the first

    async def _playable(self, room: RoomRef) -> bool:
        from console.services.video.playback import PlaybackError, PlayUrls, probe

        prov = self.provider(room.provider)
        if prov is None:
            return False
        try:
            target = PlayUrls(prov, room.stream, protocols=self.protocols).get()
        except PlaybackError:
            return False
        return (await probe(self.client, target.url, timeout=2.0)).verdict == "ok"

    def screenshot(self) -> QPixmap:
        """The window with the video pixels (``QWidget.grab`` misses the native video windows)."""
        win = self.window()
        screen = win.screen()
        return screen.grabWindow(int(win.winId()))

    # --- per-operator state ---------------------------------------------------------------------------
    def _key(self, name: str) -> str:
        return f"preview/{self.operator_id}/{name}"

    def save_state(self, s: QSettings) -> None:
        s.setValue(self._key("layout"), self.layout_n)
        s.setValue(self._key("focused"), self.focused)
        s.setValue(self._key("rooms"), json.dumps([None if r is None else json.loads(r.to_json())
                                                   for r in self.rooms], ensure_ascii=False))

    def restore_state(self, s: QSettings) -> None:
        try:
            n = int(str(s.value(self._key("layout"), 4)))
            focused = int(str(s.value(self._key("focused"), 0)))
        except (TypeError, ValueError):
            n, focused = 4, 0
        n = n if n in LAYOUTS else 4
        raw = s.value(self._key("rooms"))
        rooms: list[Any] = []
        if isinstance(raw, str):
            try:
                rooms = json.loads(raw)
            except ValueError:
                rooms = []
        parsed: list[RoomRef | None] = [None] * MAX_TILES
        for i, obj in enumerate(rooms[:MAX_TILES] if isinstance(rooms, list) else []):
            if isinstance(obj, dict):
                try:
                    parsed[i] = RoomRef.from_json(json.dumps(obj))
                except InvalidInput:
                    continue
        focused = focused if 0 <= focused < n else 0
        if self._tiles is None:  # applied when the players are made (first show)
            self.set_layout(n)
            self.rooms, self.focused = parsed, focused
            return
        self.set_layout(n)
        for i, room in enumerate(parsed):
            self.assign(i, room)
        self.focus_tile(focused)

    def on_changes(self, changes: Any) -> None:
        """Nothing to do: the players follow their streams themselves."""

    def shutdown(self) -> None:
        """Stop every player (call before the window goes away)."""
        for p in self._tiles or []:
            p.shutdown()
        self.tasks.cancel()
        if self._own_client:
            client = self.client
            try:
                import asyncio

                asyncio.get_running_loop().create_task(client.aclose())
            except RuntimeError:
                pass

    def closeEvent(self, e: Any) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(e)


__all__ = ["LAYOUTS", "WallPane", "room_from_mime", "room_mime_data", "room_ref_from_row"]
