"""The apdex body: the score 0..1, big, judged by thresholds, with T and any bucket warning.

The score comes from the histogram's newest bucket rates (noc_app.histogram.apdex);
when T or 4T is not a bucket boundary the body says so in the warning colour and
lists the boundaries the data has.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.histogram import ApdexScore, apdex, buckets_from_series, format_bound
from noc_app.model import Severity
from noc_app.selectors import PanelData, threshold_severity
from noc_app.selectors_panels import answered_series, color_key
from noc_app.themes import Theme
from noc_app.widgets.metric_body import MetricBody
from noc_app.widgets.state_style import SEVERITY_MARKER, draw_marker
from noc_app.widgets.text_boxes import TextBoxes


class ApdexBody(TextBoxes, MetricBody):
    """Apdex(T) of a latency histogram."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.result: ApdexScore | None = None
        self.value_text = ""
        self.severity_text = ""
        self.value_color_key = "text"
        self.severity: Severity | None = None
        self.text_boxes = []

    @property
    def t_text(self) -> str:
        return f"T = {format_bound(self.panel.histogram.t_s)}"

    @property
    def warning_text(self) -> str:
        return self.result.warning if self.result is not None else ""

    def _on_data(self, data: PanelData) -> None:
        buckets = buckets_from_series(answered_series(data.results))
        self.result = apdex(buckets, self.panel.histogram.t_s) if buckets is not None else None
        score = self.result.score if self.result is not None else math.nan
        if math.isnan(score):
            self.value_text, self.severity_text, self.value_color_key, self.severity = "", "", "text", None
            return
        self.severity = threshold_severity(score, self.panel.thresholds)
        self.value_text = f"{score:.{self.panel.decimals if self.panel.decimals is not None else 2}f}"
        self.value_color_key = color_key(self.severity, bool(self.panel.thresholds))
        self.severity_text = self.severity.value.upper() if self.severity is not None else ""

    def _paint(self, painter: QPainter) -> None:
        self.reset_text_boxes()
        painter.fillRect(self.rect(), self.color("panel"))
        w, h = float(self.width()), float(self.height())
        px = self.text_px
        warning_h = 0.0
        if self.warning_text:
            warning_h = self._paint_warning(painter, w, h)
        if not self.value_text:
            return
        caption = f"{self.severity_text}  ·  {self.t_text}" if self.severity_text else self.t_text
        avail = max(1.0, h - warning_h - (px * 0.2 if warning_h else 0.0))
        caption_px = self.minor(max(6, min(self.fit_px(caption, px * 0.9, w * 0.92), int(avail * 0.22))))
        if self.held and QFontMetricsF(self.px_font(caption_px, bold=True)).horizontalAdvance(caption) > w:
            caption = self.severity_text or self.t_text  # held sizes: the verdict stays, T goes
        cap_font = self.px_font(caption_px, bold=bool(self.severity_text))
        cap_fm = QFontMetricsF(cap_font)
        number_px = self.major(self.fit_px(self.value_text, (avail - cap_fm.height()) * 0.95, w * 0.8, bold=True))
        fm = QFontMetricsF(self.px_font(number_px, bold=True))
        while number_px > self.major(6) and fm.ascent() + fm.descent() + cap_fm.height() > avail:
            number_px = self.major(max(6, int(number_px * 0.9)))
            fm = QFontMetricsF(self.px_font(number_px, bold=True))
        block = fm.ascent() + fm.descent() + cap_fm.height()
        baseline = max(0.0, (avail - block) / 2) + fm.ascent()
        painter.setFont(self.px_font(number_px, bold=True))
        painter.setPen(self.color(self.value_color_key))
        number_x = (w - fm.horizontalAdvance(self.value_text)) / 2
        self.draw_text(painter, number_x, baseline, self.value_text, fm)
        if self.severity is not None:
            side = number_px * 0.4
            draw_marker(painter, SEVERITY_MARKER[self.severity],
                        QRectF(max(0.0, number_x - side * 1.4), baseline - fm.ascent() * 0.6 - side / 2, side, side),
                        self.color(self.value_color_key))
        painter.setFont(cap_font)
        painter.setPen(self.color(self.value_color_key if self.severity_text else "text_dim"))
        caption_x = (w - cap_fm.horizontalAdvance(caption)) / 2
        self.draw_text(painter, caption_x, baseline + fm.descent() + cap_fm.ascent(), caption, cap_fm)

    def _paint_warning(self, painter: QPainter, w: float, h: float) -> float:
        """The bucket warning, wrapped at the bottom; returns the height it took.

        Shrinks (down to about half the body text) to fit 45 % of the body; if it still
        does not, only its first clause is shown (the snapshot JSON has the bounds).
        """
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap
        text = self.warning_text
        smallest = self.minor(max(8, round(self.text_px * 0.5)))
        px = max(smallest, round(self.text_px * 0.7))
        while True:
            fm = QFontMetricsF(self.px_font(px))
            box = fm.boundingRect(QRectF(0, 0, w, h), int(flags), text)
            if box.height() <= h * 0.45 and box.width() <= w:
                break
            if px > smallest:
                px = max(smallest, int(px * 0.9))
            elif ";" in text:
                text = text.split(";", 1)[0]
            else:
                return 0.0  # no room at all: the value matters more
        painter.setFont(self.px_font(px))
        painter.setPen(self.color("warning"))
        painter.drawText(QRectF(0, h - box.height(), w, box.height()), int(flags), text)
        self.text_boxes.append((text, QRectF((w - box.width()) / 2, h - box.height(), box.width(), box.height())))
        return box.height()
