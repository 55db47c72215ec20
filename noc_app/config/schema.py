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

from noc_app.config.anomaly_options import NO_ANOMALY, AnomalyConfig
from noc_app.config.attention_schema import AttentionConfig
from noc_app.config.display_schema import DisplayConfig
from noc_app.config.panel_display import DEFAULT_DISPLAY, PanelDisplay
from noc_app.config.panel_kind_options import BarGaugeOptions as BarGaugeOptions
from noc_app.config.panel_kind_options import ClockOptions as ClockOptions
from noc_app.config.panel_kind_options import ClockZone as ClockZone
from noc_app.config.panel_kind_options import HistogramOptions as HistogramOptions
from noc_app.config.panel_kind_options import StatusOptions as StatusOptions
from noc_app.config.panel_kind_options import TableColumn as TableColumn
from noc_app.config.panel_kind_options import TableOptions as TableOptions
from noc_app.config.severity_schema import AutomationConfig as AutomationConfig
from noc_app.config.severity_schema import BusinessHours as BusinessHours
from noc_app.config.severity_schema import SeverityLevel as SeverityLevel
from noc_app.config.sla_schema import SEED_CREDIT_TIERS as SEED_CREDIT_TIERS
from noc_app.config.sla_schema import CreditTier as CreditTier
from noc_app.config.sla_schema import RatioQuery as RatioQuery
from noc_app.config.sla_schema import ReportsConfig as ReportsConfig
from noc_app.config.sla_schema import SlaConfig as SlaConfig
from noc_app.config.sla_schema import SlaServiceConfig as SlaServiceConfig
from noc_app.config.slo_schema import SliConfig as SliConfig
from noc_app.config.slo_schema import SloAlerting as SloAlerting
from noc_app.config.slo_schema import SloConfig as SloConfig
from noc_app.config.slo_schema import SloWindow as SloWindow
from noc_app.model import Severity
from noc_app.noise.config import NoiseConfig


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
    SLO = "slo"  # attainment, error budget, burn chart and forecast of one `slos:` entry


PANEL_KINDS = tuple(k.value for k in PanelKind)  # the words a config may use, in declaration order
METRIC_PANEL_KINDS = (PanelKind.TIMESERIES, PanelKind.STAT, PanelKind.GAUGE)  # drawn from metric queries
# Every kind drawn from metric query results (the newer kinds' queries may be built from their options).
QUERY_PANEL_KINDS = (
    *METRIC_PANEL_KINDS, PanelKind.BARGAUGE, PanelKind.TABLE, PanelKind.HEATMAP, PanelKind.STATUS, PanelKind.APDEX,
)


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
    axis: str = "left"  # timeseries: "right" puts the series on a second y axis
    unit: str = ""  # the right axis' unit (a left-axis query uses the panel's unit)
    stack: bool = True  # a stacked timeseries: False draws this query's series as lines over the stack (a total)


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
    display: PanelDisplay = DEFAULT_DISPLAY  # wrap, legend, mappings, colour mode... (config.panel_display)
    # kind-specific options (noc_app.config.panel_kinds_section)
    bargauge: BarGaugeOptions = field(default_factory=BarGaugeOptions)
    table: TableOptions = field(default_factory=TableOptions)
    histogram: HistogramOptions = field(default_factory=HistogramOptions)  # heatmap, apdex
    status: StatusOptions = field(default_factory=StatusOptions)
    clock: ClockOptions = field(default_factory=ClockOptions)

    slo_id: str = ""  # kind slo: the `slos:` entry shown (default: the panel id)
    slo: SloConfig | None = None  # kind slo: that entry, bound by the loader
    group_by: tuple[str, ...] = ("alertname",)  # incidents: the labels a row folds alerts by
    kpi: str = ""  # kind kpi (generated only, noc_app.executive): the executive figure a tile shows
    anomaly: AnomalyConfig = NO_ANOMALY  # timeseries, stat: streaming anomaly scoring (config.anomaly_section)


VARIABLE_KINDS = ("custom", "constant", "interval", "query")
ALL_VALUE = "$__all"  # Grafana's marker for "All" in a variable's current value


@dataclass(frozen=True, kw_only=True, slots=True)
class VariableConfig:
    """A dashboard template variable: `$name`, `${name}` or `[[name]]` in queries, titles and legends."""

    name: str
    kind: str = "custom"  # one of VARIABLE_KINDS
    options: tuple[str, ...] = ()  # custom / interval choices
    current: tuple[str, ...] = ()  # selected value(s); (ALL_VALUE,) for "All"
    query: str = ""  # kind query: label_values(metric, label) or label_values(label)
    regex: str = ""  # kind query: keep matching values, the first group if the pattern has one
    include_all: bool = False
    all_value: str | None = None  # Grafana's custom "All" value (e.g. ".*")
    multi: bool = False
    origin: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class DashboardConfig:
    id: str
    title: str
    panels: tuple[PanelConfig, ...]
    columns: int = 24
    rows: int = 12
    variables: Mapping[str, str] = field(default_factory=dict)  # name -> value as substituted today
    variable_defs: tuple[VariableConfig, ...] = ()  # their definitions (query ones resolved at run time)
    page_of: str | None = None  # a page of an import_grafana entry with `fit: screen`: the entry's id
    variant_of: str | None = None  # a playlist item's variable values over this dashboard id (config.playlist_section)
    import_report: tuple[str, ...] = ()  # import_grafana: what was dropped (check-config prints it)


