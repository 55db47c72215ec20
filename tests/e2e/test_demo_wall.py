"""The built-in demo wall end to end, in-process: real runtime, real widgets, offscreen."""

from __future__ import annotations

import pytest

from noc_app.app import LaunchOptions, build_windows
from noc_app.config.loader import load_builtin
from noc_app.model import DataState
from noc_app.runtime import Runtime
from noc_app.themes import load_theme

from wall_pixels import panel_problems, rgb_array


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


def test_every_panel_shows_what_an_operator_expects(demo_wall, qtbot):
    config, _, window = demo_wall
    qtbot.waitUntil(lambda: all(s is DataState.OK for s in _states(window).values()), timeout=15000)
    theme = load_theme(config.theme)
    qtbot.waitUntil(lambda: not panel_problems(window, theme, _picture(window), long_history=DEMO_HISTORY),
                    timeout=10000)
    assert panel_problems(window, theme, _picture(window), long_history=DEMO_HISTORY) == {}


def test_a_loading_wall_fails_the_same_check(qtbot):
    """Negative control: every panel of a wall that never polled is reported."""
    config = load_builtin("demo")
    runtime = Runtime(config)  # never started: every panel stays LOADING
    window = build_windows(config, runtime, LaunchOptions(), size=(1920, 1080))[0]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert all(s is DataState.LOADING for s in _states(window).values())
    problems = panel_problems(window, load_theme(config.theme), _picture(window), long_history=DEMO_HISTORY)
    assert set(problems) == {p.id for p in config.dashboards[0].panels if p.kind != "text"}


# Time-series panels fed by the simulated service, which comes with 30 minutes of history.
DEMO_HISTORY = {"request_rate", "latency"}


def _picture(window):
    return rgb_array(window.grab().toImage())
