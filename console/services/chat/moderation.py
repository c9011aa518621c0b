"""Chat moderation actions: every one through the action service (role, outbox, idempotency, audit).

Usage (a pane)::

    mod = ChatModeration(actions, feed)
    rec = await mod.punish(line, step, reason="刷屏")   # a ladder rung on one line (recall / gag / block)
    res = await mod.gag(room_key, senders, minutes=10, reason="刷屏", evidence=lines)   # BulkResult
    await mod.undo(rec)                               # the reverse action (un-gag, unblock, unmute, ...)

The provider side is :class:`ChatActionHandler`, registered by ``build_services``::

    actions.register(CHAT_KINDS, ChatActionHandler(engine, rongcloud))

Bulk actions (many senders, many rooms) write one outbox row per user (or room) with a shared ``batch``
id in the payload, so a provider error in the middle shows which users were done; the rows not done
are retried once (:class:`BulkResult` tells which are done, pending or failed).

Database effects (``apply``, exactly once, in the transaction that marks the row done): gags and blocks
become ``sanctions`` rows (kind ``gag``/``block``/``ban``, scope ``room``/``global``/``app``; the
platform user and room when the ids are theirs, so the user card shows them) with their RongCloud
target in ``chat_sanction_targets``; un-gag/unblock lift them; recalls go to ``chat_recalls``; mutes
and whitelists to ``chat_rooms``/``chat_whitelist``; words to ``chat_words``; lockdowns to
``chat_lockdowns``. Each publishes ``chat_moderation`` (ref: the room key) or ``chat_rules`` events; a
recall also publishes ``chat_recall`` (ref: the msgUID) so every console marks that line recalled.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.db import tables as t
from console.db import tables_chat as tc
from console.domain import ActionRecord, Permission
from console.errors import InvalidInput, ProviderRejected, ProviderUnavailable
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.chat.feed import (
    ChatLine,
    FloodGroup,
    LadderStep,
    LockdownPreset,
    SensitiveWord,
    check_word,
    preset_config,
)
from console.services.events import publish

__all__ = ["CHAT_KINDS", "BulkResult", "ChatActionHandler", "ChatModeration"]

log = logging.getLogger(__name__)

RECALL = "chat_recall"
GAG = "chat_gag"                  # room gag; payload minutes, session flag
UNGAG = "chat_ungag"
BLOCK = "chat_block"              # room block (kick + no re-entry)
UNBLOCK = "chat_unblock"
GLOBAL_GAG = "chat_global_gag"    # all rooms
GLOBAL_UNGAG = "chat_global_ungag"
APP_BLOCK = "chat_app_block"      # /user/block.json: no login
APP_UNBLOCK = "chat_app_unblock"
MUTE_ROOM = "chat_mute_room"
UNMUTE_ROOM = "chat_unmute_room"
WHITELIST_ADD = "chat_whitelist_add"
WHITELIST_REMOVE = "chat_whitelist_remove"
WORDS_ADD = "chat_words_add"
WORDS_DELETE = "chat_words_delete"
SYSTEM_MESSAGE = "chat_system_message"
LOCKDOWN = "chat_lockdown"
LOCKDOWN_REVERT = "chat_lockdown_revert"

CHAT_KINDS: tuple[str, ...] = (
    RECALL, GAG, UNGAG, BLOCK, UNBLOCK, GLOBAL_GAG, GLOBAL_UNGAG, APP_BLOCK, APP_UNBLOCK, MUTE_ROOM,
    UNMUTE_ROOM, WHITELIST_ADD, WHITELIST_REMOVE, WORDS_ADD, WORDS_DELETE, SYSTEM_MESSAGE, LOCKDOWN,
    LOCKDOWN_REVERT,
)

#: kind -> the kind that undoes it (recall and system messages cannot be undone)
REVERSE: dict[str, str] = {
    GAG: UNGAG, BLOCK: UNBLOCK, GLOBAL_GAG: GLOBAL_UNGAG, APP_BLOCK: APP_UNBLOCK, MUTE_ROOM: UNMUTE_ROOM,
    WHITELIST_ADD: WHITELIST_REMOVE, WORDS_ADD: WORDS_DELETE, LOCKDOWN: LOCKDOWN_REVERT,
}

MAX_MINUTES = 43200
EVIDENCE_LINES = 20
EVIDENCE_CHARS = 500
PROVIDER = "rongcloud"


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkResult:
    """The outcome of one bulk action: one outbox row per user, sharing ``batch``."""

    batch: str
    records: tuple[ActionRecord, ...]

    @property
    def done(self) -> tuple[ActionRecord, ...]:
        return tuple(r for r in self.records if r.state == "done")

    @property
    def not_done(self) -> tuple[ActionRecord, ...]:
        return tuple(r for r in self.records if r.state != "done")

    @property
    def ok(self) -> bool:
        return not self.not_done


def excerpt(lines: Sequence[ChatLine]) -> dict[str, Any]:
    """The chat excerpt stored as an action's evidence (the last 20 lines, 500 characters each)."""
    return {"chat": [{"id": x.id, "msg_uid": x.msg_uid, "room": x.room_key, "sender": x.sender,
                      "sent_ms": x.sent_ms, "text": x.text[:EVIDENCE_CHARS],
                      "flags": [f.label() for f in x.flags]} for x in list(lines)[-EVIDENCE_LINES:]]}


def _key(prefix: str | None, *parts: object) -> str | None:
    if prefix is None:
        return None
    return hashlib.sha1("|".join((prefix, *map(str, parts))).encode()).hexdigest()  # noqa: S324 - a key, not security


