"""AWS Signature Version 4, exactly as Kingsoft Cloud uses it (providers.md §3.3). Pure functions.

Ksyun's OpenAPI signature *is* AWS SigV4 with unchanged constants (``AWS4-HMAC-SHA256``, ``"AWS4" + SK``,
``aws4_request``, ``X-Amz-Date``); only the scope differs (service ``kls``, region ``cn-beijing-6``).
The functions are checked against AWS's published vector in ``tests/test_kingsoft.py``.

Usage::

    headers = sign_request(method="GET", host="kls.api.ksyun.com", path="/",
                           query=[("Action", "GetBlacklist"), ("Version", "2017-01-01")],
                           headers={"X-Action": "GetBlacklist"}, body=b"",
                           access_key="AKLT…", secret_key="…", region="cn-beijing-6", service="kls",
                           amz_date=amz_date(time.time()))
    # {"X-Amz-Date": "20250601T120000Z", "Authorization": "AWS4-HMAC-SHA256 Credential=…"}

The wire query string must be :func:`encode_query` of the same pairs that were signed, so the
server decodes exactly the values the signature covers (RFC 3986: space is ``%20``, never ``+``).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

__all__ = [
    "ALGORITHM",
    "EMPTY_PAYLOAD_SHA256",
    "amz_date",
    "canonical_headers",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "credential_scope",
    "encode_query",
    "presign_query",
    "sign_request",
    "signature",
    "signing_key",
    "string_to_sign",
    "uri_encode",
]

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_PAYLOAD_SHA256 = hashlib.sha256(b"").hexdigest()


def uri_encode(value: str, *, keep_slash: bool = False) -> str:
    """Percent-encode UTF-8 ``value``, leaving only ``A-Za-z0-9-_.~`` (and ``/`` if asked) as is."""
    return quote(value, safe="/~" if keep_slash else "~")


def encode_query(params: Iterable[tuple[str, str]]) -> str:
    """The wire query string for ``params``, in the given order, encoded as SigV4 expects."""
    return "&".join(f"{uri_encode(k)}={uri_encode(v)}" for k, v in params)


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    """Encoded ``name=value`` pairs sorted by name, then value, joined with ``&``."""
    return "&".join(f"{k}={v}" for k, v in sorted((uri_encode(k), uri_encode(v)) for k, v in params))


def canonical_uri(path: str) -> str:
    """The canonical URI of a wire path (already percent-encoded), encoded once more as AWS does
    for every service but S3; ``/`` when empty."""
    return uri_encode(path or "/", keep_slash=True)


def canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """``(canonical header block, signed header list)`` for the given headers (all of them are signed).

    Names are lower-cased, values trimmed with inner runs of spaces collapsed, sorted by name.
    """
    items = sorted((name.strip().lower(), " ".join(str(value).split())) for name, value in headers.items())
    block = "".join(f"{name}:{value}\n" for name, value in items)
    return block, ";".join(name for name, _ in items)


def canonical_request(method: str, path: str, query: Iterable[tuple[str, str]], headers: Mapping[str, str],
                      payload_hash: str) -> str:
    """The SigV4 canonical request (step 1 of §3.3)."""
    block, signed = canonical_headers(headers)
    return "\n".join([method.upper(), canonical_uri(path), canonical_query(query), block, signed, payload_hash])


def credential_scope(date: str, region: str, service: str) -> str:
    """``yyyymmdd/region/service/aws4_request``."""
    return f"{date}/{region}/{service}/aws4_request"


def string_to_sign(amz_date_value: str, scope: str, canonical: str) -> str:
    """The SigV4 string to sign (step 2)."""
    return "\n".join([ALGORITHM, amz_date_value, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC chain over date, region, service and ``aws4_request`` (step 3)."""
    k = _hmac(("AWS4" + secret_key).encode("utf-8"), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def signature(key: bytes, sts: str) -> str:
    """Lower-case hex HMAC-SHA256 of the string to sign (step 4)."""
    return hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()


def amz_date(ts: float) -> str:
    """``X-Amz-Date`` for a Unix time: UTC ``YYYYMMDDTHHMMSSZ``."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(ts))


def sign_request(*, method: str, host: str, path: str, query: Sequence[tuple[str, str]],
                 headers: Mapping[str, str], body: bytes, access_key: str, secret_key: str, region: str,
                 service: str, amz_date: str) -> dict[str, str]:
    """The headers that sign a request with SigV4 (``Authorization`` style, step 5).

    Args:
        method: HTTP method.
        host: The ``Host`` header exactly as it is sent (``host`` or ``host:port``).
        path: The wire path, e.g. ``/``.
        query: The query pairs, exactly those sent with :func:`encode_query`.
        headers: Other headers to sign (``X-Action``, ``Content-Type`` …); all of them are signed.
        body: The exact body bytes (``b""`` for none).
        access_key: The AccessKey id.
        secret_key: The secret, revealed only here.
        region: Signing region (``cn-beijing-6``).
        service: Signing service (``kls``).
        amz_date: ``YYYYMMDDTHHMMSSZ`` (see :func:`amz_date`).

    Returns:
        ``{"X-Amz-Date": …, "Authorization": …}`` to add to the request.
    """
    signed_headers = {k: v for k, v in headers.items() if k.lower() not in ("host", "x-amz-date", "authorization")}
    signed_headers["host"] = host
    signed_headers["x-amz-date"] = amz_date
    payload_hash = hashlib.sha256(body).hexdigest()
    canonical = canonical_request(method, path, query, signed_headers, payload_hash)
    date = amz_date[:8]
    scope = credential_scope(date, region, service)
    sig = signature(signing_key(secret_key, date, region, service), string_to_sign(amz_date, scope, canonical))
    names = canonical_headers(signed_headers)[1]
    return {
        "X-Amz-Date": amz_date,
        "Authorization": f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={names}, Signature={sig}",
    }


def presign_query(*, method: str, host: str, path: str, query: Sequence[tuple[str, str]], access_key: str,
                  secret_key: str, region: str, service: str, amz_date: str, expires_s: int = 300,
                  body: bytes = b"") -> list[tuple[str, str]]:
    """Query-string ("presigned") SigV4 for a GET: ``query`` plus the ``X-Amz-*`` parameters.

    Only ``host`` is signed; the signature covers every other query parameter.
    """
    date = amz_date[:8]
    scope = credential_scope(date, region, service)
    params = list(query) + [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", f"{access_key}/{scope}"),
        ("X-Amz-Date", amz_date),
        ("X-Amz-Expires", str(expires_s)),
        ("X-Amz-SignedHeaders", "host"),
    ]
    canonical = canonical_request(method, path, params, {"host": host}, hashlib.sha256(body).hexdigest())
    sig = signature(signing_key(secret_key, date, region, service), string_to_sign(amz_date, scope, canonical))
    return params + [("X-Amz-Signature", sig)]
