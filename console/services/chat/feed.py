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
    step = floods.feed(new, now)                  # FloodTracker: O(1) a line; step.rows are ChatLine | FloodGroup
    focus = meter.add(len(new), now)              # FocusMeter: above a readable rate -> focus mode
    # (collapse(lines) groups one list at once: tests, one-off views)

Room keys: RongCloud chatroom ids are strings (``toUserId`` of a routed message); the platform uses
``str(rooms.id)``. ``ChatLine.room_key`` is the chatroom id, ``ChatLine.room_id`` the platform room
when the key is one (``chat_rooms`` maps other keys).

Text: ``ChatLine.text`` is the message text exactly as sent (data: evidence, recall, export);
``ChatLine.display`` is :func:`display_text` of it (zero-width and bidi controls made visible, other
control characters shown as escapes, no markup ever interpreted: show it with Qt.PlainText).
"""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import itertools
import logging
import re
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from sys import intern
from typing import Any

import ahocorasick  # type: ignore[import-not-found]
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.db import tables as t
from console.db import tables_chat as tc
from console.domain import Permission, RoomId, UserId
from console.errors import InvalidInput
from console.services.audit import AuditService

log = logging.getLogger(__name__)

__all__ = [
    "ChatFlag",
    "ChatLine",
    "ChatRoomInfo",
    "ChatSanction",
    "ChatService",
    "FlagKind",
    "FloodGroup",
    "FloodStep",
    "FloodTracker",
    "FocusMeter",
    "LadderStep",
    "LockdownPreset",
    "RegexRule",
    "SensitiveWord",
    "collapse",
    "check_word",
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


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class ChatLine:
    """One chat message as the feed shows it.

    Treat it as immutable (use :func:`dataclasses.replace`). It is not ``frozen`` because a frozen
    dataclass builds itself through ``object.__setattr__`` per field: 4.5 µs a line against 1.2, and
    the feed builds 5,000 of them a second.
    """

    id: int                      #: chat_messages.id, increasing in commit order (the feed's cursor)
    msg_uid: str                 #: RongCloud msgUID (recall needs it)
    room_key: str                #: chatroom id (toUserId)
    room_id: RoomId | None       #: the platform room, when known
    sender: str                  #: fromUserId as RongCloud knows it
    user_id: UserId | None       #: the platform user (opens the user card), when sender is one
    object_name: str             #: RC:TxtMsg, ...
    text: str                    #: the text as sent (plain data)
    sent_ms: int                 #: msgTimestamp in ms (recall's sentTime)
    flags: tuple[ChatFlag, ...] = ()
    first_time: bool = False     #: the sender's first message in the database
    new_account: bool = False    #: sender registered less than ChatService.new_account_age ago
    flood: str = ""              #: flood_key(text): near-duplicates share it
    recalled: bool = False       #: recalled through RongCloud (chat_recalls)

    def __reduce__(self) -> tuple[Callable[..., ChatLine], tuple[Any, ...]]:
        """Pickled as one tuple (the chat reader's answers): 2.7 µs a line to load, against 3.8 through
        the generic slots protocol."""
        return _chat_line, (self.id, self.msg_uid, self.room_key, self.room_id, self.sender, self.user_id,
                            self.object_name, self.text, self.sent_ms, self.flags, self.first_time,
                            self.new_account, self.flood, self.recalled)

    @property
    def display(self) -> str:
        """display_text(text): safe to show as plain text (computed when a line is shown)."""
        return display_text(self.text)

    @property
    def sent_at(self) -> datetime:
        """sent_ms as an aware UTC datetime."""
        return datetime.fromtimestamp(self.sent_ms / 1000, UTC)

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


def _chat_line(*values: Any) -> ChatLine:
    line = object.__new__(ChatLine)
    (line.id, line.msg_uid, line.room_key, line.room_id, line.sender, line.user_id, line.object_name, line.text,
     line.sent_ms, line.flags, line.first_time, line.new_account, line.flood, line.recalled) = values
    return line


class Senders(AbstractSet[str]):
    """The first ``n`` senders of a flood, a read-only set over an append-only dict (a FloodGroup's
    snapshot costs O(1) however many people took part)."""

    __slots__ = ("_order", "_n")

    def __init__(self, order: dict[str, int], n: int) -> None:
        self._order, self._n = order, n

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        return itertools.islice(iter(self._order), self._n)

    def __contains__(self, x: object) -> bool:
        return isinstance(x, str) and self._order.get(x, self._n) < self._n

    def __repr__(self) -> str:
        return f"Senders({sorted(self)!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class FloodGroup:
    """Near-duplicate lines collapsed into one row: ``×count similar`` with one action for all senders."""

    key: str                     #: the shared flood_key
    room_key: str | None         #: the room when all lines are from one room, else None
    first: ChatLine              #: the first line of the group (shown as the sample)
    last: ChatLine               #: the newest line
    count: int
    senders: AbstractSet[str]    #: everyone the group counted (a frozenset or a :class:`Senders` view)
    lines: tuple[ChatLine, ...] = ()   #: the newest member lines (at most collapse's max_lines, 100)
    #: 0 for :func:`collapse`; FloodTracker numbers its groups (a flood that lasts longer than its
    #: max_age_s goes on in a new group, a new row)
    serial: int = 0
    #: more people took part than ``senders`` holds (FloodTracker keeps the first max_senders: a bot flood
    #: has a handful, a crowd's "666" wave thousands, and no one gags a crowd with one key)
    more_senders: bool = False

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

_VISIBLE: dict[int, str] = {
    0x200B: "⟨ZWSP⟩", 0x200C: "⟨ZWNJ⟩", 0x200D: "⟨ZWJ⟩", 0x2060: "⟨WJ⟩", 0xFEFF: "⟨BOM⟩", 0x00AD: "⟨SHY⟩",
    0x180E: "⟨MVS⟩", 0x2061: "⟨FA⟩", 0x2062: "⟨IT⟩", 0x2063: "⟨IS⟩", 0x2064: "⟨IP⟩", 0x034F: "⟨CGJ⟩",
    0x200E: "⟨LRM⟩", 0x200F: "⟨RLM⟩", 0x061C: "⟨ALM⟩",
    0x202A: "⟨LRE⟩", 0x202B: "⟨RLE⟩", 0x202C: "⟨PDF⟩", 0x202D: "⟨LRO⟩", 0x202E: "⟨RLO⟩",
    0x2066: "⟨LRI⟩", 0x2067: "⟨RLI⟩", 0x2068: "⟨FSI⟩", 0x2069: "⟨PDI⟩",
    0x2028: "⏎", 0x2029: "⏎", 0x0A: "⏎", 0x0D: "␍", 0x09: "⇥",
}
for _c in (*range(0x20), 0x7F, *range(0x80, 0xA0)):
    _VISIBLE.setdefault(_c, f"\\x{_c:02x}")
_DISPLAY_TABLE = str.maketrans(_VISIBLE)
_NEEDS_TRANSLATE = re.compile("[" + "".join(re.escape(chr(c)) for c in _VISIBLE) + "]")


def display_text(text: str, *, limit: int | None = 2000) -> str:
    """The text made safe to show as plain text.

    Zero-width characters (U+200B..U+200D, U+2060, U+FEFF, soft hyphen, ...) and bidi controls
    (U+200E/F, U+202A..U+202E, U+2066..U+2069, U+061C) become visible markers like ``⟨ZWSP⟩`` /
    ``⟨RLO⟩``; other C0/C1 controls become ``\\xNN``; newlines and tabs become ``⏎``/``⇥`` so a line
    stays a line. HTML stays literal. ``limit`` truncates with ``…(+N)`` (a 128 KB message must not be
    laid out whole); None keeps everything.
    """
    extra = ""
    if limit is not None and len(text) > limit:
        extra = f"…(+{len(text) - limit})"
        text = text[:limit]
    if _NEEDS_TRANSLATE.search(text):
        text = text.translate(_DISPLAY_TABLE)
    return text + extra


_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
_REPEATS = re.compile(r"(.{1,8}?)\1+", re.S)   # "哈哈哈" -> "哈", "刷屏刷屏" -> "刷屏"
_FLOOD_PREFIX = 200


_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_SIZE = 8_000
_CACHED_TEXT = 120   # texts up to this long are remembered (live chat repeats short lines all the time)


def flood_key(text: str) -> str:
    """Normalised text for near-duplicate detection (case, width, spaces, punctuation, symbols,
    repeated characters and phrases, digit runs folded), e.g. ``加V领福利 123`` ~ ``加ｖ领福利！98765``.

    Short texts are remembered (a bounded cache: "666" and "哈哈哈" come back thousands of times)."""
    k = _KEY_CACHE.get(text)
    if k is not None:
        return k
    k = _flood_key(text)
    if len(text) <= _CACHED_TEXT:
        if len(_KEY_CACHE) >= _KEY_CACHE_SIZE:
            _KEY_CACHE.clear()
        _KEY_CACHE[text] = k
    return k


def _flood_key(text: str) -> str:
    t = text[:_FLOOD_PREFIX]
    if not t.isascii():
        t = unicodedata.normalize("NFKC", t)
    t = t.casefold()
    kept = _NON_WORD.sub("", t) or "".join(t.split())
    kept = _DIGITS.sub("#", kept)
    return _REPEATS.sub(r"\1", kept)[:64]


def collapse(lines: Sequence[ChatLine], *, min_count: int = 3,
             groups: dict[str, FloodGroup] | None = None, max_lines: int = 100) -> list[ChatLine | FloodGroup]:
    """Collapse near-duplicates (same :func:`flood_key`, at least ``min_count``) into FloodGroups.

    Order follows the first appearance. ``groups`` (key -> group) carries groups across calls so a
    flood spanning several batches stays one row: pass the same dict each time; a group already in
    it is returned updated (same key, bigger count) and the caller replaces its row. A group keeps
    at most ``max_lines`` member lines (the count and the senders keep counting).
    """
    groups = {} if groups is None else groups
    counts: dict[str, int] = {}
    for line in lines:
        if line.flood:
            counts[line.flood] = counts.get(line.flood, 0) + 1
    out: list[ChatLine | FloodGroup] = []
    members: dict[str, list[ChatLine]] = {}
    slot: dict[str, int] = {}
    for line in lines:
        k = line.flood
        if k and (k in groups or counts[k] >= min_count):
            if k not in members:
                members[k] = []
                slot[k] = len(out)
                out.append(line)  # placeholder, replaced below
            members[k].append(line)
        else:
            out.append(line)
    for k, new in members.items():
        old = groups.get(k)
        senders = set(old.senders) if old else set()
        senders.update(x.sender for x in new)
        kept = (old.lines if old else ()) + tuple(new)
        rooms = {x.room_key for x in kept}
        room: str | None = next(iter(rooms)) if len(rooms) == 1 and (old is None or old.room_key is not None) else None
        g = FloodGroup(key=k, room_key=room, first=old.first if old else new[0], last=new[-1],
                       count=(old.count if old else 0) + len(new), senders=frozenset(senders),
                       lines=kept[-max_lines:])
        groups[k] = g
        out[slot[k]] = g
    return out


class _Flood:
    """A flood group being counted (mutable; :meth:`snapshot` gives the FloodGroup a row shows)."""

    __slots__ = ("count", "first", "key", "last", "lines", "max_senders", "more", "rooms", "senders", "serial",
                 "started", "_snap")

    def __init__(self, key: str, lines: Sequence[ChatLine], max_lines: int, serial: int, now: float,
                 max_senders: int) -> None:
        self.key = key
        self.serial = serial
        self.started = now
        self.first = lines[0]
        self.last = lines[-1]
        self.count = len(lines)
        self.max_senders = max_senders
        self.more = False
        self.senders: dict[str, int] = {}   # append-only: snapshots see a prefix of it
        for x in lines:
            self._sender(x.sender)
        self.rooms = {x.room_key for x in lines}
        self.lines: deque[ChatLine] = deque(lines, maxlen=max_lines)
        self._snap: FloodGroup | None = None

    def _sender(self, sender: str) -> None:
        if sender not in self.senders:
            if len(self.senders) < self.max_senders:
                self.senders[sender] = len(self.senders)
            else:
                self.more = True

    def add(self, line: ChatLine) -> None:
        self.count += 1
        self.last = line
        self._sender(line.sender)
        if len(self.rooms) < 2:
            self.rooms.add(line.room_key)
        self.lines.append(line)
        self._snap = None

    def snapshot(self) -> FloodGroup:
        if self._snap is None:
            self._snap = FloodGroup(key=self.key, room_key=next(iter(self.rooms)) if len(self.rooms) == 1 else None,
                                    first=self.first, last=self.last, count=self.count,
                                    senders=Senders(self.senders, len(self.senders)), lines=tuple(self.lines),
                                    serial=self.serial, more_senders=self.more)
        return self._snap


@dataclass(slots=True)
class FloodStep:
    """What one :meth:`FloodTracker.feed` changed."""

    #: new rows in arrival order: single lines, and each group that formed in this step at the place of
    #: its first line of the step
    rows: list[ChatLine | FloodGroup]
    #: groups formed earlier that grew (the same key: the caller updates or moves their row)
    updated: list[FloodGroup]
    #: single lines of earlier steps that joined a group formed in this step (the caller removes their rows)
    absorbed: list[ChatLine]
    #: lines of this step counted into groups (formed earlier or now)
    grouped: int = 0
    #: the lines of this step that joined each group of ``updated`` (by FloodGroup.serial)
    joined: dict[int, list[ChatLine]] = field(default_factory=dict)


class FloodTracker:
    """Near-duplicate floods of a live feed, counted incrementally: O(1) per line.

    A flood key (:func:`flood_key`) becomes a group once ``min_count`` lines share it within
    ``window_s`` seconds (in one step or across steps); from then on every line of that key joins the
    group (``×count``, its first ``max_senders`` senders, its newest ``max_lines`` lines) for ``max_age_s`` seconds; after
    that the flood goes on in a new group (a new row: one action never reaches a whole evening's
    crowd). At most ``max_groups`` groups and ``max_keys`` pending keys are kept (the least recently
    active go first), so memory stays flat.
    """

    def __init__(self, *, min_count: int = 3, window_s: float = 20.0, max_keys: int = 5000,
                 max_groups: int = 300, max_lines: int = 100, max_age_s: float = 60.0,
                 max_senders: int = 200) -> None:
        self.min_count, self.window_s, self.max_age_s = max(1, min_count), window_s, max_age_s
        self.max_senders = max_senders
        self.max_keys, self.max_groups, self.max_lines = max_keys, max_groups, max_lines
        self._serial = 0
        self._groups: dict[str, _Flood] = {}                          # key -> group (least recent first)
        self._pending: dict[str, tuple[float, list[ChatLine]]] = {}   # key -> (first seen, recent single lines)

    def has_group(self, key: str) -> bool:
        """A line of this flood key would join a group (its row shows a count, not the line)."""
        return bool(key) and key in self._groups

    def group(self, key: str) -> FloodGroup | None:
        g = self._groups.get(key)
        return g.snapshot() if g is not None else None

    def groups(self) -> list[FloodGroup]:
        return [g.snapshot() for g in self._groups.values()]

    def feed(self, lines: Sequence[ChatLine], now: float) -> FloodStep:
        groups, pending, min_count = self._groups, self._pending, self.min_count
        entries: list[ChatLine] = []
        formed: dict[str, _Flood] = {}
        dirty: dict[str, _Flood] = {}
        absorbed: list[ChatLine] = []
        joined: dict[int, list[ChatLine]] = {}
        grouped = 0
        edge = now - self.window_s
        for ln in lines:
            k = ln.flood
            if not k:
                entries.append(ln)
                continue
            g = groups.pop(k, None)
            if g is not None and g.started < now - self.max_age_s and k not in formed:
                g = None        # closed: its row keeps its final count
            if g is not None:
                groups[k] = g   # most recently active last
                g.add(ln)
                grouped += 1
                if k not in formed:
                    dirty[k] = g
                    joined.setdefault(g.serial, []).append(ln)
                continue
            p = pending.pop(k, None)
            if p is None or p[0] < edge:
                pending[k] = (now, [ln])
                entries.append(ln)
                continue
            p[1].append(ln)
            if len(p[1]) < min_count:
                pending[k] = p
                entries.append(ln)
                continue
            members = p[1]
            self._serial += 1
            g = groups[k] = formed[k] = _Flood(k, members, self.max_lines, self._serial, now, self.max_senders)
            grouped += 1
            for x in members[:-1]:
                if x.id < lines[0].id:
                    absorbed.append(x)     # shown in an earlier step
                else:
                    grouped += 1           # a line of this step, counted as a single so far
            entries.append(ln)
        rows: list[ChatLine | FloodGroup] = []
        placed: set[str] = set()
        for ln in entries:
            k = ln.flood
            if k in formed:
                if k not in placed:
                    placed.add(k)
                    rows.append(formed[k].snapshot())
                continue
            rows.append(ln)
        while len(groups) > self.max_groups:
            del groups[next(iter(groups))]
        while pending and (len(pending) > self.max_keys or next(iter(pending.values()))[0] < edge):
            del pending[next(iter(pending))]
        return FloodStep(rows=rows, updated=[g.snapshot() for g in dirty.values()],
                         absorbed=absorbed, grouped=grouped, joined=joined)


class FocusMeter:
    """Decides focus mode from the message rate, with hysteresis.

    ``add(n, now)`` records n messages at monotonic time ``now`` (seconds) and returns whether the
    feed should be in focus mode: on when the rate over ``window_s`` exceeds ``on_rate`` msg/s, off
    again only below ``off_rate``.
    """

    def __init__(self, *, on_rate: float = 8.0, off_rate: float = 4.0, window_s: float = 3.0) -> None:
        self.on_rate, self.off_rate, self.window_s = on_rate, off_rate, window_s
        self.focus = False
        self._marks: deque[tuple[float, int]] = deque()
        self._total = 0

    def add(self, n: int, now: float) -> bool:
        if n:
            self._marks.append((now, n))
            self._total += n
        r = self.rate(now)
        if self.focus and r < self.off_rate:
            self.focus = False
        elif not self.focus and r > self.on_rate:
            self.focus = True
        return self.focus

    def rate(self, now: float) -> float:
        edge = now - self.window_s
        while self._marks and self._marks[0][0] <= edge:
            self._total -= self._marks.popleft()[1]
        return self._total / self.window_s


def words_to_csv(words: Iterable[SensitiveWord]) -> str:
    """CSV with header ``word,replace`` (empty replace = block word)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(("word", "replace"))
    for x in words:
        w.writerow((x.word, x.replace or ""))
    return buf.getvalue()


MAX_WORD = 32


def check_word(word: str, replace: str | None = None, *, where: str = "word") -> SensitiveWord:
    """A sensitive word as RongCloud accepts it (≤ 32 characters, no control characters)."""
    word = word.strip()
    if not word:
        raise InvalidInput(where, "empty word")
    if len(word) > MAX_WORD:
        raise InvalidInput(where, f"{word[:40]!r} is longer than {MAX_WORD} characters")
    if any(unicodedata.category(c)[0] == "C" for c in word):
        raise InvalidInput(where, f"{word!r} contains control characters")
    rep = replace.strip() if replace else None
    if rep is not None and len(rep) > MAX_WORD:
        raise InvalidInput(where, f"replacement of {word!r} is longer than {MAX_WORD} characters")
    return SensitiveWord(word=word, replace=rep or None)


def parse_words_csv(text: str) -> list[SensitiveWord]:
    """Parse ``word[,replace]`` lines (header optional); raises InvalidInput naming the bad line."""
    out: dict[str, SensitiveWord] = {}
    for n, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not row or not any(c.strip() for c in row):
            continue
        if n == 1 and row[0].strip().lower() in ("word", "词", "敏感词"):
            continue
        if len(row) > 2:
            raise InvalidInput("csv", f"line {n}: expected word[,replace], got {len(row)} fields")
        w = check_word(row[0], row[1] if len(row) > 1 else None, where=f"csv line {n}")
        out[w.word] = w
    return list(out.values())


# --- flagging ----------------------------------------------------------------------------------

_LINK = re.compile(
    r"(?:https?://|www\.)[^\s]+"
    r"|[a-z0-9][-a-z0-9]{1,62}\.(?:com|cn|net|org|top|xyz|cc|vip|me|io|info|club|site|shop|app|link|live|tv)\b[^\s]*"
    r"|(?:qq|q群|扣扣|vx|wx|v信|微信|薇信|weixin|wechat)\s*[:：号]?\s*[a-z0-9_-]{5,20}",
    re.I,
)
_REGEX_SCAN = 4096   # regex rules look at the first 4 KB of a message (a 128 KB text must not stall the UI)


class _Matcher:
    """Aho-Corasick over the sensitive-word list (case-folded) plus compiled regex rules."""

    def __init__(self, words: Sequence[SensitiveWord], rules: Sequence[RegexRule]) -> None:
        self.words = tuple(words)
        self.rules = tuple(r for r in rules if r.enabled)
        self._auto: Any = None
        if words:
            auto = ahocorasick.Automaton()
            for w in words:
                auto.add_word(w.word.casefold(), w.word)
            auto.make_automaton()
            self._auto = auto
        self._cache: dict[str, tuple[ChatFlag, ...]] = {}
        self._compiled: list[tuple[str, re.Pattern[str]]] = []
        for r in self.rules:
            try:
                self._compiled.append((r.name, re.compile(r.pattern, re.I)))
            except re.error as e:
                log.warning("chat regex rule %r does not compile: %s", r.name, e)

    def flags(self, text: str, sensitive_type: int) -> list[ChatFlag]:
        """The word, regex, link and provider flags of a text (short texts are remembered per matcher)."""
        if len(text) > _CACHED_TEXT:
            out = self._flags(text)
        else:
            found = self._cache.get(text)
            if found is None:
                if len(self._cache) >= _KEY_CACHE_SIZE:
                    self._cache.clear()
                found = self._cache[text] = tuple(self._flags(text))
            out = list(found)
        if sensitive_type:
            out.append(ChatFlag(FlagKind.PROVIDER, str(sensitive_type)))
        return out

    def _flags(self, text: str) -> list[ChatFlag]:
        out: list[ChatFlag] = []
        if self._auto is not None:
            seen: set[str] = set()
            for _end, word in self._auto.iter(text.casefold()):
                if word not in seen:
                    seen.add(word)
                    out.append(ChatFlag(FlagKind.WORD, word))
        head = text[:_REGEX_SCAN]
        for name, rx in self._compiled:
            if rx.search(head):
                out.append(ChatFlag(FlagKind.REGEX, name))
        m = _LINK.search(head)
        if m:
            out.append(ChatFlag(FlagKind.LINK, m.group(0)[:40]))
        return out


class _Repeats:
    """Per sender: the last flood key, how often in a row, when (bounded, oldest senders forgotten)."""

    def __init__(self, window_s: float, count: int, size: int = 20_000) -> None:
        self.window_ms = int(window_s * 1000)
        self.count = count
        self.size = size
        self.last_id = 0
        self._seen: dict[str, tuple[str, int, int]] = {}

    def see(self, sender: str, key: str, ms: int) -> int:
        """How many times in a row (within the window) this sender sent this key, this one included."""
        seen = self._seen
        prev = seen.pop(sender, None)
        n = prev[1] + 1 if prev is not None and prev[0] == key and ms - prev[2] <= self.window_ms else 1
        seen[sender] = (key, n, ms)   # re-inserted: the dict stays oldest-first
        if len(seen) > self.size:
            del seen[next(iter(seen))]
        return n


# --- the service -------------------------------------------------------------------------------

TEMPGROUP = "TEMPGROUP"   # channelType of chatroom messages
_IN_CHUNK = 200
_CACHE = 50_000   # senders remembered (registration time, first message id); the older half goes past it
#: A page of lines is built in slices of at most this long (seconds), with an event-loop turn between.
SLICE_S = 0.003
_UNKNOWN: Any = object()

DEFAULT_PRESETS: tuple[LockdownPreset, ...] = (
    LockdownPreset(id=0, name="全房静音(白名单可发言)", mute_rooms=True, revert_after_minutes=30),
    LockdownPreset(id=-1, name="新号禁言+临时敏感词", mute_rooms=False, gag_new_accounts=True,
                   new_account_hours=24, words=(), revert_after_minutes=60),
)


def _now() -> datetime:
    return datetime.now(UTC)


class ChatService:
    """Role-checked reads of the chat (Permission.MODERATE_CHAT) and the flagging of lines.

    Every read returns lines oldest first, flagged. Methods raise PermissionDenied (audited) for a
    role without MODERATE_CHAT.
    """

    def __init__(self, engine: AsyncEngine, audit: AuditService, *, new_account_hours: int = 72,
                 repeat_window_s: float = 60.0, repeat_count: int = 3,
                 clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._audit = audit
        self.new_account_age = timedelta(hours=new_account_hours)
        self._clock = clock
        self._repeat_window_s, self._repeat_count = repeat_window_s, repeat_count
        #: the keyword arguments that build the same service elsewhere (the chat reader's child)
        self.options: dict[str, Any] = dict(new_account_hours=new_account_hours, repeat_window_s=repeat_window_s,
                                            repeat_count=repeat_count)
        self._live = _Repeats(repeat_window_s, repeat_count)
        self._matcher = _Matcher((), ())
        self._registered: dict[str, datetime | None] = {}   # sender -> registered_at (None: not a user)
        self._first_id: dict[str, int] = {}                  # sender -> id of its first message
        self._uid: dict[str, UserId | None] = {}             # sender -> platform user id (None: not a user)
        self._room_ids: dict[str, RoomId | None] = {}        # chatroom id -> platform room id

    async def _require(self, target: str = "chat") -> None:
        await self._audit.require(Permission.MODERATE_CHAT, target)

    # --- rules ---

    async def load_rules(self) -> None:
        """(Re)build the word matcher and regex rules from the database (on a ``chat_rules`` event)."""
        await self._require()
        words, rules = await self._read_rules()
        self._matcher = _Matcher(words, rules)

    async def _read_rules(self) -> tuple[list[SensitiveWord], list[RegexRule]]:
        now = self._clock()
        async with self._engine.connect() as conn:
            wrows = (await conn.execute(sa.select(tc.chat_words).where(
                sa.or_(tc.chat_words.c.expires_at.is_(None), tc.chat_words.c.expires_at > now))
                .order_by(tc.chat_words.c.word))).all()
            rrows = (await conn.execute(sa.select(tc.chat_regex_rules).order_by(tc.chat_regex_rules.c.id))).all()
        return ([_word(r) for r in wrows],
                [RegexRule(id=r.id, name=r.name, pattern=r.pattern, enabled=r.enabled) for r in rrows])

    # --- reads ---

    async def last_id(self) -> int:
        """The newest chat_messages.id (0 when empty): the cursor to start a live feed from."""
        await self._require()
        async with self._engine.connect() as conn:
            return int((await conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.chat_messages.c.id), 0))))
                       .scalar_one())

    async def latest(self, room_key: str | None = None, *, limit: int = 200) -> list[ChatLine]:
        """The latest ``limit`` lines of one room (None: of all rooms), oldest first."""
        await self._require(f"chat:{room_key}" if room_key else "chat")
        q = self._select().order_by(t.chat_messages.c.id.desc()).limit(max(1, min(limit, 10_000)))
        if room_key is not None:
            q = q.where(t.chat_messages.c.to_user_id == room_key)
        async with self._engine.connect() as conn:
            rows = list(reversed((await conn.execute(q)).all()))
            return await self._lines(conn, rows, _Repeats(self._repeat_window_s, self._repeat_count))

    async def newer(self, after_id: int, room_key: str | None = None, *, limit: int = 5000) -> list[ChatLine]:
        """Lines with id > after_id (one room or all), oldest first, at most ``limit`` (call again
        with the last id while a full page comes back)."""
        await self._require(f"chat:{room_key}" if room_key else "chat")
        # the live feed's hot path, as driver SQL: no statement to build, no type processing per row
        # (the expression-language form cost ~8 µs a line more at 5,000 lines a second)
        n = max(1, min(limit, 20_000))
        args = (after_id, n) if room_key is None else (after_id, room_key, n)
        async with self._engine.connect() as conn:
            rows = (await conn.exec_driver_sql(_newer_sql(conn.dialect.paramstyle, room_key is not None), args)).all()
            if room_key is None:
                return await self._lines(conn, rows, self._live)
            return await self._lines(conn, rows, _Repeats(self._repeat_window_s, self._repeat_count))

    async def flagged(self, *, scan: int = 5000, limit: int = 200) -> list[ChatLine]:
        """The flagged lines among the latest ``scan`` messages of all rooms (the cross-room feed's
        start; afterwards filter :meth:`newer` with ``line.flagged``), oldest first."""
        lines = await self.latest(None, limit=scan)
        return [x for x in lines if x.flagged][-limit:]

    async def user_lines(self, sender: str, *, limit: int = 50) -> list[ChatLine]:
        """A sender's latest lines in all rooms (the evidence of a bulk action), oldest first."""
        await self._require(f"chat_user:{sender}")
        q = (self._select().where(t.chat_messages.c.from_user_id == sender)
             .order_by(t.chat_messages.c.msg_timestamp.desc()).limit(max(1, min(limit, 1000))))
        async with self._engine.connect() as conn:
            rows = list(reversed((await conn.execute(q)).all()))
            return await self._lines(conn, rows, _Repeats(self._repeat_window_s, self._repeat_count))

    @staticmethod
    def _select() -> sa.Select[Any]:
        c, r = t.chat_messages.c, tc.chat_recalls
        return (sa.select(c.id, c.msg_uid, c.from_user_id, c.to_user_id, c.object_name, c.content, c.msg_timestamp,
                          c.sensitive_type, r.c.recalled_at)
                .select_from(t.chat_messages.outerjoin(r, r.c.msg_uid == c.msg_uid))
                .where(c.channel_type == TEMPGROUP))

    async def _lines(self, conn: AsyncConnection, rows: Sequence[Any], repeats: _Repeats) -> list[ChatLine]:
        """Rows of :meth:`_select` as flagged lines. About 5 µs a line (measured: 2,000-line pages);
        the loop gives the event loop a turn every :data:`SLICE_S` so a page never holds the UI thread
        for one long stretch."""
        if not rows:
            return []
        await self._learn_senders(conn, rows)
        now = self._clock()
        cutoff = now - self.new_account_age
        out: list[ChatLine] = []
        append = out.append
        flags_of = self._matcher.flags
        registered, first_ids, uids, room_ids = self._registered, self._first_id, self._uid, self._room_ids
        last_repeat = repeats.last_id
        see, count = repeats.see, repeats.count
        clock = time.perf_counter
        slice_end = clock() + SLICE_S
        for i, (rid, msg_uid, sender, room, obj, text, ms, sensitive, recalled_at) in enumerate(rows):
            if not i & 31 and clock() > slice_end:
                await asyncio.sleep(0)   # the UI loop paints and answers input between slices
                slice_end = clock() + SLICE_S
            sender = intern(sender)   # one string per person in every cache and flood group
            key = flood_key(text)
            flags = flags_of(text, sensitive)
            reg = registered.get(sender)
            new_account = reg is not None and reg > cutoff
            first = first_ids.get(sender) == rid
            if new_account and first:
                assert reg is not None
                hours = max(0, int((now - reg).total_seconds() // 3600))
                flags.append(ChatFlag(FlagKind.NEW_ACCOUNT, f"注册{hours}小时"))
            if rid > last_repeat:
                n = see(sender, key, ms)
                last_repeat = rid
                if n >= count:
                    flags.append(ChatFlag(FlagKind.REPEAT, f"×{n}"))
            room_id = room_ids.get(room, _UNKNOWN)
            if room_id is _UNKNOWN:
                room_id = room_ids[room] = RoomId(int(room)) if room.isdigit() and len(room) < 19 else None
            append(ChatLine(id=rid, msg_uid=msg_uid, room_key=room, room_id=room_id,
                            sender=sender, user_id=uids.get(sender), object_name=obj, text=text, sent_ms=ms,
                            flags=tuple(flags) if flags else (), first_time=first, new_account=new_account,
                            flood=key, recalled=recalled_at is not None))
        repeats.last_id = last_repeat
        _trim(self._first_id, _CACHE)
        if len(room_ids) > _CACHE:
            room_ids.clear()
        return out

    async def _learn_senders(self, conn: AsyncConnection, rows: Sequence[Any]) -> None:
        """Registration times and first message ids of senders not seen before (cached)."""
        senders = dict.fromkeys(r[2] for r in rows)
        unknown = [s for s in senders if s not in self._registered]
        ids = [int(s) for s in unknown if s.isdigit() and len(s) < 19]
        for s in unknown:
            self._registered[s] = None
            self._uid[s] = UserId(int(s)) if s.isdigit() and len(s) < 19 else None
        for i in range(0, len(ids), _IN_CHUNK):
            chunk = ids[i:i + _IN_CHUNK]
            for uid, reg in (await conn.execute(sa.select(t.users.c.id, t.users.c.registered_at)
                                                .where(t.users.c.id.in_(chunk)))).all():
                self._registered[str(uid)] = reg
        if len(self._registered) > _CACHE:
            _trim(self._registered, _CACHE)
            self._uid = {s: self._uid.get(s) for s in self._registered}
        # one row of scalar subqueries: each new sender's first message (by time, on ix_chat_from);
        # written as text: building 200 subqueries with the expression language costs ~15 ms
        todo = [s for s in senders if s not in self._first_id]
        for i in range(0, len(todo), _IN_CHUNK):
            part = todo[i:i + _IN_CHUNK]
            n = 1 << (len(part) - 1).bit_length()   # 1, 2, 4 … 256 parameters: few statements to compile and cache
            params = {f"s{j}": part[j] if j < len(part) else "" for j in range(n)}
            found = (await conn.execute(_first_ids_sql(n), params)).one()[:len(part)]
            for snd, fid in zip(part, found, strict=True):
                if fid is not None:
                    self._first_id[snd] = int(fid)

    def flag(self, lines: Sequence[ChatLine]) -> list[ChatLine]:
        """Flag lines again with the loaded rules (word/regex/link flags replaced; others kept)."""
        keep = (FlagKind.NEW_ACCOUNT, FlagKind.REPEAT, FlagKind.PROVIDER)
        out = []
        for x in lines:
            flags = [f for f in self._matcher.flags(x.text, 0)] + [f for f in x.flags if f.kind in keep]
            out.append(replace(x, flags=tuple(flags)))
        return out

    # --- lists ---

    async def rooms(self) -> list[ChatRoomInfo]:
        """Chat rooms: every platform room plus other keys in chat_rooms, with mute state, whitelist, ladder."""
        await self._require()
        async with self._engine.connect() as conn:
            plat = (await conn.execute(sa.select(t.rooms.c.id, t.rooms.c.title).order_by(t.rooms.c.id))).all()
            extra = {r.room_key: r for r in (await conn.execute(sa.select(tc.chat_rooms))).all()}
            wl: dict[str, list[str]] = {}
            for r in (await conn.execute(sa.select(tc.chat_whitelist).order_by(tc.chat_whitelist.c.user_id))).all():
                wl.setdefault(r.room_key, []).append(r.user_id)
        out = []
        for r in plat:
            key = str(r.id)
            out.append(_room_info(key, RoomId(r.id), r.title, extra.pop(key, None), wl.get(key, [])))
        for key, x in sorted(extra.items()):
            out.append(_room_info(key, RoomId(x.room_id) if x.room_id else None, key, x, wl.get(key, [])))
        return out

    async def room(self, room_key: str) -> ChatRoomInfo:
        await self._require(f"chat:{room_key}")
        async with self._engine.connect() as conn:
            x = (await conn.execute(sa.select(tc.chat_rooms).where(tc.chat_rooms.c.room_key == room_key))).first()
            title = None
            if room_key.isdigit() and len(room_key) < 19:
                title = (await conn.execute(sa.select(t.rooms.c.title).where(t.rooms.c.id == int(room_key)))).scalar()
            wl = list((await conn.execute(sa.select(tc.chat_whitelist.c.user_id).where(
                tc.chat_whitelist.c.room_key == room_key).order_by(tc.chat_whitelist.c.user_id))).scalars())
        rid = RoomId(int(room_key)) if title is not None else (RoomId(x.room_id) if x is not None and x.room_id else None)
        return _room_info(room_key, rid, title or room_key, x, wl)

    async def sanctions(self, room_key: str | None = None, *, active_only: bool = True) -> list[ChatSanction]:
        """Gags and blocks of a room (None: every room and the global/app ones) with their expiry."""
        await self._require(f"chat:{room_key}" if room_key else "chat")
        s, g = t.sanctions, tc.chat_sanction_targets
        q = (sa.select(s.c.id, g.c.sender, s.c.kind, s.c.scope, g.c.room_key, s.c.reason, s.c.issued_by,
                       s.c.starts_at, s.c.ends_at)
             .select_from(g.join(s, s.c.id == g.c.sanction_id)).order_by(s.c.id.desc()).limit(5000))
        if room_key is not None:
            q = q.where(g.c.room_key == room_key)
        if active_only:
            now = self._clock()
            q = q.where(s.c.lifted_at.is_(None), sa.or_(s.c.ends_at.is_(None), s.c.ends_at > now))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        return [ChatSanction(id=r.id, user_id=r.sender, kind=r.kind, scope=r.scope, room_key=r.room_key,
                             reason=r.reason, issued_by=r.issued_by, starts_at=r.starts_at, ends_at=r.ends_at)
                for r in rows]

    async def words(self) -> list[SensitiveWord]:
        await self._require("chat_words")
        return (await self._read_rules())[0]

    async def regex_rules(self) -> list[RegexRule]:
        await self._require("chat_rules")
        return (await self._read_rules())[1]

    async def presets(self) -> list[LockdownPreset]:
        await self._require("chat_lockdown")
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(tc.chat_lockdown_presets).order_by(
                tc.chat_lockdown_presets.c.id))).all()
        if not rows:
            return list(DEFAULT_PRESETS)
        return [preset_from(r.id, r.name, r.config) for r in rows]


