"""One dashboard panel: kind, data source, queries, thresholds and grid position."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from noc_app.config.anomaly_section import ANOMALY_KEY, read_anomaly
from noc_app.config.limits import (
    MAX_DECIMALS,
    MAX_GRID_CELLS,
    MAX_PANEL_CELLS,
    MAX_PERIOD_S,
    MAX_ROW_LIMIT,
)
from noc_app.config.panel_display import DISPLAY_KEYS
from noc_app.config.panel_display_section import (
    QUERY_DISPLAY_KEYS,
    check_query_stacking,
    check_right_axis,
    read_display,
    read_query_axis,
)
from noc_app.config.panel_kinds_section import read_kind_options
from noc_app.config.schema import (
    METRIC_PANEL_KINDS,
    PANEL_KINDS,
    GridPos,
    PanelConfig,
    PanelKind,
    QueryConfig,
    Threshold,
)
from noc_app.config.thresholds import parse_threshold_list, thresholds_from_numbers
from noc_app.config.yaml_nodes import (
    FLOAT_TAG,
    INT_TAG,
    STR_TAG,
    MapReader,
    Walk,
    describe,
    mapping_pairs,
)
from noc_app.model import Severity

_PANEL_KEYS = (
    "id", "kind", "title", "source", "sources", "queries", "unit", "decimals", "min", "max",
    "thresholds", "window", "grid", "limit", "text", "options", "slo", "group_by", ANOMALY_KEY, *DISPLAY_KEYS,
)
_NEEDS_SOURCE = (*METRIC_PANEL_KINDS, PanelKind.LOGS, PanelKind.TARGETS)
_NEEDS_QUERIES = METRIC_PANEL_KINDS
_ROW_KINDS = (PanelKind.INCIDENTS, PanelKind.LOGS)
SEVERITY_NAMES = ("critical", "high", "warning", "info")
DEFAULT_SIZE = (6, 4)


@dataclass(frozen=True, kw_only=True, slots=True)
class GridRequest:
    """Where a panel asked to go: a fixed position, or just a size to auto-place."""

    x: int | None
    y: int | None
    w: int
    h: int
    node: Node | None = None  # the grid mapping, to point problems at
    path: str = ""


def read_panel(walk: Walk, node: Node, path: str, namespace: str) -> tuple[PanelConfig, GridRequest] | None:
    """A panel and its grid request; the dashboard places it."""
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    panel = MapReader(walk, mapping, path, _PANEL_KEYS)
    panel_id = panel.text("id", required=True)
    if panel_id is not None:
        walk.declare(namespace, "panel", panel_id, panel.nodes["id"], panel.sub("id"))
    kind = panel.choice("kind", PANEL_KINDS, required=True)
    title = panel.text("title", required=True)
    source, sources = _read_sources(walk, panel, kind)
    query_items = panel.items("queries", required=kind in _NEEDS_QUERIES, noun="query")
    read = [(_read_query(walk, n, p, kind), n, p) for n, p in query_items]
    check_right_axis(walk, [(q, n, p) for q, n, p in read if q is not None])
    queries = tuple(q for q, _, _ in read if q)
    text = panel.text("text", "")
    if kind == PanelKind.TEXT and not panel.has("text"):
        panel.missing("text")
    if kind is not None:
        if kind != PanelKind.TEXT:
            panel.not_for("text", "kind text")
        if kind not in _ROW_KINDS:
            panel.not_for("limit", "kinds incidents and logs")
        if kind != PanelKind.INCIDENTS:
            panel.not_for("group_by", "kind incidents")
    group_by = _read_group_by(walk, panel)
    low, high = panel.number("min"), panel.number("max")
    if low is not None and high is not None and low >= high:
        walk.error(panel.nodes["max"], panel.sub("max"), f"max must be greater than min ({low:g}), got {high:g}")
    thresholds = read_thresholds(walk, panel.nodes["thresholds"], panel.sub("thresholds")) \
        if panel.has("thresholds") else ()
    window = panel.duration("window", 3600.0, minimum=0.0, exclusive=True, maximum=MAX_PERIOD_S)
    limit = panel.integer("limit", 200, minimum=1, maximum=MAX_ROW_LIMIT)
    decimals = panel.integer("decimals", None, minimum=0, maximum=MAX_DECIMALS)
    request = _read_grid(walk, panel)
    unit = panel.text("unit", "")
    display = read_display(walk, panel, kind)
    check_query_stacking(walk, [(q, n, p) for q, n, p in read if q is not None], display, kind)
    slo_id = _read_slo_ref(walk, panel, kind, panel_id)
    anomaly = read_anomaly(walk, panel, kind)
    if panel_id is None or kind is None or title is None:
        return None
    config = PanelConfig(
        id=panel_id,
        kind=kind,
        title=title,
        source=source,
        sources=sources,
        queries=queries,
        unit=unit or "",
        decimals=decimals,
        min=low,
        max=high,
        thresholds=thresholds,
        window_s=window if window is not None else 3600.0,
        text=text or "",
        limit=limit if limit is not None else 200,
        origin=walk.origin(mapping),
        display=display,
        slo_id=slo_id,
        group_by=group_by,
        anomaly=anomaly,
    )
    config = read_kind_options(walk, panel, config)  # bargauge, table, heatmap, status, apdex, clock
    return config, request


def _read_slo_ref(walk: Walk, panel: MapReader, kind: str | None, panel_id: str | None) -> str:
    """kind slo: the `slos:` entry it shows (its `slo:` key, else the panel id)."""
    if kind != PanelKind.SLO:
        if kind is not None:
            panel.not_for("slo", "kind slo")
        return ""
    slo_id = panel.text("slo", panel_id) or ""
    node = panel.nodes.get("slo", panel.nodes.get("id"))
    if slo_id and node is not None:
        walk.refer("slo", slo_id, node, panel.sub("slo"))
    return slo_id


def _read_group_by(walk: Walk, panel: MapReader) -> tuple[str, ...]:
    """`group_by: alertname` or `group_by: [alertname, service]`: the labels an incident row folds by."""
    node = panel.get("group_by")
    if node is None:
        return ("alertname",)
    if isinstance(node, ScalarNode):
        one = walk.text(node, panel.sub("group_by"))
        labels: tuple[str, ...] = (one.strip(),) if one and one.strip() else ()
    else:
        labels = tuple(dict.fromkeys(t.strip() for t in panel.texts("group_by") if t.strip()))
    if not labels:
        walk.error(node, panel.sub("group_by"), "expected a label name or a list of label names, e.g. alertname")
        return ("alertname",)
    return labels


def read_thresholds(walk: Walk, node: Node, path: str) -> tuple[Threshold, ...]:
    """Bare numbers, {value, severity, op} mappings, or Grafana's '1,5' string."""
    if isinstance(node, ScalarNode) and node.tag == STR_TAG:
        try:
            listed = parse_threshold_list(node.value)
        except ValueError:
            walk.error(node, path, f"expected numbers separated by commas like '1,5', got {describe(node)}")
            return ()
        _check_ascending(walk, node, path, listed)
        return thresholds_from_numbers(listed)
    if not isinstance(node, SequenceNode):
        walk.error(node, path, f"expected a list of thresholds or a string like '1,5', got {describe(node)}")
        return ()
    numbers: list[float] = []
    explicit: list[Threshold] = []
    for index, item in enumerate(node.value):
        item_path = f"{path}[{index}]"
        if isinstance(item, MappingNode):
            threshold = _read_threshold(walk, item, item_path)
            if threshold is not None:
                explicit.append(threshold)
        else:
            value = walk.number(item, item_path)
            if value is not None:
                numbers.append(value)
    _check_ascending(walk, node, path, numbers)
    _check_severity_order(walk, node, path, explicit)
    return thresholds_from_numbers(numbers) + tuple(explicit)


