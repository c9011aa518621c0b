"""The SMS campaign pane with real services: the Aliyun SMS emulator on 127.0.0.1, a real database (SQLite and
PostgreSQL, each console on its own operator's PostgreSQL role), real keystrokes and clicks. Compose from a
template synced from the vendor with a live preview and count (opt-outs left out); the request appears live
in a second operator's pane, who approves it there; the requester's pane sends it and the report fills
with the receipts. Bad input is shown before anything is sent; every service call checks SEND_SMS."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtTest import QTest

from console.credentials import Secret
from console.db import tables as t
from console.db import tables_sms as ts
from console.db.engine import make_engine
from console.domain import Role, UserId
from console.errors import PermissionDenied
from console.sandbox.sms import AliyunSmsEmulator, seed_templates
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.events import EventHub
from console.services.http import HttpTransportPolicy, make_client
from console.services.sms.gateway import AliyunSms
from console.services.sms.service import Audience, SmsService, sms_length
from console.views.sms import SmsPane, parse_user_ids
from tests.conftest import NOW, insert_known_users, operator
from tests.test_push_pane import future_of, type_text, until

aio = pytest.mark.asyncio(loop_scope="session")
AK, SK = "LTAIpane", "sms-pane-secret"
GIFT = "SMS_245512083"
FIVE = "10000001, 10000002, 10000004, 10000005, 10000006"


async def _no_sleep(_s: float) -> None:
    await asyncio.sleep(0)


@pytest_asyncio.fixture(loop_scope="session")
async def emu() -> AsyncIterator[AliyunSmsEmulator]:
    e = AliyunSmsEmulator(access_key_id=AK, secret=SK, receipt_delay_s=0.3, undeliverable={"15011112222"})
    await e.start()
    yield e
    await e.stop()


class Rig:
    """The shared database and the emulator; each console connects as its operator's role."""

    def __init__(self, engine: Any, url: str, emu: AliyunSmsEmulator) -> None:
        self.engine, self.url, self.emu = engine, url, emu
        self.role_engines: dict[Role, Any] = {}

    def role_engine(self, role: Role) -> Any:
        if self.engine.dialect.name != "postgresql":
            return self.engine
        if role not in self.role_engines:
            self.role_engines[role] = make_engine(self.url, pg_role=f"shihou_{role}")
        return self.role_engines[role]

    async def close(self) -> None:
        for e in self.role_engines.values():
            await e.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def rig(engine: Any, db_url: str, emu: AliyunSmsEmulator) -> AsyncIterator[Rig]:
    await insert_known_users(engine)
    async with engine.begin() as conn:
        await conn.execute(t.users.update().values(last_active_at=datetime.now(UTC) - timedelta(days=1)))
    r = Rig(engine, db_url, emu)
    yield r
    await r.close()


class Console:
    """One operator's SMS pane on its own services (as in their own window)."""

    def __init__(self, rig: Rig, name: str, role: Role = Role.OPERATOR, **kw: Any) -> None:
        engine = rig.role_engine(role)
        self.gateway = AliyunSms(make_client(rig.emu.base_url, timeout=5), access_key_id=AK, secret=Secret(SK),
                                 sign_name="狮吼直播", policy=HttpTransportPolicy(sleep=_no_sleep))
        audit = AuditService(engine, operator(role, name))
        self.sms = SmsService(engine, audit, self.gateway, ActionService(engine, audit), code_key=Secret("k"),
                              retry_delay_s=0.0, confirm_threshold=kw.pop("confirm_threshold", 1000))
        self.pane = SmsPane(self.sms, report_interval_ms=150, **kw)
        self.hub = EventHub(engine, poll_interval=0.05)
        self.hub.subscribe(self.pane.on_changes)

    async def start(self) -> Console:
        self.pane.resize(1300, 860)
        self.pane.show()
        await self.hub.start()
        loaded = future_of(self.pane.loaded)
        self.pane.refresh()
        await asyncio.wait_for(loaded, 10)
        return self

    async def close(self) -> None:
        for tm in (self.pane.timer, self.pane._count_timer):  # noqa: SLF001
            tm.stop()
        for _ in range(50):
            pending = self.pane.tasks.pending()
            if not pending:
                break
            await asyncio.wait(pending, timeout=2)
        await self.hub.aclose()
        await self.gateway.aclose()
        await asyncio.sleep(0.05)
        self.pane.close()
        self.pane.deleteLater()


