"""50 consoles on one PostgreSQL: events and the chat feed under chat traffic and cuts.

``python -m bench.team --consoles 50 [--seconds 60] [--rate 2000] [--cuts-per-s 2]``

One private PostgreSQL cluster (127.0.0.1, stopped at the end). In this process, on one asyncio loop:

* **consoles**: ``--consoles`` service stacks made by :func:`console.services.build_services` (no Qt, no
  providers), each a moderator signed in as the table owner with ``SET ROLE shihou_moderator`` (the bench's
  owner login; not 50 login roles), ``chat.reader_process`` false (the chat reader runs in-process). Each
  console's :class:`EventHub` listens; on a ``chat`` event the console reads the feed with
  ``services.chat.newer(last_id)`` (one read in flight per console, at most one every ``--chat-interval`` s,
  as a pane repaints);
* **traffic**: ``--rate`` chat messages a second committed as the routing endpoint commits them
  (``console.sandbox.chat_routing``): batches of one 20 ms flush (40 rows at 2,000/s), one INSERT and one
  ``chat`` event with its NOTIFY per batch, on its own asyncpg connection;
* **cuts**: ``--cuts-per-s`` a second, a room's ``UPDATE rooms SET state='cut'`` and its ``rooms`` event
  (no provider call) in one transaction; the time from its commit to its delivery in *every* console;
* **baseline**: a bare asyncpg LISTEN connection and a NOTIFY sent from another, twice a second during
  the same traffic: the NOTIFY round trip.

Last line: ``RESULT team ours=<p99 ms from a cut's commit to its event in all consoles> baseline=<NOTIFY
round trip p99 ms> ratio=<x> connections=<peak PostgreSQL connections of the consoles> lost=<stored events
some console never got> chat_read_ms_p99=<ms>``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bench._common import log, pct


class Console:
    def __init__(self, services: Any, chat_interval: float) -> None:
        self.s = services
        self.got: set[int] = set()
        self.cut_at: dict[str, float] = {}
        self.chat_last = 0
        self.chat_reads: list[float] = []
        self.chat_lines = 0
        self._reading = False
        self._again = False
        self._interval = chat_interval
        services.events.subscribe_rows(self.on_rows)

    def on_rows(self, rows: Sequence[Any]) -> None:
        now = time.perf_counter()
        chat = False
        for r in rows:
            self.got.add(r.id)
            if r.topic == "rooms":
                self.cut_at.setdefault(r.ref, now)
            elif r.topic == "chat":
                chat = True
        if chat:
            if self._reading:
                self._again = True
            else:
                self._reading = True
                asyncio.ensure_future(self.read_chat())

    async def read_chat(self) -> None:
        try:
            while True:
                self._again = False
                t0 = time.perf_counter()
                lines = await self.s.chat.newer(self.chat_last)
                self.chat_reads.append((time.perf_counter() - t0) * 1000)
                if lines:
                    self.chat_last = max(x.id for x in lines)
                    self.chat_lines += len(lines)
                await asyncio.sleep(self._interval)
                if not self._again:
                    return
        finally:
            self._reading = False


async def amain(args: argparse.Namespace) -> None:
    import asyncpg

    from console.db.engine import make_engine
    from console.db.migrate import upgrade
    from console.db.tables import EVENT_CHANNEL
    from console.domain import Operator, OperatorId, Role
    from console.sandbox.pgcluster import PgCluster
    from console.services import build_services
    from console.settings import load_settings

    n = args.consoles
    pg = PgCluster(extra_conf={"max_connections": str(max(200, 4 * n + 40))}).start()
    consoles: list[Console] = []
    try:
        pg.psql("CREATE DATABASE bench_team")
        url = pg.url("bench_team")
        engine = make_engine(url)
        await upgrade(engine)
        await engine.dispose()
        dsn = f"postgresql://postgres@127.0.0.1:{pg.port}/bench_team"
        app = {"application_name": "bench-team"}
        setup = await asyncpg.connect(dsn, server_settings=app)
        await setup.execute(
            "INSERT INTO users (id, nickname, phone, registered_at, channel, status) "
            "SELECT 20000000 + g, 'u' || g, '138' || lpad(g::text, 8, '0'), now(), 'app', 'active' "
            "FROM generate_series(1, 200) g")
        await setup.execute(
            "INSERT INTO rooms (id, owner_id, title, category, stream_name, state, created_at, updated_at) "
            "SELECT g, 20000000 + g, 'room ' || g, 'game', 'room_' || g, 'live', now(), now() "
            "FROM generate_series(1, 200) g")
        settings = load_settings(cli={"database.url": url, "chat.reader_process": False}, env={})
        log(f"starting {n} consoles")
        for i in range(n):
            op = Operator(id=OperatorId(i + 1), username=f"bench-mod-{i}", display_name=f"mod {i}", role=Role.MODERATOR)
            consoles.append(Console(await build_services(settings, op, connect_providers=False), args.chat_interval))
        start_id = int(await setup.fetchval("SELECT coalesce(max(id), 0) FROM events"))

        writer = await asyncpg.connect(dsn, server_settings=app)
        cutter = await asyncpg.connect(dsn, server_settings=app)
        listener = await asyncpg.connect(dsn, server_settings=app)
        notifier = await asyncpg.connect(dsn, server_settings=app)
        base_waiter: list[asyncio.Future[float]] = []

        def on_base(*_a: Any) -> None:
            if base_waiter and not base_waiter[0].done():
                base_waiter[0].set_result(time.perf_counter())

        await listener.add_listener("bench_team_baseline", on_base)
        stop_at = time.monotonic() + args.seconds
        cut_commits: dict[str, float] = {}
        baseline: list[float] = []
        peak = [0]
        sent = [0]

        async def traffic() -> None:
            per_batch = max(1, round(args.rate * 0.02))
            seq = 0
            next_t = time.monotonic()
            while time.monotonic() < stop_at:
                now = datetime.now(UTC)
                ms = int(now.timestamp() * 1000)
                uids = [f"m{seq + k}" for k in range(per_batch)]
                seq += per_batch
                async with writer.transaction():
                    max_id = await writer.fetchval(
                        "WITH ins AS (INSERT INTO chat_messages (msg_uid, from_user_id, to_user_id, object_name, "
                        "content, channel_type, msg_timestamp, received_at) SELECT u, '20000001', "
                        "'room_' || (1 + (i % 20)), 'RC:TxtMsg', '弹幕 ' || u, 'TEMPGROUP', $2, $3 "
                        "FROM unnest($1::text[]) WITH ORDINALITY AS x(u, i) ON CONFLICT (msg_uid) DO NOTHING "
                        "RETURNING id) SELECT max(id) FROM ins", uids, ms, now)
                    await writer.execute(
                        "WITH e AS (INSERT INTO events (at, topic, ref) VALUES ($1, 'chat', $2) RETURNING id) "
                        "SELECT pg_notify($3, 'chat:' || $2) FROM e", now, str(max_id), EVENT_CHANNEL)
                sent[0] += per_batch
                next_t += 0.02
                await asyncio.sleep(max(0.0, next_t - time.monotonic()))

        async def cuts() -> None:
            k = 0
            while time.monotonic() < stop_at:
                await asyncio.sleep(1 / args.cuts_per_s)
                k += 1
                ref = f"cut-{k}"
                async with cutter.transaction():
                    await cutter.execute("UPDATE rooms SET state = 'cut', updated_at = now() WHERE id = $1",
                                         1 + k % 200)
                    await cutter.execute(
                        "WITH e AS (INSERT INTO events (at, topic, ref) VALUES (now(), 'rooms', $1) RETURNING id) "
                        "SELECT pg_notify($2, 'rooms:' || $1) FROM e", ref, EVENT_CHANNEL)
                cut_commits[ref] = time.perf_counter()

        async def base() -> None:
            await asyncio.sleep(0.25)
            while time.monotonic() < stop_at:
                fut = asyncio.get_running_loop().create_future()
                base_waiter[:] = [fut]
                t0 = time.perf_counter()
                await notifier.execute("SELECT pg_notify('bench_team_baseline', 'x')")
                try:
                    baseline.append((await asyncio.wait_for(fut, 5) - t0) * 1000)
                except TimeoutError:
                    pass
                await asyncio.sleep(0.5)

        async def count_connections() -> None:
            while time.monotonic() < stop_at:
                c = await setup.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = 'bench_team' "
                                         "AND application_name <> 'bench-team'")
                peak[0] = max(peak[0], int(c))
                await asyncio.sleep(1)

        log(f"traffic {args.rate} msg/s and {args.cuts_per_s} cuts/s for {args.seconds} s")
        t0 = time.monotonic()
        await asyncio.gather(traffic(), cuts(), base(), count_connections())
        log(f"sent {sent[0]} messages in {time.monotonic() - t0:.1f} s; draining")
        stored = {int(r[0]) for r in await setup.fetch("SELECT id FROM events WHERE id > $1", start_id)}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(not stored <= c.got for c in consoles):
            await asyncio.sleep(0.1)
        lost = sum(len(stored - c.got) for c in consoles)
        lat = []
        missing_cuts = 0
        for ref, at in cut_commits.items():
            seen = [c.cut_at.get(ref) for c in consoles]
            if any(s is None for s in seen):
                missing_cuts += 1
                continue
            lat.append((max(s for s in seen if s is not None) - at) * 1000)
        reads = [x for c in consoles for x in c.chat_reads]
        lines = sum(c.chat_lines for c in consoles)
        reconnects = sum(c.s.events.reconnects for c in consoles)
        ev_reads = sum(c.s.events.reads for c in consoles)
        ours, bl = pct(lat, 99), pct(baseline, 99)
        log(f"cuts {len(cut_commits)} (p50 {pct(lat, 50):.1f} ms, p99 {ours:.1f} ms, max {max(lat, default=0):.1f} ms, "
            f"missing {missing_cuts}); NOTIFY round trip p50 {pct(baseline, 50):.2f} ms p99 {bl:.2f} ms")
        log(f"events stored {len(stored)}, event-table reads by the listeners {ev_reads} "
            f"({ev_reads / args.seconds / n:.1f}/s per console), reconnects {reconnects}")
        log(f"chat reads {len(reads)} (p50 {pct(reads, 50):.1f} ms), lines read {lines} "
            f"({lines / n:.0f} per console of {sent[0]} sent)")
        log(f"peak connections of the consoles {peak[0]} ({peak[0] / n:.2f} per console; pool 3, reader in-process)")
        for c_ in (writer, cutter, listener, notifier, setup):
            await c_.close()
        print(f"RESULT team ours={ours:.1f} baseline={bl:.2f} ratio={ours / bl if bl else 0:.1f} "
              f"connections={peak[0]} lost={lost} chat_read_ms_p99={pct(reads, 99):.1f}", flush=True)
    finally:
        for c in consoles:
            await c.s.aclose()
        pg.stop()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.team", description=__doc__.split("\n\n")[0])
    ap.add_argument("--consoles", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--rate", type=int, default=2000, help="chat messages per second")
    ap.add_argument("--cuts-per-s", type=float, default=2.0)
    ap.add_argument("--chat-interval", type=float, default=0.25, help="a console's least time between chat reads")
    asyncio.run(amain(ap.parse_args(argv)))


if __name__ == "__main__":
    main()
