"""The `display:` section: lengths with units, night dimming, pixel shift, per-screen overrides, errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from noc_app.config.display_schema import DisplayConfig, NightDimConfig, PixelShiftConfig
from noc_app.config.lengths import LengthError, parse_length_mm
from noc_app.config.loader import ConfigError, load_config_text

BASE = """
title: t
sources: [{id: demo, kind: demo}]
dashboards: [{id: one, title: One, panels: [{id: c, kind: clock, title: Clock}]}]
"""


def _load(extra: str):
    return load_config_text(textwrap.dedent(BASE) + textwrap.dedent(extra), filename="wall.yaml")


def test_display_keys_with_units():
    config = _load("""
        display:
          viewing_distance: 4m
          diagonal: 65in
          night: {from: "22:30", to: "06:00", level: 0.6}
          pixel_shift: {every: 5m, max: 3}
          inhibit_blanking: false
    """)
    assert config.display == DisplayConfig(
        viewing_distance_mm=4000.0, diagonal_mm=65 * 25.4, night=NightDimConfig(start_min=22 * 60 + 30, end_min=360,
                                                                                 level=0.6),
        pixel_shift=PixelShiftConfig(every_s=300.0, max_px=3), inhibit_blanking=False,
    )


def test_no_display_section_keeps_todays_look():
    assert _load("").display == DisplayConfig()


@pytest.mark.parametrize(("text", "unit", "mm"), [
    ("4m", "m", 4000.0), ("350cm", "m", 3500.0), ("13ft", "m", 13 * 304.8), ("4", "m", 4000.0),
    ('65"', "in", 65 * 25.4), ("1651mm", "in", 1651.0), ("65", "in", 65 * 25.4), (5, "m", 5000.0),
])
def test_lengths(text, unit, mm):
    assert parse_length_mm(text, unit) == pytest.approx(mm)


@pytest.mark.parametrize("bad", ["four metres", "-4m", "0", "4 parsecs", True, None])
def test_bad_lengths_say_what_a_length_looks_like(bad):
    with pytest.raises(LengthError, match="expected a length like 4m"):
        parse_length_mm(bad, "m")


def test_a_screen_overrides_the_top_level_display():
    config = _load("""
        display: {viewing_distance: 4m, diagonal: 65in}
        screens:
          - {id: near, screen: 0, dashboard: one}
          - {id: far, screen: 1, dashboard: one, display: {viewing_distance: 8m}}
    """)
    near, far = config.screens
    assert near.display is None  # the window takes the top level's
    assert far.display == DisplayConfig(viewing_distance_mm=8000.0, diagonal_mm=65 * 25.4)


def test_every_problem_is_reported_with_its_place():
    with pytest.raises(ConfigError) as caught:
        _load("""
            display:
              viewing_distance: 400m
              diagonal: huge
              night: {from: "25:00", level: 0.95}
              pixel_shift: {every: 1s, max: 40}
              brightness: 3
        """)
    text = str(caught.value)
    for expected in (
        "display.viewing_distance: expected 0.3m to 50m, got '400m'",
        "display.diagonal: expected a length like 65in",
        "display.night.from: expected a local time like 22:00, got '25:00'",
        "display.night: missing required key 'to'",
        "display.night.level:",
        "display.pixel_shift.every:",
        "display.pixel_shift.max:",
        "display.brightness: unknown key 'brightness'",
    ):
        assert expected in text, f"{expected!r} not in:\n{text}"


def test_same_start_and_end_is_an_empty_range():
    with pytest.raises(ConfigError, match="'from' and 'to' are the same time"):
        _load("""
            display: {night: {from: "22:00", to: "22:00"}}
        """)


def test_check_config_reports_display_problems(tmp_path):
    path = tmp_path / "wall.yaml"
    path.write_text(textwrap.dedent(BASE) + "display: {viewing_distance: far}\n")
    done = subprocess.run([sys.executable, "-m", "noc_app", "check-config", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "wall.yaml:5:" in done.stdout + done.stderr and "display.viewing_distance" in done.stdout + done.stderr


def test_each_window_takes_its_screens_display(qtbot):
    from noc_app.app import LaunchOptions, build_runtime, build_windows
    from noc_app.widgets.viewing_scale import window_text_scale

    config = _load("""
        display: {viewing_distance: 4m, diagonal: 65in}
        screens:
          - {id: near, screen: 0, dashboard: one}
          - {id: far, screen: 1, dashboard: one, display: {viewing_distance: 8m}}
    """)
    runtime = build_runtime(config)
    near, far = build_windows(config, runtime, LaunchOptions(), size=(3840, 2160))
    for window in (near, far):
        qtbot.addWidget(window)
    assert near.display_config.viewing_distance_mm == 4000.0 and far.display_config.viewing_distance_mm == 8000.0
    near_scale, far_scale = window_text_scale(near), window_text_scale(far)
    assert (near_scale.major_px, near_scale.minor_px) == (70, 44)
    assert far_scale.major_px > 1.9 * near_scale.major_px  # twice as far: twice the size
