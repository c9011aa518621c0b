"""chat moderation tables

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_TS = sa.DateTime(timezone=True)

_TABLES = ("chat_rooms", "chat_whitelist", "chat_words", "chat_regex_rules", "chat_sanction_targets",
           "chat_lockdown_presets", "chat_lockdowns", "chat_recalls")

#: moderators and admins manage chat; support reads the lists (user card); the sequences are
#: already granted schema-wide by 0001 but new ones need the grant again.
PG_GRANTS = [
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(_TABLES)} TO shihou_moderator",
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(_TABLES)} TO shihou_admin",
    "GRANT SELECT ON chat_rooms, chat_sanction_targets TO shihou_support",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_moderator",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_admin",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_support",
]


def upgrade() -> None:
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.create_index('ix_chat_messages_room', ['to_user_id', 'id'], unique=False)

    op.create_table(
        'chat_rooms',
        sa.Column('room_key', sa.String(length=64), nullable=False),
        sa.Column('room_id', _ID, nullable=True),
        sa.Column('muted', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('muted_by', sa.String(length=64), nullable=True),
        sa.Column('muted_at', _TS, nullable=True),
        sa.Column('session_started_at', _TS, nullable=True),
        sa.Column('ladder', _JSON, nullable=True),
        sa.Column('updated_at', _TS, nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_chat_rooms_room_id_rooms')),
        sa.PrimaryKeyConstraint('room_key', name=op.f('pk_chat_rooms')),
    )
    with op.batch_alter_table('chat_rooms', schema=None) as batch_op:
        batch_op.create_index('ix_chat_rooms_room_id', ['room_id'], unique=False)

    op.create_table(
        'chat_whitelist',
        sa.Column('room_key', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('added_by', sa.String(length=64), nullable=False),
        sa.Column('added_at', _TS, nullable=False),
        sa.PrimaryKeyConstraint('room_key', 'user_id', name=op.f('pk_chat_whitelist')),
    )

    op.create_table(
        'chat_words',
        sa.Column('word', sa.String(length=32), nullable=False),
        sa.Column('replace_word', sa.String(length=32), nullable=True),
        sa.Column('session_only', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('lockdown_id', _ID, nullable=True),
        sa.Column('expires_at', _TS, nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.PrimaryKeyConstraint('word', name=op.f('pk_chat_words')),
    )

    op.create_table(
        'chat_regex_rules',
        sa.Column('id', _ID, nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('pattern', sa.String(length=500), nullable=False),
        sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_regex_rules')),
        sa.UniqueConstraint('name', name=op.f('uq_chat_regex_rules_name')),
    )

    op.create_table(
        'chat_sanction_targets',
        sa.Column('sanction_id', _ID, nullable=False),
        sa.Column('sender', sa.String(length=64), nullable=False),
        sa.Column('room_key', sa.String(length=64), nullable=True),
        sa.Column('action_id', _ID, nullable=True),
        sa.ForeignKeyConstraint(['sanction_id'], ['sanctions.id'],
                                name=op.f('fk_chat_sanction_targets_sanction_id_sanctions')),
        sa.PrimaryKeyConstraint('sanction_id', name=op.f('pk_chat_sanction_targets')),
    )
    with op.batch_alter_table('chat_sanction_targets', schema=None) as batch_op:
        batch_op.create_index('ix_chat_sanction_targets_room_key', ['room_key', 'sender'], unique=False)
        batch_op.create_index('ix_chat_sanction_targets_sender', ['sender'], unique=False)

    op.create_table(
        'chat_lockdown_presets',
        sa.Column('id', _ID, nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('config', _JSON, nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_lockdown_presets')),
        sa.UniqueConstraint('name', name=op.f('uq_chat_lockdown_presets_name')),
    )

    op.create_table(
        'chat_lockdowns',
        sa.Column('id', _ID, nullable=False),
        sa.Column('ref', sa.String(length=40), nullable=False),
        sa.Column('preset', _JSON, nullable=False),
        sa.Column('room_keys', _JSON, nullable=False),
        sa.Column('gag_users', _JSON, nullable=False),
        sa.Column('started_by', sa.String(length=64), nullable=False),
        sa.Column('started_at', _TS, nullable=False),
        sa.Column('revert_at', _TS, nullable=True),
        sa.Column('reverted_at', _TS, nullable=True),
        sa.Column('action_id', _ID, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_lockdowns')),
        sa.UniqueConstraint('ref', name=op.f('uq_chat_lockdowns_ref')),
    )
    with op.batch_alter_table('chat_lockdowns', schema=None) as batch_op:
        batch_op.create_index('ix_chat_lockdowns_revert_at', ['reverted_at', 'revert_at'], unique=False)

    op.create_table(
        'chat_recalls',
        sa.Column('msg_uid', sa.String(length=64), nullable=False),
        sa.Column('room_key', sa.String(length=64), nullable=False),
        sa.Column('recalled_by', sa.String(length=64), nullable=False),
        sa.Column('recalled_at', _TS, nullable=False),
        sa.PrimaryKeyConstraint('msg_uid', name=op.f('pk_chat_recalls')),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON {', '.join(_TABLES)} FROM PUBLIC")
        for stmt in PG_GRANTS:
            op.execute(stmt)


def downgrade() -> None:
    for name in reversed(_TABLES):
        op.drop_table(name)
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_messages_room')
