"""Source registry: config kind -> adapter class, imported lazily.

Lazy imports keep start-up fast: a wall that only uses the demo never imports
httpx-heavy adapters it does not need.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from noc_app.config.schema import SourceConfig
from noc_app.sources.base import PollPlan, Source


class SourceFactory(Protocol):
    """What every adapter class is: called with (config, plan, **kwargs), it builds a Source."""

    def __call__(self, config: SourceConfig, plan: PollPlan, **kwargs: Any) -> Source: ...


_ADAPTERS: dict[str, tuple[str, str]] = {
    "demo": ("noc_app.sources.demo.source", "DemoSource"),
    "localhost": ("noc_app.sources.localhost", "LocalHostSource"),
    "prometheus": ("noc_app.sources.prometheus", "PrometheusSource"),
    "alertmanager": ("noc_app.sources.alertmanager", "AlertmanagerSource"),
    "loki": ("noc_app.sources.loki", "LokiSource"),
    "elasticsearch": ("noc_app.sources.elasticsearch", "ElasticsearchSource"),
    "journald": ("noc_app.sources.journald", "JournaldSource"),
    "pagerduty": ("noc_app.sources.pagerduty", "PagerDutySource"),
    "opsgenie": ("noc_app.sources.opsgenie", "OpsgenieSource"),
}


def source_class(kind: str) -> SourceFactory:
    """The adapter class for a source kind."""
    try:
        module_name, class_name = _ADAPTERS[kind]
    except KeyError:
        raise ValueError(f"unknown source kind {kind!r}; known: {', '.join(sorted(_ADAPTERS))}") from None
    adapter: SourceFactory = getattr(importlib.import_module(module_name), class_name)
    return adapter


def create_source(config: SourceConfig, plan: PollPlan, **kwargs: Any) -> Source:
    """Build the adapter for one configured source.

    Every adapter takes (config, plan, **kwargs); tests pass `transport=` (an
    httpx.MockTransport) or `clock=` through kwargs.
    """
    return source_class(config.kind)(config, plan, **kwargs)
