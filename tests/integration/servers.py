"""Real backend servers for the integration tests: start on free loopback ports, wait, stop.

Every server runs from its Debian package binary in its own temp directory,
bound to 127.0.0.1 only, in its own process group (so stopping it stops
everything it spawned), and dies with the test process even when pytest is
killed (PR_SET_PDEATHSIG, set by a tiny exec launcher).  Ports are picked by
binding port 0; when another process wins the race for a port, the server is
started again on a fresh one.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import yaml

REQUIRE_ENV = "NOC_REQUIRE_BACKENDS"
HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
SAMPLE_SERVICE = REPO_ROOT / "packaging" / "demo-stack" / "sample_service.py"
FAST_RULES = HERE / "alerts_fast.yml"
WATCHDOG_RULES = REPO_ROOT / "packaging" / "demo-stack" / "watchdog.yml"
LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
PORT_ATTEMPTS = 4


@dataclass(frozen=True, kw_only=True, slots=True)
class Binary:
    """A backend executable and the Debian package that ships it."""

    path: str
    package: str
    alternatives: tuple[str, ...] = ()  # other places the package may put it


PROMETHEUS = Binary(path="/usr/bin/prometheus", package="prometheus")
ALERTMANAGER = Binary(path="/usr/bin/prometheus-alertmanager", package="prometheus-alertmanager")
NODE_EXPORTER = Binary(path="/usr/bin/prometheus-node-exporter", package="prometheus-node-exporter")
VICTORIA_METRICS = Binary(path="/usr/bin/victoria-metrics", package="victoria-metrics")
PUSHGATEWAY = Binary(path="/usr/bin/prometheus-pushgateway", package="prometheus-pushgateway")
# Debian ships these in /lib/systemd; merged-/usr systems see them in /usr/lib/systemd too.
JOURNAL_GATEWAYD = Binary(path="/usr/lib/systemd/systemd-journal-gatewayd", package="systemd-journal-remote",
                          alternatives=("/lib/systemd/systemd-journal-gatewayd",))
JOURNAL_REMOTE = Binary(path="/usr/lib/systemd/systemd-journal-remote", package="systemd-journal-remote",
                        alternatives=("/lib/systemd/systemd-journal-remote",))


def backends_required() -> bool:
    return os.environ.get(REQUIRE_ENV) == "1"


def missing(reason: str) -> None:
    """Skip the test, or fail it when CI demands real backends."""
    if backends_required():
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def require(binary: Binary) -> str:
    """The binary's path, or skip/fail naming the Debian package to install."""
    for path in (binary.path, *binary.alternatives):
        if os.access(path, os.X_OK):
            return path
    missing(f"{binary.path} not found: install the Debian package {binary.package!r}")
    raise AssertionError("unreachable")  # missing() always raises


def require_prometheus_client() -> None:
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        missing("prometheus_client is not installed (the project's `test` extra) - the sample service needs it")


def free_port() -> int:
    """A TCP port on loopback that was free a moment ago (callers retry on collision)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    return free_port()


# Runs in the child before it execs the real binary: die with the parent (even on
# SIGKILL), optionally hand a pre-bound listening socket over as fd 3 with
# systemd's LISTEN_FDS protocol, then exec the real binary under the same pid.
_LAUNCHER = r"""
import ctypes, os, sys
parent, listen_fd = int(sys.argv[1]), int(sys.argv[2])
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
except Exception:
    pass
if os.getppid() != parent:
    sys.exit(70)
if listen_fd >= 0:
    if listen_fd != 3:
        os.dup2(listen_fd, 3)
        os.close(listen_fd)
    os.environ["LISTEN_PID"] = str(os.getpid())
    os.environ["LISTEN_FDS"] = "1"
