"""Colour themes: palettes as data, loaded into a frozen Theme.

Widgets take every colour from a Theme; none are hard-coded.  Severity colours
were picked to stay distinguishable for red-green colour-blind viewers (the
severity is also always spelled out, never colour alone).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

import yaml

THEME_NAMES = ("dark", "light", "high-contrast")

_REQUIRED = (
    "background", "panel", "panel_border", "text", "text_dim", "grid", "axis",
    "ok", "critical", "high", "warning", "info", "unknown", "stale", "no_data",
    "loading", "demo_badge", "series",
)


@dataclass(frozen=True, slots=True)
class Theme:
    """A named palette; colours are '#rrggbb' strings."""

    name: str
    colors: Mapping[str, str]
    series: tuple[str, ...]

    def color(self, key: str) -> str:
        return self.colors[key]

    def series_color(self, index: int) -> str:
        return self.series[index % len(self.series)]


class ThemeError(ValueError):
    """A theme name that does not exist or a palette file that is broken."""


def load_theme(name: str) -> Theme:
    """Load a bundled theme by name ('dark', 'light', 'high-contrast')."""
    if name not in THEME_NAMES:
        raise ThemeError(f"unknown theme {name!r}; expected one of: {', '.join(THEME_NAMES)}")
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ThemeError(f"theme {name}: missing colours {missing}")
    series = tuple(str(c) for c in data["series"])
    colors = {k: str(v) for k, v in data.items() if k != "series"}
    return Theme(name=name, colors=MappingProxyType(colors), series=series)
