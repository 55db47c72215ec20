"""The platform side of noc_app.blanking: QtDBus for the ScreenSaver inhibit, a subprocess for xset."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Sequence

from noc_app.blanking import KeptOn, PlatformFacts, keep_screen_on, plan_blanking

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.ScreenSaver"
PATH = "/org/freedesktop/ScreenSaver"
XSET_TIMEOUT_S = 5.0
DBUS_TIMEOUT_MS = 2000  # once, at start: a hung screen saver service must not hold the wall up for 25 s


def platform_facts(qt_platform: str) -> PlatformFacts:
    from PySide6.QtDBus import QDBusConnection

    bus = QDBusConnection.sessionBus()
    connected = bus.isConnected()
    interface = bus.interface() if connected else None
    service = bool(interface is not None and interface.isServiceRegistered(SERVICE).value())
    return PlatformFacts(qt_platform=qt_platform, session_bus=connected, screensaver_service=service,
                         xset_found=shutil.which("xset") is not None)


class QtBlankingPort:
    """Inhibit through QtDBus (a blocking call of a few ms, once at start); xset through subprocess."""

    def inhibit(self, application: str, reason: str) -> int | None:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage

        interface = QDBusInterface(SERVICE, PATH, SERVICE, QDBusConnection.sessionBus())
        if not interface.isValid():
            return None
        interface.setTimeout(DBUS_TIMEOUT_MS)
        reply = interface.call("Inhibit", application, reason)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            log.warning("ScreenSaver Inhibit refused: %s", reply.errorMessage())
            return None
        return int(reply.arguments()[0])

    def run(self, argv: Sequence[str]) -> bool:
        try:
            done = subprocess.run(list(argv), capture_output=True, timeout=XSET_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("%s failed: %s", argv[0], exc)
            return False
        return done.returncode == 0


def keep_wall_screen_on(*, keep_on: bool, enabled: bool, qt_platform: str) -> KeptOn:
    """Plan for this platform and run the plan (at start, once the windows are shown)."""
    plan = plan_blanking(keep_on=keep_on, enabled=enabled, facts=platform_facts(qt_platform))
    return keep_screen_on(plan, QtBlankingPort())
