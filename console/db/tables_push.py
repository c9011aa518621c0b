"""Tables of push campaigns (issue 7): owned by the push work; share ``console.db.tables.metadata``.

A *campaign* is what an operator composes and sends once (or schedules). Sending it makes one or
more *pushes* (the shared ``pushes`` table, one row per JPush ``msg_id``; ``push_recipients`` lists the
users a push reached when its audience was resolved to aliases). A campaign whose audience is a
database segment is cut into *batches* of at most 1000 aliases (``push_batches``): the plan is
durable before the first push, so a killed console resumes it where it stopped; each batch is one
action-outbox row (its JPush ``cid`` stored there before the first attempt).

Two-person approval rows live in ``approvals`` (``console.db.tables_sms``, kind ``push``,
``subject_id`` = the campaign id as text).
"""

from __future__ import annotations

import sqlalchemy as sa

from console.db.tables import BigId, JSONDoc, UTCDateTime, metadata

CAMPAIGN_STATES = ("draft", "awaiting_approval", "approved", "rejected", "sending", "scheduled", "done",
                   "failed", "cancelled")

push_campaigns = sa.Table(
    "push_campaigns",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    #: The default title and text (what the user card and lists show).
    sa.Column("title", sa.String(128), nullable=False, server_default=""),
    sa.Column("body", sa.Text, nullable=False),
    #: The composed draft (per-platform overrides, badge, sound, deep link, TTL...), as JSON.
    sa.Column("draft", JSONDoc, nullable=False),
    #: The audience spec: ``{"all": true}`` / tags / aliases / registration ids / a database segment.
    sa.Column("audience", JSONDoc, nullable=False),
    sa.Column("audience_size", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("state", sa.String(20), nullable=False, server_default="draft"),
    sa.Column("test", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("approval_id", sa.BigInteger),
    #: Plan of a segment campaign: batches written so far, the last user id planned, whether done.
    sa.Column("batches_planned", sa.Integer, nullable=False, server_default="0"),
    sa.Column("plan_cursor", sa.BigInteger),
    sa.Column("plan_complete", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("pushes_done", sa.Integer, nullable=False, server_default="0"),
    sa.Column("pushes_failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("recipients", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("started_at", UTCDateTime),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Index("ix_push_campaigns_state", "state", "id"),
    sa.CheckConstraint("state IN (" + ",".join(f"'{s}'" for s in CAMPAIGN_STATES) + ")", name="state"),
)

#: The durable plan of a campaign: one row per push of at most 1000 aliases.
push_batches = sa.Table(
    "push_batches",
    metadata,
    sa.Column("campaign_id", BigId, sa.ForeignKey("push_campaigns.id"), primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("first_user_id", sa.BigInteger),
    sa.Column("last_user_id", sa.BigInteger),
    sa.Column("size", sa.Integer, nullable=False),
    #: The aliases of this push (JSON list of strings), or null for a single non-alias push.
    sa.Column("aliases", JSONDoc),
    #: The idempotency key of its action-outbox row.
    sa.Column("action_key", sa.String(64), nullable=False, unique=True),
    sa.Column("state", sa.String(16), nullable=False, server_default="planned"),
    sa.Column("push_id", sa.BigInteger),
    sa.Column("msg_id", sa.String(32)),
    sa.Column("error", sa.Text),
    sa.CheckConstraint("state IN ('planned','done','failed')", name="state"),
)

#: Which pushes a campaign made (the shared ``pushes`` table has no campaign column).
push_campaign_pushes = sa.Table(
    "push_campaign_pushes",
    metadata,
    sa.Column("campaign_id", BigId, sa.ForeignKey("push_campaigns.id"), primary_key=True),
    sa.Column("push_id", BigId, sa.ForeignKey("pushes.id"), primary_key=True),
    sa.Index("ix_push_campaign_pushes_push_id", "push_id"),
)

#: JPush schedules made from this console (the provider is the truth; this is who and why).
push_schedules = sa.Table(
    "push_schedules",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("campaign_id", BigId, sa.ForeignKey("push_campaigns.id"), nullable=False),
    sa.Column("schedule_id", sa.String(64), unique=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("trigger", JSONDoc, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("state", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_push_schedules_state", "state", "id"),
    sa.CheckConstraint("kind IN ('once','periodic')", name="kind"),
    sa.CheckConstraint("state IN ('active','cancelled','finished')", name="state"),
)

#: Report figures per campaign and platform (refreshed from the JPush report API while it runs).
push_campaign_stats = sa.Table(
    "push_campaign_stats",
    metadata,
    sa.Column("campaign_id", BigId, sa.ForeignKey("push_campaigns.id"), primary_key=True),
    sa.Column("platform", sa.String(16), primary_key=True),
    sa.Column("target", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("sent", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("received", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("clicked", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

PUSH_TABLES = ("push_campaigns", "push_batches", "push_campaign_pushes", "push_schedules", "push_campaign_stats")
