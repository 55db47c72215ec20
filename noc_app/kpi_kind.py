"""Panels of kind `kpi` (the executive tiles, noc_app.executive): polled and selected as the panel they stand for.

Kept apart from noc_app.executive so the planner and the selectors need nothing but the schema.
"""

from __future__ import annotations

from dataclasses import replace

from noc_app.config.schema import PanelConfig, PanelKind

KPI_KIND = "kpi"


def as_data_panel(panel: PanelConfig) -> PanelConfig:
    """A kpi tile as the slo, incidents or stat panel whose data it shows; any other panel unchanged."""
    if panel.kind != KPI_KIND:
        return panel
    if panel.slo is not None:
        return replace(panel, kind=PanelKind.SLO)
    if panel.kpi == "incidents" and panel.sources:
        return replace(panel, kind=PanelKind.INCIDENTS)
    if panel.kpi == "mttr_month" and panel.source:
        return replace(panel, kind=PanelKind.STAT)
    return replace(panel, kind=PanelKind.TEXT)  # a figure with nothing configured behind it