async def problems_after(pane: SmsPane, action: Any) -> list[tuple[str, str]]:
    got: list[list[tuple[str, str]]] = []
    pane.problems_shown.connect(got.append)
    try:
        action()
        await until(lambda: any(got), 10)
    finally:
        pane.problems_shown.disconnect(got.append)
    return next(g for g in got if g)


def click(button: Any) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


async def compose(pane: SmsPane, *, ids: str = FIVE, gift: str = "金币×100", days: str = "7") -> None:
    """The gift template with its variables, a list of users, no quiet hours, a reason."""
    i = pane.template_combo.findData(GIFT)
    assert i >= 0, [pane.template_combo.itemData(k) for k in range(pane.template_combo.count())]
    pane.template_combo.setCurrentIndex(i)
    type_text(pane.name_edit, "回归礼包")
    if gift:
        type_text(pane._var_edits["gift"], gift)  # noqa: SLF001
    if days:
        type_text(pane._var_edits["days"], days)  # noqa: SLF001
    pane.audience_mode.setCurrentIndex(pane.audience_mode.findData("user_ids"))
    type_text(pane.ids_edit, ids)
    pane.quiet_start.setValue(0)
    pane.quiet_end.setValue(0)
    type_text(pane.reason_edit, "老用户召回")


async def sync_gift(pane: SmsPane) -> None:
    """Through the pane: the template fetched from the vendor (QuerySmsTemplate) and stored."""
    type_text(pane.sync_edit, GIFT)
    click(pane.sync_btn)
    await until(lambda: pane.template_combo.findData(GIFT) >= 0, 10)


async def sms_rows(engine: Any, table: sa.Table, *where: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(table).where(*where))).all())


# --- pure ------------------------------------------------------------------------------------------

def test_length_and_parts() -> None:
    assert (sms_length("").chars, sms_length("").segments) == (0, 0)
    assert sms_length("短" * 70).segments == 1
    assert sms_length("短" * 71).segments == 2 and sms_length("短" * 134).segments == 2
    assert sms_length("短" * 135).segments == 3
    assert sms_length("🎁").chars == 2  # outside the BMP: two UCS-2 units
    assert parse_user_ids("1, 2，3\n3 abc") == ((1, 2, 3), ["abc"])


# --- the flow --------------------------------------------------------------------------------------

