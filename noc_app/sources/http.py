"""HTTP plumbing shared by every HTTP source: client construction and error mapping.

One `httpx.Client` per source (thread-safe, connection pooling), explicit
timeouts, TLS verification on by default, auth resolved from secret references.
Responses are read with a size cap so a runaway backend cannot exhaust memory,
and every httpx failure is mapped onto the SourceError tree with its cause chained.
"""

from __future__ import annotations

import email.utils
import json
import ssl
import time
from typing import Any

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.config.secrets import SecretUnavailable, resolve_secret
from noc_app.sources.base import (
    AuthFailed,
    BadResponse,
    RateLimited,
    ResponseTooLarge,
    SourceError,
    Unreachable,
)

USER_AGENT = "noc-app"


def make_client(
    config: SourceConfig,
    *,
    base_url: str | None = None,
    transport: httpx.BaseTransport | None = None,
    extra_headers: dict[str, str] | None = None,
) -> httpx.Client:
    """Build the one HTTP client a source uses, with auth, TLS and timeouts from config."""
    headers = {"User-Agent": USER_AGENT, **dict(config.auth.headers), **(extra_headers or {})}
    auth: httpx.Auth | None = None
    where = f"sources[{config.id}].auth"
    try:
        for name, ref in config.auth.secret_headers.items():
            headers[name] = resolve_secret(ref, where=f"{where}.headers.{name}")
        if config.auth.bearer is not None:
            headers["Authorization"] = "Bearer " + resolve_secret(config.auth.bearer, where=where)
        if config.auth.basic_user is not None:
            password = ""
            if config.auth.basic_password is not None:
                password = resolve_secret(config.auth.basic_password, where=where)
            auth = httpx.BasicAuth(config.auth.basic_user, password)
    except SecretUnavailable as exc:
        # Surfaced as an auth failure on the source's panels, not a crash.
        raise AuthFailed(str(exc)) from exc
    verify: bool | ssl.SSLContext = config.tls.verify
    if config.tls.verify and config.tls.ca_file:
        verify = ssl.create_default_context(cafile=config.tls.ca_file)
    timeout = httpx.Timeout(config.timeout_s, connect=min(config.timeout_s, 5.0))
    return httpx.Client(
        base_url=base_url if base_url is not None else (config.url or ""),
        headers=headers,
        auth=auth,
        verify=verify,
        timeout=timeout,
        transport=transport,
        follow_redirects=True,
    )


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _target(exc: httpx.HTTPError) -> str:
    """host:port the failed request went to, or '' when httpx did not record it."""
    try:
        url = exc.request.url
    except RuntimeError:
        return ""
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{url.host}:{port}"


def map_httpx_error(exc: httpx.HTTPError) -> SourceError:
    """Translate an httpx transport error into our error tree (status errors are not handled here).

    Messages lead with what an operator can act on ("connection refused: host:port")
    instead of the errno text the OS gives.
    """
    text = str(exc) or type(exc).__name__
    target = _target(exc)
    where = target or text
    if isinstance(exc, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connect timeout",
            httpx.ReadTimeout: "read timeout",
            httpx.WriteTimeout: "write timeout",
            httpx.PoolTimeout: "pool timeout",
        }.get(type(exc), "timeout")
        return Unreachable(f"{kind}: no answer from {where}" if target else f"{kind}: {text}")
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
            return Unreachable(f"TLS failure: {text}" + (f" ({target})" if target else ""))
        if "name or service not known" in lowered or "nodename nor servname" in lowered or (
            "temporary failure in name resolution" in lowered
        ) or "no address associated" in lowered:
            host = target.rsplit(":", 1)[0] if target else text
            return Unreachable(f"DNS failure: cannot resolve {host}")
        if "refused" in lowered:
            return Unreachable(f"connection refused: {where}")
        return Unreachable(f"cannot connect: {text}" + (f" ({target})" if target else ""))
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return Unreachable(f"connection broken: {text}" + (f" ({target})" if target else ""))
    if isinstance(exc, httpx.TransportError):
        return Unreachable(f"transport error: {text}")
    return BadResponse(f"HTTP error: {text}")


