"""SMS: the signature vector and error mapping, then the real ``AliyunSms`` client against the sandbox
emulator over 127.0.0.1 (limits, OutId dedup, receipts, faults), then ``SmsService`` on SQLite and
PostgreSQL (resend code through the outbox, campaigns with two-person approval, quiet hours, exactly once
with a lost answer, delivery reports, bad input refused before anything is sent)."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa

from console.credentials import Secret
from console.db import tables as t
from console.db import tables_sms as ts
from console.db.engine import make_engine
from console.domain import ROLE_PERMISSIONS, ActionStatus, Changes, Role, UserId
from console.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    ProviderAuthError,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
)
from console.sandbox.sms import AliyunSmsEmulator, seed_templates
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.events import EventHub
from console.services.http import HttpTransportPolicy, make_client
from console.services.sms.gateway import (
    AliyunSms,
    SmsLimited,
    SmsTemplate,
    check_params,
    check_phone,
    error_for,
    percent_encode,
    sign,
)
from console.services.sms.service import (
    RESEND_PERMISSION,
    ApprovalRefused,
    Audience,
    ResendTooSoon,
    SmsService,
    in_quiet_hours,
    quiet_until,
)
from tests.conftest import add_operator, insert_known_users, operator
from tests.test_chat_pane import until

aio = pytest.mark.asyncio(loop_scope="session")
ROOT = Path(__file__).resolve().parents[1]

AK, SK = "LTAItest", "sms-test-secret"
CODE_TPL = SmsTemplate(code="SMS_216427811", content="您的验证码为${code}，5分钟内有效，请勿泄露给他人。", kind="code")
GIFT_TPL = SmsTemplate(code="SMS_245512083", content="好久不见！回到狮吼直播领取${gift}，${days}天内有效。拒收请回复R",
                       kind="marketing")
# 2025-06-01 12:00 China time (04:00 UTC): outside the default quiet hours 21:00-08:00
START = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)


class Wall:
    def __init__(self, at: datetime = START) -> None:
        self.t = at.timestamp()

    def __call__(self) -> float:
        return self.t

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)

    def advance(self, seconds: float) -> None:
        self.t += seconds


async def _no_sleep(_s: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest_asyncio.fixture(loop_scope="session")
async def emu(wall: Wall) -> AsyncIterator[AliyunSmsEmulator]:
    e = AliyunSmsEmulator(access_key_id=AK, secret=SK, clock=wall, receipt_delay_s=5.0)
    await e.start()
    yield e
    await e.stop()


def client(emu: AliyunSmsEmulator, wall: Wall, *, secret: str = SK, timeout: float = 2.0) -> AliyunSms:
    policy = HttpTransportPolicy(sleep=_no_sleep, rand=lambda: 0.5)
    return AliyunSms(make_client(emu.base_url, timeout=timeout), access_key_id=AK, secret=Secret(secret),
                     sign_name="狮吼直播", policy=policy, clock=wall, isp_backoff_s=0.0)


# --- pure: the vector, encoding, mapping, validation ----------------------------------------------

VECTOR = {
    "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0", "Timestamp": "2017-07-12T02:42:19Z", "PhoneNumbers": "15300000001",
    "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}', "OutId": "123", "Version": "2017-05-25",
}


def test_signature_matches_the_published_vector() -> None:
    sig = sign("testSecret", "GET", VECTOR)
    assert sig == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert percent_encode(sig) == "zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D"
    # without SignatureMethod/SignatureVersion among the signed parameters it does not reproduce (§9)
    partial = {k: v for k, v in VECTOR.items() if k not in ("SignatureMethod", "SignatureVersion")}
    assert sign("testSecret", "GET", partial) != sig


def test_percent_encoding_is_rfc3986() -> None:
    assert percent_encode("a b*c~d+e/f") == "a%20b%2Ac~d%2Be%2Ff"
    assert percent_encode("狮") == "%E7%8B%AE"


def test_error_codes_are_mapped() -> None:
    limited = error_for("SendSms", "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
    assert isinstance(limited, SmsLimited) and not limited.retryable
    assert "触发分钟级流控" in str(limited)
    isp = error_for("SendSms", "isp.SYSTEM_ERROR", "system error")
    assert isinstance(isp, ProviderUnavailable) and isp.retryable
    auth = error_for("SendSms", "SignatureDoesNotMatch",
                     "Specified signature is not matched with our calculation. server string to sign is:GET&%2F&x",
                     http_status=400)
    assert isinstance(auth, ProviderAuthError) and not auth.retryable and "GET&%2F" not in str(auth)
    bad = error_for("SendSms", "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    assert type(bad) is ProviderRejected and not bad.retryable and bad.code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert isinstance(error_for("QuerySendDetails", "Throttling.User", "flow"), RateLimited)
    assert isinstance(error_for("SendSms", "isv.AMOUNT_NOT_ENOUGH", ""), ProviderRejected)


@pytest.mark.parametrize("raw", ["13812341234", "138 1234 1234", "+86 138-1234-1234", "008613812341234",
                                 "8613812341234", "１３８１２３４１２３４"])
def test_mobile_numbers_accepted(raw: str) -> None:
    assert check_phone(raw) == "13812341234"


@pytest.mark.parametrize("raw", ["", "1381234123", "138123412345", "12812341234", "010-88886666", "abc",
                                 "+1 415 555 2671", "1381234123x", "23812341234"])
def test_not_mobile_numbers_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as e:
        check_phone(raw)
    assert e.value.field == "phone"


def test_template_variables_checked() -> None:
    assert check_params(GIFT_TPL, {"gift": "金币×100 🎁", "days": 7}) == {"gift": "金币×100 🎁", "days": "7"}
    assert GIFT_TPL.variables == ("gift", "days")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"gift": "x"}, "${days}"), ({"gift": "x", "days": "7", "name": "n"}, "no variable ${name}"),
        ({"gift": ["x"], "days": "7"}, "must be text"), ({"gift": "", "days": "7"}, "empty"),
        ({"gift": "x" * 36, "days": "7"}, "longer than 35"), ({"gift": "见 https://x.cn", "days": "7"}, "link"),
        ({"gift": "a\x00b", "days": "7"}, "control"), ({"gift": True, "days": "7"}, "must be text"),
    ]
    for params, needle in cases:
        with pytest.raises(InvalidInput) as e:
            check_params(GIFT_TPL, params)
        assert needle in str(e.value), params
    with pytest.raises(InvalidInput, match="4–8"):
        check_params(CODE_TPL, {"code": "12"})
    assert check_params(CODE_TPL, {"code": "048213"}) == {"code": "048213"}


def test_quiet_hours_in_china_time() -> None:
    at = datetime(2025, 6, 1, 15, 30, tzinfo=UTC)  # 23:30 China time
    assert in_quiet_hours(at, 21, 8)
    assert quiet_until(at, 21, 8) == datetime(2025, 6, 2, 0, 0, tzinfo=UTC)  # 08:00 China time
    assert not in_quiet_hours(datetime(2025, 6, 1, 4, 0, tzinfo=UTC), 21, 8)  # 12:00
    assert in_quiet_hours(datetime(2025, 6, 1, 23, 59, tzinfo=UTC), 21, 8)  # 07:59
    assert not in_quiet_hours(datetime(2025, 6, 2, 0, 0, tzinfo=UTC), 21, 8)  # 08:00
    assert in_quiet_hours(datetime(2025, 6, 1, 5, 0, tzinfo=UTC), 13, 14)  # 13:00, a daytime window
    assert not in_quiet_hours(at, 0, 0)


# --- the client against the emulator --------------------------------------------------------------

@aio
async def test_send_and_delivery_receipt(emu: AliyunSmsEmulator, wall: Wall) -> None:
    sms = client(emu, wall)
    r = await sms.send("+86 138 1234 1234", CODE_TPL, {"code": "048213"}, out_id="t-1")
    assert r.biz_id.endswith("^0") and r.out_id == "t-1"
    call = emu.calls_of("SendSms")[0]
    assert call.method == "POST" and call.params["TemplateParam"] == '{"code":"048213"}'
    assert len(call.params["SignatureNonce"]) == 32 and call.params["PhoneNumbers"] == "13812341234"
    recs = await sms.details("13812341234", START.date(), biz_id=r.biz_id)
    assert [(x.status, x.out_id) for x in recs] == [("sending", "t-1")]
    assert "048213" in recs[0].content and recs[0].content.startswith("【狮吼直播】")
    wall.advance(6)
    recs = await sms.details("13812341234", START.date())
    assert recs[0].status == "delivered" and recs[0].err_code == "DELIVERED" and recs[0].received_at is not None
    assert recs[0].sent_at == START
    await sms.aclose()


@aio
async def test_bad_phone_and_missing_variable_never_reach_the_wire(emu: AliyunSmsEmulator, wall: Wall) -> None:
    sms = client(emu, wall)
    with pytest.raises(InvalidInput, match="mobile"):
        await sms.send("010-88886666", CODE_TPL, {"code": "123456"}, out_id="x")
    with pytest.raises(InvalidInput, match="code"):
        await sms.send("13812341234", CODE_TPL, {}, out_id="x")
    with pytest.raises(InvalidInput, match="out_id"):
        await sms.send("13812341234", CODE_TPL, {"code": "123456"}, out_id="o" * 65)
    assert emu.calls == []
    await sms.aclose()


@aio
async def test_per_number_limits_are_never_retried(emu: AliyunSmsEmulator, wall: Wall) -> None:
    sms = client(emu, wall)
    phone = "13900001111"
    await sms.send(phone, CODE_TPL, {"code": "111111"}, out_id="l-0")
    with pytest.raises(SmsLimited) as e:
        await sms.send(phone, CODE_TPL, {"code": "222222"}, out_id="l-1")
    assert e.value.code == "isv.BUSINESS_LIMIT_CONTROL" and "分钟级" in str(e.value) and not e.value.retryable
    assert len(emu.calls_of("SendSms")) == 2  # refused once, not retried
    for i in range(1, 5):  # 5 an hour
        wall.advance(61)
        await sms.send(phone, CODE_TPL, {"code": "333333"}, out_id=f"l-h{i}")
    wall.advance(61)
    with pytest.raises(SmsLimited, match="小时级"):
        await sms.send(phone, CODE_TPL, {"code": "444444"}, out_id="l-h5")
    for i in range(5):  # 10 a day (China day): 5 more after the hour
        wall.advance(3601 if i == 0 else 61)
        await sms.send(phone, CODE_TPL, {"code": "555555"}, out_id=f"l-d{i}")
    wall.advance(3601)
    with pytest.raises(SmsLimited, match="天级"):
        await sms.send(phone, CODE_TPL, {"code": "666666"}, out_id="l-d5")
    # a notice template is not under the code limits
    await sms.send(phone, GIFT_TPL, {"gift": "金币", "days": "7"}, out_id="l-n")
    await sms.aclose()


@aio
async def test_out_id_dedup_and_faults(emu: AliyunSmsEmulator, wall: Wall, expect_log: list[str]) -> None:
    expect_log.append("giving up")
    sms = client(emu, wall)
    a = await sms.send("13812349999", GIFT_TPL, {"gift": "金币", "days": "7"}, out_id="d-1")
    b = await sms.send("13812349999", GIFT_TPL, {"gift": "金币", "days": "7"}, out_id="d-1")
    assert a.biz_id == b.biz_id and emu.sends_per_out_id()["d-1"] == 1 and len(emu.messages) == 1
    # a lost answer: the message is sent, the client sees a network error and does not retry by itself
    emu.inject("SendSms", "reset", apply=True)
    with pytest.raises(ProviderUnavailable):
        await sms.send("13812349999", GIFT_TPL, {"gift": "金币", "days": "7"}, out_id="d-2")
    assert emu.sends_per_out_id()["d-2"] == 1 and len(emu.calls_of("SendSms")) == 3
    # isp.* on a send: retryable error, not retried inside the gateway
    emu.inject_code("SendSms", "isp.SYSTEM_ERROR")
    with pytest.raises(ProviderUnavailable) as e:
        await sms.send("13812349999", GIFT_TPL, {"gift": "金币", "days": "7"}, out_id="d-3")
    assert e.value.code == "isp.SYSTEM_ERROR" and e.value.retryable and len(emu.calls_of("SendSms")) == 4
    # isp.* and 503 on a read: retried
    emu.inject_code("QuerySendDetails", "isp.SYSTEM_ERROR")
    emu.inject("QuerySendDetails", "503")
    recs = await sms.details("13812349999", START.date())
    assert {r.out_id for r in recs} == {"d-1", "d-2"} and len(emu.calls_of("QuerySendDetails")) == 3
    slow = client(emu, wall, timeout=0.3)
    emu.inject("SendSms", "timeout", apply=True)
    with pytest.raises(ProviderUnavailable) as e:
        await slow.send("13812349999", GIFT_TPL, {"gift": "金币", "days": "7"}, out_id="d-5")
    assert e.value.code == "timeout" and emu.sends_per_out_id()["d-5"] == 1
    await slow.aclose()
    emu.inject("SendSms", "malformed")
    with pytest.raises(ProviderUnavailable, match="malformed"):
        await sms.send("13812349999", GIFT_TPL, {"gift": "金币", "days": "7"}, out_id="d-4")
    await sms.aclose()


@aio
async def test_refused_keys_dates_and_nonces(emu: AliyunSmsEmulator, wall: Wall, expect_log: list[str]) -> None:
    bad = client(emu, wall, secret="wrong")
    with pytest.raises(ProviderAuthError) as e:
        await bad.send("13812341234", CODE_TPL, {"code": "123456"}, out_id="k-1")
    assert e.value.code == "SignatureDoesNotMatch" and e.value.http_status == 400
    await bad.aclose()
    skewed = client(emu, wall)
    skewed._clock = lambda: wall.t - 3600  # noqa: SLF001 - a console clock an hour slow
    with pytest.raises(ProviderAuthError, match="expired"):
        await skewed.send("13812341234", CODE_TPL, {"code": "123456"}, out_id="k-2")
    await skewed.aclose()
    fixed = AliyunSms(make_client(emu.base_url), access_key_id=AK, secret=Secret(SK), sign_name="狮吼直播",
                      clock=wall, nonce=lambda: "same-nonce")
    await fixed.template("SMS_216427811")
    with pytest.raises(ProviderAuthError) as e:
        await fixed.template("SMS_216427811")
    assert e.value.code == "SignatureNonceUsed"
    await fixed.aclose()
    plain = client(emu, wall)
    with pytest.raises(ProviderRejected, match="not approved or does not exist"):
        await plain.send("13812341234", SmsTemplate(code="SMS_1", content="x"), {}, out_id="k-3")
    await plain.aclose()
    assert len(emu.messages) == 0


@aio
async def test_emulator_accepts_what_real_clients_send(wall: Wall) -> None:
    """§9: the published vector as a GET (XML answer), and the common SDK shape: POST, everything in the
    query string, an empty SignatureType= signed, an empty body, no Content-Type."""
    vec_wall = Wall(datetime(2017, 7, 12, 2, 42, 19, tzinfo=UTC))
    emu = AliyunSmsEmulator(access_key_id="testId", secret="testSecret", clock=vec_wall)
    emu.templates["SMS_71390007"] = emu.templates["SMS_231905217"].__class__(
        "SMS_71390007", "测试", "尊敬的${customer}，欢迎使用阿里云通信服务！", 1)
    await emu.start()
    try:
        async with httpx.AsyncClient(base_url=emu.base_url) as http:
            q = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in VECTOR.items())
            r = await http.get(f"/?Signature={quote('zJDF+Lrzhj/ThnlvIToysFRq6t4=', safe='')}&{q}")
            assert r.status_code == 200 and "<Code>OK</Code>" in r.text and "<BizId>" in r.text
            p = {**VECTOR, "Format": "JSON", "SignatureNonce": uuid.uuid4().hex, "SignatureType": "", "OutId": "x2"}
            p["Signature"] = sign("testSecret", "POST", p)
            q = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in p.items())
            r = await http.post(f"/?{q}")
            assert r.status_code == 200 and r.json()["Code"] == "OK"
            p["SignatureNonce"] = uuid.uuid4().hex  # not re-signed
            q = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in p.items())
            r = await http.post(f"/?{q}")
            body = r.json()
            assert r.status_code == 400 and body["Code"] == "SignatureDoesNotMatch"
            assert body["Message"].split(":", 1)[1].startswith("POST&%2F&")
            r = await http.post("/_sandbox/state")
            assert r.json()["messages"] == 2
    finally:
        await emu.stop()


# --- the service on SQLite and PostgreSQL -------------------------------------------------------

class Rig:
    """Two operators' consoles on one database and one emulator."""

    def __init__(self, engine: Any, url: str, emu: AliyunSmsEmulator, wall: Wall) -> None:
        self.engine, self.url, self.emu, self.wall = engine, url, emu, wall
        self.gateways: list[AliyunSms] = []
        self.role_engines: dict[Role, Any] = {}

    def _engine(self, role: Role) -> Any:
        """On PostgreSQL each console connects as its role (``SET ROLE``), so the grants are tested too."""
        if self.engine.dialect.name != "postgresql":
            return self.engine
        if role not in self.role_engines:
            self.role_engines[role] = make_engine(self.url, pg_role=f"shihou_{role}")
        return self.role_engines[role]

    def console(self, role: Role, name: str, *, timeout: float = 2.0) -> tuple[SmsService, ActionService]:
        engine = self._engine(role)
        audit = AuditService(engine, operator(role, name))
        actions = ActionService(engine, audit, clock=self.wall.now)
        gw = client(self.emu, self.wall, timeout=timeout)
        self.gateways.append(gw)
        sms = SmsService(engine, audit, gw, actions, code_key=Secret("code-key"), clock=self.wall.now,
                         retry_delay_s=0.0, max_passes=3)
        return sms, actions

    async def close(self) -> None:
        for g in self.gateways:
            await g.aclose()
        for e in self.role_engines.values():
            await e.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def rig(engine: Any, db_url: str, emu: AliyunSmsEmulator, wall: Wall) -> AsyncIterator[Rig]:
    await insert_known_users(engine)
    async with engine.begin() as conn:
        await conn.execute(t.users.update().values(last_active_at=START - timedelta(days=1)))
        await conn.execute(t.users.insert().values(id=10000009, phone="12812341234", nickname="坏号码",
                                                   registered_at=START, channel="web", status="active",
                                                   last_active_at=START))
    r = Rig(engine, db_url, emu, wall)
    yield r
    await r.close()


