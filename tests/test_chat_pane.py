"""The chat pane with the real stack: RongCloud emulator -> routing endpoint -> database -> events -> pane;
moderation actions through the action outbox to the emulator. Real keystrokes, no mocks.

Messages reach the database through the real routing receiver (posted by the emulator, as RongCloud does).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QEvent, QPointF, QSettings, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from console.credentials import Secret
from console.db import tables as t
from console.domain import Role
from console.sandbox.chat_routing import ChatRouting
from console.sandbox.rongcloud import RongCloudEmulator
from console.services import Services, build_services
from console.services.chat.feed import (
    DEFAULT_LADDER,
    ChatLine,
    ChatService,
    FloodGroup,
    FocusMeter,
    LadderStep,
)
from console.services.chat.moderation import CHAT_KINDS, ChatActionHandler, ChatModeration
from console.services.chat.rongcloud import RongCloud
from console.services.http import HttpTransportPolicy, make_client
from console.views.chat import (
    _LADDER_LABELS,
    ALL_ROOMS,
    FLAGGED,
    PRERENDER_SLICE,
    UNDO_SECONDS,
    ChatPane,
    ladder_text,
    row_key,
)
from console.views.chat_lists import ChatListsDialog, read_words_csv, words_csv
from tests.conftest import insert_known_users, operator

pytestmark = pytest.mark.asyncio(loop_scope="session")
KEY, SECRET = "pane-rc-key", "pane-rc-secret"
ROOM = "1"    # the platform room 1 of insert_known_users (RongCloud chatroom id = str(rooms.id))


async def until(cond: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    try:
        async with asyncio.timeout(timeout):
            while not cond():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what or cond}") from None


@dataclass
class Stack:
    services: Services
    emu: RongCloudEmulator
    routing: ChatRouting
    chat: ChatService
    mod: ChatModeration
    pane: ChatPane

    def send(self, user: str, text: str, room: str = ROOM) -> str:
        r = self.emu.client_send(room, user, text)
        assert r.msg_uid, r
        return r.msg_uid


@contextlib.asynccontextmanager
async def make_stack(qtbot: Any, settings: Any, engine: Any, *, window: int = 2000) -> AsyncIterator[Stack]:
    """Everything inside the test body: pytest-qt processes Qt events between test phases, where a
    task of a fixture would run outside the asyncio loop."""
    await insert_known_users(engine)
    routing = ChatRouting(engine, SECRET, flush_ms=5)
    url = await routing.start()
    emu = RongCloudEmulator(app_key=KEY, app_secret=SECRET, routing_url=url, route_backoff_s=0.05)
    base = await emu.start()
    services = await build_services(settings, operator(Role.MODERATOR))
    # no transport retries: a provider outage shows at once (the outbox retries, not the HTTP layer)
    rc = RongCloud(make_client(base, timeout=10), app_key=KEY, secret=Secret(SECRET),
                   policy=HttpTransportPolicy(retries=0))
    services.actions.register(CHAT_KINDS, ChatActionHandler(rc))
    chat = ChatService(services.engine, services.audit)
    mod = ChatModeration(services.actions, services.engine)
    pane = ChatPane(chat, mod, window=window)
    qtbot.addWidget(pane)
    pane.resize(1100, 700)
    unsubscribe = services.events.subscribe(pane.on_changes)
    try:
        yield Stack(services, emu, routing, chat, mod, pane)
    finally:
        unsubscribe()
        pane.stop()
        with contextlib.suppress(AssertionError):   # reads in flight finish (a cancelled one could leak
            await until(pane.tasks.is_idle, timeout=5)  # its pooled connection)
        pane.tasks.cancel()
        pane.close()
        await services.aclose()
        await rc.aclose()
        await emu.stop()
        await routing.stop()
        await asyncio.sleep(0.1)   # transports closed above finish closing on the loop


async def shown(stack: Stack, key: str = ROOM) -> ChatPane:
    pane = stack.pane
    pane.show()
    pane.start()
    await until(lambda: pane._ready, what="the first load")
    if pane.feed_key != key:
        pane.select_feed(key)
        await until(lambda: pane._ready and pane.feed_key == key, what="the feed")
    return pane


def chat_text(i: int, head: str = "弹幕") -> str:
    """Distinct texts (digits are folded by the flood key, so the variety is in the characters)."""
    return f"{head}{chr(0x4E00 + i)}{chr(0x4E00 + (i * 37 + 5000) % 20000)}"


def texts(pane: ChatPane) -> list[str]:
    return [r.text for r in pane.model.rows if isinstance(r, ChatLine)]


async def test_ladder_labels_of_the_default_ladder_are_marked_for_translation() -> None:
    """The ladder's labels come from data: the default ones are marked for lupdate (QT_TRANSLATE_NOOP) and
    translated by ladder_text; a room's own label is shown as written in the source language."""
    assert {s.label for s in DEFAULT_LADDER} <= _LADDER_LABELS
    assert [ladder_text(s) for s in DEFAULT_LADDER] == [s.label for s in DEFAULT_LADDER]   # no translator
    own = LadderStep(key=2, label="小黑屋30分钟", action="gag", minutes=30)
    assert ladder_text(own) == "小黑屋30分钟"


