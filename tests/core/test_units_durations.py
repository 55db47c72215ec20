"""Durations are written in the largest unit they fill, an axis keeps one unit for all its ticks; boolean units are words."""

from __future__ import annotations

import pytest

from noc_app.units import format_value


@pytest.mark.parametrize(("value", "unit", "decimals", "text"), [
    (0.083, "s", None, "83 ms"),
    (42.0, "s", None, "42 s"),
    (1.5, "s", None, "1.50 s"),
    (59.9, "s", None, "59.9 s"),
    (750.0, "s", None, "12.5 min"),
    (12_600.0, "s", None, "3.50 h"),
    (1_234_567.0, "s", 1, "14.3 d"),  # Node Exporter Full's uptime stat (unit s, decimals 1)
    (-7_200.0, "s", None, "-2 h"),
    (83.0, "ms", None, "83 ms"),
    (1_500.0, "ms", None, "1.50 s"),
    (1_500.0, "ms", 0, "1,500 ms"),  # decimals asked for below a minute: the unit stays
    (90_000.0, "ms", None, "1.50 min"),
    (0.0, "ms", None, "0 ms"),
    (0.0, "s", None, "0 s"),
])
def test_a_duration_takes_the_largest_unit_it_fills(value, unit, decimals, text):
    assert format_value(value, unit, decimals) == text


def test_an_axis_step_decides_the_unit_of_every_tick():
    ticks = [0.0, 1_800.0, 3_600.0, 5_400.0]
    assert [format_value(v, "s", scale_by=1_800.0) for v in ticks] == ["0 min", "30 min", "60 min", "90 min"]
    assert [format_value(v, "s", scale_by=20.0) for v in (40.0, 60.0, 80.0)] == ["40 s", "60 s", "80 s"]


def test_non_durations_are_not_scaled():
    assert format_value(3_600.0, "req/s") == "3,600 req/s"


@pytest.mark.parametrize(("value", "unit", "text"), [
    (1.0, "bool", "true"), (0.0, "bool", "false"), (1.0, "bool_yes_no", "yes"), (0.0, "bool_on_off", "off"),
    (float("nan"), "bool", "–"),  # no value is no value, not "true"
])
def test_grafana_boolean_units_are_words(value, unit, text):
    assert format_value(value, unit) == text


def test_a_sub_second_axis_is_in_milliseconds_from_zero_up():
    assert [format_value(v, "s", scale_by=0.005) for v in (0.0, 0.005, 0.01)] == ["0 ms", "5 ms", "10 ms"]
    assert [format_value(v, "ms", scale_by=500.0) for v in (0.0, 500.0, 1_000.0)] == ["0 ms", "500 ms", "1,000 ms"]
    assert [format_value(v, "ms", scale_by=1_000.0) for v in (0.0, 1_000.0, 2_000.0)] == ["0 s", "1 s", "2 s"]
