"""Build an Alertmanager poll's alerts and boards in the parse worker process (see sources/offload.py).

Reading 5,000 gettableAlerts, resolving their mute lineage, hashing their content
and sorting and grouping them for the boards is a few hundred milliseconds of
Python; in a poll thread it holds the GIL in 5 ms slices all that time, and the
GUI thread waits for each slice.  For big answers all of it runs in the worker
process instead, which sends back only what the parent takes in without a long
C call: the alerts as marshal chunks of plain field tuples, and each board as
lists of indices into them.  The parent rebuilds the objects in a short loop
(no parsing, no hashing: the content key comes along) and the boards from the
indices.  Small answers, and anything the worker cannot do, are built in the
calling thread by the same code.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import marshal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from noc_app.model import Alert, AlertState, Severity
from noc_app.selectors_incidents import GroupBy, GroupFacts, Selection, prepare_alerts
from noc_app.sources.alertmanager_parse import Silence, merge_alerts, parse_alert_list, read_alert, to_alerts
from noc_app.sources.base import BadAnswer
from noc_app.sources.deadman import read_deadman
from noc_app.sources.offload import OFFLOAD_MIN_BYTES, load_json, run_in_worker

log = logging.getLogger(__name__)

_FIELDS = tuple(f.name for f in dataclasses.fields(Alert))
_ENUMS: Mapping[str, type[enum.Enum]] = {"severity": Severity, "state": AlertState}
_MAPPINGS = ("labels", "annotations")
ALERTS_PER_CHUNK = 250  # ~50 KB of marshal per chunk: well under a millisecond to load


@dataclass(frozen=True, slots=True)
class BuiltAlerts:
    """One poll's alerts, ready for the snapshot."""

    alerts: tuple[Alert, ...]
    peer_errors: tuple[str | None, ...]  # per peer body: why it was unusable, or None
    dropped: tuple[str, ...]  # reasons single alerts were left out
    degraded: tuple[str, ...]  # the dead man's switch is missing
    info: dict[str, str]
    prepared: dict[GroupBy, Selection]


@dataclass(frozen=True, slots=True)
class _Transport:
    """BuiltAlerts as the worker sends it: bytes and small lists only."""

    chunks: tuple[bytes, ...]
    peer_errors: tuple[str | None, ...]
    dropped: tuple[str, ...]
    degraded: tuple[str, ...]
    info: dict[str, str]
    boards: tuple[tuple[GroupBy, bytes], ...]  # marshal of (order, groups, counts, facts) per grouping


def build_alerts(
    bodies: Sequence[bytes],
    *,
    silences: Mapping[str, Silence],
    source_id: str,
    now: float,
    deadman: str = "",
    show_deadman: bool = False,
    groupings: Sequence[GroupBy] = (),
    what: str = "alerts",
) -> BuiltAlerts:
    """The alerts of every peer's /api/v2/alerts body, merged, with lineage and the planned boards."""
    if sum(len(b) for b in bodies) >= OFFLOAD_MIN_BYTES:
        try:
            transport = run_in_worker(
                build_transport, marshal.dumps(tuple(bodies)), silences=dict(silences), source_id=source_id,
                now=now, deadman=deadman, show_deadman=show_deadman, groupings=tuple(groupings), what=what,
            )
            return from_transport(transport)
        except (ValueError, TypeError, EOFError) as exc:  # a field marshal cannot carry: build here
            log.warning("building alerts in the worker failed (%s); building them in the poll thread", exc)
    return _build(bodies, silences=silences, source_id=source_id, now=now, deadman=deadman,
                  show_deadman=show_deadman, groupings=groupings, what=what)


