"""JPush: the auth vector, pure payload checks, then the real ``JPushClient`` against the sandbox emulator over
127.0.0.1 (every endpoint, the emulator's own validation codes, cid idempotency, quotas and 429, retryable and
non-retryable errors, lost responses, schedules firing, reports growing)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from console.credentials import Secret
from console.errors import InvalidInput, ProviderAuthError, ProviderRejected, ProviderUnavailable, RateLimited
from console.sandbox.jpush import JPushEmulator
from console.services.http import HttpTransportPolicy, RateGate, make_client
from console.services.push.jpush import (
    BEIJING,
    Audience,
    Badge,
    HmosOverride,
    IosOverride,
    JPushClient,
    Message,
    NoTarget,
    Notification,
    Options,
    PeriodicTrigger,
    PushPayload,
    SingleTrigger,
    basic_auth,
    check_audience,
    check_name,
    check_payload,
    check_trigger,
    parse_extras,
    payload_sizes,
)

aio = pytest.mark.asyncio(loop_scope="session")

KEY, SECRET = "7d431e42dfa6a6d693ac2d04", "5e987ac6d2e04d95a9d8f0d1"
USERS = [str(10_000 + i) for i in range(300)]


class Wall:
    """A wall clock shared by the client's policy/gate and the emulator, advanced by sleeps and tests."""

    def __init__(self) -> None:
        self.t = datetime(2026, 6, 1, 12, 0, 30, tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.t


class Sleeps:
    """The policy's and gate's sleep: records the wait and moves the shared clock forward."""

    def __init__(self, wall: Wall) -> None:
        self.wall = wall
        self.slept: list[float] = []

    async def __call__(self, s: float) -> None:
        self.slept.append(round(s, 3))
        self.wall.t += s
        await asyncio.sleep(0)


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest_asyncio.fixture(loop_scope="session")
async def emu(wall: Wall) -> AsyncIterator[JPushEmulator]:
    e = JPushEmulator(app_key=KEY, master_secret=SECRET, clock=wall, tick_s=0, push_quota=600)
    e.populate(USERS, seed=7)
    e.add_device("0a1b2c3d4e5f60718293", "ios", alias="tester", tags=["qa", "ios"])
    e.add_device("1a1b2c3d4e5f60718293", "android", alias="tester", tags=["qa", "android"])
    await e.start()
    yield e
    await e.stop()


def client(emu: JPushEmulator, wall: Wall, *, secret: str = SECRET, timeout: float = 2.0, retries: int = 3,
           sleeps: Sleeps | None = None, **kw: Any) -> tuple[JPushClient, Sleeps]:
    s = sleeps or Sleeps(wall)
    policy = HttpTransportPolicy(gate=RateGate(clock=wall, sleep=s), sleep=s, rand=lambda: 0.5, clock=wall,
                                 wall_clock=wall, retries=retries, max_retry_after_s=65.0)
    jp = JPushClient(app_key=KEY, master_secret=Secret(secret), api=make_client(emu.base_url, timeout=timeout),
                     policy=policy, clock=wall, **kw)
    return jp, s


def payload(aliases: tuple[str, ...] = ("10001", "10002", "10003"), **kw: Any) -> PushPayload:
    n = kw.pop("notification", Notification(title="开播提醒", body="你关注的主播开播了 🎉", badge=Badge.add(1),
                                            deep_link="shihou://room/42", extras={"room_id": 42}))
    return PushPayload(audience=kw.pop("audience", Audience(aliases=aliases)), notification=n,
                       options=kw.pop("options", Options(apns_production=False, time_to_live=3600)), **kw)


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as c:
        yield c


async def araw(http: httpx.AsyncClient, emu: JPushEmulator, method: str, path: str, body: Any = None, *,
               auth: str | None = None, content: bytes | None = None,
               headers: dict[str, str] | None = None) -> httpx.Response:
    """A request as any client could send it (for the emulator's own checks)."""
    h = {"Authorization": auth if auth is not None else basic_auth(KEY, SECRET), **(headers or {})}
    if body is not None:
        content = json.dumps(body, ensure_ascii=False).encode()
        h.setdefault("Content-Type", "application/json")
    return await http.request(method, emu.base_url + path, content=content, headers=h)


def code_of(r: httpx.Response) -> int:
    return int(r.json()["error"]["code"])


# --- auth vector and pure checks -----------------------------------------------------------------------

def test_basic_auth_vector() -> None:
    assert basic_auth(KEY, SECRET) == "Basic N2Q0MzFlNDJkZmE2YTZkNjkzYWMyZDA0OjVlOTg3YWM2ZDJlMDRkOTVhOWQ4ZjBkMQ=="
    assert base64.b64decode(basic_auth(KEY, SECRET)[6:]).decode() == f"{KEY}:{SECRET}"


def test_body_sets_apns_production_and_no_sdk_defaults() -> None:
    body = PushPayload(audience=Audience(aliases=("1",)), notification=Notification(body="hi"),
                       options=Options(apns_production=True)).to_body()
    assert body["options"] == {"apns_production": True}
    assert "badge" not in body["notification"]["ios"] and "sound" not in body["notification"]["ios"]
    assert body["notification"]["android"] == {"alert": "hi"}
    with pytest.raises(TypeError):
        Options()  # type: ignore[call-arg]  # apns_production has no default


def test_badge_semantics() -> None:
    n = Notification(body="x", badge=Badge.set(5))
    b = PushPayload(audience=Audience.all(), notification=n, options=Options(apns_production=False)).to_body()
    assert b["notification"]["ios"]["badge"] == 5 and b["notification"]["android"]["badge_set_num"] == 5
    b = payload(notification=Notification(body="x", badge=Badge.add(3))).to_body()
    assert b["notification"]["ios"]["badge"] == "+3" and b["notification"]["hmos"]["badge_add_num"] == 3
    b = payload(notification=Notification(body="x", badge=Badge.add(-2))).to_body()
    assert b["notification"]["ios"]["badge"] == "-2" and "badge_add_num" not in b["notification"]["android"]
    b = payload(notification=Notification(body="x", badge=Badge.clear())).to_body()
    assert b["notification"]["ios"]["badge"] == 0 and b["notification"]["android"]["badge_set_num"] == 0
    for bad in (Badge.set(100), Badge.add(0), Badge.add(120), Badge.set(-1)):
        with pytest.raises(InvalidInput, match="badge"):
            check_payload(payload(notification=Notification(body="x", badge=bad)))


def test_per_platform_overrides_and_deep_link() -> None:
    n = Notification(title="T", body="B", sound="ding.caf", deep_link="shihou://room/7", extras={"k": 1},
                     ios=IosOverride(body="iOS body", badge=Badge.set(2), thread_id="room7"),
                     hmos=HmosOverride(category="IM", test_message=True))
    b = payload(notification=n, platforms=("ios", "hmos")).to_body("cid-1")
    assert set(b["notification"]) == {"alert", "ios", "hmos"} and b["platform"] == ["ios", "hmos"]
    ios = b["notification"]["ios"]
    assert ios["alert"] == {"title": "T", "body": "iOS body"} and ios["badge"] == 2 and ios["sound"] == "ding.caf"
    assert ios["thread-id"] == "room7" and ios["extras"] == {"k": 1, "deep_link": "shihou://room/7"}
    h = b["notification"]["hmos"]
    assert h["intent"] == {"url": "shihou://room/7"} and h["category"] == "IM" and h["test_message"] is True
    assert b["cid"] == "cid-1"


def test_emoji_text_is_fine_and_counted_in_bytes() -> None:
    sizes = check_payload(payload(notification=Notification(body="🎉" * 100)))
    plain = check_payload(payload(notification=Notification(body="a" * 100)))
    assert sizes["ios"].size - plain["ios"].size == 300        # 4 bytes per emoji instead of 1


def test_ten_kb_text_is_refused_before_sending() -> None:
    with pytest.raises(InvalidInput, match=r"too large for Android 10512 bytes \(limit 4000\), iOS \d+ bytes \(limit 2000\)"):
        check_payload(payload(notification=Notification(body="长" * 3500)))     # 10.5 KB of UTF-8
    # Android only: 4000 bytes for notification + message together
    p = payload(notification=Notification(body="x" * 2500), message=Message(content="y" * 1600),
                platforms=("android",))
    assert payload_sizes(p)["android"].size > 4000
    with pytest.raises(InvalidInput, match=r"too large for Android \d+ bytes \(limit 4000\);"):
        check_payload(p)
    assert check_payload(payload(notification=Notification(body="x" * 1900), platforms=("android",)))


def test_bad_text_characters() -> None:
    with pytest.raises(InvalidInput, match="unpaired surrogate"):
        check_payload(payload(notification=Notification(body="broken \ud83d")))
    with pytest.raises(InvalidInput, match="control character U\\+0007"):
        check_payload(payload(notification=Notification(body="bell \a")))
    with pytest.raises(InvalidInput, match="body: is empty"):
        check_payload(payload(notification=Notification(body="   ")))


def test_audience_rules() -> None:
    with pytest.raises(InvalidInput, match="audience: is empty"):
        check_audience(Audience())
    with pytest.raises(InvalidInput, match="1001 aliases, at most 1000.*batches of 1000"):
        check_audience(Audience(aliases=tuple(str(i) for i in range(1001))))
    check_audience(Audience(aliases=tuple(str(i) for i in range(1000))))
    with pytest.raises(InvalidInput, match="21 tags"):
        check_audience(Audience(tags=tuple(f"t{i}" for i in range(21))))
    with pytest.raises(InvalidInput, match="cannot be combined"):
        check_audience(Audience(everyone=True, tags=("vip",)))
    for bad, why in (("", "empty"), ("with space", "' '"), ("猫🐱", "'🐱'"), ("a" * 41, "41 bytes"),
                     ("北京" * 7, "42 bytes"), ("semi;colon", "';'")):
        with pytest.raises(InvalidInput, match=why):
            check_name("tag", bad)
    for ok in ("北京", "vip_2024", "a@b.c", "x|y", "￥100", "A" * 40, "中" * 13):
        assert check_name("alias", ok) == ok
    with pytest.raises(InvalidInput, match="not a registration id"):
        check_audience(Audience(registration_ids=("abc-def",)))


def test_extras_must_be_json() -> None:
    with pytest.raises(InvalidInput, match="extras: is not valid JSON"):
        check_payload(payload(notification=Notification(body="x", extras={"when": datetime.now(UTC)})))
    with pytest.raises(InvalidInput, match="extras: is not valid JSON"):
        check_payload(payload(notification=Notification(body="x", extras={"nan": float("nan")})))
    with pytest.raises(InvalidInput, match="key 1 is not text"):
        check_payload(payload(notification=Notification(body="x", extras={1: "a"})))  # type: ignore[dict-item]
    with pytest.raises(InvalidInput, match="Expecting .,. delimiter at line 1, column 11"):
        parse_extras('{"room": 4')
    with pytest.raises(InvalidInput, match="must be a JSON object"):
        parse_extras("[1, 2]")
    assert parse_extras(' {"room": 42, "src": "推送"} ') == {"room": 42, "src": "推送"} and parse_extras("") == {}


def test_schedule_trigger_rules() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="in the past"):
        check_trigger(SingleTrigger(now - timedelta(minutes=1)), now=now)
    with pytest.raises(InvalidInput, match="one year"):
        check_trigger(SingleTrigger(now + timedelta(days=400)), now=now)
    with pytest.raises(InvalidInput, match="time zone"):
        check_trigger(SingleTrigger(datetime(2026, 7, 1, 12, 0)), now=now)
    check_trigger(SingleTrigger(now + timedelta(minutes=5)), now=now)
    assert SingleTrigger(datetime(2026, 6, 1, 4, 0, tzinfo=UTC)).to_json() == {"single": {"time": "2026-06-01 12:00:00"}}
    week = PeriodicTrigger(time=dtime(20, 0), start=now, end=now + timedelta(days=30), unit="week", points=("FRI",))
    check_trigger(week, now=now)
    assert week.to_json()["periodical"]["point"] == ["FRI"]
    with pytest.raises(InvalidInput, match="weekdays"):
        check_trigger(PeriodicTrigger(time=dtime(20, 0), start=now, end=now + timedelta(days=30), unit="week"),
                      now=now)
    with pytest.raises(InvalidInput, match="takes no days"):
        check_trigger(PeriodicTrigger(time=dtime(20, 0), start=now, end=now + timedelta(days=3), points=("01",)),
                      now=now)
    with pytest.raises(InvalidInput, match="never fires"):      # the 31st within a 10-day June window
        check_trigger(PeriodicTrigger(time=dtime(9, 0), start=now, end=now + timedelta(days=10), unit="month",
                                      points=("31",)), now=now)
    with pytest.raises(InvalidInput, match="in the past"):
        check_trigger(PeriodicTrigger(time=dtime(9, 0), start=now - timedelta(days=9), end=now - timedelta(days=1)),
                      now=now)


