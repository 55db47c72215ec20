"""The incidents selector (pure): from snapshots to what an incident board shows.

One place decides which alerts a board lists (de-duplicated across its sources,
resolved ones dropped, worst first then newest), how alike alerts fold into one
row, what the header counts, and whether the board may claim to be empty.  The
board widget (widgets/incident_board.py) only paints the `IncidentBoard` it is
given and the `BoardRow`s built here; the panels and detection issues extend
this module rather than write another.

Each row spells its severity three ways (colour, marker shape, "P0 CRITICAL");
muted rows say who muted them and why.  Backend text has its controls and bidi
overrides made visible here, once, for the rows that fit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from noc_app.config.schema import PanelConfig
from noc_app.model import Alert, AlertState, DataState, Severity, Snapshot
from noc_app.noise.shown import NO_NOISE_SHOWN, BoardNoise
from noc_app.panel_keys import panel_sources
from noc_app.selectors_dedup import NO_MEMBERS, Members, merge_duplicates

MUTED_STATES = (AlertState.SILENCED, AlertState.INHIBITED, AlertState.ACKNOWLEDGED)
KEY_LABELS = ("service", "instance", "job", "namespace")
MUTED_TAGS = {
    AlertState.SILENCED: "SILENCED",
    AlertState.ACKNOWLEDGED: "ACKED",
    AlertState.INHIBITED: "INHIBITED",
}
# A rule whose condition holds but whose `for:` has not run out (Prometheus "pending"): shown dimmed,
# below what fires and above what is muted, so a room sees the problem minutes before it pages.
DEVELOPING_TAG = "DEVELOPING"
# Rows fold alerts that share these labels' values (the panel's `group_by`); "alertname" falls back to
# the alert's name for backends without the label (PagerDuty, Opsgenie).
GroupBy = tuple[str, ...]
DEFAULT_GROUP_BY: GroupBy = ("alertname",)
# States in which "No active incidents" is true: the board asked (or holds an answer) and got none.
CALM_EMPTY_STATES = (DataState.OK, DataState.NO_DATA, DataState.STALE)

AlertGroup = tuple[Alert, ...]
CountSegment = tuple[str, Severity | None]
# (source id, snapshot fingerprint) per source of a panel
MemoKey = tuple[tuple[str, str | None], ...]


# -- selection and its memo ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """What a board lists: its alerts in board order, their rows' groups and the header counts.

    Built where the alerts are built (the poll worker, see `prepare_alerts`) for a board
    with one source, so the GUI thread neither sorts nor groups thousands of alerts.
    """

    alerts: tuple[Alert, ...]
    groups: tuple[AlertGroup, ...]
    counts: tuple[CountSegment, ...]
    members: Members = field(default_factory=lambda: NO_MEMBERS)
    group_by: GroupBy = DEFAULT_GROUP_BY
    facts: tuple[GroupFacts, ...] = ()  # one per group when prepared; else computed for the rows that fit
    noise: BoardNoise = field(default_factory=lambda: NO_NOISE_SHOWN)  # see noc_app.selectors_noise


_Selected = Selection  # the name the memo used first


class AlertsMemo:
    """What was selected per panel, keyed on its snapshots' fingerprints.

    The wall re-selects every second to age its panels, and re-sorting and
    grouping 5,000 alerts each time is not free.  Owned by whoever re-selects (the
    wall window makes one and hands it to its views); never module state, so two
    windows, or two tests, never share entries.

    `dedup`: the config's `incidents.dedup_key` rule (see noc_app.selectors_dedup);
    "" merges nothing across backends.
    """

    def __init__(self, dedup: str = "") -> None:
        self.dedup = dedup
        self._entries: dict[str, tuple[MemoKey, _Selected]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def selected(self, panel: PanelConfig, snapshots: Mapping[str, Snapshot | None]) -> _Selected:
        """The panel's selection, re-computed only when a snapshot fingerprint changed."""
        key = _memo_key(panel, snapshots)
        entry = self._entries.get(panel.id)
        if entry is not None and entry[0] == key:
            return entry[1]
        selected = _select(panel, snapshots, self.dedup)
        self._entries[panel.id] = (key, selected)
        return selected


def _memo_key(panel: PanelConfig, snapshots: Mapping[str, Snapshot | None]) -> MemoKey:
    return tuple(
        (sid, snap.fingerprint if (snap := snapshots.get(sid)) is not None else None)
        for sid in panel_sources(panel)
    )


