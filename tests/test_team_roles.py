"""The team deployment on PostgreSQL: every operator is their own login role, and the database itself
refuses what their role may not do. Each rule is tried with plain SQL as that role (not through the
services), then the services' own path is checked where it adds something (recovery of a planted row).

Login roles are global to the cluster while each test has its own database: names carry a per-test prefix.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from console.db import tables as t
from console.db.engine import make_engine
from console.db.scram import saslprep, scram_verifier
from console.domain import ActionStatus, Role
from console.errors import InvalidInput, SignInRefused
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.auth import AuthService
from console.services.operators import OperatorService
from tests.conftest import NOW, insert_known_users

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.postgres]

_prefix = itertools.count()
PASSWORD = "Pw'\"\\ 密码-1"  # quotes, a backslash, a space and non-ASCII: each must survive to the server


@dataclass
class Team:
    url: str          # the database, without a user (as a console is configured)
    owner: AsyncEngine
    names: dict[str, str]  # role -> operator name
    password: str = PASSWORD

    def login(self, role: str, password: str | None = None) -> AsyncEngine:
        return make_engine(make_url(self.url).set(username=self.names[role], password=password or self.password)
                           .render_as_string(hide_password=False), poolclass=NullPool)


async def open_team(pg_cluster: Any, pg_template: str, prefix: str, password: str = PASSWORD) -> Team:
    """A database of its own with the known users, and one login of each role (plus a second operator),
    created as the bootstrap superuser does; the known Argon2 test operators are disabled (no logins)."""
    db = f"{prefix}_{os.getpid()}_{next(_prefix)}"
    pg_cluster.psql(f"CREATE DATABASE {db} TEMPLATE {pg_template}")
    owner_url = pg_cluster.url(db)
    owner = make_engine(owner_url)
    await insert_known_users(owner)
    tag = db.replace("_", "-")
    names = {r.value: f"{tag}-{r.value}" for r in Role}
    names["operator2"] = f"{tag}-operator2"
    async with owner.begin() as conn:
        await conn.execute(sa.text("UPDATE operators SET active = false WHERE username LIKE 'test-%'"))
        for role, name in names.items():
            await conn.execute(sa.text("SELECT shihou_operator_create(:n, :n, :r, :v, 'test')"),
                               {"n": name, "r": role.rstrip("2"), "v": scram_verifier(password)})
    return Team(url=str(make_url(owner_url).set(username=None)), owner=owner, names=names, password=password)


@pytest_asyncio.fixture(loop_scope="session")
async def team(pg_cluster: Any, pg_template: str) -> AsyncIterator[Team]:
    t_ = await open_team(pg_cluster, pg_template, "team")
    yield t_
    await t_.owner.dispose()


async def refused(engine: AsyncEngine, sql: str, params: dict[str, Any] | None = None) -> str:
    """The server's refusal of ``sql`` ("" if it ran)."""
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(sql), params or {})
    except DBAPIError as e:
        return str(e.orig)
    finally:
        await engine.dispose()
    return ""


async def test_each_operator_signs_in_as_their_own_login_and_cannot_set_another_role(team: Team) -> None:
    for role in ("support", "moderator", "operator", "admin"):
        session = await AuthService(team.url).sign_in(team.names[role], PASSWORD)
        assert session.operator.role == role and session.must_change_password
        assert team.names[role] in session.db_url.reveal() and "Secret('***')" == repr(session.db_url)
        e = make_engine(session.db_url.reveal(), poolclass=NullPool)
        async with e.connect() as conn:
            who = (await conn.execute(sa.text("SELECT session_user, current_user"))).one()
        await e.dispose()
        assert tuple(who) == (team.names[role], team.names[role])
        for other in ("shihou_support", "shihou_moderator", "shihou_operator", "shihou_admin", "shihou_owner",
                      "postgres"):
            if other != f"shihou_{role}":
                assert "permission denied" in await refused(team.login(role), f"SET ROLE {other}")


