"""Keeping the screen on in wall and kiosk modes: which method to use where, and using it.

What works where (the README's "Screen blanking" says the same):

- Any desktop with a session bus and a screen saver service (GNOME, KDE Plasma, Xfce,
  Cinnamon, MATE; on X11 and on Wayland): the freedesktop `org.freedesktop.ScreenSaver`
  Inhibit call.  The desktop keeps the screen on while the process lives (the inhibition
  ends with its bus connection: a crash cannot leave a desktop that never blanks).
- Bare X11 (an autologin session with no desktop, `startx` / xinit): `xset s off -dpms`
  turns off the X server's own screen saver and DPMS.  This changes the X server's
  settings until it restarts; it is not undone at exit.
- Wayland kiosk compositors (cage, labwc) have no ScreenSaver service and Qt offers no
  idle-inhibit for a window: nothing blanks the screen there unless an idle daemon
  (swayidle) was started; start none, or give it no timeout (see the README recipes).

Pure: the platform's facts come in, a plan goes out; `keep_screen_on` runs it through a port.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

APPLICATION = "noc-app"
REASON = "NOC wall: the screen must stay on"
XSET_OFF = ("xset", "s", "off", "-dpms")


class Method(enum.Enum):
    SCREENSAVER_DBUS = "org.freedesktop.ScreenSaver Inhibit"
    XSET = "xset s off -dpms"


@dataclass(frozen=True, kw_only=True, slots=True)
class PlatformFacts:
    qt_platform: str  # QGuiApplication.platformName(): xcb, wayland, offscreen, eglfs, ...
    session_bus: bool  # a D-Bus session bus is reachable
    screensaver_service: bool  # org.freedesktop.ScreenSaver is on it
    xset_found: bool  # the xset program is on PATH


@dataclass(frozen=True, kw_only=True, slots=True)
class BlankingPlan:
    methods: tuple[Method, ...]
    note: str  # one log line: what is done, or why nothing is


def plan_blanking(*, keep_on: bool, enabled: bool, facts: PlatformFacts) -> BlankingPlan:
    """The methods that keep this screen on (none: the note says why)."""
    if not keep_on:
        return BlankingPlan(methods=(), note="screen blanking left to the desktop (this mode is attended)")
    if not enabled:
        return BlankingPlan(methods=(), note="screen blanking left to the desktop (display.inhibit_blanking: false)")
    if facts.qt_platform in ("offscreen", "minimal", "vnc"):
        return BlankingPlan(methods=(), note=f"no screen to keep on (Qt platform {facts.qt_platform})")
    methods: list[Method] = []
    if facts.session_bus and facts.screensaver_service:
        methods.append(Method.SCREENSAVER_DBUS)
    if facts.qt_platform == "xcb" and facts.xset_found:
        methods.append(Method.XSET)  # the X server's own saver and DPMS blank even under a desktop's inhibit
    if methods:
        used = ", ".join(m.value for m in methods)
        return BlankingPlan(methods=tuple(methods), note=f"keeping the screen on: {used}")
    if facts.qt_platform == "xcb":
        why = "no screen saver service on the session bus and no xset (apt-get install x11-xserver-utils)"
    elif facts.qt_platform == "wayland":
        why = ("no screen saver service on the session bus; on cage or labwc the screen blanks only if an idle "
               "daemon such as swayidle was started")
    else:
        why = f"Qt platform {facts.qt_platform} has no way to inhibit blanking"
    return BlankingPlan(methods=(), note=f"cannot keep the screen on: {why}")


class BlankingPort(Protocol):
    """The calls, behind a seam (tests record them; noc_app.blanking_qt makes them)."""

    def inhibit(self, application: str, reason: str) -> int | None: ...  # a cookie, None on failure

    def run(self, argv: Sequence[str]) -> bool: ...  # True when the program exited 0


@dataclass(frozen=True, kw_only=True, slots=True)
class KeptOn:
    cookie: int | None  # the ScreenSaver inhibition's (ends with the process)
    done: tuple[Method, ...]
    failed: tuple[Method, ...]


def keep_screen_on(plan: BlankingPlan, port: BlankingPort) -> KeptOn:
    """Run the plan's methods; each failure is logged and the others still run."""
    log.info("%s", plan.note)
    cookie: int | None = None
    done: list[Method] = []
    failed: list[Method] = []
    for method in plan.methods:
        if method is Method.SCREENSAVER_DBUS:
            cookie = port.inhibit(APPLICATION, REASON)
            ok = cookie is not None
        else:
            ok = port.run(XSET_OFF)
        (done if ok else failed).append(method)
        if not ok:
            log.warning("could not keep the screen on with %s", method.value)
    return KeptOn(cookie=cookie, done=tuple(done), failed=tuple(failed))
