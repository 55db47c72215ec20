"""Which actions an operator may take on an incident, and why not: a pure function.

Inputs are plain values (mode, role, the source's read_only flag, the incident's
state and who acknowledged it) so the board can grey out a menu entry with the
reason as its tooltip, and the service can refuse the same request with the same
words.  Rules, in order (the first that applies decides):

1. the mode must allow acting (wall and kiosk never act: see noc_app.modes);
2. viewers never act;
3. a read-only source takes no writes; notes stay allowed (there they are kept in the
   journal only; a writable Alertmanager also appends them to the ack's comment);
4. the incident's backend must support the kind (`supports`; Alertmanager cannot
   escalate or resolve natively); notes are always kept in the journal;
5. per kind: ack needs an unresolved, unacknowledged incident; unack needs an
   acknowledged one, and only its acknowledger or a lead may take it back;
   escalate, resolve and runbooks need an unresolved incident (a runbook's own
   role and confirmation rules are checked by the runbook layer);
   a note is always allowed (resolved incidents keep a history too).
"""

from __future__ import annotations

from dataclasses import dataclass

from noc_app.actions.errors import NotPermitted
from noc_app.actions.model import ActionKind, Role
from noc_app.config.schema import Mode
from noc_app.model import AlertState
from noc_app.modes import capabilities

# Kinds that change the backend; the others live in the state database only.
BACKEND_KINDS = frozenset({ActionKind.ACK, ActionKind.UNACK, ActionKind.ESCALATE, ActionKind.RESOLVE})
# What an Alertmanager (and a backend that does not say) supports.
DEFAULT_SUPPORTS = frozenset({ActionKind.ACK, ActionKind.UNACK, ActionKind.NOTE})
_INCIDENT_SYSTEM = frozenset(ActionKind) - {ActionKind.RUNBOOK}
# Source kind -> (what its backend can do natively, its name in a refusal).
BACKEND_SUPPORT: dict[str, tuple[frozenset[ActionKind], str]] = {
    "alertmanager": (DEFAULT_SUPPORTS, "Alertmanager"),
    "pagerduty": (_INCIDENT_SYSTEM - {ActionKind.UNACK}, "PagerDuty"),  # PagerDuty has no un-acknowledge
    "opsgenie": (frozenset({ActionKind.ACK, ActionKind.UNACK, ActionKind.NOTE, ActionKind.ESCALATE,
                            ActionKind.RESOLVE}), "Opsgenie"),  # resolve = close
}


def backend_support(source_kind: str) -> tuple[frozenset[ActionKind], str]:
    """What a source kind's backend supports; unknown kinds (the state database, the demo): ack/unack/note."""
    return BACKEND_SUPPORT.get(source_kind, (DEFAULT_SUPPORTS, f"a {source_kind or 'local'} source"))


@dataclass(frozen=True, kw_only=True, slots=True)
class PolicyContext:
    mode: Mode
    role: Role
    operator: str  # the acting operator's name
    read_only: bool  # the incident's source is configured read_only
    state: AlertState
    acknowledged_by: str = ""  # who holds the ack ("" when nobody)
    supports: frozenset[ActionKind] = DEFAULT_SUPPORTS  # what the incident's backend can do
    backend_name: str = "this backend"  # for the reason ("Alertmanager cannot resolve")


@dataclass(frozen=True, kw_only=True, slots=True)
class Verdict:
    kind: ActionKind
    allowed: bool
    reason: str = ""  # why not (empty when allowed)


def decide(kind: ActionKind, ctx: PolicyContext) -> Verdict:
    """May `ctx.operator` do `kind` here?  Pure: same inputs, same verdict."""
    if not capabilities(ctx.mode).act:
        return _no(kind, f"{ctx.mode.value} mode has no actions")
    if kind is ActionKind.NOTIFY:
        return _no(kind, "notifications are sent by the room's automation, not by hand")
    if ctx.role is Role.VIEWER:
        return _no(kind, "viewers cannot act on incidents")
    if ctx.read_only and kind in BACKEND_KINDS | {ActionKind.RUNBOOK, ActionKind.VERIFY}:
        return _no(kind, "the source is read-only")
    if kind in BACKEND_KINDS and kind not in ctx.supports:
        return _no(kind, f"{ctx.backend_name} cannot {kind.value}")
    acked = bool(ctx.acknowledged_by) or ctx.state is AlertState.ACKNOWLEDGED
    if kind is ActionKind.ACK:
        if ctx.state is AlertState.RESOLVED:
            return _no(kind, "the incident is resolved")
        if acked:
            by = f" by {ctx.acknowledged_by}" if ctx.acknowledged_by else ""
            return _no(kind, f"already acknowledged{by}")
        return Verdict(kind=kind, allowed=True)
    if kind is ActionKind.UNACK:
        if not acked:
            return _no(kind, "the incident is not acknowledged")
        if ctx.acknowledged_by and ctx.acknowledged_by != ctx.operator and ctx.role is not Role.LEAD:
            return _no(kind, f"acknowledged by {ctx.acknowledged_by}; only they or a lead may take it back")
        return Verdict(kind=kind, allowed=True)
    if kind in (ActionKind.ESCALATE, ActionKind.RESOLVE, ActionKind.RUNBOOK) and ctx.state is AlertState.RESOLVED:
        return _no(kind, "the incident is resolved")
    return Verdict(kind=kind, allowed=True)  # NOTE, and ESCALATE/RESOLVE/RUNBOOK on an open incident


def allowed_actions(ctx: PolicyContext) -> tuple[Verdict, ...]:
    """A verdict for every ActionKind, in declaration order (what a context menu lists)."""
    return tuple(decide(kind, ctx) for kind in ActionKind)


def require(kind: ActionKind, ctx: PolicyContext) -> None:
    """Raise NotPermitted with the reason when `decide` says no."""
    verdict = decide(kind, ctx)
    if not verdict.allowed:
        raise NotPermitted(f"{kind.value}: {verdict.reason}")


def _no(kind: ActionKind, reason: str) -> Verdict:
    return Verdict(kind=kind, allowed=False, reason=reason)
