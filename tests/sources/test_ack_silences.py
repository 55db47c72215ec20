"""The read side of acks: an alert muted by noc-app's own ack silence is ACKNOWLEDGED, any other is SILENCED.

Silences are the recorded 0.25.0 shape (tests/fixtures/alertmanager); the ack comment
is written by the actions backend's own functions, so the parser and the writer are
checked against each other, not against a copy of the format.
"""

from __future__ import annotations

import copy

import pytest

from noc_app.actions.backends.alertmanager_acks import ack_comment, tagged_request_id
from noc_app.actions.backends.alertmanager_silences import silence_body
from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator
from noc_app.model import Alert, AlertState
from noc_app.sources.alertmanager_parse import (
    ack_request_id,
    is_ack_silence,
    merge_silences,
    parse_alert_list,
    parse_silences,
    to_alerts,
)
from noc_app.sources.prometheus_parse import parse_rfc3339
from noc_app.wall_state import incident_entry

from .conftest import fixture_json

AM = "alertmanager"
NOW = parse_rfc3339("2026-11-28T02:33:00Z")  # just after the 0.25.0 captures
CERT_SILENCE = "78ce736a-3897-4c7a-a462-fffe208866da"


def _request(*, until_resolved: bool = True, comment: str = "replacing the cert", claimed: bool = False) -> ActionRequest:
    return ActionRequest(
        kind=ActionKind.ACK,
        incident=IncidentKey(source_id="am", fingerprint="f1"),
        operator=Operator(name="kim", claimed=claimed),
        comment=comment,
        labels={"alertname": "CertExpiring"},
        until_resolved=until_resolved,
        duration_s=None if until_resolved else 3600.0,
    )


def _backend_comment(request: ActionRequest) -> str:
    """The comment exactly as the backend sends it (ack_comment, tag appended by silence_body)."""
    body = silence_body({"alertname": "x"}, NOW, NOW + 3600, request.operator.name, ack_comment(request),
                        request_id=request.request_id)
    return str(body["comment"])


def _alerts(cert_comment: str | None) -> dict[str, Alert]:
    """Peer 1's recorded alerts with the recorded silences; the CertExpiring silence's comment replaced."""
    silences_json = copy.deepcopy(fixture_json(AM, "get_silences.am_v0.25.0.json"))
    cert = next(s for s in silences_json if s["id"] == CERT_SILENCE)
    if cert_comment is not None:
        cert["comment"] = cert_comment
        cert["createdBy"] = "kim"
    silences = merge_silences([parse_silences(silences_json)])
    raw = parse_alert_list(fixture_json(AM, "get_alerts_peer1.am_v0.25.0.json"))
    return {a.name: a for a in to_alerts(raw, silences, source_id="am", now=NOW)}


@pytest.mark.parametrize("until_resolved", [True, False])
@pytest.mark.parametrize("claimed", [False, True])
def test_parser_and_backend_agree_on_the_tag(until_resolved, claimed):
    request = _request(until_resolved=until_resolved, claimed=claimed)
    comment = _backend_comment(request)
    assert ack_request_id(comment) == tagged_request_id(comment) == request.request_id
    assert is_ack_silence(comment)


@pytest.mark.parametrize("comment", [
    "renewal scheduled tonight [noc-app request 7f9c2e]",  # the recorded one: not a 32-hex request id
    "maintenance window OPS-12",
    "",
    "[noc-app request 0123456789ABCDEF0123456789ABCDEF]",  # upper case: not what uuid4().hex writes
])
def test_foreign_comments_are_not_acks_on_either_side(comment):
    assert ack_request_id(comment) is None and tagged_request_id(comment) is None
    assert not is_ack_silence(comment)


def test_an_app_ack_silence_makes_the_alert_acknowledged_with_who_and_until():
    cert = _alerts(_backend_comment(_request()))["CertExpiring"]
    assert cert.state is AlertState.ACKNOWLEDGED
    assert cert.acknowledged_by == "kim"
    assert cert.mute_reason.startswith("acked by kim until resolved (1m ago)")
    assert cert.mute_reason.endswith(": replacing the cert")
    assert "noc-app request" not in cert.mute_reason  # the tag is for machines
    entry = incident_entry(cert)
    assert (entry["acknowledged"], entry["silenced"], entry["acknowledged_by"]) == (True, False, "kim")


def test_a_fixed_duration_ack_says_how_long_it_has_left():
    cert = _alerts(_backend_comment(_request(until_resolved=False, comment="")))["CertExpiring"]
    assert cert.state is AlertState.ACKNOWLEDGED
    assert cert.mute_reason == "acked by kim for 58m more (1m ago)"


def test_a_foreign_silence_stays_silenced_and_is_not_acknowledged():
    alerts = _alerts(None)  # the recorded silence: alice's, tagged with a short id
    cert = alerts["CertExpiring"]
    assert cert.state is AlertState.SILENCED
    assert cert.acknowledged_by == ""
    assert cert.mute_reason.startswith("silenced by alice: renewal scheduled tonight")
    entry = incident_entry(cert)
    assert (entry["acknowledged"], entry["silenced"], entry["acknowledged_by"]) == (False, True, "")


def test_firing_and_inhibited_alerts_are_neither_acknowledged_nor_silenced():
    alerts = _alerts(None)
    for name, state in (("HighErrorRate", AlertState.FIRING), ("DiskFilling", AlertState.INHIBITED)):
        assert alerts[name].state is state
        entry = incident_entry(alerts[name])
        assert (entry["acknowledged"], entry["silenced"]) == (False, False)
