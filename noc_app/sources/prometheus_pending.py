"""Prometheus's pending alerts (pure): rules whose condition holds but whose `for:` has not run out.

With the seed's `for: 2m` rules an alert reaches Alertmanager two minutes after
the problem starts; a pending alert is the only earlier sign.  An incident board
that lists a Prometheus source shows them dimmed, as "developing"
(AlertState.PENDING), below what fires.  Same identity as the firing alert the
rule will become (labels fingerprint), so the row keeps its place when it fires.
"""

from __future__ import annotations

from collections.abc import Mapping

from noc_app.model import Alert, AlertState
from noc_app.sources.prometheus_parse import rule_alert


def pending_alerts(
    data: object, *, source_id: str, rule_urls: Mapping[str, str] | None = None, default_url: str = ""
) -> tuple[Alert, ...]:
    """The pending alerts of /api/v1/alerts data; malformed items are skipped (parse_alerts notes them)."""
    items = data.get("alerts") if isinstance(data, dict) else None
    out: list[Alert] = []
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict) or str(item.get("state", "")).lower() != "pending":
            continue
        raw_labels, raw_annotations = item.get("labels"), item.get("annotations") or {}
        if not isinstance(raw_labels, dict) or not isinstance(raw_annotations, dict):
            continue
        labels = {str(k): str(v) for k, v in raw_labels.items()}
        annotations = {str(k): str(v) for k, v in raw_annotations.items()}
        out.append(rule_alert(item, labels, annotations, AlertState.PENDING, source_id=source_id,
                              rule_urls=rule_urls, default_url=default_url))
    return tuple(out)
