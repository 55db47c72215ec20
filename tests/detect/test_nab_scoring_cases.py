"""NAB's scoring rules on hand-made files: window positions, first detection only, FP weights, probation, sweep."""

from __future__ import annotations

import math

import numpy as np
import pytest

from noc_app.detect.nab_scoring import (
    PROFILES,
    alert_shares,
    file_rows,
    file_score,
    probation_length,
    scaled_sigmoid,
    score_corpus,
    sweep,
)

STANDARD, LOW_FP, LOW_FN = PROFILES
N = 200  # probation: 30 rows
WINDOW = (40, 59)  # 20 rows, last row 59


def s_of(y: float) -> float:
    return 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def detections(*rows: int, n: int = N) -> np.ndarray:
    scores = np.zeros(n)
    scores[list(rows)] = 1.0
    return scores


def score(*rows: int, windows: tuple[tuple[int, int], ...] = (WINDOW,), profile=STANDARD) -> float:
    return file_score(file_rows("f.csv", detections(*rows), windows), profile, 1.0)


def test_probation_is_15_percent_capped_at_750() -> None:
    assert probation_length(100) == 15
    assert probation_length(1127) == 169
    assert probation_length(22695) == 750


def test_scaled_sigmoid_values() -> None:
    assert scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-5)
    assert scaled_sigmoid(0.0) == 0.0
    assert scaled_sigmoid(3.0) == pytest.approx(-1.0, abs=1e-6)
    assert scaled_sigmoid(3.0001) == -1.0


def test_no_detection_costs_a_miss_per_window() -> None:
    assert score() == -1.0
    assert score(profile=LOW_FN) == -2.0


def test_detection_at_the_first_row_of_a_window_is_worth_a_full_tp() -> None:
    assert score(40) == pytest.approx(1.0)


def test_late_detection_is_worth_less() -> None:
    late = s_of(-(59 - 55 + 1) / 20) / s_of(-1.0)  # y = -0.25
    assert score(55) == pytest.approx(late)
    assert late < 0.9


def test_only_the_first_detection_in_a_window_counts() -> None:
    assert score(45, 55) == pytest.approx(score(45))
    assert score(45, 46, 47, 58) == pytest.approx(score(45))


def test_false_positive_just_after_a_window_is_cheap() -> None:
    fp = 0.11 * s_of((61 - 59) / (20 - 1))
    assert score(40, 61) == pytest.approx(1.0 + fp)
    assert -0.05 < fp < 0


def test_false_positive_far_after_a_window_costs_the_full_weight() -> None:
    assert score(40, 59 + 3 * 19) == pytest.approx(1.0 - 0.11)
    assert score(40, 150) == pytest.approx(1.0 - 0.11)
    assert score(40, 150, profile=LOW_FP) == pytest.approx(1.0 - 0.22)


def test_false_positive_before_the_first_window_costs_the_full_weight() -> None:
    assert score(35, 40) == pytest.approx(1.0 - 0.11)


def test_every_detected_row_outside_windows_counts() -> None:
    assert score(40, 150, 151, 152) == pytest.approx(1.0 - 3 * 0.11)


def test_detections_in_the_probationary_period_are_not_scored() -> None:
    assert score(5, 29) == -1.0
    assert score(30) == pytest.approx(-1.0 - 0.11)


def test_window_inside_the_probationary_period_is_not_scored_but_counts_as_labelled() -> None:
    rows = file_rows("f.csv", detections(), ((5, 10), WINDOW))
    assert (rows.windows, rows.labelled_windows) == (1, 2)
    # the window in probation still sets the decay for false positives after it
    assert file_score(rows, STANDARD, 1.0) == -1.0


def test_null_detector_scores_zero_and_perfect_detector_scores_100() -> None:
    windows_a, windows_b = (WINDOW, (120, 139)), ((60, 99),)
    null = [file_rows("a.csv", np.zeros(N), windows_a), file_rows("b.csv", np.zeros(N), windows_b)]
    perfect = [
        file_rows("a.csv", detections(40, 120), windows_a),
        file_rows("b.csv", detections(60), windows_b),
    ]
    for result in score_corpus(null):
        assert result.score == pytest.approx(0.0)
        assert result.total == pytest.approx(-3 * result.profile.fn)
    for result in score_corpus(perfect):
        assert result.score == pytest.approx(100.0)
        assert result.threshold == 1.0


def test_null_windows_override_changes_only_the_baseline() -> None:
    rows = [file_rows("a.csv", detections(40), (WINDOW,))]
    (standard, *_) = score_corpus(rows, null_windows=3)
    assert standard.total == pytest.approx(1.0)
    assert standard.score == pytest.approx(100 * (1.0 + 3) / (1 + 3))


def test_sweep_picks_the_corpus_threshold_that_maximises_the_total() -> None:
    scores = np.zeros(N)
    scores[45] = 0.6  # a window caught only at 0.6 or lower
    scores[150] = 0.7  # a false positive above it
    scores[160] = 0.5  # another false positive below it
    rows = file_rows("f.csv", scores, (WINDOW,))
    result = sweep([rows], STANDARD)
    assert list(result.thresholds) == [1.1, 0.7, 0.6, 0.5, 0.0]
    caught = s_of(-(59 - 45 + 1) / 20) / s_of(-1.0)
    assert result.totals[:4] == pytest.approx([-1.0, -1.11, caught - 0.11, caught - 0.22])
    assert result.totals[4] < -10  # every row detected: mostly false positives
    assert result.best() == (0.6, pytest.approx(caught - 0.11))


def test_ties_go_to_the_highest_threshold() -> None:
    scores = np.zeros(N)
    scores[40] = 0.9
    scores[41] = 0.8  # detecting it as well changes nothing
    best, _ = sweep([file_rows("f.csv", scores, (WINDOW,))], STANDARD).best()
    assert best == 0.9


def test_alert_shares_count_windows_caught_and_false_events() -> None:
    rows = file_rows("f.csv", detections(41, 42, 43, 100, 101, 150), (WINDOW, (120, 139)))
    shares = alert_shares([rows], 1.0)
    assert (shares.windows_detected, shares.windows) == (1, 2)
    assert (shares.false_events, shares.events) == (2, 3)  # 41-43 in a window; 100-101 and 150 outside
    assert shares.detected_share == 0.5


def test_event_overlapping_a_window_edge_is_not_false() -> None:
    rows = file_rows("f.csv", detections(58, 59, 60, 61), (WINDOW,))
    assert alert_shares([rows], 1.0).false_events == 0
