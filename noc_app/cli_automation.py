"""`noc-app automation --config FILE`: the room's automation without a screen (a server, systemd).

It waits for the room's lease (see actions/automation_lease.py), and while it holds it runs the
escalation timers, sends the notifications and delivers the outbox.  Several may run: exactly one
works, the others take over within ~15 s of its death.  `--status` prints who holds the lease.

Lines on stdout (one per event, flushed) say what it did: "lease taken", "notified ...",
"escalated ...", "lease lost".  SIGTERM/SIGINT release the lease and exit 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from types import FrameType

from noc_app.cli_types import positive_seconds
from noc_app.config.schema import AppConfig

EXIT_OK = 0
EXIT_UNAVAILABLE = 3


def build_automation_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="noc-app automation",
        description="Run the room's automation (escalation timers, notifications, outbox) while holding its lease.",
    )
    p.add_argument("--config", "-c", metavar="FILE", required=True, help="the room's config (YAML)")
    p.add_argument("--status", action="store_true", help="print who holds the lease and exit")
    p.add_argument("--interval", type=positive_seconds, metavar="SECONDS",
                   help="timer checks while holding the lease (default: automation.interval, 30 s)")
    p.add_argument("--lease-retry", type=positive_seconds, metavar="SECONDS",
                   help="how often a standby tries to take the lease (default: automation.lease_retry, 15 s)")
    p.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    return p


def run_automation(args: argparse.Namespace, config: AppConfig) -> int:
    from noc_app.actions.automation import Automation, AutomationRunner, TickReport
    from noc_app.actions.automation_lease import lease_for
    from noc_app.actions.wiring import build_parts
    from noc_app.cli_incident_lookup import poll_incidents
    from noc_app.config.secrets import resolve_secret
    from noc_app.redaction import redact

    try:
        password = None
        if config.state.password is not None:
            password = resolve_secret(config.state.password, where="state.password", spaces_allowed=True)
        lease = lease_for(config.state.url, password=password)
        if args.status:
            holder = lease.holder()
            print(f"automation lease: held by {holder}" if holder else "automation lease: free")
            return EXIT_OK
        parts = build_parts(config)
    except ImportError:
        raise
    except Exception as exc:  # a missing secret, the database down
        print(f"noc-app: automation: cannot open the state database: {redact(str(exc))}", file=sys.stderr)
        return EXIT_UNAVAILABLE

    def say(line: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)

    def on_tick(report: TickReport) -> None:
        for line in report.notified:
            say(f"notified {line}")
        for line in report.escalated:
            say(f"escalated {line}")
        for line in report.ran:
            say(f"ran {line}")

    automation = Automation(config, parts.journal, parts.backends)
    runner = AutomationRunner(
        automation, lease, lambda: poll_incidents(config), on_tick=on_tick,
        interval_s=args.interval or config.automation.interval_s,
        lease_retry_s=args.lease_retry or config.automation.lease_retry_s,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    say("automation: waiting for the room's lease")
    holding = False
    try:
        while not stop.is_set():
            wait = runner.step()
            if runner.status.holding != holding:
                holding = runner.status.holding
                say("automation: lease taken" if holding else "automation: lease lost")
            stop.wait(wait)
    finally:
        lease.release()
        parts.close()
        say("automation: stopped")
    return EXIT_OK