os.execv(sys.argv[3], sys.argv[3:])
"""


class ServerFailed(RuntimeError):
    """A server did not become ready; the message carries the tail of its log."""

    def __init__(self, message: str, *, port_in_use: bool = False) -> None:
        super().__init__(message)
        self.port_in_use = port_in_use


_running: set[Server] = set()
_running_lock = threading.Lock()


@dataclass(eq=False, kw_only=True)
class Server:
    """One backend process on one loopback port."""

    name: str
    argv: list[str]
    port: int
    workdir: Path
    ready_path: str = "/"
    ready_check: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200
    listen_socket: socket.socket | None = None  # handed over as fd 3 (socket activation)
    env: Mapping[str, str] | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def start(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Spawn the process and wait (bounded) until it answers ready_path."""
        if self.alive:
            raise RuntimeError(f"{self.name} already running")
        self.workdir.mkdir(parents=True, exist_ok=True)
        listen_fd = self.listen_socket.fileno() if self.listen_socket is not None else -1
        launcher = [sys.executable, "-c", _LAUNCHER, str(os.getpid()), str(listen_fd)]
        with open(self.log_path, "ab") as log:
            log.write(f"--- start {time.strftime('%H:%M:%S')}: {' '.join(self.argv)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [*launcher, *self.argv],
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(self.env) if self.env is not None else None,
                pass_fds=(listen_fd,) if listen_fd >= 0 else (),
                start_new_session=True,  # own process group: stop() kills the whole tree
            )
        with _running_lock:
            _running.add(self)
        try:
            self._wait_ready(timeout_s)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        last = "no answer yet"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.alive:
                    assert self.proc is not None
                    tail = self.log_tail()
                    raise ServerFailed(
                        f"{self.name} exited with status {self.proc.returncode} before it was ready:\n{tail}",
                        port_in_use="address already in use" in tail.lower(),
                    )
                try:
                    response = client.get(self.base_url + self.ready_path)
                    if self.ready_check(response):
                        return
                    last = f"HTTP {response.status_code}: {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last = f"{type(exc).__name__}: {exc}"
                time.sleep(0.1)
        raise ServerFailed(
            f"{self.name} not ready at {self.base_url}{self.ready_path} after {timeout_s:.0f}s "
            f"(last: {last}):\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """Terminate the process group, wait (bounded), then kill; idempotent."""
        self._signal_group(signal.SIGTERM)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        self._reap_group()
        with _running_lock:
            _running.discard(self)

    def kill(self) -> None:
        """SIGKILL the process group, like a crash; start() brings it back on the same port."""
        self._signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        with _running_lock:
            _running.discard(self)

    def close(self) -> None:
        """Stop and release the pre-bound socket, if any."""
        self.stop()
        if self.listen_socket is not None:
            self.listen_socket.close()

    def _signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _reap_group(self) -> None:
        # Children the server spawned may outlive the leader; take them down too.
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def stop_all() -> None:
    """Stop every server still running (end of session, interrupted runs)."""
    with _running_lock:
        servers = list(_running)
    for server in servers:
        server.stop()


atexit.register(stop_all)

ServerT = TypeVar("ServerT")


def start_on_free_ports(build: Callable[[], ServerT], start: Callable[[ServerT], None]) -> ServerT:
    """Build with fresh ports and start; retry when another process took a port first."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        server = build()
        try:
            start(server)
            return server
        except ServerFailed as exc:
            if not exc.port_in_use or attempt == PORT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def wait_for(
    probe: Callable[[], Any],
    *,
    timeout_s: float,
    what: str,
    interval_s: float = 0.25,
) -> Any:
    """Poll probe() until it returns something truthy; fail (bounded) saying what never happened."""
    deadline = time.monotonic() + timeout_s
    last_error = ""
    while True:
        try:
            value = probe()
            if value:
                return value
        except (httpx.HTTPError, KeyError, ValueError, IndexError) as exc:
            last_error = f" (last error: {type(exc).__name__}: {exc})"
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}{last_error}")
        time.sleep(interval_s)


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# ---------------------------------------------------------------- builders


def sample_service(workdir: Path, *, error_ratio: float = 0.0, rate: float = 50.0) -> Server:
    """The instrumented sample service (packaging/demo-stack/sample_service.py)."""
    port = free_port()
    return Server(
        name="sample_service",
        argv=[sys.executable, str(SAMPLE_SERVICE), "--port", str(port),
              "--error-ratio", str(error_ratio), "--rate", str(rate), "--seed", "7"],
        port=port,
        workdir=workdir,
        ready_path="/healthz",
    )


def node_exporter(workdir: Path) -> Server:
    """node_exporter with only the collectors the seed's infra rules and panels use."""
    port = free_port()
    collectors = ("cpu", "meminfo", "filesystem", "loadavg", "netdev")
    return Server(
        name="node_exporter",
        argv=[require(NODE_EXPORTER), f"--web.listen-address={LOOPBACK}:{port}",
              "--collector.disable-defaults", *(f"--collector.{c}" for c in collectors)],
        port=port,
        workdir=workdir,
        ready_path="/metrics",
    )


def scrape_config(job: str, targets: Iterable[str], interval: str = "1s") -> dict[str, Any]:
    return {
        "job_name": job,
        "scrape_interval": interval,
        "scrape_timeout": interval,
        "static_configs": [{"targets": list(targets)}],
    }