# --- against the emulator ------------------------------------------------------------------------------

@aio
async def test_wrong_secret_and_missing_auth_per_api_family(emu: JPushEmulator, wall: Wall,
        http: httpx.AsyncClient) -> None:
    jp, _ = client(emu, wall, secret="wrong-secret-0000")
    with pytest.raises(ProviderAuthError) as e:
        await jp.cid()
    assert e.value.code == "1004" and e.value.http_status == 401
    with pytest.raises(ProviderAuthError, match="code=3001"):
        await jp.received(["18100000001"])
    with pytest.raises(ProviderAuthError, match="code=8101"):
        await jp.schedules()
    with pytest.raises(ProviderAuthError, match="code=7004"):
        await jp.tags()
    await jp.aclose()
    r = await araw(http, emu, "GET", "/v3/push/cid", auth="")
    assert r.status_code == 401 and code_of(r) == 1004
    r = await araw(http, emu, "GET", "/v3/tags/", auth="")
    assert r.status_code == 401 and code_of(r) == 7001
    assert all(c.status == 401 for c in emu.calls) and not emu.pushes


@aio
async def test_push_validate_and_cid_round_trip(emu: JPushEmulator, wall: Wall) -> None:
    jp, _ = client(emu, wall)
    cids = await jp.cids(25)                              # non-VIP: at most 10 per call, so three calls
    assert len(set(cids)) == 25 and all(c.startswith(KEY + "-") for c in cids)
    assert sum(1 for c in emu.calls if c.op == "cid") == 3
    v = await jp.validate(payload())
    assert v.msg_id.isdigit() and not emu.pushes           # validate delivers nothing
    res = await jp.push(payload(), cid=cids[0])
    rec = emu.record(res.msg_id)
    assert rec is not None and rec.cid == cids[0] and len(rec.targets) >= 3
    assert rec.body["options"]["apns_production"] is False and rec.body["cid"] == cids[0]
    assert int(res.msg_id) > 2 ** 32                       # msg ids beyond 32 bits travel as strings
    assert jp.quota["push"].quota == 600 and jp.quota["push"].remaining == 600 - 5
    await jp.aclose()


