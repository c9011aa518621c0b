"""Events that survive the database: the PostgreSQL listener notices a lost connection, says so, reconnects
with backoff and replays every stored event it missed, each once and in order; SQLite keeps polling.

Real PostgreSQL (the test cluster): the listener's backend is killed with ``pg_terminate_backend``, and the
whole cluster is restarted (same port) under a running console.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa

from console.db import tables as t
from console.db.engine import make_engine
from console.domain import ActionStatus, Changes, Role, RoomId
from console.sandbox.kingsoft import KingsoftEmulator
from console.services import Services, build_services
from console.services.events import EVENTS_INTERRUPTED, EventHub, EventRow, publish
from console.settings import load_settings
from tests.conftest import insert_known_users, operator
from tests.test_actions import emu, kls  # noqa: F401, F811 - the Kingsoft emulator fixture

pytestmark = pytest.mark.asyncio(loop_scope="session")
_n = iter(range(1_000_000))


async def until(cond: Callable[[], bool], timeout: float, what: str) -> float:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - t0


class Seen:
    """Every event a hub delivered (per id), every Changes, every status call."""

    def __init__(self, hub: EventHub) -> None:
        self.ids: Counter[int] = Counter()
        self.order: list[int] = []
        self.changes: list[Changes] = []
        self.status: list[tuple[bool, str]] = []
        hub.subscribe_rows(self.on_rows)
        hub.subscribe(self.changes.append)
        hub.on_status(lambda ok, detail: self.status.append((ok, detail)))

    def on_rows(self, rows: Sequence[EventRow]) -> None:
        for r in rows:
            self.ids[r.id] += 1
            self.order.append(r.id)

    def topic(self, name: str) -> set[str]:
        return {ref for c in self.changes for ref in c.topic(name)}


@pytest_asyncio.fixture(loop_scope="session")
async def pg_url(pg_cluster: Any, pg_template: str) -> AsyncIterator[str]:
    name = f"ev_{next(_n)}_{int(time.time() * 1000) % 100000}"
    pg_cluster.psql(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    url = str(pg_cluster.url(name))
    owner = make_engine(url)
    await insert_known_users(owner)
    await owner.dispose()
    yield url


async def console(url: str) -> Services:
    settings = load_settings(cli={"database.url": url, "events.poll_ms": 50, "chat.reader_process": False}, env={})
    return await build_services(settings, operator(Role.MODERATOR), connect_providers=False)


async def chat_batch(conn: Any, tag: str, n: int) -> int:
    """``n`` chat messages and their one event, as the routing endpoint commits a batch; the last id."""
    now = datetime.now(UTC)
    ids = (await conn.execute(t.chat_messages.insert().returning(t.chat_messages.c.id), [
        dict(msg_uid=f"{tag}-{i}", from_user_id="10000001", to_user_id="room_1", object_name="RC:TxtMsg",
             content=f"{tag} {i}", channel_type="TEMPGROUP", msg_timestamp=int(now.timestamp() * 1000), received_at=now)
        for i in range(n)])).scalars().all()
    await publish(conn, "chat", str(max(ids)))
    return max(ids)


async def event_ids(engine: Any, above: int) -> list[int]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(t.events.c.id).where(t.events.c.id > above)
                                        .order_by(t.events.c.id))).scalars())


async def listener_backends(engine: Any) -> list[int]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND (query LIKE 'LISTEN%' OR query LIKE 'SELECT id, topic, ref FROM events%')"
        ))).scalars())


@pytest.mark.postgres
async def test_a_killed_listener_reconnects_and_replays_each_missed_event_once(
        pg_url: str, expect_log: list[str]) -> None:
    expect_log.append("event listener lost its connection")
    services = await console(pg_url)
    hub = services.events
    hub.reconnect_min = 1.5  # the outage lasts long enough to write into it
    seen = Seen(hub)
    owner = make_engine(pg_url)
    try:
        start = hub.last_id
        async with owner.begin() as conn:
            before = await chat_batch(conn, "before", 3)
        await until(lambda: len(seen.ids) == 1, 5, "the first chat event")
        pid = hub.backend_pid
        assert pid is not None and await listener_backends(owner) == [pid]
        async with owner.connect() as conn:
            assert (await conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})).scalar() is True
        noticed = await until(lambda: not hub.healthy, 5, "the listener notices its connection is gone")
        # while it is down: chat traffic and a cut
        async with owner.begin() as conn:
            during = [await chat_batch(conn, "during-a", 5)]
        async with owner.begin() as conn:
            await conn.execute(t.rooms.update().where(t.rooms.c.id == 1).values(state="cut", updated_at=datetime.now(UTC)))
            await publish(conn, "rooms", "1")
        async with owner.begin() as conn:
            during.append(await chat_batch(conn, "during-b", 2))
        assert not hub.healthy and hub.reconnects == 0
        await until(lambda: hub.healthy, 15, "the listener reconnects")
        assert hub.reconnects == 1 and hub.backend_pid not in (None, pid)
        async with owner.begin() as conn:
            after = await chat_batch(conn, "after", 1)
        stored = await event_ids(owner, start)
        await until(lambda: set(seen.ids) == set(stored), 5, "every stored event delivered")
        await asyncio.sleep(0.3)  # nothing arrives twice later either
        assert seen.ids == Counter({i: 1 for i in stored}), seen.ids
        assert seen.order == stored  # in order, once each
        assert seen.status == [(False, EVENTS_INTERRUPTED), (True, "")]
        assert noticed < 5
        assert seen.topic("chat") == {str(before), *map(str, during), str(after)}
        assert any(c.rooms for c in seen.changes)  # the room monitor's refresh
        # the chat feed catches up through the same delivery: the moderator's reader sees what was missed
        msgs = await services.chat.newer(0)
        assert {"during-a 4", "during-b 1", "after 0"} <= {m.text for m in msgs}
        assert await listener_backends(owner) == [hub.backend_pid]  # the old backend is gone, one listener
    finally:
        await services.aclose()
        await owner.dispose()


@pytest.mark.postgres
async def test_a_commit_that_lands_after_a_later_id_is_still_delivered(pg_url: str) -> None:
    """Two writers: the lower event id commits after the higher one was delivered (a gap, then filled)."""
    hub = EventHub(make_engine(pg_url))
    seen = Seen(hub)
    await hub.start()
    owner = make_engine(pg_url)
    try:
        slow = await owner.connect()
        tx = await slow.begin()
        await publish(slow, "audit", "slow")  # takes the lower id, commits last
        async with owner.begin() as conn:
            await publish(conn, "audit", "fast")
        await until(lambda: len(seen.ids) == 1, 5, "the later id")
        await tx.commit()
        await slow.close()
        await until(lambda: len(seen.ids) == 2, 5, "the earlier id, committed later")
        assert sorted(seen.ids) == await event_ids(owner, 0) and set(seen.ids.values()) == {1}
    finally:
        await hub.aclose()
        await owner.dispose()
        await hub._engine.dispose()


async def test_sqlite_polling_goes_on_through_an_unavailable_file(db_url: str, expect_log: list[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: while reading the file fails ("database is locked", past the busy timeout) health goes false;
    the poller keeps going and then delivers what was written meanwhile, once each."""
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite polling")
    expect_log.append("event poll failed")
    engine = make_engine(db_url)
    hub = EventHub(engine, poll_interval=0.05)
    seen = Seen(hub)
    await hub.start()
    writer = make_engine(db_url)
    real = hub.poll_once
    locked = [True]

    async def poll_once() -> Changes:
        if locked[0]:
            raise sa.exc.OperationalError("SELECT events", {}, Exception("database is locked"))
        return await real()

    try:
        async with writer.begin() as conn:
            await publish(conn, "chat", "1")
        await until(lambda: len(seen.ids) == 1, 5, "the first poll")
        monkeypatch.setattr(hub, "poll_once", poll_once)
        await until(lambda: not hub.healthy, 5, "a failed poll")
        async with writer.begin() as conn:
            await publish(conn, "chat", "2")
            await publish(conn, "rooms", "1")
        await asyncio.sleep(0.2)
        locked[0] = False
        await until(lambda: hub.healthy and len(seen.ids) == 3, 5, "polling again")
        await asyncio.sleep(0.2)
        assert set(seen.ids.values()) == {1} and seen.topic("chat") == {"1", "2"}
        assert [ok for ok, _ in seen.status] == [False, True] and "locked" in seen.status[0][1]
    finally:
        await hub.aclose()
        await engine.dispose()
        await writer.dispose()


