"""Sign-in on both backends: Argon2 in ``operators`` on SQLite, the operator's own PostgreSQL login on
PostgreSQL (tests/test_team_roles.py has the rest of the team deployment)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from console.db import tables as t
from console.db.scram import scram_verifier
from console.db.team_ddl import pg_login_statements
from console.domain import Role
from console.errors import InvalidInput, SignInRefused
from console.services.auth import AuthService, wait_after

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def console_url(engine: Any) -> str:
    """The URL a console is configured with: on PostgreSQL without a user (the operator signs in as themself),
    after making the known test operators login roles with their test passwords."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name != "postgresql":
        return url.render_as_string(hide_password=False)
    async with engine.begin() as conn:
        for r in Role:
            for stmt in pg_login_statements(f"test-{r}", str(r), scram_verifier(f"pw-{r}")):
                await conn.exec_driver_sql(stmt)
    return url.set(username=None).render_as_string(hide_password=False)


async def test_sign_in_and_refusals(known_db: Any, expect_log: list[str]) -> None:
    expect_log.append("sign-in refused")
    auth = AuthService(await console_url(known_db))
    session = await auth.sign_in("test-support", "pw-support")
    assert session.operator.role is Role.SUPPORT and session.operator.username == "test-support"
    assert "pw-support" not in repr(session)
    assert (await auth.sign_in("  TEST-Support ", "pw-support")).operator.username == "test-support"
    for user, pw in (("test-support", "wrong"), ("nobody", "pw-support"), ("test-support", "x" * 100_000),
                     ("' OR 1=1 --", "pw"), ('x"; DROP TABLE users; --', "pw"), ("a" * 64, "pw")):
        with pytest.raises(SignInRefused) as e:
            await auth.sign_in(user, pw)
        assert e.value.reason == "password"
    with pytest.raises(InvalidInput):
        await auth.sign_in("", "")
    async with known_db.begin() as conn:
        await conn.execute(t.operators.update().where(t.operators.c.username == "test-admin").values(active=False))
    with pytest.raises(SignInRefused) as e:
        await auth.sign_in("test-admin", "pw-admin")
    assert e.value.reason == "disabled" and "disabled" in str(e.value) or "not an active operator" in str(e.value)
    async with known_db.connect() as conn:
        failures = (await conn.execute(sa.select(t.operators.c.failed_attempts).where(
            t.operators.c.username == "test-support"))).scalar()
        audited = (await conn.execute(sa.select(sa.func.count()).where(
            t.audit_log.c.kind.in_(["sign_in_refused", "operator_locked"])))).scalar()
    assert failures == 1  # the wrong password (100,000 characters are refused before any check); a success resets
    assert audited == 0   # attempts are counted, not audited; a lock is audited once (below)


async def test_waits_after_five_failures_then_a_lock_audited_once(known_db: Any, expect_log: list[str]) -> None:
    expect_log.append("sign-in refused")
    assert [wait_after(n) for n in (4, 5, 6, 7, 10, 11, 30)] == [0, 15, 30, 60, 480, 900, 900]
    auth = AuthService(await console_url(known_db))
    for n in range(1, 6):
        with pytest.raises(SignInRefused) as e:
            await auth.sign_in("test-moderator", "wrong")
        assert e.value.wait_s == wait_after(n)
    with pytest.raises(SignInRefused) as e:
        await auth.sign_in("test-moderator", "pw-moderator")  # the right password waits too
    assert e.value.reason == "waiting" and 0 < e.value.wait_s <= 15 and "try again in" in str(e.value)
    for _ in range(7):  # let each wait pass at once, and fail again
        async with known_db.begin() as conn:
            await conn.execute(t.operators.update().where(t.operators.c.username == "test-moderator")
                               .values(locked_until=None))
        if known_db.dialect.name == "postgresql":
            async with known_db.begin() as conn:
                await conn.execute(sa.text('ALTER ROLE "test-moderator" LOGIN'))
        with pytest.raises(SignInRefused):
            await auth.sign_in("test-moderator", "wrong")
    async with known_db.connect() as conn:
        locks = (await conn.execute(sa.select(t.audit_log.c.actor).where(t.audit_log.c.kind == "operator_locked"))).all()
    assert [tuple(r) for r in locks] == [("test-moderator",), ("test-moderator",)]  # failures 11 and 12 each locked


async def test_operator_status_follows_the_operators_row(known_db: Any, db_url: str) -> None:
    """Asked by name, on the console's own engine (here the owner's, switched to the role as tools do)."""
    from console.db.engine import make_engine
    from console.services.presence import operator_status

    engine = make_engine(db_url, pg_role="shihou_moderator" if known_db.dialect.name == "postgresql" else None)
    try:
        assert (await operator_status(engine, "test-moderator")).active
        async with known_db.begin() as conn:
            await conn.execute(t.operators.update().where(t.operators.c.username == "test-moderator")
                               .values(active=False))
        status = await operator_status(engine, "test-moderator")
        assert not status.active and status.role is None
    finally:
        await engine.dispose()
