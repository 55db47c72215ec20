"""Misbehaving backends: every adapter maps each fault onto the right SourceError, with a specific message.

Runs against fault_server.py on loopback; needs no Debian package.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

import fault_server
from fault_server import FaultServer
from noc_app.config.schema import SourceConfig, TlsConfig
from noc_app.sources.base import (
    AuthFailed,
    BadAnswer,
    BadResponse,
    LogQuery,
    MetricQuery,
    PollPlan,
    RateLimited,
    ResponseTooLarge,
    SourceError,
    Unreachable,
)
from noc_app.sources.registry import create_source
from servers import closed_port

pytestmark = pytest.mark.integration

TIMEOUT_S = 1.0
CAP_MB = 0.5

PROM_PLAN = PollPlan(metrics=(
    MetricQuery(key="wall/stat/0", expr="sum(rate(http_requests_total[1m]))", instant=True),
    MetricQuery(key="wall/chart/0", expr="rate(http_requests_total[1m])", window_s=300, max_points=60),
))


@pytest.fixture(scope="module")
def faults() -> Iterator[FaultServer]:
    with fault_server.running() as server:
        yield server


@pytest.fixture(scope="module")
def tls_faults() -> Iterator[FaultServer]:
    with fault_server.running(tls=True) as server:
        yield server


def prometheus_config(url: str, **overrides: object) -> SourceConfig:
    return SourceConfig(id="prom", kind="prometheus", url=url, timeout_s=TIMEOUT_S,
                        max_response_mb=CAP_MB, **overrides)


def poll_error(config: SourceConfig, plan: PollPlan) -> SourceError:
    source = create_source(config, plan)
    try:
        with pytest.raises(SourceError) as caught:
            source.poll()
    finally:
        source.close()
    return caught.value


def check_fault(fault: Fault, config: SourceConfig, plan: PollPlan) -> None:
    """A transport or status fault fails the poll; an unusable answer fails each query, not the source."""
    if issubclass(fault.error, BadAnswer):
        source = create_source(config, plan)
        try:
            snapshot = source.poll()
        finally:
            source.close()
        problems = [r.error for r in snapshot.metrics.values() if r.error] + list(snapshot.errors.values())
        if not problems and config.kind == "journald":
            # JSON lines: a cut-off body loses its last record only, dropped with a note.
            notes = [w for r in snapshot.metrics.values() for w in r.warnings]
            assert any(re.search(fault.message, n) and "dropped" in n for n in notes), notes
            return
        assert problems and all(re.search(fault.message, p) for p in problems), problems
        assert any("no usable answer" in reason for reason in snapshot.degraded), snapshot.degraded
        return
    error = poll_error(config, plan)
    assert type(error) is fault.error, f"{config.kind}: {type(error).__name__}: {error}"
    assert re.search(fault.message, str(error)), f"{config.kind}: {error}"
    if fault.retry_after is not None:
        low, high = fault.retry_after
        assert error.retry_after is not None and low <= error.retry_after <= high
    if fault.transport:
        assert isinstance(error.__cause__, httpx.TransportError), repr(error.__cause__)


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One misbehaviour and what the operator must be told about it."""

    id: str
    url: Callable[[FaultServer, FaultServer], str]
    error: type[SourceError]
    message: str  # regex that str(error) must contain
    retry_after: tuple[float, float] | None = None  # inclusive bounds for RateLimited
    transport: bool = False  # an httpx transport error must be chained as the cause
    overrides: dict[str, object] = field(default_factory=dict)


def case(name: str) -> Callable[[FaultServer, FaultServer], str]:
    return lambda plain, tls: plain.url(name)


PROMETHEUS_FAULTS = [
    Fault(id="connection-refused", url=lambda plain, tls: f"http://127.0.0.1:{closed_port()}",
          error=Unreachable, message=r"^connection refused: ", transport=True),
    Fault(id="dns-failure", url=lambda plain, tls: "http://nonexistent.invalid:9090",
          error=Unreachable, message=r"^DNS failure: ", transport=True),
    Fault(id="never-answers", url=case("hang"), error=Unreachable, message=r"^read timeout", transport=True),
    Fault(id="slow-drip", url=case("drip"), error=Unreachable, message=r"^read timeout", transport=True),
    Fault(id="connection-reset-mid-body", url=case("reset"), error=Unreachable,
          message=r"^connection broken: ", transport=True),
    Fault(id="http-500-html", url=case("http500"), error=BadResponse,
          message=r"^HTTP 500 from http://127\.0\.0\.1:\d+/http500/api/v1/query: .*Internal Server Error"),
    Fault(id="http-502-html", url=case("http502"), error=BadResponse, message=r"^HTTP 502 from .*502 Bad Gateway"),
    Fault(id="http-401", url=case("http401"), error=AuthFailed, message=r"^HTTP 401 from .*Unauthorized"),
    Fault(id="http-403", url=case("http403"), error=AuthFailed, message=r"^HTTP 403 from .*access denied"),
    Fault(id="http-429-retry-after", url=case("http429"), error=RateLimited, message=r"^HTTP 429 from ",
          retry_after=(7.0, 7.0)),
    Fault(id="http-503-retry-after-date", url=case("http503"), error=RateLimited, message=r"^HTTP 503 from ",
          retry_after=(20.0, 31.0)),
    Fault(id="html-instead-of-json", url=case("html200"), error=BadAnswer,
          message=r"expected JSON, got HTML/XML \('<html><head><title>Sign in"),
    Fault(id="plain-text-instead-of-json", url=case("text200"), error=BadAnswer,
          message=r"invalid or truncated JSON"),
    Fault(id="empty-body", url=case("empty200"), error=BadAnswer, message=r"empty response body"),
    Fault(id="truncated-json", url=case("truncated"), error=BadAnswer,
          message=r"invalid or truncated JSON \(.* at byte \d+\)"),
    Fault(id="json-not-the-api", url=case("notapi"), error=BadAnswer,
          message=r"not a Prometheus API response \(an object with keys \[hello, items\]\)"),
    Fault(id="json-of-wrong-shape", url=case("badshape"), error=BadAnswer,
          message=r"vector result is an object with keys \[oops\], expected a list"),
    Fault(id="oversized-declared", url=case("huge"), error=ResponseTooLarge,
          message=r"^response too large: 1\.\d MB declared, cap is 0\.5 MB"),
    Fault(id="oversized-chunked", url=case("hugechunked"), error=ResponseTooLarge,
          message=r"^response too large: more than 0\.5 MB, reading stopped"),
    Fault(id="tls-to-plain-http", url=lambda plain, tls: plain.url("ok").replace("http://", "https://"),
          error=Unreachable, message=r"^TLS failure: ", transport=True),
    Fault(id="tls-untrusted-certificate", url=lambda plain, tls: tls.url("ok"), error=Unreachable,
          message=r"^TLS failure: .*certificate verify failed", transport=True),
]


