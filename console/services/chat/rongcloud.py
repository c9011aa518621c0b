"""RongCloud (融云) IM Server API: an async client on :mod:`console.services.http` (no Qt).

Usage::

    client = make_client("https://api.rong-api.com", timeout=10)
    rc = RongCloud(client, app_key="k", secret=require(store, "rongcloud", "k"),
                   hosts=["https://api.rong-api.com", "https://api-b.rong-api.com"])
    await rc.gag(room, ["u1", "u2"], minutes=10)
    for g in await rc.gagged(room): print(g.user_id, g.until)
    await rc.recall(room, from_user_id="u1", message_uid="CLU2-…", sent_time_ms=1700000000123)
    await rc.aclose()

Wire facts (providers.md §1, §9):

- Every call is a ``POST`` to ``<host>/<path>.json`` signed with ``App-Key``/``Nonce``/``Timestamp``/
  ``Signature`` (:mod:`console.services.chat.signing`; timestamp in ms as the docs say, nonce 16 hex
  characters). Each attempt is signed afresh.
- Bodies are ``application/x-www-form-urlencoded`` with repeated keys for lists, every value properly
  percent-encoded (:func:`encode_form`: CJK as UTF-8 ``%E7…``, ``&`` → ``%26``, ``+`` → ``%2B``,
  ``%`` → ``%25``, space → ``+``); ``/sensitiveword/batch/add.json`` takes JSON.
- Answers are JSON with ``code`` = 200 on success; errors carry ``code`` and ``errorMessage`` with a
  non-200 HTTP status (1002→400, 1004→401, 1008→429, 1009→430 …). :func:`error_for` maps a code to one
  of this module's :class:`RongCloudError` subclasses.

Retries (only where safe):

- Reads, gags, blocks, mutes, whitelists, word changes and recalls are idempotent (doing them twice
  leaves the same state; a gag repeated extends from *now*, which is what the moderator meant), so the
  transport retries them on timeouts, 5xx (codes 1000, 1050) and malformed answers, and fails over to
  the next host.
- Publishing a message is **not** idempotent (RongCloud has no idempotency key): it is retried and
  failed over only when the request provably never left this machine (connection refused). A
  timeout, 5xx or garbled answer raises :class:`OutcomeUnknown`, which is *not* retryable (the
  message may be out already; a person decides whether to send it again).
- 429 / 1008 is a refusal before anything is done, so every call may wait and retry it; the wait is at
  least 1 s (the table says "after ≥ 1 s"), and the shared :class:`RateGate` (100/s per App Key) holds
  every caller back, not only the one refused. After ``rate_retries`` it raises :class:`RongCloudRateLimited`.

Bulk calls (more than 20 users, more than 10 rooms) are split as the API requires; if one part fails
after others succeeded, :class:`BulkPartiallyFailed` says which ids were done and which remain.

UNCONFIRMED points and what this module assumes:

- The error body's message field is ``errorMessage`` (Java SDK tables); ``msg``/``message`` are read too.
- Sensitive-word quota: the service's answer for "over quota" is not documented; the emulator answers
  400/1002 with "quota" in ``errorMessage`` and :meth:`RongCloud.add_words` raises
  :class:`SensitiveWordQuotaExceeded` for that (any other 1002 stays a :class:`RongCloudParameterError`).
- History-log file format (zip of text lines ``<time> {json}``) — see :func:`parse_history_log`.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import time
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal
from urllib.parse import quote_plus

import httpx

from console.credentials import Secret
from console.errors import (
    InvalidInput,
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
)
from console.services.chat.signing import new_nonce, sign
from console.services.http import ErrorInfo, HttpTransportPolicy, RateGate, make_client

__all__ = [
    "BEIJING",
    "CHINA_HOSTS",
    "MAX_CONTENT_BYTES",
    "MAX_MINUTES",
    "PROVIDER",
    "BulkPartiallyFailed",
    "ChatroomInfo",
    "HistoryRecord",
    "Member",
    "OutcomeUnknown",
    "RongCloud",
    "RongCloudAuthError",
    "RongCloudError",
    "RongCloudNothingToDelete",
    "RongCloudParameterError",
    "RongCloudQuotaExceeded",
    "RongCloudRateLimited",
    "RongCloudRejected",
    "RongCloudUnavailable",
    "SensitiveWord",
    "SensitiveWordQuotaExceeded",
    "ServiceNotEnabled",
    "TimedEntry",
    "connect",
    "describe_error",
    "encode_form",
    "error_for",
    "parse_beijing",
    "parse_history_log",
]

PROVIDER = "rongcloud"
#: China data centre, current primary and backup (providers.md §1.1).
CHINA_HOSTS = ("https://api.rong-api.com", "https://api-b.rong-api.com")
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
MAX_ID_CHARS = 64
MAX_MINUTES = 43200
MAX_USERS_PER_CALL = 20
MAX_WHITELIST_PER_CALL = 5
MAX_ROOMS_PER_PUBLISH = 10
MAX_WORD_CHARS = 32
MAX_WORDS_PER_BATCH_DELETE = 50
MAX_OBJECT_NAME_CHARS = 32
MAX_CONTENT_BYTES = 128 * 1024
USER_AGENT = "shihou-console/1 (rongcloud)"
#: Chatroom conversation type for recall (1 private, 3 group, 4 chatroom, 6 system, 10 ultragroup).
CHATROOM = 4


# --- errors ------------------------------------------------------------------------------------------

class RongCloudError(ProviderError):
    """Any RongCloud failure; ``rc_code`` is RongCloud's numeric code when there was one."""

    @property
    def rc_code(self) -> int | None:
        try:
            return int(self.code) if self.code is not None else None
        except ValueError:
            return None


class RongCloudUnavailable(RongCloudError, ProviderUnavailable):
    """Network, timeout, 5xx (1000 internal error, 1050 internal timeout), malformed answer. Retryable."""


