"""Fault injection for reliability tests: what goes wrong on the next matching requests.

Faults are armed through ``emulator.faults`` and consumed by the ASGI middleware, in front of
everything else, the way a failing gateway or network sits in front of the real service:

- ``fail_next``: answer with an error envelope at once; the request is NOT processed (no job).
  With ``processed=True`` the request IS processed (a create makes its job) and its answer is
  replaced by the error: a gateway that timed out on an upstream that went on working.
- ``delay_next``: wait before processing (a slow response).
- ``drop_connection_after``: process the request, send the headers and the first K body bytes,
  then close the connection. On ``POST /videos`` this is "the job exists but the answer was
  lost", the case idempotency keys are for.
- ``truncate_next``: like a drop, with Content-Length still announcing the full body.
- ``malformed_json_next``: process the request, then send a body that is not valid JSON (with a
  Content-Length that matches it).
- ``not_found_next``: answer 404 ``NOT_FOUND`` ("No video with id ...") without processing, by
  default for ``GET /openai/v1/videos/{id}`` of any (or one) video: replication lag right after
  a create, when the job exists but a read from another replica does not see it yet.

Each method takes a count (``n``, or ``times``) and an optional ``route``; each fired fault is
appended to ``faults.events``. Kinds combine on one request (a delay and a drop), at most one of
each; ``fail`` and ``not_found`` both answer at once, so only the older of the two fires.

A route is ``"METHOD /path/{param}"`` (``"GET /openai/v1/videos/{id}"``), a bare path for any
method, or None for every request including media downloads.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["fail", "delay", "drop", "truncate", "malformed_json", "not_found"]

VIDEO_READ_ROUTE = "GET /openai/v1/videos/{id}"


@dataclass(frozen=True)
class RouteMatcher:
    spec: str | None
    method: str | None
    pattern: re.Pattern[str] | None

    @classmethod
    def parse(cls, spec: str | None) -> RouteMatcher:
        if spec is None:
            return cls(None, None, None)
        method: str | None = None
        path = spec.strip()
        if " " in path:
            method, path = path.split(None, 1)
            method = method.upper()
        if not path.startswith("/"):
            raise ValueError(f"route must look like 'GET /openai/v1/videos/{{id}}', got {spec!r}")
        regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]*\})", path))
        return cls(spec, method, re.compile(regex + "$"))

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        return self.pattern is None or bool(self.pattern.match(path))


@dataclass
class Fault:
    kind: FaultKind
    remaining: int
    route: RouteMatcher
    status: int = 502
    code: str = "ALL_PROVIDERS_EXHAUSTED"
    message: str | None = None
    seconds: float = 0.0
    after_bytes: int | None = None
    processed: bool = False  # fail only: run the request, then answer the error instead


@dataclass(frozen=True)
class FaultEvent:
    """A fault that fired: on which request, and what it did."""

    kind: FaultKind
    method: str
    path: str
    at: float  # wall clock
    detail: str


@dataclass
class FaultPlan:
    """The faults one request gets (at most one of each kind)."""

    fail: Fault | None = None
    fail_after: Fault | None = None  # fail_next(processed=True): the app runs, its answer is replaced
    delay: float = 0.0
    drop_after: int | None = None
    truncate: Fault | None = None
    malformed_json: bool = False
    kinds: list[FaultKind] = field(default_factory=list[FaultKind])

    @property
    def empty(self) -> bool:
        return not self.kinds


class Faults:
    """``emulator.faults``: arm faults for the next matching requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[Fault] = []
        self._events: list[FaultEvent] = []

    def _arm(self, fault: Fault) -> None:
        if isinstance(fault.remaining, bool) or not isinstance(fault.remaining, int) or fault.remaining < 1:
            raise ValueError("a fault must apply to at least one request (n/times >= 1)")
        if fault.after_bytes is not None and (not isinstance(fault.after_bytes, int) or fault.after_bytes < 0):
            raise ValueError(f"a byte count must be a non-negative int, got {fault.after_bytes!r}")
        if not (isinstance(fault.seconds, (int, float)) and math.isfinite(fault.seconds) and fault.seconds >= 0):
            raise ValueError(f"a delay must be a finite number of seconds >= 0, got {fault.seconds!r}")
        if not 400 <= fault.status <= 599:
            raise ValueError(f"an injected error status must be 4xx or 5xx, got {fault.status!r}")
        with self._lock:
            self._armed.append(fault)

    def fail_next(
        self,
        n: int = 1,
        *,
        status: int = 502,
        code: str = "ALL_PROVIDERS_EXHAUSTED",
        message: str | None = None,
        route: str | None = None,
        processed: bool = False,
    ) -> None:
        """The next ``n`` matching requests get ``status`` with Lumenfall's error envelope.

        By default the request is not processed (no job, nothing billed). ``processed=True``
        processes it first and then answers the error instead (the job exists and will bill):
        the case a client must treat as "may have started a job".
        """
        self._arm(
            Fault("fail", n, RouteMatcher.parse(route), status=status, code=code, message=message, processed=processed)
        )

    def delay_next(self, seconds: float, n: int = 1, *, route: str | None = None) -> None:
        """The next ``n`` matching requests wait ``seconds`` before being processed."""
        self._arm(Fault("delay", n, RouteMatcher.parse(route), seconds=seconds))

    def drop_connection_after(self, bytes_: int, times: int = 1, *, route: str | None = None) -> None:
        """Close the connection after ``bytes_`` body bytes of the next ``times`` responses."""
        self._arm(Fault("drop", times, RouteMatcher.parse(route), after_bytes=bytes_))

    def truncate_next(self, n: int = 1, *, keep_bytes: int | None = None, route: str | None = None) -> None:
        """Send only ``keep_bytes`` (default: half) of the body under the full Content-Length."""
        self._arm(Fault("truncate", n, RouteMatcher.parse(route), after_bytes=keep_bytes))

    def malformed_json_next(self, n: int = 1, *, route: str | None = None) -> None:
        """The next ``n`` matching responses carry a body that is not valid JSON."""
        self._arm(Fault("malformed_json", n, RouteMatcher.parse(route)))

    def not_found_next(self, n: int = 1, *, video_id: str | None = None, route: str | None = None) -> None:
        """The next ``n`` reads of a video answer 404 ``NOT_FOUND``, as replication lag would.

        Arm it before the create: the create itself is not affected, and the following ``n``
        ``GET /openai/v1/videos/{id}`` (of ``video_id`` only, if given) say the video does not
        exist; later reads see it. ``route`` replaces the default route (e.g. ``"DELETE
        /openai/v1/videos/{id}"``); it cannot be combined with ``video_id``.
        """
        if video_id is not None and route is not None:
            raise ValueError("pass video_id or route, not both")
        if video_id is not None:
            if not video_id or "/" in video_id or "{" in video_id:
                raise ValueError(f"video_id must be one path segment, got {video_id!r}")
            route = f"GET /openai/v1/videos/{video_id}"
        self._arm(Fault("not_found", n, RouteMatcher.parse(route or VIDEO_READ_ROUTE), status=404, code="NOT_FOUND"))

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return [f for f in self._armed if f.remaining > 0]

    @property
    def events(self) -> list[FaultEvent]:
        """Every fault that fired, oldest first."""
        with self._lock:
            return list(self._events)

    def record(self, kind: FaultKind, method: str, path: str, detail: str) -> None:
        with self._lock:
            self._events.append(FaultEvent(kind, method, path, time.time(), detail))

    def take(self, method: str, path: str) -> FaultPlan:
        """Consume the faults armed for this request (one of each kind, oldest first)."""
        plan = FaultPlan()
        with self._lock:
            for fault in self._armed:
                if fault.remaining <= 0 or fault.kind in plan.kinds or not fault.route.matches(method, path):
                    continue
                if fault.kind in ("fail", "not_found") and (plan.fail or plan.fail_after) is not None:
                    continue  # one immediate answer per request; this one waits for the next
                fault.remaining -= 1
                plan.kinds.append(fault.kind)
                if fault.kind == "fail" and fault.processed:
                    plan.fail_after = fault
                elif fault.kind in ("fail", "not_found"):
                    plan.fail = fault
                elif fault.kind == "delay":
                    plan.delay = fault.seconds
                elif fault.kind == "drop":
                    plan.drop_after = fault.after_bytes
                elif fault.kind == "truncate":
                    plan.truncate = fault
                else:
                    plan.malformed_json = True
            self._armed = [f for f in self._armed if f.remaining > 0]
        return plan
