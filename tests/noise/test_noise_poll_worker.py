"""The flap tracker is fed on the poll worker (the poller's prepare hook), not on the GUI thread."""

from __future__ import annotations

import threading

from noise_kit import T0, alert, board_panel

from noc_app.config.loader import load_config_text
from noc_app.model import DataState, Severity, Snapshot
from noc_app.noise.config import FlapRule, NoiseConfig
from noc_app.noise.flapping import FLAPS_KEY, FlapTracker
from noc_app.polling import Poller
from noc_app.runtime import Runtime
from noc_app.selectors_incidents import prepared_key, select_incident_board, with_prepared
from noc_app.selectors_noise import NOISE_PREFIX, NoiseMemo, NoisePreparer


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


def test_the_runtime_prepares_noise_on_the_workers():
    base = ("sources:\n  - {id: demo, kind: demo}\ndashboards:\n  - id: main\n    panels:\n"
            "      - {id: inc, kind: incidents, title: I, source: demo}\n")
    runtime = Runtime(load_config_text(base + "noise:\n  flapping: {changes: 2}\n", filename="b.yaml"))
    try:
        assert runtime.poller._prepare == runtime.noise.prepare
        assert runtime.noise.flaps.rule.changes == 2
    finally:
        runtime.poller.stop()


def test_a_board_of_one_source_takes_the_noisy_selection_its_worker_prepared():
    noise = NoiseConfig(warning_min_duration_s=60, topology={"api": ("db",)})
    snap = with_prepared(Snapshot.build("am", T0, alerts=(
        alert("ApiSlow", service="api", starts_at=T0 - 30, fp="a", source="am"),
        alert("DbDown", service="db", starts_at=T0 - 40, fp="d", source="am"),
        alert("Young", Severity.WARNING, starts_at=T0 - 5, fp="y", source="am"))), [("alertname",)])
    prepared = NoisePreparer(noise, clock=lambda: T0).prepare("am", snap)
    worker_made = prepared.prepared[NOISE_PREFIX + prepared_key(("alertname",))]
    memo = NoiseMemo(noise=noise, clock=lambda: T0 + 1)
    board = select_incident_board(board_panel("am"), {"am": prepared}, DataState.OK, memo)
    assert board.noise is worker_made.noise and board.groups is worker_made.groups  # taken as it is
    assert board.noise.held_back == 1 and board.noise.problems[0].cause == "db"
    later = NoiseMemo(noise=noise, clock=lambda: T0 + 55)  # the young warning is due: decided again
    board = select_incident_board(board_panel("am"), {"am": prepared}, DataState.OK, later)
    assert board.noise is not worker_made.noise and board.noise.held_back == 0