async def test_phones_are_read_only_with_reveal_phone(team: Team) -> None:
    for role in ("moderator", "operator"):
        assert "permission denied" in await refused(team.login(role), "SELECT phone FROM users")
        assert "permission denied" in await refused(team.login(role), "SELECT * FROM users")
        assert "permission denied" in await refused(team.login(role), "SELECT id FROM users WHERE phone LIKE '138%'")
        assert await refused(team.login(role), "SELECT id, phone_masked FROM users") == ""
    for role in ("support", "admin"):
        assert await refused(team.login(role), "SELECT phone FROM users") == ""
    e = team.login("moderator")
    async with e.connect() as conn:
        masked = (await conn.execute(sa.text("SELECT phone_masked FROM users WHERE id = 10000001"))).scalar()
    await e.dispose()
    assert masked == "138****1234"


async def test_a_moderator_console_looks_users_up_without_reading_a_phone(team: Team) -> None:
    """Through the services, as the moderator's own login: lists and the card show masked numbers, digits mean
    a user id, and the SMS on the card come without numbers."""
    from console.domain import SearchKind, UserId
    from console.services.sms.service import SmsService
    from console.services.users import UserService

    async with team.owner.begin() as conn:
        await conn.execute(t.sms_messages.insert().values(
            user_id=10000001, phone="13812341234", template_code="SMS_1", purpose="verify", out_id="o1",
            status="delivered", sent_at=NOW))
    session = await AuthService(team.url).sign_in(team.names["moderator"], PASSWORD)
    engine = make_engine(session.db_url.reveal(), max_overflow=0)
    audit = AuditService(engine, session.operator)
    users = UserService(engine, audit)
    try:
        page = await users.lookup("小明")
        assert {(r.id, r.phone_masked) for r in page.rows} == {(10000001, "138****1234"), (10000003, "139****1111")}
        page = await users.lookup("10000001")
        assert page.kind is SearchKind.ID and [r.id for r in page.rows] == [10000001]
        assert (await users.lookup("138123")).rows == ()
        card = await users.card(UserId(10000001))
        assert card.phone_masked == "138****1234" and [s.status for s in card.sms] == ["delivered"]
        views = await SmsService(engine, audit, None, None).user_messages(UserId(10000001))
        assert [v.phone_masked for v in views] == ["138****1234"]
    finally:
        await users.aclose()
        await engine.dispose()


async def test_audit_actor_is_the_session_user_and_the_log_is_append_only(team: Team) -> None:
    ins = "INSERT INTO audit_log (at, actor, role, kind, target) VALUES (now(), :a, 'admin', 'k', 't')"
    for role in ("support", "moderator", "operator", "admin"):
        assert "actor" in await refused(team.login(role), ins, {"a": "someone-else"})
        assert await refused(team.login(role), ins, {"a": team.names[role]}) == ""
        assert await refused(team.login(role), "INSERT INTO audit_log (at, role, kind, target) "
                                               "VALUES (now(), 'x', 'k2', 't')") == ""
        assert "permission denied" in await refused(team.login(role), "UPDATE audit_log SET reason = 'x'")
        assert "permission denied" in await refused(team.login(role), "DELETE FROM audit_log")
    async with team.owner.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT actor, role FROM audit_log WHERE kind = 'k2'"))).all()
    # the actor the database filled in, and the role it looked up (not the 'x' that was sent)
    assert sorted(tuple(r) for r in rows) == sorted((team.names[r], r) for r in ("support", "moderator", "operator",
                                                                                 "admin"))


async def _approval(team: Team, requester: str) -> int:
    e = team.login(requester)
    async with e.begin() as conn:
        aid = (await conn.execute(sa.text(
            "INSERT INTO approvals (kind, subject_id, summary, requested_by, requested_at, state) "
            "VALUES ('sms', '1', 's', :me, now(), 'pending') RETURNING id"), {"me": team.names[requester]})).scalar()
    await e.dispose()
    return int(aid)


