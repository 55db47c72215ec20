"""actions.ack_labels: which labels an Alertmanager ack matches."""

from __future__ import annotations

import pytest

from noc_app.actions.wiring import action_backends
from noc_app.config.loader import ConfigError, load_config_text

BASE = """\
sources:
  - {id: am, kind: alertmanager, url: 'http://am:9093'}
dashboards:
  - id: main
    panels:
      - {id: note, kind: text, title: Note, text: hi}
"""


def test_default_is_alertname_service_and_instance():
    config = load_config_text(BASE, filename="wall.yaml")
    assert config.actions.ack_labels == ()
    assert action_backends(config)["am"]._names == ("alertname", "service", "instance")


def test_ack_labels_reach_the_backend():
    config = load_config_text(BASE + "actions: {ack_labels: [alertname, service, instance]}\n", filename="wall.yaml")
    assert config.actions.ack_labels == ("alertname", "service", "instance")
    assert action_backends(config)["am"]._names == ("alertname", "service", "instance")


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        ("actions: {ack_labels: []}\n",
         ["wall.yaml:7:23 actions.ack_labels: expected at least one label name, got an empty list"]),
        ("actions: {ack_labels: [alertname, 'bad name']}\n",
         ["wall.yaml:7:35 actions.ack_labels[1]: expected a label name like alertname or service, got 'bad name'"]),
        ("actions: {ack_labels: [alertname, alertname]}\n",
         ["wall.yaml:7:35 actions.ack_labels[1]: label 'alertname' is listed twice"]),
    ],
)
def test_bad_ack_labels_are_located(actions, expected):
    with pytest.raises(ConfigError) as info:
        load_config_text(BASE + actions, filename="wall.yaml")
    assert [str(p) for p in info.value.problems] == expected
