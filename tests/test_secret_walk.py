"""The secret-key walk visits each YAML node once, however often aliases share it."""

from __future__ import annotations

from pathlib import Path

import yaml

from noc_app.config import source_auth
from noc_app.config.source_auth import is_secret_name, refuse_secret_keys
from noc_app.config.yaml_nodes import Walk


def test_secret_walk_visits_shared_nodes_once(monkeypatch) -> None:
    # Composed without the loader's limits: ten levels of ten aliases share nodes 10**10 ways.
    lines = ["a0: &a0 {x: 1, token: y}"]
    lines += [f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(10)) + "}" for i in range(1, 10)]
    root = yaml.compose("\n".join(lines) + "\n", Loader=yaml.SafeLoader)
    calls = 0
    real_pairs = source_auth.mapping_pairs

    def counting_pairs(node):
        nonlocal calls
        calls += 1
        return real_pairs(node)

    monkeypatch.setattr(source_auth, "mapping_pairs", counting_pairs)
    walk = Walk("w.yaml", Path("."))
    refuse_secret_keys(walk, root, "options", "prom")
    assert calls == 11  # the root and the ten anchored mappings, each once
    assert [problem.path for problem in walk.problems] == ["options.a0.token"]


def test_secret_names() -> None:
    secret = ["token", "access_token", "X-Vault-Token", "Proxy-Authorization", "Cookie", "Set-Cookie", "api-key",
              "X-Api-Key", "apikey", "client_secret", "PASSWORD", "passwd", "private_key", "aws-credentials"]
    harmless = ["bearer_token_env", "password_keyring", "header_env", "username", "X-Scope-OrgID", "lookback",
                "max_series", "index", "tenant"]
    assert [name for name in secret if not is_secret_name(name)] == []
    assert [name for name in harmless if is_secret_name(name)] == []
