"""What one executive tile says (pure): the figure, its target, a verdict word and a colour key.

    tile = tile_for(panel, data)      # panel: a kpi tile (noc_app.executive); data: its PanelData

A verdict is a word as well as a colour (MET, BELOW TARGET, LOW...), so it reads without colour.
A tile never claims more than its feed supports: while its data state is not OK the verdict is the
state itself (UNREACHABLE, AUTH FAILED, QUERY ERROR, LOADING, NO DATA) and no figure is shown;
STALE keeps the last figure, greyed by the body, under the word STALE.
"""

from __future__ import annotations

from dataclasses import dataclass

from noc_app.config.schema import PanelConfig
from noc_app.model import DataState
from noc_app.reports.kpis import Kpi, active_by_priority, compute_kpis
from noc_app.reports.timing import format_duration
from noc_app.selectors import PanelData
from noc_app.slo.budget import format_span
from noc_app.slo.panel_queries import SloDataError, status_from_results

NO_FIGURE = "—"
_PRIORITY_KEYS = {"P0": "critical", "P1": "high", "P2": "warning", "P3": "info", "P?": "unknown"}
_WITHOUT_FIGURE = (DataState.LOADING, DataState.UNREACHABLE, DataState.AUTH_FAILED, DataState.QUERY_ERROR,
                   DataState.NO_DATA)


@dataclass(frozen=True, kw_only=True, slots=True)
class Tile:
    value: str  # the big figure ("99.956 %", "3", "1 h 05 min") or NO_FIGURE
    verdict: str  # one word or two, in capitals: MET, BELOW TARGET, UNREACHABLE...
    color_key: str  # theme colour of the figure and the verdict
    caption: str = ""  # the target ("target ≥ 99.9 %") or why there is no figure
    detail: str = ""  # how much of the window the figure covers
    counts: tuple[tuple[str, int, str], ...] = ()  # incidents tile: (priority, count, colour key)


def _percent(value: float, figure: str) -> str:
    decimals = 3 if figure == "availability" else 2 if figure in ("error_rate", "latency") else 1
    return f"{value * 100:.{decimals}f} %"


def _target(kpi: Kpi) -> str:
    if kpi.target is None:
        return ""
    sign = "≥" if kpi.comparison == ">=" else "≤"
    left = {"error_budget": " left", "latency": " of requests in time"}.get(kpi.name, "")
    return f"target {sign} {kpi.target * 100:g} %{left}"


def _covered(kpi: Kpi) -> str:
    if kpi.covered_s is None or not kpi.window_s:
        return ""
    return f"based on {format_span(kpi.covered_s)} of {format_span(kpi.window_s)}"


def _slo_verdict(kpi: Kpi) -> tuple[str, str]:
    if kpi.name == "error_budget" and kpi.value is not None:
        if kpi.value <= 0:
            return "EXHAUSTED", "critical"
        return ("OK", "ok") if kpi.met else ("LOW", "warning")
    if kpi.met is None:
        return "NOT JUDGED", "text_dim"
    if kpi.met:
        return "MET", "ok"
    return ("ABOVE LIMIT" if kpi.comparison == "<=" else "BELOW TARGET"), "critical"


def _slo_tile(panel: PanelConfig, data: PanelData) -> Tile:
    slo = panel.slo
    assert slo is not None
    try:
        status = status_from_results(slo, data.results, data.now)[0]
    except SloDataError as exc:
        return Tile(value=NO_FIGURE, verdict="NO DATA", color_key="no_data", caption=str(exc))
    kpis = compute_kpis((slo,), {slo.id: status}, (), None, now=data.now)
    kpi: Kpi = getattr(kpis, panel.kpi)
    if kpi.value is None:
        return Tile(value=NO_FIGURE, verdict="NO DATA", color_key="no_data", caption=kpi.note or _target(kpi))
    verdict, key = _slo_verdict(kpi)
    return Tile(value=_percent(kpi.value, panel.kpi), verdict=verdict, color_key=key, caption=_target(kpi),
                detail=_covered(kpi))


def _incidents_tile(data: PanelData) -> Tile:
    counts = active_by_priority(data.alerts)
    total = sum(counts.values())
    rows = tuple((p, n, _PRIORITY_KEYS[p] if n else "text_dim") for p, n in counts.items() if n or p != "P?")
    if total == 0:
        return Tile(value="0", verdict="NONE ACTIVE", color_key="ok", caption="firing or acknowledged", counts=rows)
    worst = next(p for p, n in counts.items() if n)
    return Tile(value=str(total), verdict=f"{worst} ACTIVE", color_key=_PRIORITY_KEYS[worst],
                caption="firing or acknowledged", counts=rows)


def _mttr_tile(data: PanelData) -> Tile:
    result = data.results[0] if data.results else None
    series = result.series[0] if result is not None and result.series else None
    if series is None or not series.y.size:
        return Tile(value=NO_FIGURE, verdict="NO DATA", color_key="no_data", caption="no incident resolved")
    met = series.labels.get("met", "")
    verdict, key = {"true": ("MET", "ok"), "false": ("TARGETS MISSED", "critical")}.get(met, ("NOT JUDGED",
                                                                                                "text_dim"))
    return Tile(value=format_duration(float(series.y[-1])), verdict=verdict, color_key=key,
                caption="target: 99 % resolved in time", detail=series.labels.get("period", ""))


def _unconfigured(panel: PanelConfig) -> Tile | None:
    if panel.kpi == "incidents" and not panel.sources:
        return Tile(value=NO_FIGURE, verdict="NOT CONFIGURED", color_key="text_dim",
                    caption="no incidents panel in the config")
    if panel.kpi not in ("incidents", "mttr_month") and panel.slo is None:
        return Tile(value=NO_FIGURE, verdict="NOT CONFIGURED", color_key="text_dim", caption="no SLO configured")
    return None


def tile_for(panel: PanelConfig, data: PanelData) -> Tile:
    """The tile of a kpi panel from its data (see the module docstring for the states)."""
    unconfigured = _unconfigured(panel)
    if unconfigured is not None:
        return unconfigured
    state = data.view.state
    if state in _WITHOUT_FIGURE:
        why = data.view.message or next(iter(data.view.warnings), "")
        if state is DataState.NO_DATA and panel.kpi == "mttr_month" and data.view.warnings:
            why = data.view.warnings[0]  # "no state database", "no incident resolved this month"
        # The frame's pill says it in red; the body is hatched and greyed, where text_dim reads best.
        return Tile(value=NO_FIGURE, verdict=state.value, color_key="no_data" if state is DataState.NO_DATA
                    else "text_dim", caption=why)
    if panel.kpi == "incidents":
        tile = _incidents_tile(data)
    elif panel.kpi == "mttr_month":
        tile = _mttr_tile(data)
    else:
        tile = _slo_tile(panel, data)
    if state is DataState.STALE:
        age = f" · data {format_span(data.view.age_s)} old" if data.view.age_s is not None else ""
        return Tile(value=tile.value, verdict="STALE", color_key="stale", caption=f"last known value{age}",
                    counts=tile.counts)
    return tile
