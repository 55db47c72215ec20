"""Stat tiles: the title stays whole beside a state pill on a small tile; mappings, background mode, no-data text."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QApplication

from noc_app.config.panel_display import PanelDisplay, ValueMapping
from noc_app.config.schema import PanelConfig, QueryConfig, Threshold
from noc_app.model import DataState, QueryResult, Series, Severity
from noc_app.selectors import PanelData, PanelView
from noc_app.themes import load_theme
from noc_app.widgets.panel_frame import PanelFrame
from noc_app.widgets.scale import text_scale
from noc_app.widgets.stat_panel import StatBody

THEME = load_theme("dark")
NOW = 1_700_000_000.0
TITLE = "Availability 5m (SLO 99.9 %)"


def _stat(**kw) -> PanelConfig:
    return PanelConfig(id="avail", kind="stat", title=kw.pop("title", TITLE), source="src", unit="%",
                       queries=(QueryConfig(expr="x"),), **kw)


def _result(*values: float) -> QueryResult:
    y = np.array(values, dtype=float)
    return QueryResult.build([Series(key="k", name="k", labels={}, x=NOW - np.arange(y.size)[::-1], y=y)])


def _frame(qtbot, panel: PanelConfig, w: int, h: int, state: DataState, *, age_s: float | None = 252.0):
    frame = PanelFrame(panel, THEME)
    qtbot.addWidget(frame)
    frame.set_scale(text_scale(1080))
    frame.resize(w, h)
    frame.show()
    qtbot.waitExposed(frame)
    view = PanelView(state=state, age_s=age_s if state is DataState.STALE else None, message="connection refused",
                     badge="DEMO")
    frame.refresh(PanelData(view=view, now=NOW, results=(_result(99.96),)))
    frame.grab()  # paint, as a shown frame would
    return frame


@pytest.mark.parametrize("state", [DataState.STALE, DataState.UNREACHABLE])
def test_small_stale_tile_shows_the_whole_title_and_the_state(qtbot, state):
    frame = _frame(qtbot, _stat(), 320, 170, state)  # the demo's small tile at 1080p
    drawn, font, rect = frame.title_drawn
    assert drawn == TITLE  # not "Availabil…"
    assert QFontMetrics(font).horizontalAdvance(TITLE) <= rect.width()
    assert font.pixelSize() >= 0.8 * text_scale(1080).title_px
    assert frame.pill_text.startswith(state.value.split()[0])
    pill = frame.pill_drawn
    assert pill.width() > 0 and frame.rect().contains(pill.toAlignedRect())
    assert not pill.intersects(QRectF(rect))
    assert frame.body.geometry().top() >= pill.bottom()  # the body starts below the state row


def test_negative_control_the_one_row_title_bar_would_cut_the_title(qtbot, monkeypatch):
    monkeypatch.setattr(PanelFrame, "_wants_status_row", lambda self: False)
    frame = _frame(qtbot, _stat(), 320, 170, DataState.STALE)
    drawn, font, rect = frame.title_drawn
    assert drawn != TITLE or QFontMetrics(font).horizontalAdvance(TITLE) > rect.width()


def test_a_wide_tile_keeps_one_row(qtbot):
    frame = _frame(qtbot, _stat(), 900, 300, DataState.STALE)
    drawn, _, rect = frame.title_drawn
    assert drawn == TITLE
    assert frame.pill_drawn.top() < rect.bottom()  # same row as the title
    ok = _frame(qtbot, _stat(), 320, 170, DataState.OK)
    assert ok.title_drawn[0] == TITLE
    assert ok.body.geometry().top() < 40  # no second row for an OK tile (only the DEMO badge, which fits)


def _body(qtbot, panel: PanelConfig, results, state=DataState.OK, w=400, h=220) -> StatBody:
    body = StatBody(panel, THEME)
    qtbot.addWidget(body)
    body.set_text_px(20)
    body.resize(w, h)
    body.show()
    qtbot.waitExposed(body)
    body.refresh(PanelData(view=PanelView(state=state), now=NOW, results=results))
    QApplication.processEvents()
    return body


def test_value_mappings_show_words(qtbot):
    up_down = PanelDisplay(mappings=(ValueMapping(value=1, text="UP"), ValueMapping(value=0, text="DOWN")))
    panel = _stat(title="API", display=up_down, thresholds=(Threshold(value=1, severity=Severity.CRITICAL, op="lt"),))
    down = _body(qtbot, panel, (_result(1, 0),))
    assert down.value_text == "DOWN"
    assert down.value_color_key == "critical"  # judged as the number 0
    assert _body(qtbot, panel, (_result(0, 1),)).value_text == "UP"
    assert _body(qtbot, panel, (_result(0.5),)).value_text == "0.5 %"


def _center_color(body: StatBody) -> QColor:
    return body.grab().toImage().pixelColor(4, 4)  # a corner: fill, not text


def test_background_mode_fills_the_tile_with_the_severity(qtbot):
    thresholds = (Threshold(value=99.9, severity=Severity.WARNING, op="lt"),
                  Threshold(value=99.0, severity=Severity.CRITICAL, op="lt"))
    panel = _stat(display=PanelDisplay(color_mode="background"), thresholds=thresholds)
    assert _center_color(_body(qtbot, panel, (_result(99.5),))) == QColor(THEME.color("warning"))
    assert _center_color(_body(qtbot, panel, (_result(98.0),))) == QColor(THEME.color("critical"))
    assert _center_color(_body(qtbot, panel, (_result(99.95),))) == QColor(THEME.color("ok"))
    # stale: never a live colour
    assert _center_color(_body(qtbot, panel, (_result(98.0),), DataState.STALE)) == QColor(THEME.color("stale"))
    plain = _stat(thresholds=thresholds)
    assert _center_color(_body(qtbot, plain, (_result(98.0),))) == QColor(THEME.color("panel"))


def test_no_data_text_is_written_in_the_tile(qtbot):
    panel = _stat(display=PanelDisplay(no_data_text="no orders yet"))
    empty = _body(qtbot, panel, (QueryResult.build([]),), DataState.NO_DATA)
    image = empty.grab().toImage()
    dim = QColor(THEME.color("text_dim"))
    assert any(image.pixelColor(x, y) == dim for x in range(0, image.width(), 2) for y in range(image.height()))
    calm = _body(qtbot, _stat(), (QueryResult.build([]),), DataState.NO_DATA)
    image = calm.grab().toImage()
    assert not any(image.pixelColor(x, y) == dim for x in range(0, image.width(), 2) for y in range(image.height()))
