"""Prometheus (and any Prometheus-compatible API) as a Source: metrics, alerts, targets.

One poll runs every panel query of the plan, then alerts + rule health and
scrape targets when asked.  A query the backend rejects with its own error
envelope (bad_data, execution, timeout, ...) becomes that query's
`QueryResult.error`, so only its panel shows QUERY ERROR.  Anything else
(connection refused, timeout, a proxy's HTML page, truncated or misshapen JSON,
an oversized body) means the backend is not answering properly: the poll stops
at the first such error and raises it, and the poller keeps the last good data.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.model import Alert, QueryResult, Snapshot, Target
from noc_app.selectors_incidents import with_prepared
from noc_app.sources.base import (
    BadAnswer,
    BadResponse,
    MetricQuery,
    PollPlan,
    all_unusable,
    dropped_note,
)
from noc_app.sources.http import make_client, max_bytes_of, request_bytes, status_error
from noc_app.sources.offload import load_json, parse_big
from noc_app.sources.options import count_option, duration_option, flag_option
from noc_app.sources.prometheus_parse import (
    Envelope,
    build_query_result,
    error_envelope,
    iter_rules,
    parse_alerts,
    parse_buildinfo,
    parse_envelope,
    parse_targets,
    read_query_response,
    rule_health_reasons,
)
from noc_app.sources.prometheus_pending import pending_alerts
from noc_app.sources.step import aligned_range, choose_step, prometheus_duration
from noc_app.sources.template_vars import DEFAULT_SCRAPE_INTERVAL_S, substitute, unresolved_variables

# Statuses whose body may be the API's JSON error envelope (bad_data 400, not_found
# 404, not_acceptable 406, execution 422, canceled 499, internal 500, timeout 503 ...).
# 401/403/429 are never treated as a query's own error.
_ENVELOPE_STATUSES = tuple(s for s in range(400, 600) if s not in (401, 403, 429))
DEFAULT_MAX_SERIES = 1000


class PrometheusSource:
    """Polls one Prometheus-compatible HTTP API for everything its panels need."""

    kind = "prometheus"

    def __init__(
        self,
        config: SourceConfig,
        plan: PollPlan,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not config.url:
            raise ValueError(f"source {config.id!r} (prometheus) needs a url")
        self.id = config.id
        self._plan = plan
        self._clock = clock
        self._base_url = config.url.rstrip("/")
        self._max_bytes = max_bytes_of(config)
        self._scrape_interval_s = duration_option(config, "scrape_interval", DEFAULT_SCRAPE_INTERVAL_S)
        self._min_step_s = duration_option(config, "min_step", 1.0)
        self._max_series = count_option(config, "max_series", DEFAULT_MAX_SERIES)
        # A board listing this source shows its pending alerts as "developing" (pending_alerts: false: not);
        # firing_alerts: false leaves the firing ones to the Alertmanager the board also lists.
        self._pending_alerts = flag_option(config, "pending_alerts", True)
        self._firing_alerts = flag_option(config, "firing_alerts", True)
        # Ask the server to give up a little before we would, so a slow query
        # comes back as that panel's timeout error rather than a dead source.
        self._server_timeout = prometheus_duration(max(1.0, config.timeout_s * 0.9))
        self._info: dict[str, str] | None = None
        self._client = make_client(config, base_url=self._base_url + "/", transport=transport)

    def poll(self) -> Snapshot:
        """Run the plan's queries, then alerts and targets when asked; blocking.

        An unusable answer fails only its own query (QUERY ERROR on its panel) or
        section (Snapshot.errors); transport failures raise and fail the source.
        """
        now = self._clock()
        if self._info is None:
            self._info = self._fetch_buildinfo()
        info = dict(self._info)
        metrics = {query.key: self._run_query(query, now) for query in self._plan.metrics}
        failures = [r.error for r in metrics.values() if r.error]
        errors: dict[str, str] = {}
        notes: dict[str, list[str]] = {}
        alerts: tuple[Alert, ...] | None = None
        degraded: tuple[str, ...] = ()
        if self._plan.alerts:
            dropped: list[str] = []
            try:
                alerts, pending, degraded = self._fetch_alerts(dropped)
            except BadAnswer as exc:
                errors["alerts"] = str(exc)
            else:
                if pending:
                    info["pending_alerts"] = _pending_text(pending)
                notes["alerts"] = [n for n in (dropped_note(dropped, "alert"),) if n]
        targets: tuple[Target, ...] | None = None
        if self._plan.targets:
            dropped = []
            try:
                data = self._get_data("api/v1/targets", {"state": "active"}, split=("data", "activeTargets"))
                targets = parse_targets(data, dropped)
            except BadAnswer as exc:
                errors["targets"] = str(exc)
            else:
                notes["targets"] = [n for n in (dropped_note(dropped, "target"),) if n]
        asked = len(metrics) + int(self._plan.alerts) + int(self._plan.targets)
        degraded = (
            *degraded,
            *all_unusable([*failures, *errors.values()], asked),
            *self._client.take_redirect_notes(),
        )
        snapshot = Snapshot.build(
            self.id,
            now,
            metrics=metrics,
            alerts=alerts,
            targets=targets,
            degraded=degraded,
            info=info,
            errors=errors,
            notes=notes,
        )
        return with_prepared(snapshot, self._plan.alert_groupings)  # boards sorted and grouped here, off the GUI

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        self._client.close()

    # -- queries -------------------------------------------------------------

    def _run_query(self, query: MetricQuery, now: float) -> QueryResult:
        try:
            step = choose_step(query.window_s, query.max_points, min_step_s=self._min_step_s)
        except ValueError as exc:  # a panel's bad window must not take the whole source down
            return QueryResult.build(error=f"cannot query: {exc}")
        expr = substitute(
            query.expr,
            query.variables,
            step_s=step,
            window_s=query.window_s,
            scrape_interval_s=self._scrape_interval_s,
        )
        form = {"query": expr, "timeout": self._server_timeout}
        if query.instant:
            path = "api/v1/query"
            form["time"] = _number(now)
        else:
            path = "api/v1/query_range"
            start, end = aligned_range(now, query.window_s, step)
            form.update(start=_number(start), end=_number(end), step=_number(step))
        try:
            envelope = self._call("POST", path, query_data=True, data=form)
        except BadAnswer as exc:  # this query's answer only; the next one may be fine
            return QueryResult.build(error=str(exc))
        if not envelope.ok:
            return QueryResult.build(error=_with_hint(envelope.error_text, expr), warnings=envelope.warnings)
        return build_query_result(
            envelope.data, legend=query.legend, warnings=envelope.warnings, max_series=self._max_series
        )

    # -- alerts, rules, targets, build info ----------------------------------

    def _fetch_alerts(
        self, dropped: list[str]
    ) -> tuple[tuple[Alert, ...], tuple[str, ...], tuple[str, ...]]:
        alerts_data = self._get_data("api/v1/alerts", split=("data", "alerts"))
        rule_urls: dict[str, str] = {}
        try:
            rules_data = self._get_data("api/v1/rules", {"type": "alert"}, split=("data", "groups"))
        except BadResponse as exc:
            # Rule health is a bonus; an API without /rules still serves alerts.
            reasons: tuple[str, ...] = (f"rule health unavailable: {exc}",)
        else:
            reasons = rule_health_reasons(rules_data)
            for rule in iter_rules(rules_data):
                if rule.get("name") and rule.get("query"):
                    rule_urls.setdefault(str(rule["name"]), self._graph_url(str(rule["query"])))
        firing, pending = parse_alerts(
            alerts_data,
            source_id=self.id,
            rule_urls=rule_urls,
            default_url=f"{self._base_url}/alerts",
            dropped=dropped,
        )
        shown = firing if self._firing_alerts else ()
        if self._pending_alerts:
            shown += pending_alerts(alerts_data, source_id=self.id, rule_urls=rule_urls,
                                    default_url=f"{self._base_url}/alerts")
        return shown, pending, reasons

    def _fetch_buildinfo(self) -> dict[str, str]:
        try:
            return parse_buildinfo(self._get_data("api/v1/status/buildinfo"))
        except BadResponse:
            # Not every compatible API has it (older VictoriaMetrics answer 404).
            return {}

    def _graph_url(self, expr: str) -> str:
        # The same link Prometheus puts in an alert's generatorURL.
        return f"{self._base_url}/graph?" + urllib.parse.urlencode({"g0.expr": expr, "g0.tab": "1"})

    # -- HTTP ----------------------------------------------------------------

    def _get_data(
        self, path: str, params: Mapping[str, str] | None = None, *, split: tuple[str, ...] = ()
    ) -> Any:
        """GET an endpoint whose error envelope is an error of the whole section.

        `split` is the path of the list that makes a big answer big (see offload.load_json).
        """
        envelope = self._call("GET", path, split=split, params=dict(params or {}))
        if not envelope.ok:
            raise BadAnswer(f"{self._base_url}/{path}: {envelope.error_text}")
        return envelope.data

    def _call(
        self, method: str, path: str, *, split: tuple[str, ...] = (), query_data: bool = False, **kwargs: Any
    ) -> Envelope:
        """One API call -> its envelope; transport failures and non-API answers raise.

        With query_data, an ok envelope's data is QueryData: samples become arrays
        where the body is parsed (the parse worker process, for a big body).
        """
        status, body, headers = request_bytes(
            self._client,
            method,
            path,
            max_bytes=self._max_bytes,
            accept_status=_ENVELOPE_STATUSES,
            **kwargs,
        )
        if status >= 400:
            envelope = error_envelope(body)
            if envelope is None:  # a proxy's page, a plain-text 404: not the API talking
                text = body.decode("utf-8", "replace")
                raise status_error(status, text, headers, f"{self._base_url}/{path}")
            return envelope
        what = f"{self._base_url}/{path}"
        if query_data:
            return parse_big(read_query_response, body, what=what, data_what=path)
        return parse_envelope(load_json(body, what=what, split=split), what=what)


def _number(value: float) -> str:
    """Form value for a time or step: integral seconds without a fraction, else ms precision."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _with_hint(error: str, expr: str) -> str:
    names = unresolved_variables(expr)
    if not names:
        return error
    shown = ", ".join("$" + n for n in names)
    return f"{error} (unresolved dashboard variable {shown}: define it under the dashboard's variables)"


def _pending_text(names: tuple[str, ...]) -> str:
    unique = sorted(set(names))
    shown = ", ".join(unique[:5]) + (", …" if len(unique) > 5 else "")
    return f"{len(names)} pending: {shown}"
