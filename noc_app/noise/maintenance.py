"""Maintenance windows: alerts a configured window covers are shown calm, as MAINTENANCE.

Pure: the window list comes from the config, the time is injected.  A window is one range
(start..end) or recurring minutes of the day on some weekdays in a time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

from noc_app.model import Alert
from noc_app.noise.config import MaintenanceWindow

MINUTES_PER_DAY = 24 * 60


@lru_cache(maxsize=32)
def _zone(name: str) -> dt.tzinfo | None:
    return ZoneInfo(name) if name else None


def _local(now: float, zone_name: str) -> dt.datetime:
    zone = _zone(zone_name)
    return dt.datetime.fromtimestamp(now, tz=zone) if zone is not None else dt.datetime.fromtimestamp(now).astimezone()


def window_open(window: MaintenanceWindow, now: float) -> bool:
    """True while `window` covers the instant `now` (epoch seconds)."""
    if window.from_minute is None or window.to_minute is None:
        starts = window.start if window.start is not None else float("-inf")
        ends = window.end if window.end is not None else float("inf")
        return starts <= now < ends
    local = _local(now, window.time_zone)
    minute = local.hour * 60 + local.minute
    lo, hi = window.from_minute, window.to_minute
    if lo <= hi:
        return lo <= minute < hi and _day_ok(window, local.weekday())
    # Crossing midnight (22:00-02:00): the early part belongs to the previous day's window.
    if minute >= lo:
        return _day_ok(window, local.weekday())
    return minute < hi and _day_ok(window, (local.weekday() - 1) % 7)


def _day_ok(window: MaintenanceWindow, weekday: int) -> bool:
    return not window.days or weekday in window.days


def matches(window: MaintenanceWindow, alert: Alert) -> bool:
    """Every label of the window's `match` has that value on the alert ("alertname" = its name)."""
    for key, value in window.match.items():
        have = alert.name if key == "alertname" and "alertname" not in alert.labels else alert.labels.get(key)
        if have != value:
            return False
    return True


def covering(alert: Alert, windows: Iterable[MaintenanceWindow], now: float) -> MaintenanceWindow | None:
    """The first open window matching `alert`, or None."""
    for window in windows:
        if matches(window, alert) and window_open(window, now):
            return window
    return None


def next_change(windows: Iterable[MaintenanceWindow], now: float) -> float:
    """When a window may next open or close (the board re-decides then); inf when never.

    Recurring windows are re-checked at the next minute boundary: cheap and exact enough.
    """
    soonest = float("inf")
    for window in windows:
        if window.from_minute is not None:
            soonest = min(soonest, (now // 60 + 1) * 60)
            continue
        for edge in (window.start, window.end):
            if edge is not None and edge > now:
                soonest = min(soonest, edge)
    return soonest
