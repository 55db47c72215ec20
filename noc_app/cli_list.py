"""`noc-app incidents list`: every incident source polled once, each incident with its key.

With --json each item is the snapshot's incident object (noc_app.wall_state.incident_entry)
plus `key` (what the action commands take), `duplicates` (the keys of the same problem
in other backends, under the config's `incidents.dedup_key`) and `allowed` (what the
operator running the command may do on it, as the policy decides for `incidents ACTION`).
"""

from __future__ import annotations

import json
import sys

from noc_app.actions.errors import InvalidRequest
from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator
from noc_app.actions.wiring import EXIT_DONE, EXIT_FAILED
from noc_app.cli_actions import ACTION_COMMANDS
from noc_app.cli_incident_lookup import CliRefused, incident_key_text, poll_incidents
from noc_app.config.schema import AppConfig, Mode
from noc_app.display_text import visible
from noc_app.model import Alert, AlertState

CLI_KINDS = frozenset(ActionKind(name) for name, _ in ACTION_COMMANDS)


def list_incidents(config: AppConfig, *, as_json: bool, claimed_name: str | None = None) -> int:
    from noc_app.actions.identity import current_operator
    from noc_app.redaction import redact
    from noc_app.wall_state import incident_entry

    alerts, errors = poll_incidents(config)
    for source_id, error in errors.items():
        print(f"noc-app: {source_id}: {redact(error)}", file=sys.stderr)
    found = [a for source_alerts in alerts.values() for a in source_alerts]
    duplicates = _duplicates(config, found)
    try:
        operator = current_operator(config.operator, claimed_name=claimed_name)
    except InvalidRequest as exc:
        raise CliRefused(str(exc)) from exc
    if as_json:
        print(json.dumps([{
            "key": incident_key_text(a), **incident_entry(a, duplicates.get(incident_key_text(a), ())),
            "duplicates": [incident_key_text(d) for d in duplicates.get(incident_key_text(a), ())],
            "allowed": _allowed(config, operator, a),
        } for a in found], indent=2, ensure_ascii=False))
    else:
        for a in found:
            acked = f" acked by {a.acknowledged_by}" if a.acknowledged_by else ""
            oncall = f" on call {a.oncall}" if a.oncall else ""
            summary = f" — {a.summary}" if a.summary else ""
            others = [incident_key_text(d) for d in duplicates.get(incident_key_text(a), ())]
            also = f"  (also {', '.join(others)})" if others else ""
            # Backend text: controls made visible, never sent to the terminal as they are.
            key = incident_key_text(a)
            print(visible(f"{key}  {a.severity.priority}  {a.state.value}{acked}{oncall}  {a.name}{summary}{also}"))
        if not found:
            print("no incidents")
    return EXIT_FAILED if errors and not alerts else EXIT_DONE


def _duplicates(config: AppConfig, found: list[Alert]) -> dict[str, list[Alert]]:
    """Per incident key, the same problem in other backends (config `incidents.dedup_key`).

    Decided by the incidents selector's rule, over the sources in config order, as a board showing
    them all would merge them.
    """
    from noc_app.selectors_dedup import merge_duplicates
    from noc_app.selectors_incidents import alert_sort_key

    rule = config.incidents.dedup_key
    if not rule:
        return {}
    unresolved = [a for a in found if a.state is not AlertState.RESOLVED]
    _, members = merge_duplicates(unresolved, rule, alert_sort_key)
    out: dict[str, list[Alert]] = {}
    for group in members.values():
        for member in group:
            out[incident_key_text(member)] = [m for m in group if m is not member]
    return out


def _allowed(config: AppConfig, operator: Operator, alert: Alert) -> list[str]:
    """What `operator` may do on `alert` from the command line (the policy, as `incidents ACTION` asks it)."""
    from noc_app.actions.policy import decide
    from noc_app.actions.upkeep import policy_context

    probe = ActionRequest(kind=ActionKind.NOTE, incident=IncidentKey(source_id=alert.source_id,
                          fingerprint=alert.fingerprint), operator=operator, comment="probe")
    context = policy_context(config, probe, alert, mode=Mode.OPERATOR)
    return [kind.value for kind in ActionKind if kind in CLI_KINDS and decide(kind, context).allowed]


