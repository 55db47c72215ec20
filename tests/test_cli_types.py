"""CLI values: argparse refuses what would crash or hang later, with its usual message and exit 2."""

from __future__ import annotations

import contextlib
import io
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from noc_app.bench.cli import build_bench_parser
from noc_app.cli import build_parser, build_subparser
from noc_app.cli_types import MAX_PIXELS, MAX_SCREEN, MAX_SECONDS

SECONDS = "(expected seconds like 10 or 2.5, more than 0 and at most 604800)"
# --after may be 0: render or print what the wall has at once (a LOADING wall, on purpose)
AFTER = "(expected seconds like 10 or 2.5, from 0 to 604800)"
SIZE = "(expected WIDTHxHEIGHT like 3840x2160, each from 1 to 16384)"
SCREEN = "(expected a monitor number from 0 to 63)"


def parser_for(command: str):
    if command == "wall":
        return build_parser()
    if command == "bench":
        return build_bench_parser()
    return build_subparser(command)


def refusal(command: str, argv: list[str]) -> str:
    """The last stderr line argparse prints when it refuses argv (it must exit 2)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as info:
        parser_for(command).parse_args(argv)
    assert info.value.code == 2
    return err.getvalue().strip().splitlines()[-1]


CLI_CASES = [
    ("wall", ["--exit-after", "nan"], f"noc-app: error: argument --exit-after: invalid seconds value: 'nan' {SECONDS}"),
    ("wall", ["--exit-after", "inf"], f"noc-app: error: argument --exit-after: invalid seconds value: 'inf' {SECONDS}"),
    ("wall", ["--exit-after", "1e10"],
     f"noc-app: error: argument --exit-after: invalid seconds value: '1e10' {SECONDS}"),
    ("wall", ["--exit-after", "0"], f"noc-app: error: argument --exit-after: invalid seconds value: '0' {SECONDS}"),
    ("wall", ["--exit-after", "-5"], f"noc-app: error: argument --exit-after: invalid seconds value: '-5' {SECONDS}"),
    ("wall", ["--exit-after", "soon"],
     f"noc-app: error: argument --exit-after: invalid seconds value: 'soon' {SECONDS}"),
    ("wall", ["--screen", "-1"], f"noc-app: error: argument --screen: invalid screen value: '-1' {SCREEN}"),
    ("wall", ["--screen", "64"], f"noc-app: error: argument --screen: invalid screen value: '64' {SCREEN}"),
    ("wall", ["--screen", "1e20"], f"noc-app: error: argument --screen: invalid screen value: '1e20' {SCREEN}"),
    ("snapshot", ["--after", "nan"],
     f"noc-app snapshot: error: argument --after: invalid seconds value: 'nan' {AFTER}"),
    ("snapshot", ["--after=-inf"],
     f"noc-app snapshot: error: argument --after: invalid seconds value: '-inf' {AFTER}"),
    ("screenshot", ["--after", "1e10"],
     f"noc-app screenshot: error: argument --after: invalid seconds value: '1e10' {AFTER}"),
    ("screenshot", ["--size", "00x00"], f"noc-app screenshot: error: argument --size: invalid size value: '00x00' {SIZE}"),
    ("screenshot", ["--size", "16385x10"],
     f"noc-app screenshot: error: argument --size: invalid size value: '16385x10' {SIZE}"),
    ("screenshot", ["--size=-1x5"], f"noc-app screenshot: error: argument --size: invalid size value: '-1x5' {SIZE}"),
    ("bench", ["--duration", "inf"], f"noc-app bench: error: argument --duration: invalid seconds value: 'inf' {SECONDS}"),
    ("bench", ["--warmup", "nan"],
     ("noc-app bench: error: argument --warmup: invalid seconds value: 'nan' "
     "(expected seconds like 10 or 2.5, from 0 to 604800)")),
    ("bench", ["--panels", "99999999999"],
     ("noc-app bench: error: argument --panels: invalid count value: '99999999999' "
     "(expected a whole number from 1 to 10000000)")),
    ("bench", ["--hz", "nan"],
     ("noc-app bench: error: argument --hz: invalid number value: 'nan' "
     "(expected a number like 1 or 0.5, more than 0 and at most 1000)")),
    ("bench", ["--size", "0x100"], f"noc-app bench: error: argument --size: invalid size value: '0x100' {SIZE}"),
]


@pytest.mark.parametrize(("command", "argv", "message"), CLI_CASES, ids=[" ".join(c[1]) for c in CLI_CASES])
def test_hostile_cli_values_are_refused_with_argparse_message(command: str, argv: list[str], message: str) -> None:
    assert refusal(command, argv) == message


def test_good_cli_values_are_accepted() -> None:
    args = build_parser().parse_args(["--exit-after", "60s", "--screen", "63"])
    assert (args.exit_after, args.screen) == (60.0, 63)
    shot = build_subparser("screenshot").parse_args(["--size", "1x16384", "--after", "0.5"])
    assert (shot.size, shot.after) == ((1, 16384), 0.5)
    assert build_bench_parser().parse_args(["--warmup", "0"]).warmup == 0.0


def test_refusal_from_the_real_command_is_exit_2_without_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "noc_app", "snapshot", "--after", "nan"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"noc-app snapshot: error: argument --after: invalid seconds value: 'nan' {AFTER}"
    )


OPTIONS = [
    ("wall", "--exit-after"), ("wall", "--screen"), ("snapshot", "--after"), ("screenshot", "--after"),
    ("screenshot", "--size"), ("bench", "--duration"), ("bench", "--warmup"), ("bench", "--size"),
    ("bench", "--panels"), ("bench", "--hz"),
]
cli_text = st.one_of(
    st.text(max_size=24),
    st.floats().map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.tuples(st.integers(-5, 10**6), st.integers(-5, 10**6)).map(lambda wh: f"{wh[0]:02d}x{wh[1]:02d}"),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "1e10", "1e308", "1e400", "0x10", "1_0", " 5 ", "5s", "٣", "1e-400"]),
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(OPTIONS), cli_text)
def test_any_cli_string_is_a_bounded_value_or_exit_2(option: tuple[str, str], text: str) -> None:
    command, flag = option
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            args = parser_for(command).parse_args([f"{flag}={text}"])  # '=': a leading '-' stays a value
    except SystemExit as exit_:
        assert exit_.code == 2
        assert f"argument {flag}: invalid" in err.getvalue()
        return
    value = getattr(args, flag.lstrip("-").replace("-", "_"))
    if isinstance(value, tuple):
        assert all(1 <= side <= MAX_PIXELS for side in value)
    elif flag == "--screen":
        assert 0 <= value <= MAX_SCREEN
    else:
        assert math.isfinite(value) and 0 <= value <= max(MAX_SECONDS, 10_000_000)
