#!/usr/bin/env python3
"""A small e-commerce API stand-in, instrumented with prometheus_client.

It serves no real traffic: a background thread "serves" simulated requests at a
configurable rate and records them in the seed dashboard's metrics, so
Prometheus has something realistic to scrape and the seed's alert rules can be
made to fire on purpose:

    http_requests_total{method, status}      counter (the job label comes from the scrape config)
    http_request_duration_seconds             histogram (default buckets plus 0.3 s and 1.2 s,
                                              the Apdex T and 4T of the seed's SLO table)

Endpoints:
    GET  /metrics                              Prometheus exposition
    GET  /healthz                              "ok"
    GET|POST /control?error_ratio=0.3&latency=2.5&rate=50
                                               change behaviour at run time; answers the
                                               current settings as JSON

Usage: python sample_service.py --port 18080 [--error-ratio 0.0] [--rate 50]
Standard library plus prometheus_client only, so the demo stack and the
integration tests can run it from any Python that has prometheus_client.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import prometheus_client
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

# Defaults plus the seed's Apdex thresholds (T = 0.3 s, 4T = 1.2 s), so
# Apdex can be computed from real buckets instead of interpolated ones.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.3, 0.5, 0.75, 1.0, 1.2, 2.5, 5.0, 7.5, 10.0)
METHODS = (("GET", 0.7), ("POST", 0.2), ("PUT", 0.07), ("DELETE", 0.03))
SUCCESS_STATUS = {"GET": "200", "POST": "201", "PUT": "200", "DELETE": "204"}
ERROR_STATUSES = (("500", 0.6), ("502", 0.25), ("503", 0.15))
NOT_FOUND_RATIO = 0.02  # some 404s: client errors that must NOT count as errors
TICK_S = 0.1
USAGE = b"sample service: GET /metrics, GET /healthz, GET|POST /control?error_ratio=&latency=&rate=\n"


@dataclass(kw_only=True, slots=True)
class Behaviour:
    """What the simulated traffic looks like right now; changed through /control."""

    error_ratio: float = 0.0  # share of requests answered with 5xx
    latency_s: float = 0.0  # added to every simulated request's duration
    rate: float = 50.0  # simulated requests per second


class ControlError(ValueError):
    """A /control parameter was unknown, not a number, or out of range."""


def apply_control(behaviour: Behaviour, params: dict[str, list[str]]) -> None:
    """Validate every parameter first, then apply them all (never half of them)."""
    updates: dict[str, float] = {}
    limits = {"error_ratio": (0.0, 1.0), "latency": (0.0, 60.0), "rate": (0.0, 10000.0)}
    for name, values in params.items():
        if name not in limits:
            raise ControlError(f"unknown parameter {name!r}; use error_ratio, latency or rate")
        try:
            value = float(values[-1])
        except ValueError:
            raise ControlError(f"{name} must be a number, got {values[-1]!r}") from None
        low, high = limits[name]
        if not (math.isfinite(value) and low <= value <= high):
            raise ControlError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
        updates[name] = value
    if "error_ratio" in updates:
        behaviour.error_ratio = updates["error_ratio"]
    if "latency" in updates:
        behaviour.latency_s = updates["latency"]
    if "rate" in updates:
        behaviour.rate = updates["rate"]


class Traffic:
    """The simulated request stream and the metrics it records."""

    def __init__(self, behaviour: Behaviour, *, seed: int | None = None) -> None:
        self.behaviour = behaviour
        self.lock = threading.Lock()
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests", "HTTP requests served.", ("method", "status"), registry=self.registry
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "HTTP request duration in seconds.",
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        # Every series exists from the first scrape (at 0), so rate() over the
        # 5xx series is 0, not absent, until errors start.
        for method, _ in METHODS:
            for status in (SUCCESS_STATUS[method], "404", *(s for s, _ in ERROR_STATUSES)):
                self.requests.labels(method, status)
        self.random = random.Random(seed)
        self.stop_event = threading.Event()
        self.carry = 0.0

    def serve_one(self) -> None:
        rnd = self.random
        b = self.behaviour
        method = rnd.choices([m for m, _ in METHODS], [w for _, w in METHODS])[0]
        if b.error_ratio > 0 and rnd.random() < b.error_ratio:
            status = rnd.choices([s for s, _ in ERROR_STATUSES], [w for _, w in ERROR_STATUSES])[0]
        elif rnd.random() < NOT_FOUND_RATIO:
            status = "404"
        else:
            status = SUCCESS_STATUS[method]
        # Log-normal service time around 80 ms (P95 ~ 250 ms) plus the added latency.
        duration = rnd.lognormvariate(math.log(0.08), 0.7) + b.latency_s
        self.requests.labels(method, status).inc()
        self.duration.observe(duration)

    def tick(self, dt: float) -> None:
        with self.lock:
            due = self.behaviour.rate * dt + self.carry
            count = int(due)
            self.carry = due - count
            for _ in range(count):
                self.serve_one()

    def run(self) -> None:
        last = time.monotonic()
        while not self.stop_event.wait(TICK_S):
            now = time.monotonic()
            self.tick(now - last)
            last = now


def make_handler(traffic: Traffic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "sample-service/1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # scraped every second; access logs would only be noise

        def send_body(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def send_json(self, status: int, payload: object) -> None:
            self.send_body(status, json.dumps(payload).encode() + b"\n", "application/json")

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/metrics":
                with traffic.lock:
                    body = generate_latest(traffic.registry)
                self.send_body(200, body, CONTENT_TYPE_LATEST)
            elif url.path == "/healthz":
                self.send_body(200, b"ok\n", "text/plain")
            elif url.path == "/control":
                self.control(url.query)
            elif url.path == "/":
                self.send_body(200, USAGE, "text/plain")
            else:
                self.send_json(404, {"error": f"no such path {url.path}"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            if url.path != "/control":
                self.send_json(404, {"error": f"no such path {url.path}"})
                return
            # Parameters may come in the query string or as a form body.
            self.control("&".join(q for q in (url.query, body.strip()) if q))

        def control(self, query: str) -> None:
            try:
                params = parse_qs(query, keep_blank_values=True, strict_parsing=False)
                with traffic.lock:
                    apply_control(traffic.behaviour, params)
            except ControlError as exc:
                self.send_json(400, {"error": str(exc)})
                return
            b = traffic.behaviour
            self.send_json(200, {"error_ratio": b.error_ratio, "latency": b.latency_s, "rate": b.rate})

    return Handler


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Instrumented e-commerce API stand-in with simulated traffic.")
    parser.add_argument("--port", type=int, required=True, help="TCP port to listen on")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--error-ratio", type=float, default=0.0, help="share of 5xx answers, 0..1")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--rate", type=float, default=50.0, help="simulated requests per second")
    parser.add_argument("--seed", type=int, default=None, help="random seed for reproducible traffic")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    behaviour = Behaviour()
    try:
        apply_control(
            behaviour,
            {"error_ratio": [str(args.error_ratio)], "latency": [str(args.latency)], "rate": [str(args.rate)]},
        )
    except ControlError as exc:
        print(f"sample_service: {exc}", file=sys.stderr)
        return 2
    if hasattr(prometheus_client, "disable_created_metrics"):
        prometheus_client.disable_created_metrics()  # *_created series are noise here
    traffic = Traffic(behaviour, seed=args.seed)
    try:
        server = ThreadingHTTPServer((args.host, args.port), make_handler(traffic))
    except OSError as exc:
        print(f"sample_service: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    server.daemon_threads = True
    worker = threading.Thread(target=traffic.run, name="traffic", daemon=True)
    worker.start()

    def stop(signum: int, frame: object) -> None:
        traffic.stop_event.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"sample_service listening on http://{host}:{port}/metrics", flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
