"""SMS phones are readable only by roles holding REVEAL_PHONE (migration 0006): on PostgreSQL each rule is tried
with plain SQL as the operator's own login role, then a whole campaign is sent through ``SmsService`` running
on the operator's own login against the SMS emulator; on both backends the service shows operators masked
opt-outs, removes them by id or by the number typed again, and keeps numbers out of the action outbox.

Login roles are global to the cluster while each test has its own database: names carry a per-test prefix.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from console.credentials import Secret
from console.db import migrate
from console.db import tables as t
from console.db import tables_sms as ts
from console.db.engine import make_engine
from console.domain import ActionStatus, Operator, Role, UserId
from console.sandbox.sms import AliyunSmsEmulator
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.auth import AuthService
from console.services.sms.service import RESEND_CODE, Audience, SmsService
from tests.conftest import KNOWN_USERS, add_operator, insert_known_users, operator
from tests.test_sms import AK, SK, START, Wall, client
from tests.test_team_roles import Team, open_team, refused

aio = pytest.mark.asyncio(loop_scope="session")
_prefix = itertools.count()
PASSWORD = "sms-phones 密码'1"
PHONES = {phone for _uid, phone, _nick, _past in KNOWN_USERS}
GIFT = ("SMS_245512083", {"gift": "金币×100", "days": "7"})


def _no_phone_in(text: str) -> bool:
    return not any(p in text for p in PHONES)


# --- PostgreSQL: each operator's own login -----------------------------------------------------------

@pytest_asyncio.fixture(loop_scope="session")
async def team(pg_cluster: Any, pg_template: str) -> AsyncIterator[Team]:
    t_ = await open_team(pg_cluster, pg_template, "smsph", PASSWORD)
    async with t_.owner.begin() as conn:
        await conn.execute(t.users.update().values(last_active_at=START - timedelta(days=1)))
    yield t_
    await t_.owner.dispose()


async def fetch(engine: AsyncEngine, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    try:
        async with engine.begin() as conn:
            return list((await conn.execute(sa.text(sql), params or {})).all())
    finally:
        await engine.dispose()


async def _campaign(team: Team, *, state: str, claimed_by: str | None) -> int:
    """As the table owner: a campaign to two known users (13812341234, 13812349999), one message sent already."""
    async with team.owner.begin() as conn:
        await conn.execute(sa.text(
            "INSERT INTO sms_templates (code, name, kind, content, approved, synced_at, synced_by) "
            "VALUES ('SMS_1', 't', 'notice', '你好', true, now(), 'test') ON CONFLICT DO NOTHING"))
        cid = int((await conn.execute(sa.text(
            "INSERT INTO sms_campaigns (name, template_code, params, audience, audience_size, state, created_by, "
            "created_at, quiet_start, quiet_end, claimed_by, claimed_at, started_at) VALUES ('c', 'SMS_1', '{}', '{}', "
            "2, :state, 'x', now(), 0, 0, :by, now(), CASE WHEN :started THEN now() END) "
            "RETURNING id"), {"state": state, "by": claimed_by, "started": state in ("sending", "done")})).scalar_one())
        for uid, phone, sent in ((10000001, "13812341234", True), (10000002, "13812349999", False)):
            await conn.execute(sa.text(
                "INSERT INTO sms_campaign_recipients (campaign_id, user_id, phone, out_id, state, attempts, updated_at) "
                "VALUES (:c, :u, :p, :o, :s, 0, now())"),
                {"c": cid, "u": uid, "p": phone, "o": f"c{cid}-{uid}", "s": "sent" if sent else "pending"})
            if sent:
                await conn.execute(sa.text(
                    "INSERT INTO sms_messages (user_id, phone, template_code, purpose, out_id, status, sent_at) "
                    "VALUES (:u, :p, 'SMS_1', 'campaign', :o, 'sent', now())"), {"u": uid, "p": phone, "o": f"c{cid}-{uid}"})
    return cid


@pytest.mark.postgres
@aio
async def test_operators_read_no_phone_of_the_sms_tables(team: Team) -> None:
    cid = await _campaign(team, state="sending", claimed_by=None)
    async with team.owner.begin() as conn:
        await conn.execute(sa.text("INSERT INTO sms_opt_outs (phone, source, created_by, created_at) "
                                   "VALUES ('18600000000', 'reply R', 'x', now())"))
        await conn.execute(sa.text("INSERT INTO sms_codes (out_id, phone, user_id, code_hash, created_at, expires_at) "
                                   "VALUES ('rc-1', '13812341234', 10000001, 'h', now(), now())"))
    tables = ("sms_messages", "sms_campaign_recipients", "sms_opt_outs", "sms_codes")
    for who in ("operator", "moderator"):
        for table in tables:
            for sql in (f"SELECT phone FROM {table}", f"SELECT * FROM {table}",
                        f"SELECT count(*) FROM {table} WHERE phone LIKE '138%'"):
                assert "permission denied" in await refused(team.login(who), sql), (who, sql)
    # what sending needs stays readable, with the masked numbers where a screen shows one
    for sql in ("SELECT id, user_id, phone_masked, out_id, status, biz_id, sent_at FROM sms_messages",
                "SELECT id, campaign_id, user_id, out_id, state, attempts, updated_at FROM sms_campaign_recipients",
                "SELECT id, phone_masked, user_id, source, created_by, created_at FROM sms_opt_outs"):
        assert await refused(team.login("operator"), sql) == "", sql
    assert [tuple(r) for r in await fetch(team.login("operator"), "SELECT phone_masked FROM sms_opt_outs")] == [
        ("186****0000",)]
    # no writing numbers in either: recipients come only from shihou_sms_audience
    assert "permission denied" in await refused(team.login("operator"), "UPDATE sms_messages SET phone = '1'")
    assert "permission denied" in await refused(
        team.login("operator"), "UPDATE sms_campaign_recipients SET phone = '13900000000' WHERE campaign_id = :c",
        {"c": cid})
    assert "permission denied" in await refused(
        team.login("operator"), "INSERT INTO sms_campaign_recipients (campaign_id, user_id, phone, out_id, state, "
        "attempts, updated_at) VALUES (:c, 1, '13900000000', 'x1', 'pending', 0, now())", {"c": cid})
    assert "permission denied" in await refused(team.login("operator"), "DELETE FROM sms_opt_outs WHERE phone = "
                                                                        "'18600000000'")
    # support and admin hold REVEAL_PHONE
    assert await refused(team.login("support"), "SELECT phone FROM sms_messages") == ""
    assert await refused(team.login("support"), "SELECT phone FROM sms_opt_outs") == ""
    for table in tables:
        assert await refused(team.login("admin"), f"SELECT phone FROM {table}") == ""


@pytest.mark.postgres
@aio
async def test_numbers_only_to_the_console_that_claimed_an_approved_campaign(team: Team) -> None:
    me, other = team.names["operator"], team.names["operator2"]
    claim = "SELECT id, phone, out_id, attempts FROM shihou_sms_claim_batch(:c, 0, 100)"
    receipts = "SELECT phone, out_id FROM shihou_sms_receipt_batch(:c, 0, 100)"
    mine = await _campaign(team, state="sending", claimed_by=f"{me}#abc123")
    rows = await fetch(team.login("operator"), claim, {"c": mine})
    assert [(r.phone, r.out_id, r.attempts) for r in rows] == [("13812349999", f"c{mine}-10000002", 0)]  # pending only
    assert [tuple(r) for r in await fetch(team.login("operator"), receipts, {"c": mine})] == [
        ("13812341234", f"c{mine}-10000001")]
    # claimed by another console, by nobody, or not approved: no numbers
    for state, by in (("sending", f"{other}#def456"), ("approved", None), ("awaiting_approval", f"{me}#abc123"),
                      ("done", f"{me}#abc123"), ("cancelled", f"{me}#abc123")):
        cid = await _campaign(team, state=state, claimed_by=by)
        why = await refused(team.login("operator"), claim, {"c": cid})
        assert "not approved and claimed by" in why, (state, by, why)
    # a name that only starts like mine does not pass
    cid = await _campaign(team, state="sending", claimed_by=f"{me}x#abc123")
    assert "not approved and claimed by" in await refused(team.login("operator"), claim, {"c": cid})
    # roles without SEND_SMS may not call the functions at all
    for who in ("moderator", "support"):
        for sql in (claim, receipts, "SELECT shihou_sms_opt_out_id('18600000000')"):
            assert "permission denied for function" in await refused(team.login(who), sql, {"c": mine}), (who, sql)
    # a sent recipient and a finished campaign stay so (nobody re-opens them to be handed the numbers again)
    assert "stays so" in await refused(team.login("operator"), "UPDATE sms_campaign_recipients SET state = 'pending' "
                                                               "WHERE campaign_id = :c AND state = 'sent'", {"c": mine})
    done = await _campaign(team, state="done", claimed_by=None)
    assert "stays so" in await refused(team.login("operator"), "UPDATE sms_campaigns SET state = 'sending', "
                                                               "claimed_by = :me WHERE id = :c",
                                       {"c": done, "me": f"{me}#abc123"})
    # opt-outs: add by number, find one by the number typed again, remove by id, never read the list's numbers
    assert await refused(team.login("operator"), "INSERT INTO sms_opt_outs (phone, source, created_by, created_at) "
                                                 "VALUES ('18600000000', 'support', :me, now()) ON CONFLICT DO NOTHING",
                         {"me": me}) == ""
    (oid,) = (await fetch(team.login("operator"), "SELECT shihou_sms_opt_out_id('18600000000')"))[0]
    assert oid is not None and (await fetch(team.login("operator"), "SELECT shihou_sms_opt_out_id('13800000000')"))[0] \
        == (None,)
    assert [tuple(r) for r in await fetch(team.login("operator"), "DELETE FROM sms_opt_outs WHERE id = :i "
                                          "RETURNING phone_masked", {"i": oid})] == [("186****0000",)]


class Consoles:
    """SmsService consoles each on its operator's own PostgreSQL login (signed in like the console does)."""

    def __init__(self, team: Team, emu: AliyunSmsEmulator, wall: Wall) -> None:
        self.team, self.emu, self.wall = team, emu, wall
        self.engines: list[AsyncEngine] = []
        self.gateways: list[Any] = []

    async def sign_in(self, who: str) -> tuple[SmsService, ActionService, Operator]:
        session = await AuthService(self.team.url).sign_in(self.team.names[who], PASSWORD)
        engine = make_engine(session.db_url.reveal(), max_overflow=0)
        self.engines.append(engine)
        gw = client(self.emu, self.wall)
        self.gateways.append(gw)
        audit = AuditService(engine, session.operator)
        actions = ActionService(engine, audit, clock=self.wall.now)
        sms = SmsService(engine, audit, gw, actions, code_key=Secret("code-key"), clock=self.wall.now,
                         retry_delay_s=0.0, max_passes=3)
        return sms, actions, session.operator

    async def close(self) -> None:
        for g in self.gateways:
            await g.aclose()
        for e in self.engines:
            await e.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def consoles(team: Team) -> AsyncIterator[Consoles]:
    wall = Wall()
    emu = AliyunSmsEmulator(access_key_id=AK, secret=SK, clock=wall, receipt_delay_s=5.0)
    await emu.start()
    c = Consoles(team, emu, wall)
    try:
        yield c
    finally:
        await c.close()
        await emu.stop()


