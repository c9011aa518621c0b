"""Temporary passwords an admin hands over (the operators pane and ``python -m console.operators``)."""

from __future__ import annotations

import secrets

#: Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password(groups: int = 4, size: int = 4) -> str:
    """A temporary password from :mod:`secrets`: ``xxxx-xxxx-xxxx-xxxx`` (about 92 bits)."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(size)) for _ in range(groups))
