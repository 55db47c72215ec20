"""anomaly-cost: what per-panel anomaly scoring adds to the wall-24 wall.

Two sides in fresh processes, alternating within each repetition: `plain`, the wall-24
wall (24 time-series panels x 3 series, synthetic source at `hz`), and `anomaly`, the
same wall with `anomaly: {enabled: true, raise: true}` on every panel (72 detectors fed
one point a second each, bands and markers drawn, the anomaly incidents source polled).
The added CPU is the anomaly side's whole-process CPU minus the plain side's of the same
repetition (median over repetitions); the scorer's own thread CPU is reported too, which
is not blurred by the wall's run-to-run noise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from noc_app.bench.report import Goal, Metric
from noc_app.bench.scenario import DEFAULT_SIZE, ChildRun, RunOptions

ADDED_CPU_GOAL = Goal(text="<=1% of one core", max_value=1.0)


def anomaly_wall(*, panels: int, points: int, hz: float, scored: bool, raise_incident: bool = True):
    """The wall-24 wall; with `scored`, `anomaly:` on every panel."""
    from noc_app.bench.walls import timeseries_wall
    from noc_app.config.anomaly_options import AnomalyConfig

    config = timeseries_wall(panels=panels, points=points, hz=hz)
    if not scored:
        return config
    anomaly = AnomalyConfig(enabled=True, raise_incident=raise_incident)
    dashboards = tuple(
        dataclasses.replace(d, panels=tuple(dataclasses.replace(p, anomaly=anomaly) for p in d.panels))
        for d in config.dashboards
    )
    return dataclasses.replace(config, dashboards=dashboards)


def run_wall_side(params: Mapping[str, Any]) -> dict[str, Any]:
    """Run the (plain or scored) wall for warm-up + duration; CPU of the process and of the scorers."""
    from noc_app.anomaly_scoring import ScoringSource
    from noc_app.bench.app_wall import build_app_wall, changed_records, save_screenshot
    from noc_app.bench.measure import ProcessSampler, measure_window, median, rounded, start_qt_application
    from noc_app.bench.synthetic_source import SyntheticProfile, synthetic_factory

    app = start_qt_application()
    config = anomaly_wall(panels=params["panels"], points=params["points"], hz=params["hz"],
                          scored=params["scored"])
    factory = synthetic_factory(SyntheticProfile(points=params["points"], step_s=1.0 / params["hz"]))
    wall = build_app_wall(config, size=tuple(params["size"]), source_factory=factory)
    runtime = wall.runtime
    scorers = [s.scorer for s in runtime.sources.values() if isinstance(s, ScoringSource)]
    marks: dict[str, Any] = {}

    def begin() -> None:
        marks["records"] = len(runtime.records)
        marks["scorer_cpu_s"] = sum(s.cpu_s for s in scorers)

    sampler = ProcessSampler()
    wall.start()
    measure_window(sampler, warmup_s=params["warmup_s"], duration_s=params["duration_s"], on_begin=begin)
    scorer_cpu_s = sum(s.cpu_s for s in scorers) - marks.get("scorer_cpu_s", 0.0)
    records = changed_records(runtime.records, marks.get("records", 0))
    wall.stop()
    side = "anomaly" if params["scored"] else "plain"
    shot = save_screenshot(wall.window, params.get("out_dir"), f"anomaly-cost-{side}")
    app.processEvents()
    return {
        "side": side,
        "panels": params["panels"],
        "series_scored": sum(len(s.tracks) for s in scorers),
        "updates": len(records),
        "cpu_pct": rounded(sampler.cpu_pct_of_one_core),
        "scorer_cpu_pct": rounded(100.0 * scorer_cpu_s / sampler.wall_s, 3) if sampler.wall_s else None,
        "gui_cpu_ms_median": rounded(median([r.gui_cpu_ms for r in records]), 3),
        "wall_s": rounded(sampler.wall_s, 3),
        "anomalous_points": sum(int(t.columns[4].size and (t.columns[4] >= 0.6).sum()) for s in scorers
                                for t in s.tracks.values()),
        "screenshot": shot,
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class AnomalyCostScenario:
    name: str = "anomaly-cost"
    summary: str = ("CPU that anomaly scoring adds to 24 time-series panels x 3 series at 1 Hz (3840x2160), "
                    "against the same wall without it in the same run")
    duration_s: float = 60.0
    warmup_s: float = 15.0  # the first poll feeds every series' whole window to its detector

    def plan(self, opts: RunOptions) -> Sequence[ChildRun]:
        warmup, duration = opts.timing(duration_s=self.duration_s, warmup_s=self.warmup_s)
        base = {
            "panels": opts.panels or 24, "points": opts.points or 3600, "hz": opts.hz or 1.0,
            "size": list(opts.size or DEFAULT_SIZE), "warmup_s": warmup, "duration_s": duration,
            "out_dir": opts.out_dir,
        }
        timeout = warmup + duration + 180.0
        return [ChildRun(side=side, params={**base, "scored": side == "anomaly"}, timeout_s=timeout)
                for side in ("plain", "anomaly")]

    def run_child(self, side: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if side not in ("plain", "anomaly"):
            raise ValueError(f"{self.name} has no side {side!r}")
        return run_wall_side(params)

    def metrics(self, results: Mapping[str, Sequence[Mapping[str, Any]]], opts: RunOptions) -> list[Metric]:
        from noc_app.bench.measure import median

        plain, scored = results.get("plain", ()), results.get("anomaly", ())
        added = [a["cpu_pct"] - p["cpu_pct"] for p, a in zip(plain, scored, strict=False)
                 if a.get("cpu_pct") is not None and p.get("cpu_pct") is not None]
        series = scored[0]["series_scored"] if scored else 0
        note = f"{series} series scored, median of {len(added)} repetition(s) of plain/anomaly pairs"

        def med(runs: Sequence[Mapping[str, Any]], key: str) -> float | None:
            return median([r[key] for r in runs if r.get(key) is not None])

        return [
            Metric(scenario=self.name, metric="added_cpu_pct", value=median(added), unit="% of one core",
                   goal=ADDED_CPU_GOAL, note=note),
            Metric(scenario=self.name, metric="scorer_cpu_pct", value=med(scored, "scorer_cpu_pct"),
                   unit="% of one core", note="poll-worker thread CPU spent scoring (no drawing)"),
            Metric(scenario=self.name, metric="cpu_pct", value=med(scored, "cpu_pct"), unit="% of one core",
                   baseline="same wall without anomaly", baseline_value=med(plain, "cpu_pct")),
            Metric(scenario=self.name, metric="gui_cpu_ms_median", value=med(scored, "gui_cpu_ms_median"),
                   unit="GUI-thread CPU ms per update", baseline="same wall without anomaly",
                   baseline_value=med(plain, "gui_cpu_ms_median")),
        ]


ANOMALY_COST = AnomalyCostScenario()
