"""How states and severities look: theme colour keys, words and marker shapes.

Severity and data state are never shown by colour alone: each has its words
(P0 CRITICAL, STALE 4m12s) and a marker shape (square, triangle, ...), so they
survive colour-blind viewers and washed-out projectors.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from noc_app.model import DataState, Severity
from noc_app.selectors import PanelView
from noc_app.selectors_board_rows import severity_words as severity_words  # one spelling, decided there
from noc_app.units import format_age

STATE_COLOR_KEY = {
    DataState.LOADING: "loading",
    DataState.OK: "ok",
    DataState.NO_DATA: "no_data",
    DataState.QUERY_ERROR: "critical",
    DataState.STALE: "stale",
    DataState.UNREACHABLE: "critical",
    DataState.AUTH_FAILED: "critical",
    DataState.DEGRADED: "warning",
}

STATE_MARKER = {
    DataState.LOADING: "ring",
    DataState.OK: "circle",
    DataState.NO_DATA: "ring",
    DataState.QUERY_ERROR: "square",
    DataState.STALE: "ring",
    DataState.UNREACHABLE: "square",
    DataState.AUTH_FAILED: "square",
    DataState.DEGRADED: "triangle",
}

SEVERITY_MARKER = {
    Severity.CRITICAL: "square",
    Severity.HIGH: "diamond",
    Severity.WARNING: "triangle",
    Severity.INFO: "circle",
    Severity.UNKNOWN: "ring",
}


# The same shapes as text, for labels that cannot paint (a takeover banner's priority line).
MARKER_GLYPH = {"square": "■", "diamond": "◆", "triangle": "▲", "circle": "●", "ring": "○"}


def severity_glyph(severity: Severity) -> str:
    """The severity's marker shape as a character: shape as well as colour and word."""
    return MARKER_GLYPH[SEVERITY_MARKER[severity]]


def severity_color_key(severity: Severity) -> str:
    """Theme key of a severity's colour (the theme has one per severity)."""
    return severity.value


def state_words(view: PanelView) -> str:
    """The state spelled out for a pill: 'STALE 4m12s', 'AUTH FAILED', ..."""
    if view.state is DataState.STALE and view.age_s is not None:
        return f"STALE {format_age(view.age_s)}"
    return view.state.value


def draw_marker(painter: QPainter, shape: str, rect: QRectF, color: QColor) -> None:
    """Draw a severity/state marker shape filling `rect` (rings are outlined)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    side = min(rect.width(), rect.height())
    r = QRectF(0, 0, side, side)
    r.moveCenter(rect.center())
    if shape == "ring":
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(color, max(1.5, side / 6)))
        inset = side / 10
        painter.drawEllipse(r.adjusted(inset, inset, -inset, -inset))
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        if shape == "square":
            painter.drawRect(r.adjusted(side * 0.06, side * 0.06, -side * 0.06, -side * 0.06))
        elif shape == "circle":
            painter.drawEllipse(r.adjusted(side * 0.05, side * 0.05, -side * 0.05, -side * 0.05))
        elif shape == "triangle":
            painter.drawPolygon(
                QPolygonF([
                    QPointF(r.center().x(), r.top()), QPointF(r.right(), r.bottom()), QPointF(r.left(), r.bottom()),
                ])
            )
        else:  # diamond
            c = r.center()
            painter.drawPolygon(
                QPolygonF([
                    QPointF(c.x(), r.top()), QPointF(r.right(), c.y()),
                    QPointF(c.x(), r.bottom()), QPointF(r.left(), c.y()),
                ])
            )
    painter.restore()
