"""One problem, several backends (pure): the cross-backend de-duplication of the incidents selector.

An Alertmanager alert and the PagerDuty incident (or Opsgenie alert) it created
are one problem.  The config's `incidents.dedup_key` says how to recognise them:

- `dedup_key` / `alias`: the backend's own de-duplication key (PagerDuty's
  incident_key / dedup_key, Opsgenie's alias; the sources keep it in
  `Alert.dedup_key`); an alert without one (Alertmanager) is known by its fingerprint;
- `fingerprint`: the alerts' fingerprints;
- `label:NAME`: the alert's label NAME, else its dedup_key (a PagerDuty incident
  whose dedup_key is the Alertmanager alert's `NAME` label);
- "" (off, the default): nothing is merged.

A merged incident keeps at most one member per source (two alerts of one backend
are two problems there), takes its identity from the member of the panel's first
source (so the row never changes identity when one member's state changes), and
reads as its most urgent member: the worst severity, the state and lineage of the
member that sorts first (a firing member keeps the row active).  Resolved members
never take part: a problem resolved in one backend and still firing in another
is shown by the others.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from noc_app.model import Alert

IncidentKey = tuple[str, str]  # (source id, fingerprint)
# primary's key -> every member (the primary first), only for incidents with two or more members
Members = Mapping[IncidentKey, tuple[Alert, ...]]
NO_MEMBERS: Members = MappingProxyType({})
SortKey = Callable[[Alert], tuple[int, int, float, str]]  # tier (firing, developing, muted), ...


def dedup_key_of(alert: Alert, rule: str) -> str:
    """What names `alert`'s problem across backends under `rule`; "" when nothing does."""
    if not rule:
        return ""
    if rule in ("dedup_key", "alias"):
        return alert.dedup_key or alert.fingerprint
    if rule == "fingerprint":
        return alert.fingerprint
    if rule.startswith("label:"):
        return alert.labels.get(rule[len("label:"):], "") or alert.dedup_key
    return ""


def merge_duplicates(
    alerts: Iterable[Alert], rule: str, sort_key: SortKey
) -> tuple[list[Alert], Members]:
    """Fold each problem's alerts into one, in the order given (the panel's source order).

    Returns the alerts to show (merged ones replaced by their combined reading) and
    the members of every merged incident.
    """
    order: list[list[Alert]] = []
    clusters: dict[str, list[Alert]] = {}
    for alert in alerts:
        key = dedup_key_of(alert, rule)
        cluster = clusters.get(key) if key else None
        if cluster is not None and all(m.source_id != alert.source_id for m in cluster):
            cluster.append(alert)
            continue
        new = [alert]
        order.append(new)
        if key and cluster is None:
            clusters[key] = new
    shown: list[Alert] = []
    members: dict[IncidentKey, tuple[Alert, ...]] = {}
    for cluster in order:
        if len(cluster) == 1:
            shown.append(cluster[0])
            continue
        merged = combined(cluster, sort_key)
        shown.append(merged)
        members[(merged.source_id, merged.fingerprint)] = tuple(cluster)
    return shown, MappingProxyType(members) if members else NO_MEMBERS


def combined(cluster: list[Alert], sort_key: SortKey) -> Alert:
    """The first member, reading as the most urgent one (worst severity, its state and lineage)."""
    primary = cluster[0]
    lead = min(cluster, key=sort_key)
    worst = min((m.severity for m in cluster), key=lambda s: s.rank)
    starts = [m.starts_at for m in cluster if m.starts_at > 0]
    return dataclasses.replace(
        primary,
        severity=worst,
        state=lead.state,
        silenced_by=lead.silenced_by,
        inhibited_by=lead.inhibited_by,
        mute_reason=lead.mute_reason,
        acknowledged_by=lead.acknowledged_by,
        starts_at=min(starts) if starts else primary.starts_at,
        oncall=next((m.oncall for m in cluster if m.oncall), ""),
        dedup_key=next((m.dedup_key for m in cluster if m.dedup_key), ""),
    )


def sources_text(members: tuple[Alert, ...]) -> str:
    """'alertmanager + pagerduty': where the merged problem is, in the members' order."""
    return " + ".join(m.source_id for m in members)


def also_in(members: Members, alert: Alert) -> tuple[Alert, ...]:
    """The other backends' copies of `alert`'s problem (empty when it is not merged)."""
    return members.get((alert.source_id, alert.fingerprint), (alert,))[1:]
