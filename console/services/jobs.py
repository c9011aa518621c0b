"""Background duties as plain async functions (no Qt, no job engine): what must happen when nobody is looking.

The worker (:mod:`console.worker`, procrastinate on PostgreSQL) registers each as a job; on SQLite the console
runs the same functions in-process (:class:`LocalRunner`), so the training sandbox needs no worker::

    duties = Duties(services, name="shihou_worker_1")
    for action_id in await duties.due_actions():
        await duties.run_action(action_id)        # one attempt, under the row's lease (ActionService)
    await duties.campaigns()                      # push resume, SMS campaigns due (quiet hours: the services)
    await duties.reverts()                        # lockdowns whose time came
    await duties.session_gags()                   # "gag for this live session" lifted when the stream ends
    await duties.reports()                        # JPush / SMS receipts while they still come in
    await duties.heartbeat()                      # worker_heartbeats: consoles show a live worker

Every duty is safe to run from many places at once: actions by their lease, campaigns by their claims,
reverts and lifts by idempotency keys.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from console.db import tables as t
from console.db import tables_chat as tc
from console.db import tables_push as tp
from console.db import tables_sms as ts
from console.domain import ActionRecord, Permission
from console.errors import ConsoleError

log = logging.getLogger(__name__)

#: Kinds the worker leaves to the consoles: a resent code needs the user's number, which only support reads.
CONSOLE_ONLY_KINDS = frozenset({"sms_code_resend"})
#: A worker whose heartbeat is older than this is shown as gone.
ALIVE_S = 20.0
#: Reports are refreshed this long after a campaign finished (receipts still come in).
REPORT_WINDOW = timedelta(hours=24)
SESSION_END_REASON = "直播场次结束，本场禁言解除"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class WorkerStatus:
    """What a console's status bar shows: live workers, jobs waiting, jobs failed (in the last day)."""

    workers: int
    waiting: int
    failed: int
    in_process: bool = False   # SQLite: the console runs the duties itself

    @property
    def alive(self) -> bool:
        return self.in_process or self.workers > 0


