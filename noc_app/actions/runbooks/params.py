"""A runbook's parameter values: from the operator or the incident's labels, validated before any templating.

Every value must pass, in order: not empty, not '.' or '..'; at most MAX_PARAM_VALUE_CHARS characters; no
control, format or line/paragraph-separator character (NUL, CR, LF, the RTL
override...); the parameter's `allowed` list (exact) or its full-match ASCII
`pattern`.  Values for argv runbooks may not start with '-' (no option injection).
Pure: same inputs, same answer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from noc_app.actions.errors import InvalidRequest
from noc_app.config.runbook_schema import MAX_PARAM_VALUE_CHARS, RunbookConfig, RunbookParam

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def value_problem(param: RunbookParam, value: str, *, for_argv: bool = False) -> str | None:
    """Why `value` may not be used for `param` (None when it may); never echoes the value."""
    if not value:
        return "is empty"
    if value in (".", ".."):
        return "is a dot segment (a path traversal)"
    if len(value) > MAX_PARAM_VALUE_CHARS:
        return f"is {len(value)} characters long; at most {MAX_PARAM_VALUE_CHARS}"
    for index, char in enumerate(value, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return f"holds a control or invisible character at position {index}"
    if param.allowed:
        if value not in param.allowed:
            return f"is not one of the allowed values ({', '.join(param.allowed)[:200]})"
    else:
        compiled = param.compiled()
        if compiled is None or compiled.fullmatch(value) is None:
            return f"does not match the pattern {param.pattern!r}"
    if for_argv and value.startswith("-"):
        return "starts with '-' (it could be read as an option)"
    return None


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
