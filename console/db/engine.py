"""The async engine: SQLite (WAL) for one machine, PostgreSQL for a team.

:func:`open_database` makes the engine, proves the database can be used, and checks that it
is at the Alembic head; every failure becomes a :class:`~console.errors.StorageError` with a
message a person can act on.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import Pool

from console.db.team_ddl import APP_NAME
from console.errors import DatabaseUnreachable, SchemaOutOfDate

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA cache_size=-131072",
    "PRAGMA mmap_size=1073741824",
)


#: The Alembic head this code needs; tests/test_database.py checks it against the migrations.
HEAD_REVISION = "0007"


async def stored_revision(conn: AsyncConnection) -> str | None:
    """The revision in ``alembic_version`` without importing Alembic (start-up time)."""
    exists = await conn.run_sync(lambda c: sa.inspect(c).has_table("alembic_version"))
    if not exists:
        return None
    return (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar()


def redact_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, pg_role: str | None = None, pool_size: int = 5, max_overflow: int = 10,
                poolclass: type[Pool] | None = None) -> AsyncEngine:
    """Create (but do not connect) the engine for ``url``.

    Args:
        pg_role: on PostgreSQL, a group role every connection switches to (``SET ROLE``). Tools and tests
            that connect as the table owner use it to act as a role; an operator's console connects as the
            operator's own login instead (:class:`console.services.auth.AuthService`).
        pool_size, max_overflow: PostgreSQL connections kept, and opened beyond them at busy moments.
        poolclass: e.g. ``NullPool`` for a one-off connection (sign-in, the gate).
    """
    try:
        parsed = make_url(url)
    except ArgumentError as e:
        raise DatabaseUnreachable(f"Not a database URL: {url!r} ({e})") from None
    if parsed.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise DatabaseUnreachable(
            f"Unsupported database {parsed.drivername!r}: use sqlite+aiosqlite:///PATH or postgresql+asyncpg://…"
        )
    kw: dict[str, Any] = {}
    if parsed.drivername == "sqlite+aiosqlite":
        db = parsed.database
        if db and db != ":memory:":
            try:
                _private_file(Path(db).expanduser())
            except OSError as e:
                raise DatabaseUnreachable(f"Cannot create the folder of the SQLite file {db}: {e.strerror}") from None
        kw["connect_args"] = {"timeout": 5}
    else:
        settings = {"application_name": APP_NAME}
        if pg_role:
            settings["role"] = pg_role
        kw["connect_args"] = {"server_settings": settings, "timeout": 5}
        if poolclass is None:
            kw["pool_size"] = pool_size
            kw["max_overflow"] = max_overflow
            kw["pool_pre_ping"] = True
        else:
            kw["poolclass"] = poolclass
    engine = create_async_engine(parsed, **kw)
    if parsed.drivername == "sqlite+aiosqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            for p in SQLITE_PRAGMAS:
                cur.execute(p)
            cur.close()

    return engine


def _private_file(path: Path) -> None:
    """A new SQLite file is readable by its owner only (0600, in a 0700 folder when the folder is new);
    SQLite gives its -wal and -shm files the database file's mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def describe_db_error(url: str, exc: BaseException) -> str:
    """One line a person can act on, for a connection or file problem."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
    safe = redact_url(url)
    low = text.lower()
    if "file is not a database" in low or "malformed" in low:
        return f"The SQLite file of {safe} is damaged or not a database ({text}). Restore it from a backup or move it away."
    if "unable to open database file" in low:
        return f"Cannot open the SQLite file of {safe}: check the path and its permissions."
    if "password authentication failed" in low or "role" in low and "does not exist" in low:
        return f"PostgreSQL refused the sign-in for {safe}: {text}"
    if "does not exist" in low:
        return f"{safe}: {text}"
    return f"Cannot reach the database {safe}: {text}"


async def open_database(url: str, *, check_head: bool = True, pool_size: int = 5) -> AsyncEngine:
    """Make the engine, connect once, and check the schema is at the Alembic head."""
    engine = make_engine(url, pool_size=pool_size)
    try:
        async with engine.connect() as conn:
            # Reading the schema touches the file header and the catalog: a file that is not a
            # database fails here at once (a full integrity check would read every page of a 1 GB file).
            await conn.execute(sa.text("SELECT 1"))
            current = await stored_revision(conn) if check_head else None
        if check_head and current != HEAD_REVISION:
            raise SchemaOutOfDate(current, HEAD_REVISION, redact_url(url))
    except (DBAPIError, SQLAlchemyError, OSError, TimeoutError) as e:
        await engine.dispose()
        log.warning("database check failed: %s", describe_db_error(url, e))
        raise DatabaseUnreachable(describe_db_error(url, e)) from e
    except BaseException:
        await engine.dispose()
        raise
    return engine
