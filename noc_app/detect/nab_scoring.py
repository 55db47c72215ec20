"""NAB's scoring rules as pure functions (Lavin & Ahmad 2015; NAB's scorer at commit ea702d7).

Per file: the first min(floor(0.15 n), 750) rows are probationary and not scored. A detection inside a window is
worth A_TP * S(y) / S(-1), y = -(r - i + 1) / w, and only the earliest one in each window counts; a window with no
detection costs A_FN. A detection outside windows costs A_FP times -1 before the first window, or S(d / (w_prev - 1))
after one (-1 once that exceeds 3). One threshold per profile for the whole corpus maximises the corpus total, which
is normalised as 100 * (total - null) / (perfect - null).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NO_DETECTION_THRESHOLD = 1.1  # NAB's starting threshold: above every score in [0, 1]


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    tp: float
    fp: float
    fn: float


PROFILES = (
    Profile("standard", 1.0, 0.11, 1.0),
    Profile("reward_low_FP_rate", 1.0, 0.22, 1.0),
    Profile("reward_low_FN_rate", 1.0, 0.11, 2.0),
)


def probation_length(n_rows: int) -> int:
    return min(math.floor(0.15 * n_rows), 750)


def scaled_sigmoid(position: float) -> float:
    """S(y) = 2 * sigmoid(-5 y) - 1, and -1 beyond 3 (a false positive far past a window).

    Beyond, not from: at exactly 3 NAB's shipped results carry S(3), not -1 (a later NAB commit changed it to >=).
    """
    if position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


@dataclass(frozen=True, slots=True)
class FileRows:
    """One file's scorable rows (after the probationary period), independent of profile and threshold.

    window: index of the row's window within the file, -1 outside every window.
    unit: what a detection on this row is worth before the profile's weight: S(y) / S(-1) in (0, 1] inside a
    window, the false-positive factor in [-1, 1) outside.
    windows: windows of the file with at least one scorable row; labelled_windows: all of them.
    """

    key: str
    scores: FloatArray
    window: IntArray
    unit: FloatArray
    windows: int
    labelled_windows: int


def file_rows(key: str, scores: Sequence[float] | FloatArray, windows: Sequence[tuple[int, int]]) -> FileRows:
    """Label every row of a file with its window and unit weight; windows are (first, last) rows, in order."""
    n = len(scores)
    window = np.full(n, -1, dtype=np.int64)
    unit = np.empty(n, dtype=np.float64)
    max_tp = scaled_sigmoid(-1.0)
    prev_last, prev_width = -1, 0
    cursor = 0
    for index, (first, last) in enumerate(windows):
        if not 0 <= first <= last < n or first < cursor:
            raise ValueError(f"{key}: window rows {first}..{last} are out of order or outside 0..{n - 1}")
        unit[cursor:first] = _fp_units(cursor, first, prev_last, prev_width)
        width = last - first + 1
        rows = np.arange(first, last + 1)
        positions = -(last - rows + 1) / width
        unit[first : last + 1] = (2.0 / (1.0 + np.exp(5.0 * positions)) - 1.0) / max_tp
        window[first : last + 1] = index
        prev_last, prev_width, cursor = last, width, last + 1
    unit[cursor:n] = _fp_units(cursor, n, prev_last, prev_width)
    start = probation_length(n)
    scorable = window[start:]
    return FileRows(
        key,
        np.asarray(scores, dtype=np.float64)[start:],
        scorable,
        unit[start:],
        len(np.unique(scorable[scorable >= 0])),
        len(windows),
    )


def _fp_units(begin: int, end: int, prev_last: int, prev_width: int) -> FloatArray:
    if end <= begin:
        return np.empty(0)
    if prev_last < 0 or prev_width <= 1:  # before any window (a 1-row window gives no decay: full cost)
        return np.full(end - begin, -1.0)
    past = (np.arange(begin, end) - prev_last) / (prev_width - 1)
    units = 2.0 / (1.0 + np.exp(5.0 * np.minimum(past, 3.0))) - 1.0
    return np.where(past > 3.0, -1.0, units)


def row_values(rows: FileRows, profile: Profile) -> FloatArray:
    """What a detection on each scorable row adds for this profile (window rows: before first-only counting)."""
    return np.where(rows.window >= 0, rows.unit * profile.tp, rows.unit * profile.fp)


def file_score(rows: FileRows, profile: Profile, threshold: float) -> float:
    """Raw NAB score of one file at a threshold (rows scoring >= threshold are detections)."""
    detected = rows.scores >= threshold
    values = row_values(rows, profile)
    total = float(values[detected & (rows.window < 0)].sum())
    for index in np.unique(rows.window[rows.window >= 0]):
        hits = detected & (rows.window == index)
        total += float(values[hits][0]) if hits.any() else -profile.fn  # earliest detection: the highest value
    return total


@dataclass(frozen=True, slots=True)
class Sweep:
    """Corpus totals at every distinct score, thresholds descending (the first is 'no detection')."""

    thresholds: FloatArray
    totals: FloatArray

    def best(self) -> tuple[float, float]:
        """(threshold, total) maximising the total; ties go to the highest threshold, as in NAB."""
        top = float(self.totals.max())
        index = int(np.flatnonzero(self.totals >= top - 1e-9)[0])
        return float(self.thresholds[index]), float(self.totals[index])


def sweep(corpus: Sequence[FileRows], profile: Profile) -> Sweep:
    """Total corpus score for every threshold among the distinct score values."""
    event_scores: list[FloatArray] = []
    event_gains: list[FloatArray] = []
    base = 0.0
    for rows in corpus:
        values = row_values(rows, profile)
        outside = rows.window < 0
        event_scores.append(rows.scores[outside])
        event_gains.append(values[outside])
        for index in np.unique(rows.window[~outside]):
            members = np.flatnonzero(rows.window == index)
            order = members[np.argsort(-rows.scores[members], kind="stable")]
            best = np.maximum.accumulate(values[order])  # the window's worth once all these rows are detected
            gains = np.diff(best, prepend=-profile.fn)
            event_scores.append(rows.scores[order])
            event_gains.append(gains)
            base -= profile.fn
    scores = np.concatenate(event_scores) if event_scores else np.empty(0)
    gains = np.concatenate(event_gains) if event_gains else np.empty(0)
    order = np.argsort(-scores, kind="stable")
    scores, running = scores[order], base + np.cumsum(gains[order])
    last_of_group = np.flatnonzero(np.append(scores[1:] != scores[:-1], True)) if len(scores) else np.empty(0, int)
    top = max(NO_DETECTION_THRESHOLD, float(np.nextafter(scores[0], np.inf)) if len(scores) else 0.0)
    thresholds = np.concatenate(([top], scores[last_of_group]))
    totals = np.concatenate(([base], running[last_of_group]))
    return Sweep(thresholds, totals)


def null_total(corpus: Sequence[FileRows], profile: Profile, null_windows: int | None = None) -> float:
    """The null detector's total: it detects nothing, so every scorable window costs A_FN.

    null_windows overrides the window count: NAB's scorer takes the null baseline from its shipped null-detector
    results, which cover its whole 58-file corpus (116 windows) even when fewer files are scored.
    """
    count = sum(rows.windows for rows in corpus) if null_windows is None else null_windows
    return -profile.fn * count


def perfect_total(corpus: Sequence[FileRows], profile: Profile) -> float:
    """The perfect detector's total: every labelled window detected at its first row (NAB counts all windows)."""
    return profile.tp * sum(rows.labelled_windows for rows in corpus)


