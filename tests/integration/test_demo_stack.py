"""packaging/demo-stack/run-demo-stack.sh: starts the stack, flips errors, and stops everything it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import servers

pytestmark = pytest.mark.integration

SCRIPT = servers.REPO_ROOT / "packaging" / "demo-stack" / "run-demo-stack.sh"


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_demo_stack_runs_flips_errors_and_cleans_up(tmp_path):
    for binary in (servers.PROMETHEUS, servers.ALERTMANAGER, servers.NODE_EXPORTER):
        servers.require(binary)
    servers.require_prometheus_client()
    ports = {name: servers.free_port() for name in ("PROMETHEUS", "ALERTMANAGER", "NODE_EXPORTER", "SAMPLE")}
    env = {**os.environ, "PYTHON": sys.executable, "TMPDIR": str(tmp_path),
           **{f"NOC_DEMO_{name}_PORT": str(port) for name, port in ports.items()}}
    log = (tmp_path / "stack.log").open("wb")
    started: set[int] = set()
    stack = subprocess.Popen(["bash", str(SCRIPT), "--shorten"], env=env, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
    try:
        servers.wait_for(
            lambda: b"Ctrl-C stops everything" in (tmp_path / "stack.log").read_bytes() or stack.poll() is not None,
            timeout_s=60, what="the demo stack to report it is running",
        )
        assert stack.poll() is None, (tmp_path / "stack.log").read_text()
        started = _children(stack.pid)
        assert len(started) == 4
        prometheus = f"http://127.0.0.1:{ports['PROMETHEUS']}"
        rules = httpx.get(f"{prometheus}/api/v1/rules", timeout=5).json()["data"]["groups"]
        assert {r["name"] for g in rules for r in g["rules"]} >= {"HighErrorRate", "Watchdog"}
        assert any("[30s]" in r["query"] for g in rules for r in g["rules"])  # --shorten

        flip = subprocess.run(["bash", str(SCRIPT), "errors", "0.3"], env=env, capture_output=True, text=True,
                              timeout=30, check=False)
        assert flip.returncode == 0, flip.stderr
        assert '"error_ratio": 0.3' in flip.stdout
        refused = subprocess.run(["bash", str(SCRIPT), "errors", "3"], env=env, capture_output=True, text=True,
                                 timeout=30, check=False)
        assert refused.returncode == 1 and "error_ratio must be between 0 and 1" in refused.stderr

        stack.send_signal(signal.SIGTERM)
        assert stack.wait(timeout=30) == 143
        servers.wait_for(lambda: not any(_running(pid) for pid in started), timeout_s=15,
                         what="every server the stack started to stop")
        assert list(tmp_path.glob("noc-demo-stack.*")) == []  # temp dir removed
    finally:
        if stack.poll() is None:  # the test failed early: let the script's own trap clean up
            stack.send_signal(signal.SIGTERM)
            try:
                stack.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(stack.pid, signal.SIGKILL)
                stack.wait(timeout=10)
        for pid in started:  # each server has its own process group (the script uses set -m)
            if _running(pid):
                os.killpg(pid, signal.SIGKILL)
        log.close()