class Duties:
    """The duties over one service stack (:class:`console.services.Services` or the same attributes)."""

    def __init__(self, services: Any, *, name: str | None = None, clock: Callable[[], datetime] = _now) -> None:
        self.s = services
        self.engine: AsyncEngine = services.engine
        self.name = (name or f"{services.operator.username}@{socket.gethostname()}:{os.getpid()}")[:128]
        self._clock = clock
        self._started = clock()
        self.done = 0
        self.failed = 0

    # --- actions ---------------------------------------------------------------------------------

    def can(self, permission: Permission) -> bool:
        return bool(self.s.operator.can(permission))

    def action_kinds(self) -> list[str]:
        """Kinds this runner completes: those its role may run (a worker: all but :data:`CONSOLE_ONLY_KINDS`)."""
        a = self.s.actions
        return [k for k in a.kinds() if k not in CONSOLE_ONLY_KINDS and self.can(a.handler(k).permission)]

    async def due_actions(self, *, limit: int = 500, kinds: Iterable[str] | None = None) -> list[int]:
        """Pending actions whose next try has come and that no runner holds, oldest first."""
        c = t.action_outbox.c
        now = self._clock()
        q = sa.select(c.id).where(
            c.state == "pending", sa.or_(c.next_try_at.is_(None), c.next_try_at <= now),
            sa.or_(c.claimed_until.is_(None), c.claimed_until < now),
            c.kind.in_(list(kinds) if kinds is not None else self.action_kinds()),
        ).order_by(c.id).limit(limit)
        async with self.engine.connect() as conn:
            return [int(i) for i in (await conn.execute(q)).scalars()]

    async def next_try(self, action_id: int) -> datetime | None:
        """When a still pending action is due again (None: it is not pending)."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(t.action_outbox.c.state, t.action_outbox.c.next_try_at).where(
                t.action_outbox.c.id == action_id))).first()
        if row is None or row.state != "pending":
            return None
        return row.next_try_at or self._clock()

    async def run_action(self, action_id: int) -> ActionRecord | None:
        """One attempt of one action (None: nothing run here). Anything the attempt raises is logged, never
        raised: the next row runs."""
        try:
            rec: ActionRecord | None = await self.s.actions.attempt(action_id)
        except ConsoleError as e:
            self.failed += 1
            log.warning("action %s stays pending: %s", action_id, e)
            return None
        if rec is None:   # done already, or another runner holds it
            return None
        if rec.state == "failed":
            self.failed += 1
        elif rec.state == "done":
            self.done += 1
        return rec

    async def run_due_actions(self) -> int:
        """Every due action, one after another (the in-process runner)."""
        n = 0
        for action_id in await self.due_actions():
            await self.run_action(action_id)
            n += 1
        return n

    # --- campaigns, chat, reports ------------------------------------------------------------

    async def campaigns(self) -> int:
        """Push campaigns left sending (resumed from their plans) and SMS campaigns due (their time came,
        outside their quiet hours); the services' claims keep each with one runner."""
        n = 0
        if self.can(Permission.SEND_PUSH) and self.s.push.connected:
            n += len(await self.s.push.resume())
        if self.can(Permission.SEND_SMS) and self.s.sms.gateway is not None:
            n += len(await self.s.sms.run_due())
        return n

    async def reverts(self) -> int:
        if not self.can(Permission.MODERATE_CHAT):
            return 0
        return len(await self.s.moderation.revert_due())

    async def session_gags(self) -> int:
        """Lift "gag for this live session" once the room's stream is no longer live at any video provider."""
        providers = self.s.actions.video.providers()
        if not providers or not self.can(Permission.MODERATE_CHAT):
            return 0
        live: set[str] = set()
        for p in providers.values():
            live |= {h.stream for h in await p.list_live()}
        c, now = t.action_outbox.c, self._clock()
        s, g = t.sanctions, tc.chat_sanction_targets
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.select(c.payload).where(
                c.kind == "chat_gag", c.state == "done", c.updated_at > now - timedelta(days=2)))).scalars().all()
            wanted = {(str(p["room_key"]), str(p["user"])) for p in rows
                      if isinstance(p, dict) and p.get("session") and p.get("room_key") and p.get("user")}
            if not wanted:
                return 0
            active = (await conn.execute(sa.select(g.c.room_key, g.c.sender, t.rooms.c.stream_name).select_from(
                g.join(s, s.c.id == g.c.sanction_id).join(tc.chat_rooms, tc.chat_rooms.c.room_key == g.c.room_key)
                .join(t.rooms, t.rooms.c.id == tc.chat_rooms.c.room_id)).where(
                s.c.kind == "gag", s.c.scope == "room", s.c.lifted_at.is_(None),
                sa.or_(s.c.ends_at.is_(None), s.c.ends_at > now)))).all()
        ended: dict[str, list[str]] = {}
        for room_key, sender, stream in active:
            if (room_key, sender) in wanted and stream not in live:
                ended.setdefault(room_key, []).append(sender)
        n = 0
        for room_key, senders in ended.items():
            res = await self.s.moderation.ungag(room_key, sorted(senders), reason=SESSION_END_REASON,
                                                key=f"session-end:{room_key}:{now:%Y%m%d%H%M}")
            n += len(res.done)
        return n

    async def reports(self) -> int:
        """Refresh the reports of campaigns whose receipts still come in (sending, or finished within a day)."""
        since, n = self._clock() - REPORT_WINDOW, 0
        async with self.engine.connect() as conn:
            push_ids = list((await conn.execute(sa.select(tp.push_campaigns.c.id).where(
                tp.push_campaigns.c.state.in_(["sending", "done"]),
                sa.or_(tp.push_campaigns.c.finished_at.is_(None), tp.push_campaigns.c.finished_at > since)))
            ).scalars()) if self.can(Permission.SEND_PUSH) and self.s.push.connected else []
            sms_ids = list((await conn.execute(sa.select(ts.sms_campaigns.c.id).where(
                ts.sms_campaigns.c.state.in_(["sending", "done"]),
                sa.or_(ts.sms_campaigns.c.finished_at.is_(None), ts.sms_campaigns.c.finished_at > since)))
            ).scalars()) if self.can(Permission.SEND_SMS) and self.s.sms.gateway is not None else []
        for cid in push_ids:
            await self.s.push.refresh_report(cid)
            n += 1
        for cid in sms_ids:
            await self.s.sms.poll_deliveries(cid)
            n += 1
        return n

    # --- mail (console/services/mail.py) ---------------------------------------------------------

    @staticmethod
    def mail_available() -> bool:
        return importlib.util.find_spec("console.services.mail") is not None

    async def mail_alerts(self, mailer: Any) -> Any:
        from console.services import mail

        return await mail.send_alerts(self.engine, mailer, actor=self.s.operator.username)

    async def mail_digest(self, mailer: Any) -> Any:
        from console.services import mail

        return await mail.send_digest(self.engine, mailer, mail.previous_china_day(), actor=self.s.operator.username)

    # --- heartbeat and status ----------------------------------------------------------------

    async def heartbeat(self, *, login: str | None = None) -> None:
        hb, now = t.worker_heartbeats, self._clock()
        values = {"seen_at": now, "jobs_done": self.done, "jobs_failed": self.failed}
        async with self.engine.begin() as conn:
            res = await conn.execute(hb.update().where(hb.c.name == self.name).values(**values))
            if res.rowcount == 0:
                await conn.execute(hb.insert().values(
                    name=self.name, login=(login or self.s.operator.username)[:64], host=socket.gethostname()[:128],
                    pid=os.getpid(), started_at=self._started, **values))
            await conn.execute(hb.delete().where(hb.c.seen_at < now - timedelta(hours=1)))

    async def sign_off(self) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(t.worker_heartbeats.delete().where(t.worker_heartbeats.c.name == self.name))


