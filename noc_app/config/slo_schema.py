"""SLO config objects (`slos:`): the SLI as PromQL templates, the target, the window, who alerts."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class SloWindow(enum.StrEnum):
    """An SLO's compliance period."""

    ROLLING_28D = "28d"
    ROLLING_30D = "30d"
    CALENDAR_MONTH = "month"


class SloAlerting(enum.StrEnum):
    """Who evaluates an SLO's burn-rate alerts: never both, so nothing shows twice."""

    PROMETHEUS = "prometheus"  # the rules `noc-app slo rules` exports (default)
    APP = "app"  # the app, raising incidents through the actions seam


@dataclass(frozen=True, kw_only=True, slots=True)
class SliConfig:
    """An SLI as PromQL templates; `{{window}}` becomes a range such as 5m or 1h.

    Exactly one form: good/total rates, or an error-ratio recording rule (Sloth/Pyrra).
    A latency SLI from a histogram is turned into good/total by the config reader.
    """

    good: str = ""  # rate of good events over {{window}}
    total: str = ""  # rate of all events over {{window}}
    error_ratio: str = ""  # bad/total over {{window}}, e.g. slo:sli_error:ratio_rate{{window}}


@dataclass(frozen=True, kw_only=True, slots=True)
class SloConfig:
    id: str
    name: str
    source: str  # a prometheus-compatible source id
    sli: SliConfig
    target: float  # a ratio in (0, 1): 99.9 % is 0.999
    window: SloWindow = SloWindow.ROLLING_30D
    alerting: SloAlerting = SloAlerting.PROMETHEUS
    labels: Mapping[str, str] = field(default_factory=dict)  # added to exported rules and raised incidents
    origin: str = ""
