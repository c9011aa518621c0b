"""The README's team deployment, followed as a database administrator would: ``console.db bootstrap`` on an
empty PostgreSQL database, one operator of each role added with ``console.operators``, each signs in as
their own login, and each forbidden thing is tried with plain SQL as that login."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from console.db.engine import make_engine
from console.services.auth import AuthService

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.postgres]
ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SHIHOU_")}
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=ROOT,
                          env=base | env, stdin=subprocess.DEVNULL, timeout=120)


async def test_bootstrap_then_one_operator_of_each_role_each_refused_what_their_role_may_not(pg_cluster: Any) -> None:
    db = f"deploy_{os.getpid()}"
    pg_cluster.psql(f"CREATE DATABASE {db}")
    superuser = pg_cluster.url(db)
    url = str(make_url(superuser).set(username=None))  # what every console and the CLI are given
    tag = f"d{os.getpid()}"
    boss = f"{tag}-boss"
    r = cli("console.db", "bootstrap", "--db", superuser, "--admin", boss, SHIHOU_NEW_PASSWORD="boss's \"pw\"\\1")
    assert r.returncode == 0, r.stderr
    assert "admin" in r.stdout and "\\1" not in r.stdout + r.stderr
    again = cli("console.db", "bootstrap", "--db", superuser, "--admin", boss, SHIHOU_NEW_PASSWORD="x" * 8)
    assert again.returncode == 0 and "exists already" in again.stdout
    for role in ("support", "moderator", "operator", "admin"):
        r = cli("console.operators", "--db", url, "--user", boss, "add", f"{tag}-{role}", "--role", role,
                SHIHOU_PASSWORD="boss's \"pw\"\\1", SHIHOU_NEW_PASSWORD=f"temporary-{role}")
        assert r.returncode == 0, r.stderr
    r = cli("console.operators", "--db", url, "--user", boss, "list", SHIHOU_PASSWORD="boss's \"pw\"\\1")
    assert r.returncode == 0 and all(f"{tag}-{role}" in r.stdout for role in ("support", "moderator", "operator"))
    r = cli("console.operators", "--db", url, "--user", f"{tag}-support", "add", f"{tag}-x", "--role", "admin",
            SHIHOU_PASSWORD="temporary-support", SHIHOU_NEW_PASSWORD="temporary-x")
    assert r.returncode == 1  # support is no admin: refused

    async def refused(role: str, sql: str) -> str:
        session = await AuthService(url).sign_in(f"{tag}-{role}", f"temporary-{role}")
        assert session.operator.role == role and session.must_change_password
        e = make_engine(session.db_url.reveal(), poolclass=NullPool)
        try:
            async with e.begin() as conn:
                await conn.execute(sa.text(sql))
        except DBAPIError as ex:
            return str(ex.orig)
        finally:
            await e.dispose()
        return ""

    outbox = ("INSERT INTO action_outbox (idempotency_key, kind, target, payload, requested_by, role, state, "
              "attempts, created_at, updated_at) VALUES ('{k}', '{kind}', 'room:1', '{{}}', '{by}', 'x', 'pending', "
              "0, now(), now())")
    assert "may not request" in await refused("support", outbox.format(k="a", kind="stream_cut", by=f"{tag}-support"))
    assert "may not request" in await refused("operator", outbox.format(k="b", kind="chat_gag", by=f"{tag}-operator"))
    assert "requested_by" in await refused("moderator", outbox.format(k="c", kind="stream_cut", by=boss))
    assert "permission denied" in await refused("moderator", "SELECT phone FROM users")
    assert "permission denied" in await refused("operator", "SELECT phone FROM users")
    assert await refused("support", "SELECT phone FROM users") == ""
    assert "permission denied" in await refused("support", "UPDATE approvals SET state = 'approved'")
    for role in ("support", "moderator", "operator", "admin"):
        assert "permission denied" in await refused(role, "SET ROLE shihou_admin" if role != "admin"
                                                    else "SET ROLE shihou_owner")
        assert "actor" in await refused(role, f"INSERT INTO audit_log (at, actor, role, kind, target) "
                                              f"VALUES (now(), '{boss}', 'admin', 'k', 't')")
        assert "permission denied" in await refused(role, "DELETE FROM audit_log")
        assert "permission denied" in await refused(role, "UPDATE operators SET role = 'admin'")
