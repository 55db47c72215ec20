"""Running the shipped detector over a NAB corpus as streams and writing NAB's results layout.

Files are independent, so they run in a process pool (largest first, so the pool ends together).
"""

from __future__ import annotations

import csv
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from noc_app.detect.detector import make_detector
from noc_app.detect.nab_corpus import FloatArray, NabSeries, read_series, results_path, window_rows
from noc_app.detect.online import StreamingDetector

DETECTOR_NAME = "noc"


@dataclass(frozen=True, slots=True)
class FileJob:
    key: str
    data_path: Path
    windows: tuple[tuple[float, float], ...]  # labelled windows, (start, end) seconds
    out_dir: Path
    detector: str = DETECTOR_NAME


def stream_scores(series: NabSeries, factory: Callable[[], StreamingDetector] = make_detector) -> FloatArray:
    """Feed the rows one at a time, in file order, to a fresh detector; its score for each row."""
    detector = factory()
    update = detector.update
    return np.array(
        [update(t, v).score for t, v in zip(series.seconds.tolist(), series.values.tolist(), strict=True)]
    )


def write_results(path: Path, series: NabSeries, scores: FloatArray, windows: Sequence[tuple[int, int]]) -> None:
    """timestamp,value,anomaly_score,label (label 1 inside a window) — what NAB's own scorer reads."""
    labels = np.zeros(len(scores), dtype=np.int64)
    for first, last in windows:
        labels[first : last + 1] = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("timestamp", "value", "anomaly_score", "label"))
        writer.writerows(
            zip(series.timestamps, series.values.tolist(), scores.tolist(), labels.tolist(), strict=True)
        )


@dataclass(frozen=True, slots=True)
class FileDone:
    key: str
    scores: FloatArray
    windows: list[tuple[int, int]]  # row ranges


def run_file(job: FileJob) -> FileDone:
    """Score one data file and write its results CSV."""
    series = read_series(job.key, job.data_path)
    scores = stream_scores(series)
    rows = window_rows(series.seconds, list(job.windows))
    write_results(results_path(job.out_dir, job.detector, job.key), series, scores, rows)
    return FileDone(job.key, scores, rows)


def run_corpus(jobs: Sequence[FileJob], processes: int | None = None) -> list[FileDone]:
    """Run every job, in parallel when there is more than one core; results by key."""
    ordered = sorted(jobs, key=lambda job: -job.data_path.stat().st_size)
    workers = min(len(ordered), processes or os.cpu_count() or 1)
    if workers <= 1:
        done = [run_file(job) for job in ordered]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = pool.map(run_file, ordered, chunksize=1)
    return sorted(done, key=lambda item: item.key)
