"""`percentunit`: a 0-1 ratio shown as a percentage, in every place a value is written."""

from __future__ import annotations

import pytest

from noc_app.units import PERCENT_OF_ONE, format_value


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (0.209899, None, "21.0 %"),
    (0.209899, 1, "21.0 %"),
    (0.0034, None, "0.34 %"),
    (1.0, None, "100 %"),
    (0.0, 1, "0.0 %"),
    (float("inf"), None, "+Inf"),
])
def test_a_ratio_is_written_as_a_percentage(value, decimals, text):
    assert format_value(value, PERCENT_OF_ONE, decimals) == text


def test_a_percentage_is_not_scaled_again():
    assert format_value(21.0, "%") == "21 %"
