"""The chat feed (reads, flags, flood collapse) and chat moderation through the action outbox against the
RongCloud emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa

from console.db import tables as t
from console.db import tables_chat as tc
from console.domain import Role
from console.errors import InvalidInput, PermissionDenied
from console.sandbox.rongcloud import RongCloudEmulator
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.chat.feed import (
    DEFAULT_LADDER,
    ChatLine,
    ChatService,
    FloodGroup,
    FloodTracker,
    FocusMeter,
    LockdownPreset,
    SensitiveWord,
    collapse,
    display_text,
    flood_key,
    parse_words_csv,
    words_to_csv,
)
from console.services.chat.moderation import CHAT_KINDS, BulkResult, ChatActionHandler, ChatModeration
from console.services.chat.rongcloud import RongCloud
from console.services.http import HttpTransportPolicy, make_client
from tests.conftest import insert_known_users, operator

ASYNC = pytest.mark.asyncio(loop_scope="session")
NOW = datetime.now(UTC).replace(microsecond=0)
GAG_PATH = "/chatroom/user/gag/add.json"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


_uid = iter(range(1, 10**9))


def msg(text: str, *, sender: str = "10000002", room: str = "1", at: datetime | None = None,
        channel: str = "TEMPGROUP", sensitive: int = 0) -> dict[str, Any]:
    n = next(_uid)
    return dict(msg_uid=f"T{n:08d}", from_user_id=sender, to_user_id=room, object_name="RC:TxtMsg", content=text,
                channel_type=channel, msg_timestamp=ms(at or NOW) + n % 1000, sensitive_type=sensitive,
                source="iOS", client_ip="10.0.0.1", received_at=NOW)


async def insert(engine: Any, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as conn:
        await conn.execute(t.chat_messages.insert(), rows)


def service(engine: Any, role: Role = Role.MODERATOR) -> ChatService:
    return ChatService(engine, AuditService(engine, operator(role)), new_account_hours=72, clock=lambda: NOW)


# --- pure ------------------------------------------------------------------------------------------

def test_display_text_makes_invisible_and_direction_controls_visible() -> None:
    assert display_text("a\u200bb\u202ec\u2066d\u200de\ufeff") == "a⟨ZWSP⟩b⟨RLO⟩c⟨LRI⟩d⟨ZWJ⟩e⟨BOM⟩"
    assert display_text("x\ny\tz\x07\x1b\x9b") == "x⏎y⇥z\\x07\\x1b\\x9b"
    assert display_text("<b>粗</b>&amp;") == "<b>粗</b>&amp;"          # data, never markup
    assert display_text("🎉🐱‍👤") == "🎉🐱⟨ZWJ⟩👤"
    assert display_text("弹" * 5000, limit=10) == "弹" * 10 + "…(+4990)"


def test_flood_key_folds_near_duplicates() -> None:
    assert flood_key("加V领福利 123456") == flood_key("加ｖ领福利！！98765") == flood_key("加 v 领 福 利 1")
    assert flood_key("哈哈哈哈哈哈") == flood_key("哈哈") != flood_key("草草")
    assert flood_key("666") == flood_key("6666666")


def test_focus_meter_switches_with_hysteresis() -> None:
    m = FocusMeter(on_rate=8, off_rate=4, window_s=2)
    assert not m.add(10, 0.0)                    # 5/s
    assert m.add(10, 0.5)                        # 10/s: focus
    assert m.add(5, 2.1)                         # 7.5/s: stays on (above off_rate)
    assert not m.add(0, 4.0)                     # quiet: off
    assert m.rate(10.0) == 0


def test_words_csv_round_trip_and_bad_line() -> None:
    words = parse_words_csv("\ufeffword,replace\n加微信,\n傻逼,**\n\n 代充 \n")
    assert [(w.word, w.replace, w.kind) for w in words] == [("加微信", None, "block"), ("傻逼", "**", "replace"),
                                                          ("代充", None, "block")]
    assert parse_words_csv(words_to_csv(words)) == words
    with pytest.raises(InvalidInput, match="line 2"):
        parse_words_csv("a\n" + "长" * 33 + "\n")
    with pytest.raises(InvalidInput, match="line 1"):
        parse_words_csv("a,b,c\n")


def line(n: int, text: str, sender: str, room: str = "1") -> ChatLine:
    return ChatLine(id=n, msg_uid=f"U{n}", room_key=room, room_id=None, sender=sender, user_id=None,
                    object_name="RC:TxtMsg", text=text, sent_ms=n, flood=flood_key(text))


def test_flood_collapses_into_one_row_with_its_senders_across_batches() -> None:
    lines = []
    for i in range(312):
        lines.append(line(2 * i, f"加V领福利{'!' * (i % 3)} {1000 + i}", f"bot{i % 20}"))
        if i % 50 == 0:
            lines.append(line(2 * i + 1, ["主播真帅", "这波操作可以", "下一把上王者", "哈哈笑死", "晚上好",
                                          "求BGM", "打野在哪"][i // 50], f"viewer{i}"))
    groups: dict[str, FloodGroup] = {}
    first = collapse(lines[:200], groups=groups)
    second = collapse(lines[200:], groups=groups)
    floods = [r for r in first + second if isinstance(r, FloodGroup)]
    assert len({g.key for g in floods}) == 1
    g = groups[floods[0].key]
    assert g.count == 312 and len(g.senders) == 20 and g.room_key == "1"
    assert isinstance(first[0], FloodGroup)                         # where the flood started
    assert sum(1 for r in first + second if isinstance(r, ChatLine)) == 7   # the normal lines stay lines
    assert collapse([line(1, "a", "x"), line(2, "a", "y")]) == [line(1, "a", "x"), line(2, "a", "y")]


def test_flood_tracker_counts_each_line_once_across_steps() -> None:
    """Incremental grouping: a flood forms from lines of earlier steps (their rows leave), grows in later
    steps (the group's row is updated), keeps at most max_senders people and max_lines lines, and a flood
    older than max_age_s goes on in a new group; every line is a row, in a group or absorbed, once."""
    tr = FloodTracker(min_count=3, window_s=20.0, max_lines=5, max_senders=4, max_age_s=60.0)
    s1 = tr.feed([line(1, "加V领福利 1", "bot1"), line(2, "你好", "viewer")], now=0.0)
    assert s1.rows == [line(1, "加V领福利 1", "bot1"), line(2, "你好", "viewer")] and not s1.updated
    s2 = tr.feed([line(3, "加V领福利!2", "bot2"), line(4, "加ｖ领福利 3", "bot3")], now=1.0)
    assert [x.id for x in s2.absorbed] == [1]                    # shown in step 1, now inside the group
    assert len(s2.rows) == 1 and isinstance(g := s2.rows[0], FloodGroup)
    assert g.count == 3 and set(g.senders) == {"bot1", "bot2", "bot3"} and s2.grouped == 2
    s3 = tr.feed([line(10 + i, f"加V领福利{i}", f"bot{i}") for i in range(4, 9)] + [line(20, "晚上好", "v2")],
                 now=2.0)
    assert [r.id for r in s3.rows] == [20] and len(s3.updated) == 1   # the group grew; one new single row
    grown = s3.updated[0]
    assert grown.serial == g.serial and grown.count == 8 and s3.grouped == 5
    assert [x.id for x in s3.joined[grown.serial]] == [14, 15, 16, 17, 18]
    assert len(grown.senders) == 4 and grown.more_senders          # bounded: the first four people
    assert "bot1" in grown.senders and "bot8" not in grown.senders
    assert [x.id for x in grown.lines] == [14, 15, 16, 17, 18]      # the newest max_lines lines
    assert g.count == 3 and len(g.senders) == 3                    # a snapshot never changes afterwards
    s4 = tr.feed([line(30, "加V领福利", "bot9")], now=70.0)        # past max_age_s: a new flood starts
    assert s4.rows == [line(30, "加V领福利", "bot9")] and not s4.updated


# --- reads and flags, both databases -----------------------------------------------------------

async def chat_users(engine: Any) -> Any:
    """The known users, a new account (10000099, registered 2 h ago) and a second room."""
    await insert_known_users(engine)
    async with engine.begin() as conn:
        await conn.execute(t.users.insert().values(id=10000099, phone="13700000099", nickname="新号",
                                                   registered_at=NOW - timedelta(hours=2), channel="web"))
        await conn.execute(t.rooms.insert().values(id=2, owner_id=10000002, title="第二个房间", category="聊天",
                                                   stream_name="room_2", state="live", created_at=NOW,
                                                   updated_at=NOW))
    return engine


@pytest_asyncio.fixture(loop_scope="session")
async def db(engine: Any) -> Any:
    return await chat_users(engine)


@ASYNC
async def test_latest_and_newer_by_room_and_for_all_rooms(db: Any) -> None:
    await insert(db, [msg(f"一号房{i}", room="1") for i in range(10)] + [msg(f"二号房{i}", room="2") for i in range(5)]
                 + [msg("私信", room="10000003", channel="PERSON")])
    chat = service(db)
    room1 = await chat.latest("1", limit=4)
    assert [x.text for x in room1] == ["一号房6", "一号房7", "一号房8", "一号房9"]
    assert all(x.room_id == 1 and x.user_id == 10000002 for x in room1)
    everything = await chat.latest(None, limit=100)
    assert len(everything) == 15 and "私信" not in {x.text for x in everything}   # chatrooms only
    cursor = await chat.last_id()
    assert await chat.newer(cursor) == []
    await insert(db, [msg("新来的", room="2")])
    new = await chat.newer(cursor)
    assert [x.text for x in new] == ["新来的"] and new[0].room_key == "2"
    assert [x.text for x in await chat.newer(everything[0].id, "2", limit=2)] == ["二号房0", "二号房1"]


@ASYNC
async def test_a_role_without_chat_moderation_is_refused_and_audited(db: Any, expect_log: list[str]) -> None:
    expect_log.append("refused moderate_chat")
    chat = service(db, Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        await chat.latest("1")
    async with db.connect() as conn:
        denied = (await conn.execute(sa.select(t.audit_log).where(t.audit_log.c.kind == "denied"))).all()
    assert [(d.actor, d.outcome, d.target) for d in denied] == [("test-operator", "refused", "chat:1")]


@ASYNC
async def test_flags_words_regex_links_new_accounts_repeats(db: Any) -> None:
    async with db.begin() as conn:
        await conn.execute(tc.chat_words.insert(), [
            dict(word="加微信", replace_word=None, created_by="t", created_at=NOW, session_only=False, expires_at=None),
            dict(word="傻逼", replace_word="**", created_by="t", created_at=NOW, session_only=False, expires_at=None),
            dict(word="过期词", replace_word=None, created_by="t", created_at=NOW, session_only=True,
                 expires_at=NOW - timedelta(minutes=1)),
        ])
        await conn.execute(tc.chat_regex_rules.insert().values(name="手机号", pattern=r"1[3-9]\d{9}", created_by="t",
                                                               created_at=NOW))
    await insert(db, [msg("老用户以前说过的话", sender="10000003", at=NOW - timedelta(days=1))])
    chat = service(db)
    await chat.load_rules()
    cursor = await chat.last_id()
    base = NOW
    await insert(db, [
        msg("主播好厉害", sender="10000003", at=base),
        msg("快来加微信领皮肤", sender="10000004", at=base),
        msg("我的号码13812345678", sender="10000005", at=base),
        msg("看这里 www.example-spam.top/x", sender="10000006", at=base),
        msg("大家好我是新人", sender="10000099", at=base),
        msg("再说一句", sender="10000099", at=base),
        msg("刷屏刷屏", sender="10000001", at=base),
        msg("刷屏 刷屏!", sender="10000001", at=base + timedelta(seconds=1)),
        msg("刷屏刷屏刷屏", sender="10000001", at=base + timedelta(seconds=2)),
        msg("** 主播", sender="10000002", at=base, sensitive=2),
        msg("过期词不再标记", sender="10000002", at=base),
    ])
    lines = await chat.newer(cursor)
    kinds = [(x.text, sorted(f.kind.value for f in x.flags)) for x in lines]
    assert kinds == [
        ("主播好厉害", []),
        ("快来加微信领皮肤", ["word"]),
        ("我的号码13812345678", ["regex"]),
        ("看这里 www.example-spam.top/x", ["link"]),
        ("大家好我是新人", ["new_account"]),
        ("再说一句", []),
        ("刷屏刷屏", []),
        ("刷屏 刷屏!", []),
        ("刷屏刷屏刷屏", ["repeat"]),
        ("** 主播", ["provider"]),
        ("过期词不再标记", []),
    ]
    by_text = {x.text: x for x in lines}
    assert by_text["快来加微信领皮肤"].reason == "word:加微信"
    assert by_text["大家好我是新人"].new_account and by_text["大家好我是新人"].first_time
    assert by_text["再说一句"].new_account and not by_text["再说一句"].first_time and by_text["再说一句"].focus
    assert not by_text["主播好厉害"].first_time            # 10000003 spoke yesterday
    assert by_text["刷屏刷屏"].first_time and not by_text["刷屏刷屏刷屏"].first_time
    flagged = await chat.flagged(scan=100)
    assert [x.text for x in flagged] == ["快来加微信领皮肤", "我的号码13812345678", "看这里 www.example-spam.top/x",
                                         "大家好我是新人", "刷屏刷屏刷屏", "** 主播"]


# --- moderation through the outbox, against the emulator -----------------------------------------

@dataclass
class Rig:
    engine: Any
    emu: RongCloudEmulator
    actions: ActionService
    mod: ChatModeration
    chat: ChatService
    rc: RongCloud


async def make_rig(engine: Any, role: Role = Role.MODERATOR, *, word_quota: int = 50,
                   concurrency: int = 8, clock: Any = None) -> AsyncIterator[Rig]:
    emu = RongCloudEmulator(app_key="k", app_secret="s", word_quota=word_quota)
    base = await emu.start()
    rc = RongCloud(make_client(base, timeout=5), app_key="k", secret=_secret("s"), hosts=[base],
                   policy=HttpTransportPolicy(retries=0))
    audit = AuditService(engine, operator(role))
    actions = ActionService(engine, audit)
    actions.register(CHAT_KINDS, ChatActionHandler(rc))
    mod = ChatModeration(actions, engine, concurrency=concurrency, clock=clock or (lambda: datetime.now(UTC)))
    try:
        yield Rig(engine, emu, actions, mod, ChatService(engine, audit, clock=lambda: NOW), rc)
    finally:
        await actions.drain()
        await rc.aclose()
        await emu.stop()


def _secret(v: str) -> Any:
    from console.credentials import Secret

    return Secret(v)


@pytest_asyncio.fixture(loop_scope="session")
async def rig(db: Any) -> AsyncIterator[Rig]:
    async for r in make_rig(db):
        yield r


async def outbox(engine: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(t.action_outbox).order_by(t.action_outbox.c.id))).all())


@ASYNC
async def test_ladder_gag_on_a_flood_then_undo(rig: Rig) -> None:
    await insert(rig.engine, [msg(f"加V领福利 {i}", sender=s) for i, s in
                              enumerate(["10000001", "10000002", "bot-x"] * 3)])
    lines = await rig.chat.latest("1")
    group = next(r for r in collapse(lines) if isinstance(r, FloodGroup))
    assert group.senders == {"10000001", "10000002", "bot-x"}
    step = next(s for s in DEFAULT_LADDER if s.key == 2)          # 禁言10分钟
    res = await rig.mod.punish(group, step, reason="刷屏广告")
    assert isinstance(res, BulkResult) and res.ok and len(res.records) == 3
    rows = await outbox(rig.engine)
    assert {r.payload["batch"] for r in rows} == {res.batch} and {r.state for r in rows} == {"done"}
    assert {r.payload["user"] for r in rows} == {"10000001", "10000002", "bot-x"}
    assert set(rig.emu.rooms["1"].gags) == {"10000001", "10000002", "bot-x"}
    listed = await rig.chat.sanctions("1")
    assert {(s.user_id, s.kind, s.scope) for s in listed} == {(u, "gag", "room") for u in group.senders}
    assert all(s.ends_at is not None and timedelta(minutes=9) < s.ends_at - s.starts_at <= timedelta(minutes=10)
               for s in listed)
    async with rig.engine.connect() as conn:
        sanc = (await conn.execute(sa.select(t.sanctions.c.user_id, t.sanctions.c.room_id).where(
            t.sanctions.c.reason == "刷屏广告"))).all()
        audit = (await conn.execute(sa.select(t.audit_log).where(t.audit_log.c.kind == "chat_gag"))).all()
    assert sorted((s.user_id or 0, s.room_id) for s in sanc) == [(0, 1), (10000001, 1), (10000002, 1)]  # user card
    assert len(audit) == 3 and all(a.reason == "刷屏广告" for a in audit)
    ev = audit[0].evidence
    assert ev["action_id"] and ev["chat"] and ev["chat"][0]["text"].startswith("加V领福利")

    undone = await rig.mod.undo(res)
    assert isinstance(undone, BulkResult) and undone.ok
    assert rig.emu.rooms["1"].gags == {}
    assert await rig.chat.sanctions("1") == []


@ASYNC
async def test_provider_error_in_the_middle_of_a_bulk_gag(db: Any, expect_log: list[str]) -> None:
    """Four users: the second one's call fails, and its one retry fails too; the outbox shows who was
    gagged and who was not, and recovery completes the rest exactly once."""
    expect_log += ["not done", "503", "chat_gag"]
    async for r in make_rig(db, concurrency=1):
        for kind in ("slow", "503", "slow", "slow", "503"):
            r.emu.inject(GAG_PATH, kind, 1, delay_s=0.0)          # calls 1 ok, 2 fails, 3, 4 ok, retry of 2 fails
        res = await r.mod.gag("1", ["u-a", "u-b", "u-c", "u-d"], minutes=10, reason="刷屏")
        assert [(x.payload["user"], x.state) for x in res.records] == [
            ("u-a", "done"), ("u-b", "pending"), ("u-c", "done"), ("u-d", "done")]
        assert res.not_done[0].attempts == 2 and "503" in (res.not_done[0].last_error or "")
        assert set(r.emu.rooms["1"].gags) == {"u-a", "u-c", "u-d"}
        assert {x.payload["batch"] for x in res.records} == {res.batch}
        recovered = await r.actions.recover()
        assert [(x.payload["user"], x.state) for x in recovered] == [("u-b", "done")]
        assert set(r.emu.rooms["1"].gags) == {"u-a", "u-b", "u-c", "u-d"}
        assert len(await r.chat.sanctions("1")) == 4                     # each recorded once
        again = await r.actions.recover()
        assert again == [] and len(await r.chat.sanctions("1")) == 4


@ASYNC
async def test_same_click_twice_is_one_action(rig: Rig) -> None:
    a = await rig.mod.block("1", ["bot-1"], reason="广告", minutes=60, key="click-1")
    b = await rig.mod.block("1", ["bot-1"], reason="广告", minutes=60, key="click-1")
    assert [x.id for x in a.records] == [x.id for x in b.records]
    assert len(await outbox(rig.engine)) == 1
    assert len([c for c in rig.emu.calls if c.path == "/chatroom/user/block/add.json"]) == 1


@ASYNC
async def test_recall_marks_the_line_and_reaches_rongcloud(rig: Rig) -> None:
    r = rig.emu.client_send("1", "10000004", "违规内容")
    await insert(rig.engine, [{**msg("违规内容", sender="10000004"), "msg_uid": r.msg_uid,
                               "msg_timestamp": r.sent_time}])
    (target,) = await rig.chat.latest("1")
    rec = await rig.mod.recall(target, reason="违规")
    assert rec.state == "done"
    assert rig.emu.recalls == [{"fromUserId": "10000004", "targetId": "1", "messageUID": r.msg_uid,
                                "sentTime": str(r.sent_time)}]
    (after,) = await rig.chat.latest("1")
    assert after.recalled
    with pytest.raises(InvalidInput, match="cannot be undone"):
        await rig.mod.undo(rec)


@ASYNC
async def test_sensitive_words_quota_is_a_clear_error(db: Any, expect_log: list[str]) -> None:
    expect_log += ["quota", "chat_words"]
    async for r in make_rig(db, word_quota=2):
        ok = await r.mod.add_words([SensitiveWord(word="加微信"), SensitiveWord(word="傻逼", replace="**")],
                                   reason="词库")
        assert ok.state == "done"
        assert {w.word: w.replace for w in await r.chat.words()} == {"加微信": None, "傻逼": "**"}
        # the console's own check refuses before any call ...
        r.mod.word_quota = 2
        with pytest.raises(InvalidInput, match="quota of 2"):
            await r.mod.add_words([SensitiveWord(word="代充")], reason="词库")
        # ... and if the console thinks there is room, RongCloud's refusal fails the row visibly
        r.mod.word_quota = 50
        over = await r.mod.add_words([SensitiveWord(word="代充")], reason="词库")
        assert over.state == "failed" and "quota" in (over.last_error or "").lower()
        assert "代充" not in {w.word for w in await r.chat.words()}
        async with db.connect() as conn:
            failed = (await conn.execute(sa.select(t.audit_log).where(t.audit_log.c.outcome == "failed"))).all()
        assert [f.kind for f in failed] == ["chat_words_add"]
        undo = await r.mod.undo(ok)
        assert isinstance(undo, type(ok)) and undo.state == "done"
        assert await r.chat.words() == [] and r.emu.words == {}


@ASYNC
async def test_moderation_refused_for_a_role_without_it(db: Any, expect_log: list[str]) -> None:
    expect_log.append("refused moderate_chat")
    async for r in make_rig(db, Role.SUPPORT):
        with pytest.raises(PermissionDenied):
            await r.mod.gag("1", ["u1"], minutes=10, reason="x")
        assert await outbox(db) == []
        assert r.emu.calls_of(GAG_PATH) == []


@ASYNC
async def test_lockdown_mutes_adds_session_words_gags_new_accounts_and_reverts_on_schedule(db: Any) -> None:
    clock = [datetime.now(UTC)]
    await insert(db, [msg("新号发言", sender="10000099", room="2", at=datetime.now(UTC))])
    async for r in make_rig(db, clock=lambda: clock[0]):
        await r.mod.whitelist_add("2", ["10000002"], reason="房管")
        preset = LockdownPreset(id=0, name="紧急封控", mute_rooms=True, gag_new_accounts=True, new_account_hours=24,
                                words=("临时词",), revert_after_minutes=30)
        rec = await r.mod.lockdown(preset, ["1", "2"], reason="突发刷屏")
        assert rec.state == "done", rec.last_error
        assert r.emu.rooms["1"].muted and r.emu.rooms["2"].muted
        assert "10000002" in r.emu.rooms["2"].whitelist
        assert "10000099" in r.emu.rooms["2"].gags
        assert "临时词" in r.emu.words
        words = await r.chat.words()
        assert [(w.word, w.session_only) for w in words] == [("临时词", True)]
        rooms = {x.room_key: x for x in await r.chat.rooms()}
        assert rooms["1"].muted and rooms["2"].muted and rooms["2"].whitelist == ("10000002",)
        assert await r.mod.revert_due() == []                       # not yet
        clock[0] += timedelta(minutes=31)
        (rev,) = await r.mod.revert_due()
        assert rev.state == "done"
        assert not any(r.emu.rooms[k].muted for k in ("1", "2"))
        assert "临时词" not in r.emu.words and "10000099" not in r.emu.rooms["2"].gags
        assert await r.mod.revert_due() == []
        rooms = {x.room_key: x for x in await r.chat.rooms()}
        assert not rooms["1"].muted and not rooms["2"].muted


@ASYNC
async def test_system_message_to_a_group_of_rooms(rig: Rig) -> None:
    res = await rig.mod.system_message(["1", "2"], "系统公告：请文明发言 <b>不是HTML</b>", reason="公告")
    assert res.ok and len(res.records) == 2
    calls = rig.emu.calls_of("/message/chatroom/publish.json")
    assert sorted(c.params["toChatroomId"][0] for c in calls) == ["1", "2"]
    assert json.loads(calls[0].params["content"][0])["content"] == "系统公告：请文明发言 <b>不是HTML</b>"
    with pytest.raises(InvalidInput):
        await rig.mod.system_message(["1"], "x", reason="公告", object_name="RC:TxtMsg")


@ASYNC
async def test_global_gag_and_app_block_show_on_the_user(rig: Rig) -> None:
    g = await rig.mod.global_gag(["10000005"], minutes=60, reason="多房间刷屏")
    b = await rig.mod.app_block(["10000005"], minutes=1440, reason="诈骗")
    assert g.ok and b.ok
    assert "10000005" in rig.emu.global_gags and "10000005" in rig.emu.user_blocks
    listed = await rig.chat.sanctions()
    assert {(s.kind, s.scope, s.room_key) for s in listed if s.user_id == "10000005"} == {
        ("gag", "global", None), ("ban", "app", None)}
    async with rig.engine.connect() as conn:
        kinds = (await conn.execute(sa.select(t.sanctions.c.kind, t.sanctions.c.scope).where(
            t.sanctions.c.user_id == 10000005))).all()
    assert sorted(tuple(k) for k in kinds) == [("ban", "app"), ("gag", "global")]



@ASYNC
async def test_ladder_regex_rules_and_presets_are_kept_and_audited(rig: Rig) -> None:
    from console.services.chat.feed import LadderStep

    steps = (LadderStep(key=1, label="撤回", action="recall"), LadderStep(key=2, label="禁言30分钟", action="gag",
                                                                        minutes=30))
    await rig.mod.set_ladder("1", steps, reason="本房规则")
    assert (await rig.chat.room("1")).ladder == steps
    assert (await rig.chat.room("2")).ladder == DEFAULT_LADDER
    with pytest.raises(InvalidInput):
        await rig.mod.set_ladder("1", (LadderStep(key=1, label="x", action="nuke"),))
    with pytest.raises(InvalidInput, match="regular expression"):
        await rig.mod.add_regex_rule("坏规则", "(unclosed")
    rid = await rig.mod.add_regex_rule("微信号", r"v[x信]\s*[a-z0-9_]{6,}")
    await rig.chat.load_rules()
    await insert(rig.engine, [msg("加我vx abc12345")])
    (ln,) = await rig.chat.latest("1")
    assert [f.label() for f in ln.flags] == ["regex:微信号", "link:vx abc12345"]
    await rig.mod.delete_regex_rule(rid)
    assert await rig.chat.regex_rules() == []
    pid = await rig.mod.save_preset(LockdownPreset(id=0, name="晚高峰", mute_rooms=False, gag_new_accounts=True,
                                                   words=("代练",), revert_after_minutes=45))
    (p,) = await rig.chat.presets()
    assert (p.id, p.name, p.gag_new_accounts, p.words, p.revert_after_minutes) == (pid, "晚高峰", True, ("代练",), 45)
    async with rig.engine.connect() as conn:
        kinds = [k for (k,) in (await conn.execute(sa.select(t.audit_log.c.kind).order_by(t.audit_log.c.id))).all()]
    assert kinds == ["chat_ladder", "chat_regex_add", "chat_regex_delete", "chat_preset_save"]


@ASYNC
async def test_postgres_moderator_role_has_the_grants_chat_needs(db: Any, db_url: str) -> None:
    """On PostgreSQL the console connects as the operator's role: every chat read and action must work
    with shihou_moderator's grants alone (the superuser test engine would hide a missing grant)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("database roles exist only on the server database; nothing to check on SQLite")
    from console.db.engine import make_engine

    await insert(db, [msg("加V领福利 1", sender="10000001"), msg("加V领福利 2", sender="10000002")])
    mod_engine = make_engine(db_url, pg_role="shihou_moderator")
    try:
        async for r in make_rig(mod_engine):
            await r.chat.load_rules()
            lines = await r.chat.latest("1")
            assert len(lines) == 2 and await r.chat.flagged() == [] and await r.chat.rooms()
            assert (await r.mod.gag("1", ["10000001", "bot-z"], minutes=10, reason="刷屏", evidence=lines)).ok
            assert (await r.mod.recall(lines[0], reason="违规")).state == "done"
            assert (await r.mod.add_words([SensitiveWord(word="加微信")], reason="词库")).state == "done"
            assert (await r.mod.whitelist_add("1", ["10000002"], reason="房管")).ok
            rec = await r.mod.lockdown(LockdownPreset(id=0, name="p", words=("临时",), revert_after_minutes=5),
                                       ["1"], reason="封控")
            assert rec.state == "done", rec.last_error
            undone = await r.mod.undo(rec)
            assert not isinstance(undone, BulkResult) and undone.state == "done"
            await r.mod.set_ladder("1", None)
            await r.mod.add_regex_rule("r", "x+")
            await r.mod.save_preset(LockdownPreset(id=0, name="q"))
            assert len(await r.chat.sanctions("1")) == 2
    finally:
        await mod_engine.dispose()
