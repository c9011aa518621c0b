"""Push campaigns against the real JPush emulator on 127.0.0.1 and a real database (SQLite and PostgreSQL):
segments resolved in batches of 1000, the typed-size confirmation, two-person approval from another
console, every bad input refused before anything is sent, retries with the same cid through 5xx /
timeouts / lost answers, kill -9 mid-send completing exactly once, schedules, reports, the user card."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa

from console.credentials import Secret
from console.db import tables as t
from console.db import tables_push as tp
from console.domain import Changes, Role, UserId
from console.errors import InvalidInput, PermissionDenied
from console.sandbox.jpush import JPushEmulator
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.events import EventHub
from console.services.http import HttpTransportPolicy, RateGate
from console.services.push.campaigns import (
    AudienceSpec,
    DraftInvalid,
    PushConfig,
    PushDraft,
    PushService,
    ScheduleSpec,
    Segment,
    in_quiet_hours,
)
from console.services.push.jpush import BEIJING, JPushClient
from console.services.users import UserService
from tests.conftest import operator

pytestmark = pytest.mark.asyncio(loop_scope="session")
ROOT = Path(__file__).resolve().parent.parent
APP_KEY, SECRET = "testappkey00000000000001", "test-jpush-master-secret"
FIRST = 20_000_001


async def _no_sleep(_s: float) -> None:
    await asyncio.sleep(0)


@pytest_asyncio.fixture(loop_scope="session")
async def emu() -> AsyncIterator[JPushEmulator]:
    e = JPushEmulator(app_key=APP_KEY, master_secret=SECRET, vip=True, mean_delay_s=0.05, click_rate=0.3,
                      mean_click_delay_s=0.05, reach=1.0, tick_s=0)
    await e.start()
    yield e
    await e.stop()


def client(emu: JPushEmulator, *, timeout: float = 5.0) -> JPushClient:
    policy = HttpTransportPolicy(gate=RateGate(rate_per_s=1000, burst=1000), sleep=_no_sleep, retries=3,
                                 max_retry_after_s=65.0)
    return JPushClient.create(app_key=APP_KEY, master_secret=Secret(SECRET), api_url=emu.base_url,
                              report_url=emu.base_url, device_url=emu.base_url, timeout=timeout, policy=policy,
                              quotas={"push": 60_000, "report": 60_000, "device": 60_000, "schedule": 6000})


async def add_users(engine: Any, n: int, *, active: bool = True, first: int = FIRST) -> list[int]:
    now = datetime.now(UTC)
    rows = [dict(id=first + i, phone=f"139{first + i:08d}"[:11], nickname=f"u{first + i}",
                 registered_at=now - timedelta(days=400), channel="huawei", status="active",
                 last_active_at=now - timedelta(days=1 if active else 60)) for i in range(n)]
    devs = [dict(user_id=first + i, device_id=f"d{first + i}", platform=("android", "ios", "harmony")[i % 3],
                 model=("HUAWEI Mate 60", "iPhone 15", "HUAWEI Pura 70")[i % 3], first_seen=now, last_seen=now)
            for i in range(n)]
    async with engine.begin() as conn:
        for i in range(0, n, 5000):
            await conn.execute(t.users.insert(), rows[i:i + 5000])
            await conn.execute(t.devices.insert(), devs[i:i + 5000])
    return [first + i for i in range(n)]


def service(engine: Any, jp: JPushClient | None, role: Role = Role.OPERATOR, *, name: str | None = None,
            **cfg: Any) -> PushService:
    audit = AuditService(engine, operator(role, name))
    actions = ActionService(engine, audit)
    config = PushConfig(**{"confirm_threshold": 1000, "workers": 3, "retry_base_s": 0.01, "retry_cap_s": 0.05,
                           **cfg})
    return PushService(engine, audit, actions, jp, config=config)


DRAFT = PushDraft(name="KPL 决赛预告", title="今晚8点 KPL 总决赛", body="冠军之夜，锁定直播间！🏆", room_id=1,
                  badge=("add", 1), sound="default", ttl=3600, extras='{"campaign": "kpl"}')


def push_calls(emu: JPushEmulator) -> list[Any]:
    return [c for c in emu.calls if c.op == "push"]


async def test_segment_is_sent_in_batches_of_1000_once_each(known_db: Any, emu: JPushEmulator,
                                                            expect_log: list[str]) -> None:
    expect_log.append("refused lookup_users")
    ids = await add_users(known_db, 2500)
    await add_users(known_db, 300, active=False, first=FIRST + 10_000)
    emu.populate([str(i) for i in ids])
    jp = client(emu)
    push = service(known_db, jp)
    spec = AudienceSpec(segment=Segment(active_days=7))
    try:
        check = await push.check(DRAFT, spec)
        assert check.count.size == 2500 and check.count.exact and check.count.pushes == 3
        assert check.needs_confirmation and not check.needs_approval
        assert set(check.sizes) == {"android", "ios", "hmos"}
        seen: list[int] = []
        batches = [b async for b in push.audience_batches(spec, progress=seen.append)]
        assert [len(b[0]) for b in batches] == [1000, 1000, 500] and seen == [1000, 2000, 2500]
        with pytest.raises(InvalidInput, match="type the number"):
            await push.send(DRAFT, spec, reason="赛事预告")
        with pytest.raises(InvalidInput, match="you typed 2,499"):
            await push.send(DRAFT, spec, reason="赛事预告", confirm_size=2499)
        assert push_calls(emu) == []
        camp = await push.send(DRAFT, spec, reason="赛事预告", confirm_size=2500, wait=True)
        assert camp.state == "done" and camp.pushes_done == 3 and camp.recipients == 2500
        calls = push_calls(emu)
        assert len(calls) == 3
        cids = {c.cid for c in calls}
        assert all(emu.deliveries(c) == 1 for c in cids if c)
        body = emu.record(emu.pushes[-1].msg_id).body  # type: ignore[union-attr]
        assert body["options"]["apns_production"] is False and body["options"]["time_to_live"] == 3600
        assert body["notification"]["android"]["intent"] == {"url": "shihou://room/1"}
        assert body["notification"]["ios"]["badge"] == "+1"
        async with known_db.connect() as conn:
            n_rec = (await conn.execute(sa.select(sa.func.count()).select_from(t.push_recipients))).scalar_one()
            n_push = (await conn.execute(sa.select(sa.func.count()).select_from(t.pushes))).scalar_one()
        assert (n_rec, n_push) == (2500, 3)
        # the user card shows the push a user received; an inactive user got nothing
        card = await UserService(known_db, AuditService(known_db, operator(Role.SUPPORT))).card(UserId(ids[1234]))
        assert [p.title for p in card.pushes] == ["今晚8点 KPL 总决赛"]
        # per user, with the status JPush reports for the user's own devices (support's user card)
        support = service(known_db, jp, Role.SUPPORT, name="sup-card")
        got = await support.received_by(ids[0], live=False)
        assert [(p.title, p.status) for p in got] == [("今晚8点 KPL 总决赛", "sent")]
        await asyncio.sleep(0.4)  # the emulator's devices receive after ~0.05 s
        got = await support.received_by(ids[0])
        assert [(p.title, p.status) for p in got] == [("今晚8点 KPL 总决赛", "received")]
        assert len([c for c in emu.calls if c.op == "status"]) >= 1
        assert await support.received_by(FIRST + 10_000) == []
        with pytest.raises(PermissionDenied):   # operators send pushes; reading a user's is the card's right
            await push.received_by(ids[0])
        # reports grow while it runs: received and clicked per platform
        await asyncio.sleep(0.5)
        # the pane and the background duty may refresh at once: one row per platform, no key clash
        report, *_ = await asyncio.gather(*(push.refresh_report(camp.id) for _ in range(3)))
        by = {p.platform: p for p in report.platforms}
        assert report.msg_ids == 3 and len(report.platforms) == len(by)
        assert sum(p.received for p in report.platforms) > 2000
        assert by["ios"].received > 0 and by["android"].clicked > 0
    finally:
        await jp.aclose()


BAD: list[tuple[str, PushDraft, AudienceSpec, str]] = [
    ("payload over a platform limit (10 KB text with emoji)",
     PushDraft(name="x", body="🐱猫" * 2000), AudienceSpec(aliases=("20000001",)), "body"),
    ("empty body", PushDraft(name="x", body="   "), AudienceSpec(aliases=("20000001",)), "body"),
    ("empty audience", PushDraft(name="x", body="hi"), AudienceSpec(), "audience"),
    ("invalid tag", PushDraft(name="x", body="hi"), AudienceSpec(tags=("bad tag!?",)), "tag"),
    ("empty alias", PushDraft(name="x", body="hi"), AudienceSpec(aliases=("",)), "alias"),
    ("alias too long", PushDraft(name="x", body="hi"), AudienceSpec(aliases=("别名" * 10,)), "alias"),
    ("bad registration id", PushDraft(name="x", body="hi"), AudienceSpec(registration_ids=("no-dash-ok?",)),
     "registration_ids"),
    ("extras not JSON", PushDraft(name="x", body="hi", extras="{room: 1"), AudienceSpec(aliases=("1",)), "extras"),
    ("extras not an object", PushDraft(name="x", body="hi", extras="[1,2]"), AudienceSpec(aliases=("1",)), "extras"),
    ("badge out of range", PushDraft(name="x", body="hi", badge=("set", 1000)), AudienceSpec(aliases=("1",)),
     "badge"),
    ("ttl out of range", PushDraft(name="x", body="hi", ttl=99 * 86400), AudienceSpec(aliases=("1",)),
     "time_to_live"),
    ("no platform", PushDraft(name="x", body="hi", platforms=()), AudienceSpec(aliases=("1",)), "platforms"),
    ("empty segment", PushDraft(name="x", body="hi"), AudienceSpec(segment=Segment()), "segment"),
    ("all combined", PushDraft(name="x", body="hi"), AudienceSpec(everyone=True, tags=("a",)), "audience"),
    ("control character", PushDraft(name="x", body="a\x00b"), AudienceSpec(aliases=("1",)), "body"),
]


@pytest.mark.parametrize("case", BAD, ids=[b[0] for b in BAD])
async def test_bad_input_gets_a_clear_message_and_nothing_is_sent(
        known_db: Any, emu: JPushEmulator, case: tuple[str, PushDraft, AudienceSpec, str]) -> None:
    _label, draft, spec, fld = case
    jp = client(emu)
    push = service(known_db, jp)
    before = len(emu.calls)
    try:
        with pytest.raises(DraftInvalid) as err:
            await push.send(draft, spec, reason="测试", confirm_size=1)
        assert any(f.startswith(fld) or fld in f for f, _m in err.value.problems), err.value.problems
        assert all(m for _f, m in err.value.problems)
        assert len(emu.calls) == before  # nothing reached the provider
        async with known_db.connect() as conn:
            assert (await conn.execute(sa.select(sa.func.count()).select_from(tp.push_campaigns))).scalar_one() == 0
    finally:
        await jp.aclose()


async def test_every_problem_is_listed_at_once_and_more_bad_inputs(known_db: Any, emu: JPushEmulator) -> None:
    jp = client(emu)
    push = service(known_db, jp)
    try:
        bad = PushDraft(name="", body="", extras="{", badge=("add", 0), room_id=999)
        with pytest.raises(DraftInvalid) as err:
            await push.check(bad, AudienceSpec(tags=("",)))
        fields = [f for f, _m in err.value.problems]
        for f in ("name", "body", "badge", "extras", "tag"):
            assert f in fields, fields
        # a schedule in the past
        past = ScheduleSpec(kind="once", at=datetime.now(UTC) - timedelta(minutes=5))
        with pytest.raises(DraftInvalid, match="in the past"):
            await push.send(DRAFT, AudienceSpec(aliases=("10000001",)), reason="x", schedule=past)
        # a room that does not exist (deep link)
        with pytest.raises(DraftInvalid, match="no room 999"):
            await push.check(PushDraft(name="x", body="hi", room_id=999), AudienceSpec(aliases=("10000001",)))
        # a segment nobody is in
        with pytest.raises(DraftInvalid, match="no user matches"):
            await push.send(PushDraft(name="x", body="hi"), AudienceSpec(segment=Segment(registered_days=1)),
                            reason="x")
        # a reason is required
        with pytest.raises(InvalidInput, match="reason"):
            await push.send(DRAFT, AudienceSpec(aliases=("10000001",)), reason="  ")
        assert push_calls(emu) == [] or all(c.op != "push" for c in emu.calls)
    finally:
        await jp.aclose()


async def test_a_push_to_all_users_needs_a_second_operator_from_their_own_console(
        known_db: Any, emu: JPushEmulator) -> None:
    await add_users(known_db, 50)
    emu.populate([str(FIRST + i) for i in range(50)])
    jp_a, jp_b = client(emu), client(emu)
    alice = service(known_db, jp_a, name="ops-alice", confirm_threshold=10)
    bob = service(known_db, jp_b, name="ops-bob")
    other = EventHub(known_db, poll_interval=0.05)
    seen: asyncio.Future[frozenset[str]] = asyncio.get_running_loop().create_future()

    def on_changes(c: Changes) -> None:
        if c.has("approvals") and not seen.done():
            seen.set_result(c.topic("approvals"))

    other.subscribe(on_changes)
    await other.start()
    try:
        spec = AudienceSpec(everyone=True)
        check = await alice.check(DRAFT, spec)
        assert check.needs_approval and check.needs_confirmation
        camp = await alice.send(DRAFT, spec, reason="全员公告", confirm_size=check.count.size)
        assert camp.state == "awaiting_approval" and push_calls(emu) == []
        refs = await asyncio.wait_for(seen, 5)          # bob's console hears of the request, live
        pending = await bob.approvals()
        assert [str(a.id) for a in pending] == sorted(refs) and pending[0].requested_by == "ops-alice"
        with pytest.raises(InvalidInput, match="second operator"):
            await alice.approve(pending[0].id)
        with pytest.raises(InvalidInput, match="not approved"):
            await alice.start(camp.id)
        approved = await bob.approve(pending[0].id, "核对无误")
        assert approved.state == "approved" and approved.approved_by == "ops-bob"
        with pytest.raises(InvalidInput, match="already approved"):
            await bob.approve(pending[0].id)
        done = await alice.start(camp.id, wait=True)
        assert done.state == "done" and done.pushes_done == 1
        calls = push_calls(emu)
        assert len(calls) == 1 and emu.record(emu.pushes[-1].msg_id).body["audience"] == "all"  # type: ignore[union-attr]
        assert await alice.approvals() == []
    finally:
        await other.aclose()
        await jp_a.aclose()
        await jp_b.aclose()


@pytest.mark.parametrize("fault", ["503", "timeout", "lost"])
async def test_retries_use_the_same_cid_and_push_once(known_db: Any, emu: JPushEmulator, expect_log: list[str],
                                                     fault: str) -> None:
    expect_log.extend(["giving up", "push_send", "timed out"])
    await add_users(known_db, 10)
    emu.populate([str(FIRST + i) for i in range(10)])
    jp = client(emu, timeout=0.5)
    push = service(known_db, jp)
    if fault == "lost":
        emu.lose_response("push", count=2)
    elif fault == "timeout":
        emu.inject("push", "timeout", count=2, delay_s=2.0, apply=True)
    else:
        emu.inject("push", "503", count=5)
    try:
        camp = await push.send(DRAFT, AudienceSpec(aliases=tuple(str(FIRST + i) for i in range(10))),
                               reason="重试测试", wait=True)
        assert camp.state == "done" and camp.pushes_done == 1
        calls = push_calls(emu)
        # every attempt JPush saw carried the one cid (a fault before the push records none)
        cids = {c.cid for c in calls if c.cid}
        assert len(calls) >= 3 and len(cids) == 1
        assert emu.deliveries_by_cid() == {cids.pop(): 1}
        async with known_db.connect() as conn:
            assert (await conn.execute(sa.select(sa.func.count()).select_from(t.pushes))).scalar_one() == 1
    finally:
        emu.clear_faults()
        await jp.aclose()


async def test_test_send_goes_to_the_locked_test_audience_only(known_db: Any, emu: JPushEmulator) -> None:
    await add_users(known_db, 5)
    emu.populate([str(FIRST + i) for i in range(5)])
    jp = client(emu)
    push = service(known_db, jp, test_aliases=(str(FIRST), str(FIRST + 1)))
    try:
        camp = await push.test_send(DRAFT)
        assert camp.test and camp.state == "done" and camp.name.startswith("[测试]")
        body = emu.record(emu.pushes[-1].msg_id).body  # type: ignore[union-attr]
        assert body["audience"] == {"alias": [str(FIRST), str(FIRST + 1)]}
        with pytest.raises(InvalidInput, match="no test audience"):
            await service(known_db, jp).test_send(DRAFT)
    finally:
        await jp.aclose()


async def test_operators_only(known_db: Any, emu: JPushEmulator, expect_log: list[str]) -> None:
    expect_log.append("refused")
    jp = client(emu)
    push = service(known_db, jp, Role.MODERATOR)
    try:
        with pytest.raises(PermissionDenied):
            await push.send(DRAFT, AudienceSpec(aliases=("10000001",)), reason="x")
        with pytest.raises(PermissionDenied):
            await push.approvals()
        assert push_calls(emu) == []
        async with known_db.connect() as conn:
            kinds = (await conn.execute(sa.select(t.audit_log.c.kind))).scalars().all()
        assert "denied" in kinds
    finally:
        await jp.aclose()


async def test_schedules_once_and_periodic_list_edit_cancel(known_db: Any, emu: JPushEmulator) -> None:
    jp = client(emu)
    push = service(known_db, jp)
    try:
        at = datetime.now(UTC) + timedelta(days=1)
        camp = await push.send(DRAFT, AudienceSpec(tags=("active_7d",)), reason="明晚预告",
                               schedule=ScheduleSpec(kind="once", at=at))
        assert camp.state == "scheduled"
        start = datetime.now(UTC) + timedelta(hours=1)
        weekly = ScheduleSpec(kind="periodic", time="20:00", start=start, end=start + timedelta(days=30),
                              unit="week", points=("FRI",))
        camp2 = await push.send(dataclasses_replace(DRAFT, name="每周五"), AudienceSpec(tags=("active_30d",)),
                                reason="周五活动", schedule=weekly)
        assert camp2.state == "scheduled"
        rows = await push.schedules()
        assert {r.kind for r in rows} == {"once", "periodic"} and len(emu.schedules) == 2
        once = next(r for r in rows if r.kind == "once")
        later = at + timedelta(hours=2)
        moved = await push.update_schedule(once.id, ScheduleSpec(kind="once", at=later), reason="改期")
        assert moved.trigger["single"]["time"] == later.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        assert emu.schedules[once.schedule_id].trigger["single"]["time"] == moved.trigger["single"]["time"]  # type: ignore[index]
        with pytest.raises(InvalidInput, match="in the past"):
            await push.update_schedule(once.id, ScheduleSpec(kind="once", at=datetime.now(UTC) - timedelta(hours=1)),
                                       reason="x")
        cancelled = await push.cancel_schedule(once.id, reason="活动取消")
        assert cancelled.state == "cancelled" and once.schedule_id not in emu.schedules
        assert (await push.campaign(camp.id)).state == "cancelled"
        assert [r.kind for r in await push.schedules()] == ["periodic"]
    finally:
        await jp.aclose()


def dataclasses_replace(d: PushDraft, **kw: Any) -> PushDraft:
    import dataclasses

    return dataclasses.replace(d, **kw)


async def test_forecast_quiet_hours_vendor_caps_and_time_to_finish(known_db: Any, emu: JPushEmulator) -> None:
    await add_users(known_db, 3000)
    push = service(known_db, None, quota_per_min=600)
    night = datetime(2025, 6, 2, 2, 30, tzinfo=BEIJING)
    assert in_quiet_hours(night) and not in_quiet_hours(night.replace(hour=20))
    f = await push.forecast(AudienceSpec(segment=Segment(active_days=7)), night)
    assert f.pushes == 3 and f.quota_per_min == 600 and f.quiet_hours
    assert abs(f.minutes - 4 / 600) < 1e-9
    huawei = next(v for v in f.vendors if v.vendor.startswith("华为"))
    assert huawei.devices == 2000 and huawei.daily_cap == 2 and huawei.suppressed == 2000 and huawei.quiet
    apple = next(v for v in f.vendors if v.vendor == "苹果")
    assert apple.devices == 1000 and apple.suppressed == 0
    assert any("00:00" in w for w in f.warnings)
    day = await push.forecast(AudienceSpec(segment=Segment(active_days=7)), night.replace(hour=20))
    assert not day.quiet_hours and all(v.suppressed == 0 for v in day.vendors)


CHILD = textwrap.dedent("""
    import asyncio, sys
    from console.credentials import Secret
    from console.db.engine import make_engine
    from console.domain import Operator, OperatorId, Role
    from console.services.actions import ActionService
    from console.services.audit import AuditService
    from console.services.push.campaigns import AudienceSpec, PushConfig, PushDraft, PushService
    from console.services.push.jpush import JPushClient

    async def main(db, base):
        engine = make_engine(db)
        jp = JPushClient.create(app_key=sys.argv[3], master_secret=Secret(sys.argv[4]), api_url=base,
                                report_url=base, device_url=base, timeout=600)
        op = Operator(id=OperatorId(1), username="test-operator", display_name="o", role=Role.OPERATOR)
        audit = AuditService(engine, op)
        push = PushService(engine, audit, ActionService(engine, audit), jp, config=PushConfig())
        print("sending", flush=True)
        await push.send(PushDraft(name="kill", title="t", body="杀进程测试"), AudienceSpec(aliases=("20000001",)),
                        reason="kill -9", wait=True)

    asyncio.run(main(*sys.argv[1:3]))