def _select(panel: PanelConfig, snapshots: Mapping[str, Snapshot | None], dedup: str = "") -> _Selected:
    group_by = panel_group_by(panel)
    prepared = _prepared_selection(panel, snapshots, group_by)
    if prepared is not None:
        return prepared
    alerts, members = _collect_alerts(panel, snapshots, dedup)
    return _Selected(alerts=alerts, groups=group_alerts(alerts, group_by), counts=counts_text(alerts) if alerts else (),
                     members=members, group_by=group_by)


def panel_group_by(panel: PanelConfig) -> GroupBy:
    """The labels a panel's rows fold alerts by (its `group_by`; alertname when not configured)."""
    return tuple(getattr(panel, "group_by", ()) or ()) or DEFAULT_GROUP_BY


def prepared_key(group_by: GroupBy) -> str:
    """The key under which a snapshot carries the selection prepared for `group_by`."""
    return "board:" + "\x1f".join(group_by)


def prepare_alerts(alerts: Iterable[Alert], group_by: GroupBy = DEFAULT_GROUP_BY) -> Selection:
    """One source's board selection (unresolved, board order, grouped, counted); run it in the worker.

    A source attaches it to its snapshot (`Snapshot.prepared[prepared_key(group_by)]`, see
    `with_prepared`); a board of that one source then takes it as it is.
    """
    seen: dict[str, Alert] = {}
    for alert in alerts:
        if alert.state is not AlertState.RESOLVED:
            seen.setdefault(alert.fingerprint, alert)
    ordered = tuple(sorted(seen.values(), key=alert_sort_key))
    groups = group_alerts(ordered, group_by)
    return Selection(alerts=ordered, groups=groups, counts=counts_text(ordered) if ordered else (),
                     group_by=group_by, facts=tuple(group_facts(g, group_by) for g in groups))


def with_prepared(snapshot: Snapshot, groupings: Iterable[GroupBy]) -> Snapshot:
    """`snapshot` carrying its alerts' board selection for each grouping (worker side; a no-op without alerts)."""
    if snapshot.alerts is None:
        return snapshot
    prepared = {prepared_key(g): prepare_alerts(snapshot.alerts, g) for g in dict.fromkeys(groupings)}
    return replace(snapshot, prepared=prepared) if prepared else snapshot


def _prepared_selection(
    panel: PanelConfig, snapshots: Mapping[str, Snapshot | None], group_by: GroupBy
) -> Selection | None:
    """The selection its source's worker prepared, for a board of one source (nothing to merge)."""
    sources = panel_sources(panel)
    snap = snapshots.get(sources[0]) if len(sources) == 1 else None
    prepared = getattr(snap, "prepared", None) if snap is not None else None
    found = prepared.get(prepared_key(group_by)) if prepared else None
    return found if isinstance(found, Selection) else None


def _selected(
    panel: PanelConfig, snapshots: Mapping[str, Snapshot | None], memo: AlertsMemo | None
) -> _Selected:
    return memo.selected(panel, snapshots) if memo is not None else _select(panel, snapshots)


def panel_alerts(
    panel: PanelConfig, snapshots: Mapping[str, Snapshot | None], memo: AlertsMemo | None = None
) -> tuple[Alert, ...]:
    """Alerts for an incident board: de-duplicated, worst first, then newest."""
    return _selected(panel, snapshots, memo).alerts


def _collect_alerts(
    panel: PanelConfig, snapshots: Mapping[str, Snapshot | None], dedup: str = ""
) -> tuple[tuple[Alert, ...], Members]:
    """The panel's unresolved alerts, each once, one problem in several backends merged under `dedup`."""
    seen: dict[str, Alert] = {}
    for sid in panel_sources(panel):
        snap = snapshots.get(sid)
        for alert in (snap.alerts or ()) if snap is not None else ():
            if alert.state is AlertState.RESOLVED:
                continue
            seen.setdefault(f"{alert.source_id}:{alert.fingerprint}", alert)
    if not dedup:
        return tuple(sorted(seen.values(), key=alert_sort_key)), NO_MEMBERS
    shown, members = merge_duplicates(seen.values(), dedup, alert_sort_key)
    return tuple(sorted(shown, key=alert_sort_key)), members