async def test_lines_arrive_in_batches_and_follow_the_bottom(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        ModelTester(None).check(pane.model)
        pane.set_focus_mode("off")
        for i in range(600):
            stack.send(f"9{i % 50:07d}", chat_text(i))
        await stack.emu.drain()
        await until(lambda: len(texts(pane)) >= 600, what="600 lines shown")
        # the queue moved into the model at most ~15 times a second, whatever the rate
        times = list(pane.flush_times)
        assert len(times) >= 2
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps) >= 0.060, gaps
        assert pane.model.batches <= len(times) + 1
        assert texts(pane)[-1] == chat_text(599)
        # following: the last row is visible
        sb = pane.view.verticalScrollBar()
        assert sb.value() == sb.maximum()
        assert pane.new_btn.isHidden()


async def test_scrolled_up_pauses_and_counts_new_lines(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        for i in range(120):
            stack.send("10000002", chat_text(i, "预热"))
        await stack.emu.drain()
        await until(lambda: len(texts(pane)) >= 120)
        sb = pane.view.verticalScrollBar()
        sb.setValue(sb.maximum() - 40)        # the reader scrolls up
        await until(lambda: not pane.following, what="paused")
        top = sb.value()
        first_visible = pane.view.indexAt(pane.view.viewport().rect().topLeft()).row()
        for i in range(37):
            stack.send("10000003", chat_text(i, "新消息"))
        await stack.emu.drain()
        await until(lambda: pane.unseen == 37, what="37 unseen")
        assert pane.new_btn.isVisible() and "37" in pane.new_btn.text()
        assert sb.value() == top                # nothing moved under the reader's eyes
        assert pane.view.indexAt(pane.view.viewport().rect().topLeft()).row() == first_visible
        QTest.mouseClick(pane.new_btn, Qt.MouseButton.LeftButton)
        await until(lambda: pane.following)
        assert sb.value() == sb.maximum() and pane.unseen == 0 and pane.new_btn.isHidden()


async def test_hover_and_selection_pause(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        stack.send("10000002", "hello")
        await until(lambda: "hello" in texts(pane))
        vp = pane.view.viewport()
        QApplication.sendEvent(vp, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
        assert pane.view.hovered and not pane.following
        stack.send("10000002", "while hovering")
        await until(lambda: pane.unseen == 1, what="counted while hovering")
        QApplication.sendEvent(vp, QEvent(QEvent.Type.Leave))
        await until(lambda: pane.following)
        pane.view.setFocus()
        QTest.keyClick(pane.view, Qt.Key.Key_K)     # a line selected: paused
        assert pane.current_row() is not None and not pane.following
        QTest.keyClick(pane.view, Qt.Key.Key_Escape)
        assert pane.following and pane.current_row() is None


async def outbox(engine: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(t.action_outbox).order_by(t.action_outbox.c.id))).all())


async def audit_rows(engine: Any, kind: str) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(t.audit_log).where(t.audit_log.c.kind == kind)
                                        .order_by(t.audit_log.c.id))).all())


async def until_rows(engine: Any, cond: Callable[[list[Any]], bool], timeout: float = 10.0,
                     what: str = "") -> list[Any]:
    try:
        async with asyncio.timeout(timeout):
            while True:
                rows = await outbox(engine)
                if cond(rows):
                    return rows
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}: {[(r.kind, r.state) for r in await outbox(engine)]}") \
            from None


