"""The incidents selector with noise reduction and correlation: what a wall's boards show.

`NoiseMemo` is the `AlertsMemo` a wall uses when it has a config: it takes the plain
selection (noc_app.selectors_incidents) and applies noc_app.noise on top: maintenance and
flapping rows tagged and sorted below the active ones, young warnings held back, problems and
their probable cause as hint lines, and the folded count in the header ("312 alerts → 9
incidents").  Re-decided when a snapshot (or a worker's flap report) changed, or when time
makes a decision change (a warning reaching its minimum age, a window opening).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from noc_app.config.schema import AppConfig, PanelConfig
from noc_app.display_text import visible
from noc_app.model import Alert, AlertState, Snapshot
from noc_app.noise.config import NO_NOISE, NoiseConfig
from noc_app.noise.correlation import Problem, entity, incidents_in, problem_of, problems
from noc_app.noise.flapping import FlapReport, FlapTracker, report_of
from noc_app.noise.reduce import duration_words, reduce_alerts
from noc_app.noise.shown import BoardNoise
from noc_app.panel_keys import panel_sources
from noc_app.selectors_board_rows import row_key
from noc_app.selectors_incidents import (
    AlertsMemo,
    CountSegment,
    IncidentBoard,
    MemoKey,
    Selection,
    _memo_key,
    _select,
    counts_text,
    group_alerts,
    panel_group_by,
    prepared_key,
)

MAX_HINTS = 3  # problem lines a board shows above its rows
# Alerts (in board order: worst first) correlated per board: in a storm of thousands, linking them all
# costs a GUI-thread stall and says nothing ("5,000 incidents, probable cause: ...").
MAX_CORRELATED = 1000
NOISE_PREFIX = "noise:"  # Snapshot.prepared key of a worker-prepared noisy selection: NOISE_PREFIX + board key
_FIRING = (AlertState.FIRING,)


def folded_text(raw_alerts: int, rows: int) -> str:
    """'312 alerts → 9 incidents'; "" when nothing was folded."""
    if raw_alerts <= rows:
        return ""
    return f"{raw_alerts} alerts → {rows} incident" + ("" if rows == 1 else "s")


def hint_line(problem: Problem) -> str:
    """'4 incidents · probable cause: db (started first, payments and checkout depend on it)'."""
    return visible(f"{len(incidents_in(problem.members))} incidents · {problem.hint}")  # labels: backend text


def raw_alert_count(panel: PanelConfig, snapshots: Mapping[str, Snapshot | None]) -> int:
    """Unresolved alerts in the board's sources, before any de-duplication or folding."""
    total = 0
    for sid in panel_sources(panel):
        snap = snapshots.get(sid)
        alerts = (snap.alerts or ()) if snap is not None else ()
        total += sum(1 for a in alerts if a.state is not AlertState.RESOLVED)
    return total


def noisy_selection(
    base: Selection, raw_alerts: int, reports: Mapping[str, FlapReport], noise: NoiseConfig, now: float
) -> Selection:
    """`base` with noise reduction applied and its problems found (pure)."""
    tags: Mapping[tuple[str, str], str] = {}
    notes: Mapping[tuple[str, str], str] = {}
    held_back, until = 0, float("inf")
    selection = base
    if noise.reduces:
        reduced = reduce_alerts(base.alerts, reports, noise, now)
        tags, notes, held_back, until = reduced.tags, reduced.notes, reduced.held_back, reduced.until
        if tags or held_back:
            groups = (group_alerts(reduced.active, base.group_by) + group_alerts(reduced.flapping, base.group_by)
                      + group_alerts(reduced.maintenance, base.group_by))
            shown = tuple(a for g in groups for a in g)
            counts = counts_text(reduced.active) if reduced.active else ((("0 active", None),) if shown else ())
            extra: list[CountSegment] = []
            if reduced.flapping:
                extra.append((f"{len(reduced.flapping)} flapping", None))
            if reduced.maintenance:
                extra.append((f"{len(reduced.maintenance)} in maintenance", None))
            if held_back:
                extra.append((f"{held_back} held < {duration_words(noise.warning_min_duration_s)}", None))
            selection = replace(base, alerts=shown, groups=groups, counts=counts + tuple(extra), facts=())
            if not shown:
                selection = replace(selection, counts=tuple(extra))
    firing = [a for a in selection.alerts if a.state in _FIRING and (a.source_id, a.fingerprint) not in tags]
    found = problems(firing[:MAX_CORRELATED], noise.topology, noise.correlation)
    notes = {**notes, **_problem_notes(found, selection)}
    folded = folded_text(raw_alerts, len(selection.groups))
    counts = selection.counts + (((folded, None),) if folded and selection.counts else ())
    hints = tuple(hint_line(p) for p in found[:MAX_HINTS])
    signature = (tuple(sorted(tags.items())), tuple(sorted(notes.items())), hints, raw_alerts, held_back)
    shown_noise = BoardNoise(tags=tags, notes=notes, hints=hints, problems=found, raw_alerts=raw_alerts,
                             held_back=held_back, until=until, signature=signature)
    return replace(selection, counts=counts, noise=shown_noise)


