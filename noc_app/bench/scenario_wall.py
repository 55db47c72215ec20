"""wall-24 (4K and 1920x1080), wall-mixed, and the user's own wall (--config).

App side: the real wall (WallWindow, real Runtime: poller worker thread -> store)
fed by SyntheticSource at `hz` polls a second; each store change is timed on
the GUI thread through to the painted panels (app_wall.TimedRuntime).  CPU is
the whole process, so it includes the poller path (snapshot building and
fingerprinting in the worker).  Baseline side: the stock-pyqtgraph reference
wall (baseline_wall.py) with the same panels, points, rate and window size, in
its own process.  Timeline for both: warm-up, then the measured window.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from noc_app.bench.report import Goal, Metric
from noc_app.bench.scenario import DEFAULT_SIZE, ChildRun, RunOptions

BASELINE_NAME = "pyqtgraph-tuned"
# The browser peer measured ~10 % of one core on this kind of machine; the goal is half of it.
CPU_GOALS = Goal(text="<=5% & <=0.3x", max_value=5.0, max_ratio=0.3)
GUI_MS_GOAL = Goal(text="<=30 ms", max_value=30.0)
RSS_GOAL = Goal(text="<=300 MB", max_value=300.0)


@dataclass(frozen=True, kw_only=True, slots=True)
class WallScenario:
    """A wall fed at a fixed rate, measured against the reference wall."""

    name: str
    summary: str
    size: tuple[int, int] = DEFAULT_SIZE
    mixed: bool = False
    kinds: bool = False  # the demo's every-panel-kind dashboard, fed by its own in-process sources
    with_goals: bool = False
    per: str = "per update"  # what one timed span is: one update, or one store change of several sources
    duration_s: float = 60.0
    warmup_s: float = 10.0

    def plan(self, opts: RunOptions) -> Sequence[ChildRun]:
        warmup, duration = opts.timing(duration_s=self.duration_s, warmup_s=self.warmup_s)
        params = {
            "panels": opts.panels or 24,
            "points": opts.points or 3600,
            "hz": opts.hz or 1.0,
            "size": list(opts.size or self.size),
            "warmup_s": warmup,
            "duration_s": duration,
            "mixed": self.mixed,
            "kinds": self.kinds,
            "out_dir": opts.out_dir,
            "profile_dir": opts.profile_dir,
            "config_path": opts.config_path,
            "tag": self.name,
        }
        timeout = warmup + duration + 180.0
        return [ChildRun(side=side, params=params, timeout_s=timeout) for side in ("app", "baseline")]

    def run_child(self, side: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if side == "app":
            return run_app_side(params)
        if side == "baseline":
            return run_baseline_side(params)
        raise ValueError(f"{self.name} has no side {side!r}")

    def metrics(self, results: Mapping[str, Sequence[Mapping[str, Any]]], opts: RunOptions) -> list[Metric]:
        return wall_metrics(self.scenario_label(opts), results, with_goals=self.with_goals, per=self.per)

    def scenario_label(self, opts: RunOptions) -> str:
        return self.name


@dataclass(frozen=True, kw_only=True, slots=True)
class UserConfigScenario(WallScenario):
    """The user's own wall from --config, fed by its real sources."""

    def scenario_label(self, opts: RunOptions) -> str:
        return f"config:{os.path.basename(opts.config_path or '?')}"


def _med(runs: Sequence[Mapping[str, Any]], key: str) -> float | None:
    from noc_app.bench.measure import median

    values = [r[key] for r in runs if r.get(key) is not None]
    return median(values)


