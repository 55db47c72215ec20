"""Playlists, screens, the P0-P3 severity policy and operator actions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from noc_app.config.display_schema import DisplayConfig
from noc_app.config.display_section import read_display
from noc_app.config.durations import DurationError, parse_duration
from noc_app.config.limits import MAX_PERIOD_S, MAX_SCREEN_INDEX
from noc_app.config.panel_section import read_severity
from noc_app.config.runbook_section import read_runbooks
from noc_app.config.schema import (
    ActionsConfig,
    ScreenConfig,
    SeverityLevel,
)
from noc_app.config.yaml_nodes import (
    NULL_TAG,
    STR_TAG,
    MapReader,
    Walk,
    describe,
    mapping_pairs,
    sub_path,
)

_POLICY_KEYS = (
    "id", "name", "severity", "match", "response_time", "resolution_target", "escalation", "channels",
)
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _screen_name(item: MapReader) -> str | None:
    """`screen: "HDMI-1"` (a Qt monitor name) rather than an index; None for a number or nothing.

    Monitor names start with a letter (HDMI-1, DP-2, eDP-1); anything else (`2`, `1e20`, `-1`) is
    read as an index, so a mistyped number gets the number's error rather than naming no monitor.
    """
    node = item.get("screen")
    if not isinstance(node, ScalarNode) or node.tag != STR_TAG or not str(node.value).strip()[:1].isalpha():
        return None
    return item.text("screen")


def read_screens(walk: Walk, top: MapReader, display: DisplayConfig | None = None) -> tuple[ScreenConfig, ...]:
    """Windows per monitor, each showing one dashboard or one playlist (and its own `display:` keys)."""
    screens = []
    for node, path in top.items("screens"):
        mapping = walk.mapping(node, path)
        if mapping is None:
            continue
        item = MapReader(walk, mapping, path, ("id", "screen", "dashboard", "playlist", "display"))
        screen_id = _declared_id(walk, item, "screen")
        # a screen beyond the monitors present is not an error (its content moves to one that is)
        monitor = _screen_name(item)
        number = 0 if monitor is not None else item.integer("screen", 0, minimum=0, maximum=MAX_SCREEN_INDEX)
        if not item.exclusive("dashboard", "playlist") and not (item.has("dashboard") or item.has("playlist")):
            item.missing("dashboard", "playlist")
        shown: dict[str, str | None] = {}
        for key in ("dashboard", "playlist"):
            name = shown[key] = item.text(key)
            if name is not None:
                walk.refer(key, name, item.nodes[key], item.sub(key))
        if screen_id is not None:
            own = read_display(walk, item, display) if item.has("display") else None
            screens.append(ScreenConfig(id=screen_id, screen=number or 0, screen_name=monitor, display=own, **shown))
    return tuple(screens)


def read_severity_policy(walk: Walk, top: MapReader) -> tuple[SeverityLevel, ...]:
    """The P0-P3 rows, first match wins: `severity: critical` (shorthand) or `match:` label matchers,
    response and resolution targets, escalation targets, notification channels.

    An empty or absent list means the seed's defaults (noc_app.actions.severity.DEFAULT_POLICY).
    """
    levels = []
    for node, path in top.items("severity_policy"):
        mapping = walk.mapping(node, path)
        if mapping is None:
            continue
        item = MapReader(walk, mapping, path, _POLICY_KEYS)
        level_id = _declared_id(walk, item, "severity level")
        if not item.exclusive("severity", "match") and not (item.has("severity") or item.has("match")):
            item.missing("severity", "match")
        severity_node = item.get("severity")
        severity = read_severity(walk, severity_node, item.sub("severity")) if severity_node else None
        matchers = _read_matchers(walk, item)
        response = _response_time(walk, item)
        resolution = item.duration("resolution_target", None, minimum=0.0, maximum=MAX_PERIOD_S)
        name = item.text("name")
        escalation, channels = item.texts("escalation"), item.texts("channels")
        if level_id is not None and (severity is not None or matchers):
            levels.append(SeverityLevel(
                id=level_id, name=name or level_id, severity=severity, match=matchers, response_time_s=response,
                resolution_target_s=resolution, escalation=escalation, channels=channels,
            ))
    return tuple(levels)


def _read_matchers(walk: Walk, item: MapReader) -> tuple[Mapping[str, tuple[str, ...]], ...]:
    """`match: {severity: critical}` or a list of such maps (any one matches); a value may be a list."""
    node = item.get("match")
    if node is None:
        return ()
    path = item.sub("match")
    entries = [(node, path)] if isinstance(node, MappingNode) else [
        (n, p) for n, p in item.items("match", required=True, noun="label matcher")
    ]
    matchers = []
    for entry_node, entry_path in entries:
        mapping = walk.mapping(entry_node, entry_path)
        if mapping is None:
            continue
        matcher: dict[str, tuple[str, ...]] = {}
        for key_node, value_node in mapping_pairs(mapping):
            label = str(key_node.value)
            value_path = sub_path(entry_path, label)
            if not _LABEL_NAME.fullmatch(label):
                walk.error(key_node, value_path, f"expected a label name like severity or priority, got '{label[:60]}'")
                continue
            values = walk.sequence(value_node, value_path) if isinstance(value_node, SequenceNode) else [value_node]
            texts = [walk.text(v, value_path) for v in values or ()]
            if not texts:
                walk.error(value_node, value_path, "expected a value or a list of values, got an empty list")
            matcher[label] = tuple(t for t in texts if t is not None)
        if not matcher:
            walk.error(entry_node, entry_path, "expected at least one label, e.g. {severity: critical}")
        else:
            matchers.append(MappingProxyType(matcher))
    return tuple(matchers)


def read_actions(walk: Walk, top: MapReader) -> ActionsConfig:
    """Ack duration and the named recovery runbooks (webhook or argv, never a shell string)."""
    node = top.sub_mapping("actions")
    if node is None:
        return ActionsConfig()
    actions = MapReader(walk, node, top.sub("actions"), ("ack_duration", "ack_labels", "runbooks"))
    ack = actions.duration("ack_duration", 7200.0, minimum=0.0, exclusive=True, maximum=MAX_PERIOD_S)
    return ActionsConfig(ack_duration_s=ack if ack is not None else 7200.0, ack_labels=_read_ack_labels(walk, actions),
                         runbooks=read_runbooks(walk, actions))


def _read_ack_labels(walk: Walk, actions: MapReader) -> tuple[str, ...]:
    """Label names an ack's silence matches: a non-empty list of distinct Prometheus label names."""
    node = actions.get("ack_labels")
    if node is None:
        return ()
    names: list[str] = []
    for item_node, path in actions.items("ack_labels", required=True, noun="label name"):
        name = walk.text(item_node, path)
        if name is None:
            continue
        if not _LABEL_NAME.fullmatch(name):
            walk.error(item_node, path, f"expected a label name like alertname or service, got '{name[:60]}'")
        elif name in names:
            walk.error(item_node, path, f"label '{name}' is listed twice")
        else:
            names.append(name)
    return tuple(names)


def _response_time(walk: Walk, item: MapReader) -> float | None:
    node = item.get("response_time")
    if node is None:
        return None
    if isinstance(node, ScalarNode) and node.tag == STR_TAG and node.value in ("immediate", "next-business-day"):
        return 0.0 if node.value == "immediate" else None
    try:
        seconds = parse_duration(node.value if isinstance(node, ScalarNode) and node.tag != NULL_TAG else None)
    except DurationError:
        walk.error(node, item.sub("response_time"), (
            f"expected a duration like 15s, 5m, 1h, or 'immediate' or 'next-business-day', got {describe(node)}"
        ))
        return None
    return walk.within(node, item.sub("response_time"), seconds, 0.0, MAX_PERIOD_S, seconds=True)


def _declared_id(walk: Walk, item: MapReader, label: str) -> str | None:
    ident = item.text("id", required=True)
    if ident is not None:
        walk.declare(label, label, ident, item.nodes["id"], item.sub("id"))
    return ident
