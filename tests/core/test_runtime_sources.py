"""A source that cannot be built fails alone: its panels say why, the rest of the wall runs."""

from __future__ import annotations

import pytest

from noc_app.config.schema import AppConfig, Mode, SourceConfig
from noc_app.redaction import register_secret
from noc_app.runtime import UnavailableSource, build_sources
from noc_app.sources.base import PollPlan, SourceError


def _config() -> AppConfig:
    return AppConfig(path="wall.yaml", title="t", mode=Mode.WALL, theme="dark", dashboards=(), sources=(
        SourceConfig(id="broken", kind="prometheus", url="http://127.0.0.1:9"),
        SourceConfig(id="demo", kind="demo"),
    ))


def test_an_adapter_that_raises_anything_becomes_an_unavailable_source_with_the_reason():
    register_secret("s3cr3t-token-value")

    def factory(config, plan):
        if config.id == "broken":
            raise KeyError("option 'step' s3cr3t-token-value")
        from noc_app.sources.registry import create_source

        return create_source(config, plan)

    sources = build_sources(_config(), {"broken": PollPlan(), "demo": PollPlan()}, factory)
    assert isinstance(sources["broken"], UnavailableSource)
    assert not isinstance(sources["demo"], UnavailableSource)
    with pytest.raises(SourceError) as caught:
        sources["broken"].poll()
    assert "cannot be built: KeyError" in str(caught.value)
    assert "s3cr3t-token-value" not in str(caught.value)
