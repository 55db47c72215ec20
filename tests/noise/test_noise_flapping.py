"""Flapping: fire/resolve cycles counted over injected times, the tracker bounded, the predicate pure."""

from __future__ import annotations

import pytest
from noise_kit import T0, alert, snapshot

from noc_app.noise.config import FlapRule
from noc_app.noise.flapping import FLAPS_KEY, FlapReport, FlapTracker, flap_count, flapping_count, is_flapping

RULE = FlapRule(changes=2, window_s=600)  # flapping when it resolved more than twice in 10 minutes


@pytest.mark.parametrize(("times", "now", "window", "expected"), [
    ((), T0, 600, 0),
    ((T0 - 10, T0 - 20, T0 - 30), T0, 600, 3),
    ((T0 - 700, T0 - 20), T0, 600, 1),  # the old one is out of the window
    ((T0 - 600,), T0, 600, 1),  # the window's edge counts
    ((T0 + 5,), T0, 600, 0),  # a time after now (clock skew) does not count
])
def test_flap_count(times, now, window, expected):
    assert flap_count(times, now, window) == expected


def _poll(tracker, present, now, sid="src"):
    return tracker.observe(sid, present, now)


def test_three_cycles_in_the_window_make_it_flapping_and_it_is_held_while_gone():
    tracker = FlapTracker(RULE)
    a = alert("HighLatency", fp="a1")
    report = FlapReport()
    t = T0
    for _ in range(3):  # fire, resolve: three cycles, one poll apart
        assert _poll(tracker, [a], t).counts == {}  # at most two cycles so far
        t += 30
        report = _poll(tracker, [], t)
        t += 30
    assert report.counts == {"a1": 3}
    assert [h.fingerprint for h in report.held] == ["a1"]  # gone this poll, still shown once
    report = _poll(tracker, [a], t)
    assert report.counts == {"a1": 3} and report.held == ()  # back: tagged, not held


def test_two_cycles_are_not_flapping_and_old_cycles_expire():
    tracker = FlapTracker(RULE)
    a = alert("HighLatency", fp="a1")
    for t in (T0, T0 + 60):
        _poll(tracker, [a], t)
        _poll(tracker, [], t + 30)
    assert _poll(tracker, [a], T0 + 120).counts == {}  # exactly `changes` cycles: not more than 2
    _poll(tracker, [], T0 + 150)
    assert _poll(tracker, [a], T0 + 160).counts == {"a1": 3}
    assert _poll(tracker, [a], T0 + 30 + 601).counts == {}  # the first resolve left the window: 2 again


def test_sources_are_tracked_apart_and_quiet_identities_are_forgotten():
    tracker = FlapTracker(RULE, max_identities=3)
    for i in range(10):
        _poll(tracker, [alert("A", fp=f"f{i}")], T0 + i)
    _poll(tracker, [], T0 + 20)
    assert len(tracker._by_source["src"]) <= 3
    _poll(tracker, [alert("A", fp="x")], T0, sid="other")
    assert set(tracker._by_source) == {"src", "other"}
    _poll(tracker, [], T0 + 20 + 601)  # gone and quiet for a whole window
    assert tracker._by_source["src"] == {}


def test_annotate_attaches_the_report_and_the_predicate_reads_it():
    clock = iter([T0, T0 + 30, T0 + 60, T0 + 90, T0 + 120, T0 + 150, T0 + 180])
    tracker = FlapTracker(RULE, clock=lambda: next(clock))
    a, b = alert("A", fp="a"), alert("B", fp="b")
    snap = snapshot(a, b)
    for present in ([a, b], [b], [a, b], [b], [a, b], [b], [a, b]):
        snap = tracker.annotate("src", snapshot(*present))
    assert snap.prepared[FLAPS_KEY].counts == {"a": 3}
    snaps = {"src": snap}
    assert is_flapping(a, snaps) and flapping_count(a, snaps) == 3
    assert not is_flapping(b, snaps)
    assert not is_flapping(alert("A", fp="a", source="elsewhere"), snaps)  # another source's identity
    assert not is_flapping(a, {"src": snapshot(a)})  # no report: not flapping


def test_a_disabled_rule_leaves_snapshots_alone():
    tracker = FlapTracker(FlapRule())
    snap = snapshot(alert("A"))
    assert tracker.annotate("src", snap) is snap
