"""The flap tracker is fed on the poll worker (the poller's prepare hook), not on the GUI thread."""

from __future__ import annotations

import threading

from noise_kit import T0, alert

from noc_app.config.loader import load_config_text
from noc_app.model import Snapshot
from noc_app.noise.config import FlapRule
from noc_app.noise.flapping import FLAPS_KEY, FlapTracker
from noc_app.polling import Poller
from noc_app.runtime import Runtime


class _Source:
    id = "am"
    kind = "test"

    def __init__(self) -> None:
        self.polls = 0

    def poll(self) -> Snapshot:
        self.polls += 1
        present = (alert("Blinky", fp="b"),) if self.polls % 2 else ()
        return Snapshot.build("am", T0, alerts=present)

    def close(self) -> None:
        pass


def test_the_prepare_hook_runs_in_the_worker_and_its_snapshot_reaches_the_gui(qtbot):
    tracker = FlapTracker(FlapRule(changes=1, window_s=600), clock=lambda: T0)
    threads = []

    def prepare(sid: str, snap: Snapshot) -> Snapshot:
        threads.append(threading.current_thread() is threading.main_thread())
        return tracker.annotate(sid, snap)

    poller = Poller({"am": _Source()}, {"am": 0.01}, rng=lambda: 0.5, prepare=prepare)
    got: list[Snapshot] = []
    poller.succeeded.connect(lambda sid, snap, ms: got.append(snap))
    poller.start()
    qtbot.waitUntil(lambda: len(got) >= 5, timeout=5000)
    poller.stop()
    assert threads and not any(threads)  # never on the GUI (main) thread
    assert got[4].prepared[FLAPS_KEY].counts == {"b": 2}  # present, gone, present, gone, present


def test_the_runtime_wires_the_tracker_only_when_flapping_is_configured():
    base = ("sources:\n  - {id: demo, kind: demo}\ndashboards:\n  - id: main\n    panels:\n"
            "      - {id: inc, kind: incidents, title: I, source: demo}\n")
    plain = Runtime(load_config_text(base, filename="a.yaml"))
    flapping = Runtime(load_config_text(base + "noise:\n  flapping: {changes: 2}\n", filename="b.yaml"))
    try:
        assert plain.poller._prepare is None
        assert flapping.poller._prepare == flapping.flaps.annotate
    finally:
        plain.poller.stop()
        flapping.poller.stop()
