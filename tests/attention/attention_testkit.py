"""Shared builders for the attention tests: alerts, incidents, a fixed UTC config."""

from __future__ import annotations

from noc_app.attention.incidents import Incident, PriorityOrder
from noc_app.config.attention_schema import AttentionConfig
from noc_app.model import Alert, AlertState, Severity

ORDER = PriorityOrder.of(())
# 2026-12-02 (a Wednesday) 12:00 UTC
NOON = 1796212800.0
SEVERITY_OF = {"P0": Severity.CRITICAL, "P1": Severity.HIGH, "P2": Severity.WARNING, "P3": Severity.INFO}


def alert(name: str, priority: str = "P0", *, state: AlertState = AlertState.FIRING, source: str = "am",
          acked_by: str = "") -> Alert:
    return Alert(fingerprint=f"fp-{name}", source_id=source, name=name, severity=SEVERITY_OF[priority], state=state,
                 summary=f"{name} summary", labels={"alertname": name, "service": "api"}, starts_at=NOON - 600,
                 acknowledged_by=acked_by)


def incident(name: str, priority: str = "P0", **kwargs: object) -> Incident:
    return ORDER.incident(alert(name, priority, **kwargs))  # type: ignore[arg-type]


def utc_config(**changes: object) -> AttentionConfig:
    return AttentionConfig(timezone="UTC", **changes)  # type: ignore[arg-type]


class FakeClock:
    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class RecordingPlayer:
    """The play seam in tests: records every file it was asked to play (no audio device)."""

    def __init__(self) -> None:
        self.played: list[str] = []

    def play(self, sound, /) -> None:
        self.played.append(sound.name)


class FakeTray:
    def __init__(self, on_mute) -> None:
        self.on_mute = on_mute
        self.notifications: list[tuple[str, str]] = []
        self.counts: tuple = ()
        self.muted_text = ""

    def notify(self, title: str, body: str) -> None:
        self.notifications.append((title, body))

    def set_counts(self, counts, muted_text: str, mute_minutes: int) -> None:
        self.counts, self.muted_text = counts, muted_text
