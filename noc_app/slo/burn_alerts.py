"""Multi-window, multi-burn-rate alerts (Google SRE workbook, ch. 5) (pure).

An alert fires when the error ratio over BOTH its long and its short window
exceeds factor * (1 - target): the long window says enough budget is gone, the
short one that it is still burning (so it resets soon after recovery).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from noc_app.config.schema import SloConfig

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


class Urgency(enum.StrEnum):
    PAGE = "page"
    TICKET = "ticket"


@dataclass(frozen=True, kw_only=True, slots=True)
class BurnWindow:
    long_s: float
    short_s: float
    factor: float  # burn rate threshold
    urgency: Urgency

    @property
    def name(self) -> str:
        from noc_app.slo.promql import prom_duration

        return f"{prom_duration(self.long_s)}/{prom_duration(self.short_s)}"


# The workbook's table for a 30-day SLO: 2 % of the budget in 1 h, 5 % in 6 h, 10 % in 3 d.
WORKBOOK_WINDOWS: tuple[BurnWindow, ...] = (
    BurnWindow(long_s=HOUR, short_s=5 * MINUTE, factor=14.4, urgency=Urgency.PAGE),
    BurnWindow(long_s=6 * HOUR, short_s=30 * MINUTE, factor=6.0, urgency=Urgency.PAGE),
    BurnWindow(long_s=3 * DAY, short_s=6 * HOUR, factor=1.0, urgency=Urgency.TICKET),
)

SEVERITY_FOR = {Urgency.PAGE: "critical", Urgency.TICKET: "warning"}


def windows_needed(windows: tuple[BurnWindow, ...] = WORKBOOK_WINDOWS) -> tuple[float, ...]:
    """Every distinct range the alerts read, shortest first."""
    return tuple(sorted({w.long_s for w in windows} | {w.short_s for w in windows}))


def threshold(slo: SloConfig, window: BurnWindow) -> float:
    """The error ratio above which this window burns too fast."""
    return window.factor * (1.0 - slo.target)


def firing(slo: SloConfig, error_ratios: Mapping[float, float | None],
           windows: tuple[BurnWindow, ...] = WORKBOOK_WINDOWS) -> tuple[BurnWindow, ...]:
    """The windows whose long and short error ratios both exceed the threshold.

    error_ratios maps a range in seconds to the measured ratio (None: no data/no traffic,
    which never fires).
    """
    out = []
    for window in windows:
        long_ratio, short_ratio = error_ratios.get(window.long_s), error_ratios.get(window.short_s)
        if long_ratio is None or short_ratio is None:
            continue
        limit = threshold(slo, window)
        if long_ratio > limit and short_ratio > limit:
            out.append(window)
    return tuple(out)


def worst_urgency(windows: tuple[BurnWindow, ...]) -> Urgency | None:
    if any(w.urgency is Urgency.PAGE for w in windows):
        return Urgency.PAGE
    return Urgency.TICKET if windows else None
