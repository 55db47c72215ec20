"""sd_notify (issue 12 item 7): READY=1 after the first paint, WATCHDOG=1 only while the GUI thread runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer

from noc_app.sd_notify import Notifier, socket_address, start_watchdog, watchdog_interval_s


def _receiver(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.setblocking(False)
    return sock


def _drain(sock: socket.socket) -> list[str]:
    out = []
    while True:
        try:
            out.append(sock.recv(4096).decode())
        except BlockingIOError:
            return out


def test_watchdog_interval_is_half_of_watchdog_usec() -> None:
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval_s({}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) == 15.0  # child of cage
    assert socket_address("@noc/notify") == "\0noc/notify"
    assert socket_address("/run/user/1000/notify") == "/run/user/1000/notify"


def test_no_notify_socket_sends_nothing() -> None:
    notifier = Notifier({"WATCHDOG_USEC": "1000000"})
    assert not notifier.enabled and not notifier.ready()
    assert start_watchdog(notifier, QObject()) is None


def test_abstract_namespace_socket(tmp_path: Path) -> None:
    name = f"noc-test-{os.getpid()}-{tmp_path.name}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).ready()
        assert sock.recv(100) == b"READY=1"


def test_watchdog_pings_stop_while_the_gui_thread_is_blocked(qtbot, tmp_path: Path) -> None:
    sock = _receiver(tmp_path / "notify")
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "100000"})  # ping every 50 ms
    parent = QObject()
    timer = start_watchdog(notifier, parent)
    assert timer is not None
    got: list[str] = []
    qtbot.waitUntil(lambda: got.extend(_drain(sock)) or got.count("WATCHDOG=1") >= 3, timeout=10_000)

    during_block: list[str] = []
    blocked = []

    def hang() -> None:  # the GUI thread is busy: a hung wall
        _drain(sock)
        time.sleep(0.6)  # twelve intervals
        during_block.extend(_drain(sock))
        blocked.append(True)

    QTimer.singleShot(0, hang)
    qtbot.waitUntil(lambda: bool(blocked), timeout=10_000)
    assert during_block == []
    resumed: list[str] = []
    qtbot.waitUntil(lambda: resumed.extend(_drain(sock)) or "WATCHDOG=1" in resumed, timeout=10_000)
    timer.stop()
    sock.close()


def test_the_wall_says_ready_pings_and_stopping(tmp_path: Path) -> None:
    sock = _receiver(tmp_path / "notify")
    env = {k: v for k, v in os.environ.items() if k not in ("WATCHDOG_PID",)}
    # A ping a second: the receiver reads at the end, and its queue (10 datagrams) never fills.
    env.update(QT_QPA_PLATFORM="offscreen", NOTIFY_SOCKET=str(tmp_path / "notify"), WATCHDOG_USEC="2000000")
    result = subprocess.run(
        [sys.executable, "-m", "noc_app", "--exit-after", "3"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    messages = _drain(sock)
    sock.close()
    assert messages[0] == "READY=1", messages
    assert "WATCHDOG=1" in messages
    assert messages[-1] == "STOPPING=1"


@pytest.fixture(autouse=True)
def _no_inherited_socket(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
