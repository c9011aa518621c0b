"""push campaign tables

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_TS = sa.DateTime(timezone=True)
_STATES = ("draft", "awaiting_approval", "approved", "rejected", "sending", "scheduled", "done", "failed",
           "cancelled")
_TABLES = ("push_campaigns", "push_batches", "push_campaign_pushes", "push_schedules", "push_campaign_stats")

#: Operators compose and send; admins too. Segments read activity and room chat (who chatted in a room).
_PG_GRANTS = [
    *(f"GRANT SELECT, INSERT, UPDATE ON {', '.join(_TABLES)} TO {r}" for r in ("shihou_operator", "shihou_admin")),
    "GRANT SELECT (from_user_id, to_user_id, msg_timestamp) ON chat_messages TO shihou_operator",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_operator",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_admin",
    # the user card (support, moderators) shows which campaign a push came from
    *(f"GRANT SELECT ON push_campaigns, push_campaign_pushes TO {r}" for r in ("shihou_support", "shihou_moderator")),
]


def upgrade() -> None:
    op.create_table(
        'push_campaigns',
        sa.Column('id', _ID, nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('title', sa.String(length=128), server_default='', nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('draft', _JSON, nullable=False),
        sa.Column('audience', _JSON, nullable=False),
        sa.Column('audience_size', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('state', sa.String(length=20), server_default='draft', nullable=False),
        sa.Column('test', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('reason', sa.Text(), server_default='', nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('updated_at', _TS, nullable=False),
        sa.Column('approval_id', sa.BigInteger(), nullable=True),
        sa.Column('batches_planned', sa.Integer(), server_default='0', nullable=False),
        sa.Column('plan_cursor', sa.BigInteger(), nullable=True),
        sa.Column('plan_complete', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('pushes_done', sa.Integer(), server_default='0', nullable=False),
        sa.Column('pushes_failed', sa.Integer(), server_default='0', nullable=False),
        sa.Column('recipients', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('started_at', _TS, nullable=True),
        sa.Column('finished_at', _TS, nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.CheckConstraint("state IN (" + ",".join(f"'{s}'" for s in _STATES) + ")",
                           name=op.f('ck_push_campaigns_state')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_campaigns')),
    )
    with op.batch_alter_table('push_campaigns', schema=None) as batch_op:
        batch_op.create_index('ix_push_campaigns_state', ['state', 'id'], unique=False)

    op.create_table(
        'push_batches',
        sa.Column('campaign_id', _ID, nullable=False),
        sa.Column('n', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('first_user_id', sa.BigInteger(), nullable=True),
        sa.Column('last_user_id', sa.BigInteger(), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('aliases', _JSON, nullable=True),
        sa.Column('action_key', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), server_default='planned', nullable=False),
        sa.Column('push_id', sa.BigInteger(), nullable=True),
        sa.Column('msg_id', sa.String(length=32), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.CheckConstraint("state IN ('planned','done','failed')", name=op.f('ck_push_batches_state')),
        sa.ForeignKeyConstraint(['campaign_id'], ['push_campaigns.id'],
                                name=op.f('fk_push_batches_campaign_id_push_campaigns')),
        sa.PrimaryKeyConstraint('campaign_id', 'n', name=op.f('pk_push_batches')),
        sa.UniqueConstraint('action_key', name=op.f('uq_push_batches_action_key')),
    )

    op.create_table(
        'push_campaign_pushes',
        sa.Column('campaign_id', _ID, nullable=False),
        sa.Column('push_id', _ID, nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['push_campaigns.id'],
                                name=op.f('fk_push_campaign_pushes_campaign_id_push_campaigns')),
        sa.ForeignKeyConstraint(['push_id'], ['pushes.id'], name=op.f('fk_push_campaign_pushes_push_id_pushes')),
        sa.PrimaryKeyConstraint('campaign_id', 'push_id', name=op.f('pk_push_campaign_pushes')),
    )
    with op.batch_alter_table('push_campaign_pushes', schema=None) as batch_op:
        batch_op.create_index('ix_push_campaign_pushes_push_id', ['push_id'], unique=False)

    op.create_table(
        'push_schedules',
        sa.Column('id', _ID, nullable=False),
        sa.Column('campaign_id', _ID, nullable=False),
        sa.Column('schedule_id', sa.String(length=64), nullable=True),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('trigger', _JSON, nullable=False),
        sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('state', sa.String(length=16), server_default='active', nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('updated_at', _TS, nullable=False),
        sa.CheckConstraint("kind IN ('once','periodic')", name=op.f('ck_push_schedules_kind')),
        sa.CheckConstraint("state IN ('active','cancelled','finished')", name=op.f('ck_push_schedules_state')),
        sa.ForeignKeyConstraint(['campaign_id'], ['push_campaigns.id'],
                                name=op.f('fk_push_schedules_campaign_id_push_campaigns')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_schedules')),
        sa.UniqueConstraint('schedule_id', name=op.f('uq_push_schedules_schedule_id')),
    )
    with op.batch_alter_table('push_schedules', schema=None) as batch_op:
        batch_op.create_index('ix_push_schedules_state', ['state', 'id'], unique=False)

    op.create_table(
        'push_campaign_stats',
        sa.Column('campaign_id', _ID, nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('target', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('sent', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('received', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('clicked', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('updated_at', _TS, nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['push_campaigns.id'],
                                name=op.f('fk_push_campaign_stats_campaign_id_push_campaigns')),
        sa.PrimaryKeyConstraint('campaign_id', 'platform', name=op.f('pk_push_campaign_stats')),
    )

    if op.get_bind().dialect.name == "postgresql":
        for stmt in _PG_GRANTS:
            op.execute(stmt)


def downgrade() -> None:
    for name in reversed(_TABLES):
        op.drop_table(name)
