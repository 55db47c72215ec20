"""Contract tests: OpsgenieSource and its parser against recorded Opsgenie Alert API payloads."""

from __future__ import annotations

import copy

import pytest

from noc_app.config.schema import AuthConfig, SecretRef
from noc_app.model import AlertState, Severity
from noc_app.sources.base import AuthFailed, PollPlan, RateLimited, Source
from noc_app.sources.opsgenie import OpsgenieSource
from noc_app.sources.opsgenie_parse import (
    note_request_ids,
    parse_accepted,
    parse_alert_page,
    parse_request_status,
    to_alert,
)
from noc_app.sources.registry import create_source

from .conftest import Backend, fixture_bytes, fixture_json, json_response, source_config

OG = "opsgenie"
URL = "https://api.eu.opsgenie.com"
KEY_ENV = "NOC_TEST_OPSGENIE_KEY"
KEY = "0b7f1c2e-4d5a-4f6e-9a8b-7c6d5e4f3a2b"
LISTED = "b7da6303-0da4-43e2-8e21-9e22faedc594-1637756080926"  # the alert of the recorded list


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)


def make_source(backend: Backend, **options: object) -> OpsgenieSource:
    cfg = source_config(OG, URL, id="og", auth=AuthConfig(bearer=SecretRef(env=KEY_ENV)), options=options)
    return OpsgenieSource(cfg, PollPlan(alerts=True), transport=backend.transport, clock=lambda: 1_700_000_000.0)


def recorded_alert() -> dict:
    page = fixture_json(OG, "list_alerts_200.xsoar_testdata.json")
    assert isinstance(page, dict)
    return copy.deepcopy(page["data"][0])


def page_of(alerts: list[dict], *, more: bool) -> dict:
    paging = {"first": f"{URL}/v2/alerts?offset=0"}
    if more:
        paging["next"] = f"{URL}/v2/alerts?offset=999"
    return {"data": alerts, "paging": paging, "took": 0.01, "requestId": "r"}


# -- the parser -----------------------------------------------------------------------


def test_recorded_list_page_maps_onto_an_alert():
    dropped: list[str] = []
    page = parse_alert_page(fixture_json(OG, "list_alerts_200.xsoar_testdata.json"), source_id="og",
                            what="list", dropped=dropped)
    assert dropped == [] and page.size == 1 and page.has_next
    (alert,) = page.alerts
    assert alert.fingerprint == LISTED and alert.dedup_key == LISTED
    assert alert.name == "1234"
    assert alert.severity is Severity.WARNING  # P3 (Moderate)
    assert alert.state is AlertState.FIRING
    assert alert.acknowledged_by == "" and alert.oncall == ""
    assert dict(alert.labels) == {"alias": LISTED, "priority": "P3", "source": "192.168.x.x",
                                  "tiny_id": "163", "integration": "API"}
    assert alert.starts_at == pytest.approx(1637756080.926)


@pytest.mark.parametrize(("priority", "severity"), [
    ("P1", Severity.CRITICAL), ("P2", Severity.HIGH), ("P3", Severity.WARNING), ("P4", Severity.INFO),
    ("P5", Severity.INFO), ("p1", Severity.CRITICAL), ("", Severity.UNKNOWN), ("P9", Severity.UNKNOWN),
])
def test_priority_maps_to_severity(priority, severity):
    item = recorded_alert() | {"priority": priority}
    assert to_alert(item, source_id="og").severity is severity


def test_states_acknowledged_snoozed_closed():
    acked = recorded_alert() | {"acknowledged": True, "owner": "kim@example.com",
                                "report": {"ackTime": 15000, "acknowledgedBy": "kim"}}
    alert = to_alert(acked, source_id="og")
    assert alert.state is AlertState.ACKNOWLEDGED
    assert alert.acknowledged_by == "kim" and alert.oncall == "kim@example.com"
    owner_only = to_alert(recorded_alert() | {"acknowledged": True, "owner": "lee"}, source_id="og")
    assert owner_only.acknowledged_by == "lee"
    snoozed = to_alert(recorded_alert() | {"snoozed": True, "snoozedUntil": "2021-11-24T13:00:00Z"},
                       source_id="og")
    assert snoozed.state is AlertState.SILENCED
    assert snoozed.mute_reason == "snoozed until 2021-11-24 13:00 UTC"
    closed = to_alert(recorded_alert() | {"status": "closed", "acknowledged": True,
                                          "report": {"closeTime": 60000}}, source_id="og")
    assert closed.state is AlertState.RESOLVED and closed.acknowledged_by == ""
    assert closed.ends_at == pytest.approx(1637756080.926 + 60)


def test_tags_join_into_one_label_and_teams_are_named():
    item = recorded_alert() | {"tags": ["prod", "db", "env:eu west", "db"],
                               "teams": [{"id": "t-1"}, {"id": "t-2", "name": "payments"}]}
    labels = to_alert(item, source_id="og").labels
    assert labels["tags"] == "db,env:eu west,prod"
    assert labels["teams"] == "t-1,payments"
    assert not any(name.startswith("tag_") for name in labels)


def test_one_bad_record_is_dropped_with_its_reason_not_the_page():
    good = recorded_alert()
    payload = page_of([good, {"message": "no id"}, "nonsense", good | {"id": "x", "tags": {"a": 1}}],
                      more=False)
    dropped: list[str] = []
    page = parse_alert_page(payload, source_id="og", what="list", dropped=dropped)
    assert [a.fingerprint for a in page.alerts] == [LISTED]
    assert page.size == 4
    assert dropped == ["no id", "alert is a str", "tags is an object with keys [a]"]


