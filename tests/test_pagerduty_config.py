"""The config side of a PagerDuty source: its token reference and its options, checked with their place."""

from __future__ import annotations

import textwrap

import pytest

from noc_app.config.loader import ConfigError, load_config_text
from noc_app.config.schema import AppConfig

BASE = """
version: 1
title: PD
sources:
  - id: pd
    kind: pagerduty
    url: https://api.pagerduty.com
    auth: {auth}
    options: {options}
dashboards:
  - id: d
    title: D
    panels:
      - {{id: i, kind: incidents, title: I, source: pd, grid: {{x: 0, y: 0, w: 12, h: 4}}}}
"""


def _load(auth: str = "{token_env: NOC_PD_TOKEN}", options: str = "{}") -> AppConfig:
    return load_config_text(textwrap.dedent(BASE.format(auth=auth, options=options)), filename="pd.yaml")


def test_token_env_and_token_keyring_name_the_api_key() -> None:
    (source,) = _load().sources
    assert source.auth.bearer is not None and source.auth.bearer.env == "NOC_PD_TOKEN"
    (source,) = _load("{token_keyring: {service: pagerduty, username: noc}}").sources
    assert source.auth.bearer is not None and source.auth.bearer.keyring_service == "pagerduty"


def test_two_token_references_are_one_too_many() -> None:
    with pytest.raises(ConfigError, match="give either 'bearer_token_env' or 'token_env', not both"):
        _load("{bearer_token_env: A, token_env: B}")


def test_an_inline_token_is_refused_with_the_fix() -> None:
    with pytest.raises(ConfigError, match="must not be written in the config file"):
        _load("{token: u+abcdef}")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("{max_pages: 0}", r"sources\[0\].options.max_pages"),
        ("{max_pages: 500}", "at most 100"),
        ("{oncall_refresh: soon}", "oncall_refresh"),
    ],
)
def test_bad_options_are_located(options: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(options=options)
