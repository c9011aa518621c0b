"""The training sandbox that ``make run`` starts beside the console.

* nginx-rtmp on 127.0.0.1 with its on_publish endpoint reading the shared database, and
  test publishers (ffmpeg test pattern with the room name and a clock, plus a tone) for the
  first live rooms;
* the Kingsoft KLS emulator with simulated publishers for more live rooms, whose health
  wanders (and now and then drops, stutters or draws a crowd) so the monitor has something
  to rank;
* the settings and the in-memory credentials that point the console at them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from console.credentials import ANTILEECH, MemoryStore
from console.db import tables as t
from console.sandbox.chat_routing import ChatRouting
from console.sandbox.chat_traffic import SANDBOX_WORDS, ChatTraffic
from console.sandbox.jpush import SANDBOX_MASTER_SECRET, JPushEmulator, start_sandbox_jpush
from console.sandbox.kingsoft import KingsoftEmulator, PublishRefused
from console.sandbox.nginx import StreamSandbox, missing_stream_tools, start_stream_sandbox
from console.sandbox.rongcloud import RongCloudEmulator
from console.sandbox.sms import AliyunSmsEmulator, seed_templates
from console.sandbox.wangsu import WangsuEmulator

log = logging.getLogger(__name__)

KLS_ACCESS_KEY = "AKLTsandbox"
KLS_SECRET = "sandbox-kls-secret"
KLS_LEECH_ACCOUNT, KLS_LEECH = "sandbox", "sandbox-leech"
WANGSU_KEY = "sandbox-wangsu-key"
SMS_KEY_ID, SMS_SECRET = "LTAIsandbox", "sandbox-sms-secret"
RC_KEY, RC_SECRET = "sandbox-rc-key", "sandbox-rc-secret"


@dataclass
class _Sim:
    stream: str
    kbps: float
    fps: float
    viewers: int
    keyframe: float = 2.0


@dataclass
class TrainingSandbox:
    settings: dict[str, Any] = field(default_factory=dict)
    credentials: MemoryStore = field(default_factory=MemoryStore)
    streams: StreamSandbox | None = None
    kls: KingsoftEmulator | None = None
    cdn: WangsuEmulator | None = None
    sms: AliyunSmsEmulator | None = None
    jpush: JPushEmulator | None = None
    extra: list[Any] = field(default_factory=list)  # more servers, each with ``async stop()``
    _task: asyncio.Task[None] | None = None

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.streams is not None:
            await self.streams.aclose()
        if self.kls is not None:
            await self.kls.stop()
        if self.cdn is not None:
            await self.cdn.stop()
        for server in reversed(self.extra):
            try:
                await server.stop()
            except Exception:  # noqa: BLE001 - stop the rest
                log.exception("sandbox: stopping %s", type(server).__name__)
        if self.sms is not None:
            await self.sms.stop()
        if self.jpush is not None:
            await self.jpush.stop()


async def start_sandbox(engine: AsyncEngine, *, publishers: int = 8, simulated: int = 60,
                        seed: int = 1, chat_rate: float = 20.0) -> TrainingSandbox:
    """Start the sandbox servers for the rooms in ``engine``; never raises for a missing tool."""
    sb = TrainingSandbox()
    async with engine.connect() as conn:
        # live rooms first, then offline ones coming on air; cut rooms stay off
        live = list((await conn.execute(sa.select(t.rooms.c.stream_name, t.rooms.c.title).where(
            t.rooms.c.state != "cut").order_by((t.rooms.c.state != "live"), t.rooms.c.id)
            .limit(publishers + simulated))).all())
    nginx_rooms, kls_rooms = live[:publishers], live[publishers:]
    missing = missing_stream_tools()
    if publishers and nginx_rooms and not missing:
        try:
            sb.streams = await start_stream_sandbox(
                engine, [(r.stream_name, f"{r.title} · {r.stream_name}") for r in nginx_rooms], size="426x240",
                screenshots_s=2)
            u = sb.streams.server.urls
            sb.settings.update({"nginx.stat_url": u.stat_url, "nginx.control_url": u.control_url,
                                "nginx.rtmp_base": u.rtmp_base, "nginx.hls_base": u.hls_base,
                                "nginx.shots_base": u.shots_base})
        except Exception as e:  # noqa: BLE001 - the rest of the sandbox still works
            log.warning("sandbox: nginx-rtmp did not start: %s", e)
    elif missing:
        log.warning("sandbox: no self-hosted streams (missing: %s)", ", ".join(missing))
    sb.cdn = WangsuEmulator(account="shihou", api_key=WANGSU_KEY)
    cdn_base = await sb.cdn.start()
    sb.credentials.set("wangsu", "shihou", WANGSU_KEY)
    sb.settings.update({"wangsu.url": cdn_base, "wangsu.account": "shihou"})
    sb.kls = KingsoftEmulator(access_key=KLS_ACCESS_KEY, secret_key=KLS_SECRET, antileech_secret=KLS_LEECH)
    base = await sb.kls.start()
    sb.credentials.set("kingsoft", KLS_ACCESS_KEY, KLS_SECRET)
    sb.credentials.set(ANTILEECH, KLS_LEECH_ACCOUNT, KLS_LEECH)  # play URLs are signed, as in production
    sb.settings.update({"kingsoft.url": base, "kingsoft.access_key": KLS_ACCESS_KEY,
                        "kingsoft.antileech_account": KLS_LEECH_ACCOUNT})
    rng = random.Random(seed)
    sims = [_Sim(r.stream_name, rng.uniform(1500, 6000), 25.0, int(rng.paretovariate(1.2) * 200)) for r in kls_rooms]
    for s in sims:
        _publish(sb.kls, s)
    sb._task = asyncio.get_running_loop().create_task(_wander(sb.kls, sims, rng), name="sandbox-kls-health")
    sb.sms = AliyunSmsEmulator(access_key_id=SMS_KEY_ID, secret=SMS_SECRET)
    sms_base = await sb.sms.start()
    await seed_templates(engine, sb.sms)
    sb.credentials.set("sms", SMS_KEY_ID, SMS_SECRET)
    sb.settings.update({"sms.url": sms_base, "sms.access_key_id": SMS_KEY_ID})
    if chat_rate > 0:
        try:
            await _start_chat(sb, engine, chat_rate, seed)
        except Exception as e:  # noqa: BLE001 - the rest of the sandbox still works
            log.warning("sandbox: chat (RongCloud emulator, routing) did not start: %s", e)
    try:
        sb.jpush, jp_settings = await start_sandbox_jpush(engine, limit=20_000)
        sb.credentials.set("jpush", jp_settings["jpush.app_key"], SANDBOX_MASTER_SECRET)
        sb.settings.update(jp_settings)
    except Exception as e:  # noqa: BLE001 - the rest of the sandbox still works
        log.warning("sandbox: the JPush emulator did not start: %s", e)
    try:  # alerts and digests: kept in memory and as .eml files under the data folder
        from console.sandbox.smtp import SandboxSmtp  # aiosmtpd is a dev dependency
        from console.settings import data_dir

        smtp = SandboxSmtp(folder=data_dir() / "sandbox-mail")
        await smtp.start()
        sb.extra.append(smtp)
        sb.credentials.set("smtp", smtp.account, smtp.password)
        sb.settings.update(smtp.settings())
    except Exception as e:  # noqa: BLE001 - the rest of the sandbox still works
        log.warning("sandbox: the SMTP server did not start: %s", e)
    return sb


async def _start_chat(sb: TrainingSandbox, engine: AsyncEngine, rate: float, seed: int) -> None:
    """RongCloud's emulator posting viewers' messages to the platform's routing endpoint (which stores them
    in the shared database): the console reads chat from the database, as in production."""
    routing = ChatRouting(engine, RC_SECRET)
    routing_url = await routing.start()
    sb.extra.append(routing)
    rc = RongCloudEmulator(app_key=RC_KEY, app_secret=RC_SECRET, routing_url=routing_url)
    base = await rc.start()
    sb.extra.append(rc)
    rc.set_words(SANDBOX_WORDS)
    async with engine.connect() as conn:
        keys = [str(r) for r in (await conn.execute(sa.select(t.rooms.c.id).where(t.rooms.c.state == "live")
                                                    .order_by(t.rooms.c.id).limit(12))).scalars()]
    traffic = await ChatTraffic.from_database(rc, engine, keys, rate_per_s=rate, seed=seed)
    rc.traffic = traffic
    traffic.start()
    sb.extra.append(traffic)  # stopped first (the list is stopped in reverse)
    sb.credentials.set("rongcloud", RC_KEY, RC_SECRET)
    sb.settings.update({"rongcloud.url": base, "rongcloud.app_key": RC_KEY})


def _publish(kls: KingsoftEmulator, s: _Sim) -> None:
    try:
        kls.publish(s.stream, video_kbps=s.kbps, fps=s.fps,
                    viewers=s.viewers, width=1280, height=720)
    except PublishRefused:
        pass  # cut: the simulated streamer waits until resumed


async def _wander(kls: KingsoftEmulator, sims: list[_Sim], rng: random.Random) -> None:
    """Every 2 s, move each simulated stream a little; sometimes a fault or a crowd."""
    tick = 0
    while True:
        await asyncio.sleep(2.0)
        tick += 1
        if tick == 4 and sims:
            sims[0].viewers = sims[0].viewers * 10 + 2000  # a raid a newcomer sees within seconds
        if tick == 5 and len(sims) > 1:
            sims[1].kbps *= 0.2  # and an encoder in trouble
        for s in sims:
            s.kbps = min(8000.0, max(300.0, s.kbps * rng.uniform(0.93, 1.07)))
            s.fps = 25.0
            roll = rng.random()
            if roll < 0.004:
                s.kbps *= 0.3  # encoder trouble
            elif roll < 0.006:
                s.fps = 9.0
            elif roll < 0.007:
                s.viewers = s.viewers * 5 + 800  # raid
            s.viewers = max(0, int(s.viewers * rng.uniform(0.97, 1.04)))
            if kls.is_live(s.stream):
                kls.update(s.stream, video_kbps=s.kbps, fps=s.fps, viewers=s.viewers)
            else:
                _publish(kls, s)
