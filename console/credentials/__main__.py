"""``python -m console.credentials``: provider secrets in the OS keyring, from the command line.

::

    python -m console.credentials [--config FILE] list
    python -m console.credentials [--config FILE] set SLOT [ACCOUNT]
    python -m console.credentials [--config FILE] delete SLOT [ACCOUNT]
    python -m console.credentials [--config FILE] test PROVIDER

``SLOT`` is a keyring slot (``kingsoft``, ``kingsoft-antileech``, ``rongcloud``, ``jpush``, ``sms``,
``wangsu``); ``ACCOUNT`` defaults to the account name the settings give it (``--config`` file and
``SHIHOU_*`` environment, as the console reads them). ``set`` reads the secret from ``SHIHOU_SECRET``
when stdin is not a terminal, otherwise it prompts twice without echo; never from the command line.
``PROVIDER`` is ``kingsoft``, ``rongcloud``, ``jpush``, ``sms``, ``wangsu`` or ``nginx``.

Exit codes: 0 done / OK; ``test``: 1 wrong key, 2 unreachable, 3 the key was accepted but the call
refused; 4 not configured (no account name, no secret, bad settings) or the keyring is locked or
missing; 64 a bad command line.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from console.credentials.catalogue import PROVIDERS, SLOTS, account_of
from console.credentials.store import SERVICE, KeyringStore, delete_secrets, save_secrets
from console.errors import ConsoleError, SettingsError
from console.settings import env_name, load_settings

SECRET_ENV = "SHIHOU_SECRET"
EX_NOT_CONFIGURED = 4
EX_USAGE = 64


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EX_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    top = _Parser(add_help=False)
    top.add_argument("--config", type=Path, help="TOML settings file (as the console's --config)")
    common = _Parser(add_help=False)  # --config after the command too, without resetting one given before it
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p = _Parser(prog="python -m console.credentials", parents=[top],
                description="Provider secrets in the OS keyring (service shihou-console).",
                epilog="exit codes: 0 ok; test: 1 wrong key, 2 unreachable, 3 refused; "
                       "4 not configured or keyring locked/missing; 64 usage")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", parents=[common], help="providers, account names, whether each secret is saved")
    for name, what in (("set", "save a secret (SHIHOU_SECRET when stdin is not a terminal, else a prompt)"),
                       ("delete", "delete a secret")):
        c = sub.add_parser(name, parents=[common], help=what)
        c.add_argument("slot", choices=sorted(SLOTS), metavar="SLOT", help=", ".join(sorted(SLOTS)))
        c.add_argument("account", nargs="?", help="keyring account (default: the one the settings name)")
    t = sub.add_parser("test", parents=[common], help="one harmless signed call: OK, wrong key or unreachable")
    t.add_argument("provider", choices=sorted(PROVIDERS), metavar="PROVIDER", help=", ".join(sorted(PROVIDERS)))
    return p


def _settings(config: Path | None) -> Any:
    env = {k: v for k, v in os.environ.items() if k != SECRET_ENV}
    return load_settings(env=env, config_path=config)


def _account(args: argparse.Namespace, settings: Any) -> str:
    _spec, slot = SLOTS[args.slot]
    account = (args.account or account_of(settings, slot)).strip()
    if not account:
        raise _Stop(f"no account name for {slot.name}: pass ACCOUNT, or set {slot.account_key} "
                    f"(in the --config file or as {env_name(slot.account_key)})")
    configured = account_of(settings, slot)
    if args.account and configured and configured != account:
        print(f"note: the settings name {configured!r} for {slot.name} ({slot.account_key}); "
              f"the console reads {slot.name}/{configured}", file=sys.stderr)
    return account


class _Stop(Exception):
    pass


def _read_secret(label: str, key: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"{label} for {key}: ")
        if getpass.getpass("Again: ") != first:
            raise _Stop("the two entries differ; nothing was saved")
        value = first
    else:
        got = os.environ.get(SECRET_ENV)
        if got is None:
            raise _Stop(f"stdin is not a terminal: pass the secret in {SECRET_ENV} (never on the command line)")
        value = got
    value = value.strip()
    if not value:
        raise _Stop("an empty secret; nothing was saved")
    return value


def _list(settings: Any, store: KeyringStore) -> None:
    for spec in PROVIDERS.values():
        state = "on" if str(settings[spec.enable_key] or "") else "off"
        print(f"{spec.id:<10} {spec.title} ({state}: {spec.enable_key} = {settings[spec.enable_key]!r})")
        for key in spec.fields:
            if key != spec.enable_key:
                print(f"    {key} = {settings[key]!r}  [{settings.sources[key]}]")
        if not spec.secrets:
            print("    no secret")
        for slot in spec.secrets:
            account = account_of(settings, slot)
            if not account:
                note = "off: play URLs unsigned" if slot.optional else "no account name"
                print(f"    {slot.label:<16} {slot.name}/-  ({slot.account_key} is empty: {note})")
                continue
            present = store.get(slot.name, account) is not None
            print(f"    {slot.label:<16} {slot.name}/{account}  {'saved' if present else 'MISSING'}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from console.log import init_logging

    init_logging("WARNING", to_file=False)  # provider warnings on stderr, through the redacting filter
    try:
        settings = _settings(args.config)
    except SettingsError as e:
        print(e, file=sys.stderr)
        return EX_NOT_CONFIGURED
    store = KeyringStore()
    try:
        if args.command == "list":
            _list(settings, store)
            return 0
        if args.command == "test":
            from console.services.provider_check import check_provider

            result = asyncio.run(check_provider(args.provider, settings, store))
            label = {"ok": "OK", "wrong_key": "WRONG KEY", "unreachable": "UNREACHABLE", "refused": "REFUSED",
                     "not_configured": "NOT CONFIGURED"}[result.outcome]
            print(f"{args.provider}: {label}: {result.detail}")
            return result.exit_code
        account = _account(args, settings)
        _spec, slot = SLOTS[args.slot]
        key = f"{slot.name}/{account}"
        if args.command == "set":
            save_secrets(store, [(slot.name, account, _read_secret(slot.label, key))])
            print(f"saved {key} in the keyring (service {SERVICE})")
        else:
            delete_secrets(store, [(slot.name, account)])
            print(f"deleted {key} from the keyring (service {SERVICE})")
        return 0
    except _Stop as e:
        print(f"error: {e}", file=sys.stderr)
        return EX_NOT_CONFIGURED
    except ConsoleError as e:
        print(f"error: {e.user_message()}", file=sys.stderr)
        return EX_NOT_CONFIGURED


if __name__ == "__main__":
    sys.exit(main())
