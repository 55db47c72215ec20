"""What the `snapshot` JSON adds for the heatmap, apdex and status panels (pure).

Their series are histogram buckets or 0/1 values, not the values the panel shows,
so judging each series by the panel's thresholds would report nonsense (a bucket
rate "below Apdex 0.85").  These entries replace `thresholds_crossed` with the
judgement of what the panel shows, and add the shown numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from noc_app.config.schema import PanelConfig, PanelKind
from noc_app.histogram import apdex, buckets_from_series, histogram_quantile
from noc_app.selectors import PanelData, threshold_severity
from noc_app.selectors_panels import answered_series, select_status


def _num(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


def kind_entry(panel: PanelConfig, data: PanelData) -> dict[str, Any]:
    """Extra snapshot fields of one panel; {} for kinds whose series are what they show."""
    if panel.kind == PanelKind.APDEX:
        buckets = buckets_from_series(answered_series(data.results))
        if buckets is None:
            return {"apdex": None, "thresholds_crossed": []}
        score = apdex(buckets, panel.histogram.t_s)
        severity = threshold_severity(score.score, panel.thresholds)
        crossed = [t for t in panel.thresholds if t.severity is severity] if severity is not None else []
        return {
            "apdex": {"score": _num(score.score), "t_s": score.t_s, "warning": score.warning,
                      "bucket_bounds": list(score.bounds)},
            "thresholds_crossed": [
                {"series": "apdex", "value": _num(score.score), "severity": severity.value,
                 "threshold": crossed[0].value, "op": crossed[0].op}
            ] if severity is not None and crossed else [],
        }
    if panel.kind == PanelKind.HEATMAP:
        buckets = buckets_from_series(answered_series(data.results))
        q = panel.histogram.quantile
        newest = math.nan
        if buckets is not None and q is not None:
            line = histogram_quantile(q, buckets)
            finite = line[np.isfinite(line)]
            newest = float(finite[-1]) if finite.size else math.nan
        return {"quantile": {"q": q, "value": _num(newest)}, "thresholds_crossed": []}
    if panel.kind == PanelKind.STATUS:
        grid = select_status(data.results, panel)
        return {
            "status": {"up": grid.up, "down": grid.down, "unknown": grid.unknown,
                       "down_names": [t.name for t in grid.tiles if t.status == "DOWN"]},
            "thresholds_crossed": [],
        }
    return {}
