"""Parse the small selector syntax of simulated and local metrics: `name{label="v", ...}`.

Only equality matchers are accepted: these sources pick one series by exact
label value, they do not search.  Anything else is a SelectorError whose
message says what is wrong and where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "'": "'"}


class SelectorError(ValueError):
    """The selector text is not `name{label="value", ...}`."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Selector:
    """A metric name with equality label matchers."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)


def parse_selector(text: str) -> Selector:
    """Parse `name`, `name{}` or `name{a="b", c='d'}`; the name may be empty (`{a="b"}`)."""
    source = text.strip()
    name_match = _NAME.match(source)
    name = name_match.group(0) if name_match else ""
    pos = _skip_space(source, len(name))
    labels: dict[str, str] = {}
    if pos < len(source):
        if source[pos] != "{":
            raise SelectorError(f"unexpected {source[pos]!r} at column {pos + 1} of {source!r}")
        pos = _parse_matchers(source, pos + 1, labels)
        if pos != len(source):
            raise SelectorError(f"unexpected text after '}}' at column {pos + 1} of {source!r}")
    if not name and not labels:
        raise SelectorError(f"empty selector {text!r}: expected name or name{{label=\"value\"}}")
    return Selector(name=name, labels=MappingProxyType(labels))


def _parse_matchers(source: str, pos: int, labels: dict[str, str]) -> int:
    """Read `a="b", ...}` from pos; return the position after the closing brace."""
    while True:
        pos = _skip_space(source, pos)
        if pos < len(source) and source[pos] == "}":
            return pos + 1
        label_match = _LABEL.match(source, pos)
        if not label_match:
            raise SelectorError(f"expected a label name at column {pos + 1} of {source!r}")
        label = label_match.group(0)
        pos = _skip_space(source, label_match.end())
        if source.startswith(("!=", "=~", "!~"), pos):
            raise SelectorError(
                f"only exact matches (label=\"value\") are supported, not {source[pos:pos + 2]!r} "
                f"in {source!r}"
            )
        if pos >= len(source) or source[pos] != "=":
            raise SelectorError(f"expected '=' after {label!r} in {source!r}")
        value, pos = _parse_string(source, _skip_space(source, pos + 1))
        if label in labels:
            raise SelectorError(f"label {label!r} given twice in {source!r}")
        labels[label] = value
        pos = _skip_space(source, pos)
        if pos < len(source) and source[pos] == ",":
            pos += 1
        elif pos >= len(source) or source[pos] != "}":
            raise SelectorError(f"expected ',' or '}}' at column {pos + 1} of {source!r}")


def _parse_string(source: str, pos: int) -> tuple[str, int]:
    if pos >= len(source) or source[pos] not in "\"'":
        raise SelectorError(f"expected a quoted value at column {pos + 1} of {source!r}")
    quote = source[pos]
    out: list[str] = []
    pos += 1
    while pos < len(source):
        char = source[pos]
        if char == "\\" and pos + 1 < len(source):
            out.append(_ESCAPES.get(source[pos + 1], source[pos + 1]))
            pos += 2
        elif char == quote:
            return "".join(out), pos + 1
        else:
            out.append(char)
            pos += 1
    raise SelectorError(f"unterminated string in {source!r}")


def _skip_space(source: str, pos: int) -> int:
    while pos < len(source) and source[pos].isspace():
        pos += 1
    return pos
