"""PanelFrame: the chrome around every panel, and where its data state is spelled out.

Title bar: panel title, a DEMO-style badge, and a state pill in words (LOADING,
NO DATA, QUERY ERROR, STALE 4m12s, AUTH FAILED, UNREACHABLE, DEGRADED).  OK shows
no pill at all (a calm wall is mostly titles and data), only a small age once
the data is older than two poll intervals.  Data that is not current is veiled
and hatched so it cannot be read as live.  When the title and the pill do not
both fit on one row (a small stat tile), the title keeps the first row whole and
the pill, badge and age move to a second row; the border then takes the state's
colour, so the state reads from across the room without costing the title.  The state itself is decided by
`noc_app.selectors`; the frame only renders it.  Title and message are painted
(never interpreted as markup) with controls and bidi characters made visible;
the message tooltip is escaped.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QFrame, QWidget

from noc_app.config.schema import PanelConfig
from noc_app.display_text import visible
from noc_app.model import DataState
from noc_app.selectors import PanelData, PanelView
from noc_app.themes import Theme
from noc_app.units import format_age
from noc_app.viewing import shorter_title
from noc_app.widgets.panel_factory import FloorAware, PanelBody, make_body
from noc_app.widgets.plain_text import set_tooltip
from noc_app.widgets.scale import TextScale, clamp_px, text_scale
from noc_app.widgets.state_style import STATE_COLOR_KEY, state_words

_ERROR_STATES = (DataState.QUERY_ERROR, DataState.AUTH_FAILED, DataState.UNREACHABLE)
BADGE_MAX_CHARS = 12  # a badge is a word; it must leave the title room
AGE_HINT_INTERVALS = 2.0  # an OK panel shows its data age once older than this many intervals


def _fit_font(font: QFont, text: str, width: int, *, smallest: float, floor_px: int = 0) -> QFont:
    """The font, shrunk (down to `smallest` of its size, never below `floor_px`) so the text fits the width."""
    advance = QFontMetrics(font).horizontalAdvance(text)
    if advance <= width or advance == 0:
        return font
    fitted = QFont(font)
    least = max(round(font.pixelSize() * smallest), min(floor_px, font.pixelSize()))
    fitted.setPixelSize(max(least, int(font.pixelSize() * width / advance)))
    return fitted


class HatchOverlay(QWidget):
    """A veil with diagonal hatching laid over a body whose data is not current."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._veil = QColor(theme.color("panel"))
        self._veil.setAlpha(125)
        self._line = QColor(theme.color("stale"))
        self._line.setAlpha(120)
        self.spacing_px = 16
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._veil)
        painter.setPen(QPen(self._line, max(2, self.spacing_px // 7)))
        w, h, step = self.width(), self.height(), max(8, self.spacing_px)
        for x in range(0, w + h, step):
            painter.drawLine(x, 0, x - h, h)
        painter.end()


class PanelFrame(QFrame):
    """One panel: title bar with state pill and badge, body, message line, stale hatch."""

    def __init__(
        self,
        panel: PanelConfig,
        theme: Theme,
        *,
        body: QWidget | None = None,
        tooltips: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.panel = panel
        self._theme = theme
        self.setObjectName("panelFrame")
        self.body = body if body is not None else make_body(panel, theme, self)
        self.body.setParent(self)
        # Every class in BODY_CLASSES implements PanelBody (a QWidget that also has refresh and
        # set_text_px); Python typing has no QWidget-and-PanelBody type, so the frame keeps both views.
        self._panel_body = cast(PanelBody, self.body)
        self._tick_body = getattr(self.body, "tick", None)
        self._overlay = HatchOverlay(theme, self)
        self._scale = text_scale(1080)
        self._body_px = 0
        self._body_key: object = None
        self._interval_s: float | None = None
        self.body_refresh_count = 0  # how often the body was asked to redraw (tests)
        self.view = PanelView(state=DataState.LOADING)
        self.dimmed = False
        self._tooltips = tooltips  # off in a kiosk: nobody hovers, and messages carry details
        self.title_text = visible(panel.title)
        self.pill_text = DataState.LOADING.value
        self.pill_color_key = STATE_COLOR_KEY[DataState.LOADING]
        self.badge_text = ""
        self.age_text = ""
        self.message_text = ""
        self.message_color_key = "text_dim"
        self._title_rect = QRect()
        self._status_rect = QRect()  # the second row for pill/badge/age; empty when they share the title's
        self._message_rect = QRect()
        self.title_drawn = ("", QFont(), QRect())  # what paintEvent last drew as the title (tests)
        self.pill_drawn = QRectF()
        self._fonts: tuple[QFont, QFont, QFont] = (QFont(), QFont(), QFont())
        self.accessory: QWidget | None = None  # a control between title and body (operator mode's board filter)
        self._relayout()

    @property
    def state(self) -> DataState:
        return self.view.state

    def set_scale(self, scale: TextScale) -> None:
        """Adopt the window's text sizes."""
        if scale != self._scale:
            self._scale = scale
            self._relayout()

    def set_interval_s(self, seconds: float | None) -> None:
        """The poll interval of this panel's sources (for the small age hint)."""
        self._interval_s = seconds

    def set_accessory(self, widget: QWidget) -> None:
        """Place `widget` between the title bar and the body (it may have set_text_px)."""
        self.accessory = widget
        widget.setParent(self)
        widget.show()
        self._body_px = 0  # the next layout sizes the accessory's text too
        self._relayout()

    def refresh(self, data: PanelData) -> None:
        """Show new panel data: the body redraws only when what it draws changed."""
        # The state is part of the key because a body may say different things for
        # the same (empty) content: "No active incidents" vs nothing while LOADING.
        key = (data.view.state, data.content_key)
        if key != self._body_key:
            self._body_key = key
            self.body_refresh_count += 1
            self._panel_body.refresh(data)
        elif self._tick_body is not None:
            self._tick_body(data.now)
        self._show_view(data.view, data.dimmed)

    # -- chrome ------------------------------------------------------------------

    def _show_view(self, view: PanelView, dimmed: bool) -> None:
        self.view = view
        ok = view.state is DataState.OK
        pill = "" if ok else state_words(view)
        age = ""
        if ok and view.age_s is not None and self._interval_s and view.age_s > AGE_HINT_INTERVALS * self._interval_s:
            age = f"{format_age(view.age_s)} ago"
        # NO DATA needs no explanation line: the pill says it and the body says it better
        # ("No active incidents"); warnings (e.g. a truncated answer) are still shown.
        message = "" if view.state is DataState.NO_DATA else view.message
        message = visible(message or "; ".join(view.warnings))  # backend text: controls made visible
        if view.state in _ERROR_STATES:
            message_key = "critical"
        elif view.state is DataState.DEGRADED or (ok and message):
            message_key = "warning"
        else:
            message_key = "text_dim"
        badge = visible(view.badge[:BADGE_MAX_CHARS])  # a source's word for its data ("DEMO")
        title_changed = (pill, badge, age, dimmed) != (self.pill_text, self.badge_text, self.age_text, self.dimmed)
        message_changed = (message, message_key) != (self.message_text, self.message_color_key)
        had_message = bool(self.message_text)
        if dimmed != self.dimmed:
            self._overlay.setVisible(dimmed)
            self._overlay.raise_()
        self.pill_text, self.badge_text, self.age_text, self.dimmed = pill, badge, age, dimmed
        self.pill_color_key = STATE_COLOR_KEY[view.state]
        self.message_text, self.message_color_key = message, message_key
        if message_changed and self._tooltips:
            set_tooltip(self, message)
        if bool(message) != had_message:
            self._relayout()
            self.update()
            return
        if title_changed and self._wants_status_row() != bool(self._status_rect.height()):
            self._relayout()
            self.update()
            return
        if title_changed:
            self.update(self._title_rect.united(self._status_rect) if not self._status_rect.height() else self.rect())
        if message_changed:
            self.update(self._message_rect)

    def _relayout(self) -> None:
        s = self._scale
        w, h = self.width(), self.height()
        # With a viewing distance the floors win over the panel's height: the body gets less room.
        title_px = clamp_px(s.title_px, h, 0.16, floor=max(9, s.major_px))
        pill_px = clamp_px(s.pill_px, h, 0.13, floor=max(9, s.minor_px))
        msg_px = clamp_px(s.small_px, h, 0.11, floor=max(9, s.minor_px))
        title_font, pill_font, msg_font = QFont(self.font()), QFont(self.font()), QFont(self.font())
        title_font.setPixelSize(title_px)
        title_font.setWeight(QFont.Weight.DemiBold)
        pill_font.setPixelSize(pill_px)
        pill_font.setWeight(QFont.Weight.Bold)
        msg_font.setPixelSize(msg_px)
        self._fonts = (title_font, pill_font, msg_font)
        pad = max(3, round(title_px * 0.3))
        title_h = round(title_px * 1.5)
        status_h = round(pill_px * 1.5) if self._wants_status_row() else 0
        msg_h = round(msg_px * 1.5) if self.message_text else 0
        self._title_rect = QRect(0, 0, w, title_h)
        self._status_rect = QRect(0, title_h, w, status_h)
        top = title_h + status_h
        if self.accessory is not None:
            acc_h = self.accessory.sizeHint().height()
            self.accessory.setGeometry(QRect(pad, top, max(0, w - 2 * pad), acc_h))
            top += acc_h
        body_rect = QRect(pad, top, max(0, w - 2 * pad), max(0, h - top - msg_h - pad))
        self._message_rect = QRect(0, body_rect.bottom() + 1, w, msg_h + pad)
        self.body.setGeometry(body_rect)
        self._overlay.setGeometry(body_rect)
        self._overlay.spacing_px = max(10, s.base_px)
        self._overlay.raise_()
        if isinstance(self._panel_body, FloorAware):
            self._panel_body.set_text_floors(s.minor_px, s.major_px)
        if s.base_px != self._body_px:
            self._body_px = s.base_px
            self._panel_body.set_text_px(s.base_px)
            set_px = getattr(self.accessory, "set_text_px", None)
            if set_px is not None:
                set_px(s.small_px)
                self._relayout()  # its height follows its text

    def _status_width(self) -> int:
        """Pixels the pill, badge and age take at the right of a row (0 when there are none)."""
        _, pill_font, msg_font = self._fonts
        fm = QFontMetrics(pill_font)
        gap = max(4, pill_font.pixelSize() // 3)
        pad_x = max(4, pill_font.pixelSize() // 2)
        width = sum(fm.horizontalAdvance(t) + 2 * pad_x + gap for t in (self.pill_text, self.badge_text) if t)
        if self.age_text:
            width += QFontMetrics(msg_font).horizontalAdvance(self.age_text) + gap
        return width

    def _wants_status_row(self) -> bool:
        """True when the title would not fit beside the pill, badge and age on one row.

        With a state pill the title must keep 80 % of its size; an OK tile (only a badge or an
        age, both small) keeps one row as long as the title fits at 60 %, the smallest it shrinks to.
        """
        if not (self.pill_text or self.badge_text or self.age_text):
            return False
        title_font = self._fonts[0]
        pad = max(4, title_font.pixelSize() // 3)
        room = self.width() - 2 * pad - self._status_width()
        smallest = max(0.8 if self.pill_text else 0.6, min(1.0, self._scale.major_px / max(1, title_font.pixelSize())))
        title = self._fitting_title(title_font, max(0, room))
        return QFontMetrics(title_font).horizontalAdvance(title) * smallest > room

    def _fitting_title(self, font: QFont, width: int) -> str:
        """The title, without its trailing detail when it is held at a viewing distance's size and does not fit."""
        title = self.title_text
        if not self._scale.major_px:
            return title
        metrics = QFontMetrics(font)
        while metrics.horizontalAdvance(title) > width and (shorter := shorter_title(title)) is not None:
            title = shorter
        return title

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def paintEvent(self, event: QPaintEvent) -> None:
        color = self._theme.color
        title_font, pill_font, msg_font = self._fonts
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(color("panel")))
        border = color(self.pill_color_key) if self.pill_text and self._status_rect.height() else color("panel_border")
        border_w = 2 if border == color("panel_border") else max(3, title_font.pixelSize() // 6)
        painter.setPen(QPen(QColor(border), border_w))
        inset = (border_w + 1) // 2
        painter.drawRect(self.rect().adjusted(inset, inset, -inset, -inset))
        tr = self._title_rect
        pad = max(4, title_font.pixelSize() // 3)
        status_row = self._status_rect.height() > 0
        bar = self._status_rect if status_row else tr
        right = bar.right() - pad
        # Right side first (pill, badge, age), the title gets what is left.
        if self.pill_text:
            pill_fill = color(self.pill_color_key)
            right = self._draw_pill(painter, pill_font, self.pill_text, right, bar, pill_fill, filled=True)
        if self.badge_text:
            right = self._draw_pill(painter, pill_font, self.badge_text, right, bar, color("demo_badge"), filled=False)
        if self.age_text:
            painter.setFont(msg_font)
            fm = QFontMetrics(msg_font)
            width = fm.horizontalAdvance(self.age_text)
            painter.setPen(QColor(color("text_dim")))
            age_rect = QRect(right - width, bar.top(), width, bar.height())
            painter.drawText(age_rect, Qt.AlignmentFlag.AlignVCenter, self.age_text)
            right -= width + pad
        if status_row:
            right = tr.right() - pad  # the title has its row to itself
        title_rect = QRect(tr.left() + pad, tr.top(), max(0, right - tr.left() - pad), tr.height())
        title_text = self._fitting_title(title_font, title_rect.width())
        title_font = _fit_font(title_font, title_text, title_rect.width(), smallest=0.6,
                               floor_px=self._scale.major_px)
        painter.setFont(title_font)
        painter.setPen(QColor(color("text_dim" if self.dimmed else "text")))
        elided = QFontMetrics(title_font).elidedText(title_text, Qt.TextElideMode.ElideRight, title_rect.width())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
        self.title_drawn = (elided, title_font, title_rect)
        if self.message_text:
            mr = self._message_rect.adjusted(pad, 0, -pad, 0)
            painter.setFont(msg_font)
            painter.setPen(QColor(color(self.message_color_key)))
            text = QFontMetrics(msg_font).elidedText(self.message_text, Qt.TextElideMode.ElideRight, mr.width())
            painter.drawText(mr, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        painter.end()

    def _draw_pill(
        self, painter: QPainter, font: QFont, text: str, right: int, bar: QRect, fill: str, *, filled: bool
    ) -> int:
        """Draw a pill ending at `right`; return the x where the next item must end."""
        fm = QFontMetrics(font)
        pad_x = max(4, font.pixelSize() // 2)
        width = fm.horizontalAdvance(text) + 2 * pad_x
        height = min(bar.height() - 2, round(font.pixelSize() * 1.35))
        rect = QRectF(right - width, bar.top() + (bar.height() - height) / 2, width, height)
        if filled:
            self.pill_drawn = rect
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        radius = height / 4
        if filled:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(fill))
            painter.drawRoundedRect(rect, radius, radius)
            painter.setPen(QColor(self._theme.color("background")))
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(fill), max(2, font.pixelSize() // 10)))
            painter.drawRoundedRect(rect, radius, radius)
            painter.setPen(QColor(fill))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        return int(rect.left()) - max(4, font.pixelSize() // 3)
