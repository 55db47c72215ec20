"""The executive KPIs (noc_app.reports.kpis): hand-computed tables, boundaries, no invented targets."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pytest

from noc_app.config.schema import SliConfig, SloConfig
from noc_app.model import Alert, AlertState, Severity
from noc_app.reports.kpis import (
    NO_SLO,
    compute_kpis,
    kpi_lines,
    kpis_json,
    slo_role,
)
from noc_app.slo.budget import DAY_S, Buckets, slo_status
from noc_app.state.records import IncidentHistory

SLI = SliConfig(good="sum(rate(ok[{{window}}]))", total="sum(rate(all[{{window}}]))")
NOW = dt.datetime(2026, 4, 20, 12, 0, tzinfo=dt.UTC).timestamp()
APRIL = dt.datetime(2026, 4, 1, tzinfo=dt.UTC).timestamp()
WINDOW = 30 * DAY_S


def _slo(slo_id: str, name: str, target: float) -> SloConfig:
    return SloConfig(id=slo_id, name=name, source="prom", sli=SLI, target=target)


AVAIL = _slo("availability_slo", "Availability", 0.999)
LATENCY = _slo("latency_slo", "P95 latency < 500 ms", 0.95)
ERRORS = _slo("error_rate_slo", "Error rate < 1 %", 0.99)


def _status(good: float, total: float, *, target: float, covered_days: float = 30.0):
    """One SLO's figures from `covered_days` of hourly buckets holding good/total events in all."""
    hours = int(covered_days * 24)
    start = NOW - WINDOW
    t = NOW - np.arange(hours)[::-1] * 3600.0
    buckets = Buckets.of(t, np.full(hours, good / hours), np.full(hours, total / hours), 3600.0)
    return slo_status(buckets, target=target, window_s=WINDOW, start=start)


def _alert(fp: str, severity: Severity, state: AlertState = AlertState.FIRING) -> Alert:
    return Alert(fingerprint=fp, source_id="am", name=fp, severity=severity, state=state, starts_at=0.0)


@pytest.mark.parametrize(("slo", "role"), [
    (AVAIL, "availability"), (LATENCY, "latency"), (ERRORS, "error_rate"),
    (_slo("uptime", "Checkout up", 0.999), "availability"), (_slo("p99", "Slow", 0.99), "latency"),
    (_slo("checkout", "Checkout", 0.999), ""),
])
def test_slo_role_from_id_and_name(slo, role):
    assert slo_role(slo) == role


# attainment = good / total; met at the boundary (>=), missed one event below it.
@pytest.mark.parametrize(("good", "total", "target", "met", "error_rate"), [
    (999_000, 1_000_000, 0.999, True, 0.001),  # exactly on 99.9 %: met
    (998_999, 1_000_000, 0.999, False, 0.001001),  # one request short: missed
    (1_000_000, 1_000_000, 0.999, True, 0.0),
    (990, 1000, 0.99, True, 0.01),  # error rate exactly 1 %: met
    (989, 1000, 0.99, False, 0.011),
])
def test_slo_kpis_met_at_the_boundary(good, total, target, met, error_rate):
    slo = _slo("availability_slo", "Availability", target)
    errors = _slo("error_rate_slo", "Error rate", target)
    figures = {slo.id: _status(good, total, target=target), errors.id: _status(good, total, target=target)}
    kpis = compute_kpis([slo, errors], figures, [], [], now=NOW)
    assert kpis.availability.value == pytest.approx(good / total)
    assert kpis.availability.target == target and kpis.availability.comparison == ">="
    assert kpis.availability.met is met
    assert kpis.error_rate.value == pytest.approx(error_rate)
    assert kpis.error_rate.target == pytest.approx(1 - target) and kpis.error_rate.comparison == "<="
    assert kpis.error_rate.met is met


