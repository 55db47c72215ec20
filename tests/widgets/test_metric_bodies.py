"""The timeseries, stat and gauge bodies: what they paint, in which colours, and how often."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage
from PySide6.QtWidgets import QApplication

from noc_app.config.schema import PanelConfig, QueryConfig, Threshold
from noc_app.model import DataState, QueryResult, Series, Severity
from noc_app.selectors import PanelData, PanelView
from noc_app.themes import load_theme
from noc_app.widgets.gauge_panel import GaugeBody
from noc_app.widgets.panel_factory import PanelBody
from noc_app.widgets.series_legend import plan_legend
from noc_app.widgets.stat_panel import StatBody
from noc_app.widgets.timeseries_panel import TimeSeriesBody

NOW = 1_700_000_000.0
THEME = load_theme("dark")
WARN, CRIT = Severity.WARNING, Severity.CRITICAL
# The seed's error-rate thresholds `[1, 5]`: warning from 1, critical from 5.
ERROR_RATE = (Threshold(value=1, severity=WARN), Threshold(value=5, severity=CRIT))


# -- builders ------------------------------------------------------------------------
def _series(key: str, y, x=None, name: str | None = None) -> Series:
    y = np.asarray(y, dtype=np.float64)
    if x is None:
        x = NOW - (y.size - 1) * 2.0 + np.arange(y.size) * 2.0  # one sample every 2 s, ending now
    return Series(key=key, name=key if name is None else name, labels={}, x=np.asarray(x, dtype=np.float64), y=y)


def _data(*results: QueryResult | None, state: DataState = DataState.OK, now: float = NOW) -> PanelData:
    return PanelData(view=PanelView(state=state), now=now, results=results)


def _result(*series: Series) -> QueryResult:
    return QueryResult.build(series)


def _ts_panel(**kw) -> PanelConfig:
    kw.setdefault("thresholds", (Threshold(value=1000, severity=CRIT),))
    return PanelConfig(id="rate", kind="timeseries", title="Request Rate", unit="req/s", window_s=1800.0,
                       queries=(QueryConfig(expr="rate(x[5m])"),), **kw)


def _show(qtbot, body, w=900, h=420):
    qtbot.addWidget(body)
    body.set_text_px(24)
    body.resize(w, h)
    body.show()
    qtbot.waitExposed(body)
    QApplication.processEvents()
    return body


def _rgb(widget) -> np.ndarray:
    """The widget rendered now, as an (h, w, 3) uint8 RGB array."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(h, image.bytesPerLine() // 4, 4)
    return raw[:, :w, 2::-1].copy()  # BGRA in memory -> RGB


def _mask(pixels: np.ndarray, color: str) -> np.ndarray:
    c = QColor(color)
    return (pixels[..., 0] == c.red()) & (pixels[..., 1] == c.green()) & (pixels[..., 2] == c.blue())


def _chroma(pixels: np.ndarray) -> np.ndarray:
    return pixels.max(axis=2).astype(int) - pixels.min(axis=2).astype(int)


def _plot_area(pixels: np.ndarray, body: TimeSeriesBody) -> np.ndarray:
    r = body.plot_rect.toAlignedRect()
    return pixels[r.top():r.bottom() + 1, r.left():r.right() + 1]


def _wave(n=900, base=400.0, amp=150.0, phase=0.0):
    return base + amp * np.sin(np.arange(n) / 40.0 + phase)


# -- every metric body keeps the frame's contract ------------------------------------
@pytest.mark.parametrize("cls", [TimeSeriesBody, StatBody, GaugeBody])
def test_bodies_follow_the_panel_body_protocol(qtbot, cls):
    body = cls(_ts_panel(), THEME)
    qtbot.addWidget(body)
    assert isinstance(body, PanelBody)


