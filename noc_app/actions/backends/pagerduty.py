"""Acknowledge, resolve, escalate and annotate PagerDuty incidents (REST API v2).

Every write carries `From: <operator.email>` (PagerDuty attributes the change to
that user; an account-level key refuses writes without it).  The request id
travels in a tag, "[noc-app request <id>]", so the app's journal and PagerDuty's
timeline join, and a replay recognises its own earlier delivery:

- ACK / RESOLVE: read the incident first; already in that state is DONE ("already
  acknowledged by X"); a resolved incident cannot be acknowledged (rejected).  The
  comment goes in as a tagged note (ack) or as the resolution (resolve).
- NOTE: posted unless a note with this request's tag is already there.
- ESCALATE: the target level is request.escalation_level, else the current level + 1
  (the current level: the highest level of the policy whose on-call user holds an
  assignment; 1 when none does).  A tagged note "escalated to level N" goes first:
  a replay reads N back from it (so "next level" is not applied twice) and only
  re-sends the PUT when the incident is not at N yet.
- UNACK: PagerDuty has no un-acknowledge; refused (the policy does not offer it).

Errors: 429 -> Retryable with the server's Retry-After / ratelimit-reset;
401 -> Retryable with a long delay ("fix the credentials", the request stays
queued: a key being rotated should not lose an ack); 403 -> BackendRejected
(this key or the From user may not change this incident; the same request will
never pass); other 4xx -> BackendRejected with PagerDuty's error message; 5xx,
transport failures and garbled answers -> Retryable (every write is idempotent).
Blocking httpx calls: run in a worker, never on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from noc_app.actions.errors import ActionError, BackendRejected, InvalidRequest, Retryable
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, Operator, OutcomeStatus
from noc_app.config.schema import SourceConfig
from noc_app.sources.base import AuthFailed, RateLimited, SourceError, Unreachable
from noc_app.sources.http import SourceClient, max_bytes_of
from noc_app.sources.pagerduty_http import Forbidden, PagerDutyRejected, make_pagerduty_client, pd_call
from noc_app.sources.pagerduty_parse import (
    OnCall,
    acknowledgers,
    current_level,
    escalation_target,
    parse_incident,
    parse_notes,
    parse_oncalls,
    parse_page,
    request_tag,
    tagged_note,
)

AUTH_RETRY_S = 300.0  # as the poller: credentials rarely fix themselves quickly
BULK_LIMIT = 250  # PUT /incidents takes at most 250 incidents (413 beyond)
MAX_NOTE_CHARS = 25000  # PagerDuty's note content limit
NO_EMAIL = ("PagerDuty needs the acting user's e-mail in the From header: "
            "set operator.email in the config (a PagerDuty user's login e-mail)")
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, slots=True)
class BulkResult:
    """What a bulk acknowledge/resolve did: updated incident ids, and each failed batch's reason."""

    updated: tuple[str, ...]
    failed: tuple[tuple[tuple[str, ...], str], ...] = ()


