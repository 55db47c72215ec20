"""Backend responses for the benchmark's loopback servers, in the real APIs' JSON shapes.

Prometheus /api/v1/query_range (a matrix), /api/v1/status/buildinfo, and
Alertmanager v2 /api/v2/alerts, /silences, /status, built once as bytes.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from noc_app.bench.synthetic_data import uniform


def rfc3339(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def prometheus_matrix(*, series: int, points: int, step_s: float, end: float, variant: int = 0) -> bytes:
    """A query_range success envelope: `series` series of `points` [time, "value"] pairs."""
    times = end - step_s * np.arange(points - 1, -1, -1)
    time_text = [f"{t:.3f}".rstrip("0").rstrip(".") for t in times]
    k = np.arange(points) + variant * 7919
    parts = []
    for s in range(series):
        values = 50 + 40 * np.sin(k / (60 + s % 37) + s) + 30 * uniform(k, s, variant % 4)
        pairs = ",".join(f'[{t},"{v:.3f}"]' for t, v in zip(time_text, values.tolist(), strict=True))
        labels = {"__name__": "bench_requests", "instance": f"node-{s:03d}:9100", "job": "bench", "shard": str(s % 16)}
        metric = json.dumps(labels)
        parts.append(f'{{"metric":{metric},"values":[{pairs}]}}')
    return ('{"status":"success","data":{"resultType":"matrix","result":[' + ",".join(parts) + "]}}").encode()


def prometheus_buildinfo() -> bytes:
    data = {"version": "bench", "revision": "loopback", "branch": "bench"}
    return json.dumps({"status": "success", "data": data}).encode()


_SEVERITIES = ("critical", "high", "warning", "warning", "info")


def am_alert(
    serial: int, *, now: float, name: str | None = None, severity: str | None = None, variant: int = 0
) -> dict:
    """One gettableAlert as Alertmanager v2 returns it."""
    alertname = name or f"BenchAlert{serial % 40:02d}"
    labels = {
        "alertname": alertname,
        "severity": severity or _SEVERITIES[serial % len(_SEVERITIES)],
        "instance": f"node-{serial % 500:03d}:9100",
        "job": "bench",
        "service": f"svc-{serial % 24:02d}",
        "serial": str(serial),
    }
    starts = now - 60 - (serial % 7200)
    summary = f"{alertname} on {labels['instance']}" + (f" (update {variant})" if serial < 50 else "")
    return {
        "annotations": {"summary": summary, "description": "synthetic alert for noc-app bench"},
        "endsAt": rfc3339(now + 3600),
        "fingerprint": f"{serial:016x}",
        "receivers": [{"name": "blackhole"}],
        "startsAt": rfc3339(starts),
        "status": {"inhibitedBy": [], "mutedBy": [], "silencedBy": [], "state": "active"},
        "updatedAt": rfc3339(now),
        "generatorURL": "http://bench.invalid/graph",
        "labels": labels,
    }


def alertmanager_alerts(*, count: int, now: float, variant: int = 0) -> bytes:
    """GET /api/v2/alerts with `count` active alerts; the first 50 change with `variant`."""
    return json.dumps([am_alert(i, now=now, variant=variant) for i in range(count)], separators=(",", ":")).encode()


def alertmanager_status() -> bytes:
    return json.dumps(
        {
            "cluster": {"name": "bench", "peers": [], "status": "disabled"},
            "config": {"original": ""},
            "uptime": rfc3339(0),
            "versionInfo": {
                "version": "bench-loopback", "branch": "", "buildDate": "", "buildUser": "", "goVersion": "",
                "revision": "",
            },
        }
    ).encode()
