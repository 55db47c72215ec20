"""Kind-specific `options:` of a source, read and checked once at construction (pure).

Errors name the key path (and where the source was declared) like the config
loader's, so a bad option reads the same whichever adapter finds it.
"""

from __future__ import annotations

from noc_app.config.durations import DurationError, parse_duration
from noc_app.config.schema import SourceConfig


def _where(config: SourceConfig, name: str) -> str:
    origin = f" ({config.origin})" if config.origin else ""
    return f"sources[{config.id}].options.{name}{origin}"


def duration_option(config: SourceConfig, name: str, default_s: float) -> float:
    """A positive duration option in seconds: a number, or text such as '90s', '15m', '1h30m'."""
    value = config.options.get(name)
    if value is None:
        return default_s
    try:
        seconds = parse_duration(value)
    except DurationError as exc:
        raise ValueError(f"{_where(config, name)}: {exc}") from exc
    if seconds <= 0:
        raise ValueError(f"{_where(config, name)}: must be more than zero, got {value!r}")
    return seconds


def text_option(config: SourceConfig, name: str, default: str) -> str:
    """A non-empty text option."""
    value = config.options.get(name)
    if value is None:
        return default
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{_where(config, name)}: expected non-empty text, got {value!r}")
    return value.strip()


def flag_option(config: SourceConfig, name: str, default: bool) -> bool:
    """A true/false option."""
    value = config.options.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValueError(f"{_where(config, name)}: expected true or false, got {value!r}")
    return value


def count_option(config: SourceConfig, name: str, default: int) -> int:
    """A whole-number option of at least 1."""
    value = config.options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{_where(config, name)}: expected a whole number >= 1, got {value!r}")
    return value


def required_url(config: SourceConfig) -> str:
    """The source's base URL; an HTTP source without one is a config error."""
    if not config.url:
        origin = f" ({config.origin})" if config.origin else ""
        raise ValueError(f"sources[{config.id}].url{origin}: a {config.kind} source needs a url")
    return config.url
