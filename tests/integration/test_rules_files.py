"""The alert-rule files the stack loads: seed rules, their fast twin, and the Watchdog."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

import servers

pytestmark = pytest.mark.integration

SEED_RULES = servers.REPO_ROOT / "packaging" / "demo-stack" / "alerts.yml"
PROMTOOL = servers.Binary(path="/usr/bin/promtool", package="prometheus")


def _seconds(duration: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([smh])", duration).groups()
    return int(number) * {"s": 1, "m": 60, "h": 3600}[unit]


def shorten(rule: dict) -> dict:
    """The documented shortening: [5m] windows -> [30s], any `for:` -> 5s."""
    fast = dict(rule)
    fast["expr"] = rule["expr"].replace("[5m]", "[30s]")
    if "for" in rule:
        fast["for"] = "5s"
    return fast


def _groups(path) -> list[dict]:
    return yaml.safe_load(path.read_text())["groups"]


def test_fast_rules_are_the_seed_rules_with_only_windows_shortened():
    seed, fast = _groups(SEED_RULES), _groups(servers.FAST_RULES)
    assert [g["name"] for g in fast] == [g["name"] for g in seed]
    for seed_group, fast_group in zip(seed, fast, strict=True):
        assert fast_group["rules"] == [shorten(r) for r in seed_group["rules"]]


def test_fast_rules_really_are_faster():
    seed_rules = {r["alert"]: r for g in _groups(SEED_RULES) for r in g["rules"]}
    for group in _groups(servers.FAST_RULES):
        for rule in group["rules"]:
            original = seed_rules[rule["alert"]]
            assert _seconds(rule["for"]) < _seconds(original["for"]), rule["alert"]
            assert "[5m]" not in rule["expr"], rule["alert"]


def test_watchdog_always_fires_and_is_not_a_seed_rule():
    (group,) = _groups(servers.WATCHDOG_RULES)
    (rule,) = group["rules"]
    assert rule["alert"] == "Watchdog"
    assert rule["expr"] == "vector(1)" and "for" not in rule
    seed_names = {r["alert"] for g in _groups(SEED_RULES) for r in g["rules"]}
    assert "Watchdog" not in seed_names


def test_rule_files_pass_promtool():
    promtool = servers.require(PROMTOOL)
    result = subprocess.run(
        [promtool, "check", "rules", str(SEED_RULES), str(servers.FAST_RULES), str(servers.WATCHDOG_RULES)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == 3
