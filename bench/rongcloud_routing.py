"""How fast the RongCloud emulator turns simulated viewers' messages into signed routing posts.

``python -m bench.rongcloud_routing [--messages 30000] [--in-flight 128]``

A lean routing receiver runs in a child process (asyncio + httptools: checks the signed query with
``verify_callback``, reads the form, answers 200), so the numbers here are the sending side's:

* ours: :class:`~console.sandbox.chat_traffic.ChatTraffic` generates the messages, the emulator checks
  them (gags, mutes, sensitive words), stores them and posts each one over ``--in-flight`` keep-alive
  connections (its httptools client), as fast as it can;
* baseline: the same number of prebuilt, pre-signed form bodies posted by an ``aiohttp.ClientSession``
  with the same concurrency and nothing else to do (what an emulator built on aiohttp's client would
  spend on the HTTP side alone).

Last line: ``RESULT rongcloud_routing ours=<msg/s> baseline=<msg/s> ratio=<x> cpu_us_per_msg=<µs>
lost=<n>`` (CPU of this process only, per message, for ours).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import textwrap
import time

from bench._common import loadavg, log

SECRET = "bench-rc-secret"

RECEIVER = textwrap.dedent('''
    import asyncio, sys, httptools
    from urllib.parse import parse_qsl
    from console.services.chat.signing import verify_callback
    SECRET = sys.argv[1]
    OK = b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Type: text/plain\\r\\n\\r\\nok"
    BAD = b"HTTP/1.1 401 Unauthorized\\r\\nContent-Length: 3\\r\\n\\r\\nbad"
    count = 0
    class P(asyncio.Protocol):
        def connection_made(self, t):
            self.t = t; self.p = httptools.HttpRequestParser(self); self.url = b""; self.body = []
        def data_received(self, d):
            self.p.feed_data(d)
        def on_url(self, u): self.url += u
        def on_body(self, b): self.body.append(b)
        def on_message_complete(self):
            global count
            q = dict(parse_qsl(httptools.parse_url(self.url).query.decode()))
            form = dict(parse_qsl(b"".join(self.body).decode()))
            ok = verify_callback(SECRET, q) and "msgUID" in form
            count += ok
            self.url = b""; self.body = []
            self.t.write(OK if ok else BAD)
    async def main():
        loop = asyncio.get_running_loop()
        srv = await loop.create_server(P, "127.0.0.1", 0, backlog=4096)
        print(srv.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        print(count, flush=True)
    asyncio.run(main())
''')


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def run_ours(url: str, n: int, in_flight: int) -> tuple[float, float, int]:
    from console.sandbox.chat_traffic import SANDBOX_WORDS, ChatTraffic
    from console.sandbox.rongcloud import RongCloudEmulator

    emu = RongCloudEmulator(app_secret=SECRET, routing_url=url, max_in_flight=in_flight,
                            history_cap_per_hour=20_000)
    await emu.start()
    try:
        emu.set_words(SANDBOX_WORDS)
        traffic = ChatTraffic(emu, [f"room{i}" for i in range(50)], seed=1)
        t0, c0 = time.perf_counter(), cpu_s()
        sent = 0
        while sent < n:
            part = min(500, n - sent)
            traffic.send(traffic.generate(part))
            sent += part
            while emu.routing_backlog > 4 * in_flight:
                await asyncio.sleep(0.001)
        await emu.drain(120)
        took, cpu = time.perf_counter() - t0, cpu_s() - c0
        routed = emu.stats.routed
        lost = emu.stats.queued - routed
        return routed / took, cpu / max(1, routed) * 1e6, lost
    finally:
        await emu.stop()


async def run_baseline(url: str, n: int, in_flight: int) -> float:
    import aiohttp

    from console.sandbox.chat_traffic import ChatTraffic
    from console.sandbox.rongcloud import RongCloudEmulator
    from console.services.chat.signing import callback_query

    emu = RongCloudEmulator(app_secret=SECRET)          # only to build identical bodies
    traffic = ChatTraffic(emu, [f"room{i}" for i in range(50)], seed=1)
    bodies = []
    for m in traffic.generate(n):
        r = emu.client_send(m.room, m.user_id, m.text, user_name=m.user_name, source=m.source, client_ip=m.client_ip)
        if r.msg_uid:
            bodies.append(f"fromUserId={m.user_id}&toUserId={m.room}&msgUID={r.msg_uid}&content=x".encode())
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for b in bodies:
        queue.put_nowait(b)
    done = 0
    conn = aiohttp.TCPConnector(limit=in_flight)
    async with aiohttp.ClientSession(connector=conn) as session:
        async def worker() -> None:
            nonlocal done
            while not queue.empty():
                body = queue.get_nowait()
                async with session.post(url, params=callback_query(SECRET), data=body,
                                        headers={"Content-Type": "application/x-www-form-urlencoded"}) as resp:
                    await resp.read()
                    done += resp.status == 200
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        took = time.perf_counter() - t0
    return done / took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=30_000)
    ap.add_argument("--in-flight", type=int, default=128)
    a = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    rx = subprocess.Popen([sys.executable, "-c", RECEIVER, SECRET], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True, env=env)
    try:
        assert rx.stdout is not None and rx.stdin is not None
        port = int(rx.stdout.readline())
        url = f"http://127.0.0.1:{port}/rc/route"
        log(f"receiver on {url}; load {loadavg():.2f}")
        ours, cpu_us, lost = asyncio.run(run_ours(url, a.messages, a.in_flight))
        log(f"ours: {ours:.0f} msg/s, {cpu_us:.1f} µs CPU per message, lost {lost}")
        base = asyncio.run(run_baseline(url, a.messages, a.in_flight))
        log(f"baseline (aiohttp client, prebuilt bodies): {base:.0f} msg/s")
        rx.stdin.write("\n")
        rx.stdin.flush()
        received = int(rx.stdout.readline())
        log(f"receiver verified {received} posts; load {loadavg():.2f}")
    finally:
        rx.kill()
        rx.wait()
    print(f"RESULT rongcloud_routing ours={ours:.0f} baseline={base:.0f} ratio={ours / base:.2f} "
          f"cpu_us_per_msg={cpu_us:.1f} lost={lost}")


if __name__ == "__main__":
    main()
