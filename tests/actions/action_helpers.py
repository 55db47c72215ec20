"""Builders shared by the action tests (no Qt)."""

from __future__ import annotations

from functools import partial

from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator, Role
from noc_app.actions.retry import outbox_delay

# The real backoff with its jitter pinned to the middle: delays are exact numbers.
FIXED_DELAY = partial(outbox_delay, rng=lambda: 0.5)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_request(kind: ActionKind = ActionKind.ACK, **overrides: object) -> ActionRequest:
    fields: dict[str, object] = {
        "kind": kind,
        "incident": IncidentKey(source_id="am", fingerprint="0f3a9c1d2e4b5a6f"),
        "operator": Operator(name="alice", role=Role.OPERATOR, os_user="alice", host="noc-ws-1"),
        "comment": "looking into it" if kind is not ActionKind.NOTE else "vendor says 10 minutes",
        "labels": {"alertname": "CheckoutErrors", "service": "checkout", "severity": "critical"},
        "requested_at": 1_800_000_000.0,
    }
    fields.update(overrides)
    return ActionRequest(**fields)  # type: ignore[arg-type]
