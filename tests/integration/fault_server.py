"""A loopback HTTP server that misbehaves on purpose, one behaviour per path prefix.

A source pointed at `server.url("http500")` sends every request to
`/http500/...` and gets that fault, whatever API path it appends.  Faults that
need no server at all (connection refused, DNS failure) are plain URLs.

    ok          a healthy Prometheus API (buildinfo, vector/matrix answers)
    hang        accepts, reads the request, never answers
    drip        sends headers, then one body byte every DRIP_INTERVAL_S
    reset       promises 1000 bytes, sends 10, closes the connection
    http500     500 with an HTML error page (a proxy or a crashed app)
    http502     502 with an nginx-style HTML page
    http401     401 with WWW-Authenticate
    http403     403 JSON body
    http429     429 with Retry-After: 7
    http503     503 with Retry-After as an HTTP date ~30 s ahead
    html200     200 with a captive-portal HTML page
    text200     200 with plain text
    empty200    200 with an empty body
    truncated   200 with JSON cut off mid-object
    notapi      200 with valid JSON that is not the API envelope
    badshape    200 with the envelope, but result is an object, not a list
    huge        200 with OVERSIZE_BYTES of JSON and a Content-Length header
    hugechunked the same without Content-Length (chunked), so only reading finds out
    baddata     400 with Prometheus' own error envelope (a per-query error)
    echo500     500, the body echoes the request line and headers (a debug page)
    echo401     401, the body echoes the request headers
    echoenvelope 422 Prometheus error envelope whose error text echoes the headers
    echoamjson  500 with Alertmanager's JSON-string error echoing the headers
    echolabels  200 vector whose series labels carry the Authorization header
    redirect    307 to `server.redirect_to` + the same path (another origin)

Every request's headers are kept in `server.requests` as (case, headers).

The HTTPS twin (`tls_server`) serves the `ok` behaviour with the self-signed
certificate in tls/ (see tls/README.md).
"""

from __future__ import annotations

import email.utils
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

TLS_DIR = Path(__file__).resolve().parent / "tls"
TLS_CERT = TLS_DIR / "selfsigned-cert.pem"
TLS_KEY = TLS_DIR / "selfsigned-key.pem"
DRIP_INTERVAL_S = 1.5  # longer than the 1 s timeout the tests configure
OVERSIZE_BYTES = 1024 * 1024  # twice the 0.5 MB cap the tests configure
HANG_LIMIT_S = 30.0  # a hung handler gives up eventually, so shutdown never blocks for long

HTML_500 = (
    b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1></body></html>"
)
HTML_502 = (  # nginx's own page, byte for byte
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"
)
HTML_PORTAL = b"<html><head><title>Sign in to the guest network</title></head><body><form>...</form></body></html>"


def ok_body(path: str, query: dict[str, list[str]]) -> dict:
    """A minimal but real-shaped Prometheus API answer for the paths adapters call."""
    now = time.time()
    if path.endswith("/api/v1/status/buildinfo"):
        return {"status": "success", "data": {"version": "2.42.0-fault-server", "revision": "test"}}
    if path.endswith("/api/v1/query_range"):
        start = float(query.get("start", [now - 60])[0])
        end = float(query.get("end", [now])[0])
        step = float(query.get("step", [15])[0])
        points = []
        t = start
        while t <= end and len(points) < 1000:
            points.append([t, "1"])
            t += step
        return {"status": "success", "data": {"resultType": "matrix", "result": [
            {"metric": {"job": "fault-server"}, "values": points}]}}
    if path.endswith("/api/v1/query"):
        return {"status": "success", "data": {"resultType": "vector", "result": [
            {"metric": {"job": "fault-server"}, "value": [now, "42"]}]}}
    if path.endswith("/api/v1/alerts"):
        return {"status": "success", "data": {"alerts": []}}
    if path.endswith("/api/v1/rules"):
        return {"status": "success", "data": {"groups": []}}
    if path.endswith("/api/v1/targets"):
        return {"status": "success", "data": {"activeTargets": [], "droppedTargets": []}}
    return {"status": "error", "errorType": "not_found", "error": f"no such endpoint {path}"}


class FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-server/1"
    server: FaultHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self.handle_fault()

    do_POST = do_GET
    do_DELETE = do_GET

    # -- helpers ---------------------------------------------------------------

    def read_request_body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8", "replace") if length else ""

    def reply(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        self.reply(status, json.dumps(payload).encode(), headers=headers)

    # -- the faults ------------------------------------------------------------

    def handle_fault(self) -> None:
        url = urlsplit(self.path)
        body = self.read_request_body()
        query = parse_qs(url.query)
        query.update(parse_qs(body))
        case, _, rest = url.path.lstrip("/").partition("/")
        self.server.hits.append(case)
        self.server.requests.append((case, {k.lower(): v for k, v in self.headers.items()}))
        handler = getattr(self, f"fault_{case}", None)
        if handler is None:
            self.reply_json(404, {"status": "error", "errorType": "not_found", "error": f"unknown fault {case!r}"})
            return
        handler("/" + rest, query)

    def fault_ok(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply_json(200, ok_body(path, query))

    def fault_hang(self, path: str, query: dict[str, list[str]]) -> None:
        self.server.stopping.wait(HANG_LIMIT_S)
        self.close_connection = True

    def fault_drip(self, path: str, query: dict[str, list[str]]) -> None:
        payload = json.dumps(ok_body(path, query)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.flush()
        for byte in payload:
            if self.server.stopping.wait(DRIP_INTERVAL_S):
                break
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client gave up, as it should
                break
        self.close_connection = True

    def fault_reset(self, path: str, query: dict[str, list[str]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b'{"status":"')
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def fault_http500(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(500, HTML_500, "text/html")

    def fault_http502(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(502, HTML_502, "text/html")

    def fault_http401(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(401, b"Unauthorized\n", "text/plain", {"WWW-Authenticate": 'Basic realm="prometheus"'})

    def fault_http403(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply_json(403, {"message": "access denied for tenant"})

    def fault_http429(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(429, b"Too Many Requests\n", "text/plain", {"Retry-After": "7"})

    def fault_http503(self, path: str, query: dict[str, list[str]]) -> None:
        when = email.utils.formatdate(time.time() + 30, usegmt=True)
        self.reply(503, b"Service Unavailable\n", "text/plain", {"Retry-After": when})

    def fault_html200(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(200, HTML_PORTAL, "text/html")

    def fault_text200(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(200, b"prometheus is starting, try later\n", "text/plain")

    def fault_empty200(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(200, b"", "application/json")

    def fault_truncated(self, path: str, query: dict[str, list[str]]) -> None:
        full = json.dumps(ok_body(path, query)).encode()
        self.reply(200, full[: len(full) // 2])

    def fault_notapi(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply_json(200, {"hello": "world", "items": [1, 2, 3]})

    def fault_badshape(self, path: str, query: dict[str, list[str]]) -> None:
        if path.endswith("/api/v1/status/buildinfo"):
            self.fault_ok(path, query)
            return
        self.reply_json(200, {"status": "success", "data": {"resultType": "vector", "result": {"oops": 1}}})

    def _huge_payload(self) -> bytes:
        filler = "x" * (OVERSIZE_BYTES + 1024)
        return json.dumps({"status": "success", "data": {"resultType": "string", "result": [0, filler]}}).encode()

    def fault_huge(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(200, self._huge_payload())

    def fault_hugechunked(self, path: str, query: dict[str, list[str]]) -> None:
        payload = self._huge_payload()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for start in range(0, len(payload), 64 * 1024):
                chunk = payload[start:start + 64 * 1024]
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client stopped reading at its cap
            pass
        self.close_connection = True

    def fault_baddata(self, path: str, query: dict[str, list[str]]) -> None:
        if path.endswith("/api/v1/status/buildinfo"):
            self.fault_ok(path, query)
            return
        self.reply_json(400, {"status": "error", "errorType": "bad_data",
                              "error": '1:6: parse error: unexpected right parenthesis \')\''})


    # -- hostile backends: echo what we sent, send us elsewhere --------------------

    def _echo(self) -> str:
        lines = [f"{self.command} {self.path}"] + [f"{k}: {v}" for k, v in self.headers.items()]
        return "\n".join(lines)

    def fault_echo500(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(500, ("debug dump\n" + self._echo()).encode(), content_type="text/plain")

    def fault_echo401(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply(401, ("unauthorized, you sent:\n" + self._echo()).encode(), content_type="text/plain",
                   headers={"WWW-Authenticate": "Bearer"})

    def fault_echoenvelope(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply_json(422, {"status": "error", "errorType": "execution", "error": self._echo(),
                              "warnings": [self._echo()]})

    def fault_echoamjson(self, path: str, query: dict[str, list[str]]) -> None:
        self.reply_json(500, "failed to get alerts: " + self._echo())

    def fault_echolabels(self, path: str, query: dict[str, list[str]]) -> None:
        seen = self.headers.get("Authorization", "") + " " + self.headers.get("X-Api-Key", "")
        result = [{"metric": {"job": "echo", "instance": seen}, "value": [time.time(), "1"]}]
        self.reply_json(200, {"status": "success", "data": {"resultType": "vector", "result": result}})

    def fault_redirect(self, path: str, query: dict[str, list[str]]) -> None:
        target = self.server.redirect_to.rstrip("/") + path
        if urlsplit(self.path).query:
            target += "?" + urlsplit(self.path).query
        self.reply(307, b"", content_type="text/plain", headers={"Location": target})


class FaultHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(address, FaultHandler)
        self.stopping = threading.Event()
        self.hits: list[str] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.redirect_to = ""
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up mid-fault is the point; keep test output clean


class FaultServer:
    """A running fault server; `url(case)` is the base URL a source should use."""

    def __init__(self, server: FaultHTTPServer, scheme: str) -> None:
        self.server = server
        self.scheme = scheme
        self.port = server.server_address[1]

    def url(self, case: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/{case}"

    @property
    def hits(self) -> list[str]:
        return self.server.hits

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        return self.server.requests


@contextmanager
def running(*, tls: bool = False) -> Iterator[FaultServer]:
    """Run a fault server (HTTPS with the test certificate when tls=True) in a thread."""
    context = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS_CERT, TLS_KEY)
    server = FaultHTTPServer(("127.0.0.1", 0), context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="fault-server", daemon=True)
    thread.start()
    try:
        yield FaultServer(server, "https" if tls else "http")
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
