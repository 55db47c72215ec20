"""Per-kind panel options: bar gauge, table, heatmap/apdex histogram, status grid, clock."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class BarGaugeOptions:
    limit: int = 20  # most bars shown
    sort: str = "none"  # none | asc | desc (by value)
    show_unfilled: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class TableColumn:
    label: str
    title: str = ""  # header; the label name when empty


@dataclass(frozen=True, kw_only=True, slots=True)
class TableOptions:
    columns: tuple[TableColumn, ...] = ()  # () = every label, by name
    value_title: str = "Value"
    sort_by: str = "value"  # a label name or "value"
    sort_desc: bool = True
    limit: int = 50


@dataclass(frozen=True, kw_only=True, slots=True)
class HistogramOptions:
    """A Prometheus histogram read as `sum by (le) (rate(<histogram>_bucket<selector>[<window>]))`."""

    histogram: str = ""  # empty: the panel's own query returns the le-labelled buckets
    selector: str = ""  # label matchers, e.g. {job="api"}
    rate_window_s: float = 300.0
    y_axis: str = "log"  # heatmap: log | linear
    quantile: float | None = 0.95  # heatmap: the line drawn over the cells
    t_s: float = 0.5  # apdex: T


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusOptions:
    name_label: str = ""  # empty: the first of service, instance, job present
    detail_label: str = ""  # empty: job, unless it names the tile


@dataclass(frozen=True, kw_only=True, slots=True)
class ClockZone:
    name: str
    tz: str  # IANA name (zoneinfo)


@dataclass(frozen=True, kw_only=True, slots=True)
class ClockOptions:
    zones: tuple[ClockZone, ...] = ()
    local: bool = True
    hour_format: int = 24
    show_seconds: bool = True
    show_date: bool = True
