"""Hostile and careless configs: each gives exactly these located problems, quickly, never a traceback.

The families (YAML structure, numeric bounds, secrets, files) are counted in
HOSTILE_FAMILIES at the bottom, so the count a report quotes is the count run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from noc_app.config.errors import ConfigError
from noc_app.config.limits import MAX_FILE_BYTES
from noc_app.config.loader import load_config, load_config_text

SECRET = "s3cr3tvalue"
SOURCE = "sources:\n  - {id: prom, kind: prometheus, url: 'http://prom:9090'}\n"
DASHBOARD = "dashboards:\n  - id: main\n    panels:\n      - {id: note, kind: text, title: Note, text: hi}\n"


def panel(extra: str, *, kind: str = "stat") -> str:
    """SOURCE plus one dashboard whose only panel has `extra` keys."""
    queries = ", source: prom, queries: [up]" if kind in ("stat", "timeseries") else ", source: prom"
    return SOURCE + f"dashboards:\n  - id: main\n    panels:\n      - {{id: p, kind: {kind}, title: P{queries}, {extra}}}\n"


def source(extra: str, *, kind: str = "prometheus", url: str = "http://prom:9090") -> str:
    """One source with `extra` keys, plus DASHBOARD."""
    return f"sources:\n  - {{id: prom, kind: {kind}, url: '{url}', {extra}}}\n" + DASHBOARD


def nested_bomb(under: str) -> str:
    """Nine levels of nine aliases (9**10 nodes expanded) written under a source's `under` key."""
    lines = ["      a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"      a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return (f"sources:\n  - id: prom\n    kind: prometheus\n    url: 'http://prom:9090'\n    {under}:\n"
            f"      x-bomb:\n" + "\n".join(lines) + "\n" + DASHBOARD)


def merge_bomb() -> str:
    """Merge keys that each merge the previous anchor ten times."""
    first = "x-m0: &m0 {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9}\n"
    rest = "".join(f"x-m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 10) + f"], n{i}: {i}}}\n"
                   for i in range(1, 8))
    return first + rest + SOURCE + DASHBOARD


def alias_chain(levels: int, *, merge: bool) -> str:
    """Each anchor holds an alias to the one before: nesting that only shows once aliases expand."""
    lines = ["x-a0: &a0 {k: 1}" if merge else "x-a0: &a0 [1]"]
    lines += [f"x-a{i}: &a{i} {{<<: *a{i - 1}, k{i}: 1}}" if merge else f"x-a{i}: &a{i} [*a{i - 1}]"
              for i in range(1, levels)]
    return "\n".join(lines) + f"\nsources:\n  - {{id: prom, kind: prometheus, url: 'http://prom:9090', " \
        f"options: {{o: *a{levels - 1}}}}}\n" + DASHBOARD


ALIAS_BUDGET = ("takes the aliases and merge keys (<<) of this file past 100000 expanded nodes; "
                "write the repeated part out or use fewer nested aliases")
RECURSIVE = "points into the mapping or list that holds it (a recursive structure); expected a tree"

