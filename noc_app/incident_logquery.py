"""A log query built from an incident's labels, one per configured log source kind (pure).

    log_query(kind, labels)           -> LogQL for loki, a query string for elasticsearch, matches for journald;
                                         None when no label can select its logs
    incident_log_queries(labels, sources) -> (source id, kind, query) for every log source configured

Loki:          {service="checkout", namespace="shop"} |~ "(?i)(error|fail|exception|fatal|panic)"
Elasticsearch: service:"checkout" AND namespace:"shop" AND (level:error OR level:fatal OR ... )
journald:      SYSLOG_IDENTIFIER=checkout PRIORITY=0 ... PRIORITY=3   (shell-quoted for the journald source)

Label values are data, never syntax: quotes and backslashes are escaped for each language's string
form, and regex metacharacters stay literal because values only ever go into exact-match positions.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence

from noc_app.config.schema import SourceConfig

LOG_KINDS = ("loki", "elasticsearch", "journald")
# Labels that locate an incident's logs, most telling first; at most MAX_SELECTOR_LABELS are used.
SELECTOR_LABELS = ("service", "app", "job", "namespace", "pod", "container", "unit", "host", "instance")
MAX_SELECTOR_LABELS = 2
ERROR_LINE_FILTER = "(?i)(error|fail|exception|fatal|panic)"
ES_ERROR_LEVELS = ("error", "fatal", "critical")
JOURNALD_ERROR_PRIORITIES = ("0", "1", "2", "3")  # emerg, alert, crit, err
# Which journal field a label names (gatewayd matches fields exactly, upper-case names).
JOURNALD_FIELDS = {"unit": "_SYSTEMD_UNIT", "service": "SYSLOG_IDENTIFIER", "app": "SYSLOG_IDENTIFIER",
                   "job": "SYSLOG_IDENTIFIER", "host": "_HOSTNAME", "container": "CONTAINER_NAME"}
_LOKI_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ES_RESERVED = re.compile(r'([+\-=&|><!(){}\[\]^"~*?:\\/ ])')


def selector_labels(labels: Mapping[str, str], names: Sequence[str] = SELECTOR_LABELS) -> tuple[tuple[str, str], ...]:
    """The incident's labels that select its logs, in preference order (empty values skipped)."""
    return tuple((name, labels[name]) for name in names if labels.get(name))[:MAX_SELECTOR_LABELS]


def loki_string(value: str) -> str:
    """A LogQL double-quoted string holding `value` literally."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def loki_query(labels: Mapping[str, str]) -> str | None:
    chosen = [(n, v) for n, v in selector_labels(labels) if _LOKI_LABEL.match(n)]
    if not chosen:
        return None
    selector = ", ".join(f"{name}={loki_string(value)}" for name, value in chosen)
    return "{" + selector + "} |~ " + loki_string(ERROR_LINE_FILTER)


def es_phrase(value: str) -> str:
    """A query_string phrase holding `value` literally (inside quotes only \\ and \" are special)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def es_field(name: str) -> str:
    return _ES_RESERVED.sub(r"\\\1", name)


def elasticsearch_query(labels: Mapping[str, str]) -> str | None:
    chosen = selector_labels(labels)
    if not chosen:
        return None
    terms = [f"{es_field(name)}:{es_phrase(value)}" for name, value in chosen]
    levels = " OR ".join(f"level:{level}" for level in ES_ERROR_LEVELS)
    return " AND ".join([*terms, f"({levels})"])


def journald_query(labels: Mapping[str, str]) -> str | None:
    fields: dict[str, str] = {}
    for name in SELECTOR_LABELS:  # one value per field (two would be an OR), at most MAX_SELECTOR_LABELS fields
        field = JOURNALD_FIELDS.get(name)
        if field and labels.get(name) and field not in fields and len(fields) < MAX_SELECTOR_LABELS:
            fields[field] = labels[name]
    if not fields:
        return None
    matches = [f"{field}={shlex.quote(value)}" for field, value in fields.items()]
    return " ".join([*matches, *(f"PRIORITY={p}" for p in JOURNALD_ERROR_PRIORITIES)])


def log_query(kind: str, labels: Mapping[str, str]) -> str | None:
    """The query for a log source of this kind; None: no label selects the logs, or not a log kind."""
    if kind == "loki":
        return loki_query(labels)
    if kind == "elasticsearch":
        return elasticsearch_query(labels)
    if kind == "journald":
        return journald_query(labels)
    return None


def incident_log_queries(
    labels: Mapping[str, str], sources: Sequence[SourceConfig],
) -> tuple[tuple[str, str, str], ...]:
    """(source id, kind, query) for each configured log source a query could be built for."""
    out = []
    for source in sources:
        if source.kind in LOG_KINDS and (query := log_query(source.kind, labels)) is not None:
            out.append((source.id, source.kind, query))
    return tuple(out)