@pytest.mark.postgres
async def test_a_cluster_restart_under_a_running_console(pg_cluster: Any, pg_url: str, emu: KingsoftEmulator,  # noqa: F811
                                                         expect_log: list[str]) -> None:
    """The whole PostgreSQL cluster restarts (same port) under a running console: the listener reports the
    outage, reconnects and replays; the pool's other connections come back by themselves (pre-ping).

    Actions: one whose provider call failed before the outage stays ``pending`` through it and completes once
    afterwards (``ActionService.recover``); one typed *during* the outage cannot write its intent: the call
    raises at once (nothing reaches the provider, nothing is queued in memory), and typed again with the same
    idempotency key once the database is back it runs once."""
    expect_log.extend(["event listener lost its connection", "ForbidStream", "action", "giving up"])
    services = await console(pg_url)
    video = kls(emu)
    services.actions.set_providers({"kingsoft": video})
    hub = services.events
    seen = Seen(hub)
    owner = make_engine(pg_url)
    try:
        emu.inject("ForbidStream", "503", count=10)
        queued = await services.actions.cut_stream(RoomId(1), "赌博诈骗", None)
        assert queued.state is ActionStatus.PENDING
        emu.faults.clear()
        await owner.dispose()
        await asyncio.to_thread(pg_cluster.stop_server)
        try:
            await until(lambda: not hub.healthy, 5, "the listener notices the server is gone")
            calls = len(emu.calls_of("ForbidStream"))
            with pytest.raises(Exception) as typed:  # noqa: PT011 - whatever the driver raises for a refused connect
                await services.actions.resume_stream(RoomId(1), "复核后恢复", key="typed-during-outage")
            assert len(emu.calls_of("ForbidStream")) == calls and not emu.calls_of("ResumeStream")
        finally:
            await asyncio.to_thread(pg_cluster.start_server)
        await until(lambda: hub.healthy, 20, "the listener reconnects after the restart")
        assert seen.status == [(False, EVENTS_INTERRUPTED), (True, "")]
        assert [a.id for a in await services.actions.queue()] == [queued.id]  # still pending, visible
        done = await services.actions.recover()
        assert [(d.id, d.state) for d in done] == [(queued.id, ActionStatus.DONE)]
        assert await services.actions.recover() == []
        again = await services.actions.resume_stream(RoomId(1), "复核后恢复", key="typed-during-outage")
        again2 = await services.actions.resume_stream(RoomId(1), "复核后恢复", key="typed-during-outage")
        assert again.id == again2.id and again.state is ActionStatus.DONE
        async with owner.begin() as conn:
            await publish(conn, "chat", "after-restart")
            n_done = (await conn.execute(sa.select(sa.func.count()).select_from(t.action_outbox).where(
                t.action_outbox.c.state == "done"))).scalar_one()
        assert n_done == 2
        await until(lambda: "after-restart" in seen.topic("chat"), 5, "events after the restart")
        assert set(seen.ids.values()) == {1}
        # today: the driver's own error (ConnectionRefusedError) reaches the caller, not DatabaseUnreachable
        assert isinstance(typed.value, OSError | sa.exc.DBAPIError), repr(typed.value)
    finally:
        await video.aclose()
        await services.aclose()
        await owner.dispose()
