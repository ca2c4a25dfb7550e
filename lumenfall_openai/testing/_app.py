"""The emulator's HTTP app (starlette), mirroring Lumenfall's public API.

Routes live in one module per group (``_routes_videos``, ``_routes_images`` (with models),
``_routes_account``, ``_routes_webhooks``, ``_routes_media``); what they share (the
:class:`~._routing.AppState` of the emulator served, body decoding, JSON answers) is in
``_routing``. Handlers are thin: decode the request, call :class:`EmulatorCore`, encode the
answer. Faults and recording are the middleware's (``_middleware``), around every route. Every
route path is the real service's path, so a client configured with the emulator's base URL sends
exactly what it would send to api.lumenfall.ai.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from . import _routes_account, _routes_images, _routes_media, _routes_videos, _routes_webhooks
from ._core import EmulatorCore
from ._errors import ApiError
from ._faults import Faults
from ._middleware import DEFAULT_MAX_BODY_BYTES, EmulatorMiddleware
from ._records import RecordedRequest, Recorder
from ._routes_media import MAX_MEDIA_AUTH_ATTEMPTS, MediaResponse
from ._routing import (
    MAX_FORM_FIELD_BYTES,
    MAX_FORM_FIELDS,
    MAX_FORM_FILES,
    MAX_JSON_DEPTH,
    AppState,
    error_response,
    json_depth_exceeds,
    parse_json,
)

__all__ = [
    "MAX_FORM_FIELDS",
    "MAX_FORM_FIELD_BYTES",
    "MAX_FORM_FILES",
    "MAX_JSON_DEPTH",
    "MAX_MEDIA_AUTH_ATTEMPTS",
    "ROUTES",
    "AppState",
    "MediaResponse",
    "build_app",
    "json_depth_exceeds",
    "parse_json",
]

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


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path[:200]
    if exc.status_code == 405:
        error = ApiError("INVALID_REQUEST", f"{request.method} is not supported on {path}.", status=405)
    elif exc.status_code == 404:
        error = ApiError("NOT_FOUND", f"No route {request.method} {path}.", status=404)
    else:
        error = ApiError("INVALID_REQUEST", f"The request could not be read: {exc.detail}", status=exc.status_code)
    return error_response(error)


async def _internal_error(request: Request, exc: Exception) -> Response:
    # A bug, never an answer to bad input; still Lumenfall's envelope, so clients parse it.
    return error_response(ApiError("INTERNAL_ERROR", f"Emulator bug: {type(exc).__name__}."))


def build_app(
    core: EmulatorCore,
    recorder: Recorder,
    faults: Faults,
    media_auth_attempts: list[RecordedRequest],
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> ASGIApp:
    """The emulator's ASGI app: every route group, behind the recording and fault middleware."""
    app = Starlette(
        routes=[
            *_routes_videos.ROUTES,
            *_routes_images.ROUTES,
            *_routes_account.ROUTES,
            *_routes_webhooks.ROUTES,
            *_routes_media.ROUTES,
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _internal_error},
    )
    app.state.lumenfall = AppState(core, recorder, faults, media_auth_attempts)
    return EmulatorMiddleware(app, recorder=recorder, faults=faults, routes=ROUTES, max_body_bytes=max_body_bytes)