YAML_STRUCTURE = [
    pytest.param(nested_bomb("options"), [f"wall.yaml:12:16: alias *a4 {ALIAS_BUDGET}"], id="alias-bomb-options"),
    pytest.param(nested_bomb("auth"), [f"wall.yaml:12:16: alias *a4 {ALIAS_BUDGET}"], id="alias-bomb-auth"),
    pytest.param(merge_bomb(), [f"wall.yaml:5:32: alias *m3 {ALIAS_BUDGET}"], id="merge-key-bomb"),
    pytest.param("x-loop: &loop\n  a: 1\n  <<: *loop\n" + SOURCE + DASHBOARD,
                 [f"wall.yaml:3:7: alias *loop {RECURSIVE}"], id="recursive-merge-anchor"),
    pytest.param("x-loop: &loop [1, *loop]\n" + SOURCE + DASHBOARD,
                 [f"wall.yaml:1:19: alias *loop {RECURSIVE}"], id="recursive-alias"),
    pytest.param("x-deep: " + "[" * 20000 + "]" * 20000 + "\n" + SOURCE + DASHBOARD,
                 ["wall.yaml:1:72: nested deeper than 64 levels; a config needs far fewer"], id="20k-deep-nesting"),
    pytest.param("x-deep: " + "{a: " * 20000 + "1" + "}" * 20000 + "\n" + SOURCE + DASHBOARD,
                 ["wall.yaml:1:261: nested deeper than 64 levels; a config needs far fewer"], id="20k-deep-mappings"),
    pytest.param("x-many: [" + ",".join(["0"] * 200_001) + "]\n" + SOURCE + DASHBOARD,
                 ["wall.yaml:1:400004: more than 200000 YAML nodes; a config needs far fewer"], id="too-many-nodes"),
    pytest.param(alias_chain(300, merge=False),
                 ["wall.yaml:64:14: alias *a62 nests deeper than 64 levels once expanded; a config needs far fewer"],
                 id="alias-chain-300-deep"),
    pytest.param(alias_chain(300, merge=True),
                 ["wall.yaml:64:18: alias *a62 nests deeper than 64 levels once expanded; a config needs far fewer"],
                 id="merge-chain-300-deep"),
    pytest.param("x-a: *nowhere\n" + SOURCE + DASHBOARD,
                 ["wall.yaml:1:6: YAML syntax error: found undefined alias 'nowhere'"], id="undefined-alias"),
]

