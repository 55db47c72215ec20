"""Recovery runbooks on the real stack: an alert fires, a runbook fixes it, the alert resolves, the verification passes.

The sample service's error ratio is raised through its admin endpoint so the fast
HighErrorRate rule fires in Prometheus and reaches Alertmanager; the runbook (an
HTTP POST to that same admin endpoint, lowering the ratio) is run with
`noc-app incidents run-runbook` after confirmation; its verification is a PromQL
query on that Prometheus, delivered by the outbox.  Times are printed, never asserted.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import raw_api
import servers

from noc_app.actions.execute import RUNBOOK_BACKEND, execute, flush_outbox
from noc_app.actions.model import ActionRequest, IncidentKey, Operator, OutcomeStatus
from noc_app.actions.runbooks.backend import RunbookBackend
from noc_app.actions.runbooks.policy import find_runbook
from noc_app.actions.runbooks.requests import runbook_request
from noc_app.actions.wiring import build_parts
from noc_app.config.loader import load_config

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
REQUEST_ID = re.compile(r"\(request ([0-9a-f]{32})\)")
ERROR_RATIO = 'sum(rate(http_requests_total{status=~"5.*"}[30s])) / sum(rate(http_requests_total[30s]))'
FIRING = 'ALERTS{alertname="HighErrorRate", alertstate="firing"}'


def write_config(tmp_path: Path, prom: str, am: str, sample: str, *, within: str = "3m") -> Path:
    path = tmp_path / "runbooks.yaml"
    path.write_text(f"""\
mode: operator
sources:
  - {{id: prom, kind: prometheus, url: '{prom}', timeout: 5s}}
  - {{id: am, kind: alertmanager, url: '{am}', timeout: 5s}}
dashboards:
  - id: main
    panels:
      - {{id: inc, kind: incidents, title: Incidents, source: am}}
state: {{url: 'sqlite://{tmp_path}/state.db'}}
actions:
  runbooks:
    - id: lower-errors
      title: Lower the sample service's error ratio
      match: {{alertname: HighErrorRate}}
      http:
        method: POST
        url: '{sample}/control?error_ratio={{{{ ratio }}}}'
      params:
        ratio: {{allowed: ['0.0', '0.01']}}
      confirm: true
      cooldown: 0s
      verify: {{source: prom, query: '{ERROR_RATIO} < 0.05', within: {within}}}
    - id: never-verifies
      argv: [/bin/true]
      confirm: false
      cooldown: 0s
      verify: {{source: prom, query: 'vector(1) > 2', within: 2s}}
""", encoding="utf-8")
    return path


def noc_app(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "noc_app", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=False)


def firing_key(config: Path) -> str:
    def listed() -> str | None:
        result = noc_app("incidents", "list", "--json", "--config", str(config))
        found = [i for i in json.loads(result.stdout or "[]")
                 if i["labels"].get("alertname") == "HighErrorRate" and i["state"] != "resolved"]
        return found[0]["key"] if found else None

    return servers.wait_for(listed, timeout_s=90, interval_s=1.0, what="HighErrorRate in `incidents list`")


def test_a_runbook_fixes_the_error_rate_and_its_verification_passes(
    tmp_path, prometheus, alertmanager, sample_service, sample_behaviour
):
    config_path = write_config(tmp_path, prometheus.base_url, alertmanager.base_url, sample_service.base_url)
    sample_behaviour(error_ratio=0.5)
    servers.wait_for(lambda: raw_api.prom_query(prometheus.base_url, FIRING), timeout_s=60,
                     what="HighErrorRate to fire in Prometheus")
    key = firing_key(config_path)
    base = ["incidents", "run-runbook", "lower-errors", key, "--param", "ratio=0.0",
            "--comment", "errors at 50 %", "--config", str(config_path)]

    dry = noc_app(*base, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"POST {sample_service.base_url}/control?error_ratio=0.0" in dry.stdout
    unconfirmed = noc_app(*base)
    assert unconfirmed.returncode == 2 and "type 'lower-errors'" in unconfirmed.stderr
    assert raw_api.prom_query(prometheus.base_url, FIRING)  # nothing was sent: still firing

    started = time.monotonic()
    ran = noc_app(*base, "--confirm", "lower-errors")
    assert ran.returncode == 0, ran.stderr
    assert "runbook lower-errors" in ran.stdout and ": done — ran lower-errors: HTTP 200" in ran.stdout

    servers.wait_for(lambda: not raw_api.prom_query(prometheus.base_url, FIRING), timeout_s=120, interval_s=0.5,
                     what="HighErrorRate to resolve")
    resolved_after = time.monotonic() - started

    config = load_config(config_path)
    parts = build_parts(config)
    try:
        def verified() -> bool:
            outcomes = flush_outbox(parts.backends, parts.journal)
            return any(o.status is OutcomeStatus.DONE and o.message.startswith("verified") for o in outcomes)

        servers.wait_for(verified, timeout_s=120, interval_s=1.0, what="the runbook's verification to pass")
        verified_after = time.monotonic() - started
        lines = [(line.action, line.outcome) for line in parts.journal.audit()]
    finally:
        parts.close()
    assert ("runbook run", "started") in lines and ("verify", "done") in lines
    print(f"\nrunbook run -> alert resolved: {resolved_after:.1f} s; "
          f"-> verification passed: {verified_after:.1f} s")


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_verification_that_never_becomes_true_escalates(tmp_path, prometheus, alertmanager, sample_service):
    config = load_config(write_config(tmp_path, prometheus.base_url, alertmanager.base_url,
                                      sample_service.base_url))
    parts = build_parts(config)
    clock = Clock()
    backends = {**parts.backends, RUNBOOK_BACKEND: RunbookBackend(config, parts.journal, clock=clock)}
    try:
        operator = Operator(name="alice")
        request = runbook_request(find_runbook(config, "never-verifies"),
                                  IncidentKey(source_id="am", fingerprint="f00d"), {"alertname": "Test"},
                                  operator, "try it")
        assert execute(request, backends[RUNBOOK_BACKEND], parts.journal, clock=clock).status is OutcomeStatus.DONE
        (first,) = flush_outbox(backends, parts.journal, clock=clock)
        assert first.status is OutcomeStatus.QUEUED and "not verified yet (false)" in first.message
        clock.now += 3  # past `within: 2s`
        outcomes = flush_outbox(backends, parts.journal, clock=clock)
        assert any(o.message.startswith("verification failed: escalated") for o in outcomes)
        escalations = [ActionRequest.from_record(r.payload) for r in parts.journal.pending() if r.kind == "escalate"]
        assert [(e.incident.fingerprint, e.automatic) for e in escalations] == [("f00d", True)]
        assert "vector(1) > 2 not true within 2 s" in escalations[0].comment
    finally:
        parts.close()
