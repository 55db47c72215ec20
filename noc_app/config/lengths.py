"""Lengths in config files: '4m', '350cm', '65in', '65"', '1650mm'; a plain number takes the key's unit."""

from __future__ import annotations

import math
import re

_UNIT_MM = {"mm": 1.0, "cm": 10.0, "m": 1000.0, "in": 25.4, '"': 25.4, "ft": 304.8}
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(mm|cm|m|in|\"|ft)?")


class LengthError(ValueError):
    """A value that is not a length; the message shows an example of one."""


def parse_length_mm(value: object, plain_unit: str) -> float:
    """Millimetres from '4m', '65in', ... or a plain number in `plain_unit` (a key of _UNIT_MM)."""
    amount, unit = math.nan, plain_unit
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = float(value)
    elif isinstance(value, str) and (match := _LENGTH.fullmatch(value.strip().lower())):
        amount, unit = float(match.group(1)), match.group(2) or plain_unit
    if math.isfinite(amount) and amount > 0:
        return amount * _UNIT_MM[unit]
    example = "4m, 350cm, 13ft" if plain_unit == "m" else '65in, 65", 1650mm'
    raise LengthError(f"expected a length like {example} (a plain number is in {plain_unit}), got {value!r}")
