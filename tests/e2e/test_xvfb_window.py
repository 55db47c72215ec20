"""A real window on a real X server (Xvfb): the xcb platform plugin and its libraries load."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from noc_app.themes import load_theme

from wall_pixels import rgb_array, screenshot_problems

REQUIRE = os.environ.get("NOC_REQUIRE_BACKENDS") == "1"


def _free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture
def xvfb_display():
    binary = shutil.which("Xvfb")
    if binary is None:
        message = "Xvfb is not installed (apt-get install xvfb)"
        if REQUIRE:
            pytest.fail(message)
        pytest.skip(message)
    number = _free_display()
    proc = subprocess.Popen([binary, f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 15
    while not socket.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"Xvfb did not start: {proc.stderr.read().decode(errors='replace')[-500:]}")
        time.sleep(0.05)
    yield f":{number}"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


# Grabs the whole X screen from a separate client, the way a person looking at it would.
GRAB = (
    "import sys\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication(sys.argv[:1])\n"
    "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1], 'PNG') else 1)\n"
)


def _x_env(display: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["DISPLAY"] = display
    return env


def _screen_problems(display: str, out: Path) -> list[str]:
    """Grab the X screen and judge it like a wall screenshot (see wall_pixels)."""
    grab = subprocess.run([sys.executable, "-c", GRAB, str(out)], check=False, capture_output=True, text=True,
                          env=_x_env(display), timeout=60)
    assert grab.returncode == 0, grab.stderr[-2000:]
    return screenshot_problems(rgb_array(QImage(str(out))), load_theme("dark"))


def test_demo_wall_shows_on_a_real_x_screen(xvfb_display, tmp_path):
    # Negative control first: the same check on the empty X screen fails.
    assert len(_screen_problems(xvfb_display, tmp_path / "empty.png")) == 2
    wall = subprocess.Popen(
        [sys.executable, "-m", "noc_app", "--exit-after", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_x_env(xvfb_display), cwd=tmp_path,
    )
    try:
        banner = wall.stderr.readline()  # the one line the wall prints once it is painted
        assert banner.startswith("noc-app: wall open (demo config, 1 screen)"), banner + wall.stderr.read()[-3000:]
        problems = _screen_problems(xvfb_display, tmp_path / "wall.png")
        while problems and wall.poll() is None:  # panels leave LOADING as their first polls answer
            problems = _screen_problems(xvfb_display, tmp_path / "wall.png")
        assert problems == []
    finally:
        wall.terminate()
        wall.wait(timeout=30)
    assert "Could not load the Qt platform plugin" not in wall.stderr.read()