async def test_approvals_the_requester_and_roles_without_the_permission_cannot_decide(team: Team) -> None:
    aid = await _approval(team, "operator")
    approve = "UPDATE approvals SET state = 'approved', approved_by = :by, decided_at = now() WHERE id = :id"
    me = team.names["operator"]
    assert "own send" in await refused(team.login("operator"), approve, {"by": me, "id": aid})
    assert "own send" in await refused(team.login("operator"), approve, {"by": team.names["operator2"], "id": aid})
    assert "permission denied" in await refused(team.login("moderator"), approve, {"by": team.names["moderator"],
                                                                                   "id": aid})
    assert "permission denied" in await refused(team.login("support"), approve, {"by": team.names["support"],
                                                                                 "id": aid})
    # a second operator approves, in their own name only
    assert "approved_by" in await refused(team.login("operator2"), approve, {"by": team.names["admin"], "id": aid})
    assert await refused(team.login("operator2"), approve, {"by": team.names["operator2"], "id": aid}) == ""
    assert "already approved" in await refused(team.login("admin"), "UPDATE approvals SET state = 'rejected', "
                                               "approved_by = :by WHERE id = :id", {"by": team.names["admin"], "id": aid})
    # nobody asks in someone else's name
    assert "approval" in await refused(team.login("operator"), "INSERT INTO approvals (kind, subject_id, requested_by, "
                                       "requested_at) VALUES ('sms', '2', :other, now())", {"other": team.names["operator2"]})


async def test_a_campaign_leaves_awaiting_approval_only_when_approved(team: Team) -> None:
    async with team.owner.begin() as conn:
        await conn.execute(sa.text(
            "INSERT INTO sms_templates (code, name, kind, content, approved, synced_at, synced_by) "
            "VALUES ('SMS_1', 't', 'notice', '你好', true, now(), 'test')"))
    e = team.login("operator")
    async with e.begin() as conn:
        cid = (await conn.execute(sa.text(
            "INSERT INTO sms_campaigns (name, template_code, params, audience, audience_size, state, created_by, "
            "created_at, quiet_start, quiet_end) VALUES ('c', 'SMS_1', '{}', '{}', 10, 'awaiting_approval', :me, "
            "now(), 22, 8) RETURNING id"), {"me": team.names["operator"]})).scalar()
    await e.dispose()
    assert "needs an approved request" in await refused(
        team.login("operator"), "UPDATE sms_campaigns SET state = 'approved' WHERE id = :c", {"c": cid})
    assert "draft or awaits approval" in await refused(
        team.login("operator"), "INSERT INTO sms_campaigns (name, template_code, params, audience, audience_size, state, "
        "created_by, created_at, quiet_start, quiet_end) VALUES ('c', 'SMS_1', '{}', '{}', 10, 'sending', :me, now(), "
        "22, 8)", {"me": team.names["operator"]})


OUTBOX = ("INSERT INTO action_outbox (idempotency_key, kind, target, payload, requested_by, role, state, attempts, "
          "created_at, updated_at) VALUES (:k, :kind, 'room:1', '{}', :by, 'admin', 'pending', 0, now(), now())")


async def test_outbox_rows_only_of_kinds_the_role_may_run_in_ones_own_name(team: Team) -> None:
    n = team.names
    assert "may not request" in await refused(team.login("support"), OUTBOX, {"k": "a", "kind": "stream_cut",
                                                                              "by": n["support"]})
    assert "may not request" in await refused(team.login("operator"), OUTBOX, {"k": "b", "kind": "chat_block",
                                                                               "by": n["operator"]})
    assert "requested_by" in await refused(team.login("moderator"), OUTBOX, {"k": "c", "kind": "stream_cut",
                                                                             "by": n["admin"]})
    assert await refused(team.login("moderator"), OUTBOX, {"k": "d", "kind": "stream_cut", "by": n["moderator"]}) == ""
    async with team.owner.connect() as conn:
        role = (await conn.execute(sa.text("SELECT role FROM action_outbox WHERE idempotency_key = 'd'"))).scalar()
    assert role == "moderator"  # the database set it, not the 'admin' that was sent
    # a row done does not change; nobody edits who asked
    assert "only the state" in await refused(team.login("moderator"), "UPDATE action_outbox SET requested_by = :x "
                                           "WHERE idempotency_key = 'd'", {"x": n["admin"]})


