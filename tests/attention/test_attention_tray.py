"""The real tray icon: counts by priority in tooltip and menu, Mute from the menu; absent without a tray."""

from __future__ import annotations

from noc_app.display_text import tooltip_html
from noc_app.widgets.attention_tray import AttentionTray, make_tray


def test_tooltip_and_menu_give_the_counts_by_priority(qtbot):
    muted = []
    tray = AttentionTray(lambda: muted.append(True))
    tray.set_counts((("P0", 2), ("P1", 0), ("P2", 1), ("P3", 0)), "", 15)
    assert tray.tooltip == "noc-app — 2 P0 · 0 P1 · 1 P2 · 0 P3"
    assert tray.icon.toolTip() == tooltip_html(tray.tooltip)
    assert tray.menu_texts() == ("Mute sounds for 15 min", "P0: 2 open", "P1: 0 open", "P2: 1 open", "P3: 0 open")
    tray.menu.actions()[0].trigger()
    assert muted == [True]
    tray.set_counts((("P0", 0), ("P1", 0), ("P2", 0), ("P3", 0)), "MUTED until 14:32", 15)
    assert tray.tooltip.endswith("— MUTED until 14:32")
    assert tray.menu_texts()[0] == "Unmute sounds"
    tray.notify("P0 Down", "<b>not markup</b> & more")  # never raises, without a notification service


def test_no_system_tray_no_icon():
    assert make_tray(lambda: None, available=lambda: False) is None


def test_a_priority_id_from_the_config_is_never_markup_in_the_tooltip(qtbot):
    tray = AttentionTray(lambda: None)
    tray.set_counts((("<b>P0</b>", 1),), "", 15)
    assert "<b>" not in tray.icon.toolTip() and "&lt;b&gt;P0" in tray.icon.toolTip()