""")


@pytest.mark.parametrize("applied", [False, True], ids=["killed-before-jpush-pushed", "killed-after-jpush-pushed"])
async def test_kill_9_mid_send_pushes_exactly_once(known_db: Any, emu: JPushEmulator, db_url: str, tmp_path: Path,
                                                   applied: bool) -> None:
    await add_users(known_db, 1)
    emu.populate([str(FIRST)])
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    # JPush holds its answer (after making the push, when ``applied``) until the child is killed
    emu.inject("push", "timeout", count=1, apply=applied)
    child = subprocess.Popen([sys.executable, str(script), db_url, emu.base_url, APP_KEY, SECRET], cwd=ROOT,
                             env=os.environ | {"PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not push_calls(emu):
            assert time.monotonic() < deadline, "the child never reached JPush"
            await asyncio.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
        if child.stdout:
            child.stdout.close()
    async with known_db.connect() as conn:
        rows = (await conn.execute(sa.select(t.action_outbox.c.state, t.action_outbox.c.payload))).all()
    assert [r.state for r in rows] == ["pending"]  # the intent, with its cid, survived the kill
    cid = rows[0].payload["cid"]
    assert push_calls(emu)[0].cid == (cid if applied else None)  # the emulator records a cid once applied
    assert emu.deliveries(cid) == (1 if applied else 0)
    jp = client(emu)
    try:
        restarted = service(known_db, jp)
        resumed = await restarted.resume()
        assert [c.state for c in resumed] == ["done"]
        assert emu.deliveries_by_cid() == {cid: 1}            # one push, not two and not zero
        assert {c.cid for c in push_calls(emu) if c.cid} == {cid}
        async with known_db.connect() as conn:
            assert (await conn.execute(sa.select(sa.func.count()).select_from(t.pushes))).scalar_one() == 1
            assert (await conn.execute(sa.select(sa.func.count()).select_from(t.push_recipients))).scalar_one() == 1
        assert await restarted.resume() == []
    finally:
        emu.clear_faults()
        await jp.aclose()


async def test_a_killed_bulk_campaign_resumes_its_durable_plan(known_db: Any, emu: JPushEmulator) -> None:
    """A campaign stopped mid-way (its runner cancelled, as at close) resumes from push_batches: no batch
    twice, none lost."""
    ids = await add_users(known_db, 4200)
    emu.populate([str(i) for i in ids])
    jp = client(emu)
    push = service(known_db, jp, workers=1)
    spec = AudienceSpec(segment=Segment(active_days=7))
    try:
        started = asyncio.Event()

        def progress(c: Any) -> None:
            if c.pushes_done >= 2:
                started.set()

        camp = await push.send(DRAFT, spec, reason="分批", confirm_size=4200, progress=progress)
        await asyncio.wait_for(started.wait(), 10)
        await push.drain()
        mid = await push.campaign(camp.id)
        assert mid.state == "sending" and mid.pushes_done < 5
        again = service(known_db, jp)
        [done] = await again.resume()
        assert done.state == "done" and done.pushes_done == 5 and done.recipients == 4200
        assert len(emu.deliveries_by_cid()) == 5 and set(emu.deliveries_by_cid().values()) == {1}
    finally:
        await jp.aclose()


BULK_CHILD = textwrap.dedent("""
    import asyncio, sys
    from console.credentials import Secret
    from console.db.engine import make_engine
    from console.domain import Operator, OperatorId, Role
    from console.services.actions import ActionService
    from console.services.audit import AuditService
    from console.services.push.campaigns import AudienceSpec, PushConfig, PushDraft, PushService, Segment
    from console.services.push.jpush import JPushClient

    async def main(db, base, key, secret):
        engine = make_engine(db)
        jp = JPushClient.create(app_key=key, master_secret=Secret(secret), api_url=base, report_url=base,
                                device_url=base, timeout=600)
        op = Operator(id=OperatorId(1), username="test-operator", display_name="o", role=Role.OPERATOR)
        audit = AuditService(engine, op)
        push = PushService(engine, audit, ActionService(engine, audit), jp, config=PushConfig(workers=1))
        await push.send(PushDraft(name="bulk", title="t", body="批量"), AudienceSpec(segment=Segment(active_days=7)),
                        reason="kill -9 bulk", confirm_size=4200, wait=True)

    asyncio.run(main(*sys.argv[1:5]))
