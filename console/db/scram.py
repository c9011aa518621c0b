"""SCRAM-SHA-256 password verifiers for PostgreSQL roles, computed on the client.

``ALTER ROLE name PASSWORD 'SCRAM-SHA-256$…'`` stores a verifier as it is, so the server (its
statement log included) never sees the password itself; this is what ``psql``'s ``\\password`` does.
The password is prepared with SASLprep (RFC 4013) exactly as PostgreSQL and asyncpg prepare it, so a
non-ASCII password signs in (``docs/team-deployment.md``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import stringprep
import unicodedata

ITERATIONS = 4096
VERIFIER = re.compile(r"^SCRAM-SHA-256\$[0-9]{4,7}:[A-Za-z0-9+/=]{16,64}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$")

_PROHIBITED = (
    stringprep.in_table_a1, stringprep.in_table_c12, stringprep.in_table_c21_c22, stringprep.in_table_c3,
    stringprep.in_table_c4, stringprep.in_table_c5, stringprep.in_table_c6, stringprep.in_table_c7,
    stringprep.in_table_c8, stringprep.in_table_c9,
)


def saslprep(password: str) -> str:
    """The password as PostgreSQL hashes it: SASLprep, or the original where SASLprep refuses it."""
    if password.isascii():
        return password
    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in password if not stringprep.in_table_b1(c))
    if not mapped:
        return password
    norm = unicodedata.normalize("NFKC", mapped)
    if not norm or any(table(c) for c in norm for table in _PROHIBITED):
        return password
    if any(stringprep.in_table_d1(c) for c in norm):
        if not (stringprep.in_table_d1(norm[0]) and stringprep.in_table_d1(norm[-1])):
            return password
        if any(stringprep.in_table_d2(c) for c in norm):
            return password
    return norm


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`` for ``password``."""
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password).encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(b: bytes) -> str:
        return base64.b64encode(b).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"
