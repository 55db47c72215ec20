"""A dead man's switch (pure): an always-firing alert that proves the alerting pipeline works.

It is a health signal, not an incident (karma and Alerta treat it the same way):
while it fires it is taken off the board and the source says so in its info
("deadman": "Watchdog firing", shown with the source's health); when it is
missing the source is DEGRADED, because "nothing firing" may then be a broken
pipeline rather than a calm service.
"""

from __future__ import annotations

from dataclasses import dataclass

from noc_app.model import Alert, AlertState

INFO_KEY = "deadman"


@dataclass(frozen=True, slots=True)
class DeadmanReading:
    alerts: tuple[Alert, ...]  # the board's alerts (the switch left out unless shown)
    degraded: tuple[str, ...]  # the switch is missing
    info: dict[str, str]  # {"deadman": "Watchdog firing"} while it fires


def read_deadman(alerts: tuple[Alert, ...], name: str, *, show: bool = False) -> DeadmanReading:
    """Split a declared dead man's switch `name` off `alerts` ("" declares none)."""
    if not name:
        return DeadmanReading(alerts, (), {})
    firing = any(a.name == name and a.state is not AlertState.RESOLVED for a in alerts)
    if not firing:
        note = f"dead man's switch '{name}' missing: the alerting pipeline may be broken"
        return DeadmanReading(alerts, (note,), {INFO_KEY: f"{name} missing"})
    shown = alerts if show else tuple(a for a in alerts if a.name != name)
    return DeadmanReading(shown, (), {INFO_KEY: f"{name} firing"})
