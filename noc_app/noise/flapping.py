"""Flapping: an alert that fires and resolves again and again is one row, tagged, not a new incident.

A backend lists only what is firing now, so "resolved" is "gone from the next poll".  The
`FlapTracker` remembers, per source and alert identity (its fingerprint), when it went away;
it is fed on the poll worker (the poller's prepare hook, see noc_app.runtime), bounded in
identities and events, and attaches a `FlapReport` to the snapshot (`Snapshot.prepared[FLAPS_KEY]`).
Deciding stays pure: `flap_count` over injected times, `is_flapping` over snapshots.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from noc_app.model import Alert, AlertState, Snapshot
from noc_app.noise.config import FlapRule

FLAPS_KEY = "noise:flaps"
MAX_IDENTITIES = 20_000  # per source; beyond it the quietest identities are forgotten first
MAX_EVENTS = 256  # resolve times kept per identity (enough for any sane threshold)


@dataclass(frozen=True, slots=True)
class FlapReport:
    """Per fingerprint of one source: how often it resolved within the window, when it is flapping;
    `held`: flapping alerts gone from this poll, kept on the board (last seen) so they do not blink."""

    counts: Mapping[str, int] = field(default_factory=dict)
    held: tuple[Alert, ...] = ()


NO_FLAPS = FlapReport()


def flap_count(resolved_at: Iterable[float], now: float, window_s: float) -> int:
    """How many of the resolve times fall within the last `window_s` seconds (pure)."""
    return sum(1 for t in resolved_at if now - window_s <= t <= now)


def is_flapping_count(count: int, rule: FlapRule) -> bool:
    """More than `rule.changes` fire/resolve cycles within the window."""
    return rule.enabled and count > rule.changes


def report_of(snapshot: Snapshot | None) -> FlapReport:
    found = snapshot.prepared.get(FLAPS_KEY) if snapshot is not None else None
    return found if isinstance(found, FlapReport) else NO_FLAPS


def flapping_count(alert: Alert, snapshots: Mapping[str, Snapshot | None]) -> int:
    """The alert's fire/resolve cycles in the flapping window when it is flapping, else 0."""
    return report_of(snapshots.get(alert.source_id)).counts.get(alert.fingerprint, 0)


def is_flapping(alert: Alert, snapshots: Mapping[str, Snapshot | None]) -> bool:
    """True when `alert` is flapping: a sound or a takeover should skip it (the board shows it once)."""
    return flapping_count(alert, snapshots) > 0


@dataclass(slots=True)
class _History:
    last: Alert
    present: bool
    resolved_at: deque[float]


class FlapTracker:
    """Fire/resolve history per (source, fingerprint), fed with every successful poll (worker side).

    `annotate(source_id, snapshot)` is the poller's prepare hook.  One poll of a source is in
    flight at a time, but sources poll in parallel: one lock guards the shared table.
    """

    def __init__(self, rule: FlapRule, clock: Callable[[], float] = time.time,
                 max_identities: int = MAX_IDENTITIES) -> None:
        self.rule = rule
        self._clock = clock
        self._max = max_identities
        self._lock = threading.Lock()
        self._by_source: dict[str, dict[str, _History]] = {}

    def annotate(self, source_id: str, snapshot: Snapshot) -> Snapshot:
        """`snapshot` with its FlapReport attached (unchanged when it carries no alerts)."""
        if snapshot.alerts is None or not self.rule.enabled:
            return snapshot
        report = self.observe(source_id, snapshot.alerts, self._clock())
        return replace(snapshot, prepared={**snapshot.prepared, FLAPS_KEY: report})

    def observe(self, source_id: str, alerts: Iterable[Alert], now: float) -> FlapReport:
        firing = {a.fingerprint: a for a in alerts if a.state is not AlertState.RESOLVED}
        with self._lock:
            table = self._by_source.setdefault(source_id, {})
            for fp, history in table.items():
                if history.present and fp not in firing:
                    history.resolved_at.append(now)
                history.present = fp in firing
            for fp, alert in firing.items():
                known = table.get(fp)
                if known is None:
                    table[fp] = _History(alert, True, deque(maxlen=MAX_EVENTS))
                else:
                    known.last = alert
            self._forget_quiet(table, now)
            return self._report(table, now)

    def _report(self, table: dict[str, _History], now: float) -> FlapReport:
        counts: dict[str, int] = {}
        held: list[Alert] = []
        for fp, history in table.items():
            if not history.resolved_at:
                continue
            n = flap_count(history.resolved_at, now, self.rule.window_s)
            if is_flapping_count(n, self.rule):
                counts[fp] = n
                if not history.present:
                    held.append(history.last)
        return FlapReport(counts=counts, held=tuple(held))

    def _forget_quiet(self, table: dict[str, _History], now: float) -> None:
        """Drop identities gone and quiet for a window; past the bound, the longest quiet go first."""
        horizon = now - self.rule.window_s
        quiet = [fp for fp, h in table.items() if not h.present and (not h.resolved_at or h.resolved_at[-1] < horizon)]
        for fp in quiet:
            del table[fp]
        if len(table) > self._max:
            by_quiet = sorted(table, key=lambda fp: table[fp].resolved_at[-1] if table[fp].resolved_at else now)
            for fp in by_quiet[: len(table) - self._max]:
                del table[fp]
