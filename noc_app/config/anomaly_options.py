"""A metric panel's `anomaly:` options: score each series with the streaming detector (noc_app.detect)."""

from __future__ import annotations

from dataclasses import dataclass

from noc_app.model import Severity

ANOMALY_KINDS = ("timeseries", "stat")
PRIORITIES = ("P0", "P1", "P2", "P3")
_SEVERITY_OF = {"P0": Severity.CRITICAL, "P1": Severity.HIGH, "P2": Severity.WARNING, "P3": Severity.INFO}
DEFAULT_RESOLVE_AFTER_S = 300.0  # an anomaly incident resolves after its series looks normal this long


@dataclass(frozen=True, kw_only=True, slots=True)
class AnomalyConfig:
    """`anomaly: {enabled, sensitivity, raise, priority, resolve_after}` of one timeseries or stat panel."""

    enabled: bool = False
    sensitivity: float = 0.5  # 0..1: higher flags more points (noc_app.detect.detector.alert_threshold)
    raise_incident: bool = False  # YAML `raise`: an anomaly opens a wall-local incident
    priority: str = "P2"
    resolve_after_s: float = DEFAULT_RESOLVE_AFTER_S

    @property
    def severity(self) -> Severity:
        return _SEVERITY_OF[self.priority]


NO_ANOMALY = AnomalyConfig()
