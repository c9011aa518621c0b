"""Every moderation action: role check, durable intent, provider call, outcome, event.

The way an action travels (architecture.md): the role is checked; an outbox row
(``pending``, with an idempotency key) is committed before the provider is called; the
provider call runs in the service's own task scope, so closing a pane or pressing Esc does
not cancel it halfway; the outcome (``done`` with the room's new state, the sanction and the
audit row, in one transaction; or ``failed`` with the provider's error) is recorded exactly
once: the transition ``pending -> done`` is a guarded UPDATE, so a retry after a crash
re-sends the idempotent provider call but never repeats the database effects.

A retryable failure (network, 5xx, 429) leaves the row ``pending`` with its ``next_try_at`` (exponential
backoff) for :meth:`recover` (at start, from the action queue) and the worker; a rejection, anything else a
handler raises (a payload that no longer parses), or the ``max_attempts``-th retryable failure marks it
``failed``, audited.

One runner at a time: an attempt starts by taking the row's lease (``claimed_by``/``claimed_until``, one guarded
UPDATE that also counts the attempt), renewed while the provider call runs and released with the outcome. A
worker, a console's Enter and a start-up recovery racing for the same row: one runs it, the others find it held
(or done) and return the row as it is. A runner killed mid-call leaves a lease that lapses after ``lease_s``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.db import tables as t
from console.db.worker_ddl import WORKER_REQUESTED_KINDS
from console.domain import (
    ACTION_PERMISSIONS,
    ROLE_PERMISSIONS,
    ActionRecord,
    ActionStatus,
    Permission,
    Role,
    RoomId,
)
from console.errors import ConsoleError, InvalidInput, NotFound, ProviderError
from console.services.audit import AuditService
from console.services.events import publish
from console.services.video.base import VideoProvider

log = logging.getLogger(__name__)

CUT, RESUME = "stream_cut", "stream_resume"
MAX_REASON = 500
#: Attempts of one action before a retryable failure is given up (failed, audited).
MAX_ATTEMPTS = 8
#: A runner's hold on an action (renewed every third of it while the provider call runs).
LEASE_S = 60.0


def backoff_s(attempts: int, *, base_s: float = 5.0, cap_s: float = 600.0) -> float:
    """Wait before the next try after ``attempts`` attempts: 5 s, 10 s, 20 s … up to 10 minutes."""
    return float(min(cap_s, base_s * 2 ** max(0, attempts - 1)))


def _now() -> datetime:
    return datetime.now(UTC)


class ActionHandler(Protocol):
    """One family of actions (stream cuts, chat sanctions, pushes...). Registered with
    :meth:`ActionService.register`; the service carries every action through the outbox.

    Optional hooks (looked up with ``getattr``):
    ``async prepare(kind, payload) -> payload``: before the row is written (e.g. fetch a JPush cid, so it is
    stored before the first attempt); ``async bind(conn, kind, payload) -> payload``: inside the transaction
    that writes the row (look-ups that must agree with the database, without a second connection);
    ``async after(kind, payload) -> None``: after the row is done and committed (best effort; e.g. a second
    drop of a cut stream, a CDN purge).
    """

    permission: Permission

    async def perform(self, kind: str, payload: dict[str, Any], key: str) -> dict[str, Any] | None:
        """The provider call(s): safe to run again with the same payload and key. A returned dict is merged
        into the stored payload. Raises ProviderError (retryable: the row stays pending)."""
        ...

    async def apply(self, conn: AsyncConnection, kind: str, payload: dict[str, Any], now: datetime,
                    actor: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Database effects, run exactly once in the transaction that marks the row done.
        Returns ``(before, after)`` for the audit row."""
        ...


