"""A local emulator of Aliyun Dysms (``SendSms``, ``QuerySendDetails``, ``QuerySmsTemplate``,
``QuerySmsTemplateList``) for the
sandbox and the tests (providers.md §4.2, §9). Plain aiohttp, no Qt.

Usage::

    emu = AliyunSmsEmulator(access_key_id="LTAIsandbox", secret="sandbox-sms-secret")
    base_url = await emu.start()                   # http://127.0.0.1:<port>
    emu.inject("SendSms", "timeout", apply=True)    # the next send is accepted, its answer lost
    emu.inject_code("SendSms", "isp.SYSTEM_ERROR")  # the next send answers Code=isp.SYSTEM_ERROR
    emu.sends_per_out_id()                          # {"c12-10000001": 1, ...}: duplicates show as 2+
    await emu.stop()

What it checks, the way the real gateway does:

- **Signature v1** recomputed from the parameters on the wire (query string and/or form body, GET or
  POST; ``SignatureType=`` empty and any extra common parameter are signed like the rest): wrong secret →
  400 ``SignatureDoesNotMatch`` whose ``Message`` has a ``:`` before the server's string to sign; unknown
  key → 404 ``InvalidAccessKeyId.NotFound``; ``Timestamp`` more than 15 minutes off →
  ``InvalidTimeStamp.Expired``; a nonce seen in the last 15 minutes → ``SignatureNonceUsed``.
- ``SendSms``: approved sign names and templates (``isv.SMS_SIGNATURE_ILLEGAL`` /
  ``isv.SMS_TEMPLATE_ILLEGAL``), numbers (``isv.MOBILE_NUMBER_ILLEGAL``, at most 1000 a call →
  ``isv.MOBILE_COUNT_OVER_LIMIT``), ``TemplateParam`` a JSON object of strings
  (``isv.INVALID_JSON_PARAM``) with every variable (``isv.TEMPLATE_MISSING_PARAMETERS``), no links
  (``isv.PARAM_NOT_SUPPORT_URL``), at most 35 characters (``isv.PARAM_LENGTH_LIMIT``); per-number flow
  control for verification-code templates **1/min, 5/h, 10/day** and 40/day for any template →
  ``isv.BUSINESS_LIMIT_CONTROL`` with Aliyun's messages (``触发分钟级流控Permits:1`` …); a balance
  (``isv.AMOUNT_NOT_ENOUGH``).
- **OutId deduplication** (what the exactly-once design leans on; the real service's behaviour is
  UNCONFIRMED): a ``SendSms`` whose ``OutId`` was accepted before returns the original ``BizId`` and
  sends nothing, *before* the flow control is consulted.
- Delivery receipts arrive ``receipt_delay_s`` after acceptance (emulator clock): ``QuerySendDetails``
  shows ``SendStatus`` 1 (waiting) then 3 (``DELIVERED``), or 2 with ``MOBILE_NOT_ON_SERVICE`` for
  numbers in ``undeliverable``.

Choices where the reference is silent (UNCONFIRMED): business errors answer HTTP 200 with ``Code`` ≠ OK;
dates are China time; ``Format=XML`` answers a flat XML document. Faults (:meth:`inject`, the KLS
emulator's :class:`~console.sandbox.kingsoft.FaultPlan`): 5xx, timeout, 429, malformed, slow, reset, each
optionally *after* the send was applied (a lost answer); :meth:`inject_code` answers a given ``Code``.
Control endpoints (unsigned): ``POST /_sandbox/{inject,inject_code,clear,deliver,template}``,
``GET /_sandbox/state``.
"""

from __future__ import annotations

import asyncio
import base64
import calendar
import hashlib
import hmac
import json
import logging
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, quote, unquote
from xml.sax.saxutils import escape

from aiohttp import web

from console.sandbox.kingsoft import FaultKind, FaultPlan, fault_response, wait_or_closed

__all__ = ["DEFAULT_SIGN_NAMES", "DEFAULT_TEMPLATES", "AliyunSmsEmulator", "EmuTemplate", "SentSms", "seed_templates"]

log = logging.getLogger(__name__)

CST = timezone(timedelta(hours=8))
SKEW_S = 15 * 60
MAX_NUMBERS = 1000
MAX_PARAM = 35
_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")
_VAR = re.compile(r"\$\{(\w+)\}")
_URL = re.compile(r"(?i)(https?://|www\.)")


