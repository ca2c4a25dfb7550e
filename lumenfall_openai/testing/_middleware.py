"""The outermost ASGI layer: record every request, stamp Lumenfall's headers, inject faults.

It sits in front of the routes the way a gateway and the network sit in front of the real
service, so an injected fault can stop a request before it is processed (``fail_next``) or spoil
the answer after it was (``drop_connection_after``, ``truncate_next``, ``malformed_json_next``).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._errors import ApiError, envelope
from ._faults import FaultKind, FaultPlan, Faults, RouteMatcher
from ._records import RecordedRequest, Recorder, shrink

API_PREFIXES = ("/openai/v1", "/v1")
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
# After a 413 the rest of the body is read and thrown away (up to this much), so the client
# sees the 413 instead of a reset while it is still sending.
_DRAIN_LIMIT = 256 * 1024 * 1024


class ConnectionDropped(BaseException):
    """Raised after part of a body was sent, so the server closes the connection mid-response.

    A BaseException so no framework layer mistakes it for an app error it should answer; uvicorn
    closes the transport, which is exactly the fault. (Under httpx's ASGITransport the client
    sees this exception instead of a network error.)
    """


class _QuietDrops(logging.Filter):
    # Injected drops are the point of the test, not server errors worth a traceback.
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


def new_request_id() -> str:
    return "req_" + secrets.token_hex(12)


class EmulatorMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        recorder: Recorder,
        faults: Faults,
        routes: Iterable[str],
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.recorder = recorder
        self.faults = faults
        self.max_body_bytes = max_body_bytes
        self._routes = [(spec, RouteMatcher.parse(spec)) for spec in routes]

    def route_of(self, method: str, path: str) -> str | None:
        for spec, matcher in self._routes:
            if matcher.matches(method if method != "HEAD" else "GET", path):
                return spec
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        query: dict[str, str] = shrink(
            dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        )
        record = self.recorder.new(method, path, query, scope.get("headers", []))
        record.route = self.route_of(method, path)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["lumenfall_record"] = record
        state["lumenfall_request_id"] = new_request_id()
        is_api = path.startswith(API_PREFIXES)

        # The whole body is read here, before any fault or route: its size is checked once for
        # every route (413, never a 5xx), and a delayed request still has its body when it runs.
        first, too_large = await self._read_body(scope, receive, record)
        if too_large:
            error = ApiError(
                "INVALID_REQUEST",
                f"The request body is larger than {self.max_body_bytes} bytes, the most this emulator "
                "accepts (LumenfallEmulator(max_body_bytes=...)); send input_reference images by URL.",
                status=413,
            )
            await self._send_error(send, record, state, is_api, error.status, error.body())
            return
        pending: list[Message] = [first]

        async def replay_receive() -> Message:
            if pending:
                return pending.pop()
            return await receive()

        plan = self.faults.take(method, path)
        record.faults = list(plan.kinds)
        if plan.delay:
            self.faults.record("delay", method, path, f"waited {plan.delay} s")
            await anyio.sleep(plan.delay)
        if plan.fail is not None:
            fault = plan.fail
            if fault.kind == "not_found":
                message = fault.message or f"No video with id '{path.rsplit('/', 1)[-1][:200]}'."
            else:
                message = fault.message or f"Injected fault: {fault.code}."
            self.faults.record(fault.kind, method, path, f"{fault.status} {fault.code}")
            await self._send_error(send, record, state, is_api, fault.status, envelope(fault.code, message))
            return

        inner_send = self._faulty_send(send, record, state, is_api, plan, method, path)
        await self.app(scope, replay_receive, inner_send)

    async def _read_body(self, scope: Scope, receive: Receive, record: RecordedRequest) -> tuple[Message, bool]:
        """Read the request body into one message; ``(message, True)`` once it passes the limit."""
        declared = _content_length(scope)
        chunks: list[bytes] = []
        size = 0
        more = True
        if declared is None or declared <= self.max_body_bytes:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return message, False  # the client went away; the app sees the disconnect
                chunk: bytes = message.get("body", b"")
                more = message.get("more_body", False)
                size += len(chunk)
                record.body_size = size
                if size > self.max_body_bytes:
                    break
                chunks.append(chunk)
                if not more:
                    return {"type": "http.request", "body": b"".join(chunks), "more_body": False}, False
        chunks.clear()
        drained = size
        while more and drained < _DRAIN_LIMIT:
            message = await receive()
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            more = message.get("more_body", False)
        record.body_size = max(drained, declared or 0)
        return {"type": "http.request", "body": b"", "more_body": False}, True

    async def _send_error(
        self,
        send: Send,
        record: RecordedRequest,
        state: dict[str, Any],
        is_api: bool,
        status: int,
        payload: dict[str, Any],
    ) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await self._send_start(send, record, state, is_api, status, headers)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _send_start(
        self,
        send: Send,
        record: RecordedRequest,
        state: dict[str, Any],
        is_api: bool,
        status: int,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        record.status = status
        if is_api:
            present = {name.lower() for name, _ in headers}
            for name, value in (
                (b"x-lumenfall-request-id", state["lumenfall_request_id"]),
                (b"x-lumenfall-provider", state.get("lumenfall_provider", "lumenfall")),
                (b"x-lumenfall-model", state.get("lumenfall_model", "")),
            ):
                if name not in present:
                    headers.append((name, str(value).encode("latin-1")))
        await send({"type": "http.response.start", "status": status, "headers": headers})

    def _faulty_send(
        self,
        send: Send,
        record: RecordedRequest,
        state: dict[str, Any],
        is_api: bool,
        plan: FaultPlan,
        method: str,
        path: str,
    ) -> Callable[[Message], Any]:
        sent = 0
        limit: int | None = plan.drop_after
        held_start: Message | None = None
        held_body = bytearray()

        async def wrapped(message: Message) -> None:
            nonlocal sent, limit, held_start
            if plan.fail_after is not None:
                # The request ran (a create made its job); its answer is lost and replaced.
                if message["type"] == "http.response.start":
                    held_start = dict(message)
                elif message["type"] == "http.response.body" and not message.get("more_body", False):
                    fault = plan.fail_after
                    answered = held_start["status"] if held_start is not None else "?"
                    self.faults.record("fail", method, path, f"{fault.status} {fault.code} after a {answered}")
                    text = fault.message or f"Injected fault: {fault.code}."
                    await self._send_error(send, record, state, is_api, fault.status, envelope(fault.code, text))
                return
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if plan.malformed_json:
                    held_start = dict(message)  # the body decides the new Content-Length
                    return
                if plan.truncate is not None and limit is None:
                    keep = plan.truncate.after_bytes
                    if keep is None:
                        length = next((int(v) for k, v in headers if k.lower() == b"content-length"), 0)
                        keep = length // 2
                    limit = keep
                await self._send_start(send, record, state, is_api, message["status"], headers)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunk: bytes = message.get("body", b"")
            more = message.get("more_body", False)
            if held_start is not None:
                held_body.extend(chunk)
                if more:
                    return
                garbled = bytes(held_body[: len(held_body) // 2]) or b"{"
                headers = [(k, v) for k, v in held_start.get("headers", []) if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(garbled)).encode()))
                self.faults.record("malformed_json", method, path, f"sent {len(garbled)} of {len(held_body)} bytes")
                await self._send_start(send, record, state, is_api, held_start["status"], headers)
                await send({"type": "http.response.body", "body": garbled, "more_body": False})
                return
            if limit is not None and sent + len(chunk) > limit:
                head = chunk[: max(0, limit - sent)]
                if head:
                    await send({"type": "http.response.body", "body": head, "more_body": True})
                kind: FaultKind = "truncate" if plan.truncate is not None else "drop"
                self.faults.record(kind, method, path, f"closed after {sent + len(head)} body bytes")
                raise ConnectionDropped(f"injected: connection closed after {sent + len(head)} bytes")
            sent += len(chunk)
            await send(message)

        return wrapped
