"""Acks on Alertmanager: the pure silence rules, error mapping, and the backend against a fake peer."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from action_helpers import FakeClock, make_request

from noc_app.actions.backends.alertmanager import AlertmanagerBackend, to_action_error
from noc_app.actions.backends.alertmanager_acks import (
    ack_comment,
    ack_label_names,
    ack_matchers,
    exactly_matches,
    delivered,
    has_note,
    live_acks,
    plan_upkeep,
    tagged_request_id,
    with_note,
)
from noc_app.actions.backends.alertmanager_silences import InvalidSilence, matchers_from_labels
from noc_app.actions.errors import BackendRejected, InvalidRequest, Retryable
from noc_app.actions.model import ActionKind, Operator, OutcomeStatus
from noc_app.config.schema import SourceConfig
from noc_app.sources.alertmanager_parse import Silence, SilenceMatcher, ack_note, ack_request_id, is_ack_silence
from noc_app.sources.base import (
    AuthFailed,
    BadAnswer,
    BadResponse,
    RateLimited,
    Unreachable,
)
from noc_app.sources.http import make_client

NOW = 1_800_000_000.0
STABLE = ("alertname", "service", "instance")
LABELS = {"alertname": "CheckoutErrors", "service": "checkout", "severity": "critical"}


def silence(sid: str, labels=LABELS, *, comment: str = "", state: str = "active", ends_at: float = NOW + 86400,
            matchers: tuple[SilenceMatcher, ...] | None = None) -> Silence:
    return Silence(id=sid, state=state, matchers=matchers or matchers_from_labels(labels), starts_at=NOW - 60,
                   ends_at=ends_at, created_by="alice", comment=comment)


def ack_text(request_id: str, until_resolved: bool = True) -> str:
    return f"ack by alice{' (until resolved)' if until_resolved else ''}: x [noc-app request {request_id}]"


def test_ack_comment_and_matchers():
    request = make_request(comment="  on   it \n")
    assert ack_comment(request) == "ack by alice (until resolved): on it"
    claimed = make_request(operator=Operator(name="bob", claimed=True), comment="", until_resolved=False,
                           duration_s=600.0)
    assert ack_comment(claimed) == "ack by bob (claimed)"
    assert [m.text for m in ack_matchers(LABELS)] == [
        'alertname="CheckoutErrors"', 'service="checkout"', 'severity="critical"']
    with pytest.raises(InvalidRequest, match="no labels"):
        ack_matchers({})
    with pytest.raises(InvalidRequest, match="no labels"):
        ack_matchers({"a": ""})


def test_request_tag_is_recognised_and_foreign_silences_are_not():
    rid = uuid.uuid4().hex
    assert tagged_request_id(ack_text(rid)) == rid
    assert tagged_request_id("maintenance window CHG-12") is None
    assert tagged_request_id("[noc-app request req-7]") is None  # not a request id


def test_delivered_and_live_acks():
    mine, other = uuid.uuid4().hex, uuid.uuid4().hex
    silences = [
        silence("maint", comment="planned maintenance"),
        silence("old", comment=ack_text(mine), state="expired"),
        silence("wider", comment=ack_text(other), matchers=(SilenceMatcher(name="service", value="checkout"),)),
        silence("live", comment=ack_text(other)),
    ]
    assert delivered(silences, mine).id == "old"  # any state: an ack later un-acked is not re-created
    assert delivered(silences, uuid.uuid4().hex) is None
    assert [s.id for s in live_acks(silences, LABELS)] == ["live"]  # not maintenance, not expired, exact labels


def test_plan_upkeep_expires_resolved_and_extends_firing_acks():
    other_alert = {"alertname": "DiskFull", "instance": "db-1"}
    silences = [
        silence("firing-far", comment=ack_text(uuid.uuid4().hex), ends_at=NOW + 20 * 3600),
        silence("firing-near", comment=ack_text(uuid.uuid4().hex), ends_at=NOW + 3600),
        silence("resolved", other_alert, comment=ack_text(uuid.uuid4().hex)),
        silence("fixed-duration", other_alert, comment=ack_text(uuid.uuid4().hex, until_resolved=False)),
        silence("maintenance", other_alert, comment="maintenance (until resolved)"),
        silence("already-expired", other_alert, comment=ack_text(uuid.uuid4().hex), state="expired"),
    ]
    plan = plan_upkeep(silences, [LABELS, {"alertname": "Unrelated"}], now=NOW, extend_within_s=6 * 3600)
    assert plan.expire == ("resolved",)
    assert plan.extend == ("firing-near",)
    # a silenced alert is still held by Alertmanager: its ack stays
    assert plan_upkeep(silences[:1], [{**LABELS, "extra": "x"}], now=NOW, extend_within_s=0).expire == ()


def test_plan_upkeep_does_not_expire_an_ack_younger_than_the_alert_list():
    """An ack made after the alert list was fetched is on an alert that list may not hold yet."""
    acked = [silence("fresh", {"alertname": "NewAlert"}, comment=ack_text(uuid.uuid4().hex))]  # starts NOW - 60
    assert plan_upkeep(acked, [], now=NOW, extend_within_s=0, alerts_taken_at=NOW - 90).expire == ()
    assert plan_upkeep(acked, [], now=NOW, extend_within_s=0, alerts_taken_at=NOW - 30).expire == ()  # skew
    assert plan_upkeep(acked, [], now=NOW, extend_within_s=0, alerts_taken_at=NOW + 30).expire == ("fresh",)
    assert plan_upkeep(acked, [], now=NOW, extend_within_s=0).expire == ("fresh",)


@pytest.mark.parametrize(
    ("error", "kind", "retry_after"),
    [
        (Unreachable("connection refused: am:9093"), Retryable, None),
        (RateLimited("HTTP 429 from http://am/api/v2/silences", 30.0), Retryable, 30.0),
        (AuthFailed("HTTP 401 from http://am/api/v2/silences"), Retryable, 300.0),
        (BadAnswer("POST silences: expected {...}"), Retryable, None),
        (BadResponse("HTTP 500 from http://am/api/v2/silences: boom"), Retryable, None),
        (BadResponse("HTTP 400 from http://am/api/v2/silences: bad matcher"), BackendRejected, None),
        (BadResponse("HTTP 404 from http://am/api/v2/silence/x: not found"), BackendRejected, None),
        (InvalidSilence("a silence needs at least one matcher"), InvalidRequest, None),
    ],
)
def test_source_errors_map_to_action_errors(error, kind, retry_after):
    mapped = to_action_error(error)
    assert type(mapped) is kind
    assert str(error) in str(mapped)
    if kind is Retryable:
        assert mapped.retry_after == retry_after


class FakeAlertmanager:
    """Just enough of /api/v2/silences for the backend's logic: list (with alertname filter), create, expire."""

    def __init__(self) -> None:
        self.silences: dict[str, dict] = {}
        self.posts = 0
        self.filters: list[list[str]] = []
        self.before_post = lambda: None  # lets a test slip another workstation's write in
        self.replace_on_update = False  # True: an update expires the silence and answers a new id (as AM may)

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == "/api/v2/silences":
            self.filters.append(request.url.params.get_list("filter"))
            return httpx.Response(200, json=list(self.silences.values()))
        if request.method == "POST" and path == "/api/v2/silences":
            self.before_post()
            self.posts += 1
            body = json.loads(request.content)
            sid = body.get("id") or uuid.uuid4().hex
            if body.get("id") and self.replace_on_update:
                self.silences[sid]["status"] = {"state": "expired"}
                sid = uuid.uuid4().hex
            self.silences[sid] = {**body, "id": sid, "status": {"state": "active"}, "updatedAt": body["startsAt"]}
            return httpx.Response(200, json={"silenceID": sid})
        if request.method == "GET" and path.startswith("/api/v2/silence/"):
            found = self.silences.get(path.rsplit("/", 1)[1])
            return httpx.Response(200, json=found) if found else httpx.Response(404, json="silence not found")
        if request.method == "DELETE" and path.startswith("/api/v2/silence/"):
            sid = path.rsplit("/", 1)[1]
            if sid not in self.silences:
                return httpx.Response(404, json="silence not found")
            self.silences[sid]["status"] = {"state": "expired"}
            return httpx.Response(200)
        return httpx.Response(404, json="no route")


