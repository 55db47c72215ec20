"""The parent side: run each scenario's children in fresh processes and collect results.

Children are ``python -m noc_app bench --child NAME:SIDE --child-params JSON``;
each prints exactly one result line prefixed with RESULT_MARKER on stdout.
App and baseline children alternate, so a noisy machine affects both alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from noc_app.bench.report import Metric
from noc_app.bench.scenario import ChildRun, RunOptions, get_scenario

RESULT_MARKER = "NOC_BENCH_RESULT "
STDERR_TAIL_LINES = 30


class ChildFailed(RuntimeError):
    """A child process crashed, timed out or printed no result."""


@dataclass(kw_only=True, slots=True)
class ScenarioOutcome:
    name: str
    metrics: list[Metric] = field(default_factory=list)
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    error: str | None = None


def child_env(opts: RunOptions) -> dict[str, str]:
    """The environment of a child: offscreen Qt unless --onscreen, no raster thread pool."""
    env = dict(os.environ)
    if not opts.onscreen:
        env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("QT_NO_GUI_THREADPOOL", "1")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def child_command(scenario: str, run: ChildRun) -> list[str]:
    return [
        sys.executable, "-m", "noc_app", "bench",
        "--child", f"{scenario}:{run.side}",
        "--child-params", json.dumps(dict(run.params), separators=(",", ":")),
    ]


def parse_result(stdout: str) -> dict[str, Any] | None:
    """The child's result line (the last one carrying the marker), or None."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    return None


def run_child_process(scenario: str, run: ChildRun, opts: RunOptions) -> dict[str, Any]:
    """Run one child to completion (bounded) and return its result."""
    try:
        proc = subprocess.run(
            child_command(scenario, run),
            check=False,
            env=child_env(opts),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=run.timeout_s,
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run kills the child before raising
        raise ChildFailed(f"{scenario}:{run.side} did not finish within {run.timeout_s:.0f}s") from exc
    result = parse_result(proc.stdout)
    tail = error_tail(proc.stderr, proc.stdout)
    if result is not None and "error" in result:
        raise ChildFailed(f"{scenario}:{run.side} failed: {result['error']}\n{tail}")
    if proc.returncode != 0 or result is None:
        # The last line of the tail goes on the first line: summaries show only that one.
        raise ChildFailed(
            f"{scenario}:{run.side} exited with status {proc.returncode} and no result: "
            f"{tail.splitlines()[-1]}\n{tail}"
        )
    return result


def error_tail(stderr: str, stdout: str) -> str:
    """The last lines a failed child wrote: stderr, else stdout (minus result lines); never empty."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not lines:
        lines = [line for line in stdout.splitlines() if line.strip() and not line.startswith(RESULT_MARKER)]
    if not lines:
        return "(the child wrote nothing on stderr or stdout)"
    return "\n".join(lines[-STDERR_TAIL_LINES:])


def run_scenario(
    name: str,
    opts: RunOptions,
    *,
    progress: Callable[[str], None] = lambda _msg: None,
    run_child: Callable[[str, ChildRun, RunOptions], dict[str, Any]] = run_child_process,
) -> ScenarioOutcome:
    """All repetitions of one scenario, then its metric rows."""
    scenario = get_scenario(name)
    outcome = ScenarioOutcome(name=name)
    for rep in range(max(1, opts.repeat)):
        for run in scenario.plan(opts):
            progress(f"{name}: {run.side} (repetition {rep + 1}/{max(1, opts.repeat)})")
            started = time.monotonic()
            try:
                result = run_child(name, run, opts)
            except ChildFailed as exc:
                outcome.error = str(exc)
                return outcome
            progress(f"{name}: {run.side} done in {time.monotonic() - started:.1f}s")
            outcome.results.setdefault(run.side, []).append(result)
    outcome.metrics = scenario.metrics(outcome.results, opts)
    return outcome


def run_in_child(name: str, side: str, params: Mapping[str, Any]) -> int:
    """Entry of a child process: run one side and print its result line."""
    scenario = get_scenario(name)
    try:
        result = scenario.run_child(side, params)
    except Exception as exc:  # reported to the parent as a result, traceback on stderr
        import traceback

        traceback.print_exc()
        print(RESULT_MARKER + json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    print(RESULT_MARKER + json.dumps(result, separators=(",", ":")), flush=True)
    return 0
