"""Linked panels and incident links: pure tables."""

from __future__ import annotations

import pytest

from noc_app.config.schema import DashboardConfig, PanelConfig, QueryConfig
from noc_app.incident_links import incident_urls, linked_panels, openable_url
from noc_app.model import Alert, AlertState, Severity


def _panel(pid: str, *exprs: str, legend: str = "") -> PanelConfig:
    return PanelConfig(id=pid, kind="timeseries", title=pid.upper(), source="prom",
                       queries=tuple(QueryConfig(expr=e, legend=legend) for e in exprs))


DASH = DashboardConfig(id="shop", title="Shop", variables={"svc": "checkout"}, panels=(
    _panel("rps", 'sum(rate(http_requests_total{service="checkout"}[5m]))'),
    _panel("cpu", 'rate(cpu{service="checkout", instance="web-1:9100"}[1m])'),
    _panel("other", 'rate(cpu{service="cart"}[1m])'),
    _panel("regex", 'up{instance=~"web-.*"}'),
    _panel("negative", 'up{service!="checkout"}'),
    _panel("var", 'errors{service="$svc"}'),
    _panel("legend", "sum by (service) (rate(errors[5m]))", legend="{{service}} checkout errors"),
    _panel("alertname_only", 'ALERTS{alertname="HighErrorRate", severity="critical"}'),
    _panel("logs", '{service="checkout"} |= "error"'),
))
LABELS = {"alertname": "HighErrorRate", "severity": "critical", "service": "checkout", "instance": "web-1:9100"}


def test_linked_panels_rank_by_labels_matched_then_config_order():
    found = linked_panels(LABELS, [DASH])
    assert [p.panel_id for p in found] == ["cpu", "rps", "regex", "var", "legend", "logs"]
    assert found[0].matched == ('instance="web-1:9100"', 'service="checkout"')
    assert found[0].dashboard_id == "shop" and found[0].score == 2


@pytest.mark.parametrize(("labels", "expected"), [
    ({"alertname": "HighErrorRate", "severity": "critical"}, []),  # kind-of-alert labels link nothing
    ({"service": "cart"}, ["other"]),
    ({"instance": "db-1"}, []),  # the regex web-.* does not accept it
    ({"service": 'check"out'}, []),
    ({}, []),
])
def test_linked_panels_table(labels, expected):
    assert [p.panel_id for p in linked_panels(labels, [DASH])] == expected


def test_linked_panels_escaped_quotes_in_selectors_are_unquoted():
    dash = DashboardConfig(id="d", title="D", panels=(_panel("q", r'up{job="a\"b"}'),))
    assert [p.panel_id for p in linked_panels({"job": 'a"b'}, [dash])] == ["q"]


def test_linked_panels_limit():
    assert len(linked_panels(LABELS, [DASH], limit=2)) == 2


@pytest.mark.parametrize(("text", "url"), [
    ("https://runbooks.example/checkout", "https://runbooks.example/checkout"),
    ("  http://grafana:3000/d/abc?var-service=checkout ", "http://grafana:3000/d/abc?var-service=checkout"),
    ("HTTPS://EXAMPLE.org/x", "HTTPS://EXAMPLE.org/x"),
    ("file:///etc/passwd", None),
    ("javascript:alert(1)", None),
    ("ftp://example.org/", None),
    ("https://", None),
    ("see https://example.org", None),
    ("https://exa mple.org", None),
    ("smb://host/share", None),
    ("", None),
])
def test_openable_url_only_http_and_https(text, url):
    assert openable_url(text) == url


def test_incident_urls_runbook_first_then_annotations_then_labels():
    alert = Alert(fingerprint="f", source_id="am", name="HighErrorRate", severity=Severity.CRITICAL,
                  state=AlertState.FIRING,
                  labels={"service": "checkout", "team_page": "https://team.example/shop"},
                  annotations={"dashboard": "https://grafana.example/d/1", "runbook_url": "https://rb.example/1",
                               "summary": "errors high", "evil": "file:///etc/shadow"},
                  url="http://am:9093/#/alerts")
    assert incident_urls(alert) == (
        ("runbook_url", "https://rb.example/1"), ("dashboard", "https://grafana.example/d/1"),
        ("team_page", "https://team.example/shop"), ("source", "http://am:9093/#/alerts"),
    )
