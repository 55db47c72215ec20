"""Validate a composed YAML node tree, collecting located problems instead of raising.

Working on nodes (not on `yaml.safe_load` output) keeps every value's start
mark, so each problem can name the file, line and column of the offending node.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import re
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from noc_app.config.durations import DurationError, format_duration, parse_duration
from noc_app.config.errors import Problem

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"

_SCALARS = yaml.constructor.SafeConstructor()
SCALAR_CONSTRUCTORS = _SCALARS.yaml_constructors  # the tags safe YAML knows
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def sub_path(path: str, key: str) -> str:
    """The key path one mapping level down."""
    step = key if _PLAIN_KEY.fullmatch(key) else f"[{key!r}]"
    if not path:
        return step
    return f"{path}{step}" if step.startswith("[") else f"{path}.{step}"


def item_path(path: str, index: int) -> str:
    """The key path of one list item."""
    return f"{path}[{index}]"


def describe(node: Node | None) -> str:
    """How a node reads in 'got ...': quoted strings, numbers as written, 'a list'."""
    if node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG):
        return "nothing"
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    text = node.value if len(node.value) <= 60 else node.value[:57] + "..."
    return text if node.tag in (INT_TAG, FLOAT_TAG, BOOL_TAG) else f"'{text}'"


def is_null(node: Node | None) -> bool:
    """True for an empty value (`key:` with nothing after it, or null)."""
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG


def suggestion(word: str, choices: Collection[str]) -> str | None:
    """The closest known name to a misspelt one, if any is close enough."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def scalar_value(node: ScalarNode) -> object:
    """The Python value YAML's safe loader would give a scalar node."""
    return _SCALARS.yaml_constructors[node.tag](_SCALARS, node)


def construct_plain(walk: Walk, node: Node, path: str) -> object:
    """Plain Python data for a free-form subtree (kind-specific options); None if it has none."""
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:  # e.g. a date like 2024-13-45: not a YAMLError
        walk.error(node, path, f"cannot read: {exc}")
        return None
    except yaml.YAMLError as exc:
        if not any(problem.path.startswith(path) for problem in walk.problems):  # tags: reported already
            mark = getattr(exc, "problem_mark", None)
            walk.error(node, path, f"cannot read: {getattr(exc, 'problem', None) or exc}"
                       + (f" at line {mark.line + 1}" if mark is not None else ""))
        return None


def mapping_pairs(node: MappingNode) -> Iterator[tuple[ScalarNode, Node]]:
    """Key/value pairs with YAML merge keys (<<: *anchor) expanded; own keys win."""
    own = [(key, value) for key, value in node.value if key.tag != MERGE_TAG]
    own_keys = {key.value for key, _ in own if isinstance(key, ScalarNode)}
    merged: dict[object, tuple[ScalarNode, Node]] = {}
    for key, value in node.value:
        if key.tag == MERGE_TAG:
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:  # earlier merge sources win, as YAML specifies
                if isinstance(source, MappingNode):
                    for pair in mapping_pairs(source):
                        if isinstance(pair[0], ScalarNode) and pair[0].value not in own_keys:
                            merged.setdefault(pair[0].value, pair)
    yield from merged.values()
    yield from own


_MAX_SUGGESTION_POOL = 500  # difflib compares with every name: beyond this, errors would cost O(n^2)
_MAX_LISTED = 10


def _reference_hint(namespace: str, ident: str, known: Collection[str]) -> str:
    close = suggestion(ident, known) if len(known) <= _MAX_SUGGESTION_POOL else None
    if close:
        return f"did you mean '{close}'?"
    if not known:
        return f"no {namespace}s are configured"
    names = list(known)
    more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
    return f"configured {namespace}s: {', '.join(names[:_MAX_LISTED])}{more}"


