"""Signing operators in, on both backends.

* **PostgreSQL** (a team): the console connects as the operator's own login role with their password; the
  server checks it (SCRAM). Before each try the sign-in gate (``shihou_login``, see
  :mod:`console.db.team_ddl`) says whether the name must still wait; after a wrong password it records the
  failure. While a name waits its role is NOLOGIN, so the server itself refuses it.
* **SQLite** (one machine): Argon2id hashes in ``operators``, with the same waits kept in the same columns.

Both return a :class:`Session`: the operator and the database URL their connections use (on PostgreSQL it
holds their password, so it is a :class:`~console.credentials.Secret` and never printed).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from console.credentials import Secret
from console.db.engine import (
    HEAD_REVISION,
    describe_db_error,
    is_sqlite,
    make_engine,
    redact_url,
    stored_revision,
)
from console.db.tables import audit_log, operators
from console.db.team_ddl import FIRST_WAIT_S, FREE_FAILURES, GATE_PASSWORD, GATE_ROLE, LOCK_S
from console.domain import MAX_PASSWORD_LEN, NAME_PATTERN, Operator, OperatorId, Role
from console.errors import (
    AuthenticationFailed,
    DatabaseUnreachable,
    InvalidInput,
    SchemaOutOfDate,
    SignInRefused,
    StorageError,
)
from console.services.events import publish

log = logging.getLogger(__name__)
_hasher = PasswordHasher()

MAX_NAME_LEN = 63
_NAME = re.compile(NAME_PATTERN)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def wait_after(failures: int) -> int:
    """Seconds a name waits after ``failures`` wrong passwords in a row (``shihou_wait_after`` in SQL)."""
    if failures < FREE_FAILURES:
        return 0
    return int(min(LOCK_S, FIRST_WAIT_S * 2 ** min(failures - FREE_FAILURES, 20)))


def fold_name(username: str) -> str:
    """What a typed name means: operator names are lower-case role names, so ``Alice`` signs in as ``alice``."""
    return username.strip().lower()


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in operator. ``db_url``: what their connections use (their own login on PostgreSQL)."""

    operator: Operator
    db_url: Secret
    must_change_password: bool = False