NUMERIC_BOUNDS = [
    pytest.param(panel("grid: {w: 6, h: 2e9}", kind="text, text: hi"),
                 ["wall.yaml:6:79 dashboards[0].panels[0].grid.h: expected a whole number, got '2e9'"],
                 id="grid-h-2e9"),
    pytest.param(panel("grid: {w: 6, h: 2000000000}", kind="text, text: hi"),
                 ["wall.yaml:6:79 dashboards[0].panels[0].grid.h: must be at most 100, got 2000000000"],
                 id="grid-h-2000000000"),
    pytest.param(panel("grid: {x: 1e3, y: 1001}", kind="text, text: hi"),
                 ["wall.yaml:6:73 dashboards[0].panels[0].grid.x: expected a whole number, got '1e3'",
                  "wall.yaml:6:81 dashboards[0].panels[0].grid.y: must be at most 1000, got 1001"],
                 id="grid-xy"),
    pytest.param(panel("decimals: 1e8"),
                 ["wall.yaml:6:78 dashboards[0].panels[0].decimals: expected a whole number, got '1e8'"],
                 id="decimals-1e8"),
    pytest.param(panel("decimals: 100000000"),
                 ["wall.yaml:6:78 dashboards[0].panels[0].decimals: must be at most 10, got 100000000"],
                 id="decimals-100000000"),
    pytest.param(panel("decimals: " + "9" * 5000),
                 ["wall.yaml:6:78 dashboards[0].panels[0].decimals: expected a whole number, got one with 5000 digits"],
                 id="decimals-5000-digits"),
    pytest.param(panel("limit: 1e20", kind="incidents"),
                 ["wall.yaml:6:65 dashboards[0].panels[0].limit: expected a whole number, got '1e20'"],
                 id="limit-1e20"),
    pytest.param(panel("limit: 100000000000000000000", kind="incidents"),
                 ["wall.yaml:6:65 dashboards[0].panels[0].limit: must be at most 100000, got 100000000000000000000"],
                 id="limit-10e20-int"),
    pytest.param(panel("min: 1.0e+400"),
                 ["wall.yaml:6:73 dashboards[0].panels[0].min: expected a finite number, got 1.0e+400"],
                 id="min-overflow"),
    pytest.param(SOURCE + DASHBOARD + "screens:\n  - {id: s, screen: 1e20, dashboard: main}\n",
                 ["wall.yaml:8:21 screens[0].screen: expected a whole number, got '1e20'"], id="screen-1e20"),
    pytest.param(SOURCE + DASHBOARD + "screens:\n  - {id: s, screen: 100000000000000000000, dashboard: main}\n",
                 ["wall.yaml:8:21 screens[0].screen: must be at most 63, got 100000000000000000000"],
                 id="screen-10e20-int"),
    pytest.param(SOURCE + DASHBOARD + "screens:\n  - {id: s, screen: -1, dashboard: main}\n",
                 ["wall.yaml:8:21 screens[0].screen: must be at least 0, got -1"], id="screen-minus-1"),
    pytest.param(source("interval: 99999999d"),
                 ["wall.yaml:2:69 sources[0].interval: must be at most 1d, got 99999999d"], id="interval-99999999d"),
    pytest.param(source("interval: 30d"),
                 ["wall.yaml:2:69 sources[0].interval: must be at most 1d, got 30d"], id="interval-30d"),
    pytest.param(source("interval: " + "9" * 400 + "d"),
                 [("wall.yaml:2:69 sources[0].interval: expected a duration like 15s, 5m, 1h, got "
                  "'999999999999999999999999999999999999999999999999999999999...'")], id="interval-overflow"),
    pytest.param(source("timeout: 2d"),
                 ["wall.yaml:2:68 sources[0].timeout: must be at most 1d, got 2d"], id="timeout-2d"),
    pytest.param(source("max_response_mb: 1e9"),
                 ["wall.yaml:2:76 sources[0].max_response_mb: expected a number, got '1e9'"], id="max-response-1e9"),
    pytest.param(panel("window: 401d", kind="timeseries"),
                 ["wall.yaml:6:82 dashboards[0].panels[0].window: must be at most 400d, got 401d"], id="window-401d"),
    pytest.param(SOURCE + "dashboards:\n  - id: main\n    columns: 1000\n    panels:\n"
                 "      - {id: note, kind: text, title: Note, text: hi}\n",
                 ["wall.yaml:5:14 dashboards[0].columns: must be at most 100, got 1000"], id="columns-1000"),
    pytest.param(SOURCE + "dashboards:\n  - id: main\n    columns: 100\n    panels:\n" + "".join(
                     f"      - {{id: n{i}, kind: text, title: N, text: x, grid: {{w: 100, h: 100}}}}\n" for i in range(101)),
                 [("wall.yaml:7:7 dashboards[0].panels: panels cover 1010000 grid cells; expected at most 1000000 "
                  "(smaller or fewer panels)")], id="dashboard-area"),
    pytest.param(SOURCE + DASHBOARD + "playlists:\n  - {id: p, dashboards: [main], interval: 30d}\n",
                 ["wall.yaml:8:43 playlists[0].interval: must be at most 1d, got 30d"], id="playlist-interval-30d"),
    pytest.param(SOURCE + DASHBOARD + "actions: {ack_duration: 500d}\n",
                 ["wall.yaml:7:25 actions.ack_duration: must be at most 400d, got 500d"], id="ack-500d"),
    pytest.param(source("options: {scrape_interval: soon}"),
                 [("wall.yaml:2:86 sources[0].options.scrape_interval: expected a duration like 15s, 5m, 1h, "
                  "got 'soon'")], id="options-bad-duration"),
    pytest.param(source("options: {max_series: 0}"),
                 ["wall.yaml:2:81 sources[0].options.max_series: expected a whole number >= 1, got 0"],
                 id="options-max-series-0"),
    pytest.param(source("options: {min_step: 2d}"),
                 ["wall.yaml:2:79 sources[0].options.min_step: must be at most 1d, got '2d'"], id="options-min-step-2d"),
    pytest.param(source("options: {lookback: 500d}", kind="loki", url="http://loki:3100"),
                 ["wall.yaml:2:73 sources[0].options.lookback: must be at most 400d, got '500d'"],
                 id="options-lookback-500d"),
    pytest.param(source("options: {categorize_labels: maybe}", kind="loki", url="http://loki:3100"),
                 ["wall.yaml:2:82 sources[0].options.categorize_labels: expected true or false, got 'maybe'"],
                 id="options-flag-text"),
    pytest.param(source("index: 'logs /x'", kind="elasticsearch", url="http://es:9200"),
                 [("wall.yaml:2:67 sources[0].index: expected an index pattern like logs-* (no spaces, '/', '?' or "
                  "'#'), got 'logs /x'")], id="elasticsearch-index-with-space"),
    pytest.param(source("options: {since: 2024-13-45}", kind="loki", url="http://loki:3100"),
                 ["wall.yaml:2:62 sources[0].options: cannot read: month must be in 1..12"], id="options-bad-date"),
]

