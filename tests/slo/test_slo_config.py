"""The `slos:` config section and SLO panels (noc_app.config.slo_section)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from noc_app.config.loader import ConfigError, load_builtin, load_config, load_config_text
from noc_app.config.schema import PanelKind, SloAlerting, SloWindow
from noc_app.plans import build_plans

BASE = """
sources:
  - {id: prom, kind: prometheus, url: "http://127.0.0.1:9090"}
  - {id: am, kind: alertmanager, url: "http://127.0.0.1:9093"}
dashboards:
  - id: d
    title: D
    panels:
      - {id: avail, kind: slo, title: Availability}
      - {id: other, kind: slo, title: Latency, slo: fast}
slos:
"""

GOOD = """\
  - id: avail
    source: prom
    target: 99.9
    sli:
      good: sum(rate(http_requests_total{status!~"5.."}[{{window}}]))
      total: sum(rate(http_requests_total[{{window}}]))
  - id: fast
    name: Fast enough
    source: prom
    target: 95
    window: month
    alerting: app
    sli:
      latency: {histogram: http_request_duration_seconds, threshold: 0.5, selector: '{job="api"}'}
"""


def _load(text: str):
    return load_config_text(textwrap.dedent(text), filename="wall.yaml", base_dir="/nonexistent-base")


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        _load(text)
    return [str(p) for p in err.value.problems]


def test_slos_are_read_and_bound_to_their_panels():
    config = _load(BASE + GOOD)
    avail, fast = config.slos
    assert (avail.target, avail.window, avail.alerting, avail.name) == (
        pytest.approx(0.999), SloWindow.ROLLING_30D, SloAlerting.PROMETHEUS, "avail")
    assert fast.window is SloWindow.CALENDAR_MONTH and fast.alerting is SloAlerting.APP
    assert fast.sli.good == 'sum(rate(http_request_duration_seconds_bucket{job="api", le="0.5"}[{{window}}]))'
    assert fast.sli.total == 'sum(rate(http_request_duration_seconds_count{job="api"}[{{window}}]))'
    panels = config.dashboards[0].panels
    assert [p.slo for p in panels] == [avail, fast]
    assert all(p.kind == PanelKind.SLO and p.source == "prom" for p in panels)


def test_slo_panels_plan_hourly_buckets_under_the_point_limit():
    config = _load(BASE + GOOD)
    metrics = build_plans(config)["prom"].metrics
    assert [m.key for m in metrics] == [f"d/avail/{i}" for i in range(4)] + [f"d/other/{i}" for i in range(4)]
    good_range, _total_range, good_now, total_now = metrics[:4]
    assert good_range.expr == 'sum(rate(http_requests_total{status!~"5.."}[1h]))'
    assert (good_range.instant, good_range.window_s, good_range.max_points) == (False, 30 * 86400.0, 720)
    assert (good_now.instant, total_now.expr) == (True, "sum(rate(http_requests_total[1h]))")
    assert metrics[4].window_s == 31 * 86400.0 and metrics[4].max_points == 744  # a calendar month


def test_error_ratio_recording_rule_form():
    config = _load(BASE.replace("slo: fast", "slo: avail") + """\
  - id: avail
    source: prom
    target: 99.5
    window: 28d
    sli: {error_ratio: 'slo:sli_error:ratio_rate{{window}}{sloth_id="checkout"}'}
""")
    (slo,) = config.slos
    assert slo.sli.error_ratio and not slo.sli.good
    metrics = build_plans(config)["prom"].metrics
    assert [m.expr for m in metrics[:2]] == ['slo:sli_error:ratio_rate1h{sloth_id="checkout"}'] * 2


@pytest.mark.parametrize(("entry", "message"), [
    ("  - {id: avail, source: prom, target: 99.9, sli: {good: 'x', total: 'y'}}",
     "expected a PromQL template with the range written as {{window}}"),
    ("  - {id: avail, source: prom, target: 101, sli: {good: 'a[{{window}}]', total: 'b[{{window}}]'}}",
     "target"),
    ("  - {id: avail, source: prom, target: 9.9, sli: {good: 'a[{{window}}]', total: 'b[{{window}}]'}}",
     "expected a target in percent above 50"),
    ("  - {id: avail, source: am, target: 99.9, sli: {good: 'a[{{window}}]', total: 'b[{{window}}]'}}",
     "an SLO needs a source of kind prometheus or demo; 'am' is alertmanager"),
    ("  - {id: avail, source: prom, target: 99.9, window: 7d, sli: {good: 'a[{{window}}]', total: 'b[{{window}}]'}}",
     "window"),
    ("  - {id: avail, source: prom, target: 99.9, sli: {good: 'a[{{window}}]'}}",
     "missing required key 'total'"),
    (("  - {id: avail, source: prom, target: 99.9, sli: {good: 'a[{{window}}]', total: 'b[{{window}}]', "
     "error_ratio: 'c[{{window}}]'}}"), "expected exactly one of good/total, error_ratio or latency"),
    ("  - {id: avail, source: prom, target: 99.9, sli: {latency: {histogram: 'bad name', threshold: 0.5}}}",
     "expected a histogram metric name"),
    (("  - {id: avail, source: prom, target: 99.9, alerting: both, sli: {good: 'a[{{window}}]', "
     "total: 'b[{{window}}]'}}"), "alerting"),
])
def test_bad_slo_entries_are_reported_precisely(entry, message):
    problems = _problems(BASE.replace("slo: fast", "slo: avail") + entry + "\n")
    assert any(message in p for p in problems), problems
    assert all(p.startswith("wall.yaml:") for p in problems)


def test_a_panel_naming_an_unknown_slo_is_reported():
    problems = _problems(BASE + GOOD.replace("id: fast", "id: quick"))
    assert any("unknown slo 'fast'" in p and "dashboards[0].panels[1].slo" in p for p in problems), problems


def test_slo_key_only_on_slo_panels():
    text = BASE + GOOD
    text = text.replace("{id: avail, kind: slo, title: Availability}",
                        "{id: avail, kind: slo, title: Availability}\n"
                        "      - {id: t, kind: text, title: T, text: x, slo: avail}")
    assert any("key 'slo' only applies to kind slo" in p for p in _problems(text))


def test_demo_and_ecommerce_declare_the_seeds_three_slos():
    ecommerce = Path(__file__).resolve().parents[2] / "config" / "ecommerce.yaml"
    for config in (load_builtin("demo"), load_config(ecommerce)):
        targets = {s.id: (s.target, s.window) for s in config.slos}
        assert targets == {
            "availability_slo": (pytest.approx(0.999), SloWindow.ROLLING_30D),
            "latency_slo": (pytest.approx(0.95), SloWindow.ROLLING_30D),
            "error_rate_slo": (pytest.approx(0.99), SloWindow.ROLLING_30D),
        }
        panels = [p for d in config.dashboards for p in d.panels if p.kind == PanelKind.SLO]
        assert {p.slo.id for p in panels if p.slo} == set(targets)


def test_a_whole_number_latency_threshold_matches_both_le_spellings():
    from noc_app.config.slo_section import latency_sli

    assert latency_sli("h_seconds", 1.0).good == 'sum(rate(h_seconds_bucket{le=~"1|1\\\\.0"}[{{window}}]))'
    assert latency_sli("h_seconds", 0.25).good == 'sum(rate(h_seconds_bucket{le="0.25"}[{{window}}]))'
