"""The pure runbook rules, as tables: role, match, cooldown and hourly cap, confirmation, applicability."""

from __future__ import annotations

import pytest
from runbook_helpers import config_with

from noc_app.actions.model import Role
from noc_app.actions.runbooks.policy import (
    confirm_problem,
    confirm_target,
    match_problem,
    rate_problem,
    role_problem,
    runbooks_for,
)
from noc_app.config.runbook_schema import RunbookConfig, applicable_runbooks
from noc_app.model import Alert, AlertState, Severity

NOW = 1_800_000_000.0


def rb(**kw) -> RunbookConfig:
    return RunbookConfig(id=kw.pop("id", "scale-out"), title="t", argv=("/bin/true",), **kw)


@pytest.mark.parametrize(("needs", "role", "automatic", "auto", "chained", "refused"), [
    ("operator", Role.VIEWER, False, False, False, "needs the operator role; you are viewer"),
    ("operator", Role.OPERATOR, False, False, False, None),
    ("operator", Role.LEAD, False, False, False, None),
    ("lead", Role.OPERATOR, False, False, False, "needs the lead role; you are operator"),
    ("lead", Role.LEAD, False, False, False, None),
    ("viewer", Role.VIEWER, False, False, False, None),
    ("lead", Role.OPERATOR, True, True, False, None),  # the automation: `auto` decides, not the role
    ("operator", Role.OPERATOR, True, False, False, "not for the automation"),
    ("operator", Role.OPERATOR, True, False, True, None),  # a declared rollback/undo
])
def test_role(needs, role, automatic, auto, chained, refused):
    problem = role_problem(rb(role=needs, auto=auto), role, automatic=automatic, chained=chained)
    assert problem == refused or (refused is not None and problem is not None and refused in problem)


@pytest.mark.parametrize(("match", "labels", "applies"), [
    ({}, {}, True),
    ({"alertname": "HighMemory"}, {"alertname": "HighMemory", "pod": "a"}, True),
    ({"alertname": "HighMemory"}, {"alertname": "HighErrorRate"}, False),
    ({"alertname": "HighMemory", "service": "api"}, {"alertname": "HighMemory"}, False),
    ({"service": "api"}, {"service": "API"}, False),  # exact, case-sensitive
])
def test_match(match, labels, applies):
    assert (match_problem(rb(match=match), labels) is None) is applies


@pytest.mark.parametrize(("cooldown", "max_runs", "ago", "refused"), [
    (300.0, 6, [], None),
    (300.0, 6, [299.0], "cooling down: it ran 299 s ago; again in 1 s"),
    (300.0, 6, [300.0], None),
    (300.0, 2, [400.0, 1000.0], "ran 2 times in the last hour; at most 2"),
    (300.0, 2, [400.0, 3600.0], None),  # exactly an hour ago is outside the hour
    (0.0, 3, [1.0, 2.0], None),
    (0.0, 3, [1.0, 2.0, 3.0], "ran 3 times in the last hour"),
])
def test_cooldown_and_max_runs(cooldown, max_runs, ago, refused):
    problem = rate_problem(rb(cooldown_s=cooldown, max_runs_per_hour=max_runs), [NOW - a for a in ago], NOW)
    assert (problem is None) if refused is None else (problem is not None and refused in problem)


@pytest.mark.parametrize(("confirm", "values", "typed", "target", "ok"), [
    ("", {}, None, None, True),
    ("id", {}, "scale-out", "scale-out", True),
    ("id", {}, None, "scale-out", False),
    ("id", {}, "scale-ou", "scale-out", False),
    ("param:service", {"service": "checkout"}, "checkout", "checkout", True),
    ("param:service", {"service": "checkout"}, "scale-out", "checkout", False),
    ("param:service", {"service": "checkout"}, " checkout", "checkout", False),
])
def test_confirmation(confirm, values, typed, target, ok):
    runbook = rb(confirm=confirm)
    assert confirm_target(runbook, values) == target
    assert (confirm_problem(runbook, values, typed) is None) is ok


def test_applicable_runbooks_follow_match_and_auto():
    config = config_with("""\
        - {id: any, argv: [/bin/true]}
        - {id: memory, argv: [/bin/true], match: {alertname: HighMemory}, auto: true}
        - {id: errors, argv: [/bin/true], match: {alertname: HighErrorRate}}
        """)
    alert = Alert(fingerprint="f", source_id="am", name="HighMemory", severity=Severity.CRITICAL,
                  state=AlertState.FIRING, labels={"alertname": "HighMemory"})
    assert [r.id for r in applicable_runbooks(config, alert)] == ["any", "memory"]
    assert [r.id for r in runbooks_for(alert, config)] == ["any", "memory"]
    assert [r.id for r in runbooks_for(alert, config, automatic=True)] == ["memory"]


def test_a_param_answers_in_with_its_rules_and_the_config_reexports_the_class():
    from noc_app.config.runbook_schema import RunbookParam
    from noc_app.config.schema import RunbookConfig as FromSchema

    assert FromSchema is RunbookConfig
    listed = RunbookParam(name="service", label="service", allowed=("checkout", "cart"))
    patterned = RunbookParam(name="pod", label="pod", pattern="[a-z0-9-]+")
    assert "checkout" in listed and "api" not in listed
    assert "web-1" in patterned and "web 1" not in patterned and ".." not in patterned and "a\u202eb" not in patterned
