"""The `sources:` section: one backend connection per item."""

from __future__ import annotations

import re
from types import MappingProxyType
from urllib.parse import urlsplit

from yaml.nodes import Node, ScalarNode

from noc_app.config.ca_bundle import ca_bundle_problem
from noc_app.config.limits import MAX_RESPONSE_MB, ONE_DAY_S
from noc_app.config.schema import SOURCE_KINDS, AuthConfig, SourceConfig, TlsConfig
from noc_app.config.source_auth import (
    env_hint,
    is_secret_name,
    read_auth,
    refuse_secret_keys,
    refuse_url_credentials,
)
from noc_app.config.source_options import OptionError, check_option, index_pattern, option_spec
from noc_app.config.yaml_nodes import (
    BOOL_TAG,
    STR_TAG,
    MapReader,
    Walk,
    construct_plain,
    describe,
    mapping_pairs,
    sub_path,
)

_SOURCE_KEYS = (
    "id", "kind", "url", "urls", "interval", "timeout", "max_response_mb", "read_only",
    "deadman_alert", "index", "auth", "tls", "options", "follow_redirects",
)
REDIRECT_POLICIES = ("none", "same-origin", "any")
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
    follow_redirects = _read_follow_redirects(walk, src)
    if url is None and kind is not None and not local and not src.has("url"):
        src.missing("url")
    urls = tuple(u for u in (_url_item(walk, n, p, label) for n, p in src.items("urls")) if u)
    if kind is not None:
        if kind != "alertmanager":
            src.not_for("urls", "kind alertmanager")
        if kind not in ("alertmanager", "demo"):
            src.not_for("deadman_alert", "kinds alertmanager and demo")
        if kind != "elasticsearch":
            src.not_for("index", "kind elasticsearch")
    auth = read_auth(walk, src.nodes["auth"], src.sub("auth"), label) if src.has("auth") else AuthConfig()
    options = _read_options(walk, src, kind, label)
    # Poll timers hold milliseconds in a 32-bit int (24.8 days): a day is the sane ceiling.
    interval = src.duration("interval", 2.0 if local else 15.0, minimum=0.2, maximum=ONE_DAY_S)
    timeout = src.duration("timeout", 10.0, minimum=0.0, exclusive=True, maximum=ONE_DAY_S)
    max_mb = src.number("max_response_mb", 32.0, minimum=0.0, exclusive=True, maximum=MAX_RESPONSE_MB)
    tls = _read_tls(walk, src)
    read_only = src.boolean("read_only", False)
    deadman_alert = src.text("deadman_alert")
    index = _read_index(walk, src)
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
        follow_redirects=follow_redirects,
        origin=walk.origin(mapping),
    )


def check_http_url(walk: Walk, node: Node, path: str, url: str, owner: str) -> str | None:
    """The URL if it is http(s) with a host and no inline password, else None."""
    if refuse_url_credentials(walk, node, path, url, owner):
        return None
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed [IPv6 bracket
        hostname = None
    if hostname is None or parts.scheme not in ("http", "https"):
        walk.error(node, path, f"expected an http(s) URL like http://prometheus:9090, got '{url}'")
        return None
    return url


def check_source_url(walk: Walk, node: Node, path: str, url: str, owner: str) -> str | None:
    """A backend base URL: http(s), and no user-info, query string or fragment.

    Those parts are where keys get pasted (?api_key=..., user:token@), and the
    URL is logged and shown in errors; the message never repeats them.  Checked
    on the text, before parsing, so a URL that does not parse is not echoed
    with its secret either.
    """
    if "?" in url or "#" in url:
        walk.error(node, path, (
            "a source url must not carry a query string or fragment (keys such as ?api_key= end up in logs); "
            "give the base URL like http://prometheus:9090 and put a key in "
            f"'auth: {{header_env: {{X-Api-Key: {env_hint(owner, 'api_key')}}}}}'"
        ))
        return None
    authority = url.split("//", 1)[1].split("/", 1)[0] if "//" in url else url.split("/", 1)[0]
    if "@" in authority:
        if not refuse_url_credentials(walk, node, path, url, owner):  # that one names the password case
            walk.error(node, path, (
                "a secret must not be written in the config file; remove the user name from the URL and write "
                f"'auth: {{basic: {{username: ..., password_env: {env_hint(owner, 'password')}}}}}'"
            ))
        return None
    return check_http_url(walk, node, path, url, owner)


def _read_url(walk: Walk, src: MapReader, key: str, owner: str) -> str | None:
    url = src.text(key)
    return None if url is None else check_source_url(walk, src.nodes[key], src.sub(key), url, owner)


def _url_item(walk: Walk, node: Node, path: str, owner: str) -> str | None:
    url = walk.text(node, path)
    return None if url is None else check_source_url(walk, node, path, url, owner)


def _read_index(walk: Walk, src: MapReader) -> str | None:
    """An Elasticsearch index pattern; the same rule the adapter applies at start-up, checked here."""
    index = src.text("index", "*")
    if index is not None and src.has("index") and index_pattern(index) is None:
        walk.error(src.nodes["index"], src.sub("index"), (
            "expected an index pattern like logs-* (no spaces, '/', '?' or '#'), "
            f"got {describe(src.nodes['index'])}"
        ))
        return None
    return index


def _read_follow_redirects(walk: Walk, src: MapReader) -> str:
    node = src.get("follow_redirects")
    if node is None:
        return "none"
    if isinstance(node, ScalarNode):
        if node.tag == BOOL_TAG and str(node.value).lower() in ("false", "no", "off"):
            return "none"
        if node.tag == STR_TAG and node.value in REDIRECT_POLICIES:
            return str(node.value)
    walk.error(node, src.sub("follow_redirects"),
               f"expected one of none, same-origin, any (or false), got {describe(node)}")
    return "none"


def _read_options(walk: Walk, src: MapReader, kind: str | None, owner: str) -> dict[str, object]:
    """Plain options without secret-named keys; known options of the kind checked here, with position."""
    node = src.sub_mapping("options")
    if node is None:
        return {}
    refuse_secret_keys(walk, node, src.sub("options"), owner)
    plain = construct_plain(walk, node, src.sub("options"))
    if not isinstance(plain, dict):
        return {}
    options = {str(k): v for k, v in plain.items() if not is_secret_name(str(k))}
    for key_node, value_node in mapping_pairs(node):
        spec = option_spec(kind or "", str(key_node.value))
        if spec is None or str(key_node.value) not in options:
            continue
        try:
            check_option(spec, options[str(key_node.value)])
        except OptionError as exc:
            walk.error(value_node, sub_path(src.sub("options"), str(key_node.value)), str(exc))
    return options


def _read_tls(walk: Walk, src: MapReader) -> TlsConfig:
    node = src.sub_mapping("tls")
    if node is None:
        return TlsConfig()
    tls = MapReader(walk, node, src.sub("tls"), ("verify", "ca_file"))
    ca_file = tls.text("ca_file")
    if ca_file is not None:
        resolved = walk.resolve_path(ca_file)
        problem = ca_bundle_problem(resolved)
        if problem is not None:
            walk.error(tls.nodes["ca_file"], tls.sub("ca_file"), problem)
        ca_file = str(resolved)
    return TlsConfig(verify=tls.boolean("verify", True), ca_file=ca_file)
