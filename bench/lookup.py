"""Lookup latency: ``UserService.lookup`` against the same SQL through the raw driver.

    python -m bench.lookup --users 1000000 [--db-dir DIR] [--reuse] [--n 500]
    python -m bench.lookup --users 20000            # a quick smoke run

Builds (or with ``--reuse`` reuses) a SQLite file and a PostgreSQL database in a private
cluster, both seeded with ``seed_database``. For each database and query class it samples
terms from the data (deterministic ``--seed``), warms up, then times on the identical term
list, interleaved per term:

* ours: ``UserService.lookup(term, kind, include_past=…, limit=50)`` (support operator);
* raw: the statement the service sends, on stdlib ``sqlite3`` (synchronous) or ``asyncpg.fetch``;
* for SQLite also raw ``aiosqlite`` (what the service's Reader uses), to show the thread hop.

Before timing, one pass checks that the SQL copied below is what the service sends (a
recording Reader), counts the statements the service runs per lookup, and compares ids; the
ids are compared again on every timed call. Each latency runs from the call until the rows
are in Python. The last line is::

    RESULT lookup ours=<worst p95 ms> baseline=<raw p95 of that query> ratio=<x> overhead_ms=<worst p95 ours-raw>
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import random
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._common import (
    DEFAULT_DIR,
    PG_CONF,
    CachedPgCluster,
    ensure_pg,
    ensure_sqlite,
    loadavg,
    log,
    pct,
    wait_for_quiet,
)
from console.db.engine import SQLITE_PRAGMAS, make_engine
from console.domain import Operator, OperatorId, Role, SearchKind
from console.services.audit import AuditService
from console.services.reader import Reader, to_dollar
from console.services.users import (
    PHONE_OR_ID_SQL,
    UserService,
    ascii_lower,
    classify,
    fts_phrase,
    like_escape,
    next_string,
    normalize_query,
)

LIMIT = 50

# --- the SQL the service sends ------------------------------------------------------------
# Copied from console/services/users.py, UserService._by_id / _by_phone / _by_nickname (the
# branches for offset 0: id; phone prefix; nickname of 1 character with include_past=False;
# of 2 characters with include_past=False; of 3+ characters with include_past False / True).
# Keep in sync: the check pass fails loudly ("SQL drift") when the service sends other text.
_COLS = "u.id, u.phone, u.nickname, u.registered_at"
SQL_ID = "SELECT id, phone, nickname, registered_at FROM users WHERE id = ?"
SQL_PHONE = ("SELECT id, phone, nickname, registered_at FROM users WHERE phone >= ? AND phone < ? "
             "ORDER BY phone LIMIT ? OFFSET ?")
SQL_PREFIX1 = {
    "sqlite": f"SELECT {_COLS} FROM users u WHERE u.nickname >= ? AND u.nickname < ? "
              "ORDER BY u.nickname, u.id LIMIT ? OFFSET ?",
    "postgresql": f"SELECT {_COLS} FROM users u WHERE lower(u.nickname) >= ? AND lower(u.nickname) < ? "
                  "ORDER BY lower(u.nickname), u.id LIMIT ? OFFSET ?",
}
SQL_BIGRAM = (f"SELECT {_COLS} FROM nick_bigram b JOIN users u ON u.id = b.user_id WHERE b.bigram = ? "
              "ORDER BY b.user_id DESC LIMIT ? OFFSET ?")
SQL_SUB3 = {
    "sqlite": f"SELECT {_COLS} FROM users u WHERE u.id IN "
              "(SELECT rowid FROM users_nick_fts WHERE users_nick_fts MATCH ?) "
              "ORDER BY u.id DESC LIMIT ? OFFSET ?",
    "postgresql": f"SELECT {_COLS} FROM users u WHERE u.nickname ILIKE ? ORDER BY u.id + 0 DESC LIMIT ? OFFSET ?",
}
_PAST_COL = ("(SELECT h.nickname FROM nickname_history h WHERE h.user_id = u.id "
             "AND {find}(lower(h.nickname), ?) > 0 ORDER BY h.changed_at DESC LIMIT 1)")
SQL_PAST3 = {
    "sqlite": f"SELECT {_COLS}, {_PAST_COL.format(find='instr')} FROM users u WHERE u.id IN ("
              "SELECT rowid FROM users_nick_fts WHERE users_nick_fts MATCH ? UNION "
              "SELECT h.user_id FROM hist_nick_fts f JOIN nickname_history h ON h.id = f.rowid "
              "WHERE hist_nick_fts MATCH ?) ORDER BY u.id DESC LIMIT ? OFFSET ?",
    "postgresql": f"SELECT {_COLS}, {_PAST_COL.format(find='strpos')} FROM (SELECT id FROM users WHERE nickname ILIKE ? UNION "
                  "SELECT user_id FROM nickname_history WHERE nickname ILIKE ? ORDER BY 1 DESC LIMIT ? OFFSET ?) m "
                  "JOIN users u ON u.id = m.id ORDER BY u.id DESC",
}


@dataclass(frozen=True)
class QueryClass:
    key: str
    label: str
    kind: SearchKind
    include_past: bool
    length: int = 0  # characters (digits) of the sampled term


CLASSES = (
    QueryClass("id", "id (exact)", SearchKind.ID, False),
    QueryClass("phone3", "phone prefix, 3 digits", SearchKind.PHONE, False, 3),
    QueryClass("phone5", "phone prefix, 5 digits", SearchKind.PHONE, False, 5),
    QueryClass("phone7", "phone prefix, 7 digits", SearchKind.PHONE, False, 7),
    QueryClass("prefix1", "nickname prefix, 1 char", SearchKind.NICKNAME, False, 1),
    QueryClass("sub2", "nickname substring, 2 chars", SearchKind.NICKNAME, False, 2),
    QueryClass("sub3", "nickname substring, 3 chars", SearchKind.NICKNAME, False, 3),
    QueryClass("past3", "current or past, 3 chars", SearchKind.NICKNAME, True, 3),
)


def raw_statement(dialect: str, qc: QueryClass, term: str) -> tuple[str, tuple[Any, ...]]:
    """The statement (``?`` placeholders) and parameters the service sends first for ``term``."""
    n, off = LIMIT + 1, 0
    if qc.key == "id":
        return SQL_ID, (int(term),)
    if qc.kind is SearchKind.PHONE:
        if 7 <= len(term) <= 10 and term[0] == "1":
            return PHONE_OR_ID_SQL, (int(term), term, term + ":", n, off)
        return SQL_PHONE, (term, term + ":", n, off)
    lq = ascii_lower(term)
    if qc.key == "prefix1":
        return SQL_PREFIX1[dialect], (lq, next_string(lq) or "\U0010ffff", n, off)
    if qc.key == "sub2":
        return SQL_BIGRAM, (lq, n, off)
    arg = "%" + like_escape(term) + "%" if dialect == "postgresql" else fts_phrase(term)
    if qc.key == "sub3":
        return SQL_SUB3[dialect], (arg, n, off)
    return SQL_PAST3[dialect], (lq, arg, arg, n, off)


# --- sampling terms from the data --------------------------------------------------------

Fetch = Callable[[str, Sequence[Any]], Awaitable[list[tuple[Any, ...]]]]


class Sampler:
    """Random users and past nicknames, by a random id in [min, max] and the next row."""

    def __init__(self, fetch: Fetch) -> None:
        self.fetch = fetch
        self.users: tuple[int, int] = (0, 0)
        self.hist: tuple[int, int] | None = None

    async def init(self) -> None:
        (lo, hi), = await self.fetch("SELECT min(id), max(id) FROM users", ())
        if lo is None:
            raise SystemExit("the database has no users")
        self.users = (int(lo), int(hi))
        (lo, hi), = await self.fetch("SELECT min(id), max(id) FROM nickname_history", ())
        self.hist = (int(lo), int(hi)) if lo is not None else None

    async def user(self, rng: random.Random) -> tuple[int, str, str]:
        uid = rng.randint(*self.users)
        rows = await self.fetch("SELECT id, phone, nickname FROM users WHERE id >= ? ORDER BY id LIMIT 1", (uid,))
        r = rows[0]
        return int(r[0]), str(r[1]), str(r[2])

    async def past_nickname(self, rng: random.Random) -> str | None:
        if self.hist is None:
            return None
        hid = rng.randint(*self.hist)
        rows = await self.fetch("SELECT nickname FROM nickname_history WHERE id >= ? ORDER BY id LIMIT 1", (hid,))
        return str(rows[0][0])


def _usable(term: str, qc: QueryClass) -> bool:
    """The service would search exactly this term with this kind (no trimming, no re-routing)."""
    try:
        return normalize_query(term) == term and classify(term, qc.kind) == (qc.kind, term)
    except Exception:  # noqa: BLE001 - InvalidInput: not a usable term
        return False


async def make_terms(sampler: Sampler, qc: QueryClass, n: int, rng: random.Random) -> list[str]:
    terms: list[str] = []
    tries = 0
    while len(terms) < n:
        tries += 1
        if tries > 100 * n + 1000:
            raise SystemExit(f"could not sample {n} terms for {qc.label}")
        if qc.key == "past3" and len(terms) % 2 == 1:
            nick = await sampler.past_nickname(rng)
            if nick is None:
                continue
        else:
            uid, phone, nick = await sampler.user(rng)
            if qc.key == "id":
                terms.append(str(uid))
                continue
            if qc.kind is SearchKind.PHONE:
                nick = phone
        k = qc.length
        if len(nick) < k:
            continue
        i = 0 if qc.kind is SearchKind.PHONE or qc.key == "prefix1" else rng.randrange(len(nick) - k + 1)
        term = nick[i:i + k]
        if _usable(term, qc):
            terms.append(term)
    return terms


# --- the ways ------------------------------------------------------------------------------

Way = Callable[[QueryClass, str], Awaitable[tuple[float, list[int]]]]


class RecordingReader(Reader):
    """Delegates to :class:`Reader` and records each statement (used only in the check pass)."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self.sent: list[tuple[str, tuple[Any, ...]]] = []

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.sent.append((sql, tuple(params)))
        return await super().fetch(sql, params)


