"""SMS for support and operators: a user's messages, "resend code", and campaigns sent exactly once.

Usage::

    sms = SmsService(engine, audit, gateway, actions, code_key=secret)   # registers "sms_code_resend"
    rows = await sms.user_messages(UserId(10000001))           # the user card's 短信 tab
    quota = await sms.resend_quota(UserId(10000001))           # may support resend now? when?
    rec = await sms.resend_code(UserId(10000001), "用户称未收到验证码")   # an ActionRecord (outbox)

    tpl = await sms.sync_template("SMS_230184521")             # from the vendor; must be approved
    c = await sms.create_campaign("回归礼包 6月", "SMS_245512083", {"gift": "金币×100", "days": "7"},
                                  Audience(kind="active_days", days=30), reason="召回活动")
    # another operator, in their own console (the request arrives on the "approvals" topic):
    await other.approve(c.approval_id)
    report = await other.send_campaign(c.id)                   # waits in quiet hours; resumable
    report = await sms.poll_deliveries(c.id)                   # QuerySendDetails -> sms_messages.status

Exactly once, for campaigns: every recipient row carries its ``out_id`` from the moment the campaign is
created; before each call the row's ``attempts`` is incremented and committed; a row that was attempted
before (a timeout, a lost answer, a crash, another console that died) is first looked up with
``QuerySendDetails`` by its ``out_id`` and only sent again if the vendor has no such message; the
emulator also answers a repeated ``OutId`` with the original ``BizId``. For "resend code" the action
outbox does the same with one ``out_id`` per action.

Roles: campaigns, templates, opt-outs and approvals need ``SEND_SMS`` (operators, admins); the user
card's view needs ``LOOKUP_USERS``; "resend code" needs :data:`RESEND_PERMISSION` (see there).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.credentials import Secret
from console.db import tables as t
from console.db import tables_sms as ts
from console.domain import ActionRecord, Permission, UserId, mask_phone
from console.errors import (
    ConsoleError,
    InvalidInput,
    NotFound,
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
)
from console.services.audit import AuditService
from console.services.events import publish
from console.services.sms.gateway import (
    CHINA_TZ,
    PROVIDER,
    DeliveryRecord,
    SmsGateway,
    SmsTemplate,
    check_params,
    check_phone,
    find_sent,
)

log = logging.getLogger(__name__)

RESEND_CODE = "sms_code_resend"
#: Who may resend a verification code: a support action on the user card (the issue). Support lacks
#: SEND_SMS, and operators may not read users' phones (PostgreSQL grants), so it is not SEND_SMS. The
#: proper permission is ``Permission.RESEND_SMS_CODE`` (support, admin; the lead adds it); until it exists
#: REVEAL_PHONE stands in, which exactly support and admin hold.
RESEND_PERMISSION: Permission = getattr(Permission, "RESEND_SMS_CODE", Permission.REVEAL_PHONE)
#: Per-number limits of verification codes, as the vendor enforces them (providers.md §4.2).
CODE_LIMITS: tuple[tuple[str, timedelta | None, int], ...] = (
    ("minute", timedelta(minutes=1), 1), ("hour", timedelta(hours=1), 5), ("day", None, 10))
CODE_PURPOSES = ("register", "verify")
MAX_REASON = 500
MAX_USER_IDS = 10_000
CAMPAIGN_KINDS = ("notice", "marketing")
#: How far ahead a campaign may be scheduled.
MAX_SCHEDULE_AHEAD = timedelta(days=30)
#: A scheduled time this close to now (or a little past, the operator's typing) means "now".
SCHEDULE_GRACE = timedelta(minutes=1)
#: China's carriers: one SMS carries 70 characters (signature included); a longer text goes as a
#: concatenated SMS of 67-character parts, each billed as one message (the Aliyun rule).
SINGLE_SMS_CHARS = 70
PART_SMS_CHARS = 67


def _now() -> datetime:
    return datetime.now(UTC)


def china_day(at: datetime) -> date:
    return at.astimezone(CHINA_TZ).date()


def in_quiet_hours(at: datetime, start: int, end: int) -> bool:
    """True when ``at`` falls in the quiet window [start:00, end:00) China time (it may span midnight)."""
    h = at.astimezone(CHINA_TZ).hour
    if start == end:
        return False
    return start <= h or h < end if start > end else start <= h < end


def quiet_until(at: datetime, start: int, end: int) -> datetime:
    """When the quiet window around ``at`` ends (``at`` itself when it is not quiet)."""
    if not in_quiet_hours(at, start, end):
        return at
    local = at.astimezone(CHINA_TZ)
    stop = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if stop <= local:
        stop += timedelta(days=1)
    return stop.astimezone(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsLength:
    chars: int
    segments: int


def sms_length(text: str) -> SmsLength:
    """Characters (each CJK character, letter, digit or emoji code point counts 1; an emoji outside the
    BMP counts 2, as carriers bill UCS-2 units) and billed parts of ``text`` (signature included)."""
    chars = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
    if chars <= SINGLE_SMS_CHARS:
        return SmsLength(chars=chars, segments=1 if chars else 0)
    return SmsLength(chars=chars, segments=-(-chars // PART_SMS_CHARS))


# --- records ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class SmsView:
    """One message a user was sent, as the user card shows it."""

    id: int
    template_code: str
    purpose: str
    phone_masked: str
    sent_at: datetime
    status: str                  # sent (no receipt yet) | delivered | failed
    error_code: str | None
    delivered_at: datetime | None
    out_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResendQuota:
    """Whether a code may be resent to the user's number now; ``next_at`` when it may if not."""

    allowed: bool
    next_at: datetime | None
    last_minute: int
    last_hour: int
    today: int
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateInfo:
    code: str
    name: str
    content: str
    kind: str
    approved: bool
    variables: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Audience:
    """Who a campaign goes to: ``active_days`` (active users seen in the last ``days``),
    ``registered_days`` (active users registered in the last ``days``), ``user_ids`` (a list).
    Room followers are not offered: the shared schema has no follower table."""

    kind: Literal["active_days", "registered_days", "user_ids"]
    days: int = 7
    user_ids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        if self.kind == "user_ids":
            return {"kind": self.kind, "ids": list(self.user_ids)}
        return {"kind": self.kind, "days": self.days}


@dataclass(frozen=True, slots=True, kw_only=True)
class AudienceCount:
    recipients: int
    opted_out: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalInfo:
    id: int
    kind: str
    subject_id: str
    summary: str
    audience_size: int
    requested_by: str
    requested_at: datetime
    state: str
    approved_by: str | None
    decided_at: datetime | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignInfo:
    id: int
    name: str
    template_code: str
    params: dict[str, str]
    audience: dict[str, Any]
    audience_size: int
    skipped_opt_out: int
    state: str
    approval_id: int | None
    created_by: str
    created_at: datetime
    quiet_start: int
    quiet_end: int
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: Not before this time (a scheduled campaign); None: as soon as it is approved.
    send_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OptOut:
    """One number on the opt-out list; screens show ``phone_masked`` and remove an entry by ``id``.
    ``phone`` is the number for roles with REVEAL_PHONE, its masked form for the others (on PostgreSQL
    operators may not read the list's numbers)."""

    id: int
    phone: str
    phone_masked: str
    user_id: int | None
    source: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignReport:
    """Where a campaign stands: recipients by state, messages by delivery status, errors by code."""

    campaign_id: int
    state: str
    total: int
    pending: int
    sent: int
    failed: int
    delivered: int
    awaiting_receipt: int
    undelivered: int
    skipped_opt_out: int
    errors: dict[str, int] = field(default_factory=dict)
    waiting_until: datetime | None = None


