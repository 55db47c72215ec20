"""The `sources:` section: one backend connection per item."""

from __future__ import annotations

import re
from types import MappingProxyType
from urllib.parse import urlsplit

from yaml.nodes import Node

from noc_app.config.limits import MAX_RESPONSE_MB, ONE_DAY_S
from noc_app.config.schema import SOURCE_KINDS, AuthConfig, SourceConfig, TlsConfig
from noc_app.config.source_auth import (
    SECRET_KEYS,
    read_auth,
    refuse_secret_keys,
    refuse_url_credentials,
)
from noc_app.config.yaml_nodes import MapReader, Walk, construct_plain

_SOURCE_KEYS = (
    "id", "kind", "url", "urls", "interval", "timeout", "max_response_mb", "read_only",
    "deadman_alert", "index", "auth", "tls", "options",
)
_ID = re.compile(r"[A-Za-z0-9_.-]+")
_LOCAL_KINDS = ("demo", "localhost")  # run in-process: no URL, fast default interval


def read_sources(walk: Walk, top: MapReader) -> tuple[SourceConfig, ...]:
    """All configured sources; ids are declared for cross-reference checks."""
    found = (read_source(walk, node, path) for node, path in top.items("sources", required=True, noun="source"))
    return tuple(source for source in found if source is not None)


def read_source(walk: Walk, node: Node, path: str) -> SourceConfig | None:
    """One sources item; None (with problems recorded) if it cannot be built."""
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    src = MapReader(walk, mapping, path, _SOURCE_KEYS)
    source_id = src.text("id", required=True)
    if source_id is not None:
        walk.declare("source", "source", source_id, src.nodes["id"], src.sub("id"))
        if not _ID.fullmatch(source_id):
            walk.error(src.nodes["id"], src.sub("id"),
                       f"a source id may only use letters, digits, '_', '.' and '-', got '{source_id}'")
    kind = src.choice("kind", SOURCE_KINDS, required=True)
    label = source_id or "source"
    local = kind in _LOCAL_KINDS
    url = _read_url(walk, src, "url", label)
    if url is None and kind is not None and not local and not src.has("url"):
        src.missing("url")
    urls = tuple(u for u in (_url_item(walk, n, p, label) for n, p in src.items("urls")) if u)
    if kind is not None:
        if kind != "alertmanager":
            src.not_for("urls", "kind alertmanager")
            src.not_for("deadman_alert", "kind alertmanager")
        if kind != "elasticsearch":
            src.not_for("index", "kind elasticsearch")
    auth = read_auth(walk, src.nodes["auth"], src.sub("auth"), label) if src.has("auth") else AuthConfig()
    options: dict[str, object] = {}
    options_node = src.sub_mapping("options")
    if options_node is not None:
        refuse_secret_keys(walk, options_node, src.sub("options"), label)
        plain = construct_plain(walk, options_node, src.sub("options"))
        options = {k: v for k, v in dict(plain or {}).items() if str(k).lower() not in SECRET_KEYS}
    # Poll timers hold milliseconds in a 32-bit int (24.8 days): a day is the sane ceiling.
    interval = src.duration("interval", 2.0 if local else 15.0, minimum=0.2, maximum=ONE_DAY_S)
    timeout = src.duration("timeout", 10.0, minimum=0.0, exclusive=True, maximum=ONE_DAY_S)
    max_mb = src.number("max_response_mb", 32.0, minimum=0.0, exclusive=True, maximum=MAX_RESPONSE_MB)
    tls = _read_tls(walk, src)
    read_only = src.boolean("read_only", False)
    deadman_alert = src.text("deadman_alert")
    index = src.text("index", "*")
    if source_id is None or kind is None:
        return None
    return SourceConfig(
        id=source_id,
        kind=kind,
        url=url,
        urls=urls,
        auth=auth,
        tls=tls,
        interval_s=interval if interval is not None else 15.0,
        timeout_s=timeout if timeout is not None else 10.0,
        max_response_mb=max_mb if max_mb is not None else 32.0,
        read_only=read_only,
        deadman_alert=deadman_alert,
        index=index if kind == "elasticsearch" else None,
        options=MappingProxyType(options),
        origin=walk.origin(mapping),
    )


def check_http_url(walk: Walk, node: Node, path: str, url: str, owner: str) -> str | None:
    """The URL if it is http(s) with a host and no inline password, else None."""
    if refuse_url_credentials(walk, node, path, url, owner):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        walk.error(node, path, f"expected an http(s) URL like http://prometheus:9090, got '{url}'")
        return None
    return url


def _read_url(walk: Walk, src: MapReader, key: str, owner: str) -> str | None:
    url = src.text(key)
    return None if url is None else check_http_url(walk, src.nodes[key], src.sub(key), url, owner)


def _url_item(walk: Walk, node: Node, path: str, owner: str) -> str | None:
    url = walk.text(node, path)
    return None if url is None else check_http_url(walk, node, path, url, owner)


def _read_tls(walk: Walk, src: MapReader) -> TlsConfig:
    node = src.sub_mapping("tls")
    if node is None:
        return TlsConfig()
    tls = MapReader(walk, node, src.sub("tls"), ("verify", "ca_file"))
    ca_file = tls.text("ca_file")
    if ca_file is not None:
        resolved = walk.resolve_path(ca_file)
        if not resolved.is_file():
            walk.error(tls.nodes["ca_file"], tls.sub("ca_file"), f"ca_file not found: {resolved}")
        ca_file = str(resolved)
    return TlsConfig(verify=tls.boolean("verify", True), ca_file=ca_file)
