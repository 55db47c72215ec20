"""Load a wall config: YAML text -> validated, frozen AppConfig, or every problem at once.

    config = load_config("wall.yaml")      # raises ConfigError listing all problems
    config = load_builtin()                # the bundled demo wall

Problems read like compiler errors: `wall.yaml:14:5 dashboards[0].panels[2].thresholds[1]:
expected a number, got 'high'`.  Secrets are never read here: auth sections only
become SecretRef objects naming an environment variable or keyring entry.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import yaml
from yaml.nodes import MappingNode

from noc_app.config.attention_section import read_attention
from noc_app.config.dashboard_section import default_screen, page_playlists, read_dashboard_sources
from noc_app.config.display_section import read_display
from noc_app.config.durations import DurationError, parse_duration
from noc_app.config.errors import ConfigError, Problem
from noc_app.config.file_read import FileReadError, read_limited_text
from noc_app.config.heartbeat_section import read_heartbeat
from noc_app.config.incidents_section import read_incidents
from noc_app.config.kiosk_section import read_kiosk
from noc_app.config.limits import MAX_FILE_BYTES, MAX_STALE_INTERVALS
from noc_app.config.noise_section import read_noise
from noc_app.config.notifications_section import (
    check_channel_references,
    read_automation,
    read_notifications,
)
from noc_app.config.playlist_section import read_playlists
from noc_app.config.policy_section import (
    read_actions,
    read_screens,
    read_severity_policy,
)
from noc_app.config.reports_section import read_reports
from noc_app.config.schema import AppConfig, Mode, OperatorConfig
from noc_app.config.sla_section import read_sla
from noc_app.config.slo_section import bind_slo_panels, read_slos
from noc_app.config.source_section import read_sources
from noc_app.config.state_section import read_state
from noc_app.config.takeover_section import read_takeover
from noc_app.config.tree_checks import report_tree_problems
from noc_app.config.yaml_limits import YamlLimitError, compose_limited
from noc_app.config.yaml_nodes import (
    MapReader,
    Walk,
    describe,
    is_null,
)
from noc_app.themes import THEME_NAMES
from noc_app.variables import with_variables

__all__ = [
    "ConfigError", "DurationError", "Problem", "load_builtin", "load_config", "load_config_text", "parse_duration",
]

_TOP_KEYS = (
    "version", "title", "mode", "theme", "operator", "stale_after_intervals", "sources", "dashboards",
    "playlists", "screens", "severity_policy", "actions", "state", "notifications", "automation",
    "incidents", "variables", "slos", "sla", "reports", "kiosk", "attention", "noise", "topology", "takeover",
    "heartbeat", "display",
)
_EMPTY = "config is empty; expected a mapping with sources and dashboards"


def load_config(path: str | os.PathLike[str]) -> AppConfig:
    """Read and validate a config file; raises ConfigError naming every problem.

    Only a regular file of at most MAX_FILE_BYTES is read: a FIFO, a device such
    as /dev/zero or a directory is refused before it is opened (never a hang).
    """
    label = os.fspath(path)
    try:
        text = read_limited_text(path)
    except FileReadError as exc:
        raise ConfigError([Problem(label, 0, 0, "", _file_message(exc))]) from None
    return load_config_text(text, filename=label, base_dir=Path(path).resolve().parent)


def _file_message(exc: FileReadError) -> str:
    if exc.code == "missing":
        return "config file not found"
    if exc.code == "directory":
        return "is a directory; expected a YAML config file"
    if exc.code == "special":
        return exc.message.replace("expected a file", "expected a YAML config file")
    return f"config file {exc.message}"


def load_builtin(name: str = "demo") -> AppConfig:
    """Load a config bundled with the app (package noc_app.configs)."""
    label = f"<built-in {name}>"
    resource = resources.files("noc_app.configs") / f"{name}.yaml"
    try:
        text = resource.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        raise ConfigError([Problem(label, 0, 0, "", f"no built-in config named '{name}'")]) from None
    return load_config_text(text, filename=label, base_dir=Path(str(resources.files("noc_app.configs"))))


def load_config_text(text: str, *, filename: str, base_dir: str | os.PathLike[str] | None = None) -> AppConfig:
    """Validate config text; relative paths resolve against base_dir (default: the file's folder)."""
    base = Path(base_dir) if base_dir is not None else Path(filename).parent
    walk = Walk(filename, base)
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError([Problem(filename, 1, 1, "", (
            f"config text is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; expected a config of at most "
            f"{MAX_FILE_BYTES} characters"
        ))])
    try:
        root = compose_limited(text)
    except YamlLimitError as exc:
        line, column = (exc.mark.line + 1, exc.mark.column + 1) if exc.mark is not None else (1, 1)
        raise ConfigError([Problem(filename, line, column, "", exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_syntax_problem(filename, exc)]) from None
    except yaml.YAMLError as exc:  # reader errors (bad characters) carry no mark
        raise ConfigError([Problem(filename, 1, 1, "", f"YAML syntax error: {exc}")]) from None
    if root is None or is_null(root):
        raise ConfigError([Problem(filename, 1, 1, "", _EMPTY)])
    if not isinstance(root, MappingNode):
        walk.error(root, "", f"expected a mapping with sources and dashboards, got {describe(root)}")
        raise ConfigError(walk.problems)
    report_tree_problems(walk, root)
    config = _read_app(walk, root)
    walk.check_references()
    if walk.problems:
        raise ConfigError(sorted(walk.problems, key=lambda p: (p.line, p.column)))
    return config


def _read_app(walk: Walk, root: MappingNode) -> AppConfig:
    # top-level keys starting with "x-" are free, e.g. to hold YAML anchors reused below
    extensions = [str(key.value).lower() for key, _ in root.value if str(key.value).startswith("x-")]
    top = MapReader(walk, root, "", _TOP_KEYS, tolerated=extensions)
    version = top.integer("version", 1)
    if version is not None and version != 1:
        walk.error(top.nodes["version"], "version", f"unsupported config version {version}; expected 1")
    mode = top.choice("mode", [m.value for m in Mode], "wall")
    theme = top.choice("theme", THEME_NAMES, "dark")
    stale = top.number("stale_after_intervals", 3.0, minimum=1.0, maximum=MAX_STALE_INTERVALS)
    sources = read_sources(walk, top)
    slos = read_slos(walk, top, sources)
    written = read_dashboard_sources(walk, top)
    dashboards = bind_slo_panels(tuple(with_variables(dash, defs) for dash, defs in written), slos)
    # Playlist items with other variable values add dashboards of their own (config.playlist_section).
    playlists, variants = read_playlists(walk, top, {dash.id: (dash, defs) for dash, defs in written})
    playlists += page_playlists(dashboards)
    dashboards += bind_slo_panels(variants, slos)
    display = read_display(walk, top)
    screens = read_screens(walk, top, display)
    if not screens and dashboards:
        screens = (default_screen(dashboards),)
    default_title = dashboards[0].title if dashboards else "noc-app"
    notifications = read_notifications(walk, top)
    check_channel_references(walk, top, notifications)
    severity_levels = read_severity_policy(walk, top)
    return AppConfig(
        path=walk.filename,
        title=top.text("title", default_title) or default_title,
        mode=Mode(mode or "wall"),
        theme=theme or "dark",
        sources=sources,
        dashboards=dashboards,
        playlists=playlists,
        screens=screens,
        operator=_read_operator(walk, top),
        severity_levels=severity_levels,
        actions=read_actions(walk, top),
        state=read_state(walk, top),
        incidents=read_incidents(walk, top),
        notifications=notifications,
        automation=read_automation(walk, top),
        slos=slos,
        sla=read_sla(walk, top),
        reports=read_reports(walk, top),
        attention=read_attention(walk, top, severity_levels),
        noise=read_noise(walk, top),
        takeover=read_takeover(walk, top, severity_levels, screens),
        kiosk=read_kiosk(walk, top, tuple(d.id for d in dashboards)),
        heartbeat=read_heartbeat(walk, top, sources),
        display=display,
        stale_after_intervals=stale if stale is not None else 3.0,
    )


OPERATOR_ROLES = ("viewer", "operator", "lead")


def _read_operator(walk: Walk, top: MapReader) -> OperatorConfig:
    node = top.sub_mapping("operator")
    if node is None:
        return OperatorConfig()
    operator = MapReader(walk, node, top.sub("operator"), ("name", "email", "role"))
    return OperatorConfig(
        name=operator.text("name", "") or "",
        email=operator.text("email", "") or "",
        role=operator.choice("role", OPERATOR_ROLES, "operator") or "operator",
    )


def _syntax_problem(filename: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or "invalid YAML"
    if exc.context:
        context_line = f" at line {exc.context_mark.line + 1}" if exc.context_mark is not None else ""
        message = f"{exc.context}{context_line}, {message}"
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(filename, line, column, "", f"YAML syntax error: {message}")
