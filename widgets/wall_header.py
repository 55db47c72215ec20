"""The wall window's header bar: wall and dashboard titles, DEMO DATA, PAUSED, MUTED, position, mode, clock.

Every text in it is a plain-text label: titles come from a config or an imported Grafana dashboard
and are never interpreted as HTML.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from noc_app.widgets.plain_text import ElidedLabel, plain_label

QUIT_HINT = "Press Ctrl+Alt+Q again to quit"


class WallHeader(QWidget):
    """The header bar: what this screen shows, and whether it is real."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallHeader")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Every label is plain text: titles come from a config or an imported Grafana board.
        self.title = ElidedLabel("", self)  # titles may be long: elided, never widening the window
        self.dashboard = ElidedLabel("", self)
        self.demo_banner = ElidedLabel("DEMO DATA", self)  # names sources: many may be long
        self.paused = plain_label("PAUSED", self)
        self.quit_hint = plain_label(QUIT_HINT, self)
        self.position = plain_label("", self)
        self.mode = plain_label("", self)
        self.clock = plain_label("", self)
        self.report_status = ElidedLabel("", self)  # the last report's result (operator mode), plain text
        self.muted = plain_label("", self)  # "MUTED until 14:32" (the M key; noc_app.attention), dim: calm
        for label, role in (
            (self.dashboard, "dim"), (self.demo_banner, "demo"), (self.paused, "paused"),
            (self.quit_hint, "paused"), (self.position, "dim"), (self.mode, "dim"), (self.muted, "dim"),
        ):
            label.setProperty("role", role)
        self.demo_banner.hide()
        self.paused.hide()
        self.quit_hint.hide()
        self.muted.hide()
        self.report_status.setProperty("role", "dim")
        self.report_status.hide()
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(12, 4, 12, 4)
        self._row.addWidget(self.title)
        self._row.addWidget(self.dashboard)
        self._row.addStretch(1)
        labels = (self.report_status, self.quit_hint, self.demo_banner, self.paused, self.muted, self.position,
                  self.mode, self.clock)
        for label in labels:
            self._row.addWidget(label)
        # The config failed to load and its last good copy runs (noc_app.last_good): said, plain text.
        self.config_banner = ElidedLabel("", self)
        self.config_banner.setProperty("role", "demo")
        self.config_banner.hide()
        # It takes the room left over (elided), never the titles': which wall this is stays readable.
        policy = self.config_banner.sizePolicy()  # (QSizePolicy through the instance: imports untouched)
        policy.setHorizontalPolicy(policy.Policy.Ignored)
        self.config_banner.setSizePolicy(policy)
        self._row.insertWidget(2, self.config_banner, 4)

    def set_titles(self, wall_title: str, dashboard_title: str) -> None:
        """The wall's title and the shown dashboard's (plain, controls made visible).

        A dashboard title the wall title already says ("Shop API" in "Shop API (demo)") is not repeated.
        """
        self.title.set_full_text(wall_title)
        repeated = dashboard_title.strip().casefold() in wall_title.casefold()
        self.dashboard.set_full_text("" if repeated else "·  " + dashboard_title)
        self.dashboard.setVisible(not repeated)

    def set_text_px(self, px: int) -> None:
        self._row.setSpacing(max(8, px))
        bold = (self.title, self.clock, self.demo_banner)
        for label in self.findChildren(QLabel):
            font = QFont(label.font())
            font.setPixelSize(px)
            font.setWeight(QFont.Weight.Bold if label in bold else QFont.Weight.Normal)
            label.setFont(font)
