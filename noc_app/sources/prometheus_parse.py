"""Pure parsing of Prometheus HTTP API v1 payloads into the normalised model.

Only fields every Prometheus-compatible API serves are required (Prometheus,
VictoriaMetrics, Thanos, Mimir, Cortex); everything else is optional.  Sample
values arrive as strings ("1", "NaN", "+Inf", "-Inf", "1e+00") and timestamps as
float seconds; both become float64 numpy arrays.  Shapes we cannot use raise
BadResponse with a message that names what was wrong.

A query's data parses in two halves: `read_query_data` validates it and converts
the samples (the costly half, run in the parse worker process for a big body,
see offload.py) and `build_query_result` names and caps the series.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from noc_app.model import Alert, AlertState, QueryResult, Series, Severity, Target, freeze_labels
from noc_app.sources.base import BadAnswer, dropped_note
from noc_app.sources.http import decode_json
from noc_app.sources.legend import format_legend, series_key

_EMPTY = np.empty(0, dtype=np.float64)
_FNV64_OFFSET = 14695981039346656037
_FNV64_PRIME = 1099511628211
_LABEL_SEPARATOR = 0xFF
MAX_RULE_REASONS = 10

SeriesParts = tuple[dict[str, str], np.ndarray, np.ndarray]  # (labels, x, y)


@dataclass(frozen=True, kw_only=True, slots=True)
class Envelope:
    """The API's common wrapper: status, data, and the error or warnings that came with it."""

    ok: bool
    data: Any = None
    error_type: str = ""
    error: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def error_text(self) -> str:
        return f"{self.error_type}: {self.error}" if self.error_type else self.error


def parse_envelope(payload: object, *, what: str) -> Envelope:
    """Validate the {"status", "data", "errorType", "error", "warnings", "infos"} wrapper."""
    if not isinstance(payload, dict) or payload.get("status") not in ("success", "error"):
        raise BadAnswer(f"{what}: not a Prometheus API response ({_shape_of(payload)})")
    notes = [str(w) for w in payload.get("warnings") or ()]
    notes += [f"info: {i}" for i in payload.get("infos") or ()]
    if payload["status"] == "error":
        return Envelope(
            ok=False,
            data=payload.get("data"),
            error_type=str(payload.get("errorType") or "error"),
            error=str(payload.get("error") or "(no message)"),
            warnings=tuple(notes),
        )
    return Envelope(ok=True, data=payload.get("data"), warnings=tuple(notes))


def error_envelope(body: bytes) -> Envelope | None:
    """The error envelope in an HTTP error body, or None when the body is something else."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(payload, dict) and payload.get("status") == "error" and "error" in payload:
        return parse_envelope(payload, what="error")
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryData:
    """A query's `data`, validated, samples already float64 arrays: the costly half of parsing.

    Small and flat enough to cross from the parse worker process cheaply.
    """

    kind: str  # matrix | vector | scalar | string
    series: tuple[SeriesParts, ...] = ()
    skipped_histograms: int = 0
    text: str = ""  # a string result
    dropped: tuple[str, ...] = ()  # why each unusable series was left out


def parse_query_data(
    data: object,
    *,
    legend: str = "",
    warnings: Iterable[str] = (),
    max_series: int | None = None,
    what: str = "query",
) -> QueryResult:
    """Turn a query's `data` ({resultType, result}) into a QueryResult."""
    return build_query_result(
        read_query_data(data, what=what), legend=legend, warnings=warnings, max_series=max_series
    )


def read_query_response(body: bytes, *, what: str, data_what: str) -> Envelope:
    """A query's body -> its envelope, whose data is QueryData when ok; runs off-thread for big bodies."""
    envelope = parse_envelope(decode_json(body, what=what), what=what)
    if not envelope.ok:
        return envelope
    return dataclasses.replace(envelope, data=read_query_data(envelope.data, what=data_what))


def read_query_data(data: object, *, what: str = "query") -> QueryData:
    """Validate a query's `data` and convert its samples; BadResponse names what is wrong."""
    if not isinstance(data, dict) or "resultType" not in data or "result" not in data:
        raise BadAnswer(f"{what}: unexpected data ({_shape_of(data)}), expected resultType and result")
    kind, result = data["resultType"], data["result"]
    if kind in ("matrix", "vector"):
        if not isinstance(result, list):
            raise BadAnswer(f"{what}: {kind} result is {_shape_of(result)}, expected a list")
        series, skipped, dropped = _read_series_list(result, kind=kind, what=what)
        return QueryData(kind=kind, series=series, skipped_histograms=skipped, dropped=dropped)
    if kind == "scalar":
        x, y = _sample_arrays([result], what=f"{what}: scalar")
        return QueryData(kind=kind, series=(({}, x, y),))
    if kind == "string":
        text = result[1] if isinstance(result, list) and len(result) == 2 else result
        return QueryData(kind=kind, text=str(text))
    raise BadAnswer(f"{what}: unknown resultType {kind!r}")


