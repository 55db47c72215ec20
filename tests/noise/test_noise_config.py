"""The `noise:` and `topology:` sections: what they read, and a clear file:line error for each mistake."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from noc_app.config.loader import ConfigError, load_config_text
from noc_app.noise.config import Correlation, FlapRule, MaintenanceWindow, NoiseConfig

BASE = """\
sources:
  - {id: demo, kind: demo}
dashboards:
  - id: main
    panels:
      - {id: note, kind: text, title: Note, text: hi}
"""

FULL = BASE + """\
noise:
  flapping: {changes: 3, window: 10m}
  warning_min_duration: 2m
  maintenance:
    - name: db patching
      match: {service: db}
      start: 2026-12-05T22:00:00Z
      end: "2026-12-06T02:00:00+00:00"
    - {name: backups, match: {job: backup}, daily: "22:30-01:00", days: [sat, Sunday], timezone: Europe/Berlin}
  correlation: {window: 3m, labels: [service, cluster]}
topology:
  checkout: [payments]
  payments: db
"""


def _load(text: str):
    return load_config_text(text, filename="wall.yaml", base_dir="/nonexistent-base")


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        _load(text)
    return [str(p) for p in info.value.problems]


def test_a_full_section_is_read():
    noise = _load(FULL).noise
    start = dt.datetime(2026, 12, 5, 22, tzinfo=dt.UTC).timestamp()
    assert noise == NoiseConfig(
        flapping=FlapRule(changes=3, window_s=600),
        warning_min_duration_s=120,
        maintenance=(
            MaintenanceWindow(name="db patching", match={"service": "db"}, start=start, end=start + 4 * 3600),
            MaintenanceWindow(name="backups", match={"job": "backup"}, from_minute=22 * 60 + 30, to_minute=60,
                              days=(5, 6), time_zone="Europe/Berlin"),
        ),
        correlation=Correlation(window_s=180, labels=("service", "cluster")),
        topology={"checkout": ("payments",), "payments": ("db",)},
    )


def test_defaults_change_nothing():
    noise = _load(BASE).noise
    assert noise == NoiseConfig() and not noise.reduces


@pytest.mark.parametrize(("section", "expected"), [
    ("noise:\n  flaping: {changes: 3}\n",
     "wall.yaml:8:3 noise.flaping: unknown key 'flaping'; did you mean 'flapping'?"),
    ("noise:\n  flapping: {window: 5m}\n", "wall.yaml:8:13 noise.flapping: missing required key 'changes'"),
    ("noise:\n  flapping: {changes: 0}\n", "noise.flapping.changes: "),
    ("noise:\n  warning_min_duration: soon\n", "noise.warning_min_duration: expected a duration like 15s, 5m, 1h"),
    ("noise:\n  maintenance:\n    - {name: x, match: {service: db}, daily: '25:00-26:00'}\n",
     ("wall.yaml:9:46 noise.maintenance[0].daily: expected a time range like \"01:00-03:00\" (24 h clock), "
      "got '25:00-26:00'")),
    ("noise:\n  maintenance:\n    - {name: x, match: {service: db}, daily: '01:00-02:00', days: [funday]}\n",
     "noise.maintenance[0].days[0]: expected a weekday (mon, tue, wed, thu, fri, sat, sun), got 'funday'"),
    ("noise:\n  maintenance:\n    - {name: x, match: {service: db}, start: '2026-12-05T22:00'}\n",
     "noise.maintenance[0].start: expected an ISO time with its zone, e.g. 2026-12-05T22:00:00Z"),
    (("noise:\n  maintenance:\n"
      "    - {name: x, match: {service: db}, start: '2026-12-05T22:00Z', end: '2026-12-05T21:00Z'}\n"),
     "noise.maintenance[0].end: expected 'end' after 'start'"),
    ("noise:\n  maintenance:\n    - {name: x, start: '2026-12-05T22:00Z'}\n",
     "noise.maintenance[0].match: expected labels to match, e.g. match: {service: db}"),
    ("noise:\n  maintenance:\n    - {name: x, match: {service: db}}\n",
     "noise.maintenance[0]: expected 'start' and 'end' (ISO times) or 'daily'"),
    ("noise:\n  maintenance:\n    - {name: x, match: {a: b}, daily: '01:00-02:00', timezone: Mars/Olympus}\n",
     "noise.maintenance[0].timezone: unknown time zone 'Mars/Olympus'"),
    ("noise:\n  maintenance:\n    - {name: x, match: {a: b}, daily: '01:00-02:00', start: '2026-12-05T22:00Z'}\n",
     "noise.maintenance[0].start: give either 'daily' or 'start', not both"),
    ("noise:\n  correlation: {labels: []}\n", "noise.correlation.labels: expected at least one label name"),
    ("topology:\n  db: [db]\n", "wall.yaml:8:7 topology.db: 'db' cannot depend on itself"),
    ("topology:\n  db: {a: b}\n", "topology.db: expected a list, got a mapping"),
    ("topology: [a]\n", "topology: expected a mapping"),
])
def test_mistakes_are_reported_with_file_line_and_key(section, expected):
    found = _problems(BASE + section)
    assert any(expected in p for p in found), found


def test_check_config_reports_noise_problems(tmp_path):
    path = tmp_path / "wall.yaml"
    path.write_text(BASE + "noise:\n  flapping: {changes: -1}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "noc_app", "check-config", str(path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert "noise.flapping.changes" in result.stdout + result.stderr
    path.write_text(FULL, encoding="utf-8")
    ok = subprocess.run([sys.executable, "-m", "noc_app", "check-config", str(path)],
                        capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
