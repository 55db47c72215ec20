"""ingest: big backend answers must not freeze the wall.

A loopback server answers a 500-series x 720-point query_range (~9 MB of JSON)
and a 5,000-alert Alertmanager /api/v2/alerts, with new content on every poll.
App side: the REAL PrometheusSource and AlertmanagerSource poll it through the
Runtime (worker threads) and feed a real wall (one time-series panel, one
incident board).  Measured: the longest GUI event-loop stall (a 5 ms timer
probe) and, per poll, the time from the server having sent the response to the
panel having painted it.  Baseline side: a naive app that fetches and parses
the same JSON on the GUI thread (json.loads + building arrays).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from noc_app.bench.report import Goal, Metric
from noc_app.bench.scenario import DEFAULT_SIZE, ChildRun, RunOptions

QUERY_RANGE = "/api/v1/query_range"
ALERTS = "/api/v2/alerts"
PROM_ID, AM_ID = "ingest-prom", "ingest-am"
BASELINE_NAME = "naive GUI-thread parse"
STALL_GOAL = Goal(text="<=50 ms", max_value=50.0)
LONG_STALL_MS = 50.0


def start_server(params: Mapping[str, Any]):
    """The loopback Prometheus + Alertmanager with rotating big answers."""
    from noc_app.bench import payloads
    from noc_app.bench.loopback import LoopbackServer, fixed, rotating

    now = time.time()
    matrices = [
        payloads.prometheus_matrix(
            series=params["series"], points=params["points"], step_s=params["step_s"], end=now, variant=v
        )
        for v in range(params["variants"])
    ]
    alert_lists = [
        payloads.alertmanager_alerts(count=params["alerts"], now=now, variant=v) for v in range(params["variants"])
    ]
    server = LoopbackServer(
        routes={
            ("POST", QUERY_RANGE): rotating(matrices),
            ("GET", QUERY_RANGE): rotating(matrices),
            ("GET", "/api/v1/status/buildinfo"): fixed(payloads.prometheus_buildinfo()),
            ("GET", ALERTS): rotating(alert_lists),
            ("GET", "/api/v2/silences"): fixed(b"[]"),
            ("GET", "/api/v2/status"): fixed(payloads.alertmanager_status()),
        }
    )
    return server.start(), len(matrices[0]), len(alert_lists[0])


def ingest_config(url: str, params: Mapping[str, Any]):
    from noc_app.config.schema import AppConfig, DashboardConfig, GridPos, Mode, PanelConfig, QueryConfig, SourceConfig

    interval = params["interval_s"]
    sources = tuple(
        SourceConfig(id=sid, kind=kind, url=url, interval_s=interval, timeout_s=30.0, max_response_mb=64.0)
        for sid, kind in ((PROM_ID, "prometheus"), (AM_ID, "alertmanager"))
    )
    panels = (
        PanelConfig(
            id="requests", kind="timeseries", title="Requests by instance (500 series)", source=PROM_ID,
            queries=(QueryConfig(expr="sum by (instance) (rate(bench_requests[5m]))", legend="{{instance}}"),),
            unit="req/s", window_s=params["points"] * params["step_s"], grid=GridPos(x=0, y=0, w=14, h=12),
        ),
        PanelConfig(id="incidents", kind="incidents", title="Incidents (5,000 alerts)", sources=(AM_ID,),
                    limit=200, grid=GridPos(x=14, y=0, w=10, h=12)),
    )
    dashboard = DashboardConfig(id="ingest", title="Ingest", panels=panels)
    return AppConfig(path="<bench ingest>", title="noc-app bench", mode=Mode.WALL, theme="dark",
                     sources=sources, dashboards=(dashboard,))


def _stall_and_latency(probe, latencies: Mapping[str, list[float]]) -> dict[str, Any]:
    """The figures both sides report: event-loop stalls and median response-to-panel time."""
    from noc_app.bench.measure import median, percentile, rounded

    return {
        "max_stall_ms": rounded(probe.max_gap_ms),
        "stall_p99_ms": rounded(percentile(probe.gaps_ms, 99)),
        "stalls_over_50ms": sum(1 for g in probe.gaps_ms if g > LONG_STALL_MS),
        "query_range_ms": rounded(median(latencies[PROM_ID])),
        "alerts_ms": rounded(median(latencies[AM_ID])),
    }


def run_app_side(params: Mapping[str, Any]) -> dict[str, Any]:
    from noc_app.bench.app_wall import build_app_wall, save_profile, save_screenshot
    from noc_app.bench.measure import (
        ProcessSampler,
        StallProbe,
        measure_window,
        median,
        rounded,
        start_qt_application,
    )

    app = start_qt_application()
    server, matrix_bytes, alerts_bytes = start_server(params)
    wall = build_app_wall(ingest_config(server.url, params), size=tuple(params["size"]),
                          runtime_kwargs={"profile": bool(params.get("profile_dir"))})
    paths = {PROM_ID: QUERY_RANGE, AM_ID: ALERTS}
    latencies: dict[str, list[float]] = {PROM_ID: [], AM_ID: []}
    gui_ms: list[tuple[float, float]] = []  # (wall ms, GUI-thread CPU ms) per update
    board_ms: list[tuple[float, float]] = []  # the same, for the 5,000-alert updates only (the incident board)
    state = {"measuring": False}

    def on_update(record) -> None:
        sent = server.last_sent.get(paths[record.source_id])
        if state["measuring"] and record.changed and sent is not None:
            latencies[record.source_id].append((record.ended_at - sent) * 1000.0)
            gui_ms.append((record.gui_ms, record.gui_cpu_ms))
            if record.source_id == AM_ID:
                board_ms.append((record.gui_ms, record.gui_cpu_ms))

    wall.runtime.listeners.append(on_update)
    probe = StallProbe()
    sampler = ProcessSampler()

    def begin() -> None:
        probe.reset()
        state["measuring"] = True

    probe.start()
    wall.start()
    measure_window(sampler, warmup_s=params["warmup_s"], duration_s=params["duration_s"], on_begin=begin)
    probe.stop()
    wall.stop()
    shot = save_screenshot(wall.window, params.get("out_dir"), "ingest-app")
    save_profile(wall.runtime, params.get("profile_dir"), "ingest-app")
    server.stop()
    app.processEvents()
    return {
        "side": "app",
        **_stall_and_latency(probe, latencies),
        "query_range_ms_max": rounded(max(latencies[PROM_ID], default=None) if latencies[PROM_ID] else None),
        "alerts_ms_max": rounded(max(latencies[AM_ID]) if latencies[AM_ID] else None),
        # GUI-thread work per update: a stall much longer than this is the workers holding the GIL
        "gui_ms_max": rounded(max(gui_ms)[0] if gui_ms else None),
        "gui_cpu_ms_of_max": rounded(max(gui_ms)[1] if gui_ms else None),
        "alerts_gui_ms_median": rounded(median([ms for ms, _ in board_ms]) if board_ms else None),
        "alerts_gui_ms_max": rounded(max(board_ms)[0] if board_ms else None),
        "alerts_gui_cpu_ms_median": rounded(median([cpu for _, cpu in board_ms]) if board_ms else None),
        "polls": {sid: len(v) for sid, v in latencies.items()},
        "poll_failures": wall.runtime.failures,
        "matrix_mb": rounded(matrix_bytes / 1e6), "alerts_mb": rounded(alerts_bytes / 1e6),
        "cpu_pct": rounded(sampler.cpu_pct_of_one_core),
        "rss_mb_peak": rounded(sampler.rss_mb_peak, 1),
        "screenshot": shot,
    }


def run_baseline_side(params: Mapping[str, Any]) -> dict[str, Any]:
    """Fetch and parse on the GUI thread, as a naive app would."""
    import json

    import httpx
    import numpy as np
    from PySide6.QtCore import QTimer

    from noc_app.bench.measure import ProcessSampler, StallProbe, measure_window, rounded, start_qt_application

    app = start_qt_application()
    server, matrix_bytes, alerts_bytes = start_server(params)
    client = httpx.Client(base_url=server.url, timeout=30.0)
    latencies: dict[str, list[float]] = {PROM_ID: [], AM_ID: []}
    state = {"measuring": False}

    def naive_poll() -> None:
        response = client.post(QUERY_RANGE, data={"query": "bench_requests"})
        received = time.perf_counter()
        result = json.loads(response.content)["data"]["result"]
        _arrays = [
            (np.array([float(t) for t, _ in s["values"]]), np.array([float(v) for _, v in s["values"]])) for s in result
        ]
        parsed = time.perf_counter()
        response = client.get(ALERTS)
        received_alerts = time.perf_counter()
        _alerts = [
            (a["fingerprint"], dict(a["labels"]), a["status"]["state"], a["startsAt"])
            for a in json.loads(response.content)
        ]
        done = time.perf_counter()
        if state["measuring"]:
            latencies[PROM_ID].append((parsed - received) * 1000.0)
            latencies[AM_ID].append((done - received_alerts) * 1000.0)

    timer = QTimer()
    timer.timeout.connect(naive_poll)
    probe = StallProbe()
    sampler = ProcessSampler()

    def begin() -> None:
        probe.reset()
        state["measuring"] = True

    probe.start()
    timer.start(round(params["interval_s"] * 1000))
    measure_window(sampler, warmup_s=params["warmup_s"], duration_s=params["duration_s"], on_begin=begin)
    timer.stop()
    probe.stop()
    client.close()
    server.stop()
    app.processEvents()
    return {
        "side": "baseline",
        **_stall_and_latency(probe, latencies),
        "polls": {sid: len(v) for sid, v in latencies.items()},
        "matrix_mb": rounded(matrix_bytes / 1e6), "alerts_mb": rounded(alerts_bytes / 1e6),
        "cpu_pct": rounded(sampler.cpu_pct_of_one_core),
        "rss_mb_peak": rounded(sampler.rss_mb_peak, 1),
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class IngestScenario:
    name: str = "ingest"
    summary: str = "500-series x 720-point query_range + 5,000 alerts every poll: worst GUI stall, response-to-panel ms"

    def plan(self, opts: RunOptions) -> Sequence[ChildRun]:
        warmup, duration = opts.timing(duration_s=60.0, warmup_s=10.0)
        params = {
            "series": 500, "points": 720, "step_s": 5.0, "alerts": 5000, "variants": 3,
            "interval_s": 1.0 if opts.smoke else 2.0,
            "size": list(opts.size or DEFAULT_SIZE), "warmup_s": warmup, "duration_s": duration,
            "out_dir": opts.out_dir, "profile_dir": opts.profile_dir,
        }
        timeout = warmup + duration + 180.0
        return [ChildRun(side=side, params=params, timeout_s=timeout) for side in ("app", "baseline")]

    def run_child(self, side: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if side == "app":
            return run_app_side(params)
        if side == "baseline":
            return run_baseline_side(params)
        raise ValueError(f"ingest has no side {side!r}")

    def metrics(self, results: Mapping[str, Sequence[Mapping[str, Any]]], opts: RunOptions) -> list[Metric]:
        from noc_app.bench.measure import median

        app, base = results.get("app", ()), results.get("baseline", ())

        def med(runs: Sequence[Mapping[str, Any]], key: str) -> float | None:
            return median([r[key] for r in runs if r.get(key) is not None])

        sizes = f"{app[0]['matrix_mb']} MB query_range, {app[0]['alerts_mb']} MB alerts per poll" if app else ""
        polls = app[0]["polls"] if app else {}
        return [
            Metric(scenario=self.name, metric="max_stall_ms", value=med(app, "max_stall_ms"), unit="ms",
                   baseline=BASELINE_NAME, baseline_value=med(base, "max_stall_ms"), goal=STALL_GOAL, note=sizes),
            Metric(scenario=self.name, metric="gui_ms_max", value=med(app, "gui_ms_max"), unit="ms per update (max)",
                   note="the longest store change on the GUI thread, apply to painted; it runs in several "
                   "event-loop turns (apply, coalesced refresh, paint), so the longest stall can be shorter"),
            Metric(scenario=self.name, metric="gui_cpu_ms_of_max", value=med(app, "gui_cpu_ms_of_max"),
                   unit="GUI-thread CPU ms", note="CPU the GUI thread itself spent in that longest update; the rest "
                   "of its wall time it waited (for the GIL or the CPU)"),
            Metric(scenario=self.name, metric="alerts_gui_ms_median", value=med(app, "alerts_gui_ms_median"),
                   unit="ms per update (median)", note="GUI-thread wall time of the 5,000-alert updates (the "
                   "incident board: selection taken as the poll worker prepared it, rows that fit, paint)"),
            Metric(scenario=self.name, metric="alerts_gui_ms_max", value=med(app, "alerts_gui_ms_max"),
                   unit="ms per update (max)"),
            Metric(scenario=self.name, metric="alerts_gui_cpu_ms_median", value=med(app, "alerts_gui_cpu_ms_median"),
                   unit="GUI-thread CPU ms (median)"),
            Metric(scenario=self.name, metric="stalls_over_50ms", value=med(app, "stalls_over_50ms"), unit="count",
                   baseline=BASELINE_NAME, baseline_value=med(base, "stalls_over_50ms")),
            Metric(scenario=self.name, metric="query_range_to_panel_ms", value=med(app, "query_range_ms"),
                   unit="ms (median)", baseline=BASELINE_NAME, baseline_value=med(base, "query_range_ms"),
                   note=f"{polls.get(PROM_ID, 0)} + {polls.get(AM_ID, 0)} polls measured; "
                   "baseline = parse only, no paint"),
            Metric(scenario=self.name, metric="alerts_to_panel_ms", value=med(app, "alerts_ms"), unit="ms (median)",
                   baseline=BASELINE_NAME, baseline_value=med(base, "alerts_ms")),
        ]


INGEST = IngestScenario()
