"""Poll scheduling: the pure backoff policy and the Poller's one-in-flight rule."""

from __future__ import annotations

import threading

import pytest

from noc_app.backoff import MAX_BACKOFF_S, next_delay, start_phase
from noc_app.model import Snapshot
from noc_app.polling import Poller
from noc_app.sources.base import AuthFailed, RateLimited, Unreachable


@pytest.mark.parametrize(
    ("interval", "failures", "rng", "retry_after", "auth", "expected"),
    [
        (15, 0, 0.5, None, False, 15),  # success: the interval, no jitter
        (15, 1, 0.5, None, False, 30),  # first failure: doubled
        (15, 2, 0.5, None, False, 60),
        (15, 3, 0.5, None, False, MAX_BACKOFF_S),
        (15, 10, 0.5, None, False, MAX_BACKOFF_S),  # capped
        (15, 1, 0.0, None, False, 24),  # -20 % jitter
        (15, 1, 1.0, None, False, 36),  # +20 % jitter
        (15, 1, 0.5, 90, False, 90),  # Retry-After longer than backoff wins
        (15, 2, 0.5, 5, False, 60),  # shorter Retry-After does not shorten backoff
        (15, 1, 0.5, None, True, 300),  # bad credentials: retry slowly
        (600, 1, 0.5, None, False, 600),  # never faster than the interval, even past the cap
        (15, 1, 0.5, 300, False, 300),  # Retry-After beyond the cap is still honoured
    ],
)
def test_next_delay_table(interval, failures, rng, retry_after, auth, expected):
    got = next_delay(interval, failures, retry_after=retry_after, auth_failed=auth, rng=lambda: rng)
    assert got == pytest.approx(expected)


def test_start_phase_is_bounded_and_random():
    assert start_phase(15, lambda: 0.0) == 0.0
    assert start_phase(15, lambda: 1.0) == pytest.approx(0.5)
    assert start_phase(0.2, lambda: 1.0) == pytest.approx(0.1)


class _ScriptedSource:
    """Returns or raises from a script; can hold a poll open to test one-in-flight."""

    def __init__(self, source_id, script, gate: threading.Event | None = None):
        self.id = source_id
        self.kind = "test"
        self.script = list(script)
        self.gate = gate
        self.calls = 0
        self.concurrent = 0
        self.max_concurrent = 0
        self._lock = threading.Lock()

    def poll(self):
        with self._lock:
            self.calls += 1
            self.concurrent += 1
            self.max_concurrent = max(self.max_concurrent, self.concurrent)
        try:
            if self.gate is not None:
                self.gate.wait(5)
            item = self.script.pop(0) if self.script else Snapshot.build(self.id, 0.0)
            if isinstance(item, Exception):
                raise item
            return item
        finally:
            with self._lock:
                self.concurrent -= 1

    def close(self):
        pass


def _poller(sources, interval=0.05):
    return Poller({s.id: s for s in sources}, {s.id: interval for s in sources}, rng=lambda: 0.5)


def test_success_and_failure_signals_reach_the_gui_thread(qtbot):
    snap = Snapshot.build("a", 1.0)
    src = _ScriptedSource("a", [Unreachable("connection refused"), snap])
    poller = _poller([src], interval=0.02)
    failures, successes = [], []
    poller.failed.connect(lambda sid, err, ms: failures.append((sid, err)))
    poller.succeeded.connect(lambda sid, s, ms: successes.append((sid, s)))
    poller.start()
    qtbot.waitUntil(lambda: bool(successes), timeout=5000)
    poller.stop()
    assert isinstance(failures[0][1], Unreachable)
    assert successes[0] == ("a", snap)


def test_only_one_poll_in_flight_per_source(qtbot):
    gate = threading.Event()
    src = _ScriptedSource("slow", [], gate=gate)
    poller = _poller([src], interval=0.01)
    poller.start()
    qtbot.waitUntil(lambda: src.calls == 1, timeout=3000)
    for _ in range(5):
        poller.refresh_now("slow")  # must not start a second poll while one runs
    qtbot.wait(100)
    assert src.calls == 1
    assert poller.in_flight("slow")
    gate.set()
    qtbot.waitUntil(lambda: src.calls >= 2, timeout=3000)  # the pending refresh runs after
    poller.stop()
    assert src.max_concurrent == 1


def test_unexpected_exception_becomes_a_bad_response_not_a_crash(qtbot):
    src = _ScriptedSource("bug", [ZeroDivisionError("oops")])
    poller = _poller([src])
    errors = []
    poller.failed.connect(lambda sid, err, ms: errors.append(err))
    poller.start()
    qtbot.waitUntil(lambda: bool(errors), timeout=3000)
    poller.stop()
    assert "internal error: ZeroDivisionError: oops" in str(errors[0])


def test_backoff_and_retry_after_schedule(qtbot):
    src = _ScriptedSource("r", [RateLimited("slow down", retry_after=42.0), AuthFailed("401")])
    poller = _poller([src], interval=0.05)
    delays = []
    poller.scheduled.connect(lambda sid, d: delays.append(d))
    poller.start()
    qtbot.waitUntil(lambda: len(delays) >= 2, timeout=3000)
    poller.stop()
    assert delays[1] == pytest.approx(42.0)  # after the 429: Retry-After honoured


def test_sources_are_polled_independently(qtbot):
    gate = threading.Event()
    stuck = _ScriptedSource("stuck", [], gate=gate)
    fine = _ScriptedSource("fine", [])
    poller = _poller([stuck, fine], interval=0.02)
    poller.start()
    qtbot.waitUntil(lambda: fine.calls >= 3, timeout=5000)  # a hung source does not block others
    gate.set()
    poller.stop()
    assert stuck.calls == 1
