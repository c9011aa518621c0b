"""Template SMS behind :class:`SmsGateway`, with Aliyun Dysms (``SendSms``, signature v1) as the vendor.

Usage::

    client = make_client("https://dysmsapi.aliyuncs.com", timeout=10)
    sms = AliyunSms(client, access_key_id="LTAI…", secret=require(store, "sms", "LTAI…"), sign_name="狮吼直播")
    tpl = SmsTemplate(code="SMS_216427811", content="您的验证码为${code}，5分钟内有效，请勿泄露。", kind="code")
    phone, params = prepare("138 1234 1234", tpl, {"code": "482913"})   # InvalidInput before anything is sent
    receipt = await sms.send(phone, tpl, params, out_id="rc-7f3a…")
    records = await sms.details(phone, receipt.accepted_at.date(), biz_id=receipt.biz_id)

The seed vendor 思空 has no public documentation (providers.md §4.1); a second vendor implements
:class:`SmsGateway` (``send``, ``details``, ``template``) and reuses :func:`prepare`.

Wire facts (providers.md §4.2, §9): every parameter, ``Signature`` included, goes in the query string of
a ``POST`` with an empty body; the nonce is 32 hex characters, fresh for every attempt (a reused nonce is
``SignatureNonceUsed``); the signature is HMAC-SHA1 over ``POST&%2F&`` + the percent-encoded sorted
query, with ``SignatureMethod``/``SignatureVersion`` among the signed parameters. Responses are judged by
``Code`` (``"OK"``), never by the HTTP status alone.

Retries: reads (``QuerySendDetails``, ``QuerySmsTemplate``) are retried by the transport policy and on
``isp.*`` here. ``SendSms`` is **not** retried inside the gateway (only when the request provably never
left): whether the real service deduplicates on ``OutId`` is UNCONFIRMED, so the caller retries a
retryable failure (``isp.*``, timeout, 5xx) only after looking the ``OutId`` up with :meth:`details`
(see ``console.services.sms.service``). ``isv.BUSINESS_LIMIT_CONTROL`` is :class:`SmsLimited`:
never retried.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal, Protocol
from urllib.parse import quote

import httpx

from console.credentials import Secret, require
from console.errors import (
    InvalidInput,
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
)
from console.services.http import ErrorInfo, HttpTransportPolicy, make_client

__all__ = [
    "CHINA_TZ",
    "PROVIDER",
    "AliyunSms",
    "DeliveryRecord",
    "SendReceipt",
    "SmsGateway",
    "SmsLimited",
    "SmsTemplate",
    "TemplateKind",
    "VendorTemplate",
    "check_phone",
    "check_params",
    "describe_error",
    "error_for",
    "find_sent",
    "gateway_from_settings",
    "percent_encode",
    "prepare",
    "sign",
    "string_to_sign",
]

PROVIDER = "sms"
VERSION = "2017-05-25"
REGION = "cn-hangzhou"
#: Aliyun reports and takes dates in China time (``SendDate`` yyyyMMdd, ``2019-01-08 16:44:10``).
CHINA_TZ = timezone(timedelta(hours=8), "CST")
#: Longest template variable value we send (isv.PARAM_LENGTH_LIMIT; 35 per the 2023 rules, UNCONFIRMED).
MAX_PARAM_CHARS = 35
#: A verification code: 4–8 letters or digits (UNCONFIRMED vendor rule; the usual apps send 6 digits).
_CODE_VALUE = re.compile(r"^[0-9A-Za-z]{4,8}$")
_URL = re.compile(r"(?i)(https?://|www\.|\b[a-z0-9-]+\.(com|cn|net|org|top|xyz|cc|io)\b)")
_VAR = re.compile(r"\$\{(\w+)\}")
#: Mainland China mobile numbers: 11 digits, 1 then 3–9 (13x … 19x, incl. 16x/17x virtual operators).
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_MAX_PAGES = 200

TemplateKind = Literal["code", "notice", "marketing"]
DeliveryStatus = Literal["sending", "delivered", "failed"]

#: Gateway codes that mean "your key, signature or clock".
_AUTH_CODES = frozenset({
    "SignatureDoesNotMatch", "IncompleteSignature", "InvalidTimeStamp.Expired", "InvalidTimeStamp.Format",
    "SignatureNonceUsed", "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "Forbidden.RAM",
    "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL", "isv.RAM_PERMISSION_DENY",
})
#: Per-number flow control: the same number will be refused again; never retried.
_LIMIT_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.DOMESTIC_NUMBER_NOT_SUPPORTED"})
#: What a person is told for the business codes (providers.md §4.2).
MESSAGES: dict[str, str] = {
    "isv.BUSINESS_LIMIT_CONTROL": "this number has reached its SMS limit (1/min, 5/h, 10/day for codes); "
                                  "not retried",
    "isv.DAY_LIMIT_CONTROL": "the daily sending limit is reached; not retried",
    "isv.MOBILE_NUMBER_ILLEGAL": "the vendor refused the phone number",
    "isv.MOBILE_COUNT_OVER_LIMIT": "too many phone numbers in one call",
    "isv.TEMPLATE_MISSING_PARAMETERS": "a template variable is missing",
    "isv.INVALID_JSON_PARAM": "template variables must be a JSON object of strings",
    "isv.SMS_SIGNATURE_ILLEGAL": "the sign name is not approved",
    "isv.SMS_TEMPLATE_ILLEGAL": "the template is not approved or does not exist",
    "isv.AMOUNT_NOT_ENOUGH": "the SMS account balance is exhausted",
    "isv.OUT_OF_SERVICE": "the SMS account is suspended",
    "isv.BLACK_KEY_CONTROL_LIMIT": "the text contains a blocked word",
    "isv.PARAM_LENGTH_LIMIT": "a template variable is too long",
    "isv.PARAM_NOT_SUPPORT_URL": "template variables may not contain links",
    "isv.INVALID_PARAMETERS": "the vendor refused a parameter",
}


class SmsLimited(ProviderRejected):
    """Per-number flow control (``isv.BUSINESS_LIMIT_CONTROL``): not retryable, whatever is tried."""


# --- templates, numbers, variables (checked before anything is stored or sent) -------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class SmsTemplate:
    """An approved template: ``content`` with ``${var}`` placeholders, as the vendor holds it."""

    code: str
    content: str
    kind: TemplateKind = "notice"
    name: str = ""

    @property
    def variables(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for v in _VAR.findall(self.content):
            seen.setdefault(v, None)
        return tuple(seen)

    def render(self, params: Mapping[str, str], sign_name: str = "") -> str:
        """The text the recipient reads (for previews and the report)."""
        body = _VAR.sub(lambda m: str(params.get(m.group(1), m.group(0))), self.content)
        return f"【{sign_name}】{body}" if sign_name else body


def check_phone(phone: str) -> str:
    """A mainland China mobile number in its 11-digit form.

    Spaces, dashes and a ``+86`` / ``0086`` / ``86`` prefix are accepted and removed.

    Raises:
        InvalidInput: Anything that is not such a number (landlines, short numbers, letters, foreign numbers).
    """
    if not isinstance(phone, str):
        raise InvalidInput("phone", "a phone number is required")
    raw = unicodedata.normalize("NFKC", phone).strip()
    s = re.sub(r"[\s\-()]", "", raw)
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    elif s.startswith("86") and len(s) == 13:
        s = s[2:]
    if not _MOBILE.match(s):
        shown = raw if len(raw) <= 24 else raw[:24] + "…"
        raise InvalidInput("phone", f"{shown!r} is not a mainland China mobile number (11 digits, 13x–19x)")
    return s


def check_params(template: SmsTemplate, params: Mapping[str, Any]) -> dict[str, str]:
    """Template variables as the vendor wants them: every placeholder filled, nothing else, strings only.

    Raises:
        InvalidInput: A missing or unknown variable, a value that is not text or a number, empty, too long,
            with a link or a control character, or a verification code that is not 4–8 letters/digits.
    """
    if not isinstance(params, Mapping):
        raise InvalidInput("template_param", "template variables must be a mapping")
    wanted = template.variables
    missing = [v for v in wanted if v not in params]
    if missing:
        raise InvalidInput("template_param", f"template {template.code} needs "
                           + ", ".join("${" + v + "}" for v in missing) + " (missing)")
    unknown = sorted(k for k in params if k not in wanted)
    if unknown:
        raise InvalidInput("template_param", f"template {template.code} has no variable "
                           + ", ".join("${" + str(k) + "}" for k in unknown))
    out: dict[str, str] = {}
    for k in wanted:
        v = params[k]
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise InvalidInput("template_param", f"${{{k}}} must be text, not {type(v).__name__}")
        s = str(v)
        if not s.strip():
            raise InvalidInput("template_param", f"${{{k}}} is empty")
        if len(s) > MAX_PARAM_CHARS:
            raise InvalidInput("template_param", f"${{{k}}} is longer than {MAX_PARAM_CHARS} characters")
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in s):
            raise InvalidInput("template_param", f"${{{k}}} contains a control character")
        if _URL.search(s):
            raise InvalidInput("template_param", f"${{{k}}} contains a link (not allowed in variables)")
        if template.kind == "code" and k == "code" and not _CODE_VALUE.match(s):
            raise InvalidInput("template_param", "${code} must be 4–8 letters or digits")
        out[k] = s
    return out


def prepare(phone: str, template: SmsTemplate, params: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """:func:`check_phone` and :func:`check_params` together: what :meth:`SmsGateway.send` will accept."""
    return check_phone(phone), check_params(template, params)


# --- signature v1 (providers.md §4.2) -------------------------------------------------------------

def percent_encode(s: str) -> str:
    """RFC 3986 encoding as Aliyun signs it: space ``%20``, ``*`` ``%2A``, ``~`` kept, UTF-8."""
    return quote(s, safe="~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign(secret: str, method: str, params: Mapping[str, str]) -> str:
    """Base64 HMAC-SHA1 with key ``secret + "&"`` over :func:`string_to_sign` (``Signature`` not included)."""
    digest = hmac.new((secret + "&").encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# --- results and errors ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class SendReceipt:
    biz_id: str
    out_id: str
    request_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRecord:
    """One ``SmsSendDetailDTO``: ``SendStatus`` 1 → sending, 2 → failed, 3 → delivered."""

    phone: str
    status: DeliveryStatus
    err_code: str
    template_code: str
    out_id: str
    content: str
    sent_at: datetime | None
    received_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorTemplate:
    """``QuerySmsTemplate``: ``TemplateStatus`` 1 is approved; ``TemplateType`` 0 code, 1 notice, 2 marketing."""

    code: str
    name: str
    content: str
    kind: TemplateKind
    approved: bool
    reason: str = ""


def describe_error(response: httpx.Response) -> ErrorInfo:
    try:
        body = json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, Mapping):
        return ErrorInfo(None, response.reason_phrase or f"HTTP {response.status_code}", None)
    code = body.get("Code")
    return ErrorInfo(str(code) if code else None, str(body.get("Message") or ""),
                     str(body.get("RequestId") or "") or None)


def error_for(action: str, code: str, message: str, *, http_status: int | None = None,
              request_id: str | None = None) -> ProviderError:
    """The :class:`~console.errors.ProviderError` for a ``Code`` other than ``OK``.

    ``isv.BUSINESS_LIMIT_CONTROL`` (and the daily limit) → :class:`SmsLimited`, never retried;
    ``isp.*`` → :class:`~console.errors.ProviderUnavailable` (retryable); ``Throttling*`` →
    :class:`~console.errors.RateLimited`; key/signature/clock → :class:`~console.errors.ProviderAuthError`;
    every other code → :class:`~console.errors.ProviderRejected` with a plain description.
    """
    # a SignatureDoesNotMatch message carries the server's string to sign after the first ':'
    first = (message or "").split(":", 1)[0].strip() if code == "SignatureDoesNotMatch" else (message or "")
    human = MESSAGES.get(code)
    text = f"{action}: {human} ({first})" if human and first and first != human else f"{action}: {human or first or code}"
    kw: dict[str, Any] = {"code": code, "http_status": http_status, "request_id": request_id}
    if code in _LIMIT_CODES:
        return SmsLimited(PROVIDER, text, **kw)
    if code.startswith("isp.") or code in ("InternalError", "ServiceUnavailable"):
        return ProviderUnavailable(PROVIDER, text, **kw)
    if code.startswith("Throttling"):
        return RateLimited(PROVIDER, text, **kw)
    if code in _AUTH_CODES or http_status in (401, 403):
        return ProviderAuthError(PROVIDER, text, **kw)
    return ProviderRejected(PROVIDER, text, **kw)


# --- the interface ---------------------------------------------------------------------------------

class SmsGateway(Protocol):
    """What the SMS service needs from a vendor. Every method raises only ``ProviderError`` subclasses
    (and ``InvalidInput`` for a value refused before anything is sent)."""

    name: str

    async def send(self, phone: str, template: SmsTemplate, params: Mapping[str, Any], *, out_id: str,
                   sign_name: str | None = None) -> SendReceipt:
        """Send one templated message; ``out_id`` is the caller's correlation id (stored before the call)."""
        ...

    async def details(self, phone: str, day: date, *, biz_id: str | None = None) -> list[DeliveryRecord]:
        """What the vendor knows about messages to ``phone`` sent on ``day`` (China time)."""
        ...

    async def template(self, code: str) -> VendorTemplate:
        """A template as the vendor holds it (content, type, approval)."""
        ...

    async def aclose(self) -> None: ...


