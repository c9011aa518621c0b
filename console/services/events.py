"""What one console does, the others see.

Every write that other consoles must notice also inserts a row into ``events`` in the same
transaction (:func:`publish`). On PostgreSQL it also calls ``pg_notify`` (delivered on
commit, about 0.5 ms here); on SQLite the hub polls ``events`` for rows newer than the last
it saw. Subscribers receive :class:`~console.domain.Changes`, coalesced per wake-up.

On PostgreSQL the NOTIFY is only a doorbell: the ``events`` table is the record. Each wake-up
reads, on the listening connection itself (no second pooled connection), the rows with an id above
the last one delivered, so every event reaches the subscribers once and in id order, and nothing a
NOTIFY carried is trusted beyond "look now". A row whose id is skipped by a later commit (two
writers: the higher id committed first) is remembered as a gap and looked for again for
``GAP_TTL_S`` seconds, so it is delivered when its transaction commits (a rolled-back id never is).

The listener notices a lost connection within ``check_interval`` + its timeout (2 s + 2 s): asyncpg's
termination callback at once, a dead socket when the periodic read (every 2 s; the same query, so
it also picks up anything a lost NOTIFY missed) fails or does not answer. It then reports
``healthy=False`` with :data:`EVENTS_INTERRUPTED`, drops the old connection (the pool slot is freed
before a new connection is opened: a console never holds more than its budget), reconnects with a
jittered backoff (0.5 s doubling to 10 s), replays every stored event above the last delivered id
through the normal delivery, and reports ``healthy=True``.

Usage::

    hub = EventHub(engine)
    unsubscribe = hub.subscribe(lambda changes: ...)
    await hub.start()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.db.tables import EVENT_CHANNEL, events
from console.domain import Changes, UserId

log = logging.getLogger(__name__)

Subscriber = Callable[[Changes], None]

#: The status detail while the PostgreSQL listener is down (the view shows its translation).
EVENTS_INTERRUPTED = "事件中断，重连中"
#: How long an id skipped by a later commit is looked for again (a transaction open longer is missed).
GAP_TTL_S = 60.0
MAX_GAPS = 10_000
BATCH = 5000


class EventRow(NamedTuple):
    id: int
    topic: str
    ref: str


RowSubscriber = Callable[[Sequence[EventRow]], None]


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

_PG_READ = (f"SELECT id, topic, ref FROM events WHERE id > $1 OR id = ANY($2::bigint[]) "
            f"ORDER BY id LIMIT {BATCH}")


async def publish(conn: AsyncConnection, topic: str, ref: str = "") -> None:
    """Record an event inside the caller's transaction (and NOTIFY on PostgreSQL)."""
    ref = ref[:128]
    if conn.dialect.name == "postgresql":  # one round trip: the row and the NOTIFY (sent on commit)
        await conn.execute(_PG_PUBLISH, {"at": datetime.now(UTC), "topic": topic, "ref": ref,
                                         "channel": EVENT_CHANNEL, "payload": f"{topic}:{ref}"})
    else:
        await conn.execute(events.insert().values(at=datetime.now(UTC), topic=topic, ref=ref))


class _Lost(Exception):
    """The listening connection is gone."""


