"""Raw HTTP calls to the backends, bypassing noc-app's adapters: the reference answers tests compare against."""

from __future__ import annotations

from typing import Any

import httpx

def prom_query(base_url: str, expr: str, *, at: float | None = None) -> list[dict[str, Any]]:
    """Raw instant query against a Prometheus-compatible API; returns data.result."""
    params = {"query": expr}
    if at is not None:
        params["time"] = f"{at:.3f}"
    response = httpx.get(f"{base_url}/api/v1/query", params=params, timeout=10.0)
    response.raise_for_status()
    body = response.json()
    if body.get("status") != "success":
        raise ValueError(f"query {expr!r} failed: {body}")
    return body["data"]["result"]


def prom_scalar(base_url: str, expr: str, *, at: float | None = None) -> float | None:
    """The single value of an instant query, None when the result is empty."""
    result = prom_query(base_url, expr, at=at)
    if not result:
        return None
    return float(result[0]["value"][1])


def firing_alerts(prometheus_url: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{prometheus_url}/api/v1/alerts", timeout=10.0)
    response.raise_for_status()
    return [a for a in response.json()["data"]["alerts"] if a.get("state") == "firing"]


def set_behaviour(sample_url: str, **params: float) -> dict[str, Any]:
    """Change the sample service's error ratio / latency / rate through /control."""
    response = httpx.post(f"{sample_url}/control", params={k: str(v) for k, v in params.items()}, timeout=5.0)
    response.raise_for_status()
    return response.json()


def am_alerts(alertmanager_url: str, **params: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{alertmanager_url}/api/v2/alerts", params=params, timeout=10.0)
    response.raise_for_status()
    return response.json()


def am_peers(alertmanager_url: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{alertmanager_url}/api/v2/status", timeout=5.0)
    response.raise_for_status()
    return response.json()["cluster"].get("peers") or []


def am_cluster_ready(alertmanager_url: str, *, peers: int) -> bool:
    """True once the node's gossip has settled with the expected number of peers."""
    response = httpx.get(f"{alertmanager_url}/api/v2/status", timeout=5.0)
    response.raise_for_status()
    cluster = response.json()["cluster"]
    return cluster.get("status") == "ready" and len(cluster.get("peers") or []) == peers
