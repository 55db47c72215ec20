"""`actions.runbooks[]`: recovery runbooks, an HTTP request or an argv command, never a shell string.

Every placeholder must name a declared parameter; every parameter needs an
`allowed` list or a full-match `pattern`; a URL's scheme and host are written
out (placeholders only in its path and query) and carry no secret; secrets go in
headers, by reference.  The older form (`webhook_url`, `method`, `params: {name:
[allowed]}`, `confirm: true|false`) still loads; `verify_query` gets a message
saying how to rewrite it.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from urllib.parse import parse_qsl, urlsplit

from yaml.nodes import Node, ScalarNode, SequenceNode

from noc_app.config.limits import MAX_PERIOD_S
from noc_app.config.runbook_schema import (
    HTTP_METHODS,
    RUNBOOK_ROLES,
    RunbookConfig,
    RunbookHttp,
    RunbookParam,
    RunbookUndo,
    RunbookVerify,
)
from noc_app.config.runbook_template import TemplateError, authority_is_fixed, body_strings, placeholders
from noc_app.config.source_auth import env_hint, is_secret_name, read_auth, refuse_url_credentials
from noc_app.config.source_section import check_http_url
from noc_app.config.yaml_nodes import (
    STR_TAG,
    MapReader,
    Walk,
    construct_plain,
    describe,
    mapping_pairs,
    sub_path,
)

_KEYS = (
    "id", "title", "http", "argv", "params", "role", "match", "confirm", "timeout", "cooldown",
    "max_runs_per_hour", "verify", "rollback", "undo_after", "auto",
    "webhook_url", "method", "verify_query",  # the older form
)
_HTTP_KEYS = ("method", "url", "headers", "auth", "body")
_PARAM_KEYS = ("label", "allowed", "pattern")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A path segment that looks like a key (Slack/Jenkins-style webhook tokens): long, letters and digits mixed.
_TOKEN_SEGMENT = re.compile(r"(?=[^/]*[0-9])(?=[^/]*[A-Za-z])[A-Za-z0-9_\-]{24,}")
MAX_RUNS_PER_HOUR = 60
MAX_TIMEOUT_S = 600.0
# verify.within and undo_after.after: the outbox expires a request 24 h after it was made.
MAX_FOLLOW_UP_S = 12 * 3600.0


def read_runbooks(walk: Walk, actions: MapReader) -> tuple[RunbookConfig, ...]:
    """Every runbook of `actions.runbooks`; rollback and undo names are checked as references."""
    found = (_read_runbook(walk, node, path) for node, path in actions.items("runbooks"))
    return tuple(r for r in found if r is not None)


def _read_runbook(walk: Walk, node: Node, path: str) -> RunbookConfig | None:
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    item = MapReader(walk, mapping, path, _KEYS)
    runbook_id = item.text("id", required=True)
    if runbook_id is not None:
        walk.declare("runbook", "runbook", runbook_id, item.nodes["id"], item.sub("id"))
    owner = runbook_id or "runbook"
    _legacy_verify(walk, item)
    given = sorted((key for key in ("http", "argv", "webhook_url") if item.has(key)),
                   key=lambda key: item.key_nodes[key].start_mark.index)
    if not given:
        item.missing("http", "argv")
    elif len(given) > 1:
        walk.error(item.key_nodes[given[1]], item.sub(given[1]),
                   f"give either '{given[0]}' or '{given[1]}', not both")
    if item.has("method") and not item.has("webhook_url"):
        walk.error(item.key_nodes["method"], item.sub("method"),
                   "write the method inside 'http: {method: ..., url: ...}'")
    params = _read_params(walk, item)
    http = _read_http(walk, item, owner) if item.has("http") else _legacy_webhook(walk, item, owner)
    argv = _read_argv(walk, item)
    _check_placeholders(walk, item, http, argv, params)
    confirm = _read_confirm(walk, item, params)
    role = item.choice("role", RUNBOOK_ROLES, "operator") or "operator"
    timeout = item.duration("timeout", 30.0, minimum=0.0, exclusive=True, maximum=MAX_TIMEOUT_S)
    cooldown = item.duration("cooldown", 300.0, minimum=0.0, maximum=MAX_PERIOD_S)
    max_runs = item.integer("max_runs_per_hour", 6, minimum=1, maximum=MAX_RUNS_PER_HOUR)
    verify = _read_verify(walk, item)
    rollback = _reference(walk, item, "rollback")
    undo = _read_undo(walk, item)
    if runbook_id is None or (http is None and not argv):
        return None
    return RunbookConfig(
        id=runbook_id, title=item.text("title") or runbook_id, http=http, argv=argv,
        params=MappingProxyType(params), role=role, match=MappingProxyType(item.text_mapping("match")),
        confirm=confirm, timeout_s=timeout if timeout is not None else 30.0,
        cooldown_s=cooldown if cooldown is not None else 300.0, max_runs_per_hour=max_runs or 6,
        verify=verify, rollback=rollback, undo=undo, auto=item.boolean("auto", False),
    )


def _read_http(walk: Walk, item: MapReader, owner: str) -> RunbookHttp | None:
    node = item.sub_mapping("http")
    if node is None:
        return None
    http = MapReader(walk, node, item.sub("http"), _HTTP_KEYS)
    method = (http.text("method") or "POST").upper()
    if method not in HTTP_METHODS:
        walk.error(http.get("method"), http.sub("method"),
                   f"expected one of {', '.join(HTTP_METHODS)}, got {describe(http.get('method'))}")
    url = http.text("url", required=True)
    if url is not None:
        url = _check_url(walk, http.nodes["url"], http.sub("url"), url, owner)
    headers = http.text_mapping("headers")
    for name in headers:
        if is_secret_name(name) or name.lower() in ("authorization", "cookie"):
            walk.error(http.get("headers"), sub_path(http.sub("headers"), name), (
                "a secret must not be written in the config file; write "
                f"'auth: {{header_env: {{{name}: {env_hint(owner, name)}}}}}'"
            ))
    auth_node = http.get("auth")
    auth = read_auth(walk, auth_node, http.sub("auth"), owner) if auth_node is not None else None
    body_node = http.get("body")
    body = construct_plain(walk, body_node, http.sub("body")) if body_node is not None else None
    if url is None:
        return None
    return RunbookHttp(method=method, url=url, headers=MappingProxyType(headers), body=body, auth=auth)


def _legacy_webhook(walk: Walk, item: MapReader, owner: str) -> RunbookHttp | None:
    """`webhook_url` + `method`: still read, as `http: {url, method}`."""
    url = item.text("webhook_url")
    if url is None:
        return None
    url = _check_url(walk, item.nodes["webhook_url"], item.sub("webhook_url"), url, owner)
    method = (item.text("method") or "POST").upper()
    if method not in HTTP_METHODS:
        walk.error(item.get("method"), item.sub("method"),
                   f"expected one of {', '.join(HTTP_METHODS)}, got {describe(item.get('method'))}")
    return None if url is None else RunbookHttp(method=method, url=url)


def _check_url(walk: Walk, node: Node, path: str, url: str, owner: str) -> str | None:
    """An http(s) URL with its host written out and no secret in it (it is shown and journalled)."""
    if refuse_url_credentials(walk, node, path, url, owner):
        return None
    if not authority_is_fixed(url):
        walk.error(node, path, (
            "write the scheme and host out, e.g. https://rundeck.example.com/api/...; "
            "placeholders may only fill path segments and query values"
        ))
        return None
    if check_http_url(walk, node, path, url.replace("{", "%7B").replace("}", "%7D"), owner) is None:
        return None
    parts = urlsplit(url)
    if parts.fragment:
        walk.error(node, path, "a runbook URL must not have a #fragment")
        return None
    for key, _value in parse_qsl(parts.query, keep_blank_values=True):
        if is_secret_name(key):
            walk.error(node, path, _url_secret(f"query parameter {key!r}", owner))
            return None
    for segment in parts.path.split("/"):
        if "{{" not in segment and _TOKEN_SEGMENT.fullmatch(segment):
            walk.error(node, path, _url_secret("path", owner))
            return None
    return url


def _url_secret(where: str, owner: str) -> str:
    return (
        f"a secret must not be written in the config file (the URL's {where} looks like a secret; URLs are "
        "shown and journalled); send it in a header by reference: "
        f"'http: {{auth: {{header_env: {{X-Token: {env_hint(owner, 'token')}}}}}}}' or "
        f"'http: {{auth: {{bearer_token_env: {env_hint(owner, 'token')}}}}}'"
    )


def _read_argv(walk: Walk, item: MapReader) -> tuple[str, ...]:
    node = item.get("argv")
    if node is None:
        return ()
    if isinstance(node, ScalarNode) and node.tag == STR_TAG:
        walk.error(node, item.sub("argv"), (
            "expected a list of arguments (argv), got a string; shell command strings are not allowed"
        ))
        return ()
    if isinstance(node, SequenceNode) and not node.value:
        walk.error(node, item.sub("argv"), "expected at least one argument, got an empty list")
    argv = item.texts("argv")
    if argv and "{{" in argv[0]:
        walk.error(node, item.sub("argv") + "[0]", "the program (argv[0]) must be written out, not a placeholder")
        return ()
    return argv


def _read_params(walk: Walk, item: MapReader) -> dict[str, RunbookParam]:
    node = item.sub_mapping("params")
    params: dict[str, RunbookParam] = {}
    for key_node, value_node in mapping_pairs(node) if node is not None else ():
        name = str(key_node.value)
        path = sub_path(item.sub("params"), name)
        if not _NAME.fullmatch(name):
            walk.error(key_node, path, f"expected a parameter name of letters, digits and _, got '{name[:60]}'")
            continue
        if isinstance(value_node, SequenceNode):  # the older form: name: [allowed values]
            values = [walk.text(v, f"{path}[{i}]") for i, v in enumerate(value_node.value)]
            params[name] = RunbookParam(name=name, label=name, allowed=tuple(v for v in values if v is not None))
            continue
        mapping = walk.mapping(value_node, path)
        if mapping is None:
            continue
        spec = MapReader(walk, mapping, path, _PARAM_KEYS)
        allowed, pattern = spec.texts("allowed"), spec.text("pattern")
        if not spec.exclusive("allowed", "pattern") and not (allowed or pattern):
            spec.missing("allowed", "pattern")
        if pattern is not None:
            pattern = _check_pattern(walk, spec.nodes["pattern"], spec.sub("pattern"), pattern)
        params[name] = RunbookParam(name=name, label=spec.text("label") or name, allowed=allowed, pattern=pattern)
    return params


def _check_pattern(walk: Walk, node: Node, path: str, pattern: str) -> str | None:
    try:
        re.compile(pattern, re.ASCII)
    except re.error as exc:
        walk.error(node, path, f"not a regular expression: {exc}")
        return None
    if re.fullmatch(pattern, "", re.ASCII) is not None:
        walk.error(node, path, "the pattern matches an empty value; write one that needs at least one character")
        return None
    return pattern


def _check_placeholders(walk: Walk, item: MapReader, http: RunbookHttp | None, argv: tuple[str, ...],
                        params: dict[str, RunbookParam]) -> None:
    """Every `{{ name }}` must be a declared parameter (there is no other syntax)."""
    where: list[tuple[str, str]] = []
    if http is not None:
        key = "http" if item.has("http") else "webhook_url"
        where += [(http.url, key)]
        for name, value in http.headers.items():
            if "{{" in value:
                walk.error(item.get(key), item.sub(key), f"header {name!r}: placeholders are not allowed in headers")
        where += [(text, key) for text in body_strings(http.body)]
    where += [(arg, "argv") for arg in argv]
    for text, key in where:
        try:
            names = placeholders(text)
        except TemplateError as exc:
            walk.error(item.get(key), item.sub(key), f"{exc}; got '{text[:80]}'")
            continue
        for name in names:
            if name not in params:
                known = ", ".join(sorted(params)) or "none declared"
                walk.error(item.get(key), item.sub(key),
                           f"unknown placeholder '{{{{ {name} }}}}'; declare it under 'params' (known: {known})")


def _read_confirm(walk: Walk, item: MapReader, params: dict[str, RunbookParam]) -> str:
    """true: type the runbook id; false: no confirmation; a parameter's name: type its value."""
    node = item.get("confirm")
    if node is None:
        return "id"
    if isinstance(node, ScalarNode) and node.tag.endswith(":bool"):
        return "id" if walk.boolean(node, item.sub("confirm")) else ""
    name = walk.text(node, item.sub("confirm"))
    if name is None:
        return "id"
    if name not in params:
        walk.error(node, item.sub("confirm"), (
            f"expected true, false or the name of a parameter whose value the operator types, got '{name[:60]}'"
        ))
        return "id"
    return f"param:{name}"


