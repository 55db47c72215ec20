"""The `sla:` section: defaults, the seed's SLA in config/ecommerce.yaml, and file:line problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from noc_app.config.loader import ConfigError, load_config, load_config_text
from noc_app.config.schema import SEED_CREDIT_TIERS, CreditTier, SlaConfig

BASE = """\
sources:
  - {id: prom, kind: prometheus, url: 'http://127.0.0.1:9'}
dashboards:
  - id: main
    panels:
      - {id: note, kind: text, title: Note, text: hi}
"""
SERVICE = """\
sla:
  services:
    - id: api
      source: prom
      availability: {good: 'sum(increase(ok[1m]))', total: 'sum(increase(all[1m]))'}
"""
ROOT = Path(__file__).resolve().parents[2]


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config_text(BASE + text, filename="wall.yaml")
    return [str(p) for p in info.value.problems]


def test_no_sla_section_means_no_services_and_the_seed_tiers():
    config = load_config_text(BASE, filename="wall.yaml")
    assert config.sla == SlaConfig() and config.sla.tiers == SEED_CREDIT_TIERS


def test_a_service_takes_the_seed_defaults():
    (service,) = load_config_text(BASE + SERVICE, filename="wall.yaml").sla.services
    assert (service.uptime_target_pct, service.down_below_pct, service.latency) == (99.9, 99.9, None)
    assert service.title == "api" and service.availability.total == "sum(increase(all[1m]))"


def test_the_ecommerce_config_declares_the_seeds_sla():
    sla = load_config(ROOT / "config" / "ecommerce.yaml").sla
    (service,) = sla.services
    assert sla.tiers == SEED_CREDIT_TIERS and sla.time_zone == "UTC" and sla.step_s == 60
    assert (service.uptime_target_pct, service.latency_threshold_s, service.latency_share_pct) == (99.9, 2.0, 95.0)
    assert service.source == "prom" and service.latency is not None


def test_tiers_and_time_zone_can_be_configured():
    text = SERVICE + "  time_zone: Europe/Berlin\n  gaps: down\n  tiers:\n    - {from: 99, below: 99.9, credit: 5}\n"
    sla = load_config_text(BASE + text, filename="wall.yaml").sla
    assert (sla.time_zone, sla.gaps, sla.tiers) == ("Europe/Berlin", "down",
                                                    (CreditTier(at_least=99.0, below=99.9, credit_pct=5.0),))


@pytest.mark.parametrize(("extra", "expected"), [
    ("  time_zone: Mars/Olympus\n", "wall.yaml:12:14 sla.time_zone: unknown time zone 'Mars/Olympus'"),
    ("  gaps: maybe\n", "sla.gaps"),
    ("  tiers:\n    - {from: 99.9, below: 99.5, credit: 10}\n", "expected 'from' below 'below' (99.5), got 99.9"),
    ("  tiers:\n    - {below: 101, credit: 10}\n", "sla.tiers[0].below"),
    ("  tiers:\n    - {below: 99}\n", "missing required key 'credit'"),
])
def test_bad_sla_values_name_their_place(extra, expected):
    assert any(expected in p for p in problems(SERVICE + extra)), problems(SERVICE + extra)


def test_a_service_needs_a_known_source_and_an_availability_sli():
    found = problems("sla:\n  services:\n    - {id: api, source: nope}\n")
    assert any("missing required key 'availability'" in p for p in found)
    assert any("nope" in p for p in found)
    found = problems("sla:\n  services:\n    - {id: api, source: prom, availability: {good: x}}\n")
    assert any("sla.services[0].availability: missing required key 'total'" in p for p in found)
