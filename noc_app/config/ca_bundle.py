"""Check a `tls.ca_file` at config time, so a bad one is a located problem, not an OpenSSL exit at start-up."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

from noc_app.config.file_read import FileReadError, check_regular_file


def ca_bundle_problem(path: Path) -> str | None:
    """Why path is not a usable PEM CA bundle (naming the file), or None if it loads."""
    try:
        check_regular_file(path)  # stat first: a FIFO or /dev/zero must not hang the loader
    except FileReadError as exc:
        return f"ca_file {path} {exc.message}" if exc.code != "missing" else f"ca_file not found: {path}"
    try:
        ssl.create_default_context(cafile=str(path))
    except PermissionError:
        return f"ca_file {path} cannot be read: permission denied"
    except (ssl.SSLError, OSError, ValueError) as exc:
        # OpenSSL's reason code when it has one (NO_CERTIFICATE_OR_CRL_FOUND), else its short text
        reason = getattr(exc, "reason", None) or re.sub(r"\s*\(_ssl\.c:\d+\)$", "", str(exc.args[-1]))
        return f"ca_file {path} is not a PEM CA bundle ({reason})"
    return None
