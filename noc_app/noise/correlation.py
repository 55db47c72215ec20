"""Correlation: incidents that start close together and share a label, or a dependency, are one problem.

Two incidents are linked when they started within `window_s` of each other and either share
the value of one of the correlation labels (service, instance, node, namespace) or their
services depend on one another in the declared `topology:` (service -> what it depends on).
A problem's probable cause is the failing service the most other failing members depend on
(the deepest dependency), then the one that started first.  Anomaly incidents (source
"anomaly") are ordinary members; when one started first, the hint names it.

Pure and O(n log n): the incident detail view calls `problems()` too.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from noc_app.model import Alert
from noc_app.noise.config import Correlation

Topology = Mapping[str, tuple[str, ...]]
ANOMALY_SOURCE = "anomaly"
ENTITY_LABELS = ("service", "node", "instance", "job")


@dataclass(frozen=True, slots=True)
class Problem:
    """Linked incidents (first started first) and the ranked candidates for their cause."""

    members: tuple[Alert, ...]
    ranking: tuple[str, ...]  # entities (services, nodes), probable cause first
    cause_alert: Alert  # the earliest incident of the probable cause
    hint: str  # "probable cause: db (started first, payments and checkout depend on it)"

    @property
    def cause(self) -> str:
        return self.ranking[0]

    @property
    def started(self) -> float:
        return self.members[0].starts_at

    def holds(self, alert: Alert) -> bool:
        return any(m.source_id == alert.source_id and m.fingerprint == alert.fingerprint for m in self.members)


def entity(alert: Alert) -> str:
    """What an incident is about: its service, else its node, instance or job, else its name."""
    for key in ENTITY_LABELS:
        value = alert.labels.get(key)
        if value:
            return value
    return alert.name


def dependencies(topology: Topology, name: str) -> dict[str, int]:
    """Everything `name` depends on, directly or not, with the number of hops (cycles tolerated)."""
    seen: dict[str, int] = {}
    queue = deque((dep, 1) for dep in topology.get(name, ()))
    while queue:
        dep, hops = queue.popleft()
        if dep in seen or dep == name:
            continue
        seen[dep] = hops
        queue.extend((d, hops + 1) for d in topology.get(dep, ()))
    return seen


class _Links:
    """Union-find over member indices."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def chain(self, indices: Sequence[int], starts: Sequence[float], window_s: float) -> None:
        """Link neighbours in start order that are within the window (same components as all pairs)."""
        ordered = sorted(indices, key=lambda i: starts[i])
        for a, b in pairwise(ordered):
            if starts[b] - starts[a] <= window_s:
                self.join(a, b)


_NO_TOPOLOGY: Topology = {}
_DEFAULT_CORRELATION = Correlation()


def problems(
    alerts: Iterable[Alert], topology: Topology = _NO_TOPOLOGY, correlation: Correlation = _DEFAULT_CORRELATION
) -> tuple[Problem, ...]:
    """The problems among `alerts` (two or more linked incidents each), the earliest problem first.

    Alerts without a start time are left out: nothing can be said about what came first.
    """
    members = sorted((a for a in alerts if a.starts_at > 0), key=lambda a: (a.starts_at, a.name, a.fingerprint))
    if correlation.window_s <= 0 or len(members) < 2:
        return ()
    starts = [a.starts_at for a in members]
    links = _Links(len(members))
    by_value: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_entity: dict[str, list[int]] = defaultdict(list)
    for i, alert in enumerate(members):
        for key in correlation.labels:
            value = alert.labels.get(key)
            if value:
                by_value[(key, value)].append(i)
        by_entity[entity(alert)].append(i)
    for indices in by_value.values():
        links.chain(indices, starts, correlation.window_s)
    for name, indices in by_entity.items():
        for dep in dependencies(topology, name):
            if dep in by_entity:
                links.chain(indices + by_entity[dep], starts, correlation.window_s)
    components: dict[int, list[Alert]] = defaultdict(list)
    for i, alert in enumerate(members):
        components[links.find(i)].append(alert)
    found = [_problem(tuple(group), topology) for group in components.values() if len(incidents_in(group)) > 1]
    return tuple(sorted(found, key=lambda p: p.started))


def rank_causes(group: Sequence[Alert], topology: Topology) -> tuple[tuple[str, ...], dict[str, list[str]]]:
    """Entities of a problem, probable cause first, and for each the failing members depending on it
    (nearest first): the deepest failing dependency ranks first, then the earliest start."""
    first_start: dict[str, float] = {}
    for alert in group:
        name = entity(alert)
        first_start[name] = min(first_start.get(name, alert.starts_at), alert.starts_at)
    dependents: dict[str, list[tuple[int, str]]] = {name: [] for name in first_start}
    for name in first_start:
        for dep, hops in dependencies(topology, name).items():
            if dep in dependents:
                dependents[dep].append((hops, name))
    ranking = tuple(sorted(first_start, key=lambda n: (-len(dependents[n]), first_start[n], n)))
    return ranking, {n: [name for _, name in sorted(d)] for n, d in dependents.items()}


def _problem(group: tuple[Alert, ...], topology: Topology) -> Problem:
    ranking, dependents = rank_causes(group, topology)
    cause = ranking[0]
    cause_alert = next(a for a in group if entity(a) == cause)
    reasons = []
    if group[0].starts_at == cause_alert.starts_at:
        reasons.append("started first")
    if dependents[cause]:
        verb = "depends" if len(dependents[cause]) == 1 else "depend"
        reasons.append(f"{and_list(dependents[cause])} {verb} on it")
    earliest = group[0]
    if earliest.source_id == ANOMALY_SOURCE and entity(earliest) != cause:
        reasons.append(f"first sign: anomaly in {earliest.name}")
    hint = f"probable cause: {cause}" + (f" ({', '.join(reasons)})" if reasons else "")
    return Problem(members=group, ranking=ranking, cause_alert=cause_alert, hint=hint)


def incidents_in(group: Iterable[Alert]) -> set[tuple[str, str]]:
    """The distinct (entity, name) pairs: eight 5xx alerts of one service are one incident, not a problem."""
    return {(entity(a), a.name) for a in group}


def and_list(names: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def problem_of(alert: Alert, found: Iterable[Problem]) -> Problem | None:
    """The problem holding `alert`, if any."""
    return next((p for p in found if p.holds(alert)), None)
