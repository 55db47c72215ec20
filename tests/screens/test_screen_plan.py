"""The placement policy: which window on which monitor, and what a missing monitor's window does."""

from __future__ import annotations

import pytest

from noc_app.screen_plan import Placement, ScreenRequest, plan_screens

LEFT_RIGHT = ("left", "right")


def _req(window_id: str, index: int = 0, name: str | None = None) -> ScreenRequest:
    return ScreenRequest(window_id=window_id, index=index, name=name)


@pytest.mark.parametrize(
    ("requests", "present", "expected", "problems"),
    [
        # all present: by index
        ((_req("a", 0), _req("b", 1)), LEFT_RIGHT,
         (Placement(window_id="a", screen=0), Placement(window_id="b", screen=1)), 0),
        # by name, in any order
        ((_req("a", name="right"), _req("b", name="left")), LEFT_RIGHT,
         (Placement(window_id="a", screen=1), Placement(window_id="b", screen=0)), 0),
        # index beyond those present: hosted by the last monitor
        ((_req("a", 0), _req("b", 1), _req("c", 5)), LEFT_RIGHT,
         (Placement(window_id="a", screen=0), Placement(window_id="b", screen=1),
          Placement(window_id="c", screen=1, hosted=True)), 1),
        # a named monitor unplugged
        ((_req("a", name="left"), _req("b", name="HDMI-1")), ("left",),
         (Placement(window_id="a", screen=0), Placement(window_id="b", screen=0, hosted=True)), 1),
        # the name wins over the index
        ((_req("a", 0, name="right"),), LEFT_RIGHT, (Placement(window_id="a", screen=1),), 0),
        # nothing attached: nothing placed, said once
        ((_req("a"), _req("b", 1)), (), (), 1),
    ],
)
def test_plan_table(requests, present, expected, problems) -> None:
    plan = plan_screens(requests, present)
    assert plan.placements == expected
    assert len(plan.problems) == problems


def test_shared_monitor_lists_its_own_window_first() -> None:
    plan = plan_screens((_req("gone", 3), _req("own", 0)), ("only",))
    assert plan.on_screen(0) == ("own", "gone")
    assert plan.screen_of("gone") == 0
    assert "screen 3" in plan.problems[0] and "'only'" in plan.problems[0]
