"""Opens the incident detail view from a board (operator mode): a click on a row, or Enter on the selected one.

The right-click menu and the action keys stay the board controller's (widgets/incident_actions.py);
this only adds the detail view on top, and hands its action buttons back to that controller.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent

from noc_app.themes import Theme
from noc_app.widgets.board_rows import row_key
from noc_app.widgets.incident_actions import BoardActions
from noc_app.widgets.incident_detail_view import DetailContext, IncidentDetailView
from noc_app.widgets.wall_window import WallWindow

OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class IncidentDetailOpener(QObject):
    def __init__(self, controller: BoardActions, context: DetailContext, theme: Theme,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.board = controller.board
        self.context = context
        self.theme = theme
        self.view: IncidentDetailView | None = None
        self._pressed_row: int | None = None
        self.board.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.board or not self.board.selectable:
            return super().eventFilter(watched, event)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            left = event.button() == Qt.MouseButton.LeftButton
            self._pressed_row = self.board.row_at(round(event.position().y())) if left else None
        elif kind == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            row = self.board.row_at(round(event.position().y()))
            if event.button() == Qt.MouseButton.LeftButton and row is not None and row == self._pressed_row:
                self._pressed_row = None
                self.open()  # the press selected the row
        elif (kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in OPEN_KEYS
              and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            return self.open() is not None
        return super().eventFilter(watched, event)

    def open(self) -> IncidentDetailView | None:
        """The detail of the selected row (one at a time; a menu or dialog of the controller comes first)."""
        group = self.board.selected_group()
        if group is None or self.controller.dialog is not None or self.controller.menu is not None:
            return None
        if self.view is not None:
            self.view.close()
        key = row_key(group)

        def select_row() -> bool:
            self.board.selected_key = key
            return self.board.selected_group() is not None

        window = self.board.window()
        context = self.context
        if context.go_to_panel is None and isinstance(window, WallWindow):
            context = replace(context, go_to_panel=lambda dash, panel: go_to_panel(window, dash, panel))
        view = IncidentDetailView(group, context, self.theme, actions=self.controller, select_row=select_row,
                                  parent=window)
        view.finished.connect(lambda _result, v=view: self._closed(v))
        self.view = view
        view.open()
        return view

    def _closed(self, view: IncidentDetailView) -> None:
        if self.view is view:
            self.view = None
        view.deleteLater()


def go_to_panel(window: WallWindow, dashboard_id: str, panel_id: str) -> bool:
    """Show the panel's dashboard on this window (rotation paused, so it stays) and focus the panel."""
    index = next((i for i, view in enumerate(window.views) if view.dashboard.id == dashboard_id), None)
    if index is None:
        return False
    if window.capabilities.pause_rotation:
        window.set_paused(True)
    window.show_dashboard(index)
    for frame in window.views[index].frames():
        if frame.panel.id == panel_id:
            frame.setFocus(Qt.FocusReason.OtherFocusReason)
    window.setProperty("noc_focused_panel", f"{dashboard_id}/{panel_id}")
    return True
