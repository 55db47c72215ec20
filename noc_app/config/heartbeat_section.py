"""The `heartbeat:` section: the wall tells the monitoring it shows that it is alive.

    heartbeat:                           # optional; absent: no heartbeat
      pushgateway: http://pushgw:9091    # a Prometheus Pushgateway (its own auth: and tls: below) ...
      # alertmanager: am                 # ... or an alertmanager source: an always-firing alert
      interval: 15s                      # default 15s, 1s..1h
      job: noc-app                       # the job label (default noc-app)
      instance: wall-1                   # default: the host name
      alertname: NocAppWallHeartbeat     # alertmanager (default NocAppWallHeartbeat)
      labels: {room: noc-1}              # added to the metric's grouping key or the alert's labels
      auth: {basic: {username: wall, password_env: NOC_PUSHGW_PASSWORD}}   # pushgateway only
      tls: {ca_file: /etc/ssl/noc-ca.pem}                                  # pushgateway only
      timeout: 5s                                                          # pushgateway only

An alertmanager target is a configured source: its URL, auth and TLS are used, and it
must not be `read_only` (the heartbeat writes an alert to it).  Secrets follow the
sources' rules (noc_app.config.source_auth): only their names are in the file.
"""

from __future__ import annotations

import re
from dataclasses import replace
from types import MappingProxyType

from noc_app.config.schema import HeartbeatConfig, SourceConfig
from noc_app.config.source_auth import read_auth
from noc_app.config.source_section import _read_tls, check_source_url
from noc_app.config.yaml_nodes import MapReader, Walk

_KEYS = ("pushgateway", "alertmanager", "interval", "job", "instance", "alertname", "labels", "auth", "tls",
         "timeout")
_PUSHGATEWAY_ONLY = ("auth", "tls", "timeout")
_OWNER = "heartbeat"
LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OWN_KEYS = ("job", "instance", "alertname")  # labels with a key of their own
MIN_INTERVAL_S, MAX_INTERVAL_S = 1.0, 3600.0
MAX_LABEL_CHARS = 200


def read_heartbeat(walk: Walk, top: MapReader, sources: tuple[SourceConfig, ...]) -> HeartbeatConfig | None:
    node = top.sub_mapping("heartbeat")
    if node is None:
        return None
    item = MapReader(walk, node, top.sub("heartbeat"), _KEYS)
    if item.exclusive("pushgateway", "alertmanager"):
        return None
    if not (item.has("pushgateway") or item.has("alertmanager")):
        walk.error(node, item.path, "missing 'pushgateway: URL' or 'alertmanager: SOURCE_ID' (where to push to)")
        return None
    interval = item.duration("interval", 15.0, minimum=MIN_INTERVAL_S, maximum=MAX_INTERVAL_S)
    labels = _labels(walk, item)
    texts = {key: _label_value(walk, item, key) for key in _OWN_KEYS}
    target = _pushgateway(walk, item) if item.has("pushgateway") else _alertmanager(walk, item, sources)
    if target is None:
        return None
    return HeartbeatConfig(
        kind="pushgateway" if item.has("pushgateway") else "alertmanager", target=target,
        interval_s=interval if interval is not None else 15.0, job=texts["job"] or "noc-app",
        instance=texts["instance"] or "", alertname=texts["alertname"] or "NocAppWallHeartbeat",
        labels=MappingProxyType(labels),
    )


def _pushgateway(walk: Walk, item: MapReader) -> SourceConfig | None:
    item.not_for("alertname", "an alertmanager heartbeat")
    url = item.text("pushgateway")
    if url is None:
        return None
    url = check_source_url(walk, item.nodes["pushgateway"], item.sub("pushgateway"), url, _OWNER)
    auth_node = item.get("auth")
    auth = read_auth(walk, auth_node, item.sub("auth"), _OWNER) if auth_node is not None else None
    timeout = item.duration("timeout", 5.0, minimum=0.1, maximum=60.0)
    if url is None:
        return None
    target = SourceConfig(id=_OWNER, kind="pushgateway", url=url.rstrip("/"), tls=_read_tls(walk, item),
                          timeout_s=timeout if timeout is not None else 5.0, origin=item.sub("pushgateway"))
    return target if auth is None else replace(target, auth=auth)


def _alertmanager(walk: Walk, item: MapReader, sources: tuple[SourceConfig, ...]) -> SourceConfig | None:
    for key in _PUSHGATEWAY_ONLY:
        item.not_for(key, "a pushgateway heartbeat (an alertmanager heartbeat uses its source's)")
    source_id = item.text("alertmanager")
    if source_id is None:
        return None
    node, path = item.nodes["alertmanager"], item.sub("alertmanager")
    found = next((s for s in sources if s.id == source_id), None)
    managers = [s.id for s in sources if s.kind == "alertmanager"]
    if found is None or found.kind != "alertmanager":
        what = "is not a source" if found is None else f"is a {found.kind} source"
        walk.error(node, path, f"'{source_id}' {what}; expected the id of an alertmanager source "
                               f"({', '.join(managers) or 'none configured'})")
        return None
    if found.read_only:
        walk.error(node, path, f"source '{source_id}' is read_only, and the heartbeat posts an alert to it; "
                               "name another alertmanager source or drop its read_only")
        return None
    return found


def _label_value(walk: Walk, item: MapReader, key: str) -> str | None:
    value = item.text(key)
    if value is not None and not 0 < len(value.strip()) <= MAX_LABEL_CHARS:
        walk.error(item.nodes[key], item.sub(key), f"expected a non-empty value of at most {MAX_LABEL_CHARS} "
                                                   "characters")
        return None
    return value.strip() if value is not None else None


def _labels(walk: Walk, item: MapReader) -> dict[str, str]:
    labels = item.text_mapping("labels")
    out: dict[str, str] = {}
    for name, value in labels.items():
        path = f"{item.sub('labels')}.{name}"
        node = item.nodes["labels"]
        if not LABEL_NAME.fullmatch(name) or name.startswith("__"):
            walk.error(node, path, f"'{name}' is not a label name; expected letters, digits and _, "
                                   "not starting with a digit or __")
        elif name in _OWN_KEYS:
            walk.error(node, path, f"'{name}' has a key of its own: write 'heartbeat.{name}: ...'")
        elif not value or len(value) > MAX_LABEL_CHARS:
            walk.error(node, path, f"expected a non-empty value of at most {MAX_LABEL_CHARS} characters")
        else:
            out[name] = value
    return out
