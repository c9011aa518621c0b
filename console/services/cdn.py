"""Wangsu (网宿) CDN purge and prefetch (providers.md §5). No Qt.

Usage::

    cdn = WangsuCdn(make_client("https://open.chinanetcenter.com", timeout=10),
                    account="shihou", api_key=store.require("wangsu", "shihou"))
    item_id = await cdn.purge(kls.playlist_urls("room_1"))      # after a cut

Auth (the legacy scheme every public script uses): HTTP Basic with the account as user name and
``base64(HMAC-SHA1(api_key, Date))`` as password, where ``Date`` is the RFC 1123 header sent with the
same request; the server accepts it for about 15 minutes.

Limits checked here, before anything is sent (:class:`~console.errors.InvalidInput`): a purge takes
at most 500 URLs + directories, a prefetch at most 400 URLs; a URL is at most 2000 characters, a
directory at most 1000; both must start with ``http://`` or ``https://``.

Purge and prefetch are **not** retried after they may have reached Wangsu: each call counts against
the daily quota (5000 URLs / 500 directories / 20000 prefetches) and creates a new task, so a
retry could do the work twice. Only a connection that could not be opened is retried.

UNCONFIRMED: the purge response is assumed to match the documented prefetch one
(``{"Code": 1 ok | 0 fail, "Message", "itemId"}``); error statuses are not documented, so
``Code`` ≠ 1 is a :class:`~console.errors.ProviderRejected` whatever the status, 401/403 a
:class:`~console.errors.ProviderAuthError`.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import httpx

from console.credentials import Secret
from console.errors import InvalidInput, ProviderAuthError, ProviderRejected, ProviderUnavailable
from console.services.http import ErrorInfo, HttpTransportPolicy, RateGate

__all__ = [
    "MAX_DIR_CHARS",
    "MAX_PREFETCH_URLS",
    "MAX_PURGE_ITEMS",
    "MAX_URL_CHARS",
    "PROVIDER",
    "WangsuCdn",
    "basic_auth_password",
    "describe_error",
    "http_date",
]

PROVIDER = "wangsu"
MAX_PURGE_ITEMS = 500
MAX_PREFETCH_URLS = 400
MAX_URL_CHARS = 2000
MAX_DIR_CHARS = 1000
PURGE_PATH = "/ccm/purge/ItemIdReceiver"
PREFETCH_PATH = "/ccm/fetch/ItemIdReceiver"


def http_date(ts: float) -> str:
    """RFC 1123 ``Date`` header value in GMT, e.g. ``Thu, 10 Oct 2013 09:12:20 GMT``."""
    return email.utils.formatdate(ts, usegmt=True)


def basic_auth_password(api_key: str, date: str) -> str:
    """``base64(HMAC-SHA1(api_key, date))``: the Basic-auth password for a request sent with ``Date: date``."""
    return base64.b64encode(hmac.new(api_key.encode("utf-8"), date.encode("utf-8"), hashlib.sha1).digest()).decode()


def describe_error(response: httpx.Response) -> ErrorInfo:
    """Code, message and request id from a Wangsu response (``Code``/``Message``, ``x-cnc-request-id``)."""
    rid = response.headers.get("x-cnc-request-id")
    try:
        body = json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if isinstance(body, Mapping):
        code = body.get("Code", body.get("code"))
        msg = body.get("Message", body.get("message"))
        return ErrorInfo(None if code is None else str(code), str(msg or response.reason_phrase), rid)
    return ErrorInfo(None, response.reason_phrase or f"HTTP {response.status_code}", rid)


def _check_items(kind: str, items: Sequence[str], max_chars: int) -> list[str]:
    if isinstance(items, str):
        raise InvalidInput(kind, "expected a list of URLs, got one string")
    out = []
    for i, u in enumerate(items):
        if not isinstance(u, str) or not u.startswith(("http://", "https://")):
            raise InvalidInput(kind, f"item {i + 1} must start with http:// or https://")
        if len(u) > max_chars:
            raise InvalidInput(kind, f"item {i + 1} is longer than {max_chars} characters")
        if any(c.isspace() or ord(c) < 0x20 for c in u):
            raise InvalidInput(kind, f"item {i + 1} contains white space or a control character (encode it)")
        out.append(u)
    return out


class WangsuCdn:
    """Wangsu CDN cache purge and prefetch.

    Methods raise :class:`~console.errors.InvalidInput` for a request refused before sending and
    :class:`~console.errors.ProviderError` subclasses otherwise. The instance owns ``client``.
    """

    name = PROVIDER

    def __init__(self, client: httpx.AsyncClient, *, account: str, api_key: Secret, gate: RateGate | None = None,
                 policy: HttpTransportPolicy | None = None, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._account, self._key = account, api_key
        self._policy = policy or HttpTransportPolicy(gate=gate)
        if gate is not None and self._policy.gate is None:
            self._policy.gate = gate
        self._clock = clock

    async def purge(self, urls: Sequence[str] = (), dirs: Sequence[str] = (), *,
                    url_action: Literal["default", "delete", "expire"] = "default",
                    dir_action: Literal["expire", "delete"] = "expire") -> str:
        """Purge cached URLs and directories.

        Args:
            urls: Full URLs on an accelerated domain (≤ 2000 characters each).
            dirs: Directory URLs ending in ``/`` (≤ 1000 characters each).
            url_action: Wangsu's ``urlAction``.
            dir_action: Wangsu's ``dirAction``.

        Returns:
            Wangsu's ``itemId`` for the task.

        Raises:
            InvalidInput: Nothing to purge, more than 500 items, or a bad URL.
            ProviderError: A subclass (see the module docstring); never retried once sent.
        """
        u = _check_items("urls", urls, MAX_URL_CHARS)
        d = _check_items("dirs", dirs, MAX_DIR_CHARS)
        if not u and not d:
            raise InvalidInput("urls", "nothing to purge")
        if len(u) + len(d) > MAX_PURGE_ITEMS:
            raise InvalidInput("urls", f"{len(u) + len(d)} URLs and directories; at most {MAX_PURGE_ITEMS} per call")
        body: dict[str, Any] = {}
        if u:
            body["urls"], body["urlAction"] = u, url_action
        if d:
            body["dirs"], body["dirAction"] = d, dir_action
        return await self._post(PURGE_PATH, body)

    async def prefetch(self, urls: Sequence[str], *, is_range: bool = False) -> str:
        """Warm the CDN with ``urls``.

        Args:
            urls: Full URLs (≤ 2000 characters each, ≤ 400 per call).
            is_range: Wangsu's ``isRange`` (fetch by ranges).

        Returns:
            Wangsu's ``itemId`` for the task.

        Raises:
            InvalidInput: No URL, more than 400, or a bad URL.
            ProviderError: A subclass (see the module docstring); never retried once sent.
        """
        u = _check_items("urls", urls, MAX_URL_CHARS)
        if not u:
            raise InvalidInput("urls", "nothing to prefetch")
        if len(u) > MAX_PREFETCH_URLS:
            raise InvalidInput("urls", f"{len(u)} URLs; at most {MAX_PREFETCH_URLS} per call")
        return await self._post(PREFETCH_PATH, {"urls": u, "isRange": 1 if is_range else 0})

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    def _build(self, path: str, body: bytes) -> httpx.Request:
        date = http_date(self._clock())
        password = basic_auth_password(self._key.reveal(), date)
        token = base64.b64encode(f"{self._account}:{password}".encode()).decode()
        return self._client.build_request("POST", path, content=body, headers={
            "Date": date, "Authorization": f"Basic {token}", "Content-Type": "application/json",
            "Accept": "application/json"})

    async def _post(self, path: str, payload: Mapping[str, Any]) -> str:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        reply = await self._policy.send(self._client, lambda: self._build(path, body), provider=PROVIDER,
                                        idempotent=False, expect_json=True, describe_error=describe_error)
        info = describe_error(reply.response)
        if reply.status in (401, 403):
            raise ProviderAuthError(PROVIDER, info.message or "authentication refused", code=info.code,
                                    http_status=reply.status, request_id=info.request_id)
        data = reply.data
        if reply.status >= 400 or not isinstance(data, Mapping) or str(data.get("Code", data.get("code"))) != "1":
            if reply.status < 400 and not (isinstance(data, Mapping) and ("Code" in data or "code" in data)):
                raise ProviderUnavailable(PROVIDER, "response without a Code", code="malformed_response",
                                          http_status=reply.status, request_id=info.request_id)
            raise ProviderRejected(PROVIDER, info.message or "refused", code=info.code, http_status=reply.status,
                                   request_id=info.request_id)
        item = data.get("itemId", data.get("ItemId"))
        return "" if item is None else str(item)
