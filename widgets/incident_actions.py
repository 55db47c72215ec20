"""BoardActions: the operator's actions on one incident board (operator mode only).

The board draws and selects; `noc_app.actions.policy` decides what is allowed;
this controller joins them: it lists the policy's verdicts in a context menu
(refused entries disabled, with the policy's reason in their text), opens the
ack / note dialog for A, U, N or a menu entry, the History view for H or
"History…" (read through the injected `history_reader`: no database here), builds one `ActionRequest` per
alert of the selected row and emits it on `requested`.  It never executes
anything: the window forwards the requests to the action service and the
service's outcomes back to `show_outcome`, which turns the row's "ACK PENDING"
marker into "ACK QUEUED", a failure message, or nothing (done: the next poll
shows the acknowledgement itself).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
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
    Operator,
    OutcomeStatus,
)
from noc_app.actions.policy import PolicyContext, Verdict, decide
from noc_app.config.schema import Mode
from noc_app.display_text import visible
from noc_app.model import Alert
from noc_app.widgets.action_dialogs import AckDialog, NoteDialog, incident_words
from noc_app.widgets.board_rows import row_key
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.incident_history import HistoryReader, IncidentHistoryDialog
from noc_app.widgets.state_style import severity_words

MENU_TEXT = {ActionKind.ACK: "Acknowledge…", ActionKind.UNACK: "Un-acknowledge…", ActionKind.NOTE: "Add note…"}
MENU_KEY = {ActionKind.ACK: "A", ActionKind.UNACK: "U", ActionKind.NOTE: "N"}
MARKER_WORD = {ActionKind.ACK: "ACK", ActionKind.UNACK: "UNACK", ActionKind.NOTE: "NOTE"}
MAX_MARKER_MESSAGE = 160
HISTORY_TEXT = "History…"
HISTORY_KEY = "H"
NO_HISTORY_REASON = "no state database"


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionSettings:
    """What the controller needs to ask the policy and build requests."""

    mode: Mode
    operator: Operator
    read_only_sources: Collection[str] = ()
    ack_duration_s: float = 7200.0
    context_menus: bool = True
    history_reader: HistoryReader | None = None  # None: the History entry is disabled


def group_verdict(kind: ActionKind, group: tuple[Alert, ...], settings: ActionSettings) -> Verdict:
    """The policy's verdict for a row: allowed when allowed for every alert in it, else the first refusal."""
    for alert in group:
        verdict = decide(kind, PolicyContext(
            mode=settings.mode,
            role=settings.operator.role,
            operator=settings.operator.name,
            read_only=alert.source_id in settings.read_only_sources,
            state=alert.state,
            acknowledged_by=alert.acknowledged_by,
        ))
        if not verdict.allowed:
            return verdict
    return Verdict(kind=kind, allowed=True)


def menu_entry_text(verdict: Verdict) -> str:
    """'Acknowledge…\\tA', or 'Acknowledge — the source is read-only\\tA' when refused ('&' is no mnemonic)."""
    text = MENU_TEXT[verdict.kind]
    if not verdict.allowed:
        text = f"{text.rstrip('…')} — {visible(verdict.reason)}"
    return text.replace("&", "&&") + "\t" + MENU_KEY[verdict.kind]


