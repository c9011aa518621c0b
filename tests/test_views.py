"""Panes with real services on real databases (pytest-qt, offscreen)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from console.domain import Role, UserId
from console.services import build_services
from console.views.main_window import MainWindow
from console.views.user_lookup import UserLookupPane
from tests.conftest import insert_known_users, operator

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def until(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not cond():
            await asyncio.sleep(0.01)


async def test_lookup_pane_search_card_and_note(qtbot: Any, settings: Any, engine: Any,
                                               expect_log: list[str]) -> None:
    expect_log.append("too long")
    await insert_known_users(engine)
    services = await build_services(settings, operator(Role.SUPPORT))
    win = MainWindow(services)
    qtbot.addWidget(win)
    try:
        win.show()
        assert list(win.panes) == ["lookup", "audit"]
        pane: UserLookupPane = win.panes["lookup"]  # type: ignore[assignment]
        ModelTester(None).check(pane.model)
        qtbot.keyClick(pane, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        pane.search.setText("小明")
        qtbot.keyClick(pane.search, Qt.Key.Key_Return)
        await until(lambda: pane.model.rowCount() == 2)
        assert {pane.model.user_at(i).id for i in range(2)} == {10000001, 10000003}  # type: ignore[union-attr]
        pane.table.setFocus()
        row = next(i for i in range(2) if pane.model.user_at(i).id == 10000001)  # type: ignore[union-attr]
        pane.table.selectRow(row)
        qtbot.keyClick(pane.table, Qt.Key.Key_Return)
        await until(lambda: pane.card.card is not None)
        assert pane.card.card.nickname == "小明爱吃鱼"  # type: ignore[union-attr]
        assert pane.card.phone_label.text() == "138****1234"
        assert pane.card.sanctions.rowCount() == 1 and pane.card.alts.rowCount() == 1
        # the rooms the user owns open in the wall: the pane emits open_room(room id)
        opened: list[int] = []
        pane.open_room.connect(opened.append)
        assert pane.card.rooms.rowCount() == 1 and pane.card.open_room_btn.isEnabled()
        qtbot.mouseClick(pane.card.open_room_btn, Qt.MouseButton.LeftButton)
        pane.card.rooms.setFocus()
        pane.card.rooms.selectRow(0)
        qtbot.keyClick(pane.card.rooms, Qt.Key.Key_Return)
        assert opened == [1, 1]
        pane.card.note_edit.setPlainText("用户反馈被误禁言")
        qtbot.mouseClick(pane.card.note_btn, Qt.MouseButton.LeftButton)
        await until(lambda: pane.card.notes.rowCount() == 1)
        assert pane.card.notes.item(0, 2).text() == "用户反馈被误禁言"
        # Esc goes back from the card to the results, then to the search box
        qtbot.keyClick(pane.card, Qt.Key.Key_Escape)
        # bad input: a clear message, no crash
        pane.search.setText("长" * 10_000)
        pane.start_search()
        await until(lambda: pane.message_bar.isVisible())
        assert "过长" in pane.message_bar.label.text()
    finally:
        win.close()
        await until(lambda: all(p.tasks.is_idle() for p in win.panes.values()))  # type: ignore[attr-defined]
        await services.aclose()


async def test_role_decides_which_panes_show(qtbot: Any, settings: Any) -> None:
    services = await build_services(settings, operator(Role.OPERATOR), start_events=False)
    win = MainWindow(services)
    qtbot.addWidget(win)
    try:
        assert list(win.panes) == ["push", "sms", "actions", "audit"]  # operators do not look up users
    finally:
        win.close()
        await services.aclose()


async def test_audit_pane_shows_actions_of_another_console_live(qtbot: Any, settings: Any, engine: Any) -> None:
    """Two consoles' services on one database: a note added in one appears in the other's audit pane."""
    await insert_known_users(engine)
    admin = await build_services(settings, operator(Role.ADMIN, "demo-admin"))
    support = await build_services(settings, operator(Role.SUPPORT, "demo-support"))
    win = MainWindow(admin)
    qtbot.addWidget(win)
    try:
        win.show()
        pane: Any = win.show_pane("audit")
        ModelTester(None).check(pane.model)
        await until(lambda: pane.tasks.is_idle() and pane.model.rowCount() == 0)
        await support.users.add_note(UserId(10000002), "第二台控制台写的备注")
        await until(lambda: pane.model.rowCount() == 1, timeout=5)
        row = pane.model.rows[0]
        assert (row.actor, row.kind, row.target) == ("demo-support", "note_add", "user:10000002")
        pane.actor.setText("nobody")
        pane.refresh()
        await until(lambda: pane.tasks.is_idle() and pane.model.rowCount() == 0)
    finally:
        win.close()
        await until(lambda: win.panes["audit"].tasks.is_idle())  # type: ignore[attr-defined]
        await support.aclose()
        await admin.aclose()


async def test_task_runner_switch_latest_and_busy_delay(qtbot: Any) -> None:
    from console.views.tasks import TaskRunner

    runner = TaskRunner()
    busy: list[bool] = []
    runner.busy_changed.connect(lambda b, _t: busy.append(b))
    results: list[str] = []

    async def job(name: str, delay: float) -> str:
        await asyncio.sleep(delay)
        return name

    first = runner.run("lookup", job("old", 0.9), on_done=results.append, busy="…")
    runner.run("lookup", job("new", 0.8), on_done=results.append, busy="…")  # cancels the first
    await until(lambda: runner.is_idle(), timeout=3)
    assert first.cancelled() and results == ["new"]
    assert busy == [True, False]  # shown only because it lasted over 0.6 s
    runner.run("quick", job("q", 0.01), on_done=results.append, busy="…")
    await until(lambda: runner.is_idle(), timeout=3)
    assert busy == [True, False] and results[-1] == "q"  # a quick task never shows progress


async def test_login_dialog_wrong_then_right_password(qtbot: Any, known_db: Any, expect_log: list[str]) -> None:
    from console.services.auth import AuthService
    from console.views.login import LoginDialog
    from tests.test_auth import console_url

    expect_log.extend(["sign-in refused", "Wrong user name or password"])
    dlg = LoginDialog(AuthService(await console_url(known_db)).sign_in, db_label="test", username="test-support")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.password.setText("wrong")
    qtbot.keyClick(dlg.password, Qt.Key.Key_Return)
    await until(lambda: dlg.error.text() != "")
    assert "密码错误" in dlg.error.text() and dlg.isVisible()
    dlg.password.setText("pw-support")
    qtbot.keyClick(dlg.password, Qt.Key.Key_Return)
    await until(lambda: dlg.session is not None)
    assert dlg.session.operator.role is Role.SUPPORT  # type: ignore[union-attr]


async def test_login_remembers_a_password_only_when_asked_and_only_in_the_keyring(qtbot: Any, known_db: Any) -> None:
    from console.credentials import MemoryStore
    from console.services.auth import AuthService
    from console.views.login import REMEMBERED, LoginDialog
    from tests.test_auth import console_url

    store = MemoryStore()
    auth = AuthService(await console_url(known_db))

    async def sign_in(remember: bool | None) -> LoginDialog:
        dlg = LoginDialog(auth.sign_in, db_label="db", username="test-support", store=store)
        qtbot.addWidget(dlg)
        dlg.show()
        await until(lambda: dlg.tasks.is_idle())
        if remember is not None:
            dlg.remember.setChecked(remember)
        if not dlg.password.text():
            dlg.password.setText("pw-support")
        qtbot.keyClick(dlg.password, Qt.Key.Key_Return)
        await until(lambda: dlg.session is not None and not dlg.isVisible())
        return dlg

    first = await sign_in(None)
    assert not first.remember.isChecked() and store.get(REMEMBERED, "db#test-support") is None  # off by default
    await sign_in(True)
    assert store.get(REMEMBERED, "db#test-support").reveal() == "pw-support"  # type: ignore[union-attr]
    third = await sign_in(None)  # filled in from the keyring, box ticked
    assert third.remember.isChecked()
    await sign_in(False)  # untick: forgotten
    assert store.get(REMEMBERED, "db#test-support") is None
