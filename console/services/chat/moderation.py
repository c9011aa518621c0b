"""Chat moderation actions: every one through the action service (role, outbox, idempotency, audit).

Usage (a pane)::

    mod = ChatModeration(actions, chat_feed)         # registers nothing; build_services registers the handler
    rec = await mod.punish(line, step, reason="刷屏")   # a ladder rung on one line (recall / gag / block)
    res = await mod.gag(room_key, senders, minutes=10, reason="刷屏", evidence=lines)   # BulkResult
    await mod.undo(rec)                               # the reverse action (un-gag, unblock, unmute, ...)

The provider handler (:class:`ChatActionHandler`) is registered with
``actions.register(CHAT_KINDS, ChatActionHandler(rongcloud_client))``.

Bulk actions (many senders) write one outbox row per user with a shared ``batch`` id in the payload,
so a provider error in the middle shows which users were done; the rows not done are retried once
(:class:`BulkResult` tells which are done, pending or failed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.domain import ActionRecord

__all__ = ["CHAT_KINDS", "BulkResult", "ChatActionHandler", "ChatModeration"]

RECALL = "chat_recall"
GAG = "chat_gag"                  # room gag; payload minutes or session=True
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


class ChatActionHandler:
    """The RongCloud calls (perform) and database effects (apply) of every chat action kind."""


class ChatModeration:
    """Methods the pane calls; each returns the ActionRecord(s) of the outbox.

    Signatures (all async, all need ``reason``; ``evidence`` lines are stored as the chat excerpt;
    ``key`` makes a retry of the same click return the same record)::

        recall(line, *, reason, key=None) -> ActionRecord
        recall_many(lines, *, reason) -> BulkResult
        gag(room_key, senders, *, minutes: int | None = 10, session=False, reason, evidence=(), key=None) -> BulkResult
        ungag(room_key, senders, *, reason) -> BulkResult
        block(room_key, senders, *, minutes=43200, reason, evidence=()) -> BulkResult
        unblock(room_key, senders, *, reason) -> BulkResult
        global_gag(senders, *, minutes, reason, evidence=()) -> BulkResult
        global_ungag(senders, *, reason) -> BulkResult
        app_block(senders, *, minutes, reason, evidence=()) -> BulkResult
        app_unblock(senders, *, reason) -> BulkResult
        mute_room(room_key, *, reason) / unmute_room(room_key, *, reason) -> ActionRecord
        whitelist_add(room_key, users, *, reason) / whitelist_remove(...) -> ActionRecord
        add_words(words: Sequence[SensitiveWord], *, reason) -> ActionRecord   # over quota: InvalidInput
        delete_words(words: Sequence[str], *, reason) -> ActionRecord
        system_message(room_keys, text, *, object_name="SH:SysMsg", reason) -> ActionRecord
        lockdown(preset, room_keys, *, reason) -> ActionRecord
        revert_lockdown(lockdown_action_id, *, reason) -> ActionRecord
        punish(line_or_group, step: LadderStep, *, reason) -> ActionRecord | BulkResult
        undo(record_or_bulk, *, reason="撤销") -> ActionRecord | BulkResult
    """


def _senders(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
