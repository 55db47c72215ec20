"""Test-wide isolation: offscreen Qt, no user config or data dir is touched."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Point HOME and XDG dirs at a temp dir so no test reads or writes real user state."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    yield


@pytest.fixture(autouse=True)
def _forget_secrets():
    """Secrets a test registers for redaction must not mask text in the next test."""
    from noc_app import redaction

    yield
    redaction.forget_secrets()
