"""P0 takeover on a window: switches the designated window to the incident and returns it to its playlist
where it was once the incident is acknowledged or resolved; never in kiosk mode."""

from __future__ import annotations

import dataclasses

import pytest

from incident_view_kit import LABELS, THEME, alert, operator_window, snapshot
from noc_app.config.schema import Mode, TakeoverConfig
from noc_app.incident_detail import IncidentLogs
from noc_app.model import AlertState, LogLevel, LogLine, Severity
from noc_app.widgets.takeover_controller import TakeoverController
from noc_app.widgets.takeover_view import TakeoverView

ON = {"takeover": TakeoverConfig(enabled=True)}
T0 = 1_700_000_000.0


def _p0(fp="fp-p0", state=AlertState.FIRING, starts_at=T0 - 300, **kw):
    return alert("CheckoutDown", Severity.CRITICAL, fingerprint=fp, labels=LABELS, state=state, starts_at=starts_at,
                 summary="checkout returns 503", **kw)


def _controller(qtbot, mode=Mode.WALL, alerts=(), runner_calls=None):
    store, window, _board, clock = operator_window(qtbot, mode=mode, alerts=alerts, config_changes=ON)

    def runner(source_id, query, deliver):
        if runner_calls is not None:
            runner_calls.append((source_id, query, deliver))

    controller = TakeoverController(window, store, window.config, THEME, log_runner=runner, clock=clock)
    return store, window, controller, clock


def test_a_new_p0_takes_the_window_over_and_acknowledging_returns_it_where_it_was(qtbot):
    calls: list = []
    store, window, controller, clock = _controller(qtbot, runner_calls=calls)
    window.show_dashboard(1)  # the playlist is on its second dashboard
    assert controller.tick().alert is None and window.takeover_widget is None
    held: list[bool] = []
    window.takeover_changed.connect(held.append)  # the screen manager keeps a shared monitor on it
    store.apply("src", snapshot(alerts=(_p0(),)), T0 + 1, 5.0)
    assert controller.taken_over and held == [True]
    assert window.stack.currentWidget() is controller.view
    view: TakeoverView = controller.view
    assert view.priority.text() == "■ P0 CRITICAL"
    assert view.name.text() == "CheckoutDown"
    assert view.since.text() == "firing for 5 min"
    assert [p.panel_id for p in view.linked] == ["cpu", "rps"]
    assert [v.dashboard.id for v in view.panel_views] == ["shop", "shop"]  # their own query keys
    assert calls and calls[0][0] == "logs"
    calls[0][2](IncidentLogs(source_id="logs", query=calls[0][1], lines=(
        LogLine(ts=T0, level=LogLevel.ERROR, text="upstream connect error", cursor="c"),)))
    assert "upstream connect error" in view.log_panel.text()
    window.show_next()  # the rotation is stopped; a key press only moves where it returns to
    assert window.stack.currentWidget() is controller.view
    store.apply("src", snapshot(alerts=(_p0(state=AlertState.ACKNOWLEDGED, acknowledged_by="kim"),)), T0 + 2, 5.0)
    assert not controller.taken_over and held == [True, False]
    assert window.current_view().dashboard.id == "board"  # 1, then Right: wraps to 0
    assert window.stack.currentWidget() is not controller.view


@pytest.mark.parametrize("state", [AlertState.RESOLVED, AlertState.SILENCED])
def test_resolved_or_silenced_returns(qtbot, state):
    store, window, controller, _ = _controller(qtbot, alerts=(_p0(),))
    controller.tick()
    assert controller.taken_over
    store.apply("src", snapshot(alerts=(_p0(state=state),)), T0 + 1, 5.0)
    assert not controller.taken_over
    assert window.current_view().dashboard.id == "board"


def test_gone_from_the_board_returns(qtbot):
    store, window, controller, _ = _controller(qtbot, alerts=(_p0(),))
    controller.tick()
    store.apply("src", snapshot(alerts=()), T0 + 1, 5.0)
    assert not controller.taken_over


