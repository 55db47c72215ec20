"""IncidentBoardBody: severity first and spelled out, muted last but visible, +N more."""

from __future__ import annotations

import pytest
from wall_testkit import T0, alert, data, has_color_near, panel, snapshot

from noc_app.model import AlertState, DataState, Severity
from noc_app.selectors import panel_alerts
from noc_app.themes import load_theme
from noc_app.widgets.incident_board import IncidentBoardBody, firing_for

THEME = load_theme("dark")
PANEL = panel("inc", "incidents")


def _board(qtbot, width=1400, height=900, px=20):
    board = IncidentBoardBody(PANEL, THEME)
    qtbot.addWidget(board)
    board.set_text_px(px)
    board.resize(width, height)
    with qtbot.waitExposed(board):
        board.show()
    return board


def _sorted(*alerts):
    """Order as the selector orders them (the board never re-sorts)."""
    return panel_alerts(PANEL, {"src": snapshot(alerts=alerts)})


def test_rows_critical_first_muted_last_with_words(qtbot):
    board = _board(qtbot)
    alerts = _sorted(
        alert("DiskFilling", Severity.WARNING, starts_at=T0 - 60),
        alert("SilencedCritical", Severity.CRITICAL, state=AlertState.SILENCED, mute_reason="silenced by alice until 14:00: OPS-12"),
        alert("HighErrorRate", Severity.CRITICAL, starts_at=T0 - 720, labels={"service": "checkout", "instance": "10.0.0.5:9100", "team": "x"}),
        alert("LatencyHigh", Severity.HIGH),
    )
    board.refresh(data(alerts=alerts))
    rows = board.visible_rows
    assert [r.name for r in rows] == ["HighErrorRate", "LatencyHigh", "DiskFilling", "SilencedCritical"]
    assert rows[0].severity_text == "P0 CRITICAL"
    assert rows[2].severity_text == "P2 WARNING"
    assert rows[0].age_text == "for 12m"
    assert rows[2].age_text == "for 1m"
    assert "service=checkout" in rows[0].detail and "instance=10.0.0.5:9100" in rows[0].detail
    assert "team" not in rows[0].detail
    assert not rows[0].muted
    assert rows[3].state_tag == "SILENCED" and rows[3].muted
    assert rows[3].lineage == "silenced by alice until 14:00: OPS-12"
    assert rows[3].detail.startswith("silenced by alice")
    assert board.header_text == "1 P0 · 1 P1 · 1 P2 · 1 muted"
    assert board.more_text == ""


def test_lineage_falls_back_to_who_muted_it(qtbot):
    board = _board(qtbot)
    alerts = _sorted(
        alert("A", Severity.WARNING, state=AlertState.INHIBITED, inhibited_by=("NodeDown",)),
        alert("B", Severity.WARNING, state=AlertState.ACKNOWLEDGED, acknowledged_by="bob"),
        alert("C", Severity.WARNING, state=AlertState.SILENCED, silenced_by=("5f2c-silence",)),
    )
    board.refresh(data(alerts=alerts))
    by_name = {r.name: r for r in board.visible_rows}
    assert (by_name["A"].state_tag, by_name["A"].lineage) == ("INHIBITED", "inhibited by NodeDown")
    assert (by_name["B"].state_tag, by_name["B"].lineage) == ("ACKED", "acked by bob")
    assert (by_name["C"].state_tag, by_name["C"].lineage) == ("SILENCED", "silenced by 5f2c-silence")
    assert board.header_text == "0 active · 3 muted"


def test_two_hundred_alerts_show_what_fits_and_plus_n_more(qtbot):
    board = _board(qtbot, width=900, height=400, px=20)
    sevs = (Severity.CRITICAL, Severity.HIGH, Severity.WARNING, Severity.INFO)
    alerts = _sorted(*(alert(f"Alert{i:03d}", sevs[i % 4], starts_at=T0 - i) for i in range(200)))
    board.refresh(data(alerts=alerts))
    shown = len(board.visible_rows)
    assert 0 < shown < 10
    assert board.more_count == 200 - shown
    assert board.more_text == f"and {200 - shown} more"
    assert board.header_text == "50 P0 · 50 P1 · 50 P2 · 50 P3"
    assert all(r.severity is Severity.CRITICAL for r in board.visible_rows)
    board.resize(900, 2000)  # more room: more rows, fewer hidden
    qtbot.waitUntil(lambda: len(board.visible_rows) > shown)
    assert board.more_count == 200 - len(board.visible_rows)
    # What the operator sees: one red severity bar per visible row, and no row below them.
    assert _painted_row_bars(board) == [True] * len(board.visible_rows) + [False]


