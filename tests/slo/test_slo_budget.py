"""SLO maths against hand-computed tables (noc_app.slo.budget)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from noc_app.slo.budget import (
    Buckets,
    attainment,
    budget_curve,
    budget_minutes,
    budget_remaining,
    burn_rate,
    counter_increase,
    coverage_s,
    coverage_text,
    exhaustion_s,
    forecast_text,
    format_span,
    rates_to_buckets,
    slo_status,
)

DAY = 86400.0
HOUR = 3600.0
T0 = 1_800_000_000.0


@pytest.mark.parametrize(("target", "days", "minutes"), [
    (0.999, 30, 43.2),      # the seed's 30-day budget
    (0.999, 31, 44.64),     # a 31-day month
    (0.999, 28, 40.32),
    (0.99, 30, 432.0),
    (0.95, 30, 2160.0),
])
def test_budget_minutes(target, days, minutes):
    assert budget_minutes(target, days * DAY) == pytest.approx(minutes)


@pytest.mark.parametrize(("attained", "target", "left"), [
    (1.0, 0.999, 1.0),
    (0.9995, 0.999, 0.5),     # half the errors allowed: half the budget
    (0.999, 0.999, 0.0),      # exactly on target: nothing left
    (0.998, 0.999, -1.0),     # twice the allowed errors: overspent by a whole budget
    (0.99, 0.99, 0.0),
    (0.9975, 0.99, 0.75),
    (None, 0.999, 1.0),       # no traffic spends nothing
])
def test_budget_remaining(attained, target, left):
    assert budget_remaining(attained, target) == pytest.approx(left)


def _hours(good, total):
    t = T0 + HOUR * np.arange(1, len(total) + 1)
    return Buckets.of(t, good, total, HOUR)


def test_attainment_sums_events_not_ratios():
    # 1000 requests with 1 error, then 10 requests with 5 errors: 1004/1010, not the mean of ratios
    b = _hours([999, 5], [1000, 10])
    assert attainment(b) == pytest.approx(1004 / 1010)


def test_no_traffic_is_no_attainment_and_no_burn():
    b = _hours([0, 0, 0], [0, 0, 0])
    assert attainment(b) is None and burn_rate(b, 0.999) is None
    status = slo_status(b, target=0.999, window_s=3 * HOUR, start=T0)
    assert (status.budget_remaining, status.exhaustion_s, status.coverage_s) == (1.0, None, 3 * HOUR)
    assert forecast_text(status) == "no burn: the budget holds"


@pytest.mark.parametrize(("errors", "total", "target", "rate"), [
    (1, 1000, 0.999, 1.0),     # error ratio = allowed ratio: burning at 1x
    (144, 10000, 0.999, 14.4),  # the workbook's fast-burn page threshold
    (6, 1000, 0.999, 6.0),
    (0, 1000, 0.999, 0.0),
    (5, 100, 0.99, 5.0),
])
def test_burn_rate(errors, total, target, rate):
    assert burn_rate(_hours([total - errors], [total]), target) == pytest.approx(rate)


@pytest.mark.parametrize(("left", "rate", "window_days", "seconds"), [
    (1.0, 1.0, 30, 30 * DAY),       # a full budget at 1x lasts the whole window
    (0.5, 1.0, 30, 15 * DAY),
    (0.5, 14.4, 30, 0.5 * 30 * DAY / 14.4),  # 1 d 1 h
    (0.1056, 1.0, 30, 0.1056 * 30 * DAY),    # 3 d 4 h 2 m
    (0.0, 2.0, 30, 0.0),            # already spent
    (-0.5, 2.0, 30, 0.0),
    (0.5, 0.0, 30, None),           # no burn: never
    (0.5, None, 30, None),          # no traffic: never
])
def test_exhaustion(left, rate, window_days, seconds):
    got = exhaustion_s(left, rate, window_days * DAY)
    assert got == (pytest.approx(seconds) if seconds is not None else None)


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "< 1 m"), (59, "< 1 m"), (60, "1 m"), (3599, "59 m"), (3600, "1 h"), (3660, "1 h 1 m"),
    (DAY, "1 d"), (3 * DAY + 4 * HOUR + 120, "3 d 4 h"), (9 * DAY + 4 * HOUR, "9 d 4 h"), (30 * DAY, "30 d"),
])
def test_format_span(seconds, text):
    assert format_span(seconds) == text


def test_forecast_text_for_the_brief_example():
    # 0.1056 of a 30-day budget left, burning at 1x: gone in 3 d 4 h (3.168 days)
    hours = 30 * 24
    total = np.full(hours, 1000.0)
    good = total.copy()
    good[: hours - 1] -= 0.8944 * (1 - 0.999) * 1000 * hours / (hours - 1)  # spends 89.44 % of the budget
    good[-1] = 1000 - 1.0  # the last hour burns at exactly 1x
    b = Buckets.of(T0 + HOUR * np.arange(1, hours + 1), good, total, HOUR)
    status = slo_status(b, target=0.999, window_s=30 * DAY, start=T0)
    assert status.budget_remaining == pytest.approx(0.1056 - 1 / 720, abs=1e-9)  # budget: 720 errors
    assert status.burn_rate == pytest.approx(1.0)
    assert forecast_text(status).startswith("at the current burn the budget is gone in 3 d")


def test_gaps_reduce_coverage_and_are_not_traffic():
    nan = math.nan
    # 9 d 4 h of data in a 30-day window: 220 hourly buckets, the rest missing
    hours = 30 * 24
    total = np.full(hours, nan)
    good = np.full(hours, nan)
    total[-220:], good[-220:] = 100.0, 100.0
    good[-1] = 90.0  # 10 bad requests out of 22,000
    b = Buckets.of(T0 + HOUR * np.arange(1, hours + 1), good, total, HOUR)
    status = slo_status(b, target=0.999, window_s=30 * DAY, start=T0)
    assert status.coverage_s == 220 * HOUR
    assert coverage_text(status) == "based on 9 d 4 h of 30 d"
    assert status.attainment == pytest.approx(1 - 10 / 22000)
    assert status.coverage == pytest.approx(220 / 720)


def test_partial_answer_good_missing_is_a_gap_only_where_total_is_missing():
    b = rates_to_buckets([T0 + HOUR, T0 + 2 * HOUR], [1.0, math.nan], [1.0, math.nan], HOUR)
    assert coverage_s(b, 2 * HOUR) == HOUR
    assert attainment(b) == 1.0


def test_buckets_before_the_window_start_are_ignored():
    b = _hours([0, 100, 100], [100, 100, 100])  # the first (all bad) hour ends at T0 + 1 h
    status = slo_status(b, target=0.99, window_s=2 * HOUR, start=T0 + HOUR)
    assert status.attainment == 1.0 and status.coverage_s == 2 * HOUR


@pytest.mark.parametrize(("samples", "increase"), [
    ([0, 10, 20, 30], 30),
    ([5, 10, 2, 7], 5 + 2 + 5),       # reset after 10: the counter restarted from 0 and reached 2
    ([100, 0, 50], 50),               # reset to exactly 0
    ([0, math.nan, 20, 25], 25),      # a gap in between still counts the increase across it
    ([7], 0),
    ([], 0),
])
def test_counter_increase_handles_resets_and_gaps(samples, increase):
    assert counter_increase(samples) == pytest.approx(increase)


def test_budget_curve_burns_down_to_the_window_figure():
    # 4 hours of 1000 requests; 1, 0, 2, 1 errors; target 99.9 %: budget = 4 errors
    b = _hours([999, 1000, 998, 999], [1000] * 4)
    assert budget_curve(b, 0.999) == pytest.approx([0.75, 0.75, 0.25, 0.0])
    assert budget_curve(_hours([0], [0]), 0.999) == pytest.approx([1.0])
