"""Who is acting: the operator's name from config or `--as`, beside the OS user and host.

A name given on the command line is only a claim: it is recorded as claimed, and
the OS user who ran the command is recorded next to it.  Without a configured
name the OS user acts under their own login.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable

from noc_app.actions.errors import InvalidRequest
from noc_app.actions.model import Operator, Role
from noc_app.config.schema import OperatorConfig

MAX_NAME_CHARS = 120


def os_user() -> str:
    """The login name, or `uid N` where the environment and the password database know none."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


def current_operator(
    config: OperatorConfig,
    *,
    role: Role | None = None,
    claimed_name: str | None = None,
    user: Callable[[], str] = os_user,
    host: Callable[[], str] = socket.gethostname,
) -> Operator:
    """The Operator for audit lines and backend requests (createdBy, From:); role: the config's unless given."""
    if role is None:
        role = Role(config.role)
    login = _clean(user(), "OS user") or "unknown"
    if claimed_name is not None:
        name = _clean(claimed_name, "--as name")
        if not name:
            raise InvalidRequest("--as needs a name")
        return Operator(name=name, role=role, os_user=login, host=_clean(host(), "host"), claimed=True,
                        email=_clean(config.email, "operator.email"))
    name = _clean(config.name, "operator.name") or login
    return Operator(name=name, role=role, os_user=login, host=_clean(host(), "host"),
                    email=_clean(config.email, "operator.email"))


def _clean(value: str, what: str) -> str:
    text = " ".join(value.split())
    if len(text) > MAX_NAME_CHARS:
        raise InvalidRequest(f"{what} is longer than {MAX_NAME_CHARS} characters")
    if any(not c.isprintable() for c in text):
        raise InvalidRequest(f"{what} contains control characters")
    return text