def _trim(d: dict[str, Any], limit: int) -> None:
    """Forget the older half of an insertion-ordered cache once it holds more than ``limit``."""
    if len(d) > limit:
        for k in list(itertools.islice(d, len(d) // 2)):
            del d[k]


@functools.lru_cache(maxsize=8)
def _newer_sql(paramstyle: str, one_room: bool) -> str:
    """:meth:`ChatService.newer`'s query (the columns of ``_select``) in the driver's parameter style."""
    # parameters in order: after_id, [room_key,] limit
    p = ["$1", "$2", "$3"] if paramstyle == "numeric_dollar" else ["?", "?", "?"]
    room = f" AND m.to_user_id = {p[1]}" if one_room else ""
    return ("SELECT m.id, m.msg_uid, m.from_user_id, m.to_user_id, m.object_name, m.content, m.msg_timestamp,"
            " m.sensitive_type, r.recalled_at FROM chat_messages m LEFT JOIN chat_recalls r ON r.msg_uid = m.msg_uid"
            f" WHERE m.channel_type = '{TEMPGROUP}' AND m.id > {p[0]}{room} ORDER BY m.id"
            f" LIMIT {p[2] if one_room else p[1]}")


@functools.lru_cache(maxsize=16)
def _first_ids_sql(n: int) -> sa.TextClause:
    cols = ", ".join(f"(SELECT id FROM chat_messages WHERE from_user_id = :s{j} ORDER BY msg_timestamp, id LIMIT 1)"
                     for j in range(n))
    return sa.text(f"SELECT {cols}")


def preset_from(pid: int, name: str, config: dict[str, Any]) -> LockdownPreset:
    return LockdownPreset(id=pid, name=name, mute_rooms=bool(config.get("mute_rooms", True)),
                          gag_new_accounts=bool(config.get("gag_new_accounts", False)),
                          new_account_hours=int(config.get("new_account_hours", 24)),
                          words=tuple(str(w) for w in config.get("words", ())),
                          revert_after_minutes=config.get("revert_after_minutes"))


def preset_config(p: LockdownPreset) -> dict[str, Any]:
    return {"mute_rooms": p.mute_rooms, "gag_new_accounts": p.gag_new_accounts,
            "new_account_hours": p.new_account_hours, "words": list(p.words),
            "revert_after_minutes": p.revert_after_minutes}


def ladder_from(doc: Any) -> tuple[LadderStep, ...]:
    if not doc:
        return DEFAULT_LADDER
    return tuple(LadderStep(key=int(d["key"]), label=str(d["label"]), action=str(d["action"]),
                            minutes=d.get("minutes")) for d in doc)


def _room_info(key: str, rid: RoomId | None, title: str, x: Any, wl: list[str]) -> ChatRoomInfo:
    return ChatRoomInfo(room_key=key, room_id=rid, title=title, muted=bool(x.muted) if x is not None else False,
                        whitelist=tuple(wl), ladder=ladder_from(x.ladder if x is not None else None),
                        session_started_at=x.session_started_at if x is not None else None)


def _word(r: Any) -> SensitiveWord:
    return SensitiveWord(word=r.word, replace=r.replace_word, session_only=r.session_only, expires_at=r.expires_at,
                         created_by=r.created_by, created_at=r.created_at)
