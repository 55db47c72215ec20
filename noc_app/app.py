"""Composition root: builds the runtime, the theme and the wall windows.

The only module that imports both the data side (sources, poller, store) and
the widgets.  Nothing is built at import time; Qt is imported inside functions
so `noc-app check-config` and `--version` start instantly.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from noc_app.app_actions import attach_actions, attach_raised_reader, connect_actions
from noc_app.app_services import (
    incident_log_runner,
    keep_screen_on,
    notify_systemd,
    quiet_predicate,
    report_runner,
    start_attention,
    zoom_opener,
)
from noc_app.config.schema import AppConfig, DashboardConfig, Mode, ScreenConfig

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

    from noc_app.runtime import Runtime
    from noc_app.screen_manager import ScreenManager
    from noc_app.screen_plan import ScreenRequest
    from noc_app.widgets.wall_window import WallWindow

log = logging.getLogger(__name__)

GUI_SWITCH_INTERVAL_S = 0.001
BUILTIN_DEMO = "<built-in demo>"  # AppConfig.path of the bundled demo (noc_app.config.loader.load_builtin)


class StartupError(Exception):
    """A problem that stops the app from starting; printed as one line, exit code 2."""


@dataclass(frozen=True, kw_only=True, slots=True)
class LaunchOptions:
    """Command-line overrides of the config."""

    dashboard: str | None = None
    playlist: str | None = None
    mode: Mode | None = None
    screen: int | None = None
    fullscreen: bool = False
    theme: str | None = None
    exit_after_s: float | None = None  # smoke tests and autostart checks: quit by itself
    claimed_name: str | None = None  # --as NAME: the operator acts under this name (recorded as claimed)


def prepare_qt_environment(*, offscreen: bool = False) -> None:
    """Environment that must be set before the QApplication exists."""
    # Qt's raster thread pool costs more than it saves on small wall PCs (DESIGN.md probe).
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    if offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        raise StartupError(
            "no display: DISPLAY and WAYLAND_DISPLAY are unset. Run under a desktop session or Xvfb, "
            "or use `noc-app screenshot` / `noc-app snapshot`, which need no screen"
        )
    if not offscreen:
        from noc_app.startup_checks import check_display

        problem = check_display()  # before Qt: a missing library or a dead DISPLAY aborts Qt with a core dump
        if problem:
            raise StartupError(problem)


def font_problem() -> str | None:
    """Qt draws boxes instead of text when no font is installed, silently: say so."""
    from PySide6.QtGui import QFontDatabase

    if not QFontDatabase.families():
        return (
            "no usable font found: text would render as empty boxes. Install one, e.g. "
            "`apt-get install fonts-dejavu-core`"
        )
    return None


def resolve_screens(config: AppConfig, options: LaunchOptions) -> tuple[ScreenConfig, ...]:
    """Which windows to open: config screens, overridden by --dashboard/--playlist/--screen."""
    if options.dashboard or options.playlist:
        if options.dashboard and options.dashboard not in {d.id for d in config.dashboards}:
            raise StartupError(
                f"--dashboard {options.dashboard!r} is not in {config.path}; "
                f"dashboards: {', '.join(d.id for d in config.dashboards)}"
            )
        if options.playlist and options.playlist not in {p.id for p in config.playlists}:
            known = ", ".join(p.id for p in config.playlists) or "none defined"
            raise StartupError(f"--playlist {options.playlist!r} is not in {config.path}; playlists: {known}")
        return (
            ScreenConfig(
                id="cli",
                screen=options.screen or 0,
                dashboard=None if options.playlist else options.dashboard,
                playlist=options.playlist,
            ),
        )
    screens = config.screens or (ScreenConfig(id="main", screen=0, dashboard=config.dashboards[0].id),)
    if options.screen is not None:
        screens = tuple(
            dataclasses.replace(s, screen=options.screen + i, screen_name=None) for i, s in enumerate(screens)
        )
    return screens


def screen_dashboards(config: AppConfig, screen: ScreenConfig) -> tuple[tuple[DashboardConfig, ...], float | None]:
    """The dashboards one window shows, and the playlist interval if it rotates."""
    if screen.playlist:
        playlist = next(p for p in config.playlists if p.id == screen.playlist)
        return tuple(config.dashboard(d) for d in playlist.dashboards), playlist.interval_s
    return (config.dashboard(screen.dashboard or config.dashboards[0].id),), None


class _ConfigOverrides(TypedDict, total=False):
    mode: Mode
    theme: str


def effective_config(config: AppConfig, options: LaunchOptions) -> AppConfig:
    """The config with command-line mode and theme applied."""
    changes: _ConfigOverrides = {}
    if options.mode is not None:
        changes["mode"] = options.mode
    if options.theme is not None:
        from noc_app.themes import THEME_NAMES

        if options.theme not in THEME_NAMES:
            raise StartupError(f"--theme {options.theme!r} is unknown; themes: {', '.join(THEME_NAMES)}")
        changes["theme"] = options.theme
    from noc_app.executive import kiosk_config

    return kiosk_config(dataclasses.replace(config, **changes) if changes else config)  # a kiosk's dashboard


def build_windows(
    config: AppConfig, runtime: Runtime, options: LaunchOptions, *, size: tuple[int, int] | None = None
) -> list[WallWindow]:
    """Create (not show) one WallWindow per configured screen."""
    from noc_app.playlist_rotation import screen_dwells
    from noc_app.themes import load_theme
    from noc_app.widgets.wall_window import WallWindow

    theme = load_theme(config.theme)
    reports = report_runner(config, runtime)
    zoom = zoom_opener(config, runtime)
    windows: list[WallWindow] = []
    for screen in resolve_screens(config, options):
        dashboards, interval = screen_dashboards(config, screen)
        window = WallWindow(
            config, dashboards, runtime.store, theme,
            mode=config.mode, playlist_interval_s=interval, clock=runtime.wall_clock,
            operator=runtime.actions.operator if runtime.actions is not None else None,
            history_reader=runtime.actions.read_history if runtime.actions is not None else None,
            report_runner=reports, zoom_opener=zoom, dwell_s=screen_dwells(config, screen),
        )
        window.setProperty("noc_screen_index", screen.screen)
        window.setProperty("noc_screen_name", screen.screen_name or "")
        window.setProperty("noc_screen_id", screen.id)
        if screen.display is not None:
            window.display_config = screen.display  # this monitor's distance and size
        if size is not None:
            window.resize(*size)
        windows.append(window)
    from noc_app.widgets.incident_wiring import attach_incident_views

    attach_incident_views(  # the operator's incident detail view, the P0 takeover
        config, windows, runtime.store, theme, log_runner=incident_log_runner(config),
        history_reader=runtime.actions.read_history if runtime.actions is not None else None, clock=runtime.wall_clock,
        suppressed=quiet_predicate(config, runtime.store, runtime.wall_clock))
    return windows


def screen_requests(windows: Sequence[WallWindow]) -> tuple[ScreenRequest, ...]:
    """What each window asks for (set by build_windows): a monitor by name, else by index."""
    from noc_app.screen_plan import ScreenRequest

    return tuple(
        ScreenRequest(
            window_id=str(window.property("noc_screen_id") or i),
            index=int(window.property("noc_screen_index") or 0),
            name=window.property("noc_screen_name") or None,
        )
        for i, window in enumerate(windows)
    )


def place_and_show(windows: Sequence[WallWindow], *, fullscreen: bool) -> ScreenManager:
    """Put each window on its monitor and keep it there as monitors come and go (noc_app.screen_manager).

    A missing monitor is logged and its window rotates on a monitor present: never an exit.
    The caller keeps the returned manager (it follows QGuiApplication's screen signals).
    """
    from noc_app.screen_manager import ScreenManager

    requests = screen_requests(windows)
    manager = ScreenManager(
        {r.window_id: w for r, w in zip(requests, windows, strict=True)}, requests, fullscreen=fullscreen,
    )
    for request, window in zip(requests, windows, strict=True):  # a takeover keeps a shared monitor's front
        window.takeover_changed.connect(lambda holding, wid=request.window_id: manager.hold(wid, holding))
    manager.follow_qt()
    return manager


def _log_first_paint(started: float) -> None:
    import psutil

    since_process = time.time() - psutil.Process().create_time()
    log.info(
        "first wall painted %.0f ms after process start (%.0f ms after config load)",
        since_process * 1000,
        (time.perf_counter() - started) * 1000,
    )


def settle_heap() -> None:
    """Move everything built so far out of the garbage collector's way.

    Widgets, themes and imported modules live for the whole run; without this, every
    full collection (triggered by the objects each poll creates) rescans them on the
    GUI thread: tens of milliseconds of frozen wall on a big board.
    """
    import gc

    gc.collect()
    gc.freeze()


def make_application(argv: list[str] | None = None) -> QCoreApplication:
    """The QApplication, created once, with the app's name set."""
    from PySide6.QtWidgets import QApplication

    from noc_app.qt_messages import install_qt_message_handler

    install_qt_message_handler()  # before the first window: offscreen noise is dropped from the start
    # Poll workers build thousands of objects in Python; with the default 5 ms GIL switch interval the
    # GUI thread waits up to 5 ms each time it re-enters Python during one paint (a convoy).
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName("noc-app")
    app.setOrganizationName("noc-app")
    if isinstance(app, QApplication):
        _set_icon(app)
    return app


def _set_icon(app: QCoreApplication) -> None:
    """The shipped icon on every window, and the .desktop file's name (Wayland compositors match on it)."""
    from importlib import resources

    from PySide6.QtGui import QGuiApplication, QIcon

    icon = resources.files("noc_app.themes") / "noc-app.svg"
    if isinstance(app, QGuiApplication) and icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
        QGuiApplication.setDesktopFileName("noc-app")


def build_runtime(config: AppConfig) -> Runtime:
    from noc_app.executive import wants_history
    from noc_app.runtime import Runtime

    runtime = Runtime(config)
    if wants_history(config):  # the executive MTTR tile reads the state database's history
        from noc_app.history_source import HISTORY_POLL_S, HistorySource

        runtime.add_source(HistorySource(config), HISTORY_POLL_S)
    return runtime


def wall_banner(config: AppConfig, screens: int) -> str:
    """'noc-app: wall open (demo config, 1 screen) — Ctrl+Alt+Q quits, F5 refreshes'."""
    where = "demo config" if config.path == BUILTIN_DEMO else config.path
    plural = "s" if screens != 1 else ""
    return f"noc-app: wall open ({where}, {screens} screen{plural}) — Ctrl+Alt+Q quits, F5 refreshes"


def run_wall(config: AppConfig, options: LaunchOptions, *, config_problem: str | None = None) -> int:
    """Open the wall windows and run until closed.

    config_problem: the config failed to load and this is its last good copy (noc_app.last_good):
    every window's header says so.
    """
    started = time.perf_counter()
    config = effective_config(config, options)
    resolve_screens(config, options)  # fail on a bad --dashboard before anything is built
    prepare_qt_environment()
    app = make_application()
    problem = font_problem()
    if problem:
        print(f"noc-app: warning: {problem}", file=sys.stderr)
    runtime = build_runtime(config)
    attach_actions(config, runtime, claimed_name=options.claimed_name)
    config = runtime.config  # with the raised incidents' source on the boards when they live in the state db
    windows = build_windows(config, runtime, options)
    if config_problem:
        print(f"noc-app: warning: {config_problem}", file=sys.stderr)
        for window in windows:
            window.show_config_banner(config_problem)
    settle_heap()
    fullscreen = options.fullscreen or config.mode is Mode.KIOSK
    screen_manager = place_and_show(windows, fullscreen=fullscreen)
    screen_manager.setParent(app)  # lives as long as the app: it follows monitors coming and going
    if windows:
        windows[0].first_paint_done.connect(lambda: _log_first_paint(started))
        # The one line a default run prints: the wall is really up, and how to leave it.
        windows[0].first_paint_done.connect(lambda: print(wall_banner(config, len(windows)), file=sys.stderr))
    notify_systemd(app, windows)
    start_attention(config, runtime, windows, app)
    from noc_app.heartbeat_timer import start_heartbeat  # pushed from a GUI-thread timer: only while responsive

    start_heartbeat(config.heartbeat, app, windows[0].first_paint_done if windows else None)
    for window in windows:
        window.quit_requested.connect(app.quit)
        window.refresh_requested.connect(runtime.poller.refresh_now)
        connect_actions(window, runtime)
    if options.exit_after_s is not None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(options.exit_after_s * 1000), app.quit)
    keep_screen_on(config)
    runtime.start()
    app.aboutToQuit.connect(runtime.stop)
    return int(app.exec())


