"""The room monitor pane with real services: the Kingsoft emulator, a real database, real keystrokes."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.modeltest import ModelTester

from console.credentials import MemoryStore
from console.db import tables as t
from console.domain import Role
from console.sandbox.kingsoft import KingsoftEmulator
from console.services import build_services
from console.views.action_queue import ActionQueuePane
from console.views.main_window import MainWindow
from console.views.room_monitor import RoomMonitorPane
from tests.conftest import insert_known_users, operator

pytestmark = pytest.mark.asyncio(loop_scope="session")
AK, SK = "AKLTpane", "pane-secret"


async def until(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not cond():
            await asyncio.sleep(0.01)


@pytest_asyncio.fixture(loop_scope="session")
async def emu() -> AsyncIterator[KingsoftEmulator]:
    skew = [0.0]
    e = KingsoftEmulator(access_key=AK, secret_key=SK, clock=lambda: time.time() + skew[0])
    await e.start()
    e.publish("room_1", viewers=1234, video_kbps=2500)
    skew[0] = 60.0
    yield e
    await e.stop()


async def test_cut_with_two_keystrokes_then_resume(qtbot: Any, settings: Any, engine: Any,
                                                   emu: KingsoftEmulator) -> None:
    await insert_known_users(engine)
    creds = MemoryStore()
    creds.set("kingsoft", AK, SK)
    s = settings.replace(kingsoft__url=emu.base_url, kingsoft__access_key=AK, monitor__refresh_ms=300)
    services = await build_services(s, operator(Role.MODERATOR), credentials=creds)
    win = MainWindow(services)
    qtbot.addWidget(win)
    try:
        win.show()
        pane = win.show_pane("rooms")
        assert isinstance(pane, RoomMonitorPane)
        ModelTester(None).check(pane.model)
        key = "kingsoft/room_1"
        await until(lambda: pane.model.row_for(key) is not None)
        row = pane.model.row_for(key)
        assert row is not None and row.room is not None and row.room.title == "小明的王者上分房"
        assert row.health is not None and row.health.viewers == 1234
        # the painted row's thumbnail arrives (the provider's latest screenshot), then the gallery
        await until(lambda: pane.thumbs.get(row) is not None)
        pane.table.selectRow(0)
        await until(lambda: pane.gallery.count() > 1)
        assert not pane.gallery.item(0).icon().isNull()
        win.activateWindow()
        pane.table.setFocus()
        pane.table.selectRow(0)
        await asyncio.sleep(0.05)
        QTest.keyClick(pane.table, Qt.Key.Key_X)
        assert pane.dialog is not None and pane.dialog.isVisible()
        assert pane.dialog.isWindow() is False and pane.dialog.reasons.hasFocus()  # a sheet over the pane
        if os.environ.get("SHEET_PNG"):
            win.grab().save(os.environ["SHEET_PNG"])
        QTest.keyClick(pane.dialog, Qt.Key.Key_Return)
        await until(lambda: "room_1" in emu.blacklisted())
        await until(lambda: not pane.dialog.isVisible() and pane.table.hasFocus())  # closed, back on the rooms
        await until(lambda: (r := pane.model.row_for("cut/room_1")) is not None and r.state == "cut")
        async with engine.connect() as conn:
            audit = (await conn.execute(sa.select(t.audit_log).where(t.audit_log.c.kind == "stream_cut"))).one()
        assert audit.reason == "涉政敏感内容" and audit.after["until"] is not None  # preset reason, 1 h default
        assert audit.evidence["health"]["viewers"] == 1234
        assert audit.evidence["screenshot"]["url"].endswith(".jpg")  # the latest screenshot is evidence
        # resume the same way: R, Enter
        view_row = next(i for i, r in enumerate(pane.model.rows) if r.key == "cut/room_1")
        win.activateWindow()
        pane.table.setFocus()
        pane.table.selectRow(view_row)
        await asyncio.sleep(0.05)
        QTest.keyClick(pane.table, Qt.Key.Key_R)
        assert pane.dialog is not None and pane.dialog.resume
        QTest.keyClick(pane.dialog, Qt.Key.Key_Return)
        await until(lambda: "room_1" not in emu.blacklisted())
    finally:
        win.close()
        await until(lambda: all(p.tasks.is_idle() for p in win.panes.values()))
        await services.aclose()


async def test_provider_outage_shows_in_the_pane_and_the_queue(qtbot: Any, settings: Any, engine: Any,
                                                               emu: KingsoftEmulator, expect_log: list[str]) -> None:
    expect_log.extend(["giving up", "action", "snapshot", "503", "ListRealtime"])
    await insert_known_users(engine)
    creds = MemoryStore()
    creds.set("kingsoft", AK, SK)
    s = settings.replace(kingsoft__url=emu.base_url, kingsoft__access_key=AK, monitor__refresh_ms=300)
    services = await build_services(s, operator(Role.MODERATOR), credentials=creds)
    win = MainWindow(services)
    qtbot.addWidget(win)
    try:
        win.show()
        pane = win.show_pane("rooms")
        assert isinstance(pane, RoomMonitorPane)
        await until(lambda: pane.model.row_for("kingsoft/room_1") is not None)
        emu.inject(None, "503", count=1000)
        await until(lambda: pane.message_bar.isVisible() and "kingsoft" in pane.message_bar.label.text())
        # a cut during the outage stays queued and visible, then completes once the provider is back
        from console.domain import RoomId

        rec = await services.actions.cut_stream(RoomId(1), "赌博诈骗", None)
        assert rec.state.value == "pending"
        queue = win.show_pane("actions")
        assert isinstance(queue, ActionQueuePane)
        await until(lambda: queue.model.rowCount() == 1)
        emu.faults.clear()
        queue.table.selectRow(0)
        queue.retry_selected()
        await until(lambda: queue.model.rowCount() == 0)
        assert "room_1" in emu.blacklisted()
    finally:
        emu.faults.clear()
        win.close()
        await until(lambda: all(p.tasks.is_idle() for p in win.panes.values()))
        await services.aclose()
