"""README command 1 as a new user meets it: one line when the wall is up, nothing else.

Runs the real wall (offscreen) in a subprocess with default logging and checks the
whole of stderr, so any new noise (Qt platform chatter, per-poll log lines) fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")
BANNER = "noc-app: wall open (demo config, 1 screen) — Ctrl+Alt+Q quits, F5 refreshes"
# Runs noc-app's main() in-process, then says which bench modules got imported.
PROBE = (
    "import sys\n"
    "from noc_app.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "bench = sorted(m for m in sys.modules if m == 'noc_app.bench' or m.startswith('noc_app.bench.'))\n"
    "print('bench modules:', bench)\n"
    "sys.exit(status)\n"
)


def _probe(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args], check=False, capture_output=True, text=True, env=ENV, cwd=cwd,
        timeout=timeout,
    )


def test_the_wall_prints_one_line_and_loads_no_bench_code(tmp_path):
    run = _probe("--exit-after", "10", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == [BANNER]  # the whole of stderr: nothing but the banner
    assert run.stdout.splitlines() == ["bench modules: []"]


def test_the_bench_probe_sees_bench_imports(tmp_path):
    """Negative control: the probe does notice bench modules when they are loaded."""
    run = _probe("bench", "--list", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "'noc_app.bench.cli'" in run.stdout.splitlines()[-1]


def test_info_logging_says_what_an_operator_wants(tmp_path):
    run = _probe("--exit-after", "6", "--log-level", "INFO", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert "INFO noc_app.cli: config loaded: <built-in demo> (sources: 2, dashboards: 3)" in lines
    assert BANNER in lines
    assert not [line for line in lines if "httpx" in line or "HTTP Request" in line]


def test_a_screenshot_prints_only_where_it_wrote(tmp_path):
    out = tmp_path / "w.png"
    run = subprocess.run(
        [sys.executable, "-m", "noc_app", "screenshot", "--size", "800x450", "--after", "2", "--out", str(out)],
        check=False, capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # no "does not support propagateSizeHints()" lines
    assert run.stdout.startswith(f"wrote {out} (")
