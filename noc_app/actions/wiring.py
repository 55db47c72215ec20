"""From a validated config to the action backends, and from an outcome to a CLI exit code.

Helpers for the composition root and the CLI: they build nothing at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from noc_app.actions.backends.alertmanager import AlertmanagerBackend
from noc_app.actions.backends.state_raised import StateBackend, StateIncidentSink
from noc_app.actions.errors import NotPermitted
from noc_app.actions.execute import ActionBackend
from noc_app.actions.identity import current_operator
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, Operator, OutcomeStatus
from noc_app.actions.policy import PolicyContext
from noc_app.actions.raised import RAISED_SOURCE_ID, IncidentSink
from noc_app.actions.upkeep import find_alert, policy_context
from noc_app.config.schema import AppConfig, SourceConfig
from noc_app.config.secrets import resolve_secret
from noc_app.model import Snapshot
from noc_app.state.journal import Journal
from noc_app.state.open import open_journal

EXIT_DONE = 0  # the backend confirmed
EXIT_REFUSED = 2  # refused by policy, invalid, or rejected by the backend
EXIT_QUEUED = 3  # in the outbox: the backend is unreachable for now
EXIT_FAILED = 1  # an unexpected failure (see the message)

_EXIT = {
    OutcomeStatus.DONE: EXIT_DONE,
    OutcomeStatus.REJECTED: EXIT_REFUSED,
    OutcomeStatus.QUEUED: EXIT_QUEUED,
    OutcomeStatus.FAILED: EXIT_FAILED,
}


def exit_code(outcome: ActionOutcome) -> int:
    return _EXIT[outcome.status]


# Labels that name a problem, not its current shape: an ack survives a severity change.
DEFAULT_ACK_LABELS = ("alertname", "service", "instance")


def action_backends(config: AppConfig) -> Mapping[str, ActionBackend]:
    """One backend per writable incident source (read_only sources get none: nothing is sent there).

    Clients are created lazily, on the first action; call each backend's close() at shutdown.
    """
    backends: dict[str, ActionBackend] = {}
    for source in config.sources:
        if source.read_only:
            continue
        if source.kind == "alertmanager":
            backends[source.id] = AlertmanagerBackend(
                source, default_duration_s=config.actions.ack_duration_s,
                ack_label_names=config.actions.ack_labels or DEFAULT_ACK_LABELS,
            )
        elif source.kind == "pagerduty":
            from noc_app.actions.backends.pagerduty import PagerDutyBackend

            backends[source.id] = PagerDutyBackend(source)
        elif source.kind == "opsgenie":
            from noc_app.actions.backends.opsgenie import OpsgenieBackend

            backends[source.id] = OpsgenieBackend(source)
    return backends


def open_state(config: AppConfig) -> Journal:
    """The config's state database; a PostgreSQL password is resolved from its reference here.

    Raises SecretUnavailable, StateUrlError, ImportError (no psycopg) or the driver's error.
    """
    password = None
    if config.state.password is not None:
        password = resolve_secret(config.state.password, where="state.password", spaces_allowed=True)
    return open_journal(config.state.url, password=password)


def upkeep_sources(config: AppConfig) -> Mapping[str, bool]:
    """Writable Alertmanager sources whose acks the app keeps until resolved -> whether they hide alerts.

    A source with a dead man's switch kept off the board drops that alert from its
    snapshots; its list is never whole, so the service does no upkeep from it.
    """
    return {
        s.id: bool(s.deadman_alert) and not bool(s.options.get("deadman_visible", False))
        for s in config.sources
        if s.kind == "alertmanager" and not s.read_only
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionParts:
    """What acting needs, built from one config: who acts, where it is journalled, where it is sent."""

    operator: Operator
    journal: Journal
    backends: Mapping[str, ActionBackend]

    def close(self) -> None:
        for backend in self.backends.values():
            close = getattr(backend, "close", None)
            if close is not None:
                close()
        self.journal.close()


def build_parts(config: AppConfig, *, claimed_name: str | None = None) -> ActionParts:
    """Operator identity, the state database and the backends (raises when the database cannot be opened).

    Without a writable Alertmanager, raised incidents live in the state database: their backend is added.
    """
    operator = current_operator(config.operator, claimed_name=claimed_name)
    journal = open_state(config)
    backends = dict(action_backends(config))
    if raised_in_state(config):
        backends[RAISED_SOURCE_ID] = StateBackend(journal)
    if config.notifications.channels:  # queued notifications: any process of the room may deliver them
        from noc_app.actions.notify.backend import NotificationBackend
        from noc_app.actions.notify.messages import NOTIFY_SOURCE_ID

        backends[NOTIFY_SOURCE_ID] = NotificationBackend(config.notifications)
    if config.actions.runbooks:
        from noc_app.actions.runbooks.backend import RUNBOOK_BACKEND, RunbookBackend

        backends[RUNBOOK_BACKEND] = RunbookBackend(config, journal)
    return ActionParts(operator=operator, journal=journal, backends=backends)


def raised_in_state(config: AppConfig) -> bool:
    """Whether raised incidents live in the state database (no writable Alertmanager; the id is free)."""
    return _raised_alertmanager(config) is None and RAISED_SOURCE_ID not in {s.id for s in config.sources}


def raised_sink(config: AppConfig, journal: Journal) -> IncidentSink:
    """Where the app's own incidents go: the first writable Alertmanager, else the state database."""
    source = _raised_alertmanager(config)
    if source is not None:
        from noc_app.actions.backends.alertmanager_alerts import AlertmanagerAlertSink

        return AlertmanagerAlertSink(source)
    return StateIncidentSink(journal)


def _raised_alertmanager(config: AppConfig) -> SourceConfig | None:
    return next((s for s in config.sources if s.kind == "alertmanager" and not s.read_only), None)


def store_policy(
    config: AppConfig, snapshot_of: Callable[[str], Snapshot | None]
) -> Callable[[ActionRequest], PolicyContext]:
    """The policy context of a request, from the config and the latest snapshot of its source."""
    def policy_for(request: ActionRequest) -> PolicyContext:
        alert = find_alert(snapshot_of(request.incident.source_id), request.incident.fingerprint)
        return policy_context(config, request, alert)

    return policy_for


class NoBackend:
    """Stands in for a source with no action backend (read-only, or not an incident system): notes only."""

    def __init__(self, source_id: str) -> None:
        self._source_id = source_id

    def perform(self, request: ActionRequest) -> ActionOutcome:
        if request.kind is ActionKind.NOTE:  # notes live in the journal: no backend needed
            return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE, message="note recorded")
        raise NotPermitted(f"source {self._source_id!r} takes no actions from this app (read-only or not writable)")
