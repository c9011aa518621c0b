"""Mail: alerts and the daily digest through the sandbox's SMTP server (aiosmtpd on 127.0.0.1), on SQLite and
PostgreSQL: figures against seeded rows, alerts sent once, sign-in and recipient refusals, an unreachable server,
escaped HTML, the last digest."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa

from console.credentials import MemoryStore, Secret
from console.db import tables as t
from console.db import tables_chat as tc
from console.db import tables_sms as ts
from console.errors import InvalidInput, MissingCredentials
from console.sandbox.smtp import SandboxSmtp
from console.services.mail import (
    MailConfig,
    MailDeferred,
    Mailer,
    MailRecipientsRefused,
    MailSignInRefused,
    MailUnreachable,
    last_digest,
    send_alerts,
    send_digest,
)
from console.services.mail_queries import CHINA, china_day_bounds
from console.settings import load_settings
from tests.conftest import insert_known_users

pytestmark = pytest.mark.asyncio(loop_scope="session")

DAY = date(2025, 6, 1)
START, _END = china_day_bounds(DAY)          # 2025-05-31 16:00 UTC
NOON = START + timedelta(hours=12)           # 12:00 China time
ACTOR = "test-worker"


@pytest_asyncio.fixture(loop_scope="session")
async def smtp(tmp_path: Path) -> AsyncIterator[SandboxSmtp]:
    server = SandboxSmtp(folder=tmp_path / "mail")
    await server.start()
    yield server
    await server.stop()


def mailer_for(smtp: SandboxSmtp, *, password: str | None = None, **over: Any) -> Mailer:
    s = smtp.settings()
    cfg = dict(host=s["mail.smtp_host"], port=s["mail.smtp_port"], security="plain", account=smtp.account,
               sender=smtp.account, on_call=("oncall@example.cn",), digest_to=("leads@example.cn",),
               alert_room_min=10, alert_approval_min=30)
    cfg.update(over)
    return Mailer(MailConfig(**cfg), Secret(password if password is not None else smtp.password))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed_day(engine: Any) -> None:
    """Known rows of DAY (China time), and a few just outside it that must not count."""
    await insert_known_users(engine)  # room 1 (live, owner 10000001) and one gag a day before NOW
    async with engine.begin() as conn:
        await conn.execute(t.users.insert().values(id=10000099, phone="13700000000", nickname="<img src=x>",
                                                   registered_at=NOON, channel="appstore", status="active"))
        await conn.execute(t.rooms.insert(), [
            dict(id=2, owner_id=10000099, title="<b>夜聊</b>", category="聊天", stream_name="room_2", state="live",
                 created_at=NOON, updated_at=NOON),
            dict(id=3, owner_id=10000002, title="王者", category="游戏", stream_name="room_3", state="offline",
                 created_at=NOON, updated_at=NOON)])
        s = [  # (issued_by, kind, reason, at)
            ("demo-mod", "cut", "涉黄", NOON), ("demo-mod", "cut", "涉黄", NOON + timedelta(hours=1)),
            ("demo-mod", "gag", "刷屏", NOON), ("alice", "gag", "刷屏", NOON), ("alice", "gag", "辱骂", NOON),
            ("alice", "block", "广告", NOON), ("alice", "ban", "诈骗", NOON),
            ("demo-mod", "cut", "涉黄", START - timedelta(seconds=1)),          # the day before
            ("demo-mod", "cut", "涉黄", START + timedelta(days=1)),             # the day after
        ]
        await conn.execute(t.sanctions.insert(), [
            dict(user_id=10000001, room_id=3, kind=k, scope="room", reason=r, issued_by=who, starts_at=at)
            for who, k, r, at in s])
        msgs = []
        for i, (room, sensitive, at) in enumerate(
                [("2", 1, NOON)] * 5 + [("2", 0, NOON)] * 3 + [("1", 2, NOON)] * 2 + [("3", 1, NOON)]
                + [("2", 1, START - timedelta(minutes=1))]):
            msgs.append(dict(msg_uid=f"m{i}", from_user_id=f"u{i % 3}", to_user_id=room, object_name="RC:TxtMsg",
                             content="x", channel_type="TEMPGROUP", msg_timestamp=int(at.timestamp() * 1000),
                             sensitive_type=sensitive, received_at=at))
        await conn.execute(t.chat_messages.insert(), msgs)
        await conn.execute(t.pushes.insert(), [
            dict(id=1, cid="c1", title="t", body="b", audience={"all": True}, created_by="op", state="sent",
                 created_at=NOON, sent_at=NOON),
            dict(id=2, cid="c2", title="t", body="b", audience={"all": True}, created_by="op", state="failed",
                 created_at=NOON, sent_at=None)])
        await conn.execute(t.push_recipients.insert(), [
            dict(push_id=1, user_id=10000001, platform="android", status="delivered", received_at=NOON,
                 clicked_at=NOON),
            dict(push_id=1, user_id=10000002, platform="ios", status="delivered", received_at=NOON,
                 clicked_at=None),
            dict(push_id=1, user_id=10000003, platform="ios", status="sent", received_at=None, clicked_at=None)])
        await conn.execute(t.sms_messages.insert(), [
            dict(user_id=10000001, phone="13812341234", template_code="SMS_1", purpose=p, out_id=f"o{i}",
                 status=st, sent_at=at) for i, (p, st, at) in enumerate([
                     ("campaign", "delivered", NOON), ("campaign", "delivered", NOON), ("campaign", "failed", NOON),
                     ("code", "sent", NOON), ("code", "delivered", START - timedelta(hours=1))])])


async def test_digest_figures_match_the_rows_and_the_html_escapes_user_text(engine: Any, smtp: SandboxSmtp) -> None:
    await seed_day(engine)
    result = await send_digest(engine, mailer_for(smtp), DAY, actor=ACTOR)
    assert result is not None
    f = result.figures
    assert sorted(f.sanction_totals) == [("ban", 1), ("block", 1), ("cut", 2), ("gag", 3)]
    assert ("demo-mod", "cut", "涉黄", 2) in f.sanctions and ("alice", "gag", "刷屏", 1) in f.sanctions
    assert sum(n for *_, n in f.sanctions) == 7
    assert [(r[0], r[1], r[4], r[5]) for r in f.flagged_rooms] == [("2", 2, 5, 3), ("1", 1, 2, 2), ("3", 3, 1, 1)]
    assert f.flagged_rooms[0][3] == "<img src=x>"
    assert sorted(f.pushes) == [("failed", 1), ("sent", 1)]
    assert sorted(f.push_delivery) == [("delivered", 2, 2, 1), ("sent", 1, 0, 0)]
    assert sorted(f.sms) == [("campaign", "delivered", 2), ("campaign", "failed", 1), ("code", "sent", 1)]
    mail = smtp.last("每日审核摘要")
    assert mail is not None and mail.rcpt_tos == ("leads@example.cn",)
    assert mail.path is not None and mail.path.suffix == ".eml" and mail.path.exists()
    page = mail.part("html")
    assert "<img" not in page and "&lt;img src=x&gt;" in page and "&lt;b&gt;夜聊&lt;/b&gt;" in page
    assert "<img src=x>" in mail.part("plain")
    # once a day; the console opens the last one
    assert await send_digest(engine, mailer_for(smtp), DAY, actor=ACTOR) is None
    assert len(smtp.messages) == 1
    stored = await last_digest(engine)
    assert stored is not None and stored.day == "2025-06-01" and stored.text == result.text
    assert stored.to == ("leads@example.cn",) and "<img src=x>" in stored.text


async def test_last_digest_is_none_before_any(engine: Any) -> None:
    assert await last_digest(engine) is None


async def seed_alerts(engine: Any, now: datetime) -> None:
    await insert_known_users(engine)
    async with engine.begin() as conn:
        old, fresh = now - timedelta(minutes=15), now - timedelta(minutes=2)
        await conn.execute(t.chat_messages.insert(), [
            dict(msg_uid=f"a{i}", from_user_id="u1", to_user_id="1", object_name="RC:TxtMsg", content="x",
                 channel_type="TEMPGROUP", msg_timestamp=int(at.timestamp() * 1000), sensitive_type=1, received_at=at)
            for i, at in enumerate([old, fresh])])
        await conn.execute(t.action_outbox.insert(), [
            dict(idempotency_key=f"k{i}", kind="cut", target="room:1", payload={}, requested_by="demo-mod",
                 role="moderator", state=st, attempts=3, last_error="kls: 500", created_at=now, updated_at=now)
            for i, st in enumerate(["failed", "refused", "done", "pending"])])
        await conn.execute(ts.approvals.insert(), [
            dict(kind="sms", subject_id="1", summary="短信活动 #1 <script>", requested_by="op", state="pending",
                 requested_at=now - timedelta(minutes=45)),
            dict(kind="sms", subject_id="2", summary="新", requested_by="op", state="pending",
                 requested_at=now - timedelta(minutes=5)),
            dict(kind="push", subject_id="3", summary="旧但已批", requested_by="op", state="approved",
                 requested_at=now - timedelta(hours=5))])


async def test_alerts_are_sent_once_and_a_room_action_ends_the_room_alert(engine: Any, smtp: SandboxSmtp) -> None:
    now = datetime.now(UTC)
    await seed_alerts(engine, now)
    mailer = mailer_for(smtp)
    report = await send_alerts(engine, mailer, actor=ACTOR, now=now)
    assert sorted(k.split(":")[0] for k in report.sent) == ["action", "action", "approval", "room"]
    assert len(smtp.messages) == 1 and smtp.messages[0].rcpt_tos == ("oncall@example.cn",)
    assert "<script>" not in smtp.messages[0].part("html")
    again = await send_alerts(engine, mailer, actor=ACTOR, now=now + timedelta(minutes=1))
    assert again.sent == () and len(smtp.messages) == 1
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(t.audit_log.c.target, t.audit_log.c.outcome).where(
            t.audit_log.c.kind == "mail_alert"))).all()
    assert len(rows) == 4 and all(r.outcome == "ok" and r.target.startswith("alert:") for r in rows)
    # a moderator recalls a message in room 1; a new flag 11 minutes later is a new episode
    async with engine.begin() as conn:
        await conn.execute(tc.chat_recalls.insert().values(msg_uid="a0", room_key="1", recalled_by="demo-mod",
                                                           recalled_at=now))
        later = now + timedelta(minutes=1)
        await conn.execute(t.chat_messages.insert().values(
            msg_uid="a9", from_user_id="u2", to_user_id="1", object_name="RC:TxtMsg", content="x",
            channel_type="TEMPGROUP", msg_timestamp=int(later.timestamp() * 1000), sensitive_type=1,
            received_at=later))
    assert (await send_alerts(engine, mailer, actor=ACTOR, now=now + timedelta(minutes=5))).sent == ()
    third = await send_alerts(engine, mailer, actor=ACTOR, now=now + timedelta(minutes=12))
    assert len(third.sent) == 1 and third.sent[0].startswith("room:1:m")


async def test_a_refused_sign_in_keeps_the_alerts_for_the_next_run(engine: Any, smtp: SandboxSmtp,
                                                                     expect_log: list[str]) -> None:
    expect_log.append("not sent, kept for the next run")
    now = datetime.now(UTC)
    await seed_alerts(engine, now)
    with pytest.raises(MailSignInRefused) as e:
        await send_alerts(engine, mailer_for(smtp, password="wrong"), actor=ACTOR, now=now)
    assert not e.value.retryable and "refused the sign-in" in e.value.user_message()
    assert "python -m console.credentials set smtp" in str(e.value) and smtp.messages == []
    assert smtp.refused_sign_ins >= 1
    report = await send_alerts(engine, mailer_for(smtp), actor=ACTOR, now=now + timedelta(minutes=1))
    assert len(report.sent) == 4 and len(smtp.messages) == 1


async def test_refused_recipients(engine: Any, smtp: SandboxSmtp, expect_log: list[str]) -> None:
    expect_log.extend(["alerts sent, but", "not sent, kept for the next run"])
    now = datetime.now(UTC)
    await seed_alerts(engine, now)
    smtp.refuse.add("gone@example.cn")
    only_gone = mailer_for(smtp, on_call=("gone@example.cn",))
    with pytest.raises(MailRecipientsRefused) as e:
        await send_alerts(engine, only_gone, actor=ACTOR, now=now)
    assert not e.value.partial and "gone@example.cn" in str(e.value) and "550" in str(e.value)
    both = mailer_for(smtp, on_call=("oncall@example.cn", "gone@example.cn"))
    report = await send_alerts(engine, both, actor=ACTOR, now=now)
    assert len(report.sent) == 4 and set(report.refused) == {"gone@example.cn"}
    assert report.error is not None and report.error.partial and "1 of 2" in str(report.error)
    assert smtp.messages[-1].rcpt_tos == ("oncall@example.cn",)
    async with engine.connect() as conn:
        outcomes = set((await conn.execute(sa.select(t.audit_log.c.outcome).where(
            t.audit_log.c.kind == "mail_alert"))).scalars())
    assert outcomes == {"partial"}


async def test_unreachable_and_deferred_are_retryable(engine: Any, smtp: SandboxSmtp, expect_log: list[str]) -> None:
    expect_log.append("not sent, kept for the next run")
    now = datetime.now(UTC)
    await seed_alerts(engine, now)
    with pytest.raises(MailUnreachable) as e:
        await send_alerts(engine, mailer_for(smtp, port=closed_port()), actor=ACTOR, now=now)
    assert e.value.retryable and "cannot reach" in str(e.value) and "mail.smtp_port" in str(e.value)
    smtp.defer_next = True
    with pytest.raises(MailDeferred) as d:
        await send_alerts(engine, mailer_for(smtp), actor=ACTOR, now=now)
    assert d.value.retryable and "451" in str(d.value)
    assert len((await send_alerts(engine, mailer_for(smtp), actor=ACTOR, now=now)).sent) == 4


async def test_settings_and_keyring(smtp: SandboxSmtp) -> None:
    s = load_settings(cli={k: (",".join(v) if isinstance(v, tuple) else v) for k, v in smtp.settings().items()},
                      env={})
    assert Mailer.from_settings(load_settings(env={}), MemoryStore()) is None  # mail off
    with pytest.raises(MissingCredentials):
        Mailer.from_settings(s, MemoryStore())
    store = MemoryStore()
    store.set("smtp", smtp.account, smtp.password)
    mailer = Mailer.from_settings(s, store)
    assert mailer is not None and mailer.config.on_call == ("oncall@sandbox.shihou.local",)
    assert "signed in" in await mailer.check()
    with pytest.raises(InvalidInput, match="plain"):
        Mailer.from_settings(s.replace(mail__smtp_host="smtp.example.cn"), store)
    tls = s.replace(mail__smtp_host="smtp.example.cn", mail__security="tls", mail__smtp_port=0)
    m2 = Mailer.from_settings(tls, store)
    assert m2 is not None and m2.config.port == 465


async def test_china_day_bounds() -> None:
    start, end = china_day_bounds(DAY)
    assert start == datetime(2025, 5, 31, 16, 0, tzinfo=UTC) and end - start == timedelta(days=1)
    assert start.astimezone(CHINA).hour == 0


@pytest.mark.gui
async def test_digest_viewer_shows_plain_text(engine: Any, smtp: SandboxSmtp, qtbot: Any) -> None:
    import asyncio

    from console.views.digest import DigestDialog

    async def until(cond: Any) -> None:
        async with asyncio.timeout(10):
            while not cond():
                await asyncio.sleep(0.02)

    empty = DigestDialog(lambda: last_digest(engine))
    qtbot.addWidget(empty)
    await until(lambda: "还没有" in empty.header.text())
    await seed_day(engine)
    await send_digest(engine, mailer_for(smtp), DAY, actor=ACTOR)
    dlg = DigestDialog(lambda: last_digest(engine))
    qtbot.addWidget(dlg)
    await until(lambda: "每日审核摘要" in dlg.header.text())
    assert dlg.text.isReadOnly() and "<img src=x>" in dlg.text.toPlainText()
    assert "leads@example.cn" in dlg.header.text()
