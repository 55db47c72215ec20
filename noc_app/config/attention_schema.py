"""The `attention:` section's data (config/attention_section.py reads it): what a wall does to draw the room's eyes
and ears to a new incident — sounds per priority, quiet hours, mute, desktop notification, tray, border flash and
the board's "NEW" marker.  Not `notifications:`, which sends messages about actions to Slack, Teams and e-mail.

Priorities are the severity policy's level ids (P0..P3 by default), worst first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class SoundRule:
    """One priority's sound: repeated every `repeat_s` until the incident is answered (None: played once)."""

    priority: str
    repeat_s: float | None = None
    file: str | None = None  # a WAV of the user's; None: the shipped one for the priority's rank


@dataclass(frozen=True, kw_only=True, slots=True)
class QuietHours:
    """A daily time range in which only `sound_at` and worse sound (minutes after midnight; may wrap midnight)."""

    start_min: int
    end_min: int
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # the day the range starts on: 0=Mon..6=Sun
    sound_at: str | None = "P0"  # None: nothing sounds


DEFAULT_SOUNDS = (
    SoundRule(priority="P0", repeat_s=120.0),
    SoundRule(priority="P1", repeat_s=600.0),
    SoundRule(priority="P2"),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class AttentionConfig:
    sounds: tuple[SoundRule, ...] = DEFAULT_SOUNDS  # () : no sound at all
    player: tuple[str, ...] = ()  # a player command (the file is appended); (): the first of pw-play, paplay, aplay
    quiet_hours: tuple[QuietHours, ...] = ()
    timezone: str | None = None  # quiet hours' clock; None: the machine's local time
    mute_minutes: int = 15  # the M key mutes sounds for this long
    notify_at: str | None = "P1"  # desktop notification for a new incident at or above; None: none
    tray: bool = True
    flash_at: str | None = "P0"  # border flash for a new incident at or above; None: no flash
    flash_s: float = 8.0
    new_for_s: float = 600.0  # the board's "NEW" marker lasts this long; 0: no marker
