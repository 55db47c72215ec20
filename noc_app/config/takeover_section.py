"""The `takeover:` section: which priority takes which screen over until it is acknowledged.

    takeover:
      priority: P0      # default P0: that level of the severity policy and every level above it
      screen: main      # a `screens:` id, or its index (0: the first, the default)
      enabled: true     # default true once the section is there; no section: no takeover

noc_app.takeover decides, from the board's alerts and a clock, what takes over and when it returns.
"""

from __future__ import annotations

from noc_app.actions.severity import effective_policy
from noc_app.config.schema import ScreenConfig, SeverityLevel, TakeoverConfig
from noc_app.config.yaml_nodes import MapReader, Walk, is_null

_TAKEOVER_KEYS = ("enabled", "priority", "screen")
MAX_SCREEN_INDEX = 63


def read_takeover(walk: Walk, top: MapReader, levels: tuple[SeverityLevel, ...],
                  screens: tuple[ScreenConfig, ...]) -> TakeoverConfig:
    if not top.has("takeover"):
        return TakeoverConfig()
    node = top.sub_mapping("takeover")
    if node is None:  # `takeover:` with nothing after it: on, with the defaults
        given = top.get("takeover")
        return TakeoverConfig(enabled=given is not None and is_null(given))
    item = MapReader(walk, node, top.sub("takeover"), _TAKEOVER_KEYS)
    enabled = item.boolean("enabled", True)
    ids = [level.id for level in effective_policy(levels)]
    priority = item.text("priority", "P0") or "P0"
    if priority not in ids:
        walk.error(item.nodes["priority"] if item.has("priority") else node, item.sub("priority"),
                   f"unknown priority {priority!r}; expected one of the severity policy's levels: {', '.join(ids)}")
    return TakeoverConfig(enabled=enabled, priority=priority, screen=_screen(walk, item, screens))


def _screen(walk: Walk, item: MapReader, screens: tuple[ScreenConfig, ...]) -> str | int:
    node = item.get("screen")
    if node is None:
        return 0
    ids = [s.id for s in screens]
    text = str(getattr(node, "value", ""))
    if text.isdigit():
        index = item.integer("screen", 0, minimum=0, maximum=MAX_SCREEN_INDEX) or 0
        if screens and index >= len(screens):
            walk.error(node, item.sub("screen"),
                       f"screen index {index} is beyond the {len(screens)} configured screen(s) "
                       f"(0..{len(screens) - 1}: {', '.join(ids)})")
        return index
    name = item.text("screen", "") or ""
    if name not in ids:
        walk.error(node, item.sub("screen"),
                   f"unknown screen {name!r}; expected a `screens:` id ({', '.join(ids) or 'none configured'}) "
                   "or an index such as 0")
    return name
