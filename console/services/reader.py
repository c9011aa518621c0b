"""A connection kept for interactive reads, used through the raw driver.

database-facts.md §3: SQLAlchemy Core adds about 1–2 ms (p95) to every query, more than the
queries themselves cost. The lookup box runs one query per keystroke burst, so its reads go
straight to the driver (aiosqlite or asyncpg) on a connection checked out of the engine's
pool once, which keeps the engine's settings (SQLite pragmas, the PostgreSQL role).

A read cancelled mid-flight (a newer search supersedes it) discards the connection; the next
read opens a fresh one, so a half-finished driver call never blocks the following query.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.errors import DatabaseUnreachable

_QMARK = re.compile(r"\?")


def to_dollar(sql: str) -> str:
    """``?`` placeholders -> asyncpg's ``$1, $2 …`` (our SQL has no ``?`` inside literals)."""
    n = 0

    def sub(_m: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return f"${n}"

    return _QMARK.sub(sub, sql)


class Reader:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.dialect = engine.dialect.name
        self._conn: AsyncConnection | None = None
        self._driver: Any = None
        self._lock = asyncio.Lock()
        self._pg_sql: dict[str, str] = {}

    async def _driver_conn(self) -> Any:
        if self._driver is None:
            conn = await self._engine.connect()
            raw = await conn.get_raw_connection()
            self._conn, self._driver = conn, raw.driver_connection
        return self._driver

    async def _discard(self) -> None:
        conn, self._conn, self._driver = self._conn, None, None
        if conn is not None:
            try:
                await conn.invalidate()
                await conn.close()
            except Exception:  # noqa: BLE001 - already broken; nothing to keep
                pass

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one read; rows as tuples. Raises DatabaseUnreachable on a driver error."""
        async with self._lock:
            try:
                driver = await self._driver_conn()
                if self.dialect == "sqlite":
                    rows = await driver.execute_fetchall(sql, tuple(params))
                    return [tuple(r) for r in rows]
                pg = self._pg_sql.get(sql)
                if pg is None:
                    pg = self._pg_sql[sql] = to_dollar(sql)
                return [tuple(r) for r in await driver.fetch(pg, *params)]
            except asyncio.CancelledError:
                await asyncio.shield(self._discard())
                raise
            except (DBAPIError, OSError, Exception) as e:
                if _is_driver_error(e):
                    await self._discard()
                    raise DatabaseUnreachable(f"Database read failed: {e}") from e
                raise

    async def aclose(self) -> None:
        async with self._lock:
            await self._discard()


def _is_driver_error(e: BaseException) -> bool:
    mod = type(e).__module__
    return isinstance(e, DBAPIError | OSError) or mod.startswith(("sqlite3", "asyncpg", "aiosqlite"))
