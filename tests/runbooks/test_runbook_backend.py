"""The runbook backend through `execute` and the outbox: routing, audit-based limits, verify, undo, escalation."""

from __future__ import annotations

import json

import httpx
import pytest
from runbook_helpers import FIXED_DELAY, FakeClock
from runbook_helpers import ALICE, INCIDENT, LABELS, config_with, recording_client

from noc_app.actions.execute import RUNBOOK_BACKEND, backend_for, execute, flush_outbox, replay_outbox
from noc_app.actions.model import ActionKind, ActionRequest, OutcomeStatus
from noc_app.actions.runbooks.backend import RunbookBackend
from noc_app.actions.runbooks.requests import runbook_request
from noc_app.actions.runbooks.policy import find_runbook

RUNBOOKS = """\
- id: scale-out
  http: {method: POST, url: 'https://k8s.example.invalid/scale/{{ service }}', body: {replicas: 6}}
  params: {service: {pattern: '[a-z][a-z0-9-]*'}}
  match: {alertname: HighErrorRate}
  cooldown: 10m
  max_runs_per_hour: 2
  verify: {source: prom, query: 'rate(errors[1m]) < 0.01', within: 5m}
  rollback: scale-in
  undo_after: {runbook: scale-in, after: 30m}
- id: scale-in
  http: {method: POST, url: 'https://k8s.example.invalid/scale/{{ service }}', body: {replicas: 3}}
  params: {service: {pattern: '[a-z][a-z0-9-]*'}}
  cooldown: 0s
"""


class Answers:
    """The fake targets: the scaler answers 200; Prometheus answers with `self.verified`."""

    def __init__(self) -> None:
        self.verified = False
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/query":
            result = [{"metric": {}, "value": [1.0, "0.001"]}] if self.verified else []
            return httpx.Response(200, json={"status": "success", "data": {"resultType": "vector", "result": result}})
        return httpx.Response(200, text="scaled")


@pytest.fixture
def parts(journal):
    config = config_with(RUNBOOKS)
    clock = FakeClock()
    answers = Answers()
    backend = RunbookBackend(config, journal, clock=clock, client_for=recording_client(answers.seen, answers))
    return config, clock, answers, {RUNBOOK_BACKEND: backend}


def _request(config, **kw):
    return runbook_request(find_runbook(config, "scale-out"), INCIDENT, LABELS, ALICE, "errors at 12 %", **kw)


def _pending(journal):
    return sorted((row.kind, ActionRequest.from_record(row.payload).runbook, row.next_attempt_at)
                  for row in journal.pending())


def test_runbook_requests_route_to_the_runbook_backend_not_the_incident_source(parts):
    config, _clock, _answers, backends = parts
    request = _request(config)
    assert backend_for(request, {**backends, "am": object()}) is backends[RUNBOOK_BACKEND]
    assert backend_for(request, {"am": object()}) is None


def test_a_run_is_journalled_sent_and_leaves_its_verification_and_undo_in_the_outbox(parts, journal):
    config, clock, answers, backends = parts
    outcome = execute(_request(config), backends[RUNBOOK_BACKEND], journal, clock=clock, retry_delay=FIXED_DELAY)
    assert outcome.status is OutcomeStatus.DONE, outcome.message
    assert outcome.message == "ran scale-out: HTTP 200: scaled; verification within 300 s; undo scale-in in 1800 s"
    (sent,) = answers.seen
    assert (sent.method, str(sent.url), json.loads(sent.content)) == (
        "POST", "https://k8s.example.invalid/scale/checkout", {"replicas": 6})
    assert _pending(journal) == [("runbook", "scale-in", clock.now + 1800), ("verify", "scale-out", clock.now + 15)]
    actions = [line.action for line in journal.audit()]
    assert actions == ["runbook requested", "runbook run", "verify requested", "runbook requested", "runbook"]


