"""A source's auth section: secrets by reference only, inline secrets refused.

A secret written into the config file ends up in backups, screenshots of the
editor and version control; so the loader refuses it and says how to pass it
through an environment variable or the OS keyring instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from types import MappingProxyType
from urllib.parse import urlsplit

from yaml.nodes import MappingNode, Node, SequenceNode

from noc_app.config.schema import AuthConfig, SecretRef
from noc_app.config.yaml_nodes import (
    MapReader,
    Walk,
    item_path,
    mapping_pairs,
    sub_path,
)

SECRET_KEYS = frozenset({"token", "bearer_token", "password", "api_key", "apikey", "secret", "client_secret"})
# Any key or header whose name holds one of these words is taken for a secret
# (access_token, X-Vault-Token, Proxy-Authorization, Set-Cookie, X-Api-Key ...),
# unless it names where the secret is kept (bearer_token_env, password_keyring).
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api_key", "apikey", "authorization", "cookie",
                 "credential", "private_key")
_REFERENCE_SUFFIXES = ("_env", "_keyring")
SECRET_HEADERS = frozenset(
    name.lower() for name in ("Authorization", "Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token", "PRIVATE-TOKEN")
)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REFUSED = "a secret must not be written in the config file"
_AUTH_KEYS = ("bearer_token_env", "bearer_token_keyring", "token_env", "token_keyring", "basic", "headers",
              "header_env")
_BASIC_KEYS = ("username", "password_env", "password_keyring")


def is_secret_name(name: str) -> bool:
    """True for a key or header name that holds a secret value (not a reference to one)."""
    normal = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if normal.endswith(_REFERENCE_SUFFIXES):
        return False
    return any(word in normal for word in _SECRET_WORDS)


def secret_names_in(node: MappingNode | None) -> frozenset[str]:
    """Lower-cased secret-looking keys of one mapping (reported elsewhere, so tolerated by MapReader)."""
    if node is None:
        return frozenset()
    return frozenset(str(key.value).lower() for key, _ in mapping_pairs(node) if is_secret_name(str(key.value)))


def env_hint(source_id: str, what: str) -> str:
    """A suggested environment variable name, e.g. NOC_PROM_PASSWORD."""
    return "NOC_" + re.sub(r"[^A-Z0-9]+", "_", f"{source_id}_{what}".upper()).strip("_")


def secret_key_message(key: str, source_id: str) -> str:
    """Why an inline secret is refused, and what to write instead."""
    kind = key.lower()
    if kind in ("token", "bearer_token"):
        instead = (f"'bearer_token_env: {env_hint(source_id, 'token')}' "
                   "(or 'bearer_token_keyring: {service: ..., username: ...}')")
    elif kind == "password":
        instead = (f"'password_env: {env_hint(source_id, 'password')}' "
                   "(or 'password_keyring: {service: ..., username: ...}')")
    elif kind in ("api_key", "apikey"):
        instead = f"'header_env: {{X-Api-Key: {env_hint(source_id, 'api_key')}}}' under auth"
    else:
        instead = (f"'bearer_token_env: {env_hint(source_id, kind)}' or "
                   f"'header_env: {{Header-Name: {env_hint(source_id, kind)}}}' under auth")
    return f"{_REFUSED}; put it in an environment variable and write {instead}"


def refuse_secret_keys(walk: Walk, node: Node | None, path: str, source_id: str,
                       *, skip: Collection[str] = ()) -> None:
    """Report every key named like a secret (password, token, ...) anywhere under node.

    Each node is visited once: an alias shares its node, and following aliases
    again at every use is exponential in a crafted file.  `skip` names top-level
    keys whose subtrees are checked elsewhere (auth headers).
    """
    seen: set[int] = set()
    stack: list[tuple[Node, str, Collection[str]]] = [(node, path, skip)] if node is not None else []
    while stack:  # a loop, not recursion: depth is bounded by the loader, but this costs nothing
        current, where, skipped = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        children: list[tuple[Node, str, Collection[str]]] = []
        if isinstance(current, MappingNode):
            for key_node, value_node in mapping_pairs(current):
                key = str(key_node.value)
                if key in skipped:
                    continue
                if is_secret_name(key):
                    walk.error(key_node, sub_path(where, key), secret_key_message(key, source_id))
                else:
                    children.append((value_node, sub_path(where, key), ()))
        elif isinstance(current, SequenceNode):
            children = [(value_node, item_path(where, index), ()) for index, value_node in enumerate(current.value)]
        stack.extend(reversed(children))  # popped in document order: a shared node is named by its first use


def refuse_url_credentials(walk: Walk, node: Node, path: str, url: str, source_id: str) -> bool:
    """Report a URL carrying user:password@; True if it did."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False  # not a URL at all: the caller says so
    if parts.password is None:
        return False
    user = parts.username or "..."
    walk.error(node, path, (
        f"{_REFUSED}; remove the password from the URL and write "
        f"'auth: {{basic: {{username: {user}, password_env: {env_hint(source_id, 'password')}}}}}'"
    ))
    return True


