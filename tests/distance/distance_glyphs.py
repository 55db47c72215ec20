"""Measure capital-letter heights on rendered pixels: ink bands in a crop of a grabbed image.

A crop holding one line of capitals and digits (no descenders, no accents) has one band of
ink rows whose height is the capital height.  Ink is a pixel that differs from the crop's
background (its most common colour) by more than half the crop's largest difference, so
anti-aliasing fringes do not count.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage


def pixels(image: QImage) -> np.ndarray:
    """An (h, w, 3) int array of the image's RGB."""
    img = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
    arr = arr.reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4)[..., :3].astype(int)


def ink_bands(image: QImage, rect: QRect) -> list[int]:
    """Heights (pixels) of the runs of consecutive ink rows inside `rect`, top to bottom."""
    rect = rect.intersected(image.rect())
    crop = pixels(image)[rect.top(): rect.bottom() + 1, rect.left(): rect.right() + 1]
    if crop.size == 0:
        return []
    flat = crop.reshape(-1, 3)
    colors, counts = np.unique(flat, axis=0, return_counts=True)
    background = colors[int(np.argmax(counts))]
    diff = np.abs(crop - background).sum(axis=2)
    if diff.max() == 0:
        return []
    rows = (diff > diff.max() * 0.5).any(axis=1)
    bands, run = [], 0
    for ink in rows:
        if ink:
            run += 1
        elif run:
            bands.append(run)
            run = 0
    if run:
        bands.append(run)
    return bands


def cap_height(image: QImage, rect: QRect) -> int:
    """The tallest ink band in `rect`: one line of capitals gives its capital height."""
    return max(ink_bands(image, rect), default=0)
