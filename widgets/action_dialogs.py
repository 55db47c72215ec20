"""The operator's dialogs: acknowledge (reason, how long), a note or a comment (un-acknowledge,
resolve), escalate (comment, level); the runbook dialog is in widgets/runbook_dialog.py.

A dialog whose comment is required keeps its button disabled, and says why in a
visible line, while the comment is empty.

Every label is plain text (`plain_label`): the incident's name and labels come
from a backend.  The text boxes are QPlainTextEdit, which never interprets what
is typed or pasted.  Dialogs open with `open()` (window-modal, non-blocking), so
the wall keeps painting while the operator types; the caller reads `choice()` /
`text()` once `accepted` fires.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from noc_app.actions.model import MAX_COMMENT_CHARS, MAX_DURATION_S, MIN_DURATION_S
from noc_app.display_text import visible
from noc_app.widgets.plain_text import plain_label
from noc_app.widgets.scale import text_scale

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


MIN_DIALOG_PX = 13


def fit_to_room(widget: QWidget, window: QWidget | None) -> None:
    """Give a dialog or menu the wall window's text colour and a text size that follows its height.

    A dialog is a window of its own: the theme's style sheet reaches it, but its
    polish gives labels the application's palette (dark text on the theme's dark
    background) and font (tiny on a 4K screen).  A style sheet of its own names both.
    """
    if window is None:
        return
    px = max(MIN_DIALOG_PX, text_scale(window.height()).small_px)
    palette = window.palette()
    widget.setPalette(palette)
    text, base, border = (palette.color(role).name() for role in (
        QPalette.ColorRole.WindowText, QPalette.ColorRole.Base, QPalette.ColorRole.Mid))
    # The window's own style sheet has made its disabled text as bright as the rest: dim it by half.
    fg = palette.color(QPalette.ColorRole.WindowText)
    dim = f"rgba({fg.red()}, {fg.green()}, {fg.blue()}, 50%)"
    if isinstance(widget, QDialog):
        widget.setStyleSheet(
            f"QDialog, QDialog * {{ font-size: {px}px; }} QLabel {{ color: {text}; }}"
            f" QPlainTextEdit, QLineEdit, QSpinBox {{ background: {base}; color: {text}; border: 1px solid {border}; }}"
            f" QPushButton:disabled {{ color: {dim}; }}"
        )
        widget.setMinimumWidth(px * 30)  # about 60 characters: a reason reads on one or two lines
    else:  # a refused entry must look refused: the theme's dim text
        widget.setStyleSheet(f"QMenu {{ font-size: {px}px; }} QMenu::item:disabled {{ color: {dim}; }}")


def comment_box(placeholder: str, parent: QWidget) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * 4 + 12)
    return box


def comment_text(box: QPlainTextEdit) -> str:
    return box.toPlainText().strip()[:MAX_COMMENT_CHARS]


class AckDialog(QDialog):
    """Acknowledge an incident: an optional reason and how long (until resolved by default)."""

    def __init__(self, incident_text: str, *, default_duration_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        fit_to_room(self, parent)
        self.setWindowTitle("Acknowledge")
        column = QVBoxLayout(self)
        self.incident_label = plain_label(f"Acknowledge {incident_text}", self)
        self.incident_label.setWordWrap(True)
        column.addWidget(self.incident_label)
        column.addWidget(plain_label("Reason (optional, sent with the acknowledgement)", self))
        self.reason = comment_box("What you are doing about it", self)
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
        return AckChoice(comment=comment_text(self.reason), until_resolved=seconds is None, duration_s=seconds)


NOTE_REQUIRED = "A note needs text."
COMMENT_REQUIRED_TEXT = "A comment is required: it goes into the audit and to the backend."
MAX_ESCALATION_LEVEL = 20  # noc_app.actions.model.validate's bound


class NoteDialog(QDialog):
    """A text for an incident: a note, or the comment of an un-acknowledge (optional) or a resolve (required).

    `detail`: a plain line under the heading (where the action goes, e.g. "goes to pd; am cannot resolve").
    """

    def __init__(
        self,
        incident_text: str,
        *,
        title: str = "Add a note",
        button: str = "Add note",
        required: bool = True,
        detail: str = "",
        label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        fit_to_room(self, parent)
        self.setWindowTitle(title)
        self._required = required
        self._is_note = button == "Add note"
        column = QVBoxLayout(self)
        heading = plain_label(f"{title}: {incident_text}", self)
        heading.setWordWrap(True)
        column.addWidget(heading)
        self.detail_label = plain_label(detail, self)
        self.detail_label.setWordWrap(True)
        self.detail_label.setVisible(bool(detail))
        column.addWidget(self.detail_label)
        self._column = column
        self._add_fields(column)
        column.addWidget(plain_label(label or ("Note" if self._is_note else
                                               "Comment" if required else "Comment (optional)"), self))
        self.text_box = comment_box("Kept in the incident's history", self)
        column.addWidget(self.text_box)
        self.reason_label = plain_label(NOTE_REQUIRED if self._is_note else COMMENT_REQUIRED_TEXT, self)
        self.reason_label.setWordWrap(True)
        self.reason_label.setObjectName("dialogReason")
        column.addWidget(self.reason_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button: QPushButton = buttons.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.text_box.textChanged.connect(self._update_ok)
        self._update_ok()

    def _add_fields(self, column: QVBoxLayout) -> None:
        """Subclasses add their own fields above the comment."""

    def refusal(self) -> str:
        """Why the button is disabled ("" when it is not)."""
        return "" if not self._required or comment_text(self.text_box) else self.reason_label.text()

    def _update_ok(self) -> None:
        refusal = self.refusal()
        self.ok_button.setEnabled(not refusal)
        self.reason_label.setVisible(bool(refusal))

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()

    def text(self) -> str:
        return comment_text(self.text_box)


class EscalateDialog(NoteDialog):
    """Escalate an incident: a required comment and the level (the next one by default)."""

    def __init__(self, incident_text: str, *, detail: str = "", parent: QWidget | None = None) -> None:
        super().__init__(incident_text, title="Escalate", button="Escalate", required=True, detail=detail,
                         label="Why (required; goes into the audit and the incident's notes)", parent=parent)

    def _add_fields(self, column: QVBoxLayout) -> None:
        column.addWidget(plain_label("Escalation level", self))
        self.level_box = QSpinBox(self)
        self.level_box.setRange(0, MAX_ESCALATION_LEVEL)
        self.level_box.setSpecialValueText("the next level")  # shown for 0
        self.level_box.setPrefix("level ")
        column.addWidget(self.level_box)

    def level(self) -> int | None:
        """The chosen level, or None for the next one."""
        return self.level_box.value() or None


def incident_words(name: str, severity_text: str, count: int) -> str:
    """'P0 CRITICAL HighErrorRate' or '... HighErrorRate (3 alerts)', controls made visible."""
    alerts = f" ({count} alerts)" if count > 1 else ""
    return visible(f"{severity_text} {name}{alerts}")
