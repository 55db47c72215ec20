"""The Qt side of attention on a real wall window: play calls through the seam, tray counts, border flash,
NEW marker on board rows, the M key and MUTED in the header; nothing of it in a kiosk."""

from __future__ import annotations

import dataclasses

import pytest
from attention_testkit import NOON, SEVERITY_OF, FakeClock, FakeTray, RecordingPlayer
from PySide6.QtCore import Qt

from noc_app.config.attention_schema import AttentionConfig, SoundRule
from noc_app.config.schema import AppConfig, DashboardConfig, GridPos, Mode, PanelConfig
from noc_app.model import Alert, AlertState, Snapshot
from noc_app.modes import capabilities, window_keys
from noc_app.store import Store
from noc_app.themes import load_theme
from noc_app.widgets.attention_controller import CHECK_S, attach_attention
from noc_app.widgets.attention_flash import BorderFlash
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.wall_window import WallWindow

THEME = load_theme("dark")


def _alert(name: str, priority: str = "P0", state: AlertState = AlertState.FIRING) -> Alert:
    return Alert(fingerprint=f"fp-{name}", source_id="am", name=name, severity=SEVERITY_OF[priority], state=state,
                 summary=f"{name} on api", labels={"alertname": name, "service": "api"}, starts_at=NOON - 300)


class Wall:
    """A wall window over a store with one alertmanager source, its attention controller and fakes."""

    def __init__(self, qtbot, mode: Mode = Mode.WALL, **attention: object) -> None:
        board = PanelConfig(id="inc", kind="incidents", title="Incidents", source="am",
                            grid=GridPos(x=0, y=0, w=24, h=12))
        dash = DashboardConfig(id="main", title="Main", panels=(board,), rows=12)
        config = AppConfig(path="<test>", title="Test wall", mode=mode, theme="dark", sources=(), dashboards=(dash,),
                           attention=AttentionConfig(timezone="UTC", **attention))  # type: ignore[arg-type]
        self.clock = FakeClock()
        self.store = Store()
        self.store.register("am", "alertmanager", 15.0)
        self.window = WallWindow(config, (dash,), self.store, THEME, mode=mode, clock=self.clock,
                                 quit_clock=self.clock)
        qtbot.addWidget(self.window)
        self.window.resize(1280, 720)
        self.window.show()
        self.player = RecordingPlayer()
        self.trays: list[FakeTray] = []
        self.controller = attach_attention(config, self.store, [self.window], player=self.player, clock=self.clock,
                                           tray=self._tray)

    def _tray(self, on_mute):
        tray = FakeTray(on_mute)
        self.trays.append(tray)
        return tray

    def feed(self, *alerts: Alert) -> None:
        self.store.apply("am", Snapshot.build("am", self.clock.now, alerts=alerts), self.clock.now, 5.0)

    def at(self, seconds: float) -> None:
        """Move the clock to NOON + seconds and let the controller decide."""
        self.clock.now = NOON + seconds
        self.controller.tick()

    @property
    def board(self) -> IncidentBoardBody:
        return next(f.body for f in self.window.panel_frames() if isinstance(f.body, IncidentBoardBody))


def test_the_play_seam_gets_each_priority_its_own_file_and_repeats_until_acknowledged(qtbot):
    wall = Wall(qtbot, sounds=(SoundRule(priority="P0", repeat_s=120.0), SoundRule(priority="P1", repeat_s=600.0),
                               SoundRule(priority="P2"), SoundRule(priority="P3")))
    wall.feed()
    wall.at(0)
    assert wall.player.played == []  # nothing firing
    wall.feed(_alert("Info", "P3"))
    wall.at(1)
    wall.feed(_alert("Info", "P3"), _alert("Warn", "P2"))
    wall.at(2)
    wall.feed(_alert("Info", "P3"), _alert("Warn", "P2"), _alert("Slow", "P1"))
    wall.at(3)
    wall.feed(_alert("Down", "P0"))
    wall.at(4)
    assert wall.player.played == ["p3.wav", "p2.wav", "p1.wav", "p0.wav"]
    wall.at(60)
    wall.at(119)
    assert len(wall.player.played) == 4
    wall.at(124)
    assert wall.player.played[-1:] == ["p0.wav"] and len(wall.player.played) == 5
    wall.feed(_alert("Down", "P0", AlertState.ACKNOWLEDGED))
    wall.at(250)
    wall.at(400)
    assert len(wall.player.played) == 5  # acknowledged: silent


def test_a_wall_starting_with_open_incidents_neither_rings_flashes_nor_marks_them(qtbot):
    wall = Wall(qtbot)
    wall.feed(_alert("Down", "P0"))
    wall.at(0)
    assert wall.player.played == []
    assert wall.board.new_row_keys == ()
    assert not wall.controller.flashes[0].lit
    wall.at(120)
    assert wall.player.played == ["p0.wav"]  # its repeat picks it up


def test_mute_key_mutes_for_n_minutes_and_the_header_says_until_when(qtbot):
    wall = Wall(qtbot, mute_minutes=10)
    wall.feed()
    wall.at(0)
    with qtbot.waitActive(wall.window):
        wall.window.activateWindow()
    qtbot.keyClick(wall.window, Qt.Key.Key_M)
    assert wall.window.header.muted.text() == "MUTED until 12:10"
    assert not wall.window.header.muted.isHidden()
    assert wall.trays[0].muted_text == "MUTED until 12:10"
    wall.feed(_alert("Down", "P0"))
    wall.at(30)
    assert wall.player.played == []
    wall.at(600)
    assert wall.player.played == ["p0.wav"]
    assert wall.window.header.muted.isHidden()


