"""Tables of push campaigns (issue 7): owned by the push work; share ``console.db.tables.metadata``."""

from __future__ import annotations

from console.db.tables import metadata  # noqa: F401  (new tables register on the shared metadata)
