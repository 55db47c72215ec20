"""Wall-local incidents from anomalies: opened when a `raise: true` panel's series turns anomalous,
resolved once it has looked normal for the panel's `resolve_after`.

Poll workers of several sources report into one AnomalyIncidents (a lock guards it); the
anomaly source (noc_app.anomaly_source) lists the open ones as ordinary Alerts, so they
reach the boards through the same incidents selector, noise reduction and policy as any
backend's alerts.  Time comes from an injected clock.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace

from noc_app.model import Alert, AlertState, Severity, digest
from noc_app.units import format_value

ANOMALY_SOURCE_ID = "anomaly"


@dataclass(frozen=True, kw_only=True, slots=True)
class AnomalyReport:
    """One poll's verdict on one series of a raising panel."""

    dashboard_id: str
    panel_id: str
    panel_title: str
    query_index: int
    series_key: str
    series_name: str
    labels: Mapping[str, str]
    severity: Severity
    resolve_after_s: float
    unit: str = ""
    anomalous_at: float | None = None  # data time of the newest anomalous point of this poll, if any
    # A detector may score 0 while an episode it already flagged goes on (one alert per episode): a point
    # outside the expected band keeps an open incident open, though it never opens one.
    outside_band: bool = False
    value: float = 0.0
    expected_low: float = 0.0
    expected_high: float = 0.0

    @property
    def fingerprint(self) -> str:
        return digest(ANOMALY_SOURCE_ID, self.dashboard_id, self.panel_id, self.query_index, self.series_key)


@dataclass(slots=True)
class _Open:
    alert: Alert
    last_anomalous_seen: float  # clock time
    resolve_after_s: float


class AnomalyIncidents:
    """The open anomaly incidents (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, _Open] = {}

    def observe(self, report: AnomalyReport, now: float) -> None:
        """Take a poll's verdict: an anomaly opens (or refreshes) the incident; normal lets it age."""
        if report.anomalous_at is None and not report.outside_band:
            return
        with self._lock:
            current = self._open.get(report.fingerprint)
            if current is None and report.anomalous_at is None:
                return
            if current is None:
                self._open[report.fingerprint] = _Open(build_alert(report), now, report.resolve_after_s)
            else:
                current.last_anomalous_seen = now
                if report.anomalous_at is not None:
                    current.alert = replace(current.alert, summary=_summary(report))

    def alerts(self, now: float) -> tuple[Alert, ...]:
        """The incidents still open at `now`; those normal for their resolve_after are dropped (resolved)."""
        with self._lock:
            for fp, entry in list(self._open.items()):
                if now - entry.last_anomalous_seen >= entry.resolve_after_s:
                    del self._open[fp]
            return tuple(entry.alert for entry in self._open.values())

    def forget_panel(self, dashboard_id: str, panel_id: str) -> None:
        with self._lock:
            for fp, entry in list(self._open.items()):
                labels = entry.alert.labels
                if labels.get("dashboard") == dashboard_id and labels.get("panel") == panel_id:
                    del self._open[fp]


def _summary(report: AnomalyReport) -> str:
    value = format_value(report.value, report.unit)
    low, high = format_value(report.expected_low, report.unit), format_value(report.expected_high, report.unit)
    return f"{report.series_name or report.series_key or 'series'} = {value}, expected {low} to {high}"


def build_alert(report: AnomalyReport) -> Alert:
    name = f"Anomaly: {report.panel_title}"
    labels = {**report.labels, "alertname": name, "dashboard": report.dashboard_id, "panel": report.panel_id,
              "severity": report.severity.value}
    return Alert(
        fingerprint=report.fingerprint,
        source_id=ANOMALY_SOURCE_ID,
        name=name,
        severity=report.severity,
        state=AlertState.FIRING,
        summary=_summary(report),
        description=f"The values of panel '{report.panel_title}' left the band the anomaly detector expected.",
        labels=labels,
        starts_at=report.anomalous_at or 0.0,
    )
