"""LogBody: a log stream, newest at the bottom, appended to, never re-rendered.

Each refresh appends only the lines after the last one shown (found by the
backend's cursor), so a busy stream costs a few inserted blocks per poll.  The
document keeps at most `panel.limit` lines, each at most MAX_LINE_CHARS long.
Timestamps are local HH:MM:SS; the level is a word and a theme colour (errors
critical, warnings warning).  Lines are inserted as plain text (insertText never
interprets markup).

The view never scrolls sideways, so the timestamps stay in sight: a long line
wraps with a hanging indent, its continuation rows starting under the service
column so the time column stays clean (`wrap: true`, the default), or ends in an
ellipsis at the panel's edge (`wrap: false`).  Both are measured in the
monospaced font and redone on resize; the rows of one record stay one block
(joined by line separators), so `limit` still counts records.
"""

from __future__ import annotations

import re
import textwrap
import time
from collections import deque
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QFontMetricsF,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QWidget

from noc_app.config.schema import PanelConfig
from noc_app.display_text import visible
from noc_app.model import LogLevel, LogLine
from noc_app.selectors import PanelData
from noc_app.themes import Theme

_LEVEL_WORD = {
    LogLevel.EMERGENCY: "EMERG",
    LogLevel.ALERT: "ALERT",
    LogLevel.CRITICAL: "CRIT ",
    LogLevel.ERROR: "ERROR",
    LogLevel.WARNING: "WARN ",
    LogLevel.NOTICE: "NOTE ",
    LogLevel.INFO: "INFO ",
    LogLevel.DEBUG: "DEBUG",
}


_CONTINUATION = re.compile("\u2028 *")  # a wrapped row's break and its hanging indent
MAX_LINE_CHARS = 2000  # one record's text; a multi-megabyte line must not live in the document
ELLIPSIS = "…"


def level_color_key(level: LogLevel) -> str:
    """Theme key for a level: errors and worse critical, warnings warning."""
    if level <= LogLevel.ERROR:
        return "critical"
    if level == LogLevel.WARNING:
        return "warning"
    if level == LogLevel.DEBUG:
        return "text_dim"
    return "text"


def clock_text(ts: float) -> str:
    """Local wall-clock time of a log line, HH:MM:SS."""
    return time.strftime("%H:%M:%S", time.localtime(ts))


def lines_after(
    lines: Sequence[LogLine], last_cursor: str | None, last_ts: float, recent: set[str]
) -> Sequence[LogLine]:
    """The lines not shown yet: those after the last shown cursor.

    When that cursor has scrolled out of the backend's window, fall back to
    "newer than the last shown line, and not one of the recently shown".
    """
    if last_cursor is None:
        return lines
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].cursor == last_cursor:
            return lines[i + 1 :]
    return [ln for ln in lines if ln.ts >= last_ts and ln.cursor not in recent]


