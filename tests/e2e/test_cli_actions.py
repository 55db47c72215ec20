"""`noc-app incidents` / `noc-app outbox` in process, on the built-in demo wall (no servers)."""

from __future__ import annotations

import json
import re

import pytest

from noc_app import cli
from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator
from noc_app.state.sqlite import SqliteJournal, default_path

REQUEST_ID = re.compile(r"\(request ([0-9a-f]{32})\)")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def demo_incidents(capsys) -> list[dict]:
    code, out, _ = run(capsys, "incidents", "list", "--json")
    assert code == 0
    return json.loads(out)


def test_list_prints_keys_and_json_incidents(capsys):
    incidents = demo_incidents(capsys)
    assert incidents and all(i["key"] == f"{i['source']}/{i['fingerprint']}" for i in incidents)
    code, out, _ = run(capsys, "incidents", "list")
    assert code == 0 and incidents[0]["key"] in out


def test_note_is_journalled_with_the_claimed_name(capsys):
    key = demo_incidents(capsys)[0]["key"]
    code, out, _ = run(capsys, "incidents", "note", key, "vendor says 10 minutes", "--as", "bob")
    assert code == 0
    request_id = REQUEST_ID.search(out).group(1)
    journal = SqliteJournal(default_path())
    try:
        row = journal.get(request_id)
        assert row.state.value == "done" and row.payload["comment"] == "vendor says 10 minutes"
        assert [e.actor for e in journal.audit(request_id=request_id)] == ["bob (claimed)"] * 2
    finally:
        journal.close()


def test_policy_refusals_and_bad_keys_exit_2(capsys):
    incidents = demo_incidents(capsys)
    acked = next(i for i in incidents if i["acknowledged_by"])
    code, _, err = run(capsys, "incidents", "ack", acked["key"])
    assert code == 2 and f"already acknowledged by {acked['acknowledged_by']}" in err
    firing = next(i for i in incidents if i["state"] == "firing")
    code, _, err = run(capsys, "incidents", "ack", firing["key"])  # the demo source takes no acks
    assert code == 2 and "takes no actions" in err
    assert run(capsys, "incidents", "ack", "no-slash")[0] == 2
    assert run(capsys, "incidents", "ack", "nosuch/abc")[0] == 2
    code, _, err = run(capsys, "incidents", "ack", "demo/0000")
    assert code == 2 and "no such incident" in err
    code, _, err = run(capsys, "incidents", "ack", firing["key"], "--match", "alertname=SomethingElse")
    assert code == 2 and "does not match" in err
    code, _, err = run(capsys, "incidents", "note", firing["key"], "x", "--as", "bad\x1bname")
    assert code == 2 and "control characters" in err


@pytest.mark.parametrize("args", [["incidents", "ack", "k", "--duration", "forever"],
                                  ["incidents", "ack", "k", "--duration", "1h", "--until-resolved"],
                                  ["incidents", "ack", "k", "--match", "novalue"],
                                  ["incidents"], ["outbox", "cancel"]])
def test_bad_usage_exits_2(capsys, args):
    with pytest.raises(SystemExit) as caught:
        cli.main(args)
    assert caught.value.code == 2


def test_outbox_list_and_cancel(capsys):
    journal = SqliteJournal(default_path())
    request = ActionRequest(kind=ActionKind.ACK, incident=IncidentKey(source_id="am", fingerprint="ab12"),
                            operator=Operator(name="carol"), labels={"alertname": "X"})
    from noc_app.state.records import NewAction

    journal.record(NewAction(request_id=request.request_id, kind="ack", source_id="am",
                             payload=request.to_record(), created_at=request.requested_at))
    journal.close()
    code, out, _ = run(capsys, "outbox", "list", "--json")
    assert code == 0 and [i["id"] for i in json.loads(out)] == [request.request_id]
    code, out, _ = run(capsys, "outbox", "list")
    assert code == 0 and request.request_id in out and "by carol" in out
    assert run(capsys, "outbox", "cancel", request.request_id, "--as", "dave")[0] == 0
    code, _, err = run(capsys, "outbox", "cancel", request.request_id)
    assert code == 2 and "cancelled" in err
    assert run(capsys, "outbox", "cancel", "f" * 32)[0] == 2
    code, out, _ = run(capsys, "outbox", "list")
    assert out.strip() == "outbox empty"
    journal = SqliteJournal(default_path())
    try:
        assert [(e.actor, e.action) for e in journal.audit(request_id=request.request_id)] == [
            ("dave (claimed)", "ack cancelled")]
    finally:
        journal.close()


def test_flush_of_an_empty_outbox(capsys):
    code, out, _ = run(capsys, "outbox", "flush")
    assert code == 0 and "nothing to deliver" in out


