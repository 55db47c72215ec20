"""An opsgenie source in a config file: its options are checked where they are written, and it gets a backend."""

from __future__ import annotations

import pytest

from noc_app.actions.backends.opsgenie import OpsgenieBackend
from noc_app.actions.wiring import action_backends
from noc_app.config.errors import ConfigError
from noc_app.config.loader import load_config_text

CONFIG = """
version: 1
title: t
mode: operator
sources:
  - id: og
    kind: opsgenie
    url: https://api.eu.opsgenie.com
    auth: {bearer_token_env: NOC_OG_API_KEY}
    options: {query: "status:open AND priority:P1", escalation: Checkout_Escalation, max_pages: 5}
dashboards:
  - id: d
    title: d
    panels:
      - {id: inc, kind: incidents, title: Incidents, source: og, grid: {x: 0, y: 0, w: 12, h: 6}}
"""


def test_options_load_and_the_source_gets_its_action_backend():
    config = load_config_text(CONFIG, filename="wall.yaml")
    (source,) = config.sources
    assert dict(source.options) == {"query": "status:open AND priority:P1", "escalation": "Checkout_Escalation",
                                    "max_pages": 5}
    backends = action_backends(config)
    assert isinstance(backends["og"], OpsgenieBackend)
    read_only = load_config_text(CONFIG.replace("kind: opsgenie", "kind: opsgenie\n    read_only: true"),
                                 filename="wall.yaml")
    assert "og" not in action_backends(read_only)


@pytest.mark.parametrize(("option", "expected"), [
    ("max_pages: 500", "sources[0].options.max_pages: expected a whole number of at most 200, got 500"),
    ("page_size: 101", "sources[0].options.page_size: expected a whole number of at most 100, got 101"),
    ("escalation: ''", "sources[0].options.escalation: expected non-empty text, got ''"),
])
def test_bad_options_are_located(option, expected):
    text = CONFIG.replace("max_pages: 5", option)
    with pytest.raises(ConfigError) as raised:
        load_config_text(text, filename="wall.yaml")
    assert expected in str(raised.value)
