"""Contract tests: AlertmanagerSource and silences against recorded Alertmanager v2 payloads."""

from __future__ import annotations

import json

import httpx
import pytest

from noc_app.model import AlertState, Severity
from noc_app.sources.alertmanager import AlertmanagerSource
from noc_app.sources.alertmanager_parse import (
    SilenceMatcher,
    human_duration,
    merge_alerts,
    merge_silences,
    parse_alert_groups,
    parse_alert_list,
    parse_silences,
    parse_status,
    to_alerts,
)
from noc_app.sources.base import PollPlan, Source, Unreachable
from noc_app.sources.prometheus_parse import labels_fingerprint, parse_rfc3339
from noc_app.sources.registry import create_source
from noc_app.sources.silences import get_silence, iso_time, list_silences

from .conftest import Backend, fixture_bytes, fixture_json, source_config

AM = "alertmanager"
PEER1 = "http://am1.test:9093"
PEER2 = "http://am2.test:9093"
NOW_V25 = parse_rfc3339("2026-11-28T02:33:00Z")  # just after the 0.25.0 captures
NOW_V31 = parse_rfc3339("2026-03-11T13:00:00Z")  # just after karma's 0.31.0 recording


def serve_peer(
    backend: Backend, host: str, alerts: str | bytes, *, silences: str = "get_silences.am_v0.25.0.json"
) -> None:
    body = alerts if isinstance(alerts, bytes) else fixture_bytes(AM, alerts)
    backend.route("/api/v2/alerts", body, host=host)
    backend.route("/api/v2/silences", fixture_bytes(AM, silences), host=host)
    backend.route("/api/v2/status", fixture_bytes(AM, "get_status_cluster.am_v0.25.0.json"), host=host)


def make_source(backend: Backend, *urls: str, now: float = NOW_V25, **config) -> AlertmanagerSource:
    first, *rest = urls or (PEER1,)
    cfg = source_config(AM, first, urls=tuple(rest), **config)
    return AlertmanagerSource(cfg, PollPlan(alerts=True), transport=backend.transport, clock=lambda: now)


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


# -- parsing the 0.31.0 recording ------------------------------------------------


def test_v031_groups_parse_and_dedupe_to_distinct_alerts():
    raw = parse_alert_groups(fixture_json(AM, "get_alert_groups.am_v0.31.0.json"))
    assert len(raw) == 24  # every alert appears under both receivers
    merged = merge_alerts([raw])
    assert len(merged) == 12
    # Alertmanager's fingerprint is the FNV-1a hash of the label set: we compute the same.
    assert all(labels_fingerprint(a.labels) == a.fingerprint for a in merged)


def test_v031_silenced_alerts_keep_lineage():
    raw = merge_alerts([parse_alert_groups(fixture_json(AM, "get_alert_groups.am_v0.31.0.json"))])
    silences = merge_silences([parse_silences(fixture_json(AM, "get_silences.am_v0.31.0.json"))])
    alerts = {a.fingerprint: a for a in to_alerts(raw, silences, source_id="am", now=NOW_V31)}

    silenced = sorted(fp for fp, a in alerts.items() if a.state is AlertState.SILENCED)
    assert silenced == ["54c2f185e49cfccb", "588a14f7b4613621", "cc58f2ac8260fb97", "ffbb5f178eb27f11"]
    web1 = alerts["54c2f185e49cfccb"]
    assert web1.silenced_by == ("810ccf7f-c957-474a-b383-7e76d66a4d3b",)
    # Who and why first, the expiry after; never the silence's id.
    assert web1.mute_reason.startswith("silenced by john@example.com: Silenced instance (expires in ")
    assert "810ccf7f" not in web1.mute_reason
    # Two silences on one alert: both are named.
    both = alerts["cc58f2ac8260fb97"].mute_reason
    assert both.count("silenced by ") == 2 and "Silenced server7" in both and "dev cluster" in both
    firing = alerts["aae7a1432b5d2f1b"]
    assert (firing.state, firing.mute_reason) == (AlertState.FIRING, "")
    assert firing.name == "Free_Disk_Space_Too_Low"
    assert firing.url == "http://localhost/prometheus"
    assert firing.starts_at == pytest.approx(parse_rfc3339("2026-03-11T12:48:38.413Z"))
    assert alerts["54c2f185e49cfccb"].summary == "Example summary"