def run_for(app: QCoreApplication, seconds: float) -> None:
    """Run the Qt event loop for a while (polls happen, the wall paints)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def take_screenshot(
    config: AppConfig, options: LaunchOptions, *, size: tuple[int, int], after_s: float, out: str
) -> int:
    """Render the wall offscreen after it has polled for after_s seconds and write a PNG."""
    config = effective_config(config, options)
    resolve_screens(config, options)
    prepare_qt_environment(offscreen=True)
    app = make_application()
    problem = font_problem()
    if problem:
        raise StartupError(problem)
    runtime = build_runtime(config)
    close_state = attach_raised_reader(config, runtime)
    windows = build_windows(runtime.config, runtime, options, size=size)
    window = windows[0]
    window.show()
    runtime.start()
    try:
        run_for(app, after_s)
        image = window.grab().toImage()
        # PySide6's stubs type `format` as bytes, but the binding accepts only str here (bytes raise ValueError).
        if not image.save(out, "PNG"):  # type: ignore[call-overload]  # stub/binding mismatch, see above
            raise StartupError(f"could not write {out}")
    finally:
        runtime.stop()
        if close_state is not None:
            close_state()
        for w in windows:
            w.close()
    print(f"wrote {out} ({image.width()}x{image.height()})")
    return 0


def print_snapshot(config: AppConfig, *, after_s: float) -> int:
    """Poll for after_s seconds without a screen and print the wall's state as JSON."""
    import json

    from PySide6.QtCore import QCoreApplication

    from noc_app.reports.kpi_inputs import month_histories
    from noc_app.wall_state import wall_state

    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    runtime = build_runtime(config)
    close_state = attach_raised_reader(config, runtime)
    runtime.start()
    try:
        run_for(app, after_s)
        store = runtime.store
        state = wall_state(
            runtime.config,
            {sid: store.snapshot(sid) for sid in store.source_ids()},
            {sid: store.status(sid) for sid in store.source_ids()},
            runtime.wall_clock(),
            histories=month_histories(runtime.config, runtime.wall_clock())[0],  # the `kpis` MTTR
        )
    finally:
        runtime.stop()
        if close_state is not None:
            close_state()
    print(json.dumps(state, indent=2, ensure_ascii=False))
    return 0
