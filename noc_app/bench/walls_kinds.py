"""The wall-kinds benchmark wall: the built-in demo's "panels" dashboard (every panel kind).

Fed by its own in-process sources (the simulated e-commerce service and this
machine), polled at the benchmark's rate instead of the demo's 2 s.
"""

from __future__ import annotations

import dataclasses

from noc_app.config.schema import AppConfig

KINDS_DASHBOARD = "panels"


def kinds_wall(*, hz: float) -> AppConfig:
    """Every panel kind on one dashboard, each source polled `hz` times a second."""
    from noc_app.config.loader import load_builtin

    demo = load_builtin("demo")
    interval = 1.0 / hz
    return dataclasses.replace(
        demo,
        path="<bench wall-kinds>",
        dashboards=(demo.dashboard(KINDS_DASHBOARD),),
        sources=tuple(dataclasses.replace(s, interval_s=interval, timeout_s=max(interval, 2.0)) for s in demo.sources),
        screens=(),
        playlists=(),
    )
