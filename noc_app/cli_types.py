"""argparse value types shared by the app's and the benchmark's command lines.

Each refuses what would crash or hang later (nan, inf, 1e10 seconds for a
timer, a negative screen, a 0x0 window) with argparse's usual
"argument --x: invalid ... value" line and exit status 2.
"""

from __future__ import annotations

import argparse
import math
import re

MAX_SECONDS = 7 * 86_400.0  # timers hold milliseconds in a 32-bit int (24.8 days); a week is plenty
MAX_SCREEN = 63
MAX_PIXELS = 16_384  # per side of a rendered image
MAX_COUNT = 10_000_000
MAX_RATE = 1_000.0


def _refuse(kind: str, text: str, expected: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"invalid {kind} value: {text!r} (expected {expected})")


def _finite(text: str, kind: str, expected: str, *, suffix: str = "") -> float:
    body = text.strip()
    if suffix and body.endswith(suffix):
        body = body[: -len(suffix)]
    try:
        value = float(body)
    except ValueError:
        raise _refuse(kind, text, expected) from None
    if not math.isfinite(value):
        raise _refuse(kind, text, expected)
    return value


def seconds(text: str) -> float:
    """A non-negative, finite number of seconds up to a week: '10', '2.5', '60s', '0'."""
    expected = f"seconds like 10 or 2.5, from 0 to {MAX_SECONDS:g}"
    value = _finite(text, "seconds", expected, suffix="s")
    if not 0 <= value <= MAX_SECONDS:
        raise _refuse("seconds", text, expected)
    return value


def positive_seconds(text: str) -> float:
    """A positive, finite number of seconds up to a week: '10', '2.5', '60s'."""
    expected = f"seconds like 10 or 2.5, more than 0 and at most {MAX_SECONDS:g}"
    value = _finite(text, "seconds", expected, suffix="s")
    if not 0 < value <= MAX_SECONDS:
        raise _refuse("seconds", text, expected)
    return value


def positive_int(text: str) -> int:
    """A whole number from 1 to MAX_COUNT."""
    expected = f"a whole number from 1 to {MAX_COUNT}"
    try:
        value = int(text)
    except ValueError:
        raise _refuse("count", text, expected) from None
    if not 1 <= value <= MAX_COUNT:
        raise _refuse("count", text, expected)
    return value


def positive_float(text: str) -> float:
    """A positive, finite number up to MAX_RATE (updates per second)."""
    expected = f"a number like 1 or 0.5, more than 0 and at most {MAX_RATE:g}"
    value = _finite(text, "number", expected)
    if not 0 < value <= MAX_RATE:
        raise _refuse("number", text, expected)
    return value


def screen_index(text: str) -> int:
    """A monitor number from 0 to 63 (one beyond the monitors present is handled at run time)."""
    expected = f"a monitor number from 0 to {MAX_SCREEN}"
    try:
        value = int(text)
    except ValueError:
        raise _refuse("screen", text, expected) from None
    if not 0 <= value <= MAX_SCREEN:
        raise _refuse("screen", text, expected)
    return value


def size(text: str) -> tuple[int, int]:
    """WIDTHxHEIGHT in pixels, each from 1 to 16384: '3840x2160'."""
    expected = f"WIDTHxHEIGHT like 3840x2160, each from 1 to {MAX_PIXELS}"
    match = re.fullmatch(r"(\d{1,5})[xX](\d{1,5})", text.strip())
    if not match:
        raise _refuse("size", text, expected)
    width, height = int(match.group(1)), int(match.group(2))
    if not (1 <= width <= MAX_PIXELS and 1 <= height <= MAX_PIXELS):
        raise _refuse("size", text, expected)
    return width, height
