"""Checks over the whole config: duplicate keys and unsafe tags in the YAML tree (errors, before any
section is read), and warnings over the loaded config (a source no panel uses, an option no adapter reads).
"""

from __future__ import annotations

import difflib

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from noc_app.config.schema import AppConfig
from noc_app.config.source_options import OPTION_SPECS
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


def config_warnings(config: AppConfig) -> list[str]:
    """Things that are allowed but probably not meant, each as 'file:line path: warning: ...'.

    check-config prints them and still succeeds: the wall runs as configured.
    """
    used = {
        source
        for dashboard in config.dashboards
        for panel in dashboard.panels
        for source in (panel.source, *panel.sources)
        if source is not None
    }
    warnings: list[str] = []
    for index, source in enumerate(config.sources):
        where = source.origin or config.path
        if source.id not in used and not source.deadman_alert:  # a dead man's switch needs no panel
            warnings.append(f"{where} sources[{index}]: warning: no panel uses source '{source.id}'")
        known = OPTION_SPECS.get(source.kind)
        if known is None:
            continue
        for name in sorted(source.options):
            if name not in known:
                close = difflib.get_close_matches(name, list(known), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(known)}"
                warnings.append(
                    f"{where} sources[{index}].options.{name}: warning: a {source.kind} source does not "
                    f"read option '{name}' (ignored); {hint}"
                )
    return warnings
