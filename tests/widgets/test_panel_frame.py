"""PanelFrame: every data state is spelled out, stale data is veiled, DEMO is labelled."""

from __future__ import annotations

from noc_app.config.schema import QueryConfig
from noc_app.display_text import tooltip_html
from noc_app.model import DataState, QueryResult, Severity, Target
from noc_app.panel_keys import query_key
from noc_app.sources.base import AuthFailed, Unreachable
from noc_app.themes import load_theme
from noc_app.widgets.dashboard_view import DashboardView
from noc_app.widgets.simple_panels import TargetsBody

from wall_testkit import T0, FakeClock, alert, dashboard, data, has_color_near, log_lines, metric_result, panel, snapshot, store_with

THEME = load_theme("dark")


def _view(qtbot, *panels, clock=None, interval_s=15.0):
    store = store_with(("src", "alertmanager"), interval_s=interval_s)
    clock = clock or FakeClock()
    view = DashboardView(dashboard(*panels), store, THEME, clock=clock)
    qtbot.addWidget(view)
    view.resize(1600, 900)
    with qtbot.waitExposed(view):
        view.show()
    return store, clock, view


def _incidents_view(qtbot, **kw):
    store, clock, view = _view(qtbot, panel("inc", "incidents"), **kw)
    return store, clock, view, view.frame("inc")


def test_loading_before_any_poll(qtbot):
    _, _, _, frame = _incidents_view(qtbot)
    assert frame.state is DataState.LOADING
    assert frame.pill_text == "LOADING"
    assert frame.pill_color_key == "loading"
    assert "waiting for src" in frame.message_text
    assert not frame.dimmed


def test_ok_shows_no_pill(qtbot):
    store, _clock, _, frame = _incidents_view(qtbot)
    store.apply("src", snapshot(alerts=(alert("A", Severity.CRITICAL),)), T0, 12.0)
    qtbot.waitUntil(lambda: frame.state is DataState.OK)
    assert frame.pill_text == ""
    assert frame.message_text == ""
    assert frame.age_text == ""
    assert not frame.dimmed


def test_stale_after_failure_keeps_data_dimmed_with_age(qtbot):
    store, clock, _, frame = _incidents_view(qtbot)
    store.apply("src", snapshot(alerts=(alert("A", Severity.CRITICAL),)), T0, 12.0)
    qtbot.waitUntil(lambda: frame.state is DataState.OK)
    clock.now = T0 + 252
    store.mark_failed("src", Unreachable("connection refused"), T0 + 252, 3.0)
    qtbot.waitUntil(lambda: frame.state is DataState.STALE)
    assert frame.pill_text == "STALE 4m12s"
    assert frame.pill_color_key == "stale"
    assert "data 4m12s old" in frame.message_text and "connection refused" in frame.message_text
    assert frame.dimmed
    assert frame._overlay.isVisible()
    assert frame.body.visible_rows[0].name == "A"  # last good data is kept, not blanked


def test_stale_by_time_alone_on_tick(qtbot):
    store, clock, view, frame = _incidents_view(qtbot)
    store.apply("src", snapshot(alerts=()), T0, 12.0)
    qtbot.waitUntil(lambda: frame.state is DataState.OK)
    clock.now = T0 + 3 * 15 + 30  # no success for more than 3 intervals, yet no error either
    view.tick()
    assert frame.state is DataState.STALE
    assert frame.pill_text == "STALE 1m15s"
    assert frame.dimmed


def test_unreachable_when_never_had_data(qtbot):
    store, _, _, frame = _incidents_view(qtbot)
    store.mark_failed("src", Unreachable("connection refused"), T0, 3.0)
    qtbot.waitUntil(lambda: frame.state is DataState.UNREACHABLE)
    assert frame.pill_text == "UNREACHABLE"
    assert frame.pill_color_key == "critical"
    assert "connection refused" in frame.message_text
    assert frame.message_color_key == "critical"
    assert frame.body.empty_text == "Incident state unknown"  # never "No active incidents"


