"""Live chat end to end: simulated viewers → RongCloud emulator → routing endpoint → database → events →
the visible chat pane.

``python -m bench.chat --rate 5000 --seconds 60 [--db pg|sqlite] [--users 20000] [--rooms 20]``

Three processes share the machine, as they would share a team's setup:

* **traffic** (a child): :class:`~console.sandbox.chat_traffic.ChatTraffic` at ``--rate`` messages/s into
  :class:`~console.sandbox.rongcloud.RongCloudEmulator`, which checks each message and posts it, signed,
  to the routing URL (its httptools client, keep-alive);
* **routing** (a child): ``python -m console.sandbox.chat_routing`` — verifies, batches, stores into
  ``chat_messages`` with ``ON CONFLICT (msg_uid) DO NOTHING`` and publishes one ``chat`` event per batch;
* **console** (this process, the UI thread): offscreen Qt on the qasync loop, the real
  :class:`~console.views.chat.ChatPane` on the "all rooms" feed, woken by :class:`EventHub` (NOTIFY on
  PostgreSQL, polling on SQLite), reading through :class:`ChatService` (flags, floods, focus mode).

PostgreSQL, the emulator and the routing endpoint run elsewhere in production; here they share two cores
with the console. ``--child-nice N`` starts the emulator and routing processes at a lower priority (0:
the same as the console, the default).

How messages are counted (every figure is printed, then the RESULT line):

* **sent**: messages the emulator routed (the traffic generator's messages that RongCloud would deliver);
* **stored**: rows of ``chat_messages`` above the id the run started from;
* **placed**: stored lines the pane moved from its queue into its view model, marked by ``chat_messages.id``
  through ``ChatPane.on_placed`` (each id once) at the moment they reach the model: as a row of their own,
  counted into a flood row ("×312 相似": a flood row already shown takes its new count at most once a
  second, and its lines are placed when it does), or — focus mode only — left out and counted in the
  banner ("已隐藏 N 条"); the two numbers are printed apart (``in_model``, ``hidden_by_focus``);
* **lost** = (sent − stored) + (stored − placed): a line the database has but the pane never placed
  within 60 s of the last send is lost;
* **ours** = placed lines per second sustained: lines placed between the end of warm-up and the end of
  sending, over that time (at an offered 5,000/s a pane that keeps up shows 5,000);
  **e2e_msg_s** = every placed line over the time from the first send to the last line placed (this
  includes the last second of delivery, so it stays under the offered rate); **delay_p99_ms**: from the
  emulator's ``msgTimestamp`` to placed in the pane, after warm-up;
* **lag**: a 10 ms precise QTimer's lateness on the UI thread after warm-up (p50/p99), and how long the UI
  thread was runnable but waiting for a CPU (``/proc/.../schedstat``: the other processes of this machine);
* **rss_growth_mb**: the console's private RSS (RssAnon + RssShmem) at the end minus after warm-up (min(10 s,
  seconds/6)); the file-backed RSS (SQLite maps its database file) is printed apart.

Baseline, same run, same database: the raw insert rate of the same messages (read back from
``chat_messages``) into a copy of the table with the same indexes — asyncpg ``unnest`` + ``ON CONFLICT DO
NOTHING`` + ``pg_notify`` per batch of 2000 on PostgreSQL, stdlib ``sqlite3`` ``executemany`` of
``INSERT … ON CONFLICT DO NOTHING`` per batch of 2000 on SQLite — no HTTP, no console.

Last line: ``RESULT chat ours=<msg/s> baseline=<msg/s> ratio=<x> lag_p99_ms=<ms> lost=<n> rss_growth_mb=<mb>
in_model=<n> hidden_by_focus=<n> e2e_msg_s=<msg/s> delay_p99_ms=<ms>``.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._common import loadavg, log, pct  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BATCH = 2000


def rss_mb() -> tuple[float, float]:
    """(private RSS, file-backed RSS) of this process in MB (/proc/self/status RssAnon + RssShmem, RssFile).

    The file-backed part is the page cache of mapped files: SQLite maps its database (PRAGMA mmap_size),
    so every page of a growing database file the console touches counts there, and the kernel takes it
    back when it needs it. Memory the console holds is the private part."""
    got: dict[str, float] = {}
    with open("/proc/self/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("RssAnon", "RssShmem", "RssFile"):
                got[k] = int(v.split()[0]) / 1024
    return got.get("RssAnon", 0.0) + got.get("RssShmem", 0.0), got.get("RssFile", 0.0)


def ui_schedstat() -> tuple[float, float]:
    """The calling thread's (CPU seconds, seconds waiting on a run queue) from /proc (schedstat)."""
    import threading
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as f:
            on_cpu, waiting, _ = f.read().split()
        return int(on_cpu) / 1e9, int(waiting) / 1e9
    except OSError:
        return float("nan"), float("nan")


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


