"""One series' anomaly scoring state, and the frozen views of it that panels draw.

A SeriesTrack owns one streaming detector (noc_app.detect) and feeds it each point of
its series exactly once, in time order: a poll that refetches an overlapping range
feeds only the points newer than the last one scored.  It keeps the scored points of
the panel's window (bounded), from which `view()` builds the immutable SeriesAnomaly a
timeseries body draws (expected band, anomalous points) and the snapshot JSON lists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from noc_app.detect.online import StreamingDetector
from noc_app.model import Snapshot, digest

ANOMALY_PREPARED = "anomaly"  # Snapshot.prepared key: {panel key: PanelAnomaly}
MAX_KEPT_POINTS = 4096  # per series, whatever the window: memory stays bounded at any step


@dataclass(frozen=True, kw_only=True, slots=True)
class SeriesAnomaly:
    """What one series' scoring shows: the expected band and the anomalous points, in its window."""

    query_index: int
    key: str  # Series.key
    name: str
    x: np.ndarray  # scored timestamps
    low: np.ndarray  # expected band per scored point (NaN while the detector warms up)
    high: np.ndarray
    anomalous_x: np.ndarray
    anomalous_y: np.ndarray
    score: float  # of the newest scored point
    value: float  # the newest scored value
    anomalous: bool  # the newest scored point is anomalous

    @property
    def draw_key(self) -> str:
        """The key a timeseries body gives this series' line (query index and series key)."""
        return f"{self.query_index}\x1f{self.key}"


@dataclass(frozen=True, kw_only=True, slots=True)
class PanelAnomaly:
    """Every scored series of one panel; `key` changes whenever anything drawn changes."""

    panel_key: str
    series: tuple[SeriesAnomaly, ...] = ()
    key: str = ""

    def by_draw_key(self) -> Mapping[str, SeriesAnomaly]:
        return {s.draw_key: s for s in self.series}


Row = tuple[float, float, float, float, float]  # (t, value, low, high, score)
_MIN_CAPACITY = 256


@dataclass(slots=True)
class SeriesTrack:
    """Mutable: touched only by the poll worker of its source (one poll in flight per source).

    The kept points live in one (5, capacity) buffer, appended at the end: a view handed to the
    GUI thread covers only rows already written, and a full buffer is replaced (never
    overwritten), so views stay valid without a copy per poll.
    """

    detector: StreamingDetector
    last_ts: float = -math.inf  # newest timestamp fed (NaN points count: they are never fed again)
    last_seen: float = 0.0  # clock time of the last poll that carried this series
    buffer: np.ndarray = field(default_factory=lambda: np.empty((5, _MIN_CAPACITY)))  # t, value, low, high, score
    start: int = 0
    end: int = 0
    fed: int = 0  # points fed in total (tests prove exactly-once with it)

    def feed(self, x: np.ndarray, y: np.ndarray, window_s: float) -> list[Row]:
        """Score the points newer than the last one scored, keep `window_s` back from the newest; return the new."""
        begin = int(np.searchsorted(x, self.last_ts, side="right")) if math.isfinite(self.last_ts) else 0
        new: list[Row] = []
        update = self.detector.update
        for t, v in zip(x[begin:].tolist(), y[begin:].tolist(), strict=True):
            if t <= self.last_ts:  # unsorted input: never feed the past twice
                continue
            self.last_ts = t
            if not math.isfinite(v):  # a gap (or +-Inf): nothing a detector can learn from
                continue
            scored = update(t, v)
            new.append((t, v, scored.expected_low, scored.expected_high, scored.score))
        if new:
            self._append(np.array(new, dtype=float).T)
        self.fed += len(new)
        kept = self.buffer[0, self.start:self.end]
        self.start += int(np.searchsorted(kept, self.last_ts - window_s, side="left"))
        self.start = max(self.start, self.end - MAX_KEPT_POINTS)
        return new

    def _append(self, rows: np.ndarray) -> None:
        n = rows.shape[1]
        if self.end + n > self.buffer.shape[1]:
            kept = self.end - self.start
            fresh = np.empty((5, max(_MIN_CAPACITY, 2 * (min(kept, MAX_KEPT_POINTS) + n))))
            keep_from = max(self.start, self.end - MAX_KEPT_POINTS)
            fresh[:, :self.end - keep_from] = self.buffer[:, keep_from:self.end]
            self.buffer, self.start, self.end = fresh, 0, self.end - keep_from
        self.buffer[:, self.end:self.end + n] = rows
        self.end += n

    @property
    def columns(self) -> tuple[np.ndarray, ...]:
        """t, value, low, high, score of the kept points (read-only views)."""
        views = tuple(self.buffer[i, self.start:self.end] for i in range(5))
        for view in views:
            view.flags.writeable = False
        return views

    def view(self, query_index: int, key: str, name: str, threshold: float) -> SeriesAnomaly:
        t, v, lo, hi, sc = self.columns
        flagged = sc >= threshold
        return SeriesAnomaly(
            query_index=query_index, key=key, name=name, x=t, low=lo, high=hi,
            anomalous_x=t[flagged], anomalous_y=v[flagged],
            score=float(sc[-1]) if sc.size else 0.0, value=float(v[-1]) if v.size else math.nan,
            anomalous=bool(flagged[-1]) if flagged.size else False,
        )


def panel_view(panel_key: str, series: list[SeriesAnomaly]) -> PanelAnomaly:
    key = digest(panel_key, *[
        (s.draw_key, s.x[-1:].tobytes(), s.x.size, s.anomalous_x.tobytes()) for s in series
    ])
    return PanelAnomaly(panel_key=panel_key, series=tuple(series), key=key)


def panel_anomaly(snapshot: Snapshot | None, panel_key: str) -> PanelAnomaly | None:
    """The scoring a poll worker attached to this snapshot for one panel (None: not scored)."""
    if snapshot is None:
        return None
    found = snapshot.prepared.get(ANOMALY_PREPARED)
    if not isinstance(found, Mapping):
        return None
    view = found.get(panel_key)
    return view if isinstance(view, PanelAnomaly) else None


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


def anomaly_entry(view: PanelAnomaly) -> dict[str, object]:
    """The snapshot JSON of a panel's scoring: per series, the newest verdict and its expected band."""
    series = []
    for s in view.series:
        series.append({
            "name": s.name, "anomalous": s.anomalous, "score": round(s.score, 4), "value": _finite(s.value),
            "expected_low": _finite(float(s.low[-1])) if s.low.size else None,
            "expected_high": _finite(float(s.high[-1])) if s.high.size else None,
            "anomalous_points": int(s.anomalous_x.size), "scored_points": int(s.x.size),
        })
    return {"anomalous": any(s.anomalous for s in view.series), "series": series}
