"""The platform's message-routing endpoint (console/sandbox/chat_routing.py) on SQLite and PostgreSQL:
signed posts stored once per msgUID, forged and unsigned posts refused, odd texts kept, one chat event per
batch, 200 only after the commit (a failed batch answers 500 and RongCloud's retry stores it later)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa

from console.db import migrate
from console.db import tables as t
from console.db.engine import make_engine
from console.sandbox.chat_routing import ChatRouting, message_text, parse_form, routed_row
from console.sandbox.rongcloud import RongCloudEmulator
from console.services.chat.signing import callback_query, sign

SECRET = "routing-test-secret"
ASYNC = pytest.mark.asyncio(loop_scope="session")


def form(uid: str, text: str = "主播666", *, room: str = "1", sender: str = "10000001", **over: str) -> dict[str, str]:
    f = {"fromUserId": sender, "toUserId": room, "objectName": "RC:TxtMsg",
         "content": json.dumps({"content": text, "extra": ""}, ensure_ascii=False), "channelType": "TEMPGROUP",
         "msgTimestamp": str(int(time.time() * 1000)), "msgUID": uid, "sensitiveType": "0", "source": "iOS",
         "clientIp": "10.8.0.7"}
    f.update(over)
    return f


@pytest_asyncio.fixture(loop_scope="session")
async def routing(engine: Any) -> AsyncIterator[ChatRouting]:
    r = ChatRouting(engine, SECRET, flush_ms=10)
    await r.start()
    yield r
    await r.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as c:
        yield c


async def post(http: httpx.AsyncClient, routing: ChatRouting, f: dict[str, str], *,
               query: dict[str, str] | None = None) -> httpx.Response:
    q = callback_query(SECRET) if query is None else query
    return await http.post(routing.url, params=q, content=urlencode(f).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})


async def rows(engine: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(t.chat_messages).order_by(t.chat_messages.c.id))).all())


async def chat_events(engine: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(t.events).where(t.events.c.topic == "chat")
                                        .order_by(t.events.c.id))).all())


# --- pure parts --------------------------------------------------------------------------------

def test_form_parsing_decodes_what_clients_encode() -> None:
    body = urlencode({"content": "a&b+c%d 中文 😀", "x": "1"}).encode()
    assert parse_form(body) == {"content": "a&b+c%d 中文 😀", "x": "1"}
    assert parse_form(b"a=1&a=2&b=%E4%B8%AD+%2B") == {"a": "1", "b": "中 +"}
    assert parse_form(b"bad=%ZZ%E4") == {"bad": "%ZZ\ufffd"}
    assert parse_form(b"eq=a=b%3Dc&pct=100%25&nl=%0A%20+") == {"eq": "a=b=c", "pct": "100%", "nl": "\n  "}


def test_fast_unquote_matches_the_standard_one() -> None:
    import random
    from urllib.parse import quote_plus, unquote_plus

    from console.sandbox.chat_routing import _unquote

    rnd = random.Random(7)
    alphabet = "ab c=+&%\n\r\t\x00中文😀 <>\"'\u202e\u200b=_"
    for _ in range(5000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        q = quote_plus(s)
        assert _unquote(q) == unquote_plus(q) == s
    for raw in ["%ZZ%E4", "a=b", "100%", "%e4%b8%ad", "a+b%2B", "%0A%20%20", "=3D", "%E4%B8"]:
        assert _unquote(raw) == unquote_plus(raw, errors="replace"), raw


def test_text_of_a_text_message_and_raw_content_otherwise() -> None:
    assert message_text("RC:TxtMsg", '{"content":"<b>hi</b>","extra":""}') == "<b>hi</b>"
    assert message_text("RC:ImgMsg", '{"imageUri":"x"}') == '{"imageUri":"x"}'
    assert message_text("RC:TxtMsg", "{not json") == "{not json"


def test_malformed_posts_are_refused_with_the_reason() -> None:
    from console.sandbox.chat_routing import BadPost

    with pytest.raises(BadPost, match="missing msgUID"):
        routed_row({k: v for k, v in form("x").items() if k != "msgUID"})
    with pytest.raises(BadPost, match="msgTimestamp"):
        routed_row(form("x", msgTimestamp="soon"))
    with pytest.raises(BadPost, match="msgUID longer"):
        routed_row(form("x" * 65))
    row = routed_row(form("u1", "a\x00b\ud800c"))
    assert row[4] == "a\u2400b\ufffdc"  # what PostgreSQL text can hold
    raw = routed_row(form("u2\x00", objectName="RC:ImgMsg", content='{"x":"\x00"}'))
    assert (raw[0], raw[4]) == ("u2\u2400", '{"x":"\u2400"}')


# --- over HTTP, both databases ------------------------------------------------------------------

@ASYNC
async def test_signed_post_is_stored_and_announced_once(engine: Any, routing: ChatRouting,
                                                        http: httpx.AsyncClient) -> None:
    r = await post(http, routing, form("CLU2-NFGR-CQ82-O4IS", "你好 <script>alert(1)</script>"))
    assert r.status_code == 200 and r.json() == {"code": 200}
    got = await rows(engine)
    assert [(x.msg_uid, x.content, x.to_user_id, x.from_user_id, x.channel_type, x.source, x.client_ip)
            for x in got] == [("CLU2-NFGR-CQ82-O4IS", "你好 <script>alert(1)</script>", "1", "10000001",
                               "TEMPGROUP", "iOS", "10.8.0.7")]
    ev = await chat_events(engine)
    assert [e.ref for e in ev] == [str(got[0].id)]


@ASYNC
async def test_same_msguid_twice_is_stored_once(engine: Any, routing: ChatRouting, http: httpx.AsyncClient) -> None:
    first = await post(http, routing, form("DUP-1", "第一次"))
    again = await post(http, routing, form("DUP-1", "第二次 (RongCloud's retry)"))
    both = await asyncio.gather(*(post(http, routing, form("DUP-2")) for _ in range(5)))
    assert first.status_code == again.status_code == 200
    assert {b.status_code for b in both} == {200}
    got = await rows(engine)
    assert [(x.msg_uid, x.content) for x in got] == [("DUP-1", "第一次"), ("DUP-2", "主播666")]
    assert routing.stats.stored == 2 and routing.stats.duplicates == 5


@ASYNC
async def test_forged_and_unsigned_posts_are_refused_and_logged(engine: Any, routing: ChatRouting,
                                                                http: httpx.AsyncClient,
                                                                expect_log: list[str]) -> None:
    expect_log.append("refused a post")
    unsigned = await post(http, routing, form("F-1"), query={})
    wrong_secret = await post(http, routing, form("F-2"), query=callback_query("not-the-secret"))
    q = callback_query(SECRET)
    tampered = await post(http, routing, form("F-3"), query={**q, "signTimestamp": str(int(q["signTimestamp"]) + 1)})
    assert [r.status_code for r in (unsigned, wrong_secret, tampered)] == [401, 401, 401]
    assert unsigned.json()["code"] == 1004
    # the older spelling, correctly signed, is accepted (§1.7)
    ts = str(int(time.time()))
    old = await post(http, routing, form("F-4"), query={"rc-nonce": "n1", "rc-timestamp": ts,
                                                         "rc-signature": sign(SECRET, "n1", ts).upper()})
    assert old.status_code == 200
    assert [x.msg_uid for x in await rows(engine)] == ["F-4"]
    assert routing.stats.refused == 3


@ASYNC
async def test_odd_texts_are_kept_exactly(engine: Any, routing: ChatRouting, http: httpx.AsyncClient) -> None:
    big = ("弹幕" * 21846)[: 128 * 1024 // 3]                  # ~128 KB of UTF-8
    texts = {
        "BIG": big,
        "EMOJI": "🎉🐱‍👤👍🏽 🇨🇳 主播加油",
        "CTRL": "a\tb\nc\rd\x07e\x1bf\u200b\u202eg\u2066h",
        "HTML": '<img src=x onerror="alert(1)">&amp;<b>粗</b>',
        "ENC": "a&b=c+d%20e 100%",
    }
    for uid, text in texts.items():
        r = await post(http, routing, form(uid, text))
        assert r.status_code == 200, (uid, r.text)
    got = {x.msg_uid: x.content for x in await rows(engine)}
    assert got == texts
    assert len(texts["BIG"].encode()) > 128 * 1000


@ASYNC
async def test_bad_requests_get_clear_answers(engine: Any, routing: ChatRouting, http: httpx.AsyncClient,
                                              expect_log: list[str]) -> None:
    expect_log.append("malformed post")
    bad = await post(http, routing, {k: v for k, v in form("B-1").items() if k != "toUserId"})
    assert bad.status_code == 400 and "missing toUserId" in bad.json()["errorMessage"]
    wrong_path = await http.post(routing.url + "x", params=callback_query(SECRET), content=b"")
    assert wrong_path.status_code == 404
    get = await http.get(routing.url, params=callback_query(SECRET))
    assert get.status_code == 405
    assert await rows(engine) == []


def raw_request(routing: ChatRouting, f: dict[str, str], q: dict[str, str]) -> bytes:
    path = "/" + routing.url.split("/", 3)[3]
    body = urlencode(f).encode()
    return (f"POST {path}?{urlencode(q)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            f"\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def pipelined(routing: ChatRouting, requests: list[bytes]) -> list[int]:
    """Send requests on one keep-alive connection without waiting; the statuses in answer order."""
    host, port = routing.url.split("//")[1].split("/")[0].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"".join(requests))
    await writer.drain()
    statuses = []
    for _ in requests:
        line = await asyncio.wait_for(reader.readline(), 10)
        statuses.append(int(line.split()[1]))
        length = 0
        while (h := await reader.readline()) not in (b"\r\n", b""):
            if h.lower().startswith(b"content-length:"):
                length = int(h.split(b":")[1])
        await reader.readexactly(length)
    writer.close()
    return statuses


@ASYNC
async def test_pipelined_requests_are_answered_in_order(engine: Any, routing: ChatRouting,
                                                        expect_log: list[str]) -> None:
    expect_log.append("refused a post")
    statuses = await pipelined(routing, [raw_request(routing, form("P-1"), callback_query(SECRET)),
                                         raw_request(routing, form("P-2"), {"signature": "x"}),
                                         raw_request(routing, form("P-3"), callback_query(SECRET))])
    assert statuses == [200, 401, 200]
    assert [x.msg_uid for x in await rows(engine)] == ["P-1", "P-3"]


@ASYNC
async def test_many_posts_make_few_batches_with_one_event_each(engine: Any, routing: ChatRouting) -> None:
    conns = [[raw_request(routing, form(f"M-{c}-{i}", f"第{i}条"), callback_query(SECRET)) for i in range(100)]
             for c in range(8)]
    res = await asyncio.gather(*(pipelined(routing, reqs) for reqs in conns))
    assert {s for r in res for s in r} == {200}
    got = await rows(engine)
    assert len(got) == 800
    ev = await chat_events(engine)
    assert len(ev) == routing.stats.batches < 100
    assert ev[-1].ref == str(max(x.id for x in got))


@ASYNC
async def test_failed_batch_answers_500_and_the_retry_stores_it(tmp_path: Path, expect_log: list[str]) -> None:
    """A database that cannot take the batch: every post of it gets 500 (nothing acknowledged that is not
    stored); once the database is back, RongCloud's retry of the same msgUID is stored once."""
    expect_log.append("batch of")
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'late.db'}")   # not migrated yet: no tables
    routing = ChatRouting(engine, SECRET, flush_ms=5)
    await routing.start()
    try:
        async with httpx.AsyncClient(timeout=10) as c:
            r = await post(c, routing, form("R-1"))
            assert r.status_code == 500
            await migrate.upgrade(engine)
            r2 = await post(c, routing, form("R-1"))
            r3 = await post(c, routing, form("R-1"))
        assert (r2.status_code, r3.status_code) == (200, 200)
        assert [x.msg_uid for x in await rows(engine)] == ["R-1"]
        assert routing.stats.failed == 1
    finally:
        await routing.stop()
        await engine.dispose()


@ASYNC
async def test_emulator_routes_client_messages_into_the_database(engine: Any, routing: ChatRouting) -> None:
    """End to end: a viewer's message in the RongCloud emulator → signed routing post → chat_messages."""
    emu = RongCloudEmulator(app_secret=SECRET, routing_url=routing.url, route_backoff_s=0.05)
    await emu.start()
    try:
        sent = [emu.client_send("7", f"u{i}", f"第{i}条 <b>弹幕</b> 🎉") for i in range(50)]
        sent.append(emu.client_send("7", "u-odd", "\u202e反转\u200b"))
        await emu.drain()
    finally:
        await emu.stop()
    got = {x.msg_uid: x for x in await rows(engine)}
    assert len(got) == 51
    for s in sent:
        row = got[s.msg_uid]
        assert (row.content, row.msg_timestamp, row.to_user_id) == (s.text, s.sent_time, "7")
