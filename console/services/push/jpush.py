"""JPush (极光推送) REST API v3: payload builder, pure validation and an async client (no Qt).

Usage::

    jp = JPushClient.create(app_key="7d431e42dfa6a6d693ac2d04", master_secret=store.require("jpush", app_key),
                            api_url=settings["jpush.url"], report_url=settings["jpush.report_url"])
    payload = PushPayload(
        audience=Audience(aliases=("10001", "10002")),
        notification=Notification(title="开播啦", body="你关注的主播开播了", badge=Badge.add(1),
                                   deep_link="shihou://room/42"),
        options=Options(apns_production=True, time_to_live=3600))
    check_payload(payload)                 # InvalidInput with a clear message, nothing sent
    cid = await jp.cid()                   # store it with the intent BEFORE the first attempt
    result = await jp.push(payload, cid=cid)   # a retry (now or after a crash) passes the same cid
    stats = await jp.received([result.msg_id])

Wire facts (shared/reference/providers.md §2 and §9):

- HTTP Basic ``base64(appKey:masterSecret)``; the Push API on ``api.jpush.cn/v3/push``, schedules on
  ``/v3/schedules``, reports on ``report.jpush.cn/v3/…``, tags and aliases on ``device.jpush.cn/v3/…``.
  The three base URLs may be the same (the sandbox emulator serves every path on one port).
- **Idempotency**: a push carries a ``cid`` from ``GET /v3/push/cid``; re-sending the same cid within a day
  returns the original ``msg_id`` and pushes nothing. So a push with a cid is retried (timeouts, 5xx, 429,
  a lost response) and always with that same cid; :meth:`JPushClient.push` refuses to run without one.
- **Rate limits**: every answer carries ``X-Rate-Limit-Quota`` (older docs: ``-Limit``; both are read),
  ``-Remaining`` and ``-Reset`` (seconds). A 429 (code 2002) is waited out for ``Reset`` seconds and retried;
  an exhausted quota (``Remaining: 0``) closes the rate gate for ``Reset`` seconds so the next call waits
  instead of being refused. Push (push, validate, cid), schedules, reports and device calls are separate
  quotas with separate gate keys; a ``Quota`` header different from the configured figure (a VIP plan)
  reconfigures that gate. Retries and cid fetches count against the push quota: fetch cids in bulk
  (:meth:`JPushClient.cids`, up to 1000 per call for VIP apps, 10 otherwise).
- **Retry policy** (§2.9): 1000/500, 1030/503, raw 502/503/504, timeouts and 2002/429 are retried (a push
  only with its cid); 1001–1011, 1020, 2003–2007 and the report/schedule/device 4xx codes are not. 1011
  (no device matches the audience) raises :class:`NoTarget`, not an outage. 1012 (big-push quota) raises
  :class:`TryLater` (retryable by the caller, not retried here).
- ``options.apns_production`` is always sent (the API's default is production, SDKs default to
  development): :class:`Options` has no default for it. SDK-style defaults (``badge:"+1"``,
  ``sound:"default"``) are never added: no badge and no sound unless asked for.

Decisions on UNCONFIRMED points (see also the emulator, ``console.sandbox.jpush``):

- Schedule times (``trigger.single.time`` and the periodical fields) are Beijing time (UTC+08:00): JPush is
  a Chinese service and the wire format carries no zone. Aware datetimes are converted to +08:00.
- HarmonyOS (``notification.hmos``) fields follow the current docs' example (``alert``, ``title``,
  ``category``, ``intent{url}``, ``badge_add_num``, ``badge_set_num``, ``extras``, ``test_message``,
  ``receipt_id``, ``sound``); its size limit is taken to be Android's 4000 bytes. Android badges use the
  current docs' ``badge_add_num`` / ``badge_set_num`` (Huawei/Honor channels); clearing sends
  ``badge_set_num: 0``.
- Payload size is measured on the compact UTF-8 JSON of the part the reference names: Android = the
  effective ``notification.android`` object plus the ``message`` object; iOS = the ``ios`` object
  (≤ 2000) and separately the message (≤ 4000); HarmonyOS like Android.
- Tag/alias charset: ASCII letters and digits, ``_``, CJK ideographs, and ``@!#$&*+=.|￥`` (``¥`` as
  well, which older docs print); ≤ 40 UTF-8 bytes. Registration ids: 1–64 ASCII letters/digits.
- No JPush API counts the devices under a tag; :meth:`JPushClient.count_alias_devices` counts aliases
  (``GET /v3/aliases/{alias}`` returns up to 10 registration ids each). Tag audiences are counted from the
  shared database by the caller.
- WinPhone (1000 B) is not checked: our pushes target Android, iOS and HarmonyOS (``platform: "all"``
  or a list of those), and the platform is gone from today's docs.
- ``/v3/messages`` is VIP-only (2006 otherwise); :meth:`JPushClient.campaign_stats` then falls back to
  ``/v3/received`` (no clicks, no HarmonyOS counts).
- A schedule create is not idempotent (a schedule's ``cid`` is ignored by JPush): it is sent once; after
  an unknown outcome use :meth:`JPushClient.find_schedule` (by name) before creating again.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as dtime
from typing import Any, Literal

import httpx

from console.credentials import CredentialStore, Secret, require
from console.errors import (
    InvalidInput,
    ProviderAuthError,
    ProviderRejected,
    ProviderUnavailable,
)
from console.services.http import ErrorInfo, HttpTransportPolicy, RateGate, make_client

__all__ = [
    "ALIAS_LIMIT",
    "BEIJING",
    "DEEP_LINK_KEY",
    "DEFAULT_API_URL",
    "DEFAULT_DEVICE_URL",
    "DEFAULT_REPORT_URL",
    "PLATFORMS",
    "PROVIDER",
    "REGID_LIMIT",
    "SIZE_LIMITS",
    "TAG_LIMIT",
    "AndroidOverride",
    "Audience",
    "AudienceCount",
    "Badge",
    "CampaignStats",
    "DeviceInfo",
    "HmosOverride",
    "IosOverride",
    "JPushClient",
    "Message",
    "MessageStats",
    "NoTarget",
    "Notification",
    "Options",
    "PayloadSize",
    "PeriodicTrigger",
    "Platform",
    "PlatformStats",
    "PlatformTotals",
    "PushPayload",
    "PushResult",
    "QuotaInfo",
    "Received",
    "Schedule",
    "SchedulePage",
    "SingleTrigger",
    "TryLater",
    "basic_auth",
    "Trigger",
    "check_audience",
    "check_extras",
    "check_name",
    "check_payload",
    "check_schedule_name",
    "check_text",
    "check_trigger",
    "client_from_settings",
    "describe_error",
    "first_fire",
    "parse_extras",
    "payload_sizes",
]

PROVIDER = "jpush"
DEFAULT_API_URL = "https://api.jpush.cn"
DEFAULT_REPORT_URL = "https://report.jpush.cn"
DEFAULT_DEVICE_URL = "https://device.jpush.cn"
#: JPush's wall clock for schedule times (UNCONFIRMED, see the module docstring).
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

Platform = Literal["android", "ios", "hmos"]
PLATFORMS: tuple[Platform, ...] = ("android", "ios", "hmos")

#: Per push (providers.md §2.3).
TAG_LIMIT = 20
ALIAS_LIMIT = 1000
REGID_LIMIT = 1000
NAME_BYTES = 40
#: Payload size limits in bytes (§2.3, → code 1005); "ios_message" is the iOS in-app message.
SIZE_LIMITS: dict[str, int] = {"android": 4000, "ios": 2000, "ios_message": 4000, "hmos": 4000}
MAX_TTL_S = 10 * 86400
MAX_BADGE = 99
SCHEDULE_NAME_BYTES = 255
SCHEDULE_PAGE = 50
REPORT_IDS_LIMIT = 100
STATUS_IDS_LIMIT = 1000
CID_LIMIT = 1000
#: The extras key that carries a deep link on every platform (Android/HarmonyOS also get ``intent.url``).
DEEP_LINK_KEY = "deep_link"

_SPECIALS = frozenset("@!#$&*+=.|￥¥")
_REGID = re.compile(r"^[0-9A-Za-z]{1,64}$")
_DATE_TIME = "%Y-%m-%d %H:%M:%S"
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

#: Codes per §2.9 (and report / schedule / device families).
_AUTH_CODES = frozenset({1004, 3001, 8101, 7001, 7004})
_RETRY_LATER = frozenset({1012})
_NO_TARGET = 1011


class NoTarget(ProviderRejected):
    """1011: no device matches the audience (not an outage; common with test audiences)."""


class TryLater(ProviderRejected):
    """1012: over the limit for timed (big_push_duration) pushes; try again later."""

    retryable = True


# --- payload ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Audience:
    """Who receives a push. Keys are AND-combined; inside ``tags``/``aliases``/``registration_ids`` OR,
    inside ``tags_and`` AND, ``tags_not`` excludes the union of its tags (providers.md §2.3).

    ``everyone=True`` is ``"audience": "all"`` and excludes every other key.
    """

    everyone: bool = False
    tags: tuple[str, ...] = ()
    tags_and: tuple[str, ...] = ()
    tags_not: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    registration_ids: tuple[str, ...] = ()

    @classmethod
    def all(cls) -> Audience:
        return cls(everyone=True)

    @property
    def is_empty(self) -> bool:
        return not (self.everyone or self.tags or self.tags_and or self.tags_not or self.aliases
                    or self.registration_ids)

    def to_json(self) -> str | dict[str, list[str]]:
        """``"all"`` or the audience object (empty keys left out: an empty array means "absent")."""
        if self.everyone:
            return "all"
        out: dict[str, list[str]] = {}
        for key, values in (("tag", self.tags), ("tag_and", self.tags_and), ("tag_not", self.tags_not),
                            ("alias", self.aliases), ("registration_id", self.registration_ids)):
            if values:
                out[key] = list(dict.fromkeys(values))
        return out


@dataclass(frozen=True, slots=True)
class Badge:
    """The app-icon badge (providers.md §2.3, [DOC set_badge]).

    ``Badge.set(n)`` sets it to n (0..99); ``Badge.add(n)`` adds n (-99..99; a negative result clears);
    ``Badge.clear()`` clears it. No badge object at all leaves the badge unchanged.
    iOS: ``n`` / ``"+n"`` / ``"-n"`` / ``0``; Android and HarmonyOS: ``badge_set_num`` / ``badge_add_num``.
    """

    mode: Literal["set", "add", "clear"]
    n: int = 0

    @classmethod
    def set(cls, n: int) -> Badge:
        return cls("set", n)

    @classmethod
    def add(cls, n: int = 1) -> Badge:
        return cls("add", n)

    @classmethod
    def clear(cls) -> Badge:
        return cls("clear", 0)

    def check(self) -> None:
        """Raises InvalidInput outside the documented ranges."""
        if isinstance(self.n, bool) or not isinstance(self.n, int):
            raise InvalidInput("badge", "must be a whole number")
        if self.mode == "set" and not 0 <= self.n <= MAX_BADGE:
            raise InvalidInput("badge", f"can be set to 0..{MAX_BADGE}, not {self.n}")
        if self.mode == "add" and (self.n == 0 or not -MAX_BADGE <= self.n <= MAX_BADGE):
            raise InvalidInput("badge", f"can change by -{MAX_BADGE}..+{MAX_BADGE} (not 0), not {self.n}")
        if self.mode not in ("set", "add", "clear"):
            raise InvalidInput("badge", f"unknown mode {self.mode!r}")

    def ios_value(self) -> int | str:
        if self.mode == "set":
            return self.n
        if self.mode == "add":
            return f"{self.n:+d}"
        return 0

    def android_fields(self) -> dict[str, int]:
        """``badge_add_num``/``badge_set_num`` for Android and HarmonyOS (a decrement is not supported there)."""
        if self.mode == "set":
            return {"badge_set_num": self.n}
        if self.mode == "add":
            return {"badge_add_num": self.n} if self.n > 0 else {}
        return {"badge_set_num": 0}


@dataclass(frozen=True, slots=True, kw_only=True)
class AndroidOverride:
    """Android-only values; ``None`` fields fall back to the shared :class:`Notification` ones."""

    title: str | None = None
    body: str | None = None
    badge: Badge | None = None
    sound: str | None = None
    channel_id: str | None = None
    priority: int | None = None          # -2..2
    category: str | None = None
    big_text: str | None = None          # sets style 1
    large_icon: str | None = None
    builder_id: int | None = None
    extras: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IosOverride:
    """iOS-only values; ``None`` fields fall back to the shared :class:`Notification` ones."""

    title: str | None = None
    subtitle: str | None = None
    body: str | None = None
    badge: Badge | None = None
    sound: str | None = None
    category: str | None = None
    thread_id: str | None = None
    mutable_content: bool | None = None
    content_available: bool | None = None
    extras: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HmosOverride:
    """HarmonyOS-only values (UNCONFIRMED field set, see the module docstring)."""

    title: str | None = None
    body: str | None = None
    badge: Badge | None = None
    sound: str | None = None
    category: str | None = None
    test_message: bool | None = None
    receipt_id: str | None = None
    extras: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Notification:
    """A notification with shared title/body and per-platform overrides.

    ``title`` is the Android/HarmonyOS title and the iOS alert title (the iOS alert becomes
    ``{"title", "body"}``; with no title it is the plain body string). ``deep_link`` goes to
    ``intent.url`` on Android and HarmonyOS and to ``extras["deep_link"]`` on every platform.
    ``badge``/``sound`` None: not sent (no SDK-style ``"+1"``/``"default"``).
    """

    body: str
    title: str = ""
    badge: Badge | None = None
    sound: str | None = None
    deep_link: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    android: AndroidOverride | None = None
    ios: IosOverride | None = None
    hmos: HmosOverride | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """An in-app (透传) message, delivered to the running app and not shown by the system."""

    content: str
    title: str | None = None
    content_type: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """``options``; ``apns_production`` has no default on purpose (always sent explicitly).

    ``time_to_live``: seconds an offline device may still receive it (0 = online devices only, max 10 days;
    JPush's default is 1 day; not applied to iOS notifications). ``big_push_duration``: spread the push over
    that many minutes (定速推送, ≤ 1400).
    """

    apns_production: bool
    time_to_live: int | None = None
    sendno: int | None = None
    override_msg_id: str | None = None
    apns_collapse_id: str | None = None
    big_push_duration: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"apns_production": self.apns_production}
        for key in ("time_to_live", "sendno", "override_msg_id", "apns_collapse_id", "big_push_duration"):
            v = getattr(self, key)
            if v is not None:
                out[key] = v
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class PushPayload:
    """One push: audience, platforms, notification and/or message, options. :meth:`to_body` gives the
    JSON body of ``POST /v3/push`` (and of a schedule's ``push``)."""

    audience: Audience
    options: Options
    notification: Notification | None = None
    message: Message | None = None
    platforms: tuple[Platform, ...] | Literal["all"] = "all"

    def targets(self) -> tuple[Platform, ...]:
        return PLATFORMS if self.platforms == "all" else tuple(self.platforms)

    def to_body(self, cid: str | None = None) -> dict[str, Any]:
        """The wire body (no validation: see :func:`check_payload`)."""
        body: dict[str, Any] = {
            "platform": "all" if self.platforms == "all" else list(dict.fromkeys(self.platforms)),
            "audience": self.audience.to_json(),
        }
        if self.notification is not None:
            body["notification"] = _notification_json(self.notification, self.targets())
        if self.message is not None:
            m = self.message
            msg: dict[str, Any] = {"msg_content": m.content}
            if m.title is not None:
                msg["title"] = m.title
            if m.content_type is not None:
                msg["content_type"] = m.content_type
            if m.extras:
                msg["extras"] = dict(m.extras)
            body["message"] = msg
        body["options"] = self.options.to_json()
        if cid is not None:
            body["cid"] = cid
        return body


def _pick(override: Any, name: str, default: Any) -> Any:
    v = getattr(override, name, None) if override is not None else None
    return default if v is None else v


def _notification_json(n: Notification, targets: Sequence[Platform]) -> dict[str, Any]:
    out: dict[str, Any] = {"alert": n.body}
    base_extras = dict(n.extras)
    if n.deep_link:
        base_extras[DEEP_LINK_KEY] = n.deep_link
    if "android" in targets:
        o = n.android
        a: dict[str, Any] = {"alert": _pick(o, "body", n.body)}
        title = _pick(o, "title", n.title)
        if title:
            a["title"] = title
        for key in ("channel_id", "priority", "category", "large_icon", "builder_id"):
            v = getattr(o, key, None) if o is not None else None
            if v is not None:
                a[key] = v
        if o is not None and o.big_text:
            a["style"], a["big_text"] = 1, o.big_text
        sound = _pick(o, "sound", n.sound)
        if sound:
            a["sound"] = sound
        badge = _pick(o, "badge", n.badge)
        if badge is not None:
            a.update(badge.android_fields())
        if n.deep_link:
            a["intent"] = {"url": n.deep_link}
        extras = {**base_extras, **dict(_pick(o, "extras", {}))}
        if extras:
            a["extras"] = extras
        out["android"] = a
    if "ios" in targets:
        io = n.ios
        body, title, subtitle = _pick(io, "body", n.body), _pick(io, "title", n.title), _pick(io, "subtitle", None)
        alert: str | dict[str, str] = body
        if title or subtitle:
            alert = {"title": title, "body": body} if title else {"body": body}
            if subtitle:
                alert["subtitle"] = subtitle
        i: dict[str, Any] = {"alert": alert}
        sound = _pick(io, "sound", n.sound)
        if sound:
            i["sound"] = sound
        badge = _pick(io, "badge", n.badge)
        if badge is not None:
            i["badge"] = badge.ios_value()
        if io is not None:
            if io.category is not None:
                i["category"] = io.category
            if io.thread_id is not None:
                i["thread-id"] = io.thread_id
            if io.mutable_content is not None:
                i["mutable-content"] = io.mutable_content
            if io.content_available is not None:
                i["content-available"] = io.content_available
        extras = {**base_extras, **dict(_pick(io, "extras", {}))}
        if extras:
            i["extras"] = extras
        out["ios"] = i
    if "hmos" in targets:
        ho = n.hmos
        h: dict[str, Any] = {"alert": _pick(ho, "body", n.body)}
        title = _pick(ho, "title", n.title)
        if title:
            h["title"] = title
        if ho is not None:
            for key in ("category", "test_message", "receipt_id"):
                v = getattr(ho, key)
                if v is not None:
                    h[key] = v
        sound = _pick(ho, "sound", n.sound)
        if sound:
            h["sound"] = sound
        badge = _pick(ho, "badge", n.badge)
        if badge is not None:
            h.update(badge.android_fields())
        if n.deep_link:
            h["intent"] = {"url": n.deep_link}
        extras = {**base_extras, **dict(_pick(ho, "extras", {}))}
        if extras:
            h["extras"] = extras
        out["hmos"] = h
    return out


# --- sizes and validation (pure) ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PayloadSize:
    """Bytes of one platform's part of a push against its limit."""

    platform: str
    size: int
    limit: int

    @property
    def over(self) -> int:
        return max(0, self.size - self.limit)

    @property
    def fraction(self) -> float:
        return self.size / self.limit


def _json_bytes(obj: Any) -> int:
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def payload_sizes(payload: PushPayload | Mapping[str, Any]) -> dict[str, PayloadSize]:
    """Size of every targeted platform's part (the rule is in the module docstring); keys of
    :data:`SIZE_LIMITS` (``ios_message`` only when the push carries a message and targets iOS)."""
    body = payload.to_body() if isinstance(payload, PushPayload) else payload
    plat = body.get("platform", "all")
    targets = PLATFORMS if plat == "all" else tuple(p for p in PLATFORMS if p in (plat or ()))
    notif = body.get("notification") if isinstance(body.get("notification"), Mapping) else None
    message = body.get("message") if isinstance(body.get("message"), Mapping) else None
    msg_size = _json_bytes(message) if message is not None else 0
    out: dict[str, PayloadSize] = {}
    for p in targets:
        part: Any = None
        if notif is not None:
            part = notif.get(p)
            if part is None and "alert" in notif:
                part = {"alert": notif["alert"]}
        size = _json_bytes(part) if part is not None else 0
        if p == "ios":
            out["ios"] = PayloadSize("ios", size, SIZE_LIMITS["ios"])
            if message is not None:
                out["ios_message"] = PayloadSize("ios_message", msg_size, SIZE_LIMITS["ios_message"])
        else:
            out[p] = PayloadSize(p, size + msg_size, SIZE_LIMITS[p])
    return out


_PLATFORM_NAMES = {"android": "Android", "ios": "iOS", "ios_message": "iOS in-app message", "hmos": "HarmonyOS"}


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2EBEF or 0xF900 <= o <= 0xFAFF
            or 0x30000 <= o <= 0x3134F)


def check_name(kind: Literal["tag", "alias"], value: str) -> str:
    """A tag or alias as JPush accepts it (≤ 40 UTF-8 bytes of letters, digits, ``_``, CJK, ``@!#$&*+=.|￥``).

    Raises:
        InvalidInput: Empty, too long, or a character JPush refuses (named, with its position).
    """
    if not isinstance(value, str):
        raise InvalidInput(kind, f"{value!r} is not text")
    if value == "":
        raise InvalidInput(kind, "an empty value is not allowed")
    for i, c in enumerate(value):
        if not (c.isascii() and c.isalnum() or c == "_" or c in _SPECIALS or _is_cjk(c)):
            shown = c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else f"U+{ord(c):04X}"
            raise InvalidInput(kind, f"{value!r}: character {shown!r} at position {i + 1} is not allowed "
                                     "(letters, digits, _, Chinese characters and @!#$&*+=.|￥ only)")
    n = len(value.encode("utf-8"))
    if n > NAME_BYTES:
        raise InvalidInput(kind, f"{value!r} is {n} bytes in UTF-8, the limit is {NAME_BYTES}")
    return value


def check_audience(audience: Audience) -> None:
    """Raises InvalidInput for an empty audience, too many values, or a bad tag/alias/registration id."""
    if audience.is_empty:
        raise InvalidInput("audience", "is empty: choose all users, tags, aliases or registration ids")
    if audience.everyone:
        if audience.tags or audience.tags_and or audience.tags_not or audience.aliases or audience.registration_ids:
            raise InvalidInput("audience", "'all users' cannot be combined with tags, aliases or ids")
        return
    for label, values, limit in (("tags", audience.tags, TAG_LIMIT), ("tags_and", audience.tags_and, TAG_LIMIT),
                                 ("tags_not", audience.tags_not, TAG_LIMIT)):
        uniq = list(dict.fromkeys(values))
        if len(uniq) > limit:
            raise InvalidInput(label, f"{len(uniq)} tags, at most {limit} per push")
        for v in uniq:
            check_name("tag", v)
    aliases = list(dict.fromkeys(audience.aliases))
    if len(aliases) > ALIAS_LIMIT:
        raise InvalidInput("aliases", f"{len(aliases)} aliases, at most {ALIAS_LIMIT} per push: "
                                      f"split the audience into batches of {ALIAS_LIMIT}")
    for v in aliases:
        check_name("alias", v)
    regids = list(dict.fromkeys(audience.registration_ids))
    if len(regids) > REGID_LIMIT:
        raise InvalidInput("registration_ids", f"{len(regids)} registration ids, at most {REGID_LIMIT} per push: "
                                               f"split the audience into batches of {REGID_LIMIT}")
    for v in regids:
        if not isinstance(v, str) or not _REGID.match(v):
            raise InvalidInput("registration_ids", f"{v!r} is not a registration id (1-64 letters and digits)")


def check_text(name: str, value: str, *, required: bool = False) -> None:
    """Text that can travel as UTF-8 JSON: no unpaired surrogates or control characters but tab/newline.

    Raises:
        InvalidInput: Not text, empty when required, or a character that cannot be sent.
    """
    if not isinstance(value, str):
        raise InvalidInput(name, "must be text")
    if required and not value.strip():
        raise InvalidInput(name, "is empty")
    for i, c in enumerate(value):
        o = ord(c)
        if 0xD800 <= o <= 0xDFFF:
            raise InvalidInput(name, f"contains a broken character (unpaired surrogate U+{o:04X}) at position {i + 1}")
        if unicodedata.category(c) == "Cc" and c not in "\n\t\r":
            raise InvalidInput(name, f"contains the control character U+{o:04X} at position {i + 1}")


def check_extras(name: str, extras: Mapping[str, Any] | None) -> None:
    """Extras must be a JSON object with text keys (no NaN, no sets, no objects JSON cannot carry)."""
    if extras is None:
        return
    if not isinstance(extras, Mapping):
        raise InvalidInput(name, "must be a JSON object (key: value pairs)")
    for k in extras:
        if not isinstance(k, str):
            raise InvalidInput(name, f"key {k!r} is not text")
    try:
        json.dumps(extras, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise InvalidInput(name, f"is not valid JSON: {e}") from None
    _walk_text(name, extras)


def _walk_text(name: str, v: Any) -> None:
    if isinstance(v, str):
        check_text(name, v)
    elif isinstance(v, Mapping):
        for k, x in v.items():
            check_text(name, k)
            _walk_text(name, x)
    elif isinstance(v, list | tuple):
        for x in v:
            _walk_text(name, x)


def parse_extras(text: str) -> dict[str, Any]:
    """Extras typed by a person as JSON text; ``""`` is no extras.

    Raises:
        InvalidInput: Not JSON (with line and column), or not an object.
    """
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput("extras", f"is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    if not isinstance(value, dict):
        raise InvalidInput("extras", "must be a JSON object like {\"key\": \"value\"}")
    check_extras("extras", value)
    return value


def _check_override(prefix: str, o: Any) -> None:
    if o is None:
        return
    for key in ("title", "body", "subtitle", "sound", "category", "channel_id", "big_text", "large_icon",
                "thread_id", "receipt_id"):
        v = getattr(o, key, None)
        if v is not None:
            check_text(f"{prefix}.{key}", v, required=(key == "body"))
    badge = getattr(o, "badge", None)
    if badge is not None:
        badge.check()
    prio = getattr(o, "priority", None)
    if prio is not None and (isinstance(prio, bool) or not isinstance(prio, int) or not -2 <= prio <= 2):
        raise InvalidInput(f"{prefix}.priority", "must be -2..2")
    check_extras(f"{prefix}.extras", getattr(o, "extras", None))


def check_payload(payload: PushPayload) -> dict[str, PayloadSize]:
    """Everything JPush would refuse, checked before anything is sent.

    Returns:
        The per-platform sizes (for a size meter).

    Raises:
        InvalidInput: The first problem found, in words a person can act on.
    """
    check_audience(payload.audience)
    if payload.platforms != "all":
        if not payload.platforms:
            raise InvalidInput("platforms", "choose at least one platform")
        for p in payload.platforms:
            if p not in PLATFORMS:
                raise InvalidInput("platforms", f"unknown platform {p!r}")
    if payload.notification is None and payload.message is None:
        raise InvalidInput("notification", "a push needs a notification or an in-app message")
    n = payload.notification
    if n is not None:
        check_text("body", n.body, required=True)
        check_text("title", n.title)
        if n.sound is not None:
            check_text("sound", n.sound)
        if n.badge is not None:
            n.badge.check()
        if n.deep_link is not None:
            check_text("deep_link", n.deep_link, required=True)
            if "://" not in n.deep_link:
                raise InvalidInput("deep_link", f"{n.deep_link!r} is not a link (scheme://...)")
        check_extras("extras", n.extras)
        _check_override("android", n.android)
        _check_override("ios", n.ios)
        _check_override("hmos", n.hmos)
    if payload.message is not None:
        check_text("message", payload.message.content, required=True)
        if payload.message.title is not None:
            check_text("message.title", payload.message.title)
        check_extras("message.extras", payload.message.extras)
    o = payload.options
    if not isinstance(o.apns_production, bool):
        raise InvalidInput("apns_production", "must be true or false")
    if o.time_to_live is not None and (isinstance(o.time_to_live, bool) or not isinstance(o.time_to_live, int)
                                       or not 0 <= o.time_to_live <= MAX_TTL_S):
        raise InvalidInput("time_to_live", f"must be 0..{MAX_TTL_S} seconds (10 days)")
    if o.big_push_duration is not None and not 1 <= o.big_push_duration <= 1400:
        raise InvalidInput("big_push_duration", "must be 1..1400 minutes")
    if o.apns_collapse_id is not None and len(o.apns_collapse_id.encode("utf-8", "surrogatepass")) > 64:
        raise InvalidInput("apns_collapse_id", "is longer than 64 bytes")
    if o.sendno is not None and (isinstance(o.sendno, bool) or not isinstance(o.sendno, int) or o.sendno == 0):
        raise InvalidInput("sendno", "must be a non-zero whole number")
    sizes = payload_sizes(payload)
    _check_sizes(sizes)
    return sizes


def _check_sizes(sizes: Mapping[str, PayloadSize]) -> None:
    over = [s for s in sizes.values() if s.over]
    if over:
        parts = ", ".join(f"{_PLATFORM_NAMES[s.platform]} {s.size} bytes (limit {s.limit})" for s in over)
        raise InvalidInput("body", f"the payload is too large for {parts}; shorten the text or the extras")


# --- schedules ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SingleTrigger:
    """Fire once at ``at`` (aware; sent as Beijing time)."""

    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"single": {"time": _bj(self.at)}}


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodicTrigger:
    """Fire at ``time`` (Beijing wall-clock time) every ``frequency`` days/weeks/months between ``start`` and
    ``end``; ``points`` are weekdays (``"MON"``…) for weeks and days of month (``"01"``…``"31"``) for months."""

    time: dtime
    start: datetime
    end: datetime
    unit: Literal["day", "week", "month"] = "day"
    frequency: int = 1
    points: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        p: dict[str, Any] = {"start": _bj(self.start), "end": _bj(self.end), "time": self.time.strftime("%H:%M:%S"),
                             "time_unit": self.unit, "frequency": self.frequency}
        if self.points:
            p["point"] = list(self.points)
        return {"periodical": p}


Trigger = SingleTrigger | PeriodicTrigger


def _bj(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise InvalidInput("trigger", "times need a time zone")
    return dt.astimezone(BEIJING).strftime(_DATE_TIME)


def _parse_bj(s: Any) -> datetime | None:
    if not isinstance(s, str):
        return None
    try:
        return datetime.strptime(s, _DATE_TIME).replace(tzinfo=BEIJING)
    except ValueError:
        return None


def _add_months(d: date, months: int) -> tuple[int, int]:
    m = d.month - 1 + months
    return d.year + m // 12, m % 12 + 1


def first_fire(trigger: Trigger) -> datetime | None:
    """The first time ``trigger`` fires (Beijing time), or None if it never does."""
    if isinstance(trigger, SingleTrigger):
        return trigger.at.astimezone(BEIJING)
    start, end = trigger.start.astimezone(BEIJING), trigger.end.astimezone(BEIJING)
    d = start.date()
    while True:
        at = datetime.combine(d, trigger.time, BEIJING)
        if at > end:
            return None
        if at >= start and _matches(trigger, start.date(), d):
            return at
        d += timedelta(days=1)


def _matches(trigger: PeriodicTrigger, start: date, d: date) -> bool:
    if trigger.unit == "day":
        return (d - start).days % trigger.frequency == 0
    if trigger.unit == "week":
        weeks = (d - (start - timedelta(days=start.weekday()))).days // 7
        return _WEEKDAYS[d.weekday()] in {p.upper() for p in trigger.points} and weeks % trigger.frequency == 0
    months = (d.year - start.year) * 12 + d.month - start.month
    return f"{d.day:02d}" in trigger.points and months % trigger.frequency == 0


def check_trigger(trigger: Trigger, *, now: datetime) -> None:
    """A trigger JPush accepts: in the future, at most a year ahead, a valid period (§2.6).

    Raises:
        InvalidInput: A time in the past, more than a year ahead, bad points/frequency, or never firing.
    """
    limit = now + timedelta(days=365)
    if isinstance(trigger, SingleTrigger):
        if trigger.at.tzinfo is None:
            raise InvalidInput("trigger", "times need a time zone")
        if trigger.at <= now:
            raise InvalidInput("trigger", f"{_bj(trigger.at)} (Beijing time) is in the past")
        if trigger.at > limit:
            raise InvalidInput("trigger", "can be at most one year ahead")
        return
    if trigger.start.tzinfo is None or trigger.end.tzinfo is None:
        raise InvalidInput("trigger", "times need a time zone")
    if trigger.end <= now:
        raise InvalidInput("trigger", f"ends {_bj(trigger.end)} (Beijing time), in the past")
    if trigger.end <= trigger.start:
        raise InvalidInput("trigger", "ends before it starts")
    if trigger.end - trigger.start > timedelta(days=366):
        raise InvalidInput("trigger", "can span at most one year")
    if trigger.unit not in ("day", "week", "month"):
        raise InvalidInput("trigger", f"unknown unit {trigger.unit!r}")
    if isinstance(trigger.frequency, bool) or not 1 <= trigger.frequency <= 100:
        raise InvalidInput("trigger", "frequency must be 1..100")
    if trigger.unit == "day" and trigger.points:
        raise InvalidInput("trigger", "a daily schedule takes no days of the week or month")
    if trigger.unit == "week":
        bad = [p for p in trigger.points if p.upper() not in _WEEKDAYS]
        if not trigger.points or bad:
            raise InvalidInput("trigger", f"a weekly schedule needs weekdays MON..SUN (bad: {bad})")
    if trigger.unit == "month":
        bad = [p for p in trigger.points if not (len(p) == 2 and p.isdigit() and 1 <= int(p) <= 31)]
        if not trigger.points or bad:
            raise InvalidInput("trigger", f"a monthly schedule needs days 01..31 (bad: {bad})")
    first = first_fire(trigger)
    if first is None:
        raise InvalidInput("trigger", "never fires between its start and end")
    if first <= now:
        later = _next_fire_after(trigger, now)
        if later is None:
            raise InvalidInput("trigger", "has no time left to fire before its end")


def _next_fire_after(trigger: PeriodicTrigger, after: datetime) -> datetime | None:
    start, end = trigger.start.astimezone(BEIJING), trigger.end.astimezone(BEIJING)
    d = max(start, after.astimezone(BEIJING)).date()
    while True:
        at = datetime.combine(d, trigger.time, BEIJING)
        if at > end:
            return None
        if at > after and at >= start and _matches(trigger, start.date(), d):
            return at
        d += timedelta(days=1)


def check_schedule_name(name: str) -> None:
    check_text("name", name, required=True)
    if len(name.encode("utf-8")) > SCHEDULE_NAME_BYTES:
        raise InvalidInput("name", f"is longer than {SCHEDULE_NAME_BYTES} bytes")


# --- results -----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PushResult:
    msg_id: str
    sendno: str
    cid: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    schedule_id: str
    name: str
    enabled: bool = True
    trigger: dict[str, Any] = field(default_factory=dict)
    push: dict[str, Any] = field(default_factory=dict)

    @property
    def next_time(self) -> datetime | None:
        """The single trigger's time (Beijing), if it is one."""
        single = self.trigger.get("single") if isinstance(self.trigger, Mapping) else None
        return _parse_bj(single.get("time")) if isinstance(single, Mapping) else None


@dataclass(frozen=True, slots=True)
class SchedulePage:
    total_count: int
    total_pages: int
    page: int
    schedules: list[Schedule]


@dataclass(frozen=True, slots=True, kw_only=True)
class Received:
    """``/v3/received`` (and ``/received/detail`` for the two last fields); None where JPush sends null."""

    msg_id: str
    android_received: int | None = None
    ios_apns_sent: int | None = None
    ios_apns_received: int | None = None
    ios_msg_received: int | None = None
    wp_mpns_sent: int | None = None
    jpush_received: int | None = None
    android_pns_sent: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformStats:
    """One platform in ``/v3/messages``: targets, received, clicks (None where JPush sends null)."""

    target: int | None = None
    sent: int | None = None           # online_push (Android/HarmonyOS) or apns_sent (iOS)
    received: int | None = None
    click: int | None = None
    msg_click: int | None = None


@dataclass(frozen=True, slots=True)
class MessageStats:
    msg_id: str
    platforms: dict[str, PlatformStats]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    registration_id: str
    tags: list[str]
    alias: str | None
    mobile: str | None


@dataclass(frozen=True, slots=True)
class AudienceCount:
    aliases: int
    aliases_with_devices: int
    devices: int          # lower bound: JPush lists at most 10 devices per alias


@dataclass(frozen=True, slots=True)
class PlatformTotals:
    target: int
    received: int
    clicked: int


@dataclass(frozen=True, slots=True)
class CampaignStats:
    """Sums over a campaign's pushes per platform (``clicks_known`` False: no VIP report API)."""

    pushes: int
    platforms: dict[str, PlatformTotals]
    clicks_known: bool

    @property
    def received(self) -> int:
        return sum(p.received for p in self.platforms.values())

    @property
    def clicked(self) -> int:
        return sum(p.clicked for p in self.platforms.values())


def _campaign(totals: Mapping[str, list[int]]) -> dict[str, PlatformTotals]:
    return {p: PlatformTotals(*v) for p, v in totals.items()}


@dataclass(frozen=True, slots=True)
class QuotaInfo:
    """The last ``X-Rate-Limit-*`` headers of one quota group."""

    quota: int | None
    remaining: int | None
    reset_s: float | None
    at: float


# --- helpers -----------------------------------------------------------------------------------------

def basic_auth(app_key: str, master_secret: str) -> str:
    """``Basic base64(appKey:masterSecret)``."""
    token = base64.b64encode(f"{app_key}:{master_secret}".encode()).decode("ascii")
    return f"Basic {token}"


def describe_error(response: httpx.Response) -> ErrorInfo:
    """``{"error": {"code", "message"}}`` (push, schedule, device) or ``{"code", "message"}`` variants."""
    try:
        body = json.loads(response.content) if response.content else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    rid = response.headers.get("x-jpush-request-id") or response.headers.get("x-request-id")
    if isinstance(body, Mapping):
        err = body.get("error")
        if isinstance(err, Mapping):
            code = err.get("code")
            return ErrorInfo(None if code is None else str(code), str(err.get("message") or ""), rid)
        if "code" in body:
            return ErrorInfo(str(body.get("code")), str(body.get("message") or ""), rid)
    return ErrorInfo(None, response.reason_phrase or f"HTTP {response.status_code}", rid)


def _group(path: str) -> str:
    """Quota group of an API path (separate per-minute quotas)."""
    if path.startswith(("/v3/push", "/v3/grouppush")):
        return "push"
    if path.startswith("/v3/schedules"):
        return "schedule"
    if path.startswith(("/v3/devices", "/v3/tags", "/v3/aliases")):
        return "device"
    return "report"


def _int_header(h: httpx.Headers, *names: str) -> int | None:
    for n in names:
        v = h.get(n)
        if v is not None:
            try:
                return int(float(v.strip()))
            except ValueError:
                continue
    return None


def _first_int(d: Mapping[str, Any], *keys: str) -> int | None:
    """The first of ``keys`` with a number (iOS reports ``apns_*`` for notifications, plain keys for messages)."""
    for k in keys:
        v = _opt_int(d.get(k))
        if v is not None:
            return v
    return None


def _opt_int(v: Any) -> int | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


# --- client ------------------------------------------------------------------------------------------

class JPushClient:
    """The JPush REST API v3 (push, validate, cid, schedules, reports, device/tag/alias look-ups).

    Public methods raise only :class:`~console.errors.InvalidInput` (refused before sending) and
    :class:`~console.errors.ProviderError` subclasses: ``ProviderAuthError`` (1004/3001/8101/7004),
    :class:`NoTarget` (1011), :class:`TryLater` (1012, retryable), ``ProviderRejected`` (other codes, with
    ``code`` the JPush code as text), ``RateLimited`` (429 after the retries), ``ProviderUnavailable``
    (5xx/1000/1030, timeouts, network, malformed JSON, after the retries).

    Args:
        app_key: The AppKey (also the Basic-auth user name).
        master_secret: The Master Secret from the keyring.
        api: Client for the Push and Schedule API (``https://api.jpush.cn``).
        report: Client for the Report API (default: ``api``).
        device: Client for the Device API (default: ``api``).
        policy: Transport policy (retries, backoff, gate); the default retries 3 times and waits up to
            65 s for a quota window to reset.
        quotas: Calls per minute per group given to the rate gate (``push``, ``schedule``, ``report``,
            ``device``); the free tier's figures by default.
        clock: Wall clock (Unix seconds) for schedule checks.
    """

    DEFAULT_QUOTAS: Mapping[str, int] = {"push": 600, "schedule": 100, "report": 2400, "device": 600}

    def __init__(self, *, app_key: str, master_secret: Secret, api: httpx.AsyncClient,
                 report: httpx.AsyncClient | None = None, device: httpx.AsyncClient | None = None,
                 policy: HttpTransportPolicy | None = None, quotas: Mapping[str, int] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if not app_key:
            raise ValueError("app_key is required")
        self.app_key = app_key
        self._secret = master_secret
        self._api = api
        self._report = report or api
        self._device = device or api
        self._policy = policy or HttpTransportPolicy(gate=RateGate(), max_retry_after_s=65.0)
        if self._policy.gate is None:
            self._policy.gate = RateGate()
        self._gate: RateGate = self._policy.gate
        self._clock = clock
        self._quotas = {**self.DEFAULT_QUOTAS, **dict(quotas or {})}
        self._keys: dict[str, str] = {}
        self.quota: dict[str, QuotaInfo] = {}
        for group, client in (("push", self._api), ("schedule", self._api), ("report", self._report),
                              ("device", self._device)):
            host = client.base_url.netloc.decode("ascii", "replace")
            key = self._keys[group] = f"{host} {group}"
            per_min = self._quotas[group]
            self._gate.configure(key, rate_per_s=per_min / 60.0, burst=float(max(1, per_min)))
        for c in {id(x): x for x in (self._api, self._report, self._device)}.values():
            hooks = c.event_hooks.get("response", [])
            if self._on_response not in hooks:
                c.event_hooks["response"] = [*hooks, self._on_response]

    @property
    def base_url(self) -> str:
        """The push API's base URL (the sandbox's emulator listens on 127.0.0.1)."""
        return str(self._api.base_url)

    @classmethod
    def create(cls, *, app_key: str, master_secret: Secret, api_url: str = DEFAULT_API_URL,
               report_url: str | None = DEFAULT_REPORT_URL, device_url: str | None = DEFAULT_DEVICE_URL,
               timeout: float = 10.0, policy: HttpTransportPolicy | None = None,
               quotas: Mapping[str, int] | None = None, clock: Callable[[], float] = time.time) -> JPushClient:
        """A client with its own ``httpx`` clients (one per distinct base URL); close it with :meth:`aclose`."""
        clients: dict[str, httpx.AsyncClient] = {}

        def get(url: str | None) -> httpx.AsyncClient:
            u = (url or api_url).rstrip("/")
            if u not in clients:
                clients[u] = make_client(u, timeout=timeout, headers={"Accept": "application/json"})
            return clients[u]

        return cls(app_key=app_key, master_secret=master_secret, api=get(api_url), report=get(report_url),
                   device=get(device_url), policy=policy, quotas=quotas, clock=clock)

    # --- transport -------------------------------------------------------------------------------

    async def _on_response(self, response: httpx.Response) -> None:
        """Reads the quota headers; an exhausted window closes the gate, a 429 gets a ``Retry-After``."""
        group = _group(response.request.url.path)
        h = response.headers
        quota = _int_header(h, "x-rate-limit-quota", "x-rate-limit-limit")
        remaining = _int_header(h, "x-rate-limit-remaining")
        reset = _int_header(h, "x-rate-limit-reset")
        if quota is None and remaining is None and reset is None:
            return
        self.quota[group] = QuotaInfo(quota, remaining, None if reset is None else float(reset), self._clock())
        key = self._keys.get(group)
        if key is not None and quota is not None and quota > 0 and quota != self._quotas.get(group):
            self._quotas[group] = quota                 # the account's real quota (VIP, or a changed plan)
            self._gate.configure(key, rate_per_s=quota / 60.0, burst=float(quota))
        if reset is not None and key is not None and (response.status_code == 429 or remaining == 0):
            self._gate.block(key, float(max(reset, 1)))
        if response.status_code == 429 and reset is not None and "retry-after" not in h:
            response.headers["Retry-After"] = str(max(reset, 1))

    def _auth(self) -> dict[str, str]:
        return {"Authorization": basic_auth(self.app_key, self._secret.reveal())}

    async def _call(self, client: httpx.AsyncClient, method: str, path: str, *, group: str,
                    idempotent: bool, params: Mapping[str, str] | None = None, body: Any = None,
                    empty_ok: bool = False) -> Any:
        content = None
        headers = self._auth()
        if body is not None:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"

        def build() -> httpx.Request:
            return client.build_request(method, path, params=params, content=content, headers=headers)

        reply = await self._policy.send(client, build, provider=PROVIDER, idempotent=idempotent,
                                        expect_json=not empty_ok, describe_error=describe_error,
                                        gate_key=self._keys[group])
        status = reply.status
        if status >= 400:
            info = describe_error(reply.response)
            self._raise(path, status, info)
        if empty_ok:
            if not reply.response.content:
                return None
            try:
                return json.loads(reply.response.content)
            except (UnicodeDecodeError, json.JSONDecodeError):
                return None
        return reply.data

    def _raise(self, path: str, status: int, info: ErrorInfo) -> None:
        code = _opt_int(info.code)
        msg = f"{path}: {info.message or 'refused'}"
        kw: dict[str, Any] = {"code": info.code, "http_status": status, "request_id": info.request_id}
        if status == 401 or code in _AUTH_CODES:
            raise ProviderAuthError(PROVIDER, msg, **kw)
        if code == _NO_TARGET:
            raise NoTarget(PROVIDER, msg, **kw)
        if code in _RETRY_LATER:
            raise TryLater(PROVIDER, msg, **kw)
        raise ProviderRejected(PROVIDER, msg, **kw)

    # --- push ------------------------------------------------------------------------------------

    async def cids(self, count: int = 1, *, kind: Literal["push", "schedule"] = "push") -> list[str]:
        """``GET /v3/push/cid``: ``count`` (1..1000) fresh cids; non-VIP apps get at most 10 per call, so
        this asks as often as needed. Idempotent (unused cids cost nothing)."""
        if not 1 <= count <= CID_LIMIT:
            raise InvalidInput("count", f"must be 1..{CID_LIMIT}")
        out: list[str] = []
        while len(out) < count:
            data = await self._call(self._api, "GET", "/v3/push/cid", group="push", idempotent=True,
                                    params={"count": str(count - len(out)), "type": kind})
            got = data.get("cidlist") if isinstance(data, Mapping) else None
            if not isinstance(got, list) or not got or not all(isinstance(c, str) and c for c in got):
                raise ProviderUnavailable(PROVIDER, "/v3/push/cid: no cidlist in the answer", code="malformed_response")
            out.extend(got)
        return out[:count]

    async def cid(self) -> str:
        """One fresh cid (store it with the push intent before the first attempt)."""
        return (await self.cids(1))[0]

    def _body(self, payload: PushPayload | Mapping[str, Any], cid: str | None) -> dict[str, Any]:
        if isinstance(payload, PushPayload):
            check_payload(payload)
            return payload.to_body(cid)
        body = dict(payload)
        opts = body.get("options")
        if not isinstance(opts, Mapping) or not isinstance(opts.get("apns_production"), bool):
            raise InvalidInput("apns_production", "must be set explicitly in options")
        if cid is not None:
            body["cid"] = cid
        else:
            body.pop("cid", None)
        _check_sizes(payload_sizes(body))
        return body

    async def push(self, payload: PushPayload | Mapping[str, Any], *, cid: str) -> PushResult:
        """``POST /v3/push`` with ``cid``; retried on timeouts, 5xx, 429 and lost answers with that same cid
        (JPush then answers the original ``msg_id`` and pushes nothing again).

        Args:
            payload: A :class:`PushPayload` (checked by :func:`check_payload` first) or a wire body as
                stored in an outbox row (must carry ``options.apns_production``).
            cid: From :meth:`cid`, stored before the first attempt.

        Raises:
            InvalidInput: The payload is refused before sending, or no cid.
            ProviderError: As described on the class.
        """
        if not cid or not isinstance(cid, str):
            raise InvalidInput("cid", "a push needs a cid from JPushClient.cid(), stored before the first attempt")
        body = self._body(payload, cid)
        data = await self._call(self._api, "POST", "/v3/push", group="push", idempotent=True, body=body)
        return self._result(data, cid, "/v3/push")

    async def validate(self, payload: PushPayload | Mapping[str, Any]) -> PushResult:
        """``POST /v3/push/validate``: the same checks as a push, nothing delivered (no cid needed)."""
        body = self._body(payload, None)
        data = await self._call(self._api, "POST", "/v3/push/validate", group="push", idempotent=True, body=body)
        return self._result(data, None, "/v3/push/validate")

    @staticmethod
    def _result(data: Any, cid: str | None, path: str) -> PushResult:
        if not isinstance(data, Mapping) or data.get("msg_id") in (None, ""):
            raise ProviderUnavailable(PROVIDER, f"{path}: no msg_id in the answer", code="malformed_response")
        return PushResult(msg_id=str(data["msg_id"]), sendno=str(data.get("sendno", "0")), cid=cid)

    # --- schedules -------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _schedule_push(self, payload: PushPayload | Mapping[str, Any]) -> dict[str, Any]:
        body = self._body(payload, None)
        body.pop("cid", None)
        return body

    async def create_schedule(self, name: str, trigger: Trigger, payload: PushPayload | Mapping[str, Any]) -> Schedule:
        """``POST /v3/schedules`` (created enabled, as JPush requires). Sent once (not idempotent): after an
        unknown outcome look for it with :meth:`find_schedule` before creating it again.

        Raises:
            InvalidInput: Bad name, a trigger in the past or otherwise refused, or a bad payload.
            ProviderError: As described on the class.
        """
        check_schedule_name(name)
        check_trigger(trigger, now=self._now())
        trig, push = trigger.to_json(), self._schedule_push(payload)
        body = {"name": name, "enabled": True, "trigger": trig, "push": push}
        data = await self._call(self._api, "POST", "/v3/schedules", group="schedule", idempotent=False, body=body)
        if not isinstance(data, Mapping) or not data.get("schedule_id"):
            raise ProviderUnavailable(PROVIDER, "/v3/schedules: no schedule_id in the answer",
                                      code="malformed_response")
        return Schedule(schedule_id=str(data["schedule_id"]), name=str(data.get("name", name)), enabled=True,
                        trigger=trig, push=push)

    async def schedules(self, page: int = 1) -> SchedulePage:
        """``GET /v3/schedules?page=N`` (50 per page)."""
        if page < 1:
            raise InvalidInput("page", "starts at 1")
        data = await self._call(self._api, "GET", "/v3/schedules", group="schedule", idempotent=True,
                                params={"page": str(page)})
        if not isinstance(data, Mapping):
            raise ProviderUnavailable(PROVIDER, "/v3/schedules: not an object", code="malformed_response")
        items = data.get("schedules") or []
        return SchedulePage(total_count=_opt_int(data.get("total_count")) or 0,
                            total_pages=_opt_int(data.get("total_pages")) or 0,
                            page=_opt_int(data.get("page")) or page,
                            schedules=[_schedule(x) for x in items if isinstance(x, Mapping)])

    async def all_schedules(self) -> list[Schedule]:
        """Every page of :meth:`schedules`."""
        first = await self.schedules(1)
        out = list(first.schedules)
        for p in range(2, first.total_pages + 1):
            out.extend((await self.schedules(p)).schedules)
        return out

    async def find_schedule(self, name: str) -> Schedule | None:
        """The schedule named ``name`` (the check after a create whose answer was lost)."""
        return next((s for s in await self.all_schedules() if s.name == name), None)

    async def schedule(self, schedule_id: str) -> Schedule:
        """``GET /v3/schedules/{id}`` (8104 → ``ProviderRejected`` with code ``"8104"``)."""
        data = await self._call(self._api, "GET", f"/v3/schedules/{_seg(schedule_id)}", group="schedule",
                                idempotent=True)
        if not isinstance(data, Mapping):
            raise ProviderUnavailable(PROVIDER, "/v3/schedules: not an object", code="malformed_response")
        return _schedule(data)

    async def update_schedule(self, schedule_id: str, *, name: str | None = None, enabled: bool | None = None,
                              trigger: Trigger | None = None,
                              payload: PushPayload | Mapping[str, Any] | None = None) -> Schedule:
        """``PUT /v3/schedules/{id}`` with the given fields (a trigger is sent whole). Idempotent."""
        body: dict[str, Any] = {}
        if name is not None:
            check_schedule_name(name)
            body["name"] = name
        if enabled is not None:
            body["enabled"] = bool(enabled)
        if trigger is not None:
            check_trigger(trigger, now=self._now())
            body["trigger"] = trigger.to_json()
        if payload is not None:
            body["push"] = self._schedule_push(payload)
        if not body:
            raise InvalidInput("schedule", "nothing to change")
        data = await self._call(self._api, "PUT", f"/v3/schedules/{_seg(schedule_id)}", group="schedule",
                                idempotent=True, body=body)
        if isinstance(data, Mapping) and data.get("schedule_id"):
            return _schedule(data)
        return await self.schedule(schedule_id)

    async def delete_schedule(self, schedule_id: str, *, missing_ok: bool = True) -> bool:
        """``DELETE /v3/schedules/{id}``; True if deleted now, False if it was already gone (8104) and
        ``missing_ok`` (a retried delete whose first answer was lost)."""
        try:
            await self._call(self._api, "DELETE", f"/v3/schedules/{_seg(schedule_id)}", group="schedule",
                             idempotent=True, empty_ok=True)
        except ProviderRejected as e:
            if missing_ok and e.code == "8104":
                return False
            raise
        return True

    async def schedule_msg_ids(self, schedule_id: str) -> list[str]:
        """``GET /v3/schedules/{id}/msg_ids``: the pushes a schedule has made so far."""
        data = await self._call(self._api, "GET", f"/v3/schedules/{_seg(schedule_id)}/msg_ids", group="schedule",
                                idempotent=True)
        ids = data.get("msgids", data.get("msg_ids")) if isinstance(data, Mapping) else data
        out: list[str] = []
        for x in ids or []:
            if isinstance(x, Mapping):
                if x.get("msg_id") is not None:
                    out.append(str(x["msg_id"]))
            elif x is not None:
                out.append(str(x))
        return out

    # --- reports ---------------------------------------------------------------------------------

    @staticmethod
    def _chunks(msg_ids: Iterable[str], limit: int) -> list[str]:
        """``msg_ids`` checked and joined in comma-separated chunks of at most ``limit``."""
        ids = list(dict.fromkeys(str(m) for m in msg_ids))
        if not ids:
            raise InvalidInput("msg_ids", "at least one msg_id")
        for m in ids:
            if not m.isdigit():
                raise InvalidInput("msg_ids", f"{m!r} is not a msg_id")
        return [",".join(ids[i:i + limit]) for i in range(0, len(ids), limit)]

    async def _report_rows(self, path: str, msg_ids: Iterable[str]) -> list[Mapping[str, Any]]:
        out: list[Mapping[str, Any]] = []
        for chunk in self._chunks(msg_ids, REPORT_IDS_LIMIT):
            data = await self._call(self._report, "GET", path, group="report", idempotent=True,
                                    params={"msg_ids": chunk})
            out.extend(x for x in data or [] if isinstance(x, Mapping))
        return out

    async def received(self, msg_ids: Sequence[str]) -> list[Received]:
        """``GET /v3/received?msg_ids=``: received counts per platform (100 ids per call; more are batched)."""
        return [_received(x) for x in await self._report_rows("/v3/received", msg_ids)]

    async def received_detail(self, msg_ids: Sequence[str]) -> list[Received]:
        """``GET /v3/received/detail`` (adds ``jpush_received``, ``android_pns_sent``; batched like :meth:`received`)."""
        return [_received(x) for x in await self._report_rows("/v3/received/detail", msg_ids)]

    async def message_status(self, msg_id: str, registration_ids: Sequence[str],
                             day: date | None = None) -> dict[str, int]:
        """``POST /v3/status/message``: regid → 0 delivered, 1 not yet, 2 not in app, 3 not a target, 4 error
        (1000 registration ids per call; more are batched)."""
        self._chunks([msg_id], 1)
        regids = list(dict.fromkeys(registration_ids))
        if not regids:
            raise InvalidInput("registration_ids", "at least one registration id")
        out: dict[str, int] = {}
        for i in range(0, len(regids), STATUS_IDS_LIMIT):
            body: dict[str, Any] = {"msg_id": int(msg_id), "registration_ids": regids[i:i + STATUS_IDS_LIMIT]}
            if day is not None:
                body["date"] = day.isoformat()
            data = await self._call(self._report, "POST", "/v3/status/message", group="report", idempotent=True,
                                    body=body)
            for k, v in (data or {}).items():
                code = _opt_int(v.get("status") if isinstance(v, Mapping) else v)
                if code is not None:
                    out[str(k)] = code
        return out

    async def messages(self, msg_ids: Sequence[str]) -> list[MessageStats]:
        """``GET /v3/messages?msg_ids=`` (VIP; 2006 otherwise): targets, received and clicks per platform."""
        out = []
        for x in await self._report_rows("/v3/messages", msg_ids):
            plats: dict[str, PlatformStats] = {}
            for p in ("android", "ios", "hmos", "winphone"):
                s = x.get(p)
                if isinstance(s, Mapping):
                    plats[p] = PlatformStats(
                        target=_first_int(s, "apns_target", "target"),
                        sent=_first_int(s, "apns_sent", "online_push"),
                        received=_first_int(s, "apns_received", "received"),
                        click=_opt_int(s.get("click")), msg_click=_opt_int(s.get("msg_click")))
            out.append(MessageStats(str(x.get("msg_id")), plats))
        return out

    async def campaign_stats(self, msg_ids: Sequence[str]) -> CampaignStats:
        """Received and clicked per platform summed over a campaign's pushes, for charts.

        Uses ``/v3/messages`` (with clicks); an app without the VIP report API (2006/2007/2003) gets the
        counts of ``/v3/received`` and ``clicks_known=False``.
        """
        totals: dict[str, list[int]] = {p: [0, 0, 0] for p in PLATFORMS}      # target, received, click
        try:
            rows = await self.messages(msg_ids)
        except ProviderRejected as e:
            if e.code not in ("2003", "2006", "2007"):
                raise
            received = await self.received(msg_ids)
            for r in received:
                totals["android"][1] += r.android_received or 0
                totals["ios"][1] += (r.ios_apns_received or 0) + (r.ios_msg_received or 0)
                totals["ios"][0] += r.ios_apns_sent or 0
            return CampaignStats(len(received), _campaign(totals), clicks_known=False)
        for m in rows:
            for p in PLATFORMS:
                s = m.platforms.get(p)
                if s is not None:
                    totals[p][0] += s.target or 0
                    totals[p][1] += s.received or 0
                    totals[p][2] += s.click or 0
        return CampaignStats(len(rows), _campaign(totals), clicks_known=True)

    # --- device / tag / alias -------------------------------------------------------------------------

    async def device(self, registration_id: str) -> DeviceInfo:
        """``GET /v3/devices/{registration_id}``: tags, alias, mobile."""
        if not _REGID.match(registration_id or ""):
            raise InvalidInput("registration_id", f"{registration_id!r} is not a registration id")
        data = await self._call(self._device, "GET", f"/v3/devices/{registration_id}", group="device",
                                idempotent=True)
        data = data if isinstance(data, Mapping) else {}
        tags = data.get("tags") or []
        return DeviceInfo(registration_id, [str(t) for t in tags], data.get("alias") or None,
                          data.get("mobile") or None)

    async def alias_devices(self, alias: str, platforms: Sequence[Platform] | None = None) -> list[str]:
        """``GET /v3/aliases/{alias}``: its registration ids (JPush lists at most 10)."""
        check_name("alias", alias)
        params = {"platform": ",".join(platforms)} if platforms else None
        data = await self._call(self._device, "GET", f"/v3/aliases/{_seg(alias)}", group="device", idempotent=True,
                                params=params)
        ids = data.get("registration_ids") if isinstance(data, Mapping) else None
        return [str(x) for x in ids or []]

    async def tags(self) -> list[str]:
        """``GET /v3/tags/``: every tag of the app."""
        data = await self._call(self._device, "GET", "/v3/tags/", group="device", idempotent=True)
        tags = data.get("tags") if isinstance(data, Mapping) else None
        return [str(x) for x in tags or []]

    async def tag_has_device(self, tag: str, registration_id: str) -> bool:
        """``GET /v3/tags/{tag}/registration_ids/{registration_id}``."""
        check_name("tag", tag)
        if not _REGID.match(registration_id or ""):
            raise InvalidInput("registration_id", f"{registration_id!r} is not a registration id")
        data = await self._call(self._device, "GET", f"/v3/tags/{_seg(tag)}/registration_ids/{registration_id}",
                                group="device", idempotent=True)
        return bool(isinstance(data, Mapping) and data.get("result"))

    async def count_alias_devices(self, aliases: Sequence[str], *, concurrency: int = 8,
                                  platforms: Sequence[Platform] | None = None) -> AudienceCount:
        """How many of ``aliases`` have a device, and how many devices (≤ 10 listed per alias).
        One device-API call per alias (600/min on the free tier): meant for test audiences and samples."""
        uniq = list(dict.fromkeys(aliases))
        for a in uniq:
            check_name("alias", a)
        sem = asyncio.Semaphore(max(1, concurrency))

        async def one(a: str) -> int:
            async with sem:
                return len(await self.alias_devices(a, platforms))

        results = await asyncio.gather(*(one(a) for a in uniq), return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):
                raise r
        counts = [r for r in results if isinstance(r, int)]
        return AudienceCount(len(uniq), sum(1 for c in counts if c), sum(counts))

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        seen: set[int] = set()
        for c in (self._api, self._report, self._device):
            if id(c) not in seen:
                seen.add(id(c))
                await c.aclose()


def client_from_settings(settings: Any, store: CredentialStore, **kw: Any) -> JPushClient | None:
    """The client the settings describe, or None when ``jpush.url`` is empty (JPush off).

    Settings: ``jpush.url`` (Push and Schedule API), ``jpush.report_url`` and ``jpush.device_url`` (empty or
    absent: JPush's public hosts, or ``jpush.url`` when that is not JPush's), ``jpush.app_key``; the Master
    Secret is ``require(store, "jpush", app_key)``.

    Raises:
        MissingCredentials: No Master Secret in the store for the AppKey.
        InvalidInput: ``jpush.url`` is set and ``jpush.app_key`` is empty.
    """
    def get(key: str) -> str:
        try:
            return str(settings[key] or "").strip()
        except KeyError:
            return ""

    url = get("jpush.url")
    if not url:
        return None
    app_key = get("jpush.app_key")
    if not app_key:
        raise InvalidInput("jpush.app_key", "is required when jpush.url is set")
    public = url.rstrip("/") == DEFAULT_API_URL
    report = get("jpush.report_url") or (DEFAULT_REPORT_URL if public else url)
    device = get("jpush.device_url") or (DEFAULT_DEVICE_URL if public else url)
    return JPushClient.create(app_key=app_key, master_secret=require(store, "jpush", app_key), api_url=url,
                              report_url=report, device_url=device, **kw)


def _seg(value: str) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


def _schedule(x: Mapping[str, Any]) -> Schedule:
    trigger, push = x.get("trigger"), x.get("push")
    return Schedule(schedule_id=str(x.get("schedule_id", "")), name=str(x.get("name", "")),
                    enabled=bool(x.get("enabled", True)),
                    trigger=dict(trigger) if isinstance(trigger, Mapping) else {},
                    push=dict(push) if isinstance(push, Mapping) else {})


def _received(x: Mapping[str, Any]) -> Received:
    return Received(msg_id=str(x.get("msg_id")), android_received=_opt_int(x.get("android_received")),
                    ios_apns_sent=_opt_int(x.get("ios_apns_sent")),
                    ios_apns_received=_opt_int(x.get("ios_apns_received")),
                    ios_msg_received=_opt_int(x.get("ios_msg_received")),
                    wp_mpns_sent=_opt_int(x.get("wp_mpns_sent")),
                    jpush_received=_opt_int(x.get("jpush_received")),
                    android_pns_sent=_opt_int(x.get("android_pns_sent")))
