"""Grafana panel positions -> our grid: rows stacked top to bottom, gridPos kept, the rest flowed.

Sizes from the export are clamped to the config's own limits first, so a
hostile gridPos (h: 1e9) cannot make the overlap bookkeeping take the memory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from noc_app.config.limits import MAX_GRID_CELLS, MAX_PANEL_CELLS
from noc_app.config.schema import GridPos, PanelKind

JsonMap = Mapping[str, Any]  # a JSON object: values are whatever the export holds
Kept = tuple[JsonMap, PanelKind, tuple[int, JsonMap]]  # panel, our kind, (section, row)
DEFAULT_HEIGHT = 8  # Grafana grid units (30 px)
WIDTH = 24


def finite_number(value: object) -> float | None:
    """A finite float from a JSON number or numeric text; None for anything else (inf and nan too)."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = float(value)  # type: ignore[arg-type]  # anything JSON holds; failures are caught
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def layout(kept: list[Kept]) -> list[GridPos]:
    """Stack sections (rows) top to bottom; keep gridPos inside a section, flow the rest."""
    positions: list[GridPos | None] = [None] * len(kept)
    cursor = 0
    for section in sorted({sec for _, _, (sec, _) in kept}):
        members = [i for i, (_, _, (sec, _)) in enumerate(kept) if sec == section]
        fixed = {i: pos for i in members if (pos := _grid_pos(kept[i][0])) is not None}
        placed = sorted(fixed, key=lambda i: (fixed[i].y, fixed[i].x))
        top = min((fixed[i].y for i in placed), default=0)
        occupied: set[tuple[int, int]] = set()
        bottom = cursor
        for i in placed:
            pos = fixed[i]
            y = _below_overlaps(occupied, pos, cursor + pos.y - top)  # Grafana pushes overlapping panels down
            occupied.update((pos.x + dx, y + dy) for dx in range(pos.w) for dy in range(pos.h))
            positions[i] = GridPos(x=pos.x, y=y, w=pos.w, h=pos.h)
        bottom = _compact(positions, placed, cursor)
        flowing = [i for i in members if i not in fixed]
        per_row = 1 if len(flowing) == 1 else 2 if len(flowing) in (2, 4) else 3
        height = _row_height(kept[members[0]][2][1])
        x, y = 0, bottom
        cursor = bottom
        for i in flowing:
            w = _span_width(kept[i][0]) or WIDTH // per_row
            if x + w > WIDTH:
                x, y = 0, y + height
            positions[i] = GridPos(x=x, y=y, w=w, h=height)
            cursor = max(cursor, y + height)
            x += w
    return [pos for pos in positions if pos is not None]


def _compact(positions: list[GridPos | None], members: list[int], top: int) -> int:
    """Close the empty grid rows between a section's panels; returns the section's bottom.

    A collapsed row keeps its children's gridPos from when it was last open, often
    hundreds of rows apart: Grafana closes those gaps when it opens the row.
    """
    placed = [(i, pos) for i in members if (pos := positions[i]) is not None]
    covered = sorted({y for _, pos in placed for y in range(pos.y, pos.y + pos.h)})
    new_row = {y: top + index for index, y in enumerate(covered)}
    for i, pos in placed:
        positions[i] = GridPos(x=pos.x, y=new_row[pos.y], w=pos.w, h=pos.h)
    return top + len(covered)


def _below_overlaps(occupied: set[tuple[int, int]], pos: GridPos, y: int) -> int:
    """The first y from the given one where pos fits; jumps past the lowest overlapping row."""
    while True:
        for dy in reversed(range(pos.h)):
            if any((pos.x + dx, y + dy) in occupied for dx in range(pos.w)):
                y += dy + 1
                break
        else:
            return y


def _grid_pos(panel: JsonMap) -> GridPos | None:
    grid = panel.get("gridPos")
    if not isinstance(grid, Mapping):
        return None
    values = [grid.get(key) for key in ("x", "y", "w", "h")]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if len(numbers) != 4:
        return None
    x, y, w, h = numbers
    x = min(max(x, 0), WIDTH - 1)
    return GridPos(x=x, y=min(max(y, 0), MAX_GRID_CELLS), w=min(max(w, 1), WIDTH - x),
                   h=min(max(h, 1), MAX_PANEL_CELLS))


def _span_width(panel: JsonMap) -> int | None:
    span = finite_number(panel.get("span"))  # legacy rows: a 12-column bootstrap grid
    if span is None:
        return None
    return min(WIDTH, max(1, round(min(max(span, 0.0), float(WIDTH)) * 2)))  # clamp first: 1e308 * 2 is inf


def _row_height(row: JsonMap) -> int:
    height = row.get("height") if isinstance(row, Mapping) else None
    pixels = finite_number(str(height).removesuffix("px")) if height is not None else None
    return DEFAULT_HEIGHT if pixels is None else min(MAX_PANEL_CELLS, max(2, round(pixels / 30)))
