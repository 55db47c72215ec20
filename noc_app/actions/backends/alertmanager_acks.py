"""What an acknowledgement looks like on Alertmanager, as pure functions over silences.

Alertmanager has no native ack, so an ack is a silence:

- matchers: the alert's exact labels (equality, sorted), or only the configured
  stable ones it has (e.g. alertname + service), alertname when it has none of
  them; never empty (refused instead);
- createdBy: the operator;
- comment: "ack by NAME (until resolved): TEXT [noc-app request <32 hex>]"; the
  tag (written by alertmanager_silences.silence_body) is how the app recognises its own
  acks, joins them to its journal, and finds an earlier delivery of the same
  request after a crash;
- notes: a note on an acked incident is appended to its ack's comment as
  " | [note <32 hex>] NAME: TEXT" before the tag (`with_note`); the note's own
  request id makes a replay find it; the comment stays under MAX_ACK_COMMENT_CHARS,
  the oldest notes elided with "…";
- ack-until-resolved: the silence is long (a horizon) and `plan_upkeep` decides,
  from the alerts Alertmanager currently holds, which such acks to expire (their
  alert is gone: resolved) and which to extend (still firing, horizon near).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from noc_app.actions.backends.alertmanager_silences import matchers_from_labels
from noc_app.actions.errors import InvalidRequest
from noc_app.actions.model import ActionRequest
from noc_app.sources.alertmanager_parse import Silence, SilenceMatcher

UNTIL_RESOLVED_MARK = "(until resolved)"
FALLBACK_ACK_LABEL = "alertname"  # matched when the alert has none of the configured ack labels
UPKEEP_SKEW_S = 60.0  # an ack younger than the alert list by less than this is not expired on its word
_TAG = re.compile(r"\[noc-app request ([0-9a-f]{32})\]")
MAX_ACK_COMMENT_CHARS = 4000  # an ack comment with its notes stays under this (older notes elided)
NOTE_SEPARATOR = " | "
ELIDED = "…"
_NOTE_SPLIT = re.compile(r" \| (?=\[note [0-9a-f]{32}\] )")


@dataclass(frozen=True, kw_only=True, slots=True)
class AckUpkeep:
    expire: tuple[str, ...] = ()  # silence ids whose alert resolved
    extend: tuple[str, ...] = ()  # silence ids whose alert still fires and whose end is near


def ack_label_names(labels: Mapping[str, str], names: Sequence[str] | None = None) -> tuple[str, ...]:
    """The label names an ack of these labels matches; never empty.

    names=None: every label the alert has.  Configured names: those of them the alert
    has (with a value); when it has none of them, alertname alone (an ack on
    alertname is narrower than no ack, and never a silence on everything).  Refused
    with InvalidRequest when even that is missing.
    """
    present = [n for n in (sorted(labels) if names is None else dict.fromkeys(names)) if labels.get(n)]
    if not present and names is not None and labels.get(FALLBACK_ACK_LABEL):
        present = [FALLBACK_ACK_LABEL]
    if not present:
        chosen = "" if names is None else f" among {', '.join(names)} (nor {FALLBACK_ACK_LABEL})"
        raise InvalidRequest(f"the incident has no labels{chosen} to match: an ack would silence everything")
    return tuple(present)


def ack_matchers(labels: Mapping[str, str], names: Sequence[str] | None = None) -> tuple[SilenceMatcher, ...]:
    """Equality matchers on the labels `ack_label_names` chooses; never empty."""
    return matchers_from_labels(labels, ack_label_names(labels, names))


def ack_comment(request: ActionRequest) -> str:
    """The comment before the request tag (silence_body appends the tag)."""
    head = f"ack by {request.operator.text}"
    if request.until_resolved:
        head += f" {UNTIL_RESOLVED_MARK}"
    text = " ".join(request.comment.split())
    return f"{head}: {text}" if text else head


def note_marker(request_id: str) -> str:
    """How a note names its request in an ack comment (never mistaken for the ack's own tag)."""
    return f"[note {request_id}]"


def note_entry(request: ActionRequest) -> str:
    """One note as it joins an ack comment: "[note <id>] NAME: TEXT"."""
    return f"{note_marker(request.request_id)} {request.operator.text}: {' '.join(request.comment.split())}"


def has_note(comment: str, request_id: str) -> bool:
    return note_marker(request_id) in comment


def with_note(comment: str, request: ActionRequest, *, limit: int = MAX_ACK_COMMENT_CHARS) -> str:
    """The ack comment with this note appended before its tag; at most `limit` characters.

    The ack's head and tag are kept (the parser reads who acked and that it is an
    ack from them); the newest notes are kept, older ones give way to one "…".
    Raises InvalidRequest when the comment is not an app ack.
    """
    ack_id = tagged_request_id(comment)
    if ack_id is None:
        raise InvalidRequest("a note joins only a noc-app ack comment")
    tag = f"[noc-app request {ack_id}]"
    cut = comment.rfind(tag)
    body = (comment[:cut] + comment[cut + len(tag):]).strip()
    head, *notes = _NOTE_SPLIT.split(body)
    elided = head.endswith(NOTE_SEPARATOR + ELIDED)
    head = head.removesuffix(NOTE_SEPARATOR + ELIDED).rstrip()
    notes.append(note_entry(request))

    def render() -> str:
        parts = [head, *([ELIDED] if elided else []), *notes]
        return f"{NOTE_SEPARATOR.join(parts)} {tag}"

    while len(notes) > 1 and len(render()) > limit:
        notes.pop(0)
        elided = True
    excess = len(render()) - limit
    if excess > 0:  # the newest note alone is too long: shorten its text, keep its marker
        keep = max(len(note_marker(request.request_id)), len(notes[-1]) - excess - len(ELIDED))
        notes[-1] = notes[-1][:keep] + ELIDED
    excess = len(render()) - limit
    if excess > 0:  # still too long: the ack's own text gives way
        head = head[: max(1, len(head) - excess - len(ELIDED))] + ELIDED
    return render()


def tagged_request_id(comment: str) -> str | None:
    """The request id of an app-made silence, None for any other silence."""
    found = _TAG.findall(comment)
    return found[-1] if found else None


def is_ack(silence: Silence) -> bool:
    return tagged_request_id(silence.comment) is not None


def is_until_resolved(silence: Silence) -> bool:
    return is_ack(silence) and UNTIL_RESOLVED_MARK in silence.comment


def is_live(silence: Silence) -> bool:
    return silence.state in ("active", "pending")


def exactly_matches(silence: Silence, labels: Mapping[str, str], names: Sequence[str] | None = None) -> bool:
    """The silence's matchers are exactly the equality matchers an ack of these labels would use."""
    try:
        wanted = ack_matchers(labels, names)
    except InvalidRequest:
        return False  # nothing an ack could match: no silence is this alert's ack
    return sorted(_key(m) for m in silence.matchers) == sorted(_key(m) for m in wanted)


def covers(silence: Silence, labels: Mapping[str, str]) -> bool:
    """Every matcher is a plain equality that these labels satisfy (what an app ack uses)."""
    return bool(silence.matchers) and all(
        m.is_equal and not m.is_regex and labels.get(m.name) == m.value for m in silence.matchers
    )


def delivered(silences: Iterable[Silence], request_id: str) -> Silence | None:
    """The silence an earlier delivery of this request created, in any state."""
    for silence in silences:
        if tagged_request_id(silence.comment) == request_id:
            return silence
    return None


def live_acks(
    silences: Iterable[Silence], labels: Mapping[str, str], names: Sequence[str] | None = None
) -> tuple[Silence, ...]:
    """App acks in force on exactly these labels (or the `names` subset of them), oldest first."""
    found = [s for s in silences if is_ack(s) and is_live(s) and exactly_matches(s, labels, names)]
    return tuple(sorted(found, key=lambda s: (s.starts_at, s.id)))


def plan_upkeep(
    silences: Sequence[Silence],
    current_alerts: Sequence[Mapping[str, str]],
    *,
    now: float,
    extend_within_s: float,
    alerts_taken_at: float | None = None,
    skew_s: float = UPKEEP_SKEW_S,
) -> AckUpkeep:
    """Which until-resolved acks to expire and which to extend.

    `current_alerts` are the label sets of every alert Alertmanager holds right now
    (firing, silenced or inhibited; resolved ones are gone from its list).  Pass
    them only from a successful, complete answer: an empty list expires every ack.
    Other silences (maintenance, fixed-duration acks) are never touched.

    `alerts_taken_at`: when that list was fetched.  An ack made after it (or within
    `skew_s` before it: the two clocks may differ) is on an alert the list may not
    hold yet, so it is not expired on this list's word; the next poll decides.
    """
    expire: list[str] = []
    extend: list[str] = []
    for silence in silences:
        if not (is_until_resolved(silence) and silence.state == "active"):
            continue
        if not any(covers(silence, labels) for labels in current_alerts):
            if alerts_taken_at is None or silence.starts_at < alerts_taken_at - skew_s:
                expire.append(silence.id)
        elif silence.ends_at - now < extend_within_s:
            extend.append(silence.id)
    return AckUpkeep(expire=tuple(sorted(expire)), extend=tuple(sorted(extend)))


def _key(m: SilenceMatcher) -> tuple[str, str, bool, bool]:
    return (m.name, m.value, m.is_regex, m.is_equal)
