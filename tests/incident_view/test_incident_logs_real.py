"""An incident's log query run against a REAL systemd-journal-gatewayd, off the GUI thread."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

import journal  # noqa: E402
from noc_app.config.schema import SourceConfig  # noqa: E402
from noc_app.incident_detail import IncidentLogs  # noqa: E402
from noc_app.incident_log_fetch import fetch_incident_logs  # noqa: E402
from noc_app.incident_log_runner import IncidentLogRunner  # noqa: E402
from noc_app.incident_logquery import log_query  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[journal.JournalGateway]:
    served = journal.journal_gateway(tmp_path / "gatewayd", journal.default_journal_entries())
    try:
        served.server.start()
        yield served
    finally:
        served.server.close()


def _source(url: str) -> SourceConfig:
    return SourceConfig(id="journal", kind="journald", url=url, timeout_s=5.0)


def test_the_error_lines_of_the_incidents_service_only(gateway):
    query = log_query("journald", {"alertname": "HighErrorRate", "service": "ecommerce-api"})
    logs = fetch_incident_logs(_source(gateway.base_url), query)
    assert logs.error == ""
    assert [line.text.splitlines()[0] for line in logs.lines] == [
        "payment gateway returned HTTP 502", "Traceback (most recent call last):"]


def test_unit_label_selects_the_unit(gateway):
    query = log_query("journald", {"unit": "postgresql.service"})
    logs = fetch_incident_logs(_source(gateway.base_url), query)
    assert {line.text for line in logs.lines} == {
        "could not write to WAL: No space left on device", "database system is shutting down: alert"}


def test_runner_delivers_on_the_gui_thread_and_a_dead_source_is_an_error(qtbot, gateway):
    runner = IncidentLogRunner((_source(gateway.base_url),))
    got: list[IncidentLogs] = []
    query = log_query("journald", {"service": "ecommerce-api"})
    runner("journal", query, got.append)
    qtbot.waitUntil(lambda: len(got) == 1, timeout=20_000)
    assert len(got[0].lines) == 2
    runner.stop()
    dead = IncidentLogRunner((SourceConfig(id="journal", kind="journald", url="http://127.0.0.1:9", timeout_s=2.0),))
    dead("journal", query, got.append)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=20_000)
    assert got[1].lines == () and got[1].error
    dead("nope", query, got.append)
    assert got[2].error == "no source 'nope' configured"
    dead.stop()
