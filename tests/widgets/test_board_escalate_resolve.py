"""Escalate, resolve and runbooks on the incident board, and actions on a problem merged across backends.

The policy greys what a backend cannot do (Alertmanager cannot escalate or resolve) with its
reason; comments are required with a visible reason; an ack on a merged row reaches every
backend that holds the problem, and the row stays pending until all of them answered.
"""

from __future__ import annotations

import dataclasses
import os

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from wall_testkit import T0, FakeClock, alert, app_config, dashboard, panel, snapshot, store_with

from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, IncidentKey, Operator, OutcomeStatus
from noc_app.config.runbook_schema import RunbookConfig, RunbookHttp, RunbookParam
from noc_app.config.schema import ActionsConfig, IncidentsConfig, Mode, SourceConfig
from noc_app.model import AlertState, Severity
from noc_app.themes import load_theme
from noc_app.widgets.action_dialogs import COMMENT_REQUIRED_TEXT, AckDialog, EscalateDialog, NoteDialog
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.runbook_dialog import RunbookDialog
from noc_app.widgets.wall_window import WallWindow

THEME = load_theme("dark")
KIM = Operator(name="kim", os_user="kim", host="noc-1")
LABELS = {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical"}
RESTART = RunbookConfig(id="restart", title="Restart the service", argv=("systemctl", "restart", "{{ service }}"),
                        params={"service": RunbookParam(name="service", label="service", allowed=("checkout", "cart"))},
                        confirm="param:service")
FLUSH = RunbookConfig(id="flush", title="Flush the CDN", http=RunbookHttp(method="POST", url="https://hooks.test/flush"),
                      confirm="")
SOURCES = {"am": "alertmanager", "pd": "pagerduty"}


def _window(qtbot, am=(), pd=(), *, dedup="dedup_key", runbooks=(RESTART, FLUSH), read_only=()):
    dash = dashboard(panel("inc", "incidents", source=None, sources=("am", "pd"), x=0, y=0, w=24, h=12))
    config = dataclasses.replace(
        app_config(dash, mode=Mode.OPERATOR),
        sources=tuple(SourceConfig(id=sid, kind=kind, url=f"http://{sid}.test", read_only=sid in read_only)
                      for sid, kind in SOURCES.items()),
        actions=ActionsConfig(runbooks=tuple(runbooks)),
        incidents=IncidentsConfig(dedup_key=dedup),
    )
    store = store_with(*SOURCES.items())
    window = WallWindow(config, (dash,), store, THEME, mode=Mode.OPERATOR, clock=FakeClock(), quit_clock=FakeClock(),
                        operator=KIM)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitExposed(window):
        window.show()
    store.apply("am", snapshot("am", alerts=tuple(am)), T0, 5.0)
    store.apply("pd", snapshot("pd", alerts=tuple(pd)), T0, 5.0)
    board = window.panel_frames()[0].body
    assert isinstance(board, IncidentBoardBody)
    qtbot.waitUntil(lambda: len(board.visible_rows) == len(board._board.groups) > 0)
    return store, window, board


AM_ALERT = alert("HighErrorRate", Severity.CRITICAL, fingerprint="fp-am", source_id="am", labels=LABELS)
PD_INCIDENT = alert("HighErrorRate", Severity.CRITICAL, fingerprint="PD123", source_id="pd", labels=LABELS,
                    dedup_key="fp-am", oncall="Ada")


def _requests(window) -> list[ActionRequest]:
    seen: list[ActionRequest] = []
    window.action_requested.connect(seen.append)
    return seen


def _open_menu(board, index=0):
    _, _, header_h, row_h, _ = board._metrics()
    pos = QPoint(40, header_h + index * row_h + row_h // 2)
    board.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, board.mapToGlobal(pos)))


def _entries(window):
    (controller,) = window.board_actions
    assert controller.menu is not None
    return {a.data(): (a.isEnabled(), a.text(), a.toolTip()) for a in controller.menu.actions() if not a.isSeparator()}


