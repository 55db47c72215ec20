"""The seam between the poller and every backend: the Source protocol and its errors.

A source's `poll()` is blocking and runs in a worker thread.  It returns an
immutable, fingerprinted `Snapshot` or raises one of these errors::

    SourceError
     ├── Unreachable        connection refused, DNS failure, timeout, TLS failure, slow drip
     ├── AuthFailed         401 / 403
     ├── RateLimited        429 / 503 with Retry-After (retry_after seconds, may be None)
     └── BadResponse        an HTTP-level failure: 5xx from a proxy, an unexpected 4xx
          └── BadAnswer      the body of ONE answer is unusable: not JSON, not UTF-8,
               │             nested too deeply, wrong shape, a sample that is no number
               ├── ResponseTooLarge   body exceeded the configured size cap
               └── Redirected         a redirect the source's policy does not follow

Per-query problems (a PromQL syntax error on one panel, a BadAnswer to one
query) are not raised out of poll(): adapters catch them per query and they
travel inside the snapshot as `QueryResult.error` (or `Snapshot.errors` for the
alerts and targets sections), so only that panel shows QUERY ERROR while the
rest of the source stays OK.  Only transport-level and HTTP-level failures make
the whole source STALE or UNREACHABLE.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from noc_app.model import Snapshot


class SourceError(Exception):
    """Base of every error a source raises from poll(); `str()` is shown to operators."""


class Unreachable(SourceError):
    """The backend could not be reached or did not answer in time."""


class AuthFailed(SourceError):
    """The backend refused our credentials (401/403)."""


class RateLimited(SourceError):
    """The backend asked us to slow down; honour retry_after when given."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BadResponse(SourceError):
    """The backend answered, but not with something we can use."""


class BadAnswer(BadResponse):
    """The backend answered one request with a body we cannot use; that query's problem only."""


class ResponseTooLarge(BadAnswer):
    """The response body exceeded the size cap; nothing of it was used."""


class Redirected(BadAnswer):
    """The backend redirected and the source's redirect policy does not allow following it."""

    def __init__(self, message: str, target: str) -> None:
        super().__init__(message)
        self.target = target

    def __reduce__(self) -> tuple[object, ...]:  # pickles across the parse worker process
        return (type(self), (str(self), self.target))


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricQuery:
    """One metric query a panel needs answered by a source."""

    key: str  # "<dashboard>/<panel>/<index>": where the result goes
    expr: str  # query text after template-variable substitution
    legend: str = ""  # Grafana-style "{{method}} {{status}}"
    instant: bool = False  # instant query (stat, gauge) instead of range
    window_s: float = 3600.0  # how far back a range query reaches
    max_points: int = 720  # upper bound on points per series; sets the step
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class LogQuery:
    """One log stream a panel shows."""

    key: str
    expr: str = ""  # LogQL, Lucene/Query DSL text, or journald matches "FIELD=value ..."
    limit: int = 200


@dataclass(frozen=True, kw_only=True, slots=True)
class PollPlan:
    """Everything the configured panels ask of one source."""

    metrics: tuple[MetricQuery, ...] = ()
    logs: tuple[LogQuery, ...] = ()
    alerts: bool = False
    targets: bool = False
    # The `group_by` of each incident board that reads only this source: the source's worker prepares
    # those boards' sorted, grouped rows (noc_app.selectors_incidents.with_prepared).
    alert_groupings: tuple[tuple[str, ...], ...] = ()


@runtime_checkable
class Source(Protocol):
    """One backend adapter.  Implementations own one HTTP client each."""

    id: str
    kind: str

    def poll(self) -> Snapshot:
        """Fetch everything the plan asks for; blocking; called from a worker thread."""
        ...

    def close(self) -> None:
        """Release network resources; idempotent."""
        ...


def dropped_note(reasons: Sequence[str], noun: str) -> str | None:
    """One panel warning for the records dropped from an answer, or None when none were.

    "1 alert dropped: labels is null"; "3 log lines dropped: timestamp is not a number (2), ..."
    """
    if not reasons:
        return None
    counts = Counter(reasons)
    parts = [reason if n == 1 else f"{reason} ({n})" for reason, n in counts.most_common(3)]
    if len(counts) > 3:
        parts.append("…")
    plural = noun if len(reasons) == 1 else noun + "s"
    return f"{len(reasons)} {plural} dropped: {', '.join(parts)}"


def all_unusable(errors: Sequence[str], asked: int) -> tuple[str, ...]:
    """A degraded reason when every question of a poll got an unusable answer.

    Each failed query is already its panel's QUERY ERROR; this keeps the feed strip
    from showing a source green when nothing it answered could be used.
    """
    if asked == 0 or len(errors) < asked:
        return ()
    return (f"no usable answer to any of {asked} requests: {errors[0]}",)