class ActionService:
    """One outbox for every kind of action. Usage::

        actions.register([CUT, RESUME], handler)
        rec = await actions.submit(CUT, "room:7", {...}, reason="涉政敏感")
        rec = await actions.cut_stream(room_id, "涉政敏感", timedelta(hours=1))   # the video shortcut
    """

    def __init__(self, engine: AsyncEngine, audit: AuditService,
                 video: VideoProvider | dict[str, VideoProvider] | None = None, *,
                 on_cut: Callable[[str], Any] | None = None, clock: Callable[[], datetime] = _now,
                 runner: str | None = None, lease_s: float = LEASE_S, max_attempts: int = MAX_ATTEMPTS,
                 backoff: Callable[[int], float] = backoff_s) -> None:
        self._engine = engine
        #: this runner's name in ``claimed_by`` (operator or worker, and a per-process id)
        self.runner = (runner or audit.operator.username)[:80] + f"@{_HOST}:{os.getpid()}#{uuid.uuid4().hex[:6]}"
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self._backoff = backoff
        self._audit = audit
        self._clock = clock
        self._running: set[asyncio.Task[Any]] = set()
        self._handlers: dict[str, ActionHandler] = {}
        self.video = VideoActions(engine, video or {}, on_cut=on_cut)
        self.register([CUT, RESUME], self.video)

    def register(self, kinds: Iterable[str], handler: ActionHandler) -> None:
        for kind in kinds:
            self._handlers[kind] = handler

    def kinds(self) -> list[str]:
        """The kinds this runner has a handler for."""
        return sorted(self._handlers)

    async def attempt(self, action_id: int) -> ActionRecord | None:
        """One attempt of a pending action under its lease (the worker and the in-process runner); None when
        another runner holds it or it is no longer pending (nothing was run here)."""
        skipped: list[bool] = []
        rec = await self._shielded(self._execute(action_id, skipped=skipped))
        return None if skipped else rec

    def handler(self, kind: str) -> ActionHandler:
        try:
            return self._handlers[kind]
        except KeyError:
            raise InvalidInput("action", f"no handler for actions of kind {kind!r} in this console") from None

    @property
    def operator(self) -> Any:
        return self._audit.operator

    # --- public actions ----------------------------------------------------------------

    def set_providers(self, providers: dict[str, VideoProvider], *,
                      on_cut: Callable[[str], Any] | None = None) -> None:
        self.video.set_providers(providers, on_cut=on_cut)

    async def submit(self, kind: str, target: str, payload: dict[str, Any], *, reason: str, key: str | None = None,
                     evidence: dict[str, Any] | None = None,
                     side_evidence: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]] | None = None,
                     ) -> ActionRecord:
        """Check the role, write the intent (``pending``, idempotency ``key``), run the first attempt.

        The same ``key`` again returns the recorded action (never a second one). ``side_evidence(payload)``:
        started once the intent is written, beside the provider call (e.g. the latest screenshot); its
        result joins the evidence when the action is done.
        """
        handler = self.handler(kind)
        await self._audit.require(handler.permission, target)
        payload = {**payload, "reason": _check_reason(reason),
                   "evidence": {**(payload.get("evidence") or {}), **(evidence or {})}}
        prepare = getattr(handler, "prepare", None)
        if prepare is not None:
            payload = await prepare(kind, payload)
        return await self._submit(kind, target, payload, key, side=side_evidence)

    async def cut_stream(self, room_id: RoomId, reason: str, duration: timedelta | None, *,
                         evidence: dict[str, Any] | None = None, key: str | None = None,
                         provider: str | None = None, stream: str | None = None) -> ActionRecord:
        """Cut a room's stream now, keeping it off for ``duration`` (None: until resumed).

        ``stream``: the stream the caller sees live for the room (the room monitor knows it); it is checked
        against the room in the transaction that writes the intent.
        """
        target = f"room:{room_id}"
        await self._audit.require(Permission.CUT_STREAM, target)
        until = self._clock() + duration if duration is not None else None
        name, video = self.video.provider(provider)
        payload = {"provider": name, "until": until.isoformat() if until else None, "room_id": int(room_id),
                   "stream": stream}
        return await self.submit(CUT, target, payload, reason=reason, key=key, evidence=evidence,
                                 side_evidence=lambda p: self.video.latest_shot(video, p["stream"]))

    async def resume_stream(self, room_id: RoomId, reason: str, *, key: str | None = None,
                            provider: str | None = None) -> ActionRecord:
        target = f"room:{room_id}"
        await self._audit.require(Permission.CUT_STREAM, target)
        name, _video = self.video.provider(provider)
        return await self.submit(RESUME, target, {"provider": name, "room_id": int(room_id), "stream": None},
                                 reason=reason, key=key)

    async def retry(self, action_id: int) -> ActionRecord:
        """Run a pending or failed action again with its original idempotency key."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id == action_id))).first()
        if row is None:
            raise NotFound(f"No action {action_id}")
        await self._audit.require(self.handler(row.kind).permission, row.target)
        if row.state in (ActionStatus.DONE, ActionStatus.REFUSED):
            return _record(row)
        async with self._engine.begin() as conn:
            await conn.execute(t.action_outbox.update().where(
                t.action_outbox.c.id == action_id, t.action_outbox.c.state == "failed",
            ).values(state="pending", updated_at=self._clock()))
        return await self._shielded(self._execute(action_id))

    async def queue(self, *, include_done: bool = False, limit: int = 500,
                    kinds: Iterable[str] | None = None) -> list[ActionRecord]:
        """Pending and failed actions (the action queue view), newest first."""
        q = sa.select(t.action_outbox).order_by(t.action_outbox.c.id.desc()).limit(limit)
        if not include_done:
            q = q.where(t.action_outbox.c.state != "done")
        if kinds is not None:
            q = q.where(t.action_outbox.c.kind.in_(list(kinds)))
        async with self._engine.connect() as conn:
            return [_record(r) for r in (await conn.execute(q)).all()]

    async def get(self, action_id: int) -> ActionRecord:
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id == action_id))).first()
        if row is None:
            raise NotFound(f"No action {action_id}")
        return _record(row)

    async def get_by_key(self, key: str) -> ActionRecord | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(t.action_outbox).where(
                t.action_outbox.c.idempotency_key == key))).first()
        return _record(row) if row is not None else None

    async def recover(self, kinds: Iterable[str] | None = None) -> list[ActionRecord]:
        """Complete every pending action (after a crash or a network failure), each exactly once.
        Actions of a kind this console has no handler for stay pending (and visible)."""
        q = sa.select(t.action_outbox.c.id, t.action_outbox.c.kind).where(
            t.action_outbox.c.state == "pending").order_by(t.action_outbox.c.id)
        if kinds is not None:
            q = q.where(t.action_outbox.c.kind.in_(list(kinds)))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        out = []
        op = self._audit.operator
        for action_id, kind in rows:
            if kind not in self._handlers:
                log.warning("action %s (%s) stays pending: no handler in this console", action_id, kind)
                continue
            if not op.can(self._handlers[kind].permission):
                continue  # another role's action: its own consoles complete it
            try:
                out.append(await self._shielded(self._execute(action_id)))
            except ConsoleError as e:  # e.g. its provider is not configured here: stays pending, visible
                log.warning("action %s stays pending: %s", action_id, e)
        return out

    async def drain(self) -> None:
        """Wait for provider calls in flight (at close)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    # --- the way an action travels ----------------------------------------------------

    async def _submit(self, kind: str, target: str, payload: dict[str, Any], key: str | None, *,
                      side: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]] | None = None) -> ActionRecord:
        """Write the intent (one transaction), then run the first attempt at once."""
        key = key or uuid.uuid4().hex
        now = self._clock()
        op = self._audit.operator
        handler = self._handlers[kind]
        bind = getattr(handler, "bind", None)
        row = None
        if self._engine.dialect.name == "postgresql":
            row = await self._pg_intent(handler, kind, target, payload, key, now)
        if row is None:
            async with self._engine.begin() as conn:
                if bind is not None:
                    payload = await bind(conn, kind, payload)
                ins = _insert_ignore(conn, t.action_outbox).values(
                    idempotency_key=key, kind=kind, target=target, payload=payload, requested_by=op.username,
                    role=str(op.role), state="pending", attempts=1, created_at=now, updated_at=now,
                    claimed_by=self.runner, claimed_until=now + timedelta(seconds=self.lease_s),
                ).returning(*t.action_outbox.c)
                row = (await conn.execute(ins)).first()
                if row is None:  # the same request again: never a second action
                    existing = (await conn.execute(sa.select(t.action_outbox).where(
                        t.action_outbox.c.idempotency_key == key))).one()
                    return _record(existing)
                await publish(conn, "actions", str(row.id))
        side_f = asyncio.ensure_future(side(dict(row.payload))) if side is not None else None
        return await self._shielded(self._execute(row.id, first=row, side=side_f))

    async def _pg_intent(self, handler: ActionHandler, kind: str, target: str, payload: dict[str, Any], key: str,
                         now: datetime) -> Any:
        """PostgreSQL: the intent, its event and the NOTIFY in one autocommitted statement (one round trip
        instead of five: the moderator waits for this before the provider call). A handler with a ``bind``
        hook takes part only with a ``guard`` (the SQL condition its bind would check); when the statement
        inserts nothing (the key exists, or the guard fails) the caller's transaction finds out which."""
        guard = getattr(handler, "guard", None)
        cond: tuple[str, dict[str, Any]] | None = None
        if guard is not None:
            cond = guard(kind, payload)
            if cond is None:
                return None
        elif getattr(handler, "bind", None) is not None:
            return None
        op = self._audit.operator
        params = {"key": key, "kind": kind, "target": target, "payload": payload, "by": op.username,
                  "role": str(op.role), "now": now, "channel": t.EVENT_CHANNEL, "runner": self.runner,
                  "until": now + timedelta(seconds=self.lease_s), **(cond[1] if cond else {})}
        stmt = sa.text(_PG_INTENT.format(guard=f"WHERE {cond[0]}" if cond else "")).bindparams(
            sa.bindparam("payload", type_=t.action_outbox.c.payload.type),
            sa.bindparam("now", type_=t.action_outbox.c.created_at.type),
            sa.bindparam("until", type_=t.action_outbox.c.claimed_until.type),
        ).columns(*t.action_outbox.c)
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            return (await conn.execute(stmt, params)).first()

    async def _shielded(self, coro: Any) -> ActionRecord:
        """Run in our own task: a cancelled caller stops waiting, the action goes on."""
        task = asyncio.ensure_future(coro)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    async def _execute(self, action_id: int, *, first: Any = None,
                       side: asyncio.Future[dict[str, Any]] | None = None,
                       skipped: list[bool] | None = None) -> ActionRecord:
        """One attempt. ``first``: the row just written (its attempt is already counted). ``skipped`` gets a
        True when nothing was run (not pending, or another runner holds it)."""
        row = first
        if row is None:
            async with self._engine.begin() as conn:
                row = (await conn.execute(sa.select(t.action_outbox).where(
                    t.action_outbox.c.id == action_id))).first()
                if row is None:
                    raise NotFound(f"No action {action_id}")
                if row.state != "pending":
                    if skipped is not None:
                        skipped.append(True)
                    return _record(row)
                refusal = await self._requester_refusal(conn, row)
                if refusal:
                    return await self._refuse(conn, row, refusal)
                claimed = await self._claim(conn, action_id)
                if claimed is None:  # another runner holds it now: its attempt, not ours
                    if skipped is not None:
                        skipped.append(True)
                    return _record(row)
                row = claimed
        p: dict[str, Any] = dict(row.payload)
        handler = self.handler(row.kind)
        renew = asyncio.ensure_future(self._renew(action_id))
        try:
            result = await handler.perform(row.kind, p, row.idempotency_key)
        except ProviderError as e:
            if side is not None:
                side.cancel()
            return await self._record_failure(action_id, row, e)
        except ConsoleError as e:  # e.g. its provider is not configured here: stays pending for a runner that has it
            if side is not None:
                side.cancel()
            await self._record_failure(action_id, row, e)
            raise
        except Exception as e:  # noqa: BLE001 - anything else (a payload that no longer parses): failed, audited
            if side is not None:
                side.cancel()
            return await self._record_failure(action_id, row, e)
        finally:
            renew.cancel()
        if result:
            p.update(result)
        if side is not None:
            try:
                p["evidence"] = {**(p.get("evidence") or {}), **await side}
            except Exception as e:  # noqa: BLE001 - evidence is best effort; the action is done
                p["evidence"] = {**(p.get("evidence") or {}), "side_evidence_error": str(e)[:200]}
        return await self._complete(action_id, row, p, handler)

    async def _complete(self, action_id: int, row: Any, p: dict[str, Any], handler: ActionHandler) -> ActionRecord:
        now = self._clock()
        async with self._engine.begin() as conn:
            res = await conn.execute(t.action_outbox.update().where(
                t.action_outbox.c.id == action_id, t.action_outbox.c.state == "pending",
            ).values(state="done", last_error=None, updated_at=now, payload=p, claimed_by=None, claimed_until=None,
                     next_try_at=None))
            if res.rowcount == 1:  # we completed it; a concurrent retry finds it done and does nothing
                before, after = await handler.apply(conn, row.kind, p, now, row.requested_by)
                await self._audit.record(row.kind, row.target, reason=p.get("reason", ""), before=before,
                                         after=after, evidence={**(p.get("evidence") or {}), "action_id": row.id,
                                                                "idempotency_key": row.idempotency_key},
                                         conn=conn)
                await publish(conn, "actions", str(row.id))
            fresh = (await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id == action_id))).one()
        after_hook = getattr(handler, "after", None)
        if after_hook is not None and res.rowcount == 1:
            try:
                await after_hook(row.kind, p)
            except ConsoleError as e:
                log.warning("after %s %s: %s", row.kind, row.target, e)
        return _record(fresh)

    async def _requester_refusal(self, conn: AsyncConnection, row: Any) -> str:
        """Why the row must not run now ("" if it may): its requester's *current* role must still run its kind
        (the database checks the same on PostgreSQL, so a planted row never reaches a provider)."""
        requester = (await conn.execute(sa.select(t.operators.c.role, t.operators.c.active).where(
            t.operators.c.username == row.requested_by))).first()
        needed = ACTION_PERMISSIONS.get(row.kind) or self.handler(row.kind).permission
        if requester is None and row.kind in WORKER_REQUESTED_KINDS and conn.dialect.name == "postgresql" and (
                await conn.execute(sa.text(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = :n "
                    "AND pg_has_role(r.oid, 'shihou_worker', 'MEMBER'))"),
                                   {"n": row.requested_by})).scalar():
            return ""  # a worker's own revert or lift (console/db/worker_ddl.py)
        if requester is None:
            return f"requested by {row.requested_by!r}, who is not an operator"
        if not requester.active:
            return f"requested by {row.requested_by}, who is disabled"
        if needed not in ROLE_PERMISSIONS[Role(requester.role)]:
            return f"requested by {row.requested_by} ({requester.role}), whose role may not {needed}"
        return ""

    async def _refuse(self, conn: AsyncConnection, row: Any, why: str) -> ActionRecord:
        """Mark the row refused (never sent) and audit it, in the caller's transaction."""
        log.warning("action %s %s %s refused: %s", row.id, row.kind, row.target, why)
        await conn.execute(t.action_outbox.update().where(
            t.action_outbox.c.id == row.id, t.action_outbox.c.state == "pending",
        ).values(state="refused", last_error=why[:2000], updated_at=self._clock()))
        await self._audit.record(row.kind, row.target, reason=why, outcome="refused", conn=conn,
                                 evidence={"action_id": row.id, "requested_by": row.requested_by})
        await publish(conn, "actions", str(row.id))
        return _record((await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id == row.id))).one())

    async def _claim(self, conn: AsyncConnection, action_id: int) -> Any:
        """Take the row's lease and count the attempt in one guarded UPDATE; None when another runner holds it
        (or it is no longer pending)."""
        now = self._clock()
        c = t.action_outbox.c
        free = sa.or_(c.claimed_until.is_(None), c.claimed_until < now)
        holder = (await conn.execute(sa.select(c.claimed_by, c.claimed_until).where(c.id == action_id))).first()
        if holder is not None and holder.claimed_by and _holder_dead(holder.claimed_by):
            free = sa.or_(free, c.claimed_by == holder.claimed_by)  # killed on this machine: no need to wait
        return (await conn.execute(t.action_outbox.update().where(
            c.id == action_id, c.state == "pending", free,
        ).values(attempts=c.attempts + 1, updated_at=now, claimed_by=self.runner,
                 claimed_until=now + timedelta(seconds=self.lease_s)).returning(*t.action_outbox.c))).first()

    async def _renew(self, action_id: int) -> None:
        """Keep the lease while a (long) provider call runs."""
        c = t.action_outbox.c
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                async with self._engine.begin() as conn:
                    await conn.execute(t.action_outbox.update().where(
                        c.id == action_id, c.claimed_by == self.runner, c.state == "pending",
                    ).values(claimed_until=self._clock() + timedelta(seconds=self.lease_s)))
            except Exception as e:  # noqa: BLE001 - the lease lapses; the provider call goes on
                log.warning("action %s: lease not renewed: %s", action_id, e)

    async def _record_failure(self, action_id: int, row: Any, e: Exception) -> ActionRecord:
        retryable = isinstance(e, ConsoleError) and not isinstance(e, ProviderError) or \
            isinstance(e, ProviderError) and e.retryable
        why = str(e) if isinstance(e, ConsoleError) else f"{type(e).__name__}: {e}"
        if retryable and row.attempts >= self.max_attempts:
            retryable, why = False, f"giving up after {row.attempts} attempts: {why}"
        state = "pending" if retryable else "failed"
        now = self._clock()
        log.warning("action %s %s %s: %s", action_id, row.kind, row.target, why)
        async with self._engine.begin() as conn:
            await conn.execute(t.action_outbox.update().where(
                t.action_outbox.c.id == action_id, t.action_outbox.c.state == "pending",
            ).values(state=state, last_error=why[:2000], updated_at=now, claimed_by=None, claimed_until=None,
                     next_try_at=now + timedelta(seconds=self._backoff(row.attempts)) if retryable else None))
            if state == "failed":
                await self._audit.record(row.kind, row.target, reason=row.payload.get("reason", ""),
                                         evidence={"action_id": action_id, "error": why[:2000]}, outcome="failed",
                                         conn=conn)
            await publish(conn, "actions", str(action_id))
            fresh = (await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id == action_id))).one()
        return _record(fresh)


