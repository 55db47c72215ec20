"""Shared fixtures: a synthetic month served by a loopback Prometheus, and a config pointing at it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_prometheus import FakePrometheus
from synthetic_month import CONFIG, synthetic

from noc_app.config.loader import load_config_text


@pytest.fixture
def prometheus():
    with FakePrometheus(synthetic) as prom:
        yield prom


@pytest.fixture
def config_text(prometheus):
    return CONFIG.format(url=prometheus.url)


@pytest.fixture
def config(config_text):
    return load_config_text(config_text, filename="shop.yaml")


@pytest.fixture(autouse=True)
def _one_application(qapp):
    """pytest-qt's QApplication, made first: a bare QGuiApplication from the report code would stay the
    process's only application, and every widget test after it would abort ("Must construct a QApplication")."""
    return qapp
