"""The audit log: every action with actor, role, target, reason, before/after and time.

:class:`AuditService` is also the role gate: :meth:`AuditService.require` is called first
by every service method; a refusal is written to the log (kind ``denied``) and raised as
:class:`~console.errors.PermissionDenied`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.db.tables import audit_log
from console.domain import AuditEntry, AuditFilter, AuditId, Operator, Permission
from console.errors import InvalidInput, PermissionDenied
from console.services.events import publish

log = logging.getLogger(__name__)
audit_logger = logging.getLogger("console.audit")

MAX_FILTER_LEN = 128


class AuditService:
    """Usage: ``await audit.record("note_add", "user:10000001", reason="…", after={...})``."""

    def __init__(self, engine: AsyncEngine, operator: Operator) -> None:
        self._engine = engine
        self.operator = operator

    async def require(self, permission: Permission, target: str = "") -> None:
        """Raise PermissionDenied (and audit the refusal) unless the operator has ``permission``."""
        if self.operator.can(permission):
            return
        await self.record("denied", target or "-", reason=str(permission), outcome="refused")
        log.warning("refused %s for %s (%s)", permission, self.operator.username, self.operator.role)
        raise PermissionDenied(self.operator.username, str(self.operator.role), str(permission))

    async def record(
        self,
        kind: str,
        target: str,
        *,
        reason: str = "",
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        evidence: dict[str, Any] | None = None,
        outcome: str = "ok",
        conn: AsyncConnection | None = None,
    ) -> None:
        """Append one row (inside ``conn``'s transaction when given) and announce it."""
        values = dict(at=datetime.now(UTC), actor=self.operator.username, role=str(self.operator.role),
                      kind=kind, target=target[:128], reason=reason, before=before, after=after,
                      evidence=evidence, outcome=outcome)
        if conn is not None:
            await conn.execute(audit_log.insert().values(**values))
            await publish(conn, "audit", target[:100])
        else:
            async with self._engine.begin() as c:
                await c.execute(audit_log.insert().values(**values))
                await publish(c, "audit", target[:100])
        audit_logger.info("%s %s %s %s (%s)", self.operator.username, kind, target, outcome, reason)

    async def query(self, flt: AuditFilter | None = None, *, before_id: int | None = None,
                    after_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
        """Newest first. ``after_id`` returns only rows newer than it (for live updates)."""
        await self.require(Permission.VIEW_AUDIT, "audit_log")
        flt = flt or AuditFilter()
        q = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(max(1, min(limit, 5000)))
        for value, col in ((flt.actor, audit_log.c.actor), (flt.target, audit_log.c.target),
                           (flt.kind, audit_log.c.kind)):
            if value:
                if len(value) > MAX_FILTER_LEN:
                    raise InvalidInput("filter", f"at most {MAX_FILTER_LEN} characters")
                q = q.where(col.startswith(value, autoescape=True))
        if flt.since is not None:
            q = q.where(audit_log.c.at >= flt.since)
        if flt.until is not None:
            q = q.where(audit_log.c.at < flt.until)
        if before_id is not None:
            q = q.where(audit_log.c.id < before_id)
        if after_id is not None:
            q = q.where(audit_log.c.id > after_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_entry(r) for r in rows]

    async def kinds(self) -> Sequence[str]:
        async with self._engine.connect() as conn:
            return list((await conn.execute(sa.select(audit_log.c.kind).distinct().order_by(audit_log.c.kind))).scalars())


def _entry(r: Any) -> AuditEntry:
    return AuditEntry(id=AuditId(r.id), at=r.at, actor=r.actor, role=r.role, kind=r.kind, target=r.target,
                      reason=r.reason, before=r.before, after=r.after, evidence=r.evidence,
                      outcome=r.outcome)
