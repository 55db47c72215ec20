"""Raised incidents kept in the state database (no Alertmanager) are on the board, listed and ackable from the wall."""

from __future__ import annotations

import json
import time

from action_helpers import make_request

from noc_app.actions.backends.state_raised import raised_fingerprint
from noc_app.actions.model import ActionKind, IncidentKey, OutcomeStatus
from noc_app.actions.raised import RAISED_SOURCE_ID, RaisedIncident
from noc_app.actions.raised_source import RaisedSource, with_raised_boards
from noc_app.actions.wiring import open_state, raised_in_state, raised_sink
from noc_app.app import LaunchOptions, attach_actions, build_windows, connect_actions, print_snapshot
from noc_app.config.schema import AppConfig, DashboardConfig, GridPos, Mode, PanelConfig, SourceConfig, StateConfig
from noc_app.model import AlertState
from noc_app.runtime import Runtime

WAIT_MS = 15_000
BURN = RaisedIncident(name="SLOBurnRateFast", severity="critical", labels={"slo": "checkout"},
                      summary="2% of the budget in one hour", starts_at=time.time() - 60)
FP = raised_fingerprint(BURN.all_labels)


def _config(tmp_path, *sources: SourceConfig, mode: Mode = Mode.OPERATOR) -> AppConfig:
    board = PanelConfig(id="inc", kind="incidents", title="Incidents", source="demo", sources=("demo",),
                        grid=GridPos(x=0, y=0, w=24, h=12))
    return AppConfig(path="wall.yaml", title="t", mode=mode, theme="dark",
                     sources=sources or (SourceConfig(id="demo", kind="demo", interval_s=5.0),),
                     dashboards=(DashboardConfig(id="d", title="d", panels=(board,)),),
                     state=StateConfig(url=f"sqlite:///{tmp_path}/state.db"))


def _raise(config: AppConfig) -> None:
    journal = open_state(config)
    try:
        raised_sink(config, journal).publish([BURN])  # the seam: with no Alertmanager, the state database
    finally:
        journal.close()


def _raised_row(window):
    from noc_app.widgets.incident_board import IncidentBoardBody

    for body in window.findChildren(IncidentBoardBody):
        for row in body.visible_rows:
            if row.key == (RAISED_SOURCE_ID, FP):
                return row
    return None


def test_the_raised_source_reads_the_state_database_read_only(tmp_path, journal):
    config = _config(tmp_path)
    raised_sink(config, journal).publish([BURN])
    source = RaisedSource(journal)
    assert (source.id, source.kind) == (RAISED_SOURCE_ID, "noc-app")
    snapshot = source.poll()
    (alert,) = snapshot.alerts
    assert (snapshot.source_id, alert.fingerprint, alert.state) == (RAISED_SOURCE_ID, FP, AlertState.FIRING)
    assert source.poll().fingerprint == snapshot.fingerprint  # nothing changed, nothing written


def test_every_incidents_board_names_the_raised_source_once(tmp_path):
    config = _config(tmp_path)
    widened = with_raised_boards(config)
    (panel,) = widened.dashboards[0].panels
    assert panel.sources == ("demo", RAISED_SOURCE_ID)
    assert with_raised_boards(widened) == widened
    assert raised_in_state(config)
    with_am = _config(tmp_path, SourceConfig(id="am", kind="alertmanager", url="http://127.0.0.1:9"))
    assert not raised_in_state(with_am)


def test_raised_incident_is_on_the_board_and_an_ack_from_the_wall_shows_after_the_next_poll(tmp_path, qtbot):
    config = _config(tmp_path)
    _raise(config)
    runtime = Runtime(config)
    attach_actions(config, runtime, claimed_name="bob")
    assert runtime.actions is not None and RAISED_SOURCE_ID in runtime.sources
    (window,) = build_windows(runtime.config, runtime, LaunchOptions(), size=(1600, 1200))
    qtbot.addWidget(window)
    connect_actions(window, runtime)
    window.show()
    runtime.start()
    try:
        qtbot.waitUntil(lambda: _raised_row(window) is not None, timeout=WAIT_MS)
        row = _raised_row(window)
        assert (row.name, row.severity_text, row.state_tag) == ("SLOBurnRateFast", "P0 CRITICAL", "")
        request = make_request(ActionKind.ACK, incident=IncidentKey(source_id=RAISED_SOURCE_ID, fingerprint=FP),
                               labels=BURN.all_labels, requested_at=time.time())
        with qtbot.waitSignal(runtime.actions.outcome_ready, timeout=WAIT_MS) as caught:
            window.action_requested.emit(request)  # wired to ActionService.submit
        assert caught.args[0].status is OutcomeStatus.DONE, caught.args[0].message
        qtbot.waitUntil(lambda: (r := _raised_row(window)) is not None and r.state_tag == "ACKED", timeout=WAIT_MS)
        assert "acked by bob" in _raised_row(window).lineage
        (alert,) = runtime.store.snapshot(RAISED_SOURCE_ID).alerts
        assert (alert.state, alert.acknowledged_by) == (AlertState.ACKNOWLEDGED, "bob")
    finally:
        runtime.stop()
        window.close()


def test_no_raised_source_when_an_alertmanager_takes_them(tmp_path, qtbot):
    with_am = _config(tmp_path, SourceConfig(id="demo", kind="demo"),
                      SourceConfig(id="am", kind="alertmanager", url="http://127.0.0.1:9"))
    runtime = Runtime(with_am)
    attach_actions(with_am, runtime)
    try:
        assert runtime.actions is not None and RAISED_SOURCE_ID not in runtime.sources
        assert runtime.config is with_am
    finally:
        runtime.stop()


def test_a_wall_lists_the_raised_incidents_and_so_does_the_snapshot(tmp_path, qtbot, capsys):
    wall = _config(tmp_path, mode=Mode.WALL)
    _raise(wall)
    runtime = Runtime(wall)
    attach_actions(wall, runtime)
    assert RAISED_SOURCE_ID in runtime.sources
    (window,) = build_windows(runtime.config, runtime, LaunchOptions(), size=(1600, 1200))
    qtbot.addWidget(window)
    window.show()
    runtime.start()
    try:
        qtbot.waitUntil(lambda: _raised_row(window) is not None, timeout=WAIT_MS)
    finally:
        runtime.stop()
        window.close()
    assert print_snapshot(wall, after_s=1.5) == 0
    state = json.loads(capsys.readouterr().out)
    raised = [i for i in state["incidents"] if i["source"] == RAISED_SOURCE_ID]
    assert [(i["name"], i["fingerprint"], i["acknowledged"]) for i in raised] == [("SLOBurnRateFast", FP, False)]
