"""The PagerDuty source through httpx.MockTransport: headers, paging, cut lists, errors, on-call cache."""

from __future__ import annotations

import copy
import json
from types import MappingProxyType

import httpx
import pytest

from noc_app.config.schema import AuthConfig, SecretRef
from noc_app.model import AlertState
from noc_app.sources.base import AuthFailed, PollPlan, RateLimited
from noc_app.sources.pagerduty import PagerDutySource
from tests.sources.conftest import fixture_json, json_response, source_config

TOKEN = "pd-test-key-9f8e7d6c5b4a"
ENV = "NOC_PD_TEST_TOKEN"


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, TOKEN)


def _config(**options: object) -> object:
    return source_config(
        "pagerduty", "https://api.pagerduty.test", id="pd",
        auth=AuthConfig(bearer=SecretRef(env=ENV)), options=MappingProxyType(dict(options)),
    )


def _incident(n: int, status: str = "triggered") -> dict[str, object]:
    base = copy.deepcopy(fixture_json("pagerduty", "get_incident_200.json"))["incident"]  # type: ignore[index]
    base.update(id=f"PINC{n:04d}", status=status, incident_number=n, title=f"incident {n}")
    return base  # type: ignore[no-any-return]


class Api:
    """A scripted PagerDuty: `total` open incidents served in pages as asked."""

    def __init__(self, total: int) -> None:
        self.incidents = [_incident(n) for n in range(total)]
        self.requests: list[httpx.Request] = []
        self.oncall_body: object = fixture_json("pagerduty", "list_oncalls_200.handbuilt.json")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/oncalls":
            return json_response(self.oncall_body)
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        page = self.incidents[offset:offset + limit]
        return json_response({"incidents": page, "limit": limit, "offset": offset,
                              "more": offset + limit < len(self.incidents)})

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def _source(api: Api, **options: object) -> PagerDutySource:
    clock = iter(float(t) for t in range(1_800_000_000, 1_800_100_000, 60))
    return PagerDutySource(_config(**options), PollPlan(alerts=True),  # type: ignore[arg-type]
                           transport=httpx.MockTransport(api), clock=lambda: next(clock))


def test_headers_statuses_and_filters_are_sent() -> None:
    api = Api(3)
    source = _source(api, service_ids=["PSVC1", "PSVC2"], urgencies=["high"])
    snap = source.poll()
    first = api.requests[0]
    assert first.headers["authorization"] == f"Token token={TOKEN}"
    assert first.headers["accept"] == "application/vnd.pagerduty+json;version=2"
    assert first.url.params.get_list("statuses[]") == ["triggered", "acknowledged"]
    assert first.url.params.get_list("service_ids[]") == ["PSVC1", "PSVC2"]
    assert first.url.params.get_list("urgencies[]") == ["high"]
    assert first.url.params["limit"] == "100"
    assert snap.alerts is not None and len(snap.alerts) == 3
    assert {a.state for a in snap.alerts} == {AlertState.FIRING}
    assert snap.alerts[0].oncall == "Earline Greenholt (level 1)"
    assert snap.degraded == () and not snap.notes


def test_pages_are_followed_until_more_is_false() -> None:
    api = Api(260)
    snap = _source(api).poll()
    offsets = [r.url.params["offset"] for r in api.requests if r.url.path == "/incidents"]
    assert offsets == ["0", "100", "200"]
    assert snap.alerts is not None and len(snap.alerts) == 260


def test_a_cut_list_says_so() -> None:
    api = Api(260)
    snap = _source(api, max_pages=2).poll()
    assert snap.alerts is not None and len(snap.alerts) == 200
    assert any("cut at 200" in n for n in snap.notes["alerts"])
    assert any("max_pages" in d for d in snap.degraded)


def test_oncall_is_cached_between_polls() -> None:
    api = Api(2)
    source = _source(api, oncall_refresh="5m")
    for _ in range(3):  # the test clock moves a minute per poll
        source.poll()
    assert api.paths().count("/oncalls") == 1
    for _ in range(5):
        source.poll()
    assert api.paths().count("/oncalls") == 2


def test_oncall_failure_keeps_the_board_and_says_why() -> None:
    api = Api(1)
    api.oncall_body = {"nope": []}
    snap = _source(api).poll()
    assert snap.alerts is not None and len(snap.alerts) == 1 and snap.alerts[0].oncall == ""
    assert any(d.startswith("on-call unavailable") for d in snap.degraded)


def test_bad_records_are_dropped_and_counted() -> None:
    api = Api(2)
    api.incidents.append({"id": "PBAD", "status": "exploded"})
    snap = _source(api).poll()
    assert snap.alerts is not None and len(snap.alerts) == 2
    assert snap.notes["alerts"] == ("1 incident dropped: unknown status 'exploded'",)


def test_unusable_list_is_the_section_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"incidents": "no"})

    source = PagerDutySource(_config(), PollPlan(alerts=True), transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    snap = source.poll()
    assert "expected an object with a 'incidents' list" in snap.errors["alerts"]
    assert snap.degraded and snap.degraded[0].startswith("no usable answer")


def test_429_is_rate_limited_with_ratelimit_reset() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": {"message": "Rate Limit Exceeded", "code": 2020}}
        return json_response(body, 429, **{"ratelimit-reset": "17", "ratelimit-remaining": "0"})

    source = PagerDutySource(_config(), PollPlan(alerts=True), transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    with pytest.raises(RateLimited) as caught:
        source.poll()
    assert caught.value.retry_after == 17.0
    assert "Rate Limit Exceeded" in str(caught.value)


def test_401_is_auth_failed_and_never_shows_the_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        echoed = request.headers["authorization"]
        return json_response({"error": {"message": "Unauthorized", "code": 2006, "errors": [echoed]}}, 401)

    source = PagerDutySource(_config(), PollPlan(alerts=True), transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    with pytest.raises(AuthFailed) as caught:
        source.poll()
    assert "Unauthorized (code 2006)" in str(caught.value)
    assert "Token token=***" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_missing_key_is_auth_failed_at_poll_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV)
    source = PagerDutySource(_config(), PollPlan(alerts=True), transport=httpx.MockTransport(Api(1)))  # type: ignore[arg-type]
    with pytest.raises(AuthFailed, match=ENV):
        source.poll()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"service_ids": [1, 2]}, "options.service_ids: expected a list of ids"),
        ({"urgencies": ["urgent"]}, "urgencies are high and low"),
        ({"max_pages": 0}, "options.max_pages"),
    ],
)
def test_bad_options_name_the_key(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PagerDutySource(_config(**options), PollPlan(alerts=True))  # type: ignore[arg-type]


def test_resolved_lookback_adds_recent_resolved() -> None:
    api = Api(1)
    snap = _source(api, resolved_lookback="1h").poll()
    lists = [r for r in api.requests if r.url.path == "/incidents"]
    assert [r.url.params.get_list("statuses[]") for r in lists] == [["triggered", "acknowledged"], ["resolved"]]
    assert lists[1].url.params["since"].endswith("Z")
    assert snap.alerts is not None


def test_json_of_a_fixture_list_page_parses_whole() -> None:
    body = fixture_json("pagerduty", "list_incidents_200.json")
    body["more"] = False  # type: ignore[index]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oncalls":
            return json_response({"oncalls": [], "more": False})
        return httpx.Response(200, content=json.dumps(body).encode())

    source = PagerDutySource(_config(), PollPlan(alerts=True), transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    snap = source.poll()
    assert snap.alerts is not None and [a.fingerprint for a in snap.alerts] == ["PT4KHLK"]
