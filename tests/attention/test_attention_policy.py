"""The attention decisions as tables: new incidents, repeat until answered, quiet hours, mute, suppressed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from attention_testkit import NOON, ORDER, alert, incident, utc_config

from noc_app.attention.incidents import NOTHING_SEEN, new_keys, observe
from noc_app.attention.signals import NO_FLASH, counts_text, next_flash, priority_counts, to_notify
from noc_app.attention.sound import (
    Mute,
    SoundState,
    decide_sound,
    mute_text,
    quiet_range,
    toggle_mute,
)
from noc_app.config.attention_schema import QuietHours, SoundRule
from noc_app.model import AlertState

# -- new incidents --------------------------------------------------------------------------------


def test_incidents_there_when_their_source_first_answers_are_known_not_new():
    seen, appeared = observe(NOTHING_SEEN, [incident("Old")], frozenset({"am"}), NOON)
    assert appeared == ()
    assert new_keys(seen, NOON, 600) == frozenset()
    assert seen.known_at_start == {("am", "fp-Old")}


def test_an_incident_appearing_later_is_new_until_the_window_ends():
    seen, _ = observe(NOTHING_SEEN, [], frozenset({"am"}), NOON)
    seen, appeared = observe(seen, [incident("Fresh")], frozenset({"am"}), NOON + 5)
    assert [i.key for i in appeared] == [("am", "fp-Fresh")]
    assert new_keys(seen, NOON + 5 + 599, 600) == {("am", "fp-Fresh")}
    assert new_keys(seen, NOON + 5 + 600, 600) == frozenset()
    seen, appeared = observe(seen, [incident("Fresh")], frozenset({"am"}), NOON + 10)
    assert appeared == ()  # seen once: appears once
    assert new_keys(seen, NOON + 10, 0) == frozenset()  # new_marker 0: off


def test_an_incident_that_goes_and_comes_back_is_new_again():
    seen, _ = observe(NOTHING_SEEN, [incident("Flip")], frozenset({"am"}), NOON)
    seen, _ = observe(seen, [], frozenset({"am"}), NOON + 10)
    seen, appeared = observe(seen, [incident("Flip")], frozenset({"am"}), NOON + 20)
    assert len(appeared) == 1
    assert new_keys(seen, NOON + 20, 600) == {("am", "fp-Flip")}


def test_a_source_answering_for_the_first_time_brings_a_baseline_not_news():
    seen, _ = observe(NOTHING_SEEN, [], frozenset({"am"}), NOON)
    seen, appeared = observe(seen, [incident("FromPd", source="pd")], frozenset({"am", "pd"}), NOON + 5)
    assert appeared == ()


# -- sound: repeat until answered ---------------------------------------------------------------------


def _run(incidents, times, config=None, state=None, **kwargs):
    """The priority played at each time (None: silence), threading the state."""
    config = config or utc_config()
    state = state or SoundState()
    played = []
    for now in times:
        decision = decide_sound(incidents, state, config, ORDER, now, **kwargs)
        state = decision.state
        played.append(decision.priority)
    return played, state


def test_p0_sounds_at_once_and_repeats_every_interval_until_acknowledged():
    config = utc_config(sounds=(SoundRule(priority="P0", repeat_s=120.0),))
    played, state = _run([incident("Down")], [NOON, NOON + 60, NOON + 119, NOON + 120, NOON + 200, NOON + 240],
                         config)
    assert played == ["P0", None, None, "P0", None, "P0"]
    acked = [incident("Down", state=AlertState.ACKNOWLEDGED)]
    played, state = _run(acked, [NOON + 360, NOON + 480], config, state)
    assert played == [None, None]
    assert state.last_sounded == {}


@pytest.mark.parametrize("answer", [
    {"state": AlertState.SILENCED}, {"state": AlertState.INHIBITED}, {"state": AlertState.RESOLVED},
    {"state": AlertState.PENDING}, {"acked_by": "alice"},
])
def test_answered_or_developing_incidents_never_sound(answer):
    played, _ = _run([incident("Down", **answer)], [NOON])
    assert played == [None]


def test_once_rules_sound_once_and_unlisted_priorities_never():
    config = utc_config(sounds=(SoundRule(priority="P2"),))
    played, _ = _run([incident("Warn", "P2")], [NOON, NOON + 3600], config)
    assert played == ["P2", None]
    played, _ = _run([incident("Info", "P3")], [NOON], config)
    assert played == [None]


def test_due_incidents_sound_together_as_the_worst_priority():
    decision = decide_sound([incident("Warn", "P2"), incident("Down", "P0"), incident("Slow", "P1")],
                            SoundState(), utc_config(), ORDER, NOON)
    assert decision.priority == "P0"
    assert set(decision.sounded) == {("am", "fp-Warn"), ("am", "fp-Down"), ("am", "fp-Slow")}


def test_baseline_incidents_count_as_heard_and_repeat_after_their_interval():
    down = incident("Down")
    config = utc_config(sounds=(SoundRule(priority="P0", repeat_s=120.0),))
    played, _ = _run([down], [NOON, NOON + 119, NOON + 120], config, baseline=frozenset({down.key}))
    assert played == [None, None, "P0"]


def test_suppressed_incidents_never_sound():
    flapping = incident("Flappy")
    played, _ = _run([flapping, incident("Warn", "P2")], [NOON],
                     suppressed=lambda a: a.name == "Flappy")
    assert played == ["P2"]
    played, _ = _run([flapping], [NOON], suppressed=lambda a: True)
    assert played == [None]


# -- quiet hours -----------------------------------------------------------------------------------

NIGHT = QuietHours(start_min=22 * 60, end_min=7 * 60, sound_at="P0")


@pytest.mark.parametrize(("hours_after_noon", "quiet"), [
    (0, False), (9.99, False), (10, True), (14, True), (18.99, True), (19, False),
])
def test_quiet_hours_wrap_midnight(hours_after_noon, quiet):
    assert (quiet_range(NOON + hours_after_noon * 3600, [NIGHT], "UTC") is not None) is quiet


def test_quiet_hours_on_listed_days_only_and_belong_to_the_day_they_start():
    weekend_nights = QuietHours(start_min=22 * 60, end_min=7 * 60, days=(5, 6))  # Sat, Sun
    wednesday_23h = NOON + 11 * 3600
    assert quiet_range(wednesday_23h, [weekend_nights], "UTC") is None
    saturday_23h = wednesday_23h + 3 * 86400
    monday_03h = wednesday_23h + 4 * 86400 + 4 * 3600  # the night that started on Sunday
    assert quiet_range(saturday_23h, [weekend_nights], "UTC") is weekend_nights
    assert quiet_range(monday_03h, [weekend_nights], "UTC") is weekend_nights
    assert quiet_range(monday_03h + 86400, [weekend_nights], "UTC") is None  # Tuesday 03:00: Monday not listed


def test_quiet_hours_silence_below_p0_and_count_it_as_heard():
    config = utc_config(quiet_hours=(NIGHT,))
    night = NOON + 11 * 3600
    decision = decide_sound([incident("Slow", "P1"), incident("Warn", "P2")], SoundState(), config, ORDER, night)
    assert decision.priority is None and decision.reason == "quiet hours"
    assert set(decision.state.last_sounded) == {("am", "fp-Slow"), ("am", "fp-Warn")}
    assert decide_sound([incident("Down", "P0")], SoundState(), config, ORDER, night).priority == "P0"
    # the next morning: the once-rule P2 stays quiet; the repeating P1 resumes
    morning = NOON + 19 * 3600 + 60
    after = decide_sound([incident("Slow", "P1"), incident("Warn", "P2")], decision.state, config, ORDER, morning)
    assert after.priority == "P1" and after.sounded == (("am", "fp-Slow"),)


def test_quiet_hours_with_sound_at_off_silence_everything():
    config = utc_config(quiet_hours=(replace(NIGHT, sound_at=None),))
    assert decide_sound([incident("Down")], SoundState(), config, ORDER, NOON + 11 * 3600).priority is None


# -- mute --------------------------------------------------------------------------------------------


def test_mute_for_n_minutes_then_unanswered_incidents_sound_again():
    config = utc_config(sounds=(SoundRule(priority="P0", repeat_s=120.0),))
    state = SoundState(mute=toggle_mute(Mute(), NOON, 15))
    assert mute_text(state.mute, NOON + 60, "UTC") == "MUTED until 12:15"
    played, state = _run([incident("Down")], [NOON + 1, NOON + 14 * 60], config, state)
    assert played == [None, None]
    assert decide_sound([incident("Down")], state, config, ORDER, NOON + 14 * 60).reason == "muted"
    played, _ = _run([incident("Down")], [NOON + 15 * 60], config, state)
    assert played == ["P0"]
    assert mute_text(state.mute, NOON + 15 * 60, "UTC") == ""


def test_pressing_mute_again_unmutes():
    muted = toggle_mute(Mute(), NOON, 15)
    assert muted.active(NOON + 1)
    assert not toggle_mute(muted, NOON + 60, 15).active(NOON + 61)


# -- notification, flash, counts -----------------------------------------------------------------------


def test_notification_for_new_incidents_at_or_above_the_threshold():
    appeared = [incident("Down", "P0"), incident("Slow", "P1"), incident("Warn", "P2"),
                incident("Muted", "P0", state=AlertState.SILENCED)]
    assert [i.alert.name for i in to_notify(appeared, utc_config(notify_at="P1"), ORDER)] == ["Down", "Slow"]
    assert to_notify(appeared, utc_config(notify_at=None), ORDER) == ()
    assert to_notify(appeared, utc_config(), ORDER, suppressed=lambda a: a.name == "Down")[0].alert.name == "Slow"


def test_border_flash_blinks_for_its_seconds_on_a_new_p0_only():
    config = utc_config(flash_s=8.0)
    assert next_flash(NO_FLASH, [incident("Slow", "P1")], config, ORDER, NOON) == NO_FLASH
    flash = next_flash(NO_FLASH, [incident("Down")], config, ORDER, NOON)
    assert [flash.lit(NOON + t) for t in (0, 0.5, 1.0, 1.5, 2.0, 7.9, 8.0)] == [
        True, True, False, False, True, False, False]
    assert flash.running(NOON + 7.9) and not flash.running(NOON + 8.0)
    assert next_flash(NO_FLASH, [incident("Down")], utc_config(flash_at=None), ORDER, NOON) == NO_FLASH


def test_tray_counts_list_every_priority_worst_first():
    counts = priority_counts([incident("A"), incident("B"), incident("C", "P2"),
                              incident("D", "P1", state=AlertState.ACKNOWLEDGED)], ORDER)
    assert counts == (("P0", 2), ("P1", 0), ("P2", 1), ("P3", 0))
    assert counts_text(counts) == "2 P0 · 0 P1 · 1 P2 · 0 P3"


def test_custom_policy_ids_rank_by_the_policy_order():
    from noc_app.attention.incidents import PriorityOrder
    from noc_app.config.schema import SeverityLevel
    from noc_app.model import Severity

    levels = (SeverityLevel(id="SEV1", name="Sev 1", severity=Severity.CRITICAL),
              SeverityLevel(id="SEV2", name="Sev 2", severity=Severity.HIGH))
    order = PriorityOrder.of(levels)
    assert order.ids[:2] == ("SEV1", "SEV2")
    assert order.incident(alert("X", "P0")).priority == "SEV1"
    assert order.incident(alert("Y", "P2")).priority == "P2"  # no level matches: the severity's own


def test_priorities_are_remembered_per_matched_labels_not_mixed_up():
    from noc_app.attention.incidents import PriorityOrder
    from noc_app.model import Alert, Severity

    order = PriorityOrder.of(())

    def pd(fp: str, priority: str) -> Alert:
        return Alert(fingerprint=fp, source_id="pd", name=fp, severity=Severity.UNKNOWN, state=AlertState.FIRING,
                     labels={"priority": priority})

    assert [order.incident(pd(f"x{i}", p)).priority for i, p in enumerate(["P1", "P4", "P1", "P2", "P4"])] == [
        "P0", "P3", "P0", "P1", "P3"]
