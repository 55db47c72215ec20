"""alert-to-pixel: from an alert existing in Alertmanager to its row painted on the board.

The real Alertmanager is started on a loopback port when installed (else a
loopback fake speaking its API).  The wall (an incident board fed by the REAL
AlertmanagerSource, 1 s poll, through the Runtime) runs; probes are POSTed one
at a time at random phases against the poll; the clock starts when the POST
has returned (the alert is in the backend) and stops when the board has
painted a visible row with the probe's name.  The baseline is the budget, not
a process: poll interval + 150 ms.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from noc_app.bench.report import Goal, Metric
from noc_app.bench.scenario import DEFAULT_SIZE, ChildRun, RunOptions

SOURCE_ID = "a2p-am"
BUDGET_MS = 150.0
PROBE_TIMEOUT_S = 10.0
BACKGROUND_ALERTS = 20


def _config(url: str, interval_s: float):
    from noc_app.config.schema import AppConfig, DashboardConfig, GridPos, Mode, PanelConfig, SourceConfig

    source = SourceConfig(id=SOURCE_ID, kind="alertmanager", url=url, interval_s=interval_s, timeout_s=5.0)
    board = PanelConfig(id="incidents", kind="incidents", title="Incidents", sources=(SOURCE_ID,), limit=200,
                        grid=GridPos(x=0, y=0, w=24, h=12))
    dashboard = DashboardConfig(id="a2p", title="Alert to pixel", panels=(board,))
    return AppConfig(path="<bench alert-to-pixel>", title="noc-app bench", mode=Mode.WALL, theme="dark",
                     sources=(source,), dashboards=(dashboard,))


def _alert(
    name: str, *, severity: str, ends_in_s: float | None = None, summary: str = "alert-to-pixel probe"
) -> dict[str, Any]:
    from noc_app.bench.payloads import rfc3339

    alert: dict[str, Any] = {
        "labels": {"alertname": name, "severity": severity, "instance": "bench:9100", "job": "bench"},
        "annotations": {"summary": summary},
    }
    if ends_in_s is not None:
        alert["endsAt"] = rfc3339(time.time() + ends_in_s)
    return alert


class ProbeDriver:
    """Posts one probe at a time and watches the board's painted rows for it."""

    def __init__(self, client, board, *, seed: int = 7) -> None:
        self._client = client
        self._board = board
        self._rng = random.Random(seed)
        self._serial = 0
        self.pending: tuple[str, float] | None = None  # name, when the backend had it
        self.latencies_ms: list[float] = []
        self.missed = 0
        self.measuring = False

    def schedule_next(self) -> None:
        from PySide6.QtCore import QTimer

        # A random delay puts each probe at a different phase of the 1 s poll.
        QTimer.singleShot(int(self._rng.uniform(300, 1300)), self.post_probe)

    def post_probe(self) -> None:
        from PySide6.QtCore import QTimer

        if self.pending is not None:
            self._resolve(self.pending[0])
        self._serial += 1
        name = f"BenchProbe{self._serial:04d}"
        self._post([_alert(name, severity="critical")])
        self.pending = (name, time.perf_counter())
        serial = self._serial
        QTimer.singleShot(int(PROBE_TIMEOUT_S * 1000), lambda: self._timed_out(serial))

    def on_update(self, record) -> None:
        if self.pending is None or record.source_id != SOURCE_ID or record.paints == 0:
            return
        name, posted_at = self.pending
        if any(row.name == name for row in self._board.visible_rows):
            if self.measuring:
                self.latencies_ms.append(max(0.0, record.ended_at - posted_at) * 1000.0)
            self._resolve(name)
            self.pending = None
            self.schedule_next()

    def _timed_out(self, serial: int) -> None:
        if self.pending is not None and self.pending[0] == f"BenchProbe{serial:04d}":
            if self.measuring:
                self.missed += 1
            self._resolve(self.pending[0])
            self.pending = None
            self.schedule_next()

    def _resolve(self, name: str) -> None:
        self._post([_alert(name, severity="critical", ends_in_s=-1.0)])

    def _post(self, alerts: list[dict[str, Any]]) -> None:
        headers = {"Content-Type": "application/json"}
        response = self._client.post("/api/v2/alerts", content=json.dumps(alerts), headers=headers)
        response.raise_for_status()


