"""The SLO panel body draws the figures computed from its queries (pytest-qt)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from noc_app.config.loader import load_builtin
from noc_app.model import DataState, QueryResult, Series
from noc_app.selectors import PanelData, PanelView
from noc_app.themes import load_theme
from noc_app.widgets.panel_factory import PanelBody, make_body
from noc_app.widgets.slo_panel import SloBody

NOW = 1_800_000_000.0 + 1800.0  # half past an hour
HOUR = 3600.0


def _panel():
    config = load_builtin("demo")
    return next(p for d in config.dashboards for p in d.panels if p.id == "availability_slo")


def _series(x, y) -> QueryResult:
    return QueryResult.build([Series(key="{}", name="x", labels={}, x=np.asarray(x, float), y=np.asarray(y, float))])


def _results(bad_per_hour: float, current_bad: float):
    """30 days of 1000 requests an hour (as per-second rates over each hour)."""
    t = np.arange(np.ceil((NOW - 30 * 86400 + HOUR) / HOUR), np.floor(NOW / HOUR) + 1) * HOUR
    total = np.full(t.size, 1000 / HOUR)
    good = total - bad_per_hour / HOUR
    return (_series(t, good), _series(t, total), _series([NOW], [(1000 - current_bad) / HOUR]),
            _series([NOW], [1000 / HOUR]))


def _show(qtbot, body, w=1200, h=1100):
    qtbot.addWidget(body)
    body.set_text_px(24)
    body.resize(w, h)
    body.show()
    qtbot.waitExposed(body)
    QApplication.processEvents()
    return body


def _pixels(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return raw[:, : image.width(), 2::-1].copy()


def _count(pixels: np.ndarray, color: str) -> int:
    rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
    return int(np.count_nonzero(np.all(np.abs(pixels.astype(int) - rgb) <= 8, axis=-1)))


def test_factory_builds_an_slo_body_that_follows_the_contract(qtbot):
    body = make_body(_panel(), load_theme("dark"))
    qtbot.addWidget(body)
    assert isinstance(body, SloBody) and isinstance(body, PanelBody)


def test_half_the_budget_spent_reads_and_draws_as_such(qtbot):
    theme = load_theme("dark")
    body = _show(qtbot, SloBody(_panel(), theme))
    # 0.5 bad per 1000 requests an hour: 99.95 %, half the 99.9 % budget left; 5 bad now: burning at 5x
    body.refresh(PanelData(view=PanelView(state=DataState.OK), now=NOW, results=_results(0.5, 5.0)))
    status = body.status
    assert status is not None and status.attainment == pytest.approx(0.9995)
    assert status.budget_remaining == pytest.approx(0.5)
    assert status.budget_remaining_min == pytest.approx(21.6)
    assert status.burn_rate == pytest.approx(5.0)
    assert status.exhaustion_s == pytest.approx(0.5 * 30 * 86400 / 5)  # 3 d
    assert body.verdict == ("MET · target 99.9 %", "ok")
    QApplication.processEvents()
    assert _count(_pixels(body), theme.color("ok")) > 2000  # the figures and the burn-down line


def test_an_overspent_budget_turns_critical(qtbot):
    theme = load_theme("dark")
    body = _show(qtbot, SloBody(_panel(), theme))
    body.refresh(PanelData(view=PanelView(state=DataState.OK), now=NOW, results=_results(2.0, 2.0)))
    assert body.status is not None and body.status.budget_remaining == pytest.approx(-1.0)
    assert body.verdict[1] == "critical" and body.budget_color_key == "critical"
    QApplication.processEvents()
    assert _count(_pixels(body), theme.color("critical")) > 2000


def test_a_query_error_is_shown_not_computed(qtbot):
    body = _show(qtbot, SloBody(_panel(), load_theme("dark")))
    broken = (QueryResult.build(error="bad_data: parse error"), *_results(0.5, 0.5)[1:])
    body.refresh(PanelData(view=PanelView(state=DataState.OK), now=NOW, results=broken))
    assert body.status is None and "parse error" in body.problem
