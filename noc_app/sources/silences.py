"""Reading Alertmanager silences: the blocking list/get calls and Alertmanager's error bodies.

The Alertmanager source lists silences to show who silenced (or acked) what.  The
write half (create/expire, the silence body and its checks) belongs to the actions
backend: noc_app.actions.backends.alertmanager_silences.  `client` is an httpx.Client
from `http.make_client` whose base_url is one Alertmanager peer (silences gossip
to the rest of the cluster), or any client plus an absolute `peer` URL.

Alertmanager's error bodies are JSON strings ("silence not found"), or a
go-swagger object {"code", "message"} for parameter validation; either way the
operator sees the message itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import httpx

from noc_app.sources.alertmanager_parse import Silence, parse_silence, parse_silences
from noc_app.sources.http import decode_json, request_bytes, status_error
from noc_app.sources.offload import load_json

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
# Statuses whose body Alertmanager fills with its own message.
MESSAGE_STATUSES = (400, 404, 422, 500)


def get_silence(
    client: httpx.Client, silence_id: str, *, peer: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> Silence:
    """GET /api/v2/silence/{id}."""
    url = f"{peer.rstrip('/')}/api/v2/silence/{silence_id}" if peer else f"api/v2/silence/{silence_id}"
    return parse_silence(decode_json(am_request(client, "GET", url, max_bytes=max_bytes), what="GET silence"))


def list_silences(
    client: httpx.Client,
    *,
    peer: str = "",
    filters: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    dropped: list[str] | None = None,
) -> tuple[Silence, ...]:
    """GET /api/v2/silences, optionally with matcher filters like 'alertname="X"'.

    Unusable silences are left out, their reasons appended to `dropped`.
    """
    url = f"{peer.rstrip('/')}/api/v2/silences" if peer else "api/v2/silences"
    params = [("filter", f) for f in filters]
    body = am_request(client, "GET", url, max_bytes=max_bytes, params=params)
    shown = shown_url(client, url)
    return parse_silences(load_json(body, what=shown), what=shown, dropped=dropped)


def am_request(client: httpx.Client, method: str, url: str, *, max_bytes: int, **kwargs: Any) -> bytes:
    """One Alertmanager call -> body; its error statuses raise with Alertmanager's own message."""
    status, body, headers = request_bytes(
        client, method, url, max_bytes=max_bytes, accept_status=MESSAGE_STATUSES, **kwargs
    )
    if status >= 400:
        raise status_error(status, error_message(body), headers, shown_url(client, url))
    return body


def error_message(body: bytes) -> str:
    """Alertmanager's message from an error body: a JSON string, {"message": ...}, or raw text."""
    text = body.decode("utf-8", "replace").strip()
    try:
        payload = json.loads(text)
    except ValueError:
        return text
    if isinstance(payload, str):
        return payload
    message = payload.get("message") if isinstance(payload, dict) else None
    if isinstance(message, str):
        return message
    return text


def iso_time(epoch_s: float) -> str:
    """RFC 3339 UTC with milliseconds, as Alertmanager writes it: 2026-03-11T12:48:38.409Z."""
    when = dt.datetime.fromtimestamp(epoch_s, tz=dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def shown_url(client: httpx.Client, url: str) -> str:
    if "://" in url:
        return url.split("?", 1)[0]
    return str(client.base_url).rstrip("/") + "/" + url.lstrip("/")
