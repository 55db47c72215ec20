"""`noc-app incidents ...`: operator actions for scripts and ChatOps (`outbox`: noc_app/cli_outbox.py).

The same path as the wall's actions: policy, journal before the network, the
backend, the audit (noc_app.actions.execute).  The command line acts as an
operator whatever the config's `mode` says (that mode is the wall's).
`incidents escalate|resolve` need --comment (the audit says why); a backend that
cannot do it (Alertmanager cannot escalate or resolve) is refused with the
policy's reason.  `incidents list --json` says, per incident, what the operator
may do and where else (another backend) the same problem is.

Exit status: 0 done, 3 queued in the outbox (the backend is unreachable; the next
`outbox flush` or any running operator app of the room delivers it), 2 refused
(policy, an invalid request, the backend said no, bad usage), 1 failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from noc_app.actions.errors import ActionError, InvalidRequest
from noc_app.actions.model import (
    COMMENT_REQUIRED,
    ActionKind,
    ActionRequest,
    IncidentKey,
)
from noc_app.actions.wiring import (
    EXIT_REFUSED,
    ActionParts,
    exit_code,
)
from noc_app.cli_incident_lookup import (
    CliRefused,
    locate_incident,
    open_parts,
    print_outcome,
)
from noc_app.config.schema import AppConfig, Mode

ACTION_COMMANDS = (
    ("ack", "acknowledge"), ("unack", "take an acknowledgement back"), ("note", "add a note"),
    ("escalate", "escalate (the next level, or --level N); needs --comment"),
    ("resolve", "resolve the incident at its backend; needs --comment"),
)
MAX_LEVEL = 20
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


# -- parsers ------------------------------------------------------------------------------


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", metavar="FILE", help="wall config (YAML); default: the built-in demo")
    parser.add_argument("--as", dest="claimed_name", metavar="NAME",
                        help="act under this name (recorded as claimed, beside your OS user)")
    parser.add_argument("--log-level", default="WARNING", choices=_LEVELS)


def _label(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"invalid label value: {text!r} (expected name=value)")
    return name.strip(), value


def _duration(text: str) -> float:
    from noc_app.config.durations import DurationError, parse_duration

    try:
        return float(parse_duration(text))
    except (DurationError, TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"invalid duration value: {text!r} (expected e.g. 30m, 2h, 1d)") from None


def _level(text: str) -> int:
    try:
        level = int(text)
    except ValueError:
        level = 0
    if not 1 <= level <= MAX_LEVEL:
        raise argparse.ArgumentTypeError(f"invalid level value: {text!r} (expected a whole number 1..{MAX_LEVEL})")
    return level


def build_incidents_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="noc-app incidents", description="List incidents and act on them.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="list|ack|unack|note|escalate|resolve")
    listing = sub.add_parser("list", help="poll the incident sources once and list their incidents with keys")
    add_common_options(listing)
    listing.add_argument("--json", action="store_true", help="the snapshot's incident objects, with a key each")
    for name, what in ACTION_COMMANDS:
        p = sub.add_parser(name, help=what)
        add_common_options(p)
        p.add_argument("key", metavar="FINGERPRINT",
                       help="the incident's fingerprint (SOURCE/FINGERPRINT when it is not unique across sources)")
        if name == "note":
            p.add_argument("text", metavar="TEXT", nargs="?", default=None, help="the note (or --comment TEXT)")
        p.add_argument("--comment", "--reason", dest="comment", default=None, metavar="TEXT",
                       help="the note, or why (goes into the silence comment and the audit)")
        p.add_argument("--match", action="append", type=_label, default=[], metavar="LABEL=VALUE",
                       help="the incident's labels, for when its source cannot be reached (repeatable)")
        if name == "escalate":
            p.add_argument("--level", type=_level, default=None, metavar="N",
                           help="the escalation level to go to (default: the next one)")
        if name == "ack":
            how = p.add_mutually_exclusive_group()
            how.add_argument("--duration", type=_duration, metavar="DURATION", help="ack for this long (e.g. 2h)")
            how.add_argument("--until-resolved", action="store_true",
                             help="ack until the incident resolves (the default)")
    from noc_app.cli_runbooks import add_runbook_parser

    add_runbook_parser(sub, add_common_options, _label)
    return parser


# -- commands -------------------------------------------------------------------------------


def run_incidents(args: argparse.Namespace, config: AppConfig) -> int:
    try:
        if args.command == "list":
            from noc_app.cli_list import list_incidents

            return list_incidents(config, as_json=args.json, claimed_name=args.claimed_name)
        if args.command == "run-runbook":
            from noc_app.cli_runbooks import run_runbook

            return run_runbook(args, config)
        return _act(args, config)
    except CliRefused as exc:
        print(f"noc-app: {exc}", file=sys.stderr)
        return EXIT_REFUSED


def _act(args: argparse.Namespace, config: AppConfig) -> int:
    from noc_app.actions.execute import execute
    from noc_app.actions.upkeep import policy_context
    from noc_app.actions.wiring import NoBackend

    kind = ActionKind(args.command)
    if kind in COMMENT_REQUIRED and kind is not ActionKind.NOTE and not (args.comment or "").strip():
        raise CliRefused(f"{kind.value} needs --comment TEXT (it goes into the audit and the backend)")
    incident = locate_incident(config, args.key, dict(args.match), note=kind is ActionKind.NOTE)
    parts = open_parts(config, args.claimed_name)
    try:
        request = _request(args, kind, parts, incident.key, incident.labels)
        backend = parts.backends.get(incident.source_id) or NoBackend(incident.source_id)
        asks_holder = incident.alert is not None and kind in (ActionKind.ACK, ActionKind.UNACK)
        holder = _ack_holder(backend, incident.labels) if asks_holder else None
        policy = policy_context(config, request, incident.alert, mode=Mode.OPERATOR, acknowledged_by=holder)
        outcome = execute(request, backend, parts.journal, policy=incident.policy_for(policy))
    finally:
        parts.close()
    print_outcome(kind.value, incident.subject, request.request_id, outcome)
    return exit_code(outcome)


def _request(args: argparse.Namespace, kind: ActionKind, parts: ActionParts, incident: IncidentKey,
             labels: Mapping[str, str]) -> ActionRequest:
    comment = args.comment or ""
    if kind is ActionKind.NOTE:
        if args.text is not None and args.comment is not None:
            raise CliRefused("give the note once: as TEXT or with --comment")
        comment = args.text if args.text is not None else comment
    duration = getattr(args, "duration", None)
    try:
        return ActionRequest(kind=kind, incident=incident, operator=parts.operator, comment=comment, labels=labels,
                             until_resolved=duration is None, duration_s=duration,
                             escalation_level=getattr(args, "level", None))
    except InvalidRequest as exc:
        raise CliRefused(str(exc)) from exc


def _ack_holder(backend: object, labels: Mapping[str, str]) -> str | None:
    """Who holds the ack, asked of the backend itself (the snapshot may not say); None when unknown."""
    holder = getattr(backend, "ack_holder", None)
    if holder is None:
        return None
    try:
        return str(holder(labels))
    except ActionError:
        return None


