"""The privileges the worker's jobs need (:data:`console.db.worker_ddl.WORKER_NEEDS`), checked at start so a
role that lacks one is named before any job runs, not halfway through one."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from console.db.team_ddl import WORKER_ROLE
from console.db.worker_ddl import WORKER_NEEDS


async def missing_grants(conn: AsyncConnection) -> list[str]:
    """Each privilege the session user lacks, as the GRANT that would give it (empty: all there)."""
    out: list[str] = []
    for obj, priv, kind in WORKER_NEEDS:
        if kind == "function":
            ok = (await conn.execute(sa.text("SELECT has_function_privilege(:o, :p)"), {"o": obj, "p": priv})).scalar()
            if not ok:
                out.append(f"GRANT {priv} ON FUNCTION {obj} TO {WORKER_ROLE}")
        elif kind.startswith("column:"):
            cols = kind.split(":", 1)[1].split(",")
            lacking = [c for c in cols if not (await conn.execute(
                sa.text("SELECT has_column_privilege(:o, :c, :p)"), {"o": obj, "c": c, "p": priv})).scalar()]
            if lacking:
                out.append(f"GRANT {priv} ({', '.join(lacking)}) ON {obj} TO {WORKER_ROLE}")
        else:
            ok = (await conn.execute(sa.text("SELECT has_table_privilege(:o, :p)"), {"o": obj, "p": priv})).scalar()
            if not ok:
                out.append(f"GRANT {priv} ON {obj} TO {WORKER_ROLE}")
    return out
