"""``python -m console.db upgrade|current|downgrade REV [--db URL]``."""

from __future__ import annotations

import argparse
import asyncio
import sys

from console.db import migrate
from console.db.engine import make_engine, redact_url
from console.errors import SettingsError
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
        else:
            cur = await migrate.current_revision(engine)
            head = migrate.head_revision()
            print(f"{redact_url(url)}: at {cur or '(empty)'}, head {head}")
            return 0 if cur == head else 1
    finally:
        await engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m console.db", description="Shared database migrations")
    p.add_argument("command", choices=["upgrade", "downgrade", "current"])
    p.add_argument("revision", nargs="?")
    p.add_argument("--db", help="database URL (default: settings)")
    p.add_argument("--config", help="TOML settings file")
    args = p.parse_args(argv)
    if args.command == "downgrade" and not args.revision:
        p.error("downgrade needs a revision")
    try:
        settings = load_settings(cli={"database.url": args.db}, config_path=args.config)
    except SettingsError as e:
        print(e, file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args, settings.db_url))
    except Exception as e:  # noqa: BLE001 - a command-line tool reports and exits
        from console.db.engine import describe_db_error

        print(describe_db_error(settings.db_url, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
