"""`noc-app import-grafana DASHBOARD.json`: write a wall config and print the import report.

Also builds the in-memory config behind `noc-app --grafana DASHBOARD.json`.
Every problem is one clear message and exit status 2; the report lists every
panel converted or dropped and every option that did not carry over.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from noc_app.config.grafana_file import GrafanaFileError, read_grafana_json
from noc_app.config.grafana_import import GrafanaImportError, ImportResult, import_grafana, log_datasource_kind
from noc_app.config.grafana_pages import MIN_PANEL_PX, Page
from noc_app.config.grafana_yaml import SourcePlan, config_yaml, wall_pages
from noc_app.config.schema import AppConfig

EXIT_OK = 0
EXIT_PROBLEM = 2
DEFAULT_PROMETHEUS_URL = "http://localhost:9090"
DEFAULT_LOKI_URL = "http://localhost:3100"
DEFAULT_ELASTICSEARCH_URL = "http://localhost:9200"
PROMETHEUS_URL_ENV = "PROMETHEUS_URL"
LOG_URL_ENV = "LOGS_URL"


class GrafanaCliError(Exception):
    """A dashboard that cannot be imported; the message says why (no traceback)."""


def build_import_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="noc-app import-grafana",
        description="Convert a Grafana dashboard JSON into a wall config and report what was converted or dropped.",
    )
    p.add_argument("dashboard", metavar="DASHBOARD.json")
    p.add_argument("--out", metavar="FILE.yaml", help="config to write (default: DASHBOARD.yaml in this directory)")
    p.add_argument("--source", default="prom", metavar="ID", help="id of the Prometheus source (default prom)")
    p.add_argument("--source-url", metavar="URL",
                   help=f"its URL (default ${PROMETHEUS_URL_ENV} or {DEFAULT_PROMETHEUS_URL}: a placeholder)")
    p.add_argument("--log-source", metavar="ID",
                   help="id of the log source for Loki/Elasticsearch panels (default logs, declared when needed)")
    p.add_argument("--fit", choices=("screen", "scroll"), default="screen",
                   help="screen: pages by Grafana row in a playlist (walls, default); scroll: one operator view")
    return p


def run_import_grafana(argv: list[str]) -> int:
    args = build_import_parser().parse_args(argv)
    out = Path(args.out) if args.out else Path(Path(args.dashboard).stem + ".yaml")
    try:
        result, plan = _import(args.dashboard, args.source, args.source_url, args.log_source)
        text = config_yaml(result, plan, fit=args.fit, origin_name=Path(args.dashboard).name)
    except GrafanaCliError as exc:
        print(f"noc-app import-grafana: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    pages = wall_pages(result, args.fit)
    for line in report_lines(result, pages, args.fit):
        print(line)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"noc-app import-grafana: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return EXIT_PROBLEM
    from noc_app.config.loader import ConfigError, load_config

    try:
        load_config(out)
    except ConfigError as err:  # a bug in the import: say so, with every problem
        print(f"noc-app import-grafana: wrote {out}, but check-config rejects it:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_PROBLEM
    print(f"wrote {out} (check-config: OK)")
    return EXIT_OK


def report_lines(result: ImportResult, pages: tuple[Page, ...], fit: str) -> list[str]:
    """The report: one line per panel and dropped option, then pages and totals."""
    lines = list(result.report)
    converted = sum(1 for line in lines if line.startswith("converted "))
    dropped = sum(1 for line in lines if line.startswith("dropped panel "))
    options = sum(1 for line in lines if line.startswith("  dropped option "))
    if fit == "screen":
        for number, page in enumerate(pages, start=1):
            small = "" if page.smallest_px >= MIN_PANEL_PX else f" (under {MIN_PANEL_PX} px: a panel is too small)"
            lines.append(f"page {number}/{len(pages)} '{page.dashboard.title}': {len(page.dashboard.panels)} "
                         f"panels, {page.dashboard.rows} grid rows, smallest panel {page.smallest_px} px "
                         f"at 1080p{small}")
    else:
        lines.append(f"one scrolling dashboard: {len(result.dashboard.panels)} panels, "
                     f"{result.dashboard.rows} grid rows")
    unresolved = [v.name for v in result.dashboard.variable_defs if v.name not in result.dashboard.variables]
    if unresolved:
        lines.append("variables resolved from the source at start-up: " + ", ".join("$" + n for n in unresolved))
    lines.append(f"{converted} panel{'s' if converted != 1 else ''} converted, {dropped} dropped, "
                 f"{options} option{'s' if options != 1 else ''} dropped")
    return lines


def grafana_app_config(dashboard: str, source_url: str | None, *, fit: str = "screen") -> AppConfig:
    """The in-memory config of `noc-app --grafana DASHBOARD.json` (checked like a file)."""
    from noc_app.config.loader import load_config_text

    try:
        result, plan = _import(dashboard, "prom", source_url, None)
    except GrafanaCliError as exc:
        from noc_app.app import StartupError

        raise StartupError(str(exc)) from None
    text = config_yaml(result, plan, fit=fit, origin_name=Path(dashboard).name)
    return load_config_text(text, filename=f"{Path(dashboard).name} (imported)", base_dir=Path(dashboard).parent)


def _import(dashboard: str, source_id: str, source_url: str | None,
            log_source_id: str | None) -> tuple[ImportResult, SourcePlan]:
    try:
        data = read_grafana_json(dashboard)
        log_kind = log_datasource_kind(data)
        log_id = log_source_id or ("logs" if log_kind is not None else None)
        stem = "".join(c if c.isalnum() else "_" for c in Path(dashboard).stem.lower()).strip("_") or "grafana"
        result = import_grafana(data, dashboard_id=stem, source_id=source_id, origin=Path(dashboard).name,
                                log_source_id=log_id)
    except GrafanaFileError as exc:
        raise GrafanaCliError(f"{dashboard} {exc}") from None
    except GrafanaImportError as exc:
        raise GrafanaCliError(f"{dashboard}: {exc}") from None
    default_log = DEFAULT_ELASTICSEARCH_URL if log_kind == "elasticsearch" else DEFAULT_LOKI_URL
    plan = SourcePlan(
        source_id=source_id,
        url=source_url or os.environ.get(PROMETHEUS_URL_ENV) or DEFAULT_PROMETHEUS_URL,
        log_source_id=log_id, log_kind=log_kind or "loki",
        log_url=os.environ.get(LOG_URL_ENV) or default_log,
    )
    return result, plan
