"""MTTD, MTTA and MTTR: the definitions as pure functions against hand-computed cases."""

from __future__ import annotations

import datetime as dt

import pytest

from noc_app.reports.timing import (
    first_breach,
    first_visible,
    format_duration,
    incident_times,
    mttd_s,
    next_business_day_end,
    priority_of,
    summarize,
    total_summary,
)
from noc_app.state.records import IncidentHistory

T0 = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC).timestamp()  # a Wednesday


def row(fp, severity, *, ack=None, resolve=None, service="api", first=T0):
    return IncidentHistory(source_id="am", fingerprint=fp, name=fp, first_seen_at=first, shown_at=first + 30,
                           acked_at=None if ack is None else first + ack, acked_by="alice" if ack else "",
                           resolved_at=None if resolve is None else first + resolve, severity=severity,
                           service=service)


def test_mttd_runs_from_the_rules_active_at_to_the_first_visible_sign():
    active_at = T0  # when the expression first became true, before `for: 2m`
    pending_shown, firing_shown = T0 + 20, T0 + 125
    assert mttd_s(active_at, first_visible(None, pending_shown, firing_shown)) == 20
    assert mttd_s(active_at, first_visible(None, None, firing_shown)) == 125  # no pending alerts on the wall
    assert mttd_s(None, T0) is None and mttd_s(T0, None) is None
    assert mttd_s(T0 + 10, T0) == 0  # clocks a little apart never give a negative detection time


def test_the_first_breach_of_a_panel_threshold_is_its_first_sample_beyond_it():
    xs, ys = [0, 15, 30, 45], [0.5, float("nan"), 1.5, 2.0]
    assert first_breach(xs, ys, 1.0) == 30
    assert first_breach(xs, ys, 1.0, above=False) == 0
    assert first_breach(xs, ys, 5.0) is None


def test_priorities_come_from_the_recorded_severity():
    assert [priority_of(s) for s in ("critical", "high", "warning", "info", "", "bogus")] == [
        "P0", "P1", "P2", "P3", "P?", "P?"]


def test_ack_and_resolve_against_the_seed_targets():
    p0 = incident_times(row("a", "critical", ack=299, resolve=3600))
    assert (p0.priority, p0.ack_s, p0.acked_in_time, p0.resolved_in_time) == ("P0", 299, True, True)
    late = incident_times(row("b", "critical", ack=301, resolve=3601))
    assert (late.acked_in_time, late.resolved_in_time) == (False, False)
    p1 = incident_times(row("c", "high", ack=900, resolve=4 * 3600 + 1))
    assert (p1.acked_in_time, p1.resolved_in_time) == (True, False)
    p2 = incident_times(row("d", "warning", ack=3600, resolve=86400))
    assert (p2.acked_in_time, p2.resolved_in_time) == (True, True)
    still_open = incident_times(row("e", "critical"))
    assert (still_open.open, still_open.ack_s, still_open.acked_in_time, still_open.resolved_in_time) == (
        True, None, None, None)


def test_p3_is_answered_by_the_end_of_the_next_business_day():
    friday = dt.datetime(2026, 4, 3, 17, 0, tzinfo=dt.UTC).timestamp()
    tuesday_midnight = dt.datetime(2026, 4, 7, 0, 0, tzinfo=dt.UTC).timestamp()  # end of Monday
    assert next_business_day_end(friday) == tuesday_midnight
    in_time = incident_times(row("f", "info", ack=tuesday_midnight - friday, first=friday))
    assert in_time.acked_in_time is True
    assert incident_times(row("g", "info", ack=tuesday_midnight - friday + 1, first=friday)).acked_in_time is False
    berlin = next_business_day_end(dt.datetime(2026, 4, 1, 23, 30, tzinfo=dt.UTC).timestamp(), "Europe/Berlin")
    assert berlin == dt.datetime(2026, 4, 4, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))).timestamp()


def test_summaries_per_priority_and_per_service():
    times = [incident_times(r) for r in (
        row("a", "critical", ack=120, resolve=1800),
        row("b", "critical", ack=480, resolve=5400, service="web"),
        row("c", "high", ack=600),
        row("d", "", ack=60, resolve=60),
    )]
    by_priority = {s.key: s for s in summarize(times)}
    assert list(by_priority) == ["P0", "P1", "P?"]
    p0 = by_priority["P0"]
    assert (p0.count, p0.mtta_s, p0.mttr_s, p0.acked_within_pct, p0.resolved_within_pct) == (
        2, 300, 3600, 50.0, 50.0)
    assert (by_priority["P1"].open, by_priority["P1"].mttr_s, by_priority["P1"].resolved_within_pct) == (1, None, None)
    assert by_priority["P?"].acked_within_pct is None  # no target for an unknown priority
    by_service = {s.key: s.count for s in summarize(times, key=lambda t: t.service)}
    assert by_service == {"api": 3, "web": 1}
    total = total_summary(times)
    assert (total.count, total.open, total.mtta_s) == (4, 1, pytest.approx(315.0))
    assert total.resolved_within_pct == 50.0  # a in time, b late; c open and not yet late; d has no target
    later = total_summary([incident_times(r, now=T0 + 5 * 3600) for r in (row("c", "high", ack=600),)])
    assert later.resolved_within_pct == 0.0  # open past its 4 h target: already a miss
    unacked = incident_times(row("h", "critical"), now=T0 + 301)
    assert (unacked.acked_in_time, unacked.resolved_in_time) == (False, None)


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "–"), (42, "42 s"), (250, "4 min 10 s"), (7500, "2 h 05 min"), (273600, "3 d 4 h")])
def test_durations_read_as_people_say_them(seconds, text):
    assert format_duration(seconds) == text


def test_targets_come_from_the_configs_severity_policy():
    from pathlib import Path

    from noc_app.config.loader import load_config
    from noc_app.config.schema import SeverityLevel
    from noc_app.model import Severity
    from noc_app.reports.timing import NEXT_BUSINESS_DAY, SEED_TARGETS, targets_from

    ecommerce = load_config(Path(__file__).resolve().parents[2] / "config" / "ecommerce.yaml")
    assert targets_from(ecommerce.severity_levels) == SEED_TARGETS  # the config spells the seed's policy
    assert targets_from(()) is SEED_TARGETS
    strict = targets_from((SeverityLevel(id="P0", name="Critical", severity=Severity.CRITICAL, response_time_s=60.0,
                                         resolution_target_s=600.0),
                           SeverityLevel(id="P3", name="Low", severity=Severity.INFO)))
    assert strict.response_s == {"P0": 60.0, "P3": NEXT_BUSINESS_DAY} and strict.resolution_s == {"P0": 600.0}
    late = incident_times(row("a", "critical", ack=120, resolve=900), targets=strict)
    assert (late.acked_in_time, late.resolved_in_time) == (False, False)
    assert incident_times(row("b", "warning", ack=120), targets=strict).acked_in_time is None  # no P2 level
