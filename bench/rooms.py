"""UI-thread time per room-monitor refresh: diffs into the model vs a full model reset.

``python -m bench.rooms --rooms 10000``: 10,000 rooms in the real pane's model, proxy and
table view (offscreen); each refresh changes 5% of the rows (bitrate, fps, viewers), and a
few rooms start and end. The time counted is everything the UI thread does for it:
``RoomTableModel.apply`` (or ``reset_to`` for the baseline), including the model's own sort,
and the table's repaint (``processEvents``). The diff itself is computed by the monitor
service in a worker thread (``asyncio.to_thread``), so it is outside the timed region. Last line:
``RESULT rooms ours=<ms> baseline=<ms> ratio=<x> ...``: the UI thread's CPU time per refresh
(``time.thread_time``: what the window cannot answer during, unaffected by other processes on a
busy machine), median; the wall-clock figures follow.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from console.domain import AlertKind, RoomId, RoomInfo, UserId  # noqa: E402
from console.services.monitor import (
    RoomRow,  # noqa: E402
    diff_rows,  # noqa: E402
)
from console.services.video.base import StreamHealth, StreamState  # noqa: E402
from console.views.room_monitor import (  # noqa: E402
    COLUMNS,
    RoomTable,
    RoomTableModel,
    apply_to_view,
)


def make_rows(n: int, rng: random.Random) -> list[RoomRow]:
    now = datetime.now(UTC)
    rows = []
    for i in range(n):
        h = StreamHealth(stream=f"room_{i}", app="live", state=StreamState.LIVE, sampled_at=now,
                         started_at=now - timedelta(seconds=rng.randint(60, 20000)), viewers=rng.randint(0, 50000),
                         video_kbps=rng.uniform(800, 6000), audio_kbps=128, fps=25, width=1280, height=720,
                         keyframe_interval_s=2.0, video_codec="H264", audio_codec="AAC")
        room = RoomInfo(id=RoomId(i), owner_id=UserId(10_000_000 + i), streamer=f"主播{i}", title=f"王者荣耀上分 {i}",
                        category="王者荣耀", stream_name=h.stream, state="live")
        rows.append(RoomRow(key=f"kls/{h.stream}", provider="kls", stream=h.stream, room=room, health=h, state="live",
                            alerts=frozenset(), risk=0.0))
    return rows


def mutate(rows: list[RoomRow], rng: random.Random, frac: float, serial: int) -> list[RoomRow]:
    out = list(rows)
    for i in rng.sample(range(len(out)), int(len(out) * frac)):
        r = out[i]
        assert r.health is not None
        h = replace(r.health, video_kbps=r.health.video_kbps * rng.uniform(0.3, 1.2), fps=rng.choice((25, 24, 12)),
                    viewers=r.health.viewers + rng.randint(-50, 500), sampled_at=datetime.now(UTC))
        alerts = frozenset({AlertKind.BITRATE_DROP}) if h.video_kbps < 600 else frozenset()
        out[i] = replace(r, health=h, alerts=alerts, risk=20.0 if alerts else 0.0)
    # a few rooms end and a few start
    for _ in range(5):
        out.pop(rng.randrange(len(out)))
    now = datetime.now(UTC)
    for j in range(5):
        k = f"new_{serial}_{j}"
        h = StreamHealth(stream=k, app="live", state=StreamState.LIVE, sampled_at=now, viewers=1)
        out.append(RoomRow(key=f"kls/{k}", provider="kls", stream=k, room=None, health=h, state="live",
                           alerts=frozenset(), risk=0.0))
    return out


def run(n: int, refreshes: int, frac: float) -> dict[str, list[float]]:
    from PySide6.QtCore import Qt

    app = QApplication.instance() or QApplication([])
    results = {}
    for mode in ("diff", "reset"):
        rng = random.Random(7)
        model = RoomTableModel()
        view = RoomTable(model)  # as the pane paints (thumbnails aside)
        view.setSortingEnabled(True)
        view.sortByColumn(COLUMNS.index("uptime"), Qt.SortOrder.DescendingOrder)
        view.resize(1400, 900)
        view.show()
        rows = make_rows(n, rng)
        model.reset_to(rows)
        app.processEvents()
        times: list[float] = []
        cpu: list[float] = []
        for k in range(refreshes):
            prev = {r.key: r for r in rows}
            rows = mutate(rows, rng, frac, k)
            diff = diff_rows(prev, rows)  # the monitor service computes this in a worker thread
            t0, c0 = time.perf_counter(), time.thread_time()
            if mode == "diff":
                apply_to_view(model, view, rows, diff)  # as the pane does
            else:
                model.reset_to(rows)
            app.processEvents()
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        results[mode] = times
        results[mode + "_cpu"] = cpu
        view.close()
        view.deleteLater()
        app.processEvents()
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rooms", type=int, default=10_000)
    ap.add_argument("--refreshes", type=int, default=30)
    ap.add_argument("--changed", type=float, default=0.05)
    a = ap.parse_args()
    res = run(a.rooms, a.refreshes, a.changed)

    def p(xs: list[float], q: float) -> float:
        return statistics.median(xs) if q == 0.5 else sorted(xs)[int(len(xs) * q) - 1]

    print(f"rooms={a.rooms} changed={a.changed:.0%} refreshes={a.refreshes} "
          f"(1-min load {os.getloadavg()[0]:.2f}; cpu = the UI thread's own CPU time, wall = elapsed)")
    for label, k in (("diff  (ours)   ", "diff"), ("reset (baseline)", "reset")):
        print(f"{label} cpu p50 {p(res[k + '_cpu'], 0.5):7.2f} ms  p95 {p(res[k + '_cpu'], 0.95):7.2f} ms   "
              f"wall p50 {p(res[k], 0.5):7.2f} ms  p95 {p(res[k], 0.95):7.2f} ms")
    o, b = p(res["diff_cpu"], 0.5), p(res["reset_cpu"], 0.5)
    print(f"RESULT rooms ours={o:.2f} baseline={b:.2f} ratio={o / b:.3f} ours_p95={p(res['diff_cpu'], 0.95):.2f} "
          f"ours_wall={p(res['diff'], 0.5):.2f} baseline_wall={p(res['reset'], 0.5):.2f}")


if __name__ == "__main__":
    main()
