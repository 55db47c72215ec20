"""The command line as users run it: subprocesses of `python -m noc_app`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from noc_app.themes import load_theme

from wall_pixels import rgb_array, screenshot_problems

ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


def _run(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "noc_app", *args], check=False, capture_output=True, text=True, env=ENV, cwd=cwd, timeout=timeout
    )


def test_version():
    proc = _run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("noc-app ")


def test_check_config_accepts_the_bundled_configs(tmp_path):
    from importlib import resources

    for name in ("demo.yaml", "ecommerce.yaml"):
        path = tmp_path / name
        path.write_text(resources.files("noc_app.configs").joinpath(name).read_text())
        proc = _run("check-config", str(path))
        assert proc.returncode == 0, proc.stderr
        assert "OK" in proc.stdout


def test_check_config_reports_every_problem_and_exits_2(tmp_path):
    bad = tmp_path / "wall.yaml"
    bad.write_text(
        "sources:\n"
        "  - id: prom\n"
        "    kind: prometheus\n"
        "    url: http://127.0.0.1:9090\n"
        "    password: hunter2\n"
        "dashboards:\n"
        "  - id: d\n"
        "    titel: x\n"
        "    panels:\n"
        "      - {id: p, kind: stat, title: t, source: promx, queries: [up], thresholds: [1, high]}\n"
    )
    proc = _run("check-config", str(bad))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr
    assert any(line.startswith(f"{bad}:5:5 sources[0].password") for line in lines), proc.stderr
    assert any("titel" in line and "did you mean 'title'" in line for line in lines), proc.stderr
    assert any("promx" in line and "did you mean 'prom'" in line for line in lines), proc.stderr
    assert any("thresholds[1]: expected a number, got 'high'" in line for line in lines), proc.stderr
    assert lines[-1].endswith("4 problems"), proc.stderr


def test_startup_errors_are_one_clear_line(tmp_path):
    proc = _run("--dashboard", "nope")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--dashboard 'nope' is not in <built-in demo>" in proc.stderr
    missing = _run("--config", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert "missing.yaml" in missing.stderr


def _screenshot(tmp_path: Path, after: str) -> QImage:
    out = tmp_path / f"wall-{after}.png"
    proc = _run("screenshot", "--size", "1600x900", "--after", after, "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return QImage(str(out))


def test_screenshot_writes_a_png_of_the_live_wall(tmp_path):
    image = _screenshot(tmp_path, "4")
    assert (image.width(), image.height()) == (1600, 900)
    # big numbers and gauge arcs in severity colours, chart lines in series colours
    assert screenshot_problems(rgb_array(image), load_theme("dark")) == []


def test_a_screenshot_of_a_loading_wall_fails_that_check(tmp_path):
    """Negative control: taken before the first poll answers, every panel is LOADING."""
    problems = screenshot_problems(rgb_array(_screenshot(tmp_path, "0")), load_theme("dark"))
    assert len(problems) == 2, problems


def test_snapshot_prints_the_documented_json(tmp_path):
    proc = _run("snapshot", "--after", "4", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    state = json.loads(proc.stdout)
    assert set(state) >= {"schema", "app_version", "generated_at", "config", "title", "sources", "dashboards", "incidents"}
    sources = {s["id"]: s for s in state["sources"]}
    assert set(sources) == {"demo", "host"}
    assert sources["demo"]["state"] == "OK" and sources["demo"]["badge"] == "DEMO"
    for source in sources.values():
        assert set(source) >= {"kind", "state", "health", "last_success_at", "age_s", "latency_ms", "last_error", "degraded"}
    panels = {p["id"]: p for p in state["dashboards"][0]["panels"]}
    assert len(panels) == 13
    for panel in panels.values():
        assert set(panel) >= {"id", "title", "kind", "state", "message", "age_s", "series", "thresholds_crossed"}
        assert panel["state"] in ("OK", "NO DATA"), panel
    error_rate = panels["error_rate"]
    assert isinstance(error_rate["series"][0]["last_value"], float)
    assert {s["name"] for s in panels["latency"]["series"]} == {"P50", "P95", "P99"}
    assert state["incidents"], "the demo has standing incidents"
    for incident in state["incidents"]:
        assert incident["severity"] in ("critical", "high", "warning", "info", "unknown")
        assert incident["priority"].startswith("P")
        assert isinstance(incident["acknowledged"], bool)
