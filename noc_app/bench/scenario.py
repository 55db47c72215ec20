"""What a benchmark scenario is, the options it runs with, and the registry of scenarios.

A scenario plans child runs (each a fresh process: ``--child NAME:SIDE``), runs
one side inside such a child and returns a JSON-able result, and turns the
results of all its children into metric rows.  Modules are imported lazily so
a child only loads what its side needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from noc_app.bench.report import Metric

SMOKE_WARMUP_S = 0.5
SMOKE_DURATION_S = 2.5
DEFAULT_SIZE = (3840, 2160)


@dataclass(frozen=True, kw_only=True, slots=True)
class RunOptions:
    """Command-line choices; None means "the scenario's own default"."""

    duration_s: float | None = None
    warmup_s: float | None = None
    size: tuple[int, int] | None = None
    panels: int | None = None
    points: int | None = None
    hz: float | None = None
    smoke: bool = False
    out_dir: str | None = None
    profile_dir: str | None = None
    config_path: str | None = None
    onscreen: bool = False
    repeat: int = 1

    def timing(self, *, duration_s: float, warmup_s: float) -> tuple[float, float]:
        """(warmup, duration) in seconds: smoke runs are 3 s in all."""
        if self.smoke:
            return SMOKE_WARMUP_S, SMOKE_DURATION_S
        warmup = self.warmup_s if self.warmup_s is not None else warmup_s
        duration = self.duration_s if self.duration_s is not None else duration_s
        return warmup, duration


@dataclass(frozen=True, kw_only=True, slots=True)
class ChildRun:
    """One child process: which side of the scenario, with which parameters."""

    side: str
    params: Mapping[str, Any] = field(default_factory=dict)
    timeout_s: float = 300.0


class Scenario(Protocol):
    """One benchmark scenario (see the modules scenario_*.py)."""

    name: str
    summary: str

    def plan(self, opts: RunOptions) -> Sequence[ChildRun]:
        """The child runs of one repetition, in the order they run (app and baseline alternate)."""
        ...

    def run_child(self, side: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run one side inside a child process; return its JSON-able result."""
        ...

    def metrics(self, results: Mapping[str, Sequence[Mapping[str, Any]]], opts: RunOptions) -> list[Metric]:
        """Metric rows from every child's result, grouped by side."""
        ...


# name -> (module under noc_app.bench, attribute): the standard scenarios, in run order.
SCENARIOS: dict[str, tuple[str, str]] = {
    "wall-24": ("scenario_wall", "WALL_24"),
    "wall-24-fhd": ("scenario_wall", "WALL_24_FHD"),
    "wall-mixed": ("scenario_wall", "WALL_MIXED"),
    "wall-kinds": ("scenario_wall", "WALL_KINDS"),
    "ingest": ("scenario_ingest", "INGEST"),
    "alert-to-pixel": ("scenario_alert_pixel", "ALERT_TO_PIXEL"),
    "startup": ("scenario_startup", "STARTUP"),
    "soak": ("scenario_soak", "SOAK"),
    "anomaly-cost": ("scenario_anomaly", "ANOMALY_COST"),
}
# Not part of "all": the user's own wall (--config FILE), and the MTTD against the real stack.
EXTRA_SCENARIOS: dict[str, tuple[str, str]] = {
    "config": ("scenario_wall", "USER_CONFIG"),
    # Needs the real stack (Prometheus, Alertmanager, the sample service) and takes minutes.
    "anomaly-mttd": ("scenario_mttd", "ANOMALY_MTTD"),
}


def get_scenario(name: str) -> Scenario:
    """The scenario object for a name (imports its module)."""
    where = SCENARIOS.get(name) or EXTRA_SCENARIOS.get(name)
    if where is None:
        known = ", ".join([*SCENARIOS, *EXTRA_SCENARIOS])
        raise ValueError(f"unknown scenario {name!r}; known: {known}")
    module = importlib.import_module(f"noc_app.bench.{where[0]}")
    return getattr(module, where[1])
