"""The demo-data seeder (console.sandbox.seed) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from console.db import migrate, search_ddl, tables
from console.db.engine import make_engine
from console.domain import Role
from console.sandbox import seed as seeding
from console.sandbox.__main__ import main as cli
from console.sandbox.pgcluster import PgCluster
from console.services.auth import AuthService, verify_password

N = 2000
SEED = 7
SEEDED, FRESH = "seed_test_seeded", "seed_test_fresh"  # databases in the shared test cluster


def _bigrams(nick: str) -> set[str]:
    low = nick.translate({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})  # ASCII-only, like SQLite
    return {low[i:i + 2] for i in range(len(low) - 1)}


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("seed") / "demo.db"
    counts = asyncio.run(seeding.seed_database(_sqlite_url(path), N, seed=SEED))
    return path, counts


@pytest.fixture
def db(seeded: tuple[Path, dict[str, int]]) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(seeded[0])
    yield con
    con.close()


def test_columns_exist_and_cover_required_ones() -> None:
    for table, columns in seeding.table_columns().items():
        t = tables.metadata.tables[table]
        assert set(columns) <= set(t.c.keys()), table
        required = {c.name for c in t.c if not c.nullable and c.server_default is None and not c.primary_key}
        assert required <= set(columns), (table, required - set(columns))


def test_counts(seeded: tuple[Path, dict[str, int]]) -> None:
    c = seeded[1]
    assert c["users"] == N
    assert c["operators"] == len(seeding.DEMO_OPERATORS)
    assert 0.4 * N < c["nickname_history"] < 0.65 * N
    assert 1.2 * N < c["devices"] < 1.5 * N
    assert c["rooms"] == 20
    assert 0.02 * N < c["sanctions"] < 0.07 * N
    assert c["chat_messages"] == 2 * N
    assert c["pushes"] == 30
    assert 0.8 * N < c["push_recipients"] <= N
    assert 1.1 * N < c["sms_messages"] < 1.35 * N
    assert c["support_notes"] == N // 200
    assert 100 < c["audit_log"] < 600
    assert c["nick_bigram"] > 2 * N and c["hist_bigram"] > N


def test_users_look_right(db: sqlite3.Connection) -> None:
    ids = [r[0] for r in db.execute("SELECT id FROM users ORDER BY registered_at, id")]
    assert ids == list(range(seeding.FIRST_USER_ID, seeding.FIRST_USER_ID + N))  # ids follow registration
    phones = [r[0] for r in db.execute("SELECT phone FROM users")]
    assert len(set(phones)) == N
    assert all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)
    nicks = [r[0] for r in db.execute("SELECT nickname FROM users")]
    assert all(2 <= len(n) <= 9 for n in nicks)
    hanzi_only = sum(bool(re.fullmatch(r"[\u4e00-\u9fff]+", n)) for n in nicks)
    assert 0.45 * N < hanzi_only < 0.75 * N
    assert {r[0] for r in db.execute("SELECT DISTINCT channel FROM users")} <= set(seeding.CHANNELS)
    status = dict(db.execute("SELECT status, count(*) FROM users GROUP BY status").fetchall())
    assert set(status) <= {"active", "banned"} and status["active"] > 0.95 * N


def test_datetimes_read_back_as_aware_utc(seeded: tuple[Path, dict[str, int]]) -> None:
    engine = sa.create_engine(f"sqlite:///{seeded[0]}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(tables.users.c.registered_at, tables.users.c.last_active_at)).all()
            for reg, last in rows:
                assert reg.tzinfo is UTC and datetime(2015, 1, 1, tzinfo=UTC) <= reg < datetime(2025, 12, 1, tzinfo=UTC)
                assert last is not None and last >= reg
            for t in (tables.sanctions, tables.devices, tables.sms_messages, tables.audit_log, tables.operators):
                assert conn.execute(sa.select(t).limit(5)).all()
            # the text the seeder wrote is exactly what SQLAlchemy writes
            raw = conn.exec_driver_sql("SELECT registered_at FROM users LIMIT 1").scalar()
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", str(raw))
            conn.execute(tables.events.insert().values(at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), topic="t"))
            mine = conn.exec_driver_sql("SELECT at FROM events ORDER BY id DESC LIMIT 1").scalar()
            assert mine == "2025-01-02 03:04:05.000000"
            conn.rollback()
    finally:
        engine.dispose()


def test_fts_finds_a_substring_of_a_nickname(db: sqlite3.Connection) -> None:
    uid, nick = db.execute("SELECT id, nickname FROM users WHERE length(nickname) >= 4 "
                           "AND nickname NOT LIKE '%\"%' ORDER BY id LIMIT 1 OFFSET 17").fetchone()
    term = nick[1:4]
    found = {r[0] for r in db.execute("SELECT rowid FROM users_nick_fts WHERE users_nick_fts MATCH ?",
                                      (f'"{term}"',))}
    assert uid in found
    hid, huid, hnick = db.execute("SELECT id, user_id, nickname FROM nickname_history "
                                  "WHERE length(nickname) >= 3 LIMIT 1").fetchone()
    found = {r[0] for r in db.execute("SELECT rowid FROM hist_nick_fts WHERE hist_nick_fts MATCH ?",
                                      (f'"{hnick[:3]}"',))}
    assert hid in found


def test_bigram_rows_match_nicknames(db: sqlite3.Connection) -> None:
    for uid, nick in db.execute("SELECT id, nickname FROM users WHERE id % 97 = 0").fetchall():
        got = {r[0] for r in db.execute("SELECT bigram FROM nick_bigram WHERE user_id = ?", (uid,))}
        assert got == _bigrams(nick), (uid, nick)
    for uid, in db.execute("SELECT DISTINCT user_id FROM nickname_history LIMIT 20").fetchall():
        want = set().union(*(_bigrams(n) for n, in db.execute(
            "SELECT nickname FROM nickname_history WHERE user_id = ?", (uid,))))
        got = {r[0] for r in db.execute("SELECT bigram FROM hist_bigram WHERE user_id = ?", (uid,))}
        assert got == want


def test_demo_operators_sign_in(seeded: tuple[Path, dict[str, int]], db: sqlite3.Connection) -> None:
    for name, role, display in seeding.DEMO_OPERATORS:
        h, r, d = db.execute("SELECT password_hash, role, display_name FROM operators WHERE username = ?",
                             (name,)).fetchone()
        assert verify_password(h, seeding.DEMO_PASSWORD) and (r, d) == (role, display)

    async def sign_in() -> Any:
        return (await AuthService(_sqlite_url(seeded[0])).sign_in("demo-mod", seeding.DEMO_PASSWORD)).operator

    op = asyncio.run(sign_in())
    assert op.role is Role.MODERATOR and op.display_name == "演示房管"


def test_related_rows_are_consistent(db: sqlite3.Connection) -> None:
    q = db.execute
    assert q("SELECT count(*) FROM devices d LEFT JOIN users u ON u.id = d.user_id WHERE u.id IS NULL").fetchone()[0] == 0
    assert q("SELECT count(*) FROM devices d JOIN users u ON u.id = d.user_id "
             "WHERE d.first_seen < u.registered_at OR d.last_seen < d.first_seen").fetchone()[0] == 0
    shared = q("SELECT count(DISTINCT user_id) FROM devices GROUP BY device_id HAVING count(DISTINCT user_id) > 1"
               ).fetchall()
    assert shared and max(n for n, in shared) <= 3
    assert {r[0] for r in q("SELECT DISTINCT platform FROM devices")} <= {"android", "ios", "harmony"}
    # rooms: owned by users, created after them, stream names unique by construction
    assert q("SELECT count(*) FROM rooms WHERE stream_name != 'room_' || owner_id").fetchone()[0] == 0
    assert q("SELECT count(*) FROM rooms r JOIN users u ON u.id = r.owner_id "
             "WHERE r.created_at < u.registered_at OR r.updated_at < r.created_at").fetchone()[0] == 0
    # sanctions: room scope has a room, other scopes none; banned users have a ban in force
    assert q("SELECT count(*) FROM sanctions WHERE (scope = 'room') != (room_id IS NOT NULL)").fetchone()[0] == 0
    assert q("SELECT count(*) FROM users u WHERE status = 'banned' AND NOT EXISTS (SELECT 1 FROM sanctions s "
             "WHERE s.user_id = u.id AND kind = 'ban' AND lifted_at IS NULL "
             "AND (ends_at IS NULL OR ends_at > '2026-12-01'))").fetchone()[0] == 0
    assert q("SELECT count(*) FROM sanctions WHERE issued_by NOT IN ('demo-mod', 'demo-admin')").fetchone()[0] == 0
    # chat: sender is a user, room is a room, ids follow time
    assert q("SELECT count(*) FROM chat_messages c LEFT JOIN users u ON u.id = CAST(c.from_user_id AS INTEGER) "
             "LEFT JOIN rooms r ON r.id = CAST(c.to_user_id AS INTEGER) WHERE u.id IS NULL OR r.id IS NULL"
             ).fetchone()[0] == 0
    stamps = [r[0] for r in q("SELECT msg_timestamp FROM chat_messages ORDER BY id")]
    assert stamps == sorted(stamps)
    assert all(re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", u) for u, in q("SELECT msg_uid FROM chat_messages"))
    sent = [r[0] for r in q("SELECT sent_at FROM sms_messages ORDER BY id")]
    assert sum(a > b for a, b in zip(sent, sent[1:], strict=False)) < len(sent) * 0.01  # ~time order
    assert q("SELECT count(*) FROM sms_messages WHERE status = 'failed' AND error_code IS NULL").fetchone()[0] == 0
    assert q("SELECT count(*) FROM sms_messages s JOIN users u ON u.id = s.user_id "
             "WHERE s.phone != u.phone").fetchone()[0] == 0
    assert q("SELECT count(*) FROM push_recipients r LEFT JOIN pushes p ON p.id = r.push_id "
             "WHERE p.id IS NULL OR (r.received_at IS NOT NULL AND r.received_at < p.sent_at)").fetchone()[0] == 0
    kinds = {r[0] for r in q("SELECT DISTINCT kind FROM audit_log")}
    assert {"sanction_add", "note_add", "phone_reveal", "stream_cut", "sign_in"} <= kinds
    assert q("SELECT count(*) FROM audit_log a WHERE actor NOT IN (SELECT username FROM operators)").fetchone()[0] == 0


def test_triggers_work_after_seeding(seeded: tuple[Path, dict[str, int]]) -> None:
    engine = sa.create_engine(f"sqlite:///{seeded[0]}")
    try:
        with engine.begin() as conn:
            names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            assert set(search_ddl.SQLITE_SEARCH_TRIGGER_NAMES) <= names
            conn.execute(tables.users.insert().values(
                id=99_000_001, phone="13900000000", nickname="触发器Test猫", channel="web",
                registered_at=datetime(2025, 11, 30, tzinfo=UTC)))
            got = {r[0] for r in conn.exec_driver_sql(
                "SELECT bigram FROM nick_bigram WHERE user_id = 99000001")}
            assert got == _bigrams("触发器Test猫")
            hits = conn.exec_driver_sql("SELECT rowid FROM users_nick_fts WHERE users_nick_fts MATCH '\"器te\"'"
                                        ).scalars().all()
            assert 99_000_001 in hits
            # ids assigned by the database continue after the seeded ones
            conn.execute(tables.support_notes.insert().values(user_id=99_000_001, author="demo-support", body="x",
                                                             created_at=datetime.now(UTC)))
            conn.execute(tables.users.delete().where(tables.users.c.id == 99_000_001))  # trigger on delete
            assert not conn.exec_driver_sql("SELECT 1 FROM nick_bigram WHERE user_id = 99000001").all()
            raise _Rollback
    except _Rollback:
        pass
    finally:
        engine.dispose()


class _Rollback(Exception):
    pass


def test_indexes_are_back(seeded: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    def indexes(path: Path) -> set[tuple[str, str]]:
        con = sqlite3.connect(path)
        try:
            return set(con.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"))
        finally:
            con.close()

    fresh = tmp_path / "fresh.db"
    engine = make_engine(_sqlite_url(fresh))

    async def up() -> None:
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(up())
    assert indexes(seeded[0]) == indexes(fresh)


def test_refuses_a_database_with_users(seeded: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    with pytest.raises(seeding.AlreadySeeded):
        asyncio.run(seeding.seed_database(_sqlite_url(seeded[0]), 10))
    assert cli(["seed", "--users", "10", "--db", _sqlite_url(seeded[0]), "-q"]) == 1
    assert "already has users" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "sqlite+aiosqlite://",
                                 "sqlite+aiosqlite:///:memory:"])
def test_cli_bad_url(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["seed", "--users", "10", "--db", url, "-q"]) == 2
    assert capsys.readouterr().err.strip()


def test_cli_seeds_an_empty_file_at_head(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sub" / "new.db"
    assert cli(["seed", "--users", "60", "--db", _sqlite_url(path), "--seed", "3", "-q"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"users\s+60\b", out)
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == migrate.head_revision()
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0  # ANALYZE ran
    finally:
        con.close()


def test_same_seed_same_data(tmp_path: Path) -> None:
    def dump(path: Path) -> list[Any]:
        con = sqlite3.connect(path)
        try:
            return [con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                    for t in ("users", "nickname_history", "devices", "rooms", "sanctions", "chat_messages",
                              "push_recipients", "sms_messages", "support_notes")]
        finally:
            con.close()

    a, b, c = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db"
    for path, s in ((a, 5), (b, 5), (c, 6)):
        asyncio.run(seeding.seed_database(_sqlite_url(path), 300, seed=s))
    assert dump(a) == dump(b)
    assert dump(a)[0] != dump(c)[0]


def test_zero_users_adds_only_the_operators(tmp_path: Path) -> None:
    counts = asyncio.run(seeding.seed_database(_sqlite_url(tmp_path / "z.db"), 0))
    assert counts["operators"] == 4 and counts["users"] == 0 and counts["chat_messages"] == 0


def test_operators_are_not_duplicated_and_progress_runs_on_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "ops.db"
    asyncio.run(seeding.seed_database(_sqlite_url(path), 0))  # operators only, no users: may seed again
    calls: list[tuple[str, int, int, bool]] = []

    async def run() -> dict[str, int]:
        main_thread = threading.get_ident()
        return await seeding.seed_database(
            _sqlite_url(path), 100, progress=lambda t, d, n: calls.append((t, d, n, threading.get_ident() == main_thread)))

    counts = asyncio.run(run())
    assert counts["operators"] == 4 and counts["users"] == 100
    assert calls and all(on_loop for *_x, on_loop in calls)
    assert {"users", "chat_messages", "search index"} <= {t for t, *_x in calls}


def test_loads_in_wal_when_another_connection_has_the_file_open(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "busy.db"
    asyncio.run(seeding.seed_database(_sqlite_url(path), 0))
    other = sqlite3.connect(path)
    try:
        other.execute("SELECT count(*) FROM operators").fetchone()  # a reader with the file open
        with caplog.at_level("INFO", logger=seeding.__name__):
            counts = asyncio.run(seeding.seed_database(_sqlite_url(path), 100))
        assert counts["users"] == 100
        assert "journal mode wal" in caplog.text
        assert other.execute("SELECT count(*) FROM users").fetchone()[0] == 100
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


def test_cancelling_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "cancel.db"
    asyncio.run(seeding.seed_database(_sqlite_url(path), 0))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(seeding.SeedCancelled):
        seeding._seed_sqlite(path, 500, 1, None, "truncate", cancel)
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM users").fetchone()[0] == 0
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


def test_cancelling_mid_load_interrupts_and_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "cancel2.db"
    asyncio.run(seeding.seed_database(_sqlite_url(path), 0))
    cancel, cancelled_at = threading.Event(), [0.0]

    def fire() -> None:
        cancelled_at.append(time.monotonic())
        cancel.set()

    timer = threading.Timer(2.0, fire)
    timer.start()
    try:
        with pytest.raises(seeding.SeedCancelled):
            seeding._seed_sqlite(path, 200_000, 1, None, "truncate", cancel)
    finally:
        timer.cancel()
    assert time.monotonic() - cancelled_at[-1] < 20  # a long statement is interrupted, not waited for
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM users").fetchone()[0] == 0
        assert {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} >= set(
            search_ddl.SQLITE_SEARCH_TRIGGER_NAMES)
    finally:
        con.close()


def test_a_failing_generator_is_reported() -> None:
    proc = seeding._GeneratorProcess(10, 1, "sqlite", {})  # no id bases: the generator dies
    try:
        with pytest.raises(seeding.SeedError, match="KeyError"):
            for _msg in proc.messages():
                pass
    finally:
        proc.close()


def test_a_failure_mid_load_leaves_the_database_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fail.db"
    asyncio.run(seeding.seed_database(_sqlite_url(path), 0))  # at head, operators only

    def snapshot() -> tuple[Any, ...]:
        con = sqlite3.connect(path)
        try:
            return (con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
                    [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in seeding._COUNTED])
        finally:
            con.close()

    before = snapshot()
    real = seeding._GeneratorProcess.messages

    def broken(self: seeding._GeneratorProcess) -> Iterator[tuple[Any, ...]]:
        for k, msg in enumerate(real(self)):
            if k == 12:  # after users and part of the history
                raise seeding.SeedError("boom")
            yield msg

    monkeypatch.setattr(seeding._GeneratorProcess, "messages", broken)
    with pytest.raises(seeding.SeedError, match="boom"):
        asyncio.run(seeding.seed_database(_sqlite_url(path), 200))
    assert snapshot() == before
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


# --- PostgreSQL ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pg(pg_cluster: PgCluster) -> PgCluster:
    """The session's cluster (tests/conftest.py: skipped without PostgreSQL, an error in CI)."""
    return pg_cluster