def _problem_notes(found: tuple[Problem, ...], selection: Selection) -> dict[tuple[str, str], str]:
    """Per row holding a problem's member: "probable cause" or "linked to db" (O(alerts))."""
    where = {(m.source_id, m.fingerprint): p for p in found for m in p.members}
    notes: dict[tuple[str, str], str] = {}
    for group in selection.groups if found else ():
        held = [(where[k], a) for a in group if (k := (a.source_id, a.fingerprint)) in where]
        if held:
            problem = held[0][0]
            cause = any(p is problem and entity(a) == problem.cause for p, a in held)
            notes[row_key(group)] = "probable cause" if cause else f"linked to {problem.cause}"
    return notes


def prepare_noise(snapshot: Snapshot, noise: NoiseConfig, now: float) -> Snapshot:
    """Worker side: next to each board selection its source prepared, that selection with noise applied,
    so a board of that one source takes it as it is (no grouping or correlation on the GUI thread)."""
    if snapshot.alerts is None:
        return snapshot
    boards = {k: v for k, v in snapshot.prepared.items() if k.startswith("board:") and isinstance(v, Selection)}
    if not boards:
        return snapshot
    raw = sum(1 for a in snapshot.alerts if a.state is not AlertState.RESOLVED)
    reports = {snapshot.source_id: report_of(snapshot)}
    noisy = {NOISE_PREFIX + k: noisy_selection(v, raw, reports, noise, now) for k, v in boards.items()}
    return replace(snapshot, prepared={**snapshot.prepared, **noisy})


class NoisePreparer:
    """The poller's prepare hook (runs on the poll workers): flap history, then the noisy selections."""

    def __init__(self, noise: NoiseConfig, clock: Callable[[], float] = time.time) -> None:
        self.noise = noise
        self.flaps = FlapTracker(noise.flapping, clock=clock)
        self._clock = clock

    def prepare(self, source_id: str, snapshot: Snapshot) -> Snapshot:
        return prepare_noise(self.flaps.annotate(source_id, snapshot), self.noise, self._clock())


def _prepared_noisy(panel: PanelConfig, snapshots: Mapping[str, Snapshot | None], now: float) -> Selection | None:
    """The noisy selection a board's one source prepared, while its decisions still hold."""
    sources = panel_sources(panel)
    snap = snapshots.get(sources[0]) if len(sources) == 1 else None
    found = snap.prepared.get(NOISE_PREFIX + prepared_key(panel_group_by(panel))) if snap is not None else None
    return found if isinstance(found, Selection) and now < found.noise.until else None


class NoiseMemo(AlertsMemo):
    """An AlertsMemo that applies the config's `noise:` and `topology:` (see the module docstring)."""

    def __init__(self, dedup: str = "", noise: NoiseConfig = NO_NOISE, clock: Callable[[], float] = time.time) -> None:
        super().__init__(dedup)
        self.noise = noise
        self._clock = clock
        self._noisy: dict[str, tuple[MemoKey, tuple[FlapReport, ...], Selection]] = {}

    def __len__(self) -> int:
        return len(self._noisy)

    def clear(self) -> None:
        super().clear()
        self._noisy.clear()

    def selected(self, panel: PanelConfig, snapshots: Mapping[str, Snapshot | None]) -> Selection:
        key = _memo_key(panel, snapshots)
        reports = tuple(report_of(snapshots.get(sid)) for sid in panel_sources(panel))
        now = self._clock()
        entry = self._noisy.get(panel.id)
        if (entry is not None and entry[0] == key and now < entry[2].noise.until
                and all(a is b for a, b in zip(entry[1], reports, strict=True))):
            return entry[2]
        selection = _prepared_noisy(panel, snapshots, now)
        if selection is None:
            base = _select(panel, snapshots, self.dedup)
            by_source = dict(zip(panel_sources(panel), reports, strict=True))
            selection = noisy_selection(base, raw_alert_count(panel, snapshots), by_source, self.noise, now)
        self._noisy[panel.id] = (key, reports, selection)
        return selection


def memo_for(config: AppConfig, clock: Callable[[], float] = time.time) -> AlertsMemo:
    """The incidents memo of a wall or a snapshot built from `config` (dedup rule, noise, topology);
    `clock`: wall time (epoch seconds), which windows and minimum durations are judged against."""
    return NoiseMemo(dedup=config.incidents.dedup_key, noise=config.noise, clock=clock)


def quiet_tag(board: IncidentBoard, alert: Alert) -> str:
    """The board's noise tag of `alert` ("FLAPPING ×7 in 10m", "MAINTENANCE") or "": a sound, a flash or a
    takeover skips an alert with a tag, as the board shows it calm."""
    return board.noise.tags.get((alert.source_id, alert.fingerprint), "")


def problem_lines(
    group: Sequence[Alert], snapshots: Mapping[str, Snapshot | None], noise: NoiseConfig
) -> tuple[str, ...]:
    """The incident detail's probable-cause section: the problem holding this group, as plain lines; () if none."""
    firing = [a for snap in snapshots.values() if snap is not None and snap.alerts
              for a in snap.alerts if a.state in _FIRING]
    found = problems(firing[:MAX_CORRELATED], noise.topology, noise.correlation)
    problem = next((p for a in group if (p := problem_of(a, found)) is not None), None)
    if problem is None:
        return ()
    linked = ", ".join(dict.fromkeys(a.name for a in problem.members))
    return (visible(problem.hint), visible(f"linked: {linked}"),
            visible("cause ranking: " + " → ".join(problem.ranking)))
