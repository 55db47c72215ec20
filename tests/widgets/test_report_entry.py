"""Reports from the operator UI: the board's "Post-incident report…" entry, Ctrl+Shift+H, results shown."""

from __future__ import annotations

import dataclasses
import subprocess
import time

import pytest
from PySide6.QtCore import Qt

from noc_app.actions.model import IncidentKey, Operator, Role
from noc_app.config.schema import Mode, ReportsConfig, SourceConfig, StateConfig
from noc_app.model import Severity
from noc_app.modes import MODE_CAPABILITIES
from noc_app.reports.ui_runner import HANDOVER, INCIDENT, ReportRunner, reports_dir
from noc_app.state.records import IncidentMark
from noc_app.state.sqlite import SqliteJournal
from noc_app.themes import load_theme
from noc_app.widgets.report_entry import INCIDENT_REPORT_TEXT, RUNNING_TEXT
from noc_app.widgets.wall_window import WallWindow

from test_operator_actions import _board, _click_row, _menu_entries, _right_click_row
from wall_testkit import T0, FakeClock, alert, app_config, dashboard, panel, snapshot, store_with

THEME = load_theme("dark")


class Runner:
    """Records what the window asks; answers when the test says so (the real one answers from its worker)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, IncidentKey | None, object]] = []

    def __call__(self, kind, incident, deliver) -> None:
        self.asked.append((kind, incident, deliver))

    def answer(self, ok: bool, text: str) -> None:
        for _, _, deliver in self.asked:
            deliver(ok, text)


def _config(mode: Mode, **changes):
    dash = dashboard(panel("inc", "incidents", x=0, y=0, w=24, h=12))
    config = dataclasses.replace(app_config(dash, mode=mode),
                                 sources=(SourceConfig(id="src", kind="alertmanager", url="http://am.test:9093"),),
                                 **changes)
    return config, dash


def _window(qtbot, runner, *, mode: Mode = Mode.OPERATOR, config=None):
    config, dash = config or _config(mode)
    store = store_with(("src", "alertmanager"))
    window = WallWindow(config, (dash,), store, THEME, mode=mode, clock=FakeClock(), quit_clock=FakeClock(),
                        operator=Operator(name="kim", role=Role.OPERATOR), report_runner=runner)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitExposed(window):
        window.show()
    store.apply("src", snapshot(alerts=(alert("HighErrorRate", Severity.CRITICAL, fingerprint="fp-high"),)), T0, 5.0)
    board = _board(window)
    qtbot.waitUntil(lambda: len(board.visible_rows) == 1)
    return window, board


def test_only_operator_mode_makes_reports():
    assert [m for m, caps in MODE_CAPABILITIES.items() if caps.reports] == [Mode.OPERATOR]
    assert all(caps.act for caps in MODE_CAPABILITIES.values() if caps.reports)


def test_the_menu_offers_the_post_incident_report_and_the_result_marks_the_row(qtbot):
    runner = Runner()
    window, board = _window(qtbot, runner)
    _right_click_row(board, 0)
    entries = _menu_entries(window)
    assert entries["report"] == (True, INCIDENT_REPORT_TEXT)
    (controller,) = window.board_actions
    next(a for a in controller.menu.actions() if a.data() == "report").trigger()
    assert [(kind, key) for kind, key, _ in runner.asked] == [
        (INCIDENT, IncidentKey(source_id="src", fingerprint="fp-high"))]
    assert board.visible_rows[0].marker == RUNNING_TEXT
    runner.answer(True, "/tmp/r/incident-src-fp-high.pdf (+ 2 files beside it)")
    assert board.visible_rows[0].marker == "REPORT WRITTEN: /tmp/r/incident-src-fp-high.pdf (+ 2 files beside it)"
    assert window.report_status_text == ("Post-incident report written: /tmp/r/incident-src-fp-high.pdf "
                                         "(+ 2 files beside it)")


def test_a_failed_report_says_why_in_plain_text(qtbot):
    runner = Runner()
    window, board = _window(qtbot, runner)
    _click_row(qtbot, board, 0)
    window.board_actions[0].start_report()
    runner.answer(False, "no incident src/fp-high in the state database <b>x</b>")
    assert board.visible_rows[0].marker == "REPORT FAILED: no incident src/fp-high in the state database <b>x</b>"
    assert window.header.report_status.textFormat() == Qt.TextFormat.PlainText
    assert "failed: no incident" in window.report_status_text


def test_ctrl_shift_h_asks_for_the_handover_and_shows_the_result(qtbot):
    runner = Runner()
    window, board = _window(qtbot, runner)
    qtbot.keyClick(board, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [(kind, key) for kind, key, _ in runner.asked] == [(HANDOVER, None)]
    assert "running" in window.report_status_text
    assert window.board_actions[0].dialog is None  # not the History view (plain H)
    runner.answer(True, "/tmp/r/handover-20260101-0800.pdf")
    assert window.report_status_text == "Shift handover report written: /tmp/r/handover-20260101-0800.pdf"


def test_operator_mode_without_a_runner_has_no_report_entry(qtbot):
    window, board = _window(qtbot, None)
    _right_click_row(board, 0)
    assert "report" not in _menu_entries(window)
    assert window.start_handover_report() is False


@pytest.mark.parametrize("mode", [Mode.WALL, Mode.KIOSK])
def test_wall_and_kiosk_make_no_reports(qtbot, mode):
    runner = Runner()
    window, board = _window(qtbot, runner, mode=mode)
    assert window.board_actions == ()
    assert window.start_handover_report() is False
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert runner.asked == []


def test_reports_dir_from_config_and_default(tmp_path):
    config, _ = _config(Mode.OPERATOR)
    assert reports_dir(config).name == "noc-app reports"
    assert reports_dir(dataclasses.replace(config, reports=ReportsConfig(dir=str(tmp_path)))) == tmp_path


def test_a_real_run_writes_the_pdf_in_a_worker(qtbot, tmp_path):
    db = tmp_path / "state.db"
    journal = SqliteJournal(db)
    journal.mark_incidents([IncidentMark(source_id="src", fingerprint="fp-high", name="HighErrorRate",
                                         first_seen_at=T0 - 600, shown_at=T0 - 590, severity="critical",
                                         service="api")], now=T0 - 590)
    journal.close()
    out = tmp_path / "reports"
    config, dash = _config(Mode.OPERATOR, state=StateConfig(url=f"sqlite://{db}"),
                           reports=ReportsConfig(dir=str(out)))
    runner = ReportRunner(config, clock=lambda: T0)
    try:
        window, board = _window(qtbot, runner, config=(config, dash))
        _click_row(qtbot, board, 0)
        window.board_actions[0].start_report()
        assert board.visible_rows[0].marker == RUNNING_TEXT
        qtbot.waitUntil(lambda: board.visible_rows[0].marker != RUNNING_TEXT, timeout=60_000)
        pdf = out / f"incident-src-fp-high-{time.strftime('%Y%m%d-%H%M%S', time.gmtime(T0))}.pdf"
        assert board.visible_rows[0].marker.startswith(f"REPORT WRITTEN: {pdf}"), board.visible_rows[0].marker
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Post-incident report — HighErrorRate" in text and "src/fp-high" in text
        window.start_handover_report()
        qtbot.waitUntil(lambda: "written" in window.report_status_text or "failed" in window.report_status_text,
                        timeout=60_000)
        assert "Shift handover report written: " in window.report_status_text
        assert len(list(out.glob("handover-*.pdf"))) == 1
    finally:
        runner.stop()
