"""`noc-app incidents ...` and `noc-app outbox ...`: operator actions for scripts and ChatOps.

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
import json
import sys
import time
from collections.abc import Mapping
from typing import Any

from noc_app.actions.errors import ActionError, InvalidRequest
from noc_app.actions.model import (
    COMMENT_REQUIRED,
    ActionKind,
    ActionOutcome,
    ActionRequest,
    IncidentKey,
    OutcomeStatus,
)
from noc_app.actions.raised import RAISED_SOURCE_ID
from noc_app.actions.wiring import (
    EXIT_DONE,
    EXIT_FAILED,
    EXIT_QUEUED,
    EXIT_REFUSED,
    ActionParts,
    exit_code,
    raised_in_state,
)
from noc_app.config.schema import AppConfig, Mode
from noc_app.model import Alert

INCIDENT_KINDS = ("alertmanager", "demo", "pagerduty", "opsgenie")  # sources whose snapshots hold incidents
ACTION_COMMANDS = (
    ("ack", "acknowledge"), ("unack", "take an acknowledgement back"), ("note", "add a note"),
    ("escalate", "escalate (the next level, or --level N); needs --comment"),
    ("resolve", "resolve the incident at its backend; needs --comment"),
)
MAX_LEVEL = 20
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class CliRefused(Exception):
    """Bad usage or an unknown incident: printed as one line, exit 2."""


# -- parsers ------------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser) -> None:
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
    _common(listing)
    listing.add_argument("--json", action="store_true", help="the snapshot's incident objects, with a key each")
    for name, what in ACTION_COMMANDS:
        p = sub.add_parser(name, help=what)
        _common(p)
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

    add_runbook_parser(sub, _common, _label)
    return parser


def build_outbox_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="noc-app outbox", description="Actions not delivered yet.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="list|flush|cancel")
    listing = sub.add_parser("list", help="pending actions")
    _common(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per pending action")
    _common(sub.add_parser("flush", help="try to deliver every pending action now"))
    cancel = sub.add_parser("cancel", help="take a pending action out of the outbox")
    _common(cancel)
    cancel.add_argument("request_id", metavar="ID", help="the request id `outbox list` prints")
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


def run_outbox(args: argparse.Namespace, config: AppConfig) -> int:
    parts = _parts(config, args.claimed_name)
    try:
        if args.command == "list":
            return _outbox_list(parts, as_json=args.json)
        if args.command == "flush":
            return _outbox_flush(parts)
        return _outbox_cancel(parts, args.request_id)
    finally:
        parts.close()


def poll_incidents(
    config: AppConfig, *, raised: bool | None = None
) -> tuple[dict[str, tuple[Alert, ...]], dict[str, str]]:
    """Poll every incident source once: alerts per source, and the error of each source that failed.

    raised: also read the raised incidents of the state database (source RAISED_SOURCE_ID);
    None: when the config keeps them there (no writable Alertmanager).
    """
    from noc_app.actions.wiring import raised_in_state
    from noc_app.plans import build_plans
    from noc_app.sources.base import SourceError
    from noc_app.sources.registry import create_source

    plans = build_plans(config)
    alerts: dict[str, tuple[Alert, ...]] = {}
    errors: dict[str, str] = {}
    for sc in config.sources:
        if sc.kind not in INCIDENT_KINDS:
            continue
        try:
            source = create_source(sc, plans[sc.id])
        except SourceError as exc:
            errors[sc.id] = str(exc)
            continue
        try:
            snapshot = source.poll()
            if snapshot.alerts is None:
                errors[sc.id] = snapshot.errors.get("alerts", "no alerts in the answer")
            else:
                alerts[sc.id] = snapshot.alerts
        except SourceError as exc:
            errors[sc.id] = str(exc)
        finally:
            source.close()
    if raised if raised is not None else raised_in_state(config):
        _poll_raised(config, alerts, errors)
    return alerts, errors


def _poll_raised(config: AppConfig, alerts: dict[str, tuple[Alert, ...]], errors: dict[str, str]) -> None:
    """The raised incidents kept in the state database, read the way the wall's RaisedSource reads them."""
    from noc_app.actions.raised_source import RaisedSource
    from noc_app.actions.wiring import open_state
    from noc_app.sources.base import SourceError

    try:
        journal = open_state(config)
    except ImportError:
        raise
    except Exception as exc:  # a missing secret, the database down
        errors[RAISED_SOURCE_ID] = f"cannot open the state database: {exc}"
        return
    try:
        snapshot = RaisedSource(journal).poll()
        alerts[RAISED_SOURCE_ID] = snapshot.alerts or ()
    except SourceError as exc:
        errors[RAISED_SOURCE_ID] = str(exc)
    finally:
        journal.close()


