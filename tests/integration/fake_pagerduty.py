"""A local PagerDuty REST API v2 (the incident subset) that enforces the API's rules.

Not a mock that answers anything: it refuses what PagerDuty refuses, with
PagerDuty's error object ({"error": {"message", "code", "errors"}}):

- Authorization must be exactly "Token token=<key>" (401, code 2006, otherwise);
- Accept must be application/vnd.pagerduty+json;version=2 (406 otherwise);
- every write needs a From header naming a known user's e-mail (400, code 2001);
- more than `rate_limit` calls per `rate_window_s` -> 429 with ratelimit-limit,
  ratelimit-remaining and ratelimit-reset headers;
- /incidents pages with limit (at most 100) / offset / more;
- status moves triggered -> acknowledged -> resolved; a resolved incident cannot be
  acknowledged (400); escalation_level must exist in the incident's policy (400);
- bulk PUT /incidents takes at most 250 incidents (413).

`echo_token=True` makes every error message quote the Authorization header back
(a debugging proxy does that), to prove the app never shows or logs it.
Every request is kept in `requests` as (method, path, headers).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ACCEPT = "application/vnd.pagerduty+json;version=2"
HTML = "https://acme.pagerduty.com"


@dataclass
class User:
    id: str
    name: str
    email: str


@dataclass
class Policy:
    id: str
    name: str
    levels: dict[int, list[str]]  # level -> user ids on call there


@dataclass
class Incident:
    id: str
    number: int
    title: str
    service_id: str
    policy_id: str
    urgency: str = "high"
    priority: str | None = None
    status: str = "triggered"
    level: int = 1
    incident_key: str = ""
    acknowledgers: list[str] = field(default_factory=list)  # user ids
    notes: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = "2026-12-01T10:00:00Z"
    resolved_by: str = ""


class FakePagerDuty:
    """The account's state plus the HTTP server serving it."""

    def __init__(self, *, token: str = "pd-fake-key-0123456789", rate_limit: int = 10_000,
                 rate_window_s: float = 60.0, echo_token: bool = False) -> None:
        self.token = token
        self.rate_limit = rate_limit
        self.rate_window_s = rate_window_s
        self.echo_token = echo_token
        self.users = {
            "PUALICE": User("PUALICE", "Alice Ops", "alice@example.com"),
            "PUBOB": User("PUBOB", "Bob Backup", "bob@example.com"),
            "PUCARL": User("PUCARL", "Carl Manager", "carl@example.com"),
        }
        self.policies = {"PEPCHK": Policy("PEPCHK", "Checkout on-call", {1: ["PUALICE"], 2: ["PUBOB"], 3: ["PUCARL"]})}
        self.services = {"PSCHK": "Checkout API", "PSDB": "Orders DB"}
        self.incidents: dict[str, Incident] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self._window_start = time.monotonic()
        self._window_calls = 0
        self._next_note = 1
        self._server: ThreadingHTTPServer | None = None

    # -- set-up ----------------------------------------------------------------------

    def add_incident(self, incident_id: str, title: str, **kwargs: Any) -> Incident:
        kwargs.setdefault("service_id", "PSCHK")
        kwargs.setdefault("policy_id", "PEPCHK")
        incident = Incident(id=incident_id, number=len(self.incidents) + 1, title=title, **kwargs)
        self.incidents[incident_id] = incident
        return incident

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def limit_rate(self, calls: int, window_s: float) -> None:
        """From now on, at most `calls` requests per window (the window restarts now)."""
        with self.lock:
            self.rate_limit, self.rate_window_s = calls, window_s
            self._window_start, self._window_calls = time.monotonic(), 0

    # -- representation -------------------------------------------------------------

    def incident_json(self, inc: Incident) -> dict[str, Any]:
        policy = self.policies[inc.policy_id]
        assignees = [] if inc.status == "resolved" else policy.levels.get(inc.level, [])
        body: dict[str, Any] = {
            "id": inc.id, "type": "incident", "summary": f"[#{inc.number}] {inc.title}",
            "self": f"{self.url}/incidents/{inc.id}", "html_url": f"{HTML}/incidents/{inc.id}",
            "incident_number": inc.number, "title": inc.title, "created_at": inc.created_at,
            "updated_at": inc.created_at, "status": inc.status, "incident_key": inc.incident_key or None,
            "service": _ref(inc.service_id, "service_reference", self.services[inc.service_id]),
            "assignments": [{"at": inc.created_at, "assignee": self._user_ref(u)} for u in assignees],
            "acknowledgements": [] if inc.status != "acknowledged" else [
                {"at": inc.created_at, "acknowledger": self._user_ref(u)} for u in inc.acknowledgers
            ],
            "escalation_policy": _ref(policy.id, "escalation_policy_reference", policy.name),
            "teams": [_ref("PTCORE", "team_reference", "Core")],
            "urgency": inc.urgency,
            "priority": None if inc.priority is None else _ref("PPRI" + inc.priority, "priority_reference",
                                                               inc.priority),
            "resolved_at": inc.created_at if inc.status == "resolved" else None,
            "last_status_change_by": self._user_ref(inc.resolved_by) if inc.resolved_by else None,
        }
        return body

    def _user_ref(self, user_id: str) -> dict[str, Any]:
        return _ref(user_id, "user_reference", self.users[user_id].name)

    # -- serving ----------------------------------------------------------------------

    @contextmanager
    def serving(self) -> Iterator[FakePagerDuty]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, fmt: str, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload, headers = fake.dispatch(self.command, self.path, dict(self.headers.items()), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = _handle  # noqa: N815 (http.server names)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes
                 ) -> tuple[int, Any, dict[str, str]]:
        lower = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        with self.lock:
            self.requests.append((method, parts.path, lower))
            auth = lower.get("authorization", "")
            if auth != f"Token token={self.token}":
                return self._error(401, "Unauthorized", 2006, [], auth)
            if lower.get("accept") != ACCEPT:
                return self._error(406, "Not Acceptable", 2001, ["Accept must be " + ACCEPT], auth)
            limited = self._rate_limited()
            if limited is not None:
                return limited
            sender = None
            if method in ("PUT", "POST"):
                sender = next((u for u in self.users.values() if u.email == lower.get("from")), None)
                if sender is None:
                    return self._error(400, "Invalid Input Provided", 2001,
                                       ["A valid 'From' header is required (the e-mail of a PagerDuty user)"], auth)
            try:
                payload = json.loads(body) if body else None
            except ValueError:
                return self._error(400, "Invalid Input Provided", 2001, ["body is not JSON"], auth)
            return self._route(method, parts.path, query, payload, sender, auth)

    def _rate_limited(self) -> tuple[int, Any, dict[str, str]] | None:
        now = time.monotonic()
        if now - self._window_start >= self.rate_window_s:
            self._window_start, self._window_calls = now, 0
        self._window_calls += 1
        reset = max(1, round(self.rate_window_s - (now - self._window_start)))
        if self._window_calls <= self.rate_limit:
            return None
        return 429, {"error": {"message": "Rate Limit Exceeded", "code": 2020}}, {
            "ratelimit-limit": str(self.rate_limit), "ratelimit-remaining": "0", "ratelimit-reset": str(reset),
        }

    def _route(self, method: str, path: str, query: dict[str, list[str]], payload: Any, sender: User | None,
               auth: str) -> tuple[int, Any, dict[str, str]]:
        segments = [s for s in path.split("/") if s]
        if segments == ["incidents"] and method == "GET":
            return self._list(query)
        if segments == ["incidents"] and method == "PUT":
            return self._bulk(payload, sender, auth)
        if segments == ["oncalls"] and method == "GET":
            return self._oncalls(query)
        if len(segments) >= 2 and segments[0] == "incidents":
            inc = self.incidents.get(segments[1])
            if inc is None:
                return self._error(404, "Not Found", 2100, [], auth)
            if len(segments) == 2 and method == "GET":
                return 200, {"incident": self.incident_json(inc)}, {}
            if len(segments) == 2 and method == "PUT":
                body = payload.get("incident") if isinstance(payload, dict) else None
                if not isinstance(body, dict):
                    return self._error(400, "Invalid Input Provided", 2001, ["incident is required"], auth)
                problem = self._update(inc, body, sender)
                if problem:
                    return self._error(400, "Invalid Input Provided", 2001, [problem], auth)
                return 200, {"incident": self.incident_json(inc)}, {}
            if segments[2:] == ["notes"] and method == "GET":
                return 200, {"notes": list(inc.notes)}, {}
            if segments[2:] == ["notes"] and method == "POST":
                content = (payload or {}).get("note", {}).get("content") if isinstance(payload, dict) else None
                if not isinstance(content, str) or not content:
                    return self._error(400, "Invalid Input Provided", 2001, ["Content cannot be empty"], auth)
                assert sender is not None
                note = {"id": f"PNOTE{self._next_note}", "user": self._user_ref(sender.id),
                        "channel": {"summary": "The PagerDuty website or APIs"}, "content": content,
                        "created_at": "2026-12-01T10:05:00Z"}
                self._next_note += 1
                inc.notes.append(note)
                return 200, {"note": note}, {}
        return self._error(404, "Not Found", 2100, [], auth)

    def _update(self, inc: Incident, body: dict[str, Any], sender: User | None) -> str:
        assert sender is not None
        status = body.get("status")
        level = body.get("escalation_level")
        if status is not None:
            if status not in ("acknowledged", "resolved"):
                return f"status {status!r} is not acknowledged or resolved"
            if inc.status == "resolved":
                return "Incident Already Resolved"
            if status == "acknowledged" and sender.id not in inc.acknowledgers:
                inc.acknowledgers.append(sender.id)
            if status == "resolved":
                inc.resolved_by = sender.id
            inc.status = status
        if level is not None:
            if inc.status == "resolved":
                return "Incident Already Resolved"
            if level not in self.policies[inc.policy_id].levels:
                return f"Escalation level {level} does not exist in the escalation policy"
            inc.level, inc.status, inc.acknowledgers = level, "triggered", []
        return ""

    def _bulk(self, payload: Any, sender: User | None, auth: str) -> tuple[int, Any, dict[str, str]]:
        items = payload.get("incidents") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            return self._error(400, "Invalid Input Provided", 2001, ["incidents is required"], auth)
        if len(items) > 250:
            return self._error(413, "Request Entity Too Large", 2001, ["at most 250 incidents"], auth)
        done = []
        for item in items:
            inc = self.incidents.get(str(item.get("id")))
            if inc is None:
                return self._error(404, "Not Found", 2100, [], auth)
            problem = self._update(inc, item, sender)
            if problem:
                return self._error(400, "Invalid Input Provided", 2001, [problem], auth)
            done.append(self.incident_json(inc))
        return 200, {"incidents": done, "limit": len(done), "offset": 0, "more": False}, {}

    def _list(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        limit = min(100, int(query.get("limit", ["25"])[0]))
        offset = int(query.get("offset", ["0"])[0])
        statuses = query.get("statuses[]") or ["triggered", "acknowledged", "resolved"]
        services = query.get("service_ids[]")
        urgencies = query.get("urgencies[]")
        chosen = [
            i for i in self.incidents.values()
            if i.status in statuses and (not services or i.service_id in services)
            and (not urgencies or i.urgency in urgencies)
        ]
        page = chosen[offset:offset + limit]
        return 200, {"incidents": [self.incident_json(i) for i in page], "limit": limit, "offset": offset,
                     "more": offset + limit < len(chosen), "total": None}, {}

    def _oncalls(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        wanted = query.get("escalation_policy_ids[]")
        entries = []
        for policy in self.policies.values():
            if wanted and policy.id not in wanted:
                continue
            for level, user_ids in sorted(policy.levels.items()):
                for user_id in user_ids:
                    entries.append({
                        "escalation_policy": _ref(policy.id, "escalation_policy_reference", policy.name),
                        "escalation_level": level, "schedule": None, "user": self._user_ref(user_id),
                        "start": None, "end": None,
                    })
        return 200, {"oncalls": entries, "limit": 100, "offset": 0, "more": False, "total": None}, {}

    def _error(self, status: int, message: str, code: int, errors: list[str], auth: str
               ) -> tuple[int, Any, dict[str, str]]:
        if self.echo_token:
            errors = [*errors, f"request had Authorization: {auth}"]
        return status, {"error": {"message": message, "code": code, "errors": errors}}, {}


def _ref(ref_id: str, kind: str, summary: str) -> dict[str, Any]:
    return {"id": ref_id, "type": kind, "summary": summary, "self": f"https://api.pagerduty.com/x/{ref_id}",
            "html_url": f"{HTML}/x/{ref_id}"}
