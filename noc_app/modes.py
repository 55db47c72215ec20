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
    board_filter: bool = False  # a filter box above each incident board; / focuses it, Esc clears it
    help_overlay: bool = False  # F1 or ? shows every shortcut (not in a kiosk: nobody there uses a keyboard)
    attention: bool = False  # sounds, desktop notification, tray icon, border flash, NEW marker (noc_app.attention)
    takeover: bool = False  # a new P0 may take a screen over (noc_app.takeover); never on an executive's kiosk
    keep_screen_on: bool = False  # inhibit screen blanking / DPMS where the platform allows (noc_app.blanking)


MODE_CAPABILITIES: Mapping[Mode, Capabilities] = MappingProxyType({
    Mode.WALL: Capabilities(
        act=False, navigate=False, pause_rotation=True, pointer_input=False, cursor=True,
        context_menus=False, quit=True, window_close=True, help_overlay=True, attention=True, takeover=True,
        keep_screen_on=True,
    ),
    Mode.OPERATOR: Capabilities(
        act=True, navigate=True, pause_rotation=True, pointer_input=True, cursor=True, board_filter=True,
        context_menus=True, quit=True, window_close=True, reports=True, help_overlay=True,
        attention=True, takeover=True,
    ),
    Mode.KIOSK: Capabilities(
        act=False, navigate=False, pause_rotation=False, pointer_input=False, cursor=False,
        context_menus=False, quit=True, window_close=False, tooltips=False, locked=True, keep_screen_on=True,
    ),
})


def capabilities(mode: Mode) -> Capabilities:
    """The capabilities of a mode (every Mode has a row: a test checks the table is complete)."""
    return MODE_CAPABILITIES[mode]


# -- the window's keys: one table, installed by the window and listed by its help overlay -------------

HELP_KEYS = ("F1", "?")
MUTE_KEY = "M"


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyBinding:
    action: str  # what the window does: quit, refresh, pause, next, previous, handover, help
    keys: tuple[str, ...]  # QKeySequence portable text ("Ctrl+Alt+Q", "F5", "Space")
    description: str  # the help overlay's line


def window_keys(
    caps: Capabilities, *, exit_chord: str = "Ctrl+Alt+Q", handover_key: str | None = None, pin: bool = False,
    mute_minutes: int | None = None,
) -> tuple[KeyBinding, ...]:
    """The shortcuts a wall window installs in a mode (handover_key: given when reports can run;
    mute_minutes: given when the wall makes sounds)."""
    if caps.locked:
        leave = "Leave the kiosk (then enter the PIN)" if pin else "Leave the kiosk (press twice within 3 s)"
    else:
        leave = "Quit noc-app"
    keys = [KeyBinding(action="quit", keys=(exit_chord,), description=leave),
            KeyBinding(action="refresh", keys=("F5", "Ctrl+R"), description="Poll every source now")]
    if caps.pause_rotation:
        keys.append(KeyBinding(action="pause", keys=("Space",), description="Pause or resume the playlist"))
    if caps.navigate:
        keys.append(KeyBinding(action="next", keys=("Right",), description="Next dashboard"))
        keys.append(KeyBinding(action="previous", keys=("Left",), description="Previous dashboard"))
    if caps.board_filter:
        keys.append(KeyBinding(action="filter", keys=("/",), description="Filter the incident board (Esc clears)"))
    if caps.reports and handover_key is not None:
        keys.append(KeyBinding(action="handover", keys=(handover_key,), description="Write the shift handover report"))
    if caps.attention and mute_minutes is not None:
        keys.append(KeyBinding(action="mute", keys=(MUTE_KEY,),
                               description=f"Mute sounds for {mute_minutes} min (press again to unmute)"))
    if caps.help_overlay:
        keys.append(KeyBinding(action="help", keys=HELP_KEYS, description="Show or hide this help (Esc closes it)"))
    return tuple(keys)