class RongCloudRateLimited(RongCloudError, RateLimited):
    """429 / 1008: more than 100 calls a second for this App Key (or a service not enabled, called fast)."""


class RongCloudAuthError(RongCloudError, ProviderAuthError):
    """1001 secret mismatch, 1004 bad signature (clock or secret), 1006 app locked, 1007 method restricted."""


class RongCloudRejected(RongCloudError, ProviderRejected):
    """A business error with RongCloud's code; not retryable."""


class RongCloudParameterError(RongCloudRejected):
    """1002 / 1003 / 1005: a parameter is missing, too long, too many, or of the wrong type."""


class ServiceNotEnabled(RongCloudRejected):
    """1009: the feature (global gag, history log …) is not enabled for this app."""


class RongCloudNothingToDelete(RongCloudRejected):
    """1015: the thing to delete does not exist (delete calls treat it as done)."""


class RongCloudQuotaExceeded(RongCloudRejected):
    """1016 / 2007: a quota of the account is used up."""


class SensitiveWordQuotaExceeded(RongCloudParameterError):
    """The sensitive-word list is full (default quota 50); a batch over the quota adds nothing."""


class OutcomeUnknown(RongCloudError):
    """A call that is not safe to repeat (publishing) got no clear answer: it may have been applied.

    Not retryable: sending it again could publish twice. ``code``/``http_status`` are those of the
    transport failure (``timeout``, ``network``, 5xx …).
    """


class BulkPartiallyFailed(RongCloudError):
    """A call split into parts failed after some parts were applied.

    Attributes:
        done: Ids (users or rooms) the provider accepted.
        remaining: Ids not applied (the failed part and every part after it).
        cause: The error of the failed part; ``retryable`` follows it.
    """

    def __init__(self, operation: str, done: Sequence[str], remaining: Sequence[str], cause: ProviderError) -> None:
        self.done, self.remaining, self.cause = list(done), list(remaining), cause
        self.retryable = cause.retryable
        super().__init__(PROVIDER, f"{operation}: {len(self.done)} done, {len(self.remaining)} not done ({cause})",
                         code=cause.code, http_status=cause.http_status, request_id=cause.request_id)


_AUTH_CODES = frozenset({1001, 1004, 1006, 1007})
_PARAM_CODES = frozenset({1002, 1003, 1005})
_MESSAGES = {
    1000: "internal server error", 1001: "App Secret mismatch", 1002: "parameter error", 1003: "no POST data",
    1004: "signature invalid (check the secret and the clock)", 1005: "parameter too long",
    1006: "app locked or deleted", 1007: "method restricted", 1008: "call frequency exceeded",
    1009: "service not enabled for this app", 1015: "data to delete does not exist",
    1016: "quota exceeded", 1050: "internal timeout", 2007: "test-user quota exceeded",
}


def error_for(code: int | None, *, http_status: int | None, message: str = "", request_id: str | None = None,
              operation: str = "") -> RongCloudError:
    """The :class:`RongCloudError` subclass for RongCloud's ``code`` (and the HTTP status when no code)."""
    text = message or (_MESSAGES.get(code, "") if code is not None else "") or f"HTTP {http_status}"
    msg = f"{operation}: {text}" if operation else text
    kw: dict[str, Any] = {"code": str(code) if code is not None else None, "http_status": http_status,
                          "request_id": request_id}
    if code == 1008 or (code is None and http_status == 429):
        return RongCloudRateLimited(PROVIDER, msg, retry_after=1.0, **kw)
    if code in _AUTH_CODES or (code is None and http_status == 401):
        return RongCloudAuthError(PROVIDER, msg, **kw)
    if code in (1000, 1050) or (code is None and http_status is not None and http_status >= 500):
        return RongCloudUnavailable(PROVIDER, msg, **kw)
    if code in _PARAM_CODES:
        return RongCloudParameterError(PROVIDER, msg, **kw)
    if code == 1009:
        return ServiceNotEnabled(PROVIDER, msg, **kw)
    if code == 1015:
        return RongCloudNothingToDelete(PROVIDER, msg, **kw)
    if code in (1016, 2007):
        return RongCloudQuotaExceeded(PROVIDER, msg, **kw)
    return RongCloudRejected(PROVIDER, msg, **kw)


def _body_code(body: Any) -> int | None:
    if isinstance(body, Mapping):
        c = body.get("code")
        if isinstance(c, bool):
            return None
        if isinstance(c, int):
            return c
        if isinstance(c, str) and c.strip().isdigit():
            return int(c)
    return None


def _body_message(body: Any) -> str:
    if isinstance(body, Mapping):
        for k in ("errorMessage", "msg", "message", "errorMsg"):
            v = body.get(k)
            if isinstance(v, str) and v:
                return v
    return ""


def describe_error(response: httpx.Response) -> ErrorInfo:
    """RongCloud's ``code``, ``errorMessage`` and the request id of an error response."""
    rid = response.headers.get("x-request-id")
    try:
        body = json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    code = _body_code(body)
    return ErrorInfo(str(code) if code is not None else None,
                     _body_message(body) or (_MESSAGES.get(code, "") if code is not None else "")
                     or response.reason_phrase or f"HTTP {response.status_code}", rid)


def _convert(e: ProviderError, operation: str) -> RongCloudError:
    """A transport error from :mod:`console.services.http` as this module's subclass (same code/status)."""
    if isinstance(e, RongCloudError):
        return e
    try:
        code = int(e.code) if e.code is not None else None
    except ValueError:
        code = None
    msg = str(e).split(": ", 1)[-1]
    msg = msg.split(" code=", 1)[0].split(" http=", 1)[0]
    if isinstance(e, RateLimited):
        return RongCloudRateLimited(PROVIDER, f"{operation}: {msg}", retry_after=max(1.0, e.retry_after or 1.0),
                                    code=e.code, http_status=e.http_status, request_id=e.request_id)
    if isinstance(e, ProviderUnavailable):
        return RongCloudUnavailable(PROVIDER, f"{operation}: {msg}", code=e.code, http_status=e.http_status,
                                    request_id=e.request_id)
    if code is not None:
        return error_for(code, http_status=e.http_status, message=msg, request_id=e.request_id, operation=operation)
    return RongCloudRejected(PROVIDER, f"{operation}: {msg}", code=e.code, http_status=e.http_status,
                             request_id=e.request_id)


