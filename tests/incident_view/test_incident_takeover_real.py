"""P0 takeover against a REAL Alertmanager, through the whole app (runtime, poller, windows).

An alert posted with a unique label takes the wall over; silencing it (what an ack is on
Alertmanager) returns the screen to its playlist.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

import servers  # noqa: E402
from noc_app.app import LaunchOptions, build_windows  # noqa: E402
from noc_app.config.loader import load_config_text  # noqa: E402
from noc_app.runtime import Runtime  # noqa: E402
from noc_app.sources.silences import iso_time  # noqa: E402
from noc_app.widgets.takeover_controller import TakeoverController  # noqa: E402

pytestmark = pytest.mark.integration

CONFIG = """\
title: Takeover test
sources:
  - {{id: am, kind: alertmanager, url: "{url}", interval: 1s, timeout: 2s}}
dashboards:
  - id: board
    panels:
      - {{id: incidents, kind: incidents, title: Incidents, source: am}}
  - id: other
    panels:
      - {{id: note, kind: text, title: Note, text: hello}}
playlists:
  - {{id: rota, dashboards: [board, other], interval: 1h}}
screens:
  - {{id: wall, screen: 0, playlist: rota}}
takeover:
  priority: P0
  screen: wall
"""


@pytest.fixture
def lone_alertmanager(tmp_path: Path) -> Iterator[servers.Server]:
    server = servers.start_on_free_ports(lambda: servers.alertmanager(tmp_path / "am"), lambda s: s.start())
    try:
        yield server
    finally:
        server.stop()


def _post(url: str, labels: dict[str, str]) -> None:
    now = time.time()
    alert = {"labels": labels, "annotations": {"summary": "checkout returns 503"},
             "startsAt": iso_time(now - 30), "endsAt": iso_time(now + 600)}
    httpx.post(f"{url}/api/v2/alerts", json=[alert], timeout=5).raise_for_status()


def _silence(url: str, run: str) -> None:
    now = time.time()
    body = {"matchers": [{"name": "test_run", "value": run, "isRegex": False, "isEqual": True}],
            "startsAt": iso_time(now - 1), "endsAt": iso_time(now + 600), "createdBy": "kim",
            "comment": "ack: looking at it"}
    httpx.post(f"{url}/api/v2/silences", json=body, timeout=5).raise_for_status()


def test_a_posted_p0_takes_over_and_the_silence_returns_the_screen(qtbot, lone_alertmanager):
    url = lone_alertmanager.base_url
    config = load_config_text(CONFIG.format(url=url), filename="takeover.yaml")
    runtime = Runtime(config)
    (window,) = build_windows(config, runtime, LaunchOptions(), size=(1920, 1080))
    qtbot.addWidget(window)
    window.show()
    (controller,) = window.findChildren(TakeoverController)
    window.show_dashboard(1)  # the playlist shows its second dashboard
    runtime.start()
    try:
        run = uuid.uuid4().hex[:12]
        _post(url, {"alertname": "CheckoutDown", "severity": "critical", "service": "checkout", "test_run": run})
        qtbot.waitUntil(lambda: controller.taken_over, timeout=30_000)
        assert controller.decision.alert is not None
        assert controller.decision.alert.labels["test_run"] == run
        assert window.stack.currentWidget() is controller.view
        assert controller.view.name.text() == "CheckoutDown"
        assert controller.view.priority.text() == "■ P0 CRITICAL"
        _silence(url, run)
        qtbot.waitUntil(lambda: not controller.taken_over, timeout=30_000)
        assert window.current_view().dashboard.id == "other"  # back where it was
        assert window.stack.currentWidget() is window.views[1]
    finally:
        runtime.stop()
