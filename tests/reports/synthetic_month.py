"""A synthetic month for the report tests: April 2026 minute by minute, an outage and a gap, and a config."""

from __future__ import annotations

import numpy as np

from noc_app.reports.sla import month_period

APRIL = month_period(2026, 4)  # 30 days, 43 200 minutes
OUTAGE = (APRIL.start + 9 * 86400 + 3600, 50)  # day 10, 01:00 UTC: 50 minutes at 90 % success
GAP = (APRIL.start + 19 * 86400, 60)  # day 20, 00:00 UTC: 60 minutes without samples


def _in(ts, window):
    start, minutes = window
    return (ts > start) & (ts <= start + minutes * 60)


def synthetic(expr: str, ts: np.ndarray) -> np.ndarray:
    """Per-minute counts: 1000 requests, all good but in the outage (900); 990 under the latency bucket."""
    outage, gap = _in(ts, OUTAGE), _in(ts, GAP)
    if "total" in expr and "status" in expr:  # good requests
        ys = np.where(outage, 900.0, 1000.0)
    elif "le=" in expr:
        ys = np.full(len(ts), 990.0)
    elif "quantile" in expr:
        ys = np.where(outage, 1.5, 0.3)
    else:
        ys = np.full(len(ts), 1000.0)
    return np.where(gap, np.nan, ys)


CONFIG = """\
title: Shop
sources:
  - {{id: prom, kind: prometheus, url: '{url}'}}
dashboards:
  - id: main
    panels:
      - {{id: lat, kind: timeseries, title: Latency P95, source: prom,
         queries: [{{expr: 'histogram_quantile(0.95, x)'}}]}}
sla:
  services:
    - id: api
      title: Shop API
      source: prom
      error_rate_target: 1
      availability: {{good: 'sum(increase(http_requests_total{{status!~"5.."}}[1m]))',
                      total: 'sum(increase(http_requests_total[1m]))'}}
      latency: {{good: 'sum(increase(http_request_duration_seconds_bucket{{le="1.0"}}[1m]))',
                 total: 'sum(increase(http_request_duration_seconds_count[1m]))', threshold: 2s}}
      p95: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'
"""
