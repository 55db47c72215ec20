"""The composition root's action wiring: the state database, the ActionService, automation, raised incidents.

Part of noc_app/app.py (split for size); app.py re-exports what callers import from it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from noc_app.config.schema import AppConfig

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from noc_app.runtime import Runtime

log = logging.getLogger("noc_app.app")


def attach_actions(config: AppConfig, runtime: Runtime, *, claimed_name: str | None = None) -> None:
    """Open the room's state database and attach an ActionService to the runtime, in every mode.

    An operator workstation acts: backends, outbox replay, ack upkeep.  A wall or kiosk
    acts on nothing but still records what it shows ("first shown on the wall", acked,
    resolved) and lists the raised incidents kept in the database.  A state database
    that cannot be opened leaves the wall running without it, and says so.
    """
    from noc_app.actions.errors import InvalidRequest
    from noc_app.actions.service import ActionService
    from noc_app.actions.wiring import build_parts, open_state, raised_in_state, store_policy, upkeep_sources
    from noc_app.app import StartupError
    from noc_app.modes import capabilities
    from noc_app.redaction import redact

    acts = capabilities(config.mode).act
    try:
        if acts:
            parts = build_parts(config, claimed_name=claimed_name)
            journal, backends, operator = parts.journal, parts.backends, parts.operator
        else:
            journal, backends, operator = open_state(config), {}, None
    except InvalidRequest as exc:  # an unusable --as name or operator.name
        raise StartupError(str(exc)) from exc
    except Exception as exc:  # a missing secret, psycopg not installed, the database down
        what = "actions are off" if acts else "incident history is not recorded"
        message = f"{what}: cannot open the state database: {redact(str(exc))}"
        log.error("%s", message)
        print(f"noc-app: warning: {message}", file=sys.stderr)
        return
    service = ActionService(
        backends, journal, repoll=runtime.repoll, operator=operator,
        policy_for=store_policy(config, runtime.store.snapshot),
        upkeep_sources=upkeep_sources(config) if acts else {}, delivers=acts,
    )
    closers = [close for b in backends.values() if (close := getattr(b, "close", None)) is not None]
    if config.automation.enabled:  # compete for the room's automation lease (a thread; see actions/automation.py)
        closers.append(_start_automation(config))
    runtime.attach_actions(service, close_backends=closers, close_journal=journal.close)
    if raised_in_state(config):  # raised incidents live in the state database: on every incidents board
        from noc_app.actions.raised_source import RAISED_POLL_S, RaisedSource, with_raised_boards

        runtime.add_source(RaisedSource(journal), RAISED_POLL_S, config=with_raised_boards(runtime.config))
    from noc_app.slo.alert_source import SLO_ALERT_POLL_S, slo_alert_source, wants_app_alerts

    if wants_app_alerts(config):  # SLO burn alerts with `alerting: app`: raised by this app (noc_app.slo)
        runtime.add_source(slo_alert_source(config, journal), SLO_ALERT_POLL_S)


def _start_automation(config: AppConfig) -> Callable[[], None]:
    from noc_app.actions.automation_wiring import start_automation
    from noc_app.cli_incident_lookup import poll_incidents
    from noc_app.redaction import redact

    try:
        return start_automation(config, lambda: poll_incidents(config))
    except Exception as exc:
        log.error("automation is off: %s", redact(str(exc)))
        print(f"noc-app: warning: automation is off: {redact(str(exc))}", file=sys.stderr)
        return lambda: None


def attach_raised_reader(config: AppConfig, runtime: Runtime) -> Callable[[], None] | None:
    """For `snapshot` and `screenshot`: list the raised incidents the state database keeps, record nothing.

    Returns the database's close (call it after runtime.stop()), or None when there is nothing to read.
    """
    from noc_app.actions.wiring import open_state, raised_in_state
    from noc_app.redaction import redact

    if not raised_in_state(config):
        return None
    from noc_app.actions.raised_source import RAISED_POLL_S, RaisedSource, with_raised_boards

    try:
        journal = open_state(config)
    except Exception as exc:
        log.warning("raised incidents are not listed: cannot open the state database: %s", redact(str(exc)))
        return None
    runtime.add_source(RaisedSource(journal), RAISED_POLL_S, config=with_raised_boards(runtime.config))
    return journal.close


def connect_actions(window: QObject, runtime: Runtime) -> None:
    """Wire a window's action requests to the service, when both exist (the window gains the signal later)."""
    service = runtime.actions
    requested = getattr(window, "action_requested", None)
    if service is None or requested is None:
        return
    requested.connect(service.submit)
    # The window was built with the service's operator (build_windows); outcomes mark its rows.
    show = getattr(window, "show_outcome", None)
    if show is not None:
        service.outcome_ready.connect(show)