@pytest.mark.postgres
@aio
async def test_a_campaign_sent_by_the_operators_own_login_and_its_receipts(consoles: Consoles,
                                                                          expect_log: list[str]) -> None:
    expect_log.append("giving up")
    team, emu = consoles.team, consoles.emu
    a, _, _ = await consoles.sign_in("operator")
    b, _, _ = await consoles.sign_in("operator2")
    for code in ("SMS_245512083", "SMS_216427811"):
        await a.sync_template(code)
    # opt-outs as the operator: added by number, listed masked, found by the number typed again
    assert await a.add_opt_out("186 0000 0000", reason="用户回复 R")
    assert not await a.add_opt_out("18600000000", reason="again")
    listed = await b.opt_outs()
    assert [(o.phone, o.phone_masked) for o in listed] == [("186****0000", "186****0000")]
    assert await b.opted_out("18600000000") and not await b.opted_out("13900001111")
    assert await b.opt_outs("0000") and not await b.opt_outs("60000")  # only the masked digits are searchable
    ids = tuple(uid for uid, *_ in KNOWN_USERS)
    c = await a.create_campaign("回归礼包", *GIFT, Audience(kind="user_ids", user_ids=ids), reason="召回")
    assert (c.audience_size, c.skipped_opt_out) == (5, 1)
    await b.approve(c.approval_id or 0, "看过文案")
    # the second recipient's answer is lost: the retry looks it up by OutId (the number from the claim function)
    emu.inject("SendSms", "reset", apply=True)
    report = await b.send_campaign(c.id)
    assert (report.state, report.sent, report.pending, report.awaiting_receipt) == ("done", 5, 0, 5)
    assert sorted(m.phone for m in emu.messages) == sorted(PHONES - {"18600000000"})
    assert set(emu.sends_per_out_id().values()) == {1}
    # receipts, polled by the operator who created it (the claim is released by now)
    consoles.wall.advance(6)
    report = await a.poll_deliveries(c.id)
    assert (report.delivered, report.awaiting_receipt) == (5, 0)
    # the operator's database rows never held a number it could read
    async with team.owner.connect() as conn:
        status = dict((await conn.execute(sa.text(
            "SELECT phone, status FROM sms_messages WHERE purpose = 'campaign'"))).all())
    assert status == {p: "delivered" for p in PHONES - {"18600000000"}}
    # removal by the list's id (what the pane passes), then by the number typed again
    (entry,) = await a.opt_outs()
    assert await a.remove_opt_out(entry.id, "用户重新订阅") and not await a.remove_opt_out(entry.id, "again")
    assert await a.add_opt_out("18600000000", reason="又退订")
    assert await b.remove_opt_out("186 0000 0000", "客服来电") and await b.opt_outs() == []
    async with team.owner.connect() as conn:
        audit = (await conn.execute(sa.text("SELECT kind, actor, target FROM audit_log WHERE kind IN "
                                            "('sms_opt_out', 'sms_opt_in') ORDER BY id"))).all()
    names = team.names
    assert [tuple(r) for r in audit] == [
        ("sms_opt_out", names["operator"], "phone:186****0000"), ("sms_opt_in", names["operator"], "phone:186****0000"),
        ("sms_opt_out", names["operator"], "phone:186****0000"), ("sms_opt_in", names["operator2"], "phone:186****0000")]


