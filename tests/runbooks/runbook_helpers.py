"""Builders shared by the runbook tests (no Qt, no network)."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable

import httpx

from noc_app.actions.model import IncidentKey, Operator, Role
from noc_app.config.loader import load_config_text
from noc_app.config.schema import AppConfig, SourceConfig
from noc_app.sources.http import SourceClient, make_client

HEAD = """\
sources:
  - {id: prom, kind: prometheus, url: 'http://127.0.0.1:9'}
dashboards:
  - {id: main, panels: [{id: note, kind: text, title: N, text: hi}]}
"""

INCIDENT = IncidentKey(source_id="am", fingerprint="0f3a9c1d2e4b5a6f")
LABELS = {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical"}
ALICE = Operator(name="alice", role=Role.OPERATOR, os_user="alice", host="noc-ws-1")


def config_with(runbooks_yaml: str, head: str = HEAD) -> AppConfig:
    """A valid config whose actions.runbooks is the given YAML (indented under it)."""
    body = textwrap.indent(textwrap.dedent(runbooks_yaml), "    ")
    return load_config_text(head + "actions:\n  runbooks:\n" + body, filename="wall.yaml")


def problems_of(runbooks_yaml: str, head: str = HEAD) -> list[str]:
    from noc_app.config.errors import ConfigError

    try:
        config_with(runbooks_yaml, head)
    except ConfigError as exc:
        return [str(p) for p in exc.problems]
    return []


def recording_client(
    seen: list[httpx.Request], respond: Callable[[httpx.Request], httpx.Response] | None = None
) -> Callable[[SourceConfig], SourceClient]:
    """A client factory whose transport records every request and answers 200 (or `respond`)."""
    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return respond(request) if respond is not None else httpx.Response(200, text="ok")

    return lambda source: make_client(source, base_url=source.url or "", transport=httpx.MockTransport(handler))


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float | None = None) -> None:
        # From the real time: a request's requested_at is the real time where it is built.
        self.now = float(int(time.time())) if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def FIXED_DELAY(attempts: int, retry_after: float | None) -> float:  # noqa: N802 - named like the constant it mirrors
    """The outbox's backoff with its jitter pinned to the middle (exact numbers)."""
    from noc_app.actions.retry import outbox_delay

    return outbox_delay(attempts, retry_after, rng=lambda: 0.5)
