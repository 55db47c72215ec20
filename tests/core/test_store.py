"""Store transitions: last good data kept on failure, changed only on new content."""

from __future__ import annotations

import numpy as np

from noc_app.model import QueryResult, Series, Snapshot, SourceHealth
from noc_app.sources.base import AuthFailed, Unreachable
from noc_app.store import Store


def _snap(value: float) -> Snapshot:
    series = Series(key="k", name="k", labels={}, x=np.array([1.0]), y=np.array([value]))
    return Snapshot.build("prom", 10.0, metrics={"d/p/0": QueryResult.build([series])})


def test_transitions_keep_last_good_data(qtbot):
    store = Store()
    store.register("prom", "prometheus", 15)
    assert store.status("prom").health is SourceHealth.LOADING
    store.mark_failed("prom", Unreachable("connection refused"), 1.0, 3.0)
    assert store.status("prom").health is SourceHealth.UNREACHABLE
    snap = _snap(1.0)
    store.apply("prom", snap, 2.0, 12.0)
    assert store.status("prom").health is SourceHealth.OK
    store.mark_failed("prom", Unreachable("read timeout"), 3.0, 10_000)
    status = store.status("prom")
    assert status.health is SourceHealth.STALE
    assert store.snapshot("prom") is snap  # never wiped
    assert status.last_success_at == 2.0
    assert status.last_error == "unreachable: read timeout"
    assert status.consecutive_failures == 1
    store.mark_failed("prom", AuthFailed("HTTP 401"), 4.0, 5)
    assert store.status("prom").health is SourceHealth.AUTH_FAILED


def test_changed_only_when_fingerprint_differs(qtbot):
    store = Store()
    store.register("prom", "prometheus", 15)
    changed = []
    store.changed.connect(changed.append)
    store.apply("prom", _snap(1.0), 1.0, 1.0)
    store.apply("prom", _snap(1.0), 2.0, 1.0)  # same content, new object
    store.apply("prom", _snap(2.0), 3.0, 1.0)
    assert changed == ["prom", "prom"]


def test_degraded_snapshot_sets_degraded_health(qtbot):
    store = Store()
    store.register("am", "alertmanager", 15)
    snap = Snapshot.build("am", 1.0, alerts=(), degraded=("peer http://b: connection refused",))
    store.apply("am", snap, 1.0, 1.0)
    assert store.status("am").health is SourceHealth.DEGRADED
    assert store.status("am").degraded == ("peer http://b: connection refused",)
