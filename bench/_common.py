"""Shared by the benchmarks: cached seeded databases, percentiles, machine load.

Databases are built once into a cache folder (default ``$TMPDIR/shihou-bench``) and reused
with ``--reuse``: a SQLite file ``sqlite-<users>-s<seed>.db`` and a PostgreSQL data folder
``pg/`` holding one database per size. A JSON marker is written only after a build has
finished, so an interrupted build is never reused.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from console.sandbox.pgcluster import PgCluster

DEFAULT_DIR = Path(tempfile.gettempdir()) / "shihou-bench"

#: PostgreSQL settings of database-facts.md (the machine has 24 GB); PgCluster's own defaults
#: (fsync off, shared_buffers 256MB) are overridden where they differ.
PG_CONF = {
    "shared_buffers": "2GB",
    "effective_cache_size": "12GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "8GB",
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pct(values: Sequence[float], q: float) -> float:
    """Percentile with linear interpolation (numpy's default); q in 0..100."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def loadavg() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def wait_for_quiet(max_load: float, max_wait: float) -> float:
    """Wait (up to ``max_wait`` s) until the 1-minute load is at most ``max_load``; return it."""
    deadline = time.monotonic() + max_wait
    load = loadavg()
    announced = False
    while load > max_load and time.monotonic() < deadline:
        if not announced:
            log(f"  waiting for the 1-min load ({load:.2f}) to drop to {max_load:.2f} (at most {max_wait:.0f} s)")
            announced = True
        time.sleep(5)
        load = loadavg()
    return load


class DirLock:
    """An exclusive ``flock`` on a file in the cache folder: concurrent benchmarks take turns
    instead of rebuilding a file another one reads, or stopping another one's PostgreSQL."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> DirLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"  waiting for another benchmark that holds {self.path}")
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> DirLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def seeder() -> Callable[..., Any]:
    """``console.sandbox.seed.seed_database``, or a clear exit when it does not exist yet."""
    try:
        from console.sandbox.seed import seed_database
    except ImportError as e:
        raise SystemExit(f"console.sandbox.seed.seed_database is not available ({e}); the benchmark "
                         "seeds its databases with it") from None
    return seed_database


class Progress:
    """A progress callback that accepts whatever the seeder passes, printed at most every 5 s."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._last = 0.0

    def __call__(self, *args: Any, **kw: Any) -> None:
        now = time.monotonic()
        if now - self._last >= 5:
            self._last = now
            parts = [str(a) for a in args] + [f"{k}={v}" for k, v in kw.items()]
            log(f"  {self.label}: {' '.join(parts)}")


async def _seed(url: str, users: int, seed: int, label: str) -> dict[str, Any]:
    """Seed an empty database (the seeder upgrades it to the Alembic head first)."""
    seed_database = seeder()
    t0 = time.perf_counter()
    counts = await seed_database(url, users, seed=seed, progress=Progress(label))
    secs = time.perf_counter() - t0
    return {"users": users, "seed": seed, "counts": dict(counts or {}), "seed_seconds": round(secs, 1),
            "built_at": time.strftime("%Y-%m-%d %H:%M:%S")}


def sqlite_path(db_dir: Path, users: int, seed: int) -> Path:
    return db_dir / f"sqlite-{users}-s{seed}.db"


def _remove_sqlite(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
              path.with_suffix(".json")):  # (the .lock file stays: it is what we hold)
        p.unlink(missing_ok=True)


def ensure_sqlite(db_dir: Path, users: int, seed: int, *, reuse: bool) -> tuple[Path, dict[str, Any]]:
    """The seeded SQLite file (built unless ``reuse`` finds a finished one) and its marker."""
    path = sqlite_path(db_dir, users, seed)
    marker = path.with_suffix(".json")
    with DirLock(path.with_suffix(".lock")):
        if reuse and path.exists() and marker.exists():
            log(f"SQLite: reusing {path}")
            return path, json.loads(marker.read_text())
        return path, _build_sqlite(path, users, seed)


def _build_sqlite(path: Path, users: int, seed: int) -> dict[str, Any]:
    marker = path.with_suffix(".json")
    _remove_sqlite(path)
    log(f"SQLite: seeding {users:,} users into {path}")
    meta = asyncio.run(_seed(f"sqlite+aiosqlite:///{path}", users, seed, "sqlite seed"))
    import sqlite3

    with sqlite3.connect(path) as c:  # fold the WAL into the file, so the cached copy is whole
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    meta["file_mib"] = round(path.stat().st_size / 2**20, 1)
    marker.write_text(json.dumps(meta, indent=1))
    log(f"SQLite: seeded in {meta['seed_seconds']} s, {meta['file_mib']} MiB, counts {meta['counts']}")
    return meta


class CachedPgCluster(PgCluster):
    """A :class:`PgCluster` whose data folder is kept (``dir``) between runs."""

    def __init__(self, path: Path, *, extra_conf: dict[str, str] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(base=path.parent, extra_conf=extra_conf)
        shutil.rmtree(self.dir, ignore_errors=True)  # the fresh temp folder PgCluster made
        self.dir = path
        self.lock = DirLock(path.parent / (path.name + ".lock"))

    def start(self) -> CachedPgCluster:
        self.lock.acquire()  # held until stop(): one benchmark at a time on this cluster
        data = self.dir / "data"
        if not (data / "PG_VERSION").exists():
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True)
            super().start()
            return self
        if (data / "postmaster.pid").exists():  # left by a run that was killed (we hold the lock)
            try:
                self._run(self.bin / "pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
            except subprocess.CalledProcessError:
                pass
        self._write_hba(data)  # operators sign in with their passwords, as on a team's server
        self._start_server()  # the same options as PgCluster.start (a new port each time)
        return self

    def stop(self) -> None:
        """Stop cleanly (a checkpoint, so the next start needs no recovery); keep the folder."""
        try:
            self._run(self.bin / "pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        finally:
            self.lock.release()

    def __enter__(self) -> CachedPgCluster:
        try:
            return self.start()
        except BaseException:
            self.lock.release()
            raise


def pg_dbname(users: int, seed: int) -> str:
    return f"bench_{users}_s{seed}"


def ensure_pg(pg: CachedPgCluster, users: int, seed: int, *, reuse: bool) -> tuple[str, dict[str, Any]]:
    """URL of the seeded database in ``pg`` (built unless ``reuse`` finds a finished one)."""
    name = pg_dbname(users, seed)
    marker = pg.dir / f"{name}.json"
    exists = pg.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1"
    if reuse and exists and marker.exists():
        log(f"PostgreSQL: reusing database {name} in {pg.dir}")
        return pg.url(name), json.loads(marker.read_text())
    marker.unlink(missing_ok=True)
    if exists:
        pg.psql(f"DROP DATABASE {name}")
    pg.psql(f"CREATE DATABASE {name}")
    url = pg.url(name)
    log(f"PostgreSQL: seeding {users:,} users into {name}")
    meta = asyncio.run(_seed(url, users, seed, "pg seed"))
    meta["users_last_analyzed"] = pg.psql(
        "SELECT coalesce(greatest(last_analyze, last_autoanalyze)::text, 'never') "
        "FROM pg_stat_user_tables WHERE relname = 'users'", name).strip()
    meta["db_mib"] = round(int(pg.psql(f"SELECT pg_database_size('{name}')").strip()) / 2**20, 1)
    marker.write_text(json.dumps(meta, indent=1))
    log(f"PostgreSQL: seeded in {meta['seed_seconds']} s (users last analyzed {meta['users_last_analyzed']}), "
        f"{meta['db_mib']} MiB, counts {meta['counts']}")
    return url, meta
