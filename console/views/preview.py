"""The stream preview player: libvlc embedded in a native Qt window, with a still picture first.

One :class:`PreviewPlayer` plays one room:

* **Still first.** :meth:`PreviewPlayer.open` shows the latest frame this console saw of the
  room (:class:`~console.services.video.playback.StillCache`) or the provider's newest screenshot
  at once, **marked as a still** with its time, while the live stream connects.
* **libvlc embedded.** A ``QWidget`` with its own native window (``WA_NativeWindow``) is handed
  to VLC (``set_xwindow`` on X11, ``set_hwnd`` on Windows, ``set_nsobject`` on macOS). Qt's
  ``offscreen`` and Wayland platforms have no window VLC can draw into (VLC would open its own
  top-level window): there the QtMultimedia fallback is used, with a visible notice.
* **Events.** libvlc calls its event callbacks on its own threads. The callbacks only emit a Qt
  signal of a ``QObject`` living on the GUI thread (a queued connection), tagged with a
  generation number so events of an earlier attempt are ignored.
* **States.** connecting, playing, buffering, offline (the stream ended or was cut), error (with
  the reason from :func:`~console.services.video.playback.probe`, run beside the first connect),
  paused (hidden, minimised, or over the wall's decode budget), still.
* **Reconnect** with backoff (0.5 s doubling to 10 s, jittered) after an end or an error; a
  watchdog turns "no picture after N s" (corrupt or undecodable stream) into an error.
* **Decoding stops when hidden or minimised** and starts again when shown.
* **Audio:** mute, volume; the wall mutes every tile but the focused one (solo).
* **Evidence:** :meth:`PreviewPlayer.take_evidence` writes a frame with ``video_take_snapshot``
  (in a worker thread) and returns path, time and the (redacted) play URL for the cut's evidence.

Without libvlc (python-vlc cannot load it, or it has no plugins) the player uses QtMultimedia
(``QMediaPlayer`` + ``QVideoWidget``) and shows a notice saying so.
"""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import httpx
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QPoint,
    QPointF,
    QRectF,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.services.http import make_client
from console.services.video.base import VideoProvider
from console.services.video.playback import (
    LIVE_CHECK,
    Backoff,
    LiveCheck,
    PlaybackError,
    PlayTarget,
    PlayUrls,
    ProbeResult,
    RoomRef,
    Still,
    StillCache,
    fetch_provider_still,
    probe,
    snapshot_evidence,
    vlc_instance_args,
    vlc_media_options,
)

log = logging.getLogger(__name__)

Engine = Literal["auto", "vlc", "qt"]


class PlayerState(StrEnum):
    IDLE = "idle"
    STILL = "still"            # a still picture, no decoding (over the wall's budget)
    CONNECTING = "connecting"
    PLAYING = "playing"
    BUFFERING = "buffering"
    OFFLINE = "offline"
    ERROR = "error"
    PAUSED = "paused"          # hidden or minimised: not decoding


_STATE_COLOURS = {
    PlayerState.IDLE: "#6b6b6b", PlayerState.STILL: "#7a5200", PlayerState.CONNECTING: "#0b4a8b",
    PlayerState.PLAYING: "#1b7f3b", PlayerState.BUFFERING: "#7a5200", PlayerState.OFFLINE: "#6b6b6b",
    PlayerState.ERROR: "#b3261e", PlayerState.PAUSED: "#6b6b6b",
}


def _state_text(s: PlayerState) -> str:
    def tr(text: str) -> str:
        return QCoreApplication.translate("PreviewPlayer", text)

    return {PlayerState.IDLE: tr("空闲"), PlayerState.STILL: tr("静态截图"), PlayerState.CONNECTING: tr("正在连接"),
            PlayerState.PLAYING: tr("直播中"), PlayerState.BUFFERING: tr("缓冲中"), PlayerState.OFFLINE: tr("离线"),
            PlayerState.ERROR: tr("错误"), PlayerState.PAUSED: tr("已暂停")}[s]


# --- libvlc loading -------------------------------------------------------------------------------

_vlc_lock = threading.Lock()
_vlc_cache: dict[tuple[str, ...], tuple[Any, Any, str]] = {}


def load_libvlc(args: list[str] | None = None) -> tuple[Any, Any, str]:
    """``(vlc module, Instance, "")`` or ``(None, None, why not)``; one Instance per argument list.

    python-vlc raises ``OSError``/``ImportError`` (or calls ``sys.exit`` on a bad
    ``PYTHON_VLC_LIB_PATH``) when libvlc is missing; ``Instance()`` is None when libvlc has no
    plugins (libvlc5 without vlc-plugin-base).
    """
    key = tuple(args if args is not None else vlc_instance_args())
    with _vlc_lock:
        if key in _vlc_cache:
            return _vlc_cache[key]
        try:
            import vlc
        except (ImportError, OSError, AttributeError, SystemExit) as e:
            found: tuple[Any, Any, str] = (None, None, f"无法加载 libvlc（{type(e).__name__}: {e}）；"
                                                       "请安装 libvlc5、vlc-plugin-base、vlc-plugin-video-output")
        else:
            try:
                inst = vlc.Instance(list(key))
            except (OSError, NameError, AttributeError, TypeError) as e:
                inst = None
                why = f"libvlc 初始化失败（{type(e).__name__}: {e}）"
            else:
                why = "libvlc 没有可用的插件（请安装 vlc-plugin-base 和 vlc-plugin-video-output）"
            found = (vlc, inst, "") if inst is not None else (None, None, why)
        _vlc_cache[key] = found
        return found


def embed_platform() -> str:
    """How VLC can draw into a Qt window here: ``x11``, ``win``, ``mac``, or "" (it cannot)."""
    name = QGuiApplication.platformName()
    return {"xcb": "x11", "windows": "win", "cocoa": "mac"}.get(name, "")


# --- backends -------------------------------------------------------------------------------------

