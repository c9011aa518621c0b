"""Tables of chat moderation (issue 6): owned by the chat work; share ``console.db.tables.metadata``."""

from __future__ import annotations

from console.db.tables import metadata  # noqa: F401  (new tables register on the shared metadata)
