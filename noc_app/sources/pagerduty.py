"""PagerDuty (REST API v2) as a Source of incidents, with who is on call.

One poll lists the open incidents (triggered and acknowledged; with
`options.resolved_lookback`, also those resolved within it), page by page
(limit 100, the API's maximum, following `more`).  At most `options.max_pages`
pages are read: a longer list is shown cut, and the cut is said on the board
and in the feed strip, never passed off as whole.  Who is on call comes from
GET /oncalls for the escalation policies the incidents use; it changes slowly, so
it is fetched again only every `options.oncall_refresh` (default 5 minutes) and
a failure there keeps the last answer with a DEGRADED note.

Options (all optional): service_ids, team_ids, urgencies (lists: server-side
filters), max_pages, oncall_refresh, resolved_lookback.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.model import Snapshot
from noc_app.sources.base import BadAnswer, PollPlan, SourceError, all_unusable, dropped_note
from noc_app.sources.http import SourceClient, max_bytes_of
from noc_app.sources.options import count_option, duration_option
from noc_app.sources.pagerduty_http import make_pagerduty_client, pd_call
from noc_app.sources.pagerduty_parse import OnCall, oncall_text, parse_oncalls, parse_page, to_alerts

PAGE_LIMIT = 100  # the API's maximum for /incidents
DEFAULT_MAX_PAGES = 20
MAX_PAGES_LIMIT = 100  # classic pagination stops at offset 10,000 anyway
DEFAULT_ONCALL_REFRESH_S = 300.0
ONCALL_MAX_PAGES = 5
_LIST_OPTIONS = {"service_ids": "service_ids[]", "team_ids": "team_ids[]", "urgencies": "urgencies[]"}
_URGENCIES = ("high", "low")


class PagerDutySource:
    """Polls one PagerDuty account's incidents and on-call."""

    kind = "pagerduty"

    def __init__(
        self,
        config: SourceConfig,
        plan: PollPlan,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        del plan  # incidents are all PagerDuty serves here: every poll fetches them
        self.id = config.id
        self._config = config
        self._transport = transport
        self._clock = clock
        self._max_bytes = max_bytes_of(config)
        self._filters = list_filters(config)
        self._max_pages = min(count_option(config, "max_pages", DEFAULT_MAX_PAGES), MAX_PAGES_LIMIT)
        self._oncall_every_s = duration_option(config, "oncall_refresh", DEFAULT_ONCALL_REFRESH_S)
        lookback = config.options.get("resolved_lookback")
        self._resolved_lookback_s = None if lookback is None else duration_option(config, "resolved_lookback", 3600.0)
        self._client: SourceClient | None = None
        self._lock = threading.Lock()
        self._oncalls: tuple[OnCall, ...] = ()
        self._oncall_policies: frozenset[str] = frozenset()
        self._oncall_at: float | None = None

    def poll(self) -> Snapshot:
        """List the incidents (bounded pages), attach who is on call; blocking.

        Transport, auth and rate-limit failures raise (the poller keeps the last good
        board); an unusable answer is the incidents section's error; unusable records
        are dropped and counted.
        """
        now = self._clock()
        client = self._get_client()
        degraded: list[str] = []
        notes: list[str] = []
        dropped: list[str] = []
        try:
            items, cut = self._list(client, {"statuses[]": ["triggered", "acknowledged"]})
            if self._resolved_lookback_s is not None:
                since = _iso(now - self._resolved_lookback_s)
                resolved, cut_resolved = self._list(client, {"statuses[]": ["resolved"], "since": since})
                items += resolved
                cut = cut or cut_resolved
        except BadAnswer as exc:
            return Snapshot.build(
                self.id, now, degraded=all_unusable([str(exc)], 1), errors={"alerts": str(exc)}
            )
        if cut:
            text = (f"incident list cut at {len(items)}: PagerDuty has more than {self._max_pages} pages "
                    f"of {PAGE_LIMIT}; narrow it with options.service_ids/team_ids or raise options.max_pages")
            notes.append(text)
            degraded.append(text)
        policies = frozenset(_policy_ids(items))
        degraded.extend(self._refresh_oncall(client, policies, now))
        alerts = to_alerts(items, source_id=self.id, oncall=oncall_text(self._oncalls), dropped=dropped)
        notes.extend(n for n in (dropped_note(dropped, "incident"),) if n)
        degraded.extend(client.take_redirect_notes())
        return Snapshot.build(self.id, now, alerts=alerts, degraded=degraded, notes={"alerts": notes})

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- requests -----------------------------------------------------------------

    def _get_client(self) -> SourceClient:
        # Built on first use: a missing key is AUTH FAILED on the board, not a crash at start-up.
        with self._lock:
            if self._client is None:
                self._client = make_pagerduty_client(self._config, transport=self._transport)
            return self._client

    def _list(self, client: SourceClient, query: dict[str, str | list[str]]) -> tuple[list[object], bool]:
        """Up to max_pages pages of incidents; True when PagerDuty said there was more."""
        items: list[object] = []
        offset = 0
        for _ in range(self._max_pages):
            params = {**query, **self._filters, "limit": str(PAGE_LIMIT), "offset": str(offset)}
            page = parse_page(
                pd_call(client, "GET", "/incidents", params=params, max_bytes=self._max_bytes, what="GET /incidents"),
                "incidents", what="GET /incidents",
            )
            items.extend(page.items)
            if not page.more or not page.items:
                return items, False
            offset += len(page.items)
        return items, True

    def _refresh_oncall(self, client: SourceClient, policies: frozenset[str], now: float) -> list[str]:
        """Refetch on-call when it is due or new policies appeared; a failure keeps the last answer."""
        if not policies:
            return []
        due = self._oncall_at is None or now - self._oncall_at >= self._oncall_every_s
        if not due and policies <= self._oncall_policies:
            return []
        try:
            self._oncalls = self._fetch_oncalls(client, sorted(policies))
        except (BadAnswer, SourceError) as exc:
            return [f"on-call unavailable: {exc}"]
        self._oncall_policies = policies
        self._oncall_at = now
        return []

    def _fetch_oncalls(self, client: SourceClient, policies: Sequence[str]) -> tuple[OnCall, ...]:
        entries: list[object] = []
        offset = 0
        for _ in range(ONCALL_MAX_PAGES):
            params = {"escalation_policy_ids[]": list(policies), "earliest": "true",
                      "limit": str(PAGE_LIMIT), "offset": str(offset)}
            page = parse_page(
                pd_call(client, "GET", "/oncalls", params=params, max_bytes=self._max_bytes, what="GET /oncalls"),
                "oncalls", what="GET /oncalls",
            )
            entries.extend(page.items)
            if not page.more or not page.items:
                break
            offset += len(page.items)
        return parse_oncalls(entries)


def list_filters(config: SourceConfig) -> dict[str, list[str]]:
    """The server-side filters from options.service_ids / team_ids / urgencies (lists of text)."""
    filters: dict[str, list[str]] = {}
    for option, param in _LIST_OPTIONS.items():
        value = config.options.get(option)
        if value is None:
            continue
        where = f"sources[{config.id}].options.{option}" + (f" ({config.origin})" if config.origin else "")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"{where}: expected a list of ids like [PABC123], got {type(value).__name__}")
        items = [v.strip() for v in value]
        if option == "urgencies" and any(v not in _URGENCIES for v in items):
            raise ValueError(f"{where}: urgencies are high and low, got {items}")
        filters[param] = items
    return filters


def _policy_ids(items: Sequence[object]) -> list[str]:
    ids = []
    for item in items:
        policy = item.get("escalation_policy") if isinstance(item, dict) else None
        if isinstance(policy, dict) and isinstance(policy.get("id"), str) and policy["id"]:
            ids.append(policy["id"])
    return ids


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
