"""Builders for the incident view tests: an operator window with a board, a second dashboard, log sources."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "widgets"))

from noc_app.actions.model import Operator  # noqa: E402
from noc_app.config.schema import Mode, QueryConfig, SourceConfig  # noqa: E402
from noc_app.model import Severity  # noqa: E402
from noc_app.themes import load_theme  # noqa: E402
from noc_app.widgets.incident_board import IncidentBoardBody  # noqa: E402
from noc_app.widgets.wall_window import WallWindow  # noqa: E402
from wall_testkit import T0, FakeClock, alert, app_config, dashboard, panel, snapshot, store_with  # noqa: E402

THEME = load_theme("dark")
KIM = Operator(name="kim", os_user="kim", host="noc-1")
LABELS = {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical", "instance": "web-1:9100",
          "team": "<b>shop</b>"}
ANNOTATIONS = {"summary": "5xx above 5 % <i>for</i> 10 min", "runbook_url": "https://runbooks.example/checkout",
               "dashboard": "http://grafana.example:3000/d/shop", "evil_link": "file:///etc/passwd",
               "js": "javascript:alert(1)"}
SOURCES = (SourceConfig(id="src", kind="alertmanager", url="http://am.test:9093"),
           SourceConfig(id="logs", kind="loki", url="http://loki.test:3100"),
           SourceConfig(id="prom", kind="prometheus", url="http://prom.test:9090"))


def incident_dashboards():
    board_dash = dashboard(panel("inc", "incidents", x=0, y=0, w=24, h=12), did="board", title="Board")
    shop = dashboard(
        panel("rps", "timeseries", source="prom", x=0, y=0, w=12, h=6, title="Checkout requests",
              queries=(QueryConfig(expr='sum(rate(http_requests_total{service="checkout"}[5m]))'),)),
        panel("cpu", "timeseries", source="prom", x=12, y=0, w=12, h=6, title="Checkout CPU",
              queries=(QueryConfig(expr='rate(cpu{service="checkout", instance="web-1:9100"}[1m])'),)),
        panel("cart", "timeseries", source="prom", x=0, y=6, w=12, h=6, title="Cart",
              queries=(QueryConfig(expr='rate(cpu{service="cart"}[1m])'),)),
        did="shop", title="Shop")
    return board_dash, shop


def operator_window(qtbot, *, mode: Mode = Mode.OPERATOR, alerts=None, size=(1600, 900), config_changes=None):
    board_dash, shop = incident_dashboards()
    config = dataclasses.replace(app_config(board_dash, shop, mode=mode), sources=SOURCES, **(config_changes or {}))
    store = store_with(("src", "alertmanager"))
    clock = FakeClock(T0)
    window = WallWindow(config, (board_dash, shop), store, THEME, mode=mode, clock=clock, quit_clock=FakeClock(),
                        operator=KIM)
    qtbot.addWidget(window)
    window.resize(*size)
    with qtbot.waitExposed(window):
        window.show()
    if alerts is None:
        alerts = (alert("HighErrorRate", Severity.CRITICAL, fingerprint="fp-high", labels=LABELS,
                        annotations=ANNOTATIONS, summary=ANNOTATIONS["summary"]),)
    store.apply("src", snapshot(alerts=alerts), T0, 5.0)
    body = window.panel_frames("board")[0].body
    assert isinstance(body, IncidentBoardBody)
    if alerts:
        qtbot.waitUntil(lambda: len(body.visible_rows) >= 1)
    return store, window, body, clock


__all__ = ["ANNOTATIONS", "KIM", "LABELS", "SOURCES", "T0", "THEME", "alert", "incident_dashboards",
           "operator_window", "snapshot"]