@aio
async def test_cid_resend_returns_the_original_msg_id(emu: JPushEmulator, wall: Wall) -> None:
    jp, _ = client(emu, wall)
    cid = await jp.cid()
    first = await jp.push(payload(), cid=cid)
    again = await jp.push(payload(), cid=cid)
    changed = await jp.push(payload(aliases=("10005",)), cid=cid)    # whatever the body, the cid wins
    assert first.msg_id == again.msg_id == changed.msg_id
    assert emu.deliveries(cid) == 1 and len(emu.pushes) == 1
    with pytest.raises(ProviderRejected, match="Invalid cid") as e:
        await jp.push(payload(), cid=f"{KEY}-not-issued")
    assert e.value.code == "1003"
    with pytest.raises(InvalidInput, match="cid"):
        await jp.push(payload(), cid="")
    wall.t += 86400 + 1                                    # a day later the cid is no longer valid
    with pytest.raises(ProviderRejected, match="expired"):
        await jp.push(payload(), cid=cid)
    await jp.aclose()


@aio
async def test_invalid_input_never_reaches_the_provider(emu: JPushEmulator, wall: Wall) -> None:
    jp, _ = client(emu, wall)
    cid = await jp.cid()
    n_calls = len(emu.calls)
    bad = [payload(audience=Audience()), payload(aliases=tuple(str(i) for i in range(1001))),
           payload(aliases=("ok", "bad alias")), payload(notification=Notification(body="长" * 3500)),
           payload(notification=Notification(body="x", extras={"s": {1, 2}})),
           payload(notification=Notification(body="x", deep_link="room 42"))]
    for p in bad:
        with pytest.raises(InvalidInput):
            await jp.push(p, cid=cid)
        with pytest.raises(InvalidInput):
            await jp.validate(p)
    with pytest.raises(InvalidInput, match="apns_production"):
        await jp.push({"platform": "all", "audience": "all", "notification": {"alert": "x"}}, cid=cid)
    with pytest.raises(InvalidInput, match="in the past"):
        await jp.create_schedule("past", SingleTrigger(datetime.fromtimestamp(wall.t - 60, UTC)), payload())
    assert len(emu.calls) == n_calls and not emu.pushes
    await jp.aclose()


