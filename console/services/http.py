"""The one HTTP layer every provider client goes through (no Qt).

It owns what is the same for every provider:

- :func:`make_client` builds one shared ``httpx.AsyncClient`` per provider (timeouts, keep-alive).
- :class:`RateGate` is a token bucket per host (or any key) with an injected clock; a 429 or a
  ``Retry-After`` closes the gate for that host so *every* caller waits, not only the one that was refused.
- :class:`HttpTransportPolicy` sends a request, retries it with exponential backoff and full jitter
  **only when that is safe**, translates ``httpx`` exceptions into :class:`~console.errors.ProviderError`
  subclasses, and logs every attempt once, redacted.

Usage::

    client = make_client("https://kls.cn-beijing-6.api.ksyun.com", timeout=10)
    policy = HttpTransportPolicy(gate=RateGate(rate_per_s=5, burst=5))
    reply = await policy.send(client, lambda: client.build_request("GET", "/x"),
                              provider="kingsoft", idempotent=True, expect_json=True)
    reply.data   # parsed JSON

When is a retry safe?

- ``idempotent=True`` (a read, or a write the provider treats as idempotent, or one that carries an
  idempotency key such as a JPush ``cid``): on timeouts, network errors, 5xx, 429 and a malformed 2xx body.
- ``idempotent=False``: only when the request provably never left this machine (the connection could
  not be opened, or no pooled connection was free); anything else may have been applied once already.

Nothing above this module catches an ``httpx`` exception.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from console.credentials import redact
from console.errors import ProviderError, ProviderUnavailable, RateLimited

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "ErrorInfo",
    "HttpTransportPolicy",
    "RateGate",
    "Reply",
    "backoff_delay",
    "make_client",
    "parse_retry_after",
    "redact_target",
    "request",
]

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: Per-phase timeouts: connecting is quick or hopeless, reading may take a few seconds.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
#: Keep-alive below the ~55 s idle limit providers document (providers.md §1.1).
DEFAULT_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=50.0)

#: Statuses that mean "try again later" rather than "this request is wrong".
_RETRYABLE_5XX = frozenset({500, 502, 503, 504})
#: Query parameters whose values never reach a log line.
_SECRET_PARAMS = frozenset({
    "x-amz-signature", "x-amz-credential", "x-amz-security-token", "signature", "sign", "token", "k",
    "key", "secret", "accesskey", "accesskeyid", "access_key", "password", "auth_key", "authorization",
})


def make_client(base_url: str, *, timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
                transport: httpx.AsyncBaseTransport | None = None,
                limits: httpx.Limits = DEFAULT_LIMITS,
                headers: Mapping[str, str] | None = None,
                event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
                trust_env: bool = True) -> httpx.AsyncClient:
    """One ``httpx.AsyncClient`` for one provider; share it between tasks and close it on exit.

    Args:
        base_url: The provider's endpoint, e.g. ``https://kls.cn-beijing-6.api.ksyun.com``.
        timeout: Seconds for every phase, or a full ``httpx.Timeout``.
        transport: A test transport (``httpx.MockTransport``) or a tuned ``AsyncHTTPTransport``.
        limits: Connection pool limits; the default keeps idle connections 50 s.
        headers: Headers sent with every request (a ``User-Agent``, say).
        event_hooks: ``{"request": [...], "response": [...]}`` passed to httpx unchanged.
        trust_env: Honour ``HTTP(S)_PROXY`` / ``NO_PROXY`` from the environment.

    Returns:
        The client. The ``httpx`` logger (which logs full URLs, signed query strings included) is
        set to WARNING; our own redacted line comes from ``console.services.http``.
    """
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    t = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    return httpx.AsyncClient(base_url=base_url, timeout=t, transport=transport, limits=limits,
                             headers=dict(headers or {}), event_hooks=dict(event_hooks or {}),
                             trust_env=trust_env, follow_redirects=False)


# --- rate gate ---------------------------------------------------------------------------------

@dataclass
class _Bucket:
    interval: float          # seconds per token
    tolerance: float         # (burst - 1) * interval
    tat: float = 0.0         # theoretical arrival time of the next request (GCRA)
    blocked_until: float = 0.0


class RateGate:
    """A token bucket per key (normally ``host:port``), with an injected clock so tests never sleep.

    ``rate_per_s`` tokens arrive per second, up to ``burst`` stored. A provider's ``Retry-After`` (or
    an exhausted quota header) closes the gate for that key until the given time; every caller waits.
    Waiting callers are served in order: each :meth:`acquire` reserves its slot before it sleeps.

    Usage::

        gate = RateGate(rate_per_s=50 / 60, burst=5)     # KLS ListRealtimePubStreamsInfo: 50/min
        await gate.acquire("kls.api.ksyun.com")
    """

    def __init__(self, rate_per_s: float = 10.0, burst: float = 10.0, *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self._rate, self._burst = rate_per_s, burst
        self._clock, self._sleep = clock, sleep
        self._buckets: dict[str, _Bucket] = {}
        self._custom: dict[str, tuple[float, float]] = {}

    def configure(self, key: str, *, rate_per_s: float, burst: float) -> None:
        """Give one key its own rate (a provider with a documented quota)."""
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self._custom[key] = (rate_per_s, burst)
        self._buckets.pop(key, None)

    def _bucket(self, key: str) -> _Bucket:
        b = self._buckets.get(key)
        if b is None:
            rate, burst = self._custom.get(key, (self._rate, self._burst))
            interval = 1.0 / rate
            b = self._buckets[key] = _Bucket(interval=interval, tolerance=(burst - 1) * interval)
        return b

    def _wait(self, b: _Bucket, now: float) -> tuple[float, float]:
        tat = max(b.tat, now)
        if b.blocked_until > now:
            tat = max(tat, b.blocked_until + b.tolerance)
        wait = tat - b.tolerance - now
        return (wait if wait > 1e-6 else 0.0), tat            # float dust is not a wait

    def delay(self, key: str) -> float:
        """Seconds the next :meth:`acquire` for ``key`` would wait now (nothing is reserved)."""
        return self._wait(self._bucket(key), self._clock())[0]

    async def acquire(self, key: str) -> None:
        """Take one token for ``key``, sleeping (with the injected sleep) until it is available."""
        b = self._bucket(key)
        wait, tat = self._wait(b, self._clock())
        b.tat = tat + b.interval
        if wait > 0:
            await self._sleep(wait)

    def block(self, key: str, seconds: float) -> None:
        """Close the gate for ``key`` for ``seconds`` (a 429 with ``Retry-After``, an empty quota)."""
        if seconds > 0:
            b = self._bucket(key)
            b.blocked_until = max(b.blocked_until, self._clock() + seconds)

    def blocked_for(self, key: str) -> float:
        """Seconds left before ``key`` reopens after :meth:`block` (0 when open)."""
        b = self._buckets.get(key)
        return 0.0 if b is None else max(0.0, b.blocked_until - float(self._clock()))


# --- helpers -----------------------------------------------------------------------------------

def backoff_delay(attempt: int, *, base_s: float, cap_s: float, rand: Callable[[], float]) -> float:
    """Exponential backoff with full jitter: uniform in ``[0, min(cap, base * 2**attempt)]``."""
    return rand() * min(cap_s, base_s * 2.0 ** attempt)


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date (relative to ``now``)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def redact_target(url: httpx.URL) -> str:
    """Path and query of ``url`` with secret-looking parameter values replaced by ``***``."""
    path = url.raw_path.decode("ascii", "replace")
    target, _, query = path.partition("?")
    if query:
        parts = []
        for pair in query.split("&"):
            name, eq, _value = pair.partition("=")
            parts.append(f"{name}=***" if eq and name.lower() in _SECRET_PARAMS else pair)
        target += "?" + "&".join(parts)
    return redact(target)


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What a provider's error body says: its own code, a message and its request id."""

    code: str | None = None
    message: str = ""
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """A response that got through the policy; ``data`` is the parsed JSON when it was asked for."""

    response: httpx.Response
    data: Any = None

    @property
    def status(self) -> int:
        return self.response.status_code


