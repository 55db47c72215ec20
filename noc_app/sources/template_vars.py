"""Grafana-style template variables in query text (pure).

Supported forms, as in Grafana: `$var`, `${var}`, `${var:format}`, `[[var]]`,
`[[var:format]]`.  Built-ins: `$__interval`, `$__interval_ms`, `$__rate_interval`,
`$__rate_interval_ms`, `$__range`, `$__range_s`, `$__range_ms`.  Unknown names
are left untouched, like Grafana does: PromQL itself uses `$1` in
`label_replace`, and the backend's parse error is the honest answer for a typo.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping

from noc_app.sources.step import prometheus_duration

# Grafana's own variable pattern (public/app/features/variables/utils.ts).
_VARIABLE = re.compile(
    r"\$(\w+)"
    r"|\[\[(\w+?)(?::(\w+))?\]\]"
    r"|\$\{(\w+)(?:\.[^:^}]+)?(?::([^}]+))?\}"
)

# Grafana's regex escaping for the `:regex` format.
_REGEX_SPECIAL = re.compile(r"[-\[\]{}()*+?.,\\^$|#\s]")

DEFAULT_SCRAPE_INTERVAL_S = 15.0


def rate_interval(step_s: float, scrape_interval_s: float = DEFAULT_SCRAPE_INTERVAL_S) -> float:
    """Grafana's $__rate_interval: max(4 x scrape interval, step + scrape interval)."""
    return max(4.0 * scrape_interval_s, step_s + scrape_interval_s)


def builtin_variables(
    *, step_s: float, window_s: float, scrape_interval_s: float = DEFAULT_SCRAPE_INTERVAL_S
) -> dict[str, str]:
    """The `$__…` variables for one query, rendered as Prometheus durations."""
    rate = rate_interval(step_s, scrape_interval_s)
    return {
        "__interval": prometheus_duration(step_s),
        "__interval_ms": str(round(step_s * 1000)),
        "__rate_interval": prometheus_duration(rate),
        "__rate_interval_ms": str(round(rate * 1000)),
        "__range": prometheus_duration(window_s),
        "__range_s": str(round(window_s)),
        "__range_ms": str(round(window_s * 1000)),
    }


def substitute(
    text: str,
    variables: Mapping[str, str],
    *,
    step_s: float,
    window_s: float,
    scrape_interval_s: float = DEFAULT_SCRAPE_INTERVAL_S,
) -> str:
    """Replace dashboard and built-in variables in query text; unknown names stay as written."""
    values = {**variables, **builtin_variables(
        step_s=step_s, window_s=window_s, scrape_interval_s=scrape_interval_s
    )}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(4)
        fmt = match.group(3) or match.group(5) or ""
        if name not in values:
            return match.group(0)
        return _formatted(str(values[name]), fmt)

    return _VARIABLE.sub(replace, text)


def unresolved_variables(text: str) -> tuple[str, ...]:
    """Names still written as variables after substitution (`$1` regex groups excluded)."""
    names = []
    for match in _VARIABLE.finditer(text):
        name = match.group(1) or match.group(2) or match.group(4)
        if not name.isdigit() and name not in names:
            names.append(name)
    return tuple(names)


def _formatted(value: str, fmt: str) -> str:
    """Apply a Grafana variable format to a single value."""
    fmt = fmt.strip().lower()
    if fmt == "regex":
        return _REGEX_SPECIAL.sub(lambda m: "\\" + m.group(0), value)
    if fmt == "doublequote":
        return '"' + value.replace('"', '\\"') + '"'
    if fmt == "singlequote":
        return "'" + value.replace("'", "\\'") + "'"
    if fmt == "json":
        return json.dumps(value)
    if fmt == "percentencode":
        return urllib.parse.quote(value, safe="")
    # raw, text, pipe, csv, glob, ...: identical for a single value.
    return value
