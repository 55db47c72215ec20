"""The heartbeat: its config and errors, its requests, and pushes that stop while the GUI thread is blocked."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import httpx
import pytest
from PySide6.QtWidgets import QApplication

from noc_app.config.errors import ConfigError
from noc_app.config.loader import load_config_text
from noc_app.heartbeat import (
    METRIC,
    HeartbeatSender,
    alertmanager_alert,
    pushgateway_body,
    pushgateway_path,
)
from noc_app.heartbeat_timer import HeartbeatTimer
from noc_app.sources.http import make_client

BASE = """
version: 1
sources:
  - {id: am, kind: alertmanager, url: "http://am.test:9093"}
  - {id: prom, kind: prometheus, url: "http://prom.test:9090"}
dashboards:
  - id: d
    title: D
    panels:
      - {id: b, kind: incidents, title: B, source: am, grid: {x: 0, y: 0, w: 24, h: 12}}
"""
NOW = 1_800_000_000.0


def _load(section: str):
    return load_config_text(BASE + section, filename="wall.yaml")


def _errors(section: str) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(section)
    return str(caught.value)


# -- config ------------------------------------------------------------------------------------


def test_pushgateway_config_with_defaults_and_auth_from_the_environment():
    beat = _load("heartbeat:\n  pushgateway: https://pushgw.test:9091/\n"
                 "  auth: {bearer_token_env: NOC_PUSHGW_TOKEN}\n  labels: {room: noc-1}\n").heartbeat
    assert beat.kind == "pushgateway" and beat.target.url == "https://pushgw.test:9091"
    assert beat.interval_s == 15.0 and beat.job == "noc-app" and beat.instance == ""
    assert beat.target.auth.bearer.env == "NOC_PUSHGW_TOKEN" and dict(beat.labels) == {"room": "noc-1"}
    assert _load("").heartbeat is None


def test_alertmanager_config_uses_the_source():
    beat = _load("heartbeat: {alertmanager: am, interval: 30s, instance: wall-1}\n").heartbeat
    assert beat.kind == "alertmanager" and beat.target.id == "am" and beat.target.url == "http://am.test:9093"
    assert beat.interval_s == 30.0 and beat.instance == "wall-1" and beat.alertname == "NocAppWallHeartbeat"


@pytest.mark.parametrize(("section", "expected"), [
    ("heartbeat: {interval: 15s}\n", "heartbeat: missing 'pushgateway: URL' or 'alertmanager: SOURCE_ID'"),
    ("heartbeat: {pushgateway: 'http://p:9091', alertmanager: am}\n",
     "heartbeat.alertmanager: give either 'pushgateway' or 'alertmanager', not both"),
    ("heartbeat: {alertmanager: prom}\n", ("heartbeat.alertmanager: 'prom' is a prometheus source; expected the id "
                                           "of an alertmanager source (am)")),
    ("heartbeat: {alertmanager: nope}\n", "'nope' is not a source"),
    ("heartbeat: {pushgateway: 'ftp://p'}\n", "heartbeat.pushgateway: expected an http(s) URL"),
    ("heartbeat: {pushgateway: 'http://u:secret@p:9091'}\n", "a secret must not be written in the config file"),
    ("heartbeat: {pushgateway: 'http://p:9091', interval: 100ms}\n", "heartbeat.interval: must be at least 1s"),
    ("heartbeat: {pushgateway: 'http://p:9091', labels: {job: x}}\n", "'job' has a key of its own"),
    ("heartbeat: {alertmanager: am, tls: {verify: false}}\n", "key 'tls' only applies to a pushgateway heartbeat"),
    ("heartbeat: {pushgateway: 'http://p:9091', alertname: X}\n", "key 'alertname' only applies to an alertmanager"),
    ("heartbeat: {pushgateway: 'http://p:9091', intervall: 5s}\n", "did you mean 'interval'?"),
])
def test_bad_heartbeat_configs_say_where_and_what(section, expected):
    text = _errors(section)
    assert "wall.yaml:" in text and expected in text
    assert "secret" not in text.replace("a secret must not", "")  # the password is never echoed


def test_check_config_exits_2_on_a_bad_heartbeat_and_0_on_a_good_one(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(BASE + "heartbeat: {alertmanager: am}\n")
    bad.write_text(BASE + "heartbeat: {alertmanager: am, interval: 2h}\n")
    run = [sys.executable, "-m", "noc_app", "check-config"]
    assert subprocess.run([*run, str(good)], capture_output=True, timeout=120).returncode == 0
    failed = subprocess.run([*run, str(bad)], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 2 and "heartbeat.interval: must be at most 1h" in failed.stdout + failed.stderr


# -- the requests --------------------------------------------------------------------------------


def test_pushgateway_request_names_the_grouping_key_and_escapes_values():
    beat = _load("heartbeat: {pushgateway: 'http://p:9091', job: noc wall, labels: {room: a/b, floor: '3'}}\n"
                 ).heartbeat
    assert pushgateway_path(beat, "wall-1") == ("/metrics/job/noc%20wall/instance/wall-1/floor/3/"
                                                "room@base64/YS9i")
    assert pushgateway_body(NOW).decode().splitlines()[-1] == f"{METRIC} 1800000000.000"


def test_alertmanager_alert_ends_three_intervals_ahead():
    beat = _load("heartbeat: {alertmanager: am, interval: 20s}\n").heartbeat
    alert = alertmanager_alert(beat, "wall-1", NOW)
    assert alert["labels"] == {"alertname": "NocAppWallHeartbeat", "job": "noc-app", "instance": "wall-1",
                               "severity": "none"}
    assert alert["startsAt"] == "2027-01-15T08:00:00.000Z" and alert["endsAt"] == "2027-01-15T08:01:00.000Z"


def test_sender_posts_through_the_source_client_and_logs_a_failure_once(caplog):
    seen: list[httpx.Request] = []
    broken = {"on": False}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503 if broken["on"] else 200, text="down" if broken["on"] else "")

    beat = _load("heartbeat: {alertmanager: am, instance: wall-1}\n").heartbeat
    sender = HeartbeatSender(beat, client_factory=lambda cfg, peer: make_client(
        cfg, base_url=peer, transport=httpx.MockTransport(handler)))
    assert sender.push(NOW)
    assert seen[0].method == "POST" and seen[0].url.path == "/api/v2/alerts"
    assert json.loads(seen[0].content)[0]["labels"]["instance"] == "wall-1"
    broken["on"] = True
    assert not sender.push(NOW + 15) and not sender.push(NOW + 30)
    assert sender.failing and sum("heartbeat to alertmanager failed" in r.message for r in caplog.records) == 1


# -- only while the GUI thread runs --------------------------------------------------------------


class RecordingSender:
    """Stands in for HeartbeatSender: records the GUI-thread timestamps handed to the worker."""

    def __init__(self) -> None:
        self.stamps: list[float] = []
        self.lock = threading.Lock()

    def push(self, now: float) -> bool:
        with self.lock:
            self.stamps.append(now)
        return True

    def count(self) -> int:
        with self.lock:
            return len(self.stamps)

    def close(self) -> None:
        pass


def test_pushes_stop_while_the_gui_thread_is_blocked_and_resume_after(qtbot):
    sender = RecordingSender()
    timer = HeartbeatTimer(sender, 0.02)  # type: ignore[arg-type]  # a recording stand-in
    timer.start()
    try:
        qtbot.waitUntil(lambda: sender.count() >= 3)
        qtbot.waitUntil(lambda: timer._in_flight is not None and timer._in_flight.done())
        before = sender.count()
        worker_ran = threading.Event()
        timer._pool.submit(worker_ran.set)  # the worker itself stays free while the GUI thread is blocked
        blocked_until = time.monotonic() + 0.5  # 25 intervals: the GUI thread is hung (deliberately, no events)
        while time.monotonic() < blocked_until:
            pass
        assert worker_ran.is_set()
        assert sender.count() == before  # no tick ran, so nothing was pushed although the worker was free
        QApplication.processEvents()
        qtbot.waitUntil(lambda: sender.count() > before)  # responsive again: pushes resume
    finally:
        timer.stop()


def test_a_slow_push_is_not_queued_behind(qtbot):
    release = threading.Event()

    class Slow(RecordingSender):
        def push(self, now: float) -> bool:
            super().push(now)
            release.wait(10)
            return True

    sender = Slow()
    timer = HeartbeatTimer(sender, 0.01)  # type: ignore[arg-type]
    timer.start()
    try:
        qtbot.waitUntil(lambda: timer.skipped >= 5)
        assert sender.count() == 1 and timer.armed == 1
    finally:
        release.set()
        timer.stop()
