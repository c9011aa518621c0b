"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 15:46:32.886103
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from console.db import search_ddl

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('action_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=128), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('pending','done','failed')", name=op.f('ck_action_outbox_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_action_outbox_idempotency_key'))
    )
    with op.batch_alter_table('action_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_action_outbox_state', ['state', 'id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=128), nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('outcome', sa.String(length=16), server_default='ok', nullable=False),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_actor', ['actor', 'id'], unique=False)
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_kind', ['kind', 'id'], unique=False)
        batch_op.create_index('ix_audit_log_target', ['target', 'id'], unique=False)

    op.create_table('chat_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('msg_uid', sa.String(length=64), nullable=False),
    sa.Column('from_user_id', sa.String(length=64), nullable=False),
    sa.Column('to_user_id', sa.String(length=64), nullable=False),
    sa.Column('object_name', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('channel_type', sa.String(length=16), nullable=False),
    sa.Column('msg_timestamp', sa.BigInteger(), nullable=False),
    sa.Column('sensitive_type', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('source', sa.String(length=16), nullable=True),
    sa.Column('client_ip', sa.String(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_messages')),
    sa.UniqueConstraint('msg_uid', name=op.f('uq_chat_messages_msg_uid'))
    )
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.create_index('ix_chat_from', ['from_user_id', 'msg_timestamp'], unique=False)
        batch_op.create_index('ix_chat_to', ['to_user_id', 'msg_timestamp'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('ref', sa.String(length=128), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_table('hist_bigram',
    sa.Column('bigram', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('bigram', 'user_id', name=op.f('pk_hist_bigram')),
    sqlite_with_rowid=False
    )
    op.create_table('nick_bigram',
    sa.Column('bigram', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('bigram', 'user_id', name=op.f('pk_nick_bigram')),
    sqlite_with_rowid=False
    )
    op.create_table('operators',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('moderator','operator','support','admin')", name=op.f('ck_operators_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operators')),
    sa.UniqueConstraint('username', name=op.f('uq_operators_username'))
    )
    op.create_table('pushes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cid', sa.String(length=64), nullable=False),
    sa.Column('msg_id', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pushes')),
    sa.UniqueConstraint('cid', name=op.f('uq_pushes_cid'))
    )
    op.create_table('users',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('phone', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('nickname', sa.String().with_variant(sa.String(collation='C'), 'postgresql').with_variant(sa.String(collation='NOCASE'), 'sqlite'), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('last_active_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_phone', ['phone'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_devices_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index('ix_devices_device_id', ['device_id', 'user_id'], unique=False)
        batch_op.create_index('ix_devices_user_id', ['user_id'], unique=False)

    op.create_table('nickname_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('nickname', sa.String().with_variant(sa.String(collation='C'), 'postgresql').with_variant(sa.String(collation='NOCASE'), 'sqlite'), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_nickname_history_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nickname_history'))
    )
    with op.batch_alter_table('nickname_history', schema=None) as batch_op:
        batch_op.create_index('ix_nickname_history_user_id', ['user_id'], unique=False)

    op.create_table('push_recipients',
    sa.Column('push_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clicked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['push_id'], ['pushes.id'], name=op.f('fk_push_recipients_push_id_pushes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_push_recipients_user_id_users')),
    sa.PrimaryKeyConstraint('push_id', 'user_id', name=op.f('pk_push_recipients'))
    )
    with op.batch_alter_table('push_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_push_recipients_user_id', ['user_id'], unique=False)

    op.create_table('rooms',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('stream_name', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), server_default='offline', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('live','offline','cut')", name=op.f('ck_rooms_state')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_rooms_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rooms')),
    sa.UniqueConstraint('stream_name', name=op.f('uq_rooms_stream_name'))
    )
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.create_index('ix_rooms_owner_id', ['owner_id'], unique=False)

    op.create_table('sms_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('phone', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('template_code', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('out_id', sa.String(length=64), nullable=False),
    sa.Column('biz_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sms_messages_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_messages')),
    sa.UniqueConstraint('out_id', name=op.f('uq_sms_messages_out_id'))
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index('ix_sms_messages_user_id', ['user_id', 'sent_at'], unique=False)

    op.create_table('support_notes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_support_notes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_notes'))
    )
    with op.batch_alter_table('support_notes', schema=None) as batch_op:
        batch_op.create_index('ix_support_notes_user_id', ['user_id'], unique=False)

    op.create_table('sanctions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('room_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_by', sa.String(length=64), nullable=True),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("scope IN ('global','room','app')", name=op.f('ck_sanctions_scope')),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_sanctions_room_id_rooms')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sanctions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanctions'))
    )
    with op.batch_alter_table('sanctions', schema=None) as batch_op:
        batch_op.create_index('ix_sanctions_room_id', ['room_id'], unique=False)
        batch_op.create_index('ix_sanctions_user_id', ['user_id'], unique=False)

    

    _dialect_specific_upgrade()


def _dialect_specific_upgrade() -> None:
    """Search structures, the audit guard and (PostgreSQL) roles and grants."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for stmt in (search_ddl.SQLITE_SEARCH_TABLES + search_ddl.SQLITE_SEARCH_TRIGGERS
                     + search_ddl.SQLITE_AUDIT_GUARD):
            op.execute(stmt)
    else:
        for stmt in search_ddl.PG_SEARCH + search_ddl.PG_SEARCH_TRIGGERS + search_ddl.pg_create_roles():
            op.execute(stmt)
        op.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC")
        for stmts in search_ddl.PG_GRANTS.values():
            for stmt in stmts:
                op.execute(stmt)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("users_nick_fts", "hist_nick_fts", "seq"):
            op.execute(f"DROP TABLE IF EXISTS {name}")
    else:
        for stmt in search_ddl.PG_DROP_SEARCH_TRIGGERS:
            op.execute(stmt)
        for fn in ("shihou_users_search()", "shihou_hist_search()", "shihou_bigrams(text)"):
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    
    with op.batch_alter_table('sanctions', schema=None) as batch_op:
        batch_op.drop_index('ix_sanctions_user_id')
        batch_op.drop_index('ix_sanctions_room_id')

    op.drop_table('sanctions')
    with op.batch_alter_table('support_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_support_notes_user_id')

    op.drop_table('support_notes')
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_messages_user_id')

    op.drop_table('sms_messages')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_index('ix_rooms_owner_id')

    op.drop_table('rooms')
    with op.batch_alter_table('push_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_push_recipients_user_id')

    op.drop_table('push_recipients')
    with op.batch_alter_table('nickname_history', schema=None) as batch_op:
        batch_op.drop_index('ix_nickname_history_user_id')

    op.drop_table('nickname_history')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index('ix_devices_user_id')
        batch_op.drop_index('ix_devices_device_id')

    op.drop_table('devices')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_phone')

    op.drop_table('users')
    op.drop_table('pushes')
    op.drop_table('operators')
    op.drop_table('nick_bigram')
    op.drop_table('hist_bigram')
    op.drop_table('events')
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_to')
        batch_op.drop_index('ix_chat_from')

    op.drop_table('chat_messages')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_target')
        batch_op.drop_index('ix_audit_log_kind')
        batch_op.drop_index('ix_audit_log_at')
        batch_op.drop_index('ix_audit_log_actor')

    op.drop_table('audit_log')
    with op.batch_alter_table('action_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_action_outbox_state')

    op.drop_table('action_outbox')
    
