"""The `playlists:` section: dashboard rotations, each item with its own dwell and variable values.

    playlists:
      - id: services
        interval: 60s                  # the dwell of items that do not set one
        dashboards:
          - overview                   # a dashboard id, shown for `interval`
          - {dashboard: svc, dwell: 30s, variables: {service: payments}}
          - {dashboard: svc, dwell: 30s, variables: {service: cart}}

An item with variable values is the same dashboard for another service: it becomes a
dashboard of its own (a *variant*, id `svc@payments`), built from the dashboard's
definition with those values, so its queries, titles and legends say `payments`, and its
panels keep their data while another item is on screen.  Its queries join its source's
poll plan like any dashboard's (polled at the source's interval).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from yaml.nodes import MappingNode, Node

from noc_app.config.limits import ONE_DAY_S
from noc_app.config.schema import DashboardConfig, PlaylistConfig, VariableConfig
from noc_app.config.yaml_nodes import MapReader, Walk
from noc_app.variables import with_variables

DEFAULT_INTERVAL_S = 60.0
_ITEM_KEYS = ("dashboard", "dwell", "variables")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.:-]+")

# id -> (the dashboard as written, before variable substitution; its variable definitions, shared merged in)
DashboardSources = Mapping[str, tuple[DashboardConfig, tuple[VariableConfig, ...]]]


def read_playlists(
    walk: Walk, top: MapReader, dashboards: DashboardSources,
) -> tuple[tuple[PlaylistConfig, ...], tuple[DashboardConfig, ...]]:
    """The playlists, and the variant dashboards their items with variable values need (in first-use order)."""
    playlists: list[PlaylistConfig] = []
    variants: dict[str, DashboardConfig] = {}
    for node, path in top.items("playlists"):
        mapping = walk.mapping(node, path)
        if mapping is None:
            continue
        item = MapReader(walk, mapping, path, ("id", "dashboards", "interval"))
        playlist_id = item.text("id", required=True)
        if playlist_id is not None:
            walk.declare("playlist", "playlist", playlist_id, item.nodes["id"], item.sub("id"))
        interval = item.duration("interval", DEFAULT_INTERVAL_S, minimum=0.0, exclusive=True, maximum=ONE_DAY_S)
        interval_s = interval if interval is not None else DEFAULT_INTERVAL_S
        shown: list[str] = []
        dwells: list[float] = []
        for entry_node, entry_path in item.items("dashboards", required=True, noun="dashboard"):
            read = _read_entry(walk, entry_node, entry_path, dashboards, variants)
            if read is not None:
                shown.append(read[0])
                dwells.append(read[1] if read[1] is not None else interval_s)
        if playlist_id is not None:
            uniform = all(d == interval_s for d in dwells)
            playlists.append(PlaylistConfig(id=playlist_id, dashboards=tuple(shown), interval_s=interval_s,
                                            dwell_s=() if uniform else tuple(dwells)))
    return tuple(playlists), tuple(variants.values())


def _read_entry(
    walk: Walk, node: Node, path: str, dashboards: DashboardSources, variants: dict[str, DashboardConfig],
) -> tuple[str, float | None] | None:
    """(the id shown, its dwell or None) of one `dashboards:` entry: an id, or a mapping."""
    if not isinstance(node, MappingNode):
        name = walk.text(node, path)
        if name is not None:
            walk.refer("dashboard", name, node, path)
        return (name, None) if name is not None else None
    entry = MapReader(walk, node, path, _ITEM_KEYS)
    name = entry.text("dashboard", required=True)
    dwell = entry.duration("dwell", None, minimum=0.0, exclusive=True, maximum=ONE_DAY_S)  # a timer
    values = entry.text_mapping("variables")
    if name is None:
        return None
    walk.refer("dashboard", name, entry.nodes["dashboard"], entry.sub("dashboard"))
    if not values:
        return name, dwell
    source = dashboards.get(name)
    if source is None:
        return None  # the reference check reports the unknown dashboard
    raw, defs = source
    known = {var.name for var in defs}
    ok = True
    for var_name in values:
        if var_name not in known:
            walk.error(entry.nodes["variables"], f"{entry.sub('variables')}.{var_name}",
                       f"dashboard {name!r} has no variable {var_name!r}; "
                       f"its variables: {', '.join(sorted(known)) or 'none'}")
            ok = False
    if not ok:
        return None
    variant = variant_dashboard(raw, defs, values)
    existing = variants.get(variant.id)
    if existing is not None and existing.variables != variant.variables:
        variant = replace(variant, id=f"{variant.id}~{len(variants) + 1}")  # two value sets with one safe id
    variants.setdefault(variant.id, variant)
    return variant.id, dwell


def variant_id(dashboard_id: str, values: Mapping[str, str]) -> str:
    """`svc@payments`, `svc@payments+eu`: readable, and safe in query keys (`dashboard/panel/index`)."""
    return f"{dashboard_id}@" + "+".join(_UNSAFE_ID.sub("_", value) or "_" for value in values.values())


def variant_dashboard(
    raw: DashboardConfig, defs: tuple[VariableConfig, ...], values: Mapping[str, str],
) -> DashboardConfig:
    """The dashboard as written, with these variable values: its own queries, titles and legends."""
    overridden = tuple(replace(var, current=(values[var.name],)) if var.name in values else var for var in defs)
    variant = with_variables(replace(raw, id=variant_id(raw.id, values), variant_of=raw.id), overridden)
    if variant.title == with_variables(raw, defs).title:  # the title does not name the values: say them
        variant = replace(variant, title=f"{variant.title} · {', '.join(values.values())}")
    return variant
