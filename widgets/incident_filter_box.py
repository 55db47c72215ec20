"""The filter box above an incident board (operator mode): label matchers and free text.

The text is read by `noc_app.incident_filter.parse_filter` on every edit; a valid filter goes
to the board (which applies it through the incidents selector), an invalid one leaves the
board as it was and says why beside the box, in plain text.  Esc clears the box; the
window's `/` key focuses it (noc_app.modes.window_keys).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from noc_app.incident_filter import NO_FILTER, AlertFilter, FilterError, parse_filter
from noc_app.themes import Theme
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.panel_frame import PanelFrame
from noc_app.widgets.plain_text import ElidedLabel

PLACEHOLDER = "Filter: severity=critical service=~pay.* text   ( / focuses, Esc clears)"


class IncidentFilterBox(QWidget):
    """A line edit and its error line; emits the parsed filter."""

    filter_changed = Signal(object)  # AlertFilter

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incidentFilter")
        self.setStyleSheet(f"#incidentFilter QLabel {{ color: {theme.color('warning')}; }}")
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setClearButtonEnabled(False)
        self.edit.installEventFilter(self)
        self.error = ElidedLabel("", self)  # the parser's words: plain text
        self.error.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 2)
        row.addWidget(self.edit, 3)
        row.addWidget(self.error, 2)
        self.current: AlertFilter = NO_FILTER
        self.edit.textChanged.connect(self._on_text)

    @property
    def error_text(self) -> str:
        return self.error.full_text if not self.error.isHidden() else ""

    def set_text_px(self, px: int) -> None:
        for widget in (self.edit, self.error):
            font = QFont(widget.font())
            font.setPixelSize(px)
            widget.setFont(font)
        self.updateGeometry()

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def clear(self) -> None:
        self.edit.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        escape = event.type() == QEvent.Type.KeyPress and cast(QKeyEvent, event).key() == Qt.Key.Key_Escape
        if watched is self.edit and escape:
            self.clear()
            return True
        return False

    def _on_text(self, text: str) -> None:
        try:
            parsed = parse_filter(text)
        except FilterError as exc:
            self.error.set_full_text(str(exc))
            self.error.show()
            return
        self.error.hide()
        self.error.set_full_text("")
        if parsed != self.current:
            self.current = parsed
            self.filter_changed.emit(parsed)


def attach_filter_boxes(frames: Iterable[PanelFrame], theme: Theme) -> tuple[IncidentFilterBox, ...]:
    """A filter box above every incident board among `frames`, wired to it."""
    boxes = []
    for frame in frames:
        if isinstance(frame.body, IncidentBoardBody):
            box = IncidentFilterBox(theme, frame)
            box.filter_changed.connect(frame.body.set_filter)
            frame.set_accessory(box)
            boxes.append(box)
    return tuple(boxes)