def alert_sort_key(alert: Alert) -> tuple[int, int, float, str]:
    """Active before muted; then by priority, a developing (pending) alert after the firing ones of its
    priority (a P0 about to fire matters more than a firing P3); then newest first."""
    developing = alert.state is PENDING_STATE
    return (alert.state in MUTED_STATES, alert.severity.rank * 2 + developing, -alert.starts_at, alert.name)


PENDING_STATE = getattr(AlertState, "PENDING", None)


def group_alerts(alerts: tuple[Alert, ...], group_by: GroupBy = DEFAULT_GROUP_BY) -> tuple[AlertGroup, ...]:
    """Fold alerts that share the `group_by` labels' values (and their state) into one row.

    A rule without aggregation fires once per series (the seed's HighErrorRate gives
    one alert per 5xx status); eleven identical rows would push everything else off
    the board.  `alerts` come in board order, so each group's first member is its worst
    and newest, and the groups keep that order: by priority, then age.  Muted, developing
    and firing members of one name are separate rows (they read, and are acted on, differently).
    """
    groups: dict[tuple[object, ...], list[Alert]] = {}
    others = tuple(label for label in group_by if label != "alertname")
    by_name = "alertname" in group_by
    for alert in alerts:
        labels = alert.labels
        # Enum values, not members, in the key: hashing members is a Python-level call.
        key = (alert.name if by_name else "", alert.state._value_, *(labels.get(k, "") for k in others))
        groups.setdefault(key, []).append(alert)
    # A row reads as its worst member's priority and its oldest member's age ("for 12m"): order by those,
    # so the ages a room reads down one priority are in order (newest first).
    return tuple(sorted((tuple(members) for members in groups.values()), key=_group_sort_key))


def _group_sort_key(group: AlertGroup) -> tuple[int, int, float, str]:
    first = group[0]
    lead = alert_sort_key(first)
    return (lead[0], lead[1], -earliest_start(group), first.name)


def group_title(group: AlertGroup, group_by: GroupBy) -> str:
    """A row's name when the board groups by labels other than alertname: "service=api"."""
    first = group[0]
    return " · ".join(
        (first.name if k == "alertname" else f"{k}={first.labels.get(k) or '(none)'}") for k in group_by
    )


def counts_text(alerts: tuple[Alert, ...]) -> tuple[CountSegment, ...]:
    """Header segments: ('2 P0', CRITICAL), ('1 P1', HIGH), ..., ('2 developing', None), ('3 muted', None)."""
    muted_states = tuple(MUTED_TAGS)  # identity checks on a tuple: no enum hashing per alert
    by_value = Counter(
        a.severity._value_ for a in alerts if a.state not in muted_states and a.state is not PENDING_STATE
    )
    muted = sum(1 for a in alerts if a.state in muted_states)
    developing = sum(1 for a in alerts if a.state is PENDING_STATE) if PENDING_STATE is not None else 0
    active = {Severity(value): n for value, n in by_value.items()}
    parts: list[CountSegment] = [
        (f"{active[sev]} {sev.priority}", sev) for sev in sorted(active, key=lambda s: s.rank)
    ]
    if not parts:
        parts.append(("0 active", None))
    if developing:
        parts.append((f"{developing} developing", None))
    if muted:
        parts.append((f"{muted} muted", None))
    return tuple(parts)


def more_text(board: IncidentBoard, fit: int) -> str:
    """Below the rows that fit: "and 12 more (340 alerts)"; "" when every row fits."""
    hidden = board.groups[fit:]
    if not hidden:
        return ""
    alerts = sum(len(g) for g in hidden)
    return f"and {len(hidden)} more" + (f" ({alerts} alerts)" if alerts != len(hidden) else "")


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """What a row says about all of its group's alerts, computed once per selection (O(alerts))."""

    labels_text: str  # "service=api · 11 alerts, by status" (labels every member shares; what varies)
    started: float  # the earliest start among the members; 0 when none is known
    names_text: str = ""  # rows grouped by other labels: "TargetDown ×3, HighErrorRate ×2, +1 more"


def group_facts(group: AlertGroup, group_by: GroupBy = DEFAULT_GROUP_BY) -> GroupFacts:
    """Only labels every member shares describe the row; the rest is "varies"."""
    alert = group[0]
    shared = [k for k in KEY_LABELS if alert.labels.get(k) and all(a.labels.get(k) == alert.labels[k] for a in group)]
    labels = " · ".join(f"{k}={alert.labels[k]}" for k in shared)
    if len(group) > 1:
        varying = sorted({k for a in group for k, v in a.labels.items() if alert.labels.get(k) != v})
        folded = f"{len(group)} alerts, by {', '.join(varying[:3])}" if varying else f"{len(group)} alerts"
        labels = " · ".join(p for p in (labels, folded) if p)
    names = "" if "alertname" in group_by else names_text(group)
    return GroupFacts(labels_text=labels, started=earliest_start(group), names_text=names)


