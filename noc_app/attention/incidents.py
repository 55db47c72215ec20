"""The incidents the wall's boards list, each with its priority, and which of them are new.

An incident is new from the moment the wall first sees it.  Incidents already there when their source first
answers (the wall just started, or a source came up) are known, not new: a restart neither flashes nor marks
every row NEW.  An incident that disappears and comes back is new again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from noc_app.actions.severity import effective_policy, level_matchers
from noc_app.config.attention_section import priority_ids
from noc_app.config.schema import DashboardConfig, PanelKind, SeverityLevel
from noc_app.model import Alert, AlertState
from noc_app.selectors_board_rows import BoardPolicy, policy_level
from noc_app.selectors_incidents import AlertsMemo, panel_alerts
from noc_app.store_view import SourceReader

IncidentKey = tuple[str, str]  # (source id, fingerprint): a board row's identity (selectors_incidents.row_key)
MAX_REMEMBERED_LEVELS = 10_000
Suppressed = Callable[[Alert], bool]  # e.g. flapping incidents: no sound, notification or flash for them


def never_suppressed(_alert: Alert) -> bool:
    return False


@dataclass(frozen=True, kw_only=True, slots=True)
class Incident:
    key: IncidentKey
    priority: str  # the severity policy's level id, as the board shows it ("P0")
    rank: int  # the priority's place, 0 = worst
    alert: Alert

    @property
    def needs_answer(self) -> bool:
        """Firing and nobody took it: not acknowledged, silenced, inhibited, developing or resolved."""
        return self.alert.state is AlertState.FIRING and not self.alert.acknowledged_by


@dataclass(frozen=True, slots=True)
class PriorityOrder:
    """The priorities worst first (severity policy ids, then P0..P3), and how each alert maps to one.

    Matching an alert against the policy costs ~45 µs; a level depends only on the alert's severity and the
    labels the matchers name, so it is remembered per those values (a handful on a real wall).
    """

    ids: tuple[str, ...]
    policy: BoardPolicy
    matched_labels: tuple[str, ...] = ()
    _levels: dict[tuple[object, ...], str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, levels: tuple[SeverityLevel, ...]) -> PriorityOrder:
        names = sorted({name for level in effective_policy(levels) for m in level_matchers(level) for name in m})
        return cls(ids=priority_ids(levels), policy=BoardPolicy(levels=levels), matched_labels=tuple(names))

    def priority(self, alert: Alert) -> str:
        """The alert's level id, as the board shows it (the severity's own P0..P3 when no level matches)."""
        # the value, not the member: hashing an enum member is a Python-level call
        key = (alert.severity._value_, *[alert.labels.get(name) for name in self.matched_labels])
        found = self._levels.get(key)
        if found is None:
            level = policy_level(alert, self.policy)
            found = level.id if level is not None else alert.severity.priority
            if len(self._levels) < MAX_REMEMBERED_LEVELS:
                self._levels[key] = found
        return found

    def rank(self, priority: str | None) -> int:
        """0 for the worst; an unknown priority ranks after all known ones."""
        return self.ids.index(priority) if priority in self.ids else len(self.ids)

    def at_or_above(self, incident: Incident, threshold: str | None) -> bool:
        return threshold is not None and incident.rank <= self.rank(threshold)

    def incident(self, alert: Alert) -> Incident:
        priority = self.priority(alert)
        return Incident(key=(alert.source_id, alert.fingerprint), priority=priority, rank=self.rank(priority),
                        alert=alert)


def board_incidents(
    dashboards: Iterable[DashboardConfig], reader: SourceReader, order: PriorityOrder, memo: AlertsMemo,
) -> tuple[Incident, ...]:
    """Every incident any incident board of these dashboards lists (once, board order), whether shown now or not."""
    snapshots = {sid: reader.snapshot(sid) for sid in reader.source_ids()}
    seen: dict[IncidentKey, Incident] = {}
    for dashboard in dashboards:
        for panel in dashboard.panels:
            if panel.kind != PanelKind.INCIDENTS:
                continue
            for alert in panel_alerts(panel, snapshots, memo):
                key = (alert.source_id, alert.fingerprint)
                if key not in seen:
                    seen[key] = order.incident(alert)
    return tuple(seen.values())


def answered_sources(reader: SourceReader) -> frozenset[str]:
    """Sources that have answered at least once (their incidents so far are the baseline, not new)."""
    return frozenset(sid for sid in reader.source_ids() if reader.snapshot(sid) is not None)


@dataclass(frozen=True, slots=True)
class Seen:
    """When the wall first saw each listed incident; which were there when their source first answered."""

    first_seen: Mapping[IncidentKey, float] = field(default_factory=lambda: MappingProxyType({}))
    known_at_start: frozenset[IncidentKey] = frozenset()
    sources: frozenset[str] = frozenset()  # sources that had answered at the last observation


NOTHING_SEEN = Seen()


def observe(seen: Seen, incidents: Iterable[Incident], sources: frozenset[str], now: float
            ) -> tuple[Seen, tuple[Incident, ...]]:
    """The next `Seen`, and the incidents that appeared since the last observation (board order).

    `sources`: those that have answered so far (`answered_sources`); incidents of a source answering for the
    first time are its baseline.
    """
    first: dict[IncidentKey, float] = {}
    start = set(seen.known_at_start)
    appeared = []
    for incident in incidents:
        key = incident.key
        if key in seen.first_seen:
            first[key] = seen.first_seen[key]
            continue
        first[key] = now
        if incident.alert.source_id not in seen.sources:
            start.add(key)
        else:
            appeared.append(incident)
    known = frozenset(k for k in start if k in first)
    return Seen(MappingProxyType(first), known, seen.sources | sources), tuple(appeared)


def new_keys(seen: Seen, now: float, new_for_s: float) -> frozenset[IncidentKey]:
    """The incidents that appeared within `new_for_s` (the board's NEW marker); none when it is 0."""
    if new_for_s <= 0:
        return frozenset()
    return frozenset(
        key for key, at in seen.first_seen.items() if key not in seen.known_at_start and 0 <= now - at < new_for_s
    )
