"""The `state:` section: where the state database lives; a password only by reference."""

from __future__ import annotations

import pytest

from noc_app.config.loader import ConfigError, load_config_text
from noc_app.config.schema import SecretRef, StateConfig

BASE = """\
sources:
  - {id: demo, kind: demo}
dashboards:
  - id: main
    panels:
      - {id: note, kind: text, title: Note, text: hi}
"""


def load(state: str):
    return load_config_text(BASE + state, filename="wall.yaml")


def problems(state: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(state)
    return [str(p) for p in info.value.problems]


def test_no_state_section_means_sqlite_in_the_user_state_dir():
    assert load("").state == StateConfig()


def test_sqlite_and_postgresql_urls():
    assert load("state: {url: 'sqlite:///var/lib/noc/state.db'}\n").state == StateConfig(
        url="sqlite:///var/lib/noc/state.db")
    config = load("state:\n  url: postgresql://noc@db.example:5432/noc?sslmode=require\n"
                  "  password_env: NOC_STATE_PASSWORD\n")
    assert config.state == StateConfig(url="postgresql://noc@db.example:5432/noc?sslmode=require",
                                       password=SecretRef(env="NOC_STATE_PASSWORD"))
    keyring = load("state:\n  url: postgres://noc@db/noc\n  password_keyring: {service: noc-db, username: noc}\n")
    assert keyring.state.password == SecretRef(keyring_service="noc-db", keyring_user="noc")


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param(
            "state:\n  url: postgresql://noc:hunter2@db/noc\n",
            "wall.yaml:8:8 state.url: a secret must not be written in the config file; remove the password "
            "from the URL and write 'password_env: NOC_STATE_PASSWORD' under state",
            id="password-in-url",
        ),
        pytest.param(
            "state:\n  url: postgresql://noc@db/noc?sslmode=require&password=hunter2\n",
            "wall.yaml:8:8 state.url: a secret must not be written in the config file; remove the password "
            "parameter from the URL and write 'password_env: NOC_STATE_PASSWORD' under state",
            id="password-in-query",
        ),
        pytest.param(
            "state:\n  url: postgresql://noc@db/noc\n  password: hunter2\n",
            "wall.yaml:9:3 state.password: a secret must not be written in the config file; put it in an "
            "environment variable and write 'password_env: NOC_STATE_PASSWORD' "
            "(or 'password_keyring: {service: ..., username: ...}')",
            id="password-key",
        ),
        pytest.param(
            "state:\n  url: mysql://noc@db/noc\n",
            "wall.yaml:8:8 state.url: expected sqlite:///absolute/path/state.db or "
            "postgresql://user@host:5432/dbname (leave 'state' out for SQLite in the user's state directory)",
            id="unknown-scheme",
        ),
        pytest.param(
            "state:\n  url: sqlite://relative/state.db\n",
            "wall.yaml:8:8 state.url: expected sqlite:///absolute/path/state.db (three slashes, an absolute path)",
            id="sqlite-relative",
        ),
        pytest.param(
            "state:\n  url: sqlite:///tmp/state.db\n  password_env: NOC_STATE_PASSWORD\n",
            "wall.yaml:9:3 state.password_env: key 'password_env' only applies to a postgresql:// url",
            id="password-for-sqlite",
        ),
        pytest.param(
            "state:\n  url: postgresql://noc@db/noc\n  password_env: not a name\n",
            "wall.yaml:9:17 state.password_env: expected an environment variable name like NOC_STATE_PASSWORD, "
            "got 'not a name'",
            id="bad-env-name",
        ),
        pytest.param(
            "state:\n  path: /tmp/x.db\n",
            "wall.yaml:8:3 state.path: unknown key 'path'; expected one of: url, password_env, password_keyring",
            id="unknown-key",
        ),
    ],
)
def test_bad_state_sections_are_located_and_never_echo_the_password(state, expected):
    found = problems(state)
    assert found == [expected]
    assert not any("hunter2" in p for p in found)


def test_incidents_dedup_key_rule_is_checked_with_its_line():
    from noc_app.config.schema import IncidentsConfig

    assert load("").incidents == IncidentsConfig(dedup_key="")
    assert load("incidents: {dedup_key: label:incident_id}\n").incidents.dedup_key == "label:incident_id"
    assert load("incidents:\n  dedup_key: alias\n").incidents.dedup_key == "alias"
    assert load("incidents:\n  dedup_key: 'off'\n").incidents.dedup_key == ""
    assert problems("incidents:\n  dedup_key: 'label:'\n") == [
        "wall.yaml:8:14 incidents.dedup_key: expected one of off, dedup_key, alias, fingerprint or "
        "label:NAME (a label name), got 'label:'"]
    assert problems("incidents:\n  dedupkey: alias\n")[0].startswith("wall.yaml:8:3 incidents.dedupkey: unknown key")
