"""is_quiet: which incidents the sound, notification, flash and takeover skip (flapping or maintenance)."""

from __future__ import annotations

import dataclasses

import pytest
from noise_kit import T0, alert, snapshot

from noc_app.model import AlertState
from noc_app.noise.config import MaintenanceWindow, NoiseConfig
from noc_app.noise.flapping import FLAPS_KEY, FlapReport
from noc_app.noise.reduce import is_quiet

DB_PATCHING = NoiseConfig(maintenance=(MaintenanceWindow(name="db patching", match={"service": "db"},
                                                         start=T0 - 60, end=T0 + 3600),))


@pytest.mark.parametrize(("case", "expected"), [
    ("steady", False),
    ("flapping", True),
    ("in a maintenance window", True),
    ("window closed", False),
    ("silenced for maintenance", True),
    ("silenced for another reason", False),
])
def test_flapping_and_maintenance_are_quiet_and_nothing_else(case, expected):
    steady = alert("HighErrorRate", fp="f", service="api")
    now, noise, snapshots = T0, DB_PATCHING, {"src": snapshot(steady)}
    subject = steady
    if case == "flapping":
        snapshots = {"src": dataclasses.replace(snapshot(steady), prepared={FLAPS_KEY: FlapReport(counts={"f": 4})})}
    elif case in ("in a maintenance window", "window closed"):
        subject = alert("DbDown", fp="d", service="db")
        now = T0 if case == "in a maintenance window" else T0 + 7200
    elif case.startswith("silenced"):
        reason = "kernel maintenance tonight" if case.endswith("maintenance") else "known, ticket OPS-12"
        subject = dataclasses.replace(steady, state=AlertState.SILENCED, mute_reason=reason)
    assert is_quiet(subject, snapshots, noise, now) is expected
