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
