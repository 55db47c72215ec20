"""Frozen config objects: what a validated wall config becomes.

The YAML reference (keys, types, defaults) lives in README.md; the validator in
`noc_app.config.loader` turns YAML nodes into these and reports every problem
with file, line, column and key path.  Secrets are never stored here: only the
*name* of the environment variable or keyring entry that holds them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from noc_app.model import Severity


class Mode(enum.Enum):
    WALL = "wall"  # unattended display: no interaction, big type, rotating playlists
    OPERATOR = "operator"  # interactive workstation: actions, notes, drill-down
    KIOSK = "kiosk"  # executive screen: full screen, read-only, locked


SOURCE_KINDS = (
    "demo",
    "localhost",
    "prometheus",
    "alertmanager",
    "loki",
    "elasticsearch",
    "journald",
    "pagerduty",
    "opsgenie",
)



class PanelKind(enum.StrEnum):
    """A panel's kind, for comparisons in code (PanelConfig.kind is a str: equal to these)."""

    TIMESERIES = "timeseries"
    STAT = "stat"
    GAUGE = "gauge"
    INCIDENTS = "incidents"
    LOGS = "logs"
    TARGETS = "targets"
    TEXT = "text"
    BARGAUGE = "bargauge"  # horizontal bars, several series (disk usage per mount)
    TABLE = "table"  # instant query results as rows, labels as columns
    HEATMAP = "heatmap"  # latency distribution over time from histogram buckets
    STATUS = "status"  # one tile per target/service/instance from `up` or any 0/1 query
    APDEX = "apdex"  # from a latency histogram and T
    CLOCK = "clock"  # local time plus configured time zones


PANEL_KINDS = tuple(k.value for k in PanelKind)  # the words a config may use, in declaration order
METRIC_PANEL_KINDS = (PanelKind.TIMESERIES, PanelKind.STAT, PanelKind.GAUGE)  # drawn from metric queries


@dataclass(frozen=True, kw_only=True, slots=True)
class SecretRef:
    """Where a secret comes from: an environment variable or the OS keyring."""

    env: str | None = None
    keyring_service: str | None = None
    keyring_user: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AuthConfig:
    """Credentials by reference; header values that are not secret may be inline."""

    bearer: SecretRef | None = None
    basic_user: str | None = None
    basic_password: SecretRef | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. X-Scope-OrgID
    secret_headers: Mapping[str, SecretRef] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class TlsConfig:
    verify: bool = True
    ca_file: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceConfig:
    id: str
    kind: str
    url: str | None = None
    urls: tuple[str, ...] = ()  # extra peers of one HA cluster (Alertmanager)
    auth: AuthConfig = field(default_factory=AuthConfig)
    tls: TlsConfig = field(default_factory=TlsConfig)
    interval_s: float = 15.0
    timeout_s: float = 10.0
    max_response_mb: float = 32.0
    read_only: bool = False
    deadman_alert: str | None = None  # an always-firing alert that must be present
    index: str | None = None  # Elasticsearch index pattern
    options: Mapping[str, object] = field(default_factory=dict)  # kind-specific extras
    # Redirects: "none" (default: shown as that query's error), "same-origin", or "any"
    # (secret headers are never sent to another origin).
    follow_redirects: str = "none"
    # where it was declared, for error messages at run time
    origin: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Threshold:
    value: float
    severity: Severity  # CRITICAL / WARNING / ... decides the colour
    op: str = "gt"  # gt | lt: which side of the value is bad


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryConfig:
    expr: str
    legend: str = ""
    instant: bool | None = None  # None: decided by panel kind


