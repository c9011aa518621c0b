"""Sign-in against the operators table."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from console.db import tables as t
from console.domain import Role
from console.errors import AuthenticationFailed, InvalidInput
from console.services.auth import AuthService

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_sign_in_and_refusals(known_db: Any, expect_log: list[str]) -> None:
    expect_log.append("sign-in refused")
    auth = AuthService(known_db)
    op = await auth.sign_in("test-support", "pw-support")
    assert op.role is Role.SUPPORT and op.username == "test-support"
    for user, pw in (("test-support", "wrong"), ("nobody", "pw-support"), ("test-support", "x" * 100_000),
                     ("' OR 1=1 --", "pw")):
        with pytest.raises(AuthenticationFailed):
            await auth.sign_in(user, pw)
    with pytest.raises(InvalidInput):
        await auth.sign_in("", "")
    async with known_db.begin() as conn:
        await conn.execute(t.operators.update().where(t.operators.c.username == "test-admin").values(active=False))
    with pytest.raises(AuthenticationFailed):
        await auth.sign_in("test-admin", "pw-admin")
    async with known_db.connect() as conn:
        refused = (await conn.execute(sa.select(t.audit_log.c.target).where(
            t.audit_log.c.kind == "sign_in_refused"))).scalars().all()
    assert len(refused) == 5 and "operator:nobody" in refused