def names_text(group: AlertGroup, most: int = 3) -> str:
    """The alert names in a group, most frequent first: "TargetDown ×3, HighErrorRate ×2, +1 more"."""
    counted = Counter(a.name for a in group).most_common()
    shown = [f"{name} ×{n}" if n > 1 else name for name, n in counted[:most]]
    if len(counted) > most:
        shown.append(f"+{len(counted) - most} more")
    return ", ".join(shown)


# -- the board's view model ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentBoard:
    """What an incident board draws: its rows' alerts, header counts, and the empty-board words."""

    alerts: tuple[Alert, ...] = ()  # worst first
    groups: tuple[AlertGroup, ...] = ()  # one per painted row, in order
    counts: tuple[CountSegment, ...] = ()  # header segments; empty when there are no alerts
    empty_text: str = ""  # shown instead of rows when there are none; "" while loading
    # One problem in several backends: the shown alert's (source, fingerprint) -> its members, first the
    # shown one's own (see noc_app.selectors_dedup).  Actions go to the members; only merged ones are here.
    members: Members = field(default_factory=lambda: NO_MEMBERS)
    group_by: GroupBy = DEFAULT_GROUP_BY  # the labels its rows fold alerts by
    facts: tuple[GroupFacts, ...] = ()  # per group, when its worker prepared them (else computed per row)
    noise: BoardNoise = field(default_factory=lambda: NO_NOISE_SHOWN)  # flapping, maintenance, problems

    def facts_of(self, index: int) -> GroupFacts:
        return self.facts[index] if index < len(self.facts) else group_facts(self.groups[index], self.group_by)

    def members_of(self, alert: Alert) -> tuple[Alert, ...]:
        """The backend incidents behind a shown alert: its members when merged, else the alert itself."""
        return self.members.get((alert.source_id, alert.fingerprint), (alert,))

    @property
    def claims_empty(self) -> bool:
        """True when the board may say that nothing is firing."""
        return not self.alerts and self.empty_text == EMPTY_CALM


EMPTY_CALM = "No active incidents"
EMPTY_DEGRADED = "No alerts received — feed degraded"
EMPTY_UNKNOWN = "Incident state unknown"
NO_BOARD = IncidentBoard()


def empty_text(has_alerts: bool, state: DataState) -> str:
    """Words for a board without rows; never "no incidents" when the board could not ask."""
    if has_alerts:
        return ""
    if state is DataState.DEGRADED:
        # e.g. the dead man's switch is missing: "nothing firing" may be a broken pipeline
        return EMPTY_DEGRADED
    if state in CALM_EMPTY_STATES:
        return EMPTY_CALM
    if state is DataState.LOADING:
        return ""
    return EMPTY_UNKNOWN


def board_from_alerts(
    alerts: tuple[Alert, ...], state: DataState, group_by: GroupBy = DEFAULT_GROUP_BY
) -> IncidentBoard:
    """The board for alerts already selected and sorted (drives a board directly, e.g. in tests)."""
    return IncidentBoard(
        alerts=alerts,
        groups=group_alerts(alerts, group_by),
        counts=counts_text(alerts) if alerts else (),
        empty_text=empty_text(bool(alerts), state),
        group_by=group_by,
    )


def select_incident_board(
    panel: PanelConfig,
    snapshots: Mapping[str, Snapshot | None],
    state: DataState,
    memo: AlertsMemo | None = None,
) -> IncidentBoard:
    """The incident board of `panel` from its sources' snapshots and the panel's data state."""
    selected = _selected(panel, snapshots, memo)
    return IncidentBoard(
        alerts=selected.alerts,
        groups=selected.groups,
        counts=selected.counts,
        empty_text=empty_text(bool(selected.alerts), state),
        members=selected.members,
        group_by=selected.group_by,
        facts=selected.facts,
        noise=selected.noise,
    )


def earliest_start(group: AlertGroup) -> float:
    starts = [a.starts_at for a in group if a.starts_at > 0]
    return min(starts) if starts else 0.0
