"""The shipped streaming detector: online (never looks ahead), deterministic, scores in [0, 1], bounded state."""

from __future__ import annotations

import math
import random

import pytest

from noc_app.detect.detector import alert_threshold, make_detector
from noc_app.detect.online import Scored


def series(n: int, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    values = [10 + 3 * math.sin(i / 12) + rng.gauss(0, 0.5) for i in range(n)]
    for i in range(400, 420):
        values[i] += 15  # a level shift
    if n > 700:
        values[700] = -20  # a spike
    return values


def run(values: list[float]) -> list[Scored]:
    detector = make_detector()
    return [detector.update(60.0 * i, v) for i, v in enumerate(values)]


def test_scores_of_the_first_rows_do_not_change_when_later_rows_are_appended() -> None:
    values = series(1200)
    short, full = run(values[:600]), run(values)
    assert full[:600] == short
    assert run(values[:600] + [1e9] * 50)[:600] == short  # even a wild future


def test_deterministic() -> None:
    assert run(series(900)) == run(series(900))


def test_scores_are_in_unit_interval_and_the_band_appears_after_warm_up() -> None:
    scored = run(series(1200))
    assert all(0.0 <= s.score <= 1.0 for s in scored)
    assert math.isnan(scored[0].expected_low) and math.isnan(scored[0].expected_high)
    late = scored[-1]
    assert late.expected_low < 10 < late.expected_high


def test_level_shift_and_spike_score_above_the_default_threshold_and_calm_rows_do_not() -> None:
    scored = run(series(1200))
    threshold = alert_threshold(0.5)
    alerts = [i for i, s in enumerate(scored) if s.score >= threshold]
    assert any(400 <= i < 405 for i in alerts)
    assert 700 in alerts
    # while its history is short a series' first records still alert (NAB's probationary period hides them)
    assert [i for i in alerts if i >= 350 and not (400 <= i < 440 or 700 <= i < 720)] == []


def test_one_alert_per_episode() -> None:
    values = [5.0 + 0.1 * math.sin(i) for i in range(600)] + [50.0] * 30
    threshold = alert_threshold(0.5)
    alerts = [i for i, s in enumerate(run(values)) if s.score >= threshold and i >= 300]
    assert alerts == [600]


def test_gaps_score_zero_and_are_not_learned() -> None:
    values = series(500)
    detector = make_detector()
    for i, v in enumerate(values):
        detector.update(float(i), v)
    gap = detector.update(501.0, math.nan)
    assert gap.score == 0.0 and math.isnan(gap.expected_low) and math.isnan(gap.expected_high)
    with_gap, without = make_detector(), make_detector()
    for i, v in enumerate(values):
        with_gap.update(float(i), v)
        without.update(float(i), v)
        if i == 300:
            with_gap.update(300.5, math.inf)
    assert with_gap.update(600.0, 12.0) == without.update(600.0, 12.0)


def test_state_stays_bounded() -> None:
    detector = make_detector()
    rng = random.Random(3)
    for i in range(30_000):
        detector.update(60.0 * i, rng.lognormvariate(0, 1))
    sizes = [len(getattr(detector, name)) for name in ("_values", "_level_ratio", "_pattern_ratio", "_daily_ratio")]
    assert sizes == [256, 5000, 5000, 5000]
    assert len(detector._pattern._counts) <= 6**2  # contexts: levels ** order
    assert len(detector._daily._stats) <= 24


def test_alert_threshold_falls_with_sensitivity() -> None:
    assert alert_threshold(0.5) == pytest.approx(0.5)
    levels = [alert_threshold(s / 10) for s in range(11)]
    assert levels == sorted(levels, reverse=True)
    assert 0.0 < levels[-1] < levels[0] < 1.0


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan])
def test_sensitivity_outside_unit_interval_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="sensitivity"):
        make_detector(bad)
    with pytest.raises(ValueError, match="sensitivity"):
        alert_threshold(bad)


def test_extreme_values_never_give_a_score_outside_unit_interval() -> None:
    detector = make_detector()
    values = [0.0, 1e308, -1e308, 1e149, -1e149, 5e-324, 0.0] * 60 + [1.0] * 200
    scores = [detector.update(float(i), v).score for i, v in enumerate(values)]
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_constant_series_raises_nothing_and_a_step_away_from_it_alerts() -> None:
    values = [3.0] * 500 + [4.0]
    scored = run(values)
    assert all(s.score < 0.01 for s in scored[:500])
    assert scored[-1].score >= alert_threshold(0.5)