def _runbook_entries(window):
    (controller,) = window.board_actions
    runbook_menu = next(a for a in controller.menu.actions() if a.data() == "runbook").menu()
    return {a.data(): (a.isEnabled(), a.text(), a.toolTip()) for a in runbook_menu.actions()}


def _close_menu(qtbot, window):
    controller = window.board_actions[0]
    controller.menu.close()
    qtbot.waitUntil(lambda: controller.menu is None)


# -- the menu: what each backend can do ---------------------------------------------------


def test_alertmanager_cannot_escalate_or_resolve_and_says_so(qtbot):
    _, window, board = _window(qtbot, am=(AM_ALERT,), dedup="")
    _open_menu(board)
    entries = _entries(window)
    assert list(entries) == ["ack", "unack", "escalate", "resolve", "note", "runbook", "history"]
    assert entries["ack"][:2] == (True, "Acknowledge…\tA")
    assert entries["escalate"][:2] == (False, "Escalate — Alertmanager cannot escalate\tE")
    assert entries["resolve"][:2] == (False, "Resolve — Alertmanager cannot resolve\tR")
    assert "Alertmanager cannot resolve" in entries["resolve"][2]  # the reason as the tooltip too
    assert entries["resolve"][2].startswith("<qt>")  # shown literally (escaped), never guessed rich text
    _close_menu(qtbot, window)
    qtbot.keyClick(board, Qt.Key.Key_R)  # refused: no dialog
    assert window.board_actions[0].dialog is None


def test_pagerduty_escalates_with_a_required_comment_and_a_level(qtbot):
    _, window, board = _window(qtbot, pd=(PD_INCIDENT,), dedup="")
    seen = _requests(window)
    _open_menu(board)
    entries = _entries(window)
    assert entries["escalate"][:2] == (True, "Escalate…\tE") and "cannot" not in entries["escalate"][2]
    assert entries["resolve"][:2] == (True, "Resolve…\tR")
    _close_menu(qtbot, window)
    qtbot.keyClick(board, Qt.Key.Key_E)
    dialog = window.board_actions[0].dialog
    assert isinstance(dialog, EscalateDialog)
    assert not dialog.ok_button.isEnabled()
    assert dialog.reason_label.isVisible() and dialog.reason_label.text() == COMMENT_REQUIRED_TEXT
    assert dialog.reason_label.textFormat() is Qt.TextFormat.PlainText
    dialog.accept()  # refused while empty
    assert seen == [] and dialog.isVisible()
    dialog.text_box.setPlainText("no response from the on-call in 15m")
    dialog.level_box.setValue(2)
    assert dialog.ok_button.isEnabled() and not dialog.reason_label.isVisible()
    dialog.accept()
    (request,) = seen
    assert (request.kind, request.incident, request.escalation_level, request.comment) == (
        ActionKind.ESCALATE, IncidentKey(source_id="pd", fingerprint="PD123"), 2, "no response from the on-call in 15m")
    assert board.visible_rows[0].marker == "ESCALATE PENDING"


def test_escalate_to_the_next_level_by_default_and_resolve_needs_words(qtbot):
    _, window, board = _window(qtbot, pd=(PD_INCIDENT,), dedup="")
    seen = _requests(window)
    qtbot.keyClick(board, Qt.Key.Key_Down)
    qtbot.keyClick(board, Qt.Key.Key_E)
    dialog = window.board_actions[0].dialog
    assert isinstance(dialog, EscalateDialog) and dialog.level() is None
    assert dialog.level_box.text() == "the next level"
    dialog.text_box.setPlainText("needs the DBA")
    dialog.accept()
    qtbot.waitUntil(lambda: window.board_actions[0].dialog is None)
    qtbot.keyClick(board, Qt.Key.Key_R)
    dialog = window.board_actions[0].dialog
    assert isinstance(dialog, NoteDialog) and dialog.windowTitle() == "Resolve"
    assert not dialog.ok_button.isEnabled() and dialog.reason_label.isVisible()
    dialog.text_box.setPlainText("   ")  # blanks are no comment
    assert not dialog.ok_button.isEnabled()
    dialog.text_box.setPlainText("fixed by rollback")
    dialog.accept()
    assert [(r.kind, r.escalation_level, r.comment) for r in seen] == [
        (ActionKind.ESCALATE, None, "needs the DBA"), (ActionKind.RESOLVE, None, "fixed by rollback")]


