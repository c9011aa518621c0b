"""Operators: password hashing (Argon2id) and sign-in against the ``operators`` table."""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from console.db.tables import audit_log, operators
from console.domain import Operator, OperatorId, Role
from console.errors import AuthenticationFailed, DatabaseUnreachable, InvalidInput

log = logging.getLogger(__name__)
_hasher = PasswordHasher()

MAX_PASSWORD_LEN = 1024


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class AuthService:
    """Signs operators in. Usage: ``op = await AuthService(engine).sign_in("alice", pw)``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def sign_in(self, username: str, password: str) -> Operator:
        """Check the password; a failure is recorded in the audit log and raises AuthenticationFailed."""
        username = username.strip()
        if not username or not password:
            raise InvalidInput("password", "user name and password are required")
        if len(username) > 64 or len(password) > MAX_PASSWORD_LEN:
            await self._record_failure(username, "input too long")
            log.warning("sign-in refused for %r: input too long", username[:64])
            raise AuthenticationFailed("Wrong user name or password")
        try:
            async with self._engine.connect() as conn:
                row = (
                    await conn.execute(
                        sa.select(operators.c.id, operators.c.username, operators.c.display_name,
                                  operators.c.role, operators.c.password_hash, operators.c.active)
                        .where(operators.c.username == username)
                    )
                ).first()
        except DBAPIError as e:
            raise DatabaseUnreachable(f"Cannot check the sign-in: {e.orig}") from e
        # Verify even for unknown users so timing does not tell which names exist; Argon2 runs in a
        # worker thread (it releases the GIL), not on the UI thread.
        ok = await asyncio.to_thread(verify_password, row.password_hash if row else _dummy_hash(), password)
        if row is None or not ok or not row.active:
            await self._record_failure(username, "inactive" if row is not None and ok else "bad credentials")
            log.warning("sign-in refused for %r", username)
            raise AuthenticationFailed("Wrong user name or password")
        log.info("operator %s signed in as %s", row.username, row.role)
        return Operator(id=OperatorId(row.id), username=row.username, display_name=row.display_name,
                        role=Role(row.role))

    async def _record_failure(self, username: str, why: str) -> None:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(audit_log.insert().values(
                    at=datetime.now(UTC), actor=username[:64], role="-", kind="sign_in_refused",
                    target=f"operator:{username[:64]}", reason=why, outcome="refused"))
        except DBAPIError:
            log.exception("could not record the refused sign-in")


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not a password of anyone")
