"""The room monitor's data: every live stream of every provider, joined with its room,
assessed for health. One :meth:`RoomMonitor.snapshot` per refresh; the view diffs it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from console.domain import AlertKind, RoomInfo
from console.errors import InvalidInput, ProviderError
from console.services.health import HealthTracker, risk_score
from console.services.rooms import RoomService
from console.services.video.base import Screenshot, StatsPoint, StreamHealth, VideoProvider

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomRow:
    """One row of the room monitor, keyed by ``provider/stream``."""

    key: str
    provider: str
    stream: str
    room: RoomInfo | None
    health: StreamHealth | None
    state: str  # live | cut | offline
    alerts: frozenset[AlertKind]
    risk: float


@dataclass(frozen=True, slots=True)
class RowDiff:
    """What changed between two snapshots (computed off the UI thread)."""

    added: list[RoomRow]
    changed: list[RoomRow]
    removed: list[str]


def diff_rows(old: dict[str, RoomRow], new_rows: list[RoomRow]) -> RowDiff:
    incoming = {r.key: r for r in new_rows}
    added, changed = [], []
    for k, r in incoming.items():
        prev = old.get(k)
        if prev is None:
            added.append(r)
        elif prev != r:
            changed.append(r)
    return RowDiff(added=added, changed=changed, removed=[k for k in old if k not in incoming])


@dataclass(frozen=True, slots=True)
class Snapshot:
    rows: list[RoomRow]
    errors: dict[str, str]  # provider -> message, for providers that failed this round
    taken_at: datetime
    diff: RowDiff | None = None


class RoomMonitor:
    def __init__(self, providers: list[VideoProvider], rooms: RoomService) -> None:
        self._providers = providers
        self._rooms = rooms
        self._health = HealthTracker()
        self._was_live: dict[str, RoomRow] = {}
        self._last: dict[str, RoomRow] = {}

    def set_providers(self, providers: list[VideoProvider]) -> None:
        self._providers = list(providers)

    @property
    def providers(self) -> list[VideoProvider]:
        return list(self._providers)

    def history(self, key: str) -> list[StatsPoint]:
        return self._health.history(key)

    async def snapshot(self) -> Snapshot:
        results = await asyncio.gather(*(p.list_live() for p in self._providers), return_exceptions=True)
        now = datetime.now(UTC)
        errors: dict[str, str] = {}
        live: list[tuple[str, StreamHealth]] = []
        failed: set[str] = set()
        for p, res in zip(self._providers, results, strict=True):
            if isinstance(res, ProviderError):
                errors[p.name] = str(res)
                failed.add(p.name)
            elif isinstance(res, BaseException):
                raise res
            else:
                live.extend((p.name, h) for h in res)
        infos = await self._rooms.by_stream(h.stream for _, h in live)
        cut = await self._rooms.cut_rooms()
        rows: list[RoomRow] = []
        seen: set[str] = set()
        for prov, h in live:
            key = f"{prov}/{h.stream}"
            seen.add(key)
            a = self._health.observe(replace(h, stream=key))
            rows.append(RoomRow(key=key, provider=prov, stream=h.stream, room=infos.get(h.stream), health=h,
                                state="live", alerts=a.alerts, risk=a.risk))
        live_streams = {r.stream for r in rows}
        for stream, info in cut.items():
            if stream not in live_streams:
                key = f"cut/{stream}"
                seen.add(key)
                rows.append(RoomRow(key=key, provider="", stream=stream, room=info, health=None, state="cut",
                                    alerts=frozenset(), risk=0.0))
        for key, prev in list(self._was_live.items()):
            if key in seen or prev.provider in failed:
                continue
            if prev.stream in cut or (prev.room is not None and prev.room.state == "cut"):
                del self._was_live[key]
                continue
            # was live, now gone, not cut: offline alert (kept until the stream returns or is dismissed)
            seen.add(key)
            alerts = frozenset({AlertKind.OFFLINE})
            rows.append(RoomRow(key=key, provider=prev.provider, stream=prev.stream, room=prev.room, health=None,
                                state="offline", alerts=alerts, risk=risk_score(alerts, 0)))
        self._was_live = {r.key: r for r in rows if r.state in ("live", "offline")}
        # the diff against the last snapshot is computed in a worker thread, not on the UI thread
        diff = await asyncio.to_thread(diff_rows, self._last, rows)
        self._last = {r.key: r for r in rows}
        return Snapshot(rows=rows, errors=errors, taken_at=now, diff=diff)

    def provider(self, name: str) -> VideoProvider | None:
        return next((p for p in self._providers if p.name == name), None)

    async def screenshots(self, provider: str, stream: str, *, limit: int = 12) -> list[Screenshot]:
        """The latest screenshots of a room's stream, newest first (empty for an unknown provider)."""
        p = self.provider(provider)
        return [] if p is None else await p.screenshots(stream, limit=limit)

    async def screenshot_image(self, provider: str, shot: Screenshot) -> bytes:
        p = self.provider(provider)
        if p is None:
            raise InvalidInput("provider", f"no video provider named {provider!r}")
        return await p.screenshot_image(shot)

    async def thumbnail(self, provider: str, stream: str) -> tuple[Screenshot, bytes] | None:
        """The latest screenshot of a stream and its image (None when the provider has none yet)."""
        shots = await self.screenshots(provider, stream, limit=1)
        if not shots:
            return None
        return shots[0], await self.screenshot_image(provider, shots[0])

    def dismiss(self, key: str) -> None:
        self._was_live.pop(key, None)
        self._health.forget(key)
