"""HTTP plumbing shared by every HTTP source: client construction and error mapping.

One `httpx.Client` per source (thread-safe, connection pooling), explicit
timeouts, TLS verification on by default, auth resolved from secret references.
Responses are read with a size cap so a runaway backend cannot exhaust memory,
and every httpx failure is mapped onto the SourceError tree with its cause chained.
"""

from __future__ import annotations

import base64
import email.utils
import json
import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.config.secrets import SecretUnavailable, resolve_secret
from noc_app.redaction import register_basic_auth
from noc_app.sources.base import (
    AuthFailed,
    BadAnswer,
    BadResponse,
    RateLimited,
    Redirected,
    ResponseTooLarge,
    SourceError,
    Unreachable,
)

USER_AGENT = "noc-app"


class SourceClient(httpx.Client):
    """A source's HTTP client: httpx.Client plus its redirect policy and secret header names.

    Redirects are never followed by httpx itself (it strips only Authorization on a
    cross-origin hop and would hand X-Api-Key to any host a backend points at):
    `request_bytes` follows them by the source's `follow_redirects` policy.
    """

    def __init__(self, *, redirect_policy: str = "none", secret_headers: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(follow_redirects=False, **kwargs)
        self.redirect_policy = redirect_policy
        self.secret_headers = frozenset(name.lower() for name in (*secret_headers, "authorization", "cookie"))
        # Cross-origin hops followed during the current poll (one poll at a time per source).
        self.cross_origin_hops: list[str] = []

    def take_redirect_notes(self) -> tuple[str, ...]:
        """Degraded reasons for data fetched from another origin during this poll; clears them."""
        hops = sorted(set(self.cross_origin_hops))
        self.cross_origin_hops.clear()
        return tuple(f"data served by another origin after a redirect: {hop}" for hop in hops)


def make_client(
    config: SourceConfig,
    *,
    base_url: str | None = None,
    transport: httpx.BaseTransport | None = None,
    extra_headers: dict[str, str] | None = None,
) -> SourceClient:
    """Build the one HTTP client a source uses, with auth, TLS and timeouts from config."""
    headers = {"User-Agent": USER_AGENT, **dict(config.auth.headers), **(extra_headers or {})}
    where = f"sources[{config.id}].auth"
    try:
        for name, ref in config.auth.secret_headers.items():
            headers[name] = resolve_secret(ref, where=f"{where}.header_env.{name}")
        if config.auth.bearer is not None:
            headers["Authorization"] = "Bearer " + resolve_secret(config.auth.bearer, where=where)
        if config.auth.basic_user is not None:
            password = ""
            if config.auth.basic_password is not None:
                password = resolve_secret(config.auth.basic_password, where=f"{where}.basic", spaces_allowed=True)
            register_basic_auth(config.auth.basic_user, password)
            # As a plain header (what httpx.BasicAuth sends) so redirects can strip it like the rest.
            credentials = f"{config.auth.basic_user}:{password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
    except SecretUnavailable as exc:
        # Surfaced as an auth failure on the source's panels, not a crash.
        raise AuthFailed(str(exc)) from exc
    verify: bool | ssl.SSLContext = config.tls.verify
    if config.tls.verify and config.tls.ca_file:
        try:
            verify = ssl.create_default_context(cafile=config.tls.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise Unreachable(
                f"sources[{config.id}].tls.ca_file {config.tls.ca_file}: not a usable CA bundle ({exc})"
            ) from exc
    timeout = httpx.Timeout(config.timeout_s, connect=min(config.timeout_s, 5.0))
    return SourceClient(
        redirect_policy=config.follow_redirects,
        secret_headers=config.auth.secret_headers.keys(),
        base_url=base_url if base_url is not None else (config.url or ""),
        headers=headers,
        verify=verify,
        timeout=timeout,
        transport=transport,
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


MAX_REDIRECTS = 5
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)


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
    the caller can read a backend's structured error envelope.  Redirects are
    followed only as the client's policy allows (see SourceClient); a redirect
    that is not followed raises Redirected, naming where it pointed.
    """
    read_timeout = client.timeout.read
    deadline = None if read_timeout is None else time.monotonic() + 2 * read_timeout
    policy = getattr(client, "redirect_policy", "none")
    try:
        request = client.build_request(method, url, **kwargs)
        origin = _origin(request.url)
        for _hop in range(MAX_REDIRECTS + 1):
            response = client.send(request, stream=True)
            try:
                status = response.status_code
                headers = response.headers
                location = headers.get("location")
                if status in _REDIRECT_STATUSES and location:
                    target = request.url.join(location)
                    request = _follow(client, request, status, target, origin, policy)
                    continue
                body = read_capped(response, max_bytes, deadline)
                shown_url = _shown(response.request.url)
            finally:
                response.close()
            break
        else:
            start = _shown(request.url)
            raise Redirected(f"more than {MAX_REDIRECTS} redirects starting at {start}", start)
    except httpx.HTTPError as exc:
        raise map_httpx_error(exc) from exc
    if status >= 400 and status not in accept_status:
        raise status_error(status, body.decode("utf-8", "replace"), headers, shown_url)
    return status, body, headers


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default_port = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default_port


def _shown(url: httpx.URL) -> str:
    """A URL fit for a message: no query string (it may carry parameters), no user info."""
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))


def _follow(
    client: httpx.Client,
    request: httpx.Request,
    status: int,
    target: httpx.URL,
    origin: tuple[str, str, int | None],
    policy: str,
) -> httpx.Request:
    """The next request of a redirect chain, or Redirected when the policy stops here."""
    same_origin = _origin(target) == origin
    if target.scheme not in ("http", "https"):
        policy = "none"
    if policy == "none" or (policy == "same-origin" and not same_origin):
        hint = "same-origin" if same_origin else "any"
        raise Redirected(
            f"HTTP {status} redirect to {_shown(target)} not followed; point the source's url "
            f"there, or set follow_redirects: {hint} on the source",
            _shown(target),
        )
    method = request.method
    content: bytes | None = request.read()
    if status == 303 or (status in (301, 302) and method == "POST"):
        method, content = "GET", None  # what browsers and httpx do
    headers = httpx.Headers(request.headers)
    for name in ("content-length", "transfer-encoding", "host"):
        headers.pop(name, None)
    if content is None:
        headers.pop("content-type", None)
    if not same_origin:
        # Secrets travel only to their own origin.
        for name in getattr(client, "secret_headers", frozenset({"authorization", "cookie"})):
            headers.pop(name, None)
        hops = getattr(client, "cross_origin_hops", None)
        if hops is not None:
            hops.append(_shown(target.copy_with(path="/")))
    return httpx.Request(method, target, headers=headers, content=content)


def decode_json(body: bytes, *, what: str) -> Any:
    """Parse a JSON body; non-JSON, truncated or absurdly nested JSON becomes BadAnswer."""
    try:
        return json.loads(body)
    except RecursionError as exc:
        raise BadAnswer(f"{what}: JSON nested too deeply to be a real answer") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        snippet = body[:120].decode("utf-8", "replace").strip()
        if not body.strip():
            raise BadAnswer(f"{what}: empty response body") from exc
        if snippet.startswith("<"):
            raise BadAnswer(f"{what}: expected JSON, got HTML/XML ({snippet[:60]!r}…)") from exc
        if isinstance(exc, UnicodeDecodeError):  # has no msg/pos: say what it is instead
            detail = f"{exc.reason} at byte {exc.start}"
            raise BadAnswer(f"{what}: JSON body is not valid UTF-8 ({detail})") from exc
        raise BadAnswer(f"{what}: invalid or truncated JSON ({exc.msg} at byte {exc.pos})") from exc


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
        self._client: SourceClient | None = None

    def get(self) -> SourceClient:
        if self._client is None:
            self._client = make_client(self._config, transport=self._transport, extra_headers=self._extra_headers)
        return self._client

    def close(self) -> None:
        """Close the client if it was built; idempotent."""
        if self._client is not None:
            self._client.close()
            self._client = None
