"""Provider secrets live in the keyring, never in a file, a log or the database.

Settings and the database hold only an account *name*; the secret is looked up here::

    store = KeyringStore()
    store.set("jpush", "main", "s3cr3t")
    secret = store.require("jpush", "main")   # Secret('***')
    secret.reveal()                            # the string, only where it is sent

* :mod:`console.credentials.store`: :class:`Secret`, :class:`KeyringStore` (service ``shihou-console``,
  key ``provider/account``), :class:`MemoryStore` (tests and the training sandbox), all-or-nothing
  :func:`save_secrets` / :func:`delete_secrets`;
* :mod:`console.credentials.catalogue`: what each provider needs, and which providers a role uses;
* :mod:`console.credentials.redact`: the log filter that masks secrets;
* ``python -m console.credentials set|list|delete|test`` (:mod:`console.credentials.__main__`).
"""

from __future__ import annotations

from console.credentials.catalogue import (
    ANTILEECH,
    PROVIDERS,
    SLOTS,
    ProviderSpec,
    SecretSlot,
    account_of,
    providers_for,
    providers_for_role,
    secret_keys,
)
from console.credentials.redact import RedactingFilter, redact
from console.credentials.store import (
    SERVICE,
    CredentialStore,
    KeyringStore,
    MemoryStore,
    OverlayStore,
    Secret,
    delete_secrets,
    require,
    restore,
    save_secrets,
    snapshot,
)

__all__ = [
    "ANTILEECH", "PROVIDERS", "SERVICE", "SLOTS", "CredentialStore", "KeyringStore", "MemoryStore", "OverlayStore",
    "ProviderSpec", "RedactingFilter", "Secret", "SecretSlot", "account_of", "delete_secrets", "providers_for",
    "providers_for_role", "redact", "require", "restore", "save_secrets", "secret_keys", "snapshot",
]