def test_v031_silences_parse():
    first, second, _ = parse_silences(fixture_json(AM, "get_silences.am_v0.31.0.json"))
    assert first.id == "810ccf7f-c957-474a-b383-7e76d66a4d3b"
    assert first.state == "active" and first.created_by == "john@example.com"
    assert first.matchers == (SilenceMatcher(name="instance", value="web1"),)
    assert first.ends_at == parse_rfc3339("2063-01-01T00:00:00Z")
    assert [m.text for m in second.matchers] == ['alertname="Host_Down"', 'cluster="dev"']


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("get_status.am_v0.26.0.json", {"version": "0.26.0", "cluster": "ready (1 peer)"}),
        ("get_status_cluster.am_v0.25.0.json", {"version": "0.25.0", "cluster": "ready (2 peers)"}),
    ],
)
def test_status_parse(fixture, expected):
    assert parse_status(fixture_json(AM, fixture)) == expected


# -- the adapter against the real two-peer cluster -------------------------------


def test_two_peers_merge_with_lineage_and_info(backend):
    serve_peer(backend, "am1.test", "get_alerts_peer1.am_v0.25.0.json")
    serve_peer(backend, "am2.test", "get_alerts_peer2.am_v0.25.0.json")
    snap = make_source(backend, PEER1, PEER2).poll()

    by_name = {a.name: a for a in snap.alerts}
    # Peer 1 alone holds CheckoutLatencyHigh; the shared five appear once.
    assert sorted(by_name) == [
        "CertExpiring", "CheckoutLatencyHigh", "DiskFilling", "HighErrorRate", "TargetDown", "Watchdog",
    ]  # fmt: skip
    cert = by_name["CertExpiring"]
    assert cert.state is AlertState.SILENCED
    assert cert.silenced_by == ("78ce736a-3897-4c7a-a462-fffe208866da",)
    assert cert.mute_reason == (
        "silenced by alice: renewal scheduled tonight [noc-app request 7f9c2e] (expires in 58m)"
    )
    disk = by_name["DiskFilling"]
    assert disk.state is AlertState.INHIBITED
    assert disk.inhibited_by == ("165f69b496fd0767",)
    assert disk.mute_reason == "inhibited by 165f69b496fd0767 (TargetDown)"
    assert (disk.severity, disk.summary, disk.description) == (
        Severity.WARNING, "Disk /var is 91% full", "Predicted to fill within 4h.",
    )  # fmt: skip
    assert disk.url == "http://127.0.0.1:60649/graph?g0.expr=disk"
    down = by_name["TargetDown"]
    assert (down.state, down.severity, down.mute_reason) == (AlertState.FIRING, Severity.CRITICAL, "")
    assert snap.alerts[0].severity is Severity.CRITICAL  # most severe first
    assert snap.info == {"version": "0.25.0", "cluster": "ready (2 peers)", "reachable": "2/2 peers"}
    assert snap.degraded == ()

    alert_requests = [r for r in backend.requests if r.url.path == "/api/v2/alerts"]
    assert [r.url.host for r in alert_requests] == ["am1.test", "am2.test"]
    for request in alert_requests:  # muted alerts are asked for explicitly
        assert {k: request.url.params[k] for k in ("active", "silenced", "inhibited", "unprocessed")} == {
            "active": "true", "silenced": "true", "inhibited": "true", "unprocessed": "true",
        }  # fmt: skip
    status_hosts = [r.url.host for r in backend.requests if r.url.path == "/api/v2/status"]
    assert status_hosts == ["am1.test"]


