"""Smoke runs of the anomaly benchmark scenarios (the numbers mean nothing; that they run does),
and their metric rows from given results."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from noc_app.bench.scenario import RunOptions, get_scenario

REQUIRE_ENV = "NOC_REQUIRE_BACKENDS"


def _bench(args: list[str], home: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=home, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "noc_app", "bench", *args], check=False, capture_output=True,
                          text=True, env=env, timeout=timeout)


def _rows(stdout: str) -> dict[str, dict]:
    return {(o := json.loads(line))["metric"]: o for line in stdout.splitlines()}


def test_cost_metrics_pair_each_repetition():
    scenario = get_scenario("anomaly-cost")
    results = {
        "plain": [{"cpu_pct": 4.0, "gui_cpu_ms_median": 40.0}, {"cpu_pct": 6.0, "gui_cpu_ms_median": 41.0}],
        "anomaly": [{"cpu_pct": 4.5, "scorer_cpu_pct": 0.3, "series_scored": 72, "gui_cpu_ms_median": 44.0},
                    {"cpu_pct": 7.5, "scorer_cpu_pct": 0.5, "series_scored": 72, "gui_cpu_ms_median": 45.0}],
    }
    rows = {m.metric: m for m in scenario.metrics(results, RunOptions())}
    assert rows["added_cpu_pct"].value == 1.0  # median of the pairs' differences (0.5, 1.5), not of the sides
    assert rows["added_cpu_pct"].goal is not None and rows["added_cpu_pct"].goal.check(1.0, None)
    assert rows["scorer_cpu_pct"].value == 0.4
    assert rows["cpu_pct"].baseline_value == 5.0


def test_mttd_metrics_are_medians_against_poll_based_goals():
    scenario = get_scenario("anomaly-mttd")
    breaches = [
        {"threshold": 3000.0, "anomaly": 2500.0, "board_rule": 9000.0, "board_anomaly": 3500.0},
        {"threshold": 2000.0, "anomaly": None, "board_rule": 8000.0, "board_anomaly": None},
        {"threshold": 5000.0, "anomaly": 4000.0, "board_rule": 12000.0, "board_anomaly": 5000.0},
    ]
    results = {"app": [{"poll_s": 2.0, "rule_for_s": 5.0, "breaches": breaches}]}
    rows = {m.metric: m for m in scenario.metrics(results, RunOptions())}
    assert rows["mttd_visible_ms"].value == 2500.0  # per breach the first sign: 2500, 2000, 4000
    assert rows["mttd_board_ms"].value == 9000.0
    assert rows["mttd_visible_ms"].goal.max_value == 4000.0
    assert rows["mttd_board_ms"].goal.max_value == 9000.0
    assert rows["mttd_anomaly_ms"].value == 3250.0


@pytest.mark.slow
def test_cost_smoke_scores_every_series(tmp_path):
    run = _bench(["--scenario", "anomaly-cost", "--smoke", "--json", "--out", str(tmp_path)], str(tmp_path), 240.0)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = _rows(run.stdout)
    assert set(rows) == {"added_cpu_pct", "scorer_cpu_pct", "cpu_pct", "gui_cpu_ms_median"}
    assert rows["cpu_pct"]["value"] is not None and rows["cpu_pct"]["baseline_value"] is not None
    raw = json.loads((tmp_path / "results-anomaly-cost.json").read_text())
    assert raw["anomaly"][0]["series_scored"] == 72 and raw["plain"][0]["series_scored"] == 0


@pytest.mark.slow
def test_mttd_smoke_against_the_real_stack(tmp_path):
    from noc_app.bench.mttd_stack import stack_missing

    problem = stack_missing()
    if problem:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{problem} ({REQUIRE_ENV}=1 forbids skipping)", pytrace=False)
        pytest.skip(problem)
    run = _bench(["--scenario", "anomaly-mttd", "--smoke", "--json"], str(tmp_path), 400.0)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = _rows(run.stdout)
    assert rows["mttd_visible_ms"]["value"] is not None, run.stderr[-3000:]
    assert rows["mttd_board_ms"]["value"] is not None, run.stderr[-3000:]
