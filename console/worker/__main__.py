"""``python -m console.worker --db postgresql+asyncpg://LOGIN@HOST/DB [--secrets-file FILE] [--concurrency N]``

Signs in to PostgreSQL as its own login (a member of ``shihou_worker``) with the password from its keyring or
the 0600 secrets file, checks the grants its jobs need, and runs the duties until SIGINT/SIGTERM.
Exit codes: 0 stopped, 1 refused (password, grants, database, secrets), 2 usage.
Connections: procrastinate's pool of 1 and its LISTEN connection, and the services' pool of 1: 3 in all.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from console.errors import ConsoleError

log = logging.getLogger("console.worker")
HEARTBEAT_S = 5.0


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="shihou-worker", description="Shihou background duties on procrastinate")
    p.add_argument("--db", required=True, help="postgresql+asyncpg://LOGIN@HOST[:PORT]/DB (no password)")
    p.add_argument("--secrets-file", type=Path, help="0600 file: 'worker/LOGIN = password' and provider secrets")
    p.add_argument("--config", type=Path, help="TOML settings file (providers, mail)")
    p.add_argument("--concurrency", type=int, default=4, help="jobs run at once (default 4)")
    p.add_argument("--only", help="comma-separated task names this worker runs (default: all)")
    p.add_argument("--log-level", default="INFO")
    return p.parse_args(argv)


def conninfo(url: Any, app_name: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(host=url.host or "localhost", port=url.port or 5432, dbname=url.database,
                         user=url.username, password=url.password or "", application_name=app_name)


async def _heartbeats(duties: Any, login: str) -> None:
    while True:
        try:
            await duties.heartbeat(login=login)
        except Exception as e:  # noqa: BLE001 - the database is away: the next beat tries again
            log.warning("heartbeat not written: %s", e)
        await asyncio.sleep(HEARTBEAT_S)


async def run(args: argparse.Namespace) -> int:
    from procrastinate import PsycopgConnector

    from console.db.engine import open_database
    from console.domain import Operator, OperatorId, Role
    from console.services import Session, build_services
    from console.services.jobs import Duties
    from console.settings import load_settings
    from console.worker.grants import missing_grants
    from console.worker.secrets import secret_store, worker_password
    from console.worker.tasks import build_tasks

    try:
        url = make_url(args.db)
    except ArgumentError:
        print(f"shihou-worker: not a database URL: {args.db!r}", file=sys.stderr)
        return 2
    if not url.drivername.startswith("postgresql") or not url.username:
        print("shihou-worker: --db must be postgresql+asyncpg://LOGIN@HOST/DB (the worker's own login)",
              file=sys.stderr)
        return 2
    if url.password:
        print("shihou-worker: put no password in --db; it comes from the keyring or --secrets-file", file=sys.stderr)
        return 2
    login = str(url.username)
    store = secret_store(args.secrets_file)
    full = url.set(password=worker_password(store, login).reveal())
    full_str = full.render_as_string(hide_password=False)
    # the services' pool holds 1 connection (a console's minimum of 2 is for its event listener, which a worker
    # does not run); with procrastinate's pool of 1 and its LISTEN connection: 3 in all
    settings = load_settings(cli={"database.url": args.db}, config_path=args.config)
    settings = dataclasses.replace(settings, values={**settings.values, "database.pool_size": 1})
    engine = await open_database(full_str, pool_size=1)
    try:
        async with engine.connect() as conn:
            lacking = await missing_grants(conn)
    finally:
        await engine.dispose()
    if lacking:
        print(f"shihou-worker: the role {login} lacks privileges its jobs need; as the database owner run:",
              file=sys.stderr)
        for g in lacking:
            print(f"  {g};", file=sys.stderr)
        return 1
    op = Operator(id=OperatorId(0), username=login, display_name="worker", role=Role.ADMIN)
    services = await build_services(settings, op, start_events=False, credentials=store,
                                    session=Session(operator=op, db_url=_secret(full_str)))
    mailer = None
    if Duties.mail_available():
        from console.services.mail import Mailer

        mailer = Mailer.from_settings(settings, store)
    name = f"{login}@{socket.gethostname()}:{os.getpid()}"
    duties = Duties(services, name=name)
    only = set(args.only.split(",")) if args.only else None
    wt = build_tasks(PsycopgConnector(conninfo=conninfo(full, "shihou-worker"), min_size=1, max_size=1), duties,
                     mailer=mailer, only=only)
    log.info("worker %s: tasks %s", name, ", ".join(wt.names))
    beat = asyncio.ensure_future(_heartbeats(duties, login))
    try:
        async with wt.app.open_async():
            await wt.app.run_worker_async(queues=wt.queues, concurrency=max(1, args.concurrency), name=name,
                                          fetch_job_polling_interval=0.5, install_signal_handlers=True,
                                          delete_jobs="successful")
    finally:
        beat.cancel()
        try:
            await duties.sign_off()
        except Exception as e:  # noqa: BLE001 - the row ages out
            log.warning("heartbeat row left: %s", e)
        await services.aclose()
    return 0


def _secret(value: str) -> Any:
    from console.credentials import Secret

    return Secret(value)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(run(args))
    except ConsoleError as e:
        print(f"shihou-worker: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
