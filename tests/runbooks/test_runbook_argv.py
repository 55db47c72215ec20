"""argv runbooks run for real: the program gets each value as one argument, nothing is interpreted by a shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from runbook_helpers import ALICE, INCIDENT, LABELS, config_with

from noc_app.actions.errors import ActionError, BackendRejected, InvalidRequest
from noc_app.actions.model import ActionKind, ActionRequest, OutcomeStatus
from noc_app.actions.runbooks.backend import RunbookBackend

SHELL_VALUES = ["a;touch {marker}", "$(touch {marker})", "`touch {marker}`", "a|touch {marker}",
                "a&&touch {marker}", "a>{marker}", "${{HOME}}", "*", "~", "'\"quoted\"'"]


def _script(tmp_path: Path) -> Path:
    """Prints its argv (minus itself) and its environment's keys as JSON."""
    script = tmp_path / "show_args.py"
    script.write_text("import json, os, sys\nprint(json.dumps({'argv': sys.argv[1:], 'env': sorted(os.environ)}))\n")
    return script


def _config(tmp_path: Path, *, timeout: str = "20s", extra: str = ""):
    return config_with(f"""\
        - id: show
          argv: [{sys.executable}, '{_script(tmp_path)}', --target, '{{{{ target }}}}', 'pre-{{{{ target }}}}']
          params: {{target: {{pattern: '.{{1,200}}'}}}}
          confirm: false
          cooldown: 0s
          max_runs_per_hour: 60
          timeout: {timeout}
        - id: echo
          argv: [/bin/echo, '{{{{ target }}}}']
          params: {{target: {{pattern: '.{{1,200}}'}}}}
          confirm: false
          cooldown: 0s
          max_runs_per_hour: 60
        {extra}""")


def _run(config, journal, runbook: str, target: str, **kwargs):
    request = ActionRequest(kind=ActionKind.RUNBOOK, incident=INCIDENT, operator=ALICE, comment="test",
                            labels=LABELS, runbook=runbook, params={"target": target})
    return RunbookBackend(config, journal, **kwargs).perform(request)


@pytest.mark.parametrize("template", SHELL_VALUES)
def test_shell_syntax_reaches_the_program_verbatim_and_runs_nothing(tmp_path, journal, template, monkeypatch):
    marker = tmp_path / "pwned"
    value = template.format(marker=marker)
    monkeypatch.setenv("NOC_RUNBOOK_TEST_TOKEN", "s3cr3t-value")
    outcome = _run(_config(tmp_path), journal, "show", value)
    assert outcome.status is OutcomeStatus.DONE
    shown = json.loads(outcome.message.split("exit 0: ", 1)[1])
    assert shown["argv"] == ["--target", value, f"pre-{value}"]
    assert not marker.exists()
    assert "NOC_RUNBOOK_TEST_TOKEN" not in shown["env"]  # the app's secrets stay in the app


def test_bin_echo_prints_the_value_unexpanded(tmp_path, journal):
    outcome = _run(_config(tmp_path), journal, "echo", "$HOME `id` $(id) ; *")
    assert outcome.message == "ran echo: exit 0: $HOME `id` $(id) ; *"


def test_a_value_that_looks_like_an_option_is_refused_for_argv(tmp_path, journal):
    with pytest.raises(InvalidRequest, match="starts with '-'"):
        _run(_config(tmp_path), journal, "echo", "--help")


def test_a_failing_program_is_rejected_with_its_status_and_output(tmp_path, journal):
    config = _config(tmp_path, extra=f"""- id: fail
          argv: [{sys.executable}, -c, 'import sys; print("disk full"); sys.exit(3)']
          confirm: false""")
    with pytest.raises(BackendRejected, match="exited with status 3: disk full"):
        RunbookBackend(config, journal).perform(ActionRequest(
            kind=ActionKind.RUNBOOK, incident=INCIDENT, operator=ALICE, comment="t", labels=LABELS, runbook="fail"))


def test_a_program_over_its_timeout_is_killed(tmp_path, journal):
    config = _config(tmp_path, extra=f"""- id: hang
          argv: [{sys.executable}, -c, 'import time; print("started", flush=True); time.sleep(60)']
          timeout: 1s
          confirm: false""")
    with pytest.raises(ActionError, match="did not finish within 1 s and was killed; .*started"):
        RunbookBackend(config, journal).perform(ActionRequest(
            kind=ActionKind.RUNBOOK, incident=INCIDENT, operator=ALICE, comment="t", labels=LABELS, runbook="hang"))


def test_a_missing_program_is_rejected(tmp_path, journal):
    config = _config(tmp_path, extra="""- id: nothing
          argv: [/nonexistent/bin/restart]
          confirm: false""")
    with pytest.raises(BackendRejected, match="cannot start '/nonexistent/bin/restart'"):
        RunbookBackend(config, journal).perform(ActionRequest(
            kind=ActionKind.RUNBOOK, incident=INCIDENT, operator=ALICE, comment="t", labels=LABELS,
            runbook="nothing"))


def test_output_kept_in_the_outcome_is_bounded(tmp_path, journal):
    config = _config(tmp_path, extra=f"""- id: loud
          argv: [{sys.executable}, -c, 'print("x" * 2_000_000)']
          confirm: false""")
    outcome = RunbookBackend(config, journal).perform(ActionRequest(
        kind=ActionKind.RUNBOOK, incident=INCIDENT, operator=ALICE, comment="t", labels=LABELS, runbook="loud"))
    assert len(outcome.message) < 600