def test_ha_dedupe_keeps_the_most_recently_updated_copy():
    peer1 = fixture_json(AM, "get_alerts_peer1.am_v0.25.0.json")
    peer2 = fixture_json(AM, "get_alerts_peer2.am_v0.25.0.json")
    # Derived from the recording: peer 2 heard later that the silence no longer applies.
    cert2 = next(a for a in peer2 if a["labels"]["alertname"] == "CertExpiring")
    cert2["status"] = {"inhibitedBy": [], "silencedBy": [], "state": "active"}
    cert2["updatedAt"] = "2026-11-28T02:40:00.000Z"
    merged = merge_alerts([parse_alert_list(peer1), parse_alert_list(peer2)])
    assert len(merged) == 6
    cert = next(a for a in merged if a.labels["alertname"] == "CertExpiring")
    assert cert.state == "active"
    # And the other way round: the stale copy never overrides the newer one.
    merged = merge_alerts([parse_alert_list(peer2), parse_alert_list(peer1)])
    assert next(a for a in merged if a.labels["alertname"] == "CertExpiring").state == "active"


def test_one_peer_down_degrades_but_keeps_the_board(backend):
    serve_peer(backend, "am1.test", "get_alerts_peer1.am_v0.25.0.json")
    backend.route("/api/v2/alerts", refuse, host="am2.test")
    snap = make_source(backend, PEER1, PEER2).poll()
    assert len(snap.alerts) == 6
    (reason,) = snap.degraded
    assert reason.startswith(f"peer {PEER2}: connection refused")
    assert snap.info["reachable"] == "1/2 peers"


def test_first_peer_down_status_comes_from_the_next(backend):
    backend.route("/api/v2/alerts", refuse, host="am1.test")
    serve_peer(backend, "am2.test", "get_alerts_peer2.am_v0.25.0.json")
    snap = make_source(backend, PEER1, PEER2).poll()
    assert len(snap.alerts) == 5
    assert snap.info["version"] == "0.25.0"
    assert [r.url.host for r in backend.requests if r.url.path == "/api/v2/status"] == ["am2.test"]


def test_all_peers_down_raises_the_first_error(backend):
    backend.route("/api/v2/alerts", refuse, host="am1.test")
    backend.route("/api/v2/alerts", httpx.Response(502, text="<html>bad gateway</html>"), host="am2.test")
    with pytest.raises(Unreachable, match="connection refused"):
        make_source(backend, PEER1, PEER2).poll()


def test_deadman_present_is_a_health_signal_not_an_incident(backend):
    serve_peer(backend, "am1.test", "get_alerts_peer1.am_v0.25.0.json")
    snap = make_source(backend, deadman_alert="Watchdog").poll()
    assert snap.degraded == ()
    assert "Watchdog" not in {a.name for a in snap.alerts}
    shown = make_source(backend, deadman_alert="Watchdog", options={"deadman_visible": True}).poll()
    assert "Watchdog" in {a.name for a in shown.alerts}


def test_deadman_missing_degrades(backend):
    groups = fixture_json(AM, "get_alert_groups.am_v0.31.0.json")
    flat = [alert for group in groups for alert in group["alerts"]]  # the GET /alerts shape
    serve_peer(backend, "am1.test", json.dumps(flat).encode(), silences="get_silences.am_v0.31.0.json")
    snap = make_source(backend, deadman_alert="Watchdog", now=NOW_V31).poll()
    assert snap.degraded == (
        "dead man's switch 'Watchdog' missing: the alerting pipeline may be broken",
    )
    assert len(snap.alerts) == 12  # muted ones included
    assert sum(a.state is AlertState.SILENCED for a in snap.alerts) == 4


def test_unknown_silence_id_still_explains_the_mute(backend):
    # Silences from another recording: the alert's silence id is not among them.
    serve_peer(
        backend, "am1.test", "get_alerts_peer1.am_v0.25.0.json", silences="get_silences.am_v0.31.0.json"
    )
    cert = next(a for a in make_source(backend).poll().alerts if a.name == "CertExpiring")
    assert cert.mute_reason == "silenced (silence 78ce736a: details unavailable)"  # the id: all that is known