def build_query_result(
    data: QueryData, *, legend: str = "", warnings: Iterable[str] = (), max_series: int | None = None
) -> QueryResult:
    """QueryData -> QueryResult: legends, series cap, notes.  Never raises."""
    notes = list(warnings)
    if data.kind == "scalar":
        [(labels, x, y)] = data.series
        name = format_legend(legend, {}) if legend.strip() else "scalar"
        return QueryResult.build(
            [Series(key="scalar", name=name, labels=freeze_labels(labels), x=x, y=y)], warnings=notes
        )
    if data.kind == "string":
        text = data.text
        shown = text if len(text) <= 80 else text[:80] + "…"
        return QueryResult.build(error=f"query returned a string, not numbers: {shown!r}", warnings=notes)
    note = dropped_note(data.dropped, "series")
    if note:
        notes.append(note)
    if data.skipped_histograms:
        notes.append(
            f"{data.skipped_histograms} native histogram series skipped: wrap the query in "
            "histogram_quantile(), histogram_sum() or histogram_count()"
        )
    parts = data.series
    truncated = None
    if max_series is not None and len(parts) > max_series:
        truncated = f"showing {max_series} of {len(parts)} series"
        parts = parts[:max_series]
    series = [
        Series(
            key=series_key(labels),
            name=format_legend(legend, labels),
            labels=freeze_labels(labels),
            x=x,
            y=y,
        )
        for labels, x, y in parts
    ]
    return QueryResult.build(series, warnings=notes, truncated=truncated)


def _read_series_list(
    result: list[object], *, kind: str, what: str
) -> tuple[tuple[SeriesParts, ...], int, tuple[str, ...]]:
    """(usable series, native histograms skipped, reasons for series dropped)."""
    series: list[SeriesParts] = []
    dropped: list[str] = []
    skipped = 0
    samples_key = "values" if kind == "matrix" else "value"
    for item in result:
        if not isinstance(item, dict) or not isinstance(item.get("metric", {}), dict):
            dropped.append(f"{kind} item is {_shape_of(item)}, expected an object with metric")
            continue
        labels = {str(k): str(v) for k, v in (item.get("metric") or {}).items()}
        samples = item.get(samples_key)
        if samples is None:
            if "histogram" in item or "histograms" in item:
                skipped += 1
            else:
                dropped.append(f"no {samples_key!r}")
            continue
        points = samples if kind == "matrix" else [samples]
        if not isinstance(points, list):
            dropped.append(f"{samples_key} is {_shape_of(points)}")
            continue
        try:
            x, y = _sample_arrays(points, what=f"series {series_key(labels)}")
        except BadAnswer as exc:
            dropped.append(str(exc))
            continue
        series.append((labels, x, y))
    return tuple(series), skipped, tuple(dropped)


def _sample_arrays(points: list[Any], *, what: str) -> tuple[np.ndarray, np.ndarray]:
    """[[ts, "v"], ...] -> (float64 seconds, float64 values); "NaN"/"+Inf"/"-Inf" included."""
    if not points:
        return _EMPTY, _EMPTY
    try:
        # not strict: a point's elements beyond [ts, value] have always been ignored
        times, values = zip(*points, strict=False)
        x = np.array(times, dtype=np.float64)
        y = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise BadAnswer(f"{what}: samples are not [timestamp, \"value\"] pairs ({exc})") from exc
    if x.ndim != 1 or y.ndim != 1:
        raise BadAnswer(f"{what}: samples are not [timestamp, \"value\"] pairs")
    return x, y


def parse_rfc3339(text: object) -> float | None:
    """Epoch seconds from an RFC 3339 timestamp (nanoseconds and Z allowed); None if unusable."""
    if not isinstance(text, str) or not text:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # Go writes up to nine fractional digits; Python takes at most six.
    if "." in value:
        head, _, rest = value.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = f"{head}.{rest[:min(digits, 6)]}{rest[digits:]}"
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if when.year < 1971:  # Go's zero time "0001-01-01T00:00:00Z" means "not set"
        return None
    return when.timestamp()