def test_a_read_only_pagerduty_greys_resolve_with_its_reason(qtbot):
    _, window, board = _window(qtbot, pd=(PD_INCIDENT,), dedup="", read_only=("pd",))
    _open_menu(board)
    entries = _entries(window)
    assert entries["resolve"][:2] == (False, "Resolve — the source is read-only\tR")
    assert _runbook_entries(window)["runbook:restart"][:2] == (False, "Restart the service — the source is read-only")


# -- a problem in two backends: one row, actions to each -------------------------------------


def test_a_merged_row_names_both_backends_and_an_ack_reaches_both(qtbot):
    _, window, board = _window(qtbot, am=(AM_ALERT,), pd=(PD_INCIDENT,))
    seen = _requests(window)
    assert len(board.visible_rows) == 1
    assert board.visible_rows[0].detail.startswith("am + pd — ")
    qtbot.keyClick(board, Qt.Key.Key_Down)
    qtbot.keyClick(board, Qt.Key.Key_A)
    dialog = window.board_actions[0].dialog
    assert isinstance(dialog, AckDialog)
    dialog.accept()
    assert sorted((r.kind, r.incident.text) for r in seen) == [
        (ActionKind.ACK, "am/fp-am"), (ActionKind.ACK, "pd/PD123")]
    key = ("am", "fp-am")
    assert board.marker(key) == "ACK PENDING"
    first, second = seen
    window.show_outcome(ActionOutcome(request_id=first.request_id, status=OutcomeStatus.DONE))
    assert board.marker(key) == "ACK PENDING"  # the other backend has not answered
    window.show_outcome(ActionOutcome(request_id=second.request_id, status=OutcomeStatus.QUEUED, message="down"))
    assert board.marker(key) == "ACK QUEUED"
    window.show_outcome(ActionOutcome(request_id=second.request_id, status=OutcomeStatus.DONE))
    assert board.marker(key) == "" and window.board_actions[0].pending_count == 0


def test_a_failure_of_one_member_stays_shown_when_the_other_succeeds(qtbot):
    _, window, board = _window(qtbot, am=(AM_ALERT,), pd=(PD_INCIDENT,))
    seen = _requests(window)
    qtbot.keyClick(board, Qt.Key.Key_Down)
    qtbot.keyClick(board, Qt.Key.Key_A)
    window.board_actions[0].dialog.accept()
    first, second = seen
    window.show_outcome(ActionOutcome(request_id=first.request_id, status=OutcomeStatus.REJECTED, message="HTTP 400"))
    window.show_outcome(ActionOutcome(request_id=second.request_id, status=OutcomeStatus.DONE))
    assert board.marker(("am", "fp-am")) == "ACK FAILED: HTTP 400"


def test_escalate_on_a_merged_row_goes_only_to_the_backend_that_can(qtbot):
    _, window, board = _window(qtbot, am=(AM_ALERT,), pd=(PD_INCIDENT,))
    seen = _requests(window)
    _open_menu(board)
    assert _entries(window)["escalate"][:2] == (True, "Escalate…\tE")  # allowed: one member can
    _close_menu(qtbot, window)
    qtbot.keyClick(board, Qt.Key.Key_E)
    dialog = window.board_actions[0].dialog
    assert isinstance(dialog, EscalateDialog)
    assert dialog.detail_label.text() == "Goes to pd; not to am (cannot escalate there)"
    dialog.text_box.setPlainText("page the lead")
    dialog.accept()
    assert [(r.kind, r.incident.text) for r in seen] == [(ActionKind.ESCALATE, "pd/PD123")]
    assert board.marker(("am", "fp-am")) == "ESCALATE PENDING"