@pytest.mark.postgres
@aio
async def test_a_resend_keeps_the_number_out_of_the_action_queue(consoles: Consoles) -> None:
    team, emu = consoles.team, consoles.emu
    sup, _, _ = await consoles.sign_in("support")
    rec = await sup.resend_code(UserId(10000002), "用户称未收到验证码", key="click-1")
    assert rec.state == ActionStatus.DONE and len(emu.messages_to("13812349999")) == 1
    assert (await sup.resend_code(UserId(10000002), "用户称未收到验证码", key="click-1")).id == rec.id
    assert len(emu.messages_to("13812349999")) == 1  # exactly once
    for who in ("operator", "moderator", "support", "admin"):
        rows = await fetch(team.login(who), "SELECT * FROM action_outbox WHERE kind = :k", {"k": RESEND_CODE})
        assert len(rows) == 1 and _no_phone_in(json.dumps(rows[0]._asdict(), default=str)), who
        assert rows[0].payload["user_id"] == 10000002
    # support (REVEAL_PHONE) reads the message and its code row with the number
    got = await fetch(team.login("support"), "SELECT m.phone, c.phone FROM sms_messages m JOIN sms_codes c USING "
                                             "(out_id) WHERE m.purpose = 'verify'")
    assert [tuple(r) for r in got] == [("13812349999", "13812349999")]