def bench_operator() -> Operator:
    return Operator(id=OperatorId(0), username="bench", display_name="bench", role=Role.SUPPORT)


def service_way(users: UserService) -> Way:
    async def run(qc: QueryClass, term: str) -> tuple[float, list[int]]:
        t0 = time.perf_counter()
        page = await users.lookup(term, qc.kind, include_past=qc.include_past, limit=LIMIT)
        dt = time.perf_counter() - t0
        return dt, [int(r.id) for r in page.rows]

    return run


def sqlite3_way(conn: sqlite3.Connection) -> Way:
    async def run(qc: QueryClass, term: str) -> tuple[float, list[int]]:
        sql, params = raw_statement("sqlite", qc, term)
        t0 = time.perf_counter()
        rows = conn.execute(sql, params).fetchall()
        dt = time.perf_counter() - t0
        return dt, [int(r[0]) for r in rows[:LIMIT]]

    return run


def aiosqlite_way(conn: Any) -> Way:
    async def run(qc: QueryClass, term: str) -> tuple[float, list[int]]:
        sql, params = raw_statement("sqlite", qc, term)
        t0 = time.perf_counter()
        rows = await conn.execute_fetchall(sql, params)
        dt = time.perf_counter() - t0
        return dt, [int(r[0]) for r in list(rows)[:LIMIT]]

    return run


