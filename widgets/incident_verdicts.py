"""What the board's menu offers for a row, and which backend incidents each action goes to.

Qt-free helpers of the board actions (widgets/incident_actions.py).  The policy
(noc_app.actions.policy) decides for one backend incident; these put its verdicts
together for a row:

- a problem merged across backends (noc_app.selectors_dedup) may take an action
  when at least one of its members may; the action then goes to exactly those
  members (an escalation never reaches an Alertmanager that cannot escalate);
- a row folding several alike alerts may take an action when each of them may;
- a runbook runs on one incident: its parameters come from the incident's labels.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from noc_app.actions.model import ActionKind, Operator
from noc_app.actions.policy import PolicyContext, Verdict, backend_support, decide
from noc_app.config.runbook_schema import RunbookConfig, matches, value_problem
from noc_app.config.runbook_schema import confirm_target as runbook_confirm_target
from noc_app.config.schema import Mode
from noc_app.model import Alert
from noc_app.widgets.incident_history import HistoryReader

MembersOf = Callable[[Alert], tuple[Alert, ...]]


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionSettings:
    """What the controller needs to ask the policy and build requests."""

    mode: Mode
    operator: Operator
    read_only_sources: Collection[str] = ()
    ack_duration_s: float = 7200.0
    context_menus: bool = True
    history_reader: HistoryReader | None = None  # None: the History entry is disabled
    source_kinds: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # id -> kind
    runbooks: tuple[RunbookConfig, ...] = ()


def member_verdict(kind: ActionKind, alert: Alert, settings: ActionSettings) -> Verdict:
    """The policy's verdict for one backend incident."""
    supports, backend_name = backend_support(settings.source_kinds.get(alert.source_id, ""))
    return decide(kind, PolicyContext(
        mode=settings.mode,
        role=settings.operator.role,
        operator=settings.operator.name,
        read_only=alert.source_id in settings.read_only_sources,
        state=alert.state,
        acknowledged_by=alert.acknowledged_by,
        supports=supports,
        backend_name=backend_name,
    ))


def incident_targets(kind: ActionKind, members: tuple[Alert, ...], settings: ActionSettings,
                     ) -> tuple[Verdict, tuple[Alert, ...]]:
    """The verdict for one shown incident and the members the action goes to.

    Allowed when at least one member allows it; refused with every member's reason otherwise.
    """
    verdicts = [member_verdict(kind, member, settings) for member in members]
    takers = tuple(m for m, v in zip(members, verdicts, strict=True) if v.allowed)
    if takers:
        return Verdict(kind=kind, allowed=True), takers
    reasons = list(dict.fromkeys(v.reason for v in verdicts))
    return Verdict(kind=kind, allowed=False, reason="; ".join(reasons)), ()


def row_targets(kind: ActionKind, group: tuple[Alert, ...], settings: ActionSettings,
                members_of: MembersOf = lambda a: (a,)) -> tuple[Verdict, tuple[Alert, ...]]:
    """The verdict for a painted row and every backend incident the action goes to.

    Allowed when allowed for every alert folded into the row, else the first refusal.
    """
    takers: list[Alert] = []
    for alert in group:
        verdict, members = incident_targets(kind, members_of(alert), settings)
        if not verdict.allowed:
            return verdict, ()
        takers.extend(members)
    return Verdict(kind=kind, allowed=True), tuple(takers)


def group_verdict(kind: ActionKind, group: tuple[Alert, ...], settings: ActionSettings,
                  members_of: MembersOf = lambda a: (a,)) -> Verdict:
    """The policy's verdict for a row (see row_targets)."""
    return row_targets(kind, group, settings, members_of)[0]


# -- runbooks ---------------------------------------------------------------------------


def runbooks_for(runbooks: tuple[RunbookConfig, ...], labels: Mapping[str, str]) -> tuple[RunbookConfig, ...]:
    """The configured runbooks whose `match` labels the incident has (the runbook layer decides: `matches`)."""
    return tuple(rb for rb in runbooks if matches(rb, labels))


def incident_labels(members: tuple[Alert, ...]) -> dict[str, str]:
    """The labels of a (merged) incident: the shown member's, then what the others add."""
    labels: dict[str, str] = {}
    for member in reversed(members):
        labels.update(member.labels)
    return labels


def runbook_params(runbook: RunbookConfig, labels: Mapping[str, str]) -> dict[str, str]:
    """The runbook's parameters filled from the incident's labels (each parameter names its label)."""
    return {name: labels[param.label] for name, param in runbook.params.items() if param.label in labels}


def confirm_target(runbook: RunbookConfig, labels: Mapping[str, str], name: str) -> str:
    """What the operator types to confirm ("" when the runbook asks for no confirmation): the runbook layer's rule."""
    del name  # the runbook's `confirm` says what is typed: its id or a parameter's value
    return runbook_confirm_target(runbook, runbook_params(runbook, labels)) or ""


def runbook_verdict(runbook: RunbookConfig, group: tuple[Alert, ...], settings: ActionSettings,
                    members_of: MembersOf = lambda a: (a,)) -> Verdict:
    """May this row run `runbook`: the policy, one incident, and every parameter found and allowed."""
    kind = ActionKind.RUNBOOK
    if len(group) != 1:
        return Verdict(kind=kind, allowed=False, reason=f"a runbook runs on one incident; this row folds {len(group)}")
    members = members_of(group[0])
    verdict = member_verdict(kind, members[0], settings)
    if not verdict.allowed:
        return verdict
    labels = incident_labels(members)
    for name, param in runbook.params.items():
        value = labels.get(param.label)
        if value is None:
            return Verdict(kind=kind, allowed=False, reason=f"the incident has no label {param.label!r}")
        problem = value_problem(param, value, for_argv=bool(runbook.argv))
        if problem is not None:
            return Verdict(kind=kind, allowed=False, reason=f"{name}: the value {problem}")
    return Verdict(kind=kind, allowed=True)
