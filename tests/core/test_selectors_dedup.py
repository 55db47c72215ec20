"""Cross-backend de-duplication in the incidents selector: one problem, one row, every backend named."""

from __future__ import annotations

import pytest

from noc_app.config.schema import AppConfig, DashboardConfig, GridPos, IncidentsConfig, Mode, PanelConfig, SourceConfig
from noc_app.model import Alert, AlertState, DataState, Severity, Snapshot, SourceHealth, SourceStatus
from noc_app.selectors_dedup import dedup_key_of
from noc_app.selectors_incidents import AlertsMemo, panel_alerts, select_incident_board
from noc_app.selectors_board_rows import board_rows
from noc_app.wall_state import wall_state

NOW = 1_700_000_000.0
BOARD = PanelConfig(id="inc", kind="incidents", title="Incidents", sources=("am", "pd", "og"),
                    grid=GridPos(x=0, y=0, w=12, h=6))


def _alert(fp, source, *, name="HighErrorRate", severity=Severity.CRITICAL, state=AlertState.FIRING,
           dedup_key="", labels=None, acked_by="", oncall="", starts=NOW - 600):
    return Alert(fingerprint=fp, source_id=source, name=name, severity=severity, state=state, dedup_key=dedup_key,
                 labels=labels or {"alertname": name, "service": "checkout"}, acknowledged_by=acked_by,
                 oncall=oncall, starts_at=starts)


def _snaps(am=(), pd=(), og=()):
    return {"am": Snapshot.build("am", NOW, alerts=am), "pd": Snapshot.build("pd", NOW, alerts=pd),
            "og": Snapshot.build("og", NOW, alerts=og)}


def _board(snaps, dedup):
    return select_incident_board(BOARD, snaps, DataState.OK, AlertsMemo(dedup=dedup))


AM = _alert("f1", "am", labels={"alertname": "HighErrorRate", "service": "checkout", "incident": "INC-7"})
PD = _alert("P123", "pd", dedup_key="f1", severity=Severity.HIGH, oncall="Ada")
OG = _alert("og-9", "og", dedup_key="f1")


@pytest.mark.parametrize(("rule", "alert", "key"), [
    ("", AM, ""),
    ("dedup_key", PD, "f1"),
    ("alias", OG, "f1"),
    ("dedup_key", AM, "f1"),  # no dedup_key of its own: its fingerprint
    ("fingerprint", PD, "P123"),
    ("label:incident", AM, "INC-7"),
    ("label:incident", PD, "f1"),  # no such label: its dedup_key
    ("label:absent", AM, ""),
])
def test_the_key_of_each_rule(rule, alert, key):
    assert dedup_key_of(alert, rule) == key


def test_without_a_rule_nothing_is_merged():
    board = select_incident_board(BOARD, _snaps(am=(AM,), pd=(PD,)), DataState.OK)
    assert [(a.source_id, a.fingerprint) for a in board.alerts] == [("am", "f1"), ("pd", "P123")]
    assert not board.members
    assert _board(_snaps(am=(AM,), pd=(PD,)), "").members == {}


def test_an_alertmanager_alert_and_its_pagerduty_incident_are_one_row_naming_both():
    board = _board(_snaps(am=(AM,), pd=(PD,)), "dedup_key")
    (shown,) = board.alerts
    assert (shown.source_id, shown.fingerprint) == ("am", "f1")  # the panel's first source names the row
    assert shown.oncall == "Ada" and shown.severity is Severity.CRITICAL
    assert [m.source_id for m in board.members_of(shown)] == ["am", "pd"]
    (row,) = board_rows(board, NOW, fit=5, markers={})
    assert row.detail.startswith("am + pd — ")
    assert row.key == ("am", "f1")


def test_three_backends_merge_and_the_row_reads_as_the_most_urgent_member():
    acked_am = _alert("f1", "am", state=AlertState.ACKNOWLEDGED, acked_by="bob", severity=Severity.WARNING)
    board = _board(_snaps(am=(acked_am,), pd=(PD,), og=(OG,)), "dedup_key")
    (shown,) = board.alerts
    assert shown.state is AlertState.FIRING  # PagerDuty still triggered: the row stays active
    assert shown.severity is Severity.CRITICAL  # the worst member's (Opsgenie's)
    assert shown.fingerprint == "f1" and shown.source_id == "am"  # identity does not move with the state
    assert [m.source_id for m in board.members_of(shown)] == ["am", "pd", "og"]
    assert board.members_of(shown)[0] is acked_am  # the real member, for the policy and the requests


def test_a_resolved_member_takes_no_part():
    resolved_pd = _alert("P123", "pd", dedup_key="f1", state=AlertState.RESOLVED)
    board = _board(_snaps(am=(AM,), pd=(resolved_pd,)), "dedup_key")
    assert [(a.source_id, a.fingerprint) for a in board.alerts] == [("am", "f1")]
    assert board.members == {}
    (row,) = board_rows(board, NOW, fit=5, markers={})
    assert " + " not in row.detail


def test_two_alerts_of_one_backend_stay_two_problems():
    other = _alert("f2", "am", labels={"alertname": "HighErrorRate", "service": "checkout", "incident": "INC-7"})
    board = _board(_snaps(am=(AM, other), pd=(_alert("P1", "pd", dedup_key="INC-7"),)), "label:incident")
    assert len(board.alerts) == 2
    (merged,) = board.members.values()
    assert [(m.source_id, m.fingerprint) for m in merged] == [("am", "f1"), ("pd", "P1")]


def test_label_rule_matches_a_pagerduty_dedup_key_to_an_alertmanager_label():
    pd = _alert("P9", "pd", dedup_key="INC-7")
    alerts = panel_alerts(BOARD, _snaps(am=(AM,), pd=(pd,)), AlertsMemo(dedup="label:incident"))
    assert [(a.source_id, a.fingerprint) for a in alerts] == [("am", "f1")]
    assert len(panel_alerts(BOARD, _snaps(am=(AM,), pd=(pd,)), AlertsMemo(dedup="dedup_key"))) == 2


def test_the_snapshot_json_lists_the_other_backends():
    sources = tuple(SourceConfig(id=s, kind="alertmanager") for s in ("am", "pd", "og"))
    pd_only = PanelConfig(id="pd-only", kind="incidents", title="PD", source="pd", grid=GridPos(x=0, y=6, w=12, h=6))
    config = AppConfig(path="t.yaml", title="t", mode=Mode.WALL, theme="dark", sources=sources,
                       dashboards=(DashboardConfig(id="d", title="d", panels=(BOARD, pd_only)),),
                       incidents=IncidentsConfig(dedup_key="dedup_key"))
    statuses = {s.id: SourceStatus(source_id=s.id, kind=s.kind, health=SourceHealth.OK, last_success_at=NOW)
                for s in sources}
    state = wall_state(config, _snaps(am=(AM,), pd=(PD,), og=(_alert("x", "og"),)), statuses, NOW)
    by_key = {(i["source"], i["fingerprint"]): i for i in state["incidents"]}
    assert by_key[("am", "f1")]["also_in"] == [{"source": "pd", "fingerprint": "P123"}]
    assert by_key[("am", "f1")]["oncall"] == "Ada"
    assert by_key[("og", "x")]["also_in"] == []
    assert ("pd", "P123") not in by_key  # listed once, though a board of PagerDuty alone shows it
    assert len(state["incidents"]) == 2
