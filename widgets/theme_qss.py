"""A Qt palette and style sheet built from a Theme, so no widget hard-codes a colour.

Fonts are not set here: text sizes follow the window height (widgets.scale), and
a style-sheet font would override them.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from noc_app.themes import Theme


def build_palette(theme: Theme) -> QPalette:
    """The application palette of a theme."""
    c = theme.color
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: c("background"),
        QPalette.ColorRole.WindowText: c("text"),
        QPalette.ColorRole.Base: c("panel"),
        QPalette.ColorRole.AlternateBase: c("background"),
        QPalette.ColorRole.Text: c("text"),
        QPalette.ColorRole.PlaceholderText: c("text_dim"),
        QPalette.ColorRole.Button: c("panel"),
        QPalette.ColorRole.ButtonText: c("text"),
        QPalette.ColorRole.ToolTipBase: c("panel"),
        QPalette.ColorRole.ToolTipText: c("text"),
        QPalette.ColorRole.Highlight: c("info"),
        QPalette.ColorRole.HighlightedText: c("background"),
        QPalette.ColorRole.Link: c("info"),
        QPalette.ColorRole.BrightText: c("critical"),
        QPalette.ColorRole.Mid: c("panel_border"),
        QPalette.ColorRole.Dark: c("background"),
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(c("text_dim")))
    return palette


def build_qss(theme: Theme) -> str:
    """The style sheet of a theme (window chrome, tooltips, dialogs, scroll bars)."""
    c = theme.color
    return f"""
QMainWindow, QDialog {{ background: {c("background")}; color: {c("text")}; }}
QToolTip {{ background: {c("panel")}; color: {c("text")}; border: 1px solid {c("panel_border")}; padding: 4px; }}
#wallHeader, #feedHealthStrip {{ background: {c("background")}; }}
#wallHeader QLabel {{ color: {c("text")}; background: transparent; }}
#wallHeader QLabel[role="dim"] {{ color: {c("text_dim")}; }}
#wallHeader QLabel[role="demo"] {{ color: {c("background")}; background: {c("demo_badge")}; padding: 0 0.5em; }}
#wallHeader QLabel[role="paused"] {{ color: {c("background")}; background: {c("warning")}; padding: 0 0.5em; }}
QPushButton {{
    background: {c("panel")}; color: {c("text")}; border: 1px solid {c("panel_border")}; padding: 4px 12px;
}}
QPushButton:focus {{ border-color: {c("info")}; }}
QLineEdit, QPlainTextEdit#input, QComboBox {{
    background: {c("panel")}; color: {c("text")}; border: 1px solid {c("panel_border")};
}}
QScrollBar:vertical {{ background: {c("background")}; width: 10px; }}
QScrollBar::handle:vertical {{ background: {c("panel_border")}; min-height: 20px; }}
QMenu {{ background: {c("panel")}; color: {c("text")}; border: 1px solid {c("panel_border")}; }}
QMenu::item:selected {{ background: {c("panel_border")}; }}
"""


def apply_theme(target: QApplication | QWidget, theme: Theme) -> None:
    """Give an application (or one window) the theme's palette and style sheet."""
    target.setPalette(build_palette(theme))
    target.setStyleSheet(build_qss(theme))