@dataclass(frozen=True)
class EmuTemplate:
    code: str
    name: str
    content: str
    type: int = 1           # 0 code, 1 notice, 2 marketing
    status: int = 1         # 0 in review, 1 approved, 2 rejected
    reason: str = ""


#: Templates approved on the sandbox account (codes as in the demo data, console/sandbox/seed.py).
DEFAULT_TEMPLATES: tuple[EmuTemplate, ...] = (
    EmuTemplate("SMS_216427810", "注册验证码", "您的注册验证码为${code}，5分钟内有效，请勿泄露给他人。", 0),
    EmuTemplate("SMS_216427811", "登录验证码", "您的验证码为${code}，5分钟内有效，请勿泄露给他人。", 0),
    EmuTemplate("SMS_216427812", "重置密码验证码", "您正在重置密码，验证码${code}，5分钟内有效。", 0),
    EmuTemplate("SMS_230184521", "开播提醒", "${name}，您关注的主播${anchor}正在直播，快来狮吼直播围观！拒收请回复R", 2),
    EmuTemplate("SMS_230184633", "活动通知", "${name}您好，${activity}活动已开始，登录狮吼直播参与。拒收请回复R", 2),
    EmuTemplate("SMS_231905217", "账号通知", "您的账号${account}于${time}完成实名认证。", 1),
    EmuTemplate("SMS_245512083", "回归礼包", "好久不见！回到狮吼直播领取${gift}，${days}天内有效。拒收请回复R", 2),
    EmuTemplate("SMS_252207741", "审核中模板", "测试${x}", 2, status=0),
)
DEFAULT_SIGN_NAMES = frozenset({"狮吼直播", "阿里云短信测试专用"})
#: (window seconds or "day", permits) for verification-code templates, per number and sign name.
CODE_LIMITS: tuple[tuple[int | str, int, str], ...] = (
    (60, 1, "触发分钟级流控Permits:1"), (3600, 5, "触发小时级流控Permits:5"), ("day", 10, "触发天级流控Permits:10"))
ANY_DAY_LIMIT = (40, "触发天级流控Permits:40")


@dataclass
class SentSms:
    biz_id: str
    phone: str
    sign_name: str
    template: str
    template_type: int
    content: str
    out_id: str
    accepted_at: float
    deliverable: bool = True
    forced: bool = False


@dataclass(frozen=True)
class Call:
    action: str
    method: str
    params: Mapping[str, str]
    status: int
    code: str
    fault: str | None = None


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _CodeFault:
    action: str | None
    code: str
    remaining: int
    message: str = ""
    apply: bool = False


