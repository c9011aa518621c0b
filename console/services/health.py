"""Stream health over time: alerts and a risk score per room (pure, no I/O).

A :class:`HealthTracker` keeps the last hour of samples per stream and turns each new
sample into alerts: offline (a room that was live disappeared without a cut), a bitrate or
frame-rate drop against the stream's own recent median, a keyframe interval over 4 s, and a
viewer spike. The risk score ranks rooms for the monitor (higher first).
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.domain import AlertKind
from console.services.video.base import StatsPoint, StreamHealth

HISTORY = timedelta(hours=1)
KEYFRAME_LIMIT_S = 4.0

WEIGHTS = {
    AlertKind.OFFLINE: 40.0,
    AlertKind.BITRATE_DROP: 20.0,
    AlertKind.FPS_DROP: 20.0,
    AlertKind.KEYFRAME: 10.0,
    AlertKind.VIEWER_SPIKE: 30.0,
}


@dataclass(frozen=True, slots=True)
class Assessment:
    alerts: frozenset[AlertKind]
    risk: float


class HealthTracker:
    def __init__(self, *, history: timedelta = HISTORY) -> None:
        self._history = history
        self._samples: dict[str, deque[StatsPoint]] = {}
        self._last_seen: dict[str, datetime] = {}

    def history(self, stream: str) -> list[StatsPoint]:
        return list(self._samples.get(stream, ()))

    def observe(self, h: StreamHealth) -> Assessment:
        """Record a sample and assess it against the stream's recent past."""
        q = self._samples.setdefault(h.stream, deque())
        recent = [p for p in q if p.at >= h.sampled_at - timedelta(minutes=5)]
        alerts: set[AlertKind] = set()
        if len(recent) >= 3:
            med_kbps = statistics.median(p.video_kbps for p in recent)
            med_fps = statistics.median(p.fps for p in recent)
            med_viewers = statistics.median(p.viewers for p in recent)
            if med_kbps > 0 and h.video_kbps < 0.5 * med_kbps:
                alerts.add(AlertKind.BITRATE_DROP)
            if med_fps > 0 and h.fps < 0.6 * med_fps:
                alerts.add(AlertKind.FPS_DROP)
            if h.viewers > max(3 * med_viewers, med_viewers + 500):
                alerts.add(AlertKind.VIEWER_SPIKE)
        if h.keyframe_interval_s is not None and h.keyframe_interval_s > KEYFRAME_LIMIT_S:
            alerts.add(AlertKind.KEYFRAME)
        q.append(StatsPoint(at=h.sampled_at, video_kbps=h.video_kbps, fps=h.fps, viewers=h.viewers))
        while q and q[0].at < h.sampled_at - self._history:
            q.popleft()
        self._last_seen[h.stream] = h.sampled_at
        return Assessment(frozenset(alerts), risk_score(alerts, h.viewers))

    def missing(self, stream: str) -> Assessment:
        """The stream was live and is gone (not cut): an offline alert."""
        return Assessment(frozenset({AlertKind.OFFLINE}), WEIGHTS[AlertKind.OFFLINE])

    def forget(self, stream: str) -> None:
        self._samples.pop(stream, None)
        self._last_seen.pop(stream, None)


def risk_score(alerts: set[AlertKind] | frozenset[AlertKind], viewers: int) -> float:
    """Alerts weigh most; among equals, bigger audiences rank higher (log-ish bonus, ≤ 10)."""
    base = sum(WEIGHTS[a] for a in alerts)
    audience = min(10.0, len(str(max(0, viewers))) * 1.5) if alerts else 0.0
    return round(base + audience, 1)
