"""anomaly-mttd: mean time to detect, from a breach at the source to the wall, against the real stack.

The sample service (error ratio 0), Prometheus (1 s scrape and rule evaluation, the
corrected HighErrorRate rule, see mttd_stack) and Alertmanager run for real.  The wall
(a real window) shows the error ratio on a time-series panel with a 5 % critical
threshold and `anomaly: {raise: true}`, and an incidents board on the Alertmanager;
its sources poll every `--interval`-like POLL_S.  Each breach: the service's error ratio
is raised to BREACH_RATIO (the clock starts when /control returned), then the wall is
watched on the GUI thread after every event-loop slice for

  visible: the panel's newest value judged critical (its colour changes) or an anomalous
           point marked, whichever comes first (each also reported on its own);
  board:   HighErrorRate firing on the board (from Alertmanager), and the wall's own
           anomaly incident on it.

Then the ratio goes back to 0 and the next breach waits until the panel's window holds
no trace of the last one, with a fresh wall (fresh detectors, nothing learnt from the
previous breach).  Medians over breaches; goals: visible <= 2 poll intervals, board
<= 2 poll intervals + the rule's `for:`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from noc_app.bench.report import Goal, Metric

POLL_S = 2.0
WINDOW_S = 180.0  # the panel's window: 180 one-second points, past the detector's warm-up (100 rows)
BREACH_RATIO = 0.5
DETECT_TIMEOUT_S = 60.0
SLICE_S = 0.02  # resolution of the watch


def mttd_wall(prom_url: str, am_url: str, poll_s: float):
    from noc_app.bench.mttd_stack import ERROR_RATIO_EXPR
    from noc_app.config.anomaly_options import AnomalyConfig
    from noc_app.config.schema import (
        AppConfig,
        DashboardConfig,
        GridPos,
        Mode,
        PanelConfig,
        QueryConfig,
        SourceConfig,
        Threshold,
    )
    from noc_app.model import Severity

    sources = (
        SourceConfig(id="prom", kind="prometheus", url=prom_url, interval_s=poll_s, timeout_s=poll_s),
        SourceConfig(id="am", kind="alertmanager", url=am_url, interval_s=poll_s, timeout_s=poll_s),
    )
    ratio = PanelConfig(
        id="error_ratio", kind="timeseries", title="Error ratio", source="prom", unit="percentunit",
        window_s=WINDOW_S, queries=(QueryConfig(expr=ERROR_RATIO_EXPR, legend="5xx"),),
        thresholds=(Threshold(value=0.05, severity=Severity.CRITICAL),), grid=GridPos(x=0, y=0, w=16, h=12),
        anomaly=AnomalyConfig(enabled=True, sensitivity=0.5, raise_incident=True, priority="P1"),
    )
    board = PanelConfig(id="incidents", kind="incidents", title="Incidents", source="am",
                        grid=GridPos(x=16, y=0, w=8, h=12))
    return AppConfig(path="<bench anomaly-mttd>", title="noc-app bench", mode=Mode.WALL, theme="dark",
                     sources=sources, dashboards=(DashboardConfig(id="mttd", title="MTTD", panels=(ratio, board)),))


@dataclass(slots=True)
class Watch:
    """First times (epoch seconds) each sign was seen after the breach."""

    breach: float
    expect_anomaly: bool = True  # False: the detector has not warmed up (smoke), do not wait for its signs
    threshold: float | None = None
    anomaly: float | None = None
    board_rule: float | None = None
    board_anomaly: float | None = None

    def done(self) -> bool:
        signs = (self.threshold, self.board_rule, *((self.anomaly, self.board_anomaly) if self.expect_anomaly else ()))
        return None not in signs

    def ms(self, at: float | None) -> float | None:
        return round((at - self.breach) * 1000.0, 1) if at is not None else None


def _look(runtime: Any, watch: Watch) -> bool:
    """Note what the wall shows now, through the same selectors its panels paint from; True once all was seen."""
    from noc_app.config.thresholds import threshold_severity
    from noc_app.model import Severity, last_value
    from noc_app.selectors import select_panel_data

    store, config = runtime.store, runtime.config
    snaps = {s: store.snapshot(s) for s in store.source_ids()}
    statuses = {s: store.status(s) for s in store.source_ids()}
    now = time.time()
    dash = config.dashboards[0]
    ratio, board = dash.panels
    data = select_panel_data(ratio, dash.id, snaps, statuses, now, 3 * POLL_S)
    if watch.threshold is None:
        values = [last_value(s.y) for r in data.results if r is not None for s in r.series]
        if any(threshold_severity(v, ratio.thresholds) is Severity.CRITICAL for v in values):
            watch.threshold = now
    if watch.anomaly is None and data.anomaly is not None and any(
        s.anomalous_x.size and s.anomalous_x[-1] >= watch.breach - POLL_S for s in data.anomaly.series
    ):
        watch.anomaly = now
    names = [a.name for a in select_panel_data(board, dash.id, snaps, statuses, now, 3 * POLL_S).alerts]
    if watch.board_rule is None and "HighErrorRate" in names:
        watch.board_rule = now
    if watch.board_anomaly is None and any(n.startswith("Anomaly:") for n in names):
        watch.board_anomaly = now
    return watch.done()


def _run_until(app: Any, seconds: float, check: Any = None) -> None:
    from noc_app.app import run_for

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_for(app, SLICE_S)
        if check is not None and check():
            return


def run_mttd_side(params: Mapping[str, Any]) -> dict[str, Any]:
    from noc_app.bench.app_wall import build_app_wall
    from noc_app.bench.measure import start_qt_application
    from noc_app.bench.mttd_stack import RULE_FOR_S, stack_missing, start_stack

    problem = stack_missing()
    if problem:
        raise RuntimeError(f"anomaly-mttd needs the real stack: {problem}")
    app = start_qt_application()
    stack = start_stack()
    rng = random.Random(11)
    breaches: list[dict[str, Any]] = []
    try:
        _run_until(app, params["quiet_s"])  # quiet history in Prometheus: past the detector's warm-up
        for index in range(params["breaches"]):
            wall = build_app_wall(mttd_wall(stack.prometheus.url, stack.alertmanager.url, POLL_S),
                                  size=tuple(params["size"]))
            wall.start()
            _run_until(app, 2 * POLL_S + rng.uniform(0, POLL_S))  # polled and scored; a random phase
            watch = Watch(breach=stack.set_error_ratio(BREACH_RATIO), expect_anomaly=params["quiet_s"] > WINDOW_S)
            _run_until(app, DETECT_TIMEOUT_S, lambda w=watch, rt=wall.runtime: _look(rt, w))
            stack.set_error_ratio(0.0)
            wall.stop()
            breaches.append({k: watch.ms(getattr(watch, k))
                             for k in ("threshold", "anomaly", "board_rule", "board_anomaly")})
            if index + 1 < params["breaches"]:
                _run_until(app, WINDOW_S + 5.0)  # the breach leaves the window: the next wall starts clean
    finally:
        stack.stop()
    return {"side": "app", "poll_s": POLL_S, "rule_for_s": RULE_FOR_S, "breaches": breaches}


@dataclass(frozen=True, kw_only=True, slots=True)
class MttdScenario:
    name: str = "anomaly-mttd"
    summary: str = ("breach at the sample service (error ratio raised) to the first visible sign on the wall "
                    "and to the incident on the board; real Prometheus and Alertmanager")

    def plan(self, opts: Any) -> Sequence[Any]:
        from noc_app.bench.scenario import ChildRun

        breaches = 1 if opts.smoke else 3
        timeout = 120.0 + breaches * (DETECT_TIMEOUT_S + WINDOW_S + 30.0)
        params = {"breaches": breaches, "size": list(opts.size or (1920, 1080)),
                  # smoke: a short quiet history, too short for the detector's warm-up (no anomaly sign)
                  "quiet_s": 20.0 if opts.smoke else WINDOW_S + 5.0}
        return [ChildRun(side="app", params=params, timeout_s=timeout)]

    def run_child(self, side: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if side != "app":
            raise ValueError(f"{self.name} has no side {side!r}")
        return run_mttd_side(params)

    def metrics(self, results: Mapping[str, Sequence[Mapping[str, Any]]], opts: Any) -> list[Metric]:
        from noc_app.bench.measure import median

        runs = results.get("app", ())
        breaches = [b for r in runs for b in r["breaches"]]
        poll = runs[0]["poll_s"] if runs else POLL_S
        rule_for = runs[0]["rule_for_s"] if runs else 0.0

        def med(key: str) -> float | None:
            values = [b[key] for b in breaches if b.get(key) is not None]
            return median(values)

        def first(*keys: str) -> float | None:
            values = [min(v for k in keys if (v := b.get(k)) is not None) for b in breaches
                      if any(b.get(k) is not None for k in keys)]
            return median(values)

        missed = sum(1 for b in breaches if b.get("threshold") is None and b.get("anomaly") is None)
        note = f"{len(breaches)} breach(es), poll every {poll:g} s, rule for: {rule_for:g} s; {missed} never visible"
        visible_goal = Goal(text=f"<=2 polls ({2 * poll * 1000:.0f} ms)", max_value=2 * poll * 1000)
        board_goal = Goal(text=f"<=2 polls + for: ({(2 * poll + rule_for) * 1000:.0f} ms)",
                          max_value=(2 * poll + rule_for) * 1000)
        return [
            Metric(scenario=self.name, metric="mttd_visible_ms", value=first("threshold", "anomaly"), unit="ms",
                   goal=visible_goal, note=note),
            Metric(scenario=self.name, metric="mttd_threshold_ms", value=med("threshold"), unit="ms"),
            Metric(scenario=self.name, metric="mttd_anomaly_ms", value=med("anomaly"), unit="ms"),
            Metric(scenario=self.name, metric="mttd_board_ms", value=med("board_rule"), unit="ms", goal=board_goal,
                   note="HighErrorRate (corrected to sum/sum) firing on the board, via Alertmanager"),
            Metric(scenario=self.name, metric="mttd_board_anomaly_ms", value=med("board_anomaly"), unit="ms",
                   note="the wall's own anomaly incident on the board"),
        ]


ANOMALY_MTTD = MttdScenario()
