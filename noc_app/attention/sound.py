"""Which sound plays now: per priority, repeated until the incident is answered, quiet hours, mute.  Pure.

Each tick, every incident that needs an answer and has a sound rule is due when it never sounded, or when its
rule's repeat interval has passed since it last sounded.  All due incidents sound together, as one sound: the
worst priority's.  Then:
- muted (the M key): nothing sounds and nothing counts as heard: when the mute ends, what is still unanswered
  sounds again;
- quiet hours: priorities below the range's `sound_at` count as heard without a sound (an overnight warning
  does not ring out at 07:00; a repeating one resumes its interval after the range);
- incidents of a source answering for the first time (the wall just started) count as heard when first seen,
  so a restart does not ring every open incident at once; repeating rules pick them up after their interval;
- answered (acknowledged, silenced, inhibited, resolved) and suppressed incidents never sound, and forget when
  they last did: one that is un-acknowledged sounds again at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from zoneinfo import ZoneInfo

from noc_app.attention.incidents import Incident, IncidentKey, PriorityOrder, Suppressed, never_suppressed
from noc_app.config.attention_schema import AttentionConfig, QuietHours, SoundRule

DAY_MIN = 24 * 60


# -- mute ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mute:
    until: float | None = None  # epoch seconds; None: not muted

    def active(self, now: float) -> bool:
        return self.until is not None and now < self.until


def toggle_mute(mute: Mute, now: float, minutes: int) -> Mute:
    """The M key: mute for `minutes` from now; pressed again while muted, unmute."""
    return Mute() if mute.active(now) else Mute(until=now + minutes * 60.0)


def mute_text(mute: Mute, now: float, timezone: str | None = None) -> str:
    """'MUTED until 14:32' while muted; '' otherwise."""
    if mute.until is None or not mute.active(now):
        return ""
    return f"MUTED until {local_time(mute.until, timezone):%H:%M}"


def local_time(at: float, timezone: str | None) -> dt.datetime:
    if timezone:
        return dt.datetime.fromtimestamp(at, tz=ZoneInfo(timezone))
    return dt.datetime.fromtimestamp(at).astimezone()


# -- quiet hours -------------------------------------------------------------------------------


def quiet_range(now: float, ranges: Iterable[QuietHours], timezone: str | None = None) -> QuietHours | None:
    """The quiet-hours range `now` falls in, if any.  A range that wraps midnight belongs to the day it starts on."""
    local = local_time(now, timezone)
    minute = local.hour * 60 + local.minute
    today, yesterday = local.weekday(), (local.weekday() - 1) % 7
    for quiet in ranges:
        if quiet.start_min < quiet.end_min:
            if today in quiet.days and quiet.start_min <= minute < quiet.end_min:
                return quiet
        elif (today in quiet.days and minute >= quiet.start_min) or (
            yesterday in quiet.days and minute < quiet.end_min
        ):
            return quiet
    return None


def quiet_allows(incident: Incident, quiet: QuietHours | None, order: PriorityOrder) -> bool:
    """Outside quiet hours everything may sound; inside, only `sound_at` and worse (nothing when it is off)."""
    return quiet is None or order.at_or_above(incident, quiet.sound_at)


# -- the decision --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SoundState:
    last_sounded: Mapping[IncidentKey, float] = field(default_factory=lambda: MappingProxyType({}))
    mute: Mute = Mute()


@dataclass(frozen=True, kw_only=True, slots=True)
class SoundDecision:
    priority: str | None  # the sound to play now (the worst due priority); None: silence
    rule: SoundRule | None
    sounded: tuple[IncidentKey, ...]  # the incidents this sound is for
    state: SoundState
    reason: str = ""  # why silent although something was due: "muted", "quiet hours"


def rules_by_priority(config: AttentionConfig) -> dict[str, SoundRule]:
    return {rule.priority: rule for rule in config.sounds}


def is_due(incident: Incident, rule: SoundRule, last: float | None, now: float) -> bool:
    if last is None:
        return True
    return rule.repeat_s is not None and now - last >= rule.repeat_s


def decide_sound(
    incidents: Iterable[Incident], state: SoundState, config: AttentionConfig, order: PriorityOrder, now: float, *,
    baseline: frozenset[IncidentKey] = frozenset(), suppressed: Suppressed = never_suppressed,
) -> SoundDecision:
    """What sounds at `now` and the state after it (see the module doc for the rules).

    baseline: incidents known when their source first answered; they count as heard when first met here.
    """
    rules = rules_by_priority(config)
    quiet = quiet_range(now, config.quiet_hours, config.timezone)
    muted = state.mute.active(now)
    last: dict[IncidentKey, float] = {}
    due: list[tuple[Incident, SoundRule]] = []
    quieted = False
    for incident in incidents:
        rule = rules.get(incident.priority)
        if rule is None or not incident.needs_answer or suppressed(incident.alert):
            continue  # answered or suppressed: forgotten
        previous = state.last_sounded.get(incident.key)
        if previous is None and incident.key in baseline:
            previous = now
        if previous is not None:
            last[incident.key] = previous
        if not is_due(incident, rule, previous, now):
            continue
        if not quiet_allows(incident, quiet, order):
            last[incident.key] = now  # heard, without a sound
            quieted = True
            continue
        due.append((incident, rule))
    if not due or muted:
        reason = "muted" if due else ("quiet hours" if quieted else "")
        return SoundDecision(priority=None, rule=None, sounded=(), reason=reason,
                             state=SoundState(MappingProxyType(last), state.mute))
    worst, worst_rule = min(due, key=lambda pair: pair[0].rank)
    for incident, _ in due:
        last[incident.key] = now
    return SoundDecision(priority=worst.priority, rule=worst_rule, sounded=tuple(i.key for i, _ in due),
                         state=SoundState(MappingProxyType(last), state.mute))