async def test_a_planted_row_is_refused_audited_and_never_sent(team: Team, expect_log: list[str]) -> None:
    """The table owner plants a cut in the support agent's name: neither SQL nor the moderator's recovery runs it."""
    expect_log.append("whose role may not cut_stream")
    async with team.owner.begin() as conn:
        await conn.execute(sa.text(OUTBOX), {"k": "planted", "kind": "stream_cut", "by": team.names["support"]})
    bump = "UPDATE action_outbox SET attempts = attempts + 1 WHERE idempotency_key = 'planted'"
    assert "may not run stream_cut now" in await refused(team.login("moderator"), bump)
    assert "may not run" in await refused(team.login("support"), bump)  # support may not run cuts at all
    session = await AuthService(team.url).sign_in(team.names["moderator"], PASSWORD)
    engine = make_engine(session.db_url.reveal(), max_overflow=0)
    try:
        actions = ActionService(engine, AuditService(engine, session.operator))  # no provider: nothing can be sent
        done = await actions.recover()
        assert [(a.key, a.state) for a in done] == [("planted", ActionStatus.REFUSED)]
        assert "not" in (done[0].last_error or "") and await actions.recover() == []
        async with engine.connect() as conn:
            audit = (await conn.execute(sa.select(t.audit_log.c.actor, t.audit_log.c.outcome).where(
                t.audit_log.c.kind == "stream_cut"))).all()
        assert [tuple(a) for a in audit] == [(team.names["moderator"], "refused")]
    finally:
        await engine.dispose()


