"""The kiosk's exit PIN: a salted scrypt hash in the config, and a growing delay after wrong PINs.

Only the hash line is stored (`scrypt$n$r$p$salt$hash`, salt and hash in unpadded
base64); `noc-app kiosk-pin` makes it.  Checking is pure: `PinGate` takes the clock
as an argument, so the delay after each wrong PIN is tested without waiting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "scrypt"
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**14, 8, 1  # ~16 MiB, tens of ms: slow for a guesser, fine for a wall PC
SALT_BYTES = 16
HASH_BYTES = 32
MAX_N = 2**20  # a config cannot make the wall spend a gigabyte checking a PIN
MAX_RP = 16
MIN_PIN_DIGITS = 4
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 300.0


class PinHashError(ValueError):
    """A pin_hash line that is not `scrypt$n$r$p$salt$hash` with sane parameters."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PinHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _derive(pin: str, n: int, r: int, p: int, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n + 2**20,
                          dklen=HASH_BYTES)


def pin_problem(pin: str) -> str | None:
    """Why a new PIN is refused (None: fine)."""
    if len(pin) < MIN_PIN_DIGITS:
        return f"a PIN needs at least {MIN_PIN_DIGITS} characters"
    if pin != pin.strip():
        return "a PIN must not start or end with a space"
    return None


def hash_pin(pin: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P,
             salt: bytes | None = None) -> str:
    """The line to paste as `kiosk.pin_hash`."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(_derive(pin, n, r, p, salt))}"


def parse_pin_hash(line: str) -> PinHash:
    parts = line.strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PinHashError("expected scrypt$N$r$p$salt$hash (make one with `noc-app kiosk-pin`)")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError as exc:
        raise PinHashError("N, r and p must be whole numbers, salt and hash base64") from exc
    if n < 2 or n & (n - 1) or n > MAX_N:
        raise PinHashError(f"N must be a power of two between 2 and {MAX_N}, got {n}")
    if not (1 <= r <= MAX_RP and 1 <= p <= MAX_RP):
        raise PinHashError(f"r and p must be between 1 and {MAX_RP}")
    if len(salt) < 8 or len(digest) != HASH_BYTES:
        raise PinHashError(f"the salt needs at least 8 bytes and the hash {HASH_BYTES}")
    return PinHash(n=n, r=r, p=p, salt=salt, digest=digest)


def verify_pin(pin: str, line: str) -> bool:
    stored = parse_pin_hash(line)
    return hmac.compare_digest(_derive(pin, stored.n, stored.r, stored.p, stored.salt), stored.digest)


def failure_delay_s(failures: int) -> float:
    """How long the prompt refuses input after this many wrong PINs in a row: 0, 1, 2, 4, ... 300 s."""
    if failures <= 0:
        return 0.0
    return min(MAX_DELAY_S, FIRST_DELAY_S * 2.0 ** min(failures - 1, 30))


@dataclass(frozen=True, kw_only=True, slots=True)
class PinVerdict:
    accepted: bool
    wait_s: float = 0.0  # refused: try again after this long
    too_soon: bool = False  # refused without checking: the delay of the last failure has not passed


class PinGate:
    """Counts wrong PINs and enforces the growing delay; the clock is passed in (monotonic seconds)."""

    def __init__(self, pin_hash: str) -> None:
        parse_pin_hash(pin_hash)  # fail now, not at the first attempt
        self._pin_hash = pin_hash
        self.failures = 0
        self._open_at = 0.0

    def wait_s(self, now: float) -> float:
        return max(0.0, self._open_at - now)

    def attempt(self, pin: str, now: float) -> PinVerdict:
        if (wait := self.wait_s(now)) > 0:
            return PinVerdict(accepted=False, wait_s=wait, too_soon=True)
        if verify_pin(pin, self._pin_hash):
            self.failures = 0
            self._open_at = 0.0
            return PinVerdict(accepted=True)
        self.failures += 1
        delay = failure_delay_s(self.failures)
        self._open_at = now + delay
        return PinVerdict(accepted=False, wait_s=delay)
