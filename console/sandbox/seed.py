"""Demo data for the sandbox: ``python -m console.sandbox seed --users N [--db URL] [--seed S]``.

Fills a migrated (or empty: it is upgraded to the head first) database with a believable
live-streaming platform: users with Chinese nicknames and mobile phones, past nicknames,
devices (some shared by alternate accounts), rooms, sanctions, chat lines, pushes and their
recipients, SMS, support notes, the demo operators and some audit history.

Everything is drawn from ``random.Random`` seeded per table, so a given ``seed`` and user
count give the same rows on SQLite and PostgreSQL (apart from the operators' Argon2 salts).

How it is fast (1M users, ~7M rows, on 2 cores):

* The rows are generated in a child process (:func:`_worker_main`) and streamed as marshalled
  50,000-row chunks, so generation runs on one core while this process loads on the other.
* SQLite: the stdlib ``sqlite3`` module on the file, one transaction, ``synchronous=OFF``,
  ``executemany`` per chunk. A rollback journal instead of WAL while loading when nobody else
  has the file open (each page is written once, not twice; see :func:`_load_journal`).
* PostgreSQL: asyncpg binary ``COPY`` per table, one transaction, foreign keys dropped and
  re-added (validated by one join each), then ``VACUUM ANALYZE`` on two connections.
* Both: the per-row search triggers are dropped and the search side tables rebuilt with
  :mod:`console.db.search_ddl`'s statements; plain indexes are dropped and rebuilt. Each
  table's search structures and indexes are built as soon as it is loaded, while the
  generator works on the next table.

Rows are generated in primary-key order and, where it matters (users, chat, SMS, rooms,
sanctions, notes, audit), ids follow time, as they would in production.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import heapq
import json
import logging
import marshal
import os
import queue
import random
import sqlite3
import subprocess
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from console.db import migrate, search_ddl
from console.db.engine import make_engine, redact_url
from console.errors import ConsoleError
from console.services.auth import hash_password

log = logging.getLogger(__name__)

from console.sandbox.demo import DEMO_PASSWORD as DEMO_PASSWORD  # noqa: E402 - re-exported

#: (username, role, display name) of the demo operators; all sign in with :data:`DEMO_PASSWORD`.
DEMO_OPERATORS: list[tuple[str, str, str]] = [
    ("demo-admin", "admin", "演示管理员"),
    ("demo-support", "support", "演示客服"),
    ("demo-mod", "moderator", "演示房管"),
    ("demo-ops", "operator", "演示运营"),
]
_OP_ROLE = {u: r for u, r, _ in DEMO_OPERATORS}

FIRST_USER_ID = 10_000_001
CHUNK = 50_000
MAX_CHAT = 2_000_000

#: ``progress(table, rows_done, rows_expected)``; rows_expected is an estimate for some tables.
Progress = Callable[[str, int, int], None]
Row = tuple[Any, ...]


class SeedError(ConsoleError):
    """The seeder cannot or will not run."""


class BadDatabaseUrl(SeedError):
    """The URL is not one the seeder understands (exit code 2)."""


class AlreadySeeded(SeedError):
    """The database already has users: the seeder refuses to add a second population."""


class SeedCancelled(SeedError):
    """The caller cancelled :func:`seed_database`; the load was rolled back."""


# --- time -----------------------------------------------------------------------------------

DAY = 86_400
_CST = 8 * 3600


def _epoch(y: int, m: int, d: int = 1) -> int:
    return int(datetime(y, m, d, tzinfo=UTC).timestamp())


START = _epoch(2015, 1, 1)
#: Registrations run to the end of November 2025; nothing happens after this instant.
END = _epoch(2025, 12, 1)
_YEAR = 31_557_600

# Activity by hour of the day, China time: a live-streaming evening peak.
_HOUR_WEIGHTS = (5, 3, 2, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 5, 4, 4, 4, 5, 6, 8, 10, 11, 10, 8)


@cache
def _day_warp() -> array[int]:
    """Monotonic map of a uniform second of the (China) day onto the evening-heavy one."""
    total = sum(_HOUR_WEIGHTS)
    bounds = [0.0, *accumulate(w * DAY / total for w in _HOUR_WEIGHTS)]
    out = array("l", bytes(8 * DAY))
    h = 0
    for s in range(DAY):
        while s >= bounds[h + 1] and h < 23:
            h += 1
        lo, hi = bounds[h], bounds[h + 1]
        out[s] = min(DAY - 1, h * 3600 + int((s - lo) / (hi - lo) * 3600))
    return out


def _sqlite_time() -> Callable[[int], str]:
    """Epoch seconds to SQLAlchemy's SQLite DateTime text (naive UTC), by table look-up."""
    d0 = _epoch(2010, 1, 1) // DAY
    days = [datetime.fromtimestamp((d0 + i) * DAY, UTC).strftime("%Y-%m-%d ") for i in range(365 * 30)]
    hms = [f"{h:02d}:{m:02d}:{s:02d}.000000" for h in range(24) for m in range(60) for s in range(60)]

    def ts(t: int) -> str:
        q, r = divmod(t, DAY)
        return days[q - d0] + hms[r]

    return ts


def _pg_time() -> Callable[[int], datetime]:
    fromts = datetime.fromtimestamp

    def ts(t: int) -> datetime:
        return fromts(t, UTC)

    return ts


def _cum(weights: Iterable[float]) -> list[float]:
    return list(accumulate(weights))


def _expand(items: Sequence[Any], weights: Sequence[float], size: int = 1000) -> list[Any]:
    """``items`` repeated in proportion to ``weights``: a uniform draw from it is a weighted draw."""
    total = sum(weights)
    out: list[Any] = []
    for item, w in zip(items, weights, strict=True):
        out.extend([item] * max(1, round(size * w / total)))
    return out


# --- vocabulary -----------------------------------------------------------------------------

_NICK_HEAD = (
    "小王爱阿猫鱼星月大子心梦天雨风云花一宝贝甜糖萌可晴夜光影雪冰夏秋冬春海蓝白黑紫安静清欢喜笑浅深凉暖"
    "叶木林森山水火金龙凤虎狼鹿兔熊狗喵乐哥姐妹君少爷公主仙女神帝皇霸酷帅美丽萝莉叔老张刘陈杨黄赵吴周徐孙"
    "朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜程苏魏吕丁任沈姚卢姜崔钟谭陆汪范石廖贾韦付方"
    "邹孟秦邱江尹薛闫段雷侯史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤的了是不我你他她们这那有在中国人生时年家"
    "明亮晓丹红芳玲燕娟英华慧巧娜淑惠珠翠雅芝玉萍娥芬彩菊兰洁梅琳素莲真环荣霞香莺媛艳瑞凡佳嘉琼勤珍贞桂"
    "璐娅琦晶妍茜珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓仪荷蓉眉琴蕊薇菁岚苑婕馨瑗韵融园艺咏卿聪澜纯悦昭爽"
    "茗羽希宁欣飘滢筠柔竹凝霄枫芸菲寒伊亚宜舒荔思伟刚勇毅俊峰强军平保东文辉力永健世广志义兴良仁波贵福"
    "元全胜学祥才发武新利飞彬富顺信杰涛昌成康达岩茂进坚和彪博诚先敬震振壮会群豪邦承绍功松善厚庆磊民友"
    "裕河哲江超浩政谦奇之轮翰朗伯宏言若鸣朋斌栋维启克伦翔旭鹏泽晨辰士以建致树炎德行泰盛雄钧冠策腾楠航弘"
    "糖果橙桃柠檬奶茶咖啡豆芒草莓酱团丸汤圆饺包子馒头面条米饭粥酒烟诗画歌舞剑侠刀客狐仙妖精灵鬼魂魔"
)
_NICK_WORDS = (
    "小鱼 星辰 月亮 可爱 宝贝 晴天 微笑 故事 旧梦 浅笑 凉城 时光 温柔 少年 姑娘 南风 北城 清风 明月 花开 "
    "落叶 流年 半夏 初夏 安然 孤独 心动 甜心 奶茶 糖果 橘子 柠檬 西瓜 草莓 桃子 小猫 小狗 兔子 熊猫 老虎 "
    "狮子 飞鱼 鲸鱼 海豚 云朵 星星 太阳 彩虹 烟火 往事 回忆 梦想 未来 远方 天空 大海 森林 江湖 剑客 侠客 "
    "战神 王者 大神 菜鸟 萌新 学渣 学霸 吃货 懒猫 胖虎 大白 小白 小黑 阿狸 可乐 雪碧 咖啡 布丁 饼干 豆豆 "
    "团子 丸子 馒头 包子 饺子 汤圆 老王 路人 过客 人间 浮生 若梦 一笑 倾城 红尘 清欢 长安 江南 西楼 东风 "
    "无敌 寂寞 帅气 霸气 高冷 逗比 佛系 躺平 摸鱼 打工 干饭 追风 逐梦 听雨 看海 等风 晚风 夜猫 早安 晚安 "
    "余生 半生 一生 永远 从前 以后 今天 明天 快乐 开心 努力 加油 不会 喜欢 想你 等你 陪你 爱你 柒月 玖月 "
    "北极 南极 山海 星河 银河 宇宙 月光 阳光 微光 萤火 风铃 蒲公英 向日葵 薄荷 奶糖 棉花 小熊 小兔 小鹿"
)
_NOT_IN_NICKS = "屎尿屁死尸奸淫妓嫖娼粪癌毙屌逼婊贱畜骚"
_CUTE = "花乖萌宝贝美丽强明虎龙胖熊妞娃豆芽丫甜糖月星乐欢涛杰飞燕"
_LATIN_NAMES = (
    "Lucy Tony Jack Amy Coco Kiki Lily Alice Kevin Sunny Cherry Nana Momo Vicky Leo Max Eric Tom Jerry "
    "Bella Emma Mia Ken Sam Ivy Zoe Joy Ace King Wolf Angel Baby Candy Daisy Echo Fiona Grace Iris Jason "
    "Kitty Linda Mike Nick Oscar Peter Rose Sky Tina Vivi Wendy Yuki Zack Luna Neo Rain Snow Star Moon Fox"
).split()
_PINYIN = (
    "xiaoyu xiaoming mengmeng tiantian lele dudu yuyu xixi lili feifei jiajia wangzi laowang ahua xingxing "
    "yueyue qingqing huahua doudou niuniu pangpang xiaobai dabai ayu aqiang xiaomei xiaohei mumu"
).split()
_LATIN_SHORT = "A K Q X Y Z DJ MC Mr Miss er ya cc kk Baby Love ing OK GG Pro Max Lucky".split()
_DIGITS = ("520", "1314", "666", "888", "123", "99", "77", "00", "007", "2008", "1998", "1995", "2000",
           "1", "6", "8", "9", "521", "233", "886", "168", "318", "0", "11", "12", "2333")
_DIGIT_W = (20, 12, 14, 10, 6, 5, 4, 3, 2, 3, 3, 3, 3, 4, 4, 5, 3, 3, 3, 2, 2, 1, 2, 2, 2, 2)
_HANZI_LEN = [2] * 18 + [3] * 32 + [4] * 24 + [5] * 11 + [6] * 8 + [7] * 4 + [8] * 3


@cache
def _gb2312_level1() -> list[str]:
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            if hi == 0xD7 and lo > 0xF9:
                break
            out.append(bytes((hi, lo)).decode("gb2312"))
    return out


