"""The board with noise reduction: held-back warnings, maintenance, flapping, folded counts, problem hints."""

from __future__ import annotations

import dataclasses

import pytest
from noise_kit import T0, alert, board_panel, snapshot

from noc_app.model import AlertState, DataState, Severity
from noc_app.noise.config import FlapRule, MaintenanceWindow, NoiseConfig
from noc_app.noise.flapping import FLAPS_KEY, FlapReport
from noc_app.noise.reduce import reduce_alerts
from noc_app.selectors_incidents import select_incident_board
from noc_app.selectors_board_rows import board_rows
from noc_app.selectors_noise import NoiseMemo, folded_text, quiet_tag

PANEL = board_panel("src")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _board(snaps, noise=None, now=T0, panel=PANEL, memo=None):
    memo = memo if memo is not None else NoiseMemo(noise=noise or NoiseConfig(), clock=Clock(now))
    return select_incident_board(panel, snaps, DataState.OK, memo)


def _rows(board, now=T0):
    return board_rows(board, now, 50, {})


@pytest.mark.parametrize(("raw", "rows", "text"), [
    (312, 9, "312 alerts → 9 incidents"), (2, 1, "2 alerts → 1 incident"), (3, 3, ""), (0, 0, "")])
def test_folded_text(raw, rows, text):
    assert folded_text(raw, rows) == text


def test_the_header_says_how_many_alerts_were_folded_into_how_many_rows():
    per_status = [alert("HighErrorRate", fp=f"e{code}", service="api", status=str(code)) for code in range(500, 512)]
    others = [alert("DiskFull", Severity.WARNING, node="n1"), alert("CpuHigh", Severity.HIGH, node="n2")]
    board = _board({"src": snapshot(*per_status, *others)})
    assert len(board.groups) == 3
    assert board.counts[-1] == ("14 alerts → 3 incidents", None)
    assert board.noise.raw_alerts == 14
    rows = _rows(board)
    assert rows[0].title == "HighErrorRate ×12"


def test_grouping_by_several_labels_folds_with_counts():
    alerts = [alert("HighErrorRate", fp=f"a{i}", service="api", status=str(500 + i)) for i in range(3)]
    alerts += [alert("HighLatency", fp="b", service="api"), alert("HighErrorRate", fp="c", service="web")]
    board = _board({"src": snapshot(*alerts)}, panel=board_panel("src", group_by=("alertname", "service")))
    titles = sorted(r.title for r in _rows(board))
    assert titles == ["HighErrorRate · service=api ×3", "HighErrorRate · service=web", "HighLatency · service=api"]
    assert board.counts[-1] == ("5 alerts → 3 incidents", None)


@pytest.mark.parametrize(("severity", "age", "shown"), [
    (Severity.WARNING, 60, False), (Severity.WARNING, 120, True), (Severity.INFO, 10, False),
    (Severity.CRITICAL, 1, True), (Severity.HIGH, 1, True), (Severity.WARNING, None, True),  # no start: shown
])
def test_a_warning_shows_only_once_it_has_fired_for_the_minimum_duration(severity, age, shown):
    noise = NoiseConfig(warning_min_duration_s=120)
    a = alert("X", severity, starts_at=0 if age is None else T0 - age)
    reduced = reduce_alerts([a], {}, noise, T0)
    assert (reduced.active == (a,)) is shown
    assert reduced.held_back == (0 if shown else 1)


def test_a_held_back_warning_appears_when_its_time_comes_without_a_new_poll():
    clock = Clock(T0)
    noise = NoiseConfig(warning_min_duration_s=120)
    memo = NoiseMemo(noise=noise, clock=clock)
    snaps = {"src": snapshot(alert("Crit", starts_at=T0 - 1), alert("Warn", Severity.WARNING, starts_at=T0 - 60))}
    board = _board(snaps, memo=memo)
    assert [g[0].name for g in board.groups] == ["Crit"]
    assert board.counts == (("1 P0", Severity.CRITICAL), ("1 held < 2m", None), ("2 alerts → 1 incident", None))
    assert board.noise.until == T0 + 60
    clock.now = T0 + 59
    assert _board(snaps, memo=memo) is not None and len(_board(snaps, memo=memo).groups) == 1
    clock.now = T0 + 60
    board = _board(snaps, memo=memo)
    assert [g[0].name for g in board.groups] == ["Crit", "Warn"]
    assert board.noise.held_back == 0


def test_maintenance_rows_are_calm_last_and_not_counted_as_active():
    window = MaintenanceWindow(name="db patching", match={"service": "db"}, start=T0 - 60, end=T0 + 3600)
    noise = NoiseConfig(maintenance=(window,))
    snaps = {"src": snapshot(
        alert("DbDown", service="db"),
        alert("ApiDown", Severity.HIGH, service="api"),
        alert("Backup", state=AlertState.SILENCED, service="backup", fp="s1"),
    )}
    snaps["src"] = dataclasses.replace(snaps["src"], alerts=(
        *snaps["src"].alerts[:2],
        dataclasses.replace(snaps["src"].alerts[2], mute_reason="silenced by bob: planned maintenance OPS-7"),
        alert("Other", state=AlertState.SILENCED, service="x", fp="s2"),
    ))
    board = _board(snaps, noise)
    rows = _rows(board)
    assert [(r.name, r.state_tag) for r in rows] == [
        ("ApiDown", ""), ("Other", "SILENCED"), ("DbDown", "MAINTENANCE"), ("Backup", "MAINTENANCE")]
    assert rows[2].muted and rows[2].detail.startswith("maintenance: db patching")
    assert rows[3].detail.startswith("silenced by bob: planned maintenance")
    assert [t for t, _ in board.counts] == ["1 P1", "1 muted", "2 in maintenance"]
    later = _board(snaps, noise, now=T0 + 3600)  # the window closed
    assert (_rows(later)[0].name, _rows(later)[0].state_tag) == ("DbDown", "")


