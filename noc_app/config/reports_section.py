"""The `reports:` section: where reports made from the operator UI are written.

    reports:                       # optional
      dir: ~/noc-reports           # default: <user documents>/noc-app reports (platformdirs)

A relative dir is taken from the config file's folder; `~` is the user's home.  The folder
is created when the first report is written, not when the config is read.
"""

from __future__ import annotations

from noc_app.config.schema import ReportsConfig
from noc_app.config.yaml_nodes import MapReader, Walk

_REPORTS_KEYS = ("dir",)


def read_reports(walk: Walk, top: MapReader) -> ReportsConfig:
    node = top.sub_mapping("reports")
    if node is None:
        return ReportsConfig()
    reports = MapReader(walk, node, top.sub("reports"), _REPORTS_KEYS)
    text = reports.text("dir")
    if text is None:
        return ReportsConfig()
    if not text.strip():
        walk.error(reports.nodes["dir"], reports.sub("dir"), "expected a folder path, got an empty string")
        return ReportsConfig()
    return ReportsConfig(dir=str(walk.resolve_path(text.strip())))