def _build(
    bodies: Sequence[bytes], *, silences: Mapping[str, Silence], source_id: str, now: float, deadman: str,
    show_deadman: bool, groupings: Sequence[GroupBy], what: str,
) -> BuiltAlerts:
    peer_raw = []
    errors: list[str | None] = []
    dropped: list[str] = []
    for body in bodies:
        try:
            # Each alert is read as its chunk arrives: thousands of raw JSON dicts never pile up.
            peer_raw.append(parse_alert_list(load_json(body, what=what, each=read_alert), what=what, dropped=dropped))
            errors.append(None)
        except BadAnswer as exc:
            errors.append(str(exc))
    alerts = to_alerts(merge_alerts(peer_raw), silences, source_id=source_id, now=now) if peer_raw else ()
    reading = read_deadman(alerts, deadman, show=show_deadman)
    prepared = {g: prepare_alerts(reading.alerts, g) for g in dict.fromkeys(groupings)}
    return BuiltAlerts(reading.alerts, tuple(errors), tuple(dropped), reading.degraded, reading.info, prepared)


# -- the worker process's side ---------------------------------------------------------


def build_transport(packed: bytes, **kwargs: Any) -> _Transport:
    """In the worker: build everything, then flatten it for the trip back."""
    built = _build(marshal.loads(packed), **kwargs)
    index = {id(a): i for i, a in enumerate(built.alerts)}
    rows = [_flat(a) for a in built.alerts]
    chunks = tuple(marshal.dumps(rows[i: i + ALERTS_PER_CHUNK]) for i in range(0, len(rows), ALERTS_PER_CHUNK))
    boards = tuple(
        (grouping, marshal.dumps((
            [index[id(a)] for a in sel.alerts],
            [[index[id(a)] for a in group] for group in sel.groups],
            [(text, sev.value if sev is not None else None) for text, sev in sel.counts],
            [(f.labels_text, f.started, f.names_text) for f in sel.facts],
        )))
        for grouping, sel in built.prepared.items()
    )
    return _Transport(chunks, built.peer_errors, built.dropped, built.degraded, built.info, boards)


def _flat(alert: Alert) -> tuple[Any, ...]:
    values = []
    for name in _FIELDS:
        value = getattr(alert, name)
        if name in _ENUMS:
            value = value.value
        elif name in _MAPPINGS:
            value = tuple(value.items())
        values.append(value)
    return tuple(values)


# -- back in the polling thread ----------------------------------------------------------


def from_transport(transport: _Transport) -> BuiltAlerts:
    """Rebuild the alerts (no parsing, no hashing) and the boards from their indices."""
    alerts: list[Alert] = []
    for chunk in transport.chunks:  # one short marshal.loads per chunk: the GUI thread gets turns
        alerts.extend(_rebuilt(values) for values in marshal.loads(chunk))
    prepared: dict[GroupBy, Selection] = {}
    for grouping, packed in transport.boards:
        order, groups, counts, facts = marshal.loads(packed)
        prepared[tuple(grouping)] = Selection(
            alerts=tuple(alerts[i] for i in order),
            groups=tuple(tuple(alerts[i] for i in group) for group in groups),
            counts=tuple((text, Severity(sev) if sev is not None else None) for text, sev in counts),
            group_by=tuple(grouping),
            facts=tuple(GroupFacts(labels_text=t, started=s, names_text=n) for t, s, n in facts),
        )
    return BuiltAlerts(tuple(alerts), transport.peer_errors, transport.dropped, transport.degraded,
                       transport.info, prepared)


def _rebuilt(values: Sequence[Any]) -> Alert:
    """An Alert from its flat fields, content key included: what the worker built, not built again."""
    alert = object.__new__(Alert)
    for name, value in zip(_FIELDS, values, strict=True):
        if name in _ENUMS:
            value = _ENUMS[name](value)
        elif name in _MAPPINGS:
            value = _frozen(value)
        object.__setattr__(alert, name, value)
    return alert


def _frozen(pairs: Sequence[tuple[str, str]]) -> Mapping[str, str]:
    from types import MappingProxyType

    return MappingProxyType(dict(pairs))  # already key-sorted by freeze_labels in the worker