def test_error_budget_is_the_lowest_left_and_met_from_20_percent():
    # 99.9 % target over 1,000,000 requests: a budget of 1,000 bad ones.
    # availability: 800 bad -> 20 % left (met, the boundary); latency 95 %: 4,000 of 50,000 allowed -> 92 % left
    figures = {AVAIL.id: _status(999_200, 1_000_000, target=0.999),
               LATENCY.id: _status(996_000, 1_000_000, target=0.95)}
    kpis = compute_kpis([AVAIL, LATENCY], figures, [], [], now=NOW)
    assert kpis.error_budget.value == pytest.approx(0.2)
    assert kpis.error_budget.slo_id == "availability_slo" and kpis.error_budget.met is True
    figures[AVAIL.id] = _status(999_199, 1_000_000, target=0.999)  # 801 bad: 19.9 % left
    kpis = compute_kpis([AVAIL, LATENCY], figures, [], [], now=NOW)
    assert kpis.error_budget.value == pytest.approx(0.199) and kpis.error_budget.met is False
    by_id = {s.id: s for s in kpis.slos}
    assert by_id["latency_slo"].budget_remaining == pytest.approx(1 - 4000 / 50_000)
    assert by_id["availability_slo"].budget_remaining_min == pytest.approx(0.199 * 43.2)


def test_coverage_says_how_much_of_the_window_the_data_covers():
    kpis = compute_kpis([AVAIL], {AVAIL.id: _status(999, 1000, target=0.999, covered_days=9)}, [], [], now=NOW)
    assert kpis.availability.covered_s == 9 * DAY_S and kpis.availability.window_s == WINDOW
    assert kpis.availability.coverage == pytest.approx(0.3)
    assert "based on 9 d of 30 d" in kpi_lines(kpis)[0]


def test_no_slos_configured_says_so_and_invents_no_target():
    kpis = compute_kpis([], {}, [], [], now=NOW)
    for kpi in (kpis.availability, kpis.error_rate, kpis.latency, kpis.error_budget):
        assert kpi.note == NO_SLO
        assert kpi.value is None and kpi.target is None and kpi.met is None and kpi.comparison == ""
    assert kpis.slos == ()
    assert "no SLO configured" in kpi_lines(kpis)[0] and "no target" in kpi_lines(kpis)[0]
    # an availability SLO alone: the others still have none
    kpis = compute_kpis([AVAIL], {AVAIL.id: _status(999, 1000, target=0.999)}, [], [], now=NOW)
    assert kpis.availability.target == 0.999 and kpis.latency.note == NO_SLO and kpis.latency.target is None


@pytest.mark.parametrize(("figure", "note"), [
    (None, "no data yet"), ("source prom failed: down", "source prom failed: down"),
])
def test_missing_figures_are_not_judged(figure, note):
    figures = {} if figure is None else {AVAIL.id: figure}
    kpis = compute_kpis([AVAIL], figures, [], [], now=NOW)
    assert kpis.availability.value is None and kpis.availability.met is None and kpis.availability.note == note
    assert kpis.availability.target == 0.999  # the target is configured; only the figure is missing


def test_no_traffic_is_not_judged():
    kpis = compute_kpis([AVAIL], {AVAIL.id: _status(0, 0, target=0.999)}, [], [], now=NOW)
    assert kpis.availability.value is None and kpis.availability.met is None
    assert kpis.availability.note == "no traffic"


def test_active_incidents_by_priority_count_firing_and_acked_only():
    alerts = [_alert("a", Severity.CRITICAL), _alert("b", Severity.CRITICAL, AlertState.ACKNOWLEDGED),
              _alert("c", Severity.WARNING), _alert("d", Severity.WARNING, AlertState.SILENCED),
              _alert("e", Severity.INFO, AlertState.RESOLVED)]
    kpis = compute_kpis([], {}, alerts, [], now=NOW)
    assert kpis.active_incidents == {"P0": 2, "P1": 0, "P2": 1, "P3": 0, "P?": 0}


def _row(fp: str, severity: str, start: float, resolved: float | None) -> IncidentHistory:
    return IncidentHistory(source_id="am", fingerprint=fp, first_seen_at=start, resolved_at=resolved,
                           severity=severity)


