"""Wall-PC packaging (issue 12 item 10): the units are watched by systemd, the desktop file has a shipped icon."""

from __future__ import annotations

import configparser
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(ROOT / "packaging" / name)
    return parser


@pytest.mark.parametrize("name", ["noc-app-wall.service", "noc-app-kiosk.service"])
def test_user_units_are_watched_and_do_not_loop_on_exit_2(name: str) -> None:
    service = _unit(name)["Service"]
    assert service["Type"] == "notify"
    assert service["NotifyAccess"] == "main"
    assert int(service["WatchdogSec"]) >= 10
    assert service["Restart"] == "always"
    assert service["RestartPreventExitStatus"] == "2"
    assert service["ExecStart"].startswith("%h/.local/bin/noc-app ")  # where `pipx install .` puts it
    assert _unit(name)["Install"]["WantedBy"] == "graphical-session.target"


def test_desktop_file_names_the_shipped_icon() -> None:
    entry = _unit("noc-app.desktop")["Desktop Entry"]
    assert entry["Icon"] == "noc-app"
    icon = ROOT / "themes" / "noc-app.svg"  # installed as noc_app/themes/noc-app.svg
    assert ET.parse(icon).getroot().tag.endswith("svg")
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "*.svg" in package_data["noc_app.themes"]


def test_the_application_carries_the_icon(qapp) -> None:
    from noc_app.app import make_application

    app = make_application()
    assert not app.windowIcon().isNull()  # type: ignore[attr-defined]
