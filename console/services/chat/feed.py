"""The live chat feed, read from the shared database (no Qt, no provider calls).

Messages arrive in ``chat_messages`` through the platform's message-routing endpoint (one row per
RongCloud ``msgUID``); every committed batch publishes ONE ``chat`` event whose ref is the highest
``chat_messages.id`` of the batch. A console never talks to RongCloud to read chat.

Usage (a pane)::

    chat = ChatService(engine, audit)
    await chat.load_rules()                       # sensitive words, regex rules (again on a "chat_rules" event)
    lines = await chat.latest(room_key="1001")    # the latest window of one room (None: all rooms), oldest first
    cursor = lines[-1].id if lines else await chat.last_id()
    # on every hub event with changes.topic("chat"):
    new = await chat.newer(cursor)                # everything after the cursor, all rooms, oldest first
    cursor = new[-1].id if new else cursor
    rows = collapse(new)                          # ChatLine | FloodGroup ("×312 similar")
    focus = meter.add(len(new), now)              # FocusMeter: above a readable rate -> focus mode

Room keys: RongCloud chatroom ids are strings (``toUserId`` of a routed message); the platform uses
``str(rooms.id)``. ``ChatLine.room_key`` is the chatroom id, ``ChatLine.room_id`` the platform room
when the key is one (``chat_rooms`` maps other keys).

Text: ``ChatLine.text`` is the message text exactly as sent (data: evidence, recall, export);
``ChatLine.display`` is :func:`display_text` of it (zero-width and bidi controls made visible, other
control characters shown as escapes, no markup ever interpreted: show it with Qt.PlainText).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from console.domain import RoomId, UserId

__all__ = [
    "ChatFlag",
    "ChatLine",
    "ChatRoomInfo",
    "ChatSanction",
    "ChatService",
    "FlagKind",
    "FloodGroup",
    "FocusMeter",
    "LadderStep",
    "LockdownPreset",
    "RegexRule",
    "SensitiveWord",
    "collapse",
    "display_text",
    "flood_key",
    "parse_words_csv",
    "words_to_csv",
]


class FlagKind(StrEnum):
    """Why a line is flagged (the reason shown on the line)."""

    WORD = "word"                #: a sensitive word of the list (block or replace)
    REGEX = "regex"              #: a regex rule matched
    LINK = "link"                #: a URL, domain, QQ/WeChat contact pattern
    NEW_ACCOUNT = "new_account"  #: first message(s) of an account registered recently
    REPEAT = "repeat"            #: the same sender repeats the same text
    PROVIDER = "provider"        #: RongCloud's sensitiveType != 0 (it replaced words in it)


@dataclass(frozen=True, slots=True)
class ChatFlag:
    kind: FlagKind
    #: What matched: the word, the rule's name, the link, "注册 3 小时", "×4 重复".
    detail: str

    def label(self) -> str:
        """Short text for the line, e.g. ``word:加微信``."""
        return f"{self.kind.value}:{self.detail}" if self.detail else self.kind.value


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatLine:
    """One chat message as the feed shows it."""

    id: int                      #: chat_messages.id, increasing in commit order (the feed's cursor)
    msg_uid: str                 #: RongCloud msgUID (recall needs it)
    room_key: str                #: chatroom id (toUserId)
    room_id: RoomId | None       #: the platform room, when known
    sender: str                  #: fromUserId as RongCloud knows it
    user_id: UserId | None       #: the platform user (opens the user card), when sender is one
    object_name: str             #: RC:TxtMsg, ...
    text: str                    #: the text as sent (plain data)
    display: str                 #: display_text(text): safe to show as plain text
    sent_ms: int                 #: msgTimestamp in ms (recall's sentTime)
    sent_at: datetime            #: the same, as an aware UTC datetime
    flags: tuple[ChatFlag, ...] = ()
    first_time: bool = False     #: the sender's first message in the database
    new_account: bool = False    #: sender registered less than ChatService.new_account_age ago
    flood: str = ""              #: flood_key(text): near-duplicates share it

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def reason(self) -> str:
        """All flags as one short string for the line (empty when not flagged)."""
        return " ".join(f.label() for f in self.flags)

    @property
    def focus(self) -> bool:
        """Shown in focus mode: flagged, first-time or low-trust (new account)."""
        return bool(self.flags) or self.first_time or self.new_account


@dataclass(frozen=True, slots=True, kw_only=True)
class FloodGroup:
    """Near-duplicate lines collapsed into one row: ``×count similar`` with one action for all senders."""

    key: str                     #: the shared flood_key
    room_key: str | None         #: the room when all lines are from one room, else None
    first: ChatLine              #: the first line of the group (shown as the sample)
    last: ChatLine               #: the newest line
    count: int
    senders: frozenset[str]
    lines: tuple[ChatLine, ...] = ()   #: the member lines (recall needs every msgUID); bounded

    @property
    def id(self) -> int:
        return self.last.id

    @property
    def flagged(self) -> bool:
        return any(line.flags for line in self.lines) or self.first.flagged


@dataclass(frozen=True, slots=True, kw_only=True)
class SensitiveWord:
    word: str
    replace: str | None = None   #: None: the message is blocked; else the word is replaced with this
    session_only: bool = False   #: added by a lockdown; removed when it reverts
    expires_at: datetime | None = None
    created_by: str = ""
    created_at: datetime | None = None

    @property
    def kind(self) -> str:
        return "block" if self.replace is None else "replace"


@dataclass(frozen=True, slots=True, kw_only=True)
class RegexRule:
    id: int
    name: str
    pattern: str
    enabled: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class LadderStep:
    """One rung of a room's punishment ladder (number keys 1..n in the pane)."""

    key: int                     #: 1-based number key
    label: str                   #: "撤回", "禁言10分钟", ...
    action: str                  #: "recall" | "gag" | "gag_session" | "block"
    minutes: int | None = None   #: gag/block duration (None for recall and session gags)