@pytest.fixture(scope="module")
def pg_seeded(pg: PgCluster) -> tuple[str, dict[str, int]]:
    pg.psql(f"CREATE DATABASE {SEEDED}")
    url = pg.url(SEEDED)
    return url, asyncio.run(seeding.seed_database(url, N, seed=SEED))


@pytest.mark.postgres
def test_pg_counts_match_sqlite(pg_seeded: tuple[str, dict[str, int]], seeded: tuple[Path, dict[str, int]]) -> None:
    pg_counts, sq_counts = pg_seeded[1], seeded[1]
    assert pg_counts == sq_counts  # same seed, same rows


@pytest.mark.postgres
def test_pg_same_rows_as_sqlite(pg: PgCluster, pg_seeded: tuple[str, dict[str, int]], db: sqlite3.Connection) -> None:
    sq = db.execute("SELECT id, phone, nickname, registered_at FROM users ORDER BY id LIMIT 50").fetchall()
    out = pg.psql("SELECT id, phone, nickname, to_char(registered_at AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD HH24:MI:SS.US') FROM users ORDER BY id LIMIT 50", dbname=SEEDED)
    assert [tuple(line.split("|")) for line in out.splitlines()] == [(str(a), b, c, d) for a, b, c, d in sq]


@pytest.mark.postgres
def test_pg_search_sign_in_triggers_and_sequences(pg: PgCluster, pg_seeded: tuple[str, dict[str, int]]) -> None:
    url = pg_seeded[0]

    async def check() -> None:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                uid, nick = (await conn.execute(sa.text(
                    "SELECT id, nickname FROM users WHERE length(nickname) >= 4 ORDER BY id OFFSET 17 LIMIT 1"))).one()
                hits = (await conn.execute(sa.text("SELECT id FROM users WHERE nickname ILIKE :p"),
                                           {"p": f"%{nick[1:4]}%"})).scalars().all()
                assert uid in hits
                got = set((await conn.execute(sa.text("SELECT bigram FROM nick_bigram WHERE user_id = :u"),
                                              {"u": uid})).scalars())
                assert got == _bigrams(nick)
                stats = (await conn.execute(sa.text(
                    "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'ix_users_nick_lower'::regclass "
                    "AND attnum = 1"))).scalar()
                assert stats == 5000
                assert (await conn.execute(sa.text("SELECT count(*) FROM pg_trigger WHERE tgname IN "
                                                   "('users_search', 'hist_search')"))).scalar() == 2
                assert (await conn.execute(sa.text("SELECT count(*) FROM pg_stat_user_tables "
                                                   "WHERE relname = 'users' AND last_analyze IS NOT NULL "
                                                   "OR relname = 'users' AND last_autoanalyze IS NOT NULL"))
                        ).scalar() == 1
            # each demo operator is a login role: the console's URL has no user, the operator signs in as themself
            session = await AuthService(str(make_url(url).set(username=None))).sign_in("demo-admin",
                                                                                      seeding.DEMO_PASSWORD)
            assert session.operator.role is Role.ADMIN and "//demo-admin:" in session.db_url.reveal()
            async with engine.connect() as conn:
                await conn.execute(tables.users.insert().values(
                    id=99_000_001, phone="13900000000", nickname="触发器Test猫", channel="web",
                    registered_at=datetime(2025, 11, 30, tzinfo=UTC)))
                got = set((await conn.execute(sa.text(
                    "SELECT bigram FROM nick_bigram WHERE user_id = 99000001"))).scalars())
                assert got == _bigrams("触发器Test猫")
                # the sequences were moved past the seeded ids
                for t in (tables.devices, tables.sanctions, tables.chat_messages, tables.support_notes):
                    values: dict[str, Any] = {
                        tables.devices: dict(user_id=99_000_001, device_id="x", platform="ios", model="m",
                                             first_seen=datetime.now(UTC), last_seen=datetime.now(UTC)),
                        tables.sanctions: dict(user_id=99_000_001, kind="warn", scope="global", reason="r",
                                               issued_by="demo-mod", starts_at=datetime.now(UTC)),
                        tables.chat_messages: dict(msg_uid="TEST-0000", from_user_id="1", to_user_id="1",
                                                   object_name="RC:TxtMsg", content="hi", channel_type="TEMPGROUP",
                                                   msg_timestamp=0, received_at=datetime.now(UTC)),
                        tables.support_notes: dict(user_id=99_000_001, author="demo-support", body="x",
                                                   created_at=datetime.now(UTC)),
                    }[t]
                    new_id = (await conn.execute(t.insert().values(**values).returning(t.c.id))).scalar()
                    top = (await conn.execute(sa.select(sa.func.max(t.c.id)))).scalar()
                    assert new_id == top
                await conn.rollback()
        finally:
            await engine.dispose()

    asyncio.run(check())


