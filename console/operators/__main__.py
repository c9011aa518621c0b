"""``python -m console.operators --db URL --user ADMIN COMMAND``: operator administration, signed in as an admin.

Commands::

    list
    add NAME --role ROLE [--display NAME] [--generate]
    set-role NAME ROLE
    disable NAME
    enable NAME
    reset-password NAME [--generate]
    passwd                        the signed-in operator's own new password (after a temporary one)

Every change takes ``--reason`` (default "command line") and is audited under the admin's name. The admin's
password comes from ``SHIHOU_PASSWORD`` (a prompt when it is unset and standard input is a terminal); a new
password (add, reset-password, passwd) from ``SHIHOU_NEW_PASSWORD`` when standard input is not a terminal,
otherwise a prompt (twice); ``--generate`` makes a temporary one and prints it once. Passwords never come
from the command line. The sign-in is the console's own (on PostgreSQL: the admin's own login role).

Exit codes: 0 done; 1 refused or failed (sign-in, permission, the database, the change itself); 2 usage
(arguments, settings, a name or password that can never be valid).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import TYPE_CHECKING

from console.domain import Permission, Role, check_name, check_password
from console.errors import ConsoleError, InvalidInput, SettingsError

if TYPE_CHECKING:
    from console.services.auth import Session
    from console.services.operators import OperatorInfo, OperatorService

DEFAULT_REASON = "command line"
ROLES = [r.value for r in Role]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m console.operators",
                                description="Operator administration (admins), signed in like the console.")
    p.add_argument("--db", metavar="URL", help="database URL (default: settings)")
    p.add_argument("--config", metavar="FILE", help="TOML settings file")
    p.add_argument("--user", metavar="ADMIN", help="the admin who signs in (default: auth.user); "
                                                    "password from SHIHOU_PASSWORD")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="every operator with role, state, last sign-in and failures")
    add = sub.add_parser("add", help="a new operator with a temporary password")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--display", default="", metavar="NAME", help="display name (default: the user name)")
    set_role = sub.add_parser("set-role", help="change an operator's role")
    set_role.add_argument("name")
    set_role.add_argument("role", choices=ROLES)
    for cmd, text in (("disable", "disable an operator (their sessions end)"), ("enable", "enable an operator"),
                      ("reset-password", "a new temporary password, changed at the next sign-in")):
        sp = sub.add_parser(cmd, help=text)
        sp.add_argument("name")
    sub.add_parser("passwd", help="your own new password (after a temporary one)")
    for name, sp in sub.choices.items():
        if name != "list":
            sp.add_argument("--reason", default=DEFAULT_REASON, help=f"for the audit log (default: {DEFAULT_REASON!r})")
        if name in ("add", "reset-password"):
            sp.add_argument("--generate", action="store_true",
                            help="generate the temporary password and print it once")
    return p


def _admin_password(user: str) -> str:
    password = os.environ.get("SHIHOU_PASSWORD", "")
    if password:
        return password
    if not sys.stdin.isatty():
        raise InvalidInput("password", f"set SHIHOU_PASSWORD to {user}'s password (standard input is not a terminal)")
    import getpass

    return getpass.getpass(f"password for {user}: ")


def _new_password(args: argparse.Namespace, who: str) -> str:
    if getattr(args, "generate", False):
        from console.passwords import generate_password

        return generate_password()
    from console.db.__main__ import read_new_password

    return check_password(read_new_password(f"new password for {who}: "))


def _fmt(dt: object) -> str:
    from datetime import datetime

    return dt.astimezone().strftime("%Y-%m-%d %H:%M") if isinstance(dt, datetime) else "-"


def print_table(rows: list[OperatorInfo]) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    head = ("NAME", "DISPLAY NAME", "ROLE", "STATE", "LAST SIGN-IN", "FAILED", "LOCKED UNTIL", "TEMPORARY PW")
    table = [head] + [(o.username, o.display_name, o.role.value, "active" if o.active else "disabled",
                       _fmt(o.last_sign_in_at), str(o.failed_attempts),
                       _fmt(o.locked_until) if o.locked_until and o.locked_until > now else "-",
                       "yes" if o.must_change_password else "-") for o in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _describe(o: OperatorInfo) -> str:
    return f"{o.username} ({o.display_name}): {o.role.value}, {'active' if o.active else 'disabled'}"


async def run(args: argparse.Namespace, url: str, user: str, password: str, new_password: str) -> int:
    from sqlalchemy.pool import NullPool

    from console.db.engine import make_engine
    from console.services.audit import AuditService
    from console.services.auth import AuthService
    from console.services.operators import OperatorService

    session: Session = await AuthService(url).sign_in(user, password)
    me = session.operator
    if args.command != "passwd" and not me.can(Permission.MANAGE_OPERATORS):
        print(f"{me.username} ({me.role.value}) may not manage operators: sign in as an admin", file=sys.stderr)
        return 1
    if session.must_change_password and args.command != "passwd":
        print(f"note: {me.username} signed in with a temporary password; change it with: "
              f"python -m console.operators --user {me.username} passwd", file=sys.stderr)
    engine = make_engine(session.db_url.reveal(), poolclass=NullPool)
    try:
        ops = OperatorService(engine, AuditService(engine, me))
        return await _command(args, ops, me.username, new_password)
    finally:
        await engine.dispose()


async def _command(args: argparse.Namespace, ops: OperatorService, me: str, new_password: str) -> int:
    cmd = args.command
    if cmd == "list":
        print_table(await ops.list_all())
        return 0
    if cmd == "passwd":
        await ops.change_own_password(new_password)
        print(f"{me}: password changed")
        return 0
    if cmd == "add":
        info = await ops.create(args.name, args.role, password=new_password, display_name=args.display,
                                reason=args.reason)
        print(f"created {_describe(info)}; the password is temporary: it is changed at the first sign-in")
    elif cmd == "set-role":
        info = await ops.set_role(args.name, args.role, args.reason)
        print(f"{_describe(info)}")
    elif cmd in ("disable", "enable"):
        info = await ops.set_active(args.name, cmd == "enable", args.reason)
        print(f"{_describe(info)}")
    else:  # reset-password
        info = await ops.reset_password(args.name, new_password, args.reason)
        print(f"{info.username}: temporary password set; it is changed at the next sign-in")
    if getattr(args, "generate", False):
        print(f"temporary password for {info.username} (shown once): {new_password}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from console.log import init_logging
    from console.settings import load_settings

    try:
        settings = load_settings(cli={"database.url": args.db}, config_path=args.config)
    except SettingsError as e:
        print(e, file=sys.stderr)
        return 2
    init_logging("ERROR", to_file=False)  # refusals are printed below, once, in plain words
    user = args.user or str(settings["auth.user"])
    if not user:
        print("--user ADMIN is required (the admin who signs in)", file=sys.stderr)
        return 2
    try:
        if getattr(args, "name", None) is not None:
            check_name(args.name)
        password = _admin_password(user)
        new_password = ""
        if args.command in ("add", "reset-password", "passwd"):
            new_password = _new_password(args, user if args.command == "passwd" else args.name)
    except InvalidInput as e:
        print(e, file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("cancelled", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run(args, settings.db_url, user, password, new_password))
    except ConsoleError as e:
        print(e.user_message(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 1
    except Exception as e:  # noqa: BLE001 - a command-line tool reports and exits
        from console.db.engine import describe_db_error

        logging.getLogger(__name__).debug("failed", exc_info=True)
        print(describe_db_error(settings.db_url, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
