"""The `attention:` section: how the wall draws eyes and ears to incidents (wall and operator modes; never kiosk).

    attention:
      sounds:                        # per priority; a priority not listed is silent; `off` silences all
        P0: {repeat: 2m}             # repeated until acknowledged, resolved or silenced
        P1: {repeat: 10m}
        P2: {repeat: once}           # once per incident
        P3: {file: sounds/soft.wav}  # your own WAV (relative to this file)
      player: [pw-play, --volume, "0.6"]   # the sound file is appended; default: pw-play, paplay or aplay
      quiet_hours:
        - {start: "22:00", end: "07:00", days: [mon, tue, wed, thu, fri], sound_at: P0}   # sound_at: off
      timezone: Europe/Berlin        # quiet hours' clock; default: the machine's
      mute_minutes: 15               # the M key
      notify_at: P1                  # desktop notification for a new incident at or above; off
      tray: true                     # tray icon with counts by priority
      flash_at: P0                   # window border flash for a new incident at or above; off
      flash: 8s
      new_marker: 10m                # "NEW" on board rows that appeared this recently; 0 turns it off

Priorities are the severity policy's level ids (`severity_policy:`, P0..P3 by default).  Not `notifications:`:
that section sends messages about incidents and actions to Slack, Teams and e-mail.
"""

from __future__ import annotations

import re

from yaml.nodes import Node, ScalarNode

from noc_app.config.attention_schema import DEFAULT_SOUNDS, AttentionConfig, QuietHours, SoundRule
from noc_app.config.schema import SeverityLevel
from noc_app.config.yaml_nodes import BOOL_TAG, MapReader, Walk, describe, mapping_pairs, sub_path

_KEYS = ("sounds", "player", "quiet_hours", "timezone", "mute_minutes", "notify_at", "tray", "flash_at", "flash",
         "new_marker")
_SOUND_KEYS = ("repeat", "file")
_QUIET_KEYS = ("start", "end", "days", "sound_at")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_OFF_WORDS = ("off", "none", "false", "no")
DEFAULT_PRIORITIES = ("P0", "P1", "P2", "P3")
MAX_REPEAT_S = 24 * 3600.0
MAX_MUTE_MINUTES = 24 * 60
MAX_PLAYER_ARGS = 16


def priority_ids(levels: tuple[SeverityLevel, ...]) -> tuple[str, ...]:
    """The priorities in order, worst first: the policy's level ids, then any of P0..P3 it does not name
    (an alert no level matches keeps its severity's own P0..P3)."""
    ids = tuple(level.id for level in levels) if levels else DEFAULT_PRIORITIES
    return ids + tuple(p for p in DEFAULT_PRIORITIES if p not in ids)


def is_off(node: Node | None) -> bool:
    """`off`, `none`, `false` (YAML reads a bare off as false)."""
    if not isinstance(node, ScalarNode):
        return False
    if node.tag == BOOL_TAG:
        return str(node.value).lower() in ("false", "off", "no")
    return str(node.value).strip().lower() in _OFF_WORDS


def read_attention(walk: Walk, top: MapReader, levels: tuple[SeverityLevel, ...]) -> AttentionConfig:
    node = top.sub_mapping("attention")
    if node is None:
        return AttentionConfig()
    section = MapReader(walk, node, top.sub("attention"), _KEYS)
    known = priority_ids(levels)
    default = AttentionConfig()
    mute = section.integer("mute_minutes", default.mute_minutes, minimum=1, maximum=MAX_MUTE_MINUTES)
    flash = section.duration("flash", default.flash_s, minimum=1.0, maximum=600.0)
    new_for = _new_marker(walk, section, default.new_for_s)
    return AttentionConfig(
        sounds=_sounds(walk, section, known),
        player=_player(walk, section),
        quiet_hours=tuple(_quiet_hours(walk, section, known)),
        timezone=_timezone(walk, section),
        mute_minutes=mute if mute is not None else default.mute_minutes,
        notify_at=_priority_or_off(walk, section, "notify_at", known, default.notify_at),
        tray=section.boolean("tray", default.tray),
        flash_at=_priority_or_off(walk, section, "flash_at", known, default.flash_at),
        flash_s=flash if flash is not None else default.flash_s,
        new_for_s=new_for,
    )


def _priority(walk: Walk, node: Node, path: str, known: tuple[str, ...]) -> str | None:
    text = walk.text(node, path)
    if text is None:
        return None
    if text not in known:
        walk.error(node, path, f"unknown priority '{text[:40]}'; expected one of: {', '.join(known)} (or off)")
        return None
    return text


def _priority_or_off(
    walk: Walk, section: MapReader, key: str, known: tuple[str, ...], default: str | None,
) -> str | None:
    node = section.get(key)
    if node is None:
        return default
    if is_off(node):
        return None
    return _priority(walk, node, section.sub(key), known) or default


