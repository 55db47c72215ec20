"""Pieces the incident detail view and the takeover view share: link buttons, the log lines panel.

Links open only through `open_link`: the URL is checked again here (http or https, with a host)
and handed to QDesktopServices; anything else is refused.  Button texts are plain text by nature
(QPushButton never interprets markup); '&' is doubled so it is no mnemonic.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from noc_app.display_text import visible
from noc_app.incident_detail import IncidentLogs
from noc_app.incident_links import LINK_SCHEMES, openable_url
from noc_app.model import LogLevel
from noc_app.themes import Theme
from noc_app.widgets.plain_text import plain_label, set_tooltip

LOG_LEVEL_COLOR = {LogLevel.EMERGENCY: "critical", LogLevel.ALERT: "critical", LogLevel.CRITICAL: "critical",
                   LogLevel.ERROR: "critical", LogLevel.WARNING: "warning"}
NO_LOG_SOURCE_TEXT = "No log source configured (loki, elasticsearch or journald) or no label selects its logs"
MAX_LOG_LINES = 200


def open_link(url: str) -> bool:
    """Open an http/https URL in the desktop's browser; False (nothing opened) for any other text."""
    checked = openable_url(url)
    if checked is None:
        return False
    qurl = QUrl(checked, QUrl.ParsingMode.StrictMode)
    if not qurl.isValid() or qurl.scheme().lower() not in LINK_SCHEMES or not qurl.host():
        return False
    return bool(QDesktopServices.openUrl(qurl))


def button_text(text: str) -> str:
    return visible(text).replace("&", "&&")


def link_button(name: str, url: str, parent: QWidget | None = None) -> QPushButton:
    """'runbook_url: https://…' as a button that opens the URL (checked again at the click)."""
    button = QPushButton(button_text(f"{name}: {url}"), parent)
    set_tooltip(button, url)
    button.setProperty("noc_url", url)
    button.clicked.connect(lambda _=False, u=url: open_link(u))
    return button


def action_button(text: str, on_click: Callable[[], object], parent: QWidget | None = None) -> QPushButton:
    button = QPushButton(button_text(text), parent)
    button.clicked.connect(lambda _=False: on_click())
    return button


def section_title(text: str, px: int, parent: QWidget | None = None) -> QLabel:
    label = plain_label(text, parent)
    label.setStyleSheet(f"font-size: {px}px; font-weight: bold;")  # a sheet: a dialog's own sheet wins over fonts
    return label


class IncidentLogPanel(QWidget):
    """The incident's log query (plain text) and the lines it answered, newest last."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.query_label = plain_label("")
        self.query_label.setWordWrap(True)
        self.lines = QPlainTextEdit()
        self.lines.setReadOnly(True)
        self.lines.setFrameShape(QFrame.Shape.NoFrame)
        self.lines.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.lines.setMaximumBlockCount(MAX_LOG_LINES)
        self.lines.setStyleSheet(
            f"QPlainTextEdit {{ background: {theme.color('panel')}; color: {theme.color('text')}; }}")
        column.addWidget(self.query_label)
        column.addWidget(self.lines, 1)
        self._answers: dict[str, IncidentLogs] = {}

    def set_text_px(self, px: int) -> None:
        font = self.lines.font()
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFamily("monospace")
        font.setPixelSize(px)
        self.lines.setFont(font)
        self.lines.document().setDocumentMargin(max(4, px // 2))  # lines never touch the screen's edge
        query_font = self.query_label.font()
        query_font.setPixelSize(px)
        self.query_label.setFont(query_font)
        self.query_label.setContentsMargins(px // 2, px // 4, px // 2, px // 4)
        self.query_label.setStyleSheet(f"color: {self._theme.color('text_dim')};")

    def set_queries(self, queries: list[tuple[str, str, str]]) -> None:
        """(source id, kind, query) shown above the lines; none: say why nothing is shown."""
        if not queries:
            self.query_label.setText(NO_LOG_SOURCE_TEXT)
            return
        self.query_label.setText(visible("   ".join(f"{sid} ({kind}): {query}" for sid, kind, query in queries)))
        self.lines.setPlainText("Reading logs…")

    def show_logs(self, logs: IncidentLogs) -> None:
        """One source's answer; lines of every source answered so far, oldest first."""
        self._answers[logs.source_id] = logs
        self.lines.clear()
        cursor = self.lines.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        entries = sorted((line.ts, sid, line) for sid, a in self._answers.items() for line in a.lines)
        for answer in self._answers.values():
            if answer.error:
                self._append(cursor, f"{answer.source_id}: cannot read logs: {answer.error}", "critical")
        if not entries and not any(a.error for a in self._answers.values()):
            self._append(cursor, "No matching log lines", "text_dim")
        for ts, _sid, line in entries[-MAX_LOG_LINES:]:
            stamp = time.strftime("%H:%M:%S", time.localtime(ts))
            self._append(cursor, f"{stamp} {line.level.name:<7} {line.text}".rstrip(),
                         LOG_LEVEL_COLOR.get(line.level, "text"))
        self.lines.moveCursor(QTextCursor.MoveOperation.End)

    def _append(self, cursor: QTextCursor, text: str, color_key: str) -> None:
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(self._theme.color(color_key)))
        if not self.lines.document().isEmpty():
            cursor.insertBlock()
        cursor.insertText(visible(text), fmt)

    def text(self) -> str:
        return self.lines.toPlainText()
