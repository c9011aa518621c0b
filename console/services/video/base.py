"""The VideoProvider protocol and the value types every provider returns.

Units are in the names: ``*_kbps`` kilobits per second, ``fps`` frames per second,
``keyframe_interval_s`` seconds; times are aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal, Protocol

PlayProtocol = Literal["rtmp", "hls", "flv"]


class StreamState(StrEnum):
    LIVE = "live"
    OFFLINE = "offline"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamHealth:
    """One live stream as the provider sees it at ``sampled_at``."""

    stream: str
    app: str
    state: StreamState
    sampled_at: datetime
    started_at: datetime | None = None
    publisher_ip: str = ""
    viewers: int = 0
    video_kbps: float = 0.0
    audio_kbps: float = 0.0
    fps: float = 0.0
    width: int = 0
    height: int = 0
    keyframe_interval_s: float | None = None
    video_codec: str = ""
    audio_codec: str = ""

    @property
    def uptime_s(self) -> float:
        return 0.0 if self.started_at is None else max(0.0, (self.sampled_at - self.started_at).total_seconds())


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendition:
    name: str
    width: int
    height: int
    video_kbps: float
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BlacklistEntry:
    stream: str
    forbidden_at: datetime
    forbidden_until: datetime | None


#: Screenshots larger than this are refused (a thumbnail never needs more).
MAX_IMAGE_BYTES = 4 * 1024 * 1024
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def check_image(data: bytes, url: str) -> bytes:
    """``data`` if it is a JPEG or PNG of a sane size; ValueError (with the reason) otherwise."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"screenshot {url} is {len(data)} bytes (limit {MAX_IMAGE_BYTES})")
    if not data.startswith(_IMAGE_MAGIC):
        raise ValueError(f"screenshot {url} is not a JPEG or PNG image")
    return data


@dataclass(frozen=True, slots=True, kw_only=True)
class Screenshot:
    stream: str
    taken_at: datetime
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StatsPoint:
    at: datetime
    video_kbps: float
    fps: float
    viewers: int


class VideoProvider(Protocol):
    """What the room monitor, the preview and the action service need from a video platform.

    Every method raises only :class:`console.errors.ProviderError` subclasses.
    """

    name: str

    async def list_live(self) -> list[StreamHealth]:
        """Every stream currently publishing, with its health."""
        ...

    async def forbid(self, stream: str, *, until: datetime | None = None) -> None:
        """Cut the stream now and keep it off until ``until`` (None: until resumed). Idempotent."""
        ...

    async def resume(self, stream: str) -> None:
        """Allow the stream to publish again. Idempotent."""
        ...

    async def blacklist(self) -> list[BlacklistEntry]: ...

    async def renditions(self, stream: str) -> list[Rendition]: ...

    def play_url(self, stream: str, *, protocol: PlayProtocol = "rtmp", expires_in_s: int = 3600) -> str:
        """A (signed, where the provider signs) URL a player can open."""
        ...

    async def screenshots(self, stream: str, *, limit: int = 20) -> list[Screenshot]: ...

    async def stats_history(self, stream: str, since: datetime) -> list[StatsPoint]: ...

    async def screenshot_image(self, shot: Screenshot) -> bytes:
        """The image behind ``shot`` (JPEG or PNG bytes, at most :data:`MAX_IMAGE_BYTES`)."""
        ...

    async def aclose(self) -> None: ...
