"""Reports from the operator UI: the board's "Post-incident report…" entry and the handover key.

The window gets a `ReportRunner` from the composition root (noc_app.reports.ui_runner: it runs
the report in a worker and calls back on the GUI thread); widgets never import the reports.
Results are plain text: on the row as a marker (like an action's outcome) and in full in the
header's report line, so a long path is readable.
"""

from __future__ import annotations

from collections.abc import Callable

from noc_app.actions.model import IncidentKey
from noc_app.model import Alert

ReportDone = Callable[[bool, str], None]  # (written?, the PDF's path or the error)
ReportRunner = Callable[[str, IncidentKey | None, ReportDone], None]  # (kind, incident, deliver)

INCIDENT, HANDOVER = "incident", "handover"
INCIDENT_REPORT_TEXT = "Post-incident report…"
HANDOVER_REPORT_TEXT = "Shift handover report (last 8 h)…"
HANDOVER_KEY = "Ctrl+Shift+H"
RUNNING_TEXT = "REPORT RUNNING"
MAX_STATUS_CHARS = 400


def report_incident(group: tuple[Alert, ...], members_of: Callable[[Alert], tuple[Alert, ...]]) -> IncidentKey:
    """The backend incident a row's report is about: the first member of its first alert."""
    members = members_of(group[0]) or (group[0],)
    return IncidentKey(source_id=members[0].source_id, fingerprint=members[0].fingerprint)


def result_text(what: str, ok: bool, text: str) -> str:
    """'Post-incident report written: /path.pdf (+ 3 files beside it)' or '… failed: why' (one line)."""
    line = " ".join(text.split())[:MAX_STATUS_CHARS]
    return f"{what} {'written' if ok else 'failed'}: {line}"


def marker_text(ok: bool, text: str, limit: int) -> str:
    line = " ".join(text.split())[:limit]
    return f"REPORT {'WRITTEN' if ok else 'FAILED'}: {line}"
