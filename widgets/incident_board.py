"""IncidentBoardBody: the active incidents, painted for a room, not a table.

Each row spells its severity three ways (colour, marker shape, "P0 CRITICAL"),
then the alert name, how long it has been firing, the summary and key labels.
Muted alerts (silenced, acknowledged, inhibited) are dimmed at the bottom with
who muted them, never hidden.  Only the rows that fit are built and painted, so
200 alerts cost no more than the dozen on screen; the rest are "+N more".
Row order comes from `noc_app.selectors` (already sorted).  Backend text is
painted with its controls and bidi overrides made visible.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.display_text import visible
from noc_app.model import Alert, AlertState, DataState, Severity
from noc_app.selectors import PanelData, group_alerts
from noc_app.themes import Theme
from noc_app.units import format_age
from noc_app.widgets.state_style import SEVERITY_MARKER, draw_marker, severity_color_key, severity_words

KEY_LABELS = ("service", "instance", "job", "namespace")
_MUTED_TAGS = {
    AlertState.SILENCED: "SILENCED",
    AlertState.ACKNOWLEDGED: "ACKED",
    AlertState.INHIBITED: "INHIBITED",
}
_CALM_EMPTY_STATES = (DataState.OK, DataState.NO_DATA, DataState.STALE)


@dataclass(frozen=True, kw_only=True, slots=True)
class BoardRow:
    """The words of one painted row."""

    severity: Severity
    severity_text: str  # "P0 CRITICAL"
    name: str
    detail: str  # summary and key labels (muted rows: lineage first)
    age_text: str  # "for 12m"
    state_tag: str  # "" | SILENCED | ACKED | INHIBITED
    lineage: str  # who muted it and why; empty for active alerts
    count: int = 1  # alerts folded into this row (same name, severity, state)

    @property
    def title(self) -> str:
        return f"{self.name} ×{self.count}" if self.count > 1 else self.name

    @property
    def muted(self) -> bool:
        return bool(self.state_tag)


def firing_for(starts_at: float, now: float) -> str:
    """'for 42s', 'for 12m', 'for 3h05m': minutes are precise enough past one."""
    if starts_at <= 0:
        return ""
    seconds = max(0.0, now - starts_at)
    if 60 <= seconds < 3600:
        return f"for {int(seconds // 60)}m"
    return f"for {format_age(seconds)}"


def lineage_text(alert: Alert) -> str:
    """Who muted an alert and why, in one line."""
    if alert.mute_reason:
        return alert.mute_reason
    if alert.state is AlertState.SILENCED and alert.silenced_by:
        return "silenced by " + ", ".join(alert.silenced_by)
    if alert.state is AlertState.INHIBITED and alert.inhibited_by:
        return "inhibited by " + ", ".join(alert.inhibited_by)
    if alert.state is AlertState.ACKNOWLEDGED and alert.acknowledged_by:
        return "acked by " + alert.acknowledged_by
    return ""


def board_row(group: tuple[Alert, ...], now: float) -> BoardRow:
    """The words painted for one alert, or for a group of alike alerts."""
    alert = group[0]
    tag = _MUTED_TAGS.get(alert.state, "")
    lineage = lineage_text(alert) if tag else ""
    # Only labels every member shares describe the row; the rest is "varies".
    shared = [k for k in KEY_LABELS if alert.labels.get(k) and all(a.labels.get(k) == alert.labels[k] for a in group)]
    labels = " · ".join(f"{k}={alert.labels[k]}" for k in shared)
    if len(group) > 1:
        varying = sorted({k for a in group for k, v in a.labels.items() if alert.labels.get(k) != v})
        folded = f"{len(group)} alerts, by {', '.join(varying[:3])}" if varying else f"{len(group)} alerts"
        labels = " · ".join(p for p in (labels, folded) if p)
    detail = " — ".join(part for part in (lineage, alert.summary, labels) if part)
    return BoardRow(  # backend text: controls and bidi overrides made visible (only rows that fit are built)
        severity=alert.severity,
        severity_text=severity_words(alert.severity),
        name=visible(alert.name),
        detail=visible(detail),
        age_text=firing_for(_earliest_start(group), now),
        state_tag=tag,
        lineage=visible(lineage),
        count=len(group),
    )


def _earliest_start(group: tuple[Alert, ...]) -> float:
    starts = [a.starts_at for a in group if a.starts_at > 0]
    return min(starts) if starts else 0.0


def counts_text(alerts: tuple[Alert, ...]) -> tuple[tuple[str, Severity | None], ...]:
    """Header segments: ('2 P0', CRITICAL), ('1 P1', HIGH), ..., ('3 muted', None)."""
    muted_states = tuple(_MUTED_TAGS)  # identity checks on a tuple: no enum hashing per alert
    by_value = Counter(a.severity._value_ for a in alerts if a.state not in muted_states)
    muted = sum(1 for a in alerts if a.state in muted_states)
    active = {Severity(value): n for value, n in by_value.items()}
    parts: list[tuple[str, Severity | None]] = [
        (f"{active[sev]} {sev.priority}", sev) for sev in sorted(active, key=lambda s: s.rank)
    ]
    if not parts:
        parts.append(("0 active", None))
    if muted:
        parts.append((f"{muted} muted", None))
    return tuple(parts)


class IncidentBoardBody(QWidget):
    """Custom-painted incident rows sized for the room."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self._theme = theme
        self._alerts: tuple[Alert, ...] = ()
        self._groups: tuple[tuple[Alert, ...], ...] = ()
        self._now = 0.0
        self._state = DataState.LOADING
        self._dimmed = False
        self._px = 18
        self._fit = 0
        self._segments: tuple[tuple[str, Severity | None], ...] = ()
        self.visible_rows: tuple[BoardRow, ...] = ()
        self.more_count = 0
        self.empty_text = ""

    # -- contract ----------------------------------------------------------------

    def refresh(self, data: PanelData) -> None:
        """Show a new alert list (already sorted by the selector)."""
        self._alerts = data.alerts
        self._groups = group_alerts(data.alerts)
        self._now = data.now
        self._state = data.view.state
        self._dimmed = data.dimmed
        self._segments = counts_text(self._alerts) if self._alerts else ()
        if self._alerts:
            self.empty_text = ""
        elif self._state is DataState.DEGRADED:
            # e.g. the dead man's switch is missing: "nothing firing" may be a broken pipeline
            self.empty_text = "No alerts received — feed degraded"
        elif self._state in _CALM_EMPTY_STATES:
            self.empty_text = "No active incidents"
        elif self._state is DataState.LOADING:
            self.empty_text = ""
        else:  # never claim "no incidents" when we could not ask
            self.empty_text = "Incident state unknown"
        self._relayout()
        self.update()

    def set_text_px(self, px: int) -> None:
        self._px = max(9, int(px))
        self._relayout()
        self.update()

    def tick(self, now: float) -> None:
        """Advance the "for 12m" ages; repaint only when a visible text changed."""
        self._now = now
        ages = tuple(firing_for(_earliest_start(g), now) for g in self._groups[: self._fit])
        if ages != tuple(r.age_text for r in self.visible_rows):
            self._build_rows()
            self.update()

    # -- test/inspection surface -------------------------------------------------

    @property
    def header_text(self) -> str:
        return " · ".join(text for text, _ in self._segments)

    @property
    def more_text(self) -> str:
        return f"+{self.more_count} more" if self.more_count else ""

    # -- layout --------------------------------------------------------------------

    def _metrics(self) -> tuple[int, int, int, int, int]:
        px = self._px
        small = max(9, round(px * 0.72))
        header_h = round(px * 1.6)
        row_h = round(px * 1.3 + small * 1.35 + px * 0.45)
        more_h = round(small * 1.6)
        return px, small, header_h, row_h, more_h

    def _relayout(self) -> None:
        _, _, header_h, row_h, more_h = self._metrics()
        n = len(self._groups)
        avail = self.height() - header_h
        fit = max(0, avail // row_h)
        if n > fit:
            fit = max(0, (avail - more_h) // row_h)
        self._fit = min(n, fit)
        self.more_count = n - self._fit
        self._build_rows()

    def _build_rows(self) -> None:
        self.visible_rows = tuple(board_row(g, self._now) for g in self._groups[: self._fit])

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

    def paintEvent(self, event: QPaintEvent) -> None:
        px, small, header_h, row_h, more_h = self._metrics()
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
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        self._paint_header(painter, bold, QRect(0, 0, w, header_h))
        sev_w = max(QFontMetrics(bold).horizontalAdvance(severity_words(s)) for s in Severity) + round(px * 1.5)
        y = header_h
        for row in self.visible_rows:
            self._paint_row(painter, row, QRect(0, y, w, row_h), bold, regular, small_font, sev_w)
            y += row_h
        if self.more_count:
            painter.setFont(small_font)
            painter.setPen(self._color("text_dim"))
            align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
            painter.drawText(QRect(0, y, w - px // 2, more_h), align, self.more_text)
        painter.end()

    def _paint_header(self, painter: QPainter, font: QFont, rect: QRect) -> None:
        fm = QFontMetrics(font)
        painter.setFont(font)
        x = rect.left() + 2
        separator = "  ·  "
        for i, (text, severity) in enumerate(self._segments):
            if i:
                painter.setPen(self._color("text_dim"))
                painter.drawText(
                    QRect(x, rect.top(), rect.right() - x, rect.height()), Qt.AlignmentFlag.AlignVCenter, separator
                )
                x += fm.horizontalAdvance(separator)
            painter.setPen(self._severity_color(severity))
            painter.drawText(
                QRect(x, rect.top(), max(0, rect.right() - x), rect.height()), Qt.AlignmentFlag.AlignVCenter, text
            )
            x += fm.horizontalAdvance(text)

    def _paint_row(
        self, painter: QPainter, row: BoardRow, rect: QRect, bold: QFont, regular: QFont, small_font: QFont, sev_w: int
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
        painter.drawText(severity_rect, Qt.AlignmentFlag.AlignVCenter, row.severity_text)
        name_left = x + sev_w
        right = rect.right() - px // 2
        painter.setFont(small_font)
        small_fm = QFontMetrics(small_font)
        tail = "   ".join(t for t in (row.state_tag, row.age_text) if t)
        tail_w = small_fm.horizontalAdvance(tail)
        painter.setPen(self._color("text_dim"))
        painter.drawText(
            QRect(right - tail_w, line1.top(), tail_w, line1.height()), Qt.AlignmentFlag.AlignVCenter, tail
        )
        painter.setFont(regular if row.muted else bold)
        painter.setPen(text_color)
        name_w = max(0, right - tail_w - px // 2 - name_left)
        name = QFontMetrics(painter.font()).elidedText(row.title, Qt.TextElideMode.ElideRight, name_w)
        painter.drawText(QRect(name_left, line1.top(), name_w, line1.height()), Qt.AlignmentFlag.AlignVCenter, name)
        painter.setFont(small_font)
        painter.setPen(self._color("text_dim"))
        detail_rect = QRect(name_left, line2.top(), max(0, right - name_left), line2.height())
        detail = small_fm.elidedText(row.detail, Qt.TextElideMode.ElideRight, detail_rect.width())
        painter.drawText(detail_rect, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft, detail)
