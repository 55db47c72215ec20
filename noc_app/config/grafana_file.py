"""Read a Grafana dashboard export with the config file's limits (size, regular file, nesting)."""

from __future__ import annotations

import json
import os
import re

from noc_app.config.file_read import FileReadError, read_limited_text
from noc_app.config.limits import MAX_DEPTH

# A JSON string, so that brackets inside strings are not counted (unrolled: linear time).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")


class GrafanaFileError(ValueError):
    """A dashboard file that cannot be read as JSON within the limits; the message names no path."""


def read_grafana_json(path: str | os.PathLike[str]) -> object:
    """The parsed JSON of a Grafana export; raises GrafanaFileError with a clear reason."""
    try:
        text = read_limited_text(path)
    except FileReadError as exc:
        raise GrafanaFileError(exc.message) from None
    return parse_grafana_json(text)


def parse_grafana_json(text: str) -> object:
    """json.loads with a nesting limit checked first (the C parser recurses per level)."""
    if json_depth(text) > MAX_DEPTH:
        raise GrafanaFileError(f"is nested deeper than {MAX_DEPTH} levels; a Grafana dashboard needs far fewer")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise GrafanaFileError(f"is not valid JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer with more digits than int() takes
        raise GrafanaFileError(f"is not usable JSON: {exc}") from None


def json_depth(text: str, *, stop_after: int = MAX_DEPTH) -> int:
    """Deepest bracket nesting outside strings; counting stops once it passes stop_after."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_after:
                    break
        else:
            depth -= 1
    return deepest
