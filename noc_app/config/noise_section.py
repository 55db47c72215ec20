"""The `noise:` and `topology:` sections: flapping, young warnings, maintenance windows, correlation.

    noise:
      flapping: {changes: 3, window: 10m}     # more than 3 fire/resolve cycles in 10 minutes
      warning_min_duration: 2m                # warnings show once they have fired this long
      maintenance:
        - {name: db patching, match: {service: db}, start: 2026-12-05T22:00Z, end: 2026-12-06T02:00Z}
        - {name: backups, match: {job: backup}, daily: "01:00-03:00", days: [sat, sun], timezone: Europe/Berlin}
      correlation: {window: 5m, labels: [service, instance, node, namespace]}
    topology:
      checkout: [payments]
      payments: [db]

What each setting does lives in noc_app.noise; this module checks spelling and reports file:line problems.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import available_timezones

from yaml import MappingNode, Node, ScalarNode

from noc_app.config.yaml_nodes import MapReader, Walk, describe, mapping_pairs, sub_path
from noc_app.noise.config import (
    DEFAULT_CORRELATION_LABELS,
    WEEKDAYS,
    Correlation,
    FlapRule,
    MaintenanceWindow,
    NoiseConfig,
)

MAX_WINDOWS = 500
_DAILY = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_WINDOW_KEYS = ("name", "match", "start", "end", "daily", "days", "timezone")


def read_noise(walk: Walk, top: MapReader) -> NoiseConfig:
    topology = read_topology(walk, top)
    node = top.sub_mapping("noise")
    if node is None:
        return NoiseConfig(topology=topology)
    section = MapReader(walk, node, top.sub("noise"),
                        ("flapping", "warning_min_duration", "maintenance", "correlation"))
    return NoiseConfig(
        flapping=_read_flapping(walk, section),
        warning_min_duration_s=section.duration("warning_min_duration", 0.0, minimum=0.0) or 0.0,
        maintenance=_read_windows(walk, section),
        correlation=_read_correlation(walk, section),
        topology=topology,
    )


def _read_flapping(walk: Walk, section: MapReader) -> FlapRule:
    node = section.sub_mapping("flapping")
    if node is None:
        return FlapRule()
    flapping = MapReader(walk, node, section.sub("flapping"), ("changes", "window"))
    changes = flapping.integer("changes", None, minimum=1)
    if changes is None and not flapping.has("changes"):
        flapping.missing("changes")
    window = flapping.duration("window", 600.0, minimum=1.0)
    return FlapRule(changes=changes or 0, window_s=window or 600.0)


def _read_correlation(walk: Walk, section: MapReader) -> Correlation:
    node = section.sub_mapping("correlation")
    if node is None:
        return Correlation()
    correlation = MapReader(walk, node, section.sub("correlation"), ("window", "labels"))
    window = correlation.duration("window", 300.0, minimum=0.0)
    labels = tuple(dict.fromkeys(t.strip() for t in correlation.texts("labels") if t.strip()))
    if correlation.has("labels") and not labels:
        walk.error(correlation.get("labels"), correlation.sub("labels"),
                   "expected at least one label name, e.g. service")
    return Correlation(window_s=300.0 if window is None else window, labels=labels or DEFAULT_CORRELATION_LABELS)


def _read_windows(walk: Walk, section: MapReader) -> tuple[MaintenanceWindow, ...]:
    items = section.items("maintenance", noun="maintenance window")
    if len(items) > MAX_WINDOWS:
        walk.error(section.get("maintenance"), section.sub("maintenance"),
                   f"at most {MAX_WINDOWS} maintenance windows, got {len(items)}")
        return ()
    windows = []
    for node, path in items:
        mapping = walk.mapping(node, path)
        if mapping is not None:
            window = _read_window(walk, MapReader(walk, mapping, path, _WINDOW_KEYS))
            if window is not None:
                windows.append(window)
    return tuple(windows)


def _read_window(walk: Walk, item: MapReader) -> MaintenanceWindow | None:
    name = item.text("name", required=True) or ""
    match = item.text_mapping("match")
    if not match:
        walk.error(item.get("match") or item.node, item.sub("match"),
                   "expected labels to match, e.g. match: {service: db} (a window for everything hides everything)")
    zone = _zone(walk, item)
    if item.has("daily"):
        for key in ("start", "end"):
            if item.has(key):
                walk.error(item.key_nodes[key], item.sub(key), f"give either 'daily' or '{key}', not both")
        minutes = _daily(walk, item)
        days = _days(walk, item)
        if minutes is None:
            return None
        return MaintenanceWindow(name=name, match=match, from_minute=minutes[0], to_minute=minutes[1],
                                 days=days, time_zone=zone)
    item.not_for("days", "daily windows")
    start, end = _instant(walk, item, "start"), _instant(walk, item, "end")
    if not item.has("start") and not item.has("end"):
        walk.error(item.node, item.path, "expected 'start' and 'end' (ISO times) or 'daily' (e.g. \"01:00-03:00\")")
        return None
    if start is not None and end is not None and end <= start:
        walk.error(item.get("end"), item.sub("end"), "expected 'end' after 'start'")
        return None
    return MaintenanceWindow(name=name, match=match, start=start, end=end, time_zone=zone)


def _zone(walk: Walk, item: MapReader) -> str:
    text = item.text("timezone", "") or ""
    if text and text not in _zone_names():
        walk.error(item.get("timezone"), item.sub("timezone"),
                   f"unknown time zone '{text}'; expected an IANA name such as Europe/Berlin or UTC")
        return ""
    return text


def _zone_names() -> set[str]:
    return available_timezones() | {"UTC"}


def _instant(walk: Walk, item: MapReader, key: str) -> float | None:
    node = item.get(key)
    if node is None:
        return None
    text = str(node.value).strip() if isinstance(node, ScalarNode) else ""
    try:
        when = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        walk.error(node, item.sub(key), f"expected an ISO time with its zone, e.g. 2026-12-05T22:00:00Z, "
                                        f"got {describe(node)}")
        return None
    return when.timestamp()


def _daily(walk: Walk, item: MapReader) -> tuple[int, int] | None:
    node = item.get("daily")
    text = walk.text(node, item.sub("daily")) if node is not None else None
    found = _DAILY.fullmatch(text.strip()) if text is not None else None
    if found is not None:
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60 and (h2 < 24 or m2 == 0) and (h1, m1) != (h2, m2):
            return h1 * 60 + m1, h2 * 60 + m2
    if text is not None:
        walk.error(node, item.sub("daily"), f"expected a time range like \"01:00-03:00\" (24 h clock), got '{text}'")
    return None


def _days(walk: Walk, item: MapReader) -> tuple[int, ...]:
    days = []
    for node, path in item.items("days"):
        text = walk.text(node, path)
        key = (text or "").strip().lower()[:3]
        if text is not None and key in WEEKDAYS and (text.strip().lower() in (key, _long_day(key))):
            days.append(WEEKDAYS.index(key))
        elif text is not None:
            walk.error(node, path, f"expected a weekday ({', '.join(WEEKDAYS)}), got '{text}'")
    return tuple(sorted(set(days)))


_LONG_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _long_day(short: str) -> str:
    return _LONG_DAYS[WEEKDAYS.index(short)]  # not strftime: the locale's names are not the config's


def read_topology(walk: Walk, top: MapReader) -> dict[str, tuple[str, ...]]:
    """`topology:` service -> the services it depends on (a name or a list of names)."""
    node = top.sub_mapping("topology")
    result: dict[str, tuple[str, ...]] = {}
    for key_node, value_node in mapping_pairs(node) if isinstance(node, MappingNode) else ():
        name = str(key_node.value)
        path = sub_path(top.sub("topology"), name)
        deps = _names(walk, value_node, path)
        if name in deps:
            walk.error(value_node, path, f"'{name}' cannot depend on itself")
            deps = tuple(d for d in deps if d != name)
        result[name] = deps
    return result


def _names(walk: Walk, node: Node, path: str) -> tuple[str, ...]:
    if isinstance(node, ScalarNode) and node.tag.endswith(":str"):
        return (str(node.value).strip(),) if str(node.value).strip() else ()
    values = walk.sequence(node, path)
    if values is None:
        return ()
    names = []
    for i, value in enumerate(values):
        text = walk.text(value, f"{path}[{i}]")
        if text is not None and text.strip():
            names.append(text.strip())
    return tuple(dict.fromkeys(names))

