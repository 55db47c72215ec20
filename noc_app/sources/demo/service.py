"""The simulated e-commerce service behind the demo wall: pure functions of time.

Every value is a deterministic function of (seed, start epoch, timestamp): noise
comes from a hash of integer time buckets, so a point once shown never changes
and two polls agree exactly on the timestamps they share.

Trouble comes in *episodes* scheduled relative to the start epoch (the moment the
demo source was created): episode i starts at

    start_epoch + 30 s + i * 420 s + jitter(i),  jitter in [0, 90) s

and lasts 60-150 s, so the first one begins 30-120 s after start and the next
every 5.5-8.5 minutes (negative i fill the history before start).  Episodes come
in blocks of six with a hash-shuffled order: three latency spikes, one error
burst, one of either, and one partial outage (the scrape target is down for
part of it), so every kind shows up within about 40 minutes.  Latency spikes
dominate because they cost no availability.  Availability is computed over the
last 5 minutes, so the tile shows a healthy service (above the 99.9 % SLO) between
episodes and drops during an error burst or outage and for 5 minutes after it.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

JOB = "ecommerce-api"
INSTANCE = "api-1:8080"
APDEX_T_S = 0.3
LATENCY_TOP_BUCKET_S = 10.0  # prometheus_client's default histogram buckets end here

FIRST_EPISODE_OFFSET_S = 30.0
EPISODE_SLOT_S = 420.0
EPISODE_JITTER_S = 90.0
EPISODE_MIN_S = 60.0
EPISODE_EXTRA_S = 90.0
AVAILABILITY_WINDOW_S = 300.0  # "current" availability: recovers 5 min after an episode
AVAILABILITY_STEP_S = 10.0
# Trouble is scheduled from 6 h before start: enough history for every chart, and a
# quiet past before it, so a 30-day SLO window computes quickly and shows a healthy
# month that the live episodes then burn into.
HISTORY_S = 6 * 3600.0

_MASK64 = (1 << 64) - 1
_Z95 = NormalDist().inv_cdf(0.95)
_Z99 = NormalDist().inv_cdf(0.99)
_P99_EXPONENT = 1.6  # P99 = P50 * (P95/P50)^1.6: a heavier tail than log-normal
_erf = np.vectorize(math.erf, otypes=[float])


class EpisodeKind(enum.Enum):
    LATENCY_SPIKE = "latency spike"
    ERROR_BURST = "error burst"
    PARTIAL_OUTAGE = "partial outage"


_BLOCK = (
    EpisodeKind.LATENCY_SPIKE, EpisodeKind.LATENCY_SPIKE, EpisodeKind.LATENCY_SPIKE,
    EpisodeKind.ERROR_BURST, None, EpisodeKind.PARTIAL_OUTAGE,
)  # None: latency spike or error burst, by hash


@dataclass(frozen=True, kw_only=True, slots=True)
class Episode:
    """One stretch of trouble; intensity in [0, 1) scales how bad it gets."""

    index: int
    kind: EpisodeKind
    start: float
    end: float
    intensity: float

    @property
    def down_interval(self) -> tuple[float, float]:
        """When the scrape target is down (only meaningful for partial outages)."""
        length = self.end - self.start
        return self.start + 0.25 * length, self.start + 0.65 * length


# (method, status, share of the method's non-5xx traffic); 5xx shares are dynamic.
_METHODS: tuple[tuple[str, float, float, tuple[tuple[str, float], ...]], ...] = (
    # method, traffic share, 5xx weight (checkout-heavy POSTs fail most), non-5xx mix
    ("GET", 0.70, 0.8, (("200", 0.965), ("404", 0.035))),
    ("POST", 0.18, 1.6, (("200", 0.12), ("201", 0.85), ("404", 0.03))),
    ("PUT", 0.08, 1.2, (("200", 0.96), ("404", 0.04))),
    ("DELETE", 0.04, 1.0, (("200", 0.90), ("404", 0.10))),
)
_ERROR_WEIGHT_NORM = sum(share * weight for _, share, weight, _ in _METHODS)

SERIES_LABELS: tuple[tuple[str, str], ...] = tuple(
    (method, status)
    for method, _, _, mix in _METHODS
    for status in [s for s, _ in mix] + ["500", "503"]
)
_IS_5XX = np.array([status.startswith("5") for _, status in SERIES_LABELS])


def hash_u64(seed: int, stream: int, keys: np.ndarray) -> np.ndarray:
    """A splitmix64 hash of integer keys, salted by (seed, stream); pure and vectorised."""
    salt = np.uint64((seed * 0x9E3779B1 + stream * 0x85EBCA77 + 0x632BE5AB) & _MASK64)
    x = np.asarray(keys, dtype=np.int64).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + salt
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def hash_uniform(seed: int, stream: int, keys: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) values from hash_u64."""
    return (hash_u64(seed, stream, keys) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def smooth_noise(seed: int, stream: int, t: np.ndarray, scale_s: float, rows: int = 0) -> np.ndarray:
    """Value noise in [-1, 1], smooth over `scale_s`, anchored to absolute time buckets.

    With rows > 0 the result has one independent row per series, shape (rows, len(t)).
    """
    u = np.asarray(t, dtype=np.float64) / scale_s
    k = np.floor(u)
    f = u - k
    k_int = k.astype(np.int64)
    if rows:
        if rows > 64:
            raise ValueError("smooth_noise supports at most 64 rows")
        k_int = k_int[None, :] * 64 + np.arange(rows, dtype=np.int64)[:, None]
        step = 64
    else:
        step = 1
    a = hash_uniform(seed, stream, k_int) * 2.0 - 1.0
    b = hash_uniform(seed, stream, k_int + step) * 2.0 - 1.0
    return a + (b - a) * (f * f * (3.0 - 2.0 * f))


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceState:
    """The simulated service at a vector of timestamps."""

    t: np.ndarray
    rates: np.ndarray  # (len(SERIES_LABELS), len(t)) requests per second
    p50: np.ndarray  # seconds
    p95: np.ndarray
    up: np.ndarray  # 1.0 or 0.0

    @property
    def total_rate(self) -> np.ndarray:
        total: np.ndarray = self.rates.sum(axis=0)
        return total

    @property
    def error_rate(self) -> np.ndarray:
        errors: np.ndarray = self.rates[_IS_5XX].sum(axis=0)
        return errors

    @property
    def error_ratio(self) -> np.ndarray:
        ratio: np.ndarray = self.error_rate / self.total_rate
        return ratio

    def quantile(self, q: float) -> np.ndarray:
        """Latency quantile q (0 < q < 1), interpolated from P50 and P95 in log space."""
        z = NormalDist().inv_cdf(q)
        if z <= _Z95:
            exponent = z / _Z95
        else:  # stretch the upper tail so that q = 0.99 lands on _P99_EXPONENT
            exponent = 1.0 + (z - _Z95) / (_Z99 - _Z95) * (_P99_EXPONENT - 1.0)
        # like histogram_quantile, nothing beyond the highest finite bucket (10 s)
        latency: np.ndarray = np.minimum(self.p50 * (self.p95 / self.p50) ** exponent, LATENCY_TOP_BUCKET_S)
        return latency

    def share_faster_than(self, threshold_s: float) -> np.ndarray:
        """Share of requests at or under threshold_s, from the log-normal fit of P50/P95."""
        mu = np.log(self.p50)
        sigma = np.log(self.p95 / self.p50) / _Z95
        share: np.ndarray = 0.5 * (1.0 + _erf((math.log(threshold_s) - mu) / (sigma * math.sqrt(2.0))))
        return share

    @property
    def apdex(self) -> np.ndarray:
        """Apdex(T=0.3 s) from a log-normal fit of P50/P95; failed requests are frustrated."""
        mu = np.log(self.p50)
        sigma = np.log(self.p95 / self.p50) / _Z95

        def cdf(x: float) -> np.ndarray:
            share: np.ndarray = 0.5 * (1.0 + _erf((math.log(x) - mu) / (sigma * math.sqrt(2.0))))
            return share

        satisfied = cdf(APDEX_T_S)
        tolerating = cdf(4 * APDEX_T_S) - satisfied
        score: np.ndarray = np.clip((1.0 - self.error_ratio) * (satisfied + tolerating / 2.0), 0.0, 1.0)
        return score


class DemoService:
    """The simulation: an episode schedule plus signals computed from it."""

    def __init__(self, *, start_epoch: float, seed: int) -> None:
        self.start_epoch = float(start_epoch)
        self.seed = int(seed)
        self._episodes: dict[int, Episode] = {}  # pure, so safe to memoise
        self._windowed_states: dict[tuple[float, int, int], ServiceState] = {}

    # --- schedule --------------------------------------------------------------

    def _unit(self, stream: int, index: int) -> float:
        return float(hash_uniform(self.seed, stream, np.array([index]))[0])

    def episode(self, index: int) -> Episode:
        """Episode number `index` (0 is the first after start; negatives are history)."""
        cached = self._episodes.get(index)
        if cached is None:
            if len(self._episodes) > 4096:
                self._episodes.clear()
            cached = self._episodes[index] = self._make_episode(index)
        return cached

    def _make_episode(self, index: int) -> Episode:
        start = (
            self.start_epoch + FIRST_EPISODE_OFFSET_S + index * EPISODE_SLOT_S
            + EPISODE_JITTER_S * self._unit(101, index)
        )
        duration = EPISODE_MIN_S + EPISODE_EXTRA_S * self._unit(102, index)
        block, position = divmod(index, len(_BLOCK))
        order = np.argsort(hash_uniform(self.seed, 103, block * 16 + np.arange(len(_BLOCK))))
        kind = _BLOCK[int(order[position])]
        if kind is None:
            kind = EpisodeKind.LATENCY_SPIKE if self._unit(104, index) < 0.5 else EpisodeKind.ERROR_BURST
        if index == -1:
            # The episode just before start lies inside the first 5-minute availability window:
            # a latency spike costs no availability, so the first look shows a healthy service.
            kind = EpisodeKind.LATENCY_SPIKE
        return Episode(index=index, kind=kind, start=start, end=start + duration,
                       intensity=self._unit(105, index))

    def episodes_between(self, t0: float, t1: float) -> list[Episode]:
        """Episodes overlapping [t0, t1]."""
        t0 = max(t0, self.start_epoch - HISTORY_S)
        first = math.floor((t0 - self.start_epoch - FIRST_EPISODE_OFFSET_S) / EPISODE_SLOT_S) - 1
        last = math.floor((t1 - self.start_epoch - FIRST_EPISODE_OFFSET_S) / EPISODE_SLOT_S)
        found = (self.episode(i) for i in range(first, last + 1))
        return [ep for ep in found if ep.end >= t0 and ep.start <= t1 and ep.start >= self.start_epoch - HISTORY_S]

    def episode_at(self, t: float) -> Episode | None:
        """The episode running at t, if any."""
        running = self.episodes_between(t, t)
        return running[0] if running else None

    # --- signals ---------------------------------------------------------------

    def state(self, t: np.ndarray) -> ServiceState:
        """Requests, latency and scrape health at every timestamp of t."""
        t = np.asarray(t, dtype=np.float64)
        latency_p, error_p, outage_p, up = self._profiles(t)
        rates = self._rates(t, error_p, outage_p, latency_p)
        p50, p95 = self._latency(t, latency_p, error_p, outage_p)
        return ServiceState(t=t, rates=rates, p50=p50, p95=p95, up=up)

    def availability_percent(self, t: np.ndarray) -> np.ndarray:
        """Non-5xx share of requests over the 5 minutes before each t, in percent."""
        t = np.asarray(t, dtype=np.float64)
        if t.size == 0:
            return np.empty(0)
        step = AVAILABILITY_STEP_S
        first = math.floor((t.min() - AVAILABILITY_WINDOW_S) / step) + 1
        grid = np.arange(first, math.floor(t.max() / step) + 1, dtype=np.float64) * step
        state = self.state(grid)
        # whole request counts per 10 s: integer sums are exact, so a window's value
        # does not depend on where this grid happens to start
        total = np.concatenate(([0], np.cumsum(np.round(state.total_rate * step).astype(np.int64))))
        errors = np.concatenate(([0], np.cumsum(np.round(state.error_rate * step).astype(np.int64))))
        # window (t - 1h, t] on the absolute 10 s grid: a pure function of t
        hi = np.searchsorted(grid, t, side="right")
        lo = np.searchsorted(grid, t - AVAILABILITY_WINDOW_S, side="right")
        window_total = total[hi] - total[lo]
        window_errors = errors[hi] - errors[lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            percent: np.ndarray = 100.0 * (1.0 - window_errors / window_total)
            return percent

    def windowed_rate(self, t: np.ndarray, window_s: float, part: str, threshold_s: float = 0.0) -> np.ndarray:
        """Mean request rate over (t - window, t] like rate(x[window]): all, non-5xx, or <= threshold."""
        t = np.asarray(t, dtype=np.float64)
        if t.size == 0:
            return np.empty(0)
        step = float(min(60.0, max(AVAILABILITY_STEP_S, window_s / 12)))
        first = math.floor((t.min() - window_s) / step) + 1
        last = math.floor(t.max() / step)
        key = (step, first, last)
        state = self._windowed_states.get(key)
        if state is None:  # good, total and fast of one SLO panel share a grid, poll after poll
            if len(self._windowed_states) >= 4:
                self._windowed_states.pop(next(iter(self._windowed_states)))
            grid = np.arange(first, last + 1, dtype=np.float64) * step
            state = self._windowed_states[key] = self.state(grid)
        grid = state.t
        if part == "good":
            rate = state.total_rate - state.error_rate
        elif part == "fast":
            rate = state.total_rate * state.share_faster_than(threshold_s)
        else:
            rate = state.total_rate
        cum = np.concatenate(([0.0], np.cumsum(rate * step)))
        hi = np.searchsorted(grid, t, side="right")
        lo = np.searchsorted(grid, t - window_s, side="right")
        mean: np.ndarray = (cum[hi] - cum[lo]) / window_s
        return mean

    def _profiles(self, t: np.ndarray) -> tuple[np.ndarray, ...]:
        latency_p = np.zeros_like(t)
        error_p = np.zeros_like(t)
        outage_p = np.zeros_like(t)
        up = np.ones_like(t)
        if t.size == 0:
            return latency_p, error_p, outage_p, up
        for ep in self.episodes_between(float(t.min()), float(t.max())):
            length = ep.end - ep.start
            if ep.kind is EpisodeKind.LATENCY_SPIKE:  # a plateau: slow for a sustained while
                ramp_in, ramp_out = min(20.0, length / 4), min(30.0, length / 3)
                shape = np.clip(np.minimum((t - ep.start) / ramp_in, (ep.end - t) / ramp_out), 0.0, 1.0)
            else:  # a bell: errors peak sharply mid-episode
                shape = np.sin(np.pi * np.clip((t - ep.start) / length, 0.0, 1.0)) ** 2
            target = {
                EpisodeKind.LATENCY_SPIKE: latency_p,
                EpisodeKind.ERROR_BURST: error_p,
                EpisodeKind.PARTIAL_OUTAGE: outage_p,
            }[ep.kind]
            np.maximum(target, shape, out=target)
            if ep.kind is EpisodeKind.PARTIAL_OUTAGE:
                down_from, down_to = ep.down_interval
                up[(t >= down_from) & (t < down_to)] = 0.0
        return latency_p, error_p, outage_p, up

    def _episode_level(self, t: np.ndarray, kind: EpisodeKind, low: float, high: float) -> np.ndarray:
        """Peak level per timestamp for episodes of `kind`, from each one's intensity."""
        level = np.full_like(t, low)
        if t.size == 0:
            return level
        for ep in self.episodes_between(float(t.min()), float(t.max())):
            if ep.kind is kind:
                inside = (t >= ep.start) & (t <= ep.end)
                level[inside] = low + (high - low) * ep.intensity
        return level

    def _rates(self, t: np.ndarray, error_p: np.ndarray, outage_p: np.ndarray,
               latency_p: np.ndarray) -> np.ndarray:
        seed = self.seed
        daily = 1.0 + 0.2 * np.sin(2 * np.pi * (t / 86400.0 - 0.375))
        minutes = 1.0 + 0.05 * np.sin(2 * np.pi * t / 600.0) + 0.05 * smooth_noise(seed, 1, t, 45.0)
        total = 450.0 * daily * minutes * (1.0 - 0.3 * outage_p) * (1.0 - 0.08 * latency_p)

        # ~0.04 % background errors: availability sits above the 99.9 % SLO between episodes
        baseline = 0.0004 * (1.0 + 0.35 * smooth_noise(seed, 2, t, 30.0))
        burst_peak = self._episode_level(t, EpisodeKind.ERROR_BURST, 0.06, 0.12)
        outage_peak = self._episode_level(t, EpisodeKind.PARTIAL_OUTAGE, 0.06, 0.12)
        # a slow service times out a few requests, not 1 in 100: latency spikes stay within the SLO
        error_ratio = baseline + burst_peak * error_p + outage_peak * outage_p + 0.0003 * latency_p
        # which 5xx: application errors (500) in bursts, unavailability (503) in outages
        share_500 = np.clip(0.6 + 0.3 * error_p - 0.5 * outage_p - 0.3 * latency_p, 0.05, 0.95)

        rows: list[np.ndarray] = []
        for _, share, weight, mix in _METHODS:
            method_total = total * share
            method_errors = np.clip(error_ratio * weight / _ERROR_WEIGHT_NORM, 0.0, 1.0)
            for _status, status_share in mix:
                rows.append(method_total * (1.0 - method_errors) * status_share)
            rows.append(method_total * method_errors * share_500)
            rows.append(method_total * method_errors * (1.0 - share_500))
        rates = np.vstack(rows)
        jitter = smooth_noise(seed, 10, t, 20.0, rows=len(SERIES_LABELS))
        return rates * (1.0 + 0.04 * jitter)

    def _latency(self, t: np.ndarray, latency_p: np.ndarray, error_p: np.ndarray,
                 outage_p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        seed = self.seed
        p50_base = 0.08 * (1.0 + 0.08 * smooth_noise(seed, 40, t, 25.0))
        p95_base = 0.25 * (1.0 + 0.10 * smooth_noise(seed, 41, t, 35.0))
        spike_peak = self._episode_level(t, EpisodeKind.LATENCY_SPIKE, 2.3, 4.5)
        p95 = p95_base + latency_p * (spike_peak - p95_base)
        p95 = p95 * (1.0 + 0.6 * error_p + 2.0 * outage_p)
        p95 = p95 * (1.0 + 0.05 * smooth_noise(seed, 42, t, 7.0))
        p50 = p50_base + latency_p * 0.22 * spike_peak + outage_p * 0.1
        return p50, np.maximum(p95, p50 * 1.5)
