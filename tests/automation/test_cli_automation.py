"""`noc-app automation --status` says who holds the room's lease; the subcommand is registered."""

from __future__ import annotations

from pathlib import Path

import pytest

from noc_app.actions.automation_lease import FileLease
from noc_app.cli import SUBCOMMANDS, main


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "room.yaml"
    path.write_text(
        "sources:\n  - {id: demo, kind: demo}\n"
        "dashboards:\n  - id: main\n    panels:\n      - {id: inc, kind: incidents, title: I, source: demo}\n"
        f"state: {{url: 'sqlite://{tmp_path}/state.db'}}\n"
        "automation: {enabled: true}\n", encoding="utf-8")
    return path


def test_status_names_the_holder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "automation" in SUBCOMMANDS
    config = write_config(tmp_path)
    assert main(["automation", "--config", str(config), "--status"]) == 0
    assert capsys.readouterr().out.strip() == "automation lease: free"
    holder = FileLease(tmp_path / "state.db", name="noc-srv-1:4242")
    assert holder.try_acquire()
    try:
        assert main(["automation", "--config", str(config), "--status"]) == 0
        assert capsys.readouterr().out.startswith("automation lease: held by noc-srv-1:4242 since ")
    finally:
        holder.release()


def test_the_config_checks_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(write_config(tmp_path))]) == 0
