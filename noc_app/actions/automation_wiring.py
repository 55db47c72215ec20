"""Attach the room's automation to a running app (operator workstation or wall): its own journal
connection and backends, its lease, and a daemon thread, so the GUI thread never waits on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from noc_app.actions.automation import Automation, AutomationRunner, Poll
from noc_app.actions.automation_lease import lease_for
from noc_app.actions.wiring import build_parts
from noc_app.config.schema import AppConfig
from noc_app.config.secrets import resolve_secret

log = logging.getLogger(__name__)


def start_automation(config: AppConfig, poll: Poll) -> Callable[[], None]:
    """Start competing for the room's lease; returns the stop function (releases the lease, closes).

    Raises what opening the state database raises (the caller reports it and runs without).
    """
    password = None
    if config.state.password is not None:
        password = resolve_secret(config.state.password, where="state.password", spaces_allowed=True)
    parts = build_parts(config)
    runner = AutomationRunner(
        Automation(config, parts.journal, parts.backends), lease_for(config.state.url, password=password), poll,
        interval_s=config.automation.interval_s, lease_retry_s=config.automation.lease_retry_s,
    )
    runner.start()

    def stop() -> None:
        runner.stop()
        parts.close()

    return stop
