"""Migrations, the head check, bad URLs and files, append-only audit, PostgreSQL role grants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from console.db import migrate
from console.db import tables as t
from console.db.engine import make_engine, open_database
from console.domain import Role
from console.errors import DatabaseUnreachable, SchemaOutOfDate
from console.services.audit import AuditService
from tests.conftest import NOW, operator

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_migrated_database_opens(db_url: str) -> None:
    engine = await open_database(db_url)
    await engine.dispose()


async def test_database_behind_head_is_refused_with_upgrade_hint(db_url: str, expect_log: list[str]) -> None:
    engine = make_engine(db_url)
    await migrate.downgrade(engine, "base")
    await engine.dispose()
    with pytest.raises(SchemaOutOfDate, match=r"python -m console.db upgrade"):
        await open_database(db_url)
    engine = make_engine(db_url)
    await migrate.upgrade(engine)  # and the upgrade brings it back
    await engine.dispose()
    await (await open_database(db_url)).dispose()


@pytest.mark.parametrize("url, needle", [
    ("mysql://root@localhost/x", "Unsupported database"),
    ("not a url", "Not a database URL"),
    ("postgresql+asyncpg://nobody@127.0.0.1:1/nothing", "Cannot reach the database"),
    ("sqlite+aiosqlite:////proc/no/such/dir/x.db", "SQLite"),
])
async def test_bad_database_urls_get_clear_messages(url: str, needle: str, expect_log: list[str]) -> None:
    expect_log.append("database check failed")
    with pytest.raises(DatabaseUnreachable, match=needle):
        await open_database(url)


async def test_corrupt_sqlite_file(tmp_path: Path, expect_log: list[str]) -> None:
    expect_log.append("database check failed")
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not a database" * 1000)
    before = bad.read_bytes()
    with pytest.raises(DatabaseUnreachable, match="damaged or not a database"):
        await open_database(f"sqlite+aiosqlite:///{bad}")
    assert bad.read_bytes() == before  # nothing written


async def test_empty_database_says_how_to_upgrade(tmp_path: Path) -> None:
    with pytest.raises(SchemaOutOfDate, match=r"\(empty\).*upgrade"):
        await open_database(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")


async def test_audit_log_is_append_only(engine: Any) -> None:
    audit = AuditService(engine, operator(Role.ADMIN))
    await audit.record("test", "user:1", reason="r")
    for stmt in (t.audit_log.update().values(reason="changed"), t.audit_log.delete()):
        with pytest.raises(DBAPIError, match="append-only|permission denied"):
            async with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    # even the admin role has no UPDATE or DELETE on the audit log
                    await conn.execute(sa.text("SET ROLE shihou_admin"))
                await conn.execute(stmt)
    rows = await audit.query()
    assert [r.reason for r in rows] == ["r"]


@pytest.mark.postgres
async def test_postgres_roles_have_only_their_grants(pg_cluster: Any, pg_template: str) -> None:
    pg_cluster.psql("CREATE DATABASE grants_test TEMPLATE shihou_template")
    url = pg_cluster.url("grants_test")
    owner = make_engine(url)
    async with owner.begin() as conn:
        await conn.execute(t.users.insert().values(id=1, phone="13800000000", nickname="甲", registered_at=NOW,
                                                   channel="web"))
    await owner.dispose()

    async def attempt(role: str, sql: str) -> bool:
        e = make_engine(url, pg_role=role)
        try:
            async with e.begin() as conn:
                await conn.execute(sa.text(sql))
            return True
        except DBAPIError as ex:
            assert "permission denied" in str(ex)
            return False
        finally:
            await e.dispose()

    note = "INSERT INTO support_notes (user_id, author, body, created_at) VALUES (1, 'a', 'b', now())"
    assert await attempt("shihou_support", "SELECT phone FROM users")
    assert await attempt("shihou_support", note)
    assert not await attempt("shihou_support", "UPDATE users SET nickname = 'x'")
    assert not await attempt("shihou_support", "SELECT password_hash FROM operators")
    assert not await attempt("shihou_operator", "SELECT phone FROM users")
    assert await attempt("shihou_operator", "SELECT id, channel FROM users")
    assert not await attempt("shihou_moderator", "INSERT INTO pushes (cid, title, body, audience, created_by, state,"
                                                 " created_at) VALUES ('c', 't', 'b', '{}', 'x', 'draft', now())")
    assert await attempt("shihou_moderator", "UPDATE rooms SET state = 'cut'")
    assert not await attempt("shihou_login", "SELECT * FROM users")
    for role in ("shihou_support", "shihou_moderator", "shihou_operator", "shihou_admin"):
        assert await attempt(role, "INSERT INTO audit_log (at, actor, role, kind, target) "
                                   "VALUES (now(), 'a', 'r', 'k', 't')")
        assert not await attempt(role, "UPDATE audit_log SET reason = 'x'")
        assert not await attempt(role, "DELETE FROM audit_log")


async def test_head_constant_matches_the_migrations() -> None:
    from console.db.engine import HEAD_REVISION

    assert migrate.head_revision() == HEAD_REVISION


async def test_a_new_sqlite_file_is_private(tmp_path: Path) -> None:
    import stat

    from console.db.engine import make_engine as make

    db = tmp_path / "new" / "shihou.db"
    e = make(f"sqlite+aiosqlite:///{db}")
    async with e.connect() as conn:
        await conn.execute(sa.text("CREATE TABLE x (i INTEGER)"))
    await e.dispose()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600 and stat.S_IMODE(db.parent.stat().st_mode) == 0o700