def test_auth_failed(qtbot):
    store, _, _, frame = _incidents_view(qtbot)
    store.mark_failed("src", AuthFailed("HTTP 401 Unauthorized"), T0, 3.0)
    qtbot.waitUntil(lambda: frame.state is DataState.AUTH_FAILED)
    assert frame.pill_text == "AUTH FAILED"
    assert frame.pill_color_key == "critical"
    assert "HTTP 401" in frame.message_text


def test_degraded_shows_reason(qtbot):
    store, _, _, frame = _incidents_view(qtbot)
    reason = "alertmanager peer http://am-2:9093 unreachable"
    store.apply("src", snapshot(alerts=(alert("A", Severity.WARNING),), degraded=(reason,)), T0, 12.0)
    qtbot.waitUntil(lambda: frame.state is DataState.DEGRADED)
    assert frame.pill_text == "DEGRADED"
    assert frame.pill_color_key == "warning"
    assert frame.message_text == reason
    assert frame.toolTip() == tooltip_html(reason)  # escaped: Qt shows it literally
    assert not frame.dimmed


def test_backend_reason_with_markup_and_bidi_is_shown_literally(qtbot):
    store, _, _, frame = _incidents_view(qtbot)
    reason = '<img src="file:///etc/passwd"> peer \u202edown\nsecond line'
    store.apply("src", snapshot(alerts=(alert("A", Severity.WARNING),), degraded=(reason,)), T0, 12.0)
    qtbot.waitUntil(lambda: frame.state is DataState.DEGRADED)
    assert frame.message_text == '<img src="file:///etc/passwd"> peer ⟨U+202E⟩down ⏎ second line'
    assert frame.toolTip() == '<qt>&lt;img src="file:///etc/passwd"&gt; peer ⟨U+202E⟩down ⏎ second line</qt>'


def test_query_error_shows_backend_message_and_no_data(qtbot):
    store, _, view = _view(qtbot, panel("logs", "logs", x=0, w=12), panel("logs2", "logs", x=12, w=12))
    message = 'parse error at line 1, col 9: syntax error: unexpected IDENTIFIER'
    store.apply(
        "src",
        snapshot(metrics={query_key("dash", "logs", 0): metric_result(error=message)}, logs=()),
        T0,
        12.0,
    )
    errored, empty = view.frame("logs"), view.frame("logs2")
    qtbot.waitUntil(lambda: errored.state is DataState.QUERY_ERROR)
    assert errored.pill_text == "QUERY ERROR"
    assert errored.message_text == message
    assert errored.pill_color_key == "critical"
    assert empty.pill_text == "NO DATA"
    assert empty.pill_color_key == "no_data"
    assert empty.message_text == ""  # the pill says it; no extra line


def test_demo_badge_comes_from_the_snapshot(qtbot):
    store, _, _, frame = _incidents_view(qtbot)
    store.apply("src", snapshot(alerts=(), info={"badge": "DEMO"}), T0, 12.0)
    qtbot.waitUntil(lambda: frame.badge_text == "DEMO")
    store.apply("src", snapshot(alerts=(), info={}), T0 + 1, 12.0)
    qtbot.waitUntil(lambda: frame.badge_text == "")


def test_ok_panel_shows_small_age_only_past_two_intervals(qtbot):
    store, clock, view, frame = _incidents_view(qtbot)
    store.apply("src", snapshot(alerts=(alert("A", Severity.INFO),)), T0, 12.0)
    qtbot.waitUntil(lambda: frame.state is DataState.OK)
    clock.now = T0 + 20
    view.tick()
    assert frame.age_text == ""
    clock.now = T0 + 35  # > 2 x 15 s, still below the staleness limit
    view.tick()
    assert frame.state is DataState.OK
    assert frame.age_text == "35s ago"


def test_body_redraws_only_when_content_changes(qtbot):
    store, clock, view, frame = _incidents_view(qtbot)
    snap = snapshot(alerts=(alert("A", Severity.CRITICAL),))
    store.apply("src", snap, T0, 12.0)
    qtbot.waitUntil(lambda: frame.state is DataState.OK)
    count = frame.body_refresh_count
    store.apply("src", snap, T0 + 15, 11.0)  # same content: status_changed only
    clock.now = T0 + 16
    view.tick()
    view.tick()
    qtbot.waitUntil(lambda: not view._flush_timer.isActive())
    assert frame.body_refresh_count == count
    store.apply("src", snapshot(alerts=(alert("A", Severity.CRITICAL), alert("B", Severity.WARNING))), T0 + 30, 11.0)
    qtbot.waitUntil(lambda: frame.body_refresh_count == count + 1)
    assert [r.name for r in frame.body.visible_rows] == ["A", "B"]