@cache
def _hanzi_pool() -> list[str]:
    """65,536 characters, each repeated by its Zipf weight, so a uniform 16-bit draw is a Zipf draw.
    The hand-picked head carries ~94 % of the draws, the rest of GB2312 level 1 the tail."""
    head = list(dict.fromkeys(_NICK_HEAD))
    seen = set(head) | set(_NOT_IN_NICKS)
    rest = [c for c in _gb2312_level1() if c not in seen]
    random.Random(2312).shuffle(rest)
    chars = head + rest
    weights = [(1.0 if r < len(head) else 0.2) / (r + 3) ** 1.05 for r in range(len(chars))]
    # every character at least once; the head shares what is left in proportion to weight
    spare = 65_536 - len(chars)
    total = sum(weights)
    counts = [1 + int(spare * w / total) for w in weights]
    counts[0] += 65_536 - sum(counts)
    pool: list[str] = []
    for c, k in zip(chars, counts, strict=True):
        pool.extend(c * k)
    return pool


def _draw16(rng: random.Random, k: int) -> array[int]:
    """``k`` uniform 16-bit numbers, fast (one ``randbytes`` call)."""
    idx = array("H")
    idx.frombytes(rng.randbytes(2 * k))
    if sys.byteorder == "big":
        idx.byteswap()
    return idx


def _pool16(items: Sequence[Any], weights: Sequence[float]) -> list[Any]:
    """``items`` spread over 65,536 slots by weight: a 16-bit draw from it is a weighted draw."""
    pool = _expand(items, weights, 65_536)
    return (pool + pool[-1:] * 65_536)[:65_536]


def _char_stream(rng: random.Random, k: int) -> str:
    """``k`` Zipf-weighted hanzi, drawn 16 bits at a time."""
    return "".join(map(_hanzi_pool().__getitem__, _draw16(rng, k)))


@cache
def _word_pool() -> list[str]:
    words = _NICK_WORDS.split()
    pool: list[str] = []
    for rank, w in enumerate(words):
        pool.extend([w] * max(1, round(60 / (rank + 4) ** 0.8)))
    return pool