async def test_sign_in_waits_after_five_failures_up_to_a_lock_audited_once(team: Team, expect_log: list[str]) -> None:
    expect_log.append("sign-in refused")
    auth, name = AuthService(team.url), team.names["support"]
    for _ in range(4):
        with pytest.raises(SignInRefused) as e:
            await auth.sign_in(name, "wrong password")
        assert e.value.reason == "password" and e.value.wait_s == 0
    with pytest.raises(SignInRefused) as e:
        await auth.sign_in(name, "wrong password")
    assert e.value.reason == "password" and e.value.wait_s == 15
    with pytest.raises(SignInRefused) as e:  # the right password waits too
        await auth.sign_in(name, PASSWORD)
    assert e.value.reason == "waiting"
    # the server itself refuses the login while it waits, whoever connects
    assert "not permitted to log in" in await refused(team.login("support"), "SELECT 1")
    # failures that reach the lock: 15 min, audited once however often it is hit
    async with team.owner.begin() as conn:
        for _ in range(7):
            await conn.execute(sa.text("UPDATE operators SET locked_until = NULL WHERE username = :n"), {"n": name})
            wait = (await conn.execute(sa.text("SELECT shihou_sign_in_failed(:n)"), {"n": name})).scalar()
        locks = (await conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE kind = 'operator_locked'"))).scalar()
    assert wait == 900 and locks == 2  # the 11th and the 12th failure each started a lock
    # an admin's password reset lifts the wait
    admin = await AuthService(team.url).sign_in(team.names["admin"], PASSWORD)
    e2 = make_engine(admin.db_url.reveal(), max_overflow=0)
    try:
        await OperatorService(e2, AuditService(e2, admin.operator)).reset_password(name, "new-pass-1", "locked out")
    finally:
        await e2.dispose()
    assert (await auth.sign_in(name, "new-pass-1")).must_change_password


async def test_a_disabled_operator_is_told_so_and_their_sessions_end(team: Team, expect_log: list[str]) -> None:
    expect_log.append("sign-in refused")
    mod = make_engine((await AuthService(team.url).sign_in(team.names["moderator"], PASSWORD)).db_url.reveal())
    async with mod.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    admin = await AuthService(team.url).sign_in(team.names["admin"], PASSWORD)
    e = make_engine(admin.db_url.reveal(), max_overflow=0)
    ops = OperatorService(e, AuditService(e, admin.operator))
    try:
        await ops.set_active(team.names["moderator"], False, "left the team")
        with pytest.raises(DBAPIError, match="terminat|not permitted|closed"):
            async with mod.connect() as conn:  # the pooled session was ended; a new one is refused
                await conn.execute(sa.text("SELECT 1"))
        with pytest.raises(SignInRefused) as refusal:
            await AuthService(team.url).sign_in(team.names["moderator"], PASSWORD)
        assert refusal.value.reason == "disabled"
        await ops.set_active(team.names["moderator"], True, "back")
        assert (await AuthService(team.url).sign_in(team.names["moderator"], PASSWORD)).operator.role == "moderator"
        # the last admin stays: neither disabled nor demoted
        with pytest.raises(InvalidInput, match="last active admin"):
            await ops.set_active(team.names["admin"], False, "oops")
        with pytest.raises(InvalidInput, match="last active admin"):
            await ops.set_role(team.names["admin"], Role.SUPPORT, "oops")
    finally:
        await e.dispose()
        await mod.dispose()


async def test_bad_names_are_refused_by_the_service_and_by_the_database(team: Team) -> None:
    for bad in ("has space", "quote'", 'x"; DROP TABLE users; --', "a" * 64, "Alice", "", "pg_x", "shihou_admin",
                "postgres", "-x"):
        with pytest.raises(InvalidInput):
            from console.domain import check_name

            check_name(bad)
        assert ("not a valid operator name" in await refused(team.owner, "SELECT shihou_operator_create(:n, 'x', "
                "'support', :v, '')", {"n": bad, "v": scram_verifier("long enough")})
                or bad == "")
    # and a password is never taken as text
    assert "verifier" in await refused(team.owner, "SELECT shihou_operator_create('plain', 'x', 'support', "
                                       "'plain text', '')")
    for bad_pw in ("", "short"):
        from console.domain import check_password

        with pytest.raises(InvalidInput):
            check_password(bad_pw)


async def test_the_gate_can_only_ask_and_count(team: Team) -> None:
    gate = make_engine(make_url(team.url).set(username="shihou_login", password="shihou_login")
                       .render_as_string(hide_password=False), poolclass=NullPool)
    for sql in ("SELECT * FROM operators", "SELECT * FROM users", "INSERT INTO audit_log (at, actor, role, kind, target) "
                "VALUES (now(), 'x', 'x', 'x', 'x')", "SELECT shihou_operator_set_active('x', false, '')"):
        assert "permission denied" in await refused(gate, sql)
    assert await refused(gate, "SELECT shihou_sign_in_wait('nobody')") == ""


async def test_role_permissions_in_the_database_match_the_code(team: Team) -> None:
    from console.domain import ACTION_PERMISSIONS, ROLE_PERMISSIONS
    from console.services import build_services
    from console.settings import load_settings

    async with team.owner.connect() as conn:
        kinds = dict((await conn.execute(sa.text("SELECT kind, permission FROM shihou_action_kinds"))).all())
        perms = set((await conn.execute(sa.text("SELECT role, permission FROM shihou_role_permissions"))).all())
    assert kinds == {k: str(p) for k, p in ACTION_PERMISSIONS.items()}
    assert perms == {(str(r), str(p)) for r, ps in ROLE_PERMISSIONS.items() for p in ps}
    # every kind a console registers is in the table, with its handler's permission
    settings = load_settings(cli={"database.url": str(make_url(team.url).set(username="postgres"))}, env={})
    from tests.conftest import operator

    services = await build_services(settings, operator(Role.ADMIN), start_events=False, connect_providers=False)
    try:
        registered = services.actions._handlers  # noqa: SLF001 - the registry itself is what is checked
        assert {k: h.permission for k, h in registered.items()} == ACTION_PERMISSIONS
    finally:
        await services.aclose()


async def test_scram_verifier_matches_what_the_server_accepts() -> None:
    """Known answer: the verifier is deterministic for a given salt, and SASLprep maps as PostgreSQL does."""
    v = scram_verifier("pencil", salt=b"0123456789abcdef")
    assert v.startswith("SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$")
    assert saslprep("I\u00adX") == "IX" and saslprep("\u2168") == "IX" and saslprep("a\u0007") == "a\u0007"
    assert NOW.year == 2025


async def test_a_console_holds_at_most_four_connections(team: Team) -> None:
    """A moderator's console with its event listener and chat reader process, under concurrent reads and an
    action, never holds more than 4 connections (counted by the server, per login)."""
    import asyncio

    from console.services import build_services
    from console.settings import load_settings

    name = team.names["moderator"]
    session = await AuthService(team.url).sign_in(name, PASSWORD)
    settings = load_settings(cli={"database.url": team.url, "events.poll_ms": 50}, env={})
    services = await build_services(settings, session.operator, session=session, connect_providers=False)
    peak = 0

    async def count() -> int:
        async with team.owner.connect() as conn:
            return int((await conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE usename = :n"),
                                           {"n": name})).scalar_one())

    try:
        await services.chat_reader.start()
        for _ in range(3):
            await asyncio.gather(*(services.users.lookup(q) for q in ("小明", "王者", "Lucy", "10000001", "猫猫")),
                                 services.chat_reader.newer(0), services.audit.query(), services.actions.queue())
            peak = max(peak, await count())
        assert services.chat_reader.reads_in_child >= 3  # the reader process answered (its connection counted)
    finally:
        await services.aclose()
    assert 3 <= peak <= 4


