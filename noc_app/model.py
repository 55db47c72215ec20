"""The normalised data model every source produces and every widget reads.

Qt-free and immutable: sources build these in worker threads, the store swaps
them in whole, widgets only read them.  Numbers that are drawn travel as numpy
arrays (float64 epoch seconds and float64 values, NaN marks a gap).
"""

from __future__ import annotations

import enum
import hashlib
import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np


class DataState(enum.Enum):
    """What a panel (or a source) can honestly claim about its data."""

    LOADING = "LOADING"
    OK = "OK"
    NO_DATA = "NO DATA"
    QUERY_ERROR = "QUERY ERROR"
    STALE = "STALE"
    UNREACHABLE = "UNREACHABLE"  # never had data and the backend cannot be reached
    AUTH_FAILED = "AUTH FAILED"
    DEGRADED = "DEGRADED"

    @property
    def is_healthy(self) -> bool:
        return self in (DataState.OK, DataState.NO_DATA)


class Severity(enum.Enum):
    """Incident severity; rank 0 is the most severe (P0)."""

    CRITICAL = "critical"
    HIGH = "high"
    WARNING = "warning"
    INFO = "info"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        # Keyed by the value string: Enum.__hash__ is a Python-level call, and boards
        # sort thousands of alerts by rank.
        return _SEVERITY_RANK_BY_VALUE[self._value_]

    @property
    def priority(self) -> str:
        """The P0-P3 label of the seed's incident classification."""
        return ("P0", "P1", "P2", "P3", "P?")[self.rank]

    @classmethod
    def parse(cls, text: str | None) -> Severity:
        """Map the many spellings backends use onto our closed set."""
        if not text:
            return cls.UNKNOWN
        key = text.strip().lower()
        return _SEVERITY_ALIASES.get(key, cls.UNKNOWN)


_SEVERITY_RANK = {
    Severity.CRITICAL: 0,
    Severity.HIGH: 1,
    Severity.WARNING: 2,
    Severity.INFO: 3,
    Severity.UNKNOWN: 4,
}

_SEVERITY_RANK_BY_VALUE = {sev.value: rank for sev, rank in _SEVERITY_RANK.items()}

_SEVERITY_ALIASES = {
    "critical": Severity.CRITICAL, "crit": Severity.CRITICAL, "p0": Severity.CRITICAL,
    "page": Severity.CRITICAL, "emergency": Severity.CRITICAL, "fatal": Severity.CRITICAL,
    "disaster": Severity.CRITICAL, "p1": Severity.HIGH, "high": Severity.HIGH,
    "error": Severity.HIGH, "major": Severity.HIGH, "warning": Severity.WARNING,
    "warn": Severity.WARNING, "medium": Severity.WARNING, "p2": Severity.WARNING,
    "minor": Severity.WARNING, "moderate": Severity.WARNING, "info": Severity.INFO,
    "informational": Severity.INFO, "low": Severity.INFO, "p3": Severity.INFO,
    "p4": Severity.INFO, "p5": Severity.INFO, "notice": Severity.INFO, "none": Severity.INFO,
}


class AlertState(enum.Enum):
    """Lifecycle of an alert as the backend reports it."""

    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    SILENCED = "silenced"
    INHIBITED = "inhibited"
    RESOLVED = "resolved"
    # Prometheus: the rule's condition holds, its `for:` has not run out yet ("developing" on a board).
    PENDING = "pending"


class LogLevel(enum.IntEnum):
    """Syslog-style levels, ordered by urgency (lower is worse)."""

    EMERGENCY = 0
    ALERT = 1
    CRITICAL = 2
    ERROR = 3
    WARNING = 4
    NOTICE = 5
    INFO = 6
    DEBUG = 7

    @classmethod
    def parse(cls, text: str | int | None) -> LogLevel:
        if text is None:
            return cls.INFO
        if isinstance(text, int) or (isinstance(text, str) and text.strip().isdigit()):
            return cls(min(7, max(0, int(text))))
        return _LEVEL_ALIASES.get(str(text).strip().lower(), cls.INFO)


_LEVEL_ALIASES = {
    "emerg": LogLevel.EMERGENCY, "emergency": LogLevel.EMERGENCY, "panic": LogLevel.EMERGENCY,
    "alert": LogLevel.ALERT, "crit": LogLevel.CRITICAL, "critical": LogLevel.CRITICAL,
    "fatal": LogLevel.CRITICAL, "err": LogLevel.ERROR, "error": LogLevel.ERROR,
    "warn": LogLevel.WARNING, "warning": LogLevel.WARNING, "notice": LogLevel.NOTICE,
    "info": LogLevel.INFO, "information": LogLevel.INFO, "debug": LogLevel.DEBUG,
    "trace": LogLevel.DEBUG,
}


