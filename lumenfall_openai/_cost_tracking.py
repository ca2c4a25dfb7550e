"""Where the client sees costs: one hook on its ``get``/``post``, plus the dry-run request shapes.

Every response that can report a cost is parsed as a :class:`Video` or an images response, and
openai applies a request's ``post_parser`` to the parsed object once, on every path: plain
calls, ``with_raw_response`` (when ``.parse()`` is called) and ``with_streaming_response``. So
the client's ``get``/``post`` (the methods every resource calls) add a post_parser that feeds the
ledger (any Video read: its cost once finished). Paid requests are settled by their hold
(``_budget``): a video create passes its hold's parser itself; an images call's is added here.

The same hook makes an images request answer with this package's
:class:`~lumenfall_openai.types.ImagesResponse` (typed ``metadata``) instead of openai's, and a
``?dryRun=true`` images request answer with a :class:`~lumenfall_openai.types.CostEstimate`.
"""

from __future__ import annotations

import functools
import io
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import openai

from ._compat import (
    RAW_RESPONSE_HEADER,
    REQUEST_OPTIONS_PARAMS_KEY,
    REQUEST_OPTIONS_POST_PARSER_KEY,
    Headers,
    Query,
)
from ._ids import requested_video_id

if TYPE_CHECKING:
    from ._video_requests import VideoCreateRequest
    from .costs import CostLedger
    from .types.cost import CostEstimate
    from .types.images import ImagesResponse
    from .types.video import Video

__all__ = ["dry_run_options", "observe", "rereadable", "video_dry_run"]

log = logging.getLogger("lumenfall_openai")

DRY_RUN_PARAM = "dryRun"

# Only these answers can carry a cost. The types are imported with the first such answer, not
# with the package (a client used for chat never loads them).
_COST_TYPE_MODULES = ("lumenfall_openai.types.", "openai.types.images_response")


@functools.cache
def _hold_hooks() -> tuple[
    Callable[[CostLedger, Mapping[str, Any]], dict[str, Any]],
    Callable[[object], bool],
    Callable[[object, Callable[[Any], Any]], Callable[[Any], Any]],
]:
    """``_budget``'s images_request_options, is_hold_parser and chain, imported with the first
    answer that can carry a cost (like the types below), not with the package."""
    from ._budget import chain, images_request_options, is_hold_parser

    return images_request_options, is_hold_parser, chain


@functools.cache
def _cost_types() -> tuple[type[CostEstimate], type[ImagesResponse], type[Video]]:
    from .types.cost import CostEstimate
    from .types.images import ImagesResponse
    from .types.video import Video

    return CostEstimate, ImagesResponse, Video


def is_dry_run(options: Mapping[str, Any]) -> bool:
    params = options.get(REQUEST_OPTIONS_PARAMS_KEY)
    if params is None or not isinstance(params, Mapping):  # None first: the usual case, no ABC check
        return False
    value: object = cast("Mapping[str, object]", params).get(DRY_RUN_PARAM)
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def dry_run_options(
    extra_headers: Headers | None, extra_query: Query | None, *, multipart: bool
) -> tuple[Headers, Query]:
    """Headers and query for an estimate: ``?dryRun=true``, answered as a raw response.

    The caller parses it with :func:`~lumenfall_openai._create_outcome.parse_answer`, so an
    unreadable body becomes an ``openai.OpenAIError``, and an estimate made on behalf of a budget
    is parsed here even when the create it guards was called through ``with_raw_response``.
    """
    headers: dict[str, Any] = {**(extra_headers or {}), RAW_RESPONSE_HEADER: "true"}
    if multipart:
        headers = {"Content-Type": "multipart/form-data", **headers}
    return headers, {**(extra_query or {}), DRY_RUN_PARAM: "true"}


def video_dry_run(request: VideoCreateRequest) -> VideoCreateRequest:
    """The create request minus its idempotency key: what ``videos.estimate`` sends.

    An estimate must not claim the key: if Lumenfall ever remembered a dry run's key, the real
    create with the same key would be answered as a replay of a job that never ran.
    """
    body = {k: v for k, v in request.body.items() if k != "idempotency_key"}
    return replace(request, body=body)


def _file_bytes(file: io.IOBase) -> bytes:
    data: object = getattr(file, "read")()  # noqa: B009  (IOBase declares no read())
    return data if isinstance(data, bytes) else str(data).encode()


def _read_once(value: Any) -> Any:
    if isinstance(value, io.IOBase):
        name = os.path.basename(str(getattr(value, "name", "") or "")) or "upload"
        return (name, _file_bytes(value))
    if isinstance(value, tuple) and len(value) >= 2 and isinstance(value[1], io.IOBase):  # pyright: ignore[reportUnknownArgumentType]
        items: list[Any] = list(value)  # pyright: ignore[reportUnknownArgumentType]
        items[1] = _file_bytes(items[1])
        return tuple(items)
    if isinstance(value, list):
        return [_read_once(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    return cast(Any, value)


def rereadable(value: object) -> Any:
    """Open files read into bytes (other values as they are), so one upload can be sent twice.

    A budget sends the request once as a dry run and then for real; an open file object would
    be at its end the second time, and the paid job would get an empty upload.
    """
    return _read_once(value)


def rereadable_request(request: VideoCreateRequest) -> VideoCreateRequest:
    if not request.files:
        return request
    return replace(request, files=[(name, rereadable(value)) for name, value in request.files])


def observe(ledger: CostLedger | None, method: str, path: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The client's get/post arguments, adjusted: typed images responses, and ledger recording.

    Reads only the request's type and options, never its body: a paid request brings its own
    hold (``_budget``); an images call's is found by :func:`~lumenfall_openai._budget.images_request_options`.
    """
    cast_to = kwargs.get("cast_to")
    module = getattr(cast_to, "__module__", None)
    if not isinstance(module, str) or not module.startswith(_COST_TYPE_MODULES):
        return kwargs
    CostEstimate, ImagesResponse, Video = _cost_types()
    is_images = cast_to is openai.types.ImagesResponse or cast_to is ImagesResponse
    if not is_images and (cast_to is not Video or ledger is None):
        return kwargs
    options: dict[str, Any] = dict(kwargs.get("options") or {})
    if is_dry_run(options):
        return {**kwargs, "cast_to": CostEstimate} if is_images else kwargs
    if is_images:
        if ledger is None:
            return {**kwargs, "cast_to": ImagesResponse}
        options = _hold_hooks()[0](ledger, options)
        return {**kwargs, "cast_to": ImagesResponse, "options": options}
    assert ledger is not None
    first = options.get(REQUEST_OPTIONS_POST_PARSER_KEY)
    _, is_hold_parser, chain = _hold_hooks()
    if is_hold_parser(first):  # a video create: its hold records the answer
        return kwargs
    options[REQUEST_OPTIONS_POST_PARSER_KEY] = chain(first, _record_video(ledger, requested_video_id(path)))
    return {**kwargs, "options": options}


def _record_video(ledger: CostLedger, asked: str | None) -> Callable[[Any], Any]:
    from .types.video import Video

    def post_parser(parsed: Any) -> Any:
        # An answer about another job than the one asked for is refused (_create_outcome), and
        # its cost is not this job's: neither is recorded.
        if isinstance(parsed, Video) and asked in (None, parsed.id):
            try:
                ledger.record_video(parsed)
            except Exception:  # accounting must never cost the caller a response they paid for
                log.exception("lumenfall_openai: could not record the cost of a response in the ledger")
        return parsed

    return post_parser
