"""Contract tests: PagerDuty's own example payloads through the pure parser."""

from __future__ import annotations

import copy
import json

import pytest

from noc_app.model import AlertState, Severity
from noc_app.sources.base import BadAnswer
from noc_app.sources.pagerduty_parse import (
    current_level,
    error_message,
    escalation_target,
    oncall_text,
    parse_incident,
    parse_notes,
    parse_oncalls,
    parse_page,
    severity_of,
    tagged_note,
    to_alert,
    to_alerts,
)
from tests.sources.conftest import fixture_bytes, fixture_json

PD = "pagerduty"


def _incident(**changes: object) -> dict[str, object]:
    incident = copy.deepcopy(fixture_json(PD, "get_incident_200.json"))["incident"]  # type: ignore[index]
    incident.update(changes)
    return incident  # type: ignore[no-any-return]


def test_incident_list_page_and_alert_mapping() -> None:
    page = parse_page(fixture_json(PD, "list_incidents_200.json"), "incidents", what="GET /incidents")
    assert page.more is True and page.limit == 1 and page.offset == 0 and len(page.items) == 1
    oncall = oncall_text(parse_oncalls(parse_page(fixture_json(PD, "list_oncalls_200.handbuilt.json"),
                                                  "oncalls", what="oncalls").items))
    dropped: list[str] = []
    (alert,) = to_alerts(page.items, source_id="pd", oncall=oncall, dropped=dropped)
    assert dropped == []
    assert alert.fingerprint == "PT4KHLK"
    assert alert.name == "The server is on fire."
    assert alert.state is AlertState.RESOLVED
    assert alert.severity is Severity.HIGH  # priority P2
    assert alert.url == "https://subdomain.pagerduty.com/incidents/PT4KHLK"
    assert alert.dedup_key == "baf7cf21b1da41b4b0221008339ff357"
    assert alert.ends_at is not None and alert.starts_at > 0
    assert dict(alert.labels) == {
        "service": "My Mail Service", "service_id": "PIJ90N7", "urgency": "high", "priority": "P2",
        "incident_number": "1234", "escalation_policy": "Another Escalation Policy",
        "escalation_policy_id": "PT20YPA", "team": "Engineering",
    }
    assert alert.oncall == "Earline Greenholt (level 1)"
    assert alert.acknowledged_by == ""


def test_acknowledged_incident_names_who() -> None:
    incident = parse_incident(fixture_json(PD, "get_incident_200.json"), what="get")
    alert = to_alert(incident, source_id="pd")
    assert not isinstance(alert, str)
    assert alert.state is AlertState.ACKNOWLEDGED
    assert alert.acknowledged_by == "Earline Greenholt"


def test_triggered_maps_to_firing() -> None:
    alert = to_alert(_incident(status="triggered", acknowledgements=[]), source_id="pd")
    assert not isinstance(alert, str) and alert.state is AlertState.FIRING


@pytest.mark.parametrize(
    ("priority", "urgency", "expected"),
    [
        ("P1", "low", Severity.CRITICAL),
        ("P2", "high", Severity.HIGH),
        ("P3", "high", Severity.WARNING),
        ("P4", "high", Severity.INFO),
        ("P5", "high", Severity.INFO),
        (None, "high", Severity.HIGH),
        (None, "low", Severity.WARNING),
        (None, None, Severity.UNKNOWN),
        ("SEV-1", "high", Severity.UNKNOWN),
    ],
)
def test_severity_mapping(priority: str | None, urgency: str | None, expected: Severity) -> None:
    ref = None if priority is None else {"summary": priority}
    assert severity_of(ref, urgency) is expected


def test_bad_records_are_dropped_with_reasons_and_the_rest_kept() -> None:
    good = _incident()
    items = [good, "text", {"status": "triggered"}, _incident(id="PX2", status="snoozed"), dict(good)]
    dropped: list[str] = []
    alerts = to_alerts(items, source_id="pd", oncall=None, dropped=dropped)
    assert [a.fingerprint for a in alerts] == ["PT4KHLK"]  # the repeat (page shift) is de-duplicated
    assert dropped == ["incident is a str", "incident without an id", "unknown status 'snoozed'"]


def test_page_shape_errors_name_what_was_wrong() -> None:
    with pytest.raises(BadAnswer, match="expected an object with a 'incidents' list"):
        parse_page({"incident": []}, "incidents", what="GET /incidents")
    with pytest.raises(BadAnswer, match="expected"):
        parse_incident({"incidents": []}, what="GET /incidents/X")


def test_notes_and_request_tags() -> None:
    notes = parse_notes(fixture_json(PD, "list_incident_notes_200.json"), what="notes")
    assert [n.id for n in notes] == ["PWL7QXS", "PCQC25"]
    assert notes[0].content == "Firefighters are on the scene." and notes[0].user == "Earline Greenholt"
    rid = "0123456789abcdef0123456789abcdef"
    assert tagged_note(notes, rid) is None
    ours = {"id": "PN9", "content": f"escalating to level 3: db down [noc-app request {rid}]"}
    recorded = json.loads(fixture_bytes(PD, "list_incident_notes_200.json"))["notes"]
    tagged = parse_notes({"notes": [*recorded, ours]}, what="notes")
    found = tagged_note(tagged, rid)
    assert found is not None and found.id == "PN9" and escalation_target(found) == 3
    assert tagged_note(tagged, "f" * 32) is None


def test_created_note_and_update_answers_parse() -> None:
    note = fixture_json(PD, "create_incident_note_200.json")["note"]  # type: ignore[index]
    assert note["id"] == "PWL7QXS"
    updated = parse_incident(fixture_json(PD, "update_incident_200.json"), what="put")
    assert updated["status"] == "resolved"
    bulk = parse_page(fixture_json(PD, "bulk_update_incidents_200.json"), "incidents", what="bulk")
    assert next(i["id"] for i in bulk.items if isinstance(i, dict)) == "PT4KHLK"


def test_error_bodies_give_pagerduty_own_words() -> None:
    inner = fixture_json(PD, "error_object.spec_example.json")
    assert error_message(json.dumps({"error": inner}).encode()) == "Not Found (code 2100)"
    wrapped = {"error": {"message": "Invalid Input Provided", "code": 2001, "errors": ["From header required"]}}
    assert error_message(json.dumps(wrapped).encode()) == "Invalid Input Provided (code 2001): From header required"
    text = error_message(fixture_bytes(PD, "error_400_account_token_users_me.python_pagerduty_test.json"))
    assert text is not None and text.startswith("Because this request was made using an account-level")
    assert error_message(b"<html>502</html>") is None
    assert error_message(b'{"status": "error"}') is None


def test_current_level_from_assignees_on_call() -> None:
    oncalls = parse_oncalls(fixture_json(PD, "list_oncalls_200.handbuilt.json")["oncalls"])  # type: ignore[index]
    incident = _incident()  # assigned to PXPGF42, on call at level 1 of PT20YPA
    assert current_level(incident, oncalls) == 1
    lee = {"assignee": {"id": "PL7A2O4", "summary": "Lee Turner"}}
    assert current_level(_incident(assignments=[lee]), oncalls) == 2
    assert current_level(_incident(assignments=[]), oncalls) is None