def read_auth(walk: Walk, node: Node, path: str, source_id: str) -> AuthConfig:
    """AuthConfig from a source's auth mapping; secret values are never read."""
    mapping = walk.mapping(node, path)
    if mapping is None:
        return AuthConfig()
    refuse_secret_keys(walk, mapping, path, source_id, skip=("headers", "header_env"))
    auth = MapReader(walk, mapping, path, _AUTH_KEYS, tolerated=secret_names_in(mapping))
    given = [key for key in ("bearer_token_env", "bearer_token_keyring", "token_env", "token_keyring") if auth.has(key)]
    if len(given) > 1:
        auth.exclusive(given[0], given[1])
    # token_*: an API token the source kind sends in its own scheme (PagerDuty: "Token token=..."), else Bearer
    bearer = (_env_ref(auth, "bearer_token_env") or _keyring_ref(auth, "bearer_token_keyring")
              or _env_ref(auth, "token_env") or _keyring_ref(auth, "token_keyring"))
    if bearer is not None and auth.has("basic"):
        walk.error(auth.key_nodes["basic"], auth.sub("basic"),
                   "give either a bearer token or 'basic', not both")
    basic_user, basic_password = _read_basic(walk, auth)
    headers = _read_headers(walk, auth, source_id)
    secret_headers: dict[str, SecretRef] = {}
    env_map = auth.sub_mapping("header_env")
    for key_node, value_node in mapping_pairs(env_map) if env_map is not None else ():
        name = str(key_node.value)
        env = _env_name(walk, value_node, sub_path(auth.sub("header_env"), name))
        if env is not None:
            secret_headers[name] = SecretRef(env=env)
    return AuthConfig(
        bearer=bearer,
        basic_user=basic_user,
        basic_password=basic_password,
        headers=MappingProxyType(headers),
        secret_headers=MappingProxyType(secret_headers),
    )


def _read_basic(walk: Walk, auth: MapReader) -> tuple[str | None, SecretRef | None]:
    node = auth.sub_mapping("basic")
    if node is None:
        return None, None
    inline = secret_names_in(node)
    basic = MapReader(walk, node, auth.sub("basic"), _BASIC_KEYS, tolerated=inline)
    user = basic.text("username", required=True)
    given = basic.has("password_env") or basic.has("password_keyring") or bool(inline)
    if not basic.exclusive("password_env", "password_keyring") and not given:
        basic.missing("password_env", "password_keyring")
    return user, _env_ref(basic, "password_env") or _keyring_ref(basic, "password_keyring")


def _read_headers(walk: Walk, auth: MapReader, source_id: str) -> dict[str, str]:
    node = auth.sub_mapping("headers")
    headers: dict[str, str] = {}
    for key_node, value_node in mapping_pairs(node) if node is not None else ():
        name = str(key_node.value)
        path = sub_path(auth.sub("headers"), name)
        if name.lower() in SECRET_HEADERS or is_secret_name(name):
            walk.error(key_node, path, (
                f"{_REFUSED}; put it in an environment variable and write "
                f"'header_env: {{{name}: {env_hint(source_id, name)}}}'"
            ))
            continue
        value = walk.text(value_node, path)
        if value is not None:
            headers[name] = value
    return headers


def _env_name(walk: Walk, node: Node, path: str) -> str | None:
    name = walk.text(node, path)
    if name is None or _ENV_NAME.fullmatch(name):
        return name
    walk.error(node, path, f"expected an environment variable name like NOC_PROM_TOKEN, got '{name}'")
    return None


def _env_ref(reader: MapReader, key: str) -> SecretRef | None:
    node = reader.get(key)
    env = None if node is None else _env_name(reader.walk, node, reader.sub(key))
    return SecretRef(env=env) if env is not None else None


def _keyring_ref(reader: MapReader, key: str) -> SecretRef | None:
    node = reader.sub_mapping(key)
    if node is None:
        return None
    entry = MapReader(reader.walk, node, reader.sub(key), ("service", "username"), tolerated=secret_names_in(node))
    service = entry.text("service", required=True)
    username = entry.text("username", required=True)
    if service is None or username is None:
        return None
    return SecretRef(keyring_service=service, keyring_user=username)
