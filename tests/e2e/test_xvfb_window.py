"""A real window on a real X server (Xvfb): the xcb platform plugin and its libraries load."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def test_demo_wall_runs_in_a_real_x_window(xvfb_display, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["DISPLAY"] = xvfb_display
    proc = subprocess.run(
        [sys.executable, "-m", "noc_app", "--exit-after", "5", "--log-level", "INFO"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Could not load the Qt platform plugin" not in proc.stderr
    assert "first wall painted" in proc.stderr, proc.stderr[-3000:]
