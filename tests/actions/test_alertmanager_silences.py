"""The write half of Alertmanager silences (create/extend/expire), as the actions backend uses it."""

from __future__ import annotations

import json

import httpx
import pytest
from sources.conftest import Backend, fixture_bytes, fixture_json, json_response

from noc_app.actions.backends.alertmanager_silences import (
    InvalidSilence,
    create_silence,
    expire_silence,
    matchers_from_labels,
    silence_body,
)
from noc_app.sources.alertmanager_parse import SilenceMatcher
from noc_app.sources.base import BadResponse
from noc_app.sources.prometheus_parse import parse_rfc3339

AM = "alertmanager"
PEER1 = "http://am1.test:9093"
STARTS = parse_rfc3339("2026-11-28T02:40:00Z")
ENDS = STARTS + 7200


@pytest.fixture
def backend() -> Backend:
    return Backend()


def am_client(backend: Backend) -> httpx.Client:
    return httpx.Client(base_url=PEER1, transport=backend.transport)


def test_create_silence_posts_the_documented_body(backend):
    seen = []

    def accept(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response(fixture_bytes(AM, "post_silences_200.am_v0.25.0.json"))

    backend.route("/api/v2/silences", accept)
    labels = {"alertname": "DiskFilling", "instance": "127.0.0.1:9", "severity": "warning"}
    silence_id = create_silence(
        am_client(backend),
        matchers_from_labels(labels, ["alertname", "instance"]),
        STARTS,
        ENDS,
        "bob",
        "ack from NOC wall",
        request_id="r-1",
    )
    assert silence_id == "3bc8411d-6743-4e88-aa1d-29d2dedb5a31"
    (request,) = seen
    assert request.method == "POST" and str(request.url) == f"{PEER1}/api/v2/silences"
    assert request.headers["content-type"] == "application/json"
    body = json.loads(request.content)
    assert body == {
        "matchers": [
            {"name": "alertname", "value": "DiskFilling", "isRegex": False, "isEqual": True},
            {"name": "instance", "value": "127.0.0.1:9", "isRegex": False, "isEqual": True},
        ],
        "startsAt": "2026-11-28T02:40:00.000Z",
        "endsAt": "2026-11-28T04:40:00.000Z",
        "createdBy": "bob",
        "comment": "ack from NOC wall [noc-app request r-1]",
    }
    # Same keys as the body Alertmanager's own test posts (post_silences_request.test.json).
    assert set(body) == set(fixture_json(AM, "post_silences_request.test.json"))


def test_extending_a_silence_posts_its_id(backend):
    backend.route("/api/v2/silences", lambda r: json_response({"silenceID": json.loads(r.content)["id"]}))
    client = am_client(backend)
    got = create_silence(client, {"alertname": "X"}, STARTS, ENDS, "bob", "still firing", silence_id="abc")
    assert got == "abc"


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("post_silences_400_end_before_start.am_v0.25.0.json",
         "Failed to create silence: start time must be before end time"),
        ("post_silences_400_matches_empty.am_v0.25.0.json",
         "silence invalid: at least one matcher must not match the empty string"),
    ],
)  # fmt: skip
def test_create_silence_rejected_shows_alertmanagers_message(backend, fixture, message):
    backend.route("/api/v2/silences", json_response(fixture_bytes(AM, fixture), 400))
    with pytest.raises(BadResponse) as caught:
        create_silence(am_client(backend), {"alertname": "X"}, STARTS, ENDS, "bob", "why")
    text = str(caught.value)
    assert text.startswith(f"HTTP 400 from {PEER1}/api/v2/silences: {message}")
    assert '"' not in text  # the JSON string's quotes are gone


@pytest.mark.parametrize(
    ("matchers", "starts", "ends", "author", "comment", "fragment"),
    [
        ((), STARTS, ENDS, "bob", "c", "at least one matcher"),
        ({"alertname": "X"}, ENDS, STARTS, "bob", "c", "must end after it starts"),
        ({"alertname": "X"}, STARTS, ENDS, " ", "c", "author"),
        ({"alertname": "X"}, STARTS, ENDS, "bob", "", "comment"),
        ([SilenceMatcher(name="alertname", value=".*", is_regex=True)], STARTS, ENDS, "bob", "c",
         "empty string"),
        ([SilenceMatcher(name="", value="x")], STARTS, ENDS, "bob", "c", "empty label name"),
    ],
)
def test_invalid_silences_are_refused_before_sending(matchers, starts, ends, author, comment, fragment):
    with pytest.raises(InvalidSilence, match=fragment):
        silence_body(matchers, starts, ends, author, comment)


def test_negative_matcher_alongside_empty_match_is_refused_only_when_all_match_empty():
    ok = [
        SilenceMatcher(name="env", value="prod", is_equal=False),
        SilenceMatcher(name="alertname", value="X"),
    ]
    assert len(silence_body(ok, STARTS, ENDS, "bob", "c")["matchers"]) == 2
    with pytest.raises(InvalidSilence):
        silence_body([SilenceMatcher(name="env", value="prod", is_equal=False)], STARTS, ENDS, "bob", "c")


def test_expire_silence_deletes_the_singular_path(backend):
    seen = []

    def delete(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)  # Alertmanager answers an empty 200

    backend.route("/api/v2/silence/3bc8411d-6743-4e88-aa1d-29d2dedb5a31", delete)
    assert expire_silence(am_client(backend), "3bc8411d-6743-4e88-aa1d-29d2dedb5a31") is True
    assert [r.method for r in seen] == ["DELETE"]


def test_expire_of_a_gone_silence_is_not_an_error(backend):
    path = "/api/v2/silence/00000000-0000-0000-0000-000000000000"
    backend.route(path, json_response(fixture_bytes(AM, "delete_silence_unknown_500.am_v0.25.0.json"), 500))
    assert expire_silence(am_client(backend), "00000000-0000-0000-0000-000000000000") is False
    backend.route(path, json_response(b'"silence not found"', 404))
    assert expire_silence(am_client(backend), "00000000-0000-0000-0000-000000000000") is False


def test_expire_with_a_malformed_id_shows_the_validation_message(backend):
    body = fixture_bytes(AM, "delete_silence_bad_id_422.am_v0.25.0.json")
    backend.route("/api/v2/silence/not-a-uuid", json_response(body, 422))
    with pytest.raises(BadResponse, match='HTTP 422 .*silenceID in path must be of type uuid: "not-a-uuid"'):
        expire_silence(am_client(backend), "not-a-uuid")
