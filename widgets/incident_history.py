"""The History view of an incident (operator mode): what the state database knows, as plain text.

The dialog reads nothing itself: the app injects a `HistoryReader` (the action
service's `read_history`) that reads the incident's history row and audit lines
off the GUI thread and hands back an `IncidentTimeline` on it.  The view is a
read-only QPlainTextEdit, which never interprets what it shows: names, notes and
backend messages are untrusted text.  A folded row (several alerts) shows one
section per alert.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from noc_app.actions.model import IncidentKey, IncidentTimeline
from noc_app.display_text import visible, visible_lines
from noc_app.widgets.action_dialogs import fit_to_room
from noc_app.widgets.plain_text import plain_label

# (incident, deliver): read its timeline off the GUI thread; `deliver` is called on the GUI thread.
HistoryReader = Callable[[IncidentKey, Callable[[IncidentTimeline], None]], None]

LOADING_TEXT = "Reading the incident's history…"
EMPTY_TEXT = "nothing recorded yet"


def timeline_text(timeline: IncidentTimeline, *, title: str = "", local: bool = True) -> str:
    """One section: a heading, then 'YYYY-MM-DD HH:MM:SS  what' per entry (controls made visible)."""
    convert = time.localtime if local else time.gmtime
    lines = [visible(title or timeline.incident.text)]
    if timeline.error:
        lines.append(f"  cannot read the history: {visible(timeline.error)}")
    elif not timeline.entries:
        lines.append(f"  {EMPTY_TEXT}")
    for entry in timeline.entries:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", convert(entry.at))
        body = visible_lines(entry.text).replace("\n", "\n" + " " * (len(stamp) + 4))  # continuation under the text
        lines.append(f"  {stamp}  {body}")
    return "\n".join(lines)


class IncidentHistoryDialog(QDialog):
    """Shows the timelines of a row's incidents as they arrive; `complete` once all have."""

    def __init__(
        self, heading: str, incidents: Sequence[tuple[IncidentKey, str]], *, parent: QWidget | None = None
    ) -> None:
        """incidents: (key, section title) per alert of the row, in the board's order."""
        super().__init__(parent)
        self.setWindowTitle("Incident history")
        self._order = [key for key, _ in incidents]
        self._titles = dict(incidents)
        self._sections: dict[IncidentKey, str] = {}
        column = QVBoxLayout(self)
        label = plain_label(f"History of {heading}", self)
        label.setWordWrap(True)
        column.addWidget(label)
        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setPlainText(LOADING_TEXT)
        column.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        fit_to_room(self, parent.window() if parent is not None else None)  # the wall's colours, readable size
        self.resize(max(720, self.minimumWidth()), 420)

    @property
    def complete(self) -> bool:
        return all(key in self._sections for key in self._order)

    def add_timeline(self, timeline: IncidentTimeline) -> None:
        key = timeline.incident
        if key not in self._titles:
            return
        self._sections[key] = timeline_text(timeline, title=self._titles[key])
        shown = [self._sections[k] for k in self._order if k in self._sections]
        if not self.complete:
            shown.append(LOADING_TEXT)
        self.view.setPlainText("\n\n".join(shown))

    def text(self) -> str:
        return self.view.toPlainText()