def asyncpg_way(conn: Any) -> Way:
    dollar: dict[str, str] = {}

    async def run(qc: QueryClass, term: str) -> tuple[float, list[int]]:
        sql, params = raw_statement("postgresql", qc, term)
        pg = dollar.get(sql) or dollar.setdefault(sql, to_dollar(sql))
        t0 = time.perf_counter()
        rows = await conn.fetch(pg, *params)
        dt = time.perf_counter() - t0
        return dt, [int(r[0]) for r in rows[:LIMIT]]

    return run


# --- one database ----------------------------------------------------------------------------

@dataclass
class ClassResult:
    qc: QueryClass
    times: dict[str, list[float]] = field(default_factory=dict)  # way -> ms per term
    rows: list[int] = field(default_factory=list)
    mismatches: list[tuple[str, str, list[int], list[int]]] = field(default_factory=list)
    drift: list[tuple[str, str, str]] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)


@dataclass
class DbResult:
    name: str
    version: str
    users: int
    results: list[ClassResult]
    load: float
    ways: list[str]
    load_end: float = float("nan")


async def run_database(name: str, dialect: str, url: str, raw_ways: dict[str, Way], fetch: Fetch,
                       version: str, args: argparse.Namespace) -> DbResult:
    """Sample, check, warm up and time every query class on one database."""
    sampler = Sampler(fetch)
    await sampler.init()
    (count,), = await fetch("SELECT count(*) FROM users", ())
    engine = make_engine(url)
    audit = AuditService(engine, bench_operator())
    users = UserService(engine, audit)
    recorder = RecordingReader(engine)
    checked = UserService(engine, audit, reader=recorder)
    ways: dict[str, Way] = {"ours": service_way(users), **raw_ways}
    results: list[ClassResult] = []
    try:
        log(f"{name}: sampling terms ({args.n} + {args.warmup} warm-up per query class, seed {args.seed})")
        terms: dict[str, list[str]] = {}
        warm: dict[str, list[str]] = {}
        for qc in CLASSES:
            terms[qc.key] = await make_terms(sampler, qc, args.n, random.Random(f"{args.seed}:{qc.key}:timed"))
            warm[qc.key] = await make_terms(sampler, qc, args.warmup, random.Random(f"{args.seed}:{qc.key}:warm"))

        log(f"{name}: warm-up")
        for qc in CLASSES:
            for term in warm[qc.key]:
                for way in ways.values():
                    await way(qc, term)

        log(f"{name}: check pass (SQL sent by the service, statements per lookup, ids)")
        for qc in CLASSES:
            res = ClassResult(qc)
            results.append(res)
            for term in terms[qc.key]:
                recorder.sent.clear()
                page = await checked.lookup(term, qc.kind, include_past=qc.include_past, limit=LIMIT)
                want = raw_statement(dialect, qc, term)
                got = recorder.sent[0] if recorder.sent else ("<nothing sent>", ())
                if got != want:
                    res.drift.append((term, got[0], str(got[1])))
                res.statements.append(len(recorder.sent))
                _, raw_ids = await ways["raw"](qc, term)
                ids = [int(r.id) for r in page.rows]
                if ids != raw_ids:
                    res.mismatches.append(("check", term, ids, raw_ids))

        load = wait_for_quiet(args.max_load, args.max_wait)
        log(f"{name}: timing (1-min load {load:.2f})")
        names = list(ways)
        for res in results:
            qc = res.qc
            res.times = {w: [] for w in names}
            gc.collect()
            for i, term in enumerate(terms[qc.key]):
                got_ids: dict[str, list[int]] = {}
                for j in range(len(names)):  # rotate the order per term: nobody always goes first
                    w = names[(i + j) % len(names)]
                    dt, ids = await ways[w](qc, term)
                    res.times[w].append(dt * 1000)
                    got_ids[w] = ids
                res.rows.append(len(got_ids["raw"]))
                if got_ids["ours"] != got_ids["raw"]:
                    res.mismatches.append(("timed", term, got_ids["ours"], got_ids["raw"]))
        load_end = loadavg()

        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for qc in CLASSES:
                for term in terms[qc.key]:
                    await users.lookup(term, qc.kind, include_past=qc.include_past, limit=LIMIT)
            prof.disable()
            _profile_report(name, prof, args)
    finally:
        await checked.aclose()
        await users.aclose()
        await engine.dispose()
    return DbResult(name=name, version=version, users=int(count), results=results, load=load, ways=names,
                    load_end=load_end)