def test_a_bare_fingerprint_and_comment_name_the_note(capsys):
    incident = demo_incidents(capsys)[0]
    code, out, _ = run(capsys, "incidents", "note", incident["fingerprint"], "--comment", "bridge open", "--as", "bob")
    assert code == 0 and f"{incident['source']}/{incident['fingerprint']}" in out
    request_id = REQUEST_ID.search(out).group(1)
    journal = SqliteJournal(default_path())
    try:
        row = journal.get(request_id)
        assert (row.source_id, row.payload["comment"]) == (incident["source"], "bridge open")
        subject = f"{incident['source']}/{incident['fingerprint']}"
        assert [e.request_id for e in journal.audit(subject=subject)] == [request_id] * 2
    finally:
        journal.close()
    code, _, err = run(capsys, "incidents", "note", incident["fingerprint"], "twice", "--comment", "twice")
    assert code == 2 and "give the note once" in err


def test_list_json_items_are_the_snapshots_incident_objects(capsys):
    from noc_app.wall_state import incident_entry
    from noc_app.model import AlertState, Severity, Alert

    sample = incident_entry(Alert(fingerprint="f", source_id="s", name="n", severity=Severity.CRITICAL,
                                  state=AlertState.FIRING))
    for item in demo_incidents(capsys):
        assert set(item) == set(sample) | {"key", "duplicates", "allowed"}
        assert {"fingerprint", "source", "name", "priority", "state", "acknowledged_by"} <= set(item)


def test_a_fingerprint_in_two_sources_needs_its_source(capsys, tmp_path):
    config = tmp_path / "two.yaml"
    config.write_text("sources:\n  - {id: east, kind: demo}\n  - {id: west, kind: demo}\ndashboards:\n"
                      "  - id: d\n    panels:\n      - {id: e, kind: incidents, title: E, source: east}\n"
                      "      - {id: w, kind: incidents, title: W, source: west}\n", encoding="utf-8")
    code, out, _ = run(capsys, "incidents", "list", "--json", "--config", str(config))
    assert code == 0
    items = json.loads(out)
    by_fp: dict[str, set[str]] = {}
    for item in items:
        by_fp.setdefault(item["fingerprint"], set()).add(item["source"])
    shared = [fp for fp, sources in by_fp.items() if len(sources) > 1]
    unique = [fp for fp, sources in by_fp.items() if len(sources) == 1]
    if shared:
        code, _, err = run(capsys, "incidents", "note", shared[0], "--comment", "x", "--config", str(config))
        assert code == 2 and "write SOURCE/FINGERPRINT" in err
    if unique:
        code, out, _ = run(capsys, "incidents", "note", unique[0], "--comment", "x", "--config", str(config))
        assert code == 0 and f"{next(iter(by_fp[unique[0]]))}/{unique[0]}" in out
    assert shared or unique
    code, _, err = run(capsys, "incidents", "note", "0" * 16, "--comment", "x", "--config", str(config))
    assert code == 2 and "no incident with fingerprint" in err


def test_raised_incidents_in_the_state_database_are_listed_and_acked(capsys, tmp_path):
    """No Alertmanager: the app's own incidents live in the state database, under the source noc-app."""
    from noc_app.actions.backends.state_raised import raised_fingerprint
    from noc_app.actions.raised import RaisedIncident
    from noc_app.actions.wiring import open_state, raised_sink
    from noc_app.config.loader import load_config

    config = tmp_path / "wall.yaml"
    config.write_text(f"sources:\n  - {{id: demo, kind: demo}}\nstate: {{url: 'sqlite:///{tmp_path}/state.db'}}\n"
                      "dashboards:\n  - id: d\n    panels:\n      - {id: i, kind: incidents, title: I, source: demo}\n",
                      encoding="utf-8")
    burn = RaisedIncident(name="SLOBurnRateFast", severity="critical", labels={"slo": "checkout"})
    loaded = load_config(str(config))
    journal = open_state(loaded)
    try:
        raised_sink(loaded, journal).publish([burn])
    finally:
        journal.close()
    key = f"noc-app/{raised_fingerprint(burn.all_labels)}"

    def raised() -> dict:
        code, out, _ = run(capsys, "incidents", "list", "--json", "--config", str(config))
        assert code == 0
        (item,) = [i for i in json.loads(out) if i["key"] == key]
        return item

    item = raised()
    assert (item["source"], item["name"], item["priority"], item["acknowledged_by"]) == (
        "noc-app", "SLOBurnRateFast", "P0", "")
    code, out, err = run(capsys, "incidents", "ack", key.split("/")[1], "--comment", "on it", "--as", "carol",
                         "--config", str(config))
    assert code == 0, err
    assert f"ack {key}: done" in out
    assert raised()["acknowledged_by"] == "carol"
    code, _, err = run(capsys, "incidents", "ack", key, "--comment", "me too", "--as", "dave", "--config", str(config))
    assert code == 2 and "already acknowledged by carol" in err
    code, _, err = run(capsys, "incidents", "unack", key, "--comment", "handing over", "--as", "carol",
                         "--config", str(config))
    assert code == 0, err
    assert raised()["acknowledged_by"] == ""
