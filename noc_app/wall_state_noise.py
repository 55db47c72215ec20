"""What the `snapshot` JSON says about an incident board's noise reduction and problems (pure).

New fields only, on each incidents panel: `noise` (raw alerts, rows, flapping and maintenance
incidents, warnings held back) and `problems` (linked incidents, their ranked probable causes
and the hint the board shows).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from noc_app.model import Alert
from noc_app.noise.correlation import Problem, entity
from noc_app.noise.reduce import FLAPPING_TAG, MAINTENANCE_TAG
from noc_app.selectors_board_rows import row_key
from noc_app.selectors_incidents import IncidentBoard


def _iso(ts: float) -> str | None:
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).isoformat().replace("+00:00", "Z") if ts > 0 else None


def _ref(alert: Alert) -> dict[str, Any]:
    return {"source": alert.source_id, "fingerprint": alert.fingerprint, "name": alert.name,
            "entity": entity(alert), "starts_at": _iso(alert.starts_at)}


def problem_entry(problem: Problem) -> dict[str, Any]:
    return {
        "cause": problem.cause,
        "ranking": list(problem.ranking),
        "hint": problem.hint,
        "started_at": _iso(problem.started),
        "cause_incident": _ref(problem.cause_alert),
        "members": [_ref(a) for a in problem.members],
    }


def board_noise_entry(board: IncidentBoard) -> dict[str, Any]:
    """The `noise` and `problems` fields of an incidents panel."""
    noise = board.noise
    tagged = [(group, noise.tags[row_key(group)]) for group in board.groups if row_key(group) in noise.tags]
    return {
        "noise": {
            "raw_alerts": noise.raw_alerts,
            "rows": len(board.groups),
            "held_back": noise.held_back,
            "flapping": [{**_ref(g[0]), "tag": tag, "alerts": len(g)}
                         for g, tag in tagged if tag.startswith(FLAPPING_TAG)],
            "maintenance": [{**_ref(g[0]), "note": noise.notes.get(row_key(g), ""), "alerts": len(g)}
                            for g, tag in tagged if tag == MAINTENANCE_TAG],
        },
        "problems": [problem_entry(p) for p in noise.problems],
    }
