"""The last config that loaded: a wall whose config was broken by an edit keeps running.

At each good start of the wall the config text is copied aside (platformdirs' user state
dir, one file per config path).  When the config fails to load at the next start and a
copy exists, the wall runs the copy and says why in its header; with no copy the start
fails (exit 2, one message).  check-config, snapshot and screenshot never fall back.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from noc_app.config.file_read import FileReadError, read_limited_text
from noc_app.config.loader import ConfigError, load_config, load_config_text
from noc_app.config.schema import AppConfig
from noc_app.redaction import redact

log = logging.getLogger(__name__)

APP_NAME = "noc-app"


def default_directory() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME)) / "last-good-config"


def copy_path(config_path: str, directory: Path) -> Path:
    """Where the last good copy of this config lives (keyed by its absolute path)."""
    key = hashlib.sha256(os.path.abspath(config_path).encode()).hexdigest()[:24]
    return directory / f"{key}.yaml"


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    config: AppConfig
    problem: str | None = None  # set when the config failed and its last good copy runs instead


def remember(config_path: str, text: str, directory: Path) -> None:
    """Write the copy atomically (a crash mid-write never leaves a half copy); failures only warn."""
    target = copy_path(config_path, directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            return
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".yaml")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        log.warning("cannot keep a last good copy of %s: %s", config_path, exc)


def problem_line(error: ConfigError) -> str:
    """The banner text: the first problem, and how many more."""
    first = redact(str(error.problems[0])) if error.problems else "config error"
    more = len(error.problems) - 1
    return f"CONFIG ERROR, running the last good copy: {first}" + (f" (+{more} more)" if more > 0 else "")


def load_wall_config(config_path: str, *, directory: Path | None = None) -> LoadedConfig:
    """Load the wall's config; on a ConfigError fall back to its last good copy when one exists."""
    directory = default_directory() if directory is None else directory
    try:
        text = read_limited_text(config_path)
    except FileReadError:
        text = None
    try:
        if text is None:
            config = load_config(config_path)  # raises the loader's own message for the unreadable file
        else:
            config = load_config_text(text, filename=config_path, base_dir=Path(config_path).resolve().parent)
    except ConfigError as error:
        copy = copy_path(config_path, directory)
        if not copy.is_file():
            raise
        try:
            config = load_config_text(
                copy.read_text(encoding="utf-8"), filename=f"{config_path} (last good copy {copy})",
                base_dir=Path(config_path).resolve().parent,
            )
        except (ConfigError, OSError):  # the schema moved on since: the copy is no use
            raise error from None
        log.error("config %s does not load; running its last good copy %s: %s", config_path, copy, error)
        return LoadedConfig(config, problem_line(error))
    if text is not None:
        remember(config_path, text, directory)
    return LoadedConfig(config)