@aio
async def test_compose_second_operator_approves_live_then_sent_and_report_fills(
        qtbot: Any, rig: Rig, expect_log: list[str]) -> None:
    expect_log += ["refused", "Approval"]
    alice = await Console(rig, "ops-alice").start()
    bob = await Console(rig, "ops-bob").start()
    try:
        a = alice.pane
        await sync_gift(a)
        # the opt-out list: 186… opts out (with a reason); shown masked
        type_text(a.opt_phone, "186 0000 0000")
        type_text(a.opt_reason, "用户回复 R")
        shown = future_of(a.opt_outs_shown)
        click(a.opt_add_btn)
        opts = await asyncio.wait_for(shown, 10)
        assert [o.phone_masked for o in opts] == ["186****0000"]
        await compose(a)
        # the preview follows the typing: signature, variables, characters and parts
        assert a.preview.text() == "【狮吼直播】好久不见！回到狮吼直播领取金币×100，7天内有效。拒收请回复R"
        assert a.length_label.text().startswith(f"{sms_length(a.preview.text()).chars} 字 · 按 1 条计费")
        # the live count leaves the opted-out number out
        await until(lambda: "4 人" in a.count_label.text(), 10)
        assert "已排除拒收 1 人" in a.count_label.text()
        submitted = future_of(a.submitted)
        click(a.submit_btn)
        camp = await asyncio.wait_for(submitted, 10)
        assert camp.state == "awaiting_approval" and camp.audience_size == 4 and camp.skipped_opt_out == 1
        assert "审批" in a.message_bar.label.text() and rig.emu.calls_of("SendSms") == []
        # bob's pane shows the request without anyone pressing refresh
        await until(lambda: bool(bob.pane.approval_model.rows), 5)
        req = bob.pane.approval_model.rows[0]
        assert req.requested_by == "ops-alice" and "4 人" in req.summary
        # alice cannot approve her own campaign
        await until(lambda: bool(a.approval_model.rows), 5)
        problems = await problems_after(a, lambda: click(a.approve_btn))
        assert problems[0][0] == "approval" and "自己" in a.message_bar.label.text()
        assert rig.emu.calls_of("SendSms") == []
        bob.pane.approval_table.selectRow(0)
        type_text(bob.pane.approval_note, "文案核对无误")
        click(bob.pane.approve_btn)
        # alice's pane sees the approval and sends; the report fills as receipts arrive
        await until(lambda: any(r.id == camp.id and r.state == "done" for r in a.campaign_model.rows), 15)
        assert sorted(m.phone for m in rig.emu.messages) == ["13812340000", "13812341234", "13812349999",
                                                            "15011112222"]
        assert set(rig.emu.sends_per_out_id().values()) == {1} and len(rig.emu.messages) == 4
        assert "18600000000" not in {m.phone for m in rig.emu.messages}
        a.campaign_table.selectRow(0)
        await until(lambda: a.chart.values()["delivered"] == 3 and a.chart.values()["awaiting"] == 0, 15)
        assert a.chart.values() == {"sent": 4, "delivered": 3, "failed": 1, "opted_out": 1, "awaiting": 0}
        assert "MOBILE_NOT_ON_SERVICE" in a.report_label.text()
        # bob's pane follows through the events (no vendor call of its own needed)
        bob.pane.campaign_table.selectRow(0)
        await until(lambda: bob.pane.chart.values()["delivered"] == 3, 10)
        audit = await sms_rows(rig.engine, t.audit_log, t.audit_log.c.target == f"sms_campaign:{camp.id}")
        kinds = {r.kind: r for r in audit}
        assert {"sms_campaign_create", "sms_campaign_approve", "sms_campaign_sent"} <= set(kinds)
        assert kinds["sms_campaign_approve"].actor == "ops-bob"
        assert kinds["sms_campaign_create"].reason == "老用户召回"
    finally:
        await alice.close()
        await bob.close()


@aio
@pytest.mark.parametrize("case", ["missing_variable", "not_a_phone", "empty_audience", "not_ids", "past_schedule",
                                  "confirm_size", "emoji_10kb"])
async def test_bad_input_is_shown_before_anything_is_sent(qtbot: Any, rig: Rig, case: str,
                                                          expect_log: list[str]) -> None:
    expect_log += ["submit: ", "opt_add: "]
    c = await Console(rig, "ops-carol", confirm_threshold=3).start()
    try:
        pane = c.pane
        await sync_gift(pane)
        expected = {"missing_variable": "var.days", "not_a_phone": "phone", "empty_audience": "audience",
                    "not_ids": "audience", "past_schedule": "schedule", "confirm_size": "confirm_size",
                    "emoji_10kb": "template_param"}[case]
        if case == "not_a_phone":
            type_text(pane.opt_phone, "0571-8888 888")
            type_text(pane.opt_reason, "客服登记")
            problems = await problems_after(pane, lambda: click(pane.opt_add_btn))
            assert problems[0][0] == "phone" and "not a mainland China mobile number" in problems[0][1]
            assert await c.sms.opt_outs() == []
        else:
            await compose(pane, ids={"empty_audience": "42, 43", "not_ids": "10000001, 小明"}.get(case, FIVE),
                          days="" if case == "missing_variable" else "7")
            if case == "missing_variable":
                assert "未填：${days}" in pane.length_label.text() and "${days}" in pane.preview.text()
            if case == "emoji_10kb":   # 10 KB of emoji and CJK in a variable: the preview shows it, the service refuses
                pane._var_edits["gift"].setText("🎁金币" * 1000)  # noqa: SLF001
                assert "按 " in pane.length_label.text() and sms_length(pane.preview.text()).segments > 40
            if case == "past_schedule":
                pane.when_mode.setCurrentIndex(pane.when_mode.findData("at"))
                pane.at_edit.setDateTime(QDateTime.currentDateTime().addSecs(-3600))
            if case == "confirm_size":
                # the count of the audience typed (a count of the default audience may come first under load)
                await until(lambda: pane.confirm_edit.isVisible() and "5 人" in pane.confirm_label.text(), 10)
                type_text(pane.confirm_edit, "4")
            problems = await problems_after(pane, lambda: click(pane.submit_btn))
            assert any(f == expected for f, _m in problems), problems
            if case == "empty_audience":
                assert "nobody to send to" in problems[0][1]
            if case == "emoji_10kb":
                assert "longer than 35 characters" in problems[0][1]
            assert "未发送" in pane.message_bar.label.text()
            assert pane.problems.count() == len(problems) and pane.problems.item(0).text()
        assert await c.sms.campaigns() == [] and await sms_rows(rig.engine, ts.approvals) == []
        assert rig.emu.calls_of("SendSms") == []
        if case == "confirm_size":  # the right number goes through
            pane.confirm_edit.clear()
            type_text(pane.confirm_edit, "5")
            submitted = future_of(pane.submitted)
            click(pane.submit_btn)
            assert (await asyncio.wait_for(submitted, 10)).audience_size == 5
    finally:
        await c.close()


