"""systemd notifications (sd_notify) without a dependency: READY=1 and watchdog pings.

The watchdog pings come from a QTimer on the GUI thread only: a hung GUI thread (a wall
that still runs but no longer paints) stops them, and systemd (WatchdogSec in the unit)
kills and restarts the app.  With NOTIFY_SOCKET unset (not started by systemd) nothing is sent.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)


def socket_address(value: str) -> str:
    """NOTIFY_SOCKET as a socket address: a leading '@' names the Linux abstract namespace."""
    return "\0" + value[1:] if value.startswith("@") else value


def watchdog_interval_s(env: Mapping[str, str]) -> float | None:
    """Half of WATCHDOG_USEC (systemd's advice), or None when no watchdog is asked for.

    WATCHDOG_PID is not checked (unlike sd_watchdog_enabled): under a kiosk compositor
    (`cage -- noc-app`, NotifyAccess=all) the watched main process is the compositor and
    the wall, its child, is what must ping.
    """
    usec = env.get("WATCHDOG_USEC", "")
    if not usec.isdigit() or int(usec) <= 0:
        return None
    return int(usec) / 2 / 1_000_000


class Notifier:
    """Sends datagrams to NOTIFY_SOCKET; every failure is logged once and otherwise ignored."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.address = env.get("NOTIFY_SOCKET") or None
        self.watchdog_s = watchdog_interval_s(env) if self.address else None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, message: str) -> bool:
        if self.address is None:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                # Never block the GUI thread: a receiver that does not read (its queue holds only
                # net.unix.max_dgram_qlen datagrams) makes a blocking sendto wait forever.
                sock.setblocking(False)
                sock.sendto(message.encode(), socket_address(self.address))
        except OSError as exc:
            if not self._warned:
                log.warning("cannot notify systemd at %s: %s", self.address, exc)
                self._warned = True
            return False
        return True

    def ready(self) -> bool:
        return self.send("READY=1")

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")


def start_watchdog(notifier: Notifier, parent: QObject, *, interval_s: float | None = None) -> QTimer | None:
    """A GUI-thread timer sending WATCHDOG=1 (none without a watchdog); pings once right away."""
    interval = interval_s if interval_s is not None else notifier.watchdog_s
    if not notifier.enabled or interval is None:
        return None
    from PySide6.QtCore import QTimer

    timer = QTimer(parent)
    timer.setInterval(max(1, int(interval * 1000)))
    timer.timeout.connect(notifier.watchdog)
    timer.start()
    notifier.watchdog()
    return timer
