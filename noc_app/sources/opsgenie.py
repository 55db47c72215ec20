"""Opsgenie (Alert API v2) as a Source of incidents.

One poll lists the alerts matching `options.query` (default `status:open`),
newest first, page by page (limit/offset, `options.page_size` up to 100) while
Opsgenie says there is a next page, and at most `options.max_pages` pages.  A list
cut by that bound is said on the board (a note and an info line), never shown as
whole.  The next offset is computed here; the absolute `paging.next` URL is only
read as "there is more", so the key is never sent wherever an answer points.

Alerts created or closed while the pages are read shift the offsets: an alert may
appear twice (de-duplicated by id) or be missed until the next poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.model import Alert, Snapshot
from noc_app.sources.base import BadAnswer, PollPlan, all_unusable, dropped_note
from noc_app.sources.http import LazyClient, SourceClient, max_bytes_of
from noc_app.sources.opsgenie_api import genie_client, og_request
from noc_app.sources.opsgenie_parse import parse_alert_page
from noc_app.sources.options import count_option, text_option

DEFAULT_QUERY = "status:open"
DEFAULT_PAGE_SIZE = 100  # Opsgenie's maximum
DEFAULT_MAX_PAGES = 10
ALERTS_PATH = "v2/alerts"


class _GenieLazyClient(LazyClient):
    """Built on first use, so a missing key is AUTH FAILED on the board, not a start-up crash."""

    def get(self) -> SourceClient:
        if self._client is None:
            self._client = genie_client(self._config, transport=self._transport)
        return self._client


class OpsgenieSource:
    """Polls one Opsgenie account's alerts."""

    kind = "opsgenie"

    def __init__(
        self,
        config: SourceConfig,
        plan: PollPlan,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        del plan  # alerts are all an Opsgenie source serves
        self.id = config.id
        self._clock = clock
        self._max_bytes = max_bytes_of(config)
        self._query = text_option(config, "query", DEFAULT_QUERY)
        self._page_size = count_option(config, "page_size", DEFAULT_PAGE_SIZE)
        self._max_pages = count_option(config, "max_pages", DEFAULT_MAX_PAGES)
        self._client = _GenieLazyClient(config, transport=transport)

    def poll(self) -> Snapshot:
        """Read the pages; a page with an unusable body makes the section an error, not the source dead."""
        now = self._clock()
        client = self._client.get()
        dropped: list[str] = []
        alerts: dict[str, Alert] = {}
        offset = 0
        cut = False
        info = {"query": self._query}
        try:
            for page_number in range(self._max_pages):
                params = {"query": self._query, "limit": str(self._page_size), "offset": str(offset),
                          "sort": "createdAt", "order": "desc"}
                _, payload = og_request(client, "GET", ALERTS_PATH, max_bytes=self._max_bytes, params=params)
                page = parse_alert_page(payload, source_id=self.id, what=f"GET /{ALERTS_PATH} page "
                                        f"{page_number + 1}", dropped=dropped)
                for alert in page.alerts:
                    alerts.setdefault(alert.fingerprint, alert)
                offset += page.size
                if not page.has_next or page.size == 0:
                    break
            else:
                cut = True
        except BadAnswer as exc:
            degraded = [*self._client.get().take_redirect_notes(), *all_unusable([str(exc)], 1)]
            return Snapshot.build(self.id, now, degraded=degraded, info=info, errors={"alerts": str(exc)})
        notes = [dropped_note(dropped, "alert")]
        if cut:
            shown = f"list cut at {offset} alerts ({self._max_pages} pages of {self._page_size})"
            notes.append(f"{shown}; Opsgenie has more: narrow options.query or raise options.max_pages")
            info["cut"] = shown
        ordered = sorted(alerts.values(), key=lambda a: (a.severity.rank, a.starts_at, a.name, a.fingerprint))
        return Snapshot.build(
            self.id,
            now,
            alerts=ordered,
            degraded=client.take_redirect_notes(),
            info=info,
            notes={"alerts": [n for n in notes if n]},
        )

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        self._client.close()