SECRET_LEAKS = [
    pytest.param(source("", url=f"http://prom:9090/?api_key={SECRET}"),
                 [("wall.yaml:2:39 sources[0].url: a source url must not carry a query string or fragment (keys such "
                  "as ?api_key= end up in logs); give the base URL like http://prometheus:9090 and put a key in "
                  "'auth: {header_env: {X-Api-Key: NOC_PROM_API_KEY}}'")], id="url-api-key-query"),
    pytest.param(source("", url=f"http://prom:9090/#{SECRET}"),
                 [("wall.yaml:2:39 sources[0].url: a source url must not carry a query string or fragment (keys such "
                  "as ?api_key= end up in logs); give the base URL like http://prometheus:9090 and put a key in "
                  "'auth: {header_env: {X-Api-Key: NOC_PROM_API_KEY}}'")], id="url-fragment"),
    pytest.param(source("", url=f"http://{SECRET}@prom:9090"),
                 [("wall.yaml:2:39 sources[0].url: a secret must not be written in the config file; remove the user "
                  "name from the URL and write 'auth: {basic: {username: ..., password_env: NOC_PROM_PASSWORD}}'")],
                 id="url-user-info"),
    pytest.param(source("", url=f"http://admin:{SECRET}@prom:9090"),
                 [("wall.yaml:2:39 sources[0].url: a secret must not be written in the config file; remove the "
                  "password from the URL and write 'auth: {basic: {username: admin, password_env: "
                  "NOC_PROM_PASSWORD}}'")], id="url-password"),
    pytest.param(source("", url=f"http://admin:{SECRET}@[::1"),
                 [("wall.yaml:2:39 sources[0].url: a secret must not be written in the config file; remove the user "
                  "name from the URL and write 'auth: {basic: {username: ..., password_env: NOC_PROM_PASSWORD}}'")],
                 id="unparsable-url-with-password"),
    pytest.param(source(f"options: {{access_token: {SECRET}}}"),
                 [("wall.yaml:2:69 sources[0].options.access_token: a secret must not be written in the config file; "
                  "put it in an environment variable and write 'bearer_token_env: NOC_PROM_ACCESS_TOKEN' or "
                  "'header_env: {Header-Name: NOC_PROM_ACCESS_TOKEN}' under auth")], id="options-access-token"),
    pytest.param(source(f"options: {{extra: [{{client-secret: {SECRET}}}]}}"),
                 [("wall.yaml:2:78 sources[0].options.extra[0].client-secret: a secret must not be written in the "
                  "config file; put it in an environment variable and write 'bearer_token_env: "
                  "NOC_PROM_CLIENT_SECRET' or 'header_env: {Header-Name: NOC_PROM_CLIENT_SECRET}' under auth")],
                 id="options-nested-client-secret"),
    pytest.param(source(f"auth: {{headers: {{X-Vault-Token: {SECRET}}}}}"),
                 [("wall.yaml:2:76 sources[0].auth.headers.X-Vault-Token: a secret must not be written in the config "
                  "file; put it in an environment variable and write "
                  "'header_env: {X-Vault-Token: NOC_PROM_X_VAULT_TOKEN}'")], id="header-x-vault-token"),
    pytest.param(source(f"auth: {{headers: {{Proxy-Authorization: 'Basic {SECRET}'}}}}"),
                 [("wall.yaml:2:76 sources[0].auth.headers.Proxy-Authorization: a secret must not be written in the "
                  "config file; put it in an environment variable and write "
                  "'header_env: {Proxy-Authorization: NOC_PROM_PROXY_AUTHORIZATION}'")], id="header-proxy-authorization"),
    pytest.param(source(f"auth: {{headers: {{X-Session-Cookie: {SECRET}}}}}"),
                 [("wall.yaml:2:76 sources[0].auth.headers.X-Session-Cookie: a secret must not be written in the "
                  "config file; put it in an environment variable and write "
                  "'header_env: {X-Session-Cookie: NOC_PROM_X_SESSION_COOKIE}'")], id="header-cookie"),
    pytest.param(source(f"auth: {{session_cookie: {SECRET}}}"),
                 [("wall.yaml:2:66 sources[0].auth.session_cookie: a secret must not be written in the config file; "
                  "put it in an environment variable and write 'bearer_token_env: NOC_PROM_SESSION_COOKIE' or "
                  "'header_env: {Header-Name: NOC_PROM_SESSION_COOKIE}' under auth")], id="auth-session-cookie"),
    pytest.param(source(f"options: {{api-key: {SECRET}}}"),
                 [("wall.yaml:2:69 sources[0].options.api-key: a secret must not be written in the config file; put "
                  "it in an environment variable and write 'bearer_token_env: NOC_PROM_API_KEY' or "
                  "'header_env: {Header-Name: NOC_PROM_API_KEY}' under auth")], id="options-api-key-dash"),
    pytest.param(source("follow_redirects: always"),
                 [("wall.yaml:2:77 sources[0].follow_redirects: expected one of none, same-origin, any (or false), "
                  "got 'always'")], id="follow-redirects-bad"),
    pytest.param(source("follow_redirects: true"),
                 [("wall.yaml:2:77 sources[0].follow_redirects: expected one of none, same-origin, any (or false), "
                  "got true")], id="follow-redirects-true"),
]