def _minutes(minutes: int | None, field: str = "minutes") -> int:
    if minutes is None or isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(field, f"a whole number of minutes from 1 to {MAX_MINUTES} (30 days)")
    return minutes


def _ids(values: Sequence[str], field: str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    out = list(dict.fromkeys(v for v in values if v))
    if not out:
        raise InvalidInput(field, "at least one id is required")
    for v in out:
        if len(v) > 64 or any(ord(c) < 0x20 for c in v):
            raise InvalidInput(field, f"{v[:70]!r} is not a RongCloud id")
    return out


# --- the provider side: perform + apply ----------------------------------------------------------

class ChatActionHandler:
    """The RongCloud calls (perform) and the database effects (apply) of every chat action kind.

    ``rc`` is a :class:`console.services.chat.rongcloud.RongCloud` (typed loosely: any object with the same
    methods); None until the provider is configured (the actions then stay pending, retryable).
    """

    permission = Permission.MODERATE_CHAT

    def __init__(self, rc: Any | None = None, *, system_sender: str = "__system__") -> None:
        self.rc = rc
        self.system_sender = system_sender

    def set_client(self, rc: Any | None) -> None:
        self.rc = rc

    async def perform(self, kind: str, payload: dict[str, Any], key: str) -> dict[str, Any] | None:
        rc = self.rc
        if rc is None:
            raise ProviderUnavailable(PROVIDER, "RongCloud is not configured in this console", code="not_configured")
        p = payload
        try:
            return await self._call(rc, kind, p)
        except InvalidInput as e:  # refused before sending: the row fails with the reason, never hangs
            raise ProviderRejected(PROVIDER, str(e), code="invalid_input") from None

    async def _call(self, rc: Any, kind: str, p: dict[str, Any]) -> dict[str, Any] | None:
        if kind == RECALL:
            await rc.recall(p["room_key"], from_user_id=p["sender"], message_uid=p["msg_uid"],
                            sent_time_ms=int(p["sent_ms"]))
        elif kind == GAG:
            await rc.gag(p["room_key"], [p["user"]], minutes=int(p["minutes"]))
        elif kind == UNGAG:
            await rc.ungag(p["room_key"], [p["user"]])
        elif kind == BLOCK:
            await rc.block(p["room_key"], [p["user"]], minutes=int(p["minutes"]))
        elif kind == UNBLOCK:
            await rc.unblock(p["room_key"], [p["user"]])
        elif kind == GLOBAL_GAG:
            await rc.gag_globally([p["user"]], minutes=int(p["minutes"]))
        elif kind == GLOBAL_UNGAG:
            await rc.ungag_globally([p["user"]])
        elif kind == APP_BLOCK:
            await rc.block_user([p["user"]], minutes=int(p["minutes"]))
        elif kind == APP_UNBLOCK:
            await rc.unblock_user([p["user"]])
        elif kind == MUTE_ROOM:
            await rc.mute_room(p["room_key"])
        elif kind == UNMUTE_ROOM:
            await rc.unmute_room(p["room_key"])
        elif kind == WHITELIST_ADD:
            await rc.whitelist_add(p["room_key"], p["users"])
        elif kind == WHITELIST_REMOVE:
            await rc.whitelist_remove(p["room_key"], p["users"])
        elif kind == WORDS_ADD:
            from console.services.chat.rongcloud import SensitiveWord as RcWord

            await rc.add_words([RcWord(w["word"], w.get("replace")) for w in p["words"]])
        elif kind == WORDS_DELETE:
            await rc.delete_words(p["words"])
        elif kind == SYSTEM_MESSAGE:
            await rc.publish([p["room_key"]], from_user_id=p.get("sender") or self.system_sender,
                             object_name=p["object_name"], content={"content": p["text"]})
        elif kind == LOCKDOWN:
            await self._lockdown(rc, p, revert=False)
        elif kind == LOCKDOWN_REVERT:
            await self._lockdown(rc, p, revert=True)
        else:
            raise InvalidInput("action", f"unknown chat action {kind!r}")
        return None

    @staticmethod
    async def _lockdown(rc: Any, p: dict[str, Any], *, revert: bool) -> None:
        """Every step is idempotent, so a retry after a partial run completes it."""
        preset = p["preset"]
        rooms: list[str] = p["room_keys"]
        words: list[str] = list(preset.get("words") or [])
        gagged: list[str] = list(p.get("gag_users") or [])
        if not revert:
            if words:
                from console.services.chat.rongcloud import SensitiveWord as RcWord

                await rc.add_words([RcWord(w, None) for w in words])
            for room in rooms:
                if preset.get("mute_rooms"):
                    await rc.mute_room(room)
                if gagged:
                    await rc.gag(room, gagged, minutes=int(p["minutes"]))
        else:
            for room in rooms:
                if preset.get("mute_rooms"):
                    await rc.unmute_room(room)
                if gagged:
                    await rc.ungag(room, gagged)
            if words:
                await rc.delete_words(words)

    # --- database effects ---

    async def apply(self, conn: AsyncConnection, kind: str, payload: dict[str, Any], now: datetime,
                    actor: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        p = payload
        room: str = p.get("room_key") or ""
        if kind == RECALL:
            await conn.execute(_insert_ignore(conn, tc.chat_recalls).values(
                msg_uid=p["msg_uid"], room_key=room, recalled_by=actor, recalled_at=now))
            await publish(conn, "chat_moderation", room)
            await publish(conn, "chat_recall", p["msg_uid"])   # every console shows the line as recalled
            return {"msg_uid": p["msg_uid"], "text": p.get("text", "")[:EVIDENCE_CHARS]}, {"recalled": True}
        if kind in (GAG, BLOCK, GLOBAL_GAG, APP_BLOCK):
            sk, scope = {GAG: ("gag", "room"), BLOCK: ("block", "room"), GLOBAL_GAG: ("gag", "global"),
                         APP_BLOCK: ("ban", "app")}[kind]
            ends = now + timedelta(minutes=int(p["minutes"]))
            await self._sanction(conn, p["user"], room if scope == "room" else None, sk, scope, p["reason"], actor,
                                 now, ends)
            await publish(conn, "chat_moderation", room)
            await publish(conn, "users", p["user"])
            return None, {"user": p["user"], "room": room, "kind": sk, "scope": scope, "until": ends.isoformat(),
                          "session": bool(p.get("session"))}
        if kind in (UNGAG, UNBLOCK, GLOBAL_UNGAG, APP_UNBLOCK):
            sk, scope = {UNGAG: ("gag", "room"), UNBLOCK: ("block", "room"), GLOBAL_UNGAG: ("gag", "global"),
                         APP_UNBLOCK: ("ban", "app")}[kind]
            lifted = await self._lift(conn, p["user"], room if scope == "room" else None, sk, scope, actor, now)
            await publish(conn, "chat_moderation", room)
            await publish(conn, "users", p["user"])
            return {"user": p["user"], "kind": sk, "scope": scope, "active": lifted}, {"lifted": lifted}
        if kind in (MUTE_ROOM, UNMUTE_ROOM):
            muted = kind == MUTE_ROOM
            before = await self._room_state(conn, room, now)
            await conn.execute(tc.chat_rooms.update().where(tc.chat_rooms.c.room_key == room).values(
                muted=muted, muted_by=actor if muted else None, muted_at=now if muted else None, updated_at=now))
            await publish(conn, "chat_moderation", room)
            return {"muted": before}, {"muted": muted}
        if kind in (WHITELIST_ADD, WHITELIST_REMOVE):
            users: list[str] = p["users"]
            await self._room_state(conn, room, now)
            wl = tc.chat_whitelist
            if kind == WHITELIST_ADD:
                for u in users:
                    await conn.execute(_insert_ignore(conn, wl).values(room_key=room, user_id=u, added_by=actor,
                                                                       added_at=now))
            else:
                await conn.execute(wl.delete().where(wl.c.room_key == room, wl.c.user_id.in_(users)))
            await publish(conn, "chat_moderation", room)
            return None, {"whitelist_" + ("added" if kind == WHITELIST_ADD else "removed"): users}
        if kind == WORDS_ADD:
            w = tc.chat_words
            for item in p["words"]:
                await conn.execute(w.delete().where(w.c.word == item["word"]))
                await conn.execute(w.insert().values(word=item["word"], replace_word=item.get("replace"),
                                                     session_only=False, created_by=actor, created_at=now))
            await publish(conn, "chat_rules", "words")
            return None, {"words": p["words"]}
        if kind == WORDS_DELETE:
            w = tc.chat_words
            await conn.execute(w.delete().where(w.c.word.in_(p["words"])))
            await publish(conn, "chat_rules", "words")
            return {"words": p["words"]}, None
        if kind == SYSTEM_MESSAGE:
            await publish(conn, "chat_moderation", room)
            return None, {"room": room, "object_name": p["object_name"], "text": p["text"][:EVIDENCE_CHARS]}
        if kind == LOCKDOWN:
            return await self._apply_lockdown(conn, p, now, actor)
        if kind == LOCKDOWN_REVERT:
            return await self._apply_revert(conn, p, now, actor)
        raise InvalidInput("action", f"unknown chat action {kind!r}")

    @staticmethod
    async def _room_state(conn: AsyncConnection, room: str, now: datetime) -> bool:
        """The room's chat_rooms row (created on first use); returns whether it was muted."""
        cr = tc.chat_rooms
        muted = (await conn.execute(sa.select(cr.c.muted).where(cr.c.room_key == room))).scalar()
        if muted is None:
            rid = await _platform_room(conn, room)
            await conn.execute(_insert_ignore(conn, cr).values(room_key=room, room_id=rid, muted=False,
                                                               updated_at=now))
            return False
        return bool(muted)

    @staticmethod
    async def _sanction(conn: AsyncConnection, user: str, room: str | None, kind: str, scope: str, reason: str,
                        actor: str, now: datetime, ends: datetime | None) -> int:
        uid = await _platform_user(conn, user)
        rid = await _platform_room(conn, room) if room else None
        sid = (await conn.execute(t.sanctions.insert().values(
            user_id=uid, room_id=rid, kind=kind, scope=scope, reason=reason, issued_by=actor, starts_at=now,
            ends_at=ends).returning(t.sanctions.c.id))).scalar_one()
        await conn.execute(tc.chat_sanction_targets.insert().values(sanction_id=sid, sender=user, room_key=room))
        return int(sid)

    @staticmethod
    async def _lift(conn: AsyncConnection, user: str, room: str | None, kind: str, scope: str, actor: str,
                    now: datetime) -> int:
        g, s = tc.chat_sanction_targets, t.sanctions
        target = sa.select(g.c.sanction_id).where(g.c.sender == user, g.c.room_key.is_(None) if room is None
                                                  else g.c.room_key == room)
        res = await conn.execute(s.update().where(
            s.c.id.in_(target), s.c.kind == kind, s.c.scope == scope, s.c.lifted_at.is_(None),
            sa.or_(s.c.ends_at.is_(None), s.c.ends_at > now)).values(lifted_by=actor, lifted_at=now))
        return int(res.rowcount or 0)

    async def _apply_lockdown(self, conn: AsyncConnection, p: dict[str, Any], now: datetime,
                              actor: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        preset = p["preset"]
        rooms: list[str] = p["room_keys"]
        revert_at = (now + timedelta(minutes=int(preset["revert_after_minutes"]))
                     if preset.get("revert_after_minutes") else None)
        lid = (await conn.execute(tc.chat_lockdowns.insert().values(
            ref=p["ref"], preset=preset, room_keys=rooms, gag_users=list(p.get("gag_users") or []), started_by=actor,
            started_at=now, revert_at=revert_at, action_id=None).returning(tc.chat_lockdowns.c.id))).scalar_one()
        w = tc.chat_words
        for word in preset.get("words") or []:
            exists = (await conn.execute(sa.select(w.c.word).where(w.c.word == word))).first()
            if exists is None:
                await conn.execute(w.insert().values(word=word, replace_word=None, session_only=True, lockdown_id=lid,
                                                     expires_at=revert_at, created_by=actor, created_at=now))
        for room in rooms:
            await self._room_state(conn, room, now)
            if preset.get("mute_rooms"):
                await conn.execute(tc.chat_rooms.update().where(tc.chat_rooms.c.room_key == room).values(
                    muted=True, muted_by=actor, muted_at=now, updated_at=now))
            for u in p.get("gag_users") or []:
                await self._sanction(conn, u, room, "gag", "room", p["reason"], actor, now,
                                     now + timedelta(minutes=int(p["minutes"])))
            await publish(conn, "chat_moderation", room)
        await publish(conn, "chat_rules", "words")
        return None, {"lockdown_id": int(lid), "rooms": rooms, "revert_at": revert_at.isoformat() if revert_at else None,
                      "gagged": len(p.get("gag_users") or [])}

    async def _apply_revert(self, conn: AsyncConnection, p: dict[str, Any], now: datetime,
                            actor: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        lid = int(p["lockdown_id"])
        lk = tc.chat_lockdowns
        await conn.execute(lk.update().where(lk.c.id == lid, lk.c.reverted_at.is_(None)).values(reverted_at=now))
        await conn.execute(tc.chat_words.delete().where(tc.chat_words.c.lockdown_id == lid,
                                                        tc.chat_words.c.session_only.is_(True)))
        for room in p["room_keys"]:
            if p["preset"].get("mute_rooms"):
                await conn.execute(tc.chat_rooms.update().where(tc.chat_rooms.c.room_key == room).values(
                    muted=False, muted_by=None, muted_at=None, updated_at=now))
            for u in p.get("gag_users") or []:
                await self._lift(conn, u, room, "gag", "room", actor, now)
            await publish(conn, "chat_moderation", room)
        await publish(conn, "chat_rules", "words")
        return {"lockdown_id": lid}, {"reverted": True}


def _insert_ignore(conn: AsyncConnection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


async def _platform_user(conn: AsyncConnection, user: str) -> int | None:
    if not user.isdigit() or len(user) > 18:
        return None
    return (await conn.execute(sa.select(t.users.c.id).where(t.users.c.id == int(user)))).scalar()


async def _platform_room(conn: AsyncConnection, room: str | None) -> int | None:
    if room is None or not room.isdigit() or len(room) > 18:
        return None
    return (await conn.execute(sa.select(t.rooms.c.id).where(t.rooms.c.id == int(room)))).scalar()


# --- what the pane calls -----------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(UTC)


class ChatModeration:
    """Methods the pane calls; each returns the ActionRecord(s) of the outbox.

    All need a ``reason``; ``evidence`` lines are stored as the chat excerpt; ``key`` (any string the
    caller keeps for one click) makes a repeated call return the same records instead of acting twice.

    Args:
        actions: The action service (the chat kinds registered with a :class:`ChatActionHandler`).
        engine: The database (lockdown reads, new-account look-ups, word quota).
        session_gag_minutes: How long "gag for this live session" lasts (RongCloud needs minutes).
        word_quota: RongCloud's sensitive-word quota (default 50): an add over it is refused before any call.
        concurrency: Provider calls of one bulk action in flight at once.
    """

    def __init__(self, actions: ActionService, engine: AsyncEngine, *, session_gag_minutes: int = 720,
                 word_quota: int = 50, concurrency: int = 8, clock: Callable[[], datetime] = _now,
                 audit: AuditService | None = None) -> None:
        self._actions = actions
        self._engine = engine
        self._audit: AuditService = audit or actions._audit  # noqa: SLF001 - the same operator's audit
        self.session_gag_minutes = session_gag_minutes
        self.word_quota = word_quota
        self._concurrency = concurrency
        self._clock = clock

    # --- single ---

    async def recall(self, line: ChatLine, *, reason: str, key: str | None = None) -> ActionRecord:
        payload = {"room_key": line.room_key, "sender": line.sender, "msg_uid": line.msg_uid,
                   "sent_ms": line.sent_ms, "text": line.text[:EVIDENCE_CHARS]}
        return await self._actions.submit(RECALL, f"chat:{line.room_key}:{line.msg_uid}", payload, reason=reason,
                                          key=_key(key, RECALL, line.msg_uid), evidence=excerpt([line]))

    async def recall_many(self, lines: Sequence[ChatLine], *, reason: str, key: str | None = None) -> BulkResult:
        items: list[tuple[str, dict[str, Any], Sequence[ChatLine]]] = [(f"chat:{x.room_key}:{x.msg_uid}", {"room_key": x.room_key, "sender": x.sender, "msg_uid": x.msg_uid,
                                                     "sent_ms": x.sent_ms, "text": x.text[:EVIDENCE_CHARS]}, [x])
                 for x in {x.msg_uid: x for x in lines}.values()]
        return await self._bulk(RECALL, items, reason=reason, key=key)

    async def mute_room(self, room_key: str, *, reason: str, key: str | None = None) -> ActionRecord:
        return await self._one(MUTE_ROOM, f"chat:{room_key}", {"room_key": room_key}, reason, key)

    async def unmute_room(self, room_key: str, *, reason: str, key: str | None = None) -> ActionRecord:
        return await self._one(UNMUTE_ROOM, f"chat:{room_key}", {"room_key": room_key}, reason, key)

    async def whitelist_add(self, room_key: str, users: Sequence[str], *, reason: str,
                            key: str | None = None) -> BulkResult:
        """RongCloud takes 5 users per whitelist call: one outbox row per 5."""
        ids = _ids(users, "users")
        items: list[tuple[str, dict[str, Any], Sequence[ChatLine]]] = [
            (f"chat:{room_key}", {"room_key": room_key, "users": ids[i:i + 5]}, [])
                 for i in range(0, len(ids), 5)]
        return await self._bulk(WHITELIST_ADD, items, reason=reason, key=key)

    async def whitelist_remove(self, room_key: str, users: Sequence[str], *, reason: str,
                               key: str | None = None) -> BulkResult:
        ids = _ids(users, "users")
        items: list[tuple[str, dict[str, Any], Sequence[ChatLine]]] = [
            (f"chat:{room_key}", {"room_key": room_key, "users": ids[i:i + 5]}, [])
                 for i in range(0, len(ids), 5)]
        return await self._bulk(WHITELIST_REMOVE, items, reason=reason, key=key)

    async def add_words(self, words: Sequence[SensitiveWord], *, reason: str, key: str | None = None) -> ActionRecord:
        """Add block/replace words in one batch. Over the quota: InvalidInput before any call (and the
        provider's own quota refusal fails the row with its message)."""
        checked = {w.word: check_word(w.word, w.replace) for w in words}
        if not checked:
            raise InvalidInput("words", "at least one word is required")
        async with self._engine.connect() as conn:
            have = set((await conn.execute(sa.select(tc.chat_words.c.word))).scalars())
        total = len(have | set(checked))
        if total > self.word_quota:
            raise InvalidInput("words", f"the list would hold {total} words, over RongCloud's quota of "
                                        f"{self.word_quota}: delete {total - self.word_quota} first")
        payload = {"words": [{"word": w.word, "replace": w.replace} for w in checked.values()]}
        return await self._one(WORDS_ADD, "chat_words", payload, reason, key)

    async def delete_words(self, words: Sequence[str], *, reason: str, key: str | None = None) -> ActionRecord:
        ws = list(dict.fromkeys(check_word(w).word for w in words))
        if not ws:
            raise InvalidInput("words", "at least one word is required")
        return await self._one(WORDS_DELETE, "chat_words", {"words": ws}, reason, key)

    async def system_message(self, room_keys: Sequence[str], text: str, *, reason: str,
                             object_name: str = "SH:SysMsg", key: str | None = None) -> BulkResult:
        """A custom system message to each room (one outbox row per room: publishing is not idempotent,
        so a room that got it is never sent it again by a retry of the others)."""
        rooms = _ids(room_keys, "rooms")
        if not text.strip():
            raise InvalidInput("text", "the message is empty")
        if len(json.dumps({"content": text}, ensure_ascii=False).encode()) > 128 * 1024:
            raise InvalidInput("text", "longer than 128 KB")
        if not object_name or len(object_name) > 32 or object_name.upper().startswith("RC:"):
            raise InvalidInput("object_name", "1 to 32 characters, not starting with 'RC:'")
        items: list[tuple[str, dict[str, Any], Sequence[ChatLine]]] = [
            (f"chat:{r}", {"room_key": r, "text": text, "object_name": object_name}, []) for r in rooms]
        return await self._bulk(SYSTEM_MESSAGE, items, reason=reason, key=key)

    # --- per user, bulk ---

    async def gag(self, room_key: str, senders: Sequence[str], *, reason: str, minutes: int | None = 10,
                  session: bool = False, evidence: Sequence[ChatLine] = (), key: str | None = None) -> BulkResult:
        m = self.session_gag_minutes if session else _minutes(minutes)
        return await self._per_user(GAG, room_key, senders, {"minutes": m, "session": session}, reason, evidence, key)

    async def ungag(self, room_key: str, senders: Sequence[str], *, reason: str, key: str | None = None) -> BulkResult:
        return await self._per_user(UNGAG, room_key, senders, {}, reason, (), key)

    async def block(self, room_key: str, senders: Sequence[str], *, reason: str, minutes: int = MAX_MINUTES,
                    evidence: Sequence[ChatLine] = (), key: str | None = None) -> BulkResult:
        return await self._per_user(BLOCK, room_key, senders, {"minutes": _minutes(minutes)}, reason, evidence, key)

    async def unblock(self, room_key: str, senders: Sequence[str], *, reason: str,
                      key: str | None = None) -> BulkResult:
        return await self._per_user(UNBLOCK, room_key, senders, {}, reason, (), key)

    async def global_gag(self, senders: Sequence[str], *, reason: str, minutes: int,
                         evidence: Sequence[ChatLine] = (), key: str | None = None) -> BulkResult:
        return await self._per_user(GLOBAL_GAG, None, senders, {"minutes": _minutes(minutes)}, reason, evidence, key)

    async def global_ungag(self, senders: Sequence[str], *, reason: str, key: str | None = None) -> BulkResult:
        return await self._per_user(GLOBAL_UNGAG, None, senders, {}, reason, (), key)

    async def app_block(self, senders: Sequence[str], *, reason: str, minutes: int,
                        evidence: Sequence[ChatLine] = (), key: str | None = None) -> BulkResult:
        return await self._per_user(APP_BLOCK, None, senders, {"minutes": _minutes(minutes)}, reason, evidence, key)

    async def app_unblock(self, senders: Sequence[str], *, reason: str, key: str | None = None) -> BulkResult:
        return await self._per_user(APP_UNBLOCK, None, senders, {}, reason, (), key)

    # --- ladder, undo ---

    async def punish(self, item: ChatLine | FloodGroup, step: LadderStep, *, reason: str,
                     key: str | None = None) -> ActionRecord | BulkResult:
        """A rung of the room's ladder on a line, or on every sender of a collapsed flood."""
        lines = list(item.lines) if isinstance(item, FloodGroup) and item.lines else (
            [item.first] if isinstance(item, FloodGroup) else [item])
        if step.action == "recall":
            if len(lines) == 1:
                return await self.recall(lines[0], reason=reason, key=key)
            return await self.recall_many(lines, reason=reason, key=key)
        by_room: dict[str, list[ChatLine]] = {}
        for x in lines:
            by_room.setdefault(x.room_key, []).append(x)
        everyone: dict[str, list[str]] = {room: [x.sender for x in group] for room, group in by_room.items()}
        if isinstance(item, FloodGroup) and item.room_key is not None:
            # a one-room flood: every sender it ever counted, not only those of the lines it keeps
            everyone = {item.room_key: sorted(item.senders)}
            by_room = {item.room_key: lines}
        records: list[ActionRecord] = []
        batch = ""
        for room, group in by_room.items():
            senders = everyone[room]
            if step.action == "gag":
                res = await self.gag(room, senders, minutes=step.minutes, reason=reason, evidence=group, key=key)
            elif step.action == "gag_session":
                res = await self.gag(room, senders, session=True, reason=reason, evidence=group, key=key)
            elif step.action == "block":
                res = await self.block(room, senders, minutes=step.minutes or MAX_MINUTES, reason=reason,
                                       evidence=group, key=key)
            else:
                raise InvalidInput("ladder", f"unknown ladder action {step.action!r}")
            records += res.records
            batch = batch or res.batch
        return BulkResult(batch=batch, records=tuple(records))

    async def undo(self, done: ActionRecord | BulkResult, *, reason: str = "撤销",
                   key: str | None = None) -> ActionRecord | BulkResult:
        """Send the reverse of a done action (Ctrl+Z): un-gag, unblock, unmute, whitelist remove, word delete,
        lockdown revert. Recalls and system messages cannot be undone (InvalidInput)."""
        recs = done.done if isinstance(done, BulkResult) else (done,)
        if not recs:
            raise InvalidInput("undo", "nothing of that action was done")
        items: list[tuple[str, dict[str, Any], Sequence[ChatLine]]] = []
        kind = ""
        for r in recs:
            rk = REVERSE.get(r.kind)
            if rk is None:
                raise InvalidInput("undo", f"{r.kind} cannot be undone")
            kind = rk
            p = dict(r.payload)
            payload: dict[str, Any] = {k: p[k] for k in ("room_key", "user", "users", "preset", "room_keys",
                                                          "gag_users", "minutes") if k in p}
            if r.kind == WORDS_ADD:
                payload["words"] = [w["word"] for w in p["words"]]  # type: ignore[attr-defined]
            if r.kind == LOCKDOWN:
                if isinstance(done, ActionRecord):
                    return await self.revert_lockdown(await self._lockdown_id(str(p["ref"])), reason=reason)
                raise InvalidInput("undo", "lockdowns are undone one at a time")
            payload["undoes"] = r.id
            items.append((r.target, payload, []))
        if isinstance(done, ActionRecord):
            target, payload, _ = items[0]
            return await self._actions.submit(kind, target, payload, reason=reason, key=_key(key, kind, target))
        return await self._bulk(kind, items, reason=reason, key=key)

    # --- lockdown ---

    async def lockdown(self, preset: LockdownPreset, room_keys: Sequence[str], *, reason: str,
                       key: str | None = None) -> ActionRecord:
        """Apply a preset to a group of rooms: mute (the whitelist still speaks), gag accounts registered
        within ``new_account_hours`` that spoke in those rooms in the last hour, add session-only block
        words; it reverts on its own after ``revert_after_minutes`` (:meth:`revert_due`)."""
        rooms = _ids(room_keys, "rooms")
        for w in preset.words:
            check_word(w)
        gag_users: list[str] = []
        if preset.gag_new_accounts:
            gag_users = await self._new_accounts(rooms, preset.new_account_hours)
        minutes = min(MAX_MINUTES, int(preset.revert_after_minutes or self.session_gag_minutes))
        payload = {"preset": {**preset_config(preset), "name": preset.name}, "room_keys": rooms,
                   "gag_users": gag_users, "minutes": minutes, "ref": uuid.uuid4().hex}
        return await self._one(LOCKDOWN, "chat_lockdown:" + ",".join(rooms)[:100], payload, reason, key)

    async def revert_lockdown(self, lockdown_id: int, *, reason: str = "封控到期自动解除") -> ActionRecord:
        """Revert a lockdown (idempotent across consoles: the key is derived from the lockdown id)."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(tc.chat_lockdowns).where(tc.chat_lockdowns.c.id == lockdown_id))).first()
        if row is None:
            raise InvalidInput("lockdown", f"no lockdown {lockdown_id}")
        payload = {"lockdown_id": lockdown_id, "preset": row.preset, "room_keys": row.room_keys,
                   "gag_users": row.gag_users}
        return await self._actions.submit(LOCKDOWN_REVERT, f"chat_lockdown:{lockdown_id}", payload, reason=reason,
                                          key=f"lockdown-revert-{lockdown_id}")

    async def revert_due(self) -> list[ActionRecord]:
        """Revert every lockdown whose time has come (call every few seconds; safe from many consoles)."""
        now = self._clock()
        lk = tc.chat_lockdowns
        async with self._engine.connect() as conn:
            ids = list((await conn.execute(sa.select(lk.c.id).where(
                lk.c.reverted_at.is_(None), lk.c.revert_at.is_not(None), lk.c.revert_at <= now))).scalars())
        return [await self.revert_lockdown(i) for i in ids]

    async def _lockdown_id(self, ref: str) -> int:
        async with self._engine.connect() as conn:
            lid = (await conn.execute(sa.select(tc.chat_lockdowns.c.id).where(tc.chat_lockdowns.c.ref == ref))).scalar()
        if lid is None:
            raise InvalidInput("undo", "the lockdown has no record yet")
        return int(lid)

    async def _new_accounts(self, rooms: list[str], hours: int) -> list[str]:
        now = self._clock()
        since_ms = int((now - timedelta(hours=1)).timestamp() * 1000)
        cm = t.chat_messages
        async with self._engine.connect() as conn:
            senders = list((await conn.execute(sa.select(cm.c.from_user_id).where(
                cm.c.to_user_id.in_(rooms), cm.c.msg_timestamp >= since_ms).distinct().limit(5000))).scalars())
            ids = [int(s) for s in senders if s.isdigit() and len(s) < 19]
            young: list[str] = []
            for i in range(0, len(ids), 500):
                young += [str(u) for u in (await conn.execute(sa.select(t.users.c.id).where(
                    t.users.c.id.in_(ids[i:i + 500]), t.users.c.registered_at > now - timedelta(hours=hours))))
                    .scalars()]
        return young[:1000]

    # --- console-side settings (no provider call; role-checked, audited, announced) ---

    async def set_ladder(self, room_key: str, steps: Sequence[LadderStep] | None, *, reason: str = "") -> None:
        """A room's punishment ladder (number keys 1..n); None restores the default."""
        room = _ids([room_key], "room")[0]
        await self._audit.require(Permission.MODERATE_CHAT, f"chat:{room}")
        doc = None
        if steps is not None:
            keys = [s.key for s in steps]
            if not steps or len(set(keys)) != len(keys) or not all(1 <= k <= 9 for k in keys):
                raise InvalidInput("ladder", "1 to 9 steps with distinct number keys 1..9")
            for st in steps:
                if st.action not in ("recall", "gag", "gag_session", "block"):
                    raise InvalidInput("ladder", f"unknown action {st.action!r}")
                if st.action in ("gag", "block"):
                    _minutes(st.minutes, "ladder minutes")
            doc = [{"key": st.key, "label": st.label, "action": st.action, "minutes": st.minutes} for st in steps]
        now = self._clock()
        async with self._engine.begin() as conn:
            await ChatActionHandler._room_state(conn, room, now)
            before = (await conn.execute(sa.select(tc.chat_rooms.c.ladder).where(
                tc.chat_rooms.c.room_key == room))).scalar()
            await conn.execute(tc.chat_rooms.update().where(tc.chat_rooms.c.room_key == room).values(
                ladder=doc, updated_at=now))
            await self._audit.record("chat_ladder", f"chat:{room}", reason=reason, before={"ladder": before},
                                     after={"ladder": doc}, conn=conn)
            await publish(conn, "chat_rooms", room)

    async def add_regex_rule(self, name: str, pattern: str, *, reason: str = "") -> int:
        """A console-side flagging rule (checked to compile; at most 500 characters)."""
        import re

        name, pattern = name.strip(), pattern.strip()
        if not name or len(name) > 64:
            raise InvalidInput("name", "1 to 64 characters")
        if not pattern or len(pattern) > 500:
            raise InvalidInput("pattern", "1 to 500 characters")
        try:
            re.compile(pattern)
        except re.error as e:
            raise InvalidInput("pattern", f"not a regular expression: {e}") from None
        await self._audit.require(Permission.MODERATE_CHAT, "chat_rules")
        r = tc.chat_regex_rules
        async with self._engine.begin() as conn:
            if (await conn.execute(sa.select(r.c.id).where(r.c.name == name))).first() is not None:
                raise InvalidInput("name", f"a rule named {name!r} exists")
            rid = (await conn.execute(r.insert().values(name=name, pattern=pattern, enabled=True,
                                                        created_by=self._audit.operator.username,
                                                        created_at=self._clock()).returning(r.c.id))).scalar_one()
            await self._audit.record("chat_regex_add", f"chat_rule:{rid}", reason=reason,
                                     after={"name": name, "pattern": pattern}, conn=conn)
            await publish(conn, "chat_rules", "regex")
        return int(rid)

    async def delete_regex_rule(self, rule_id: int, *, reason: str = "") -> None:
        await self._audit.require(Permission.MODERATE_CHAT, "chat_rules")
        r = tc.chat_regex_rules
        async with self._engine.begin() as conn:
            row = (await conn.execute(sa.select(r).where(r.c.id == rule_id))).first()
            if row is None:
                raise InvalidInput("rule", f"no rule {rule_id}")
            await conn.execute(r.delete().where(r.c.id == rule_id))
            await self._audit.record("chat_regex_delete", f"chat_rule:{rule_id}", reason=reason,
                                     before={"name": row.name, "pattern": row.pattern}, conn=conn)
            await publish(conn, "chat_rules", "regex")

    async def save_preset(self, preset: LockdownPreset, *, reason: str = "") -> int:
        """Create (``preset.id`` ≤ 0) or replace a lockdown preset; returns its id."""
        name = preset.name.strip()
        if not name or len(name) > 64:
            raise InvalidInput("name", "1 to 64 characters")
        for w in preset.words:
            check_word(w)
        if preset.revert_after_minutes is not None:
            _minutes(preset.revert_after_minutes, "revert_after_minutes")
        await self._audit.require(Permission.MODERATE_CHAT, "chat_lockdown")
        pr = tc.chat_lockdown_presets
        cfg = preset_config(preset)
        async with self._engine.begin() as conn:
            clash = (await conn.execute(sa.select(pr.c.id).where(pr.c.name == name))).scalar()
            if clash is not None and clash != preset.id:
                raise InvalidInput("name", f"a preset named {name!r} exists")
            if preset.id > 0:
                res = await conn.execute(pr.update().where(pr.c.id == preset.id).values(name=name, config=cfg))
                if not res.rowcount:
                    raise InvalidInput("preset", f"no preset {preset.id}")
                pid = preset.id
            else:
                pid = (await conn.execute(pr.insert().values(name=name, config=cfg,
                                                             created_by=self._audit.operator.username,
                                                             created_at=self._clock()).returning(pr.c.id))).scalar_one()
            await self._audit.record("chat_preset_save", f"chat_preset:{pid}", reason=reason,
                                     after={"name": name, **cfg}, conn=conn)
            await publish(conn, "chat_rules", "presets")
        return int(pid)

    async def delete_preset(self, preset_id: int, *, reason: str = "") -> None:
        await self._audit.require(Permission.MODERATE_CHAT, "chat_lockdown")
        pr = tc.chat_lockdown_presets
        async with self._engine.begin() as conn:
            row = (await conn.execute(sa.select(pr).where(pr.c.id == preset_id))).first()
            if row is None:
                raise InvalidInput("preset", f"no preset {preset_id}")
            await conn.execute(pr.delete().where(pr.c.id == preset_id))
            await self._audit.record("chat_preset_delete", f"chat_preset:{preset_id}", reason=reason,
                                     before={"name": row.name, **dict(row.config)}, conn=conn)
            await publish(conn, "chat_rules", "presets")

    # --- plumbing ---

    async def _one(self, kind: str, target: str, payload: dict[str, Any], reason: str,
                   key: str | None) -> ActionRecord:
        return await self._actions.submit(kind, target, payload, reason=reason, key=_key(key, kind, target))

    async def _per_user(self, kind: str, room: str | None, senders: Sequence[str], extra: dict[str, Any],
                        reason: str, evidence: Sequence[ChatLine], key: str | None) -> BulkResult:
        users = _ids(senders, "users")
        by_user: dict[str, list[ChatLine]] = {}
        for x in evidence:
            by_user.setdefault(x.sender, []).append(x)
        items: list[tuple[str, dict[str, Any], Sequence[ChatLine]]] = []
        for u in users:
            target = f"chat:{room}:{u}" if room is not None else f"chat_user:{u}"
            payload = {"user": u, **({"room_key": room} if room is not None else {}), **extra}
            items.append((target, payload, by_user.get(u) or list(evidence)[-3:]))
        return await self._bulk(kind, items, reason=reason, key=key)

    async def _bulk(self, kind: str, items: Sequence[tuple[str, dict[str, Any], Sequence[ChatLine]]], *,
                    reason: str, key: str | None) -> BulkResult:
        """One outbox row per item with a shared batch id; the ones not done are retried once."""
        batch = _key(key, kind, "batch") or uuid.uuid4().hex
        sem = asyncio.Semaphore(self._concurrency)
        n = len(items)

        async def one(i: int, target: str, payload: dict[str, Any], lines: Sequence[ChatLine]) -> ActionRecord:
            async with sem:
                return await self._actions.submit(
                    kind, target, {**payload, "batch": batch, "batch_index": i, "batch_size": n}, reason=reason,
                    key=_key(key or batch, kind, target, i), evidence=excerpt(lines) if lines else None)

        records = list(await asyncio.gather(*(one(i, *it) for i, it in enumerate(items))))
        for i, rec in enumerate(records):
            if rec.state != "done":
                log.warning("chat %s batch %s: %s not done (%s), retrying once", kind, batch[:8], rec.target,
                            rec.last_error)
                records[i] = await self._actions.retry(rec.id)
        return BulkResult(batch=batch, records=tuple(records))
