"""ActionService against a REAL Alertmanager: ack through the worker pool, then ack-until-resolved upkeep."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest
import raw_api
import servers

from noc_app.actions.backends.alertmanager import AlertmanagerBackend
from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator, OutcomeStatus
from noc_app.actions.service import ActionService
from noc_app.config.schema import SourceConfig
from noc_app.sources.alertmanager import AlertmanagerSource
from noc_app.sources.base import PollPlan
from noc_app.sources.silences import iso_time
from noc_app.state.sqlite import SqliteJournal

pytestmark = pytest.mark.integration
WAIT_MS = 30_000


def post_alert(url: str, labels: dict[str, str], *, ends_in_s: float) -> None:
    now = time.time()
    alert = {"labels": labels, "annotations": {}, "startsAt": iso_time(now - 30), "endsAt": iso_time(now + ends_in_s)}
    response = httpx.post(f"{url}/api/v2/alerts", json=[alert], timeout=5)
    assert response.status_code == 200, response.text


def test_service_acks_and_expires_the_ack_when_the_alert_resolves(alertmanager, tmp_path: Path, qtbot):
    url = alertmanager.base_url
    run = uuid.uuid4().hex[:12]
    labels = {"alertname": "ServiceUpkeepTest", "service": "checkout", "test_run": run}
    post_alert(url, labels, ends_in_s=600)
    found = servers.wait_for(lambda: raw_api.am_alerts(url, filter=f'test_run="{run}"'), timeout_s=20,
                             what="the alert")
    config = SourceConfig(id="am", kind="alertmanager", url=url, timeout_s=3.0)
    backend = AlertmanagerBackend(config, upkeep_skew_s=0.0)  # one clock here: no skew to allow for
    source = AlertmanagerSource(config, PollPlan(alerts=True))
    journal = SqliteJournal(tmp_path / "state.db")
    repolls: list[str] = []
    service = ActionService({"am": backend}, journal, repoll=repolls.append, upkeep_sources={"am": False},
                            upkeep_every_s=0.0)
    service.start()
    try:
        request = ActionRequest(kind=ActionKind.ACK, incident=IncidentKey(source_id="am",
                                fingerprint=found[0]["fingerprint"]),
                                operator=Operator(name="alice"), labels=labels, comment="service test")
        with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
            service.submit(request)
        ack = caught.args[0]
        assert ack.status is OutcomeStatus.DONE, ack.message
        assert repolls == ["am"]

        # still firing: upkeep keeps the ack (the snapshot must be newer than the ack to judge it)
        with qtbot.waitSignal(service.upkept, timeout=WAIT_MS) as kept:
            service.on_poll_succeeded("am", source.poll(), 1.0)
        assert ack.backend_ref not in kept.args[1].expire
        assert backend.silence(ack.backend_ref).state == "active"

        post_alert(url, labels, ends_in_s=-1)  # resolved
        servers.wait_for(lambda: not raw_api.am_alerts(url, filter=f'test_run="{run}"'), timeout_s=20,
                         what="Alertmanager to drop the resolved alert")

        snapshot = source.poll()  # taken after the ack: its list is the one to judge the ack by
        with qtbot.waitSignal(service.upkept, timeout=WAIT_MS) as expired:
            service.on_poll_succeeded("am", snapshot, 1.0)
        assert ack.backend_ref in expired.args[1].expire
        assert backend.silence(ack.backend_ref).state == "expired"
    finally:
        service.stop()
        source.close()
        backend.close()
        journal.close()
