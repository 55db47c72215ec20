"""The kiosk exit PIN: hash round trip, the growing delay (injected clock), the config section, the command."""

from __future__ import annotations

import argparse
import itertools
import textwrap

import pytest

from noc_app.cli_kiosk import run_kiosk_pin
from noc_app.config.kiosk_section import chord_problem
from noc_app.config.loader import ConfigError, load_config_text
from noc_app.kiosk_pin import (
    PinGate,
    PinHashError,
    failure_delay_s,
    hash_pin,
    parse_pin_hash,
    verify_pin,
)

FAST = {"n": 2**4, "r": 1, "p": 1}  # the tests' hashes: same code path, cheap parameters


def test_round_trip() -> None:
    line = hash_pin("4711", **FAST)
    assert line.startswith("scrypt$16$1$1$")
    assert "4711" not in line
    assert verify_pin("4711", line)
    assert not verify_pin("4712", line)
    assert not verify_pin("", line)


def test_default_parameters_are_slow_ones() -> None:
    stored = parse_pin_hash(hash_pin("4711"))
    assert (stored.n, stored.r, stored.p) == (2**14, 8, 1)


def test_salted() -> None:
    assert hash_pin("4711", **FAST) != hash_pin("4711", **FAST)


@pytest.mark.parametrize("line", [
    "", "4711", "bcrypt$16$1$1$AAAAAAAAAAA$AAAA", "scrypt$15$1$1$c2FsdHNhbHQ$" + "A" * 43,
    "scrypt$16$1$1$c2FsdHNhbHQ$short", "scrypt$x$1$1$c2FsdHNhbHQ$" + "A" * 43,
    "scrypt$2097152$1$1$c2FsdHNhbHQ$" + "A" * 43,
])
def test_bad_hash_lines(line: str) -> None:
    with pytest.raises(PinHashError):
        parse_pin_hash(line)


def test_delay_grows_and_caps() -> None:
    delays = [failure_delay_s(n) for n in range(12)]
    assert delays[:5] == [0.0, 1.0, 2.0, 4.0, 8.0]
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert failure_delay_s(1000) == 300.0


def test_gate_enforces_the_delay_with_an_injected_clock() -> None:
    gate = PinGate(hash_pin("4711", **FAST))
    first = gate.attempt("0000", now=100.0)
    assert not first.accepted and first.wait_s == 1.0
    early = gate.attempt("4711", now=100.5)  # the right PIN, too soon: not even checked
    assert not early.accepted and early.too_soon and early.wait_s == pytest.approx(0.5)
    second = gate.attempt("1111", now=101.0)
    assert second.wait_s == 2.0 and gate.failures == 2
    third = gate.attempt("2222", now=103.0)
    assert third.wait_s == 4.0
    assert gate.attempt("4711", now=107.0).accepted
    assert gate.failures == 0


def _kiosk_config(section: str):
    text = textwrap.dedent("""
        title: t
        sources: [{id: demo, kind: demo}]
        dashboards: [{id: one, title: One, panels: [{id: c, kind: clock, title: Clock}]}]
    """) + section
    return load_config_text(text, filename="wall.yaml")


def test_config_section() -> None:
    line = hash_pin("4711", **FAST)
    config = _kiosk_config(f"kiosk:\n  exit_chord: Ctrl+Shift+F12\n  pin_hash: {line}\n")
    assert config.kiosk.exit_chord == "Ctrl+Shift+F12"
    assert config.kiosk.pin_hash == line
    assert _kiosk_config("").kiosk.pin_hash is None
    assert _kiosk_config("").kiosk.exit_chord == "Ctrl+Alt+Q"


def test_config_errors_name_the_key_without_the_hash() -> None:
    with pytest.raises(ConfigError) as info:
        _kiosk_config("kiosk:\n  exit_chord: Q\n  pin_hash: scrypt$16$1$1$c2VjcmV0c2FsdA$tooshort\n")
    text = str(info.value)
    assert "kiosk.exit_chord" in text and "kiosk.pin_hash" in text
    assert "tooshort" not in text


@pytest.mark.parametrize(("chord", "ok"), [
    ("Ctrl+Alt+Q", True), ("Ctrl+Shift+F12", True), ("Q", False), ("Ctrl+", False), ("Hyper+Q", False),
    ("Ctrl+Alt", False),
])
def test_chord_syntax(chord: str, ok: bool) -> None:
    assert (chord_problem(chord) is None) is ok


def test_command_prints_a_verifiable_line(capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter(["27182", "27182"])
    assert run_kiosk_pin(argparse.Namespace(stdin=False), read_secret=lambda _prompt: next(answers)) == 0
    out, err = capsys.readouterr()
    line = out.strip().removeprefix("pin_hash:").strip()
    assert verify_pin("27182", line)
    assert "27182" not in out + err


@pytest.mark.parametrize("answers", [["1234", "1235"], ["12", "12"]])
def test_command_refuses(answers: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    given = iter(answers)
    assert run_kiosk_pin(argparse.Namespace(stdin=False), read_secret=lambda _prompt: next(given)) == 2
    out, _err = capsys.readouterr()
    assert out == ""


def test_command_end_to_end_with_stdin(tmp_path) -> None:
    """The installed entry point: the printed line loads as the config's pin_hash and verifies."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "noc_app", "kiosk-pin", "--stdin"], input="8080\n8080\n",
                          capture_output=True, text=True, timeout=60, check=True)
    assert "8080" not in done.stdout + done.stderr
    line = done.stdout.strip().removeprefix("pin_hash:").strip()
    config = _kiosk_config(f"kiosk:\n  pin_hash: {line}\n")
    assert config.kiosk.pin_hash is not None and verify_pin("8080", config.kiosk.pin_hash)


def test_the_snapshot_carries_no_pin_hash() -> None:
    import json

    from noc_app.store import Store
    from noc_app.wall_state import wall_state

    line = hash_pin("4711", **FAST)
    config = _kiosk_config(f"mode: kiosk\nkiosk:\n  pin_hash: {line}\n")
    store = Store()
    store.register("demo", "demo", 15.0)
    text = json.dumps(wall_state(config, {"demo": None}, {"demo": store.status("demo")}, 1_700_000_000.0))
    assert line.split("$")[-1] not in text and "pin_hash" not in text
