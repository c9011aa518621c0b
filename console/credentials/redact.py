"""Masking of secrets in text and log records: every :class:`~console.credentials.Secret` registers its
value here, and secret-looking fields (``password=…``, ``Authorization: …``, ``?k=…``) are masked too."""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["RedactingFilter", "redact", "register"]

_known: set[str] = set()
_known_lock = threading.Lock()
_PATTERNS = [
    re.compile(r"(?i)(authorization\s*[:=]\s*)(basic|bearer)?\s*[^\s,;]+"),
    re.compile(r"(?i)((?:password|passwd|secret|token|signature|app[-_]?secret|access[-_]?key)[\"']?\s*[:=]\s*[\"']?)[^\s&\"',;]+"),
    re.compile(r"(?i)([?&](?:sign|signature|token|k|secret|key)=)[^&\s]+"),
]


def register(value: str) -> None:
    """Mask ``value`` wherever it shows up in a log record from now on (values under 4 characters are not)."""
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
