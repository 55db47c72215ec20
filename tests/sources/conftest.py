"""Helpers for source contract tests: recorded payloads and a routing mock backend."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from noc_app.config.schema import SourceConfig

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

Handler = Callable[[httpx.Request], httpx.Response]


def fixture_bytes(backend: str, name: str) -> bytes:
    """A recorded payload from tests/fixtures/<backend>/ (see PROVENANCE.md there)."""
    return (FIXTURES / backend / name).read_bytes()


def fixture_json(backend: str, name: str) -> object:
    return json.loads(fixture_bytes(backend, name))


def json_response(body: bytes | object, status: int = 200, **headers: str) -> httpx.Response:
    """A response carrying recorded bytes (or an object serialised to JSON)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers={"Content-Type": "application/json", **headers})


def form_of(request: httpx.Request) -> dict[str, str]:
    """The form-encoded POST body of a request, one value per key."""
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    return {k: v[0] for k, v in parse_qs(request.content.decode(), keep_blank_values=True).items()}


@dataclass
class Backend:
    """Routes requests by (host, path) to handlers and records every request it saw."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def route(self, path: str, handler: Handler | httpx.Response | bytes, *, host: str | None = None) -> None:
        if isinstance(handler, httpx.Response):
            response = handler
            handler = lambda _request: response
        elif isinstance(handler, bytes):
            content = handler
            handler = lambda _request: json_response(content)
        self.routes[f"{host or ''}{path}"] = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for key in (f"{request.url.host}{request.url.path}", request.url.path):
            if key in self.routes:
                return self.routes[key](request)
        return httpx.Response(404, text="404 page not found")

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


@pytest.fixture
def backend() -> Backend:
    return Backend()


def source_config(kind: str, url: str | None, **overrides: object) -> SourceConfig:
    source_id = str(overrides.pop("id", f"{kind}-test"))
    return SourceConfig(id=source_id, kind=kind, url=url, **overrides)  # type: ignore[arg-type]


def answer_problem(snapshot, key: str) -> str:
    """What a poll says about one query's unusable answer: its error, else its warnings.

    The backend answered, so the poll returns; only that query's panel shows the problem.
    """
    result = snapshot.metrics[key]
    return result.error or " | ".join(result.warnings)
