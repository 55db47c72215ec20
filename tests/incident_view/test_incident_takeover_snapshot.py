"""The snapshot JSON says whether a screen is taken over, by which incident, decided by the wall's own policy."""

from __future__ import annotations

import json

import pytest

from noc_app.config.schema import AppConfig, Mode, SourceConfig, TakeoverConfig
from noc_app.model import Alert, AlertState, Severity, Snapshot, SourceHealth, SourceStatus
from noc_app.noise.config import MaintenanceWindow, NoiseConfig
from noc_app.wall_state import wall_state

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


def _alert(fp: str, severity: Severity = Severity.CRITICAL, *, state: AlertState = AlertState.FIRING,
           starts_at: float = T0 - 600, service: str = "checkout") -> Alert:
    return Alert(fingerprint=fp, source_id="am", name=f"Down{fp}", severity=severity, state=state,
                 starts_at=starts_at, labels={"alertname": f"Down{fp}", "service": service})


def _takeover(*alerts: Alert, mode: Mode = Mode.WALL, takeover: TakeoverConfig | None = None,
              noise: NoiseConfig | None = None):
    config = AppConfig(path="<t>", title="t", mode=mode, theme="dark",
                       sources=(SourceConfig(id="am", kind="alertmanager"),), dashboards=(),
                       takeover=takeover or TakeoverConfig(enabled=True, screen="main"),
                       noise=noise or NoiseConfig())
    status = SourceStatus(source_id="am", kind="alertmanager", health=SourceHealth.OK, last_success_at=T0)
    state = wall_state(config, {"am": Snapshot.build("am", T0, alerts=alerts)}, {"am": status}, T0)
    json.dumps(state)  # plain JSON
    return state["takeover"]


def test_a_firing_p0_nobody_answered_holds_the_screen():
    entry = _takeover(_alert("a", starts_at=T0 - 120), _alert("b"), _alert("c", Severity.HIGH))
    assert entry == {
        "active": True, "screen": "main", "source": "am", "fingerprint": "b", "name": "Downb",
        "priority": "P0", "since": "2023-11-14T22:03:20+00:00", "waiting": [{"priority": "P0", "count": 1}],
    }


@pytest.mark.parametrize("state", [AlertState.ACKNOWLEDGED, AlertState.SILENCED, AlertState.RESOLVED])
def test_an_answered_incident_gives_the_screen_back(state):
    assert _takeover(_alert("a", state=state)) == {"active": False, "screen": "main"}


def test_a_warning_below_the_configured_priority_never_takes_over():
    assert _takeover(_alert("a", Severity.WARNING))["active"] is False


def test_an_incident_under_maintenance_does_not_take_over():
    window = MaintenanceWindow(name="patching", match={"service": "checkout"}, start=T0 - 60, end=T0 + 60)
    assert _takeover(_alert("a"), noise=NoiseConfig(maintenance=(window,)))["active"] is False


def test_null_without_a_takeover_or_in_a_kiosk():
    assert _takeover(_alert("a"), takeover=TakeoverConfig()) is None  # no `takeover:` section
    assert _takeover(_alert("a"), mode=Mode.KIOSK) is None
