"""The customer SLA (`sla:`: uptime targets, SLIs as good/total queries, service-credit tiers) and `reports:`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class CreditTier:
    """A service credit that applies when attainment is in [at_least, below) percent (at_least None: no floor)."""

    below: float
    credit_pct: float
    at_least: float | None = None


# The seed's penalties: [99.5, 99.9) -> 10 %, [99.0, 99.5) -> 25 %, < 99.0 -> 50 %.
SEED_CREDIT_TIERS = (
    CreditTier(at_least=99.5, below=99.9, credit_pct=10.0),
    CreditTier(at_least=99.0, below=99.5, credit_pct=25.0),
    CreditTier(at_least=None, below=99.0, credit_pct=50.0),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class RatioQuery:
    """An SLI as two PromQL expressions counting good and total events over the step (e.g. increase(...[1m]))."""

    good: str
    total: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SlaServiceConfig:
    """One service's customer SLA: uptime target, the availability SLI, an optional latency commitment."""

    id: str
    title: str
    source: str  # a prometheus source id
    uptime_target_pct: float = 99.9
    down_below_pct: float = 99.9  # a minute whose availability SLI is below this counts as down
    availability: RatioQuery
    latency: RatioQuery | None = None  # good = requests under latency_threshold_s
    latency_threshold_s: float = 2.0
    latency_share_pct: float = 95.0  # "< 2 s for 95 % of requests"
    p95_query: str = ""  # optional: drawn in the report
    error_rate_target_pct: float | None = None
    slo: str = ""  # optional: the id of an SLO this SLA mirrors (documentation only for now)


@dataclass(frozen=True, kw_only=True, slots=True)
class SlaConfig:
    time_zone: str = "UTC"
    step_s: float = 60.0  # the SLI's resolution: one sample per minute
    gaps: str = "exclude"  # minutes without data: exclude (reported as coverage), up, or down
    tiers: tuple[CreditTier, ...] = SEED_CREDIT_TIERS
    services: tuple[SlaServiceConfig, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportsConfig:
    """`reports:`: the folder for reports made from the operator UI (None: the user's documents folder)."""

    dir: str | None = None
