"""FeedHealthStrip: each source's state in words and colour, with age and latency."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect

from noc_app.sources.base import AuthFailed, Unreachable
from noc_app.themes import load_theme
from noc_app.widgets.feed_health import FeedHealthStrip

from wall_testkit import T0, FakeClock, has_color_near, snapshot, store_with

THEME = load_theme("dark")


def _strip(qtbot):
    clock = FakeClock(T0 + 2)
    store = store_with(("demo", "demo"), ("prom", "prometheus"), ("am", "alertmanager"))
    strip = FeedHealthStrip(store, THEME, clock=clock)
    qtbot.addWidget(strip)
    return store, clock, strip


def test_one_chip_per_source_starting_in_loading(qtbot):
    _, _, strip = _strip(qtbot)
    assert [c.source_id for c in strip.chips()] == ["demo", "prom", "am"]
    chip = strip.chip("prom")
    assert chip.text_parts == ("prom", "prometheus", "LOADING", "never ok")
    assert chip.color_key == "loading"


def test_ok_is_green_with_age_latency_and_demo_label(qtbot):
    store, _, strip = _strip(qtbot)
    store.apply("demo", snapshot("demo", info={"badge": "DEMO"}), T0, 12.4)
    chip = strip.chip("demo")
    assert chip.text_parts == ("demo", "demo", "OK", "last ok 2s ago", "12 ms", "DEMO")
    assert chip.color_key == "ok"


def test_ok_turns_stale_by_time_on_tick(qtbot):
    store, clock, strip = _strip(qtbot)
    store.apply("prom", snapshot("prom"), T0, 40.0)
    clock.now = T0 + 3 * 15 + 30
    strip.tick()
    chip = strip.chip("prom")
    assert chip.text_parts[2] == "STALE 1m15s"
    assert chip.color_key == "stale"  # never green on a dead feed


def test_failures_in_words_and_colour(qtbot):
    store, clock, strip = _strip(qtbot)
    store.apply("prom", snapshot("prom"), T0, 40.0)
    clock.now = T0 + 252
    store.mark_failed("prom", Unreachable("connection refused"), T0 + 252, 3.0)
    store.mark_failed("am", Unreachable("connection refused"), T0 + 252, 3.0)
    store.mark_failed("demo", AuthFailed("HTTP 403 Forbidden"), T0 + 252, 3.0)
    prom, am, demo = strip.chip("prom"), strip.chip("am"), strip.chip("demo")
    assert prom.text_parts[2:4] == ("STALE 4m12s", "last ok 4m12s ago")
    assert prom.color_key == "stale"
    assert "connection refused" in prom.toolTip()
    assert am.text_parts[2:4] == ("UNREACHABLE", "never ok")
    assert am.color_key == "critical"
    assert demo.text_parts[2] == "AUTH FAILED"
    assert demo.color_key == "critical"
    assert "HTTP 403" in demo.toolTip()


def test_degraded_is_amber_with_reason_in_tooltip(qtbot):
    store, _, strip = _strip(qtbot)
    reason = "cluster peer http://am-2:9093 unreachable"
    store.apply("am", snapshot("am", alerts=(), degraded=(reason,)), T0, 20.0)
    chip = strip.chip("am")
    assert chip.text_parts[2] == "DEGRADED"
    assert chip.color_key == "warning"
    assert reason in chip.toolTip()


def test_chips_paint_at_wall_size(qtbot):
    store, _, strip = _strip(qtbot)
    strip.set_text_px(27)
    strip.resize(3840, 60)
    with qtbot.waitExposed(strip):
        strip.show()
    chip = strip.chip("demo")
    assert chip.height() >= 27
    assert chip.width() >= chip.sizeHint().width()  # room enough: nothing elided
    ok, critical = THEME.color("ok"), THEME.color("critical")
    # Negative control: while LOADING nothing on the chip is green, so the checks below can fail.
    assert not has_color_near(_chip_pixels(strip, "demo"), ok)
    store.apply("demo", snapshot("demo", info={"badge": "DEMO"}), T0, 12.4)
    store.mark_failed("prom", Unreachable("connection refused"), T0, 3.0)
    qtbot.waitUntil(lambda: strip.chip("prom").color_key == "critical")
    demo, prom = _chip_pixels(strip, "demo"), _chip_pixels(strip, "prom")
    assert has_color_near(demo, ok) and not has_color_near(demo, critical)  # what the strip shows: OK in green
    assert has_color_near(prom, critical) and not has_color_near(prom, ok)  # ... UNREACHABLE in red


def _chip_pixels(strip, source_id: str):
    """The part of the painted strip where one source's chip is."""
    chip = strip.chip(source_id)
    return strip.grab(QRect(chip.mapTo(strip, QPoint(0, 0)), chip.size())).toImage()
