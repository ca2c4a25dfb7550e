"""The emulator's HTTP routes (starlette), mirroring Lumenfall's public API.

Handlers are thin: decode the request, call :class:`EmulatorCore`, encode the answer. Every
route path here is the real service's path, so a client configured with the emulator's base
URL sends exactly what it would send to api.lumenfall.ai.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, cast
from urllib.parse import urlencode

import anyio
import anyio.lowlevel
from anyio import to_thread
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ._catalog import model_json
from ._core import EmulatorCore, Media, authenticate
from ._errors import ApiError, envelope, invalid
from ._faults import Faults
from ._media import RangeNotSatisfiable, parse_range
from ._middleware import DEFAULT_MAX_BODY_BYTES, EmulatorMiddleware
from ._outcomes import parse_markers
from ._records import RecordedRequest, Recorder, bearer_token, shrink
from ._validation import UploadedFile, validate_image, validate_video

# Every route as "METHOD /path" (the fault and record vocabulary); HEAD is served with GET.
ROUTES: tuple[str, ...] = (
    "POST /openai/v1/videos",
    "GET /openai/v1/videos/{id}",
    "DELETE /openai/v1/videos/{id}",
    "POST /openai/v1/images/generations",
    "POST /openai/v1/images/edits",
    "GET /openai/v1/models",
    "GET /openai/v1/models/{id}",
    "GET /v1/balance",
    "GET /v1/requests",
    "GET /v1/requests/{id}",
    "DELETE /v1/requests/{id}/payloads",
    "GET /v1/webhooks/secret",
    "GET /media/{name}",
)


Handler = Callable[[Request], Awaitable[Response]]


# Form limits: a field count a real create never needs, so 5,000 fields are a clear 400.
MAX_FORM_FIELDS = 200
MAX_FORM_FILES = 50
MAX_FORM_FIELD_BYTES = 1024 * 1024
# Nesting a real body never needs; deeper JSON is refused before it can exhaust the stack.
MAX_JSON_DEPTH = 64
# Media requests that carried an Authorization header kept for inspection (oldest dropped).
MAX_MEDIA_AUTH_ATTEMPTS = 1000


_PARSE_INLINE_BYTES = 256 * 1024


def parse_json(raw: bytes) -> Any:
    """A JSON body, or a 400 that says why not (never a RecursionError or UnicodeDecodeError)."""
    if json_depth_exceeds(raw, MAX_JSON_DEPTH):
        raise invalid(f"The request body nests JSON deeper than {MAX_JSON_DEPTH} levels; send a flat object.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise invalid("The request body is not valid JSON (UTF-8 encoded).") from None


class _Json(JSONResponse):
    # Compact and stable: what a client parses, not what a person reads. ASCII escapes so a
    # string the caller sent with a lone surrogate ("\ud800") is echoed back, not a 500.
    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """Whether brackets nest deeper than ``limit`` (strings skipped), without parsing.

    Checked before ``json.loads`` so a body like ``[[[[...]]]]`` is a 400, never a RecursionError.
    Each pass deletes the innermost ``[]``/``{}`` pairs (C-speed ``bytes`` work, ~0.2 s for 32 MB);
    what is left after ``limit`` passes nests deeper. Malformed input is left to ``json.loads``.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    for _ in range(limit):
        shorter = _INNERMOST.sub(b"", brackets)  # one scan: pairs it uncovers wait for the next pass
        if len(shorter) == len(brackets):
            return False  # nothing left, or malformed (json.loads says so)
        brackets = shorter
    return bool(brackets)


def _error_response(error: ApiError, headers: dict[str, str] | None = None) -> Response:
    return _Json(error.body(), status_code=error.status, headers=headers)


def _record(request: Request) -> RecordedRequest:
    record: RecordedRequest = request.state.lumenfall_record
    return record


def _request_id(request: Request) -> str:
    request_id: str = request.state.lumenfall_request_id
    return request_id


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