def wall_metrics(
    label: str, results: Mapping[str, Sequence[Mapping[str, Any]]], *, with_goals: bool, per: str
) -> list[Metric]:
    """CPU, GUI ms per update (median, p95), peak RSS, CPU ms per update: medians over repetitions."""
    app, base = results.get("app", ()), results.get("baseline", ())
    note_base = f"baseline: stock pyqtgraph wall, {base[0]['panels']} time-series panels" if base else ""

    def row(metric: str, unit: str, key: str, goal: Goal | None, note: str = "") -> Metric:
        return Metric(
            scenario=label, metric=metric, value=_med(app, key), unit=unit, baseline=BASELINE_NAME,
            baseline_value=_med(base, key), goal=goal if with_goals else None, note=note,
        )

    nan = float("nan")
    paints, outside = _med(app, "paints_per_update"), _med(app, "paints_outside_updates")
    counted = (
        f"{_med(app, 'updates') or 0:.0f} updates, {paints if paints is not None else nan:.1f} panel paints each, "
        f"{outside if outside is not None else nan:.0f} paints outside updates"
    )
    return [
        row("cpu_pct", "% of one core", "cpu_pct", CPU_GOALS, note_base),
        row("gui_ms_median", f"ms {per}", "gui_ms_median", GUI_MS_GOAL, counted),
        row("gui_ms_p95", f"ms {per}", "gui_ms_p95", None),
        row("gui_cpu_ms_median", f"GUI-thread CPU ms {per}", "gui_cpu_ms_median", None,
            "GUI-thread CPU time in the same span: unlike wall time, not inflated by other load"),
        row("rss_mb_peak", "MB", "rss_mb_peak", RSS_GOAL),
        row("cpu_ms_per_update", f"ms {per}", "cpu_ms_per_update", None),
    ]


# ---------------------------------------------------------------- the app side


def _app_config(params: Mapping[str, Any]):
    from noc_app.bench import walls

    if params.get("config_path") and params["tag"] == "config":
        from noc_app.config.loader import load_config

        return load_config(params["config_path"])
    if params["mixed"]:
        return walls.mixed_wall(points=params["points"], hz=params["hz"])
    if params.get("kinds"):
        from noc_app.bench.walls_kinds import kinds_wall

        return kinds_wall(hz=params["hz"])
    return walls.timeseries_wall(panels=params["panels"], points=params["points"], hz=params["hz"])


def run_app_side(params: Mapping[str, Any]) -> dict[str, Any]:
    """Measure the real wall; returns the metrics and the peer-bench JSON line."""
    from noc_app.bench.app_wall import build_app_wall, changed_records, save_profile, save_screenshot
    from noc_app.bench.measure import (
        ProcessSampler,
        loadavg,
        measure_window,
        median,
        percentile,
        rounded,
        start_qt_application,
        versions,
    )
    from noc_app.bench.synthetic_source import SyntheticProfile, synthetic_factory

    app = start_qt_application()
    config = _app_config(params)
    user_wall = params["tag"] == "config" or bool(params.get("kinds"))  # real (in-process) sources
    factory = None
    if not user_wall:
        factory = synthetic_factory(SyntheticProfile(points=params["points"], step_s=1.0 / params["hz"]))
    size = tuple(params["size"])
    wall = build_app_wall(config, size=size, source_factory=factory,
                          runtime_kwargs={"profile": bool(params.get("profile_dir"))})
    runtime = wall.runtime
    marks: dict[str, Any] = {}

    def begin() -> None:
        marks["records"] = len(runtime.records)
        marks["paints"] = runtime.paints.count
        marks["failures"] = runtime.failures

    sampler = ProcessSampler()
    wall.start()
    measure_window(sampler, warmup_s=params["warmup_s"], duration_s=params["duration_s"], on_begin=begin)
    records = changed_records(runtime.records, marks["records"])
    all_paints = runtime.paints.count - marks["paints"]
    # paints inside any timed span (also polls that changed nothing) are not "outside updates"
    in_spans = sum(r.paints for r in runtime.records[marks["records"]:])
    wall.stop()
    shot = save_screenshot(wall.window, params.get("out_dir"), f"{params['tag']}-app")
    save_profile(runtime, params.get("profile_dir"), f"{params['tag']}-app")
    app.processEvents()
    gui = [r.gui_ms for r in records]
    updates = len(records)
    in_updates = sum(r.paints for r in records)
    result = {
        "side": "app",
        "panels": sum(len(v.dashboard.panels) for v in wall.window.views[:1]),
        "watched_bodies": runtime.paints.watched,
        "updates": updates,
        "cpu_s": rounded(sampler.cpu_s, 3),
        "cpu_pct": rounded(sampler.cpu_pct_of_one_core),
        "wall_s": rounded(sampler.wall_s, 3),
        "rss_mb_peak": rounded(sampler.rss_mb_peak, 1),
        "gui_ms_median": rounded(median(gui), 3),
        "gui_ms_p95": rounded(percentile(gui, 95), 3),
        "gui_cpu_ms_median": rounded(median([r.gui_cpu_ms for r in records]), 3),
        "cpu_ms_per_update": rounded(1000 * sampler.cpu_s / updates, 1) if updates else None,
        "paints_per_update": rounded(in_updates / updates) if updates else None,
        "paints_outside_updates": all_paints - in_spans,
        "poll_failures": runtime.failures - marks["failures"],
        "other_cpu_pct": rounded(sampler.other_cpu_pct_of_one_core, 1),
        "threads": sampler.threads_max,
        "screenshot": shot,
    }
    result["peer"] = _peer_line(params, result, sampler, wall.window, loadavg(), versions())
    return result


