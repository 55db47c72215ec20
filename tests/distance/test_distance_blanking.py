"""Screen blanking: which method where (the pure plan), and the calls made through the port."""

from __future__ import annotations

import logging

import pytest

from noc_app.blanking import XSET_OFF, BlankingPlan, Method, PlatformFacts, keep_screen_on, plan_blanking
from noc_app.config.schema import Mode
from noc_app.modes import capabilities

GNOME_X11 = PlatformFacts(qt_platform="xcb", session_bus=True, screensaver_service=True, xset_found=True)
BARE_X11 = PlatformFacts(qt_platform="xcb", session_bus=False, screensaver_service=False, xset_found=True)
GNOME_WAYLAND = PlatformFacts(qt_platform="wayland", session_bus=True, screensaver_service=True, xset_found=True)
CAGE = PlatformFacts(qt_platform="wayland", session_bus=False, screensaver_service=False, xset_found=False)
OFFSCREEN = PlatformFacts(qt_platform="offscreen", session_bus=True, screensaver_service=True, xset_found=True)


@pytest.mark.parametrize(("facts", "methods"), [
    (GNOME_X11, (Method.SCREENSAVER_DBUS, Method.XSET)),
    (BARE_X11, (Method.XSET,)),
    (GNOME_WAYLAND, (Method.SCREENSAVER_DBUS,)),  # xset would talk to Xwayland, not the compositor
    (CAGE, ()),
    (OFFSCREEN, ()),
], ids=["gnome-x11", "bare-x11", "gnome-wayland", "cage", "offscreen"])
def test_methods_per_platform(facts, methods):
    assert plan_blanking(keep_on=True, enabled=True, facts=facts).methods == methods


def test_nothing_is_done_when_the_mode_is_attended_or_the_config_says_no():
    assert plan_blanking(keep_on=False, enabled=True, facts=GNOME_X11).methods == ()
    off = plan_blanking(keep_on=True, enabled=False, facts=GNOME_X11)
    assert off.methods == () and "inhibit_blanking: false" in off.note


def test_the_note_says_why_nothing_works_on_a_bare_wayland_kiosk():
    note = plan_blanking(keep_on=True, enabled=True, facts=CAGE).note
    assert "cannot keep the screen on" in note and "swayidle" in note


def test_wall_and_kiosk_keep_the_screen_on_operator_does_not():
    assert capabilities(Mode.WALL).keep_screen_on and capabilities(Mode.KIOSK).keep_screen_on
    assert not capabilities(Mode.OPERATOR).keep_screen_on


class RecordingPort:
    def __init__(self, cookie: int | None = 7, xset_ok: bool = True) -> None:
        self.calls: list[tuple] = []
        self._cookie, self._xset_ok = cookie, xset_ok

    def inhibit(self, application: str, reason: str) -> int | None:
        self.calls.append(("inhibit", application, reason))
        return self._cookie

    def run(self, argv) -> bool:
        self.calls.append(("run", tuple(argv)))
        return self._xset_ok


def test_the_plan_is_run_through_the_port():
    port = RecordingPort()
    kept = keep_screen_on(plan_blanking(keep_on=True, enabled=True, facts=GNOME_X11), port)
    assert port.calls == [("inhibit", "noc-app", "NOC wall: the screen must stay on"), ("run", XSET_OFF)]
    assert kept.cookie == 7 and kept.done == (Method.SCREENSAVER_DBUS, Method.XSET) and kept.failed == ()


def test_a_failed_method_is_logged_and_the_others_still_run(caplog):
    port = RecordingPort(cookie=None, xset_ok=True)
    with caplog.at_level(logging.WARNING, logger="noc_app.blanking"):
        kept = keep_screen_on(BlankingPlan(methods=(Method.SCREENSAVER_DBUS, Method.XSET), note="n"), port)
    assert kept.failed == (Method.SCREENSAVER_DBUS,) and kept.done == (Method.XSET,)
    assert "org.freedesktop.ScreenSaver Inhibit" in caplog.text


def test_no_plan_makes_no_call():
    port = RecordingPort()
    keep_screen_on(plan_blanking(keep_on=True, enabled=True, facts=OFFSCREEN), port)
    assert port.calls == []


def test_the_qt_port_reads_facts_without_a_session_bus(monkeypatch):
    from noc_app.blanking_qt import platform_facts

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    facts = platform_facts("xcb")
    assert facts.qt_platform == "xcb" and not facts.screensaver_service