_REQUEST_ID_HEADERS = ("x-request-id", "x-cnc-request-id", "x-ws-requestid", "x-ksc-request-id", "x-amzn-requestid")


def _default_error_info(response: httpx.Response) -> ErrorInfo:
    rid = next((response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None)
    return ErrorInfo(None, response.reason_phrase or f"HTTP {response.status_code}", rid)


class HttpTransportPolicy:
    """Sends requests for a provider client: rate gate, retries when safe, error translation, logging.

    Everything time-related is injected (``clock``, ``sleep``, ``rand``), so a test can check the
    exact backoff without waiting for it.

    Args:
        gate: The shared :class:`RateGate` (optional).
        retries: Extra attempts after the first, for calls where a retry is safe.
        backoff_base_s: First backoff ceiling; doubles per attempt (full jitter below it).
        backoff_cap_s: Largest backoff ceiling.
        max_retry_after_s: A ``Retry-After`` longer than this is not waited for: the call fails with
            :class:`~console.errors.RateLimited` at once (the gate stays closed for that long).
        max_gate_wait_s: If the gate would make a call wait longer than this, fail with ``RateLimited``
            instead of waiting silently (None: always wait).
        on_in_flight: Called with the number of requests in flight whenever it changes (status bar).
    """

    def __init__(self, *, gate: RateGate | None = None, retries: int = 3, backoff_base_s: float = 0.25,
                 backoff_cap_s: float = 8.0, max_retry_after_s: float = 30.0,
                 max_gate_wait_s: float | None = None, sleep: Sleep = asyncio.sleep,
                 rand: Callable[[], float] = random.random, clock: Clock = time.monotonic,
                 wall_clock: Clock = time.time, on_in_flight: Callable[[int], None] | None = None) -> None:
        self.gate = gate
        self.retries = retries
        self.backoff_base_s, self.backoff_cap_s = backoff_base_s, backoff_cap_s
        self.max_retry_after_s, self.max_gate_wait_s = max_retry_after_s, max_gate_wait_s
        self._sleep, self._rand, self._clock, self._wall = sleep, rand, clock, wall_clock
        self._on_in_flight = on_in_flight
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        """Requests sent and not yet answered."""
        return self._in_flight

    def _count(self, delta: int) -> None:
        self._in_flight += delta
        if self._on_in_flight is not None:
            self._on_in_flight(self._in_flight)

    async def send(self, client: httpx.AsyncClient, build: Callable[[], httpx.Request], *, provider: str,
                   idempotent: bool, expect_json: bool = False,
                   describe_error: Callable[[httpx.Response], ErrorInfo] | None = None,
                   gate_key: str | None = None) -> Reply:
        """Send the request ``build()`` makes (called again for every attempt, so it can re-sign).

        Args:
            client: The provider's shared client.
            build: Makes a fresh ``httpx.Request`` (``client.build_request(...)`` plus signing).
            provider: Name for errors and the log (``"kingsoft"``).
            idempotent: True when sending the request twice does no more than sending it once.
            expect_json: Parse the body; a 2xx body that is not JSON is a malformed response
                (retried like a 5xx when that is safe). A non-JSON 4xx body gives ``data=None``.
            describe_error: Reads the provider's code, message and request id from an error response.
            gate_key: Rate-gate key (default: the request's ``host:port``).

        Returns:
            The :class:`Reply` for any status below 500 except 429 (the provider maps 4xx itself).

        Raises:
            ProviderUnavailable: Timeout, network error, 5xx, or malformed 2xx JSON, after any retries.
            RateLimited: 429 (or a rate gate that stays closed too long), after any retries.
        """
        describe = describe_error or _default_error_info
        attempt = 0
        while True:
            req = build()
            key = gate_key or req.url.netloc.decode("ascii", "replace")
            if self.gate is not None:
                wait = self.gate.delay(key)
                if self.max_gate_wait_s is not None and wait > self.max_gate_wait_s:
                    raise RateLimited(provider, f"rate limit: next call allowed in {wait:.1f} s",
                                      retry_after=wait, code="rate_gate")
                await self.gate.acquire(key)
            target = redact_target(req.url)
            t0 = self._clock()
            error: ProviderError
            response: httpx.Response | None = None
            never_sent = False
            self._count(+1)
            try:
                response = await client.send(req)
            except httpx.TimeoutException as e:
                never_sent = isinstance(e, httpx.ConnectTimeout | httpx.PoolTimeout)
                error = ProviderUnavailable(provider, f"timed out ({type(e).__name__})", code="timeout")
            except httpx.UnsupportedProtocol as e:
                self._log_attempt(logging.WARNING, provider, req.method, target, type(e).__name__, t0, ", giving up")
                raise ProviderUnavailable(provider, f"bad URL: {redact(str(e))}", code="bad_url") from e
            except httpx.TransportError as e:
                never_sent = isinstance(e, httpx.ConnectError)
                error = ProviderUnavailable(provider, f"network error ({type(e).__name__}: {redact(str(e))})",
                                            code="network")
            except httpx.HTTPError as e:
                self._log_attempt(logging.WARNING, provider, req.method, target, type(e).__name__, t0, ", giving up")
                raise ProviderUnavailable(provider, f"HTTP error ({type(e).__name__}: {redact(str(e))})",
                                          code="protocol") from e
            finally:
                self._count(-1)

            may_retry = (idempotent or never_sent) and attempt < self.retries
            retry_after: float | None = None
            data: Any = None
            status = response.status_code if response is not None else None
            if response is not None:
                retry_after = parse_retry_after(response.headers.get("retry-after"), now=self._wall())
                info = describe(response) if response.status_code >= 400 else ErrorInfo()
                if response.status_code == 429:
                    if self.gate is not None:
                        self.gate.block(key, retry_after if retry_after is not None
                                        else backoff_delay(attempt, base_s=self.backoff_base_s,
                                                           cap_s=self.backoff_cap_s, rand=lambda: 1.0))
                    error = RateLimited(provider, info.message or "too many requests", retry_after=retry_after,
                                        code=info.code, http_status=429, request_id=info.request_id)
                    may_retry = idempotent and attempt < self.retries and (
                        retry_after is None or retry_after <= self.max_retry_after_s)
                elif response.status_code in _RETRYABLE_5XX:
                    error = ProviderUnavailable(provider, info.message or "server error", code=info.code,
                                                http_status=response.status_code, request_id=info.request_id)
                    may_retry = idempotent and attempt < self.retries and (
                        retry_after is None or retry_after <= self.max_retry_after_s)
                elif response.status_code >= 500:
                    error = ProviderUnavailable(provider, info.message or "server error", code=info.code,
                                                http_status=response.status_code, request_id=info.request_id)
                    may_retry = False
                else:
                    ok = True
                    if expect_json:
                        try:
                            data = json.loads(response.content) if response.content else None
                        except (UnicodeDecodeError, json.JSONDecodeError):
                            data = None
                            ok = response.status_code >= 400
                        if ok and response.status_code < 400 and data is None:
                            ok = False
                    if ok:
                        extra = f" code={info.code}" if info.code else ""
                        level = logging.DEBUG if response.status_code < 400 else logging.INFO
                        self._log_attempt(level, provider, req.method, target, str(response.status_code), t0,
                                          extra + _attempt_note(attempt))
                        return Reply(response, data)
                    error = ProviderUnavailable(provider, "malformed JSON in the response", code="malformed_response",
                                                http_status=response.status_code,
                                                request_id=_default_error_info(response).request_id)
                    may_retry = idempotent and attempt < self.retries

            outcome = str(status) if status is not None else (error.code or "error")
            detail = f" code={error.code}" if error.code and status is not None else ""
            if may_retry:
                if status == 429 and self.gate is not None:
                    delay = self.gate.delay(key)         # the gate holds everyone back, this call included
                    note = f"{detail}{_attempt_note(attempt)}, retrying in {delay:.2f} s"
                    self._log_attempt(logging.INFO, provider, req.method, target, outcome, t0, note)
                else:
                    delay = backoff_delay(attempt, base_s=self.backoff_base_s, cap_s=self.backoff_cap_s,
                                          rand=self._rand)
                    if retry_after is not None:
                        delay = max(delay, retry_after)
                    note = f"{detail}{_attempt_note(attempt)}, retrying in {delay:.2f} s"
                    self._log_attempt(logging.INFO, provider, req.method, target, outcome, t0, note)
                    await self._sleep(delay)
                attempt += 1
                continue
            why = "" if idempotent or attempt >= self.retries else " (not retried: not idempotent)"
            self._log_attempt(logging.WARNING, provider, req.method, target, outcome, t0,
                              f"{detail}{_attempt_note(attempt)}, giving up{why}")
            raise error

    def _log_attempt(self, level: int, provider: str, method: str, target: str, outcome: str, t0: float,
                     note: str) -> None:
        if log.isEnabledFor(level):
            ms = (self._clock() - t0) * 1000
            log.log(level, "%s %s %s -> %s in %.0f ms%s", provider, method, target, outcome, ms, note)


def _attempt_note(attempt: int) -> str:
    return f" (attempt {attempt + 1})" if attempt else ""


async def request(client: httpx.AsyncClient, method: str, url: str, *, provider: str, idempotent: bool,
                  gate: RateGate | None = None, retries: int = 3, policy: HttpTransportPolicy | None = None,
                  params: httpx.QueryParams | Mapping[str, str] | None = None,
                  json_body: Any = None, content: bytes | None = None,
                  headers: Mapping[str, str] | None = None) -> httpx.Response:
    """Send one request through a policy (a default one around ``gate`` when none is given).

    Args:
        client: The provider's shared client.
        method: ``GET``, ``POST`` …
        url: Path (relative to the client's ``base_url``) or absolute URL.
        provider: Name for errors and the log.
        idempotent: True when repeating the call is harmless (see the module docstring).
        gate: Rate gate, used when ``policy`` is None.
        retries: Extra attempts when a retry is safe, used when ``policy`` is None.
        policy: A configured policy (injected sleep/clock in tests).
        params: Query parameters.
        json_body: A JSON body.
        content: A raw body.
        headers: Extra headers.

    Returns:
        The response (any status below 500 except 429).

    Raises:
        ProviderUnavailable: Timeout, network error or 5xx after any retries.
        RateLimited: 429 after any retries.
    """
    pol = policy or HttpTransportPolicy(gate=gate, retries=retries)

    def build() -> httpx.Request:
        return client.build_request(method, url, params=params, json=json_body, content=content,
                                    headers=dict(headers or {}))

    reply = await pol.send(client, build, provider=provider, idempotent=idempotent)
    return reply.response
