"""Building RUNBOOK requests (the board, the CLI, the automation) and the follow-ups a run leaves behind.

    runbook_request(...)      an operator's or the automation's run, params resolved and validated
    verify_request(...)       VERIFY: is the runbook's query true yet (due shortly after the run)
    undo_request(...)         the `undo_after` runbook, due after its delay
    escalate_request(...)     ESCALATE when the verification failed (automatic)
    rollback_request(...)     the `rollback` runbook when the verification failed (automatic)
"""

from __future__ import annotations

from collections.abc import Mapping

from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator
from noc_app.actions.runbooks.params import resolve_params
from noc_app.config.runbook_schema import RunbookConfig
from noc_app.model import Alert


def runbook_request(
    runbook: RunbookConfig,
    incident: IncidentKey,
    labels: Mapping[str, str],
    operator: Operator,
    comment: str,
    given: Mapping[str, str] | None = None,
    *,
    automatic: bool = False,
) -> ActionRequest:
    """A RUNBOOK request with every parameter resolved (operator's value, else the label) and validated.

    Raises InvalidRequest (a bad or missing value, an empty comment).
    """
    values = resolve_params(runbook, labels, given or {})
    return ActionRequest(kind=ActionKind.RUNBOOK, incident=incident, operator=operator, comment=comment,
                         labels=labels, runbook=runbook.id, params=values, automatic=automatic)


def automation_request(runbook: RunbookConfig, alert: Alert, operator: Operator, comment: str) -> ActionRequest:
    """What the room's automation submits for an `auto: true` runbook on a triggered incident."""
    return runbook_request(runbook, IncidentKey(source_id=alert.source_id, fingerprint=alert.fingerprint),
                           alert.labels, operator, comment, automatic=True)


def verify_request(run: ActionRequest, runbook: RunbookConfig, *, at: float) -> ActionRequest:
    assert runbook.verify is not None
    return ActionRequest(
        kind=ActionKind.VERIFY, incident=run.incident, operator=run.operator, labels=run.labels,
        runbook=runbook.id, params=run.params, automatic=True, requested_at=at,
        comment=(f"verify runbook {runbook.id} (run {run.request_id}): {runbook.verify.query} "
                 f"within {runbook.verify.within_s:g} s"),
    )


def chained_request(
    run: ActionRequest, target: RunbookConfig, why: str, *, at: float
) -> ActionRequest:
    """A follow-up RUNBOOK (undo, rollback): the incident's labels, and this run's values where names agree."""
    given = {name: value for name, value in run.params.items() if name in target.params}
    values = resolve_params(target, run.labels, given)
    return ActionRequest(kind=ActionKind.RUNBOOK, incident=run.incident, operator=run.operator, labels=run.labels,
                         runbook=target.id, params=values, automatic=True, requested_at=at, comment=why)


def escalate_request(verify: ActionRequest, reason: str, *, at: float) -> ActionRequest:
    return ActionRequest(kind=ActionKind.ESCALATE, incident=verify.incident, operator=verify.operator,
                         labels=verify.labels, automatic=True, requested_at=at, comment=reason)
