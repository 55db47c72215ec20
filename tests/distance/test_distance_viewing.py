"""The viewing-distance policy: arc-minutes to pixels, plausible screen sizes, the title's detail to drop."""

from __future__ import annotations

import math

import pytest

from noc_app.viewing import (
    CAP_HEIGHT_RATIO,
    NO_FLOORS,
    PhysicalSize,
    arcmin_of,
    cap_px_for,
    font_px_for,
    physical_size,
    plausible_size,
    shorter_title,
    size_from_diagonal,
    spaced,
    text_floors,
)

INCH = 25.4


def test_one_arc_minute_at_four_metres_is_about_1_16_mm():
    assert cap_px_for(1.0, 4000.0, 1.0) == pytest.approx(1.1636, abs=1e-3)
    assert arcmin_of(cap_px_for(16.0, 4000.0, 0.375), 4000.0, 0.375) == pytest.approx(16.0, abs=1e-6)


def test_a_65_inch_4k_screen_from_4_m_needs_50_and_31_px_capitals():
    size = size_from_diagonal(3840, 2160, 65 * INCH, "configured")
    assert size.height_mm == pytest.approx(809.5, abs=0.5)
    floors = text_floors(4000.0, size, 2160)
    assert cap_px_for(16, 4000, size.height_mm / 2160) == pytest.approx(49.7, abs=0.1)
    assert floors.major_px == 70 and floors.minor_px == 44
    assert floors.major_px * CAP_HEIGHT_RATIO >= 49.7 and floors.minor_px * CAP_HEIGHT_RATIO >= 31.0
    half = text_floors(4000.0, size_from_diagonal(1920, 1080, 65 * INCH, "configured"), 1080)
    assert (half.major_px, half.minor_px) == (35, 22)  # same screen, half the pixels: half the sizes


def test_no_viewing_distance_means_no_floors():
    assert text_floors(None, size_from_diagonal(3840, 2160, 65 * INCH, "x"), 2160) == NO_FLOORS


@pytest.mark.parametrize(("mm", "ok"), [
    ((1439.0, 809.0), True),  # a real 65" TV
    ((160.0, 90.0), False),  # a TV's nonsense EDID: 7" at 3840 px is 600+ ppi
    ((16000.0, 9000.0), False),  # centimetres reported as millimetres: a 722" screen
    ((0.0, 0.0), False),
    ((1439.0, 1439.0), False),  # square millimetres for 16:9 pixels
    ((math.nan, 809.0), False),
])
def test_plausible_sizes(mm, ok):
    assert plausible_size(3840, 2160, *mm) is ok


def test_physical_size_prefers_configured_then_platform_then_55_inches():
    configured = physical_size(3840, 2160, (1439.0, 809.0), 75 * INCH)
    assert configured.origin == "configured" and configured.diagonal_in == pytest.approx(75.0)
    assert physical_size(3840, 2160, (1439.0, 809.0), None) == PhysicalSize(width_mm=1439.0, height_mm=809.0,
                                                                             origin="platform")
    fallback = physical_size(3840, 2160, (160.0, 90.0), None)
    assert fallback.origin == "default" and fallback.diagonal_in == pytest.approx(55.0)
    assert physical_size(1920, 1080, None, None).origin == "default"


def test_font_sizes_round_up():
    assert font_px_for(10.0, 4000.0, 0.375) == math.ceil(cap_px_for(10.0, 4000.0, 0.375) / CAP_HEIGHT_RATIO)


@pytest.mark.parametrize(("title", "shorter"), [
    ("Error Rate (SLO < 1 %)", "Error Rate"),
    ("Disk / (this machine)", "Disk /"),
    ("Payments — EU West", "Payments"),
    ("Checkout: p95", "Checkout"),
    ("Request Rate", None),
    ("(only detail)", None),
])
def test_titles_drop_their_trailing_detail(title, shorter):
    assert shorter_title(title) == shorter


def test_axis_labels_closer_than_their_height_are_dropped_keeping_the_low_end():
    assert spaced([500.0, 450.0, 400.0, 350.0, 300.0], 90.0) == frozenset({0, 2, 4})
    assert spaced([500.0, 300.0, 100.0], 90.0) == frozenset({0, 1, 2})
    assert spaced([], 10.0) == frozenset()
