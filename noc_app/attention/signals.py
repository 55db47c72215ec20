"""The silent signals: desktop notification, border flash, tray counts.  Pure; `now` is passed in.

Only incidents that appeared while the wall watched (incidents.observe) notify or flash; a wall that starts
with open incidents does neither.  Answered and suppressed incidents never do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from noc_app.attention.incidents import Incident, PriorityOrder, Suppressed, never_suppressed
from noc_app.config.attention_schema import AttentionConfig

FLASH_PERIOD_S = 1.0  # on for a second, off for a second: a slow blink, not a strobe


def to_notify(appeared: Iterable[Incident], config: AttentionConfig, order: PriorityOrder,
              suppressed: Suppressed = never_suppressed) -> tuple[Incident, ...]:
    """The new incidents a desktop notification announces (at or above `notify_at`)."""
    return tuple(i for i in appeared
                 if i.needs_answer and order.at_or_above(i, config.notify_at) and not suppressed(i.alert))


@dataclass(frozen=True, slots=True)
class Flash:
    """A border flash: from `start` to `until` (epoch seconds); NO_FLASH: none."""

    start: float = 0.0
    until: float = 0.0

    def lit(self, now: float) -> bool:
        """True while the border shows the colour: the first half of each period, within the flash."""
        if not self.start <= now < self.until:
            return False
        return (now - self.start) % (2 * FLASH_PERIOD_S) < FLASH_PERIOD_S

    def running(self, now: float) -> bool:
        return self.start <= now < self.until


NO_FLASH = Flash()


def next_flash(flash: Flash, appeared: Iterable[Incident], config: AttentionConfig, order: PriorityOrder,
               now: float, suppressed: Suppressed = never_suppressed) -> Flash:
    """A new incident at or above `flash_at` starts (or extends) the flash for `flash_s`."""
    if config.flash_at is None:
        return NO_FLASH
    if any(i.needs_answer and order.at_or_above(i, config.flash_at) and not suppressed(i.alert) for i in appeared):
        start = flash.start if flash.running(now) else now
        return Flash(start=start, until=now + config.flash_s)
    return flash


def priority_counts(incidents: Iterable[Incident], order: PriorityOrder) -> tuple[tuple[str, int], ...]:
    """Incidents that need an answer, per priority, worst first; every priority of the order is listed."""
    counted = Counter(i.priority for i in incidents if i.needs_answer)
    extra = sorted(p for p in counted if p not in order.ids)
    return tuple((p, counted.get(p, 0)) for p in (*order.ids, *extra))


def counts_text(counts: Iterable[tuple[str, int]]) -> str:
    """'2 P0 · 0 P1 · 1 P2 · 0 P3'."""
    return " · ".join(f"{n} {p}" for p, n in counts)


def notification_text(incidents: tuple[Incident, ...]) -> tuple[str, str]:
    """(title, body) of one desktop notification for the incidents that just appeared (plain text)."""
    first = incidents[0]
    title = f"{first.priority} {first.alert.name}"
    if len(incidents) > 1:
        title += f" (+{len(incidents) - 1} more new)"
    body = first.alert.summary or ", ".join(f"{k}={v}" for k, v in list(first.alert.labels.items())[:3])
    return title[:200], body[:400]
