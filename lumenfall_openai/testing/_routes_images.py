"""The emulator's image and model routes (``/openai/v1/images/*``, ``/openai/v1/models``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._catalog import model_json
from ._errors import ApiError
from ._outcomes import parse_markers
from ._routing import Json, base_of, decode_body, dry_run, request_id_of, state_of, str_or_none, tag
from ._validation import validate_image


async def images(request: Request) -> Response:
    state = state_of(request)
    core = state.core
    key_id = state.authorize(request)
    body, _files = await decode_body(request)
    model = body.get("model") if isinstance(body.get("model"), str) else ""
    try:
        req = validate_image(body, core.catalog)
        tag(request, req.provider.slug, req.spec.slug)
        if dry_run(request):
            return Json(core.estimate_image(req).to_json())
        markers = parse_markers(req.prompt)
        result = core.generate_images(
            req, markers, request_id=request_id_of(request), key_id=key_id, media_base=base_of(request)
        )
    except ApiError as error:
        if not dry_run(request):
            core.log_rejection(
                request_id_of(request),
                error,
                model=str(model),
                modality="image",
                endpoint=request.url.path,
                key_id=key_id,
                user=str_or_none(body.get("user")),
            )
        raise
    return Json(result)


async def list_models(request: Request) -> Response:
    state = state_of(request)
    state.authorize(request)
    catalog = state.core.catalog
    data = [model_json(m) for m in catalog.all() if not catalog.is_disabled(m)]
    return Json({"object": "list", "data": data})


async def get_model(request: Request) -> Response:
    state = state_of(request)
    state.authorize(request)
    slug = request.path_params["model_id"]
    known = state.core.catalog.get(slug)
    # resolve() raises MODEL_NOT_FOUND ("Did you mean ...") or MODEL_DISABLED as on create.
    spec, provider = state.core.catalog.resolve(slug, known.kind if known else "video")
    tag(request, provider.slug, spec.slug)
    return Json(model_json(spec))


ROUTES = [
    Route("/openai/v1/images/generations", images, methods=["POST"]),
    Route("/openai/v1/images/edits", images, methods=["POST"]),
    Route("/openai/v1/models", list_models, methods=["GET"]),
    Route("/openai/v1/models/{model_id}", get_model, methods=["GET"]),
]