@aio
async def test_emulator_validation_codes(emu: JPushEmulator, wall: Wall,
        http: httpx.AsyncClient) -> None:
    ok = {"platform": "all", "audience": {"alias": ["10001"]}, "notification": {"alert": "hi"},
          "options": {"apns_production": False}}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({k: v for k, v in ok.items() if k != "audience"}, 1002, "audience"),
        ({**ok, "notification": None, "message": None} | {"notification": {"android": {"title": "t"}}}, 1002, "alert"),
        ({**ok, "message": {"title": "no content"}}, 1002, "msg_content"),
        ({**ok, "audience": {"tag": [""]}}, 1003, "empty"),
        ({**ok, "audience": {"alias": ["bad alias"]}}, 1003, "invalid"),
        ({**ok, "audience": {"alias": [str(i) for i in range(1001)]}}, 1003, "at most 1000"),
        ({**ok, "audience": {}}, 1003, "empty"),
        ({**ok, "platform": ["android", "blackberry"]}, 1003, "platform"),
        ({**ok, "notification": {"ios": {"alert": "x", "badge": "+100"}}}, 1003, "badge"),
        ({**ok, "options": {"time_to_live": -1}}, 1003, "time_to_live"),
        ({**ok, "options": {"override_msg_id": 123}}, 1003, "override_msg_id"),
        ({**ok, "notification": {"ios": {"alert": "長" * 700}}}, 1005, "iOS"),
        ({**ok, "notification": {"android": {"alert": "x" * 3000}}, "message": {"msg_content": "y" * 1200}},
         1005, "android"),
        ({**ok, "notification": {"android": {"alert": "x", "build_id": 1}}}, 1009, "build_id"),
        ({**ok, "colour": "red"}, 1009, "colour"),
        ({**ok, "audience": {"alias": ["nobody_here"]}}, 1011, "cannot find"),
        ({**ok, "audience": {"tag": ["vip"], "tag_and": ["no_such_tag"]}}, 1011, "cannot find"),
    ]
    for body, code, text in cases:
        for path in ("/v3/push", "/v3/push/validate"):
            r = await araw(http, emu, "POST", path, body)
            assert r.status_code == 400 and code_of(r) == code, (body, r.text)
            assert text in r.json()["error"]["message"], r.text
    r = await araw(http, emu, "POST", "/v3/push", {**ok, "platform": ["android", "winphone"],
                                                   "notification": {"alert": "长" * 400}})
    assert code_of(r) == 1005 and "WinPhone" in r.text
    r = await araw(http, emu, "POST", "/v3/push/validate", {**ok, "notification": {"alert": "长" * 400}})
    assert r.status_code == 200, r.text                  # "all" is not held to WinPhone's 1000 bytes
    r = await araw(http, emu, "POST", "/v3/push", content=b"{not json", headers={"Content-Type": "application/json"})
    assert code_of(r) == 1003
    r = await araw(http, emu, "GET", "/v3/push")
    assert r.status_code == 405 and code_of(r) == 1001
    assert not emu.pushes