async def rows(engine: Any, table: sa.Table, *where: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(table).where(*where))).all())


@aio
async def test_resend_code_through_the_outbox(rig: Rig, expect_log: list[str]) -> None:
    expect_log.append("refused")
    # support and admin (ROLE_PERMISSIONS), never operators or moderators
    assert {r for r in Role if RESEND_PERMISSION in ROLE_PERMISSIONS[r]} == {Role.SUPPORT, Role.ADMIN}
    sms, _actions = rig.console(Role.SUPPORT, "sup-1")
    uid = UserId(10000002)
    rec = await sms.resend_code(uid, "用户称未收到验证码", key="click-1")
    assert rec.state == ActionStatus.DONE and rec.payload["biz_id"]
    sent = rig.emu.messages_to("13812349999")
    assert len(sent) == 1 and sent[0].template == "SMS_216427811"
    code = sent[0].content.split("验证码为")[1][:6]
    msgs = await rows(rig.engine, t.sms_messages, t.sms_messages.c.user_id == uid)
    assert [(m.purpose, m.status, m.out_id) for m in msgs] == [("verify", "sent", rec.payload["out_id"])]
    codes = await rows(rig.engine, ts.sms_codes)
    import hashlib
    assert codes[0].code_hash == hashlib.sha256(f"{rec.payload['out_id']}:{code}".encode()).hexdigest()
    assert code not in json.dumps(rec.payload)  # the code itself is stored nowhere
    audit = await rows(rig.engine, t.audit_log, t.audit_log.c.kind == "sms_code_resend")
    assert audit[0].reason == "用户称未收到验证码" and audit[0].after["phone"] == "138****9999"
    # the same click again: the same action, nothing sent
    again = await sms.resend_code(uid, "用户称未收到验证码", key="click-1")
    assert again.id == rec.id and len(rig.emu.messages_to("13812349999")) == 1
    # within the minute: refused before anything is sent
    with pytest.raises(ResendTooSoon) as e:
        await sms.resend_code(uid, "再发一次", key="click-2")
    assert e.value.next_at == rig.wall.now() + timedelta(minutes=1)
    assert len(rig.emu.messages_to("13812349999")) == 1
    # support's card: the message, the quota, then the receipt
    sup = sms
    view = await sup.user_messages(uid)
    assert [(v.status, v.purpose, v.phone_masked) for v in view] == [("sent", "verify", "138****9999")]
    quota = await sup.resend_quota(uid)
    assert not quota.allowed and quota.last_minute == 1 and quota.next_at == rig.wall.now() + timedelta(minutes=1)
    rig.wall.advance(6)
    assert await sup.refresh_user(uid) == 1
    fresh = (await sup.user_messages(uid))[0]
    assert fresh.status == "delivered" and fresh.delivered_at == START + timedelta(seconds=5)
    rig.wall.advance(60)
    assert (await sup.resend_quota(uid)).allowed
    # roles without the permission: refused and audited
    for role in (Role.MODERATOR, Role.OPERATOR):
        other, _ = rig.console(role, f"no-{role}")
        with pytest.raises(PermissionDenied):
            await other.resend_code(uid, "x")
        denied = await rows(rig.engine, t.audit_log, t.audit_log.c.kind == "denied",
                            t.audit_log.c.actor == f"no-{role}")
        assert denied and denied[0].reason == str(RESEND_PERMISSION)
    with pytest.raises(NotFound):
        await sms.resend_code(UserId(999), "x")


