"""Post the app's own incidents to every peer of an Alertmanager cluster (see actions.raised)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from noc_app.actions.backends.alertmanager import to_action_error
from noc_app.actions.errors import Retryable
from noc_app.actions.raised import (
    RAISED_TTL_S,
    RaisedIncident,
    alert_payload,
    resolved_payload,
)
from noc_app.config.schema import SourceConfig
from noc_app.sources.base import SourceError
from noc_app.sources.http import SourceClient, make_client, max_bytes_of
from noc_app.sources.silences import am_request


class AlertmanagerAlertSink:
    """IncidentSink on one Alertmanager cluster: every peer gets every alert."""

    def __init__(
        self,
        config: SourceConfig,
        *,
        clock: Callable[[], float] = time.time,
        ttl_s: float = RAISED_TTL_S,
        client_factory: Callable[[SourceConfig, str], SourceClient] | None = None,
    ) -> None:
        peers = [u.strip().rstrip("/") for u in (config.url, *config.urls) if u and u.strip()]
        if not peers:
            raise ValueError(f"source {config.id!r} (alertmanager) needs a url")
        self.peers: tuple[str, ...] = tuple(dict.fromkeys(peers))
        self._config = config
        self._clock = clock
        self._ttl_s = ttl_s
        self._max_bytes = max_bytes_of(config)
        factory = client_factory or (lambda cfg, peer: make_client(cfg, base_url=peer))
        self._clients = {peer: factory(config, peer) for peer in self.peers}

    def publish(self, firing: Sequence[RaisedIncident], resolved: Sequence[RaisedIncident] = ()) -> None:
        """POST to every peer; a peer that fails is reported only when no peer took the alerts."""
        now = self._clock()
        body = [alert_payload(i, now=now, ttl_s=self._ttl_s) for i in firing]
        body += [resolved_payload(i, now=now) for i in resolved]
        if not body:
            return
        failures: list[str] = []
        for peer, client in self._clients.items():
            try:
                am_request(client, "POST", "api/v2/alerts", max_bytes=self._max_bytes, json=body)
            except SourceError as exc:
                failures.append(f"{peer}: {exc}")
                if len(failures) == len(self.peers):
                    mapped = to_action_error(exc)
                    if isinstance(mapped, Retryable):
                        raise Retryable("; ".join(failures), mapped.retry_after) from exc
                    raise type(mapped)("; ".join(failures)) from exc

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
