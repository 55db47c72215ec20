"""What an operator asks for and what came of it: frozen, Qt-free, JSON-round-trippable.

An `ActionRequest` gets its `request_id` (uuid4 hex) where it is built, so the same
id is journalled, sent to the backend (a silence comment, an incident note) and
shown in the audit: the app's trail and the backend's trail join on it, and a
replay after a crash is recognised as the same request.
"""

from __future__ import annotations

import enum
import math
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from noc_app.actions.errors import InvalidRequest

RECORD_VERSION = 1
MAX_COMMENT_CHARS = 2000
MAX_LABELS = 64
MAX_LABEL_CHARS = 1024
# Bounds for an explicit ack duration: a minute to 30 days.
MIN_DURATION_S = 60.0
MAX_DURATION_S = 30 * 24 * 3600.0


class ActionKind(enum.Enum):
    ACK = "ack"  # acknowledge: someone is on it (Alertmanager: a tagged silence)
    UNACK = "unack"  # take the acknowledgement back
    NOTE = "note"  # a note on the incident's history
    ESCALATE = "escalate"  # to the next escalation level / on-call tier (PagerDuty, Opsgenie; automation)
    RESOLVE = "resolve"  # close the incident at its backend (PagerDuty resolve, Opsgenie close)
    RUNBOOK = "runbook"  # run a configured recovery runbook against the incident
    NOTIFY = "notify"  # a message about the incident to one channel (automation only; params: channel, event)
    VERIFY = "verify"  # is a runbook's verification query true yet (automatic; retried until its deadline)


# Kinds that need the operator's words: an audit line must say why.
COMMENT_REQUIRED = frozenset({ActionKind.NOTE, ActionKind.ESCALATE, ActionKind.RESOLVE, ActionKind.RUNBOOK})
MAX_PARAMS = 32
MAX_PARAM_CHARS = 1024


class Role(enum.Enum):
    VIEWER = "viewer"  # looks, never acts
    OPERATOR = "operator"  # acts on incidents, may not take over another's ack
    LEAD = "lead"  # everything an operator may, plus taking over acks


class OutcomeStatus(enum.Enum):
    DONE = "done"  # the backend confirmed (or, for a note, it is stored)
    REJECTED = "rejected"  # refused by policy, by validation or by the backend: not retried
    QUEUED = "queued"  # not delivered yet; in the outbox, retried later
    FAILED = "failed"  # gave up: an unexpected error (see the message); not retried


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentKey:
    """Which incident: the source that reported it and its fingerprint there."""

    source_id: str
    fingerprint: str

    @property
    def text(self) -> str:
        return f"{self.source_id}/{self.fingerprint}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Operator:
    """Who acts. `name` comes from config or `--as`; `os_user` and `host` from the OS."""

    name: str
    role: Role = Role.OPERATOR
    os_user: str = ""
    host: str = ""
    claimed: bool = False  # True when the name was given on the command line (`--as`)
    email: str = ""  # operator.email of the config: PagerDuty's From header

    @property
    def text(self) -> str:
        return f"{self.name} (claimed)" if self.claimed else self.name


