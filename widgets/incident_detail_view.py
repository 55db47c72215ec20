"""The incident detail view (operator mode): everything about one board row, and what can be done with it.

It draws an `IncidentDetail` (noc_app.incident_detail decides its content): name, priority, state, times,
every label and annotation as plain text, http/https links as buttons (widgets/incident_parts.open_link),
the linked panels (a click goes to the panel's dashboard), the log query and its lines (run through the
injected `log_runner`, off the GUI thread), the history (the injected `history_reader`), and the row's
actions: the board's own controller (widgets/incident_actions.BoardActions) opens their dialogs, so the
detail adds no action path of its own.  `set_problem(lines)` fills the optional probable-cause section.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from noc_app.actions.model import ActionKind, IncidentKey, IncidentTimeline
from noc_app.actions.policy import Verdict
from noc_app.config.runbook_schema import RunbookConfig
from noc_app.config.schema import DashboardConfig, SeverityLevel, SourceConfig
from noc_app.display_text import visible, visible_lines
from noc_app.incident_detail import IncidentDetail, IncidentLogs, incident_detail
from noc_app.model import Alert
from noc_app.themes import Theme
from noc_app.widgets.action_dialogs import fit_to_room
from noc_app.widgets.incident_history import HistoryReader, timeline_text
from noc_app.widgets.incident_parts import IncidentLogPanel, action_button, link_button, section_title
from noc_app.widgets.plain_text import plain_label
from noc_app.widgets.scale import text_scale
from noc_app.widgets.state_style import severity_color_key

LogRunner = Callable[[str, str, Callable[[IncidentLogs], None]], None]
GoToPanel = Callable[[str, str], object]  # dashboard id, panel id
ACTION_TEXT = {ActionKind.ACK: "Acknowledge…", ActionKind.UNACK: "Un-acknowledge…",
               ActionKind.ESCALATE: "Escalate…", ActionKind.RESOLVE: "Resolve…", ActionKind.NOTE: "Add note…"}
# The board's action keys work here too (the detail has the keyboard while it is open).
DETAIL_KEYS = {Qt.Key.Key_A: ActionKind.ACK, Qt.Key.Key_U: ActionKind.UNACK, Qt.Key.Key_E: ActionKind.ESCALATE,
               Qt.Key.Key_R: ActionKind.RESOLVE, Qt.Key.Key_N: ActionKind.NOTE}
NO_LINKS_TEXT = "No http/https links in its labels or annotations"
NO_PANELS_TEXT = "No panel of the loaded dashboards queries its labels"


@dataclass(frozen=True, kw_only=True, slots=True)
class DetailContext:
    """What the detail view reads besides the row: config, and the app's injected runners."""

    levels: tuple[SeverityLevel, ...] = ()
    dashboards: tuple[DashboardConfig, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    log_runner: LogRunner | None = None
    history_reader: HistoryReader | None = None
    go_to_panel: GoToPanel | None = None
    # The problem an incident belongs to, as plain text lines (correlation; None: the section stays hidden).
    problem_lines: Callable[[tuple[Alert, ...]], Sequence[str]] | None = None
    clock: Callable[[], float] = field(default=time.time)


class RowActions(Protocol):
    """The row's actions as the board's controller offers them (widgets/incident_actions.BoardActions)."""

    def verdicts(self) -> tuple[Verdict, ...]: ...
    def runbook_verdicts(self) -> tuple[tuple[RunbookConfig, Verdict], ...]: ...
    def start(self, kind: ActionKind) -> object: ...
    def start_runbook(self, runbook_id: str) -> object: ...
    def open_history(self) -> object: ...


class IncidentDetailView(QDialog):
    def __init__(self, group: Sequence[Alert], context: DetailContext, theme: Theme, *,
                 actions: RowActions | None = None, select_row: Callable[[], bool] | None = None,
                 parent: QWidget | None = None) -> None:
        """actions: the board's BoardActions (its verdicts, start, start_runbook, open_history);
        select_row: makes this row the board's selection again before an action (False: the row is gone)."""
        super().__init__(parent)
        self.setObjectName("incidentDetail")
        self.group = tuple(group)
        self.context = context
        self.theme = theme
        self._actions = actions
        self._select_row = select_row
        self._open = True
        self.finished.connect(self._closed)
        self.detail: IncidentDetail = incident_detail(
            self.group, context.clock(), levels=context.levels, dashboards=context.dashboards,
            sources=context.sources)
        self.setWindowTitle(visible(f"{self.detail.priority} {self.detail.title}"))
        fit_to_room(self, parent.window() if parent is not None else None)
        height = parent.window().height() if parent is not None else 1080
        self.scale = text_scale(max(720, height))
        self.link_buttons: list[QPushButton] = []
        self.panel_buttons: list[QPushButton] = []
        self.action_buttons: dict[str, QPushButton] = {}
        self._build()
        if parent is not None:
            window = parent.window()
            self.resize(int(window.width() * 0.8), int(window.height() * 0.85))
        if context.problem_lines is not None:
            self.set_problem(context.problem_lines(self.group))
        self._read_history()
        self.run_logs()

    # -- layout ---------------------------------------------------------------------

    def _build(self) -> None:
        d, s = self.detail, self.scale
        outer = QVBoxLayout(self)
        outer.addLayout(self._headline(d))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("incidentDetailBody")
        # The scroll area's viewport would paint the platform's light window colour under light text.
        body.setStyleSheet(f"#incidentDetailBody {{ background: {self.theme.color('background')}; }} "
                           f"QLabel {{ color: {self.theme.color('text')}; }}")
        scroll.viewport().setStyleSheet(f"background: {self.theme.color('background')};")
        column = QVBoxLayout(body)
        grid = QGridLayout()
        column.addLayout(grid)
        left, right = QVBoxLayout(), QVBoxLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self.problem_title = section_title("Problem / probable cause", s.base_px)
        self.problem_text = self._text_label("")
        self.problem_title.hide()
        self.problem_text.hide()
        left.addWidget(self.problem_title)
        left.addWidget(self.problem_text)
        left.addWidget(section_title("When", s.base_px))
        left.addWidget(self._text_label("\n".join(d.times) or "no start time reported"))
        if d.summary:
            left.addWidget(self._text_label(visible_lines(d.summary)))
        left.addWidget(section_title("Links", s.base_px))
        for name, url in d.links:
            button = link_button(name, url)
            self.link_buttons.append(button)
            left.addWidget(button)
        if not d.links:
            left.addWidget(self._text_label(NO_LINKS_TEXT))
        left.addWidget(section_title("Linked panels", s.base_px))
        for panel in d.panels:
            text = f"{panel.dashboard_title} / {panel.panel_title}   ({', '.join(panel.matched)})"
            button = action_button(text, partial(self._go_to, panel.dashboard_id, panel.panel_id))
            button.setEnabled(self.context.go_to_panel is not None)
            button.setProperty("noc_panel", f"{panel.dashboard_id}/{panel.panel_id}")
            self.panel_buttons.append(button)
            left.addWidget(button)
        if not d.panels:
            left.addWidget(self._text_label(NO_PANELS_TEXT))
        left.addStretch(1)

        right.addWidget(section_title("Labels", s.base_px))
        self.labels_box = self._text_box("\n".join(f"{k} = {v}" for k, v in d.labels))
        right.addWidget(self.labels_box)
        right.addWidget(section_title("Annotations", s.base_px))
        self.annotations_box = self._text_box("\n".join(f"{k} = {v}" for k, v in d.annotations) or "none")
        right.addWidget(self.annotations_box)
        right.addWidget(section_title("History", s.base_px))
        self.history_box = self._text_box("No state database: history is not recorded"
                                          if self.context.history_reader is None else "Reading the history…")
        right.addWidget(self.history_box)

        column.addWidget(section_title("Actions", s.base_px))
        column.addLayout(self._action_row())
        column.addWidget(section_title("Logs", s.base_px))
        self.log_panel = IncidentLogPanel(self.theme)
        self.log_panel.set_text_px(s.small_px)
        self.log_panel.setMinimumHeight(s.base_px * 14)
        column.addWidget(self.log_panel, 1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        outer.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)

    def _headline(self, d: IncidentDetail) -> QHBoxLayout:
        row = QHBoxLayout()
        self.priority_label = plain_label(d.priority)
        self.title_label = plain_label(d.title + (f"  ({d.alerts_in_row} alerts)" if d.alerts_in_row > 1 else ""))
        self.state_label = plain_label(d.state)
        color = self.theme.color(severity_color_key(d.alert.severity))
        big = round(self.scale.title_px * 1.5)
        for label, px, colour in ((self.priority_label, big, color),
                                  (self.title_label, big, self.theme.color("text")),
                                  (self.state_label, self.scale.title_px, self.theme.color("text"))):
            # A style sheet, not setFont: the dialog's own sheet (fit_to_room) would override a font.
            label.setStyleSheet(f"color: {colour}; font-size: {px}px; font-weight: bold;")
        self.title_label.setWordWrap(True)
        row.addWidget(self.priority_label)
        row.addWidget(self.title_label, 1)
        row.addWidget(self.state_label)
        return row

    def _text_label(self, text: str) -> QLabel:
        label = plain_label(text)
        label.setText(visible_lines(text))  # several lines: breaks stay breaks, other controls shown
        label.setWordWrap(True)
        font = label.font()
        font.setPixelSize(self.scale.small_px)
        label.setFont(font)
        return label

    def _text_box(self, text: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setReadOnly(True)
        box.setPlainText(visible_lines(text))
        font = box.font()
        font.setPixelSize(self.scale.small_px)
        box.setFont(font)
        lines = max(2, min(12, text.count("\n") + 2))
        box.setFixedHeight(int(lines * self.scale.small_px * 1.45) + 12)
        return box

    def _action_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        actions = self._actions
        if actions is None:
            row.addWidget(self._text_label("No actions in this mode"))
            return row
        for verdict in actions.verdicts():
            kind = verdict.kind
            text = ACTION_TEXT[kind] if verdict.allowed else f"{ACTION_TEXT[kind].rstrip('…')} — {verdict.reason}"
            button = action_button(text, partial(self._start, kind))
            button.setEnabled(verdict.allowed)
            self.action_buttons[kind.value] = button
            row.addWidget(button)
        for runbook, verdict in actions.runbook_verdicts():
            button = action_button(f"Runbook: {runbook.title}…", partial(self._start_runbook, runbook.id))
            button.setEnabled(verdict.allowed)
            self.action_buttons[f"runbook:{runbook.id}"] = button
            row.addWidget(button)
        button = action_button("History…", lambda: self._act(lambda a: a.open_history()))
        button.setEnabled(self.context.history_reader is not None)
        self.action_buttons["history"] = button
        row.addWidget(button)
        row.addStretch(1)
        return row

    # -- behaviour ------------------------------------------------------------------

    def set_problem(self, lines: Sequence[str]) -> None:
        """The probable cause of the problem this incident belongs to (correlation fills it); () hides it."""
        text = "\n".join(visible(line) for line in lines)
        self.problem_text.setText(text)
        self.problem_title.setVisible(bool(lines))
        self.problem_text.setVisible(bool(lines))

    def _act(self, call: Callable[[RowActions], object]) -> None:
        """Hand the action to the board's controller for this row (its dialog opens over this view)."""
        if self._actions is None or (self._select_row is not None and not self._select_row()):
            return
        call(self._actions)

    def _start(self, kind: ActionKind) -> None:
        self._act(lambda actions: actions.start(kind))

    def _start_runbook(self, runbook_id: str) -> None:
        self._act(lambda actions: actions.start_runbook(runbook_id))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """A, U, E, R, N and H as on the board; Esc closes (QDialog)."""
        if not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            kind = DETAIL_KEYS.get(Qt.Key(event.key()))
            if kind is not None:
                self._start(kind)
                event.accept()
                return
            if event.key() == Qt.Key.Key_H:
                self._act(lambda actions: actions.open_history())
                event.accept()
                return
        super().keyPressEvent(event)

    def _closed(self) -> None:
        self._open = False

    def _go_to(self, dashboard_id: str, panel_id: str) -> None:
        if self.context.go_to_panel is not None and self.context.go_to_panel(dashboard_id, panel_id) is not False:
            self.accept()  # its dashboard is in front now (False: not on this window)

    def run_logs(self) -> None:
        """Run every log query through the injected runner; its answers arrive later (show_logs)."""
        queries = [(q.source_id, q.kind, q.query) for q in self.detail.log_queries]
        self.log_panel.set_queries(queries)
        if self.context.log_runner is None:
            if queries:
                self.log_panel.lines.setPlainText("Log queries are not run here")
            return
        for source_id, _kind, query in queries:
            self.context.log_runner(source_id, query, self._logs_arrived)

    def _logs_arrived(self, logs: IncidentLogs) -> None:
        if self._open:  # closed meanwhile: drop it
            self.log_panel.show_logs(logs)

    def _read_history(self) -> None:
        reader = self.context.history_reader
        if reader is None:
            return
        self._timelines: list[str] = []
        for alert in self.group:
            reader(IncidentKey(source_id=alert.source_id, fingerprint=alert.fingerprint), self._history_arrived)

    def _history_arrived(self, timeline: IncidentTimeline) -> None:
        if not self._open:
            return
        self._timelines.append(timeline_text(timeline))
        self.history_box.setPlainText("\n\n".join(self._timelines))
        lines = min(12, sum(t.count("\n") + 1 for t in self._timelines) + 1)
        self.history_box.setFixedHeight(int(lines * self.scale.small_px * 1.45) + 12)

    # -- tests ----------------------------------------------------------------------

    def shown_texts(self) -> list[str]:
        """Every text the view shows (labels, buttons, boxes), for tests."""
        texts = [w.text() for w in self.findChildren(QLabel)] + [b.text() for b in self.findChildren(QPushButton)]
        return texts + [b.toPlainText() for b in self.findChildren(QPlainTextEdit)]
