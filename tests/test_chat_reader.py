"""The chat reader: the live chat read and flagged in a child process, with the console's process as the
fallback, on SQLite and PostgreSQL (a real child, a real database)."""

from __future__ import annotations

import asyncio
import gc
import os
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa

from console.db import tables as t
from console.db import tables_chat as tc
from console.domain import Role
from console.errors import PermissionDenied
from console.heap import settle_heap
from console.services.audit import AuditService
from console.services.chat.feed import ChatService
from console.services.chat.reader import PART_LINES, RESTARTS, ChatReader
from tests.conftest import operator
from tests.test_chat_service import NOW, chat_users, insert, msg

ASYNC = pytest.mark.asyncio(loop_scope="session")


def live_service(engine: Any, role: Role = Role.MODERATOR) -> ChatService:
    """As the console builds it (the real clock: the child has no other)."""
    return ChatService(engine, AuditService(engine, operator(role)), new_account_hours=72)


@pytest_asyncio.fixture(loop_scope="session")
async def db(engine: Any) -> Any:
    await chat_users(engine)
    async with engine.begin() as conn:
        await conn.execute(tc.chat_words.insert().values(word="加微信", replace_word=None, created_by="t",
                                                         created_at=NOW, session_only=False, expires_at=None))
    return engine


@pytest_asyncio.fixture(loop_scope="session")
async def reader(db: Any) -> Any:
    r = ChatReader(live_service(db), db)
    await r.start()
    try:
        yield r
    finally:
        await r.aclose()


def comparable(lines: list[Any]) -> list[tuple[Any, ...]]:
    return [(x.id, x.msg_uid, x.room_key, x.room_id, x.sender, x.user_id, x.text, x.sent_ms,
             tuple((f.kind, f.detail) for f in x.flags), x.first_time, x.new_account, x.flood, x.recalled)
            for x in lines]


@ASYNC
async def test_the_child_answers_what_the_service_here_answers(db: Any, reader: ChatReader) -> None:
    assert reader.in_child, reader.last_error
    await insert(db, [
        msg("主播好厉害", sender="10000003"), msg("快来加微信领皮肤", sender="10000004"),
        msg("看这里 www.example-spam.top/x", sender="10000006"), msg("大家好我是新人", sender="10000099"),
        msg("<b>粗</b>\u202e反向 🎉", sender="10000002", room="2"), msg("刷屏刷屏", sender="10000001"),
        msg("刷屏 刷屏!", sender="10000001"), msg("刷屏刷屏刷屏", sender="10000001"),
    ])
    here = live_service(db)
    await here.load_rules()
    from_child = await reader.newer(0)
    assert comparable(from_child) == comparable(await here.newer(0))
    assert reader.reads_in_child == 1 and reader.reads_here == 0
    assert [x.text for x in await reader.newer(0, "2")] == ["<b>粗</b>\u202e反向 🎉"]
    flagged = {x.text: sorted(f.kind.value for f in x.flags) for x in from_child}
    assert flagged["快来加微信领皮肤"] == ["word"] and flagged["看这里 www.example-spam.top/x"] == ["link"]
    assert flagged["刷屏刷屏刷屏"] == ["repeat"]
    assert next(x for x in from_child if x.sender == "10000099").new_account


@ASYNC
async def test_a_long_answer_comes_in_parts_complete_and_in_order(db: Any, reader: ChatReader) -> None:
    n = PART_LINES * 3 + 17
    await insert(db, [msg(f"第{i}条", sender=str(10000001 + i % 5)) for i in range(n)])
    lines = await reader.newer(0, limit=5000)
    assert [x.text for x in lines] == [f"第{i}条" for i in range(n)]
    assert [x.id for x in lines] == sorted(x.id for x in lines)
    page = await reader.newer(0, limit=PART_LINES + 1)
    assert [x.text for x in page] == [f"第{i}条" for i in range(PART_LINES + 1)]


