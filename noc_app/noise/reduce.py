"""What noise reduction does to a board's alerts: maintenance, flapping, young warnings held back.

Pure: the alerts come in board order, the flap reports from the poll workers, the time is injected.
Maintenance comes first (a window, or an Alertmanager silence whose comment says maintenance),
then flapping (shown once, tagged with its count, kept while it blinks away), then a warning
younger than `warning_min_duration` is held back (critical and high always show at once).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from noc_app.model import Alert, AlertState, Severity, Snapshot
from noc_app.noise.config import NoiseConfig
from noc_app.noise.flapping import NO_FLAPS, FlapReport, is_flapping
from noc_app.noise.maintenance import covering, next_change

MAINTENANCE_TAG = "MAINTENANCE"
_MAINTENANCE_WORD = re.compile(r"\bmaintenance\b", re.IGNORECASE)  # not "maintainer"
FLAPPING_TAG = "FLAPPING"
HELD_SEVERITIES = (Severity.WARNING, Severity.INFO)  # what a minimum duration may hold back
AlertKey = tuple[str, str]  # (source id, fingerprint)


@dataclass(frozen=True, slots=True)
class Reduced:
    """The alerts a board shows, split by how they read, with the tags and notes of their rows."""

    active: tuple[Alert, ...] = ()
    flapping: tuple[Alert, ...] = ()
    maintenance: tuple[Alert, ...] = ()
    tags: Mapping[AlertKey, str] = field(default_factory=dict)  # "FLAPPING ×7 in 10m" | "MAINTENANCE"
    notes: Mapping[AlertKey, str] = field(default_factory=dict)  # "maintenance: db patching"
    held_back: int = 0  # warnings younger than the minimum duration
    until: float = float("inf")  # when this decision may change without a new poll


def is_maintenance_silence(alert: Alert) -> bool:
    """An Alertmanager silence whose comment speaks of maintenance reads as maintenance, not a mute."""
    return alert.state is AlertState.SILENCED and _MAINTENANCE_WORD.search(alert.mute_reason) is not None


def duration_words(seconds: float) -> str:
    """'90s', '10m', '2h', '1h30m': how long a window or a minimum duration is."""
    s = int(seconds)
    if s < 60 or s % 60:
        return f"{s}s"
    if s < 3600 or (s % 3600):
        return f"{s // 3600}h{(s % 3600) // 60}m" if s > 3600 else f"{s // 60}m"
    return f"{s // 3600}h"


def flap_tag(count: int, window_s: float) -> str:
    return f"{FLAPPING_TAG} ×{count} in {duration_words(window_s)}"


def reduce_alerts(
    alerts: Iterable[Alert], reports: Mapping[str, FlapReport], config: NoiseConfig, now: float
) -> Reduced:
    """Split `alerts` (board order) into what reads active, flapping and under maintenance."""
    listed = list(alerts)
    seen = {(a.source_id, a.fingerprint) for a in listed}
    for report in reports.values():  # flapping alerts gone this poll stay, once
        listed.extend(a for a in report.held if (a.source_id, a.fingerprint) not in seen)
    active: list[Alert] = []
    flapping: list[Alert] = []
    maintenance: list[Alert] = []
    tags: dict[AlertKey, str] = {}
    notes: dict[AlertKey, str] = {}
    held_back = 0
    until = next_change(config.maintenance, now) if config.maintenance else float("inf")
    min_age = config.warning_min_duration_s
    for alert in listed:
        key = (alert.source_id, alert.fingerprint)
        window = covering(alert, config.maintenance, now) if config.maintenance else None
        if window is not None or is_maintenance_silence(alert):
            maintenance.append(alert)
            tags[key] = MAINTENANCE_TAG
            notes[key] = f"maintenance: {window.name}" if window is not None else alert.mute_reason
            continue
        flaps = reports.get(alert.source_id, NO_FLAPS).counts.get(alert.fingerprint, 0)
        if flaps:
            flapping.append(alert)
            tags[key] = flap_tag(flaps, config.flapping.window_s)
            continue
        if min_age > 0 and alert.severity in HELD_SEVERITIES and alert.starts_at > 0:
            shows_at = alert.starts_at + min_age
            if now < shows_at:
                held_back += 1
                until = min(until, shows_at)
                continue
        active.append(alert)
    return Reduced(active=tuple(active), flapping=tuple(flapping), maintenance=tuple(maintenance),
                   tags=tags, notes=notes, held_back=held_back, until=until)


def is_quiet(alert: Alert, snapshots: Mapping[str, Snapshot | None], noise: NoiseConfig, now: float) -> bool:
    """Flapping or under maintenance: shown on the board as such, but no sound, notification, flash or takeover."""
    return (is_flapping(alert, snapshots) or is_maintenance_silence(alert)
            or covering(alert, noise.maintenance, now) is not None)
