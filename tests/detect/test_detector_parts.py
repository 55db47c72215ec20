"""The detector's parts: sorted sliding window, rolling max, transition surprise, hour-of-day surprise."""

from __future__ import annotations

import pytest

from noc_app.detect.rolling import RollingMax, SortedWindow
from noc_app.detect.seasonal import HourOfDaySurprise
from noc_app.detect.transitions import TransitionSurprise


def test_sorted_window_keeps_the_last_values() -> None:
    window = SortedWindow(4)
    for value in (5.0, 1.0, 9.0, 3.0, 7.0, 7.0):
        window.add(value)
    assert len(window) == 4  # 9, 3, 7, 7
    assert window.quantile(1.0) == 9.0
    assert window.quantile(0.0) == 3.0
    median, sigma = window.median_and_sigma()
    assert median == 7.0
    assert sigma == pytest.approx((9.0 - 7.0) / 1.349)  # sorted 3 7 7 9: quartiles at ranks 1 and 3


def test_rolling_max_forgets_after_its_span() -> None:
    rolling = RollingMax(3)
    # span 3: this value and the two before it; push returns the max of those two
    assert [rolling.push(v) for v in (0.9, 0.1, 0.2, 0.3, 0.05)] == [0.0, 0.9, 0.9, 0.2, 0.3]


def test_transition_never_seen_in_a_known_context_is_surprising() -> None:
    model = TransitionSurprise(levels=4, order=2)
    cycle = [0.0, 1.0, 2.0, 3.0] * 50
    surprises = [model.update(v) for v in cycle]
    assert surprises[-1] < 0.1
    assert model.update(3.0) > 5.0  # 2 -> 3 -> 3 never happened


def test_hour_of_day_surprise_learns_a_daily_profile() -> None:
    model = HourOfDaySurprise(buckets=24, alpha=0.1)
    usual = {hour: 10.0 * (hour % 6) for hour in range(24)}
    for day in range(20):
        for hour in range(24):
            model.update(86400.0 * day + 3600.0 * hour, usual[hour] + (day % 2), floor=0.01)
    calm = model.update(86400.0 * 20 + 3600.0 * 5, usual[5], floor=0.01)
    odd = model.update(86400.0 * 20 + 3600.0 * 6, usual[5], floor=0.01)  # hour 6's value at hour 5's level
    assert calm is not None and odd is not None
    assert calm < 2 < 20 < odd


def test_new_bucket_has_no_surprise_yet() -> None:
    assert HourOfDaySurprise().update(0.0, 1.0, floor=0.01) is None
