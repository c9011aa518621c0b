"""RoomTableModel: diffs give the same rows as a rebuild, in order, with minimal signals."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from console.domain import AlertKind, RoomId, RoomInfo, UserId
from console.services.health import HealthTracker
from console.services.monitor import RoomRow, diff_rows
from console.services.video.base import StreamHealth, StreamState
from console.views.room_monitor import COLUMNS, RoomTableModel

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def row(i: int, viewers: int = 10, kbps: float = 2000, alerts: frozenset[AlertKind] = frozenset()) -> RoomRow:
    h = StreamHealth(stream=f"s{i}", app="live", state=StreamState.LIVE, sampled_at=NOW, viewers=viewers,
                     video_kbps=kbps, fps=25, width=1280, height=720)
    room = RoomInfo(id=RoomId(i), owner_id=UserId(i), streamer=f"主播{i}", title=f"标题{i}", category="赛事",
                    stream_name=f"s{i}", state="live")
    return RoomRow(key=f"p/s{i}", provider="p", stream=f"s{i}", room=room, health=h, state="live", alerts=alerts,
                   risk=20.0 * len(alerts))


def expected(model: RoomTableModel, rows: list[RoomRow]) -> list[str]:
    col = COLUMNS[model.sort_column]
    desc = model.sort_order == Qt.SortOrder.DescendingOrder
    from console.views.room_monitor import sort_value

    keyed = sorted(rows, key=lambda r: (sort_value(r, col), r.key), reverse=desc)
    return [r.key for r in keyed if model._accepts(r)]  # noqa: SLF001


def test_random_diffs_match_a_rebuild(qtbot: Any) -> None:
    rng = random.Random(3)
    model = RoomTableModel()
    ModelTester(None).check(model)
    signals: list[str] = []
    model.modelReset.connect(lambda: signals.append("reset"))
    rows = [row(i, viewers=rng.randint(0, 1000)) for i in range(300)]
    model.apply(rows)
    for step in range(40):
        prev = {r.key: r for r in rows}
        rows = [r for r in rows if rng.random() > 0.02]
        for n in rng.sample(range(len(rows)), 15):
            alerts = frozenset({AlertKind.BITRATE_DROP}) if rng.random() < 0.3 else frozenset()
            assert rows[n].health is not None
            rows[n] = replace(rows[n], health=replace(rows[n].health, viewers=rng.randint(0, 1000)), alerts=alerts,
                              risk=20.0 * len(alerts))
        rows += [row(1000 + step * 10 + j) for j in range(3)]
        if step == 20:
            model.sort(COLUMNS.index("viewers"), Qt.SortOrder.AscendingOrder)
        if step == 30:
            model.set_filter("标题1", "all")
        model.apply(rows, diff_rows(prev, rows))
        assert [r.key for r in model.rows] == expected(model, rows)
    assert signals.count("reset") == 1  # only the person's filter change resets


def test_alerted_rows_rank_first_and_cells_read_well() -> None:
    model = RoomTableModel()
    rows = [row(1), row(2, alerts=frozenset({AlertKind.KEYFRAME, AlertKind.VIEWER_SPIKE})), row(3)]
    model.apply(rows)
    assert model.rows[0].key == "p/s2"
    top = [model.data(model.index(0, c)) for c in range(len(COLUMNS))]
    cols = dict(zip(COLUMNS, top, strict=True))
    assert cols["room"] == "2 标题2" and cols["state"] == "直播中" and "关键帧间隔>4s" in cols["alerts"]
    assert cols["resolution"] == "1280×720"


def test_health_alerts() -> None:
    tr = HealthTracker()
    base = StreamHealth(stream="s", app="live", state=StreamState.LIVE, sampled_at=NOW, viewers=100,
                        video_kbps=3000, fps=25, keyframe_interval_s=2.0)
    for k in range(5):
        a = tr.observe(replace(base, sampled_at=NOW + timedelta(seconds=10 * k)))
        assert not a.alerts
    later = NOW + timedelta(seconds=60)
    assert tr.observe(replace(base, sampled_at=later, video_kbps=900)).alerts == {AlertKind.BITRATE_DROP}
    assert AlertKind.FPS_DROP in tr.observe(replace(base, sampled_at=later, fps=10)).alerts
    assert AlertKind.KEYFRAME in tr.observe(replace(base, sampled_at=later, keyframe_interval_s=6)).alerts
    spike = tr.observe(replace(base, sampled_at=later, viewers=5000))
    assert AlertKind.VIEWER_SPIKE in spike.alerts and spike.risk > 30
    assert len(tr.history("s")) == 9


def test_every_changed_row_is_signalled_with_or_without_a_visible_hint(qtbot: Any) -> None:
    """Each row whose cells changed lies inside some dataChanged range, read against the rows after the
    refresh (insertions and removals in the same refresh shift positions), whatever the hint says."""
    rng = random.Random(11)
    for hint in (None, (40, 70), (0, 10), (280, 299)):
        model = RoomTableModel()
        model.sort(COLUMNS.index("uptime"), Qt.SortOrder.DescendingOrder)
        rows = []
        for i in range(300):
            r0 = row(i)
            assert r0.health is not None
            rows.append(replace(r0, health=replace(r0.health, started_at=NOW - timedelta(
                seconds=rng.randint(60, 9000)))))
        model.apply(rows)
        for step in range(15):
            prev = {r.key: r for r in rows}
            rows = [r for r in rows if rng.random() > 0.01]
            changed = set()
            for n in rng.sample(range(len(rows)), 20):
                h = rows[n].health
                assert h is not None
                rows[n] = replace(rows[n], health=replace(h, viewers=h.viewers + 1, sampled_at=NOW + timedelta(
                    seconds=step + 1)))
                changed.add(rows[n].key)
            rows += [row(2000 + step * 3 + j) for j in range(2)]
            spans: list[tuple[int, int]] = []

            def record(a: Any, b: Any, *_: Any, spans: list[tuple[int, int]] = spans) -> None:
                spans.append((a.row(), b.row()))

            model.dataChanged.connect(record)
            model.apply(rows, diff_rows(prev, rows), visible=hint)
            model.dataChanged.disconnect()
            order = [r.key for r in model.rows]
            assert order == expected(model, rows)  # uptime sorts by start time: the clock moves nothing
            for key in changed:
                pos = order.index(key)
                assert any(lo <= pos <= hi for lo, hi in spans), (hint, step, key, pos, spans)


def test_room_table_paints_rows_and_renders_only_what_changed(qtbot: Any) -> None:
    """The table paints whole rows from a cache: a refresh that shifts every row on screen (a room starting
    at the top) re-renders only the new and changed rows; what is painted is what the model holds (an alerted
    row pink, a selected row in the highlight colour, the text of a changed cell new)."""
    from PySide6.QtGui import QColor

    from console.views.room_monitor import ROW_HEIGHT, RoomTable

    model = RoomTableModel()
    table = RoomTable(model)
    qtbot.addWidget(table)
    table.resize(1200, 10 * ROW_HEIGHT + 40)
    model.sort(COLUMNS.index("viewers"), Qt.SortOrder.DescendingOrder)
    rows = [row(i, viewers=1000 - i) for i in range(200)]
    rows[3] = replace(rows[3], alerts=frozenset({AlertKind.BITRATE_DROP}), risk=20.0)
    model.apply(rows)
    table.show()
    qtbot.waitExposed(table)
    img = table.viewport().grab().toImage()
    before = table.rendered
    assert before >= 8
    y = 3 * ROW_HEIGHT + ROW_HEIGHT // 2
    assert img.pixelColor(table.columnViewportPosition(COLUMNS.index("fps")) + 2, y) == QColor("#fdecea")
    # a room starts above everything (most viewers) and one visible row changes: every row moves down
    prev = {r.key: r for r in rows}
    h = rows[5].health
    assert h is not None
    rows[5] = replace(rows[5], health=replace(h, fps=12.5))
    rows.append(row(999, viewers=5000))
    model.apply(rows, diff_rows(prev, rows), visible=(0, 9))
    table.viewport().repaint()
    assert table.rendered - before <= 3  # the new row and the changed one (not the ~10 that moved)
    assert model.data(model.index(6, COLUMNS.index("fps"))) == "12.5"
    table.selectRow(0)
    table.viewport().repaint()
    img = table.viewport().grab().toImage()
    pal = table.palette()
    group = pal.ColorGroup.Active if table.isActiveWindow() else pal.ColorGroup.Inactive
    hl = pal.color(group, pal.ColorRole.Highlight)
    assert img.pixelColor(table.columnViewportPosition(COLUMNS.index("fps")) + 2, ROW_HEIGHT // 2).rgb() == hl.rgb()