""")


async def test_kill_9_mid_bulk_campaign_resumes_with_each_push_exactly_once(
        known_db: Any, emu: JPushEmulator, db_url: str, tmp_path: Path) -> None:
    ids = await add_users(known_db, 4200)
    emu.populate([str(i) for i in ids])
    script = tmp_path / "bulk.py"
    script.write_text(BULK_CHILD, encoding="utf-8")
    # the first two pushes go through (slowly), the third is made and its answer never comes
    emu.inject("push", "slow", count=2, delay_s=0.3)
    emu.inject("push", "timeout", count=1, apply=True)
    child = subprocess.Popen([sys.executable, str(script), db_url, emu.base_url, APP_KEY, SECRET], cwd=ROOT,
                             env=os.environ | {"PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(push_calls(emu)) < 3:
            assert time.monotonic() < deadline and child.poll() is None, "the child never made its third push"
            await asyncio.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
        if child.stdout:
            child.stdout.close()
    async with known_db.connect() as conn:
        states = (await conn.execute(sa.select(tp.push_batches.c.state).order_by(tp.push_batches.c.n))).scalars().all()
        outbox = (await conn.execute(sa.select(t.action_outbox.c.state).order_by(t.action_outbox.c.id))).scalars().all()
    assert states[:2] == ["done", "done"] and "planned" in states  # the plan survived, part done
    assert outbox == ["done", "done", "pending"]                   # the third push: intent with its cid
    assert len(emu.deliveries_by_cid()) == 3
    jp = client(emu)
    try:
        [camp] = await service(known_db, jp).resume()
        assert camp.state == "done" and camp.pushes_done == 5 and camp.recipients == 4200
        deliveries = emu.deliveries_by_cid()
        assert len(deliveries) == 5 and set(deliveries.values()) == {1}   # none twice, none lost
        async with known_db.connect() as conn:
            n = (await conn.execute(sa.select(sa.func.count(sa.distinct(t.push_recipients.c.user_id))))).scalar_one()
        assert n == 4200
    finally:
        emu.clear_faults()
        await jp.aclose()


async def test_tag_audiences_are_bounded_by_all_users_for_the_typed_confirmation(
        known_db: Any, emu: JPushEmulator) -> None:
    """JPush cannot count a tag: a tag push may reach everyone, so the typed size is the upper bound."""
    await add_users(known_db, 30)
    jp = client(emu)
    push = service(known_db, jp, confirm_threshold=10)
    try:
        spec = AudienceSpec(tags=("active_7d",))
        check = await push.check(DRAFT, spec)
        assert not check.count.exact and check.count.size == 36 and check.needs_confirmation
        with pytest.raises(InvalidInput, match="type the number"):
            await push.send(DRAFT, spec, reason="x")
        assert push_calls(emu) == []
    finally:
        await jp.aclose()


async def test_room_and_platform_segments(known_db: Any, emu: JPushEmulator) -> None:
    """Users who chatted in a room in the last N days (the schema has no followers), on a platform."""
    ids = await add_users(known_db, 9)
    now_ms = int(time.time() * 1000)
    async with known_db.begin() as conn:
        await conn.execute(t.chat_messages.insert(), [
            dict(msg_uid=f"m{i}", from_user_id=str(uid), to_user_id="1", object_name="RC:TxtMsg", content="666",
                 channel_type="TEMPGROUP", msg_timestamp=now_ms - (i * 20 * 86_400_000 if i >= 5 else 1000),
                 received_at=datetime.now(UTC)) for i, uid in enumerate(ids[:7])])
    push = service(known_db, None)
    recent = await push.count_audience(AudienceSpec(segment=Segment(room_id=1, room_days=30)))
    assert recent.size == 5 and recent.exact  # ids[5] and ids[6] chatted 100 and 120 days ago
    ios = await push.count_audience(AudienceSpec(segment=Segment(room_id=1, room_days=30, platform="ios")))
    assert ios.size == 2 and ios.by_platform == {"ios": 2}
    batches = [b async for b in push.audience_batches(AudienceSpec(segment=Segment(room_id=1, room_days=30)))]
    assert batches[0][0] == [str(i) for i in ids[:5]]


async def test_a_schedule_whose_answer_was_lost_is_created_once(known_db: Any, emu: JPushEmulator,
                                                                expect_log: list[str]) -> None:
    expect_log.extend(["giving up", "push_schedule"])
    jp = client(emu)
    push = service(known_db, jp)
    emu.inject("schedules", "reset", apply=True)   # JPush creates it, the answer never arrives
    try:
        at = datetime.now(UTC) + timedelta(hours=3)
        camp = await push.send(DRAFT, AudienceSpec(tags=("active_7d",)), reason="定时", confirm_size=6,
                               schedule=ScheduleSpec(kind="once", at=at))
        assert camp.state == "scheduled"
        assert len(emu.schedules) == 1                 # looked up by its name, not created twice
        [row] = await push.schedules()
        assert row.schedule_id in emu.schedules and row.name == f"shihou-c{camp.id}"
    finally:
        emu.clear_faults()
        await jp.aclose()


async def test_the_pushes_a_schedule_made_count_in_its_report(known_db: Any) -> None:
    skew = [0.0]
    e = JPushEmulator(app_key=APP_KEY, master_secret=SECRET, vip=True, mean_delay_s=0.01, reach=1.0, tick_s=0,
                      clock=lambda: time.time() + skew[0])
    e.populate([str(FIRST + i) for i in range(40)], tags_for=lambda a: ("active_7d",), second_device=0.0)
    await e.start()
    jp = client(e)
    push = service(known_db, jp)
    try:
        at = datetime.now(UTC) + timedelta(hours=3)
        camp = await push.send(DRAFT, AudienceSpec(tags=("active_7d",)), reason="定时", confirm_size=6,
                               schedule=ScheduleSpec(kind="once", at=at))
        skew[0] = 4 * 3600.0 + 60        # three hours later (and a little): it fires
        assert e.tick()
        skew[0] += 120                   # the devices have received it
        report = await push.refresh_report(camp.id)
        assert sum(p.received for p in report.platforms) == 40
    finally:
        await jp.aclose()
        await e.stop()
