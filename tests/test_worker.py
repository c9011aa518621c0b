"""The worker: procrastinate jobs on PostgreSQL as the worker's own login, the action lease, capped attempts and
poison rows, backoff through a provider outage, payloads that no longer parse, missing grants, job kinds one
worker does not know; and the in-process runner on SQLite.

Providers: the Kingsoft emulator (console/sandbox/kingsoft.py) with fault injection; provider calls are counted
on the emulator.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa

from console.credentials import Secret
from console.db import tables as t
from console.db.engine import make_engine
from console.domain import ActionStatus, Operator, OperatorId, Role
from console.sandbox.kingsoft import KingsoftEmulator
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.http import HttpTransportPolicy, make_client
from console.services.jobs import Duties, LocalRunner, worker_status
from console.services.video.kingsoft import KingsoftVideo
from tests.conftest import insert_known_users, operator

pytestmark = pytest.mark.asyncio(loop_scope="session")
ROOT = Path(__file__).resolve().parent.parent
AK, SK = "AKLTtest", "test-kls-secret"
PW = "worker-pw-Ω1"
_n = itertools.count()


@pytest_asyncio.fixture(loop_scope="session")
async def emu() -> AsyncIterator[KingsoftEmulator]:
    e = KingsoftEmulator(access_key=AK, secret_key=SK)
    await e.start()
    yield e
    await e.stop()


def kls(emu: KingsoftEmulator) -> KingsoftVideo:
    async def no_sleep(_s: float) -> None:
        return None

    return KingsoftVideo(make_client(emu.base_url, timeout=5), unique_name="shihou", app="live",
                         pubdomain="shihou.uplive.ks-cdn.com", access_key=AK, secret=Secret(SK),
                         play_domain="play.shihou.test", antileech_secret=None,
                         policy=HttpTransportPolicy(sleep=no_sleep, retries=0))


@pytest.fixture
def pg(pg_cluster: Any, pg_template: str) -> SimpleNamespace:
    """A fresh database and a worker login (member of shihou_worker) with its password."""
    n = next(_n)
    name = f"w_{os.getpid()}_{n}"
    pg_cluster.psql(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    login = f"wk_{os.getpid()}_{n}"
    pg_cluster.psql(f"CREATE ROLE {login} LOGIN PASSWORD '{PW}' IN ROLE shihou_worker")
    owner = pg_cluster.url(name)
    worker = owner.replace("postgres@", f"{login}:{PW}@")
    return SimpleNamespace(cluster=pg_cluster, name=name, owner=owner, login=login, worker_url=worker,
                           bare=owner.replace("postgres@", f"{login}@"))


async def seed(owner_url: str, n: int, *, kind: str = "stream_resume", payload: dict[str, Any] | None = None) -> list[int]:
    """``n`` pending actions requested by test-moderator (as if its console had failed to reach the provider)."""
    e = make_engine(owner_url)
    now = datetime.now(UTC)
    try:
        async with e.begin() as conn:
            exists = (await conn.execute(sa.select(sa.func.count()).select_from(t.operators))).scalar_one()
        if not exists:
            await insert_known_users(e)
        ids = []
        async with e.begin() as conn:
            for i in range(n):
                p = payload if payload is not None else {"provider": None, "room_id": 1, "stream": f"s_{uuid.uuid4().hex[:8]}"}
                ids.append((await conn.execute(t.action_outbox.insert().values(
                    idempotency_key=uuid.uuid4().hex, kind=kind, target="room:1", payload={**p, "reason": f"测试{i}"},
                    requested_by="test-moderator", role="moderator", state="pending", attempts=1, created_at=now,
                    updated_at=now, last_error="503").returning(t.action_outbox.c.id))).scalar_one())
        return ids
    finally:
        await e.dispose()


def worker_stack(url: str, login: str, video: KingsoftVideo, **kw: Any) -> SimpleNamespace:
    engine = make_engine(url, pool_size=1, max_overflow=0)
    op = Operator(id=OperatorId(0), username=login, display_name="worker", role=Role.ADMIN)
    audit = AuditService(engine, op)
    actions = ActionService(engine, audit, video, **kw)
    return SimpleNamespace(engine=engine, operator=op, audit=audit, actions=actions)


async def rows(owner_url: str, ids: list[int]) -> list[Any]:
    e = make_engine(owner_url)
    try:
        async with e.connect() as conn:
            return list((await conn.execute(sa.select(t.action_outbox).where(t.action_outbox.c.id.in_(ids))
                                            .order_by(t.action_outbox.c.id))).all())
    finally:
        await e.dispose()


async def wait_for(cond: Any, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if await cond():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


def conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    from console.worker.__main__ import conninfo as ci
    return ci(make_url(url), "shihou-worker-test")


class RunningWorker:
    """A procrastinate worker in this event loop (as ``python -m console.worker`` runs it)."""

    def __init__(self, url: str, duties: Duties, *, only: set[str] | None = None, concurrency: int = 2) -> None:
        only = only or {"action"}
        from procrastinate import PsycopgConnector

        from console.worker.tasks import build_tasks

        self.wt = build_tasks(PsycopgConnector(conninfo=conninfo(url), min_size=1, max_size=1), duties, only=only)
        self.concurrency = concurrency
        self.task: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> RunningWorker:
        await self.wt.app.open_async()
        self.task = asyncio.ensure_future(self.wt.app.run_worker_async(
            queues=self.wt.queues, concurrency=self.concurrency, install_signal_handlers=False,
            fetch_job_polling_interval=0.2, name=self.wt.duties.name))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.wt.app.close_async()

    async def defer_action(self, action_id: Any) -> None:
        from procrastinate.exceptions import AlreadyEnqueued

        try:
            await self.wt.app.configure_task("shihou.action", queue="shihou.action",
                                             queueing_lock=f"action:{action_id}").defer_async(action_id=action_id)
        except AlreadyEnqueued:
            pass


async def job_states(owner_url: str) -> dict[str, str]:
    e = make_engine(owner_url)
    try:
        async with e.connect() as conn:
            return {f"{r.task_name}#{r.id}": r.status for r in (await conn.execute(sa.text(
                "SELECT id, task_name, status::text AS status FROM procrastinate_jobs ORDER BY id"))).all()}
    finally:
        await e.dispose()


# --- PostgreSQL: the worker's role and procrastinate -------------------------------------------------------

@pytest.mark.postgres
async def test_two_workers_share_the_work_and_each_action_runs_once(pg: SimpleNamespace, emu: KingsoftEmulator) -> None:
    ids = await seed(pg.owner, 24)
    emu.inject("ResumeStream", "slow", count=24, delay_s=0.05)   # a provider that takes a moment
    before = len(emu.calls_of("ResumeStream"))
    v1, v2 = kls(emu), kls(emu)
    s1, s2 = worker_stack(pg.worker_url, pg.login, v1), worker_stack(pg.worker_url, pg.login, v2)
    d1, d2 = Duties(s1, name="w1"), Duties(s2, name="w2")
    try:
        async with RunningWorker(pg.worker_url, d1) as w1, RunningWorker(pg.worker_url, d2) as w2:
            for i in ids:   # both try to enqueue every action: the queueing lock keeps one job each
                await w1.defer_action(i)
                await w2.defer_action(i)

            async def all_done() -> bool:
                return all(r.state == "done" for r in await rows(pg.owner, ids))
            await wait_for(all_done)
        calls = emu.calls_of("ResumeStream")[before:]
        assert len(calls) == 24 and d1.done + d2.done == 24
        assert d1.done > 0 and d2.done > 0, (d1.done, d2.done)
        e = make_engine(pg.owner)
        async with e.connect() as conn:
            audit = (await conn.execute(sa.select(t.audit_log.c.actor, t.audit_log.c.role).where(
                t.audit_log.c.kind == "stream_resume"))).all()
        await e.dispose()
        assert len(audit) == 24 and {tuple(a) for a in audit} == {(pg.login, "worker")}
    finally:
        emu.faults.clear()
        for s, v in ((s1, v1), (s2, v2)):
            await v.aclose()
            await s.engine.dispose()


@pytest.mark.postgres
async def test_a_claimed_action_runs_once_when_worker_console_and_recovery_race(
        pg: SimpleNamespace, emu: KingsoftEmulator) -> None:
    [aid] = await seed(pg.owner, 1)
    emu.inject("ResumeStream", "slow", count=1, delay_s=1.0)   # the first runner holds it for a second
    before = len(emu.calls_of("ResumeStream"))
    vw, vc, vr = kls(emu), kls(emu), kls(emu)
    w = worker_stack(pg.worker_url, pg.login, vw)
    console_engine = make_engine(pg.owner, pg_role="shihou_moderator")
    mod = operator(Role.MODERATOR)
    console = ActionService(console_engine, AuditService(console_engine, mod), vc)
    recovery = ActionService(console_engine, AuditService(console_engine, mod), vr)
    try:
        out = await asyncio.gather(Duties(w).run_action(aid), console.retry(aid), recovery.recover(),
                                   Duties(w).run_action(aid))
        assert len(emu.calls_of("ResumeStream")) - before == 1
        [row] = await rows(pg.owner, [aid])
        assert row.state == "done" and row.claimed_by is None and row.attempts == 2
        states = [out[0].state if out[0] else None, out[1].state, *(r.state for r in out[2])]
        assert ActionStatus.DONE in states
    finally:
        emu.faults.clear()
        for v in (vw, vc, vr):
            await v.aclose()
        await w.engine.dispose()
        await console_engine.dispose()


@pytest.mark.postgres
async def test_attempts_are_capped_and_a_poison_row_does_not_stop_later_rows(
        pg: SimpleNamespace, emu: KingsoftEmulator, expect_log: list[str]) -> None:
    expect_log.extend(["action", "503"])
    [capped] = await seed(pg.owner, 1)                                                     # ResumeStream: 503
    [poison] = await seed(pg.owner, 1, payload={"provider": None, "room_id": 1})          # no stream: KeyError
    [bad_date] = await seed(pg.owner, 1, kind="stream_cut",
                            payload={"provider": None, "room_id": 1, "stream": "room_1", "until": "not a date"})
    [fine] = await seed(pg.owner, 1, kind="stream_cut", payload={"provider": None, "room_id": 1, "stream": "room_1",
                                                               "until": None})           # ForbidStream: fine
    emu.inject("ResumeStream", "503", count=100)
    v = kls(emu)
    s = worker_stack(pg.worker_url, pg.login, v, max_attempts=3, backoff=lambda _n: 0.0)
    d = Duties(s)
    try:
        for _ in range(4):
            await d.run_due_actions()
        got = {r.id: r for r in await rows(pg.owner, [capped, poison, bad_date, fine])}
        assert got[fine].state == "done"
        assert got[poison].state == "failed" and "KeyError" in got[poison].last_error
        assert got[bad_date].state == "failed" and "ValueError" in got[bad_date].last_error
        assert got[capped].state == "failed" and got[capped].attempts == 3
        assert got[capped].last_error.startswith("giving up after 3 attempts")
        e = make_engine(pg.owner)
        async with e.connect() as conn:
            failed = (await conn.execute(sa.select(t.audit_log.c.evidence, t.audit_log.c.actor).where(
                t.audit_log.c.outcome == "failed"))).all()
        await e.dispose()
        assert {f.evidence["action_id"] for f in failed} == {capped, poison, bad_date}
        assert {f.actor for f in failed} == {pg.login}
    finally:
        emu.faults.clear()
        await v.aclose()
        await s.engine.dispose()


@pytest.mark.postgres
async def test_a_provider_outage_shows_the_backoff_and_the_job_completes_when_it_comes_back(
        pg: SimpleNamespace, emu: KingsoftEmulator, expect_log: list[str]) -> None:
    expect_log.extend(["action", "503"])
    [aid] = await seed(pg.owner, 1)
    emu.inject("ResumeStream", "503", count=2)
    v = kls(emu)
    s = worker_stack(pg.worker_url, pg.login, v, backoff=lambda n: 0.6 * n)
    d = Duties(s)
    seen: list[datetime] = []
    try:
        async with RunningWorker(pg.worker_url, d) as w:
            await w.defer_action(aid)

            async def done() -> bool:
                [r] = await rows(pg.owner, [aid])
                if r.state == "pending" and r.next_try_at is not None and r.next_try_at not in seen:
                    seen.append(r.next_try_at)
                return bool(r.state == "done")
            await wait_for(done, 20)
        [r] = await rows(pg.owner, [aid])
        assert r.attempts == 4 and r.next_try_at is None and len(seen) >= 1
        assert s.actions.queue is not None
    finally:
        emu.faults.clear()
        await v.aclose()
        await s.engine.dispose()


@pytest.mark.postgres
async def test_a_job_whose_payload_no_longer_parses_fails_with_its_reason(
        pg: SimpleNamespace, emu: KingsoftEmulator, expect_log: list[str], caplog: pytest.LogCaptureFixture) -> None:
    expect_log.extend(["does not parse", "Job", "job"])
    [aid] = await seed(pg.owner, 1)
    v = kls(emu)
    s = worker_stack(pg.worker_url, pg.login, v)
    try:
        async with RunningWorker(pg.worker_url, Duties(s)) as w:
            await w.defer_action("seven")
            await w.defer_action(aid)

            async def settled() -> bool:
                st = await job_states(pg.owner)
                return "failed" in st.values() and any(r.state == "done" for r in await rows(pg.owner, [aid]))
            await wait_for(settled)
        assert "action job payload does not parse: action_id='seven'" in caplog.text
    finally:
        await v.aclose()
        await s.engine.dispose()


@pytest.mark.postgres
async def test_a_job_kind_one_worker_does_not_know_stays_for_the_other(pg: SimpleNamespace, emu: KingsoftEmulator) -> None:
    v = kls(emu)
    s_old, s_new = worker_stack(pg.worker_url, pg.login, v), worker_stack(pg.worker_url, pg.login, v)
    old, new = Duties(s_old, name="old"), Duties(s_new, name="new")
    reverted: list[int] = []

    async def reverts() -> int:
        reverted.append(1)
        return 0
    new.reverts = reverts  # type: ignore[method-assign]
    try:
        async with RunningWorker(pg.worker_url, old, only={"action"}) as w_old:
            await w_old.wt.app.configure_task("shihou.reverts", queue="shihou.reverts").defer_async(timestamp=0)
            await asyncio.sleep(1.5)
            assert list((await job_states(pg.owner)).values()) == ["todo"]   # the old worker left it alone
        async with RunningWorker(pg.worker_url, new, only={"action", "reverts"}):
            async def ran() -> bool:
                return bool(reverted)
            await wait_for(ran)
    finally:
        await v.aclose()
        await s_old.engine.dispose()
        await s_new.engine.dispose()


def run_worker_cli(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "console.worker", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, "SHIHOU_KINGSOFT_URL": ""})


@pytest.mark.postgres
async def test_a_worker_whose_role_lacks_a_grant_names_it_and_exits_non_zero(pg: SimpleNamespace,
                                                                            tmp_path: Path) -> None:
    secrets = tmp_path / "worker.secrets"
    secrets.write_text(f"# the worker\nworker/{pg.login} = {PW}\n", encoding="utf-8")
    secrets.chmod(0o644)
    res = await asyncio.to_thread(run_worker_cli, ["--db", pg.bare, "--secrets-file", str(secrets)])
    assert res.returncode == 1 and "readable or writable by others" in res.stderr and "chmod 600" in res.stderr
    secrets.chmod(0o600)
    pg.cluster.psql("REVOKE UPDATE ON chat_lockdowns FROM shihou_worker", dbname=pg.name)
    res = await asyncio.to_thread(run_worker_cli, ["--db", pg.bare, "--secrets-file", str(secrets)])
    assert res.returncode == 1, res.stderr
    assert "GRANT UPDATE ON chat_lockdowns TO shihou_worker" in res.stderr
    res = await asyncio.to_thread(run_worker_cli, ["--db", pg.worker_url, "--secrets-file", str(secrets)])
    assert res.returncode == 2 and "no password in --db" in res.stderr


@pytest.mark.postgres
async def test_worker_status_counts_live_workers_and_jobs(pg: SimpleNamespace, emu: KingsoftEmulator) -> None:
    await seed(pg.owner, 2)
    v = kls(emu)
    s = worker_stack(pg.worker_url, pg.login, v)
    e = make_engine(pg.owner, pg_role="shihou_moderator")
    try:
        st = await worker_status(e)
        assert (st.workers, st.waiting, st.alive) == (0, 2, False)
        await Duties(s, name="w-status").heartbeat()
        st = await worker_status(e)
        assert st.workers == 1 and st.alive
    finally:
        await v.aclose()
        await s.engine.dispose()
        await e.dispose()


# --- SQLite: the console runs the duties itself -------------------------------------------------------------

async def test_sqlite_in_process_runner_does_the_same_duties(tmp_path: Path, sqlite_template: Path,
                                                            emu: KingsoftEmulator, expect_log: list[str]) -> None:
    import shutil

    expect_log.extend(["action", "KeyError"])
    db = tmp_path / "t.db"
    shutil.copy(sqlite_template, db)
    url = f"sqlite+aiosqlite:///{db}"
    [poison] = await seed(url, 1, payload={"provider": None, "room_id": 1})
    ids = await seed(url, 3)
    v = kls(emu)
    engine = make_engine(url)
    mod = operator(Role.MODERATOR)
    audit = AuditService(engine, mod)
    services = SimpleNamespace(engine=engine, operator=mod, audit=audit, actions=ActionService(engine, audit, v),
                               push=SimpleNamespace(connected=False), sms=SimpleNamespace(gateway=None),
                               moderation=SimpleNamespace(revert_due=_none))
    runner = LocalRunner(Duties(services))
    try:
        await runner.run_once()
        got = {r.id: r.state for r in await rows(url, [poison, *ids])}
        assert got == {poison: "failed", **{i: "done" for i in ids}}
        assert runner.rounds == {"actions": 1, "campaigns": 1, "reverts": 1, "session-gags": 1, "reports": 1}
        st = await worker_status(engine)
        assert st.in_process and st.alive and st.failed == 1 and st.waiting == 0
        runner.start()
        await asyncio.sleep(0.05)
        await runner.stop()
    finally:
        await v.aclose()
        await engine.dispose()


async def _none() -> list[Any]:
    return []


async def test_backoff_grows_and_is_capped() -> None:
    from console.services.actions import backoff_s

    assert [backoff_s(n) for n in (1, 2, 3)] == [5.0, 10.0, 20.0] and backoff_s(30) == 600.0
    assert timedelta(seconds=backoff_s(8)) <= timedelta(minutes=10)


@pytest.mark.postgres
async def test_the_worker_command_signs_in_beats_and_stops_on_sigterm(pg: SimpleNamespace, tmp_path: Path) -> None:
    import signal

    secrets = tmp_path / "worker.secrets"
    secrets.write_text(f"worker/{pg.login} = {PW}\n", encoding="utf-8")
    secrets.chmod(0o600)
    proc = subprocess.Popen([sys.executable, "-m", "console.worker", "--db", pg.bare, "--secrets-file", str(secrets),
                             "--concurrency", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    e = make_engine(pg.owner, pg_role="shihou_moderator")
    try:
        async def alive() -> bool:
            assert proc.poll() is None, proc.communicate()[1]
            return (await worker_status(e)).workers == 1
        await wait_for(alive, 30)
        async with e.connect() as conn:
            n = (await conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = :u"), {"u": pg.login})).scalar_one()
        assert n <= 3
        proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.to_thread(proc.communicate, timeout=30)
        assert proc.returncode == 0, err
        assert (await worker_status(e)).workers == 0   # signed off
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        await e.dispose()


@pytest.mark.gui
async def test_status_bar_label_and_action_queue_show_the_worker_and_the_next_try(qtbot: Any) -> None:
    from console.domain import ActionRecord
    from console.services.jobs import WorkerStatus
    from console.views.action_queue import ActionModel
    from console.views.worker_status import WorkerStatusLabel

    label = WorkerStatusLabel()
    qtbot.addWidget(label)
    label.show_status(WorkerStatus(workers=2, waiting=3, failed=1))
    assert label.text() == "后台任务：2 个执行器 · 3 待办 · 1 失败"
    label.show_status(WorkerStatus(workers=0, waiting=5, failed=0))
    assert "无执行器在线" in label.text() and "b3261e" in label.styleSheet()
    label.show_status(WorkerStatus(workers=0, waiting=0, failed=0, in_process=True))
    assert label.text() == "后台任务：本机执行 · 0 待办" and label.styleSheet() == ""
    now = datetime.now(UTC)
    model = ActionModel()
    model.rows = [ActionRecord(id=1, key="k", kind="stream_cut", target="room:1", state=ActionStatus.PENDING,
                               attempts=3, last_error="503", requested_by="m", created_at=now, updated_at=now,
                               next_try_at=now + timedelta(seconds=20))]
    col = model.headers.index("下次重试")
    assert model.data(model.index(0, col)) == (now + timedelta(seconds=20)).astimezone().strftime("%H:%M:%S")
    assert model.data(model.index(0, model.headers.index("尝试次数"))) == "3"


@pytest.mark.postgres
async def test_the_sandbox_starts_one_worker_on_postgresql(pg: SimpleNamespace) -> None:
    from console.credentials import MemoryStore
    from console.sandbox.worker import LOGIN, start_sandbox_worker

    owner = make_engine(pg.owner)
    try:
        w = await start_sandbox_worker(owner, pg.owner, {"kingsoft.url": ""}, MemoryStore())
        try:
            async def beats() -> bool:
                return (await worker_status(owner)).workers == 1
            await wait_for(beats, 30)
            async with owner.connect() as conn:
                login = (await conn.execute(sa.select(t.worker_heartbeats.c.login))).scalar_one()
            assert login == LOGIN and not w.folder.joinpath("secrets").stat().st_mode & 0o077
        finally:
            await w.stop()
        assert w.proc.returncode == 0 and not w.folder.exists()
    finally:
        await owner.dispose()


@pytest.mark.postgres
async def test_the_worker_reverts_a_due_lockdown_in_its_own_name(pg: SimpleNamespace) -> None:
    from console.services.chat.feed import LockdownPreset
    from console.services.chat.moderation import CHAT_KINDS, ChatActionHandler, ChatModeration
    from tests.test_chat_service import chat_users, make_rig

    owner = make_engine(pg.owner)
    await chat_users(owner)
    await owner.dispose()
    mod_engine = make_engine(pg.owner, pg_role="shihou_moderator")
    rig = make_rig(mod_engine)
    r = await rig.__anext__()
    w = worker_stack(pg.worker_url, pg.login, kls_none())
    try:
        preset = LockdownPreset(id=0, name="紧急封控", mute_rooms=True, words=("临时词",), revert_after_minutes=30)
        rec = await r.mod.lockdown(preset, ["1"], reason="突发刷屏")
        assert rec.state == "done" and r.emu.rooms["1"].muted
        w.actions.register(CHAT_KINDS, ChatActionHandler(r.rc))
        w.moderation = ChatModeration(w.actions, w.engine, audit=w.audit,
                                      clock=lambda: datetime.now(UTC) + timedelta(minutes=31))
        assert await Duties(w).reverts() == 1
        assert not r.emu.rooms["1"].muted and "临时词" not in r.emu.words
        async with w.engine.connect() as conn:
            row = (await conn.execute(sa.select(t.audit_log.c.actor, t.audit_log.c.role).where(
                t.audit_log.c.kind == "chat_lockdown_revert"))).one()
        assert tuple(row) == (pg.login, "worker")
        assert await Duties(w).reverts() == 0
    finally:
        await w.engine.dispose()
        await rig.aclose()
        await mod_engine.dispose()


def kls_none() -> Any:
    return {}