def _never_sent(e: ProviderUnavailable) -> bool:
    """True when the transport says the request could not have reached the server.

    ``console.services.http`` names the httpx exception in the message: ``ConnectError`` (refused,
    no route, DNS), ``ConnectTimeout`` and ``PoolTimeout`` never send a byte.
    """
    text = str(e)
    return any(n in text for n in ("ConnectError", "ConnectTimeout", "PoolTimeout"))


# --- encoding and parsing -------------------------------------------------------------------------------

FormValue = str | int | bool | Sequence[str]


def encode_form(params: Iterable[tuple[str, FormValue]]) -> bytes:
    """``application/x-www-form-urlencoded`` with repeated keys for sequences, every byte encoded.

    ``encode_form([("word", "赌博&+% x")])`` → ``b"word=%E8%B5%8C%E5%8D%9A%26%2B%25+x"``. Booleans are
    ``true``/``false``.
    """
    parts: list[str] = []
    for k, v in params:
        values: Sequence[str | int | bool] = [v] if isinstance(v, str | int | bool) else v
        for one in values:
            s = ("true" if one else "false") if isinstance(one, bool) else str(one)
            parts.append(f"{quote_plus(k, safe='')}={quote_plus(s, safe='')}")
    return "&".join(parts).encode("ascii")


