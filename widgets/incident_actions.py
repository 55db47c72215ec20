"""BoardActions: the operator's actions on one incident board (operator mode only).

The board draws and selects; `noc_app.actions.policy` decides what is allowed;
this controller joins them (widgets/incident_verdicts.py puts the policy's
verdicts together per row): it lists the verdicts in a context menu (refused
entries disabled, with the policy's reason in their text and tooltip), opens the
dialog for A, U, E, R, N or a menu entry, a runbook of the "Run runbook" submenu,
the History view for H or "History…" (read through the injected `history_reader`:
no database here), the "Post-incident report…" entry (made by the injected `reports` runner,
widgets/report_entry.py; its result marks the row), builds one `ActionRequest` per backend incident of the selected
row (a problem merged across backends gets one per member that may take it) and
emits it on `requested`.  It never executes anything: the window forwards the
requests to the action service and the service's outcomes back to `show_outcome`,
which turns the row's "ACK PENDING" marker into "ACK QUEUED", a failure message,
or nothing once every request of the row has answered (done: the next poll shows
the result itself).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QDialog, QMenu

from noc_app.actions.model import (
    ActionKind,
    ActionOutcome,
    ActionRequest,
    IncidentKey,
    IncidentTimeline,
    OutcomeStatus,
)
from noc_app.actions.policy import Verdict
from noc_app.config.runbook_schema import RunbookConfig
from noc_app.display_text import tooltip_html, visible
from noc_app.model import Alert
from noc_app.widgets.action_dialogs import AckDialog, EscalateDialog, NoteDialog, fit_to_room, incident_words
from noc_app.widgets.board_rows import row_key
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.incident_history import IncidentHistoryDialog
from noc_app.widgets.incident_verdicts import (
    ActionSettings,
    MembersOf,
    confirm_target,
    group_verdict,
    incident_labels,
    row_targets,
    runbook_params,
    runbook_verdict,
    runbooks_for,
)
from noc_app.widgets.report_entry import (
    INCIDENT,
    INCIDENT_REPORT_TEXT,
    RUNNING_TEXT,
    ReportRunner,
    marker_text,
    report_incident,
    result_text,
)
from noc_app.widgets.runbook_dialog import RunbookDialog
from noc_app.widgets.state_style import severity_words

__all__ = ["ActionSettings", "BoardActions", "group_verdict", "menu_entry_text"]

MENU_TEXT = {
    ActionKind.ACK: "Acknowledge…", ActionKind.UNACK: "Un-acknowledge…", ActionKind.ESCALATE: "Escalate…",
    ActionKind.RESOLVE: "Resolve…", ActionKind.NOTE: "Add note…",
}
MENU_KEY = {ActionKind.ACK: "A", ActionKind.UNACK: "U", ActionKind.ESCALATE: "E", ActionKind.RESOLVE: "R",
            ActionKind.NOTE: "N"}
# Keys the controller takes itself (the board forwards A, U and N).
OWN_KEYS = {Qt.Key.Key_E: ActionKind.ESCALATE, Qt.Key.Key_R: ActionKind.RESOLVE}
MARKER_WORD = {ActionKind.ACK: "ACK", ActionKind.UNACK: "UNACK", ActionKind.NOTE: "NOTE",
               ActionKind.ESCALATE: "ESCALATE", ActionKind.RESOLVE: "RESOLVE", ActionKind.RUNBOOK: "RUNBOOK"}
MAX_MARKER_MESSAGE = 160
HISTORY_TEXT = "History…"
HISTORY_KEY = "H"
NO_HISTORY_REASON = "no state database"
RUNBOOK_MENU_TEXT = "Run runbook"
NO_RUNBOOK_REASON = "no runbook for this incident"


def menu_entry_text(verdict: Verdict) -> str:
    """'Acknowledge…\tA', or 'Acknowledge — the source is read-only\tA' when refused ('&' is no mnemonic)."""
    text = MENU_TEXT[verdict.kind]
    if not verdict.allowed:
        text = f"{text.rstrip('…')} — {visible(verdict.reason)}"
    return text.replace("&", "&&") + "\t" + MENU_KEY[verdict.kind]


def runbook_entry_text(runbook: RunbookConfig, verdict: Verdict) -> str:
    text = f"{runbook.title}…" if verdict.allowed else f"{runbook.title} — {verdict.reason}"
    return visible(text).replace("&", "&&")


def targets_detail(kind: ActionKind, group: tuple[Alert, ...], takers: tuple[Alert, ...],
                   members_of: MembersOf) -> str:
    """'Goes to am and pd' for a problem merged across backends, with who is left out; "" otherwise."""
    everyone = [m for alert in group for m in members_of(alert)]
    if len(everyone) == len(group):
        return ""
    taking = sorted({m.source_id for m in takers})
    left = sorted({m.source_id for m in everyone} - set(taking))
    text = f"Goes to {' and '.join(taking)}"
    return text + (f"; not to {', '.join(left)} (cannot {kind.value} there)" if left else "")


class BoardActions(QObject):
    """Menu, keys and dialogs of one board; emits `requested(ActionRequest)`."""

    requested = Signal(object)
    report_finished = Signal(str)  # a post-incident report's result, one plain line (the window's header shows it)

    def __init__(self, board: IncidentBoardBody, settings: ActionSettings, parent: QObject | None = None,
                 *, reports: ReportRunner | None = None) -> None:
        """reports: makes the "Post-incident report…" entry (None: no entry; modes without reports)."""
        super().__init__(parent)
        self.board = board
        self.settings = settings
        self.reports = reports
        self.menu: QMenu | None = None
        self.dialog: QDialog | None = None
        self._pending: dict[str, tuple[tuple[str, str], ActionKind]] = {}  # request id -> (row key, kind)
        self._failed: dict[tuple[str, str], str] = {}  # row key -> the failure shown while others still run
        board.set_selectable(True)
        board.action_key.connect(self.start)
        board.installEventFilter(self)
        if settings.context_menus:
            board.menu_requested.connect(self.open_menu)

    # -- menu ----------------------------------------------------------------------

    def verdicts(self) -> tuple[Verdict, ...]:
        group = self.board.selected_group()
        if group is None:
            return ()
        return tuple(group_verdict(kind, group, self.settings, self.board.members_of) for kind in MENU_TEXT)

    def runbook_verdicts(self) -> tuple[tuple[RunbookConfig, Verdict], ...]:
        """The runbooks the selected row's incident offers, each with the policy's verdict."""
        group = self.board.selected_group()
        if group is None:
            return ()
        labels = incident_labels(self.board.members_of(group[0]))
        return tuple((rb, runbook_verdict(rb, group, self.settings, self.board.members_of))
                     for rb in runbooks_for(self.settings.runbooks, labels))

    def open_menu(self, global_pos: QPoint) -> QMenu | None:
        """The selected row's menu: every action, refused ones disabled with the reason (text and tooltip)."""
        verdicts = self.verdicts()
        if not verdicts or self.dialog is not None:
            return None
        menu = QMenu(self.board)
        fit_to_room(menu, self.board.window())
        menu.setToolTipsVisible(True)
        for verdict in verdicts:
            action = QAction(menu_entry_text(verdict), menu)
            _set_verdict(action, verdict)
            action.setData(verdict.kind.value)
            action.triggered.connect(lambda _=False, kind=verdict.kind: self.start(kind))
            menu.addAction(action)
        self._add_runbook_menu(menu)
        menu.addSeparator()
        history = QAction(self._history_entry_text(), menu)
        history.setEnabled(self.settings.history_reader is not None)
        history.setData("history")
        history.triggered.connect(lambda _=False: self.open_history())
        menu.addAction(history)
        if self.reports is not None:
            report = QAction(INCIDENT_REPORT_TEXT, menu)
            report.setData("report")
            report.triggered.connect(lambda _=False: self.start_report())
            menu.addAction(report)
        menu.aboutToHide.connect(self._menu_closed)
        self.menu = menu
        self.board.set_held(True)
        menu.popup(global_pos)
        return menu

    def _add_runbook_menu(self, menu: QMenu) -> None:
        offered = self.runbook_verdicts()
        submenu = menu.addMenu(RUNBOOK_MENU_TEXT if offered else f"{RUNBOOK_MENU_TEXT} — {NO_RUNBOOK_REASON}")
        fit_to_room(submenu, self.board.window())
        submenu.setToolTipsVisible(True)
        submenu.menuAction().setData("runbook")
        submenu.setEnabled(bool(offered))
        for runbook, verdict in offered:
            action = QAction(runbook_entry_text(runbook, verdict), submenu)
            _set_verdict(action, verdict)
            action.setData(f"runbook:{runbook.id}")
            action.triggered.connect(lambda _=False, rid=runbook.id: self.start_runbook(rid))
            submenu.addAction(action)

    def _menu_closed(self) -> None:
        # Queued: a triggered entry opens its dialog first, and the dialog keeps the hold.
        QTimer.singleShot(0, self, self._release_if_idle)

    def _release_if_idle(self) -> None:
        if self.menu is not None and not self.menu.isVisible():
            self.menu.deleteLater()
            self.menu = None
        if self.menu is None and self.dialog is None:
            self.board.set_held(False)

    def _history_entry_text(self) -> str:
        text = HISTORY_TEXT if self.settings.history_reader is not None else f"History — {NO_HISTORY_REASON}"
        return f"{text}\t{HISTORY_KEY}"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """H opens the History view, E and R escalate and resolve (the board itself handles A, U and N)."""
        if (watched is self.board and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            if event.key() == Qt.Key.Key_H:
                return self.open_history() is not None or self.board.selected_group() is not None
            kind = OWN_KEYS.get(Qt.Key(event.key()))
            if kind is not None and self.board.selectable:
                return self.start(kind) is not None or self.board.selected_group() is not None
        return super().eventFilter(watched, event)

    # -- history -------------------------------------------------------------------

    def open_history(self) -> IncidentHistoryDialog | None:
        """The selected row's History view (every role may read it); its timelines arrive from the reader."""
        group = self.board.selected_group()
        reader = self.settings.history_reader
        if group is None or reader is None or self.dialog is not None:
            return None
        words = incident_words(group[0].name, severity_words(group[0].severity), len(group))
        incidents = [(IncidentKey(source_id=m.source_id, fingerprint=m.fingerprint),
                      f"{m.name} ({m.source_id}/{m.fingerprint})") for a in group for m in self.board.members_of(a)]
        dialog = IncidentHistoryDialog(words, incidents, parent=self.board.window())
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        self.board.set_held(True)
        dialog.open()
        for key, _ in incidents:
            reader(key, partial(self._show_timeline, dialog))
        return dialog

    def _show_timeline(self, dialog: IncidentHistoryDialog, timeline: IncidentTimeline) -> None:
        if dialog is self.dialog:  # closed meanwhile: drop it
            dialog.add_timeline(timeline)

    # -- reports -------------------------------------------------------------------

    def start_report(self) -> IncidentKey | None:
        """The selected row's post-incident report, made by the injected runner; its result marks the row."""
        group = self.board.selected_group()
        if group is None or self.reports is None:
            return None
        incident = report_incident(group, self.board.members_of)
        key = row_key(group)
        self.board.set_marker(key, RUNNING_TEXT)
        self.reports(INCIDENT, incident, partial(self._report_done, key))
        return incident

    def _report_done(self, key: tuple[str, str], ok: bool, text: str) -> None:
        self.board.set_marker(key, marker_text(ok, text, MAX_MARKER_MESSAGE))
        self.report_finished.emit(result_text("Post-incident report", ok, text))

    # -- dialogs -------------------------------------------------------------------

    def start(self, kind: ActionKind) -> QDialog | None:
        """A, U, E, R, N or a menu entry: open the dialog when the policy allows it for the selected row."""
        group = self.board.selected_group()
        if group is None or self.dialog is not None:
            return None
        verdict, takers = row_targets(kind, group, self.settings, self.board.members_of)
        if not verdict.allowed:
            return None
        words = incident_words(group[0].name, severity_words(group[0].severity), len(group))
        detail = targets_detail(kind, group, takers, self.board.members_of)
        parent = self.board.window()
        dialog: QDialog
        if kind is ActionKind.ACK:
            dialog = AckDialog(words, default_duration_s=self.settings.ack_duration_s, parent=parent)
        elif kind is ActionKind.UNACK:
            dialog = NoteDialog(words, title="Un-acknowledge", button="Un-acknowledge", required=False,
                                detail=detail, parent=parent)
        elif kind is ActionKind.ESCALATE:
            dialog = EscalateDialog(words, detail=detail, parent=parent)
        elif kind is ActionKind.RESOLVE:
            dialog = NoteDialog(words, title="Resolve", button="Resolve", required=True, detail=detail,
                                label="Why (required; goes into the audit and the incident's notes)", parent=parent)
        else:
            dialog = NoteDialog(words, detail=detail, parent=parent)
        dialog.accepted.connect(lambda: self._submit(kind, group, takers, dialog))
        return self._open(dialog)

    def start_runbook(self, runbook_id: str) -> RunbookDialog | None:
        """A "Run runbook" entry: the runbook's dialog, when the policy and its parameters allow it."""
        group = self.board.selected_group()
        runbook = next((rb for rb in self.settings.runbooks if rb.id == runbook_id), None)
        if group is None or runbook is None or self.dialog is not None:
            return None
        if not runbook_verdict(runbook, group, self.settings, self.board.members_of).allowed:
            return None
        members = self.board.members_of(group[0])
        labels = incident_labels(members)
        params = runbook_params(runbook, labels)
        words = incident_words(group[0].name, severity_words(group[0].severity), 1)
        target = confirm_target(runbook, labels, group[0].name)
        dialog = RunbookDialog(words, runbook_title=runbook.title, params=params, confirm_target=target,
                               parent=self.board.window())
        dialog.accepted.connect(lambda: self._submit_runbook(runbook, group, members[0], params, dialog))
        self._open(dialog)
        return dialog

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        self.board.set_held(True)
        dialog.open()
        return dialog

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
        self._release_if_idle()

    def _submit(self, kind: ActionKind, group: tuple[Alert, ...], takers: tuple[Alert, ...], dialog: QDialog) -> None:
        level: int | None = None
        if isinstance(dialog, AckDialog):
            choice = dialog.choice()
            comment, until_resolved, duration_s = choice.comment, choice.until_resolved, choice.duration_s
        else:
            comment = dialog.text() if isinstance(dialog, NoteDialog) else ""
            until_resolved, duration_s = True, None
            level = dialog.level() if isinstance(dialog, EscalateDialog) else None
        requests = [ActionRequest(
            kind=kind,
            incident=IncidentKey(source_id=alert.source_id, fingerprint=alert.fingerprint),
            operator=self.settings.operator,
            comment=comment,
            labels=alert.labels,
            until_resolved=until_resolved,
            duration_s=duration_s,
            escalation_level=level,
        ) for alert in takers]
        self._emit(row_key(group), kind, requests)

    def _submit_runbook(self, runbook: RunbookConfig, group: tuple[Alert, ...], target: Alert,
                        params: dict[str, str], dialog: RunbookDialog) -> None:
        request = ActionRequest(
            kind=ActionKind.RUNBOOK,
            incident=IncidentKey(source_id=target.source_id, fingerprint=target.fingerprint),
            operator=self.settings.operator,
            comment=dialog.text(),
            labels=target.labels,
            runbook=runbook.id,
            params=params,
        )
        self._emit(row_key(group), ActionKind.RUNBOOK, [request])

    def _emit(self, key: tuple[str, str], kind: ActionKind, requests: list[ActionRequest]) -> None:
        """Mark the row pending until every request has answered, then send them."""
        self._failed.pop(key, None)
        for request in requests:
            self._pending[request.request_id] = (key, kind)
        self.board.set_marker(key, f"{MARKER_WORD[kind]} PENDING")
        for request in requests:
            self.requested.emit(request)

    # -- outcomes ------------------------------------------------------------------

    def show_outcome(self, outcome: ActionOutcome) -> bool:
        """Update the marker of the row the request came from; False when it was not this board's."""
        found = self._pending.get(outcome.request_id)
        if found is None:
            return False
        key, kind = found
        word = MARKER_WORD[kind]
        if outcome.status is OutcomeStatus.QUEUED:
            if key not in self._failed:
                self.board.set_marker(key, f"{word} QUEUED")
            return True  # a later outcome (done, or given up) follows
        del self._pending[outcome.request_id]
        still_running = any(k == key for k, _ in self._pending.values())
        if outcome.status is not OutcomeStatus.DONE:
            message = " ".join(outcome.message.split())[:MAX_MARKER_MESSAGE] or outcome.status.value
            self._failed[key] = f"{word} FAILED: {message}"
            self.board.set_marker(key, self._failed[key])
        elif not still_running:  # a merged or folded row waits for all its requests
            # The re-poll shows the result itself; a failure of another request of the row stays shown.
            self.board.set_marker(key, self._failed.get(key, ""))
        if not still_running:
            self._failed.pop(key, None)
        return True

    @property
    def pending_count(self) -> int:
        return len(self._pending)


def _set_verdict(action: QAction, verdict: Verdict) -> None:
    """Enabled, or greyed with the policy's reason as its tooltip; always a tooltip Qt shows literally
    (without one Qt shows the entry's text, a runbook title from the config, guessing rich text)."""
    action.setEnabled(verdict.allowed)
    entry = action.text().split("\t")[0].replace("&&", "&")
    action.setToolTip(tooltip_html(verdict.reason if not verdict.allowed else entry))
