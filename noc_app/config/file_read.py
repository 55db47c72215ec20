"""Read a config-side file (wall YAML, Grafana JSON, CA bundle) without hanging or exhausting memory.

The file is checked with os.stat before it is opened: a FIFO or a device
(/dev/zero) would block or never end, and a directory cannot be read.  The read
itself stops at the size cap, so a file growing while we read is bounded too.
"""

from __future__ import annotations

import os
import stat

from noc_app.config.limits import MAX_FILE_BYTES


class FileReadError(Exception):
    """A file that cannot be used; the message says why, without the path (callers add it).

    `code` lets callers word the common cases their own way: missing, directory,
    special, too_large, unreadable or encoding.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def check_regular_file(path: str | os.PathLike[str], *, limit: int = MAX_FILE_BYTES) -> None:
    """Raise FileReadError unless path is a regular file within the size cap (stat only, no open)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileReadError("not found", "missing") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise FileReadError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", "unreadable") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileReadError("is a directory; expected a file", "directory")
    if not stat.S_ISREG(info.st_mode):
        raise FileReadError(f"is not a regular file ({_kind(info.st_mode)}); expected a file", "special")
    if info.st_size > limit:
        raise FileReadError(_too_large(limit), "too_large")


def read_limited_bytes(path: str | os.PathLike[str], *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; raises FileReadError."""
    check_regular_file(path, limit=limit)
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO after the stat, open must not block
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise FileReadError(f"cannot read: {exc.strerror or exc}", "unreadable") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise FileReadError("is not a regular file; expected a file", "special")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileReadError(f"cannot read: {exc.strerror or exc}", "unreadable") from None
    if len(data) > limit:
        raise FileReadError(_too_large(limit), "too_large")
    return data


def read_limited_text(path: str | os.PathLike[str], *, limit: int = MAX_FILE_BYTES) -> str:
    """UTF-8 text of a regular file within the size cap; raises FileReadError."""
    data = read_limited_bytes(path, limit=limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileReadError(f"is not UTF-8 text: {exc.reason}", "encoding") from None


def _too_large(limit: int) -> str:
    return f"is larger than {limit // (1024 * 1024)} MiB; expected a file of at most {limit} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
