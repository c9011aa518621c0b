"""Push campaigns: compose, check, confirm, approve, send exactly once, schedule, report (no Qt).

Usage::

    push = PushService(engine, audit, actions, jpush, config=PushConfig(confirm_threshold=10_000))
    draft = PushDraft(name="KPL 决赛", title="今晚8点 KPL 总决赛", body="锁定直播间！", room_id=42)
    spec = AudienceSpec(segment=Segment(active_days=7))
    check = await push.check(draft, spec)            # every problem at once, sizes, count, forecast
    c = await push.send(draft, spec, reason="赛事预告", confirm_size=check.count.size)
    # c.state: "sending" (running in the background), "awaiting_approval" (all users), "done"
    report = await push.refresh_report(c.id)

The way a campaign travels:

1. :meth:`PushService.check` collects *every* problem of the draft and the audience (texts, emoji,
   sizes per platform, extras JSON, badge, TTL, tags/aliases/ids, an empty audience, a schedule in
   the past) before anything is sent, and counts the audience from the shared database.
2. :meth:`PushService.send` refuses an audience above ``confirm_threshold`` unless the operator typed
   its exact size; a push to *all users* (or an audience of at least ``approval_threshold``) waits for a
   second operator's approval (an ``approvals`` row, announced on topic ``approvals``).
3. Sending: the audience is cut into a durable plan (``push_batches``, ≤ 1000 aliases each, resolved
   from the database by id order); each batch is one action-outbox row whose JPush ``cid`` is fetched
   (in bulk: one ``/v3/push/cid`` call per 1000 pushes) and stored *before* the first attempt. A small
   worker pool sends at the provider's rate (the client's gate honours ``X-Rate-Limit-*``); a timeout,
   5xx or lost answer is retried with the same cid, so JPush answers the original ``msg_id`` and never
   pushes twice. A killed console resumes with :meth:`PushService.resume` (pending rows first, then the
   rest of the plan).
4. Every push done writes ``pushes`` (+ ``push_recipients`` for alias audiences: the user card shows
   them), links it to its campaign and bumps the campaign's counters, in the transaction that marks the
   outbox row done; events on topic ``push`` refresh every console.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import random
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from functools import partial
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.db import tables as t
from console.db import tables_push as tp
from console.db.tables_sms import approvals
from console.domain import ActionRecord, ActionStatus, Permission, PushReceipt, UserId
from console.errors import ConsoleError, InvalidInput, NotFound, ProviderError
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.events import publish
from console.services.push.jpush import (
    ALIAS_LIMIT,
    BEIJING,
    PLATFORMS,
    REGID_LIMIT,
    SIZE_LIMITS,
    AndroidOverride,
    Audience,
    Badge,
    HmosOverride,
    IosOverride,
    JPushClient,
    Notification,
    Options,
    PayloadSize,
    PeriodicTrigger,
    Platform,
    PushPayload,
    SingleTrigger,
    check_audience,
    check_name,
    check_payload,
    check_text,
    check_trigger,
    parse_extras,
    payload_sizes,
)

log = logging.getLogger(__name__)

PUSH_SEND = "push_send"
PUSH_SCHEDULE = "push_schedule"
KINDS = (PUSH_SEND, PUSH_SCHEDULE)
BATCH = ALIAS_LIMIT
DEEP_LINK = "shihou://room/{room_id}"
MAX_NAME = 128
MAX_TITLE = 128
DB_PLATFORMS = ("android", "ios", "harmony")
#: Our platform names (devices.platform) -> JPush's.
TO_JPUSH: dict[str, Platform] = {"android": "android", "ios": "ios", "harmony": "hmos"}


def _now() -> datetime:
    return datetime.now(UTC)


def alias_of(user_id: int) -> str:
    """The JPush alias of a user: the user id as text (the app binds it at sign-in)."""
    return str(int(user_id))


def user_of(alias: str) -> int | None:
    return int(alias) if alias.isdigit() and len(alias) <= 18 else None


# --- what an operator composes --------------------------------------------------------------------

class DraftInvalid(InvalidInput):
    """Several problems at once; ``problems`` lists ``(field, message)`` in form order."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        first = problems[0] if problems else ("draft", "invalid")
        super().__init__(first[0], first[1] if len(problems) == 1 else
                         f"{first[1]} (and {len(problems) - 1} more: "
                         + "; ".join(f"{f}: {m}" for f, m in problems[1:]) + ")")


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """Users of the shared database, ANDed: active in the last ``active_days`` (``users.last_active_at``),
    registered in the last ``registered_days``, who chatted in room ``room_id`` in the last ``room_days``
    (the schema has no follower table: chatting in a room is the closest signal), with a device on
    ``platform`` (android / ios / harmony)."""

    active_days: int | None = None
    registered_days: int | None = None
    room_id: int | None = None
    room_days: int = 30
    platform: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Segment:
        return cls(**{k: d[k] for k in ("active_days", "registered_days", "room_id", "room_days", "platform")
                      if k in d})

    def describe(self) -> str:
        parts = []
        if self.active_days is not None:
            parts.append(f"近{self.active_days}天活跃")
        if self.registered_days is not None:
            parts.append(f"近{self.registered_days}天注册")
        if self.room_id is not None:
            parts.append(f"近{self.room_days}天在房间{self.room_id}发言")
        if self.platform:
            parts.append(f"{self.platform} 设备")
        return "、".join(parts) or "全部数据库用户"


@dataclass(frozen=True, slots=True, kw_only=True)
class AudienceSpec:
    """Who a campaign reaches. ``everyone`` is JPush's ``all``; tags (OR / AND / NOT), aliases and
    registration ids go to JPush as they are (lists over 1000 are sent in batches); a ``segment`` is
    resolved from the shared database to aliases (ANDed with any tags)."""

    everyone: bool = False
    tags: tuple[str, ...] = ()
    tags_and: tuple[str, ...] = ()
    tags_not: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    registration_ids: tuple[str, ...] = ()
    segment: Segment | None = None

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.everyone:
            d["all"] = True
        for k in ("tags", "tags_and", "tags_not", "aliases", "registration_ids"):
            v = getattr(self, k)
            if v:
                d[k] = list(v)
        if self.segment is not None:
            d["segment"] = self.segment.to_json()
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> AudienceSpec:
        seg = d.get("segment")
        return cls(everyone=bool(d.get("all")), tags=tuple(d.get("tags", ())), tags_and=tuple(d.get("tags_and", ())),
                   tags_not=tuple(d.get("tags_not", ())), aliases=tuple(d.get("aliases", ())),
                   registration_ids=tuple(d.get("registration_ids", ())),
                   segment=Segment.from_json(seg) if isinstance(seg, Mapping) else None)

    @property
    def is_empty(self) -> bool:
        return not (self.everyone or self.tags or self.tags_and or self.tags_not or self.aliases
                    or self.registration_ids or self.segment is not None)

    def tag_part(self) -> Audience:
        return Audience(tags=self.tags, tags_and=self.tags_and, tags_not=self.tags_not)

    def describe(self) -> str:
        if self.everyone:
            return "全部用户"
        parts = []
        if self.segment is not None:
            parts.append(self.segment.describe())
        if self.tags:
            parts.append("标签(任一) " + ",".join(self.tags))
        if self.tags_and:
            parts.append("标签(全部) " + ",".join(self.tags_and))
        if self.tags_not:
            parts.append("排除标签 " + ",".join(self.tags_not))
        if self.aliases:
            parts.append(f"别名 {len(self.aliases)} 个")
        if self.registration_ids:
            parts.append(f"设备 {len(self.registration_ids)} 台")
        return "；".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleSpec:
    """``once`` at ``at``; or ``periodic`` at ``time`` (HH:MM, Beijing) every ``frequency`` ``unit``s
    between ``start`` and ``end`` on ``points`` (weekdays MON.. / days 01..31)."""

    kind: Literal["once", "periodic"] = "once"
    at: datetime | None = None
    time: str = "20:00"
    start: datetime | None = None
    end: datetime | None = None
    unit: Literal["day", "week", "month"] = "day"
    frequency: int = 1
    points: tuple[str, ...] = ()

    def trigger(self) -> SingleTrigger | PeriodicTrigger:
        if self.kind == "once":
            if self.at is None:
                raise InvalidInput("schedule", "choose the time to send")
            return SingleTrigger(self.at)
        if self.start is None or self.end is None:
            raise InvalidInput("schedule", "a periodic schedule needs a start and an end")
        try:
            hh, mm = (int(x) for x in self.time.split(":")[:2])
            at = dtime(hh, mm)
        except ValueError:
            raise InvalidInput("schedule", f"{self.time!r} is not a time of day (HH:MM)") from None
        return PeriodicTrigger(time=at, start=self.start, end=self.end, unit=self.unit, frequency=self.frequency,
                               points=self.points)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": self.at.isoformat() if self.at else None, "time": self.time,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None, "unit": self.unit, "frequency": self.frequency,
                "points": list(self.points)}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ScheduleSpec:
        def dt(v: Any) -> datetime | None:
            return datetime.fromisoformat(v) if isinstance(v, str) else None

        return cls(kind=d.get("kind", "once"), at=dt(d.get("at")), time=d.get("time", "20:00"),
                   start=dt(d.get("start")), end=dt(d.get("end")), unit=d.get("unit", "day"),
                   frequency=int(d.get("frequency", 1)), points=tuple(d.get("points", ())))


