"""A wall with `automation: {enabled: true}` competes for the room's lease in a thread and lets go at exit."""

from __future__ import annotations

import os
from pathlib import Path

from noc_app.actions.automation_lease import FileLease
from noc_app.app import attach_actions
from noc_app.config.schema import (
    AppConfig,
    AutomationConfig,
    DashboardConfig,
    GridPos,
    Mode,
    PanelConfig,
    PanelKind,
    SourceConfig,
    StateConfig,
)
from noc_app.runtime import Runtime
from noc_app.state.sqlite import SqliteJournal

WAIT_MS = 20_000


def config_for(tmp_path: Path, *, enabled: bool) -> AppConfig:
    board = PanelConfig(id="inc", kind=PanelKind.INCIDENTS, title="Incidents", source="demo", sources=("demo",),
                        grid=GridPos(x=0, y=0, w=24, h=12))
    return AppConfig(
        path="wall.yaml", title="t", mode=Mode.WALL, theme="dark",
        sources=(SourceConfig(id="demo", kind="demo", interval_s=1.0),),
        dashboards=(DashboardConfig(id="d", title="d", panels=(board,)),),
        state=StateConfig(url=f"sqlite://{tmp_path}/state.db"),
        automation=AutomationConfig(enabled=enabled, interval_s=1.0, lease_retry_s=1.0),
    )


def test_a_wall_holds_the_lease_while_it_runs_and_releases_it(tmp_path: Path, qtbot) -> None:
    runtime = Runtime(config_for(tmp_path, enabled=True))
    attach_actions(runtime.config, runtime)
    runtime.start()
    standby = FileLease(tmp_path / "state.db", name="standby")
    journal = SqliteJournal(tmp_path / "state.db")
    try:
        qtbot.waitUntil(lambda: f":{os.getpid()} since" in standby.holder(), timeout=WAIT_MS)
        assert not standby.try_acquire()
        # the demo's old P0/P1 incidents are past their ack time: escalations recorded by the automation
        qtbot.waitUntil(lambda: any(a.action == "escalate" for a in journal.audit()), timeout=WAIT_MS)
        assert {a.actor for a in journal.audit() if a.action.startswith("escalate")} == {"noc-app automation"}
    finally:
        runtime.stop()
        journal.close()
    assert standby.try_acquire()  # released at exit
    standby.release()


def test_automation_is_off_unless_enabled(tmp_path: Path, qtbot) -> None:
    runtime = Runtime(config_for(tmp_path, enabled=False))
    attach_actions(runtime.config, runtime)
    try:
        assert FileLease(tmp_path / "state.db").holder() == ""
        assert not (tmp_path / "state.db.automation.lock").exists()
    finally:
        runtime.stop()
