"""Provider secrets live in the keyring, never in a file, a log or the database.

Settings and the database hold only an account *name*; the secret is looked up here::

    store = KeyringStore()
    store.set("jpush", "main", "s3cr3t")
    secret = store.require("jpush", "main")   # Secret('***')
    secret.reveal()                            # the string, only where it is sent

``MemoryStore`` is a complete implementation for tests and the training sandbox.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Protocol

from console.errors import MissingCredentials

SERVICE = "shihou-console"


class Secret:
    """A secret string that never prints itself (repr, str, logs, tracebacks)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        _register(value)

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
        _register(value)
        self._data[_key(provider, account)] = value

    def delete(self, provider: str, account: str) -> None:
        self._data.pop(_key(provider, account), None)

    def require(self, provider: str, account: str) -> Secret:
        return require(self, provider, account)


class KeyringStore:
    """The system keyring (Secret Service on Linux) under service ``shihou-console``."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service

    def get(self, provider: str, account: str) -> Secret | None:
        import keyring

        v = keyring.get_password(self._service, _key(provider, account))
        return Secret(v) if v is not None else None

    def set(self, provider: str, account: str, value: str) -> None:
        import keyring

        _register(value)
        keyring.set_password(self._service, _key(provider, account), value)

    def delete(self, provider: str, account: str) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(self._service, _key(provider, account))
        except PasswordDeleteError:
            pass

    def require(self, provider: str, account: str) -> Secret:
        return require(self, provider, account)


def require(store: CredentialStore, provider: str, account: str) -> Secret:
    s = store.get(provider, account)
    if s is None:
        raise MissingCredentials(provider, account)
    return s


# --- redaction --------------------------------------------------------------------------

_known: set[str] = set()
_known_lock = threading.Lock()
_PATTERNS = [
    re.compile(r"(?i)(authorization\s*[:=]\s*)(basic|bearer)?\s*[^\s,;]+"),
    re.compile(r"(?i)((?:password|passwd|secret|token|signature|app[-_]?secret|access[-_]?key)[\"']?\s*[:=]\s*[\"']?)[^\s&\"',;]+"),
    re.compile(r"(?i)([?&](?:sign|signature|token|k|secret|key)=)[^&\s]+"),
]


def _register(value: str) -> None:
    if len(value) >= 4:
        with _known_lock:
            _known.add(value)


def redact(text: str) -> str:
    for p in _PATTERNS:
        text = p.sub(lambda m: m.group(1) + "***", text)
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for v in known:
        if v in text:
            text = text.replace(v, "***")
    return text


class RedactingFilter(logging.Filter):
    """Masks registered secrets and secret-looking fields in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        red = redact(msg)
        if red != msg:
            record.msg, record.args = red, None
        return True
