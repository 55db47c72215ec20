"""The post-incident report for one incident: timeline, timing against targets, metric panels around it.

    doc = incident_document(config, journal, IncidentKey(...), reader_for=..., now=..., panels=("p95",))

The timeline is the one the operator's History view shows (noc_app.actions.history.timeline:
first seen, shown, acked, every action and escalation with its comment).  The metric panels
are the config's prometheus panels (timeseries, stat, gauge), queried over the incident's
window plus a margin before and after, drawn with the fired/acked/resolved marks.
The log lines of the window (from 30 minutes before the start to the resolution) come from the
config's Loki and Elasticsearch logs panels (noc_app.reports.logs), newest 200 per panel.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import zoneinfo
from collections.abc import Callable, Sequence

import pandas as pd

from noc_app.actions.history import timeline
from noc_app.actions.model import IncidentKey
from noc_app.config.schema import METRIC_PANEL_KINDS, AppConfig, PanelConfig
from noc_app.model import LogLine
from noc_app.redaction import redact
from noc_app.reports import charts
from noc_app.reports.data import RangeReader
from noc_app.reports.document import Document
from noc_app.reports.logs import log_panels, window_logs
from noc_app.reports.sla_render import target_text, when
from noc_app.reports.timing import format_duration, incident_times, targets_from
from noc_app.sources.template_vars import substitute
from noc_app.state.journal import Journal

LogReader = Callable[[AppConfig, PanelConfig, float, float], tuple[list[LogLine], str]]
MARGIN_S = 1800.0  # the panels show this much before the first breach and after the resolution
MAX_CHART_POINTS = 360
MAX_PANELS = 8


class UnknownIncident(LookupError):
    pass


def metric_panels(config: AppConfig, wanted: Sequence[str] = ()) -> list[PanelConfig]:
    """The prometheus metric panels of every dashboard (or those named), each once, config order."""
    prometheus = {s.id for s in config.sources if s.kind == "prometheus"}
    found: dict[str, PanelConfig] = {}
    for dashboard in config.dashboards:
        for panel in dashboard.panels:
            usable = panel.kind in METRIC_PANEL_KINDS and panel.source in prometheus and panel.queries
            if usable and (not wanted or panel.id in wanted) and panel.id not in found:
                found[panel.id] = panel
    return list(found.values())[:MAX_PANELS]


def incident_document(
    config: AppConfig, journal: Journal, key: IncidentKey, *, reader_for: Callable[[str], RangeReader],
    now: float | None = None, panels: Sequence[str] = (), time_zone: str | None = None,
    log_reader: LogReader = window_logs,
) -> Document:
    now = time.time() if now is None else now
    zone = time_zone or config.sla.time_zone
    row = journal.incident_history(key.source_id, key.fingerprint)
    if row is None:
        raise UnknownIncident(f"no incident {key.text} in the state database")
    targets = targets_from(config.severity_levels)
    times = incident_times(row, time_zone=zone, now=now, targets=targets)
    start = times.start if times.start is not None else now
    end = row.resolved_at if row.resolved_at is not None else now
    doc = Document(f"Post-incident report — {row.name or key.fingerprint}")
    doc.para(f"Incident {key.text} on {config.title}. Generated {when(now, zone)} ({zone}).", "meta")
    doc.heading("Summary")
    doc.table(("Field", "Value"), [
        ("Priority", f"{times.priority} ({target_text(times.priority, targets)})"),
        ("Service", times.service),
        ("First breach (backend start)", when(row.first_seen_at, zone)),
        ("Shown on the wall", when(row.shown_at, zone)),
        ("Acknowledged", "not acknowledged" if row.acked_at is None
         else f"{when(row.acked_at, zone)} by {row.acked_by or 'someone unnamed'}"),
        ("Resolved", when(row.resolved_at, zone) if row.resolved_at is not None else "still open"),
        ("Time to show", format_duration(None if row.first_seen_at is None or row.shown_at is None
                                         else max(0.0, row.shown_at - row.first_seen_at))),
        ("Time to acknowledge", _in_time(times.ack_s, times.acked_in_time)),
        ("Time to resolve", _in_time(times.resolve_s, times.resolved_in_time)),
    ])
    doc.heading("Timeline")
    story = timeline(journal, key)
    if story.error:
        doc.para(f"The timeline could not be read: {story.error}", "miss")
    elif story.entries:
        doc.table(("At", "What"), [(when(e.at, zone), e.text) for e in story.entries])
    else:
        doc.para("Nothing recorded.")
    marks = [(t, label) for t, label in ((row.first_seen_at, "fired"), (row.acked_at, "acked"),
                                         (row.resolved_at, "resolved")) if t is not None]
    _panels(doc, config, metric_panels(config, panels), start - MARGIN_S, end + MARGIN_S, marks, reader_for, zone)
    _logs(doc, config, start - MARGIN_S, end, zone, log_reader)
    doc.csv("timeline", pd.DataFrame([{"at": when(e.at, zone), "text": e.text} for e in story.entries],
                                     columns=["at", "text"]))
    return doc


def _in_time(seconds: float | None, ok: bool | None) -> str:
    verdict = "" if ok is None else (" — within target" if ok else " — missed the target")
    return ("not yet" if seconds is None else format_duration(seconds)) + verdict


def _panels(doc: Document, config: AppConfig, panels: Sequence[PanelConfig], start: float, end: float,
            marks: Sequence[tuple[float, str]], reader_for: Callable[[str], RangeReader], zone: str) -> None:
    doc.heading("Metrics around the incident")
    if not panels:
        doc.para("No prometheus metric panels in the config.")
        return
    step = max(15.0, math.ceil((end - start) / MAX_CHART_POINTS / 15.0) * 15.0)
    for index, panel in enumerate(panels):
        assert panel.source is not None
        lines: list[charts.Line] = []
        errors: list[str] = []
        for query in panel.queries:
            expr = substitute(query.expr, {}, step_s=step, window_s=end - start)
            try:
                series = reader_for(panel.source).series(expr, start // step * step, end, step)
            except Exception as exc:  # one panel's failing query is said, not fatal
                errors.append(redact(f"{type(exc).__name__}: {exc}"))
                continue
            lines.append(charts.Line(name=query.legend or panel.title, xs=list(series.index),
                                     ys=[float(v) for v in series.to_numpy()]))
        doc.heading(panel.title, 3)
        if lines:
            doc.image(f"panel-{index}", charts.lines(lines, title="", unit=panel.unit, marks=marks,
                                                     time_zone=zoneinfo.ZoneInfo(zone)))
        for error in errors:
            doc.para(error, "miss")


def _logs(doc: Document, config: AppConfig, start: float, end: float, zone: str, reader: LogReader) -> None:
    doc.heading("Logs of the window")
    panels = log_panels(config)
    if not panels:
        doc.para("No Loki or Elasticsearch logs panel in the config: no log lines.", "meta")
        return
    tz = zoneinfo.ZoneInfo(zone)
    for panel in panels:
        doc.heading(panel.title, 3)
        lines, error = reader(config, panel, start, end)
        if error:
            doc.para(error, "miss")
        elif not lines:
            doc.para("No log lines in the window.", "meta")
        else:
            doc.lines([f"{dt.datetime.fromtimestamp(line.ts, tz):%m-%d %H:%M:%S} {line.level.name:<7} "
                       f"{line.service + ': ' if line.service else ''}{line.text}" for line in lines])
        doc.csv(f"logs-{panel.id}", pd.DataFrame(
            [{"at": line.ts, "level": line.level.name, "service": line.service, "text": line.text} for line in lines],
            columns=["at", "level", "service", "text"]))
