"""Pure helpers between what the poller saw and what the action service does with it.

- `complete_alert_labels`: the alert label sets of a snapshot, or None when the
  snapshot may be missing alerts.  Ack-until-resolved expires an ack whose alert
  is absent from the list, so only a list that is known to be whole may be used:
  every peer answered, no record was dropped, no section failed, nothing hidden.
- `policy_context`: the PolicyContext of one request, from the mode, the source's
  read_only flag and the incident as the latest snapshot shows it.
"""

from __future__ import annotations

from collections.abc import Mapping

from noc_app.actions.model import ActionRequest
from noc_app.actions.policy import PolicyContext, backend_support
from noc_app.actions.raised import RAISED_SOURCE_ID
from noc_app.config.schema import AppConfig, Mode
from noc_app.model import Alert, AlertState, Snapshot


def complete_alert_labels(snapshot: Snapshot, *, hides_alerts: bool = False) -> tuple[Mapping[str, str], ...] | None:
    """Labels of every alert in the snapshot, or None when the list may be incomplete.

    hides_alerts: the source drops some alerts on purpose (a dead man's switch kept off the board).
    """
    if snapshot.alerts is None or hides_alerts:
        return None
    if snapshot.errors or snapshot.degraded or any(snapshot.notes.values()):
        return None  # a peer did not answer, a record was dropped, a redirect was noted: not whole
    return tuple(alert.labels for alert in snapshot.alerts)


def find_alert(snapshot: Snapshot | None, fingerprint: str) -> Alert | None:
    if snapshot is None or snapshot.alerts is None:
        return None
    return next((a for a in snapshot.alerts if a.fingerprint == fingerprint), None)


def policy_context(
    config: AppConfig,
    request: ActionRequest,
    alert: Alert | None,
    *,
    mode: Mode | None = None,
    acknowledged_by: str | None = None,
) -> PolicyContext:
    """What the policy needs to judge `request`.

    An incident the snapshot does not hold counts as resolved (it cannot be acked;
    notes stay allowed).  `acknowledged_by` overrides the snapshot's word (the CLI
    asks the backend itself).
    """
    source = next((s for s in config.sources if s.id == request.incident.source_id), None)
    # Raised incidents kept in the state database (no Alertmanager) take acks there.
    raised_here = source is None and request.incident.source_id == RAISED_SOURCE_ID
    state = alert.state if alert is not None else AlertState.RESOLVED
    holder = acknowledged_by if acknowledged_by is not None else (alert.acknowledged_by if alert else "")
    if acknowledged_by is not None and state in (AlertState.ACKNOWLEDGED, AlertState.SILENCED) and not holder:
        state = AlertState.SILENCED  # the backend says no app ack is in force
    elif holder and state is not AlertState.RESOLVED:
        state = AlertState.ACKNOWLEDGED
    supports, backend_name = backend_support(source.kind if source is not None else "")
    return PolicyContext(
        supports=supports,
        backend_name=backend_name,
        mode=mode or config.mode,
        role=request.operator.role,
        operator=request.operator.name,
        read_only=source.read_only if source is not None else not raised_here,
        state=state,
        acknowledged_by=holder,
    )