def test_a_flapping_alert_is_one_calm_row_with_its_count_and_stays_while_gone():
    steady, flappy, gone = alert("Steady", fp="s"), alert("Flappy", fp="f"), alert("Gone", Severity.HIGH, fp="g")
    report = FlapReport(counts={"f": 4, "g": 5}, held=(gone,))
    snap = dataclasses.replace(snapshot(steady, flappy), prepared={FLAPS_KEY: report})
    noise = NoiseConfig(flapping=FlapRule(changes=3, window_s=600))
    board = _board({"src": snap}, noise)
    rows = _rows(board)
    assert [(r.name, r.state_tag) for r in rows] == [
        ("Steady", ""), ("Flappy", "FLAPPING ×4 in 10m"), ("Gone", "FLAPPING ×5 in 10m")]
    assert rows[1].muted and rows[1].countdown == ""
    assert [t for t, _ in board.counts] == ["1 P0", "2 flapping"]


def test_problems_become_hint_lines_and_row_notes():
    noise = NoiseConfig(topology={"checkout": ("payments",), "payments": ("db",)})
    snaps = {"src": snapshot(
        alert("HighLatency", service="checkout", starts_at=T0 - 100),
        alert("HighErrorRate", service="payments", starts_at=T0 - 200),
        alert("DbDown", Severity.HIGH, service="db", starts_at=T0 - 300),
        alert("Unrelated", Severity.WARNING, service="mail", starts_at=T0 - 5000),
    )}
    board = _board(snaps, noise)
    assert board.noise.hints == (
        "3 incidents · probable cause: db (started first, payments and checkout depend on it)",)
    notes = {r.name: r.detail for r in _rows(board)}
    assert notes["DbDown"].startswith("probable cause")
    assert notes["HighLatency"].startswith("linked to db")
    assert not notes["Unrelated"].startswith(("linked", "probable"))


def test_muted_or_flapping_incidents_are_not_linked_into_problems():
    snaps = {"src": snapshot(alert("A", service="api", starts_at=T0 - 10),
                             alert("B", service="api", state=AlertState.SILENCED, starts_at=T0 - 20))}
    assert _board(snaps).noise.problems == ()


def test_the_memo_re_decides_on_a_new_flap_report_even_when_the_alerts_are_the_same():
    clock = Clock(T0)
    memo = NoiseMemo(noise=NoiseConfig(flapping=FlapRule(changes=1)), clock=clock)
    a = alert("A", fp="a")
    plain = snapshot(a)
    assert _board({"src": plain}, memo=memo).noise.tags == {}
    flagged = dataclasses.replace(plain, prepared={FLAPS_KEY: FlapReport(counts={"a": 2})})
    assert _board({"src": flagged}, memo=memo).noise.tags == {("src", "a"): "FLAPPING ×2 in 10m"}


def test_without_noise_settings_the_selection_keeps_its_rows():
    snaps = {"src": snapshot(alert("A", service="api"), alert("B", Severity.WARNING, starts_at=T0 - 1))}
    board = _board(snaps)
    assert [g[0].name for g in board.groups] == ["A", "B"]
    assert board.counts == (("1 P0", Severity.CRITICAL), ("1 P2", Severity.WARNING))


def test_quiet_tag_names_what_a_sound_or_takeover_should_skip():
    window = MaintenanceWindow(name="w", match={"service": "db"}, start=T0 - 1, end=T0 + 1)
    noise = NoiseConfig(maintenance=(window,), flapping=FlapRule(changes=1))
    db, api, flappy = alert("DbDown", service="db"), alert("ApiDown", service="api"), alert("F", fp="f")
    snap = dataclasses.replace(snapshot(db, api, flappy), prepared={FLAPS_KEY: FlapReport(counts={"f": 2})})
    board = _board({"src": snap}, noise)
    assert [quiet_tag(board, a) for a in (db, api, flappy)] == ["MAINTENANCE", "", "FLAPPING ×2 in 10m"]


def test_only_a_silence_that_says_maintenance_reads_as_maintenance():
    from noc_app.noise.reduce import is_maintenance_silence

    def silenced(reason: str):
        return dataclasses.replace(alert("A", state=AlertState.SILENCED), mute_reason=reason)

    assert is_maintenance_silence(silenced("silenced by bob until 04:00: Maintenance of db-1"))
    assert not is_maintenance_silence(silenced("silenced by maintainer-bot: noisy"))
    assert not is_maintenance_silence(dataclasses.replace(alert("A"), mute_reason="maintenance"))  # not silenced


def test_hint_lines_show_backend_controls_visibly():
    snaps = {"src": snapshot(alert("A", service="api\u202e", starts_at=T0 - 10),
                             alert("B", service="api\u202e", starts_at=T0 - 20))}
    (hint,) = _board(snaps).noise.hints
    assert "\u202e" not in hint and "probable cause: api" in hint