def backend_for(fake: FakeAlertmanager, *, down: tuple[str, ...] = (), **options) -> AlertmanagerBackend:
    def transport(request: httpx.Request) -> httpx.Response:
        if request.url.host in down:
            raise httpx.ConnectError("connection refused", request=request)
        return fake.handler(request)

    config = SourceConfig(id="am", kind="alertmanager", url="http://am-a:9093", urls=("http://am-b:9093",))
    return AlertmanagerBackend(
        config, clock=FakeClock(NOW), **options,
        client_factory=lambda cfg, peer: make_client(cfg, base_url=peer, transport=httpx.MockTransport(transport)),
    )


def test_ack_creates_one_tagged_silence_and_a_replay_finds_it():
    fake = FakeAlertmanager()
    backend = backend_for(fake)
    request = make_request()
    first = backend.perform(request)
    assert first.status is OutcomeStatus.DONE and first.backend_ref in fake.silences
    body = fake.silences[first.backend_ref]
    assert body["createdBy"] == "alice"
    assert body["comment"] == f"ack by alice (until resolved): looking into it [noc-app request {request.request_id}]"
    assert {m["name"]: m["value"] for m in body["matchers"]} == LABELS
    assert fake.filters[0] == ['alertname="CheckoutErrors"']
    again = backend.perform(request)
    assert again.backend_ref == first.backend_ref and "already delivered" in again.message
    assert fake.posts == 1