class _Nicknames:
    """Nickname batches: 55 % hanzi, 15 % hanzi+digits, 10 % hanzi+latin, 12 % latin/digits,
    8 % 阿/小/老 + a doubled character."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = _word_pool()
        self.digits = _expand(_DIGITS, _DIGIT_W)

    def batch(self, m: int) -> list[str]:
        rng = self.rng
        rnd = rng.random
        s = _char_stream(rng, 5 * m + 64)
        pos = 0
        out: list[str] = []
        append = out.append
        hl, n_hl = _HANZI_LEN, len(_HANZI_LEN)
        words, n_words = self.words, len(self.words)
        names, n_names = _LATIN_NAMES, len(_LATIN_NAMES)
        pinyin, short, cute = _PINYIN, _LATIN_SHORT, _CUTE
        digits, n_digits = self.digits, len(self.digits)
        for _ in range(m):
            if pos > len(s) - 10:
                s = s[pos:] + _char_stream(rng, 4 * m + 64)
                pos = 0
            r = rnd()
            if r < 0.55:
                # common words and single characters, sometimes joined by 的
                n = hl[int(rnd() * n_hl)]
                v = rnd()
                if v < 0.4:
                    w = words[int(rnd() * n_words)]
                    nick = w + s[pos:pos + n - len(w)]
                elif v < 0.65:
                    w = words[int(rnd() * n_words)]
                    nick = s[pos:pos + n - len(w)] + w
                elif v < 0.8 and n >= 4:
                    w = words[int(rnd() * n_words)] + words[int(rnd() * n_words)]
                    nick = w + s[pos:pos + n - len(w)]
                elif v < 0.85 and n >= 4:
                    nick = s[pos:pos + n - 3] + "的" + words[int(rnd() * n_words)]
                else:
                    nick = s[pos:pos + n]
                pos += n
                append(nick[:8])
            elif r < 0.70:
                n = 2 + int(rnd() * 3)
                d = digits[int(rnd() * n_digits)] if rnd() < 0.75 else str(int(rnd() * 100))
                append((s[pos:pos + n] + d)[:8])
                pos += n
            elif r < 0.80:
                n = 1 + int(rnd() * 3)
                lat = short[int(rnd() * len(short))]
                v = rnd()
                if v < 0.4:
                    nick = lat + s[pos:pos + n]
                elif v < 0.75:
                    nick = s[pos:pos + n] + lat
                elif v < 0.9:
                    nick = "阿小老"[int(rnd() * 3)] + lat[0].upper()
                else:
                    nick = s[pos] + "的" + names[int(rnd() * n_names)]
                pos += n
                append(nick[:8])
            elif r < 0.92:
                v = rnd()
                if v < 0.45:
                    nick = names[int(rnd() * n_names)] + ("_" if rnd() < 0.5 else "") + digits[int(rnd() * n_digits)]
                elif v < 0.75:
                    nick = pinyin[int(rnd() * len(pinyin))] + str(int(rnd() * 1000))
                elif v < 0.9:
                    nick = names[int(rnd() * n_names)]
                else:
                    nick = names[int(rnd() * n_names)].lower() + str(int(rnd() * 100))
                append(nick[:8])
            else:
                pre = "小" if rnd() < 0.5 else ("阿" if rnd() < 0.7 else "老")
                c = cute[int(rnd() * len(cute))] if rnd() < 0.5 else s[pos]
                pos += 1
                if c in "小阿老":
                    c = cute[int(rnd() * len(cute))]
                tail = "呀酱哒儿哟"[int(rnd() * 5)] if rnd() < 0.25 else ""
                append(pre + c + c + tail)
        return out


_PREFIXES: dict[int, float] = {
    130: 4, 131: 4, 132: 4, 133: 3, 134: 3, 135: 6, 136: 6, 137: 6, 138: 7, 139: 7,
    145: 1, 147: 1, 149: 0.5,
    150: 4, 151: 4, 152: 4, 153: 3, 155: 3, 156: 3, 157: 3, 158: 5, 159: 5,
    162: 0.5, 165: 0.5, 166: 1, 167: 0.5,
    170: 0.5, 171: 0.5, 173: 1, 175: 0.5, 176: 1, 177: 1, 178: 1,
    180: 3, 181: 2, 182: 3, 183: 3, 184: 1, 185: 2, 186: 3, 187: 3, 188: 3, 189: 3,
    191: 1, 193: 0.5, 195: 0.5, 196: 0.5, 197: 0.5, 198: 1.5, 199: 1.5,
}
_PREFIX_LIST = list(_PREFIXES)
_PREFIX_POOL = _pool16(range(len(_PREFIX_LIST)), list(_PREFIXES.values()))

CHANNELS = ("appstore", "huawei", "xiaomi", "oppo", "vivo", "web", "wechat", "douyin_ad")
_CHANNEL_POOL = _pool16(range(len(CHANNELS)), (20, 14, 12, 11, 11, 6, 14, 12))

# Brands: 0 apple (ios), 1 huawei/honor (android), 2 harmony, 3 xiaomi, 4 oppo, 5 vivo, 6 other android
_PLATFORM_OF_BRAND = ("ios", "android", "harmony", "android", "android", "android", "android")
PLATFORMS = ("android", "ios", "harmony")
_MODELS: tuple[tuple[tuple[str, int], ...], ...] = (
    (("iPhone 6", 2014), ("iPhone 6s", 2015), ("iPhone 6s Plus", 2015), ("iPhone 7", 2016),
     ("iPhone 7 Plus", 2016), ("iPhone 8", 2017), ("iPhone X", 2017), ("iPhone XR", 2018),
     ("iPhone XS Max", 2018), ("iPhone 11", 2019), ("iPhone 11 Pro", 2019), ("iPhone 12", 2020),
     ("iPhone 12 Pro Max", 2020), ("iPhone 13", 2021), ("iPhone 13 Pro", 2021), ("iPhone 14", 2022),
     ("iPhone 14 Pro Max", 2022), ("iPhone 15", 2023), ("iPhone 15 Pro", 2023), ("iPhone 16", 2024),
     ("iPhone 16 Pro Max", 2024), ("iPad Air", 2020), ("iPhone 17 Pro", 2025)),
    (("HUAWEI Mate 7", 2014), ("HUAWEI P8", 2015), ("HUAWEI Mate 8", 2015), ("HUAWEI P9", 2016),
     ("HUAWEI Mate 9", 2016), ("HONOR 8", 2016), ("HUAWEI P10", 2017), ("HUAWEI Mate 10", 2017),
     ("HUAWEI P20", 2018), ("HUAWEI Mate 20", 2018), ("HONOR V20", 2018), ("HUAWEI P30", 2019),
     ("HUAWEI nova 5", 2019), ("HUAWEI Mate 30", 2019), ("HONOR 9X", 2019), ("HUAWEI P40", 2020),
     ("HUAWEI nova 7", 2020), ("HONOR 30", 2020), ("HONOR 50", 2021), ("HONOR 80", 2022),
     ("HONOR Magic5", 2023), ("HONOR X50", 2023), ("HONOR Magic6", 2024), ("HONOR 300", 2024)),
    (("HUAWEI Mate 40 Pro", 2020), ("HUAWEI P50", 2021), ("HUAWEI nova 9", 2021), ("HUAWEI Mate 50", 2022),
     ("HUAWEI nova 10", 2022), ("HUAWEI MatePad Pro", 2022), ("HUAWEI P60", 2023), ("HUAWEI Mate 60", 2023),
     ("HUAWEI Mate 60 Pro", 2023), ("HUAWEI nova 12", 2023), ("HUAWEI Mate X5", 2023),
     ("HUAWEI Pura 70", 2024), ("HUAWEI Mate 70", 2024), ("HUAWEI nova 13", 2024), ("HUAWEI Pura 80", 2025)),
    (("MI 4", 2014), ("MI Note", 2015), ("Redmi Note 3", 2016), ("MI 5", 2016), ("MI 6", 2017),
     ("Redmi Note 4X", 2017), ("MI 8", 2018), ("Redmi Note 7", 2019), ("MI 9", 2019), ("Redmi K30", 2020),
     ("Xiaomi 10", 2020), ("Redmi K40", 2021), ("Xiaomi 11", 2021), ("Redmi Note 11", 2022),
     ("Xiaomi 12", 2022), ("Xiaomi 13", 2022), ("Redmi K60", 2023), ("Xiaomi 14", 2023), ("Redmi K70", 2023),
     ("Xiaomi 15", 2024), ("Redmi K80", 2024)),
    (("OPPO R7", 2015), ("OPPO R9", 2016), ("OPPO R9s", 2016), ("OPPO R11", 2017), ("OPPO R15", 2018),
     ("OPPO A5", 2018), ("OPPO Reno", 2019), ("OPPO Reno3", 2019), ("OPPO Reno5", 2020), ("OPPO A93", 2020),
     ("OPPO Reno7", 2021), ("OnePlus 9", 2021), ("OPPO Find X5", 2022), ("OPPO Reno9", 2022),
     ("OPPO Find X6", 2023), ("OPPO Reno11", 2023), ("OnePlus 11", 2023), ("OPPO Find X7", 2024),
     ("OnePlus 12", 2024), ("OPPO Reno13", 2024)),
    (("vivo X5", 2015), ("vivo X6", 2015), ("vivo X7", 2016), ("vivo X9", 2016), ("vivo X20", 2017),
     ("vivo X21", 2018), ("vivo Y85", 2018), ("vivo X27", 2019), ("vivo S5", 2019), ("vivo X50", 2020),
     ("iQOO Neo3", 2020), ("vivo X60", 2021), ("iQOO Neo5", 2021), ("vivo S12", 2021), ("vivo X80", 2022),
     ("vivo X90", 2022), ("iQOO 11", 2022), ("vivo X100", 2023), ("iQOO 12", 2023), ("vivo S19", 2024),
     ("vivo X200", 2024)),
    (("Meizu MX5", 2015), ("Meizu PRO 6", 2016), ("Samsung Galaxy S7", 2016), ("Samsung Galaxy S8", 2017),
     ("Samsung Galaxy S10", 2019), ("Samsung Galaxy S21", 2021), ("realme GT", 2021),
     ("Samsung Galaxy S23", 2023), ("realme GT Neo5", 2023), ("Meizu 20", 2023)),
)
_MIX_BRANDS = _expand(range(7), (25, 10, 10, 15, 15, 15, 10), 100)


@cache
def _models_by_year() -> list[list[list[str]]]:
    """[brand][year - 2014] -> models on sale that year or up to 4 years before, newer ones likelier."""
    out = []
    for models in _MODELS:
        per_year = []
        for year in range(2014, 2027):
            cands = [(m, y) for m, y in models if year - 4 <= y <= year] or [min(models, key=lambda x: x[1])]
            per_year.append(_expand([m for m, _ in cands], [1.0 + 2 * (y - year + 4) for _, y in cands], 200))
        out.append(per_year)
    return out


ROOM_CATEGORIES: dict[str, float] = {
    "王者荣耀": 18, "英雄联盟": 12, "和平精英": 12, "原神": 6, "才艺": 16, "聊天": 12, "赛事": 3, "户外": 4,
    "音乐": 6, "舞蹈": 5, "永劫无间": 3, "绝地求生": 3, "三角洲行动": 2, "我的世界": 2,
}
_HEROES = {
    "王者荣耀": "李白 韩信 貂蝉 孙尚香 鲁班七号 澜 镜 公孙离 马超 瑶 诸葛亮 露娜 李元芳 蒙犽".split(),
    "英雄联盟": "亚索 劫 盲僧 伊泽瑞尔 瑞雯 卡莎 阿狸 永恩 薇恩 锐雯 艾克 卡特琳娜".split(),
    "原神": "胡桃 雷电将军 钟离 纳西妲 芙宁娜 甘雨 那维莱特 神里绫华 可莉".split(),
}
_ROOM_TITLES = {
    "王者荣耀": ["国服{h}冲百星", "巅峰赛{n}分上分中", "{h}教学，不会的进来看", "星耀局带粉上分", "今天不上王者不下播",
               "KPL赛事复盘", "{h}绝活哥在线", "五排开黑，缺个辅助"],
    "英雄联盟": ["峡谷之巅{h}单排", "大师局{h}教学", "国服第一{h}", "LPL观赛聊天", "艾欧尼亚钻一冲大师", "大乱斗娱乐局"],
    "和平精英": ["海岛四排吃鸡", "单人四排，王牌冲刺", "今晚吃鸡，大吉大利", "战神局，不秀不下播", "M416压枪教学"],
    "原神": ["深渊满星攻略", "{h}抽卡，出金就下播", "原神摸鱼聊天", "新版本剧情一起看", "提瓦特钓鱼日常"],
    "才艺": ["唱歌给你听", "古风弹唱，点歌请留言", "吉他弹唱 | 点歌", "深夜电台", "二胡演奏", "学跳舞第{n}天"],
    "聊天": ["陪你聊天到天亮", "深夜树洞，说说你的故事", "新人主播求关注", "情感咨询，免费连麦", "今天也要开心鸭",
           "下班了，来聊聊"],
    "赛事": ["KPL春季赛官方直播", "LPL夏季赛第一视角", "英雄联盟全球总决赛观赛", "和平精英PEL职业联赛", "王者荣耀世界冠军杯"],
    "户外": ["成都街头漫步", "川西自驾第{n}天", "夜市探店", "钓鱼佬的快乐", "爬泰山看日出", "重庆洪崖洞夜景"],
    "音乐": ["原创音乐分享", "钢琴弹唱", "点歌台开张", "KTV金曲串烧", "民谣小酒馆"],
    "舞蹈": ["宅舞练习", "韩舞翻跳", "古典舞基本功", "每日一舞", "街舞练习室"],
    "永劫无间": ["永劫无间天人局", "振刀教学", "三排冲榜"],
    "绝地求生": ["绝地求生四排", "单排艾伦格", "吃鸡技术流"],
    "三角洲行动": ["三角洲行动跑刀", "航天基地摸金", "新赛季上分"],
    "我的世界": ["我的世界生存第{n}天", "红石教学", "建个大城堡"],
}

_CHAT_LINES = (
    "666", "主播好帅", "哈哈哈哈", "这波操作可以", "上分上分", "来了来了", "主播晚上好", "前排", "好听", "再来一首",
    "卧槽", "牛啊", "太强了", "下饭操作", "求带", "主播几段了", "这把稳了", "打野在干嘛", "中路不要送了", "晚安主播",
    "主播吃饭了吗", "第一次来，关注了", "刷一波礼物", "yyds", "awsl", "绝绝子", "+1", "？？？", "笑死我了",
    "主播声音好好听", "这是什么神仙操作", "又菜又爱玩", "我来晚了", "有人吗", "主播加油！", "稳住我们能赢",
    "这波不亏", "可以可以", "好家伙", "离谱", "哈哈哈哈哈哈哈", "主播今天播多久", "点歌《晴天》", "求BGM",
    "主播是哪里人", "下次一定", "关注了关注了", "礼物走一波", "这游戏太难了", "主播别送了", "我也想要",
    "啊啊啊啊啊", "冲冲冲", "芜湖起飞", "真的假的", "学到了", "已三连", "主播好可爱", "舔屏", "泪目",
    "老粉签到", "打卡", "签到", "早上好", "晚上好呀", "今天好早", "明天还播吗", "主播有对象吗", "别走位了",
    "开团开团", "输了怪我", "这个皮肤好看", "哪里买的", "求链接", "好看好看", "妈妈问我为什么跪着看直播",
)
_CHAT_POOL = _expand(_CHAT_LINES, [max(1.0, 40.0 / (i + 1)) for i in range(len(_CHAT_LINES))], 2000)
_CHAT_BY_CATEGORY = {
    "王者荣耀": ("这个{h}有点东西", "国服{h}?", "别越塔了", "蓝buff给我", "暴君要刷了", "一波了一波了", "上王者了吗"),
    "英雄联盟": ("{h}玩得真6", "这波闪现没交好", "小龙团打不打", "大龙！大龙！", "补刀好稳"),
    "和平精英": ("这枪法绝了", "有人在房区", "舔包舔包", "决赛圈稳住", "三级头给我"),
    "原神": ("出金了吗", "歪了歪了", "这深渊怎么打", "{h}好可爱", "保底了"),
    "才艺": ("唱得太好听了", "再来一首", "点歌《稻香》", "声音好温柔", "哭了"),
    "聊天": ("主播说得对", "我也是这样", "抱抱", "晚安", "今天好累啊"),
    "赛事": ("冲啊！", "这波团战赢了", "MVP实至名归", "冠军！", "裁判呢"),
}
_CHAT_ADS = ("加V领福利", "代练上分私聊", "免费领皮肤点我主页", "兼职日结加qq", "低价出号私聊")
_EMOJI = ("😂", "👍", "❤️", "🔥", "🤣", "😭", "👏", "🐮")
_IP_PREFIXES = ("36.112", "39.144", "42.48", "58.16", "60.0", "101.80", "106.120", "111.0", "112.0", "113.64",
                "114.80", "115.192", "116.224", "117.136", "119.0", "120.192", "121.0", "122.96", "123.112",
                "124.64", "125.32", "180.96", "182.32", "183.0", "211.136", "218.0", "219.128", "220.160",
                "221.192", "222.128", "223.104")

_SANCTION_REASONS = {
    "gag": ("辱骂主播", "刷屏", "辱骂其他用户", "恶意带节奏", "发布引战言论", "人身攻击", "低俗言论"),
    "block": ("辱骂主播", "恶意刷屏", "骚扰主播", "剧透", "广告引流"),
    "ban": ("广告引流", "涉政敏感", "冒充官方", "诈骗", "色情低俗", "盗号", "多次违规", "外挂宣传", "恶意举报"),
    "warn": ("言语不当", "刷屏", "昵称违规", "头像违规", "轻微辱骂"),
}
_REASON_TAILS = ("", "", "", "，多次警告无效", "（用户举报）", "（系统识别）", "，已截图留证")

_NOTES = (
    "用户来电申诉封禁，已核实为误封，转房管复核。",
    "用户反馈充值未到账，订单号 {order}，已转财务核实。",
    "用户要求注销账号，已告知注销流程及冷静期。",
    "疑似小号，与其他账号共用设备，持续观察。",
    "用户称手机号被他人冒用注册，已建议修改密码并核实身份。",
    "用户投诉主播辱骂，已截图转房管处理。",
    "未成年人家长来电要求退款，已登记，等待审核。",
    "用户反馈收不到验证码，已确认运营商拦截，建议稍后重试。",
    "用户申请解除禁言，承诺不再刷屏，已口头警告。",
    "大额打赏用户，注意服务态度，有问题优先处理。",
    "用户反馈直播卡顿，已收集设备和网络信息转技术。",
    "用户举报他人诈骗，已提交证据给安全团队。",
)

_PUSHES = (
    ("今晚8点 KPL 春季赛总决赛", "冠军之夜，锁定直播间，一起见证王者诞生！", {"tag": ["active_7d"]}),
    ("你关注的主播开播啦", "快来围观，晚了就抢不到前排了～", {"tag": ["active_30d"]}),
    ("新人专享福利", "注册满3天送你一张钻石礼包，点击领取", {"tag": ["new_user_3d"]}),
    ("好久不见，我们想你了", "回归即送 7 天贵族体验卡", {"tag": ["lapsed_30d"]}),
    ("周末狂欢夜", "才艺主播连麦 PK，赢的一方送你好礼", {"tag": ["category_才艺"]}),
    ("王者荣耀新赛季开启", "上分主播已就位，跟着大神冲国服", {"tag": ["category_王者荣耀"]}),
    ("原神新版本前瞻", "主播带你抢先看新角色，一起抽卡", {"tag": ["category_原神"]}),
    ("系统维护通知", "今晚 02:00-04:00 系统维护，期间暂停直播", {"tag": ["active_30d"]}),
    ("签到赢好礼", "连续签到 7 天，送限定头像框", {"tag": ["active_7d"]}),
    ("LPL 夏季赛开打", "第一视角观赛，弹幕一起聊", {"tag": ["category_英雄联盟"]}),
    ("和平精英 PEL 决赛", "今晚 19:00 准时开战", {"tag": ["category_和平精英"]}),
    ("你有一份礼物待领取", "点击查看你的专属福利", {"tag_and": ["active_30d", "ios"]}),
    ("你有一份礼物待领取", "点击查看你的专属福利", {"tag_and": ["active_30d", "android"]}),
    ("中秋快乐", "月圆之夜，主播陪你赏月聊天", {"tag": ["active_30d"]}),
    ("春节红包雨", "除夕夜 20:00 起，每小时一轮红包雨", {"tag": ["active_90d"]}),
    ("防骗提醒", "官方不会私信索要密码和验证码，谨防诈骗", {"tag": ["active_30d"]}),
    ("新功能上线", "直播间支持弹幕屏蔽词啦，快去设置", {"tag": ["active_7d"]}),
    ("年度盛典投票开启", "为你喜欢的主播投上一票", {"tag": ["active_30d"]}),
)

_SMS_TEMPLATES = {"register": "SMS_216427810", "verify": "SMS_216427811", "reset": "SMS_216427812"}
_SMS_CAMPAIGN_TEMPLATES = ("SMS_230184521", "SMS_230184633", "SMS_231905217", "SMS_245512083", "SMS_252207741")
_SMS_SUBMIT_ERRORS = ("isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL", "isv.MOBILE_NUMBER_ILLEGAL",
                      "isv.AMOUNT_NOT_ENOUGH")
_SMS_DELIVERY_ERRORS = ("MOBILE_NOT_ON_SERVICE", "MOBILE_IN_BLACK", "MOBILE_TERMINAL_ERROR", "USER_REJECT")

_REVEAL_REASONS = ("用户来电核实身份", "账号申诉核实", "配合公安机关调取（工单 {n}）", "充值纠纷核实", "实名认证人工审核")
_CUT_REASONS = ("直播内容低俗", "未成年人出镜", "直播中吸烟", "播放未授权赛事画面", "引导私下交易", "涉政敏感内容")

_B32 = "0123456789ABCDEFGHJKLMNPQRSTUVWX"
_B32_2 = [a + b for a in _B32 for b in _B32]


# --- the generator --------------------------------------------------------------------------

@dataclass(frozen=True)
class TableLoad:
    table: str
    columns: tuple[str, ...]
    chunks: Iterator[list[Row]]
    expected: int


_HARMONY_FROM = _epoch(2021, 6, 1)
_FAR = _epoch(2027, 1, 1)
_OPERATOR_SINCE = START - 30 * DAY


class _Generator:
    """Row chunks per table, in load order. Later tables use what earlier ones recorded
    (registration times, activity, phones, platforms, rooms), so consume the tables in order.

    ``ts`` turns epoch seconds into what the database driver takes for a UTC timestamp.
    """

    def __init__(self, n_users: int, seed: int, ts: Callable[[int], Any], bases: dict[str, int]) -> None:
        self.n = n_users
        self.seed = seed
        self.ts = ts
        self.bases = bases
        self.reg = array("q")
        self.last = array("q")
        self.prefix = bytearray()
        self.channel = bytearray()
        self.platform = bytearray()  # index into PLATFORMS of each user's first device
        self.banned: list[int] = []
        self.rooms: list[tuple[int, int, str, str, int]] = []  # id, owner index, category, state, created
        self.sanctions: list[Row] = []  # (id, starts, *row)
        self.notes: list[tuple[int, int, int, str, str]] = []  # id, at, user id, author, body
        self.pushes: list[tuple[int, int]] = []  # id, sent
        setup = self._rng("phones")
        a = setup.randrange(10**7, 10**8) | 1
        while a % 5 == 0:
            a += 2
        self.phone_a, self.phone_b = a, setup.randrange(10**8)
        self.counts: dict[str, int] = {}

    def _rng(self, table: str) -> random.Random:
        return random.Random(f"shihou-seed/{self.seed}/{table}")

    @property
    def n_rooms(self) -> int:
        return min(self.n, max(20, self.n // 200))

    @property
    def n_chat(self) -> int:
        return min(2 * self.n, MAX_CHAT)

    def loads(self) -> Iterator[TableLoad]:
        n = self.n
        if n == 0:
            yield TableLoad("audit_log", _AUDIT_COLUMNS, self._audit(), 0)
            return
        yield TableLoad("users", ("id", "phone", "nickname", "registered_at", "channel", "status", "last_active_at"),
                        self._users(), n)
        yield TableLoad("nickname_history", ("id", "user_id", "nickname", "changed_at"), self._history(), n // 2)
        yield TableLoad("devices", ("id", "user_id", "device_id", "platform", "model", "first_seen", "last_seen"),
                        self._devices(), n * 135 // 100)
        yield TableLoad("rooms", ("id", "owner_id", "title", "category", "stream_name", "state", "created_at",
                                  "updated_at"), self._rooms(), self.n_rooms)
        yield TableLoad("sanctions", ("id", "user_id", "room_id", "kind", "scope", "reason", "issued_by", "starts_at",
                                      "ends_at", "lifted_by", "lifted_at"), self._sanctions(), n * 45 // 1000)
        yield TableLoad("chat_messages", ("id", "msg_uid", "from_user_id", "to_user_id", "object_name", "content",
                                          "channel_type", "msg_timestamp", "sensitive_type", "source", "client_ip",
                                          "received_at"), self._chat(), self.n_chat)
        yield TableLoad("pushes", ("id", "cid", "msg_id", "title", "body", "audience", "created_by", "state",
                                   "created_at", "sent_at"), self._pushes(), N_PUSHES)
        yield TableLoad("push_recipients", ("push_id", "user_id", "platform", "status", "received_at", "clicked_at"),
                        self._push_recipients(), n)
        yield TableLoad("sms_messages", ("id", "user_id", "phone", "template_code", "purpose", "out_id", "biz_id",
                                         "status", "error_code", "sent_at", "delivered_at"), self._sms(), n * 123 // 100)
        yield TableLoad("support_notes", ("id", "user_id", "author", "body", "created_at"), self._notes(),
                        max(1, n // 200))
        yield TableLoad("audit_log", _AUDIT_COLUMNS, self._audit(), 400)

    def _done(self, table: str, rows: list[Row]) -> list[Row]:
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        return rows

    # users ---------------------------------------------------------------------------------

    def _users(self) -> Iterator[list[Row]]:
        rng = self._rng("users")
        rnd = rng.random
        nicks = _Nicknames(rng)
        n, ts, warp = self.n, self.ts, _day_warp()
        span = END - 1 - START
        reg, last, banned = self.reg, self.last, self.banned
        pa, pb = self.phone_a, self.phone_b
        plist = [p * 100_000_000 for p in _PREFIX_LIST]
        chans = CHANNELS
        end, month = END - 1, 30 * DAY
        reg_append, last_append = reg.append, last.append
        for a in range(0, n, CHUNK):
            m = min(CHUNK, n - a)
            pre = list(map(_PREFIX_POOL.__getitem__, _draw16(rng, m)))
            chn = list(map(_CHANNEL_POOL.__getitem__, _draw16(rng, m)))
            names = nicks.batch(m)
            rows: list[Row] = []
            append = rows.append
            for k in range(m):
                i = a + k
                # stratified on a growth curve: user i lands in [i, i+1)/n, so times come sorted;
                # the warp moves each time within its (China) day towards the evening
                q, r = divmod(START + int(span * ((i + rnd()) / n) ** 0.62) + _CST, DAY)
                t = q * DAY + warp[r] - _CST
                if rnd() < 0.35:
                    la = end - int(rnd() * month)
                    if la < t:
                        la = t + int((end - t) * rnd())
                else:
                    la = t + int((end - t) * rnd() ** 2.2)
                status = "active"
                if rnd() < 0.008:
                    status = "banned"
                    banned.append(i)
                reg_append(t)
                last_append(la)
                append((FIRST_USER_ID + i, str(plist[pre[k]] + (i * pa + pb) % 100_000_000), names[k],
                        ts(t), chans[chn[k]], status, ts(la)))
            self.prefix.extend(pre)
            self.channel.extend(chn)
            yield self._done("users", rows)

    def phone(self, i: int) -> str:
        return str(_PREFIX_LIST[self.prefix[i]] * 100_000_000 + (i * self.phone_a + self.phone_b) % 100_000_000)

    def _history(self) -> Iterator[list[Row]]:
        rng = self._rng("nickname_history")
        rnd = rng.random
        nicks = _Nicknames(rng)
        ts, reg, last = self.ts, self.reg, self.last
        nid = self.bases["nickname_history"]
        for a in range(0, self.n, CHUNK):
            b = min(self.n, a + CHUNK)
            names = nicks.batch((b - a) * 3 // 4)
            j = 0
            rows: list[Row] = []
            append = rows.append
            for i in range(a, b):
                v = rnd()
                if v < 0.65:
                    continue
                t0 = reg[i] + 60
                span = last[i] - t0
                uid = FIRST_USER_ID + i
                if v < 0.87:
                    times = [t0 + int(span * rnd())]
                else:
                    times = sorted(t0 + int(span * rnd()) for _ in range(2 if v < 0.96 else 3))
                if j + 3 > len(names):
                    names = nicks.batch(1000)
                    j = 0
                for t in times:
                    nid += 1
                    append((nid, uid, names[j], ts(t)))
                    j += 1
            yield self._done("nickname_history", rows)

    def _devices(self) -> Iterator[list[Row]]:
        rng = self._rng("devices")
        rnd, getrandbits = rng.random, rng.getrandbits
        ts, reg, last, channel = self.ts, self.reg, self.last, self.channel
        models = _models_by_year()
        plat_of_brand = _PLATFORM_OF_BRAND
        plat_index = {p: k for k, p in enumerate(PLATFORMS)}
        mix, n_mix = _MIX_BRANDS, len(_MIX_BRANDS)
        platform = self.platform
        did = self.bases["devices"]
        recent: list[tuple[str, str, str]] = []  # devices an alternate account may pick up
        uses: dict[str, int] = {}

        def new_device(ch: int, t: int) -> tuple[str, str, str]:
            if ch == 0:
                brand = 0
            elif ch == 1:
                brand = 2 if t >= _HARMONY_FROM and rnd() < 0.75 else 1
            elif ch <= 4:
                brand = ch + 1
            else:
                brand = mix[int(rnd() * n_mix)]
                if brand == 2 and t < _HARMONY_FROM:
                    brand = 1
            names = models[brand][(t - START) // _YEAR + 1]
            plat = plat_of_brand[brand]
            if plat == "android":
                return f"{getrandbits(64):016x}", plat, names[int(rnd() * len(names))]
            h = f"{getrandbits(128):032X}" if plat == "ios" else f"{getrandbits(128):032x}"
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}", plat, names[int(rnd() * len(names))]

        for a in range(0, self.n, CHUNK):
            b = min(self.n, a + CHUNK)
            rows: list[Row] = []
            append = rows.append
            for i in range(a, b):
                t0, t1 = reg[i], last[i]
                uid = FIRST_USER_ID + i
                if recent and rnd() < 0.02:  # an alternate account on someone's phone
                    dev, plat, model = recent[int(rnd() * len(recent))]
                    u = uses.get(dev, 1)
                    if u >= 3:
                        dev, plat, model = new_device(channel[i], t0)
                    else:
                        uses[dev] = u + 1
                else:
                    dev, plat, model = new_device(channel[i], t0)
                platform.append(plat_index[plat])
                if rnd() < 0.35 and t1 - t0 > 2 * DAY:
                    t2 = t0 + DAY + int((t1 - t0 - DAY) * rnd())
                    append((did + 1, uid, dev, plat, model, ts(t0), ts(t2)))
                    dev2, plat2, model2 = new_device(5 if rnd() < 0.5 else channel[i], t2)
                    append((did + 2, uid, dev2, plat2, model2, ts(t2), ts(t1)))
                    did += 2
                else:
                    did += 1
                    append((did, uid, dev, plat, model, ts(t0), ts(t1)))
                if len(recent) < 200:
                    recent.append((dev, plat, model))
                else:
                    recent[int(rnd() * 200)] = (dev, plat, model)
            yield self._done("devices", rows)

    # rooms and sanctions ------------------------------------------------------------------

    def _rooms(self) -> Iterator[list[Row]]:
        rng = self._rng("rooms")
        rnd = rng.random
        ts, reg = self.ts, self.reg
        cats = _expand(list(ROOM_CATEGORIES), list(ROOM_CATEGORIES.values()))
        made = []
        for o in rng.sample(range(self.n), self.n_rooms):
            created = reg[o] + DAY + int((END - 2 * DAY - reg[o]) * rnd() ** 1.5)
            made.append((max(reg[o] + 60, min(created, END - DAY)), o))
        made.sort()
        rid = self.bases["rooms"]
        banned = set(self.banned)
        rows: list[Row] = []
        for created, o in made:
            rid += 1
            cat = cats[int(rnd() * len(cats))]
            title = rng.choice(_ROOM_TITLES[cat]).format(h=rng.choice(_HEROES.get(cat, ["主播"])),
                                                         n=rng.randrange(2, 400))
            v = rnd()
            state = "live" if v < 0.15 else "cut" if v < 0.18 else "offline"
            if o in banned and state == "live":
                state = "cut"
            if state == "live":
                updated = END - 1 - int(rnd() * 5 * 3600)
            else:
                updated = created + int((END - 1 - created) * rnd() ** 0.3)
            rows.append((rid, FIRST_USER_ID + o, title, cat, f"room_{FIRST_USER_ID + o}", state, ts(created),
                         ts(updated)))
            self.rooms.append((rid, o, cat, state, created))
        yield self._done("rooms", rows)

    def _room_weights(self, rng: random.Random, live_boost: float) -> list[float]:
        """Cumulative popularity of self.rooms: Zipf over a random ranking, live rooms boosted."""
        rooms = self.rooms
        order = list(range(len(rooms)))
        rng.shuffle(order)
        weights = [0.0] * len(rooms)
        for rank, k in enumerate(order):
            weights[k] = (live_boost if rooms[k][3] == "live" else 1.0) / (rank + 1) ** 0.9
        return _cum(weights)

    def _room_picker(self, rng: random.Random, live_boost: float) -> Callable[[int], int]:
        """Index into self.rooms of a room that existed at time t."""
        rooms = self.rooms
        cum = self._room_weights(rng, live_boost)
        top = cum[-1]
        rnd = rng.random
        bis = bisect.bisect

        def pick(t: int) -> int:
            for _ in range(6):
                k = bis(cum, rnd() * top)
                if rooms[k][4] <= t:
                    return k
            return 0

        return pick

    def _sanctions(self) -> Iterator[list[Row]]:
        rng = self._rng("sanctions")
        rnd = rng.random
        ts, reg, last, rooms = self.ts, self.reg, self.last, self.rooms
        pick_room = self._room_picker(rng, 2.0)
        banned = set(self.banned)
        want = max(0, round(self.n * 0.03) - len(banned))
        others = [i for i in rng.sample(range(self.n), min(self.n, want + len(banned))) if i not in banned][:want]

        def reason(kind: str) -> str:
            return rng.choice(_SANCTION_REASONS[kind]) + rng.choice(_REASON_TAILS)

        def issuer() -> str:
            return "demo-mod" if rnd() < 0.75 else "demo-admin"

        out: list[tuple[int, Row]] = []  # (starts, row without id)
        ends: int | None
        for i in sorted(banned):
            t0, t1 = reg[i], last[i]
            start = t1 - int(rnd() * min(3600, max(1, t1 - t0)))
            for _ in range(0 if rnd() < 0.6 else 1 + int(rnd() * 2)):  # earlier gags
                ps = t0 + int((start - t0) * rnd())
                out.append((ps, (FIRST_USER_ID + i, rooms[pick_room(ps)][0], "gag", "room", reason("gag"), issuer(),
                                 ts(ps), ts(ps + rng.choice((600, 3600, DAY))), None, None)))
            ends = None if rnd() < 0.6 else _FAR + int(rnd() * 4 * 365 * DAY)
            out.append((start, (FIRST_USER_ID + i, None, "ban", rng.choice(("app", "global")), reason("ban"),
                                issuer(), ts(start), None if ends is None else ts(ends), None, None)))
        for i in others:
            t0, t1 = reg[i], last[i]
            for _ in range(1 if rnd() < 0.65 else 2 if rnd() < 0.7 else 3):
                start = t0 + int((t1 - t0) * rnd())
                v = rnd()
                kind = "gag" if v < 0.45 else "block" if v < 0.65 else "warn" if v < 0.85 else "ban"
                if kind == "gag":
                    scope = "room" if rnd() < 0.6 else "global"
                    ends = start + rng.choice((600, 1800, 3600, 6 * 3600, DAY, 3 * DAY, 7 * DAY))
                elif kind == "block":
                    scope = "room"
                    ends = None if rnd() < 0.5 else start + rng.choice((30, 90, 365, 730, 1095)) * DAY
                elif kind == "warn":
                    scope, ends = "global", start
                else:
                    scope, ends = "app", start + rng.choice((1, 3, 7, 30)) * DAY
                room = rooms[pick_room(start)][0] if scope == "room" else None
                lifted_by = lifted_at = None
                if kind != "warn" and rnd() < 0.15:  # lifted early: an appeal, a mistake
                    until = min(END - 1, ends if ends is not None else start + 30 * DAY)
                    lifted_at = ts(start + 60 + int(max(60, until - start - 60) * rnd()))
                    lifted_by = "demo-admin" if rnd() < 0.6 else "demo-mod"
                out.append((start, (FIRST_USER_ID + i, room, kind, scope, reason(kind), issuer(), ts(start),
                                    None if ends is None else ts(ends), lifted_by, lifted_at)))
        out.sort(key=lambda x: x[0])
        sid = self.bases["sanctions"]
        rows: list[Row] = []
        for start, r in out:
            sid += 1
            rows.append((sid, *r))
            self.sanctions.append((sid, start, *r))
        yield self._done("sanctions", rows)

    # chat ----------------------------------------------------------------------------------

    def _chat(self) -> Iterator[list[Row]]:
        """Chatroom lines of the last 400 days, in time order, from users registered by then."""
        rng = self._rng("chat_messages")
        rnd = rng.random
        ts, reg, last, platform, channel = self.ts, self.reg, self.last, self.platform, self.channel
        warp = _day_warp()
        total = self.n_chat
        c0 = END - 400 * DAY
        span = END - 1 - c0
        rooms = self.rooms
        cum = self._room_weights(rng, 4.0)
        top, bis = cum[-1], bisect.bisect
        created = [r[4] for r in rooms]
        room_ids = [str(r[0]) for r in rooms]
        room_lines = [_CHAT_BY_CATEGORY.get(r[2], _CHAT_BY_CATEGORY["聊天"]) for r in rooms]
        room_heroes = [_HEROES.get(r[2], ("主播",)) for r in rooms]
        lines, n_lines = _CHAT_POOL, len(_CHAT_POOL)
        ads, n_ads, emoji = _CHAT_ADS, len(_CHAT_ADS), _EMOJI
        sources = ("Android", "iOS", "HarmonyOS")
        ips = [f"{p}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for p in _IP_PREFIXES for _ in range(256)]
        n_ips = len(ips)
        t32 = _B32_2
        n_users = self.n
        hi = 0
        mid = self.bases["chat_messages"]
        salt = rng.getrandbits(40)
        regulars: list[int] = []
        top_key, top_str = -1, ""
        for a in range(0, total, CHUNK):
            b = min(total, a + CHUNK)
            rows: list[Row] = []
            append = rows.append
            for j in range(a, b):
                q, r = divmod(c0 + int(span * ((j + rnd()) / total) ** 0.8) + _CST, DAY)
                t = q * DAY + warp[r] - _CST
                while hi < n_users and reg[hi] <= t:
                    hi += 1
                if hi == 0:
                    continue
                if regulars and rnd() < 0.4:
                    u = regulars[int(rnd() * len(regulars))]
                else:
                    u = int(rnd() * hi)
                    if last[u] < t:  # prefer someone still active then
                        u = int(rnd() * hi)
                        if last[u] < t:
                            u = int(rnd() * hi)
                    if len(regulars) < 3000:
                        regulars.append(u)
                    elif rnd() < 0.02:
                        regulars[int(rnd() * 3000)] = u
                k = bis(cum, rnd() * top)
                if created[k] > t:
                    k = bis(cum, rnd() * top)
                    if created[k] > t:
                        k = 0
                v = rnd()
                sensitive = 0
                if v < 0.2:
                    text = ("6", "哈", "？", "1", "+1", "草")[int(rnd() * 6)] * (1 + int(rnd() * 7))
                elif v < 0.45:
                    cl = room_lines[k]
                    text = cl[int(rnd() * len(cl))]
                    if "{h}" in text:
                        hs = room_heroes[k]
                        text = text.replace("{h}", hs[int(rnd() * len(hs))])
                elif v < 0.985:
                    text = lines[int(rnd() * n_lines)]
                    w = rnd()
                    if w < 0.08:
                        text += emoji[int(rnd() * 8)]
                    elif w < 0.11:
                        text = "@主播 " + text
                elif v < 0.993:
                    text = f"{ads[int(rnd() * n_ads)]} {10_000_000 + int(rnd() * 9e8)}"
                    sensitive = 1
                else:
                    text = ads[int(rnd() * n_ads)][:2] + "***"
                    sensitive = 2
                ms = t * 1000 + int(rnd() * 1000)
                # RongCloud-style msgUID, 16 base-32 digits: the time on top (uids, like ids, follow
                # time), then the sequence number scrambled by an odd multiplier, unique mod 2**40
                m = ms - 2**40
                if m >> 20 != top_key:
                    top_key = m >> 20
                    top_str = t32[top_key >> 10] + t32[top_key & 1023] + "-"
                c = (j * 0x5DEECE66D + salt) & 0xFFFFFFFFFF
                mid += 1
                append((mid, top_str + t32[(m >> 10) & 1023] + t32[m & 1023] + "-" + t32[c >> 30]
                        + t32[(c >> 20) & 1023] + "-" + t32[(c >> 10) & 1023] + t32[c & 1023],
                        str(FIRST_USER_ID + u), room_ids[k], "RC:TxtMsg", text, "TEMPGROUP", ms, sensitive,
                        "Websocket" if channel[u] == 5 else sources[platform[u]], ips[(u * 2654435761) % n_ips],
                        ts((ms + 30 + int(rnd() * 400)) // 1000)))
            yield self._done("chat_messages", rows)

    # pushes --------------------------------------------------------------------------------

    def _pushes(self) -> Iterator[list[Row]]:
        rng = self._rng("pushes")
        rnd = rng.random
        ts, dumps = self.ts, json.dumps
        p0 = END - 2 * 365 * DAY
        times = sorted(p0 + int((END - DAY - p0) * rnd()) for _ in range(N_PUSHES))
        pid = self.bases["pushes"]
        rows: list[Row] = []
        for k, t in enumerate(times):
            pid += 1
            t = t - (t + _CST) % DAY + 19 * 3600 + int(rnd() * 3 * 3600) - _CST  # 19:00-22:00 China time
            title, body, audience = _PUSHES[k] if k < len(_PUSHES) else rng.choice(_PUSHES)
            by = "demo-ops" if rnd() < 0.8 else "demo-admin"
            sent = t + 30 + int(rnd() * 300)
            h = f"{rng.getrandbits(128):032x}"
            cid = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(rnd() * 4)]}{h[17:20]}-{h[20:]}"
            rows.append((pid, cid, str(rng.randrange(10**16, 10**17)), title, body, dumps(audience), by, "done",
                         ts(t), ts(sent)))
            self.pushes.append((pid, sent))
        yield self._done("pushes", rows)

    def _push_recipients(self) -> Iterator[list[Row]]:
        rng = self._rng("push_recipients")
        rnd = rng.random
        ts, reg, last, platform = self.ts, self.reg, self.last, self.platform
        weights = [rng.uniform(0.3, 1.7) for _ in self.pushes]
        wsum = sum(weights) or 1.0
        rows: list[Row] = []
        for (pid, sent), w in zip(self.pushes, weights, strict=True):
            hi = bisect.bisect(reg, sent)
            want = min(int(self.n * w / wsum), hi * 9 // 10)
            if want <= 0:
                continue
            cands = rng.sample(range(hi), min(hi, want * 2 + 10))
            recent = sent - 30 * DAY
            picked = [u for u in cands if last[u] >= recent][:want]
            if len(picked) < want:
                chosen = set(picked)
                picked += [u for u in cands if u not in chosen][: want - len(picked)]
            picked.sort()
            for u in picked:
                v = rnd()
                uid = FIRST_USER_ID + u
                plat = PLATFORMS[platform[u]]
                if v < 0.06:
                    rows.append((pid, uid, plat, "failed", None, None))
                else:
                    got = sent + 1 + int(rnd() ** 3 * 6 * 3600)
                    if v < 0.20:
                        rows.append((pid, uid, plat, "clicked", ts(got), ts(got + 2 + int(rnd() * 1800))))
                    else:
                        rows.append((pid, uid, plat, "received", ts(got), None))
                if len(rows) >= CHUNK:
                    yield self._done("push_recipients", rows)
                    rows = []
        yield self._done("push_recipients", rows)

    # sms -----------------------------------------------------------------------------------

    def _sms(self) -> Iterator[list[Row]]:
        """A code at every registration, login/reset codes over time, a few marketing batches;
        merged into one time-ordered stream so ids follow time."""
        rng = self._rng("sms_messages")
        rnd = rng.random
        ts, reg, last = self.ts, self.reg, self.last
        n = self.n

        def registrations() -> Iterator[tuple[int, int, int]]:
            for i in range(n):
                t = reg[i] - 20 - int(rnd() * 100)
                if rnd() < 0.03:  # the first code did not arrive; the user asked again
                    yield t - 70, i, -1
                yield t, i, 0

        def verifications() -> Iterator[tuple[int, int, int]]:
            total = n * 12 // 100
            hi = 0
            for j in range(total):
                t = START + int((END - 1 - START) * ((j + rnd()) / total) ** 0.5)
                while hi < n and reg[hi] <= t:
                    hi += 1
                if hi == 0:
                    continue
                if rnd() < 0.02:
                    yield t, -1, 1  # a number that never registered
                    continue
                u = int(rnd() * hi)
                if last[u] < t:
                    u = int(rnd() * hi)
                yield t, u, 2 if rnd() < 0.2 else 1

        def campaigns() -> Iterator[tuple[int, int, int]]:
            c0 = END - 500 * DAY
            starts = sorted(c0 + int((END - 2 * DAY - c0) * rnd()) for _ in _SMS_CAMPAIGN_TEMPLATES)
            per = n * 8 // 100 // len(starts)
            for k, s in enumerate(starts):
                s = s - (s + _CST) % DAY + 10 * 3600 - _CST  # 10:00 China time
                hi = bisect.bisect(reg, s)
                # the gateway takes ~100 a second: the batch spreads out, still in time order
                for j, u in enumerate(sorted(rng.sample(range(hi), min(hi, per)))):
                    yield s + j // 100, u, 10 + k

        kinds = (("SMS_216427810", "register"), ("SMS_216427811", "verify"), ("SMS_216427812", "verify"))
        campaign = [(code, "campaign") for code in _SMS_CAMPAIGN_TEMPLATES]
        submit_errors, delivery_errors = _SMS_SUBMIT_ERRORS, _SMS_DELIVERY_ERRORS
        getrandbits = rng.getrandbits
        sid = self.bases["sms_messages"]
        rows: list[Row] = []
        append = rows.append
        recent = END - DAY
        for t, u, kind in heapq.merge(registrations(), verifications(), campaigns()):
            sid += 1
            if u < 0:
                phone, uid = str(170_0000_0000 + int(rnd() * 1e8)), None
            else:
                phone, uid = self.phone(u), FIRST_USER_ID + u
            template, purpose = kinds[kind] if 0 <= kind < 10 else campaign[kind - 10] if kind >= 10 else kinds[0]
            out_id = f"{t:08x}{sid & 0xFFFFFFF:07x}"
            v = rnd()
            if kind == -1 or v < 0.015:  # refused by the gateway: no BizId
                append((sid, uid, phone, template, purpose, out_id, None, "failed",
                        submit_errors[int(rnd() * len(submit_errors))], ts(t), None))
            elif v < 0.03:  # accepted, not delivered
                append((sid, uid, phone, template, purpose, out_id, f"{10**17 + getrandbits(59)}^0", "failed",
                        delivery_errors[int(rnd() * len(delivery_errors))], ts(t), None))
            elif t > recent and v < 0.2:  # no receipt yet
                append((sid, uid, phone, template, purpose, out_id, f"{10**17 + getrandbits(59)}^0", "sent", None,
                        ts(t), None))
            else:
                append((sid, uid, phone, template, purpose, out_id, f"{10**17 + getrandbits(59)}^0", "delivered",
                        None, ts(t), ts(t + 2 + int(rnd() ** 4 * 60))))
            if len(rows) >= CHUNK:
                yield self._done("sms_messages", rows)
                rows = []
                append = rows.append
        yield self._done("sms_messages", rows)

    # notes and audit -----------------------------------------------------------------------

    def _notes(self) -> Iterator[list[Row]]:
        rng = self._rng("support_notes")
        rnd = rng.random
        ts, reg = self.ts, self.reg
        sanctioned = [(s[1], int(s[2]) - FIRST_USER_ID) for s in self.sanctions]
        picks: list[tuple[int, int]] = []
        for _ in range(max(1, self.n // 200)):
            if sanctioned and rnd() < 0.5:  # an appeal, a complaint about a sanction
                start, u = sanctioned[int(rnd() * len(sanctioned))]
                t = min(END - 1, start + 600 + int(rnd() * 3 * DAY))
            else:
                u = int(rnd() * self.n)
                t = reg[u] + int((END - 1 - reg[u]) * rnd())
            picks.append((t, u))
        picks.sort()
        nid = self.bases["support_notes"]
        rows: list[Row] = []
        for t, u in picks:
            nid += 1
            v = rnd()
            author = "demo-support" if v < 0.7 else "demo-mod" if v < 0.85 else "demo-admin"
            body = rng.choice(_NOTES).format(order=f"{t // 100:x}{rng.randrange(10**6):06d}".upper())
            rows.append((nid, FIRST_USER_ID + u, author, body, ts(t)))
            self.notes.append((nid, t, FIRST_USER_ID + u, author, body))
        yield self._done("support_notes", rows)

    def _audit(self) -> Iterator[list[Row]]:
        """The last 120 days of console work: the sanctions and notes above, phone reveals,
        stream cuts and sign-ins. Ids are left to the database (the log may have rows)."""
        rng = self._rng("audit_log")
        rnd = rng.random
        ts, dumps = self.ts, json.dumps
        since = END - 120 * DAY
        events: list[tuple[int, str, str, str, str, str | None, str | None]] = []
        for sid, start, uid, room, kind, scope, reason, by, *_rest in [s for s in self.sanctions
                                                                       if s[1] >= since][-150:]:
            events.append((start, by, "sanction_add", f"user:{uid}", reason, None,
                           dumps({"sanction_id": sid, "kind": kind, "scope": scope, "room_id": room})))
        for nid, t, uid, author, body in [x for x in self.notes if x[1] >= since][-60:]:
            events.append((t, author, "note_add", f"user:{uid}", body[:200], None,
                           dumps({"note_id": nid, "body": body})))
        if self.n:
            for _ in range(40):
                t = since + int((END - 1 - since) * rnd())
                actor = "demo-support" if rnd() < 0.8 else "demo-admin"
                events.append((t, actor, "phone_reveal", f"user:{FIRST_USER_ID + int(rnd() * self.n)}",
                               rng.choice(_REVEAL_REASONS).format(n=f"GD{rng.randrange(10**7):07d}"), None, None))
        cut = [r for r in self.rooms if r[3] == "cut"] + rng.sample(self.rooms, min(15, len(self.rooms)))
        for rid, _o, _cat, _state, created in cut[:25]:
            t0 = max(created, since)
            actor = "demo-mod" if rnd() < 0.8 else "demo-admin"
            events.append((t0 + int((END - 1 - t0) * rnd()), actor, "stream_cut", f"room:{rid}",
                           rng.choice(_CUT_REASONS), dumps({"state": "live"}), dumps({"state": "cut"})))
        for day in range(0, 120, 2):
            for name, _role, _d in DEMO_OPERATORS:
                if rnd() < 0.45:
                    t = since + day * DAY + 9 * 3600 - _CST + int(rnd() * 10 * 3600)
                    events.append((t, name, "sign_in", f"operator:{name}", "", None, None))
        events.sort(key=lambda e: e[0])
        yield self._done("audit_log", [
            (ts(t), actor, _OP_ROLE[actor], kind, target, reason, before, after, "ok", None)
            for t, actor, kind, target, reason, before, after in events
        ])


N_PUSHES = 30
_AUDIT_COLUMNS = ("at", "actor", "role", "kind", "target", "reason", "before", "after", "outcome", "evidence")
#: Tables whose ids the seeder assigns, continuing after any rows already there.
_ID_TABLES = ("nickname_history", "devices", "rooms", "sanctions", "chat_messages", "pushes", "sms_messages",
              "support_notes")
_COUNTED = ("operators", "users", "nickname_history", "devices", "rooms", "sanctions", "chat_messages", "pushes",
            "push_recipients", "sms_messages", "support_notes", "audit_log", "nick_bigram", "hist_bigram")
_LOADED = ("users", "nickname_history", "devices", "rooms", "sanctions", "chat_messages", "pushes",
           "push_recipients", "sms_messages", "support_notes", "audit_log")
#: Plain indexes dropped before the load and rebuilt after it (sorted builds beat row-by-row upkeep).
_REINDEXED = ("users", "nickname_history", "devices", "chat_messages", "push_recipients", "sms_messages")


def table_columns() -> dict[str, tuple[str, ...]]:
    """The columns the seeder writes, per table (for tests)."""
    gen = _Generator(1, 0, int, dict.fromkeys(_ID_TABLES, 0))
    return {load.table: load.columns for load in gen.loads()}


# --- the generator process ----------------------------------------------------------------------

def _worker_main() -> None:
    """Entry point of the generator process: arguments as JSON in ``argv[1]``; on stdout,
    length-prefixed marshalled messages (4x faster than pickle for tuples of str and int):
    ("table", name, columns, expected), ("rows", chunk)…, ("end", name), finally ("done", counts)."""
    users, seed, flavour, bases = json.loads(sys.argv[1])
    # the frames get fd 1 to themselves; a stray print() goes to stderr instead
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 20)
    os.dup2(2, 1)
    # PostgreSQL gets epoch seconds, encoded by the connection's tuple codec for timestamptz
    ts: Callable[[int], Any] = _sqlite_time() if flavour == "sqlite" else int
    gen = _Generator(users, seed, ts, bases)

    def send(msg: tuple[Any, ...]) -> None:
        data = marshal.dumps(msg)
        out.write(len(data).to_bytes(8, "little"))
        out.write(data)

    for load in gen.loads():
        send(("table", load.table, load.columns, load.expected))
        for chunk in load.chunks:
            send(("rows", chunk))
        send(("end", load.table))
    send(("done", gen.counts))
    out.flush()


class _GeneratorProcess:
    """The generator in a child process, so it runs on the second core while this process loads
    and indexes; a reader thread drains its pipe so it never waits on a long SQL statement."""

    def __init__(self, users: int, seed: int, flavour: str, bases: dict[str, int],
                 cancel: threading.Event | None = None) -> None:
        self.cancel = cancel or threading.Event()
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from console.sandbox.seed import _worker_main; _worker_main()",
             json.dumps([users, seed, flavour, bases])],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert self.proc.stdout is not None
        if sys.platform == "linux":  # a 1 MiB pipe: fewer wake-ups of the reader thread
            import fcntl

            with contextlib.suppress(OSError):
                fcntl.fcntl(self.proc.stdout.fileno(), 1031, 1 << 20)  # F_SETPIPE_SZ
        self.frames: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.stderr: list[bytes] = []
        self.counts: dict[str, int] = {}
        self.threads = [threading.Thread(target=self._pump, name="seed-reader", daemon=True),
                        threading.Thread(target=self._pump_stderr, name="seed-stderr", daemon=True)]
        for t in self.threads:
            t.start()

    def _pump(self) -> None:
        f = self.proc.stdout
        assert f is not None
        try:
            while True:
                head = f.read(8)
                if len(head) < 8:
                    break
                size = int.from_bytes(head, "little")
                data = f.read(size)
                if len(data) < size:
                    break
                self.frames.put(data)
        except (OSError, ValueError):  # the pipe was closed under us
            pass
        finally:
            self.frames.put(None)

    def _pump_stderr(self) -> None:
        assert self.proc.stderr is not None
        with contextlib.suppress(OSError, ValueError):
            for line in self.proc.stderr:
                self.stderr = [*self.stderr[-30:], line]

    def messages(self) -> Iterator[tuple[Any, ...]]:
        while True:
            if self.cancel.is_set():
                raise SeedCancelled("seeding was cancelled; nothing was written")
            data = self.frames.get()
            if data is None:
                code = self.proc.wait()
                tail = b"".join(self.stderr).decode(errors="replace").strip()
                raise SeedError(f"the demo-data generator stopped (exit code {code}): {tail or 'no message'}")
            msg = marshal.loads(data)  # from our own child process, same interpreter
            if msg[0] == "done":
                self.counts = msg[1]
                return
            yield msg

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for t in self.threads:  # both end at the pipes' end of file
            t.join(timeout=10)
        for f in (self.proc.stdout, self.proc.stderr):
            if f is not None:
                f.close()


# --- targets ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    url: str
    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None
    dsn: str | None = None


def parse_target(url: str) -> _Target:
    """Check the URL; raise :class:`BadDatabaseUrl` for anything the seeder cannot load."""
    try:
        u = make_url(url)
    except ArgumentError as e:
        raise BadDatabaseUrl(f"Not a database URL: {url!r} ({e})") from None
    if u.drivername == "sqlite+aiosqlite":
        if not u.database or u.database == ":memory:" or u.database.startswith("file:"):
            raise BadDatabaseUrl(
                f"{redact_url(url)}: the seeder needs a SQLite file path (sqlite+aiosqlite:///PATH)")
        return _Target(url, "sqlite", path=Path(u.database).expanduser())
    if u.drivername == "postgresql+asyncpg":
        if not u.database:
            raise BadDatabaseUrl(f"{redact_url(url)}: no database name in the URL")
        return _Target(url, "postgresql", dsn=u.set(drivername="postgresql").render_as_string(hide_password=False))
    raise BadDatabaseUrl(
        f"Unsupported database {u.drivername!r} in {redact_url(url)}: "
        "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB")


def _operator_rows(created: Any) -> list[tuple[Any, ...]]:
    return [(u, d, r, hash_password(DEMO_PASSWORD), created) for u, r, d in DEMO_OPERATORS]


def _pg_demo_logins() -> list[str]:
    """The demo operators as PostgreSQL login roles with the demo password (as the seeding superuser)."""
    from console.db.scram import scram_verifier
    from console.db.team_ddl import pg_login_statements

    return [stmt for u, r, _d in DEMO_OPERATORS for stmt in pg_login_statements(u, r, scram_verifier(DEMO_PASSWORD))]


def _users_first(rebuild: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split a search rebuild into the statements that only touch the users side (they can run
    as soon as ``users`` is loaded) and the rest (after ``nickname_history``), keeping order."""
    mine: list[str] = []
    rest: list[str] = []
    for stmt in rebuild:
        low = stmt.lower()
        users_side = "users_nick_fts" in low or ("nick_bigram" in low and "hist" not in low)
        (mine if users_side and "nickname_history" not in low else rest).append(stmt)
    return mine, rest


