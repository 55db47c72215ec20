"""Acknowledge, un-acknowledge, close, escalate and annotate Opsgenie alerts.

    ACK       POST /v2/alerts/{id}/acknowledge     UNACK   POST /v2/alerts/{id}/unacknowledge
    RESOLVE   POST /v2/alerts/{id}/close           NOTE    POST /v2/alerts/{id}/notes
    ESCALATE  POST /v2/alerts/{id}/escalate  {"escalation": {"name"|"id": options.escalation}}

Every body carries `user` (the operator's name: the name the board and the unack
rule compare), `source: noc-app` and a `note`: the operator's comment followed by
"[noc-app request <32 hex>]", so Opsgenie's alert log and the app's journal join.

Opsgenie acts ASYNCHRONOUSLY: a POST answers 202 with a requestId and nothing is
done yet.  The backend follows GET /v2/alerts/requests/{requestId} in this worker
(short sleeps, at most `settle_budget_s`): isSuccess true is DONE, false is
REJECTED with Opsgenie's status text, still unknown (404, or the budget spent) is
QUEUED with the requestId as the outcome's ref.

A replay never posts twice:
- while this process lives, the pending requestId is kept per request id and the
  replay only asks for its status again;
- after a restart (the map is gone) the alert itself is read first: ack of an
  acknowledged alert, unack of an unacknowledged one and close of a closed one are
  DONE "already ..." (these three are idempotent at Opsgenie too);
- a note or an escalation (not idempotent: a second one notifies again) is posted
  only when no note of the alert (the newest 100) carries this request's tag;
  Opsgenie writes an action's note only once it has processed it, so the one window
  left is a restart while Opsgenie is still processing: accepted, and said here.

Blocking httpx calls and sleeps: run this in a worker, never on the GUI thread.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from noc_app.actions.errors import ActionError, BackendRejected, InvalidRequest, Retryable
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, OutcomeStatus
from noc_app.config.schema import SourceConfig
from noc_app.redaction import redact
from noc_app.sources.base import AuthFailed, BadAnswer, RateLimited, SourceError, Unreachable
from noc_app.sources.http import SourceClient, max_bytes_of
from noc_app.sources.opsgenie_api import genie_client, og_request
from noc_app.sources.opsgenie_parse import (
    AlertStatus,
    RequestStatus,
    note_request_ids,
    parse_accepted,
    parse_alert_status,
    parse_request_status,
    request_tag,
)
from noc_app.sources.options import text_option

SOURCE_NAME = "noc-app"
SETTLE_BUDGET_S = 10.0  # how long one attempt waits for Opsgenie to process a request
SETTLE_DELAYS_S = (0.2, 0.3, 0.5, 1.0, 1.0, 2.0)  # then 2 s until the budget is spent
AUTH_RETRY_S = 300.0  # as the poller: credentials rarely fix themselves quickly
MAX_USER_CHARS = 100  # Opsgenie's limit on `user`
_ENDPOINTS = {
    ActionKind.ACK: "acknowledge",
    ActionKind.UNACK: "unacknowledge",
    ActionKind.RESOLVE: "close",
    ActionKind.ESCALATE: "escalate",
    ActionKind.NOTE: "notes",
}
_DONE_WORDS = {
    ActionKind.ACK: "acknowledged",
    ActionKind.UNACK: "un-acknowledged",
    ActionKind.RESOLVE: "closed",
    ActionKind.ESCALATE: "escalated",
    ActionKind.NOTE: "note added",
}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_STATUS = re.compile(r"\bHTTP (\d{3}) from ")


class OpsgenieBackend:
    """The action backend of one Opsgenie source."""

    def __init__(
        self,
        config: SourceConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        settle_budget_s: float = SETTLE_BUDGET_S,
    ) -> None:
        self.source_id = config.id
        self._config = config
        self._transport = transport
        self._sleep = sleep
        self._settle_budget_s = settle_budget_s
        self._max_bytes = max_bytes_of(config)
        self._client: SourceClient | None = None
        self._lock = threading.Lock()
        # noc-app request id -> Opsgenie requestId accepted but not known processed yet
        self._pending: dict[str, str] = {}

    # -- the ActionBackend protocol ------------------------------------------------

    def perform(self, request: ActionRequest) -> ActionOutcome:
        if request.incident.source_id != self.source_id:
            raise InvalidRequest(f"request for source {request.incident.source_id!r} sent to {self.source_id!r}")
        if request.kind not in _ENDPOINTS:
            raise InvalidRequest(f"Opsgenie cannot {request.kind.value}")
        try:
            return self._perform(request)
        except SourceError as exc:
            raise to_action_error(exc) from exc

    def pending_request(self, request_id: str) -> str | None:
        """The Opsgenie requestId still being processed for this request, if any."""
        with self._lock:
            return self._pending.get(request_id)

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- one attempt -------------------------------------------------------------------

    def _perform(self, request: ActionRequest) -> ActionOutcome:
        pending = self.pending_request(request.request_id)
        if pending is not None:  # an earlier attempt was accepted: never post again, ask how it went
            return self._settle(request, pending)
        body = action_body(request, self._escalation() if request.kind is ActionKind.ESCALATE else None)
        alert_id = request.incident.fingerprint
        already = already_done(request.kind, self._alert(alert_id))
        if already:
            return _outcome(request, OutcomeStatus.DONE, already)
        if request.kind in (ActionKind.NOTE, ActionKind.ESCALATE) and request.request_id in self._tags(alert_id):
            return _outcome(request, OutcomeStatus.DONE, f"already delivered ({request_tag(request.request_id)} "
                                                         "is in the alert's notes)")
        path = f"v2/alerts/{_quoted(alert_id)}/{_ENDPOINTS[request.kind]}"
        _, payload = og_request(self._http(), "POST", path, max_bytes=self._max_bytes,
                                params={"identifierType": "id"}, json=body)
        og_request_id = parse_accepted(payload)
        with self._lock:
            self._pending[request.request_id] = og_request_id
        return self._settle(request, og_request_id)

    def _settle(self, request: ActionRequest, og_request_id: str) -> ActionOutcome:
        """Follow the request's status (bounded); DONE, BackendRejected, or QUEUED while still unknown."""
        waited = 0.0
        delays = iter(SETTLE_DELAYS_S)
        while True:
            status = self._status(og_request_id)
            if status is not None:
                with self._lock:
                    self._pending.pop(request.request_id, None)
                if not status.is_success:
                    raise BackendRejected(
                        f"Opsgenie did not {request.kind.value}: {status.status} (request {og_request_id})"
                    )
                return _outcome(request, OutcomeStatus.DONE,
                                f"{_DONE_WORDS[request.kind]}: {status.status} (Opsgenie request {og_request_id})",
                                og_request_id)
            delay = next(delays, 2.0)
            if waited + delay > self._settle_budget_s:
                return _outcome(request, OutcomeStatus.QUEUED,
                                f"accepted by Opsgenie (request {og_request_id}), not processed after "
                                f"{waited:g} s; its status is asked again, nothing is sent twice", og_request_id)
            self._sleep(delay)
            waited += delay

    # -- reads -----------------------------------------------------------------------

    def _status(self, og_request_id: str) -> RequestStatus | None:
        """None while Opsgenie has not processed the request (it answers 404 then)."""
        path = f"v2/alerts/requests/{_quoted(og_request_id)}"
        status, payload = og_request(self._http(), "GET", path, max_bytes=self._max_bytes, missing_ok=True)
        return None if status == 404 else parse_request_status(payload)

    def _alert(self, alert_id: str) -> AlertStatus:
        _, payload = og_request(self._http(), "GET", f"v2/alerts/{_quoted(alert_id)}", max_bytes=self._max_bytes,
                                params={"identifierType": "id"})
        return parse_alert_status(payload)

    def _tags(self, alert_id: str) -> frozenset[str]:
        """Request ids tagged in the alert's newest 100 notes."""
        _, payload = og_request(self._http(), "GET", f"v2/alerts/{_quoted(alert_id)}/notes",
                                max_bytes=self._max_bytes,
                                params={"identifierType": "id", "order": "desc", "limit": "100"})
        return note_request_ids(payload)

    def _escalation(self) -> dict[str, str]:
        try:
            target = text_option(self._config, "escalation", "")
        except ValueError as exc:
            raise InvalidRequest(str(exc)) from exc
        if not target:
            raise InvalidRequest(
                f"set sources[{self.source_id}].options.escalation to the Opsgenie escalation's name or id "
                "(escalate needs to know where to)"
            )
        return escalation_recipient(target)

    def _http(self) -> SourceClient:
        with self._lock:
            if self._client is None:
                self._client = genie_client(self._config, transport=self._transport)
            return self._client


