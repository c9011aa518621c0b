"""Saving one provider's account (what the accounts dialog's Save and Delete do). No Qt; blocking (the
keyring may be a D-Bus call): run it in a worker thread.

* Secrets go to the keyring only, all or nothing (:func:`~console.credentials.store.save_secrets`).
* Account names and the other settings go to the console's ``--config`` TOML file when it has one
  (:func:`~console.credentials.settings_file.update_settings_file`; if that fails the secrets saved a moment
  before are put back as they were). Without a file, :attr:`SaveOutcome.env_lines` lists the ``SHIHOU_*``
  variables to set instead. Either way they take effect at the console's next start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.credentials.catalogue import PROVIDERS, account_of
from console.credentials.settings_file import update_settings_file
from console.credentials.store import CredentialStore, delete_secrets, restore, save_secrets, snapshot
from console.errors import InvalidInput, SettingsError
from console.settings import Settings, env_name

__all__ = ["SaveOutcome", "delete_account", "save_account", "secret_status", "with_fields"]


@dataclass
class SaveOutcome:
    """What a save did.

    Attributes:
        secrets: ``slot/account`` of every secret saved.
        settings_file: The file the changed settings were written to (None: none written).
        env_lines: ``SHIHOU_…=value`` lines to set, when the console has no settings file.
        overridden: Settings whose current value comes from the environment or the command line, which
            win over the file: the new value shows only once those are changed too.
        settings: The settings with the new values (what the next start will read).
    """

    secrets: list[str] = field(default_factory=list)
    settings_file: Path | None = None
    env_lines: list[str] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)
    settings: Settings | None = None


def with_fields(settings: Settings, provider: str, fields: Mapping[str, str]) -> Settings:
    """``settings`` with the provider's ``fields`` typed in the dialog (only the provider's own keys).

    Raises:
        InvalidInput: A value the setting refuses, or a key that is not the provider's.
    """
    spec = PROVIDERS[provider]
    overrides: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in spec.fields:
            raise InvalidInput(key, f"not a setting of {spec.title}")
        if any(ord(c) < 0x20 or c == "\x7f" for c in value):
            raise InvalidInput(key, "contains a control character")
        overrides[key.replace(".", "__")] = value.strip()
    try:
        return settings.replace(**overrides)
    except ValueError as e:
        raise InvalidInput(provider, str(e)) from None


def secret_status(settings: Settings | Mapping[str, Any], store: CredentialStore,
                  provider: str) -> dict[str, bool | None]:
    """For each secret slot of the provider: saved (True), missing (False), or no account name (None).

    Raises:
        KeyringUnavailable: The keyring cannot be read.
    """
    out: dict[str, bool | None] = {}
    for slot in PROVIDERS[provider].secrets:
        account = account_of(settings, slot)
        out[slot.name] = None if not account else store.get(slot.name, account) is not None
    return out


def save_account(settings: Settings, store: CredentialStore, provider: str, fields: Mapping[str, str],
                 secrets: Mapping[str, str]) -> SaveOutcome:
    """Save the provider's typed ``fields`` and the ``secrets`` typed (slot name to value; empty: unchanged).

    Raises:
        InvalidInput: A bad value, or a secret without its account name.
        KeyringUnavailable: The keyring is locked, missing or refused a write (nothing changed, or
            ``left`` names what could not be restored).
        SettingsError: The settings file could not be written (the secrets were put back).
    """
    spec = PROVIDERS[provider]
    new = with_fields(settings, provider, fields)
    items: list[tuple[str, str, str]] = []
    for slot in spec.secrets:
        value = secrets.get(slot.name, "").strip()
        if not value:
            continue
        account = account_of(new, slot)
        if not account:
            raise InvalidInput(slot.account_key, f"enter the account name ({slot.account_key}) for {slot.label}")
        items.append((slot.name, account, value))
    changed = {k: str(new[k]) for k in spec.fields if str(new[k]) != str(settings[k])}
    out = SaveOutcome(settings=new)
    previous = snapshot(store, [(p, a) for p, a, _ in items])
    save_secrets(store, items)
    out.secrets = [f"{p}/{a}" for p, a, _ in items]
    if changed and settings.config_path is not None:
        try:
            update_settings_file(settings.config_path, changed)
        except (SettingsError, OSError) as e:
            left = restore(store, previous)
            problems = e.problems if isinstance(e, SettingsError) else [f"{settings.config_path}: {e}"]
            note = (f"the secrets could not be put back: {', '.join(left)}" if left
                    else "nothing was saved (the secrets were put back)")
            raise SettingsError([*problems, note]) from None
        out.settings_file = settings.config_path
    elif changed:
        out.env_lines = [f"{env_name(k)}={v}" for k, v in changed.items()]
    out.overridden = [k for k in changed if settings.sources.get(k, "").startswith(("environment", "command line"))]
    return out


def delete_account(settings: Settings, store: CredentialStore, provider: str) -> list[str]:
    """Delete every secret of the provider under the account names ``settings`` give; returns their keys.

    Raises:
        KeyringUnavailable: Nothing was deleted, or ``left`` names what could not be restored.
    """
    keys = [(s.name, account_of(settings, s)) for s in PROVIDERS[provider].secrets if account_of(settings, s)]
    delete_secrets(store, keys)
    return [f"{p}/{a}" for p, a in keys]