@pytest.mark.parametrize("cls", [TimeSeriesBody, StatBody, GaugeBody])
@pytest.mark.parametrize("results", [(), (None,), (_result(),), (QueryResult.build(error="bad query"),)])
def test_no_data_draws_only_a_calm_background(qtbot, cls, results):
    body = _show(qtbot, cls(_ts_panel(), THEME), 400, 300)
    body.refresh(_data(*results))
    pixels = _rgb(body)
    assert _mask(pixels, THEME.color("panel")).all()


# -- timeseries: repaint discipline ------------------------------------------------------
def test_timeseries_repaints_once_per_content_change_and_never_for_the_same_content(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0), THEME))
    first = _data(_result(_series("GET 200", _wave())))
    before = body.paint_count
    body.refresh(first)
    qtbot.waitUntil(lambda: body.paint_count > before)
    QApplication.processEvents()
    assert body.paint_count == before + 1

    body.refresh(first)  # the same object
    body.refresh(_data(_result(_series("GET 200", _wave())), now=NOW + 1))  # equal content, later clock
    body.set_text_px(24)  # the same text size
    QApplication.processEvents()
    assert body.paint_count == before + 1

    y = _wave(901)  # one new point
    body.refresh(_data(_result(_series("GET 200", y, x=NOW - 1800 + np.arange(901) * 2.0)), now=NOW + 2))
    qtbot.waitUntil(lambda: body.paint_count > before + 1)
    QApplication.processEvents()
    assert body.paint_count == before + 2


def test_dimming_alone_triggers_one_repaint(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(), THEME))
    result = _result(_series("GET 200", _wave()))
    body.refresh(_data(result))
    qtbot.waitUntil(lambda: body.paint_count > 0)
    QApplication.processEvents()
    count = body.paint_count
    body.refresh(_data(result, state=DataState.STALE))
    qtbot.waitUntil(lambda: body.paint_count > count)
    QApplication.processEvents()
    assert body.paint_count == count + 1


# -- timeseries: what is drawn -------------------------------------------------------------
def test_series_are_drawn_in_their_theme_colours_inside_the_plot(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0), THEME))
    body.refresh(_data(_result(_series("GET 200", _wave()), _series("POST 201", _wave(base=150, amp=30)))))
    plot = _plot_area(_rgb(body), body)
    for index in (0, 1):
        assert _mask(plot, THEME.series_color(index)).sum() > 200, f"series {index} not drawn"
    assert not _mask(plot, THEME.series_color(2)).any()


def test_dimmed_data_is_drawn_in_greys_only(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0), THEME))
    above = _wave(base=1100, amp=50)  # crosses the critical threshold: would be red when live
    body.refresh(_data(_result(_series("GET 200", _wave()), _series("GET 500", above)), state=DataState.STALE))
    pixels = _rgb(body)
    for color in (*THEME.series[:2], THEME.color("critical"), THEME.color("ok")):
        assert not _mask(pixels, color).any(), f"live colour {color} on a stale panel"
    assert _chroma(pixels).max() <= 40  # greys (the theme's greys are slightly blue)
    assert _mask(_plot_area(pixels, body), THEME.color("stale")).sum() > 200  # the lines are still there


def test_y_range_snaps_to_1_2_5_steps(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(thresholds=()), THEME))
    body.refresh(_data(_result(_series("a", _wave(base=61.3, amp=23.9)))))
    _rgb(body)
    r = body.y_range
    assert r is not None
    mantissa = r.step / 10 ** np.floor(np.log10(r.step))
    assert round(mantissa, 9) in (1.0, 2.0, 5.0)
    for end in (r.lo, r.hi):
        assert abs(end / r.step - round(end / r.step)) < 1e-9
    assert r.lo <= 61.3 - 23.9 and r.hi >= 61.3 + 23.9
    assert r.span <= 3 * 2 * 23.9  # and the data fills a good part of it


