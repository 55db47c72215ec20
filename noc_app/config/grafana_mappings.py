"""Grafana value mappings -> a stat panel's `mappings` and `no_data_text` (pure).

Read: modern `fieldConfig.defaults.mappings` ({type: value|range|special|regex, options}),
Grafana 7's flat form ({type: 1|2, value|from/to, text}) and legacy singlestat
`valueMaps`/`rangeMaps`.  Ours match one number exactly and show text, so a range
maps only when it is one number; a null/NaN match becomes the no-data text; the
rest (regex, non-numeric values, colours) is reported, one line per rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from noc_app.config.grafana_layout import JsonMap, finite_number
from noc_app.config.panel_display import MAX_MAPPINGS, MAX_TEXT, ValueMapping
from noc_app.config.schema import PanelKind

_NULL_MATCHES = ("null", "nan", "null+nan")


@dataclass(frozen=True, kw_only=True, slots=True)
class MappingsImport:
    mappings: tuple[ValueMapping, ...] = ()
    no_data_text: str = ""
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Rule:
    """One Grafana mapping rule, whatever its JSON generation."""

    type: str  # value | range | special | regex | what the JSON said
    key: object = None  # value: the matched value; range: (from, to); special: the match; regex: the pattern
    text: str = ""
    color: str = ""


def grafana_mappings(panel: JsonMap, kind: str) -> MappingsImport:
    """The panel's mappings in our terms, and a report line for each one that does not carry over."""
    rules = _rules(panel)
    if not rules:
        return MappingsImport()
    if kind != PanelKind.STAT:
        many = len(rules) != 1
        line = (f"{len(rules)} value mapping{'s' if many else ''} not imported: only stat panels show mapped "
                "text (shown as numbers)")
        return MappingsImport(dropped=(line,))
    mappings: list[ValueMapping] = []
    no_data = ""
    dropped: list[str] = []
    coloured = 0
    for rule in rules:
        shown = _describe(rule)
        if not rule.text:
            dropped.append(f"{shown} only sets a colour: colours of mappings are not imported")
            continue
        if len(rule.text) > MAX_TEXT:
            dropped.append(f"{shown}: text longer than {MAX_TEXT} characters is not imported")
            continue
        value = _single_value(rule)
        if value is not None and len(mappings) >= MAX_MAPPINGS:
            dropped.append(f"{shown}: more than {MAX_MAPPINGS} mappings, not imported")
            continue
        if value is not None:
            mappings.append(ValueMapping(value=value, text=rule.text))
        elif rule.type == "special" and rule.key in _NULL_MATCHES and not no_data:
            no_data = rule.text
        else:
            dropped.append(f"{shown}: {_why_not(rule)}")
            continue
        coloured += bool(rule.color)
    if coloured:
        dropped.append(f"colours of {coloured} value mapping{'s' if coloured != 1 else ''} are not imported "
                       "(the text is; the tile keeps its threshold colour)")
    return MappingsImport(mappings=tuple(mappings), no_data_text=no_data, dropped=tuple(dropped))


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _rules(panel: JsonMap) -> list[_Rule]:
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, Mapping) else None
    modern = _list(defaults.get("mappings")) if isinstance(defaults, Mapping) else []
    rules = [rule for item in (*modern, *_list(panel.get("mappings"))) for rule in _modern_rules(item)]
    legacy_type = panel.get("mappingType")
    if legacy_type != 2:  # singlestat applies the list its mappingType selects (1: values, the default)
        rules += [_legacy_value(item) for item in _list(panel.get("valueMaps")) if isinstance(item, Mapping)]
    if legacy_type == 2:
        rules += [_Rule("range", (item.get("from"), item.get("to")), _text(item.get("text")))
                  for item in _list(panel.get("rangeMaps")) if isinstance(item, Mapping)]
    return rules


def _modern_rules(item: object) -> list[_Rule]:
    if not isinstance(item, Mapping):
        return []
    kind = item.get("type")
    options = item.get("options")
    if kind in (1, 2):  # Grafana 7.0-7.3: {type: 1, value, text} / {type: 2, from, to, text}
        if kind == 1:
            return [_legacy_value(item)]
        return [_Rule("range", (item.get("from"), item.get("to")), _text(item.get("text")))]
    if not isinstance(options, Mapping):
        return [_Rule(str(kind))]
    if kind == "value":
        return [_Rule("value", key, *_result(result)) for key, result in options.items()]
    if kind == "range":
        return [_Rule("range", (options.get("from"), options.get("to")), *_result(options.get("result")))]
    if kind == "special":
        return [_Rule("special", str(options.get("match") or ""), *_result(options.get("result")))]
    if kind == "regex":
        return [_Rule("regex", str(options.get("pattern") or ""), *_result(options.get("result")))]
    return [_Rule(str(kind), None, *_result(options.get("result")))]


def _legacy_value(item: JsonMap) -> _Rule:
    value = item.get("value")
    if isinstance(value, str) and value.strip().lower() == "null":
        return _Rule("special", "null", _text(item.get("text")))
    return _Rule("value", value, _text(item.get("text")))


def _result(result: object) -> tuple[str, str]:
    if not isinstance(result, Mapping):
        return "", ""
    color = result.get("color")
    return _text(result.get("text")), color if isinstance(color, str) else ""


def _text(value: object) -> str:
    return str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _single_value(rule: _Rule) -> float | None:
    """The one number a value rule (or a from == to range) matches."""
    if rule.type == "value":
        return finite_number(rule.key)
    if rule.type == "range" and isinstance(rule.key, tuple):
        low, high = (finite_number(end) for end in rule.key)
        return low if low is not None and low == high else None
    return None


def _describe(rule: _Rule) -> str:
    target = f" -> '{rule.text}'" if rule.text else ""
    if rule.type == "value":
        return f"value mapping {_shown(rule.key)}{target}"
    if rule.type == "range" and isinstance(rule.key, tuple):
        low, high = (_shown(end) for end in rule.key)
        return f"range mapping {low}..{high}{target}"
    if rule.type == "special":
        return f"special mapping '{rule.key}'{target}"
    if rule.type == "regex":
        return f"regex mapping /{rule.key}/{target}"
    return f"mapping of type '{rule.type}'{target}"


def _shown(value: object) -> str:
    number = finite_number(value)
    if number is not None:
        return f"{number:g}"
    return "(none)" if value is None or value == "" else f"'{value}'"


def _why_not(rule: _Rule) -> str:
    if rule.type == "value":
        return "only numbers are matched here (the value is not one)"
    if rule.type == "range":
        return "ranges are not supported here (a mapping matches one number)"
    if rule.type == "special":
        if rule.key in _NULL_MATCHES:
            return "a null/NaN mapping is already imported as the no-data text"
        return f"special match '{rule.key}' has no equivalent here"
    if rule.type == "regex":
        return "regex mappings are not supported here (a mapping matches one number)"
    return "unknown mapping type"
