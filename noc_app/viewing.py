"""Text sizes from the viewing distance: angular size -> millimetres on the screen -> pixels.

A letter is readable from across the room when its capital height subtends enough of the
eye's field: the wall asks for 16 arc-minutes for what must be read at a glance (titles,
big numbers, incident names and priorities) and 10 arc-minutes for secondary text (axis
labels, legends, log lines, incident summaries, the feed strip).  At 4 m one arc-minute
is 1.16 mm; on a 65" 3840x2160 screen a pixel is 0.375 mm, so 16' is a 50 px capital
(a 69 px DejaVu Sans font) and 10' a 31 px capital (a 43 px font).

The screen's physical size comes from the platform, which TVs often get wrong (160x90 mm,
or centimetres reported as millimetres): a size that is not plausible for its pixels is
replaced by the configured diagonal (default 55").  Pure: no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MM_PER_INCH = 25.4
DEFAULT_DIAGONAL_MM = 55 * MM_PER_INCH
MAJOR_ARCMIN = 16.0  # titles, big numbers, incident names, priorities
MINOR_ARCMIN = 10.0  # axis labels, legends, log lines, summaries, feed strip
# Capital height / font pixel size of DejaVu Sans, measured on rendered pixels: 0.721 (43 px)
# to 0.735 (68 px); the lower end keeps every size at or above its target.
CAP_HEIGHT_RATIO = 0.72

# What a monitor can plausibly be: a 10" tablet to a 150" video wall, 40 to 600 pixels per inch,
# and a physical aspect ratio within 10 % of the pixels' (square pixels).
_DIAGONAL_RANGE_MM = (10 * MM_PER_INCH, 150 * MM_PER_INCH)
_PPI_RANGE = (40.0, 600.0)
_ASPECT_TOLERANCE = 0.10


@dataclass(frozen=True, kw_only=True, slots=True)
class PhysicalSize:
    """A screen's visible area in millimetres, and where the figure came from."""

    width_mm: float
    height_mm: float
    origin: str  # "configured" | "platform" | "default"

    @property
    def diagonal_in(self) -> float:
        return math.hypot(self.width_mm, self.height_mm) / MM_PER_INCH


@dataclass(frozen=True, kw_only=True, slots=True)
class TextFloors:
    """The smallest font pixel sizes the two text roles may take (0: no floor, today's look)."""

    major_px: int = 0
    minor_px: int = 0


NO_FLOORS = TextFloors()


def plausible_size(width_px: int, height_px: int, width_mm: float, height_mm: float) -> bool:
    """True when a reported physical size can belong to a screen of these pixels."""
    if min(width_px, height_px, width_mm, height_mm) <= 0:
        return False
    if not all(math.isfinite(v) for v in (width_mm, height_mm)):
        return False
    diagonal_mm = math.hypot(width_mm, height_mm)
    if not _DIAGONAL_RANGE_MM[0] <= diagonal_mm <= _DIAGONAL_RANGE_MM[1]:
        return False
    ppi = math.hypot(width_px, height_px) / (diagonal_mm / MM_PER_INCH)
    if not _PPI_RANGE[0] <= ppi <= _PPI_RANGE[1]:
        return False
    aspect_px, aspect_mm = width_px / height_px, width_mm / height_mm
    return abs(aspect_mm / aspect_px - 1.0) <= _ASPECT_TOLERANCE


def size_from_diagonal(width_px: int, height_px: int, diagonal_mm: float, origin: str) -> PhysicalSize:
    """The width and height of a screen of this diagonal with square pixels."""
    pixels_diagonal = math.hypot(max(1, width_px), max(1, height_px))
    mm_per_px = diagonal_mm / pixels_diagonal
    return PhysicalSize(width_mm=max(1, width_px) * mm_per_px, height_mm=max(1, height_px) * mm_per_px, origin=origin)


def physical_size(
    width_px: int,
    height_px: int,
    reported_mm: tuple[float, float] | None,
    configured_diagonal_mm: float | None,
) -> PhysicalSize:
    """The screen's size: the configured diagonal, else the platform's if plausible, else 55"."""
    if configured_diagonal_mm is not None:
        return size_from_diagonal(width_px, height_px, configured_diagonal_mm, "configured")
    if reported_mm is not None and plausible_size(width_px, height_px, *reported_mm):
        return PhysicalSize(width_mm=reported_mm[0], height_mm=reported_mm[1], origin="platform")
    return size_from_diagonal(width_px, height_px, DEFAULT_DIAGONAL_MM, "default")


def mm_per_arcmin(distance_mm: float) -> float:
    """The size on the screen that subtends one arc-minute from this distance."""
    return 2 * distance_mm * math.tan(math.radians(1 / 60) / 2)


def cap_px_for(arcmin: float, distance_mm: float, mm_per_px: float) -> float:
    """Capital-letter height in pixels that subtends `arcmin` from `distance_mm`."""
    return 2 * distance_mm * math.tan(math.radians(arcmin / 60) / 2) / mm_per_px


def arcmin_of(cap_px: float, distance_mm: float, mm_per_px: float) -> float:
    """The angle (arc-minutes) a capital `cap_px` pixels high subtends from `distance_mm`."""
    return math.degrees(2 * math.atan(cap_px * mm_per_px / (2 * distance_mm))) * 60


def font_px_for(arcmin: float, distance_mm: float, mm_per_px: float) -> int:
    """The font pixel size whose capitals subtend at least `arcmin`."""
    return math.ceil(cap_px_for(arcmin, distance_mm, mm_per_px) / CAP_HEIGHT_RATIO)


def text_floors(distance_mm: float | None, size: PhysicalSize, height_px: int) -> TextFloors:
    """Font pixel floors of the major and minor text roles (none without a viewing distance)."""
    if distance_mm is None or height_px <= 0:
        return NO_FLOORS
    mm_per_px = size.height_mm / height_px
    return TextFloors(
        major_px=font_px_for(MAJOR_ARCMIN, distance_mm, mm_per_px),
        minor_px=font_px_for(MINOR_ARCMIN, distance_mm, mm_per_px),
    )


def shorter_title(title: str) -> str | None:
    """The title without its trailing detail, "Error Rate (SLO < 1 %)" -> "Error Rate" (None: nothing to drop).

    Text held at a viewing distance's size no longer shrinks to fit: a title drops its
    parenthesised or dash-separated tail before it is cut with an ellipsis.
    """
    text = title.rstrip()
    if text.endswith(")") and "(" in text:
        head = text[: text.rindex("(")].rstrip()
        return head or None
    for separator in (" — ", " - ", " · ", ": "):
        if separator in text:
            head = text[: text.rindex(separator)].rstrip()
            return head or None
    return None


def spaced(positions: tuple[float, ...] | list[float], min_gap: float) -> frozenset[int]:
    """Indices of the labels to draw so that none is nearer than `min_gap` to another (axis ticks).

    The first label (the axis' low end, usually 0) is always kept; labels held at a viewing
    distance's size are dropped rather than drawn over each other.
    """
    kept: list[int] = []
    for i, at in enumerate(positions):
        if not kept or abs(at - positions[kept[-1]]) >= min_gap:
            kept.append(i)
    return frozenset(kept)