def _act(args: argparse.Namespace, config: AppConfig) -> int:
    from noc_app.actions.execute import execute
    from noc_app.actions.upkeep import policy_context
    from noc_app.actions.wiring import NoBackend

    kind = ActionKind(args.command)
    if kind in COMMENT_REQUIRED and kind is not ActionKind.NOTE and not (args.comment or "").strip():
        raise CliRefused(f"{kind.value} needs --comment TEXT (it goes into the audit and the backend)")
    source_id, fingerprint, seen = _resolve_key(args.key, config)
    alert, unreachable = seen if seen is not None else _find(config, source_id, fingerprint)
    labels = _labels(alert, dict(args.match), unreachable, args.key, note=kind is ActionKind.NOTE)
    parts = _parts(config, args.claimed_name)
    try:
        request = _request(args, kind, parts, IncidentKey(source_id=source_id, fingerprint=fingerprint), labels)
        backend = parts.backends.get(source_id) or NoBackend(source_id)
        asks_holder = alert is not None and kind in (ActionKind.ACK, ActionKind.UNACK)
        holder = _ack_holder(backend, labels) if asks_holder else None
        policy = policy_context(config, request, alert, mode=Mode.OPERATOR, acknowledged_by=holder)
        if alert is None and unreachable:
            policy = _unknown_state(policy)
        outcome = execute(request, backend, parts.journal, policy=policy)
    finally:
        parts.close()
    _print_outcome(kind.value, f"{source_id}/{fingerprint}", request.request_id, outcome)
    return exit_code(outcome)


# -- helpers ----------------------------------------------------------------------------------


def _parts(config: AppConfig, claimed_name: str | None) -> ActionParts:
    from noc_app.actions.wiring import build_parts
    from noc_app.redaction import redact

    try:
        return build_parts(config, claimed_name=claimed_name)
    except InvalidRequest as exc:
        raise CliRefused(str(exc)) from exc
    except ImportError:
        raise
    except Exception as exc:  # a missing secret, the database down
        raise CliStateError(f"cannot open the state database: {redact(str(exc))}") from exc


class CliStateError(Exception):
    """The state database cannot be opened: nothing was recorded, nothing was sent (exit 1)."""


def _key(alert: Alert) -> str:
    return f"{alert.source_id}/{alert.fingerprint}"


def _resolve_key(key: str, config: AppConfig) -> tuple[str, str, tuple[Alert | None, bool] | None]:
    """(source, fingerprint, what the sources said when they were polled to find it, else None).

    SOURCE/FINGERPRINT names the incident; a bare fingerprint is looked up in every incident
    source and must be found in exactly one (or the config has only one incident source).
    """
    if "/" in key:
        return (*_split_key(key, config), None)
    fingerprint = key.strip()
    if not fingerprint:
        raise CliRefused("an incident needs a fingerprint (see `noc-app incidents list`)")
    candidates = [s.id for s in config.sources if s.kind in INCIDENT_KINDS]
    if raised_in_state(config):
        candidates.append(RAISED_SOURCE_ID)
    if len(candidates) == 1:
        return candidates[0], fingerprint, None
    alerts, errors = poll_incidents(config)
    holders = [sid for sid, found in alerts.items() if any(a.fingerprint == fingerprint for a in found)]
    if len(holders) == 1:
        found_alert = next(a for a in alerts[holders[0]] if a.fingerprint == fingerprint)
        return holders[0], fingerprint, (found_alert, False)
    if holders:
        raise CliRefused(f"fingerprint {fingerprint!r:.80} is in {', '.join(sorted(holders))}: "
                         "write SOURCE/FINGERPRINT")
    unreachable = f" ({', '.join(sorted(errors))} could not be asked)" if errors else ""
    raise CliRefused(f"no incident with fingerprint {fingerprint!r:.80}{unreachable}: write SOURCE/FINGERPRINT "
                     "(see `noc-app incidents list`)")


def _split_key(key: str, config: AppConfig) -> tuple[str, str]:
    source_id, sep, fingerprint = key.partition("/")
    if not sep or not source_id or not fingerprint:
        raise CliRefused(f"incident key {key!r:.80} is not SOURCE/FINGERPRINT (see `noc-app incidents list`)")
    if source_id not in {s.id for s in config.sources} and not (
            source_id == RAISED_SOURCE_ID and raised_in_state(config)):
        raise CliRefused(f"incident key {key!r:.80}: no source {source_id!r} in {config.path}")
    return source_id, fingerprint


