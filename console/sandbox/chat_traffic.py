"""Simulated viewers chatting in the RongCloud emulator's rooms (the sandbox and the chat benchmark).

Usage::

    traffic = ChatTraffic(emulator, ["room_1", "room_2"], rate_per_s=200, seed=7)
    # or with the shared database's users (newest registrations are the "new accounts"):
    traffic = await ChatTraffic.from_database(emulator, engine, rooms, rate_per_s=200, seed=7)
    traffic.start()                  # a task sending at the set rate
    traffic.rate_per_s = 5000        # change it any time
    await traffic.stop()
    traffic.counts                   # by kind ("normal", "flood", …) and by the emulator's outcome

What it sends (``mix``, shares of all messages):

- ``normal``: Chinese live-chat lines with emoji, numbers and slang, from a large pool of regulars;
- ``flood``: spam floods — one phrase repeated with small variations (punctuation, emoji, a counter,
  full-width letters) by a few bot accounts in one room, 50–400 messages per flood;
- ``sensitive``: lines containing a word of :data:`SANDBOX_WORDS` (block words are dropped by the
  emulator, replace words are replaced) — when the emulator's list holds them;
- ``link``: QQ/WeChat/URL advertising;
- ``newcomer``: the first message of an account never seen before (the newest registrations when a
  database is given — once each of them has spoken, these become ``normal`` lines — else fresh
  synthetic ids);
- ``odd``: bad input — HTML, zero-width and right-to-left control characters, C0 controls, 2 KB lines.

Rooms are chosen with Zipf weights (the first room is the busiest). Everything drawn comes from one
``random.Random(seed)``: the same seed gives the same sequence of messages (:meth:`ChatTraffic.generate`).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from console.sandbox.rongcloud import RongCloudEmulator

__all__ = ["DEFAULT_MIX", "SANDBOX_WORDS", "ChatTraffic", "Kind", "TrafficMessage"]

log = logging.getLogger(__name__)

Kind = Literal["normal", "flood", "sensitive", "link", "newcomer", "odd"]
KINDS: tuple[Kind, ...] = ("normal", "flood", "sensitive", "link", "newcomer", "odd")
DEFAULT_MIX: dict[Kind, float] = {"normal": 0.84, "flood": 0.08, "sensitive": 0.03, "link": 0.02,
                                  "newcomer": 0.025, "odd": 0.005}

#: The sandbox's sensitive words: (word, replacement) — None blocks the message.
SANDBOX_WORDS: tuple[tuple[str, str | None], ...] = (
    ("赌博", None), ("代充", None), ("加微信", None), ("刷单", None), ("裸聊", None), ("博彩", None),
    ("傻逼", "**"), ("垃圾主播", "****"), ("脑残", "**"), ("滚粗", "**"),
)

_PHRASES = (
    "主播666", "这波操作可以", "哈哈哈哈哈", "前排围观", "来了来了", "求BGM", "主播加油！", "打call打call",
    "awsl", "yyds", "这也太强了吧", "下一把能赢吗", "刚来，发生了什么", "主播今天状态不错", "笑死我了",
    "这个英雄怎么出装", "稳住，我们能赢", "学到了学到了", "主播声音好听", "晚上好各位", "关注了关注了",
    "弹幕护体", "这波不亏", "绝了绝了", "太秀了", "下饭操作", "有没有一起开黑的", "主播几点下播",
    "第一次来，支持一下", "画质好清晰", "卡了吗？我这边有点卡", "上分上分", "牛啊牛啊", "这也能输？",
    "全体起立", "泪目了", "主播是哪里人", "再来一把", "这就是实力", "送你一个小心心",
)
_EMOJI = ("🎉", "👍", "😂", "🔥", "❤️", "🐮", "🍺", "😭", "👏", "🤣", "💯", "🙏", "😎", "🌹", "🚀", "🐱")
_SPAM = (
    "免费领皮肤，私聊我", "低价上分，找我", "点我头像有惊喜", "全场最低价，速来", "关注我送礼物",
    "新人求关注求关注", "看我主页有福利",
)
_LINKS = (
    "加Q 2837461920 领福利", "VX：abc12345 带你上分", "http://t.cn/A6x{n}kZ 免费皮肤", "www.hao{n}.com 看直播不卡",
    "https://bit.ly/3x{n}q 领红包", "来我直播间 live.shihou.tv/{n}", "扫码进群 ➡ weixin://dl/{n}",
)
_ODD = (
    "<b>加粗</b><script>alert('x')</script>", "<img src=x onerror=alert(1)>你好", "看\u200b不\u200b见\u200b的字",
    "\u202e反转文字 olleh", "控制\x07字符\x1b[31m红", "&lt;实体&gt; &amp; %E4%BD%A0 + %",
    "零宽\ufeff连接\u200d符", "right\u200fto\u200eleft", "换行\n第二行\r\n第三行",
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("小", "大", "阿", "老", "萌", "酷", "甜", "暴躁", "快乐", "佛系")
_NOUNS = ("猫", "鱼", "虎", "星", "风", "月", "兔", "龙", "熊", "糖", "瓜", "豆")
_FULLWIDTH = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ")
_SOURCES = ("Android", "Android", "iOS", "iOS", "Websocket", "PC", "MiniProgram")


@dataclass(frozen=True, slots=True)
class TrafficMessage:
    """One simulated viewer message."""

    kind: Kind
    room: str
    user_id: str
    user_name: str
    text: str
    source: str
    client_ip: str


@dataclass
class _Flood:
    room: str
    base: str
    bots: list[tuple[str, str]]
    remaining: int
    n: int = 0


class ChatTraffic:
    """Sends simulated viewer messages into a :class:`~console.sandbox.rongcloud.RongCloudEmulator`.

    Args:
        emulator: Where messages go (:meth:`RongCloudEmulator.client_send`).
        rooms: Chatroom ids (the busiest first).
        rate_per_s: Messages per second (change :attr:`rate_per_s` while running).
        seed: Seed of every random choice.
        users: ``(user_id, nickname)`` of the regulars; synthetic ``u<n>`` when None.
        new_users: ``(user_id, nickname)`` of new accounts (their first messages); synthetic when None.
        mix: Shares of :data:`KINDS` (normalised).
        words: Sensitive words the ``sensitive`` kind uses.
        synthetic_users: Size of the synthetic regular pool.
    """

    def __init__(self, emulator: RongCloudEmulator, rooms: Sequence[str], *, rate_per_s: float = 50.0,
                 seed: int = 1, users: Sequence[tuple[str, str]] | None = None,
                 new_users: Sequence[tuple[str, str]] | None = None, mix: Mapping[Kind, float] | None = None,
                 words: Sequence[tuple[str, str | None]] = SANDBOX_WORDS, synthetic_users: int = 20_000) -> None:
        if not rooms:
            raise ValueError("at least one room is required")
        if rate_per_s < 0:
            raise ValueError("rate_per_s must be >= 0")
        self.emulator = emulator
        self.rooms = list(rooms)
        self.rate_per_s = float(rate_per_s)
        self._rng = random.Random(seed)
        self._users = list(users) if users else [(f"u{i}", self._nickname()) for i in range(1, synthetic_users + 1)]
        self._new_users = list(new_users or [])
        #: with real users, senders stay real: no synthetic newcomers once the new accounts have spoken
        self._synthetic_new = users is None and new_users is None
        self._new_seq = itertools.count(1)
        self._words = [w for w, _ in words] or ["赌博"]
        shares = {k: max(0.0, float((mix or DEFAULT_MIX).get(k, 0.0))) for k in KINDS}
        total = sum(shares.values())
        if total <= 0:
            raise ValueError("mix must give some kind a positive share")
        self._kind_cum = list(itertools.accumulate(shares[k] / total for k in KINDS))
        self._room_cum = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(self.rooms))))
        self._flood: _Flood | None = None
        self.counts: dict[str, int] = {}
        self.sent = 0
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def from_database(cls, emulator: RongCloudEmulator, engine: AsyncEngine, rooms: Sequence[str], *,
                            limit: int = 20_000, new_share: float = 0.05, **kw: object) -> ChatTraffic:
        """Traffic whose senders are the shared database's users (``users.id`` as the RongCloud user id).

        The newest ``new_share`` of the registrations send the ``newcomer`` messages.
        """
        import sqlalchemy as sa

        from console.db import tables as t
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(t.users.c.id, t.users.c.nickname)
                                       .where(t.users.c.status == "active")
                                       .order_by(t.users.c.registered_at.desc(), t.users.c.id.desc())
                                       .limit(limit))).all()
        people = [(str(r.id), str(r.nickname)) for r in rows]
        n_new = int(len(people) * new_share)
        new, regular = people[:n_new], people[n_new:]
        return cls(emulator, rooms, users=regular or None, new_users=new or None, **kw)  # type: ignore[arg-type]

    # --- generation (pure, deterministic) ---------------------------------------------------------

    def _nickname(self) -> str:
        r = self._rng
        return f"{r.choice(_SURNAMES)}{r.choice(_GIVEN)}{r.choice(_NOUNS)}{r.randint(0, 999) if r.random() < 0.4 else ''}"

    def _room(self) -> str:
        i = bisect.bisect_left(self._room_cum, self._rng.random() * self._room_cum[-1])
        return self.rooms[min(i, len(self.rooms) - 1)]

    def _ip(self) -> str:
        r = self._rng
        return f"{r.choice((36, 58, 101, 110, 112, 117, 183, 223))}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def _chatline(self) -> str:
        r = self._rng
        line = r.choice(_PHRASES)
        roll = r.random()
        if roll < 0.35:
            line += r.choice(_EMOJI) * r.randint(1, 3)
        elif roll < 0.45:
            line = f"{r.randint(1, 99)}号{line}"
        elif roll < 0.55:
            line += "！" * r.randint(1, 4)
        elif roll < 0.6:
            line = "6" * r.randint(3, 12)
        return line

    def _message(self) -> TrafficMessage:
        r = self._rng
        i = bisect.bisect_left(self._kind_cum, r.random())
        kind: Kind = KINDS[min(i, len(KINDS) - 1)]
        if kind == "flood":
            return self._flood_message()
        room = self._room()
        if kind == "newcomer" and not self._new_users and not self._synthetic_new:
            kind = "normal"
        if kind == "newcomer":
            if self._new_users:
                uid, name = self._new_users.pop(r.randrange(len(self._new_users)))
            else:
                uid, name = f"n{next(self._new_seq)}", self._nickname()
            self._users.append((uid, name))     # a regular from now on
            text = r.choice(("第一次来", "新人报道", "你好", "主播好", "这是什么游戏", "怎么发弹幕")) + r.choice(("", "～", "🙋"))
        else:
            uid, name = self._users[r.randrange(len(self._users))]
            if kind == "sensitive":
                text = f"{r.choice(_PHRASES)[:4]}{r.choice(self._words)}{r.choice(('', '吗', '的来', '私聊'))}"
            elif kind == "link":
                text = r.choice(_LINKS).format(n=r.randint(1000, 99999))
            elif kind == "odd":
                text = r.choice(_ODD) if r.random() < 0.9 else ("长" * 680 + "🎉" * 8)
            else:
                text = self._chatline()
        return TrafficMessage(kind, room, uid, name, text, r.choice(_SOURCES), self._ip())

    def _flood_message(self) -> TrafficMessage:
        r = self._rng
        f = self._flood
        if f is None or f.remaining <= 0:
            bots = [(f"bot{r.randint(1, 9999)}", f"福利{r.choice(_NOUNS)}{r.randint(1, 99)}")
                    for _ in range(r.randint(1, 6))]
            base = r.choice(_SPAM) if r.random() < 0.7 else r.choice(_PHRASES)
            f = self._flood = _Flood(self._room(), base, bots, r.randint(50, 400))
        f.remaining -= 1
        f.n += 1
        uid, name = f.bots[r.randrange(len(f.bots))]
        roll = r.random()
        if roll < 0.3:
            text = f.base
        elif roll < 0.5:
            text = f.base + r.choice(_EMOJI)
        elif roll < 0.65:
            text = f.base + r.choice(("!", "！", "~", "。", "..", "!!"))
        elif roll < 0.8:
            text = f"{f.base}{f.n}"
        elif roll < 0.9:
            text = " ".join(f.base)
        else:
            text = f.base.translate(_FULLWIDTH) + "【" + str(r.randint(1, 9)) + "】"
        return TrafficMessage("flood", f.room, uid, name, text, "Android", "10.66.0.1")

    def generate(self, n: int) -> list[TrafficMessage]:
        """The next ``n`` messages (advances the generator; same seed, same sequence)."""
        return [self._message() for _ in range(n)]

    # --- sending ---------------------------------------------------------------------------------

    def send(self, messages: Sequence[TrafficMessage]) -> None:
        """Hand messages to the emulator as viewers' clients would, counting kinds and outcomes."""
        counts = self.counts
        send = self.emulator.client_send
        for m in messages:
            r = send(m.room, m.user_id, m.text, user_name=m.user_name, source=m.source, client_ip=m.client_ip)
            counts[m.kind] = counts.get(m.kind, 0) + 1
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
        self.sent += len(messages)

    async def run(self, seconds: float | None = None, *, tick_s: float = 0.01) -> int:
        """Send at :attr:`rate_per_s` for ``seconds`` (None: until cancelled); returns messages sent."""
        start = time.monotonic()
        sent_here = 0
        budget = 0.0
        last = start
        while seconds is None or time.monotonic() - start < seconds:
            await asyncio.sleep(tick_s)
            now = time.monotonic()
            budget += (now - last) * self.rate_per_s
            last = now
            n = int(budget)
            if n:
                budget -= n
                self.send(self.generate(n))
                sent_here += n
        return sent_here

    def start(self) -> asyncio.Task[None]:
        """Run :meth:`run` in a task until :meth:`stop`."""
        if self._task is None or self._task.done():
            async def forever() -> None:
                await self.run(None)
            self._task = asyncio.get_running_loop().create_task(forever(), name="sandbox-chat-traffic")
        return self._task

    async def stop(self) -> None:
        """Stop the task started by :meth:`start`."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
