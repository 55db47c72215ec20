"""Deterministic synthetic latency data, identical to the peer benchmark's formula.

P50/P95/P99 latency in ms from an integer hash (lowbias32) plus a sine, so the
app, the stock-pyqtgraph baseline and the browser peer all draw the same data.
Each series is kept twice in a 2N ring so the last N points are one contiguous
view and a new point costs O(1).
"""

from __future__ import annotations

import math

import numpy as np

LANES = 3  # P50, P95, P99
LANE_NAMES = ("P50", "P95", "P99")


@np.errstate(over="ignore")  # uint32 multiplication wraps mod 2**32 on purpose (like Math.imul)
def h32(x: np.ndarray | int) -> np.ndarray:
    """lowbias32 integer hash."""
    v = np.array(x, dtype=np.uint32)
    v ^= v >> np.uint32(16)
    v *= np.uint32(0x7FEB352D)
    v ^= v >> np.uint32(15)
    v *= np.uint32(0x846CA68B)
    v ^= v >> np.uint32(16)
    return v


def uniform(k: np.ndarray | int, panel: int, lane: int) -> np.ndarray:
    """A deterministic uniform [0, 1) value per (sample index, panel, lane)."""
    kk = np.asarray(k, dtype=np.uint32)
    return h32((kk * np.uint32(8) + np.uint32(lane)) ^ h32(np.array(panel + 1))).astype(np.float64) / 4294967296.0


def latency_sample(k: np.ndarray | int, panel: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """[p50, p95, p99] in ms for global sample index/indices k of panel `panel`."""
    kk = np.asarray(k)
    p50 = 35 + 10 * np.sin(2 * math.pi * kk / 900 + 0.7 * panel) + 8 * uniform(kk, panel, 0)
    p95 = 1.7 * p50 + 20 * uniform(kk, panel, 1)
    u2, u3 = uniform(kk, panel, 2), uniform(kk, panel, 3)
    p99 = 1.35 * p95 + np.where(u2 > 0.985, 150 * u3, 15 * u3)
    return p50, p95, p99


class LatencyRings:
    """panels x 3 series of n points on a shared time axis, rolled one sample at a time."""

    def __init__(self, *, n: int, panels: int, step_s: float, end_time: float) -> None:
        self.n, self.panels, self.step_s = n, panels, step_s
        self.t0 = end_time - (n - 1) * step_s
        self.x = np.empty(2 * n)
        self.y = np.empty((panels, LANES, 2 * n))
        k = np.arange(n)
        self.x[:n] = self.x[n:] = self.t0 + k * step_s
        for p in range(panels):
            for lane, values in enumerate(latency_sample(k, p)):
                self.y[p, lane, :n] = self.y[p, lane, n:] = values
        self.k = n - 1  # last written global sample index

    def push(self) -> None:
        """One new point for every series."""
        self.k += 1
        pos = self.k % self.n
        self.x[pos] = self.x[pos + self.n] = self.t0 + self.k * self.step_s
        for p in range(self.panels):
            values = latency_sample(self.k, p)
            for lane in range(LANES):
                self.y[p, lane, pos] = self.y[p, lane, pos + self.n] = values[lane]

    def x_view(self) -> np.ndarray:
        start = (self.k + 1) % self.n
        return self.x[start : start + self.n]

    def y_view(self, panel: int, lane: int) -> np.ndarray:
        start = (self.k + 1) % self.n
        return self.y[panel, lane, start : start + self.n]

    @property
    def last_time(self) -> float:
        return float(self.t0 + self.k * self.step_s)
