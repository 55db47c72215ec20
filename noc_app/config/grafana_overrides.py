"""Grafana field overrides and legacy seriesOverrides -> legend colours, right axis, stacking (pure).

Carried over on a time series: a fixed colour for series matched by name (escaped to a
full-match regex) or by regexp; a right-hand axis with its unit for the one query the
matcher names (its refId, or a legend equal to the name); stacking `normal` (or legacy
`stack: true`), and a series taken out of the stack (`custom.stacking` with group false or
mode none, legacy `stack: false`: a total or a limit drawn over the stack) as its query's
`stack: false`; a fill opacity of 0 where we draw no fill anyway.  Everything else is
reported with the override it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from noc_app.config.grafana_layout import JsonMap
from noc_app.config.panel_display import MAX_COLOR_RULES, SeriesColor
from noc_app.config.schema import PanelKind, QueryConfig

Target = tuple[str, QueryConfig]  # (refId, query) for each visible target
_PALETTE = {  # Grafana's named colours (packages/grafana-data/src/themes/colors)
    "red": "#f2495c", "orange": "#ff9830", "yellow": "#fade2a", "green": "#73bf69", "blue": "#5794f2",
    "purple": "#b877d9",
    "dark-red": "#c4162a", "dark-orange": "#fa6400", "dark-yellow": "#e0b400", "dark-green": "#37872d",
    "dark-blue": "#1f60c4", "dark-purple": "#8f3bb8",
    "semi-dark-red": "#e02f44", "semi-dark-orange": "#ff780a", "semi-dark-yellow": "#f2cc0c",
    "semi-dark-green": "#56a64b", "semi-dark-blue": "#3274d9", "semi-dark-purple": "#a352cc",
    "light-red": "#ff7383", "light-orange": "#ffb357", "light-yellow": "#ffee52", "light-green": "#96d98d",
    "light-blue": "#8ab8ff", "light-purple": "#ca95e5",
    "super-light-red": "#ffa6b0", "super-light-orange": "#ffcb7d", "super-light-yellow": "#fff899",
    "super-light-green": "#c8f2c2", "super-light-blue": "#c0d8ff", "super-light-purple": "#deb6f2",
}
_AXIS_PROPERTIES = ("custom.axisPlacement", "unit")
_LEGACY_IGNORED = ("alias", "yaxis", "color", "$$hashKey")


@dataclass(frozen=True, kw_only=True, slots=True)
class SeriesImport:
    series_colors: tuple[SeriesColor, ...] = ()
    stacked: bool = False
    queries: tuple[QueryConfig, ...] = ()
    dropped: tuple[str, ...] = ()


@dataclass(slots=True)
class _Work:
    queries: list[Target]
    unit_of: Callable[[str], str]
    colors: list[SeriesColor]
    dropped: list[str]
    panel_unit: str = ""  # the Grafana unit an override without `unit` inherits
    stacked: bool = False  # the panel stacks its series (then a series can be taken out of the stack)
    right_unit: str | None = None  # the right axis' unit, once a query went there


def grafana_series(panel: JsonMap, kind: str, targets: Sequence[Target],
                   unit_of: Callable[[str], str]) -> SeriesImport:
    """Per-series options of a panel in our terms; `unit_of` converts a Grafana unit id."""
    defaults = _field_config(panel).get("defaults")
    panel_unit = defaults.get("unit") if isinstance(defaults, Mapping) else None
    work = _Work(list(targets), unit_of, [], [], panel_unit=panel_unit if isinstance(panel_unit, str) else "")
    work.stacked = _stacking(panel, work.dropped) if kind == PanelKind.TIMESERIES else False
    overrides = [o for o in _list(_field_config(panel).get("overrides")) if isinstance(o, Mapping)]
    legacy = [o for o in _list(panel.get("seriesOverrides")) if isinstance(o, Mapping)]
    if kind != PanelKind.TIMESERIES:
        lines = [f"{_matcher_text(o)}: not imported (per-series options apply to time series only)"
                 for o in overrides]
        lines += [f"series override for {_alias_text(o)}: not imported (per-series options apply to time "
                  "series only)" for o in legacy]
        return SeriesImport(queries=tuple(q for _, q in targets), dropped=tuple(lines))
    for override in overrides:
        _field_override(work, override)
    right_format = _axis_format(panel, 1)
    for override in legacy:
        _legacy_override(work, override, right_format)
    if len(work.colors) > MAX_COLOR_RULES:
        work.dropped.append(f"{len(work.colors) - MAX_COLOR_RULES} series colours over {MAX_COLOR_RULES} "
                            "are not imported")
    return SeriesImport(series_colors=tuple(work.colors[:MAX_COLOR_RULES]), stacked=work.stacked,
                        queries=tuple(q for _, q in work.queries), dropped=tuple(work.dropped))


def grafana_color(value: object) -> str | None:
    """'#rrggbb' for a Grafana colour (named, #rgb, #rrggbb[aa], rgb[a]()); None when unreadable."""
    text = str(value).strip().lower() if isinstance(value, str) else ""
    if text in _PALETTE:
        return _PALETTE[text]
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        return "#" + "".join(c * 2 for c in text[1:])
    if re.fullmatch(r"#[0-9a-f]{6}(?:[0-9a-f]{2})?", text):
        return text[:7]
    match = re.fullmatch(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)", text)
    if match:
        return "#" + "".join(f"{min(255, int(part)):02x}" for part in match.groups())
    return None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _field_config(panel: JsonMap) -> JsonMap:
    field_config = panel.get("fieldConfig")
    return field_config if isinstance(field_config, Mapping) else {}


def _matcher(override: JsonMap) -> tuple[str, str]:
    matcher = override.get("matcher")
    if not isinstance(matcher, Mapping):
        return "", ""
    options = matcher.get("options")
    return str(matcher.get("id") or ""), options if isinstance(options, str) else ""


def _matcher_text(override: JsonMap) -> str:
    kind, option = _matcher(override)
    regexp = option if option.startswith("/") else f"/{option}/"
    shown = {"byName": f"name '{option}'", "byRegexp": f"regexp {regexp}",
             "byFrameRefID": f"query {option}"}.get(kind, f"matcher '{kind or '?'}'")
    return f"override for {shown}"


def _alias_text(override: JsonMap) -> str:
    return f"'{override.get('alias')}'" if isinstance(override.get("alias"), str) else "(no alias)"


def _field_override(work: _Work, override: JsonMap) -> None:
    kind, option = _matcher(override)
    named = _matcher_text(override)
    properties = {str(p.get("id")): p.get("value") for p in _list(override.get("properties"))
                  if isinstance(p, Mapping)}
    if "color" in properties:
        _color_property(work, named, kind, option, properties["color"])
    unfilled = not work.stacked  # we fill only stacked series
    if "custom.stacking" in properties:
        unfilled = _stacking_property(work, named, kind, option, properties["custom.stacking"]) or unfilled
    handled = {"color", "custom.stacking", *_AXIS_PROPERTIES}
    if unfilled and properties.get("custom.fillOpacity") == 0:
        handled.add("custom.fillOpacity")  # no fill asked for, and none drawn
    rest = [prop for prop in properties if prop not in handled]
    if rest:
        work.dropped.append(f"{named}: {', '.join(rest)} not imported")
    placement = properties.get("custom.axisPlacement")
    if placement == "right":
        query = _query_index(work, kind, option)
        unit = work.unit_of(str(properties.get("unit") or work.panel_unit))
        if query is None:
            work.dropped.append(f"{named}: right-hand axis not imported (it must name one query, by its refId "
                                "or a legend equal to the name)")
        else:
            _to_right(work, query, unit, named)
    elif placement not in (None, "auto", "left"):
        work.dropped.append(f"{named}: axis placement '{placement}' is not imported")
    if "unit" in properties and placement != "right":
        work.dropped.append(f"{named}: unit '{properties['unit']}' not imported (a unit per series needs the "
                            "right-hand axis)")


def _stacking_property(work: _Work, named: str, kind: str, option: str, value: object) -> bool:
    """Take the series a matcher names out of the stack; True when they are drawn unstacked (and unfilled)."""
    setting: JsonMap = value if isinstance(value, Mapping) else {}
    if not work.stacked:
        return True  # nothing is stacked: every series is drawn on its own already
    if setting.get("group") is not False and setting.get("mode") != "none":
        if setting.get("mode") not in ("normal", None):
            work.dropped.append(f"{named}: stacking '{setting.get('mode')}' is not imported")
        return False  # stays in the panel's stack
    found = _stacked_queries(work, kind, option)
    if not found:
        work.dropped.append(f"{named}: taking series out of the stack is not imported (it must name queries, by "
                            "refId, by a legend equal to the name, or by a regexp their legends match)")
        return False
    for index in found:
        ref, query = work.queries[index]
        work.queries[index] = (ref, replace(query, stack=False))
    return True


def _stacked_queries(work: _Work, kind: str, option: str) -> list[int]:
    """The queries whose series a matcher names, for stacking: by refId, by name or by regexp on the legend."""
    if kind == "byRegexp":
        pattern = _series_pattern(kind, option)
        return [i for i, (_, q) in enumerate(work.queries)
                if pattern is not None and q.legend and "{{" not in q.legend and re.search(pattern, q.legend)]
    index = _query_index(work, kind, option)
    return [index] if index is not None else []


def _color_property(work: _Work, named: str, kind: str, option: str, value: object) -> None:
    setting: JsonMap = value if isinstance(value, Mapping) else {}
    mode = setting.get("mode")
    color = grafana_color(setting.get("fixedColor")) if mode == "fixed" else None
    pattern = _series_pattern(kind, option)
    if mode != "fixed":
        work.dropped.append(f"{named}: colour mode '{mode}' is not imported (only a fixed colour is)")
    elif color is None:
        work.dropped.append(f"{named}: colour {setting.get('fixedColor')!r} is not readable, not imported")
    elif pattern is None:
        work.dropped.append(f"{named}: colour not imported (colours match series by name or regexp)")
    else:
        work.colors.append(SeriesColor(pattern=pattern, color=color))


def _series_pattern(kind: str, option: str) -> str | None:
    """A regex (re.search) for the series a matcher names; None when it names none we can match."""
    if kind == "byName" and option:
        return f"^{re.escape(option)}$"
    if kind == "byRegexp" and option:
        pattern = option
        if option.startswith("/") and option.count("/") > 1:  # JavaScript's /pattern/flags
            pattern = option[1:option.rindex("/")]
            pattern = f"(?i){pattern}" if "i" in option[option.rindex("/") + 1:] else pattern
        try:
            re.compile(pattern)
        except re.error:
            return None
        return pattern
    return None


def _query_index(work: _Work, kind: str, option: str) -> int | None:
    """The one query a matcher names: by refId, or by a literal legend equal to the name."""
    if kind == "byFrameRefID":
        found = [i for i, (ref, _) in enumerate(work.queries) if ref == option]
    elif kind == "byName":
        found = [i for i, (_, q) in enumerate(work.queries) if q.legend and q.legend == option]
    else:
        return None
    return found[0] if len(found) == 1 and option else None


def _to_right(work: _Work, index: int, unit: str, named: str) -> None:
    if work.right_unit is not None and unit != work.right_unit:
        work.dropped.append(f"{named}: right-hand axis in '{unit}' not imported (the right axis already "
                            f"shows '{work.right_unit}')")
        return
    work.right_unit = unit
    ref, query = work.queries[index]
    work.queries[index] = (ref, replace(query, axis="right", unit=unit))


def _legacy_override(work: _Work, override: JsonMap, right_format: str) -> None:
    alias = override.get("alias")
    named = f"series override for {_alias_text(override)}"
    literal = isinstance(alias, str) and bool(alias) and not (alias.startswith("/") and alias.count("/") > 1)
    if "color" in override:
        color = grafana_color(override.get("color"))
        pattern = _series_pattern("byName" if literal else "byRegexp", alias if isinstance(alias, str) else "")
        if color is None or pattern is None:
            work.dropped.append(f"{named}: colour {override.get('color')!r} not imported")
        else:
            work.colors.append(SeriesColor(pattern=pattern, color=color))
    if override.get("yaxis") == 2:
        found = [i for i, (_, q) in enumerate(work.queries) if literal and q.legend == alias]
        if len(found) == 1:
            _to_right(work, found[0], work.unit_of(right_format), named)
        else:
            work.dropped.append(f"{named}: right-hand axis not imported (the alias must equal one query's "
                                "legend)")
    handled = set(_LEGACY_IGNORED)
    unfilled = not work.stacked  # we fill only stacked series
    if override.get("stack") is False:
        found = _stacked_queries(work, "byName" if literal else "byRegexp", alias if isinstance(alias, str) else "")
        if not work.stacked or found:
            handled.add("stack")
            unfilled = True
            for index in found if work.stacked else ():
                ref, query = work.queries[index]
                work.queries[index] = (ref, replace(query, stack=False))
    if unfilled and override.get("fill") == 0:
        handled.add("fill")  # no fill asked for, and none drawn
    rest = sorted(key for key in override if key not in handled)
    if rest:
        work.dropped.append(f"{named}: {', '.join(rest)} not imported")


def _axis_format(panel: JsonMap, index: int) -> str:
    axes = _list(panel.get("yaxes") or panel.get("yAxes"))
    axis = axes[index] if len(axes) > index and isinstance(axes[index], Mapping) else {}
    return str(axis.get("format") or "")


def _stacking(panel: JsonMap, dropped: list[str]) -> bool:
    defaults = _field_config(panel).get("defaults")
    custom = defaults.get("custom") if isinstance(defaults, Mapping) else None
    stacking = custom.get("stacking") if isinstance(custom, Mapping) else None
    mode = stacking.get("mode") if isinstance(stacking, Mapping) else None
    if mode == "percent":
        dropped.append("stacking as 100% (percent) is not imported: series drawn unstacked")
    if panel.get("stack") is True and panel.get("percentage") is True:
        dropped.append("stacking as 100% (percentage) is not imported: series drawn unstacked")
        return False
    return mode == "normal" or panel.get("stack") is True
