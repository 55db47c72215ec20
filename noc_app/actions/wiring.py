"""From a validated config to the action backends, and from an outcome to a CLI exit code.

Helpers for the composition root and the CLI (neither is wired yet): they build
nothing at import time.
"""

from __future__ import annotations

from collections.abc import Mapping

from noc_app.actions.backends.alertmanager import AlertmanagerBackend
from noc_app.actions.execute import ActionBackend
from noc_app.actions.model import ActionOutcome, OutcomeStatus
from noc_app.config.schema import AppConfig

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


def action_backends(config: AppConfig) -> Mapping[str, ActionBackend]:
    """One backend per writable incident source (read_only sources get none: nothing is sent there).

    Clients are created lazily, on the first action; call each backend's close() at shutdown.
    """
    backends: dict[str, ActionBackend] = {}
    for source in config.sources:
        if source.read_only:
            continue
        if source.kind == "alertmanager":
            backends[source.id] = AlertmanagerBackend(source, default_duration_s=config.actions.ack_duration_s)
    return backends
