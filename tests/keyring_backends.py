"""Keyring backends for tests: real ``keyring.backend.KeyringBackend`` classes that the tests install with
``keyring.set_keyring`` (in-process) or ``PYTHON_KEYRING_BACKEND`` (a child ``python -m console.credentials``).

None of them is ever picked by keyring's own detection: their ``priority`` raises, except
``FileKeyring``'s when ``TEST_KEYRING_FILE`` names its file (a child process must be able to load it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import keyring.core
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import InitError, KeyringLocked, PasswordDeleteError, PasswordSetError


class MemoryKeyring(KeyringBackend):
    """In memory, with failures on demand: ``locked`` (every call), ``fail_set_after`` (writes that succeed
    before the next one raises ``PasswordSetError``; once, or from then on with ``keep_failing``), ``fail_delete`` (keys, ``provider/account``, whose
    delete raises ``InitError``)."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("a test keyring: install it with keyring.set_keyring")

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}
        self.locked = False
        self.fail_set_after: int | None = None
        self.keep_failing = False
        self.fail_delete: set[str] = set()
        self.writes = 0

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        if self.fail_set_after is not None and self.writes >= self.fail_set_after:
            if not self.keep_failing:
                self.fail_set_after = None
            raise PasswordSetError("Failed to create the secret item")
        self.writes += 1
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        if username in self.fail_delete:
            raise InitError("Failed to create the collection: Prompt dismissed..")
        if (service, username) not in self.data:
            raise PasswordDeleteError("Password not found")
        del self.data[(service, username)]


class FileKeyring(KeyringBackend):
    """A JSON file named by ``TEST_KEYRING_FILE``, shared by the test and its child processes."""

    @properties.classproperty
    def priority(cls) -> float:
        if not os.environ.get("TEST_KEYRING_FILE"):
            raise RuntimeError("a test keyring: set TEST_KEYRING_FILE")
        return 0.1

    @property
    def path(self) -> Path:
        return Path(os.environ["TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        self.path.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError("Password not found")
        self.path.write_text(json.dumps(data), encoding="utf-8")


@contextmanager
def installed(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """``backend`` is the process's keyring inside the block; the previous one (or none yet) after it."""
    previous = keyring.core._keyring_backend
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.core._keyring_backend = previous