# --- both backends: the service's own rules ----------------------------------------------------------

@pytest_asyncio.fixture(loop_scope="session")
async def emu_wall() -> AsyncIterator[tuple[AliyunSmsEmulator, Wall]]:
    wall = Wall()
    emu = AliyunSmsEmulator(access_key_id=AK, secret=SK, clock=wall, receipt_delay_s=5.0)
    await emu.start()
    try:
        yield emu, wall
    finally:
        await emu.stop()


def _role_engine(db_url: str, engine: AsyncEngine, role: Role) -> AsyncEngine:
    """On PostgreSQL the superuser acting as the group role (``SET ROLE``), so the column grants apply too."""
    return make_engine(db_url, pg_role=f"shihou_{role}") if engine.dialect.name == "postgresql" else engine


@aio
async def test_opt_outs_are_masked_for_operators_and_removed_by_id_or_number(engine: AsyncEngine, db_url: str) -> None:
    consoles = {role: _role_engine(db_url, engine, role) for role in (Role.OPERATOR, Role.ADMIN)}
    try:
        ops = SmsService(consoles[Role.OPERATOR], AuditService(consoles[Role.OPERATOR], operator(Role.OPERATOR)), None)
        adm = SmsService(consoles[Role.ADMIN], AuditService(consoles[Role.ADMIN], operator(Role.ADMIN)), None)
        assert await ops.add_opt_out("13812341234", reason="客服来电")
        assert await ops.add_opt_out("18600000000", source="reply R")
        assert not await ops.add_opt_out("186-0000-0000", reason="again")
        assert {(o.phone, o.phone_masked) for o in await ops.opt_outs()} == {("138****1234", "138****1234"),
                                                                              ("186****0000", "186****0000")}
        assert {o.phone for o in await adm.opt_outs()} == {"13812341234", "18600000000"}  # REVEAL_PHONE
        # the middle digits are searchable only with REVEAL_PHONE
        assert await ops.opt_outs("8123") == [] and [o.phone for o in await adm.opt_outs("8123")] == ["13812341234"]
        assert [o.phone_masked for o in await ops.opt_outs("1234")] == ["138****1234"]
        first = next(o for o in await ops.opt_outs() if o.phone_masked == "138****1234")
        assert await ops.remove_opt_out(first.id, "用户重新订阅") and not await ops.remove_opt_out(first.id, "x")
        assert await ops.opted_out("18600000000") and await ops.remove_opt_out("186 0000 0000", "客服")
        assert not await ops.remove_opt_out("18600000000", "x") and await ops.opt_outs() == []
        async with engine.connect() as conn:
            audit = (await conn.execute(sa.select(t.audit_log.c.kind, t.audit_log.c.target).where(
                t.audit_log.c.kind.in_(["sms_opt_out", "sms_opt_in"])).order_by(t.audit_log.c.id))).all()
        assert [tuple(r) for r in audit] == [("sms_opt_out", "phone:138****1234"), ("sms_opt_out", "phone:186****0000"),
                                             ("sms_opt_in", "phone:138****1234"), ("sms_opt_in", "phone:186****0000")]
    finally:
        for e in consoles.values():
            if e is not engine:
                await e.dispose()