@contextlib.contextmanager
def _on_cancel(cancel: threading.Event | None, action: Callable[[], object]) -> Iterator[None]:
    """While the block runs, call ``action`` from a watcher thread as soon as ``cancel`` is set
    (to interrupt a long SQL statement, which the per-chunk check would only see after it)."""
    if cancel is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if cancel.wait(0.2):
                if not done.is_set():
                    action()
                return

    watcher = threading.Thread(target=watch, name="seed-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


class _Clock:
    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def lap(self, what: str) -> None:
        t = time.perf_counter()
        log.info("%s: %.1f s", what, t - self.t0)
        self.t0 = t


# --- SQLite -----------------------------------------------------------------------------------

def _sqlite_has_users(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return False
        raise
    finally:
        con.close()


def _sqlite_drop_indexes(con: sqlite3.Connection, names: Sequence[str]) -> dict[str, list[str]]:
    """Drop the plain (non-constraint) indexes of the tables ``names``; return per table the
    statements that recreate them."""
    marks = ", ".join("?" * len(names))
    found = con.execute(f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                        f"AND tbl_name IN ({marks}) ORDER BY name", tuple(names)).fetchall()
    out: dict[str, list[str]] = {}
    for table, name, sql in found:
        con.execute(f'DROP INDEX "{name}"')
        out.setdefault(table, []).append(sql)
    return out


def _load_journal(con: sqlite3.Connection, wanted: str) -> str:
    """Switch to the rollback journal ``wanted`` for the load if nobody else has the file open.

    In WAL mode every page of a bulk load is written twice (to the WAL, then by the checkpoint);
    a rollback journal does not even journal the pages appended past the old end of the file,
    so the load writes each page once. Changing out of WAL needs the only connection, so with
    another one open (a running console) the load simply stays in WAL.
    """
    if wanted == "wal":
        return str(con.execute("PRAGMA journal_mode=WAL").fetchone()[0])
    try:
        return str(con.execute(f"PRAGMA journal_mode={wanted}").fetchone()[0])
    except sqlite3.OperationalError:  # locked by another connection
        return str(con.execute("PRAGMA journal_mode").fetchone()[0])


def _seed_sqlite(path: Path, users: int, seed: int, progress: Progress | None,
                 journal: str = "truncate", cancel: threading.Event | None = None) -> dict[str, int]:
    ops = _operator_rows(_sqlite_time()(_OPERATOR_SINCE))
    con = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    clock = _Clock()
    mode = "wal"
    try:
        # The load is one transaction: a failure leaves the database as it was.
        mode = _load_journal(con, journal)
        log.info("loading in journal mode %s", mode)
        for pragma in ("PRAGMA synchronous=OFF", "PRAGMA cache_size=-1048576", "PRAGMA temp_store=MEMORY",
                       "PRAGMA foreign_keys=OFF"):
            con.execute(pragma)
        con.execute("BEGIN IMMEDIATE")
        try:
            with _on_cancel(cancel, con.interrupt):
                counts = _load_sqlite(con, path, users, seed, progress, ops, clock, cancel)
            con.execute("COMMIT")
        except BaseException as e:
            if con.in_transaction:
                con.execute("ROLLBACK")
            if cancel is not None and cancel.is_set() and not isinstance(e, SeedCancelled):
                raise SeedCancelled("seeding was cancelled; nothing was written") from e
            raise
        clock.lap("commit")
        con.execute("ANALYZE")
        if mode == "wal":
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        clock.lap("ANALYZE")
        return counts
    finally:
        try:
            if mode != "wal" and not con.in_transaction:
                con.execute("PRAGMA journal_mode=WAL")  # back to what the console runs in
        finally:
            con.close()


def _load_sqlite(con: sqlite3.Connection, path: Path, users: int, seed: int, progress: Progress | None,
                 ops: list[tuple[Any, ...]], clock: _Clock, cancel: threading.Event | None) -> dict[str, int]:
    """Everything inside the load transaction; returns the row counts."""
    worker: _GeneratorProcess | None = None
    try:
        if con.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None:
            raise AlreadySeeded(f"{path} already has users; not seeding it again")
        con.executemany(
            "INSERT INTO operators (username, display_name, role, password_hash, active, created_at) "
            "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (username) DO NOTHING", ops)
        bases = {t: int(con.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]) for t in _ID_TABLES}
        worker = _GeneratorProcess(users, seed, "sqlite", bases, cancel)
        for name in search_ddl.SQLITE_SEARCH_TRIGGER_NAMES:
            con.execute(f"DROP TRIGGER IF EXISTS {name}")
        indexes = _sqlite_drop_indexes(con, _REINDEXED)
        users_search, other_search = _users_first(search_ddl.SQLITE_REBUILD)

        def search(stmts: list[str], table: str) -> None:
            # build the search structures and indexes of a table as soon as it is in,
            # while the generator process works on the next tables
            if progress:
                progress("search index", 0, 1)
            for sql in stmts:
                con.execute(sql)
            for sql in indexes.pop(table, []):
                con.execute(sql)
            clock.lap(f"{table}: search index and indexes")
            if progress:
                progress("search index", 1, 1)

        sql, table, done, expected = "", "", 0, 0
        for msg in worker.messages():
            if msg[0] == "rows":
                con.executemany(sql, msg[1])
                done += len(msg[1])
                if progress:
                    progress(table, done, max(done, expected))
            elif msg[0] == "table":
                _, table, columns, expected = msg
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                done = 0
            else:
                clock.lap(f"{table}: {done:,} rows")
                if table == "users":
                    search(users_search, table)
                    users_search = []
                elif table == "nickname_history":
                    search(other_search, table)
                    other_search = []
                elif table in indexes:
                    for stmt in indexes.pop(table):
                        con.execute(stmt)
                    clock.lap(f"{table}: indexes")
        for sql in users_search + other_search:  # no users at all
            con.execute(sql)
        for stmts in indexes.values():
            for stmt in stmts:
                con.execute(stmt)
        for sql in search_ddl.SQLITE_SEARCH_TRIGGERS:
            con.execute(sql)
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in _COUNTED}
    finally:
        if worker is not None:
            worker.close()


