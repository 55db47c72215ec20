"""Pure parsing of Alertmanager API v2 payloads: alerts with mute lineage, silences, status.

Muted alerts are never dropped: a silenced or inhibited alert keeps its place on
the board with a `mute_reason` that says who muted it, why, and until when.

Alertmanager has no native acknowledgement: noc-app acks an alert with a silence
whose comment carries "[noc-app request <32 hex>]" (written by
actions.backends.alertmanager_silences.silence_body, recognised by actions.backends.alertmanager_acks).
An alert muted by such a silence is ACKNOWLEDGED ("acked by kim until resolved");
any other silence (maintenance) leaves it SILENCED.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from noc_app.model import Alert, AlertState, Severity, freeze_labels
from noc_app.sources.base import BadAnswer
from noc_app.sources.prometheus_parse import parse_rfc3339

SHORT_ID = 8  # a silence id's first UUID group: unambiguous on one wall
# The app's ack tag and until-resolved mark, as the actions backend writes them
# (tests/sources/test_ack_silences.py proves both sides agree).
ACK_TAG = re.compile(r"\[noc-app request ([0-9a-f]{32})\]")
UNTIL_RESOLVED_MARK = "(until resolved)"
# A note appended to an ack comment: "| [note <32 hex>] NAME: TEXT" (shown as "| note by NAME: TEXT").
NOTE_TAG = re.compile(r"\[note ([0-9a-f]{32})\] ")


def ack_request_id(comment: str) -> str | None:
    """The request id of a silence noc-app created for an ack; None for any other silence."""
    found = ACK_TAG.findall(comment)
    return found[-1] if found else None


def is_ack_silence(comment: str) -> bool:
    """True when a silence comment carries noc-app's ack tag."""
    return ack_request_id(comment) is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class SilenceMatcher:
    """One label matcher of a silence (`name=value`, `!=`, `=~`, `!~`)."""

    name: str
    value: str
    is_regex: bool = False
    is_equal: bool = True

    @property
    def text(self) -> str:
        op = ("=" if self.is_equal else "!=") if not self.is_regex else ("=~" if self.is_equal else "!~")
        return f'{self.name}{op}"{self.value}"'


@dataclass(frozen=True, kw_only=True, slots=True)
class Silence:
    """A silence as Alertmanager reports it."""

    id: str
    state: str  # active | pending | expired
    matchers: tuple[SilenceMatcher, ...]
    starts_at: float
    ends_at: float
    created_by: str = ""
    comment: str = ""
    updated_at: float = 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class RawAlert:
    """A gettableAlert before merging peers and resolving lineage."""

    fingerprint: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    state: str  # active | suppressed | unprocessed
    silenced_by: tuple[str, ...]
    inhibited_by: tuple[str, ...]
    muted_by: tuple[str, ...]  # time-interval names (v0.27+)
    starts_at: float
    ends_at: float | None
    updated_at: float
    url: str


def parse_alert_list(
    payload: object, *, what: str = "alerts", dropped: list[str] | None = None
) -> tuple[RawAlert, ...]:
    """GET /api/v2/alerts -> RawAlerts.

    Items are gettableAlert objects, or what `read_alert` already made of them (a
    RawAlert, or the reason it was unusable).  An unusable alert is left out and its
    reason appended to `dropped`: one bad record never hides the others.
    """
    if not isinstance(payload, list):
        raise BadAnswer(f"{what}: expected a list of alerts, got {_shape_of(payload)}")
    reasons = dropped if dropped is not None else []
    alerts: list[RawAlert] = []
    for item in payload:
        read = item if isinstance(item, (RawAlert, DroppedAlert)) else read_alert(item)
        if isinstance(read, DroppedAlert):
            reasons.append(read.reason)
        else:
            alerts.append(read)
    return tuple(alerts)


@dataclass(frozen=True, slots=True)
class DroppedAlert:
    """Why one alert of an answer could not be read."""

    reason: str


def read_alert(item: object) -> RawAlert | DroppedAlert:
    """One gettableAlert -> RawAlert, or the reason it is unusable ("labels is null")."""
    problem = _alert_problem(item)
    if problem is not None:
        return DroppedAlert(problem)
    try:
        return raw_alert(item, what="alert")
    except (BadAnswer, TypeError, ValueError, AttributeError) as exc:
        return DroppedAlert(str(exc))


def _alert_problem(item: object) -> str | None:
    if not isinstance(item, dict):
        return f"alert is {_shape_of(item)}"
    for key, kind in (("fingerprint", str), ("labels", dict), ("status", dict)):
        value = item.get(key)
        if value is None:
            return f"{key} is null" if key in item else f"no {key}"
        if not isinstance(value, kind):
            return f"{key} is {_shape_of(value)}"
    annotations = item.get("annotations")
    if annotations is not None and not isinstance(annotations, dict):
        return f"annotations is {_shape_of(annotations)}"
    return None