def new_request_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionRequest:
    """One operator action on one incident.

    `labels` are the incident's labels when the operator acted: an Alertmanager ack
    silences exactly them.  An ack lasts until the incident resolves
    (`until_resolved`) or for `duration_s` seconds.
    """

    kind: ActionKind
    incident: IncidentKey
    operator: Operator
    comment: str = ""
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    until_resolved: bool = True
    duration_s: float | None = None
    requested_at: float = field(default_factory=time.time)
    request_id: str = field(default_factory=new_request_id)
    # ESCALATE: the level to escalate to (None: the next one).  RUNBOOK: which runbook, with what.
    escalation_level: int | None = None
    runbook: str = ""
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    automatic: bool = False  # raised by the room's automation (escalation timer, triggered runbook), not a person

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        validate(self)

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-able dict for the journal (the state layer never sees this class)."""
        return {
            "v": RECORD_VERSION,
            "request_id": self.request_id,
            "kind": self.kind.value,
            "source_id": self.incident.source_id,
            "fingerprint": self.incident.fingerprint,
            "operator": {
                "name": self.operator.name,
                "role": self.operator.role.value,
                "os_user": self.operator.os_user,
                "host": self.operator.host,
                "claimed": self.operator.claimed,
                "email": self.operator.email,
            },
            "comment": self.comment,
            "labels": dict(self.labels),
            "until_resolved": self.until_resolved,
            "duration_s": self.duration_s,
            "requested_at": self.requested_at,
            "escalation_level": self.escalation_level,
            "runbook": self.runbook,
            "params": dict(self.params),
            "automatic": self.automatic,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ActionRequest:
        """Rebuild a journalled request; anything malformed raises InvalidRequest."""
        try:
            if record.get("v") != RECORD_VERSION:
                raise InvalidRequest(f"unknown action record version {record.get('v')!r}")
            op = record["operator"]
            duration = record.get("duration_s")
            level = record.get("escalation_level")
            return cls(
                request_id=_text(record["request_id"]),
                kind=ActionKind(record["kind"]),
                incident=IncidentKey(source_id=_text(record["source_id"]), fingerprint=_text(record["fingerprint"])),
                operator=Operator(
                    name=_text(op["name"]),
                    role=Role(op.get("role", Role.OPERATOR.value)),
                    os_user=_text(op.get("os_user", "")),
                    host=_text(op.get("host", "")),
                    claimed=bool(op.get("claimed", False)),
                    email=_text(op.get("email", "")),
                ),
                comment=_text(record.get("comment", "")),
                labels={_text(k): _text(v) for k, v in dict(record.get("labels") or {}).items()},
                until_resolved=bool(record.get("until_resolved", True)),
                duration_s=None if duration is None else float(duration),
                requested_at=float(record["requested_at"]),
                escalation_level=None if level is None else int(level),
                runbook=_text(record.get("runbook", "")),
                params={_text(k): _text(v) for k, v in dict(record.get("params") or {}).items()},
                automatic=bool(record.get("automatic", False)),
            )
        except InvalidRequest:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidRequest(f"unreadable action record: {type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionOutcome:
    """What happened to one request. `backend_ref` names the backend's object (a silence id)."""

    request_id: str
    status: OutcomeStatus
    message: str = ""
    backend_ref: str = ""
    retry_at: float | None = None  # when QUEUED: the next attempt (epoch seconds)

    def to_record(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "status": self.status.value,
            "message": self.message,
            "backend_ref": self.backend_ref,
            "retry_at": self.retry_at,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ActionOutcome:
        retry_at = record.get("retry_at")
        return cls(
            request_id=str(record["request_id"]),
            status=OutcomeStatus(record["status"]),
            message=str(record.get("message", "")),
            backend_ref=str(record.get("backend_ref", "")),
            retry_at=None if retry_at is None else float(retry_at),
        )


def validate(request: ActionRequest) -> None:
    """Bounds every field; raises InvalidRequest naming the first problem."""
    if not _is_hex_id(request.request_id):
        raise InvalidRequest(f"request id {request.request_id!r:.60} is not a 32-digit hex uuid")
    if not request.incident.source_id.strip() or not request.incident.fingerprint.strip():
        raise InvalidRequest("the incident needs a source id and a fingerprint")
    if not request.operator.name.strip():
        raise InvalidRequest("an action needs the operator's name")
    if len(request.comment) > MAX_COMMENT_CHARS:
        raise InvalidRequest(f"the comment is {len(request.comment)} characters; at most {MAX_COMMENT_CHARS}")
    if request.kind in COMMENT_REQUIRED and not request.comment.strip():
        raise InvalidRequest("a note needs text" if request.kind is ActionKind.NOTE
                             else f"{request.kind.value} needs a comment (it goes into the audit and the backend)")
    if request.kind in (ActionKind.RUNBOOK, ActionKind.VERIFY) and not request.runbook.strip():
        raise InvalidRequest("a runbook request needs the runbook's id")
    if request.escalation_level is not None and not 1 <= request.escalation_level <= 20:
        raise InvalidRequest(f"escalation level {request.escalation_level} is outside 1..20")
    if len(request.params) > MAX_PARAMS:
        raise InvalidRequest(f"{len(request.params)} runbook parameters; at most {MAX_PARAMS}")
    for name, value in request.params.items():
        if len(name) > MAX_PARAM_CHARS or len(value) > MAX_PARAM_CHARS:
            raise InvalidRequest(f"parameter {name[:40]!r} is longer than {MAX_PARAM_CHARS} characters")
    if len(request.labels) > MAX_LABELS:
        raise InvalidRequest(f"{len(request.labels)} labels; at most {MAX_LABELS}")
    for name, value in request.labels.items():
        if len(name) > MAX_LABEL_CHARS or len(value) > MAX_LABEL_CHARS:
            raise InvalidRequest(f"label {name[:40]!r} is longer than {MAX_LABEL_CHARS} characters")
    if request.duration_s is not None and not (
        math.isfinite(request.duration_s) and MIN_DURATION_S <= request.duration_s <= MAX_DURATION_S
    ):
        raise InvalidRequest(
            f"ack duration {request.duration_s}s is outside {MIN_DURATION_S:.0f}s..{MAX_DURATION_S:.0f}s"
        )
    if not request.until_resolved and request.kind is ActionKind.ACK and request.duration_s is None:
        raise InvalidRequest("an ack that does not last until resolved needs a duration")
    if not math.isfinite(request.requested_at) or request.requested_at <= 0:
        raise InvalidRequest(f"requested_at {request.requested_at!r} is not a time")


def _is_hex_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


@dataclass(frozen=True, kw_only=True, slots=True)
class TimelineEntry:
    """One line of an incident's history as the operator reads it: when, and what (plain text)."""

    at: float  # epoch seconds
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentTimeline:
    """What the state database knows about one incident, oldest first; `error` when it could not be read."""

    incident: IncidentKey
    entries: tuple[TimelineEntry, ...] = ()
    error: str = ""
