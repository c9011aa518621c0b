"""Errors a person can be shown.

::

    ConsoleError                 .user_message() for people, str() for the log
     ├─ SettingsError            bad configuration: every problem with its key and source
     ├─ StorageError             the database cannot be used
     │   ├─ DatabaseUnreachable  wrong URL, server down, corrupt file
     │   └─ SchemaOutOfDate      not at the Alembic head; says how to upgrade
     ├─ AuthenticationFailed     wrong user name or password
     ├─ PermissionDenied         the operator's role lacks the permission (audited)
     ├─ InvalidInput             a search box or form value we refuse
     ├─ NotFound
     ├─ MissingCredentials       a provider secret is not in the keyring
     ├─ KeyringUnavailable       the OS keyring is locked, missing or refused a change (nothing half-saved)
     └─ ProviderError            provider, code, http_status, request_id
         ├─ ProviderUnavailable  network, timeout, 5xx, malformed response  (retryable)
         ├─ RateLimited          429 / quota; retry_after seconds          (retryable)
         ├─ ProviderAuthError    bad key, signature or clock skew
         └─ ProviderRejected     a business error with the provider's code

Anything that is not a ``ConsoleError`` is a bug and goes to the crash path.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """Base of the errors the interface shows in its message bar."""

    retryable = False

    def user_message(self) -> str:
        return str(self)


class SettingsError(ConsoleError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid settings:\n" + "\n".join(f"  {p}" for p in problems))


class StorageError(ConsoleError):
    pass


class DatabaseUnreachable(StorageError):
    retryable = True


class SchemaOutOfDate(StorageError):
    def __init__(self, current: str | None, head: str, url: str) -> None:
        self.current, self.head = current, head
        super().__init__(
            f"The database {url} is at migration {current or '(empty)'}, this console needs {head}. "
            f"Upgrade it with: python -m console.db upgrade --db '{url}'"
        )


class AuthenticationFailed(ConsoleError):
    pass


class PermissionDenied(ConsoleError):
    def __init__(self, operator: str, role: str, permission: str) -> None:
        self.operator, self.role, self.permission = operator, role, permission
        super().__init__(f"{operator} ({role}) may not {permission}")


class InvalidInput(ConsoleError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class NotFound(ConsoleError):
    pass


class MissingCredentials(ConsoleError):
    def __init__(self, provider: str, account: str) -> None:
        self.provider, self.account = provider, account
        super().__init__(
            f"No secret for {provider}/{account} in the keyring; an admin adds it in 账号与密钥 (accounts) "
            f"or with: python -m console.credentials set {provider} {account}"
        )


class KeyringUnavailable(ConsoleError):
    """The OS keyring could not be read or changed (locked, no backend, refused a write).

    ``action`` says what was tried ("read kingsoft/AKLT…", "save jpush/appkey"), ``cause`` the keyring's
    own error (its class name and message: never a secret). ``left`` names the secrets a failed rollback
    could not restore (empty: nothing was left half-saved).
    """

    def __init__(self, action: str, cause: str, *, left: tuple[str, ...] = ()) -> None:
        self.action, self.cause, self.left = action, cause, left
        msg = (f"The system keyring could not {action} ({cause}). Unlock the keyring (sign in to the desktop "
               f"session, or unlock GNOME Keyring / KWallet) or install a Secret Service, then try again.")
        if left:
            msg += f" These secrets could not be restored and must be checked by hand: {', '.join(left)}."
        else:
            msg += " Nothing was changed."
        super().__init__(msg)


class ProviderError(ConsoleError):
    """A provider call failed. ``code`` is the provider's own code (str), kept for the log and details."""

    def __init__(self, provider: str, message: str, *, code: str | None = None, http_status: int | None = None,
                 request_id: str | None = None) -> None:
        self.provider, self.code, self.http_status, self.request_id = provider, code, http_status, request_id
        parts = [f"{provider}: {message}"]
        if code is not None:
            parts.append(f"code={code}")
        if http_status is not None:
            parts.append(f"http={http_status}")
        if request_id:
            parts.append(f"request_id={request_id}")
        super().__init__(" ".join(parts))


class ProviderUnavailable(ProviderError):
    retryable = True


class RateLimited(ProviderError):
    retryable = True

    def __init__(self, provider: str, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(provider, message, **kw)  # type: ignore[arg-type]


class ProviderAuthError(ProviderError):
    pass


class ProviderRejected(ProviderError):
    pass


class SignInRefused(AuthenticationFailed):
    """A sign-in the database refused for a reason the person can act on (``reason``: ``disabled``,
    ``waiting``, ``password``, ``not_operator``); ``wait_s``: how long the name must wait before the next try."""

    def __init__(self, reason: str, message: str, *, wait_s: float = 0.0) -> None:
        self.reason, self.wait_s = reason, wait_s
        super().__init__(message)
