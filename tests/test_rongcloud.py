"""RongCloud: the signing vector and callback verification, form encoding, then the real ``RongCloud``
client against the sandbox emulator over 127.0.0.1 (every operation, refused signatures, parameter
limits, the 100/s limit, host failover, faults, expiry, sensitive words, recall, history logs), the
emulator's routing posts into a small receiver, and the chat traffic generator."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from console.credentials import Secret
from console.errors import InvalidInput
from console.sandbox.chat_traffic import SANDBOX_WORDS, ChatTraffic
from console.sandbox.rongcloud import RongCloudEmulator
from console.services.chat.rongcloud import (
    BEIJING,
    BulkPartiallyFailed,
    OutcomeUnknown,
    RongCloud,
    RongCloudAuthError,
    RongCloudParameterError,
    RongCloudRateLimited,
    RongCloudUnavailable,
    SensitiveWord,
    SensitiveWordQuotaExceeded,
    ServiceNotEnabled,
    connect,
    encode_form,
    error_for,
    parse_beijing,
)
from console.services.chat.signing import (
    callback_query,
    read_signed_headers,
    sign,
    signed_headers,
    timestamp_seconds,
    verify_callback,
)
from console.services.http import HttpTransportPolicy, RateGate, make_client

aio = pytest.mark.asyncio(loop_scope="session")

KEY, SECRET = "rc-test-key", "rc-test-secret-0001"
ODD = "周末 & a+b=c 100% ?#/ 房间"


class Wall:
    """A wall clock shared by the client and the emulator, advanced by the tests."""

    def __init__(self) -> None:
        self.t = datetime(2025, 6, 1, 12, 0, 5, tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.t


class Sleeps:
    """Backoff sleep that records and yields without waiting (or waits for real when ``real``)."""

    def __init__(self, real: bool = False) -> None:
        self.slept: list[float] = []
        self.real = real

    async def __call__(self, s: float) -> None:
        self.slept.append(round(s, 3))
        await asyncio.sleep(s if self.real else 0)


class Receiver:
    """A tiny routing endpoint: verifies the signed query, records the form, answers with ``statuses``."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.posts: list[dict[str, str]] = []
        self.bad_signatures = 0
        self.statuses: list[int] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post("/rc/route", self._route)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{list(self._runner.addresses)[0][1]}/rc/route"
        return self.url

    async def _route(self, request: web.Request) -> web.Response:
        if not verify_callback(self.secret, request.query):
            self.bad_signatures += 1
            return web.Response(status=401, text="bad signature")
        form = await request.post()
        if self.statuses:
            status = self.statuses.pop(0)
            if status != 200:
                return web.Response(status=status, text="try later")
        self.posts.append({k: str(v) for k, v in form.items()})
        return web.Response(text="ok")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest_asyncio.fixture(loop_scope="session")
async def emu(wall: Wall) -> AsyncIterator[RongCloudEmulator]:
    e = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall, rate_per_s=10_000)
    await e.start()
    yield e
    await e.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


def rc(base_urls: list[str] | str, wall: Any, *, secret: str = SECRET, app_key: str = KEY, timeout: float = 2.0,
       sleeps: Sleeps | None = None, gate: RateGate | None = None, retries: int = 2, **kw: Any) -> RongCloud:
    hosts = [base_urls] if isinstance(base_urls, str) else base_urls
    policy = HttpTransportPolicy(sleep=sleeps or Sleeps(), rand=lambda: 0.5, gate=gate, retries=retries)
    return RongCloud(make_client(hosts[0], timeout=timeout), app_key=app_key, secret=Secret(secret), hosts=hosts,
                     policy=policy, clock=wall, sleep=sleeps or Sleeps(), **kw)


