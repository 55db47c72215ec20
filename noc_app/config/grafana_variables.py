"""Grafana `templating.list` -> VariableConfig definitions, with a report of what is left out (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from noc_app.config.grafana_layout import JsonMap
from noc_app.config.schema import ALL_VALUE, VariableConfig
from noc_app.variables import parse_label_values

DATASOURCE_TYPES = ("loki", "elasticsearch", "prometheus")


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def template_list(board: JsonMap) -> list[JsonMap]:
    templating = board.get("templating")
    items = _list(templating.get("list")) if isinstance(templating, Mapping) else []
    return [item for item in items if isinstance(item, Mapping) and item.get("name")]


def datasource_variables(board: JsonMap) -> dict[str, str]:
    """name -> datasource type ('loki', 'prometheus', ...) of the datasource pickers."""
    return {str(v["name"]): str(v.get("query") or "") for v in template_list(board) if v.get("type") == "datasource"}


def grafana_variables(board: JsonMap, notes: list[str]) -> tuple[VariableConfig, ...]:
    """Our definitions of the dashboard's variables; anything not kept is noted with the reason."""
    found = []
    for var in template_list(board):
        name, kind = str(var["name"]), str(var.get("type") or "")
        if kind == "datasource":
            continue  # the import maps datasources to our sources itself
        current = _current(var.get("current"))
        if kind == "constant":
            query = var.get("query")
            found.append(VariableConfig(name=name, kind="constant", current=(str(query or ""),)))
        elif kind in ("custom", "interval"):
            options = tuple(o.strip() for o in str(var.get("query") or "").split(",") if o.strip())
            found.append(VariableConfig(name=name, kind=kind, options=options, current=current,
                                        include_all=var.get("includeAll") is True,
                                        all_value=_text(var.get("allValue")), multi=var.get("multi") is True))
        elif kind == "query":
            query = var.get("query")
            text = query.get("query") if isinstance(query, Mapping) else query
            text = str(text or "")
            if parse_label_values(text) is None:
                notes.append(f"variable ${name}: query {text!r} is not label_values(...); "
                             "kept with its saved value only")
            regex = str(var.get("regex") or "")
            found.append(VariableConfig(name=name, kind="query", query=text, current=current, regex=regex,
                                        include_all=var.get("includeAll") is True,
                                        all_value=_text(var.get("allValue")), multi=var.get("multi") is True))
        elif kind == "textbox":
            found.append(VariableConfig(name=name, kind="constant", current=(str(_first(current)),)))
        else:
            notes.append(f"variable ${name}: type {kind or 'unknown'!r} is not supported; dropped")
    return tuple(found)


def _current(current: object) -> tuple[str, ...]:
    if isinstance(current, Mapping) and current.get("isNone") is True:
        return ("",)  # Grafana's "None": saved as an empty value, which matches series without the label
    value = current.get("value") if isinstance(current, Mapping) else None
    values = value if isinstance(value, list) else [value]
    texts = tuple(str(v) for v in values if isinstance(v, str | int | float) and not isinstance(v, bool))
    return (ALL_VALUE,) if ALL_VALUE in texts else tuple(t for t in texts if t != "")


def _first(values: tuple[str, ...]) -> str:
    return values[0] if values else ""


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
