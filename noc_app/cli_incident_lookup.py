"""The command line's way to an incident and to the actions wing: poll the incident sources once,
resolve a SOURCE/FINGERPRINT key, open the action parts, print an outcome (shared by `incidents`,
`outbox`, `run-runbook`, `automation` and the reports)."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from typing import Any

from noc_app.actions.errors import InvalidRequest
from noc_app.actions.model import ActionOutcome, IncidentKey, OutcomeStatus
from noc_app.actions.raised import RAISED_SOURCE_ID
from noc_app.actions.wiring import EXIT_FAILED, ActionParts, raised_in_state
from noc_app.config.schema import AppConfig
from noc_app.model import Alert

INCIDENT_KINDS = ("alertmanager", "demo", "pagerduty", "opsgenie")  # sources whose snapshots hold incidents


class CliRefused(Exception):
    """Bad usage or an unknown incident: printed as one line, exit 2."""


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


def open_parts(config: AppConfig, claimed_name: str | None) -> ActionParts:
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


def incident_key_text(alert: Alert) -> str:
    return f"{alert.source_id}/{alert.fingerprint}"


def resolve_key(key: str, config: AppConfig) -> tuple[str, str, tuple[Alert | None, bool] | None]:
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


def find_incident(config: AppConfig, source_id: str, fingerprint: str) -> tuple[Alert | None, bool]:
    """The incident as its source reports it now, and whether the source could not be asked."""
    only = dataclasses.replace(config, sources=tuple(s for s in config.sources if s.id == source_id))
    alerts, errors = poll_incidents(only, raised=source_id == RAISED_SOURCE_ID and raised_in_state(config))
    found = next((a for a in alerts.get(source_id, ()) if a.fingerprint == fingerprint), None)
    return found, source_id in errors


def incident_labels(
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


@dataclasses.dataclass(frozen=True, slots=True)
class LocatedIncident:
    """The incident a command line names, as its source reports it now (what `incidents` and `run-runbook` act on)."""

    source_id: str
    fingerprint: str
    alert: Alert | None  # None: not there now, or its source cannot be asked
    unreachable: bool  # its source could not be asked
    labels: dict[str, str]  # the alert's, or the --match ones when the source is unreachable

    @property
    def key(self) -> IncidentKey:
        return IncidentKey(source_id=self.source_id, fingerprint=self.fingerprint)

    @property
    def subject(self) -> str:
        return f"{self.source_id}/{self.fingerprint}"

    def policy_for(self, policy: Any) -> Any:
        """The policy context as is; with the source unreachable the incident's state is unknown, and the
        backend's own checks decide on delivery."""
        if self.alert is not None or not self.unreachable:
            return policy
        from noc_app.model import AlertState

        return dataclasses.replace(policy, state=AlertState.FIRING, acknowledged_by="")


def locate_incident(config: AppConfig, key: str, match: Mapping[str, str], *, note: bool) -> LocatedIncident:
    """The incident `key` names (SOURCE/FINGERPRINT or a bare fingerprint), checked against --match labels.

    Raises CliRefused for a key that names no incident (or several), or labels that do not match.
    """
    source_id, fingerprint, seen = resolve_key(key, config)
    alert, unreachable = seen if seen is not None else find_incident(config, source_id, fingerprint)
    labels = incident_labels(alert, match, unreachable, key, note=note)
    return LocatedIncident(source_id=source_id, fingerprint=fingerprint, alert=alert, unreachable=unreachable,
                           labels=labels)


def print_outcome(what: str, subject: str, request_id: str, outcome: ActionOutcome) -> None:
    from noc_app.redaction import redact

    line = f"{what} {subject}: {outcome.status.value} — {redact(outcome.message)} (request {request_id})"
    if outcome.status is OutcomeStatus.QUEUED:
        line += "; queued in the outbox: `noc-app outbox flush` or a running operator app delivers it"
    print(line, file=sys.stdout if outcome.status is OutcomeStatus.DONE else sys.stderr)


def exit_for_state_error(exc: CliStateError) -> int:
    print(f"noc-app: {exc}", file=sys.stderr)
    return EXIT_FAILED