def test_a_board_still_loading_paints_no_rows(qtbot):
    """Negative control for the row check above: it sees the difference."""
    board = _board(qtbot, width=900, height=2000, px=20)
    board.refresh(data(DataState.LOADING, alerts=()))
    assert board.visible_rows == ()
    assert _painted_row_bars(board, rows=5) == [False] * 6


def _painted_row_bars(board, rows: int | None = None) -> list[bool]:
    """For each row slot (visible rows, plus one), is its left severity bar painted critical red?"""
    _, _, header_h, row_h, _ = board._metrics()  # the board's own layout: where each row is drawn
    image = board.grab().toImage()
    count = len(board.visible_rows) if rows is None else rows
    critical = THEME.color("critical")
    slots = []
    for i in range(count + 1):
        top = header_h + i * row_h
        slots.append(top + row_h < image.height() and has_color_near(image.copy(0, top + 4, 3, row_h - 8), critical, 8))
    return slots


def test_empty_board_is_calm_only_when_the_answer_is_known(qtbot):
    board = _board(qtbot)
    board.refresh(data(DataState.NO_DATA, alerts=()))
    assert board.empty_text == "No active incidents"
    assert board.header_text == ""
    board.refresh(data(DataState.LOADING, alerts=()))
    assert board.empty_text == ""
    board.refresh(data(DataState.AUTH_FAILED, alerts=()))
    assert board.empty_text == "Incident state unknown"
    board.refresh(data(DataState.DEGRADED, alerts=()))  # e.g. dead man's switch missing
    assert board.empty_text == "No alerts received — feed degraded"


def test_ages_advance_on_tick(qtbot):
    board = _board(qtbot)
    board.refresh(data(alerts=_sorted(alert("A", Severity.CRITICAL, starts_at=T0 - 30))))
    assert board.visible_rows[0].age_text == "for 30s"
    board.tick(T0 + 3600)
    assert board.visible_rows[0].age_text == "for 1h00m"
    assert firing_for(0.0, T0) == ""


def test_dimmed_board_draws_no_live_severity_colour(qtbot):
    board = _board(qtbot, width=900, height=300)
    alerts = _sorted(alert("HighErrorRate", Severity.CRITICAL))
    board.refresh(data(alerts=alerts))
    critical = THEME.color("critical")
    assert has_color_near(board.grab().toImage(), critical, tolerance=8)
    board.refresh(data(DataState.STALE, alerts=alerts))
    assert not has_color_near(board.grab().toImage(), critical, tolerance=40)
    assert board.visible_rows[0].severity_text == "P0 CRITICAL"  # still spelled out


def test_alike_alerts_fold_into_one_row_with_a_count(qtbot):
    """An unaggregated rule fires once per series; the board shows one row, not eleven."""
    board = _board(qtbot)
    per_status = [
        alert("HighErrorRate", Severity.CRITICAL, fingerprint=f"fp{s}", starts_at=T0 - 60 - s,
              summary="High error rate detected",
              labels={"service": "ecommerce-api", "instance": "api-1:8080", "status": str(s)})
        for s in (500, 502, 503)
    ]
    alerts = _sorted(*per_status, alert("DiskSpaceLow", Severity.WARNING))
    board.refresh(data(alerts=alerts))
    rows = board.visible_rows
    assert [(r.name, r.count) for r in rows] == [("HighErrorRate", 3), ("DiskSpaceLow", 1)]
    assert rows[0].title == "HighErrorRate ×3"
    assert "service=ecommerce-api" in rows[0].detail and "3 alerts, by status" in rows[0].detail
    assert rows[0].age_text == firing_for(T0 - 563, T0)  # the earliest member's start
    assert board.header_text.startswith("3 P0")  # counts stay per alert


def test_board_draws_the_model_it_is_given_and_decides_nothing(qtbot):
    from noc_app.selectors_incidents import IncidentBoard, board_from_alerts

    board = _board(qtbot)
    board.refresh(data(DataState.UNREACHABLE, board=IncidentBoard(empty_text="words from the selector")))
    assert board.empty_text == "words from the selector" and board.visible_rows == ()
    alerts = _sorted(alert("A", Severity.CRITICAL), alert("B", Severity.HIGH))
    model = board_from_alerts(alerts, DataState.OK)
    board.refresh(data(board=model, alerts=alerts))
    assert [r.name for r in board.visible_rows] == ["A", "B"]
    assert board.header_text == " · ".join(text for text, _ in model.counts)


