"""Which PromQL expressions the demo source simulates, and what each one means.

The demo answers the seed's expressions (compared with whitespace removed), so a
wall built for the seed's real Prometheus shows the same panels in the demo.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Signal(enum.Enum):
    """A simulated quantity of the e-commerce service."""

    REQUEST_RATE = "request_rate"  # one series per (method, status)
    ERROR_REQUEST_RATE = "error_request_rate"  # the 5xx series only
    TOTAL_REQUEST_RATE = "total_request_rate"
    ERROR_PERCENT = "error_percent"
    ERROR_RATIO = "error_ratio"
    LATENCY_QUANTILE = "latency_quantile"
    APDEX = "apdex"
    AVAILABILITY_PERCENT = "availability_percent"
    UP = "up"
    UP_TARGETS = "up_targets"  # one series per scrape target of the demo
    LATENCY_BUCKETS = "latency_buckets"  # one cumulative rate series per `le`
    WINDOWED_RATE = "windowed_rate"  # SLO SLIs: good/total request rates averaged over a range
    STATUS_RATE = "status_rate"  # request rate summed per status code
    DEPLOYS = "deploys"  # 1 for a minute after each simulated deploy, else no sample (a `> 0` filter)


@dataclass(frozen=True, kw_only=True, slots=True)
class SimulatedQuery:
    """What one recognised expression asks for."""

    signal: Signal
    quantile: float = 0.0  # for LATENCY_QUANTILE
    window_s: float = 0.0  # for WINDOWED_RATE: the range in brackets
    part: str = ""  # for WINDOWED_RATE: total | good (non-5xx) | fast (bucket le=threshold_s)
    threshold_s: float = 0.0


_EXACT: dict[str, Signal] = {
    "rate(http_requests_total[5m])": Signal.REQUEST_RATE,
    'rate(http_requests_total{status=~"5.*"}[5m])': Signal.ERROR_REQUEST_RATE,
    "sum(rate(http_requests_total[5m]))": Signal.TOTAL_REQUEST_RATE,
    'rate(http_requests_total{status=~"5.*"}[5m])/rate(http_requests_total[5m])*100': Signal.ERROR_PERCENT,
    'sum(rate(http_requests_total{status=~"5.*"}[5m]))/sum(rate(http_requests_total[5m]))*100': Signal.ERROR_PERCENT,
    'rate(http_requests_total{status=~"5.*"}[5m])/rate(http_requests_total[5m])': Signal.ERROR_RATIO,
    'sum(rate(http_requests_total{status=~"5.*"}[5m]))/sum(rate(http_requests_total[5m]))': Signal.ERROR_RATIO,
    "apdex_score": Signal.APDEX,
    (
        'sum(rate(http_requests_total{status!~"5.*"}[5m]))'
        "/sum(rate(http_requests_total[5m]))*100"
    ): Signal.AVAILABILITY_PERCENT,
    'up{job="ecommerce-api"}': Signal.UP,
    "up": Signal.UP,
    "maxby(job,instance)(up)": Signal.UP_TARGETS,
    "sumby(le)(rate(http_request_duration_seconds_bucket[5m]))": Signal.LATENCY_BUCKETS,
    "sumby(status)(rate(http_requests_total[5m]))": Signal.STATUS_RATE,
    "changes(deploy_timestamp[1m])>0": Signal.DEPLOYS,
}

_QUANTILE = re.compile(
    r"histogram_quantile\(([0-9]*\.?[0-9]+),(?:sumby\(le\)\()?"
    r"rate\(http_request_duration_seconds_bucket\[5m\]\)\)?\)"
)

# The SLO SLIs (noc_app.slo): sum(rate(...[range])) for any range, averaged over it.
_RANGE = r"\[([0-9]+)(ms|s|m|h|d)\]"
_WINDOWED = (
    (re.compile(r'sum\(rate\(http_requests_total\{status!~"5(?:\.\*|\.\.|xx)"\}' + _RANGE + r"\)\)"), "good"),
    (re.compile(r"sum\(rate\(http_requests_total" + _RANGE + r"\)\)"), "total"),
    (re.compile(r"sum\(rate\(http_request_duration_seconds_count" + _RANGE + r"\)\)"), "total"),
    (re.compile(r'sum\(rate\(http_request_duration_seconds_bucket\{le="([0-9.]+)"\}' + _RANGE + r"\)\)"), "fast"),
)
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

# Shown to the operator when an expression is not simulated.
ANSWERED_EXPRESSIONS: tuple[str, ...] = (
    "rate(http_requests_total[5m])",
    'rate(http_requests_total{status=~"5.*"}[5m])',
    "sum(rate(http_requests_total[5m]))",
    "histogram_quantile(<q>, rate(http_request_duration_seconds_bucket[5m]))",
    'rate(http_requests_total{status=~"5.*"}[5m]) / rate(http_requests_total[5m]) [* 100]',
    "apdex_score",
    'sum(rate(http_requests_total{status!~"5.*"}[5m])) / sum(rate(http_requests_total[5m])) * 100',
    'up{job="ecommerce-api"}',
    "max by (job, instance) (up)",
    "sum by (le) (rate(http_request_duration_seconds_bucket[5m]))",
    'sum(rate(http_requests_total[<range>])), with {status!~"5.."} for the good ones (SLO SLIs)',
    'sum(rate(http_request_duration_seconds_bucket{le="<s>"}[<range>])) and ..._count (latency SLIs)',
    "sum by (status) (rate(http_requests_total[5m]))",
    "changes(deploy_timestamp[1m]) > 0",
)


class UnknownQuery(LookupError):
    """The expression is not one the demo simulates; the message lists those it does."""


def normalise(expr: str) -> str:
    """The expression with all whitespace outside quoted strings removed."""
    out: list[str] = []
    quote = ""
    escaped = False
    for char in expr:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
                char = '"'  # single and double quotes mean the same in PromQL
            out.append(char)
        elif char in "\"'":
            quote = char
            out.append('"')
        elif not char.isspace():
            out.append(char)
    return "".join(out)


def resolve(expr: str) -> SimulatedQuery:
    """Map an expression onto the simulated signal it asks for, or raise UnknownQuery."""
    key = normalise(expr)
    signal = _EXACT.get(key)
    if signal is not None:
        return SimulatedQuery(signal=signal)
    windowed = _windowed(key)
    if windowed is not None:
        return windowed
    match = _QUANTILE.fullmatch(key)
    if match and key.count("(") == key.count(")"):
        q = float(match.group(1))
        if not 0.0 < q < 1.0:
            raise UnknownQuery(f"histogram_quantile needs a quantile between 0 and 1, got {q:g}")
        return SimulatedQuery(signal=Signal.LATENCY_QUANTILE, quantile=q)
    raise UnknownQuery(
        f"the demo source does not simulate this query: {expr.strip()}; "
        f"it answers: {'; '.join(ANSWERED_EXPRESSIONS)}"
    )


def _windowed(key: str) -> SimulatedQuery | None:
    for pattern, part in _WINDOWED:
        match = pattern.fullmatch(key)
        if match is None:
            continue
        groups = match.groups()
        threshold = float(groups[0]) if part == "fast" else 0.0
        amount, unit = groups[-2:]
        window = int(amount) * _UNIT_S[unit]
        if window <= 0:
            return None
        return SimulatedQuery(signal=Signal.WINDOWED_RATE, window_s=window, part=part, threshold_s=threshold)
    return None
