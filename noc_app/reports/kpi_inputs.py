"""What the KPIs read outside the wall: this month's incident history rows, and everything for the CLI.

    histories, note = month_histories(config, now)    # None when there is no state database to read
    kpis = fetch_kpis(config, now=now)                 # `noc-app report kpis`: SLOs, incidents, history

Reading never creates a database: a snapshot or a report on a machine without one says
"no state database" rather than leaving an empty SQLite file behind.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from noc_app.config.schema import AppConfig
from noc_app.redaction import redact
from noc_app.reports.kpis import Kpis, compute_kpis
from noc_app.reports.sla import month_of, month_period
from noc_app.reports.timing import targets_from
from noc_app.state.records import IncidentHistory

MAX_ROWS = 100_000


def _sqlite_missing(url: str | None) -> bool:
    from noc_app.state.sqlite import default_path

    if not url:
        return not default_path().exists()
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower() == "sqlite" and not Path(urllib.parse.unquote(parts.path)).exists()


def month_histories(config: AppConfig, now: float) -> tuple[Sequence[IncidentHistory] | None, str]:
    """The history rows updated since this month began (config time zone), or None and why not."""
    from noc_app.actions.wiring import open_state

    if _sqlite_missing(config.state.url):
        return None, "no state database"
    period = month_period(*month_of(now, config.sla.time_zone), config.sla.time_zone)
    try:
        journal = open_state(config)
    except Exception as exc:  # a missing secret, psycopg absent, the database down
        return None, f"state database: {redact(str(exc))}"
    try:
        return list(journal.incident_histories(since=period.start, limit=MAX_ROWS)), ""
    except Exception as exc:
        return None, f"state database: {redact(str(exc))}"
    finally:
        journal.close()


def fetch_kpis(config: AppConfig, *, now: float) -> Kpis:
    """Poll each SLO's source and each incident source once, read the history: the KPIs (network; no Qt)."""
    from noc_app.cli_incident_lookup import poll_incidents
    from noc_app.slo.budget import SloStatus
    from noc_app.slo.fetch import fetch_all

    figures: dict[str, SloStatus | str] = {}
    for slo, outcome in fetch_all(config, now=now):
        figures[slo.id] = outcome if isinstance(outcome, str) else outcome[0]
    alerts, errors = poll_incidents(config)
    note = "; ".join(f"{sid}: {redact(text)}" for sid, text in errors.items())
    histories, why = month_histories(config, now)
    kpis = compute_kpis(config.slos, figures, [a for group in alerts.values() for a in group], histories,
                        now=now, time_zone=config.sla.time_zone, targets=targets_from(config.severity_levels),
                        incidents_note=note)
    if histories is None and why:
        from dataclasses import replace

        kpis = replace(kpis, mttr_month=replace(kpis.mttr_month, note=why))
    return kpis