class VideoActions:
    """Cuts and resumes of live streams (an :class:`ActionHandler`)."""

    permission = Permission.CUT_STREAM

    def __init__(self, engine: AsyncEngine, video: VideoProvider | dict[str, VideoProvider], *,
                 on_cut: Callable[[str], Any] | None = None) -> None:
        self._engine = engine
        self._providers: dict[str, VideoProvider] = {}
        self._default = ""
        self._on_cut: Callable[[str], Any] | None = None
        self.set_providers(dict(video) if isinstance(video, dict) else {video.name: video}, on_cut=on_cut)

    def set_providers(self, providers: dict[str, VideoProvider], *,
                      on_cut: Callable[[str], Any] | None = None) -> None:
        self._providers = dict(providers)
        self._default = next(iter(self._providers), "")
        self._on_cut = on_cut  # e.g. purge the room's playlist URLs on the CDN

    def providers(self) -> dict[str, VideoProvider]:
        return dict(self._providers)

    def provider(self, name: str | None) -> tuple[str, VideoProvider]:
        name = name or self._default
        try:
            return name, self._providers[name]
        except KeyError:
            raise InvalidInput("provider", f"no video provider named {name!r}") from None

    async def bind(self, conn: AsyncConnection, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The room's stream, from the database, in the transaction that writes the intent."""
        room_id = int(payload["room_id"])
        stream = (await conn.execute(sa.select(t.rooms.c.stream_name).where(t.rooms.c.id == room_id))).scalar()
        if stream is None:
            raise NotFound(f"No room with id {room_id}")
        if payload.get("stream") not in (None, stream):
            raise InvalidInput("stream", f"room {room_id} publishes {stream!r}, not {payload['stream']!r}")
        return {**payload, "stream": str(stream)}

    @staticmethod
    def guard(kind: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """What :meth:`bind` checks, as SQL for the one-statement intent (when the caller named the stream)."""
        if not payload.get("stream"):
            return None
        return ("EXISTS (SELECT 1 FROM rooms WHERE rooms.id = :g_room AND rooms.stream_name = :g_stream)",
                {"g_room": int(payload["room_id"]), "g_stream": str(payload["stream"])})

    @staticmethod
    async def latest_shot(video: VideoProvider, stream: str) -> dict[str, Any]:
        """The latest screenshot, for the evidence: fetched beside the provider call, never holding it up."""
        try:
            found = await asyncio.wait_for(video.screenshots(stream, limit=1), 1.0)
        except (ConsoleError, TimeoutError) as e:
            return {"screenshot_error": str(e)[:200] or type(e).__name__}
        if not found:
            return {}
        return {"screenshot": {"url": found[0].url, "taken_at": found[0].taken_at.isoformat()}}

    async def perform(self, kind: str, payload: dict[str, Any], key: str) -> dict[str, Any] | None:
        _, video = self.provider(payload.get("provider"))
        if kind == CUT:
            until = datetime.fromisoformat(payload["until"]) if payload.get("until") else None
            await video.forbid(payload["stream"], until=until)
        elif kind == RESUME:
            await video.resume(payload["stream"])
        else:
            raise InvalidInput("action", f"unknown kind {kind}")
        return None

    async def after(self, kind: str, payload: dict[str, Any]) -> None:
        if kind != CUT:
            return
        # An encoder that reconnected between the drop and the commit got past the publish
        # check; now that the database says "cut", a second (idempotent) drop closes the gap.
        try:
            until = datetime.fromisoformat(payload["until"]) if payload.get("until") else None
            await self.provider(payload.get("provider"))[1].forbid(payload["stream"], until=until)
        except ProviderError as e:
            log.warning("second drop of %s after the cut: %s", payload["stream"], e)
        if self._on_cut is not None:
            try:
                await self._on_cut(payload["stream"])
            except ProviderError as e:
                log.warning("after cut of %s: %s", payload["stream"], e)

    async def apply(self, conn: AsyncConnection, kind: str, p: dict[str, Any], now: datetime,
                    actor: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        room_id = int(p["room_id"])
        room = (await conn.execute(sa.select(t.rooms.c.state, t.rooms.c.owner_id).where(
            t.rooms.c.id == room_id))).first()
        before = {"state": room.state} if room else None
        if kind == CUT:
            until = datetime.fromisoformat(p["until"]) if p.get("until") else None
            await conn.execute(t.rooms.update().where(t.rooms.c.id == room_id).values(state="cut", updated_at=now))
            await conn.execute(t.sanctions.insert().values(
                user_id=room.owner_id if room else None, room_id=room_id, kind="cut", scope="room",
                reason=p["reason"], issued_by=actor, starts_at=now, ends_at=until))
            after = {"state": "cut", "until": p.get("until")}
        else:
            await conn.execute(t.rooms.update().where(t.rooms.c.id == room_id).values(state="offline", updated_at=now))
            await conn.execute(t.sanctions.update().where(
                t.sanctions.c.room_id == room_id, t.sanctions.c.kind == "cut", t.sanctions.c.lifted_at.is_(None),
            ).values(lifted_by=actor, lifted_at=now))
            after = {"state": "offline"}
        await publish(conn, "rooms", str(room_id))
        return before, after


_PG_INTENT = (
    "WITH ins AS (INSERT INTO action_outbox (idempotency_key, kind, target, payload, requested_by, role, state, "
    "attempts, created_at, updated_at, claimed_by, claimed_until) "
    "SELECT :key, :kind, :target, :payload, :by, :role, 'pending', 1, :now, :now, :runner, :until "
    "{guard} ON CONFLICT DO NOTHING RETURNING *), "
    "ev AS (INSERT INTO events (at, topic, ref) SELECT :now, 'actions', ins.id::text FROM ins RETURNING ref), "
    "n AS (SELECT pg_notify(:channel, 'actions:' || ev.ref) FROM ev) "
    "SELECT ins.* FROM ins WHERE (SELECT count(*) FROM n) >= 0"
)


def _insert_ignore(conn: AsyncConnection, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on either dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert(table).on_conflict_do_nothing()


_HOST = socket.gethostname()[:40]


def _holder_dead(claimed_by: str) -> bool:
    """A lease held by a process of this machine that no longer runs (``name@host:pid#id``)."""
    try:
        host, rest = claimed_by.rsplit("@", 1)[1].split(":", 1)
        pid = int(rest.split("#", 1)[0])
    except (IndexError, ValueError):
        return False
    if host != _HOST or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "a reason is required")
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"too long: at most {MAX_REASON} characters")
    return reason


def _record(r: Any) -> ActionRecord:
    return ActionRecord(id=r.id, key=r.idempotency_key, kind=r.kind, target=r.target, state=ActionStatus(r.state),
                        attempts=r.attempts, last_error=r.last_error, requested_by=r.requested_by,
                        created_at=r.created_at, updated_at=r.updated_at, payload=dict(r.payload),
                        next_try_at=r.next_try_at, claimed_by=r.claimed_by)
