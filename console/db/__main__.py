"""``python -m console.db upgrade|current|downgrade REV [--db URL]`` and, for a team's PostgreSQL,
``python -m console.db bootstrap --db postgresql+asyncpg://SUPERUSER@HOST/DB --admin NAME``: migrate (which
creates the group roles, the sign-in gate and the rules, console/db/team_ddl.py) and create the first admin.
The admin's password comes from ``SHIHOU_NEW_PASSWORD`` when standard input is not a terminal, otherwise
from a prompt; it reaches the server only as a SCRAM verifier."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from console.db import migrate
from console.db.engine import make_engine, redact_url

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine
from console.errors import ConsoleError, InvalidInput, SettingsError
from console.settings import load_settings


async def _run(args: argparse.Namespace, url: str) -> int:
    engine = make_engine(url)
    try:
        if args.command == "upgrade":
            await migrate.upgrade(engine, args.revision or "head")
            print(f"{redact_url(url)}: at {await migrate.current_revision(engine)}")
        elif args.command == "downgrade":
            await migrate.downgrade(engine, args.revision)
            print(f"{redact_url(url)}: at {await migrate.current_revision(engine)}")
        elif args.command == "bootstrap":
            return await _bootstrap(engine, url, args.admin)
        else:
            cur = await migrate.current_revision(engine)
            head = migrate.head_revision()
            print(f"{redact_url(url)}: at {cur or '(empty)'}, head {head}")
            return 0 if cur == head else 1
    finally:
        await engine.dispose()
    return 0


async def _bootstrap(engine: AsyncEngine, url: str, admin: str) -> int:
    import sqlalchemy as sa

    from console.db.scram import scram_verifier
    from console.domain import check_name, check_password

    if engine.dialect.name != "postgresql":
        print("bootstrap is for a team's PostgreSQL; SQLite needs only: python -m console.db upgrade", file=sys.stderr)
        return 2
    name = check_name(admin)
    async with engine.connect() as conn:
        superuser = (await conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = session_user"))).scalar()
    if not superuser:
        print("bootstrap connects as a PostgreSQL superuser (it creates roles): put one in --db", file=sys.stderr)
        return 2
    await migrate.upgrade(engine)
    print(f"{redact_url(url)}: at {await migrate.current_revision(engine)}; group roles, sign-in gate and rules in place")
    async with engine.connect() as conn:
        exists = (await conn.execute(sa.text("SELECT 1 FROM operators WHERE username = :n"), {"n": name})).first()
    if exists:
        print(f"operator {name} exists already; nothing else to do")
        return 0
    password = check_password(read_new_password(f"password for {name}: "))
    async with engine.begin() as conn:
        await conn.execute(sa.text("SELECT shihou_operator_create(:n, :n, 'admin', :v, 'bootstrap')"),
                           {"n": name, "v": scram_verifier(password)})
    print(f"admin {name} created (a temporary password: it is changed at the first sign-in). "
          f"Add operators from the console (运营人员管理) or: python -m console.operators --db URL --user {name} add NAME --role ROLE")
    return 0


def read_new_password(prompt: str) -> str:
    """``SHIHOU_NEW_PASSWORD`` when standard input is not a terminal, otherwise asked twice (never argv)."""
    import getpass
    import os

    if not sys.stdin.isatty():
        value = os.environ.get("SHIHOU_NEW_PASSWORD", "")
        if not value:
            raise InvalidInput("password", "standard input is not a terminal: set SHIHOU_NEW_PASSWORD")
        return value
    first = getpass.getpass(prompt)
    if getpass.getpass("again: ") != first:
        raise InvalidInput("password", "the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m console.db", description="Shared database migrations")
    p.add_argument("command", choices=["upgrade", "downgrade", "current", "bootstrap"])
    p.add_argument("revision", nargs="?")
    p.add_argument("--db", help="database URL (default: settings)")
    p.add_argument("--config", help="TOML settings file")
    p.add_argument("--admin", help="bootstrap: the first admin's operator name")
    args = p.parse_args(argv)
    if args.command == "bootstrap" and not args.admin:
        p.error("bootstrap needs --admin NAME")
    if args.command == "downgrade" and not args.revision:
        p.error("downgrade needs a revision")
    try:
        settings = load_settings(cli={"database.url": args.db}, config_path=args.config)
    except SettingsError as e:
        print(e, file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args, settings.db_url))
    except ConsoleError as e:
        print(e, file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - a command-line tool reports and exits
        from console.db.engine import describe_db_error

        print(describe_db_error(settings.db_url, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
