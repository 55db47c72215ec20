"""Backends that echo our credentials or send us elsewhere: no secret leaves its origin or reaches the wall.

Runs the real config loader, runtime and widgets against fault_server.py on
loopback (no Debian package needed).  The echo faults put the request line and
headers (Authorization, X-Api-Key) into error bodies, Prometheus error envelopes,
Alertmanager's JSON-string errors and even series labels; the test then greps
everything the app produced — the snapshot JSON, every log record, every label,
tooltip and window title of the built wall — for the secret values.
"""

from __future__ import annotations

import base64
import json
import logging
import textwrap
from collections.abc import Iterator

import pytest
import yaml
from PySide6.QtWidgets import QLabel, QWidget

import fault_server
from fault_server import FaultServer
from noc_app.app import LaunchOptions, build_windows
from noc_app.config.loader import load_config
from noc_app.config.schema import AuthConfig, SecretRef, SourceConfig
from noc_app.model import DataState
from noc_app.runtime import Runtime
from noc_app.sources.base import MetricQuery, PollPlan
from noc_app.sources.registry import create_source
from noc_app.wall_state import wall_state

pytestmark = pytest.mark.integration

TOKEN = "tok-9f8e7d6c5b4a-SECRET"
API_KEY = "key-0a1b2c3d4e5f-SECRET"
# What must never appear: each value and its base64 form (a basic-auth style leak).
NEEDLES = (TOKEN, API_KEY, base64.b64encode(TOKEN.encode()).decode(), "9f8e7d6c5b4a", "0a1b2c3d4e5f")


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with fault_server.running() as server:
        yield server


@pytest.fixture
def elsewhere() -> Iterator[FaultServer]:
    """A second server: another origin (same host, another port)."""
    with fault_server.running() as server:
        yield server


AUTH = {"bearer_token_env": "NOC_TEST_TOKEN", "header_env": {"X-Api-Key": "NOC_TEST_API_KEY"}}


def _hostile_config(tmp_path, faults: FaultServer):
    """One source per echo fault, each with a token and an API key, and panels showing them all."""
    sources: list[dict] = []
    panels: list[dict] = []

    def add(sid: str, kind: str, case: str, *panel_specs: tuple[str, dict]) -> None:
        sources.append({"id": sid, "kind": kind, "url": faults.url(case), "interval": "1s", "timeout": "2s",
                        "auth": AUTH})
        for panel_kind, extra in panel_specs:
            y = 2 * len(panels)
            panels.append({"id": f"{sid}_{panel_kind}", "kind": panel_kind, "title": f"{sid} {panel_kind}",
                           "source": sid, "grid": {"x": 0, "y": y, "w": 24, "h": 2}, **extra})

    metric = {"queries": [{"expr": "up", "legend": "{{instance}}"}]}
    for case in ("echo500", "echo401", "echoenvelope", "echolabels"):
        add(case, "prometheus", case, ("stat", metric), ("timeseries", metric))
    add("am", "alertmanager", "echoamjson", ("incidents", {}))
    add("loki", "loki", "echo500", ("logs", {"queries": [{"expr": '{job="x"}'}]}))
    add("es", "elasticsearch", "echo401", ("logs", {"queries": [{"expr": "level:error"}]}))
    document = {"version": 1, "title": "Hostile", "sources": sources,
                "dashboards": [{"id": "main", "title": "Hostile", "panels": panels}]}
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return load_config(path)


def _painted_texts(windows: list[QWidget]) -> list[str]:
    texts: list[str] = []
    for window in windows:
        texts.append(window.windowTitle())
        for widget in [window, *window.findChildren(QWidget)]:
            texts.append(widget.toolTip())
            if isinstance(widget, QLabel):
                texts.append(widget.text())
        for frame in window.panel_frames():
            texts.extend(_strings_in(frame, depth=3))
    return texts