# --- the traffic child --------------------------------------------------------------------------

async def traffic_main(args: argparse.Namespace) -> None:
    from console.db.engine import make_engine
    from console.sandbox.chat_traffic import ChatTraffic
    from console.sandbox.rongcloud import RongCloudEmulator

    secret = os.environ["SHIHOU_RC_SECRET"]
    emu = RongCloudEmulator(app_key="bench", app_secret=secret, routing_url=args.routing_url, max_in_flight=1024,
                            route_timeout_s=30.0, seed=7)
    await emu.start()
    engine = make_engine(args.db_url)
    traffic = await ChatTraffic.from_database(emu, engine, args.room_keys.split(","), rate_per_s=args.rate, seed=7)
    await engine.dispose()
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)   # "GO"
    t0 = time.monotonic()
    await traffic.run(args.seconds)
    t_sent = time.monotonic() - t0
    await emu.drain(120.0)
    out = {"sent": traffic.sent, "counts": traffic.counts, "routing": vars(emu.stats), "send_s": t_sent,
           "drained_s": time.monotonic() - t0, "cpu_s": time.process_time()}
    await emu.stop()
    print("DONE " + json.dumps(out), flush=True)


# --- the console (this process) ------------------------------------------------------------------

async def prepare(url: str, users: int, n_rooms: int) -> list[str]:
    import sqlalchemy as sa

    from console.db import tables as t
    from console.db import tables_chat as tc
    from console.sandbox.chat_traffic import SANDBOX_WORDS
    from console.sandbox.seed import seed_database

    log(f"seeding {users} users ...")
    await seed_database(url, users)
    from console.db.engine import make_engine

    engine = make_engine(url)
    from datetime import UTC, datetime
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        rooms = [str(r) for r in (await conn.execute(sa.select(t.rooms.c.id).order_by(t.rooms.c.id)
                                                       .limit(n_rooms))).scalars()]
        await conn.execute(tc.chat_words.insert(), [
            dict(word=w, replace_word=r, session_only=False, expires_at=None, created_by="bench", created_at=now)
            for w, r in SANDBOX_WORDS])
        await conn.execute(tc.chat_regex_rules.insert().values(name="QQ号", pattern=r"[qQ]{2}\s*\d{5,11}",
                                                               created_by="bench", created_at=now))
    await engine.dispose()
    return rooms


def start_child(cmd: list[str], env: dict[str, str], nice: int) -> subprocess.Popen[str]:
    """The emulator and the routing endpoint run elsewhere in production (RongCloud, the platform's
    servers); here they share the machine, so ``--child-nice`` lets the console's UI thread go first."""
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
                            preexec_fn=(lambda: os.nice(nice)) if nice else None)  # noqa: PLW1509


def wait_line(p: subprocess.Popen[str], prefix: str, timeout: float = 120.0) -> str:
    assert p.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            raise RuntimeError(f"child closed its output before {prefix!r} (exit code {p.wait(30)})")
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    raise TimeoutError(prefix)


