"""Playlists: per-item dwell (timed with an injected clock), per-item variable values, no blanking on rotation."""

from __future__ import annotations

import textwrap

import pytest

from noc_app.config.errors import ConfigError
from noc_app.config.loader import load_config_text
from noc_app.config.schema import Mode, QueryConfig
from noc_app.model import DataState
from noc_app.playlist_rotation import Rotation, item_dwells, screen_dwells
from noc_app.plans import build_plans
from noc_app.themes import load_theme
from noc_app.widgets.wall_window import WallWindow

from wall_testkit import T0, FakeClock, app_config, dashboard, metric_result, panel, snapshot, store_with

THEME = load_theme("dark")


# -- timing (pure, injected clock) --------------------------------------------------------------


def test_each_item_stays_for_its_own_dwell() -> None:
    clock = FakeClock(0.0)
    rotation = Rotation((5.0, 10.0, 20.0), clock=clock)
    assert (rotation.index, rotation.due_in()) == (0, 5.0)
    clock.now = 4.9
    assert not rotation.tick() and rotation.index == 0
    assert rotation.due_in() == pytest.approx(0.1)
    clock.now = 5.0
    assert rotation.tick() and rotation.index == 1 and rotation.due_in() == 10.0
    clock.now = 14.0
    assert not rotation.tick()
    clock.now = 15.0
    assert rotation.tick() and rotation.index == 2 and rotation.due_in() == 20.0
    clock.now = 35.0
    assert rotation.tick() and rotation.index == 0  # wraps
    clock.now = 100.0  # a timer that fired very late moves on by one item, never skips
    assert rotation.tick() and rotation.index == 1


def test_pause_holds_and_resume_gives_a_full_dwell() -> None:
    clock = FakeClock(0.0)
    rotation = Rotation((5.0, 10.0), clock=clock)
    clock.now = 4.0
    rotation.set_paused(True)
    assert rotation.due_in() is None
    clock.now = 60.0
    assert not rotation.tick() and rotation.index == 0
    rotation.set_paused(False)
    assert rotation.due_in() == 5.0


def test_next_and_previous_give_the_chosen_item_its_full_dwell() -> None:
    clock = FakeClock(0.0)
    rotation = Rotation((5.0, 10.0, 20.0), clock=clock)
    clock.now = 3.0
    assert rotation.step(1) == 1 and rotation.due_in() == 10.0
    assert rotation.step(-1) == 0 and rotation.due_in() == 5.0
    assert rotation.step(-1) == 2 and rotation.due_in() == 20.0  # previous from the first wraps to the last


def test_one_item_never_rotates_and_bad_dwells_are_refused() -> None:
    assert Rotation((30.0,), clock=FakeClock(0.0)).due_in() is None
    with pytest.raises(ValueError, match="at least one"):
        Rotation(())
    with pytest.raises(ValueError, match="positive"):
        Rotation((5.0, 0.0))


# -- config -------------------------------------------------------------------------------------

CONFIG = textwrap.dedent("""\
    version: 1
    sources: [{id: prom, kind: prometheus, url: 'http://p:9090'}]
    dashboards:
      - id: overview
        panels: [{id: t, kind: text, title: T, text: x}]
      - id: svc
        title: Service $service
        variables:
          service: {values: [payments, cart, search], current: search}
        panels:
          - {id: rate, kind: timeseries, title: 'Requests of $service', source: prom,
             queries: [{expr: 'rate(http_requests_total{service="$service"}[5m])', legend: '$service {{code}}'}]}
    playlists:
      - id: services
        interval: 45s
        dashboards:
          - overview
          - {dashboard: svc, dwell: 30s, variables: {service: payments}}
          - {dashboard: svc, dwell: 10s, variables: {service: cart}}
          - svc
    screens: [{id: main, playlist: services}]
    """)


def test_items_have_their_dwell_and_their_own_variable_values() -> None:
    config = load_config_text(CONFIG, filename="wall.yaml")
    (playlist,) = config.playlists
    assert playlist.dashboards == ("overview", "svc@payments", "svc@cart", "svc")
    assert item_dwells(playlist) == (45.0, 30.0, 10.0, 45.0)
    assert screen_dwells(config, config.screens[0]) == (45.0, 30.0, 10.0, 45.0)
    payments, cart, svc = config.dashboard("svc@payments"), config.dashboard("svc@cart"), config.dashboard("svc")
    assert (payments.variant_of, payments.title, payments.variables) == ("svc", "Service payments",
                                                                          {"service": "payments"})
    assert payments.panels[0].title == "Requests of payments"
    assert payments.panels[0].queries[0].legend == "payments {{code}}"
    assert (cart.title, svc.title, svc.variant_of) == ("Service cart", "Service search", None)
    # Each variant has its own queries in its source's plan (so its panels keep data while off screen).
    queries = {q.key: q for q in build_plans(config)["prom"].metrics}
    assert queries["svc@payments/rate/0"].variables == {"service": "payments"}
    assert queries["svc@cart/rate/0"].variables == {"service": "cart"}
    assert queries["svc/rate/0"].variables == {"service": "search"}