def freeze_labels(labels: Mapping[str, str] | None) -> Mapping[str, str]:
    """A read-only, key-sorted copy of a label set."""
    return MappingProxyType(dict(sorted((labels or {}).items())))


def digest(*parts: object) -> str:
    """A short stable content hash; used for fingerprints."""
    h = hashlib.blake2b(digest_size=12)
    _feed(h, parts)
    return h.hexdigest()


def _feed(h: hashlib.blake2b, part: object) -> None:
    # Recurse into tuples/lists: repr() of a numpy array is slow and elides the
    # middle of long arrays, so arrays nested in tuples must be hashed as bytes.
    if isinstance(part, np.ndarray):
        # A CRC of the raw bytes (4x cheaper than feeding them to blake2b) is plenty to
        # notice a changed series; dtype and shape go in too.
        h.update(f"{part.dtype}{part.shape}".encode())
        h.update(zlib.crc32(np.ascontiguousarray(part).data.cast("B")).to_bytes(4, "little"))
    elif isinstance(part, (tuple, list)):
        h.update(b"(")
        for item in part:
            _feed(h, item)
            h.update(b"\x1f")
        h.update(b")")
    else:
        h.update(repr(part).encode("utf-8", "replace"))


def last_value(values: np.ndarray) -> float:
    """The newest value that is not NaN: a gap is not a value, but +Inf (a division by zero) is."""
    if values.size and not math.isnan(values[-1]):
        return float(values[-1])
    present = np.flatnonzero(~np.isnan(values))
    return float(values[present[-1]]) if present.size else math.nan


@dataclass(frozen=True, kw_only=True, slots=True)
class Series:
    """One time series: x in epoch seconds, y as float64 with NaN for gaps."""

    key: str  # stable identity within its query (sorted label text)
    name: str  # legend text after legend formatting
    labels: Mapping[str, str]
    x: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        # Snapshots are shared between threads and widgets: nobody may write into them.
        for array in (self.x, self.y):
            if array.flags.writeable:
                array.flags.writeable = False

    @property
    def last_value(self) -> float:
        """The newest value that is not NaN (+Inf and -Inf are values), NaN when there is none."""
        return last_value(self.y)

    @property
    def last_time(self) -> float:
        return float(self.x[-1]) if self.x.size else float("nan")


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryResult:
    """The answer to one panel query: series, or the backend's error."""

    series: tuple[Series, ...] = ()
    error: str | None = None  # backend's own message: shown as QUERY ERROR
    warnings: tuple[str, ...] = ()
    truncated: str | None = None  # set when the answer was capped (size, series count)
    fingerprint: str = ""

    @classmethod
    def build(
        cls,
        series: Iterable[Series] = (),
        *,
        error: str | None = None,
        warnings: Iterable[str] = (),
        truncated: str | None = None,
    ) -> QueryResult:
        ser = tuple(series)
        warn = tuple(warnings)
        fp = digest(error, warn, truncated, *[(s.key, s.name, s.x, s.y) for s in ser])
        return cls(series=ser, error=error, warnings=warn, truncated=truncated, fingerprint=fp)


@dataclass(frozen=True, kw_only=True, slots=True)
class Alert:
    """An alert or incident, normalised across Alertmanager, PagerDuty, Opsgenie."""

    fingerprint: str  # identity (labels fingerprint), stable across polls
    source_id: str
    name: str
    severity: Severity
    state: AlertState
    summary: str = ""
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    starts_at: float = 0.0  # epoch seconds
    ends_at: float | None = None
    url: str = ""
    # Lineage: who muted it and until when, so a muted alert is never hidden.
    silenced_by: tuple[str, ...] = ()
    inhibited_by: tuple[str, ...] = ()
    mute_reason: str = ""
    acknowledged_by: str = ""
    # Incident backends (PagerDuty, Opsgenie): who is on call for it, and the key that names the
    # same problem in another backend (dedup_key / alias / a label; see the incidents selector).
    oncall: str = ""
    dedup_key: str = ""

    # What the board draws, hashed once where the alert is built (a worker thread):
    # recomputing 5,000 of these on every refresh stalled the GUI thread for half a second.
    content_key: str = field(init=False, default="", compare=False)

    def __post_init__(self) -> None:
        # One repr() of flat strings, floats and tuples (exact and unambiguous, built in C): digest's
        # per-item recursion cost ~0.2 ms per alert, a second of GIL-holding work per 5,000-alert poll.
        object.__setattr__(self, "content_key", digest(repr((
            self.fingerprint, self.name, self.severity.value, self.state.value, self.summary,
            self.starts_at, self.ends_at, self.silenced_by, self.inhibited_by, self.mute_reason,
            self.acknowledged_by, tuple(self.labels.items()), self.oncall, self.dedup_key,
        ))))