def _read_verify(walk: Walk, item: MapReader) -> RunbookVerify | None:
    node = item.sub_mapping("verify")
    if node is None:
        return None
    spec = MapReader(walk, node, item.sub("verify"), ("source", "query", "within"))
    source, query = spec.text("source", required=True), spec.text("query", required=True)
    if source is not None:
        walk.refer("source", source, spec.nodes["source"], spec.sub("source"))
    within = spec.duration("within", 300.0, minimum=0.0, exclusive=True, maximum=MAX_FOLLOW_UP_S)
    if source is None or query is None:
        return None
    return RunbookVerify(source=source, query=query, within_s=within if within is not None else 300.0)


def _read_undo(walk: Walk, item: MapReader) -> RunbookUndo | None:
    node = item.sub_mapping("undo_after")
    if node is None:
        return None
    spec = MapReader(walk, node, item.sub("undo_after"), ("runbook", "after"))
    runbook = spec.text("runbook", required=True)
    if runbook is not None:
        walk.refer("runbook", runbook, spec.nodes["runbook"], spec.sub("runbook"))
    after = spec.duration("after", None, minimum=0.0, exclusive=True, maximum=MAX_FOLLOW_UP_S)
    if spec.get("after") is None:
        spec.missing("after")
    if runbook is None or after is None:
        return None
    return RunbookUndo(runbook=runbook, after_s=after)


def _reference(walk: Walk, item: MapReader, key: str) -> str | None:
    name = item.text(key)
    if name is not None:
        walk.refer("runbook", name, item.nodes[key], item.sub(key))
    return name


def _legacy_verify(walk: Walk, item: MapReader) -> None:
    query = item.text("verify_query")
    if query is not None:
        walk.error(item.key_nodes["verify_query"], item.sub("verify_query"), (
            "'verify_query' is now written "
            f"'verify: {{source: <a prometheus source id>, query: {query!r}, within: 5m}}'"
        ))
