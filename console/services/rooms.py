"""Rooms in the shared database: who streams what, and whether a room is cut."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from console.db import tables as t
from console.domain import Permission, RoomId, RoomInfo, UserId
from console.errors import NotFound
from console.services.audit import AuditService

_CHUNK = 500


class RoomService:
    """Usage: ``info = await rooms.by_stream(["room_1", "room_2"])``."""

    def __init__(self, engine: AsyncEngine, audit: AuditService) -> None:
        self._engine = engine
        self._audit = audit

    @staticmethod
    def _select() -> sa.Select[Any]:
        return (sa.select(t.rooms.c.id, t.rooms.c.owner_id, t.users.c.nickname, t.rooms.c.title, t.rooms.c.category,
                          t.rooms.c.stream_name, t.rooms.c.state)
                .select_from(t.rooms.join(t.users, t.users.c.id == t.rooms.c.owner_id)))

    @staticmethod
    def _info(r: Any) -> RoomInfo:
        return RoomInfo(id=RoomId(r[0]), owner_id=UserId(r[1]), streamer=r[2], title=r[3], category=r[4],
                        stream_name=r[5], state=r[6])

    async def by_stream(self, streams: Iterable[str]) -> dict[str, RoomInfo]:
        names = list(dict.fromkeys(streams))
        out: dict[str, RoomInfo] = {}
        async with self._engine.connect() as conn:
            for i in range(0, len(names), _CHUNK):
                chunk = names[i:i + _CHUNK]
                for r in (await conn.execute(self._select().where(t.rooms.c.stream_name.in_(chunk)))).all():
                    out[r[5]] = self._info(r)
        return out

    async def cut_rooms(self) -> dict[str, RoomInfo]:
        """Rooms whose state is 'cut' (shown in the monitor even though they are not live)."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(self._select().where(t.rooms.c.state == "cut"))).all()
        return {r[5]: self._info(r) for r in rows}

    async def get(self, room_id: RoomId) -> RoomInfo:
        await self._audit.require(Permission.CUT_STREAM, f"room:{room_id}")
        async with self._engine.connect() as conn:
            r = (await conn.execute(self._select().where(t.rooms.c.id == room_id))).first()
        if r is None:
            raise NotFound(f"No room with id {room_id}")
        return self._info(r)
