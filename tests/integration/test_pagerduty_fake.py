"""PagerDuty end to end against the local fake PagerDuty: a YAML config, the Runtime's poller and store,
and actions through the configured backend (wiring.action_backends)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fake_pagerduty import FakePagerDuty

from noc_app.actions.execute import execute
from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator, OutcomeStatus
from noc_app.actions.wiring import action_backends
from noc_app.config.loader import load_config
from noc_app.config.schema import AppConfig
from noc_app.model import AlertState
from noc_app.runtime import Runtime
from noc_app.state.sqlite import SqliteJournal

TOKEN = "pd-integration-key-13572468"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePagerDuty]:
    monkeypatch.setenv("NOC_PAGERDUTY_TOKEN", TOKEN)
    server = FakePagerDuty(token=TOKEN)
    for n in range(260):
        server.add_incident(f"PQ{n:04d}", f"disk almost full on db-{n}", service_id="PSDB", urgency="low")
    server.add_incident("PCHK1", "Checkout 5xx above 2%", priority="P1")
    with server.serving():
        yield server


def _config(tmp_path: Path, url: str, **options: object) -> AppConfig:
    document = {
        "version": 1, "title": "PagerDuty wall",
        "operator": {"name": "alice", "email": "alice@example.com"},
        "sources": [{"id": "pd", "kind": "pagerduty", "url": url, "interval": "1s", "timeout": "5s",
                     "auth": {"token_env": "NOC_PAGERDUTY_TOKEN"}, "options": options}],
        "dashboards": [{"id": "main", "title": "Incidents", "panels": [
            {"id": "inc", "kind": "incidents", "title": "PagerDuty", "source": "pd",
             "grid": {"x": 0, "y": 0, "w": 24, "h": 6}},
        ]}],
    }
    path = tmp_path / "pd.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return load_config(path)


def test_the_config_reads_token_env_and_options(tmp_path: Path, fake: FakePagerDuty) -> None:
    config = _config(tmp_path, fake.url, max_pages=5, oncall_refresh="10m", urgencies=["high", "low"])
    (source,) = config.sources
    assert source.kind == "pagerduty" and source.auth.bearer is not None
    assert source.auth.bearer.env == "NOC_PAGERDUTY_TOKEN"
    assert source.options["max_pages"] == 5


def test_polled_through_the_runtime_then_acknowledged(tmp_path: Path, fake: FakePagerDuty, qtbot,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = _config(tmp_path, fake.url)
    runtime = Runtime(config)
    runtime.start()
    try:
        qtbot.waitUntil(lambda: runtime.store.snapshot("pd") is not None, timeout=20_000)
        first = runtime.store.snapshot("pd")
        assert first is not None and first.alerts is not None
        assert len(first.alerts) == 261  # three pages of 100, nothing cut
        assert not first.notes and first.degraded == ()
        checkout = next(a for a in first.alerts if a.fingerprint == "PCHK1")
        assert checkout.state is AlertState.FIRING and checkout.oncall == "Alice Ops (level 1)"
        assert checkout.labels["service"] == "Checkout API" and checkout.severity.priority == "P0"

        backend = action_backends(config)["pd"]
        journal = SqliteJournal(tmp_path / "state.db")
        operator = Operator(name="bob", email="bob@example.com")
        request = ActionRequest(kind=ActionKind.ACK, incident=IncidentKey(source_id="pd", fingerprint="PCHK1"),
                                operator=operator)
        outcome = execute(request, backend, journal)
        assert outcome.status is OutcomeStatus.DONE, outcome.message
        runtime.repoll("pd")

        def acked() -> bool:
            snap = runtime.store.snapshot("pd")
            alert = next((a for a in snap.alerts or () if a.fingerprint == "PCHK1"), None) if snap else None
            return alert is not None and alert.state is AlertState.ACKNOWLEDGED

        qtbot.waitUntil(acked, timeout=20_000)
        snap = runtime.store.snapshot("pd")
        assert snap is not None
        alert = next(a for a in snap.alerts or () if a.fingerprint == "PCHK1")
        assert alert.acknowledged_by == "Bob Backup" and alert.oncall == "Alice Ops (level 1)"
        backend.close()  # type: ignore[attr-defined]
        journal.close()
    finally:
        runtime.stop()
    assert TOKEN not in caplog.text


def test_a_cut_list_is_shown_cut_on_the_wall(tmp_path: Path, fake: FakePagerDuty, qtbot) -> None:
    runtime = Runtime(_config(tmp_path, fake.url, max_pages=2))
    runtime.start()
    try:
        qtbot.waitUntil(lambda: runtime.store.snapshot("pd") is not None, timeout=20_000)
        snap = runtime.store.snapshot("pd")
        assert snap is not None and snap.alerts is not None and len(snap.alerts) == 200
        assert "cut at 200" in snap.notes["alerts"][0]
        assert runtime.store.status("pd").degraded
    finally:
        runtime.stop()


def test_rate_limited_poll_keeps_the_wait_from_the_header(tmp_path: Path, fake: FakePagerDuty, qtbot) -> None:
    fake.limit_rate(0, 45.0)
    runtime = Runtime(_config(tmp_path, fake.url))
    runtime.start()
    try:
        qtbot.waitUntil(lambda: runtime.store.status("pd").last_error is not None, timeout=20_000)
        status = runtime.store.status("pd")
        assert "429" in (status.last_error or "") and "Rate Limit Exceeded" in (status.last_error or "")
        qtbot.waitUntil(lambda: runtime.store.status("pd").next_poll_in_s is not None, timeout=5_000)
        assert runtime.store.status("pd").next_poll_in_s >= 40.0  # ratelimit-reset, not the 1 s interval
    finally:
        runtime.stop()