@dataclass(frozen=True, slots=True, kw_only=True)
class PushDraft:
    """What the composer holds. Per-platform ``None`` falls back to the shared title/body.

    ``badge``: ``("set", n)``, ``("add", n)``, ``("clear", 0)`` or None (unchanged). ``room_id``: a deep
    link to the room (``shihou://room/<id>``, in ``intent.url`` and ``extras.deep_link``). ``extras``: JSON
    object text as typed. ``ttl``: seconds an offline device may still get it (None: JPush's 1 day).
    """

    name: str
    body: str
    title: str = ""
    android_title: str | None = None
    android_body: str | None = None
    ios_title: str | None = None
    ios_subtitle: str | None = None
    ios_body: str | None = None
    hmos_title: str | None = None
    hmos_body: str | None = None
    badge: tuple[str, int] | None = None
    sound: str | None = None
    room_id: int | None = None
    extras: str = ""
    ttl: int | None = None
    platforms: tuple[str, ...] = ("android", "ios", "hmos")

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["badge"] = list(self.badge) if self.badge else None
        d["platforms"] = list(self.platforms)
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> PushDraft:
        names = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        if kw.get("badge") is not None:
            kw["badge"] = (str(kw["badge"][0]), int(kw["badge"][1]))
        kw["platforms"] = tuple(kw.get("platforms") or ())
        return cls(**kw)

    def badge_obj(self) -> Badge | None:
        if self.badge is None:
            return None
        mode, n = self.badge
        if mode == "set":
            return Badge.set(n)
        if mode == "add":
            return Badge.add(n)
        if mode == "clear":
            return Badge.clear()
        raise InvalidInput("badge", f"unknown badge mode {mode!r} (set, add or clear)")

    def payload(self, audience: Audience, *, apns_production: bool) -> PushPayload:
        """The JPush payload (raises InvalidInput for extras that are not a JSON object)."""
        extras = parse_extras(self.extras)
        deep = DEEP_LINK.format(room_id=self.room_id) if self.room_id is not None else None
        if self.room_id is not None:
            extras = {**extras, "room_id": str(self.room_id)}
        badge = self.badge_obj()
        n = Notification(
            body=self.body, title=self.title, badge=badge, sound=self.sound or None, deep_link=deep, extras=extras,
            android=AndroidOverride(title=self.android_title or None, body=self.android_body or None)
            if (self.android_title or self.android_body) else None,
            ios=IosOverride(title=self.ios_title or None, subtitle=self.ios_subtitle or None,
                            body=self.ios_body or None)
            if (self.ios_title or self.ios_subtitle or self.ios_body) else None,
            hmos=HmosOverride(title=self.hmos_title or None, body=self.hmos_body or None)
            if (self.hmos_title or self.hmos_body) else None)
        plats: Any = tuple(p for p in PLATFORMS if p in self.platforms)
        if set(plats) == set(PLATFORMS):
            plats = "all"
        return PushPayload(audience=audience, notification=n, platforms=plats,
                           options=Options(apns_production=apns_production, time_to_live=self.ttl))


# --- what the service answers ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class AudienceCount:
    """``size``: recipients (users for database audiences, an estimate for tags/all); ``exact``: counted
    from the database; ``pushes``: API calls the send needs; ``by_platform``: devices per platform."""

    size: int
    exact: bool
    pushes: int
    by_platform: dict[str, int] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorLimit:
    vendor: str
    devices: int
    daily_cap: int | None
    sent_today: int
    suppressed: int
    quiet: bool
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Forecast:
    """Time to finish at the provider's rate, and what the phone vendors will hold back."""

    pushes: int
    quota_per_min: int
    minutes: float
    start_at: datetime
    finish_at: datetime
    vendors: tuple[VendorLimit, ...]
    quiet_hours: bool
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    payload: PushPayload
    sizes: dict[str, PayloadSize]
    count: AudienceCount
    forecast: Forecast
    needs_confirmation: bool
    needs_approval: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Campaign:
    id: int
    name: str
    title: str
    body: str
    draft: PushDraft
    audience: AudienceSpec
    audience_size: int
    state: str
    test: bool
    reason: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    approval_id: int | None
    batches_planned: int
    plan_complete: bool
    pushes_done: int
    pushes_failed: int
    recipients: int
    started_at: datetime | None
    finished_at: datetime | None
    last_error: str | None

    @property
    def running(self) -> bool:
        return self.state == "sending"


@dataclass(frozen=True, slots=True, kw_only=True)
class Approval:
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
class ScheduleRow:
    id: int
    campaign_id: int
    schedule_id: str | None
    name: str
    kind: str
    trigger: dict[str, Any]
    enabled: bool
    state: str
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformReport:
    platform: str
    target: int
    sent: int
    received: int
    clicked: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignReport:
    campaign: Campaign
    platforms: tuple[PlatformReport, ...]
    updated_at: datetime | None
    msg_ids: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PushConfig:
    """Settings of the push service (``push.*`` keys)."""

    confirm_threshold: int = 10_000
    approval_threshold: int | None = None
    test_aliases: tuple[str, ...] = ()
    workers: int = 4
    quota_per_min: int = 600
    apns_production: bool = False
    cid_batch: int = 1000
    retry_base_s: float = 0.5
    retry_cap_s: float = 10.0
    report_interval_s: float = 5.0

    @classmethod
    def from_settings(cls, s: Any) -> PushConfig:
        def get(key: str, default: Any) -> Any:
            try:
                return s[key]
            except KeyError:
                return default

        aliases = tuple(a.strip() for a in str(get("push.test_aliases", "")).split(",") if a.strip())
        approval = int(get("push.approval_threshold", 0)) or None
        return cls(confirm_threshold=int(get("push.confirm_threshold", 10_000)), approval_threshold=approval,
                   test_aliases=aliases, workers=int(get("push.workers", 4)),
                   quota_per_min=int(get("push.quota_per_min", 600)),
                   apns_production=bool(get("jpush.apns_production", False)))


# --- vendor limits (landscape.md §4) ------------------------------------------------------------------

#: (vendor, model prefixes, marketing pushes per device per day for a non-news app, suppressed 00-06).
_VENDORS: tuple[tuple[str, tuple[str, ...], int | None, bool], ...] = (
    ("华为/荣耀", ("HUAWEI", "HONOR"), 2, True),
    ("OPPO/一加/realme", ("OPPO", "OnePlus", "realme"), 2, False),
    ("vivo/iQOO", ("vivo", "iQOO"), 2, False),
    ("小米/红米", ("MI ", "Redmi", "Xiaomi"), 5, False),
    ("苹果", ("iPhone", "iPad"), None, False),
)
QUIET_START_H, QUIET_END_H = 0, 6


def vendor_of(model: str) -> str:
    for name, prefixes, _cap, _quiet in _VENDORS:
        if model.startswith(prefixes):
            return name
    return "其他"


def in_quiet_hours(at: datetime) -> bool:
    h = at.astimezone(BEIJING).hour
    return QUIET_START_H <= h < QUIET_END_H


# --- the action handler ------------------------------------------------------------------------------

class _CidPool:
    """JPush cids fetched in bulk (one ``/v3/push/cid`` call per ``batch`` pushes: the cid endpoint
    shares the push quota). A cid is taken just before its outbox row is written."""

    def __init__(self, get_client: Callable[[], JPushClient], batch: int) -> None:
        self._get = get_client
        self._batch = max(1, min(batch, 1000))
        self._free: list[str] = []
        self._want = 0
        self._lock = asyncio.Lock()

    def reserve(self, n: int) -> None:
        """The caller will need about ``n`` more cids (sizes the next fetch)."""
        self._want = max(self._want, n)

    async def take(self) -> str:
        async with self._lock:
            if not self._free:
                n = max(1, min(self._batch, self._want or 1))
                self._free = await self._get().cids(n)
                self._want = max(0, self._want - n)
            return self._free.pop()


