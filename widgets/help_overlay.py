"""The keyboard help overlay (F1 or ?): every shortcut the window handles, in plain text.

Its lines come from the same tables the window and the incident boards use
(noc_app.modes.window_keys, incident_board.ACTION_KEYS, incident_actions.OWN_KEYS),
so the help cannot disagree with the keys.  Text sizes follow the window height,
larger than the header so it reads from across the room on a 4K wall.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from noc_app.actions.model import ActionKind
from noc_app.modes import HELP_KEYS, KeyBinding
from noc_app.themes import Theme
from noc_app.widgets.incident_actions import HISTORY_KEY, OWN_KEYS
from noc_app.widgets.incident_board import ACTION_KEYS
from noc_app.widgets.plain_text import plain_label
from noc_app.widgets.scale import text_scale

TITLE = "Keyboard shortcuts"
CLOSE_HINT = "Esc or F1 closes this help"
_BOARD_WORDS = {
    ActionKind.ACK: "Acknowledge the selected incident",
    ActionKind.UNACK: "Take the acknowledgement back",
    ActionKind.NOTE: "Add a note to the selected incident",
    ActionKind.ESCALATE: "Escalate the selected incident",
    ActionKind.RESOLVE: "Resolve the selected incident",
}


def key_text(key: str) -> str:
    """How a key reads in the help (Qt's native text: 'Ctrl+Alt+Q', 'Space')."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) or key


def board_lines() -> tuple[tuple[str, str], ...]:
    """The incident board's keys (operator mode), from the board's own key maps."""
    lines = [("Up / Down", "Select an incident"), ("Enter / click", "The selected incident's details")]
    for key, kind in (*ACTION_KEYS.items(), *OWN_KEYS.items()):
        lines.append((QKeySequence(key).toString(), _BOARD_WORDS.get(kind, kind.value.capitalize())))
    lines.append((HISTORY_KEY, "History of the selected incident"))
    lines.append(("Menu", "The selected incident's menu"))
    return tuple(lines)


def help_lines(bindings: tuple[KeyBinding, ...], *, board: bool) -> tuple[tuple[str, str], ...]:
    """(keys, what they do) rows: the window's bindings, then the board's when it takes actions."""
    rows = tuple((" / ".join(key_text(k) for k in b.keys), b.description) for b in bindings)
    return rows + (board_lines() if board else ())


class HelpOverlay(QFrame):
    """Covers its parent while shown; Esc, F1 or ? hide it (the window's F1 shortcut toggles it too)."""

    def __init__(self, rows: tuple[tuple[str, str], ...], theme: Theme, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = parent  # covered while shown
        self.setObjectName("helpOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        c = theme.color
        self.setStyleSheet(  # opaque: the help is read, not the dashboard behind it
            f"#helpOverlay {{ background: {c('background')}; border: 2px solid {c('panel_border')}; }}"
            f"#helpOverlay QLabel {{ color: {c('text')}; background: transparent; }}"
            f"#helpOverlay QLabel[role=\"dim\"] {{ color: {c('text_dim')}; }}"
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.rows = rows
        self.title = plain_label(TITLE, self)
        self.hint = plain_label(CLOSE_HINT, self)
        self.hint.setProperty("role", "dim")
        self._keys: list[QLabel] = []
        self._words: list[QLabel] = []
        self._grid = grid = QGridLayout()
        for row, (keys, words) in enumerate(rows):
            key_label, word_label = plain_label(keys, self), plain_label(words, self)
            key_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._keys.append(key_label)
            self._words.append(word_label)
            grid.addWidget(key_label, row, 0)
            grid.addWidget(word_label, row, 1)
        self._column = column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(self.title, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addLayout(grid)
        column.addWidget(self.hint, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        self.hide()
        parent.installEventFilter(self)

    def text_rows(self) -> tuple[tuple[str, str], ...]:
        """What the overlay shows, read back from its labels."""
        return tuple((k.text(), w.text()) for k, w in zip(self._keys, self._words, strict=True))

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            self.open()

    def open(self) -> None:
        self.setGeometry(self._host.rect())
        self._size_text()
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F1, Qt.Key.Key_Question) or event.text() in HELP_KEYS:
            self.hide()
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._host and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self._host.rect())
            self._size_text()
        return False

    def _size_text(self) -> None:
        scale = text_scale(self._host.height())
        body = round(scale.header_px * 1.25)  # 54 px at 2160 rows: well above the header's size
        # Gaps grow with the text, so the table keeps its proportions from 1080 to 2160 rows.
        self._grid.setHorizontalSpacing(body)
        self._grid.setVerticalSpacing(round(body * 0.3))
        self._column.setSpacing(body)
        for labels, px, bold in ((self._keys, body, True), (self._words, body, False),
                                 ([self.title], round(body * 1.3), True), ([self.hint], scale.header_px, False)):
            for label in labels:
                font = QFont(label.font())
                font.setPixelSize(px)
                font.setWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
                label.setFont(font)
