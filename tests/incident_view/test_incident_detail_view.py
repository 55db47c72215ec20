"""The incident detail view: opened by a click in operator mode, plain text only, links only http/https,
linked panels go to their dashboard, the log query runs through the injected runner, actions reuse the board's."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDesktopServices

from incident_view_kit import LABELS, THEME, operator_window
from noc_app.actions.model import ActionKind
from noc_app.config.schema import Mode
from noc_app.incident_detail import IncidentLogs
from noc_app.model import LogLevel, LogLine
from noc_app.widgets.action_dialogs import AckDialog
from noc_app.widgets.incident_detail_opener import IncidentDetailOpener
from noc_app.widgets.incident_detail_view import DetailContext, IncidentDetailView


def _click_row(qtbot, board, index: int) -> None:
    _, _, header_h, row_h, _ = board._metrics()
    qtbot.mouseClick(board, Qt.MouseButton.LeftButton, pos=QPoint(40, header_h + index * row_h + row_h // 2))


def _opened(qtbot, window, *, log_runner=None, problem_lines=None) -> tuple[IncidentDetailView, list]:
    calls: list = []

    def runner(source_id, query, deliver):
        calls.append((source_id, query, deliver))
        if log_runner is not None:
            log_runner(source_id, query, deliver)

    (controller,) = window.board_actions
    context = DetailContext(levels=window.config.severity_levels, dashboards=tuple(v.dashboard for v in window.views),
                            clock=window._clock,
                            sources=window.config.sources, log_runner=runner, problem_lines=problem_lines)
    opener = IncidentDetailOpener(controller, context, THEME, parent=window)
    _click_row(qtbot, controller.board, 0)
    view = opener.view
    assert view is not None, "a click on the row opens the detail"
    return view, calls


def test_click_opens_the_detail_with_priority_state_and_times(qtbot):
    _, window, _, _ = operator_window(qtbot)
    view, _ = _opened(qtbot, window)
    assert view.priority_label.text() == "P0 CRITICAL"
    assert view.title_label.text() == "HighErrorRate"
    assert view.state_label.text() == "FIRING"
    assert any(t.startswith("Started ") and "(for 10m)" in t for t in view.shown_texts())


def test_labels_and_annotations_are_plain_text(qtbot):
    _, window, _, _ = operator_window(qtbot)
    view, _ = _opened(qtbot, window)
    assert "team = <b>shop</b>" in view.labels_box.toPlainText()
    assert "summary = 5xx above 5 % <i>for</i> 10 min" in view.annotations_box.toPlainText()
    for label in (view.priority_label, view.title_label, view.state_label, view.problem_text):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert all(not hasattr(w, "openExternalLinks") or not w.openExternalLinks()
               for w in view.findChildren(type(view.priority_label)))


def test_links_are_the_http_ones_and_open_only_through_desktop_services(qtbot, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True))
    _, window, _, _ = operator_window(qtbot)
    view, _ = _opened(qtbot, window)
    urls = [b.property("noc_url") for b in view.link_buttons]
    assert urls == ["https://runbooks.example/checkout", "http://grafana.example:3000/d/shop"]
    for button in view.link_buttons:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert opened == urls
    from noc_app.widgets.incident_parts import open_link

    assert not open_link("file:///etc/passwd") and not open_link("javascript:alert(1)")
    assert opened == urls  # nothing else was handed to the desktop


def test_linked_panels_ranked_and_a_click_goes_to_the_dashboard(qtbot):
    _, window, _, _ = operator_window(qtbot)
    view, _ = _opened(qtbot, window)
    assert [b.property("noc_panel") for b in view.panel_buttons] == ["shop/cpu", "shop/rps"]
    assert window.current_view().dashboard.id == "board"
    qtbot.mouseClick(view.panel_buttons[0], Qt.MouseButton.LeftButton)
    assert window.current_view().dashboard.id == "shop"
    assert window.paused  # it stays there
    assert window.property("noc_focused_panel") == "shop/cpu"


def test_log_query_is_shown_and_its_lines_arrive_later(qtbot):
    _, window, _, _ = operator_window(qtbot)
    view, calls = _opened(qtbot, window)
    assert calls and calls[0][0] == "logs"
    assert calls[0][1] == '{service="checkout", instance="web-1:9100"} |~ "(?i)(error|fail|exception|fatal|panic)"'
    assert calls[0][1] in view.log_panel.query_label.text()
    assert view.log_panel.text() == "Reading logs…"
    line = LogLine(ts=1_700_000_000.0, level=LogLevel.ERROR, text="payment <b>timeout</b>", cursor="c1")
    calls[0][2](IncidentLogs(source_id="logs", query=calls[0][1], lines=(line,)))
    assert "ERROR   payment <b>timeout</b>" in view.log_panel.text()
    calls[0][2](IncidentLogs(source_id="logs", query=calls[0][1], error="Unreachable: connection refused"))
    assert "logs: cannot read logs: Unreachable: connection refused" in view.log_panel.text()


def test_problem_section_is_hidden_until_set(qtbot):
    _, window, _, _ = operator_window(qtbot)
    view, _ = _opened(qtbot, window)
    assert view.problem_text.isHidden()
    view.set_problem(["probable cause: db-1 down", "<b>3 incidents</b>"])
    assert not view.problem_text.isHidden()
    assert view.problem_text.text() == "probable cause: db-1 down\n<b>3 incidents</b>"
    view2, _ = _opened(qtbot, window, problem_lines=lambda group: [f"{len(group)} alert(s) share db-1"])
    assert view2.problem_text.text() == "1 alert(s) share db-1"


def test_action_buttons_reuse_the_boards_controller(qtbot):
    _, window, board, _ = operator_window(qtbot)
    view, _ = _opened(qtbot, window)
    assert view.action_buttons["ack"].isEnabled()
    board.selected_key = None  # the board's selection moved away meanwhile
    qtbot.mouseClick(view.action_buttons["ack"], Qt.MouseButton.LeftButton)
    (controller,) = window.board_actions
    assert isinstance(controller.dialog, AckDialog)  # the controller's own dialog, for this row
    assert board.selected_group() is not None and board.selected_group()[0].labels == LABELS
    controller.dialog.reject()


def test_enter_opens_the_detail_and_wall_mode_has_no_opener(qtbot):
    _, window, board, _ = operator_window(qtbot)
    (controller,) = window.board_actions
    opener = IncidentDetailOpener(controller, DetailContext(), THEME, parent=window)
    board.select_index(0)
    qtbot.keyClick(board, Qt.Key.Key_Return)
    assert opener.view is not None
    opener.view.reject()
    _, wall, _, _ = operator_window(qtbot, mode=Mode.WALL)
    assert wall.board_actions == ()  # no controller: nothing to attach a detail to


def test_unanswered_queries_say_why_nothing_is_shown(qtbot):
    _, window, _, _ = operator_window(qtbot)
    (controller,) = window.board_actions
    opener = IncidentDetailOpener(controller, DetailContext(), THEME, parent=window)
    _click_row(qtbot, controller.board, 0)
    assert opener.view is not None
    assert "No log source configured" in opener.view.log_panel.query_label.text()
    assert ActionKind.ACK.value in opener.view.action_buttons


def test_action_keys_work_while_the_detail_is_open(qtbot):
    _, window, _, _ = operator_window(qtbot)
    view, _ = _opened(qtbot, window)
    qtbot.keyClick(view, Qt.Key.Key_A)
    (controller,) = window.board_actions
    assert isinstance(controller.dialog, AckDialog)
    controller.dialog.reject()