def test_request_status_success_and_failure_from_recordings():
    for name in ("get_request_status_200.doc.json", "get_request_status_200.xsoar_testdata.json"):
        status = parse_request_status(fixture_json(OG, name))
        assert status.is_success and status.status == "Created alert"
    failed = parse_request_status(fixture_json(OG, "get_request_status_failed_ack.doc.json"))
    assert not failed.is_success
    assert (failed.status, failed.action) == ("Alert does not exist", "Acknowledge")


def test_accepted_answer_gives_the_request_id():
    assert parse_accepted(fixture_json(OG, "request_accepted_202.xsoar_testdata.json")) == (
        "3b078fd5-37d1-472e-823b-9f95b17aba8f"
    )


def test_note_tags_are_found():
    rid = "0123456789abcdef0123456789abcdef"
    payload = {"data": [{"note": f"on it [noc-app request {rid}]", "owner": "kim"}, {"note": "plain"}]}
    assert note_request_ids(payload) == {rid}


# -- the adapter ------------------------------------------------------------------------


def test_registry_builds_an_opsgenie_source_and_it_sends_genie_key(backend):
    backend.route("/v2/alerts", fixture_bytes(OG, "list_alerts_200.xsoar_testdata.json").replace(
        b'"next"', b'"nextX"'))  # one page only
    cfg = source_config(OG, URL, id="og", auth=AuthConfig(bearer=SecretRef(env=KEY_ENV)))
    source = create_source(cfg, PollPlan(alerts=True), transport=backend.transport)
    assert isinstance(source, Source) and isinstance(source, OpsgenieSource)
    snapshot = source.poll()
    (request,) = backend.requests
    assert request.headers["authorization"] == f"GenieKey {KEY}"
    assert request.url.host == "api.eu.opsgenie.com"  # the EU instance is just the url
    assert request.url.params["query"] == "status:open"
    assert [a.fingerprint for a in snapshot.alerts or ()] == [LISTED]


def test_pages_are_followed_by_offset_and_never_to_the_next_url(backend):
    alerts = [recorded_alert() | {"id": f"a{i}"} for i in range(5)]
    pages = {"0": page_of(alerts[:2], more=True), "2": page_of(alerts[2:4], more=True),
             "4": page_of(alerts[4:], more=False)}
    backend.route("/v2/alerts", lambda r: json_response(pages[r.url.params["offset"]]))
    snapshot = make_source(backend, page_size=2).poll()
    assert [r.url.params["offset"] for r in backend.requests] == ["0", "2", "4"]
    assert all(r.url.params["limit"] == "2" for r in backend.requests)
    assert sorted(a.fingerprint for a in snapshot.alerts or ()) == [f"a{i}" for i in range(5)]
    assert "alerts" not in snapshot.notes and "cut" not in snapshot.info


def test_a_list_cut_by_max_pages_is_said(backend):
    backend.route("/v2/alerts", lambda r: json_response(
        page_of([recorded_alert() | {"id": f"p{r.url.params['offset']}"}], more=True)))
    snapshot = make_source(backend, page_size=1, max_pages=3).poll()
    assert len(backend.requests) == 3 and len(snapshot.alerts or ()) == 3
    (note,) = snapshot.notes["alerts"]
    assert note.startswith("list cut at 3 alerts (3 pages of 1)") and "options.max_pages" in note
    assert snapshot.info["cut"] == "list cut at 3 alerts (3 pages of 1)"


def test_query_option_is_sent(backend):
    backend.route("/v2/alerts", json_response(page_of([], more=False)))
    snapshot = make_source(backend, query="status:open AND priority:P1").poll()
    assert backend.requests[0].url.params["query"] == "status:open AND priority:P1"
    assert snapshot.alerts == ()


def test_429_is_rate_limited_with_the_period(backend):
    backend.route("/v2/alerts", json_response(fixture_bytes(OG, "error_429.go_sdk_test.json"), 429,
                                              **{"X-RateLimit-State": "THROTTLED",
                                                 "X-RateLimit-Period-In-Sec": "60"}))
    with pytest.raises(RateLimited) as raised:
        make_source(backend).poll()
    assert raised.value.retry_after == 60.0
    assert "TooManyRequests" in str(raised.value)


def test_unusable_body_is_a_section_error_not_a_dead_source(backend):
    backend.route("/v2/alerts", json_response({"data": "nope"}))
    snapshot = make_source(backend).poll()
    assert snapshot.alerts is None
    assert "expected an object with a 'data' list" in snapshot.errors["alerts"]
    assert snapshot.degraded


def test_missing_key_is_auth_failed_saying_what_to_write(backend, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(AuthFailed, match=KEY_ENV):
        make_source(backend).poll()
    cfg = source_config(OG, URL, id="og-eu")
    with pytest.raises(AuthFailed, match="bearer_token_env: NOC_OG_EU_API_KEY"):
        OpsgenieSource(cfg, PollPlan(alerts=True), transport=backend.transport).poll()
    assert backend.requests == []


def test_401_echoing_the_key_never_shows_it(backend):
    backend.route("/v2/alerts", lambda r: json_response(
        {"message": f"Key {r.headers['authorization']} is invalid"}, 401))
    with pytest.raises(AuthFailed) as raised:
        make_source(backend).poll()
    from noc_app.redaction import redact

    assert KEY not in redact(str(raised.value))


def test_bad_option_is_refused_with_its_path(backend):
    with pytest.raises(ValueError, match=r"sources\[og\]\.options\.page_size"):
        make_source(backend, page_size=500)
