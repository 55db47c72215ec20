"""The board shows the policy's priority and each row's ack countdown; the selector decides the words."""

from __future__ import annotations

from types import MappingProxyType

from noc_app.config.schema import SeverityLevel
from noc_app.model import AlertState, Severity
from noc_app.selectors import panel_alerts
from noc_app.selectors_board_rows import BoardPolicy
from noc_app.themes import load_theme
from noc_app.widgets.incident_board import IncidentBoardBody

from wall_testkit import T0, alert, data, panel, snapshot

THEME = load_theme("dark")
PANEL = panel("inc", "incidents")


def _board(qtbot, policy):
    board = IncidentBoardBody(PANEL, THEME)
    qtbot.addWidget(board)
    board.set_text_px(20)
    board.resize(1400, 500)
    board.set_policy(policy)
    with qtbot.waitExposed(board):
        board.show()
    return board


def _sorted(*alerts):
    return panel_alerts(PANEL, {"src": snapshot(alerts=alerts)})


def test_countdown_counts_down_and_turns_overdue(qtbot):
    board = _board(qtbot, BoardPolicy())  # the seed's defaults: P1 ack within 15 min
    board.refresh(data(alerts=_sorted(
        alert("HighLatency", Severity.HIGH, starts_at=T0 - 12 * 60),
        alert("Acked", Severity.HIGH, state=AlertState.ACKNOWLEDGED, starts_at=T0 - 60 * 60),
    ), now=T0))
    board.tick(T0)
    first, acked = board.visible_rows
    assert (first.severity_text, first.countdown) == ("P1 HIGH", "ack due in 3 min")
    assert acked.countdown == ""  # someone is on it
    board.tick(T0 + 5 * 60)
    assert board.visible_rows[0].countdown == "ack overdue 2 min"
    board.grab().save("/tmp/board_countdown.png")


def test_priority_comes_from_the_configured_policy(qtbot):
    policy = BoardPolicy(levels=(
        SeverityLevel(id="P0", name="payments", match=(MappingProxyType({"service": ("payment",)}),),
                      response_time_s=120.0),
    ))
    board = _board(qtbot, policy)
    board.refresh(data(alerts=_sorted(
        alert("Pay", Severity.WARNING, labels={"service": "payment"}, starts_at=T0 - 60),
        alert("Other", Severity.WARNING, starts_at=T0 - 60),
    ), now=T0))
    board.tick(T0)
    rows = {row.name: row for row in board.visible_rows}
    pay, other = rows["Pay"], rows["Other"]
    assert (pay.severity_text, pay.countdown) == ("P0 WARNING", "ack due in 1 min")
    assert (other.severity_text, other.countdown) == ("P2 WARNING", "")  # no row matches: its own, no clock


def test_without_a_policy_the_board_is_as_before(qtbot):
    board = _board(qtbot, None)
    board.refresh(data(alerts=_sorted(alert("A", Severity.HIGH, starts_at=T0 - 60)), now=T0))
    assert board.visible_rows[0].countdown == ""
