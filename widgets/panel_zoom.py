"""A metric panel opened large over the dashboard (operator mode): range picker and full legend.

Clicking a chart, stat or gauge opens it here: the panel over 1 h, 6 h, 24 h or 7 d, with
every series listed beside it (name and latest value, in the series' colour).  The data
comes from a feed opened by the injected `ZoomOpener` (noc_app.zoom_feed: the same
adapters, poller and store machinery as the wall, in a feed of its own, off the GUI thread);
this widget only shows that feed's store through an ordinary DashboardView, so LOADING,
STALE and UNREACHABLE read exactly as on the wall.  Changing the range retires the feed and
opens another (the view starts again at LOADING).  Esc, the Close button or a click on
the dimmed margin closes it; the wall behind keeps polling and drawing all along.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from noc_app.config.schema import DashboardConfig, PanelConfig
from noc_app.display_text import visible
from noc_app.store_view import StoreView
from noc_app.themes import Theme
from noc_app.widgets.dashboard_view import DashboardView
from noc_app.widgets.panel_frame import PanelFrame
from noc_app.widgets.plain_text import ElidedLabel
from noc_app.widgets.scale import text_scale
from noc_app.zoom_plan import ZOOM_RANGES, ZoomRange, default_range, zoom_dashboard, zoomable

CLOSE_TEXT = "Close (Esc)"
# The help overlay's lines for it (operator mode, beside the window's key table).
ZOOM_HELP = (("Click a chart", "Open it large: 1 h / 6 h / 24 h / 7 d and every series (Esc closes)"),)
MARGIN = 0.03  # of the host's size: the dimmed wall around the card (a click there closes)


class ZoomFeedLike(Protocol):
    """What the zoom needs of a feed (noc_app.zoom_feed.ZoomFeed): its store, and a way to stop it."""

    @property
    def store(self) -> StoreView: ...

    def retire(self) -> object: ...


ZoomOpener = Callable[[DashboardConfig, PanelConfig, ZoomRange], ZoomFeedLike]


class PanelZoom(QWidget):
    """Covers its host while open: a dimmed margin around a card with the panel, picker and legend."""

    closed = Signal()

    def __init__(
        self,
        host: QWidget,
        theme: Theme,
        opener: ZoomOpener,
        *,
        stale_after_intervals: float = 3.0,
        clock: Callable[[], float] = time.time,
        tooltips: bool = True,
    ) -> None:
        super().__init__(host)
        self._host = host
        self._theme = theme
        self._opener = opener
        self._stale_after = stale_after_intervals
        self._clock = clock
        self._tooltips = tooltips
        self.setObjectName("panelZoom")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        c = theme.color
        self.card = QFrame(self)
        self.card.setObjectName("zoomCard")
        self.card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.card.setStyleSheet(
            f"#zoomCard {{ background: {c('background')}; border: 2px solid {c('panel_border')}; }}"
            f"#zoomCard QListWidget {{ background: {c('panel')}; color: {c('text')}; border: none; }}"
            f"#zoomCard QLabel {{ color: {c('text')}; background: transparent; }}"
            f"#zoomCard QPushButton:checked {{ background: {c('info')}; color: {c('background')}; }}"
        )
        self.title = ElidedLabel("", self.card)
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        self._range_buttons: dict[str, QPushButton] = {}
        for zoom_range in ZOOM_RANGES:
            button = QPushButton(zoom_range.label, self.card)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the overlay (Esc)
            button.clicked.connect(lambda _checked=False, r=zoom_range: self.set_range(r))
            self.buttons.addButton(button)
            self._range_buttons[zoom_range.label] = button
            top.addWidget(button)
        self.close_button = QPushButton(CLOSE_TEXT, self.card)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.close_zoom)
        top.addSpacing(16)
        top.addWidget(self.close_button)
        self.legend_list = QListWidget(self.card)  # item texts are plain text
        self.legend_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.legend_list.hide()  # shown once the chart has series
        self._content = QHBoxLayout()
        self._content.addWidget(self.legend_list, 1)
        column = QVBoxLayout(self.card)
        column.addLayout(top)
        column.addLayout(self._content, 1)
        self.view: DashboardView | None = None
        self.feed: ZoomFeedLike | None = None
        self.zoom_range: ZoomRange | None = None
        self._dashboard: DashboardConfig | None = None
        self._panel: PanelConfig | None = None
        self._legend_timer = QTimer(self, singleShot=True, interval=0)
        self._legend_timer.timeout.connect(self._update_legend)
        host.installEventFilter(self)
        self.hide()

    # -- public --------------------------------------------------------------------

    @property
    def frame(self) -> PanelFrame | None:
        """The zoomed panel's frame (its state pill says LOADING, STALE, UNREACHABLE...)."""
        return self.view.frames()[0] if self.view is not None else None

    def legend_texts(self) -> tuple[str, ...]:
        return tuple(self.legend_list.item(i).text() for i in range(self.legend_list.count()))

    def open(self, dashboard: DashboardConfig, panel: PanelConfig, zoom_range: ZoomRange | None = None) -> None:
        if not zoomable(panel):
            return
        self._dashboard, self._panel = dashboard, panel
        self.title.set_full_text(dashboard.title)  # the frame below carries the panel's title
        self.setGeometry(self._host.rect())
        self._size_text()
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.set_range(zoom_range or default_range(panel))

    def set_range(self, zoom_range: ZoomRange) -> None:
        """Show the panel over another range: a new feed (LOADING until its first answer), the old one retired."""
        if self._dashboard is None or self._panel is None:
            return
        self._retire()
        self.zoom_range = zoom_range
        self._range_buttons[zoom_range.label].setChecked(True)
        feed = self._opener(self._dashboard, self._panel, zoom_range)
        self.feed = feed
        self.view = DashboardView(
            zoom_dashboard(self._dashboard, self._panel, zoom_range), feed.store, self._theme,
            stale_after_intervals=self._stale_after, clock=self._clock, tooltips=self._tooltips, parent=self.card,
        )
        self._content.insertWidget(0, self.view, 4)
        feed.store.changed.connect(self._legend_timer.start)
        self.legend_list.clear()

    def close_zoom(self) -> None:
        if self.isHidden() and self.feed is None:
            return
        self._retire()
        self.hide()
        self.closed.emit()

    # -- events --------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self.close_zoom()
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if not self.card.geometry().contains(event.position().toPoint()):
            self.close_zoom()  # a click on the dimmed wall around the card
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        veil = QColor(self._theme.color("background"))
        veil.setAlpha(200)
        painter.fillRect(self.rect(), veil)
        painter.end()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._host and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self._host.rect())
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        w, h = self.width(), self.height()
        mx, my = round(w * MARGIN), round(h * MARGIN)
        self.card.setGeometry(mx, my, max(0, w - 2 * mx), max(0, h - 2 * my))
        self._size_text()

    # -- internals -----------------------------------------------------------------

    def _retire(self) -> None:
        if self.feed is not None:
            self.feed.store.changed.disconnect(self._legend_timer.start)
            self.feed.retire()
            self.feed = None
        if self.view is not None:
            self.view.setParent(None)
            self.view.deleteLater()
            self.view = None

    def _size_text(self) -> None:
        scale = text_scale(self._host.height())
        for widget, px, bold in ((self.title, scale.title_px, True), (self.legend_list, scale.base_px, False),
                                 *((b, scale.base_px, False) for b in (*self._range_buttons.values(),
                                                                        self.close_button))):
            font = QFont(widget.font())
            font.setPixelSize(px)
            font.setWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
            widget.setFont(font)

    def _update_legend(self) -> None:
        """Every drawn series beside the chart, with its latest value (the chart's own legend may say "+N more")."""
        frame = self.frame
        entries = getattr(frame.body, "legend", ()) if frame is not None else ()
        self.legend_list.clear()
        for entry in entries:
            item = QListWidgetItem(visible(f"{entry.name}   {entry.value_text}"))
            item.setForeground(QColor(entry.style.color))
            self.legend_list.addItem(item)
        self.legend_list.setVisible(bool(entries))


def zoom_targets(frames: Iterable[PanelFrame]) -> tuple[PanelFrame, ...]:
    """The frames a click opens large."""
    return tuple(frame for frame in frames if zoomable(frame.panel))


class ZoomClicks(QObject):
    """Opens a panel large when it is clicked (installed by the window only where the mode allows)."""

    def __init__(self, zoom: PanelZoom, views: Iterable[DashboardView], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zoom = zoom
        self._targets: dict[QObject, tuple[DashboardConfig, PanelConfig]] = {}
        for view in views:
            for frame in zoom_targets(view.frames()):
                for widget in (frame, *frame.findChildren(QWidget)):
                    self._targets[widget] = (view.dashboard, frame.panel)
                    widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        left_release = (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                        and event.button() == Qt.MouseButton.LeftButton)
        if left_release and watched in self._targets:
            dashboard, panel = self._targets[watched]
            self._zoom.open(dashboard, panel)
            return True
        return False