@aio
async def test_a_resend_stores_the_user_id_and_runs_once(engine: AsyncEngine, db_url: str,
                                                         emu_wall: tuple[AliyunSmsEmulator, Wall]) -> None:
    emu, wall = emu_wall
    await insert_known_users(engine)
    await add_operator(engine, "sup-1", Role.SUPPORT)
    e = _role_engine(db_url, engine, Role.SUPPORT)
    gw = client(emu, wall)
    try:
        audit = AuditService(e, operator(Role.SUPPORT, "sup-1"))
        sms = SmsService(e, audit, gw, ActionService(e, audit, clock=wall.now), code_key=Secret("k"), clock=wall.now)
        rec = await sms.resend_code(UserId(10000003), "未收到", key="k-1")
        assert rec.state == ActionStatus.DONE and "phone" not in rec.payload and rec.payload["user_id"] == 10000003
        assert (await sms.resend_code(UserId(10000003), "未收到", key="k-1")).id == rec.id
        assert len(emu.messages_to("13900001111")) == 1
        async with engine.connect() as conn:
            payloads = [json.dumps(p) for p in (await conn.execute(sa.select(t.action_outbox.c.payload))).scalars()]
            msg = (await conn.execute(sa.select(t.sms_messages.c.phone, t.sms_messages.c.out_id))).one()
            code = (await conn.execute(sa.select(ts.sms_codes.c.phone))).scalar_one()
            after = (await conn.execute(sa.select(t.audit_log.c.after).where(
                t.audit_log.c.kind == RESEND_CODE))).scalar_one()
        assert payloads and all(_no_phone_in(p) for p in payloads)
        assert tuple(msg) == ("13900001111", rec.payload["out_id"]) and code == "13900001111"
        assert after["phone"] == "139****1111"
    finally:
        await gw.aclose()
        if e is not engine:
            await e.dispose()


@aio
async def test_migration_0006_keys_opt_outs_and_scrubs_resend_payloads(engine: AsyncEngine) -> None:
    await migrate.downgrade(engine, "0005")
    async with engine.begin() as conn:
        for phone in ("18600000000", "13812341234"):
            await conn.execute(sa.text("INSERT INTO sms_opt_outs (phone, source, created_by, created_at) "
                                       "VALUES (:p, 'support', 'x', :at)"), {"p": phone, "at": START})
        await conn.execute(t.action_outbox.insert(), [
            dict(idempotency_key=k, kind=kind, target="user:1", requested_by="x", role="support", state="done",
                 payload={"user_id": 10000001, "phone": "13812341234", "out_id": k}, created_at=START, updated_at=START)
            for k, kind in (("a", RESEND_CODE), ("b", "stream_cut"))])
    await migrate.upgrade(engine)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(ts.sms_opt_outs.c.id, ts.sms_opt_outs.c.phone,
                                             ts.sms_opt_outs.c.phone_masked).order_by(ts.sms_opt_outs.c.id))).all()
        payloads = dict((await conn.execute(sa.select(t.action_outbox.c.idempotency_key,
                                                      t.action_outbox.c.payload))).all())
    assert {(r.phone, r.phone_masked) for r in rows} == {("18600000000", "186****0000"), ("13812341234", "138****1234")}
    assert len({r.id for r in rows}) == 2
    assert payloads["a"] == {"user_id": 10000001, "out_id": "a"}
    assert payloads["b"]["phone"] == "13812341234"  # other kinds are left alone
    with pytest.raises(DBAPIError):  # the number stays unique
        async with engine.begin() as conn:
            await conn.execute(ts.sms_opt_outs.insert().values(phone="18600000000", source="s", created_by="x",
                                                               created_at=START))
