"""Series naming shared by every metric source: label text and Grafana legends."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Grafana's legend syntax: {{label}}, whitespace inside the braces allowed.
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

METRIC_NAME_LABEL = "__name__"


def label_text(labels: Mapping[str, str]) -> str:
    """Prometheus-style `{a="b", c="d"}` text of a label set, keys sorted, name left out."""
    pairs = sorted((k, v) for k, v in labels.items() if k != METRIC_NAME_LABEL)
    if not pairs:
        return ""
    body = ", ".join(f'{k}="{_escape(v)}"' for k, v in pairs)
    return "{" + body + "}"


def series_key(labels: Mapping[str, str]) -> str:
    """A series' stable identity within its query: its name plus sorted label text."""
    return labels.get(METRIC_NAME_LABEL, "") + label_text(labels) or "{}"


def format_legend(template: str, labels: Mapping[str, str]) -> str:
    """Render a Grafana legend template; an empty template gives `name{a="b", ...}`.

    Unknown labels render as empty text, as Grafana does.  The metric name, when
    the series has one, is the `__name__` label.
    """
    if template.strip():
        return _PLACEHOLDER.sub(lambda m: labels.get(m.group(1), ""), template)
    return labels.get(METRIC_NAME_LABEL, "") + label_text(labels)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
