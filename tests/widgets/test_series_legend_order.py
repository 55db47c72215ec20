"""Time-series legend: sorted by newest value, distinct colour/dash pairs, regex colour overrides, band option."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from noc_app.config.panel_display import PanelDisplay, SeriesColor
from noc_app.config.schema import PanelConfig, QueryConfig, Threshold
from noc_app.model import DataState, QueryResult, Series, Severity
from noc_app.selectors import PanelData, PanelView
from noc_app.legend_order import SeriesStats, legend_order, series_stats, steady_legend_order
from noc_app.themes import THEME_NAMES, load_theme
from noc_app.widgets.series_palette import DASH_NAMES, series_styles
from noc_app.widgets.timeseries_panel import TimeSeriesBody

NOW = 1_700_000_000.0
THEME = load_theme("dark")
ROUTES = ["DELETE 200", "DELETE 404", "GET 200", "GET 404", "GET 500", "PATCH 200", "POST 200", "POST 503",
          "PUT 200", "PUT 409", "HEAD 200", "OPTIONS 204"]
RATES = {"GET 200": 360.0, "POST 200": 120.0, "GET 404": 13.1, "POST 503": 4.2, "PUT 200": 2.5}


def _series(name: str, y) -> Series:
    y = np.asarray(y, dtype=np.float64)
    x = NOW - (y.size - 1) * 2.0 + np.arange(y.size) * 2.0
    return Series(key=name, name=name, labels={}, x=x, y=y)


def _route_series() -> list[Series]:
    return [_series(name, np.full(30, RATES.get(name, 0.0))) for name in ROUTES]


def _panel(**display) -> PanelConfig:
    return PanelConfig(id="rate", kind="timeseries", title="Request Rate", unit="req/s", window_s=1800.0,
                       queries=(QueryConfig(expr="x"),), display=PanelDisplay(**display),
                       thresholds=(Threshold(value=1000, severity=Severity.CRITICAL),))


def _body(qtbot, panel: PanelConfig, series: list[Series], w=1200, h=700) -> TimeSeriesBody:
    body = TimeSeriesBody(panel, THEME)
    qtbot.addWidget(body)
    body.set_text_px(20)
    body.resize(w, h)
    body.show()
    qtbot.waitExposed(body)
    body.refresh(PanelData(view=PanelView(state=DataState.OK), now=NOW, results=(QueryResult.build(series),)))
    QApplication.processEvents()
    return body


# -- pure ------------------------------------------------------------------------------
def test_legend_order_by_last_value_descending_puts_the_busy_series_first():
    stats = [series_stats(s.name, s.y) for s in _route_series()]
    ordered = [ROUTES[i] for i in legend_order(stats)]
    assert ordered[:5] == ["GET 200", "POST 200", "GET 404", "POST 503", "PUT 200"]
    assert ordered[5:] == [r for r in ROUTES if r not in RATES]  # zeros keep their given order


def test_legend_order_other_keys_and_missing_values_last():
    stats = [SeriesStats("b", 5.0, 9.0, 1.0), SeriesStats("a", math.nan, math.nan, math.nan),
             SeriesStats("c", 7.0, 8.0, 3.0), SeriesStats("d", math.inf, math.inf, math.inf)]
    assert legend_order(stats, "last") == [3, 2, 0, 1]
    assert legend_order(stats, "last", "asc") == [0, 2, 3, 1]
    assert legend_order(stats, "max") == [3, 0, 2, 1]
    assert legend_order(stats, "mean") == [3, 2, 0, 1]
    assert legend_order(stats, "name", "asc") == [1, 0, 2, 3]


def _stats(**values: float) -> tuple[list[SeriesStats], list[str]]:
    return [SeriesStats(k, v, v, v) for k, v in values.items()], list(values)


def test_steady_order_keeps_near_equal_series_in_place_and_lets_a_clear_leader_pass():
    stats, keys = _stats(a=12.1, b=11.7, c=0.0)
    assert steady_legend_order(stats, keys, ["b", "a", "c"]) == [1, 0, 2]  # 12.1 is not clearly ahead of 11.7
    stats, keys = _stats(a=15.0, b=11.7, c=0.0)
    assert steady_legend_order(stats, keys, ["b", "a", "c"]) == [0, 1, 2]  # 15 is
    stats, keys = _stats(a=1.0, new=50.0, b=0.5)
    assert steady_legend_order(stats, keys, ["a", "b"]) == [1, 0, 2]  # a new busy series goes to the top
    stats, keys = _stats(a=math.nan, b=0.0)
    assert steady_legend_order(stats, keys, ["a", "b"]) == [1, 0]  # no value falls behind any value
    assert steady_legend_order(*_stats(a=1.0, b=2.0), []) == [1, 0]  # first time: a plain sort


def test_series_stats_skip_gaps():
    stats = series_stats("x", np.array([1.0, 5.0, math.nan, 3.0, math.nan]))
    assert (stats.last, stats.max, stats.mean) == (3.0, 5.0, 3.0)
    assert math.isnan(series_stats("x", np.array([math.nan])).last)


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_every_theme_has_ten_colours_and_twelve_series_get_twelve_pairs(theme):
    palette = load_theme(theme).series
    assert len(set(palette)) >= 10
    styles = series_styles(list(range(12)), ROUTES, palette)
    assert len({(s.color, s.dash) for s in styles}) == 12
    assert len({s.color for s in styles[:10]}) == 10 and all(s.dash == 0 for s in styles[:10])  # colours first


def test_forty_series_are_still_distinct_and_overrides_never_collide():
    rules = (SeriesColor(pattern=r"5\d\d", color=THEME.series[0]),)
    names = [f"s{i} {'503' if i % 10 == 0 else '200'}" for i in range(40)]
    styles = series_styles(list(range(40)), names, THEME.series, rules)
    assert len({(s.color, s.dash) for s in styles}) == 40
    assert [s.color for s in styles[::10]] == [THEME.series[0]] * 4  # four 5xx series: one colour, four dashes
    assert all(s.dash in range(len(DASH_NAMES)) for s in styles)


# -- widget ----------------------------------------------------------------------------
def test_twelve_series_widget_distinct_pairs_and_busy_first(qtbot):
    body = _body(qtbot, _panel(), _route_series())
    legend = body.legend
    assert len(legend) == 12
    assert len({(e.style.color, e.style.dash) for e in legend}) == 12
    assert [e.name for e in legend[:3]] == ["GET 200", "POST 200", "GET 404"]
    assert legend[0].value_text.startswith("360")


def test_near_equal_series_do_not_swap_places_between_updates(qtbot):
    body = _body(qtbot, _panel(), [_series("POST 200", np.full(30, 11.7)), _series("GET 404", np.full(30, 12.1))])
    assert [e.name for e in body.legend] == ["GET 404", "POST 200"]
    body.grab()
    background = body._background
    swapped = [_series("POST 200", np.full(30, 12.2)), _series("GET 404", np.full(30, 11.9))]
    body.refresh(PanelData(view=PanelView(state=DataState.OK), now=NOW + 2, results=(QueryResult.build(swapped),)))
    assert [e.name for e in body.legend] == ["GET 404", "POST 200"]  # kept: POST is not clearly ahead
    assert body._background is background  # and the legend was not laid out again
    ahead = [_series("POST 200", np.full(30, 30.0)), _series("GET 404", np.full(30, 11.9))]
    body.refresh(PanelData(view=PanelView(state=DataState.OK), now=NOW + 4, results=(QueryResult.build(ahead),)))
    assert [e.name for e in body.legend] == ["POST 200", "GET 404"]


def test_a_regex_override_colours_its_series_in_the_plot(qtbot):
    red = "#ff0000"
    body = _body(qtbot, _panel(series_colors=(SeriesColor(pattern=r"^POST 503$", color=red),)), _route_series())
    styles = {e.name: e.style for e in body.legend}
    assert styles["POST 503"].color == red
    assert all(s.color != red for n, s in styles.items() if n != "POST 503")
    image = body.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    r = body.plot_rect.toAlignedRect()
    c = QColor(red)
    found = any(image.pixelColor(x, y) == c for x in range(r.left(), r.right(), 3) for y in range(r.top(), r.bottom()))
    assert found


def _plot_tint_rows(body: TimeSeriesBody) -> int:
    """Rows of the plot whose left edge is not the panel colour (a band tints them)."""
    image = body.grab().toImage()
    r = body.plot_rect.toAlignedRect()
    panel = QColor(THEME.color("panel"))
    x = r.left() + 3
    return sum(1 for y in range(r.top() + 2, r.bottom() - 2) if image.pixelColor(x, y) != panel
               and image.pixelColor(x, y) != QColor(THEME.color("grid")))


def test_thresholds_are_lines_unless_configured_as_bands(qtbot):
    low = [_series("rps", np.full(30, 100.0))]  # every value below the 150 threshold

    def panel(style: str) -> PanelConfig:
        return PanelConfig(id="rate", kind="timeseries", title="Request Rate", unit="req/s", window_s=1800.0,
                           queries=(QueryConfig(expr="x"),), min=0.0, display=PanelDisplay(thresholds_style=style),
                           thresholds=(Threshold(value=150, severity=Severity.WARNING),))

    lines = _body(qtbot, panel("line"), low)
    assert lines.y_range is not None and lines.y_range.hi > 150  # the level is in view
    assert _plot_tint_rows(lines) < 8  # only the dashed level and the data line: no shaded area
    assert _plot_tint_rows(_body(qtbot, panel("band"), low)) > 20