def test_registry_builds_it_and_it_is_a_source(backend):
    source = create_source(source_config(AM, PEER1, urls=(PEER2, PEER1 + "/")), PollPlan(alerts=True),
                           transport=backend.transport)  # fmt: skip
    assert isinstance(source, AlertmanagerSource) and isinstance(source, Source)
    assert source.peers == (PEER1, PEER2)  # de-duplicated
    source.close()
    source.close()


def test_config_without_url_is_named():
    with pytest.raises(ValueError, match="needs a url"):
        AlertmanagerSource(source_config(AM, None), PollPlan(alerts=True))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(30, "<1m"), (60, "1m"), (3599, "59m"), (3600, "1h"), (3720, "1h02m"), (86400 * 3, "3d")],
)
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


# -- silences --------------------------------------------------------------------

STARTS = parse_rfc3339("2026-11-28T02:40:00Z")
ENDS = STARTS + 7200


def am_client(backend: Backend) -> httpx.Client:
    return httpx.Client(base_url=PEER1, transport=backend.transport)


def test_list_and_get_silences(backend):
    backend.route("/api/v2/silences", fixture_bytes(AM, "get_silences.am_v0.25.0.json"))
    expired_body = fixture_bytes(AM, "get_silence_expired.am_v0.25.0.json")
    backend.route("/api/v2/silence/3bc8411d-6743-4e88-aa1d-29d2dedb5a31", expired_body)
    silences = list_silences(am_client(backend), filters=['alertname="CertExpiring"', "job=blackbox"])
    assert [s.state for s in silences] == ["active", "expired"]
    assert backend.requests[-1].url.params.get_list("filter") == ['alertname="CertExpiring"', "job=blackbox"]
    expired = get_silence(am_client(backend), "3bc8411d-6743-4e88-aa1d-29d2dedb5a31")
    assert (expired.state, expired.created_by) == ("expired", "bob")
    assert expired.comment.endswith("[noc-app request r-1]")


def test_iso_time_matches_alertmanagers_format():
    assert iso_time(parse_rfc3339("2026-03-11T12:48:38.409Z")) == "2026-03-11T12:48:38.409Z"


def test_the_poll_worker_prepares_each_planned_board_sorted_and_grouped(backend):
    from noc_app.config.schema import GridPos, PanelConfig
    from noc_app.model import DataState
    from noc_app.selectors_incidents import Selection, prepared_key, select_incident_board

    serve_peer(backend, "am1.test", "get_alerts_peer1.am_v0.25.0.json")
    plan = PollPlan(alerts=True, alert_groupings=(("alertname",), ("service",)))
    source = AlertmanagerSource(source_config(AM, PEER1, deadman_alert="Watchdog"), plan,
                                transport=backend.transport, clock=lambda: NOW_V25)
    snap = source.poll()
    assert set(snap.prepared) == {prepared_key(("alertname",)), prepared_key(("service",))}
    prepared = snap.prepared[prepared_key(("alertname",))]
    assert isinstance(prepared, Selection)
    assert "Watchdog" not in {a.name for a in prepared.alerts}  # the declared switch is health, not a row
    panel = PanelConfig(id="inc", kind="incidents", title="I", sources=("am",), grid=GridPos(x=0, y=0, w=6, h=4))
    board = select_incident_board(panel, {"am": snap}, DataState.OK)
    assert board.groups is prepared.groups  # taken as the worker built it
    unprepared = AlertmanagerSource(source_config(AM, PEER1, deadman_alert="Watchdog"), PollPlan(alerts=True),
                                    transport=backend.transport, clock=lambda: NOW_V25).poll()
    assert unprepared.prepared == {}
    assert select_incident_board(panel, {"am": unprepared}, DataState.OK).groups == board.groups
