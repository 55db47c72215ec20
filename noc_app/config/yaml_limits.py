"""Compose YAML with limits on nesting depth, node count and alias expansion.

PyYAML composes an alias as a second reference to the same node, so a 1 KB
"billion laughs" document composes quickly; but every walk over the tree that
follows the references (validation, merge keys, plain construction) then does
exponential work.  This loader counts, while composing, how many nodes each
anchor stands for and refuses a document whose aliases would expand beyond a
small budget, or that nests too deep for the recursive walks, or whose alias
points back into the mapping or list that holds it.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent, Event, MappingStartEvent, SequenceStartEvent
from yaml.nodes import Node

from noc_app.config.limits import MAX_ALIAS_NODES, MAX_DEPTH, MAX_NODES


class YamlLimitError(Exception):
    """A document over one of the limits; `mark` points at the offending node."""

    def __init__(self, mark: Any, message: str) -> None:  # a yaml Mark: pure-Python or libyaml's
        super().__init__(message)
        self.mark = mark
        self.message = message


class LimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer enforces MAX_DEPTH, MAX_NODES and MAX_ALIAS_NODES."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._node_count = 0
        self._alias_nodes = 0
        self._open_anchors: set[str] = set()  # anchors of collections still being composed
        self._sizes: dict[str, int] = {}  # anchor -> nodes it stands for, aliases expanded
        self._heights: dict[str, int] = {}  # anchor -> nesting levels it adds, aliases expanded
        self._open_sizes: list[int] = []  # expanded sizes of the collections being composed
        self._open_heights: list[int] = []  # and the deepest child height of each

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        if isinstance(event, AliasEvent):
            return self._compose_alias(parent, index, event)
        self._node_count += 1
        if self._node_count > MAX_NODES:
            raise YamlLimitError(event.start_mark, f"more than {MAX_NODES} YAML nodes; a config needs far fewer")
        anchor: str | None = getattr(event, "anchor", None)  # node events carry one; Event stubs do not say so
        if not isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            node = super().compose_node(parent, index)
            self._record(anchor, 1, 0)
            return node
        if len(self._open_sizes) >= MAX_DEPTH:
            raise YamlLimitError(event.start_mark,
                                 f"nested deeper than {MAX_DEPTH} levels; a config needs far fewer")
        self._open_sizes.append(0)
        self._open_heights.append(0)
        if anchor is not None:
            self._open_anchors.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self._open_anchors.discard(anchor)
        self._record(anchor, self._open_sizes.pop() + 1, self._open_heights.pop() + 1)
        return node

    def _compose_alias(self, parent: Node | None, index: Any, event: AliasEvent) -> Node | None:
        anchor = str(event.anchor)
        if anchor in self._open_anchors:
            raise YamlLimitError(event.start_mark, (
                f"alias *{anchor} points into the mapping or list that holds it (a recursive structure); "
                "expected a tree"
            ))
        size = self._sizes.get(anchor, 1)  # an undefined alias is reported by PyYAML itself
        self._alias_nodes += size
        if self._alias_nodes > MAX_ALIAS_NODES:
            raise YamlLimitError(event.start_mark, (
                f"alias *{anchor} takes the aliases and merge keys (<<) of this file past "
                f"{MAX_ALIAS_NODES} expanded nodes; write the repeated part out or use fewer nested aliases"
            ))
        # Aliases nest too: [*a] where a is [*b] ... is as deep as it reads expanded, and the
        # recursive walks (plain construction of options) follow it level by level.
        height = self._heights.get(anchor, 0)
        if len(self._open_sizes) + height > MAX_DEPTH:
            raise YamlLimitError(event.start_mark, (
                f"alias *{anchor} nests deeper than {MAX_DEPTH} levels once expanded; a config needs far fewer"
            ))
        node = super().compose_node(parent, index)
        self._record(None, size, height)
        return node

    def _record(self, anchor: str | None, size: int, height: int) -> None:
        if anchor is not None:
            self._sizes[anchor] = size
            self._heights[anchor] = height
        if self._open_sizes:
            self._open_sizes[-1] += size
            self._open_heights[-1] = max(self._open_heights[-1], height)


def compose_limited(text: str) -> Node | None:
    """The root node of a single-document YAML text, within the limits; raises YamlLimitError or YAMLError."""
    loader = LimitedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()
