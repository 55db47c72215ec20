"""The built-in demo source: a simulated service, its alerts and its logs (no network).

- source: DemoSource, the Source the registry creates for kind "demo";
- catalog: the seed's PromQL expressions and the signals they resolve to;
- service: the deterministic service simulation and its incident schedule;
- alerts: the seed's alert rules evaluated on the simulation, plus standing incidents;
- logs: the structured log stream and its LogQL-like filter.
"""

from noc_app.sources.demo.source import DemoSource

__all__ = ["DemoSource"]
