"""`noc-app report sla|handover|incident ... --config FILE --out DIR`: reports as PDF, HTML and CSV.

    noc-app report sla --config shop.yaml --out reports/ [--month 2026-04] [--service api]
    noc-app report handover --config shop.yaml --out reports/ [--hours 8]
    noc-app report incident am/0f3a9c1d2e4b5a6f --config shop.yaml --out reports/ [--panel p95]
    noc-app report kpis --config shop.yaml [--json]      (prints the executive KPIs; writes no file)

Prints the files written, one a line.  Exit 0 when written, 1 when the report could not be
made (state database unreadable, unknown incident) or an SLA service's figures could not be read
(the files are still written, saying so), 2 for a usage or config problem.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from noc_app.redaction import redact

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SMTP_PASSWORD_ENV = "NOC_SMTP_PASSWORD"
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _month(text: str) -> tuple[int, int]:
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM (e.g. 2026-04), got {text!r}")
    return int(match.group(1)), int(match.group(2))


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")  # refused below
    if not 0 < value <= 24 * 31:
        raise argparse.ArgumentTypeError(f"expected hours between 0 and 744, got {text!r}")
    return value


def build_report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="noc-app report", description="Write a report as PDF, HTML and CSV.")
    kinds = parser.add_subparsers(dest="report", required=True, metavar="sla|handover|incident|kpis")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", "-c", metavar="FILE", required=True, help="wall config (YAML)")
        p.add_argument("--out", metavar="DIR", required=True, help="folder for the files (created if missing)")
        p.add_argument("--time-zone", metavar="ZONE", help="IANA time zone for dates (default: sla.time_zone)")
        p.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
        p.add_argument("--mail-to", action="append", default=[], metavar="ADDR",
                       help="also e-mail the PDF and CSVs to this address (repeatable; default: no mail)")
        p.add_argument("--mail-from", metavar="ADDR", help="sender address (default: noc-app@HOSTNAME)")
        p.add_argument("--smtp", default="localhost:25", metavar="HOST[:PORT]",
                       help="SMTP server (default localhost:25)")
        p.add_argument("--smtp-user", metavar="USER",
                       help=f"log in as USER; the password comes from ${SMTP_PASSWORD_ENV} (only sent over STARTTLS)")

    sla = kinds.add_parser("sla", help="monthly SLA report per service")
    common(sla)
    sla.add_argument("--month", type=_month, metavar="YYYY-MM", help="the month (default: the previous one)")
    sla.add_argument("--service", action="append", default=[], metavar="ID", help="only this service (repeatable)")
    sla.add_argument("--no-incidents", action="store_true", help="leave the state database out")
    handover = kinds.add_parser("handover", help="shift handover for the last N hours")
    common(handover)
    handover.add_argument("--hours", type=_hours, default=8.0, metavar="N", help="the shift's length (default 8)")
    incident = kinds.add_parser("incident", help="post-incident report for one incident")
    common(incident)
    incident.add_argument("incident", metavar="SOURCE/FINGERPRINT", help="e.g. am/0f3a9c1d2e4b5a6f")
    incident.add_argument("--panel", action="append", default=[], metavar="ID",
                          help="metric panel to include (repeatable; default: every prometheus metric panel)")
    kpis = kinds.add_parser("kpis", help="print the executive KPIs (SLOs, active incidents, MTTR this month)")
    kpis.add_argument("--config", "-c", metavar="FILE", required=True, help="wall config (YAML)")
    kpis.add_argument("--json", action="store_true", help="print the snapshot's `kpis` object as JSON")
    kpis.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    return parser


def run_kpis(args: argparse.Namespace) -> int:
    """`report kpis`: poll the SLOs' and incident sources once, read the history, print (no Qt)."""
    import json

    from noc_app.config.loader import load_config
    from noc_app.reports.kpi_inputs import fetch_kpis
    from noc_app.reports.kpis import kpi_lines, kpis_json

    config = load_config(args.config)
    kpis = fetch_kpis(config, now=time.time())
    if args.json:
        print(json.dumps(kpis_json(kpis), indent=2, ensure_ascii=False))
    else:
        for line in kpi_lines(kpis):
            print(line)
    return EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    """Run a parsed `report` command; config errors propagate (the caller prints them, exit 2)."""
    import zoneinfo

    from noc_app.actions.model import IncidentKey
    from noc_app.actions.wiring import open_state
    from noc_app.config.loader import load_config
    from noc_app.reports.data import RangeReader
    from noc_app.reports.document import ensure_gui_app

    if args.report == "kpis":
        return run_kpis(args)
    config = load_config(args.config)
    zone = args.time_zone or config.sla.time_zone
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        print(f"noc-app report: unknown time zone {zone!r}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    now = time.time()
    readers: dict[str, RangeReader] = {}

    def reader_for(source_id: str) -> RangeReader:
        if source_id not in readers:
            readers[source_id] = RangeReader(config.source(source_id))
        return readers[source_id]

    ensure_gui_app()
    journal = None
    status = EXIT_OK
    try:
        if args.report == "sla":
            from noc_app.reports.sla import month_period, previous_month
            from noc_app.reports.sla_render import render_sla
            from noc_app.reports.sla_report import build_sla_report

            unknown = [s for s in args.service if s not in {c.id for c in config.sla.services}]
            if unknown or not config.sla.services:
                missing = ", ".join(unknown) or "(sla.services is empty)"
                print(f"noc-app report: {args.config}: no sla service {missing}", file=sys.stderr)
                return EXIT_USAGE
            year, month = args.month or previous_month(now, zone)
            period = month_period(year, month, zone)
            journal = None if args.no_incidents else open_state(config)
            report = build_sla_report(config, period, reader_for=reader_for, journal=journal, now=now,
                                      services=args.service)
            paths = render_sla(report).write(out, f"sla-{year:04d}-{month:02d}")
            print(f"computed in {report.compute_s:.2f} s", file=sys.stderr)
            for failed in (m for m in report.services if m.error):
                print(f"noc-app report: {failed.service.id}: {failed.error}", file=sys.stderr)
                status = EXIT_FAILED  # written, but without that service's figures
        elif args.report == "handover":
            from noc_app.reports.handover import handover_document
            from noc_app.reports.timing import targets_from

            journal = open_state(config)
            doc = handover_document(journal, since=now - args.hours * 3600, now=now, title=config.title,
                                    time_zone=zone, targets=targets_from(config.severity_levels))
            stamp = time.strftime("%Y%m%d-%H%M", time.gmtime(now))
            paths = doc.write(out, f"handover-{stamp}")
        else:
            from noc_app.reports.incident_report import incident_document

            source_id, _, fingerprint = args.incident.partition("/")
            if not source_id or not fingerprint:
                print(f"noc-app report: expected SOURCE/FINGERPRINT, got {args.incident!r}", file=sys.stderr)
                return EXIT_USAGE
            journal = open_state(config)
            doc = incident_document(config, journal, IncidentKey(source_id=source_id, fingerprint=fingerprint),
                                    reader_for=reader_for, now=now, panels=args.panel, time_zone=zone)
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{source_id}-{fingerprint}")[:80]
            paths = doc.write(out, f"incident-{safe}")
    except LookupError as exc:
        print(f"noc-app report: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # the database or a backend failed: say what, never a traceback
        print(f"noc-app report: {redact(f'{type(exc).__name__}: {exc}')}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        for reader in readers.values():
            reader.close()
        if journal is not None:
            journal.close()
    for path in paths:
        print(path)
    if args.mail_to:
        return _mail(args, paths, config.title) or status
    return status


def _mail(args: argparse.Namespace, paths: list[Path], title: str) -> int:
    """E-mail the PDF and CSVs; 0 when sent, EXIT_FAILED (one line on stderr) when not."""
    import dataclasses
    import socket

    from noc_app.config.schema import SecretRef
    from noc_app.config.secrets import SecretUnavailable, resolve_secret
    from noc_app.reports.mail import MailError, build_message, parse_server, send

    try:
        server = parse_server(args.smtp)
    except ValueError as exc:
        print(f"noc-app report: --smtp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    password = None
    try:
        if args.smtp_user:
            server = dataclasses.replace(server, user=args.smtp_user)
            password = resolve_secret(SecretRef(env=SMTP_PASSWORD_ENV), where="--smtp-user", spaces_allowed=True)
        attachments = [p for p in paths if p.suffix in (".pdf", ".csv")]
        message = build_message(
            subject=f"{paths[0].stem} — {title}", sender=args.mail_from or f"noc-app@{socket.gethostname()}",
            to=args.mail_to, body="The report is attached:\n" + "\n".join(p.name for p in attachments) + "\n",
            attachments=attachments)
        send(message, server, password=password)
    except (MailError, SecretUnavailable, OSError) as exc:
        print(f"noc-app report: mail not sent: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    print(f"mailed to {', '.join(args.mail_to)}", file=sys.stderr)
    return EXIT_OK
