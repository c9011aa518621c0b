"""What one console does, the others see.

Every write that other consoles must notice also inserts a row into ``events`` in the same
transaction (:func:`publish`). On PostgreSQL it also calls ``pg_notify`` (delivered on
commit, about 0.5 ms here); on SQLite the hub polls ``events`` for rows newer than the last
it saw. Subscribers receive :class:`~console.domain.Changes`, coalesced per wake-up.

Usage::

    hub = EventHub(engine)
    unsubscribe = hub.subscribe(lambda changes: ...)
    await hub.start()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.db.tables import EVENT_CHANNEL, events
from console.domain import Changes, UserId

log = logging.getLogger(__name__)

Subscriber = Callable[[Changes], None]


def changes_for(topic: str, ref: str) -> Changes:
    if topic == "audit":
        return Changes(audit=True)
    if topic == "note":
        try:
            return Changes(audit=True, notes_for=frozenset({UserId(int(ref))}))
        except ValueError:
            return Changes(audit=True)
    if topic == "users":
        return Changes(users=True)
    if topic == "rooms":
        return Changes(rooms=True)
    if topic == "actions":
        return Changes(actions=True)
    return Changes(other=frozenset({(topic, ref)}))


_PG_PUBLISH = sa.text(
    "WITH e AS (INSERT INTO events (at, topic, ref) VALUES (:at, :topic, :ref) RETURNING id) "
    "SELECT pg_notify(:channel, :payload) FROM e"
).bindparams(sa.bindparam("at", type_=events.c.at.type))


async def publish(conn: AsyncConnection, topic: str, ref: str = "") -> None:
    """Record an event inside the caller's transaction (and NOTIFY on PostgreSQL)."""
    ref = ref[:128]
    if conn.dialect.name == "postgresql":  # one round trip: the row and the NOTIFY (sent on commit)
        await conn.execute(_PG_PUBLISH, {"at": datetime.now(UTC), "topic": topic, "ref": ref,
                                         "channel": EVENT_CHANNEL, "payload": f"{topic}:{ref}"})
    else:
        await conn.execute(events.insert().values(at=datetime.now(UTC), topic=topic, ref=ref))


class EventHub:
    def __init__(self, engine: AsyncEngine, *, poll_interval: float = 0.5) -> None:
        self._engine = engine
        self._poll_interval = poll_interval
        self._subscribers: list[Subscriber] = []
        self._status_cbs: list[Callable[[bool, str], None]] = []
        self.healthy = True
        self._task: asyncio.Task[None] | None = None
        self._listen_conn: AsyncConnection | None = None
        self._last_id = 0
        self.mode = "notify" if engine.dialect.name == "postgresql" else "poll"

    def subscribe(self, cb: Subscriber) -> Callable[[], None]:
        self._subscribers.append(cb)
        return lambda: self._subscribers.remove(cb) if cb in self._subscribers else None

    def on_status(self, cb: Callable[[bool, str], None]) -> None:
        """``cb(ok, detail)`` when the link to the database fails or recovers."""
        self._status_cbs.append(cb)

    def _set_health(self, ok: bool, detail: str = "") -> None:
        if ok != self.healthy:
            self.healthy = ok
            for cb in list(self._status_cbs):
                cb(ok, detail)

    def _deliver(self, changes: Changes) -> None:
        if not changes:
            return
        for cb in list(self._subscribers):
            try:
                cb(changes)
            except Exception:
                log.exception("event subscriber failed")

    async def start(self) -> None:
        async with self._engine.connect() as conn:
            self._last_id = (await conn.execute(sa.select(sa.func.coalesce(sa.func.max(events.c.id), 0)))).scalar_one()
        if self.mode == "notify":
            self._listen_conn = await self._engine.connect()
            raw = await self._listen_conn.get_raw_connection()
            assert raw.driver_connection is not None
            await raw.driver_connection.add_listener(EVENT_CHANNEL, self._on_notify)
        else:
            self._task = asyncio.get_running_loop().create_task(self._poll_loop(), name="events-poll")

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        topic, _, ref = payload.partition(":")
        self._deliver(changes_for(topic, ref))

    async def poll_once(self) -> Changes:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(
                sa.select(events.c.id, events.c.topic, events.c.ref)
                .where(events.c.id > self._last_id).order_by(events.c.id).limit(1000)
            )).all()
        merged = Changes()
        for r in rows:
            self._last_id = max(self._last_id, r.id)
            merged = merged.merge(changes_for(r.topic, r.ref))
        return merged

    async def _poll_loop(self) -> None:
        while True:
            try:
                changes = await self.poll_once()
                self._set_health(True)
                self._deliver(changes)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - keep polling through a transient failure
                if self.healthy:
                    log.warning("event poll failed: %s", e)
                self._set_health(False, str(e).splitlines()[0] if str(e) else type(e).__name__)
            await asyncio.sleep(self._poll_interval)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._listen_conn is not None:
            with contextlib.suppress(Exception):
                raw = await self._listen_conn.get_raw_connection()
                assert raw.driver_connection is not None
                await raw.driver_connection.remove_listener(EVENT_CHANNEL, self._on_notify)
            await self._listen_conn.close()
            self._listen_conn = None
