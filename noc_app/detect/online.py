"""The seam between a streaming anomaly detector and its users (metric panels, the NAB runner).

A detector sees one series as a stream: each update() gets the next row and must answer from that row and
earlier ones only (never the future), in bounded time and memory, so a wall can score many series at 1 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Scored:
    score: float  # anomaly score in [0, 1] for this row, computed from this and earlier rows only
    expected_low: float  # band of expected values for this row (math.nan while warming up)
    expected_high: float


class StreamingDetector(Protocol):
    def update(self, timestamp: float, value: float) -> Scored: ...
