"""The `attention:` section: defaults, every key, and a clear error (file:line key) for each bad value."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from noc_app.config.attention_schema import DEFAULT_SOUNDS, AttentionConfig, QuietHours, SoundRule
from noc_app.config.loader import ConfigError, load_config_text

BASE = """\
sources:
  - {id: demo, kind: demo}
dashboards:
  - id: main
    panels:
      - {id: note, kind: text, title: Note, text: hi}
"""


def load(section: str, base_dir: str = "/nonexistent-base"):
    return load_config_text(BASE + textwrap.dedent(section), filename="wall.yaml", base_dir=base_dir)


def problems(section: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(section)
    return [str(p) for p in info.value.problems]


def test_absent_section_gives_the_defaults():
    attention = load("").attention
    assert attention == AttentionConfig()
    assert attention.sounds == DEFAULT_SOUNDS and attention.notify_at == "P1" and attention.flash_at == "P0"


def test_every_key_read(tmp_path):
    (tmp_path / "soft.wav").write_bytes(b"RIFF")
    attention = load("""\
        attention:
          sounds:
            P0: {repeat: 2m}
            P2: {repeat: once}
            P3: {file: soft.wav}
            P1: off
          player: [pw-play, --volume, "0.6"]
          quiet_hours:
            - {start: "22:00", end: "07:00", days: [sat, sun], sound_at: off}
            - {start: "12:00", end: "13:00"}
          timezone: UTC
          mute_minutes: 30
          notify_at: off
          tray: false
          flash_at: P1
          flash: 5s
          new_marker: 3m
        """, base_dir=str(tmp_path)).attention
    assert attention.sounds == (SoundRule(priority="P0", repeat_s=120.0), SoundRule(priority="P2"),
                                SoundRule(priority="P3", file=str(tmp_path / "soft.wav")))
    assert attention.player == ("pw-play", "--volume", "0.6")
    assert attention.quiet_hours == (QuietHours(start_min=1320, end_min=420, days=(5, 6), sound_at=None),
                                     QuietHours(start_min=720, end_min=780, sound_at="P0"))
    assert (attention.timezone, attention.mute_minutes, attention.notify_at, attention.tray) == ("UTC", 30, None, False)
    assert (attention.flash_at, attention.flash_s, attention.new_for_s) == ("P1", 5.0, 180.0)


def test_sounds_off_and_player_as_one_string():
    attention = load("attention: {sounds: off, player: paplay, new_marker: off}\n").attention
    assert attention.sounds == () and attention.player == ("paplay",) and attention.new_for_s == 0.0


def test_priorities_follow_the_severity_policy():
    attention = load("""\
        severity_policy:
          - {id: SEV1, severity: critical}
        attention:
          sounds: {SEV1: {repeat: 1m}}
          notify_at: SEV1
        """).attention
    assert attention.sounds == (SoundRule(priority="SEV1", repeat_s=60.0),)


@pytest.mark.parametrize(("section", "expected"), [
    ("attention: {notify_at: P9}\n",
     "wall.yaml:7:24 attention.notify_at: unknown priority 'P9'; expected one of: P0, P1, P2, P3 (or off)"),
    ("attention: {sounds: {P0: {repeat: soon}}}\n",
     "wall.yaml:7:35 attention.sounds.P0.repeat: expected a duration like 15s, 5m, 1h, got 'soon'"),
    ("attention: {sounds: {P0: {repeat: 2s}}}\n", "attention.sounds.P0.repeat:"),
    ("attention: {sounds: {P0: {file: missing.wav}}}\n",
     "attention.sounds.P0.file: sound file not found: /nonexistent-base/missing.wav"),
    ("attention: {quiet_hours: [{start: '25:00', end: '07:00'}]}\n",
     "attention.quiet_hours[0].start: expected a time like 22:00 or 07:30 (quote it), got '25:00'"),
    ("attention: {quiet_hours: [{end: '07:00'}]}\n", "attention.quiet_hours[0]: missing required key 'start'"),
    ("attention: {quiet_hours: [{start: '07:00', end: '07:00'}]}\n", "start and end at the same time"),
    ("attention: {timezone: Mars/Base}\n", "attention.timezone: unknown time zone 'Mars/Base'"),
    ("attention: {mute_minutes: 0}\n", "attention.mute_minutes:"),
    ("attention: {flashy: true}\n", "attention.flashy: unknown key 'flashy'; did you mean 'flash'?"),
    ("attention: {player: []}\n", "attention.player: expected a command like paplay"),
])
def test_bad_values_say_where_and_what_was_expected(section, expected):
    found = problems(section)
    assert len(found) == 1, found
    assert expected in found[0]


def test_check_config_reports_an_attention_problem(tmp_path):
    bad = tmp_path / "wall.yaml"
    bad.write_text(BASE + "attention: {notify_at: P9}\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "noc_app.cli", "check-config", str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "attention.notify_at: unknown priority 'P9'" in run.stderr