def test_mute_key_is_in_the_help_table_of_wall_and_operator_modes_only():
    for mode in (Mode.WALL, Mode.OPERATOR):
        actions = [b.action for b in window_keys(capabilities(mode), mute_minutes=15)]
        assert "mute" in actions
    assert "mute" not in [b.action for b in window_keys(capabilities(Mode.KIOSK), mute_minutes=15)]


def test_tray_counts_and_desktop_notification_for_a_new_incident(qtbot):
    wall = Wall(qtbot, notify_at="P1")
    wall.feed()
    wall.at(0)
    wall.feed(_alert("Down", "P0"), _alert("Warn", "P2"), _alert("Also", "P0"))
    wall.at(1)
    tray = wall.trays[0]
    assert tray.counts == (("P0", 2), ("P1", 0), ("P2", 1), ("P3", 0))
    assert tray.notifications == [("P0 Also (+1 more new)", "Also on api")]  # board order: worst, newest, name
    wall.feed(_alert("Warn", "P2"), _alert("Note", "P3"))
    wall.at(2)
    assert len(tray.notifications) == 1  # below notify_at: no notification
    assert tray.counts == (("P0", 0), ("P1", 0), ("P2", 1), ("P3", 1))


def test_tray_off_means_no_tray(qtbot):
    wall = Wall(qtbot, tray=False)
    assert wall.trays == [] and wall.controller.tray is None


def test_border_flash_on_a_new_p0_blinks_then_stops(qtbot):
    wall = Wall(qtbot, flash_s=6.0)
    flash = wall.controller.flashes[0]
    wall.feed()
    wall.at(0)
    wall.feed(_alert("Slow", "P1"))
    wall.at(1)
    assert not flash.lit  # P1: no flash
    wall.feed(_alert("Slow", "P1"), _alert("Down", "P0"))
    wall.at(2)
    assert flash.lit and flash.isVisible() and flash.words == "NEW P0"
    wall.at(3.2)
    assert not flash.lit
    wall.at(4.1)
    assert flash.lit
    wall.at(8.0)
    assert not flash.lit and not flash.isVisible()


def test_border_flash_off(qtbot):
    wall = Wall(qtbot, flash_at=None)
    wall.feed()
    wall.at(0)
    wall.feed(_alert("Down", "P0"))
    wall.at(1)
    assert not wall.controller.flashes[0].lit


def test_new_marker_on_rows_that_appeared_lately_and_its_expiry(qtbot):
    wall = Wall(qtbot, new_for_s=300.0)
    wall.feed(_alert("Old", "P2"))
    wall.at(0)
    wall.feed(_alert("Old", "P2"), _alert("Fresh", "P1"))
    wall.at(10)
    qtbot.waitUntil(lambda: len(wall.board.visible_rows) == 2)
    assert wall.board.new_row_keys == (("am", "fp-Fresh"),)
    wall.board.record_text = True
    wall.board.repaint()
    assert "NEW" in [text for text, *_ in wall.board.painted_text]
    wall.at(309)
    assert wall.board.new_row_keys == (("am", "fp-Fresh"),)
    wall.at(310 + CHECK_S)  # checked every CHECK_S without new data
    assert wall.board.new_row_keys == ()
    wall.board.repaint()
    assert "NEW" not in [text for text, *_ in wall.board.painted_text]


def test_suppressed_incidents_are_left_out(qtbot):
    wall = Wall(qtbot)
    wall.controller._suppressed = lambda alert: alert.name == "Flappy"
    wall.feed()
    wall.at(0)
    wall.feed(_alert("Flappy", "P0"))
    wall.at(1)
    assert wall.player.played == [] and not wall.controller.flashes[0].lit


def test_kiosk_has_no_sound_tray_flash_or_mute(qtbot):
    board = PanelConfig(id="inc", kind="incidents", title="Incidents", source="am", grid=GridPos(x=0, y=0, w=24, h=12))
    dash = DashboardConfig(id="main", title="Main", panels=(board,), rows=12)
    config = AppConfig(path="<test>", title="Kiosk", mode=Mode.KIOSK, theme="dark", sources=(), dashboards=(dash,))
    store = Store()
    window = WallWindow(config, (dash,), store, THEME, mode=Mode.KIOSK, clock=FakeClock(), quit_clock=FakeClock())
    qtbot.addWidget(window)
    trays = []
    player = RecordingPlayer()
    assert attach_attention(config, store, [window], player=player, tray=trays.append) is None
    assert trays == [] and player.played == []
    assert "mute" not in [b.action for b in window.key_bindings()]
    assert not capabilities(Mode.KIOSK).attention
    assert window.findChildren(BorderFlash) == []


def test_no_sounds_configured_means_no_mute_key(qtbot):
    wall = Wall(qtbot)
    assert "mute" in [b.action for b in wall.window.key_bindings()]
    silent_config = dataclasses.replace(wall.window.config, attention=AttentionConfig(sounds=()))
    wall.window.config = silent_config
    assert "mute" not in [b.action for b in wall.window.key_bindings()]


@pytest.mark.parametrize("mode", [Mode.WALL, Mode.OPERATOR])
def test_wall_and_operator_modes_get_attention(qtbot, mode):
    wall = Wall(qtbot, mode)
    assert wall.controller is not None and len(wall.controller.flashes) == 1