async def test_the_routing_endpoint_and_the_worker_have_only_their_grants(team: Team) -> None:
    tag = team.names["admin"].removesuffix("-admin")
    logins = {"shihou_routing": f"{tag}-routing", "shihou_worker": f"{tag}-worker"}
    async with team.owner.begin() as conn:
        for group, name in logins.items():
            await conn.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN PASSWORD \'{scram_verifier(PASSWORD)}\' '
                                       f"IN ROLE {group}")

    def login(name: str) -> AsyncEngine:
        return make_engine(make_url(team.url).set(username=name, password=PASSWORD)
                           .render_as_string(hide_password=False), poolclass=NullPool)

    store = ("WITH ins AS (INSERT INTO chat_messages (msg_uid, from_user_id, to_user_id, object_name, content, "
             "channel_type, msg_timestamp, received_at) VALUES ('u1', '10000001', '1', 'RC:TxtMsg', '{}', "
             "'TEMPGROUP', 1, now()) RETURNING id), ev AS (INSERT INTO events (at, topic, ref) "
             "SELECT now(), 'chat', id::text FROM ins RETURNING ref) SELECT pg_notify('shihou_events', ref) FROM ev")
    routing, worker = logins["shihou_routing"], logins["shihou_worker"]
    assert await refused(login(routing), store) == ""
    for sql in ("SELECT id FROM users", "UPDATE chat_messages SET content = 'x'", "DELETE FROM chat_messages",
                "SELECT * FROM action_outbox", "INSERT INTO audit_log (at, actor, role, kind, target) "
                "VALUES (now(), 'x', 'x', 'x', 'x')"):
        assert "permission denied" in await refused(login(routing), sql)
    assert await refused(login(worker), "SELECT id, state, attempts FROM action_outbox") == ""
    assert await refused(login(worker), "INSERT INTO audit_log (at, role, kind, target) "
                                        "VALUES (now(), 'worker', 'k', 't')") == ""
    for sql in ("SELECT phone FROM users", "INSERT INTO chat_messages (msg_uid) VALUES ('x')",
                "SELECT * FROM sms_campaign_recipients", "UPDATE operators SET active = false"):
        assert "permission denied" in await refused(login(worker), sql)
    assert "actor" in await refused(login(worker), "INSERT INTO audit_log (at, actor, role, kind, target) "
                                                   f"VALUES (now(), '{team.names['admin']}', 'x', 'k', 't')")
