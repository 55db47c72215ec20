"""The settings of noise reduction and correlation (`noise:` and `topology:` in the config).

Read and checked by noc_app.config.noise_section; the defaults change nothing on a board.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_CORRELATION_LABELS = ("service", "instance", "node", "namespace")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, kw_only=True, slots=True)
class FlapRule:
    """An alert that resolved more than `changes` times within `window_s` seconds is flapping; 0 = off."""

    changes: int = 0
    window_s: float = 600.0

    @property
    def enabled(self) -> bool:
        return self.changes > 0


@dataclass(frozen=True, kw_only=True, slots=True)
class MaintenanceWindow:
    """Alerts matching every label of `match` are under maintenance while the window is open.

    Either one range (`start`..`end`, epoch seconds) or a recurring one: `daily` minutes of the
    day (`from_minute`..`to_minute`, crossing midnight when to < from) on `days` (0 = Monday;
    empty = every day), in `time_zone` (IANA name; "" = the wall machine's local time).
    """

    name: str
    match: Mapping[str, str] = field(default_factory=dict)
    start: float | None = None
    end: float | None = None
    from_minute: int | None = None
    to_minute: int | None = None
    days: tuple[int, ...] = ()
    time_zone: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Correlation:
    """Incidents starting within `window_s` of each other and sharing a value of one of `labels`
    (or linked by the topology) are one problem; `window_s` 0 turns correlation off."""

    window_s: float = 300.0
    labels: tuple[str, ...] = DEFAULT_CORRELATION_LABELS


@dataclass(frozen=True, kw_only=True, slots=True)
class NoiseConfig:
    """`noise:` plus `topology:` (service -> the services it depends on)."""

    flapping: FlapRule = field(default_factory=FlapRule)
    warning_min_duration_s: float = 0.0
    maintenance: tuple[MaintenanceWindow, ...] = ()
    correlation: Correlation = field(default_factory=Correlation)
    topology: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def reduces(self) -> bool:
        """True when anything on a board may be hidden, tagged or held back."""
        return self.flapping.enabled or self.warning_min_duration_s > 0 or bool(self.maintenance)


NO_NOISE = NoiseConfig()
