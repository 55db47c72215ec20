"""Operator actions on the incident board: the mode table gates them, the policy decides the menu,
A + the dialog emits one ActionRequest, and the service's outcome drives the row's marker."""

from __future__ import annotations

import dataclasses
import os

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent

from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, IncidentKey, Operator, OutcomeStatus, Role
from noc_app.config.schema import Mode, SourceConfig
from noc_app.model import AlertState, Severity
from noc_app.modes import capabilities
from noc_app.themes import load_theme
from noc_app.widgets.action_dialogs import AckDialog, NoteDialog, ack_duration_presets
from noc_app.widgets.incident_actions import BoardActions
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.wall_window import WallWindow

from wall_testkit import T0, FakeClock, alert, app_config, dashboard, panel, snapshot, store_with

THEME = load_theme("dark")
KIM = Operator(name="kim", os_user="kim", host="noc-1")
LABELS = {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical"}


def _window(qtbot, mode: Mode, *, read_only: bool = False, alerts=None, operator: Operator = KIM):
    dash = dashboard(panel("inc", "incidents", x=0, y=0, w=24, h=12))
    config = dataclasses.replace(
        app_config(dash, mode=mode),
        sources=(SourceConfig(id="src", kind="alertmanager", url="http://am.test:9093", read_only=read_only),),
    )
    store = store_with(("src", "alertmanager"))
    window = WallWindow(config, (dash,), store, THEME, mode=mode, clock=FakeClock(), quit_clock=FakeClock(),
                        operator=operator)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitExposed(window):
        window.show()
    if alerts is None:
        alerts = (
            alert("HighErrorRate", Severity.CRITICAL, fingerprint="fp-high", labels=LABELS),
            alert("DiskFilling", Severity.WARNING, fingerprint="fp-disk"),
        )
    store.apply("src", snapshot(alerts=alerts), T0, 5.0)
    board = _board(window)
    qtbot.waitUntil(lambda: len(board.visible_rows) == len(alerts))
    return store, window, board


def _board(window: WallWindow) -> IncidentBoardBody:
    body = window.panel_frames()[0].body
    assert isinstance(body, IncidentBoardBody)
    return body


def _requests(window: WallWindow) -> list[ActionRequest]:
    seen: list[ActionRequest] = []
    window.action_requested.connect(seen.append)
    return seen


def _click_row(qtbot, board: IncidentBoardBody, index: int) -> None:
    _, _, header_h, row_h, _ = board._metrics()
    qtbot.mouseClick(board, Qt.MouseButton.LeftButton, pos=QPoint(40, header_h + index * row_h + row_h // 2))


def _right_click_row(board: IncidentBoardBody, index: int) -> None:
    _, _, header_h, row_h, _ = board._metrics()
    pos = QPoint(40, header_h + index * row_h + row_h // 2)
    board.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, board.mapToGlobal(pos)))


def _menu_entries(window: WallWindow) -> dict[str, tuple[bool, str]]:
    (controller,) = window.board_actions
    assert controller.menu is not None, "no context menu opened"
    return {a.data(): (a.isEnabled(), a.text()) for a in controller.menu.actions() if not a.isSeparator()}


# -- the mode table drives the window -------------------------------------------------


@pytest.mark.parametrize("mode", [Mode.WALL, Mode.KIOSK])
def test_wall_and_kiosk_have_no_actions_no_selection_no_menu(qtbot, mode):
    _, window, board = _window(qtbot, mode)
    seen = _requests(window)
    assert not capabilities(mode).act
    assert window.board_actions == () and not board.selectable
    assert board.contextMenuPolicy() is Qt.ContextMenuPolicy.NoContextMenu
    assert board.focusPolicy() is Qt.FocusPolicy.NoFocus
    _right_click_row(board, 0)
    board.setFocus()
    qtbot.keyClick(board, Qt.Key.Key_Down)
    qtbot.keyClick(board, Qt.Key.Key_A)
    assert board.selected_key is None and seen == []


def test_operator_mode_selects_with_click_and_arrows_and_opens_the_menu(qtbot):
    _, window, board = _window(qtbot, Mode.OPERATOR)
    assert capabilities(Mode.OPERATOR).act and len(window.board_actions) == 1
    assert board.selectable and board.focusPolicy() is Qt.FocusPolicy.StrongFocus
    _click_row(qtbot, board, 1)
    assert board.selected_key == ("src", "fp-disk") and board.hasFocus()
    qtbot.keyClick(board, Qt.Key.Key_Up)
    assert board.selected_key == ("src", "fp-high")
    qtbot.keyClick(board, Qt.Key.Key_Up)  # clamped at the top
    assert board.selected_index == 0
    _right_click_row(board, 1)
    assert board.selected_key == ("src", "fp-disk")
    entries = _menu_entries(window)
    assert list(entries) == ["ack", "unack", "escalate", "resolve", "note", "runbook", "history"]
    assert entries["ack"] == (True, "Acknowledge…\tA")
    assert entries["history"] == (False, "History — no state database\tH")  # no reader given


def test_kiosk_keeps_its_lock(qtbot):
    _, window, _ = _window(qtbot, Mode.KIOSK)
    caps = capabilities(Mode.KIOSK)
    assert caps.locked and not caps.tooltips and not caps.window_close
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert window.cursor().shape() is Qt.CursorShape.BlankCursor


# -- the policy decides the menu -----------------------------------------------------


def test_read_only_source_disables_ack_with_the_policys_reason(qtbot):
    _, window, board = _window(qtbot, Mode.OPERATOR, read_only=True)
    _right_click_row(board, 0)
    entries = _menu_entries(window)
    assert entries["ack"] == (False, "Acknowledge — the source is read-only\tA")
    assert entries["unack"][0] is False
    assert entries["note"] == (True, "Add note…\tN")  # notes are local: allowed on a read-only source


def test_someone_elses_ack_is_named_and_only_a_lead_takes_it_back(qtbot):
    acked = (alert("HighErrorRate", Severity.CRITICAL, fingerprint="fp-high", state=AlertState.ACKNOWLEDGED,
                   acknowledged_by="bob & co"),)
    _, window, board = _window(qtbot, Mode.OPERATOR, alerts=acked)
    _right_click_row(board, 0)
    entries = _menu_entries(window)
    assert entries["ack"] == (False, "Acknowledge — already acknowledged by bob && co\tA")  # '&' is no mnemonic
    assert entries["unack"][0] is False and "only they or a lead" in entries["unack"][1]


def test_a_viewer_gets_a_menu_with_nothing_enabled(qtbot):
    _, window, board = _window(qtbot, Mode.OPERATOR, operator=Operator(name="vic", role=Role.VIEWER))
    seen = _requests(window)
    _right_click_row(board, 0)
    assert {kind: enabled for kind, (enabled, _) in _menu_entries(window).items()} == {
        "ack": False, "unack": False, "escalate": False, "resolve": False, "note": False, "runbook": False,
        "history": False}
    qtbot.keyClick(board, Qt.Key.Key_A)
    assert window.board_actions[0].dialog is None and seen == []


# -- A + dialog -> exactly one request -------------------------------------------------


def test_pressing_a_and_accepting_emits_one_request_and_marks_the_row_pending(qtbot):
    _, window, board = _window(qtbot, Mode.OPERATOR)
    seen = _requests(window)
    _click_row(qtbot, board, 0)
    qtbot.keyClick(board, Qt.Key.Key_A)
    (controller,) = window.board_actions
    dialog = controller.dialog
    assert isinstance(dialog, AckDialog) and dialog.isVisible()
    assert dialog.incident_label.textFormat() is Qt.TextFormat.PlainText
    assert dialog.incident_label.text() == "Acknowledge P0 CRITICAL HighErrorRate"
    dialog.reason.setPlainText("rolling back <b>deploy</b> 42")
    dialog.accept()
    assert len(seen) == 1
    request = seen[0]
    assert request.kind is ActionKind.ACK
    assert request.incident == IncidentKey(source_id="src", fingerprint="fp-high")
    assert request.operator == KIM
    assert request.comment == "rolling back <b>deploy</b> 42"
    assert request.until_resolved and request.duration_s is None
    assert dict(request.labels) == LABELS
    assert board.visible_rows[0].marker == "ACK PENDING"
    assert board.visible_rows[1].marker == ""
    qtbot.waitUntil(lambda: controller.dialog is None)


def test_ack_for_a_fixed_time_and_a_cancelled_dialog_sends_nothing(qtbot):
    _, window, board = _window(qtbot, Mode.OPERATOR)
    seen = _requests(window)
    _click_row(qtbot, board, 0)
    (controller,) = window.board_actions
    qtbot.keyClick(board, Qt.Key.Key_A)
    assert controller.dialog is not None
    controller.dialog.reject()
    assert seen == []
    qtbot.waitUntil(lambda: controller.dialog is None)
    qtbot.keyClick(board, Qt.Key.Key_A)
    dialog = controller.dialog
    assert isinstance(dialog, AckDialog)
    dialog.choose_duration("for 4h")
    dialog.accept()
    assert len(seen) == 1 and not seen[0].until_resolved and seen[0].duration_s == 4 * 3600.0


def test_note_needs_text_and_is_sent_with_it(qtbot):
    _, window, board = _window(qtbot, Mode.OPERATOR)
    seen = _requests(window)
    _click_row(qtbot, board, 1)
    qtbot.keyClick(board, Qt.Key.Key_N)
    dialog = window.board_actions[0].dialog
    assert isinstance(dialog, NoteDialog)
    assert not dialog.ok_button.isEnabled()
    dialog.accept()  # refused while empty
    assert seen == [] and dialog.isVisible()
    dialog.text_box.setPlainText("vendor ticket 881")
    dialog.accept()
    assert [(r.kind, r.incident.fingerprint, r.comment) for r in seen] == [(ActionKind.NOTE, "fp-disk", "vendor ticket 881")]
    assert board.visible_rows[1].marker == "NOTE PENDING"


def test_menu_entry_opens_the_same_dialog(qtbot):
    _, window, board = _window(qtbot, Mode.OPERATOR)
    seen = _requests(window)
    _right_click_row(board, 0)
    (controller,) = window.board_actions
    assert controller.menu is not None
    ack = next(a for a in controller.menu.actions() if a.data() == "ack")
    ack.trigger()
    assert isinstance(controller.dialog, AckDialog)
    controller.dialog.accept()
    assert len(seen) == 1 and seen[0].incident.fingerprint == "fp-high"


# -- outcomes ------------------------------------------------------------------------


def _ack_first_row(qtbot, window, board) -> ActionRequest:
    seen = _requests(window)
    _click_row(qtbot, board, 0)
    qtbot.keyClick(board, Qt.Key.Key_A)
    dialog = window.board_actions[0].dialog
    assert dialog is not None
    dialog.accept()
    (request,) = seen
    return request


def test_show_outcome_updates_the_marker(qtbot):
    _, window, board = _window(qtbot, Mode.OPERATOR)
    request = _ack_first_row(qtbot, window, board)
    rid = request.request_id
    window.show_outcome(ActionOutcome(request_id="0" * 32, status=OutcomeStatus.DONE))  # not ours: ignored
    assert board.visible_rows[0].marker == "ACK PENDING"
    window.show_outcome(ActionOutcome(request_id=rid, status=OutcomeStatus.QUEUED, message="no peer reachable"))
    assert board.visible_rows[0].marker == "ACK QUEUED"
    for px in range(9, 60):  # elidedText's float widths cut some exact fits ("ACK QUEU…" at 4K)
        board.set_text_px(px)
        board.repaint()
        assert board.painted_markers[("src", "fp-high")] == "ACK QUEUED", px
    window.show_outcome(ActionOutcome(request_id=rid, status=OutcomeStatus.DONE, message="acknowledged"))
    assert board.visible_rows[0].marker == ""
    assert window.board_actions[0].pending_count == 0


def test_a_failed_outcome_shows_its_message(qtbot):
    _, window, board = _window(qtbot, Mode.OPERATOR)
    request = _ack_first_row(qtbot, window, board)
    window.show_outcome(ActionOutcome(request_id=request.request_id, status=OutcomeStatus.REJECTED,
                                      message="HTTP 400 from am:\nbad matcher"))
    assert board.visible_rows[0].marker == "ACK FAILED: HTTP 400 from am: bad matcher"


def test_rows_hold_still_while_a_dialog_is_open(qtbot):
    store, window, board = _window(qtbot, Mode.OPERATOR)
    _click_row(qtbot, board, 1)
    qtbot.keyClick(board, Qt.Key.Key_N)
    dialog = window.board_actions[0].dialog
    assert dialog is not None
    newer = (alert("NewCritical", Severity.CRITICAL, fingerprint="fp-new"),
             *(alert(n, s, fingerprint=f) for n, s, f in (("HighErrorRate", Severity.CRITICAL, "fp-high"),
                                                          ("DiskFilling", Severity.WARNING, "fp-disk"))))
    store.apply("src", snapshot(alerts=newer), T0 + 1, 5.0)
    window.current_view().refresh_frames(window.panel_frames())
    assert [r.name for r in board.visible_rows] == ["HighErrorRate", "DiskFilling"]  # held
    dialog.reject()
    qtbot.waitUntil(lambda: len(board.visible_rows) == 3)
    assert board.selected_key == ("src", "fp-disk")  # the selection follows the incident, not the index
    assert board.selected_index == 2


# -- dialog details ---------------------------------------------------------------------


def test_duration_presets_start_with_until_resolved_and_include_the_configured_one():
    presets = ack_duration_presets(7200.0)
    assert presets[0] == ("until resolved", None)
    assert ("for 2h (configured)", 7200.0) in presets
    assert [s for _, s in presets[1:]] == sorted(s for _, s in presets[1:] if s is not None)


def test_screenshot_of_a_pending_ack_in_operator_mode(qtbot):
    """Saved for a human to look at (NOC_SHOT_DIR, default /tmp); checks the marker is painted."""
    _, window, board = _window(qtbot, Mode.OPERATOR)
    window.resize(1920, 1080)
    _ack_first_row(qtbot, window, board)
    qtbot.waitUntil(lambda: window.board_actions[0].dialog is None)
    _click_row(qtbot, board, 1)
    image = window.grab().toImage()
    out = os.path.join(os.environ.get("NOC_SHOT_DIR", "/tmp"), "noc-operator-ack-pending.png")
    image.save(out)
    assert board.visible_rows[0].marker == "ACK PENDING" and board.selected_index == 1
    assert isinstance(window.board_actions[0], BoardActions)


def test_u_takes_back_my_own_ack(qtbot):
    acked = (alert("HighErrorRate", Severity.CRITICAL, fingerprint="fp-high", state=AlertState.ACKNOWLEDGED,
                   acknowledged_by="kim", labels=LABELS),)
    _, window, board = _window(qtbot, Mode.OPERATOR, alerts=acked)
    seen = _requests(window)
    qtbot.keyClick(board, Qt.Key.Key_Down)  # the board has the keys in operator mode; Down selects the first row
    assert board.selected_key == ("src", "fp-high")
    qtbot.keyClick(board, Qt.Key.Key_A)  # already acknowledged: the policy refuses, no dialog
    assert window.board_actions[0].dialog is None
    qtbot.keyClick(board, Qt.Key.Key_U)
    dialog = window.board_actions[0].dialog
    assert isinstance(dialog, NoteDialog) and dialog.ok_button.isEnabled()  # the comment is optional
    dialog.accept()
    assert [(r.kind, r.incident.fingerprint, r.operator.name) for r in seen] == [(ActionKind.UNACK, "fp-high", "kim")]
    assert board.visible_rows[0].marker == "UNACK PENDING"
