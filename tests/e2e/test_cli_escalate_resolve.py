"""`noc-app incidents escalate|resolve` and the new `incidents list --json` fields, in process.

The incident backend is a fake standing in for PagerDuty (source kind `pagerduty`): the
command line goes through the same policy, journal and audit as the wall.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

import noc_app.cli_list  # noqa: F401 (imported before the fixture patches poll_incidents under it)
from noc_app import cli
from noc_app.actions import wiring
from noc_app.actions.errors import Retryable
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, OutcomeStatus
from noc_app.model import Alert, AlertState, Severity
from noc_app.state.sqlite import SqliteJournal

REQUEST_ID = re.compile(r"\(request ([0-9a-f]{32})\)")
LABELS = {"alertname": "HighErrorRate", "service": "checkout", "incident": "INC-7"}


class FakePagerDuty:
    """Records what it was asked; `answer` decides the outcome (or raises)."""

    def __init__(self) -> None:
        self.seen: list[ActionRequest] = []
        self.fail: Exception | None = None

    def perform(self, request: ActionRequest) -> ActionOutcome:
        self.seen.append(request)
        if self.fail is not None:
            raise self.fail
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE, message=f"{request.kind.value}d",
                             backend_ref="PD123")

    def close(self) -> None:
        pass


ALERTS = {
    "am": (Alert(fingerprint="fp-am", source_id="am", name="HighErrorRate", severity=Severity.CRITICAL,
                 state=AlertState.FIRING, labels=LABELS),),
    "pd": (Alert(fingerprint="PD123", source_id="pd", name="HighErrorRate", severity=Severity.HIGH,
                 state=AlertState.FIRING, labels={"alertname": "HighErrorRate"}, dedup_key="INC-7", oncall="Ada"),
           Alert(fingerprint="PD999", source_id="pd", name="Resolved", severity=Severity.HIGH,
                 state=AlertState.RESOLVED)),
}


@pytest.fixture
def pagerduty(tmp_path, monkeypatch):
    backend = FakePagerDuty()
    config = tmp_path / "wall.yaml"
    config.write_text(
        "sources:\n"
        "  - {id: am, kind: alertmanager, url: 'http://127.0.0.1:9'}\n"
        "  - {id: pd, kind: pagerduty, url: 'https://api.pagerduty.test', read_only: false}\n"
        "dashboards:\n  - id: d\n    panels:\n      - {id: i, kind: incidents, title: I, sources: [am, pd]}\n"
        f"state: {{url: 'sqlite:///{tmp_path}/state.db'}}\n"
        "incidents: {dedup_key: 'label:incident'}\n",
        encoding="utf-8",
    )

    def fake_poll(config, *, raised=None):
        wanted = {s.id for s in config.sources}
        return {sid: alerts for sid, alerts in ALERTS.items() if sid in wanted}, {}

    monkeypatch.setattr("noc_app.cli_incident_lookup.poll_incidents", fake_poll)
    monkeypatch.setattr("noc_app.cli_list.poll_incidents", fake_poll)
    real_backends = wiring.action_backends

    def backends(cfg):  # the real Alertmanager backend, the fake in PagerDuty's place
        without_pd = dataclasses.replace(cfg, sources=tuple(s for s in cfg.sources if s.kind != "pagerduty"))
        return {**real_backends(without_pd), "pd": backend}

    monkeypatch.setattr(wiring, "action_backends", backends)
    return backend, str(config), tmp_path / "state.db"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_escalate_goes_to_the_backend_with_its_level_and_is_audited(capsys, pagerduty):
    backend, config, db = pagerduty
    code, out, err = run(capsys, "incidents", "escalate", "pd/PD123", "--level", "2", "--comment", "no answer in 15m",
                         "--as", "alice", "--config", config)
    assert code == 0, err
    (request,) = backend.seen
    assert (request.kind, request.escalation_level, request.comment) == (ActionKind.ESCALATE, 2, "no answer in 15m")
    request_id = REQUEST_ID.search(out).group(1)
    assert request.request_id == request_id and out.startswith("escalate pd/PD123: done")
    journal = SqliteJournal(db)
    try:
        assert journal.get(request_id).state.value == "done"
        assert [e.action for e in journal.audit(request_id=request_id)] == ["escalate requested", "escalate"]
    finally:
        journal.close()


def test_resolve_by_bare_fingerprint_and_queued_when_the_backend_is_down(capsys, pagerduty):
    backend, config, _ = pagerduty
    code, _, err = run(capsys, "incidents", "resolve", "PD123", "--comment", "rolled back", "--config", config)
    assert code == 0, err
    assert [(r.kind, r.incident.text) for r in backend.seen] == [(ActionKind.RESOLVE, "pd/PD123")]
    backend.fail = Retryable("PagerDuty did not answer", retry_after=30)
    code, _, err = run(capsys, "incidents", "resolve", "pd/PD123", "--comment", "again", "--config", config)
    assert code == 3 and "queued in the outbox" in err


def test_escalate_and_resolve_need_a_comment_and_a_valid_level(capsys, pagerduty):
    backend, config, _ = pagerduty
    code, _, err = run(capsys, "incidents", "resolve", "pd/PD123", "--config", config)
    assert code == 2 and "resolve needs --comment" in err
    code, _, err = run(capsys, "incidents", "escalate", "pd/PD123", "--comment", "  ", "--config", config)
    assert code == 2 and "escalate needs --comment" in err
    with pytest.raises(SystemExit) as caught:
        cli.main(["incidents", "escalate", "pd/PD123", "--level", "0", "--comment", "x", "--config", config])
    assert caught.value.code == 2
    assert backend.seen == []


def test_alertmanager_refuses_escalate_and_resolve_with_the_policys_reason(capsys, pagerduty):
    backend, config, _ = pagerduty
    code, _, err = run(capsys, "incidents", "resolve", "am/fp-am", "--comment", "done", "--config", config)
    assert code == 2 and "Alertmanager cannot resolve" in err
    code, _, err = run(capsys, "incidents", "escalate", "am/fp-am", "--comment", "page", "--config", config)
    assert code == 2 and "Alertmanager cannot escalate" in err
    code, _, err = run(capsys, "incidents", "escalate", "pd/PD999", "--comment", "x", "--config", config)
    assert code == 2 and "the incident is resolved" in err
    assert backend.seen == []


def test_list_json_gives_oncall_dedup_key_duplicates_and_allowed_actions(capsys, pagerduty):
    _, config, _ = pagerduty
    code, out, err = run(capsys, "incidents", "list", "--json", "--config", config)
    assert code == 0, err
    items = {i["key"]: i for i in json.loads(out)}
    am, pd = items["am/fp-am"], items["pd/PD123"]
    assert am["duplicates"] == ["pd/PD123"] and pd["duplicates"] == ["am/fp-am"]
    assert am["also_in"] == [{"source": "pd", "fingerprint": "PD123"}]
    assert (pd["oncall"], pd["dedup_key"]) == ("Ada", "INC-7")
    assert am["allowed"] == ["ack", "note"]  # Alertmanager: no escalate, no resolve; nothing to unack
    assert pd["allowed"] == ["ack", "note", "escalate", "resolve"]
    assert items["pd/PD999"]["duplicates"] == [] and items["pd/PD999"]["allowed"] == ["note"]
    code, out, _ = run(capsys, "incidents", "list", "--config", config)
    assert code == 0 and "pd/PD123  P1  firing on call Ada  HighErrorRate  (also am/fp-am)" in out
