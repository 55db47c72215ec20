"""Talking to the Opsgenie REST API: the GenieKey client and Opsgenie's error bodies.

Shared by the source (read) and the action backend (write).  The API key is
configured like any source token, by reference (`auth.bearer_token_env` or
`auth.bearer_token_keyring`), and sent as `Authorization: GenieKey <key>`
instead of `Bearer`: the scheme is the source kind's business, the secret's
handling (resolution, redaction, never leaving its origin) stays the one of
every source.  The EU instance is just another url (https://api.eu.opsgenie.com).

Opsgenie's error bodies are {"message": ..., "errors": {field: text}, "requestId"};
the operator sees the message (and the field errors), never the raw body.
A 429 carries no Retry-After but X-RateLimit-Period-In-Sec: that is the wait.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.config.secrets import SecretUnavailable, resolve_secret
from noc_app.sources.base import AuthFailed, BadAnswer, RateLimited, SourceError
from noc_app.sources.http import (
    SourceClient,
    decode_json,
    make_client,
    parse_retry_after,
    request_bytes,
    status_error,
)

SCHEME = "GenieKey"
DEFAULT_URL = "https://api.opsgenie.com"
# Statuses whose body is Opsgenie's own error object (the message is worth showing).
MESSAGE_STATUSES = (400, 402, 404, 409, 422, 429, 500, 502, 503, 504)
MAX_MESSAGE_CHARS = 300


def genie_client(config: SourceConfig, *, transport: httpx.BaseTransport | None = None) -> SourceClient:
    """The source's HTTP client with `Authorization: GenieKey <key>`; a missing key raises AuthFailed."""
    where = f"sources[{config.id}].auth"
    if config.auth.bearer is None:
        raise AuthFailed(
            f"{where}: an opsgenie source needs its API key: write "
            f"'auth: {{bearer_token_env: NOC_{config.id.upper().replace('-', '_')}_API_KEY}}' "
            "(sent as 'Authorization: GenieKey <key>')"
        )
    try:
        key = resolve_secret(config.auth.bearer, where=where)
    except SecretUnavailable as exc:
        raise AuthFailed(str(exc)) from exc
    # The key goes in as a header of our own; make_client must not also send it as Bearer.
    keyless = dataclasses.replace(config, auth=dataclasses.replace(config.auth, bearer=None))
    base = (config.url or DEFAULT_URL).rstrip("/") + "/"
    return make_client(keyless, base_url=base, transport=transport,
                       extra_headers={"Authorization": f"{SCHEME} {key}"})


def og_request(
    client: httpx.Client, method: str, path: str, *, max_bytes: int, missing_ok: bool = False, **kwargs: Any
) -> tuple[int, Any]:
    """One Opsgenie call -> (status, decoded JSON); error statuses raise with Opsgenie's own message.

    missing_ok: a 404 is an answer, (404, None), not an error (a request Opsgenie has not processed yet).
    """
    status, body, headers = request_bytes(
        client, method, path, max_bytes=max_bytes, accept_status=MESSAGE_STATUSES, **kwargs
    )
    shown = str(client.base_url).rstrip("/") + "/" + path.lstrip("/")
    if status == 404 and missing_ok:
        return status, None
    if status >= 400:
        raise og_error(status, body, headers, shown)
    return status, decode_json(body, what=f"{method} {shown}")


def og_error(status: int, body: bytes, headers: httpx.Headers, url: str) -> SourceError:
    """The SourceError for an Opsgenie error answer, carrying its message and field errors."""
    message = error_message(body)
    if status == 429:
        wait = parse_retry_after(headers.get("retry-after")) or _period(headers.get("x-ratelimit-period-in-sec"))
        return RateLimited(f"HTTP 429 from {url}: {message or 'too many requests'}", wait)
    return status_error(status, message, headers, url)


def error_message(body: bytes) -> str:
    """Opsgenie's message from an error body ("Alert does not exist; recipients#type: ..."), or its text."""
    text = body.decode("utf-8", "replace").strip()
    try:
        payload = json.loads(text)
    except ValueError:
        return text[:MAX_MESSAGE_CHARS]
    if not isinstance(payload, dict):
        return text[:MAX_MESSAGE_CHARS]
    message = str(payload.get("message") or "").strip()
    errors = payload.get("errors")
    if isinstance(errors, dict) and errors:
        details = "; ".join(f"{k}: {v}" for k, v in list(errors.items())[:5])
        message = f"{message} ({details})" if message else details
    return (message or text)[:MAX_MESSAGE_CHARS]


def data_of(payload: object, *, what: str) -> Any:
    """The `data` member of an Opsgenie answer; anything else is BadAnswer."""
    if not isinstance(payload, dict) or "data" not in payload:
        raise BadAnswer(f"{what}: expected an object with 'data'")
    return payload["data"]


def _period(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 < seconds <= 3600 else None
