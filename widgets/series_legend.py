"""Where a timeseries legend goes: a column on the right when it fits, else rows at the bottom.

Each entry is a colour swatch, the series name and its last value.  The value
slot has a reserved width so changing numbers never move the plot (the layout
is redone only with the background: on resize, a y-range step or new names).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtGui import QFontMetricsF

_RIGHT_MAX_SHARE = 0.4  # of the body's width; wider legends go to the bottom
_BOTTOM_MAX_SHARE = 0.3  # of the body's height
ROW_SPACING = 1.2  # row height in text line heights
MIN_NAME_CHARS = 6  # a legend name narrower than this many M's is no name: the slot says "+N more" instead


@dataclass(frozen=True, kw_only=True, slots=True)
class LegendCell:
    """One entry's place: swatch from x, name in name_w, value right-aligned at value_right."""

    x: float
    baseline: float
    name_w: float
    value_right: float


@dataclass(frozen=True, kw_only=True, slots=True)
class LegendLayout:
    """The legend's cells (one per shown series, in order) and the room it takes from the plot."""

    cells: tuple[LegendCell, ...]
    more: int = 0  # series left out for lack of room
    more_at: tuple[float, float] | None = None  # where "+N more" goes (x, baseline)
    right_w: float = 0.0  # width taken on the right
    bottom_h: float = 0.0  # height taken at the bottom
    swatch_w: float = 0.0
    gap: float = 0.0
    value_w: float = 0.0


def plan_legend(
    names: list[str],
    value_w: float,
    metrics: QFontMetricsF,
    *,
    width: float,
    height: float,
    top: float,
    pad: float,
) -> LegendLayout:
    """Place one legend entry per name inside a body of width x height (plot starts at `top`)."""
    if not names:
        return LegendLayout(cells=())
    px = metrics.height()
    swatch_w, gap = px * 0.9, px * 0.35
    name_w = max(metrics.horizontalAdvance(n) for n in names) + 1.0  # +1: float widths round up
    entry_w = swatch_w + gap + name_w + gap + value_w
    row_h = metrics.height() * ROW_SPACING
    ascent = metrics.ascent()
    common = {"swatch_w": swatch_w, "gap": gap, "value_w": value_w}

    if entry_w <= width * _RIGHT_MAX_SHARE:
        x = width - pad - entry_w
        capacity = max(1, int((height - top - pad) // row_h))
        slots = [(x, top + i * row_h + ascent) for i in range(min(capacity, len(names)))]
        return _fill(slots, len(names), name_w, entry_w, right_w=entry_w + 2 * pad, **common)

    available = max(1.0, width - 2 * pad)
    if entry_w > available:  # names give way first; the number always shows
        name_w = max(0.0, name_w - (entry_w - available))
        entry_w = available
    col_gap = metrics.height()
    cols = max(1, int((available + col_gap) // (entry_w + col_gap)))
    max_rows = max(1, int(height * _BOTTOM_MAX_SHARE // row_h))
    rows = min(math.ceil(len(names) / cols), max_rows)
    bottom_h = rows * row_h
    first = height - pad - bottom_h + ascent
    slots = [(pad + c * (entry_w + col_gap), first + r * row_h) for r in range(rows) for c in range(cols)]
    slots = slots[: len(names)]
    if len(names) > len(slots):
        # The last entry gives up some of its name for "+N more" beside it, rather than its whole slot:
        # a short panel with one legend row still names its first series.
        more_w = metrics.horizontalAdvance(f"+{max(999, len(names))} more") + gap  # may add series not drawn
        if name_w - more_w >= metrics.horizontalAdvance("M") * MIN_NAME_CHARS:
            cells = [LegendCell(x=x, baseline=b, name_w=name_w, value_right=x + entry_w) for x, b in slots[:-1]]
            x, b = slots[-1]
            cells.append(LegendCell(x=x, baseline=b, name_w=name_w - more_w, value_right=x + entry_w - more_w))
            return LegendLayout(cells=tuple(cells), more=len(names) - len(slots),
                                more_at=(x + entry_w - more_w + gap, b), bottom_h=bottom_h + pad / 2, **common)
    return _fill(slots, len(names), name_w, entry_w, bottom_h=bottom_h + pad / 2, **common)


def _fill(slots, count, name_w, entry_w, **extra) -> LegendLayout:
    """Cells for as many entries as fit; the last slot says "+N more" when some do not."""
    shown = count if count <= len(slots) else len(slots) - 1
    cells = tuple(LegendCell(x=x, baseline=b, name_w=name_w, value_right=x + entry_w) for x, b in slots[:shown])
    more_at = slots[shown] if shown < count else None
    return LegendLayout(cells=cells, more=count - shown, more_at=more_at, **extra)