def test_a_playlist_without_item_dwells_keeps_its_interval() -> None:
    config = load_config_text(CONFIG.replace("dwell: 30s, ", "").replace("dwell: 10s, ", "")
                              .replace("interval: 45s", "interval: 30s"), filename="wall.yaml")
    assert config.playlists[0].dwell_s == () and item_dwells(config.playlists[0]) == (30.0,) * 4


@pytest.mark.parametrize(("item", "problem"), [
    ("{dashboard: svc, variables: {servce: payments}}",
     "wall.yaml:18:37 playlists[0].dashboards[1].variables.servce: dashboard 'svc' has no variable 'servce'; "
     "its variables: service"),
    ("{dashboard: svc, dwell: 0s}", "wall.yaml:18:33 playlists[0].dashboards[1].dwell: must be greater than 0s, got 0s"),
    ("{dashboard: nope, dwell: 5s}",
     "wall.yaml:18:21 playlists[0].dashboards[1].dashboard: unknown dashboard 'nope'; configured dashboards: overview, svc"),
    ("{dashboard: svc, wait: 5s}", "wall.yaml:18:26 playlists[0].dashboards[1].wait: unknown key 'wait'; expected one of"),
    ("{dwell: 5s}", "wall.yaml:18:9 playlists[0].dashboards[1]: missing required key 'dashboard'"),
])
def test_bad_items_are_specific_errors(item: str, problem: str) -> None:
    text = CONFIG.replace("{dashboard: svc, dwell: 30s, variables: {service: payments}}", item)
    with pytest.raises(ConfigError) as info:
        load_config_text(text, filename="wall.yaml")
    assert any(str(p).startswith(problem) for p in info.value.problems), [str(p) for p in info.value.problems]


# -- the window -----------------------------------------------------------------------------------


def _chart(pid: str):
    return panel(pid, "timeseries", x=0, y=0, w=24, h=12, queries=(QueryConfig(expr="up"),))


def _rotating_window(qtbot, clock: FakeClock, mode: Mode = Mode.WALL) -> tuple[WallWindow, object]:
    dashes = tuple(dashboard(_chart("p"), did=f"d{i}", title=f"D{i}") for i in range(3))
    store = store_with(("src", "prometheus"))
    window = WallWindow(app_config(*dashes, mode=mode), dashes, store, THEME, mode=mode, clock=FakeClock(),
                        quit_clock=FakeClock(), dwell_s=(5.0, 10.0, 20.0), rotation_clock=clock)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window, store


def test_the_window_arms_each_items_dwell(qtbot) -> None:
    clock = FakeClock(0.0)
    window, _ = _rotating_window(qtbot, clock)
    assert window.current_index == 0 and window._rotation.interval() == 5000
    clock.now = 3.0
    window._rotation_due()  # an early timer: nothing moves, re-armed for what is left
    assert window.current_index == 0 and window._rotation.interval() == 2000
    clock.now = 5.0
    window._rotation_due()
    assert window.current_index == 1 and window._rotation.interval() == 10000
    window.set_paused(True)
    assert not window._rotation.isActive()
    clock.now = 100.0
    window.set_paused(False)
    assert window.current_index == 1 and window._rotation.interval() == 10000


def test_rotation_never_blanks_or_rebuilds_panels(qtbot) -> None:
    clock = FakeClock(0.0)
    window, store = _rotating_window(qtbot, clock)
    frames = {view.dashboard.id: view.frame("p") for view in window.views}
    store.apply("src", snapshot(metrics={f"d{i}/p/0": metric_result([1, 2, float(i)]) for i in range(3)}), T0, 4.0)
    qtbot.waitUntil(lambda: frames["d0"].state is DataState.OK)
    for step, dwell in enumerate((5.0, 10.0, 20.0)):
        clock.now += dwell
        window._rotation_due()
        shown = window.current_view()
        assert shown.dashboard.id == f"d{(step + 1) % 3}"
        # The same frame widgets, showing their data at once: never LOADING, never empty.
        assert shown.frame("p") is frames[shown.dashboard.id]
        assert shown.frame("p").state is DataState.OK and shown.frame("p").body.curves
    assert {id(v.frame("p")) for v in window.views} == {id(f) for f in frames.values()}


def test_right_and_left_give_the_chosen_item_its_full_dwell(qtbot) -> None:
    from PySide6.QtCore import Qt

    clock = FakeClock(0.0)
    window, _ = _rotating_window(qtbot, clock, Mode.OPERATOR)
    clock.now = 4.0
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.current_index == 1 and window._rotation.interval() == 10000
    clock.now = 9.0
    qtbot.keyClick(window, Qt.Key.Key_Left)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.current_index == 2 and window._rotation.interval() == 20000
    assert window.position_text == "3/3"


def test_the_snapshot_names_each_variant_and_its_values() -> None:
    from noc_app.model import SourceStatus
    from noc_app.wall_state import wall_state

    config = load_config_text(CONFIG, filename="wall.yaml")
    statuses = {"prom": SourceStatus(source_id="prom", kind="prometheus", interval_s=15.0)}
    state = wall_state(config, {"prom": None}, statuses, T0)
    by_id = {d["id"]: d for d in state["dashboards"]}
    assert by_id["svc@payments"]["variant_of"] == "svc"
    assert by_id["svc@payments"]["variables"] == {"service": "payments"}
    assert "variant_of" not in by_id["svc"]
