"""What an operator would see on a wall picture, checked in pixels.

A LOADING or blank panel draws nothing in its body, while a live one draws lines in
the theme's series colours, big numbers and gauge arcs in severity colours, rows of
text.  Counting pixels near those exact palette colours (not "how many colours are
there", which a title and a LOADING pill already satisfy) tells the two apart.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage

SEVERITY_KEYS = ("ok", "warning", "high", "critical")
TOLERANCE = 24  # per channel: anti-aliased edges, but never one palette colour for another


def rgb_array(image: QImage) -> np.ndarray:
    """H x W x 3 int array (R, G, B) of an image."""
    img = image.convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
    px = raw.reshape(img.height(), img.bytesPerLine())[:, : img.width() * 4].reshape(img.height(), img.width(), 4)
    return px[..., 2::-1].astype(int)  # stored B, G, R, A


def count_near(pixels: np.ndarray, colours: list[str] | tuple[str, ...], tolerance: int = TOLERANCE) -> int:
    """How many pixels lie within `tolerance` (every channel) of any of the '#rrggbb' colours."""
    hit = np.zeros(pixels.shape[:2], dtype=bool)
    for colour in colours:
        target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        hit |= (np.abs(pixels - target) <= tolerance).all(axis=-1)
    return int(hit.sum())


def _body_pixels(window, frame, picture: np.ndarray) -> np.ndarray:
    top_left = frame.body.mapTo(window, QPoint(0, 0))
    return picture[top_left.y() : top_left.y() + frame.body.height(), top_left.x() : top_left.x() + frame.body.width()]


def panel_problems(window, theme, picture: np.ndarray, *, long_history: set[str]) -> dict[str, str]:
    """Panel id -> what is missing, for every panel that does not look live.

    long_history: time-series panels with enough history for a line across the plot
    (the others, e.g. this machine's gauges history, have only seconds of data: their
    legend still shows the series' colours and values).
    """
    problems: dict[str, str] = {}
    severity = [theme.color(key) for key in SEVERITY_KEYS]
    for frame in window.panel_frames():
        body = _body_pixels(window, frame, picture)
        kind, pid = frame.panel.kind, frame.panel.id
        if kind == "timeseries" and pid in long_history:
            rect = frame.body.plot_rect.toRect()
            plot = body[rect.top() : rect.bottom(), rect.left() : rect.right()]
            found, needed = count_near(plot, theme.series), max(1, rect.width() // 2)
            what = "series-coloured line pixels in the plot area"
        elif kind == "timeseries":
            found, needed, what = count_near(body, theme.series), 100, "series-coloured pixels (lines, legend)"
        elif kind in ("stat", "gauge"):
            found, needed, what = count_near(body, severity), 1000, "pixels of a value in a severity colour"
        elif kind == "incidents":
            found, needed, what = count_near(body, severity), 200, "pixels of coloured priority labels"
        elif kind == "logs":
            found, needed, what = count_near(body, [theme.color("text")], 40), 2000, "pixels of log text"
        else:
            continue
        if found < needed:
            problems[pid] = f"{found} {what}, expected at least {needed}"
    return problems


def screenshot_problems(pixels: np.ndarray, theme) -> list[str]:
    """A whole-wall picture (no widget geometry): live values and lines must be there.

    Scaled to the picture's area so small and 4K pictures are judged alike; a LOADING
    wall has next to none of either (its pills are drawn in the 'loading' colour, which
    is not a severity colour, and are far too small to pass for lines).
    """
    area = pixels.shape[0] * pixels.shape[1]
    problems = []
    severity = count_near(pixels, [theme.color(key) for key in SEVERITY_KEYS])
    if severity < area // 200:
        problems.append(f"{severity} pixels in severity colours (big numbers, gauge arcs), expected >= {area // 200}")
    lines = count_near(pixels, theme.series[1:])  # series 0 is close to the LOADING pill's blue
    if lines < area // 400:
        problems.append(f"{lines} pixels in series colours (chart lines), expected >= {area // 400}")
    return problems
