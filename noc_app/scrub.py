"""Mask secrets in everything a poll produced, before it leaves the worker thread (pure).

Backends echo what they were sent: an error body quoting our headers, a log line
with a request dump, an alert annotation with a URL.  Every snapshot and every
SourceError passes through here on its way to the store, so no panel, tooltip,
snapshot JSON or log line downstream ever holds a configured secret.

Cheap when nothing matches: each section's texts are searched as one string first,
and only a section that holds a secret is rebuilt.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping

from noc_app.model import Alert, LogLine, QueryResult, Snapshot, Target, freeze_labels
from noc_app.redaction import contains_secret, has_secrets, redact
from noc_app.sources.base import SourceError

_JOIN = "\x00"


def scrub_error(error: SourceError) -> SourceError:
    """The same error with its message masked (type and attributes such as retry_after kept)."""
    text = str(error)
    if not contains_secret(text):
        return error
    clean = copy.copy(error)
    clean.args = (redact(text), *error.args[1:])
    if hasattr(clean, "target"):
        clean.target = redact(clean.target)
    clean.__cause__ = None  # the cause's text may quote the secret too
    return clean


def scrub_snapshot(snapshot: Snapshot) -> Snapshot:
    """The snapshot with every secret masked; the same object when there is nothing to mask."""
    if not has_secrets() or not _holds_secret(snapshot):
        return snapshot
    return Snapshot.build(
        snapshot.source_id,
        snapshot.taken_at,
        metrics={key: _result(result) for key, result in snapshot.metrics.items()},
        alerts=None if snapshot.alerts is None else [_alert(a) for a in snapshot.alerts],
        logs=None if snapshot.logs is None else [_log_line(ln) for ln in snapshot.logs],
        targets=None if snapshot.targets is None else [_target(t) for t in snapshot.targets],
        degraded=[redact(text) for text in snapshot.degraded],
        info=_mapping(snapshot.info),
        errors=_mapping(snapshot.errors),
        notes={section: [redact(t) for t in texts] for section, texts in snapshot.notes.items()},
    )


def _holds_secret(snapshot: Snapshot) -> bool:
    texts: list[str] = [*snapshot.degraded, *_flat(snapshot.info), *_flat(snapshot.errors)]
    texts += [t for notes in snapshot.notes.values() for t in notes]
    for key, result in snapshot.metrics.items():
        texts += [key, result.error or "", result.truncated or "", *result.warnings]
        texts += [part for s in result.series for part in (s.name, s.key, *_flat(s.labels))]
    for alert in snapshot.alerts or ():
        texts += _alert_texts(alert)
    for line in snapshot.logs or ():
        texts += [line.text, line.service, *_flat(line.labels)]
    for target in snapshot.targets or ():
        texts += [target.job, target.instance, target.last_error]
    return contains_secret(_JOIN.join(texts))


def _flat(mapping: Mapping[str, str]) -> Iterable[str]:
    for key, value in mapping.items():
        yield key
        yield value


def _mapping(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return freeze_labels({redact(k): redact(v) for k, v in mapping.items()})


def _alert_texts(alert: Alert) -> list[str]:
    return [
        alert.name, alert.summary, alert.description, alert.url, alert.mute_reason, alert.acknowledged_by,
        *alert.silenced_by, *alert.inhibited_by, *_flat(alert.labels), *_flat(alert.annotations),
    ]


def _result(result: QueryResult) -> QueryResult:
    series = [
        dataclasses.replace(s, key=redact(s.key), name=redact(s.name), labels=_mapping(s.labels))
        for s in result.series
    ]
    return QueryResult.build(
        series,
        error=None if result.error is None else redact(result.error),
        warnings=[redact(w) for w in result.warnings],
        truncated=None if result.truncated is None else redact(result.truncated),
    )


def _alert(alert: Alert) -> Alert:
    if not contains_secret(_JOIN.join(_alert_texts(alert))):
        return alert
    return dataclasses.replace(
        alert,
        name=redact(alert.name),
        summary=redact(alert.summary),
        description=redact(alert.description),
        url=redact(alert.url),
        mute_reason=redact(alert.mute_reason),
        acknowledged_by=redact(alert.acknowledged_by),
        silenced_by=tuple(map(redact, alert.silenced_by)),
        inhibited_by=tuple(map(redact, alert.inhibited_by)),
        labels=_mapping(alert.labels),
        annotations=_mapping(alert.annotations),
    )


def _log_line(line: LogLine) -> LogLine:
    texts = _JOIN.join([line.text, line.service, *_flat(line.labels)])
    if not contains_secret(texts):
        return line
    return dataclasses.replace(line, text=redact(line.text), service=redact(line.service), labels=_mapping(line.labels))


def _target(target: Target) -> Target:
    return dataclasses.replace(
        target, job=redact(target.job), instance=redact(target.instance), last_error=redact(target.last_error)
    )