def test_y_range_holds_while_data_moves_inside_it(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0, thresholds=()), THEME))
    body.refresh(_data(_result(_series("a", _wave(base=400, amp=150)))))
    _rgb(body)
    first = body.y_range
    body.refresh(_data(_result(_series("a", _wave(base=380, amp=140, phase=1.0)))))
    _rgb(body)
    assert body.y_range is first
    body.refresh(_data(_result(_series("a", _wave(base=2000, amp=150)))))
    _rgb(body)
    assert body.y_range.hi >= 2150  # data left the range: it moved


def test_threshold_line_is_drawn_in_its_severity_colour_at_its_value(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0), THEME))
    body.refresh(_data(_result(_series("GET 200", _wave(base=700, amp=100)))))  # near 1000: brought into view
    pixels = _rgb(body)
    r, plot = body.y_range, body.plot_rect
    assert r.lo <= 1000 <= r.hi
    expected_row = round(plot.bottom() - (1000 - r.lo) / r.span * plot.height())
    critical = _mask(pixels, THEME.color("critical"))
    rows = np.flatnonzero(critical.sum(axis=1) > plot.width() * 0.3)  # dashed: about half the width
    assert rows.size and abs(rows - expected_row).min() <= 1


def test_a_nan_gap_is_left_empty_never_drawn_as_zero(qtbot):
    y = np.full(900, 500.0)
    y[300:420] = np.nan  # four minutes without samples
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0, thresholds=()), THEME))
    body.refresh(_data(_result(_series("a", y))))
    pixels = _rgb(body)
    plot = body.plot_rect
    series = _mask(pixels, THEME.series_color(0))
    x_of = lambda t: plot.left() + (t - (NOW - 1800)) / 1800 * plot.width()
    t = NOW - 899 * 2.0 + np.arange(900) * 2.0
    gap = slice(int(x_of(t[302])) + 2, int(x_of(t[418])) - 1)
    assert not series[:, gap].any(), "something drawn inside the gap"
    assert series[:, int(x_of(t[200]))].any() and series[:, int(x_of(t[600]))].any()
    zero_row = int(plot.bottom())
    assert not series[zero_row - 3:zero_row + 3, :].any(), "the gap fell to zero"


def test_a_one_sample_spike_survives_decimation_on_screen(qtbot):
    y = np.full(3600, 100.0)
    y[1800] = 900.0
    x = NOW - 1800 + np.arange(3600) * 0.5
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0, thresholds=()), THEME), 600, 400)
    body.refresh(_data(_result(_series("a", y, x=x))))
    pixels = _rgb(body)
    r, plot = body.y_range, body.plot_rect
    spike_row = round(plot.bottom() - (900 - r.lo) / r.span * plot.height())
    assert _mask(pixels, THEME.series_color(0))[spike_row - 2:spike_row + 3].any()


def test_colours_stay_with_their_series_when_others_go(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0), THEME))
    body.refresh(_data(_result(_series("GET 200", _wave()), _series("GET 500", _wave(base=100, amp=20)))))
    _rgb(body)
    body.refresh(_data(_result(_series("GET 500", _wave(base=100, amp=20, phase=0.5)))))
    plot = _plot_area(_rgb(body), body)
    assert _mask(plot, THEME.series_color(1)).sum() > 200  # GET 500 keeps its colour
    assert not _mask(plot, THEME.series_color(0)).any()


def test_legend_shows_last_values_coloured_by_crossed_threshold(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0), THEME))
    hot = np.append(_wave(899), 1234.0)
    body.refresh(_data(_result(_series("GET 200", hot), _series("GET 404", np.append(_wave(899), np.nan)))))
    _rgb(body)
    assert [(e.name, e.value_text, e.color_key) for e in body.legend] == [
        ("GET 200", "1,234 req/s", "critical"),
        ("GET 404", "334 req/s", "text"),  # the newest *finite* value: 400 + 150 sin(898/40)
    ]


