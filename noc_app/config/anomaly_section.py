"""Reading a panel's `anomaly:` mapping (see noc_app.config.anomaly_options) from YAML nodes."""

from __future__ import annotations

from yaml.nodes import ScalarNode

from noc_app.config.anomaly_options import (
    ANOMALY_KINDS,
    DEFAULT_RESOLVE_AFTER_S,
    NO_ANOMALY,
    PRIORITIES,
    AnomalyConfig,
)
from noc_app.config.limits import MAX_PERIOD_S
from noc_app.config.yaml_nodes import BOOL_TAG, MapReader, Walk

ANOMALY_KEY = "anomaly"
_KEYS = ("enabled", "sensitivity", "raise", "priority", "resolve_after")


def read_anomaly(walk: Walk, panel: MapReader, kind: str | None) -> AnomalyConfig:
    """The panel's anomaly options; refused on kinds other than timeseries and stat."""
    if kind is not None and kind not in ANOMALY_KINDS:
        panel.not_for(ANOMALY_KEY, "kinds " + " and ".join(ANOMALY_KINDS))
        return NO_ANOMALY
    given = panel.get(ANOMALY_KEY)
    if isinstance(given, ScalarNode) and given.tag == BOOL_TAG:  # `anomaly: true`: every default
        return AnomalyConfig(enabled=True) if panel.boolean(ANOMALY_KEY, False) else NO_ANOMALY
    node = panel.sub_mapping(ANOMALY_KEY)
    if node is None:
        return NO_ANOMALY
    section = MapReader(walk, node, panel.sub(ANOMALY_KEY), _KEYS)
    enabled = section.boolean("enabled", True)  # writing the mapping at all asks for it
    sensitivity = section.number("sensitivity", 0.5, minimum=0.0, maximum=1.0)
    raise_incident = section.boolean("raise", False)
    priority = section.choice("priority", PRIORITIES, "P2")
    if section.has("priority") and not raise_incident:
        walk.error(section.key_nodes["priority"], section.sub("priority"),
                   "key 'priority' only applies with raise: true (it is the priority of the incident raised)")
    resolve_after = section.duration("resolve_after", DEFAULT_RESOLVE_AFTER_S, minimum=0.0, exclusive=True,
                                     maximum=MAX_PERIOD_S)
    return AnomalyConfig(
        enabled=enabled,
        sensitivity=sensitivity if sensitivity is not None else 0.5,
        raise_incident=raise_incident,
        priority=priority or "P2",
        resolve_after_s=resolve_after if resolve_after is not None else DEFAULT_RESOLVE_AFTER_S,
    )