def _profile_report(name: str, prof: cProfile.Profile, args: argparse.Namespace) -> None:
    args.db_dir.mkdir(parents=True, exist_ok=True)
    path = args.db_dir / f"profile-{name.lower()}-{args.users}.txt"
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("tottime").print_stats(40)
    st.sort_stats("cumulative").print_stats(60)
    path.write_text(buf.getvalue())
    short = io.StringIO()
    pstats.Stats(prof, stream=short).sort_stats("tottime").print_stats(15)
    print(f"\n-- cProfile of the service path on {name} (every class, {args.n} terms each); full: {path}")
    body = short.getvalue().splitlines()
    start = next((i for i, line in enumerate(body) if "ncalls" in line), 0)
    print("\n".join(body[start:]))


# --- the two databases ---------------------------------------------------------------------

def _sqlite_version(conn: sqlite3.Connection) -> str:
    return "SQLite " + conn.execute("select sqlite_version()").fetchone()[0]


async def bench_sqlite(path: Path, args: argparse.Namespace) -> DbResult:
    import aiosqlite

    conn = sqlite3.connect(path)
    for p in SQLITE_PRAGMAS:
        conn.execute(p)
    aconn = await aiosqlite.connect(path)
    for p in SQLITE_PRAGMAS:
        await aconn.execute(p)
    stats = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[0]
    if not stats:
        log("SQLite: no sqlite_stat1 (the seeder ran no ANALYZE); measured as the seeder left it")

    async def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return conn.execute(sql, tuple(params)).fetchall()

    try:
        raw = {"raw": sqlite3_way(conn), "aiosqlite": aiosqlite_way(aconn)}
        res = await run_database("SQLite", "sqlite", f"sqlite+aiosqlite:///{path}", raw, fetch,
                                 _sqlite_version(conn) + (", ANALYZE stats" if stats else ", no ANALYZE stats"),
                                 args)
    finally:
        await aconn.close()
        conn.close()
    return res


