"""The real stack the MTTD scenario measures against: sample service -> Prometheus -> Alertmanager.

Each server runs on a free loopback port in its own temp directory and process group,
dies with the benchmark child (the alertmanager_backend launcher), and is stopped by
its pid.  Prometheus scrapes every second and evaluates one rule file: the spec's
HighErrorRate with its ratio corrected to `sum / sum` (the spec's divides series by
series, so any single 5xx series reads 100 % and fires) and a 10 s rate window.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from noc_app.bench.alertmanager_backend import _LAUNCHER, ALERTMANAGER_BINARY, RealAlertmanager

PROMETHEUS_BINARY = "/usr/bin/prometheus"
LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 30.0
RULE_FOR_S = 5.0
ERROR_RATIO_EXPR = 'sum(rate(http_requests_total{status=~"5.."}[10s])) / sum(rate(http_requests_total[10s]))'
RULES = f"""groups:
- name: mttd
  rules:
  - alert: HighErrorRate
    # The spec's rule divides per series (any 5xx series over itself reads 100 %): corrected to sum / sum.
    expr: {ERROR_RATIO_EXPR} > 0.05
    for: {RULE_FOR_S:g}s
    labels:
      severity: critical
      service: ecommerce-api
    annotations:
      summary: High error rate detected
"""


def sample_service_script() -> Path:
    """packaging/demo-stack/sample_service.py of the checkout this package runs from."""
    import noc_app

    return Path(noc_app.__file__).resolve().parents[1] / "packaging" / "demo-stack" / "sample_service.py"


def stack_missing() -> str | None:
    """Why the real stack cannot run here (None: it can)."""
    for binary, package in ((PROMETHEUS_BINARY, "prometheus"), (ALERTMANAGER_BINARY, "prometheus-alertmanager")):
        if not os.access(binary, os.X_OK):
            return f"{binary} not found: install the Debian package {package!r}"
    if not sample_service_script().is_file():
        return f"{sample_service_script()} not found: run from a checkout of the repository"
    try:
        import prometheus_client  # noqa: F401  (the sample service needs it)
    except ImportError:
        return "the sample service needs the Python package prometheus_client"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """One process on a loopback port, ready once `ready_path` answers 200."""

    def __init__(self, name: str, argv: list[str], port: int, workdir: str, ready_path: str) -> None:
        self.name, self.url = name, f"http://{LOOPBACK}:{port}"
        self._log = os.path.join(workdir, f"{name}.log")
        with open(self._log, "wb") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *argv], cwd=workdir,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            self._wait_ready(ready_path)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with status {self._proc.returncode}: {self._tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(self.url + path).status_code == 200:
                        return
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {START_TIMEOUT_S:.0f}s: {self._tail()}")

    def _tail(self) -> str:
        try:
            with open(self._log, "rb") as f:
                return f.read()[-1500:].decode(errors="replace")
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, signal.SIGTERM)
                self._proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(timeout=10)


@dataclass(kw_only=True, slots=True)
class Stack:
    service: LocalServer
    prometheus: LocalServer
    alertmanager: RealAlertmanager
    workdir: str

    def set_error_ratio(self, ratio: float) -> float:
        """Ask the sample service for this share of 5xx; returns the time the change took effect."""
        httpx.post(f"{self.service.url}/control", params={"error_ratio": f"{ratio:g}"}, timeout=5.0).raise_for_status()
        return time.time()

    def stop(self) -> None:
        for server in (self.prometheus, self.service):
            server.stop()
        self.alertmanager.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_stack() -> Stack:
    """Sample service (error ratio 0), Alertmanager, then Prometheus scraping the service every second."""
    workdir = tempfile.mkdtemp(prefix="noc-bench-mttd-")
    started: list[LocalServer] = []
    alertmanager: RealAlertmanager | None = None
    try:
        port = _free_port()
        service = LocalServer("sample_service", [sys.executable, str(sample_service_script()), "--port", str(port),
                                                 "--error-ratio", "0", "--rate", "50", "--seed", "7"],
                              port, workdir, "/healthz")
        started.append(service)
        alertmanager = RealAlertmanager()
        rules = os.path.join(workdir, "rules.yml")
        with open(rules, "w") as f:
            f.write(RULES)
        prom_port = _free_port()
        am_target = alertmanager.url.removeprefix("http://")
        config = os.path.join(workdir, "prometheus.yml")
        with open(config, "w") as f:
            f.write(
                "global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\n"
                f"rule_files: [{rules}]\n"
                f"alerting: {{alertmanagers: [{{static_configs: [{{targets: ['{am_target}']}}]}}]}}\n"
                f"scrape_configs: [{{job_name: ecommerce-api, static_configs: [{{targets: ['{LOOPBACK}:{port}']}}]}}]\n"
            )
        prometheus = LocalServer("prometheus", [
            PROMETHEUS_BINARY, f"--config.file={config}", f"--storage.tsdb.path={os.path.join(workdir, 'data')}",
            f"--web.listen-address={LOOPBACK}:{prom_port}", "--storage.tsdb.retention.time=1d",
            "--rules.alert.resend-delay=1s",
        ], prom_port, workdir, "/-/ready")
        return Stack(service=service, prometheus=prometheus, alertmanager=alertmanager, workdir=workdir)
    except BaseException:
        for server in started:
            server.stop()
        if alertmanager is not None:
            alertmanager.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
