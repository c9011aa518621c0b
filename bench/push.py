"""A bulk push campaign against the JPush emulator's quota while it injects faults.

``python -m bench.push [--pushes 250] [--quota 60] [--scale 4] [--fault-rate 0.03] [--workers 8]``

* The shared database (a temporary SQLite file) holds ``pushes × 1000`` active users; the campaign's
  audience is the segment "active in the last 7 days", so the real :class:`PushService` resolves it to
  ``pushes`` batches of 1000 aliases, writes the durable plan, fetches cids in bulk, writes one outbox row
  per push (cid stored before the first attempt) and sends with a bounded worker pool through the real
  :class:`JPushClient` (rate gate configured with the quota, ``X-Rate-Limit-*`` honoured, retries with the
  same cid).
* The emulator allows ``--quota`` push-API calls per minute (cid fetches and validations count too) and,
  besides one 503, one timeout and one lost response among the first calls, with probability
  ``--fault-rate`` per push call answers 503, holds the answer past the client's timeout, or drops the
  connection (half of those after the push was made: a lost response).
* The emulator runs in its own process (JPush is remote; on this 2-core machine it must not share our
  interpreter), started by this script (``--serve-emulator`` mode) and asked for its counts at the end.
* **The minute is scaled**: the emulator and the client share a clock running ``--scale`` times faster
  than the wall clock (their quota window, ``X-Rate-Limit-Reset``, the gate's refill and every backoff
  sleep are in that time), so a 60-per-minute quota is a 15-second window at ``--scale 4``. HTTP timeouts
  stay in real seconds (1 s = ``scale`` emulator seconds).

ours = pushes accepted per (emulator) minute from the start of the campaign to its last push;
baseline = the quota per minute (what the emulator allows at best). duplicates = extra deliveries of any
cid, plus aliases that got the campaign twice; lost = batches without exactly one delivery.
Last line: ``RESULT push ours=<pushes/min> baseline=<quota/min> ratio=<x> duplicates=<n> lost=<n>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench._common import log
from console.credentials import Secret
from console.db import migrate
from console.db import tables as t
from console.db import tables_push as tp
from console.db.engine import make_engine
from console.domain import Operator, OperatorId, Role
from console.sandbox.jpush import JPushEmulator
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.http import HttpTransportPolicy, RateGate
from console.services.push.campaigns import AudienceSpec, PushConfig, PushDraft, PushService, Segment
from console.services.push.jpush import JPushClient

APP_KEY, SECRET = "benchappkey0000000000001", "bench-jpush-master-secret"
FIRST = 30_000_001


class ScaledTime:
    """A clock ``scale`` times faster than the wall clock, shared by the emulator and the client."""

    def __init__(self, scale: float, origin: float | None = None) -> None:
        self.scale = scale
        self._m0 = time.monotonic()
        self._w0 = origin if origin is not None else time.time()
        self.origin = self._w0

    def mono(self) -> float:
        return self._m0 + (time.monotonic() - self._m0) * self.scale

    def wall(self) -> float:
        return self._w0 + (time.time() - self._w0) * self.scale

    async def sleep(self, s: float) -> None:
        await asyncio.sleep(max(0.0, s) / self.scale)


def seed(path: Path, n: int) -> None:
    """Active users, written with the stdlib driver in one transaction (the private database is never
    searched, so the nickname search triggers are dropped first)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    reg = (now - timedelta(days=90)).strftime(fmt)
    con = sqlite3.connect(path)
    try:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'users'"):
            con.execute(f'DROP TRIGGER "{name}"')
        con.executemany(
            "INSERT INTO users (id, phone, nickname, registered_at, channel, status, last_active_at) "
            "VALUES (?, ?, ?, ?, 'appstore', 'active', ?)",
            ((FIRST + i, f"13{FIRST + i:09d}"[:11], f"b{i}", reg,
              (now - timedelta(hours=1 + i % 100)).strftime(fmt)) for i in range(n)))
        con.commit()
    finally:
        con.close()


