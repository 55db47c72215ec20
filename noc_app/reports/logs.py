"""The log lines of an incident's window, read through the config's own log sources (Loki, Elasticsearch).

    lines, error = window_logs(config, panel, start, end)

Each logs panel's source adapter is built for one poll whose clock stands at the window's end
and whose look-back is the window (at most a day: the adapters' limit), so the lines are those
the wall would have shown then — newest `limit` of them, through the same client, auth and caps.
journald and other kinds read only the recent past: they are reported as not supported here.
"""

from __future__ import annotations

import dataclasses

from noc_app.config.schema import AppConfig, PanelConfig, PanelKind
from noc_app.model import LogLine
from noc_app.redaction import redact
from noc_app.sources.base import LogQuery, PollPlan
from noc_app.sources.registry import create_source

WINDOW_KINDS = ("loki", "elasticsearch")
MAX_LOOKBACK_S = 86_400.0
MAX_LINES = 200


def log_panels(config: AppConfig) -> list[PanelConfig]:
    """The logs panels of every dashboard, each once, whose source can read a past window."""
    kinds = {s.id: s.kind for s in config.sources}
    found: dict[str, PanelConfig] = {}
    for dashboard in config.dashboards:
        for panel in dashboard.panels:
            if panel.kind == PanelKind.LOGS and kinds.get(panel.source or "") in WINDOW_KINDS:
                found.setdefault(panel.id, panel)
    return list(found.values())


def window_logs(config: AppConfig, panel: PanelConfig, start: float, end: float) -> tuple[list[LogLine], str]:
    """(lines oldest first, "") or ([], why not); never raises."""
    if panel.source is None:
        return [], "the panel has no source"
    source_config = config.source(panel.source)
    if source_config.kind not in WINDOW_KINDS:
        return [], f"{source_config.kind} sources cannot be read for a past window"
    lookback = min(MAX_LOOKBACK_S, max(1.0, end - start))
    source_config = dataclasses.replace(source_config, options={**source_config.options, "lookback": lookback})
    expr = panel.queries[0].expr if panel.queries else ""
    query = LogQuery(key="report", expr=expr, limit=min(MAX_LINES, panel.limit))
    try:
        source = create_source(source_config, PollPlan(logs=(query,)), clock=lambda: end)
        try:
            snapshot = source.poll()
        finally:
            source.close()
    except Exception as exc:  # the log backend is down or refuses: say so in the report
        return [], redact(f"{type(exc).__name__}: {exc}")
    result = snapshot.metrics.get("report")
    if result is not None and result.error:
        return [], redact(result.error)
    lines = [line for line in snapshot.logs or () if start <= line.ts <= end]
    return sorted(lines, key=lambda line: line.ts), ""
