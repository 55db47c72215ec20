"""`noc-app outbox list|flush|cancel`: the actions not delivered yet (the journal's pending rows)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from noc_app.actions.wiring import EXIT_DONE, EXIT_FAILED, EXIT_QUEUED, EXIT_REFUSED, ActionParts, exit_code
from noc_app.cli_actions import add_common_options
from noc_app.cli_incident_lookup import open_parts, print_outcome
from noc_app.config.schema import AppConfig


def build_outbox_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="noc-app outbox", description="Actions not delivered yet.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="list|flush|cancel")
    listing = sub.add_parser("list", help="pending actions")
    add_common_options(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per pending action")
    add_common_options(sub.add_parser("flush", help="try to deliver every pending action now"))
    cancel = sub.add_parser("cancel", help="take a pending action out of the outbox")
    add_common_options(cancel)
    cancel.add_argument("request_id", metavar="ID", help="the request id `outbox list` prints")
    return parser


def run_outbox(args: argparse.Namespace, config: AppConfig) -> int:
    parts = open_parts(config, args.claimed_name)
    try:
        if args.command == "list":
            return _outbox_list(parts, as_json=args.json)
        if args.command == "flush":
            return _outbox_flush(parts)
        return _outbox_cancel(parts, args.request_id)
    finally:
        parts.close()


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
        print_outcome("deliver", outcome.request_id, outcome.request_id, outcome)
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