def parse_alert_groups(
    payload: object, *, what: str = "alerts/groups", dropped: list[str] | None = None
) -> tuple[RawAlert, ...]:
    """GET /api/v2/alerts/groups -> the RawAlerts of every group (an alert may repeat)."""
    if not isinstance(payload, list):
        raise BadAnswer(f"{what}: expected a list of groups, got {_shape_of(payload)}")
    reasons = dropped if dropped is not None else []
    alerts: list[RawAlert] = []
    for group in payload:
        if not isinstance(group, dict) or not isinstance(group.get("alerts"), list):
            reasons.append(f"group is {_shape_of(group)}, expected an object with alerts")
            continue
        alerts.extend(parse_alert_list(group["alerts"], what=what, dropped=reasons))
    return tuple(alerts)


def raw_alert(item: object, *, what: str) -> RawAlert:
    """One gettableAlert object -> RawAlert."""
    if (
        not isinstance(item, dict)
        or not isinstance(item.get("fingerprint"), str)
        or not isinstance(item.get("labels"), dict)
        or not isinstance(item.get("status"), dict)
    ):
        raise BadAnswer(f"{what}: alert is {_shape_of(item)}, expected fingerprint, labels and status")
    status = item["status"]
    return RawAlert(
        fingerprint=item["fingerprint"],
        labels=freeze_labels({str(k): str(v) for k, v in item["labels"].items()}),
        annotations=freeze_labels({str(k): str(v) for k, v in (item.get("annotations") or {}).items()}),
        state=str(status.get("state") or "active"),
        silenced_by=tuple(map(str, status.get("silencedBy") or ())),
        inhibited_by=tuple(map(str, status.get("inhibitedBy") or ())),
        muted_by=tuple(map(str, status.get("mutedBy") or ())),
        starts_at=parse_rfc3339(item.get("startsAt")) or 0.0,
        ends_at=parse_rfc3339(item.get("endsAt")),
        updated_at=parse_rfc3339(item.get("updatedAt")) or 0.0,
        url=str(item.get("generatorURL") or ""),
    )


def parse_silences(
    payload: object, *, what: str = "silences", dropped: list[str] | None = None
) -> tuple[Silence, ...]:
    """GET /api/v2/silences (a list of gettableSilence) -> Silences; unusable ones dropped with a reason."""
    if not isinstance(payload, list):
        raise BadAnswer(f"{what}: expected a list of silences, got {_shape_of(payload)}")
    reasons = dropped if dropped is not None else []
    silences: list[Silence] = []
    for item in payload:
        try:
            silences.append(parse_silence(item, what="silence"))
        except (BadAnswer, TypeError, ValueError, AttributeError) as exc:
            reasons.append(str(exc).removeprefix("silence: "))
    return tuple(silences)