@aio
async def test_resend_after_a_lost_answer_is_sent_once(rig: Rig, expect_log: list[str]) -> None:
    expect_log += ["giving up", "action"]
    sms, actions = rig.console(Role.ADMIN, "admin-1")
    await add_operator(rig.engine, "admin-1", Role.ADMIN)
    rig.emu.inject("SendSms", "reset", apply=True)
    rec = await sms.resend_code(UserId(10000003), "未收到", key="lost-1")
    assert rec.state == ActionStatus.PENDING and rec.last_error  # retryable: stays pending
    out_id = str(rec.payload["out_id"])
    assert rig.emu.sends_per_out_id()[out_id] == 1
    # another console starts and recovers the pending action: found at the vendor, not sent again
    _other, actions2 = rig.console(Role.ADMIN, "admin-2")
    done = await actions2.recover()
    assert [d.state for d in done] == [ActionStatus.DONE] and done[0].payload.get("reconciled") is True
    assert rig.emu.sends_per_out_id()[out_id] == 1
    assert len(rig.emu.calls_of("SendSms")) == 1  # looked up by OutId, not sent again
    assert len(rig.emu.messages_to("13900001111")) == 1
    assert len(await rows(rig.engine, t.sms_messages, t.sms_messages.c.user_id == 10000003)) == 1
    # the vendor's own limit (another system sent codes meanwhile): failed, audited, never retried
    rig.wall.advance(61)
    rig.emu.inject_code("SendSms", "isv.BUSINESS_LIMIT_CONTROL")
    rec2 = await sms.resend_code(UserId(10000003), "未收到", key="lost-2")
    assert rec2.state == ActionStatus.FAILED and "BUSINESS_LIMIT_CONTROL" in (rec2.last_error or "")
    assert (await actions.recover()) == []
    fails = await rows(rig.engine, t.audit_log, t.audit_log.c.kind == "sms_code_resend",
                       t.audit_log.c.outcome == "failed")
    assert len(fails) == 1


