"""Test setup: one qasync loop for the whole run, a private PostgreSQL cluster, migrated
template databases (SQLite file copied per test; PostgreSQL ``CREATE DATABASE … TEMPLATE``),
isolated QSettings and keyring, and a check that fails a test on an unexpected warning."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_tmp_home = tempfile.mkdtemp(prefix="shihou-test-home-")
os.environ["XDG_DATA_HOME"] = str(Path(_tmp_home) / "data")
os.environ["XDG_CONFIG_HOME"] = str(Path(_tmp_home) / "config")
os.environ["XDG_STATE_HOME"] = str(Path(_tmp_home) / "state")
os.environ["XDG_CACHE_HOME"] = str(Path(_tmp_home) / "cache")

import pytest  # noqa: E402
import pytest_asyncio  # noqa: E402
import qasync  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from console.db import migrate  # noqa: E402
from console.db import tables as t  # noqa: E402
from console.db.engine import make_engine  # noqa: E402
from console.domain import Operator, OperatorId, Role  # noqa: E402
from console.services.auth import hash_password  # noqa: E402
from console.settings import load_settings  # noqa: E402

IN_CI = os.environ.get("CI") == "true"


def _qasync_loop() -> qasync.QEventLoop:
    app = QApplication.instance() or QApplication(["shihou-test"])
    app.setQuitOnLastWindowClosed(False)  # closing a test window must not stop the loop
    return qasync.QEventLoop(app)


def pytest_asyncio_loop_factories(config: Any, item: Any) -> dict[str, Any]:
    return {"qasync": _qasync_loop}


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["shihou-test"]


@pytest.fixture(scope="session", autouse=True)
def _isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> None:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("qsettings")))


# --- unexpected warnings fail the test (qutebrowser's logfail) -----------------------------

class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def expect_log() -> list[str]:
    """Append substrings of the warnings a test expects."""
    return []


@pytest.fixture(autouse=True)
def _fail_on_unexpected_warning(expect_log: list[str]) -> Iterator[None]:
    h = _Collector()
    root = logging.getLogger()
    root.addHandler(h)
    try:
        yield
    finally:
        root.removeHandler(h)
    bad = [r for r in h.records if r.name.startswith("console")
           and not any(p in r.getMessage() for p in expect_log)]
    if bad:
        pytest.fail("unexpected log warnings: " + "; ".join(f"{r.name}: {r.getMessage()}" for r in bad))


# --- databases -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    from console.sandbox.pgcluster import PgCluster, find_pg_bin

    if find_pg_bin() is None:
        if IN_CI:
            pytest.fail("PostgreSQL server binaries missing in CI (apt-get install postgresql)")
        pytest.skip("PostgreSQL not installed (Debian package postgresql)")
    with PgCluster() as pg:
        yield pg


_db_counter = itertools.count()


def run_in_thread(fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on its own loop in a worker thread (for sync fixtures)."""
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        return ex.submit(lambda: asyncio.run(fn())).result()


async def _upgrade(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    run_in_thread(lambda: _upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_template(pg_cluster: Any) -> str:
    pg_cluster.psql("CREATE DATABASE shihou_template")
    run_in_thread(lambda: _upgrade(pg_cluster.url("shihou_template")))
    return "shihou_template"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh migrated database per test, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        tmpl: Path = request.getfixturevalue("sqlite_template")
        dst = tmp_path / "test.db"
        shutil.copy(tmpl, dst)
        return f"sqlite+aiosqlite:///{dst}"
    pg = request.getfixturevalue("pg_cluster")
    template = request.getfixturevalue("pg_template")
    name = f"t_{os.getpid()}_{next(_db_counter)}"
    pg.psql(f"CREATE DATABASE {name} TEMPLATE {template}")
    return str(pg.url(name))


@pytest.fixture
def settings(db_url: str) -> Any:
    return load_settings(cli={"database.url": db_url, "events.poll_ms": 50}, env={})


@pytest_asyncio.fixture(loop_scope="session")
async def engine(db_url: str) -> AsyncIterator[Any]:
    e = make_engine(db_url)
    yield e
    await e.dispose()


async def add_operator(engine: Any, username: str, role: Role) -> None:
    """An ``operators`` row for a name a test acts as: a pending action runs only while its requester is an
    active operator whose role may run it (ActionService and, on PostgreSQL, the outbox trigger)."""
    async with engine.begin() as conn:
        exists = (await conn.execute(sa.select(t.operators.c.id).where(t.operators.c.username == username))).first()
        if exists is None:
            await conn.execute(t.operators.insert().values(
                username=username, display_name=username, role=str(role), password_hash="!", created_at=NOW))


def operator(role: Role, username: str | None = None) -> Operator:
    name = username or f"test-{role}"
    return Operator(id=OperatorId(1), username=name, display_name=name, role=role)


NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

#: Users with known nicknames, phones and histories (tests assert on these).
KNOWN_USERS = [
    # id, phone, nickname, past nicknames
    (10000001, "13812341234", "小明爱吃鱼", ["明明", "Lucy_520"]),
    (10000002, "13812349999", "王者小王", []),
    (10000003, "13900001111", "Lucy_520", ["小明"]),
    (10000004, "15011112222", "100%_真'人\\", []),
    (10000005, "18600000000", "🐱猫猫🐱", ["喵喵喵"]),
    (10000006, "13812340000", "阿花花", []),
]


async def insert_known_users(engine: Any) -> None:
    async with engine.begin() as conn:
        for uid, phone, nick, past in KNOWN_USERS:
            await conn.execute(t.users.insert().values(
                id=uid, phone=phone, nickname=nick, registered_at=NOW - timedelta(days=uid % 1000),
                channel="appstore", status="active"))
            for i, p in enumerate(past):
                await conn.execute(t.nickname_history.insert().values(
                    user_id=uid, nickname=p, changed_at=NOW - timedelta(days=30 * (i + 1))))
        await conn.execute(t.devices.insert(), [
            dict(user_id=10000001, device_id="dev-shared-1", platform="android", model="HUAWEI Mate 60",
                 first_seen=NOW - timedelta(days=100), last_seen=NOW),
            dict(user_id=10000003, device_id="dev-shared-1", platform="android", model="HUAWEI Mate 60",
                 first_seen=NOW - timedelta(days=50), last_seen=NOW),
        ])
        await conn.execute(t.rooms.insert().values(
            id=1, owner_id=10000001, title="小明的王者上分房", category="王者荣耀", stream_name="room_1", state="live",
            created_at=NOW, updated_at=NOW))
        await conn.execute(t.sanctions.insert().values(
            user_id=10000001, room_id=1, kind="gag", scope="room", reason="刷屏", issued_by="demo-mod",
            starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=3650)))
        await conn.execute(t.operators.insert(), [
            dict(username=f"test-{r}", display_name=f"测试{r}", role=str(r), password_hash=hash_password("pw-" + str(r)),
                 created_at=NOW) for r in Role
        ])


@pytest_asyncio.fixture(loop_scope="session")
async def known_db(engine: Any) -> Any:
    await insert_known_users(engine)
    return engine


def count_rows(sync_conn: Any, table: sa.Table) -> int:
    return int(sync_conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