class MediaResponse(Response):
    """Streams a (possibly huge, synthetic) media object, whole or one byte range.

    A plain ASGI sender rather than StreamingResponse: 1 MiB chunks straight from the generator,
    so a 1 GiB download is limited by the client, and it stops when the client disconnects.
    """

    def __init__(self, media: Media, status: int, start: int, end: int, headers: dict[str, str], head: bool) -> None:
        super().__init__(status_code=status, headers=headers)
        self._media = media
        self._start = start
        self._end = end
        self._head = head

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if self._head:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        # After a client disconnects, uvicorn's send() returns at once without yielding, so a
        # plain loop would generate the rest of a 1 TiB file on the event loop and starve every
        # other request. A watcher on receive() cancels the stream on http.disconnect, and a
        # checkpoint per chunk lets the loop notice the lost connection at all.
        failure: BaseException | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(_cancel_on_disconnect, receive, group.cancel_scope)
            try:
                await self._send_body(send)
            except anyio.get_cancelled_exc_class():
                raise
            except OSError:
                pass  # an ASGI 2.4 server's way of saying the client is gone: nothing left to do
            except BaseException as exc:  # e.g. an injected ConnectionDropped: re-raised ungrouped
                failure = exc
            group.cancel_scope.cancel()
        if failure is not None:
            raise failure

    async def _send_body(self, send: Send) -> None:
        if self._media.mp4 is not None:
            for chunk in self._media.mp4.iter_bytes(self._start, self._end):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await anyio.lowlevel.checkpoint()
        elif self._media.data is not None:
            body = self._media.data[self._start : self._end]
            await send({"type": "http.response.body", "body": body, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _cancel_on_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()


def build_app(
    core: EmulatorCore,
    recorder: Recorder,
    faults: Faults,
    media_auth_attempts: list[RecordedRequest],
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> ASGIApp:
    def authorize(request: Request) -> str:
        key_id = authenticate(bearer_token(request.headers.get("authorization")), core.config.api_keys)
        _record(request).key_id = key_id
        return key_id

    def tag(request: Request, provider: str, model: str) -> None:
        request.state.lumenfall_provider = provider
        request.state.lumenfall_model = model

    async def decode_body(request: Request) -> tuple[dict[str, Any], list[UploadedFile]]:
        """JSON or form body -> (fields, files). Records what was received."""
        record = _record(request)
        content_type = request.headers.get("content-type", "").lower()
        if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            try:
                form = await request.form(
                    max_fields=MAX_FORM_FIELDS, max_files=MAX_FORM_FILES, max_part_size=MAX_FORM_FIELD_BYTES
                )
            except (HTTPException, MultiPartException) as exc:
                detail = exc.detail if isinstance(exc, HTTPException) else exc.message
                raise invalid(
                    f"The form body could not be read: {detail} (at most {MAX_FORM_FIELDS} fields, "
                    f"{MAX_FORM_FILES} files, {MAX_FORM_FIELD_BYTES} bytes per field)."
                ) from None
            fields: dict[str, Any] = {}
            files: list[UploadedFile] = []
            recorded: dict[str, Any] = {}
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    size = value.size if value.size is not None else len(await value.read())
                    item = UploadedFile(key, value.filename, value.content_type, size)
                    files.append(item)
                    _append(recorded, key, item)
                else:
                    _append(fields, key, value)
                    _append(recorded, key, value)
            record.form = shrink(recorded)
            record.files = files
            return fields, files
        raw = await request.body()
        if not raw.strip():
            record.json = None
            return {}, []
        # A big body is parsed off the event loop, so other requests are served meanwhile.
        parsed: Any = parse_json(raw) if len(raw) < _PARSE_INLINE_BYTES else await to_thread.run_sync(parse_json, raw)
        record.json = shrink(parsed)
        if not isinstance(parsed, dict):
            raise invalid("The request body must be a JSON object.")
        return cast("dict[str, Any]", parsed), []

    def dry_run(request: Request) -> bool:
        return request.query_params.get("dryRun", "").lower() in ("true", "1")

    # -- videos -------------------------------------------------------------------------------
    async def create_video(request: Request) -> Response:
        key_id = authorize(request)
        body, files = await decode_body(request)
        model = body.get("model") if isinstance(body.get("model"), str) else ""
        try:
            req = validate_video(body, files, core.catalog, allow_loopback_webhooks=core.config.allow_loopback_webhooks)
            tag(request, req.provider.slug, req.spec.slug)
            if dry_run(request):
                return _Json(core.estimate_video(req).to_json())
            markers = parse_markers(req.prompt)
            video, replayed = core.create_video(
                req, markers, request_id=_request_id(request), key_id=key_id, media_base=_base(request)
            )
        except ApiError as error:
            if not dry_run(request):
                core.log_rejection(
                    _request_id(request),
                    error,
                    model=str(model),
                    modality="video",
                    endpoint="/openai/v1/videos",
                    key_id=key_id,
                    user=_str(body.get("user")),
                )
            raise
        return _Json(video, status_code=200 if replayed else 202)

    async def get_video(request: Request) -> Response:
        authorize(request)
        job, video = core.get_video(request.path_params["video_id"])
        tag(request, job.provider.slug, job.model_slug)
        return _Json(video)

    async def cancel_video(request: Request) -> Response:
        authorize(request)
        job, _ = core.cancel_video(request.path_params["video_id"])
        tag(request, job.provider.slug, job.model_slug)
        return Response(status_code=204)

    # -- images -------------------------------------------------------------------------------
    async def images(request: Request) -> Response:
        key_id = authorize(request)
        body, _files = await decode_body(request)
        model = body.get("model") if isinstance(body.get("model"), str) else ""
        try:
            req = validate_image(body, core.catalog)
            tag(request, req.provider.slug, req.spec.slug)
            if dry_run(request):
                return _Json(core.estimate_image(req).to_json())
            markers = parse_markers(req.prompt)
            result = core.generate_images(
                req, markers, request_id=_request_id(request), key_id=key_id, media_base=_base(request)
            )
        except ApiError as error:
            if not dry_run(request):
                core.log_rejection(
                    _request_id(request),
                    error,
                    model=str(model),
                    modality="image",
                    endpoint=request.url.path,
                    key_id=key_id,
                    user=_str(body.get("user")),
                )
            raise
        return _Json(result)

    # -- models -------------------------------------------------------------------------------
    async def list_models(request: Request) -> Response:
        authorize(request)
        data = [model_json(m) for m in core.catalog.all() if not core.catalog.is_disabled(m)]
        return _Json({"object": "list", "data": data})

    async def get_model(request: Request) -> Response:
        authorize(request)
        slug = request.path_params["model_id"]
        known = core.catalog.get(slug)
        # resolve() raises MODEL_NOT_FOUND ("Did you mean ...") or MODEL_DISABLED as on create.
        spec, provider = core.catalog.resolve(slug, known.kind if known else "video")
        tag(request, provider.slug, spec.slug)
        return _Json(model_json(spec))

    # -- native -------------------------------------------------------------------------------
    async def balance(request: Request) -> Response:
        authorize(request)
        return _Json(core.balance_json())

    async def list_requests(request: Request) -> Response:
        authorize(request)
        query = dict(request.query_params)
        items, has_older, has_newer, summary = core.list_requests(query)
        kept = {k: v for k, v in query.items() if k not in ("starting_after", "ending_before")}

        def page_url(cursor: str, value: str) -> str:
            return f"{_base(request)}/v1/requests?{urlencode({**kept, cursor: value})}"

        body: dict[str, Any] = {
            "object": "list",
            "data": items,
            "next_page_url": page_url("starting_after", items[-1]["id"]) if items and has_older else None,
            "previous_page_url": page_url("ending_before", items[0]["id"]) if items and has_newer else None,
        }
        if query.get("summary", "").lower() == "true":
            body["summary"] = summary
        return _Json(body)

    async def get_request(request: Request) -> Response:
        authorize(request)
        return _Json(core.get_request(request.path_params["request_id"]))

    async def purge_payloads(request: Request) -> Response:
        authorize(request)
        return _Json(core.purge_payloads(request.path_params["request_id"]))

    async def webhook_secret(request: Request) -> Response:
        authorize(request)
        return _Json({"key": core.webhook_secret})

    # -- media --------------------------------------------------------------------------------
    async def media(request: Request) -> Response:
        if "authorization" in request.headers:
            # The media host is a signed-URL CDN: it never needs a key, and one sent here has
            # leaked out of the API client. Refuse it loudly, like S3 refuses a second auth.
            media_auth_attempts.append(_record(request))
            del media_auth_attempts[:-MAX_MEDIA_AUTH_ATTEMPTS]
            raise ApiError(
                "AUTHORIZATION_NOT_ALLOWED",
                "The media host never needs an API key: do not send an Authorization header to "
                "output.url (it leaks your Lumenfall key). Fetch media URLs without credentials.",
            )
        item = core.media(request.path_params["name"])
        headers = {
            "content-type": item.content_type,
            "accept-ranges": "bytes",
            "etag": item.etag,
            "cache-control": "private, max-age=3600",
        }
        head = request.method == "HEAD"
        if_range = request.headers.get("if-range")
        range_header = request.headers.get("range") if if_range in (None, item.etag) else None
        try:
            span = parse_range(range_header, item.size)
        except RangeNotSatisfiable:
            body = json.dumps(envelope("RANGE_NOT_SATISFIABLE", f"The object is {item.size} bytes long.")).encode()
            return Response(
                body, status_code=416, media_type="application/json", headers={"content-range": f"bytes */{item.size}"}
            )
        if span is None:
            headers["content-length"] = str(item.size)
            return MediaResponse(item, 200, 0, item.size, headers, head)
        start, end = span
        headers["content-length"] = str(end - start)
        headers["content-range"] = f"bytes {start}-{end - 1}/{item.size}"
        return MediaResponse(item, 206, start, end, headers, head)

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return _error_response(exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = request.url.path[:200]
        if exc.status_code == 405:
            error = ApiError("INVALID_REQUEST", f"{request.method} is not supported on {path}.", status=405)
        elif exc.status_code == 404:
            error = ApiError("NOT_FOUND", f"No route {request.method} {path}.", status=404)
        else:
            error = ApiError("INVALID_REQUEST", f"The request could not be read: {exc.detail}", status=exc.status_code)
        return _error_response(error)

    async def internal_error(request: Request, exc: Exception) -> Response:
        # A bug, never an answer to bad input; still Lumenfall's envelope, so clients parse it.
        return _error_response(ApiError("INTERNAL_ERROR", f"Emulator bug: {type(exc).__name__}."))

    routes: list[tuple[str, list[str], Handler]] = [
        ("/openai/v1/videos", ["POST"], create_video),
        ("/openai/v1/videos/{video_id}", ["GET"], get_video),
        ("/openai/v1/videos/{video_id}", ["DELETE"], cancel_video),
        ("/openai/v1/images/generations", ["POST"], images),
        ("/openai/v1/images/edits", ["POST"], images),
        ("/openai/v1/models", ["GET"], list_models),
        ("/openai/v1/models/{model_id}", ["GET"], get_model),
        ("/v1/balance", ["GET"], balance),
        ("/v1/requests", ["GET"], list_requests),
        ("/v1/requests/{request_id}", ["GET"], get_request),
        ("/v1/requests/{request_id}/payloads", ["DELETE"], purge_payloads),
        ("/v1/webhooks/secret", ["GET"], webhook_secret),
        ("/media/{name}", ["GET", "HEAD"], media),
    ]
    app = Starlette(
        routes=[Route(path, handler, methods=methods) for path, methods, handler in routes],
        exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: internal_error},
    )
    return EmulatorMiddleware(app, recorder=recorder, faults=faults, routes=ROUTES, max_body_bytes=max_body_bytes)


def _append(target: dict[str, Any], key: str, value: Any) -> None:
    # Repeated form keys (input_reference[] ...) become lists; single ones stay scalars.
    if key in target:
        existing = target[key]
        if isinstance(existing, list):
            existing.append(value)  # pyright: ignore[reportUnknownMemberType]
        else:
            target[key] = [existing, value]
    else:
        target[key] = value


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