def read_capped(response: httpx.Response, max_bytes: int, deadline: float | None = None) -> bytes:
    """Read a streamed response body, refusing more than max_bytes or reading past deadline.

    The deadline (time.monotonic) catches a slow drip: a server that sends a byte
    now and then never trips httpx's per-read timeout, but must not hold a poll forever.
    """
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(
            f"response too large: {int(declared) / 1e6:.1f} MB declared, cap is {max_bytes / 1e6:.1f} MB"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLarge(
                f"response too large: more than {max_bytes / 1e6:.1f} MB, reading stopped"
            )
        chunks.append(chunk)
        if deadline is not None and time.monotonic() > deadline:
            raise Unreachable(
                f"response too slow: {size} bytes received before the deadline; slow drip?"
            )
    return b"".join(chunks)


def status_error(status: int, body_text: str, headers: httpx.Headers, url: str) -> SourceError:
    """The SourceError for a non-2xx status, with the backend's own message when short."""
    snippet = " ".join(body_text.split())[:300]
    detail = f"HTTP {status} from {url}" + (f": {snippet}" if snippet else "")
    if status in (401, 403):
        return AuthFailed(detail)
    if status == 429 or (status == 503 and headers.get("retry-after")):
        return RateLimited(detail, parse_retry_after(headers.get("retry-after")))
    return BadResponse(detail)


def request_bytes(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    max_bytes: int,
    accept_status: tuple[int, ...] = (),
    **kwargs: Any,
) -> tuple[int, bytes, httpx.Headers]:
    """Send a request and return (status, capped body, headers); errors mapped.

    Non-2xx statuses raise, except those in accept_status, which are returned so
    the caller can read a backend's structured error envelope.
    """
    read_timeout = client.timeout.read
    deadline = None if read_timeout is None else time.monotonic() + 2 * read_timeout
    try:
        with client.stream(method, url, **kwargs) as response:
            body = read_capped(response, max_bytes, deadline)
            status = response.status_code
            headers = response.headers
            shown_url = str(response.request.url.copy_with(query=None))
    except httpx.HTTPError as exc:
        raise map_httpx_error(exc) from exc
    if status >= 400 and status not in accept_status:
        raise status_error(status, body.decode("utf-8", "replace"), headers, shown_url)
    return status, body, headers


def decode_json(body: bytes, *, what: str) -> Any:
    """Parse a JSON body; non-JSON or truncated JSON becomes BadResponse."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        snippet = body[:120].decode("utf-8", "replace").strip()
        if not body.strip():
            raise BadResponse(f"{what}: empty response body") from exc
        if snippet.startswith("<"):
            raise BadResponse(f"{what}: expected JSON, got HTML/XML ({snippet[:60]!r}…)") from exc
        if isinstance(exc, UnicodeDecodeError):  # has no msg/pos: say what it is instead
            detail = f"{exc.reason} at byte {exc.start}"
            raise BadResponse(f"{what}: JSON body is not valid UTF-8 ({detail})") from exc
        raise BadResponse(f"{what}: invalid or truncated JSON ({exc.msg} at byte {exc.pos})") from exc


def max_bytes_of(config: SourceConfig) -> int:
    return int(config.max_response_mb * 1024 * 1024)


class LazyClient:
    """A source's one HTTP client, built on first use.

    Built lazily so a missing secret surfaces as AUTH FAILED from poll() (on the
    affected panels) rather than when the wall starts.
    """

    def __init__(
        self,
        config: SourceConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self._config = config
        self._transport = transport
        self._extra_headers = extra_headers
        self._client: httpx.Client | None = None

    def get(self) -> httpx.Client:
        if self._client is None:
            self._client = make_client(self._config, transport=self._transport, extra_headers=self._extra_headers)
        return self._client

    def close(self) -> None:
        """Close the client if it was built; idempotent."""
        if self._client is not None:
            self._client.close()
            self._client = None
