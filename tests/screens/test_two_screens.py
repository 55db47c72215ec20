"""Two monitors from one process: Qt's offscreen plugin with two screens, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TWO_SCREENS = {"screens": [
    {"name": "left", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1},
    {"name": "right", "x": 1920, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "logicalBaseDpi": 96,
     "dpr": 1},
]}


@pytest.fixture
def two_screen_env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(TWO_SCREENS), encoding="utf-8")
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    return env


def test_hot_plug_moves_windows_and_keeps_them(two_screen_env: dict[str, str]) -> None:
    out = subprocess.run(
        [sys.executable, str(HERE / "two_screens_probe.py")], env=two_screen_env, capture_output=True, text=True,
        timeout=120, check=True,
    ).stdout
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["screens"] == ["left", "right"]
    # start: a on left, b on right by name, c (screen 5) rotates on the last monitor, b shown first
    assert seen["start"]["on"] == {"a": "left", "b": "right", "c": None}
    assert seen["start"]["x"]["a"] < 1920 <= seen["start"]["x"]["b"]
    assert len(seen["start"]["problems"]) == 1 and "screen 5" in seen["start"]["problems"][0]
    assert seen["turn"]["on"] == {"a": "left", "b": None, "c": "right"}
    # right unplugged: b and c take turns on left after a
    assert seen["unplugged"]["on"] == {"a": "left", "b": None, "c": None}
    assert len(seen["unplugged"]["problems"]) == 2
    # right back: b returns to it
    assert seen["replugged"]["on"] == {"a": "left", "b": "right", "c": None}
    assert seen["replugged"]["x"]["b"] >= 1920
    assert seen["same_objects"] is True
    assert seen["texts"] == {"a": "content of a", "b": "content of b", "c": "content of c"}


def test_wall_with_a_missing_monitor_runs(two_screen_env: dict[str, str], tmp_path: Path) -> None:
    """The real app, three screens configured on two monitors: a warning, no exit 2."""
    config = tmp_path / "wall.yaml"
    config.write_text(
        "title: Two screens\n"
        "sources:\n  - {id: demo, kind: demo}\n"
        "dashboards:\n"
        "  - {id: one, title: One, panels: [{id: c, kind: clock, title: Clock}]}\n"
        "screens:\n"
        "  - {id: first, screen: 0, dashboard: one}\n"
        "  - {id: second, screen: right, dashboard: one}\n"
        "  - {id: third, screen: 7, dashboard: one}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "noc_app", "--config", str(config), "--exit-after", "1"],
        env=two_screen_env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "screen 7 is not attached" in done.stderr
    assert "3 screens" in done.stderr