class _Bridge(QObject):
    """Lives on the GUI thread; emitting from a VLC thread queues the call to it."""

    happened = Signal(int, str, float, str)  # generation, kind, value, reason
    frame = Signal(int)                      # generation: a new picture is in the frame sink


class _Backend:
    name = ""
    widget: QWidget

    def open(self, url: str, options: list[str], gen: int) -> None: ...
    def stop(self) -> None: ...
    def set_muted(self, muted: bool) -> None: ...
    def set_volume(self, volume: int) -> None: ...
    def snapshot(self, path: Path) -> bool:  # may run in a worker thread (vlc) or must not (qt)
        raise NotImplementedError

    def video_size(self) -> tuple[int, int]:
        return 0, 0

    snapshot_in_thread = True
    def close(self) -> None: ...


Render = Literal["auto", "window", "memory"]

#: libvlc_video_format_cb with a writable chroma (python-vlc declares it ``c_char_p``, a read-only copy).
_FORMAT_CB = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_char),
                              ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint),
                              ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint))
_N_BUFFERS = 3


def _set_format_callbacks(vlc: Any, mp: Any, setup: Any, cleanup: Any) -> None:
    fn = vlc.dll["libvlc_video_set_format_callbacks"]  # a fresh function object: python-vlc's keeps its types
    fn.argtypes = [ctypes.c_void_p, _FORMAT_CB, vlc.CallbackDecorators.VideoCleanupCb]
    fn.restype = None
    fn(mp._as_parameter_, setup, cleanup)


class FrameSink:
    """Decoded pictures of one attempt in memory (libvlc "vmem"), RV32 at the tile's size.

    VLC's video output thread converts and scales each picture straight to the tile size (one
    swscale pass) into one of three buffers (``lock``/``display``); the GUI thread paints the
    newest finished buffer as a ``QImage`` wrapped around it (no copy). Three buffers: VLC always
    has one that is neither the newest nor being painted, so neither side waits for the other.

    ``displayed`` counts pictures VLC handed over, ``painted`` the distinct ones Qt painted.
    """

    def __init__(self, vlc: Any, target: Callable[[], tuple[int, int]], notify: Callable[[], None]) -> None:
        self._target = target
        self._notify = notify
        self._lock = threading.Lock()
        self.bufs: list[Any] = []
        self.width = self.height = self.pitch = 0
        self.ready = -1
        self.painting = -1
        self.seq = 0             # pictures displayed by VLC
        self.painted = 0
        self._painted_seq = 0
        self._pending = False
        cb = vlc.CallbackDecorators
        self.c_format = _FORMAT_CB(self._format)
        self.c_cleanup = cb.VideoCleanupCb(self._cleanup)
        self.c_lock = cb.VideoLockCb(self._lock_cb)
        self.c_unlock = cb.VideoUnlockCb(self._unlock_cb)
        self.c_display = cb.VideoDisplayCb(self._display_cb)

    @property
    def displayed(self) -> int:
        return self.seq

    def attach(self, vlc: Any, mp: Any) -> None:
        mp.video_set_callbacks(self.c_lock, self.c_unlock, self.c_display, None)
        _set_format_callbacks(vlc, mp, self.c_format, self.c_cleanup)

    # --- VLC's threads ---
    def _format(self, _opaque: Any, chroma: Any, width: Any, height: Any, pitches: Any, lines: Any) -> int:
        sw, sh = int(width[0]), int(height[0])
        tw, th = self._target()
        if sw <= 0 or sh <= 0:
            return 0
        scale = min(tw / sw, th / sh) if tw > 0 and th > 0 else 1.0
        w = max(2, int(sw * scale) & ~1)
        h = max(2, int(sh * scale) & ~1)
        pitch = (w * 4 + 31) & ~31
        ctypes.memmove(chroma, b"RV32", 4)
        width[0], height[0], pitches[0], lines[0] = w, h, pitch, h
        bufs = [ctypes.create_string_buffer(pitch * h) for _ in range(_N_BUFFERS)]
        with self._lock:
            self.bufs, self.width, self.height, self.pitch = bufs, w, h, pitch
            self.ready = self.painting = -1
        return _N_BUFFERS

    def _cleanup(self, _opaque: Any) -> None:
        return None  # the buffers stay until the sink goes (the GUI may still be painting one)

    def _lock_cb(self, _opaque: Any, planes: Any) -> int:
        with self._lock:
            i = next(k for k in range(_N_BUFFERS) if k != self.ready and k != self.painting)
            planes[0] = ctypes.addressof(self.bufs[i])
        return i + 1

    def _unlock_cb(self, _opaque: Any, _picture: Any, _planes: Any) -> None:
        return None

    def _display_cb(self, _opaque: Any, picture: Any) -> None:
        with self._lock:
            self.ready = int(picture or 0) - 1
            self.seq += 1
            notify = not self._pending
            self._pending = True
        if notify:
            self._notify()  # a queued signal: the GUI repaints once however many pictures arrived

    # --- the GUI thread ---
    def take(self) -> QImage | None:
        """The newest picture (held for painting until :meth:`release`), or None before the first."""
        with self._lock:
            self._pending = False
            i = self.ready
            if i < 0:
                return None
            self.painting = i
            buf, w, h, pitch = self.bufs[i], self.width, self.height, self.pitch
            if self.seq != self._painted_seq:
                self._painted_seq = self.seq
                self.painted += 1
        return QImage(buf, w, h, pitch, QImage.Format.Format_RGB32)

    def release(self) -> None:
        with self._lock:
            self.painting = -1