async def _templates(sms: SmsService) -> None:
    for code in ("SMS_245512083", "SMS_216427811", "SMS_252207741"):
        await sms.sync_template(code)


@aio
async def test_campaign_two_person_approval_exactly_once_and_report(rig: Rig, expect_log: list[str]) -> None:
    expect_log.append("giving up")
    a, _ = rig.console(Role.OPERATOR, "op-a")
    b, _ = rig.console(Role.OPERATOR, "op-b")
    await _templates(a)
    await a.add_opt_out("186 0000 0000", source="reply R")
    rig.emu.undeliverable.add("15011112222")
    ids = (10000001, 10000002, 10000004, 10000005, 10000006, 10000009)
    count = await a.count_audience(Audience(kind="user_ids", user_ids=ids))
    assert (count.recipients, count.opted_out) == (5, 1)
    c = await a.create_campaign("回归礼包", "SMS_245512083", {"gift": "金币×100", "days": "7"},
                                Audience(kind="user_ids", user_ids=ids), reason="召回")
    assert c.state == "awaiting_approval" and c.audience_size == 5 and c.skipped_opt_out == 1
    ev = await rows(rig.engine, t.events, t.events.c.topic == "approvals")
    assert [e.ref for e in ev] == [str(c.approval_id)]
    with pytest.raises(InvalidInput, match="not approved"):
        await a.send_campaign(c.id)
    # the requester cannot approve (refused and audited); the other operator sees and approves it
    with pytest.raises(ApprovalRefused, match="own"):
        await a.approve(c.approval_id or 0)
    refused = await rows(rig.engine, t.audit_log, t.audit_log.c.outcome == "refused", t.audit_log.c.actor == "op-a")
    assert refused and refused[0].kind == "sms_campaign_approve"
    pending = await b.approvals()
    assert [p.id for p in pending] == [c.approval_id] and "5 人" in pending[0].summary
    ok = await b.approve(c.approval_id or 0, "看过文案")
    assert ok.state == "approved" and ok.approved_by == "op-b"
    with pytest.raises(ApprovalRefused, match="already approved"):
        await b.approve(c.approval_id or 0)
    assert rig.emu.messages == []  # nothing before the send
    # the second recipient's answer is lost (the vendor sent it); the run retries it by OutId
    rig.emu.inject("SendSms", "reset", apply=True)
    report = await b.send_campaign(c.id)
    assert (report.state, report.total, report.sent, report.failed, report.pending) == ("done", 5, 4, 1, 0)
    assert report.errors == {"invalid_phone": 1}
    assert set(rig.emu.sends_per_out_id().values()) == {1} and len(rig.emu.messages) == 4
    assert "18600000000" not in {m.phone for m in rig.emu.messages}  # opted out
    assert report.awaiting_receipt == 4 and report.delivered == 0
    # receipts arrive later
    rig.wall.advance(6)
    report = await a.poll_deliveries(c.id)
    assert (report.delivered, report.undelivered, report.awaiting_receipt) == (3, 1, 0)
    assert report.errors == {"invalid_phone": 1, "MOBILE_NOT_ON_SERVICE": 1}
    card = await rows(rig.engine, t.sms_messages, t.sms_messages.c.user_id == 10000001)
    assert [(m.purpose, m.status, m.template_code) for m in card] == [("campaign", "delivered", "SMS_245512083")]
    # sending again sends nothing
    with pytest.raises(InvalidInput, match="done"):
        await b.send_campaign(c.id)
    kinds = {r.kind for r in await rows(rig.engine, t.audit_log, t.audit_log.c.target == f"sms_campaign:{c.id}")}
    assert {"sms_campaign_create", "sms_campaign_approve", "sms_campaign_sent"} <= kinds