def _sounds(walk: Walk, section: MapReader, known: tuple[str, ...]) -> tuple[SoundRule, ...]:
    node = section.get("sounds")
    if node is None:
        return DEFAULT_SOUNDS
    if is_off(node):
        return ()
    mapping = walk.mapping(node, section.sub("sounds"))
    if mapping is None:
        return DEFAULT_SOUNDS
    rules = []
    for key_node, value_node in mapping_pairs(mapping):
        path = sub_path(section.sub("sounds"), str(key_node.value))
        priority = _priority(walk, key_node, path, known)
        if is_off(value_node):
            continue  # `P3: off`: silent, said explicitly
        body = walk.mapping(value_node, path)
        if priority is None or body is None:
            continue
        item = MapReader(walk, body, path, _SOUND_KEYS)
        rules.append(SoundRule(priority=priority, repeat_s=_repeat(walk, item), file=_file(walk, item)))
    return tuple(rules)


def _repeat(walk: Walk, item: MapReader) -> float | None:
    node = item.get("repeat")
    if node is None or (isinstance(node, ScalarNode) and str(node.value).strip().lower() == "once") or is_off(node):
        return None
    return item.duration("repeat", None, minimum=10.0, maximum=MAX_REPEAT_S)


def _file(walk: Walk, item: MapReader) -> str | None:
    text = item.text("file")
    if text is None:
        return None
    path = walk.resolve_path(text)
    if not path.is_file():
        walk.error(item.nodes["file"], item.sub("file"), f"sound file not found: {str(path)[:200]}")
        return None
    if path.suffix.lower() != ".wav":
        walk.error(item.nodes["file"], item.sub("file"), f"expected a .wav file, got '{path.name[:80]}'")
        return None
    return str(path)


def _player(walk: Walk, section: MapReader) -> tuple[str, ...]:
    node = section.get("player")
    if node is None:
        return ()
    if isinstance(node, ScalarNode):
        text = walk.text(node, section.sub("player")) or ""
        if text.strip().lower() == "auto":
            return ()
        words = tuple(text.split())
    else:
        words = section.texts("player")
    if not words or len(words) > MAX_PLAYER_ARGS:
        walk.error(node, section.sub("player"),
                   f"expected a command like paplay or [pw-play, --volume, \"0.6\"], got {describe(node)}")
        return ()
    return words


def _quiet_hours(walk: Walk, section: MapReader, known: tuple[str, ...]) -> list[QuietHours]:
    ranges = []
    for node, path in section.items("quiet_hours", noun="time range"):
        mapping = walk.mapping(node, path)
        if mapping is None:
            continue
        item = MapReader(walk, mapping, path, _QUIET_KEYS)
        start, end = _clock(walk, item, "start"), _clock(walk, item, "end")
        days = []
        for day_node, day_path in item.items("days", noun="day"):
            day = walk.choice(day_node, day_path, _DAYS)
            if day is not None:
                days.append(_DAYS.index(day))
        sound_at = _priority_or_off(walk, item, "sound_at", known, "P0" if "P0" in known else known[0])
        if start is None or end is None:
            continue
        if start == end:
            walk.error(mapping, path, "quiet hours start and end at the same time; give a range like 22:00 to 07:00")
            continue
        ranges.append(QuietHours(start_min=start, end_min=end, days=tuple(sorted(set(days))) if days else
                                 (0, 1, 2, 3, 4, 5, 6), sound_at=sound_at))
    return ranges


def _clock(walk: Walk, item: MapReader, key: str) -> int | None:
    node = item.require(key)
    if node is None:
        return None
    text = walk.text(node, item.sub(key))
    match = _CLOCK.fullmatch((text or "").strip())
    if match is None:
        walk.error(node, item.sub(key), f"expected a time like 22:00 or 07:30 (quote it), got '{(text or '')[:20]}'")
        return None
    return int(match[1]) * 60 + int(match[2])


def _timezone(walk: Walk, section: MapReader) -> str | None:
    zone = section.text("timezone")
    if zone is None:
        return None
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(zone)
    except (ValueError, KeyError, OSError):
        walk.error(section.nodes["timezone"], section.sub("timezone"),
                   f"unknown time zone '{zone[:60]}'; expected an IANA name like Europe/Berlin or UTC")
        return None
    return zone


def _new_marker(walk: Walk, section: MapReader, default: float) -> float:
    node = section.get("new_marker")
    if node is None:
        return default
    if is_off(node):
        return 0.0
    value = section.duration("new_marker", default, minimum=0.0, maximum=MAX_REPEAT_S)
    return value if value is not None else default