async def serve_emulator(args: argparse.Namespace) -> int:
    """The emulator process: prints its URL, serves until a line on stdin, then prints its counts."""
    logging.basicConfig(level=logging.ERROR)
    clock = ScaledTime(args.scale, origin=args.origin)
    emu = JPushEmulator(app_key=APP_KEY, master_secret=SECRET, clock=clock.wall, push_quota=args.quota,
                        vip=True, tick_s=0, mean_delay_s=5.0)
    t0 = time.perf_counter()
    emu.populate([str(FIRST + i) for i in range(args.pushes * 1000)], second_device=0.0, tags_for=lambda a: ())
    populated = time.perf_counter() - t0
    await emu.start()
    # one of each for certain (the first push calls), then at random
    emu.inject("push", "503")
    emu.inject("push", "timeout", delay_s=args.timeout + 1.0, apply=True)
    emu.lose_response("push")
    emu.chaos("push", p=args.fault_rate, kinds=("503", "timeout", "reset"), seed=args.seed, apply_p=0.5,
              delay_s=args.timeout + 1.0)
    print(json.dumps({"base_url": emu.base_url, "devices": emu.device_count, "populate_s": populated}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    per_alias: Counter[str] = Counter()
    for rec in emu.pushes:
        aud = rec.body.get("audience")
        if isinstance(aud, dict):
            per_alias.update(aud.get("alias", []))
    print(json.dumps({
        "deliveries": emu.deliveries_by_cid(),
        "alias_duplicates": sum(n - 1 for n in per_alias.values() if n > 1),
        "aliases": len(per_alias),
        "calls": dict(Counter(c.op for c in emu.calls)),
        "faults": dict(Counter(c.fault for c in emu.calls if c.fault)),
        "applied_faults": sum(1 for c in emu.calls if c.fault and c.cid),
        "429": sum(1 for c in emu.calls if c.status == 429),
    }), flush=True)
    await emu.stop()
    return 0


async def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.ERROR)
    n_users = args.pushes * 1000
    clock = ScaledTime(args.scale)
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.push", "--serve-emulator", "--origin", repr(clock.origin),
         "--pushes", str(args.pushes), "--quota", str(args.quota), "--scale", str(args.scale),
         "--fault-rate", str(args.fault_rate), "--timeout", str(args.timeout), "--seed", str(args.seed)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    loop = asyncio.get_running_loop()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'push.db'}"
            engine = make_engine(url)
            await migrate.upgrade(engine)
            t0 = time.perf_counter()
            await loop.run_in_executor(None, seed, Path(tmp) / "push.db", n_users)
            log(f"seeded {n_users:,} users in {time.perf_counter() - t0:.1f} s")
            hello = json.loads(await loop.run_in_executor(None, child.stdout.readline))
            log(f"emulator (own process): {hello['devices']:,} devices in {hello['populate_s']:.1f} s")
            base = hello["base_url"]
            policy = HttpTransportPolicy(gate=RateGate(clock=clock.mono, sleep=clock.sleep), sleep=clock.sleep,
                                         clock=clock.mono, wall_clock=clock.wall, retries=3, max_retry_after_s=65.0)
            jp = JPushClient.create(app_key=APP_KEY, master_secret=Secret(SECRET), api_url=base, report_url=base,
                                    device_url=base, timeout=args.timeout, policy=policy,
                                    quotas={"push": args.quota}, clock=clock.wall)
            op = Operator(id=OperatorId(1), username="bench-ops", display_name="bench", role=Role.OPERATOR)
            audit = AuditService(engine, op)
            push = PushService(engine, audit, ActionService(engine, audit), jp,
                               config=PushConfig(confirm_threshold=10 ** 9, workers=args.workers,
                                                 quota_per_min=args.quota))
            draft = PushDraft(name="bench", title="今晚8点 KPL 总决赛", body="冠军之夜，锁定直播间！", badge=("add", 1),
                              ttl=3600)
            spec = AudienceSpec(segment=Segment(active_days=7))
            try:
                forecast = await push.forecast(spec)
                log(f"forecast: {forecast.pushes} pushes at {forecast.quota_per_min}/min -> "
                    f"{forecast.minutes:.2f} min")
                # start on a quota-window boundary, so the emulator's fixed window gives no head start
                await clock.sleep(60.0 - clock.wall() % 60.0)
                em0, real0 = clock.mono(), time.perf_counter()
                camp = await push.send(draft, spec, reason="bench", wait=True)
                em1, real1 = clock.mono(), time.perf_counter()
            finally:
                await jp.aclose()
            child.stdin.write("report\n")
            child.stdin.flush()
            counts = json.loads(await loop.run_in_executor(None, child.stdout.readline))
            async with engine.connect() as conn:
                our_cids = set((await conn.execute(sa.select(t.pushes.c.cid))).scalars())
                outbox = Counter((await conn.execute(sa.select(t.action_outbox.c.state))).scalars())
                planned = (await conn.execute(sa.select(sa.func.count()).select_from(tp.push_batches).where(
                    tp.push_batches.c.campaign_id == camp.id))).scalar_one()
            await engine.dispose()
    finally:
        if child.poll() is None:
            child.stdin.close()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
    minutes = (em1 - em0) / 60.0
    ours = camp.pushes_done / minutes if minutes > 0 else 0.0
    deliveries: dict[str, int] = counts["deliveries"]
    dup_cids = sum(max(0, n - 1) for n in deliveries.values())
    delivered_once = sum(1 for c in our_cids if deliveries.get(c) == 1)
    lost = args.pushes - delivered_once + (n_users - counts["aliases"])
    log(f"campaign {camp.state}: {camp.pushes_done} pushes ({planned} planned, {camp.pushes_failed} failed), "
        f"{camp.recipients:,} recipients, outbox {dict(outbox)}")
    log(f"emulator calls {counts['calls']}, faults injected {counts['faults']} ({counts['applied_faults']} after "
        f"the push was made), 429s {counts['429']}")
    log(f"elapsed {em1 - em0:.1f} emulator s ({minutes:.2f} min) = {real1 - real0:.1f} real s at scale "
        f"{args.scale:g} (a {60 / args.scale:.1f} s quota window); quota units used: "
        f"{sum(counts['calls'].values()) - counts['429']}")
    ratio = ours / args.quota
    print(f"RESULT push ours={ours:.1f} baseline={args.quota} ratio={ratio:.3f} "
          f"duplicates={dup_cids + counts['alias_duplicates']} lost={lost}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pushes", type=int, default=250, help="pushes of 1000 aliases (≥ 200)")
    ap.add_argument("--quota", type=int, default=60, help="push-API calls per (emulator) minute")
    ap.add_argument("--scale", type=float, default=4.0, help="emulator minutes per real minute")
    ap.add_argument("--fault-rate", type=float, default=0.03, help="share of push calls that fail")
    ap.add_argument("--timeout", type=float, default=1.0, help="client HTTP timeout, real seconds")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--serve-emulator", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--origin", type=float, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    return asyncio.run(serve_emulator(args) if args.serve_emulator else run(args))


if __name__ == "__main__":
    sys.exit(main())
