"""Small builders shared by the noise tests (alerts, snapshots, panels at a fixed time)."""

from __future__ import annotations

from noc_app.config.schema import GridPos, PanelConfig
from noc_app.model import Alert, AlertState, Severity, Snapshot

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC, a Tuesday


def alert(name: str, severity: Severity = Severity.CRITICAL, *, fp: str | None = None, source: str = "src",
          state: AlertState = AlertState.FIRING, starts_at: float = T0 - 600, **labels: str) -> Alert:
    return Alert(fingerprint=fp or f"{name}:{sorted(labels.items())}", source_id=source, name=name,
                 severity=severity, state=state, starts_at=starts_at, labels={"alertname": name, **labels})


def snapshot(*alerts: Alert, sid: str = "src", at: float = T0) -> Snapshot:
    return Snapshot.build(sid, at, alerts=alerts)


def board_panel(*sources: str, group_by: tuple[str, ...] = ("alertname",)) -> PanelConfig:
    only = sources[0] if len(sources) == 1 else None
    return PanelConfig(id="inc", kind="incidents", title="Incidents", source=only,
                       sources=sources if len(sources) > 1 else (), grid=GridPos(x=0, y=0, w=12, h=6),
                       group_by=group_by)