class VlcBackend(_Backend):
    """One libvlc MediaPlayer per attempt, drawing into :class:`VideoSurface`.

    ``render="window"``: VLC's own video output draws into the surface's native window.
    ``render="memory"``: VLC hands pictures at the surface's size to a :class:`FrameSink` and Qt
    paints them (a wall tile: without XVideo VLC's X11 output lost frames in a 3×3 wall, see
    bench.preview). ``drop_muted_audio``: a muted player deselects its audio track, so no audio is
    decoded at all (a wall's non-focused tiles); unmuting selects it again without a restart.
    """

    name = "vlc"

    def __init__(self, vlc: Any, instance: Any, platform: str, bridge: _Bridge, parent: QWidget, *,
                 render: Literal["window", "memory"] = "window", drop_muted_audio: bool = False) -> None:
        self.vlc, self.instance, self.platform, self.bridge = vlc, instance, platform, bridge
        self.render = render
        self.drop_muted_audio = drop_muted_audio
        self.surface = VideoSurface(parent, native=render == "window")
        self.widget = self.surface
        self.sink: FrameSink | None = None
        self._gen = -1
        bridge.frame.connect(self._on_frame)
        self._mp: Any = None
        self._lock = threading.Lock()
        self._muted = False
        self._volume = 100
        E = vlc.EventType  # noqa: N806
        self._events: list[tuple[Any, Callable[[Any, int], tuple[str, float]]]] = [
            (E.MediaPlayerOpening, lambda e, g: ("opening", 0.0)),
            (E.MediaPlayerPlaying, lambda e, g: ("playing", 0.0)),
            (E.MediaPlayerVout, lambda e, g: ("vout", float(e.u.new_count))),
            (E.MediaPlayerBuffering, lambda e, g: ("buffering", float(e.u.new_cache))),
            (E.MediaPlayerEndReached, lambda e, g: ("ended", 0.0)),
            (E.MediaPlayerEncounteredError, lambda e, g: ("error", 0.0)),
        ]

    def open(self, url: str, options: list[str], gen: int) -> None:
        self.stop()
        mp = self.instance.media_player_new()
        self._gen = gen
        if self.render == "memory":
            emit_frame = self.bridge.frame.emit
            sink = FrameSink(self.vlc, self.surface.frame_target, lambda: emit_frame(gen))
            sink.attach(self.vlc, mp)
            self.sink = sink
            self.surface.sink = sink
        else:
            wid = int(self.widget.winId())
            if self.platform == "x11":
                mp.set_xwindow(wid)
            elif self.platform == "win":
                mp.set_hwnd(wid)
            elif self.platform == "mac":
                mp.set_nsobject(wid)
        mp.video_set_mouse_input(False)
        mp.video_set_key_input(False)
        em = mp.event_manager()
        emit = self.bridge.happened.emit
        for etype, conv in self._events:
            def cb(event: Any, conv: Callable[[Any, int], tuple[str, float]] = conv, gen: int = gen) -> None:
                kind, value = conv(event, gen)
                emit(gen, kind, value, "")  # queued to the GUI thread; no libvlc call here
            em.event_attach(etype, cb)
        media = self.instance.media_new(url, *options)
        mp.set_media(media)
        media.release()
        mp.audio_set_mute(self._muted)
        mp.audio_set_volume(self._volume)
        with self._lock:
            self._mp = mp
        mp.play()

    def stop(self) -> None:
        with self._lock:
            mp, self._mp = self._mp, None
        if mp is None:
            return
        em = mp.event_manager()
        for etype, _conv in self._events:
            em.event_detach(etype)
        mp.stop()
        mp.release()
        self._gen = -1
        self.sink = None  # VLC calls no callback after stop(): the buffers may go
        self.surface.sink = None
        # VLC's video window is gone: paint our still/state over the last frame it left on screen now
        self.widget.repaint()

    def _on_frame(self, gen: int) -> None:
        if gen == self._gen:
            self.widget.update()

    def apply_audio(self) -> None:
        mp = self._mp
        if mp is None:
            return
        mp.audio_set_mute(self._muted)
        mp.audio_set_volume(self._volume)
        if not self.drop_muted_audio:
            return
        current = mp.audio_get_track()
        if self._muted and current not in (-1, None):
            mp.audio_set_track(-1)  # no audio decoder while muted
        elif not self._muted and current in (-1, None):
            ids = [int(t[0]) for t in (mp.audio_get_track_description() or []) if int(t[0]) != -1]
            if ids:
                mp.audio_set_track(ids[0])

    def audio_track(self) -> int:
        mp = self._mp
        return -1 if mp is None else int(mp.audio_get_track())

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        self.apply_audio()

    def set_volume(self, volume: int) -> None:
        self._volume = max(0, min(100, volume))
        self.apply_audio()

    def snapshot(self, path: Path) -> bool:
        with self._lock:
            mp = self._mp
            if mp is None:
                return False
            rc = mp.video_take_snapshot(0, str(path), 0, 0)
        return rc == 0 and path.exists() and path.stat().st_size > 0

    def video_size(self) -> tuple[int, int]:
        mp = self._mp
        if mp is None:
            return 0, 0
        try:
            w, h = mp.video_get_size(0)
        except Exception:  # noqa: BLE001 - python-vlc raises a bare Exception when there is no video
            return 0, 0
        return int(w), int(h)

    def close(self) -> None:
        self.stop()


