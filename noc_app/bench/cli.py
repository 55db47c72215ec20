"""`noc-app bench`: options, and what a run prints.

    noc-app bench                               # every standard scenario, human table
    noc-app bench --scenario wall-24 --json     # JSON lines (table on stderr)
    noc-app bench --config wall.yaml            # the user's own wall vs the baseline
    noc-app bench --scenario wall-24 --peer-json  # one line for ../peer-bench's run_both.sh

Each scenario runs in fresh child processes; see noc_app.bench.runner.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from noc_app.bench.scenario import EXTRA_SCENARIOS, SCENARIOS, RunOptions
from noc_app.cli_types import (
    positive_float,
    positive_int,
    positive_seconds,
    seconds,
    size,
)

EXIT_OK, EXIT_CHILD_FAILED, EXIT_USAGE, EXIT_GOAL_FAILED = 0, 1, 2, 3
# The peer benchmark passes its settings through the environment (run_both.sh).
PEER_ENV = {"N": "points", "HZ": "hz", "PANELS": "panels", "WARMUP": "warmup", "DURATION": "duration"}


_PEER_PARSERS = {
    "points": positive_int, "panels": positive_int, "hz": positive_float,
    "warmup": seconds, "duration": positive_seconds,
}


def build_bench_parser() -> argparse.ArgumentParser:
    """The `noc-app bench` argument parser."""
    names = [*SCENARIOS, *EXTRA_SCENARIOS]
    p = argparse.ArgumentParser(
        prog="noc-app bench",
        description="Measure the wall's CPU, memory, GUI-thread time and latencies against a baseline "
        "measured in the same run (results are ratios, not absolute times).",
        epilog=f"scenarios: {', '.join(names)} (config: the wall given with --config). "
        "Each scenario runs in fresh child processes, app and baseline alternating.",
    )
    p.add_argument("--scenario", action="append", metavar="NAME", choices=[*names, "all"],
                   help="scenario to run (repeatable); default: all standard ones, or 'config' with --config")
    p.add_argument("--config", "-c", metavar="FILE",
                   help="measure your own wall (fed by its real sources) against the baseline")
    p.add_argument("--duration", type=positive_seconds, metavar="S",
                   help="measured window in seconds (scenario default)")
    p.add_argument("--warmup", type=seconds, metavar="S", help="warm-up before the window (scenario default)")
    p.add_argument("--size", type=size, metavar="WxH", help="window size (default 3840x2160)")
    p.add_argument("--panels", type=positive_int, metavar="N", help="time-series panels (default 24)")
    p.add_argument("--points", type=positive_int, metavar="N", help="points per series (default 3600)")
    p.add_argument("--hz", type=positive_float, metavar="F", help="updates per second (default 1)")
    p.add_argument("--repeat", type=positive_int, default=1, metavar="N",
                   help="alternate app and baseline N times; medians are reported (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object per metric (the table goes to stderr)")
    p.add_argument("--peer-json", action="store_true",
                   help="wall-24 app side only: print the one JSON line ../peer-bench's run_both.sh expects "
                   "(reads N HZ PANELS WARMUP DURATION from the environment)")
    p.add_argument("--smoke", action="store_true",
                   help="3 s per scenario with a tiny warm-up (CI); the numbers mean nothing")
    p.add_argument("--out", metavar="DIR",
                   help="write a screenshot of every wall measured, and every child's raw result")
    p.add_argument("--profile", metavar="DIR",
                   help="write cProfile stats of the app's timed GUI-thread spans here (wall and ingest scenarios)")
    p.add_argument("--onscreen", action="store_true", help="use the real display instead of offscreen rendering")
    p.add_argument("--check", action="store_true", help=f"exit {EXIT_GOAL_FAILED} when a goal fails")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--child-params", default="{}", help=argparse.SUPPRESS)
    return p


def _options(args: argparse.Namespace) -> RunOptions:
    values = {
        "points": args.points, "hz": args.hz, "panels": args.panels,
        "warmup": args.warmup, "duration": args.duration,
    }
    if args.peer_json:
        for env_name, key in PEER_ENV.items():
            text = os.environ.get(env_name, "").strip()
            if values[key] is None and text:
                values[key] = _PEER_PARSERS[key](text)
    return RunOptions(
        duration_s=values["duration"], warmup_s=values["warmup"], size=args.size, panels=values["panels"],
        points=values["points"], hz=values["hz"], smoke=args.smoke, out_dir=args.out, profile_dir=args.profile,
        config_path=args.config, onscreen=args.onscreen, repeat=args.repeat,
    )


def _selected(args: argparse.Namespace) -> list[str]:
    chosen = args.scenario or (["config"] if args.config else ["all"])
    names: list[str] = []
    for name in chosen:
        for expanded in (list(SCENARIOS) if name == "all" else [name]):
            if expanded not in names:
                names.append(expanded)
    return names


def run_bench(args: argparse.Namespace) -> int:
    """Run the chosen scenarios and print the table and/or JSON; the exit status says how it went."""
    from noc_app.bench import runner

    if args.child:
        name, _, side = args.child.partition(":")
        return runner.run_in_child(name, side, json.loads(args.child_params))
    if args.list:
        from noc_app.bench.scenario import get_scenario

        for name in [*SCENARIOS, *EXTRA_SCENARIOS]:
            print(f"{name:16} {get_scenario(name).summary}")
        return EXIT_OK
    try:
        opts = _options(args)
    except argparse.ArgumentTypeError as err:
        print(f"noc-app bench: bad peer-bench environment setting: {err}", file=sys.stderr)
        return EXIT_USAGE
    names = _selected(args)
    if "config" in names and not args.config:
        print("noc-app bench: --scenario config needs --config FILE", file=sys.stderr)
        return EXIT_USAGE
    if args.config and not os.path.isfile(args.config):
        print(f"noc-app bench: --config {args.config}: no such file", file=sys.stderr)
        return EXIT_USAGE
    if args.peer_json:
        return _peer_json(names, opts)
    return _run_all(names, opts, as_json=args.json, check=args.check)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _run_all(names: list[str], opts: RunOptions, *, as_json: bool, check: bool) -> int:
    from noc_app.bench import report, runner

    metrics: list[report.Metric] = []
    errors: list[str] = []
    for name in names:
        outcome = runner.run_scenario(name, opts, progress=_progress)
        if outcome.error:
            errors.append(outcome.error)
            _progress(f"{name} FAILED: {outcome.error}")
            continue
        metrics.extend(outcome.metrics)
        if opts.out_dir:  # every child's raw result, next to the screenshots
            os.makedirs(opts.out_dir, exist_ok=True)
            with open(os.path.join(opts.out_dir, f"results-{name}.json"), "w") as f:
                json.dump(outcome.results, f, indent=1)
        if as_json:  # stream: a long run shows results as they come
            for line in report.json_lines(outcome.metrics):
                print(line, flush=True)
    text = report.table(metrics)
    if errors:
        text += "\nfailed scenarios:\n" + "\n".join(f"  {e.splitlines()[0]}" for e in errors)
    print(text, file=sys.stderr if as_json else sys.stdout, flush=True)
    if errors:
        return EXIT_CHILD_FAILED
    if check and any(m.passed is False for m in metrics):
        return EXIT_GOAL_FAILED
    return EXIT_OK


def _peer_json(names: list[str], opts: RunOptions) -> int:
    from noc_app.bench import runner
    from noc_app.bench.scenario import get_scenario

    if len(names) != 1 or not names[0].startswith("wall-24"):
        print("noc-app bench: --peer-json measures one time-series wall: use --scenario wall-24", file=sys.stderr)
        return EXIT_USAGE
    scenario = get_scenario(names[0])
    app_runs = [run for run in scenario.plan(opts) if run.side == "app"]
    try:
        result = runner.run_child_process(names[0], app_runs[0], opts)
    except runner.ChildFailed as exc:
        print(f"noc-app bench: {exc}", file=sys.stderr)
        return EXIT_CHILD_FAILED
    print(json.dumps(result["peer"]), flush=True)
    return EXIT_OK
