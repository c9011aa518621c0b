"""SMS tables: approvals (shared with push), templates, opt-outs, campaigns and their recipients,
verification-code hashes; an index on sms_messages(phone, sent_at) for the per-number limits

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_TS = sa.DateTime(timezone=True)

#: Who picks a campaign's audience: operators may not read users.phone (the role design), so on
#: PostgreSQL the audience is counted and snapshotted into sms_campaign_recipients (phones included,
#: opted-out numbers left out) by this SECURITY DEFINER function, only for a campaign that was just
#: created and is awaiting approval. ``p_campaign`` NULL: count only.
PG_AUDIENCE_FUNCTION = """
CREATE OR REPLACE FUNCTION shihou_sms_audience(p_campaign bigint, p_kind text, p_days integer, p_ids bigint[],
                                               p_now timestamptz)
RETURNS TABLE (recipients bigint, opted_out bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  since timestamptz := p_now - make_interval(days => coalesce(p_days, 0));
BEGIN
  IF p_kind NOT IN ('active_days', 'registered_days', 'user_ids') THEN
    RAISE EXCEPTION 'unknown audience %', p_kind;
  END IF;
  IF p_campaign IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM sms_campaigns c WHERE c.id = p_campaign AND c.state = 'awaiting_approval')
       OR EXISTS (SELECT 1 FROM sms_campaign_recipients r WHERE r.campaign_id = p_campaign) THEN
      RAISE EXCEPTION 'campaign % cannot take an audience now', p_campaign;
    END IF;
    INSERT INTO sms_campaign_recipients (campaign_id, user_id, phone, out_id, state, attempts, updated_at)
    SELECT p_campaign, u.id, u.phone, 'c' || p_campaign || '-' || u.id, 'pending', 0, p_now
    FROM users u
    WHERE u.status = 'active' AND length(u.phone) = 11 AND u.phone LIKE '1%'
      AND CASE p_kind WHEN 'active_days' THEN u.last_active_at >= since
                      WHEN 'registered_days' THEN u.registered_at >= since
                      ELSE u.id = ANY (p_ids) END
      AND NOT EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.phone = u.phone)
    ORDER BY u.id;
  END IF;
  RETURN QUERY
    SELECT count(*) FILTER (WHERE o.phone IS NULL), count(o.phone)
    FROM users u LEFT JOIN sms_opt_outs o ON o.phone = u.phone
    WHERE u.status = 'active' AND length(u.phone) = 11 AND u.phone LIKE '1%'
      AND CASE p_kind WHEN 'active_days' THEN u.last_active_at >= since
                      WHEN 'registered_days' THEN u.registered_at >= since
                      ELSE u.id = ANY (p_ids) END;
