"""A local emulator of Wangsu CDN purge/prefetch (providers.md §5) for the sandbox and the tests.

Usage::

    emu = WangsuEmulator(account="shihou", api_key="sandbox-wangsu-key")
    base_url = await emu.start()
    ...                                        # WangsuCdn(make_client(base_url), …).purge([...])
    assert "https://play.example/live/room_1/index.m3u8" in emu.purged_urls
    await emu.stop()

It checks what the real service checks, as far as it is documented: Basic auth whose password is
``base64(HMAC-SHA1(api_key, Date))`` of the request's own ``Date`` header, accepted within ±15 minutes;
the per-call limits (≤ 500 URLs + directories per purge, ≤ 400 per prefetch, URL ≤ 2000 characters,
directory ≤ 1000, ``http(s)://`` on an accelerated domain); the daily quotas (5000 URLs, 500
directories, 20000 prefetches, reset at midnight Beijing time). Every accepted URL is recorded for
assertions. Faults are injected per path exactly as in the KLS emulator (:meth:`WangsuEmulator.inject`).

Answers (the envelope is documented for prefetch; errors are UNCONFIRMED and chosen here):
``200 {"Code": 1, "Message": "…", "itemId": "…"}`` on success; ``401 {"Code": 0, …}`` for bad auth or
a stale ``Date``; ``400 {"Code": 0, …}`` for a limit; ``200 {"Code": 0, …}`` when the daily quota is
used up; every answer carries ``x-cnc-request-id``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import email.utils
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from console.sandbox.kingsoft import FaultKind, FaultPlan, fault_response, wait_or_closed

__all__ = ["PurgeTask", "WangsuEmulator"]

log = logging.getLogger(__name__)

WINDOW_S = 15 * 60
_BEIJING_OFFSET_S = 8 * 3600


@dataclass(frozen=True)
class PurgeTask:
    """One accepted purge or prefetch."""

    item_id: str
    kind: str          # "purge" | "prefetch"
    urls: tuple[str, ...]
    dirs: tuple[str, ...]
    at: float
    options: dict[str, Any] = field(default_factory=dict)


class WangsuEmulator:
    """The Wangsu purge/prefetch emulator; all state in memory.

    Args:
        account: The Basic-auth user name it accepts.
        api_key: The key passwords are derived from.
        domains: Accelerated domains; URLs on other hosts are refused (None: any host).
        clock: Wall clock (Unix seconds): the ``Date`` window and the daily quotas.
        daily_url_quota: Purged URLs per day.
        daily_dir_quota: Purged directories per day.
        daily_prefetch_quota: Prefetched URLs per day.
    """

    def __init__(self, *, account: str = "shihou", api_key: str = "sandbox-wangsu-key",
                 domains: Sequence[str] | None = None, clock: Callable[[], float] = time.time,
                 daily_url_quota: int = 5000, daily_dir_quota: int = 500, daily_prefetch_quota: int = 20000) -> None:
        self.account, self._key = account, api_key
        self._domains = None if domains is None else {d.lower() for d in domains}
        self._clock = clock
        self._quota = {"url": daily_url_quota, "dir": daily_dir_quota, "prefetch": daily_prefetch_quota}
        self._used: dict[str, int] = {"url": 0, "dir": 0, "prefetch": 0}
        self._day = -1
        self.faults = FaultPlan()
        self.tasks: list[PurgeTask] = []
        self.requests: list[tuple[str, int, str | None]] = []     # (path, status, fault)
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.base_url = ""

    @property
    def purged_urls(self) -> list[str]:
        """Every URL accepted for purging, in order."""
        return [u for t in self.tasks if t.kind == "purge" for u in t.urls]

    @property
    def purged_dirs(self) -> list[str]:
        """Every directory accepted for purging, in order."""
        return [d for t in self.tasks if t.kind == "purge" for d in t.dirs]

    @property
    def prefetched_urls(self) -> list[str]:
        """Every URL accepted for prefetching, in order."""
        return [u for t in self.tasks if t.kind == "prefetch" for u in t.urls]

    def quota_left(self) -> dict[str, int]:
        """Remaining daily quota per kind (``url``, ``dir``, ``prefetch``)."""
        self._roll_day()
        return {k: self._quota[k] - self._used[k] for k in self._quota}

    def inject(self, path: str | None, kind: FaultKind, count: int = 1, *, delay_s: float = 0.0,
               retry_after_s: float = 1.0, apply: bool = False) -> None:
        """Fail the next ``count`` calls to ``path`` (None: any); see ``FaultPlan.inject``."""
        self.faults.inject(path, kind, count, delay_s=delay_s, retry_after_s=retry_after_s, apply=apply)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: a free port) and return the base URL."""
        app = web.Application(client_max_size=4 << 20)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._closing = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        addresses = list(self._runner.addresses or [])
        self.base_url = f"http://{host}:{addresses[0][1] if addresses else port}"
        return self.base_url

    async def stop(self) -> None:
        """Release pending timeouts and stop listening."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- HTTP --------------------------------------------------------------------------------------

    def _answer(self, rid: str) -> Callable[[int, str, str], web.Response]:
        def make(status: int, code: str, message: str) -> web.Response:
            return web.json_response({"Code": 0, "Message": message}, status=status,
                                     headers={"x-cnc-request-id": rid})
        return make

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        rid = uuid.uuid4().hex
        answer = self._answer(rid)
        path = request.path
        body = await request.read()
        if path not in ("/ccm/purge/ItemIdReceiver", "/ccm/fetch/ItemIdReceiver"):
            self.requests.append((path, 404, None))
            return answer(404, "", f"no such API: {path}")
        if request.method != "POST":
            self.requests.append((path, 405, None))
            return answer(405, "", "only POST is supported")
        problem = self._check_auth(request)
        if problem is not None:
            self.requests.append((path, 401, None))
            log.debug("Wangsu auth refused: %s", problem)
            return answer(401, "", problem)
        fault = self.faults.take(path)
        if fault is not None and fault.kind == "slow":
            await wait_or_closed(self._closing, fault.delay_s)
            fault = None
        if fault is not None:
            if fault.apply:
                self._run(path, body, rid)
            self.requests.append((path, 0, fault.kind))
            return await fault_response(request, fault, self._closing, answer)
        resp = self._run(path, body, rid)
        self.requests.append((path, resp.status, None))
        return resp

    def _check_auth(self, request: web.Request) -> str | None:
        date = request.headers.get("Date")
        auth = request.headers.get("Authorization", "")
        if not date or not auth.startswith("Basic "):
            return "Basic authentication and a Date header are required"
        try:
            user, _, password = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return "malformed Basic credentials"
        try:
            sent = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return f"malformed Date header {date!r}"
        if abs(self._clock() - sent) > WINDOW_S:
            return "the Date header is more than 15 minutes away from the server time"
        want = base64.b64encode(hmac.new(self._key.encode(), date.encode(), hashlib.sha1).digest()).decode()
        if user != self.account or not hmac.compare_digest(want, password):
            return "authentication failed (account or password)"
        return None

    def _roll_day(self) -> None:
        day = int((self._clock() + _BEIJING_OFFSET_S) // 86400)
        if day != self._day:
            self._day = day
            self._used = {k: 0 for k in self._used}

    def _run(self, path: str, body: bytes, rid: str) -> web.Response:
        answer = self._answer(rid)
        try:
            payload = json.loads(body) if body else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            return answer(400, "", "the request body is not valid JSON")
        if not isinstance(payload, dict):
            return answer(400, "", "the request body must be a JSON object")
        urls, dirs = payload.get("urls") or [], payload.get("dirs") or []
        if not isinstance(urls, list) or not isinstance(dirs, list) or not all(
                isinstance(x, str) for x in urls + dirs):
            return answer(400, "", "urls and dirs must be lists of strings")
        purge = path == "/ccm/purge/ItemIdReceiver"
        if not urls and not dirs:
            return answer(400, "", "urls or dirs is required")
        if purge and len(urls) + len(dirs) > 500:
            return answer(400, "", "at most 500 urls and dirs per request")
        if not purge and (dirs or len(urls) > 400):
            return answer(400, "", "at most 400 urls per prefetch request, no dirs")
        for u in urls:
            if problem := self._bad_url(u, 2000):
                return answer(400, "", problem)
        for d in dirs:
            if problem := self._bad_url(d, 1000):
                return answer(400, "", problem)
        self._roll_day()
        need = {"url": len(urls), "dir": len(dirs)} if purge else {"prefetch": len(urls)}
        for k, n in need.items():
            if self._used[k] + n > self._quota[k]:
                return web.json_response({"Code": 0, "Message": f"daily {k} quota exceeded "
                                          f"({self._quota[k] - self._used[k]} left)"},
                                         headers={"x-cnc-request-id": rid})
        for k, n in need.items():
            self._used[k] += n
        item = uuid.uuid4().hex
        options = {k: v for k, v in payload.items() if k not in ("urls", "dirs")}
        self.tasks.append(PurgeTask(item, "purge" if purge else "prefetch", tuple(urls), tuple(dirs), self._clock(),
                                    options))
        return web.json_response({"Code": 1, "Message": "handle success", "itemId": item},
                                 headers={"x-cnc-request-id": rid})

    def _bad_url(self, u: str, max_chars: int) -> str | None:
        if len(u) > max_chars:
            return f"longer than {max_chars} characters: {u[:60]}…"
        parts = urlsplit(u)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"not an http(s) URL: {u[:60]}"
        if self._domains is not None and parts.hostname.lower() not in self._domains:
            return f"{parts.hostname} is not an accelerated domain of this account"
        return None
