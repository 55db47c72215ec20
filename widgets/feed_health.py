"""FeedHealthStrip: one chip per source, so a dead feed is visible at a glance.

A chip says the source id, its kind, its state in words and colour (OK is green
only while fresh: the same time-based staleness the panels use, and only after a
successful poll; a source no panel reads is not polled and says UNUSED, in grey), when it last
answered and how fast.  Reasons (the error, the degraded cause) are in the
chip's tooltip (escaped; none in a kiosk).  Sources serving simulated data say DEMO.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QWidget

from noc_app.display_text import visible
from noc_app.model import SourceHealth, SourceStatus
from noc_app.selectors import PanelView, source_state
from noc_app.store_view import StoreView
from noc_app.themes import Theme
from noc_app.units import format_age
from noc_app.widgets.plain_text import set_tooltip
from noc_app.widgets.state_style import STATE_COLOR_KEY, STATE_MARKER, draw_marker, state_words

TICK_MS = 1000


def chip_parts(status: SourceStatus, view: PanelView, now: float) -> tuple[str, ...]:
    """The words of one chip: id, kind, state, last success, latency[, DEMO]; an unused source says so."""
    if status.health is SourceHealth.UNUSED:
        return (visible(status.source_id), visible(status.kind), "UNUSED", "not polled: no panel reads it")
    if status.last_success_at is None:
        last_ok = "never ok"
    else:
        last_ok = f"last ok {format_age(max(0.0, now - status.last_success_at))} ago"
    latency = "" if status.latency_ms is None else f"{status.latency_ms:.0f} ms"
    parts = [visible(status.source_id), visible(status.kind), state_words(view), last_ok]
    if latency:
        parts.append(latency)
    if view.badge:
        parts.append(visible(view.badge))
    return tuple(parts)


def chip_tooltip(status: SourceStatus, view: PanelView) -> str:
    """The reasons behind a chip's state, for hovering operators (plain text: escape it to show it)."""
    lines = [f"{status.source_id} ({status.kind}): {state_words(view)}"]
    if view.message:
        lines.append(view.message)
    if status.degraded and view.message != "; ".join(status.degraded):
        lines.extend(status.degraded)
    if status.consecutive_failures:
        lines.append(f"{status.consecutive_failures} failed polls in a row")
    lines.append(f"poll interval {status.interval_s:g}s")
    return "\n".join(lines)


class HealthChip(QWidget):
    """One source's health, painted: marker, words, colour."""

    def __init__(self, source_id: str, theme: Theme, *, tooltips: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source_id = source_id
        self._theme = theme
        self._tooltips = tooltips
        self.text_parts: tuple[str, ...] = (visible(source_id),)
        self.color_key = "loading"
        self.marker = "ring"
        self._px = 14

    def set_text_px(self, px: int) -> None:
        self._px = max(9, int(px))
        self.updateGeometry()
        self.update()

    def show_status(self, status: SourceStatus, view: PanelView, now: float) -> None:
        parts = chip_parts(status, view, now)
        color_key = STATE_COLOR_KEY[view.state]
        if (parts, color_key) == (self.text_parts, self.color_key):
            return
        grew = len(" ".join(parts)) != len(" ".join(self.text_parts))
        self.text_parts, self.color_key, self.marker = parts, color_key, STATE_MARKER[view.state]
        if self._tooltips:
            set_tooltip(self, chip_tooltip(status, view))
        if grew:
            self.updateGeometry()
        self.update()

    @property
    def text(self) -> str:
        return "  ".join(self.text_parts)

    def _font(self, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(self._px)
        if bold:
            font.setWeight(QFont.Weight.Bold)
        return font

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self._font(bold=True))
        text_w = sum(fm.horizontalAdvance(part) for part in self.text_parts)
        gaps = round(self._px * 0.6) * len(self.text_parts)
        return QSize(text_w + gaps + round(self._px * 1.6) + 4, round(self._px * 1.7))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._px * 6, round(self._px * 1.7))

    def paintEvent(self, event: QPaintEvent) -> None:
        px = self._px
        color = QColor(self._theme.color(self.color_key))
        painter = QPainter(self)
        rect = self.rect().adjusted(1, 1, -1, -1)
        painter.fillRect(rect, QColor(self._theme.color("panel")))
        painter.fillRect(QRect(rect.left(), rect.top(), max(3, px // 4), rect.height()), color)
        marker_rect = QRectF(rect.left() + px * 0.6, rect.center().y() - px * 0.35, px * 0.7, px * 0.7)
        draw_marker(painter, self.marker, marker_rect, color)
        x = rect.left() + round(px * 1.6)
        for i, part in enumerate(self.text_parts):
            state_part = i == 2
            font = self._font(bold=i == 0 or state_part)
            painter.setFont(font)
            if state_part:
                painter.setPen(color)
            elif part == "DEMO" and i == len(self.text_parts) - 1:
                painter.setPen(QColor(self._theme.color("demo_badge")))
            else:
                painter.setPen(QColor(self._theme.color("text" if i == 0 else "text_dim")))
            fm = QFontMetrics(font)
            advance = fm.horizontalAdvance(part)
            room = max(0, rect.right() - x)
            text = part if advance <= room else fm.elidedText(part, Qt.TextElideMode.ElideRight, room)
            text_rect = QRect(x, rect.top(), max(advance, room), rect.height())
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, text)
            x += advance + round(px * 0.6)
            if x >= rect.right():
                break
        painter.end()


class FeedHealthStrip(QWidget):
    """A row of health chips, one per source in the store."""

    def __init__(
        self,
        store: StoreView,
        theme: Theme,
        *,
        stale_after_intervals: float = 3.0,
        clock: Callable[[], float] = time.time,
        tooltips: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("feedHealthStrip")
        self._tooltips = tooltips
        self._store = store
        self._theme = theme
        self._stale_after = stale_after_intervals
        self._clock = clock
        self._chips: dict[str, HealthChip] = {}
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(4, 2, 4, 2)
        self._layout.addStretch(1)
        self._px = 14
        store.status_changed.connect(self.update_source)
        store.changed.connect(self.update_source)
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()

    def chips(self) -> tuple[HealthChip, ...]:
        return tuple(self._chips.values())

    def chip(self, source_id: str) -> HealthChip:
        return self._chips[source_id]

    def set_text_px(self, px: int) -> None:
        self._px = px
        self._layout.setSpacing(max(4, px // 2))
        for chip in self._chips.values():
            chip.set_text_px(px)

    def tick(self) -> None:
        """Refresh every chip (ages advance; fresh OK turns STALE without a poll)."""
        for sid in self._store.source_ids():
            self.update_source(sid)

    def update_source(self, source_id: str) -> None:
        if source_id not in self._store.source_ids():
            return
        chip = self._chips.get(source_id)
        if chip is None:
            chip = HealthChip(source_id, self._theme, tooltips=self._tooltips, parent=self)
            chip.set_text_px(self._px)
            self._chips[source_id] = chip
            self._layout.insertWidget(self._layout.count() - 1, chip)
        status = self._store.status(source_id)
        now = self._clock()
        view = source_state(status, self._store.snapshot(source_id), now, self._stale_after)
        chip.show_status(status, view, now)
