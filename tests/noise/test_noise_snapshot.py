"""The snapshot JSON's new incidents-panel fields: `noise` (folded, flapping, maintenance) and `problems`."""

from __future__ import annotations

import dataclasses
import json

from noise_kit import T0, alert, board_panel, snapshot

from noc_app.config.schema import AppConfig, DashboardConfig, Mode, SourceConfig
from noc_app.model import Severity, SourceHealth, SourceStatus
from noc_app.noise.config import FlapRule, MaintenanceWindow, NoiseConfig
from noc_app.noise.flapping import FLAPS_KEY, FlapReport
from noc_app.wall_state import wall_state

NOISE = NoiseConfig(
    flapping=FlapRule(changes=2, window_s=300),
    warning_min_duration_s=300,
    maintenance=(MaintenanceWindow(name="patching", match={"service": "mail"}, start=T0 - 60, end=T0 + 60),),
    topology={"checkout": ("db",)},
)


def _state(noise: NoiseConfig):
    config = AppConfig(path="<t>", title="t", mode=Mode.WALL, theme="dark",
                       sources=(SourceConfig(id="src", kind="alertmanager"),),
                       dashboards=(DashboardConfig(id="d", title="D", panels=(board_panel("src"),)),), noise=noise)
    snap = snapshot(
        alert("HighLatency", service="checkout", starts_at=T0 - 100, fp="lat"),
        alert("DbDown", service="db", starts_at=T0 - 200, fp="db"),
        alert("QueueSlow", Severity.WARNING, service="queue", starts_at=T0 - 10, fp="young"),
        alert("MailDown", service="mail", fp="mail"),
        alert("Blinky", service="blink", fp="blink"),
    )
    snap = dataclasses.replace(snap, prepared={FLAPS_KEY: FlapReport(counts={"blink": 3})})
    status = SourceStatus(source_id="src", kind="alertmanager", health=SourceHealth.OK, last_success_at=T0)
    state = wall_state(config, {"src": snap}, {"src": status}, T0)
    json.dumps(state)  # plain JSON
    (entry,) = state["dashboards"][0]["panels"]
    return entry


def test_incident_panels_report_folding_flapping_maintenance_and_problems():
    entry = _state(NOISE)
    noise = entry["noise"]
    assert noise["raw_alerts"] == 5 and noise["rows"] == 4 and noise["held_back"] == 1
    assert [(f["fingerprint"], f["tag"]) for f in noise["flapping"]] == [("blink", "FLAPPING ×3 in 5m")]
    assert [(m["fingerprint"], m["note"]) for m in noise["maintenance"]] == [("mail", "maintenance: patching")]
    (problem,) = entry["problems"]
    assert problem["cause"] == "db" and problem["ranking"] == ["db", "checkout"]
    assert problem["hint"] == "probable cause: db (started first, checkout depends on it)"
    assert problem["cause_incident"]["fingerprint"] == "db"
    assert [m["fingerprint"] for m in problem["members"]] == ["db", "lat"]
    assert problem["started_at"] == "2023-11-14T22:10:00Z"
    assert entry["incident_count"] == 4  # the held-back warning is not listed


def test_without_noise_settings_the_fields_are_there_and_quiet():
    entry = _state(NoiseConfig())
    assert entry["noise"]["raw_alerts"] == 5 and entry["noise"]["rows"] == 5
    assert entry["noise"]["flapping"] == [] and entry["noise"]["maintenance"] == [] and entry["noise"]["held_back"] == 0
    assert [p["cause"] for p in entry["problems"]] == []  # db and checkout: no shared label, no topology