def _strings_in(obj: object, depth: int) -> list[str]:
    """Every string a view object holds for painting (its texts, rows, legends), a few levels deep."""
    if isinstance(obj, str):
        return [obj]
    if depth == 0 or isinstance(obj, (int, float, bytes)) or obj is None:
        return []
    if isinstance(obj, dict):
        items = list(obj.keys()) + list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = list(obj)[:500]
    elif hasattr(obj, "__dict__") or hasattr(obj, "__slots__"):
        names = list(getattr(obj, "__dict__", {}))
        names += [n for n in getattr(type(obj), "__slots__", ()) if isinstance(n, str)]
        items = [getattr(obj, n, None) for n in names if not n.startswith("__")]
        items = [i for i in items if not isinstance(i, QWidget)]  # walked as widgets already
    else:
        return []
    found: list[str] = []
    for item in items:
        found.extend(_strings_in(item, depth - 1))
    return found


def _leaks(texts: list[str]) -> list[str]:
    return [t for t in texts if any(needle in t for needle in NEEDLES)]


def test_echoed_credentials_reach_no_panel_tooltip_snapshot_or_log(tmp_path, faults, monkeypatch, qtbot, caplog):
    # The token file ends with a newline, as secret files do.
    monkeypatch.setenv("NOC_TEST_TOKEN", TOKEN + "\n")
    monkeypatch.setenv("NOC_TEST_API_KEY", API_KEY)
    caplog.set_level(logging.DEBUG)
    config = _hostile_config(tmp_path, faults)
    runtime = Runtime(config)
    windows = build_windows(config, runtime, LaunchOptions(), size=(1920, 1080))
    for window in windows:
        qtbot.addWidget(window)
        window.show()
    runtime.start()
    try:
        store = runtime.store
        polled = [sc.id for sc in config.sources]
        qtbot.waitUntil(lambda: all(store.status(sid).last_attempt_at for sid in polled), timeout=30_000)
        qtbot.wait(4000)  # retries of the failing ones (401s back off for minutes and are not waited for)
        qtbot.wait(300)  # the GUI has drawn the last outcome
        state = wall_state(
            config,
            {sid: store.snapshot(sid) for sid in store.source_ids()},
            {sid: store.status(sid) for sid in store.source_ids()},
            runtime.wall_clock(),
        )
        painted = _painted_texts(windows)
    finally:
        runtime.stop()

    # The credentials were sent (stripped of the newline) and echoed back ...
    sent = [headers for case, headers in faults.requests if case == "echo500"]
    assert sent and sent[0]["authorization"] == f"Bearer {TOKEN}" and sent[0]["x-api-key"] == API_KEY
    snapshot_text = json.dumps(state, ensure_ascii=False)
    # ... the echoes did reach the app (masked), so the greps below are not vacuous ...
    assert "***" in snapshot_text and any("***" in t for t in painted)
    assert "Illegal header value" not in snapshot_text
    # ... and no form of a secret is in the snapshot, a log record or anything painted.
    assert not [n for n in NEEDLES if n in snapshot_text]
    assert not [n for n in NEEDLES if n in caplog.text]
    assert _leaks(painted) == []
    frames = {f.panel.id: f for w in windows for f in w.panel_frames()}
    assert frames["echolabels_stat"].state is DataState.OK  # an answer with echoed labels is still shown
    assert frames["echoenvelope_stat"].state is DataState.QUERY_ERROR


def test_secret_with_non_ascii_character_is_refused_naming_the_variable(tmp_path, faults, monkeypatch):
    monkeypatch.setenv("NOC_TEST_TOKEN", "tök-" + TOKEN)
    config = SourceConfig(id="p", kind="prometheus", url=faults.url("ok"),
                          auth=AuthConfig(bearer=SecretRef(env="NOC_TEST_TOKEN")))
    with pytest.raises(Exception) as caught:
        create_source(config, PollPlan())
    message = str(caught.value)
    assert "NOC_TEST_TOKEN" in message and "non-ASCII at character 2" in message
    assert TOKEN not in message and "ö" not in message


# -- redirects ---------------------------------------------------------------------------------------

PLAN = PollPlan(metrics=(MetricQuery(key="k", expr="up", instant=True),))


