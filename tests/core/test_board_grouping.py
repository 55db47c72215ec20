"""The incident board's grouping, sorting, counts, "and N more", developing alerts, and where it is computed.

Pure: the incidents selector and the worker-side preparation, without Qt.
"""

from __future__ import annotations

import textwrap

import pytest

import noc_app.selectors_incidents as selectors_incidents
from noc_app.config.loader import ConfigError, load_config_text
from noc_app.config.schema import GridPos, PanelConfig
from noc_app.model import Alert, AlertState, DataState, Severity, Snapshot
from noc_app.plans import build_plans
from noc_app.selectors_incidents import DEVELOPING_TAG, board_from_alerts, more_text, prepared_key, select_incident_board, with_prepared
from noc_app.selectors_board_rows import board_rows
from noc_app.sources.deadman import read_deadman

NOW = 1_700_000_000.0


def _panel(*sources: str, group_by: tuple[str, ...] = ("alertname",)) -> PanelConfig:
    return PanelConfig(id="inc", kind="incidents", title="Incidents", sources=sources or ("am",),
                       grid=GridPos(x=0, y=0, w=12, h=6), group_by=group_by)


def _alert(fp: str, name: str, severity=Severity.CRITICAL, state=AlertState.FIRING, *, age=60.0, source="am",
           **labels: str) -> Alert:
    return Alert(fingerprint=fp, source_id=source, name=name, severity=severity, state=state,
                 starts_at=NOW - age, labels={"alertname": name, **labels})


def _board(alerts, panel=None, state=DataState.OK):
    return select_incident_board(panel or _panel(), {"am": Snapshot.build("am", NOW, alerts=alerts)}, state)


def test_rows_group_by_alertname_with_counts_sorted_by_priority_then_age():
    alerts = [
        _alert("d1", "DiskFull", Severity.WARNING, age=30, instance="db-1"),
        *(_alert(f"e{i}", "HighErrorRate", Severity.CRITICAL, age=600 + i, status=str(500 + i)) for i in range(5)),
        _alert("l1", "Latency", Severity.HIGH, age=10),
        _alert("c1", "CertExpiry", Severity.CRITICAL, age=5),  # as urgent as HighErrorRate, but newer
        _alert("d2", "DiskFull", Severity.WARNING, age=900, instance="db-2"),
    ]
    board = _board(alerts)
    rows = board_rows(board, NOW, fit=10, markers={})
    assert [(r.title, r.severity_text) for r in rows] == [
        ("CertExpiry", "P0 CRITICAL"),
        ("HighErrorRate ×5", "P0 CRITICAL"),
        ("Latency", "P1 HIGH"),
        ("DiskFull ×2", "P2 WARNING"),
    ]
    assert [len(g) for g in board.groups] == [1, 5, 1, 2]
    assert rows[1].detail.endswith("5 alerts, by status")
    assert rows[1].age_text == "for 10m"  # the group's oldest member
    assert board.counts == (("6 P0", Severity.CRITICAL), ("1 P1", Severity.HIGH), ("2 P2", Severity.WARNING))


def test_within_a_priority_rows_read_newest_first_by_the_age_they_show():
    # HighErrorRate's newest member is the newest alert, but the row says "for 10m" (its oldest member).
    alerts = [_alert("e1", "HighErrorRate", age=1), _alert("e2", "HighErrorRate", age=600),
              _alert("t1", "TargetDown", age=120), _alert("c1", "CertExpiry", age=30)]
    rows = board_rows(_board(alerts), NOW, fit=5, markers={})
    assert [(r.name, r.age_text) for r in rows] == [
        ("CertExpiry", "for 30s"), ("TargetDown", "for 2m"), ("HighErrorRate", "for 10m")]


def test_the_worst_member_leads_its_group_and_places_it():
    # One name, two severities: one row, at the worst member's priority.
    alerts = [_alert("w", "Svc", Severity.WARNING, age=5), _alert("x", "Other", Severity.HIGH),
              _alert("c", "Svc", Severity.CRITICAL, age=500)]
    rows = board_rows(_board(alerts), NOW, fit=5, markers={})
    assert [(r.title, r.severity_text) for r in rows] == [("Svc ×2", "P0 CRITICAL"), ("Other", "P1 HIGH")]


def test_group_by_a_label_or_a_list_names_the_rows_by_their_labels():
    alerts = [_alert("a", "HighErrorRate", service="api"), _alert("b", "Latency", service="api"),
              _alert("c", "DiskFull", Severity.WARNING, service="db"), _alert("d", "NoService", Severity.INFO)]
    rows = board_rows(_board(alerts, _panel(group_by=("service",))), NOW, fit=5, markers={})
    assert [r.title for r in rows] == ["service=api ×2", "service=db", "service=(none)"]
    assert rows[0].detail.startswith("HighErrorRate, Latency — service=api · 2 alerts, by alertname")
    rows = board_rows(_board(alerts, _panel(group_by=("alertname", "service"))), NOW, fit=5, markers={})
    assert [r.title for r in rows][:2] == ["HighErrorRate · service=api", "Latency · service=api"]


def test_and_n_more_counts_hidden_rows_and_their_alerts():
    alerts = [_alert(f"a{i}", f"Alert{i % 6}", age=i) for i in range(30)]
    board = _board(alerts)
    assert len(board.groups) == 6
    assert more_text(board, 2) == "and 4 more (20 alerts)"
    single = _board([_alert(f"s{i}", f"S{i}") for i in range(4)])
    assert more_text(single, 1) == "and 3 more"
    assert more_text(single, 4) == ""


