"""The `variables:` mapping (top level, per dashboard, or on an import_grafana entry).

    variables:
      job: node                      # a fixed value (constant)
      instance: [a:9100, b:9100]     # several values: `=~"$instance"` matches any
      node:                          # a query variable, resolved against the Prometheus source
        query: label_values(node_uname_info{job="$job"}, instance)
        current: 10.0.0.5:9100       # optional: the value to start with (else the first found)
        include_all: false
      interval: {values: [1m, 5m, 15m], current: 5m}
"""

from __future__ import annotations

from dataclasses import replace

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from noc_app.config.schema import ALL_VALUE, VariableConfig
from noc_app.config.yaml_nodes import MapReader, Walk, describe, mapping_pairs, sub_path
from noc_app.variables import parse_label_values, value_regex

_VARIABLE_KEYS = ("values", "current", "query", "regex", "include_all", "all_value", "multi")


def read_variables(walk: Walk, reader: MapReader, key: str = "variables") -> tuple[VariableConfig, ...]:
    """The variables under `key` of this mapping, in order."""
    node = reader.sub_mapping(key)
    found = []
    for name_node, value_node in mapping_pairs(node) if node is not None else ():
        path = sub_path(reader.sub(key), str(name_node.value))
        var = _read_variable(walk, str(name_node.value), value_node, path)
        if var is not None:
            found.append(var)
    return tuple(found)


def merge_variables(base: tuple[VariableConfig, ...],
                    override: tuple[VariableConfig, ...]) -> tuple[VariableConfig, ...]:
    """base with override's definitions: a bare value only changes the current value of a query variable."""
    by_name = {var.name: var for var in base}
    for var in override:
        old = by_name.get(var.name)
        if old is not None and var.kind == "constant" and old.kind in ("query", "custom", "interval"):
            by_name[var.name] = replace(old, current=var.current, origin=var.origin)
        else:
            by_name[var.name] = var
    return tuple(by_name.values())


def _read_variable(walk: Walk, name: str, node: Node, path: str) -> VariableConfig | None:
    origin = walk.origin(node)
    if isinstance(node, ScalarNode):
        text = walk.text(node, path)
        return None if text is None else VariableConfig(name=name, kind="constant", current=(text,), origin=origin)
    if isinstance(node, SequenceNode):
        values = _texts(walk, node, path)
        return VariableConfig(name=name, kind="custom", options=values, current=values, multi=True, origin=origin)
    if not isinstance(node, MappingNode):
        walk.error(node, path, f"expected a value, a list of values or a mapping, got {describe(node)}")
        return None
    item = MapReader(walk, node, path, _VARIABLE_KEYS)
    query = item.text("query", "") or ""
    if query and parse_label_values(query) is None:
        walk.error(item.nodes["query"], item.sub("query"),
                   f"expected label_values(metric{{...}}, label) or label_values(label), got {query!r}")
    regex = item.text("regex", "") or ""
    if regex and value_regex(regex) is None:
        walk.error(item.nodes["regex"], item.sub("regex"), f"expected a regular expression, got {regex!r}")
    values_node = item.get("values")
    options = _texts(walk, values_node, item.sub("values")) if values_node is not None else ()
    current_node = item.get("current")
    current: tuple[str, ...] = ()
    if isinstance(current_node, SequenceNode):
        current = _texts(walk, current_node, item.sub("current"))
    elif current_node is not None:
        text = walk.text(current_node, item.sub("current"))
        current = (ALL_VALUE,) if text in ("All", ALL_VALUE) else (text,) if text is not None else ()
    if not query and not options and not current:
        walk.error(node, path, "expected 'query', 'values' or 'current'")
    return VariableConfig(
        name=name, kind="query" if query else "custom", options=options, current=current, query=query, regex=regex,
        include_all=item.boolean("include_all", False), all_value=item.text("all_value"),
        multi=item.boolean("multi", len(current) > 1), origin=origin,
    )


def _texts(walk: Walk, node: Node, path: str) -> tuple[str, ...]:
    found = (walk.text(item, f"{path}[{index}]") for index, item in enumerate(walk.sequence(node, path) or ()))
    return tuple(text for text in found if text is not None)
