"""A feed is never green without evidence (issue 12 item 8): a source no panel reads is UNUSED, grey, not polled."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from noc_app.app import print_snapshot
from noc_app.config.loader import load_config
from noc_app.model import SourceHealth
from noc_app.runtime import Runtime
from noc_app.themes import load_theme
from noc_app.widgets.feed_health import FeedHealthStrip


def _dead_port() -> int:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    port = _dead_port()
    path = tmp_path / "wall.yaml"
    path.write_text(f"""\
version: 1
title: unused sources
sources:
  - id: host
    kind: localhost
    interval: 1s
  - id: idle_loki
    kind: loki
    url: http://127.0.0.1:{port}
    interval: 1s
  - id: idle_prom
    kind: prometheus
    url: http://127.0.0.1:{port}
    interval: 1s
  - id: read_loki
    kind: loki
    url: http://127.0.0.1:{port}
    interval: 1s
dashboards:
  - id: d
    title: D
    panels:
      - id: cpu
        kind: stat
        title: CPU
        source: host
        queries:
          - expr: cpu_percent
      - id: logs
        kind: logs
        title: Logs
        source: read_loki
        queries:
          - expr: '{{job="x"}}'
""")
    return path


def test_unused_sources_are_not_polled_and_never_green(qtbot, config_path: Path) -> None:
    runtime = Runtime(load_config(str(config_path)))
    strip = FeedHealthStrip(runtime.store, load_theme("dark"))
    qtbot.addWidget(strip)
    assert runtime.unused == {"idle_loki", "idle_prom"}
    runtime.start()
    try:
        qtbot.waitUntil(lambda: runtime.poll_counts["read_loki"] >= 1 and runtime.poll_counts["host"] >= 1,
                        timeout=20_000)
        strip.tick()
        for sid in ("idle_loki", "idle_prom"):
            assert runtime.poll_counts[sid] == 0
            assert runtime.store.status(sid).health is SourceHealth.UNUSED
            chip = strip.chip(sid)
            assert chip.text_parts[2] == "UNUSED"
            assert chip.color_key != "ok"
        # Negative control: the same dead port, read by a panel, is polled and shown failing.
        assert strip.chip("read_loki").text_parts[2] == "UNREACHABLE"
        assert strip.chip("host").color_key == "ok"
    finally:
        runtime.stop()


def test_snapshot_says_unused_not_ok(qapp, capsys, config_path: Path) -> None:
    assert print_snapshot(load_config(str(config_path)), after_s=2.0) == 0
    sources = {s["id"]: s for s in json.loads(capsys.readouterr().out)["sources"]}
    for sid in ("idle_loki", "idle_prom"):
        assert sources[sid]["health"] == "unused"
        assert sources[sid]["state"] != "OK"
        assert sources[sid]["last_success_at"] is None
    assert sources["read_loki"]["state"] == "UNREACHABLE"