@dataclass(frozen=True, kw_only=True, slots=True)
class LogLine:
    """One log record; `cursor` is the backend's unique position marker."""

    ts: float  # epoch seconds
    level: LogLevel
    text: str
    cursor: str
    service: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """A scrape target (Prometheus /api/v1/targets) for a status grid."""

    job: str
    instance: str
    health: str  # up | down | unknown
    last_error: str = ""
    last_scrape: float = 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Snapshot:
    """Everything one poll of one source produced.  Swapped in whole.

    Sections a source does not serve stay None (not empty): an empty tuple means
    "asked and the answer is nothing".
    """

    source_id: str
    taken_at: float  # epoch seconds
    metrics: Mapping[str, QueryResult] = field(default_factory=dict)  # query key -> result
    alerts: tuple[Alert, ...] | None = None
    logs: tuple[LogLine, ...] | None = None
    targets: tuple[Target, ...] | None = None
    degraded: tuple[str, ...] = ()  # reasons the source is only partly healthy
    info: Mapping[str, str] = field(default_factory=dict)  # e.g. version, cluster peers
    # A section (alerts, targets) whose answer was unusable: that section's panels show
    # QUERY ERROR with this text, the rest of the source stays OK.
    errors: Mapping[str, str] = field(default_factory=dict)
    # Per section, what was wrong but shown anyway ("1 alert dropped: labels is null").
    notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fingerprint: str = ""
    # Derived from `alerts` where the snapshot was built (the poll worker), e.g. an incident board's
    # sorted and grouped rows (noc_app.selectors_incidents.with_prepared); never part of the content.
    prepared: Mapping[str, object] = field(default_factory=dict, compare=False)

    @classmethod
    def build(
        cls,
        source_id: str,
        taken_at: float,
        *,
        metrics: Mapping[str, QueryResult] | None = None,
        alerts: Iterable[Alert] | None = None,
        logs: Iterable[LogLine] | None = None,
        targets: Iterable[Target] | None = None,
        degraded: Iterable[str] = (),
        info: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        notes: Mapping[str, Iterable[str]] | None = None,
    ) -> Snapshot:
        """Build a snapshot and compute its content fingerprint."""
        metric_map = dict(metrics or {})
        alert_tuple = None if alerts is None else tuple(alerts)
        log_tuple = None if logs is None else tuple(logs)
        target_tuple = None if targets is None else tuple(targets)
        degraded_tuple = tuple(degraded)
        info_map = dict(info or {})
        error_map = dict(errors or {})
        note_map = {section: tuple(texts) for section, texts in (notes or {}).items() if texts}
        fp = digest(
            sorted((k, r.fingerprint) for k, r in metric_map.items()),
            None if alert_tuple is None else [a.content_key for a in alert_tuple],
            None if log_tuple is None else [ln.cursor for ln in log_tuple],
            None if target_tuple is None else list(target_tuple),
            degraded_tuple,
            sorted(info_map.items()),
            sorted(error_map.items()),
            sorted(note_map.items()),
        )
        return cls(
            source_id=source_id,
            taken_at=taken_at,
            metrics=MappingProxyType(metric_map),
            alerts=alert_tuple,
            logs=log_tuple,
            targets=target_tuple,
            degraded=degraded_tuple,
            info=MappingProxyType(info_map),
            errors=MappingProxyType(error_map),
            notes=MappingProxyType(note_map),
            fingerprint=fp,
        )


class SourceHealth(enum.Enum):
    """A source's connection health, as the poller last saw it."""

    LOADING = "loading"  # no poll has finished yet
    OK = "ok"
    DEGRADED = "degraded"  # answered, but partly (one HA peer down, dead man's switch missing)
    STALE = "stale"  # failing now, last good data kept
    UNREACHABLE = "unreachable"  # failing and never had data
    AUTH_FAILED = "auth_failed"
    UNUSED = "unused"  # no panel reads it: not polled, never shown as OK (noc_app.plans.unused_sources)


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceStatus:
    """Per-source status kept by the store; availability is derived from it."""

    source_id: str
    kind: str
    health: SourceHealth = SourceHealth.LOADING
    last_success_at: float | None = None  # epoch seconds
    last_attempt_at: float | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    latency_ms: float | None = None
    degraded: tuple[str, ...] = ()
    interval_s: float = 15.0
    next_poll_in_s: float | None = None
