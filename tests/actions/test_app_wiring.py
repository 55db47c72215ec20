"""The composition root builds the journal, backends and ActionService only when the mode can act."""

from __future__ import annotations

import dataclasses

import pytest
from action_helpers import make_request
from PySide6.QtCore import QObject, Signal

from noc_app.actions.model import ActionKind, OutcomeStatus
from noc_app.actions.wiring import open_state, store_policy, upkeep_sources
from noc_app.app import attach_actions, connect_actions
from noc_app.config.schema import (
    AppConfig,
    DashboardConfig,
    GridPos,
    Mode,
    PanelConfig,
    PanelKind,
    SecretRef,
    SourceConfig,
    StateConfig,
)
from noc_app.config.secrets import SecretUnavailable
from noc_app.model import Alert, AlertState, Severity, Snapshot
from noc_app.runtime import Runtime
from noc_app.state.records import ActionState
from noc_app.state.sqlite import SqliteJournal

WAIT_MS = 10_000


def config_for(tmp_path, mode: Mode = Mode.OPERATOR, **changes) -> AppConfig:
    config = AppConfig(
        path="wall.yaml", title="t", mode=mode, theme="dark", dashboards=(),
        sources=(
            SourceConfig(id="am", kind="alertmanager", url="http://127.0.0.1:9", timeout_s=1.0,
                         deadman_alert="Watchdog"),
            SourceConfig(id="am-ro", kind="alertmanager", url="http://127.0.0.1:9", read_only=True),
            SourceConfig(id="am-plain", kind="alertmanager", url="http://127.0.0.1:9"),
        ),
        state=StateConfig(url=f"sqlite://{tmp_path}/state.db"),
    )
    return dataclasses.replace(config, **changes)


class FakeWindow(QObject):
    action_requested = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.outcomes: list[object] = []

    def show_outcome(self, outcome: object) -> None:  # as WallWindow.show_outcome
        self.outcomes.append(outcome)


class Unreachable:
    def perform(self, request):
        from noc_app.actions.errors import Retryable

        raise Retryable("connection refused")


@pytest.mark.parametrize("mode", [Mode.WALL, Mode.KIOSK])
def test_modes_that_cannot_act_record_history_and_deliver_nothing(tmp_path, qtbot, mode):
    """A wall keeps the room's record of what it showed; it sends nothing, not even what others queued."""
    from noc_app.actions.execute import execute

    board = PanelConfig(id="inc", kind=PanelKind.INCIDENTS, title="Incidents", source="demo", sources=("demo",),
                        grid=GridPos(x=0, y=0, w=24, h=12))
    config = config_for(tmp_path, mode, sources=(SourceConfig(id="demo", kind="demo", interval_s=1.0),
                                                  *config_for(tmp_path).sources),
                        dashboards=(DashboardConfig(id="d", title="d", panels=(board,)),))
    queued = make_request()
    journal = SqliteJournal(tmp_path / "state.db")
    try:
        assert execute(queued, Unreachable(), journal).status is OutcomeStatus.QUEUED
    finally:
        journal.close()
    runtime = Runtime(config)
    attach_actions(runtime.config, runtime, claimed_name="bob")
    service = runtime.actions
    assert service is not None and service.operator is None
    window = FakeWindow()
    connect_actions(window, runtime)
    runtime.start()
    journal = SqliteJournal(tmp_path / "state.db")
    try:
        qtbot.waitUntil(lambda: runtime.store.snapshot("demo") is not None, timeout=WAIT_MS)
        demo_alerts = [a for a in runtime.store.snapshot("demo").alerts if a.state is not AlertState.RESOLVED]
        assert demo_alerts, "the demo shows incidents"
        qtbot.waitUntil(lambda: len(journal.incident_histories()) >= len(demo_alerts), timeout=WAIT_MS)
        shown = {h.fingerprint: h for h in journal.incident_histories() if h.source_id == "demo"}
        assert all(shown[a.fingerprint].shown_at is not None for a in demo_alerts)
        with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
            window.action_requested.emit(make_request(ActionKind.NOTE, labels={}))
        assert caught.args[0].status is OutcomeStatus.REJECTED
        assert f"{mode.value} mode has no actions" in caught.args[0].message
        assert service.next_replay_at() is None
        assert journal.get(queued.request_id).state is ActionState.PENDING  # still waiting for an operator app
    finally:
        runtime.stop()
        journal.close()


