"""The table body: one row per series, labels as columns, a judged value column.

Painted (no QTableView: a wall table is read, not edited).  The header shows the
sort column with an arrow; a click on a header sorts by it (again: reverses).
Only operator mode delivers clicks to panels (wall and kiosk keep the mouse away).
Rows that do not fit are counted in a last line: "12 more".
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QMouseEvent, QPainter
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.selectors import PanelData
from noc_app.selectors_panels import VALUE_COLUMN, TableView, select_table
from noc_app.themes import Theme
from noc_app.widgets.metric_body import MetricBody
from noc_app.widgets.state_style import SEVERITY_MARKER, draw_marker
from noc_app.widgets.text_boxes import TextBoxes

ROW_SPACING = 1.55  # row height in text heights


class TableBody(TextBoxes, MetricBody):
    """Instant results as a sorted table."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.sort_by: str | None = None  # the operator's choice; None: the config's
        self.sort_desc: bool | None = None
        self.table = TableView(headers=(), columns=(), rows=(), more=0, sort_by=VALUE_COLUMN, sort_desc=True)
        self._column_x: list[tuple[float, float, str]] = []  # (left, right, column) for clicks
        self.shown_rows = 0
        self.text_boxes = []

    def _on_data(self, data: PanelData) -> None:
        self.table = select_table(data.results, self.panel, self.sort_by, self.sort_desc)

    def sort_on(self, column: str) -> None:
        """Sort by a column (a label name or 'value'); the same column again reverses."""
        if column == self.table.sort_by:
            self.sort_desc = not self.table.sort_desc
        else:
            self.sort_desc = column == VALUE_COLUMN  # values: biggest first; names: A first
        self.sort_by = column
        if self._data is not None:
            self._on_data(self._data)
        self.update()

    @property
    def more_text(self) -> str:
        hidden = self.table.more + max(0, len(self.table.rows) - self.shown_rows)
        return f"{hidden} more" if hidden else ""

    def _row_h(self) -> float:
        return self.text_px * ROW_SPACING

    def _paint(self, painter: QPainter) -> None:
        self.reset_text_boxes()
        painter.fillRect(self.rect(), self.color("panel"))
        table = self.table
        if not table.rows:
            self.shown_rows = 0
            return
        w, h = float(self.width()), float(self.height())
        px = self.text_px
        row_h = self._row_h()
        font, bold = self.px_font(px), self.px_font(px, bold=True)
        fm, fm_bold = QFontMetricsF(font), QFontMetricsF(bold)
        widths = self._column_widths(fm, fm_bold, w)
        capacity = max(0, int(h // row_h) - 1)  # minus the header
        shown = len(table.rows) if len(table.rows) + (1 if table.more else 0) <= capacity else max(0, capacity - 1)
        self.shown_rows = shown
        # header
        x = 0.0
        self._column_x = []
        names = (*table.columns, VALUE_COLUMN)
        for i, (header, width) in enumerate(zip(table.headers, widths, strict=True)):
            arrow = (" ▼" if table.sort_desc else " ▲") if names[i] == table.sort_by else ""
            room = width - px * 0.5 - fm_bold.horizontalAdvance(arrow)
            text = fm_bold.elidedText(header, Qt.TextElideMode.ElideRight, room)
            painter.setFont(bold)
            painter.setPen(self.color("text_dim"))
            right_align = i == len(widths) - 1
            label = text + arrow
            tx = x + width - fm_bold.horizontalAdvance(label) if right_align else x
            self.draw_text(painter, tx, (row_h + fm_bold.ascent() - fm_bold.descent()) / 2, label, fm_bold)
            self._column_x.append((x, x + width, names[i]))
            x += width
        painter.fillRect(QRectF(0, row_h - 2, w, 2), self.color("grid"))
        for r, row in enumerate(table.rows[:shown]):
            y = (r + 1) * row_h
            if r % 2:
                painter.fillRect(QRectF(0, y, w, row_h), self.color("background"))
            baseline = y + (row_h + fm.ascent() - fm.descent()) / 2
            x = 0.0
            painter.setFont(font)
            painter.setPen(self.color("text"))
            for cell, width in zip(row.cells, widths[:-1], strict=True):
                shown_cell = fm.elidedText(cell, Qt.TextElideMode.ElideMiddle, width - px * 0.5)
                self.draw_text(painter, x, baseline, shown_cell, fm)
                x += width
            value_w = widths[-1]
            value = fm_bold.elidedText(row.value_text, Qt.TextElideMode.ElideRight, value_w - px)
            value_x = w - fm_bold.horizontalAdvance(value)
            if row.severity is not None:
                marker = QRectF(value_x - px * 1.1, y + (row_h - px * 0.75) / 2, px * 0.75, px * 0.75)
                draw_marker(painter, SEVERITY_MARKER[row.severity], marker, self.color(row.color_key))
            painter.setFont(bold)
            painter.setPen(self.color(row.color_key))
            self.draw_text(painter, value_x, baseline, value, fm_bold)
        if self.more_text:
            y = (shown + 1) * row_h
            painter.setFont(font)
            painter.setPen(self.color("text_dim"))
            self.draw_text(painter, 0.0, y + (row_h + fm.ascent() - fm.descent()) / 2, self.more_text, fm)

    def _column_widths(self, fm: QFontMetricsF, fm_bold: QFontMetricsF, w: float) -> list[float]:
        """Each column as wide as its widest text (plus a gap), scaled down together to fit."""
        table, pad = self.table, self.text_px * 1.2
        wanted = []
        for i, header in enumerate(table.headers[:-1]):
            cells = [fm.horizontalAdvance(r.cells[i]) for r in table.rows[:50]]
            wanted.append(max([fm_bold.horizontalAdvance(header), *cells]) + pad)
        value_w = max([fm_bold.horizontalAdvance(table.headers[-1] + " ▼"),
                       *(fm_bold.horizontalAdvance(r.value_text) + self.text_px * 1.2 for r in table.rows[:50])]) + pad
        total = sum(wanted) + value_w
        if total > w and total > 0:
            label_room = max(0.0, w - value_w)
            share = label_room / sum(wanted) if sum(wanted) else 0.0
            wanted = [x * share for x in wanted]
        else:
            value_w = w - sum(wanted)
        return [*wanted, value_w]

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.position().y() <= self._row_h():
            x = event.position().x()
            for left, right, column in self._column_x:
                if left <= x < right:
                    self.sort_on(column)
                    return
        super().mousePressEvent(event)
