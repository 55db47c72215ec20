"""Run a configured runbook on one incident: its title, the parameters it gets, a required comment,
and, for a runbook that asks for confirmation, the target's name typed out.

Every text shown comes from the config or a backend: plain labels only.  The
button stays disabled, with the reason in a visible line, until the comment is
given and (with `confirm`) the typed name matches exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from noc_app.display_text import visible
from noc_app.widgets.action_dialogs import COMMENT_REQUIRED_TEXT, comment_box, comment_text, fit_to_room
from noc_app.widgets.plain_text import plain_label

MAX_PARAMS_SHOWN = 12


def params_text(params: Mapping[str, str]) -> str:
    """'service=checkout, instance=web-1' (bounded), or 'no parameters'."""
    if not params:
        return "no parameters"
    items = [f"{name}={value}" for name, value in list(params.items())[:MAX_PARAMS_SHOWN]]
    more = f", +{len(params) - MAX_PARAMS_SHOWN} more" if len(params) > MAX_PARAMS_SHOWN else ""
    return ", ".join(items) + more


class RunbookDialog(QDialog):
    """The operator's go for one runbook run; read `text()` once `accepted` fires."""

    def __init__(
        self,
        incident_text: str,
        *,
        runbook_title: str,
        params: Mapping[str, str],
        confirm_target: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        fit_to_room(self, parent)
        self.setWindowTitle(f"Run runbook: {visible(runbook_title)}")
        self._target = confirm_target
        column = QVBoxLayout(self)
        self.title_label = plain_label(f"Run “{runbook_title}” on {incident_text}", self)
        self.title_label.setWordWrap(True)
        column.addWidget(self.title_label)
        self.params_label = plain_label(f"Parameters: {params_text(params)}", self)
        self.params_label.setWordWrap(True)
        column.addWidget(self.params_label)
        column.addWidget(plain_label("Why (required; goes into the audit)", self))
        self.text_box = comment_box("What this run should fix", self)
        column.addWidget(self.text_box)
        self.confirm_box: QLineEdit | None = None
        if confirm_target:
            column.addWidget(plain_label(f"Type {confirm_target} to confirm", self))
            self.confirm_box = QLineEdit(self)
            column.addWidget(self.confirm_box)
            self.confirm_box.textChanged.connect(self._update_ok)
        self.reason_label = plain_label("", self)
        self.reason_label.setWordWrap(True)
        self.reason_label.setObjectName("dialogReason")
        column.addWidget(self.reason_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button: QPushButton = buttons.addButton("Run", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.text_box.textChanged.connect(self._update_ok)
        self._update_ok()

    def refusal(self) -> str:
        """Why the button is disabled ("" when it is not)."""
        if not comment_text(self.text_box):
            return COMMENT_REQUIRED_TEXT
        if self.confirm_box is not None and self.confirm_box.text().strip() != self._target:
            return f"Type {visible(self._target)} exactly to confirm."
        return ""

    def _update_ok(self) -> None:
        refusal = self.refusal()
        self.ok_button.setEnabled(not refusal)
        self.reason_label.setText(refusal)
        self.reason_label.setVisible(bool(refusal))

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()

    def text(self) -> str:
        return comment_text(self.text_box)
