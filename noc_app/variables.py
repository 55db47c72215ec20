"""Dashboard template variables: the text a variable stands for, and label_values() queries (pure).

A variable's value is what Grafana's Prometheus datasource would substitute: a
single value as it is; several values (multi-value or "All") as a regex
alternation `(a|b)` with regex metacharacters escaped, for `=~"$var"` matchers.
A variable with no value yet (a query variable not resolved) is left out of the
mapping, so the query keeps `$name` and the panel says which variable is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from noc_app.config.schema import ALL_VALUE, DashboardConfig, VariableConfig
from noc_app.sources.template_vars import substitute

_REGEX_SPECIAL = re.compile(r"[\\^$.|?*+()\[\]{}]")
_LABEL_VALUES = re.compile(
    r"^\s*label_values\s*\(\s*(?:(?P<match>.+?)\s*,\s*)?(?P<label>[A-Za-z_][\w]*)\s*\)\s*$", re.S
)


def regex_escape(value: str) -> str:
    """Escape regex metacharacters the way Grafana does for Prometheus multi-value variables."""
    # Escaped twice: once for the regex, once for the PromQL string literal it sits in.
    return _REGEX_SPECIAL.sub(lambda m: "\\\\" + ("\\\\" if m.group(0) == "\\" else m.group(0)), value)


def parse_label_values(query: str) -> tuple[str | None, str] | None:
    """(series selector or None, label) of `label_values(metric{...}, label)` / `label_values(label)`."""
    found = _LABEL_VALUES.match(query)
    if found is None:
        return None
    return found.group("match"), found.group("label")


def value_regex(text: str) -> re.Pattern[str] | None:
    """Grafana's `/pattern/flags` (or a bare pattern) compiled; None when it is not a valid regex."""
    found = re.fullmatch(r"/(.*)/([gimsuy]*)", text, re.S)
    pattern, flags = (found.group(1), found.group(2)) if found else (text, "")
    try:
        return re.compile(pattern, re.I if "i" in flags else 0)
    except re.error:
        return None


def filter_values(values: Iterable[str], regex: str) -> tuple[str, ...]:
    """Grafana's variable regex: keep matching values; the first capture group when there is one."""
    pattern = value_regex(regex) if regex else None
    if pattern is None:
        return tuple(values)
    kept: list[str] = []
    for value in values:
        match = pattern.search(value[:1000])  # label values are short; bound the work on odd ones
        if match is None:
            continue
        text = match.group("text") if "text" in pattern.groupindex else \
            match.group(1) if pattern.groups else match.group(0)
        if text is not None and text not in kept:
            kept.append(text)
    return tuple(kept)


def variable_value(var: VariableConfig, options: Sequence[str] = ()) -> str | None:
    """The text `$name` becomes, or None when it has no value yet.

    options: the values a query variable resolved to (its `options` otherwise).
    """
    choices = tuple(options) or var.options
    if var.current == ("",) and not choices:
        return ""  # saved as "None" (an empty value) and the source has none either
    current = tuple(v for v in var.current if v != "")
    if var.kind == "constant":
        return var.current[0] if var.current else ""
    if ALL_VALUE in current:
        if var.all_value is not None:
            return var.all_value
        return _alternation(choices) if choices else ".*"
    if options and current and not set(current) <= set(options):
        current = ()  # a saved value the source no longer has: Grafana falls back to the first one
    if not current:
        if not choices:
            return None
        current = (choices[0],)  # Grafana selects the first value when none is saved
    if len(current) == 1 and not var.multi:
        return current[0]
    return _alternation(current)


def variable_values(defs: Iterable[VariableConfig],
                    resolved: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """name -> value for every variable that has one."""
    found: dict[str, str] = {}
    for var in defs:
        value = variable_value(var, (resolved or {}).get(var.name, ()))
        if value is not None:
            found[var.name] = value
    return found


def _alternation(values: Sequence[str]) -> str:
    if len(values) == 1:
        return regex_escape(values[0])
    return "(" + "|".join(regex_escape(v) for v in values) + ")"


def with_variables(dashboard: DashboardConfig, defs: tuple[VariableConfig, ...]) -> DashboardConfig:
    """The dashboard with these variables: their values for queries, substituted in titles and legends."""
    values = variable_values(defs)

    def text(value: str) -> str:
        return substitute(value, values, step_s=60.0, window_s=3600.0) if "$" in value or "[[" in value else value

    panels = tuple(
        replace(panel, title=text(panel.title),
                queries=tuple(replace(q, legend=text(q.legend)) for q in panel.queries))
        for panel in dashboard.panels
    )
    return replace(dashboard, title=text(dashboard.title), panels=panels, variables=MappingProxyType(values),
                   variable_defs=defs)