# --- PostgreSQL -------------------------------------------------------------------------------

_PG_EPOCH = 946_684_800  # 2000-01-01, PostgreSQL's timestamp origin


def _pg_ts_encode(t: int) -> tuple[int]:
    return ((t - _PG_EPOCH) * 1_000_000,)


def _pg_ts_decode(v: tuple[int]) -> int:
    return v[0] // 1_000_000 + _PG_EPOCH


async def _pg_drop_indexes(conn: Any, names: Sequence[str]) -> dict[str, list[str]]:
    """Drop the plain (non-constraint) indexes of the tables ``names``; return per table the
    statements that recreate them, per-column statistics targets included."""
    found = await conn.fetch(
        """SELECT c.relname AS tbl, ic.relname AS name, i.indexrelid AS oid, pg_get_indexdef(i.indexrelid) AS def
           FROM pg_index i
           JOIN pg_class c ON c.oid = i.indrelid
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relname = ANY($1::text[])
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
           ORDER BY ic.relname""", list(names))
    out: dict[str, list[str]] = {}
    for r in found:
        stmts = out.setdefault(r["tbl"], [])
        stmts.append(r["def"])
        for st in await conn.fetch(
                "SELECT attnum, attstattarget FROM pg_attribute WHERE attrelid = $1 AND attstattarget > 0", r["oid"]):
            stmts.append(f'ALTER INDEX "{r["name"]}" ALTER COLUMN {st["attnum"]} SET STATISTICS {st["attstattarget"]}')
        await conn.execute(f'DROP INDEX "{r["name"]}"')
    return out


