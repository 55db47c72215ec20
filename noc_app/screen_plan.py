"""Which wall window goes on which monitor: a pure policy over the monitors present.

Every configured screen keeps its own window for the whole run (its dashboards keep
their data).  A window whose monitor is missing (unplugged, or an index beyond those
present) is *hosted* by the last monitor present: it becomes one more entry in that
monitor's rotation (the screen shows its own window, then each hosted one in turn),
rather than a second window stacked over the first, which nobody would see.  When its
monitor comes back, the next plan puts it there again.  No monitor at all: nothing
is placed, the windows wait hidden.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class ScreenRequest:
    """What a configured screen asks for: a monitor by Qt name (preferred) or by index."""

    window_id: str
    index: int = 0
    name: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Placement:
    window_id: str
    screen: int  # index into the monitors present
    hosted: bool = False  # True: its own monitor is missing, it rotates on this one


@dataclass(frozen=True, kw_only=True, slots=True)
class ScreenPlan:
    placements: tuple[Placement, ...]
    problems: tuple[str, ...] = ()  # one log line per window that did not get its own monitor

    def on_screen(self, screen: int) -> tuple[str, ...]:
        """The windows a monitor shows, its own first: more than one means it rotates between them."""
        own = [p.window_id for p in self.placements if p.screen == screen and not p.hosted]
        hosted = [p.window_id for p in self.placements if p.screen == screen and p.hosted]
        return tuple(own + hosted)

    def screen_of(self, window_id: str) -> int | None:
        return next((p.screen for p in self.placements if p.window_id == window_id), None)


def _wanted(request: ScreenRequest, present: tuple[str, ...]) -> int | None:
    if request.name is not None:
        return present.index(request.name) if request.name in present else None
    return request.index if request.index < len(present) else None


def _describe(request: ScreenRequest) -> str:
    return f"monitor {request.name!r}" if request.name is not None else f"screen {request.index}"


def plan_screens(requests: tuple[ScreenRequest, ...], present: tuple[str, ...]) -> ScreenPlan:
    """Place each requested window on a monitor present (Qt's order and names)."""
    if not present:
        names = ", ".join(r.window_id for r in requests)
        return ScreenPlan(placements=(), problems=(f"no monitor attached: windows {names} wait for one",))
    placements: list[Placement] = []
    problems: list[str] = []
    host = len(present) - 1
    for request in requests:
        wanted = _wanted(request, present)
        if wanted is not None:
            placements.append(Placement(window_id=request.window_id, screen=wanted))
            continue
        placements.append(Placement(window_id=request.window_id, screen=host, hosted=True))
        problems.append(
            f"screen {request.window_id!r}: {_describe(request)} is not attached "
            f"(present: {', '.join(present)}); it rotates on {present[host]!r} until it returns"
        )
    return ScreenPlan(placements=tuple(placements), problems=tuple(problems))