def test_points_older_than_the_window_are_not_drawn(qtbot):
    old = _series("old", np.full(100, 300.0), x=NOW - 7200 + np.arange(100.0))
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0, thresholds=()), THEME))
    body.refresh(_data(_result(old, _series("new", _wave()))))
    plot = _plot_area(_rgb(body), body)
    styles = {entry.name: entry.style for entry in body.legend}
    assert styles["old"].color != styles["new"].color
    assert not _mask(plot, styles["old"].color).any()
    assert _mask(plot, styles["new"].color).any()


# -- stat ---------------------------------------------------------------------------------
def _stat_panel(**kw) -> PanelConfig:
    kw = {"thresholds": ERROR_RATE, "unit": "%", "decimals": 2, **kw}
    return PanelConfig(id="err", kind="stat", title="Error Rate", queries=(QueryConfig(expr="errors"),), **kw)


@pytest.mark.parametrize(
    ("value", "text", "caption", "color_key"),
    [
        (0.4, "0.40 %", "", "ok"),
        (2.0, "2.00 %", "WARNING ≥ 1 %", "warning"),
        (7.0, "7.00 %", "CRITICAL ≥ 5 %", "critical"),
        (5.0, "5.00 %", "CRITICAL ≥ 5 %", "critical"),  # the selector's rule: gt means >=
    ],
)
def test_stat_shows_the_error_rate_in_its_severity(qtbot, value, text, caption, color_key):
    body = _show(qtbot, StatBody(_stat_panel(), THEME), 480, 300)
    body.refresh(_data(_result(_series("err", [value], x=[NOW]))))
    assert (body.value_text, body.severity_text, body.value_color_key) == (text, caption, color_key)
    pixels = _rgb(body)
    assert _mask(pixels, THEME.color(color_key)).sum() > 500  # the big number is in that colour
    others = {"ok", "warning", "critical"} - {color_key}
    assert not any(_mask(pixels, THEME.color(k)).any() for k in others)


def test_stat_lt_thresholds_say_below(qtbot):
    panel = _stat_panel(decimals=3, thresholds=(
        Threshold(value=99.9, severity=WARN, op="lt"), Threshold(value=99.5, severity=CRIT, op="lt")))
    body = _show(qtbot, StatBody(panel, THEME))
    body.refresh(_data(_result(_series("availability", [99.87], x=[NOW]))))
    assert (body.value_text, body.severity_text, body.severity) == ("99.870 %", "WARNING < 99.9 %", WARN)
    body.refresh(_data(_result(_series("availability", [99.2], x=[NOW]))))
    assert (body.severity_text, body.severity) == ("CRITICAL < 99.5 %", CRIT)


def test_stat_without_thresholds_uses_plain_text_colour(qtbot):
    body = _show(qtbot, StatBody(_stat_panel(thresholds=(), unit="req/s", decimals=None), THEME))
    body.refresh(_data(_result(_series("rate", [512.0], x=[NOW]))))
    assert (body.value_text, body.severity_text, body.value_color_key) == ("512 req/s", "", "text")
    assert _mask(_rgb(body), THEME.color("text")).sum() > 500


def test_stat_shows_the_first_series_and_hints_at_the_rest(qtbot):
    body = _show(qtbot, StatBody(_stat_panel(), THEME))
    body.refresh(_data(_result(_series("a", [0.5], x=[NOW]), _series("b", [9.0], x=[NOW]), _series("c", [3.0], x=[NOW]))))
    assert (body.value_text, body.hint_text) == ("0.50 %", "+2 series")


def test_stat_sparkline_only_for_range_queries(qtbot):
    panel_color = QColor(THEME.color("panel"))
    body = _show(qtbot, StatBody(_stat_panel(), THEME), 480, 300)
    body.refresh(_data(_result(_series("err", [0.4], x=[NOW]))))
    bottom = _rgb(body)[-25:]
    assert _mask(bottom, panel_color.name()).all()  # instant: nothing below the number
    body.refresh(_data(_result(_series("err", 0.3 + 0.1 * np.sin(np.arange(300) / 9.0)))))
    bottom = _rgb(body)[-25:]
    assert (~_mask(bottom, panel_color.name())).sum() > 1000  # the sparkline's fill