@aio
async def test_campaign_waits_for_quiet_hours_and_survives_a_crash(rig: Rig, expect_log: list[str]) -> None:
    expect_log.append("giving up")
    a, _ = rig.console(Role.OPERATOR, "op-a")
    b, _ = rig.console(Role.ADMIN, "boss")
    await _templates(a)
    rig.wall.t = datetime(2025, 6, 1, 14, 30, tzinfo=UTC).timestamp()  # 22:30 China time
    c = await a.create_campaign("夜里别发", "SMS_245512083", {"gift": "金币", "days": "3"},
                                Audience(kind="active_days", days=7), reason="召回")
    assert c.audience_size == 7  # six known users and the bad number, all active yesterday
    await b.approve(c.approval_id or 0)
    report = await b.send_campaign(c.id)
    assert report.waiting_until == datetime(2025, 6, 2, 0, 0, tzinfo=UTC) and report.sent == 0
    assert rig.emu.messages == [] and (await b.run_due())[0].sent == 0
    rig.wall.t = datetime(2025, 6, 2, 0, 0, 1, tzinfo=UTC).timestamp()  # 08:00:01
    # a console sends, the vendor accepts two messages whose answers are lost, then the console "dies"
    rig.emu.inject("SendSms", "reset", count=2, apply=True)
    crashed, _ = rig.console(Role.ADMIN, "boss")
    crashed._max_passes = 1  # noqa: SLF001 - one pass, then the run stops as a crash would
    first = await crashed.send_campaign(c.id)
    assert first.pending == 2 and first.state == "sending"
    # another console resumes: the two pending recipients are found at the vendor by OutId, not resent
    report = (await a.run_due())[0]
    assert (report.state, report.sent, report.pending) == ("done", 6, 0)
    counts = rig.emu.sends_per_out_id()
    assert len(counts) == 6 and set(counts.values()) == {1}
    assert len(rig.emu.calls_of("SendSms")) == 6


