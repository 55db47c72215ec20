"""The `slos:` section: service level objectives over a Prometheus-compatible source.

    slos:
      - id: availability
        name: Availability
        source: prom
        target: 99.9                  # percent
        window: 30d                   # 28d | 30d | month (calendar month, UTC)
        alerting: prometheus          # prometheus (exported rules, default) | app
        sli:
          good: sum(rate(http_requests_total{status!~"5.."}[{{window}}]))
          total: sum(rate(http_requests_total[{{window}}]))
        # or  sli: {latency: {histogram: http_request_duration_seconds, threshold: 0.5}}
        # or  sli: {error_ratio: 'slo:sli_error:ratio_rate{{window}}{sloth_id="x"}'}

SLO panels (`kind: slo`) name their entry with `slo:` (default: the panel id); the
loader binds the entry to the panel (`bind_slo_panels`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from yaml.nodes import Node

from noc_app.config.schema import (
    DashboardConfig,
    PanelKind,
    QueryConfig,
    SliConfig,
    SloAlerting,
    SloConfig,
    SloWindow,
    SourceConfig,
)
from noc_app.config.yaml_nodes import MapReader, Walk
from noc_app.slo.panel_queries import slo_queries

WINDOW_PLACEHOLDER = "{{window}}"
SLO_SOURCE_KINDS = ("prometheus", "demo")
_SLO_KEYS = ("id", "name", "source", "target", "window", "alerting", "sli", "labels")
_SLI_KEYS = ("good", "total", "error_ratio", "latency")
_LATENCY_KEYS = ("histogram", "threshold", "selector")
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_SELECTOR = re.compile(r"\{[^{}]*\}")


def read_slos(walk: Walk, top: MapReader, sources: tuple[SourceConfig, ...]) -> tuple[SloConfig, ...]:
    kinds = {src.id: src.kind for src in sources}
    out: list[SloConfig] = []
    for node, path in top.items("slos", noun="slo"):
        slo = _read_slo(walk, node, path, kinds)
        if slo is not None:
            out.append(slo)
    return tuple(out)


def _read_slo(walk: Walk, node: Node, path: str, kinds: dict[str, str]) -> SloConfig | None:
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    entry = MapReader(walk, mapping, path, _SLO_KEYS)
    slo_id = entry.text("id", required=True)
    if slo_id is not None:
        walk.declare("slo", "slo", slo_id, entry.nodes["id"], entry.sub("id"))
    source = entry.text("source", required=True)
    if source is not None:
        walk.refer("source", source, entry.nodes["source"], entry.sub("source"))
        kind = kinds.get(source)
        if kind is not None and kind not in SLO_SOURCE_KINDS:
            walk.error(entry.nodes["source"], entry.sub("source"),
                       f"an SLO needs a source of kind {' or '.join(SLO_SOURCE_KINDS)}; '{source}' is {kind}")
    target_node = entry.require("target")
    target = entry.number("target", None, minimum=0.0, maximum=100.0, exclusive=True)
    if target is not None and target_node is not None and target <= 50.0:
        walk.error(target_node, entry.sub("target"),
                   f"expected a target in percent above 50 (e.g. 99.9), got {target:g}")
        target = None
    window = entry.choice("window", [w.value for w in SloWindow], SloWindow.ROLLING_30D.value)
    alerting = entry.choice("alerting", [a.value for a in SloAlerting], SloAlerting.PROMETHEUS.value)
    sli_node = entry.require("sli")
    sli = _read_sli(walk, sli_node, entry.sub("sli")) if sli_node is not None else None
    labels = entry.text_mapping("labels")
    if slo_id is None or source is None or target is None or sli is None:
        return None
    return SloConfig(
        id=slo_id,
        name=entry.text("name", slo_id) or slo_id,
        source=source,
        sli=sli,
        target=target / 100.0,
        window=SloWindow(window or SloWindow.ROLLING_30D.value),
        alerting=SloAlerting(alerting or SloAlerting.PROMETHEUS.value),
        labels=labels,
        origin=walk.origin(mapping),
    )


def _read_sli(walk: Walk, node: Node, path: str) -> SliConfig | None:
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    sli = MapReader(walk, mapping, path, _SLI_KEYS)
    forms = [k for k in ("good", "error_ratio", "latency") if sli.has(k)]
    if len(forms) != 1:
        given = ", ".join(forms) if forms else "none of them"
        walk.error(mapping, path, f"expected exactly one of good/total, error_ratio or latency; got {given}")
        return None
    if sli.has("latency"):
        sli.not_for("total", "good/total SLIs")
        return _read_latency(walk, sli)
    if sli.has("error_ratio"):
        sli.not_for("total", "good/total SLIs")
        ratio = _template(walk, sli, "error_ratio")
        return SliConfig(error_ratio=ratio) if ratio else None
    good = _template(walk, sli, "good")
    total = _template(walk, sli, "total", required=True)
    return SliConfig(good=good, total=total) if good and total else None


def _template(walk: Walk, sli: MapReader, key: str, *, required: bool = False) -> str:
    text = sli.text(key, required=required)
    if text is None:
        return ""
    if WINDOW_PLACEHOLDER not in text:
        walk.error(sli.nodes[key], sli.sub(key),
                   f"expected a PromQL template with the range written as {WINDOW_PLACEHOLDER}, "
                   f"e.g. sum(rate(http_requests_total[{WINDOW_PLACEHOLDER}])), got {text.strip()!r}")
        return ""
    return text.strip()


def _read_latency(walk: Walk, sli: MapReader) -> SliConfig | None:
    node = sli.sub_mapping("latency")
    if node is None:
        return None
    latency = MapReader(walk, node, sli.sub("latency"), _LATENCY_KEYS)
    name = latency.text("histogram", required=True)
    threshold = latency.number("threshold", None, minimum=0.0, exclusive=True)
    if latency.get("threshold") is None:
        latency.missing("threshold")
    selector = (latency.text("selector", "") or "").strip()
    if name is not None and not _METRIC_NAME.fullmatch(name):
        walk.error(latency.nodes["histogram"], latency.sub("histogram"),
                   f"expected a histogram metric name like http_request_duration_seconds, got {name!r}")
        return None
    if selector and not _SELECTOR.fullmatch(selector):
        walk.error(latency.nodes["selector"], latency.sub("selector"),
                   f"expected label matchers in braces like {{job=\"api\"}}, got {selector!r}")
        return None
    if name is None or threshold is None:
        return None
    return latency_sli(name, threshold, selector)


def latency_sli(histogram: str, threshold_s: float, selector: str = "") -> SliConfig:
    """Good = requests in the bucket le=threshold; total = the histogram's count."""
    base = name = histogram.removesuffix("_bucket")
    inner = selector[1:-1].strip() if selector else ""
    bucket_matchers = ", ".join(m for m in (inner, _le_matcher(threshold_s)) if m)
    good = f"sum(rate({name}_bucket{{{bucket_matchers}}}[{WINDOW_PLACEHOLDER}]))"
    total = f"sum(rate({base}_count{selector}[{WINDOW_PLACEHOLDER}]))"
    return SliConfig(good=good, total=total)