@pytest.mark.parametrize("fault", PROMETHEUS_FAULTS, ids=lambda f: f.id)
def test_prometheus_source_maps_fault(fault: Fault, faults: FaultServer, tls_faults: FaultServer):
    check_fault(fault, prometheus_config(fault.url(faults, tls_faults), **fault.overrides), PROM_PLAN)


def test_healthy_fault_server_control_polls_fine(faults):
    """The control: the same server and plan, healthy path, give data, so faults above are real."""
    source = create_source(prometheus_config(faults.url("ok")), PROM_PLAN)
    try:
        snapshot = source.poll()
    finally:
        source.close()
    stat, chart = snapshot.metrics["wall/stat/0"], snapshot.metrics["wall/chart/0"]
    assert stat.error is None and stat.series[0].last_value == 42.0
    assert chart.error is None and len(chart.series[0].x) >= 2
    assert snapshot.info.get("version") == "2.42.0-fault-server"


@pytest.mark.parametrize("tls", [TlsConfig(verify=False), TlsConfig(verify=True, ca_file=str(fault_server.TLS_CERT))],
                         ids=["verify-off", "trusted-ca-file"])
def test_self_signed_tls_works_when_configured(tls_faults, tls):
    source = create_source(prometheus_config(tls_faults.url("ok"), tls=tls), PROM_PLAN)
    try:
        snapshot = source.poll()
    finally:
        source.close()
    assert snapshot.metrics["wall/stat/0"].series[0].last_value == 42.0


def test_query_error_envelope_stays_with_its_panel(faults):
    """Prometheus' own 400 bad_data is a per-query error (QUERY ERROR on that panel), not a dead source."""
    source = create_source(prometheus_config(faults.url("baddata")), PROM_PLAN)
    try:
        snapshot = source.poll()
    finally:
        source.close()
    for result in snapshot.metrics.values():
        assert result.series == ()
        assert result.error is not None and result.error.startswith("bad_data: 1:6: parse error")


# -- the same transport and status faults through every other HTTP adapter -------------


def _alertmanager(url: str) -> tuple[SourceConfig, PollPlan]:
    return SourceConfig(id="am", kind="alertmanager", url=url, timeout_s=TIMEOUT_S, max_response_mb=CAP_MB), \
        PollPlan(alerts=True)


def _journald(url: str) -> tuple[SourceConfig, PollPlan]:
    return SourceConfig(id="journal", kind="journald", url=url, timeout_s=TIMEOUT_S, max_response_mb=CAP_MB), \
        PollPlan(logs=(LogQuery(key="wall/logs/0", expr="_SYSTEMD_UNIT=nginx.service", limit=50),))


def _loki(url: str) -> tuple[SourceConfig, PollPlan]:
    return SourceConfig(id="loki", kind="loki", url=url, timeout_s=TIMEOUT_S, max_response_mb=CAP_MB), \
        PollPlan(logs=(LogQuery(key="wall/logs/0", expr='{service="ecommerce-api"}', limit=50),))


def _elasticsearch(url: str) -> tuple[SourceConfig, PollPlan]:
    return SourceConfig(id="es", kind="elasticsearch", url=url, index="logs-*", timeout_s=TIMEOUT_S,
                        max_response_mb=CAP_MB), \
        PollPlan(logs=(LogQuery(key="wall/logs/0", expr="level:error", limit=50),))


OTHER_ADAPTERS = {"alertmanager": _alertmanager, "journald": _journald, "loki": _loki,
                  "elasticsearch": _elasticsearch}

GENERIC_FAULTS = [
    f for f in PROMETHEUS_FAULTS
    if f.id in {"connection-refused", "never-answers", "http-401", "http-429-retry-after", "oversized-declared",
                "oversized-chunked", "tls-untrusted-certificate"}
] + [
    Fault(id="http-500-html", url=case("http500"), error=BadResponse, message=r"HTTP 500 from .*Internal Server Error"),
    Fault(id="truncated-json", url=case("truncated"), error=BadAnswer, message=r"invalid or truncated JSON"),
]


@pytest.mark.parametrize("fault", GENERIC_FAULTS, ids=lambda f: f.id)
@pytest.mark.parametrize("kind", sorted(OTHER_ADAPTERS))
def test_every_http_adapter_maps_fault(kind: str, fault: Fault, faults: FaultServer, tls_faults: FaultServer):
    config, plan = OTHER_ADAPTERS[kind](fault.url(faults, tls_faults))
    check_fault(fault, config, plan)
