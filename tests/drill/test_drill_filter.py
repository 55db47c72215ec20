"""The incident board's filter: the parser's table, filtered counts, and the operator's box."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from noc_app.config.schema import Mode
from noc_app.incident_filter import EMPTY_MATCH_TEXT, FilterError, filter_board, parse_filter
from noc_app.model import AlertState, DataState, Severity
from noc_app.selectors_incidents import board_from_alerts
from noc_app.themes import load_theme
from noc_app.widgets.wall_window import WallWindow

from wall_testkit import FakeClock, alert, app_config, dashboard, panel, snapshot, store_with

THEME = load_theme("dark")


def _alerts():
    return (
        alert("PaymentsDown", Severity.CRITICAL, fingerprint="a", summary="checkout failing",
              labels={"service": "payments", "instance": "pay-1", "severity": "critical"}),
        alert("PaymentsSlow", Severity.WARNING, fingerprint="b", summary="p95 high",
              labels={"service": "payments", "instance": "pay-2", "severity": "warning"}),
        alert("DiskFull", Severity.HIGH, fingerprint="c", summary="Disk /var at 97%",
              labels={"service": "storage", "instance": "db-1"}),
        alert("Watchdog", Severity.INFO, fingerprint="d", labels={"severity": "none"}),
        alert("CartErrors", Severity.CRITICAL, fingerprint="e", state=AlertState.SILENCED,
              labels={"service": "cart", "instance": "cart-1"}),
    )


@pytest.mark.parametrize(("text", "expected"), [
    ("", "abcde"),
    ("severity=critical", "ae"),  # the label, else the normalised severity (e has no label)
    ("service=~pay.*", "ab"),
    ("service=~pay", ""),  # anchored, as in Prometheus and Karma
    ("instance!=pay-1", "bcde"),
    ("alertname!~Watchdog", "abce"),
    ("alertname=~Pay.* severity!=warning", "a"),
    ("disk", "c"),  # free text: name or summary, any case
    ("CHECKOUT", "a"),
    ('service=~"pay.*|cart"', "abe"),
    ("nosuchlabel=", "abcde"),  # an absent label is the empty string
    ("payments p95", "b"),
])
def test_valid_filters(text: str, expected: str) -> None:
    flt = parse_filter(text)
    assert "".join(a.fingerprint for a in _alerts() if flt.matches(a)) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("service=~pay(", "invalid regular expression"),
    ("=critical", "no label name"),
    ("my-label=x", "is not a label name"),
    ("severity==critical", "'==' is not an operator"),
    ('service="pay', "unbalanced quote"),
    ("1abc!=x", "is not a label name"),
    ("x" * 1001, "at most 1000"),
])
def test_invalid_filters_say_why(text: str, words: str) -> None:
    with pytest.raises(FilterError, match=None) as caught:
        parse_filter(text)
    assert words in str(caught.value)


def test_filtered_board_counts_and_regroups() -> None:
    board = board_from_alerts(_alerts(), DataState.OK)
    shown = filter_board(board, parse_filter("service=~pay.*"))
    assert [a.fingerprint for a in shown.alerts] == ["a", "b"]
    assert shown.counts[0] == ("filtered: 2 of 5", None)
    assert [text for text, _ in shown.counts[1:]] == ["1 P0", "1 P2"]
    assert len(shown.groups) == 2
    none = filter_board(board, parse_filter("service=nothing"))
    assert none.alerts == () and none.empty_text == EMPTY_MATCH_TEXT and not none.claims_empty
    assert filter_board(board, parse_filter("")) is board


def _window(qtbot, mode: Mode) -> WallWindow:
    dash = dashboard(panel("inc", "incidents", x=0, y=0, w=24, h=12), did="d0")
    store = store_with(("src", "alertmanager"))
    window = WallWindow(app_config(dash, mode=mode), (dash,), store, THEME, mode=mode,
                        clock=FakeClock(), quit_clock=FakeClock())
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    store.apply("src", snapshot(alerts=_alerts()), 1_700_000_000.0, 5.0)
    qtbot.waitUntil(lambda: len(window.panel_frames()[0].body.visible_rows) == 5)
    return window


def test_operator_box_filters_the_board_and_esc_clears(qtbot) -> None:
    window = _window(qtbot, Mode.OPERATOR)
    body = window.panel_frames()[0].body
    (box,) = window.filter_boxes
    qtbot.keyClick(window, Qt.Key.Key_Slash)
    assert box.edit.hasFocus()
    qtbot.keyClicks(box.edit, "service=~pay.*")
    assert body.header_text.startswith("filtered: 2 of 5")
    assert {row.title for row in body.visible_rows} == {"PaymentsDown", "PaymentsSlow"}
    qtbot.keyClicks(box.edit, " (")  # now a broken regex: said inline, the board keeps the last good filter
    assert "invalid regular expression" not in box.error_text  # "(" alone is free text, not a matcher
    box.edit.setText("service=~pay(")
    assert "invalid regular expression" in box.error_text
    assert body.header_text.startswith("filtered:")
    assert box.error.textFormat() is Qt.TextFormat.PlainText
    qtbot.keyClick(box.edit, Qt.Key.Key_Escape)
    assert box.edit.text() == "" and box.error_text == ""
    assert not body.header_text.startswith("filtered") and len(body.visible_rows) == 5


@pytest.mark.parametrize("mode", [Mode.WALL, Mode.KIOSK])
def test_no_filter_box_outside_operator_mode(qtbot, mode: Mode) -> None:
    window = _window(qtbot, mode)
    assert window.filter_boxes == ()
    assert "filter" not in [b.action for b in window.key_bindings()]


def test_the_playlist_waits_while_a_filter_is_typed(qtbot) -> None:
    rotation_clock = FakeClock(0.0)
    dashes = tuple(dashboard(panel("inc", "incidents", x=0, y=0, w=24, h=12), did=f"d{i}") for i in range(2))
    window = WallWindow(app_config(*dashes, mode=Mode.OPERATOR), dashes, store_with(("src", "alertmanager")), THEME,
                        mode=Mode.OPERATOR, clock=FakeClock(), quit_clock=FakeClock(), rotation_clock=rotation_clock)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Slash)
    box = window.filter_boxes[0]
    assert box.edit.hasFocus()
    rotation_clock.now = 61.0
    window._rotation_due()  # the dwell is over while the operator types: the dashboard stays
    assert window.current_index == 0 and box.edit.hasFocus()
    box.edit.clearFocus()
    rotation_clock.now = 122.0
    window._rotation_due()
    assert window.current_index == 1
