"""The post-incident report's log lines: read from a (loopback) Loki for the incident's window."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pdf_check import pdf_text
from synthetic_month import OUTAGE

from noc_app.actions.model import IncidentKey
from noc_app.config.loader import load_config_text
from noc_app.reports.data import RangeReader
from noc_app.reports.incident_report import incident_document
from noc_app.reports.logs import window_logs
from noc_app.state.records import IncidentMark
from noc_app.state.sqlite import SqliteJournal

T = OUTAGE[0]
NS = 1_000_000_000


@pytest.fixture
def loki():
    """Answers every query_range with three lines: before the window, inside it, and after the end asked for."""
    asked: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            asked.append(params)
            values = [[str(int((T - 7200) * NS)), "old line from two hours before"],
                      [str(int((T + 60) * NS)), "ERROR payment gateway timeout <script>x</script>"],
                      [str(int((T + 90) * NS)), "retrying order 42"]]
            body = json.dumps({"status": "success", "data": {"resultType": "streams", "result": [
                {"stream": {"service_name": "checkout", "level": "error"}, "values": values}]}}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def loki_config(config_text, loki):
    url, _ = loki
    text = config_text.replace("sources:\n", f"sources:\n  - {{id: logs, kind: loki, url: '{url}'}}\n", 1)
    text = text.replace("    panels:\n", "    panels:\n      - {id: applog, kind: logs, title: Checkout logs, "
                                        "source: logs, queries: [{expr: '{service_name=\"checkout\"}'}]}\n", 1)
    return load_config_text(text, filename="shop.yaml")


def test_window_logs_ask_for_the_window_and_keep_only_its_lines(loki_config, loki):
    _, asked = loki
    panel = next(p for d in loki_config.dashboards for p in d.panels if p.id == "applog")
    lines, error = window_logs(loki_config, panel, T - 1800, T + 3000)
    assert error == ""
    assert [line.text for line in lines] == ["ERROR payment gateway timeout <script>x</script>", "retrying order 42"]
    (params,) = asked
    assert int(params["start"]) == int((T - 1800) * NS) and int(params["end"]) == int((T + 3000) * NS)


def test_the_incident_report_prints_the_windows_log_lines_as_plain_text(loki_config, tmp_path):
    journal = SqliteJournal(tmp_path / "state.db")
    key = IncidentKey(source_id="am", fingerprint="f1")
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f1", name="CheckoutErrors", first_seen_at=T,
                                         severity="critical", service="checkout", resolved_at=T + 600)], now=T)
    try:
        doc = incident_document(loki_config, journal, key, now=T + 7200,
                                reader_for=lambda s: RangeReader(loki_config.source(s)))
        (pdf, *_) = doc.write(tmp_path / "out", "incident")
    finally:
        journal.close()
    text = pdf_text(pdf)
    assert "Checkout logs" in text and "payment gateway timeout <script>x</script>" in text
    assert "retrying order 42" in text and "old line from two hours before" not in text
    assert "<script>" not in (tmp_path / "out" / "incident.html").read_text()


def test_a_log_backend_that_fails_is_said_in_the_report(loki_config, tmp_path):
    journal = SqliteJournal(tmp_path / "state.db")
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f1", name="X", first_seen_at=T)], now=T)
    try:
        doc = incident_document(loki_config, journal, IncidentKey(source_id="am", fingerprint="f1"), now=T + 60,
                                reader_for=lambda s: RangeReader(loki_config.source(s)),
                                log_reader=lambda *a: ([], "Unreachable: connection refused"))
        (pdf, *_) = doc.write(tmp_path / "out", "incident")
    finally:
        journal.close()
    assert "Unreachable: connection refused" in pdf_text(pdf)
