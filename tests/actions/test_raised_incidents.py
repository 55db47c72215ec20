"""Incidents the app raises: the alert payload, its refresh rule, and posting to every peer."""

from __future__ import annotations

import json

import httpx
import pytest
from action_helpers import FakeClock

from noc_app.actions.backends.alertmanager_alerts import AlertmanagerAlertSink
from noc_app.actions.errors import BackendRejected, InvalidRequest, Retryable
from noc_app.actions.raised import (
    RaisedIncident,
    alert_payload,
    refresh_due,
    resolved_payload,
)
from noc_app.config.schema import SourceConfig
from noc_app.sources.http import make_client

NOW = 1_800_000_000.0


def incident(**overrides: object) -> RaisedIncident:
    fields: dict[str, object] = {"name": "SLOBurnRateFast", "severity": "critical",
                                 "labels": {"slo": "checkout-availability", "generator": "someone-else"},
                                 "summary": "2% of the monthly error budget in one hour", "starts_at": NOW - 120}
    fields.update(overrides)
    return RaisedIncident(**fields)  # type: ignore[arg-type]


def test_payload_carries_the_generator_label_and_an_end_in_the_future():
    body = alert_payload(incident(), now=NOW, ttl_s=300)
    assert body["labels"] == {"slo": "checkout-availability", "alertname": "SLOBurnRateFast",
                              "severity": "critical", "generator": "noc-app"}
    assert body["annotations"] == {"summary": "2% of the monthly error budget in one hour"}
    assert body["startsAt"] == "2027-01-15T07:58:00.000Z"
    assert body["endsAt"] == "2027-01-15T08:05:00.000Z"


def test_resolved_payload_ends_now_and_starts_before():
    body = resolved_payload(incident(starts_at=0.0), now=NOW)
    assert body["endsAt"] == "2027-01-15T08:00:00.000Z"
    assert body["startsAt"] == "2027-01-15T07:59:59.000Z"


@pytest.mark.parametrize(("last", "now", "due"), [(None, NOW, True), (NOW, NOW + 99, False), (NOW, NOW + 100, True)])
def test_refresh_is_due_after_a_third_of_the_ttl(last, now, due):
    assert refresh_due(last, now=now, ttl_s=300) is due


@pytest.mark.parametrize(
    "overrides", [{"name": " "}, {"labels": {"bad-name": "x"}}, {"labels": {"x": "v" * 2000}},
                  {"labels": {f"l{i}": "v" for i in range(40)}}])
def test_bad_incidents_are_refused(overrides):
    with pytest.raises(InvalidRequest):
        incident(**overrides)


def sink(handler, urls=("http://am-a:9093", "http://am-b:9093")) -> AlertmanagerAlertSink:
    config = SourceConfig(id="am", kind="alertmanager", url=urls[0], urls=tuple(urls[1:]))
    return AlertmanagerAlertSink(
        config, clock=FakeClock(NOW),
        client_factory=lambda cfg, peer: make_client(cfg, base_url=peer, transport=httpx.MockTransport(handler)))


def test_every_peer_gets_every_alert_and_one_peer_down_is_fine():
    posted: dict[str, list] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "am-b":
            raise httpx.ConnectError("connection refused", request=request)
        posted[request.url.host] = json.loads(request.content)
        return httpx.Response(200)

    sink(handler).publish([incident()], [incident(name="OldBurn")])
    (body,) = posted.values()
    assert [a["labels"]["alertname"] for a in body] == ["SLOBurnRateFast", "OldBurn"]


def test_no_peer_taking_the_alerts_raises_the_mapped_error():
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(Retryable, match="am-a.*am-b"):
        sink(down).publish([incident()])
    with pytest.raises(BackendRejected, match="HTTP 400"):
        sink(lambda r: httpx.Response(400, json="bad alert")).publish([incident()])