def normalised(total: float, null: float, perfect: float) -> float:
    return 100.0 * (total - null) / (perfect - null) if perfect != null else 0.0


@dataclass(frozen=True, slots=True)
class ProfileResult:
    profile: Profile
    threshold: float
    total: float
    score: float  # normalised, 0 = null detector, 100 = perfect


def score_corpus(corpus: Sequence[FileRows], null_windows: int | None = None) -> list[ProfileResult]:
    """The three NAB profiles: best corpus-wide threshold, raw total and normalised score for each."""
    results = []
    for profile in PROFILES:
        threshold, total = sweep(corpus, profile).best()
        null, perfect = null_total(corpus, profile, null_windows), perfect_total(corpus, profile)
        results.append(ProfileResult(profile, threshold, total, normalised(total, null, perfect)))
    return results


@dataclass(frozen=True, slots=True)
class AlertShares:
    """At one threshold: windows caught, and alert events (runs of detected rows) that are false."""

    windows_detected: int
    windows: int
    false_events: int
    events: int

    @property
    def detected_share(self) -> float:
        return self.windows_detected / self.windows if self.windows else math.nan

    @property
    def false_share(self) -> float:
        return self.false_events / self.events if self.events else math.nan


def alert_shares(corpus: Sequence[FileRows], threshold: float) -> AlertShares:
    """Scorable windows with at least one detection; events (runs of consecutive detected rows) outside every window."""
    caught = windows = false_events = events = 0
    for rows in corpus:
        detected = rows.scores >= threshold
        in_window = rows.window >= 0
        windows += rows.windows
        caught += len(np.unique(rows.window[detected & in_window]))
        starts = np.flatnonzero(detected & ~np.concatenate(([False], detected[:-1])))
        ends = np.flatnonzero(detected & ~np.concatenate((detected[1:], [False])))
        events += len(starts)
        hits = np.concatenate(([0], np.cumsum(in_window & detected)))  # detected window rows before each index
        false_events += int(np.count_nonzero(hits[ends + 1] - hits[starts] == 0))
    return AlertShares(caught, windows, false_events, events)
