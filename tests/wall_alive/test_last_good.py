"""Last good config (issue 12 item 7): the wall runs the last copy that loaded and says why; the tools never do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from noc_app.app import LaunchOptions, build_runtime, build_windows
from noc_app.cli import main
from noc_app.config.loader import ConfigError
from noc_app.last_good import copy_path, load_wall_config

GOOD = """\
version: 1
title: Last good wall
sources:
  - id: host
    kind: localhost
    interval: 1s
dashboards:
  - id: d
    title: D
    panels:
      - id: cpu
        kind: stat
        title: CPU
        source: host
        queries:
          - expr: cpu_percent
"""
BAD = GOOD.replace("kind: stat", "kind: statt").replace("title: Last good wall", "title: Edited wall")


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch) -> Path:
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


def test_a_good_load_is_copied_and_a_broken_edit_runs_the_copy(tmp_path: Path) -> None:
    path, store = tmp_path / "wall.yaml", tmp_path / "copies"
    path.write_text(GOOD)
    assert load_wall_config(str(path), directory=store).problem is None
    assert copy_path(str(path), store).read_text() == GOOD
    path.write_text(BAD)
    loaded = load_wall_config(str(path), directory=store)
    assert loaded.config.title == "Last good wall"
    assert loaded.problem is not None and loaded.problem.startswith("CONFIG ERROR, running the last good copy:")
    assert "statt" in loaded.problem
    assert copy_path(str(path), store).read_text() == GOOD  # the broken text never replaces the copy


def test_no_copy_means_the_error(tmp_path: Path) -> None:
    path = tmp_path / "wall.yaml"
    path.write_text(BAD)
    with pytest.raises(ConfigError):
        load_wall_config(str(path), directory=tmp_path / "copies")
    other = tmp_path / "other.yaml"  # copies are per config path: another file's copy is not used
    other.write_text(GOOD)
    load_wall_config(str(other), directory=tmp_path / "copies")
    with pytest.raises(ConfigError):
        load_wall_config(str(path), directory=tmp_path / "copies")


def test_wall_without_copy_exits_2_and_tools_never_fall_back(qapp, tmp_path: Path, state_home: Path, capsys) -> None:
    path = tmp_path / "wall.yaml"
    path.write_text(BAD)
    assert main(["--config", str(path), "--exit-after", "1"]) == 2
    assert "statt" in capsys.readouterr().err
    path.write_text(GOOD)
    load_wall_config(str(path))  # a good start: the copy exists now (under XDG_STATE_HOME)
    assert any(state_home.rglob("*.yaml"))
    path.write_text(BAD)
    assert main(["check-config", str(path)]) == 2
    assert main(["snapshot", "--config", str(path), "--after", "0.1"]) == 2
    out = tmp_path / "shot.png"
    assert main(["screenshot", "--config", str(path), "--after", "0.1", "--out", str(out)]) == 2
    assert not out.exists()


def test_the_wall_runs_the_copy_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "wall.yaml"
    path.write_text(GOOD)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path / "state"))
    command = [sys.executable, "-m", "noc_app", "--config", str(path), "--exit-after", "1"]
    first = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    path.write_text(BAD)
    second = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "CONFIG ERROR, running the last good copy" in second.stderr


def test_the_banner_is_plain_text_in_the_header(qtbot, tmp_path: Path) -> None:
    path, store = tmp_path / "wall.yaml", tmp_path / "copies"
    path.write_text(GOOD)
    load_wall_config(str(path), directory=store)
    path.write_text(BAD.replace("title: D", "title: <b>D</b>"))
    loaded = load_wall_config(str(path), directory=store)
    runtime = build_runtime(loaded.config)
    window = build_windows(loaded.config, runtime, LaunchOptions())[0]
    qtbot.addWidget(window)
    assert window.header.config_banner.isHidden()
    assert loaded.problem is not None
    window.show_config_banner(loaded.problem)
    banner = window.header.config_banner
    assert not banner.isHidden() and banner.full_text == loaded.problem
    assert banner.textFormat().name == "PlainText"
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    assert window.header.title.text() == "Last good wall"  # the banner takes the room left, not the title's
    assert banner.text() != banner.full_text  # a long error is elided in the header
