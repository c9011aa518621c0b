"""User lookup service against real SQLite and PostgreSQL databases."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from console.db import tables as t
from console.domain import AuditFilter, Role, SearchKind, UserId
from console.errors import InvalidInput, NotFound, PermissionDenied
from console.services.audit import AuditService
from console.services.users import UserService
from tests.conftest import operator

pytestmark = pytest.mark.asyncio(loop_scope="session")


def svc(engine: Any, role: Role = Role.SUPPORT) -> UserService:
    return UserService(engine, AuditService(engine, operator(role)))


async def ids(users: UserService, q: str, kind: SearchKind = SearchKind.AUTO, **kw: Any) -> list[int]:
    page = await users.lookup(q, kind, **kw)
    return [int(r.id) for r in page.rows]


async def test_lookup_by_id_phone_and_nickname(known_db: Any) -> None:
    users = svc(known_db)
    try:
        assert await ids(users, "10000002", SearchKind.ID) == [10000002]
        assert await ids(users, "#10000003") == [10000003]
        # phone prefix, ordered by phone; masked in results
        page = await users.lookup("1381234")
        assert [int(r.id) for r in page.rows] == [10000006, 10000001, 10000002]
        assert page.rows[0].phone_masked == "138****0000"
        assert await ids(users, "+86 138-1234-9999") == [10000002]
        # nickname: 1 char prefix, 2 char bigram, 3+ trigram; current and past
        assert set(await ids(users, "小")) == {10000001, 10000003}  # 10000003 via past "小明"
        assert set(await ids(users, "小", include_past=False)) == {10000001}
        assert set(await ids(users, "小明")) == {10000001, 10000003}
        assert set(await ids(users, "明明")) == {10000001}   # past nickname only
        assert await ids(users, "明明", include_past=False) == []
        assert set(await ids(users, "爱吃鱼")) == {10000001}
        assert set(await ids(users, "lucy_520")) == {10000001, 10000003}  # case-insensitive, past and current
        assert await ids(users, "王者小") == [10000002]
    finally:
        await users.aclose()


async def test_matched_past_nickname_is_reported(known_db: Any) -> None:
    users = svc(known_db)
    try:
        page = await users.lookup("明明")
        assert page.rows[0].matched_past_nickname == "明明"
        page = await users.lookup("爱吃鱼")
        assert page.rows[0].matched_past_nickname is None
    finally:
        await users.aclose()


@pytest.mark.parametrize("q", ["%", "_", "%%", "'", "\\", "100%", "%_真'人\\", "' OR 1=1 --", '"', '""x"',
                               "🐱", "🐱猫", "猫猫🐱", "a\x00b", "∑∂", "ﾃｽﾄ"])
async def test_hostile_search_strings_are_literal(known_db: Any, q: str) -> None:
    users = svc(known_db)
    try:
        page = await users.lookup(q, SearchKind.NICKNAME)
        for r in page.rows:  # every hit really contains the text (current or past nickname)
            assert q.replace("\x00", "").lower() in (r.nickname + (r.matched_past_nickname or "")).lower()
        if q in ("100%", "%_真'人\\"):
            assert [int(r.id) for r in page.rows] == [10000004]
        if q in ("🐱猫", "猫猫🐱"):
            assert [int(r.id) for r in page.rows] == [10000005]
    finally:
        await users.aclose()
    async with known_db.connect() as conn:  # nothing changed
        assert (await conn.execute(sa.select(sa.func.count()).select_from(t.users))).scalar() == 6


async def test_too_long_and_empty_queries_are_refused(known_db: Any) -> None:
    users = svc(known_db)
    try:
        with pytest.raises(InvalidInput, match="too long"):
            await users.lookup("长" * 10_000)
        with pytest.raises(InvalidInput, match="empty"):
            await users.lookup("   ")
        with pytest.raises(InvalidInput):
            await users.lookup("abc", SearchKind.ID)
        assert await ids(users, "99999999999999999999999", SearchKind.ID) == []
    finally:
        await users.aclose()


async def test_paging_has_more(known_db: Any) -> None:
    users = svc(known_db)
    try:
        p1 = await users.lookup("1", limit=2)
        assert len(p1.rows) == 2 and p1.has_more
        p2 = await users.lookup("1", limit=2, offset=2)
        p3 = await users.lookup("1", limit=2, offset=4)
        all_ids = [r.id for p in (p1, p2, p3) for r in p.rows]
        assert len(all_ids) == len(set(all_ids)) == 6 and not p3.has_more
    finally:
        await users.aclose()


async def test_card_shows_the_whole_story(known_db: Any) -> None:
    users = svc(known_db)
    try:
        card = await users.card(UserId(10000001))
        assert card.nickname == "小明爱吃鱼" and card.phone_masked == "138****1234"
        assert [p.nickname for p in card.past_nicknames] == ["明明", "Lucy_520"]
        assert [a.id for a in card.alt_accounts] == [10000003]
        assert card.rooms[0].title == "小明的王者上分房"
        assert card.sanctions[0].reason == "刷屏" and card.sanctions[0].issued_by == "demo-mod"
        with pytest.raises(NotFound):
            await users.card(UserId(1))
    finally:
        await users.aclose()


async def test_notes_and_reveal_are_audited(known_db: Any) -> None:
    users = svc(known_db)
    audit = AuditService(known_db, operator(Role.SUPPORT))
    try:
        note = await users.add_note(UserId(10000002), "用户来电申诉，已核实身份")
        assert note.author == "test-support"
        assert (await users.notes(UserId(10000002)))[0].body == "用户来电申诉，已核实身份"
        assert await users.reveal_phone(UserId(10000002), "来电核实") == "13812349999"
        with pytest.raises(InvalidInput):
            await users.reveal_phone(UserId(10000002), "  ")
        with pytest.raises(InvalidInput):
            await users.add_note(UserId(10000002), "x" * 5000)
        rows = await audit.query(AuditFilter(target="user:10000002"))
        assert [r.kind for r in rows] == ["phone_reveal", "note_add"]
        assert rows[0].actor == "test-support" and rows[0].reason == "来电核实"
    finally:
        await users.aclose()


async def test_role_checks_in_the_service_are_audited(known_db: Any, expect_log: list[str]) -> None:
    expect_log.append("refused")
    users = svc(known_db, Role.OPERATOR)
    mod = svc(known_db, Role.MODERATOR)
    try:
        with pytest.raises(PermissionDenied):
            await users.lookup("小明")
        with pytest.raises(PermissionDenied):
            await mod.reveal_phone(UserId(10000001), "curious")
        rows = await AuditService(known_db, operator(Role.ADMIN)).query(AuditFilter(kind="denied"))
        assert {(r.actor, r.reason) for r in rows} == {("test-operator", "lookup_users"),
                                                       ("test-moderator", "reveal_phone")}
        assert all(r.outcome == "refused" for r in rows)
    finally:
        await users.aclose()
        await mod.aclose()


async def test_search_index_follows_nickname_changes(known_db: Any) -> None:
    users = svc(known_db)
    try:
        async with known_db.begin() as conn:
            await conn.execute(t.users.update().where(t.users.c.id == 10000002).values(nickname="新名字ABC"))
        assert await ids(users, "王者小") == []
        assert await ids(users, "名字ab") == [10000002]
        assert await ids(users, "新名") == [10000002]
    finally:
        await users.aclose()


async def test_eight_digits_show_the_id_hit_first_then_phone_prefixes(known_db: Any) -> None:
    users = svc(known_db)
    try:
        assert await ids(users, "10000002") == [10000002]  # no phone starts with 10000002
        async with known_db.begin() as conn:
            await conn.execute(t.users.update().where(t.users.c.id == 10000003).values(phone="10000002777"))
        assert await ids(users, "10000002") == [10000002, 10000003]
    finally:
        await users.aclose()
