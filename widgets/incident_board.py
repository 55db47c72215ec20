"""IncidentBoardBody: the active incidents, painted for a room, not a table.

Each row spells its severity three ways (colour, marker shape, "P0 CRITICAL"),
then the alert name, how long it has been firing, the summary and key labels.
Muted alerts (silenced, acknowledged, inhibited) are dimmed at the bottom with
who muted them, never hidden.  Only the rows that fit are built and painted, so
200 alerts cost no more than the dozen on screen; the rest are "and N more".
What to show is decided in `noc_app.selectors_incidents`: the rows' alerts (sorted,
de-duplicated, grouped), the header counts and whether the board may claim to be
empty arrive as an `IncidentBoard`; this widget only lays them out and paints.
Backend text is painted with its controls and bidi overrides made visible.

Where the mode lets an operator act (widgets/incident_actions.py turns it on),
a row can be selected (click, Up/Down) and the board forwards A/U/N and the
context menu request; it never decides what is allowed.  While a menu or a
dialog is open the board is held: new data waits, so rows never move under the
operator's cursor.  A row with an action in flight shows a plain marker.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QWidget

from noc_app.actions.model import ActionKind
from noc_app.config.schema import PanelConfig
from noc_app.incident_filter import NO_FILTER, AlertFilter, filter_board
from noc_app.model import Alert, DataState, Severity
from noc_app.selectors import PanelData
from noc_app.selectors_board_rows import BoardPolicy, BoardRow, board_row, board_rows, firing_for, row_ages
from noc_app.selectors_incidents import NO_BOARD, IncidentBoard, more_text
from noc_app.themes import Theme
from noc_app.widgets.board_rows import row_key
from noc_app.widgets.new_badge import paint_new_badge
from noc_app.widgets.state_style import SEVERITY_MARKER, draw_marker, severity_color_key, severity_words

__all__ = ["BoardRow", "IncidentBoardBody", "board_row", "firing_for"]
ELIDED_CACHE_SIZE = 512  # texts of a few screens of rows; cleared whole when full
NEW_CHECK_MEMBERS = 64  # a folded row is NEW when one of its first members is (groups can hold thousands)


def new_badge_key(alert: Alert) -> tuple[str, str]:
    return (alert.source_id, alert.fingerprint)


ACTION_KEYS = {Qt.Key.Key_A: ActionKind.ACK, Qt.Key.Key_U: ActionKind.UNACK, Qt.Key.Key_N: ActionKind.NOTE}

class IncidentBoardBody(QWidget):
    """Custom-painted incident rows sized for the room."""

    action_key = Signal(object)  # ActionKind: A, U or N pressed with a row selected
    menu_requested = Signal(QPoint)  # global position: the context menu of the selected row

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self._theme = theme
        self._board: IncidentBoard = NO_BOARD
        self._filter = NO_FILTER  # the operator's filter box (noc_app.incident_filter); the selector applies it
        self._unfiltered: IncidentBoard = NO_BOARD
        self._now = 0.0
        self._state = DataState.LOADING
        self._dimmed = False
        self._px = 18
        self._floors = (0, 0)  # (minor, major) px floors from the viewing distance (noc_app.viewing)
        self._short_priority = False  # this paint shows "P2" rather than "P2 WARNING" (narrow, held sizes)
        self._more_in_header = False  # no room for a row and the "and N more" line: it goes in the header
        self._fit = 0
        self.visible_rows: tuple[BoardRow, ...] = ()
        self.more_count = 0
        self.empty_text = ""
        self.selectable = False  # set by the actions controller in operator mode
        self.selected_key: tuple[str, str] | None = None
        self._markers: dict[tuple[str, str], str] = {}
        self._held = False
        self._waiting: PanelData | None = None  # data that arrived while held
        self.painted_markers: dict[tuple[str, str], str] = {}  # what the last paint showed (tests)
        self._policy: BoardPolicy | None = None  # the severity policy: priorities and ack countdowns
        # With record_text on (tests), every text the last paint drew: (text, width and height it needs,
        # the box it was given).  Off on the wall: measuring each text again costs paint time.
        self.record_text = False
        self.painted_text: list[tuple[str, int, int, QRect]] = []
        self._elided_cache: dict[tuple[str, int, str, int, QFont.Weight], str] = {}
        self._new_keys: frozenset[tuple[str, str]] = frozenset()  # incidents that appeared lately (attention)

    # -- contract ----------------------------------------------------------------

    def refresh(self, data: PanelData) -> None:
        """Show a new alert list (already sorted by the selector); while held, keep it for later."""
        if self._held:
            self._waiting = data
            return
        self._unfiltered = data.board
        self._board = filter_board(data.board, self._filter)
        self._now = data.now
        self._state = data.view.state
        self._dimmed = data.dimmed
        self.empty_text = data.board.empty_text
        self._relayout()
        self.update()

    def set_filter(self, alert_filter: AlertFilter) -> None:
        """Show only the alerts the filter keeps (operator mode's filter box); NO_FILTER shows all."""
        self._filter = alert_filter
        self._board = filter_board(self._unfiltered, alert_filter)
        self.empty_text = self._board.empty_text
        self._relayout()
        self.update()

    # -- selection, markers, hold (operator mode) -------------------------------------

    def set_selectable(self, on: bool) -> None:
        self.selectable = on
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if on else Qt.FocusPolicy.NoFocus)
        if not on:
            self.selected_key = None
        self.update()

    def select_index(self, index: int) -> None:
        """Select the index-th visible row (clamped); nothing when no row is shown."""
        if not self.selectable or not self.visible_rows:
            return
        index = max(0, min(index, len(self.visible_rows) - 1))
        self.selected_key = self.visible_rows[index].key
        self.update()

    @property
    def selected_index(self) -> int | None:
        for i, row in enumerate(self.visible_rows):
            if row.key == self.selected_key:
                return i
        return None

    def selected_group(self) -> tuple[Alert, ...] | None:
        """The alerts of the selected row, or None when it is gone or nothing is selected."""
        for group in self._board.groups[: self._fit]:
            if row_key(group) == self.selected_key:
                return group
        return None

    def members_of(self, alert: Alert) -> tuple[Alert, ...]:
        """The backend incidents behind a shown alert: all of them for one problem merged across backends."""
        return self._board.members_of(alert)

    def set_marker(self, key: tuple[str, str], text: str) -> None:
        """Show (or, with "", clear) an action marker on the row whose identity is `key`."""
        if text:
            self._markers[key] = text
        else:
            self._markers.pop(key, None)
        self._build_rows()
        self.update()

    def marker(self, key: tuple[str, str]) -> str:
        return self._markers.get(key, "")

    def set_held(self, held: bool) -> None:
        """Hold the rows still (a menu or dialog is open); on release, show what arrived meanwhile."""
        self._held = held
        if not held and self._waiting is not None:
            waiting, self._waiting = self._waiting, None
            self.refresh(waiting)

    def row_at(self, y: int) -> int | None:
        _, _, header_h, row_h, _ = self._metrics()
        if y < header_h or row_h <= 0:
            return None
        index = (y - header_h) // row_h
        return index if index < len(self.visible_rows) else None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        index = self.row_at(round(event.position().y())) if self.selectable else None
        if index is None:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.select_index(index)
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt override)
        if not self.selectable:
            event.ignore()
            return
        index = self.row_at(event.pos().y())
        if index is not None and event.reason() is QContextMenuEvent.Reason.Mouse:
            self.select_index(index)
        if self.selected_group() is not None:
            self.menu_requested.emit(event.globalPos())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if not self.selectable or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            super().keyPressEvent(event)
            return
        key = event.key()
        current = self.selected_index
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if key == Qt.Key.Key_Down else -1
            self.select_index(0 if current is None else current + step)
        elif key == Qt.Key.Key_Menu and self.selected_group() is not None:
            self.menu_requested.emit(self.mapToGlobal(self._selected_rect().center()))
        elif key in ACTION_KEYS and self.selected_group() is not None:
            self.action_key.emit(ACTION_KEYS[Qt.Key(key)])
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _selected_rect(self) -> QRect:
        _, _, header_h, row_h, _ = self._metrics()
        index = self.selected_index or 0
        return QRect(0, header_h + index * row_h, self.width(), row_h)

    def set_text_px(self, px: int) -> None:
        self._px = max(9, int(px))
        self._relayout()
        self.update()

    def set_new_keys(self, keys: frozenset[tuple[str, str]]) -> None:
        """Mark rows holding one of these incidents NEW (noc_app.attention decides which and for how long)."""
        if keys != self._new_keys:
            self._new_keys = keys
            self.update()

    @property
    def new_row_keys(self) -> tuple[tuple[str, str], ...]:
        """The visible rows marked NEW (their keys), in order."""
        return tuple(row.key for i, row in enumerate(self.visible_rows) if self._row_is_new(i))

    def _row_is_new(self, index: int) -> bool:
        if not self._new_keys or index >= len(self._board.groups):
            return False
        return any(new_badge_key(a) in self._new_keys for a in self._board.groups[index][:NEW_CHECK_MEMBERS])

    def set_text_floors(self, minor_px: int, major_px: int) -> None:
        """Names and priorities stay at or above `major_px`, summaries and ages at or above `minor_px`."""
        if (minor_px, major_px) != self._floors:
            self._floors = (minor_px, major_px)
            self._relayout()
            self.update()

    def set_policy(self, policy: BoardPolicy | None) -> None:
        """Show priorities from this severity policy, with each row's ack countdown (None: the severity's own)."""
        self._policy = policy
        self._build_rows()
        self.update()

    def tick(self, now: float) -> None:
        """Advance the "for 12m" ages and ack countdowns; repaint only when a visible text changed."""
        self._now = now
        ages = row_ages(self._board, now, self._fit, self._policy)
        shown = tuple(r.age_text for r in self.visible_rows)
        if self._policy is not None:
            shown += tuple(r.countdown for r in self.visible_rows)
        if ages != shown:
            self._build_rows()
            self.update()

    # -- test/inspection surface -------------------------------------------------

    @property
    def header_text(self) -> str:
        return " · ".join(text for text, _ in self._board.counts)

    @property
    def more_text(self) -> str:
        """'and 12 more (340 alerts)' below the rows that fit; worded by the selector."""
        return more_text(self._board, self._fit)

    # -- layout --------------------------------------------------------------------

    def _metrics(self) -> tuple[int, int, int, int, int]:
        px = max(self._px, self._floors[1])
        small = max(9, round(px * 0.72), self._floors[0])
        header_h = round(px * 1.6) + len(self._board.noise.hints) * self._hint_h(small)
        row_h = round(px * 1.3 + small * 1.35 + px * 0.45)
        more_h = round(small * 1.6)
        return px, small, header_h, row_h, more_h

    @staticmethod
    def _hint_h(small: int) -> int:
        return round(small * 1.5)

    @property
    def hint_lines(self) -> tuple[str, ...]:
        """The problems' lines under the header: "4 incidents · probable cause: db (...)"."""
        return self._board.noise.hints

    def _relayout(self) -> None:
        _, _, header_h, row_h, more_h = self._metrics()
        n = len(self._board.groups)
        avail = self.height() - header_h
        fit = max(0, avail // row_h)
        if n > fit:
            fit = max(0, (avail - more_h) // row_h)
        # Held at a viewing distance's size, one incident beats none: "and N more" joins the counts' row.
        self._more_in_header = bool(self._floors[1] and fit == 0 and n and avail >= row_h)
        fit = 1 if self._more_in_header else fit
        self._fit = min(n, fit)
        self.more_count = n - self._fit
        self._build_rows()

    def _build_rows(self) -> None:
        self.visible_rows = board_rows(self._board, self._now, self._fit, self._markers, self._policy)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    # -- painting ------------------------------------------------------------------

    def _color(self, key: str) -> QColor:
        return QColor(self._theme.color(key))

    def _severity_color(self, severity: Severity | None, muted: bool = False) -> QColor:
        if self._dimmed:  # old data is never drawn in live colours
            return self._color("stale")
        if severity is None or muted:
            return self._color("text_dim")
        return self._color(severity_color_key(severity))

    def _elided(self, font: QFont, text: str, width: int) -> str:
        """`text` cut to `width` with an ellipsis; remembered, as the rows' texts rarely change between paints."""
        key = (text, width, font.family(), font.pixelSize(), font.weight())
        found = self._elided_cache.get(key)
        if found is None:
            if len(self._elided_cache) >= ELIDED_CACHE_SIZE:
                self._elided_cache.clear()
            found = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, width)
            self._elided_cache[key] = found
        return found

    def _draw_text(self, painter: QPainter, rect: QRect, flags: Qt.AlignmentFlag, text: str) -> None:
        if self.record_text:
            fm = QFontMetrics(painter.font())
            self.painted_text.append((text, fm.horizontalAdvance(text), fm.height(), QRect(rect)))
        painter.drawText(rect, flags, text)

    def paintEvent(self, event: QPaintEvent) -> None:
        px, small, header_h, row_h, more_h = self._metrics()
        self.painted_text = []
        painter = QPainter(self)
        bold, regular, small_font = QFont(self.font()), QFont(self.font()), QFont(self.font())
        bold.setPixelSize(px)
        bold.setWeight(QFont.Weight.Bold)
        regular.setPixelSize(px)
        small_font.setPixelSize(small)
        w = self.width()
        if self.empty_text:
            painter.setFont(regular)
            painter.setPen(self._color("text_dim"))
            self._draw_text(painter, self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        counts_h = header_h - len(self.hint_lines) * self._hint_h(small)
        self._paint_header(painter, bold, QRect(0, 0, w, counts_h))
        self._paint_hints(painter, small_font, QRect(0, counts_h, w, header_h - counts_h))
        # Held at a viewing distance's size, the board shows the priority id only ("P2", with its
        # shape and colour; the header counts say the same) so the name and summary keep the room.
        self._short_priority = self._floors[1] > 0 and w < px * 40
        words = [severity_words(s).split(" ", 1)[0] if self._short_priority else severity_words(s) for s in Severity]
        sev_w = max(QFontMetrics(bold).horizontalAdvance(word) for word in words) + round(px * 1.5)
        y = header_h
        for i, row in enumerate(self.visible_rows):
            if self.selectable and row.key == self.selected_key:
                self._paint_selection(painter, QRect(0, y, w, row_h))
            self._paint_row(painter, row, QRect(0, y, w, row_h), bold, regular, small_font, sev_w,
                            new=self._row_is_new(i))
            y += row_h
        if self.more_count:
            painter.setFont(small_font)
            painter.setPen(self._color("text"))  # what does not fit must still be read from across the room
            align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
            more_rect = QRect(0, 0, w - px // 2, counts_h) if self._more_in_header else QRect(0, y, w - px // 2, more_h)
            self._draw_text(painter, more_rect, align, self.more_text)
        painter.end()

    def _paint_selection(self, painter: QPainter, rect: QRect) -> None:
        painter.fillRect(rect.adjusted(0, 1, 0, -1), self._color("panel_border"))
        painter.setPen(self._color("text_dim"))
        painter.drawRect(rect.adjusted(0, 1, -1, -2))

    def _paint_header(self, painter: QPainter, font: QFont, rect: QRect) -> None:
        fm = QFontMetrics(font)
        painter.setFont(font)
        x = rect.left() + 2
        separator = "  ·  "
        for i, (text, severity) in enumerate(self._board.counts):
            if i:
                painter.setPen(self._color("text_dim"))
                gap = QRect(x, rect.top(), rect.right() - x, rect.height())
                self._draw_text(painter, gap, Qt.AlignmentFlag.AlignVCenter, separator)
                x += fm.horizontalAdvance(separator)
            painter.setPen(self._severity_color(severity))
            segment = QRect(x, rect.top(), max(0, rect.right() - x), rect.height())
            self._draw_text(painter, segment, Qt.AlignmentFlag.AlignVCenter, text)
            x += fm.horizontalAdvance(text)

    def _paint_hints(self, painter: QPainter, font: QFont, rect: QRect) -> None:
        """One line per problem, in the text colour (a hint to read, not an alarm)."""
        if not self.hint_lines:
            return
        painter.setFont(font)
        painter.setPen(self._color("text_dim" if self._dimmed else "text"))
        line_h = rect.height() // len(self.hint_lines)
        for i, hint in enumerate(self.hint_lines):
            line = QRect(rect.left() + 2, rect.top() + i * line_h, rect.width() - 4, line_h)
            self._draw_text(painter, line, Qt.AlignmentFlag.AlignVCenter, self._elided(font, "▸ " + hint, line.width()))

    def _paint_row(
        self, painter: QPainter, row: BoardRow, rect: QRect, bold: QFont, regular: QFont, small_font: QFont, sev_w: int,
        *, new: bool = False,
    ) -> None:
        px = bold.pixelSize()
        color = self._severity_color(row.severity, row.muted)
        text_color = self._color("text_dim" if row.muted or self._dimmed else "text")
        line1 = QRect(rect.left(), rect.top() + round(px * 0.2), rect.width(), round(px * 1.3))
        line2 = QRect(rect.left(), line1.bottom(), rect.width(), rect.bottom() - line1.bottom() - round(px * 0.2))
        painter.fillRect(QRect(rect.left(), rect.top() + 2, max(3, px // 5), rect.height() - 4), color)
        x = rect.left() + max(3, px // 5) + px // 3
        marker = QRectF(x, line1.top() + px * 0.25, px * 0.8, px * 0.8)
        draw_marker(painter, SEVERITY_MARKER[row.severity], marker, color)
        painter.setFont(bold)
        painter.setPen(color)
        severity_rect = QRect(x + round(px * 1.1), line1.top(), sev_w, line1.height())
        severity_text = row.severity_text.split(" ", 1)[0] if self._short_priority else row.severity_text
        self._draw_text(painter, severity_rect, Qt.AlignmentFlag.AlignVCenter, severity_text)
        name_left = x + sev_w
        right = rect.right() - px // 2
        painter.setFont(small_font)
        small_fm = QFontMetrics(small_font)
        tail = "   ".join(t for t in (row.state_tag, row.age_text) if t)
        tail_w = small_fm.horizontalAdvance(tail)
        painter.setPen(self._color("text_dim"))
        # At a viewing distance's size the name comes first: ages and clocks move to the summary line.
        full_tail = tail_w + (small_fm.horizontalAdvance(row.countdown) + px // 2 if row.countdown else 0)
        name_need = QFontMetrics(regular if row.muted else bold).horizontalAdvance(row.title) + px // 2
        tail_below = self._floors[1] > 0 and name_need > right - full_tail - name_left
        tail_line = line2 if tail_below else line1
        tail_rect = QRect(right - tail_w, tail_line.top(), tail_w, small_fm.height() if tail_below else line1.height())
        self._draw_text(painter, tail_rect, Qt.AlignmentFlag.AlignVCenter, tail)
        if row.countdown:  # the response clock, in the severity's colour, before the state and age
            countdown_w = small_fm.horizontalAdvance(row.countdown) + 1
            tail_w += countdown_w + (px // 2 if tail else 0)
            painter.setPen(color)
            self._draw_text(painter, QRect(right - tail_w, tail_line.top(), countdown_w, tail_rect.height()),
                            Qt.AlignmentFlag.AlignVCenter, row.countdown)
        if row.marker:  # an action in flight or its result, before the state tag
            room = max(0, (right - name_left) // 2)
            marker_w = small_fm.horizontalAdvance(row.marker) + 1  # elidedText's float widths cut exact fits
            marker_text = row.marker
            if marker_w > room:
                marker_w = room
                marker_text = small_fm.elidedText(row.marker, Qt.TextElideMode.ElideRight, room)
            self.painted_markers[row.key] = marker_text
            tail_w += marker_w + px
            painter.setPen(self._color("warning" if "FAILED" in row.marker else "loading"))
            marker_rect = QRect(right - tail_w, tail_line.top(), marker_w, tail_rect.height())
            self._draw_text(painter, marker_rect, Qt.AlignmentFlag.AlignVCenter, marker_text)
        name_x = name_left
        if new:  # a pill with the word before the name: shape and word, not colour alone
            badge_font = QFont(bold)
            badge_font.setPixelSize(max(9, round(px * 0.8)))
            name_x += paint_new_badge(painter, badge_font, QRect(name_left, line1.top(), 0, line1.height()),
                                      self._color("text"), self._color("panel"), gap=px // 2, record=self._draw_text)
        painter.setFont(regular if row.muted else bold)
        painter.setPen(text_color)
        name_w = max(0, right - (0 if tail_below else tail_w) - px // 2 - name_x)
        name = self._elided(painter.font(), row.title, name_w)
        name_rect = QRect(name_x, line1.top(), name_w, line1.height())
        self._draw_text(painter, name_rect, Qt.AlignmentFlag.AlignVCenter, name)
        painter.setFont(small_font)
        painter.setPen(self._color("text_dim"))
        detail_right = right - tail_w - px // 2 if tail_below else right
        detail_rect = QRect(name_left, line2.top(), max(0, detail_right - name_left), line2.height())
        detail = self._elided(small_font, row.detail, detail_rect.width())
        self._draw_text(painter, detail_rect, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft, detail)
