"""A journal we write ourselves, served by a real systemd-journal-gatewayd.

Entries are written in the Journal Export Format, turned into a journal file by
systemd-journal-remote, and served by gatewayd from that directory.  gatewayd
has no listen-address flag (it is socket-activated or binds 19531), so we bind
a loopback socket ourselves and hand it over as fd 3 (servers.Server does the
LISTEN_FDS/LISTEN_PID part): no port race, no fixed port.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from servers import JOURNAL_GATEWAYD, JOURNAL_REMOTE, LOOPBACK, Server, ServerFailed, require


@dataclass(frozen=True, kw_only=True, slots=True)
class JournalEntry:
    """One entry written into the test journal (journal export format)."""

    message: str
    priority: int
    unit: str
    realtime_us: int
    identifier: str = ""  # SYSLOG_IDENTIFIER; default: the unit name without ".service"
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def syslog_identifier(self) -> str:
        return self.identifier or self.unit.removesuffix(".service")


def _id128(path: str, fallback: str) -> str:
    try:
        text = Path(path).read_text().strip().replace("-", "")
    except OSError:
        return fallback
    return text if len(text) == 32 else fallback


def export_format(entries: Iterable[JournalEntry]) -> bytes:
    """Entries in systemd's Journal Export Format (multi-line values in binary form)."""
    # This machine's real boot and machine ids, so `?boot` filters keep the entries.
    boot_id = _id128("/proc/sys/kernel/random/boot_id", "0123456789abcdef0123456789abcdef")
    machine_id = _id128("/etc/machine-id", "fedcba9876543210fedcba9876543210")
    monotonic_base = time.clock_gettime(time.CLOCK_MONOTONIC)
    wall_base = time.time()
    out = bytearray()
    for entry in entries:
        monotonic_us = max(1, int((monotonic_base - (wall_base - entry.realtime_us / 1e6)) * 1e6))
        fields = {
            "__REALTIME_TIMESTAMP": str(entry.realtime_us),
            "__MONOTONIC_TIMESTAMP": str(monotonic_us),
            "_BOOT_ID": boot_id,
            "_MACHINE_ID": machine_id,
            "_HOSTNAME": "noc-test-host",
            "_TRANSPORT": "journal",
            "_SYSTEMD_UNIT": entry.unit,
            "SYSLOG_IDENTIFIER": entry.syslog_identifier,
            "PRIORITY": str(entry.priority),
            "MESSAGE": entry.message,
            **entry.extra,
        }
        for name, value in fields.items():
            data = value.encode()
            if b"\n" in data:
                out += name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
            else:
                out += name.encode() + b"=" + data + b"\n"
        out += b"\n"
    return bytes(out)


def build_journal(entries: Sequence[JournalEntry], output: Path) -> Path:
    """Write entries into a new journal file with systemd-journal-remote."""
    remote = require(JOURNAL_REMOTE)
    export_path = output.with_suffix(".export")
    export_path.write_bytes(export_format(entries))
    result = subprocess.run(
        [remote, f"--output={output}", str(export_path)],
        capture_output=True, text=True, timeout=30, check=False,
    )
    if result.returncode != 0 or not output.exists():
        raise ServerFailed(f"systemd-journal-remote failed ({result.returncode}): {result.stderr.strip()}")
    return output


@dataclass(eq=False, kw_only=True)
class JournalGateway:
    """systemd-journal-gatewayd serving a directory of journal files we wrote."""

    server: Server
    directory: Path
    staging: Path
    entries: list[JournalEntry]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Add entries as a new journal file; moved in whole so gatewayd never sees half a file."""
        name = f"append-{len(list(self.directory.glob('*.journal')))}.journal"
        built = build_journal(entries, self.staging / name)
        os.replace(built, self.directory / name)
        self.entries.extend(entries)


def journal_gateway(workdir: Path, entries: Sequence[JournalEntry]) -> JournalGateway:
    """Build a journal from entries; gatewayd will serve it on a pre-bound loopback socket (call .server.start())."""
    gatewayd = require(JOURNAL_GATEWAYD)
    directory = workdir / "journal"
    staging = workdir / "staging"
    directory.mkdir(parents=True)
    staging.mkdir(parents=True)
    build_journal(entries, staging / "remote.journal")
    os.replace(staging / "remote.journal", directory / "remote.journal")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    sock.listen(64)
    server = Server(
        name="journal_gatewayd",
        argv=[gatewayd, f"--directory={directory}"],
        port=sock.getsockname()[1],
        workdir=workdir,
        ready_path="/machine",
        listen_socket=sock,
    )
    return JournalGateway(server=server, directory=directory, staging=staging, entries=list(entries))


def default_journal_entries(now: float | None = None) -> list[JournalEntry]:
    """A small, known journal: every priority, three units, one multi-line message."""
    now_us = int((time.time() if now is None else now) * 1e6)
    rows = [
        (6, "ecommerce-api.service", "ecommerce-api started on :8080"),
        (7, "ecommerce-api.service", "debug: cache warmed with 1200 keys"),
        (5, "nginx.service", "nginx reloaded configuration"),
        (4, "nginx.service", "upstream response time 2.4s exceeds 2s"),
        (3, "ecommerce-api.service", "payment gateway returned HTTP 502"),
        (2, "postgresql.service", "could not write to WAL: No space left on device"),
        (1, "postgresql.service", "database system is shutting down: alert"),
        (0, "kernel.service", "kernel panic - not syncing: emergency"),
        (3, "ecommerce-api.service", "Traceback (most recent call last):\n  File \"app.py\", line 3\nValueError: bad cart"),
    ]
    count = len(rows)
    return [
        JournalEntry(message=msg, priority=prio, unit=unit, realtime_us=now_us - (count - i) * 1_000_000)
        for i, (prio, unit, msg) in enumerate(rows)
    ]