@aio
async def test_schedule_waits_cancel_and_opt_out_removal(qtbot: Any, rig: Rig, expect_log: list[str]) -> None:
    expect_log += ["opt_remove: reason", ": reason: a reason is required"]
    alice = await Console(rig, "ops-alice").start()
    bob = await Console(rig, "ops-bob").start()
    try:
        a = alice.pane
        # every template of the account at once (QuerySmsTemplateList): only approved notice/marketing ones offered
        click(a.sync_btn)
        await until(lambda: a.template_combo.findData(GIFT) >= 0, 10)
        offered = {a.template_combo.itemData(k) for k in range(a.template_combo.count())}
        assert offered == {"SMS_230184521", "SMS_230184633", "SMS_231905217", GIFT}
        assert "个模板" in a.message_bar.label.text()
        await compose(a)
        a.when_mode.setCurrentIndex(a.when_mode.findData("at"))
        a.at_edit.setDateTime(QDateTime.currentDateTime().addDays(1))
        submitted = future_of(a.submitted)
        click(a.submit_btn)
        camp = await asyncio.wait_for(submitted, 10)
        assert camp.send_at is not None and camp.send_at > datetime.now(UTC) + timedelta(hours=23)
        await until(lambda: bool(bob.pane.approval_model.rows), 5)
        bob.pane.approval_table.selectRow(0)
        click(bob.pane.approve_btn)
        # approved: alice's pane tries at once, the service says "wait until tomorrow"; nothing is sent
        await until(lambda: "将于" in a.message_bar.label.text(), 10)
        assert rig.emu.calls_of("SendSms") == [] and await c_due(alice) == []
        assert any(r.id == camp.id and r.send_at for r in a.campaign_model.rows)
        # cancelled with a reason (none: refused)
        await until(lambda: any(r.id == camp.id for r in a.campaign_model.rows), 5)
        row = next(i for i, r in enumerate(a.campaign_model.rows) if r.id == camp.id)
        a.campaign_table.selectRow(row)
        problems = await problems_after(a, lambda: click(a.cancel_btn))
        assert problems[0][0] == "reason"
        type_text(a.cancel_reason, "活动延期")
        click(a.cancel_btn)
        await until(lambda: any(r.id == camp.id and r.state == "cancelled" for r in bob.pane.campaign_model.rows), 10)
        # opt-outs: added by alice, live in bob's list; removal needs a reason
        type_text(a.opt_phone, "13812341234")
        type_text(a.opt_reason, "客服来电要求")
        click(a.opt_add_btn)
        await until(lambda: [o.phone_masked for o in bob.pane.opt_model.rows] == ["138****1234"], 10)
        bob.pane.opt_table.selectRow(0)
        problems = await problems_after(bob.pane, lambda: click(bob.pane.opt_remove_btn))
        assert problems[0][0] == "reason" and bob.pane.opt_model.rows
        type_text(bob.pane.opt_reason, "用户重新订阅")
        click(bob.pane.opt_remove_btn)
        await until(lambda: not a.opt_model.rows, 10)
        audit = await sms_rows(rig.engine, t.audit_log, t.audit_log.c.kind.in_(["sms_opt_out", "sms_opt_in"]))
        assert sorted((r.kind, r.actor, r.reason) for r in audit) == [
            ("sms_opt_in", "ops-bob", "用户重新订阅"), ("sms_opt_out", "ops-alice", "客服来电要求")]
        assert rig.emu.calls_of("SendSms") == []
    finally:
        await alice.close()
        await bob.close()


