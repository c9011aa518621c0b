"""Async services (no Qt): the shared database, the providers, the actions.

``build_services(settings, operator)`` wires them for one signed-in operator.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from console.db.engine import make_engine, redact_url
from console.domain import Operator
from console.services.audit import AuditService
from console.services.auth import AuthService
from console.services.events import EventHub
from console.services.users import UserService
from console.settings import Settings

__all__ = ["AuditService", "AuthService", "EventHub", "Services", "UserService", "build_services"]


def pg_role_for(operator: Operator) -> str:
    return f"shihou_{operator.role}"


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    operator: Operator
    audit: AuditService
    users: UserService
    events: EventHub

    @property
    def db_label(self) -> str:
        return redact_url(self.settings.db_url)

    async def aclose(self) -> None:
        await self.events.aclose()
        await self.users.aclose()
        await self.engine.dispose()


async def build_services(settings: Settings, operator: Operator, *, start_events: bool = True) -> Services:
    """Services for one operator. On PostgreSQL every connection takes the operator's role,
    so the database enforces the same limits as the service layer."""
    url = settings.db_url
    pool = int(settings["database.pool_size"])
    if url.startswith("postgresql"):
        engine = make_engine(url, pg_role=pg_role_for(operator), pool_size=pool)
    else:
        engine = make_engine(url, pool_size=pool)
    audit = AuditService(engine, operator)
    users = UserService(engine, audit)
    events = EventHub(engine, poll_interval=int(settings["events.poll_ms"]) / 1000)
    if start_events:
        await events.start()
    return Services(settings=settings, engine=engine, operator=operator, audit=audit, users=users, events=events)
