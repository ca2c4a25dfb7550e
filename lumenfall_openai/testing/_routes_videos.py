"""The emulator's video routes: create, retrieve, cancel (``/openai/v1/videos``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import ApiError
from ._outcomes import parse_markers
from ._routing import Json, base_of, decode_body, dry_run, request_id_of, state_of, str_or_none, tag
from ._validation import validate_video


async def create_video(request: Request) -> Response:
    state = state_of(request)
    core = state.core
    key_id = state.authorize(request)
    body, files = await decode_body(request)
    model = body.get("model") if isinstance(body.get("model"), str) else ""
    try:
        req = validate_video(body, files, core.catalog, allow_loopback_webhooks=core.config.allow_loopback_webhooks)
        tag(request, req.provider.slug, req.spec.slug)
        if dry_run(request):
            return Json(core.estimate_video(req).to_json())
        markers = parse_markers(req.prompt)
        video, replayed = core.create_video(
            req, markers, request_id=request_id_of(request), key_id=key_id, media_base=base_of(request)
        )
    except ApiError as error:
        if not dry_run(request):
            core.log_rejection(
                request_id_of(request),
                error,
                model=str(model),
                modality="video",
                endpoint="/openai/v1/videos",
                key_id=key_id,
                user=str_or_none(body.get("user")),
            )
        raise
    return Json(video, status_code=200 if replayed else 202)


async def get_video(request: Request) -> Response:
    state = state_of(request)
    state.authorize(request)
    job, video = state.core.get_video(request.path_params["video_id"])
    tag(request, job.provider.slug, job.model_slug)
    return Json(video)


async def cancel_video(request: Request) -> Response:
    state = state_of(request)
    state.authorize(request)
    job, _ = state.core.cancel_video(request.path_params["video_id"])
    tag(request, job.provider.slug, job.model_slug)
    return Response(status_code=204)


ROUTES = [
    Route("/openai/v1/videos", create_video, methods=["POST"]),
    Route("/openai/v1/videos/{video_id}", get_video, methods=["GET"]),
    Route("/openai/v1/videos/{video_id}", cancel_video, methods=["DELETE"]),
]
