"""Alertmanager (one HA cluster of peers) as a Source of alerts with mute lineage.

Every peer is asked for its alerts (active, silenced and inhibited alike) and
silences; alerts are de-duplicated by fingerprint.  Peers of one cluster gossip
silences but receive alerts independently, so asking all of them is what makes
one peer going down a DEGRADED note rather than a blank board.  Only when no
peer answers does the poll raise.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.model import Snapshot
from noc_app.selectors_incidents import with_prepared
from noc_app.sources.alertmanager_parse import (
    RawAlert,
    Silence,
    merge_alerts,
    merge_silences,
    parse_alert_list,
    parse_status,
    read_alert,
    to_alerts,
)
from noc_app.sources.base import BadAnswer, PollPlan, SourceError, all_unusable, dropped_note
from noc_app.sources.deadman import read_deadman
from noc_app.sources.http import decode_json, make_client, max_bytes_of
from noc_app.sources.offload import load_json
from noc_app.sources.silences import am_request, list_silences

# Ask for every alert Alertmanager holds, muted ones included (all default to
# true; spelled out so a future default change cannot hide muted alerts).
_ALL_ALERTS = {"active": "true", "silenced": "true", "inhibited": "true", "unprocessed": "true"}


class AlertmanagerSource:
    """Polls every peer of one Alertmanager cluster and merges what they say."""

    kind = "alertmanager"

    def __init__(
        self,
        config: SourceConfig,
        plan: PollPlan,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        peers = [u.strip().rstrip("/") for u in (config.url, *config.urls) if u and u.strip()]
        if not peers:
            raise ValueError(f"source {config.id!r} (alertmanager) needs a url")
        self.id = config.id
        self.peers: tuple[str, ...] = tuple(dict.fromkeys(peers))  # de-duplicated, order kept
        # Alerts are all an Alertmanager serves: every poll fetches them.  The plan says which
        # boards to prepare (sorted and grouped here, in the worker, not on the GUI thread).
        self._groupings = plan.alert_groupings
        self._clock = clock
        self._max_bytes = max_bytes_of(config)
        self._deadman = (config.deadman_alert or "").strip()
        self._show_deadman = bool(config.options.get("deadman_visible", False))
        # One client for the whole cluster: requests carry absolute peer URLs.
        self._client = make_client(config, base_url="", transport=transport)

    def poll(self) -> Snapshot:
        """Ask every peer; merge; raise only when no peer answered at all.

        A peer whose answer is unusable is a DEGRADED note; when every peer that
        answered sent garbage, the alerts section is an error (QUERY ERROR on the
        board) rather than a dead source.  Unusable records are dropped and noted.
        """
        now = self._clock()
        peer_alerts: list[tuple[RawAlert, ...]] = []
        peer_silences: list[tuple[Silence, ...]] = []
        failures: list[tuple[str, SourceError]] = []
        dropped_alerts: list[str] = []
        dropped_silences: list[str] = []
        info: dict[str, str] | None = None
        for peer in self.peers:
            try:
                fetched = self._fetch_alerts(peer, dropped_alerts)
            except SourceError as exc:
                failures.append((peer, exc))
                continue
            peer_alerts.append(fetched)
            peer_silences.append(self._fetch_silences(peer, dropped_silences, failures))
            if info is None:
                info = self._fetch_status(peer)
        degraded = [f"peer {peer}: {exc}" for peer, exc in failures]
        degraded.extend(self._client.take_redirect_notes())
        if not peer_alerts:
            unusable = [exc for _, exc in failures if isinstance(exc, BadAnswer)]
            if not unusable:
                raise failures[0][1]
            degraded.extend(all_unusable([str(exc) for exc in unusable], len(unusable)))
            return Snapshot.build(
                self.id, now, degraded=degraded, info=info or {}, errors={"alerts": str(unusable[0])}
            )
        info = info or {}
        if len(self.peers) > 1:
            info["reachable"] = f"{len(peer_alerts)}/{len(self.peers)} peers"
        raw = merge_alerts(peer_alerts)
        alerts = to_alerts(raw, merge_silences(peer_silences), source_id=self.id, now=now)
        # Always firing by design: a health signal, not an incident (karma does the same).
        deadman = read_deadman(alerts, self._deadman, show=self._show_deadman)
        alerts = deadman.alerts
        degraded.extend(deadman.degraded)
        info.update(deadman.info)
        notes = [dropped_note(dropped_alerts, "alert"), dropped_note(dropped_silences, "silence")]
        snapshot = Snapshot.build(
            self.id,
            now,
            alerts=alerts,
            degraded=degraded,
            info=info,
            notes={"alerts": [n for n in notes if n]},
        )
        return with_prepared(snapshot, self._groupings)

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        self._client.close()

    def _fetch_alerts(self, peer: str, dropped: list[str]) -> tuple[RawAlert, ...]:
        url = f"{peer}/api/v2/alerts"
        body = am_request(self._client, "GET", url, max_bytes=self._max_bytes, params=_ALL_ALERTS)
        # Each alert is read as its chunk arrives: thousands of raw JSON dicts never pile up.
        return parse_alert_list(load_json(body, what=url, each=read_alert), what=url, dropped=dropped)

    def _fetch_silences(
        self, peer: str, dropped: list[str], failures: list[tuple[str, SourceError]]
    ) -> tuple[Silence, ...]:
        """A peer's silences; an unusable answer leaves mute reasons unknown, not the board blank."""
        try:
            return list_silences(self._client, peer=peer, max_bytes=self._max_bytes, dropped=dropped)
        except BadAnswer as exc:
            failures.append((peer, exc))
            return ()

    def _fetch_status(self, peer: str) -> dict[str, str]:
        url = f"{peer}/api/v2/status"
        try:
            body = am_request(self._client, "GET", url, max_bytes=self._max_bytes)
            return parse_status(decode_json(body, what=url))
        except SourceError:
            return {}  # version and cluster text are nice to have, never a reason to fail
