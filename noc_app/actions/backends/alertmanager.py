"""Acknowledge, un-acknowledge and annotate incidents on one Alertmanager cluster.

- ACK: look for a silence carrying this request id (an earlier delivery that
  crashed before its outcome was journalled) and for an app ack already in force
  on the same labels; only when neither exists, create a silence (see
  alertmanager_acks for its shape).  Replaying a request never makes a second one.
- UNACK: expire every app ack in force on exactly the alert's labels; nothing to
  expire is success (the replay of an unack finds nothing left).
- NOTE: the journal holds every note.  When the incident has an app ack in force,
  the note is also appended to that ack's comment (its own request id in it, so a
  replay finds it and appends nothing; older notes elided to keep the comment
  bounded; the ack's tag, author and head kept, so it still reads as the same ack).
  Alertmanager may answer the update with a new silence id: that id is the outcome's
  ref.  With no ack in force (or no labels) the note stays journal-only, and the
  outcome says so.

Peers are tried in config order: silences gossip, so one answering peer is
enough.  Blocking httpx calls: run this in a worker, never on the GUI thread.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from noc_app.actions.backends.alertmanager_acks import (
    UPKEEP_SKEW_S,
    AckUpkeep,
    ack_comment,
    ack_matchers,
    delivered,
    has_note,
    live_acks,
    plan_upkeep,
    with_note,
)
from noc_app.actions.backends.alertmanager_silences import (
    InvalidSilence,
    create_silence,
    expire_silence,
    recomment_silence,
)
from noc_app.actions.errors import (
    ActionError,
    BackendRejected,
    InvalidRequest,
    Retryable,
)
from noc_app.actions.model import (
    ActionKind,
    ActionOutcome,
    ActionRequest,
    OutcomeStatus,
)
from noc_app.config.schema import SourceConfig
from noc_app.sources.alertmanager_parse import Silence
from noc_app.sources.base import (
    AuthFailed,
    BadAnswer,
    RateLimited,
    SourceError,
    Unreachable,
)
from noc_app.sources.http import SourceClient, make_client, max_bytes_of
from noc_app.sources.silences import get_silence, list_silences

UNTIL_RESOLVED_HORIZON_S = 24 * 3600.0  # an until-resolved ack is this long, and extended while it fires
EXTEND_WITHIN_S = 6 * 3600.0  # upkeep extends an ack whose end is nearer than this
DEFAULT_ACK_DURATION_S = 7200.0
AUTH_RETRY_S = 300.0  # as the poller: credentials rarely fix themselves quickly
NOTE_ATTEMPTS = 4
NOTE_SETTLE_S = 0.5
JOURNAL_ONLY_NO_ACK = "no noc-app ack in force on Alertmanager"
JOURNAL_ONLY_NO_LABELS = "no labels to find an ack by"
_STATUS = re.compile(r"\bHTTP (\d{3}) from ")
T = TypeVar("T")


class AlertmanagerBackend:
    """The action backend of one Alertmanager source (one HA cluster)."""

    def __init__(
        self,
        config: SourceConfig,
        *,
        clock: Callable[[], float] = time.time,
        default_duration_s: float = DEFAULT_ACK_DURATION_S,
        horizon_s: float = UNTIL_RESOLVED_HORIZON_S,
        ack_label_names: Sequence[str] | None = None,
        client_factory: Callable[[SourceConfig, str], SourceClient] | None = None,
        upkeep_skew_s: float = UPKEEP_SKEW_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """ack_label_names: the stable labels an ack matches (default: all of the alert's labels).

        upkeep_skew_s: how much older than an alert list an ack must be for that list to expire it.
        """
        peers = [u.strip().rstrip("/") for u in (config.url, *config.urls) if u and u.strip()]
        if not peers:
            raise ValueError(f"source {config.id!r} (alertmanager) needs a url")
        self.source_id = config.id
        self.peers: tuple[str, ...] = tuple(dict.fromkeys(peers))
        self._config = config
        self._clock = clock
        self._default_duration_s = default_duration_s
        self._horizon_s = horizon_s
        self._upkeep_skew_s = upkeep_skew_s
        self._names = None if ack_label_names is None else tuple(ack_label_names)
        self._max_bytes = max_bytes_of(config)
        self._factory = client_factory or (lambda cfg, peer: make_client(cfg, base_url=peer))
        self._clients: dict[str, SourceClient] = {}
        self._lock = threading.Lock()
        self._note_lock = threading.Lock()
        self._sleep = sleep

    # -- the ActionBackend protocol ------------------------------------------------

    def perform(self, request: ActionRequest) -> ActionOutcome:
        if request.incident.source_id != self.source_id:
            raise InvalidRequest(f"request for source {request.incident.source_id!r} sent to {self.source_id!r}")
        if request.kind is ActionKind.ACK:
            return self._on_any_peer(lambda peer: self._ack(peer, request))
        if request.kind is ActionKind.UNACK:
            return self._on_any_peer(lambda peer: self._unack(peer, request))
        if request.kind is ActionKind.NOTE:
            if not request.labels:
                return _done(request, f"note recorded in the journal only ({JOURNAL_ONLY_NO_LABELS})")
            return self._on_any_peer(lambda peer: self._note(peer, request))
        raise InvalidRequest(f"Alertmanager cannot {request.kind.value}")

    # -- upkeep of until-resolved acks -------------------------------------------------

    def upkeep(
        self, current_alerts: Sequence[Mapping[str, str]], *, alerts_taken_at: float | None = None
    ) -> AckUpkeep:
        """Expire until-resolved acks whose alert is gone, extend those still firing; returns what was done.

        `current_alerts`: labels of every alert the cluster holds, from a complete, successful poll
        taken at `alerts_taken_at` (acks made after it are left for the next poll to judge).
        """
        def run(peer: str) -> AckUpkeep:
            client = self._client(peer)
            silences = list_silences(client, max_bytes=self._max_bytes)
            now = self._clock()
            plan = plan_upkeep(silences, current_alerts, now=now, extend_within_s=EXTEND_WITHIN_S,
                               alerts_taken_at=alerts_taken_at, skew_s=self._upkeep_skew_s)
            by_id = {s.id: s for s in silences}
            for silence_id in plan.expire:
                expire_silence(client, silence_id, max_bytes=self._max_bytes)
            for silence_id in plan.extend:
                old = by_id[silence_id]
                create_silence(client, old.matchers, old.starts_at, now + self._horizon_s, old.created_by,
                               old.comment, silence_id=silence_id, max_bytes=self._max_bytes)
            return plan

        return self._on_any_peer(run)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    # -- the actions ---------------------------------------------------------------

    def _ack(self, peer: str, request: ActionRequest) -> ActionOutcome:
        matchers = ack_matchers(request.labels, self._names)
        client = self._client(peer)
        silences = self._silences_for(client, request.labels)
        earlier = delivered(silences, request.request_id)
        if earlier is not None:
            return _done(request, f"already delivered as silence {earlier.id}", earlier.id)
        in_force = live_acks(silences, request.labels, self._names)
        if in_force:
            held = in_force[0]
            return _done(request, f"already acknowledged by {held.created_by} (silence {held.id})", held.id)
        now = self._clock()
        if request.until_resolved:
            ends_at = now + self._horizon_s
        else:
            ends_at = now + (request.duration_s or self._default_duration_s)
        silence_id = create_silence(
            client, matchers, now, ends_at, request.operator.name, ack_comment(request),
            request_id=request.request_id, max_bytes=self._max_bytes,
        )
        return self._converge(client, request, silence_id)

    def _converge(self, client: SourceClient, request: ActionRequest, silence_id: str) -> ActionOutcome:
        """Two workstations acking one alert at once make two silences: both keep the oldest, expire theirs."""
        in_force = live_acks(self._silences_for(client, request.labels), request.labels, self._names)
        if not in_force or in_force[0].id == silence_id or all(s.id != silence_id for s in in_force):
            return _done(request, f"acknowledged: silence {silence_id}", silence_id)
        held = in_force[0]
        expire_silence(client, silence_id, max_bytes=self._max_bytes)
        return _done(request, f"already acknowledged by {held.created_by} (silence {held.id})", held.id)

    def _note(self, peer: str, request: ActionRequest) -> ActionOutcome:
        """Append the note to the ack's comment, then read it back: a comment update is last-writer-wins.

        Two workstations noting one ack at once both read the same comment; the later
        POST drops the earlier note.  Each writer re-reads after a pause and appends
        again when its note is missing (bounded), so both notes end up in the comment.
        """
        client = self._client(peer)
        with self._note_lock:  # notes from this workstation never race each other
            for attempt in range(NOTE_ATTEMPTS):
                silences = self._silences_for(client, request.labels)
                acks = live_acks(silences, request.labels, self._names)
                carrying = next((s for s in acks if has_note(s.comment, request.request_id)), None)
                if carrying is not None:
                    if attempt == 0:
                        return _done(request, f"note already on the ack comment (silence {carrying.id})", carrying.id)
                    return _done(request, f"note added to the ack comment (silence {carrying.id})", carrying.id)
                earlier = next((s for s in silences if has_note(s.comment, request.request_id)), None)
                if attempt == 0 and earlier is not None:  # on an ack that has since ended: nothing to add to
                    return _done(request, f"note already on the ack comment (silence {earlier.id})", earlier.id)
                if not acks:
                    return _done(request, f"note recorded in the journal only ({JOURNAL_ONLY_NO_ACK})")
                recomment_silence(client, acks[0].id, lambda old: with_note(old, request), max_bytes=self._max_bytes)
                self._sleep(NOTE_SETTLE_S)  # let a concurrent writer's POST land before reading back
        raise Retryable(f"note: the ack comment kept losing it to concurrent updates ({NOTE_ATTEMPTS} tries)")

    def _unack(self, peer: str, request: ActionRequest) -> ActionOutcome:
        client = self._client(peer)
        acks = live_acks(self._silences_for(client, request.labels), request.labels, self._names)
        if not acks:
            return _done(request, "not acknowledged (nothing to expire)")
        for silence in acks:
            expire_silence(client, silence.id, max_bytes=self._max_bytes)
        ids = ",".join(s.id for s in acks)
        return _done(request, f"un-acknowledged: expired silence {ids}", ids)

    def ack_holder(self, labels: Mapping[str, str]) -> str:
        """Who holds the app ack in force on these labels ("" when none): the backend's own word."""
        def run(peer: str) -> str:
            acks = live_acks(self._silences_for(self._client(peer), labels), labels, self._names)
            return acks[0].created_by if acks else ""

        return self._on_any_peer(run)

    def silence(self, silence_id: str) -> Silence:
        """One silence by id (for checks and the history view)."""
        return self._on_any_peer(lambda peer: get_silence(self._client(peer), silence_id, max_bytes=self._max_bytes))

    def _silences_for(self, client: SourceClient, labels: Mapping[str, str]) -> tuple[Silence, ...]:
        """Silences that may be this alert's acks: filtered server-side by alertname when it is safe to quote."""
        name = labels.get("alertname", "")
        filters = [f"alertname={json.dumps(name, ensure_ascii=False)}"] if _quotable(name) else []
        return list_silences(client, filters=filters, max_bytes=self._max_bytes)

    # -- peers and errors -------------------------------------------------------------

    def _client(self, peer: str) -> SourceClient:
        with self._lock:
            client = self._clients.get(peer)
            if client is None:
                client = self._clients[peer] = self._factory(self._config, peer)
            return client

    def _on_any_peer(self, call: Callable[[str], T]) -> T:
        """Run `call` against the first peer that can be reached; map every failure to an ActionError."""
        unreachable: list[str] = []
        for peer in self.peers:
            try:
                return call(peer)
            except Unreachable as exc:
                unreachable.append(str(exc))
            except (SourceError, InvalidSilence) as exc:
                raise to_action_error(exc) from exc
        raise Retryable(f"no Alertmanager peer reachable: {'; '.join(unreachable)}")


def to_action_error(exc: Exception) -> ActionError:
    """Map a source-layer error to the action error tree (what retrying can and cannot fix)."""
    if isinstance(exc, InvalidSilence):
        return InvalidRequest(str(exc))
    if isinstance(exc, Unreachable):
        return Retryable(str(exc))
    if isinstance(exc, RateLimited):
        return Retryable(str(exc), exc.retry_after)
    if isinstance(exc, AuthFailed):
        return Retryable(f"{exc} (fix the credentials; the request stays queued)", AUTH_RETRY_S)
    if isinstance(exc, BadAnswer):
        # Garbage or a cut answer: the side effect may have happened; replay is idempotent.
        return Retryable(str(exc))
    status = _STATUS.search(str(exc))
    if status and 400 <= int(status.group(1)) < 500:
        return BackendRejected(str(exc))
    return Retryable(str(exc))  # 5xx and anything else the backend may get over


def _done(request: ActionRequest, message: str, ref: str = "") -> ActionOutcome:
    return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE, message=message, backend_ref=ref)


def _quotable(value: str) -> bool:
    return bool(value) and all(c.isprintable() and c not in '\\"' for c in value)
