"""Command line: `noc-app [options]` opens the wall; subcommands check, render, snapshot, bench.

Startup problems print one clear message (never a traceback) and exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from noc_app import __version__
from noc_app.cli_types import positive_seconds, screen_index, seconds, size
from noc_app.logging_setup import configure_logging

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USAGE = 2
SUBCOMMANDS = (
    "check-config", "screenshot", "snapshot", "bench", "incidents", "outbox", "automation", "import-grafana", "slo",
    "report", "kiosk-pin", "detect",
)


def _add_wall_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", metavar="FILE", help="wall config (YAML); default: the built-in demo wall")
    parser.add_argument("--dashboard", metavar="NAME", help="show this dashboard (id from the config)")
    parser.add_argument("--playlist", metavar="NAME", help="rotate through this playlist (id from the config)")
    parser.add_argument("--mode", choices=("wall", "operator", "kiosk"), help="override the config's mode")
    parser.add_argument("--theme", metavar="NAME", help="dark, light or high-contrast")
    parser.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    parser.add_argument("--grafana", metavar="DASHBOARD.json", help="open a Grafana dashboard (instead of --config)")
    parser.add_argument("--grafana-source", metavar="URL", help="its Prometheus (default $PROMETHEUS_URL or :9090)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="noc-app",
        description="NOC wall for Prometheus, Alertmanager and log backends. "
        "With no arguments it opens the built-in demo wall.",
        epilog="subcommands: check-config FILE | screenshot | snapshot | bench | incidents | outbox | automation | "
        "import-grafana | slo | report  "
        "(noc-app SUBCOMMAND --help)",
    )
    _add_wall_options(parser)
    parser.add_argument("--screen", type=screen_index, metavar="N", help="monitor to open on (0 = first)")
    parser.add_argument("--fullscreen", action="store_true", help="full screen (always on in kiosk mode)")
    parser.add_argument(
        "--exit-after", type=positive_seconds, metavar="SECONDS", help="quit after this long (smoke tests)"
    )
    parser.add_argument("--as", dest="claimed_name", metavar="NAME",
                        help="operator mode: act under this name (recorded as claimed, beside your OS user)")
    parser.add_argument("--version", action="version", version=f"noc-app {__version__}")
    return parser


def build_subparser(name: str) -> argparse.ArgumentParser:
    if name == "check-config":
        p = argparse.ArgumentParser(prog="noc-app check-config", description="Validate a config; print every problem.")
        p.add_argument("file", metavar="FILE")
        return p
    if name == "screenshot":
        p = argparse.ArgumentParser(
            prog="noc-app screenshot",
            description="Render the wall offscreen after it has polled, write a PNG, exit.",
        )
        _add_wall_options(p)
        p.add_argument("--size", type=size, default=(3840, 2160), help="WIDTHxHEIGHT (default 3840x2160)")
        p.add_argument(
            "--after", type=seconds, default=5.0, metavar="SECONDS", help="poll this long first (default 5)"
        )
        p.add_argument("--out", default="wall.png", metavar="FILE", help="PNG to write (default wall.png)")
        return p
    if name == "snapshot":
        p = argparse.ArgumentParser(
            prog="noc-app snapshot",
            description="Poll for a while without a screen and print the wall's state as JSON.",
        )
        p.add_argument("--config", "-c", metavar="FILE")
        p.add_argument("--after", type=seconds, default=5.0, metavar="SECONDS")
        p.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
        return p
    if name in ("incidents", "outbox"):
        from noc_app.cli_actions import build_incidents_parser
        from noc_app.cli_outbox import build_outbox_parser

        return build_incidents_parser() if name == "incidents" else build_outbox_parser()
    if name == "automation":
        from noc_app.cli_automation import build_automation_parser

        return build_automation_parser()
    if name == "import-grafana":
        from noc_app.cli_grafana import build_import_parser

        return build_import_parser()
    if name == "slo":
        from noc_app.cli_slo import build_slo_parser

        return build_slo_parser()
    if name == "report":
        from noc_app.cli_report import build_report_parser

        return build_report_parser()
    if name == "kiosk-pin":
        from noc_app.cli_kiosk import build_kiosk_pin_parser

        return build_kiosk_pin_parser()
    if name == "detect":
        from noc_app.cli_detect import build_detect_parser

        return build_detect_parser()
    from noc_app.bench.cli import build_bench_parser

    return build_bench_parser()


def _load(path: str | None):
    from noc_app.config.loader import load_builtin, load_config

    config = load_config(path) if path else load_builtin("demo")
    log.info(
        "config loaded: %s (sources: %d, dashboards: %d)", config.path, len(config.sources), len(config.dashboards)
    )
    return config


def _options(args: argparse.Namespace):
    from noc_app.app import LaunchOptions
    from noc_app.config.schema import Mode

    return LaunchOptions(
        dashboard=args.dashboard,
        playlist=args.playlist,
        mode=Mode(args.mode) if args.mode else None,
        screen=getattr(args, "screen", None),
        fullscreen=getattr(args, "fullscreen", False),
        theme=args.theme,
        exit_after_s=getattr(args, "exit_after", None),
        claimed_name=getattr(args, "claimed_name", None),
    )


def _load_wall(args: argparse.Namespace):
    if args.grafana:
        from noc_app.cli_grafana import grafana_app_config

        fit = "scroll" if args.mode == "operator" else "screen"
        return grafana_app_config(args.grafana, args.grafana_source, fit=fit)
    return _load(args.config)


def _dispatch(argv: list[str]) -> int:
    if argv[:1] == ["import-grafana"]:
        from noc_app.cli_grafana import run_import_grafana

        return run_import_grafana(argv[1:])
    if argv[:1] == ["slo"]:  # SLO tools (rules export, status): noc_app.cli_slo
        from noc_app.cli_slo import run_slo

        return run_slo(argv[1:])
    if argv and argv[0] in SUBCOMMANDS:
        name, rest = argv[0], argv[1:]
        args = build_subparser(name).parse_args(rest)
        configure_logging(getattr(args, "log_level", "WARNING"))
        if name == "check-config":
            return check_config(args.file)
        if name == "screenshot":
            from noc_app.app import take_screenshot

            return take_screenshot(_load_wall(args), _options(args), size=args.size, after_s=args.after, out=args.out)
        if name == "snapshot":
            from noc_app.app import print_snapshot

            return print_snapshot(_load(args.config), after_s=args.after)
        if name in ("incidents", "outbox"):
            return _run_actions(name, args)
        if name == "automation":
            from noc_app.cli_automation import run_automation

            return run_automation(args, _load(args.config))
        if name == "report":
            from noc_app.cli_report import run_report

            return run_report(args)
        if name == "kiosk-pin":
            from noc_app.cli_kiosk import run_kiosk_pin

            return run_kiosk_pin(args)
        if name == "detect":
            from noc_app.cli_detect import run_detect

            return run_detect(args)
        from noc_app.bench.cli import run_bench

        return run_bench(args)
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    from noc_app.app import run_wall

    if args.config and not args.grafana:  # the wall: a broken config falls back to its last good copy
        from noc_app.last_good import load_wall_config

        loaded = load_wall_config(args.config)
        return run_wall(loaded.config, _options(args), config_problem=loaded.problem)
    return run_wall(_load_wall(args), _options(args))


def _run_actions(name: str, args: argparse.Namespace) -> int:
    from noc_app.cli_actions import run_incidents
    from noc_app.cli_incident_lookup import CliStateError, exit_for_state_error
    from noc_app.cli_outbox import run_outbox

    try:
        if name == "incidents":
            return run_incidents(args, _load(args.config))
        return run_outbox(args, _load(args.config))
    except CliStateError as exc:
        return exit_for_state_error(exc)


def check_config(path: str) -> int:
    """Validate a config file; print every problem; exit 0 when clean, 2 otherwise."""
    from noc_app.config.loader import ConfigError, load_config

    try:
        config = load_config(path)
    except ConfigError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        count = len(err.problems)
        print(f"{path}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return EXIT_USAGE
    from noc_app.config.tree_checks import config_warnings

    for warning in config_warnings(config):  # allowed, probably not meant: said, and still OK
        print(warning, file=sys.stderr)
    panels = sum(len(d.panels) for d in config.dashboards)
    print(f"{path}: OK — {len(config.sources)} sources, {len(config.dashboards)} dashboards, {panels} panels")
    for dash in {d.page_of or d.id: d for d in config.dashboards if d.import_report}.values():
        print(f"import_grafana {dash.page_of or dash.id}:", *dash.import_report, sep="\n  ")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `noc-app` console script."""
    from noc_app.app import StartupError
    from noc_app.config.loader import ConfigError

    try:
        return _dispatch(list(sys.argv[1:] if argv is None else argv))
    except ConfigError as err:
        print(f"noc-app: config error:\n{err}", file=sys.stderr)
        return EXIT_USAGE
    except StartupError as err:
        print(f"noc-app: {err}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as err:
        if err.name is not None:  # a missing Python module is a packaging bug: show it in full
            raise
        # A missing shared library under Qt: name the packages that usually fix it.
        print(
            f"noc-app: cannot load a required library: {err}. On Debian/Ubuntu: "
            "apt-get install libegl1 libxkbcommon0 libfontconfig1 libgl1 fonts-dejavu-core",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except OSError as err:
        print(f"noc-app: {err}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
