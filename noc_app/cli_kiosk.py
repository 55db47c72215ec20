"""`noc-app kiosk-pin`: read a PIN twice without echo, print the `pin_hash:` line for the kiosk config.

The PIN itself is never printed or logged; only its salted scrypt hash (noc_app.kiosk_pin).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from noc_app.kiosk_pin import hash_pin, pin_problem

EXIT_OK, EXIT_USAGE = 0, 2


def build_kiosk_pin_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="noc-app kiosk-pin",
        description="Read the kiosk exit PIN twice (not echoed) and print the line to paste under `kiosk:`.",
    )
    p.add_argument("--stdin", action="store_true",
                   help="read the PIN twice from standard input, one per line (scripts; still never echoed)")
    return p


def _stdin_reader(_prompt: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def run_kiosk_pin(args: argparse.Namespace, read_secret: Callable[[str], str] = getpass.getpass) -> int:
    reader = _stdin_reader if args.stdin else read_secret
    try:
        pin = reader("Kiosk exit PIN: ")
        again = reader("Same PIN again: ")
    except (EOFError, KeyboardInterrupt):
        print("noc-app kiosk-pin: no PIN read", file=sys.stderr)
        return EXIT_USAGE
    if pin != again:
        print("noc-app kiosk-pin: the two PINs differ; nothing written", file=sys.stderr)
        return EXIT_USAGE
    if (problem := pin_problem(pin)) is not None:
        print(f"noc-app kiosk-pin: {problem}", file=sys.stderr)
        return EXIT_USAGE
    print(f"  pin_hash: {hash_pin(pin)}")
    print("(paste under `kiosk:` in the wall config; the PIN itself is stored nowhere)", file=sys.stderr)
    return EXIT_OK