END $$
"""

#: Operators run campaigns and approve each other's sends (never reading users.phone: the audience
#: comes from shihou_sms_audience); admins do everything; support reads the SMS of a user and resends
#: a verification code (writes sms_messages and sms_codes); moderators record receipts on the card.
PG_GRANTS = [
    "REVOKE ALL ON FUNCTION shihou_sms_audience(bigint, text, integer, bigint[], timestamptz) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION shihou_sms_audience(bigint, text, integer, bigint[], timestamptz) "
    "TO shihou_operator, shihou_admin",
    "GRANT SELECT, INSERT, UPDATE ON approvals, sms_templates, sms_opt_outs, sms_campaigns, "
    "sms_campaign_recipients, sms_codes TO shihou_operator",
    "GRANT DELETE ON sms_opt_outs TO shihou_operator",
    "GRANT SELECT, INSERT, UPDATE ON approvals, sms_templates, sms_opt_outs, sms_campaigns, "
    "sms_campaign_recipients, sms_codes TO shihou_admin",
    "GRANT DELETE ON sms_opt_outs TO shihou_admin",
    "GRANT SELECT ON sms_templates, sms_opt_outs, approvals TO shihou_support",
    "GRANT SELECT, INSERT ON sms_codes TO shihou_support",
    "GRANT INSERT, UPDATE (status, error_code, delivered_at, biz_id) ON sms_messages TO shihou_support",
    "GRANT SELECT ON approvals TO shihou_moderator",
    "GRANT UPDATE (status, error_code, delivered_at, biz_id) ON sms_messages TO shihou_moderator",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_operator",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_admin",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_support",
]


def upgrade() -> None:
    op.create_table(
        'approvals',
        sa.Column('id', _ID, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('subject_id', sa.String(length=64), nullable=False),
        sa.Column('summary', sa.Text(), server_default='', nullable=False),
        sa.Column('audience_size', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('requested_by', sa.String(length=64), nullable=False),
        sa.Column('requested_at', _TS, nullable=False),
        sa.Column('state', sa.String(length=16), server_default='pending', nullable=False),
        sa.Column('approved_by', sa.String(length=64), nullable=True),
        sa.Column('decided_at', _TS, nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('push','sms')", name=op.f('ck_approvals_kind')),
        sa.CheckConstraint("state IN ('pending','approved','rejected','cancelled')", name=op.f('ck_approvals_state')),
        sa.CheckConstraint("approved_by IS NULL OR approved_by <> requested_by",
                           name=op.f('ck_approvals_self_approval')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals')),
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index('ix_approvals_state', ['state', 'id'], unique=False)
        batch_op.create_index('ix_approvals_subject', ['kind', 'subject_id'], unique=False)

    op.create_table(
        'sms_templates',
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=64), server_default='', nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('approved', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('synced_at', _TS, nullable=False),
        sa.Column('synced_by', sa.String(length=64), nullable=False),
        sa.CheckConstraint("kind IN ('code','notice','marketing')", name=op.f('ck_sms_templates_kind')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_sms_templates')),
    )
    op.create_table(
        'sms_opt_outs',
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('user_id', _ID, nullable=True),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.PrimaryKeyConstraint('phone', name=op.f('pk_sms_opt_outs')),
    )
    op.create_table(
        'sms_campaigns',
        sa.Column('id', _ID, nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('template_code', sa.String(length=32), nullable=False),
        sa.Column('params', _JSON, nullable=False),
        sa.Column('audience', _JSON, nullable=False),
        sa.Column('audience_size', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('skipped_opt_out', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('quiet_start', sa.SmallInteger(), server_default='21', nullable=False),
        sa.Column('quiet_end', sa.SmallInteger(), server_default='8', nullable=False),
        sa.Column('state', sa.String(length=24), nullable=False),
        sa.Column('approval_id', _ID, nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('started_at', _TS, nullable=True),
        sa.Column('finished_at', _TS, nullable=True),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('claimed_at', _TS, nullable=True),
        sa.CheckConstraint("state IN ('awaiting_approval','approved','sending','done','rejected','cancelled')",
                           name=op.f('ck_sms_campaigns_state')),
        sa.ForeignKeyConstraint(['approval_id'], ['approvals.id'], name=op.f('fk_sms_campaigns_approval_id_approvals')),
        sa.ForeignKeyConstraint(['template_code'], ['sms_templates.code'],
                                name=op.f('fk_sms_campaigns_template_code_sms_templates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_campaigns')),
    )
    with op.batch_alter_table('sms_campaigns', schema=None) as batch_op:
        batch_op.create_index('ix_sms_campaigns_state', ['state', 'id'], unique=False)

    op.create_table(
        'sms_campaign_recipients',
        sa.Column('id', _ID, nullable=False),
        sa.Column('campaign_id', _ID, nullable=False),
        sa.Column('user_id', _ID, nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('out_id', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), server_default='pending', nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('biz_id', sa.String(length=64), nullable=True),
        sa.Column('error_code', sa.String(length=64), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('updated_at', _TS, nullable=False),
        sa.CheckConstraint("state IN ('pending','sent','failed')", name=op.f('ck_sms_campaign_recipients_state')),
        sa.ForeignKeyConstraint(['campaign_id'], ['sms_campaigns.id'],
                                name=op.f('fk_sms_campaign_recipients_campaign_id_sms_campaigns')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_campaign_recipients')),
        sa.UniqueConstraint('out_id', name=op.f('uq_sms_campaign_recipients_out_id')),
    )
    with op.batch_alter_table('sms_campaign_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_sms_campaign_recipients_campaign', ['campaign_id', 'state', 'id'], unique=False)

    op.create_table(
        'sms_codes',
        sa.Column('out_id', sa.String(length=64), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('user_id', _ID, nullable=True),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('expires_at', _TS, nullable=False),
        sa.PrimaryKeyConstraint('out_id', name=op.f('pk_sms_codes')),
    )
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.create_index('ix_sms_codes_phone', ['phone', 'created_at'], unique=False)

    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index('ix_sms_messages_phone', ['phone', 'sent_at'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_AUDIENCE_FUNCTION)
        for stmt in PG_GRANTS:
            op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS shihou_sms_audience(bigint, text, integer, bigint[], timestamptz)")
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_messages_phone')
    op.drop_table('sms_codes')
    op.drop_table('sms_campaign_recipients')
    op.drop_table('sms_campaigns')
    op.drop_table('sms_opt_outs')
    op.drop_table('sms_templates')
    op.drop_table('approvals')
