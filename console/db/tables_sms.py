"""Tables of SMS (issue 7): owned by the SMS work; share ``console.db.tables.metadata``.

``approvals`` is shared with the push work: a send that needs a second operator (a push to
all users, every SMS campaign) writes one row here; another operator approves or rejects it
from their own console (``events.publish(conn, "approvals", str(id))`` announces it). It is
created by migration 0004 (after push's 0003); the push code only reads and writes rows.
"""

from __future__ import annotations

import sqlalchemy as sa

from console.db.tables import BigId, UTCDateTime, metadata

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
