"""Reading a NAB corpus: data files (data/<category>/*.csv), anomaly windows (labels JSON) and results folders.

Everything here turns files into plain arrays and row ranges; scoring lives in nab_scoring. Problems are raised as
NabInputError naming the file (and line) and what was expected, never as a bare csv/json/KeyError.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class NabInputError(ValueError):
    """A corpus, labels or results file is missing or malformed (the message names it)."""


@dataclass(frozen=True, slots=True)
class NabSeries:
    """One data file: its key in the labels ("category/file.csv"), its rows' timestamps (text and seconds), values."""

    key: str
    path: Path
    timestamps: tuple[str, ...]
    seconds: FloatArray
    values: FloatArray


def corpus_files(data_dir: Path) -> list[tuple[str, Path]]:
    """(key, path) of every data/<category>/*.csv, sorted by key; an error when there is none."""
    if not data_dir.is_dir():
        raise NabInputError(f"{data_dir}: no such folder (expected a NAB data/ folder with category subfolders)")
    found = sorted(
        (f"{path.parent.name}/{path.name}", path) for path in data_dir.glob("*/*.csv") if path.is_file()
    )
    if not found:
        raise NabInputError(f"{data_dir}: no data/<category>/*.csv files in this folder")
    return found


def parse_time(text: str) -> float:
    """Seconds since the epoch of a NAB timestamp ("2014-04-10 07:15:00", optionally with fractions), read as UTC."""
    return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC).timestamp()


def read_series(key: str, path: Path) -> NabSeries:
    """A data file with header timestamp,value. Rows are taken in file order: NAB's own files repeat a timestamp
    and even step back an hour (clock changes), so time order is not required."""
    stamps, seconds, values = _read_columns(path, ("timestamp", "value"))
    return NabSeries(key, path, tuple(stamps), np.asarray(seconds), np.asarray(values[0]))


def read_scores(path: Path) -> tuple[FloatArray, FloatArray]:
    """A results file's (seconds, anomaly_score) columns; extra columns (label, NAB's S(t)_*) are ignored."""
    _, seconds, columns = _read_columns(path, ("timestamp", "anomaly_score"))
    return np.asarray(seconds), np.asarray(columns[0])


def _read_columns(path: Path, names: tuple[str, ...]) -> tuple[list[str], list[float], list[list[float]]]:
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as err:
        raise NabInputError(f"{path}: cannot read ({err.strerror or err})") from None
    with handle:
        reader = csv.reader(handle)
        header = [cell.strip() for cell in next(reader, [])]
        missing = [name for name in names if name not in header]
        if missing:
            shown = ",".join(header) or "(empty)"
            raise NabInputError(f"{path}:1: header {shown} lacks column(s) {', '.join(missing)}")
        indices = [header.index(name) for name in names]
        stamps: list[str] = []
        seconds: list[float] = []
        columns: list[list[float]] = [[] for _ in names[1:]]
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) < len(header):
                raise NabInputError(f"{path}:{line}: expected {len(header)} columns, got {len(row)}")
            stamp = row[indices[0]]
            try:
                second = parse_time(stamp)
            except ValueError:
                raise NabInputError(f"{path}:{line}: timestamp {stamp!r} is not YYYY-MM-DD HH:MM:SS") from None
            for column, index, name in zip(columns, indices[1:], names[1:], strict=True):
                try:
                    column.append(float(row[index]))
                except ValueError:
                    raise NabInputError(f"{path}:{line}: {name} {row[index]!r} is not a number") from None
            stamps.append(stamp)
            seconds.append(second)
    if not stamps:
        raise NabInputError(f"{path}: no data rows")
    return stamps, seconds, columns


def read_windows(labels_path: Path) -> dict[str, list[tuple[float, float]]]:
    """combined_windows.json: "category/file.csv" -> [(start, end) seconds], sorted by start."""
    try:
        text = labels_path.read_text(encoding="utf-8")
    except OSError as err:
        raise NabInputError(f"{labels_path}: cannot read labels ({err.strerror or err})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise NabInputError(f"{labels_path}:{err.lineno}: not JSON ({err.msg})") from None
    if not isinstance(raw, dict):
        raise NabInputError(f"{labels_path}: expected an object mapping 'category/file.csv' to a list of windows")
    windows: dict[str, list[tuple[float, float]]] = {}
    for key, entries in raw.items():
        if not isinstance(entries, list):
            raise NabInputError(f"{labels_path}: {key}: expected a list of [start, end] windows")
        parsed: list[tuple[float, float]] = []
        for entry in entries:
            if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
                raise NabInputError(f"{labels_path}: {key}: window {entry!r} is not [start, end] timestamps")
            try:
                start, end = parse_time(entry[0]), parse_time(entry[1])
            except ValueError:
                raise NabInputError(f"{labels_path}: {key}: window {entry!r} has a bad timestamp") from None
            if end < start:
                raise NabInputError(f"{labels_path}: {key}: window {entry!r} ends before it starts")
            parsed.append((start, end))
        windows[key] = sorted(parsed)
    return windows


def window_rows(seconds: FloatArray, windows: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """Each window as (first row, last row) inclusive, in file order; windows without rows are dropped.

    As in NAB's scorer, a window starts at the first row (after the previous window) at its start time and ends at
    the first row at its end time; for timestamps that do not fall on rows, the nearest rows inside the window.
    """
    rows: list[tuple[int, int]] = []
    cursor = 0
    for start, end in windows:
        after = np.flatnonzero(seconds[cursor:] >= start)
        if not len(after):
            continue
        first = cursor + int(after[0])
        tail = seconds[first:]
        exact = np.flatnonzero(tail == end)
        beyond = np.flatnonzero(tail > end)
        last = first + int(exact[0]) if len(exact) else first + (int(beyond[0]) if len(beyond) else len(tail)) - 1
        if last >= first:
            rows.append((first, last))
            cursor = last + 1
    return rows


def labels_for(key: str, windows: dict[str, list[tuple[float, float]]], labels_path: Path) -> list[tuple[float, float]]:
    if key not in windows:
        raise NabInputError(f"{labels_path}: no entry for {key} (a data file must have its windows, even [])")
    return windows[key]


def results_path(results_dir: Path, detector: str, key: str) -> Path:
    """NAB's layout: RESULTS/<detector>/<category>/<detector>_<file>.csv."""
    category, name = key.split("/", 1)
    return results_dir / detector / category / f"{detector}_{name}"


def detectors_in(results_dir: Path) -> list[str]:
    """Detector folders of a results folder (those holding at least one <category>/ subfolder with CSVs)."""
    if not results_dir.is_dir():
        raise NabInputError(f"{results_dir}: no such results folder (expected RESULTS/<detector>/<category>/*.csv)")
    names = sorted(d.name for d in results_dir.iterdir() if d.is_dir() and any(d.glob("*/*.csv")))
    if not names:
        raise NabInputError(f"{results_dir}: no <detector>/<category>/<detector>_<file>.csv results in this folder")
    return names