def test_stat_dimmed_never_shows_live_colours(qtbot):
    body = _show(qtbot, StatBody(_stat_panel(), THEME))
    body.refresh(_data(_result(_series("err", 0.4 + np.zeros(100))), state=DataState.AUTH_FAILED))
    pixels = _rgb(body)
    assert body.value_text == "0.40 %"  # the last known value stays readable
    assert not _mask(pixels, THEME.color("ok")).any()
    assert _chroma(pixels).max() <= 40


def test_stat_number_fills_the_height_but_fits_the_width(qtbot):
    body = _show(qtbot, StatBody(_stat_panel(thresholds=(), unit="B/s", decimals=None), THEME), 300, 300)
    body.refresh(_data(_result(_series("net", [123456789.0], x=[NOW]))))
    lit = ~_mask(_rgb(body), THEME.color("panel"))
    cols, rows = np.flatnonzero(lit.any(axis=0)), np.flatnonzero(lit.any(axis=1))
    assert cols.min() >= 0 and cols.max() < 300 and (cols.max() - cols.min()) > 200  # wide text shrinks to fit
    tall = _show(qtbot, StatBody(_stat_panel(thresholds=(), unit="", decimals=None), THEME), 600, 300)
    tall.refresh(_data(_result(_series("n", [7.0], x=[NOW]))))
    lit = ~_mask(_rgb(tall), THEME.color("panel"))
    rows = np.flatnonzero(lit.any(axis=1))
    assert rows.max() - rows.min() > 300 * 0.35  # a short number is big


# -- gauge ----------------------------------------------------------------------------------
def _gauge_panel(**kw) -> PanelConfig:
    kw = {"thresholds": (Threshold(value=85, severity=WARN), Threshold(value=90, severity=CRIT)),
          "unit": "%", "min": 0.0, "max": 100.0, **kw}
    return PanelConfig(id="memory", kind="gauge", title="Memory", queries=(QueryConfig(expr="memory_percent"),), **kw)


def _at(pixels: np.ndarray, point) -> str:
    r, g, b = pixels[round(point.y()), round(point.x())]
    return QColor(int(r), int(g), int(b)).name()


def test_gauge_at_85_percent_is_a_warning(qtbot):
    body = _show(qtbot, GaugeBody(_gauge_panel(), THEME), 420, 360)
    body.refresh(_data(_result(_series("memory", [85.0], x=[NOW]))))
    assert (body.value_text, body.severity_text, body.value_color_key) == ("85 %", "WARNING ≥ 85 %", "warning")
    pixels = _rgb(body)
    assert _at(pixels, body.point_at(40)) == THEME.color("warning")  # filled arc up to the value
    assert _at(pixels, body.point_at(95)) == THEME.color("grid")  # the track beyond it is empty


def test_gauge_below_thresholds_is_ok_and_says_nothing(qtbot):
    body = _show(qtbot, GaugeBody(_gauge_panel(), THEME), 420, 360)
    body.refresh(_data(_result(_series("memory", [42.0], x=[NOW]))))
    assert (body.value_text, body.severity_text, body.value_color_key) == ("42 %", "", "ok")
    pixels = _rgb(body)
    assert _at(pixels, body.point_at(20)) == THEME.color("ok")
    assert _at(pixels, body.point_at(60)) == THEME.color("grid")


