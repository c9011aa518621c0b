"""RongCloud signing, pure functions (providers.md §1.2, §1.7, §9). No I/O, no Qt.

Server API requests and RongCloud's callbacks use the same formula::

    signature = sha1(app_secret + nonce + timestamp).hexdigest()      # plain concatenation, UTF-8

Requests carry it in four headers (``App-Key``/``Nonce``/``Timestamp``/``Signature``, or the
``RC-``-prefixed names, in any letter case). Callbacks (message routing) append it to *our* URL as
query parameters: ``nonce``, ``signTimestamp`` (ms), ``signature``; older generations send
``rc-nonce``, ``rc-timestamp`` (s), ``rc-signature``. Both spellings are accepted here.

Usage (the routing receiver)::

    from console.services.chat.signing import verify_callback
    if not verify_callback(secret, request.query):       # Mapping[str, str]
        return 401

Test vector (providers.md §1.2): ``sign("Y1W2MeFwwwRxa0", "14314", "1408710653000")`` →
``30be0bbca9c9b2e27578701e9fda2358a814c88f``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from console.credentials import Secret

__all__ = [
    "CALLBACK_NONCE",
    "CALLBACK_SIGNATURE",
    "CALLBACK_TIMESTAMP",
    "SignedHeaders",
    "callback_query",
    "new_nonce",
    "read_signed_headers",
    "sign",
    "signed_headers",
    "timestamp_seconds",
    "verify",
    "verify_callback",
]

#: Current callback query names; ``rc-…`` are the older spellings (accepted, never produced).
CALLBACK_NONCE = ("nonce", "rc-nonce")
CALLBACK_TIMESTAMP = ("signTimestamp", "rc-timestamp")
CALLBACK_SIGNATURE = ("signature", "rc-signature")


def _reveal(app_secret: str | Secret) -> str:
    return app_secret.reveal() if isinstance(app_secret, Secret) else app_secret


def sign(app_secret: str | Secret, nonce: str, timestamp: str | int) -> str:
    """``sha1(app_secret + nonce + timestamp)`` as 40 lower-case hex characters."""
    raw = f"{_reveal(app_secret)}{nonce}{timestamp}".encode()
    return hashlib.sha1(raw).hexdigest()  # noqa: S324 - RongCloud's documented algorithm


def verify(app_secret: str | Secret, nonce: str, timestamp: str | int, signature: str) -> bool:
    """True when ``signature`` (any letter case) is the signature of ``nonce`` + ``timestamp``."""
    if not isinstance(signature, str) or len(signature) != 40:
        return False
    return hmac.compare_digest(sign(app_secret, nonce, timestamp), signature.strip().lower())


def timestamp_seconds(timestamp: str | int | float) -> float | None:
    """A RongCloud timestamp in seconds: values above 10¹¹ are milliseconds (clients send both, §9).

    Returns None when the value is not a number.
    """
    try:
        t = float(timestamp)
    except (TypeError, ValueError):
        return None
    if t != t or t < 0:           # NaN or negative
        return None
    return t / 1000.0 if t > 1e11 else t


def new_nonce() -> str:
    """A random nonce of 16 characters (the current docs ask for ≤ 18)."""
    return secrets.token_hex(8)


def _first(query: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for n in names:
        v = query.get(n)
        if v is not None:
            return v
    lowered = {k.lower(): v for k, v in query.items() if isinstance(k, str)}
    for n in names:
        v = lowered.get(n.lower())
        if v is not None:
            return v
    return None


def verify_callback(app_secret: str | Secret, query: Mapping[str, str], *, max_skew_s: float | None = None,
                    now: Callable[[], float] = time.time) -> bool:
    """Check the signed query RongCloud appends to a callback URL (message routing).

    Args:
        app_secret: The app's secret.
        query: The request's query parameters (``aiohttp``'s ``request.query``, a ``dict``, or
            ``urllib.parse.parse_qs`` flattened to single values).
        max_skew_s: If given, also refuse a timestamp further than this from ``now()`` (either side).
            Off by default: the routing handler is idempotent on ``msgUID``, so a replayed post
            changes nothing, and RongCloud's retry delay is not documented (a late retry of a real
            message must still be accepted).
        now: Wall clock in seconds (tests inject it).

    Returns:
        True for a valid signature in either spelling (``nonce``/``signTimestamp``/``signature`` or
        ``rc-nonce``/``rc-timestamp``/``rc-signature``); False if anything is missing or wrong.
    """
    nonce = _first(query, CALLBACK_NONCE)
    ts = _first(query, CALLBACK_TIMESTAMP)
    sig = _first(query, CALLBACK_SIGNATURE)
    if nonce is None or ts is None or sig is None:
        return False
    if max_skew_s is not None:
        secs = timestamp_seconds(ts)
        if secs is None or abs(now() - secs) > max_skew_s:
            return False
    return verify(app_secret, nonce, ts, sig)


def callback_query(app_secret: str | Secret, *, nonce: str | None = None,
                   timestamp_ms: int | None = None) -> dict[str, str]:
    """The query RongCloud appends to a callback URL (``nonce``, ``signTimestamp`` in ms, ``signature``)."""
    n = nonce if nonce is not None else new_nonce()
    ts = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    return {"nonce": n, "signTimestamp": ts, "signature": sign(app_secret, n, ts)}


def signed_headers(app_key: str, app_secret: str | Secret, *, nonce: str | None = None,
                   timestamp: str | int | None = None) -> dict[str, str]:
    """The four Server API headers. The timestamp defaults to milliseconds, as the docs specify."""
    n = nonce if nonce is not None else new_nonce()
    ts = str(timestamp if timestamp is not None else int(time.time() * 1000))
    return {"App-Key": app_key, "Nonce": n, "Timestamp": ts, "Signature": sign(app_secret, n, ts)}


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    """The four signing values read from a request, whatever the spelling."""

    app_key: str | None
    nonce: str | None
    timestamp: str | None
    signature: str | None


def read_signed_headers(headers: Mapping[str, str]) -> SignedHeaders:
    """Read ``App-Key``/``Nonce``/``Timestamp``/``Signature`` in any case, with or without ``RC-`` (§9)."""
    low = {k.lower(): v for k, v in headers.items()}

    def pick(name: str) -> str | None:
        return low.get(name) if name in low else low.get("rc-" + name)

    return SignedHeaders(pick("app-key"), pick("nonce"), pick("timestamp"), pick("signature"))
