"""`noc-app incidents run-runbook RUNBOOK FINGERPRINT`: run a configured recovery runbook on an incident.

The same path as every action (policy, journal before the network, the runbook
backend, the audit).  Values come from `--param name=value` and the incident's
labels and are validated before anything is filled in; `--dry-run` prints the
exact request (secrets as their references) and sends nothing; a runbook that
asks for confirmation needs `--confirm TARGET` (its id or a parameter's value).
Exit status as for every incidents command: 0 done, 3 queued, 2 refused or
invalid, 1 failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from noc_app.actions.errors import InvalidRequest
from noc_app.actions.wiring import EXIT_DONE, exit_code
from noc_app.config.schema import AppConfig, Mode

DRY_RUN_COMMENT = "dry run"


def add_runbook_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                       common: Callable[[argparse.ArgumentParser], None],
                       label_type: Callable[[str], tuple[str, str]]) -> None:
    parser = sub.add_parser("run-runbook", help="run a configured recovery runbook on an incident")
    common(parser)
    parser.add_argument("runbook", metavar="RUNBOOK", help="the runbook's id (actions.runbooks[].id)")
    parser.add_argument("key", metavar="FINGERPRINT",
                        help="the incident's fingerprint (SOURCE/FINGERPRINT when it is not unique across sources)")
    parser.add_argument("--param", action="append", type=label_type, default=[], metavar="NAME=VALUE",
                        help="a parameter's value (default: the incident's label of that name; repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="print the exact request or command; send nothing")
    parser.add_argument("--comment", "--reason", dest="comment", default=None, metavar="TEXT",
                        help="why (required; goes into the audit)")
    parser.add_argument("--confirm", default=None, metavar="TARGET",
                        help="type the runbook's confirmation target (its id, or the value it names)")
    parser.add_argument("--match", action="append", type=label_type, default=[], metavar="LABEL=VALUE",
                        help="the incident's labels, for when its source cannot be reached (repeatable)")


def run_runbook(args: argparse.Namespace, config: AppConfig) -> int:
    """Raises CliRefused (exit 2) for bad usage, an unknown runbook or incident, a missing confirmation."""
    from noc_app.actions.execute import backend_for, execute
    from noc_app.actions.runbooks.policy import confirm_problem, find_runbook, match_problem, role_problem
    from noc_app.actions.runbooks.prepare import prepare
    from noc_app.actions.runbooks.requests import runbook_request
    from noc_app.actions.upkeep import policy_context
    from noc_app.actions.wiring import NoBackend
    from noc_app.cli_incident_lookup import CliRefused, locate_incident, open_parts, print_outcome

    runbook = find_runbook(config, args.runbook)
    if runbook is None:
        known = ", ".join(r.id for r in config.actions.runbooks) or "none configured"
        raise CliRefused(f"no runbook {args.runbook!r:.60} in {config.path} (runbooks: {known})")
    incident = locate_incident(config, args.key, dict(args.match), note=False)
    labels = incident.labels
    parts = open_parts(config, args.claimed_name)
    try:
        comment = args.comment or (DRY_RUN_COMMENT if args.dry_run else "")
        try:
            request = runbook_request(runbook, incident.key, labels, parts.operator, comment, dict(args.param))
            call = prepare(runbook, request.params)
        except InvalidRequest as exc:
            raise CliRefused(str(exc)) from exc
        if args.dry_run:
            print(f"dry run of runbook {runbook.id} on {incident.subject} (nothing sent):")
            print(call.describe())
            for problem in (role_problem(runbook, parts.operator.role), match_problem(runbook, labels),
                            confirm_problem(runbook, request.params, args.confirm)):
                if problem:
                    print(f"note: {problem}")
            return EXIT_DONE
        problem = confirm_problem(runbook, request.params, args.confirm)
        if problem:
            print(f"runbook {runbook.id} would send:\n{call.describe()}", file=sys.stderr)
            raise CliRefused(problem)
        backend = backend_for(request, parts.backends) or NoBackend(incident.source_id)
        policy = policy_context(config, request, incident.alert, mode=Mode.OPERATOR)
        outcome = execute(request, backend, parts.journal, policy=incident.policy_for(policy))
    finally:
        parts.close()
    print_outcome(f"runbook {runbook.id}", incident.subject, request.request_id, outcome)
    return exit_code(outcome)