def _check_ascending(walk: Walk, node: Node, path: str, numbers: Sequence[float]) -> None:
    """Bare numbers are warning then critical for a rising metric: '5,1' is a mistake, not a sort request."""
    if any(b <= a for a, b in itertools.pairwise(numbers)):
        shown = ",".join(f"{n:g}" for n in numbers)
        fixed = ",".join(f"{n:g}" for n in sorted(set(numbers)))
        walk.error(node, path, f"thresholds '{shown}' are not ascending; expected ascending numbers like "
                               f"'{fixed}' (the last is critical); for a falling metric use op: lt mappings")


def _check_severity_order(walk: Walk, node: Node, path: str, thresholds: Sequence[Threshold]) -> None:
    """A more severe level must lie further into the bad side, or the milder one can never show."""
    for op, word in (("gt", "above"), ("lt", "below")):
        side = [t for t in thresholds if t.op == op]
        for milder, worse in itertools.permutations(side, 2):
            if worse.severity.rank < milder.severity.rank and (
                worse.value < milder.value if op == "gt" else worse.value > milder.value
            ):
                walk.error(node, path, (
                    f"{worse.severity.value} threshold {worse.value:g} (op {op}) must lie {word} the "
                    f"{milder.severity.value} threshold {milder.value:g}; thresholds look reversed"
                ))
                return


