"""Deploy/event markers on a timeseries panel, from a PromQL query or an alert's start (pure, Qt-free).

A query annotation marks every time its series have a sample > 0.  A run of
consecutive samples (one deploy seen by `changes(x[1m]) > 0` on a 15 s step is
four samples) is one event: it is marked once, at the run's first sample.  An
alert annotation marks each distinct start (startsAt) of alerts with that name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from noc_app.config.panel_display import Annotation
from noc_app.config.schema import PanelConfig
from noc_app.model import Alert, QueryResult, Snapshot
from noc_app.sources.base import MetricQuery
from noc_app.sources.step import choose_step

_MAX_POINTS = MetricQuery(key="", expr="").max_points  # what plans ask for: it sets the range's step
MAX_MARKERS = 200  # per panel: more could not be told apart on a wall anyway


@dataclass(frozen=True, kw_only=True, slots=True)
class Marker:
    """One vertical marker: when (epoch seconds) and its label."""

    at: float
    title: str


def annotation_key(dashboard_id: str, panel_id: str, index: int) -> str:
    """Where an annotation query's result is filed in a snapshot (apart from the panel's own queries)."""
    return f"{dashboard_id}/{panel_id}/annotation{index}"


def annotation_queries(dashboard_id: str, panel: PanelConfig,
                       variables: Mapping[str, str]) -> list[tuple[str, MetricQuery]]:
    """(source id, range query over the panel's window) for each query annotation."""
    return [
        (note.source, MetricQuery(key=annotation_key(dashboard_id, panel.id, i), expr=note.query, instant=False,
                                  window_s=panel.window_s, variables=dict(variables)))
        for i, note in enumerate(panel.display.annotations)
        if note.query
    ]


def alert_sources(panel: PanelConfig) -> set[str]:
    """The sources whose alerts a panel's alert annotations read."""
    return {note.source for note in panel.display.annotations if note.alert}


def merge_gap_s(window_s: float) -> float:
    """Samples closer than this belong to one event: 2.5 range steps of the panel's window.

    (Sources may round the step a little differently; 2.5 steps still tells two events apart.)
    """
    return 2.5 * choose_step(window_s if window_s > 0 else 3600.0, _MAX_POINTS)


def query_markers(result: QueryResult | None, title: str, gap_s: float) -> list[Marker]:
    """A marker at the first sample > 0 of each run of such samples, over all series."""
    if result is None or result.error:
        return []
    times: list[float] = []
    for series in result.series:
        with np.errstate(invalid="ignore"):
            hit = np.isfinite(series.y) & (series.y > 0)
        # A NaN or a value <= 0 ends a run, and so does a missing sample (a filtered `> 0`).
        previous_hit = np.concatenate(([False], hit[:-1]))
        gaps = np.diff(series.x, prepend=-math.inf) > gap_s
        starts = hit & (~previous_hit | gaps)
        times.extend(series.x[starts].tolist())
    return [Marker(at=t, title=title) for t in _distinct(times)]


def alert_markers(alerts: Iterable[Alert], name: str, title: str) -> list[Marker]:
    """A marker at each distinct start of the alerts called `name`."""
    starts = [a.starts_at for a in alerts if a.name == name and a.starts_at > 0]
    return [Marker(at=t, title=title) for t in _distinct(starts)]


def select_markers(
    panel: PanelConfig, dashboard_id: str, snapshots: Mapping[str, Snapshot | None], now: float
) -> tuple[Marker, ...]:
    """Every marker of a panel inside its window [now - window, now], oldest first."""
    notes: tuple[Annotation, ...] = panel.display.annotations
    if not notes:
        return ()
    gap = merge_gap_s(panel.window_s)
    found: list[Marker] = []
    for i, note in enumerate(notes):
        snap = snapshots.get(note.source)
        if snap is None:
            continue
        if note.query:
            found.extend(query_markers(snap.metrics.get(annotation_key(dashboard_id, panel.id, i)), note.title, gap))
        elif snap.alerts is not None:
            found.extend(alert_markers(snap.alerts, note.alert, note.title))
    if math.isfinite(now) and now > 0:
        found = [m for m in found if now - panel.window_s <= m.at <= now + 60.0]  # a little clock skew is fine
    found.sort(key=lambda m: (m.at, m.title))
    return tuple(found[-MAX_MARKERS:])


def annotation_problems(
    panel: PanelConfig, dashboard_id: str, snapshots: Mapping[str, Snapshot | None]
) -> tuple[str, ...]:
    """Why an annotation shows nothing although its source answered (panel warnings): a query error,
    or a source that cannot answer that kind of annotation."""
    problems = []
    for i, note in enumerate(panel.display.annotations):
        snap = snapshots.get(note.source)
        if snap is None:
            continue
        result = snap.metrics.get(annotation_key(dashboard_id, panel.id, i)) if note.query else None
        if note.query and result is None:  # every metrics source answers each planned query
            problems.append(f"annotation '{note.title}': source '{note.source}' answers no metric queries")
        elif result is not None and result.error:
            problems.append(f"annotation '{note.title}': {result.error}")
        elif note.alert and "alerts" in snap.errors:
            problems.append(f"annotation '{note.title}': {snap.errors['alerts']}")
        elif note.alert and snap.alerts is None:
            problems.append(f"annotation '{note.title}': source '{note.source}' serves no alerts")
    return tuple(problems)


def _distinct(times: list[float]) -> list[float]:
    return sorted(set(times))