def test_a_second_operator_ack_on_the_same_alert_reuses_the_first():
    fake = FakeAlertmanager()
    backend = backend_for(fake)
    first = backend.perform(make_request())
    second = backend.perform(make_request(operator=Operator(name="bob")))
    assert second.backend_ref == first.backend_ref and "already acknowledged by alice" in second.message
    assert fake.posts == 1


def test_unack_expires_the_ack_and_a_replay_is_harmless():
    fake = FakeAlertmanager()
    backend = backend_for(fake)
    ack = backend.perform(make_request())
    unack_request = make_request(ActionKind.UNACK)
    unack = backend.perform(unack_request)
    assert unack.backend_ref == ack.backend_ref
    assert fake.silences[ack.backend_ref]["status"]["state"] == "expired"
    assert "not acknowledged" in backend.perform(unack_request).message


def test_fixed_duration_ack_ends_after_its_duration():
    fake = FakeAlertmanager()
    outcome = backend_for(fake).perform(make_request(until_resolved=False, duration_s=900.0))
    body = fake.silences[outcome.backend_ref]
    assert body["endsAt"] == "2027-01-15T08:15:00.000Z"  # NOW + 900 s
    assert "(until resolved)" not in body["comment"]


def test_a_down_peer_fails_over_and_all_down_is_retryable():
    fake = FakeAlertmanager()
    assert backend_for(fake, down=("am-a",)).perform(make_request()).status is OutcomeStatus.DONE
    with pytest.raises(Retryable, match="no Alertmanager peer reachable"):
        backend_for(fake, down=("am-a", "am-b")).perform(make_request())


def test_a_note_without_labels_needs_no_network_and_foreign_sources_are_refused():
    fake = FakeAlertmanager()
    backend = backend_for(fake, down=("am-a", "am-b"))
    outcome = backend.perform(make_request(ActionKind.NOTE, labels={}))
    assert outcome.status is OutcomeStatus.DONE and "journal only" in outcome.message
    with pytest.raises(Retryable, match="no Alertmanager peer reachable"):  # it may have an ack to join: queued
        backend.perform(make_request(ActionKind.NOTE))
    with pytest.raises(InvalidRequest, match="sent to 'am'"):
        backend.perform(make_request(incident=make_request().incident.__class__(source_id="pd", fingerprint="f")))


def test_upkeep_applies_the_plan():
    fake = FakeAlertmanager()
    backend = backend_for(fake)
    ack = backend.perform(make_request())
    assert backend.upkeep([LABELS]).expire == ()
    plan = backend.upkeep([{"alertname": "SomethingElse"}])
    assert plan.expire == (ack.backend_ref,)
    assert fake.silences[ack.backend_ref]["status"]["state"] == "expired"


