"""Provider secrets live in the keyring, never in a file, a log or the database.

Settings and the database hold only an account *name*; the secret is looked up here::

    store = KeyringStore()
    store.set("jpush", "main", "s3cr3t")
    secret = store.require("jpush", "main")   # Secret('***')
    secret.reveal()                            # the string, only where it is sent

``MemoryStore`` is a complete implementation for tests and the training sandbox. A keyring that is
locked, missing or refuses a write raises :class:`~console.errors.KeyringUnavailable` (never the
keyring package's own exceptions); :func:`save_secrets` and :func:`delete_secrets` change several
secrets all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from console.credentials.redact import register
from console.errors import KeyringUnavailable, MissingCredentials

SERVICE = "shihou-console"


class Secret:
    """A secret string that never prints itself (repr, str, logs, tracebacks)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class CredentialStore(Protocol):
    def get(self, provider: str, account: str) -> Secret | None: ...
    def set(self, provider: str, account: str, value: str) -> None: ...
    def delete(self, provider: str, account: str) -> None: ...


def _key(provider: str, account: str) -> str:
    return f"{provider}/{account}"


class MemoryStore:
    def __init__(self) -> None:
        self._data: dict[str, str] = {}

    def get(self, provider: str, account: str) -> Secret | None:
        v = self._data.get(_key(provider, account))
        return Secret(v) if v is not None else None

    def set(self, provider: str, account: str, value: str) -> None:
        register(value)
        self._data[_key(provider, account)] = value

    def delete(self, provider: str, account: str) -> None:
        self._data.pop(_key(provider, account), None)

    def require(self, provider: str, account: str) -> Secret:
        return require(self, provider, account)


def _cause(e: BaseException) -> str:
    text = str(e).strip()
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


class KeyringStore:
    """The system keyring (Secret Service on Linux) under service ``shihou-console``, key ``provider/account``.

    Raises:
        KeyringUnavailable: From every method, when the keyring is locked, missing or refuses the call.
    """

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service

    def get(self, provider: str, account: str) -> Secret | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            v = keyring.get_password(self._service, _key(provider, account))
        except KeyringError as e:
            raise KeyringUnavailable(f"read {_key(provider, account)}", _cause(e)) from None
        return Secret(v) if v is not None else None

    def set(self, provider: str, account: str, value: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        register(value)
        try:
            keyring.set_password(self._service, _key(provider, account), value)
        except KeyringError as e:
            raise KeyringUnavailable(f"save {_key(provider, account)}", _cause(e)) from None

    def delete(self, provider: str, account: str) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(self._service, _key(provider, account))
        except PasswordDeleteError:
            pass  # not there: deleted already
        except KeyringError as e:
            raise KeyringUnavailable(f"delete {_key(provider, account)}", _cause(e)) from None

    def require(self, provider: str, account: str) -> Secret:
        return require(self, provider, account)


class OverlayStore:
    """``base`` with some secrets replaced, read-only: what the accounts dialog tests before saving.

    ``overrides`` maps ``(provider, account)`` to a secret typed but not saved.
    """

    def __init__(self, base: CredentialStore, overrides: Mapping[tuple[str, str], str]) -> None:
        self._base = base
        self._over = dict(overrides)
        for v in self._over.values():
            register(v)

    def get(self, provider: str, account: str) -> Secret | None:
        v = self._over.get((provider, account))
        return Secret(v) if v is not None else self._base.get(provider, account)

    def set(self, provider: str, account: str, value: str) -> None:
        raise TypeError("an OverlayStore is read-only")

    def delete(self, provider: str, account: str) -> None:
        raise TypeError("an OverlayStore is read-only")


def require(store: CredentialStore, provider: str, account: str) -> Secret:
    s = store.get(provider, account)
    if s is None:
        raise MissingCredentials(provider, account)
    return s


# --- all-or-nothing changes -------------------------------------------------------------------------

Previous = list[tuple[str, str, Secret | None]]


def snapshot(store: CredentialStore, keys: Sequence[tuple[str, str]]) -> Previous:
    """The current secrets of ``keys`` (None where absent), to put back with :func:`restore`.

    Raises:
        KeyringUnavailable: The keyring cannot be read (nothing is changed then).
    """
    return [(p, a, store.get(p, a)) for p, a in keys]


def restore(store: CredentialStore, previous: Previous) -> tuple[str, ...]:
    """Put ``previous`` back; returns the ``provider/account`` keys that could not be restored."""
    left: list[str] = []
    for p, a, old in reversed(previous):
        try:
            if old is None:
                store.delete(p, a)
            else:
                store.set(p, a, old.reveal())
        except KeyringUnavailable:
            left.append(_key(p, a))
    return tuple(left)


def _changed(store: CredentialStore, keys: Sequence[tuple[str, str]], apply: list[tuple[str, str, str | None]],
             what: str) -> None:
    previous = snapshot(store, keys)
    done: Previous = []
    try:
        for (p, a, value), prev in zip(apply, previous, strict=True):
            if value is None:
                store.delete(p, a)
            else:
                store.set(p, a, value)
            done.append(prev)
    except KeyringUnavailable as e:
        left = restore(store, done)
        raise KeyringUnavailable(f"{what} {', '.join(_key(p, a) for p, a in keys)}", e.cause, left=left) from None


def save_secrets(store: CredentialStore, items: Sequence[tuple[str, str, str]]) -> None:
    """Save ``(provider, account, value)`` items all or nothing.

    The current values are read first (a locked keyring fails here, before any write); if a later write
    fails, the earlier ones are put back as they were.

    Raises:
        KeyringUnavailable: Nothing was changed, or ``left`` names what could not be restored.
        ValueError: An empty value or account.
    """
    for p, a, v in items:
        if not a or not v:
            raise ValueError(f"an account and a secret are required for {p}")
    _changed(store, [(p, a) for p, a, _ in items], [(p, a, v) for p, a, v in items], "save")


def delete_secrets(store: CredentialStore, keys: Sequence[tuple[str, str]]) -> None:
    """Delete ``(provider, account)`` secrets all or nothing (absent ones are fine).

    Raises:
        KeyringUnavailable: Nothing was changed, or ``left`` names what could not be restored.
    """
    _changed(store, keys, [(p, a, None) for p, a in keys], "delete")