def test_gauge_out_of_range_value_pins_the_arc_but_shows_the_truth(qtbot):
    body = _show(qtbot, GaugeBody(_gauge_panel(), THEME), 420, 360)
    body.refresh(_data(_result(_series("memory", [130.0], x=[NOW]))))
    assert (body.value_text, body.severity_text) == ("130 %", "CRITICAL ≥ 90 %")
    assert _at(_rgb(body), body.point_at(99)) == THEME.color("critical")
    assert body.fraction(130.0) == 1.0 and body.fraction(-5.0) == 0.0


def test_gauge_threshold_bands_ring_the_arc(qtbot):
    body = _show(qtbot, GaugeBody(_gauge_panel(), THEME), 420, 360)
    body.refresh(_data(_result(_series("memory", [10.0], x=[NOW]))))
    pixels = _rgb(body)
    for key in ("ok", "warning", "critical"):
        assert _mask(pixels, THEME.color(key)).sum() > 50, f"no {key} band"


def test_gauge_dimmed_is_grey(qtbot):
    body = _show(qtbot, GaugeBody(_gauge_panel(), THEME), 420, 360)
    body.refresh(_data(_result(_series("memory", [95.0], x=[NOW])), state=DataState.STALE))
    pixels = _rgb(body)
    assert body.value_text == "95 %"
    assert _chroma(pixels).max() <= 40
    assert _at(pixels, body.point_at(50)) == THEME.color("stale")


def test_series_without_any_finite_value_leave_the_body_calm(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(), THEME), 400, 300)
    body.refresh(_data(_result(_series("a", np.full(50, np.nan)))))
    assert _mask(_rgb(body), THEME.color("panel")).all()


def test_gauge_without_thresholds_judges_nothing(qtbot):
    body = _show(qtbot, GaugeBody(_gauge_panel(thresholds=(), min=None, max=None), THEME), 420, 360)
    body.refresh(_data(_result(_series("load", [30.0], x=[NOW]))))
    assert (body.value_text, body.severity_text, body.value_color_key) == ("30 %", "", "text")
    pixels = _rgb(body)
    assert _at(pixels, body.point_at(15)) == THEME.series_color(0)  # neutral, not 'ok' green
    assert not _mask(pixels, THEME.color("ok")).any()  # and no band ring
    assert (body.lo, body.hi) == (0.0, 100.0)  # the defaults


# -- legend placement ---------------------------------------------------------------------
def _metrics(px=24) -> QFontMetricsF:
    font = QFont("DejaVu Sans")
    font.setPixelSize(px)
    return QFontMetricsF(font)


def test_legend_sits_on_the_right_when_it_fits(qapp):
    layout = plan_legend(["P50", "P95", "P99"], 100.0, _metrics(), width=1400, height=600, top=10, pad=8)
    assert layout.right_w > 0 and layout.bottom_h == 0 and layout.more == 0
    assert len({c.x for c in layout.cells}) == 1  # one column
    assert all(c.value_right <= 1400 - 8 for c in layout.cells)


def test_a_wide_legend_moves_below_the_plot_and_says_what_it_left_out(qapp):
    names = [f"instance-{i}.example.org:9100" for i in range(12)]
    layout = plan_legend(names, 120.0, _metrics(), width=600, height=500, top=10, pad=8)
    assert layout.right_w == 0 and 0 < layout.bottom_h <= 500 * 0.3 + 8
    assert layout.more > 0 and layout.more_at is not None
    assert len(layout.cells) + layout.more == len(names)
    assert all(c.value_right <= 600 - 8 + 0.5 and c.x >= 8 for c in layout.cells)


def test_a_one_row_legend_still_names_its_first_series_beside_the_more_count(qapp):
    # Node Exporter Full's "Memory Zswap" (a short, wide panel): its one legend row said only "+2 more".
    names = ["Zswap - Memory used by the zswap pool", "Zswap - Compressed pages", "Zswap - Written back"]
    metrics = _metrics(16)
    layout = plan_legend(names, 90.0, metrics, width=700, height=120, top=10, pad=6)
    (cell,) = layout.cells
    assert layout.more == 2 and layout.more_at is not None
    assert layout.more_at[0] >= cell.value_right  # "+2 more" after the value, not over it
    assert layout.more_at[0] + metrics.horizontalAdvance("+999 more") <= 700
    assert cell.name_w >= metrics.horizontalAdvance("M") * 6