async def find_sent(gateway: SmsGateway, phone: str, out_id: str, day: date) -> DeliveryRecord | None:
    """The message sent with ``out_id`` to ``phone`` on ``day`` or the day before, if the vendor has it
    (how a send whose answer was lost is recognised before it is sent again)."""
    for d in (day, day - timedelta(days=1)):
        for r in await gateway.details(phone, d):
            if r.out_id == out_id:
                return r
    return None


def _parse_cst(v: Any) -> datetime | None:
    if not isinstance(v, str) or not v.strip():
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(v.strip(), fmt).replace(tzinfo=CHINA_TZ).astimezone(UTC)
        except ValueError:
            continue
    return None


_STATUS: dict[int, DeliveryStatus] = {1: "sending", 2: "failed", 3: "delivered"}
_KINDS: dict[int, TemplateKind] = {0: "code", 1: "notice", 2: "marketing"}


class AliyunSms:
    """Aliyun Dysms (RPC API ``2017-05-25``) as an :class:`SmsGateway`.

    Args:
        client: ``make_client("https://dysmsapi.aliyuncs.com")`` (the instance closes it in :meth:`aclose`).
        access_key_id: The AccessKeyId (settings ``sms.access_key_id``).
        secret: Its secret (``require(store, "sms", access_key_id)``).
        sign_name: The approved sign name sent with every message (``sms.sign_name``).
        policy: Transport policy (tests inject sleep and randomness).
        clock: Wall clock for ``Timestamp``.
        nonce: Makes a ``SignatureNonce`` (32 hex characters by default).
        retries_isp: Extra attempts of a *read* answered with ``isp.*``.
    """

    name = "aliyun"

    def __init__(self, client: httpx.AsyncClient, *, access_key_id: str, secret: Secret, sign_name: str,
                 region: str = REGION, policy: HttpTransportPolicy | None = None,
                 clock: Callable[[], float] = time.time, nonce: Callable[[], str] = lambda: uuid.uuid4().hex,
                 retries_isp: int = 2, isp_backoff_s: float = 0.5) -> None:
        if not access_key_id:
            raise InvalidInput("sms.access_key_id", "an AccessKeyId is required")
        if not sign_name.strip():
            raise InvalidInput("sms.sign_name", "a sign name is required")
        self._client = client
        self._ak, self._secret = access_key_id, secret
        self.sign_name = sign_name.strip()
        self._region = region
        self._policy = policy or HttpTransportPolicy()
        self._clock, self._nonce = clock, nonce
        self._retries_isp, self._isp_backoff_s = retries_isp, isp_backoff_s

    @property
    def base_url(self) -> str:
        """Where the gateway is (the sandbox's emulator listens on 127.0.0.1)."""
        return str(self._client.base_url)

    # --- transport ---------------------------------------------------------------------------

    def signed_params(self, action: str, params: Mapping[str, str], *, method: str = "POST") -> dict[str, str]:
        """Common + business parameters and their ``Signature`` (a fresh nonce and timestamp each call)."""
        p = {
            "AccessKeyId": self._ak, "Action": action, "Format": "JSON", "RegionId": self._region,
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": self._nonce(), "SignatureVersion": "1.0",
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._clock())), "Version": VERSION,
            **{k: v for k, v in params.items()},
        }
        p["Signature"] = sign(self._secret.reveal(), method, p)
        return p

    def _build(self, action: str, params: Mapping[str, str]) -> httpx.Request:
        query = canonical_query(self.signed_params(action, params))
        return self._client.build_request("POST", "/?" + query)

    async def _call(self, action: str, params: Mapping[str, str], *, idempotent: bool) -> Mapping[str, Any]:
        attempt = 0
        while True:
            try:
                return await self._call_once(action, params, idempotent=idempotent)
            except ProviderUnavailable as e:
                if not (idempotent and (e.code or "").startswith("isp.") and attempt < self._retries_isp):
                    raise
            attempt += 1
            await asyncio.sleep(self._isp_backoff_s * attempt)

    async def _call_once(self, action: str, params: Mapping[str, str], *, idempotent: bool) -> Mapping[str, Any]:
        try:
            reply = await self._policy.send(self._client, lambda: self._build(action, params), provider=PROVIDER,
                                            idempotent=idempotent, expect_json=True, describe_error=describe_error)
        except ProviderError as e:
            if e.code and (e.code.startswith("isp.") or e.code.startswith("isv.")):
                raise error_for(action, e.code, str(e), http_status=e.http_status, request_id=e.request_id) from e
            raise
        body = reply.data
        if not isinstance(body, Mapping) or not body.get("Code"):
            if reply.status >= 400:
                info = describe_error(reply.response)
                raise error_for(action, info.code or f"HTTP{reply.status}", info.message, http_status=reply.status,
                                request_id=info.request_id)
            raise ProviderUnavailable(PROVIDER, f"{action}: response without a Code", code="malformed_response",
                                      http_status=reply.status)
        code = str(body["Code"])
        if code != "OK":
            raise error_for(action, code, str(body.get("Message") or ""), http_status=reply.status,
                            request_id=str(body.get("RequestId") or "") or None)
        return body

    # --- SmsGateway ----------------------------------------------------------------------------

    async def send(self, phone: str, template: SmsTemplate, params: Mapping[str, Any], *, out_id: str,
                   sign_name: str | None = None) -> SendReceipt:
        """``SendSms`` to one number. Checks the number and the variables first (nothing is sent otherwise).

        Raises:
            InvalidInput: A bad number, a missing/unknown/bad variable, an empty or over-long ``out_id``.
            SmsLimited: ``isv.BUSINESS_LIMIT_CONTROL``: never retry.
            ProviderError: Another subclass as described in :func:`error_for`; a timeout or 5xx is
                ``ProviderUnavailable`` and may have been sent (look ``out_id`` up before sending again).
        """
        number, values = prepare(phone, template, params)
        if not out_id or len(out_id) > 64:
            raise InvalidInput("out_id", "1..64 characters required")
        body = await self._call("SendSms", {
            "PhoneNumbers": number, "SignName": sign_name or self.sign_name, "TemplateCode": template.code,
            "TemplateParam": json.dumps(values, ensure_ascii=False, separators=(",", ":")), "OutId": out_id,
        }, idempotent=False)
        biz = str(body.get("BizId") or "")
        if not biz:
            raise ProviderUnavailable(PROVIDER, "SendSms: OK without a BizId", code="malformed_response")
        return SendReceipt(biz_id=biz, out_id=out_id, request_id=str(body.get("RequestId") or ""))

    async def details(self, phone: str, day: date, *, biz_id: str | None = None) -> list[DeliveryRecord]:
        """``QuerySendDetails`` for one number on one China-time day, every page (50 a page).

        Raises:
            InvalidInput: A bad number.
            ProviderError: A subclass as described in :func:`error_for`.
        """
        number = check_phone(phone)
        out: list[DeliveryRecord] = []
        page = 1
        while page <= _MAX_PAGES:
            params = {"PhoneNumber": number, "SendDate": day.strftime("%Y%m%d"), "PageSize": "50",
                      "CurrentPage": str(page)}
            if biz_id:
                params["BizId"] = biz_id
            body = await self._call("QuerySendDetails", params, idempotent=True)
            dtos = body.get("SmsSendDetailDTOs")
            items = dtos.get("SmsSendDetailDTO") if isinstance(dtos, Mapping) else None
            if isinstance(items, Mapping):  # an XML-to-JSON conversion gives one object for one record
                items = [items]
            rows = [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []
            for i in rows:
                try:
                    status = _STATUS.get(int(i.get("SendStatus") or 0), "sending")
                except (TypeError, ValueError):
                    status = "sending"
                out.append(DeliveryRecord(
                    phone=str(i.get("PhoneNum") or number), status=status, err_code=str(i.get("ErrCode") or ""),
                    template_code=str(i.get("TemplateCode") or ""), out_id=str(i.get("OutId") or ""),
                    content=str(i.get("Content") or ""), sent_at=_parse_cst(i.get("SendDate")),
                    received_at=_parse_cst(i.get("ReceiveDate"))))
            try:
                total = int(body.get("TotalCount") or 0)
            except (TypeError, ValueError):
                total = 0
            if len(rows) < 50 or len(out) >= total:
                break
            page += 1
        return out

    async def template(self, code: str) -> VendorTemplate:
        """``QuerySmsTemplate``.

        Raises:
            InvalidInput: An empty code.
            ProviderError: A subclass as described in :func:`error_for` (an unknown code is rejected).
        """
        if not code or len(code) > 32:
            raise InvalidInput("template", "a template code (at most 32 characters) is required")
        body = await self._call("QuerySmsTemplate", {"TemplateCode": code}, idempotent=True)
        try:
            kind = _KINDS.get(int(body.get("TemplateType") or 0), "notice")
            status = int(body.get("TemplateStatus") or 0)
        except (TypeError, ValueError):
            kind, status = "notice", 0
        return VendorTemplate(code=str(body.get("TemplateCode") or code), name=str(body.get("TemplateName") or ""),
                              content=str(body.get("TemplateContent") or ""), kind=kind, approved=status == 1,
                              reason=str(body.get("Reason") or ""))

    async def templates(self) -> list[VendorTemplate]:
        """``QuerySmsTemplateList``: every template of the account, 50 a page.

        The reference (providers.md §4.2) does not cover this action; its shape here is Aliyun's public
        API of version 2017-05-25 (UNCONFIRMED against a live account): ``PageIndex``/``PageSize`` in,
        ``SmsTemplateList`` with ``TemplateCode``, ``TemplateName``, ``TemplateContent``, ``TemplateType``
        and ``AuditStatus`` (``AUDIT_STATE_PASS`` is approved) out.

        Raises:
            ProviderError: A subclass as described in :func:`error_for`.
        """
        out: list[VendorTemplate] = []
        page = 1
        while page <= _MAX_PAGES:
            body = await self._call("QuerySmsTemplateList", {"PageIndex": str(page), "PageSize": "50"},
                                    idempotent=True)
            items = body.get("SmsTemplateList")
            rows = [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []
            for i in rows:
                try:
                    kind = _KINDS.get(int(i.get("TemplateType") or 0), "notice")
                except (TypeError, ValueError):
                    kind = "notice"
                reason = i.get("Reason")
                out.append(VendorTemplate(
                    code=str(i.get("TemplateCode") or ""), name=str(i.get("TemplateName") or ""),
                    content=str(i.get("TemplateContent") or ""), kind=kind,
                    approved=str(i.get("AuditStatus") or "") == "AUDIT_STATE_PASS",
                    reason=str(reason.get("RejectInfo") or "") if isinstance(reason, Mapping) else str(reason or "")))
            try:
                total = int(body.get("TotalCount") or 0)
            except (TypeError, ValueError):
                total = 0
            if len(rows) < 50 or len(out) >= total:
                break
            page += 1
        return [t for t in out if t.code]

    async def aclose(self) -> None:
        await self._client.aclose()


def gateway_from_settings(settings: Mapping[str, Any] | Any, store: Any) -> AliyunSms | None:
    """The gateway the settings name (``sms.url`` empty: None), its secret from the credential store.

    Keys: ``sms.url`` (e.g. ``https://dysmsapi.aliyuncs.com``), ``sms.access_key_id``, ``sms.sign_name``;
    the secret is ``require(store, "sms", access_key_id)``.

    Raises:
        MissingCredentials: The secret is not in the store.
        InvalidInput: No access key id or sign name.
    """
    url = str(settings["sms.url"] or "")
    if not url:
        return None
    ak = str(settings["sms.access_key_id"] or "")
    if not ak:
        raise InvalidInput("sms.access_key_id", "an AccessKeyId is required when sms.url is set")
    secret = require(store, "sms", ak)
    return AliyunSms(make_client(url, timeout=10), access_key_id=ak, secret=secret,
                     sign_name=str(settings["sms.sign_name"] or ""))
