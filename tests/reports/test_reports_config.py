"""The `reports:` section: the folder for reports made from the operator UI."""

from __future__ import annotations

from pathlib import Path

import pytest

from noc_app.config.loader import ConfigError, load_config_text

BASE = """\
sources:
  - {id: prom, kind: prometheus, url: 'http://127.0.0.1:9'}
dashboards:
  - id: main
    panels:
      - {id: note, kind: text, title: Note, text: hi}
"""


def _load(text: str, base: Path):
    return load_config_text(BASE + text, filename="wall.yaml", base_dir=base)


def test_no_reports_section_leaves_the_default(tmp_path):
    assert _load("", tmp_path).reports.dir is None


@pytest.mark.parametrize(("written", "expected"), [
    ("out/reports", "{base}/out/reports"), ("/srv/noc/reports", "/srv/noc/reports"),
    ("~/noc-reports", "{home}/noc-reports"),
])
def test_dir_resolves_against_the_config_folder_and_home(tmp_path, written, expected):
    got = _load(f"reports: {{dir: '{written}'}}\n", tmp_path).reports.dir
    assert got == expected.format(base=tmp_path, home=Path.home())


@pytest.mark.parametrize(("text", "message"), [
    ("reports: {dir: ''}\n", "wall.yaml:7:16 reports.dir: expected a folder path, got an empty string"),
    ("reports: {dir: [a]}\n", "reports.dir: expected a string"),
    ("reports: {folder: x}\n", "reports"),
])
def test_bad_values_name_their_place(tmp_path, text, message):
    with pytest.raises(ConfigError) as info:
        _load(text, tmp_path)
    assert any(message in str(p) for p in info.value.problems), info.value.problems
