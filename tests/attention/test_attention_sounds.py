"""The shipped sounds (tiny, distinct, soft, equal to their generator, in the wheel) and the player command."""

from __future__ import annotations

import io
import struct
import tomllib
import wave
from pathlib import Path

import pytest

from noc_app.attention.player import CommandPlayer, SilentPlayer, choose_player
from noc_app.attention.tones import TUNES, shipped_sound, tune_wav

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("rank", range(4))
def test_shipped_sounds_are_the_generators_output_tiny_and_soft(rank):
    path = shipped_sound(rank)
    data = path.read_bytes()
    assert data == tune_wav(TUNES[f"p{rank}"]), "regenerate: python -m noc_app.attention.tones"
    assert len(data) < 16_000
    with wave.open(io.BytesIO(data)) as wav:
        frames = wav.readframes(wav.getnframes())
        assert wav.getnchannels() == 1 and wav.getnframes() / wav.getframerate() < 1.0
    peak = max(abs(v) for (v,) in struct.iter_unpack("<h", frames))
    assert 0.2 * 32767 < peak < 0.4 * 32767  # audible, far from full scale


def test_each_priority_sounds_different_and_ranks_past_p3_use_p3():
    assert len({shipped_sound(r).read_bytes() for r in range(4)}) == 4
    assert shipped_sound(7) == shipped_sound(3)


def test_the_sounds_are_package_data_of_the_wheel():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = project["tool"]["setuptools"]
    assert "noc_app.attention" in setuptools["packages"]
    assert "sounds/*.wav" in setuptools["package-data"]["noc_app.attention"]


class FakeProcess:
    def __init__(self, argv, running=True):
        self.argv, self.running = argv, running

    def poll(self):
        return None if self.running else 0


def test_command_player_appends_the_file_and_never_waits():
    launched = []
    player = CommandPlayer(("paplay",), launch=lambda argv: launched.append(FakeProcess(argv)) or launched[-1])
    player.play(Path("/x/p0.wav"))
    assert launched[0].argv == ["paplay", "/x/p0.wav"]


def test_a_hung_player_does_not_pile_up_and_a_missing_one_is_said_once(caplog):
    launched = []
    player = CommandPlayer(("paplay",), launch=lambda argv: launched.append(FakeProcess(argv)) or launched[-1])
    for _ in range(6):
        player.play(Path("p0.wav"))
    assert len(launched) == 4
    for process in launched:
        process.running = False
    player.play(Path("p0.wav"))
    assert len(launched) == 5

    def broken(argv):
        raise FileNotFoundError(2, "No such file or directory", argv[0])

    failing = CommandPlayer(("pw-play",), launch=broken)
    failing.play(Path("p0.wav"))
    failing.play(Path("p0.wav"))
    assert sum("cannot play sounds" in r.message for r in caplog.records) == 1


def test_choose_player_configured_then_auto_then_silent():
    assert choose_player(("mpv", "--no-video"), which=lambda name: "/usr/bin/" + name).command == ("mpv", "--no-video")
    auto = choose_player((), which=lambda name: "/usr/bin/paplay" if name == "paplay" else None)
    assert isinstance(auto, CommandPlayer) and auto.command == ("paplay",)
    assert isinstance(choose_player((), which=lambda name: None), SilentPlayer)


def test_a_missing_player_warns_when_the_config_asks_for_sounds_and_only_notes_it_for_the_defaults(caplog):
    import logging

    caplog.set_level(logging.INFO, logger="noc_app.attention.player")
    choose_player((), which=lambda name: None)
    choose_player((), which=lambda name: None, missing_level=logging.INFO)
    levels = [r.levelno for r in caplog.records if "no sound player" in r.getMessage()]
    assert levels == [logging.WARNING, logging.INFO]
