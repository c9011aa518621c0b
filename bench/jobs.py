"""``python -m bench.jobs [--jobs 2000] [--over 60]``: jobs due over a minute, 2 workers, one killed with kill -9
halfway.

A private PostgreSQL cluster, the Kingsoft emulator in this process (it records when each ResumeStream arrives),
``--jobs`` pending resume actions (as a console leaves them after a provider outage) whose next try falls evenly
over ``--over`` seconds, each queued as a procrastinate job at its due time (what the worker does after a failed
attempt). Two ``python -m console.worker`` processes (their own login in shihou_worker, 0600 secrets file) run
them; at half time one is killed with SIGKILL. Its jobs in flight are found by the survivor's sweep once their
lease lapses (60 s; at once when the holder is a dead process of this machine).

Measured: due time -> the provider's call (p99), against the same call made directly from here (p99); duplicates
(a stream resumed twice), lost (actions not done 90 s after the last due time). Only action retries are
measured; campaign sends and lockdown reverts are not in this benchmark (yet).

Last line: ``RESULT jobs ours=<p99 ms> baseline=<p99 ms> ratio=<x> duplicates=<n> lost=<n>``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench._common import log, pct
from console.credentials import Secret
from console.db import migrate
from console.db import tables as t
from console.db.engine import make_engine
from console.sandbox.kingsoft import KingsoftEmulator
from console.sandbox.pgcluster import PgCluster
from console.services.http import make_client
from console.services.video.kingsoft import KingsoftVideo

AK, SK = "AKLTbench", "bench-kls-secret"
LOGIN, PW = "bench_worker", "bench-worker-pw"


def worker_cmd(url: str, secrets: Path) -> list[str]:
    return [sys.executable, "-m", "console.worker", "--db", url, "--secrets-file", str(secrets),
            "--concurrency", "8", "--only", "action,sweep_actions", "--log-level", "WARNING"]


async def main(n: int, over: float) -> int:
    arrivals: dict[str, list[float]] = {}
    emu = KingsoftEmulator(access_key=AK, secret_key=SK)
    resume = emu._actions["ResumeStream"]  # noqa: SLF001 - timestamp each arrival

    def timed(p: dict[str, str]) -> dict[str, Any]:
        arrivals.setdefault(p.get("Stream", ""), []).append(time.time())
        return resume(p)

    emu._actions["ResumeStream"] = timed  # noqa: SLF001
    await emu.start()
    with PgCluster() as pg:
        pg.psql("CREATE DATABASE bench_jobs")
        owner = make_engine(pg.url("bench_jobs"), pool_size=4)
        await migrate.upgrade(owner)   # creates shihou_worker
        pg.psql(f"CREATE ROLE {LOGIN} LOGIN PASSWORD '{PW}' IN ROLE shihou_worker")
        now = datetime.now(UTC)
        async with owner.begin() as conn:
            await conn.execute(t.operators.insert().values(username="bench-mod", display_name="bench", role="moderator",
                                                           password_hash="!", created_at=now))
            await conn.execute(t.users.insert().values(id=1, phone="13800000000", nickname="甲", registered_at=now,
                                                       channel="web"))
            await conn.execute(t.rooms.insert().values(id=1, owner_id=1, title="bench", category="x",
                                                       stream_name="bench_room", state="cut", created_at=now,
                                                       updated_at=now))
        # baseline: the same call, made directly
        video = KingsoftVideo(make_client(emu.base_url, timeout=10), unique_name="shihou", app="live",
                              pubdomain="shihou.uplive.ks-cdn.com", access_key=AK, secret=Secret(SK),
                              play_domain="play.shihou.test", antileech_secret=None)
        direct = []
        for i in range(200):
            t0 = time.perf_counter()
            await video.resume(f"baseline_{i}")
            direct.append((time.perf_counter() - t0) * 1000)
        await video.aclose()
        folder = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
        secrets = folder / "secrets"
        fd = os.open(secrets, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, f"worker/{LOGIN} = {PW}\nkingsoft/{AK} = {SK}\n".encode())
        os.close(fd)
        env = {**os.environ, "SHIHOU_KINGSOFT_URL": emu.base_url, "SHIHOU_KINGSOFT_ACCESS_KEY": AK}
        url = pg.url("bench_jobs", user=LOGIN)
        workers = [subprocess.Popen(worker_cmd(url, secrets), env=env) for _ in range(2)]
        await asyncio.sleep(4)   # signed in, grants checked, listening
        start = datetime.now(UTC) + timedelta(seconds=15)   # after the jobs are queued
        due: dict[str, float] = {}
        ids = []
        async with owner.begin() as conn:
            for i in range(n):
                at = start + timedelta(seconds=over * i / n)
                stream = f"s{i:05d}_{uuid.uuid4().hex[:6]}"
                due[stream] = at.timestamp()
                ids.append((await conn.execute(t.action_outbox.insert().values(
                    idempotency_key=uuid.uuid4().hex, kind="stream_resume", target="room:1",
                    payload={"provider": None, "room_id": 1, "stream": stream, "reason": "bench"},
                    requested_by="bench-mod", role="moderator", state="pending", attempts=1, created_at=now,
                    updated_at=now, next_try_at=at, last_error="503").returning(t.action_outbox.c.id))).scalar_one())
        from procrastinate import App, PsycopgConnector
        from sqlalchemy.engine import make_url

        from console.worker.__main__ import conninfo

        app = App(connector=PsycopgConnector(conninfo=conninfo(make_url(pg.url("bench_jobs")), "bench"),
                                             min_size=1, max_size=4))
        async with app.open_async():
            for aid, at_ts in zip(ids, due.values(), strict=True):   # what a failed attempt's job does
                await app.configure_task("shihou.action", queue="shihou.action", queueing_lock=f"action:{aid}",
                                         schedule_at=datetime.fromtimestamp(at_ts, UTC)).defer_async(action_id=aid)
        log(f"{n} actions due from {start:%H:%M:%S} over {over:.0f} s; 2 workers")
        await asyncio.sleep((start - datetime.now(UTC)).total_seconds() + over / 2)
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait()
        log("worker 1 killed with SIGKILL")
        deadline = time.time() + over / 2 + 90
        while time.time() < deadline:
            async with owner.connect() as conn:
                left = (await conn.execute(sa.select(sa.func.count()).select_from(t.action_outbox).where(
                    t.action_outbox.c.state != "done"))).scalar_one()
            if left == 0 and time.time() > start.timestamp() + over:
                break
            await asyncio.sleep(1)
        workers[1].send_signal(signal.SIGTERM)
        try:
            workers[1].wait(30)
        except subprocess.TimeoutExpired:
            workers[1].kill()
        async with owner.connect() as conn:
            lost = (await conn.execute(sa.select(sa.func.count()).select_from(t.action_outbox).where(
                t.action_outbox.c.state != "done"))).scalar_one()
        await owner.dispose()
    await emu.stop()
    lat = [(arrivals[s][0] - d) * 1000 for s, d in due.items() if s in arrivals]
    counts = Counter(len(arrivals.get(s, [])) for s in due)
    duplicates = sum(c - 1 for c in (len(v) for k, v in arrivals.items() if k in due) if c > 1)
    ours, base = pct(lat, 99), pct(direct, 99)
    log(f"calls per action: {dict(counts)}; latency p50 {pct(lat, 50):.0f} ms, max {max(lat, default=0):.0f} ms")
    print(f"RESULT jobs ours={ours:.0f} baseline={base:.1f} ratio={ours / base:.1f} duplicates={duplicates} "
          f"lost={lost}")
    return 0


def cli() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.jobs")
    p.add_argument("--jobs", type=int, default=2000)
    p.add_argument("--over", type=float, default=60.0)
    a = p.parse_args()
    return asyncio.run(main(a.jobs, a.over))


if __name__ == "__main__":
    sys.exit(cli())