def _find(config: AppConfig, source_id: str, fingerprint: str) -> tuple[Alert | None, bool]:
    """The incident as its source reports it now, and whether the source could not be asked."""
    import dataclasses

    only = dataclasses.replace(config, sources=tuple(s for s in config.sources if s.id == source_id))
    alerts, errors = poll_incidents(only, raised=source_id == RAISED_SOURCE_ID and raised_in_state(config))
    found = next((a for a in alerts.get(source_id, ()) if a.fingerprint == fingerprint), None)
    return found, source_id in errors


def _labels(
    alert: Alert | None, given: Mapping[str, str], unreachable: bool, key: str, *, note: bool
) -> dict[str, str]:
    if alert is not None:
        wrong = sorted(name for name, value in given.items() if alert.labels.get(name) != value)
        if wrong:
            raise CliRefused(f"{key}: --match {', '.join(wrong)} does not match the incident's labels")
        return dict(alert.labels)
    if note:  # a note needs no labels: resolved incidents keep a history too
        return dict(given)
    if not unreachable:
        raise CliRefused(f"{key}: no such incident now (resolved, or a wrong key; see `noc-app incidents list`)")
    if "alertname" not in given:
        raise CliRefused(f"{key}: its source cannot be reached; give the incident's labels with "
                         "--match alertname=NAME --match LABEL=VALUE ... to queue the action")
    return dict(given)


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


def _unknown_state(policy: Any) -> Any:
    """The source is unreachable: the incident's state is unknown; the backend's own checks decide on delivery."""
    import dataclasses

    from noc_app.model import AlertState

    return dataclasses.replace(policy, state=AlertState.FIRING, acknowledged_by="")


def _print_outcome(what: str, subject: str, request_id: str, outcome: ActionOutcome) -> None:
    from noc_app.redaction import redact

    line = f"{what} {subject}: {outcome.status.value} — {redact(outcome.message)} (request {request_id})"
    if outcome.status is OutcomeStatus.QUEUED:
        line += "; queued in the outbox: `noc-app outbox flush` or a running operator app delivers it"
    print(line, file=sys.stdout if outcome.status is OutcomeStatus.DONE else sys.stderr)


def _outbox_list(parts: ActionParts, *, as_json: bool) -> int:
    rows = parts.journal.pending()
    items = []
    for row in rows:
        outcome = row.outcome or {}
        items.append({
            "id": row.request_id, "kind": row.kind, "source": row.source_id,
            "incident": f"{row.source_id}/{row.payload.get('fingerprint', '')}",
            "operator": (row.payload.get("operator") or {}).get("name", ""),
            "attempts": row.attempts, "next_attempt_at": _iso(row.next_attempt_at),
            "leased_by": row.lease_owner if row.lease_until and row.lease_until > time.time() else None,
            "last_error": str(outcome.get("message", "")),
        })
    if as_json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
        return EXIT_DONE
    for item in items:
        leased = f"  in flight at {item['leased_by']}" if item["leased_by"] else ""
        print(f"{item['id']}  {item['kind']}  {item['incident']}  by {item['operator']}  "
              f"attempts {item['attempts']}  next {item['next_attempt_at']}{leased}  {item['last_error']}")
    if not items:
        print("outbox empty")
    return EXIT_DONE


def _outbox_flush(parts: ActionParts) -> int:
    from noc_app.actions.execute import flush_outbox

    outcomes = flush_outbox(parts.backends, parts.journal)
    for outcome in outcomes:
        _print_outcome("deliver", outcome.request_id, outcome.request_id, outcome)
    if not outcomes:
        print("nothing to deliver")
    codes = {exit_code(o) for o in outcomes}
    for code in (EXIT_FAILED, EXIT_REFUSED, EXIT_QUEUED):
        if code in codes:
            return code
    return EXIT_DONE


def _outbox_cancel(parts: ActionParts, request_id: str) -> int:
    from noc_app.state.records import AuditEntry

    row = parts.journal.get(request_id)
    if row is None:
        print(f"noc-app: no action {request_id!r:.60} in the outbox", file=sys.stderr)
        return EXIT_REFUSED
    now = time.time()
    if not parts.journal.cancel(request_id, now=now):
        state = "being delivered" if row.state.value == "pending" else row.state.value
        print(f"noc-app: {request_id} cannot be cancelled: it is {state}", file=sys.stderr)
        return EXIT_REFUSED
    op = parts.operator
    parts.journal.append_audit(AuditEntry(
        at=now, actor=op.text, os_user=op.os_user, host=op.host, action=f"{row.kind} cancelled",
        request_id=request_id, subject=f"{row.source_id}/{row.payload.get('fingerprint', '')}", outcome="cancelled",
    ))
    print(f"cancelled {request_id}")
    return EXIT_DONE


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def exit_for_state_error(exc: CliStateError) -> int:
    print(f"noc-app: {exc}", file=sys.stderr)
    return EXIT_FAILED
