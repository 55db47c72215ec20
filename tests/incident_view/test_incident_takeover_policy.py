"""P0 takeover policy (pure, injected clock) and its `takeover:` config section."""

from __future__ import annotations

import pytest

from noc_app.config.loader import ConfigError, load_config_text
from noc_app.config.schema import Mode, TakeoverConfig
from noc_app.model import Alert, AlertState, Severity
from noc_app.takeover import NO_TAKEOVER, decide_takeover

ON = TakeoverConfig(enabled=True)
T0 = 1_700_000_000.0


def _alert(fp: str, severity: Severity = Severity.CRITICAL, state: AlertState = AlertState.FIRING,
           starts_at: float = T0, **extra: object) -> Alert:
    return Alert(fingerprint=fp, source_id="am", name=f"Alert{fp}", severity=severity, state=state,
                 labels={"severity": severity.value, "service": "checkout"}, starts_at=starts_at, **extra)  # type: ignore[arg-type]


def _which(alerts, *, config=ON, mode=Mode.WALL, now=T0 + 60, **kw):
    decision = decide_takeover(alerts, config, mode, now, **kw)
    return decision.alert.fingerprint if decision.alert is not None else None


@pytest.mark.parametrize(("alerts", "expected"), [
    ([], None),
    ([_alert("a")], "a"),
    ([_alert("a", Severity.WARNING)], None),  # P2: below P0
    ([_alert("a", Severity.HIGH)], None),  # P1: below the default P0
    ([_alert("a", state=AlertState.ACKNOWLEDGED)], None),
    ([_alert("a", acknowledged_by="ana")], None),
    ([_alert("a", state=AlertState.SILENCED)], None),
    ([_alert("a", state=AlertState.INHIBITED)], None),
    ([_alert("a", state=AlertState.RESOLVED)], None),
    ([_alert("a", state=AlertState.PENDING)], None),  # not firing yet
    ([_alert("new", starts_at=T0 + 30), _alert("old", starts_at=T0)], "old"),  # several: the oldest
    ([_alert("old", state=AlertState.ACKNOWLEDGED, starts_at=T0 - 99), _alert("b")], "b"),
])
def test_which_incident_takes_over(alerts, expected):
    assert _which(alerts) == expected


def test_highest_priority_first_then_oldest():
    alerts = [_alert("p1old", Severity.HIGH, starts_at=T0 - 500), _alert("p0", starts_at=T0),
              _alert("p0older", starts_at=T0 - 10)]
    config = TakeoverConfig(enabled=True, priority="P1")
    decision = decide_takeover(alerts, config, Mode.WALL, T0 + 60)
    assert decision.alert is not None and decision.alert.fingerprint == "p0older"
    assert decision.waiting == (("P0", 1), ("P1", 1))
    assert decision.more_text() == "1 more P0 · 1 more P1"


def test_counter_of_the_others_and_for_text():
    decision = decide_takeover([_alert("a"), _alert("b", starts_at=T0 + 1), _alert("c", starts_at=T0 + 2)],
                               ON, Mode.OPERATOR, T0 + 125)
    assert decision.more_text() == "2 more P0"
    assert decision.for_text(T0 + 125) == "for 2 min"
    assert decide_takeover([_alert("a")], ON, Mode.WALL, T0).more_text() == ""


def test_returns_when_acknowledged_or_resolved_a_tick_later():
    firing = [_alert("a"), _alert("b", starts_at=T0 + 5)]
    assert _which(firing) == "a"
    acked = [_alert("a", state=AlertState.ACKNOWLEDGED), _alert("b", starts_at=T0 + 5)]
    assert _which(acked) == "b"  # the next one takes the screen
    assert _which([_alert("a", state=AlertState.RESOLVED)]) is None  # the screen returns
    assert _which([]) is None  # the alert is gone from the board


@pytest.mark.parametrize("mode", [Mode.WALL, Mode.OPERATOR])
def test_wall_and_operator_modes_take_over(mode):
    assert _which([_alert("a")], mode=mode) == "a"


def test_never_in_kiosk_mode():
    assert decide_takeover([_alert("a")], ON, Mode.KIOSK, T0) is NO_TAKEOVER


