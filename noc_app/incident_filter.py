"""The incident board's filter box: Karma-like label matchers plus free text (pure).

    severity=critical service=~pay.* instance!=db-1 alertname!~Watchdog disk

Each word is either a matcher `label<op>value` (ops `=`, `!=`, `=~`, `!~`; regexes are
anchored, as in Prometheus and Karma) or free text matched, case-insensitively, against
the alert's name and summary.  Every term must hold.  A value may be quoted ("a b").
`alertname` falls back to the alert's name and `severity` to its normalised severity
for backends without those labels (PagerDuty, Opsgenie).  Parse errors name the word.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace

from noc_app.model import Alert
from noc_app.selectors_incidents import IncidentBoard, counts_text, group_alerts

OPERATORS = ("=~", "!~", "!=", "=")  # longest first: `=~` is not `=` followed by "~..."
MAX_FILTER_CHARS = 1000  # typed by a person; bounds the regex work per alert
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_MATCHER = re.compile(r"(?P<label>[^=!~]*)(?P<op>=~|!~|!=|=)(?P<value>.*)\Z", re.S)
EMPTY_MATCH_TEXT = "No incidents match the filter"


class FilterError(ValueError):
    """The filter text cannot be read; the message says which word and why (plain text)."""


@dataclass(frozen=True, slots=True)
class LabelMatcher:
    label: str
    op: str  # one of OPERATORS
    value: str
    pattern: re.Pattern[str] | None = None  # compiled for =~ and !~

    def matches(self, alert: Alert) -> bool:
        actual = label_value(alert, self.label)
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        assert self.pattern is not None
        found = self.pattern.fullmatch(actual) is not None
        return found if self.op == "=~" else not found


@dataclass(frozen=True, slots=True)
class AlertFilter:
    matchers: tuple[LabelMatcher, ...] = ()
    words: tuple[str, ...] = ()  # lower-cased free text

    @property
    def empty(self) -> bool:
        return not (self.matchers or self.words)

    def matches(self, alert: Alert) -> bool:
        if self.words:
            text = f"{alert.name}\n{alert.summary}".casefold()
            if not all(word in text for word in self.words):
                return False
        return all(m.matches(alert) for m in self.matchers)


NO_FILTER = AlertFilter()


def label_value(alert: Alert, label: str) -> str:
    """The value a matcher compares: the label, else the alert's own name or severity for those two."""
    value = alert.labels.get(label)
    if value is not None:
        return value
    if label == "alertname":
        return alert.name
    if label == "severity":
        return alert.severity.value
    return ""


def parse_filter(text: str) -> AlertFilter:
    """The filter of a filter box's text; raises FilterError naming the bad word."""
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError(f"filter is {len(text)} characters long; expected at most {MAX_FILTER_CHARS}")
    try:
        tokens = shlex.split(text, posix=True)
    except ValueError:
        raise FilterError('unbalanced quote: close the value with a matching " or \'') from None
    matchers: list[LabelMatcher] = []
    words: list[str] = []
    for token in tokens:
        if not any(op in token for op in ("=", "!~")):
            words.append(token.casefold())
            continue
        matchers.append(_matcher(token))
    return AlertFilter(matchers=tuple(matchers), words=tuple(words))


def _matcher(token: str) -> LabelMatcher:
    found = _MATCHER.match(token)
    if found is None:  # "!~" with no label part still matches; kept for safety
        raise FilterError(f"{token!r}: expected label=value, label!=value, label=~regex or label!~regex")
    label, op, value = found.group("label"), found.group("op"), found.group("value")
    if not label:
        raise FilterError(f"{token!r}: the matcher has no label name before {op!r}")
    if not _LABEL.match(label):
        raise FilterError(f"{token!r}: {label!r} is not a label name (letters, digits, _; no leading digit)")
    if value.startswith(("=", "~")) and op in ("=", "!="):
        raise FilterError(f"{token!r}: {op + value[0]!r} is not an operator; use =, !=, =~ or !~")
    pattern = None
    if op in ("=~", "!~"):
        try:
            pattern = re.compile(value)
        except re.error as exc:
            raise FilterError(f"{token!r}: invalid regular expression: {exc}") from None
    return LabelMatcher(label=label, op=op, value=value, pattern=pattern)


def filtered_note(shown: int, total: int) -> str:
    return f"filtered: {shown} of {total}"


def filter_board(board: IncidentBoard, alert_filter: AlertFilter) -> IncidentBoard:
    """The board with only the alerts the filter keeps: regrouped, recounted, its header saying so.

    The rows' groups and counts come from the incidents selector's own functions, so a filtered
    board folds and orders alike; the header's first segment says "filtered: 7 of 31" (alerts).
    """
    if alert_filter.empty:
        return board
    kept = tuple(a for a in board.alerts if alert_filter.matches(a))
    counts = counts_text(kept) if kept else ()
    note = (filtered_note(len(kept), len(board.alerts)), None)
    empty = board.empty_text if not board.alerts else ("" if kept else EMPTY_MATCH_TEXT)
    return replace(
        board,
        alerts=kept,
        groups=group_alerts(kept, board.group_by),
        counts=(note, *counts),
        empty_text=empty,
        facts=(),
    )
