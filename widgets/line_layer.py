"""A heavy chart's lines drawn into an image a few at a time, so no event-loop turn draws them all.

Twenty-four noisy lines of ~1,400 points each cost the GUI thread 15-20 ms to
stroke; with the legend, the values and an incident board repainting in the
same turn that was the wall's longest freeze (the ingest benchmark, ~55 ms).
QPainter calls hold the GIL, so a worker thread would only move the wait, not
remove it.  Instead the lines go into an offscreen image in slices of a few
milliseconds, one slice per event-loop turn; the panel keeps showing the last
finished image (shifted by the time that passed, so old lines sit where their
data belongs) until the new one is complete, then repaints once.

Only charts past HEAVY_POINTS use it: an ordinary panel still draws its lines
directly, in the paint that shows its new values.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPointF, QRectF, QTimer
from PySide6.QtGui import QImage, QPainter, Qt

# Points across a chart's drawn lines past which they are drawn in slices (24 lines x 500 points).
HEAVY_POINTS = 12_000
SLICE_BUDGET_S = 0.004  # a slice stops drawing after this much time: the turn stays short

Stroke = Callable[[QPainter], None]  # draws one line, in the widget's coordinates

_pending: set[int] = set()  # ids of layers with unfinished images (the benchmark drains until none)


def layers_pending() -> int:
    """How many layers are still drawing an image (the benchmark waits for them to count an update painted)."""
    return len(_pending)


@dataclass(frozen=True, slots=True)
class LayerImage:
    """A finished image of a chart's lines and what it was drawn for."""

    image: QImage
    geometry: Hashable  # plot rectangle, pixel ratio, y ranges, window: an image only fits the same geometry
    x0: float  # data time at the plot's left edge when drawn
    generation: int  # the chart's data generation it shows
    origin: QPointF  # where the image's top left sits in the widget (whole pixels: the lines land exactly)
    plot: QRectF  # the strokes' clip, in the widget's coordinates like the strokes themselves


class LineLayer(QObject):
    """Draws strokes into an image over several event-loop turns; calls on_ready when one is complete."""

    def __init__(self, on_ready: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_ready = on_ready
        self.latest: LayerImage | None = None
        self._job: tuple[LayerImage, QPainter | None, list[Stroke]] | None = None
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._slice)
        self.slices = 0  # slices drawn so far (tests check the drawing really is split)
        self.destroyed.connect(functools.partial(_pending.discard, id(self)))  # a closed chart is not pending

    @property
    def drawing_generation(self) -> int | None:
        return self._job[0].generation if self._job is not None else None

    def fitting(self, geometry: Hashable) -> LayerImage | None:
        """The last finished image if it was drawn for this geometry."""
        latest = self.latest
        return latest if latest is not None and latest.geometry == geometry else None

    def draw(
        self, *, plot: QRectF, dpr: float, geometry: Hashable, x0: float, generation: int, strokes: Sequence[Stroke],
    ) -> None:
        """Start drawing an image of these strokes (an unfinished older one is dropped)."""
        self._drop_job()
        origin = QPointF(math.floor(plot.left()), math.floor(plot.top()))
        width, height = math.ceil(plot.right()) - origin.x(), math.ceil(plot.bottom()) - origin.y()
        image = QImage(max(1, round(width * dpr)), max(1, round(height * dpr)),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        image.fill(Qt.GlobalColor.transparent)
        target = LayerImage(image=image, geometry=geometry, x0=x0, generation=generation, origin=origin, plot=plot)
        self._job = (target, None, list(strokes))
        _pending.add(id(self))
        self._timer.start()

    def clear(self) -> None:
        """Forget every image (the chart went light, empty or changed size)."""
        self._drop_job()
        self.latest = None

    def _slice(self) -> None:
        if self._job is None:
            return
        target, painter, strokes = self._job
        if painter is None:
            painter = QPainter(target.image)
            painter.translate(-target.origin)
            painter.setClipRect(target.plot)
            self._job = (target, painter, strokes)
        deadline = time.perf_counter() + SLICE_BUDGET_S
        strokes.pop(0)(painter)  # at least one line per slice, however small the budget
        while strokes and time.perf_counter() < deadline:
            strokes.pop(0)(painter)
        self.slices += 1
        if strokes:
            self._timer.start()
            return
        painter.end()
        self._job = None
        _pending.discard(id(self))
        self.latest = target
        self._on_ready()

    def _drop_job(self) -> None:
        self._timer.stop()
        if self._job is not None and self._job[1] is not None:
            self._job[1].end()
        self._job = None
        _pending.discard(id(self))