def test_pending_alerts_are_developing_dimmed_after_the_firing_ones_of_their_priority():
    alerts = [_alert("m", "Muted", state=AlertState.SILENCED),
              _alert("p", "ErrorBudgetBurn", Severity.CRITICAL, AlertState.PENDING, age=20),
              _alert("f", "DiskFull", Severity.WARNING),
              _alert("c", "ServiceDown", Severity.CRITICAL, age=600)]
    board = _board(alerts)
    rows = board_rows(board, NOW, fit=5, markers={})
    # A P0 about to fire sits above a firing P2: a room sees it before its `for:` runs out.
    assert [r.name for r in rows] == ["ServiceDown", "ErrorBudgetBurn", "DiskFull", "Muted"]
    developing = rows[1]
    assert developing.state_tag == DEVELOPING_TAG and developing.muted  # painted dimmed, tagged
    assert developing.age_text == "for 20s"
    assert not rows[0].muted and not rows[2].state_tag
    assert board.counts == (("1 P0", Severity.CRITICAL), ("1 P2", Severity.WARNING), ("1 developing", None),
                            ("1 muted", None))


def test_a_declared_dead_mans_switch_is_not_listed_and_its_absence_degrades():
    watchdog = _alert("w", "Watchdog", Severity.INFO)
    real = _alert("r", "DiskFull", Severity.WARNING)
    reading = read_deadman((watchdog, real), "Watchdog")
    assert [a.name for a in reading.alerts] == ["DiskFull"]
    assert reading.info == {"deadman": "Watchdog firing"} and reading.degraded == ()
    assert [r.name for r in board_rows(board_from_alerts(reading.alerts, DataState.OK), NOW, 5, {})] == ["DiskFull"]
    missing = read_deadman((real,), "Watchdog")
    assert missing.alerts == (real,) and missing.degraded and missing.info == {"deadman": "Watchdog missing"}
    assert read_deadman((watchdog,), "").alerts == (watchdog,)  # none declared: an ordinary alert


def test_a_prepared_board_is_taken_as_it_is_the_gui_side_sorts_and_groups_nothing(monkeypatch):
    alerts = tuple(_alert(f"a{i}", f"Alert{i % 40}", (Severity.CRITICAL, Severity.WARNING)[i % 2], age=i)
                   for i in range(5000))
    computed = _board(alerts)  # the GUI-side path, for comparison
    snap = with_prepared(Snapshot.build("am", NOW, alerts=alerts), [("alertname",)])  # what the worker does
    assert prepared_key(("alertname",)) in snap.prepared
    assert snap == Snapshot.build("am", NOW, alerts=alerts)  # derived: not part of the content

    calls = {"sort": 0, "group": 0}

    def spy_sort_key(alert):
        calls["sort"] += 1
        raise AssertionError("the GUI path sorted alerts")

    def spy_group(*args, **kwargs):
        calls["group"] += 1
        raise AssertionError("the GUI path grouped alerts")

    monkeypatch.setattr(selectors_incidents, "alert_sort_key", spy_sort_key)
    monkeypatch.setattr(selectors_incidents, "group_alerts", spy_group)
    board = select_incident_board(_panel(), {"am": snap}, DataState.OK)
    assert calls == {"sort": 0, "group": 0}
    assert board.groups == computed.groups and board.counts == computed.counts
    assert board_rows(board, NOW, 20, {}) == board_rows(computed, NOW, 20, {})
    # Negative control: the same snapshot without what the worker prepared is sorted here.
    with pytest.raises(AssertionError, match="sorted"):
        select_incident_board(_panel(), {"am": Snapshot.build("am", NOW, alerts=alerts)}, DataState.OK)


def test_a_board_of_several_sources_or_another_grouping_is_not_taken_from_one_sources_preparation():
    alerts = (_alert("a", "A", service="x"), _alert("b", "B", service="x"))
    snap = with_prepared(Snapshot.build("am", NOW, alerts=alerts), [("alertname",)])
    by_service = select_incident_board(_panel(group_by=("service",)), {"am": snap}, DataState.OK)
    assert [len(g) for g in by_service.groups] == [2]
    both = select_incident_board(_panel("am", "pd"), {"am": snap, "pd": Snapshot.build("pd", NOW, alerts=())},
                                 DataState.OK)
    assert [len(g) for g in both.groups] == [1, 1]


CONFIG = """\
title: t
sources:
  - {id: am, kind: alertmanager, url: "http://am:9093"}
  - {id: am2, kind: alertmanager, url: "http://am2:9093"}
dashboards:
  - id: d
    title: D
    panels:
      - {id: one, kind: incidents, title: One, source: am}
      - {id: svc, kind: incidents, title: Svc, source: am, group_by: [service, alertname]}
      - {id: both, kind: incidents, title: Both, sources: [am, am2], group_by: service}
"""


def test_group_by_config_and_the_plan_that_prepares_boards_in_the_worker():
    config = load_config_text(CONFIG, filename="wall.yaml")
    panels = {p.id: p for p in config.dashboards[0].panels}
    assert panels["one"].group_by == ("alertname",)
    assert panels["svc"].group_by == ("service", "alertname")
    assert panels["both"].group_by == ("service",)
    plans = build_plans(config)
    assert plans["am"].alert_groupings == (("alertname",), ("service", "alertname"))
    assert plans["am2"].alert_groupings == ()  # a board of two sources merges them on the GUI side


@pytest.mark.parametrize(("line", "problem"), [
    ("{id: x, kind: incidents, title: X, source: am, group_by: []}",
     "expected a label name or a list of label names"),
    ("{id: x, kind: logs, title: X, source: am, group_by: service}", "key 'group_by' only applies to kind incidents"),
])
def test_bad_group_by_is_a_clear_error(line, problem):
    text = CONFIG.split("    panels:\n")[0] + "    panels:\n" + textwrap.indent("- " + line + "\n", "      ")
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, filename="wall.yaml")
    assert problem in str(caught.value)
