"""Dashboard query variables resolved against the Prometheus source, on the poll worker.

`label_values(metric{...}, label)` and `label_values(label)` become
GET /api/v1/label/<label>/values?match[]=..., at the first poll and then every
REFRESH_S; variables are resolved in order, so `$job` is substituted into the
selector of a later `$node`.  The wrapped source is rebuilt with the new values
only when they change.  A query that still uses a declared variable with no
value is not sent (it would match nothing and show an empty panel): it gets a
query error naming the variable and why it has no value.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from noc_app.config.schema import AppConfig, SourceConfig, VariableConfig
from noc_app.model import QueryResult, Snapshot
from noc_app.redaction import redact
from noc_app.sources.base import BadAnswer, MetricQuery, PollPlan, Source, SourceError
from noc_app.sources.http import SourceClient, make_client, max_bytes_of, request_bytes
from noc_app.sources.template_vars import substitute, unresolved_variables
from noc_app.variables import filter_values, parse_label_values, variable_values

log = logging.getLogger(__name__)

REFRESH_S = 300.0  # a slow timer: label values change when hosts come and go
MAX_VALUES = 10_000
SourceFactory = Callable[[SourceConfig, PollPlan], Source]
Fetch = Callable[[str, str | None], Sequence[str]]  # (label, series selector or None) -> values


@dataclass(frozen=True, kw_only=True, slots=True)
class Resolution:
    options: Mapping[str, tuple[str, ...]]  # variable -> values found
    problems: Mapping[str, str]  # variable -> why it has no value


def resolve(defs: Sequence[VariableConfig], fetch: Fetch) -> Resolution:
    """Resolve the query variables of one dashboard, in order (pure apart from `fetch`)."""
    options: dict[str, tuple[str, ...]] = {}
    problems: dict[str, str] = {}
    for var in defs:
        parsed = parse_label_values(var.query) if var.kind == "query" else None
        if parsed is None:
            continue
        match, label = parsed
        known = variable_values(defs, options)
        if match is not None:
            match = substitute(match, known, step_s=60.0, window_s=3600.0)
            missing = [n for n in unresolved_variables(match) if n in {d.name for d in defs}]
            if missing:
                problems[var.name] = f"depends on ${missing[0]}, which has no value"
                continue
        try:
            found = filter_values(sorted(set(fetch(label, match)))[:MAX_VALUES], var.regex)
        except (SourceError, BadAnswer) as exc:
            problems[var.name] = f"{var.query} failed: {redact(str(exc))}"
            continue
        if found:
            options[var.name] = found
        else:
            problems[var.name] = f"{var.query} found no values"
    return Resolution(options=options, problems=problems)


def prometheus_label_values(client: SourceClient, max_bytes: int, label: str, match: str | None) -> tuple[str, ...]:
    """One /api/v1/label/<label>/values call."""
    params = {"match[]": match} if match else {}
    status, body, _headers = request_bytes(client, "GET", f"api/v1/label/{label}/values", max_bytes=max_bytes,
                                           params=params, accept_status=(400, 422))
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadAnswer(f"label values of {label}: not JSON") from None
    if not isinstance(payload, dict) or payload.get("status") != "success" or not isinstance(payload.get("data"), list):
        error = payload.get("error") if isinstance(payload, dict) else None
        raise BadAnswer(f"label values of {label}: HTTP {status} {error or 'not a Prometheus answer'}")
    return tuple(str(v) for v in payload["data"] if isinstance(v, str))


class VariableResolvingSource:
    """A Prometheus source whose plan's variables come from label_values() at run time."""

    def __init__(self, config: SourceConfig, plan: PollPlan, defs: Mapping[str, tuple[VariableConfig, ...]],
                 factory: SourceFactory, *, fetch: Fetch | None = None,
                 clock: Callable[[], float] = time.monotonic, refresh_s: float = REFRESH_S) -> None:
        self.id, self.kind = config.id, config.kind
        self._config, self._plan, self._defs, self._factory = config, plan, defs, factory
        self._fetch = fetch
        self._client: SourceClient | None = None
        self._clock, self._refresh_s = clock, refresh_s
        self._due = float("-inf")
        self._resolution: dict[str, Resolution] = {}
        self._blocked: dict[str, str] = {}  # query key -> error naming the variable
        self._inner_plan = self._plan_now()
        self._inner = factory(config, self._inner_plan)

    def poll(self) -> Snapshot:
        if self._clock() >= self._due:
            self._due = self._clock() + self._refresh_s
            fetch = self._fetch or self._http_fetch
            self._resolution = {dash: resolve(defs, fetch) for dash, defs in self._defs.items()}
            plan = self._plan_now()
            if plan != self._inner_plan:
                self._inner.close()
                self._inner_plan, self._inner = plan, self._factory(self._config, plan)
        snapshot = self._inner.poll()
        if not self._blocked:
            return snapshot
        metrics = {**snapshot.metrics, **{key: QueryResult.build(error=why) for key, why in self._blocked.items()}}
        return Snapshot.build(snapshot.source_id, snapshot.taken_at, metrics=metrics, alerts=snapshot.alerts,
                              logs=snapshot.logs, targets=snapshot.targets, degraded=snapshot.degraded,
                              info=snapshot.info, errors=snapshot.errors, notes=snapshot.notes)

    def close(self) -> None:
        self._inner.close()
        if self._client is not None:
            self._client.close()

    def _http_fetch(self, label: str, match: str | None) -> tuple[str, ...]:
        if self._client is None:
            self._client = make_client(self._config)
        return prometheus_label_values(self._client, max_bytes_of(self._config), label, match)

    def _plan_now(self) -> PollPlan:
        """The plan with today's values; queries using a variable with no value are held back."""
        kept: list[MetricQuery] = []
        self._blocked = {}
        for query in self._plan.metrics:
            dash = query.key.split("/", 1)[0]
            defs = self._defs.get(dash)
            if defs is None:
                kept.append(query)
                continue
            resolution = self._resolution.get(dash, Resolution(options={}, problems={}))
            values = {**query.variables, **variable_values(defs, resolution.options)}
            text = substitute(query.expr, values, step_s=60.0, window_s=query.window_s)
            declared = {d.name: d for d in defs}
            missing = [n for n in unresolved_variables(text) if n in declared]
            if missing:
                self._blocked[query.key] = _why_missing(missing[0], resolution.problems)
            else:
                legend = substitute(query.legend, values, step_s=60.0, window_s=query.window_s) \
                    if "$" in query.legend or "[[" in query.legend else query.legend
                kept.append(replace(query, variables=values, legend=legend))
        return replace(self._plan, metrics=tuple(kept))


def _why_missing(name: str, problems: Mapping[str, str]) -> str:
    """The error for a query held back by $name, naming the root cause when $name waits on another."""
    why = problems.get(name, "not resolved yet")
    seen = {name}
    text = f"dashboard variable ${name} has no value: {why}"
    while why.startswith("depends on $"):
        root = why.removeprefix("depends on $").split(",", 1)[0]
        if root in seen:
            break
        seen.add(root)
        why = problems.get(root, "not resolved yet")
        text = f"dashboard variable ${name} has no value: ${root} has none: {why}"
    return text


def with_variable_resolution(config: AppConfig, factory: SourceFactory) -> SourceFactory:
    """A source factory that wraps Prometheus sources serving dashboards with query variables."""
    defs = {dash.id: dash.variable_defs for dash in config.dashboards
            if any(v.kind == "query" for v in dash.variable_defs)}

    def make(source: SourceConfig, plan: PollPlan) -> Source:
        served = {query.key.split("/", 1)[0] for query in plan.metrics}
        mine = {dash: found for dash, found in defs.items() if dash in served}
        if source.kind != "prometheus" or not mine:
            return factory(source, plan)
        return VariableResolvingSource(source, plan, mine, factory)

    return make
