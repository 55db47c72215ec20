"""`noc-app incidents escalate|resolve` against a REAL Alertmanager: refused with the policy's reason."""

from __future__ import annotations

import json
import uuid

import pytest
from test_cli_actions_real import key_of, noc_app, post_alert, tagged_silences, write_config

from noc_app.state.sqlite import SqliteJournal

pytestmark = pytest.mark.integration


def test_alertmanager_refuses_resolve_and_escalate_and_lists_what_it_allows(alertmanager, tmp_path):
    run = uuid.uuid4().hex[:12]
    url = alertmanager.base_url
    post_alert(url, run, "CheckoutDown")
    config = write_config(tmp_path, url)
    key = key_of(config, run)

    resolved = noc_app("incidents", "resolve", key, "--comment", "fixed", "--as", "alice", "--config", str(config))
    assert resolved.returncode == 2, resolved.stderr
    assert "Alertmanager cannot resolve" in resolved.stderr
    escalated = noc_app("incidents", "escalate", key, "--level", "2", "--comment", "page the lead",
                        "--config", str(config))
    assert escalated.returncode == 2 and "Alertmanager cannot escalate" in escalated.stderr
    no_comment = noc_app("incidents", "resolve", key, "--config", str(config))
    assert no_comment.returncode == 2 and "resolve needs --comment" in no_comment.stderr

    listed = noc_app("incidents", "list", "--json", "--config", str(config))
    (item,) = [i for i in json.loads(listed.stdout) if i["key"] == key]
    assert item["allowed"] == ["ack", "note"] and item["duplicates"] == []
    assert (item["oncall"], item["dedup_key"]) == ("", "")

    journal = SqliteJournal(tmp_path / "state.db")
    try:  # refused before the network, and audited as refused
        audit = journal.audit(subject=key)
        assert [(e.action, e.outcome) for e in audit] == [("resolve refused", "rejected"),
                                                          ("escalate refused", "rejected")]
        assert "Alertmanager cannot resolve" in audit[0].detail and "cannot escalate" in audit[1].detail
    finally:
        journal.close()
    request_ids = [e.request_id for e in audit]
    assert all(tagged_silences(url, rid) == [] for rid in request_ids)  # nothing sent to Alertmanager
