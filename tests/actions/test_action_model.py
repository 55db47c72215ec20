"""ActionRequest/ActionOutcome: validation bounds and the journal round trip."""

from __future__ import annotations

import math

import pytest
from action_helpers import make_request

from noc_app.actions.errors import InvalidRequest
from noc_app.actions.model import (
    MAX_COMMENT_CHARS,
    ActionKind,
    ActionOutcome,
    ActionRequest,
    IncidentKey,
    OutcomeStatus,
)


def test_every_request_gets_its_own_hex_uuid():
    a, b = make_request(), make_request()
    assert a.request_id != b.request_id
    assert len(a.request_id) == 32 and int(a.request_id, 16) >= 0


@pytest.mark.parametrize("kind", list(ActionKind))
def test_request_survives_the_journal_round_trip(kind):
    extra = {"runbook": "restart-api", "params": {"replicas": "3"}} if kind in (ActionKind.RUNBOOK, ActionKind.VERIFY) else {}
    if kind is ActionKind.ESCALATE:
        extra = {"escalation_level": 2, "automatic": True}
    request = make_request(kind, until_resolved=False, duration_s=900.0, **extra)
    again = ActionRequest.from_record(request.to_record())
    assert again == request
    assert again.labels == request.labels and again.params == request.params


@pytest.mark.parametrize("kind", [ActionKind.ESCALATE, ActionKind.RESOLVE, ActionKind.RUNBOOK])
def test_escalate_resolve_and_runbooks_need_a_comment(kind):
    with pytest.raises(InvalidRequest, match="needs a comment"):
        make_request(kind, comment="  ", runbook="restart-api")


def test_a_runbook_request_names_its_runbook_and_bounds_its_parameters():
    with pytest.raises(InvalidRequest, match="runbook's id"):
        make_request(ActionKind.RUNBOOK)
    with pytest.raises(InvalidRequest, match="longer than"):
        make_request(ActionKind.RUNBOOK, runbook="r", params={"p": "x" * 5000})


def test_request_labels_are_read_only():
    request = make_request()
    with pytest.raises(TypeError):
        request.labels["alertname"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"request_id": "not-a-uuid"}, "hex uuid"),
        ({"incident": IncidentKey(source_id="", fingerprint="f")}, "source id"),
        ({"comment": "x" * (MAX_COMMENT_CHARS + 1)}, "at most"),
        ({"labels": {f"l{i}": "v" for i in range(65)}}, "labels"),
        ({"duration_s": 5.0}, "outside"),
        ({"duration_s": math.inf}, "outside"),
        ({"until_resolved": False}, "needs a duration"),
        ({"requested_at": math.nan}, "not a time"),
    ],
)
def test_invalid_requests_are_refused_at_construction(overrides, fragment):
    with pytest.raises(InvalidRequest, match=fragment):
        make_request(**overrides)


def test_a_note_needs_text():
    with pytest.raises(InvalidRequest, match="note needs text"):
        make_request(ActionKind.NOTE, comment="   ")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.update(v=99),
        lambda r: r.pop("operator"),
        lambda r: r.update(kind="reboot"),
        lambda r: r.update(labels={"a": 1}),
        lambda r: r.update(requested_at="yesterday"),
    ],
)
def test_a_malformed_record_raises_invalid_request(mutate):
    record = make_request().to_record()
    mutate(record)
    with pytest.raises(InvalidRequest):
        ActionRequest.from_record(record)


def test_outcome_round_trip():
    outcome = ActionOutcome(request_id="a" * 32, status=OutcomeStatus.QUEUED, message="m", retry_at=5.0)
    assert ActionOutcome.from_record(outcome.to_record()) == outcome