async def console_main(args: argparse.Namespace) -> None:
    import sqlalchemy as sa
    from PySide6.QtCore import Qt, QTimer

    from console.db import tables as t
    from console.db.engine import make_engine
    from console.domain import Operator, OperatorId, Role
    from console.heap import settle_heap
    from console.sandbox.pgcluster import PgCluster
    from console.services.actions import ActionService
    from console.services.audit import AuditService
    from console.services.chat.feed import ChatService
    from console.services.chat.moderation import ChatModeration
    from console.services.chat.reader import ChatReader
    from console.services.events import EventHub
    from console.views.chat import ALL_ROOMS, ChatPane

    loop = asyncio.get_running_loop()
    pg: PgCluster | None = None
    tmp = tempfile.TemporaryDirectory(prefix="shihou-bench-chat-")
    children: list[subprocess.Popen[str]] = []
    try:
        if args.db == "pg":
            pg = PgCluster(extra_conf={"fsync": "on", "synchronous_commit": "on", "shared_buffers": "512MB",
                                       "max_wal_size": "8GB"}).start()
            pg.psql("CREATE DATABASE bench_chat")
            url = str(pg.url("bench_chat"))
        else:
            url = f"sqlite+aiosqlite:///{tmp.name}/chat.db"
        rooms = await prepare(url, args.users, args.rooms)
        secret = secrets.token_hex(16)
        env = {**os.environ, "SHIHOU_RC_SECRET": secret, "PYTHONPATH": str(ROOT)}
        routing = start_child([sys.executable, "-m", "console.sandbox.chat_routing", "--db", url,
                               "--flush-ms", str(args.flush_ms)], env, args.child_nice)
        children.append(routing)
        routing_url = await loop.run_in_executor(None, wait_line, routing, "READY ")
        traffic = start_child([sys.executable, "-m", "bench.chat", "--role", "traffic", "--routing-url", routing_url,
                               "--db-url", url, "--room-keys", ",".join(rooms), "--rate", str(args.rate),
                               "--seconds", str(args.seconds)], env, args.child_nice)
        children.append(traffic)
        await loop.run_in_executor(None, wait_line, traffic, "READY")

        engine = make_engine(url)
        audit = AuditService(engine, Operator(id=OperatorId(1), username="bench-mod", display_name="bench",
                                              role=Role.MODERATOR))
        chat = ChatService(engine, audit)
        mod = ChatModeration(ActionService(engine, audit), engine)
        reader = ChatReader(chat, engine, spawn=not args.in_process)
        await reader.start()
        async with engine.connect() as conn:
            start_id = int((await conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.chat_messages.c.id), 0))))
                           .scalar_one())
        pane = ChatPane(chat, mod, reader=reader)
        pane.resize(1400, 900)
        pane.show()
        hub = EventHub(engine, poll_interval=0.05)
        hub.subscribe(pane.on_changes)
        await hub.start()
        loaded = asyncio.Event()
        pane.loaded.connect(loaded.set)
        pane.start()
        await asyncio.wait_for(loaded.wait(), 60)
        loaded.clear()
        pane.select_feed(ALL_ROOMS)
        await asyncio.wait_for(loaded.wait(), 60)
        if not args.no_settle:
            settle_heap()   # as the app does SETTLE_AFTER_S after its window is shown (console.heap)
        received0 = pane.received_lines

        # every line the pane places (a row of the model, counted into a flood row, or left out by focus
        # mode and counted in its banner) is marked by id: lost = stored rows whose id was never placed
        placed = bytearray(1 << 20)
        placed_n = [0]
        last_line = [0.0]
        progress: list[tuple[float, int]] = []   # (perf_counter, lines placed so far) at each placement
        delays = array.array("f")                # ms from the emulator's msgTimestamp to placed, per line

        def on_placed(lines: Any) -> None:
            now = time.perf_counter()
            wall_ms = time.time() * 1000
            for ln in lines:
                i = ln.id - start_id - 1
                if i < 0:
                    continue
                if i >= len(placed):
                    placed.extend(bytes(i + 1 - len(placed) + (1 << 20)))
                if not placed[i]:
                    placed[i] = 1
                    placed_n[0] += 1
                    delays.append(wall_ms - ln.sent_ms)
            last_line[0] = now
            progress.append((now, placed_n[0]))

        pane.on_placed = on_placed
        shown0, hidden0 = pane.shown_lines, pane.hidden_total

        # probe: UI-loop lag (a precise 10 ms timer's lateness)
        lags: list[tuple[float, float]] = []
        last_tick = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            lags.append((now, max(0.0, (now - last_tick[0]) * 1000 - 10.0)))
            last_tick[0] = now

        probe = QTimer()
        probe.setTimerType(Qt.TimerType.PreciseTimer)
        probe.setInterval(10)
        probe.timeout.connect(tick)
        probe.start()

        assert traffic.stdin is not None
        stalls: dict[str, int] = {}
        watchdog_stop = [False]
        if args.profile:   # what the UI thread is doing while the 10 ms timer is late
            import threading
            import traceback
            main_id = threading.get_ident()

            def watchdog() -> None:
                while not watchdog_stop[0]:
                    time.sleep(0.005)
                    if time.perf_counter() - last_tick[0] > 0.04:
                        frame = sys._current_frames().get(main_id)
                        if frame is not None:
                            st = traceback.extract_stack(frame)[-6:]
                            k = " <- ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in reversed(st))
                            stalls[k] = stalls.get(k, 0) + 1

            threading.Thread(target=watchdog, daemon=True).start()
        prof = None
        if args.cprofile:
            import cProfile
            prof = cProfile.Profile()
            prof.enable()
        sched0 = ui_schedstat()
        traffic.stdin.write("GO\n")
        traffic.stdin.flush()
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        last_tick[0] = t0
        warm = min(10.0, args.seconds / 6)
        await asyncio.sleep(warm)
        rss0 = rss_mb()
        log(f"warm-up {warm:.0f}s done: rss {rss0[0]:.1f} MB private, {rss0[1]:.1f} MB file-backed, received "
            f"{pane.received_lines - received0}")
        done_json = await loop.run_in_executor(None, wait_line, traffic, "DONE ", args.seconds + 300)
        done = json.loads(done_json)
        # wait for the pane to place every stored line (or give up after 60 s)
        async with engine.connect() as conn:
            stored = int((await conn.execute(sa.select(sa.func.count()).select_from(t.chat_messages)
                                             .where(t.chat_messages.c.id > start_id))).scalar_one())
        deadline = time.monotonic() + 60
        while placed_n[0] < stored and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        probe.stop()
        console_cpu = time.process_time() - cpu0
        sched1 = ui_schedstat()
        if prof is not None:
            prof.disable()
            prof.dump_stats(args.cprofile)
            log(f"cProfile of the UI thread written to {args.cprofile}")
        watchdog_stop[0] = True
        for k, v in sorted(stalls.items(), key=lambda kv: -kv[1])[:25]:
            log(f"stall x{v}: {k}")
        rss1 = rss_mb()
        t_end = last_line[0] or time.perf_counter()
        # every placed id was read from chat_messages (ids above start_id), each counted once
        never_placed = stored - placed_n[0]
        shown = placed_n[0]
        in_model = pane.shown_lines - shown0
        hidden_n = pane.hidden_total - hidden0
        focus = pane.focus_active
        pane_received = pane.received_lines - received0
        await hub.aclose()
        pane.close()
        reads = (reader.reads_in_child, reader.reads_here)
        reader_cpu = reader.child_cpu_s()
        await reader.aclose()
        routing.send_signal(signal.SIGTERM)
        rstats = json.loads(await loop.run_in_executor(None, wait_line, routing, "STATS "))

        # --- baseline: the same messages, raw inserts into a copy of the table
        base_rate, base_n = await baseline(url, engine, start_id)
        await engine.dispose()
    finally:
        for c in children:
            if c.poll() is None:
                c.terminate()
                try:
                    c.wait(10)
                except subprocess.TimeoutExpired:
                    c.kill()
        if pg is not None:
            pg.stop()
        tmp.cleanup()

    routed = int(done["counts"].get("routed", 0))
    elapsed = t_end - t0
    e2e = shown / elapsed if elapsed > 0 else 0.0
    # sustained: lines placed per second between the end of warm-up and the end of sending
    w0, w1 = t0 + warm, t0 + float(done["send_s"])
    n0 = next((k for (ts, k) in progress if ts >= w0), 0)
    n1 = next((k for (ts, k) in reversed(progress) if ts <= w1), n0)
    ours = (n1 - n0) / (w1 - w0) if w1 > w0 else 0.0
    steady = list(delays[int(len(delays) * warm / max(1.0, float(done["send_s"]))):])
    delay50, delay99 = pct(steady, 50), pct(steady, 99)
    after = [v for (ts, v) in lags if ts - t0 >= warm]
    lag50, lag99 = pct(after, 50), pct(after, 99)
    lost = max(0, routed - stored) + never_placed
    print(f"db {args.db}, offered {args.rate}/s for {args.seconds}s, children at nice {args.child_nice}, "
          f"load {loadavg():.2f}")
    print(f"traffic: generated {done['sent']}, routed by the emulator {routed}, outcomes "
          f"{ {k: v for k, v in done['counts'].items() if k in ('routed', 'gagged', 'muted', 'dropped_sensitive', 'too_long', 'overflow')} }, "
          f"emulator routing {done['routing']}, sending took {done['send_s']:.1f}s, drained at {done['drained_s']:.1f}s")
    print(f"routing: {rstats}")
    print(f"database: {stored} new rows; pane: {pane_received} lines read, {shown} placed: {in_model} into the "
          f"model (own rows or counted in flood rows), {hidden_n} left out by focus mode and counted in its banner "
          f"(focus {'on' if focus else 'off'} at the end); {never_placed} stored but never placed")
    print(f"ours: {n1 - n0} lines placed in the {w1 - w0:.1f}s from warm-up to the last send = {ours:.0f} msg/s "
          f"sustained; {shown} lines from the first send to the last placed ({elapsed:.1f}s) = {e2e:.0f} msg/s")
    print(f"delay from RongCloud's msgTimestamp to placed in the pane, after warm-up: p50 {delay50:.0f} ms, "
          f"p99 {delay99:.0f} ms")
    n = max(1, shown)
    print(f"CPU µs per message: traffic+emulator {done['cpu_s'] / n * 1e6:.0f}, routing "
          f"{rstats.get('cpu_s', 0) / n * 1e6:.0f}, console (UI thread and its driver) {console_cpu / n * 1e6:.0f}, "
          f"its chat reader process {reader_cpu / n * 1e6:.0f}")
    print(f"reads: {reads[0]} answered by the chat reader process, {reads[1]} in the console's process")
    print(f"UI loop lag after warm-up: p50 {lag50:.2f} ms, p99 {lag99:.2f} ms, max {max(after, default=0):.1f} ms "
          f"({len(after)} ticks)")
    print(f"UI thread: {sched1[0] - sched0[0]:.1f} s on a CPU, {sched1[1] - sched0[1]:.1f} s runnable but waiting "
          f"for one (the machine's other processes)")
    print(f"console RSS: private {rss0[0]:.1f} MB after warm-up, {rss1[0]:.1f} MB at the end; file-backed "
          f"(mapped files, page cache) {rss0[1]:.1f} MB, then {rss1[1]:.1f} MB")
    print(f"baseline: {base_n} rows raw-inserted at {base_rate:.0f} rows/s")
    print(f"RESULT chat ours={ours:.0f} baseline={base_rate:.0f} ratio={ours / base_rate if base_rate else 0:.3f} "
          f"lag_p99_ms={lag99:.1f} lost={lost} rss_growth_mb={rss1[0] - rss0[0]:.1f} in_model={in_model} "
          f"hidden_by_focus={hidden_n} e2e_msg_s={e2e:.0f} delay_p99_ms={delay99:.0f}")


