"""Writing Alertmanager silences: pure request builders plus the blocking create/expire calls.

Only the actions backend writes silences: "ack" is a silence on the alert's stable
labels (extended while it fires), "unack" expires it.  The read half (list/get,
the error-body reader, iso_time) stays in noc_app.sources.silences, which the
Alertmanager source uses.  `client` is an httpx.Client from `http.make_client`
whose base_url is one Alertmanager peer (silences gossip to the rest of the
cluster), or any client plus an absolute `peer` URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from noc_app.sources.alertmanager_parse import SilenceMatcher
from noc_app.sources.base import BadAnswer
from noc_app.sources.http import decode_json, request_bytes, status_error
from noc_app.sources.silences import (
    DEFAULT_MAX_BYTES,
    MESSAGE_STATUSES,
    am_request,
    error_message,
    iso_time,
    shown_url,
)


class InvalidSilence(ValueError):
    """A silence Alertmanager would refuse; the message says why before any request is sent."""


def matchers_from_labels(
    labels: Mapping[str, str], names: Sequence[str] | None = None
) -> tuple[SilenceMatcher, ...]:
    """Equality matchers for the given label names (all labels when names is None)."""
    chosen = sorted(labels) if names is None else [n for n in names if n in labels]
    return tuple(SilenceMatcher(name=n, value=labels[n]) for n in chosen)


def silence_body(
    matchers: Sequence[SilenceMatcher] | Mapping[str, str],
    starts_at: float,
    ends_at: float,
    created_by: str,
    comment: str,
    *,
    request_id: str | None = None,
    silence_id: str | None = None,
) -> dict[str, Any]:
    """The postableSilence JSON; request_id is appended to the comment so both audit trails join."""
    items = matchers_from_labels(matchers) if isinstance(matchers, Mapping) else tuple(matchers)
    _validate(items, starts_at, ends_at, created_by, comment)
    text = comment.strip()
    if request_id:
        text += f" [noc-app request {request_id}]"
    body: dict[str, Any] = {
        "matchers": [
            {"name": m.name, "value": m.value, "isRegex": m.is_regex, "isEqual": m.is_equal} for m in items
        ],
        "startsAt": iso_time(starts_at),
        "endsAt": iso_time(ends_at),
        "createdBy": created_by.strip(),
        "comment": text,
    }
    if silence_id:
        body["id"] = silence_id  # updates (extends) that silence instead of creating one
    return body


def create_silence(
    client: httpx.Client,
    matchers: Sequence[SilenceMatcher] | Mapping[str, str],
    starts_at: float,
    ends_at: float,
    created_by: str,
    comment: str,
    *,
    request_id: str | None = None,
    silence_id: str | None = None,
    peer: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """POST /api/v2/silences; returns the silence id (a new one, or silence_id when updating)."""
    body = silence_body(
        matchers, starts_at, ends_at, created_by, comment, request_id=request_id, silence_id=silence_id
    )
    url = f"{peer.rstrip('/')}/api/v2/silences" if peer else "api/v2/silences"
    body_bytes = am_request(client, "POST", url, max_bytes=max_bytes, json=body)
    answer = decode_json(body_bytes, what="POST silences")
    answered_id = answer.get("silenceID") if isinstance(answer, dict) else None
    if not isinstance(answered_id, str):
        raise BadAnswer(f"POST silences: expected {{\"silenceID\": ...}}, got {answer!r:.120}")
    return answered_id


def recomment_silence(
    client: httpx.Client,
    silence_id: str,
    comment: Callable[[str], str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """Give a silence a new comment (`comment(old)`); returns the id it has afterwards.

    The silence is re-posted exactly as Alertmanager holds it (matchers, times and
    author as it wrote them) with its id, so an active silence is updated in place
    when Alertmanager allows it; otherwise Alertmanager expires it and returns a new id.
    """
    url = f"api/v2/silence/{silence_id}"
    held = decode_json(am_request(client, "GET", url, max_bytes=max_bytes), what="GET silence")
    if not isinstance(held, dict) or not isinstance(held.get("comment"), str):
        raise BadAnswer(f"GET silence: expected a silence, got {held!r:.120}")
    body = {key: held[key] for key in ("matchers", "startsAt", "endsAt", "createdBy") if key in held}
    body["id"] = silence_id
    body["comment"] = comment(held["comment"])
    answer = decode_json(am_request(client, "POST", "api/v2/silences", max_bytes=max_bytes, json=body),
                         what="POST silences")
    answered_id = answer.get("silenceID") if isinstance(answer, dict) else None
    if not isinstance(answered_id, str):
        raise BadAnswer(f"POST silences: expected {{\"silenceID\": ...}}, got {answer!r:.120}")
    return answered_id


def expire_silence(
    client: httpx.Client, silence_id: str, *, peer: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> bool:
    """DELETE /api/v2/silence/{id}; True if expired now, False if already gone (safe to retry)."""
    url = f"{peer.rstrip('/')}/api/v2/silence/{silence_id}" if peer else f"api/v2/silence/{silence_id}"
    status, body, headers = request_bytes(
        client, "DELETE", url, max_bytes=max_bytes, accept_status=MESSAGE_STATUSES
    )
    if status < 400:
        return True
    message = error_message(body)
    # 404 since v0.27; older releases answer 500 "silence not found", newer ones
    # 500 "... already expired": either way the silence no longer mutes anything.
    if status == 404 or "not found" in message.lower() or "already expired" in message.lower():
        return False
    raise status_error(status, message, headers, shown_url(client, url))


def _validate(
    matchers: Sequence[SilenceMatcher], starts_at: float, ends_at: float, created_by: str, comment: str
) -> None:
    if not matchers:
        raise InvalidSilence("a silence needs at least one matcher")
    for m in matchers:
        if not m.name.strip():
            raise InvalidSilence(f"matcher {m.text} has an empty label name")
    if all(_matches_empty(m) for m in matchers):
        shown = ", ".join(m.text for m in matchers)
        raise InvalidSilence(
            f"matchers {shown} would also match alerts without those labels: "
            "at least one matcher must not match the empty string"
        )
    if not ends_at > starts_at:
        span = f"{iso_time(starts_at)} .. {iso_time(ends_at)}"
        raise InvalidSilence(f"the silence must end after it starts ({span})")
    if not created_by.strip():
        raise InvalidSilence("a silence needs its author (createdBy)")
    if not comment.strip():
        raise InvalidSilence("a silence needs a comment saying why")


def _matches_empty(matcher: SilenceMatcher) -> bool:
    if matcher.is_regex:
        try:
            hit = re.fullmatch(matcher.value, "") is not None
        except re.error:
            return False  # let Alertmanager judge a regex Python cannot read
    else:
        hit = matcher.value == ""
    return hit if matcher.is_equal else not hit