@aio
async def test_campaign_bad_input_refused_before_anything(rig: Rig, expect_log: list[str]) -> None:
    expect_log.append("refused")
    a, _ = rig.console(Role.OPERATOR, "op-a")
    await _templates(a)
    aud = Audience(kind="user_ids", user_ids=(10000001,))
    with pytest.raises(InvalidInput, match=r"\$\{days\}"):
        await a.create_campaign("x", "SMS_245512083", {"gift": "金币"}, aud, reason="r")
    with pytest.raises(InvalidInput, match="verification codes"):
        await a.create_campaign("x", "SMS_216427811", {"code": "123456"}, aud, reason="r")
    with pytest.raises(InvalidInput, match="not approved"):
        await a.create_campaign("x", "SMS_252207741", {"x": "1"}, aud, reason="r")
    with pytest.raises(InvalidInput, match="sync"):
        await a.create_campaign("x", "SMS_230184521", {"name": "a", "anchor": "b"}, aud, reason="r")
    with pytest.raises(InvalidInput, match="empty"):
        await a.create_campaign("x", "SMS_245512083", {"gift": "金币", "days": "7"},
                                Audience(kind="user_ids", user_ids=(42,)), reason="r")
    with pytest.raises(InvalidInput, match="reason"):
        await a.create_campaign("x", "SMS_245512083", {"gift": "金币", "days": "7"}, aud, reason=" ")
    with pytest.raises(InvalidInput, match="phone"):
        await a.add_opt_out("12345")
    assert await rows(rig.engine, ts.sms_campaigns) == [] and await rows(rig.engine, ts.approvals) == []
    # the sandbox's templates, written without a vendor call: the unsynced one is now known
    assert await seed_templates(rig.engine, rig.emu) == len(rig.emu.templates) - 3
    with pytest.raises(InvalidInput, match=r"\$\{anchor\}"):
        await a.create_campaign("x", "SMS_230184521", {"name": "a"}, aud, reason="r")
    assert rig.emu.calls_of("SendSms") == []
    support, _ = rig.console(Role.SUPPORT, "sup-1")
    with pytest.raises(PermissionDenied):
        await support.create_campaign("x", "SMS_245512083", {"gift": "金币", "days": "7"}, aud, reason="r")


