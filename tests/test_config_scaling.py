"""check-config work grows linearly with the number of panels.

Counted, not timed: the number of Python and C function calls the loader makes
for 300 and for 3,000 generated panels.  Linear work gives a ratio near 10; one
quadratic step (an overlap check or id lookup per pair of panels) gives ~100.
"""

from __future__ import annotations

import sys
from types import FrameType

from noc_app.config.errors import ConfigError
from noc_app.config.loader import load_config_text


def generated_wall(panels: int) -> str:
    """A wall with shared defaults merged in (<<), fixed and auto-placed panels, thresholds and a playlist."""
    lines = [
        "x-stat: &stat {kind: stat, source: prom, unit: '%', thresholds: [80, 90], decimals: 1}",
        "sources:",
        "  - {id: prom, kind: prometheus, url: 'http://prom:9090', options: {max_series: 50}}",
        "  - {id: am, kind: alertmanager, url: 'http://am:9093'}",
        "dashboards:",
    ]
    per_dashboard = -(-panels // 3)  # three dashboards that grow with the count: per-dashboard steps scale too
    for dash in range(0, panels, per_dashboard):
        lines += [f"  - id: d{dash}", "    panels:"]
        for index in range(dash, min(panels, dash + per_dashboard)):
            if index % 4 == 0:
                lines.append(f"      - {{<<: *stat, id: p{index}, title: 'CPU {index}', queries: ['up{{i=\"{index}\"}}']}}")
            elif index % 4 == 1:
                lines.append(f"      - {{id: p{index}, kind: timeseries, title: 'T {index}', source: prom, "
                             f"queries: [{{expr: 'rate(x[5m])', legend: '{{{{job}}}}'}}], window: 6h}}")
            elif index % 4 == 2:
                lines.append(f"      - {{id: p{index}, kind: incidents, title: 'I {index}', sources: [am, prom], "
                             f"grid: {{w: 12, h: 3}}}}")
            else:
                y = ((index - dash) // 4) * 4  # fixed panels stacked down the right edge (y stays <= 1000)
                lines.append(f"      - {{id: p{index}, kind: text, title: 'N {index}', text: hi, "
                             f"grid: {{x: 18, y: {y}, w: 6, h: 4}}}}")
    dashboards = ", ".join(f"d{dash}" for dash in range(0, panels, per_dashboard))
    lines += ["playlists:", f"  - {{id: all, dashboards: [{dashboards}], interval: 1m}}"]
    return "\n".join(lines) + "\n"


def calls_to_load(panels: int) -> int:
    text = generated_wall(panels)
    count = 0

    def profile(_frame: FrameType, event: str, _arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        config = load_config_text(text, filename="big.yaml")
    finally:
        sys.setprofile(None)
    assert sum(len(d.panels) for d in config.dashboards) == panels
    return count


def test_check_config_work_is_linear_in_panels() -> None:
    small, large = calls_to_load(300), calls_to_load(3000)
    assert large < 12 * small, f"3000 panels took {large / small:.1f}x the calls of 300 (linear is ~10x)"


def test_auto_placement_of_many_panels_in_one_dashboard_is_linear() -> None:
    from noc_app.config.panel_section import GridRequest, place_panels

    def calls(count: int) -> int:
        requests = [GridRequest(x=None, y=None, w=6 + index % 3, h=4) for index in range(count)]
        total = 0

        def profile(_frame: FrameType, event: str, _arg: object) -> None:
            nonlocal total
            total += event in ("call", "c_call")

        sys.setprofile(profile)
        try:
            placed = place_panels(requests, 24)
        finally:
            sys.setprofile(None)
        assert len({(p.x, p.y) for p in placed}) == count  # no two panels share a slot
        return total

    assert calls(3000) < 12 * calls(300)


def wall_with_unknown_references(count: int) -> str:
    """count sources and count panels, each panel naming a source that is not there (all distinct)."""
    sources = "".join(f"  - {{id: src{index}, kind: demo}}\n" for index in range(count))
    panels = "".join(f"      - {{id: p{index}, kind: stat, title: P, source: srx{index}q, queries: [up]}}\n"
                     for index in range(count))
    return f"sources:\n{sources}dashboards:\n  - id: main\n    panels:\n{panels}"


def calls_to_report(count: int) -> tuple[int, list[str]]:
    text = wall_with_unknown_references(count)
    total = 0

    def profile(_frame: FrameType, event: str, _arg: object) -> None:
        nonlocal total
        total += event in ("call", "c_call")

    sys.setprofile(profile)
    try:
        load_config_text(text, filename="big.yaml")
    except ConfigError as err:
        problems = [str(problem) for problem in err.problems]
    finally:
        sys.setprofile(None)
    return total, problems


def test_reporting_unknown_references_is_linear_too() -> None:
    (small, _), (large, problems) = calls_to_report(150), calls_to_report(1500)
    assert len(problems) == 1500
    # a long list of names is cut short instead of repeated in full on every line
    assert problems[0].endswith("configured sources: src0, src1, src2, src3, src4, src5, src6, src7, src8, src9 "
                                "and 1490 more")
    assert large < 12 * small, f"1500 unknown references took {large / small:.1f}x the calls of 150"