@pytest.mark.postgres
def test_pg_cancel_rolls_back(pg: PgCluster) -> None:
    pg.psql("CREATE DATABASE seed_test_cancel")
    url = pg.url("seed_test_cancel")
    asyncio.run(seeding.seed_database(url, 0))
    cancel, cancelled_at = threading.Event(), [0.0]

    def fire() -> None:
        cancelled_at.append(time.monotonic())
        cancel.set()

    timer = threading.Timer(2.0, fire)
    timer.start()
    try:
        with pytest.raises(seeding.SeedCancelled):
            asyncio.run(seeding._seed_pg(seeding.parse_target(url).dsn or "", 200_000, 1, None, cancel))
    finally:
        timer.cancel()
    assert time.monotonic() - cancelled_at[-1] < 20
    assert pg.psql("SELECT count(*) FROM users", dbname="seed_test_cancel").strip() == "0"
    q = "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
    assert int(pg.psql(q, dbname="seed_test_cancel")) > 5  # the foreign keys are still there


@pytest.mark.postgres
def test_pg_indexes_and_refusal(pg: PgCluster, pg_seeded: tuple[str, dict[str, int]]) -> None:
    pg.psql(f"CREATE DATABASE {FRESH}")

    async def up() -> None:
        engine = make_engine(pg.url(FRESH))
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(up())
    q = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
    assert pg.psql(q, dbname=SEEDED) == pg.psql(q, dbname=FRESH)
    q = ("SELECT conrelid::regclass, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
         "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2")
    assert pg.psql(q, dbname=SEEDED) == pg.psql(q, dbname=FRESH)  # foreign keys are back
    q = "SELECT tgname, tgrelid::regclass FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
    assert pg.psql(q, dbname=SEEDED) == pg.psql(q, dbname=FRESH)
    with pytest.raises(seeding.AlreadySeeded):
        asyncio.run(seeding.seed_database(pg_seeded[0], 10))
    assert pg.psql("SELECT count(*) FROM users", dbname=SEEDED).strip() == str(N)
