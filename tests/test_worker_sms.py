"""SMS campaigns sent by the worker, as its own login (PostgreSQL: the claim functions hand it the numbers while
it holds the campaign's claim), or by the console's in-process duties (SQLite); the report refreshed while
receipts come in. The SMS gateway emulator and the test rig of tests/test_sms.py."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from sqlalchemy.engine import make_url

from console.credentials import Secret
from console.db import tables as t
from console.db.engine import make_engine
from console.domain import Operator, OperatorId, Role
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.jobs import Duties
from console.services.sms.service import Audience, SmsService
from tests.test_sms import Rig, _templates, client, emu, rig, rows, wall  # noqa: F401 - fixtures

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_an_approved_campaign_is_sent_by_the_worker_and_its_report_refreshed(
        rig: Rig, db_url: str, request: pytest.FixtureRequest) -> None:  # noqa: F811 - the fixture
    a, _ = rig.console(Role.OPERATOR, "op-a")
    b, _ = rig.console(Role.OPERATOR, "op-b")
    await _templates(a)
    c = await a.create_campaign("后台发送", "SMS_245512083", {"gift": "金币", "days": "7"},
                                Audience(kind="user_ids", user_ids=(10000001, 10000002, 10000003)), reason="召回")
    await b.approve(c.approval_id or 0, "可以")
    engine = rig.engine
    op = Operator(id=OperatorId(1), username="op-b", display_name="op-b", role=Role.OPERATOR)
    if rig.engine.dialect.name == "postgresql":   # the worker's own login
        pg = request.getfixturevalue("pg_cluster")
        login = f"wks_{os.getpid()}"
        pg.psql(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login}') THEN "
                f"CREATE ROLE {login} LOGIN PASSWORD 'pw' IN ROLE shihou_worker; END IF; END $$")
        engine = make_engine(make_url(db_url).set(username=login, password="pw").render_as_string(False))
        op = Operator(id=OperatorId(0), username=login, display_name="worker", role=Role.ADMIN)
    audit = AuditService(engine, op)
    actions = ActionService(engine, audit)
    gw = client(rig.emu, rig.wall)
    sms = SmsService(engine, audit, gw, actions, code_key=Secret("code-key"), clock=rig.wall.now,
                     retry_delay_s=0.0, max_passes=3)
    duties = Duties(SimpleNamespace(engine=engine, operator=op, audit=audit, actions=actions, sms=sms,
                                    push=SimpleNamespace(connected=False)), clock=rig.wall.now)
    try:
        assert await duties.campaigns() == 1
        camp = await a.campaign(c.id)
        assert camp.state == "done" and len(rig.emu.messages) == 3
        assert await duties.campaigns() == 0      # nothing twice
        rig.wall.advance(6)
        assert await duties.reports() == 1        # receipts still coming in: the report is refreshed
        report = await a.report(c.id)
        assert report.delivered == 3
        audit_rows = await rows(rig.engine, t.audit_log, t.audit_log.c.kind == "sms_campaign_sent")
        assert [r.actor for r in audit_rows] == [op.username]
    finally:
        await gw.aclose()
        if engine is not rig.engine:
            await engine.dispose()
