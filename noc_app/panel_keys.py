"""How panels address their data in snapshots (shared by plans and selectors)."""

from __future__ import annotations

from noc_app.config.schema import PanelConfig


def query_key(dashboard_id: str, panel_id: str, index: int) -> str:
    """Where one panel query's result is filed in a snapshot."""
    return f"{dashboard_id}/{panel_id}/{index}"


def panel_sources(panel: PanelConfig) -> tuple[str, ...]:
    """Every source a panel reads from, its `source` first."""
    ids = list(panel.sources)
    if panel.source and panel.source not in ids:
        ids.insert(0, panel.source)
    for note in panel.display.annotations:  # timeseries markers may come from other sources (last)
        if note.source not in ids:
            ids.append(note.source)
    return tuple(ids)
