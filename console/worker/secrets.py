"""The worker's secrets: its own PostgreSQL password and the providers' secrets.

From its keyring (:class:`console.credentials.KeyringStore`; the password under ``worker/<login>``), or from a file
named on the command line, readable by its owner only (mode 0600), one secret a line::

    worker/shihou_worker_1 = its PostgreSQL password
    kingsoft/AKLT… = the Kingsoft secret access key
    # comments and blank lines are ignored

A file readable or writable by others is refused, with the command that fixes it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from console.credentials import CredentialStore, KeyringStore, MemoryStore, Secret
from console.errors import ConsoleError

#: The keyring slot of the worker's own PostgreSQL password (account: its login name).
WORKER_SLOT = "worker"


class SecretsFileError(ConsoleError):
    """The secrets file is missing, unsafe or malformed."""


def read_secrets_file(path: Path) -> MemoryStore:
    try:
        st = path.stat()
    except OSError as e:
        raise SecretsFileError(f"cannot read the secrets file {path}: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SecretsFileError(f"the secrets file {path} is not a regular file")
    if st.st_mode & 0o077:
        raise SecretsFileError(
            f"the secrets file {path} is readable or writable by others (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"refusing it: chmod 600 {path}")
    if st.st_uid != os.getuid():
        raise SecretsFileError(f"the secrets file {path} belongs to another user (uid {st.st_uid})")
    store = MemoryStore()
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        slot, slash, account = key.strip().partition("/")
        if not sep or not slash or not slot or not account.strip() or not value.strip():
            raise SecretsFileError(f"{path}:{n}: expected 'provider/account = secret'")
        store.set(slot, account.strip(), value.strip())
    return store


def secret_store(path: Path | None) -> CredentialStore:
    return read_secrets_file(path) if path is not None else KeyringStore()


def worker_password(store: CredentialStore, login: str) -> Secret:
    found = store.get(WORKER_SLOT, login)
    if found is None:
        raise SecretsFileError(
            f"no password for the worker's login {login!r}: put 'worker/{login} = …' in the secrets file, or "
            f"store it in the keyring (keyring set shihou-console worker/{login})")
    return found
