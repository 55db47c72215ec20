"""Burn-rate maths and the exported Prometheus rules (noc_app.slo.burn_alerts, rules)."""

from __future__ import annotations

import pytest
import yaml

from noc_app.config.schema import SliConfig, SloAlerting, SloConfig
from noc_app.slo.burn_alerts import HOUR, MINUTE, WORKBOOK_WINDOWS, Urgency, firing, worst_urgency
from noc_app.slo.promql import prom_duration
from noc_app.slo.rules import rules_document, rules_yaml

SLI = SliConfig(good='sum(rate(http_requests_total{status!~"5.."}[{{window}}]))',
                total="sum(rate(http_requests_total[{{window}}]))")
AVAIL = SloConfig(id="availability", name="Availability", source="prom", sli=SLI, target=0.999,
                  labels={"service": "shop"})


@pytest.mark.parametrize(("seconds", "text"), [
    (300, "5m"), (1800, "30m"), (3600, "1h"), (21600, "6h"), (259200, "3d"), (2.5, "2500ms"), (90, "90s"),
])
def test_prom_duration(seconds, text):
    assert prom_duration(seconds) == text


def _ratios(**by_window):
    names = {"m5": 5 * MINUTE, "m30": 30 * MINUTE, "h1": HOUR, "h6": 6 * HOUR, "d3": 72 * HOUR}
    return {names[k]: v for k, v in by_window.items()}


@pytest.mark.parametrize(("ratios", "expected"), [
    # 14.4 x 0.1 % = 1.44 %: both 1 h and 5 m above -> page
    (_ratios(h1=0.015, m5=0.02, h6=0.0, m30=0.0, d3=0.0), [(3600.0, Urgency.PAGE)]),
    # the long window above but the short one recovered: nothing (the workbook's reset)
    (_ratios(h1=0.015, m5=0.001, h6=0.0, m30=0.0, d3=0.0), []),
    # exactly on the threshold is not above it
    (_ratios(h1=0.0144, m5=0.0144, h6=0.0, m30=0.0, d3=0.0), []),
    # 6 x 0.1 % over 6 h and 30 m -> page
    (_ratios(h1=0.007, m5=0.007, h6=0.0061, m30=0.0065, d3=0.0), [(21600.0, Urgency.PAGE)]),
    # 1 x over 3 d and 6 h -> ticket
    (_ratios(h1=0.0011, m5=0.0011, h6=0.0011, m30=0.0011, d3=0.0011), [(259200.0, Urgency.TICKET)]),
    # no data for the short window: never fires
    (_ratios(h1=0.5, m5=None, h6=0.0, m30=0.0, d3=0.0), []),
])
def test_multiwindow_firing(ratios, expected):
    got = firing(AVAIL, ratios)
    assert [(w.long_s, w.urgency) for w in got] == expected


def test_worst_urgency():
    page, _, ticket = WORKBOOK_WINDOWS
    assert worst_urgency((ticket, page)) is Urgency.PAGE
    assert worst_urgency((ticket,)) is Urgency.TICKET and worst_urgency(()) is None


def test_rules_record_each_window_and_alert_per_workbook_row():
    (group,) = rules_document([AVAIL])["groups"]
    records = [r for r in group["rules"] if "record" in r]
    alerts = [r for r in group["rules"] if "alert" in r]
    assert [r["record"] for r in records] == [f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "6h", "3d")]
    assert records[0]["expr"] == ('1 - ((sum(rate(http_requests_total{status!~"5.."}[5m]))) / '
                                  "(sum(rate(http_requests_total[5m]))))")
    assert records[0]["labels"] == {"service": "shop", "slo": "availability"}
    assert [a["expr"] for a in alerts] == [
        ('slo:sli_error:ratio_rate1h{slo="availability"} > 0.0144 and '
        'slo:sli_error:ratio_rate5m{slo="availability"} > 0.0144'),
        ('slo:sli_error:ratio_rate6h{slo="availability"} > 0.006 and '
        'slo:sli_error:ratio_rate30m{slo="availability"} > 0.006'),
        ('slo:sli_error:ratio_rate3d{slo="availability"} > 0.001 and '
        'slo:sli_error:ratio_rate6h{slo="availability"} > 0.001'),
    ]
    assert [(a["labels"]["severity"], a["labels"]["urgency"]) for a in alerts] == [
        ("critical", "page"), ("critical", "page"), ("warning", "ticket")]


def test_app_evaluated_slos_get_no_prometheus_alerts():
    from dataclasses import replace

    app = replace(AVAIL, id="app_one", alerting=SloAlerting.APP)
    groups = yaml.safe_load(rules_yaml([AVAIL, app]))["groups"]
    assert [sum("alert" in r for r in g["rules"]) for g in groups] == [3, 0]
    assert all("record" in r for r in groups[1]["rules"])  # recording rules still help the panel