@dataclass(frozen=True, kw_only=True, slots=True)
class PlaylistConfig:
    id: str
    dashboards: tuple[str, ...]
    interval_s: float = 60.0
    dwell_s: tuple[float, ...] = ()  # per item, when items set their own `dwell` (else interval_s for every item)


@dataclass(frozen=True, kw_only=True, slots=True)
class ScreenConfig:
    """One window on one monitor, showing a dashboard or a playlist."""

    id: str
    screen: int = 0
    dashboard: str | None = None
    playlist: str | None = None
    screen_name: str | None = None  # `screen: "HDMI-1"`: the monitor by Qt's name (then `screen` is unused)
    display: DisplayConfig | None = None  # this monitor's `display:` merged over the top level's (None: the top's)


@dataclass(frozen=True, kw_only=True, slots=True)
class OperatorConfig:
    name: str = ""
    email: str = ""
    role: str = "operator"  # viewer | operator | lead (noc_app.actions.model.Role)


@dataclass(frozen=True, kw_only=True, slots=True)
class NotificationChannel:
    """Where messages go: a Slack or Teams incoming webhook (URL by reference: it is a secret) or e-mail."""

    id: str
    kind: str  # slack | teams | email
    webhook_url: SecretRef | None = None
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls | ssl | none
    mail_from: str = ""
    mail_to: tuple[str, ...] = ()
    smtp_user: str = ""
    smtp_password: SecretRef | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class NotificationsConfig:
    channels: tuple[NotificationChannel, ...] = ()
    events: tuple[str, ...] = ("new", "escalated", "resolved")  # which events send messages

    def channel(self, channel_id: str) -> NotificationChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)


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


DEFAULT_EXIT_CHORD = "Ctrl+Alt+Q"


@dataclass(frozen=True, kw_only=True, slots=True)
class KioskConfig:
    """Leaving kiosk mode (config/kiosk_section.py): the chord, then the PIN whose scrypt hash this holds."""

    exit_chord: str = DEFAULT_EXIT_CHORD
    pin_hash: str | None = None  # scrypt$n$r$p$salt$hash (noc_app.kiosk_pin); None: the chord twice quits
    dashboard: str | None = None  # what a kiosk shows; None: the executive KPI dashboard (noc_app.executive)


@dataclass(frozen=True, kw_only=True, slots=True)
class HeartbeatConfig:
    """`heartbeat:` (config/heartbeat_section.py): pushed only while the GUI thread runs (noc_app.heartbeat)."""

    kind: str  # "pushgateway" | "alertmanager"
    target: SourceConfig  # where it goes: the pushgateway (url, auth, tls) or the alertmanager source
    interval_s: float = 15.0
    job: str = "noc-app"  # the job label (the pushgateway grouping key)
    instance: str = ""  # "" : the host name at run time
    alertname: str = "NocAppWallHeartbeat"  # alertmanager
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class TakeoverConfig:
    """P0 takeover (config/takeover_section.py): which priority takes which screen over; off without the section."""

    enabled: bool = False
    priority: str = "P0"  # a severity policy level id: that level and every one above it take over
    screen: str | int = 0  # a `screens:` id, or an index into them


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
    notifications: NotificationsConfig = field(default_factory=NotificationsConfig)
    automation: AutomationConfig = field(default_factory=AutomationConfig)
    slos: tuple[SloConfig, ...] = ()
    sla: SlaConfig = field(default_factory=SlaConfig)
    reports: ReportsConfig = field(default_factory=ReportsConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    attention: AttentionConfig = field(default_factory=AttentionConfig)  # sound, tray, flash, NEW marker
    noise: NoiseConfig = field(default_factory=NoiseConfig)  # `noise:` and `topology:` (noc_app.noise)
    takeover: TakeoverConfig = field(default_factory=TakeoverConfig)
    heartbeat: HeartbeatConfig | None = None  # None: no heartbeat is pushed
    display: DisplayConfig = field(default_factory=DisplayConfig)
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


# Defined in runbook_schema.py (with its reader and rules); importable from here as before.
from noc_app.config.runbook_schema import RunbookConfig  # noqa: E402
