"""Kind-specific source `options:`: their types and bounds, defined once (pure).

check-config checks them on the YAML nodes (so a bad option is a located
problem, not a crash at start-up), and the adapters read them through the same
checks in noc_app.sources.options, so both say the same thing.  Options this
table does not know are passed through untouched (adapters ignore them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from noc_app.config.durations import DurationError, format_duration, parse_duration
from noc_app.config.limits import MAX_PERIOD_S, ONE_DAY_S

MAX_SERIES_LIMIT = 1_000_000


class OptionError(ValueError):
    """An option value that breaks its spec; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """What one option holds: a duration, text, flag or count, with an upper bound."""

    type: str  # duration | text | flag | count
    maximum: float | None = None


OPTION_SPECS: Mapping[str, Mapping[str, OptionSpec]] = {
    "prometheus": {
        "scrape_interval": OptionSpec("duration", ONE_DAY_S),
        "min_step": OptionSpec("duration", ONE_DAY_S),
        "max_series": OptionSpec("count", MAX_SERIES_LIMIT),
        "pending_alerts": OptionSpec("flag"),  # incident boards: pending alerts as "developing" (default true)
        "firing_alerts": OptionSpec("flag"),  # incident boards: firing alerts (default true)
    },
    "loki": {"lookback": OptionSpec("duration", MAX_PERIOD_S), "categorize_labels": OptionSpec("flag")},
    "elasticsearch": {
        "lookback": OptionSpec("duration", MAX_PERIOD_S),
        "timestamp_field": OptionSpec("text"),
        "message_field": OptionSpec("text"),
        "level_field": OptionSpec("text"),
    },
    "alertmanager": {"deadman_visible": OptionSpec("flag")},
    "pagerduty": {  # the id/urgency lists (service_ids, team_ids, urgencies) are checked by the adapter
        "max_pages": OptionSpec("count", 100),
        "oncall_refresh": OptionSpec("duration", ONE_DAY_S),
        "resolved_lookback": OptionSpec("duration", MAX_PERIOD_S),
    },
    "opsgenie": {
        "query": OptionSpec("text"),  # Opsgenie search query of the alert list (default status:open)
        "page_size": OptionSpec("count", 100),  # alerts per page; Opsgenie serves at most 100
        "max_pages": OptionSpec("count", 200),  # pages per poll; Opsgenie stops at offset 20000
        "escalation": OptionSpec("text"),  # escalation name or id that ESCALATE escalates to
    },
}


def option_spec(kind: str, name: str) -> OptionSpec | None:
    """The spec of a known option of a source kind, or None."""
    return OPTION_SPECS.get(kind, {}).get(name)


def check_option(spec: OptionSpec, value: object) -> object:
    """The checked value (seconds for a duration); raises OptionError."""
    if spec.type == "duration":
        return check_duration(value, maximum=spec.maximum)
    if spec.type == "text":
        return check_text(value)
    if spec.type == "flag":
        return check_flag(value)
    return check_count(value, maximum=spec.maximum)


def check_duration(value: object, *, maximum: float | None = None) -> float:
    """A positive duration in seconds, at most `maximum`."""
    try:
        seconds = parse_duration(value)
    except DurationError as exc:
        raise OptionError(str(exc)) from None
    if seconds <= 0:
        raise OptionError(f"must be more than zero, got {_shown(value)}")
    if maximum is not None and seconds > maximum:
        raise OptionError(f"must be at most {format_duration(maximum)}, got {_shown(value)}")
    return seconds


def check_text(value: object) -> str:
    """Non-empty text, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise OptionError(f"expected non-empty text, got {_shown(value)}")
    return value.strip()


def check_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise OptionError(f"expected true or false, got {_shown(value)}")
    return value


def check_count(value: object, *, maximum: float | None = None) -> int:
    """A whole number of at least 1 (and at most `maximum`)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OptionError(f"expected a whole number >= 1, got {_shown(value)}")
    if maximum is not None and value > maximum:
        raise OptionError(f"expected a whole number of at most {maximum:g}, got {_shown(value)}")
    return value


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def index_pattern(text: str | None) -> str | None:
    """An Elasticsearch index pattern as sent in the URL path, or None when it is not one.

    One rule for check-config and the adapter: no spaces, '/', '?' or '#' (they would
    change the request's path or query); surrounding slashes are dropped; empty means '*'.
    """
    pattern = (text if text is not None else "*").strip().strip("/")
    if not pattern or any(char.isspace() or char in "/?#" for char in pattern):
        return None
    return pattern
