"""PromQL for SLOs: an SLI's templates filled in for a range (pure).

Every SLI is a template with `{{window}}` where the range goes, so the same text
serves the SLO panel (one bucket per step: `rate(x[1h])` at hour-aligned times, so
a 30-day window is 720 points per series, far under Prometheus' 11,000), the
burn-rate rules (5m, 30m, 1h, 6h, 3d) and an existing recording rule (Sloth,
Pyrra) named with the window in it.
"""

from __future__ import annotations

from noc_app.config.schema import SloConfig

WINDOW_PLACEHOLDER = "{{window}}"


def prom_duration(seconds: float) -> str:
    """A Prometheus range literal: 3600 -> '1h', 259200 -> '3d', 2.5 -> '2500ms'."""
    ms = round(seconds * 1000)
    if ms <= 0:
        raise ValueError(f"a range must be positive, got {seconds:g}s")
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def fill(template: str, seconds: float) -> str:
    return template.replace(WINDOW_PLACEHOLDER, prom_duration(seconds))


def uses_error_ratio(slo: SloConfig) -> bool:
    return bool(slo.sli.error_ratio)


def bucket_queries(slo: SloConfig, step_s: float) -> tuple[str, ...]:
    """The panel's range queries: (good rate, total rate) or (error ratio,) over one step."""
    if uses_error_ratio(slo):
        return (fill(slo.sli.error_ratio, step_s),)
    return fill(slo.sli.good, step_s), fill(slo.sli.total, step_s)


def error_ratio_expr(slo: SloConfig, seconds: float) -> str:
    """Bad/total over the range, as one expression (what a recording rule stores)."""
    if uses_error_ratio(slo):
        return fill(slo.sli.error_ratio, seconds)
    good, total = fill(slo.sli.good, seconds), fill(slo.sli.total, seconds)
    return f"1 - (({good}) / ({total}))"