def parse_silence(item: object, *, what: str = "silence") -> Silence:
    """One gettableSilence object -> Silence."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise BadAnswer(f"{what}: silence is {_shape_of(item)}, expected an object with id")
    matchers = tuple(
        SilenceMatcher(
            name=str(m.get("name", "")),
            value=str(m.get("value", "")),
            is_regex=bool(m.get("isRegex", False)),
            is_equal=bool(m.get("isEqual", True)),  # absent before v0.22: always equality
        )
        for m in item.get("matchers") or ()
        if isinstance(m, dict)
    )
    return Silence(
        id=item["id"],
        state=str((item.get("status") or {}).get("state") or ""),
        matchers=matchers,
        starts_at=parse_rfc3339(item.get("startsAt")) or 0.0,
        ends_at=parse_rfc3339(item.get("endsAt")) or 0.0,
        created_by=str(item.get("createdBy") or ""),
        comment=str(item.get("comment") or ""),
        updated_at=parse_rfc3339(item.get("updatedAt")) or 0.0,
    )


def parse_status(payload: object) -> dict[str, str]:
    """GET /api/v2/status -> {"version", "cluster": "<status> (<n> peers)"}."""
    if not isinstance(payload, dict):
        raise BadAnswer(f"status: expected an object, got {_shape_of(payload)}")
    info: dict[str, str] = {}
    version = (payload.get("versionInfo") or {}).get("version")
    if version:
        info["version"] = str(version)
    cluster = payload.get("cluster") or {}
    if isinstance(cluster, dict) and cluster.get("status"):
        peers = cluster.get("peers") or []
        count = len(peers) if isinstance(peers, list) else 0
        info["cluster"] = f"{cluster['status']} ({count} peer{'s' if count != 1 else ''})"
    return info


def merge_alerts(peer_alerts: Iterable[Iterable[RawAlert]]) -> tuple[RawAlert, ...]:
    """De-duplicate alerts of HA peers by fingerprint; the most recently updated copy wins."""
    merged: dict[str, RawAlert] = {}
    for alerts in peer_alerts:
        for alert in alerts:
            seen = merged.get(alert.fingerprint)
            if seen is None or alert.updated_at > seen.updated_at:
                merged[alert.fingerprint] = alert
    return tuple(merged.values())


def merge_silences(peer_silences: Iterable[Iterable[Silence]]) -> dict[str, Silence]:
    """Silences of all peers by id; the most recently updated copy wins."""
    merged: dict[str, Silence] = {}
    for silences in peer_silences:
        for silence in silences:
            seen = merged.get(silence.id)
            if seen is None or silence.updated_at > seen.updated_at:
                merged[silence.id] = silence
    return merged


def to_alerts(
    raw_alerts: Sequence[RawAlert], silences: Mapping[str, Silence], *, source_id: str, now: float
) -> tuple[Alert, ...]:
    """Normalised Alerts with state and lineage; sorted by severity, then oldest first."""
    names = {a.fingerprint: a.labels.get("alertname", "") for a in raw_alerts}
    alerts = [_to_alert(a, silences, names, source_id=source_id, now=now) for a in raw_alerts]
    return tuple(sorted(alerts, key=lambda a: (a.severity.rank, a.starts_at, a.name, a.fingerprint)))


def _to_alert(
    raw: RawAlert, silences: Mapping[str, Silence], names: Mapping[str, str], *, source_id: str, now: float
) -> Alert:
    acks = [s for sid in raw.silenced_by if (s := silences.get(sid)) is not None and is_ack_silence(s.comment)]
    if raw.state == "suppressed" and acks:
        state = AlertState.ACKNOWLEDGED
    elif raw.state == "suppressed" and raw.silenced_by:
        state = AlertState.SILENCED
    elif raw.state == "suppressed" and raw.inhibited_by:
        state = AlertState.INHIBITED
    elif raw.state == "suppressed":
        state = AlertState.SILENCED  # muted by a time interval
    else:
        state = AlertState.FIRING  # active, or unprocessed (not yet routed)
    return Alert(
        fingerprint=raw.fingerprint,
        source_id=source_id,
        name=raw.labels.get("alertname", ""),
        severity=Severity.parse(raw.labels.get("severity")),
        state=state,
        summary=raw.annotations.get("summary") or raw.annotations.get("message", ""),
        description=raw.annotations.get("description", ""),
        labels=raw.labels,
        annotations=raw.annotations,
        starts_at=raw.starts_at,
        ends_at=raw.ends_at,
        url=raw.url,
        silenced_by=raw.silenced_by,
        inhibited_by=raw.inhibited_by,
        mute_reason=mute_reason(raw, silences, names, now=now) if raw.state == "suppressed" else "",
        acknowledged_by=acks[0].created_by if acks and raw.state == "suppressed" else "",
    )


def mute_reason(
    raw: RawAlert, silences: Mapping[str, Silence], names: Mapping[str, str], *, now: float
) -> str:
    """Lineage text: "silenced by alice: disk swap (expires in 12m); inhibited by ..."."""
    parts = [_silence_text(sid, silences.get(sid), now=now) for sid in raw.silenced_by]
    if raw.inhibited_by:
        sources = [
            f"{fp} ({names[fp]})" if names.get(fp) else fp for fp in raw.inhibited_by
        ]
        parts.append("inhibited by " + ", ".join(sources))
    if raw.muted_by:
        parts.append("muted by time interval " + ", ".join(raw.muted_by))
    return "; ".join(parts)


def _silence_text(silence_id: str, silence: Silence | None, *, now: float) -> str:
    # Who and why first (a room reads the start of a cut line), when after; the id only
    # when nothing else is known about the silence.
    if silence is None:
        return f"silenced (silence {silence_id[:SHORT_ID]}: details unavailable)"
    if is_ack_silence(silence.comment):
        return ack_text(silence, now=now)
    remaining = silence.ends_at - now
    if remaining > 0:
        when = f"expires in {human_duration(remaining)}"
    else:
        when = f"expired {human_duration(-remaining)} ago"
    text = f"silenced by {silence.created_by}" if silence.created_by else "silenced"
    if silence.comment:
        text += f": {silence.comment}"
    return f"{text} ({when})"


def ack_text(silence: Silence, *, now: float) -> str:
    """An app ack in words: "acked by kim until resolved (12m ago): replacing the disk"."""
    who = silence.created_by or "unknown"
    if UNTIL_RESOLVED_MARK in silence.comment:
        until = "until resolved"
    elif silence.ends_at > now:
        until = f"for {human_duration(silence.ends_at - now)} more"
    else:
        until = f"expired {human_duration(now - silence.ends_at)} ago"
    text = f"acked by {who} {until}"
    if silence.starts_at > 0:
        text += f" ({human_duration(now - silence.starts_at)} ago)"
    note = ack_note(silence.comment, who)
    return f"{text}: {note}" if note else text


def ack_note(comment: str, who: str) -> str:
    """The operator's own words in an ack comment, without the "ack by NAME (...)" head and the tag."""
    text = NOTE_TAG.sub("note by ", ACK_TAG.sub("", comment)).strip()
    head = f"ack by {who}"
    if not text.startswith(head):
        return text
    text = text[len(head):].removeprefix(" (claimed)").removeprefix(" " + UNTIL_RESOLVED_MARK)
    return text.removeprefix(":").strip()


def human_duration(seconds: float) -> str:
    """Short operator text for a duration: <1m, 12m, 5h12m, 3d."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "<1m"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    return f"{hours // 24}d"


def _shape_of(value: object) -> str:
    if isinstance(value, dict):
        return "an object with keys [" + ", ".join(sorted(map(str, value))[:6]) + "]"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"