def test_hundreds_of_series_draw_only_the_busiest_and_say_so(qtbot):
    from noc_app.widgets.timeseries_panel import MAX_DRAWN_SERIES

    rng = np.random.default_rng(7)
    many = [_series(f"s{i:03d}", rng.uniform(0, 10, 60)) for i in range(120)]
    spiky = _series("s077", np.r_[np.full(59, 1.0), 900.0])  # one spike must never be dropped
    many[77] = spiky
    body = _show(qtbot, TimeSeriesBody(_ts_panel(), THEME))
    body.refresh(_data(_result(*many)))
    assert len(body.legend) == MAX_DRAWN_SERIES
    assert body.omitted_series == 120 - MAX_DRAWN_SERIES
    assert "s077" in {entry.name for entry in body.legend}
    last = {s.name: float(s.y[-1]) for s in many}
    shown = [last[entry.name] for entry in body.legend]
    assert shown == sorted(shown, reverse=True)  # legend order: newest value, highest first


# -- timeseries: the legend stays where it is -------------------------------------------
def _legend_place(body: TimeSeriesBody) -> str:
    QApplication.processEvents()
    body.grab()  # lay out and paint, as a shown frame would
    return "right" if body._legend.right_w else "bottom"


def _phase(top: float, last: float) -> PanelData:
    """Two series on an axis up to `top`; series 'cpu' ends at `last` (its legend value)."""
    y = np.linspace(0.0, top, 60)
    return _data(_result(_series("cpu", np.append(y, last)), _series("memory", np.append(y, top / 2))))


NARROW, WIDE = 5.0, 0.0837  # "5.00 %" and "0.0837 %"


def _percent_panel() -> PanelConfig:
    return dataclasses.replace(_ts_panel(thresholds=()), unit="%")


def _place_alone(qtbot, width: int, data: PanelData) -> str:
    body = _show(qtbot, TimeSeriesBody(_percent_panel(), THEME), width, 300)
    body.refresh(data)
    return _legend_place(body)


def test_legend_does_not_jump_between_right_and_bottom(qtbot):
    # A width where a narrow last value fits the legend beside the plot and a wide one does not.
    width = next(
        (w for w in range(300, 1400, 20)
         if _place_alone(qtbot, w, _phase(10, NARROW)) == "right" and _place_alone(qtbot, w, _phase(10, WIDE)) == "bottom"),
        None,
    )
    assert width is not None, "no width separates the two placements: the check below would prove nothing"
    body = _show(qtbot, TimeSeriesBody(_percent_panel(), THEME), width, 300)
    places = []
    for top, last in ((10, NARROW), (10, WIDE), (50, NARROW), (50, WIDE), (10, NARROW)):
        body.refresh(_phase(top, last))  # the axis range changes too, which re-lays the legend out
        places.append(_legend_place(body))
    assert places == ["right"] + ["bottom"] * 4  # moves once, for the wider number, and stays
# -- +Inf and -Inf are values ---------------------------------------------------------------
INF = float("inf")


@pytest.mark.parametrize(
    ("values", "text", "caption", "color_key"),
    [
        ([0.5, 2.0, INF], "+Inf", "CRITICAL ≥ 5 %", "critical"),  # the worst value turns red
        ([INF, float("nan")], "+Inf", "CRITICAL ≥ 5 %", "critical"),  # a trailing gap is no value
        ([7.0, -INF], "-Inf", "", "ok"),
    ],
)
def test_stat_shows_and_judges_infinities(qtbot, values, text, caption, color_key):
    body = _show(qtbot, StatBody(_stat_panel(), THEME), 480, 300)
    body.refresh(_data(_result(_series("err", values))))
    assert (body.value_text, body.severity_text, body.value_color_key) == (text, caption, color_key)
    assert _mask(_rgb(body), THEME.color(color_key)).sum() > 500  # painted, in that colour


