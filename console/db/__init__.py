"""The shared database: tables, engine and migrations."""

from console.db.engine import make_engine, open_database, redact_url
from console.db.tables import metadata

__all__ = ["make_engine", "metadata", "open_database", "redact_url"]
