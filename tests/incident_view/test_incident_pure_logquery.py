"""Log queries built from an incident's labels, per log source kind, with hostile label values."""

from __future__ import annotations

import shlex

import pytest

from noc_app.config.schema import SourceConfig
from noc_app.incident_logquery import (
    elasticsearch_query,
    incident_log_queries,
    journald_query,
    log_query,
    loki_query,
    loki_string,
)
from noc_app.sources.journald import parse_matches

CHECKOUT = {"alertname": "HighErrorRate", "service": "checkout", "instance": "web-1:9100", "namespace": "shop"}


@pytest.mark.parametrize(("kind", "expected"), [
    ("loki", '{service="checkout", namespace="shop"} |~ "(?i)(error|fail|exception|fatal|panic)"'),
    ("elasticsearch",
     'service:"checkout" AND namespace:"shop" AND (level:error OR level:fatal OR level:critical)'),
    ("journald", "SYSLOG_IDENTIFIER=checkout PRIORITY=0 PRIORITY=1 PRIORITY=2 PRIORITY=3"),
    ("prometheus", None),
])
def test_log_query_per_kind(kind, expected):
    assert log_query(kind, CHECKOUT) == expected


@pytest.mark.parametrize(("value", "loki"), [
    ('check"out', r'{service="check\"out"}'),
    ("back\\slash", r'{service="back\\slash"}'),
    ("a.*b+(c)|[d]^$", '{service="a.*b+(c)|[d]^$"}'),  # `=` is exact: metacharacters stay literal
    ('x"} |= "" or {job=~".+', r'{service="x\"} |= \"\" or {job=~\".+"}'),
    ("line\nbreak", r'{service="line\nbreak"}'),
])
def test_loki_escapes_label_values(value, loki):
    assert loki_query({"service": value}) == loki + ' |~ "(?i)(error|fail|exception|fatal|panic)"'


def test_loki_string_round_trips_through_the_link_parser():
    from noc_app.incident_links import _unquote  # the same string syntax, read back

    for value in ['a"b', "c\\d", "e\\\"f", "(?i).*"]:
        assert _unquote(loki_string(value)[1:-1]) == value


@pytest.mark.parametrize(("value", "phrase"), [
    ('check"out', r'service:"check\"out"'),
    ("back\\slash", r'service:"back\\slash"'),
    ("a* AND b:(c)", 'service:"a* AND b:(c)"'),  # inside a phrase operators are words
])
def test_elasticsearch_escapes_label_values(value, phrase):
    assert elasticsearch_query({"service": value}).startswith(phrase + " AND (")


def test_elasticsearch_escapes_reserved_characters_in_field_names():
    assert elasticsearch_query({"host": "h"}) == 'host:"h" AND (level:error OR level:fatal OR level:critical)'
    from noc_app.incident_logquery import es_field
    assert es_field("k8s/app:name") == r"k8s\/app\:name"


@pytest.mark.parametrize("value", ["check out", "it's", 'a"b', "$(rm -rf /)", "x=y", "*"])
def test_journald_values_survive_the_sources_own_parser(value):
    query = journald_query({"service": value})
    assert parse_matches(query)[0] == ("SYSLOG_IDENTIFIER", value)
    assert shlex.split(query)[0] == f"SYSLOG_IDENTIFIER={value}"


def test_journald_maps_unit_and_uses_one_value_per_field():
    query = journald_query({"unit": "nginx.service", "service": "web", "app": "other"})
    assert parse_matches(query)[:2] == [("SYSLOG_IDENTIFIER", "web"), ("_SYSTEMD_UNIT", "nginx.service")]


@pytest.mark.parametrize("kind", ["loki", "elasticsearch", "journald"])
def test_no_selecting_label_no_query(kind):
    assert log_query(kind, {"alertname": "X", "severity": "critical"}) is None


def test_incident_log_queries_one_per_configured_log_source():
    sources = (SourceConfig(id="prom", kind="prometheus", url="http://p"),
               SourceConfig(id="logs", kind="loki", url="http://l"),
               SourceConfig(id="es", kind="elasticsearch", url="http://e"),
               SourceConfig(id="j", kind="journald", url="http://j"))
    found = incident_log_queries(CHECKOUT, sources)
    assert [(sid, kind) for sid, kind, _ in found] == [("logs", "loki"), ("es", "elasticsearch"), ("j", "journald")]
