"""Resolve secret references (environment variable or OS keyring) at build time.

Secret values are never stored in config objects, snapshots, logs or the state
database: only the reference is kept, and the value goes straight into the
HTTP client's auth.
"""

from __future__ import annotations

import os

from noc_app.config.schema import SecretRef


class SecretUnavailable(LookupError):
    """A referenced secret is not set; the message says where it was looked for."""


def resolve_secret(ref: SecretRef, *, where: str = "") -> str:
    """Return the secret's value from the environment or the keyring."""
    prefix = f"{where}: " if where else ""
    if ref.env:
        value = os.environ.get(ref.env)
        if value is None or value == "":
            raise SecretUnavailable(f"{prefix}environment variable {ref.env} is not set")
        return value
    if ref.keyring_service:
        try:
            import keyring  # optional dependency: pip install 'noc-app[keyring]'
        except ImportError as exc:
            raise SecretUnavailable(
                f"{prefix}keyring entry {ref.keyring_service}/{ref.keyring_user} requested but "
                "the 'keyring' package is not installed (pip install 'noc-app[keyring]')"
            ) from exc
        try:
            value = keyring.get_password(ref.keyring_service, ref.keyring_user or "")
        except Exception as exc:  # any backend failure: no keyring daemon, locked store
            raise SecretUnavailable(f"{prefix}keyring lookup failed: {exc}") from exc
        if not value:
            raise SecretUnavailable(
                f"{prefix}no keyring entry for service {ref.keyring_service!r}, "
                f"user {ref.keyring_user!r}"
            )
        return value
    raise SecretUnavailable(f"{prefix}secret reference names neither env nor keyring")
