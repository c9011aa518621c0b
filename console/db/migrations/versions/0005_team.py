"""Team deployment: sign-in protection and temporary passwords on ``operators``, the ``refused`` state of
an action, masked phones computed by the database (users, sms_messages), and (PostgreSQL) one login role per operator with the
rules the database enforces (console/db/team_ddl.py)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.db import team_ddl
from console.db.tables import PHONE_MASKED_SQL

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', _TS, nullable=True))
        batch_op.add_column(sa.Column('last_sign_in_at', _TS, nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('action_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_action_outbox_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_action_outbox_state'), "state IN ('pending','done','failed','refused')")
    kind = 'STORED' if dialect == 'postgresql' else 'VIRTUAL'  # SQLite adds only virtual generated columns
    for table in ('users', 'sms_messages'):
        op.execute(f"ALTER TABLE {table} ADD COLUMN phone_masked TEXT GENERATED ALWAYS AS "
                   f"({PHONE_MASKED_SQL[dialect]}) {kind}")
    if dialect == 'postgresql':
        for stmt in team_ddl.pg_upgrade():
            op.execute(stmt)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for stmt in team_ddl.PG_DOWNGRADE:
            op.execute(stmt)
    for table in ('users', 'sms_messages'):
        op.execute(f"ALTER TABLE {table} DROP COLUMN phone_masked")
    with op.batch_alter_table('action_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_action_outbox_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_action_outbox_state'), "state IN ('pending','done','failed')")
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('last_sign_in_at')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_attempts')
