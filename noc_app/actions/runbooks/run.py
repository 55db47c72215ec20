"""Carry out a prepared runbook call: one HTTP request, or one process (argv, never a shell).

Errors map onto the action error tree.  Only what certainly did not reach the
target is Retryable (no connection, 429): a runbook is not idempotent, and one
that timed out after sending may have run.  A child process gets a minimal
environment (PATH, LANG, HOME, TZ): the app's secrets in its own environment are
not handed down, and argv holds only validated values.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Callable
from typing import IO

import httpx

from noc_app.actions.errors import ActionError, BackendRejected, Retryable
from noc_app.actions.runbooks.prepare import PreparedCall
from noc_app.config.runbook_schema import RunbookConfig
from noc_app.config.schema import AuthConfig, SourceConfig
from noc_app.redaction import redact
from noc_app.sources.base import AuthFailed, RateLimited, SourceError
from noc_app.sources.http import make_client, request_bytes

MAX_ANSWER_BYTES = 1024 * 1024
MAX_OUTPUT_SHOWN = 500  # characters of a process's output (or an answer's body) kept in the outcome
_CHILD_ENV = ("PATH", "LANG", "LC_ALL", "HOME", "TZ")

ClientFactory = Callable[[SourceConfig], httpx.Client]


def http_source(runbook: RunbookConfig) -> SourceConfig:
    """The runbook's HTTP client settings as a SourceConfig (auth by reference, its timeout, no redirects)."""
    assert runbook.http is not None
    return SourceConfig(id=f"runbook:{runbook.id}", kind="runbook", auth=runbook.http.auth or AuthConfig(),
                        timeout_s=runbook.timeout_s, follow_redirects="none")


def run_http(call: PreparedCall, runbook: RunbookConfig, client_for: ClientFactory | None = None) -> str:
    """Send the request; returns a short description of the answer."""
    source = http_source(runbook)
    try:
        client = client_for(source) if client_for is not None else make_client(source)
    except AuthFailed as exc:  # a secret reference that is not set
        raise BackendRejected(str(exc)) from exc
    try:
        status, body, _headers = request_bytes(
            client, call.method, call.url, max_bytes=MAX_ANSWER_BYTES, content=call.body, headers=dict(call.headers))
    except RateLimited as exc:
        raise Retryable(f"the target asked to wait: {exc}", retry_after=exc.retry_after) from exc
    except SourceError as exc:
        if isinstance(exc.__cause__, (httpx.ConnectError, httpx.ConnectTimeout)):
            raise Retryable(f"not sent: {exc}") from exc
        raise BackendRejected(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if client_for is None:
            client.close()
    text = " ".join(body.decode("utf-8", "replace").split())[:MAX_OUTPUT_SHOWN]
    return f"HTTP {status}" + (f": {text}" if text else "")


def run_argv(call: PreparedCall) -> str:
    """Run the program with its argv (no shell), a minimal environment, a timeout and bounded output."""
    env = {name: os.environ[name] for name in _CHILD_ENV if name in os.environ}
    with tempfile.TemporaryFile() as out:
        try:
            process = subprocess.Popen(  # an argv list with shell=False: nothing is interpreted
                list(call.argv), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=env, shell=False, start_new_session=True, close_fds=True,
            )
        except OSError as exc:
            raise BackendRejected(f"cannot start {call.argv[0]!r}: {exc.strerror or exc}") from exc
        try:
            code = process.wait(timeout=call.timeout_s)
        except subprocess.TimeoutExpired as exc:
            _kill_group(process)
            raise ActionError(
                f"{call.argv[0]} did not finish within {call.timeout_s:g} s and was killed; "
                f"it may have done part of its work: {_tail(out)}"
            ) from exc
        shown = _tail(out)
    if code != 0:
        raise BackendRejected(f"{call.argv[0]} exited with status {code}: {shown}")
    return f"exit 0: {shown}" if shown else "exit 0"


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def _tail(out: IO[bytes]) -> str:
    """The last MAX_OUTPUT_SHOWN characters of what the process wrote, secrets masked."""
    out.seek(0, os.SEEK_END)
    size = out.tell()
    out.seek(max(0, size - 4 * MAX_OUTPUT_SHOWN))
    text = out.read().decode("utf-8", "replace")
    return redact(" ".join(text.split())[-MAX_OUTPUT_SHOWN:])