class PushActions:
    """The outbox handler of pushes (``push_send``) and JPush schedules (``push_schedule``)."""

    permission = Permission.SEND_PUSH

    def __init__(self, service: PushService) -> None:
        self._svc = service

    async def prepare(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The cid, fetched and stored with the intent BEFORE the first attempt."""
        if kind == PUSH_SEND and not payload.get("cid"):
            payload = {**payload, "cid": await self._svc.cids.take()}
        return payload

    async def perform(self, kind: str, payload: dict[str, Any], key: str) -> dict[str, Any] | None:
        jp = self._svc.client()
        if kind == PUSH_SEND:
            res = await jp.push(payload["body"], cid=str(payload["cid"]))
            return {"msg_id": res.msg_id}
        if kind == PUSH_SCHEDULE:
            # JPush schedules are not idempotent: look for ours (unique name) before creating it again
            existing = await jp.find_schedule(payload["name"])
            if existing is not None:
                return {"schedule_id": existing.schedule_id}
            spec = ScheduleSpec.from_json(payload["schedule"])
            created = await jp.create_schedule(payload["name"], spec.trigger(), payload["body"])
            return {"schedule_id": created.schedule_id}
        raise InvalidInput("action", f"unknown push action {kind!r}")

    async def apply(self, conn: AsyncConnection, kind: str, payload: dict[str, Any], now: datetime,
                    actor: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        if kind == PUSH_SCHEDULE:
            return await self._svc.apply_schedule(conn, payload, now, actor)
        return await self._svc.apply_push(conn, payload, now, actor)


# --- the service -------------------------------------------------------------------------------------

class PushService:
    """Push campaigns for one signed-in operator. Every method checks ``Permission.SEND_PUSH``.

    Args:
        engine: The shared database.
        audit: The operator's audit service (role gate and audit rows).
        actions: The action outbox; the push kinds are registered on it.
        jpush: The JPush client (None until the providers are connected: :meth:`set_client`).
        config: :class:`PushConfig` (settings ``push.*``).
        clock: Wall clock (aware UTC).
    """

    def __init__(self, engine: AsyncEngine, audit: AuditService, actions: ActionService,
                 jpush: JPushClient | None = None, *, config: PushConfig | None = None,
                 clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._audit = audit
        self._actions = actions
        self._jp = jpush
        self.config = config or PushConfig()
        self._clock = clock
        self.cids = _CidPool(self.client, self.config.cid_batch)
        self.handler = PushActions(self)
        actions.register(KINDS, self.handler)
        self._runs: dict[int, asyncio.Task[Campaign]] = {}
        self._progress: dict[int, Callable[[Campaign], None]] = {}

    # --- wiring ------------------------------------------------------------------------------------

    def set_client(self, jpush: JPushClient | None) -> None:
        self._jp = jpush

    def client(self) -> JPushClient:
        if self._jp is None:
            raise InvalidInput("jpush", "JPush is not configured in this console (settings jpush.url / app key)")
        return self._jp

    @property
    def connected(self) -> bool:
        return self._jp is not None

    @property
    def operator(self) -> str:
        return self._audit.operator.username

    async def _require(self, target: str = "push") -> None:
        await self._audit.require(Permission.SEND_PUSH, target)

    # --- audience -------------------------------------------------------------------------------

    def _segment_where(self, seg: Segment, now: datetime) -> list[Any]:
        u = t.users
        conds: list[Any] = [u.c.status == "active"]
        if seg.active_days is not None:
            conds.append(u.c.last_active_at >= now - timedelta(days=seg.active_days))
        if seg.registered_days is not None:
            conds.append(u.c.registered_at >= now - timedelta(days=seg.registered_days))
        if seg.platform:
            d = t.devices
            conds.append(sa.exists(sa.select(1).where(d.c.user_id == u.c.id, d.c.platform == seg.platform)))
        if seg.room_id is not None:
            c = t.chat_messages
            since_ms = int((now - timedelta(days=seg.room_days)).timestamp() * 1000)
            chatters = sa.select(sa.cast(c.c.from_user_id, sa.BigInteger)).where(
                c.c.to_user_id == str(seg.room_id), c.c.msg_timestamp >= since_ms)
            conds.append(u.c.id.in_(chatters))
        return conds

    async def count_audience(self, spec: AudienceSpec) -> AudienceCount:
        """Recipients of ``spec``: exact for database segments and id lists; for ``all`` the active users of the
        shared database; for tags alone (JPush counts no tag) the same upper bound, marked not exact."""
        await self._require("push:audience")
        return await self._count(spec)

    async def _count(self, spec: AudienceSpec) -> AudienceCount:
        now = self._clock()
        async with self._engine.connect() as conn:
            if spec.segment is not None:
                conds = self._segment_where(spec.segment, now)
                n = (await conn.execute(sa.select(sa.func.count()).select_from(t.users).where(*conds))).scalar_one()
                by = await self._platforms(conn, sa.select(t.users.c.id).where(*conds))
                note = "数据库分群，按 1000 个别名一批发送" + ("（再与标签取交集）" if spec.tags or spec.tags_and
                                                            or spec.tags_not else "")
                return AudienceCount(size=int(n), exact=True, pushes=math.ceil(int(n) / BATCH), by_platform=by,
                                     note=note)
            if spec.everyone:
                n = (await conn.execute(sa.select(sa.func.count()).select_from(t.users).where(
                    t.users.c.status == "active"))).scalar_one()
                by = await self._platforms(conn, None)
                return AudienceCount(size=int(n), exact=False, pushes=1, by_platform=by,
                                     note="全部用户（按数据库活跃账号估算）")
            if spec.aliases or spec.registration_ids:
                aliases = list(dict.fromkeys(spec.aliases))
                regids = list(dict.fromkeys(spec.registration_ids))
                uids = [u for u in (user_of(a) for a in aliases) if u is not None]
                by = {}
                for i in range(0, len(uids), BATCH):
                    part = await self._platforms(conn, sa.select(t.users.c.id).where(
                        t.users.c.id.in_(uids[i:i + BATCH])))
                    for k, v in part.items():
                        by[k] = by.get(k, 0) + v
                pushes = math.ceil(len(aliases) / ALIAS_LIMIT) + math.ceil(len(regids) / REGID_LIMIT)
                return AudienceCount(size=len(aliases) + len(regids), exact=True, pushes=pushes, by_platform=by,
                                     note="")
            if spec.tags or spec.tags_and or spec.tags_not:
                # JPush counts no tag: the bound is every active user (the typed confirmation uses it)
                n = (await conn.execute(sa.select(sa.func.count()).select_from(t.users).where(
                    t.users.c.status == "active"))).scalar_one()
                return AudienceCount(size=int(n), exact=False, pushes=1,
                                     note="JPush 不提供标签人数：最多可能到达全部用户，实际人数以报表为准")
        return AudienceCount(size=0, exact=True, pushes=0, note="受众为空")

    @staticmethod
    async def _platforms(conn: AsyncConnection, users: Any) -> dict[str, int]:
        d = t.devices
        q = sa.select(d.c.platform, sa.func.count(sa.distinct(d.c.user_id))).group_by(d.c.platform)
        if users is not None:
            q = q.where(d.c.user_id.in_(users))
        return {str(p): int(n) for p, n in (await conn.execute(q)).all()}

    async def audience_batches(self, spec: AudienceSpec, *, after: int | None = None,
                               progress: Callable[[int], None] | None = None,
                               ) -> AsyncIterator[tuple[list[str], int, int]]:
        """The segment's users as aliases, in id order, ``BATCH`` at a time: yields ``(aliases, first_id,
        last_id)``; ``progress(resolved so far)`` after each batch (the live count). ``after``: resume after
        this user id."""
        if spec.segment is None:
            raise InvalidInput("audience", "only a database segment is resolved to aliases")
        cursor = after if after is not None else -1
        now = self._clock()
        done = 0
        while True:
            conds = self._segment_where(spec.segment, now)
            async with self._engine.connect() as conn:
                ids = list((await conn.execute(sa.select(t.users.c.id).where(t.users.c.id > cursor, *conds)
                                               .order_by(t.users.c.id).limit(BATCH))).scalars())
            if not ids:
                return
            done += len(ids)
            if progress is not None:
                progress(done)
            yield [alias_of(i) for i in ids], ids[0], ids[-1]
            cursor = ids[-1]
            if len(ids) < BATCH:
                return

    # --- checks -----------------------------------------------------------------------------------

    def check_draft(self, draft: PushDraft, spec: AudienceSpec, *, schedule: ScheduleSpec | None = None,
                    ) -> tuple[list[tuple[str, str]], PushPayload | None]:
        """Every problem of the draft and the audience (no I/O), and the payload when there is none."""
        problems: list[tuple[str, str]] = []

        def attempt(fn: Callable[[], Any]) -> Any:
            try:
                return fn()
            except InvalidInput as e:
                problems.append((e.field, str(e).split(": ", 1)[-1]))
                return None

        if not draft.name.strip():
            problems.append(("name", "give the campaign a name"))
        elif len(draft.name) > MAX_NAME:
            problems.append(("name", f"at most {MAX_NAME} characters"))
        attempt(lambda: check_text("title", draft.title))
        if len(draft.title) > MAX_TITLE:
            problems.append(("title", f"{len(draft.title)} characters, at most {MAX_TITLE}"))
        attempt(lambda: check_text("body", draft.body, required=True))
        for f in ("android_title", "android_body", "ios_title", "ios_subtitle", "ios_body", "hmos_title",
                  "hmos_body", "sound"):
            v = getattr(draft, f)
            if v:
                attempt(partial(check_text, f, v))
        badge = attempt(draft.badge_obj)
        if badge is not None:
            attempt(badge.check)
        attempt(lambda: parse_extras(draft.extras))
        if draft.ttl is not None and not 0 <= draft.ttl <= 10 * 86400:
            problems.append(("time_to_live", "must be 0..864000 seconds (10 days)"))
        if not draft.platforms:
            problems.append(("platforms", "choose at least one platform"))
        for p in draft.platforms:
            if p not in PLATFORMS:
                problems.append(("platforms", f"unknown platform {p!r}"))
        # audience
        if spec.is_empty:
            problems.append(("audience", "is empty: choose all users, tags, aliases, registration ids or a segment"))
        if spec.everyone and (spec.tags or spec.tags_and or spec.tags_not or spec.aliases
                              or spec.registration_ids or spec.segment):
            problems.append(("audience", "'all users' cannot be combined with other conditions"))
        if spec.segment is not None and (spec.aliases or spec.registration_ids):
            problems.append(("audience", "a database segment cannot be combined with alias or id lists"))
        for label, values in (("tags", spec.tags), ("tags_and", spec.tags_and), ("tags_not", spec.tags_not)):
            if len(set(values)) > 20:
                problems.append((label, f"{len(set(values))} tags, at most 20"))
            for v in values:
                attempt(partial(check_name, "tag", v))
        for v in spec.aliases:
            attempt(partial(check_name, "alias", v))
        if spec.registration_ids:
            for i in range(0, len(spec.registration_ids), REGID_LIMIT):
                attempt(partial(check_audience, Audience(registration_ids=spec.registration_ids[i:i + REGID_LIMIT])))
        if spec.segment is not None:
            s = spec.segment
            for f, v, hi in (("active_days", s.active_days, 3650), ("registered_days", s.registered_days, 3650),
                             ("room_days", s.room_days, 3650)):
                if v is not None and not 1 <= v <= hi:
                    problems.append((f"segment.{f}", f"must be 1..{hi} days"))
            if s.platform is not None and s.platform not in DB_PLATFORMS:
                problems.append(("segment.platform", f"unknown platform {s.platform!r} ({', '.join(DB_PLATFORMS)})"))
            if s.active_days is None and s.registered_days is None and s.room_id is None and not s.platform:
                problems.append(("segment", "choose at least one condition (or 'all users')"))
        if schedule is not None:
            trig = attempt(schedule.trigger)
            if trig is not None:
                attempt(lambda: check_trigger(trig, now=self._clock()))
        payload = None
        if not problems:
            sample = self._sample_audience(spec)
            built: PushPayload | None = attempt(
                partial(draft.payload, sample, apns_production=self.config.apns_production))
            if built is not None and attempt(partial(check_payload, built)) is not None:
                payload = built
        return problems, payload

    @staticmethod
    def _sample_audience(spec: AudienceSpec) -> Audience:
        """The audience of one push (its size checks hold for every batch: 1000 aliases at most)."""
        if spec.everyone:
            return Audience.all()
        tags = spec.tag_part()
        if spec.segment is not None:
            return dataclasses.replace(tags, aliases=("0" * 12,))
        return dataclasses.replace(tags, aliases=spec.aliases[:ALIAS_LIMIT],
                                   registration_ids=spec.registration_ids[:REGID_LIMIT]
                                   if not spec.aliases else ())

    def sizes(self, draft: PushDraft) -> dict[str, PayloadSize]:
        """Per-platform payload sizes of the draft (for the size meter; no validation, no I/O)."""
        try:
            payload = draft.payload(Audience(aliases=("0",)), apns_production=self.config.apns_production)
        except InvalidInput:
            payload = dataclasses.replace(draft, extras="").payload(Audience(aliases=("0",)),
                                                                    apns_production=self.config.apns_production)
        return payload_sizes(payload)

    async def check(self, draft: PushDraft, spec: AudienceSpec, *, schedule: ScheduleSpec | None = None,
                    remote: bool = False) -> CheckResult:
        """Everything before a send: all problems (raises :class:`DraftInvalid` with the list), the audience
        count, sizes, the forecast, and whether a typed confirmation / a second operator is needed.
        ``remote``: also ask JPush's ``/v3/push/validate`` (with the first batch's audience)."""
        await self._require("push:check")
        problems, payload = self.check_draft(draft, spec, schedule=schedule)
        if draft.room_id is not None:
            async with self._engine.connect() as conn:
                found = (await conn.execute(sa.select(t.rooms.c.id).where(t.rooms.c.id == draft.room_id))).first()
            if found is None:
                problems.append(("room", f"there is no room {draft.room_id}"))
        if problems or payload is None:
            raise DraftInvalid(problems or [("draft", "invalid")])
        count = await self._count(spec)
        if count.exact and count.size == 0:
            raise DraftInvalid([("audience", "no user matches this audience: nothing would be sent")])
        when = None
        if schedule is not None:
            with contextlib.suppress(InvalidInput):
                trig = schedule.trigger()
                when = trig.at if isinstance(trig, SingleTrigger) else trig.start
        forecast = await self._forecast(spec, count, when)
        if remote:
            first = await self._first_audience(spec)
            await self.client().validate(dataclasses.replace(payload, audience=first))
        return CheckResult(payload=payload, sizes=payload_sizes(payload), count=count, forecast=forecast,
                           needs_confirmation=count.size > self.config.confirm_threshold,
                           needs_approval=self._needs_approval(spec, count))

    async def _first_audience(self, spec: AudienceSpec) -> Audience:
        if spec.segment is None:
            return self._sample_audience(spec)
        async for aliases, _a, _b in self.audience_batches(spec):
            return dataclasses.replace(spec.tag_part(), aliases=tuple(aliases))
        raise DraftInvalid([("audience", "no user matches this audience: nothing would be sent")])

    def _needs_approval(self, spec: AudienceSpec, count: AudienceCount) -> bool:
        if spec.everyone:
            return True
        th = self.config.approval_threshold
        return th is not None and count.size >= th

    # --- forecast ---------------------------------------------------------------------------------

    async def forecast(self, spec: AudienceSpec, when: datetime | None = None) -> Forecast:
        await self._require("push:forecast")
        return await self._forecast(spec, await self._count(spec), when)

    def quota_per_min(self) -> int:
        """The push quota per minute: the provider's last ``X-Rate-Limit-Quota`` if seen, else the setting."""
        if self._jp is not None:
            q = self._jp.quota.get("push")
            if q is not None and q.quota:
                return int(q.quota)
        return self.config.quota_per_min

    async def _forecast(self, spec: AudienceSpec, count: AudienceCount, when: datetime | None) -> Forecast:
        now = self._clock()
        start = when or now
        quota = max(1, self.quota_per_min())
        pushes = max(1, count.pushes)
        cid_calls = math.ceil(pushes / max(1, self.config.cid_batch))
        minutes = (pushes + cid_calls) / quota
        finish = start + timedelta(minutes=minutes)
        quiet = in_quiet_hours(start) or in_quiet_hours(finish)
        async with self._engine.connect() as conn:
            users: Any = None
            if spec.segment is not None:
                users = sa.select(t.users.c.id).where(*self._segment_where(spec.segment, now))
            elif spec.aliases:
                users = [u for u in (user_of(a) for a in spec.aliases[:5000]) if u is not None]
            d = t.devices
            q = sa.select(d.c.model, sa.func.count(sa.distinct(d.c.user_id))).group_by(d.c.model)
            if users is not None:
                q = q.where(d.c.user_id.in_(users))
            rows = (await conn.execute(q)).all()
            day0 = start.astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
            sent_today = (await conn.execute(sa.select(sa.func.count()).select_from(tp.push_campaigns).where(
                tp.push_campaigns.c.test.is_(False), tp.push_campaigns.c.started_at >= day0,
                tp.push_campaigns.c.state.in_(("sending", "done"))))).scalar_one()
        per_vendor: dict[str, int] = {}
        for model, n in rows:
            v = vendor_of(str(model))
            per_vendor[v] = per_vendor.get(v, 0) + int(n)
        total_devices = sum(per_vendor.values()) or 1
        scale = count.size / total_devices if (count.size and not (spec.segment or spec.aliases)) else 1.0
        vendors = []
        warnings: list[str] = []
        for name, _prefixes, cap, suppress_night in _VENDORS:
            n = int(per_vendor.get(name, 0) * scale)
            if not n:
                continue
            over = cap is not None and sent_today + 1 > cap
            night = suppress_night and quiet
            suppressed = n if (over or night) else 0
            note = ""
            if over:
                note = f"今天已发 {sent_today} 条营销推送，超过每台设备每日 {cap} 条上限，厂商通道将拦截"
            elif night:
                note = "00:00–06:00 息屏 30 分钟后的通知会被静默"
            elif cap is not None:
                note = f"每台设备每日营销推送上限 {cap} 条（今天已发 {sent_today} 条）"
            vendors.append(VendorLimit(vendor=name, devices=n, daily_cap=cap, sent_today=int(sent_today),
                                       suppressed=suppressed, quiet=night, note=note))
            if suppressed:
                warnings.append(f"{name}: 约 {suppressed} 台设备可能收不到 — {note}")
        if quiet:
            warnings.append("发送时间落在 00:00–06:00（北京时间）：部分厂商夜间静默，且会打扰用户")
        if minutes > 60:
            warnings.append(f"按推送配额 {quota}/分钟 需要约 {minutes:.0f} 分钟")
        return Forecast(pushes=pushes, quota_per_min=quota, minutes=minutes, start_at=start, finish_at=finish,
                        vendors=tuple(vendors), quiet_hours=quiet, warnings=tuple(warnings))

    # --- send ------------------------------------------------------------------------------------

    async def send(self, draft: PushDraft, spec: AudienceSpec, *, reason: str, confirm_size: int | None = None,
                   schedule: ScheduleSpec | None = None, wait: bool = False,
                   progress: Callable[[Campaign], None] | None = None) -> Campaign:
        """Check, confirm, then send now (or create the JPush schedule), unless a second operator must
        approve first (the campaign then waits in ``awaiting_approval``; :meth:`start` continues it).

        Args:
            confirm_size: The audience size the operator typed (required above ``confirm_threshold``).
            schedule: Send later, once or periodically (at JPush).
            wait: Return when the campaign is finished (else as soon as it is running).
            progress: Called with the campaign after every push done.

        Raises:
            DraftInvalid: Every problem found, before anything is sent.
            InvalidInput: The typed size does not match, or the reason is missing.
        """
        await self._require("push:send")
        reason = reason.strip()
        if not reason:
            raise InvalidInput("reason", "a reason is required")
        result = await self.check(draft, spec, schedule=schedule)
        self._check_confirmation(result.count.size, confirm_size)
        if schedule is not None and spec.segment is not None and result.count.size > ALIAS_LIMIT:
            raise InvalidInput("schedule", f"a database segment of {result.count.size} users cannot be scheduled "
                                           f"at JPush (one push carries at most {ALIAS_LIMIT} aliases): send it now, "
                                           "or schedule a tag audience")
        if schedule is not None and (len(spec.aliases) > ALIAS_LIMIT or len(spec.registration_ids) > REGID_LIMIT):
            raise InvalidInput("schedule", f"a scheduled push carries at most {ALIAS_LIMIT} aliases or ids")
        camp = await self._create(draft, spec, result.count.size, reason, schedule=schedule,
                                  approval=result.needs_approval)
        if camp.state == "awaiting_approval":
            return camp
        return await self._launch(camp, schedule, wait=wait, progress=progress)

    def _check_confirmation(self, size: int, typed: int | None) -> None:
        if size > self.config.confirm_threshold:
            if typed is None:
                raise InvalidInput("confirm_size", f"this push reaches {size:,} users: type the number to confirm")
            if typed != size:
                raise InvalidInput("confirm_size", f"you typed {typed:,}, the audience is {size:,}: nothing sent")

    async def test_send(self, draft: PushDraft, *, reason: str = "测试推送") -> Campaign:
        """Send the draft to the locked test audience (``push.test_aliases``), whatever audience is chosen."""
        await self._require("push:test")
        if not self.config.test_aliases:
            raise InvalidInput("test_audience", "no test audience is configured (setting push.test_aliases)")
        spec = AudienceSpec(aliases=self.config.test_aliases)
        problems, payload = self.check_draft(draft, spec)
        if problems or payload is None:
            raise DraftInvalid(problems or [("draft", "invalid")])
        test_draft = dataclasses.replace(draft, name=("[测试] " + draft.name)[:MAX_NAME])
        camp = await self._create(test_draft, spec, len(set(spec.aliases)), reason.strip() or "测试推送",
                                  schedule=None, approval=False, test=True)
        return await self._launch(camp, None, wait=True, progress=None)

    async def _create(self, draft: PushDraft, spec: AudienceSpec, size: int, reason: str, *,
                      schedule: ScheduleSpec | None, approval: bool, test: bool = False) -> Campaign:
        now = self._clock()
        state = "awaiting_approval" if approval else "draft"
        draft_json = draft.to_json()
        if schedule is not None:
            draft_json["schedule"] = schedule.to_json()
        async with self._engine.begin() as conn:
            cid = (await conn.execute(tp.push_campaigns.insert().values(
                name=draft.name.strip(), title=draft.title, body=draft.body, draft=draft_json,
                audience=spec.to_json(), audience_size=size, state=state, test=test, reason=reason,
                created_by=self.operator, created_at=now, updated_at=now,
            ).returning(tp.push_campaigns.c.id))).scalar_one()
            if approval:
                aid = (await conn.execute(approvals.insert().values(
                    kind="push", subject_id=str(cid), audience_size=size, requested_by=self.operator,
                    requested_at=now, state="pending",
                    summary=f"推送 #{cid} · {draft.name.strip()[:40]} · {spec.describe()} · {size:,} 人",
                ).returning(approvals.c.id))).scalar_one()
                await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == cid)
                                   .values(approval_id=aid))
                await publish(conn, "approvals", str(aid))
            await self._audit.record("push_compose", f"push_campaign:{cid}", reason=reason,
                                     after={"name": draft.name, "audience": spec.describe(), "size": size,
                                            "state": state, "test": test}, conn=conn)
            await publish(conn, "push", str(cid))
        return await self.campaign(cid)

    async def start(self, campaign_id: int, *, wait: bool = False,
                    progress: Callable[[Campaign], None] | None = None) -> Campaign:
        """Send (or schedule) an approved campaign."""
        await self._require(f"push_campaign:{campaign_id}")
        camp = await self.campaign(campaign_id)
        if camp.state in ("sending", "done", "scheduled"):
            return camp
        if camp.state != "approved":
            raise InvalidInput("campaign", f"campaign {campaign_id} is {camp.state}, not approved")
        sched = (await self._draft_json(campaign_id)).get("schedule")
        return await self._launch(camp, ScheduleSpec.from_json(sched) if sched else None, wait=wait,
                                  progress=progress)

    async def _draft_json(self, campaign_id: int) -> dict[str, Any]:
        async with self._engine.connect() as conn:
            d = (await conn.execute(sa.select(tp.push_campaigns.c.draft).where(
                tp.push_campaigns.c.id == campaign_id))).scalar()
        if d is None:
            raise NotFound(f"No push campaign {campaign_id}")
        return dict(d)

    async def _launch(self, camp: Campaign, schedule: ScheduleSpec | None, *, wait: bool,
                      progress: Callable[[Campaign], None] | None) -> Campaign:
        if schedule is not None:
            return await self._schedule(camp, schedule)
        now = self._clock()
        async with self._engine.begin() as conn:
            await conn.execute(tp.push_campaigns.update().where(
                tp.push_campaigns.c.id == camp.id, tp.push_campaigns.c.state.in_(("draft", "approved")),
            ).values(state="sending", started_at=now, updated_at=now))
            await publish(conn, "push", str(camp.id))
        task = self._run_task(camp.id, progress)
        if wait:
            return await asyncio.shield(task)
        return await self.campaign(camp.id)

    def _run_task(self, campaign_id: int, progress: Callable[[Campaign], None] | None) -> asyncio.Task[Campaign]:
        if progress is not None:
            self._progress[campaign_id] = progress
        task = self._runs.get(campaign_id)
        if task is None or task.done():
            task = asyncio.ensure_future(self._run(campaign_id))
            self._runs[campaign_id] = task
        return task

    async def wait(self, campaign_id: int) -> Campaign:
        """Until the campaign's run in this console ends (or its state now, if none runs here)."""
        task = self._runs.get(campaign_id)
        if task is not None:
            return await asyncio.shield(task)
        return await self.campaign(campaign_id)

    async def drain(self) -> None:
        """Cancel the campaign runners (at close); in-flight pushes finish in the action service and the
        rest of the plan stays durable for :meth:`resume`."""
        for task in list(self._runs.values()):
            task.cancel()
        for task in list(self._runs.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # --- the runner ------------------------------------------------------------------------------

    async def _run(self, campaign_id: int) -> Campaign:
        camp = await self.campaign(campaign_id)
        spec = camp.audience
        base = camp.draft.payload(spec.tag_part() if not spec.everyone else Audience.all(),
                                  apns_production=self.config.apns_production)
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=max(2, self.config.workers * 2))
        workers = max(1, self.config.workers)
        stop = asyncio.Event()

        async def producer() -> None:
            try:
                async for batch in self._plan(camp):
                    if stop.is_set():
                        break
                    await queue.put(batch)
            finally:
                for _ in range(workers):
                    await queue.put(None)

        async def worker() -> None:
            while True:
                batch = await queue.get()
                if batch is None:
                    return
                if stop.is_set():
                    continue
                try:
                    await self._send_batch(camp, base, batch)
                except ConsoleError as e:
                    log.warning("push campaign %s batch %s: %s", campaign_id, batch[0], e)
                    await self._batch_failed(campaign_id, batch[0], str(e))
                if await self._cancelled(campaign_id):
                    stop.set()

        try:
            await asyncio.gather(producer(), *(worker() for _ in range(workers)))
        except Exception as e:
            async with self._engine.begin() as conn:
                await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == campaign_id).values(
                    last_error=str(e)[:2000], updated_at=self._clock()))
                await publish(conn, "push", str(campaign_id))
            raise
        return await self._finish(campaign_id)

    async def _plan(self, camp: Campaign) -> AsyncIterator[tuple[int, list[str] | None, str | None]]:
        """Batches to send: ``(n, aliases or None, kind of id list)``; the planned ones first (a resumed
        campaign), then new ones, each made durable (push_batches) before it is handed to a worker."""
        pb = tp.push_batches
        async with self._engine.connect() as conn:
            planned = (await conn.execute(sa.select(pb.c.n, pb.c.aliases).where(
                pb.c.campaign_id == camp.id, pb.c.state == "planned").order_by(pb.c.n))).all()
            row = (await conn.execute(sa.select(tp.push_campaigns.c.plan_complete, tp.push_campaigns.c.plan_cursor,
                                                tp.push_campaigns.c.batches_planned).where(
                tp.push_campaigns.c.id == camp.id))).one()
        for n, aliases in planned:
            yield n, (list(aliases) if aliases is not None else None), None
        if row.plan_complete:
            return
        spec = camp.audience
        next_n = int(row.batches_planned)
        if spec.segment is not None:
            self.cids.reserve(max(1, camp.audience_size // BATCH + 1 - next_n))
            async for aliases, first, last in self.audience_batches(spec, after=row.plan_cursor):
                await self._add_batch(camp.id, next_n, aliases, first, last, complete=False)
                yield next_n, aliases, None
                next_n += 1
            await self._complete_plan(camp.id)
            return
        # explicit lists (all at once) or a single push (all users / tags)
        lists: list[list[str] | None] = []
        if spec.aliases:
            al = list(dict.fromkeys(spec.aliases))
            lists += [al[i:i + ALIAS_LIMIT] for i in range(0, len(al), ALIAS_LIMIT)]
        if spec.registration_ids:
            rl = list(dict.fromkeys(spec.registration_ids))
            lists += [["rid:" + r for r in rl[i:i + REGID_LIMIT]] for i in range(0, len(rl), REGID_LIMIT)]
        if not lists:
            lists = [None]
        self.cids.reserve(len(lists) - next_n)
        for i in range(next_n, len(lists)):  # a resumed plan goes on after the batches already written
            await self._add_batch(camp.id, i, lists[i], None, None, complete=i == len(lists) - 1)
            yield i, lists[i], None

    async def _add_batch(self, campaign_id: int, n: int, aliases: list[str] | None, first: int | None,
                         last: int | None, *, complete: bool) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(tp.push_batches.insert().values(
                campaign_id=campaign_id, n=n, first_user_id=first, last_user_id=last,
                size=len(aliases) if aliases is not None else 0, aliases=aliases,
                action_key=f"push:{campaign_id}:{n}", state="planned"))
            values: dict[str, Any] = {"batches_planned": n + 1, "updated_at": self._clock()}
            if last is not None:
                values["plan_cursor"] = last
            if complete:
                values["plan_complete"] = True
            await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == campaign_id).values(**values))

    async def _complete_plan(self, campaign_id: int) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == campaign_id).values(
                plan_complete=True, updated_at=self._clock()))

    def _body_for(self, camp: Campaign, base: PushPayload, aliases: list[str] | None) -> dict[str, Any]:
        if aliases is None:
            payload = base
        elif aliases and aliases[0].startswith("rid:"):
            payload = dataclasses.replace(base, audience=dataclasses.replace(
                base.audience, registration_ids=tuple(a[4:] for a in aliases)))
        else:
            payload = dataclasses.replace(base, audience=dataclasses.replace(base.audience, aliases=tuple(aliases)))
        check_payload(payload)
        return payload.to_body()

    async def _send_batch(self, camp: Campaign, base: PushPayload, batch: tuple[int, list[str] | None, Any]) -> None:
        n, aliases, _ = batch
        key = f"push:{camp.id}:{n}"
        rec = await self._actions.get_by_key(key)
        if rec is None:
            payload = {"campaign_id": camp.id, "n": n, "title": camp.title, "body_text": camp.body,
                       "test": camp.test, "body": self._body_for(camp, base, aliases)}
            rec = await self._actions.submit(PUSH_SEND, f"push_campaign:{camp.id}", payload, reason=camp.reason,
                                             key=key)
        attempt = 0
        while rec.state is ActionStatus.PENDING:
            attempt += 1
            delay = random.uniform(0, min(self.config.retry_cap_s, self.config.retry_base_s * 2 ** min(attempt, 6)))
            await asyncio.sleep(delay)
            if await self._cancelled(camp.id):
                return
            rec = await self._actions.retry(rec.id)
        if rec.state is ActionStatus.FAILED:
            await self._batch_failed(camp.id, n, rec.last_error or "failed")
        cb = self._progress.get(camp.id)
        if cb is not None:
            with contextlib.suppress(Exception):
                cb(await self.campaign(camp.id))

    async def _batch_failed(self, campaign_id: int, n: int, error: str) -> None:
        async with self._engine.begin() as conn:
            res = await conn.execute(tp.push_batches.update().where(
                tp.push_batches.c.campaign_id == campaign_id, tp.push_batches.c.n == n,
                tp.push_batches.c.state == "planned").values(state="failed", error=error[:2000]))
            if res.rowcount == 1:
                await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == campaign_id).values(
                    pushes_failed=tp.push_campaigns.c.pushes_failed + 1, last_error=error[:2000],
                    updated_at=self._clock()))
                await publish(conn, "push", str(campaign_id))

    async def _cancelled(self, campaign_id: int) -> bool:
        async with self._engine.connect() as conn:
            st = (await conn.execute(sa.select(tp.push_campaigns.c.state).where(
                tp.push_campaigns.c.id == campaign_id))).scalar()
        return st == "cancelled"

    async def _finish(self, campaign_id: int) -> Campaign:
        now = self._clock()
        async with self._engine.begin() as conn:
            c = (await conn.execute(sa.select(tp.push_campaigns).where(tp.push_campaigns.c.id == campaign_id))).one()
            open_batches = (await conn.execute(sa.select(sa.func.count()).select_from(tp.push_batches).where(
                tp.push_batches.c.campaign_id == campaign_id, tp.push_batches.c.state == "planned"))).scalar_one()
            if c.state == "sending" and c.plan_complete and open_batches == 0:
                state = "done" if c.pushes_done > 0 or c.pushes_failed == 0 else "failed"
                await conn.execute(tp.push_campaigns.update().where(
                    tp.push_campaigns.c.id == campaign_id, tp.push_campaigns.c.state == "sending",
                ).values(state=state, finished_at=now, updated_at=now))
                await self._audit.record("push_campaign_" + state, f"push_campaign:{campaign_id}", reason=c.reason,
                                         after={"pushes": c.pushes_done, "failed": c.pushes_failed,
                                                "recipients": c.recipients}, conn=conn)
                await publish(conn, "push", str(campaign_id))
        self._progress.pop(campaign_id, None)
        return await self.campaign(campaign_id)

    async def apply_push(self, conn: AsyncConnection, p: dict[str, Any], now: datetime,
                         actor: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Exactly once, with the outbox row marked done: the pushes row, its recipients, the batch and
        the campaign's counters."""
        campaign_id, n = int(p["campaign_id"]), int(p["n"])
        body = p["body"]
        aud = body.get("audience")
        aliases = list(aud.get("alias", [])) if isinstance(aud, Mapping) else []
        stored_aud: Any = aud
        if isinstance(aud, Mapping) and (len(aud.get("alias", [])) > 20 or len(aud.get("registration_id", [])) > 20):
            stored_aud = {k: v for k, v in aud.items() if k not in ("alias", "registration_id")}
            stored_aud.update({"alias_count": len(aud.get("alias", [])),
                               "registration_id_count": len(aud.get("registration_id", []))})
        stored_aud = {"campaign": campaign_id, "batch": n, "audience": stored_aud}
        push_id = (await conn.execute(t.pushes.insert().values(
            cid=str(p["cid"]), msg_id=str(p.get("msg_id") or ""), title=str(p.get("title") or "")[:128],
            body=str(p.get("body_text") or ""), audience=stored_aud, created_by=actor, state="sent",
            created_at=now, sent_at=now).returning(t.pushes.c.id))).scalar_one()
        await conn.execute(tp.push_campaign_pushes.insert().values(campaign_id=campaign_id, push_id=push_id))
        recipients = 0
        uids = [u for u in (user_of(a) for a in aliases) if u is not None]
        if uids:
            found = {int(r.id) for r in (await conn.execute(sa.select(t.users.c.id).where(t.users.c.id.in_(uids))))}
            plat: dict[int, str] = {}
            for r in (await conn.execute(sa.select(t.devices.c.user_id, t.devices.c.platform).where(
                    t.devices.c.user_id.in_(list(found))).order_by(t.devices.c.last_seen))).all():
                plat[int(r.user_id)] = str(r.platform)
            rows = [{"push_id": push_id, "user_id": u, "platform": plat.get(u, "unknown"), "status": "sent"}
                    for u in dict.fromkeys(uids) if u in found]
            if rows:
                await conn.execute(t.push_recipients.insert(), rows)
            recipients = len(rows)
        await conn.execute(tp.push_batches.update().where(
            tp.push_batches.c.campaign_id == campaign_id, tp.push_batches.c.n == n,
        ).values(state="done", push_id=push_id, msg_id=str(p.get("msg_id") or ""), error=None))
        await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == campaign_id).values(
            pushes_done=tp.push_campaigns.c.pushes_done + 1,
            recipients=tp.push_campaigns.c.recipients + (recipients or len(aliases)),
            updated_at=now))
        await publish(conn, "push", str(campaign_id))
        return None, {"msg_id": p.get("msg_id"), "cid": p["cid"], "batch": n,
                      "aliases": len(aliases), "recipients": recipients}

    # --- resume after a crash --------------------------------------------------------------------

    async def resume(self) -> list[Campaign]:
        """After a start (or a crash): finish the pending push actions (same cid), then continue every
        campaign left ``sending`` from its durable plan. Returns the campaigns resumed."""
        await self._require("push:resume")
        await self._actions.recover(KINDS)
        async with self._engine.connect() as conn:
            ids = list((await conn.execute(sa.select(tp.push_campaigns.c.id).where(
                tp.push_campaigns.c.state == "sending").order_by(tp.push_campaigns.c.id))).scalars())
        out = []
        for cid in ids:
            out.append(await asyncio.shield(self._run_task(cid, None)))
        return out

    # --- approvals -------------------------------------------------------------------------------

    async def approvals(self, *, pending_only: bool = True, limit: int = 200) -> list[Approval]:
        """Push approval requests (newest first)."""
        await self._require("approvals")
        q = sa.select(approvals).where(approvals.c.kind == "push").order_by(approvals.c.id.desc()).limit(limit)
        if pending_only:
            q = q.where(approvals.c.state == "pending")
        async with self._engine.connect() as conn:
            return [_approval(r) for r in (await conn.execute(q)).all()]

    async def approve(self, approval_id: int, note: str = "") -> Approval:
        """A second operator approves a push (never the one who asked)."""
        return await self._decide(approval_id, "approved", note)

    async def reject(self, approval_id: int, note: str = "") -> Approval:
        return await self._decide(approval_id, "rejected", note)

    async def _decide(self, approval_id: int, state: str, note: str) -> Approval:
        await self._require(f"approval:{approval_id}")
        now = self._clock()
        async with self._engine.begin() as conn:
            row = (await conn.execute(sa.select(approvals).where(approvals.c.id == approval_id))).first()
            if row is None or row.kind != "push":
                raise NotFound(f"No push approval {approval_id}")
            if row.requested_by == self.operator:
                raise InvalidInput("approval", "a second operator must approve: you asked for this push yourself")
            if row.state != "pending":
                raise InvalidInput("approval", f"already {row.state}" + (f" by {row.approved_by}"
                                                                        if row.approved_by else ""))
            res = await conn.execute(approvals.update().where(
                approvals.c.id == approval_id, approvals.c.state == "pending",
            ).values(state=state, approved_by=self.operator, decided_at=now, note=note or None))
            if res.rowcount != 1:
                raise InvalidInput("approval", "was decided by someone else a moment ago")
            campaign_id = int(row.subject_id)
            await conn.execute(tp.push_campaigns.update().where(
                tp.push_campaigns.c.id == campaign_id, tp.push_campaigns.c.state == "awaiting_approval",
            ).values(state="approved" if state == "approved" else "rejected", updated_at=now))
            await self._audit.record("push_" + ("approve" if state == "approved" else "reject"),
                                     f"push_campaign:{campaign_id}", reason=note,
                                     before={"state": "awaiting_approval", "requested_by": row.requested_by},
                                     after={"state": state}, conn=conn)
            await publish(conn, "approvals", str(approval_id))
            await publish(conn, "push", str(campaign_id))
            fresh = (await conn.execute(sa.select(approvals).where(approvals.c.id == approval_id))).one()
        return _approval(fresh)

    # --- schedules -------------------------------------------------------------------------------

    async def _schedule(self, camp: Campaign, schedule: ScheduleSpec) -> Campaign:
        spec = camp.audience
        audience = Audience.all() if spec.everyone else spec.tag_part()
        if spec.segment is not None:
            first = await self._first_audience(spec)
            audience = first
        elif spec.aliases or spec.registration_ids:
            audience = dataclasses.replace(audience, aliases=spec.aliases, registration_ids=spec.registration_ids)
        payload = camp.draft.payload(audience, apns_production=self.config.apns_production)
        check_payload(payload)
        name = f"shihou-c{camp.id}"
        rec = await self._actions.submit(
            PUSH_SCHEDULE, f"push_campaign:{camp.id}",
            {"campaign_id": camp.id, "name": name, "schedule": schedule.to_json(), "body": payload.to_body(),
             "kind": schedule.kind}, reason=camp.reason, key=f"push-schedule:{camp.id}")
        for attempt in range(1, 6):  # an unknown outcome is retried: perform looks for it by name first
            if rec.state is not ActionStatus.PENDING:
                break
            await asyncio.sleep(random.uniform(0, min(self.config.retry_cap_s,
                                                      self.config.retry_base_s * 2 ** attempt)))
            rec = await self._actions.retry(rec.id)
        if rec.state is ActionStatus.PENDING:  # stays in the action queue, visible, retried from there
            async with self._engine.begin() as conn:
                await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == camp.id).values(
                    last_error=rec.last_error, updated_at=self._clock()))
                await publish(conn, "push", str(camp.id))
        if rec.state is ActionStatus.FAILED:
            async with self._engine.begin() as conn:
                await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == camp.id).values(
                    state="failed", last_error=rec.last_error, updated_at=self._clock()))
                await publish(conn, "push", str(camp.id))
        return await self.campaign(camp.id)

    async def apply_schedule(self, conn: AsyncConnection, p: dict[str, Any], now: datetime,
                             actor: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        campaign_id = int(p["campaign_id"])
        spec = ScheduleSpec.from_json(p["schedule"])
        await conn.execute(tp.push_schedules.insert().values(
            campaign_id=campaign_id, schedule_id=str(p["schedule_id"]), name=p["name"], kind=spec.kind,
            trigger=spec.trigger().to_json(), enabled=True, state="active", created_by=actor, created_at=now,
            updated_at=now))
        await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == campaign_id).values(
            state="scheduled", started_at=now, updated_at=now))
        await publish(conn, "push", str(campaign_id))
        return None, {"schedule_id": p["schedule_id"], "trigger": spec.to_json()}

    async def schedules(self, *, include_cancelled: bool = False) -> list[ScheduleRow]:
        await self._require("push:schedules")
        q = sa.select(tp.push_schedules).order_by(tp.push_schedules.c.id.desc())
        if not include_cancelled:
            q = q.where(tp.push_schedules.c.state == "active")
        async with self._engine.connect() as conn:
            return [_schedule_row(r) for r in (await conn.execute(q)).all()]

    async def update_schedule(self, schedule_row_id: int, schedule: ScheduleSpec, *, reason: str) -> ScheduleRow:
        """Move a schedule (the trigger is sent whole, as JPush requires)."""
        await self._require(f"push_schedule:{schedule_row_id}")
        if not reason.strip():
            raise InvalidInput("reason", "a reason is required")
        row = await self._schedule_row(schedule_row_id)
        if row.state != "active" or not row.schedule_id:
            raise InvalidInput("schedule", f"schedule {schedule_row_id} is {row.state}")
        trig = schedule.trigger()
        check_trigger(trig, now=self._clock())
        await self.client().update_schedule(row.schedule_id, trigger=trig)
        now = self._clock()
        async with self._engine.begin() as conn:
            await conn.execute(tp.push_schedules.update().where(tp.push_schedules.c.id == schedule_row_id).values(
                trigger=trig.to_json(), kind=schedule.kind, updated_at=now))
            await self._audit.record("push_schedule_edit", f"push_campaign:{row.campaign_id}", reason=reason,
                                     before={"trigger": row.trigger}, after={"trigger": trig.to_json()}, conn=conn)
            await publish(conn, "push", str(row.campaign_id))
        return await self._schedule_row(schedule_row_id)

    async def cancel_schedule(self, schedule_row_id: int, *, reason: str) -> ScheduleRow:
        """Delete the schedule at JPush (idempotent: already gone is fine) and mark it cancelled."""
        await self._require(f"push_schedule:{schedule_row_id}")
        if not reason.strip():
            raise InvalidInput("reason", "a reason is required")
        row = await self._schedule_row(schedule_row_id)
        if row.state != "active":
            return row
        if row.schedule_id:
            await self.client().delete_schedule(row.schedule_id, missing_ok=True)
        now = self._clock()
        async with self._engine.begin() as conn:
            await conn.execute(tp.push_schedules.update().where(tp.push_schedules.c.id == schedule_row_id).values(
                state="cancelled", enabled=False, updated_at=now))
            await conn.execute(tp.push_campaigns.update().where(
                tp.push_campaigns.c.id == row.campaign_id, tp.push_campaigns.c.state == "scheduled",
            ).values(state="cancelled", updated_at=now, finished_at=now))
            await self._audit.record("push_schedule_cancel", f"push_campaign:{row.campaign_id}", reason=reason,
                                     before={"state": "active"}, after={"state": "cancelled"}, conn=conn)
            await publish(conn, "push", str(row.campaign_id))
        return await self._schedule_row(schedule_row_id)

    async def _schedule_row(self, schedule_row_id: int) -> ScheduleRow:
        async with self._engine.connect() as conn:
            r = (await conn.execute(sa.select(tp.push_schedules).where(
                tp.push_schedules.c.id == schedule_row_id))).first()
        if r is None:
            raise NotFound(f"No push schedule {schedule_row_id}")
        return _schedule_row(r)

    # --- campaigns and reports -------------------------------------------------------------------

    async def cancel(self, campaign_id: int, *, reason: str) -> Campaign:
        """Stop a campaign: no new pushes start (the ones in flight finish); a pending approval is withdrawn."""
        await self._require(f"push_campaign:{campaign_id}")
        if not reason.strip():
            raise InvalidInput("reason", "a reason is required")
        camp = await self.campaign(campaign_id)
        if camp.state not in ("draft", "awaiting_approval", "approved", "sending"):
            raise InvalidInput("campaign", f"campaign {campaign_id} is {camp.state}: nothing to cancel")
        now = self._clock()
        async with self._engine.begin() as conn:
            await conn.execute(tp.push_campaigns.update().where(tp.push_campaigns.c.id == campaign_id).values(
                state="cancelled", updated_at=now, finished_at=now))
            if camp.approval_id is not None:
                await conn.execute(approvals.update().where(
                    approvals.c.id == camp.approval_id, approvals.c.state == "pending",
                ).values(state="cancelled", decided_at=now))
                await publish(conn, "approvals", str(camp.approval_id))
            await self._audit.record("push_cancel", f"push_campaign:{campaign_id}", reason=reason,
                                     before={"state": camp.state}, after={"state": "cancelled"}, conn=conn)
            await publish(conn, "push", str(campaign_id))
        return await self.campaign(campaign_id)

    async def campaign(self, campaign_id: int) -> Campaign:
        async with self._engine.connect() as conn:
            r = (await conn.execute(sa.select(tp.push_campaigns).where(tp.push_campaigns.c.id == campaign_id))).first()
        if r is None:
            raise NotFound(f"No push campaign {campaign_id}")
        return _campaign(r)

    async def campaigns(self, *, limit: int = 200, include_tests: bool = True) -> list[Campaign]:
        await self._require("push:campaigns")
        q = sa.select(tp.push_campaigns).order_by(tp.push_campaigns.c.id.desc()).limit(limit)
        if not include_tests:
            q = q.where(tp.push_campaigns.c.test.is_(False))
        async with self._engine.connect() as conn:
            return [_campaign(r) for r in (await conn.execute(q)).all()]

    async def msg_ids(self, campaign_id: int) -> list[str]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(t.pushes.c.msg_id).select_from(
                tp.push_campaign_pushes.join(t.pushes, t.pushes.c.id == tp.push_campaign_pushes.c.push_id)).where(
                tp.push_campaign_pushes.c.campaign_id == campaign_id).order_by(t.pushes.c.id))).scalars().all()
        return [str(m) for m in rows if m]

    async def report(self, campaign_id: int) -> CampaignReport:
        """The stored figures (no provider call)."""
        await self._require(f"push_campaign:{campaign_id}")
        camp = await self.campaign(campaign_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(tp.push_campaign_stats).where(
                tp.push_campaign_stats.c.campaign_id == campaign_id))).all()
            n = (await conn.execute(sa.select(sa.func.count()).select_from(tp.push_campaign_pushes).where(
                tp.push_campaign_pushes.c.campaign_id == campaign_id))).scalar_one()
        by = {r.platform: r for r in rows}
        plats = tuple(PlatformReport(platform=p, target=int(by[p].target), sent=int(by[p].sent),
                                     received=int(by[p].received), clicked=int(by[p].clicked))
                      if p in by else PlatformReport(platform=p, target=0, sent=0, received=0, clicked=0)
                      for p in PLATFORMS)
        updated = max((r.updated_at for r in rows), default=None)
        return CampaignReport(campaign=camp, platforms=plats, updated_at=updated, msg_ids=int(n))

    async def refresh_report(self, campaign_id: int) -> CampaignReport:
        """Ask JPush (``/v3/messages``, 100 msg_ids a call; ``/v3/received`` when that is VIP-only) and store
        the sums per platform; other consoles see them through the ``push`` event."""
        await self._require(f"push_campaign:{campaign_id}")
        ids = await self.msg_ids(campaign_id)
        async with self._engine.connect() as conn:
            scheduled = list((await conn.execute(sa.select(tp.push_schedules.c.schedule_id).where(
                tp.push_schedules.c.campaign_id == campaign_id,
                tp.push_schedules.c.schedule_id.is_not(None)))).scalars())
        for sid in scheduled:  # the pushes JPush made from our schedules
            ids += [m for m in await self.client().schedule_msg_ids(str(sid)) if m not in ids]
        sums = {p: {"target": 0, "sent": 0, "received": 0, "clicked": 0} for p in PLATFORMS}
        if ids:
            jp = self.client()
            for i in range(0, len(ids), 100):
                chunk = ids[i:i + 100]
                try:
                    stats = await jp.messages(chunk)
                except ProviderError as e:
                    if e.code not in ("2006", "2007"):
                        raise
                    for r in await jp.received(chunk):
                        sums["android"]["received"] += r.android_received or 0
                        sums["ios"]["received"] += (r.ios_apns_received or 0)
                        sums["ios"]["sent"] += r.ios_apns_sent or 0
                    continue
                for m in stats:
                    for p, s in m.platforms.items():
                        if p not in sums:
                            continue
                        sums[p]["target"] += s.target or 0
                        sums[p]["sent"] += s.sent or 0
                        sums[p]["received"] += s.received or 0
                        sums[p]["clicked"] += s.click or 0
        now = self._clock()
        async with self._engine.begin() as conn:
            for p, v in sums.items():
                # one statement: two refreshes at once (a pane and the background duty) must not both insert
                await conn.execute(_upsert(conn, tp.push_campaign_stats, ["campaign_id", "platform"],
                                           dict(campaign_id=campaign_id, platform=p, updated_at=now, **v)))
            await publish(conn, "push_report", str(campaign_id))
        return await self.report(campaign_id)

    async def received_by(self, user_id: UserId | int, *, limit: int = 20, live: bool = True) -> list[PushReceipt]:
        """The pushes a user was sent (newest first), as the user card shows them, each with its delivery
        status for this user.

        The stored status is ``sent`` (JPush took the push for the user's alias). With ``live`` and JPush
        connected, the pushes still ``sent`` are looked up per device (``POST /v3/status/message`` with the
        registration ids bound to the user's alias): ``received`` when a device of the user got it,
        ``pending`` when JPush is still trying, ``not_installed`` when no device of the user has the app,
        ``not_target`` when JPush did not target the user's devices, ``failed`` on JPush's error status.
        Nothing is written (support's database role may not update pushes); a JPush error keeps the stored
        status (logged).

        Raises:
            PermissionDenied: The role lacks ``LOOKUP_USERS`` (the user card's permission; audited).
        """
        await self._audit.require(Permission.LOOKUP_USERS, f"user:{int(user_id)}")
        async with self._engine.connect() as conn:
            rows = (await conn.execute(
                sa.select(t.pushes.c.title, t.pushes.c.body, t.pushes.c.sent_at, t.pushes.c.created_at,
                          t.pushes.c.msg_id, t.push_recipients.c.platform, t.push_recipients.c.status,
                          t.push_recipients.c.received_at)
                .select_from(t.push_recipients.join(t.pushes, t.pushes.c.id == t.push_recipients.c.push_id))
                .where(t.push_recipients.c.user_id == int(user_id))
                .order_by(t.pushes.c.id.desc()).limit(max(1, min(limit, 200))))).all()
        live_status: dict[str, str] = {}
        asking = [str(r.msg_id) for r in rows if r.status == "sent" and r.msg_id and str(r.msg_id).isdigit()]
        if live and asking and self._jp is not None:
            live_status = await self._live_status(int(user_id), list(dict.fromkeys(asking)))
        return [PushReceipt(title=r.title, body=r.body, sent_at=r.received_at or r.sent_at or r.created_at,
                            platform=r.platform, status=live_status.get(str(r.msg_id or ""), r.status)) for r in rows]

    async def _live_status(self, user_id: int, msg_ids: list[str]) -> dict[str, str]:
        jp = self.client()
        try:
            regids = await jp.alias_devices(alias_of(user_id))
        except ProviderError as e:
            log.info("devices of user %s not fetched: %s", user_id, e)
            return {}
        if not regids:
            return dict.fromkeys(msg_ids, "not_installed")
        out: dict[str, str] = {}
        for msg_id in msg_ids:
            try:
                codes = set((await jp.message_status(msg_id, regids)).values())
            except ProviderError as e:
                log.info("status of push %s for user %s not fetched: %s", msg_id, user_id, e)
                continue
            out[msg_id] = ("received" if 0 in codes else "pending" if 1 in codes else "failed" if 4 in codes
                           else "not_target" if 3 in codes else "not_installed" if codes else "sent")
        return out

    async def outbox(self, campaign_id: int) -> list[ActionRecord]:
        """The outbox rows of a campaign (pending / failed first), for the action queue's detail."""
        rows = await self._actions.queue(include_done=True, kinds=KINDS, limit=5000)
        return [r for r in rows if r.target == f"push_campaign:{campaign_id}"]