class ApprovalRefused(ConsoleError):
    """An approval the operator may not give (their own request, or one already decided)."""


class ResendTooSoon(InvalidInput):
    def __init__(self, message: str, next_at: datetime | None) -> None:
        self.next_at = next_at
        super().__init__("phone", message)


# --- the service -------------------------------------------------------------------------------------

class SmsService:
    """SMS for one operator's console.

    Args:
        engine: The shared database.
        audit: The operator's audit service (role checks).
        gateway: The SMS vendor (None: reads only; sending raises ``InvalidInput``).
        actions: The action outbox; "resend code" is registered on it as ``sms_code_resend``.
        code_key: Key the verification codes are derived from (HMAC of the ``out_id``, so a retry sends
            the same code and the code is never stored; only a salted hash is). Must be the same in every
            console (a retry may run in another one): pass the SMS account secret. None: a random key
            (codes of actions recovered by another console would differ from the hash; tests only).
        code_template: The approved verification-code template (settings ``sms.code_template``).
        code_ttl: How long a resent code is valid.
        concurrency: Parallel SendSms calls of a campaign.
        retry_delay_s: Pause before a campaign retries the recipients that failed retryably.
        max_passes: Passes over the retryable failures before a run stops (they stay pending).
        claim_ttl: After this long without a heartbeat another console may take a campaign over.
        confirm_threshold: Above this many recipients the operator types the audience size to confirm.
    """

    def __init__(self, engine: AsyncEngine, audit: AuditService, gateway: SmsGateway | None,
                 actions: Any | None = None, *, code_key: Secret | None = None, code_template: str = "SMS_216427811",
                 code_ttl: timedelta = timedelta(minutes=5), clock: Callable[[], datetime] = _now,
                 concurrency: int = 8, retry_delay_s: float = 1.0, max_passes: int = 4,
                 claim_ttl: timedelta = timedelta(minutes=2), batch: int = 200,
                 confirm_threshold: int = 1000) -> None:
        self._engine = engine
        self._audit = audit
        self._gateway = gateway
        self._key = code_key or Secret(uuid.uuid4().hex)
        self.code_template = code_template
        self._ttl = code_ttl
        self._clock = clock
        self._concurrency = max(1, concurrency)
        self._retry_delay_s = retry_delay_s
        self._max_passes = max(1, max_passes)
        self._claim_ttl = claim_ttl
        self._batch = batch
        self.confirm_threshold = max(0, confirm_threshold)
        self._templates: dict[str, SmsTemplate] = {}
        self._claims: dict[int, str] = {}
        self._actions = actions
        self.permission = RESEND_PERMISSION          # the ActionHandler side (resend code)
        if actions is not None:
            actions.register([RESEND_CODE], self)

    def set_gateway(self, gateway: SmsGateway | None, *, code_key: Secret | None = None) -> None:
        """Connect the vendor once its settings and secret are known (the sandbox starts its emulator late)."""
        self._gateway = gateway
        if code_key is not None:
            self._key = code_key
        self._templates.clear()

    @property
    def gateway(self) -> SmsGateway | None:
        return self._gateway

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def sign_name(self) -> str:
        """The sign name the gateway puts before every text (【…】), for previews."""
        return str(getattr(self._gateway, "sign_name", "") or "")

    @property
    def operator(self) -> str:
        return self._audit.operator.username

    def _gw(self) -> SmsGateway:
        if self._gateway is None:
            raise InvalidInput("sms", "no SMS gateway is configured (settings sms.url)")
        return self._gateway

    # --- the user card ---------------------------------------------------------------------

    async def user_messages(self, user_id: UserId, *, limit: int = 50) -> list[SmsView]:
        """The registration, verification and campaign SMS sent to a user, newest first."""
        await self._audit.require(Permission.LOOKUP_USERS, f"user:{user_id}")
        q = (sa.select(*(c for c in t.sms_messages.c if c.name != "phone")).where(t.sms_messages.c.user_id == user_id)
             .order_by(t.sms_messages.c.sent_at.desc(), t.sms_messages.c.id.desc()).limit(max(1, min(limit, 500))))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [_view(r) for r in rows]

    async def refresh_user(self, user_id: UserId, *, days: int = 30) -> int:
        """Ask the vendor for receipts of the user's messages still without one; returns how many changed.
        The vendor is asked by phone number, so this needs REVEAL_PHONE."""
        await self._audit.require(Permission.REVEAL_PHONE, f"user:{user_id}")
        since = self._clock() - timedelta(days=days)
        q = sa.select(t.sms_messages).where(t.sms_messages.c.user_id == user_id, t.sms_messages.c.status == "sent",
                                            t.sms_messages.c.sent_at >= since)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        changed = await self._poll_rows(rows)
        if changed:
            async with self._engine.begin() as conn:
                await publish(conn, "sms", f"user:{user_id}")
        return changed

    async def resend_quota(self, user_id: UserId) -> ResendQuota:
        """Whether "resend code" is possible now for the user (the vendor's 1/min, 5/h, 10/day)."""
        await self._audit.require(Permission.LOOKUP_USERS, f"user:{user_id}")
        phone = await self._phone_of(user_id)
        async with self._engine.connect() as conn:
            return await self._quota(conn, phone)

    async def _quota(self, conn: AsyncConnection, phone: str) -> ResendQuota:
        now = self._clock()
        local = now.astimezone(CHINA_TZ)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
        since = min(day_start, now - timedelta(hours=1))
        sent = list((await conn.execute(
            sa.select(t.sms_messages.c.sent_at).where(
                t.sms_messages.c.phone == phone, t.sms_messages.c.purpose.in_(CODE_PURPOSES),
                t.sms_messages.c.status != "failed", t.sms_messages.c.sent_at >= since)
            .order_by(t.sms_messages.c.sent_at))).scalars())
        minute = [s for s in sent if s > now - timedelta(minutes=1)]
        hour = [s for s in sent if s > now - timedelta(hours=1)]
        today = [s for s in sent if s >= day_start]
        counts = {"minute": minute, "hour": hour, "day": today}
        blocked: list[tuple[datetime, str]] = []
        for name, window, permits in CODE_LIMITS:
            got = counts[name]
            if len(got) >= permits:
                if window is None:
                    blocked.append((day_start + timedelta(days=1), f"{permits} codes today already"))
                else:
                    blocked.append((got[-permits] + window, f"{permits} code(s) in the last {name} already"))
        if blocked:
            at, why = max(blocked)
            return ResendQuota(allowed=False, next_at=at, last_minute=len(minute), last_hour=len(hour),
                               today=len(today), reason=why)
        return ResendQuota(allowed=True, next_at=None, last_minute=len(minute), last_hour=len(hour),
                           today=len(today))

    async def resend_code(self, user_id: UserId, reason: str, *, key: str | None = None) -> ActionRecord:
        """Send the user a new verification code (through the action outbox: audited, never twice).

        Raises:
            PermissionDenied: The role lacks :data:`RESEND_PERMISSION` (audited).
            ResendTooSoon: The number had its 1/min, 5/h or 10/day (nothing is sent).
            InvalidInput: No reason, no gateway, or the stored number is not a mobile number.
            NotFound: No such user.
        """
        target = f"user:{user_id}"
        await self._audit.require(RESEND_PERMISSION, target)
        if self._actions is None:
            raise InvalidInput("sms", "the action outbox is not available in this console")
        self._gw()
        phone = check_phone(await self._phone_of(user_id))
        key = key or uuid.uuid4().hex
        if await self._actions.get_by_key(key) is None:
            async with self._engine.connect() as conn:
                quota = await self._quota(conn, phone)
            if not quota.allowed:
                raise ResendTooSoon(f"this number cannot get another code yet ({quota.reason}); "
                                    f"next at {quota.next_at:%H:%M:%S} UTC" if quota.next_at else quota.reason,
                                    quota.next_at)
        template = await self._template(self.code_template)
        out_id = "rc-" + hashlib.sha256(key.encode()).hexdigest()[:32]
        # the user id, never the number: every console role reads the action queue (the number is looked up
        # when the action runs, by a role that may read it)
        payload = {"user_id": int(user_id), "template": template.code, "out_id": out_id,
                   "ttl_s": int(self._ttl.total_seconds())}
        rec: ActionRecord = await self._actions.submit(RESEND_CODE, target, payload, reason=reason, key=key)
        return rec

    def _code(self, out_id: str) -> str:
        mac = hmac.new(self._key.reveal().encode(), b"shihou-sms-code|" + out_id.encode(), hashlib.sha256).digest()
        return f"{int.from_bytes(mac[:8], 'big') % 1_000_000:06d}"

    # ActionHandler (kind sms_code_resend) ------------------------------------------------------

    async def perform(self, kind: str, payload: dict[str, Any], key: str) -> dict[str, Any] | None:
        gw = self._gw()
        out_id = str(payload["out_id"])
        try:
            phone = check_phone(await self._phone_of(UserId(int(payload["user_id"]))))
            template = await self._template(str(payload["template"]))
            rec = await self._actions.get_by_key(key) if self._actions is not None else None
            if rec is None or rec.attempts > 1:   # a retry: the earlier attempt may have been sent
                found = await find_sent(gw, phone, out_id, china_day(self._clock()))
                if found is not None:   # it was; its answer was lost
                    return {"biz_id": None, "reconciled": True}
            receipt = await gw.send(phone, template, {"code": self._code(out_id)}, out_id=out_id)
        except InvalidInput as e:
            raise ProviderRejected(PROVIDER, str(e), code="invalid_input") from e
        except NotFound as e:   # the user is gone: nothing to send, ever
            raise ProviderRejected(PROVIDER, str(e), code="no_user") from e
        return {"biz_id": receipt.biz_id}

    async def apply(self, conn: AsyncConnection, kind: str, payload: dict[str, Any], now: datetime,
                    actor: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        out_id = str(payload["out_id"])
        phone = (await conn.execute(sa.select(t.users.c.phone).where(t.users.c.id == int(payload["user_id"])))
                 ).scalar_one()
        await conn.execute(t.sms_messages.insert().values(
            user_id=payload.get("user_id"), phone=phone, template_code=payload["template"], purpose="verify",
            out_id=out_id, biz_id=payload.get("biz_id"), status="sent", sent_at=now))
        code_hash = hashlib.sha256(f"{out_id}:{self._code(out_id)}".encode()).hexdigest()
        await conn.execute(ts.sms_codes.insert().values(
            out_id=out_id, phone=phone, user_id=payload.get("user_id"), code_hash=code_hash, created_at=now,
            expires_at=now + timedelta(seconds=int(payload.get("ttl_s") or 300))))
        await publish(conn, "sms", f"user:{payload.get('user_id')}")
        return None, {"template": payload["template"], "phone": mask_phone(phone), "out_id": out_id,
                      "biz_id": payload.get("biz_id"), "reconciled": bool(payload.get("reconciled"))}

    # --- templates -----------------------------------------------------------------------------

    async def _template(self, code: str) -> SmsTemplate:
        tpl = self._templates.get(code)
        if tpl is not None:
            return tpl
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(ts.sms_templates).where(ts.sms_templates.c.code == code))).first()
        if row is not None:
            if not row.approved:
                raise InvalidInput("template", f"template {code} is not approved by the vendor")
            tpl = SmsTemplate(code=row.code, content=row.content, kind=row.kind, name=row.name)
        else:
            vt = await self._gw().template(code)
            if not vt.approved:
                raise InvalidInput("template", f"template {code} is not approved by the vendor")
            tpl = SmsTemplate(code=vt.code, content=vt.content, kind=vt.kind, name=vt.name)
        self._templates[code] = tpl
        return tpl

    async def sync_template(self, code: str) -> TemplateInfo:
        """Fetch a template from the vendor (content, type, approval) and store it."""
        await self._audit.require(Permission.SEND_SMS, f"sms_template:{code}")
        vt = await self._gw().template(code.strip())
        now = self._clock()
        values = dict(name=vt.name[:64], content=vt.content, kind=vt.kind, approved=vt.approved, synced_at=now,
                      synced_by=self.operator)
        async with self._engine.begin() as conn:
            res = await conn.execute(ts.sms_templates.update().where(ts.sms_templates.c.code == vt.code)
                                     .values(**values))
            if res.rowcount == 0:
                await conn.execute(ts.sms_templates.insert().values(code=vt.code, **values))
            await self._audit.record("sms_template_sync", f"sms_template:{vt.code}",
                                     after={"kind": vt.kind, "approved": vt.approved}, conn=conn)
        self._templates.pop(vt.code, None)
        tpl = SmsTemplate(code=vt.code, content=vt.content, kind=vt.kind, name=vt.name)
        return TemplateInfo(code=vt.code, name=vt.name, content=vt.content, kind=vt.kind, approved=vt.approved,
                            variables=tpl.variables)

    async def sync_templates(self) -> list[TemplateInfo]:
        """Fetch every template of the account from the vendor (``QuerySmsTemplateList``) and store them
        (new, changed and no longer approved ones alike); one audit row. Returns them all.

        Raises:
            InvalidInput: No gateway, or a gateway that cannot list templates (sync them one by one).
        """
        await self._audit.require(Permission.SEND_SMS, "sms_templates")
        gw = self._gw()
        lister = getattr(gw, "templates", None)
        if lister is None:
            raise InvalidInput("template", f"the {gw.name} gateway cannot list templates: sync them by code")
        vts = await lister()
        now = self._clock()
        async with self._engine.begin() as conn:
            for vt in vts:
                values = dict(name=vt.name[:64], content=vt.content, kind=vt.kind, approved=vt.approved,
                              synced_at=now, synced_by=self.operator)
                res = await conn.execute(ts.sms_templates.update().where(ts.sms_templates.c.code == vt.code)
                                         .values(**values))
                if res.rowcount == 0:
                    await conn.execute(ts.sms_templates.insert().values(code=vt.code, **values))
            await self._audit.record("sms_template_sync", "sms_templates",
                                     after={"templates": len(vts), "approved": sum(1 for v in vts if v.approved)},
                                     conn=conn)
        self._templates.clear()
        return [TemplateInfo(code=v.code, name=v.name, content=v.content, kind=v.kind, approved=v.approved,
                             variables=SmsTemplate(code=v.code, content=v.content).variables) for v in vts]

    async def templates(self) -> list[TemplateInfo]:
        await self._audit.require(Permission.SEND_SMS, "sms_templates")
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(ts.sms_templates).order_by(ts.sms_templates.c.code))).all()
        return [TemplateInfo(code=r.code, name=r.name, content=r.content, kind=r.kind, approved=r.approved,
                             variables=SmsTemplate(code=r.code, content=r.content).variables) for r in rows]

    # --- opt-outs ------------------------------------------------------------------------------

    async def add_opt_out(self, phone: str, *, user_id: UserId | None = None, source: str = "support",
                          reason: str = "") -> bool:
        """Put a number on the opt-out list (campaigns skip it; codes are still sent). An operator's entry
        (``source`` "support") needs a reason; a user's own reply ("reply R") is its own reason. Returns
        False when the number was on the list already.

        Raises:
            PermissionDenied: The role lacks ``SEND_SMS`` (audited).
            InvalidInput: Not a mobile number; no reason for an operator's entry.
        """
        await self._audit.require(Permission.SEND_SMS, "sms_opt_outs")
        number = check_phone(phone)
        why = _reason(reason) if source == "support" or reason.strip() else ""
        o = ts.sms_opt_outs
        insert = postgresql.insert(o) if self._engine.dialect.name == "postgresql" else sqlite.insert(o)
        async with self._engine.begin() as conn:
            # no conflict target: naming ``phone`` would need SELECT on it, which operators lack on PostgreSQL
            added = (await conn.execute(insert.values(
                phone=number, user_id=user_id, source=source[:32], created_by=self.operator,
                created_at=self._clock()).on_conflict_do_nothing().returning(o.c.id))).first()
            if added is None:
                return False
            await self._audit.record("sms_opt_out", f"phone:{mask_phone(number)}", reason=why,
                                     after={"source": source}, conn=conn)
            await publish(conn, "sms", "opt_outs")
        return True

    async def remove_opt_out(self, entry: int | str, reason: str) -> bool:
        """Take an entry off the opt-out list (audited with the reason and the masked number): ``entry`` is
        the list row's ``id`` (:attr:`OptOut.id`, what the pane passes) or the full number typed again.
        False when it was not on the list.

        Raises:
            PermissionDenied: The role lacks ``SEND_SMS`` (audited).
            InvalidInput: Not a mobile number, or no reason.
        """
        await self._audit.require(Permission.SEND_SMS, "sms_opt_outs")
        number = None if isinstance(entry, int) else check_phone(entry)
        why = _reason(reason)
        o = ts.sms_opt_outs
        async with self._engine.begin() as conn:
            entry_id = entry if number is None else await self._opt_out_id(conn, number)
            if entry_id is None:
                return False
            masked = (await conn.execute(o.delete().where(o.c.id == entry_id).returning(o.c.phone_masked))).scalar()
            if masked is not None:
                await self._audit.record("sms_opt_in", f"phone:{masked}", reason=why, conn=conn)
                await publish(conn, "sms", "opt_outs")
        return masked is not None

    async def _opt_out_id(self, conn: AsyncConnection, number: str) -> int | None:
        """The opt-out entry of ``number``; on PostgreSQL through ``shihou_sms_opt_out_id`` (operators may not
        read or search the list's numbers: migration 0006)."""
        if conn.dialect.name == "postgresql":
            found = (await conn.execute(sa.text("SELECT shihou_sms_opt_out_id(:p)"), {"p": number})).scalar()
        else:
            found = (await conn.execute(sa.select(ts.sms_opt_outs.c.id).where(
                ts.sms_opt_outs.c.phone == number))).scalar()
        return None if found is None else int(found)

    async def opted_out(self, phone: str) -> bool:
        await self._audit.require(Permission.SEND_SMS, "sms_opt_outs")
        number = check_phone(phone)
        async with self._engine.connect() as conn:
            return await self._opt_out_id(conn, number) is not None

    async def opt_outs(self, query: str = "", *, limit: int = 500) -> list[OptOut]:
        """The opt-out list, newest first; ``query``: digits the number contains, or its last digits. Roles
        without REVEAL_PHONE see and search the masked numbers only (first 3 and last 4 digits)."""
        await self._audit.require(Permission.SEND_SMS, "sms_opt_outs")
        o = ts.sms_opt_outs
        reveal = self._audit.operator.can(Permission.REVEAL_PHONE)
        number = o.c.phone if reveal else o.c.phone_masked
        q = (sa.select(o.c.id, number.label("number"), o.c.phone_masked, o.c.user_id, o.c.source, o.c.created_by,
                       o.c.created_at)
             .order_by(o.c.created_at.desc(), o.c.id.desc()).limit(max(1, min(limit, 5000))))
        digits = "".join(c for c in query if c.isdigit())
        if digits:
            q = q.where(number.contains(digits, autoescape=True))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [OptOut(id=int(r.id), phone=r.number, phone_masked=r.phone_masked, user_id=r.user_id,
                       source=r.source, created_by=r.created_by, created_at=r.created_at) for r in rows]

    # --- audiences ---------------------------------------------------------------------------

    def _audience_where(self, audience: Audience) -> list[Any]:
        u = t.users
        cond: list[Any] = [u.c.status == "active", sa.func.length(u.c.phone) == 11, u.c.phone.like("1%")]
        if audience.kind == "active_days":
            cond.append(u.c.last_active_at >= self._clock() - timedelta(days=audience.days))
        elif audience.kind == "registered_days":
            cond.append(u.c.registered_at >= self._clock() - timedelta(days=audience.days))
        else:
            cond.append(u.c.id.in_(list(audience.user_ids)))
        return cond

    @staticmethod
    def _check_audience(audience: Audience) -> None:
        if audience.kind not in ("active_days", "registered_days", "user_ids"):
            raise InvalidInput("audience", f"unknown audience {audience.kind!r}")
        if audience.kind == "user_ids":
            if not audience.user_ids:
                raise InvalidInput("audience", "the list of user ids is empty")
            if len(audience.user_ids) > MAX_USER_IDS:
                raise InvalidInput("audience", f"at most {MAX_USER_IDS} user ids")
        elif not 1 <= audience.days <= 3650:
            raise InvalidInput("audience", "days must be 1..3650")

    async def count_audience(self, audience: Audience) -> AudienceCount:
        """How many users a campaign to ``audience`` would reach, and how many are opted out."""
        await self._audit.require(Permission.SEND_SMS, "sms_audience")
        self._check_audience(audience)
        async with self._engine.connect() as conn:
            return await self._count(conn, audience)

    async def _pg_audience(self, conn: AsyncConnection, audience: Audience, campaign_id: int | None) -> AudienceCount:
        """PostgreSQL: count (and with ``campaign_id`` snapshot) through ``shihou_sms_audience``, so the
        operator's role never reads ``users.phone`` itself (migration 0004)."""
        stmt = sa.text("SELECT recipients, opted_out FROM shihou_sms_audience(:cid, :kind, :days, :ids, :now)"
                       ).bindparams(sa.bindparam("ids", type_=postgresql.ARRAY(sa.BigInteger)),
                                    sa.bindparam("cid", type_=sa.BigInteger),
                                    sa.bindparam("now", type_=sa.DateTime(timezone=True)))
        row = (await conn.execute(stmt, {"cid": campaign_id, "kind": audience.kind, "days": audience.days,
                                         "ids": list(audience.user_ids), "now": self._clock()})).one()
        return AudienceCount(recipients=int(row.recipients), opted_out=int(row.opted_out))

    async def _count(self, conn: AsyncConnection, audience: Audience) -> AudienceCount:
        if conn.dialect.name == "postgresql":
            return await self._pg_audience(conn, audience, None)
        u, o = t.users, ts.sms_opt_outs
        where = self._audience_where(audience)
        total = int((await conn.execute(sa.select(sa.func.count()).select_from(u).where(*where))).scalar_one())
        opted = int((await conn.execute(sa.select(sa.func.count()).select_from(
            u.join(o, o.c.phone == u.c.phone)).where(*where))).scalar_one())
        return AudienceCount(recipients=total - opted, opted_out=opted)

    # --- campaigns -----------------------------------------------------------------------------

    async def create_campaign(self, name: str, template_code: str, params: dict[str, Any], audience: Audience, *,
                              reason: str, quiet_start: int = 21, quiet_end: int = 8,
                              send_at: datetime | None = None, confirm_size: int | None = None) -> CampaignInfo:
        """Snapshot the audience (opted-out numbers left out, each recipient with its ``out_id``) and ask
        another operator to approve. Nothing is sent before the approval, nor before ``send_at``.

        Above ``confirm_threshold`` recipients the operator must have typed the exact audience size
        (``confirm_size``), checked against the count taken in the same transaction as the snapshot.

        Raises:
            InvalidInput: An empty name or reason, a template not synced/approved or meant for codes, a
                missing or bad variable, a bad audience or one that is empty, bad quiet hours, a schedule
                in the past or too far ahead, a missing or wrong typed audience size.
        """
        await self._audit.require(Permission.SEND_SMS, "sms_campaign")
        name = name.strip()
        if not name or len(name) > 128:
            raise InvalidInput("name", "a name of 1..128 characters is required")
        reason = _reason(reason)
        if not (0 <= quiet_start <= 23 and 0 <= quiet_end <= 23):
            raise InvalidInput("quiet_hours", "hours must be 0..23")
        send_at = self._check_send_at(send_at)
        self._check_audience(audience)
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(ts.sms_templates).where(
                ts.sms_templates.c.code == template_code))).first()
        if row is None:
            raise InvalidInput("template", f"template {template_code} is unknown here; sync it from the vendor first")
        if not row.approved:
            raise InvalidInput("template", f"template {template_code} is not approved by the vendor")
        if row.kind not in CAMPAIGN_KINDS:
            raise InvalidInput("template", f"template {template_code} is for verification codes, not campaigns")
        tpl = SmsTemplate(code=row.code, content=row.content, kind=row.kind, name=row.name)
        values = check_params(tpl, params)
        now = self._clock()
        u, o, r = t.users, ts.sms_opt_outs, ts.sms_campaign_recipients
        async with self._engine.begin() as conn:
            counts = await self._count(conn, audience)
            if counts.recipients == 0:
                raise InvalidInput("audience", "nobody to send to (the audience is empty or opted out)")
            self._check_confirmation(counts.recipients, confirm_size)
            doc = audience.to_json()
            if send_at is not None:
                doc["send_at"] = send_at.isoformat()
            cid = (await conn.execute(ts.sms_campaigns.insert().values(
                name=name, template_code=tpl.code, params=values, audience=doc,
                audience_size=counts.recipients, skipped_opt_out=counts.opted_out, quiet_start=quiet_start,
                quiet_end=quiet_end, state="awaiting_approval", created_by=self.operator, created_at=now,
            ).returning(ts.sms_campaigns.c.id))).scalar_one()
            if conn.dialect.name == "postgresql":
                counts = await self._pg_audience(conn, audience, cid)
            else:
                sel = sa.select(
                    sa.literal(cid).label("campaign_id"), u.c.id, u.c.phone,
                    (sa.literal(f"c{cid}-") + sa.cast(u.c.id, sa.String)).label("out_id"),
                    sa.literal("pending").label("state"), sa.literal(0).label("attempts"),
                    sa.literal(now, type_=t.UTCDateTime).label("updated_at"),
                ).where(*self._audience_where(audience), ~sa.exists().where(o.c.phone == u.c.phone)).order_by(u.c.id)
                await conn.execute(r.insert().from_select(
                    ["campaign_id", "user_id", "phone", "out_id", "state", "attempts", "updated_at"], sel))
            summary = (f"短信活动 #{cid}「{name}」· {counts.recipients:,} 人 · 模板 {tpl.code} · "
                       f"{tpl.render(values)[:60]}")
            aid = (await conn.execute(ts.approvals.insert().values(
                kind="sms", subject_id=str(cid), summary=summary, audience_size=counts.recipients,
                requested_by=self.operator, requested_at=now, state="pending",
            ).returning(ts.approvals.c.id))).scalar_one()
            await conn.execute(ts.sms_campaigns.update().where(ts.sms_campaigns.c.id == cid).values(approval_id=aid))
            await self._audit.record("sms_campaign_create", f"sms_campaign:{cid}", reason=reason,
                                     after={"template": tpl.code, "audience": doc,
                                            "recipients": counts.recipients, "opted_out": counts.opted_out,
                                            "approval_id": aid}, conn=conn)
            await publish(conn, "approvals", str(aid))
            await publish(conn, "sms", f"campaign:{cid}")
        return await self.campaign(cid)

    def _check_send_at(self, send_at: datetime | None) -> datetime | None:
        if send_at is None:
            return None
        if send_at.tzinfo is None:
            raise InvalidInput("schedule", "the time must carry its time zone")
        now = self._clock()
        if send_at < now - SCHEDULE_GRACE:
            raise InvalidInput("schedule", f"{send_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M} (China time) is in the past")
        if send_at > now + MAX_SCHEDULE_AHEAD:
            raise InvalidInput("schedule", f"at most {MAX_SCHEDULE_AHEAD.days} days ahead")
        return None if send_at <= now + SCHEDULE_GRACE else send_at.astimezone(UTC)

    def _check_confirmation(self, recipients: int, confirm_size: int | None) -> None:
        if recipients <= self.confirm_threshold:
            return
        if confirm_size is None:
            raise InvalidInput("confirm_size", f"{recipients:,} recipients: type the audience size to confirm")
        if confirm_size != recipients:
            raise InvalidInput("confirm_size", f"typed {confirm_size:,}, but the audience is {recipients:,}")

    async def campaign(self, campaign_id: int) -> CampaignInfo:
        await self._audit.require(Permission.SEND_SMS, f"sms_campaign:{campaign_id}")
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(ts.sms_campaigns).where(ts.sms_campaigns.c.id == campaign_id))).first()
        if row is None:
            raise NotFound(f"No SMS campaign {campaign_id}")
        return _campaign(row)

    async def campaigns(self, *, limit: int = 200) -> list[CampaignInfo]:
        await self._audit.require(Permission.SEND_SMS, "sms_campaign")
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(ts.sms_campaigns).order_by(ts.sms_campaigns.c.id.desc())
                                       .limit(limit))).all()
        return [_campaign(r) for r in rows]

    # approvals ----------------------------------------------------------------------------------

    async def approvals(self, *, state: str | None = "pending") -> list[ApprovalInfo]:
        """SMS approval requests (newest first); the other console's list."""
        await self._audit.require(Permission.SEND_SMS, "approvals")
        q = sa.select(ts.approvals).where(ts.approvals.c.kind == "sms").order_by(ts.approvals.c.id.desc()).limit(200)
        if state is not None:
            q = q.where(ts.approvals.c.state == state)
        async with self._engine.connect() as conn:
            return [_approval(r) for r in (await conn.execute(q)).all()]

    async def approve(self, approval_id: int, note: str = "") -> ApprovalInfo:
        """Approve another operator's campaign (never one's own)."""
        return await self._decide(approval_id, "approved", note)

    async def reject(self, approval_id: int, note: str) -> ApprovalInfo:
        """Refuse another operator's campaign (the requester withdraws with :meth:`cancel_campaign`)."""
        return await self._decide(approval_id, "rejected", _reason(note))

    async def _decide(self, approval_id: int, state: str, note: str) -> ApprovalInfo:
        target = f"approval:{approval_id}"
        await self._audit.require(Permission.SEND_SMS, target)
        now = self._clock()
        kind = "sms_campaign_approve" if state == "approved" else "sms_campaign_reject"
        async with self._engine.begin() as conn:
            row = (await conn.execute(sa.select(ts.approvals).where(ts.approvals.c.id == approval_id,
                                                                    ts.approvals.c.kind == "sms"))).first()
            if row is None:
                raise NotFound(f"No SMS approval {approval_id}")
            if row.requested_by == self.operator:
                refusal = "the requester cannot approve or reject their own send"
            elif row.state != "pending":
                refusal = f"this request is already {row.state}"
            else:
                refusal = ""
            if not refusal:
                res = await conn.execute(ts.approvals.update().where(
                    ts.approvals.c.id == approval_id, ts.approvals.c.state == "pending",
                ).values(state=state, approved_by=self.operator, decided_at=now, note=note or None))
                if res.rowcount != 1:
                    refusal = "this request was decided by someone else just now"
            if refusal:
                await conn.rollback()
            else:
                cid = int(row.subject_id)
                await conn.execute(ts.sms_campaigns.update().where(
                    ts.sms_campaigns.c.id == cid, ts.sms_campaigns.c.state == "awaiting_approval",
                ).values(state="approved" if state == "approved" else "rejected"))
                await self._audit.record(kind, f"sms_campaign:{cid}", reason=note,
                                         before={"state": "awaiting_approval", "requested_by": row.requested_by},
                                         after={"state": state, "approval_id": approval_id}, conn=conn)
                await publish(conn, "approvals", str(approval_id))
                await publish(conn, "sms", f"campaign:{cid}")
        if refusal:
            await self._audit.record(kind, target, reason=refusal, outcome="refused")
            raise ApprovalRefused(f"Approval {approval_id}: {refusal}")
        async with self._engine.connect() as conn:
            fresh = (await conn.execute(sa.select(ts.approvals).where(ts.approvals.c.id == approval_id))).one()
        return _approval(fresh)

    async def cancel_campaign(self, campaign_id: int, reason: str) -> CampaignInfo:
        """Stop a campaign that is not done: nothing more is sent (pending recipients stay unsent)."""
        target = f"sms_campaign:{campaign_id}"
        await self._audit.require(Permission.SEND_SMS, target)
        reason = _reason(reason)
        async with self._engine.begin() as conn:
            row = (await conn.execute(sa.select(ts.sms_campaigns).where(ts.sms_campaigns.c.id == campaign_id))).first()
            if row is None:
                raise NotFound(f"No SMS campaign {campaign_id}")
            res = await conn.execute(ts.sms_campaigns.update().where(
                ts.sms_campaigns.c.id == campaign_id,
                ts.sms_campaigns.c.state.in_(["awaiting_approval", "approved", "sending"]),
            ).values(state="cancelled", finished_at=self._clock()))
            if res.rowcount:
                if row.approval_id is not None:
                    await conn.execute(ts.approvals.update().where(
                        ts.approvals.c.id == row.approval_id, ts.approvals.c.state == "pending",
                    ).values(state="cancelled", decided_at=self._clock()))
                    await publish(conn, "approvals", str(row.approval_id))
                await self._audit.record("sms_campaign_cancel", target, reason=reason, before={"state": row.state},
                                         after={"state": "cancelled"}, conn=conn)
                await publish(conn, "sms", f"campaign:{campaign_id}")
        return await self.campaign(campaign_id)

    # sending --------------------------------------------------------------------------------------

    async def run_due(self) -> list[CampaignReport]:
        """Send every approved or interrupted campaign that is outside its quiet hours (at start and from a
        timer); campaigns another console is sending now are left to it."""
        await self._audit.require(Permission.SEND_SMS, "sms_campaign")
        async with self._engine.connect() as conn:
            ids = list((await conn.execute(sa.select(ts.sms_campaigns.c.id).where(
                ts.sms_campaigns.c.state.in_(["approved", "sending"])).order_by(ts.sms_campaigns.c.id))).scalars())
        out = []
        for cid in ids:
            try:
                out.append(await self.send_campaign(cid))
            except InvalidInput as e:
                if "another console" not in str(e):   # another console sends it now: its work, not ours
                    raise
        return out

    async def due(self) -> list[int]:
        """Approved (or interrupted) campaigns that may be sent now: past their ``send_at``, outside their
        quiet hours, and not being sent by a live console (a claim older than ``claim_ttl`` is dead)."""
        await self._audit.require(Permission.SEND_SMS, "sms_campaign")
        c = ts.sms_campaigns.c
        now = self._clock()
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(ts.sms_campaigns).where(
                c.state.in_(["approved", "sending"]),
                sa.or_(c.claimed_by.is_(None), c.claimed_at < now - self._claim_ttl)).order_by(c.id))).all()
        out = []
        for r in rows:
            info = _campaign(r)
            if info.send_at is not None and now < info.send_at:
                continue
            if in_quiet_hours(now, info.quiet_start, info.quiet_end):
                continue
            out.append(info.id)
        return out

    async def send_campaign(self, campaign_id: int) -> CampaignReport:
        """Send an approved campaign (or resume one), each recipient exactly once.

        Returns at once with ``waiting_until`` during quiet hours (nothing sent); stops when the quiet
        hours begin, when the campaign is cancelled, or when only recipients with retryable errors are
        left after ``max_passes`` (they stay pending for the next run).

        Raises:
            InvalidInput: The campaign is not approved, or another console is sending it now.
            ProviderAuthError: The vendor refuses the key or signature (the run stops; nothing is lost).
        """
        target = f"sms_campaign:{campaign_id}"
        await self._audit.require(Permission.SEND_SMS, target)
        gw = self._gw()
        info = await self.campaign(campaign_id)
        if info.state not in ("approved", "sending"):
            raise InvalidInput("campaign", f"campaign {campaign_id} is {info.state}, not approved")
        now = self._clock()
        if info.send_at is not None and now < info.send_at:
            start = info.send_at
            if in_quiet_hours(start, info.quiet_start, info.quiet_end):
                start = quiet_until(start, info.quiet_start, info.quiet_end)
            return await self._report(campaign_id, waiting_until=start)
        if in_quiet_hours(now, info.quiet_start, info.quiet_end):
            return await self._report(campaign_id, waiting_until=quiet_until(now, info.quiet_start, info.quiet_end))
        if not await self._claim(campaign_id, first=info.state == "approved"):
            raise InvalidInput("campaign", f"campaign {campaign_id} is being sent by another console")
        tpl = await self._template(info.template_code)
        params = dict(info.params)
        try:
            for pass_no in range(self._max_passes):
                progress, left, stop = await self._pass(campaign_id, gw, tpl, params, info)
                if stop is not None:
                    return await self._report(campaign_id, waiting_until=stop)
                if left == 0 or not progress and pass_no > 0:
                    break
                if left:
                    await asyncio.sleep(self._retry_delay_s * (pass_no + 1))
            await self._finish_if_done(campaign_id)
        finally:
            await self._release(campaign_id)
        return await self._report(campaign_id)

    async def _claim(self, campaign_id: int, *, first: bool) -> bool:
        now = self._clock()
        c = ts.sms_campaigns.c
        values: dict[str, Any] = {"claimed_by": self.operator + "#" + uuid.uuid4().hex[:6], "claimed_at": now,
                                  "state": "sending"}
        if first:
            values["started_at"] = now
        async with self._engine.begin() as conn:
            res = await conn.execute(ts.sms_campaigns.update().where(
                c.id == campaign_id, c.state.in_(["approved", "sending"]),
                sa.or_(c.claimed_by.is_(None), c.claimed_at < now - self._claim_ttl)).values(**values))
            if res.rowcount == 1:
                self._claims[campaign_id] = values["claimed_by"]
                await publish(conn, "sms", f"campaign:{campaign_id}")
            return bool(res.rowcount == 1)

    async def _heartbeat(self, campaign_id: int) -> bool:
        """Renew the claim; False when the campaign was cancelled or taken over."""
        me = self._claims.get(campaign_id)
        c = ts.sms_campaigns.c
        async with self._engine.begin() as conn:
            res = await conn.execute(ts.sms_campaigns.update().where(
                c.id == campaign_id, c.claimed_by == me, c.state == "sending").values(claimed_at=self._clock()))
            await publish(conn, "sms", f"campaign:{campaign_id}")
        return bool(res.rowcount == 1)

    async def _release(self, campaign_id: int) -> None:
        me = self._claims.pop(campaign_id, None)
        async with self._engine.begin() as conn:
            await conn.execute(ts.sms_campaigns.update().where(
                ts.sms_campaigns.c.id == campaign_id, ts.sms_campaigns.c.claimed_by == me,
            ).values(claimed_by=None, claimed_at=None))

    async def _pass(self, campaign_id: int, gw: SmsGateway, tpl: SmsTemplate, params: dict[str, str],
                    info: CampaignInfo) -> tuple[int, int, datetime | None]:
        """One pass over the pending recipients: (sent or finally failed, left pending, quiet-hours stop)."""
        r = ts.sms_campaign_recipients
        last_id = 0
        progress = 0
        left = 0
        sem = asyncio.Semaphore(self._concurrency)
        while True:
            now = self._clock()
            if in_quiet_hours(now, info.quiet_start, info.quiet_end):
                return progress, left, quiet_until(now, info.quiet_start, info.quiet_end)
            if not await self._heartbeat(campaign_id):
                return progress, 0, None
            async with self._engine.connect() as conn:
                if conn.dialect.name == "postgresql":   # numbers only to the console that claimed it (0006)
                    rows = (await conn.execute(sa.text(
                        "SELECT * FROM shihou_sms_claim_batch(:cid, :after, :n)").columns(updated_at=t.UTCDateTime),
                        {"cid": campaign_id, "after": last_id, "n": self._batch})).all()
                else:
                    rows = (await conn.execute(sa.select(r).where(
                        r.c.campaign_id == campaign_id, r.c.state == "pending", r.c.id > last_id,
                    ).order_by(r.c.id).limit(self._batch))).all()
            if not rows:
                return progress, left, None
            last_id = rows[-1].id

            async def one(row: Any) -> bool:
                async with sem:
                    return await self._deliver(gw, tpl, params, row)

            results = await asyncio.gather(*(one(row) for row in rows), return_exceptions=True)
            fatal = next((x for x in results if isinstance(x, BaseException)), None)
            if fatal is not None:   # e.g. the key was revoked: every send would fail; the rest stays pending
                raise fatal
            progress += sum(1 for ok in results if ok is True)
            left += sum(1 for ok in results if ok is False)

    async def _deliver(self, gw: SmsGateway, tpl: SmsTemplate, params: dict[str, str], row: Any) -> bool:
        """One recipient, exactly once. True when it reached a final state (sent or failed)."""
        r = ts.sms_campaign_recipients
        try:
            phone = check_phone(row.phone)
        except InvalidInput as e:
            await self._final(row, "failed", tpl.code, error_code="invalid_phone", message=str(e))
            return True
        if row.attempts > 0:   # it may have been sent: ask the vendor before sending again
            try:
                found = await find_sent(gw, phone, row.out_id, china_day(row.updated_at))
            except ProviderAuthError:
                raise
            except ProviderError as e:
                await self._retry_later(row, e)
                return False
            if found is not None:
                await self._final(row, "sent", tpl.code, found=found)
                return True
        async with self._engine.begin() as conn:   # the attempt is durable before the call
            await conn.execute(r.update().where(r.c.id == row.id, r.c.state == "pending").values(
                attempts=r.c.attempts + 1, updated_at=self._clock()))
        try:
            receipt = await gw.send(phone, tpl, params, out_id=row.out_id)
        except ProviderAuthError:
            raise
        except ProviderError as e:
            if e.retryable:
                await self._retry_later(row, e)
                return False
            await self._final(row, "failed", tpl.code, error_code=e.code or "rejected", message=str(e))
            return True
        except InvalidInput as e:
            await self._final(row, "failed", tpl.code, error_code="invalid_input", message=str(e))
            return True
        await self._final(row, "sent", tpl.code, biz_id=receipt.biz_id)
        return True

    async def _retry_later(self, row: Any, e: ProviderError) -> None:
        r = ts.sms_campaign_recipients
        log.info("SMS %s to recipient %s left pending: %s", row.out_id, row.id, e)
        async with self._engine.begin() as conn:
            await conn.execute(r.update().where(r.c.id == row.id, r.c.state == "pending").values(
                last_error=str(e)[:1000], error_code=e.code, updated_at=self._clock()))

    async def _final(self, row: Any, state: str, template_code: str, *, biz_id: str | None = None, error_code: str | None = None,
                     message: str | None = None, found: DeliveryRecord | None = None) -> None:
        r = ts.sms_campaign_recipients
        now = self._clock()
        status = "failed" if state == "failed" else "sent"
        delivered_at = None
        if found is not None and found.status != "sending":
            status = "delivered" if found.status == "delivered" else "failed"
            error_code = None if status == "delivered" else found.err_code or "undelivered"
            delivered_at = found.received_at if status == "delivered" else None
        async with self._engine.begin() as conn:
            res = await conn.execute(r.update().where(r.c.id == row.id, r.c.state == "pending").values(
                state=state, biz_id=biz_id, error_code=error_code if state == "failed" else None,
                last_error=message[:1000] if message else None, updated_at=now))
            if res.rowcount == 1:
                await conn.execute(t.sms_messages.insert().values(
                    user_id=row.user_id, phone=row.phone, template_code=template_code,
                    purpose="campaign",
                    out_id=row.out_id, biz_id=biz_id, status=status, error_code=error_code,
                    sent_at=(found.sent_at if found is not None and found.sent_at else now),
                    delivered_at=delivered_at))

    async def _finish_if_done(self, campaign_id: int) -> None:
        r = ts.sms_campaign_recipients
        async with self._engine.begin() as conn:
            pending = (await conn.execute(sa.select(sa.func.count()).select_from(r).where(
                r.c.campaign_id == campaign_id, r.c.state == "pending"))).scalar_one()
            if pending == 0:
                res = await conn.execute(ts.sms_campaigns.update().where(
                    ts.sms_campaigns.c.id == campaign_id, ts.sms_campaigns.c.state == "sending",
                ).values(state="done", finished_at=self._clock()))
                if res.rowcount:
                    await self._audit.record("sms_campaign_sent", f"sms_campaign:{campaign_id}",
                                             after=dict(await self._counts(conn, campaign_id)), conn=conn)
            await publish(conn, "sms", f"campaign:{campaign_id}")

    # delivery reports --------------------------------------------------------------------------

    async def poll_deliveries(self, campaign_id: int) -> CampaignReport:
        """Ask the vendor (QuerySendDetails) about every message of the campaign still without a receipt."""
        await self._audit.require(Permission.SEND_SMS, f"sms_campaign:{campaign_id}")
        r, m = ts.sms_campaign_recipients, t.sms_messages
        last = 0
        while True:
            async with self._engine.connect() as conn:
                if conn.dialect.name == "postgresql":   # operators may not read sms_messages.phone (0006)
                    rows = (await conn.execute(sa.text(
                        "SELECT * FROM shihou_sms_receipt_batch(:cid, :after, :n)").columns(sent_at=t.UTCDateTime),
                        {"cid": campaign_id, "after": last, "n": self._batch})).all()
                else:
                    rows = (await conn.execute(sa.select(m).select_from(m.join(r, r.c.out_id == m.c.out_id)).where(
                        r.c.campaign_id == campaign_id, m.c.status == "sent", m.c.id > last,
                    ).order_by(m.c.id).limit(self._batch))).all()
            if not rows:
                break
            last = rows[-1].id
            await self._poll_rows(rows)
        async with self._engine.begin() as conn:
            await publish(conn, "sms", f"campaign:{campaign_id}")
        return await self._report(campaign_id)

    async def _poll_rows(self, rows: Iterable[Any]) -> int:
        gw = self._gw()
        sem = asyncio.Semaphore(self._concurrency)
        changed = 0

        async def one(row: Any) -> None:
            nonlocal changed
            async with sem:
                try:
                    recs = await gw.details(row.phone, china_day(row.sent_at), biz_id=row.biz_id or None)
                except InvalidInput:
                    return
                except ProviderAuthError:
                    raise
                except ProviderError as e:
                    log.info("receipt of %s not fetched: %s", row.out_id, e)
                    return
            rec = next((x for x in recs if x.out_id == row.out_id), None)
            if rec is None and row.biz_id and len(recs) == 1:
                rec = recs[0]
            if rec is None or rec.status == "sending":
                return
            values: dict[str, Any] = {"status": "delivered" if rec.status == "delivered" else "failed",
                                      "error_code": None if rec.status == "delivered" else rec.err_code or None,
                                      "delivered_at": rec.received_at if rec.status == "delivered" else None}
            async with self._engine.begin() as conn:
                res = await conn.execute(t.sms_messages.update().where(
                    t.sms_messages.c.id == row.id, t.sms_messages.c.status == "sent").values(**values))
            changed += res.rowcount

        await asyncio.gather(*(one(row) for row in rows))
        return changed

    async def report(self, campaign_id: int) -> CampaignReport:
        await self._audit.require(Permission.SEND_SMS, f"sms_campaign:{campaign_id}")
        return await self._report(campaign_id)

    async def _counts(self, conn: AsyncConnection, campaign_id: int) -> dict[str, int]:
        r, m = ts.sms_campaign_recipients, t.sms_messages
        by_state: dict[str, int] = dict((await conn.execute(sa.select(r.c.state, sa.func.count()).where(
            r.c.campaign_id == campaign_id).group_by(r.c.state))).all())
        by_status: dict[str, int] = dict((await conn.execute(sa.select(m.c.status, sa.func.count()).select_from(
            m.join(r, r.c.out_id == m.c.out_id)).where(
            r.c.campaign_id == campaign_id, r.c.state == "sent").group_by(m.c.status))).all())
        return {"pending": int(by_state.get("pending", 0)), "sent": int(by_state.get("sent", 0)),
                "failed": int(by_state.get("failed", 0)), "delivered": int(by_status.get("delivered", 0)),
                "awaiting_receipt": int(by_status.get("sent", 0)), "undelivered": int(by_status.get("failed", 0))}

    async def _report(self, campaign_id: int, *, waiting_until: datetime | None = None) -> CampaignReport:
        r, m = ts.sms_campaign_recipients, t.sms_messages
        async with self._engine.connect() as conn:
            camp = (await conn.execute(sa.select(ts.sms_campaigns).where(ts.sms_campaigns.c.id == campaign_id))).first()
            if camp is None:
                raise NotFound(f"No SMS campaign {campaign_id}")
            counts = await self._counts(conn, campaign_id)
            errs = (await conn.execute(sa.select(r.c.error_code, sa.func.count()).where(
                r.c.campaign_id == campaign_id, r.c.state == "failed").group_by(r.c.error_code))).all()
            undelivered = (await conn.execute(sa.select(m.c.error_code, sa.func.count()).select_from(
                m.join(r, r.c.out_id == m.c.out_id)).where(
                r.c.campaign_id == campaign_id, r.c.state == "sent", m.c.status == "failed",
            ).group_by(m.c.error_code))).all()
        errors: dict[str, int] = {}
        for code, n in [*errs, *undelivered]:
            errors[str(code or "unknown")] = errors.get(str(code or "unknown"), 0) + int(n)
        total = counts["pending"] + counts["sent"] + counts["failed"]
        return CampaignReport(campaign_id=campaign_id, state=camp.state, total=total, errors=errors,
                              skipped_opt_out=int(camp.skipped_opt_out), waiting_until=waiting_until, **counts)

    # --- helpers -------------------------------------------------------------------------------

    async def _phone_of(self, user_id: UserId) -> str:
        async with self._engine.connect() as conn:
            phone = (await conn.execute(sa.select(t.users.c.phone).where(t.users.c.id == user_id))).scalar()
        if phone is None:
            raise NotFound(f"No user with id {user_id}")
        return str(phone)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason", "a reason is required")
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"too long: at most {MAX_REASON} characters")
    return reason


