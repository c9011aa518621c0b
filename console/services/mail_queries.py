"""The SQL behind mail (:mod:`console.services.mail`): due alerts and the daily digest's figures. No Qt.

Every figure is an aggregate computed by the database (``GROUP BY``, ``count``, ``min``); Python only
receives the grouped rows (bounded by ``LIMIT``), never the rows being counted.

Alert rules (each alert has a key; an alert is due until an audit row ``kind='mail_alert'``,
``target='alert:<key>'`` records that it was mailed):

* ``room:<room id>:m<message id>``: a **live** room (``rooms.state = 'live'``) whose chat has flagged
  messages (``chat_messages.sensitive_type <> 0``, RongCloud's verdict; the console's own flags are not
  stored) received after the room's last moderation action, the first of them more than
  ``mail.alert_room_min`` minutes ago. A moderation action in the room is any of: a ``sanctions`` row of
  the room (a cut, a room gag or block: ``sanctions.room_id``), a recalled message (``chat_recalls``), the
  room muted (``chat_rooms.muted_at``). The message id is the first unhandled flagged message, so an action
  ends the episode and later flags start a new alert. Only messages of the last ``lookback`` are read
  (``ix_chat_to``). The room monitor's health alerts (viewer spike, bitrate drop…) are computed in each
  console from the providers and are not stored, so they cannot be mailed from the database.
* ``action:<outbox id>``: an action that failed for good (``action_outbox.state`` ``failed`` or
  ``refused``), changed within the ``lookback``.
* ``approval:<approval id>``: an approval still ``pending`` after ``mail.alert_approval_min`` minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from console.db import tables as t
from console.db import tables_chat as tc
from console.db import tables_sms as ts

__all__ = ["ALERT_KIND", "CHINA", "DIGEST_KIND", "SANCTION_KINDS", "DigestFigures", "DueAlert", "china_day_bounds",
           "digest_figures", "due_alerts"]

#: China Standard Time (no daylight saving): the digest's day.
CHINA = timezone(timedelta(hours=8), "CST")
#: audit_log.kind of a mailed alert (target ``alert:<key>``) and of a mailed digest (target ``digest:<day>``).
ALERT_KIND = "mail_alert"
DIGEST_KIND = "mail_digest"
#: sanctions.kind counted by the digest (``ban`` is the app-wide block).
SANCTION_KINDS = ("cut", "gag", "block", "ban")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DueAlert:
    """One alert to mail. ``fields`` are (label, value) pairs for the mail; values may hold user text."""

    key: str
    kind: str  # room | action | approval
    since: datetime
    title: str
    fields: tuple[tuple[str, str], ...]


def _sent_guard(prefix: str, id_col: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    a = t.audit_log
    return ~sa.exists().where(a.c.kind == ALERT_KIND,
                              a.c.target == sa.literal(f"alert:{prefix}:") + sa.cast(id_col, sa.String))


def _latest(dialect: str, *cols: sa.ColumnElement[datetime]) -> sa.ColumnElement[datetime]:
    """The latest of several non-NULL times (``greatest`` on PostgreSQL, the scalar ``max`` on SQLite)."""
    return sa.func.greatest(*cols) if dialect == "postgresql" else sa.func.max(*cols)


async def _room_alerts(conn: AsyncConnection, now: datetime, room_min: int, lookback: timedelta) -> list[DueAlert]:
    r, s, m, u = t.rooms, t.sanctions, t.chat_messages, t.users
    rk = sa.cast(r.c.id, sa.String)
    epoch = sa.literal(_EPOCH, t.UTCDateTime())
    last_sanction = sa.select(sa.func.max(s.c.starts_at)).where(s.c.room_id == r.c.id).scalar_subquery()
    last_recall = sa.select(sa.func.max(tc.chat_recalls.c.recalled_at)).where(
        tc.chat_recalls.c.room_key == rk).scalar_subquery()
    last_mute = sa.select(sa.func.max(tc.chat_rooms.c.muted_at)).where(tc.chat_rooms.c.room_key == rk).scalar_subquery()
    live = sa.select(r.c.id, r.c.title, r.c.owner_id, _latest(
        conn.dialect.name, sa.func.coalesce(last_sanction, epoch), sa.func.coalesce(last_recall, epoch),
        sa.func.coalesce(last_mute, epoch)).label("handled_at")).where(r.c.state == "live").subquery("live")
    since_ms = int((now - lookback).timestamp() * 1000)
    first_at = sa.func.min(m.c.received_at)
    q = (sa.select(live.c.id, live.c.title, u.c.nickname, sa.func.count().label("flagged"),
                   sa.func.min(m.c.id).label("first_id"), first_at.label("first_at"),
                   sa.func.max(m.c.received_at).label("last_at"))
         .select_from(live.join(m, sa.and_(m.c.to_user_id == sa.cast(live.c.id, sa.String),
                                           m.c.msg_timestamp >= since_ms, m.c.sensitive_type != 0,
                                           m.c.received_at > live.c.handled_at))
                      .outerjoin(u, u.c.id == live.c.owner_id))
         .group_by(live.c.id, live.c.title, u.c.nickname)
         .having(first_at <= now - timedelta(minutes=room_min))
         .order_by(live.c.id))
    rows = (await conn.execute(q)).all()
    if not rows:
        return []
    keys = {f"room:{x.id}:m{x.first_id}": x for x in rows}
    a = t.audit_log
    sent = set((await conn.execute(sa.select(a.c.target).where(
        a.c.kind == ALERT_KIND, a.c.target.in_([f"alert:{k}" for k in keys])))).scalars())
    out = []
    for key, x in keys.items():
        if f"alert:{key}" in sent:
            continue
        out.append(DueAlert(key, "room", x.first_at, f"直播间 #{x.id} 「{x.title}」有 {x.flagged} 条违规聊天未处理", (
            ("直播间", f"#{x.id} {x.title}"), ("主播", x.nickname or "-"), ("未处理违规消息", str(x.flagged)),
            ("最早", _cst(x.first_at)), ("最近", _cst(x.last_at)))))
    return out


async def _action_alerts(conn: AsyncConnection, now: datetime, lookback: timedelta, limit: int) -> list[DueAlert]:
    o = t.action_outbox
    rows = (await conn.execute(
        sa.select(o.c.id, o.c.kind, o.c.target, o.c.state, o.c.attempts, o.c.last_error, o.c.requested_by,
                  o.c.updated_at)
        .where(o.c.state.in_(("failed", "refused")), o.c.updated_at >= now - lookback, _sent_guard("action", o.c.id))
        .order_by(o.c.id).limit(limit))).all()
    return [DueAlert(f"action:{x.id}", "action", x.updated_at,
                     f"操作 #{x.id} {x.kind} {x.target} 最终{'失败' if x.state == 'failed' else '被拒绝'}", (
                         ("操作", f"#{x.id} {x.kind}"), ("对象", x.target), ("状态", x.state),
                         ("尝试次数", str(x.attempts)), ("发起人", x.requested_by),
                         ("原因", (x.last_error or "-")[:300]), ("时间", _cst(x.updated_at)))) for x in rows]


async def _approval_alerts(conn: AsyncConnection, now: datetime, approval_min: int, limit: int) -> list[DueAlert]:
    ap = ts.approvals
    rows = (await conn.execute(
        sa.select(ap.c.id, ap.c.kind, ap.c.summary, ap.c.audience_size, ap.c.requested_by, ap.c.requested_at)
        .where(ap.c.state == "pending", ap.c.requested_at <= now - timedelta(minutes=approval_min),
               _sent_guard("approval", ap.c.id))
        .order_by(ap.c.id).limit(limit))).all()
    return [DueAlert(f"approval:{x.id}", "approval", x.requested_at,
                     f"审批 #{x.id} 已等待 {int((now - x.requested_at).total_seconds() // 60)} 分钟", (
                         ("审批", f"#{x.id} {x.kind}"), ("内容", x.summary or "-"), ("人数", str(x.audience_size)),
                         ("申请人", x.requested_by), ("申请时间", _cst(x.requested_at)))) for x in rows]


async def due_alerts(conn: AsyncConnection, now: datetime, *, room_min: int, approval_min: int,
                     lookback: timedelta = timedelta(hours=24), limit: int = 100) -> list[DueAlert]:
    """Every alert due at ``now`` and not mailed yet (rooms, then actions, then approvals; ``limit`` per kind)."""
    return (await _room_alerts(conn, now, room_min, lookback) + await _action_alerts(conn, now, lookback, limit)
            + await _approval_alerts(conn, now, approval_min, limit))


# --- the digest --------------------------------------------------------------------------------------

def china_day_bounds(day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of a China day (UTC+8)."""
    start = datetime.combine(day, time(0), CHINA).astimezone(UTC)
    return start, start + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DigestFigures:
    """The digest's numbers, each list a grouped result.

    Attributes:
        sanctions: (moderator, kind, reason, count), most first within each moderator.
        sanction_totals: (kind, count).
        flagged_rooms: (room key, room id or None, title, streamer nickname, flagged messages, senders).
        pushes: (push state, count) of the pushes created that day.
        push_delivery: (recipient status, recipients, received, clicked) of the pushes sent that day.
        sms: (purpose, status, count) of the SMS sent that day.
        failed_actions: (kind, state, count) of the actions that failed for good that day.
    """

    day: date
    sanctions: list[tuple[str, str, str, int]]
    sanction_totals: list[tuple[str, int]]
    flagged_rooms: list[tuple[str, int | None, str, str, int, int]]
    pushes: list[tuple[str, int]]
    push_delivery: list[tuple[str, int, int, int]]
    sms: list[tuple[str, str, int]]
    failed_actions: list[tuple[str, str, int]]


