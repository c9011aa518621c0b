"""Plain records and enums shared by services and views.

No Qt, no SQLAlchemy, no httpx here: services turn rows and provider JSON into these,
views display them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NewType

from console.errors import InvalidInput

UserId = NewType("UserId", int)
RoomId = NewType("RoomId", int)
OperatorId = NewType("OperatorId", int)
AuditId = NewType("AuditId", int)


class Role(StrEnum):
    MODERATOR = "moderator"
    OPERATOR = "operator"
    SUPPORT = "support"
    ADMIN = "admin"


class Permission(StrEnum):
    LOOKUP_USERS = "lookup_users"
    REVEAL_PHONE = "reveal_phone"
    ADD_NOTE = "add_note"
    VIEW_AUDIT = "view_audit"
    MANAGE_OPERATORS = "manage_operators"
    CUT_STREAM = "cut_stream"
    MODERATE_CHAT = "moderate_chat"
    SEND_PUSH = "send_push"
    SEND_SMS = "send_sms"
    RESEND_SMS_CODE = "resend_sms_code"


#: Which role may do what. The service layer checks this on every call; views only use it
#: to decide which panes to show.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SUPPORT: frozenset(
        {Permission.LOOKUP_USERS, Permission.REVEAL_PHONE, Permission.ADD_NOTE, Permission.VIEW_AUDIT,
         Permission.RESEND_SMS_CODE}
    ),
    Role.MODERATOR: frozenset(
        {
            Permission.LOOKUP_USERS,
            Permission.ADD_NOTE,
            Permission.VIEW_AUDIT,
            Permission.CUT_STREAM,
            Permission.MODERATE_CHAT,
        }
    ),
    Role.OPERATOR: frozenset({Permission.VIEW_AUDIT, Permission.SEND_PUSH, Permission.SEND_SMS}),
    Role.ADMIN: frozenset(Permission),
}

#: Which permission runs each kind of action in the outbox. On PostgreSQL migration 0005 copies this
#: into ``shihou_action_kinds``, so the database refuses an action its requester's role may not run;
#: ``tests/test_team_roles.py`` checks that every handler the services register is here.
ACTION_PERMISSIONS: dict[str, Permission] = {
    "stream_cut": Permission.CUT_STREAM,
    "stream_resume": Permission.CUT_STREAM,
    **{f"chat_{k}": Permission.MODERATE_CHAT for k in (
        "recall", "gag", "ungag", "block", "unblock", "global_gag", "global_ungag", "app_block", "app_unblock",
        "mute_room", "unmute_room", "whitelist_add", "whitelist_remove", "words_add", "words_delete",
        "system_message", "lockdown", "lockdown_revert")},
    "push_send": Permission.SEND_PUSH,
    "push_schedule": Permission.SEND_PUSH,
    "sms_code_resend": Permission.RESEND_SMS_CODE,
}


class SearchKind(StrEnum):
    AUTO = "auto"
    ID = "id"
    PHONE = "phone"
    NICKNAME = "nickname"


class SanctionKind(StrEnum):
    GAG = "gag"
    BLOCK = "block"
    BAN = "ban"
    CUT = "cut"
    WARN = "warn"


class ActionStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    #: never run: its requester's role may no longer run its kind (audited)
    REFUSED = "refused"


@dataclass(frozen=True, slots=True, kw_only=True)
class Operator:
    id: OperatorId
    username: str
    display_name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


@dataclass(frozen=True, slots=True, kw_only=True)
class UserSummary:
    """One row of a lookup result. ``phone_masked`` is all a list ever shows."""

    id: UserId
    nickname: str
    phone_masked: str
    registered_at: datetime
    matched_past_nickname: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupPage:
    query: str
    kind: SearchKind
    rows: tuple[UserSummary, ...]
    has_more: bool
    offset: int = 0
    elapsed_ms: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Device:
    device_id: str
    platform: str
    model: str
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PastNickname:
    nickname: str
    changed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomBrief:
    id: RoomId
    title: str
    category: str
    stream_name: str
    state: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Sanction:
    id: int
    kind: str
    scope: str
    reason: str
    issued_by: str
    starts_at: datetime
    ends_at: datetime | None
    lifted_by: str | None
    lifted_at: datetime | None

    def active_at(self, now: datetime) -> bool:
        return self.lifted_at is None and (self.ends_at is None or self.ends_at > now)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatLine:
    room_id: RoomId | None
    content: str
    sent_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PushReceipt:
    title: str
    body: str
    sent_at: datetime
    platform: str
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsRecord:
    template: str
    purpose: str
    sent_at: datetime
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportNote:
    id: int
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AltAccount:
    id: UserId
    nickname: str
    shared_device: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserCard:
    """Everything support staff see about one user."""

    id: UserId
    nickname: str
    phone_masked: str
    registered_at: datetime
    channel: str
    status: str
    past_nicknames: tuple[PastNickname, ...] = ()
    devices: tuple[Device, ...] = ()
    alt_accounts: tuple[AltAccount, ...] = ()
    rooms: tuple[RoomBrief, ...] = ()
    sanctions: tuple[Sanction, ...] = ()
    chat: tuple[ChatLine, ...] = ()
    pushes: tuple[PushReceipt, ...] = ()
    sms: tuple[SmsRecord, ...] = ()
    notes: tuple[SupportNote, ...] = ()

    def account_age_days(self, now: datetime) -> int:
        return max(0, (now - self.registered_at).days)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    id: AuditId
    at: datetime
    actor: str
    role: str
    kind: str
    target: str
    reason: str
    before: dict[str, object] | None = None
    after: dict[str, object] | None = None
    evidence: dict[str, object] | None = None
    outcome: str = "ok"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    actor: str | None = None
    target: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Changes:
    """What changed in the shared database, as flags (after Anki's ``OpChanges``)."""

    audit: bool = False
    users: bool = False
    rooms: bool = False
    actions: bool = False
    notes_for: frozenset[UserId] = field(default_factory=frozenset)
    #: Every other topic, as ``(topic, ref)`` pairs (chat, push, sms, approvals...).
    other: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def merge(self, other: Changes) -> Changes:
        return Changes(
            audit=self.audit or other.audit,
            users=self.users or other.users,
            rooms=self.rooms or other.rooms,
            actions=self.actions or other.actions,
            notes_for=self.notes_for | other.notes_for,
            other=self.other | other.other,
        )

    def topic(self, name: str) -> frozenset[str]:
        """The refs published under ``name`` (empty when the topic did not change)."""
        return frozenset(ref for t, ref in self.other if t == name)

    def has(self, name: str) -> bool:
        return any(t == name for t, _ in self.other)

    def __bool__(self) -> bool:
        return self.audit or self.users or self.rooms or self.actions or bool(self.notes_for) or bool(self.other)


def mask_phone(phone: str) -> str:
    """Mask a mobile number as support staff see it: ``13812341234`` -> ``138****1234``."""
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * len(phone)


class AlertKind(StrEnum):
    OFFLINE = "offline"
    BITRATE_DROP = "bitrate_drop"
    FPS_DROP = "fps_drop"
    KEYFRAME = "keyframe_interval"
    VIEWER_SPIKE = "viewer_spike"


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomInfo:
    """A room as the shared database knows it."""

    id: RoomId
    owner_id: UserId
    streamer: str
    title: str
    category: str
    stream_name: str
    state: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRecord:
    """One row of the action outbox."""

    id: int
    key: str
    kind: str
    target: str
    state: ActionStatus
    attempts: int
    last_error: str | None
    requested_by: str
    created_at: datetime
    updated_at: datetime
    payload: dict[str, object] = field(default_factory=dict)
    #: when a retryable failure is tried again (None: now, or not pending); who holds it now (a runner's lease)
    next_try_at: datetime | None = None
    claimed_by: str | None = None


# --- operator names and passwords (both backends; on PostgreSQL a name is a login role's name) ---------

#: Operator names are PostgreSQL role names: lower-case ASCII, at most 63 bytes, none of the reserved ones.
NAME_PATTERN = r"^[a-z][a-z0-9_.-]{0,62}$"
RESERVED_PREFIXES = ("pg_", "shihou_")
RESERVED_NAMES = ("public", "none", "current_user", "session_user", "current_role", "postgres", "all")
MIN_PASSWORD_LEN = 8
MAX_PASSWORD_LEN = 1024
_NAME = re.compile(NAME_PATTERN)


def check_name(name: str) -> str:
    """An operator name that is also a valid PostgreSQL role name, or InvalidInput saying what is wrong."""
    if not name:
        raise InvalidInput("username", "a user name is required")
    if len(name.encode("utf-8")) > 63:
        raise InvalidInput("username", "at most 63 characters")
    if name != name.strip() or any(c.isspace() for c in name):
        raise InvalidInput("username", "no spaces")
    if name.lower() != name:
        raise InvalidInput("username", f"lower-case only (names sign in as typed in lower case: {name.lower()!r})")
    if not _NAME.match(name):
        raise InvalidInput("username", "a letter a–z first, then letters a–z, digits, '.', '_' or '-'")
    if name.startswith(RESERVED_PREFIXES) or name in RESERVED_NAMES:
        raise InvalidInput("username", f"{name!r} is reserved by the database")
    return name


def check_password(password: str) -> str:
    if not password:
        raise InvalidInput("password", "a password is required")
    if len(password) < MIN_PASSWORD_LEN:
        raise InvalidInput("password", f"at least {MIN_PASSWORD_LEN} characters")
    if len(password) > MAX_PASSWORD_LEN:
        raise InvalidInput("password", f"at most {MAX_PASSWORD_LEN} characters")
    if "\x00" in password:
        raise InvalidInput("password", "no NUL character")
    return password
