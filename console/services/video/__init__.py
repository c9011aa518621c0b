"""Video providers behind one protocol: Kingsoft Cloud live (KLS) and self-hosted nginx-rtmp."""

from console.services.video.base import (
    BlacklistEntry,
    Rendition,
    Screenshot,
    StatsPoint,
    StreamHealth,
    StreamState,
    VideoProvider,
)

__all__ = ["BlacklistEntry", "Rendition", "Screenshot", "StatsPoint", "StreamHealth", "StreamState", "VideoProvider"]