def test_operator_mode_wires_window_requests_to_the_service(tmp_path, qtbot):
    config = config_for(tmp_path)
    runtime = Runtime(config)
    attach_actions(config, runtime, claimed_name="bob")
    service = runtime.actions
    assert service is not None and service.operator.name == "bob" and service.operator.claimed
    window = FakeWindow()
    connect_actions(window, runtime)
    runtime.start()
    try:
        # the window's Operator is replaced by the workstation's; an unknown incident cannot be acked
        with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
            window.action_requested.emit(make_request())
        assert caught.args[0].status is OutcomeStatus.REJECTED and "resolved" in caught.args[0].message
        # a note with no labels is journal-only (with labels it would look for an ack on the unreachable
        # Alertmanager, to join its comment, and wait in the outbox)
        note = make_request(ActionKind.NOTE, labels={})
        with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
            window.action_requested.emit(note)
        assert caught.args[0].status is OutcomeStatus.DONE
        qtbot.waitUntil(lambda: len(window.outcomes) == 2, timeout=WAIT_MS)
    finally:
        runtime.stop()
    journal = SqliteJournal(tmp_path / "state.db")
    try:
        row = journal.get(note.request_id)
        assert row.state is ActionState.DONE and row.payload["operator"]["name"] == "bob"
        assert row.payload["operator"]["claimed"] is True
    finally:
        journal.close()


def test_a_state_database_that_cannot_be_opened_leaves_the_wall_without_actions(tmp_path, qtbot, capsys):
    config = config_for(tmp_path, state=StateConfig(url="postgresql://noc@127.0.0.1:9/noc",
                                                    password=SecretRef(env="NOC_TEST_UNSET_PASSWORD")))
    runtime = Runtime(config)
    attach_actions(config, runtime)
    assert runtime.actions is None
    assert "actions are off: cannot open the state database" in capsys.readouterr().err


def test_open_state_resolves_the_password_reference(tmp_path, monkeypatch):
    config = config_for(tmp_path, state=StateConfig(url="postgresql://noc@127.0.0.1:9/noc",
                                                    password=SecretRef(env="NOC_TEST_STATE_PASSWORD")))
    with pytest.raises(SecretUnavailable, match="NOC_TEST_STATE_PASSWORD is not set"):
        open_state(config)
    monkeypatch.setenv("NOC_TEST_STATE_PASSWORD", "hunter2-state")
    with pytest.raises(Exception) as caught:  # nobody listens on port 9: the driver's error
        open_state(config)
    from noc_app.redaction import redact

    assert "hunter2-state" not in redact(str(caught.value))


def test_upkeep_sources_skip_read_only_and_know_hidden_dead_man_switches(tmp_path):
    assert upkeep_sources(config_for(tmp_path)) == {"am": True, "am-plain": False}


def test_store_policy_reads_the_incident_from_the_latest_snapshot(tmp_path):
    config = config_for(tmp_path)
    request = make_request()
    alert = Alert(fingerprint=request.incident.fingerprint, source_id="am", name="CheckoutErrors",
                  severity=Severity.CRITICAL, state=AlertState.ACKNOWLEDGED, acknowledged_by="carol")
    snapshots = {"am": Snapshot.build("am", 1.0, alerts=[alert])}
    context = store_policy(config, snapshots.get)(request)
    assert (context.state, context.acknowledged_by, context.read_only, context.mode) == (
        AlertState.ACKNOWLEDGED, "carol", False, Mode.OPERATOR)
    assert store_policy(config, lambda sid: None)(request).state is AlertState.RESOLVED


def test_an_operator_wall_window_acts_as_the_workstations_operator(tmp_path, qtbot):
    from noc_app.app import LaunchOptions, build_windows
    from noc_app.config.schema import DashboardConfig, GridPos, PanelConfig

    board = PanelConfig(id="inc", kind="incidents", title="Incidents", source="am", grid=GridPos(x=0, y=0, w=24, h=12))
    config = config_for(tmp_path, dashboards=(DashboardConfig(id="d", title="d", panels=(board,)),))
    runtime = Runtime(config)
    attach_actions(config, runtime, claimed_name="bob")
    try:
        (window,) = build_windows(config, runtime, LaunchOptions(), size=(800, 600))
        qtbot.addWidget(window)
        connect_actions(window, runtime)
        assert runtime.actions is not None
        assert [a.settings.operator for a in window.board_actions] == [runtime.actions.operator]
    finally:
        runtime.stop()
