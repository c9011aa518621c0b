"""What each provider needs: its settings (account names, endpoints) and its secrets (keyring slots).

Settings keep only account *names*; each :class:`SecretSlot` says which setting names the keyring
account of one secret (keyring service ``shihou-console``, key ``<slot>/<account>``)::

    spec = PROVIDERS["kingsoft"]
    for slot in spec.secrets:
        account = account_of(settings, slot)          # e.g. "AKLTsandbox"
        present = store.get(slot.name, account) is not None

:func:`providers_for` is what a console connects for the signed-in operator's role: support only SMS
(the "resend code" action), moderators video, the CDN and chat, operators push and SMS, admins all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from console.domain import ROLE_PERMISSIONS, Operator, Permission, Role

__all__ = ["ANTILEECH", "PROVIDERS", "SLOTS", "ProviderSpec", "SecretSlot", "account_of", "providers_for",
           "providers_for_role", "secret_keys"]

#: Keyring slot of the Kingsoft anti-leech (play URL signing) key.
ANTILEECH = "kingsoft-antileech"


@dataclass(frozen=True, slots=True)
class SecretSlot:
    """One secret of a provider.

    Attributes:
        name: The keyring's provider part (``kingsoft-antileech/<account>``); also the CLI's name.
        account_key: The setting whose value is the keyring account.
        label: What the provider calls the secret.
        optional: An empty account name switches this secret off (the anti-leech key: unsigned URLs).
    """

    name: str
    account_key: str
    label: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One provider in the accounts dialog and ``python -m console.credentials``.

    Attributes:
        id: ``kingsoft``, ``rongcloud``, ``jpush``, ``sms``, ``wangsu``, ``nginx``, ``smtp``.
        title: Its name (English; the dialog translates).
        enable_key: The setting that turns it on (empty: off).
        fields: Settings the dialog edits, in order (account names first after the endpoint).
        secrets: Its keyring slots (none for nginx-rtmp).
        permissions: The provider is connected for an operator holding any of these.
        test_call: The one harmless call ``test`` makes.
    """

    id: str
    title: str
    enable_key: str
    fields: tuple[str, ...]
    secrets: tuple[SecretSlot, ...]
    permissions: frozenset[Permission]
    test_call: str


PROVIDERS: Mapping[str, ProviderSpec] = {p.id: p for p in (
    ProviderSpec(
        "kingsoft", "Kingsoft KLS", "kingsoft.url",
        ("kingsoft.url", "kingsoft.access_key", "kingsoft.play_domain", "kingsoft.play_scheme",
         "kingsoft.antileech_account"),
        (SecretSlot("kingsoft", "kingsoft.access_key", "SecretAccessKey"),
         SecretSlot(ANTILEECH, "kingsoft.antileech_account", "anti-leech key", optional=True)),
        frozenset({Permission.CUT_STREAM}),
        "GetBlacklist (read-only, SigV4-signed); the anti-leech key is only checked for presence"),
    ProviderSpec(
        "rongcloud", "RongCloud", "rongcloud.url", ("rongcloud.url", "rongcloud.backup_url", "rongcloud.app_key"),
        (SecretSlot("rongcloud", "rongcloud.app_key", "App Secret"),),
        frozenset({Permission.MODERATE_CHAT}),
        "POST /chatroom/ban/query.json (lists muted rooms; read-only, signed)"),
    ProviderSpec(
        "jpush", "JPush", "jpush.url", ("jpush.url", "jpush.app_key"),
        (SecretSlot("jpush", "jpush.app_key", "Master Secret"),),
        frozenset({Permission.SEND_PUSH}),
        "GET /v3/push/cid?count=1 (one cid, never used; costs nothing; Basic auth)"),
    ProviderSpec(
        "sms", "SMS (Aliyun Dysms)", "sms.url", ("sms.url", "sms.access_key_id", "sms.sign_name"),
        (SecretSlot("sms", "sms.access_key_id", "AccessKeySecret"),),
        frozenset({Permission.SEND_SMS, Permission.RESEND_SMS_CODE}),
        "QuerySmsTemplate of sms.code_template (read-only, signed)"),
    ProviderSpec(
        "wangsu", "Wangsu CDN", "wangsu.url", ("wangsu.url", "wangsu.account"),
        (SecretSlot("wangsu", "wangsu.account", "API key"),),
        frozenset({Permission.CUT_STREAM}),
        "purge of one URL that is never cached (https://<kingsoft.play_domain>/.shihou-console-check): "
        "Wangsu has no read-only call; it counts 1 URL of the daily purge quota"),
    ProviderSpec(
        "nginx", "nginx-rtmp", "nginx.stat_url", ("nginx.stat_url", "nginx.control_url"), (),
        frozenset({Permission.CUT_STREAM}),
        "GET the /stat page (read-only; nginx-rtmp has no secret)"),
    # mail is sent by the worker (or the console's in-process jobs on SQLite), not for an operator's role:
    # only admins see and test the account
    ProviderSpec(
        "smtp", "Mail (SMTP)", "mail.smtp_host",
        ("mail.smtp_host", "mail.smtp_port", "mail.security", "mail.account", "mail.from"),
        (SecretSlot("smtp", "mail.account", "password"),),
        frozenset({Permission.MANAGE_OPERATORS}),
        "connect, STARTTLS or TLS as set, sign in with mail.account, QUIT (no mail is sent)"),
)}

#: Every keyring slot by name.
SLOTS: Mapping[str, tuple[ProviderSpec, SecretSlot]] = {s.name: (p, s) for p in PROVIDERS.values() for s in p.secrets}


def account_of(settings: Mapping[str, Any] | Any, slot: SecretSlot) -> str:
    """The keyring account a slot uses under ``settings`` (empty: not set)."""
    try:
        return str(settings[slot.account_key] or "").strip()
    except KeyError:
        return ""


def providers_for_role(role: Role) -> frozenset[str]:
    """Ids of the providers a role uses."""
    perms = ROLE_PERMISSIONS[role]
    return frozenset(p.id for p in PROVIDERS.values() if p.permissions & perms)


def providers_for(operator: Operator) -> frozenset[str]:
    """Ids of the providers the operator's role uses (only these are connected)."""
    return providers_for_role(operator.role)


def secret_keys(settings: Mapping[str, Any] | Any, ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """``(slot, account)`` of every secret the providers ``ids`` (None: all) need under ``settings``."""
    out = []
    for p in PROVIDERS.values():
        if ids is not None and p.id not in ids:
            continue
        for s in p.secrets:
            a = account_of(settings, s)
            if a:
                out.append((s.name, a))
    return out