async def baseline(url: str, engine: Any, start_id: int) -> tuple[float, int]:
    """Raw inserts of this run's messages into a copy of chat_messages (same columns, same indexes)."""
    import sqlalchemy as sa

    from console.db import tables as t
    cols = ("msg_uid", "from_user_id", "to_user_id", "object_name", "content", "channel_type", "msg_timestamp",
            "sensitive_type", "source", "client_ip")
    async with engine.connect() as conn:
        rows = [tuple(r) for r in (await conn.execute(sa.select(*(t.chat_messages.c[c] for c in cols)).where(
            t.chat_messages.c.id > start_id).order_by(t.chat_messages.c.id))).all()]
    if not rows:
        return 0.0, 0
    if url.startswith("postgresql"):
        import asyncpg

        dsn = url.replace("postgresql+asyncpg", "postgresql")
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("DROP TABLE IF EXISTS bench_chat_copy")
            await conn.execute("CREATE TABLE bench_chat_copy (LIKE chat_messages INCLUDING ALL)")
            sql = ("WITH ins AS (INSERT INTO bench_chat_copy (msg_uid, from_user_id, to_user_id, object_name, content,"
                   " channel_type, msg_timestamp, sensitive_type, source, client_ip, received_at)"
                   " SELECT u.*, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],"
                   " $6::text[], $7::bigint[], $8::smallint[], $9::text[], $10::text[]) AS u"
                   " ON CONFLICT (msg_uid) DO NOTHING RETURNING id)"
                   " SELECT pg_notify('bench_chat', coalesce(max(id)::text, '')), count(*) FROM ins")
            t0 = time.perf_counter()
            for i in range(0, len(rows), BATCH):
                part = rows[i:i + BATCH]
                await conn.fetchrow(sql, *[list(c) for c in zip(*part, strict=True)])
            dt = time.perf_counter() - t0
            await conn.execute("DROP TABLE bench_chat_copy")
        finally:
            await conn.close()
        return len(rows) / dt, len(rows)

    import sqlite3

    path = url.split("///", 1)[1]

    def run() -> float:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("DROP TABLE IF EXISTS bench_chat_copy")
        ddl = db.execute("SELECT sql FROM sqlite_master WHERE name='chat_messages'").fetchone()[0]
        db.execute(ddl.replace("chat_messages", "bench_chat_copy", 1))
        for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name='chat_messages' "
                                 "AND sql IS NOT NULL").fetchall():
            db.execute(sql.replace("INDEX ", "INDEX copy_", 1).replace(" ON chat_messages", " ON bench_chat_copy"))
        ins = ("INSERT INTO bench_chat_copy (msg_uid, from_user_id, to_user_id, object_name, content, channel_type,"
               " msg_timestamp, sensitive_type, source, client_ip, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,"
               " datetime('now')) ON CONFLICT (msg_uid) DO NOTHING")
        t0 = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            db.execute("BEGIN IMMEDIATE")
            db.executemany(ins, rows[i:i + BATCH])
            db.execute("COMMIT")
        dt = time.perf_counter() - t0
        db.execute("DROP TABLE bench_chat_copy")
        db.close()
        return dt

    dt = await asyncio.to_thread(run)
    return len(rows) / dt, len(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.chat", description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=5000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--db", choices=("pg", "sqlite"), default="pg")
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--rooms", type=int, default=20)
    ap.add_argument("--flush-ms", type=float, default=20.0)
    ap.add_argument("--child-nice", type=int, default=0,
                    help="niceness of the emulator and routing processes (0: same priority as the console)")
    ap.add_argument("--in-process", action="store_true",
                    help="read and flag chat on the UI thread (no chat reader process): the old way, to compare")
    ap.add_argument("--no-settle", action="store_true",
                    help="leave start-up objects to the garbage collector (the app freezes them: console.heap)")
    ap.add_argument("--profile", action="store_true",
                    help="log where the UI thread is when the 10 ms probe is late by more than 40 ms")
    ap.add_argument("--cprofile", metavar="FILE", help="cProfile the UI thread during the live window into FILE")
    ap.add_argument("--role", choices=("console", "traffic"), default="console", help=argparse.SUPPRESS)
    ap.add_argument("--routing-url", help=argparse.SUPPRESS)
    ap.add_argument("--db-url", help=argparse.SUPPRESS)
    ap.add_argument("--room-keys", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    if args.role == "traffic":
        asyncio.run(traffic_main(args))
        return
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench-chat"])
    app.setQuitOnLastWindowClosed(False)  # type: ignore[attr-defined]
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(console_main(args))


if __name__ == "__main__":
    main()