class QtBackend(_Backend):
    """QtMultimedia (FFmpeg backend): the fallback when libvlc cannot be used."""

    name = "qt"
    snapshot_in_thread = False

    def __init__(self, bridge: _Bridge, parent: QWidget) -> None:
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame
        from PySide6.QtMultimediaWidgets import QVideoWidget

        self.bridge = bridge
        self._QMediaPlayer = QMediaPlayer
        self.widget = QVideoWidget(parent)
        self.widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.player = QMediaPlayer(parent)
        self.audio = QAudioOutput(parent)
        self.player.setAudioOutput(self.audio)
        self.player.setVideoOutput(self.widget)
        self.gen = 0
        self.last_frame: QVideoFrame | None = None
        self._pictured = False
        self.player.mediaStatusChanged.connect(self._on_status)
        self.player.errorOccurred.connect(self._on_error)
        self.widget.videoSink().videoFrameChanged.connect(self._on_frame)

    def _on_status(self, status: Any) -> None:
        S = self._QMediaPlayer.MediaStatus  # noqa: N806
        if status == S.EndOfMedia:
            self.bridge.happened.emit(self.gen, "ended", 0.0, "")
        elif status == S.InvalidMedia:
            self.bridge.happened.emit(self.gen, "error", 0.0, self.player.errorString())
        elif status == S.BufferingMedia:
            self.bridge.happened.emit(self.gen, "buffering", 50.0, "")
        elif status == S.BufferedMedia:
            self.bridge.happened.emit(self.gen, "buffering", 100.0, "")

    def _on_error(self, _error: Any, text: str) -> None:
        self.bridge.happened.emit(self.gen, "error", 0.0, text)

    def _on_frame(self, frame: Any) -> None:
        if not frame.isValid():
            return
        self.last_frame = frame
        if not self._pictured:
            self._pictured = True
            self.bridge.happened.emit(self.gen, "vout", 1.0, "")

    def open(self, url: str, options: list[str], gen: int) -> None:
        self.stop()
        self.gen = gen
        self._pictured = False
        self.player.setSource(QUrl(url))
        self.player.play()

    def stop(self) -> None:
        self.gen = -1
        self.player.stop()
        self.player.setSource(QUrl())
        self.last_frame = None

    def set_muted(self, muted: bool) -> None:
        self.audio.setMuted(muted)

    def set_volume(self, volume: int) -> None:
        self.audio.setVolume(max(0, min(100, volume)) / 100.0)

    def snapshot(self, path: Path) -> bool:
        frame = self.last_frame
        if frame is None:
            return False
        img = frame.toImage()
        return not img.isNull() and img.save(str(path))

    def video_size(self) -> tuple[int, int]:
        f = self.last_frame
        return (f.width(), f.height()) if f is not None else (0, 0)

    def close(self) -> None:
        self.stop()


# --- the still / status view ----------------------------------------------------------------------

class StillView(QWidget):
    """A still picture (scaled to fit) with a "still" tag and the state message painted over it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pixmap: QPixmap | None = None
        self.tag = ""
        self.message = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)

    def set_still(self, pixmap: QPixmap | None, tag: str) -> None:
        self.pixmap, self.tag = pixmap, tag
        self.update()

    def set_message(self, text: str) -> None:
        self.message = text
        self.update()

    def paintEvent(self, _e: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#101010"))
        if self.pixmap is not None and not self.pixmap.isNull():
            scaled = self.pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - scaled.width()) / 2
            y = (self.height() - scaled.height()) / 2
            p.drawPixmap(QRectF(x, y, scaled.width(), scaled.height()).toRect(), self.pixmap)
        f = QFont(self.font())
        f.setPointSizeF(max(8.0, min(14.0, self.height() / 22)))
        p.setFont(f)
        if self.tag:
            r = p.fontMetrics().boundingRect(self.tag).adjusted(-6, -3, 6, 3)
            r.moveTo(6, 6)
            p.fillRect(r, QColor(180, 110, 0, 220))
            p.setPen(QColor("white"))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, self.tag)
        if self.message:
            p.setPen(QColor("white"))
            box = self.rect().adjusted(12, 0, -12, 0)
            br = p.fontMetrics().boundingRect(box, int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter),
                                              self.message).adjusted(-10, -6, 10, 6)
            br.moveCenter(self.rect().center())
            p.fillRect(br, QColor(0, 0, 0, 170))
            p.drawText(br, int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter), self.message)
        p.end()


class VideoSurface(StillView):
    """The native child window VLC draws into. Until VLC's own video window covers it (the first
    picture) and after VLC removes it (stopped, ended), Qt paints the still and the state here:
    the live picture replaces the still with no hop through the GUI thread.

    With a :attr:`sink` (memory rendering) Qt paints the sink's newest picture instead, letterboxed.
    """

    def __init__(self, parent: QWidget | None = None, *, native: bool = True) -> None:
        super().__init__(parent)
        self.sink: FrameSink | None = None
        self._target = (640, 360)
        if native:  # VLC draws into it; a memory-rendered tile stays an ordinary widget (one flush per window)
            self.setAttribute(Qt.WidgetAttribute.WA_NativeWindow, True)
            self.setAttribute(Qt.WidgetAttribute.WA_DontCreateNativeAncestors, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, QColor("black"))
        self.setPalette(pal)

    def frame_target(self) -> tuple[int, int]:
        """The size (device pixels) VLC should scale pictures to; read on VLC's thread."""
        return self._target

    def resizeEvent(self, e: Any) -> None:  # noqa: N802
        super().resizeEvent(e)
        dpr = self.devicePixelRatioF()
        self._target = (max(2, int(self.width() * dpr)), max(2, int(self.height() * dpr)))

    def paintEvent(self, e: QPaintEvent) -> None:  # noqa: N802
        sink = self.sink
        img = sink.take() if sink is not None else None
        if sink is None or img is None:
            super().paintEvent(e)
            return
        try:
            p = QPainter(self)
            dpr = self.devicePixelRatioF()
            img.setDevicePixelRatio(dpr)  # VLC scaled to device pixels: a 1:1 blit on HiDPI screens too
            iw, ih = img.width() / dpr, img.height() / dpr
            blit = abs(iw - self.width()) <= 2 or abs(ih - self.height()) <= 2  # VLC scaled it to fit
            if blit:
                w, h = iw, ih
            else:  # the tile changed size since VLC chose the picture size: Qt scales (fast)
                k = min(self.width() / max(1.0, iw), self.height() / max(1.0, ih))
                w, h = iw * k, ih * k
            x, y = (self.width() - w) / 2, (self.height() - h) / 2
            target = QRectF(x, y, w, h)
            black = QColor("black")
            if y > 0:
                p.fillRect(QRectF(0, 0, self.width(), y), black)
                p.fillRect(QRectF(0, y + h, self.width(), self.height() - y - h + 1), black)
            if x > 0:
                p.fillRect(QRectF(0, 0, x, self.height()), black)
                p.fillRect(QRectF(x + w, 0, self.width() - x - w + 1, self.height()), black)
            if blit:
                p.drawImage(QPointF(x, y), img)
            else:
                p.drawImage(target, img)
            p.end()
        finally:
            sink.release()


