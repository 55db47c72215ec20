"""Held at a viewing distance's sizes, every panel kind still keeps its texts inside and apart.

The panel-kinds fit check (tests/widgets/test_panel_kinds.py) with a `display:` of 4 m on a 65"
screen: the bodies drop detail (rows, ticks, words) rather than draw over each other.
"""

from __future__ import annotations

import pytest

from noc_app.viewing import size_from_diagonal, text_floors
from noc_app.widgets import dashboard_view
from noc_app.widgets.scale import text_scale
from tests.widgets.test_panel_kinds import KINDS, Wall, _apdex_panel, _linear_heatmap, _texts_fit

# A 65" 3840x2160 screen seen from 4 m: titles 70 px, secondary text 44 px.
FLOORS = text_floors(4000.0, size_from_diagonal(3840, 2160, 65 * 25.4, "configured"), 2160)


@pytest.mark.parametrize("size", [(960, 540), (1920, 1080)], ids=["quarter", "half"])
@pytest.mark.parametrize("kind", [*KINDS, "heatmap-linear", "apdex-off-bound"])
def test_texts_fit_at_a_viewing_distance(qtbot, monkeypatch, kind, size):
    # The panel is one part of a 4K wall: the window's sizes are those of a 2160-row window.
    monkeypatch.setattr(dashboard_view, "window_text_scale", lambda widget: text_scale(2160, FLOORS))
    if kind == "heatmap-linear":
        make, good = _linear_heatmap, KINDS["heatmap"][1]
    elif kind == "apdex-off-bound":
        make, good = (lambda: _apdex_panel(0.3)), KINDS["apdex"][1]
    else:
        make, good = KINDS[kind][0], KINDS[kind][1]
    wall = Wall(qtbot, make(), size=size)
    wall.feed(good())
    assert (wall.frame._scale.major_px, wall.frame._scale.minor_px) == (70, 44)
    assert wall.body.text_boxes
    assert _texts_fit(wall.body) == []
