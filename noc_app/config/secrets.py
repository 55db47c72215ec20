"""Resolve secret references (environment variable or OS keyring) at build time.

Secret values are never stored in config objects, snapshots, logs or the state
database: only the reference is kept, and the value goes straight into the
HTTP client's auth.  Every resolved value is registered with noc_app.redaction,
so any text that echoes it is masked before it is shown, logged or written.

Values are stripped of surrounding whitespace (secret files end in a newline)
and must be visible ASCII: they travel in HTTP headers, where anything else is
either refused by httpx (with the value quoted in the error) or mangled.
"""

from __future__ import annotations

import os

from noc_app.config.schema import SecretRef
from noc_app.redaction import register_secret


class SecretUnavailable(LookupError):
    """A referenced secret is not set; the message says where it was looked for."""


def resolve_secret(ref: SecretRef, *, where: str = "", spaces_allowed: bool = False) -> str:
    """Return the secret's value from the environment or the keyring, stripped and checked.

    spaces_allowed: inner spaces are fine in a basic-auth password (it is base64-encoded),
    never in a token that goes into a header as is.
    """
    prefix = f"{where}: " if where else ""
    raw = _lookup(ref, prefix)
    register_secret(raw)  # before any check: even a refused value must never be shown
    value = raw.strip()
    origin = f"environment variable {ref.env}" if ref.env else (
        f"keyring entry {ref.keyring_service}/{ref.keyring_user}"
    )
    if not value:
        raise SecretUnavailable(f"{prefix}{origin} is empty (only whitespace)")
    problem = header_value_problem(value, spaces_allowed=spaces_allowed)
    if problem:
        raise SecretUnavailable(f"{prefix}{origin} {problem}")
    register_secret(value)
    return value


def header_value_problem(value: str, *, spaces_allowed: bool = False) -> str | None:
    """Why a value cannot be sent in an HTTP header, naming the position only (never the character)."""
    for index, char in enumerate(value, start=1):
        code = ord(char)
        if code == 0x20 and spaces_allowed:
            continue
        if code < 0x21 or code > 0x7E:
            kind = "non-ASCII" if code > 0x7F else ("a space" if code == 0x20 else "a control character")
            return (
                f"holds {kind} at character {index}; a secret sent in an HTTP header must be "
                "visible ASCII (check the secret file's encoding and line endings)"
            )
    return None


def _lookup(ref: SecretRef, prefix: str) -> str:
    if ref.env:
        value = os.environ.get(ref.env)
        if value is None or value == "":
            raise SecretUnavailable(f"{prefix}environment variable {ref.env} is not set")
        return value
    if ref.keyring_service:
        try:
            # optional dependency (pip install 'noc-app[keyring]'): absent, mypy has nothing to read
            import keyring  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise SecretUnavailable(
                f"{prefix}keyring entry {ref.keyring_service}/{ref.keyring_user} requested but "
                "the 'keyring' package is not installed (pip install 'noc-app[keyring]')"
            ) from exc
        try:
            stored: str | None = keyring.get_password(ref.keyring_service, ref.keyring_user or "")
        except Exception as exc:  # any backend failure: no keyring daemon, locked store
            raise SecretUnavailable(f"{prefix}keyring lookup failed: {exc}") from exc
        if not stored:
            raise SecretUnavailable(
                f"{prefix}no keyring entry for service {ref.keyring_service!r}, "
                f"user {ref.keyring_user!r}"
            )
        return stored
    raise SecretUnavailable(f"{prefix}secret reference names neither env nor keyring")