def read_severity(walk: Walk, node: Node, path: str) -> Severity | None:
    """A severity name; aliases Severity.parse knows are accepted, unknown ones refused."""
    parsed = Severity.parse(node.value) if isinstance(node, ScalarNode) and node.tag == STR_TAG else None
    if parsed is None or parsed is Severity.UNKNOWN:
        walk.error(node, path, f"expected one of {', '.join(SEVERITY_NAMES)}, got {describe(node)}")
        return None
    return parsed


def _read_threshold(walk: Walk, node: MappingNode, path: str) -> Threshold | None:
    item = MapReader(walk, node, path, ("value", "severity", "op"))
    value_node, severity_node = item.require("value"), item.require("severity")
    value = walk.number(value_node, item.sub("value")) if value_node is not None else None
    severity = read_severity(walk, severity_node, item.sub("severity")) if severity_node is not None else None
    op = item.choice("op", ("gt", "lt"), "gt")
    if value is None or severity is None or op is None:
        return None
    return Threshold(value=value, severity=severity, op=op)


def _read_sources(walk: Walk, panel: MapReader, kind: str | None) -> tuple[str | None, tuple[str, ...]]:
    source = panel.text("source")
    if source is not None:
        walk.refer("source", source, panel.nodes["source"], panel.sub("source"))
    if kind == PanelKind.INCIDENTS and panel.exclusive("source", "sources"):
        return source, ()
    if kind == PanelKind.INCIDENTS and not panel.has("source") and not panel.has("sources"):
        panel.missing("sources", "source")
    names: list[str] = []
    listed = kind == PanelKind.INCIDENTS and panel.has("sources")
    for node, path in panel.items("sources", required=listed, noun="source"):
        name = walk.text(node, path)
        if name is not None:
            walk.refer("source", name, node, path)
            names.append(name)
    if kind == PanelKind.INCIDENTS:
        return (source, (source,)) if source is not None else (None, tuple(names))
    if kind is not None:
        panel.not_for("sources", "kind incidents; use 'source'")
        if kind in _NEEDS_SOURCE and not panel.has("source"):
            panel.missing("source")
    return source, ()


def _read_query(walk: Walk, node: Node, path: str, kind: str | None) -> QueryConfig | None:
    if isinstance(node, ScalarNode) and node.tag in (STR_TAG, INT_TAG, FLOAT_TAG):
        return QueryConfig(expr=node.value)
    if not isinstance(node, MappingNode):
        walk.error(node, path, f"expected a query string or a mapping with expr, got {describe(node)}")
        return None
    query = MapReader(walk, node, path, ("expr", "legend", "instant", *QUERY_DISPLAY_KEYS))
    expr = query.text("expr", required=True)
    axis, unit = read_query_axis(walk, query, kind)
    stack = query.boolean("stack", True)
    legend = query.text("legend", "")
    instant_node = query.get("instant")
    instant = walk.boolean(instant_node, query.sub("instant")) if instant_node is not None else None
    if expr is None:
        return None
    return QueryConfig(expr=expr, legend=legend or "", instant=instant, axis=axis, unit=unit, stack=stack)