async def _pg_drop_foreign_keys(conn: Any, names: Sequence[str]) -> list[str]:
    """Drop the foreign keys of the tables ``names``; return the statements that add them back.

    Checked row by row, they make ``COPY`` several times slower; added back after the load, each
    is validated by one join. Without the right to alter the tables, they stay."""
    import asyncpg

    found = await conn.fetch(
        """SELECT c.relname AS tbl, k.conname AS name, pg_get_constraintdef(k.oid) AS def
           FROM pg_constraint k
           JOIN pg_class c ON c.oid = k.conrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname = ANY($1::text[])
           ORDER BY 1, 2""", list(names))
    out: list[str] = []
    try:
        async with conn.transaction():  # a savepoint
            for r in found:
                await conn.execute(f'ALTER TABLE "{r["tbl"]}" DROP CONSTRAINT "{r["name"]}"')
                out.append(f'ALTER TABLE "{r["tbl"]}" ADD CONSTRAINT "{r["name"]}" {r["def"]}')
    except asyncpg.InsufficientPrivilegeError:
        log.warning("not the owner of the tables: foreign keys stay in place (slower load)")
        return []
    return out


async def _pg_vacuum_analyze(dsn: str, conn: Any) -> None:
    """``VACUUM ANALYZE`` every table, the biggest first, on two connections at once."""
    import asyncpg

    sizes = await conn.fetch("SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                             "WHERE c.relkind = 'r' AND n.nspname = current_schema() "
                             "ORDER BY pg_total_relation_size(c.oid) DESC")
    lanes: list[list[str]] = [[], []]
    for k, r in enumerate(sizes):
        lanes[k % 2].append(r["name"])
    other = await asyncpg.connect(dsn, server_settings={"application_name": "shihou-seed"})

    async def run(c: Any, names: list[str]) -> None:
        for name in names:
            await c.execute(f'VACUUM ANALYZE "{name}"')

    try:
        await asyncio.gather(run(conn, lanes[0]), run(other, lanes[1]))
    finally:
        await other.close()


