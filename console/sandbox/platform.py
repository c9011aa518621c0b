"""The platform's publish check for the sandbox: nginx-rtmp's ``on_publish`` asks it before a stream goes live.

nginx-rtmp POSTs the form fields ``call, app, name, addr, clientid, tcurl, …`` to
``/rtmp/on_publish`` and lets the publisher in on any 2xx answer; 4xx/5xx (or no answer) makes
it close the connection. This endpoint reads the shared database:

* no room has this ``stream_name``: **allowed** (sandbox leniency), logged as a warning;
* the room has an active cut sanction (``kind='cut'``, ``room_id`` = the room, ``lifted_at`` null
  and ``ends_at`` null or in the future): **403**;
* the room's ``state`` is ``'cut'`` and no cut sanction was ever recorded for it (a cut without
  an end): **403**;
* the room's ``state`` is ``'cut'`` but every cut sanction has ended or been lifted: the cut ran
  out, **allowed** (nobody has to flip ``rooms.state`` back for an expiring cut to expire);
* otherwise **allowed**.

The ActionService writes these rows when an operator cuts or resumes a stream; the nginx-rtmp
provider's ``forbid`` only drops the current connection. If the database cannot be read within
:attr:`PlatformEndpoint.query_timeout_s`, the answer is 503 (refused: a cut must not leak
through a database outage; streams already live are not touched).

``/rtmp/on_publish_done`` is answered 200 and logged at debug level. The endpoint runs on the
caller's event loop (aiohttp), answers from one indexed query, and listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from console.db import tables as t

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PublishDecision:
    """What :meth:`PlatformEndpoint.decide` answered for one stream name."""

    allowed: bool
    status: int      #: the HTTP status nginx gets (200, 403 or 503)
    reason: str
    room_id: int | None = None


class PlatformEndpoint:
    """``base = await PlatformEndpoint().start(engine, "127.0.0.1")`` … ``await endpoint.stop()``.

    Args:
        clock: Aware-UTC "now" (sanction expiry is compared with it).
        query_timeout_s: Longest wait for the database before refusing with 503.
    """

    def __init__(self, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 query_timeout_s: float = 2.0) -> None:
        self._clock = clock
        self.query_timeout_s = query_timeout_s
        self.engine: AsyncEngine | None = None  #: the shared database; may be swapped while running
        self._runner: web.AppRunner | None = None
        self.base_url: str | None = None

    async def start(self, engine: AsyncEngine, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: a free port) and return the base URL, e.g. ``http://127.0.0.1:41234``.

        Raises:
            ValueError: ``host`` is not a loopback address.
            OSError: the port is taken.
        """
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the sandbox platform endpoint listens on loopback only, not {host!r}")
        if self._runner is not None:
            raise RuntimeError("already started")
        self.engine = engine
        app = web.Application()
        app.router.add_post("/rtmp/on_publish", self._on_publish)
        app.router.add_post("/rtmp/on_publish_done", self._on_publish_done)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound = runner.addresses[0]
        self.base_url = f"http://{'[' + bound[0] + ']' if ':' in bound[0] else bound[0]}:{bound[1]}"
        log.info("sandbox platform endpoint at %s", self.base_url)
        return self.base_url

    async def stop(self) -> None:
        """Stop listening. Safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def decide(self, name: str) -> PublishDecision:
        """Whether a publisher may go live on ``name`` now (see the module docstring for the rules)."""
        engine = self.engine
        if engine is None:
            return PublishDecision(False, 503, "no database configured")
        try:
            async with asyncio.timeout(self.query_timeout_s):
                return await self._decide(engine, name)
        except (SQLAlchemyError, OSError, TimeoutError) as e:
            log.error("on_publish %r: the database could not be read (%s: %s); refused", name, type(e).__name__, e)
            return PublishDecision(False, 503, "database unavailable")

    async def _decide(self, engine: AsyncEngine, name: str) -> PublishDecision:
        now = self._clock()
        async with engine.connect() as conn:
            room = (await conn.execute(sa.select(t.rooms.c.id, t.rooms.c.state)
                                       .where(t.rooms.c.stream_name == name))).first()
            if room is None:
                return PublishDecision(True, 200, "unknown stream (allowed in the sandbox)")
            cuts = (await conn.execute(sa.select(t.sanctions.c.ends_at, t.sanctions.c.lifted_at).where(
                t.sanctions.c.room_id == room.id, t.sanctions.c.kind == "cut"))).all()
        active = [c for c in cuts if c.lifted_at is None and (c.ends_at is None or c.ends_at > now)]
        if active:
            ends = [c.ends_at for c in active]
            until = "until resumed" if any(e is None for e in ends) else f"until {max(ends).isoformat()}"
            return PublishDecision(False, 403, f"room {room.id} is cut {until}", room.id)
        if room.state == "cut" and not cuts:
            return PublishDecision(False, 403, f"room {room.id} is cut until resumed", room.id)
        if room.state == "cut":
            return PublishDecision(True, 200, f"room {room.id}: its cut has ended or was lifted", room.id)
        return PublishDecision(True, 200, "ok", room.id)

    async def _on_publish(self, request: web.Request) -> web.Response:
        form = await request.post()
        name, app, addr = (str(form.get(k, "")) for k in ("name", "app", "addr"))
        decision = await self.decide(name)
        if decision.room_id is None and decision.allowed:
            log.warning("on_publish: stream %r (app %r, from %s) belongs to no room; allowed in the sandbox",
                        name, app, addr)
        elif not decision.allowed:
            log.info("on_publish: refused %r (app %r, from %s): %s", name, app, addr, decision.reason)
        else:
            log.debug("on_publish: %r allowed: %s", name, decision.reason)
        return web.Response(status=decision.status, text=decision.reason + "\n")

    async def _on_publish_done(self, request: web.Request) -> web.Response:
        form = await request.post()
        log.debug("on_publish_done: %r (app %r)", form.get("name"), form.get("app"))
        return web.Response(text="ok\n")


__all__ = ["PlatformEndpoint", "PublishDecision"]