def _le_matcher(threshold_s: float) -> str:
    """le="0.5"; a whole number matches both spellings: Go clients write le="1", prometheus_client
    and Prometheus 3 (which normalises on ingestion) le="1.0"."""
    if threshold_s == int(threshold_s):
        return f'le=~"{int(threshold_s)}|{int(threshold_s)}\\\\.0"'
    return f'le="{threshold_s:g}"'


def bind_slo_panels(dashboards: tuple[DashboardConfig, ...],
                    slos: tuple[SloConfig, ...]) -> tuple[DashboardConfig, ...]:
    """Give every SLO panel its `slos:` entry and that entry's source (unknown ids were
    reported through walk.refer by the panel reader)."""
    by_id = {slo.id: slo for slo in slos}
    out = []
    for dash in dashboards:
        panels = []
        for panel in dash.panels:
            slo = by_id.get(panel.slo_id) if panel.kind == PanelKind.SLO else None
            if slo is not None:
                queries = tuple(QueryConfig(expr=q.expr, instant=q.instant) for q in slo_queries(slo))
                panel = replace(panel, slo=slo, source=slo.source, window_s=window_seconds(slo), queries=queries)
            panels.append(panel)
        out.append(replace(dash, panels=tuple(panels)))
    return tuple(out)


def window_seconds(slo: SloConfig) -> float:
    """The longest the window can be (a calendar month: 31 days)."""
    days = {SloWindow.ROLLING_28D: 28.0, SloWindow.ROLLING_30D: 30.0, SloWindow.CALENDAR_MONTH: 31.0}
    return days[slo.window] * 86400.0
