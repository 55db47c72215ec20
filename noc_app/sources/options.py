"""Kind-specific `options:` of a source, read and checked once at construction (pure).

The checks and bounds live in noc_app.config.source_options, where check-config
uses them too; errors here name the key path (and where the source was declared)
like the config loader's, so a bad option reads the same whichever finds it.
"""

from __future__ import annotations

from noc_app.config.limits import ONE_DAY_S
from noc_app.config.schema import SourceConfig
from noc_app.config.source_options import (
    OptionError,
    check_count,
    check_duration,
    check_flag,
    check_text,
    option_spec,
)


def _where(config: SourceConfig, name: str) -> str:
    origin = f" ({config.origin})" if config.origin else ""
    return f"sources[{config.id}].options.{name}{origin}"


def _maximum(config: SourceConfig, name: str, default: float | None) -> float | None:
    spec = option_spec(config.kind, name)
    return spec.maximum if spec is not None else default


def duration_option(config: SourceConfig, name: str, default_s: float) -> float:
    """A positive duration option in seconds: a number, or text such as '90s', '15m', '1h30m'."""
    value = config.options.get(name)
    if value is None:
        return default_s
    try:
        return check_duration(value, maximum=_maximum(config, name, ONE_DAY_S))
    except OptionError as exc:
        raise ValueError(f"{_where(config, name)}: {exc}") from exc


def text_option(config: SourceConfig, name: str, default: str) -> str:
    """A non-empty text option."""
    value = config.options.get(name)
    if value is None:
        return default
    try:
        return check_text(value)
    except OptionError as exc:
        raise ValueError(f"{_where(config, name)}: {exc}") from exc


def flag_option(config: SourceConfig, name: str, default: bool) -> bool:
    """A true/false option."""
    value = config.options.get(name)
    if value is None:
        return default
    try:
        return check_flag(value)
    except OptionError as exc:
        raise ValueError(f"{_where(config, name)}: {exc}") from exc


def count_option(config: SourceConfig, name: str, default: int) -> int:
    """A whole-number option of at least 1."""
    value = config.options.get(name, default)
    try:
        return check_count(value, maximum=_maximum(config, name, None))
    except OptionError as exc:
        raise ValueError(f"{_where(config, name)}: {exc}") from exc


def required_url(config: SourceConfig) -> str:
    """The source's base URL; an HTTP source without one is a config error."""
    if not config.url:
        origin = f" ({config.origin})" if config.origin else ""
        raise ValueError(f"sources[{config.id}].url{origin}: a {config.kind} source needs a url")
    return config.url
