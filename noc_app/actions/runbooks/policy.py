"""Who may run which runbook on which incident, and when: pure functions with table tests.

    role_problem(runbook, role, automatic)      viewer < operator < lead; automation needs `auto: true`
    match_problem(runbook, labels)              every `match` label equal
    rate_problem(runbook, run_times, now)       cooldown since the last run, max runs in the last hour
    confirm_target(runbook, values)             what the operator must type (None: nothing; in config.runbook_schema
                                                for the board)
    confirm_problem(runbook, values, typed)     whether what they typed is that
    runbooks_for(incident, config)              the runbooks that apply to an incident (automation, board)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from noc_app.actions.model import Role
from noc_app.config.runbook_schema import (
    RUNBOOK_ROLES,
    RunbookConfig,
    applicable_runbooks,
    confirm_target,
    matches,
)
from noc_app.config.schema import AppConfig
from noc_app.model import Alert

HOUR_S = 3600.0


def role_problem(runbook: RunbookConfig, role: Role, *, automatic: bool = False, chained: bool = False) -> str | None:
    """Why this operator (or the automation) may not run it; chained: a declared rollback or undo."""
    if automatic:
        if runbook.auto or chained:
            return None
        return f"runbook {runbook.id!r} is not for the automation (auto: false)"
    if RUNBOOK_ROLES.index(role.value) < RUNBOOK_ROLES.index(runbook.role):
        return f"runbook {runbook.id!r} needs the {runbook.role} role; you are {role.value}"
    return None


def match_problem(runbook: RunbookConfig, labels: Mapping[str, str]) -> str | None:
    if matches(runbook, labels):
        return None
    wanted = ", ".join(f"{k}={v}" for k, v in runbook.match.items())
    return f"runbook {runbook.id!r} does not apply to this incident (it needs {wanted})"


def rate_problem(runbook: RunbookConfig, run_times: Sequence[float], now: float) -> str | None:
    """Cooldown since the latest run, then the hourly cap; run_times are earlier runs (epoch seconds)."""
    if run_times:
        last = max(run_times)
        wait = last + runbook.cooldown_s - now
        if wait > 0:
            return f"runbook {runbook.id!r} is cooling down: it ran {now - last:.0f} s ago; again in {wait:.0f} s"
    recent = [t for t in run_times if now - HOUR_S < t <= now]
    if len(recent) >= runbook.max_runs_per_hour:
        return (f"runbook {runbook.id!r} ran {len(recent)} times in the last hour; "
                f"at most {runbook.max_runs_per_hour} (max_runs_per_hour)")
    return None


def confirm_problem(runbook: RunbookConfig, values: Mapping[str, str], typed: str | None) -> str | None:
    target = confirm_target(runbook, values)
    if target is None or typed == target:
        return None
    if not typed:
        return f"runbook {runbook.id!r} needs confirmation: type {target!r} (--confirm {target})"
    return f"the confirmation does not match: type {target!r} exactly"


def runbooks_for(incident: Alert, config: AppConfig, *, automatic: bool = False) -> tuple[RunbookConfig, ...]:
    """The runbooks whose `match` the incident satisfies (config order); automatic: only `auto: true` ones."""
    found = applicable_runbooks(config, incident)
    return tuple(r for r in found if r.auto) if automatic else found


def chained_ids(config: AppConfig) -> frozenset[str]:
    """Runbooks another runbook names as its rollback or undo: the automation may run those."""
    names = {r.rollback for r in config.actions.runbooks if r.rollback}
    names |= {r.undo.runbook for r in config.actions.runbooks if r.undo is not None}
    return frozenset(names)


def find_runbook(config: AppConfig, runbook_id: str) -> RunbookConfig | None:
    return next((r for r in config.actions.runbooks if r.id == runbook_id), None)
