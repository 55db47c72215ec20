"""Contract tests: OpsgenieBackend through execute() against recorded Opsgenie answers (MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from action_helpers import FIXED_DELAY, FakeClock, make_request

from noc_app.actions.backends.opsgenie import OpsgenieBackend, already_done, escalation_recipient
from noc_app.actions.execute import execute
from noc_app.actions.model import ActionKind, IncidentKey, OutcomeStatus
from noc_app.actions.policy import backend_support
from noc_app.config.schema import AuthConfig, SecretRef, SourceConfig
from noc_app.sources.opsgenie_parse import AlertStatus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "opsgenie"
KEY_ENV = "NOC_TEST_OPSGENIE_ACTION_KEY"
KEY = "5e0c7d3a-1f2b-4c6d-8e9f-0a1b2c3d4e5f"
ALERT = "a368cf39-a024-4254-ac0d-a92356e901cf-1636477844997"
ACCEPTED = "3b078fd5-37d1-472e-823b-9f95b17aba8f"  # the requestId of the recorded 202


def recorded(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def answer(body: bytes | object, status: int = 200, **headers: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers={"Content-Type": "application/json", **headers})


class FakeApi:
    """Routes by (method, path); records every request; the alert's state is a dict the test sets."""

    def __init__(self) -> None:
        self.alert: dict[str, object] = {"id": ALERT, "status": "open", "acknowledged": False, "owner": ""}
        self.notes: list[dict[str, object]] = []
        self.post: Callable[[httpx.Request], httpx.Response] = lambda r: answer(
            recorded("request_accepted_202.xsoar_testdata.json"), 202)
        self.statuses: list[httpx.Response] = [answer(recorded("get_request_status_200.doc.json"))]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST":
            return self.post(request)
        if path == f"/v2/alerts/{ALERT}":
            return answer({"data": self.alert, "took": 0.01, "requestId": "r"})
        if path == f"/v2/alerts/{ALERT}/notes":
            return answer({"data": self.notes, "paging": {}, "took": 0.01, "requestId": "r"})
        if path == f"/v2/alerts/requests/{ACCEPTED}":
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return answer({"message": "Alert does not exist", "took": 0.0, "requestId": "r"}, 404)

    def posts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST"]


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


def make_backend(api: FakeApi, **options: object) -> tuple[OpsgenieBackend, list[float]]:
    slept: list[float] = []
    config = SourceConfig(id="og", kind="opsgenie", url="https://api.opsgenie.com",
                          auth=AuthConfig(bearer=SecretRef(env=KEY_ENV)), options=options)
    backend = OpsgenieBackend(config, transport=httpx.MockTransport(api), sleep=slept.append, settle_budget_s=3.0)
    return backend, slept


def og_request(kind: ActionKind = ActionKind.ACK, **overrides: object):
    return make_request(kind, incident=IncidentKey(source_id="og", fingerprint=ALERT), **overrides)


def test_ack_posts_with_genie_key_and_is_done_when_opsgenie_processed_it(api, journal):
    backend, _ = make_backend(api)
    request = og_request(ActionKind.ACK, comment="on it")
    outcome = execute(request, backend, journal, clock=FakeClock(), retry_delay=FIXED_DELAY)
    assert outcome.status is OutcomeStatus.DONE, outcome.message
    assert outcome.backend_ref == ACCEPTED
    assert outcome.message.startswith("acknowledged: Created alert (Opsgenie request ")
    (post,) = api.posts()
    assert post.url.path == f"/v2/alerts/{ALERT}/acknowledge"
    assert post.url.params["identifierType"] == "id"
    assert post.headers["authorization"] == f"GenieKey {KEY}"
    assert json.loads(post.content) == {
        "user": "alice", "source": "noc-app", "note": f"on it [noc-app request {request.request_id}]",
    }
    assert api.requests[-1].url.path == f"/v2/alerts/requests/{ACCEPTED}"
    assert backend.pending_request(request.request_id) is None


@pytest.mark.parametrize(("kind", "endpoint"), [
    (ActionKind.UNACK, "unacknowledge"), (ActionKind.RESOLVE, "close"), (ActionKind.NOTE, "notes"),
])
def test_each_kind_has_its_endpoint(api, journal, kind, endpoint):
    if kind is ActionKind.UNACK:
        api.alert |= {"acknowledged": True, "owner": "alice"}
    backend, _ = make_backend(api)
    outcome = execute(og_request(kind), backend, journal, clock=FakeClock(), retry_delay=FIXED_DELAY)
    assert outcome.status is OutcomeStatus.DONE, outcome.message
    assert [p.url.path for p in api.posts()] == [f"/v2/alerts/{ALERT}/{endpoint}"]


