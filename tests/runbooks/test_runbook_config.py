"""actions.runbooks in the config: the new form, the older form, and each refusal with its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest
from runbook_helpers import config_with, problems_of

from noc_app.config.loader import load_config

ROOT = Path(__file__).resolve().parents[2]


def test_the_new_form_reads_every_key():
    config = config_with("""\
        - id: scale-out
          title: Scale out
          match: {alertname: HighMemoryUsage}
          http:
            method: patch
            url: 'https://k8s.example.invalid/apis/apps/v1/namespaces/{{ ns }}/deployments/{{ service }}/scale'
            headers: {Content-Type: application/merge-patch+json}
            auth: {bearer_token_env: NOC_K8S_TOKEN}
            body: {spec: {replicas: 6}}
          params:
            ns: {allowed: [shop]}
            service: {label: job, pattern: '[a-z-]+'}
          role: lead
          confirm: service
          timeout: 20s
          cooldown: 15m
          max_runs_per_hour: 2
          verify: {source: prom, query: 'up == 1', within: 10m}
          undo_after: {runbook: scale-in, after: 30m}
          rollback: scale-in
          auto: true
        - id: scale-in
          argv: [/usr/local/bin/scale, '--to=3', '{{ service }}']
          params: {service: {pattern: '[a-z-]+'}}
        """)
    out, back = config.actions.runbooks
    assert out.http is not None and out.http.method == "PATCH" and out.http.body == {"spec": {"replicas": 6}}
    assert out.http.auth.bearer is not None and out.http.auth.bearer.env == "NOC_K8S_TOKEN"
    assert (out.params["service"].label, out.params["service"].pattern, out.params["ns"].allowed) == (
        "job", "[a-z-]+", ("shop",))
    assert (out.role, out.confirm, out.timeout_s, out.cooldown_s, out.max_runs_per_hour, out.auto) == (
        "lead", "param:service", 20.0, 900.0, 2, True)
    assert out.verify is not None and (out.verify.source, out.verify.query, out.verify.within_s) == (
        "prom", "up == 1", 600.0)
    assert out.undo is not None and (out.undo.runbook, out.undo.after_s, out.rollback) == ("scale-in", 1800.0,
                                                                                             "scale-in")
    assert dict(out.match) == {"alertname": "HighMemoryUsage"}
    assert (back.kind, back.argv, back.confirm, back.role, back.auto) == (
        "argv", ("/usr/local/bin/scale", "--to=3", "{{ service }}"), "id", "operator", False)


def test_the_older_form_still_loads():
    config = config_with("""\
        - id: restart
          webhook_url: https://hooks.example.invalid/restart
          method: put
          params: {service: [api, worker]}
          confirm: false
          cooldown: 10m
        """)
    (restart,) = config.actions.runbooks
    assert restart.http is not None and (restart.http.method, restart.http.url) == (
        "PUT", "https://hooks.example.invalid/restart")
    assert (restart.params["service"].allowed, restart.confirm, restart.cooldown_s) == (("api", "worker"), "", 600.0)


@pytest.mark.parametrize(("runbook", "expected"), [
    pytest.param(
        "- {id: a, webhook_url: 'https://h.example.invalid/x', verify_query: 'up == 1'}",
        "wall.yaml:7:59 actions.runbooks[0].verify_query: 'verify_query' is now written "
        "'verify: {source: <a prometheus source id>, query: 'up == 1', within: 5m}'",
        id="verify-query-rewrite"),
    pytest.param(
        "- {id: a, http: {url: 'https://hooks.example.invalid/x?token=abc123'}}",
        "wall.yaml:7:27 actions.runbooks[0].http.url: a secret must not be written in the config file (the URL's "
        "query parameter 'token' looks like a secret; URLs are shown and journalled); send it in a header by reference: "
        "'http: {auth: {header_env: {X-Token: NOC_A_TOKEN}}}' or 'http: {auth: {bearer_token_env: NOC_A_TOKEN}}'",
        id="secret-in-query"),
    pytest.param(
        "- {id: a, webhook_url: 'https://hooks.example.invalid/services/T0AAAA/B0BBBB/XXXXXXXXXXXXXXXXXXXX1234'}",
        "wall.yaml:7:28 actions.runbooks[0].webhook_url: a secret must not be written in the config file (the URL's "
        "path looks like a secret; URLs are shown and journalled); send it in a header by reference: "
        "'http: {auth: {header_env: {X-Token: NOC_A_TOKEN}}}' or 'http: {auth: {bearer_token_env: NOC_A_TOKEN}}'",
        id="secret-in-path"),
    pytest.param(
        "- {id: a, http: {url: 'https://bot:hunter2@hooks.example.invalid/x'}}",
        "wall.yaml:7:27 actions.runbooks[0].http.url: a secret must not be written in the config file; remove the "
        "password from the URL and write 'auth: {basic: {username: bot, password_env: NOC_A_PASSWORD}}'",
        id="password-in-url"),
    pytest.param(
        "- {id: a, http: {url: 'https://{{ host }}/x'}, params: {host: {pattern: '[a-z]+'}}}",
        "wall.yaml:7:27 actions.runbooks[0].http.url: write the scheme and host out, e.g. "
        "https://rundeck.example.com/api/...; placeholders may only fill path segments and query values",
        id="placeholder-in-host"),
    pytest.param(
        "- {id: a, http: {url: 'https://h.example.invalid/{{ svc }}'}}",
        "wall.yaml:7:21 actions.runbooks[0].http: unknown placeholder '{{ svc }}'; declare it under 'params' "
        "(known: none declared)",
        id="unknown-placeholder"),
    pytest.param(
        "- {id: a, argv: [/bin/echo, '{{ svc | upper }}'], params: {svc: {pattern: x}}}",
        "wall.yaml:7:21 actions.runbooks[0].argv: only '{{ name }}' placeholders are allowed (a name of letters, "
        "digits and _); got '{{ svc | upper }}'",
        id="expression-in-template"),
    pytest.param(
        "- {id: a, argv: '/bin/systemctl restart {{ svc }}'}",
        "wall.yaml:7:21 actions.runbooks[0].argv: expected a list of arguments (argv), got a string; "
        "shell command strings are not allowed",
        id="shell-string"),
    pytest.param(
        "- {id: a, argv: ['{{ prog }}'], params: {prog: {allowed: [ls]}}}",
        "wall.yaml:7:21 actions.runbooks[0].argv[0]: the program (argv[0]) must be written out, not a placeholder",
        id="program-placeholder"),
    pytest.param(
        "- {id: a, argv: [/bin/echo, '{{ x }}'], params: {x: {pattern: '.*'}}}",
        "wall.yaml:7:67 actions.runbooks[0].params.x.pattern: the pattern matches an empty value; "
        "write one that needs at least one character",
        id="pattern-matches-empty"),
    pytest.param(
        "- {id: a, argv: [/bin/echo, '{{ x }}'], params: {x: {}}}",
        "wall.yaml:7:57 actions.runbooks[0].params.x: missing required key 'allowed' (or 'pattern')",
        id="param-without-rule"),
    pytest.param(
        "- {id: a, argv: [/bin/true], confirm: service}",
        "wall.yaml:7:43 actions.runbooks[0].confirm: expected true, false or the name of a parameter whose value "
        "the operator types, got 'service'",
        id="confirm-unknown-param"),
    pytest.param(
        "- {id: a, argv: [/bin/true], rollback: b, undo_after: {runbook: a, after: 30m}}",
        "wall.yaml:7:44 actions.runbooks[0].rollback: unknown runbook 'b'; configured runbooks: a",
        id="unknown-rollback"),
    pytest.param(
        "- {id: a, argv: [/bin/true], verify: {source: nope, query: up}}",
        "wall.yaml:7:51 actions.runbooks[0].verify.source: unknown source 'nope'; configured sources: prom",
        id="unknown-verify-source"),
    pytest.param(
        "- {id: a, http: {url: 'https://h.example.invalid/x', headers: {Authorization: Bearer abc}}}",
        "wall.yaml:7:67 actions.runbooks[0].http.headers.Authorization: a secret must not be written in the config "
        "file; write 'auth: {header_env: {Authorization: NOC_A_AUTHORIZATION}}'",
        id="secret-header"),
])
def test_refusals_say_exactly_what_to_write(runbook, expected):
    assert problems_of(runbook) == [expected]


def test_the_example_config_loads():
    config = load_config(ROOT / "config" / "runbooks-example.yaml")
    ids = [r.id for r in config.actions.runbooks]
    assert {"scale-out", "scale-in", "clear-cache", "raise-db-pool", "kill-long-queries", "circuit-breaker",
            "shift-traffic", "renew-certificate"} <= set(ids)
    for runbook in config.actions.runbooks:
        target = runbook.http.url if runbook.http is not None else ""
        assert not target or ".example.invalid" in target