class PagerDutyBackend:
    """The action backend of one PagerDuty source."""

    def __init__(
        self,
        config: SourceConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        client_factory: Callable[[SourceConfig], SourceClient] | None = None,
    ) -> None:
        self.source_id = config.id
        self._config = config
        self._max_bytes = max_bytes_of(config)
        self._factory = client_factory or (lambda cfg: make_pagerduty_client(cfg, transport=transport))
        self._client: SourceClient | None = None
        self._lock = threading.Lock()

    # -- the ActionBackend protocol ------------------------------------------------

    def perform(self, request: ActionRequest) -> ActionOutcome:
        if request.incident.source_id != self.source_id:
            raise InvalidRequest(f"request for source {request.incident.source_id!r} sent to {self.source_id!r}")
        if request.kind is ActionKind.UNACK:
            raise InvalidRequest("PagerDuty has no un-acknowledge: an acknowledgement ends when the incident "
                                 "resolves or its ack timeout re-triggers it")
        if request.kind not in (ActionKind.ACK, ActionKind.RESOLVE, ActionKind.ESCALATE, ActionKind.NOTE):
            raise InvalidRequest(f"PagerDuty cannot {request.kind.value}")
        sender = _from_header(request.operator)
        incident_id = _path_id(request.incident.fingerprint)
        if request.kind is ActionKind.NOTE:
            return self._mapped(lambda: self._note(request, incident_id, sender))
        if request.kind is ActionKind.ESCALATE:
            return self._mapped(lambda: self._escalate(request, incident_id, sender))
        return self._mapped(lambda: self._set_status(request, incident_id, sender))

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- bulk --------------------------------------------------------------------------

    def update_many(self, incident_ids: Iterable[str], status: str, operator: Operator) -> BulkResult:
        """Acknowledge or resolve many incidents (an operator acting on a group): PUT /incidents, 250 a batch.

        A batch PagerDuty refuses is reported with its reason and the rest go on; a
        transport failure, a 429 or bad credentials raise (Retryable) for the caller to retry.
        """
        if status not in ("acknowledged", "resolved"):
            raise InvalidRequest(f"bulk update sets acknowledged or resolved, not {status!r}")
        sender = _from_header(operator)
        ids = list(dict.fromkeys(_path_id(i) for i in incident_ids))
        updated: list[str] = []
        failed: list[tuple[tuple[str, ...], str]] = []
        for start in range(0, len(ids), BULK_LIMIT):
            batch = ids[start:start + BULK_LIMIT]
            body = {"incidents": [{"id": i, "type": "incident_reference", "status": status} for i in batch]}
            try:
                answer = self._bulk_put(body, sender)
            except BackendRejected as exc:
                failed.append((tuple(batch), str(exc)))
                continue
            page = parse_page(answer, "incidents", what="PUT /incidents")
            updated.extend(str(i.get("id")) for i in page.items if isinstance(i, dict) and i.get("id"))
        return BulkResult(updated=tuple(updated), failed=tuple(failed))

    def _bulk_put(self, body: dict[str, Any], sender: str) -> Any:
        try:
            return self._call("PUT", "/incidents", sender, json=body)
        except SourceError as exc:
            raise to_action_error(exc) from exc

    # -- the actions ---------------------------------------------------------------

    def _set_status(self, request: ActionRequest, incident_id: str, sender: str) -> ActionOutcome:
        target = "acknowledged" if request.kind is ActionKind.ACK else "resolved"
        incident = self._incident(incident_id)
        status = incident.get("status")
        if status == target:
            who = acknowledgers(incident) if target == "acknowledged" else _last_changed_by(incident)
            note = self._comment_note(request, incident_id, sender) if target == "acknowledged" else ""
            return _done(request, f"already {target}" + (f" by {who}" if who else "") + note, incident_id)
        if status == "resolved":
            raise BackendRejected(f"incident {incident_id} is already resolved: it cannot be acknowledged")
        body: dict[str, Any] = {"type": "incident_reference", "status": target}
        if target == "resolved":
            body["resolution"] = _tagged(request)
        answer = self._call("PUT", f"/incidents/{incident_id}", sender, json={"incident": body})
        changed = parse_incident(answer, what=f"PUT /incidents/{incident_id}")
        if changed.get("status") != target:
            raise Retryable(f"PagerDuty answered the {target} update with status {changed.get('status')!r}")
        note = self._comment_note(request, incident_id, sender) if target == "acknowledged" else ""
        return _done(request, f"{target} on PagerDuty" + note, incident_id)

    def _comment_note(self, request: ActionRequest, incident_id: str, sender: str) -> str:
        """An ack's comment as a tagged note (once); the text to add to the outcome."""
        if not request.comment.strip():
            return ""
        if tagged_note(self._notes(incident_id), request.request_id) is None:
            self._post_note(incident_id, sender, _tagged(request))
        return "; comment added as a note"

    def _note(self, request: ActionRequest, incident_id: str, sender: str) -> ActionOutcome:
        earlier = tagged_note(self._notes(incident_id), request.request_id)
        if earlier is not None:
            return _done(request, f"note already on the incident (note {earlier.id})", earlier.id)
        note_id = self._post_note(incident_id, sender, _tagged(request))
        return _done(request, f"note added to incident {incident_id}", note_id)

    def _escalate(self, request: ActionRequest, incident_id: str, sender: str) -> ActionOutcome:
        incident = self._incident(incident_id)
        if incident.get("status") == "resolved":
            raise BackendRejected(f"incident {incident_id} is resolved: nothing to escalate")
        oncalls = self._oncalls(incident)
        level = current_level(incident, oncalls)
        earlier = tagged_note(self._notes(incident_id), request.request_id)
        target = escalation_target(earlier) if earlier is not None else None
        if target is None:
            target = request.escalation_level or (level or 1) + 1
            self._post_note(incident_id, sender, _tagged(request, f"escalating to level {target}"))
        elif level is not None and level >= target:
            return _done(request, f"already escalated to level {target}", incident_id)
        body = {"incident": {"type": "incident_reference", "escalation_level": target}}
        self._call("PUT", f"/incidents/{incident_id}", sender, json=body)
        return _done(request, f"escalated to level {target}", incident_id)

    # -- requests ------------------------------------------------------------------------

    def _incident(self, incident_id: str) -> dict[str, Any]:
        path = f"/incidents/{incident_id}"
        return parse_incident(self._call("GET", path), what=f"GET {path}")

    def _notes(self, incident_id: str) -> tuple[Any, ...]:
        path = f"/incidents/{incident_id}/notes"
        return parse_notes(self._call("GET", path), what=f"GET {path}")

    def _post_note(self, incident_id: str, sender: str, content: str) -> str:
        path = f"/incidents/{incident_id}/notes"
        answer = self._call("POST", path, sender, json={"note": {"content": content}})
        note = answer.get("note") if isinstance(answer, dict) else None
        return str(note.get("id") or "") if isinstance(note, dict) else ""

    def _oncalls(self, incident: dict[str, Any]) -> tuple[OnCall, ...]:
        policy = incident.get("escalation_policy")
        policy_id = policy.get("id") if isinstance(policy, dict) else None
        if not isinstance(policy_id, str) or not policy_id:
            return ()
        params = {"escalation_policy_ids[]": policy_id, "limit": "100"}
        page = parse_page(self._call("GET", "/oncalls", params=params), "oncalls", what="GET /oncalls")
        return parse_oncalls(page.items)

    def _call(self, method: str, path: str, sender: str = "", **kwargs: Any) -> Any:
        headers = {"From": sender} if sender else {}
        return pd_call(self._get_client(), method, path, max_bytes=self._max_bytes, headers=headers, **kwargs)

    def _get_client(self) -> SourceClient:
        with self._lock:
            if self._client is None:
                self._client = self._factory(self._config)
            return self._client

    def _mapped(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except SourceError as exc:
            raise to_action_error(exc) from exc


def to_action_error(exc: SourceError) -> ActionError:
    """Map a source-layer error to the action error tree (what retrying can and cannot fix)."""
    if isinstance(exc, RateLimited):
        return Retryable(str(exc), exc.retry_after)
    if isinstance(exc, AuthFailed):
        if isinstance(exc, Forbidden):
            return BackendRejected(str(exc))
        return Retryable(f"{exc} (fix the credentials; the request stays queued)", AUTH_RETRY_S)
    if isinstance(exc, PagerDutyRejected) and 400 <= exc.status < 500:
        return BackendRejected(str(exc))
    if isinstance(exc, Unreachable):
        return Retryable(str(exc))
    return Retryable(str(exc))  # 5xx, a garbled or cut answer: every write here is idempotent on replay


def _from_header(operator: Operator) -> str:
    email = operator.email.strip()
    if not email or "@" not in email or any(c.isspace() or ord(c) < 0x20 for c in email):
        raise InvalidRequest(NO_EMAIL if not email else f"operator.email {email!r:.80} is not an e-mail address")
    return email


def _tagged(request: ActionRequest, head: str = "") -> str:
    """Note text: what was done, the operator's words, who, and the request tag a replay looks for."""
    words = request.comment.strip()
    text = f"{head}: {words}" if head and words else (head or words)
    tail = f" — {request.operator.name} via noc-app {request_tag(request.request_id)}"
    return text[: MAX_NOTE_CHARS - len(tail)] + tail


def _path_id(incident_id: str) -> str:
    """An incident id as a path segment; anything but PagerDuty's id alphabet is refused, not escaped."""
    if not incident_id or len(incident_id) > 64 or not incident_id.isascii() or not incident_id.isalnum():
        raise InvalidRequest(f"{incident_id!r:.80} is not a PagerDuty incident id")
    return incident_id


def _last_changed_by(incident: dict[str, Any]) -> str:
    who = incident.get("last_status_change_by")
    return str(who.get("summary") or "") if isinstance(who, dict) else ""


def _done(request: ActionRequest, message: str, ref: str = "") -> ActionOutcome:
    return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE, message=message, backend_ref=ref)


__all__: Sequence[str] = ("BulkResult", "PagerDutyBackend", "to_action_error")
