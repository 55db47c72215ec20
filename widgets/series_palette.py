"""Line styles for a time-series panel: no two visible series share both colour and dash (pure).

The theme's series colours (at least ten, colour-blind-safe: Okabe-Ito plus Tol) are
used first; past them the same colours come back dashed, then dotted, then dash-dotted.
A series whose legend name matches a configured rule takes that rule's colour, and
the others step around the pairs the rules took.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from noc_app.config.panel_display import SeriesColor

DASH_NAMES = ("solid", "dash", "dot", "dash-dot")


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    color: str  # '#rrggbb'
    dash: int  # index into DASH_NAMES


NO_STYLE = SeriesStyle("#888888", 0)


def override_color(name: str, rules: Sequence[SeriesColor]) -> str | None:
    """The colour of the first rule whose pattern is found in the legend name, or None."""
    for rule in rules:
        if re.search(rule.pattern, name):
            return rule.color
    return None


def series_styles(
    slots: Sequence[int], names: Sequence[str], palette: Sequence[str], rules: Sequence[SeriesColor] = ()
) -> list[SeriesStyle]:
    """One style per series (slot: its stable colour slot; names: legend text), all pairs distinct.

    Pairs run colour-major: slot s prefers palette[s % n] with dash s // n. Distinct
    while there are fewer series than colours x dashes (10 x 4 = 40 on every theme).
    """
    colors = [c.lower() for c in palette] or ["#888888"]
    n = len(colors)
    capacity = n * len(DASH_NAMES)
    taken: set[tuple[str, int]] = set()
    styles: list[SeriesStyle | None] = [None] * len(slots)
    for i, name in enumerate(names):
        color = override_color(name, rules)
        if color is None:
            continue
        dash = next((d for d in range(len(DASH_NAMES)) if (color, d) not in taken), 0)
        taken.add((color, dash))
        styles[i] = SeriesStyle(color, dash)
    for i, slot in enumerate(slots):
        if styles[i] is not None:
            continue
        for step in range(capacity):
            index = (slot + step) % capacity
            pair = (colors[index % n], index // n)
            if pair not in taken:
                break
        taken.add(pair)
        styles[i] = SeriesStyle(*pair)
    return [s for s in styles if s is not None]