def test_an_acked_member_takes_no_second_ack(qtbot):
    acked_am = dataclasses.replace(AM_ALERT, state=AlertState.ACKNOWLEDGED, acknowledged_by="bob")
    _, window, board = _window(qtbot, am=(acked_am,), pd=(PD_INCIDENT,))
    seen = _requests(window)
    assert board.visible_rows[0].state_tag == ""  # PagerDuty still triggered: the row stays active
    qtbot.keyClick(board, Qt.Key.Key_Down)
    qtbot.keyClick(board, Qt.Key.Key_A)
    window.board_actions[0].dialog.accept()
    assert [r.incident.text for r in seen] == ["pd/PD123"]


def test_rows_hold_still_under_an_escalate_dialog_and_its_marker_follows_the_row(qtbot):
    other = alert("DiskFilling", Severity.WARNING, fingerprint="PD777", source_id="pd")
    store, window, board = _window(qtbot, pd=(PD_INCIDENT, other), dedup="")
    seen = _requests(window)
    qtbot.keyClick(board, Qt.Key.Key_Down)
    qtbot.keyClick(board, Qt.Key.Key_Down)
    assert board.selected_key == ("pd", "PD777")
    qtbot.keyClick(board, Qt.Key.Key_E)
    dialog = window.board_actions[0].dialog
    assert isinstance(dialog, EscalateDialog)
    newer = (alert("NewCritical", Severity.CRITICAL, fingerprint="PD000", source_id="pd"), PD_INCIDENT, other)
    store.apply("pd", snapshot("pd", alerts=newer), T0 + 1, 5.0)
    window.current_view().refresh_frames(window.panel_frames())
    assert [r.name for r in board.visible_rows] == ["HighErrorRate", "DiskFilling"]  # held
    dialog.text_box.setPlainText("disk vendor")
    dialog.accept()
    qtbot.waitUntil(lambda: len(board.visible_rows) == 3)
    assert [r.marker for r in board.visible_rows] == ["", "", "ESCALATE PENDING"]
    assert seen[0].incident.fingerprint == "PD777" and board.selected_index == 2


# -- runbooks ------------------------------------------------------------------------------


def test_runbook_submenu_lists_the_configured_runbooks_with_their_verdicts(qtbot):
    other = alert("DiskFilling", Severity.WARNING, fingerprint="fp-disk", source_id="am",
                  labels={"alertname": "DiskFilling", "service": "search"})
    _, window, board = _window(qtbot, am=(AM_ALERT, other), dedup="")
    _open_menu(board, 0)
    entries = _runbook_entries(window)
    assert {data: entry[:2] for data, entry in entries.items()} == {
        "runbook:restart": (True, "Restart the service…"),
        "runbook:flush": (True, "Flush the CDN…"),
    }
    assert entries["runbook:flush"][2].startswith("<qt>")  # config text: a literal tooltip
    _close_menu(qtbot, window)
    _open_menu(board, 1)
    restart = _runbook_entries(window)["runbook:restart"]
    assert restart[:2] == (False, "Restart the service — service: the value is not one of the allowed values (checkout, cart)")
    assert "not one of the allowed values" in restart[2]


