"""What the timeseries, stat and gauge bodies share: the refresh contract, colours, captions.

A body repaints only when its PanelData's content_key changes (or its size, text
size or theme does); `paint_count` counts paints so tests can prove it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QWidget

from noc_app.config.panel_display import mapped_text
from noc_app.config.schema import PanelConfig, Threshold
from noc_app.config.thresholds import crossed_threshold
from noc_app.display_text import unit_text, visible
from noc_app.model import QueryResult, Series, Severity, last_value
from noc_app.selectors import PanelData
from noc_app.themes import Theme
from noc_app.units import format_value

FONT_FAMILY = "DejaVu Sans"


class MetricBody(QWidget):
    """Base of the metric panel bodies: caches by content key, counts paints."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.theme = theme
        self.paint_count = 0
        self._text_px = 18
        self._floors = (0, 0)  # (minor, major) font px floors from the viewing distance; 0: none
        self._content_key: tuple | None = None
        self._data: PanelData | None = None
        self._dimmed = False
        self._colors: dict[str, QColor] = {}
        self._fonts: dict[tuple[int, bool], QFont] = {}
        # Every body fills its whole rect, so Qt need not clear under it first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    # -- the contract -------------------------------------------------------------
    def refresh(self, data: PanelData) -> None:
        """Take new data; schedules one repaint only when what is drawn changed."""
        key = data.content_key
        if key == self._content_key:
            return
        self._content_key = key
        self._data = data
        self._dimmed = data.dimmed
        self._on_data(data)
        self.update()

    def set_text_px(self, px: int) -> None:
        """Base text size in pixels (the frame derives it from the window height)."""
        px = max(6, int(px))
        if px == self._text_px:
            return
        self._text_px = px
        self._invalidate_layout()
        self.update()

    def set_text_floors(self, minor_px: int, major_px: int) -> None:
        """The smallest sizes secondary and primary text may take (noc_app.viewing)."""
        if (minor_px, major_px) == self._floors:
            return
        self._floors = (minor_px, major_px)
        self._invalidate_layout()
        self.update()

    @property
    def held(self) -> bool:
        """True when a viewing distance holds text sizes: layouts drop detail rather than shrink text."""
        return self._floors != (0, 0)

    def minor(self, px: float) -> int:
        """A secondary text size (axis, legend, caption), held at the distance's floor."""
        return max(int(px), self._floors[0])

    def major(self, px: float) -> int:
        """A primary text size (big number), held at the distance's floor."""
        return max(int(px), self._floors[1])

    def set_theme(self, theme: Theme) -> None:
        """Switch palettes; caches that hold colours are rebuilt."""
        if theme is self.theme:
            return
        self.theme = theme
        self._colors.clear()
        self._invalidate_layout()
        if self._data is not None:
            self._on_data(self._data)
        self.update()

    # -- hooks for subclasses -----------------------------------------------------
    def _on_data(self, data: PanelData) -> None:
        """Digest new data (cheap, vectorised); drawing happens in _paint."""

    def _invalidate_layout(self) -> None:
        """Drop everything derived from the size, text size or palette."""

    def _paint(self, painter: QPainter) -> None:
        raise NotImplementedError

    # -- Qt -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        self.paint_count += 1
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._invalidate_layout()
        super().resizeEvent(event)

    # -- helpers ----------------------------------------------------------------------
    def color(self, key: str) -> QColor:
        """A theme colour; any live colour turns 'stale' grey while the data is dimmed."""
        if self._dimmed and key not in _CALM_KEYS:
            key = "stale"
        cached = self._colors.get(key)
        if cached is None:
            cached = self._colors[key] = QColor(self.theme.color(key))
        return cached

    def series_qcolor(self, index: int) -> QColor:
        if self._dimmed:
            return self.color("stale")
        key = f"series:{index % len(self.theme.series)}"
        cached = self._colors.get(key)
        if cached is None:
            cached = self._colors[key] = QColor(self.theme.series_color(index))
        return cached

    def px_font(self, px: int, bold: bool = False) -> QFont:
        """DejaVu Sans at a pixel size (cached)."""
        px = max(6, int(px))
        cached = self._fonts.get((px, bold))
        if cached is None:
            cached = QFont(FONT_FAMILY)
            cached.setPixelSize(px)
            cached.setBold(bold)
            self._fonts[(px, bold)] = cached
        return cached

    def fit_px(self, text: str, px: float, max_width: float, bold: bool = True) -> int:
        """The pixel size `px`, shrunk so `text` fits `max_width` (text width scales with size)."""
        px = max(6, int(px))
        width = QFontMetricsF(self.px_font(px, bold)).horizontalAdvance(text)
        if width > max_width > 0:
            px = max(6, int(px * max_width / width))
        return px

    @property
    def text_px(self) -> int:
        return self._text_px

    @property
    def dimmed(self) -> bool:
        return self._dimmed


