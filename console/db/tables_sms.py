"""Tables of SMS (issue 7): owned by the SMS work; share ``console.db.tables.metadata``.

``approvals`` is shared with the push work: a send that needs a second operator (a push to
all users, every SMS campaign) writes one row here; another operator approves or rejects it
from their own console (``events.publish(conn, "approvals", str(id))`` announces it). It is
created by migration 0004 (after push's 0003); the push code only reads and writes rows.
"""

from __future__ import annotations

import sqlalchemy as sa

from console.db.tables import PHONE_MASKED_SQL, BigId, JSONDoc, UTCDateTime, metadata

#: Two-person approval of a send. ``kind`` says which subsystem owns ``subject_id`` (for
#: ``sms`` the ``sms_campaigns.id``; for ``push`` whatever id the push work uses, as text).
#: ``state``: pending -> approved | rejected, or pending -> cancelled by the requester.
#: The database itself refuses ``approved_by == requested_by`` (check ``self_approval``).
approvals = sa.Table(
    "approvals",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("subject_id", sa.String(64), nullable=False),
    #: One line for the approver's list, e.g. "短信活动 #12 · 34,120 人 · 模板 SMS_0001".
    sa.Column("summary", sa.Text, nullable=False, server_default=""),
    sa.Column("audience_size", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("requested_by", sa.String(64), nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("approved_by", sa.String(64)),
    sa.Column("decided_at", UTCDateTime),
    sa.Column("note", sa.Text),
    sa.Index("ix_approvals_state", "state", "id"),
    sa.Index("ix_approvals_subject", "kind", "subject_id"),
    sa.CheckConstraint("kind IN ('push','sms')", name="kind"),
    sa.CheckConstraint("state IN ('pending','approved','rejected','cancelled')", name="state"),
    sa.CheckConstraint("approved_by IS NULL OR approved_by <> requested_by", name="self_approval"),
)

#: Templates as approved by the vendor (``QuerySmsTemplate`` fills and refreshes them). ``kind``: code
#: (verification codes), notice, marketing. Campaigns use only ``approved`` notice/marketing templates;
#: the support resend uses the ``code`` template named by ``sms.code_template``.
sms_templates = sa.Table(
    "sms_templates",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, server_default=""),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("approved", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("synced_at", UTCDateTime, nullable=False),
    sa.Column("synced_by", sa.String(64), nullable=False),
    sa.CheckConstraint("kind IN ('code','notice','marketing')", name="kind"),
)

#: Numbers that asked not to receive marketing/notice SMS (a reply "R"/"TD", a support request).
#: Campaigns skip them; verification codes are still sent. Migration 0006 gave it ``id`` (the key the list
#: removes an entry by; ``phone`` stays unique) and ``phone_masked`` (generated: what roles without
#: REVEAL_PHONE read; on PostgreSQL operators may not read ``phone``).
sms_opt_outs = sa.Table(
    "sms_opt_outs",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("phone", sa.String(20), nullable=False, unique=True),
    sa.Column("user_id", BigId),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("phone_masked", sa.String, sa.Computed(PHONE_MASKED_SQL["postgresql"], persisted=True)),
)

#: One SMS campaign: a template with fixed variables, an audience (JSON: {"kind": "active_days", "days": 7}
#: | {"kind": "user_ids", "ids": [...]} | {"kind": "registered_days", "days": 30}) snapshotted into
#: ``sms_campaign_recipients`` when it is created, a two-person approval, quiet hours (China time).
#: ``state``: awaiting_approval -> approved -> sending -> done | rejected | cancelled.
#: ``claimed_by``/``claimed_at``: the console sending it now (a heartbeat; another console takes over
#: after ``claim_ttl``), so two consoles never send the same recipient at the same time.
sms_campaigns = sa.Table(
    "sms_campaigns",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("template_code", sa.String(32), sa.ForeignKey("sms_templates.code"), nullable=False),
    sa.Column("params", JSONDoc, nullable=False),
    sa.Column("audience", JSONDoc, nullable=False),
    sa.Column("audience_size", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("skipped_opt_out", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("quiet_start", sa.SmallInteger, nullable=False, server_default="21"),
    sa.Column("quiet_end", sa.SmallInteger, nullable=False, server_default="8"),
    sa.Column("state", sa.String(24), nullable=False),
    sa.Column("approval_id", BigId, sa.ForeignKey("approvals.id")),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("started_at", UTCDateTime),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("claimed_by", sa.String(96)),  # "<operator>#<console>" (0006: an operator name has up to 63)
    sa.Column("claimed_at", UTCDateTime),
    sa.Index("ix_sms_campaigns_state", "state", "id"),
    sa.CheckConstraint(
        "state IN ('awaiting_approval','approved','sending','done','rejected','cancelled')", name="state"),
)

#: Every recipient of a campaign, with its ``out_id`` fixed before any call: the outbox of the campaign.
#: ``state``: pending -> sent | failed. A pending row that was attempted (``attempts`` > 0) may have been
#: sent already (a lost answer): it is looked up by ``out_id`` (QuerySendDetails) before it is sent again.
#: When sent, the message is also an ``sms_messages`` row (same ``out_id``) that carries the delivery status.
sms_campaign_recipients = sa.Table(
    "sms_campaign_recipients",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("campaign_id", BigId, sa.ForeignKey("sms_campaigns.id"), nullable=False),
    sa.Column("user_id", BigId, nullable=False),
    sa.Column("phone", sa.String(20), nullable=False),
    sa.Column("out_id", sa.String(64), nullable=False, unique=True),
    sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("biz_id", sa.String(64)),
    sa.Column("error_code", sa.String(64)),
    sa.Column("last_error", sa.Text),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_sms_campaign_recipients_campaign", "campaign_id", "state", "id"),
    sa.CheckConstraint("state IN ('pending','sent','failed')", name="state"),
)

#: Verification codes the console sent (support's "resend code"): only a salted hash, never the code.
#: The app backend checks a code a user types against the newest unexpired row of the number
#: (an interface the backend must adopt: UNCONFIRMED how it stores its own codes today).
sms_codes = sa.Table(
    "sms_codes",
    metadata,
    sa.Column("out_id", sa.String(64), primary_key=True),
    sa.Column("phone", sa.String(20), nullable=False),
    sa.Column("user_id", BigId),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Index("ix_sms_codes_phone", "phone", "created_at"),
)

#: Changes to the shared ``sms_messages`` made by migration 0004 (tables.py must declare them too):
#: no new column (campaign messages are linked through ``out_id``, unique in both tables); one index,
#: ``sa.Index("ix_sms_messages_phone", "phone", "sent_at")``, for the per-number limits of the resend.
