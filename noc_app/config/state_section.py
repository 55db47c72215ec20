"""The `state:` section: where the state database (audit, outbox, history) lives.

    state:                                    # optional; default: SQLite in the user's state dir
      url: postgresql://noc@db.example:5432/noc?sslmode=require
      password_env: NOC_STATE_PASSWORD        # or password_keyring: {service: ..., username: ...}

A password is never written in the file: not as `password:`, not in the URL's
user-info, not as a `?password=` query parameter.  The URL is checked on its text
before parsing, so one that does not parse is not echoed with its secret either.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from yaml.nodes import Node

from noc_app.config.schema import SecretRef, StateConfig
from noc_app.config.source_auth import (
    env_hint,
    is_secret_name,
    refuse_secret_keys,
    secret_names_in,
)
from noc_app.config.yaml_nodes import MapReader, Walk

_STATE_KEYS = ("url", "password_env", "password_keyring")
_OWNER = "state"
_PG_SCHEMES = ("postgresql", "postgres")
_REFUSED = "a secret must not be written in the config file"
MAX_URL_CHARS = 2048
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def read_state(walk: Walk, top: MapReader) -> StateConfig:
    node = top.sub_mapping("state")
    if node is None:
        return StateConfig()
    path = top.sub("state")
    refuse_secret_keys(walk, node, path, _OWNER)
    state = MapReader(walk, node, path, _STATE_KEYS, tolerated=secret_names_in(node))
    url = state.text("url")
    if url is not None:
        url = _check_url(walk, state.nodes["url"], state.sub("url"), url)
    state.exclusive("password_env", "password_keyring")
    password = _password(walk, state)
    postgres = url is not None and urlsplit(url).scheme.lower() in _PG_SCHEMES
    if not postgres:
        for key in ("password_env", "password_keyring"):
            state.not_for(key, "a postgresql:// url")
        password = None
    return StateConfig(url=url, password=password)


def _check_url(walk: Walk, node: Node, path: str, url: str) -> str | None:
    hint = env_hint(_OWNER, "password")
    if len(url) > MAX_URL_CHARS:
        walk.error(node, path, f"the state url is longer than {MAX_URL_CHARS} characters")
        return None
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    rest = url.split("//", 1)[1] if "//" in url else ""
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    if "@" in authority and ":" in authority.rsplit("@", 1)[0]:
        walk.error(node, path, (
            f"{_REFUSED}; remove the password from the URL and write 'password_env: {hint}' under state"
        ))
        return None
    if "#" in url:
        walk.error(node, path, "a state url must not carry a fragment (#...)")
        return None
    query = url.split("?", 1)[1] if "?" in url else ""
    if any(is_secret_name(name) for name, _ in parse_qsl(query, keep_blank_values=True)):
        walk.error(node, path, (
            f"{_REFUSED}; remove the password parameter from the URL and write 'password_env: {hint}' under state"
        ))
        return None
    if scheme == "sqlite":
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is None or parts.netloc or not parts.path.startswith("/") or query:
            walk.error(node, path, "expected sqlite:///absolute/path/state.db (three slashes, an absolute path)")
            return None
        return url
    if scheme in _PG_SCHEMES:
        try:
            urlsplit(url).port  # noqa: B018  # raises on a port that is not a number
        except ValueError:
            walk.error(node, path, "expected postgresql://user@host:5432/dbname, got a URL that does not parse")
            return None
        return url
    walk.error(node, path, (
        "expected sqlite:///absolute/path/state.db or postgresql://user@host:5432/dbname "
        "(leave 'state' out for SQLite in the user's state directory)"
    ))
    return None


def _password(walk: Walk, state: MapReader) -> SecretRef | None:
    env_node = state.get("password_env")
    if env_node is not None:
        name = walk.text(env_node, state.sub("password_env"))
        if name is None:
            return None
        if not _ENV_NAME.fullmatch(name):
            walk.error(env_node, state.sub("password_env"),
                       f"expected an environment variable name like {env_hint(_OWNER, 'password')}, got '{name}'")
            return None
        return SecretRef(env=name)
    keyring = state.sub_mapping("password_keyring")
    if keyring is None:
        return None
    entry = MapReader(walk, keyring, state.sub("password_keyring"), ("service", "username"))
    service = entry.text("service", required=True)
    username = entry.text("username", required=True)
    if service is None or username is None:
        return None
    return SecretRef(keyring_service=service, keyring_user=username)
