"""The P0-P3 policy as tables: matching, deadlines (business days), escalation, countdown words."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from noc_app.actions.severity import (
    DEFAULT_POLICY,
    countdown_text,
    effective_policy,
    escalation_due,
    next_business_day_end,
    priority_of,
    response_deadline,
)
from noc_app.config.loader import ConfigError, load_config_text
from noc_app.config.schema import BusinessHours, SeverityLevel
from noc_app.model import Alert, AlertState, Severity
from noc_app.state.records import IncidentHistory

T0 = 1_800_000_000.0
UTC_HOURS = BusinessHours(timezone="UTC")


def alert(severity: str = "critical", *, state: AlertState = AlertState.FIRING, starts_at: float = T0,
          **labels: str) -> Alert:
    return Alert(fingerprint="f1", source_id="am", name="HighErrorRate", severity=Severity.parse(severity),
                 state=state, labels={"severity": severity, **labels}, starts_at=starts_at)


@pytest.mark.parametrize(("the_alert", "expected"), [
    (alert("critical"), "P0"),
    (alert("crit"), "P0"),  # an alias the backend used
    (alert("high"), "P1"),
    (alert("warning"), "P2"),
    (alert("info"), "P3"),
    (alert("unknown-word"), None),
    (alert("unknown-word", priority="P1"), "P0"),  # Opsgenie/PagerDuty priority
    (alert("unknown-word", priority="p2"), "P1"),
    (alert("unknown-word", urgency="high"), "P1"),
    (alert("unknown-word", priority="P5"), "P3"),
    (alert("unknown-word", urgency="low"), "P3"),
])
def test_default_policy_matches_the_seed(the_alert: Alert, expected: str | None) -> None:
    level = priority_of(the_alert, DEFAULT_POLICY)
    assert (level.id if level else None) == expected


def test_first_matching_row_wins_and_all_labels_of_a_matcher_must_match() -> None:
    policy = (
        SeverityLevel(id="P0", name="pay", match=(MappingProxyType({"service": ("payment",), "severity": ("high",)}),)),
        SeverityLevel(id="P1", name="high", severity=Severity.HIGH),
    )
    assert priority_of(alert("high", service="payment"), policy).id == "P0"  # type: ignore[union-attr]
    assert priority_of(alert("high", service="search"), policy).id == "P1"  # type: ignore[union-attr]
    assert priority_of(alert("warning", service="payment"), policy) is None


def test_an_empty_policy_means_the_defaults() -> None:
    assert effective_policy(()) == DEFAULT_POLICY
    mine = (SeverityLevel(id="P0", name="x", severity=Severity.CRITICAL),)
    assert effective_policy(mine) == mine


def utc(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize(("started", "due"), [
    (utc(2027, 1, 4, 10, 0), utc(2027, 1, 5, 18, 0)),   # Monday -> Tuesday 18:00
    (utc(2027, 1, 8, 17, 0), utc(2027, 1, 11, 18, 0)),  # Friday -> Monday
    (utc(2027, 1, 9, 3, 0), utc(2027, 1, 11, 18, 0)),   # Saturday -> Monday
    (utc(2027, 1, 4, 23, 59), utc(2027, 1, 5, 18, 0)),  # late Monday -> Tuesday
])
def test_next_business_day(started: float, due: float) -> None:
    assert next_business_day_end(started, UTC_HOURS) == due


def test_business_hours_follow_their_time_zone() -> None:
    hours = BusinessHours(timezone="Asia/Seoul", end_min=17 * 60, days=(0, 1, 2, 3, 4, 5))
    started = dt.datetime(2027, 1, 8, 20, 0, tzinfo=ZoneInfo("Asia/Seoul")).timestamp()  # Friday evening
    assert next_business_day_end(started, hours) == dt.datetime(
        2027, 1, 9, 17, 0, tzinfo=ZoneInfo("Asia/Seoul")).timestamp()  # Saturday counts here


def test_p3_response_is_next_business_day_and_p1_fifteen_minutes() -> None:
    p1, p3 = DEFAULT_POLICY[1], DEFAULT_POLICY[3]
    assert response_deadline(p1, T0, UTC_HOURS) == T0 + 900
    assert response_deadline(p3, utc(2027, 1, 4, 10, 0), UTC_HOURS) == utc(2027, 1, 5, 18, 0)


ACKED = IncidentHistory(source_id="am", fingerprint="f1", first_seen_at=T0, acked_at=T0 + 60)


@pytest.mark.parametrize(("the_alert", "history", "now", "step"), [
    (alert("high"), None, T0 + 899, None),                    # P1: 15 min not over yet
    (alert("high"), None, T0 + 900, 1),                       # exactly at the deadline
    (alert("high"), ACKED, T0 + 1000, None),                  # acked in time (the room's history)
    (alert("high", state=AlertState.ACKNOWLEDGED), None, T0 + 1000, None),  # acked at its backend
    (alert("high", state=AlertState.SILENCED), None, T0 + 1000, None),      # muted on purpose
    (alert("high", state=AlertState.RESOLVED), None, T0 + 1000, None),
    (alert("high"), ACKED, T0 + 4 * 3600, 2),                 # acked but not resolved within 4 h
    (alert("critical"), None, T0 + 300, 1),                   # P0: 5 min
    (alert("info"), None, T0 + 30 * 86400, None),             # P3 escalates to nobody
    (alert("high", starts_at=0.0), None, T0 + 10_000, None),  # no start known: no clock
    (alert("high", starts_at=0.0), IncidentHistory(source_id="am", fingerprint="f1", first_seen_at=T0),
     T0 + 900, 1),                                            # the room's first sighting starts the clock
])
def test_escalation_due(the_alert: Alert, history: IncidentHistory | None, now: float, step: int | None) -> None:
    due = escalation_due(the_alert, history, DEFAULT_POLICY, now, UTC_HOURS)
    assert (due.step if due else None) == step
    if due is not None and step == 1:
        assert due.targets == due.level.escalation and "not acknowledged within" in due.reason


@pytest.mark.parametrize(("now", "text"), [
    (T0, "ack due in 15 min"),
    (T0 + 9 * 60 + 30, "ack due in 6 min"),  # rounds up while counting down
    (T0 + 14 * 60 + 50, "ack due in 10 s"),
    (T0 + 17 * 60 + 10, "ack overdue 2 min"),
    (T0 + 3 * 3600, "ack overdue 2 h 45 min"),
])
def test_countdown_words(now: float, text: str) -> None:
    p1 = DEFAULT_POLICY[1]
    assert countdown_text(alert("high"), None, p1, now, UTC_HOURS) == text
    assert countdown_text(alert("high"), ACKED, p1, now, UTC_HOURS) == ""


VALID = ("sources:\n  - {id: demo, kind: demo}\ndashboards:\n  - id: main\n    panels:\n"
         "      - {id: note, kind: text, title: Note, text: hi}\n")


def test_the_current_config_form_still_loads() -> None:
    config = load_config_text(VALID + (
        "severity_policy:\n"
        "  - {id: P0, name: Critical, severity: critical, response_time: 5m, resolution_target: 1h,"
        " escalation: [CTO], channels: [pagerduty]}\n"
    ), filename="wall.yaml")
    (level,) = config.severity_levels
    assert priority_of(alert("critical"), config.severity_levels) == level
    assert level.channels == ("pagerduty",)  # no notifications section: kept as a word, nothing checked


def test_match_form_with_lists() -> None:
    config = load_config_text(VALID + (
        "severity_policy:\n"
        "  - id: P0\n    match: [{severity: critical}, {priority: [P1, P2]}]\n    response_time: 5m\n"
        "  - id: P1\n    match: {urgency: high}\n"
    ), filename="wall.yaml")
    p0, p1 = config.severity_levels
    assert priority_of(alert("x", priority="P2"), config.severity_levels) == p0
    assert priority_of(alert("x", urgency="HIGH"), config.severity_levels) == p1


@pytest.mark.parametrize(("policy", "message"), [
    ("  - {id: P0, response_time: 5m}\n", "severity_policy[0]: missing required key 'severity' (or 'match')"),
    ("  - {id: P0, severity: critical, match: {a: b}}\n", "severity_policy[0].match: give either 'severity' or"),
    ("  - {id: P0, match: {}}\n", "severity_policy[0].match: expected at least one label"),
    ("  - {id: P0, match: {'bad label': x}}\n", "expected a label name like severity or priority"),
])
def test_policy_errors_say_what_to_write(policy: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config_text(VALID + "severity_policy:\n" + policy, filename="wall.yaml")
    assert message in str(err.value)
