"""What a running wall attaches besides its windows: workers for incident logs, charts opened large and
reports; sound, tray and flash; screen blanking; the systemd watchdog.

Part of the composition root (noc_app/app.py, split for size): it may import widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from noc_app.config.schema import AppConfig

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication, QTimer

    from noc_app.model import Alert
    from noc_app.runtime import Runtime
    from noc_app.store_view import StoreView
    from noc_app.widgets.wall_window import WallWindow
    from noc_app.zoom_feed import ZoomFeedFactory

log = logging.getLogger("noc_app.app")


def incident_log_runner(config: AppConfig) -> Callable[..., None] | None:
    """Runs incident log queries in a worker (when a log source is configured), stopped when the app quits."""
    from noc_app.incident_logquery import LOG_KINDS

    if not any(s.kind in LOG_KINDS for s in config.sources):
        return None
    from PySide6.QtCore import QCoreApplication

    from noc_app.incident_log_runner import IncidentLogRunner

    runner = IncidentLogRunner(config.sources)
    app = QCoreApplication.instance()
    if app is not None:
        runner.setParent(app)
        app.aboutToQuit.connect(lambda: runner.stop(wait=False))
    return runner


def zoom_opener(config: AppConfig, runtime: Runtime) -> ZoomFeedFactory | None:
    """Panels opened large (operator mode): range feeds of their own, built like the runtime's sources."""
    from noc_app.modes import capabilities

    caps = capabilities(config.mode)
    if not (caps.pointer_input and caps.navigate):
        return None
    from noc_app.zoom_feed import zoom_feeds

    return zoom_feeds(config, wall_clock=runtime.wall_clock)


def report_runner(config: AppConfig, runtime: Runtime) -> Callable[..., None] | None:
    """Reports from the UI (modes with `reports` and a state database): a worker, stopped when the app quits."""
    from noc_app.modes import capabilities

    if not capabilities(config.mode).reports or runtime.actions is None:
        return None
    from PySide6.QtCore import QCoreApplication

    from noc_app.reports.ui_runner import ReportRunner

    runner = ReportRunner(config)
    app = QCoreApplication.instance()
    if app is not None:
        runner.setParent(app)
        app.aboutToQuit.connect(lambda: runner.stop(wait=False))
    return runner


def start_attention(
    config: AppConfig, runtime: Runtime, windows: Sequence[WallWindow], app: QCoreApplication,
) -> None:
    """Sounds, tray, desktop notification, border flash, NEW marker (wall and operator modes; not in a kiosk)."""
    from noc_app.widgets.attention_controller import attach_attention

    attach_attention(config, runtime.store, windows, clock=runtime.wall_clock, parent=app,
                     suppressed=quiet_predicate(config, runtime.store, runtime.wall_clock))


def quiet_predicate(config: AppConfig, store: StoreView, clock: Callable[[], float]) -> Callable[[Alert], bool]:
    """Flapping or maintenance incidents: no sound, notification, flash or takeover (noc_app.noise)."""
    from noc_app.noise.reduce import is_quiet

    def quiet(alert: Alert) -> bool:
        return is_quiet(alert, {alert.source_id: store.snapshot(alert.source_id)}, config.noise, clock())

    return quiet


def keep_screen_on(config: AppConfig) -> None:
    """Wall and kiosk modes inhibit screen blanking where the platform allows (noc_app.blanking)."""
    from PySide6.QtGui import QGuiApplication

    from noc_app.blanking_qt import keep_wall_screen_on
    from noc_app.modes import capabilities

    keep_wall_screen_on(  # the D-Bus inhibition lasts as long as this process's bus connection
        keep_on=capabilities(config.mode).keep_screen_on, enabled=config.display.inhibit_blanking,
        qt_platform=QGuiApplication.platformName(),
    )


def notify_systemd(app: QCoreApplication, windows: Sequence[WallWindow]) -> None:
    """READY=1 once the first wall painted, then WATCHDOG=1 from the GUI thread (noc_app.sd_notify)."""
    from noc_app.sd_notify import Notifier, start_watchdog

    notifier = Notifier()
    if not notifier.enabled:
        return

    timers: list[QTimer] = []

    def ready() -> None:
        notifier.ready()
        timer = start_watchdog(notifier, app)
        if timer is not None:
            timers.append(timer)

    def stopping() -> None:  # shutting down may take a while (workers): no pings after STOPPING=1
        for timer in timers:
            timer.stop()
        notifier.stopping()

    if windows:
        windows[0].first_paint_done.connect(ready)
    else:
        ready()
    app.aboutToQuit.connect(stopping)