class BoardActions(QObject):
    """Menu, keys and dialogs of one board; emits `requested(ActionRequest)`."""

    requested = Signal(object)

    def __init__(self, board: IncidentBoardBody, settings: ActionSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.board = board
        self.settings = settings
        self.menu: QMenu | None = None
        self.dialog: QDialog | None = None
        self._pending: dict[str, tuple[tuple[str, str], ActionKind]] = {}  # request id -> (row key, kind)
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
        return tuple(group_verdict(kind, group, self.settings) for kind in MENU_TEXT)

    def open_menu(self, global_pos: QPoint) -> QMenu | None:
        """The selected row's menu: every action, refused ones disabled with the reason."""
        verdicts = self.verdicts()
        if not verdicts or self.dialog is not None:
            return None
        menu = QMenu(self.board)
        for verdict in verdicts:
            action = QAction(menu_entry_text(verdict), menu)
            action.setEnabled(verdict.allowed)
            action.setData(verdict.kind.value)
            action.triggered.connect(lambda _=False, kind=verdict.kind: self.start(kind))
            menu.addAction(action)
        menu.addSeparator()
        history = QAction(self._history_entry_text(), menu)
        history.setEnabled(self.settings.history_reader is not None)
        history.setData("history")
        history.triggered.connect(lambda _=False: self.open_history())
        menu.addAction(history)
        menu.aboutToHide.connect(self._menu_closed)
        self.menu = menu
        self.board.set_held(True)
        menu.popup(global_pos)
        return menu

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
        """H on the board opens the History view (the board itself handles A, U and N)."""
        if (watched is self.board and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_H and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            return self.open_history() is not None or self.board.selected_group() is not None
        return super().eventFilter(watched, event)

    # -- history -------------------------------------------------------------------

    def open_history(self) -> IncidentHistoryDialog | None:
        """The selected row's History view (every role may read it); its timelines arrive from the reader."""
        group = self.board.selected_group()
        reader = self.settings.history_reader
        if group is None or reader is None or self.dialog is not None:
            return None
        words = incident_words(group[0].name, severity_words(group[0].severity), len(group))
        incidents = [(IncidentKey(source_id=a.source_id, fingerprint=a.fingerprint),
                      f"{a.name} ({a.source_id}/{a.fingerprint})") for a in group]
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

    # -- dialogs -------------------------------------------------------------------

    def start(self, kind: ActionKind) -> QDialog | None:
        """A, U, N or a menu entry: open the dialog when the policy allows it for the selected row."""
        group = self.board.selected_group()
        if group is None or self.dialog is not None or not group_verdict(kind, group, self.settings).allowed:
            return None
        words = incident_words(group[0].name, severity_words(group[0].severity), len(group))
        dialog: QDialog
        if kind is ActionKind.ACK:
            dialog = AckDialog(words, default_duration_s=self.settings.ack_duration_s, parent=self.board.window())
        elif kind is ActionKind.UNACK:
            dialog = NoteDialog(words, title="Un-acknowledge", button="Un-acknowledge", required=False,
                                parent=self.board.window())
        else:
            dialog = NoteDialog(words, parent=self.board.window())
        dialog.accepted.connect(lambda: self._submit(kind, group, dialog))
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

    def _submit(self, kind: ActionKind, group: tuple[Alert, ...], dialog: QDialog) -> None:
        if isinstance(dialog, AckDialog):
            choice = dialog.choice()
            comment, until_resolved, duration_s = choice.comment, choice.until_resolved, choice.duration_s
        else:
            comment = dialog.text() if isinstance(dialog, NoteDialog) else ""
            until_resolved, duration_s = True, None
        key = row_key(group)
        for alert in group:
            request = ActionRequest(
                kind=kind,
                incident=IncidentKey(source_id=alert.source_id, fingerprint=alert.fingerprint),
                operator=self.settings.operator,
                comment=comment,
                labels=alert.labels,
                until_resolved=until_resolved,
                duration_s=duration_s,
            )
            self._pending[request.request_id] = (key, kind)
            self.board.set_marker(key, f"{MARKER_WORD[kind]} PENDING")
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
            self.board.set_marker(key, f"{word} QUEUED")
            return True  # a later outcome (done, or given up) follows
        del self._pending[outcome.request_id]
        if outcome.status is OutcomeStatus.DONE:
            if not any(k == key for k, _ in self._pending.values()):  # a folded row waits for all its alerts
                self.board.set_marker(key, "")  # the re-poll shows the acknowledgement itself
        else:
            message = " ".join(outcome.message.split())[:MAX_MARKER_MESSAGE] or outcome.status.value
            self.board.set_marker(key, f"{word} FAILED: {message}")
        return True

    @property
    def pending_count(self) -> int:
        return len(self._pending)
