"""``python -m console.sandbox seed --users N [--db URL] [--seed S]``: fill a database with demo data.

Exit codes: 0 done, 1 refused (the database already has users) or a database error,
2 a bad URL or bad arguments, 130 interrupted (Ctrl-C; the load is rolled back).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

from console.db.engine import describe_db_error, redact_url
from console.errors import SettingsError
from console.sandbox import seed as seeding
from console.settings import load_settings


class _TtyProgress:
    """One self-overwriting status line on a terminal; log lines clear it before they print."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, table: str, done: int, total: int) -> None:
        print(f"\r\033[K  {table:<18} {done:>10,} / ~{total:,}  {time.perf_counter() - self.start:6.1f} s",
              end="", file=sys.stderr, flush=True)


class _ClearLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return "\r\033[K" + super().format(record)


def _positive(v: str) -> int:
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {v!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {n}")
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m console.sandbox", description="Training sandbox tools")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed", help="fill an empty database with demo users, rooms, chat, pushes, SMS …",
                       description="Upgrade the database to the head and fill it with deterministic demo data. "
                                   "Refuses a database that already has users. Demo operators: "
                                   + ", ".join(u for u, _r, _d in seeding.DEMO_OPERATORS)
                                   + f" (password {seeding.DEMO_PASSWORD}).")
    s.add_argument("--users", type=_positive, required=True, help="number of users (e.g. 1000000)")
    s.add_argument("--db", help="database URL (default: the settings' database.url, normally the user's data folder)")
    s.add_argument("--config", help="TOML settings file")
    s.add_argument("--seed", type=int, default=1, help="random seed (default 1); the same seed gives the same data")
    s.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    args = p.parse_args(argv)

    tty = sys.stderr.isatty() and not args.quiet
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter((_ClearLine if tty else logging.Formatter)("  %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    if not args.quiet:
        logging.getLogger(seeding.__name__).setLevel(logging.INFO)
    try:
        url = load_settings(cli={"database.url": args.db}, config_path=args.config).db_url
        seeding.parse_target(url)
    except (SettingsError, seeding.BadDatabaseUrl) as e:
        print(e, file=sys.stderr)
        return 2
    print(f"seeding {redact_url(url)} with {args.users:,} users (seed {args.seed}) …", file=sys.stderr)
    t0 = time.perf_counter()
    try:
        counts = asyncio.run(seeding.seed_database(url, args.users, seed=args.seed,
                                                   progress=_TtyProgress() if tty else None))
    except KeyboardInterrupt:
        print(("\r\033[K" if tty else "") + "cancelled; nothing was written", file=sys.stderr)
        return 130
    except seeding.BadDatabaseUrl as e:
        print(("\r\033[K" if tty else "") + str(e), file=sys.stderr)
        return 2
    except seeding.SeedError as e:
        print(("\r\033[K" if tty else "") + str(e), file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - a command-line tool reports and exits
        print(("\r\033[K" if tty else "") + describe_db_error(url, e), file=sys.stderr)
        return 1
    if tty:
        print("\r\033[K", end="", file=sys.stderr)
    elapsed = time.perf_counter() - t0
    for table, n in counts.items():
        print(f"  {table:<18} {n:>12,}")
    print(f"done in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
