"""Who acts (config, OS user, claimed names) and that no secret reaches the state database or the logs."""

from __future__ import annotations

import logging

import httpx
import pytest
from action_helpers import FIXED_DELAY, FakeClock, make_request

from noc_app.actions.backends.alertmanager import AlertmanagerBackend
from noc_app.actions.errors import InvalidRequest
from noc_app.actions.execute import execute
from noc_app.actions.identity import current_operator
from noc_app.actions.model import ActionKind, OutcomeStatus, Role
from noc_app.config.schema import AuthConfig, OperatorConfig, SecretRef, SourceConfig
from noc_app.sources.http import make_client
from noc_app.state.sqlite import SqliteJournal


def test_operator_from_config_else_the_os_user():
    who = current_operator(OperatorConfig(name="Alice Ops"), user=lambda: "alice", host=lambda: "ws-1")
    assert (who.name, who.os_user, who.host, who.claimed, who.role) == (
        "Alice Ops", "alice", "ws-1", False, Role.OPERATOR)
    anonymous = current_operator(OperatorConfig(), role=Role.LEAD, user=lambda: "bob", host=lambda: "ws-2")
    assert (anonymous.name, anonymous.role) == ("bob", Role.LEAD)


def test_the_role_comes_from_the_config_and_a_claimed_name_keeps_it(tmp_path):
    from noc_app.config.loader import load_config

    path = tmp_path / "wall.yaml"
    path.write_text("operator: {name: Lee, role: lead}\nsources:\n  - {id: demo, kind: demo}\n"
                    "dashboards:\n  - id: d\n    panels:\n      - {id: n, kind: text, title: N, text: hi}\n", encoding="utf-8")
    config = load_config(path)
    assert config.operator.role == "lead"
    assert current_operator(config.operator, user=lambda: "lee", host=lambda: "h").role is Role.LEAD
    claimed = current_operator(OperatorConfig(role="viewer"), claimed_name="bot", user=lambda: "r", host=lambda: "h")
    assert claimed.role is Role.VIEWER
    assert current_operator(OperatorConfig(), user=lambda: "x", host=lambda: "h").role is Role.OPERATOR


def test_a_claimed_name_is_recorded_as_claimed_beside_the_os_user():
    who = current_operator(OperatorConfig(name="Alice"), claimed_name="chatops-bot", user=lambda: "root",
                           host=lambda: "jump-1")
    assert (who.name, who.os_user, who.claimed, who.text) == ("chatops-bot", "root", True, "chatops-bot (claimed)")


@pytest.mark.parametrize("name", ["", "   ", "a\x1b[31mred", "x" * 200])
def test_bad_claimed_names_are_refused(name):
    with pytest.raises(InvalidRequest):
        current_operator(OperatorConfig(), claimed_name=name, user=lambda: "root", host=lambda: "h")


TOKEN = "s3cr3t-am-token-9f8e7d"


def test_no_secret_reaches_the_database_or_the_logs(tmp_path, monkeypatch, caplog):
    """A hostile Alertmanager echoes our Authorization header in every error body."""
    monkeypatch.setenv("NOC_TEST_AM_TOKEN", TOKEN)
    seen_auth: list[str] = []

    def hostile(request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization", "")
        seen_auth.append(auth)
        if request.method == "GET" and len(seen_auth) == 1:
            return httpx.Response(200, json=[])  # the ack's look-up finds nothing...
        if request.method == "POST":
            return httpx.Response(400, json=f"bad silence from {auth}")  # ...its POST is rejected, echoed
        return httpx.Response(503, json=f"overloaded; you sent {auth}")  # the unack is retryable, echoed

    config = SourceConfig(id="am", kind="alertmanager", url="http://am:9093",
                          auth=AuthConfig(bearer=SecretRef(env="NOC_TEST_AM_TOKEN")))
    backend = AlertmanagerBackend(
        config, client_factory=lambda cfg, peer: make_client(cfg, base_url=peer,
                                                             transport=httpx.MockTransport(hostile)))
    journal = SqliteJournal(tmp_path / "state.db")
    caplog.set_level(logging.DEBUG)
    try:
        rejected = execute(make_request(), backend, journal, clock=FakeClock(), retry_delay=FIXED_DELAY)
        queued = execute(make_request(ActionKind.UNACK), backend, journal, clock=FakeClock(),
                         retry_delay=FIXED_DELAY)
    finally:
        journal.close()
        backend.close()
    assert seen_auth and all(a == f"Bearer {TOKEN}" for a in seen_auth), "the token was not even sent"
    assert rejected.status is OutcomeStatus.REJECTED and "bad silence from Bearer ***" in rejected.message
    assert queued.status is OutcomeStatus.QUEUED and "overloaded; you sent Bearer ***" in queued.message
    files = sorted(tmp_path.glob("state.db*"))
    assert files, "no database files to search"
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), f"the token is in {path.name}"
    assert b"overloaded; you sent Bearer ***" in b"".join(p.read_bytes() for p in files)  # the search sees text
    assert TOKEN not in caplog.text