def test_several_p0_the_oldest_with_a_counter_then_the_next(qtbot):
    alerts = (_p0("young", starts_at=T0 - 10), _p0("old", starts_at=T0 - 900), _p0("mid", starts_at=T0 - 60))
    store, _, controller, _ = _controller(qtbot, alerts=alerts)
    controller.tick()
    assert controller.decision.alert.fingerprint == "old"
    assert controller.view.more.text() == "2 more P0"
    store.apply("src", snapshot(alerts=(alerts[0], _p0("old", state=AlertState.ACKNOWLEDGED), alerts[2])), T0 + 1, 5.0)
    assert controller.taken_over and controller.decision.alert.fingerprint == "mid"
    assert controller.view.more.text() == "1 more P0"


def test_operator_mode_takes_over_too(qtbot):
    _, _, controller, _ = _controller(qtbot, mode=Mode.OPERATOR, alerts=(_p0(),))
    controller.tick()
    assert controller.taken_over


def test_never_in_kiosk_mode(qtbot):
    _, window, controller, _ = _controller(qtbot, mode=Mode.KIOSK, alerts=(_p0(),))
    controller.tick()
    assert not controller.taken_over and window.takeover_widget is None


def test_suppressed_incidents_do_not_take_over(qtbot):
    store, window, _board, clock = operator_window(qtbot, alerts=(_p0(),), config_changes=ON)
    controller = TakeoverController(window, store, window.config, THEME, clock=clock, suppressed=lambda a: True)
    controller.tick()
    assert not controller.taken_over


def test_wiring_picks_the_designated_window(qtbot):
    from noc_app.widgets.incident_wiring import takeover_window

    _, first, _, _ = operator_window(qtbot)
    _, second, _, _ = operator_window(qtbot)
    first.setProperty("noc_screen_id", "left")
    second.setProperty("noc_screen_id", "right")
    config = dataclasses.replace(first.config, takeover=TakeoverConfig(enabled=True, screen="right"))
    assert takeover_window(config, [first, second]) is second
    assert takeover_window(dataclasses.replace(config, takeover=TakeoverConfig(screen=1)), [first, second]) is second
    assert takeover_window(dataclasses.replace(config, takeover=TakeoverConfig(screen="gone")), [first, second]) is first


def test_attach_incident_views_puts_details_on_operator_boards_and_takeover_when_configured(qtbot):
    from PySide6.QtCore import QPoint, Qt

    from noc_app.widgets.incident_detail_opener import IncidentDetailOpener
    from noc_app.widgets.incident_wiring import attach_incident_views

    store, window, board, clock = operator_window(qtbot)
    assert attach_incident_views(window.config, [window], store, THEME, clock=clock) is None  # no takeover section
    (opener,) = window.findChildren(IncidentDetailOpener)
    _, _, header_h, row_h, _ = board._metrics()
    qtbot.mouseClick(board, Qt.MouseButton.LeftButton, pos=QPoint(40, header_h + row_h // 2))
    assert opener.view is not None
    opener.view.reject()
    store2, window2, _, clock2 = operator_window(qtbot, mode=Mode.WALL, config_changes=ON)
    controller = attach_incident_views(window2.config, [window2], store2, THEME, clock=clock2)
    assert isinstance(controller, TakeoverController) and controller.window is window2
    kiosk_store, kiosk, _, kiosk_clock = operator_window(qtbot, mode=Mode.KIOSK, config_changes=ON)
    assert attach_incident_views(kiosk.config, [kiosk], kiosk_store, THEME, clock=kiosk_clock) is None


def test_a_dead_feed_greys_the_banner_and_says_so(qtbot):
    from PySide6.QtGui import QColor

    from noc_app.sources.base import Unreachable

    store, _, controller, clock = _controller(qtbot, alerts=(_p0(),))
    controller.tick()
    assert controller.view.feed.isHidden()
    assert controller.view.banner.color == QColor(THEME.color("critical"))
    clock.now = T0 + 250
    store.mark_failed("src", Unreachable("connection refused"), T0 + 250, 5.0)
    controller.tick()
    assert controller.taken_over  # the last known state still needs an answer
    assert not controller.view.feed.isHidden()
    assert controller.view.feed.text().startswith("STALE")
    assert "connection refused" in controller.view.feed.text()
    assert controller.view.banner.color == QColor(THEME.color("stale"))