class AuthService:
    """Usage: ``session = await AuthService(settings.db_url).sign_in("alice", pw)``."""

    def __init__(self, url: str) -> None:
        self._url = url

    async def sign_in(self, username: str, password: str) -> Session:
        """Raises:
            InvalidInput: an empty name or password.
            SignInRefused: wrong name or password, a name that must wait, a disabled operator.
            DatabaseUnreachable / SchemaOutOfDate: the server or its schema.
        """
        name = fold_name(username)
        if not name or not password:
            raise InvalidInput("password", "user name and password are required")
        if len(name) > MAX_NAME_LEN or len(password) > MAX_PASSWORD_LEN or not _NAME.match(name):
            log.warning("sign-in refused for %r: not a possible operator name or password", name[:64])
            raise SignInRefused("password", "Wrong user name or password")
        if is_sqlite(self._url):
            return await self._sqlite(name, password)
        return await self._postgres(name, password)

    # --- PostgreSQL: the server checks the password --------------------------------------------

    def operator_url(self, name: str, password: str) -> str:
        return make_url(self._url).set(username=name, password=password).render_as_string(hide_password=False)

    async def _gate(self, sql: str, name: str) -> Any:
        engine = make_engine(make_url(self._url).set(username=GATE_ROLE, password=GATE_PASSWORD)
                             .render_as_string(hide_password=False), poolclass=NullPool)
        try:
            async with engine.begin() as conn:
                return (await conn.execute(sa.text(sql), {"n": name})).first()
        except DBAPIError as e:
            text = str(e.orig)
            if "password authentication failed" in text or "not permitted to log in" in text:
                raise DatabaseUnreachable(
                    f"{redact_url(self._url)} has no sign-in gate for operators: the database administrator "
                    f"runs python -m console.db bootstrap (see the README, Team deployment)") from None
            raise DatabaseUnreachable(describe_db_error(self._url, e)) from None
        except (OSError, TimeoutError, SQLAlchemyError) as e:
            raise DatabaseUnreachable(describe_db_error(self._url, e)) from None
        finally:
            await engine.dispose()

    async def _postgres(self, name: str, password: str) -> Session:
        wait = float((await self._gate("SELECT shihou_sign_in_wait(:n)", name))[0] or 0)
        if wait > 0:
            raise _waiting(name, wait)
        url = self.operator_url(name, password)
        secret = Secret(url)
        Secret(password)  # registered: redacted from every log line from now on
        engine = make_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                rev = await stored_revision(conn)
                if rev != HEAD_REVISION:
                    raise SchemaOutOfDate(rev, HEAD_REVISION, redact_url(self._url))
                row = (await conn.execute(sa.text("SELECT * FROM shihou_signed_in()"))).first()
                await conn.commit()
        except DBAPIError as e:
            await self._pg_refusal(name, e)
            raise DatabaseUnreachable(describe_db_error(self._url, e)) from None
        except (OSError, TimeoutError) as e:
            raise DatabaseUnreachable(describe_db_error(self._url, e)) from None
        finally:
            await engine.dispose()
        if row is None:
            log.warning("sign-in refused for %r: a database login that is not an active operator", name)
            raise SignInRefused("disabled", f"{name} is not an active operator of this console")
        op = Operator(id=OperatorId(row.id), username=name, display_name=row.display_name, role=Role(row.role))
        log.info("operator %s signed in as %s (PostgreSQL login)", name, op.role)
        return Session(operator=op, db_url=secret, must_change_password=bool(row.must_change_password))

    async def _pg_refusal(self, name: str, e: DBAPIError) -> None:
        """Turn the server's refusal into a reason; a wrong password is counted by the gate."""
        text = str(e.orig)
        if "password authentication failed" in text:
            wait = float((await self._gate("SELECT shihou_sign_in_failed(:n)", name))[0] or 0)
            log.warning("sign-in refused for %r: wrong name or password", name)
            raise SignInRefused("password", "Wrong user name or password" + _then_wait(wait), wait_s=wait) from None
        if "not permitted to log in" in text:
            row = await self._gate("SELECT active, wait_s FROM shihou_sign_in_status(:n)", name)
            if row is not None and row.active and row.wait_s > 0:
                raise _waiting(name, float(row.wait_s)) from None
            log.warning("sign-in refused for %r: operator disabled", name)
            raise SignInRefused("disabled", f"{name} is disabled: an admin enables it again") from None

    # --- SQLite: Argon2 in the operators table --------------------------------------------------

    async def _sqlite(self, name: str, password: str) -> Session:
        from console.db.engine import open_database

        engine = await open_database(self._url)
        try:
            return await self._sqlite_check(engine, name, password)
        except (DBAPIError, OSError) as e:
            raise DatabaseUnreachable(describe_db_error(self._url, e)) from e
        finally:
            await engine.dispose()

    async def _sqlite_check(self, engine: AsyncEngine, name: str, password: str) -> Session:
        async with engine.connect() as conn:
            row = (await conn.execute(sa.select(operators).where(operators.c.username == name))).first()
        now = datetime.now(UTC)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            raise _waiting(name, (row.locked_until - now).total_seconds())
        # Verify even for unknown users so timing does not tell which names exist; Argon2 runs in a
        # worker thread (it releases the GIL), not on the UI thread.
        ok = await asyncio.to_thread(verify_password, row.password_hash if row else _dummy_hash(), password)
        if row is None or not ok:
            wait = await _count_failure(engine, row, now) if row is not None else 0
            log.warning("sign-in refused for %r: wrong name or password", name)
            raise SignInRefused("password", "Wrong user name or password" + _then_wait(wait), wait_s=wait)
        if not row.active:
            log.warning("sign-in refused for %r: operator disabled", name)
            raise SignInRefused("disabled", f"{name} is disabled: an admin enables it again")
        async with engine.begin() as conn:
            await conn.execute(operators.update().where(operators.c.id == row.id).values(
                failed_attempts=0, locked_until=None, last_sign_in_at=now))
        log.info("operator %s signed in as %s", row.username, row.role)
        op = Operator(id=OperatorId(row.id), username=row.username, display_name=row.display_name, role=Role(row.role))
        return Session(operator=op, db_url=Secret(self._url), must_change_password=bool(row.must_change_password))


async def _count_failure(engine: AsyncEngine, row: Any, now: datetime) -> int:
    """One more wrong password for an existing name: its wait, and the lock audited once."""
    async with engine.begin() as conn:
        fresh = (await conn.execute(sa.select(operators.c.failed_attempts).where(operators.c.id == row.id))).scalar()
        n = int(fresh or 0) + 1
        wait = wait_after(n)
        await conn.execute(operators.update().where(operators.c.id == row.id).values(
            failed_attempts=n, locked_until=now + timedelta(seconds=wait) if wait else None))
        if wait >= LOCK_S:
            await _audit_lock(conn, row.username, str(row.role), n, wait, now)
    return wait


async def _audit_lock(conn: AsyncConnection, name: str, role: str, failures: int, wait: int, now: datetime) -> None:
    await conn.execute(audit_log.insert().values(
        at=now, actor=name, role=role, kind="operator_locked", target=f"operator:{name}",
        reason=f"{failures} failed sign-ins", outcome="refused", after={"locked_for_s": wait}))
    await publish(conn, "operators", name)


def _then_wait(wait: float) -> str:
    return f"; wait {_human(wait)} before the next try" if wait > 0 else ""


def _waiting(name: str, wait: float) -> SignInRefused:
    log.warning("sign-in refused for %r: must wait %.0f s after failed sign-ins", name, wait)
    return SignInRefused("waiting", f"Too many failed sign-ins for {name}: try again in {_human(wait)}",
                         wait_s=wait)


def _human(seconds: float) -> str:
    s = max(1, round(seconds))
    return f"{s} s" if s < 120 else f"{(s + 59) // 60} min"


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not a password of anyone")


__all__ = ["AuthService", "AuthenticationFailed", "Session", "StorageError", "fold_name", "hash_password",
           "verify_password", "wait_after"]
