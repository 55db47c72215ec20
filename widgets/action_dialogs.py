"""The operator's dialogs: acknowledge (reason, how long) and a note (text).

Every label is plain text (`plain_label`): the incident's name and labels come
from a backend.  The text boxes are QPlainTextEdit, which never interprets what
is typed or pasted.  Dialogs open with `open()` (window-modal, non-blocking), so
the wall keeps painting while the operator types; the caller reads `choice()` /
`text()` once `accepted` fires.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from noc_app.actions.model import MAX_COMMENT_CHARS, MAX_DURATION_S, MIN_DURATION_S
from noc_app.display_text import visible
from noc_app.widgets.plain_text import plain_label

UNTIL_RESOLVED_TEXT = "until resolved"
STANDARD_PRESETS_S = (30 * 60.0, 3600.0, 4 * 3600.0, 24 * 3600.0)


@dataclass(frozen=True, kw_only=True, slots=True)
class AckChoice:
    comment: str
    until_resolved: bool
    duration_s: float | None  # None when until resolved


def duration_text(seconds: float) -> str:
    """'30m', '2h', '1h30m', '3d': how long an ack lasts, in the words of a menu."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    if hours >= 48 and hours % 24 == 0 and not rest:
        return f"{hours // 24}d"
    return f"{hours}h{rest:02d}m" if rest else f"{hours}h"


def ack_duration_presets(default_s: float) -> tuple[tuple[str, float | None], ...]:
    """('until resolved', None) first, then the configured duration and the standard ones, shortest first."""
    bounded = [s for s in (default_s, *STANDARD_PRESETS_S) if MIN_DURATION_S <= s <= MAX_DURATION_S]
    presets: list[tuple[str, float | None]] = [(UNTIL_RESOLVED_TEXT, None)]
    for seconds in sorted(set(bounded)):
        suffix = " (configured)" if seconds == default_s else ""
        presets.append((f"for {duration_text(seconds)}{suffix}", seconds))
    return tuple(presets)


def _comment_box(placeholder: str, parent: QWidget) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * 4 + 12)
    return box


def _text_of(box: QPlainTextEdit) -> str:
    return box.toPlainText().strip()[:MAX_COMMENT_CHARS]


class AckDialog(QDialog):
    """Acknowledge an incident: an optional reason and how long (until resolved by default)."""

    def __init__(self, incident_text: str, *, default_duration_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Acknowledge")
        column = QVBoxLayout(self)
        self.incident_label = plain_label(f"Acknowledge {incident_text}", self)
        self.incident_label.setWordWrap(True)
        column.addWidget(self.incident_label)
        column.addWidget(plain_label("Reason (optional, sent with the acknowledgement)", self))
        self.reason = _comment_box("What you are doing about it", self)
        column.addWidget(self.reason)
        column.addWidget(plain_label("How long", self))
        self.duration = QComboBox(self)
        self._presets = ack_duration_presets(default_duration_s)
        for text, _ in self._presets:
            self.duration.addItem(text)
        column.addWidget(self.duration)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button: QPushButton = buttons.addButton("Acknowledge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def choose_duration(self, text_prefix: str) -> None:
        """Select the first preset whose text starts with `text_prefix` (tests, keyboard users)."""
        for i, (text, _) in enumerate(self._presets):
            if text.startswith(text_prefix):
                self.duration.setCurrentIndex(i)
                return
        raise ValueError(f"no ack duration preset {text_prefix!r}")

    def choice(self) -> AckChoice:
        _, seconds = self._presets[self.duration.currentIndex()]
        return AckChoice(comment=_text_of(self.reason), until_resolved=seconds is None, duration_s=seconds)


class NoteDialog(QDialog):
    """A text for an incident: a note (text required) or the comment of an un-acknowledgement (optional)."""

    def __init__(
        self,
        incident_text: str,
        *,
        title: str = "Add a note",
        button: str = "Add note",
        required: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._required = required
        column = QVBoxLayout(self)
        heading = plain_label(f"{title}: {incident_text}", self)
        heading.setWordWrap(True)
        column.addWidget(heading)
        column.addWidget(plain_label("Note" if required else "Comment (optional)", self))
        self.text_box = _comment_box("Kept in the incident's history", self)
        column.addWidget(self.text_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button: QPushButton = buttons.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.text_box.textChanged.connect(self._update_ok)
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(not self._required or bool(_text_of(self.text_box)))

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()

    def text(self) -> str:
        return _text_of(self.text_box)


def incident_words(name: str, severity_text: str, count: int) -> str:
    """'P0 CRITICAL HighErrorRate' or '... HighErrorRate (3 alerts)', controls made visible."""
    alerts = f" ({count} alerts)" if count > 1 else ""
    return visible(f"{severity_text} {name}{alerts}")