CA_FILES = [
    pytest.param(source("tls: {ca_file: /etc/passwd}", url="https://prom:9090"),
                 [("wall.yaml:2:75 sources[0].tls.ca_file: ca_file /etc/passwd is not a PEM CA bundle "
                  "(NO_CERTIFICATE_OR_CRL_FOUND)")], id="ca-file-etc-passwd"),
    pytest.param(source("tls: {ca_file: /nonexistent/ca.pem}", url="https://prom:9090"),
                 ["wall.yaml:2:75 sources[0].tls.ca_file: ca_file not found: /nonexistent/ca.pem"], id="ca-file-missing"),
    pytest.param(source("tls: {ca_file: /dev/zero}", url="https://prom:9090"),
                 [("wall.yaml:2:75 sources[0].tls.ca_file: ca_file /dev/zero is not a regular file "
                  "(a character device); expected a file")], id="ca-file-dev-zero"),
    pytest.param(source("tls: {ca_file: /}", url="https://prom:9090"),
                 ["wall.yaml:2:75 sources[0].tls.ca_file: ca_file / is a directory; expected a file"],
                 id="ca-file-directory"),
]


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config_text(text, filename="wall.yaml", base_dir="/nonexistent-base")
    return [str(problem) for problem in info.value.problems]


@pytest.mark.parametrize(("text", "expected"), YAML_STRUCTURE + NUMERIC_BOUNDS + SECRET_LEAKS + CA_FILES)
def test_hostile_config_gives_exactly_these_problems(text: str, expected: list[str]) -> None:
    found = problems_of(text)
    assert found == expected
    assert not any(SECRET in problem for problem in found)


def test_valid_redirect_policies_are_read() -> None:
    for written, policy in (("none", "none"), ("same-origin", "same-origin"), ("any", "any"), ("false", "none")):
        config = load_config_text(source(f"follow_redirects: {written}"), filename="wall.yaml")
        assert config.sources[0].follow_redirects == policy
    assert load_config_text(source(""), filename="wall.yaml").sources[0].follow_redirects == "none"


def test_secret_references_and_harmless_names_are_not_refused() -> None:
    text = source("auth: {bearer_token_env: NOC_T, header_env: {X-Api-Key: NOC_K}, headers: {X-Scope-OrgID: t1}}, "
                  "options: {max_series: 5, scrape_interval: 30s}")
    config = load_config_text(text, filename="wall.yaml")
    assert dict(config.sources[0].auth.headers) == {"X-Scope-OrgID": "t1"}
    assert config.sources[0].options["max_series"] == 5