def test_acks_on_configured_stable_labels():
    fake = FakeAlertmanager()
    backend = backend_for(fake, ack_label_names=("alertname", "service", "instance"))
    ack = backend.perform(make_request())
    body = fake.silences[ack.backend_ref]
    assert {m["name"]: m["value"] for m in body["matchers"]} == {"alertname": "CheckoutErrors", "service": "checkout"}
    # severity changed: still the same incident on the stable labels, so still acknowledged
    again = backend.perform(make_request(labels={**LABELS, "severity": "warning"}))
    assert again.backend_ref == ack.backend_ref and fake.posts == 1
    unack = backend.perform(make_request(ActionKind.UNACK))
    assert unack.backend_ref == ack.backend_ref
    # none of the configured labels: alertname at least, never an empty matcher list
    fallback = backend_for(fake, ack_label_names=("instance",)).perform(make_request(labels={**LABELS, "x": "1"}))
    assert [m["name"] for m in fake.silences[fallback.backend_ref]["matchers"]] == ["alertname"]
    with pytest.raises(InvalidRequest, match="among instance"):
        backend_for(fake, ack_label_names=("instance",)).perform(make_request(labels={"service": "checkout"}))


@pytest.mark.parametrize(
    ("labels", "names", "chosen"),
    [
        (LABELS, None, ("alertname", "service", "severity")),
        (LABELS, STABLE, ("alertname", "service")),
        ({**LABELS, "instance": "web-1:9100"}, STABLE, ("alertname", "service", "instance")),
        ({"alertname": "X", "instance": "web-1"}, STABLE, ("alertname", "instance")),
        ({"alertname": "X", "severity": "page"}, STABLE, ("alertname",)),
        ({"alertname": "X", "service": "checkout"}, ("service", "instance"), ("service",)),
        ({"alertname": "X", "job": "api"}, ("service", "instance"), ("alertname",)),  # fallback
        ({"alertname": "X", "service": ""}, ("service",), ("alertname",)),  # an empty value is no label
        ({"alertname": "X"}, ("alertname", "alertname"), ("alertname",)),
    ],
)
def test_ack_label_names_choose_stable_labels_and_fall_back_to_alertname(labels, names, chosen):
    assert ack_label_names(labels, names) == chosen
    assert tuple(m.name for m in ack_matchers(labels, names)) == chosen


@pytest.mark.parametrize(
    ("labels", "names"),
    [({}, None), ({"a": ""}, None), ({}, STABLE), ({"severity": "page", "job": "x"}, STABLE),
     ({"alertname": ""}, ("alertname",))],
)
def test_an_ack_never_has_empty_matchers(labels, names):
    with pytest.raises(InvalidRequest, match="an ack would silence everything"):
        ack_matchers(labels, names)
    assert not exactly_matches(silence("s", {"x": "1"}), labels, names)  # and no silence is its ack


def test_two_workstations_acking_at_once_converge_on_the_oldest_silence():
    fake = FakeAlertmanager()
    other = make_request(operator=Operator(name="bob"))

    def bob_acks_first() -> None:  # bob's POST lands between alice's look-up and her POST
        fake.before_post = lambda: None
        fake.silences["bob-silence"] = {
            "id": "bob-silence", "status": {"state": "active"}, "createdBy": "bob",
            "comment": f"ack by bob (until resolved) [noc-app request {other.request_id}]",
            "matchers": [{"name": k, "value": v, "isRegex": False, "isEqual": True} for k, v in LABELS.items()],
            "startsAt": "2027-01-15T07:59:00.000Z", "endsAt": "2027-01-16T08:00:00.000Z",
            "updatedAt": "2027-01-15T07:59:00.000Z",
        }

    fake.before_post = bob_acks_first
    outcome = backend_for(fake).perform(make_request())
    assert outcome.backend_ref == "bob-silence" and "already acknowledged by bob" in outcome.message
    alices = [s for s in fake.silences.values() if s.get("createdBy") == "alice"]
    assert [s["status"]["state"] for s in alices] == ["expired"]


# -- notes on the ack comment ---------------------------------------------------------------


def test_with_note_appends_before_the_tag_and_the_parser_still_reads_the_ack():
    ack = make_request()
    comment = f"{ack_comment(ack)} [noc-app request {ack.request_id}]"
    note = make_request(ActionKind.NOTE, operator=Operator(name="bob"), comment="vendor  says\n10 minutes")
    noted = with_note(comment, note)
    assert noted == (f"ack by alice (until resolved): looking into it | [note {note.request_id}] bob: vendor says "
                     f"10 minutes [noc-app request {ack.request_id}]")
    assert tagged_request_id(noted) == ack.request_id and has_note(noted, note.request_id)
    assert is_ack_silence(noted) and ack_request_id(noted) == ack.request_id
    assert ack_note(noted, "alice") == "looking into it | note by bob: vendor says 10 minutes"
    second = make_request(ActionKind.NOTE, comment="fixed")
    twice = with_note(noted, second)
    assert twice.index(note.request_id) < twice.index(second.request_id) < twice.index(ack.request_id)
    with pytest.raises(InvalidRequest, match="ack comment"):
        with_note("planned maintenance", note)