async def worker_status(engine: AsyncEngine, *, now: datetime | None = None) -> WorkerStatus:
    """Live workers (heartbeat within :data:`ALIVE_S`), jobs waiting (pending actions, and procrastinate's
    ``todo`` jobs on PostgreSQL), jobs failed in the last day (actions, and procrastinate's failed jobs)."""
    now = now or _now()
    c = t.action_outbox.c
    async with engine.connect() as conn:
        workers = (await conn.execute(sa.select(sa.func.count()).select_from(t.worker_heartbeats).where(
            t.worker_heartbeats.c.seen_at > now - timedelta(seconds=ALIVE_S)))).scalar_one()
        waiting = (await conn.execute(sa.select(sa.func.count()).select_from(t.action_outbox).where(
            c.state == "pending"))).scalar_one()
        failed = (await conn.execute(sa.select(sa.func.count()).select_from(t.action_outbox).where(
            c.state == "failed", c.updated_at > now - timedelta(days=1)))).scalar_one()
        if conn.dialect.name == "postgresql":
            jobs = (await conn.execute(sa.text(
                "SELECT count(*) FILTER (WHERE status = 'todo'), count(*) FILTER (WHERE status = 'failed') "
                "FROM procrastinate_jobs"))).one()
            waiting += jobs[0]
            failed += jobs[1]
    return WorkerStatus(workers=int(workers), waiting=int(waiting), failed=int(failed),
                        in_process=engine.dialect.name == "sqlite")


class LocalRunner:
    """SQLite (one machine): the console runs the duties itself, each on its own period, started with the
    services and stopped before they close. A duty that raises is logged and runs again next period."""

    def __init__(self, duties: Duties, *, actions_s: float = 5.0, campaigns_s: float = 15.0, reverts_s: float = 5.0,
                 gags_s: float = 30.0, reports_s: float = 60.0) -> None:
        self.duties = duties
        self._plan: list[tuple[str, float, Callable[[], Awaitable[Any]]]] = [
            ("actions", actions_s, duties.run_due_actions), ("campaigns", campaigns_s, duties.campaigns),
            ("reverts", reverts_s, duties.reverts), ("session-gags", gags_s, duties.session_gags),
            ("reports", reports_s, duties.reports),
        ]
        self._tasks: list[asyncio.Task[None]] = []
        self.rounds: dict[str, int] = {}

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [asyncio.ensure_future(self._loop(name, period, fn)) for name, period, fn in self._plan]

    async def run_once(self) -> None:
        """Every duty once, in order (tests; the first round at start)."""
        for name, _period, fn in self._plan:
            await self._round(name, fn)

    async def _round(self, name: str, fn: Callable[[], Awaitable[Any]]) -> None:
        try:
            await fn()
        except ConsoleError as e:
            log.warning("in-process %s: %s", name, e)
        except Exception:   # a bug in one duty must not stop the others
            log.exception("in-process %s failed", name)
        self.rounds[name] = self.rounds.get(name, 0) + 1

    async def _loop(self, name: str, period: float, fn: Callable[[], Awaitable[Any]]) -> None:
        while True:   # the console's start-up already ran recover / resume / run_due: first wait a period
            await asyncio.sleep(period)
            await self._round(name, fn)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