def free_port() -> int:
    """A port nothing listens on (bound, then closed: connecting is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def raw_post(base: str, path: str, body: bytes | str, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base) as c:
        return await c.post(path, content=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                         **headers})


# --- pure: signing, encoding, errors ---------------------------------------------------------------

def test_signature_matches_the_documented_vector() -> None:
    assert sign("Y1W2MeFwwwRxa0", "14314", "1408710653000") == "30be0bbca9c9b2e27578701e9fda2358a814c88f"
    assert sign(Secret("Y1W2MeFwwwRxa0"), "14314", 1408710653000) == "30be0bbca9c9b2e27578701e9fda2358a814c88f"
    # the illustrative example timestamps of other doc pages do not reproduce (providers.md §1.2)
    assert sign("Y1W2MeFwwwRxa0", "14314", "1408710653491") == "dd11a264276f438b045b3b236a2741ddc89d48df"
    h = signed_headers("k", "Y1W2MeFwwwRxa0", nonce="14314", timestamp="1408710653000")
    assert h == {"App-Key": "k", "Nonce": "14314", "Timestamp": "1408710653000",
                 "Signature": "30be0bbca9c9b2e27578701e9fda2358a814c88f"}


def test_callback_verification_accepts_both_spellings_and_refuses_forgeries() -> None:
    q = callback_query(SECRET, nonce="abc", timestamp_ms=1_700_000_000_123)
    assert q == {"nonce": "abc", "signTimestamp": "1700000000123", "signature": sign(SECRET, "abc", "1700000000123")}
    assert verify_callback(SECRET, q)
    assert verify_callback(SECRET, {**q, "signature": q["signature"].upper()})
    old = {"rc-nonce": "n1", "rc-timestamp": "1700000000", "rc-signature": sign(SECRET, "n1", "1700000000")}
    assert verify_callback(SECRET, old)
    assert not verify_callback(SECRET, {**q, "signature": "0" * 40})
    assert not verify_callback(SECRET, {**q, "nonce": "abd"})
    assert not verify_callback("other-secret", q)
    assert not verify_callback(SECRET, {"nonce": "abc", "signTimestamp": "1700000000123"})
    assert not verify_callback(SECRET, {})
    assert not verify_callback(SECRET, {**q, "signature": q["signature"][:39]})
    # optional freshness window (off by default)
    assert verify_callback(SECRET, q, max_skew_s=300, now=lambda: 1_700_000_100.0)
    assert not verify_callback(SECRET, q, max_skew_s=300, now=lambda: 1_700_000_400.0)
    assert timestamp_seconds("1700000000123") == pytest.approx(1_700_000_000.123)
    assert timestamp_seconds(1_700_000_000) == 1_700_000_000 and timestamp_seconds("x") is None
    h = read_signed_headers({"rc-app-key": "k", "RC-Nonce": "n", "timestamp": "1", "Signature": "s"})
    assert (h.app_key, h.nonce, h.timestamp, h.signature) == ("k", "n", "1", "s")


def test_form_encoding_of_cjk_and_reserved_characters() -> None:
    assert encode_form([("word", "赌博&+% x")]) == b"word=%E8%B5%8C%E5%8D%9A%26%2B%25+x"
    assert encode_form([("userId", ["a", "b&c"]), ("minute", 10), ("needNotify", True)]) == \
        b"userId=a&userId=b%26c&minute=10&needNotify=true"
    assert encode_form([("chatroom[房间1]", "名=字")]) == b"chatroom%5B%E6%88%BF%E9%97%B41%5D=%E5%90%8D%3D%E5%AD%97"
    assert encode_form([("content", '{"a":"/?#"}')]) == b"content=%7B%22a%22%3A%22%2F%3F%23%22%7D"


def test_error_codes_map_to_clear_errors() -> None:
    assert isinstance(error_for(1004, http_status=401), RongCloudAuthError)
    assert not error_for(1004, http_status=401).retryable
    e = error_for(1008, http_status=429)
    assert isinstance(e, RongCloudRateLimited) and e.retryable and e.retry_after == 1.0
    assert isinstance(error_for(1002, http_status=400), RongCloudParameterError)
    assert isinstance(error_for(1009, http_status=430), ServiceNotEnabled)
    assert error_for(1000, http_status=500).retryable and error_for(1050, http_status=504).retryable
    assert not error_for(1016, http_status=403).retryable
    assert "signature invalid" in str(error_for(1004, http_status=401, operation="gag"))
    assert error_for(1004, http_status=401).rc_code == 1004


def test_beijing_times() -> None:
    assert parse_beijing("2025-06-01 20:00:00") == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert parse_beijing(1_748_779_200_000) == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert parse_beijing("garbage") is None and parse_beijing(None) is None


# --- the emulator's checks ----------------------------------------------------------------------------

@aio
async def test_bad_signature_is_401_1004(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall, secret="wrong-secret")
    with pytest.raises(RongCloudAuthError) as ei:
        await client.gagged("room1")
    assert ei.value.rc_code == 1004 and ei.value.http_status == 401 and not ei.value.retryable
    assert len(emu.calls_of("/chatroom/user/gag/list.json")) == 1          # not retried
    await client.aclose()
    r = await raw_post(emu.base_url, "/chatroom/user/gag/list.json", "chatroomId=r", {})
    assert r.status_code == 401 and r.json()["code"] == 1004 and r.json()["errorMessage"]
    r = await raw_post(emu.base_url, "/chatroom/user/gag/list.json", "chatroomId=r",
                       signed_headers("someone-else", SECRET))
    assert r.status_code == 401 and r.json()["code"] == 1004


@aio
async def test_emulator_accepts_what_real_clients_send(emu: RongCloudEmulator, wall: Wall) -> None:
    """§9: RC-/lower-case header names, seconds or milliseconds, long nonces, the /wordfilter family."""
    nonce = "0.17406747412417745"
    for ts in ("1408710653", "1408710653000"):
        h = signed_headers(KEY, SECRET, nonce=nonce, timestamp=ts)
        rc_h = {f"RC-{k}": v for k, v in h.items()}
        low = {f"rc-{k.lower()}": v for k, v in h.items()}
        for headers in (h, rc_h, low):
            r = await raw_post(emu.base_url, "/wordfilter/add.json", "word=%E5%88%B7%E5%8D%95", headers)
            assert r.status_code == 200 and r.json() == {"code": 200}, r.text
    r = await raw_post(emu.base_url, "/wordfilter/list.json", "type=2", signed_headers(KEY, SECRET))
    assert r.json()["words"] == [{"type": "1", "word": "刷单", "replaceWord": ""}]


@aio
async def test_parameter_limits_are_1002(emu: RongCloudEmulator, wall: Wall) -> None:
    def h() -> dict[str, str]:
        return signed_headers(KEY, SECRET)

    cases = [
        ("/chatroom/user/gag/add.json", encode_form([("chatroomId", "r"), ("userId", [f"u{i}" for i in range(21)]),
                                                     ("minute", 10)])),
        ("/chatroom/user/gag/add.json", encode_form([("chatroomId", "r"), ("userId", "u"), ("minute", 0)])),
        ("/chatroom/user/gag/add.json", encode_form([("chatroomId", "r"), ("userId", "u"), ("minute", 43201)])),
        ("/chatroom/user/gag/add.json", encode_form([("chatroomId", "r" * 65), ("userId", "u"), ("minute", 1)])),
        ("/chatroom/user/query.json", encode_form([("chatroomId", "r"), ("count", 501), ("order", 1)])),
        ("/chatroom/user/whitelist/add.json", encode_form([("chatroomId", "r"), ("userId", list("abcdef"))])),
        ("/sensitiveword/add.json", encode_form([("word", "字" * 33)])),
        ("/sensitiveword/batch/delete.json", encode_form([("words", [f"w{i}" for i in range(51)])])),
        ("/message/chatroom/publish.json", encode_form([("fromUserId", "sys"), ("toChatroomId", "r"),
                                                        ("objectName", "X" * 33), ("content", "{}")])),
        ("/message/chatroom/publish.json", encode_form([("fromUserId", "sys"), ("toChatroomId", "r"),
                                                        ("objectName", "App:Notice"),
                                                        ("content", json.dumps({"t": "x" * (128 * 1024)}))])),
        ("/message/recall.json", encode_form([("fromUserId", "u"), ("conversationType", 4), ("targetId", "r")])),
        ("/user/block.json", encode_form([("userId", "u")])),
    ]
    for path, body in cases:
        r = await raw_post(emu.base_url, path, body, h())
        assert r.status_code == 400 and r.json()["code"] == 1002, (path, r.text)
    # the client refuses the same values before sending anything
    client = rc(emu.base_url, wall)
    n = len(emu.calls)
    with pytest.raises(InvalidInput):
        await client.gag("r", ["u"], minutes=0)
    with pytest.raises(InvalidInput):
        await client.gag("r", ["u"], minutes=43201)
    with pytest.raises(InvalidInput):
        await client.members("r", count=501)
    with pytest.raises(InvalidInput):
        await client.add_word("字" * 33)
    with pytest.raises(InvalidInput):
        await client.gag("r" * 65, ["u"], minutes=1)
    with pytest.raises(InvalidInput):
        await client.publish(["r"], from_user_id="sys", object_name="RC:TxtMsg", content={"content": "x"})
    with pytest.raises(InvalidInput):
        await client.publish(["r"], from_user_id="sys", object_name="App:Big", content={"t": "x" * (128 * 1024)})
    assert len(emu.calls) == n
    # 21 users are split into 20 + 1 by the client
    await client.gag("r", [f"u{i}" for i in range(21)], minutes=5)
    calls = emu.calls_of("/chatroom/user/gag/add.json")[-2:]
    assert [len(c.params["userId"]) for c in calls] == [20, 1] and all(c.status == 200 for c in calls)
    await client.aclose()


@aio
async def test_rate_limit_1008_and_the_client_waits(wall: Wall, expect_log: list[str]) -> None:
    expect_log.append("giving up")
    emu = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall, rate_per_s=1)
    await emu.start()
    try:
        # raw: one call a second, the others within the same second are refused
        async with httpx.AsyncClient(base_url=emu.base_url) as c:
            replies = await asyncio.gather(*(c.post("/chatroom/user/gag/list.json", content="chatroomId=r",
                                                    headers=signed_headers(KEY, SECRET)) for _ in range(12)))
        codes = sorted((r.status_code, r.json()["code"]) for r in replies)
        assert codes.count((200, 200)) in (1, 2) and codes[-1] == (429, 1008)
        # a client that may not wait raises a retryable RongCloudRateLimited
        impatient = rc(emu.base_url, wall, rate_retries=0, retries=0)
        try:
            outcomes = await asyncio.gather(*(impatient.gagged("r") for _ in range(12)), return_exceptions=True)
        finally:
            await impatient.aclose()
        refused = [o for o in outcomes if isinstance(o, BaseException)]
        assert refused and all(isinstance(o, RongCloudRateLimited) for o in refused)
        e = refused[0]
        assert isinstance(e, RongCloudRateLimited)
        assert e.retryable and e.rc_code == 1008 and e.http_status == 429 and e.retry_after == 1.0
        # a patient one waits at least 1 s (for real) and gets through, publish included (429 = not applied)
        sleeps = Sleeps(real=True)
        patient = rc(emu.base_url, wall, sleeps=sleeps, retries=0, rate_retries=5)
        t0 = asyncio.get_running_loop().time()
        for _ in range(2):       # the second comes within the same second as the first: 429, wait, retry
            done = await patient.publish(["r"], from_user_id="sys", object_name="App:Notice", content={"t": "hi"})
            assert done == ["r"]
        assert sleeps.slept and min(sleeps.slept) >= 1.0
        assert asyncio.get_running_loop().time() - t0 >= 1.0
        assert len([m for m in emu.messages("r") if m.object_name == "App:Notice"]) == 2
        await patient.aclose()
    finally:
        await emu.stop()


@aio
async def test_the_client_gate_keeps_under_the_limit(wall: Wall) -> None:
    emu = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall, rate_per_s=20)
    await emu.start()
    try:
        client = rc(emu.base_url, wall, gate=RateGate(), rate_per_s=10)
        await asyncio.gather(*(client.gagged(f"r{i}") for i in range(30)))
        assert [c.status for c in emu.calls] == [200] * 30, [(c.status, c.code) for c in emu.calls]
        await client.aclose()
    finally:
        await emu.stop()


# --- failover and faults ------------------------------------------------------------------------------

@aio
async def test_failover_to_the_second_host_when_the_first_refuses(emu: RongCloudEmulator, wall: Wall,
                                                                  expect_log: list[str]) -> None:
    expect_log.append("giving up")
    dead = f"http://127.0.0.1:{free_port()}"
    client = rc([dead, emu.base_url], wall, retries=1)
    await client.gag("room-f", ["u1"], minutes=10)                    # idempotent
    assert client.current_host == emu.base_url
    # non-idempotent publish also fails over: a refused connection never sent anything
    client2 = rc([dead, emu.base_url], wall, retries=0)
    assert await client2.publish(["room-f"], from_user_id="sys", object_name="App:N", content={"a": 1}) == ["room-f"]
    assert [m.object_name for m in emu.messages("room-f")] == ["App:N"]
    assert client2.current_host == emu.base_url
    await client.aclose()
    await client2.aclose()


@aio
async def test_failover_on_5xx_only_for_idempotent_calls(emu: RongCloudEmulator, wall: Wall,
                                                         expect_log: list[str]) -> None:
    expect_log.append("giving up")
    first = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall)
    await first.start()
    try:
        first.inject(None, "503", count=100)
        client = rc([first.base_url, emu.base_url], wall, retries=1)
        await client.gag("room-5", ["u1"], minutes=5)
        assert [g.user_id for g in await client.gagged("room-5")] == ["u1"]
        assert len(first.calls_of("/chatroom/user/gag/add.json")) == 2        # 1 try + 1 retry, then the backup
        # publish after a 503 may have been applied: neither retried nor sent to the backup
        client2 = rc([first.base_url, emu.base_url], wall, retries=3)
        with pytest.raises(OutcomeUnknown) as ei:
            await client2.publish(["room-5"], from_user_id="sys", object_name="App:N", content={"a": 1})
        assert not ei.value.retryable and ei.value.http_status == 503 and ei.value.rc_code == 1000
        assert "may have been applied" in str(ei.value)
        assert len(first.calls_of("/message/chatroom/publish.json")) == 1
        assert emu.calls_of("/message/chatroom/publish.json") == []
        await client.aclose()
        await client2.aclose()
    finally:
        await first.stop()


@aio
async def test_faults_timeout_malformed_reset_slow(emu: RongCloudEmulator, wall: Wall, expect_log: list[str]) -> None:
    expect_log.append("giving up")
    sleeps = Sleeps()
    client = rc(emu.base_url, wall, timeout=0.5, sleeps=sleeps)
    # a read survives a timeout, a malformed body and a reset (retried)
    emu.inject("/chatroom/user/gag/list.json", "timeout")
    emu.inject("/chatroom/user/gag/list.json", "malformed")
    assert await client.gagged("room-x") == []
    emu.inject("/chatroom/user/block/list.json", "reset")
    assert await client.blocked("room-x") == []
    emu.inject("/chatroom/user/block/list.json", "slow", delay_s=0.1)
    assert await client.blocked("room-x") == []
    # a publish that timed out is not retried (it may have been delivered)
    emu.inject("/message/chatroom/publish.json", "timeout", apply=True)
    with pytest.raises(OutcomeUnknown) as ei:
        await client.publish(["room-x"], from_user_id="sys", object_name="App:T", content={"a": 1})
    assert not ei.value.retryable and ei.value.code == "timeout"
    assert len(emu.calls_of("/message/chatroom/publish.json")) == 1
    assert [m.object_name for m in emu.messages("room-x")] == ["App:T"]     # it was applied: no second copy
    # a garbled 200 to a publish: applied, not repeated
    emu.inject("/message/chatroom/publish.json", "malformed", apply=True)
    with pytest.raises(OutcomeUnknown):
        await client.publish(["room-x"], from_user_id="sys", object_name="App:M", content={"a": 1})
    assert len(emu.calls_of("/message/chatroom/publish.json")) == 2
    # a malformed answer to a read, every time: a clear retryable error
    emu.inject("/chatroom/user/gag/list.json", "malformed", count=3)
    with pytest.raises(RongCloudUnavailable):
        await client.gagged("room-x")
    # an injected 429 is waited through
    emu.inject("/chatroom/ban/check.json", "429")
    assert await client.room_muted("room-x") is False
    await client.aclose()


@aio
async def test_bulk_gag_partial_failure_says_who_was_done(emu: RongCloudEmulator, wall: Wall,
                                                          expect_log: list[str]) -> None:
    expect_log.append("giving up")
    client = rc(emu.base_url, wall, retries=0)
    users = [f"b{i}" for i in range(45)]
    emu.inject("/chatroom/user/gag/add.json", "500", after=1)          # the second part of three fails
    with pytest.raises(BulkPartiallyFailed) as ei:
        await client.gag("room-b", users, minutes=10)
    e = ei.value
    assert e.done == users[:20] and e.remaining == users[20:] and e.retryable
    assert {g.user_id for g in await client.gagged("room-b")} == set(users[:20])
    await client.gag("room-b", e.remaining, minutes=10)               # the rest, once
    assert {g.user_id for g in await client.gagged("room-b")} == set(users)
    await client.aclose()


@aio
async def test_service_not_enabled_is_1009(wall: Wall) -> None:
    emu = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall, global_gag_enabled=False,
                            history_enabled=False)
    await emu.start()
    try:
        client = rc(emu.base_url, wall)
        with pytest.raises(ServiceNotEnabled) as ei:
            await client.gag_globally(["u"], minutes=5)
        assert ei.value.http_status == 430 and ei.value.rc_code == 1009 and not ei.value.retryable
        with pytest.raises(ServiceNotEnabled):
            await client.history_url(datetime.now(UTC))
        await client.aclose()
    finally:
        await emu.stop()


# --- every operation round-trips ---------------------------------------------------------------------------

@aio
async def test_chatrooms_and_members(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall)
    await client.create_chatroom("房间 1&2", "周末杯")
    assert emu.join("房间 1&2", "u1") and emu.join("房间 1&2", "u2")
    wall.t += 5
    emu.join("房间 1&2", "u3")
    rooms = await client.chatrooms(["房间 1&2", "nope"])
    assert [(r.room_id, r.name) for r in rooms] == [("房间 1&2", "周末杯")]
    info = await client.chatroom("房间 1&2")
    assert info.member_count == 3 and info.muted is False and info.created_at is not None
    total, members = await client.members("房间 1&2", count=2)
    assert total == 3 and [m.user_id for m in members] == ["u1", "u2"]
    _, newest = await client.members("房间 1&2", count=1, newest_first=True)
    assert [m.user_id for m in newest] == ["u3"]
    assert newest[0].joined_at == datetime.fromtimestamp(int(wall.t), UTC)
    assert await client.is_member("房间 1&2", "u2") and not await client.is_member("房间 1&2", "zz")
    await client.destroy_chatroom(["房间 1&2"])
    assert await client.chatrooms(["房间 1&2"]) == []
    await client.aclose()


@aio
async def test_gags_expire_and_gagged_users_cannot_send(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall)
    await client.gag("room-g", ["u1", "u2"], minutes=10, extra='{"reason":"spam"}', notify=True)
    gagged = {g.user_id: g.until for g in await client.gagged("room-g")}
    assert gagged == {"u1": datetime.fromtimestamp(int(wall.t) + 600, UTC),
                      "u2": datetime.fromtimestamp(int(wall.t) + 600, UTC)}
    assert emu.client_send("room-g", "u1", "hi").outcome == "gagged"
    await client.ungag("room-g", ["u2"])
    assert [g.user_id for g in await client.gagged("room-g")] == ["u1"]
    assert emu.client_send("room-g", "u2", "hi").outcome == "stored"
    wall.t += 601
    assert await client.gagged("room-g") == []
    assert emu.client_send("room-g", "u1", "back").outcome == "stored"
    # global gag: every room, whitelist or not
    await client.gag_globally(["u7"], minutes=60)
    assert [g.user_id for g in await client.gagged_globally()] == ["u7"]
    await client.mute_room("room-g")
    await client.whitelist_add("room-g", ["u7", "u8"])
    assert emu.client_send("room-g", "u7", "x").outcome == "gagged"
    assert emu.client_send("room-other", "u7", "x").outcome == "gagged"
    assert emu.client_send("room-g", "u8", "x").outcome == "stored"       # whitelisted speaks in a muted room
    assert emu.client_send("room-g", "u9", "x").outcome == "muted"
    await client.ungag_globally(["u7"])
    assert await client.gagged_globally() == []
    wall.t += 3601
    assert emu.client_send("room-g", "u7", "x").outcome == "stored"
    await client.aclose()


@aio
async def test_room_mute_and_whitelist(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall)
    await client.mute_room("room-m")
    await client.mute_room("room-m")                                  # again: still muted, no error
    assert await client.room_muted("room-m") is True
    assert "room-m" in await client.muted_rooms()
    assert (await client.chatroom("room-m")).muted is True
    await client.whitelist_add("room-m", [f"w{i}" for i in range(7)])   # 5 + 2 calls
    assert [len(c.params["userId"]) for c in emu.calls_of("/chatroom/user/whitelist/add.json")[-2:]] == [5, 2]
    assert sorted(await client.whitelist("room-m")) == sorted(f"w{i}" for i in range(7))
    await client.whitelist_remove("room-m", ["w0"])
    assert emu.client_send("room-m", "w0", "x").outcome == "muted"
    assert emu.client_send("room-m", "w1", "x").outcome == "stored"
    await client.unmute_room("room-m")
    assert await client.room_muted("room-m") is False
    assert emu.client_send("room-m", "w0", "x").outcome == "stored"
    await client.aclose()


@aio
async def test_room_block_and_app_block(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall)
    emu.join("room-k", "u1")
    await client.block("room-k", ["u1"], minutes=30)
    assert [b.user_id for b in await client.blocked("room-k")] == ["u1"]
    assert not await client.is_member("room-k", "u1")                 # kicked out
    assert not emu.join("room-k", "u1")
    assert emu.client_send("room-k", "u1", "x").outcome == "blocked"
    await client.unblock("room-k", ["u1"])
    assert await client.blocked("room-k") == []
    assert emu.join("room-k", "u1")
    await client.block("room-k", ["u2"], minutes=1)
    wall.t += 61
    assert await client.blocked("room-k") == []
    await client.block_user(["u3", "u4"], minutes=60)
    ends = {b.user_id: b.until for b in await client.blocked_users()}
    assert ends == {u: datetime.fromtimestamp(int(wall.t) + 3600, UTC) for u in ("u3", "u4")}
    assert emu.client_send("room-k", "u3", "x").outcome == "user_blocked"
    await client.unblock_user(["u3"])
    assert [b.user_id for b in await client.blocked_users()] == ["u4"]
    wall.t += 3601
    assert await client.blocked_users() == []
    await client.aclose()


@aio
async def test_sensitive_words_round_trip_and_apply(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall)
    await client.add_word("赌博")
    await client.add_word("傻逼", "**")
    await client.add_words([SensitiveWord("a&b+c%"), SensitiveWord("脑残", "**"), SensitiveWord("加 微信")])
    words = {w.word: w.replace_word for w in await client.words()}
    assert words == {"赌博": None, "傻逼": "**", "a&b+c%": None, "脑残": "**", "加 微信": None}
    assert {w.word for w in await client.words("block")} == {"赌博", "a&b+c%", "加 微信"}
    assert {w.word for w in await client.words("replace")} == {"傻逼", "脑残"}
    assert emu.client_send("room-w", "u1", "来赌博吗").outcome == "dropped_sensitive"
    assert emu.client_send("room-w", "u1", "x A&B+C% y").outcome == "dropped_sensitive"   # any letter case
    r = emu.client_send("room-w", "u1", "你是傻逼吗，脑残")
    assert r.outcome == "stored" and r.text == "你是**吗，**"
    assert emu.client_send("room-w", "u1", "傻逼赌博").outcome == "dropped_sensitive"        # both: blocked
    last = emu.messages("room-w")[-1]
    assert last.sensitive_type == 2 and json.loads(last.content)["content"] == "你是**吗，**"
    await client.delete_word("赌博")
    await client.delete_word("赌博")                                    # idempotent
    await client.delete_words(["傻逼", "a&b+c%", "never-added"])
    assert {w.word for w in await client.words()} == {"脑残", "加 微信"}
    assert emu.client_send("room-w", "u1", "来赌博吗").outcome == "stored"
    await client.delete_words(["脑残", "加 微信"])
    await client.aclose()


@aio
async def test_sensitive_word_quota(wall: Wall) -> None:
    emu = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall, word_quota=3)
    await emu.start()
    try:
        client = rc(emu.base_url, wall)
        await client.add_words([SensitiveWord("一"), SensitiveWord("二")])
        with pytest.raises(SensitiveWordQuotaExceeded) as ei:
            await client.add_words([SensitiveWord("三"), SensitiveWord("四", "*")])
        assert ei.value.rc_code == 1002 and "quota" in str(ei.value) and not ei.value.retryable
        assert {w.word for w in await client.words()} == {"一", "二"}          # nothing of the batch
        await client.add_word("二", "*")                                       # an update fits
        await client.add_word("三")
        with pytest.raises(SensitiveWordQuotaExceeded):
            await client.add_word("四")
        await client.aclose()
    finally:
        await emu.stop()


@aio
async def test_publish_custom_messages_to_many_rooms(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall)
    rooms = [f"pub{i}" for i in range(25)]
    content = {"title": "系统公告", "body": "比赛 & 抽奖 100% + 🎉 <b>"}
    done = await client.publish(rooms, from_user_id="system", object_name="Shihou:Notice", content=content)
    assert done == rooms
    calls = emu.calls_of("/message/chatroom/publish.json")[-3:]
    assert [len(c.params["toChatroomId"]) for c in calls] == [10, 10, 5]
    for r in rooms:
        (m,) = emu.messages(r)
        assert m.object_name == "Shihou:Notice" and json.loads(m.content) == content and m.from_user_id == "system"
    await client.aclose()


@aio
async def test_recall_removes_the_message(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall)
    keep = emu.client_send("room-r", "u1", "留着")
    gone = emu.client_send("room-r", "u2", "广告 加Q 123")
    assert gone.msg_uid and gone.sent_time
    with pytest.raises(RongCloudParameterError):
        await client.recall("room-r", from_user_id="u2", message_uid=gone.msg_uid, sent_time_ms=gone.sent_time + 1)
    await client.recall("room-r", from_user_id="u2", message_uid=gone.msg_uid, sent_time_ms=gone.sent_time)
    assert [m.msg_uid for m in emu.messages("room-r")] == [keep.msg_uid]
    assert emu.recalls[-1]["messageUID"] == gone.msg_uid
    await client.recall("room-r", from_user_id="u2", message_uid=gone.msg_uid, sent_time_ms=gone.sent_time)  # again
    call = emu.calls_of("/message/recall.json")[-1]
    assert call.params["conversationType"] == ["4"] and "disablePush" not in call.params
    await client.aclose()


@aio
async def test_only_the_last_50_messages_are_kept(emu: RongCloudEmulator, wall: Wall) -> None:
    for i in range(60):
        emu.client_send("room-50", f"u{i}", f"m{i}")
    msgs = emu.messages("room-50")
    assert len(msgs) == 50 and json.loads(msgs[0].content)["content"] == "m10"
    assert len({m.msg_uid for m in msgs}) == 50


@aio
async def test_history_log_download(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall)
    hour = datetime.fromtimestamp(wall.t, UTC)
    sent = emu.client_send("room-h", "u1", "历史 & 消息 🎉", user_name="小明")
    assert await client.history_url(hour) is None                     # the hour has not closed
    wall.t += 3600
    url = await client.history_url(hour)
    assert url is not None
    assert emu.calls_of("/message/history.json")[-1].params["date"] == [hour.astimezone(BEIJING).strftime("%Y%m%d%H")]
    records = await client.download_history(hour)
    (rec,) = [r for r in records if r.msg_uid == sent.msg_uid]
    assert rec.from_user_id == "u1" and rec.target_id == "room-h" and rec.object_name == "RC:TxtMsg"
    assert rec.content["content"] == "历史 & 消息 🎉" and rec.content["user"]["name"] == "小明"
    assert rec.sent_at is not None and abs((rec.sent_at - hour).total_seconds()) < 1
    await client.delete_history(hour)
    assert await client.history_url(hour) is None
    await client.delete_history(hour)                                 # nothing left: fine
    assert await client.download_history(hour - timedelta(hours=5)) == []
    await client.aclose()


# --- routing posts -------------------------------------------------------------------------------------

@aio
async def test_routing_posts_arrive_signed_with_every_field(emu: RongCloudEmulator, wall: Wall,
                                                            receiver: Receiver) -> None:
    emu.set_routing_url(receiver.url)
    client = rc(emu.base_url, wall)
    try:
        emu.set_words([])
        await client.add_word("赌博")
        await client.add_word("傻逼", "**")
        big = "长" * (40 * 1024)                                           # 120 KB of UTF-8
        texts = [ODD, "<script>alert(1)</script>", "零宽\u200b\u202e控制\x07", "你傻逼", "来赌博", big, "🎉" * 10]
        results = [emu.client_send("room-p", f"u{i}", t, source="iOS", client_ip="36.1.2.3") for i, t in enumerate(texts)]
        assert [r.outcome for r in results] == ["routed"] * 4 + ["dropped_sensitive", "routed", "routed"]
        await emu.drain(10)
        assert receiver.bad_signatures == 0
        by_uid = {p["msgUID"]: p for p in receiver.posts}
        assert set(by_uid) == {r.msg_uid for r in results if r.msg_uid}
        for r, text in zip(results, texts, strict=True):
            if r.msg_uid is None:
                continue
            p = by_uid[r.msg_uid]
            assert p["fromUserId"].startswith("u") and p["toUserId"] == "room-p" and p["objectName"] == "RC:TxtMsg"
            assert p["channelType"] == "TEMPGROUP" and p["msgTimestamp"] == str(r.sent_time)
            assert p["source"] == "iOS" and p["clientIp"] == "36.1.2.3"
            want = "你**" if text == "你傻逼" else text
            assert json.loads(p["content"])["content"] == want
            assert p["sensitiveType"] == ("2" if text == "你傻逼" else "0")
        assert emu.stats.routed == len(by_uid) and emu.stats.failed == 0
    finally:
        emu.set_routing_url(None)
        await client.aclose()


@aio
async def test_routing_retries_a_failing_url_then_gives_up(wall: Wall, receiver: Receiver,
                                                           expect_log: list[str]) -> None:
    expect_log += ["routing post dropped", "refused a message"]
    emu = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall, routing_url=receiver.url,
                            route_backoff_s=0.01, route_retries=2, max_in_flight=4)
    await emu.start()
    try:
        receiver.statuses = [500, 503]
        ok = emu.client_send("room-q", "u1", "第一条")
        await emu.drain(10)
        assert [p["msgUID"] for p in receiver.posts if p["msgUID"] == ok.msg_uid] == [ok.msg_uid]
        assert emu.stats.retries == 2 and emu.stats.routed == 1
        receiver.statuses = [500, 500, 500]
        lost = emu.client_send("room-q", "u1", "第二条")
        await emu.drain(10)
        assert lost.msg_uid not in {p["msgUID"] for p in receiver.posts}
        assert emu.stats.failed == 1
        receiver.statuses = [400]                                       # a 4xx is not retried
        emu.client_send("room-q", "u1", "第三条")
        await emu.drain(10)
        assert emu.stats.rejected == 1 and emu.stats.retries == 4
        # an unreachable URL: retried, then dropped; a forged secret: the receiver refuses it
        emu.set_routing_url(f"http://127.0.0.1:{free_port()}/rc/route")
        emu.client_send("room-q", "u1", "第四条")
        await emu.drain(10)
        assert emu.stats.failed == 2
    finally:
        await emu.stop()
    forged = RongCloudEmulator(app_key=KEY, app_secret="not-the-secret", clock=wall, routing_url=receiver.url,
                               route_retries=0)
    await forged.start()
    try:
        n = receiver.bad_signatures
        forged.client_send("room-q", "u1", "forged")
        await forged.drain(10)
        assert receiver.bad_signatures == n + 1 and forged.stats.rejected == 1
    finally:
        await forged.stop()


@aio
async def test_routing_keeps_up_with_thousands_of_messages(wall: Wall, receiver: Receiver) -> None:
    emu = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall, routing_url=receiver.url, max_in_flight=64)
    await emu.start()
    try:
        n0 = len(receiver.posts)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        uids = {emu.client_send(f"room{i % 20}", f"u{i % 500}", f"消息{i}").msg_uid for i in range(3000)}
        await emu.drain(30)
        took = loop.time() - t0
        got = {p["msgUID"] for p in receiver.posts[n0:]}
        assert got == uids and len(uids) == 3000
        assert emu.stats.failed == 0 and emu.stats.in_flight == 0
        assert took < 20
    finally:
        await emu.stop()


@aio
async def test_control_endpoint(emu: RongCloudEmulator, wall: Wall) -> None:
    async with httpx.AsyncClient(base_url=emu.base_url) as c:
        r = await c.post("/_sandbox/send", json={"room": "room-c", "user": "u1", "text": "控制台 & 你好"})
        assert r.status_code == 200 and r.json()["outcome"] == "stored" and r.json()["msgUID"]
        r = await c.post("/_sandbox/inject", json={"path": "/chatroom/user/gag/list.json", "kind": "503"})
        assert r.json()["pending_faults"] == 1
        r = await c.post("/_sandbox/clear")
        assert r.json()["pending_faults"] == 0
        r = await c.post("/_sandbox/bogus")
        assert r.status_code == 404
        r = await c.post("/_sandbox/send", json={"room": "room-c"})
        assert r.status_code == 400


# --- traffic ----------------------------------------------------------------------------------------------

def test_traffic_is_deterministic_and_mixed() -> None:
    emu = RongCloudEmulator()
    a = ChatTraffic(emu, ["r1", "r2", "r3"], seed=42).generate(3000)
    b = ChatTraffic(emu, ["r1", "r2", "r3"], seed=42).generate(3000)
    c = ChatTraffic(emu, ["r1", "r2", "r3"], seed=43).generate(3000)
    assert a == b and a != c
    kinds = {m.kind for m in a}
    assert kinds == {"normal", "flood", "sensitive", "link", "newcomer", "odd"}
    rooms = [m.room for m in a]
    assert rooms.count("r1") > rooms.count("r2") > rooms.count("r3")
    newcomers = [m.user_id for m in a if m.kind == "newcomer"]
    assert len(newcomers) == len(set(newcomers))                      # first messages of new accounts
    words = {w for w, _ in SANDBOX_WORDS}
    assert all(any(w in m.text for w in words) for m in a if m.kind == "sensitive")
    floods = [m for m in a if m.kind == "flood"]
    assert len({m.room for m in floods[:40]}) == 1 and len({m.text for m in floods[:40]}) > 5
    assert any(ord(ch) > 0xFFFF for m in a for ch in m.text)         # emoji


@aio
async def test_traffic_runs_at_its_rate_through_routing(wall: Wall, receiver: Receiver) -> None:
    emu = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall, routing_url=receiver.url)
    await emu.start()
    try:
        emu.set_words(SANDBOX_WORDS)
        n0 = len(receiver.posts)
        traffic = ChatTraffic(emu, ["t1", "t2"], rate_per_s=400, seed=5)
        sent = await traffic.run(1.0)
        await emu.drain(10)
        assert 250 <= sent <= 450 and traffic.sent == sent
        routed = traffic.counts.get("routed", 0)
        assert routed == len(receiver.posts) - n0 and routed < sent
        assert traffic.counts.get("dropped_sensitive", 0) > 0
        traffic.rate_per_s = 0
        traffic.start()
        await asyncio.sleep(0.1)
        await traffic.stop()
        assert traffic.sent == sent
    finally:
        await emu.stop()


@aio
async def test_traffic_uses_the_database_users(known_db: Any, wall: Wall) -> None:
    import sqlalchemy as sa

    from console.db import tables as t
    engine = known_db
    async with engine.connect() as conn:
        ids = {str(r.id) for r in (await conn.execute(sa.select(t.users.c.id))).all()}
    emu = RongCloudEmulator(app_key=KEY, app_secret=SECRET, clock=wall)
    traffic = await ChatTraffic.from_database(emu, engine, ["d1"], seed=1, new_share=0.3)
    msgs = traffic.generate(400)
    senders = {m.user_id for m in msgs if m.kind != "flood"}
    assert senders and senders <= ids
    assert {m.user_id for m in msgs if m.kind == "newcomer"} <= ids


@aio
async def test_client_headers_request_id_and_failback(emu: RongCloudEmulator, wall: Wall,
                                                      expect_log: list[str]) -> None:
    expect_log.append("giving up")
    client = rc(emu.base_url, wall)
    await client.gagged("room-hdr")
    call = emu.calls_of("/chatroom/user/gag/list.json")[-1]
    h = {k.lower(): v for k, v in call.headers.items()}
    assert h["app-key"] == KEY and len(h["nonce"]) <= 18 and h["timestamp"] == str(int(wall.t * 1000))
    assert h["signature"] == sign(SECRET, h["nonce"], h["timestamp"]) and len(h["x-request-id"]) == 32
    assert h["content-type"] == "application/x-www-form-urlencoded"
    with pytest.raises(RongCloudParameterError) as ei:
        await client.chatroom("never-created")
    assert ei.value.request_id == emu.calls_of("/chatroom/get.json")[-1].headers["X-Request-ID"]
    await client.aclose()
    # after a failover the client stays on the backup for failover_hold_s, then tries the primary again
    mono = [0.0]
    dead = f"http://127.0.0.1:{free_port()}"
    c2 = rc([dead, emu.base_url], wall, retries=0, failover_hold_s=30, monotonic=lambda: mono[0])
    await c2.gagged("room-hdr")
    assert c2.current_host == emu.base_url
    mono[0] = 31.0
    assert c2.current_host == dead
    await c2.aclose()


@aio
async def test_standalone_process_with_traffic(receiver: Receiver) -> None:
    import os
    import sys

    env = {**os.environ, "SHIHOU_RC_SANDBOX_SECRET": SECRET}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "console.sandbox.rongcloud", "--routing-url", receiver.url, "--rooms", "s1,s2",
        "--rate", "200", "--words", "--report-s", "0.3", "--stdin",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stdin is not None
    try:
        first = json.loads(await asyncio.wait_for(proc.stdout.readline(), 20))
        assert first["base_url"].startswith("http://127.0.0.1:") and first["app_key"] == "sandbox-rc-key"
        lines = [json.loads(await asyncio.wait_for(proc.stdout.readline(), 10)) for _ in range(3)]
        assert lines[-1]["sent"] > 0
        async with httpx.AsyncClient(base_url=first["base_url"]) as c:
            r = await c.post("/_sandbox/traffic", json={"rate": 0})
            assert r.status_code == 200 and r.json()["rate"] == 0 and r.json()["sent"] > 0
            r = await c.post("/_sandbox/traffic", json={"rate": -1})
            assert r.status_code == 400
        proc.stdin.close()
        assert await asyncio.wait_for(proc.wait(), 20) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert receiver.posts and receiver.bad_signatures == 0
    assert {p["toUserId"] for p in receiver.posts} <= {"s1", "s2"}


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=40)), min_size=1, max_size=6))
def test_form_encoding_round_trips_any_text(pairs: list[tuple[str, str]]) -> None:
    from urllib.parse import parse_qsl

    clean = [(k.replace("\ud800", ""), v) for k, v in pairs]
    try:
        body = encode_form(clean)
    except UnicodeEncodeError:          # lone surrogates cannot be sent as UTF-8 at all
        return
    assert parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict") == clean
    assert set(body) <= set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%+=&-_.~*")


@aio
async def test_the_128_kb_limit_on_both_sides(emu: RongCloudEmulator, wall: Wall) -> None:
    client = rc(emu.base_url, wall)
    envelope = len(json.dumps({"t": ""}, separators=(",", ":")))
    exact = {"t": "x" * (128 * 1024 - envelope)}
    assert await client.publish(["room-128"], from_user_id="sys", object_name="App:Big", content=exact) == ["room-128"]
    assert len(emu.messages("room-128")[-1].content.encode()) == 128 * 1024
    with pytest.raises(InvalidInput):
        await client.publish(["room-128"], from_user_id="sys", object_name="App:Big",
                             content={"t": "x" * (128 * 1024 - envelope + 1)})
    # a viewer's message over 128 KB never leaves the client; one just under is stored whole
    assert emu.client_send("room-128", "u1", "字" * (44 * 1024)).outcome == "too_long"
    ok = emu.client_send("room-128", "u1", "字" * 43_000)                 # 129 000 bytes of text
    assert ok.outcome == "stored" and ok.text == "字" * 43_000
    await client.aclose()


@aio
async def test_connect_from_settings_values(emu: RongCloudEmulator, expect_log: list[str]) -> None:
    expect_log.append("giving up")                   # the refused primary, before the failover
    dead = f"http://127.0.0.1:{free_port()}"
    client = connect(dead, backup_url=emu.base_url + "/", app_key=KEY, secret=Secret(SECRET), timeout=2)
    assert client.hosts == [dead, emu.base_url]
    assert await client.gagged("room-connect") == []
    assert client.current_host == emu.base_url
    await client.aclose()
    with pytest.raises(InvalidInput):
        connect("", app_key=KEY, secret=Secret(SECRET))
