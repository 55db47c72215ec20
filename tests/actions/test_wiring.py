"""Opening the state database by URL, building backends from config, CLI exit codes."""

from __future__ import annotations

import pytest

from noc_app.actions.backends.alertmanager import AlertmanagerBackend
from noc_app.actions.model import ActionOutcome, OutcomeStatus
from noc_app.actions.wiring import action_backends, exit_code
from noc_app.config.schema import ActionsConfig, AppConfig, Mode, SourceConfig
from noc_app.state.open import StateUrlError, open_journal, shown_url
from noc_app.state.sqlite import SqliteJournal


def test_sqlite_by_default_and_by_url(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    default = open_journal(None)
    try:
        assert isinstance(default, SqliteJournal) and default.path == tmp_path / "state" / "noc-app" / "state.db"
    finally:
        default.close()
    named = open_journal(f"sqlite://{tmp_path}/room%20one.db")
    try:
        assert named.path == tmp_path / "room one.db" and named.path.exists()
    finally:
        named.close()


@pytest.mark.parametrize("url", ["mysql://u:hunter2@db/noc", "sqlite://host/x.db", "sqlite://"])
def test_unusable_urls_are_refused_without_showing_the_password(url):
    with pytest.raises(StateUrlError) as caught:
        open_journal(url)
    assert "hunter2" not in str(caught.value)


def test_shown_url_masks_the_password():
    assert shown_url("postgresql://noc:hunter2@db.example:5432/noc") == "postgresql://noc:***@db.example:5432/noc"
    assert shown_url("postgresql://db.example/noc") == "postgresql://db.example/noc"


def test_backends_for_writable_alertmanager_sources_only():
    config = AppConfig(
        path="x.yaml", title="t", mode=Mode.OPERATOR, theme="dark", dashboards=(),
        sources=(
            SourceConfig(id="am", kind="alertmanager", url="http://am:9093"),
            SourceConfig(id="am-ro", kind="alertmanager", url="http://am2:9093", read_only=True),
            SourceConfig(id="prom", kind="prometheus", url="http://prom:9090"),
        ),
        actions=ActionsConfig(ack_duration_s=900.0),
    )
    backends = action_backends(config)
    assert list(backends) == ["am"]
    assert isinstance(backends["am"], AlertmanagerBackend)


@pytest.mark.parametrize(("status", "code"), [(OutcomeStatus.DONE, 0), (OutcomeStatus.QUEUED, 3),
                                              (OutcomeStatus.REJECTED, 2), (OutcomeStatus.FAILED, 1)])
def test_exit_codes(status, code):
    assert exit_code(ActionOutcome(request_id="a" * 32, status=status)) == code
