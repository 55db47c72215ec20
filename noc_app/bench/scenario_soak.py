"""soak: a simulated 24 h on an accelerated clock; memory and Qt objects must not grow.

The real wall (both standard dashboards in a rotating playlist, three simulated
backends through the real Runtime) runs with an injected clock that covers 24
simulated hours in the scenario's real run time: every series rolls one point
per poll, ten of the 200 incidents resolve and ten new ones fire every poll,
twenty log lines arrive per poll, the playlist turns every couple of seconds.
After the warm-up and at the end: RSS, QObjects under every top-level widget
plus the store and poller, all widgets, and Python's tracked objects.  The
baseline is the same process's numbers after the warm-up.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from noc_app.bench.report import Goal, Metric
from noc_app.bench.scenario import DEFAULT_SIZE, ChildRun, RunOptions

SIMULATED_S = 24 * 3600.0
BASELINE = "after warm-up"
RSS_GOAL = Goal(text="growth <10%", max_ratio=1.10)
NO_GROWTH = Goal(text="no growth", max_ratio=1.0)


class SimClock:
    """Wall-clock time running `speed` times faster than real time from now on."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._t0 = time.time()
        self._m0 = time.monotonic()

    def __call__(self) -> float:
        return self._t0 + (time.monotonic() - self._m0) * self.speed


def _counts(runtime) -> dict[str, float]:
    """RSS and object counts, after pending deletions ran and garbage was collected."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from noc_app.bench.app_wall import drain_gui_events
    from noc_app.bench.measure import qt_object_count, rss_mb_now

    drain_gui_events()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    qt = qt_object_count([runtime.store, runtime.poller])
    return {"rss_mb": rss_mb_now(), **qt, "python_objects": len(gc.get_objects())}


def run_app_side(params: Mapping[str, Any]) -> dict[str, Any]:
    from noc_app.bench import walls
    from noc_app.bench.app_wall import build_app_wall, save_screenshot
    from noc_app.bench.measure import ProcessSampler, measure_window, rounded, start_qt_application
    from noc_app.bench.synthetic_source import SyntheticProfile, synthetic_factory

    app = start_qt_application()
    total_s = params["warmup_s"] + params["duration_s"]
    clock = SimClock(params["simulated_s"] / total_s)
    interval = params["interval_s"]
    sim_step = interval * clock.speed
    config = walls.soak_wall(panels=params["panels"], points=params["points"], interval_s=interval, step_s=sim_step,
                             playlist_s=params["playlist_s"])
    profile = SyntheticProfile(points=params["points"], step_s=sim_step, alert_churn_every=1, alert_churn_count=10,
                               log_lines_per_poll=20)
    wall = build_app_wall(config, size=tuple(params["size"]), source_factory=synthetic_factory(profile, clock=clock),
                          runtime_kwargs={"wall_clock": clock})
    runtime = wall.runtime
    # Polls run every `interval` real seconds, which is `sim_step` on the simulated clock:
    # staleness must be judged in simulated time too, or every panel would look STALE.
    for source in config.sources:
        runtime.store.register(source.id, source.kind, sim_step)
    marks: dict[str, Any] = {}

    def begin() -> None:
        marks["warm"] = _counts(runtime)
        marks["sim_at_warm"] = clock()
        marks["records"] = len(runtime.records)
        marks["rotations"] = wall.window.current_index

    sim_start = clock()
    sampler = ProcessSampler()
    wall.start()
    measure_window(sampler, warmup_s=params["warmup_s"], duration_s=params["duration_s"], on_begin=begin)
    end = _counts(runtime)
    simulated_h = (clock() - sim_start) / 3600.0
    polls = len(runtime.records) - marks["records"]
    wall.stop()
    shot = save_screenshot(wall.window, params.get("out_dir"), "soak-app")
    app.processEvents()
    return {
        "side": "app",
        "warm": {k: rounded(v, 1) for k, v in marks["warm"].items()},
        "end": {k: rounded(v, 1) for k, v in end.items()},
        "rss_mb_peak": rounded(sampler.rss_mb_peak, 1),
        "simulated_h": rounded(simulated_h, 2),
        "polls_in_window": polls,
        "poll_failures": runtime.failures,
        "speed": rounded(clock.speed, 1),
        "screenshot": shot,
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class SoakScenario:
    name: str = "soak"
    summary: str = (
        "simulated 24 h (accelerated clock, rolling series, churning incidents, rotating playlist): "
        "RSS and Qt object growth"
    )

    def plan(self, opts: RunOptions) -> Sequence[ChildRun]:
        warmup, duration = opts.timing(duration_s=110.0, warmup_s=10.0)
        params = {
            "panels": opts.panels or 24, "points": opts.points or 720, "interval_s": 0.5,
            "playlist_s": 0.5 if opts.smoke else 2.0, "simulated_s": SIMULATED_S,
            "size": list(opts.size or DEFAULT_SIZE), "warmup_s": warmup, "duration_s": duration,
            "out_dir": opts.out_dir,
        }
        return [ChildRun(side="app", params=params, timeout_s=warmup + duration + 180.0)]

    def run_child(self, side: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if side != "app":
            raise ValueError(f"soak has no side {side!r}")
        return run_app_side(params)

    def metrics(self, results: Mapping[str, Sequence[Mapping[str, Any]]], opts: RunOptions) -> list[Metric]:
        from noc_app.bench.measure import median

        app = results.get("app", ())

        def med(phase: str, key: str) -> float | None:
            return median([r[phase][key] for r in app if r[phase].get(key) is not None])

        def row(metric: str, key: str, unit: str, goal: Goal | None, note: str = "") -> Metric:
            return Metric(scenario=self.name, metric=metric, value=med("end", key), unit=unit, baseline=BASELINE,
                          baseline_value=med("warm", key), goal=goal, note=note)

        polls = median([r["polls_in_window"] for r in app])
        sim = median([r["simulated_h"] for r in app])
        return [
            Metric(scenario=self.name, metric="simulated_hours", value=sim, unit="h",
                   note=f"{polls or 0:.0f} polls after warm-up, {app[0]['speed'] if app else '?'}x real time"),
            row("rss_mb_end", "rss_mb", "MB", RSS_GOAL),
            row("qobjects_end", "qobjects", "count", NO_GROWTH),
            row("widgets_end", "widgets", "count", NO_GROWTH),
            row("python_objects_end", "python_objects", "count", None),
        ]


SOAK = SoakScenario()
