"""AttentionController: the thin Qt side of noc_app.attention, one per process (wall and operator modes).

Every second it reads the incidents the windows' boards list, and lets the pure policies decide; then it plays
the sound through the `Player` seam, shows the desktop notification and tray counts, blinks the border of every
window on a new P0, marks NEW rows and shows "MUTED until 14:32" in each header.  Never built in kiosk mode
(`attach_attention` returns None there: noc_app.modes.Capabilities.attention).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from noc_app.attention.incidents import (
    NOTHING_SEEN,
    Incident,
    IncidentKey,
    PriorityOrder,
    Suppressed,
    answered_sources,
    board_incidents,
    never_suppressed,
    new_keys,
    observe,
)
from noc_app.attention.player import Player, SilentPlayer, choose_player
from noc_app.attention.signals import NO_FLASH, next_flash, notification_text, priority_counts, to_notify
from noc_app.attention.sound import SoundState, decide_sound, mute_text, toggle_mute
from noc_app.attention.tones import shipped_sound
from noc_app.config.attention_schema import AttentionConfig, SoundRule
from noc_app.config.schema import AppConfig, DashboardConfig
from noc_app.modes import capabilities
from noc_app.selectors_incidents import AlertsMemo
from noc_app.store_view import StoreView
from noc_app.themes import Theme, load_theme
from noc_app.widgets.attention_flash import BorderFlash
from noc_app.widgets.attention_tray import AttentionTray, make_tray
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.panel_frame import PanelFrame

log = logging.getLogger(__name__)
TICK_MS = 1000
CHECK_S = 5.0
FLASH_TICK_MS = 250  # while a flash runs: its 1 s on / 1 s off blink stays even


class AttentionWindow(Protocol):
    """What the controller needs of a wall window (widgets/wall_window.py)."""

    mute_requested: SignalInstance

    def panel_frames(self, dashboard_id: str | None = None) -> tuple[PanelFrame, ...]: ...

    def show_muted(self, text: str) -> None: ...


class AttentionController(QObject):
    def __init__(
        self, config: AppConfig, store: StoreView, windows: Sequence[object], dashboards: Sequence[DashboardConfig],
        theme: Theme, *, player: Player, clock: Callable[[], float] = time.time,
        tray: Callable[[Callable[[], None]], AttentionTray | None] = make_tray,
        suppressed: Suppressed = never_suppressed, parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config.attention
        self._store = store
        self._windows = tuple(windows)
        self._dashboards = tuple(dashboards)
        self._player = player
        self._clock = clock
        self._suppressed = suppressed
        self.order = PriorityOrder.of(config.severity_levels)
        self._memo = AlertsMemo(dedup=config.incidents.dedup_key)
        self._seen = NOTHING_SEEN
        self.sound = SoundState()
        self.flash = NO_FLASH
        self._flash_words = ""
        self.incidents: tuple[Incident, ...] = ()
        self.new: frozenset[IncidentKey] = frozenset()
        self._dirty = True
        self._next_check = 0.0
        store.changed.connect(self._mark_dirty)
        self.tray = tray(self.toggle_mute) if self.config.tray else None
        flash_color = QColor(theme.color("critical"))
        self.flashes = tuple(BorderFlash(w, flash_color, QColor(theme.color("background")))
                             for w in self._windows if isinstance(w, QWidget))
        for window in self._windows:
            signal = getattr(window, "mute_requested", None)
            if signal is not None:
                signal.connect(self.toggle_mute)
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._flash_timer = QTimer(self, interval=FLASH_TICK_MS)
        self._flash_timer.timeout.connect(self._blink)

    def start(self) -> None:
        self._timer.start()

    def _mark_dirty(self, _source_id: str = "") -> None:
        self._dirty = True

    # -- the decisions, applied ---------------------------------------------------------------

    def tick(self) -> None:
        """New data: decide now; otherwise every CHECK_S (repeats, quiet hours, mute ends, NEW expiry are
        minutes apart; deciding over thousands of incidents every second would be GUI-thread time for nothing)."""
        now = self._clock()
        appeared: tuple[Incident, ...] = ()
        if self._dirty:
            self._dirty = False
            self.incidents = board_incidents(self._dashboards, self._store, self.order, self._memo)
            self._seen, appeared = observe(self._seen, self.incidents, answered_sources(self._store), now)
        elif now < self._next_check:
            self._blink()
            return
        self._next_check = now + CHECK_S
        decision = decide_sound(self.incidents, self.sound, self.config, self.order, now,
                                baseline=self._seen.known_at_start, suppressed=self._suppressed)
        self.sound = decision.state
        if decision.priority is not None:
            self._player.play(self.sound_file(decision.priority, decision.rule))
        announce = to_notify(appeared, self.config, self.order, self._suppressed)
        if announce and self.tray is not None:
            self.tray.notify(*notification_text(announce))
        flash = next_flash(self.flash, appeared, self.config, self.order, now, self._suppressed)
        if flash != self.flash:
            self.flash = flash
            self._flash_words = f"NEW {self.config.flash_at}"
            self._flash_timer.start()
        self._blink()
        self._show_new(new_keys(self._seen, now, self.config.new_for_s))
        self._show_mute(now)

    def sound_file(self, priority: str, rule: SoundRule | None) -> Path:
        if rule is not None and rule.file:
            return Path(rule.file)
        return shipped_sound(self.order.rank(priority))

    def toggle_mute(self) -> None:
        now = self._clock()
        self.sound = SoundState(self.sound.last_sounded, toggle_mute(self.sound.mute, now, self.config.mute_minutes))
        self._next_check = 0.0  # unmuted: what is due sounds at the next tick
        self._show_mute(now)

    def _blink(self) -> None:
        now = self._clock()
        lit = self.flash.lit(now)
        for flash in self.flashes:
            flash.set_lit(lit, self._flash_words)
        if not self.flash.running(now):
            self._flash_timer.stop()

    def _show_new(self, keys: frozenset[IncidentKey]) -> None:
        self.new = keys
        for body in self.boards():
            body.set_new_keys(keys)

    def _show_mute(self, now: float) -> None:
        text = mute_text(self.sound.mute, now, self.config.timezone)
        for window in self._windows:
            show = getattr(window, "show_muted", None)
            if show is not None:
                show(text)
        if self.tray is not None:
            self.tray.set_counts(priority_counts(self.incidents, self.order), text, self.config.mute_minutes)

    def boards(self) -> tuple[IncidentBoardBody, ...]:
        return tuple(
            frame.body for window in self._windows for frame in getattr(window, "panel_frames", tuple)()
            if isinstance(frame.body, IncidentBoardBody)
        )


def attach_attention(
    config: AppConfig, store: StoreView, windows: Sequence[object], *, player: Player | None = None,
    clock: Callable[[], float] = time.time, suppressed: Suppressed = never_suppressed,
    tray: Callable[[Callable[[], None]], AttentionTray | None] = make_tray, parent: QObject | None = None,
) -> AttentionController | None:
    """The controller for these windows, started; None in kiosk mode (nothing of this exists there)."""
    if not capabilities(config.mode).attention:
        return None
    if player is None:
        # Sounds the config asked for warn when they cannot play; the defaults (no `attention:`) only note it.
        level = logging.INFO if config.attention == AttentionConfig() else logging.WARNING
        sounds = config.attention.sounds
        player = choose_player(config.attention.player, missing_level=level) if sounds else SilentPlayer()
    dashboards = tuple({v.dashboard.id: v.dashboard for w in windows for v in getattr(w, "views", ())}.values())
    controller = AttentionController(
        config, store, windows, dashboards or config.dashboards, load_theme(config.theme),
        player=player,
        clock=clock, tray=tray, suppressed=suppressed, parent=parent,
    )
    controller.start()
    return controller
