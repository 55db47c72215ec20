"""The `kiosk:` section: how an executive screen is left.

    kiosk:
      exit_chord: Ctrl+Alt+Q          # default
      pin_hash: scrypt$16384$8$1$...  # from `noc-app kiosk-pin`; absent: the chord pressed twice quits
      dashboard: overview             # what the kiosk shows; absent: the executive KPIs (noc_app.executive)

Only the PIN's salted scrypt hash is written here (noc_app.kiosk_pin), never the PIN.
"""

from __future__ import annotations

from noc_app.config.schema import DEFAULT_EXIT_CHORD, KioskConfig
from noc_app.config.yaml_nodes import MapReader, Walk
from noc_app.kiosk_pin import PinHashError, parse_pin_hash

_KIOSK_KEYS = ("exit_chord", "pin_hash", "dashboard")
MODIFIERS = ("ctrl", "alt", "shift", "meta")
MAX_CHORD_CHARS = 64


def chord_problem(chord: str) -> str | None:
    """Why a key chord is not `Modifier+...+Key` with at least one modifier (a bare key would quit by accident)."""
    parts = [part.strip() for part in chord.split("+")]
    if len(chord) > MAX_CHORD_CHARS or len(parts) < 2 or not all(parts):
        return "expected modifiers and a key, like Ctrl+Alt+Q"
    unknown = [p for p in parts[:-1] if p.lower() not in MODIFIERS]
    if unknown:
        return f"unknown modifier {unknown[0]!r}; modifiers: Ctrl, Alt, Shift, Meta"
    if parts[-1].lower() in MODIFIERS:
        return "the chord needs a key after its modifiers, like Ctrl+Alt+Q"
    return None


def read_kiosk(walk: Walk, top: MapReader, dashboard_ids: tuple[str, ...] = ()) -> KioskConfig:
    node = top.sub_mapping("kiosk")
    if node is None:
        return KioskConfig()
    path = top.sub("kiosk")
    item = MapReader(walk, node, path, _KIOSK_KEYS)
    chord = item.text("exit_chord", DEFAULT_EXIT_CHORD) or DEFAULT_EXIT_CHORD
    if (problem := chord_problem(chord)) is not None:
        walk.error(item.nodes["exit_chord"], item.sub("exit_chord"), problem)
    pin_hash = item.text("pin_hash")
    if pin_hash is not None:
        try:
            parse_pin_hash(pin_hash)
        except PinHashError as exc:
            walk.error(item.nodes["pin_hash"], item.sub("pin_hash"), str(exc))  # the message never echoes it
    dashboard = item.text("dashboard")
    if dashboard is not None and dashboard not in dashboard_ids:
        known = ", ".join(dashboard_ids) or "none defined"
        walk.error(item.nodes["dashboard"], item.sub("dashboard"),
                   f"unknown dashboard {dashboard!r}; dashboards: {known}")
    return KioskConfig(exit_chord=chord, pin_hash=pin_hash.strip() if pin_hash else None, dashboard=dashboard or None)
