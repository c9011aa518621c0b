"""The platform's shared tables, as SQLAlchemy Core.

The Flask backend and every console read and write these. Migrations in
``console/db/migrations`` create them; this module is what queries are built from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# bigint on PostgreSQL, INTEGER PRIMARY KEY (the rowid) on SQLite
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def CText(**kw: Any) -> sa.String:  # noqa: N802 - reads like a type
    """Text compared byte-wise on PostgreSQL (prefix LIKE and ORDER BY on one b-tree)."""
    return sa.String(**kw).with_variant(sa.String(collation="C"), "postgresql")


def NoCaseText() -> sa.String:  # noqa: N802
    return sa.String().with_variant(sa.String(collation="C"), "postgresql").with_variant(
        sa.String(collation="NOCASE"), "sqlite"
    )


operators = sa.Table(
    "operators",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    #: sign-in protection (migration 0005): failures since the last sign-in, and the wait they imposed
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", UTCDateTime),
    sa.Column("last_sign_in_at", UTCDateTime),
    #: a temporary password (new operator, reset) is changed at the next sign-in
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.CheckConstraint("role IN ('moderator','operator','support','admin')", name="role"),
)

#: ``operators.password_hash`` of an operator whose password PostgreSQL holds (a login role, SCRAM).
PG_PASSWORD = "!postgres"

#: The masked phone, computed by the database (migration 0005) so that a role without REVEAL_PHONE
#: never reads ``phone`` itself: ``13812341234`` -> ``138****1234`` (as :func:`console.domain.mask_phone`).
PHONE_MASKED_SQL = {
    "postgresql": "CASE WHEN length(phone) >= 7 THEN left(phone, 3) || repeat('*', length(phone) - 7) "
                  "|| right(phone, 4) ELSE repeat('*', length(phone)) END",
    "sqlite": "CASE WHEN length(phone) >= 7 THEN substr(phone, 1, 3) || substr('********************************', "
              "1, length(phone) - 7) || substr(phone, -4) ELSE substr('********************************', 1, "
              "length(phone)) END",
}

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=False),
    sa.Column("phone", CText(), nullable=False),
    sa.Column("nickname", NoCaseText(), nullable=False),
    sa.Column("registered_at", UTCDateTime, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("last_active_at", UTCDateTime),
    sa.Column("phone_masked", sa.String, sa.Computed(PHONE_MASKED_SQL["postgresql"], persisted=True)),
    sa.Index("ix_users_phone", "phone"),
)

nickname_history = sa.Table(
    "nickname_history",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("nickname", NoCaseText(), nullable=False),
    sa.Column("changed_at", UTCDateTime, nullable=False),
    sa.Index("ix_nickname_history_user_id", "user_id"),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("device_id", CText(), nullable=False),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("model", sa.String(64), nullable=False),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
    sa.Index("ix_devices_user_id", "user_id"),
    sa.Index("ix_devices_device_id", "device_id", "user_id"),
)

rooms = sa.Table(
    "rooms",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("owner_id", BigId, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("title", sa.String(128), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("stream_name", sa.String(64), nullable=False, unique=True),
    sa.Column("state", sa.String(16), nullable=False, server_default="offline"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_rooms_owner_id", "owner_id"),
    sa.CheckConstraint("state IN ('live','offline','cut')", name="state"),
)

sanctions = sa.Table(
    "sanctions",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id")),
    sa.Column("room_id", BigId, sa.ForeignKey("rooms.id")),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("issued_by", sa.String(64), nullable=False),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("ends_at", UTCDateTime),
    sa.Column("lifted_by", sa.String(64)),
    sa.Column("lifted_at", UTCDateTime),
    sa.Index("ix_sanctions_user_id", "user_id"),
    sa.Index("ix_sanctions_room_id", "room_id"),
    sa.CheckConstraint("scope IN ('global','room','app')", name="scope"),
)

chat_messages = sa.Table(
    "chat_messages",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("msg_uid", sa.String(64), nullable=False, unique=True),
    sa.Column("from_user_id", sa.String(64), nullable=False),
    sa.Column("to_user_id", sa.String(64), nullable=False),
    sa.Column("object_name", sa.String(32), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("channel_type", sa.String(16), nullable=False),
    sa.Column("msg_timestamp", sa.BigInteger, nullable=False),
    sa.Column("sensitive_type", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("source", sa.String(16)),
    sa.Column("client_ip", sa.String(64)),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Index("ix_chat_from", "from_user_id", "msg_timestamp"),
    sa.Index("ix_chat_to", "to_user_id", "msg_timestamp"),
)

pushes = sa.Table(
    "pushes",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("cid", sa.String(64), nullable=False, unique=True),
    sa.Column("msg_id", sa.String(32)),
    sa.Column("title", sa.String(128), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("audience", JSONDoc, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
)

push_recipients = sa.Table(
    "push_recipients",
    metadata,
    sa.Column("push_id", BigId, sa.ForeignKey("pushes.id"), primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("received_at", UTCDateTime),
    sa.Column("clicked_at", UTCDateTime),
    sa.Index("ix_push_recipients_user_id", "user_id"),
)

sms_messages = sa.Table(
    "sms_messages",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id")),
    sa.Column("phone", CText(), nullable=False),
    sa.Column("template_code", sa.String(32), nullable=False),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("out_id", sa.String(64), nullable=False, unique=True),
    sa.Column("biz_id", sa.String(64)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error_code", sa.String(64)),
    sa.Column("sent_at", UTCDateTime, nullable=False),
    sa.Column("delivered_at", UTCDateTime),
    sa.Column("phone_masked", sa.String, sa.Computed(PHONE_MASKED_SQL["postgresql"], persisted=True)),
    sa.Index("ix_sms_messages_user_id", "user_id", "sent_at"),
    sa.Index("ix_sms_messages_phone", "phone", "sent_at"),  # created by migration 0004
)

support_notes = sa.Table(
    "support_notes",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_support_notes_user_id", "user_id"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("target", sa.String(128), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("before", JSONDoc),
    sa.Column("after", JSONDoc),
    sa.Column("outcome", sa.String(16), nullable=False, server_default="ok"),
    sa.Column("evidence", JSONDoc),
    sa.Index("ix_audit_log_at", "at"),
    sa.Index("ix_audit_log_actor", "actor", "id"),
    sa.Index("ix_audit_log_target", "target", "id"),
    sa.Index("ix_audit_log_kind", "kind", "id"),
)

action_outbox = sa.Table(
    "action_outbox",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("target", sa.String(128), nullable=False),
    sa.Column("payload", JSONDoc, nullable=False),
    sa.Column("requested_by", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # migration 0007: one runner at a time holds an action (a lease, renewed while its provider call runs),
    # and when a retryable failure may be tried again
    sa.Column("claimed_by", sa.String(128)),
    sa.Column("claimed_until", UTCDateTime),
    sa.Column("next_try_at", UTCDateTime),
    sa.Index("ix_action_outbox_state", "state", "id"),
    sa.CheckConstraint("state IN ('pending','done','failed','refused')", name="state"),
)

#: One row per live worker (migration 0007), written every few seconds: consoles show whether one is alive.
worker_heartbeats = sa.Table(
    "worker_heartbeats",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("login", sa.String(64), nullable=False),
    sa.Column("host", sa.String(128), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("seen_at", UTCDateTime, nullable=False),
    sa.Column("jobs_done", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("jobs_failed", sa.BigInteger, nullable=False, server_default="0"),
)

#: What one console did, for the others: polled on SQLite, announced by NOTIFY on PostgreSQL.
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("topic", sa.String(32), nullable=False),
    sa.Column("ref", sa.String(128), nullable=False, server_default=""),
)

# Search side tables (maintained by triggers, see console/db/search_ddl.py).
nick_bigram = sa.Table(
    "nick_bigram",
    metadata,
    sa.Column("bigram", CText(), primary_key=True),
    sa.Column("user_id", BigId, primary_key=True),
    sqlite_with_rowid=False,
)
hist_bigram = sa.Table(
    "hist_bigram",
    metadata,
    sa.Column("bigram", CText(), primary_key=True),
    sa.Column("user_id", BigId, primary_key=True),
    sqlite_with_rowid=False,
)

EVENT_CHANNEL = "shihou_events"
