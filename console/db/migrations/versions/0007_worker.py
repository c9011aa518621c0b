"""The worker: a claim (lease) and the next try on ``action_outbox``, ``worker_heartbeats``, and on PostgreSQL
procrastinate's schema, the worker's grants and the rules that let ``shihou_worker`` members run queued actions
in their requester's name (console/db/worker_ddl.py)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.db import worker_ddl

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('action_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(128), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', _TS, nullable=True))
        batch_op.add_column(sa.Column('next_try_at', _TS, nullable=True))
    if dialect == 'postgresql':
        from procrastinate.schema import SchemaManager
        from sqlalchemy.util import await_only

        # procrastinate's schema is one script of many statements: asyncpg runs it unprepared
        driver = op.get_bind().connection.driver_connection
        assert driver is not None
        await_only(driver.execute(SchemaManager.get_schema()))
        for stmt in worker_ddl.pg_upgrade():
            op.execute(stmt)
    else:
        op.create_table(
            'worker_heartbeats',
            sa.Column('name', sa.String(128), nullable=False),
            sa.Column('login', sa.String(64), nullable=False),
            sa.Column('host', sa.String(128), nullable=False),
            sa.Column('pid', sa.Integer(), nullable=False),
            sa.Column('started_at', _TS, nullable=False),
            sa.Column('seen_at', _TS, nullable=False),
            sa.Column('jobs_done', sa.BigInteger(), server_default='0', nullable=False),
            sa.Column('jobs_failed', sa.BigInteger(), server_default='0', nullable=False),
            sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeats')),
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for stmt in worker_ddl.PG_DOWNGRADE:
            op.execute(stmt)
        for stmt in worker_ddl.PROCRASTINATE_DROP:
            op.execute(stmt)
    else:
        op.drop_table('worker_heartbeats')
    with op.batch_alter_table('action_outbox', schema=None) as batch_op:
        batch_op.drop_column('next_try_at')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')