def _read_grid(walk: Walk, panel: MapReader) -> GridRequest:
    node = panel.sub_mapping("grid")
    if node is None:
        return GridRequest(x=None, y=None, w=DEFAULT_SIZE[0], h=DEFAULT_SIZE[1])
    grid = MapReader(walk, node, panel.sub("grid"), ("x", "y", "w", "h"))
    given = {key for key, _ in mapping_pairs(node) if key.value in ("x", "y")}
    if len(given) == 1:
        grid.missing("y" if grid.has("x") else "x")
    x = grid.integer("x", None, minimum=0, maximum=MAX_GRID_CELLS)
    y = grid.integer("y", None, minimum=0, maximum=MAX_GRID_CELLS)
    w = grid.integer("w", DEFAULT_SIZE[0], minimum=1, maximum=MAX_PANEL_CELLS) or DEFAULT_SIZE[0]
    h = grid.integer("h", DEFAULT_SIZE[1], minimum=1, maximum=MAX_PANEL_CELLS) or DEFAULT_SIZE[1]
    if x is None or y is None:
        return GridRequest(x=None, y=None, w=w, h=h, node=node, path=panel.sub("grid"))
    return GridRequest(x=x, y=y, w=w, h=h, node=node, path=panel.sub("grid"))


def check_overlaps(walk: Walk, requests: Sequence[GridRequest], ids: Sequence[str]) -> None:
    """Panels with fixed positions that share a grid cell: the later one is the problem."""
    owner: dict[tuple[int, int], int] = {}
    for index, req in enumerate(requests):
        if req.x is None or req.y is None:
            continue
        cells = [(req.x + dx, req.y + dy) for dy in range(req.h) for dx in range(req.w)]
        clash = next(((cell, owner[cell]) for cell in cells if cell in owner), None)
        if clash is not None:
            (x, y), other = clash
            other_req = requests[other]
            line = other_req.node.start_mark.line + 1 if other_req.node is not None else 0
            walk.error(req.node, req.path, (
                f"panel '{ids[index]}' overlaps panel '{ids[other]}' (line {line}) at x={x}, y={y}; "
                "expected panels that do not share grid cells"
            ))
        for cell in cells:
            owner.setdefault(cell, index)


def place_panels(requests: list[GridRequest], columns: int) -> list[GridPos]:
    """Fixed positions as given; the rest go to the first free slot, top-left first.

    Cells only ever fill up, so the first free slot for a given size never moves
    back: each search resumes where the last one of that size stopped, which
    keeps placing n panels linear in n instead of rescanning from the top.
    """
    occupied: set[tuple[int, int]] = set()
    for req in requests:
        if req.x is not None and req.y is not None:
            occupied.update((req.x + dx, req.y + dy) for dx in range(req.w) for dy in range(req.h))
    resume: dict[tuple[int, int], tuple[int, int]] = {}
    placed: list[GridPos] = []
    for req in requests:
        if req.x is not None and req.y is not None:
            placed.append(GridPos(x=req.x, y=req.y, w=req.w, h=req.h))
            continue
        w = min(req.w, columns)
        x, y = _first_free(occupied, w, req.h, columns, resume.get((w, req.h), (0, 0)))
        resume[(w, req.h)] = (x, y)
        occupied.update((x + dx, y + dy) for dx in range(w) for dy in range(req.h))
        placed.append(GridPos(x=x, y=y, w=w, h=req.h))
    return placed


def _first_free(occupied: set[tuple[int, int]], w: int, h: int, columns: int,
                start: tuple[int, int]) -> tuple[int, int]:
    """The first (x, y) at or after start, in reading order, where a w x h panel fits."""
    x0, y = start
    while True:
        for x in range(x0, columns - w + 1):
            if all((x + dx, y + dy) not in occupied for dx in range(w) for dy in range(h)):
                return x, y
        x0, y = 0, y + 1
