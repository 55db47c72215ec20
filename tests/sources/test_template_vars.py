"""Template variables, Prometheus durations and range steps (pure functions)."""

from __future__ import annotations

import pytest

from noc_app.sources.step import (
    aligned_range,
    choose_step,
    nice_step,
    prometheus_duration,
)
from noc_app.sources.template_vars import (
    builtin_variables,
    rate_interval,
    substitute,
    unresolved_variables,
)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.25, "250ms"),
        (1, "1s"),
        (15, "15s"),
        (60, "1m"),
        (90, "1m30s"),
        (300, "5m"),
        (3600, "1h"),
        (5400, "1h30m"),
        (86400, "1d"),
        (7 * 86400, "1w"),
        (8 * 86400, "8d"),  # like Prometheus: weeks only when exact
        (365 * 86400, "1y"),
        (61.5, "1m1s500ms"),
    ],
)
def test_prometheus_duration(seconds, text):
    assert prometheus_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "step"),
    [(0.3, 0.5), (1, 1), (1.01, 2), (4.9, 5), (5.000000001, 5), (11, 15), (25, 30), (61, 120), (3599, 3600),
     (90000, 172800)],
)  # fmt: skip
def test_nice_step_rounds_up_to_the_ladder(seconds, step):
    assert nice_step(seconds) == step


@pytest.mark.parametrize(
    ("window_s", "max_points", "min_step_s", "step"),
    [
        (3600, 720, 1, 5),  # the default panel: 1 h at 720 points
        (1800, 720, 1, 5),  # 2.5 s rounds up to 5 s
        (6 * 3600, 720, 1, 30),
        (86400, 720, 1, 120),
        (7 * 86400, 720, 1, 900),
        (60, 720, 1, 1),  # never below min_step
        (60, 720, 0.1, 0.1),
        (3600, 720, 7, 7),  # a non-ladder min_step is honoured as given
        (3600, 10**6, 0, 0.5),  # max_points capped at Prometheus' 11,000 points
    ],
)
def test_choose_step(window_s, max_points, min_step_s, step):
    chosen = choose_step(window_s, max_points, min_step_s=min_step_s)
    assert chosen == pytest.approx(step)
    assert window_s / chosen <= min(max_points, 11_000)


def test_choose_step_refuses_an_empty_window():
    with pytest.raises(ValueError, match="window must be positive"):
        choose_step(0, 720)


def test_aligned_range_lands_on_the_step_grid():
    start, end = aligned_range(1_000_007.9, 3600, 5)
    assert (start, end) == (996_405, 1_000_005)
    start, end = aligned_range(1_000_007.9, 100, 30)  # window not a multiple of the step
    assert end == 999_990 and start == 999_870 and end - start >= 100


@pytest.mark.parametrize(
    ("step_s", "scrape_s", "expected"),
    [(5, 15, 60), (15, 15, 60), (60, 15, 75), (120, 30, 150), (1, 1, 4)],
)
def test_rate_interval_is_grafanas_rule(step_s, scrape_s, expected):
    assert rate_interval(step_s, scrape_s) == expected


def test_builtin_variables_render_prometheus_durations():
    assert builtin_variables(step_s=30, window_s=5400, scrape_interval_s=15) == {
        "__interval": "30s",
        "__interval_ms": "30000",
        "__rate_interval": "1m",
        "__rate_interval_ms": "60000",
        "__range": "1h30m",
        "__range_s": "5400",
        "__range_ms": "5400000",
    }


SUBSTITUTIONS = [
    ("rate(x[$__rate_interval])", "rate(x[1m])"),
    ("rate(x[${__rate_interval}])", "rate(x[1m])"),
    ("rate(x[$__interval])", "rate(x[5s])"),
    ("increase(x[$__range])", "increase(x[1h])"),
    ("x offset $__range_s", "x offset 3600"),
    ("$__interval_ms", "5000"),
    ('up{job="$job"}', 'up{job="api"}'),
    ('up{job="${job}"}', 'up{job="api"}'),
    ('up{job="[[job]]"}', 'up{job="api"}'),
    ('up{instance=~"${host:regex}"}', r'up{instance=~"web\-1\.example"}'),
    ('up{instance="${host:raw}"}', 'up{instance="web-1.example"}'),
    ("${job:doublequote}", '"api"'),
    ('up{job="$jobname"}', 'up{job="$jobname"}'),  # unknown: left for the backend to reject
    ('label_replace(up, "h", "$1", "instance", "(.*):.*")', 'label_replace(up, "h", "$1", "instance", "(.*):.*")'),
    ("sum(x) by ($group)", "sum(x) by (instance)"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), SUBSTITUTIONS)
def test_substitute(text, expected):
    variables = {"job": "api", "host": "web-1.example", "group": "instance"}
    assert substitute(text, variables, step_s=5, window_s=3600, scrape_interval_s=15) == expected


def test_substitute_is_not_recursive():
    assert substitute("$a", {"a": "$b", "b": "no"}, step_s=5, window_s=60) == "$b"


def test_unresolved_variables_ignore_regex_groups():
    assert unresolved_variables('label_replace(up{job="$job"}, "h", "$1", "i", "(.*)") + $x + [[y]]') == (
        "job",
        "x",
        "y",
    )
    assert unresolved_variables('up{job="api"}') == ()
