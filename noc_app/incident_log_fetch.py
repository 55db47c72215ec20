"""Run one incident's log query against a configured log source, once (blocking; call it from a worker).

The source's own adapter does the work (noc_app.sources: the same HTTP client rules, secrets, limits
and parsing as a log panel's poll), given a plan of one log query.  Errors come back as text, redacted.
"""

from __future__ import annotations

from typing import Any

from noc_app.config.schema import SourceConfig
from noc_app.incident_detail import IncidentLogs
from noc_app.redaction import redact
from noc_app.sources.base import LogQuery, PollPlan, SourceError
from noc_app.sources.registry import create_source

QUERY_KEY = "incident/detail/logs"
DEFAULT_LIMIT = 200


def fetch_incident_logs(
    source: SourceConfig, query: str, *, limit: int = DEFAULT_LIMIT, **adapter: Any,
) -> IncidentLogs:
    """The newest `limit` lines the query matches (adapter kwargs: a test's transport or clock)."""
    plan = PollPlan(logs=(LogQuery(key=QUERY_KEY, expr=query, limit=limit),))
    try:
        adapter_source = create_source(source, plan, **adapter)
    except (ValueError, SourceError) as exc:
        return IncidentLogs(source_id=source.id, query=query, error=redact(str(exc)))
    try:
        snapshot = adapter_source.poll()
    except SourceError as exc:
        return IncidentLogs(source_id=source.id, query=query, error=redact(f"{type(exc).__name__}: {exc}"))
    finally:
        adapter_source.close()
    result = snapshot.metrics.get(QUERY_KEY)
    error = result.error if result is not None and result.error else ""
    return IncidentLogs(source_id=source.id, query=query, lines=tuple(snapshot.logs or ()), error=redact(error))
