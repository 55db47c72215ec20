"""Panel bodies by kind: the one place that maps `panel.kind` to a widget class.

Every body follows one contract (`PanelBody`).  Metric bodies are imported
lazily so a wall without metric panels never pays for pyqtgraph.
"""

from __future__ import annotations

import importlib
from typing import Protocol, runtime_checkable

from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig, PanelKind
from noc_app.kpi_kind import KPI_KIND
from noc_app.selectors import PanelData
from noc_app.themes import Theme


@runtime_checkable
class PanelBody(Protocol):
    """What a panel frame needs from the widget that draws a panel's data."""

    def refresh(self, data: PanelData) -> None: ...

    def set_text_px(self, px: int) -> None: ...


class BodyClass(Protocol):
    """A body widget class: built from the panel, the theme and the parent widget."""

    def __call__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> QWidget: ...


@runtime_checkable
class FloorAware(Protocol):
    """Optional: bodies that keep their text at or above the viewing distance's floors (0: none)."""

    def set_text_floors(self, minor_px: int, major_px: int) -> None: ...


@runtime_checkable
class ClockAware(Protocol):
    """Optional: bodies that show ages ("for 12m") get the time every second."""

    def tick(self, now: float) -> None: ...


# kind -> (module under noc_app.widgets, class name)
BODY_CLASSES: dict[str, tuple[str, str]] = {
    PanelKind.TIMESERIES: ("timeseries_panel", "TimeSeriesBody"),
    PanelKind.STAT: ("stat_panel", "StatBody"),
    PanelKind.GAUGE: ("gauge_panel", "GaugeBody"),
    PanelKind.INCIDENTS: ("incident_board", "IncidentBoardBody"),
    PanelKind.LOGS: ("log_panel", "LogBody"),
    PanelKind.TARGETS: ("simple_panels", "TargetsBody"),
    PanelKind.TEXT: ("simple_panels", "TextBody"),
    PanelKind.BARGAUGE: ("bargauge_panel", "BarGaugeBody"),
    PanelKind.TABLE: ("table_panel", "TableBody"),
    PanelKind.HEATMAP: ("heatmap_panel", "HeatmapBody"),
    PanelKind.STATUS: ("status_panel", "StatusBody"),
    PanelKind.APDEX: ("apdex_panel", "ApdexBody"),
    PanelKind.CLOCK: ("clock_panel", "ClockBody"),
    PanelKind.SLO: ("slo_panel", "SloBody"),
}
# kinds no config can write, only generated panels (the kiosk's executive tiles, noc_app.executive)
GENERATED_BODY_CLASSES: dict[str, tuple[str, str]] = {KPI_KIND: ("kpi_panel", "KpiBody")}


def body_class(kind: str) -> BodyClass:
    """The body widget class for a panel kind."""
    try:
        module_name, class_name = BODY_CLASSES[kind] if kind in BODY_CLASSES else GENERATED_BODY_CLASSES[kind]
    except KeyError:
        raise ValueError(f"no panel body for kind {kind!r}; known kinds: {', '.join(BODY_CLASSES)}") from None
    module = importlib.import_module(f"noc_app.widgets.{module_name}")
    cls: BodyClass = getattr(module, class_name)
    return cls


def make_body(panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> QWidget:
    """Create the body widget that draws `panel`."""
    return body_class(panel.kind)(panel, theme, parent)
