"""Kingsoft "simple MD5" anti-leech signing of push/play URLs (providers.md §3.5). Pure functions.

``?t=<expiry>&k=<hash>``: ``t`` is the Unix time the URL stops working (an expiry, not a start), and
``k`` is characters 9–24 of the lower-case hex ``md5(secret + stream + t)``. Only the *stream name*
is hashed, not the app or the domain.
"""

from __future__ import annotations

import hashlib

__all__ = ["sign_play_url"]


def sign_play_url(secret: str, stream: str, expiry: int) -> str:
    """The ``k`` parameter for ``stream`` valid until Unix time ``expiry``.

    Args:
        secret: The anti-leech key set in the Kingsoft console (revealed only here).
        stream: The stream name exactly as published (UTF-8, before URL encoding).
        expiry: Unix seconds (10 digits) after which the CDN answers 403.

    Returns:
        16 lower-case hex characters.
    """
    return hashlib.md5(f"{secret}{stream}{int(expiry)}".encode(), usedforsecurity=False).hexdigest()[8:24]