@aio
async def test_cancel_revoked_key_and_late_gateway(rig: Rig, expect_log: list[str]) -> None:
    expect_log.append("giving up")
    a, _ = rig.console(Role.OPERATOR, "op-a")
    b, _ = rig.console(Role.OPERATOR, "op-b")
    await _templates(a)
    aud = Audience(kind="user_ids", user_ids=(10000001, 10000002, 10000003))
    hub = EventHub(rig.engine, poll_interval=0.05)  # the other console's event hub
    seen: list[Changes] = []
    hub.subscribe(seen.append)
    await hub.start()
    try:
        c1 = await a.create_campaign("撤回", "SMS_245512083", {"gift": "金币", "days": "7"}, aud, reason="r")

        def heard() -> Changes:
            return functools.reduce(Changes.merge, seen, Changes())

        await until(lambda: bool(heard().topic("approvals")) and heard().has("sms"), 5)
        assert heard().topic("approvals") == {str(c1.approval_id)}
    finally:
        await hub.aclose()
    # withdrawn by the requester before approval: the approval is cancelled too, nothing can be sent
    assert (await a.cancel_campaign(c1.id, "文案有误")).state == "cancelled"
    assert await b.approvals() == [] and (await b.approvals(state="cancelled"))[0].id == c1.approval_id
    with pytest.raises(ApprovalRefused, match="already cancelled"):
        await b.approve(c1.approval_id or 0)
    # a revoked key: the run stops at the first refusal, nothing is lost, the next run sends each once
    c2 = await a.create_campaign("换钥匙", "SMS_245512083", {"gift": "金币", "days": "7"}, aud, reason="r")
    await b.approve(c2.approval_id or 0)
    good = b.gateway
    bad = client(rig.emu, rig.wall, secret="revoked")
    rig.gateways.append(bad)
    b.set_gateway(bad)
    with pytest.raises(ProviderAuthError):
        await b.send_campaign(c2.id)
    rep = await b.report(c2.id)
    assert (rep.pending, rep.sent, rep.state) == (3, 0, "sending") and rig.emu.messages == []
    b.set_gateway(good)
    rep = await b.send_campaign(c2.id)
    assert (rep.state, rep.sent) == ("done", 3) and set(rig.emu.sends_per_out_id().values()) == {1}
    # a console built before its gateway is known (the sandbox starts the emulator late)
    engine = rig._engine(Role.ADMIN)  # noqa: SLF001
    audit = AuditService(engine, operator(Role.ADMIN, "late"))
    late = SmsService(engine, audit, None, ActionService(engine, audit), clock=rig.wall.now)
    with pytest.raises(InvalidInput, match="no SMS gateway"):
        await late.resend_code(UserId(10000005), "未收到")
    late.set_gateway(good, code_key=Secret("code-key"))
    rec = await late.resend_code(UserId(10000005), "未收到")
    assert rec.state == ActionStatus.DONE and len(rig.emu.messages_to("18600000000")) == 1


def test_gateway_from_settings() -> None:
    from console.credentials import MemoryStore
    from console.errors import MissingCredentials
    from console.services.sms.gateway import gateway_from_settings

    store = MemoryStore()
    keys = {"sms.url": "", "sms.access_key_id": "LTAIx", "sms.sign_name": "狮吼直播"}
    assert gateway_from_settings(keys, store) is None
    keys["sms.url"] = "http://127.0.0.1:9"
    with pytest.raises(MissingCredentials):
        gateway_from_settings(keys, store)
    store.set("sms", "LTAIx", "s3cret")
    gw = gateway_from_settings(keys, store)
    assert gw is not None and gw.sign_name == "狮吼直播"
    with pytest.raises(InvalidInput, match="access_key_id"):
        gateway_from_settings({**keys, "sms.access_key_id": ""}, store)


SEND_CHILD = textwrap.dedent("""
    import asyncio, sys
    from console.credentials import Secret
    from console.db.engine import make_engine
    from console.domain import Operator, OperatorId, Role
    from console.services.audit import AuditService
    from console.services.http import make_client
    from console.services.sms.gateway import AliyunSms
    from console.services.sms.service import SmsService

    async def main(db, base, cid):
        engine = make_engine(db)
        gw = AliyunSms(make_client(base, timeout=600), access_key_id="LTAItest", secret=Secret("sms-test-secret"),
                       sign_name="狮吼直播")
        op = Operator(id=OperatorId(2), username="op-b", display_name="b", role=Role.OPERATOR)
        sms = SmsService(engine, AuditService(engine, op), gw, concurrency=1)
        print("sending", flush=True)
        await sms.send_campaign(int(cid))

    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
""")


