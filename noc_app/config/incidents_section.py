"""The `incidents:` section: how incident boards recognise one problem in several backends.

    incidents:
      dedup_key: dedup_key      # or alias, fingerprint, label:NAME; default: off

The rule itself (what each value means) lives in noc_app.selectors_incidents; this
module only checks the spelling and reports file:line problems.
"""

from __future__ import annotations

import re

from noc_app.config.schema import IncidentsConfig
from noc_app.config.yaml_nodes import MapReader, Walk, describe

DEDUP_RULES = ("off", "dedup_key", "alias", "fingerprint")
_LABEL_RULE = re.compile(r"label:[A-Za-z_][A-Za-z0-9_]*")
_EXPECTED = "expected one of off, dedup_key, alias, fingerprint or label:NAME (a label name)"


def read_incidents(walk: Walk, top: MapReader) -> IncidentsConfig:
    node = top.sub_mapping("incidents")
    if node is None:
        return IncidentsConfig()
    section = MapReader(walk, node, top.sub("incidents"), ("dedup_key",))
    value_node = section.get("dedup_key")
    if value_node is None:
        return IncidentsConfig()
    text = walk.text(value_node, section.sub("dedup_key"))
    if text is None:
        return IncidentsConfig()
    rule = text.strip()
    if rule in DEDUP_RULES or _LABEL_RULE.fullmatch(rule):
        return IncidentsConfig(dedup_key="" if rule == "off" else rule)
    walk.error(value_node, section.sub("dedup_key"), f"{_EXPECTED}, got {describe(value_node)}")
    return IncidentsConfig()