def labels_fingerprint(labels: Mapping[str, str]) -> str:
    """Alertmanager's label-set fingerprint (FNV-1a 64), so both sources agree on identity."""
    value = _FNV64_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode("utf-8"):
                value = ((value ^ byte) * _FNV64_PRIME) & 0xFFFFFFFFFFFFFFFF
            value = ((value ^ _LABEL_SEPARATOR) * _FNV64_PRIME) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def parse_alerts(
    data: object,
    *,
    source_id: str,
    rule_urls: Mapping[str, str] | None = None,
    default_url: str = "",
    dropped: list[str] | None = None,
) -> tuple[tuple[Alert, ...], tuple[str, ...]]:
    """(firing alerts, names of pending alerts) from /api/v1/alerts data.

    An alert that is not what Prometheus sends is left out, its reason appended to
    `dropped`, so one bad record never hides the others.
    """
    reasons = dropped if dropped is not None else []
    items = data.get("alerts") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadAnswer(f"alerts: unexpected data ({_shape_of(data)}), expected {{alerts: [...]}}")
    firing: list[Alert] = []
    pending: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            reasons.append(f"alert is {_shape_of(item)}")
            continue
        if not isinstance(item.get("labels"), dict):
            reasons.append("labels is null" if item.get("labels") is None else "labels is not an object")
            continue
        labels = {str(k): str(v) for k, v in item["labels"].items()}
        name = labels.get("alertname", "")
        state = str(item.get("state", "")).lower()
        if state == "pending":
            pending.append(name)
            continue
        if state != "firing":
            continue
        raw_annotations = item.get("annotations") or {}
        if not isinstance(raw_annotations, dict):
            reasons.append("annotations is not an object")
            continue
        annotations = {str(k): str(v) for k, v in raw_annotations.items()}
        firing.append(rule_alert(item, labels, annotations, AlertState.FIRING, source_id=source_id,
                                 rule_urls=rule_urls, default_url=default_url))
    return tuple(firing), tuple(pending)


def rule_alert(
    item: Mapping[str, Any], labels: Mapping[str, str], annotations: Mapping[str, str], state: AlertState, *,
    source_id: str, rule_urls: Mapping[str, str] | None, default_url: str,
) -> Alert:
    """One alert of /api/v1/alerts (firing or pending) as the board's Alert: identity is the labels."""
    name = labels.get("alertname", "")
    return Alert(
        fingerprint=labels_fingerprint(labels),
        source_id=source_id,
        name=name,
        severity=Severity.parse(labels.get("severity")),
        state=state,
        summary=annotations.get("summary") or annotations.get("message", ""),
        description=annotations.get("description", ""),
        labels=freeze_labels(labels),
        annotations=freeze_labels(annotations),
        starts_at=parse_rfc3339(item.get("activeAt")) or 0.0,
        url=(rule_urls or {}).get(name, default_url),
    )


def iter_rules(data: object) -> Iterable[dict[str, Any]]:
    """Every rule object in /api/v1/rules data."""
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise BadAnswer(f"rules: unexpected data ({_shape_of(data)}), expected {{groups: [...]}}")
    for group in groups:
        if isinstance(group, dict):
            yield from (r for r in group.get("rules") or () if isinstance(r, dict))


def rule_health_reasons(data: object) -> tuple[str, ...]:
    """Degraded reasons for rules that failed to evaluate: `rule <name>: <lastError>`."""
    reasons: list[str] = []
    for rule in iter_rules(data):
        error = str(rule.get("lastError") or "")
        if rule.get("health") == "err" or error:
            text = f"rule {rule.get('name', '?')}: {error or 'evaluation failed'}"
            if text not in reasons:
                reasons.append(text)
    if len(reasons) > MAX_RULE_REASONS:
        extra = len(reasons) - MAX_RULE_REASONS
        reasons = [*reasons[:MAX_RULE_REASONS], f"and {extra} more rules failing"]
    return tuple(reasons)


def parse_targets(data: object, dropped: list[str] | None = None) -> tuple[Target, ...]:
    """Active scrape targets from /api/v1/targets data, sorted by job and instance.

    A target that is not an object with label object is left out, its reason
    appended to `dropped`.
    """
    reasons = dropped if dropped is not None else []
    items = data.get("activeTargets") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadAnswer(f"targets: unexpected data ({_shape_of(data)}), expected {{activeTargets: [...]}}")
    targets = []
    for item in items:
        if not isinstance(item, dict):
            reasons.append(f"target is {_shape_of(item)}")
            continue
        labels = item.get("labels") or {}
        if not isinstance(labels, dict):
            reasons.append("labels is not an object")
            continue
        targets.append(
            Target(
                job=str(labels.get("job") or item.get("scrapePool") or ""),
                instance=str(labels.get("instance") or item.get("scrapeUrl") or ""),
                health=str(item.get("health") or "unknown"),
                last_error=str(item.get("lastError") or ""),
                last_scrape=parse_rfc3339(item.get("lastScrape")) or 0.0,
            )
        )
    return tuple(sorted(targets, key=lambda t: (t.job, t.instance)))


def parse_buildinfo(data: object) -> dict[str, str]:
    """{"version": ...} from /api/v1/status/buildinfo data (empty when absent)."""
    if isinstance(data, dict) and data.get("version"):
        return {"version": str(data["version"])}
    return {}


def _shape_of(value: object) -> str:
    if isinstance(value, dict):
        keys = ", ".join(sorted(map(str, value))[:6])
        return f"an object with keys [{keys}]"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"
