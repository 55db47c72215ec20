"""Scoring anomaly-enabled panels in the poll worker, right after their source answered.

`ScoringSource` wraps a source whose panels have `anomaly:`; its poll() (a worker thread,
never the GUI) hands the snapshot to an `AnomalyScorer`, which feeds each new point of
each series to that series' own detector once, attaches the frozen views panels draw
(`Snapshot.prepared["anomaly"]`), and reports raising panels' verdicts to the
AnomalyIncidents.  Tracks are keyed by panel, query and series; a series gone for
FORGET_AFTER_S is forgotten and at most MAX_TRACKS are kept per source.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from noc_app.anomaly_incidents import AnomalyIncidents, AnomalyReport
from noc_app.anomaly_tracks import ANOMALY_PREPARED, PanelAnomaly, SeriesAnomaly, SeriesTrack, panel_view
from noc_app.config.schema import AppConfig, PanelConfig
from noc_app.detect.detector import alert_threshold, make_detector
from noc_app.detect.online import StreamingDetector
from noc_app.model import QueryResult, Snapshot
from noc_app.panel_keys import panel_sources, query_key
from noc_app.sources.base import Source

log = logging.getLogger(__name__)

FORGET_AFTER_S = 600.0  # a series absent this long loses its detector (and its learned baseline)
MAX_TRACKS = 2000  # per source: a query exploding into thousands of series is not scored past this


@dataclass(frozen=True, kw_only=True, slots=True)
class ScoredPanel:
    """One anomaly-enabled panel as its source's scorer sees it."""

    dashboard_id: str
    panel: PanelConfig
    threshold: float  # score at or above which a point is anomalous (from the panel's sensitivity)

    @property
    def key(self) -> str:
        return f"{self.dashboard_id}/{self.panel.id}"

    def query_keys(self) -> tuple[str, ...]:
        return tuple(query_key(self.dashboard_id, self.panel.id, i) for i in range(len(self.panel.queries)))


def scored_panels(config: AppConfig) -> dict[str, tuple[ScoredPanel, ...]]:
    """Per source id, the panels that score their series."""
    found: dict[str, list[ScoredPanel]] = defaultdict(list)
    for dash in config.dashboards:
        for panel in dash.panels:
            sources = panel_sources(panel)
            if panel.anomaly.enabled and sources and panel.queries:
                threshold = alert_threshold(panel.anomaly.sensitivity)
                found[sources[0]].append(ScoredPanel(dashboard_id=dash.id, panel=panel, threshold=threshold))
    return {sid: tuple(panels) for sid, panels in found.items()}


class AnomalyScorer:
    """The scoring state of one source's panels; called by that source's poll worker only."""

    def __init__(
        self,
        panels: Sequence[ScoredPanel],
        incidents: AnomalyIncidents | None = None,
        *,
        clock: Callable[[], float] = time.time,
        detector_factory: Callable[[float], StreamingDetector] = make_detector,
        forget_after_s: float = FORGET_AFTER_S,
        max_tracks: int = MAX_TRACKS,
    ) -> None:
        self._panels = tuple(panels)
        self._incidents = incidents
        self._clock = clock
        self._make = detector_factory
        self._forget_after_s = forget_after_s
        self._max_tracks = max_tracks
        self.tracks: dict[tuple[str, int, str], SeriesTrack] = {}
        self.cpu_s = 0.0  # thread CPU spent scoring (the benchmark reports it)

    def score(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with every scored panel's view attached (Snapshot.prepared["anomaly"])."""
        started = time.thread_time()
        try:
            return self._score(snapshot)
        finally:
            self.cpu_s += time.thread_time() - started

    def _score(self, snapshot: Snapshot) -> Snapshot:
        now = self._clock()
        views: dict[str, PanelAnomaly] = {}
        for scored in self._panels:
            series_views: list[SeriesAnomaly] = []
            for index, qkey in enumerate(scored.query_keys()):
                result = snapshot.metrics.get(qkey)
                if result is not None:
                    series_views.extend(self._score_result(scored, index, result, now))
            views[scored.key] = panel_view(scored.key, series_views)
        self._forget(now)
        if not views:
            return snapshot
        return dataclasses.replace(snapshot, prepared={**snapshot.prepared, ANOMALY_PREPARED: views})

    def _score_result(self, scored: ScoredPanel, index: int, result: QueryResult, now: float) -> list[SeriesAnomaly]:
        panel = scored.panel
        out: list[SeriesAnomaly] = []
        for series in result.series:
            track_key = (scored.key, index, series.key)
            track = self.tracks.get(track_key)
            if track is None:
                if len(self.tracks) >= self._max_tracks:
                    continue
                track = self.tracks[track_key] = SeriesTrack(detector=self._make(panel.anomaly.sensitivity))
            track.last_seen = now
            new = track.feed(series.x, series.y, panel.window_s)
            view = track.view(index, series.key, series.name, scored.threshold)
            out.append(view)
            # Only recent points raise: the first poll backfills the window, whose old anomalies would have
            # resolved long ago (data time against the wall clock; a little skew only shifts the cut).
            recent = [row for row in new if row[0] >= now - panel.anomaly.resolve_after_s]
            if self._incidents is not None and panel.anomaly.raise_incident and recent:
                new = recent
                flagged = [row for row in new if row[4] >= scored.threshold]
                last = flagged[-1] if flagged else None
                outside = any(not lo <= v <= hi for _, v, lo, hi, _ in new if math.isfinite(lo) and math.isfinite(hi))
                self._incidents.observe(AnomalyReport(
                    dashboard_id=scored.dashboard_id, panel_id=panel.id, panel_title=panel.title,
                    query_index=index, series_key=series.key, series_name=series.name,
                    labels=dict(series.labels), severity=panel.anomaly.severity,
                    resolve_after_s=panel.anomaly.resolve_after_s, unit=panel.unit,
                    anomalous_at=last[0] if last else None, value=last[1] if last else 0.0,
                    expected_low=last[2] if last else 0.0, expected_high=last[3] if last else 0.0,
                    outside_band=outside,
                ), now)
        return out

    def _forget(self, now: float) -> None:
        gone = [key for key, track in self.tracks.items() if now - track.last_seen > self._forget_after_s]
        for key in gone:
            del self.tracks[key]


class ScoringSource:
    """A source whose snapshots are scored in its own poll worker before they reach the GUI thread."""

    def __init__(self, inner: Source, scorer: AnomalyScorer) -> None:
        self.id = inner.id
        self.kind = inner.kind
        self.inner = inner
        self.scorer = scorer

    def poll(self) -> Snapshot:
        return self.scorer.score(self.inner.poll())

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> object:  # anything else a caller asks of the source itself
        return getattr(self.inner, name)


def wrap_scored_sources(
    config: AppConfig, sources: dict[str, Source], incidents: AnomalyIncidents | None,
    clock: Callable[[], float] = time.time,
) -> Mapping[str, AnomalyScorer]:
    """Wrap (in place) every source that has anomaly-enabled panels; returns their scorers by source id."""
    scorers: dict[str, AnomalyScorer] = {}
    for source_id, panels in scored_panels(config).items():
        if source_id in sources:
            scorer = AnomalyScorer(panels, incidents, clock=clock)
            sources[source_id] = ScoringSource(sources[source_id], scorer)
            scorers[source_id] = scorer
    return scorers
