"""SLA maths against hand-computed tables: allowances, credit tier boundaries, downtime minutes, gaps."""

from __future__ import annotations

import math

import pytest

from noc_app.config.schema import SEED_CREDIT_TIERS, CreditTier
from noc_app.reports.sla import (
    Downtime,
    Period,
    allowance_minutes,
    compliance,
    credit_for,
    downtime,
    month_of,
    month_period,
    previous_month,
    ratio_pct,
)

NAN = math.nan
DAY = 86400.0


@pytest.mark.parametrize(("year", "month", "days", "allowance"), [
    (2026, 4, 30, 43.2),      # 43 200 min * 0.1 %
    (2026, 1, 31, 44.64),     # 44 640 min * 0.1 %
    (2026, 2, 28, 40.32),
    (2028, 2, 29, 41.76),     # leap year
])
def test_allowance_is_computed_from_the_period(year, month, days, allowance):
    period = month_period(year, month)
    assert period.end - period.start == days * DAY
    assert allowance_minutes(period, 99.9) == pytest.approx(allowance)


def test_a_month_in_a_time_zone_starts_at_local_midnight_and_knows_its_dst_hour():
    march = month_period(2026, 3, "Europe/Berlin")  # DST starts on 29 March: one hour shorter
    assert march.start == month_period(2026, 3).start - 3600  # 00:00 CET is 23:00 UTC the day before
    assert march.end - march.start == 31 * DAY - 3600
    assert month_of(march.start, "Europe/Berlin") == (2026, 3)
    assert month_of(march.start, "UTC") == (2026, 2)
    assert previous_month(month_period(2026, 1).start + 5) == (2025, 12)


@pytest.mark.parametrize(("attainment", "credit"), [
    (100.0, None),
    (99.95, None),
    (99.9, None),       # the target itself is met
    (99.8999, 10.0),
    (99.5, 10.0),       # 99.5 exactly is in [99.5, 99.9)
    (99.4999, 25.0),
    (99.0, 25.0),       # 99.0 exactly is in [99.0, 99.5)
    (98.9999, 50.0),
    (0.0, 50.0),
])
def test_credit_tiers_have_explicit_boundaries(attainment, credit):
    tier = credit_for(attainment, SEED_CREDIT_TIERS)
    assert (tier.credit_pct if tier else None) == credit


def test_overlapping_tiers_give_the_larger_credit():
    tiers = (CreditTier(at_least=99.0, below=99.9, credit_pct=10.0), CreditTier(below=99.5, credit_pct=30.0))
    assert credit_for(99.2, tiers).credit_pct == 30.0
    assert credit_for(99.7, tiers).credit_pct == 10.0


def test_minutes_are_down_below_the_threshold_idle_minutes_are_up_and_nan_is_a_gap():
    good = [100, 999, 998, 0, 5, NAN, 10]
    total = [100, 1000, 1000, 0, 10, 10, NAN]
    # 100 %, 99.9 % (not below), 99.8 % (down), no traffic (up), 50 % (down), gap, gap
    assert downtime(good, total, down_below_pct=99.9) == Downtime(down=2, up=3, gaps=2, no_traffic=1)
    assert downtime(good, total, down_below_pct=50.0).down == 0


def test_a_month_with_exactly_the_allowance_down_meets_the_sla():
    period = month_period(2026, 4)  # 43 200 minutes
    steps = 43_200
    down = 43  # < 43.2 allowed
    result = compliance(Downtime(down=down, up=steps - down, gaps=0, no_traffic=0), period=period,
                        target_pct=99.9, tiers=SEED_CREDIT_TIERS)
    assert result.uptime_pct == pytest.approx(100 * (1 - 43 / 43_200))
    assert result.met and result.credit is None
    assert (result.downtime_min, result.allowance_min, result.coverage) == (43.0, pytest.approx(43.2), 1.0)


@pytest.mark.parametrize(("down", "credit"), [(44, 10.0), (216, 10.0), (217, 25.0), (432, 25.0), (433, 50.0)])
def test_downtime_minutes_map_to_the_credit_tiers(down, credit):
    # 30-day month: 99.5 % allows 216 min, 99.0 % allows 432 min.
    period = month_period(2026, 4)
    result = compliance(Downtime(down=down, up=43_200 - down, gaps=0, no_traffic=0), period=period,
                        target_pct=99.9, tiers=SEED_CREDIT_TIERS)
    assert not result.met and result.credit.credit_pct == credit


def test_gaps_are_excluded_by_default_and_can_count_up_or_down():
    period = Period(start=0.0, end=100 * 60.0)
    minutes = Downtime(down=1, up=49, gaps=0, no_traffic=0)  # 50 minutes never answered
    excluded = compliance(minutes, period=period, target_pct=99.0, tiers=SEED_CREDIT_TIERS)
    assert (excluded.uptime_pct, excluded.coverage, excluded.gap_min) == (98.0, 0.5, 50.0)
    assert compliance(minutes, period=period, target_pct=99.0, tiers=(), gaps="up").uptime_pct == 99.0
    as_down = compliance(minutes, period=period, target_pct=99.0, tiers=(), gaps="down")
    assert (as_down.uptime_pct, as_down.downtime_min) == (49.0, 51.0)


def test_no_data_at_all_gives_no_verdict_and_no_credit():
    result = compliance(Downtime(down=0, up=0, gaps=0, no_traffic=0), period=month_period(2026, 4),
                        target_pct=99.9, tiers=SEED_CREDIT_TIERS)
    assert (result.uptime_pct, result.met, result.credit, result.coverage) == (None, None, None, 0.0)


def test_a_month_without_traffic_is_up():
    minutes = downtime([0.0] * 60, [0.0] * 60, down_below_pct=99.9)
    assert (minutes.up, minutes.no_traffic) == (60, 60)
    assert ratio_pct([0.0] * 60, [0.0] * 60) is None


def test_request_ratio_sums_good_over_total_and_skips_gaps():
    assert ratio_pct([90, NAN, 100], [100, 50, 100]) == pytest.approx(95.0)
    assert ratio_pct([120], [100]) == 100.0  # good never exceeds total (counter skew between series)
