"""Start-up problems are one message and exit 2, never a Qt abort (issue 12 item 9)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from noc_app.startup_checks import (
    display_problem,
    missing_xcb_libraries,
    uses_xcb,
    wayland_answers,
    x_server_answers,
)

X_ENV = {"DISPLAY": ":42"}


def test_missing_xcb_libraries_are_named_as_debian_packages() -> None:
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    problem = display_problem(X_ENV, answers=lambda _d: True, loads=lambda so: so not in absent)
    assert problem is not None
    assert "apt-get install libxcb-icccm4 libxcb-keysyms1" in problem
    assert missing_xcb_libraries(lambda so: so != "libxcb-cursor.so.0") == ("libxcb-cursor0",)


def test_all_libraries_and_a_server_is_no_problem() -> None:
    assert display_problem(X_ENV, answers=lambda _d: True, loads=lambda _so: True) is None


def test_a_display_without_server_is_named() -> None:
    problem = display_problem(X_ENV, answers=lambda _d: False, loads=lambda _so: True)
    assert problem is not None and problem.startswith("DISPLAY=:42 has no X server")


def test_a_dead_wayland_display_is_named_and_a_live_one_passes(tmp_path: Path) -> None:
    env = {"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}
    problem = display_problem(env, answers=lambda _d: True, loads=lambda _so: True)
    assert problem is not None and problem.startswith("WAYLAND_DISPLAY=wayland-9 has no Wayland compositor")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(tmp_path / "wayland-9"))
        server.listen(1)
        assert wayland_answers(env)
        assert display_problem(env, answers=lambda _d: False, loads=lambda _so: False) is None


def test_wayland_and_offscreen_are_not_checked_as_x11() -> None:
    never = {"answers": lambda _d: False, "loads": lambda _so: False, "wayland_ok": lambda _e: True}
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, **never) is None  # type: ignore[arg-type]
    assert display_problem({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, **never) is None  # type: ignore[arg-type]
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"})


def test_x_server_socket_probe(tmp_path: Path) -> None:
    assert not x_server_answers(":7", socket_dir=str(tmp_path))
    assert not x_server_answers("garbage", socket_dir=str(tmp_path))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(tmp_path / "X7"))
        server.listen(1)
        assert x_server_answers(":7", socket_dir=str(tmp_path))
        assert x_server_answers(":7.0", socket_dir=str(tmp_path))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 DISPLAY semantics")
def test_the_app_with_a_dead_display_exits_2_with_one_line(tmp_path: Path) -> None:
    display = ":97"
    assert not x_server_answers(display), "something listens on :97 on this machine"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = display
    result = subprocess.run(
        [sys.executable, "-m", "noc_app", "--exit-after", "2"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("noc-app: DISPLAY=:97 has no X server")
    assert not list(tmp_path.glob("core*"))
