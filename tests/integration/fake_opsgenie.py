"""A local fake of the Opsgenie Alert API v2 that enforces what the real one does to a client.

Opsgenie is a SaaS with no server to run locally, so the integration tests run against
this: a threaded http.server on 127.0.0.1:<free port>.  It ENFORCES

- auth: `Authorization: GenieKey <key>`, else 401 (the body may echo the header, as a
  careless proxy would: `echo_auth=True`);
- rate limits: more than `rate_limit` calls in one window answer 429 with
  X-RateLimit-Period-In-Sec (the window is reset by the test, never by the clock);
- asynchronous actions: a POST answers 202 + requestId and changes nothing yet;
  GET /v2/alerts/requests/{id} answers 404 "not processed yet" for `processing_polls`
  polls, then processes the request once and reports isSuccess;
- limit/offset pagination (limit 1..100, paging.next while more remain), newest first;
- state rules: acknowledging or closing a closed alert fails (isSuccess false), as does
  any action on an alert that does not exist.

Shapes follow the recorded payloads in tests/fixtures/opsgenie and the official spec.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

NOT_PROCESSED = "Request not found. It might not be processed, yet."


@dataclass
class PendingRequest:
    action: str  # acknowledge | unacknowledge | close | escalate | notes
    alert_id: str
    body: dict[str, Any]
    polls_left: int
    result: dict[str, Any] | None = None


@dataclass
class FakeOpsgenie:
    key: str
    processing_polls: int = 0
    rate_limit: int | None = None
    echo_auth: bool = False
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: dict[str, PendingRequest] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of every authorised call
    window_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeOpsgenie:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # quiet: pytest shows failures, not access logs

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # -- test controls ------------------------------------------------------------------

    def add_alert(self, alert_id: str, *, message: str = "", created: float = 1_800_000_000.0,
                  **fields: Any) -> dict[str, Any]:
        alert = {
            "id": alert_id, "tinyId": str(len(self.alerts) + 1), "alias": f"alias-{alert_id}",
            "message": message or f"alert {alert_id}", "status": "open", "acknowledged": False,
            "isSeen": False, "tags": [], "snoozed": False, "count": 1, "createdAt": _iso(created),
            "updatedAt": _iso(created), "source": "fake", "owner": "", "priority": "P3", "teams": [],
            "responders": [], "integration": {"id": "i-1", "name": "API", "type": "API"},
            "report": {}, **fields,
        }
        with self.lock:
            self.alerts[alert_id] = alert
            self.notes.setdefault(alert_id, [])
        return alert

    def reset_window(self) -> None:
        with self.lock:
            self.window_calls = 0

    def posts(self, action: str | None = None) -> list[PendingRequest]:
        with self.lock:
            return [r for r in self.requests.values() if action is None or r.action == action]

    def process_all(self) -> None:
        """Opsgenie finishes everything accepted so far (what happens while a client is away)."""
        with self.lock:
            for pending in self.requests.values():
                pending.polls_left = 0
                self._process(pending)

    # -- the API ----------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path = parts.path.rstrip("/")
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        auth = handler.headers.get("Authorization", "")
        if auth != f"GenieKey {self.key}":
            message = "Could not authenticate" + (f" with '{auth}'" if self.echo_auth else "")
            return _send(handler, 401, {"message": message, "took": 0.0, "requestId": _rid()})
        with self.lock:
            self.window_calls += 1
            limited = self.rate_limit is not None and self.window_calls > self.rate_limit
            if not limited:
                self.calls.append((method, path))
        if limited:
            return _send(handler, 429, {"message": "TooManyRequests", "took": 1, "requestId": _rid()},
                         {"X-RateLimit-State": "THROTTLED", "X-RateLimit-Reason": "ACCOUNT",
                          "X-RateLimit-Period-In-Sec": "60"})
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return _send(handler, 400, {"message": "Could not parse the request body", "took": 0.0})
        with self.lock:
            status, payload = self._route(method, path, params, body)
        _send(handler, status, payload)

    def _route(self, method: str, path: str, params: dict[str, str],
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        segments = path.split("/")[1:]  # ["v2", "alerts", ...]
        if segments[:2] != ["v2", "alerts"]:
            return 404, {"message": "Not found"}
        rest = segments[2:]
        if method == "GET" and not rest:
            return self._list(params)
        if method == "GET" and len(rest) == 2 and rest[0] == "requests":
            return self._request_status(rest[1])
        if method == "GET" and len(rest) == 1:
            alert = self.alerts.get(rest[0])
            if alert is None:
                return 404, {"message": "Alert does not exist", "took": 0.0, "requestId": _rid()}
            return 200, {"data": alert, "took": 0.0, "requestId": _rid()}
        if method == "GET" and len(rest) == 2 and rest[1] == "notes":
            notes = list(reversed(self.notes.get(rest[0], [])))
            return 200, {"data": notes[: int(params.get("limit", "100"))], "paging": {}, "took": 0.0}
        if method == "POST" and len(rest) == 2 and rest[1] in _ACTIONS:
            if rest[1] == "notes" and not str(body.get("note", "")).strip():
                return 422, {"message": "Request body is not processable. Please check the errors.",
                             "errors": {"note": "Note can not be empty"}, "took": 0.0, "requestId": _rid()}
            if rest[1] == "escalate" and not isinstance(body.get("escalation"), dict):
                return 422, {"message": "Request body is not processable. Please check the errors.",
                             "errors": {"escalation": "Escalation can not be empty"}, "took": 0.0}
            request_id = _rid()
            self.requests[request_id] = PendingRequest(rest[1], rest[0], body, self.processing_polls)
            return 202, {"result": "Request will be processed", "took": 0.008, "requestId": request_id}
        return 404, {"message": f"no route for {method} {path}"}

    def _list(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        try:
            limit, offset = int(params.get("limit", "20")), int(params.get("offset", "0"))
        except ValueError:
            return 422, {"message": "limit and offset must be numbers"}
        if not 1 <= limit <= 100 or offset < 0:
            return 422, {"message": "Request parameters are not valid", "errors": {"limit": "1..100"}}
        wanted = _status_filter(params.get("query", ""))
        chosen = [a for a in self.alerts.values() if wanted is None or a["status"] == wanted]
        chosen.sort(key=lambda a: a["createdAt"], reverse=params.get("order", "desc") == "desc")
        page = chosen[offset: offset + limit]
        base = f"{self.url}/v2/alerts?limit={limit}&sort=createdAt&order=desc"
        paging = {"first": f"{base}&offset=0", "last": f"{base}&offset={max(0, len(chosen) - limit)}"}
        if offset + limit < len(chosen):
            paging["next"] = f"{base}&offset={offset + limit}"
        return 200, {"data": page, "paging": paging, "took": 0.01, "requestId": _rid()}

    def _request_status(self, request_id: str) -> tuple[int, dict[str, Any]]:
        pending = self.requests.get(request_id)
        if pending is not None and pending.polls_left > 0:
            pending.polls_left -= 1
            pending = None
        if pending is None:
            return 404, {"message": NOT_PROCESSED, "took": 0.0, "requestId": _rid()}
        result = self._process(pending)
        return 200, {"data": result, "took": 0.02, "requestId": _rid()}

    def _process(self, pending: PendingRequest) -> dict[str, Any]:
        """Apply an accepted request once, by Opsgenie's state rules; its status record."""
        if pending.result is not None:
            return pending.result
        alert = self.alerts.get(pending.alert_id)
        user = str(pending.body.get("user") or "API")
        action, ok, status = _ACTIONS[pending.action], True, _ACTIONS[pending.action]
        if alert is None:
            ok, status = False, "Alert does not exist"
        elif alert["status"] == "closed" and pending.action in ("acknowledge", "close", "escalate"):
            ok, status = False, "Alert is already closed"
        elif pending.action == "acknowledge":
            alert.update(acknowledged=True, owner=user, report={**alert["report"], "acknowledgedBy": user})
        elif pending.action == "unacknowledge":
            alert.update(acknowledged=False, owner="")
        elif pending.action == "close":
            alert.update(status="closed", report={**alert["report"], "closedBy": user, "closeTime": 60000})
        if ok and pending.body.get("note"):
            self.notes[pending.alert_id].append({"note": pending.body["note"], "owner": user,
                                                 "createdAt": _iso(1_800_000_100.0), "offset": _rid()})
        pending.result = {
            "success": ok, "action": action, "processedAt": _iso(1_800_000_100.0), "integrationId": "i-1",
            "isSuccess": ok, "status": status, "alertId": pending.alert_id if alert else "",
            "alias": alert["alias"] if alert else "",
        }
        return pending.result


_ACTIONS = {"acknowledge": "Acknowledge", "unacknowledge": "UnAcknowledge", "close": "Close",
            "escalate": "Escalate alert", "notes": "Add Note"}


def _status_filter(query: str) -> str | None:
    """The status of a `status:open` / `status:closed` query; None for everything else (all alerts)."""
    for token in query.split():
        if token.startswith("status:"):
            return token.removeprefix("status:")
    return None


def _send(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any],
          headers: dict[str, str] | None = None) -> None:
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def _rid() -> str:
    return str(uuid.uuid4())


def _iso(epoch_s: float) -> str:
    return dt.datetime.fromtimestamp(epoch_s, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