class LogBody(QPlainTextEdit):
    """Read-only, append-only log view sized for the room."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self._theme = theme
        self._limit = max(1, panel.limit)
        self._shown: deque[LogLine] = deque(maxlen=self._limit)
        self._recent: set[str] = set()
        self._dimmed = False
        self.appended_count = 0  # lines appended over the body's life (tests)
        self.wrap = panel.display.wrap
        self._cut_width = -1  # the text width lines were wrapped or cut to
        self.setReadOnly(True)
        self.setMaximumBlockCount(self._limit)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Qt's own wrapping cannot indent continuation rows in a QPlainTextEdit: rows are made here.
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Nothing may scroll the view sideways (a cursor move, a wheel, a long line): column 0 is the time.
        self.horizontalScrollBar().rangeChanged.connect(lambda *_: self.horizontalScrollBar().setValue(0))
        self.horizontalScrollBar().valueChanged.connect(
            lambda value: self.horizontalScrollBar().setValue(0) if value else None
        )
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the wall window
        self.setStyleSheet(
            f"QPlainTextEdit {{ background: transparent; color: {theme.color('text')}; border: none; }}"
        )
        self._formats: dict[str, QTextCharFormat] = {}
        self._floor_px = 0  # log lines never below the viewing distance's minor floor (noc_app.viewing)
        self._body_px = 16
        self.set_text_px(16)

    def set_text_floors(self, minor_px: int, major_px: int) -> None:
        if minor_px != self._floor_px:
            self._floor_px = minor_px
            self.set_text_px(self._body_px)

    def set_text_px(self, px: int) -> None:
        self._body_px = px
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPixelSize(max(9, round(px * 0.8), self._floor_px))
        self.setFont(font)
        self.document().setDefaultFont(font)
        if self._shown:
            self._rerender()  # indents and cuts are measured in this font

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._shown and self._text_width() != self._cut_width:
            self._rerender()  # wrap or cut the lines again, to the new width
    def refresh(self, data: PanelData) -> None:
        """Append the lines that are new since the last refresh."""
        if data.dimmed != self._dimmed:
            self._dimmed = data.dimmed
            self._rerender()  # rare: colours of shown lines change between live and stale
        last = self._shown[-1] if self._shown else None
        new = lines_after(data.logs, last.cursor if last else None, last.ts if last else 0.0, self._recent)
        self._append(new)

    def line_texts(self) -> list[str]:
        """The plain text of every shown record, oldest first (wrapped rows joined by a space)."""
        texts = []
        block = self.document().begin()
        while block.isValid():
            texts.append(_CONTINUATION.sub(" ", block.text()))
            block = block.next()
        return texts if self.document().characterCount() > 1 else []

    # -- internals -----------------------------------------------------------------

    def _format(self, key: str) -> QTextCharFormat:
        if self._dimmed:
            key = "stale"
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(self._theme.color(key)))
            self._formats[key] = fmt
        return fmt

    def _append(self, lines: Sequence[LogLine]) -> None:
        if not lines:
            return
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        for line in lines:
            if self._shown:
                cursor.insertBlock()
            self._insert(cursor, line)
            if len(self._shown) == self._limit:
                self._recent.discard(self._shown[0].cursor)
            self._shown.append(line)
            self._recent.add(line.cursor)
        cursor.endEditBlock()
        self.appended_count += len(lines)
        self.moveCursor(QTextCursor.MoveOperation.End)
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
        self.horizontalScrollBar().setValue(0)  # a long last line must not scroll every line's start away

    def _text_width(self) -> int:
        margin = self.document().documentMargin()
        return max(1, int(self.viewport().width() - 2 * margin - 2))

    def _insert(self, cursor: QTextCursor, line: LogLine) -> None:
        metrics = QFontMetricsF(self.font())
        stamp = clock_text(line.ts) + "  "
        level = _LEVEL_WORD[line.level] + "  "
        service = visible(line.service) + "  " if line.service else ""
        # One record, one line: breaks become " ⏎ ", controls and bidi overrides visible escapes
        # (an RTL override must not make a line read as something else).
        text = visible(line.text)
        if len(text) > MAX_LINE_CHARS:
            text = text[: MAX_LINE_CHARS - 1] + ELLIPSIS
        self._cut_width = width = self._text_width()
        if self.wrap:
            self._insert_wrapped(cursor, line, stamp, level, service + text, metrics, width)
            return
        rest = width - metrics.horizontalAdvance(stamp + level + service)
        if metrics.horizontalAdvance(text) > rest:
            text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0.0, rest))
        if rest <= 0:  # a narrow panel: the service name gives way too, never the time
            room = max(0.0, width - metrics.horizontalAdvance(stamp + level))
            service = metrics.elidedText(service, Qt.TextElideMode.ElideRight, room)
        cursor.insertText(stamp, self._format("text_dim"))
        cursor.insertText(level, self._format(level_color_key(line.level)))
        if service:
            cursor.insertText(service, self._format("text_dim"))
        # The message stays in the text colour: the level word carries the alarm, and
        # a wall of red paragraphs would be unreadable from across the room.
        body_key = "text_dim" if line.level == LogLevel.DEBUG else "text"
        cursor.insertText(text, self._format(body_key))

    def _insert_wrapped(self, cursor: QTextCursor, line: LogLine, stamp: str, level: str, rest: str,
                        metrics: QFontMetricsF, width: int) -> None:
        """Time and level, then the service and message in rows under a hanging indent."""
        indent = len(stamp + level)
        columns = max(indent + 8, int(width / max(1.0, metrics.horizontalAdvance("0"))))
        rows = textwrap.wrap(rest, columns - indent, break_on_hyphens=False) or [""]
        cursor.insertText(stamp, self._format("text_dim"))
        cursor.insertText(level, self._format(level_color_key(line.level)))
        service = visible(line.service) + "  " if line.service else ""
        body_key = "text_dim" if line.level == LogLevel.DEBUG else "text"
        first = rows[0]
        if service and first.startswith(service.rstrip()):
            head = service.rstrip()
            cursor.insertText(head, self._format("text_dim"))
            first = first[len(head):]
        cursor.insertText(first, self._format(body_key))
        for row in rows[1:]:  # U+2028: a new row inside the same block (one record, one block)
            cursor.insertText("\u2028" + " " * indent + row, self._format(body_key))

    def _rerender(self) -> None:
        shown = list(self._shown)
        self._shown.clear()
        self._recent.clear()
        self.clear()
        self._formats.clear()
        appended = self.appended_count
        self._append(shown)
        self.appended_count = appended
