"""The shipped sounds (sounds/p0.wav .. p3.wav), synthesised: soft sine chimes, one per priority.

Regenerate with `python -m noc_app.attention.tones`; a test checks the committed files equal this output.
Each is under a second of 8 kHz mono 16-bit PCM (a few kB), peaks at a third of full scale and fades in and
out, so a room hears a chime, not an alarm clock.  The worse the priority, the more notes and the higher.
"""

from __future__ import annotations

import io
import math
import struct
import sys
import wave
from importlib import resources
from pathlib import Path

RATE = 8000
PEAK = 0.33
NOTE_S = 0.16
GAP_S = 0.05
# Notes (Hz) per sound, worst first: P0 rises three times, P1 twice, P2 falls, P3 one low note.
TUNES: dict[str, tuple[float, ...]] = {
    "p0": (660.0, 880.0, 1046.5),
    "p1": (587.3, 784.0),
    "p2": (659.3, 523.3),
    "p3": (440.0,),
}


def _note(freq: float, seconds: float) -> list[float]:
    n = int(RATE * seconds)
    fade = max(1, int(RATE * 0.02))
    samples = []
    for i in range(n):
        envelope = min(1.0, i / fade, (n - i) / fade) * math.exp(-2.5 * i / n)
        # a little of the octave makes it a chime rather than a beep
        value = math.sin(2 * math.pi * freq * i / RATE) + 0.25 * math.sin(4 * math.pi * freq * i / RATE)
        samples.append(PEAK * envelope * value / 1.25)
    return samples


def tune_wav(notes: tuple[float, ...]) -> bytes:
    samples: list[float] = []
    for freq in notes:
        samples += _note(freq, NOTE_S)
        samples += [0.0] * int(RATE * GAP_S)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", round(s * 32767)) for s in samples))
    return buffer.getvalue()


def shipped_sound(rank: int) -> Path:
    """The shipped sound for a priority's rank (0 = worst); ranks past P3 use P3's."""
    name = f"p{min(max(rank, 0), len(TUNES) - 1)}.wav"
    return Path(str(resources.files("noc_app.attention") / "sounds" / name))


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, notes in TUNES.items():
        path = folder / f"{name}.wav"
        path.write_bytes(tune_wav(notes))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all(Path(__file__).with_name("sounds")):
        print(path, path.stat().st_size, "bytes", file=sys.stderr)
