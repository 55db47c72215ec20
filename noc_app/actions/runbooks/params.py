"""A runbook's parameter values: from the operator or the incident's labels, validated before any templating.

Every value must pass noc_app.config.runbook_schema.value_problem (beside the
config, so the board can ask it too): not empty, not a dot segment, bounded, no
control or invisible character, the allow-list or the full-match pattern, and for
argv no leading '-'.  Pure: same inputs, same answer.
"""

from __future__ import annotations

from collections.abc import Mapping

from noc_app.actions.errors import InvalidRequest
from noc_app.config.runbook_schema import RunbookConfig, value_problem


def resolve_params(
    runbook: RunbookConfig, labels: Mapping[str, str], given: Mapping[str, str]
) -> dict[str, str]:
    """Each parameter's value: the operator's, else the incident's label; every one validated.

    Raises InvalidRequest naming the first parameter that is unknown, missing or refused.
    """
    unknown = sorted(set(given) - set(runbook.params))
    if unknown:
        known = ", ".join(sorted(runbook.params)) or "none"
        raise InvalidRequest(f"runbook {runbook.id!r} has no parameter {unknown[0][:60]!r} (its parameters: {known})")
    values: dict[str, str] = {}
    for name, param in runbook.params.items():
        value = given.get(name)
        if value is None:
            value = labels.get(param.label)
        if value is None:
            raise InvalidRequest(
                f"runbook {runbook.id!r}: parameter {name!r} has no value; the incident has no label "
                f"{param.label!r}, so give it (--param {name}=...)"
            )
        values[name] = value
    check_params(runbook, values)
    return values


def check_params(runbook: RunbookConfig, values: Mapping[str, str]) -> None:
    """Validate a complete set of values (again at run time: the config may have changed since)."""
    for name, param in runbook.params.items():
        if name not in values:
            raise InvalidRequest(f"runbook {runbook.id!r}: parameter {name!r} has no value")
        problem = value_problem(param, values[name], for_argv=runbook.http is None)
        if problem:
            raise InvalidRequest(f"runbook {runbook.id!r}: the value of parameter {name!r} {problem}")
    extra = sorted(set(values) - set(runbook.params))
    if extra:
        raise InvalidRequest(f"runbook {runbook.id!r} has no parameter {extra[0][:60]!r}")
