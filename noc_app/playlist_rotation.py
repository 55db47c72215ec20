"""Playlist timing (pure, clock injected): which item is shown, and for how much longer.

Each item has its own dwell.  An item shown by hand (next, previous, or any jump) gets
its full dwell; pausing holds the current item, and resuming gives it a full dwell again
(the operator paused to read it).  The window arms one single-shot timer for `due_in()`
and calls `tick()` when it fires; `tick()` decides from the clock, so a late or early
timer never skips an item or cuts one short.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from noc_app.config.schema import AppConfig, PlaylistConfig, ScreenConfig

DEFAULT_DWELL_S = 60.0


def item_dwells(playlist: PlaylistConfig) -> tuple[float, ...]:
    """One dwell per item: the item's own, else the playlist's interval."""
    if playlist.dwell_s and len(playlist.dwell_s) == len(playlist.dashboards):
        return playlist.dwell_s
    return (playlist.interval_s,) * len(playlist.dashboards)


class Rotation:
    """The position in a playlist and when it moves on."""

    def __init__(self, dwells: Sequence[float], *, clock: Callable[[], float] = time.monotonic) -> None:
        if not dwells:
            raise ValueError("a rotation needs at least one item")
        if any(d <= 0 for d in dwells):
            raise ValueError(f"every dwell must be positive, got {list(dwells)}")
        self.dwells = tuple(float(d) for d in dwells)
        self._clock = clock
        self.index = 0
        self.paused = False
        self._shown_at = clock()

    @property
    def count(self) -> int:
        return len(self.dwells)

    @property
    def rotates(self) -> bool:
        return self.count > 1 and not self.paused

    def due_in(self) -> float | None:
        """Seconds until the next item (0 when overdue); None while paused or with one item."""
        if not self.rotates:
            return None
        return max(0.0, self.dwells[self.index] - (self._clock() - self._shown_at))

    def tick(self) -> bool:
        """Move on when the current item's dwell is over; True when the item changed."""
        due = self.due_in()
        if due is None or due > 0:
            return False
        self.index = (self.index + 1) % self.count
        self._shown_at = self._clock()
        return True

    def show(self, index: int) -> int:
        """Jump to an item (wrapping); it gets its full dwell.  Returns the index shown."""
        self.index = index % self.count
        self._shown_at = self._clock()
        return self.index

    def step(self, delta: int) -> int:
        """Next (+1) or previous (-1) item."""
        return self.show(self.index + delta)

    def set_paused(self, paused: bool) -> None:
        if self.paused and not paused:
            self._shown_at = self._clock()  # resumed: the item held on screen gets a full dwell
        self.paused = paused


def screen_dwells(config: AppConfig, screen: ScreenConfig) -> tuple[float, ...]:
    """The dwells of the items a screen rotates through (empty for a screen showing one dashboard)."""
    playlist = next((p for p in config.playlists if p.id == screen.playlist), None) if screen.playlist else None
    return item_dwells(playlist) if playlist is not None else ()
