"""The shared HTTP policy (console/services/http.py) on exact responses from ``httpx.MockTransport``:
retry only when safe, backoff with an injected clock and sleep, 429 and Retry-After, the rate gate,
error translation, and redaction of secrets in the log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.utils import formatdate

import httpx
import pytest

from console.credentials import Secret
from console.errors import ProviderError, ProviderUnavailable, RateLimited
from console.services.http import (
    ErrorInfo,
    HttpTransportPolicy,
    RateGate,
    backoff_delay,
    make_client,
    parse_retry_after,
    redact_target,
    request,
)

aio = pytest.mark.asyncio(loop_scope="session")

Handler = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """A clock and a sleep that advances it, so backoff is checked without waiting."""

    def __init__(self, t: float = 1_000.0) -> None:
        self.t = t
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.t

    async def sleep(self, s: float) -> None:
        self.slept.append(round(s, 6))
        self.t += s


class Script:
    """A MockTransport handler answering from a list; each item a response or an exception to raise."""

    def __init__(self, *steps: httpx.Response | type[Exception]) -> None:
        self.steps = list(steps)
        self.seen: list[httpx.Request] = []

    def __call__(self, req: httpx.Request) -> httpx.Response:
        self.seen.append(req)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, type):
            raise step("scripted failure", request=req)  # type: ignore[call-arg]
        return step


def policy(ft: FakeTime, **kw: object) -> HttpTransportPolicy:
    return HttpTransportPolicy(sleep=ft.sleep, clock=ft, wall_clock=ft, rand=lambda: 0.5, **kw)  # type: ignore[arg-type]


def client(handler: Handler) -> httpx.AsyncClient:
    return make_client("http://127.0.0.1:9", timeout=1.0, transport=httpx.MockTransport(handler))


def ok(body: bytes = b'{"ok": true}', status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=body, headers={"content-type": "application/json", **headers})


async def send(c: httpx.AsyncClient, p: HttpTransportPolicy, method: str = "GET", *, idempotent: bool,
               expect_json: bool = True, url: str = "/x") -> object:
    reply = await p.send(c, lambda: c.build_request(method, url), provider="demo", idempotent=idempotent,
                         expect_json=expect_json)
    return reply.data


# --- pure helpers ------------------------------------------------------------------------------

def test_backoff_is_exponential_with_full_jitter_and_a_cap() -> None:
    top = [backoff_delay(n, base_s=0.25, cap_s=2.0, rand=lambda: 1.0) for n in range(6)]
    assert top == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    assert backoff_delay(3, base_s=0.25, cap_s=2.0, rand=lambda: 0.0) == 0.0
    assert backoff_delay(1, base_s=0.25, cap_s=2.0, rand=lambda: 0.5) == 0.25


def test_retry_after_seconds_or_http_date() -> None:
    assert parse_retry_after("7", now=0) == 7.0
    assert parse_retry_after(" 1.5 ", now=0) == 1.5
    assert parse_retry_after(formatdate(1_000_030, usegmt=True), now=1_000_000) == 30.0
    assert parse_retry_after(formatdate(999_000, usegmt=True), now=1_000_000) == 0.0
    assert parse_retry_after("soon", now=0) is None
    assert parse_retry_after(None, now=0) is None


def test_redact_target_hides_secret_query_values() -> None:
    Secret("registered-s3cret-value")
    url = httpx.URL("http://h/p?Action=A&X-Amz-Signature=abc123&k=4f88e741&token=tok&Stream=room%201"
                    "&note=registered-s3cret-value")
    red = redact_target(url)
    assert "abc123" not in red and "4f88e741" not in red and "tok&" not in red
    assert "registered-s3cret-value" not in red
    assert "Action=A" in red and "Stream=room%201" in red and "X-Amz-Signature=***" in red


# --- retries -----------------------------------------------------------------------------------

@aio
async def test_idempotent_call_is_retried_after_5xx_with_backoff() -> None:
    ft = FakeTime()
    script = Script(ok(b"{}", 503), ok(b"{}", 502), ok())
    async with client(script) as c:
        assert await send(c, policy(ft), idempotent=True) == {"ok": True}
    assert len(script.seen) == 3
    assert ft.slept == [0.125, 0.25]            # rand 0.5 × 0.25 s, × 0.5 s


@aio
async def test_non_idempotent_call_is_not_retried_after_5xx(expect_log: list[str]) -> None:
    expect_log.append("giving up (not retried: not idempotent)")
    ft = FakeTime()
    script = Script(httpx.Response(503, json={"code": "busy"}, headers={"x-request-id": "r-1"}), ok())
    async with client(script) as c:
        with pytest.raises(ProviderUnavailable) as e:
            await send(c, policy(ft), "POST", idempotent=False)
    assert len(script.seen) == 1 and ft.slept == []
    assert e.value.http_status == 503 and e.value.request_id == "r-1" and e.value.provider == "demo"


@aio
async def test_non_idempotent_call_is_retried_when_it_never_left() -> None:
    ft = FakeTime()
    script = Script(httpx.ConnectError, ok())
    async with client(script) as c:
        assert await send(c, policy(ft), "POST", idempotent=False) == {"ok": True}
    assert len(script.seen) == 2


@aio
async def test_read_timeout_on_a_write_is_not_retried(expect_log: list[str]) -> None:
    expect_log.append("-> timeout")
    ft = FakeTime()
    script = Script(httpx.ReadTimeout, ok())
    async with client(script) as c:
        with pytest.raises(ProviderUnavailable) as e:
            await send(c, policy(ft), "POST", idempotent=False)
    assert e.value.code == "timeout" and e.value.retryable
    assert len(script.seen) == 1


@aio
async def test_retries_give_up_after_the_budget(expect_log: list[str]) -> None:
    expect_log.append("giving up")
    ft = FakeTime()
    script = Script(httpx.ReadTimeout)
    async with client(script) as c:
        with pytest.raises(ProviderUnavailable):
            await send(c, HttpTransportPolicy(sleep=ft.sleep, clock=ft, rand=lambda: 1.0, retries=3),
                       idempotent=True)
    assert len(script.seen) == 4
    assert ft.slept == [0.25, 0.5, 1.0]


@aio
async def test_network_error_and_protocol_error_become_provider_unavailable(expect_log: list[str]) -> None:
    expect_log.append("giving up")
    ft = FakeTime()
    for exc, code in ((httpx.RemoteProtocolError, "network"), (httpx.ReadError, "network"),
                      (httpx.UnsupportedProtocol, "bad_url"), (httpx.TooManyRedirects, "protocol")):
        async with client(Script(exc)) as c:
            with pytest.raises(ProviderUnavailable) as e:
                await send(c, policy(ft, retries=0), idempotent=True)
        assert e.value.code == code, exc


@aio
async def test_malformed_json_is_retried_only_when_safe(expect_log: list[str]) -> None:
    expect_log.append("malformed_response")
    ft = FakeTime()
    script = Script(ok(b'{"Data": {"RetCode": 0, '), ok())
    async with client(script) as c:
        assert await send(c, policy(ft), idempotent=True) == {"ok": True}
    assert len(script.seen) == 2
    script = Script(ok(b"<html>gateway</html>"), ok())
    async with client(script) as c:
        with pytest.raises(ProviderUnavailable) as e:
            await send(c, policy(ft), "POST", idempotent=False)
    assert e.value.code == "malformed_response" and len(script.seen) == 1


@aio
async def test_4xx_is_returned_to_the_provider_not_retried() -> None:
    ft = FakeTime()
    script = Script(httpx.Response(403, json={"Error": {"Code": "SignatureDoesNotMatch"}}), ok())
    async with client(script) as c:
        data = await send(c, policy(ft), idempotent=True)
    assert data == {"Error": {"Code": "SignatureDoesNotMatch"}}
    assert len(script.seen) == 1
    script = Script(httpx.Response(400, content=b"plain text"))
    async with client(script) as c:
        assert await send(c, policy(ft), idempotent=True) is None


# --- 429 and the rate gate -------------------------------------------------------------------------

@aio
async def test_429_retry_after_closes_the_gate_for_everyone() -> None:
    ft = FakeTime()
    gate = RateGate(rate_per_s=100, burst=100, clock=ft, sleep=ft.sleep)
    script = Script(ok(b"{}", 429, **{"Retry-After": "2"}), ok())
    async with client(script) as c:
        assert await send(c, policy(ft, gate=gate), idempotent=True) == {"ok": True}
    assert len(script.seen) == 2
    assert ft.slept == [2.0]                    # the gate held the retry for Retry-After
    gate.block("127.0.0.1:9", 5)
    assert gate.blocked_for("127.0.0.1:9") == 5.0 and gate.delay("127.0.0.1:9") == 5.0
    assert gate.delay("other:80") == 0.0


@aio
async def test_429_without_gate_sleeps_retry_after() -> None:
    ft = FakeTime()
    script = Script(ok(b"{}", 429, **{"Retry-After": "3"}), ok())
    async with client(script) as c:
        await send(c, policy(ft), idempotent=True)
    assert ft.slept == [3.0]


@aio
async def test_429_is_not_retried_for_a_write_or_a_long_retry_after(expect_log: list[str]) -> None:
    expect_log.append("giving up")
    ft = FakeTime()
    gate = RateGate(clock=ft, sleep=ft.sleep)
    script = Script(httpx.Response(429, json={"error": "slow down"}, headers={"Retry-After": "4"}), ok())
    async with client(script) as c:
        with pytest.raises(RateLimited) as e:
            await send(c, policy(ft, gate=gate), "POST", idempotent=False)
    assert e.value.retry_after == 4.0 and e.value.http_status == 429 and len(script.seen) == 1
    assert gate.blocked_for("127.0.0.1:9") == 4.0          # later calls still wait
    script = Script(ok(b"{}", 429, **{"Retry-After": "120"}), ok())
    async with client(script) as c:
        with pytest.raises(RateLimited) as e:
            await send(c, policy(ft, max_retry_after_s=30), idempotent=True)
    assert e.value.retry_after == 120.0 and len(script.seen) == 1


@aio
async def test_gate_refuses_instead_of_waiting_too_long() -> None:
    ft = FakeTime()
    gate = RateGate(clock=ft, sleep=ft.sleep)
    gate.block("127.0.0.1:9", 60)
    script = Script(ok())
    async with client(script) as c:
        with pytest.raises(RateLimited) as e:
            await send(c, policy(ft, gate=gate, max_gate_wait_s=5), idempotent=True)
    assert e.value.code == "rate_gate" and script.seen == []


@aio
async def test_rate_gate_bucket_burst_then_spacing() -> None:
    ft = FakeTime()
    gate = RateGate(rate_per_s=2, burst=3, clock=ft, sleep=ft.sleep)
    for _ in range(5):
        await gate.acquire("h")
    assert ft.slept == [0.5, 0.5]               # three at once, then one every 0.5 s
    ft.t += 10                                   # refilled
    await gate.acquire("h")
    assert ft.slept == [0.5, 0.5]
    gate.configure("slow", rate_per_s=50 / 60, burst=1)
    await gate.acquire("slow")
    await gate.acquire("slow")
    assert ft.slept[-1] == pytest.approx(1.2)
    with pytest.raises(ValueError):
        RateGate(rate_per_s=0)


@aio
async def test_in_flight_counter_reports_changes() -> None:
    ft = FakeTime()
    seen: list[int] = []
    p = policy(ft, on_in_flight=seen.append)
    async with client(Script(ok())) as c:
        await send(c, p, idempotent=True)
    assert seen == [1, 0] and p.in_flight == 0


# --- logging and the convenience function -----------------------------------------------------------

@aio
async def test_each_request_logged_once_redacted(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("app-secret-0123456789")
    script = Script(ok())
    caplog.set_level(logging.DEBUG, logger="console.services.http")
    async with client(script) as c:
        assert logging.getLogger("httpx").level == logging.WARNING
        resp = await request(c, "GET", "/v1/things", provider="demo", idempotent=True,
                             params={"Stream": "room 1", "Signature": "sig-value", "token": secret.reveal()},
                             headers={"Authorization": "Bearer bearer-token-value"})
    assert resp.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "console.services.http"]
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("demo GET /v1/things?") and "-> 200" in line
    for leaked in ("sig-value", secret.reveal(), "bearer-token-value"):
        assert leaked not in line
    assert "Stream=room" in line


@aio
async def test_describe_error_feeds_the_exception(expect_log: list[str]) -> None:
    expect_log.append("giving up")
    ft = FakeTime()
    async with client(Script(httpx.Response(500, content=b"x"))) as c:
        with pytest.raises(ProviderError) as e:
            await HttpTransportPolicy(sleep=ft.sleep, clock=ft, retries=0).send(
                c, lambda: c.build_request("GET", "/"), provider="demo", idempotent=True,
                describe_error=lambda r: ErrorInfo("E42", "exploded", "req-9"))
    assert (e.value.code, e.value.request_id, e.value.http_status) == ("E42", "req-9", 500)
    assert "exploded" in str(e.value)
