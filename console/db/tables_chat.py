"""Tables of chat moderation (issue 6): owned by the chat work; share ``console.db.tables.metadata``.

``chat_messages`` itself is in ``console.db.tables`` (the platform's routing endpoint fills it). Here:

* ``chat_rooms``: a RongCloud chatroom id (``chat_messages.to_user_id``) and its platform room, with
  the room's mute state, live-session start and punishment ladder (JSON; NULL = the default).
* ``chat_whitelist``: who may still speak in a muted room.
* ``chat_words``: the sensitive-word list as sent to RongCloud; ``replace_word`` NULL = block word;
  ``session_only`` words come from a lockdown and leave with it (``expires_at``).
* ``chat_regex_rules``: console-side flagging rules.
* ``chat_sanction_targets``: the RongCloud user id and chatroom of a ``sanctions`` row (a sender
  need not be a platform user, and ``sanctions.user_id`` is a foreign key to ``users``).
* ``chat_recalls``: messages recalled through RongCloud.
* ``chat_lockdown_presets`` / ``chat_lockdowns``: presets and their applications, reverting on a schedule.
* index ``ix_chat_messages_room`` (to_user_id, id): "latest N of a room" and "newer than id in a room".
"""

from __future__ import annotations

import sqlalchemy as sa

from console.db.tables import BigId, JSONDoc, UTCDateTime, chat_messages, metadata

#: "latest N of a room" / "newer than id of a room" (the PK serves the all-rooms forms)
ix_chat_messages_room = sa.Index("ix_chat_messages_room", chat_messages.c.to_user_id, chat_messages.c.id)

chat_rooms = sa.Table(
    "chat_rooms",
    metadata,
    sa.Column("room_key", sa.String(64), primary_key=True),
    sa.Column("room_id", BigId, sa.ForeignKey("rooms.id")),
    sa.Column("muted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("muted_by", sa.String(64)),
    sa.Column("muted_at", UTCDateTime),
    sa.Column("session_started_at", UTCDateTime),
    sa.Column("ladder", JSONDoc),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_chat_rooms_room_id", "room_id"),
)

chat_whitelist = sa.Table(
    "chat_whitelist",
    metadata,
    sa.Column("room_key", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("added_by", sa.String(64), nullable=False),
    sa.Column("added_at", UTCDateTime, nullable=False),
)

chat_words = sa.Table(
    "chat_words",
    metadata,
    sa.Column("word", sa.String(32), primary_key=True),
    sa.Column("replace_word", sa.String(32)),
    sa.Column("session_only", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("lockdown_id", BigId),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

chat_regex_rules = sa.Table(
    "chat_regex_rules",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("pattern", sa.String(500), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

chat_sanction_targets = sa.Table(
    "chat_sanction_targets",
    metadata,
    sa.Column("sanction_id", BigId, sa.ForeignKey("sanctions.id"), primary_key=True),
    sa.Column("sender", sa.String(64), nullable=False),
    sa.Column("room_key", sa.String(64)),
    sa.Column("action_id", BigId),
    sa.Index("ix_chat_sanction_targets_room_key", "room_key", "sender"),
    sa.Index("ix_chat_sanction_targets_sender", "sender"),
)

chat_lockdown_presets = sa.Table(
    "chat_lockdown_presets",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("config", JSONDoc, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

chat_lockdowns = sa.Table(
    "chat_lockdowns",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("ref", sa.String(40), nullable=False, unique=True),
    sa.Column("preset", JSONDoc, nullable=False),
    sa.Column("room_keys", JSONDoc, nullable=False),
    sa.Column("gag_users", JSONDoc, nullable=False),
    sa.Column("started_by", sa.String(64), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("revert_at", UTCDateTime),
    sa.Column("reverted_at", UTCDateTime),
    sa.Column("action_id", BigId),
    sa.Index("ix_chat_lockdowns_revert_at", "reverted_at", "revert_at"),
)

#: recalled messages (the feed shows them struck through)
chat_recalls = sa.Table(
    "chat_recalls",
    metadata,
    sa.Column("msg_uid", sa.String(64), primary_key=True),
    sa.Column("room_key", sa.String(64), nullable=False),
    sa.Column("recalled_by", sa.String(64), nullable=False),
    sa.Column("recalled_at", UTCDateTime, nullable=False),
)

CHAT_TABLES = ("chat_rooms", "chat_whitelist", "chat_words", "chat_regex_rules", "chat_sanction_targets",
               "chat_lockdown_presets", "chat_lockdowns", "chat_recalls")