async def _seed_pg(dsn: str, users: int, seed: int, progress: Progress | None,
                   cancel: threading.Event | None = None) -> dict[str, int]:
    import asyncpg

    ops = _operator_rows(_OPERATOR_SINCE)
    conn = await asyncpg.connect(dsn, server_settings={"application_name": "shihou-seed"})
    worker: _GeneratorProcess | None = None
    clock = _Clock()
    try:
        await conn.set_type_codec("timestamptz", schema="pg_catalog", encoder=_pg_ts_encode, decoder=_pg_ts_decode,
                                  format="tuple")
        await conn.execute("SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'; SET synchronous_commit = off")
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None
        try:
            with _on_cancel(cancel, lambda: loop.call_soon_threadsafe(task.cancel)):
                async with conn.transaction():  # one transaction: a failure leaves the database as it was
                    await conn.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
                    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM users)"):
                        raise AlreadySeeded("the database already has users; not seeding it again")
                    await conn.executemany(
                        "INSERT INTO operators (username, display_name, role, password_hash, active, created_at) "
                        "VALUES ($1, $2, $3, $4, true, $5) ON CONFLICT (username) DO NOTHING", ops)
                    for stmt in _pg_demo_logins():  # each demo operator signs in as their own login role
                        await conn.execute(stmt)
                    bases = {t: int(await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {t}")) for t in _ID_TABLES}
                    worker = _GeneratorProcess(users, seed, "postgresql", bases, cancel)
                    for sql in search_ddl.PG_DROP_SEARCH_TRIGGERS:
                        await conn.execute(sql)
                    indexes = await _pg_drop_indexes(conn, _REINDEXED)
                    foreign_keys = await _pg_drop_foreign_keys(conn, _LOADED)
                    users_search, other_search = _users_first(search_ddl.PG_REBUILD)

                    async def search(stmts: list[str], table: str) -> None:
                        if progress:
                            progress("search index", 0, 1)
                        # the planner expects 1000 rows per generate_series and picks a spilling hash
                        # aggregate for the DISTINCT; sorting is twice as fast and inserts in key order
                        await conn.execute("SET enable_hashagg = off")
                        for sql in stmts:
                            await conn.execute(sql)
                        await conn.execute("RESET enable_hashagg")
                        for sql in indexes.pop(table, []):
                            await conn.execute(sql)
                        clock.lap(f"{table}: search index and indexes (trigram GIN included)")
                        if progress:
                            progress("search index", 1, 1)

                    messages = worker.messages()
                    for msg in messages:
                        assert msg[0] == "table", msg[0]
                        _, table, columns, expected = msg
                        counter = [0]

                        def records(table: str = table, expected: int = expected, counter: list[int] = counter,
                                    ) -> Iterator[Row]:
                            for m in messages:
                                if m[0] != "rows":
                                    return
                                yield from m[1]
                                counter[0] += len(m[1])
                                if progress:
                                    progress(table, counter[0], max(counter[0], expected))

                        await conn.copy_records_to_table(table, records=records(), columns=list(columns))
                        clock.lap(f"{table}: {counter[0]:,} rows")
                        if table == "users":
                            await search(users_search, table)
                            users_search = []
                        elif table == "nickname_history":
                            await search(other_search, table)
                            other_search = []
                        elif table in indexes:
                            for stmt in indexes.pop(table):
                                await conn.execute(stmt)
                            clock.lap(f"{table}: indexes")
                    for sql in users_search + other_search:  # no users at all
                        await conn.execute(sql)
                    for stmts in indexes.values():
                        for stmt in stmts:
                            await conn.execute(stmt)
                    for sql in foreign_keys:
                        await conn.execute(sql)
                    clock.lap("foreign keys validated")
                    for sql in search_ddl.PG_SEARCH_TRIGGERS:
                        await conn.execute(sql)
                    for t in (*_ID_TABLES, "audit_log", "operators"):
                        await conn.execute(
                            f"SELECT setval(s, m) FROM (SELECT pg_get_serial_sequence('{t}', 'id') AS s, "
                            f"(SELECT max(id) FROM {t}) AS m) x WHERE s IS NOT NULL AND m IS NOT NULL")
        except asyncio.CancelledError as e:
            if cancel is not None and cancel.is_set():
                raise SeedCancelled("seeding was cancelled; nothing was written") from e
            raise
        clock.lap("commit")
        await _pg_vacuum_analyze(dsn, conn)
        clock.lap("VACUUM ANALYZE")
        return {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}")) for t in _COUNTED}
    finally:
        if worker is not None:
            worker.close()
        await conn.close()


# --- entry points -----------------------------------------------------------------------------

async def _has_users(target: _Target) -> bool:
    if target.kind == "sqlite":
        assert target.path is not None
        return await asyncio.to_thread(_sqlite_has_users, target.path)
    import asyncpg

    conn = await asyncpg.connect(target.dsn)
    try:
        if await conn.fetchval("SELECT to_regclass('users')") is None:
            return False
        return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM users)"))
    finally:
        await conn.close()


async def seed_database(url: str, users: int, *, seed: int = 1, progress: Progress | None = None) -> dict[str, int]:
    """Upgrade ``url`` to the head and fill it with ``users`` demo users and all around them.

    The demo operators (:data:`DEMO_OPERATORS`) are added if missing. The load runs in a worker
    thread and a generator child process, so the calling event loop stays free; ``progress``,
    if given, is called on that loop. Returns the row count of each table.

    Raises :class:`BadDatabaseUrl`, :class:`AlreadySeeded` (the database has users; nothing is
    written), :class:`SeedError`, or the driver's error (the load is one transaction, rolled back).
    Cancelling the call stops the load at its next chunk and rolls it back (in the background).
    """
    if users < 0:
        raise SeedError(f"the number of users must be 0 or more, not {users}")
    target = parse_target(url)
    if target.path is not None:
        target.path.parent.mkdir(parents=True, exist_ok=True)
    if await _has_users(target):
        raise AlreadySeeded(f"{redact_url(url)} already has users; not seeding it again")
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()

    report: Progress | None = None
    if progress is not None:
        loop = asyncio.get_running_loop()
        callback = progress

        def report(table: str, done: int, total: int) -> None:
            loop.call_soon_threadsafe(callback, table, done, total)

    cancel = threading.Event()
    try:
        if target.kind == "sqlite":
            assert target.path is not None
            return await asyncio.to_thread(_seed_sqlite, target.path, users, seed, report, "truncate", cancel)
        assert target.dsn is not None
        return await asyncio.to_thread(asyncio.run, _seed_pg(target.dsn, users, seed, report, cancel))
    except asyncio.CancelledError:
        cancel.set()  # the worker thread stops at its next chunk and rolls back
        raise
