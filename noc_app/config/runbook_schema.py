"""Frozen config objects of the recovery runbooks (`actions.runbooks[]`).

A runbook is an HTTP request or a local argv command, with `{{ name }}`
placeholders filled from validated parameters; see noc_app.actions.runbooks for
how it is run and docs-snippets/runbooks.md for the YAML reference.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from noc_app.model import Alert

if TYPE_CHECKING:  # schema.py imports this module at run time: no import back
    from noc_app.config.schema import AppConfig, AuthConfig

RUNBOOK_ROLES = ("viewer", "operator", "lead")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_PARAM_VALUE_CHARS = 256  # any parameter value longer than this is refused, whatever its pattern


@dataclass(frozen=True, kw_only=True, slots=True)
class RunbookParam:
    """One parameter: its value comes from the operator or from the incident's label `label`.

    It is checked against `allowed` (exact values) or `pattern` (a full-match,
    ASCII-only regular expression) before it is put into any template.
    """

    name: str
    label: str  # the incident label it defaults to (the param's own name unless given)
    allowed: tuple[str, ...] = ()
    pattern: str | None = None

    def compiled(self) -> re.Pattern[str] | None:
        return None if self.pattern is None else re.compile(self.pattern, re.ASCII)

    def __contains__(self, value: object) -> bool:
        """`value in param`: whether the parameter accepts the value (see value_problem)."""
        return isinstance(value, str) and value_problem(self, value) is None


@dataclass(frozen=True, kw_only=True, slots=True)
class RunbookHttp:
    """An HTTP call: method, URL template, plain headers, secret headers by reference, a JSON body template."""

    method: str
    url: str  # template; placeholders only after the host (path segments and query values)
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    auth: AuthConfig | None = None  # None: no credentials
    body: object = None  # JSON-able template (strings may hold placeholders); None: no body


@dataclass(frozen=True, kw_only=True, slots=True)
class RunbookVerify:
    """A PromQL query on a Prometheus source that must become true `within_s` after the run."""

    source: str
    query: str
    within_s: float = 300.0


@dataclass(frozen=True, kw_only=True, slots=True)
class RunbookUndo:
    """Another runbook run `after_s` after this one succeeded (e.g. scale back in after 30 min)."""

    runbook: str
    after_s: float


@dataclass(frozen=True, kw_only=True, slots=True)
class RunbookConfig:
    """A named recovery runbook: an HTTP request or an argv command, never a shell string."""

    id: str
    title: str
    http: RunbookHttp | None = None
    argv: tuple[str, ...] = ()
    params: Mapping[str, RunbookParam] = field(default_factory=lambda: MappingProxyType({}))
    role: str = "operator"  # the least role that may run it: viewer < operator < lead
    match: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # labels the incident must have
    # What the operator types to confirm: "" none, "id" the runbook's id, "param:NAME" / "label:NAME" its value.
    confirm: str = "id"
    timeout_s: float = 30.0
    cooldown_s: float = 300.0
    max_runs_per_hour: int = 6
    verify: RunbookVerify | None = None
    rollback: str | None = None
    undo: RunbookUndo | None = None
    auto: bool = False  # may the room's automation run it on a trigger (no confirmation)

    @property
    def kind(self) -> str:
        return "http" if self.http is not None else "argv"


def matches(runbook: RunbookConfig, labels: Mapping[str, str]) -> bool:
    """Whether an incident with these labels is one the runbook applies to (every `match` label equal)."""
    return all(labels.get(name) == value for name, value in runbook.match.items())


def applicable_runbooks(config: AppConfig, alert: Alert) -> tuple[RunbookConfig, ...]:
    """The runbooks whose `match` the incident's labels satisfy, in config order (the board's menu).

    Pure and Qt-free; widgets may import it (it lives in the config layer).
    """
    return tuple(r for r in config.actions.runbooks if matches(r, alert.labels))


def confirm_target(runbook: RunbookConfig, values: Mapping[str, str]) -> str | None:
    """The text the operator types to confirm: the runbook's id or a parameter's value; None: no confirmation."""
    if not runbook.confirm:
        return None
    if runbook.confirm.startswith("param:"):
        return values.get(runbook.confirm.removeprefix("param:"), runbook.id)
    return runbook.id


_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def value_problem(param: RunbookParam, value: str, *, for_argv: bool = False) -> str | None:
    """Why `value` may not be used for `param` (None when it may); never echoes the value.

    In order: not empty, not '.' or '..', at most MAX_PARAM_VALUE_CHARS characters, no
    control, format or line/paragraph-separator character (NUL, CR, LF, the RTL override...),
    then the `allowed` list (exact) or the full-match ASCII `pattern`; for argv runbooks
    no leading '-' (option injection).
    """
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