def _redirecting_source(faults: FaultServer, policy: str):
    config = SourceConfig(
        id="p", kind="prometheus", url=faults.url("redirect"), timeout_s=2.0, follow_redirects=policy,
        auth=AuthConfig(bearer=SecretRef(env="NOC_TEST_TOKEN"), secret_headers={"X-Api-Key": SecretRef(env="NOC_TEST_API_KEY")}),
    )
    return create_source(config, PLAN)


@pytest.fixture
def secrets_in_env(monkeypatch):
    monkeypatch.setenv("NOC_TEST_TOKEN", TOKEN)
    monkeypatch.setenv("NOC_TEST_API_KEY", API_KEY)


@pytest.mark.parametrize("policy", ["none", "same-origin"])
def test_cross_origin_redirect_is_not_followed_and_names_its_target(faults, elsewhere, secrets_in_env, policy):
    faults.server.redirect_to = elsewhere.url("ok")
    source = _redirecting_source(faults, policy)
    try:
        snapshot = source.poll()
    finally:
        source.close()
    error = snapshot.metrics["k"].error or ""
    assert error.startswith(f"HTTP 307 redirect to {elsewhere.url('ok')}/api/v1/query not followed")
    assert "follow_redirects: any" in error
    assert elsewhere.requests == []  # the other origin never heard from us


def test_redirect_followed_by_opt_in_never_carries_secrets_and_says_where_data_came_from(
    faults, elsewhere, secrets_in_env
):
    faults.server.redirect_to = elsewhere.url("ok")
    source = _redirecting_source(faults, "any")
    try:
        snapshot = source.poll()
    finally:
        source.close()
    assert snapshot.metrics["k"].error is None and snapshot.metrics["k"].series
    received = [headers for _, headers in elsewhere.requests]
    assert received, "the redirect was followed"
    for headers in received:
        assert "authorization" not in headers and "x-api-key" not in headers
        assert not [n for n in NEEDLES if n in json.dumps(headers)]
    # The origin that asked for it did get the credentials (the control) ...
    assert faults.requests[0][1]["x-api-key"] == API_KEY
    # ... and the feed says the data came from elsewhere.
    assert any(f"127.0.0.1:{elsewhere.port}" in reason for reason in snapshot.degraded), snapshot.degraded


def test_same_origin_redirect_is_followed_with_credentials(faults, secrets_in_env):
    faults.server.redirect_to = faults.url("ok")
    source = _redirecting_source(faults, "same-origin")
    try:
        snapshot = source.poll()
    finally:
        source.close()
    assert snapshot.metrics["k"].series and not snapshot.degraded
    ok_requests = [headers for case, headers in faults.requests if case == "ok"]
    assert ok_requests and all(h.get("x-api-key") == API_KEY for h in ok_requests)


# -- shutdown -----------------------------------------------------------------------------------------


def test_stopping_with_a_poll_in_flight_logs_no_error(tmp_path, faults, qtbot, caplog):
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "hang.yaml"
    path.write_text(textwrap.dedent(f"""\
        version: 1
        sources:
          - {{id: stuck, kind: prometheus, url: "{faults.url('hang')}", interval: 1s, timeout: 20s}}
          - {{id: am, kind: alertmanager, url: "{faults.url('hang')}", interval: 1s, timeout: 20s}}
        dashboards:
          - id: d
            panels:
              - {{id: s, title: S, kind: stat, source: stuck, queries: [{{expr: up}}], grid: {{x: 0, y: 0, w: 6, h: 2}}}}
              - {{id: i, title: I, kind: incidents, source: am, grid: {{x: 6, y: 0, w: 6, h: 2}}}}
    """))
    runtime = Runtime(load_config(path))
    runtime.start()
    qtbot.waitUntil(lambda: faults.hits.count("hang") >= 2, timeout=10_000)  # both polls are inside a request
    runtime.stop()
    qtbot.wait(500)  # anything a worker still delivers arrives now
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert "Traceback" not in caplog.text