class SingleValueBody(MetricBody):
    """Base of the stat and gauge bodies: one judged value (exposed read-only for tests)."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.judged = JudgedValue()

    @property
    def value_text(self) -> str:
        return self.judged.text

    @property
    def severity_text(self) -> str:
        return self.judged.severity_text

    @property
    def severity(self) -> Severity | None:
        return self.judged.severity

    @property
    def value_color_key(self) -> str:
        return self.judged.color_key

    def _on_data(self, data: PanelData) -> None:
        self.judged = judge_value(data.results, self.panel)


# Colours that carry no judgement and stay as they are on a dead feed.
_CALM_KEYS = frozenset({"background", "panel", "panel_border", "grid", "axis", "text_dim", "stale", "no_data"})


def all_series(results: tuple[QueryResult | None, ...]) -> list[tuple[int, Series]]:
    """(query index, series) in query/series order, skipping unanswered or failed queries."""
    return [
        (qi, series)
        for qi, result in enumerate(results)
        if result is not None and not result.error
        for series in result.series
    ]


def first_series(results: tuple[QueryResult | None, ...]) -> tuple[Series | None, int]:
    """The series a single-value body shows, and how many other series it leaves out."""
    found = all_series(results)
    return (found[0][1], len(found) - 1) if found else (None, 0)


@dataclass(frozen=True, kw_only=True, slots=True)
class JudgedValue:
    """A single value as a stat or gauge shows it: text, severity and the words for it."""

    value: float = math.nan
    text: str = ""  # empty: nothing to show
    severity: Severity | None = None
    severity_text: str = ""  # 'CRITICAL ≥ 5 %' when a threshold is crossed
    color_key: str = "text"
    series: Series | None = None
    others: int = 0  # series the query returned besides the one shown


def judge_value(results: tuple[QueryResult | None, ...], panel: PanelConfig) -> JudgedValue:
    """The newest value of the first series, formatted and judged by the panel's thresholds.

    NaN is a gap, not a value; +Inf and -Inf are values ("+Inf", and they cross thresholds).
    """
    series, others = first_series(results)
    value = last_value(series.y) if series is not None else math.nan
    if math.isnan(value):
        return JudgedValue(series=series, others=others)
    threshold = crossed_threshold(value, panel.thresholds)
    severity = threshold.severity if threshold is not None else None
    unit = unit_text(panel.unit)
    mapped = mapped_text(value, panel.display.mappings)  # 1 -> UP: words for the value, judged as the number
    return JudgedValue(
        value=value,
        text=visible(mapped) if mapped is not None else format_value(value, unit, panel.decimals),
        severity=severity,
        severity_text=severity_caption(threshold, unit) if threshold is not None else "",
        color_key=value_color_key(severity, bool(panel.thresholds)),
        series=series,
        others=others,
    )


def severity_caption(threshold: Threshold, unit: str) -> str:
    """'CRITICAL ≥ 5 %', 'WARNING < 99.9 %': the crossed limit in words, so colour is never alone."""
    op = "<" if threshold.op == "lt" else "≥"
    return f"{threshold.severity.value.upper()} {op} {format_value(threshold.value, unit)}"


def value_color_key(severity: Severity | None, has_thresholds: bool) -> str:
    """Theme key for a judged value: its severity, 'ok' when thresholds pass, plain text otherwise."""
    if severity is not None:
        return severity.value
    return "ok" if has_thresholds else "text"
