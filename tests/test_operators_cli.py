"""``python -m console.operators`` end to end in a subprocess, on SQLite and on PostgreSQL (where the first
admin comes from ``python -m console.db bootstrap`` and every operator is a login role: names carry the
test's database name, as roles are global to the cluster)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from console.db import tables as t
from console.db.engine import make_engine
from console.domain import Role
from console.errors import SignInRefused
from console.services.auth import AuthService
from tests.test_operators_pane import PASSWORD, add_operator, names_for

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, password: str = PASSWORD, new: str | None = None, module: str = "console.operators",
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIHOU_")}
    env["SHIHOU_PASSWORD"] = password
    if new is not None:
        env["SHIHOU_NEW_PASSWORD"] = new
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=ROOT, stdin=subprocess.DEVNULL)


def test_the_command_line_does_not_load_qt() -> None:
    r = subprocess.run([sys.executable, "-c", "import sys, console.operators.__main__ as m; m.build_parser(); "
                        "assert not [n for n in sys.modules if n.startswith(('PySide6', 'qasync'))], 'Qt loaded'"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.mark.asyncio(loop_scope="session")
async def test_operators_cli_end_to_end(db_url: str, expect_log: list[str]) -> None:
    expect_log.append("sign-in refused")
    n = names_for(db_url)
    admin, bob = n("admin1"), n("bob")
    if db_url.startswith("sqlite"):
        await add_operator(db_url, admin, Role.ADMIN)
        url = db_url
    else:  # the README's team deployment: bootstrap as the superuser, then the console's URL without a user
        r = cli("bootstrap", "--db", db_url, "--admin", admin, module="console.db", new=PASSWORD)
        assert r.returncode == 0, r.stderr
        assert f"admin {admin} created" in r.stdout
        url = make_url(db_url).set(username=None).render_as_string(hide_password=False)
    base = ("--db", url, "--user", admin)
    r = cli(*base, "list")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].split()[:3] == ["NAME", "DISPLAY", "NAME"]
    assert any(line.split()[0] == admin and "admin" in line.split() for line in r.stdout.splitlines()[1:])
    # add: the new password from SHIHOU_NEW_PASSWORD (stdin is not a terminal), quotes and backslashes kept
    r = cli(*base, "add", bob, "--role", "moderator", "--display", "鲍勃", "--reason", "新入职", new=PASSWORD)
    assert r.returncode == 0, r.stderr
    assert f"created {bob} (鲍勃): moderator, active" in r.stdout
    session = await AuthService(url).sign_in(bob, PASSWORD)
    assert session.must_change_password and session.operator.role == "moderator"
    # bad input: exit 2 with the reason, nothing created
    for name, hint in (("has space", "no spaces"), ("quo'te", "a letter a–z first"),
                       ('"; DROP TABLE operators; --', "no spaces"), ("a" * 64, "at most 63"),
                       ("Alice", "lower-case only")):
        r = cli(*base, "add", name, "--role", "support", new=PASSWORD)
        assert r.returncode == 2 and hint in r.stderr, (name, r.stderr)
    for pw, hint in (("", "SHIHOU_NEW_PASSWORD"), ("short", "at least 8")):
        r = cli(*base, "add", n("carl"), "--role", "support", new=pw)
        assert r.returncode == 2 and hint in r.stderr, (pw, r.stderr)
    r = cli(*base, "add", n("carl"), "--role", "superuser", new=PASSWORD)
    assert r.returncode == 2 and "invalid choice" in r.stderr
    r = cli(*base, "add", bob, "--role", "support", new=PASSWORD)
    assert r.returncode == 1 and "exists already" in r.stderr
    # set-role, disable (sign-in refused), enable, reset-password --generate (shown once, works)
    r = cli(*base, "set-role", bob, "operator", "--reason", "转岗")
    assert r.returncode == 0 and f"{bob} (鲍勃): operator, active" in r.stdout, r.stderr
    r = cli(*base, "disable", bob)
    assert r.returncode == 0 and "disabled" in r.stdout, r.stderr
    with pytest.raises(SignInRefused) as refused:
        await AuthService(url).sign_in(bob, PASSWORD)
    assert refused.value.reason == "disabled"
    r = cli(*base, "enable", bob)
    assert r.returncode == 0 and "active" in r.stdout, r.stderr
    r = cli(*base, "reset-password", bob, "--generate", "--reason", "忘记密码")
    assert r.returncode == 0, r.stderr
    temp = r.stdout.strip().splitlines()[-1].rsplit(": ", 1)[1]
    assert (await AuthService(url).sign_in(bob, temp)).must_change_password
    r = cli(*base, "disable", n("nobody"))
    assert r.returncode == 1 and "nobody" in r.stderr
    # the last admin cannot be disabled or demoted
    r = cli(*base, "disable", admin)
    assert r.returncode == 1 and "last active admin" in r.stderr
    r = cli(*base, "set-role", admin, "support")
    assert r.returncode == 1 and "last active admin" in r.stderr
    # refusals: a wrong password, a non-admin, no user
    r = cli(*base, "list", password="wrong password")
    assert r.returncode == 1 and "Wrong user name or password" in r.stderr
    r = cli("--db", url, "--user", bob, "list", password=temp)
    assert r.returncode == 1 and "may not manage operators" in r.stderr
    r = cli("--db", url, "list")
    assert r.returncode == 2 and "--user" in r.stderr
    # every change is audited under the admin's name, with its reason
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(t.audit_log.c.actor, t.audit_log.c.kind, t.audit_log.c.reason)
                                       .where(t.audit_log.c.target == f"operator:{bob}")
                                       .order_by(t.audit_log.c.id))).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [
        (admin, "operator_create", "新入职"), (admin, "operator_role", "转岗"),
        (admin, "operator_disable", "command line"), (admin, "operator_enable", "command line"),
        (admin, "operator_password_reset", "忘记密码")]
    # passwd: the admin's own new password (after the bootstrap's temporary one)
    r = cli(*base, "passwd", new="an0ther 'pass\\word")
    assert r.returncode == 0 and "password changed" in r.stdout, r.stderr
    r = cli(*base, "list", password="an0ther 'pass\\word")
    assert r.returncode == 0 and "note:" not in r.stderr, r.stderr
    r = cli(*base, "list")
    assert r.returncode == 1
