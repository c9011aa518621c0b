"""The sandbox's worker on PostgreSQL (``make run SANDBOX_DB=postgresql+asyncpg://…``): a login in
``shihou_worker`` with a fresh password, a 0600 secrets file (its password and the emulators' secrets) in a
0700 folder, the emulators' settings in its environment, and ``python -m console.worker`` as a child process,
stopped with the sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from console.db.scram import scram_verifier
from console.settings import env_name

LOGIN = "sandbox_worker"


class SandboxWorker:
    def __init__(self, proc: asyncio.subprocess.Process, folder: Path) -> None:
        self.proc = proc
        self.folder = folder

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


async def start_sandbox_worker(owner: AsyncEngine, db_url: str, settings: dict[str, Any],
                               credentials: Any) -> SandboxWorker:
    """``owner``: the database owner's engine (creates the login); ``settings``/``credentials``: the sandbox's."""
    password = secrets.token_urlsafe(24)
    async with owner.begin() as conn:
        await conn.execute(sa.text(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{LOGIN}') THEN "
            f"CREATE ROLE {LOGIN} LOGIN; END IF; END $$"))
        verifier = scram_verifier(password).replace(":", "\\:")   # not bind parameters
        await conn.execute(sa.text(f"ALTER ROLE {LOGIN} LOGIN PASSWORD '{verifier}'"))
        await conn.execute(sa.text(f"GRANT shihou_worker TO {LOGIN}"))
    folder = Path(tempfile.mkdtemp(prefix="shihou-worker-"))   # 0700
    path = folder / "secrets"
    lines = [f"worker/{LOGIN} = {password}"]
    lines += [f"{k} = {v}" for k, v in sorted(getattr(credentials, "_data", {}).items())]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    env = dict(os.environ)
    for key, value in settings.items():
        if isinstance(value, bool):
            env[env_name(key)] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            env[env_name(key)] = str(value)
    url = make_url(db_url).set(username=LOGIN, password=None).render_as_string(hide_password=False)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "console.worker", "--db", url,
                                                "--secrets-file", str(path), env=env)
    with contextlib.suppress(TimeoutError):   # it exits at once when something is wrong: say so now
        await asyncio.wait_for(proc.wait(), 2.0)
    if proc.returncode is not None:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"the sandbox worker exited with {proc.returncode} (see its messages above)")
    return SandboxWorker(proc, folder)
