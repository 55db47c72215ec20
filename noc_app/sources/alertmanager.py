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
from noc_app.selectors_incidents import with_selections
from noc_app.sources.alertmanager_build import build_alerts
from noc_app.sources.alertmanager_parse import (
    Silence,
    merge_silences,
    parse_status,
)
from noc_app.sources.base import BadAnswer, PollPlan, SourceError, all_unusable, dropped_note
from noc_app.sources.http import decode_json, make_client, max_bytes_of
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
        bodies: list[tuple[str, bytes]] = []
        peer_silences: list[tuple[Silence, ...]] = []
        failures: list[tuple[str, SourceError]] = []
        dropped_silences: list[str] = []
        info: dict[str, str] | None = None
        for peer in self.peers:
            try:
                bodies.append((peer, self._fetch_alerts_body(peer)))
            except SourceError as exc:
                failures.append((peer, exc))
                continue
            peer_silences.append(self._fetch_silences(peer, dropped_silences, failures))
            if info is None:
                info = self._fetch_status(peer)
        # Parsed, merged, given their lineage and sorted into the planned boards: in the parse worker
        # process when the answers are big (sources/alertmanager_build.py), never on the GUI thread.
        built = build_alerts(
            [body for _, body in bodies], silences=merge_silences(peer_silences), source_id=self.id, now=now,
            deadman=self._deadman, show_deadman=self._show_deadman, groupings=self._groupings,
            what=f"{bodies[0][0]}/api/v2/alerts" if bodies else "alerts",
        )
        failures.extend((peer, BadAnswer(err)) for (peer, _), err in zip(bodies, built.peer_errors, strict=True) if err)
        answered = sum(1 for err in built.peer_errors if err is None)
        degraded = [f"peer {peer}: {exc}" for peer, exc in failures]
        degraded.extend(self._client.take_redirect_notes())
        if not answered:
            unusable = [exc for _, exc in failures if isinstance(exc, BadAnswer)]
            if not unusable:
                raise failures[0][1]
            degraded.extend(all_unusable([str(exc) for exc in unusable], len(unusable)))
            return Snapshot.build(
                self.id, now, degraded=degraded, info=info or {}, errors={"alerts": str(unusable[0])}
            )
        info = info or {}
        if len(self.peers) > 1:
            info["reachable"] = f"{answered}/{len(self.peers)} peers"
        # A dead man's switch is always firing by design: a health signal, not an incident (karma does the same).
        degraded.extend(built.degraded)
        info.update(built.info)
        notes = [dropped_note(list(built.dropped), "alert"), dropped_note(dropped_silences, "silence")]
        snapshot = Snapshot.build(
            self.id,
            now,
            alerts=built.alerts,
            degraded=degraded,
            info=info,
            notes={"alerts": [n for n in notes if n]},
        )
        return with_selections(snapshot, built.prepared)

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        self._client.close()

    def _fetch_alerts_body(self, peer: str) -> bytes:
        return am_request(self._client, "GET", f"{peer}/api/v2/alerts", max_bytes=self._max_bytes, params=_ALL_ALERTS)

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
