"""`noc-app incidents run-runbook`: exit codes 0 done, 3 queued, 2 refused/invalid, 1 failed; dry run sends nothing.

The incident's source (an Alertmanager on a closed port) cannot be asked, so the
incident's labels come from --match, as they would during an outage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from noc_app.cli import main

KEY = "am/0f3a9c1d2e4b5a6f"
MATCH = ["--match", "alertname=HighErrorRate", "--match", "service=checkout"]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "wall.yaml"
    path.write_text(f"""\
sources:
  - {{id: am, kind: alertmanager, url: 'http://127.0.0.1:9', timeout: 2s}}
dashboards:
  - {{id: main, panels: [{{id: note, kind: text, title: N, text: hi}}]}}
state: {{url: 'sqlite://{tmp_path}/state.db'}}
actions:
  runbooks:
    - id: echo
      argv: [/bin/echo, 'restarting {{{{ service }}}}']
      params: {{service: {{pattern: '[a-z][a-z0-9-]*'}}}}
      match: {{alertname: HighErrorRate}}
      confirm: service
      cooldown: 1h
    - id: webhook
      http: {{method: POST, url: 'http://127.0.0.1:9/restart/{{{{ service }}}}'}}
      params: {{service: {{pattern: '[a-z][a-z0-9-]*'}}}}
      confirm: false
    - id: hang
      argv: [{sys.executable}, -c, 'import time; time.sleep(30)']
      timeout: 1s
      confirm: false
""", encoding="utf-8")
    return path


def run(config: Path, *args: str) -> int:
    return main(["incidents", "run-runbook", *args, *MATCH, "--config", str(config)])


def test_dry_run_prints_the_exact_command_and_sends_nothing(config, capsys):
    assert run(config, "echo", KEY, "--dry-run") == 0
    out = capsys.readouterr().out
    assert 'run (no shell): ["/bin/echo", "restarting checkout"]' in out
    assert "note: runbook 'echo' needs confirmation: type 'checkout' (--confirm checkout)" in out


def test_confirmed_run_is_done_then_the_cooldown_refuses_the_next(config, capsys):
    assert run(config, "echo", KEY, "--comment", "5xx at 12 %", "--confirm", "checkout") == 0
    assert "done — ran echo: exit 0: restarting checkout" in capsys.readouterr().out
    assert run(config, "echo", KEY, "--comment", "again", "--confirm", "checkout") == 2
    assert "is cooling down" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    (("nope", KEY, "--comment", "x"), "no runbook 'nope'"),
    (("echo", KEY, "--comment", "x"), "needs confirmation: type 'checkout'"),
    (("echo", KEY, "--comment", "x", "--confirm", "checkou"), "does not match: type 'checkout' exactly"),
    (("echo", KEY, "--comment", "x", "--param", "service=a;reboot"), "does not match the pattern"),
    (("echo", KEY, "--comment", "x", "--param", "replicas=3"), "has no parameter 'replicas'"),
    (("echo", KEY, "--confirm", "checkout"), "needs a comment"),
])
def test_refusals_exit_2(config, capsys, args, message):
    assert run(config, *args) == 2
    assert message in capsys.readouterr().err


def test_an_unreachable_target_is_queued(config, capsys):
    assert run(config, "webhook", KEY, "--comment", "x") == 3
    assert "queued in the outbox" in capsys.readouterr().err


def test_a_command_over_its_timeout_failed(config, capsys):
    assert run(config, "hang", KEY, "--comment", "x") == 1
    assert "did not finish within 1 s" in capsys.readouterr().err
