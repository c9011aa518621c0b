"""From the cut keystroke in the real room monitor to the publisher gone from nginx's stat.

``python -m bench.cut [--runs 5]``: a private PostgreSQL, a real nginx-rtmp with two ffmpeg
publishers, and two consoles' panes on the same database (offscreen Qt, one qasync loop).
For each run:

* ours: X, then (150 ms later, as a quick person types) Enter in console A's room monitor
  (``QTest.keyClick``); timed from the confirming Enter to the stream gone from ``/stat`` (the
  durable outbox write before the drop, the drop). The X itself (building and showing the dialog)
  is reported apart as ``dialog_ms``;
* baseline: a direct ``GET /control/drop/publisher`` for an identical stream, until it is gone
  from ``/stat`` (same poller);
* other console: from console A's action completing (outbox ``done``, committed) to console
  B's model showing the room as cut (LISTEN/NOTIFY, then B's refresh).

A poller process reads ``/stat`` every millisecond. Last line:
``RESULT cut ours=<ms> baseline=<ms> ratio=<x> overhead_ms=<ms> other_console_ms=<ms>`` (medians).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: Between the two keystrokes (X, then Enter), as a quick person types them.
HUMAN_GAP_S = 0.15


_POLLER = r"""
import sys, threading, time, urllib.request
url = sys.argv[1]
watch: set[str] = set()
lock = threading.Lock()

def commands() -> None:
    for line in sys.stdin:
        with lock:
            watch.clear()
            watch.update(line.split())

threading.Thread(target=commands, daemon=True).start()
while True:
    try:
        body = urllib.request.urlopen(url, timeout=2).read().decode()
    except OSError:
        time.sleep(0.001)
        continue
    now = time.perf_counter()
    with lock:
        gone = [s for s in watch if f"<name>{s}</name>" not in body]
        watch.difference_update(gone)
    for s in gone:
        print("gone", s, repr(now), flush=True)
    time.sleep(0.001)
