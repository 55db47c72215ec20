"""A stdlib HTTP server on a free loopback port, in a daemon thread, for the benchmark.

Routes map (method, path) to a handler returning (status, body bytes).  The
server remembers when it finished sending each path's last response
(`last_sent`, perf_counter seconds), which is where "response received" is
measured from.  Bodies are prepared up front so serving costs no Python work
beyond writing bytes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, kw_only=True, slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes


Handler = Callable[[Request], tuple[int, bytes]]


@dataclass(kw_only=True)
class LoopbackServer:
    """Serves `routes` on 127.0.0.1:<free port> until stop()."""

    routes: dict[tuple[str, str], Handler]
    last_sent: dict[str, float] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def start(self) -> LoopbackServer:
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                handler = owner.routes.get((self.command, parts.path))
                if handler is None:
                    status, payload = 404, json.dumps({"status": "error", "error": f"no route {parts.path}"}).encode()
                else:
                    request = Request(method=self.command, path=parts.path, query=parse_qs(parts.query), body=body)
                    status, payload = handler(request)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
                owner.last_sent[parts.path] = time.perf_counter()
                owner.requests[parts.path] = owner.requests.get(parts.path, 0) + 1

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="bench-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def rotating(bodies: list[bytes]) -> Handler:
    """A handler answering each request with the next body (so every poll sees new content)."""
    state = {"i": 0}
    lock = threading.Lock()

    def handle(_request: Request) -> tuple[int, bytes]:
        with lock:
            body = bodies[state["i"] % len(bodies)]
            state["i"] += 1
        return 200, body

    return handle


def fixed(body: bytes) -> Handler:
    def handle(_request: Request) -> tuple[int, bytes]:
        return 200, body

    return handle
