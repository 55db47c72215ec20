"""The incidents selector and the per-dashboard fan-out: pure functions, one place each."""

from __future__ import annotations

import pytest

from noc_app.config.schema import AppConfig, DashboardConfig, GridPos, Mode, PanelConfig, SourceConfig
from noc_app.model import Alert, AlertState, DataState, Severity, Snapshot, SourceHealth, SourceStatus
from noc_app.selectors_incidents import EMPTY_CALM, EMPTY_DEGRADED, EMPTY_UNKNOWN, AlertsMemo, board_from_alerts, select_incident_board
from noc_app.selectors_board_rows import board_rows
from noc_app.selectors_wall import read_sources, select_dashboard, wall_incidents
from noc_app.wall_state import wall_state

NOW = 1_700_000_000.0
BOARD = PanelConfig(id="inc", kind="incidents", title="Incidents", sources=("am", "am2"), grid=GridPos(x=0, y=0, w=12, h=6))


def _alert(fp, severity=Severity.CRITICAL, state=AlertState.FIRING, source="am", name=None, starts=NOW - 90):
    return Alert(fingerprint=fp, source_id=source, name=name or fp, severity=severity, state=state, starts_at=starts)


def _status(sid, health=SourceHealth.OK, last_ok=NOW - 1):
    return SourceStatus(source_id=sid, kind="alertmanager", health=health, last_success_at=last_ok, interval_s=15.0)


def _snaps(*am, am2=()):
    return {"am": Snapshot.build("am", NOW, alerts=tuple(am)), "am2": Snapshot.build("am2", NOW, alerts=tuple(am2))}


def test_board_dedupes_groups_and_counts_once():
    same = _alert("x", source="am")
    snaps = _snaps(same, same, _alert("y", name="x"), _alert("m", state=AlertState.SILENCED),
                   _alert("r", state=AlertState.RESOLVED), am2=(_alert("w", Severity.WARNING, source="am2"),))
    board = select_incident_board(BOARD, snaps, DataState.OK)
    assert [a.fingerprint for a in board.alerts] == ["x", "y", "w", "m"]  # resolved dropped, duplicate once
    assert [len(g) for g in board.groups] == [2, 1, 1]  # x and y read the same: one row
    assert board.counts == (("2 P0", Severity.CRITICAL), ("1 P2", Severity.WARNING), ("1 muted", None))
    assert board.empty_text == "" and not board.claims_empty
    rows = board_rows(board, NOW, fit=2, markers={("am", "x"): "ACK PENDING"})
    assert [(r.title, r.marker, r.age_text) for r in rows] == [("x ×2", "ACK PENDING", "for 1m"), ("w", "", "for 1m")]


@pytest.mark.parametrize(("state", "text", "claims"), [
    (DataState.OK, EMPTY_CALM, True),
    (DataState.NO_DATA, EMPTY_CALM, True),
    (DataState.STALE, EMPTY_CALM, True),
    (DataState.DEGRADED, EMPTY_DEGRADED, False),
    (DataState.LOADING, "", False),
    (DataState.UNREACHABLE, EMPTY_UNKNOWN, False),
    (DataState.AUTH_FAILED, EMPTY_UNKNOWN, False),
    (DataState.QUERY_ERROR, EMPTY_UNKNOWN, False),
])
def test_an_empty_board_claims_calm_only_when_it_could_ask(state, text, claims):
    board = select_incident_board(BOARD, _snaps(), state)
    assert (board.empty_text, board.claims_empty) == (text, claims)
    assert board_from_alerts((), state) == board


def test_the_memo_is_owned_and_keyed_on_fingerprints():
    snaps = _snaps(_alert("a"))
    memo, other = AlertsMemo(), AlertsMemo()
    first = select_incident_board(BOARD, snaps, DataState.OK, memo)
    assert select_incident_board(BOARD, snaps, DataState.OK, memo).groups is first.groups  # not re-sorted
    assert len(memo) == 1 and len(other) == 0  # no shared, module-level entries
    changed = _snaps(_alert("a"), _alert("b", Severity.HIGH))
    assert [a.fingerprint for a in select_incident_board(BOARD, changed, DataState.OK, memo).alerts] == ["a", "b"]
    # The empty-claim follows the state even when the selection comes from the memo.
    assert select_incident_board(BOARD, _snaps(), DataState.UNREACHABLE, memo).empty_text == EMPTY_UNKNOWN


class _Reader:
    def __init__(self, snapshots, statuses):
        self._snapshots, self._statuses = snapshots, statuses

    def source_ids(self):
        return tuple(self._statuses)

    def snapshot(self, sid):
        return self._snapshots.get(sid)

    def status(self, sid):
        return self._statuses[sid]


def test_fan_out_shows_unknown_sources_as_loading_and_agrees_with_wall_state():
    dash = DashboardConfig(id="d", title="D", panels=(BOARD,))
    reader = _Reader(_snaps(_alert("a"), _alert("b", source="am")), {"am": _status("am")})
    snapshots, statuses = read_sources(reader, ("am", "am2"))
    assert set(statuses) == {"am"}  # am2 is not registered
    (selection,) = select_dashboard(dash, snapshots, statuses, NOW, 3.0)
    assert selection.data.view.state is DataState.LOADING  # worst of OK and not-yet-known
    assert selection.interval_s == 15.0
    assert [a.fingerprint for a in wall_incidents([selection, selection])] == ["a", "b"]  # once across boards
    config = AppConfig(path="w.yaml", title="t", mode=Mode.WALL, theme="dark",
                       sources=(SourceConfig(id="am", kind="alertmanager", url="http://x"),), dashboards=(dash,))
    state = wall_state(config, snapshots, statuses, NOW)
    assert state["dashboards"][0]["panels"][0]["state"] == selection.data.view.state.value
    assert [i["fingerprint"] for i in state["incidents"]] == ["a", "b"]
    assert state["dashboards"][0]["panels"][0]["incident_count"] == 2