def evidence_pixmap(evidence: dict[str, Any] | None, *, max_size: tuple[int, int] = (480, 270)) -> QPixmap | None:
    """The frame a cut's evidence names, for the audit pane; None when it is not on this machine or
    its bytes no longer match the recorded sha256 (a replaced file is not shown as evidence)."""
    snap = (evidence or {}).get("snapshot")
    if not isinstance(snap, dict) or not isinstance(snap.get("path"), str):
        return None
    path = Path(snap["path"])
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest = snap.get("sha256")
    if isinstance(digest, str) and hashlib.sha256(data).hexdigest() != digest:
        return None
    pm = QPixmap()
    if not pm.loadFromData(data):
        return None
    return pm.scaled(max_size[0], max_size[1], Qt.AspectRatioMode.KeepAspectRatio,
                     Qt.TransformationMode.SmoothTransformation)


# --- the player -------------------------------------------------------------------------------------

def default_still_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation) or "."
    return Path(base) / "stills"


class PreviewPlayer(QFrame):
    """One room's live preview. Signals:

    state_changed(str, str): the new :class:`PlayerState` value and its reason.
    first_picture(float): ms from :meth:`open` to the first live picture of this opening.
    still_shown(float): ms from :meth:`open` to a still on screen.
    clicked(): a mouse press on the tile (the wall focuses it).

    Args:
        engine: ``auto`` (libvlc, else QtMultimedia with a notice), ``vlc`` or ``qt``.
        tile: decode as a wall tile (one decoder thread; no audio decoding while muted).
        render: ``window`` (VLC's video output in a native window), ``memory`` (VLC scales pictures
            to the surface size, Qt paints them: :class:`FrameSink`), ``auto``: memory for tiles.
        still_cache: where the latest frames are kept (default: the app data folder).
        client: HTTP client for probes and provider screenshots (default: one of its own).
        connect_timeout_s: no picture after this long = an error (corrupt/undecodable) and a retry.
        still_every_s: over the wall's decode budget, the still is refreshed this often.
        vlc_args: extra libvlc arguments (``--aout=adummy`` in tests).
    """

    state_changed = Signal(str, str)
    first_picture = Signal(float)
    still_shown = Signal(float)
    clicked = Signal()

    def __init__(self, parent: QWidget | None = None, *, engine: Engine = "auto", tile: bool = False,
                 still_cache: StillCache | None = None, client: httpx.AsyncClient | None = None,
                 connect_timeout_s: float = 15.0, vlc_args: list[str] | None = None,
                 backoff: Backoff | None = None, cache_every_s: float = 30.0,
                 live_check: LiveCheck | None = None, liveness_every_s: float = 4.0,
                 render: Render = "auto", still_every_s: float = 10.0) -> None:
        super().__init__(parent)
        self.setObjectName("previewPlayer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.tile = tile
        self.still_cache = still_cache or StillCache(default_still_folder())
        self._own_client = client is None
        self._client = client
        self.connect_timeout_s = connect_timeout_s
        self.backoff = backoff or Backoff()
        self.cache_every_s = cache_every_s
        self.live_check = live_check or LIVE_CHECK
        self.bridge = _Bridge(self)
        self.bridge.happened.connect(self._on_event)
        self.state = PlayerState.IDLE
        self.reason = ""
        self.room: RoomRef | None = None
        self.provider: VideoProvider | None = None
        self.urls: PlayUrls | None = None
        self.target: PlayTarget | None = None
        self.still: Still | None = None
        self.mode: Literal["video", "still"] = "video"
        self.gen = 0
        self.running = False            # a backend attempt is under way
        self.opened_at = 0.0
        self.attempt_at = 0.0
        self.picture_at: float | None = None
        self.still_at: float | None = None
        self.attempts = 0
        self.muted = False
        self.volume = 80
        self._tasks: set[asyncio.Task[Any]] = set()
        self._probe_result: asyncio.Future[ProbeResult] | None = None
        self._minimised = False
        self._watched_window: QWidget | None = None

        # header: title, state badge, mute, volume
        self.title = QLabel("")
        self.title.setObjectName("previewTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.badge = QLabel("")
        self.badge.setObjectName("previewState")
        self.mute_button = QToolButton()
        self.mute_button.setObjectName("previewMute")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self.set_muted)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(self.volume)
        self.volume_slider.setMaximumWidth(90)
        self.volume_slider.valueChanged.connect(self.set_volume)
        head = QHBoxLayout()
        head.setContentsMargins(4, 2, 4, 2)
        head.addWidget(self.title, 1)
        head.addWidget(self.badge)
        head.addWidget(self.mute_button)
        head.addWidget(self.volume_slider)
        self.notice = QLabel("")
        self.notice.setObjectName("previewNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background:#fff6e0;color:#7a5200;padding:2px 6px;")
        self.notice.hide()

        # body: the still/status view or the video
        self.render: Literal["window", "memory"] = (
            render if render != "auto" else "memory" if tile else "window")  # type: ignore[assignment]
        self.backend = self._make_backend(engine, vlc_args)
        self.stack = QStackedWidget()
        if isinstance(self.backend.widget, VideoSurface):
            self.still_view: StillView = self.backend.widget  # VLC covers it with the live picture
        else:
            self.still_view = StillView()
            self.stack.addWidget(self.still_view)
        self.stack.addWidget(self.backend.widget)
        self.stack.setCurrentWidget(self.still_view)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(1, 1, 1, 1)
        lay.setSpacing(0)
        lay.addLayout(head)
        lay.addWidget(self.notice)
        lay.addWidget(self.stack, 1)
        self.set_muted(False)
        self.backend.set_volume(self.volume)

        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._on_watchdog)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._on_retry)
        self._housekeeping = QTimer(self)  # re-sign before expiry, keep the still fresh
        self._housekeeping.setInterval(int(max(1.0, min(30.0, cache_every_s)) * 1000))
        self._housekeeping.timeout.connect(self._on_housekeeping)
        # over the wall's budget: the still is refreshed (own cache, provider's screenshot) this often
        self._still_timer = QTimer(self)
        self._still_timer.setInterval(int(max(0.5, still_every_s) * 1000))
        self._still_timer.timeout.connect(self._refresh_still)
        # an HLS player plays out its buffer for 12-15 s after a cut (video-facts.md §4): ask the provider
        self._liveness = QTimer(self)
        self._liveness.setInterval(int(liveness_every_s * 1000))
        self._liveness.timeout.connect(self._on_liveness)
        self._not_live = 0
        self._last_cached = 0.0
        self._set_state(PlayerState.IDLE, self.tr("拖入或打开一个房间"))

    # --- construction helpers ---
    def _make_backend(self, engine: Engine, vlc_args: list[str] | None) -> _Backend:
        why = ""
        if engine in ("auto", "vlc"):
            platform = embed_platform()
            vlc, inst, why = load_libvlc(vlc_instance_args(extra=vlc_args or []))
            if inst is not None and platform:
                return VlcBackend(vlc, inst, platform, self.bridge, self, render=self.render,
                                  drop_muted_audio=self.tile)
            if inst is not None:
                why = self.tr("当前显示平台（%1）无法嵌入 libvlc 视频窗口").replace(
                    "%1", QGuiApplication.platformName())
            if engine == "vlc":
                log.warning("libvlc requested but unusable: %s", why)
        backend = QtBackend(self.bridge, self)
        if engine != "qt" or why:
            self.fallback_reason = why
            self.notice.setText(self.tr("后备播放器（Qt Multimedia）：") + why + self.tr("。首帧更慢，其余功能相同。"))
            self.notice.show()
        return backend

    @property
    def backend_name(self) -> str:
        return self.backend.name

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client("", timeout=3.0)
        return self._client

    # --- public API ---
    def open(self, room: RoomRef, provider: VideoProvider, *, protocols: tuple[Any, ...] | None = None) -> None:
        """Show ``room``: its latest still at once, then the live stream."""
        self.stop()
        self.room, self.provider = room, provider
        self.urls = (PlayUrls(provider, room.stream, protocols=protocols) if protocols
                     else PlayUrls(provider, room.stream))
        self.target = None
        self.title.setText(room.label + (f" — {room.streamer}" if room.streamer else ""))
        self.setToolTip(f"{room.key}")
        self.opened_at = time.perf_counter()
        self.picture_at = self.still_at = None
        self.attempts = 0
        self.backoff.reset()
        self.still = None
        self.still_view.set_still(None, "")
        cached = self.still_cache.latest(room.provider, room.stream)
        if cached is not None:
            self._show_still(cached)
        self._spawn(self._provider_still(room, cached))
        self._update_decoding(force=True)

    def stop(self) -> None:
        """Stop decoding and forget the attempt (the room stays set; :meth:`resume` plays it again)."""
        self.gen += 1
        self._watchdog.stop()
        self._retry.stop()
        self._housekeeping.stop()
        self._still_timer.stop()
        self._liveness.stop()
        if self.running:
            self.running = False
            self.backend.stop()
        self.stack.setCurrentWidget(self.still_view)

    def clear(self) -> None:
        self.stop()
        self.room = self.provider = self.urls = self.target = None
        self.still = None
        self.title.setText("")
        self.still_view.set_still(None, "")
        self._set_state(PlayerState.IDLE, self.tr("拖入或打开一个房间"))

    def set_mode(self, mode: Literal["video", "still"]) -> None:
        """``still``: over the wall's decode budget, show refreshed stills instead of video."""
        if mode == self.mode:
            return
        self.mode = mode
        self._update_decoding(force=True)

    def set_muted(self, muted: bool) -> None:
        self.muted = bool(muted)
        self.backend.set_muted(self.muted)
        if self.mute_button.isChecked() != self.muted:
            self.mute_button.setChecked(self.muted)
        icon = QStyle.StandardPixmap.SP_MediaVolumeMuted if self.muted else QStyle.StandardPixmap.SP_MediaVolume
        self.mute_button.setIcon(self.style().standardIcon(icon))
        self.mute_button.setToolTip(self.tr("取消静音") if self.muted else self.tr("静音"))

    def set_volume(self, volume: int) -> None:
        self.volume = max(0, min(100, int(volume)))
        self.backend.set_volume(self.volume)
        if self.volume_slider.value() != self.volume:
            self.volume_slider.setValue(self.volume)

    def video_size(self) -> tuple[int, int]:
        return self.backend.video_size() if self.running else (0, 0)

    def frame_counts(self) -> tuple[int, int] | None:
        """Pictures (handed over by VLC, painted by Qt) of the current attempt; None without memory rendering."""
        sink = getattr(self.backend, "sink", None)
        return None if sink is None else (sink.displayed, sink.painted)

    def grab_video(self) -> QImage:
        """What the screen shows in the video area (``QWidget.grab`` misses VLC's own window)."""
        w = self.backend.widget
        screen = QGuiApplication.primaryScreen()
        if w.testAttribute(Qt.WidgetAttribute.WA_NativeWindow):
            return screen.grabWindow(int(w.winId())).toImage()
        top = w.window()
        at = w.mapTo(top, QPoint(0, 0))
        return screen.grabWindow(int(top.winId()), at.x(), at.y(), w.width(), w.height()).toImage()

    def video_window_id(self) -> int:
        return int(self.backend.widget.winId())

    async def take_evidence(self) -> dict[str, Any]:
        """A frame of what is on screen now, for a cut's evidence (see :func:`snapshot_evidence`).

        The frame is written by the player (``video_take_snapshot``) into the still folder's
        ``evidence/`` subfolder; without a live picture the still on screen is named instead.
        """
        now = datetime.now(UTC)
        room = self.room
        if room is None:
            return snapshot_evidence(None, now, None, backend=self.backend.name, error="no room")
        if self.state not in (PlayerState.PLAYING, PlayerState.BUFFERING) or not self.running:
            return snapshot_evidence(None, now, self.target, backend=self.backend.name, still=self.still,
                                     error=f"no live picture ({self.state.value})")
        folder = self.still_cache.folder / "evidence"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{room.provider}_{room.stream}_{now.strftime('%Y%m%dT%H%M%S.%fZ')}.png".replace("/", "_")
        ok = await self._snapshot(path)
        if not ok:
            return snapshot_evidence(None, now, self.target, backend=self.backend.name, still=self.still,
                                     error="the player did not write a frame")
        return snapshot_evidence(path, now, self.target, backend=self.backend.name)

    def shutdown(self) -> None:
        """Stop for good (the widget is going away)."""
        self.stop()
        self.backend.close()
        for t in list(self._tasks):
            t.cancel()
        if self._own_client and self._client is not None:
            client, self._client = self._client, None
            try:
                asyncio.get_running_loop().create_task(client.aclose())
            except RuntimeError:
                pass

    # --- decoding on/off: visible, not minimised, within budget ---
    def want_decoding(self) -> bool:
        return (self.room is not None and self.mode == "video" and self.isVisible() and not self._minimised)

    def _update_decoding(self, *, force: bool = False) -> None:
        if self.room is None:
            return
        if self.want_decoding():
            if not self.running and (force or self.state in (PlayerState.PAUSED, PlayerState.STILL, PlayerState.IDLE)):
                self._start()
            return
        if self.running or force or self.state not in (PlayerState.PAUSED, PlayerState.STILL):
            self.stop()
            if self.mode == "still":
                self._set_state(PlayerState.STILL, self.tr("解码预算已满：显示定时刷新的截图") if self.still
                                else self.tr("解码预算已满：暂无截图"))
                self._still_timer.start()
                self._refresh_still()
            else:
                self._set_state(PlayerState.PAUSED, self.tr("不可见时暂停解码"))

    def showEvent(self, e: Any) -> None:  # noqa: N802
        super().showEvent(e)
        win = self.window()
        if win is not self._watched_window:
            if self._watched_window is not None:
                self._watched_window.removeEventFilter(self)
            win.installEventFilter(self)
            self._watched_window = win
        self._minimised = win.isMinimized()
        QTimer.singleShot(0, self._update_decoding)

    def hideEvent(self, e: Any) -> None:  # noqa: N802
        super().hideEvent(e)
        QTimer.singleShot(0, self._update_decoding)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:  # noqa: N802
        if obj is self._watched_window and e.type() == QEvent.Type.WindowStateChange:
            self._minimised = self.window().isMinimized()
            QTimer.singleShot(0, self._update_decoding)
        return False

    def mousePressEvent(self, e: QMouseEvent) -> None:  # noqa: N802
        self.clicked.emit()
        super().mousePressEvent(e)

    # --- one attempt ---
    def _start(self, *, fresh: bool = False) -> None:
        assert self.urls is not None and self.room is not None
        self.stop()
        try:
            self.target = self.urls.get(fresh=fresh)
        except PlaybackError as e:
            self._set_state(PlayerState.ERROR, str(e))
            return
        self.attempts += 1
        self.attempt_at = time.perf_counter()
        options = vlc_media_options(self.target.protocol, tile=self.tile)
        self.running = True
        gen = self.gen
        self._set_state(PlayerState.CONNECTING, self.tr("正在连接直播…") + f" ({self.target.protocol.upper()})")
        self.backend.open(self.target.url, options, gen)
        self._watchdog.start(int(self.connect_timeout_s * 1000))
        self._housekeeping.start()
        self._not_live = 0
        if self.target.protocol == "hls":
            self._liveness.start()
        self._probe_result = asyncio.ensure_future(probe(self.client, self.target.url))
        self._spawn(self._probe(gen, self._probe_result))

    async def _probe(self, gen: int, fut: asyncio.Future[ProbeResult]) -> None:
        result = await asyncio.shield(fut)
        if gen != self.gen or result.verdict == "ok":
            return
        if self.state in (PlayerState.PLAYING, PlayerState.BUFFERING):
            return  # a picture arrived anyway
        self._fail(PlayerState.OFFLINE if result.verdict == "offline" else PlayerState.ERROR, result.reason,
                   resign="签名" in result.reason)

    def _fail(self, state: PlayerState, reason: str, *, resign: bool = False) -> None:
        self.stop()
        delay = self.backoff.next()
        self._resign_next = resign
        self._set_state(state, reason + "\n" + self.tr("%1 秒后重试（第 %2 次）").replace("%1", f"{delay:.1f}").replace(
            "%2", str(self.attempts)))
        self._retry.start(int(delay * 1000))

    async def _classify_error(self, gen: int, reason: str) -> None:
        """libvlc says only "error": a stream that is not publishing is offline, not broken."""
        fut = self._probe_result
        if fut is not None:
            result = await asyncio.shield(fut)
            if gen != self.gen:
                return
            if result.verdict != "ok":
                self._fail(PlayerState.OFFLINE if result.verdict == "offline" else PlayerState.ERROR, result.reason,
                           resign="签名" in result.reason)
                return
        live = None
        if self.provider is not None and self.room is not None:
            live = await self.live_check.is_live(self.provider, self.room.stream)
        if gen != self.gen:
            return
        if live is False:
            self._fail(PlayerState.OFFLINE, self.tr("主播当前没有推流（已下播或被切断）"))
        else:
            self._fail(PlayerState.ERROR, reason or self.tr("播放器无法打开此流"))

    def _on_retry(self) -> None:
        if self.want_decoding():
            self._start(fresh=getattr(self, "_resign_next", False))

    def _on_watchdog(self) -> None:
        if self.running and self.state == PlayerState.CONNECTING:
            self._fail(PlayerState.ERROR, self.tr("%1 秒内没有画面：流可能已损坏或编码不受支持").replace(
                "%1", f"{self.connect_timeout_s:.0f}"))

    def _on_event(self, gen: int, kind: str, value: float, reason: str) -> None:
        if gen != self.gen or not self.running:
            return
        if kind == "vout" and value >= 1:
            self._watchdog.stop()
            self.backoff.reset()
            first = self.picture_at is None
            self.picture_at = time.perf_counter()
            self.stack.setCurrentWidget(self.backend.widget)  # no-op for VLC (one widget)
            self._set_state(PlayerState.PLAYING, "")
            if isinstance(self.backend, VlcBackend):
                self.backend.apply_audio()
            if first:
                self.first_picture.emit((self.picture_at - self.opened_at) * 1000)
            QTimer.singleShot(2000, lambda g=gen: self._cache_still(g))
        elif kind == "buffering":
            if self.state == PlayerState.PLAYING and value < 100:
                self._set_state(PlayerState.BUFFERING, "")
            elif self.state == PlayerState.BUFFERING and value >= 100:
                self._set_state(PlayerState.PLAYING, "")
        elif kind == "ended":
            self._fail(PlayerState.OFFLINE, self.tr("直播已结束或被切断"))
        elif kind == "error":
            self.stop()
            self._spawn(self._classify_error(self.gen, reason))
        elif kind == "playing" and isinstance(self.backend, VlcBackend):
            self.backend.apply_audio()

    # --- stills ---
    def _show_still(self, still: Still) -> None:
        pm = QPixmap(str(still.path))
        if pm.isNull():
            return
        self.still = still
        local = still.taken_at.astimezone()
        src = self.tr("截图") if still.source == "provider" else self.tr("上次画面")
        self.still_view.set_still(pm, self.tr("静态 · ") + src + " " + local.strftime("%H:%M:%S"))
        if self.state == PlayerState.STILL and not self.running:
            self._set_state(PlayerState.STILL, self.tr("解码预算已满：显示定时刷新的截图"))
        if self.still_at is None and self.opened_at:
            self.still_at = time.perf_counter()
            self.still_shown.emit((self.still_at - self.opened_at) * 1000)

    async def _provider_still(self, room: RoomRef, cached: Still | None) -> None:
        provider = self.provider
        if provider is None:
            return
        dest = self.still_cache.folder / "provider" / self.still_cache.path_for(room.provider, room.stream).name
        found = await fetch_provider_still(self.client, provider, room.stream, dest)
        if found is None or self.room != room:
            return
        if cached is None or found.taken_at > cached.taken_at:
            self._show_still(found)

    def _cache_still(self, gen: int) -> None:
        if gen != self.gen or not self.running or self.room is None:
            return
        room = self.room
        tmp = self.still_cache.scratch(room.provider, room.stream)

        async def run() -> None:
            if await self._snapshot(tmp):
                stored = self.still_cache.store(room.provider, room.stream, tmp)
                if stored is not None and self.room == room:
                    self.still = stored
                    self._last_cached = time.monotonic()
            else:
                tmp.unlink(missing_ok=True)

        self._spawn(run())

    async def _snapshot(self, path: Path) -> bool:
        if self.backend.snapshot_in_thread:
            return await asyncio.to_thread(self.backend.snapshot, path)
        return self.backend.snapshot(path)

    def _on_housekeeping(self) -> None:
        if self.room is None:
            return
        if self.running:
            if self.state == PlayerState.PLAYING and time.monotonic() - self._last_cached >= self.cache_every_s:
                self._cache_still(self.gen)
            t = self.target
            if t is not None and t.protocol == "hls" and t.needs_resign(time.time()):
                self._start(fresh=True)  # an HLS player fetches with the URL's signature all along

    def _refresh_still(self) -> None:
        """A tile over the decode budget: show the newest still there is (marked as a still)."""
        if self.room is not None and not self.running and self.mode == "still" and self.provider is not None:
            room = self.room
            cached = self.still_cache.latest(room.provider, room.stream)
            if cached is not None and (self.still is None or cached.taken_at > self.still.taken_at):
                self._show_still(cached)
            self._spawn(self._provider_still(room, self.still))

    def _on_liveness(self) -> None:
        if self.running and self.provider is not None and self.room is not None:
            self._spawn(self._check_live(self.gen, self.provider, self.room.stream))

    async def _check_live(self, gen: int, provider: VideoProvider, stream: str) -> None:
        live = await self.live_check.is_live(provider, stream)
        if gen != self.gen:
            return
        self._not_live = self._not_live + 1 if live is False else 0
        if self._not_live >= 2:  # two looks in a row: not a publisher reconnecting
            self._fail(PlayerState.OFFLINE, self.tr("主播当前没有推流（已下播或被切断）"))

    # --- state display ---
    def _set_state(self, state: PlayerState, reason: str) -> None:
        changed = (state, reason) != (self.state, self.reason)
        self.state, self.reason = state, reason
        self.badge.setText(_state_text(state))
        self.badge.setStyleSheet(f"color:white;background:{_STATE_COLOURS[state]};padding:1px 6px;border-radius:3px;")
        self.badge.setToolTip(reason)
        msg = reason if state not in (PlayerState.PLAYING, PlayerState.BUFFERING) else ""
        if state == PlayerState.CONNECTING and self.still is not None:
            msg = reason
        self.still_view.set_message(msg)
        if state not in (PlayerState.PLAYING, PlayerState.BUFFERING):
            self.stack.setCurrentWidget(self.still_view)
        if changed:
            self.state_changed.emit(state.value, reason)

    def _spawn(self, coro: Any) -> None:
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:  # no running loop (a sync caller): nothing async can run
            coro.close()
            return
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("preview task failed", exc_info=t.exception())

        task.add_done_callback(done)


__all__ = ["evidence_pixmap", "PlayerState", "PreviewPlayer", "QtBackend", "StillView", "VideoSurface", "VlcBackend",
           "embed_platform", "load_libvlc"]