async def c_due(c: Console) -> list[int]:
    return await c.sms.due()


@aio
async def test_every_service_call_checks_send_sms(rig: Rig, expect_log: list[str]) -> None:
    expect_log.append("refused")
    engine = rig.role_engine(Role.SUPPORT)
    audit = AuditService(engine, operator(Role.SUPPORT, "sup-x"))
    sms = SmsService(engine, audit, None)
    aud = Audience(kind="active_days", days=7)
    calls = {
        "templates": sms.templates(), "sync_template": sms.sync_template(GIFT),
        "count_audience": sms.count_audience(aud),
        "create_campaign": sms.create_campaign("x", GIFT, {}, aud, reason="r"),
        "campaign": sms.campaign(1), "campaigns": sms.campaigns(), "approvals": sms.approvals(),
        "approve": sms.approve(1), "reject": sms.reject(1, "no"), "cancel_campaign": sms.cancel_campaign(1, "r"),
        "due": sms.due(), "run_due": sms.run_due(), "send_campaign": sms.send_campaign(1),
        "poll_deliveries": sms.poll_deliveries(1), "report": sms.report(1),
        "add_opt_out": sms.add_opt_out("13812341234", reason="r"),
        "remove_opt_out": sms.remove_opt_out("13812341234", "r"), "opted_out": sms.opted_out("13812341234"),
        "opt_outs": sms.opt_outs(),
    }
    for name, coro in calls.items():
        with pytest.raises(PermissionDenied):
            await coro
        assert name
    denied = await sms_rows(rig.engine, t.audit_log, t.audit_log.c.kind == "denied", t.audit_log.c.actor == "sup-x")
    assert len(denied) == len(calls) and {d.reason for d in denied} == {"send_sms"}
    # the user card's reads are LOOKUP_USERS (support has it)
    assert await sms.user_messages(UserId(10000001)) == []


@aio
async def test_showcase_sends_a_sandbox_campaign_and_shows_its_receipts(qtbot: Any, rig: Rig) -> None:
    async with rig.engine.begin() as conn:   # the sandbox's demo operators (console/sandbox/seed.py)
        await conn.execute(t.operators.insert(), [
            dict(username=u, display_name=u, role=r, password_hash="x", created_at=NOW)
            for u, r in (("demo-ops", "operator"), ("demo-admin", "admin"))])
    await seed_templates(rig.engine, rig.emu)   # as the sandbox does at start
    c = await Console(rig, "demo-admin", role=Role.ADMIN).start()
    try:
        await c.pane.load_showcase()
        assert c.pane.campaign_model.rows and c.pane.campaign_model.rows[0].state == "done"
        v = c.pane.chart.values()
        assert v["sent"] == 6 and v["delivered"] == 5 and v["failed"] == 1 and v["awaiting"] == 0
        assert c.pane.preview.text().startswith("【狮吼直播】好久不见")
        assert "人" in c.pane.count_label.text()
        approvals = await c.sms.approvals(state="approved")
        assert approvals[0].requested_by == "demo-ops" and approvals[0].approved_by == "demo-admin"
        assert set(rig.emu.sends_per_out_id().values()) == {1}
        # the second time, the campaign that exists is shown; nothing new is sent
        before = len(rig.emu.messages)
        await c.pane.load_showcase()
        assert len(rig.emu.messages) == before
    finally:
        await c.close()