@ASYNC
async def test_a_cancelled_read_leaves_nothing_behind(db: Any, reader: ChatReader) -> None:
    await insert(db, [msg(f"行{i}") for i in range(PART_LINES * 2)])
    task = asyncio.ensure_future(reader.newer(0))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # the late answer to the cancelled read is dropped; the next read gets its own answer
    lines = await reader.newer(PART_LINES)
    assert [x.text for x in lines] == [f"行{i}" for i in range(PART_LINES, PART_LINES * 2)]
    assert reader.in_child


@ASYNC
async def test_new_rules_reach_the_child(db: Any, reader: ChatReader) -> None:
    await insert(db, [msg("这个新词要标记")])
    assert (await reader.newer(0))[0].flags == ()
    async with db.begin() as conn:
        await conn.execute(tc.chat_words.insert().values(word="新词", replace_word=None, created_by="t",
                                                         created_at=NOW, session_only=False, expires_at=None))
    await reader.load_rules()
    assert [f.kind.value for f in (await reader.newer(0))[0].flags] == ["word"]
    assert reader.reads_in_child == 2


@ASYNC
async def test_a_dead_child_is_replaced_and_no_read_fails_meanwhile(db: Any, reader: ChatReader,
                                                                   expect_log: list[str]) -> None:
    expect_log.append("chat reader lost")
    await insert(db, [msg("一"), msg("二")])
    pid = reader._proc.pid  # type: ignore[union-attr]  # noqa: SLF001
    os.kill(pid, 9)
    await asyncio.sleep(0.2)
    assert [x.text for x in await reader.newer(0)] == ["一", "二"]   # answered here while the child is gone
    assert reader.reads_here >= 1 and "chat reader" in reader.last_error
    for _ in range(200):   # a new child starts in the background
        if reader.in_child:
            break
        await asyncio.sleep(0.05)
    assert reader.in_child and reader._proc.pid != pid  # type: ignore[union-attr]  # noqa: SLF001
    before = reader.reads_in_child
    assert [x.text for x in await reader.newer(0)] == ["一", "二"]
    assert reader.reads_in_child == before + 1


@ASYNC
async def test_restarts_are_bounded_then_reads_stay_here(db: Any, expect_log: list[str]) -> None:
    expect_log.extend(["did not start", "chat reader lost"])
    r = ChatReader(live_service(db), db, python="/bin/false")   # a child that exits at once
    try:
        await insert(db, [msg("仍然可读")])
        for _ in range(RESTARTS + 3):
            assert [x.text for x in await r.newer(0)] == ["仍然可读"]
            await r.start()
        assert not r.in_child and r.reads_in_child == 0 and "did not start" in r.last_error
    finally:
        await r.aclose()


@ASYNC
async def test_a_role_without_chat_moderation_starts_no_child_and_is_refused(db: Any, expect_log: list[str]) -> None:
    expect_log.append("refused moderate_chat")
    r = ChatReader(live_service(db, Role.SUPPORT), db)
    try:
        await r.start()
        assert not r.in_child and r._proc is None  # noqa: SLF001
        with pytest.raises(PermissionDenied):
            await r.newer(0)
    finally:
        await r.aclose()
    async with db.connect() as conn:
        denied = (await conn.execute(sa.select(t.audit_log.c.actor).where(t.audit_log.c.kind == "denied"))).all()
    assert len(denied) == 1


@ASYNC
async def test_no_secret_on_the_childs_command_line(db: Any, reader: ChatReader) -> None:
    pid = reader._proc.pid  # type: ignore[union-attr]  # noqa: SLF001
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        argv = f.read().split(b"\0")
    with open(f"/proc/{pid}/environ", "rb") as f:
        env = f.read()
    url = db.url.render_as_string(hide_password=False).encode()
    assert url not in b" ".join(argv) and url not in env
    assert argv[1:3] == [b"-m", b"console.services.chat.reader_child"]


def test_settle_heap_freezes_start_up_objects() -> None:
    try:
        n = settle_heap()
        assert n == gc.get_freeze_count() > 1000
        assert settle_heap() >= n
    finally:
        gc.unfreeze()