# --- rows -> records ---------------------------------------------------------------------------------

def _campaign(r: Any) -> Campaign:
    return Campaign(id=int(r.id), name=r.name, title=r.title, body=r.body, draft=PushDraft.from_json(r.draft),
                    audience=AudienceSpec.from_json(r.audience), audience_size=int(r.audience_size), state=r.state,
                    test=bool(r.test), reason=r.reason, created_by=r.created_by, created_at=r.created_at,
                    updated_at=r.updated_at, approval_id=r.approval_id, batches_planned=int(r.batches_planned),
                    plan_complete=bool(r.plan_complete), pushes_done=int(r.pushes_done),
                    pushes_failed=int(r.pushes_failed), recipients=int(r.recipients), started_at=r.started_at,
                    finished_at=r.finished_at, last_error=r.last_error)


def _approval(r: Any) -> Approval:
    return Approval(id=int(r.id), kind=r.kind, subject_id=r.subject_id, summary=r.summary,
                    audience_size=int(r.audience_size), requested_by=r.requested_by, requested_at=r.requested_at,
                    state=r.state, approved_by=r.approved_by, decided_at=r.decided_at, note=r.note)


def _schedule_row(r: Any) -> ScheduleRow:
    return ScheduleRow(id=int(r.id), campaign_id=int(r.campaign_id), schedule_id=r.schedule_id, name=r.name,
                       kind=r.kind, trigger=dict(r.trigger), enabled=bool(r.enabled), state=r.state,
                       created_by=r.created_by, created_at=r.created_at, updated_at=r.updated_at)


def limits_text() -> str:
    """Per-platform payload limits, for the size meter's tooltip."""
    return ", ".join(f"{k} ≤ {v} B" for k, v in SIZE_LIMITS.items())


__all__ = [
    "KINDS", "PUSH_SCHEDULE", "PUSH_SEND", "Approval", "AudienceCount", "AudienceSpec", "Campaign",
    "CampaignReport", "CheckResult", "DraftInvalid", "Forecast", "PlatformReport", "PushActions", "PushConfig",
    "PushDraft", "PushService", "ScheduleRow", "ScheduleSpec", "Segment", "VendorLimit", "alias_of", "in_quiet_hours",
    "limits_text", "user_of", "vendor_of",
]


def _upsert(conn: AsyncConnection, table: sa.Table, keys: list[str], values: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE on either dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        ins: Any = pg_insert(table).values(**values)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        ins = sqlite_insert(table).values(**values)
    return ins.on_conflict_do_update(index_elements=keys,
                                     set_={k: ins.excluded[k] for k in values if k not in keys})
