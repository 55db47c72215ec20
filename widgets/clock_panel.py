"""The clock body: local time and the configured regions' times, with their dates.

It needs no source.  A single-shot timer fires just after each whole second and
repaints only this widget (nothing else is woken); the texts are a pure function
of an epoch time (`clock_lines`) so tests can give any instant.
"""

from __future__ import annotations

import time
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import ClockOptions, PanelConfig
from noc_app.display_text import visible
from noc_app.selectors import PanelData
from noc_app.themes import Theme
from noc_app.widgets.metric_body import MetricBody
from noc_app.widgets.text_boxes import TextBoxes


@dataclass(frozen=True, kw_only=True, slots=True)
class ClockLine:
    name: str  # "Local", "Seoul"
    time: str  # "14:05:09" or "2:05:09 PM"
    date: str  # "Wed 2 Dec" (+1 day marks are in the date itself)


def clock_lines(now: float, options: ClockOptions) -> tuple[ClockLine, ...]:
    """What the clock shows at epoch time `now`."""
    zones: list[tuple[str, zoneinfo.ZoneInfo | None]] = [("Local", None)] if options.local else []
    zones.extend((zone.name, zoneinfo.ZoneInfo(zone.tz)) for zone in options.zones)
    if options.hour_format == 12:
        pattern = "%I:%M:%S %p" if options.show_seconds else "%I:%M %p"
    else:
        pattern = "%H:%M:%S" if options.show_seconds else "%H:%M"
    lines = []
    for name, tz in zones:
        moment = datetime.fromtimestamp(now, tz) if tz is not None else datetime.fromtimestamp(now).astimezone()
        text = moment.strftime(pattern)
        if options.hour_format == 12:
            text = text.lstrip("0")
        date = f"{moment.strftime('%a')} {moment.day} {moment.strftime('%b')} · {utc_offset(moment)}" \
            if options.show_date else ""
        lines.append(ClockLine(name=visible(name), time=text, date=date))
    return tuple(lines)


def utc_offset(moment: datetime) -> str:
    """'UTC+9', 'UTC-5', 'UTC+5:30', 'UTC'."""
    offset = moment.utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


class ClockBody(TextBoxes, MetricBody):
    """Times of several regions, one row each; the first (local) row is the biggest."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None,
                 *, clock: object = time.time) -> None:
        super().__init__(panel, theme, parent)
        self._clock = clock
        self.lines: tuple[ClockLine, ...] = ()
        self.text_boxes = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._tick()

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]

    def _tick(self) -> None:
        now = self._now()
        lines = clock_lines(now, self.panel.clock)
        if lines != self.lines:
            self.lines = lines
            self.update()
        self._timer.start(max(20, int((1.0 - now % 1.0) * 1000) + 15))

    def refresh(self, data: PanelData) -> None:
        """A clock has no data; the frame's state is always OK."""

    def _paint(self, painter: QPainter) -> None:
        self.reset_text_boxes()
        painter.fillRect(self.rect(), self.color("panel"))
        if not self.lines:
            return
        w, h = float(self.width()), float(self.height())
        n = len(self.lines)
        # the first row gets twice the height of the others
        weights = [2.0] + [1.0] * (n - 1) if n > 1 else [1.0]
        unit = h / sum(weights)
        y = 0.0
        for line, weight in zip(self.lines, weights, strict=True):
            row_h = unit * weight
            self._paint_row(painter, line, y, row_h, w, big=weight > 1 or n == 1)
            y += row_h

    def _paint_row(self, painter: QPainter, line: ClockLine, top: float, row_h: float, w: float, *, big: bool) -> None:
        px = self.text_px
        name_px = self.minor(self.fit_px(line.name, min(row_h * 0.36, px * 1.1), w * 0.3, bold=False))
        name_font = self.px_font(name_px)
        fm_name = QFontMetricsF(name_font)
        date = line.date
        time_room = w - max(fm_name.horizontalAdvance(line.name), fm_name.horizontalAdvance(date)) - px
        wanted = row_h * (0.72 if big else 0.62)
        if date and self.held and self.fit_px(line.time, wanted, time_room * 0.98) < self.major(0):
            date = ""  # held at a viewing distance's size: the date line goes, the time keeps its size
            time_room = w - fm_name.horizontalAdvance(line.name) - px
        time_px = self.major(self.fit_px(line.time, wanted, time_room * 0.98, bold=True))
        time_font = self.px_font(time_px, bold=True)
        fm_time = QFontMetricsF(time_font)
        baseline = top + (row_h + fm_time.ascent() - fm_time.descent()) / 2
        painter.setFont(time_font)
        painter.setPen(self.color("text"))
        self.draw_text(painter, w - fm_time.horizontalAdvance(line.time), baseline, line.time, fm_time)
        painter.setFont(name_font)
        painter.setPen(self.color("text"))
        if date:
            mid = top + row_h / 2
            self.draw_text(painter, 0.0, mid - fm_name.descent() - 1, line.name, fm_name)
            painter.setPen(self.color("text_dim"))
            self.draw_text(painter, 0.0, mid + fm_name.ascent(), date, fm_name)
        else:
            self.draw_text(painter, 0.0, top + (row_h + fm_name.ascent() - fm_name.descent()) / 2, line.name, fm_name)
