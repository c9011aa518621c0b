"""Operator administration (admins): list, create, change role, disable, enable, reset a password.

On PostgreSQL every operator is a login role and each change runs in a SECURITY DEFINER function of the
database (:mod:`console.db.team_ddl`), which checks the caller, keeps the last admin, audits and announces
the change; passwords travel only as SCRAM verifiers. On SQLite this service does the same in one
transaction with Argon2 hashes. Usage::

    ops = OperatorService(engine, audit)
    await ops.create("alice", Role.MODERATOR, password="temporary-1", reason="new moderator")
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.db.scram import scram_verifier
from console.db.tables import PG_PASSWORD, operators
from console.domain import Permission, Role, check_name, check_password
from console.errors import ConsoleError, InvalidInput, NotFound, PermissionDenied
from console.services.audit import AuditService
from console.services.auth import hash_password
from console.services.events import publish

log = logging.getLogger(__name__)

MAX_DISPLAY_LEN = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorInfo:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    created_at: datetime
    failed_attempts: int
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    must_change_password: bool


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > 500:
        raise InvalidInput("reason", "at most 500 characters")
    return reason


class OperatorService:
    """Needs MANAGE_OPERATORS for everything but :meth:`change_own_password`."""

    def __init__(self, engine: AsyncEngine, audit: AuditService) -> None:
        self._engine = engine
        self._audit = audit

    @property
    def _pg(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    async def list_all(self) -> list[OperatorInfo]:
        await self._audit.require(Permission.MANAGE_OPERATORS, "operators")
        cols = [c for c in operators.c if c.name != "password_hash"]
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(*cols).order_by(operators.c.username))).all()
        return [_info(r) for r in rows]

    async def get(self, username: str) -> OperatorInfo:
        found = [o for o in await self.list_all() if o.username == username]
        if not found:
            raise NotFound(f"No operator named {username!r}")
        return found[0]

    async def create(self, username: str, role: Role | str, *, password: str, display_name: str = "",
                     reason: str = "") -> OperatorInfo:
        """A new operator with a temporary ``password`` (changed at their first sign-in)."""
        name = check_name(username)
        role = _role(role)
        check_password(password)
        display = display_name.strip()[:MAX_DISPLAY_LEN] or name
        await self._audit.require(Permission.MANAGE_OPERATORS, f"operator:{name}")
        if self._pg:
            verifier = await asyncio.to_thread(scram_verifier, password)
            await self._call("SELECT shihou_operator_create(:n, :d, :r, :v, :why)",
                              n=name, d=display, r=str(role), v=verifier, why=_reason(reason))
        else:
            digest = await asyncio.to_thread(hash_password, password)
            async with self._engine.begin() as conn:
                if (await conn.execute(sa.select(operators.c.id).where(operators.c.username == name))).first():
                    raise InvalidInput("username", f"operator {name} exists already")
                await conn.execute(operators.insert().values(
                    username=name, display_name=display, role=str(role), password_hash=digest, active=True,
                    created_at=datetime.now(UTC), must_change_password=True))
                await self._record(conn, "operator_create", name, reason, None, {"role": str(role),
                                                                                  "display_name": display})
        return await self.get(name)

    async def set_role(self, username: str, role: Role | str, reason: str) -> OperatorInfo:
        role = _role(role)
        await self._audit.require(Permission.MANAGE_OPERATORS, f"operator:{username}")
        if self._pg:
            await self._call("SELECT shihou_operator_set_role(:n, :r, :why)", n=username, r=str(role),
                             why=_reason(reason))
        else:
            async with self._engine.begin() as conn:
                row = await _row(conn, username)
                if row.role != role:
                    if row.role == Role.ADMIN and row.active and await _active_admins(conn) <= 1:
                        raise InvalidInput("role", "the last active admin cannot be demoted")
                    await conn.execute(operators.update().where(operators.c.id == row.id).values(role=str(role)))
                    await self._record(conn, "operator_role", username, reason, {"role": row.role},
                                       {"role": str(role)})
        return await self.get(username)

    async def set_active(self, username: str, active: bool, reason: str) -> OperatorInfo:
        """Disable (their sessions end and sign-in is refused) or enable an operator."""
        await self._audit.require(Permission.MANAGE_OPERATORS, f"operator:{username}")
        if self._pg:
            await self._call("SELECT shihou_operator_set_active(:n, :a, :why)", n=username, a=active,
                             why=_reason(reason))
        else:
            async with self._engine.begin() as conn:
                row = await _row(conn, username)
                if row.active != active:
                    if not active and row.role == Role.ADMIN and await _active_admins(conn) <= 1:
                        raise InvalidInput("active", "the last active admin cannot be disabled")
                    await conn.execute(operators.update().where(operators.c.id == row.id).values(
                        active=active, failed_attempts=0, locked_until=None))
                    await self._record(conn, "operator_enable" if active else "operator_disable", username, reason,
                                       {"active": row.active}, {"active": active})
        return await self.get(username)

    async def reset_password(self, username: str, password: str, reason: str) -> OperatorInfo:
        """A temporary password, to be changed at the next sign-in; any wait after failures is lifted."""
        check_password(password)
        await self._audit.require(Permission.MANAGE_OPERATORS, f"operator:{username}")
        if self._pg:
            verifier = await asyncio.to_thread(scram_verifier, password)
            await self._call("SELECT shihou_operator_reset_password(:n, :v, :why)", n=username, v=verifier,
                             why=_reason(reason))
        else:
            digest = await asyncio.to_thread(hash_password, password)
            async with self._engine.begin() as conn:
                row = await _row(conn, username)
                await conn.execute(operators.update().where(operators.c.id == row.id).values(
                    password_hash=digest, must_change_password=True, failed_attempts=0, locked_until=None))
                await self._record(conn, "operator_password_reset", username, reason, None, None)
        return await self.get(username)

    async def change_own_password(self, password: str) -> None:
        """The signed-in operator's own new password (after a temporary one)."""
        check_password(password)
        me = self._audit.operator.username
        if self._pg:
            verifier = await asyncio.to_thread(scram_verifier, password)
            await self._call("SELECT shihou_change_own_password(:v)", v=verifier)
        else:
            digest = await asyncio.to_thread(hash_password, password)
            async with self._engine.begin() as conn:
                row = await _row(conn, me)
                await conn.execute(operators.update().where(operators.c.id == row.id).values(
                    password_hash=digest, must_change_password=False))
                await self._record(conn, "password_change", me, "", None, None)

    async def _call(self, sql: str, **params: Any) -> None:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(sa.text(sql), params)
        except DBAPIError as e:
            raise _translate(e, self._audit.operator.username) from None

    async def _record(self, conn: AsyncConnection, kind: str, name: str, reason: str,
                      before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        await self._audit.record(kind, f"operator:{name}", reason=_reason(reason), before=before, after=after,
                                 conn=conn)
        await publish(conn, "operators", name)


def _role(role: Role | str) -> Role:
    try:
        return Role(str(role))
    except ValueError:
        raise InvalidInput("role", f"one of {', '.join(r.value for r in Role)}") from None


async def _row(conn: AsyncConnection, username: str) -> Any:
    row = (await conn.execute(sa.select(operators).where(operators.c.username == username))).first()
    if row is None:
        raise NotFound(f"No operator named {username!r}")
    return row


async def _active_admins(conn: AsyncConnection) -> int:
    return int((await conn.execute(sa.select(sa.func.count()).where(
        operators.c.role == Role.ADMIN.value, operators.c.active))).scalar_one())


def _translate(e: DBAPIError, me: str) -> ConsoleError:
    """The database function's refusal as the error the interface shows (its own words)."""
    cause = getattr(e.orig, "__cause__", None)
    message = str(getattr(cause, "message", "") or e.orig).strip()
    state = getattr(cause, "sqlstate", "") or ""
    log.info("operator administration refused: %s", message)
    if state == "42501":
        return PermissionDenied(me, "-", message)
    if state == "P0002":
        return NotFound(message)
    return InvalidInput("operator", message)


def _info(r: Any) -> OperatorInfo:
    return OperatorInfo(id=r.id, username=r.username, display_name=r.display_name, role=Role(r.role), active=r.active,
                        created_at=r.created_at, failed_attempts=r.failed_attempts, locked_until=r.locked_until,
                        last_sign_in_at=r.last_sign_in_at, must_change_password=r.must_change_password)


__all__ = ["PG_PASSWORD", "OperatorInfo", "OperatorService", "check_name", "check_password"]
