"""The tray icon (counts by priority in its tooltip and menu) and the desktop notification it shows.

QSystemTrayIcon comes with PySide6-Essentials and, on Linux, speaks the StatusNotifierItem and freedesktop
notification D-Bus services itself: no extra dependency.  Without a system tray (a bare X server, a cage
kiosk) there is no icon and no notification, and the wall says so once in the log.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from importlib import resources

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from noc_app.display_text import tooltip_html

log = logging.getLogger(__name__)
NOTIFICATION_MS = 10_000


class AttentionTray:
    """One tray icon per process: tooltip 'noc-app — 2 P0 · 0 P1 · …', a menu line per priority, Mute."""

    def __init__(self, on_mute: Callable[[], None], parent: QWidget | None = None) -> None:
        icon_path = resources.files("noc_app.themes") / "noc-app.svg"
        self.icon = QSystemTrayIcon(QIcon(str(icon_path)), parent)
        self.menu = QMenu(parent)
        self._count_actions: dict[str, QAction] = {}
        self._mute_action = self.menu.addAction("Mute sounds")
        self._mute_action.triggered.connect(on_mute)
        self.menu.addSeparator()
        self.icon.setContextMenu(self.menu)
        self.tooltip = ""
        self.icon.show()

    def set_counts(self, counts: tuple[tuple[str, int], ...], muted_text: str, mute_minutes: int) -> None:
        """The counts of incidents needing an answer, per priority, worst first (plain text everywhere)."""
        summary = " · ".join(f"{n} {p}" for p, n in counts)
        tooltip = f"noc-app — {summary}" + (f" — {muted_text}" if muted_text else "")
        if tooltip != self.tooltip:
            self.tooltip = tooltip
            self.icon.setToolTip(tooltip_html(tooltip))  # priority ids come from the config: shown literally
        for priority, n in counts:
            action = self._count_actions.get(priority)
            if action is None:
                action = self.menu.addAction("")
                action.setEnabled(False)  # information, not a command
                self._count_actions[priority] = action
            action.setText(f"{priority}: {n} open")
        self._mute_action.setText("Unmute sounds" if muted_text else f"Mute sounds for {mute_minutes} min")

    def notify(self, title: str, body: str) -> None:
        # Notification servers may read the body as markup: backend text is escaped so it stays text.
        body = html.escape(body, quote=False)
        self.icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Warning, NOTIFICATION_MS)

    def menu_texts(self) -> tuple[str, ...]:
        return tuple(a.text() for a in self.menu.actions() if not a.isSeparator())


def make_tray(on_mute: Callable[[], None], available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
              ) -> AttentionTray | None:
    """A tray icon when the desktop has a system tray; None (logged) otherwise."""
    if not available():
        log.info("no system tray: no tray icon and no desktop notifications")
        return None
    return AttentionTray(on_mute)