def test_with_note_keeps_the_comment_bounded_newest_notes_first():
    ack = make_request()
    comment = f"{ack_comment(ack)} [noc-app request {ack.request_id}]"
    notes = [make_request(ActionKind.NOTE, comment=f"note number {i} " + "x" * 300) for i in range(12)]
    for note in notes:
        comment = with_note(comment, note, limit=1500)
        assert len(comment) <= 1500
        assert comment.startswith("ack by alice (until resolved): looking into it")
        assert tagged_request_id(comment) == ack.request_id and has_note(comment, note.request_id)
    assert comment.count("…") == 1 and " | … | [note " in comment
    assert not has_note(comment, notes[0].request_id) and has_note(comment, notes[-2].request_id)
    assert comment.index(notes[-2].request_id) < comment.index(notes[-1].request_id)
    # a note longer than the room left is cut, its marker and the ack's tag kept
    huge = make_request(ActionKind.NOTE, comment="y" * 2000)
    cut = with_note(comment, huge, limit=600)
    assert len(cut) <= 600 and has_note(cut, huge.request_id) and tagged_request_id(cut) == ack.request_id
    assert "y…" in cut and cut.startswith("ack by alice")


@pytest.mark.parametrize("replace", [False, True])
def test_a_note_joins_the_ack_comment_once(replace):
    fake = FakeAlertmanager()
    fake.replace_on_update = replace
    backend = backend_for(fake)
    ack_request = make_request()
    ack = backend.perform(ack_request)
    note = make_request(ActionKind.NOTE, operator=Operator(name="bob"))
    noted = backend.perform(note)
    assert noted.status is OutcomeStatus.DONE and "note added to the ack comment" in noted.message
    assert (noted.backend_ref == ack.backend_ref) is not replace
    body = fake.silences[noted.backend_ref]
    assert body["status"]["state"] == "active" and body["createdBy"] == "alice"
    assert body["startsAt"] == fake.silences[ack.backend_ref]["startsAt"]
    assert body["matchers"] == fake.silences[ack.backend_ref]["matchers"]
    assert body["comment"] == (f"ack by alice (until resolved): looking into it | [note {note.request_id}] bob: "
                               f"vendor says 10 minutes [noc-app request {ack_request.request_id}]")
    posts = fake.posts
    again = backend.perform(note)  # replay: found by its request id, nothing appended
    assert again.backend_ref == noted.backend_ref and "already" in again.message and fake.posts == posts
    # the ack is still the same ack: a replay of it finds it, an un-ack expires the noted silence
    assert backend.perform(ack_request).status is OutcomeStatus.DONE and fake.posts == posts
    assert backend.ack_holder(LABELS) == "alice"
    assert backend.perform(make_request(ActionKind.UNACK)).backend_ref == noted.backend_ref
    assert fake.silences[noted.backend_ref]["status"]["state"] == "expired"


def test_a_note_without_an_ack_stays_in_the_journal():
    fake = FakeAlertmanager()
    fake.silences["maint"] = {"id": "maint", "status": {"state": "active"}, "comment": "planned maintenance",
                              "createdBy": "ops", "startsAt": "2027-01-15T08:00:00.000Z",
                              "endsAt": "2027-01-15T09:00:00.000Z", "updatedAt": "2027-01-15T08:00:00.000Z",
                              "matchers": [{"name": k, "value": v, "isRegex": False, "isEqual": True}
                                           for k, v in LABELS.items()]}
    outcome = backend_for(fake).perform(make_request(ActionKind.NOTE))
    assert outcome.status is OutcomeStatus.DONE and outcome.backend_ref == ""
    assert "journal only" in outcome.message and "no noc-app ack in force" in outcome.message
    assert fake.posts == 0 and fake.silences["maint"]["comment"] == "planned maintenance"