"""


class StatPoller:
    """Reads ``/stat`` every millisecond in a separate process and records when a watched stream
    disappeared. A process, not a thread: a thread polling that often holds the GIL for up to the
    5 ms switch interval each time the console's thread wakes from I/O, and would slow the very
    thing measured. ``time.perf_counter`` is CLOCK_MONOTONIC, the same clock in both processes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.gone: dict[str, float] = {}
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self.proc = subprocess.Popen([sys.executable, "-c", _POLLER, url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read, daemon=True)  # blocked in read() nearly always
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            _, name, at = line.split()
            self.gone.setdefault(name, float(at))
            self._loop.call_soon_threadsafe(self._changed.set)

    async def wait_gone(self, stream: str) -> float:
        """When ``stream`` left ``/stat`` (waiting without polling: a polling loop would busy the event loop
        the console runs on)."""
        while stream not in self.gone:
            self._changed.clear()
            if stream in self.gone:
                break
            await self._changed.wait()
        return self.gone[stream]

    async def watch(self, streams: set[str]) -> None:
        assert self.proc.stdin is not None
        self.gone.clear()
        self.proc.stdin.write(" ".join(sorted(streams)) + "\n")
        self.proc.stdin.flush()
        await asyncio.sleep(0.05)  # the poller has read it

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def is_live(self, stream: str) -> bool:
        body = urllib.request.urlopen(self.url, timeout=2).read().decode()
        i = body.find(f"<name>{stream}</name>")
        return i >= 0 and "<publishing/>" in body[i:body.find("</stream>", i)]


async def amain(runs: int) -> None:
    import sqlalchemy as sa
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from console.db import tables as t
    from console.db.engine import make_engine
    from console.db.migrate import upgrade
    from console.domain import Operator, OperatorId, Role
    from console.sandbox.nginx import FfmpegPublisher, start_stream_sandbox
    from console.sandbox.pgcluster import PgCluster
    from console.sandbox.seed import seed_database
    from console.services import build_services
    from console.settings import load_settings
    from console.views.main_window import MainWindow
    from console.views.room_monitor import RoomMonitorPane

    pg = PgCluster().start()
    try:
        pg.psql("CREATE DATABASE bench_cut")
        url = pg.url("bench_cut")
        engine = make_engine(url)
        await upgrade(engine)
        await seed_database(url, 2000)
        async with engine.begin() as conn:
            rooms = (await conn.execute(sa.select(t.rooms.c.id, t.rooms.c.stream_name).order_by(t.rooms.c.id)
                                        .limit(2))).all()
            await conn.execute(t.rooms.update().where(t.rooms.c.id.in_([r.id for r in rooms])).values(state="live"))
        (ours_room, ours_stream), (base_room, base_stream) = rooms
        sb = await start_stream_sandbox(engine, [(ours_stream, "ours"), (base_stream, "baseline")], size="426x240")
        u = sb.server.urls
        settings = load_settings(env={}, cli={"database.url": url, "nginx.stat_url": u.stat_url,
                                              "nginx.control_url": u.control_url, "nginx.rtmp_base": u.rtmp_base,
                                              "nginx.hls_base": u.hls_base, "monitor.refresh_ms": 60_000})
        a = await build_services(settings, Operator(id=OperatorId(1), username="bench-a", display_name="A",
                                                    role=Role.MODERATOR))
        b = await build_services(settings, Operator(id=OperatorId(2), username="bench-b", display_name="B",
                                                    role=Role.MODERATOR))
        win_a, win_b = MainWindow(a), MainWindow(b)
        win_a.show()
        win_b.show()
        pane_a = win_a.show_pane("rooms")
        pane_b = win_b.show_pane("rooms")
        assert isinstance(pane_a, RoomMonitorPane) and isinstance(pane_b, RoomMonitorPane)
        poller = StatPoller(u.stat_url)
        ours, base, other, dialog = [], [], [], []
        key = f"{next(iter(a.monitor._providers)).name}/{ours_stream}"  # noqa: SLF001
        try:
            for run in range(runs):
                deadline = time.monotonic() + 30
                while not (poller.is_live(ours_stream) and poller.is_live(base_stream)):
                    assert time.monotonic() < deadline, "publishers did not come up"
                    await asyncio.sleep(0.1)
                for p in (pane_a, pane_b):
                    p.refresh()
                while not all((r := p.model.row_for(key)) is not None and r.state == "live" for p in (pane_a, pane_b)):
                    await asyncio.sleep(0.02)
                    for p in (pane_a, pane_b):
                        p.refresh()
                await poller.watch({ours_stream, base_stream})
                # --- baseline: the raw drop
                t0 = time.perf_counter()
                await asyncio.to_thread(lambda: urllib.request.urlopen(
                    f"{u.control_url}/drop/publisher?app=live&name={base_stream}", timeout=5).read())
                base.append((await poller.wait_gone(base_stream) - t0) * 1000)
                # --- ours: X, Enter in console A
                view_row = next(i for i, r in enumerate(pane_a.model.rows) if r.key == key)
                pane_a.table.setFocus()
                pane_a.table.selectRow(view_row)
                done_at: list[float] = []
                seen_b: list[float] = []

                def on_finished(k: str, done_at: list[float] = done_at) -> None:
                    if k.startswith("action:"):
                        done_at.append(time.perf_counter())

                def check_b(seen_b: list[float] = seen_b) -> None:
                    r = pane_b.model.row_for(key) or pane_b.model.row_for(f"cut/{ours_stream}")
                    if r is not None and r.state == "cut" and not seen_b:
                        seen_b.append(time.perf_counter())

                pane_a.tasks.finished.connect(on_finished)

                pane_b.model.dataChanged.connect(check_b)
                pane_b.model.rowsInserted.connect(check_b)
                pane_b.model.layoutChanged.connect(check_b)
                pane_b.model.rowsMoved.connect(check_b)
                win_a.activateWindow()
                await asyncio.sleep(0.05)
                pane_a.dialog = None
                tx = time.perf_counter()
                QTest.keyClick(pane_a.table, Qt.Key.Key_X)
                dlg = pane_a.dialog
                assert dlg is not None, "X did not open the cut dialog (window not active?)"
                dialog.append((time.perf_counter() - tx) * 1000)
                # a person reads the dialog before the second key: let it show and take the focus, as a
                # person's 100+ ms between keys would (window activation is delivered asynchronously)
                await asyncio.sleep(HUMAN_GAP_S)
                t0 = time.perf_counter()
                QTest.keyClick(dlg, Qt.Key.Key_Return)
                ours.append((await poller.wait_gone(ours_stream) - t0) * 1000)
                deadline = time.monotonic() + 5
                while not (done_at and seen_b) and time.monotonic() < deadline:
                    check_b()  # B's model, polled too (a row hidden by B's filter emits no signal)
                    await asyncio.sleep(0.005)
                if done_at and seen_b:
                    other.append((seen_b[0] - done_at[0]) * 1000)
                for sig in (pane_b.model.dataChanged, pane_b.model.rowsInserted, pane_b.model.layoutChanged,
                            pane_b.model.rowsMoved):
                    sig.disconnect(check_b)
                pane_a.tasks.finished.disconnect()
                print(f"run {run + 1}: ours {ours[-1]:.1f} ms, baseline {base[-1]:.1f} ms, "
                      f"other console {other[-1] if other else float('nan'):.1f} ms", flush=True)
                # resume, and restart both publishers for the next run
                await a.actions.resume_stream(ours_room, "bench: resume")
                for p in sb.publishers:
                    await asyncio.to_thread(p.close)
                sb.publishers = [FfmpegPublisher(sb.server.publish_url(s), s, size="426x240").start()
                                 for s in (ours_stream, base_stream)]
        finally:
            poller.stop()
            win_a.close()
            win_b.close()
            await a.aclose()
            await b.aclose()
            await sb.aclose()
            await engine.dispose()
    finally:
        pg.stop()
    o, bl = statistics.median(ours), statistics.median(base)
    oc = statistics.median(other) if other else float("nan")
    print(f"ours p50 {o:.1f} ms (all: {', '.join(f'{x:.1f}' for x in ours)})")
    print(f"baseline p50 {bl:.1f} ms (all: {', '.join(f'{x:.1f}' for x in base)})")
    print(f"other console p50 {oc:.1f} ms (all: {', '.join(f'{x:.1f}' for x in other)})")
    print(f"dialog (X to the dialog shown) p50 {statistics.median(dialog):.1f} ms")
    print(f"RESULT cut ours={o:.1f} baseline={bl:.1f} ratio={o / bl:.2f} overhead_ms={o - bl:.1f} "
          f"other_console_ms={oc:.1f} dialog_ms={statistics.median(dialog):.1f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(amain(args.runs))


if __name__ == "__main__":
    main()