class AliyunSmsEmulator:
    """The Dysms emulator; all state is in memory.

    Args:
        access_key_id: The AccessKeyId it accepts.
        secret: The AccessKeySecret it verifies signatures with.
        sign_names: Approved sign names.
        templates: Approved (and not approved) templates.
        clock: Wall clock (Unix seconds) for timestamps, limits and receipts.
        receipt_delay_s: Seconds from acceptance to the delivery receipt.
        undeliverable: Numbers whose receipts say ``MOBILE_NOT_ON_SERVICE``.
        balance: Messages the account can still pay for (None: unlimited).
        code_limits: Flow control of verification-code templates (see :data:`CODE_LIMITS`).
    """

    def __init__(self, *, access_key_id: str = "LTAIsandbox", secret: str = "sandbox-sms-secret",
                 sign_names: frozenset[str] | set[str] = DEFAULT_SIGN_NAMES,
                 templates: tuple[EmuTemplate, ...] = DEFAULT_TEMPLATES, clock: Callable[[], float] = time.time,
                 receipt_delay_s: float = 3.0, undeliverable: set[str] | None = None, balance: int | None = None,
                 code_limits: tuple[tuple[int | str, int, str], ...] = CODE_LIMITS) -> None:
        self.access_key_id, self._secret = access_key_id, secret
        self.sign_names = set(sign_names)
        self.templates: dict[str, EmuTemplate] = {tpl.code: tpl for tpl in templates}
        self._clock = clock
        self.receipt_delay_s = receipt_delay_s
        self.undeliverable = set(undeliverable or ())
        self.balance = balance
        self.code_limits = code_limits
        self.faults = FaultPlan()
        self._code_faults: list[_CodeFault] = []
        self.calls: list[Call] = []
        self.messages: list[SentSms] = []
        self._by_out_id: dict[str, str] = {}
        self._accepted_out_ids: Counter[str] = Counter()
        self._nonces: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._rng = random.Random(7)
        self.base_url = ""
        self._actions: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
            "SendSms": self._send, "QuerySendDetails": self._details, "QuerySmsTemplate": self._template,
            "QuerySmsTemplateList": self._template_list,
        }

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: a free port) and return the base URL."""
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/_sandbox/{op}", self._control)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._closing = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        addrs = list(self._runner.addresses or [])
        self.base_url = f"http://{host}:{addrs[0][1] if addrs else port}"
        log.debug("SMS emulator listening on %s", self.base_url)
        return self.base_url

    async def stop(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- in-process API for tests and the sandbox ---------------------------------------------------

    def inject(self, action: str | None, kind: FaultKind, count: int = 1, *, delay_s: float = 0.0,
               retry_after_s: float = 1.0, apply: bool = False) -> None:
        """Fail the next ``count`` calls of ``action`` (None: any); ``apply``: send first, lose the answer."""
        self.faults.inject(action, kind, count, delay_s=delay_s, retry_after_s=retry_after_s, apply=apply)

    def inject_code(self, action: str | None, code: str, count: int = 1, *, message: str = "",
                    apply: bool = False) -> None:
        """Answer the next ``count`` calls of ``action`` with HTTP 200 and ``Code=code``."""
        if count < 1:
            raise ValueError("count must be >= 1")
        self._code_faults.append(_CodeFault(action, code, count, message or f"injected {code}", apply))

    def clear_faults(self) -> None:
        self.faults.clear()
        self._code_faults.clear()

    def deliver_now(self) -> None:
        """Every waiting message gets its receipt now."""
        for m in self.messages:
            m.forced = True

    def sends_per_out_id(self) -> dict[str, int]:
        """How many times each ``OutId`` was *accepted as a new message* (2+ is a duplicate send)."""
        return dict(self._accepted_out_ids)

    def messages_to(self, phone: str) -> list[SentSms]:
        return [m for m in self.messages if m.phone == phone]

    def calls_of(self, action: str) -> list[Call]:
        return [c for c in self.calls if c.action == action]

    def status_of(self, m: SentSms) -> tuple[int, str, float | None]:
        """(``SendStatus``, ``ErrCode``, receipt time) as ``QuerySendDetails`` reports them now."""
        at = m.accepted_at + self.receipt_delay_s
        if not m.forced and self._clock() < at:
            return 1, "", None
        if not m.deliverable:
            return 2, "MOBILE_NOT_ON_SERVICE", at
        return 3, "DELIVERED", at

    # --- HTTP ------------------------------------------------------------------------------------------

    def _respond(self, action: str, body: dict[str, Any], status: int, fmt: str) -> web.Response:
        if fmt == "XML":
            return web.Response(status=status, body=_xml(f"{action or 'Error'}Response", body).encode(),
                                content_type="text/xml", charset="utf-8")
        return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        rid = str(uuid.uuid4()).upper()
        raw_path, _, raw_query = request.raw_path.partition("?")
        body = await request.read()
        params = dict(_split_query(raw_query))
        ctype = request.headers.get("Content-Type", "")
        if body and ("x-www-form-urlencoded" in ctype or not ctype):
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        action = params.get("Action", "")
        fmt = (params.get("Format") or "JSON").upper()
        fmt = "XML" if fmt == "XML" else "JSON"

        def error(status: int, code: str, message: str) -> web.Response:
            code = {"Throttling": "Throttling.User"}.get(code, code)
            return self._respond(action, {"RequestId": rid, "Code": code, "Message": message,
                                          "HostId": "dysmsapi.aliyuncs.com"}, status, fmt)

        def record(status: int, code: str, fault: str | None = None) -> None:
            shown = {k: v for k, v in params.items() if k != "Signature"}
            self.calls.append(Call(action, request.method, shown, status, code, fault))

        try:
            if raw_path not in ("/", ""):
                raise _Refusal(404, "InvalidAction.NotFound", "Specified api is not found, please check your url.")
            self._verify(request.method, params)
            if params.get("Version") != "2017-05-25":
                raise _Refusal(400, "InvalidVersion", f"Specified parameter Version is not valid: "
                                                      f"{params.get('Version')!r}")
            if action not in self._actions:
                raise _Refusal(404, "InvalidAction.NotFound",
                               "Specified api is not found, please check your url and method.")
        except _Refusal as r:
            record(r.status, r.code)
            return error(r.status, r.code, r.message)

        fault = self.faults.take(action)
        if fault is not None and fault.kind == "slow":
            await wait_or_closed(self._closing, fault.delay_s)
            fault = None
        if fault is not None:
            if fault.apply:
                self._run(action, params, rid)
            record(0 if fault.kind in ("timeout", "reset") else int(fault.kind) if fault.kind.isdigit() else 200,
                   "", fault.kind)
            return await fault_response(request, fault, self._closing, error)
        cf = self._take_code_fault(action)
        if cf is not None:
            if cf.apply:
                self._run(action, params, rid)
            record(200, cf.code, "code")
            return self._respond(action, {"RequestId": rid, "Code": cf.code, "Message": cf.message}, 200, fmt)
        result = self._run(action, params, rid)
        record(200, str(result.get("Code")))
        return self._respond(action, result, 200, fmt)

    def _take_code_fault(self, action: str) -> _CodeFault | None:
        for f in self._code_faults:
            if f.action is None or f.action == action:
                f.remaining -= 1
                if f.remaining <= 0:
                    self._code_faults.remove(f)
                return f
        return None

    def _run(self, action: str, params: dict[str, str], rid: str) -> dict[str, Any]:
        try:
            data = self._actions[action](params)
        except _Refusal as r:
            return {"RequestId": rid, "Code": r.code, "Message": r.message}
        return {"RequestId": rid, "Code": "OK", "Message": "OK", **data}

    # --- signature v1 (independent of console.services.sms.gateway) ---------------------------------------

    def _verify(self, method: str, params: dict[str, str]) -> None:
        ak = params.get("AccessKeyId")
        if not ak:
            raise _Refusal(400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action.")
        if ak != self.access_key_id:
            raise _Refusal(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        got = params.get("Signature")
        if not got:
            raise _Refusal(400, "MissingSignature", "Signature is mandatory for this action.")
        if params.get("SignatureMethod") != "HMAC-SHA1":
            raise _Refusal(400, "InvalidSignatureMethod", "Specified signature method is not supported.")
        signed = {k: v for k, v in params.items() if k != "Signature"}
        canon = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(signed.items()))
        sts = f"{method.upper()}&%2F&{_enc(canon)}"
        want = base64.b64encode(hmac.new((self._secret + "&").encode(), sts.encode(), hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(want, got):
            raise _Refusal(400, "SignatureDoesNotMatch",
                           f"Specified signature is not matched with our calculation. server string to sign is:{sts}")
        ts = params.get("Timestamp", "")
        try:
            when = calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))
        except ValueError:
            raise _Refusal(400, "InvalidTimeStamp.Format",
                           f"Specified time stamp or date value is not well formatted: {ts!r}") from None
        now = self._clock()
        if abs(now - when) > SKEW_S:
            raise _Refusal(400, "InvalidTimeStamp.Expired", f"Specified time stamp or date value is expired. {ts}")
        nonce = params.get("SignatureNonce", "")
        if not nonce:
            raise _Refusal(400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action.")
        for n, at in list(self._nonces.items()):
            if now - at > SKEW_S:
                del self._nonces[n]
        if nonce in self._nonces:
            raise _Refusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self._nonces[nonce] = now

    # --- actions ---------------------------------------------------------------------------------

    def _send(self, p: dict[str, str]) -> dict[str, Any]:
        raw_numbers = p.get("PhoneNumbers", "")
        if not raw_numbers:
            raise _Refusal(400, "MissingPhoneNumbers", "PhoneNumbers is mandatory for this action.")
        sign_name = p.get("SignName", "")
        if not sign_name:
            raise _Refusal(400, "MissingSignName", "SignName is mandatory for this action.")
        code = p.get("TemplateCode", "")
        if not code:
            raise _Refusal(400, "MissingTemplateCode", "TemplateCode is mandatory for this action.")
        out_id = p.get("OutId", "")
        if out_id and out_id in self._by_out_id:   # the same message again: the original answer, nothing sent
            biz = self._by_out_id[out_id]
            first = next(m for m in self.messages if m.biz_id == biz)
            if first.phone not in _numbers(raw_numbers):
                raise _Refusal(200, "isv.INVALID_PARAMETERS", f"OutId {out_id} was used for another number")
            return {"BizId": biz}
        numbers = [n.strip() for n in raw_numbers.split(",") if n.strip()]
        if len(numbers) > MAX_NUMBERS:
            raise _Refusal(200, "isv.MOBILE_COUNT_OVER_LIMIT", f"at most {MAX_NUMBERS} numbers a call")
        phones = []
        for n in numbers:
            m = _MOBILE.match(n)
            if m is None:
                raise _Refusal(200, "isv.MOBILE_NUMBER_ILLEGAL", f"非法手机号: {n}")
            phones.append(m.group(1))
        if sign_name not in self.sign_names:
            raise _Refusal(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        tpl = self.templates.get(code)
        if tpl is None or tpl.status != 1:
            raise _Refusal(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        raw_param = p.get("TemplateParam", "")
        try:
            values = json.loads(raw_param) if raw_param else {}
        except json.JSONDecodeError:
            raise _Refusal(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值") from None
        if not isinstance(values, dict) or any(not isinstance(v, str) for v in values.values()):
            raise _Refusal(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        wanted = _VAR.findall(tpl.content)
        missing = [v for v in wanted if v not in values]
        if missing:
            raise _Refusal(200, "isv.TEMPLATE_MISSING_PARAMETERS", f"模板缺少变量: {','.join(missing)}")
        for k in wanted:
            if _URL.search(values[k]):
                raise _Refusal(200, "isv.PARAM_NOT_SUPPORT_URL", "不支持URL")
            if len(values[k]) > MAX_PARAM:
                raise _Refusal(200, "isv.PARAM_LENGTH_LIMIT", f"参数超出长度限制: {k}")
        now = self._clock()
        for phone in phones:
            self._check_limits(phone, sign_name, tpl, now)
        if self.balance is not None:
            if self.balance < len(phones):
                raise _Refusal(200, "isv.AMOUNT_NOT_ENOUGH", "账户余额不足")
            self.balance -= len(phones)
        biz = f"{10**17 + self._rng.getrandbits(56)}^0"
        text = f"【{sign_name}】" + _VAR.sub(lambda m: values.get(m.group(1), ""), tpl.content)
        for phone in phones:
            self.messages.append(SentSms(biz, phone, sign_name, code, tpl.type, text, out_id, now,
                                         deliverable=phone not in self.undeliverable))
        if out_id:
            self._by_out_id[out_id] = biz
            self._accepted_out_ids[out_id] += 1
        return {"BizId": biz}

    def _check_limits(self, phone: str, sign_name: str, tpl: EmuTemplate, now: float) -> None:
        day = datetime.fromtimestamp(now, CST).date()
        mine = [m for m in self.messages if m.phone == phone]
        same_day = [m for m in mine if datetime.fromtimestamp(m.accepted_at, CST).date() == day]
        if len(same_day) >= ANY_DAY_LIMIT[0]:
            raise _Refusal(200, "isv.BUSINESS_LIMIT_CONTROL", ANY_DAY_LIMIT[1])
        if tpl.type != 0:
            return
        codes = [m for m in mine if m.template_type == 0 and m.sign_name == sign_name]
        for window, permits, message in self.code_limits:
            if window == "day":
                n = sum(1 for m in codes if datetime.fromtimestamp(m.accepted_at, CST).date() == day)
            else:
                n = sum(1 for m in codes if now - m.accepted_at < float(window))
            if n >= permits:
                raise _Refusal(200, "isv.BUSINESS_LIMIT_CONTROL", message)

    def _details(self, p: dict[str, str]) -> dict[str, Any]:
        phone = p.get("PhoneNumber", "")
        if not phone:
            raise _Refusal(400, "MissingPhoneNumber", "PhoneNumber is mandatory for this action.")
        m = _MOBILE.match(phone)
        if m is None:
            raise _Refusal(200, "isv.MOBILE_NUMBER_ILLEGAL", f"非法手机号: {phone}")
        day = p.get("SendDate", "")
        try:
            want_day = datetime.strptime(day, "%Y%m%d").date()
        except ValueError:
            raise _Refusal(200, "isv.INVALID_PARAMETERS", "SendDate must be yyyyMMdd") from None
        try:
            size, page = int(p.get("PageSize", "")), int(p.get("CurrentPage", ""))
        except ValueError:
            raise _Refusal(200, "isv.INVALID_PARAMETERS", "PageSize and CurrentPage are required integers") from None
        if not 1 <= size <= 50 or page < 1:
            raise _Refusal(200, "isv.INVALID_PARAMETERS", "PageSize must be 1..50, CurrentPage >= 1")
        biz = p.get("BizId")
        rows = [x for x in self.messages if x.phone == m.group(1)
                and datetime.fromtimestamp(x.accepted_at, CST).date() == want_day and (not biz or x.biz_id == biz)]
        chunk = rows[(page - 1) * size: page * size]
        dtos = []
        for x in chunk:
            status, err, at = self.status_of(x)
            dtos.append({"PhoneNum": x.phone, "SendStatus": status, "ErrCode": err, "TemplateCode": x.template,
                         "Content": x.content, "SendDate": _cst(x.accepted_at),
                         "ReceiveDate": _cst(at) if at is not None else "", "OutId": x.out_id})
        return {"TotalCount": len(rows), "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos}}

    def _template(self, p: dict[str, str]) -> dict[str, Any]:
        code = p.get("TemplateCode", "")
        if not code:
            raise _Refusal(400, "MissingTemplateCode", "TemplateCode is mandatory for this action.")
        tpl = self.templates.get(code)
        if tpl is None:
            raise _Refusal(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        return {"TemplateCode": tpl.code, "TemplateName": tpl.name, "TemplateContent": tpl.content,
                "TemplateType": tpl.type, "TemplateStatus": tpl.status, "Reason": tpl.reason,
                "CreateDate": "2024-03-01 10:00:00"}

    def _template_list(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            page, size = int(p.get("PageIndex", "1")), int(p.get("PageSize", "10"))
        except ValueError:
            raise _Refusal(200, "isv.INVALID_PARAMETERS", "PageIndex and PageSize must be integers") from None
        if page < 1 or not 1 <= size <= 50:
            raise _Refusal(200, "isv.INVALID_PARAMETERS", "PageIndex >= 1, PageSize 1..50")
        audit = {0: "AUDIT_STATE_INIT", 1: "AUDIT_STATE_PASS", 2: "AUDIT_STATE_NOT_PASS"}
        rows = sorted(self.templates.values(), key=lambda t: t.code)
        chunk = rows[(page - 1) * size: page * size]
        return {"TotalCount": len(rows), "CurrentPage": page, "PageSize": size, "SmsTemplateList": [
            {"TemplateCode": t.code, "TemplateName": t.name, "TemplateContent": t.content, "TemplateType": t.type,
             "OuterTemplateType": t.type, "AuditStatus": audit.get(t.status, "AUDIT_STATE_INIT"),
             "Reason": {"RejectInfo": t.reason} if t.reason else {}, "CreateDate": "2024-03-01 10:00:00",
             "OrderId": f"{10**9 + i}"} for i, t in enumerate(chunk)]}

    # --- control endpoint (unsigned; 127.0.0.1 only) ---------------------------------------------

    async def _control(self, request: web.Request) -> web.Response:
        op = request.match_info["op"]
        try:
            body = await request.json() if request.can_read_body else {}
            if not isinstance(body, dict):
                raise ValueError("a JSON object is expected")
            if op == "inject":
                self.inject(body.get("action"), body["kind"], int(body.get("count", 1)),
                            delay_s=float(body.get("delay_s", 0.0)), retry_after_s=float(body.get("retry_after_s", 1)),
                            apply=bool(body.get("apply", False)))
            elif op == "inject_code":
                self.inject_code(body.get("action"), str(body["code"]), int(body.get("count", 1)),
                                 apply=bool(body.get("apply", False)))
            elif op == "clear":
                self.clear_faults()
            elif op == "deliver":
                self.deliver_now()
            elif op == "template":
                tpl = EmuTemplate(str(body["code"]), str(body.get("name", "")), str(body["content"]),
                                  int(body.get("type", 1)), int(body.get("status", 1)))
                self.templates[tpl.code] = tpl
            elif op == "undeliverable":
                self.undeliverable.add(str(body["phone"]))
            elif op != "state":
                return web.json_response({"error": f"unknown operation {op!r}"}, status=404)
        except (KeyError, TypeError, ValueError) as e:
            return web.json_response({"error": f"bad request: {e}"}, status=400)
        dup = {k: v for k, v in self._accepted_out_ids.items() if v > 1}
        return web.json_response({"messages": len(self.messages), "duplicates": dup,
                                  "pending_faults": self.faults.pending + sum(f.remaining for f in self._code_faults),
                                  "balance": self.balance})


def _enc(s: str) -> str:
    return quote(s, safe="~")


def _numbers(raw: str) -> set[str]:
    out = set()
    for n in raw.split(","):
        m = _MOBILE.match(n.strip())
        if m:
            out.add(m.group(1))
    return out


def _cst(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")


def _split_query(raw: str) -> list[tuple[str, str]]:
    """``%XX`` decoded; ``+`` is a space only in form encoding, which some clients use in queries too."""
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        pairs.append((unquote(k.replace("+", " ")), unquote(v.replace("+", " "))))
    return pairs


def _xml(root: str, body: Mapping[str, Any]) -> str:
    def el(name: str, v: Any) -> str:
        if isinstance(v, Mapping):
            return f"<{name}>" + "".join(el(k, x) for k, x in v.items()) + f"</{name}>"
        if isinstance(v, list):
            return "".join(el(name, x) for x in v)
        return f"<{name}>{escape(str(v))}</{name}>"
    return '<?xml version="1.0" encoding="UTF-8"?>' + el(root, body)


async def seed_templates(engine: Any, emu: AliyunSmsEmulator, *, by: str = "sandbox") -> int:
    """Write the emulator's templates into ``sms_templates`` (what ``SmsService.sync_template`` would store),
    so a fresh sandbox can start campaigns at once. Existing rows are left alone. Returns rows written."""
    import sqlalchemy as sa

    from console.db.tables_sms import sms_templates

    kinds = {0: "code", 1: "notice", 2: "marketing"}
    now = datetime.now(UTC)
    written = 0
    async with engine.begin() as conn:
        have = set((await conn.execute(sa.select(sms_templates.c.code))).scalars())
        for tpl in emu.templates.values():
            if tpl.code in have or tpl.type not in kinds:
                continue
            await conn.execute(sms_templates.insert().values(
                code=tpl.code, name=tpl.name[:64], content=tpl.content, kind=kinds[tpl.type],
                approved=tpl.status == 1, synced_at=now, synced_by=by))
            written += 1
    return written


async def showcase_campaign(engine: Any, gateway: Any, *, requester: str = "demo-ops", approver: str = "demo-admin",
                            recipients: int = 12) -> int:
    """A small campaign really sent through :class:`~console.services.sms.service.SmsService` to the sandbox
    emulator: ``requester`` creates it, ``approver`` (another demo operator, the second person) approves it,
    then it is sent (for the screenshot's report). Only the training sandbox has the demo operators.

    Raises:
        NotFound: A demo operator is missing (not the sandbox's database).
    """
    import sqlalchemy as sa

    from console.db import tables as t
    from console.domain import Operator, OperatorId, Role
    from console.errors import NotFound
    from console.services.audit import AuditService
    from console.services.sms.service import Audience, SmsService

    consoles: list[SmsService] = []
    async with engine.connect() as conn:
        for name in (requester, approver):
            row = (await conn.execute(sa.select(t.operators.c.id, t.operators.c.username, t.operators.c.display_name,
                                                t.operators.c.role).where(t.operators.c.username == name))).first()
            if row is None:
                raise NotFound(f"No sandbox operator {name}")
            op = Operator(id=OperatorId(int(row.id)), username=row.username, display_name=row.display_name,
                          role=Role(row.role))
            consoles.append(SmsService(engine, AuditService(engine, op), gateway))
        ids = list((await conn.execute(sa.select(t.users.c.id).where(t.users.c.status == "active")
                                       .order_by(t.users.c.last_active_at.desc().nulls_last(), t.users.c.id)
                                       .limit(recipients))).scalars())
    ask, ok = consoles
    c = await ask.create_campaign("回归礼包 · 沙箱演示", "SMS_245512083", {"gift": "金币×100", "days": "7"},
                                  Audience(kind="user_ids", user_ids=tuple(int(i) for i in ids)),
                                  reason="沙箱演示活动", quiet_start=0, quiet_end=0)
    await ok.approve(c.approval_id or 0, "沙箱演示：第二位运营批准")
    await ask.send_campaign(c.id)
    return c.id
