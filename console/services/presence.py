"""Is the signed-in operator still an active operator? (any role; no permission needed)

The window asks when an ``operators`` event names its operator, when a database call fails, and every
so often (on PostgreSQL a disabled operator's connections are ended before the event could reach them).
On PostgreSQL the answer comes from the server (``shihou_role_of(name)``); a connection the
server refuses because the login may no longer sign in counts as disabled. Usage::

    status = await operator_status(services.engine, services.operator.username)
    if not status.active: ...
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from console.db.tables import operators
from console.domain import Role
from console.errors import DatabaseUnreachable

log = logging.getLogger(__name__)

#: What PostgreSQL says to a login made NOLOGIN (an admin disabled it).
REFUSED_LOGIN = "not permitted to log in"


@dataclass(frozen=True, slots=True)
class OperatorStatus:
    active: bool
    role: Role | None  # None: not an active operator any more


def refused_login(exc: BaseException) -> bool:
    """Whether ``exc`` (or its cause) is the server refusing a disabled login."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return False
        if REFUSED_LOGIN in str(seen):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


async def operator_status(engine: AsyncEngine, username: str) -> OperatorStatus:
    """Raises DatabaseUnreachable when the database cannot answer (anything but a refused login)."""
    try:
        async with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                # by name: a console built on the owner's connection (tools, benchmarks) asks about its operator too
                role = (await conn.execute(sa.text("SELECT shihou_role_of(:u)"), {"u": username})).scalar()
                active = role is not None
            else:
                row = (await conn.execute(sa.select(operators.c.active, operators.c.role)
                                          .where(operators.c.username == username))).first()
                active, role = (bool(row.active), row.role) if row is not None else (False, None)
    except DBAPIError as e:
        if refused_login(e):
            log.warning("%s may no longer sign in: %s", username, REFUSED_LOGIN)
            return OperatorStatus(active=False, role=None)
        raise DatabaseUnreachable(str(e.orig).strip().splitlines()[0] if str(e.orig) else type(e).__name__) from None
    except (SQLAlchemyError, OSError) as e:  # a closed pool, a lost connection
        raise DatabaseUnreachable(str(e).strip().splitlines()[0] if str(e) else type(e).__name__) from None
    return OperatorStatus(active=active, role=Role(role) if active and role else None)
