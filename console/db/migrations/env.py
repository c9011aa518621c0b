"""Alembic environment: runs on the connection handed over by console.db.migrate."""

from __future__ import annotations

from alembic import context

from console.db import tables_chat, tables_push, tables_sms  # noqa: F401  (their tables join the metadata)
from console.db.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through console.db.migrate
    raise SystemExit("Run migrations with: python -m console.db upgrade --db URL")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
