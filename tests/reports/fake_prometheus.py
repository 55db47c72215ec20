"""A loopback Prometheus that answers /api/v1/query_range from synthetic minute data (like the real one,
it refuses more than 11,000 points per series).

    with FakePrometheus(values) as prom:   # values(expr, ts: np.ndarray) -> np.ndarray (NaN: no sample)
        prom.url, prom.requests
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np


class FakePrometheus:
    def __init__(self, values):
        self.values = values
        self.requests: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                outer.requests.append(form)
                start, end, step = float(form["start"]), float(form["end"]), float(form["step"])
                points = int((end - start) / step) + 1
                if points > 11_000:
                    self._send(400, {"status": "error", "errorType": "bad_data", "error":
                                     "exceeded maximum resolution of 11,000 points per timeseries. "
                                     "Try decreasing the query resolution (?step=XX)"})
                    return
                ts = start + np.arange(points) * step
                ys = np.asarray(outer.values(form["query"], ts), dtype=float)
                keep = ~np.isnan(ys)
                values = [[float(t), repr(float(y))] for t, y in zip(ts[keep], ys[keep], strict=True)]
                result = [{"metric": {}, "values": values}] if values else []
                self._send(200, {"status": "success", "data": {"resultType": "matrix", "result": result}})

            def _send(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
