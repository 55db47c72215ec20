"""The sound player seam: `Player.play(path)`.  The wall's is a player command (pw-play, paplay or aplay).

Why a command and not QtMultimedia: QtMultimedia is in PySide6-Addons (a download several times the size of
the rest of the app) and needs a working multimedia backend on the wall PC; every desktop Linux already has
one of these players (PipeWire, PulseAudio or ALSA utilities), it runs in its own process (a stuck audio
device never freezes the wall's GUI thread), and the command is configurable (`attention.player`).
Without any player the wall runs silent and says so once in the log.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from noc_app.redaction import redact

log = logging.getLogger(__name__)
AUTO_PLAYERS = (("pw-play",), ("paplay",), ("aplay", "-q"))
MAX_RUNNING = 4  # sounds still playing; past it a new one is skipped (a hung player must not pile up)


class Player(Protocol):
    def play(self, sound: Path, /) -> None: ...


class SilentPlayer:
    """No player available: nothing sounds (said once, when chosen)."""

    def play(self, sound: Path, /) -> None:
        return None


Launcher = Callable[[list[str]], "subprocess.Popen[bytes]"]


def _launch(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


class CommandPlayer:
    """Runs `command + [file]` without waiting; finished players are reaped at the next play."""

    def __init__(self, command: Sequence[str], launch: Launcher = _launch) -> None:
        self.command = tuple(command)
        self._launch = launch
        self._running: list[subprocess.Popen[bytes]] = []
        self._failed = False

    def play(self, sound: Path, /) -> None:
        self._running = [p for p in self._running if p.poll() is None]
        if len(self._running) >= MAX_RUNNING:
            log.warning("sound skipped: %d players still running (%s)", len(self._running), self.command[0])
            return
        try:
            self._running.append(self._launch([*self.command, str(sound)]))
        except OSError as exc:
            if not self._failed:  # once: a wall repeating a sound must not fill the journal
                log.warning("cannot play sounds with %s: %s", self.command[0], redact(str(exc)))
            self._failed = True


def choose_player(
    command: Sequence[str], which: Callable[[str], str | None] = shutil.which, *, missing_level: int = logging.WARNING,
) -> Player:
    """The configured command, else the first of pw-play, paplay, aplay found on PATH, else silence.

    `missing_level`: how loudly to say there is none (a wall whose config asks for sounds warns; the
    built-in defaults only note it, so the demo's first run prints nothing but its banner).
    """
    candidates = (tuple(command),) if command else AUTO_PLAYERS
    for candidate in candidates:
        if which(candidate[0]) is not None:
            return CommandPlayer(candidate)
    names = ", ".join(c[0] for c in candidates)
    log.log(missing_level, "no sound player found (%s): the wall stays silent; install pipewire-bin or "
            "pulseaudio-utils, or set attention.player", names)
    return SilentPlayer()
