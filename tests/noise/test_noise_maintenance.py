"""Maintenance windows: one-off ranges, daily and weekly recurrences, midnight, time zones, matchers."""

from __future__ import annotations

import datetime as dt

import pytest
from noise_kit import alert

from noc_app.noise.config import MaintenanceWindow
from noc_app.noise.maintenance import covering, matches, next_change, window_open


def _utc(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


ONE_OFF = MaintenanceWindow(name="db patching", match={"service": "db"},
                            start=_utc("2026-12-05T22:00"), end=_utc("2026-12-06T02:00"))
NIGHTLY = MaintenanceWindow(name="backups", match={"job": "backup"}, from_minute=60, to_minute=180, time_zone="UTC")
WEEKEND_NIGHT = MaintenanceWindow(name="weekend", match={"service": "db"}, from_minute=22 * 60, to_minute=2 * 60,
                                  days=(5,), time_zone="Europe/Berlin")  # Saturday 22:00 - Sunday 02:00, Berlin


@pytest.mark.parametrize(("window", "when", "expected"), [
    (ONE_OFF, "2026-12-05T21:59", False),
    (ONE_OFF, "2026-12-05T22:00", True),
    (ONE_OFF, "2026-12-06T01:59", True),
    (ONE_OFF, "2026-12-06T02:00", False),  # the end is open
    (NIGHTLY, "2026-12-02T00:59", False),
    (NIGHTLY, "2026-12-02T01:00", True),
    (NIGHTLY, "2026-12-03T02:30", True),  # every day
    (NIGHTLY, "2026-12-03T03:00", False),
    # 2026-12-05 is a Saturday; Berlin is UTC+1 in December
    (WEEKEND_NIGHT, "2026-12-05T21:30", True),  # 22:30 Saturday in Berlin
    (WEEKEND_NIGHT, "2026-12-05T20:30", False),  # 21:30 Berlin
    (WEEKEND_NIGHT, "2026-12-06T00:30", True),  # 01:30 Sunday Berlin: Saturday's window crossing midnight
    (WEEKEND_NIGHT, "2026-12-06T01:30", False),  # 02:30 Berlin
    (WEEKEND_NIGHT, "2026-12-06T21:30", False),  # Sunday 22:30: not a Saturday
    (WEEKEND_NIGHT, "2026-12-05T00:30", False),  # Saturday 01:30: Friday's night is not in the window
])
def test_window_open(window, when, expected):
    assert window_open(window, _utc(when)) is expected


def test_matchers_need_every_label_and_alertname_falls_back_to_the_name():
    window = MaintenanceWindow(name="w", match={"service": "db", "alertname": "DiskFull"})
    assert matches(window, alert("DiskFull", service="db"))
    assert not matches(window, alert("DiskFull", service="api"))
    assert not matches(window, alert("CpuHigh", service="db"))


def test_covering_picks_the_first_open_matching_window_and_next_change_finds_the_edges():
    now = _utc("2026-12-05T23:00")
    assert covering(alert("X", service="db"), (NIGHTLY, ONE_OFF), now) is ONE_OFF
    assert covering(alert("X", service="api"), (NIGHTLY, ONE_OFF), now) is None
    assert next_change((ONE_OFF,), _utc("2026-12-05T20:00")) == ONE_OFF.start
    assert next_change((ONE_OFF,), now) == ONE_OFF.end
    assert next_change((ONE_OFF,), _utc("2026-12-07T00:00")) == float("inf")
    assert next_change((NIGHTLY,), now + 10) == now + 60  # recurring: the next minute
