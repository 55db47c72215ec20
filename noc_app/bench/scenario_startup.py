"""startup: process start to the first painted wall (the built-in demo config), cold.

Every start is a fresh child process (app and baseline alternating); the clock
starts when the kernel created the process (/proc/self/stat starttime, one
clock tick of resolution) and stops when WallWindow.first_paint_done fires.
The app side does what `noc-app` does (config, Runtime, windows, show, start
polling) offscreen at the benchmark's window size; it also reports when every
source's first data was painted.  Baseline: a bare PySide6 QMainWindow of the
same size, measured the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from noc_app.bench.report import Goal, Metric
from noc_app.bench.scenario import DEFAULT_SIZE, ChildRun, RunOptions

STARTS = 5
SMOKE_STARTS = 1
WAIT_LIMIT_S = 60.0
FIRST_PAINT_GOAL = Goal(text="<=1500 ms", max_value=1500.0)


def run_app_side(params: Mapping[str, Any]) -> dict[str, Any]:
    from PySide6.QtCore import QEventLoop, QTimer

    from noc_app.bench.measure import rounded, seconds_since_process_start

    marks: dict[str, float] = {"entered_ms": seconds_since_process_start() * 1000.0}
    from noc_app.app import LaunchOptions, build_windows, font_problem
    from noc_app.bench.app_wall import TimedRuntime
    from noc_app.bench.measure import start_qt_application
    from noc_app.config.loader import load_builtin

    start_qt_application()
    problem = font_problem()
    if problem:
        raise RuntimeError(problem)
    config = load_builtin("demo")
    runtime = TimedRuntime(config)
    window = build_windows(config, runtime, LaunchOptions(), size=tuple(params["size"]))[0]
    loop = QEventLoop()
    pending = set(runtime.store.source_ids())

    def painted() -> None:
        marks.setdefault("first_paint_ms", seconds_since_process_start() * 1000.0)

    def data_painted(record) -> None:
        pending.discard(record.source_id)
        if not pending and "first_data_ms" not in marks:
            marks["first_data_ms"] = seconds_since_process_start() * 1000.0
            loop.quit()

    window.first_paint_done.connect(painted)
    runtime.listeners.append(data_painted)
    window.show()
    runtime.start()
    QTimer.singleShot(int(WAIT_LIMIT_S * 1000), loop.quit)
    loop.exec()
    runtime.stop()
    window.close()
    if "first_paint_ms" not in marks:
        raise RuntimeError(f"the wall did not paint within {WAIT_LIMIT_S:.0f}s")
    return {
        "side": "app",
        "first_paint_ms": rounded(marks["first_paint_ms"], 1),
        "first_data_ms": rounded(marks.get("first_data_ms"), 1),
        "python_ready_ms": rounded(marks["entered_ms"], 1),  # interpreter + imports up to the scenario
    }


def run_baseline_side(params: Mapping[str, Any]) -> dict[str, Any]:
    from noc_app.bench.measure import rounded, seconds_since_process_start

    entered_ms = seconds_since_process_start() * 1000.0
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QMainWindow

    from noc_app.bench.measure import start_qt_application

    marks: dict[str, float] = {}
    loop = QEventLoop()

    def painted() -> None:
        marks.setdefault("first_paint_ms", seconds_since_process_start() * 1000.0)
        loop.quit()

    class BareWindow(QMainWindow):
        def paintEvent(self, event) -> None:
            painter = QPainter(self)
            painter.fillRect(self.rect(), self.palette().window())
            painter.end()
            if "first_paint_ms" not in marks:
                # Like the wall: the mark is taken once this paint pass has finished.
                QTimer.singleShot(0, painted)

    start_qt_application()
    window = BareWindow()
    window.resize(*params["size"])
    window.show()
    QTimer.singleShot(int(WAIT_LIMIT_S * 1000), loop.quit)
    loop.exec()
    window.close()
    if "first_paint_ms" not in marks:
        raise RuntimeError(f"the bare window did not paint within {WAIT_LIMIT_S:.0f}s")
    return {
        "side": "baseline",
        "first_paint_ms": rounded(marks["first_paint_ms"], 1),
        "python_ready_ms": rounded(entered_ms, 1),
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class StartupScenario:
    name: str = "startup"
    summary: str = "process start -> first painted wall (demo config), median of 5 cold starts vs a bare Qt window"

    def plan(self, opts: RunOptions) -> Sequence[ChildRun]:
        params = {"size": list(opts.size or DEFAULT_SIZE)}
        runs: list[ChildRun] = []
        for _ in range(SMOKE_STARTS if opts.smoke else STARTS):
            runs.append(ChildRun(side="app", params=params, timeout_s=WAIT_LIMIT_S + 60.0))
            runs.append(ChildRun(side="baseline", params=params, timeout_s=WAIT_LIMIT_S + 60.0))
        return runs

    def run_child(self, side: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if side == "app":
            return run_app_side(params)
        if side == "baseline":
            return run_baseline_side(params)
        raise ValueError(f"startup has no side {side!r}")

    def metrics(self, results: Mapping[str, Sequence[Mapping[str, Any]]], opts: RunOptions) -> list[Metric]:
        from noc_app.bench.measure import median

        app, base = results.get("app", ()), results.get("baseline", ())

        def med(runs: Sequence[Mapping[str, Any]], key: str) -> float | None:
            return median([r[key] for r in runs if r.get(key) is not None])

        starts = ", ".join(f"{r['first_paint_ms']:.0f}" for r in app)
        return [
            Metric(scenario=self.name, metric="first_paint_ms", value=med(app, "first_paint_ms"), unit="ms (median)",
                   baseline="bare Qt window", baseline_value=med(base, "first_paint_ms"), goal=FIRST_PAINT_GOAL,
                   note=f"{len(app)} cold starts: {starts} ms"),
            Metric(scenario=self.name, metric="first_data_ms", value=med(app, "first_data_ms"), unit="ms (median)",
                   note="every source's first poll painted (demo and localhost sources)"),
            Metric(scenario=self.name, metric="python_ready_ms", value=med(app, "python_ready_ms"), unit="ms (median)",
                   baseline="bare Qt window", baseline_value=med(base, "python_ready_ms"),
                   note="interpreter start and imports up to the benchmark's entry, before any Qt"),
        ]


STARTUP = StartupScenario()
