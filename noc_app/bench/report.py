"""Benchmark output: metric rows, goals, the human table and the JSON lines.

One JSON object per metric, with these keys (all always present)::

    {"scenario", "metric", "value", "unit", "baseline", "baseline_value", "ratio",
     "goal", "pass"}

`value`, `baseline_value` and `ratio` are numbers or null; `baseline` names what
the value is compared with (null when a metric has none); `ratio` is
value / baseline_value; `goal` is the goal in words (null: informational) and
`pass` is true/false against it (null without a goal or without a value).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

JSON_KEYS = ("scenario", "metric", "value", "unit", "baseline", "baseline_value", "ratio", "goal", "pass")


@dataclass(frozen=True, kw_only=True, slots=True)
class Goal:
    """A pass/fail limit on a value and/or on its ratio to the baseline."""

    text: str
    max_value: float | None = None
    max_ratio: float | None = None

    def check(self, value: float | None, ratio: float | None) -> bool | None:
        """True/False against the limits; None when a needed number is missing."""
        if value is None:
            return None
        if self.max_value is not None and not value <= self.max_value:
            return False
        if self.max_ratio is not None:
            if ratio is None:
                return None
            if not ratio <= self.max_ratio:
                return False
        return True


@dataclass(frozen=True, kw_only=True, slots=True)
class Metric:
    """One measured number of one scenario, with its in-run baseline."""

    scenario: str
    metric: str
    value: float | None
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    goal: Goal | None = None
    note: str = ""  # shown under the table, not in JSON

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.baseline_value is None or self.baseline_value == 0:
            return None
        return self.value / self.baseline_value

    @property
    def passed(self) -> bool | None:
        return None if self.goal is None else self.goal.check(self.value, self.ratio)

    def as_json(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "metric": self.metric,
            "value": _num(self.value),
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_value": _num(self.baseline_value),
            "ratio": _num(self.ratio, 3),
            "goal": self.goal.text if self.goal else None,
            "pass": self.passed,
        }


def _num(value: float | None, digits: int = 2) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def json_lines(metrics: Iterable[Metric]) -> list[str]:
    """One compact JSON object per metric."""
    return [json.dumps(m.as_json(), ensure_ascii=False) for m in metrics]


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(metrics: Sequence[Metric]) -> str:
    """The human table: scenario, metric, app, baseline, ratio, goal, pass/fail."""
    header = ("scenario", "metric", "app", "unit", "baseline", "ratio", "goal", "result")
    rows = []
    for m in metrics:
        base = "-" if m.baseline_value is None else f"{_fmt(m.baseline_value)} ({m.baseline})"
        result = {True: "PASS", False: "FAIL", None: "-"}[m.passed]
        ratio = "-" if m.ratio is None else f"{m.ratio:.2f}x"
        rows.append((m.scenario, m.metric, _fmt(m.value), m.unit, base, ratio, m.goal.text if m.goal else "-", result))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {m.scenario}/{m.metric}: {m.note}" for m in metrics if m.note]
    failed = sum(1 for m in metrics if m.passed is False)
    passed = sum(1 for m in metrics if m.passed is True)
    lines.append("")
    lines.append(f"goals: {passed} passed, {failed} failed, {sum(1 for m in metrics if m.goal is None)} informational")
    if notes:
        lines.append("notes:")
        lines.extend(notes)
    return "\n".join(lines)