def run_app_side(params: Mapping[str, Any]) -> dict[str, Any]:
    import httpx

    from noc_app.bench.alertmanager_backend import start_alert_backend
    from noc_app.bench.app_wall import build_app_wall, save_screenshot
    from noc_app.bench.measure import ProcessSampler, measure_window, median, rounded, start_qt_application
    from noc_app.config.schema import PanelKind

    app = start_qt_application()
    backend = start_alert_backend(prefer_real=params["prefer_real"])
    client = httpx.Client(base_url=backend.url, timeout=5.0)
    try:
        background = [
            _alert(f"BenchBackground{i:02d}", severity="warning", summary="background alert")
            for i in range(BACKGROUND_ALERTS)
        ]
        client.post("/api/v2/alerts", json=background).raise_for_status()
        wall = build_app_wall(_config(backend.url, params["interval_s"]), size=tuple(params["size"]))
        board = next(frame.body for frame in wall.window.panel_frames() if frame.panel.kind == PanelKind.INCIDENTS)
        driver = ProbeDriver(client, board)
        wall.runtime.listeners.append(driver.on_update)

        def begin() -> None:
            driver.measuring = True

        wall.start()
        driver.schedule_next()
        measure_window(ProcessSampler(), warmup_s=params["warmup_s"], duration_s=params["duration_s"], on_begin=begin)
        wall.stop()
        shot = save_screenshot(wall.window, params.get("out_dir"), "alert-to-pixel-app")
        app.processEvents()
    finally:
        client.close()
        backend.stop()
    lat = driver.latencies_ms
    return {
        "side": "app",
        "backend": backend.description,
        "interval_s": params["interval_s"],
        "probes": len(lat),
        "missed": driver.missed,
        "median_ms": rounded(median(lat)),
        "max_ms": rounded(max(lat) if lat else None),
        "latencies_ms": [rounded(v, 1) for v in lat],
        "screenshot": shot,
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertToPixelScenario:
    name: str = "alert-to-pixel"
    summary: str = "alert POSTed to Alertmanager -> its row painted on the board, 1 s poll (budget: poll + 150 ms)"

    def plan(self, opts: RunOptions) -> Sequence[ChildRun]:
        warmup, duration = opts.timing(duration_s=60.0, warmup_s=5.0)
        params = {
            "interval_s": 1.0, "prefer_real": True, "size": list(opts.size or DEFAULT_SIZE),
            "warmup_s": warmup, "duration_s": duration, "out_dir": opts.out_dir,
        }
        return [ChildRun(side="app", params=params, timeout_s=warmup + duration + 120.0)]

    def run_child(self, side: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if side != "app":
            raise ValueError(f"alert-to-pixel has no side {side!r}")
        return run_app_side(params)

    def metrics(self, results: Mapping[str, Sequence[Mapping[str, Any]]], opts: RunOptions) -> list[Metric]:
        from noc_app.bench.measure import median

        app = results.get("app", ())
        interval_s = app[0]["interval_s"] if app else 1.0
        budget = interval_s * 1000.0 + BUDGET_MS
        base = f"poll {interval_s:g} s + {BUDGET_MS:.0f} ms"
        latencies = [v for r in app for v in r["latencies_ms"]]
        probes = len(latencies)
        missed = sum(r["missed"] for r in app)
        backend = app[0]["backend"] if app else "?"
        note = f"{probes} probes, {missed} not shown within {PROBE_TIMEOUT_S:.0f}s; backend: {backend}"
        worst = max(latencies) if latencies else None
        if missed:  # a probe never shown: at least the probe timeout, which fails the goal
            worst = max(worst or 0.0, PROBE_TIMEOUT_S * 1000.0)
        return [
            Metric(scenario=self.name, metric="alert_to_pixel_ms_median", value=median(latencies), unit="ms",
                   baseline=base, baseline_value=budget, note=note),
            Metric(scenario=self.name, metric="alert_to_pixel_ms_max", value=worst, unit="ms",
                   baseline=base, baseline_value=budget, goal=Goal(text=f"<={budget:.0f} ms", max_value=budget)),
        ]


ALERT_TO_PIXEL = AlertToPixelScenario()