def test_mttr_this_month_from_the_history():
    hour = 3600.0
    rows = [
        _row("a", "critical", APRIL + 10 * hour, APRIL + 10.5 * hour),  # P0: 30 min, within 1 h
        _row("b", "warning", APRIL + 20 * hour, APRIL + 22 * hour),  # P2: 2 h, within 24 h
        _row("c", "critical", APRIL - 5 * hour, APRIL - 4 * hour),  # resolved in March: not this month
        _row("d", "critical", NOW - hour, None),  # still open: not resolved, no MTTR
    ]
    kpis = compute_kpis([], {}, [], rows, now=NOW)
    assert kpis.mttr_month.value == pytest.approx((0.5 + 2) / 2 * hour)
    assert kpis.mttr_month.met is True and kpis.mttr_month.target == 0.99
    assert kpis.mttr_month.covered_s == NOW - APRIL and kpis.mttr_month.window_s == 30 * DAY_S
    rows.append(_row("e", "critical", APRIL + 30 * hour, APRIL + 32 * hour))  # P0 in 2 h: late
    kpis = compute_kpis([], {}, [], rows, now=NOW)
    assert kpis.mttr_month.value == pytest.approx((0.5 + 2 + 2) / 3 * hour)
    assert kpis.mttr_month.met is False  # 2 of 3 within target < 99 %


def test_mttr_without_history_or_resolutions():
    assert compute_kpis([], {}, [], None, now=NOW).mttr_month.note == "no state database"
    quiet = compute_kpis([], {}, [], [], now=NOW).mttr_month
    assert quiet.value is None and quiet.met is None and quiet.note == "no incident resolved this month"


def test_json_shape():
    kpis = compute_kpis([AVAIL], {AVAIL.id: _status(999_500, 1_000_000, target=0.999)}, [], None, now=NOW)
    data = json.loads(json.dumps(kpis_json(kpis)))
    assert set(data) == {"availability", "error_rate", "latency", "error_budget", "mttr_month",
                         "active_incidents", "active_incidents_note", "slos"}
    assert set(data["availability"]) >= {"value", "target", "met", "coverage", "covered_s", "window_s", "note",
                                         "slo", "unit", "comparison", "label", "target_text"}
    assert data["availability"]["value"] == 0.9995 and data["availability"]["met"] is True
    assert data["latency"]["note"] == NO_SLO and data["latency"]["target"] is None


def test_demo_snapshot_has_kpis_with_the_three_slos(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "QT_QPA_PLATFORM": "offscreen",
           "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "noc_app", "snapshot", "--after", "3"], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    kpis = json.loads(proc.stdout)["kpis"]
    assert [s["id"] for s in kpis["slos"]] == ["availability_slo", "latency_slo", "error_rate_slo"]
    assert kpis["availability"]["slo"] == "availability_slo" and kpis["availability"]["target"] == 0.999
    assert kpis["error_rate"]["target"] == 0.01 and kpis["latency"]["target"] == 0.95
    for name in ("availability", "error_rate", "latency", "error_budget"):
        assert isinstance(kpis[name]["value"], float) and kpis[name]["met"] in (True, False), kpis[name]
        assert 0 < kpis[name]["coverage"] <= 1
    # a fresh HOME: the state database (if the snapshot opens one for raised incidents) holds no history
    assert kpis["mttr_month"]["value"] is None and kpis["mttr_month"]["met"] is None
    assert sum(kpis["active_incidents"].values()) >= 1


def test_report_kpis_cli_prints_text_and_json(capsys):
    from pathlib import Path

    from noc_app.cli import main

    demo = str(Path(__file__).resolve().parents[2] / "config" / "demo.yaml")
    assert main(["report", "kpis", "--config", demo]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Availability (Availability): ") and "target 99.9 % available" in lines[0]
    assert lines[-1].startswith("Active incidents: P0 ")
    assert main(["report", "kpis", "--config", demo, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in data["slos"]] == ["availability_slo", "latency_slo", "error_rate_slo"]