def test_verification_true_is_done(parts, journal):
    config, clock, answers, backends = parts
    execute(_request(config), backends[RUNBOOK_BACKEND], journal, clock=clock, retry_delay=FIXED_DELAY)
    answers.verified = True
    clock.advance(15)
    (outcome,) = replay_outbox(backends, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert (outcome.status, outcome.message) == (OutcomeStatus.DONE, "verified: rate(errors[1m]) < 0.01")
    assert [kind for kind, _, _ in _pending(journal)] == ["runbook"]  # only the undo is left


def test_verification_false_is_retried_then_escalates_and_rolls_back_at_the_deadline(parts, journal):
    config, clock, answers, backends = parts
    execute(_request(config), backends[RUNBOOK_BACKEND], journal, clock=clock, retry_delay=FIXED_DELAY)
    clock.advance(15)
    (first,) = replay_outbox(backends, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert first.status is OutcomeStatus.QUEUED and first.message.startswith("not verified yet (false)")
    clock.advance(300)  # past the 5 min deadline
    outcomes = flush_outbox(backends, journal, clock=clock, retry_delay=FIXED_DELAY,
                            source_ids={INCIDENT.source_id})
    verdict = next(o for o in outcomes if "verification failed" in o.message)
    assert verdict.status is OutcomeStatus.DONE
    assert verdict.message == "verification failed: escalated; rollback scale-in requested"
    rows = {(row.kind, ActionRequest.from_record(row.payload).automatic) for row in journal.pending()}
    assert ("escalate", True) in rows
    escalate = next(ActionRequest.from_record(r.payload) for r in journal.pending() if r.kind == "escalate")
    assert escalate.incident == INCIDENT and "not true within 300 s" in escalate.comment


def test_cooldown_and_hourly_cap_come_from_the_audit(parts, journal):
    config, clock, _answers, backends = parts
    first = execute(_request(config), backends[RUNBOOK_BACKEND], journal, clock=clock, retry_delay=FIXED_DELAY)
    assert first.status is OutcomeStatus.DONE
    clock.advance(60)
    second = execute(_request(config), backends[RUNBOOK_BACKEND], journal, clock=clock, retry_delay=FIXED_DELAY)
    assert second.status is OutcomeStatus.REJECTED and "cooling down: it ran 60 s ago; again in 540 s" in second.message
    clock.advance(600)
    assert execute(_request(config), backends[RUNBOOK_BACKEND], journal, clock=clock,
                   retry_delay=FIXED_DELAY).status is OutcomeStatus.DONE
    clock.advance(700)
    third = execute(_request(config), backends[RUNBOOK_BACKEND], journal, clock=clock, retry_delay=FIXED_DELAY)
    assert third.status is OutcomeStatus.REJECTED and "ran 2 times in the last hour; at most 2" in third.message


def test_a_runbook_that_does_not_match_the_incident_or_the_role_is_refused_and_sends_nothing(parts, journal):
    config, clock, answers, backends = parts
    other = runbook_request(find_runbook(config, "scale-out"), INCIDENT, {**LABELS, "alertname": "DiskFull"},
                            ALICE, "why not")
    outcome = execute(other, backends[RUNBOOK_BACKEND], journal, clock=clock, retry_delay=FIXED_DELAY)
    assert outcome.status is OutcomeStatus.REJECTED and "does not apply to this incident" in outcome.message
    auto = _request(config, automatic=True)
    outcome = execute(auto, backends[RUNBOOK_BACKEND], journal, clock=clock, retry_delay=FIXED_DELAY)
    assert outcome.status is OutcomeStatus.REJECTED and "not for the automation" in outcome.message
    assert answers.seen == []


def test_the_target_unreachable_stays_queued_and_is_not_counted_against_its_own_retry(journal):
    config = config_with(RUNBOOKS)
    clock = FakeClock()
    state = {"up": False}

    def respond(request: httpx.Request) -> httpx.Response:
        if not state["up"]:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, text="scaled")

    seen: list[httpx.Request] = []
    backends = {RUNBOOK_BACKEND: RunbookBackend(config, journal, clock=clock,
                                                client_for=recording_client(seen, respond))}
    first = execute(_request(config), backends[RUNBOOK_BACKEND], journal, clock=clock, retry_delay=FIXED_DELAY)
    assert first.status is OutcomeStatus.QUEUED and first.message.startswith("not sent: connection refused")
    state["up"] = True
    clock.advance(60)
    (again,) = [o for o in replay_outbox(backends, journal, clock=clock, retry_delay=FIXED_DELAY)
                if o.request_id == first.request_id]
    assert again.status is OutcomeStatus.DONE, again.message


def test_the_dry_run_shows_the_exact_request_with_secrets_as_references(monkeypatch):
    from noc_app.actions.runbooks.prepare import prepare

    config = config_with("""\
        - id: rundeck
          http:
            method: POST
            url: 'https://rundeck.example.invalid/api/41/job/restart/run?service={{ service }}'
            auth: {header_env: {X-Rundeck-Auth-Token: NOC_RUNDECK_TOKEN}}
            body: {argString: '-service {{ service }}'}
          params: {service: {allowed: [checkout, api]}}
        """)
    monkeypatch.setenv("NOC_RUNDECK_TOKEN", "tok-123456")
    shown = prepare(find_runbook(config, "rundeck"), {"service": "checkout"}).describe()
    assert shown == (
        "POST https://rundeck.example.invalid/api/41/job/restart/run?service=checkout\n"
        "Content-Type: application/json\n"
        "X-Rundeck-Auth-Token: <secret from env NOC_RUNDECK_TOKEN>\n"
        "\n"
        '{"argString":"-service checkout"}'
    )
    assert "tok-123456" not in shown


def test_a_secret_header_goes_to_the_target_by_reference(monkeypatch, journal):
    config = config_with("""\
        - id: rundeck
          http: {method: POST, url: 'https://rundeck.example.invalid/run', auth: {bearer_token_env: NOC_RB_TOKEN}}
          confirm: false
        """)
    monkeypatch.setenv("NOC_RB_TOKEN", "tok-abcdef")
    seen: list[httpx.Request] = []
    backend = RunbookBackend(config, journal, client_for=recording_client(seen))
    backend.perform(ActionRequest(kind=ActionKind.RUNBOOK, incident=INCIDENT, operator=ALICE, comment="c",
                                  labels=LABELS, runbook="rundeck"))
    assert seen[0].headers["authorization"] == "Bearer tok-abcdef"
    assert all("tok-abcdef" not in line.detail for line in journal.audit())