def _view(r: Any) -> SmsView:
    return SmsView(id=r.id, template_code=r.template_code, purpose=r.purpose, phone_masked=r.phone_masked,
                   sent_at=r.sent_at, status=r.status, error_code=r.error_code, delivered_at=r.delivered_at,
                   out_id=r.out_id)


def _approval(r: Any) -> ApprovalInfo:
    return ApprovalInfo(id=r.id, kind=r.kind, subject_id=r.subject_id, summary=r.summary,
                        audience_size=int(r.audience_size), requested_by=r.requested_by, requested_at=r.requested_at,
                        state=r.state, approved_by=r.approved_by, decided_at=r.decided_at, note=r.note)


def _campaign(r: Any) -> CampaignInfo:
    return CampaignInfo(id=r.id, name=r.name, template_code=r.template_code, params=dict(r.params),
                        audience=dict(r.audience), audience_size=int(r.audience_size),
                        skipped_opt_out=int(r.skipped_opt_out), state=r.state, approval_id=r.approval_id,
                        created_by=r.created_by, created_at=r.created_at, quiet_start=int(r.quiet_start),
                        quiet_end=int(r.quiet_end), started_at=r.started_at, finished_at=r.finished_at,
                        send_at=_send_at(r.audience))


def _send_at(doc: Any) -> datetime | None:
    raw = doc.get("send_at") if isinstance(doc, dict) else None
    if not raw:
        return None
    try:
        at = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
