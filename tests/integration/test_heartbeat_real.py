"""The wall's heartbeat against a real Pushgateway and a real Alertmanager (Debian packages)."""

from __future__ import annotations

import re

import httpx
import pytest

from noc_app.config.loader import load_config_text
from noc_app.heartbeat import METRIC, HeartbeatSender

pytestmark = pytest.mark.integration


def _heartbeat(section: str, am_url: str = "http://127.0.0.1:9"):
    text = f"""
version: 1
sources:
  - {{id: am, kind: alertmanager, url: "{am_url}"}}
dashboards:
  - id: d
    title: D
    panels:
      - {{id: b, kind: incidents, title: B, source: am, grid: {{x: 0, y: 0, w: 24, h: 12}}}}
{section}"""
    return load_config_text(text, filename="wall.yaml").heartbeat


def test_pushgateway_holds_the_heartbeat_with_job_and_instance(pushgateway):
    beat = _heartbeat(f"heartbeat: {{pushgateway: '{pushgateway.base_url}', instance: wall-7, "
                      f"labels: {{room: noc-1}}}}\n")
    sender = HeartbeatSender(beat)
    try:
        assert sender.push(1_800_000_000.0) and sender.push(1_800_000_015.0)  # PUT replaces the group
    finally:
        sender.close()
    text = httpx.get(f"{pushgateway.base_url}/metrics", timeout=5).text
    (line,) = [ln for ln in text.splitlines() if ln.startswith(METRIC + "{")]
    labels = dict(re.findall(r'(\w+)="([^"]*)"', line))
    assert labels == {"instance": "wall-7", "job": "noc-app", "room": "noc-1"}
    assert float(line.rsplit(" ", 1)[1]) == 1_800_000_015.0


def test_a_dead_pushgateway_is_a_failed_push_not_a_crash():
    beat = _heartbeat("heartbeat: {pushgateway: 'http://127.0.0.1:9', timeout: 1s}\n")
    sender = HeartbeatSender(beat)
    try:
        assert not sender.push(1_800_000_000.0) and sender.failing
    finally:
        sender.close()


def test_alertmanager_shows_the_always_firing_heartbeat_with_a_short_end(alertmanager):
    import time

    beat = _heartbeat("heartbeat: {alertmanager: am, interval: 20s, instance: wall-9}\n", alertmanager.base_url)
    sender = HeartbeatSender(beat)
    now = time.time()
    try:
        assert sender.push(now)
    finally:
        sender.close()
    alerts = httpx.get(f"{alertmanager.base_url}/api/v2/alerts", params={"filter": 'instance="wall-9"'},
                       timeout=5).json()
    (alert,) = alerts
    assert alert["labels"]["alertname"] == "NocAppWallHeartbeat" and alert["status"]["state"] == "active"
    from datetime import datetime

    ends = datetime.fromisoformat(alert["endsAt"].replace("Z", "+00:00")).timestamp()
    assert ends == pytest.approx(now + 60, abs=1)  # three intervals: a frozen wall's alert resolves by itself


def test_the_running_wall_pushes_its_heartbeat(pushgateway, tmp_path):
    """`noc-app` itself (offscreen, the demo's sources) arms the heartbeat once it painted."""
    import os
    import subprocess
    import sys

    config = tmp_path / "wall.yaml"
    config.write_text(
        "version: 1\nsources:\n  - {id: demo, kind: demo}\ndashboards:\n  - id: d\n    title: D\n    panels:\n"
        "      - {id: b, kind: incidents, title: B, source: demo, grid: {x: 0, y: 0, w: 24, h: 12}}\n"
        f"heartbeat: {{pushgateway: '{pushgateway.base_url}', instance: running-wall, interval: 1s}}\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "noc_app", "--config", str(config), "--exit-after", "4"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = httpx.get(f"{pushgateway.base_url}/metrics", timeout=5).text
    assert re.search(rf'^{METRIC}\{{[^}}]*instance="running-wall"[^}}]*\}} \S+$', text, re.MULTILINE), text[-2000:]