@aio
async def test_emulator_accepts_what_real_clients_send(emu: JPushEmulator, wall: Wall,
        http: httpx.AsyncClient) -> None:
    """providers.md §9: no options, android.sound, quickapp, \\u escapes, /v3/schedules/, content-type on GET."""
    body = (b'{"platform":["android","ios","quickapp"],"audience":{"alias":["10001"]},'
            b'"notification":{"alert":"\\u5f00\\u64ad\\u5566","android":{"alert":"x","sound":"bell"}}}')
    r = await araw(http, emu, "POST", "/v3/push", content=body, headers={"Content-Type": "application/json;charset:utf-8"})
    assert r.status_code == 200 and r.json()["sendno"] == "0", r.text
    assert emu.pushes[-1].body["notification"]["alert"] == "开播啦"
    assert {"x-rate-limit-quota", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(r.headers)
    r = await araw(http, emu, "GET", "/v3/push/cid?count=2", headers={"Content-Type": "application/json"})
    assert r.status_code == 200 and len(r.json()["cidlist"]) == 2
    trig = {"single": {"time": datetime.fromtimestamp(wall.t + 3600, BEIJING).strftime("%Y-%m-%d %H:%M:%S")}}
    sched = {"name": "slash", "enabled": True, "trigger": trig,
             "push": {"platform": "all", "audience": "all", "notification": {"alert": "x"}}}
    r = await araw(http, emu, "POST", "/v3/schedules/", sched)
    assert r.status_code == 200 and r.json()["name"] == "slash"
    r = await araw(http, emu, "GET", "/v3/schedules/")
    assert r.json()["total_count"] == 1


@aio
async def test_schedules_crud_and_firing(emu: JPushEmulator, wall: Wall) -> None:
    jp, _ = client(emu, wall)
    now = datetime.fromtimestamp(wall.t, UTC)
    once = await jp.create_schedule("开播提醒 once", SingleTrigger(now + timedelta(minutes=10)), payload())
    daily = await jp.create_schedule(
        "daily", PeriodicTrigger(time=(now + timedelta(hours=1)).astimezone(BEIJING).time().replace(microsecond=0),
                                 start=now, end=now + timedelta(days=3, hours=2)), payload(aliases=("10010",)))
    got = await jp.schedule(once.schedule_id)
    assert got.name == "开播提醒 once" and got.push["audience"] == {"alias": ["10001", "10002", "10003"]}
    assert "cid" not in got.push and got.next_time == (now + timedelta(minutes=10)).astimezone(BEIJING)
    page = await jp.schedules()
    assert page.total_count == 2 and {s.name for s in page.schedules} == {"开播提醒 once", "daily"}
    assert (await jp.find_schedule("daily")) is not None
    upd = await jp.update_schedule(once.schedule_id, name="renamed")
    assert upd.name == "renamed" and (await jp.schedule(once.schedule_id)).name == "renamed"
    assert emu.tick() == [] and not emu.pushes
    wall.t += 11 * 60
    fired = emu.tick()
    assert len(fired) == 1 and emu.record(fired[0]).schedule_id == once.schedule_id  # type: ignore[union-attr]
    assert await jp.schedule_msg_ids(once.schedule_id) == fired
    assert emu.tick() == []                               # fires once
    wall.t += 3 * 86400 + 3600
    assert len(emu.tick()) == 4                           # day 0..3 at now+1h, all before the end
    assert len(await jp.schedule_msg_ids(daily.schedule_id)) == 4
    await jp.update_schedule(daily.schedule_id, enabled=False)
    assert await jp.delete_schedule(daily.schedule_id) is True
    assert await jp.delete_schedule(daily.schedule_id) is False          # already gone: fine after a lost answer
    with pytest.raises(ProviderRejected, match="code=8104"):
        await jp.schedule(daily.schedule_id)
    with pytest.raises(ProviderRejected, match="code=8104"):
        await jp.delete_schedule(daily.schedule_id, missing_ok=False)
    await jp.aclose()


@aio
async def test_weekly_schedule_and_emulator_schedule_errors(emu: JPushEmulator, wall: Wall,
        http: httpx.AsyncClient) -> None:
    jp, _ = client(emu, wall)
    now = datetime.fromtimestamp(wall.t, UTC)           # Monday 2026-06-01 20:00:30 Beijing
    week = await jp.create_schedule("weekly", PeriodicTrigger(time=dtime(21, 0), start=now, end=now + timedelta(
        days=20), unit="week", points=("MON", "WED")), payload())
    wall.t += 14 * 86400
    assert len(emu.tick()) == 4                           # Mon 1, Wed 3, Mon 8, Wed 10 (Mon 15 21:00 not yet)
    assert len(await jp.schedule_msg_ids(week.schedule_id)) == 4
    past = datetime.fromtimestamp(wall.t - 60, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    push = {"platform": "all", "audience": "all", "notification": {"alert": "x"}}
    base: dict[str, Any] = {"name": "x", "enabled": True, "push": push}
    for trig, text in (({"single": {"time": past}}, "past"), ({"single": {"time": "2026-06-01"}}, "YYYY"),
                       ({"periodical": {"start": past, "end": past, "time": "10:00:00", "time_unit": "day",
                                        "frequency": 1}}, "end must follow")):
        r = await araw(http, emu, "POST", "/v3/schedules", {**base, "trigger": trig})
        assert r.status_code == 400 and code_of(r) == 8100 and text in r.text, r.text
    future = datetime.fromtimestamp(wall.t + 600, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    r = await araw(http, emu, "POST", "/v3/schedules", {**base, "enabled": False, "trigger": {"single": {"time": future}}})
    assert code_of(r) == 8100 and "enabled" in r.text
    r = await araw(http, emu, "POST", "/v3/schedules", {**base, "trigger": {"single": {"time": future}},
                                                  "push": {**push, "notification": {"ios": {"alert": "x" * 2100}}}})
    assert code_of(r) == 8100 and "(1005)" in r.text
    await jp.aclose()


@aio
async def test_reports_grow_over_time(emu: JPushEmulator, wall: Wall) -> None:
    emu.vip = True                                        # /v3/messages is a VIP API
    jp, _ = client(emu, wall)
    aliases = tuple(USERS[:200])
    res = await jp.push(payload(aliases=aliases), cid=await jp.cid())
    rec = emu.record(res.msg_id)
    assert rec is not None
    n = len(rec.targets)
    assert n >= 200                                       # some users have two devices
    series = []
    for step in (0, 5, 30, 120, 1200):
        wall.t = rec.at + step
        [r] = await jp.received([res.msg_id])
        [d] = await jp.received_detail([res.msg_id])
        [m] = await jp.messages([res.msg_id])
        series.append((r.android_received or 0) + (r.ios_apns_received or 0) + (m.platforms["hmos"].received or 0))
        assert r.ios_apns_sent == m.platforms["ios"].target and r.ios_msg_received is None
        assert d.jpush_received is not None and d.android_pns_sent is not None
        assert d.jpush_received + d.android_pns_sent <= m.platforms["android"].target  # type: ignore[operator]
    assert series == sorted(series) and series[0] < series[2] < series[-1]
    clicks = sum(m.platforms[p].click or 0 for p in ("android", "ios", "hmos"))
    assert 0 < clicks < series[-1] and series[-1] <= n
    assert 0.8 * n <= series[-1]                          # ~92 % reachable, nearly all by 20 minutes
    regs = emu.registration_ids("10000")
    status = await jp.message_status(res.msg_id, [*regs, "ffffffffffffffffff0", emu.registration_ids("10250")[0]],
                                     day=date(2026, 6, 1))
    assert status["ffffffffffffffffff0"] == 2 and status[emu.registration_ids("10250")[0]] == 3
    assert all(status[r] in (0, 1) for r in regs)
    [unknown] = await jp.received(["999"])
    assert unknown.android_received is None
    n_calls = len(emu.calls)
    rows = await jp.received([res.msg_id, *(str(i) for i in range(1, 250))])     # 100 per call
    assert len(rows) == 250 and len(emu.calls) - n_calls == 3 and rows[0].msg_id == res.msg_id
    with pytest.raises(InvalidInput, match="not a msg_id"):
        await jp.received(["12a"])
    stats = await jp.campaign_stats([res.msg_id])
    assert stats.clicks_known and stats.received == series[-1] and stats.clicked == clicks
    assert stats.platforms["android"].target == m.platforms["android"].target
    emu.vip = False                                       # no VIP report API: received only, no clicks
    with pytest.raises(ProviderRejected, match="code=2006"):
        await jp.messages([res.msg_id])
    basic = await jp.campaign_stats([res.msg_id])
    assert not basic.clicks_known and basic.clicked == 0
    assert basic.platforms["android"].received == stats.platforms["android"].received
    await jp.aclose()


@aio
async def test_device_tag_alias_lookups(emu: JPushEmulator, wall: Wall) -> None:
    jp, _ = client(emu, wall)
    assert set(await jp.alias_devices("tester")) == {"0a1b2c3d4e5f60718293", "1a1b2c3d4e5f60718293"}
    assert await jp.alias_devices("tester", ["ios"]) == ["0a1b2c3d4e5f60718293"]
    info = await jp.device("0a1b2c3d4e5f60718293")
    assert info.alias == "tester" and set(info.tags) == {"qa", "ios"}
    tags = await jp.tags()
    assert {"qa", "vip", "北京", "android"} <= set(tags)
    assert await jp.tag_has_device("qa", "0a1b2c3d4e5f60718293") is True
    assert await jp.tag_has_device("vip", "0a1b2c3d4e5f60718293") is False
    count = await jp.count_alias_devices(["tester", "10001", "nobody"])
    assert count.aliases == 3 and count.aliases_with_devices == 2 and count.devices >= 3
    with pytest.raises(ProviderRejected, match="code=7002"):
        await jp.device("ffffffffffffffffff0")
    await jp.aclose()


@aio
async def test_quota_exhausted_waits_out_reset(emu: JPushEmulator, wall: Wall) -> None:
    emu.set_quota("push", 4)
    jp, sleeps = client(emu, wall)
    cids = await jp.cids(3)                               # 1 call
    for c in cids:
        await jp.push(payload(), cid=c)                   # calls 2, 3, 4: the window is used up
    assert jp.quota["push"].remaining == 0
    t0 = wall.t
    extra = await jp.cid()                               # waits for the reset instead of being refused
    assert extra and wall.t - t0 >= 29 and max(sleeps.slept) >= 29       # 12:00:30 → the window ends at 12:01:00
    assert not [c for c in emu.calls if c.status == 429]
    assert [n for _, n in emu.window_counts()] == [3]
    # a 429 the client did not see coming: X-Rate-Limit-Reset is waited out, then the same cid is resent
    emu.inject("push", "429", retry_after_s=17)
    sleeps.slept.clear()
    res = await jp.push(payload(), cid=extra)
    assert 17.0 in sleeps.slept and emu.deliveries(extra) == 1
    sent = [c for c in emu.calls if c.op == "push" and c.cid == extra]
    assert [c.status for c in sent] == [200] and res.msg_id
    assert [n for _, n in emu.window_counts()] == [3, 1]
    await jp.aclose()


@aio
async def test_real_429_body_and_headers(emu: JPushEmulator, http: httpx.AsyncClient) -> None:
    emu.set_quota("report", 1)
    await araw(http, emu, "GET", "/v3/received?msg_ids=1")
    r = await araw(http, emu, "GET", "/v3/received?msg_ids=1")
    assert r.status_code == 429 and code_of(r) == 2002
    assert r.headers["X-Rate-Limit-Remaining"] == "0" and r.headers["X-Rate-Limit-Quota"] == "1"
    assert 1 <= int(r.headers["X-Rate-Limit-Reset"]) <= 60


@aio
async def test_rate_limited_after_retries(emu: JPushEmulator, wall: Wall, expect_log: list[str]) -> None:
    expect_log.append("giving up")
    jp, _ = client(emu, wall, retries=1)
    emu.inject("received", "429", count=2, retry_after_s=5)
    with pytest.raises(RateLimited):
        await jp.received(["1"])
    await jp.aclose()


@aio
@pytest.mark.parametrize("kind", ["500", "502", "503", "504", "malformed"])
async def test_retryable_failures_are_retried_with_the_same_cid(emu: JPushEmulator, wall: Wall, kind: str) -> None:
    jp, _ = client(emu, wall)
    cid = await jp.cid()
    emu.inject("push", kind, count=2)                    # type: ignore[arg-type]
    res = await jp.push(payload(), cid=cid)
    sent = [c for c in emu.calls if c.op == "push"]
    assert len(sent) == 3 and {c.fault for c in sent[:2]} == {kind} and sent[2].status == 200
    assert emu.deliveries(cid) == 1 and emu.record(res.msg_id) is not None
    assert emu.pushes[0].body["cid"] == cid
    await jp.aclose()


@aio
async def test_not_retryable_codes(emu: JPushEmulator, wall: Wall) -> None:
    jp, _ = client(emu, wall)
    cid = await jp.cid()
    with pytest.raises(NoTarget) as e:
        await jp.push(payload(aliases=("nobody_here",)), cid=cid)
    assert e.value.code == "1011" and not e.value.retryable
    body = {"platform": "all", "audience": {"alias": ["10001"]}, "options": {"apns_production": True},
            "notification": {"android": {"alert": "x", "build_id": 2}}}
    with pytest.raises(ProviderRejected) as e2:
        await jp.push(body, cid=cid)
    assert e2.value.code == "1009" and not e2.value.retryable
    assert [c.status for c in emu.calls if c.op == "push"] == [400, 400]     # each sent once
    assert emu.deliveries(cid) == 0
    res = await jp.push(payload(), cid=cid)              # the cid is still unused: a good push goes out once
    assert emu.deliveries(cid) == 1 and res.msg_id
    await jp.aclose()


@aio
async def test_lost_response_then_retry_gives_exactly_one_delivery(emu: JPushEmulator, wall: Wall) -> None:
    jp, _ = client(emu, wall)
    cid = await jp.cid()
    emu.lose_response("push")                            # accepted, then the connection is dropped
    res = await jp.push(payload(), cid=cid)
    sent = [c for c in emu.calls if c.op == "push"]
    assert [c.fault for c in sent] == ["reset", None] and all(c.cid == cid for c in sent)
    assert emu.deliveries(cid) == 1 and len(emu.pushes) == 1 and emu.pushes[0].msg_id == res.msg_id
    # the same after a timeout whose push was made
    cid2 = await jp.cid()
    emu.inject("push", "timeout", delay_s=3.0, apply=True)
    res2 = await jp.push(payload(), cid=cid2)
    assert emu.deliveries(cid2) == 1 and res2.msg_id == emu.pushes[1].msg_id and len(emu.pushes) == 2
    await jp.aclose()


@aio
async def test_crash_after_lost_response_resent_later_by_another_client(emu: JPushEmulator, wall: Wall,
                                                                       expect_log: list[str]) -> None:
    """The console dies before it hears the answer (no retries left); after a restart the stored cid is sent
    again by a new client: the original msg_id comes back and nothing is pushed twice."""
    expect_log.append("giving up")
    jp, _ = client(emu, wall, retries=0)
    cid = await jp.cid()
    emu.lose_response("push")
    with pytest.raises(ProviderUnavailable) as e:
        await jp.push(payload(), cid=cid)
    assert e.value.retryable and emu.deliveries(cid) == 1
    await jp.aclose()
    jp2, _ = client(emu, wall)
    res = await jp2.push(payload(), cid=cid)
    assert res.msg_id == emu.pushes[0].msg_id and emu.deliveries(cid) == 1 and len(emu.pushes) == 1
    await jp2.aclose()


@aio
async def test_many_pushes_under_chaos_no_duplicates_none_lost(emu: JPushEmulator, wall: Wall,
                                                              expect_log: list[str]) -> None:
    expect_log.append("giving up")
    emu.lose_response("push", count=3)                   # the first three are made and their answers lost
    emu.chaos("push", p=0.35, kinds=("500", "503", "timeout", "reset"), seed=3, apply_p=0.5, delay_s=3.0)
    jp, _ = client(emu, wall, timeout=0.5, retries=8)
    cids = await jp.cids(20)
    batches = [tuple(USERS[i * 10:(i + 1) * 10]) for i in range(20)]
    results = await asyncio.gather(*(jp.push(payload(aliases=b), cid=c) for b, c in zip(batches, cids, strict=True)))
    assert len({r.msg_id for r in results}) == 20
    per_cid = emu.deliveries_by_cid()
    assert {c: per_cid.get(c, 0) for c in cids} == {c: 1 for c in cids}
    faults = [c for c in emu.calls if c.op == "push" and c.fault]
    assert len(faults) >= 5 and sum(1 for c in faults if c.fault == "reset" and c.cid) >= 3
    emu.clear_faults()
    await jp.aclose()


@aio
async def test_sandbox_control_endpoint(emu: JPushEmulator, wall: Wall,
        http: httpx.AsyncClient) -> None:
    r = await http.post(emu.base_url + "/_sandbox/quota", json={"push": 50})
    assert r.status_code == 200 and r.json()["quotas"]["push"] == 50
    r = await http.post(emu.base_url + "/_sandbox/lose", json={"target": "push"})
    assert r.json()["pending_faults"] == 1
    r = await http.post(emu.base_url + "/_sandbox/inject", json={"kind": "nonsense"})
    assert r.status_code == 400
    jp, _ = client(emu, wall)
    cid = await jp.cid()
    await jp.push(payload(), cid=cid)
    r = await http.get(emu.base_url + "/_sandbox/deliveries")
    assert r.json() == {cid: 1}
    await jp.aclose()


@aio
async def test_sandbox_population_from_the_shared_database(known_db: Any) -> None:
    """The training sandbox's devices come from the users' devices; a push to their aliases reaches them."""
    from console.sandbox.jpush import (
        SANDBOX_APP_KEY,
        SANDBOX_MASTER_SECRET,
        population_from_db,
        start_sandbox_jpush,
    )

    specs = await population_from_db(known_db)
    assert specs and {s.alias for s in specs} == {"10000001", "10000003"}     # they share one phone
    assert all(s.platform == "android" and "appstore" in s.tags for s in specs)
    assert len({s.registration_id for s in specs}) == 1
    emu, settings = await start_sandbox_jpush(known_db, tick_s=0)
    try:
        assert settings["jpush.url"] == settings["jpush.report_url"] == emu.base_url
        assert settings["jpush.app_key"] == SANDBOX_APP_KEY and emu.device_count == 1
        jp = JPushClient.create(app_key=SANDBOX_APP_KEY, master_secret=Secret(SANDBOX_MASTER_SECRET),
                                api_url=settings["jpush.url"], report_url=settings["jpush.report_url"],
                                device_url=settings["jpush.device_url"], timeout=5)
        res = await jp.push(payload(aliases=("10000003",)), cid=await jp.cid())
        assert emu.record(res.msg_id).targets == [0]  # type: ignore[union-attr]
        with pytest.raises(NoTarget):
            await jp.push(payload(aliases=("10000001",)), cid=await jp.cid())   # the device moved to 10000003
        assert await jp.tags() == ["android", "appstore"]
        await jp.aclose()
    finally:
        await emu.stop()


@aio
async def test_emulator_as_its_own_process() -> None:
    """``python -m console.sandbox.jpush``: the sandbox can keep JPush out of the console's interpreter."""
    import sys

    from console.sandbox.jpush import SANDBOX_APP_KEY, SANDBOX_MASTER_SECRET

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "console.sandbox.jpush", "--aliases", "50", "--stdin", "--report-s", "0.2",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None and proc.stdin is not None
    try:
        hello = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
        assert hello["app_key"] == SANDBOX_APP_KEY and hello["devices"] >= 50
        jp = JPushClient.create(app_key=SANDBOX_APP_KEY, master_secret=Secret(SANDBOX_MASTER_SECRET),
                                api_url=hello["base_url"], report_url=hello["base_url"], device_url=hello["base_url"])
        cid = await jp.cid()
        await jp.push(payload(aliases=("10000001", "10000002")), cid=cid)
        await jp.push(payload(aliases=("10000001", "10000002")), cid=cid)
        async with httpx.AsyncClient() as h:
            assert (await h.get(hello["base_url"] + "/_sandbox/deliveries")).json() == {cid: 1}
        await jp.aclose()
        for _ in range(100):                              # counter lines from before the pushes may be queued
            line = json.loads(await asyncio.wait_for(proc.stdout.readline(), 10))
            if line["pushes"]:
                break
        assert line == {"pushes": 1, "schedules": 0, "duplicate_cids": 0}
    finally:
        proc.stdin.close()
        assert await asyncio.wait_for(proc.wait(), 15) == 0


@aio
async def test_emulator_device_writes(emu: JPushEmulator, wall: Wall, http: httpx.AsyncClient) -> None:
    jp, _ = client(emu, wall)
    rid = "0a1b2c3d4e5f60718293"
    r = await araw(http, emu, "POST", f"/v3/devices/{rid}", {"tags": {"add": ["深圳"], "remove": ["qa"]},
                                                            "alias": "tester2"})
    assert r.status_code == 200
    info = await jp.device(rid)
    assert info.alias == "tester2" and set(info.tags) == {"ios", "深圳"}
    assert await jp.alias_devices("tester") == ["1a1b2c3d4e5f60718293"]
    r = await araw(http, emu, "POST", "/v3/tags/campaign_x", {"registration_ids": {"add": [rid]}})
    assert r.status_code == 200 and await jp.tag_has_device("campaign_x", rid)
    res = await jp.push(payload(audience=Audience(tags=("campaign_x",))), cid=await jp.cid())
    assert emu.record(res.msg_id).targets == [emu.device_count - 2]  # type: ignore[union-attr]
    r = await araw(http, emu, "DELETE", "/v3/tags/campaign_x")
    assert r.status_code == 200 and "campaign_x" not in await jp.tags()
    r = await araw(http, emu, "DELETE", "/v3/aliases/tester2")
    assert r.status_code == 200 and await jp.alias_devices("tester2") == []
    r = await araw(http, emu, "POST", f"/v3/devices/{rid}", {"tags": {"add": ["bad tag"]}})
    assert r.status_code == 400 and code_of(r) == 7002
    await jp.aclose()


@aio
async def test_time_to_live_zero_reaches_online_devices_only(emu: JPushEmulator, wall: Wall) -> None:
    jp, _ = client(emu, wall)
    aliases = tuple(USERS[:300])
    one_day = await jp.push(payload(aliases=aliases, platforms=("android",)), cid=await jp.cid())
    online = await jp.push(payload(aliases=aliases, platforms=("android",),
                                   options=Options(apns_production=True, time_to_live=0)), cid=await jp.cid())
    wall.t += 3600
    [a, b] = await jp.received([one_day.msg_id, online.msg_id])
    assert a.android_received and b.android_received is not None
    assert b.android_received < 0.2 * a.android_received          # only those that got it within a second
    assert emu.record(online.msg_id).body["options"] == {"apns_production": True, "time_to_live": 0}  # type: ignore[union-attr]
    await jp.aclose()


@aio
async def test_schedule_pages_and_active_limit(emu: JPushEmulator, wall: Wall) -> None:
    emu.set_quota("schedule", 1000)
    jp, _ = client(emu, wall)
    at = SingleTrigger(datetime.fromtimestamp(wall.t + 3600, UTC))
    for i in range(55):
        await jp.create_schedule(f"s{i:02d}", at, payload())
    first = await jp.schedules(1)
    assert first.total_count == 55 and first.total_pages == 2 and len(first.schedules) == 50
    assert len((await jp.schedules(2)).schedules) == 5 and len(await jp.all_schedules()) == 55
    emu.max_active_schedules = 55
    with pytest.raises(ProviderRejected, match="at most 55 active schedules") as e:
        await jp.create_schedule("one too many", at, payload())
    assert e.value.code == "8100" and e.value.http_status == 400
    await jp.update_schedule(first.schedules[0].schedule_id, enabled=False)
    assert (await jp.create_schedule("fits now", at, payload())).name == "fits now"
    await jp.aclose()


@aio
async def test_client_from_settings(emu: JPushEmulator, wall: Wall) -> None:
    from console.credentials import MemoryStore
    from console.errors import MissingCredentials
    from console.services.push.jpush import client_from_settings

    store = MemoryStore()
    assert client_from_settings({"jpush.url": "", "jpush.app_key": KEY}, store) is None
    with pytest.raises(MissingCredentials):
        client_from_settings({"jpush.url": emu.base_url, "jpush.app_key": KEY}, store)
    with pytest.raises(InvalidInput, match="jpush.app_key"):
        client_from_settings({"jpush.url": emu.base_url, "jpush.app_key": ""}, store)
    store.set("jpush", KEY, SECRET)
    jp = client_from_settings({"jpush.url": emu.base_url, "jpush.app_key": KEY, "jpush.report_url": ""}, store)
    assert jp is not None
    assert await jp.tags() and (await jp.received(["1"]))[0].msg_id == "1"    # report and device: jpush.url
    await jp.aclose()
    public = client_from_settings({"jpush.url": "https://api.jpush.cn", "jpush.app_key": KEY}, store)
    assert public is not None and str(public._report.base_url) == "https://report.jpush.cn"
    assert str(public._device.base_url) == "https://device.jpush.cn"
    await public.aclose()


@aio
async def test_master_secret_never_logged(emu: JPushEmulator, wall: Wall, caplog: pytest.LogCaptureFixture,
                                         expect_log: list[str]) -> None:
    expect_log.append("giving up")
    caplog.set_level(logging.DEBUG)
    jp, _ = client(emu, wall, retries=1)
    emu.inject("push", "503", count=2)
    with pytest.raises(ProviderUnavailable) as e:
        await jp.push(payload(), cid=await jp.cid())
    jp2, _ = client(emu, wall, secret="another-wrong-secret")
    with pytest.raises(ProviderAuthError) as e2:
        await jp2.tags()
    token = basic_auth(KEY, SECRET).split()[1]
    text = caplog.text + str(e.value) + str(e2.value) + repr(jp._secret)
    assert "/v3/push" in caplog.text and SECRET not in text and token not in text
    assert "another-wrong-secret" not in text
    await jp.aclose()
    await jp2.aclose()