def test_escalate_needs_the_escalation_option_and_says_which(api, journal):
    backend, _ = make_backend(api)
    outcome = execute(og_request(ActionKind.ESCALATE), backend, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.REJECTED
    assert "set sources[og].options.escalation" in outcome.message
    assert api.requests == []


def test_escalate_sends_the_escalation_by_name(api, journal):
    backend, _ = make_backend(api, escalation="Checkout_Escalation")
    outcome = execute(og_request(ActionKind.ESCALATE), backend, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.DONE, outcome.message
    (post,) = api.posts()
    assert post.url.path == f"/v2/alerts/{ALERT}/escalate"
    assert json.loads(post.content)["escalation"] == {"name": "Checkout_Escalation", "type": "escalation"}
    assert escalation_recipient("0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7") == {
        "id": "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7", "type": "escalation"}


def test_opsgenie_refusing_the_ack_later_is_rejected_with_its_words(api, journal):
    api.statuses = [answer(recorded("get_request_status_failed_ack.doc.json"))]
    backend, _ = make_backend(api)
    outcome = execute(og_request(), backend, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.REJECTED
    assert outcome.message == f"Opsgenie did not ack: Alert does not exist (request {ACCEPTED})"


def test_still_processing_is_queued_then_done_on_replay_without_a_second_post(api, journal):
    not_yet = answer({"message": "Request not found. It might not be processed, yet."}, 404)
    api.statuses = [not_yet]
    backend, slept = make_backend(api)
    request = og_request(ActionKind.NOTE)
    clock = FakeClock()
    first = execute(request, backend, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert first.status is OutcomeStatus.QUEUED, first.message
    assert first.backend_ref == ACCEPTED and first.retry_at is not None
    assert sum(slept) <= 3.0 and slept  # bounded polling in the worker
    assert backend.pending_request(request.request_id) == ACCEPTED
    api.statuses = [answer(recorded("get_request_status_200.xsoar_testdata.json"))]
    clock.now = first.retry_at
    second = execute(request, backend, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert second.status is OutcomeStatus.DONE, second.message
    assert len(api.posts()) == 1


def test_a_note_already_in_the_alerts_notes_is_not_posted_again(api, journal):
    request = og_request(ActionKind.NOTE)
    api.notes = [{"note": f"vendor says 10 minutes [noc-app request {request.request_id}]", "owner": "alice"}]
    backend, _ = make_backend(api)  # a fresh process: nothing pending in memory
    outcome = execute(request, backend, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.DONE
    assert outcome.message.startswith("already delivered")
    assert api.posts() == []


@pytest.mark.parametrize(("kind", "alert", "message"), [
    (ActionKind.ACK, {"acknowledged": True, "owner": "kim"}, "already acknowledged by kim"),
    (ActionKind.RESOLVE, {"status": "closed"}, "already closed"),
    (ActionKind.UNACK, {}, "not acknowledged (nothing to take back)"),
])
def test_idempotent_replays_are_done_without_posting(api, journal, kind, alert, message):
    api.alert |= alert
    backend, _ = make_backend(api)
    outcome = execute(og_request(kind), backend, journal, clock=FakeClock())
    assert (outcome.status, outcome.message) == (OutcomeStatus.DONE, message)
    assert api.posts() == []


def test_422_is_rejected_with_opsgenies_message_and_field_errors(api, journal):
    api.post = lambda r: answer(recorded("error_422.go_sdk_test.json"), 422)
    backend, _ = make_backend(api)
    outcome = execute(og_request(), backend, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.REJECTED
    assert "HTTP 422" in outcome.message
    assert "Request body is not processable. Please check the errors. (recipients#type: Invalid recipient type 'bb')" \
        in outcome.message


def test_429_is_queued_until_the_rate_limit_period_ends(api, journal):
    api.post = lambda r: answer(recorded("error_429.go_sdk_test.json"), 429, **{"X-RateLimit-Period-In-Sec": "60"})
    backend, _ = make_backend(api)
    clock = FakeClock()
    outcome = execute(og_request(), backend, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert outcome.status is OutcomeStatus.QUEUED
    assert outcome.retry_at == pytest.approx(clock.now + 60.0)
    assert "TooManyRequests" in outcome.message


def test_500_is_queued_and_an_unknown_alert_is_rejected(api, journal):
    api.post = lambda r: answer(recorded("error_500.go_sdk_test.json"), 500)
    backend, _ = make_backend(api)
    outcome = execute(og_request(), backend, journal, clock=FakeClock(), retry_delay=FIXED_DELAY)
    assert outcome.status is OutcomeStatus.QUEUED and "Internal Server Error" in outcome.message
    missing = make_request(ActionKind.ACK, incident=IncidentKey(source_id="og", fingerprint="gone"))
    outcome = execute(missing, backend, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.REJECTED and "Alert does not exist" in outcome.message


def test_a_key_echoed_by_opsgenie_never_reaches_the_outcome(api, journal):
    api.post = lambda r: answer({"message": f"bad key {r.headers['authorization']}"}, 422)
    backend, _ = make_backend(api)
    outcome = execute(og_request(), backend, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.REJECTED and "bad key GenieKey" in outcome.message
    assert KEY not in outcome.message
    assert KEY not in json.dumps([e.detail for e in journal.audit()])


def test_runbooks_are_not_opsgenies(api, journal):
    backend, _ = make_backend(api)
    outcome = execute(og_request(ActionKind.RUNBOOK, runbook="restart"), backend, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.REJECTED and "Opsgenie cannot runbook" in outcome.message


def test_capabilities_and_already_done_are_pure():
    supports, name = backend_support("opsgenie")
    assert name == "Opsgenie"
    assert supports == {ActionKind.ACK, ActionKind.UNACK, ActionKind.NOTE, ActionKind.ESCALATE, ActionKind.RESOLVE}
    closed = AlertStatus(id="a", status="closed", acknowledged=True, acknowledged_by="kim")
    assert already_done(ActionKind.ACK, closed) == ""  # Opsgenie decides (and refuses)
    assert already_done(ActionKind.NOTE, closed) == ""
