"""The built-in demo wall end to end, in-process: real runtime, real widgets, offscreen."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage

from noc_app.app import LaunchOptions, build_windows
from noc_app.config.loader import load_builtin
from noc_app.model import DataState
from noc_app.runtime import Runtime


@pytest.fixture
def demo_wall(qtbot):
    config = load_builtin("demo")
    runtime = Runtime(config)
    windows = build_windows(config, runtime, LaunchOptions(), size=(1920, 1080))
    window = windows[0]
    qtbot.addWidget(window)
    window.show()
    runtime.start()
    yield config, runtime, window
    runtime.stop()


def _states(window):
    return {f.panel.id: f.state for f in window.panel_frames()}


def test_every_demo_panel_leaves_loading_for_ok(demo_wall, qtbot):
    config, runtime, window = demo_wall
    frames = window.panel_frames()
    assert len(frames) == len(config.dashboards[0].panels) == 13
    assert all(f.state is DataState.LOADING for f in frames)  # nothing polled yet
    # Rates (CPU, network) need two readings, so OK may take a second poll.
    qtbot.waitUntil(lambda: all(s is DataState.OK for s in _states(window).values()), timeout=15000)
    assert max(runtime.poll_counts.values()) <= 6, "should take only a few polls"


def test_demo_panels_are_labelled_demo_but_host_panels_are_not(demo_wall, qtbot):
    _, _, window = demo_wall
    qtbot.waitUntil(lambda: all(f.state is not DataState.LOADING for f in window.panel_frames()), timeout=15000)
    badges = {f.panel.id: f.badge_text for f in window.panel_frames()}
    assert badges["request_rate"] == "DEMO"
    assert badges["incidents"] == "DEMO"
    assert badges["cpu"] == ""  # real machine data is not a demo
    assert window.demo_banner_shown


def test_every_panel_region_has_drawn_content(demo_wall, qtbot):
    config, _, window = demo_wall
    qtbot.waitUntil(lambda: all(f.state is not DataState.LOADING for f in window.panel_frames()), timeout=15000)
    qtbot.wait(300)
    image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    for frame in window.panel_frames():
        top_left = frame.mapTo(window, QPoint(0, 0))
        region = image.copy(top_left.x(), top_left.y(), frame.width(), frame.height())
        colours = _distinct_colours(region)
        assert colours >= 4, f"panel {frame.panel.id} looks empty ({colours} colours)"


def _distinct_colours(image: QImage) -> int:
    ptr = image.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint32, count=image.width() * image.height())
    return int(np.unique(arr).size)