# -- pure parts --------------------------------------------------------------------------


def action_body(request: ActionRequest, escalation: dict[str, str] | None = None) -> dict[str, Any]:
    """The JSON body of an action: who, from where, and the note with the request's tag."""
    note = f"{request.comment.strip()} {request_tag(request.request_id)}".strip()
    body: dict[str, Any] = {"user": request.operator.name[:MAX_USER_CHARS], "source": SOURCE_NAME, "note": note}
    if escalation is not None:
        body["escalation"] = escalation
    return body


def escalation_recipient(target: str) -> dict[str, str]:
    """An escalation by id when the option holds a UUID, else by name."""
    key = "id" if _UUID.fullmatch(target) else "name"
    return {key: target, "type": "escalation"}


def already_done(kind: ActionKind, alert: AlertStatus) -> str:
    """Why posting `kind` would change nothing ("" when it would): the idempotent replays."""
    if kind is ActionKind.RESOLVE and alert.status == "closed":
        return "already closed"
    if kind is ActionKind.ACK and alert.acknowledged and alert.status != "closed":
        by = f" by {alert.acknowledged_by}" if alert.acknowledged_by else ""
        return f"already acknowledged{by}"
    if kind is ActionKind.UNACK and not alert.acknowledged and alert.status != "closed":
        return "not acknowledged (nothing to take back)"
    return ""


def to_action_error(exc: SourceError) -> ActionError:
    """Map a source-layer error to the action error tree (what retrying can and cannot fix)."""
    text = redact(str(exc))
    if isinstance(exc, Unreachable):
        return Retryable(text)
    if isinstance(exc, RateLimited):
        return Retryable(text, exc.retry_after)
    if isinstance(exc, AuthFailed):
        return Retryable(f"{text} (fix the API key; the request stays queued)", AUTH_RETRY_S)
    if isinstance(exc, BadAnswer):
        # Garbage or a cut answer: it may have been acted on; the replay checks before posting again.
        return Retryable(text)
    status = _STATUS.search(text)
    if status and 400 <= int(status.group(1)) < 500:
        return BackendRejected(text)  # 400, 404 (no such alert), 422 with Opsgenie's message
    return Retryable(text)  # 5xx and anything else Opsgenie may get over


def _outcome(request: ActionRequest, status: OutcomeStatus, message: str, ref: str = "") -> ActionOutcome:
    return ActionOutcome(request_id=request.request_id, status=status, message=message, backend_ref=ref)


def _quoted(identifier: str) -> str:
    """An id as one path segment (an alert id is the fingerprint the board sent: never trusted as a path)."""
    return quote(identifier, safe="")
