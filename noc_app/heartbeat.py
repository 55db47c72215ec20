"""The heartbeat a wall pushes to the monitoring it shows (`heartbeat:`), as requests and one sender (no Qt).

    sender = HeartbeatSender(config.heartbeat)     # one HTTP client per target peer
    sender.push(now)                               # blocking: called off the GUI thread only

Pushgateway: PUT /metrics/job/<job>/instance/<instance>[/<label>/<value>...] with one gauge,
    noc_app_wall_heartbeat_timestamp_seconds <now>
  so a rule like `time() - noc_app_wall_heartbeat_timestamp_seconds > 60` notices a frozen wall.
Alertmanager: POST /api/v2/alerts with one alert (alertname NocAppWallHeartbeat, job, instance)
  whose endsAt is HEARTBEAT_ENDS_INTERVALS intervals ahead, refreshed every interval: while the
  wall lives it fires (like Prometheus' Watchdog); a frozen wall's alert resolves by itself, which a
  dead man's switch receiver turns into a page.

When to push is decided elsewhere (noc_app.heartbeat_timer: a GUI-thread timer), so a wall whose
GUI thread hangs stops pushing even though this code and its worker still could.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from noc_app.config.schema import HeartbeatConfig, SourceConfig
from noc_app.redaction import redact
from noc_app.sources.base import SourceError
from noc_app.sources.http import SourceClient, make_client, max_bytes_of, request_bytes
from noc_app.sources.silences import am_request

log = logging.getLogger(__name__)

METRIC = "noc_app_wall_heartbeat_timestamp_seconds"
HEARTBEAT_ENDS_INTERVALS = 3  # an alert outlives two missed pushes, not three
MAX_ANSWER_BYTES = 64 * 1024


def instance_of(config: HeartbeatConfig, hostname: Callable[[], str] = socket.gethostname) -> str:
    return config.instance or hostname() or "noc-app"


def _path_segment(name: str, value: str) -> str:
    """One grouping-key pair; values with a '/' (or empty) use the Pushgateway's base64 form."""
    if value and "/" not in value:
        return f"{name}/{quote(value, safe='')}"
    encoded = base64.urlsafe_b64encode(value.encode()).decode("ascii") or "="
    return f"{name}@base64/{encoded}"


def pushgateway_path(config: HeartbeatConfig, instance: str) -> str:
    """/metrics/job/<job>/instance/<instance>/<label>/<value>..., labels in name order."""
    pairs = [("job", config.job), ("instance", instance), *sorted(config.labels.items())]
    return "/metrics/" + "/".join(_path_segment(name, value) for name, value in pairs)


def pushgateway_body(now: float) -> bytes:
    """The text exposition of the one gauge (its labels are the grouping key in the path)."""
    return (f"# HELP {METRIC} When the wall's GUI thread last ran (Unix time).\n"
            f"# TYPE {METRIC} gauge\n{METRIC} {now:.3f}\n").encode()


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def alertmanager_alert(config: HeartbeatConfig, instance: str, now: float) -> dict[str, Any]:
    """The always-firing alert: starts now, ends HEARTBEAT_ENDS_INTERVALS intervals ahead."""
    labels = {**config.labels, "alertname": config.alertname, "job": config.job, "instance": instance,
              "severity": "none"}
    return {
        "labels": labels,
        "annotations": {"summary": f"noc-app wall {instance} is alive (GUI thread responsive)"},
        "startsAt": _iso(now),
        "endsAt": _iso(now + HEARTBEAT_ENDS_INTERVALS * config.interval_s),
    }


def _peers(target: SourceConfig) -> tuple[str, ...]:
    urls = [u.strip().rstrip("/") for u in (target.url, *target.urls) if u and u.strip()]
    return tuple(dict.fromkeys(urls))


class HeartbeatSender:
    """Pushes one heartbeat per call; failures are logged when they start and when they stop."""

    def __init__(self, config: HeartbeatConfig, *, hostname: Callable[[], str] = socket.gethostname,
                 client_factory: Callable[[SourceConfig, str], SourceClient] | None = None) -> None:
        self.config = config
        self.instance = instance_of(config, hostname)
        self._factory = client_factory or (lambda cfg, peer: make_client(cfg, base_url=peer))
        self._peers = _peers(config.target)
        self._clients: dict[str, SourceClient] = {}  # made on first use, in the worker (secrets resolve there)
        self._max_bytes = min(MAX_ANSWER_BYTES, max_bytes_of(config.target))
        self.failing = False
        self.pushes = 0  # successful pushes (tests, diagnostics)

    def push(self, now: float) -> bool:
        """Send one heartbeat (blocking); True when a peer took it. Never raises for a backend problem."""
        errors: list[str] = []
        for peer in self._peers:
            try:
                client = self._clients.get(peer) or self._clients.setdefault(peer, self._factory(self.config.target,
                                                                                                  peer))
                self._send(client, now)
            except SourceError as exc:
                errors.append(f"{peer}: {exc}")
                continue
            self._ok(peer)
            return True
        self._failed("; ".join(errors) or "no url")
        return False

    def _send(self, client: SourceClient, now: float) -> None:
        if self.config.kind == "pushgateway":
            request_bytes(client, "PUT", pushgateway_path(self.config, self.instance), max_bytes=self._max_bytes,
                          content=pushgateway_body(now), headers={"Content-Type": "text/plain; version=0.0.4"})
        else:
            am_request(client, "POST", "api/v2/alerts", max_bytes=self._max_bytes,
                       json=[alertmanager_alert(self.config, self.instance, now)])

    def _ok(self, peer: str) -> None:
        self.pushes += 1
        if self.failing:
            log.warning("heartbeat to %s (%s) works again", self.config.kind, peer)
        self.failing = False

    def _failed(self, why: str) -> None:
        if not self.failing:
            log.warning("heartbeat to %s failed: %s", self.config.kind, redact(why))
        self.failing = True

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
