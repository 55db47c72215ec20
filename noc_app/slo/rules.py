"""Prometheus rule files for SLOs: recording rules per window plus burn-rate alerts (pure).

    groups:
      - name: slo-availability
        rules:
          - record: slo:sli_error:ratio_rate5m
            expr: 1 - ((sum(rate(...[5m]))) / (sum(rate(...[5m]))))
            labels: {slo: availability}
          - alert: SLOErrorBudgetBurn
            expr: slo:sli_error:ratio_rate1h{slo="availability"} > (14.4 * 0.001) and ...

Only SLOs with `alerting: prometheus` get alerts (the app evaluates the others), so
no burn alert shows twice.  Recording rules are emitted for every SLO.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from noc_app.config.schema import SloAlerting, SloConfig
from noc_app.slo.burn_alerts import SEVERITY_FOR, WORKBOOK_WINDOWS, BurnWindow, threshold, windows_needed
from noc_app.slo.promql import error_ratio_expr, prom_duration

RECORD_PREFIX = "slo:sli_error:ratio_rate"
ALERT_NAME = "SLOErrorBudgetBurn"


def record_name(seconds: float) -> str:
    return f"{RECORD_PREFIX}{prom_duration(seconds)}"


def _selector(slo: SloConfig) -> str:
    return f'{{slo="{_escape(slo.id)}"}}'


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def slo_group(slo: SloConfig, windows: tuple[BurnWindow, ...] = WORKBOOK_WINDOWS,
              *, alert_for_s: float = 0.0) -> dict[str, Any]:
    """One rule group: the error ratio recorded per window, then the burn alerts."""
    labels = {**dict(slo.labels), "slo": slo.id}
    rules: list[dict[str, Any]] = [
        {"record": record_name(seconds), "expr": error_ratio_expr(slo, seconds), "labels": dict(labels)}
        for seconds in windows_needed(windows)
    ]
    if slo.alerting is SloAlerting.PROMETHEUS:
        rules.extend(_alert(slo, window, labels, alert_for_s) for window in windows)
    return {"name": f"slo-{slo.id}", "rules": rules}


def _alert(slo: SloConfig, window: BurnWindow, labels: dict[str, str], for_s: float) -> dict[str, Any]:
    limit = f"{threshold(slo, window):.6g}"
    sel = _selector(slo)
    expr = f"{record_name(window.long_s)}{sel} > {limit} and {record_name(window.short_s)}{sel} > {limit}"
    rule: dict[str, Any] = {
        "alert": ALERT_NAME,
        "expr": expr,
        "labels": {**labels, "severity": SEVERITY_FOR[window.urgency], "urgency": window.urgency.value,
                   "burn_window": window.name},
        "annotations": {
            "summary": f"{slo.name}: error budget burning at over {window.factor:g}x",
            "description": (f"Error ratio over {prom_duration(window.long_s)} and {prom_duration(window.short_s)} "
                            f"above {window.factor:g} x (1 - {slo.target * 100:g} %); "
                            "{{ $value | humanizePercentage }} over the long window."),
        },
    }
    if for_s > 0:
        rule["for"] = prom_duration(for_s)
    return rule


def rules_document(slos: Iterable[SloConfig], windows: tuple[BurnWindow, ...] = WORKBOOK_WINDOWS,
                   *, alert_for_s: float = 0.0) -> dict[str, Any]:
    return {"groups": [slo_group(slo, windows, alert_for_s=alert_for_s) for slo in slos]}


def rules_yaml(slos: Iterable[SloConfig], windows: tuple[BurnWindow, ...] = WORKBOOK_WINDOWS,
               *, alert_for_s: float = 0.0) -> str:
    """The rule file text `promtool check rules` accepts."""
    return yaml.safe_dump(rules_document(slos, windows, alert_for_s=alert_for_s),
                          sort_keys=False, allow_unicode=True, width=120)
