"""Threshold policies shared by the YAML loader and the Grafana importer."""

from __future__ import annotations

import math
from collections.abc import Iterable

from noc_app.config.schema import Threshold
from noc_app.model import Severity


def positional_severities(count: int) -> list[Severity]:
    """Severities for ascending bare numbers: last critical, the one before warning, the rest info."""
    tail = [Severity.WARNING, Severity.CRITICAL][-count:] if count else []
    return [Severity.INFO] * (count - len(tail)) + tail


def thresholds_from_numbers(values: Iterable[float]) -> tuple[Threshold, ...]:
    """Bare numbers (the Grafana singlestat form) as upper thresholds, sorted ascending."""
    ordered = sorted(values)
    return tuple(
        Threshold(value=value, severity=severity, op="gt")
        for value, severity in zip(ordered, positional_severities(len(ordered)), strict=True)
    )


def parse_threshold_list(text: str) -> tuple[float, ...]:
    """Numbers from Grafana's comma form '1,5' ('' is none); raises ValueError."""
    parts = [part.strip() for part in text.split(",")]
    if parts == [""]:
        return ()
    numbers = tuple(float(part) for part in parts)
    if not all(math.isfinite(number) for number in numbers):
        raise ValueError("thresholds must be finite numbers")
    return numbers


def crosses(value: float, threshold: Threshold) -> bool:
    """gt means value >= limit, lt means value < limit; NaN crosses nothing, +-Inf compare as numbers."""
    return value < threshold.value if threshold.op == "lt" else value >= threshold.value


def crossed_threshold(value: float | None, thresholds: Iterable[Threshold]) -> Threshold | None:
    """The one threshold a value is judged by: the most severe it crosses, then the deepest.

    This is the single threshold rule of the app: the stat/gauge/time-series widgets,
    the snapshot JSON and the selectors all ask it, so the wall and `snapshot` agree.
    Deepest: the highest crossed 'gt' limit or the lowest crossed 'lt' limit (the one
    furthest into the bad side); between equally deep limits the first written wins.
    None for no value (None/NaN: a gap is not a value) or when nothing is crossed.
    """
    if value is None or math.isnan(value):
        return None
    best: Threshold | None = None
    best_key: tuple[int, float] = (0, 0.0)
    for threshold in thresholds:
        if not crosses(value, threshold):
            continue
        depth = -threshold.value if threshold.op == "lt" else threshold.value
        key = (-threshold.severity.rank, depth)
        if best is None or key > best_key:
            best, best_key = threshold, key
    return best


def threshold_severity(value: float | None, thresholds: Iterable[Threshold]) -> Severity | None:
    """The severity of crossed_threshold(value), or None."""
    crossed = crossed_threshold(value, thresholds)
    return crossed.severity if crossed is not None else None