DEFAULT_LADDER: tuple[LadderStep, ...] = (
    LadderStep(key=1, label="撤回", action="recall"),
    LadderStep(key=2, label="禁言10分钟", action="gag", minutes=10),
    LadderStep(key=3, label="禁言1小时", action="gag", minutes=60),
    LadderStep(key=4, label="本场禁言", action="gag_session"),
    LadderStep(key=5, label="封禁", action="block", minutes=43200),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LockdownPreset:
    id: int
    name: str
    mute_rooms: bool = True              #: mute the rooms (the whitelist may still speak)
    gag_new_accounts: bool = False       #: gag senders registered less than new_account_hours ago
    new_account_hours: int = 24
    words: tuple[str, ...] = ()          #: session-only block words added while it is active
    revert_after_minutes: int | None = 30  #: when it reverts by itself (None: manual)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatSanction:
    """A gag or block from the sanctions table, with its expiry (the lists in the pane)."""

    id: int
    user_id: str
    kind: str                    #: gag | block | ban (app-wide block)
    scope: str                   #: room | global | app
    room_key: str | None
    reason: str
    issued_by: str
    starts_at: datetime
    ends_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatRoomInfo:
    room_key: str
    room_id: RoomId | None
    title: str
    muted: bool = False
    whitelist: tuple[str, ...] = ()
    ladder: tuple[LadderStep, ...] = DEFAULT_LADDER
    session_started_at: datetime | None = None


# --- pure functions --------------------------------------------------------------------------

def display_text(text: str, *, limit: int | None = 2000) -> str:
    """The text made safe to show as plain text.

    Zero-width characters (U+200B..U+200D, U+2060, U+FEFF) and bidi controls (U+200E/F,
    U+202A..U+202E, U+2066..U+2069, U+061C) become visible markers like ``⟨ZWSP⟩``/``⟨RLO⟩``;
    other C0/C1 controls become ``\\xNN``; newlines and tabs become ``⏎``/``⇥`` so a line stays a
    line. HTML stays literal. ``limit`` truncates with ``…(+N)`` (a 128 KB message must not be laid out
    whole); None keeps everything.
    """
    raise NotImplementedError


def flood_key(text: str) -> str:
    """Normalised text for near-duplicate detection (case, width, spaces, punctuation,
    repeated characters and digit runs folded), e.g. ``加V领福利 123`` ~ ``加v领福利 98765``."""
    raise NotImplementedError


def collapse(lines: Sequence[ChatLine], *, min_count: int = 3,
             groups: dict[str, FloodGroup] | None = None) -> list[ChatLine | FloodGroup]:
    """Collapse near-duplicates (same :func:`flood_key`, at least ``min_count``) into FloodGroups.

    Order follows the first appearance. ``groups`` (key -> group) carries groups across calls so a
    flood spanning several batches stays one row: pass the same dict each time; a group already in
    it is returned updated (same key, bigger count) and the caller replaces its row.
    """
    raise NotImplementedError


class FocusMeter:
    """Decides focus mode from the message rate, with hysteresis.

    ``add(n, now)`` records n messages at monotonic time ``now`` (seconds) and returns whether the
    feed should be in focus mode: on when the rate over ``window_s`` exceeds ``on_rate`` msg/s, off
    again only below ``off_rate``.
    """

    def __init__(self, *, on_rate: float = 8.0, off_rate: float = 4.0, window_s: float = 3.0) -> None:
        self.on_rate, self.off_rate, self.window_s = on_rate, off_rate, window_s
        self.focus = False

    def add(self, n: int, now: float) -> bool:
        raise NotImplementedError

    def rate(self, now: float) -> float:
        raise NotImplementedError


def words_to_csv(words: Iterable[SensitiveWord]) -> str:
    """CSV with header ``word,replace`` (empty replace = block word)."""
    raise NotImplementedError


def parse_words_csv(text: str) -> list[SensitiveWord]:
    """Parse ``word[,replace]`` lines (header optional); raises InvalidInput naming the bad line."""
    raise NotImplementedError


# --- the service -------------------------------------------------------------------------------

@dataclass
class _Rules:
    words: tuple[SensitiveWord, ...] = ()
    regexes: tuple[RegexRule, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)


class ChatService:
    """Role-checked reads of the chat (Permission.MODERATE_CHAT) and the flagging of lines.

    Every read returns lines oldest first, flagged. Methods raise PermissionDenied (audited) for a
    role without MODERATE_CHAT.
    """

    def __init__(self, engine: object, audit: object, *, new_account_hours: int = 72,
                 repeat_window_s: float = 60.0, repeat_count: int = 3) -> None:
        raise NotImplementedError

    async def load_rules(self) -> None:
        """(Re)build the word matcher and regex rules from the database (on a ``chat_rules`` event)."""
        raise NotImplementedError

    async def last_id(self) -> int:
        """The newest chat_messages.id (0 when empty): the cursor to start a live feed from."""
        raise NotImplementedError

    async def latest(self, room_key: str | None = None, *, limit: int = 200) -> list[ChatLine]:
        """The latest ``limit`` lines of one room (None: of all rooms), oldest first."""
        raise NotImplementedError

    async def newer(self, after_id: int, room_key: str | None = None, *, limit: int = 5000) -> list[ChatLine]:
        """Lines with id > after_id (one room or all), oldest first, at most ``limit`` (call again
        with the last id while a full page comes back)."""
        raise NotImplementedError

    async def flagged(self, *, scan: int = 5000, limit: int = 200) -> list[ChatLine]:
        """The flagged lines among the latest ``scan`` messages of all rooms (the cross-room feed's
        start; afterwards filter :meth:`newer` with ``line.flagged``), oldest first."""
        raise NotImplementedError

    async def user_lines(self, sender: str, *, limit: int = 50) -> list[ChatLine]:
        """A sender's latest lines in all rooms (the evidence of a bulk action), oldest first."""
        raise NotImplementedError

    async def rooms(self) -> list[ChatRoomInfo]:
        """Chat rooms: every platform room plus other keys in chat_rooms, with mute state, whitelist, ladder."""
        raise NotImplementedError

    async def room(self, room_key: str) -> ChatRoomInfo:
        raise NotImplementedError

    async def sanctions(self, room_key: str | None = None, *, active_only: bool = True) -> list[ChatSanction]:
        """Gags and blocks of a room (None: every room and the global/app ones) with their expiry."""
        raise NotImplementedError

    async def words(self) -> list[SensitiveWord]:
        raise NotImplementedError

    async def regex_rules(self) -> list[RegexRule]:
        raise NotImplementedError

    async def presets(self) -> list[LockdownPreset]:
        raise NotImplementedError

    def flag(self, lines: Sequence[ChatLine]) -> list[ChatLine]:
        """Flag lines with the loaded rules (pure CPU; used by the reads)."""
        raise NotImplementedError
