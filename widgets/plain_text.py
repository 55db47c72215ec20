"""Qt side of display_text: labels that never interpret markup, tooltips Qt shows literally.

Everything the wall shows from a config or a backend goes through here (or is
painted with QPainter.drawText, which never interprets markup): a QLabel made
by `plain_label` has Qt.PlainText, so `<img src="file:///...">` is text, not an
image; `set_tooltip` escapes, since tooltips have no plain-text flag.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from noc_app.display_text import tooltip_html, visible


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that shows its text as typed: no HTML, no Markdown, no links, no images."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setOpenExternalLinks(False)
    label.setText(visible(text))
    return label


def set_tooltip(widget: QWidget, text: str) -> None:
    """Give `widget` a tooltip that reads exactly `text` (escaped; empty text: no tooltip)."""
    widget.setToolTip(tooltip_html(text))
