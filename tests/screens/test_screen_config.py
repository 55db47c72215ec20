"""`screens:` takes a monitor by index or by Qt name."""

from __future__ import annotations

import textwrap

import pytest

from noc_app.app import LaunchOptions, resolve_screens
from noc_app.config.loader import ConfigError, load_config_text

WALL = """
title: t
sources: [{id: demo, kind: demo}]
dashboards: [{id: one, title: One, panels: [{id: c, kind: clock, title: Clock}]}]
screens:
  - {id: a, screen: 1, dashboard: one}
  - {id: b, screen: "HDMI-1", dashboard: one}
  - {id: c, screen: 2, dashboard: one}
"""


def test_screen_by_index_or_name() -> None:
    config = load_config_text(textwrap.dedent(WALL), filename="wall.yaml")
    assert [(s.id, s.screen, s.screen_name) for s in config.screens] == [
        ("a", 1, None), ("b", 0, "HDMI-1"), ("c", 2, None),
    ]


def test_screen_option_overrides_names() -> None:
    config = load_config_text(textwrap.dedent(WALL), filename="wall.yaml")
    screens = resolve_screens(config, LaunchOptions(screen=1))
    assert [(s.screen, s.screen_name) for s in screens] == [(1, None), (2, None), (3, None)]


def test_quoted_number_is_not_a_name() -> None:
    with pytest.raises(ConfigError, match=r"screens\[2\]\.screen: expected a whole number"):
        load_config_text(textwrap.dedent(WALL).replace("screen: 2,", 'screen: "2",'), filename="wall.yaml")
