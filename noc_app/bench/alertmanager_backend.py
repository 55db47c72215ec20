"""An Alertmanager to post alerts into: the real one when installed, else a loopback fake.

The real binary (Debian's prometheus-alertmanager) runs on a free loopback port
with a null receiver, in its own temp directory and process group, and is
stopped by its pid.  The fake speaks the part of API v2 the app reads: POST and
GET /api/v2/alerts, GET /api/v2/silences and /api/v2/status.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Protocol

import httpx

from noc_app.bench import payloads
from noc_app.bench.loopback import LOOPBACK, LoopbackServer, Request, fixed

ALERTMANAGER_BINARY = "/usr/bin/prometheus-alertmanager"
START_TIMEOUT_S = 30.0
# Runs between fork and exec: die with the benchmark child even when it is killed
# (PR_SET_PDEATHSIG), then exec Alertmanager under the same pid.
_LAUNCHER = r"""
import ctypes, os, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
except Exception:
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(70)
os.execv(sys.argv[2], sys.argv[2:])
"""
_CONFIG = """route:
  receiver: blackhole
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: blackhole
"""


class AlertBackend(Protocol):
    url: str
    description: str

    def stop(self) -> None: ...


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class RealAlertmanager:
    """prometheus-alertmanager on 127.0.0.1:<free port>, a lone node (no gossip)."""

    def __init__(self, binary: str = ALERTMANAGER_BINARY) -> None:
        self._dir = tempfile.mkdtemp(prefix="noc-bench-am-")
        config = os.path.join(self._dir, "alertmanager.yml")
        with open(config, "w") as f:
            f.write(_CONFIG)
        port = _free_port()
        self.url = f"http://{LOOPBACK}:{port}"
        # The child gets its own copy of the log's descriptor; ours is closed once it is started.
        with open(os.path.join(self._dir, "alertmanager.log"), "wb") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _LAUNCHER, str(os.getpid()), binary, f"--config.file={config}",
                 f"--storage.path={os.path.join(self._dir, 'data')}",
                 f"--web.listen-address={LOOPBACK}:{port}", "--cluster.listen-address="],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.description = "real Alertmanager"
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._proc.poll() is not None:
                    raise RuntimeError(f"alertmanager exited with status {self._proc.returncode}: {self._log_tail()}")
                try:
                    if client.get(self.url + "/-/ready").status_code == 200:
                        status = client.get(self.url + "/api/v2/status").json()
                        version = status.get("versionInfo", {}).get("version", "?")
                        self.description = f"real Alertmanager {version}"
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"alertmanager not ready after {START_TIMEOUT_S:.0f}s: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            with open(os.path.join(self._dir, "alertmanager.log"), "rb") as f:
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
        shutil.rmtree(self._dir, ignore_errors=True)


class FakeAlertmanager:
    """Alertmanager API v2 on loopback: alerts posted are listed until their endsAt passes."""

    def __init__(self) -> None:
        self._alerts: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = LoopbackServer(
            routes={
                ("POST", "/api/v2/alerts"): self._post,
                ("GET", "/api/v2/alerts"): self._list,
                ("GET", "/api/v2/silences"): fixed(b"[]"),
                ("GET", "/api/v2/status"): fixed(payloads.alertmanager_status()),
            }
        ).start()
        self.url = self._server.url
        self.description = "loopback fake Alertmanager"

    def _post(self, request: Request) -> tuple[int, bytes]:
        now = time.time()
        with self._lock:
            for item in json.loads(request.body):
                labels = dict(item.get("labels") or {})
                key = json.dumps(labels, sort_keys=True)
                alert = payloads.am_alert(
                    len(self._alerts), now=now, name=labels.get("alertname"), severity=labels.get("severity")
                )
                alert["labels"] = labels
                alert["fingerprint"] = f"{abs(hash(key)):016x}"[:16]
                alert["annotations"] = dict(item.get("annotations") or {})
                alert["startsAt"] = item.get("startsAt") or payloads.rfc3339(now)
                alert["endsAt"] = item.get("endsAt") or payloads.rfc3339(now + 300)
                self._alerts[key] = alert
        return 200, b""

    def _list(self, _request: Request) -> tuple[int, bytes]:
        now = payloads.rfc3339(time.time())
        with self._lock:
            live = [a for a in self._alerts.values() if a["endsAt"] > now]
        return 200, json.dumps(live).encode()

    def stop(self) -> None:
        self._server.stop()


def start_alert_backend(*, prefer_real: bool = True) -> AlertBackend:
    """The real Alertmanager when its binary is installed (and starts), else the fake."""
    if prefer_real and os.access(ALERTMANAGER_BINARY, os.X_OK):
        try:
            return RealAlertmanager()
        except (OSError, RuntimeError) as exc:
            fake = FakeAlertmanager()
            fake.description += f" (the real one did not start: {str(exc).splitlines()[0]})"
            return fake
    return FakeAlertmanager()
