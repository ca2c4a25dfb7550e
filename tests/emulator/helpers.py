"""Shared pieces of the emulator tests: keys, a frozen clock, a real loopback webhook receiver."""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

KEY = "lmnfl_test.secret"
AUTH = {"Authorization": f"Bearer {KEY}"}
T0 = 1_800_000_000.0  # the frozen clock's start; jobs move only when a test calls advance()
QUEUE = 2.0
RUN = 8.0
DONE = QUEUE + RUN + 0.001


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 that answers webhook posts with scripted statuses."""

    statuses: list[int] = field(default_factory=list[int])  # consumed in order, then 200
    delay: float = 0.0  # seconds to wait before answering (to provoke timeouts)
    received: list[Received] = field(default_factory=list[Received])
    url: str = ""

    def __post_init__(self) -> None:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                receiver.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                )
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the emulator gave up (timeout) and closed the connection

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/lumenfall"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