def test_a_real_ca_bundle_is_accepted(tmp_path: Path) -> None:
    cert = Path(__file__).parent / "integration" / "tls" / "selfsigned-cert.pem"
    config = load_config_text(source(f"tls: {{ca_file: '{cert}'}}", url="https://prom:9090"), filename="wall.yaml")
    assert config.sources[0].tls.ca_file == str(cert)


def test_bounds_accept_their_edge_values() -> None:
    text = SOURCE.replace("'}", "', interval: 1d, timeout: 24h}") + DASHBOARD.replace(
        "text: hi}", "text: hi, grid: {x: 0, y: 1000, w: 6, h: 100}}"
    ) + "screens:\n  - {id: s, screen: 63, dashboard: main}\n"
    config = load_config_text(text, filename="wall.yaml")
    assert config.sources[0].interval_s == 86400.0 and config.screens[0].screen == 63
    assert config.dashboards[0].panels[0].grid.h == 100


# -- files: what load_config opens --------------------------------------------------

def test_fifo_config_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "wall.yaml"
    os.mkfifo(fifo)  # nobody writes: opening it for reading would block forever
    with pytest.raises(ConfigError) as info:
        load_config(fifo)
    assert str(info.value) == f"{fifo}: is not a regular file (a FIFO); expected a YAML config file"


def test_dev_zero_config_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        load_config("/dev/zero")
    assert str(info.value) == "/dev/zero: is not a regular file (a character device); expected a YAML config file"


def test_directory_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory; expected a YAML config file"


def test_oversized_config_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "wall.yaml"
    with big.open("wb") as handle:  # sparse: the size is there without writing 4 MiB
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ConfigError) as info:
        load_config(big)
    assert str(info.value) == f"{big}: config file is larger than 4 MiB; expected a file of at most 4194304 bytes"


def test_oversized_config_text_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        load_config_text("#" * (MAX_FILE_BYTES + 1), filename="wall.yaml")
    assert str(info.value) == ("wall.yaml:1:1: config text is larger than 4 MiB; expected a config of at most "
                               "4194304 characters")


def test_non_utf8_config_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wall.yaml"
    path.write_bytes(b"title: \xff\xfe\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: config file is not UTF-8 text: invalid start byte"


def test_grafana_import_of_dev_zero_and_deep_json(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 20000 + "]" * 20000, encoding="utf-8")
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    text = SOURCE + "dashboards:\n" + "".join(
        f"  - {{id: d{index}, import_grafana: '{path}', source: prom}}\n"
        for index, path in enumerate(("/dev/zero", deep, big, fifo))
    )
    assert problems_of(text) == [
        ("wall.yaml:4:30 dashboards[0].import_grafana: /dev/zero is not a regular file (a character device); "
        "expected a file"),
        (f"wall.yaml:5:30 dashboards[1].import_grafana: {deep} is nested deeper than 64 levels; "
        "a Grafana dashboard needs far fewer"),
        (f"wall.yaml:6:30 dashboards[2].import_grafana: {big} is larger than 4 MiB; expected a file of at most "
        "4194304 bytes"),
        f"wall.yaml:7:30 dashboards[3].import_grafana: {fifo} is not a regular file (a FIFO); expected a file",
    ]


FILE_CASES = [
    "fifo-config", "dev-zero-config", "directory-config", "oversized-config", "oversized-text", "non-utf8-config",
    "grafana-dev-zero", "grafana-20k-deep", "grafana-oversized", "grafana-fifo",
]
HOSTILE_FAMILIES = {
    "yaml structure": len(YAML_STRUCTURE),
    "numeric bounds": len(NUMERIC_BOUNDS),
    "secrets": len(SECRET_LEAKS),
    "files": len(CA_FILES) + len(FILE_CASES),
}


def test_hostile_family_counts_are_what_the_report_says() -> None:
    # If a case is added or removed, update the counts quoted in the report with these.
    assert HOSTILE_FAMILIES == {"yaml structure": 11, "numeric bounds": 29, "secrets": 14, "files": 14}