async def test_keyboard_triage_gag_then_undo(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        stack.send("10000002", "正常发言")
        stack.send("10000003", "加我微信 wx: abc12345 领福利")
        stack.send("10000006", "主播好")
        await until(lambda: len(texts(pane)) >= 3)
        pane.view.setFocus()
        QTest.keyClick(pane.view, Qt.Key.Key_K)       # last line
        QTest.keyClick(pane.view, Qt.Key.Key_K)       # the advert
        row = pane.current_row()
        assert isinstance(row, ChatLine) and row.sender == "10000003" and row.flagged, row
        QTest.keyClick(pane.view, Qt.Key.Key_2)       # gag 10 min ...
        dlg = pane.reason_dialog
        assert dlg is not None and dlg.isVisible()
        assert dlg.reason() == "广告引流"              # suggested from the link flag
        QTest.keyClick(dlg.reasons, Qt.Key.Key_Return)   # ... Enter: the suggested reason
        rows = await until_rows(engine, lambda rs: any(r.kind == "chat_gag" and r.state == "done" for r in rs),
                                what="gag done")
        gag = [r for r in rows if r.kind == "chat_gag"]
        assert len(gag) == 1 and gag[0].payload["reason"] == "广告引流"
        assert stack.emu.client_send(ROOM, "10000003", "还能说话吗").outcome == "gagged"   # RongCloud applies it
        audits = await audit_rows(engine, "chat_gag")
        assert len(audits) == 1 and audits[0].actor == "test-moderator"
        assert "abc12345" in str(audits[0].evidence)      # the chat excerpt is the evidence
        await until(lambda: pane.model.status.get(f"m:{row.id}", "").startswith("已"), what="marked")
        # Ctrl+Z within a few seconds sends the reverse action
        QTest.keyClick(pane.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        await until_rows(engine, lambda rs: any(r.kind == "chat_ungag" and r.state == "done" for r in rs),
                         what="un-gag done")
        assert stack.emu.client_send(ROOM, "10000003", "可以说话了").outcome == "routed"
        assert len(await audit_rows(engine, "chat_ungag")) == 1


HTML = "<b>粗体</b><img src=x onerror=alert(1)><a href='http://x.cn'>点我</a>"


async def test_text_is_plain_html_rtl_and_zero_width_visible(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        tricky = "主播\u202e666\u202c好\u200b帅" + HTML + "\u2066隔离\u2069"
        stack.send("10000002", tricky)
        await until(lambda: tricky in texts(pane))
        i = texts(pane).index(tricky)
        row = [r for r in pane.model.rows if isinstance(r, ChatLine)][i]
        r = pane.model.rows.index(row)
        cell = pane.model.data(pane.model.index(r, 3))
        assert "<b>粗体</b>" in cell and "onerror=alert(1)" in cell      # markup stays literal text
        for ch in "\u202e\u202c\u200b\u2066\u2069":
            assert ch not in cell                                        # controls never reach the screen ...
        assert cell.count("⟨") >= 5                                      # ... they are shown as markers
        for c in range(5):                                               # no tooltip carries message text
            tip = pane.model.data(pane.model.index(r, c), Qt.ItemDataRole.ToolTipRole)
            assert tip is None or "粗体" not in tip
        pane._select(r)
        assert pane.detail.textFormat() == Qt.TextFormat.PlainText
        assert "<b>粗体</b>" in pane.detail.text() and "\u202e" not in pane.detail.text()
        img = pane.grab()
        assert not img.isNull()


async def test_a_128_kb_line_is_elided_not_frozen(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        big = ("长" * 40_000) + HTML + ("尾" * 3_000)            # ~128 KB of UTF-8
        assert len(big.encode()) > 120 * 1024
        uid = stack.send("10000002", big)
        stack.send("10000003", "后面的消息")
        await until(lambda: "后面的消息" in texts(pane), what="lines after the big one")
        async with engine.connect() as conn:
            stored = (await conn.execute(sa.select(t.chat_messages.c.content).where(
                t.chat_messages.c.msg_uid == uid))).scalar_one()
        assert stored == big                                     # the database keeps all of it
        r = next(i for i, x in enumerate(pane.model.rows) if isinstance(x, ChatLine) and x.msg_uid == uid)
        cell = pane.model.data(pane.model.index(r, 3))
        assert len(cell) <= 301 and cell.endswith("…")
        # laying it out and painting costs what a short line costs: no frozen UI
        t0 = time.perf_counter()
        pane._select(r)
        pane.view.scrollTo(pane.model.index(r, 3))
        img = pane.grab()
        spent = time.perf_counter() - t0
        assert not img.isNull() and spent < 0.5, spent
        assert len(pane.detail.text()) < 3000                     # the detail shows a bounded part ...
        assert "131" in pane.detail.text() or "共" in pane.detail.text()   # ... and says how long it is
        # the event loop kept turning
        lags = []
        for _ in range(10):
            t1 = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - t1 - 0.01)
        assert max(lags) < 0.1, lags


async def test_flood_collapses_and_one_key_gags_every_sender(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        stack.send("10000002", "热身")                    # a regular: not a first-time sender later
        await until(lambda: "热身" in texts(pane))
        pane.set_focus_mode("on")
        assert pane.focus_banner.isVisible()
        bots = [f"8800000{i}" for i in range(6)]
        for i in range(12):
            stack.send(bots[i % 6], f"加V领福利{'!' * (i % 3)} {100 + i}")
        stack.send("10000002", "普通聊天不显示")
        await stack.emu.drain()
        await until(lambda: any(isinstance(r, FloodGroup) and r.count == 12 for r in pane.model.rows),
                    what="one flood row of 12")
        groups = [r for r in pane.model.rows if isinstance(r, FloodGroup)]
        assert len(groups) == 1 and groups[0].senders == frozenset(bots)
        r = pane.model.rows.index(groups[0])
        assert pane.model.data(pane.model.index(r, 3)).startswith("×12 相似")
        assert "普通聊天不显示" not in texts(pane) and pane.hidden >= 1    # focus mode
        pane.view.setFocus()
        pane._select(r)
        QTest.keyClick(pane.view, Qt.Key.Key_3)           # gag 1 h ...
        dlg = pane.reason_dialog
        assert dlg is not None
        QTest.keyClick(dlg.reasons, Qt.Key.Key_1)         # ... reason 1 (刷屏): two keystrokes in all
        rows = await until_rows(engine, lambda rs: sum(1 for x in rs if x.kind == "chat_gag"
                                                       and x.state == "done") == 6, what="6 gags")
        gags = [x for x in rows if x.kind == "chat_gag"]
        assert {x.payload["reason"] for x in gags} == {"刷屏"}
        assert len({x.payload.get("batch") for x in gags}) == 1           # one bulk action
        for b in bots:
            assert stack.emu.client_send(ROOM, b, "再刷").outcome == "gagged"
        assert len(await audit_rows(engine, "chat_gag")) == 6


async def test_focus_mode_switches_on_above_a_readable_rate(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        assert pane.focus_mode == "auto" and not pane.focus_active
        regulars = [f"1000000{i}" for i in range(1, 7)]   # old accounts that spoke before
        for u in regulars:
            stack.send(u, chat_text(int(u) % 100, "慢慢聊"))
        await until(lambda: len(texts(pane)) == 6)
        await asyncio.sleep(FocusMeter().window_s)        # the warm-up leaves the rate window
        assert not pane.focus_active and pane.focus_banner.isHidden()
        for i in range(200):
            stack.send(regulars[i % 6], chat_text(i, "快"))
        await stack.emu.drain()
        await until(lambda: pane.focus_active, what="focus mode")
        assert pane.focus_banner.isVisible() and "专注模式" in pane.focus_banner.text()
        # while it lasts, ordinary lines of known senders stay out; a flagged line is shown
        for i in range(60):
            stack.send(regulars[i % 6], chat_text(i + 300, "后"))
        stack.send("10000003", "加我QQ 123456789 送皮肤")
        await stack.emu.drain()
        await until(lambda: any("送皮肤" in x for x in texts(pane)), what="the flagged line shown")
        assert pane.focus_active
        assert not [x for x in texts(pane) if x.startswith("后")]
        assert pane.hidden >= 60
        assert f"{pane.hidden:,}" in pane.focus_banner.text()


async def test_recall_from_the_flagged_feed_and_undo_refused(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack, FLAGGED)
        stack.send("10000002", "普通")
        uid = stack.send("10000003", "看片加微信 vx: pornpic88")
        await until(lambda: any("pornpic88" in x for x in texts(pane)), what="flagged line")
        assert "普通" not in texts(pane)
        pane.view.setFocus()
        QTest.keyClick(pane.view, Qt.Key.Key_J)
        QTest.keyClick(pane.view, Qt.Key.Key_1)           # recall ...
        assert pane.reason_dialog is not None
        QTest.keyClick(pane.reason_dialog.reasons, Qt.Key.Key_4)   # ... 色情低俗
        await until_rows(engine, lambda rs: any(x.kind == "chat_recall" and x.state == "done" for x in rs),
                         what="recall done")
        assert any(r.get("messageUID") == uid for r in stack.emu.recalls)
        before = len(await outbox(engine))
        QTest.keyClick(pane.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: pane.message_bar.isVisible() and "撤回" in pane.message_bar.label.text())
        assert len(await outbox(engine)) == before                          # nothing sent


async def test_a_recall_shows_in_every_other_console(qtbot: Any, settings: Any, engine: Any) -> None:
    """Two consoles (two sets of services, one database): a line recalled in one shows as recalled in the
    other, through the ``chat_recall`` event, without reloading its feed."""
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        other = await build_services(settings, operator(Role.MODERATOR))
        pane2 = ChatPane(ChatService(other.engine, other.audit), ChatModeration(other.actions, other.engine))
        qtbot.addWidget(pane2)
        unsubscribe = other.events.subscribe(pane2.on_changes)
        try:
            pane2.resize(1100, 700)
            pane2.show()
            pane2.start()
            await until(lambda: pane2._ready, what="the other console's first load")
            pane2.select_feed(ROOM)
            await until(lambda: pane2._ready and pane2.feed_key == ROOM)
            pane2.set_focus_mode("off")
            uid = stack.send("10000004", "要被撤回的话")
            stack.send("10000005", "留下的话")
            await until(lambda: "留下的话" in texts(pane) and "留下的话" in texts(pane2),
                        what="both consoles show the lines")
            loads = pane2.model.batches
            i = next(i for i, r in enumerate(pane.model.rows) if isinstance(r, ChatLine) and r.msg_uid == uid)
            pane._select(i)
            pane.punish_current(1, reason="其他违规")
            await until_rows(engine, lambda rs: any(x.kind == "chat_recall" and x.state == "done" for x in rs),
                             what="recall done")

            def recalled_in(p: ChatPane) -> list[ChatLine]:
                return [r for r in p.model.rows if isinstance(r, ChatLine) and r.msg_uid == uid and r.recalled]

            await until(lambda: bool(recalled_in(pane2)), what="the other console shows the recall")
            j = pane2.model.rows.index(recalled_in(pane2)[0])
            flag_cell = pane2.model.data(pane2.model.index(j, 4))
            assert "已撤回" in flag_cell
            assert pane2.model.batches == loads        # marked in place, the feed was not reloaded
            kept = next(r for r in pane2.model.rows if isinstance(r, ChatLine) and r.text == "留下的话")
            assert not kept.recalled
            await until(lambda: bool(recalled_in(pane)), what="this console too")
        finally:
            unsubscribe()
            pane2.stop()
            with contextlib.suppress(AssertionError):
                await until(pane2.tasks.is_idle, timeout=5)
            pane2.close()
            await other.aclose()


async def test_undo_only_within_a_few_seconds(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        stack.send("10000006", "骂人的话")
        await until(lambda: "骂人的话" in texts(pane))
        pane.view.setFocus()
        QTest.keyClick(pane.view, Qt.Key.Key_K)
        row = pane.current_row()
        assert row is not None
        pane.punish_current(2, reason="辱骂攻击")
        await until_rows(engine, lambda rs: any(x.kind == "chat_gag" and x.state == "done" for x in rs))
        await until(lambda: pane.model.status.get(f"m:{row.id}", "").startswith("已"), what="marked")
        pane.done[-1].at -= UNDO_SECONDS + 0.5               # the moment has passed
        QTest.keyClick(pane.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        await asyncio.sleep(0.3)
        assert not any(x.kind == "chat_ungag" for x in await outbox(engine))
        assert "没有可撤销" in pane.message_bar.label.text()


async def test_enter_passes_and_user_and_room_open(qtbot: Any, settings: Any, engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack, ALL_ROOMS)
        stack.send("10000002", "第一条")
        stack.send("10000003", "第二条")
        await until(lambda: "第二条" in texts(pane))
        users: list[int] = []
        rooms: list[int] = []
        pane.open_user.connect(users.append)
        pane.open_room.connect(rooms.append)
        pane.view.setFocus()
        QTest.keyClick(pane.view, Qt.Key.Key_K)
        QTest.keyClick(pane.view, Qt.Key.Key_K)
        first = pane.current_row()
        assert isinstance(first, ChatLine) and first.text == "第一条"
        QTest.keyClick(pane.view, Qt.Key.Key_Return)       # pass: marked, next line selected
        assert pane.model.status[f"m:{first.id}"] == "✓ 通过"
        second = pane.current_row()
        assert isinstance(second, ChatLine) and second.text == "第二条"
        r = pane.model.rows.index(second)
        rect = pane.view.visualRect(pane.model.index(r, 2))
        QTest.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        rect = pane.view.visualRect(pane.model.index(r, 1))
        QTest.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert users == [10000003] and rooms == [1]
        assert not any(x.kind.startswith("chat_") for x in await outbox(engine))   # passing sends nothing


async def test_words_csv_import_reports_bad_rows_then_imports_the_good(qtbot: Any, settings: Any, engine: Any,
                                                                       tmp_path: Path) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        dlg = pane.open_lists()
        assert isinstance(dlg, ChatListsDialog)
        dlg.tabs.setCurrentWidget(dlg.words_tab)
        csv_path = tmp_path / "words.csv"
        csv_path.write_bytes(("\ufeffword,replace\n"
                              "代练,**\n"
                              ",空词\n"
                              "加微信\n"
                              + "超" * 40 + "\n"
                              "代练,重复\n"
                              '"逗号,词",\n'
                              "a,b,c\n").encode())
        loaded: list[Any] = []
        dlg.loaded.connect(lambda: loaded.append(1))
        dlg.import_csv(str(csv_path))
        await until(lambda: dlg.last_import is not None, what="csv read")
        rep = dlg.last_import
        assert rep is not None
        assert [w.word for w in rep.words] == ["代练", "加微信", "逗号,词"]
        assert [n for n, _ in rep.errors] == [3, 5, 6, 8]
        report = dlg.import_report.toPlainText()
        for n in (3, 5, 6, 8):
            assert f"第 {n} 行" in report
        assert not any(x.kind == "chat_words_add" for x in await outbox(engine))   # nothing sent yet
        assert dlg.import_confirm.isVisible()
        QTest.mouseClick(dlg.import_confirm, Qt.MouseButton.LeftButton)
        await until_rows(engine, lambda rs: any(x.kind == "chat_words_add" and x.state == "done" for x in rs),
                         what="words added")
        assert {"代练", "加微信", "逗号,词"} <= set(stack.emu.words)
        assert stack.emu.words["代练"].replace == "**" and stack.emu.words["加微信"].replace is None
        # export, then read back the same list
        out = tmp_path / "out.csv"
        dlg.export_csv(str(out))
        await until(lambda: out.exists() and out.stat().st_size > 0, what="export")
        back = read_words_csv(out.read_bytes())
        assert not back.errors
        assert {(w.word, w.replace) for w in back.words} >= {("代练", "**"), ("加微信", None), ("逗号,词", None)}
        assert read_words_csv(words_csv(back.words)).words == back.words
        dlg.close()


async def test_layout_and_focus_mode_are_remembered(qtbot: Any, settings: Any, engine: Any,
                                                    tmp_path: Path) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("on")
        pane.splitter.setSizes([300, 800])
        s = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        pane.save_state(s)
        s.sync()
        other = ChatPane(stack.chat, stack.mod)
        qtbot.addWidget(other)
        other.restore_state(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
        assert other.focus_mode == "on" and other.focus_box.currentData() == "on"
        assert other.feed_key == ROOM
        assert other.splitter.saveState() == pane.splitter.saveState()


async def test_provider_outage_during_a_flood_action_then_recovered_once(
        qtbot: Any, settings: Any, engine: Any, expect_log: list[str]) -> None:
    expect_log.extend(["retrying once", "503", "temporarily unavailable"])
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        bots = [f"8700000{i}" for i in range(6)]
        for i in range(6):
            stack.send(bots[i], f"免费领皮肤 {i}")
        await stack.emu.drain()
        await until(lambda: any(isinstance(r, FloodGroup) and r.count == 6 for r in pane.model.rows))
        group = next(r for r in pane.model.rows if isinstance(r, FloodGroup))
        pane._select(pane.model.rows.index(group))
        stack.emu.inject("/chatroom/user/gag/add.json", "503", count=100)   # RongCloud is down
        pane.punish_current(3, reason="刷屏")
        key = row_key(group)
        await until(lambda: pane.model.status.get(key, "").startswith("排队重试"), timeout=30,
                    what="the outcome shown")
        assert pane.model.status[key] == "排队重试 0/6"
        assert "6 人排队重试" in pane.message_bar.label.text()
        rows = [r for r in await outbox(engine) if r.kind == "chat_gag"]
        assert len(rows) == 6 and {r.state for r in rows} == {"pending"}   # durable, nothing lost
        assert stack.emu.client_send(ROOM, bots[0], "还在吗").outcome == "routed"
        # RongCloud is back: the action queue's recovery completes each one exactly once
        stack.emu.faults.clear()
        await stack.services.actions.recover()
        rows = [r for r in await outbox(engine) if r.kind == "chat_gag"]
        assert len(rows) == 6 and {r.state for r in rows} == {"done"}
        assert len(await audit_rows(engine, "chat_gag")) == 6
        for b in bots:
            assert stack.emu.client_send(ROOM, b, "再刷").outcome == "gagged"


async def test_lists_sanctions_whitelist_mute_system_message_lockdown(qtbot: Any, settings: Any,
                                                                       engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        stack.send("10000006", "吵架")
        await until(lambda: "吵架" in texts(pane))
        pane.view.setFocus()
        QTest.keyClick(pane.view, Qt.Key.Key_K)
        pane.punish_current(2, reason="辱骂攻击")
        await until_rows(engine, lambda rs: any(x.kind == "chat_gag" and x.state == "done" for x in rs))
        dlg = pane.open_lists()
        # gagged users of the room, with their expiry; lift the selected one
        dlg.tabs.setCurrentWidget(dlg.sanction_tab)
        dlg.sanction_room.setCurrentIndex(dlg.sanction_room.findData(ROOM))
        await until(lambda: any(s.user_id == "10000006" for s in dlg.sanction_model.rows), what="sanction listed")
        r = next(i for i, s in enumerate(dlg.sanction_model.rows) if s.user_id == "10000006")
        assert dlg.sanction_model.rows[r].ends_at is not None
        assert dlg.sanction_model.data(dlg.sanction_model.index(r, 1)) == "禁言"
        dlg.sanction_view.selectRow(r)
        dlg.reason.setCurrentText("误判解除")
        QTest.mouseClick(dlg.lift_btn, Qt.MouseButton.LeftButton)
        await until_rows(engine, lambda rs: any(x.kind == "chat_ungag" and x.state == "done" for x in rs))
        assert stack.emu.client_send(ROOM, "10000006", "解禁了").outcome == "routed"
        await until(lambda: not any(s.user_id == "10000006" for s in dlg.sanction_model.rows), what="list updated")
        # whitelist, then mute the room: only the whitelist may speak
        dlg.tabs.setCurrentWidget(dlg.whitelist_tab)
        dlg.white_room.setCurrentIndex(dlg.white_room.findData(ROOM))
        dlg.white_edit.setText("10000002")
        dlg.reason.setCurrentText("赛事保护")
        QTest.mouseClick(dlg.white_add, Qt.MouseButton.LeftButton)
        await until(lambda: dlg.white_list.count() == 1, what="whitelist shown")
        assert dlg.white_list.item(0).text() == "10000002"
        await until(lambda: dlg.mute_btn.text() == "全员禁言" and dlg.tasks.is_idle())
        QTest.mouseClick(dlg.mute_btn, Qt.MouseButton.LeftButton)
        await until(lambda: dlg.mute_state.text() == "已全员禁言", what="muted")
        assert stack.emu.client_send(ROOM, "10000003", "能说吗").outcome == "muted"
        assert stack.emu.client_send(ROOM, "10000002", "白名单能说").outcome == "routed"
        # a system message: RC: names refused before anything is sent, then sent to the room
        dlg.tabs.setCurrentWidget(dlg.system_tab)
        dlg.object_name.setText("RC:TxtMsg")
        dlg.system_text.setPlainText("<b>请文明发言</b>")
        before = len(await outbox(engine))
        QTest.mouseClick(dlg.send_btn, Qt.MouseButton.LeftButton)
        assert "RC:" in dlg.message_bar.label.text()
        assert len(await outbox(engine)) == before
        dlg.object_name.setText("SH:SysMsg")
        dlg.reason.setCurrentText("活动公告")
        QTest.mouseClick(dlg.send_btn, Qt.MouseButton.LeftButton)
        rows = await until_rows(engine, lambda rs: any(x.kind == "chat_system_message" and x.state == "done"
                                                       for x in rs), what="system message")
        assert stack.emu.calls_of("/message/chatroom/publish.json")
        # a lockdown preset applied to the room, then reverted now
        dlg.tabs.setCurrentWidget(dlg.lockdown_tab)
        await until(lambda: dlg.preset_box.count() > 0, what="presets")
        dlg.preset_box.setCurrentIndex(1)            # gag new accounts, reverting on its own after 60 min
        assert "新账号" in dlg.preset_info.text()
        dlg.reason.setCurrentText("突发事件封锁")
        QTest.mouseClick(dlg.apply_btn, Qt.MouseButton.LeftButton)
        await until(lambda: dlg.lockdown_list.count() == 1, what="lockdown started")
        rows = await until_rows(engine, lambda rs: any(x.kind == "chat_lockdown" and x.state == "done"
                                                       for x in rs), what="lockdown done")
        dlg.lockdown_list.setCurrentRow(0)
        QTest.mouseClick(dlg.revert_btn, Qt.MouseButton.LeftButton)
        rows = await until_rows(engine, lambda rs: any(x.kind == "chat_lockdown_revert" and x.state == "done"
                                                       for x in rs), what="lockdown reverted")
        assert all(r.payload.get("reason") for r in rows)       # every action carries its reason
        dlg.close()


async def test_bounded_window_and_a_paused_reader_keeps_his_place(qtbot: Any, settings: Any,
                                                                  engine: Any) -> None:
    async with make_stack(qtbot, settings, engine, window=150) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        for i in range(200):
            stack.send("10000002", chat_text(i, "甲"))
        await stack.emu.drain()
        await until(lambda: pane.received_lines >= 200 and pane.idle)
        assert len(pane.model.rows) == 150                    # following: the window stays bounded
        assert texts(pane)[0] == chat_text(50, "甲")           # the oldest left (the database keeps them)
        sb = pane.view.verticalScrollBar()
        sb.setValue(sb.maximum() - 30)                         # the reader scrolls up
        await until(lambda: not pane.following)
        top = pane.view.indexAt(pane.view.viewport().rect().topLeft()).row()
        reading = pane.model.rows[top]
        for i in range(200):
            stack.send("10000003", chat_text(i, "乙"))
        await stack.emu.drain()
        await until(lambda: pane.received_lines >= 400 and pane.idle)
        assert 150 < len(pane.model.rows) <= 300               # paused: up to twice the window ...
        top = pane.view.indexAt(pane.view.viewport().rect().topLeft()).row()
        assert pane.model.rows[top] is reading                 # ... and the line being read did not move
        assert pane.unseen == 200
        QTest.mouseClick(pane.new_btn, Qt.MouseButton.LeftButton)
        stack.send("10000002", "回到底部")
        await until(lambda: "回到底部" in texts(pane))
        assert len(pane.model.rows) == 150 and pane.following


async def test_a_hidden_pane_reads_nothing_and_catches_up_when_shown(qtbot: Any, settings: Any,
                                                                     engine: Any) -> None:
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        stack.send("10000002", "看得见")
        await until(lambda: "看得见" in texts(pane))
        pane.hide()                                   # another pane is shown
        received = pane.received_lines
        stack.send("10000003", "藏起来时说的")
        await stack.emu.drain()
        await asyncio.sleep(0.5)                      # several event polls
        assert pane.received_lines == received
        pane.show()
        await until(lambda: "藏起来时说的" in texts(pane), what="caught up when shown")
        assert texts(pane).count("看得见") == 1


async def test_a_large_batch_is_rendered_before_its_insert_and_the_paint_only_blits(qtbot: Any, settings: Any,
                                                                                 engine: Any) -> None:
    """Rows a flush brings on screen are rendered a few per turn of the loop before the insert; the paint
    that shows them renders nothing (what bench.chat needs at 5,000 lines a second)."""
    async with make_stack(qtbot, settings, engine) as stack:
        pane = await shown(stack)
        pane.set_focus_mode("off")
        pane.resize(1000, 700)
        rendered: list[int] = []
        paint = pane.view.paintEvent

        def counting_paint(e: Any) -> None:
            before = pane.view.rendered
            paint(e)
            rendered.append(pane.view.rendered - before)

        pane.view.paintEvent = counting_paint  # type: ignore[method-assign,assignment]
        commits: list[bool] = []   # per large batch: were its on-screen rows in the row cache at the insert?
        commit = pane._commit

        def watched(batch: Any, *a: Any) -> None:
            if len(batch) > PRERENDER_SLICE:
                tail = batch[-pane.view.rows_on_screen():]
                commits.append(all(row_key(r) in pane.view._rows for r in tail))
            commit(batch, *a)

        pane._commit = watched  # type: ignore[method-assign,assignment]
        for i in range(40):
            stack.send("10000002", chat_text(i, "丙"))
        await stack.emu.drain()
        await until(lambda: pane.received_lines >= 40 and pane.idle)
        assert texts(pane)[-1] == chat_text(39, "丙")
        assert commits and all(commits)              # rendered before the insert
        pane.view.viewport().repaint()
        assert rendered and rendered[-1] == 0        # the paint after it only blits
        img = pane.view.viewport().grab().toImage()
        assert img.width() > 0 and not img.isNull()
