"""Checks over the whole YAML tree, before any section is read: duplicate keys and unsafe tags."""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from noc_app.config.yaml_nodes import (
    MERGE_TAG,
    SCALAR_CONSTRUCTORS,
    Walk,
    describe,
    item_path,
    sub_path,
)


def report_tree_problems(walk: Walk, node: Node | None, path: str = "",
                         seen: set[int] | None = None) -> None:
    """Report keys given twice in one mapping and tags safe YAML does not know, anywhere."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if node.tag not in SCALAR_CONSTRUCTORS and node.tag != MERGE_TAG:
        walk.error(node, path, f"unsupported YAML tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}'")
        walk.unsupported.add(id(node))
    if isinstance(node, MappingNode):
        first: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else describe(key_node)
            if key in first:
                line = first[key].start_mark.line + 1
                walk.error(key_node, sub_path(path, key), f"duplicate key '{key}' (first at line {line})")
            else:
                first[key] = key_node
            report_tree_problems(walk, value_node, sub_path(path, key), seen)
    elif isinstance(node, SequenceNode):
        for index, value_node in enumerate(node.value):
            report_tree_problems(walk, value_node, item_path(path, index), seen)
