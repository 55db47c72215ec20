"""What each mode may do: one table, read by the wall window and by the action policy.

The values reproduce what widgets/wall_window.py does inline today (keys it
installs, mouse lock-down, blank cursor, refusing the window manager's close) so
the window can switch to reading this table without changing behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from noc_app.config.schema import Mode


@dataclass(frozen=True, kw_only=True, slots=True)
class Capabilities:
    act: bool  # operator actions (ack, unack, note)
    navigate: bool  # step between dashboards with the keyboard
    pause_rotation: bool  # Space pauses the playlist
    pointer_input: bool  # mouse events reach the dashboards (drill-down, hover)
    cursor: bool  # the mouse cursor is visible
    context_menus: bool
    quit: bool  # the app's own quit key (Ctrl+Alt+Q)
    window_close: bool  # the window manager may close the window (Alt+F4)
    # Added for the window (defaults keep older rows valid):
    tooltips: bool = True  # hover tooltips (a kiosk's would show error details to nobody)
    locked: bool = False  # stays on top, re-asserts full screen, the quit key must be pressed twice
    reports: bool = False  # make reports from the UI (post-incident from the board menu, Ctrl+Shift+H handover)


MODE_CAPABILITIES: Mapping[Mode, Capabilities] = MappingProxyType({
    Mode.WALL: Capabilities(
        act=False, navigate=False, pause_rotation=True, pointer_input=False, cursor=True,
        context_menus=False, quit=True, window_close=True,
    ),
    Mode.OPERATOR: Capabilities(
        act=True, navigate=True, pause_rotation=True, pointer_input=True, cursor=True,
        context_menus=True, quit=True, window_close=True, reports=True,
    ),
    Mode.KIOSK: Capabilities(
        act=False, navigate=False, pause_rotation=False, pointer_input=False, cursor=False,
        context_menus=False, quit=True, window_close=False, tooltips=False, locked=True,
    ),
})


def capabilities(mode: Mode) -> Capabilities:
    """The capabilities of a mode (every Mode has a row: a test checks the table is complete)."""
    return MODE_CAPABILITIES[mode]
