"""Hostile parameter values: each is refused by the baseline/pattern/allow-list or sent safely encoded.

The corpus below is the contract: a strict parameter (`[a-z][a-z0-9-]{0,62}`) must
refuse every value; a permissive one (`.{1,300}`) must refuse the control and
invisible characters, dot segments and over-long values, and send the others
percent-encoded in the URL path and query (the exact bytes are asserted) and
JSON-encoded in the body.  argv runbooks get the value verbatim, never through a
shell (see test_runbook_argv.py).
"""

from __future__ import annotations

import json

import httpx
import pytest
from runbook_helpers import ALICE, INCIDENT, LABELS, config_with, recording_client

from noc_app.actions.errors import InvalidRequest
from noc_app.actions.model import ActionKind, ActionRequest, OutcomeStatus
from noc_app.actions.runbooks.backend import RunbookBackend
from noc_app.actions.runbooks.params import check_params
from noc_app.actions.runbooks.policy import find_runbook

RUNBOOKS = """\
- id: restart
  http:
    method: POST
    url: 'https://rundeck.example.invalid/api/41/job/{{ job }}/{{ note }}/run?service={{ service }}&note={{ note }}'
    body: {argString: '-service {{ service }}', note: '{{ note }}'}
  params:
    job: {allowed: [restart-api]}
    service: {pattern: '[a-z][a-z0-9-]{0,62}'}
    note: {pattern: '.{1,300}'}
  confirm: false
  cooldown: 0s
  max_runs_per_hour: 60
"""

REFUSED = None  # refused even by the permissive parameter
# (case id, value, its exact percent-encoding in the URL, or REFUSED)
CORPUS: list[tuple[str, str, str | None]] = [
    ("semicolon", "a;rm -rf /", "a%3Brm%20-rf%20%2F"),
    ("pipe", "a|nc evil 1", "a%7Cnc%20evil%201"),
    ("ampersand", "a&b=c", "a%26b%3Dc"),
    ("command-substitution", "$(id)", "%24%28id%29"),
    ("backticks", "`id`", "%60id%60"),
    ("redirect-out", "a>/etc/passwd", "a%3E%2Fetc%2Fpasswd"),
    ("redirect-in", "a</etc/shadow", "a%3C%2Fetc%2Fshadow"),
    ("ifs", "${IFS}x", "%24%7BIFS%7Dx"),
    ("double-quote", 'a"b', "a%22b"),
    ("single-quote", "a'b", "a%27b"),
    ("space-and-plus", "a b+c", "a%20b%2Bc"),
    ("newline", "a\nb", REFUSED),
    ("carriage-return", "a\rb", REFUSED),
    ("crlf-header-injection", "a\r\nX-Evil: 1", REFUSED),
    ("nul", "a\x00b", REFUSED),
    ("tab", "a\tb", REFUSED),
    ("traversal", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd"),
    ("dot-dot", "..", REFUSED),
    ("dot", ".", REFUSED),
    ("encoded-traversal", "%2e%2e/admin", "%252e%252e%2Fadmin"),
    ("query-injection", "x?admin=true", "x%3Fadmin%3Dtrue"),
    ("fragment", "x#frag", "x%23frag"),
    ("userinfo", "user@evil.example", "user%40evil.example"),
    ("scheme-relative", "//evil.example/x", "%2F%2Fevil.example%2Fx"),
    ("encoded-slash", "a%2Fb", "a%252Fb"),
    ("template-in-value", "{{ service }}", "%7B%7B%20service%20%7D%7D"),
    ("fullwidth-solidus", "x\uff0fy", "x%EF%BC%8Fy"),
    ("cyrillic-homoglyph", "\u0430pi", "%D0%B0pi"),
    ("rtl-override", "a\u202eb", REFUSED),
    ("zero-width-space", "a\u200bb", REFUSED),
    ("line-separator", "a\u2028b", REFUSED),
    ("over-long", "x" * 257, REFUSED),
    ("leading-dash", "-rf", "-rf"),
]
CASE_COUNT = len(CORPUS)


@pytest.fixture(scope="module")
def config():
    return config_with(RUNBOOKS)


def test_the_corpus_has_every_class_of_case():
    assert CASE_COUNT == 33
    assert sum(1 for _, _, enc in CORPUS if enc is REFUSED) == 11


@pytest.mark.parametrize(("case", "value", "encoded"), CORPUS, ids=[c[0] for c in CORPUS])
def test_a_strict_pattern_refuses_every_hostile_value(config, case, value, encoded):
    runbook = find_runbook(config, "restart")
    with pytest.raises(InvalidRequest, match="parameter 'service'"):
        check_params(runbook, {"job": "restart-api", "service": value, "note": "fine"})


@pytest.mark.parametrize(("case", "value", "encoded"), CORPUS, ids=[c[0] for c in CORPUS])
def test_an_allow_list_refuses_every_hostile_value(config, case, value, encoded):
    runbook = find_runbook(config, "restart")
    with pytest.raises(InvalidRequest, match="parameter 'job'"):
        check_params(runbook, {"job": value, "service": "api", "note": "fine"})


@pytest.mark.parametrize(("case", "value", "encoded"), CORPUS, ids=[c[0] for c in CORPUS])
def test_a_permissive_pattern_sends_the_value_encoded_or_refuses_it(config, journal, case, value, encoded):
    seen: list[httpx.Request] = []
    backend = RunbookBackend(config, journal, client_for=recording_client(seen))
    request = ActionRequest(kind=ActionKind.RUNBOOK, incident=INCIDENT, operator=ALICE, comment="test",
                            labels=LABELS, runbook="restart",
                            params={"job": "restart-api", "service": "api", "note": value})
    if encoded is REFUSED:
        with pytest.raises(InvalidRequest, match="parameter 'note'"):
            backend.perform(request)
        assert seen == []  # nothing was sent
        return
    outcome = backend.perform(request)
    assert outcome.status is OutcomeStatus.DONE
    (sent,) = seen
    assert sent.url.host == "rundeck.example.invalid"
    expected = f"/api/41/job/restart-api/{encoded}/run?service=api&note={encoded}".encode("ascii")
    assert sent.url.raw_path == expected
    assert dict(sent.url.params) == {"service": "api", "note": value}  # one query value each: nothing added
    body = json.loads(sent.content)
    assert body == {"argString": "-service api", "note": value}
    assert sent.content == json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