async def digest_figures(conn: AsyncConnection, day: date, *, top_rooms: int = 10,
                         max_reasons: int = 200) -> DigestFigures:
    """The figures of one China day, all aggregated by the database."""
    start, end = china_day_bounds(day)
    s, m, r, u = t.sanctions, t.chat_messages, t.rooms, t.users
    in_day = sa.and_(s.c.starts_at >= start, s.c.starts_at < end, s.c.kind.in_(SANCTION_KINDS))
    n = sa.func.count().label("n")
    sanctions = (await conn.execute(
        sa.select(s.c.issued_by, s.c.kind, s.c.reason, n).where(in_day).group_by(s.c.issued_by, s.c.kind, s.c.reason)
        .order_by(s.c.issued_by, s.c.kind, n.desc(), s.c.reason).limit(max_reasons))).all()
    totals = (await conn.execute(sa.select(s.c.kind, n).where(in_day).group_by(s.c.kind).order_by(s.c.kind))).all()
    flagged = sa.func.count().label("flagged")
    top = (sa.select(m.c.to_user_id.label("room_key"), flagged,
                     sa.func.count(sa.distinct(m.c.from_user_id)).label("senders"))
           .where(m.c.received_at >= start, m.c.received_at < end, m.c.sensitive_type != 0)
           .group_by(m.c.to_user_id).order_by(flagged.desc(), m.c.to_user_id).limit(top_rooms).subquery("top"))
    rooms = (await conn.execute(
        sa.select(top.c.room_key, r.c.id, r.c.title, u.c.nickname, top.c.flagged, top.c.senders)
        .select_from(top.outerjoin(r, sa.cast(r.c.id, sa.String) == top.c.room_key).outerjoin(u, u.c.id == r.c.owner_id))
        .order_by(top.c.flagged.desc(), top.c.room_key))).all()
    p, pr = t.pushes, t.push_recipients
    pushes = (await conn.execute(sa.select(p.c.state, n).where(p.c.created_at >= start, p.c.created_at < end)
                                 .group_by(p.c.state).order_by(p.c.state))).all()
    delivery = (await conn.execute(
        sa.select(pr.c.status, n, sa.func.count(pr.c.received_at), sa.func.count(pr.c.clicked_at))
        .select_from(pr.join(p, p.c.id == pr.c.push_id)).where(p.c.sent_at >= start, p.c.sent_at < end)
        .group_by(pr.c.status).order_by(pr.c.status))).all()
    sm = t.sms_messages
    sms = (await conn.execute(sa.select(sm.c.purpose, sm.c.status, n).where(sm.c.sent_at >= start, sm.c.sent_at < end)
                              .group_by(sm.c.purpose, sm.c.status).order_by(sm.c.purpose, sm.c.status))).all()
    o = t.action_outbox
    failed = (await conn.execute(
        sa.select(o.c.kind, o.c.state, n).where(o.c.updated_at >= start, o.c.updated_at < end,
                                                 o.c.state.in_(("failed", "refused")))
        .group_by(o.c.kind, o.c.state).order_by(o.c.kind, o.c.state))).all()
    return DigestFigures(
        day=day,
        sanctions=[(x.issued_by, x.kind, x.reason, int(x.n)) for x in sanctions],
        sanction_totals=[(x.kind, int(x.n)) for x in totals],
        flagged_rooms=[(x.room_key, x.id, x.title or "", x.nickname or "", int(x.flagged), int(x.senders))
                       for x in rooms],
        pushes=[(x.state, int(x.n)) for x in pushes],
        push_delivery=[(x[0], int(x[1]), int(x[2]), int(x[3])) for x in delivery],
        sms=[(x.purpose, x.status, int(x.n)) for x in sms],
        failed_actions=[(x.kind, x.state, int(x.n)) for x in failed],
    )


def _cst(at: datetime | None) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if at is not None else "-"
