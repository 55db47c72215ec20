"""The harness itself: skip-or-fail on missing binaries, port-collision retry, whole-group teardown."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import httpx
import pytest

import servers

pytestmark = pytest.mark.integration

MISSING = servers.Binary(path="/nonexistent/bin/prometheus-nothing", package="prometheus-nothing")


def test_missing_binary_skips_naming_the_package(monkeypatch):
    monkeypatch.delenv(servers.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="install the Debian package 'prometheus-nothing'"):
        servers.require(MISSING)


def test_missing_binary_fails_when_backends_are_required(monkeypatch):
    monkeypatch.setenv(servers.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="NOC_REQUIRE_BACKENDS=1 forbids skipping"):
        servers.require(MISSING)


def _processes_in_group(pgid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # fields: state, ppid, pgrp, ...
            found.add(int(entry.name))
    return found


def test_port_collision_is_retried_on_a_fresh_port(tmp_path):
    servers.require_prometheus_client()
    squatter = socket.socket()
    squatter.bind((servers.LOOPBACK, 0))
    squatter.listen(1)
    taken = squatter.getsockname()[1]
    attempts: list[int] = []

    def build() -> servers.Server:
        server = servers.sample_service(tmp_path / f"attempt-{len(attempts)}")
        if not attempts:  # the first attempt loses the race for its port
            server.argv[server.argv.index("--port") + 1] = str(taken)
            server.port = taken
        attempts.append(server.port)
        return server

    try:
        server = servers.start_on_free_ports(build, servers.Server.start)
    finally:
        squatter.close()
    try:
        assert attempts[0] == taken and len(attempts) == 2 and server.port != taken
        assert "Address already in use" in (tmp_path / "attempt-0" / "sample_service.log").read_text()
        assert httpx.get(f"{server.base_url}/healthz", timeout=5).text == "ok\n"
    finally:
        server.stop()


def test_stop_takes_down_the_whole_process_group(tmp_path):
    port = servers.free_port()
    # A server that leaves a child of its own behind: stop() must not.
    script = (f"sleep 300 & exec {sys.executable} -m http.server --bind {servers.LOOPBACK} {port}")
    server = servers.Server(name="forking", argv=["/bin/sh", "-c", script], port=port, workdir=tmp_path)
    server.start()
    group = _processes_in_group(server.proc.pid)
    assert len(group) == 2  # the http.server (same pid as the launcher) and its sleep
    server.stop()
    assert not server.alive
    # SIGKILL is delivered asynchronously: the orphaned sleep dies a moment later.
    servers.wait_for(lambda: _processes_in_group(server.proc.pid) == set(), timeout_s=10,
                     what="every process of the server's group to be gone")
    assert os.path.exists(server.log_path)