async def bench_pg(url: str, args: argparse.Namespace) -> DbResult:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn, server_settings={"application_name": "shihou-bench-raw"})
    sampler_conn = await asyncpg.connect(dsn, server_settings={"application_name": "shihou-bench-sampler"})

    async def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await sampler_conn.fetch(to_dollar(sql), *params)]

    try:
        version = "PostgreSQL " + str(await conn.fetchval("SHOW server_version"))
        res = await run_database("PostgreSQL", "postgresql", url, {"raw": asyncpg_way(conn)}, fetch, version, args)
    finally:
        await conn.close()
        await sampler_conn.close()
    return res


# --- report ----------------------------------------------------------------------------------

def print_table(db: DbResult, args: argparse.Namespace) -> None:
    extra = [w for w in db.ways if w not in ("ours", "raw")]
    print(f"\n{db.name} ({db.version}) — {db.users:,} users — {args.n} terms per query, "
          f"{args.warmup} warm-up; ms; 1-min load {db.load:.2f} at the start of timing, {db.load_end:.2f} at the end")
    head = (f"{'query':<30} {'rows':>5} | {'ours p50':>8} {'p95':>7} | {'raw p50':>8} {'p95':>7} | "
            + "".join(f"{w + ' p50':>14} {'p95':>7} | " for w in extra)
            + f"{'Δp95':>6} {'p95(Δ)':>7} {'×p95':>6} | {'stmts':>5} {'ids≠':>4}")
    print(head)
    print("-" * len(head))
    for r in db.results:
        o, w = r.times["ours"], r.times["raw"]
        paired = [a - b for a, b in zip(o, w, strict=True)]
        line = (f"{r.qc.label:<30} {sum(r.rows) / max(1, len(r.rows)):>5.1f} | "
                f"{pct(o, 50):>8.3f} {pct(o, 95):>7.3f} | {pct(w, 50):>8.3f} {pct(w, 95):>7.3f} | "
                + "".join(f"{pct(r.times[x], 50):>14.3f} {pct(r.times[x], 95):>7.3f} | " for x in extra)
                + f"{pct(o, 95) - pct(w, 95):>6.2f} {pct(paired, 95):>7.2f} {pct(o, 95) / pct(w, 95):>5.1f}× | "
                f"{sum(r.statements) / max(1, len(r.statements)):>5.2f} {len(r.mismatches):>4}")
        print(line)
    print("rows: mean rows of the raw query (LIMIT 51, 50 compared); Δp95: ours p95 − raw p95; p95(Δ): "
          "p95 of the per-term difference; stmts: statements the service ran per lookup")
    for r in db.results:
        for stage, term, ours, raw in r.mismatches[:5]:
            print(f"  ids differ ({stage}) {r.qc.label} {term!r}: ours {ours[:8]}… raw {raw[:8]}…")
        if len(r.mismatches) > 5:
            print(f"  … {len(r.mismatches) - 5} more id mismatches for {r.qc.label}")
        for term, sql, params in r.drift[:3]:
            print(f"  SQL drift {r.qc.label} {term!r}: the service sent {sql!r} {params}")
        if r.drift:
            print(f"  {len(r.drift)} terms of {r.qc.label} sent other SQL than the copy in bench/lookup.py")