@dataclass(frozen=True, kw_only=True, slots=True)
class GridPos:
    """Position on the dashboard grid (Grafana's gridPos: 24 columns wide)."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True, kw_only=True, slots=True)
class PanelConfig:
    id: str
    kind: str
    title: str
    source: str | None = None  # source id; incidents panels may use `sources`
    sources: tuple[str, ...] = ()
    queries: tuple[QueryConfig, ...] = ()
    unit: str = ""
    decimals: int | None = None
    min: float | None = None
    max: float | None = None
    thresholds: tuple[Threshold, ...] = ()
    window_s: float = 3600.0
    grid: GridPos = field(default_factory=lambda: GridPos(x=0, y=0, w=6, h=4))
    text: str = ""  # for kind: text
    limit: int = 200  # rows for incidents/logs
    origin: str = ""
    group_by: tuple[str, ...] = ("alertname",)  # incidents: the labels a row folds alerts by


@dataclass(frozen=True, kw_only=True, slots=True)
class DashboardConfig:
    id: str
    title: str
    panels: tuple[PanelConfig, ...]
    columns: int = 24
    rows: int = 12
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class PlaylistConfig:
    id: str
    dashboards: tuple[str, ...]
    interval_s: float = 60.0


@dataclass(frozen=True, kw_only=True, slots=True)
class ScreenConfig:
    """One window on one monitor, showing a dashboard or a playlist."""

    id: str
    screen: int = 0
    dashboard: str | None = None
    playlist: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class OperatorConfig:
    name: str = ""
    email: str = ""
    role: str = "operator"  # viewer | operator | lead (noc_app.actions.model.Role)


@dataclass(frozen=True, kw_only=True, slots=True)
class SeverityLevel:
    """One row of the P0-P3 policy."""

    id: str  # P0..P3
    name: str
    severity: Severity
    response_time_s: float | None = None  # None: next business day
    resolution_target_s: float | None = None
    escalation: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class RunbookConfig:
    """A named recovery runbook: an HTTP webhook or an argv command, never a shell string."""

    id: str
    title: str
    webhook_url: str | None = None
    method: str = "POST"
    argv: tuple[str, ...] = ()
    params: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> allowed values
    confirm: bool = True
    cooldown_s: float = 300.0
    verify_query: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionsConfig:
    ack_duration_s: float = 7200.0
    # The labels an Alertmanager ack (a silence) matches, those of them the alert has; () = all its labels.
    ack_labels: tuple[str, ...] = ()
    runbooks: tuple[RunbookConfig, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentsConfig:
    """How incident boards treat incidents.

    dedup_key: how the same problem in two backends is recognised ("" = off; "dedup_key",
    "alias", "fingerprint" or "label:NAME"; see noc_app.selectors_incidents).
    """

    dedup_key: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class StateConfig:
    """Where the state database lives: None is SQLite in the user's state dir.

    url: sqlite:///abs/path.db or postgresql://user@host/db (never with a password in it);
    password: the PostgreSQL password, by reference.
    """

    url: str | None = None
    password: SecretRef | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AppConfig:
    path: str  # file it came from ("<built-in demo>" for the bundled one)
    title: str
    mode: Mode
    theme: str
    sources: tuple[SourceConfig, ...]
    dashboards: tuple[DashboardConfig, ...]
    playlists: tuple[PlaylistConfig, ...] = ()
    screens: tuple[ScreenConfig, ...] = ()
    operator: OperatorConfig = field(default_factory=OperatorConfig)
    severity_levels: tuple[SeverityLevel, ...] = ()
    actions: ActionsConfig = field(default_factory=ActionsConfig)
    state: StateConfig = field(default_factory=StateConfig)
    incidents: IncidentsConfig = field(default_factory=IncidentsConfig)
    stale_after_intervals: float = 3.0  # an OK source with no success for this many intervals is STALE

    def source(self, source_id: str) -> SourceConfig:
        for src in self.sources:
            if src.id == source_id:
                return src
        raise KeyError(source_id)

    def dashboard(self, dashboard_id: str) -> DashboardConfig:
        for dash in self.dashboards:
            if dash.id == dashboard_id:
                return dash
        raise KeyError(dashboard_id)
