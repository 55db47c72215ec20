"""The scorer against NAB's own output: per-row weights and per-file raw scores of NAB's windowed Gaussian results.

The fixture results are NAB's shipped files, with its scorer's S(t)_<profile> column per row. The pinned totals were
derived from those columns alone (no code of ours): the S(t) of every detected row outside windows, plus per window the
S(t) of its first detected row or -A_FN, after the probationary period, at NAB's chosen thresholds for the detector
(1.0, 1.0, 0.999999999999).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from noc_app.detect.nab_corpus import read_scores, read_windows, results_path, window_rows
from noc_app.detect.nab_scoring import PROFILES, file_rows, file_score, probation_length, row_values

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nab"
RESULTS = FIXTURES / "results"
THRESHOLDS = {"standard": 1.0, "reward_low_FP_rate": 1.0, "reward_low_FN_rate": 0.999999999999}
PINNED = {  # key -> raw score per profile
    "realTraffic/speed_7578.csv": {
        "standard": 3.4705914568079272,
        "reward_low_FP_rate": 3.360591456807927,
        "reward_low_FN_rate": 3.4705914568079272,
    },
    "realAdExchange/exchange-3_cpm_results.csv": {
        "standard": 0.862098587352162,
        "reward_low_FP_rate": 0.862098587352162,
        "reward_low_FN_rate": 0.862098587352162,
    },
}


def reference_rows(key: str):
    windows = read_windows(FIXTURES / "labels" / "combined_windows.json")
    seconds, scores = read_scores(results_path(RESULTS, "windowedGaussian", key))
    return file_rows(key, scores, window_rows(seconds, windows[key]))


@pytest.mark.parametrize("key", sorted(PINNED))
@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_raw_file_scores_match_nab(key, profile) -> None:
    rows = reference_rows(key)
    assert file_score(rows, profile, THRESHOLDS[profile.name]) == pytest.approx(PINNED[key][profile.name], abs=1e-9)


@pytest.mark.parametrize("key", sorted(PINNED))
@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_row_weights_match_nab_s_of_t_column(key, profile) -> None:
    path = results_path(RESULTS, "windowedGaussian", key)
    with path.open(newline="") as handle:
        column = [float(row[f"S(t)_{profile.name}"]) for row in csv.DictReader(handle)]
    rows = reference_rows(key)
    start = probation_length(len(column))
    assert row_values(rows, profile) == pytest.approx(np.array(column[start:]), abs=1e-12)


def test_window_rows_follow_the_label_column() -> None:
    key = "realTraffic/speed_7578.csv"
    path = results_path(RESULTS, "windowedGaussian", key)
    with path.open(newline="") as handle:
        labels = np.array([int(row["label"]) for row in csv.DictReader(handle)])
    seconds, _ = read_scores(path)
    spans = window_rows(seconds, read_windows(FIXTURES / "labels" / "combined_windows.json")[key])
    assert len(spans) == 4
    marked = np.zeros(len(labels), dtype=int)
    for first, last in spans:
        marked[first : last + 1] = 1
    assert (marked == labels).all()
