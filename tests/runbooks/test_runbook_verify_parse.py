"""What counts as a verification passing: an instant query's answer, as an alert rule reads it."""

from __future__ import annotations

import pytest

from noc_app.actions.runbooks.verify import holds
from noc_app.sources.base import BadAnswer


@pytest.mark.parametrize(("data", "true"), [
    ({"resultType": "vector", "result": []}, False),
    ({"resultType": "vector", "result": [{"metric": {}, "value": [1, "0"]}]}, True),  # `errors < 0.01` while 0
    ({"resultType": "vector", "result": [{"metric": {}, "value": [1, "0.5"]}]}, True),
    ({"resultType": "vector", "result": [{"metric": {}, "value": [1, "NaN"]}]}, False),
    ({"resultType": "vector", "result": [{"metric": {}, "value": [1, "NaN"]}, {"value": [1, "3"]}]}, True),
    ({"resultType": "scalar", "result": [1, "1"]}, True),
    ({"resultType": "scalar", "result": [1, "0"]}, False),
    ({"resultType": "vector", "result": [{"metric": {}}]}, False),
])
def test_holds(data, true):
    assert holds(data) is true


@pytest.mark.parametrize("data", [None, [], {"resultType": "matrix", "result": []}, {"resultType": "string"}])
def test_other_shapes_are_bad_answers(data):
    with pytest.raises(BadAnswer):
        holds(data)