class EventHub:
    def __init__(self, engine: AsyncEngine, *, poll_interval: float = 0.5, check_interval: float = 2.0,
                 reconnect_min: float = 0.5, reconnect_max: float = 10.0) -> None:
        self._engine = engine
        self._poll_interval = poll_interval
        #: PostgreSQL: seconds between the listener's liveness reads (each also catches up), and their timeout.
        self.check_interval = check_interval
        self.reconnect_min = reconnect_min
        self.reconnect_max = reconnect_max
        self._subscribers: list[Subscriber] = []
        self._row_subscribers: list[RowSubscriber] = []
        self._status_cbs: list[Callable[[bool, str], None]] = []
        self.healthy = True
        self._task: asyncio.Task[None] | None = None
        self._listen_conn: AsyncConnection | None = None
        self._driver: Any = None  # the asyncpg connection under _listen_conn
        self._wake = asyncio.Event()
        self._lost = False
        self._last_id = 0
        self._gaps: dict[int, float] = {}  # id -> when it was first found missing (monotonic)
        #: The listener's backend pid (PostgreSQL), and how many times it reconnected.
        self.backend_pid: int | None = None
        self.reconnects = 0
        self.reads = 0
        self.mode = "notify" if engine.dialect.name == "postgresql" else "poll"

    @property
    def last_id(self) -> int:
        return self._last_id

    def subscribe(self, cb: Subscriber) -> Callable[[], None]:
        self._subscribers.append(cb)
        return lambda: self._subscribers.remove(cb) if cb in self._subscribers else None

    def subscribe_rows(self, cb: RowSubscriber) -> Callable[[], None]:
        """``cb(rows)``: the stored events of one wake-up, in the order they are delivered (each id once)."""
        self._row_subscribers.append(cb)
        return lambda: self._row_subscribers.remove(cb) if cb in self._row_subscribers else None

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

    def _deliver_rows(self, rows: Sequence[EventRow]) -> None:
        if not rows:
            return
        for rcb in list(self._row_subscribers):
            try:
                rcb(rows)
            except Exception:
                log.exception("event subscriber failed")
        merged = Changes()
        for r in rows:
            merged = merged.merge(changes_for(r.topic, r.ref))
        self._deliver(merged)

    async def start(self) -> None:
        async with self._engine.connect() as conn:
            self._last_id = (await conn.execute(sa.select(sa.func.coalesce(sa.func.max(events.c.id), 0)))).scalar_one()
        if self.mode == "notify":
            await self._connect()
            self._task = asyncio.get_running_loop().create_task(self._listen_loop(), name="events-listen")
        else:
            self._task = asyncio.get_running_loop().create_task(self._poll_loop(), name="events-poll")

    # --- PostgreSQL: LISTEN, read the table on each wake-up, reconnect and replay ----------------------

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, _payload: str) -> None:
        self._wake.set()

    def _on_terminate(self, _conn: Any) -> None:
        self._lost = True
        self._wake.set()

    async def _connect(self) -> None:
        conn = await self._engine.connect()
        try:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.add_listener(EVENT_CHANNEL, self._on_notify)
            driver.add_termination_listener(self._on_terminate)
        except BaseException:
            with contextlib.suppress(Exception):
                await conn.invalidate()
            await conn.close()
            raise
        self._lost = False
        self._listen_conn, self._driver = conn, driver
        self.backend_pid = driver.get_server_pid()

    async def _release(self, *, lost: bool) -> None:
        """Give the listening connection back: a lost one is closed and invalidated, so its pool slot is free
        (and empty) before a new connection is opened."""
        conn, driver = self._listen_conn, self._driver
        self._listen_conn = self._driver = None
        self.backend_pid = None
        if driver is not None:
            with contextlib.suppress(Exception):
                driver.remove_termination_listener(self._on_terminate)
            if lost or driver.is_closed():
                driver.terminate()  # no round trip to a server that may be gone
            else:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(driver.remove_listener(EVENT_CHANNEL, self._on_notify), 2)
        if conn is not None:
            if lost:
                with contextlib.suppress(Exception):
                    await conn.invalidate()
            with contextlib.suppress(Exception):
                await conn.close()

    async def _read(self) -> list[EventRow]:
        """Rows above the last delivered id, and the gaps, on the listening connection; a read that does not
        answer within ``check_interval`` means a dead link (the socket is closed: no cancel request)."""
        driver = self._driver
        if driver is None or self._lost or driver.is_closed():
            raise _Lost("connection closed")
        task = asyncio.ensure_future(driver.fetch(_PG_READ, self._last_id, list(self._gaps)))
        done, _ = await asyncio.wait({task}, timeout=max(self.check_interval, 0.5))
        if not done:
            driver.terminate()
            with contextlib.suppress(Exception):
                await task
            raise _Lost(f"no answer within {self.check_interval:.1f} s")
        self.reads += 1
        return [EventRow(r[0], r[1], r[2]) for r in task.result()]

    def _accept(self, rows: list[EventRow]) -> list[EventRow]:
        """The rows not delivered yet, in the order read; gaps noted and expired."""
        now = time.monotonic()
        out = []
        for r in rows:
            if r.id in self._gaps:
                del self._gaps[r.id]  # a transaction that committed after a later id: delivered now
                out.append(r)
            elif r.id > self._last_id:
                if len(self._gaps) + r.id - self._last_id - 1 <= MAX_GAPS:
                    for missing in range(self._last_id + 1, r.id):
                        self._gaps[missing] = now
                self._last_id = r.id
                out.append(r)
        if self._gaps:
            for gid in [g for g, seen in self._gaps.items() if now - seen > GAP_TTL_S]:
                del self._gaps[gid]
        return out

    async def _catch_up(self) -> None:
        while True:
            rows = await self._read()
            self._deliver_rows(self._accept(rows))
            if len(rows) < BATCH:
                return

    async def _serve(self) -> None:
        """Deliver on every NOTIFY wake-up, and read anyway every ``check_interval`` (liveness)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.check_interval)
            self._wake.clear()
            await self._catch_up()

    async def _listen_loop(self) -> None:
        delay = self.reconnect_min
        while True:
            try:
                if self._driver is None:
                    await self._connect()
                    self.reconnects += 1
                    log.info("event listener reconnected (backend %s); replaying from event %d",
                             self.backend_pid, self._last_id)
                await self._catch_up()
                self._set_health(True)
                delay = self.reconnect_min
                await self._serve()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - any failure of the link: reconnect
                reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                if self.healthy:
                    log.warning("event listener lost its connection (%s); reconnecting", reason)
                else:
                    log.info("event listener: reconnect failed (%s); next try in %.1f s", reason, delay)
            await self._release(lost=True)
            self._set_health(False, EVENTS_INTERRUPTED)
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, self.reconnect_max)

    # --- SQLite: poll ----------------------------------------------------------------------------------

    async def poll_once(self) -> Changes:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(
                sa.select(events.c.id, events.c.topic, events.c.ref)
                .where(events.c.id > self._last_id).order_by(events.c.id).limit(1000)
            )).all()
        out = [EventRow(r.id, r.topic, r.ref) for r in rows]
        if out:
            self._last_id = max(self._last_id, out[-1].id)
            for rcb in list(self._row_subscribers):
                try:
                    rcb(out)
                except Exception:
                    log.exception("event subscriber failed")
        merged = Changes()
        for r in out:
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
            await self._release(lost=False)