def parse_beijing(value: Any) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` in Beijing time (or epoch ms/s) as an aware UTC datetime; None if unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        n = float(value)
        if n <= 0:
            return None
        return datetime.fromtimestamp(n / 1000 if n > 1e11 else n, UTC)
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.strptime(value.strip(), fmt).replace(tzinfo=BEIJING).astimezone(UTC)
            except ValueError:
                continue
    return None


def _str(v: Any) -> str:
    return "" if v is None else str(v)


def _check_id(field: str, value: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInput(field, "an id is required")
    if len(value) > MAX_ID_CHARS:
        raise InvalidInput(field, f"longer than {MAX_ID_CHARS} characters")
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cs")), None)
    if bad is not None:
        raise InvalidInput(field, f"contains the control character U+{ord(bad):04X}")
    return value


def _check_ids(field: str, values: Iterable[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    if isinstance(values, str):
        raise InvalidInput(field, "a list of ids is required, not one string")
    for v in values:
        _check_id(field, v)
        if v not in seen:
            seen.add(v)
            out.append(v)
    if not out:
        raise InvalidInput(field, "at least one id is required")
    return out


def _check_minutes(minutes: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput("minutes", f"must be a whole number from 1 to {MAX_MINUTES} (30 days)")
    return minutes


def _check_word(field: str, word: str) -> str:
    if not isinstance(word, str) or not word.strip():
        raise InvalidInput(field, "a word is required")
    if len(word) > MAX_WORD_CHARS:
        raise InvalidInput(field, f"longer than {MAX_WORD_CHARS} characters")
    return word


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield list(items[i:i + size])


# --- results ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ChatroomInfo:
    """A chatroom (``/chatroom/get.json``, or the legacy ``query.json`` with fewer fields)."""

    room_id: str
    name: str = ""
    created_at: datetime | None = None
    member_count: int | None = None
    destroy_type: int | None = None
    destroy_time: int | None = None
    muted: bool | None = None


@dataclass(frozen=True, slots=True)
class Member:
    user_id: str
    joined_at: datetime | None


@dataclass(frozen=True, slots=True)
class TimedEntry:
    """A user under a timed restriction (gag, block, global gag, app block) and when it ends (UTC)."""

    user_id: str
    until: datetime | None


@dataclass(frozen=True, slots=True)
class SensitiveWord:
    """A sensitive word; ``replace_word`` None means messages containing it are blocked."""

    word: str
    replace_word: str | None = None

    @property
    def blocks(self) -> bool:
        return not self.replace_word


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """One line of an hourly message-history log."""

    msg_uid: str
    from_user_id: str
    target_id: str
    target_type: int
    object_name: str
    content: Any
    sent_at: datetime | None
    raw: Mapping[str, Any]


def parse_history_log(data: bytes) -> list[HistoryRecord]:
    """Records of a downloaded history log: a zip (or gzip, or plain text) of lines ``[<time> ]{json}``.

    Lines that are not JSON objects are skipped (the real files have a header line in some generations).
    """
    texts: list[bytes] = []
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            texts = [z.read(n) for n in z.namelist() if not n.endswith("/")]
    elif data[:2] == b"\x1f\x8b":
        import gzip
        texts = [gzip.decompress(data)]
    else:
        texts = [data]
    out: list[HistoryRecord] = []
    for blob in texts:
        for line in blob.decode("utf-8", "replace").splitlines():
            i = line.find("{")
            if i < 0:
                continue
            try:
                obj = json.loads(line[i:])
            except json.JSONDecodeError:
                continue
            if not isinstance(obj, dict):
                continue
            content = obj.get("content")
            if isinstance(content, str):
                try:
                    content = json.loads(content)
                except json.JSONDecodeError:
                    pass
            try:
                ttype = int(obj.get("targetType") or 0)
            except (TypeError, ValueError):
                ttype = 0
            out.append(HistoryRecord(
                msg_uid=_str(obj.get("msgUID")), from_user_id=_str(obj.get("fromUserId")),
                target_id=_str(obj.get("targetId")), target_type=ttype,
                object_name=_str(obj.get("classname") or obj.get("objectName")), content=content,
                sent_at=parse_beijing(obj.get("dateTime") or obj.get("msgTimestamp")), raw=obj))
    return out


# --- the client ------------------------------------------------------------------------------------

class RongCloud:
    """The RongCloud Server API. One instance per App Key; share it between tasks.

    Args:
        client: The shared ``httpx.AsyncClient`` (its ``base_url`` is the first host when ``hosts`` is None).
        app_key: The App Key.
        secret: The App Secret (from the keyring).
        hosts: Base URLs in failover order (e.g. :data:`CHINA_HOSTS`).
        policy: The transport policy (tests inject sleep/clock); default: 2 retries, a 100/s gate.
        rate_per_s: The App Key's documented limit given to the gate.
        rate_retries: How many 429/1008 refusals a call waits through before raising.
        failover_hold_s: After a failover, stay on the backup this long before trying the primary again.
        clock: Wall clock (s) for signing timestamps.
        sleep: Used to wait after a 429 when there is no gate.

    Every method raises only :class:`RongCloudError` subclasses (or :class:`~console.errors.InvalidInput`
    for a value refused before anything is sent). The instance owns ``client`` (:meth:`aclose`).
    """

    name = PROVIDER

    def __init__(self, client: httpx.AsyncClient, *, app_key: str, secret: Secret,
                 hosts: Sequence[str] | None = None, policy: HttpTransportPolicy | None = None,
                 rate_per_s: float = 100.0, rate_retries: int = 5, failover_hold_s: float = 30.0,
                 clock: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Any] | None = None) -> None:
        if not app_key:
            raise InvalidInput("rongcloud.app_key", "an App Key is required")
        self._client = client
        self.app_key = app_key
        self._secret = secret
        base = str(client.base_url).rstrip("/")
        self.hosts = [h.rstrip("/") for h in (hosts or ([base] if base else []))]
        if not self.hosts:
            raise InvalidInput("rongcloud.url", "at least one host is required")
        self._policy = policy or HttpTransportPolicy(gate=RateGate(rate_per_s=rate_per_s, burst=min(rate_per_s, 20)),
                                                     retries=2, backoff_base_s=1.0)
        self._gate_key = f"rongcloud {app_key}"
        if self._policy.gate is not None:
            self._policy.gate.configure(self._gate_key, rate_per_s=rate_per_s, burst=max(1.0, min(rate_per_s, 20)))
        self._rate_retries = rate_retries
        self._hold_s = failover_hold_s
        self._clock, self._mono = clock, monotonic
        self._sleep = sleep
        self._current = 0
        self._failed_over_at: float | None = None

    # --- transport -----------------------------------------------------------------------------

    @property
    def current_host(self) -> str:
        """The host the next call goes to first."""
        if self._current and self._failed_over_at is not None and self._mono() - self._failed_over_at > self._hold_s:
            self._current, self._failed_over_at = 0, None
        return self.hosts[self._current]

    def _headers(self) -> dict[str, str]:
        nonce = new_nonce()
        ts = str(int(self._clock() * 1000))
        return {"App-Key": self.app_key, "Nonce": nonce, "Timestamp": ts,
                "Signature": sign(self._secret, nonce, ts), "X-Request-ID": uuid.uuid4().hex,
                "User-Agent": USER_AGENT}

    def _build(self, host: str, path: str, form: Sequence[tuple[str, FormValue]] | None,
               json_body: Any) -> httpx.Request:
        headers = self._headers()
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        else:
            content = encode_form(form or ())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self._client.build_request("POST", f"{host}{path}", content=content, headers=headers)

    async def _wait(self, seconds: float) -> None:
        gate = self._policy.gate
        if gate is not None:
            gate.block(self._gate_key, seconds)
            await gate.acquire(self._gate_key)
            return
        await (self._sleep or asyncio.sleep)(seconds)

    async def _call(self, path: str, form: Sequence[tuple[str, FormValue]] | None = None, *, idempotent: bool,
                    json_body: Any = None, operation: str | None = None) -> Mapping[str, Any]:
        """POST ``path`` and return the JSON body of a ``code`` 200 answer; see the class for the errors."""
        op = operation or path
        start = self.hosts.index(self.current_host)
        tried_hosts = 0
        refusals = 0
        while True:
            host = self.hosts[(start + tried_hosts) % len(self.hosts)]
            try:
                reply = await self._policy.send(self._client, functools.partial(self._build, host, path, form, json_body),
                                                provider=PROVIDER, idempotent=idempotent, expect_json=True,
                                                describe_error=describe_error, gate_key=self._gate_key)
            except RateLimited as e:
                if e.http_status == 429 and refusals < self._rate_retries:
                    refusals += 1
                    await self._wait(max(1.0, e.retry_after or 1.0))
                    continue
                raise _convert(e, op) from None
            except ProviderUnavailable as e:
                never_sent = _never_sent(e)
                if tried_hosts + 1 < len(self.hosts) and (idempotent or never_sent):
                    tried_hosts += 1
                    self._current = (start + tried_hosts) % len(self.hosts)
                    self._failed_over_at = self._mono()
                    continue
                if not idempotent and not never_sent:
                    msg = str(_convert(e, op)).split(": ", 1)[-1].split(" code=", 1)[0]
                    raise OutcomeUnknown(PROVIDER, f"{msg}; it may have been applied, so it is not repeated",
                                         code=e.code, http_status=e.http_status, request_id=e.request_id) from None
                raise _convert(e, op) from None
            except ProviderError as e:
                raise _convert(e, op) from None
            body = reply.data
            code = _body_code(body)
            if reply.status == 200 and code == 200 and isinstance(body, Mapping):
                return body
            if code is None and reply.status < 400:
                if not idempotent:
                    raise OutcomeUnknown(PROVIDER, f"{op}: answer without a code; it may have been applied, so it "
                                         "is not repeated", code="malformed_response", http_status=reply.status)
                raise RongCloudUnavailable(PROVIDER, f"{op}: answer without a code", code="malformed_response",
                                           http_status=reply.status)
            err = error_for(code, http_status=reply.status, message=_body_message(body),
                            request_id=reply.response.headers.get("x-request-id"), operation=op)
            if isinstance(err, RongCloudRateLimited) and refusals < self._rate_retries:
                refusals += 1
                await self._wait(1.0)
                continue
            raise err

    async def _bulk(self, operation: str, path: str, ids: list[str], size: int,
                    make: Callable[[list[str]], list[tuple[str, FormValue]]], *, idempotent: bool = True,
                    ok_codes: frozenset[int] = frozenset()) -> None:
        done: list[str] = []
        for part in _chunks(ids, size):
            try:
                await self._call(path, make(part), idempotent=idempotent, operation=operation)
            except RongCloudError as e:
                if e.rc_code in ok_codes:
                    done += part
                    continue
                if done:
                    raise BulkPartiallyFailed(operation, done, ids[len(done):], e) from e
                raise
            done += part

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    # --- chatrooms -----------------------------------------------------------------------------

    async def create_chatroom(self, room_id: str, name: str = "") -> None:
        """Create a chatroom (legacy ``/chatroom/create.json``; creating an existing room is a no-op)."""
        rid = _check_id("room", room_id)
        await self._call("/chatroom/create.json", [(f"chatroom[{rid}]", name or rid)], idempotent=True,
                         operation="create chatroom")

    async def destroy_chatroom(self, room_ids: Sequence[str]) -> None:
        """Destroy chatrooms (idempotent)."""
        ids = _check_ids("room", room_ids)
        await self._call("/chatroom/destroy.json", [("chatroomId", ids)], idempotent=True, operation="destroy chatroom")

    async def chatrooms(self, room_ids: Sequence[str]) -> list[ChatroomInfo]:
        """The rooms among ``room_ids`` that exist (``/chatroom/query.json``; unknown ids are left out)."""
        ids = _check_ids("room", room_ids)
        body = await self._call("/chatroom/query.json", [("chatroomId", ids)], idempotent=True,
                                operation="query chatrooms")
        out: list[ChatroomInfo] = []
        for item in body.get("chatRooms") or body.get("chatrooms") or []:
            if not isinstance(item, Mapping):
                continue
            rid = _str(item.get("chatroomId") or item.get("chrmId") or item.get("id"))
            if rid:
                out.append(ChatroomInfo(rid, name=_str(item.get("name")), created_at=parse_beijing(item.get("time"))))
        return out

    async def chatroom(self, room_id: str) -> ChatroomInfo:
        """One room's details (``/chatroom/get.json``: member count, creation time, whole-room mute)."""
        rid = _check_id("room", room_id)
        b = await self._call("/chatroom/get.json", [("chatroomId", rid)], idempotent=True, operation="get chatroom")

        def opt_int(v: Any) -> int | None:
            try:
                return int(v) if v is not None and not isinstance(v, bool) else None
            except (TypeError, ValueError):
                return None

        ban = b.get("ban")
        return ChatroomInfo(_str(b.get("chatroomId")) or rid, created_at=parse_beijing(b.get("createTime")),
                            member_count=opt_int(b.get("memberCount")), destroy_type=opt_int(b.get("destroyType")),
                            destroy_time=opt_int(b.get("destroyTime")),
                            muted=ban if isinstance(ban, bool) else (str(ban).lower() == "true" if ban is not None
                                                                     else None))

    async def members(self, room_id: str, *, count: int = 500, newest_first: bool = False) -> tuple[int, list[Member]]:
        """``(total, members)`` of a room, at most ``count`` (1–500) in join order (or newest first)."""
        rid = _check_id("room", room_id)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 500:
            raise InvalidInput("count", "must be 1..500")
        b = await self._call("/chatroom/user/query.json",
                             [("chatroomId", rid), ("count", count), ("order", 2 if newest_first else 1)],
                             idempotent=True, operation="chatroom members")
        users = [Member(_str(u.get("id") or u.get("userId")), parse_beijing(u.get("time")))
                 for u in b.get("users") or [] if isinstance(u, Mapping)]
        try:
            total = int(b.get("total", len(users)))
        except (TypeError, ValueError):
            total = len(users)
        return total, users

    async def is_member(self, room_id: str, user_id: str) -> bool:
        """Whether ``user_id`` is in the room now."""
        b = await self._call("/chatroom/user/exist.json",
                             [("chatroomId", _check_id("room", room_id)), ("userId", _check_id("user", user_id))],
                             idempotent=True, operation="is member")
        v = b.get("isInChrm")
        return v is True or str(v).lower() in ("true", "1")

    # --- gag / block in a room -------------------------------------------------------------------

    def _timed(self, b: Mapping[str, Any], key: str = "time") -> list[TimedEntry]:
        return [TimedEntry(_str(u.get("userId") or u.get("id")), parse_beijing(u.get(key) or u.get("time")))
                for u in b.get("users") or [] if isinstance(u, Mapping)]

    @staticmethod
    def _notify(extra: str | None, notify: bool | None) -> list[tuple[str, FormValue]]:
        out: list[tuple[str, FormValue]] = []
        if extra is not None:
            out.append(("extra", extra))
        if notify is not None:
            out.append(("needNotify", notify))
        return out

    async def gag(self, room_id: str, user_ids: Sequence[str], *, minutes: int, extra: str | None = None,
                  notify: bool | None = None) -> None:
        """Gag users in a room (they read but cannot send) for ``minutes`` (1–43200); 20 per call.

        Raises:
            BulkPartiallyFailed: More than 20 users and a later part failed.
        """
        rid, ids, m = _check_id("room", room_id), _check_ids("user", user_ids), _check_minutes(minutes)
        await self._bulk("gag", "/chatroom/user/gag/add.json", ids, MAX_USERS_PER_CALL,
                         lambda part: [("chatroomId", rid), ("userId", part), ("minute", m),
                                       *self._notify(extra, notify)])

    async def ungag(self, room_id: str, user_ids: Sequence[str], *, extra: str | None = None,
                    notify: bool | None = None) -> None:
        """Lift a room gag (idempotent)."""
        rid, ids = _check_id("room", room_id), _check_ids("user", user_ids)
        await self._bulk("ungag", "/chatroom/user/gag/rollback.json", ids, MAX_USERS_PER_CALL,
                         lambda part: [("chatroomId", rid), ("userId", part), *self._notify(extra, notify)],
                         ok_codes=frozenset({1015}))

    async def gagged(self, room_id: str) -> list[TimedEntry]:
        """Users gagged in a room and when each gag ends."""
        b = await self._call("/chatroom/user/gag/list.json", [("chatroomId", _check_id("room", room_id))],
                             idempotent=True, operation="list gagged")
        return self._timed(b)

    async def gag_globally(self, user_ids: Sequence[str], *, minutes: int, extra: str | None = None,
                           notify: bool | None = None) -> None:
        """Gag users in every chatroom of the app (needs the service enabled: else :class:`ServiceNotEnabled`)."""
        ids, m = _check_ids("user", user_ids), _check_minutes(minutes)
        await self._bulk("global gag", "/chatroom/user/ban/add.json", ids, MAX_USERS_PER_CALL,
                         lambda part: [("userId", part), ("minute", m), *self._notify(extra, notify)])

    async def ungag_globally(self, user_ids: Sequence[str], *, extra: str | None = None,
                             notify: bool | None = None) -> None:
        """Lift a global gag (idempotent)."""
        ids = _check_ids("user", user_ids)
        await self._bulk("global ungag", "/chatroom/user/ban/remove.json", ids, MAX_USERS_PER_CALL,
                         lambda part: [("userId", part), *self._notify(extra, notify)], ok_codes=frozenset({1015}))

    async def gagged_globally(self) -> list[TimedEntry]:
        """Users under a global gag."""
        return self._timed(await self._call("/chatroom/user/ban/query.json", [], idempotent=True,
                                            operation="list global gags"))

    async def block(self, room_id: str, user_ids: Sequence[str], *, minutes: int, extra: str | None = None,
                    notify: bool | None = None) -> None:
        """Remove users from a room and keep them out for ``minutes``; 20 per call."""
        rid, ids, m = _check_id("room", room_id), _check_ids("user", user_ids), _check_minutes(minutes)
        await self._bulk("block in room", "/chatroom/user/block/add.json", ids, MAX_USERS_PER_CALL,
                         lambda part: [("chatroomId", rid), ("userId", part), ("minute", m),
                                       *self._notify(extra, notify)])

    async def unblock(self, room_id: str, user_ids: Sequence[str], *, extra: str | None = None,
                      notify: bool | None = None) -> None:
        """Let blocked users back into a room (idempotent)."""
        rid, ids = _check_id("room", room_id), _check_ids("user", user_ids)
        await self._bulk("unblock in room", "/chatroom/user/block/rollback.json", ids, MAX_USERS_PER_CALL,
                         lambda part: [("chatroomId", rid), ("userId", part), *self._notify(extra, notify)],
                         ok_codes=frozenset({1015}))

    async def blocked(self, room_id: str) -> list[TimedEntry]:
        """Users blocked from a room and when each block ends."""
        b = await self._call("/chatroom/user/block/list.json", [("chatroomId", _check_id("room", room_id))],
                             idempotent=True, operation="list blocked")
        return self._timed(b)

    # --- whole-room mute and whitelist -------------------------------------------------------------

    async def mute_room(self, room_id: str, *, extra: str | None = None, notify: bool | None = None) -> None:
        """Mute everyone in the room except its whitelist (and Server-API messages)."""
        await self._call("/chatroom/ban/add.json", [("chatroomId", _check_id("room", room_id)),
                                                    *self._notify(extra, notify)],
                         idempotent=True, operation="mute room")

    async def unmute_room(self, room_id: str, *, extra: str | None = None, notify: bool | None = None) -> None:
        """Undo :meth:`mute_room` (idempotent)."""
        try:
            await self._call("/chatroom/ban/rollback.json", [("chatroomId", _check_id("room", room_id)),
                                                             *self._notify(extra, notify)],
                             idempotent=True, operation="unmute room")
        except RongCloudNothingToDelete:
            pass

    async def room_muted(self, room_id: str) -> bool:
        """Whether the whole room is muted (``/chatroom/ban/check.json``)."""
        b = await self._call("/chatroom/ban/check.json", [("chatroomId", _check_id("room", room_id))],
                             idempotent=True, operation="check room mute")
        v = b.get("status")
        return v is True or str(v).lower() in ("1", "true")

    async def muted_rooms(self, *, page: int = 1, size: int = 50) -> list[str]:
        """Ids of the muted rooms (``/chatroom/ban/query.json``)."""
        b = await self._call("/chatroom/ban/query.json", [("page", page), ("size", size)], idempotent=True,
                             operation="list muted rooms")
        out: list[str] = []
        for item in b.get("chatroomIds") or b.get("chatrooms") or []:
            if isinstance(item, Mapping):
                out.append(_str(item.get("chatroomId") or item.get("id")))
            else:
                out.append(_str(item))
        return out

    async def whitelist_add(self, room_id: str, user_ids: Sequence[str]) -> None:
        """Let users speak in the room while it is muted; 5 per call."""
        rid, ids = _check_id("room", room_id), _check_ids("user", user_ids)
        await self._bulk("whitelist add", "/chatroom/user/whitelist/add.json", ids, MAX_WHITELIST_PER_CALL,
                         lambda part: [("chatroomId", rid), ("userId", part)])

    async def whitelist_remove(self, room_id: str, user_ids: Sequence[str]) -> None:
        """Take users off a room's whitelist (idempotent)."""
        rid, ids = _check_id("room", room_id), _check_ids("user", user_ids)
        await self._bulk("whitelist remove", "/chatroom/user/whitelist/remove.json", ids, MAX_WHITELIST_PER_CALL,
                         lambda part: [("chatroomId", rid), ("userId", part)], ok_codes=frozenset({1015}))

    async def whitelist(self, room_id: str) -> list[str]:
        """The room's member whitelist."""
        b = await self._call("/chatroom/user/whitelist/query.json", [("chatroomId", _check_id("room", room_id))],
                             idempotent=True, operation="list whitelist")
        return [_str(u.get("userId") if isinstance(u, Mapping) else u) for u in b.get("users") or []]

    # --- app-wide user block --------------------------------------------------------------------

    async def block_user(self, user_ids: Sequence[str], *, minutes: int) -> None:
        """Disconnect users and refuse their login for ``minutes`` (≤ 30 days; no permanent block)."""
        ids, m = _check_ids("user", user_ids), _check_minutes(minutes)
        await self._bulk("block user", "/user/block.json", ids, MAX_USERS_PER_CALL,
                         lambda part: [("userId", part), ("minute", m)])

    async def unblock_user(self, user_ids: Sequence[str]) -> None:
        """Let blocked users log in again (idempotent)."""
        ids = _check_ids("user", user_ids)
        await self._bulk("unblock user", "/user/unblock.json", ids, MAX_USERS_PER_CALL,
                         lambda part: [("userId", part)], ok_codes=frozenset({1015}))

    async def blocked_users(self) -> list[TimedEntry]:
        """Users blocked from the app and when each block ends (``blockEndTime``)."""
        b = await self._call("/user/block/query.json", [], idempotent=True, operation="list blocked users")
        return self._timed(b, "blockEndTime")

    # --- messages ----------------------------------------------------------------------------------

    async def recall(self, room_id: str, *, from_user_id: str, message_uid: str, sent_time_ms: int,
                     is_admin: bool = True, delete: bool = False, extra: str | None = None,
                     conversation_type: int = CHATROOM) -> None:
        """Recall a message: ``message_uid`` and ``sent_time_ms`` are the routed ``msgUID`` and ``msgTimestamp``.

        A recall is a command message; sending it twice recalls nothing more, so it is retried.
        """
        if isinstance(sent_time_ms, bool) or not isinstance(sent_time_ms, int) or sent_time_ms <= 0:
            raise InvalidInput("sent_time_ms", "the message's msgTimestamp (ms) is required")
        form: list[tuple[str, FormValue]] = [
            ("fromUserId", _check_id("from_user_id", from_user_id)), ("conversationType", conversation_type),
            ("targetId", _check_id("room", room_id)), ("messageUID", _check_id("message_uid", message_uid)),
            ("sentTime", sent_time_ms), ("isAdmin", 1 if is_admin else 0), ("isDelete", 1 if delete else 0)]
        if extra is not None:
            form.append(("extra", extra))
        await self._call("/message/recall.json", form, idempotent=True, operation="recall")

    async def publish(self, room_ids: Sequence[str], *, from_user_id: str, object_name: str,
                      content: Mapping[str, Any] | str) -> list[str]:
        """Publish a custom system message to rooms, 10 rooms per call; returns the rooms it reached.

        Not idempotent: a part is retried only if it never left this machine.

        Args:
            room_ids: Target rooms.
            from_user_id: The sender shown (a system account).
            object_name: The custom message type, ≤ 32 characters, not starting with ``RC:``.
            content: The message body (a dict is sent as compact JSON), ≤ 128 KB.

        Raises:
            InvalidInput: A refused type, body or id.
            BulkPartiallyFailed: A later part failed; ``done`` lists the rooms that got the message.
        """
        ids = _check_ids("room", room_ids)
        sender = _check_id("from_user_id", from_user_id)
        if not isinstance(object_name, str) or not object_name or len(object_name) > MAX_OBJECT_NAME_CHARS:
            raise InvalidInput("object_name", f"1 to {MAX_OBJECT_NAME_CHARS} characters")
        if object_name.upper().startswith("RC:"):
            raise InvalidInput("object_name", "custom message types must not start with 'RC:'")
        body = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False,
                                                                     separators=(",", ":"))
        if isinstance(content, str):
            try:
                json.loads(content)
            except json.JSONDecodeError:
                raise InvalidInput("content", "must be a JSON document") from None
        if len(body.encode("utf-8")) > MAX_CONTENT_BYTES:
            raise InvalidInput("content", "longer than 128 KB")
        done: list[str] = []
        for part in _chunks(ids, MAX_ROOMS_PER_PUBLISH):
            try:
                await self._call("/message/chatroom/publish.json",
                                 [("fromUserId", sender), ("toChatroomId", part), ("objectName", object_name),
                                  ("content", body)], idempotent=False, operation="publish")
            except RongCloudError as e:
                if done:
                    raise BulkPartiallyFailed("publish", done, ids[len(done):], e) from e
                raise
            done += part
        return done

    async def history_url(self, hour: datetime) -> str | None:
        """The download URL of the app's message log for one hour (None: not ready or no messages).

        ``hour`` is any aware time inside the hour; the API wants ``YYYYMMDDHH`` in Beijing time.
        """
        if hour.tzinfo is None:
            raise InvalidInput("hour", "needs a time zone")
        date = hour.astimezone(BEIJING).strftime("%Y%m%d%H")
        b = await self._call("/message/history.json", [("date", date)], idempotent=True, operation="history log")
        url = _str(b.get("url")).strip()
        return url or None

    async def download_history(self, hour: datetime, *, max_bytes: int = 512 * 1024 * 1024) -> list[HistoryRecord]:
        """The records of one hour's message log (empty when the log is not there yet).

        Raises:
            RongCloudUnavailable: The file could not be fetched or is larger than ``max_bytes``.
        """
        url = await self.history_url(hour)
        if url is None:
            return []
        try:
            async with self._client.stream("GET", url) as resp:
                if resp.status_code != 200:
                    raise RongCloudUnavailable(PROVIDER, f"history log download: HTTP {resp.status_code}",
                                               http_status=resp.status_code, code="download")
                buf = bytearray()
                async for chunk in resp.aiter_bytes():
                    buf += chunk
                    if len(buf) > max_bytes:
                        raise RongCloudUnavailable(PROVIDER, "history log download: file too large", code="too_large")
        except httpx.HTTPError as e:
            raise RongCloudUnavailable(PROVIDER, f"history log download: {type(e).__name__}",
                                       code="network") from None
        try:
            return parse_history_log(bytes(buf))
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise RongCloudUnavailable(PROVIDER, f"history log download: unreadable file ({e})",
                                       code="malformed_response") from None

    async def delete_history(self, hour: datetime) -> None:
        """Delete one hour's message log (purged within about 10 minutes)."""
        if hour.tzinfo is None:
            raise InvalidInput("hour", "needs a time zone")
        try:
            await self._call("/message/history/delete.json", [("date", hour.astimezone(BEIJING).strftime("%Y%m%d%H"))],
                             idempotent=True, operation="delete history log")
        except RongCloudNothingToDelete:
            pass

    # --- sensitive words --------------------------------------------------------------------------

    def _quota_error(self, e: RongCloudError) -> RongCloudError:
        if isinstance(e, RongCloudParameterError) and "quota" in str(e).lower():
            return SensitiveWordQuotaExceeded(PROVIDER, str(e).split(": ", 1)[-1].split(" code=", 1)[0],
                                              code=e.code, http_status=e.http_status, request_id=e.request_id)
        return e

    async def add_word(self, word: str, replace_word: str | None = None) -> None:
        """Add a block word (``replace_word`` None) or a replace word; adding it again updates it.

        Raises:
            SensitiveWordQuotaExceeded: The list is full.
        """
        form: list[tuple[str, FormValue]] = [("word", _check_word("word", word))]
        if replace_word:
            form.append(("replaceWord", _check_word("replace_word", replace_word)))
        try:
            await self._call("/sensitiveword/add.json", form, idempotent=True, operation="add sensitive word")
        except RongCloudError as e:
            raise self._quota_error(e) from None

    async def add_words(self, words: Sequence[SensitiveWord]) -> None:
        """Add many words in one call (JSON body); over the quota nothing is added.

        Raises:
            SensitiveWordQuotaExceeded: The batch does not fit in the quota (none of it was added).
        """
        if not words:
            raise InvalidInput("words", "at least one word is required")
        items: list[dict[str, str]] = []
        for w in words:
            item = {"word": _check_word("word", w.word)}
            if w.replace_word:
                item["replaceWord"] = _check_word("replace_word", w.replace_word)
            items.append(item)
        try:
            await self._call("/sensitiveword/batch/add.json", None, json_body={"words": items}, idempotent=True,
                             operation="add sensitive words")
        except RongCloudError as e:
            raise self._quota_error(e) from None

    async def delete_word(self, word: str) -> None:
        """Delete one word (idempotent)."""
        try:
            await self._call("/sensitiveword/delete.json", [("word", _check_word("word", word))], idempotent=True,
                             operation="delete sensitive word")
        except RongCloudNothingToDelete:
            pass

    async def delete_words(self, words: Sequence[str]) -> None:
        """Delete many words, 50 per call (idempotent)."""
        ws = [_check_word("word", w) for w in words]
        if not ws:
            raise InvalidInput("words", "at least one word is required")
        await self._bulk("delete sensitive words", "/sensitiveword/batch/delete.json", list(dict.fromkeys(ws)),
                         MAX_WORDS_PER_BATCH_DELETE, lambda part: [("words", part)], ok_codes=frozenset({1015}))

    async def words(self, kind: Literal["block", "replace", "all"] = "all") -> list[SensitiveWord]:
        """The sensitive-word list (``type`` 1 block words, 0 replace words, 2 all)."""
        t = {"replace": 0, "block": 1, "all": 2}[kind]
        b = await self._call("/sensitiveword/list.json", [("type", t)], idempotent=True,
                             operation="list sensitive words")
        out: list[SensitiveWord] = []
        for w in b.get("words") or []:
            if isinstance(w, Mapping) and w.get("word"):
                out.append(SensitiveWord(_str(w.get("word")), _str(w.get("replaceWord")) or None))
        return out


def connect(url: str, *, app_key: str, secret: Secret, backup_url: str = "", timeout: float = 10.0,
            rate_per_s: float = 100.0) -> RongCloud:
    """A :class:`RongCloud` for the settings ``rongcloud.url`` / ``rongcloud.backup_url`` / ``rongcloud.app_key``.

    Usage (``build_services``)::

        rc = connect(settings["rongcloud.url"], backup_url=settings["rongcloud.backup_url"],
                     app_key=key, secret=require(store, "rongcloud", key))

    Raises:
        InvalidInput: No URL or no App Key.
    """
    hosts = [u.strip().rstrip("/") for u in (url, backup_url) if u and u.strip()]
    if not hosts:
        raise InvalidInput("rongcloud.url", "a RongCloud API URL is required, e.g. https://api.rong-api.com")
    return RongCloud(make_client(hosts[0], timeout=timeout), app_key=app_key, secret=secret, hosts=hosts,
                     rate_per_s=rate_per_s)