def test_log_frame_from_store_appends(qtbot):
    store, _, view = _view(qtbot, panel("logs", "logs"))
    frame = view.frame("logs")
    store.apply("src", snapshot(logs=log_lines(0, 5)), T0, 10.0)
    qtbot.waitUntil(lambda: frame.body.document().blockCount() == 5)
    store.apply("src", snapshot(logs=log_lines(2, 9)), T0 + 2, 10.0)
    qtbot.waitUntil(lambda: frame.body.document().blockCount() == 9)
    assert frame.body.appended_count == 9


def test_stale_frame_never_shows_the_ok_colour(qtbot):
    store, clock, view = _view(qtbot, panel("targets", "targets"))
    frame = view.frame("targets")
    targets = tuple(Target(job="node", instance=f"host{i}:9100", health="up") for i in range(6))
    store.apply("src", snapshot(targets=targets), T0, 10.0)
    qtbot.waitUntil(lambda: frame.state is DataState.OK)
    ok = THEME.color("ok")
    assert has_color_near(frame.grab().toImage(), ok)  # live: green tiles (so the check below can fail)
    clock.now = T0 + 60
    store.mark_failed("src", Unreachable("connection refused"), T0 + 60, 3.0)
    qtbot.waitUntil(lambda: frame.state is DataState.STALE)
    assert not has_color_near(frame.body.grab().toImage(), ok)
    assert not has_color_near(frame.grab().toImage(), ok)


def test_metric_frames_spell_query_error_and_no_data(qtbot):
    kinds = ("timeseries", "stat", "gauge")
    panels = [panel(k, k, x=i * 8, w=8, queries=(QueryConfig(expr="up"),)) for i, k in enumerate(kinds)]
    store, _, view = _view(qtbot, *panels)
    store.apply(
        "src",
        snapshot(metrics={
            query_key("dash", "timeseries", 0): metric_result(error="bad_data: unknown function rate2"),
            query_key("dash", "stat", 0): metric_result([]),
            query_key("dash", "gauge", 0): QueryResult.build(
                metric_result([42.0]).series, warnings=("result truncated to 500 series",)
            ),
        }),
        T0,
        10.0,
    )
    qtbot.waitUntil(lambda: view.frame("gauge").state is DataState.OK)
    assert view.frame("timeseries").pill_text == "QUERY ERROR"
    assert view.frame("timeseries").message_text == "bad_data: unknown function rate2"
    assert view.frame("stat").pill_text == "NO DATA"
    assert view.frame("gauge").pill_text == ""
    assert view.frame("gauge").message_text == "result truncated to 500 series"
    assert view.frame("gauge").message_color_key == "warning"


def test_targets_grid_puts_down_first_and_counts_the_rest(qtbot):
    body = TargetsBody(panel("targets", "targets"), THEME)
    qtbot.addWidget(body)
    body.set_text_px(20)
    body.resize(600, 120)  # room for 2 rows of 3 tiles
    targets = [Target(job="node", instance=f"host{i}:9100", health="up") for i in range(9)]
    targets.append(Target(job="api", instance="api-1:8080", health="down", last_error="connection refused"))
    body.refresh(data(targets=tuple(targets)))
    assert body.visible_tiles[0].instance == "api-1:8080"
    assert body.visible_tiles[0].health_text == "DOWN" and body.visible_tiles[0].color_key == "critical"
    assert len(body.visible_tiles) + body.more_count == 10
    assert body.more_count > 0
    body.refresh(data(DataState.LOADING, targets=()))
    assert body.empty_text == ""  # never "No targets" before the answer
    body.refresh(data(DataState.OK, targets=()))
    assert body.empty_text == "No targets"
