"""Alerts of the simulated service: the seed's rules evaluated on the simulation,
plus a few standing incidents so the incident board shows every severity and
every lifecycle state (firing, silenced, acknowledged) from the first poll.

Rules are evaluated at whole seconds (like a rule evaluation interval), and an
alert's start is the first second of its current uninterrupted run, so
`starts_at` stays the same from poll to poll.  The seed's `for:` durations are
not applied: episodes last only one to two and a half minutes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from noc_app.model import Alert, AlertState, Severity, digest, freeze_labels
from noc_app.sources.demo.service import INSTANCE, JOB, DemoService, ServiceState, hash_uniform, smooth_noise

_LOOKBACK_S = 600
_RUNBOOK = "https://wiki.company.com/runbooks/"
_SILENCE_PERIOD_S = 3600.0
_SILENCE_CREATED_BEFORE_START_S = 20 * 60.0


def simulated_alerts(service: DemoService, source_id: str, now: float) -> tuple[Alert, ...]:
    """Every alert active at `now`, rule-derived first, then the standing ones."""
    eval_t = math.floor(now)
    grid = np.arange(eval_t - _LOOKBACK_S, eval_t + 1, dtype=np.float64)
    state = service.state(grid)
    alerts = [
        alert
        for rule in _RULES
        if (alert := rule(state, source_id)) is not None
    ]
    alerts.extend(_standing_alerts(service, source_id, now))
    return tuple(alerts)


def _run_start(grid: np.ndarray, condition: np.ndarray) -> float | None:
    """Start of the trailing run of True in condition, None when the last value is False."""
    if not condition[-1]:
        return None
    false_at = np.flatnonzero(~condition)
    return float(grid[false_at[-1] + 1]) if false_at.size else float(grid[0])


def _alert(source_id: str, labels: Mapping[str, str], *, state: AlertState = AlertState.FIRING,
           summary: str, description: str, starts_at: float, runbook: str = "",
           acknowledged_by: str = "", silenced_by: tuple[str, ...] = (), mute_reason: str = "") -> Alert:
    frozen = freeze_labels(labels)
    annotations = {"summary": summary, "description": description}
    if runbook:
        annotations["runbook"] = runbook
    return Alert(
        fingerprint=digest(tuple(frozen.items())),
        source_id=source_id,
        name=frozen["alertname"],
        severity=Severity.parse(frozen.get("severity")),
        state=state,
        summary=summary,
        description=description,
        labels=frozen,
        annotations=freeze_labels(annotations),
        starts_at=starts_at,
        acknowledged_by=acknowledged_by,
        silenced_by=silenced_by,
        mute_reason=mute_reason,
    )


def _service_labels(alertname: str, severity: str) -> dict[str, str]:
    return {"alertname": alertname, "severity": severity, "service": JOB, "job": JOB,
            "instance": INSTANCE}


def _high_error_rate(state: ServiceState, source_id: str) -> Alert | None:
    ratio = state.error_ratio
    start = _run_start(state.t, ratio > 0.05)
    if start is None:
        return None
    return _alert(
        source_id, _service_labels("HighErrorRate", "critical"),
        summary="High error rate detected",
        description=f"Error rate is {ratio[-1] * 100:.4g}% for more than 2 minutes",
        starts_at=start, runbook=_RUNBOOK + "high-error-rate",
    )


def _high_latency(state: ServiceState, source_id: str) -> Alert | None:
    p95 = state.quantile(0.95)
    start = _run_start(state.t, p95 > 2.0)
    if start is None:
        return None
    return _alert(
        source_id, _service_labels("HighLatency", "warning"),
        summary="High response time detected",
        description=f"95th percentile response time is {p95[-1]:.4g}s",
        starts_at=start,
    )


def _service_down(state: ServiceState, source_id: str) -> Alert | None:
    start = _run_start(state.t, state.up == 0)
    if start is None:
        return None
    return _alert(
        source_id, _service_labels("ServiceDown", "critical"),
        summary="Service is down",
        description=f"{INSTANCE} has been down for more than 1 minute",
        starts_at=start,
    )


_RULES: tuple[Callable[[ServiceState, str], Alert | None], ...] = (
    _high_error_rate, _high_latency, _service_down,
)


def _standing_alerts(service: DemoService, source_id: str, now: float) -> list[Alert]:
    start = service.start_epoch
    t = np.array([now])
    disk = min(94.9, 86.2 + (now - start) / 3600.0 * 0.15)
    memory = float(91.8 + 0.8 * smooth_noise(service.seed, 300, t, 60.0)[0])
    cert_expires = start + 6 * 86400 + 7 * 3600
    days_left = max(0, int((cert_expires - now) // 86400))
    silence_origin = start - _SILENCE_CREATED_BEFORE_START_S
    period = math.floor((now - silence_origin) / _SILENCE_PERIOD_S)
    silence_expires = silence_origin + (period + 1) * _SILENCE_PERIOD_S
    silence_id = _uuid(service.seed, period)
    minutes_left = max(1, math.ceil((silence_expires - now) / 60.0))
    return [
        _alert(
            source_id,
            {"alertname": "HighMemoryUsage", "severity": "critical", "instance": "cache-01:9100",
             "job": "node", "service": "redis-cache"},
            state=AlertState.ACKNOWLEDGED,
            summary="High memory usage detected",
            description=f"Memory usage is {memory:.3g}% on cache-01:9100",
            starts_at=start - 47 * 60.0, acknowledged_by="kim",
        ),
        _alert(
            source_id,
            {"alertname": "PaymentGatewayLatency", "severity": "high", "service": "payment-gateway",
             "instance": "pgw-eu-1.vendor.example:443", "job": "blackbox"},
            state=AlertState.SILENCED,
            summary="Payment gateway responses are slow",
            description="P95 of payment-gateway calls is 1.8s (normally 300ms) for more than 10 minutes",
            starts_at=start - 25 * 60.0,
            silenced_by=(silence_id,),
            mute_reason=f"silenced by ops-bot: vendor maintenance (expires in {minutes_left}m)",
        ),
        _alert(
            source_id,
            {"alertname": "DiskSpaceLow", "severity": "warning", "instance": "db-02:9100",
             "mountpoint": "/var/lib/postgresql", "device": "/dev/nvme1n1p1", "fstype": "ext4",
             "job": "node"},
            summary="Low disk space",
            description=f"Disk usage is {disk:.3g}% on db-02:9100:/var/lib/postgresql",
            starts_at=start - (3 * 3600 + 17 * 60.0),
        ),
        _alert(
            source_id,
            {"alertname": "SSLCertificateExpiry", "severity": "info",
             "instance": "shop.example.com:443", "job": "blackbox"},
            summary=f"TLS certificate expires in {days_left} days",
            description=(
                f"The certificate of shop.example.com expires in {days_left} days; "
                "auto-renewal has not succeeded yet"
            ),
            starts_at=start - 18 * 3600.0, runbook=_RUNBOOK + "tls-certificate-renewal",
        ),
        _alert(
            source_id,
            {"alertname": "Watchdog", "severity": "none"},
            summary="An alert that should always be firing to certify that Alertmanager is working properly.",
            description="This is a dead man's switch: if it stops firing, alerting is broken.",
            starts_at=start - 6 * 3600.0,
        ),
    ]


def _uuid(seed: int, period: int) -> str:
    """A stable UUID-looking silence id for one renewal period."""
    u = hash_uniform(seed, 301, np.array([2 * period, 2 * period + 1]))
    hexed = f"{int(u[0] * 2**64):016x}{int(u[1] * 2**64):016x}"
    return f"{hexed[:8]}-{hexed[8:12]}-4{hexed[13:16]}-a{hexed[17:20]}-{hexed[20:32]}"
