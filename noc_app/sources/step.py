"""Range-query resolution: pick a "nice" step and the aligned [start, end] window (pure).

Steps snap to a short ladder (1s, 2s, 5s, 10s, 15s, 30s, 1m, ...) so that a
panel's points land on the same timestamps poll after poll: the chart does not
shimmer, the fingerprint only changes when the data does, and caches hit.
"""

from __future__ import annotations

import math

# Prometheus refuses a range query with more than 11,000 points per series.
PROMETHEUS_MAX_POINTS = 11_000

_NICE_STEPS_S = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
    1, 2, 5, 10, 15, 20, 30,
    60, 120, 300, 600, 900, 1200, 1800,
    3600, 7200, 10800, 21600, 43200,
    86400,
)  # fmt: skip
_DAY_S = 86400.0

# Prometheus' own duration units (model.Duration.String): y and w only when exact.
_UNITS_MS = (
    ("y", 365 * 86_400_000, True),
    ("w", 7 * 86_400_000, True),
    ("d", 86_400_000, False),
    ("h", 3_600_000, False),
    ("m", 60_000, False),
    ("s", 1_000, False),
    ("ms", 1, False),
)


def nice_step(seconds: float) -> float:
    """The smallest ladder value >= seconds (whole days beyond one day)."""
    for step in _NICE_STEPS_S:
        # A little slack so 3600/720 = 5.000000001 still counts as 5s.
        if step >= seconds * (1 - 1e-9):
            return float(step)
    return math.ceil(seconds / _DAY_S - 1e-9) * _DAY_S


def choose_step(window_s: float, max_points: int, *, min_step_s: float = 1.0) -> float:
    """Range step for a window: nice, >= window/max_points, never below min_step_s."""
    if window_s <= 0:
        raise ValueError(f"window must be positive, got {window_s:g}s")
    points = max(1, min(int(max_points), PROMETHEUS_MAX_POINTS))
    step = nice_step(window_s / points)
    return max(step, float(min_step_s)) if min_step_s > 0 else step


def aligned_range(now: float, window_s: float, step_s: float) -> tuple[float, float]:
    """(start, end) on the step grid: end = now rounded down, start = end - window (rounded down)."""
    end = math.floor(now / step_s) * step_s
    start = math.floor((end - window_s) / step_s) * step_s
    return start, end


def prometheus_duration(seconds: float) -> str:
    """Render seconds the way Prometheus does: 1m30s, 5m, 1w, 250ms (whole milliseconds)."""
    ms = round(seconds * 1000)
    if ms <= 0:
        return "0s"
    parts = []
    for unit, size, exact_only in _UNITS_MS:
        if exact_only and ms % size:
            continue
        count, ms = divmod(ms, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
