"""Pure selectors of the bar gauge, table and status panels: rows, order, names, judgement.

Widgets draw what these return; nothing here imports Qt.  Severity comes from
`noc_app.selectors.threshold_severity` (the one threshold judgement).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from noc_app.config.schema import PanelConfig, TableColumn
from noc_app.display_text import unit_text, visible
from noc_app.model import QueryResult, Series, Severity, last_value
from noc_app.selectors import threshold_severity
from noc_app.units import format_value

VALUE_COLUMN = "value"
NAME_LABELS = ("service", "instance", "job")  # a status tile's name: the first present
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def color_key(severity: Severity | None, has_thresholds: bool) -> str:
    """Theme key of a judged value: its severity, 'ok' when thresholds pass, plain text without any."""
    if severity is not None:
        return severity.value
    return "ok" if has_thresholds else "text"


def answered_series(results: tuple[QueryResult | None, ...]) -> list[Series]:
    """Every series of every answered query, in query order."""
    return [s for r in results if r is not None and not r.error for s in r.series]


# -- names ---------------------------------------------------------------------------


def short_host(text: str) -> str:
    """A host:port readable from across the room.

    'api-1.prod.example.com:8080' -> 'api-1:8080'; loopback addresses become
    'localhost' ('127.0.0.1:18080' -> 'localhost:18080'); other IP addresses are
    kept whole (their first octets are not a name); URLs lose scheme and path.
    """
    name = _URL.sub("", text.strip()).split("/", 1)[0]
    host, port = _split_port(name)
    if not host:
        return text.strip()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        host = "localhost" if address.is_loopback else str(address)
    elif host.lower() in _LOOPBACK_NAMES:
        host = "localhost"
    elif "." in host and not host.replace(".", "").isdigit():
        host = host.split(".", 1)[0]
    if port and ":" in host:  # IPv6 with a port
        return f"[{host}]:{port}"
    return f"{host}:{port}" if port else host


def _split_port(name: str) -> tuple[str, str]:
    if name.startswith("["):  # [::1]:9090
        host, _, rest = name[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else ""
    if name.count(":") == 1:
        host, port = name.split(":")
        return host, port if port.isdigit() else ""
    return name, ""  # no port, or a bare IPv6 address


def tile_name(labels: Mapping[str, str], name_label: str, fallback: str) -> tuple[str, str]:
    """(label used, readable name) of one status tile."""
    candidates = (name_label,) if name_label else NAME_LABELS
    for label in candidates:
        value = labels.get(label, "")
        if value:
            return label, visible(short_host(value) if label == "instance" or ":" in value else value)
    return "", visible(fallback)


# -- status grid ---------------------------------------------------------------------

UP, DOWN, UNKNOWN = "UP", "DOWN", "UNKNOWN"
_STATUS_ORDER = {DOWN: 0, UNKNOWN: 1, UP: 2}


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusTile:
    name: str
    detail: str  # the second line: job, or the query's legend
    status: str  # UP / DOWN / UNKNOWN
    key: str  # stable identity: the series key


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusGrid:
    tiles: tuple[StatusTile, ...]  # down first, then unknown, then up; by name within
    up: int
    down: int
    unknown: int

    @property
    def header(self) -> str:
        """'3 up · 1 down' (and unknown when any)."""
        parts = [f"{self.up} up", f"{self.down} down"]
        if self.unknown:
            parts.append(f"{self.unknown} unknown")
        return " · ".join(parts)


def status_of(value: float) -> str:
    """A 0/1 value: >= 1 is UP, <= 0 is DOWN, anything else (NaN, 0.5) UNKNOWN."""
    if math.isnan(value):
        return UNKNOWN
    if value >= 1:
        return UP
    if value <= 0:
        return DOWN
    return UNKNOWN


def select_status(results: tuple[QueryResult | None, ...], panel: PanelConfig) -> StatusGrid:
    """One tile per series, down first; names shortened, duplicates kept apart by their key."""
    tiles = []
    for series in answered_series(results):
        used, name = tile_name(series.labels, panel.status.name_label, series.name)
        detail_label = panel.status.detail_label or ("job" if used != "job" else "")
        detail = visible(series.labels.get(detail_label, "")) if detail_label else ""
        tiles.append(StatusTile(name=name, detail=detail, status=status_of(last_value(series.y)), key=series.key))
    tiles.sort(key=lambda t: (_STATUS_ORDER[t.status], t.name.lower(), t.detail, t.key))
    count = {s: sum(1 for t in tiles if t.status == s) for s in (UP, DOWN, UNKNOWN)}
    return StatusGrid(tiles=tuple(tiles), up=count[UP], down=count[DOWN], unknown=count[UNKNOWN])


# -- bar gauge -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Bar:
    name: str
    value: float
    text: str
    fraction: float  # 0..1 of min..max, clamped
    severity: Severity | None
    color_key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class BarList:
    bars: tuple[Bar, ...]
    more: int  # series left out by the limit


def value_range(panel: PanelConfig) -> tuple[float, float]:
    """The bar range: min (default 0) .. max (default 100), widened if reversed."""
    lo = panel.min if panel.min is not None else 0.0
    hi = panel.max if panel.max is not None else 100.0
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def fraction_of(value: float, lo: float, hi: float) -> float:
    if math.isnan(value):
        return 0.0
    if math.isinf(value):
        return 1.0 if value > 0 else 0.0
    return min(1.0, max(0.0, (value - lo) / (hi - lo)))


def select_bars(results: tuple[QueryResult | None, ...], panel: PanelConfig) -> BarList:
    """One bar per series with a value, in query order or sorted by value; at most options.limit."""
    lo, hi = value_range(panel)
    unit = unit_text(panel.unit)
    bars = []
    for series in answered_series(results):
        value = last_value(series.y)
        if math.isnan(value):
            continue
        severity = threshold_severity(value, panel.thresholds)
        bars.append(Bar(
            name=visible(series.name),
            value=value,
            text=format_value(value, unit, panel.decimals),
            fraction=fraction_of(value, lo, hi),
            severity=severity,
            color_key=color_key(severity, bool(panel.thresholds)),
        ))
    if panel.bargauge.sort in ("asc", "desc"):
        bars.sort(key=lambda b: b.value, reverse=panel.bargauge.sort == "desc")
    limit = panel.bargauge.limit
    return BarList(bars=tuple(bars[:limit]), more=max(0, len(bars) - limit))


# -- table ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class TableRow:
    cells: tuple[str, ...]  # label cells in column order (the value cell is separate)
    value: float
    value_text: str
    severity: Severity | None
    color_key: str
    key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TableView:
    headers: tuple[str, ...]  # label headers, then the value header
    columns: tuple[str, ...]  # label names behind the label headers
    rows: tuple[TableRow, ...]  # sorted, at most the limit
    more: int
    sort_by: str
    sort_desc: bool


def table_columns(series: list[Series], configured: tuple[TableColumn, ...]) -> tuple[TableColumn, ...]:
    """The configured columns, or every label the rows have, by name (no __name__)."""
    if configured:
        return configured
    names = sorted({k for s in series for k in s.labels if k != "__name__"})
    return tuple(TableColumn(label=n) for n in names)


def sort_rows(rows: list[TableRow], columns: tuple[str, ...], sort_by: str, desc: bool) -> list[TableRow]:
    """Rows by a label column (text, numbers numerically) or by value; NaN values always last."""
    if sort_by in columns:
        index = columns.index(sort_by)
        ordered = sorted(rows, key=lambda r: (_natural(r.cells[index]), r.key), reverse=desc)
        return ordered
    present = [r for r in rows if not math.isnan(r.value)]
    missing = [r for r in rows if math.isnan(r.value)]
    present.sort(key=lambda r: (r.value, r.key), reverse=desc)
    return present + missing


def _natural(text: str) -> tuple[tuple[int, float | str], ...]:
    """Sort key where 'api-10' follows 'api-9' and numbers compare as numbers."""
    parts = re.split(r"(\d+(?:\.\d+)?)", text.lower())
    return tuple((0, float(p)) if i % 2 else (1, p) for i, p in enumerate(parts) if p)


def select_table(
    results: tuple[QueryResult | None, ...],
    panel: PanelConfig,
    sort_by: str | None = None,
    sort_desc: bool | None = None,
) -> TableView:
    """Rows of the instant results, labels as columns, sorted (the operator's choice over the config's)."""
    series = answered_series(results)
    columns = table_columns(series, panel.table.columns)
    names = tuple(c.label for c in columns)
    unit = unit_text(panel.unit)
    rows = []
    for s in series:
        value = last_value(s.y)
        severity = threshold_severity(value, panel.thresholds)
        rows.append(TableRow(
            cells=tuple(visible(s.labels.get(c.label, "")) for c in columns),
            value=value,
            value_text=format_value(value, unit, panel.decimals) if not math.isnan(value) else "–",
            severity=severity,
            # a calm row stays plain text: in a long table only the crossed values draw the eye
            color_key=color_key(severity, False) if not math.isnan(value) else "text_dim",
            key=s.key,
        ))
    by = sort_by if sort_by is not None else panel.table.sort_by
    desc = sort_desc if sort_desc is not None else panel.table.sort_desc
    if by != VALUE_COLUMN and by not in names:
        by = VALUE_COLUMN
    ordered = sort_rows(rows, names, by, desc)
    value_header = panel.table.value_title + (f" ({unit})" if unit and unit != "%" else " %" if unit else "")
    headers = (*(visible(c.title or c.label) for c in columns), value_header)
    limit = panel.table.limit
    return TableView(
        headers=headers, columns=names, rows=tuple(ordered[:limit]), more=max(0, len(ordered) - limit),
        sort_by=by, sort_desc=desc,
    )
