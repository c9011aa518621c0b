"""Looking users up, and everything support staff see about one user.

Search routing (database-facts.md §3): an id is an exact match; digits are a phone prefix
(ordered by phone on one b-tree); a nickname of 1 character is a prefix search, of 2
characters an equality on the bigram side tables, of 3 or more a trigram search (FTS5 on
SQLite, pg_trgm on PostgreSQL). Past nicknames are searched the same way and merged.

Lookups read through :class:`~console.services.reader.Reader` (raw driver, one connection);
the card and writes use SQLAlchemy Core.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from console.db import tables as t
from console.domain import (
    AltAccount,
    ChatLine,
    Device,
    LookupPage,
    PastNickname,
    Permission,
    PushReceipt,
    RoomBrief,
    RoomId,
    Sanction,
    SearchKind,
    SmsRecord,
    SupportNote,
    UserCard,
    UserId,
    UserSummary,
)
from console.errors import InvalidInput, NotFound
from console.services.audit import AuditService
from console.services.events import publish
from console.services.reader import Reader

log = logging.getLogger(__name__)

MAX_QUERY_LEN = 64
MAX_NOTE_LEN = 4000
MAX_PAGE = 500
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_USER_ID_RE = re.compile(r"^#?(\d{1,40})$")


#: Lists read the masked phone the database computes (``phone_masked``): a role without REVEAL_PHONE may
#: not read ``phone`` on PostgreSQL, and only those with it search by phone (a prefix search reveals numbers).
PHONE_OR_ID_SQL = (
    "SELECT id, phone_masked, nickname, registered_at FROM users WHERE id = ? UNION ALL "
    "SELECT * FROM (SELECT id, phone_masked, nickname, registered_at FROM users WHERE phone >= ? AND phone < ? "
    "ORDER BY phone LIMIT ? OFFSET ?) AS p")


def ascii_lower(s: str) -> str:
    """Lower-case ASCII letters only, as SQLite's lower() and PostgreSQL's on a "C" column do."""
    return s.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def next_string(s: str) -> str | None:
    """The smallest string greater than every string starting with ``s`` (code point order)."""
    while s:
        c = ord(s[-1]) + 1
        if 0xD800 <= c <= 0xDFFF:
            c = 0xE000
        if c <= 0x10FFFF:
            return s[:-1] + chr(c)
        s = s[:-1]
    return None


def like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fts_phrase(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def normalize_query(raw: str) -> str:
    q = unicodedata.normalize("NFC", raw).strip()
    q = "".join(ch for ch in q if unicodedata.category(ch) != "Cc")
    if not q:
        raise InvalidInput("query", "empty")
    if len(q) > MAX_QUERY_LEN:
        raise InvalidInput("query", f"too long: at most {MAX_QUERY_LEN} characters")
    return q


def classify(q: str, kind: SearchKind) -> tuple[SearchKind, str]:
    """Decide what an input means; returns the kind and the normalized term."""
    if kind is SearchKind.ID:
        m = _USER_ID_RE.match(q)
        if not m:
            raise InvalidInput("query", "a user id is digits only")
        return kind, m.group(1)
    if kind is SearchKind.PHONE or kind is SearchKind.AUTO:
        p = _PHONE_SEPARATORS.sub("", q)
        if p.startswith("+86"):
            p = p[3:]
        elif p.startswith("0086"):
            p = p[4:]
        if p.isascii() and p.isdigit():
            return SearchKind.PHONE, p
        if kind is SearchKind.PHONE:
            raise InvalidInput("query", "a phone number is digits only")
        if q.startswith("#") and _USER_ID_RE.match(q):
            return SearchKind.ID, q[1:]
    return SearchKind.NICKNAME, q


class UserService:
    """Read side of users for support staff, plus the two writes they make (notes, reveals).

    Usage::

        page = await users.lookup("小明")
        card = await users.card(page.rows[0].id)
    """

    def __init__(self, engine: AsyncEngine, audit: AuditService, *, reader: Reader | None = None) -> None:
        self._engine = engine
        self._audit = audit
        self._reader = reader or Reader(engine)
        self._pg = engine.dialect.name == "postgresql"

    async def aclose(self) -> None:
        await self._reader.aclose()

    # --- lookup -------------------------------------------------------------------------

    async def lookup(self, raw: str, kind: SearchKind = SearchKind.AUTO, *, include_past: bool = True,
                     offset: int = 0, limit: int = 100) -> LookupPage:
        """Search users; ``has_more`` tells whether another page exists (LIMIT n+1, no count)."""
        await self._audit.require(Permission.LOOKUP_USERS, "users")
        q = normalize_query(raw)
        kind, term = classify(q, kind)
        if kind is SearchKind.PHONE and not self._audit.operator.can(Permission.REVEAL_PHONE):
            if len(term) > 19:
                raise InvalidInput("query", "searching by phone number needs the reveal-phone permission")
            kind = SearchKind.ID  # digits are a user id for a role that may not search phones
        limit = max(1, min(limit, MAX_PAGE))
        offset = max(0, offset)
        t0 = time.perf_counter()
        n = limit + 1
        if kind is SearchKind.ID:
            rows = await self._by_id(int(term)) if offset == 0 else []
        elif kind is SearchKind.PHONE:
            if offset == 0 and 7 <= len(term) <= 10 and term[0] == "1":
                # 8-digit user ids look like phone prefixes: the exact id hit first, in the same statement.
                rows = await self._reader.fetch(PHONE_OR_ID_SQL, (int(term), term, term + ":", n, offset))
                hit = [r for r in rows[:1] if r[0] == int(term)]
                rows = hit + [r for r in rows[len(hit):] if not hit or r[0] != hit[0][0]]
            else:
                rows = await self._by_phone(term, n, offset)
        else:
            rows = await self._by_nickname(term, include_past, n, offset)
        has_more = len(rows) > limit
        rows = rows[:limit]
        summaries = await self._summaries(rows, term if kind is SearchKind.NICKNAME else None)
        return LookupPage(query=q, kind=kind, rows=tuple(summaries), has_more=has_more, offset=offset,
                          elapsed_ms=(time.perf_counter() - t0) * 1000)

    async def _by_id(self, uid: int) -> list[tuple[Any, ...]]:
        if uid > 2**63 - 1:
            return []
        return await self._reader.fetch(
            "SELECT id, phone_masked, nickname, registered_at FROM users WHERE id = ?", (uid,))

    async def _by_phone(self, p: str, n: int, offset: int) -> list[tuple[Any, ...]]:
        return await self._reader.fetch(
            "SELECT id, phone_masked, nickname, registered_at FROM users WHERE phone >= ? AND phone < ? "
            "ORDER BY phone LIMIT ? OFFSET ?", (p, p + ":", n, offset))

    async def _by_nickname(self, q: str, include_past: bool, n: int, offset: int) -> list[tuple[Any, ...]]:
        lq = ascii_lower(q)
        cols = "u.id, u.phone_masked, u.nickname, u.registered_at"
        # include-past searches also return the newest past nickname containing the term (one statement)
        find = "strpos" if self._pg else "instr"
        pcols = (f"{cols}, (SELECT h.nickname FROM nickname_history h WHERE h.user_id = u.id "
                 f"AND {find}(lower(h.nickname), ?) > 0 ORDER BY h.changed_at DESC LIMIT 1)")
        if len(q) == 1:
            hi = next_string(lq) or "\U0010ffff"
            cur = ("SELECT id FROM users WHERE lower(nickname) >= ? AND lower(nickname) < ?" if self._pg
                   else "SELECT id FROM users WHERE nickname >= ? AND nickname < ?")
            if not include_past:
                order = "ORDER BY lower(u.nickname), u.id" if self._pg else "ORDER BY u.nickname, u.id"
                where = ("lower(u.nickname) >= ? AND lower(u.nickname) < ?" if self._pg
                         else "u.nickname >= ? AND u.nickname < ?")
                return await self._reader.fetch(
                    f"SELECT {cols} FROM users u WHERE {where} {order} LIMIT ? OFFSET ?", (lq, hi, n, offset))
            past = ("SELECT user_id FROM nickname_history WHERE lower(nickname) >= ? AND lower(nickname) < ?"
                    if self._pg else "SELECT user_id FROM nickname_history WHERE nickname >= ? AND nickname < ?")
            return await self._reader.fetch(
                f"SELECT {pcols} FROM users u WHERE u.id IN ({cur} UNION {past}) "
                "ORDER BY u.id DESC LIMIT ? OFFSET ?", (lq, lq, hi, lq, hi, n, offset))
        if len(q) == 2:
            if include_past:
                sub = ("SELECT user_id FROM nick_bigram WHERE bigram = ? UNION "
                       "SELECT user_id FROM hist_bigram WHERE bigram = ?")
                params: tuple[Any, ...] = (lq, lq)
            else:
                sub = "SELECT user_id FROM nick_bigram WHERE bigram = ?"
                params = (lq,)
            if not include_past:
                return await self._reader.fetch(
                    f"SELECT {cols} FROM nick_bigram b JOIN users u ON u.id = b.user_id WHERE b.bigram = ? "
                    "ORDER BY b.user_id DESC LIMIT ? OFFSET ?", (lq, n, offset))
            return await self._reader.fetch(
                f"SELECT {pcols} FROM users u JOIN ({sub}) m ON m.user_id = u.id "
                "ORDER BY u.id DESC LIMIT ? OFFSET ?", (lq, *params, n, offset))
        if self._pg:
            pat = "%" + like_escape(q) + "%"
            # "id + 0" keeps the GIN bitmap plan under asyncpg's cached generic plans (§3b, 1).
            if not include_past:
                return await self._reader.fetch(
                    f"SELECT {cols} FROM users u WHERE u.nickname ILIKE ? ORDER BY u.id + 0 DESC LIMIT ? OFFSET ?",
                    (pat, n, offset))
            # The newest matching ids first, from both trigram indexes, then their rows (database-facts §2).
            return await self._reader.fetch(
                f"SELECT {pcols} FROM (SELECT id FROM users WHERE nickname ILIKE ? UNION "
                "SELECT user_id FROM nickname_history WHERE nickname ILIKE ? ORDER BY 1 DESC LIMIT ? OFFSET ?) m "
                "JOIN users u ON u.id = m.id ORDER BY u.id DESC", (lq, pat, pat, n, offset))
        phrase = fts_phrase(q)
        if not include_past:
            return await self._reader.fetch(
                f"SELECT {cols} FROM users u WHERE u.id IN "
                "(SELECT rowid FROM users_nick_fts WHERE users_nick_fts MATCH ?) "
                "ORDER BY u.id DESC LIMIT ? OFFSET ?", (phrase, n, offset))
        return await self._reader.fetch(
            f"SELECT {pcols} FROM users u WHERE u.id IN ("
            "SELECT rowid FROM users_nick_fts WHERE users_nick_fts MATCH ? UNION "
            "SELECT h.user_id FROM hist_nick_fts f JOIN nickname_history h ON h.id = f.rowid "
            "WHERE hist_nick_fts MATCH ?) ORDER BY u.id DESC LIMIT ? OFFSET ?", (lq, phrase, phrase, n, offset))

    async def _summaries(self, rows: list[tuple[Any, ...]], term: str | None) -> list[UserSummary]:
        """Rows of include-past searches carry a 5th column: the newest past nickname containing the term."""
        past: dict[int, str] = {}
        if term is not None:
            lt = ascii_lower(term)
            for r in rows:
                if len(r) > 4 and r[4] is not None and lt not in ascii_lower(str(r[2])):
                    past[int(r[0])] = str(r[4])
        return [
            UserSummary(id=UserId(int(r[0])), nickname=str(r[2]), phone_masked=str(r[1]),
                        registered_at=_as_utc(r[3]), matched_past_nickname=past.get(int(r[0])))
            for r in rows
        ]

    # --- the card -----------------------------------------------------------------------

    async def card(self, user_id: UserId, *, recent: int = 50) -> UserCard:
        """Everything about one user, read in one transaction."""
        await self._audit.require(Permission.LOOKUP_USERS, f"user:{user_id}")
        async with self._engine.connect() as conn:
            u = (await conn.execute(sa.select(*(c for c in t.users.c if c.name != "phone"))
                                    .where(t.users.c.id == user_id))).first()
            if u is None:
                raise NotFound(f"No user with id {user_id}")
            hist = (await conn.execute(
                sa.select(t.nickname_history.c.nickname, t.nickname_history.c.changed_at)
                .where(t.nickname_history.c.user_id == user_id).order_by(t.nickname_history.c.changed_at.desc())
            )).all()
            devs = (await conn.execute(
                sa.select(t.devices).where(t.devices.c.user_id == user_id).order_by(t.devices.c.last_seen.desc())
            )).all()
            d2 = t.devices.alias("d2")
            alts = (await conn.execute(
                sa.select(t.users.c.id, t.users.c.nickname, t.devices.c.device_id)
                .select_from(t.devices.join(d2, d2.c.device_id == t.devices.c.device_id)
                             .join(t.users, t.users.c.id == d2.c.user_id))
                .where(t.devices.c.user_id == user_id, d2.c.user_id != user_id)
                .order_by(t.users.c.id).limit(50)
            )).all()
            rooms = (await conn.execute(
                sa.select(t.rooms).where(t.rooms.c.owner_id == user_id).order_by(t.rooms.c.id)
            )).all()
            sanc = (await conn.execute(
                sa.select(t.sanctions).where(t.sanctions.c.user_id == user_id).order_by(t.sanctions.c.starts_at.desc())
            )).all()
            chat = (await conn.execute(
                sa.select(t.chat_messages.c.to_user_id, t.chat_messages.c.content, t.chat_messages.c.msg_timestamp)
                .where(t.chat_messages.c.from_user_id == str(user_id))
                .order_by(t.chat_messages.c.msg_timestamp.desc()).limit(recent)
            )).all()
            pushes = (await conn.execute(
                sa.select(t.pushes.c.title, t.pushes.c.body, t.pushes.c.sent_at, t.push_recipients.c.platform,
                          t.push_recipients.c.status, t.push_recipients.c.received_at)
                .select_from(t.push_recipients.join(t.pushes, t.pushes.c.id == t.push_recipients.c.push_id))
                .where(t.push_recipients.c.user_id == user_id)
                .order_by(t.pushes.c.id.desc()).limit(recent)
            )).all()
            sms = (await conn.execute(
                sa.select(t.sms_messages.c.template_code, t.sms_messages.c.purpose, t.sms_messages.c.sent_at,
                          t.sms_messages.c.status).where(t.sms_messages.c.user_id == user_id)
                .order_by(t.sms_messages.c.sent_at.desc()).limit(recent)
            )).all()
            notes = await self._notes(conn, user_id)
        return UserCard(
            id=UserId(u.id), nickname=u.nickname, phone_masked=u.phone_masked, registered_at=u.registered_at,
            channel=u.channel, status=u.status,
            past_nicknames=tuple(PastNickname(nickname=h.nickname, changed_at=h.changed_at) for h in hist),
            devices=tuple(Device(device_id=d.device_id, platform=d.platform, model=d.model,
                                 first_seen=d.first_seen, last_seen=d.last_seen) for d in devs),
            alt_accounts=tuple(AltAccount(id=UserId(a.id), nickname=a.nickname, shared_device=a.device_id)
                               for a in alts),
            rooms=tuple(RoomBrief(id=RoomId(r.id), title=r.title, category=r.category,
                                  stream_name=r.stream_name, state=r.state) for r in rooms),
            sanctions=tuple(Sanction(id=s.id, kind=s.kind, scope=s.scope if s.room_id is None else f"room:{s.room_id}",
                                     reason=s.reason, issued_by=s.issued_by, starts_at=s.starts_at, ends_at=s.ends_at,
                                     lifted_by=s.lifted_by, lifted_at=s.lifted_at) for s in sanc),
            chat=tuple(ChatLine(room_id=_room_id(c.to_user_id), content=c.content,
                                sent_at=datetime.fromtimestamp(c.msg_timestamp / 1000, UTC)) for c in chat),
            pushes=tuple(PushReceipt(title=p.title, body=p.body, sent_at=p.received_at or p.sent_at or _EPOCH,
                                     platform=p.platform, status=p.status) for p in pushes),
            sms=tuple(SmsRecord(template=s.template_code, purpose=s.purpose, sent_at=s.sent_at, status=s.status)
                      for s in sms),
            notes=notes,
        )

    async def _notes(self, conn: Any, user_id: UserId) -> tuple[SupportNote, ...]:
        rows = (await conn.execute(
            sa.select(t.support_notes).where(t.support_notes.c.user_id == user_id)
            .order_by(t.support_notes.c.created_at.desc(), t.support_notes.c.id.desc())
        )).all()
        return tuple(SupportNote(id=n.id, author=n.author, body=n.body, created_at=n.created_at) for n in rows)

    async def notes(self, user_id: UserId) -> tuple[SupportNote, ...]:
        await self._audit.require(Permission.LOOKUP_USERS, f"user:{user_id}")
        async with self._engine.connect() as conn:
            return await self._notes(conn, user_id)

    # --- writes -------------------------------------------------------------------------

    async def reveal_phone(self, user_id: UserId, reason: str) -> str:
        """The full phone number; the reveal is audited with its reason."""
        target = f"user:{user_id}"
        await self._audit.require(Permission.REVEAL_PHONE, target)
        reason = reason.strip()
        if not reason:
            raise InvalidInput("reason", "a reason is required to reveal a phone number")
        async with self._engine.begin() as conn:
            phone = (await conn.execute(sa.select(t.users.c.phone).where(t.users.c.id == user_id))).scalar()
            if phone is None:
                raise NotFound(f"No user with id {user_id}")
            await self._audit.record("phone_reveal", target, reason=reason[:500], conn=conn)
        return str(phone)

    async def add_note(self, user_id: UserId, body: str) -> SupportNote:
        target = f"user:{user_id}"
        await self._audit.require(Permission.ADD_NOTE, target)
        body = body.strip()
        if not body:
            raise InvalidInput("note", "empty")
        if len(body) > MAX_NOTE_LEN:
            raise InvalidInput("note", f"too long: at most {MAX_NOTE_LEN} characters")
        now = datetime.now(UTC)
        author = self._audit.operator.username
        async with self._engine.begin() as conn:
            exists = (await conn.execute(sa.select(t.users.c.id).where(t.users.c.id == user_id))).scalar()
            if exists is None:
                raise NotFound(f"No user with id {user_id}")
            res = await conn.execute(
                t.support_notes.insert().values(user_id=user_id, author=author, body=body, created_at=now)
                .returning(t.support_notes.c.id))
            note_id = res.scalar_one()
            await self._audit.record("note_add", target, reason=body[:200], after={"note_id": note_id, "body": body},
                                     conn=conn)
            await publish(conn, "note", str(user_id))
        return SupportNote(id=note_id, author=author, body=body, created_at=now)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _as_utc(v: Any) -> datetime:
    if isinstance(v, datetime):
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
    return datetime.fromisoformat(str(v)).replace(tzinfo=UTC)


def _room_id(s: str) -> RoomId | None:
    return RoomId(int(s)) if s.isdigit() else None


async def showcase_user(engine: AsyncEngine) -> UserId | None:
    """A user with a rich story (sanctions, past nicknames), for demos and screenshots."""
    async with engine.connect() as conn:
        uid = (await conn.execute(
            sa.select(t.sanctions.c.user_id)
            .where(t.sanctions.c.user_id.in_(sa.select(t.nickname_history.c.user_id)))
            .where(t.sanctions.c.user_id.in_(sa.select(t.support_notes.c.user_id)))
            .group_by(t.sanctions.c.user_id).order_by(sa.func.count().desc(), t.sanctions.c.user_id).limit(1)
        )).scalar()
        if uid is None:
            uid = (await conn.execute(sa.select(t.users.c.id).order_by(t.users.c.id).limit(1))).scalar()
    return UserId(int(uid)) if uid is not None else None
