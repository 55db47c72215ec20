"""The History view (operator mode): H or "History…" opens it, the injected reader fills it, plain text only."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt

from noc_app.actions.model import IncidentKey, IncidentTimeline, Operator, Role, TimelineEntry
from noc_app.config.schema import Mode, SourceConfig
from noc_app.model import Severity
from noc_app.themes import load_theme
from noc_app.widgets.incident_history import LOADING_TEXT, IncidentHistoryDialog, timeline_text
from noc_app.widgets.wall_window import WallWindow

from test_operator_actions import _board, _click_row, _menu_entries, _right_click_row
from wall_testkit import T0, FakeClock, alert, app_config, dashboard, panel, snapshot, store_with

THEME = load_theme("dark")


class Reader:
    """Answers later, when the test says so (the real one answers from the action service's worker pool)."""

    def __init__(self) -> None:
        self.asked: list[tuple[IncidentKey, object]] = []

    def __call__(self, incident, deliver) -> None:
        self.asked.append((incident, deliver))

    def answer(self, *entries: tuple[float, str]) -> None:
        for incident, deliver in self.asked:
            deliver(IncidentTimeline(incident=incident, entries=tuple(TimelineEntry(at=a, text=t) for a, t in entries)))


def _window(qtbot, reader, *, role: Role = Role.OPERATOR):
    dash = dashboard(panel("inc", "incidents", x=0, y=0, w=24, h=12))
    config = dataclasses.replace(app_config(dash, mode=Mode.OPERATOR),
                                 sources=(SourceConfig(id="src", kind="alertmanager", url="http://am.test:9093"),))
    store = store_with(("src", "alertmanager"))
    window = WallWindow(config, (dash,), store, THEME, mode=Mode.OPERATOR, clock=FakeClock(), quit_clock=FakeClock(),
                        operator=Operator(name="kim", role=role), history_reader=reader)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitExposed(window):
        window.show()
    store.apply("src", snapshot(alerts=(alert("HighErrorRate", Severity.CRITICAL, fingerprint="fp-high"),)), T0, 5.0)
    board = _board(window)
    qtbot.waitUntil(lambda: len(board.visible_rows) == 1)
    return window, board


def test_h_opens_the_history_and_the_readers_timeline_fills_it(qtbot):
    reader = Reader()
    window, board = _window(qtbot, reader)
    _click_row(qtbot, board, 0)
    qtbot.keyClick(board, Qt.Key.Key_H)
    (controller,) = window.board_actions
    dialog = controller.dialog
    assert isinstance(dialog, IncidentHistoryDialog) and LOADING_TEXT in dialog.text()
    assert [key for key, _ in reader.asked] == [IncidentKey(source_id="src", fingerprint="fp-high")]
    assert board._held  # rows hold still while the operator reads
    reader.answer((T0, "first seen (the backend's start)"), (T0 + 60, "note by kim: done\n    \"<b>vendor</b>\""))
    text = dialog.text()
    assert "HighErrorRate (src/fp-high)" in text and "first seen" in text and "<b>vendor</b>" in text
    assert LOADING_TEXT not in text and dialog.view.isReadOnly()
    dialog.reject()
    qtbot.waitUntil(lambda: controller.dialog is None and not board._held)
    reader.answer((T0, "late"))  # an answer after closing goes nowhere


def test_the_menu_lists_history_for_every_role_and_viewers_may_read(qtbot):
    reader = Reader()
    window, board = _window(qtbot, reader, role=Role.VIEWER)
    _right_click_row(board, 0)
    entries = _menu_entries(window)
    assert entries["history"] == (True, "History…\tH")
    assert entries["ack"][0] is False
    window.board_actions[0].menu.close()
    qtbot.waitUntil(lambda: window.board_actions[0].menu is None)
    assert window.board_actions[0].open_history() is not None


def test_timeline_text_is_plain_and_shows_controls_and_errors():
    key = IncidentKey(source_id="am", fingerprint="f")
    text = timeline_text(IncidentTimeline(incident=key, entries=(TimelineEntry(at=0.0, text="x\x1b[31m"),)),
                         local=False)
    heading, line = text.splitlines()
    assert heading == "am/f" and line.startswith("  1970-01-01 00:00:00  x") and "\x1b" not in text
    assert "cannot read the history: down" in timeline_text(IncidentTimeline(incident=key, error="down"))
    assert "nothing recorded yet" in timeline_text(IncidentTimeline(incident=key))
