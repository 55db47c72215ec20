"""Talking to the PagerDuty REST API v2: its auth header, its error object, its rate-limit headers.

Shared by the source (reads) and the action backend (writes).  The API key is the
source's `auth.token_env` (or `token_keyring`, or `bearer_token_env`) and travels as
`Authorization: Token token=<key>`, PagerDuty's scheme for REST API keys, never as
"Bearer"; it is resolved through config.secrets, so it is registered for redaction.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.config.secrets import SecretUnavailable, resolve_secret
from noc_app.redaction import redact
from noc_app.sources.base import AuthFailed, BadResponse, RateLimited, SourceError
from noc_app.sources.http import SourceClient, decode_json, make_client, parse_retry_after, request_bytes
from noc_app.sources.pagerduty_parse import error_message

ACCEPT = "application/vnd.pagerduty+json;version=2"
DEFAULT_URL = "https://api.pagerduty.com"
_ERROR_STATUSES = tuple(range(400, 600))
MAX_RETRY_AFTER_S = 3600.0  # a reset further away than this is not believed


class PagerDutyRejected(BadResponse):
    """PagerDuty answered a request with an error status (not 401/403/429); carries the status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (str(self), self.status))


class Forbidden(AuthFailed):
    """403: the key is valid but may not do this (or the From user may not)."""


def make_pagerduty_client(
    config: SourceConfig, *, transport: httpx.BaseTransport | None = None
) -> SourceClient:
    """The HTTP client with PagerDuty's headers; a missing key raises AuthFailed."""
    if config.auth.bearer is None:
        raise AuthFailed(
            f"sources[{config.id}].auth: a PagerDuty source needs its REST API key: "
            "write 'auth: {token_env: NOC_PAGERDUTY_TOKEN}'"
        )
    try:
        key = resolve_secret(config.auth.bearer, where=f"sources[{config.id}].auth")
    except SecretUnavailable as exc:
        raise AuthFailed(str(exc)) from exc
    # make_client would send the key as "Bearer": take it out and send PagerDuty's scheme instead.
    plain = dataclasses.replace(config, auth=dataclasses.replace(config.auth, bearer=None))
    headers = {"Authorization": f"Token token={key}", "Accept": ACCEPT}
    return make_client(
        plain, base_url=(config.url or DEFAULT_URL).rstrip("/"), transport=transport, extra_headers=headers
    )


def pd_call(
    client: httpx.Client, method: str, path: str, *, max_bytes: int, what: str = "", **kwargs: Any
) -> Any:
    """One API call -> its decoded JSON body; every failure is a SourceError with PagerDuty's own message."""
    status, body, headers = request_bytes(
        client, method, path, max_bytes=max_bytes, accept_status=_ERROR_STATUSES, **kwargs
    )
    where = what or f"{method} {path}"
    if status >= 400:
        raise pd_error(status, body, headers, where)
    if status == 204 or not body.strip():
        return {}
    return decode_json(body, what=where)


def pd_error(status: int, body: bytes, headers: httpx.Headers, where: str) -> SourceError:
    """The SourceError for an error status, with PagerDuty's error object in the message."""
    said = error_message(body)
    if said is None:
        said = " ".join(body[:300].decode("utf-8", "replace").split())
    # A proxy or PagerDuty itself may quote our Authorization header back: masked here, at the source.
    said = redact(said)
    detail = f"HTTP {status} from PagerDuty ({where})" + (f": {said}" if said else "")
    if status == 401:
        return AuthFailed(detail + " (check the API key in the source's auth.token_env)")
    if status == 403:
        return Forbidden(detail + " (the API key or the From user may not do this)")
    if status == 429:
        return RateLimited(detail, retry_after_of(headers))
    return PagerDutyRejected(detail, status)


def retry_after_of(headers: httpx.Headers) -> float | None:
    """Seconds to wait: Retry-After, else PagerDuty's ratelimit-reset (seconds until the window resets)."""
    retry = parse_retry_after(headers.get("retry-after"))
    if retry is not None:
        return retry
    reset = headers.get("ratelimit-reset")
    try:
        seconds = float(reset) if reset else None
    except ValueError:
        return None
    if seconds is None or seconds != seconds:  # NaN
        return None
    return min(MAX_RETRY_AFTER_S, max(0.0, seconds))