def _peer_line(params, result, sampler, window, load, vers) -> dict[str, Any]:
    """The JSON line ../peer-bench's run_both.sh reads (its required keys plus extras)."""
    import pyqtgraph

    return {
        "peer": "noc-app",
        "panels": params["panels"], "n": params["points"], "hz": params["hz"],
        "cpu_s": result["cpu_s"], "cpu_pct_of_one_core": result["cpu_pct"], "rss_mb_peak": result["rss_mb_peak"],
        "updates": result["updates"], "duration_s": result["wall_s"], "js_update_ms_median": result["gui_ms_median"],
        # --- extras ---
        "cpu_ms_per_update": result["cpu_ms_per_update"], "js_update_ms_p95": result["gui_ms_p95"],
        "gui_cpu_ms_median": result["gui_cpu_ms_median"],
        "panel_paints_per_update": result["paints_per_update"],
        "panel_paints_outside_updates": result["paints_outside_updates"],
        "other_cpu_pct_of_one_core": result["other_cpu_pct"], "threads": result["threads"],
        "warmup_s": params["warmup_s"],
        "viewport": [window.width(), window.height(), window.devicePixelRatio()],
        "loadavg_end": load, **vers, "pyqtgraph": pyqtgraph.__version__,
        "qpa": os.environ.get("QT_QPA_PLATFORM", ""),
        "env": {k: os.environ.get(k) for k in ("QT_QPA_PLATFORM", "QT_NO_GUI_THREADPOOL")},
        "screenshot": result["screenshot"], "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


# ---------------------------------------------------------------- the baseline side


def _baseline_shape(params: Mapping[str, Any]) -> tuple[int, int, float]:
    """(panels, points, hz) of the reference wall; for a user's wall, derived from its config."""
    if params.get("kinds"):  # one reference time-series panel per panel of the kinds wall
        return len(_app_config(params).dashboards[0].panels), 720, params["hz"]
    if params["tag"] != "config":
        return params["panels"], params["points"], params["hz"]
    from noc_app.config.schema import PanelKind

    config = _app_config(params)
    dashboard = config.dashboards[0]
    if config.screens:
        from noc_app.app import LaunchOptions, resolve_screens, screen_dashboards

        dashboard = screen_dashboards(config, resolve_screens(config, LaunchOptions())[0])[0][0]
    series_panels = [p for p in dashboard.panels if p.kind == PanelKind.TIMESERIES] or list(dashboard.panels)
    intervals = [s.interval_s for s in config.sources if any(s.id in (p.source, *p.sources) for p in series_panels)]
    hz = 1.0 / max(1.0, min(intervals, default=15.0))
    return max(1, len(series_panels)), 720, hz


def run_baseline_side(params: Mapping[str, Any]) -> dict[str, Any]:
    """Measure the stock-pyqtgraph reference wall with the same shape."""
    from PySide6.QtCore import Qt, QTimer

    from noc_app.bench.app_wall import save_screenshot
    from noc_app.bench.baseline_wall import CURVE_PAINTS, BaselineWall
    from noc_app.bench.measure import ProcessSampler, measure_window, median, percentile, rounded, start_qt_application

    app = start_qt_application()
    panels, points, hz = _baseline_shape(params)
    wall = BaselineWall(panels=panels, points=points, hz=hz, size=tuple(params["size"]))
    wall.window.show()
    app.processEvents()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(wall.update)
    marks: dict[str, int] = {}

    def begin() -> None:
        marks["updates"] = len(wall.stats.update_ms)
        marks["all_paints"] = CURVE_PAINTS["count"]
        marks["tick_paints"] = wall.stats.curve_paints_in_updates

    sampler = ProcessSampler()
    timer.start(max(1, round(1000 / hz)))
    measure_window(sampler, warmup_s=params["warmup_s"], duration_s=params["duration_s"], on_begin=begin)
    timer.stop()
    upd = wall.stats.update_ms[marks["updates"]:]
    updates = len(upd)
    tick_paints = wall.stats.curve_paints_in_updates - marks["tick_paints"]
    shot = save_screenshot(wall.window, params.get("out_dir"), f"{params['tag']}-baseline")
    return {
        "side": "baseline",
        "panels": panels, "points": points, "hz": hz,
        "updates": updates,
        "cpu_s": rounded(sampler.cpu_s, 3),
        "cpu_pct": rounded(sampler.cpu_pct_of_one_core),
        "wall_s": rounded(sampler.wall_s, 3),
        "rss_mb_peak": rounded(sampler.rss_mb_peak, 1),
        "gui_ms_median": rounded(median(upd), 3),
        "gui_ms_p95": rounded(percentile(upd, 95), 3),
        "gui_cpu_ms_median": rounded(median(wall.stats.update_cpu_ms[marks["updates"]:]), 3),
        "setdata_ms_median": rounded(median(wall.stats.setdata_ms[marks["updates"]:]), 3),
        "cpu_ms_per_update": rounded(1000 * sampler.cpu_s / updates, 1) if updates else None,
        "curve_paints_per_update": rounded(tick_paints / updates) if updates else None,
        "curve_paints_outside_updates": CURVE_PAINTS["count"] - marks["all_paints"] - tick_paints,
        "forced_repaints": wall.stats.forced_repaints,
        "drawn_points_per_series": wall.drawn_points_per_series,
        "other_cpu_pct": rounded(sampler.other_cpu_pct_of_one_core, 1),
        "threads": sampler.threads_max,
        "screenshot": shot,
    }


WALL_24 = WallScenario(
    name="wall-24",
    summary="24 time-series panels x 3 series x 3600 points at 1 update/s, 3840x2160: CPU, GUI ms/update, RSS",
    with_goals=True,
)
WALL_24_FHD = WallScenario(
    name="wall-24-fhd", summary="wall-24 at 1920x1080", size=(1920, 1080),
)
WALL_MIXED = WallScenario(
    name="wall-mixed",
    summary="mixed wall (stats, gauges, time series, 200-alert incident board, logs) at 3840x2160",
    mixed=True,
    per="per store change",
)
WALL_KINDS = WallScenario(
    name="wall-kinds",
    summary="every panel kind (the demo's 'panels' dashboard: heatmap, apdex, table, bar gauge, status, clock, "
    "stat, gauge, time series, incidents, logs) at 3840x2160",
    kinds=True,
    per="per store change",
)
USER_CONFIG = UserConfigScenario(
    name="config", summary="your own wall (--config FILE) fed by its real sources, vs the reference wall",
    per="per store change",
)