def test_off_without_the_section():
    assert decide_takeover([_alert("a")], TakeoverConfig(), Mode.WALL, T0) is NO_TAKEOVER


def test_suppressed_incidents_are_left_out():
    alerts = [_alert("flappy", starts_at=T0 - 100), _alert("steady")]
    assert _which(alerts, suppressed=lambda a: a.fingerprint == "flappy") == "steady"
    assert _which(alerts) == "flappy"


def test_an_alert_without_start_counts_from_first_seen_on_the_injected_clock():
    no_start = _alert("x", starts_at=0.0)
    started = _alert("y", starts_at=T0)
    assert _which([no_start, started], first_seen={("am", "x"): T0 - 50}) == "x"
    assert _which([no_start, started], first_seen={}, now=T0 + 60) == "y"  # unseen: counts from now


def test_duplicate_alerts_count_once():
    decision = decide_takeover([_alert("a"), _alert("a")], ON, Mode.WALL, T0)
    assert decision.more_text() == ""


def test_configured_policy_levels_are_used():
    from noc_app.config.schema import SeverityLevel
    levels = (SeverityLevel(id="SEV1", name="Sev 1", match=({"team": ("core",)},)),)
    alert = Alert(fingerprint="z", source_id="am", name="Z", severity=Severity.INFO, state=AlertState.FIRING,
                  labels={"team": "core"}, starts_at=T0)
    assert decide_takeover([alert], TakeoverConfig(enabled=True, priority="SEV1"), Mode.WALL, T0,
                           levels=levels).alert == alert


# -- config -----------------------------------------------------------------------------------

BASE = """\
sources:
  - {id: demo, kind: demo}
dashboards:
  - id: main
    panels:
      - {id: note, kind: text, title: Note, text: hi}
screens:
  - {id: left, screen: 0, dashboard: main}
  - {id: right, screen: 1, dashboard: main}
"""


def _load(extra: str):
    return load_config_text(BASE + extra, filename="wall.yaml", base_dir="/nonexistent")


def _problems(extra: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        _load(extra)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(("extra", "expected"), [
    ("", TakeoverConfig()),
    ("takeover:\n", TakeoverConfig(enabled=True)),
    ("takeover: {}\n", TakeoverConfig(enabled=True)),
    ("takeover: {priority: P1, screen: right}\n", TakeoverConfig(enabled=True, priority="P1", screen="right")),
    ("takeover: {screen: 1}\n", TakeoverConfig(enabled=True, screen=1)),
    ("takeover: {enabled: false}\n", TakeoverConfig(enabled=False)),
])
def test_takeover_section(extra, expected):
    assert _load(extra).takeover == expected


@pytest.mark.parametrize(("extra", "needle"), [
    ("takeover: {priority: P9}\n", "wall.yaml:10:22 takeover.priority: unknown priority 'P9'; expected one of"),
    ("takeover: {screen: middle}\n", "unknown screen 'middle'; expected a `screens:` id (left, right)"),
    ("takeover: {screen: 2}\n", "screen index 2 is beyond the 2 configured screen(s) (0..1: left, right)"),
    ("takeover: {prio: P0}\n", "takeover.prio"),
    ("takeover: [P0]\n", "takeover"),
])
def test_takeover_section_errors(extra, needle):
    problems = _problems(extra)
    assert any(needle in p for p in problems), problems


def test_priority_memo_decides_like_the_policy_and_follows_label_changes():
    from noc_app.takeover import PriorityMemo

    memo = PriorityMemo()
    alerts = [_alert("a"), _alert("b", Severity.HIGH, starts_at=T0 - 100), _alert("c", starts_at=T0 + 5)]
    config = TakeoverConfig(enabled=True, priority="P1")
    assert decide_takeover(alerts, config, Mode.WALL, T0, level_of=memo) == decide_takeover(alerts, config, Mode.WALL, T0)
    downgraded = _alert("a", Severity.WARNING)  # same incident, new content: asked again
    assert memo(downgraded) is not None and memo(downgraded).id == "P2"
    assert memo(alerts[0]).id == "P0"
