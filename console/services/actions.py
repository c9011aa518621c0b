"""Every moderation action: role check, durable intent, provider call, outcome, event.

The way an action travels (architecture.md): the role is checked; an outbox row
(``pending``, with an idempotency key) is committed before the provider is called; the
provider call runs in the service's own task scope, so closing a pane or pressing Esc does
not cancel it halfway; the outcome (``done`` with the room's new state, the sanction and the
audit row, in one transaction; or ``failed`` with the provider's error) is recorded exactly
once: the transition ``pending -> done`` is a guarded UPDATE, so a retry after a crash
re-sends the idempotent provider call but never repeats the database effects.

A retryable failure (network, 5xx, 429) leaves the row ``pending`` for :meth:`recover`
(called at start and from the action queue); a rejection marks it ``failed``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.db import tables as t
from console.domain import ActionRecord, ActionStatus, Permission, RoomId
from console.errors import ConsoleError, InvalidInput, NotFound, ProviderError
from console.services.audit import AuditService
from console.services.events import publish
from console.services.video.base import VideoProvider

log = logging.getLogger(__name__)

CUT, RESUME = "stream_cut", "stream_resume"
MAX_REASON = 500


def _now() -> datetime:
    return datetime.now(UTC)


class ActionService:
    """Usage: ``rec = await actions.cut_stream(room_id, "涉政敏感", timedelta(hours=1))``."""

    def __init__(self, engine: AsyncEngine, audit: AuditService, video: VideoProvider | dict[str, VideoProvider], *,
                 on_cut: Callable[[str], Any] | None = None, clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._audit = audit
        self._providers = dict(video) if isinstance(video, dict) else {video.name: video}
        self._default = next(iter(self._providers), "")
        self._on_cut = on_cut  # e.g. purge the room's playlist URLs on the CDN
        self._clock = clock
        self._running: set[asyncio.Task[Any]] = set()

    # --- public actions ----------------------------------------------------------------

    def set_providers(self, providers: dict[str, VideoProvider], *,
                      on_cut: Callable[[str], Any] | None = None) -> None:
        self._providers = dict(providers)
        self._default = next(iter(self._providers), "")
        self._on_cut = on_cut

    def _video(self, name: str | None) -> VideoProvider:
        try:
            return self._providers[name or self._default]
        except KeyError:
            raise InvalidInput("provider", f"no video provider named {name!r}") from None

    async def cut_stream(self, room_id: RoomId, reason: str, duration: timedelta | None, *,
                         evidence: dict[str, Any] | None = None, key: str | None = None,
                         provider: str | None = None) -> ActionRecord:
        """Cut a room's stream now, keeping it off for ``duration`` (None: until resumed)."""
        target = f"room:{room_id}"
        await self._audit.require(Permission.CUT_STREAM, target)
        reason = _check_reason(reason)
        until = self._clock() + duration if duration is not None else None
        video = self._video(provider)
        payload = {"reason": reason, "provider": provider or self._default,
                   "until": until.isoformat() if until else None, "evidence": dict(evidence or {})}
        return await self._submit(CUT, target, room_id, payload, key, shots_from=video)

    async def resume_stream(self, room_id: RoomId, reason: str, *, key: str | None = None,
                            provider: str | None = None) -> ActionRecord:
        target = f"room:{room_id}"
        await self._audit.require(Permission.CUT_STREAM, target)
        reason = _check_reason(reason)
        self._video(provider)
        return await self._submit(RESUME, target, room_id, {"reason": reason, "provider": provider or self._default},
                                  key)

    async def retry(self, action_id: int) -> ActionRecord:
        """Run a pending or failed action again with its original idempotency key."""
        await self._audit.require(Permission.CUT_STREAM, f"action:{action_id}")
        async with self._engine.begin() as conn:
            row = (await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id == action_id))).first()
            if row is None:
                raise NotFound(f"No action {action_id}")
            if row.state == ActionStatus.DONE:
                return _record(row)
            await conn.execute(t.action_outbox.update().where(t.action_outbox.c.id == action_id)
                               .values(state="pending", updated_at=self._clock()))
        return await self._shielded(self._execute(action_id))

    async def queue(self, *, include_done: bool = False, limit: int = 500) -> list[ActionRecord]:
        """Pending and failed actions (the action queue view), newest first."""
        q = sa.select(t.action_outbox).order_by(t.action_outbox.c.id.desc()).limit(limit)
        if not include_done:
            q = q.where(t.action_outbox.c.state != "done")
        async with self._engine.connect() as conn:
            return [_record(r) for r in (await conn.execute(q)).all()]

    async def get(self, action_id: int) -> ActionRecord:
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id == action_id))).first()
        if row is None:
            raise NotFound(f"No action {action_id}")
        return _record(row)

    async def recover(self) -> list[ActionRecord]:
        """Complete every pending action (after a crash or a network failure), each exactly once."""
        async with self._engine.connect() as conn:
            ids = list((await conn.execute(sa.select(t.action_outbox.c.id).where(
                t.action_outbox.c.state == "pending").order_by(t.action_outbox.c.id))).scalars())
        out = []
        for action_id in ids:
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

    async def _submit(self, kind: str, target: str, room_id: RoomId, payload: dict[str, Any], key: str | None, *,
                      shots_from: VideoProvider | None = None) -> ActionRecord:
        """Write the intent (one transaction), then run the first attempt at once."""
        key = key or uuid.uuid4().hex
        now = self._clock()
        op = self._audit.operator
        async with self._engine.begin() as conn:
            existing = (await conn.execute(sa.select(t.action_outbox).where(
                t.action_outbox.c.idempotency_key == key))).first()
            if existing is not None:  # the same request again: never a second action
                return _record(existing)
            stream = (await conn.execute(sa.select(t.rooms.c.stream_name).where(t.rooms.c.id == room_id))).scalar()
            if stream is None:
                raise NotFound(f"No room with id {room_id}")
            payload = {**payload, "room_id": int(room_id), "stream": stream}
            row = (await conn.execute(t.action_outbox.insert().values(
                idempotency_key=key, kind=kind, target=target, payload=payload, requested_by=op.username,
                role=str(op.role), state="pending", attempts=1, created_at=now, updated_at=now,
            ).returning(*t.action_outbox.c))).one()
            await publish(conn, "actions", str(row.id))
        # the latest screenshot, for the evidence: fetched beside the provider call, never holding it up
        shots = asyncio.ensure_future(self._latest_shot(shots_from, stream)) if shots_from is not None else None
        return await self._shielded(self._execute(row.id, first=row, shots=shots))

    @staticmethod
    async def _latest_shot(video: VideoProvider, stream: str) -> dict[str, Any]:
        try:
            found = await asyncio.wait_for(video.screenshots(stream, limit=1), 1.0)
        except (ConsoleError, TimeoutError) as e:
            return {"screenshot_error": str(e)[:200] or type(e).__name__}
        if not found:
            return {}
        return {"screenshot": {"url": found[0].url, "taken_at": found[0].taken_at.isoformat()}}

    async def _shielded(self, coro: Any) -> ActionRecord:
        """Run in our own task: a cancelled caller stops waiting, the action goes on."""
        task = asyncio.ensure_future(coro)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    async def _execute(self, action_id: int, *, first: Any = None,
                       shots: asyncio.Future[dict[str, Any]] | None = None) -> ActionRecord:
        """One attempt. ``first``: the row just written (its attempt is already counted)."""
        row = first
        if row is None:
            async with self._engine.begin() as conn:
                row = (await conn.execute(sa.select(t.action_outbox).where(
                    t.action_outbox.c.id == action_id))).first()
                if row is None:
                    raise NotFound(f"No action {action_id}")
                if row.state != "pending":
                    return _record(row)
                await conn.execute(t.action_outbox.update().where(t.action_outbox.c.id == action_id)
                                   .values(attempts=t.action_outbox.c.attempts + 1, updated_at=self._clock()))
        p: dict[str, Any] = dict(row.payload)
        try:
            if row.kind == CUT:
                until = datetime.fromisoformat(p["until"]) if p.get("until") else None
                await self._video(p.get("provider")).forbid(p["stream"], until=until)
            elif row.kind == RESUME:
                await self._video(p.get("provider")).resume(p["stream"])
            else:
                raise InvalidInput("action", f"unknown kind {row.kind}")
        except ProviderError as e:
            if shots is not None:
                shots.cancel()
            return await self._record_failure(action_id, row, e)
        if shots is not None:
            p["evidence"] = {**(p.get("evidence") or {}), **await shots}
        return await self._complete(action_id, row, p)

    async def _complete(self, action_id: int, row: Any, p: dict[str, Any]) -> ActionRecord:
        now = self._clock()
        async with self._engine.begin() as conn:
            res = await conn.execute(t.action_outbox.update().where(
                t.action_outbox.c.id == action_id, t.action_outbox.c.state == "pending",
            ).values(state="done", last_error=None, updated_at=now))
            if res.rowcount == 1:  # we completed it; a concurrent retry finds it done and does nothing
                await self._apply_effects(conn, row, p, now)
            fresh = (await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id == action_id))).one()
        if row.kind == CUT:
            # An encoder that reconnected between the drop and the commit got past the publish
            # check; now that the database says "cut", a second (idempotent) drop closes the gap.
            try:
                until = datetime.fromisoformat(p["until"]) if p.get("until") else None
                await self._video(p.get("provider")).forbid(p["stream"], until=until)
            except ProviderError as e:
                log.warning("second drop of %s after the cut: %s", p["stream"], e)
            if self._on_cut is not None:
                try:
                    await self._on_cut(p["stream"])
                except ProviderError as e:
                    log.warning("after cut of %s: %s", p["stream"], e)
        return _record(fresh)

    async def _apply_effects(self, conn: AsyncConnection, row: Any, p: dict[str, Any], now: datetime) -> None:
        room_id = int(p["room_id"])
        room = (await conn.execute(sa.select(t.rooms.c.state, t.rooms.c.owner_id).where(
            t.rooms.c.id == room_id))).first()
        before = {"state": room.state} if room else None
        if row.kind == CUT:
            until = datetime.fromisoformat(p["until"]) if p.get("until") else None
            await conn.execute(t.rooms.update().where(t.rooms.c.id == room_id).values(state="cut", updated_at=now))
            await conn.execute(t.sanctions.insert().values(
                user_id=room.owner_id if room else None, room_id=room_id, kind="cut", scope="room",
                reason=p["reason"], issued_by=row.requested_by, starts_at=now, ends_at=until))
            after = {"state": "cut", "until": p.get("until")}
        else:
            await conn.execute(t.rooms.update().where(t.rooms.c.id == room_id).values(state="offline", updated_at=now))
            await conn.execute(t.sanctions.update().where(
                t.sanctions.c.room_id == room_id, t.sanctions.c.kind == "cut", t.sanctions.c.lifted_at.is_(None),
            ).values(lifted_by=row.requested_by, lifted_at=now))
            after = {"state": "offline"}
        await self._audit.record(row.kind, row.target, reason=p["reason"], before=before, after=after,
                                 evidence={**(p.get("evidence") or {}), "action_id": row.id,
                                           "idempotency_key": row.idempotency_key}, conn=conn)
        await publish(conn, "rooms", str(room_id))
        await publish(conn, "actions", str(row.id))

    async def _record_failure(self, action_id: int, row: Any, e: ProviderError) -> ActionRecord:
        state = "pending" if e.retryable else "failed"
        log.warning("action %s %s %s: %s", action_id, row.kind, row.target, e)
        async with self._engine.begin() as conn:
            await conn.execute(t.action_outbox.update().where(
                t.action_outbox.c.id == action_id, t.action_outbox.c.state == "pending",
            ).values(state=state, last_error=str(e)[:2000], updated_at=self._clock()))
            if state == "failed":
                await self._audit.record(row.kind, row.target, reason=row.payload.get("reason", ""),
                                         evidence={"action_id": action_id, "error": str(e)}, outcome="failed",
                                         conn=conn)
            await publish(conn, "actions", str(action_id))
            fresh = (await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id == action_id))).one()
        return _record(fresh)


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
                        created_at=r.created_at, updated_at=r.updated_at, payload=dict(r.payload))