def summarize(dbs: list[DbResult]) -> str:
    worst = None
    worst_over = None
    for db in dbs:
        for r in db.results:
            o95, w95 = pct(r.times["ours"], 95), pct(r.times["raw"], 95)
            if worst is None or o95 > worst[0]:
                worst = (o95, w95, db.name, r.qc.label)
            if worst_over is None or o95 - w95 > worst_over[0]:
                worst_over = (o95 - w95, db.name, r.qc.label)
    assert worst is not None and worst_over is not None
    all_p95 = all(pct(r.times["ours"], 95) <= 20 for db in dbs for r in db.results)
    all_over = all(pct(r.times["ours"], 95) - pct(r.times["raw"], 95) <= 1.5 for db in dbs for r in db.results)
    mism = sum(len(r.mismatches) for db in dbs for r in db.results)
    drift = sum(len(r.drift) for db in dbs for r in db.results)
    print(f"\nworst p95: {worst[0]:.3f} ms ({worst[2]}, {worst[3]}), raw {worst[1]:.3f} ms")
    print(f"worst added p95: {worst_over[0]:.3f} ms ({worst_over[1]}, {worst_over[2]})")
    print(f"goal every p95 <= 20 ms: {'met' if all_p95 else 'NOT met'}; "
          f"goal added p95 <= 1.5 ms: {'met' if all_over else 'NOT met'}; "
          f"id mismatches: {mism}; SQL drift: {drift}")
    return (f"RESULT lookup ours={worst[0]:.3f} baseline={worst[1]:.3f} ratio={worst[0] / worst[1]:.2f} "
            f"overhead_ms={worst_over[0]:.3f}")


# --- main ------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.lookup", description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=1_000_000)
    p.add_argument("--db-dir", type=Path, default=DEFAULT_DIR, help=f"cache folder (default {DEFAULT_DIR})")
    p.add_argument("--reuse", action="store_true", help="reuse databases already built in --db-dir")
    p.add_argument("--n", type=int, default=500, help="timed terms per query class (default 500)")
    p.add_argument("--warmup", type=int, default=100, help="warm-up terms per query class (default 100)")
    p.add_argument("--seed", type=int, default=1, help="seed of the data and of the term sampling")
    p.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    p.add_argument("--loop", choices=["asyncio", "qasync"], default="asyncio",
                   help="event loop for the async ways (the console runs on qasync)")
    p.add_argument("--max-load", type=float, default=1.0, help="wait for this 1-min load before timing")
    p.add_argument("--max-wait", type=float, default=None,
                   help="…but at most this many seconds (default 120 from 500,000 users, else 0)")
    p.add_argument("--profile", action="store_true", help="also cProfile the service path (written to --db-dir)")
    args = p.parse_args(argv)
    if args.max_wait is None:
        args.max_wait = 120.0 if args.users >= 500_000 else 0.0
    return args


def run_loop(coro_fn: Callable[[], Awaitable[Any]], loop_kind: str) -> Any:
    if loop_kind == "asyncio":
        return asyncio.run(coro_fn())  # type: ignore[arg-type]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench"])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(coro_fn())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"bench.lookup: {args.users:,} users, seed {args.seed}, loop {args.loop}, Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, 1-min load {loadavg():.2f}")
    dbs: list[DbResult] = []
    if args.only in (None, "sqlite"):
        path, meta = ensure_sqlite(args.db_dir, args.users, args.seed, reuse=args.reuse)
        print(f"SQLite file {path} ({meta.get('file_mib', '?')} MiB; seeded in {meta.get('seed_seconds')} s)")
        dbs.append(run_loop(lambda: bench_sqlite(path, args), args.loop))
        print_table(dbs[-1], args)
    if args.only in (None, "postgresql"):
        with CachedPgCluster(args.db_dir / "pg", extra_conf=PG_CONF) as pg:
            url, meta = ensure_pg(pg, args.users, args.seed, reuse=args.reuse)
            print(f"PostgreSQL {url} ({meta.get('db_mib', '?')} MiB; seeded in {meta.get('seed_seconds')} s; "
                  f"settings {PG_CONF})")
            dbs.append(run_loop(lambda: bench_pg(url, args), args.loop))
        print_table(dbs[-1], args)
    print(summarize(dbs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