def test_a_confirmed_runbook_needs_a_comment_and_the_target_typed(qtbot):
    _, window, board = _window(qtbot, am=(AM_ALERT,), dedup="")
    seen = _requests(window)
    _open_menu(board)
    (controller,) = window.board_actions
    runbook_menu = next(a for a in controller.menu.actions() if a.data() == "runbook").menu()
    next(a for a in runbook_menu.actions() if a.data() == "runbook:restart").trigger()
    dialog = controller.dialog
    assert isinstance(dialog, RunbookDialog)
    assert dialog.title_label.text() == "Run “Restart the service” on P0 CRITICAL HighErrorRate"
    assert dialog.params_label.text() == "Parameters: service=checkout"
    assert not dialog.ok_button.isEnabled() and dialog.reason_label.text() == COMMENT_REQUIRED_TEXT
    dialog.text_box.setPlainText("5xx after deploy")
    assert not dialog.ok_button.isEnabled() and dialog.reason_label.text() == "Type checkout exactly to confirm."
    dialog.confirm_box.setText("checkou")
    dialog.accept()
    assert seen == []
    dialog.confirm_box.setText("checkout")
    assert dialog.ok_button.isEnabled() and not dialog.reason_label.isVisible()
    dialog.accept()
    (request,) = seen
    assert (request.kind, request.runbook, dict(request.params), request.comment, request.incident.text) == (
        ActionKind.RUNBOOK, "restart", {"service": "checkout"}, "5xx after deploy", "am/fp-am")
    assert board.visible_rows[0].marker == "RUNBOOK PENDING"


def test_a_runbook_without_confirm_needs_only_the_comment(qtbot):
    _, window, board = _window(qtbot, am=(AM_ALERT,), dedup="")
    seen = _requests(window)
    qtbot.keyClick(board, Qt.Key.Key_Down)
    dialog = window.board_actions[0].start_runbook("flush")
    assert isinstance(dialog, RunbookDialog) and dialog.confirm_box is None
    dialog.text_box.setPlainText("stale assets")
    dialog.accept()
    assert [(r.runbook, dict(r.params)) for r in seen] == [("flush", {})]


@pytest.mark.parametrize("runbooks", [(), (dataclasses.replace(RESTART, params={"pod": RunbookParam(name="pod", label="pod", pattern="[a-z0-9-]+")}),)])
def test_no_runbook_offered_or_a_missing_label_greys_the_entry(qtbot, runbooks):
    _, window, board = _window(qtbot, am=(AM_ALERT,), dedup="", runbooks=runbooks)
    _open_menu(board)
    entry = _entries(window)["runbook"]
    if not runbooks:
        assert entry[:2] == (False, "Run runbook — no runbook for this incident")
    else:
        assert _runbook_entries(window)["runbook:restart"][:2] == (
            False, "Restart the service — the incident has no label 'pod'")


# -- look at it --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_screenshots_of_the_menu_and_the_runbook_dialog(qtbot, size):
    """Saved for a human to look at (NOC_SHOT_DIR, default /tmp)."""
    _, window, board = _window(qtbot, am=(AM_ALERT,), pd=(PD_INCIDENT,))
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0])
    out_dir = os.environ.get("NOC_SHOT_DIR", "/tmp")
    _open_menu(board)
    menu = window.board_actions[0].menu
    qtbot.waitUntil(menu.isVisible)
    menu.grab().save(os.path.join(out_dir, f"noc-board-menu-{size[0]}.png"))
    menu_px = menu.fontInfo().pixelSize()
    window.grab().save(os.path.join(out_dir, f"noc-board-merged-{size[0]}.png"))
    _close_menu(qtbot, window)
    dialog = window.board_actions[0].start_runbook("restart")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.grab().save(os.path.join(out_dir, f"noc-runbook-dialog-{size[0]}.png"))
    assert dialog.reason_label.isVisible()
    # Readable: the window's text colour on its background, and text that grows with the screen.
    label = dialog.title_label
    assert label.palette().color(label.foregroundRole()) == window.palette().windowText().color()
    assert dialog.title_label.fontInfo().pixelSize() >= size[1] // 90
    assert menu_px >= size[1] // 90
    dialog.reject()
    qtbot.waitUntil(lambda: window.board_actions[0].dialog is None)
    qtbot.keyClick(board, Qt.Key.Key_E)
    escalate = window.board_actions[0].dialog
    qtbot.waitUntil(escalate.isVisible)
    escalate.grab().save(os.path.join(out_dir, f"noc-escalate-dialog-{size[0]}.png"))