class Walk:
    """Problems found while walking one config file, plus its ids and references."""

    def __init__(self, filename: str, base_dir: Path) -> None:
        self.filename = filename
        self.base_dir = base_dir
        self.problems: list[Problem] = []
        self.unsupported: set[int] = set()  # ids of nodes with a tag safe YAML does not know
        self._declared: dict[str, dict[str, Node]] = {}
        self._references: list[tuple[str, str, Node, str]] = []

    def error(self, node: Node | None, path: str, message: str) -> None:
        if node is not None and id(node) in self.unsupported:
            return  # its unsupported tag is the one problem worth saying
        mark = node.start_mark if node is not None else None
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.problems.append(Problem(self.filename, line, column, path, message))

    def origin(self, node: Node) -> str:
        return f"{self.filename}:{node.start_mark.line + 1}"

    def resolve_path(self, text: str) -> Path:
        path = Path(text)
        with contextlib.suppress(RuntimeError):  # ~user that does not exist: keep the text as written
            path = path.expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def declare(self, namespace: str, label: str, ident: str, node: Node, path: str) -> None:
        """Record an id; a second use of the same id in the namespace is a problem."""
        seen = self._declared.setdefault(namespace, {})
        if ident in seen:
            first = seen[ident].start_mark.line + 1
            self.error(node, path, f"duplicate {label} id '{ident}' (first at line {first})")
        else:
            seen[ident] = node

    def refer(self, namespace: str, ident: str, node: Node, path: str) -> None:
        """Record a reference to an id, checked by check_references() at the end."""
        self._references.append((namespace, ident, node, path))

    def check_references(self) -> None:
        hints: dict[tuple[str, str], str] = {}  # one hint per unknown name, however often it is used
        for namespace, ident, node, path in self._references:
            known = self._declared.get(namespace, {})
            if ident in known:
                continue
            if (namespace, ident) not in hints:
                hints[namespace, ident] = _reference_hint(namespace, ident, known)
            self.error(node, path, f"unknown {namespace} '{ident}'; {hints[namespace, ident]}")

    # -- typed readers: return the value, or None after recording a problem --

    def text(self, node: Node, path: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag != NULL_TAG:
            return str(node.value)
        self.error(node, path, f"expected a string, got {describe(node)}")
        return None

    def number(self, node: Node, path: str) -> float | None:
        if isinstance(node, ScalarNode) and node.tag in (INT_TAG, FLOAT_TAG):
            try:
                value = float(cast(float, scalar_value(node)))
            except (OverflowError, ValueError):  # an int too long for int() or too big for a float
                value = math.inf
            if math.isfinite(value):
                return value
            self.error(node, path, f"expected a finite number, got {describe(node)}")
            return None
        self.error(node, path, f"expected a number, got {describe(node)}")
        return None

    def integer(self, node: Node, path: str) -> int | None:
        if isinstance(node, ScalarNode) and node.tag == INT_TAG:
            try:
                return int(cast(int, scalar_value(node)))
            except ValueError:  # more digits than Python's int() accepts
                digits = sum(char.isdigit() for char in str(node.value))
                self.error(node, path, f"expected a whole number, got one with {digits} digits")
                return None
        self.error(node, path, f"expected a whole number, got {describe(node)}")
        return None

    def boolean(self, node: Node, path: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == BOOL_TAG:
            return bool(scalar_value(node))
        self.error(node, path, f"expected true or false, got {describe(node)}")
        return None

    def choice(self, node: Node, path: str, choices: Collection[str]) -> str | None:
        if isinstance(node, ScalarNode) and node.tag != NULL_TAG and node.value in choices:
            return str(node.value)
        self.error(node, path, f"expected one of {', '.join(choices)}, got {describe(node)}")
        return None

    def duration(self, node: Node, path: str) -> float | None:
        if isinstance(node, ScalarNode) and node.tag in (INT_TAG, FLOAT_TAG, STR_TAG):
            try:
                return parse_duration(scalar_value(node) if node.tag != STR_TAG else node.value)
            except (DurationError, ValueError):  # ValueError: an int too long for int()
                pass
        self.error(node, path, f"expected a duration like 15s, 5m, 1h, got {describe(node)}")
        return None

    def sequence(self, node: Node, path: str) -> list[Node] | None:
        """Items of a list node; an empty value counts as an empty list."""
        if isinstance(node, SequenceNode):
            return list(node.value)
        if is_null(node):
            return []
        self.error(node, path, f"expected a list, got {describe(node)}")
        return None

    def mapping(self, node: Node, path: str) -> MappingNode | None:
        if isinstance(node, MappingNode):
            return node
        self.error(node, path, f"expected a mapping, got {describe(node)}")
        return None

    def at_least(self, node: Node, path: str, value: float | None, minimum: float,
                 *, exclusive: bool = False, seconds: bool = False) -> float | None:
        """Pass value through if it respects the bound, else record a problem."""
        if value is None:
            return None
        if value > minimum or (not exclusive and value == minimum):
            return value
        bound = format_duration(minimum) if seconds else f"{minimum:g}"
        relation = "greater than" if exclusive else "at least"
        self.error(node, path, f"must be {relation} {bound}, got {describe(node).strip(chr(39))}")
        return None


    def at_most(self, node: Node, path: str, value: float | None, maximum: float,
                *, seconds: bool = False) -> float | None:
        """Pass value through if it is not above maximum, else record a problem."""
        if value is None or value <= maximum:
            return value
        bound = format_duration(maximum) if seconds else f"{maximum:g}"
        self.error(node, path, f"must be at most {bound}, got {describe(node).strip(chr(39))}")
        return None

    def within(self, node: Node, path: str, value: float | None, minimum: float | None, maximum: float | None,
               *, exclusive: bool = False, seconds: bool = False) -> float | None:
        """value checked against an optional lower and an optional upper bound (one problem at most)."""
        if minimum is not None:
            value = self.at_least(node, path, value, minimum, exclusive=exclusive, seconds=seconds)
        if maximum is not None:
            value = self.at_most(node, path, value, maximum, seconds=seconds)
        return value


class MapReader:
    """One mapping node with a fixed set of keys; unknown keys are reported on construction."""

    def __init__(self, walk: Walk, node: MappingNode, path: str, allowed: Collection[str],
                 *, tolerated: Collection[str] = ()) -> None:
        self.walk, self.node, self.path = walk, node, path
        self.nodes: dict[str, Node] = {}
        self.key_nodes: dict[str, Node] = {}
        for key_node, value_node in mapping_pairs(node):
            if not isinstance(key_node, ScalarNode):
                walk.error(key_node, path, f"expected a name as key, got {describe(key_node)}")
                continue
            key = str(key_node.value)
            if key in allowed:
                self.nodes[key] = value_node
                self.key_nodes[key] = key_node
            elif key.lower() not in tolerated:  # tolerated keys were reported elsewhere
                close = suggestion(key, allowed)
                hint = f"did you mean '{close}'?" if close else f"expected one of: {', '.join(allowed)}"
                walk.error(key_node, sub_path(path, key), f"unknown key '{key}'; {hint}")

    def sub(self, key: str) -> str:
        return sub_path(self.path, key)

    def has(self, key: str) -> bool:
        return key in self.nodes

    def get(self, key: str) -> Node | None:
        return self.nodes.get(key)

    def missing(self, key: str, alternative: str | None = None) -> None:
        other = f" (or '{alternative}')" if alternative else ""
        self.walk.error(self.node, self.path, f"missing required key '{key}'{other}")

    def require(self, key: str) -> Node | None:
        if key not in self.nodes:
            self.missing(key)
        return self.nodes.get(key)

    def exclusive(self, first: str, second: str) -> bool:
        """True if both keys are given (a problem); points at the second one."""
        if first in self.nodes and second in self.nodes:
            self.walk.error(self.key_nodes[second], self.sub(second),
                            f"give either '{first}' or '{second}', not both")
            return True
        return False

    def not_for(self, key: str, applies_to: str) -> None:
        if key in self.nodes:
            self.walk.error(self.key_nodes[key], self.sub(key), f"key '{key}' only applies to {applies_to}")

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        node = self.require(key) if required else self.get(key)
        return default if node is None else self.walk.text(node, self.sub(key))

    def number(self, key: str, default: float | None = None, *, minimum: float | None = None,
               exclusive: bool = False, maximum: float | None = None) -> float | None:
        node = self.get(key)
        if node is None:
            return default
        value = self.walk.number(node, self.sub(key))
        return self.walk.within(node, self.sub(key), value, minimum, maximum, exclusive=exclusive)

    def integer(self, key: str, default: int | None = None, *, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        node = self.get(key)
        if node is None:
            return default
        value = self.walk.integer(node, self.sub(key))
        if self.walk.within(node, self.sub(key), value, minimum, maximum) is None:
            return None
        return value

    def boolean(self, key: str, default: bool) -> bool:
        node = self.get(key)
        value = None if node is None else self.walk.boolean(node, self.sub(key))
        return default if value is None else value

    def choice(self, key: str, choices: Collection[str], default: str | None = None,
               *, required: bool = False) -> str | None:
        node = self.require(key) if required else self.get(key)
        return default if node is None else self.walk.choice(node, self.sub(key), choices)

    def duration(self, key: str, default: float | None, *, minimum: float | None = None,
                 exclusive: bool = False, maximum: float | None = None) -> float | None:
        node = self.get(key)
        if node is None:
            return default
        value = self.walk.duration(node, self.sub(key))
        return self.walk.within(node, self.sub(key), value, minimum, maximum, exclusive=exclusive, seconds=True)

    def items(self, key: str, *, required: bool = False, noun: str = "item") -> list[tuple[Node, str]]:
        """List items with their paths; with required, the list must have at least one."""
        node = self.require(key) if required else self.get(key)
        if node is None:
            return []
        values = self.walk.sequence(node, self.sub(key))
        if values is None:
            return []
        if required and not values:
            self.walk.error(node, self.sub(key), f"expected at least one {noun}, got an empty list")
        return [(value, item_path(self.sub(key), index)) for index, value in enumerate(values)]

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings (names, arguments)."""
        found = [self.walk.text(node, path) for node, path in self.items(key)]
        return tuple(text for text in found if text is not None)

    def sub_mapping(self, key: str) -> MappingNode | None:
        node = self.get(key)
        if node is None or is_null(node):
            return None
        return self.walk.mapping(node, self.sub(key))

    def text_mapping(self, key: str) -> dict[str, str]:
        """A free mapping of names to strings (variables, headers)."""
        node = self.sub_mapping(key)
        result: dict[str, str] = {}
        for key_node, value_node in mapping_pairs(node) if node is not None else ():
            value = self.walk.text(value_node, sub_path(self.sub(key), str(key_node.value)))
            if value is not None:
                result[str(key_node.value)] = value
        return result
