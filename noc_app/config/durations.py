"""Durations in config files: plain numbers are seconds, strings like 1h30m."""

from __future__ import annotations

import math
import re

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)\s*)+")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class DurationError(ValueError):
    """A value that is not a duration; the message shows an example of one."""


def parse_duration(value: object) -> float:
    """Seconds from a number (seconds) or a string like '500ms', '15s', '5m', '1h30m', '7d'."""
    seconds = math.nan
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = float(value)
        elif isinstance(value, str):
            text = value.strip()
            if _PLAIN_NUMBER.fullmatch(text):
                seconds = float(text)
            elif _WHOLE.fullmatch(text):
                seconds = sum(float(amount) * _UNIT_SECONDS[unit] for amount, unit in _PART.findall(text))
    except OverflowError:  # an int beyond float range
        seconds = math.inf
    if math.isfinite(seconds):
        return seconds
    raise DurationError(f"expected a duration like 15s, 5m, 1h, got {_shown(value)}")


def format_duration(seconds: float) -> str:
    """Compact text for a duration in messages: 0.2s, 90s, 5m, 400d."""
    if seconds and seconds % 86400 == 0:
        return f"{seconds / 86400:g}d"
    if seconds and seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return repr(value)
