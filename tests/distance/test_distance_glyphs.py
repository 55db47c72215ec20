"""Readable at distance, measured: capital heights on the rendered wall, in arc-minutes per text role.

A wall with every panel kind and an incident board, configured for a 65" screen seen from 4 m,
is rendered offscreen at 3840x2160 and 1920x1080.  Texts are capitals and digits (no descenders)
so each crop's ink band is the capital height; the requirement is 16' for titles, big numbers,
incident names and priorities, 10' for axis labels, legends, log lines, summaries and the feed strip.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from noc_app.config.display_schema import DisplayConfig
from noc_app.config.schema import ClockOptions, ClockZone, QueryConfig, Threshold
from noc_app.model import LogLevel, LogLine, QueryResult, Series, Severity
from noc_app.panel_keys import query_key
from noc_app.themes import load_theme
from noc_app.viewing import MAJOR_ARCMIN, MINOR_ARCMIN, arcmin_of, size_from_diagonal
from noc_app.widgets.wall_window import WallWindow
from tests.distance.distance_glyphs import cap_height, ink_bands
from tests.widgets.wall_testkit import T0, FakeClock, alert, app_config, dashboard, panel, snapshot, store_with

THEME = load_theme("dark")
DISTANCE_MM, DIAGONAL_MM = 4000.0, 65 * 25.4
MAJOR = ("title", "big number", "gauge number", "incident name", "priority")


def _series(name: str, values) -> Series:
    y = np.asarray(values, dtype=float)
    x = T0 - 10.0 * (y.size - 1) + np.arange(y.size) * 10.0
    return Series(key=name, name=name, labels={"code": name}, x=x, y=y)


def _wall_dashboard():
    return dashboard(
        panel("chart", "timeseries", title="HTTP TRAFFIC", queries=(QueryConfig(expr="rate"),), x=0, y=0, w=12, h=4),
        panel("stat", "stat", title="ERRORS", queries=(QueryConfig(expr="err"),), x=12, y=0, w=6, h=4),
        panel("gauge", "gauge", title="CPU", unit="%", queries=(QueryConfig(expr="cpu"),), x=18, y=0, w=6, h=4,
              thresholds=(Threshold(value=80, severity=Severity.WARNING),)),
        panel("inc", "incidents", title="INCIDENTS", x=0, y=4, w=12, h=5),
        panel("logs", "logs", title="LOG STREAM", x=12, y=4, w=12, h=5),
        panel("clock", "clock", title="CLOCK", source=None, x=0, y=9, w=6, h=3,
              clock=ClockOptions(zones=(ClockZone(name="UTC", tz="UTC"),))),
        panel("text", "text", title="NOTES", source=None, text="CALL OPS", x=6, y=9, w=6, h=3),
        did="probe", title="PROBE", rows=12,
    )


def _feed(store, clock) -> None:
    metrics = {
        query_key("probe", "chart", 0): QueryResult.build((_series("GET", [100, 300, 500] * 20),
                                                           _series("PUT", [50] * 60))),
        query_key("probe", "stat", 0): QueryResult.build((_series("E", [42]),)),
        query_key("probe", "gauge", 0): QueryResult.build((_series("C", [55]),)),
    }
    alerts = (
        alert("DISKFULL", Severity.CRITICAL, summary="NODE DOWN", starts_at=clock.now - 60),
        alert("LATENCY", Severity.WARNING, summary="API SLOW", starts_at=clock.now - 120),
    )
    logs = tuple(LogLine(ts=clock.now - 30 + i, level=LogLevel.ERROR, text="DISK FULL ON NODE 7", cursor=f"c{i}",
                         service="API") for i in range(30))
    store.apply("SRC", snapshot("SRC", metrics=metrics, alerts=alerts, logs=logs), clock.now, 5.0)


def _render(qtbot, size: tuple[int, int]) -> tuple[WallWindow, dict[str, list[int]]]:
    dash = _wall_dashboard()
    panels = tuple(dataclasses.replace(p, source=p.source and "SRC") for p in dash.panels)
    dash = dataclasses.replace(dash, panels=panels)
    config = dataclasses.replace(app_config(dash), title="WALL",
                                 display=DisplayConfig(viewing_distance_mm=DISTANCE_MM, diagonal_mm=DIAGONAL_MM))
    clock = FakeClock()
    store = store_with(("SRC", "prometheus"))
    window = WallWindow(config, (dash,), store, THEME, mode=config.mode, clock=clock)
    qtbot.addWidget(window)
    window.resize(*size)
    with qtbot.waitExposed(window):
        window.show()
    _feed(store, clock)
    view = window.views[0]
    qtbot.waitUntil(lambda: view.frame("stat").state.value == "OK" and not view._flush_timer.isActive())
    board = view.frame("inc").body
    board.record_text = True
    QApplication.processEvents()
    return window, _measure(window, board)


def _in_window(window, widget, rect: QRect) -> QRect:
    return QRect(widget.mapTo(window, rect.topLeft()), rect.size())


def _measure(window, board) -> dict[str, list[int]]:
    image = window.grab().toImage()
    view = window.views[0]
    found: dict[str, list[int]] = {"title": [], "priority": [], "incident name": [], "summary": []}
    for pid in ("chart", "stat", "gauge", "inc", "logs"):
        frame = view.frame(pid)
        found["title"].append(cap_height(image, _in_window(window, frame, frame.title_drawn[2])))
    chart = view.frame("chart").body
    plot = chart.plot_rect.toRect()
    y_axis = _in_window(window, chart, QRect(0, 0, plot.left() - 2, plot.bottom()))
    found["axis label"] = sorted(ink_bands(image, y_axis))[1:-1]  # the ends may be cut by the crop
    cells = chart._legend.cells
    ascent = chart.px_font(chart.text_px).pixelSize()
    found["legend"] = [cap_height(image, _in_window(window, chart, QRect(round(c.x), round(c.baseline - ascent),
                                                                          round(c.value_right - c.x), ascent + 1)))
                       for c in cells]
    stat = view.frame("stat").body
    found["big number"] = [cap_height(image, _in_window(window, stat, stat.rect()))]
    gauge = view.frame("gauge").body
    g = gauge._layout()
    inner = g.track_r - g.track_w / 2
    centre = QRect(round(g.cx - inner * 0.5), round(g.cy - inner * 0.6), round(inner), round(inner * 1.2))
    found["gauge number"] = [cap_height(image, _in_window(window, gauge, centre))]
    board.repaint()
    for text, advance, _, rect in board.painted_text:
        box = QRect(rect.left(), rect.top(), min(advance, rect.width()), rect.height())
        role = {"P0": "priority", "P1": "priority", "DISKFULL": "incident name", "LATENCY": "incident name"}.get(
            text.split(" ", 1)[0])  # "P0" with a distance's floors, "P0 CRITICAL" without
        if role is None and text.startswith(("NODE DOWN", "API SLOW")):
            role = "summary"
        if role is not None:
            found[role].append(cap_height(board.grab().toImage(), box))
    logs = view.frame("logs").body
    viewport = logs.viewport()
    found["log line"] = ink_bands(image, _in_window(window, viewport, viewport.rect()))[:-1]  # last may be cut
    found["feed strip"] = _feed_chip_heights(window, image)
    return found


def _feed_chip_heights(window, image) -> list[int]:
    from PySide6.QtGui import QFont, QFontMetrics

    from noc_app.widgets.feed_health import HealthChip

    heights = []
    for chip in window.feed_strip.findChildren(HealthChip):
        px = chip._px
        font = QFont(chip.font())
        font.setPixelSize(px)
        font.setWeight(QFont.Weight.Bold)
        x = 1 + round(px * 1.6)
        box = QRect(x, 1, QFontMetrics(font).horizontalAdvance(chip.text_parts[0]), chip.height() - 2)
        heights.append(cap_height(image, _in_window(window, chip, box)))
    return heights


@pytest.mark.parametrize("size", [(3840, 2160), (1920, 1080)], ids=["4k", "1080p"])
def test_capital_heights_meet_the_arc_minute_targets(qtbot, size):
    _, found = _render(qtbot, size)
    mm_per_px = size_from_diagonal(size[0], size[1], DIAGONAL_MM, "test").height_mm / size[1]
    report = []
    for role, heights in found.items():
        assert heights, f"no {role} text found on the rendered wall"
        target = MAJOR_ARCMIN if role in MAJOR else MINOR_ARCMIN
        smallest = min(heights)
        minutes = arcmin_of(smallest, DISTANCE_MM, mm_per_px)
        report.append(f"{size[0]}x{size[1]} {role:14} cap {smallest:3d} px = {minutes:5.1f}' (target {target:g}')")
        assert minutes >= target, report[-1]
    print("\n" + "\n".join(report))
