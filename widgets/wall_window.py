"""WallWindow: one screen of the wall, a dashboard or a rotating playlist of them.

Header (widgets/wall_header.py): titles, DEMO banner, PAUSED, playlist position, mode, clock.
Centre: one DashboardView per dashboard, all built once, rotated by per-item dwell
(noc_app.playlist_rotation).  Bottom: the feed-health strip.

What each mode may do, and its keys, come from one table (noc_app.modes; README "Keyboard"; F1 or ?
shows them, widgets/help_overlay.py).  Operator mode: incident boards take actions
(widgets/incident_actions.py; the window emits `action_requested` and shows outcomes), a clicked chart
opens large (widgets/panel_zoom.py), a filter box sits above each board (widgets/incident_filter_box.py),
Ctrl+Shift+H writes the shift handover report.  Kiosk mode is locked: no cursor, context menus, mouse
input or tooltips, stays on top and full screen, refuses window-manager close requests, and leaves
only through its exit chord (widgets/kiosk_exit.py).  Wall mode keeps the mouse away from panels.

Every text in the header is a plain-text label: titles come from a config or an imported Grafana
dashboard and are never interpreted as HTML.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut, QWindowStateChangeEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from noc_app.actions.model import ActionOutcome, Operator
from noc_app.config.schema import DEFAULT_EXIT_CHORD, AppConfig, DashboardConfig, Mode
from noc_app.display_text import window_title
from noc_app.modes import KeyBinding, capabilities, window_keys
from noc_app.playlist_rotation import Rotation
from noc_app.selectors_board_rows import BoardPolicy
from noc_app.selectors_incidents import AlertsMemo
from noc_app.selectors_noise import memo_for
from noc_app.store_view import StoreView
from noc_app.themes import Theme
from noc_app.widgets.board_actions_wiring import attach_board_actions, default_operator
from noc_app.widgets.dashboard_view import DashboardView
from noc_app.widgets.display_effects import DisplayEffects
from noc_app.widgets.feed_health import FeedHealthStrip
from noc_app.widgets.help_overlay import HelpOverlay, help_lines
from noc_app.widgets.incident_actions import BoardActions
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.incident_filter_box import IncidentFilterBox, attach_filter_boxes
from noc_app.widgets.incident_history import HistoryReader
from noc_app.widgets.kiosk_exit import KioskExit
from noc_app.widgets.panel_frame import PanelFrame
from noc_app.widgets.panel_zoom import ZOOM_HELP, PanelZoom, ZoomClicks, ZoomOpener
from noc_app.widgets.report_entry import HANDOVER, HANDOVER_KEY, RUNNING_TEXT, ReportRunner, result_text
from noc_app.widgets.scroll_view import needs_scroll, scrolling
from noc_app.widgets.theme_qss import apply_theme
from noc_app.widgets.viewing_scale import window_text_scale
from noc_app.widgets.wall_header import WallHeader

DEFAULT_PLAYLIST_INTERVAL_S = 60.0
DEMO_BADGE = "DEMO"
# A symbol typed with Shift arrives as Shift+symbol on most layouts: both fire its shortcut.
SHIFTED_TWINS = {"?": ("Shift+?",)}


class WallWindow(QMainWindow):
    """One wall screen: header, dashboards (rotating), feed-health strip."""

    first_paint_done = Signal()  # once, after the window first painted (startup timing)
    quit_requested = Signal()  # Ctrl+Alt+Q: the application decides how to quit
    refresh_requested = Signal()  # F5 / Ctrl+R: poll every source now (the poller debounces)
    action_requested = Signal(object)  # ActionRequest from an incident board (operator mode only)
    mute_requested = Signal()  # M: mute or unmute the sounds (modes with attention; widgets/attention_controller.py)
    takeover_changed = Signal(bool)  # True: a P0 takeover holds this screen (its monitor must show it)

    def __init__(
        self,
        config: AppConfig,
        dashboards: tuple[DashboardConfig, ...],
        store: StoreView,
        theme: Theme,
        *,
        mode: Mode,
        playlist_interval_s: float | None = None,
        dwell_s: Sequence[float] = (),
        rotation_clock: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] = time.time,
        quit_clock: Callable[[], float] = time.monotonic,
        operator: Operator | None = None,
        alerts_memo: AlertsMemo | None = None,
        history_reader: HistoryReader | None = None,
        report_runner: ReportRunner | None = None,
        zoom_opener: ZoomOpener | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """operator: who acts (noc_app.actions.identity.current_operator); default: config's name or the OS user.

        alerts_memo: the incidents selector's memo, shared by this window's views (default: a new one).
        history_reader: reads an incident's history for the board's History view (the action service's).
        report_runner: makes reports off the GUI thread (noc_app.reports.ui_runner); used in modes with reports.
        dwell_s: per playlist item, how long it stays (noc_app.playlist_rotation.screen_dwells); default: the interval.
        rotation_clock: the playlist's clock (noc_app.playlist_rotation.Rotation); tests pass a fake one.
        zoom_opener: opens a panel's range feed (noc_app.zoom_feed.zoom_feeds); clicking a chart opens it large
        (widgets/panel_zoom.py) in modes with pointer input and navigation.
        """
        self._report_runner = report_runner
        self.capabilities = capabilities(mode)  # what this mode may do: one table (noc_app.modes)
        super().__init__(parent)
        if not dashboards:
            raise ValueError("a wall window needs at least one dashboard")
        self.config = config
        self.display_config = config.display  # text floors, dimming, shift (a screen's own: app.build_windows)
        self.mode = mode
        self._store = store
        self.alerts_memo = alerts_memo if alerts_memo is not None else memo_for(config, clock)  # noise + topology
        self._clock = clock
        self.takeover_widget: QWidget | None = None  # what a P0 takeover shows instead of the playlist
        self._return_index = 0
        self._first_paint_pending = True
        self.paused = False
        self.setWindowTitle(window_title(f"{config.title} — noc-app"))
        apply_theme(self, theme)

        self.header = WallHeader()
        self.header.set_titles(config.title, "")
        self.header.mode.setText(mode.value.upper())
        self.stack = QStackedWidget()
        # A kiosk has nobody to hover, and its tooltips would carry error details: none at all.
        tooltips = self.capabilities.tooltips
        self.views: tuple[DashboardView, ...] = tuple(
            DashboardView(
                dash, store, theme, stale_after_intervals=config.stale_after_intervals, clock=clock, tooltips=tooltips,
                memo=self.alerts_memo,
            )
            for dash in dashboards
        )
        for view in self.views:
            view.set_active(False)
            self.stack.addWidget(scrolling(view, view.dashboard, theme) if needs_scroll(view.dashboard, mode) else view)
        board_policy = BoardPolicy(levels=config.severity_levels, hours=config.automation.business_hours)
        for frame in self.panel_frames():
            if isinstance(frame.body, IncidentBoardBody):
                frame.body.set_policy(board_policy)
        self.feed_strip = FeedHealthStrip(
            store, theme, stale_after_intervals=config.stale_after_intervals, clock=clock, tooltips=tooltips
        )
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.stack, 1)
        column.addWidget(self.feed_strip)
        self.setCentralWidget(central)

        interval_s = playlist_interval_s or DEFAULT_PLAYLIST_INTERVAL_S
        dwells = tuple(dwell_s) if len(dwell_s) == len(self.views) else (interval_s,) * len(self.views)
        self.rotation = Rotation(dwells, clock=rotation_clock)  # per-item dwell, pause, next/previous (pure)
        self._rotation = QTimer(self, singleShot=True)  # armed for the shown item's remaining dwell
        self._rotation.timeout.connect(self._rotation_due)
        self._clock_timer = QTimer(self, interval=1000)
        self._clock_timer.timeout.connect(self._update_clock)
        self._clock_timer.start()
        store.changed.connect(self._update_demo_banner)

        self._kiosk_exit: KioskExit | None = None
        if self.capabilities.locked:  # the exit chord, then the PIN (or the chord twice)
            self._kiosk_exit = KioskExit(config.kiosk, self.header, theme, central, clock=quit_clock)
            self._kiosk_exit.leave.connect(self._leave)
        self._pin_prompt = self._kiosk_exit.pin_prompt if self._kiosk_exit is not None else None
        self.help_overlay: HelpOverlay | None = None
        # Operator mode: a filter box above each incident board (widgets/incident_filter_box.py).
        self.filter_boxes: tuple[IncidentFilterBox, ...] = (
            attach_filter_boxes(self.panel_frames(), theme) if self.capabilities.board_filter else ()
        )
        self._install_keys()
        self.zoom: PanelZoom | None = None
        if zoom_opener is not None and self.capabilities.pointer_input and self.capabilities.navigate:
            self.zoom = PanelZoom(central, theme, zoom_opener, stale_after_intervals=config.stale_after_intervals,
                                  clock=clock, tooltips=tooltips)
            self._zoom_clicks = ZoomClicks(self.zoom, self.views, self)
        if self.capabilities.help_overlay:
            rows = help_lines(self.key_bindings(), board=self.capabilities.act)
            self.help_overlay = HelpOverlay(rows + (ZOOM_HELP if self.zoom is not None else ()), theme, central)
        self._lock_down()
        self.board_actions: tuple[BoardActions, ...] = ()
        if self.capabilities.act:
            self.board_actions = attach_board_actions(
                self.panel_frames(), config, mode, operator or default_operator(config), parent=self,
                history_reader=history_reader, reports=self._reports(), on_request=self.action_requested.emit,
                on_report=self.show_report_status)
            self._focus_board()
        self.header.installEventFilter(self)
        self.show_dashboard(0)
        self._update_clock()
        self._update_demo_banner()
        self.display_effects = DisplayEffects(self, clock)  # night dimming, pixel shift (display: config)

    # -- public --------------------------------------------------------------------

    @property
    def current_index(self) -> int:
        if self.takeover_widget is not None:  # the dashboard it returns to
            return self._return_index
        return self.stack.currentIndex()

    def current_view(self) -> DashboardView:
        return self.views[self.current_index]

    def panel_frames(self, dashboard_id: str | None = None) -> tuple[PanelFrame, ...]:
        """The frames of one dashboard, or of every dashboard of this window."""
        return tuple(
            frame for view in self.views if dashboard_id in (None, view.dashboard.id) for frame in view.frames()
        )

    @property
    def position_text(self) -> str:
        return self.header.position.text()

    @property
    def clock_text(self) -> str:
        return self.header.clock.text()

    @property
    def demo_banner_shown(self) -> bool:
        return not self.header.demo_banner.isHidden()

    def show_dashboard(self, index: int) -> None:
        """Bring a dashboard to the front (it catches up on what changed while hidden)."""
        index %= len(self.views)
        if self.takeover_widget is not None:  # taken over: this is where it returns to
            self._return_index = index
            return
        previous = self.views[self.stack.currentIndex()] if self.stack.currentIndex() >= 0 else None
        if isinstance(previous, DashboardView) and previous is not self.views[index]:
            previous.set_active(False)
        self.stack.setCurrentIndex(index)
        self.views[index].set_active(True)
        self.header.set_titles(self.config.title, self.views[index].dashboard.title)
        self.header.position.setText(f"{index + 1}/{len(self.views)}" if len(self.views) > 1 else "")
        self.header.position.setVisible(len(self.views) > 1)
        self.rotation.show(index)  # the shown item gets its full dwell
        self._arm_rotation()
        self._focus_board()

    def show_next(self) -> None:
        self.show_dashboard(self.current_index + 1)

    def show_previous(self) -> None:
        self.show_dashboard(self.current_index - 1)

    def set_paused(self, paused: bool) -> None:
        """Stop or resume the playlist rotation."""
        self.paused = paused
        self.header.paused.setVisible(paused)
        self.rotation.set_paused(paused)
        self._arm_rotation()

    def _arm_rotation(self) -> None:
        due = self.rotation.due_in()
        if due is None or self.takeover_widget is not None:  # taken over: the playlist waits where it is
            self._rotation.stop()
        else:
            self._rotation.start(max(1, round(due * 1000)))

    def _operator_busy(self) -> bool:
        """A panel is open large or a filter is being typed (operator mode): the playlist waits."""
        zoom = getattr(self, "zoom", None)
        return (zoom is not None and zoom.isVisible()) or any(b.edit.hasFocus() for b in self.filter_boxes)

    def _rotation_due(self) -> None:
        """The timer fired: the rotation decides from its clock whether the item's dwell is over."""
        if self._operator_busy():
            self.rotation.show(self.current_index)  # hold: the item gets a full dwell once the operator is done
            self._arm_rotation()
        elif self.rotation.tick():
            self.show_dashboard(self.rotation.index)
        else:
            self._arm_rotation()

    # -- P0 takeover (widgets/takeover_controller.py decides; this only swaps what the screen shows) ---

    def take_over(self, widget: QWidget, title: str = "INCIDENT") -> None:
        """Show `widget` instead of the playlist until give_back(); the playlist stops where it is."""
        previous = self.takeover_widget
        started = previous is None
        if previous is None:
            self._return_index = self.stack.currentIndex()
            self.views[self._return_index].set_active(False)
            self._rotation.stop()
        elif previous is not widget:
            self.stack.removeWidget(previous)
        self.takeover_widget = widget
        if self.stack.indexOf(widget) < 0:
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)
        self.header.set_titles(self.config.title, title)
        if started:
            self.takeover_changed.emit(True)

    def give_back(self) -> None:
        """Back to the playlist, on the dashboard it showed (or was moved to meanwhile), with a full dwell."""
        widget = self.takeover_widget
        if widget is None:
            return
        self.takeover_widget = None
        self.stack.removeWidget(widget)
        self.show_dashboard(self._return_index)
        self.takeover_changed.emit(False)

    # -- operator actions ----------------------------------------------------------

    def _focus_board(self) -> None:
        """Operator mode: the shown dashboard's first incident board takes the keys (Up/Down, A, U, N)."""
        if self._operator_busy():
            return  # the keys stay with the panel opened large or the filter being typed
        view = self.views[self.current_index]
        for controller in getattr(self, "board_actions", ()):  # not yet set while __init__ shows page 0
            if view.isAncestorOf(controller.board):
                controller.board.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def show_outcome(self, outcome: ActionOutcome) -> None:
        """The action service's answer to a request: the row's marker follows it."""
        for controller in self.board_actions:
            if controller.show_outcome(outcome):
                return

    # -- reports -----------------------------------------------------------------

    def _reports(self) -> ReportRunner | None:
        return self._report_runner if self.capabilities.reports else None

    def start_handover_report(self) -> bool:
        """Ctrl+Shift+H: the shift handover of the last 8 hours, written by the runner; False when unavailable."""
        runner = self._reports()
        if runner is None:
            return False
        self.show_report_status(f"Shift handover report: {RUNNING_TEXT.lower()}…")
        runner(HANDOVER, None, lambda ok, text: self.show_report_status(result_text("Shift handover report", ok, text)))
        return True

    def show_report_status(self, text: str) -> None:
        self.header.report_status.set_full_text(text)
        self.header.report_status.setVisible(bool(text))

    @property
    def report_status_text(self) -> str:
        return self.header.report_status.full_text if not self.header.report_status.isHidden() else ""

    # -- keys and lock-down ------------------------------------------------------

    def key_bindings(self) -> tuple[KeyBinding, ...]:
        """The shortcuts this window installs (noc_app.modes.window_keys): the help overlay lists the same."""
        kiosk = self.config.kiosk
        return window_keys(
            self.capabilities,
            exit_chord=kiosk.exit_chord if self.capabilities.locked else DEFAULT_EXIT_CHORD,
            handover_key=HANDOVER_KEY if self._reports() is not None else None,
            pin=self._pin_prompt is not None,
            mute_minutes=self.config.attention.mute_minutes if self.config.attention.sounds else None,
        )

    def _install_keys(self) -> None:
        handlers: dict[str, Callable[[], object]] = {
            "quit": self._quit,
            "refresh": self.refresh_requested.emit,
            "pause": lambda: self.set_paused(not self.paused),
            "next": lambda: self._step(1),
            "previous": lambda: self._step(-1),
            "handover": self.start_handover_report,
            "filter": self.focus_filter,
            "help": self.toggle_help,
            "mute": self.mute_requested.emit,
        }
        for binding in self.key_bindings():
            for key in binding.keys:
                for variant in (key, *SHIFTED_TWINS.get(key, ())):
                    QShortcut(QKeySequence(variant), self).activated.connect(handlers[binding.action])

    def focus_filter(self) -> None:
        """/: the shown dashboard's first incident filter box takes the keys."""
        view = self.views[self.current_index]
        for box in self.filter_boxes:
            if view.isAncestorOf(box):
                box.focus()
                return

    def toggle_help(self) -> None:
        """F1 or ?: the keyboard help (wall and operator modes)."""
        if self.help_overlay is not None:
            self.help_overlay.toggle()

    @property
    def help_shown(self) -> bool:
        return self.help_overlay is not None and self.help_overlay.isVisible()

    def _step(self, delta: int) -> None:
        self.show_dashboard(self.current_index + delta)  # the chosen page gets its full dwell

    @property
    def quit_hint_shown(self) -> bool:
        return not self.header.quit_hint.isHidden()

    def _quit(self) -> None:
        """The quit chord: quits at once, except in a kiosk (widgets/kiosk_exit.py decides when it leaves)."""
        if self._kiosk_exit is not None:
            self._kiosk_exit.chord_pressed()
        else:
            self._leave()

    def _leave(self) -> None:
        self.quit_requested.emit()
        self.close()

    @property
    def pin_prompt_shown(self) -> bool:
        return self._pin_prompt is not None and self._pin_prompt.isVisible()

    def _lock_down(self) -> None:
        caps = self.capabilities
        if not caps.pointer_input:
            self.stack.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        if caps.locked:
            self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        for widget in (self, *self.findChildren(QWidget)):
            if not caps.cursor:
                widget.setCursor(Qt.CursorShape.BlankCursor)
            if not caps.context_menus:
                widget.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if self.capabilities.locked and event.type() == QEvent.Type.WindowStateChange:
            was_full = bool(cast(QWindowStateChangeEvent, event).oldState() & Qt.WindowState.WindowFullScreen)
            if was_full and (not self.isFullScreen() or self.isMinimized()):
                # Queued: the window manager's state change finishes before we undo it.
                QTimer.singleShot(0, self, self.showFullScreen)
        return handled

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.capabilities.window_close and event.spontaneous():
            event.ignore()  # the window manager (Alt+F4) cannot close a kiosk
            return
        if self.zoom is not None:
            self.zoom.close_zoom()  # its feed stops and its adapter closes
        super().closeEvent(event)

    # -- periodic ------------------------------------------------------------------

    def _update_clock(self) -> None:
        self.header.clock.setText(time.strftime("%H:%M:%S", time.localtime(self._clock())))

    def show_muted(self, text: str) -> None:
        """'MUTED until 14:32' in the header while the sounds are muted; '' hides it."""
        if text != self.header.muted.text():
            self.header.muted.setText(text)
        self.header.muted.setVisible(bool(text))

    def show_config_banner(self, text: str) -> None:
        """The config did not load and its last good copy runs: say why in the header (plain text)."""
        self.header.config_banner.set_full_text(text)
        self.header.config_banner.setVisible(bool(text))

    def _update_demo_banner(self, _source_id: str = "") -> None:
        demo = sorted(
            sid
            for sid in self._store.source_ids()
            if (snap := self._store.snapshot(sid)) is not None and snap.info.get("badge") == DEMO_BADGE
        )
        self.header.demo_banner.set_full_text(f"DEMO DATA: {', '.join(demo)}" if demo else "DEMO DATA")
        self.header.demo_banner.setVisible(bool(demo))

    # -- sizing and first paint --------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        scale = window_text_scale(self)
        self.header.set_text_px(scale.header_px)
        self.feed_strip.set_text_px(max(11, round(scale.base_px * 0.7), scale.minor_px))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._first_paint_pending and watched is self.header and event.type() == QEvent.Type.Paint:
            self._first_paint_pending = False
            self.header.removeEventFilter(self)
            # Queued: emitted after this paint pass has finished, not in the middle of it.
            QTimer.singleShot(0, self, self._emit_first_paint)
        return False

    def _emit_first_paint(self) -> None:
        self.first_paint_done.emit()