def test_a_window_owns_one_alerts_memo_shared_by_its_views(qtbot):
    from wall_testkit import FakeClock, app_config, dashboard, store_with

    from noc_app.config.schema import Mode
    from noc_app.selectors_incidents import AlertsMemo
    from noc_app.widgets.wall_window import WallWindow

    dash_a, dash_b = dashboard(PANEL, did="a"), dashboard(PANEL, did="b")
    memo = AlertsMemo()
    window = WallWindow(app_config(dash_a, dash_b), (dash_a, dash_b), store_with(("src", "alertmanager")), THEME,
                        mode=Mode.WALL, clock=FakeClock(), alerts_memo=memo)
    qtbot.addWidget(window)
    assert window.alerts_memo is memo
    assert all(view._memo is memo for view in window.views)
    other = WallWindow(app_config(dash_a), (dash_a,), store_with(("src", "alertmanager")), THEME,
                       mode=Mode.WALL, clock=FakeClock())
    qtbot.addWidget(other)
    assert other.alerts_memo is not memo


def _two_hundred_alerts():
    sevs = (Severity.CRITICAL, Severity.HIGH, Severity.WARNING, Severity.INFO)
    states = (AlertState.FIRING,) * 5 + (AlertState.PENDING, AlertState.SILENCED)
    return _sorted(*(
        alert(f"{('HighErrorRate', 'KubePodCrashLooping', 'NodeFilesystemAlmostOutOfSpace')[i % 3]}{i // 3:02d}",
              sevs[i % 4], state=states[i % 7], fingerprint=f"fp{i}", starts_at=T0 - 37 * i,
              summary=f"Pod checkout-{i} in namespace shop is restarting {i} times / 5 minutes",
              labels={"service": f"svc-{i % 9}", "instance": f"10.0.{i % 250}.{i % 7}:9100", "job": "kubernetes-pods"},
              mute_reason="silenced by alice: planned DB failover (expires in 42m)" if i % 7 == 6 else "")
        for i in range(200)
    ))


@pytest.mark.parametrize(("width", "height", "px"), [(780, 700, 18), (1560, 1400, 36)])  # 1080p and 4K boards
def test_two_hundred_alerts_every_painted_text_fits_and_and_n_more_is_shown(qtbot, width, height, px):
    board = _board(qtbot, width=width, height=height, px=px)
    board.record_text = True
    board.refresh(data(alerts=_two_hundred_alerts()))
    board.grab()  # paints
    shown = len(board.visible_rows)
    assert 5 <= shown < 200 and board.more_count == 200 - shown
    assert board.more_text == f"and {200 - shown} more"
    painted = {text: (w, h, box) for text, w, h, box in board.painted_text}
    assert board.more_text in painted
    assert any(t.endswith("developing") for t in painted), "the header counts developing alerts"
    for text, (need_w, need_h, box) in painted.items():
        assert need_w <= box.width() + 1 and need_h <= box.height() + 1, f"{text!r} cut: needs {need_w}x{need_h} in {box}"
        assert board.rect().contains(box.adjusted(0, 0, -1, -1)) or not box.isValid(), f"{text!r} outside the board"
    # Every visible row drew its severity words and some of its name (elided with … when long).
    for row in board.visible_rows:
        assert row.severity_text in painted


def test_the_text_check_sees_a_cut_text(qtbot):
    """Negative control for the fit check: a board too narrow for its header is caught."""
    board = _board(qtbot, width=160, height=400, px=20)
    board.record_text = True
    board.refresh(data(alerts=_two_hundred_alerts()))
    board.grab()
    assert any(w > box.width() + 1 for _, w, _, box in board.painted_text)


def test_developing_rows_are_dimmed_and_tagged(qtbot):
    board = _board(qtbot)
    alerts = _sorted(alert("Muted", Severity.CRITICAL, state=AlertState.SILENCED),
                     alert("BudgetBurn", Severity.CRITICAL, state=AlertState.PENDING),
                     alert("Firing", Severity.WARNING))
    board.refresh(data(alerts=alerts))
    rows = {r.name: r for r in board.visible_rows}
    assert [r.name for r in board.visible_rows] == ["BudgetBurn", "Firing", "Muted"]  # a P0 about to fire first
    assert rows["BudgetBurn"].state_tag == "DEVELOPING" and rows["BudgetBurn"].muted
    assert board.header_text == "1 P2 · 1 developing · 1 muted"
