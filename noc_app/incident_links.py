"""What an incident links to (pure): its http/https links, and the dashboard panels whose queries share its labels.

    incident_urls(alert)                      -> (name, url) for every label or annotation that is an http(s) URL
    openable_url(text)                        -> the URL when its scheme is http or https, else None
    linked_panels(labels, dashboards)         -> panels whose selectors or legends reference the incident's
                                                 label values, most matching labels first

A panel is linked by a PromQL/LogQL matcher on one of the incident's labels whose value it accepts
(`service="checkout"`, `instance=~"web-.*"`), or by a legend that spells one of its label values
literally.  Labels every alert carries (alertname, severity, priority) link nothing on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from noc_app.config.schema import DashboardConfig
from noc_app.model import Alert

# Labels that say what kind of alert it is, not where: every panel of a wall would match them.
NOT_LINKING = frozenset({"alertname", "severity", "priority", "urgency", "alertstate", "__name__"})
LINK_SCHEMES = ("http", "https")
MAX_URL_CHARS = 2048
# name op "value": op is =, !=, =~ or !~; the value is a Go/PromQL double-quoted string.
_MATCHER = re.compile(r'([A-Za-z_][A-Za-z0-9_.]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
_ESCAPES = re.compile(r"\\(.)")
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")


def openable_url(text: str) -> str | None:
    """`text` stripped, when it is one http or https URL with a host; None for every other scheme."""
    url = text.strip()
    if not url or len(url) > MAX_URL_CHARS or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return url


def incident_urls(alert: Alert) -> tuple[tuple[str, str], ...]:
    """(name, url) of its runbook, dashboard and other links: annotations first, runbook_url leading."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    named = sorted(alert.annotations.items(), key=lambda kv: (kv[0] != "runbook_url", kv[0]))
    for name, value in [*named, *sorted(alert.labels.items()), ("source", alert.url)]:
        url = openable_url(value)
        if url is not None and url not in seen:
            seen.add(url)
            found.append((name, url))
    return tuple(found)


@dataclass(frozen=True, kw_only=True, slots=True)
class LinkedPanel:
    dashboard_id: str
    dashboard_title: str
    panel_id: str
    panel_title: str
    matched: tuple[str, ...]  # the incident's labels it references, as name="value"

    @property
    def score(self) -> int:
        return len(self.matched)


def linked_panels(labels: Mapping[str, str], dashboards: Sequence[DashboardConfig],
                  limit: int = 12) -> tuple[LinkedPanel, ...]:
    """The panels referencing the incident's label values, most labels matched first, then config order."""
    wanted = {name: value for name, value in labels.items() if name not in NOT_LINKING and value}
    if not wanted:
        return ()
    found: list[tuple[int, int, LinkedPanel]] = []
    order = 0
    for dash in dashboards:
        for panel in dash.panels:
            order += 1
            texts = [(_substitute(q.expr, dash.variables), _substitute(q.legend, dash.variables))
                     for q in panel.queries]
            matched = _matched_labels(wanted, texts)
            if matched:
                found.append((-len(matched), order, LinkedPanel(
                    dashboard_id=dash.id, dashboard_title=dash.title, panel_id=panel.id,
                    panel_title=panel.title, matched=matched)))
    found.sort(key=lambda item: (item[0], item[1]))
    return tuple(item[2] for item in found[:limit])


def _matched_labels(wanted: Mapping[str, str], texts: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    hits: set[str] = set()
    for expr, legend in texts:
        for name, op, raw in _MATCHER.findall(expr):
            if name in wanted and _accepts(op, _unquote(raw), wanted[name]):
                hits.add(name)
        for name, value in wanted.items():
            if legend and value in legend:
                hits.add(name)
    return tuple(f'{name}="{wanted[name]}"' for name in sorted(hits))


def _accepts(op: str, pattern: str, value: str) -> bool:
    if op == "=":
        return pattern == value
    if op == "=~":
        try:
            return re.fullmatch(pattern, value) is not None and pattern not in ("", ".*", ".+")
        except re.error:
            return False
    return False  # a negative matcher excludes; it does not point at the incident


def _unquote(raw: str) -> str:
    return _ESCAPES.sub(lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), raw)


def _substitute(text: str, variables: Mapping[str, str]) -> str:
    """Dashboard variables ($service, ${service}, [[service]]) replaced by their current values."""
    if not text or ("$" not in text and "[[" not in text):
        return text

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        return variables.get(name, match.group(0))

    return _VARIABLE.sub(value, text)