def test_stat_minus_inf_crosses_a_below_threshold(qtbot):
    panel = _stat_panel(thresholds=(Threshold(value=99.5, severity=CRIT, op="lt"),))
    body = _show(qtbot, StatBody(panel, THEME))
    body.refresh(_data(_result(_series("availability", [-INF], x=[NOW]))))
    assert (body.value_text, body.severity_text, body.severity) == ("-Inf", "CRITICAL < 99.5 %", CRIT)


def test_gauge_fraction_of_infinities(qtbot):
    body = GaugeBody(_gauge_panel(), THEME)
    qtbot.addWidget(body)
    assert body.fraction(INF) == 1.0
    assert body.fraction(-INF) == 0.0
    assert body.fraction(float("nan")) == 0.0
    assert body.fraction(50.0) == 0.5


def test_gauge_at_plus_inf_is_full_and_critical(qtbot):
    body = _show(qtbot, GaugeBody(_gauge_panel(), THEME), 420, 360)
    body.refresh(_data(_result(_series("memory", [40.0, INF]))))
    assert (body.value_text, body.severity_text, body.value_color_key) == ("+Inf", "CRITICAL ≥ 90 %", "critical")
    assert _at(_rgb(body), body.point_at(99)) == THEME.color("critical")


def test_timeseries_legend_says_plus_inf_and_the_line_still_draws(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0, thresholds=ERROR_RATE), THEME))
    y = np.concatenate([np.full(100, 0.5), [INF]])
    body.refresh(_data(_result(_series("errors", y))))
    assert [(e.value_text, e.color_key) for e in body.legend] == [("+Inf", "critical")]
    assert body.y_range is not None and math.isfinite(body.y_range.hi)  # the axis is not stretched to infinity
    pixels = _rgb(body)
    assert _mask(pixels, THEME.series_color(0)).sum() > 50  # the finite part of the line is drawn


def test_timeseries_of_only_infinities_shows_its_legend(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(thresholds=ERROR_RATE), THEME))
    body.refresh(_data(_result(_series("up", [INF, INF]), _series("down", [-INF]))))
    assert [e.value_text for e in body.legend] == ["+Inf", "-Inf"]
    _rgb(body)  # paints without an error


def test_legend_keeps_its_width_when_the_numbers_shrink(qtbot):
    body = _show(qtbot, TimeSeriesBody(_ts_panel(min=0.0, thresholds=()), THEME))
    body.refresh(_data(_result(_series("rate", np.linspace(1000.0, 25000.0, 60)))))
    _rgb(body)  # paint: lays out plot and legend
    wide_range, plot_right = body.y_range, body.plot_rect.right()
    body.refresh(_data(_result(_series("rate", np.linspace(1.0, 3.0, 60)))))
    _rgb(body)
    assert body.y_range != wide_range  # the axis stepped down: the background was rebuilt
    assert body.legend[0].value_text == "3 req/s"
    assert body.plot_rect.right() == plot_right  # ...but the legend kept its reserve: it did not jump


def test_a_long_configured_unit_is_cut_short_and_leaves_room_for_the_plot(qtbot):
    unit = "<font size=100>huge</font> evil\u202etxt.exe unit " * 3
    panel = PanelConfig(id="rate", kind="timeseries", title="Rate", unit=unit, queries=(QueryConfig(expr="x"),))
    body = _show(qtbot, TimeSeriesBody(panel, THEME))
    body.refresh(_data(_result(_series("rate", np.linspace(1.0, 3.0, 60)))))
    _rgb(body)
    assert body.legend[0].value_text == "3 <font size=…"
    assert body.plot_rect.width() > body.width() / 2
