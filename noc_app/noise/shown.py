"""What noise reduction and correlation add to an incident board (decided in noc_app.selectors_noise)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from noc_app.noise.correlation import Problem


@dataclass(frozen=True, slots=True)
class BoardNoise:
    """What noise reduction and correlation add to a board (noc_app.selectors_noise decides it).

    tags/notes are keyed by a row's first alert (source id, fingerprint): "FLAPPING ×7 in 10m" or
    "MAINTENANCE" as the row's state tag, a note before its detail ("maintenance: db patching").
    """

    tags: Mapping[tuple[str, str], str] = field(default_factory=dict)
    notes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    hints: tuple[str, ...] = ()  # one line per problem: "4 incidents, probable cause: db (...)"
    problems: tuple[Problem, ...] = ()
    raw_alerts: int = 0  # unresolved alerts the board's sources listed
    held_back: int = 0  # warnings younger than the minimum duration
    until: float = float("inf")  # when the noise decision may change without a new poll
    signature: tuple[object, ...] = ()  # cheap to compare: changes whenever the above changes what is drawn


NO_NOISE_SHOWN = BoardNoise()