def prometheus(
    workdir: Path,
    *,
    scrape: Mapping[str, Sequence[str]],
    alertmanagers: Sequence[str] = (),
    rule_files: Sequence[Path] = (FAST_RULES, WATCHDOG_RULES),
) -> Server:
    """Prometheus scraping `scrape` (job -> host:port targets) and itself, 1 s scrape/eval."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [
            scrape_config("prometheus", [f"{LOOPBACK}:{port}"]),
            *(scrape_config(job, targets) for job, targets in scrape.items()),
        ],
    }
    if alertmanagers:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": list(alertmanagers)}]}]}
    config_path = write_yaml(workdir / "prometheus.yml", config)
    return Server(
        name="prometheus",
        argv=[require(PROMETHEUS), f"--config.file={config_path}",
              f"--storage.tsdb.path={workdir / 'data'}", f"--web.listen-address={LOOPBACK}:{port}",
              "--storage.tsdb.retention.time=1d",
              # Alerts that fire before Alertmanager discovery finishes (Watchdog, at
              # the first evaluation) are dropped and, by default, resent only after 1m.
              "--rules.alert.resend-delay=1s"],
        port=port,
        workdir=workdir,
        ready_path="/-/ready",
    )


ALERTMANAGER_CONFIG = {
    # A receiver with no integrations: notifications go nowhere, the API still
    # holds every alert and silence, which is all noc-app reads.
    "route": {"receiver": "blackhole", "group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h"},
    "receivers": [{"name": "blackhole"}],
}


def alertmanager(workdir: Path, *, name: str = "alertmanager", cluster_port: int | None = None,
                 peers: Sequence[str] = ()) -> Server:
    """Alertmanager with a null receiver; clustered when cluster_port is given."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = write_yaml(workdir / "alertmanager.yml", ALERTMANAGER_CONFIG)
    argv = [require(ALERTMANAGER), f"--config.file={config_path}", f"--storage.path={workdir / 'data'}",
            f"--web.listen-address={LOOPBACK}:{port}"]
    if cluster_port is None:
        argv.append("--cluster.listen-address=")  # empty: no gossip, a lone node
    else:
        argv += [f"--cluster.listen-address={LOOPBACK}:{cluster_port}",
                 # memberlist refuses to advertise a loopback address it guessed itself
                 f"--cluster.advertise-address={LOOPBACK}:{cluster_port}",
                 "--cluster.gossip-interval=100ms", "--cluster.pushpull-interval=1s",
                 "--cluster.reconnect-interval=1s", "--cluster.settle-timeout=2s",
                 *(f"--cluster.peer={peer}" for peer in peers)]
    return Server(name=name, argv=argv, port=port, workdir=workdir, ready_path="/-/ready")


def pushgateway(workdir: Path) -> Server:
    """A Prometheus Pushgateway keeping its metrics in memory only (no persistence file)."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    return Server(name="pushgateway", argv=[require(PUSHGATEWAY), f"--web.listen-address={LOOPBACK}:{port}",
                                            "--persistence.file="],
                  port=port, workdir=workdir, ready_path="/-/ready")


def alertmanager_pair(workdir: Path) -> tuple[Server, Server]:
    """Two Alertmanagers gossiping on loopback, each naming the other as peer."""
    cluster_a, cluster_b = free_port(), free_port()
    while cluster_b == cluster_a:
        cluster_b = free_port()
    a = alertmanager(workdir / "am-a", name="alertmanager_a", cluster_port=cluster_a,
                     peers=[f"{LOOPBACK}:{cluster_b}"])
    b = alertmanager(workdir / "am-b", name="alertmanager_b", cluster_port=cluster_b,
                     peers=[f"{LOOPBACK}:{cluster_a}"])
    return a, b


def victoria_metrics(workdir: Path, *, scrape: Mapping[str, Sequence[str]]) -> Server:
    """Single-node VictoriaMetrics scraping `scrape` every second (Prometheus-compatible API)."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = write_yaml(
        workdir / "scrape.yml",
        {"global": {"scrape_interval": "1s"},
         "scrape_configs": [scrape_config(job, targets) for job, targets in scrape.items()]},
    )
    return Server(
        name="victoria_metrics",
        argv=[require(VICTORIA_METRICS), f"-httpListenAddr={LOOPBACK}:{port}",
              f"-storageDataPath={workdir / 'data'}", f"-promscrape.config={config_path}",
              "-promscrape.config.strictParse=false",
              # Default 30 s hides fresh samples; tests compare fresh answers.
              "-search.latencyOffset=1s", "-search.disableCache", "-retentionPeriod=1d"],
        port=port,
        workdir=workdir,
        ready_path="/health",
    )
