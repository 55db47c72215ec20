"""What the `snapshot` JSON says about the P0 takeover (pure): the same policy the wall applies.

`takeover` is null when the config has no takeover (or its mode never takes a screen over, a kiosk);
otherwise {"active": false, "screen": ...} while every screen shows its playlist, and with
"active": true the incident that holds the screen, its priority, since when and who waits behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from noc_app.config.schema import AppConfig
from noc_app.model import Alert, Snapshot
from noc_app.modes import capabilities
from noc_app.noise.reduce import is_quiet
from noc_app.takeover import decide_takeover, snapshot_alerts


def takeover_entry(config: AppConfig, snapshots: Mapping[str, Snapshot | None], now: float) -> dict[str, Any] | None:
    if not config.takeover.enabled or not capabilities(config.mode).takeover:
        return None
    def quiet(alert: Alert) -> bool:  # flapping or maintenance: shown on the board, never taking a screen
        return is_quiet(alert, snapshots, config.noise, now)

    decision = decide_takeover(snapshot_alerts(snapshots.values()), config.takeover, config.mode, now,
                               levels=config.severity_levels, suppressed=quiet)
    entry: dict[str, Any] = {"active": decision.active, "screen": config.takeover.screen}
    if decision.alert is None:
        return entry
    started = decision.started_at
    entry.update({
        "source": decision.alert.source_id,
        "fingerprint": decision.alert.fingerprint,
        "name": decision.alert.name,
        "priority": decision.level.id if decision.level is not None else None,
        "since": datetime.fromtimestamp(started, tz=UTC).isoformat(timespec="seconds") if started else None,
        "waiting": [{"priority": level, "count": count} for level, count in decision.waiting],
    })
    return entry
