"""The push composer pane with real services: the JPush emulator on 127.0.0.1, a real database (SQLite and
PostgreSQL), real keystrokes and clicks. Previews and size meters follow the typing; every bad input is
shown in the pane before anything is sent; the typed-size confirmation; a second operator approves live
from their own pane; schedules; the report chart fills while the campaign runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from PySide6.QtCore import QDateTime, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from console.credentials import Secret
from console.domain import Role
from console.sandbox.jpush import JPushEmulator
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.events import EventHub
from console.services.http import HttpTransportPolicy, RateGate
from console.services.push.campaigns import PushConfig, PushService
from console.services.push.jpush import JPushClient
from console.views.push import PushPane
from tests.conftest import operator
from tests.test_push_service import add_users

pytestmark = pytest.mark.asyncio(loop_scope="session")
APP_KEY, SECRET = "paneappkey00000000000001", "pane-jpush-master-secret"
FIRST = 20_000_001


async def until(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not cond():
            await asyncio.sleep(0.02)


def type_text(widget: Any, text: str) -> None:
    """Real key events, one per character (QTest.keyClicks only maps ASCII: CJK and emoji go as the key
    event's text, the way an input method delivers them)."""
    widget.setFocus()
    for ch in text:
        if ch.isascii() and ch.isprintable():
            QTest.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


async def problems_after(pane: PushPane, action: Callable[[], None]) -> list[tuple[str, str]]:
    """Run ``action`` (a click) and return the first non-empty list of problems the pane shows."""
    got: list[list[tuple[str, str]]] = []
    pane.problems_shown.connect(got.append)
    try:
        action()
        await until(lambda: any(got), 10)
    finally:
        pane.problems_shown.disconnect(got.append)
    return next(g for g in got if g)


def future_of(signal: Any) -> asyncio.Future[Any]:
    fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    signal.connect(lambda *a: None if fut.done() else fut.set_result(a[0] if len(a) == 1 else a))
    return fut


async def _no_sleep(_s: float) -> None:
    await asyncio.sleep(0)


@pytest_asyncio.fixture(loop_scope="session")
async def emu() -> AsyncIterator[JPushEmulator]:
    e = JPushEmulator(app_key=APP_KEY, master_secret=SECRET, vip=True, mean_delay_s=0.05, click_rate=0.3,
                      mean_click_delay_s=0.05, reach=1.0, tick_s=0)
    await e.start()
    yield e
    await e.stop()


class Console:
    """One operator's pane on its own services (as in their own window)."""

    def __init__(self, engine: Any, emu: JPushEmulator, name: str, **cfg: Any) -> None:
        policy = HttpTransportPolicy(gate=RateGate(rate_per_s=1000, burst=1000), sleep=_no_sleep)
        self.jp = JPushClient.create(app_key=APP_KEY, master_secret=Secret(SECRET), api_url=emu.base_url,
                                     report_url=emu.base_url, device_url=emu.base_url, timeout=5, policy=policy,
                                     quotas={"push": 60_000, "report": 60_000, "schedule": 6000})
        audit = AuditService(engine, operator(Role.OPERATOR, name))
        config = PushConfig(**{"confirm_threshold": 1000, "workers": 2, "report_interval_s": 0.2,
                               "retry_base_s": 0.01, "retry_cap_s": 0.05, **cfg})
        self.push = PushService(engine, audit, ActionService(engine, audit), self.jp, config=config)
        self.pane = PushPane(self.push)
        self.hub = EventHub(engine, poll_interval=0.05)
        self.hub.subscribe(self.pane.on_changes)

    async def start(self, qtbot: Any) -> Console:
        self.pane.resize(1300, 860)
        self.pane.show()
        await self.hub.start()
        loaded = future_of(self.pane.loaded)
        self.pane.refresh()
        await asyncio.wait_for(loaded, 10)
        return self

    async def close(self) -> None:
        """Let the pane's tasks finish (a task cancelled inside a database call leaves its connection to the
        garbage collector), then stop everything, all while the loop runs."""
        self.pane.timer.stop()
        self.pane._count_timer.stop()
        for _ in range(50):
            pending = self.pane.tasks.pending()
            if not pending:
                break
            await asyncio.wait(pending, timeout=2)
        await self.push.drain()
        await self.hub.aclose()
        await self.jp.aclose()
        await asyncio.sleep(0.05)  # let cancelled tasks finish their callbacks before the widgets go
        self.pane.close()
        self.pane.deleteLater()


@pytest_asyncio.fixture(loop_scope="session")
async def console(known_db: Any, emu: JPushEmulator) -> Console:
    """A console whose background work starts inside the test (pytest-qt processes Qt events between
    fixtures and the test, outside the asyncio loop: no task may be running then)."""
    return Console(known_db, emu, "ops-alice")


def push_calls(emu: JPushEmulator) -> int:
    return sum(1 for c in emu.calls if c.op in ("push", "validate"))


async def test_typing_drives_previews_and_size_meters(qtbot: Any, console: Console, emu: JPushEmulator) -> None:
    await console.start(qtbot)
    try:
        pane = console.pane
        type_text(pane.title_edit, "今晚8点 KPL 总决赛")
        type_text(pane.body_edit, "冠军之夜，锁定直播间！🏆")
        ios_lock = pane.previews[("ios", "lock")]
        assert ios_lock.title == "今晚8点 KPL 总决赛" and ios_lock.body == "冠军之夜，锁定直播间！🏆"
        type_text(pane.ov["ios"]["title"], "iOS 专属标题")
        type_text(pane.ov["ios"]["subtitle"], "副标题")
        assert pane.previews[("ios", "banner")].title == "iOS 专属标题"
        assert pane.previews[("ios", "banner")].subtitle == "副标题"
        assert pane.previews[("android", "banner")].title == "今晚8点 KPL 总决赛"
        pane.badge_mode.setCurrentIndex(2)  # +N
        assert pane.previews[("hmos", "lock")].badge == "+1"
        small = {k: b.value() for k, b in pane.size_bars.items()}
        assert all(v > 0 for v in small.values()) and not any(b.property("over") for b in pane.size_bars.values())
        pane.platform_checks["hmos"].setChecked(False)
        assert not pane.previews[("hmos", "lock")].isEnabled()
        pane.platform_checks["hmos"].setChecked(True)
        # 10 KB of emoji and CJK: every platform's meter shows it over the limit
        pane.body_edit.setPlainText("🐱喵" * 1700)
        assert all(b.property("over") for b in pane.size_bars.values())
        assert "超出" in pane.size_bars["ios"].format()
        image = pane.grab().toImage()
        assert not image.isNull() and image.width() > 1000
        # the previews are painted (not a blank widget)
        pv = pane.previews[("android", "lock")].grab().toImage()
        assert len({pv.pixel(x, y) for x in range(0, pv.width(), 7) for y in range(0, pv.height(), 7)}) > 5
    finally:
        await console.close()


@pytest.mark.parametrize("case", ["over_limit", "extras", "empty_audience", "bad_tag", "bad_alias", "past_schedule",
                                  "room", "badge"])
async def test_every_bad_input_is_shown_before_anything_is_sent(qtbot: Any, console: Console, emu: JPushEmulator,
                                                                case: str, expect_log: list[str]) -> None:
    expect_log.extend(["send: ", "check: "])
    await console.start(qtbot)
    try:
        pane = console.pane
        before = push_calls(emu)
        type_text(pane.name_edit, "坏输入")
        type_text(pane.body_edit, "正文")
        type_text(pane.reason_edit, "测试")
        pane.audience_mode.setCurrentIndex(pane.audience_mode.findData("aliases"))
        type_text(pane.aliases_edit, "10000001")
        expected = {"over_limit": "body", "extras": "extras", "empty_audience": "audience", "bad_tag": "tag",
                    "bad_alias": "alias", "past_schedule": "trigger", "room": "room", "badge": "badge"}[case]
        if case == "over_limit":
            pane.body_edit.setPlainText("🐱" * 2600)
        elif case == "extras":
            type_text(pane.extras_edit, '{"room": 1')
        elif case == "empty_audience":
            pane.aliases_edit.clear()
        elif case == "bad_tag":
            pane.audience_mode.setCurrentIndex(pane.audience_mode.findData("tags"))
            type_text(pane.tags_or, "活动?报名")
        elif case == "bad_alias":
            pane.aliases_edit.setPlainText("ok_1, 非法-别名")
        elif case == "past_schedule":
            pane.when_mode.setCurrentIndex(pane.when_mode.findData("once"))
            pane.at_edit.setDateTime(QDateTime.currentDateTime().addSecs(-3600))
        elif case == "room":
            type_text(pane.room_edit, "12a")
        elif case == "badge":
            pane.badge_mode.setCurrentIndex(pane.badge_mode.findData("set"))
            pane.badge_n.setValue(500)
        problems = await problems_after(pane, lambda: QTest.mouseClick(pane.send_btn, Qt.MouseButton.LeftButton))
        fields = [f for f, _m in problems]
        assert any(expected in f for f in fields), problems
        assert pane.problems.count() == len(problems) and pane.problems.item(0).text()
        assert pane.message_bar.isVisible() and "未发送" in pane.message_bar.label.text()
        assert push_calls(emu) == before
        assert await console.push.campaigns() == []
    finally:
        await console.close()


async def test_typed_size_confirmation_then_the_report_fills_while_it_runs(
        qtbot: Any, known_db: Any, emu: JPushEmulator, expect_log: list[str]) -> None:
    expect_log.append("send: confirm_size")
    ids = await add_users(known_db, 1500)
    emu.populate([str(i) for i in ids])
    c = await Console(known_db, emu, "ops-carol").start(qtbot)
    pane = c.pane
    try:
        type_text(pane.name_edit, "活跃用户召回")
        type_text(pane.title_edit, "你关注的主播开播啦")
        type_text(pane.body_edit, "快来围观～")
        type_text(pane.reason_edit, "召回")
        counted = future_of(pane.counted)
        pane.audience_mode.setCurrentIndex(pane.audience_mode.findData("segment"))
        count = await asyncio.wait_for(counted, 10)
        while count.size != 1500:
            counted = future_of(pane.counted)
            count = await asyncio.wait_for(counted, 10)
        assert "1,500" in pane.count_label.text() and pane.confirm_edit.isVisible()
        # not typed, then a wrong number: refused, nothing sent
        for typed in ("", "1,499"):
            pane.confirm_edit.setText(typed)
            problems = await problems_after(pane, lambda: QTest.mouseClick(pane.send_btn,
                                                                           Qt.MouseButton.LeftButton))
            assert problems[0][0] == "confirm_size"
        assert push_calls(emu) == 0
        pane.confirm_edit.clear()
        type_text(pane.confirm_edit, "1,500")
        sent = future_of(pane.sent)
        QTest.mouseClick(pane.send_btn, Qt.MouseButton.LeftButton)
        camp = await asyncio.wait_for(sent, 10)
        await until(lambda: any(r.id == camp.id and r.state == "done" for r in pane.campaign_model.rows), 20)
        assert sum(1 for x in emu.calls if x.op == "push") == 2
        await until(lambda: sum(v[0] for v in pane.chart.values().values()) > 1000, 20)
        assert sum(v[1] for v in pane.chart.values().values()) > 0  # clicks per platform
        assert "1,500" in pane.report_label.text()
    finally:
        await c.close()


async def test_a_second_operator_approves_a_push_to_all_users_live(qtbot: Any, known_db: Any,
                                                                  emu: JPushEmulator, expect_log: list[str]) -> None:
    expect_log.append("approval: a second operator")
    ids = await add_users(known_db, 20)
    emu.populate([str(i) for i in ids])
    alice = await Console(known_db, emu, "ops-alice").start(qtbot)
    bob = await Console(known_db, emu, "ops-bob").start(qtbot)
    try:
        a = alice.pane
        type_text(a.name_edit, "系统维护通知")
        type_text(a.body_edit, "今晚 02:00-04:00 系统维护")
        type_text(a.reason_edit, "维护公告")
        a.audience_mode.setCurrentIndex(a.audience_mode.findData("all"))
        sent = future_of(a.sent)
        QTest.mouseClick(a.send_btn, Qt.MouseButton.LeftButton)
        camp = await asyncio.wait_for(sent, 10)
        assert camp.state == "awaiting_approval" and "审批" in a.message_bar.label.text()
        assert sum(1 for x in emu.calls if x.op == "push") == 0
        # bob's pane shows the request without anyone pressing refresh
        await until(lambda: bool(bob.pane.approval_model.rows), 5)
        assert bob.pane.approval_model.rows[0].requested_by == "ops-alice"
        # alice cannot approve her own push
        await until(lambda: bool(a.approval_model.rows), 5)
        problems = await problems_after(a, lambda: a.decide(True))
        assert problems and "second operator" in problems[0][1]
        bob.pane.approval_table.selectRow(0)
        type_text(bob.pane.approval_note, "核对无误")
        QTest.mouseClick(bob.pane.approve_btn, Qt.MouseButton.LeftButton)
        # alice's pane sees the approval and sends at once
        await until(lambda: any(r.id == camp.id and r.state == "done" for r in a.campaign_model.rows), 15)
        pushes = [x for x in emu.calls if x.op == "push"]
        assert len(pushes) == 1 and emu.pushes[-1].body["audience"] == "all"
        await until(lambda: not bob.pane.approval_model.rows, 5)
    finally:
        await alice.close()
        await bob.close()


async def test_schedules_are_listed_moved_and_cancelled(qtbot: Any, console: Console, emu: JPushEmulator) -> None:
    await console.start(qtbot)
    try:
        pane = console.pane
        type_text(pane.name_edit, "明晚预告")
        type_text(pane.body_edit, "明晚八点不见不散")
        type_text(pane.reason_edit, "预告")
        pane.audience_mode.setCurrentIndex(pane.audience_mode.findData("tags"))
        type_text(pane.tags_or, "active_7d")
        pane.when_mode.setCurrentIndex(pane.when_mode.findData("once"))
        pane.at_edit.setDateTime(QDateTime.currentDateTime().addDays(1))
        assert pane.send_btn.text() == "创建定时推送"
        sent = future_of(pane.sent)
        QTest.mouseClick(pane.send_btn, Qt.MouseButton.LeftButton)
        camp = await asyncio.wait_for(sent, 10)
        assert camp.state == "scheduled"
        await until(lambda: bool(pane.schedule_model.rows), 5)
        row = pane.schedule_model.rows[0]
        assert row.kind == "once" and row.schedule_id in emu.schedules
        pane.schedule_table.selectRow(0)
        type_text(pane.schedule_reason, "改期")
        pane.reschedule_at.setDateTime(QDateTime.currentDateTime().addDays(2))
        before = row.trigger
        pane.reschedule_selected()
        await until(lambda: bool(pane.schedule_model.rows) and pane.schedule_model.rows[0].trigger != before, 5)
        pane.schedule_table.selectRow(0)
        QTest.mouseClick(pane.cancel_schedule_btn, Qt.MouseButton.LeftButton)
        await until(lambda: not pane.schedule_model.rows, 5)
        assert row.schedule_id not in emu.schedules
    finally:
        await console.close()


async def test_test_send_and_the_showcase(qtbot: Any, known_db: Any, emu: JPushEmulator) -> None:
    ids = await add_users(known_db, 60)
    emu.populate([str(i) for i in ids])
    c = await Console(known_db, emu, "ops-dan", test_aliases=(str(ids[0]),)).start(qtbot)
    try:
        await c.pane.load_showcase()
        assert c.pane.previews[("ios", "lock")].title == "今晚8点 KPL 春季赛总决赛"
        # no campaign had been sent: the showcase sent one to the (sandbox) emulator, its report has figures
        shown = [r for r in c.pane.campaign_model.rows if r.id == c.pane._report_id]  # noqa: SLF001
        assert shown and shown[0].state == "done" and not shown[0].test and shown[0].recipients == 60
        pushed = [p for p in emu.pushes if p.body["audience"] != "all"]
        assert len(pushed) == 1 and sorted(pushed[0].body["audience"]["alias"]) == sorted(str(i) for i in ids)
        vals = c.pane.chart.values()
        assert sum(r for r, _c in vals.values()) > 0 and sum(k for _r, k in vals.values()) > 0
        assert "到达" in c.pane.report_label.text()
        # a second showcase shows the campaign that exists; nothing is sent again
        await c.pane.load_showcase()
        assert len([p for p in emu.pushes if p.body["audience"] != "all"]) == 1
        sent = future_of(c.pane.sent)
        QTest.mouseClick(c.pane.test_btn, Qt.MouseButton.LeftButton)
        camp = await asyncio.wait_for(sent, 10)
        assert camp.test and camp.state == "done"
        assert emu.pushes[-1].body["audience"] == {"alias": [str(ids[0])]}
        assert datetime.now().astimezone() - camp.created_at < timedelta(minutes=1)
    finally:
        await c.close()