@pytest.mark.parametrize("applied", [False, True], ids=["killed-before-vendor", "killed-after-vendor"])
@aio
async def test_kill_9_mid_campaign_sends_each_recipient_once(engine: Any, db_url: str, tmp_path: Path,
                                                             applied: bool) -> None:
    await insert_known_users(engine)
    emu = AliyunSmsEmulator(access_key_id=AK, secret=SK)  # real time: the child signs with its own clock
    await emu.start()
    gws: list[AliyunSms] = []

    def console(name: str, **kw: Any) -> SmsService:
        gw = AliyunSms(make_client(emu.base_url, timeout=5), access_key_id=AK, secret=Secret(SK), sign_name="狮吼直播")
        gws.append(gw)
        return SmsService(engine, AuditService(engine, operator(Role.OPERATOR, name)), gw, **kw)

    try:
        a, b = console("op-a"), console("op-b")
        await a.sync_template("SMS_245512083")
        ids = (10000001, 10000002, 10000003, 10000004)
        c = await a.create_campaign("kill -9", "SMS_245512083", {"gift": "金币", "days": "7"},
                                    Audience(kind="user_ids", user_ids=ids), reason="r", quiet_start=0, quiet_end=0)
        await b.approve(c.approval_id or 0)
        emu.inject("SendSms", "timeout", apply=applied)  # the first send never answers (after it was sent)
        script = tmp_path / "send_child.py"
        script.write_text(SEND_CHILD, encoding="utf-8")
        child = subprocess.Popen([sys.executable, str(script), db_url, emu.base_url, str(c.id)], cwd=ROOT,
                                 env=os.environ | {"PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while not emu.calls_of("SendSms"):
                assert time.monotonic() < deadline, "the child never called the vendor"
                await asyncio.sleep(0.05)
            child.send_signal(signal.SIGKILL)
            child.wait(10)
        finally:
            if child.poll() is None:
                child.kill()
            if child.stdout:
                child.stdout.close()
        emu.clear_faults()
        assert len(emu.messages) == (1 if applied else 0)
        rep = await b.report(c.id)
        assert (rep.state, rep.pending) == ("sending", 4)
        # the dead console's claim holds for claim_ttl; then another console takes over
        with pytest.raises(InvalidInput, match="another console"):
            await b.send_campaign(c.id)
        rep = await console("op-c", claim_ttl=timedelta(0)).send_campaign(c.id)
        assert (rep.state, rep.sent, rep.pending) == ("done", 4, 0)
        assert len(emu.messages) == 4 and set(emu.sends_per_out_id().values()) == {1}
        assert len(emu.calls_of("SendSms")) == (4 if applied else 5)  # the found one is not sent again
    finally:
        for g in gws:
            await g.aclose()
        await emu.stop()


@aio
async def test_run_due_leaves_a_campaign_another_console_sends_then_takes_over_a_dead_one(rig: Rig) -> None:
    a, _ = rig.console(Role.OPERATOR, "op-a")
    b, _ = rig.console(Role.OPERATOR, "op-b")
    await _templates(a)
    c = await a.create_campaign("接管", "SMS_245512083", {"gift": "金币", "days": "7"},
                                Audience(kind="user_ids", user_ids=(10000001, 10000002)), reason="r")
    await b.approve(c.approval_id or 0)
    assert await a.due() == [c.id]
    async with rig.engine.begin() as conn:   # another console claimed it a moment ago (alive)
        await conn.execute(ts.sms_campaigns.update().where(ts.sms_campaigns.c.id == c.id).values(
            state="sending", claimed_by="op-c#abc123", claimed_at=rig.wall.now()))
    assert await a.due() == [] and await a.run_due() == [] and rig.emu.messages == []
    with pytest.raises(InvalidInput, match="another console"):
        await a.send_campaign(c.id)
    rig.wall.advance(121)   # its heartbeat stopped: the claim is dead, any console takes over
    assert await a.due() == [c.id]
    (report,) = await a.run_due()
    assert (report.state, report.sent) == ("done", 2) and set(rig.emu.sends_per_out_id().values()) == {1}


@aio
async def test_template_list_pages(emu: AliyunSmsEmulator, wall: Wall) -> None:
    from console.sandbox.sms import EmuTemplate
    for i in range(55):
        emu.templates[f"SMS_9{i:05d}"] = EmuTemplate(f"SMS_9{i:05d}", f"批量{i}", "通知${x}", 1, status=1 if i % 2 else 2)
    gw = client(emu, wall)
    try:
        got = await gw.templates()
    finally:
        await gw.aclose()
    assert len(got) == len(emu.templates) == 63 and len(emu.calls_of("QuerySmsTemplateList")) == 2
    by = {t.code: t for t in got}
    assert by["SMS_900001"].approved and not by["SMS_900002"].approved and by["SMS_900001"].kind == "notice"
    assert by["SMS_216427811"].kind == "code" and not by["SMS_252207741"].approved
